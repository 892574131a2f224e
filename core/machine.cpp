#include "core/machine.hpp"

#include <dirent.h>
#include <fmt/format.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <numeric>
#include <set>
#include <sstream>
#include <system_error>
#include <thread>

#include "core/median.hpp"

namespace concur::machine {
namespace {

using clock_type = std::chrono::steady_clock;

double nanoseconds_since(clock_type::time_point start) {
  return std::chrono::duration<double, std::nano>(clock_type::now() - start).count();
}

double steady_seconds() {
  return std::chrono::duration<double>(clock_type::now().time_since_epoch()).count();
}

// The whole file, or nullopt. /proc files report size 0, so read as a stream.
std::optional<std::string> read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return std::move(text).str();
}

// The first line without its newline, or nullopt when unreadable or empty.
std::optional<std::string> read_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!std::getline(in, line) || line.empty()) return std::nullopt;
  return line;
}

std::vector<std::string_view> split_words(std::string_view text) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    const std::size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t' && text[i] != '\n') ++i;
    if (i > start) words.push_back(text.substr(start, i - start));
    if (i < text.size() && text[i] == '\n') break;
  }
  return words;
}

template <typename T>
std::optional<T> parse_number(std::string_view word) {
  T value{};
  const auto [end, error] = std::from_chars(word.data(), word.data() + word.size(), value);
  if (error != std::errc() || end != word.data() + word.size()) return std::nullopt;
  return value;
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += separator;
    out += p;
  }
  return out;
}

std::string format_optional(const std::optional<double>& value, std::string_view missing,
                            int decimals) {
  return value ? fmt::format("{:.{}f}", *value, decimals) : std::string(missing);
}

int usable_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

// The numbered CPU directories under /sys/devices/system/cpu, in order.
std::vector<int> sysfs_cpus() {
  std::vector<int> cpus;
  DIR* dir = opendir("/sys/devices/system/cpu");
  if (!dir) return cpus;
  while (const dirent* entry = readdir(dir)) {
    const std::string_view name = entry->d_name;
    if (name.size() > 3 && name.substr(0, 3) == "cpu")
      if (auto n = parse_number<int>(name.substr(3))) cpus.push_back(*n);
  }
  closedir(dir);
  std::sort(cpus.begin(), cpus.end());
  return cpus;
}

std::string cpufreq_path(int cpu, std::string_view file) {
  return fmt::format("/sys/devices/system/cpu/cpu{}/cpufreq/{}", cpu, file);
}

// ---- probes ----

// Runs `one` (which returns nanoseconds per operation, or nullopt) `repetitions` times.
template <typename F>
std::optional<double> median_of(int repetitions, F one) {
  std::vector<double> samples;
  for (int r = 0; r < repetitions; ++r) {
    const auto sample = one();
    if (!sample) return std::nullopt;
    samples.push_back(*sample);
  }
  return median(std::move(samples));
}

void pin_calling_thread(int cpu) {
  if (cpu < 0) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  sched_setaffinity(0, sizeof set, &set);  // 0: the calling thread; a failure leaves it unpinned
}

// Sends a byte on `out` and waits for it on `in`, `round_trips` times, or until a pipe fails.
bool ping(int out, int in, int round_trips) {
  char byte = 0;
  for (int i = 0; i < round_trips; ++i)
    if (write(out, &byte, 1) != 1 || read(in, &byte, 1) != 1) return false;
  return true;
}

// Echoes bytes from `in` to `out` until `in` reaches end of file.
void echo(int in, int out) {
  char byte = 0;
  while (read(in, &byte, 1) == 1)
    if (write(out, &byte, 1) != 1) return;
}

struct pipe_pair {
  int to_echo[2] = {-1, -1};
  int from_echo[2] = {-1, -1};
  bool ok = pipe(to_echo) == 0 && pipe(from_echo) == 0;
  ~pipe_pair() {
    for (int fd : {to_echo[0], to_echo[1], from_echo[0], from_echo[1]})
      if (fd >= 0) close(fd);
  }
  void close_to_echo() {
    close(to_echo[1]);
    to_echo[1] = -1;
  }
};

