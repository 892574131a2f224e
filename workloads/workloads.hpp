#pragma once
// The one list of workloads. Adding one: a folder under workloads/ and a line here.
#include "core/type_list.hpp"
#include "workloads/http/http.hpp"
#include "workloads/sleep/sleep.hpp"

namespace concur::workloads {

using all = type_list<sleep::workload, http::fetch_workload, http::crawl_workload>;

}  // namespace concur::workloads
