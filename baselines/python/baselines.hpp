#pragma once
// The course's own Python as baseline cells (baselines/python/*.py): for each workload's case,
// a cell per Python model, verified by its whole answer like a model and timed by its own account.
#include <vector>

#include "core/workload.hpp"

namespace concur {
namespace sleep {
struct params;
}
namespace dirsearch {
struct params;
}
namespace prodcons {
struct params;
}
namespace offload {
struct params;
}
namespace http {
struct fetch_params;
struct crawl_params;
}  // namespace http
}  // namespace concur

namespace concur::python {

std::vector<baseline> baselines(const sleep::params& p);
std::vector<baseline> baselines(const dirsearch::params& p);
std::vector<baseline> baselines(const prodcons::params& p);
std::vector<baseline> baselines(const offload::params& p);
std::vector<baseline> baselines(const http::fetch_params& p);
std::vector<baseline> baselines(const http::crawl_params& p);

}  // namespace concur::python