// The hypervisor's vendor signature from CPUID leaf 0x40000000, when the CPU says there is one.
std::string cpuid_hypervisor_vendor() {
#if defined(__x86_64__) || defined(__i386__)
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 31))) return {};
  __cpuid(0x40000000, a, b, c, d);
  char vendor[13] = {};
  std::memcpy(vendor, &b, 4);
  std::memcpy(vendor + 4, &c, 4);
  std::memcpy(vendor + 8, &d, 4);
  std::string s(vendor);
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
#else
  return {};
#endif
}

std::string hypervisor_name(std::string_view cpuid_vendor, std::string_view sys_type) {
  static const std::pair<std::string_view, std::string_view> names[] = {
      {"KVMKVMKVM", "KVM"},         {"Microsoft Hv", "Hyper-V"},  {"VMwareVMware", "VMware"},
      {"XenVMMXenVMM", "Xen"},      {"TCGTCGTCGTCG", "QEMU TCG"}, {"bhyve bhyve", "bhyve"},
      {"ACRNACRNACRN", "ACRN"},     {"QNXQVMBSQG", "QNX"},        {"VBoxVBoxVBox", "VirtualBox"},
      {" lrpepyh  vr", "Parallels"}};
  for (const auto& [signature, name] : names)
    if (cpuid_vendor == signature) return std::string(name);
  if (!sys_type.empty()) return std::string(sys_type);  // "xen"
  return {};
}

bool cpuinfo_has_hypervisor_flag() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("flags", 0) == 0) {
      const auto words = split_words(line);
      return std::find(words.begin(), words.end(), "hypervisor") != words.end();
    }
  return false;
}

// ---- noise ----

// Our processes: `self` and its descendants, by ppid in either snapshot.
std::set<pid_t> ours(pid_t self, const snapshot& before, const snapshot& after) {
  std::multimap<pid_t, pid_t> children;
  for (const auto* s : {&before, &after})
    for (const auto& p : s->processes) children.emplace(p.ppid, p.pid);
  std::set<pid_t> found{self};
  std::vector<pid_t> pending{self};
  while (!pending.empty()) {
    const pid_t parent = pending.back();
    pending.pop_back();
    const auto [first, last] = children.equal_range(parent);
    for (auto it = first; it != last; ++it)
      if (found.insert(it->second).second) pending.push_back(it->second);
  }
  return found;
}

// The parent of `p`, or its parent's parent, ..., skipping those in `exited`.
pid_t first_living_ancestor(const process_ticks& p,
                            const std::map<pid_t, const process_ticks*>& exited) {
  pid_t ancestor = p.ppid;
  for (std::size_t hops = 0; hops <= exited.size(); ++hops) {  // bounded: ppid data may loop
    const auto it = exited.find(ancestor);
    if (it == exited.end()) return ancestor;
    ancestor = it->second->ppid;
  }
  return ancestor;
}

// Ticks each process used in the interval (see `between` for the accounting).
std::map<pid_t, std::int64_t> ticks_used(const snapshot& before, const snapshot& after) {
  std::map<pid_t, const process_ticks*> earlier;
  for (const auto& p : before.processes) earlier[p.pid] = &p;
  std::map<pid_t, std::int64_t> used;
  for (const auto& p : after.processes) {
    const auto it = earlier.find(p.pid);
    const bool same = it != earlier.end() && it->second->start_ticks == p.start_ticks;
    used[p.pid] += static_cast<std::int64_t>(p.cpu_ticks) -
                   (same ? static_cast<std::int64_t>(it->second->cpu_ticks) : 0);
    if (same) earlier.erase(it);
  }
  // What remains exited. Its whole life, the part before the first snapshot included, went up the
  // chain of reapers (cc1plus -> g++ -> ninja) to the first that is still alive; that part is
  // taken off there.
  for (const auto& [pid, p] : earlier)
    if (const auto reaper = first_living_ancestor(*p, earlier); used.count(reaper))
      used[reaper] -= static_cast<std::int64_t>(p->cpu_ticks);
  return used;
}

