// Machine calibration and noise detection: the probes on this machine, the /proc parsers on fixed
// lines, the busy verdict on constructed snapshots, and one real busy child seen between snapshots.
#include "core/machine.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <string>

#include "core/cpu_time.hpp"

namespace concur::machine {
namespace {

// ---- probes ----

void expect_between(const std::optional<double>& ns, double low, double high, const char* what) {
  ASSERT_TRUE(ns.has_value()) << what << " not measured";
  EXPECT_TRUE(std::isfinite(*ns)) << what;
  EXPECT_GT(*ns, low) << what;
  EXPECT_LT(*ns, high) << what;
  ::testing::Test::RecordProperty(what, std::to_string(*ns));
}

TEST(machine_probe, page_fault_costs_between_20_ns_and_1_ms) {
  expect_between(probe_page_fault_ns(), 20, 1e6, "page_fault_ns");
}

TEST(machine_probe, syscall_costs_between_10_ns_and_1_ms) {
  expect_between(probe_syscall_ns(), 10, 1e6, "syscall_ns");
}

TEST(machine_probe, thread_create_join_costs_between_1_us_and_100_ms) {
  expect_between(probe_thread_create_join_ns(), 1e3, 1e8, "thread_create_join_ns");
}

TEST(machine_probe, context_switch_costs_between_50_ns_and_10_ms) {
  expect_between(probe_context_switch_ns(), 50, 1e7, "context_switch_ns");
}

TEST(machine_probe, virtualization_says_something) {
  const std::string v = detect_virtualization();
  EXPECT_FALSE(v.empty());
  EXPECT_TRUE(v.rfind("none seen", 0) == 0 || v.find('(') != std::string::npos) << v;
}

TEST(machine_probe, calibration_key_values_use_the_documented_names) {
  const auto kv = to_key_values(calibration{12.5, std::nullopt, 3e4, 2e3, "KVM (hypervisor flag)"});
  ASSERT_EQ(kv.size(), 5u);
  EXPECT_EQ(kv[0], (std::pair<std::string, std::string>{"calibration_page_fault_ns", "12.5"}));
  EXPECT_EQ(kv[1].second, "not measured");
  EXPECT_EQ(kv[4].first, keys::calibration_virtualization);
  for (const auto& [key, value] : kv)
    EXPECT_NE(std::find(keys::all.begin(), keys::all.end(), key), keys::all.end()) << key;
}

// ---- parsers ----

TEST(machine_parse, aggregate_cpu_line_of_proc_stat) {
  const auto t = parse_cpu_line(
      "cpu  182284 3 23291 12054 352 7 85 114 0 0\n"
      "cpu0 91000 1 11000 6000 100 3 40 60 0 0\n"
      "intr 123 4 5\n");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->user, 182284u);
  EXPECT_EQ(t->nice, 3u);
  EXPECT_EQ(t->system, 23291u);
  EXPECT_EQ(t->idle, 12054u);
  EXPECT_EQ(t->iowait, 352u);
  EXPECT_EQ(t->irq, 7u);
  EXPECT_EQ(t->softirq, 85u);
  EXPECT_EQ(t->steal, 114u);
  EXPECT_EQ(t->total(), 182284u + 3 + 23291 + 12054 + 352 + 7 + 85 + 114);
}

TEST(machine_parse, cpu_line_found_after_other_lines_and_per_cpu_lines_are_not_taken) {
  EXPECT_EQ(parse_cpu_line("intr 1 2\ncpu 1 2 3 4\n")->idle, 4u);
  EXPECT_FALSE(parse_cpu_line("cpu0 1 2 3 4 5 6 7 8\n"));
  EXPECT_FALSE(parse_cpu_line("cpu 1 2 x 4\n"));
  EXPECT_FALSE(parse_cpu_line(""));
}

TEST(machine_parse, process_stat_with_spaces_and_parentheses_in_comm) {
  const auto p = parse_process_stat(
      "1234 (tmux: server) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 7 3 20 0 1 0 98765 "
      "1000 10 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->pid, 1234);
  EXPECT_EQ(p->ppid, 1);
  EXPECT_EQ(p->comm, "tmux: server");
  EXPECT_EQ(p->cpu_ticks, 250u + 50 + 7 + 3);  // utime + stime + cutime + cstime
  EXPECT_EQ(p->start_ticks, 98765u);

  const auto q =
      parse_process_stat("42 (a) b (c)) R 7 42 42 0 -1 0 0 0 0 0 1 2 3 4 20 0 1 0 555 0 0");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->comm, "a) b (c)");
  EXPECT_EQ(q->ppid, 7);
  EXPECT_EQ(q->cpu_ticks, 10u);
}

TEST(machine_parse, malformed_process_stat_is_rejected) {
  EXPECT_FALSE(parse_process_stat(""));
  EXPECT_FALSE(parse_process_stat("12 (x S 1"));
  EXPECT_FALSE(parse_process_stat("12 (x) S 1 2 3"));  // too short
  EXPECT_FALSE(parse_process_stat("12 (x) S z 1 1 0 -1 0 0 0 0 0 1 2 3 4 20 0 1 0 5"));  // ppid
}

TEST(machine_parse, load_average) {
  EXPECT_DOUBLE_EQ(*parse_load1("7.43 6.93 4.34 7/127 13539\n"), 7.43);
  EXPECT_FALSE(parse_load1(""));
}

// ---- the verdict on constructed snapshots: 2 cores, 100 ticks/s, 10 s apart ----

constexpr pid_t self = 100;

snapshot at(double t, cpu_ticks cpu, std::vector<process_ticks> processes, double load = 0.1) {
  snapshot s;
  s.taken_at_s = t;
  s.cpu = cpu;
  s.load1 = load;
  s.processes = std::move(processes);
  s.ticks_per_second = 100;
  s.cores = 2;
  return s;
}

process_ticks proc(pid_t pid, pid_t ppid, std::uint64_t ticks, std::string comm = "p") {
  return {pid, ppid, std::move(comm), /*start_ticks=*/5, ticks};
}

// 2000 ticks pass in all (2 cores x 10 s); `steal` of them stolen.
cpu_ticks later(cpu_ticks t, std::uint64_t busy, std::uint64_t steal = 0) {
  t.user += busy;
  t.steal += steal;
  t.idle += 2000 - busy - steal;
  return t;
}

const cpu_ticks start{1000, 0, 100, 9000, 10, 0, 5, 0};

TEST(machine_noise, quiet_machine_is_not_busy) {
  const auto n =
      between(at(0, start, {proc(self, 1, 500), proc(200, 1, 10, "sshd")}),
              at(10, later(start, 160), {proc(self, 1, 650), proc(200, 1, 20, "sshd")}), self);
  EXPECT_FALSE(n.busy);
  EXPECT_TRUE(n.busy_reasons.empty());
  EXPECT_DOUBLE_EQ(*n.steal_pct, 0);
  EXPECT_DOUBLE_EQ(n.interval_s, 10);
  ASSERT_EQ(n.others.size(), 1u);  // self is not listed
  EXPECT_EQ(n.others[0].pid, 200);
  EXPECT_NEAR(n.others[0].cores, 0.01, 1e-9);
}

TEST(machine_noise, steal_of_10_percent_is_busy_with_that_reason) {
  const auto n = between(at(0, start, {proc(self, 1, 0)}),
                         at(10, later(start, 100, 200), {proc(self, 1, 100)}), self);
  EXPECT_NEAR(*n.steal_pct, 10, 1e-9);
  EXPECT_TRUE(n.busy);
  ASSERT_EQ(n.busy_reasons.size(), 1u);
  EXPECT_NE(n.busy_reasons[0].find("steal 10.0 %"), std::string::npos) << n.busy_reasons[0];
}

TEST(machine_noise, another_process_burning_two_cores_is_busy_and_named_first) {
  const auto n = between(
      at(0, start, {proc(self, 1, 0), proc(300, 1, 0, "stress-ng-cpu"), proc(200, 1, 0, "sshd")}),
      at(10, later(start, 2000),
         {proc(self, 1, 10), proc(300, 1, 2000, "stress-ng-cpu"), proc(200, 1, 10, "sshd")}),
      self);
  EXPECT_TRUE(n.busy);
  EXPECT_NEAR(n.others_cores, 2.01, 1e-9);
  ASSERT_FALSE(n.top().empty());
  EXPECT_EQ(n.top()[0].pid, 300);
  ASSERT_EQ(n.busy_reasons.size(), 1u);
  EXPECT_NE(n.busy_reasons[0].find("other processes used 2.01 cores"), std::string::npos)
      << n.busy_reasons[0];
  const auto kv = to_key_values(n);
  const auto top = std::find_if(kv.begin(), kv.end(),
                                [](const auto& p) { return p.first == keys::noise_top_processes; });
  ASSERT_NE(top, kv.end());
  EXPECT_EQ(top->second, "stress-ng-cpu (pid 300) 2.00 cores; sshd (pid 200) 0.01 cores");
}

TEST(machine_noise, our_children_and_grandchildren_are_not_others) {
  const auto n = between(
      at(0, start, {proc(self, 1, 0), proc(300, self, 0, "nginx"), proc(301, 300, 0, "nginx")}),
      at(10, later(start, 2000),
         {proc(self, 1, 0), proc(300, self, 1000, "nginx"), proc(301, 300, 1000, "nginx"),
          proc(302, self, 500, "wrk")}),  // started during the interval
      self);
  EXPECT_FALSE(n.busy) << n.busy_reasons[0];
  EXPECT_TRUE(n.others.empty());
}

TEST(machine_noise, an_exited_child_is_charged_to_its_parent_for_the_interval_only) {
  // make had used 100 ticks; cc1plus had used 50 before the first snapshot and 600 in all, then
  // exited and was reaped: make's cutime grew by 600, of which 550 fell in the interval.
  const auto n = between(
      at(0, start, {proc(self, 1, 0), proc(400, 1, 100, "make"), proc(401, 400, 50, "cc1plus")}),
      at(10, later(start, 600), {proc(self, 1, 0), proc(400, 1, 700, "make")}), self);
  ASSERT_EQ(n.others.size(), 1u);
  EXPECT_EQ(n.others[0].comm, "make");
  EXPECT_NEAR(n.others[0].cores, 0.55, 1e-9);
}

TEST(machine_noise, a_chain_of_exited_processes_is_charged_to_the_first_living_ancestor) {
  // ninja -> g++ -> cc1plus. cc1plus had used 80 ticks before the first snapshot and 500 in all;
  // g++ 2 and 10. Both exited: ninja's cutime grew by 510, of which 428 fell in the interval.
  const auto n =
      between(at(0, start,
                 {proc(self, 1, 0), proc(600, 1, 1000, "ninja"), proc(601, 600, 2, "g++"),
                  proc(602, 601, 80, "cc1plus")}),
              at(10, later(start, 428), {proc(self, 1, 0), proc(600, 1, 1510, "ninja")}), self);
  ASSERT_EQ(n.others.size(), 1u);
  EXPECT_NEAR(n.others[0].cores, 0.428, 1e-9);
}

TEST(machine_noise, a_reused_pid_counts_from_zero) {
  auto reused = proc(500, 1, 300, "new");
  reused.start_ticks = 9;
  const auto n =
      between(at(0, start, {proc(500, 1, 1000, "old")}), at(10, later(start, 300), {reused}), self);
  ASSERT_EQ(n.others.size(), 1u);
  EXPECT_NEAR(n.others[0].cores, 0.3, 1e-9);
}

// The load average at the start counts what ran in the minute before (the build scripts/bench
// runs first): reported, but only what others did during the run makes it busy.
TEST(machine_noise, a_load_average_left_by_earlier_work_alone_is_not_busy) {
  const auto n =
      between(at(0, start, {}, /*load=*/1.5), at(10, later(start, 0), {}, /*load=*/0.2), self);
  EXPECT_FALSE(n.busy);
  EXPECT_TRUE(n.busy_reasons.empty());
  EXPECT_DOUBLE_EQ(*n.load_before, 1.5);
}

TEST(machine_noise, unreadable_files_give_not_readable_and_no_verdict_from_them) {
  snapshot before, after;
  after.taken_at_s = 1;
  const auto n = between(before, after, self);
  EXPECT_FALSE(n.busy);
  const auto kv = to_key_values(n);
  ASSERT_EQ(kv.size(), 9u);
  EXPECT_EQ(kv[1], (std::pair<std::string, std::string>{"noise_steal_pct", "not readable"}));
  EXPECT_EQ(kv[3].second, "not readable");  // load before
  EXPECT_EQ(kv[7].second, "false");
  for (const auto& [key, value] : kv)
    EXPECT_NE(std::find(keys::all.begin(), keys::all.end(), key), keys::all.end()) << key;
}

// ---- this machine ----

TEST(machine_real, take_reads_this_process) {
  const auto s = take();
  EXPECT_TRUE(s.cpu);
  EXPECT_TRUE(s.load1);
  EXPECT_GE(s.cores, 1);
  const auto me = std::find_if(s.processes.begin(), s.processes.end(),
                               [](const auto& p) { return p.pid == getpid(); });
  ASSERT_NE(me, s.processes.end());
  EXPECT_EQ(me->ppid, getppid());
}

TEST(machine_real, facts_are_filled) {
  const auto f = read_facts();
  EXPECT_GE(f.cores, 1);
  for (const auto& [key, value] : to_key_values(f)) EXPECT_FALSE(value.empty()) << key;
  EXPECT_TRUE(f.aslr == not_readable || std::isdigit(static_cast<unsigned char>(f.aslr[0])));
}

double now_s() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return cpu_time::seconds(t);
}

