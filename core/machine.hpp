#pragma once
// What this machine costs and whether it was quiet.
//
// Calibration: short probes for the costs that explain why the same code runs at different speeds
// on two machines (a minor page fault, a syscall, a thread, a context switch) and the
// virtualization in use. Noise: snapshots of /proc taken before and after a run, and what other
// processes, the hypervisor (steal) and the disks (iowait) took in between, with a verdict.
//
// Everything reads Linux's /proc and /sys (and, on x86, the CPU's hypervisor vendor leaf). A file
// that cannot be read gives the value "not readable" (or "not exposed" for cpufreq); nothing here
// throws or aborts. to_key_values turns each result into strings under the names in `keys`, for
// Google Benchmark's JSON context; the report reads them back by the same names.
#include <sys/types.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace concur::machine {

using key_values = std::vector<std::pair<std::string, std::string>>;

// Values of facts that could not be had.
inline constexpr std::string_view not_readable = "not readable";
inline constexpr std::string_view not_exposed = "not exposed";    // cpufreq absent (common in VMs)
inline constexpr std::string_view not_measured = "not measured";  // a probe's setup failed

// The context keys, written by concur-bench and read by the report. Numbers are plain decimals
// (no unit suffix: the unit is in the name); lists are joined with "; ".
namespace keys {
// Calibration medians, in nanoseconds.
inline constexpr std::string_view calibration_page_fault_ns =
    "calibration_page_fault_ns";  // per 4 KiB page
inline constexpr std::string_view calibration_syscall_ns = "calibration_syscall_ns";
inline constexpr std::string_view calibration_thread_create_join_ns =
    "calibration_thread_create_join_ns";
inline constexpr std::string_view calibration_context_switch_ns =
    "calibration_context_switch_ns";  // round trip / 2
inline constexpr std::string_view calibration_virtualization = "calibration_virtualization";

// Noise over the interval between two snapshots.
inline constexpr std::string_view noise_interval_s = "noise_interval_s";
inline constexpr std::string_view noise_steal_pct = "noise_steal_pct";
inline constexpr std::string_view noise_iowait_pct = "noise_iowait_pct";
inline constexpr std::string_view noise_load_before = "noise_load_before";  // 1-min load average
inline constexpr std::string_view noise_load_after = "noise_load_after";
inline constexpr std::string_view noise_others_cores = "noise_others_cores";  // average cores used
inline constexpr std::string_view noise_top_processes =
    "noise_top_processes";                                    // "comm (pid N) 1.23 cores; ..."
inline constexpr std::string_view noise_busy = "noise_busy";  // "true" | "false"
inline constexpr std::string_view noise_busy_reasons = "noise_busy_reasons";  // "" when quiet

// Static facts.
inline constexpr std::string_view machine_cores = "machine_cores";  // CPUs this process may use
inline constexpr std::string_view machine_cpu_governor = "machine_cpu_governor";
inline constexpr std::string_view machine_cpu_freq_mhz = "machine_cpu_freq_mhz";
inline constexpr std::string_view machine_aslr = "machine_aslr";  // "2 (full)"
inline constexpr std::string_view machine_swap_used_kib = "machine_swap_used_kib";

// Every key above, in the order the report may print them.
inline constexpr std::array all = {calibration_page_fault_ns,
                                   calibration_syscall_ns,
                                   calibration_thread_create_join_ns,
                                   calibration_context_switch_ns,
                                   calibration_virtualization,
                                   noise_interval_s,
                                   noise_steal_pct,
                                   noise_iowait_pct,
                                   noise_load_before,
                                   noise_load_after,
                                   noise_others_cores,
                                   noise_top_processes,
                                   noise_busy,
                                   noise_busy_reasons,
                                   machine_cores,
                                   machine_cpu_governor,
                                   machine_cpu_freq_mhz,
                                   machine_aslr,
                                   machine_swap_used_kib};
}  // namespace keys

// ---- Calibration (item 6) ----

// Each probe takes a few to a few tens of milliseconds and returns the median over repetitions, in
// nanoseconds, or nullopt when its setup failed (mmap, pipe, a thread refused).
std::optional<double> probe_page_fault_ns();  // first touch of fresh anonymous memory, per page
std::optional<double> probe_syscall_ns();     // syscall(SYS_getppid), which glibc does not cache
std::optional<double> probe_thread_create_join_ns();  // std::thread + join
std::optional<double> probe_context_switch_ns();  // two threads on one CPU, ping-pong over pipes