std::optional<double> percent_of(std::uint64_t part_before, std::uint64_t part_after,
                                 const std::optional<cpu_ticks>& before,
                                 const std::optional<cpu_ticks>& after) {
  if (!before || !after || after->total() <= before->total() || part_after < part_before)
    return std::nullopt;
  return 100.0 * static_cast<double>(part_after - part_before) /
         static_cast<double>(after->total() - before->total());
}

void judge(noise& n, const thresholds& limits) {
  const double cores = n.cores;
  if (n.others_cores > limits.others_cores_per_core * cores)
    n.busy_reasons.push_back(
        fmt::format("other processes used {:.2f} cores on average (limit {:g} x {} cores)",
                    n.others_cores, limits.others_cores_per_core, n.cores));
  if (n.steal_pct && *n.steal_pct > limits.steal_pct)
    n.busy_reasons.push_back(
        fmt::format("steal {:.1f} % of CPU time (limit {:g} %)", *n.steal_pct, limits.steal_pct));
  n.busy = !n.busy_reasons.empty();
}

std::string describe(const busy_process& p) {
  return fmt::format("{} (pid {}) {:.2f} cores", p.comm, p.pid, p.cores);
}

std::string governors() {
  std::vector<std::string> distinct;
  for (int cpu : sysfs_cpus())
    if (auto g = read_line(cpufreq_path(cpu, "scaling_governor")))
      if (std::find(distinct.begin(), distinct.end(), *g) == distinct.end()) distinct.push_back(*g);
  return distinct.empty() ? std::string(not_exposed) : join(distinct, ", ");
}

// Per CPU from cpufreq; VMs rarely expose it, so fall back to /proc/cpuinfo's "cpu MHz".
std::string frequencies_mhz() {
  std::vector<std::string> mhz;
  for (int cpu : sysfs_cpus())
    if (auto line = read_line(cpufreq_path(cpu, "scaling_cur_freq")))
      if (auto khz = parse_number<long>(*line)) mhz.push_back(std::to_string(*khz / 1000));
  if (!mhz.empty()) return join(mhz, ", ");
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("cpu MHz", 0) == 0)
      if (const auto colon = line.find(':'); colon != std::string::npos)
        mhz.push_back(fmt::format("{:.0f}", std::strtod(line.c_str() + colon + 1, nullptr)));
  if (mhz.empty()) return std::string(not_exposed);
  return join(mhz, ", ") + " (cpufreq not exposed; /proc/cpuinfo)";
}

std::string aslr() {
  const auto line = read_line("/proc/sys/kernel/randomize_va_space");
  if (!line) return std::string(not_readable);
  if (*line == "0") return "0 (off)";
  if (*line == "1") return "1 (stack, mmap, vdso)";
  if (*line == "2") return "2 (full)";
  return *line;
}

std::optional<long> meminfo_kib(const std::string& text, std::string_view key) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key, 0) == 0 && line.size() > key.size() && line[key.size()] == ':') {
      const auto words = split_words(std::string_view(line).substr(key.size() + 1));
      return words.empty() ? std::nullopt : parse_number<long>(words[0]);
    }
  return std::nullopt;
}

std::string swap_used_kib() {
  const auto text = read_text("/proc/meminfo");
  if (!text) return std::string(not_readable);
  const auto total = meminfo_kib(*text, "SwapTotal");
  const auto free = meminfo_kib(*text, "SwapFree");
  if (!total || !free) return std::string(not_readable);
  return std::to_string(*total - *free);
}

}  // namespace

// ---- calibration ----

std::optional<double> probe_page_fault_ns() {
  constexpr std::size_t bytes = std::size_t{32} << 20;
  const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  return median_of(5, [&]() -> std::optional<double> {
    void* memory = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) return std::nullopt;
    // One fault per page, not one per 2 MiB huge page: the cost a malloc-heavy workload pays.
    madvise(memory, bytes, MADV_NOHUGEPAGE);
    auto* p = static_cast<volatile char*>(memory);
    const auto start = clock_type::now();
    for (std::size_t offset = 0; offset < bytes; offset += page) p[offset] = 1;
    const double ns = nanoseconds_since(start);
    munmap(memory, bytes);
    return ns / static_cast<double>(bytes / page);
  });
}

