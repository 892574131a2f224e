#pragma once
// The one list of workloads. Adding one: a folder under workloads/ and a line here.
#include "core/type_list.hpp"
#include "workloads/dirsearch/dirsearch.hpp"
#include "workloads/sleep/sleep.hpp"

namespace concur::workloads {

using all = type_list<sleep::workload, dirsearch::workload>;

}  // namespace concur::workloads
