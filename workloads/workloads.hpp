#pragma once
// The one list of workloads. Adding one: a folder under workloads/ and a line here.
#include "core/type_list.hpp"
#include "workloads/connections/connections.hpp"
#include "workloads/connections/readiness.hpp"
#include "workloads/cpuyield/cpuyield.hpp"
#include "workloads/dirsearch/dirsearch.hpp"
#include "workloads/http/http.hpp"
#include "workloads/offload/offload.hpp"
#include "workloads/prodcons/prodcons.hpp"
#include "workloads/serve/serve.hpp"
#include "workloads/sleep/sleep.hpp"
#include "workloads/techniques/techniques.hpp"

namespace concur::workloads {

using all =
    type_list<sleep::workload, dirsearch::workload, http::fetch_workload, http::crawl_workload,
              prodcons::workload, offload::workload, cpuyield::workload, techniques::workload,
              connections::workload, connections::readiness_workload, serve::workload>;

}  // namespace concur::workloads