std::optional<double> probe_syscall_ns() {
  constexpr int calls = 10000;
  return median_of(7, [] {
    const auto start = clock_type::now();
    for (int i = 0; i < calls; ++i) syscall(SYS_getppid);
    return std::optional(nanoseconds_since(start) / calls);
  });
}

std::optional<double> probe_thread_create_join_ns() {
  constexpr int threads = 20;
  return median_of(7, []() -> std::optional<double> {
    try {
      const auto start = clock_type::now();
      for (int i = 0; i < threads; ++i) std::thread([] {}).join();
      return nanoseconds_since(start) / threads;
    } catch (const std::system_error&) {
      return std::nullopt;  // the OS refused a thread
    }
  });
}

// Both threads on the CPU we are on, so each hand-over is a switch on one CPU (as lmbench's
// lat_ctx), not a wake-up of an idle second CPU.
std::optional<double> probe_context_switch_ns() {
  constexpr int round_trips = 2000, repetitions = 5;
  pipe_pair pipes;
  if (!pipes.ok) return std::nullopt;
  const int cpu = sched_getcpu();
  std::vector<double> samples;
  std::optional<std::thread> echoer;
  try {
    echoer.emplace([&] {
      pin_calling_thread(cpu);
      echo(pipes.to_echo[0], pipes.from_echo[1]);
    });
    std::thread([&] {
      pin_calling_thread(cpu);
      for (int r = 0; r < repetitions; ++r) {
        const auto start = clock_type::now();
        if (!ping(pipes.to_echo[1], pipes.from_echo[0], round_trips)) break;
        samples.push_back(nanoseconds_since(start) / round_trips / 2);
      }
    }).join();
  } catch (const std::system_error&) {
    // The OS refused a thread: nothing measured; the echoer, if it started, ends below.
  }
  pipes.close_to_echo();  // end of file for the echoer
  if (echoer) echoer->join();
  if (samples.size() != std::size_t{repetitions}) return std::nullopt;
  return median(std::move(samples));
}

std::string detect_virtualization() {
  std::vector<std::string> evidence;
  if (cpuinfo_has_hypervisor_flag()) evidence.push_back("hypervisor flag");
  const std::string vendor = cpuid_hypervisor_vendor();
  if (!vendor.empty()) evidence.push_back("cpuid: " + vendor);
  const std::string sys_type = read_line("/sys/hypervisor/type").value_or("");
  if (!sys_type.empty()) evidence.push_back("/sys/hypervisor/type: " + sys_type);
  const bool hypervisor_seen = !evidence.empty();
  std::vector<std::string> dmi;
  for (const char* file : {"sys_vendor", "product_name"})
    if (auto value = read_line(std::string("/sys/class/dmi/id/") + file)) dmi.push_back(*value);
  if (!dmi.empty()) evidence.push_back("dmi: " + join(dmi, " "));
  // DMI alone names the board's maker, which proves no hypervisor: shown, not judged.
  if (!hypervisor_seen)
    return dmi.empty() ? "none seen" : fmt::format("none seen ({})", evidence[0]);
  std::string name = hypervisor_name(vendor, sys_type);
  if (name.empty()) name = "virtual machine";
  return fmt::format("{} ({})", name, join(evidence, "; "));
}

calibration calibrate() {
  return {probe_page_fault_ns(), probe_syscall_ns(), probe_thread_create_join_ns(),
          probe_context_switch_ns(), detect_virtualization()};
}

