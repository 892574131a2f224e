#include "workloads/techniques/techniques.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "core/cpu_time.hpp"
#include "core/diff.hpp"

namespace concur::techniques {

std::vector<std::string> describe(const std::vector<outcome<int>>& outcomes) {
  std::vector<std::string> out;
  for (const auto& o : outcomes) {
    if (const int* v = std::get_if<int>(&o))
      out.push_back(std::to_string(*v));
    else
      out.push_back("error: " + error_message(std::get<std::exception_ptr>(o)));
  }
  return out;
}

double micros(clock::duration d) {
  return std::chrono::duration<double, std::micro>(d).count();
}

clock::duration thread_cpu_time() {
  return std::chrono::duration_cast<clock::duration>(
      std::chrono::duration<double>(cpu_time::of_clock(CLOCK_THREAD_CPUTIME_ID)));
}

void count_cancel(result& r, bool cancelled, clock::time_point request, clock::time_point ended) {
  const bool ran = ended != clock::time_point{};
  if (cancelled) ++r.cancelled;
  if (ran) ++r.cleaned_up;
  r.cancel_latency_us.push_back(micros((ran ? ended : clock::now()) - request));
}

void count_timeout(result& r, bool timed_out, clock::time_point deadline) {
  if (timed_out) ++r.timed_out;
  r.timeout_overshoot_us.push_back(micros(clock::now() - deadline));
}

void poll_clock::stop(result& r) const {
  r.poll_wall_ms = micros(clock::now() - start_) / 1000;
  r.poll_cpu_ms = micros(thread_cpu_time() - cpu_) / 1000;
}

std::vector<case_def<params>> workload::cases() {
  using std::chrono::milliseconds;
  return {
      {"r3", case_kind::test, {3, milliseconds(1), milliseconds(1), milliseconds(5)}},
      // Cancelled 2.5 ms in: off the 1 ms grid of tbb's cancellation checks, as a real cancel is.
      {"r100_2ms",
       case_kind::bench,
       {100, std::chrono::microseconds(2500), milliseconds(2), milliseconds(50)}},
  };
}

result workload::reference(const params& p) {
  result r{.cancelled = p.rounds,
           .cleaned_up = p.rounds,
           .timed_out = p.rounds,
           .polled = 1,
           .first_error = gather_error(1)};
  for (std::size_t i = 0; i < gather_tasks; ++i) r.collected.push_back(gather_described(i));
  return r;
}

double workload::ideal_seconds(const params& p, models::in_flight) {
  return std::chrono::duration<double>(p.rounds * (p.cancel_after + p.timeout) + p.poll_task)
      .count();
}

namespace {

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto rank = static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size()) + 0.999999);
  return v[std::clamp<std::size_t>(rank, 1, v.size()) - 1];
}

}  // namespace

concur::metrics workload::metrics(const result& r) {
  return {
      {std::string(figures::cancel_median_us), percentile(r.cancel_latency_us, 50)},
      {"cancel_worst_us", percentile(r.cancel_latency_us, 100)},
      {std::string(figures::timeout_overshoot_median_us), percentile(r.timeout_overshoot_us, 50)},
      {"timeout_overshoot_worst_us", percentile(r.timeout_overshoot_us, 100)},
      {"poll_cpu_ms", r.poll_cpu_ms},
      {"poll_cpu_share", r.poll_wall_ms > 0 ? r.poll_cpu_ms / r.poll_wall_ms : 0.0}};
}

std::string workload::describe_diff(const result& expected, const result& actual) {
  return diff{}
      .field("cancelled", expected.cancelled, actual.cancelled)
      .field("cleaned up", expected.cleaned_up, actual.cleaned_up)
      .field("timed out", expected.timed_out, actual.timed_out)
      .field("polled", expected.polled, actual.polled)
      .field("first error", expected.first_error, actual.first_error)
      .sequence("collected", expected.collected, actual.collected,
                [](const std::string& s) { return s; })
      .str();
}

}  // namespace concur::techniques
