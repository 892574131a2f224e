#include "core/environment.hpp"

#include <fmt/format.h>
#include <sys/resource.h>
#include <sys/utsname.h>

#include <fstream>
#include <thread>

#include "concur/build_info.hpp"

namespace concur {
std::string proc_value(const char* path) {
  std::ifstream in(path);
  std::string value;
  in >> value;
  return value.empty() ? "?" : value;
}

std::string rlimit_value(int resource) {
  rlimit l{};
  if (getrlimit(resource, &l) != 0) return "?";
  return l.rlim_cur == RLIM_INFINITY ? "unlimited" : std::to_string(l.rlim_cur);
}

key_values describe_environment(const concur::config& config, double budget_seconds) {
  utsname uts{};
  uname(&uts);
  return {
      {"concur_version", std::string(build_info::concur_version)},
      {"compiler", std::string(build_info::compiler)},
      {"build_type", std::string(build_info::build_type)},
      {"cxx_flags", std::string(build_info::cxx_flags)},
      {"boost_version", std::string(build_info::boost_version)},
      {"tbb_version", std::string(build_info::tbb_version)},
      {"benchmark_version", std::string(build_info::benchmark_version)},
      {"kernel", fmt::format("{} {} {}", uts.sysname, uts.release, uts.machine)},
      {"hardware_concurrency", std::to_string(std::thread::hardware_concurrency())},
      {"ulimit_u", rlimit_value(RLIMIT_NPROC)},
      {"ulimit_s_bytes", rlimit_value(RLIMIT_STACK)},
      {"ulimit_n", rlimit_value(RLIMIT_NOFILE)},
      {"kernel_pid_max", proc_value("/proc/sys/kernel/pid_max")},
      {"kernel_threads_max", proc_value("/proc/sys/kernel/threads-max")},
      {"vm_max_map_count", proc_value("/proc/sys/vm/max_map_count")},
      {"executor_pool_threads", std::to_string(config.pool_threads)},
      {"worker_threads", std::to_string(config.worker_threads)},
      {"worker_processes", std::to_string(config.worker_processes)},
      {"budget_seconds", fmt::format("{:g}", budget_seconds)},
  };
}

}  // namespace concur