namespace {

// Cache-resident: a loop over DRAM varied by 14-22 % (CV) on this project's VM, with the machine
// otherwise idle (its neighbours' memory traffic), where one over 1 MiB varied by 2-3 % and a
// register-only loop by 2 %; most cells run from the caches, so the DRAM loop was no floor for
// them.
constexpr std::size_t floor_buffer_bytes = 1u << 20;

std::uint64_t sum_passes(const std::vector<std::uint64_t>& buffer, std::size_t passes) {
  std::uint64_t sum = 0;
  for (std::size_t p = 0; p < passes; ++p) {
    for (const std::uint64_t x : buffer) sum += x;
    // Each pass reads the memory again: the compiler may not fold the passes into one.
    asm volatile("" : : "r"(buffer.data()) : "memory");
  }
  return sum;
}

}  // namespace

double noise_floor_loop::run() {
  // A fresh buffer each time, so that the bench holds no memory between rounds.
  std::vector<std::uint64_t> buffer(floor_buffer_bytes / sizeof(std::uint64_t));
  std::iota(buffer.begin(), buffer.end(), std::uint64_t{1});
  if (passes_ == 0) {
    const auto start = clock_type::now();
    volatile std::uint64_t sink = sum_passes(buffer, 1);
    (void)sink;
    const double one = std::chrono::duration<double>(clock_type::now() - start).count();
    passes_ = std::max<std::size_t>(1, static_cast<std::size_t>(target_s_ / std::max(one, 1e-6)));
  }
  const auto start = clock_type::now();
  volatile std::uint64_t sink = sum_passes(buffer, passes_);
  (void)sink;
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

std::string noise_floor_loop::describe() const {
  return fmt::format("{} passes summing {} MiB, cache-resident (about {:g} s)", passes_,
                     floor_buffer_bytes >> 20, target_s_);
}

// ---- noise ----

std::optional<cpu_ticks> parse_cpu_line(std::string_view text) {
  std::size_t at = 0;
  while (at < text.size() && text.substr(at, 4) != "cpu ") {
    at = text.find('\n', at);
    if (at == std::string_view::npos) return std::nullopt;
    ++at;
  }
  const auto words = split_words(text.substr(at));
  if (words.size() < 5) return std::nullopt;  // "cpu" and user, nice, system, idle at least
  std::uint64_t values[8] = {};
  for (std::size_t i = 1; i < words.size() && i <= 8; ++i) {
    const auto v = parse_number<std::uint64_t>(words[i]);
    if (!v) return std::nullopt;
    values[i - 1] = *v;
  }
  return cpu_ticks{values[0], values[1], values[2], values[3],
                   values[4], values[5], values[6], values[7]};
}

std::optional<process_ticks> parse_process_stat(std::string_view line) {
  const auto open = line.find('(');
  const auto close = line.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open)
    return std::nullopt;
  const auto pid_words = split_words(line.substr(0, open));
  const auto words = split_words(line.substr(close + 1));  // words[0] is field 3, the state
  if (pid_words.size() != 1 || words.size() < 20) return std::nullopt;
  const auto pid = parse_number<pid_t>(pid_words[0]);
  const auto ppid = parse_number<pid_t>(words[1]);
  const auto start = parse_number<std::uint64_t>(words[19]);
  if (!pid || !ppid || !start) return std::nullopt;
  std::uint64_t cpu = 0;
  for (std::size_t field = 11; field <= 14; ++field) {  // utime, stime, cutime, cstime
    const auto v = parse_number<std::int64_t>(words[field]);
    if (!v) return std::nullopt;
    cpu += static_cast<std::uint64_t>(std::max<std::int64_t>(0, *v));
  }
  return process_ticks{*pid, *ppid, std::string(line.substr(open + 1, close - open - 1)), *start,
                       cpu};
}

std::optional<double> parse_load1(std::string_view text) {
  const auto words = split_words(text);
  return words.empty() ? std::nullopt : parse_number<double>(words[0]);
}

snapshot take() {
  snapshot s;
  s.taken_at_s = steady_seconds();
  s.ticks_per_second = std::max(1L, sysconf(_SC_CLK_TCK));
  s.cores = usable_cores();
  if (auto text = read_text("/proc/loadavg")) s.load1 = parse_load1(*text);
  if (auto text = read_text("/proc/stat")) s.cpu = parse_cpu_line(*text);
  if (DIR* proc = opendir("/proc")) {
    while (const dirent* entry = readdir(proc)) {
      if (!parse_number<pid_t>(entry->d_name)) continue;
      // A process may exit between readdir and the read: it is simply not in this snapshot.
      if (auto line = read_line(fmt::format("/proc/{}/stat", entry->d_name)))
        if (auto p = parse_process_stat(*line)) s.processes.push_back(std::move(*p));
    }
    closedir(proc);
  }
  return s;
}