// "KVM (hypervisor flag; cpuid: KVMKVMKVM)", "virtual machine (dmi: QEMU Standard PC)", or
// "none seen".
std::string detect_virtualization();

struct calibration {
  std::optional<double> page_fault_ns;
  std::optional<double> syscall_ns;
  std::optional<double> thread_create_join_ns;
  std::optional<double> context_switch_ns;
  std::string virtualization;
};
calibration calibrate();  // all probes, well under a second in all

// The noise floor: a fixed loop (sums over a buffer that stays in the caches), sized
// on its first run to about target_s and the same from then on, timed once per round of the
// bench. The machine alone varies its time; a cell that varies no more than it is as precise as
// the machine allows.
class noise_floor_loop {
 public:
  explicit noise_floor_loop(double target_s = 0.2) : target_s_(target_s) {}
  double run();                  // seconds of its passes (the buffer's first touch untimed)
  std::string describe() const;  // "1900 passes summing 1 MiB, cache-resident (about 0.2 s)"

 private:
  double target_s_;
  std::size_t passes_ = 0;
};

// ---- Noise (item 4) ----

// The aggregate "cpu" line of /proc/stat, in clock ticks (guest time is already inside user).
struct cpu_ticks {
  std::uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0,
                steal = 0;
  std::uint64_t total() const {
    return user + nice + system + idle + iowait + irq + softirq + steal;
  }
};
// Finds the aggregate line in /proc/stat's text (or takes the line itself).
std::optional<cpu_ticks> parse_cpu_line(std::string_view proc_stat_text);

// One /proc/[pid]/stat line. cpu_ticks = utime + stime + cutime + cstime: a process's own time
// and that of the children it has reaped, so a build's short-lived compilers count (for `make`).
struct process_ticks {
  pid_t pid = 0;
  pid_t ppid = 0;
  std::string comm;
  std::uint64_t start_ticks = 0;  // since boot: tells a reused pid apart
  std::uint64_t cpu_ticks = 0;
};
// comm is everything between the first '(' and the last ')', so "(tmux: server)" and "(a) b)"
// parse.
std::optional<process_ticks> parse_process_stat(std::string_view line);

// The 1-minute load average, the first field of /proc/loadavg.
std::optional<double> parse_load1(std::string_view loadavg_text);

struct snapshot {
  double taken_at_s = 0;  // steady clock
  std::optional<double> load1;
  std::optional<cpu_ticks> cpu;
  std::vector<process_ticks> processes;  // every process whose stat could be read
  long ticks_per_second = 100;           // sysconf(_SC_CLK_TCK)
  int cores = 1;                         // CPUs in this process's affinity mask
};
snapshot take();

struct busy_process {
  pid_t pid = 0;
  std::string comm;
  double cores = 0;  // average over the interval
};

struct thresholds {
  double others_cores_per_core = 0.3;  // other processes' average CPU, per core we may use
  double steal_pct = 5;
  // The 1-minute load average at the start, per core: a hint only where nothing better was
  // recorded (old files). It is not a reason for `busy`: it counts what ran in the minute
  // before (scripts/bench's own build), while others_cores measures what ran beside us.
  double load_per_core = 0.3;
};

struct noise {
  double interval_s = 0;
  int cores = 1;
  std::optional<double> steal_pct, iowait_pct;  // of all CPU time in the interval
  std::optional<double> load_before, load_after;
  double others_cores = 0;           // every other process together
  std::vector<busy_process> others;  // each other process that used CPU, busiest first
  bool busy = false;
  std::vector<std::string> busy_reasons;

  std::vector<busy_process> top(std::size_t n = 3) const;
};

// "Other" means neither `self` nor a descendant of it (by ppid, in either snapshot): nginx or wrk
// started by the bench, and their workers, are ours. A daemon that re-parented itself to init
// cannot be told apart and counts as other. A process that exited in the interval is charged to the
// parent that reaped it (its time moves into the parent's cutime); what it had used before the
// first snapshot is subtracted from that parent.
noise between(const snapshot& before, const snapshot& after, pid_t self,
              const thresholds& limits = {});

struct facts {
  int cores = 1;
  std::string cpu_governor;  // "performance", "ondemand, performance" (distinct values), ...
  std::string cpu_freq_mhz;  // "2600, 2600" (scaling_cur_freq per CPU), or /proc/cpuinfo's
  std::string aslr;          // "2 (full)"
  std::string swap_used_kib;
};
facts read_facts();

key_values to_key_values(const calibration& c);
key_values to_key_values(const noise& n);
key_values to_key_values(const facts& f);

}  // namespace concur::machine
