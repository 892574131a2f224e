#pragma once
// The course's own Python as baseline cells (baselines/python/*.py): for a workload's case that
// asks for the programs beside the models (its params' peers, http's python_baselines), a cell
// per Python model, verified by its whole answer like a model and timed by its own account. The
// matrix (bench/matrix.cpp) attaches them wherever an overload here takes the case's params.
#include <concepts>
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
namespace cpuyield {
struct params;
}
namespace http {
struct fetch_params;
struct crawl_params;
}  // namespace http
namespace serve {
struct params;
}
}  // namespace concur

namespace concur::python {

// None when the case does not ask for them.
std::vector<baseline> baselines(const sleep::params& p);
std::vector<baseline> baselines(const dirsearch::params& p);
std::vector<baseline> baselines(const prodcons::params& p);
std::vector<baseline> baselines(const offload::params& p);
std::vector<baseline> baselines(const cpuyield::params& p);
std::vector<baseline> baselines(const http::fetch_params& p);
std::vector<baseline> baselines(const http::crawl_params& p);
std::vector<baseline> baselines(const serve::params& p);

// Whether baselines(params) is offered for a workload's params.
template <class Params>
concept has_baselines = requires(const Params& p) {
  { baselines(p) } -> std::same_as<std::vector<baseline>>;
};

}  // namespace concur::python