// A child spins for 0.5 s (bounded by the clock), says so on a pipe, and waits to be killed, so
// that it is still listed in the second snapshot. Returns its pid, or -1.
pid_t start_spinner(int& done_fd) {
  int fds[2];
  if (pipe(fds) != 0) return -1;
  const pid_t pid = fork();
  if (pid == 0) {  // only async-signal-safe calls from here
    close(fds[0]);
    const double until = now_s() + 0.5;
    while (now_s() < until) {
    }
    const char byte = 1;
    if (write(fds[1], &byte, 1) == 1) pause();
    _exit(0);
  }
  close(fds[1]);
  done_fd = fds[0];
  return pid;
}

TEST(machine_real, a_busy_child_between_two_snapshots_is_the_busiest_other_process) {
  const auto before = take();
  int done_fd = -1;
  const pid_t child = start_spinner(done_fd);
  ASSERT_GT(child, 0);
  pollfd ready{done_fd, POLLIN, 0};
  const bool spun = poll(&ready, 1, /*ms=*/10000) == 1;
  const auto after = take();
  kill(child, SIGKILL);
  rusage usage{};
  wait4(child, nullptr, 0, &usage);
  close(done_fd);
  ASSERT_TRUE(spun) << "the child did not finish spinning within 10 s";
  const double child_cpu_s = cpu_time::of_usage(usage);

  // As seen by someone else (no process is -1's descendant): the child is an other process.
  const auto n = between(before, after, /*self=*/-1);
  const auto it =
      std::find_if(n.others.begin(), n.others.end(), [&](const auto& p) { return p.pid == child; });
  ASSERT_NE(it, n.others.end()) << "the child is not listed";
  // Its charge matches the kernel's account within two ticks and 10 %.
  EXPECT_NEAR(it->cores * n.interval_s, child_cpu_s, 0.02 + 0.1 * child_cpu_s);
  EXPECT_GT(child_cpu_s, 0.05);
  // First, unless another process really used more (a compiler or a parallel test on a shared
  // machine): the list is ordered by CPU, and the child is in it where its CPU puts it.
  const auto rank = static_cast<std::size_t>(it - n.others.begin());
  for (std::size_t i = 0; i < rank; ++i) EXPECT_GE(n.others[i].cores, it->cores);
  RecordProperty("child_rank", static_cast<int>(rank));
  RecordProperty("top", to_key_values(n)[6].second);

  // As seen by this process: the child is ours, so not listed.
  const auto mine = between(before, after, getpid());
  EXPECT_TRUE(std::none_of(mine.others.begin(), mine.others.end(),
                           [&](const auto& p) { return p.pid == child || p.pid == getpid(); }));
}

}  // namespace
}  // namespace concur::machine
