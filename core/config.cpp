#include "core/config.hpp"

#include <algorithm>
#include <thread>

namespace concur {

config config::defaults() {
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  return {
      .pool_threads = std::min(32u, cores + 4), .worker_threads = cores, .worker_processes = cores};
}

}  // namespace concur