std::vector<busy_process> noise::top(std::size_t n) const {
  return {others.begin(), others.begin() + static_cast<std::ptrdiff_t>(std::min(n, others.size()))};
}

noise between(const snapshot& before, const snapshot& after, pid_t self, const thresholds& limits) {
  noise n;
  n.interval_s = after.taken_at_s - before.taken_at_s;
  n.cores = after.cores;
  n.load_before = before.load1;
  n.load_after = after.load1;
  if (before.cpu && after.cpu) {
    n.steal_pct = percent_of(before.cpu->steal, after.cpu->steal, before.cpu, after.cpu);
    n.iowait_pct = percent_of(before.cpu->iowait, after.cpu->iowait, before.cpu, after.cpu);
  }
  const auto mine = ours(self, before, after);
  const double tick_seconds = 1.0 / static_cast<double>(after.ticks_per_second);
  std::map<pid_t, std::string> names;
  for (const auto& p : after.processes) names[p.pid] = p.comm;
  for (const auto& [pid, ticks] : ticks_used(before, after)) {
    if (ticks <= 0 || mine.count(pid) || n.interval_s <= 0) continue;
    const double cores = static_cast<double>(ticks) * tick_seconds / n.interval_s;
    n.others.push_back({pid, names[pid], cores});
    n.others_cores += cores;
  }
  std::stable_sort(n.others.begin(), n.others.end(),
                   [](const auto& a, const auto& b) { return a.cores > b.cores; });
  judge(n, limits);
  return n;
}

facts read_facts() {
  return {usable_cores(), governors(), frequencies_mhz(), aslr(), swap_used_kib()};
}

// ---- key/value pairs ----

key_values to_key_values(const calibration& c) {
  const auto ns = [](const std::optional<double>& v) {
    return format_optional(v, not_measured, 1);
  };
  return {{std::string(keys::calibration_page_fault_ns), ns(c.page_fault_ns)},
          {std::string(keys::calibration_syscall_ns), ns(c.syscall_ns)},
          {std::string(keys::calibration_thread_create_join_ns), ns(c.thread_create_join_ns)},
          {std::string(keys::calibration_context_switch_ns), ns(c.context_switch_ns)},
          {std::string(keys::calibration_virtualization), c.virtualization}};
}

key_values to_key_values(const noise& n) {
  std::vector<std::string> top;
  for (const auto& p : n.top()) top.push_back(describe(p));
  const auto two = [](const std::optional<double>& v) {
    return format_optional(v, not_readable, 2);
  };
  return {{std::string(keys::noise_interval_s), fmt::format("{:.2f}", n.interval_s)},
          {std::string(keys::noise_steal_pct), two(n.steal_pct)},
          {std::string(keys::noise_iowait_pct), two(n.iowait_pct)},
          {std::string(keys::noise_load_before), two(n.load_before)},
          {std::string(keys::noise_load_after), two(n.load_after)},
          {std::string(keys::noise_others_cores), fmt::format("{:.2f}", n.others_cores)},
          {std::string(keys::noise_top_processes), join(top, "; ")},
          {std::string(keys::noise_busy), n.busy ? "true" : "false"},
          {std::string(keys::noise_busy_reasons), join(n.busy_reasons, "; ")}};
}

key_values to_key_values(const facts& f) {
  return {{std::string(keys::machine_cores), std::to_string(f.cores)},
          {std::string(keys::machine_cpu_governor), f.cpu_governor},
          {std::string(keys::machine_cpu_freq_mhz), f.cpu_freq_mhz},
          {std::string(keys::machine_aslr), f.aslr},
          {std::string(keys::machine_swap_used_kib), f.swap_used_kib}};
}

}  // namespace concur::machine
