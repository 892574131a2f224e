#include "workloads/connections/limits.hpp"

#include <fmt/format.h>
#include <sys/resource.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "workloads/connections/connections.hpp"

namespace concur::connections {
namespace {

std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

}  // namespace

namespace kernel {

long tcp_memory_pages() {
  std::ifstream in("/proc/net/sockstat");
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with("TCP:")) continue;
    const auto w = words(line);  // TCP: inuse A orphan B tw C alloc D mem E
    for (std::size_t i = 1; i + 1 < w.size(); i += 2)
      if (w[i] == "mem") return std::stol(w[i + 1]);
  }
  return -1;
}

long long slab_bytes() {
  std::ifstream in("/proc/meminfo");
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with("Slab:")) continue;
    const auto w = words(line);  // Slab: N kB
    return w.size() >= 2 ? std::stoll(w[1]) * 1024 : -1;
  }
  return -1;
}

long listen_overflows() {
  std::ifstream in("/proc/net/netstat");
  for (std::string names, values; std::getline(in, names) && std::getline(in, values);) {
    if (!names.starts_with("TcpExt:")) continue;
    const auto n = words(names), v = words(values);  // a line of names, then one of values
    for (std::size_t i = 1; i < n.size() && i < v.size(); ++i)
      if (n[i] == "ListenOverflows") return std::stol(v[i]);
  }
  return -1;
}

long long status_bytes(pid_t pid, std::string_view key) {
  std::ifstream in(fmt::format("/proc/{}/status", pid));
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with(key) || line.size() <= key.size() || line[key.size()] != ':') continue;
    const auto w = words(line);  // Key: N kB
    return w.size() >= 2 ? std::stoll(w[1]) * 1024 : 0;
  }
  return 0;
}

bool reset_peak_resident(pid_t pid) {
  std::ofstream out(fmt::format("/proc/{}/clear_refs", pid));
  return static_cast<bool>(out << "5" << std::flush);
}

std::string descriptor_ceiling() {
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  std::size_t nr_open = 0;
  std::ifstream("/proc/sys/fs/nr_open") >> nr_open;
  bool capable = false;  // CAP_SYS_RESOURCE (bit 24) in the effective set
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.starts_with("CapEff:")) capable = (std::stoull(line.substr(7), nullptr, 16) >> 24) & 1;
  return fmt::format(
      "hard limit {}, fs.nr_open {}; raising the hard limit needs CAP_SYS_RESOURCE, which this "
      "process {}",
      limit.rlim_max, nr_open, capable ? "has" : "lacks");
}

}  // namespace kernel

std::size_t raise_descriptor_limit() {
  static const bool raised = [] {
    rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    rlim_t nr_open = 0;
    std::ifstream("/proc/sys/fs/nr_open") >> nr_open;
    // Raising the hard limit needs CAP_SYS_RESOURCE (root): tried first, else up to the hard one.
    const rlimit most{nr_open, nr_open}, hard{limit.rlim_max, limit.rlim_max};
    return (nr_open > limit.rlim_max && ::setrlimit(RLIMIT_NOFILE, &most) == 0) ||
           ::setrlimit(RLIMIT_NOFILE, &hard) == 0;
  }();
  static_cast<void>(raised);
  rlimit now{};
  ::getrlimit(RLIMIT_NOFILE, &now);
  return static_cast<std::size_t>(now.rlim_cur);
}

}  // namespace concur::connections
