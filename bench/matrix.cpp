#include "bench/matrix.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <memory>
#include <optional>

#include "baselines/python/baselines.hpp"
#include "baselines/python/counterparts.hpp"
#include "core/diff.hpp"
#include "core/process.hpp"

#include "workloads/workloads.hpp"

namespace concur::bench {
namespace {

// What the case's sequential result is audited against (W::audit_source), empty when nothing.
template <class W>
std::string audit_source_of(const typename W::params_type& p) {
  if constexpr (has_audit<W>) return std::string(W::audit_source(p));
  return "";
}

// What that source finds wrong with `r`; empty when it agrees (or there is none).
template <class W>
std::string audit_problems(const typename W::params_type& p, const typename W::result_type& r) {
  if constexpr (has_audit<W>) return W::audit(p, r);
  return "";
}

// The workload's reference result for the case, when it has one: an audited case has none (a
// real site's answer is known only by crawling it).
template <class W>
std::optional<typename W::result_type> reference_of(const typename W::params_type& p) {
  if constexpr (has_reference<W>)
    if (audit_source_of<W>(p).empty()) return W::reference(p);
  return std::nullopt;
}

// The expected result of one case: the sequential run when it fits the budget, else the
// workload's reference result. Computed once, on first use; the harness is single-threaded.
template <class W>
class oracle {
 public:
  using result_type = typename W::result_type;

  oracle(typename W::params_type params, models::config config, bool sequential_runs)
      : params_(std::move(params)), config_(config), sequential_runs_(sequential_runs) {}

  const result_type* get() {
    if (!result_ && error_.empty()) {
      try {
        if (sequential_runs_) {
          accept_sequential(W::run(models::sequential_model{}, params_, config_));
        } else if (const auto reference = reference_of<W>(params_)) {
          result_ = *reference;
          source_ = "reference";
        } else {
          error_ =
              "no oracle: the sequential cell is over budget and the case has no reference result";
        }
      } catch (const resource_exhausted& e) {
        // The OS refused the sequential model what the case needs (one process's descriptors):
        // a model that needs less still has the case's reference to answer to.
        if (const auto reference = reference_of<W>(params_)) {
          result_ = *reference;
          source_ = "reference";
        } else {
          error_ = fmt::format("the oracle (sequential) was refused: {}", e.what());
        }
      } catch (const std::exception& e) {
        error_ = fmt::format("the oracle (sequential) failed: {}", e.what());
      }
    }
    return result_ ? &*result_ : nullptr;
  }

  // The sequential cell's own run is the oracle; saves running it twice.
  void adopt(const result_type& r) {
    if (!result_ && sequential_runs_) {
      result_ = r;
      source_ = "sequential";
    }
  }

  const typename W::params_type& params() const { return params_; }
  const std::string& source() const { return source_; }
  const std::string& error() const { return error_; }

 private:
  // A sequential run is the oracle only once it agrees with the workload's independent audit.
  void accept_sequential(result_type r) {
    if (const auto source = audit_source_of<W>(params_); !source.empty()) {
      if (auto problems = audit_problems<W>(params_, r); !problems.empty()) {
        error_ = fmt::format("the sequential result, the oracle, differs from {}:\n{}", source,
                             problems);
        return;
      }
    }
    result_ = std::move(r);
    source_ = "sequential";
  }

  typename W::params_type params_;
  models::config config_;
  bool sequential_runs_;
  std::optional<result_type> result_;
  std::string source_, error_;
};

template <class W>
verdict compare(const std::string& cell_name, const typename W::result_type& expected,
                const typename W::result_type& actual, const std::string& source) {
  if (expected == actual) return {verdict_kind::pass, "", source};
  return {verdict_kind::fail,
          fmt::format("{} differs from the {} result:\n{}", cell_name, source,
                      W::describe_diff(expected, actual)),
          source};
}

// Why a cell that could run does not: the case cannot run here, or it is over budget.
std::string skip_reason(const std::string& unavailable, double ideal_seconds, const options& opts) {
  if (!unavailable.empty()) return unavailable;
  if (ideal_seconds > opts.budget_seconds)
    return fmt::format("ideal time {:.1f} s exceeds the budget of {:g} s (--budget)", ideal_seconds,
                       opts.budget_seconds);
  return "";
}

// A cell verified by running it once and checking what the run returned.
std::function<verdict()> verify_by_running(const cell& out) {
  return verifier(out.skip_reason, out.prepare,
                  [run = out.run, check = out.check] { return check(run()); });
}

// A cell that cannot run at all (a model that declines the workload, a program not installed):
// every verdict is `unsupported`, with the reason.
cell& mark_unsupported(cell& out, std::string reason) {
  out.unsupported = std::move(reason);
  out.skip_reason = out.unsupported;
  out.verify = [reason = out.skip_reason] {
    return verdict{verdict_kind::unsupported, reason, ""};
  };
  out.run = []() -> std::any { throw std::logic_error("an unsupported cell was run"); };
  out.check = [reason = out.skip_reason](const std::any&) {
    return verdict{verdict_kind::unsupported, reason, ""};
  };
  out.metrics = [](const std::any&) { return concur::metrics{}; };
  return out;
}

// The case's minimum run when its workload computes (has_min_run_time), 0 for the run's; 0 too for
// a case with an untimed step, which would repeat with every iteration (a cache drop).
template <class W>
double min_run_seconds(const case_def<typename W::params_type>& c) {
  if constexpr (has_min_run_time<W>)
    if (!c.prepare) return W::min_run_seconds(c.params);
  return 0;
}

template <class W, class M>
cell make_cell(const case_def<typename W::params_type>& c, std::shared_ptr<oracle<W>> expected,
               const options& opts) {
  using result_type = typename W::result_type;
  const models::config config = c.config.value_or(opts.config);
  cell out{.workload = std::string(W::name),
           .model = std::string(M::name),
           .case_name = c.name,
           .kind = c.kind,
           .settings = M::settings(config),
           .ideal_seconds = W::ideal_seconds(c.params, in_flight_of<W, M>(config)),
           .items = W::items(c.params),
           .ladder = c.ladder,
           .min_run_s = min_run_seconds<W>(c)};
  if constexpr (declines<W, M>) {
    return mark_unsupported(out, std::string(W::unsupported(M{})));
  } else {
    out.skip_reason = skip_reason(c.unavailable, out.ideal_seconds, opts);
    out.prepare = c.prepare;
    const auto params = c.params;
    const auto name = out.name();
    auto check = [expected, name](const result_type& actual) -> verdict {
      if constexpr (std::is_same_v<M, models::sequential_model>) {
        if (const auto source = audit_source_of<W>(expected->params()); !source.empty()) {
          if (auto problems = audit_problems<W>(expected->params(), actual); !problems.empty())
            return {verdict_kind::fail,
                    fmt::format("{} differs from {}:\n{}", name, source, problems), source};
          expected->adopt(actual);
          return {verdict_kind::pass, "", source};
        }
        expected->adopt(actual);
        if (const auto reference = reference_of<W>(expected->params()))
          return compare<W>(name, *reference, actual, "reference");
      }
      const result_type* want = expected->get();
      if (!want) return {verdict_kind::fail, fmt::format("{}: {}", name, expected->error()), ""};
      return compare<W>(name, *want, actual, expected->source());
    };
    out.run = [params, config]() -> std::any { return W::run(M{}, params, config); };
    out.check = [check](const std::any& r) { return check(std::any_cast<const result_type&>(r)); };
    out.metrics = [](const std::any& r) {
      if constexpr (has_metrics<W>) return W::metrics(std::any_cast<const result_type&>(r));
      return concur::metrics{};
    };
    out.verify = verify_by_running(out);
    return out;
  }
}

// The expected time of a script cell for the budget: its counterpart's ideal time, plus the
// interpreter's own cost per item.
std::string script_skip_reason(const std::string& unavailable, double ideal_seconds, double items,
                               const baseline& b, const options& opts) {
  if (opts.python == python_cells::none) return "the course's Python is off (--no-python)";
  const double expected = ideal_seconds + items * b.seconds_per_item;
  if (!unavailable.empty() || ideal_seconds > opts.budget_seconds ||
      expected <= opts.budget_seconds)
    return skip_reason(unavailable, ideal_seconds, opts);
  return fmt::format(
      "expected time {:.1f} s (the ideal {:.1f} s and about {:.0f} µs per item of Python's own) "
      "exceeds the budget of {:g} s (--budget)",
      expected, ideal_seconds, b.seconds_per_item * 1e6, opts.budget_seconds);
}

// A script that prints its whole answer (the course's Python): verified like a model, its answer
// parsed into the workload's result and compared with the oracle; timed by its own account (the
// work, without the interpreter's start-up), with the whole process's time as a metric.
template <class W>
cell make_script_cell(const case_def<typename W::params_type>& c,
                      std::shared_ptr<oracle<W>> expected, const baseline& b, const options& opts) {
  using result_type = typename W::result_type;
  const models::config config = c.config.value_or(opts.config);
  cell out{.workload = std::string(W::name),
           .model = b.name,
           .case_name = c.name,
           .kind = c.kind,
           .settings = b.settings,
           .external = true,
           .counterpart = b.counterpart,
           .ideal_seconds = models::visit(
               b.counterpart,
               [&]<class M>() { return W::ideal_seconds(c.params, in_flight_of<W, M>(config)); }),
           .items = W::items(c.params),
           .ladder = c.ladder};
  out.metrics = [](const std::any&) { return concur::metrics{}; };
  if (!b.unavailable.empty()) return mark_unsupported(out, b.unavailable);
  out.skip_reason = script_skip_reason(c.unavailable, out.ideal_seconds, out.items, b, opts);
  out.prepare = c.prepare;
  // Killed well past its budget: a script that hangs must not hang the bench.
  const double timeout_s = 60 + 10 * (out.ideal_seconds + out.items * b.seconds_per_item);
  out.run = [run = b.script, config, timeout_s]() -> std::any { return run(config, timeout_s); };
  out.self_timed = [](const std::any& r) {
    const auto& run = std::any_cast<const script_run&>(r);
    return cell::self_time{run.seconds, run.cpu_seconds};
  };
  out.metrics = [items = out.items](const std::any& r) {
    const auto& run = std::any_cast<const script_run&>(r);
    concur::metrics m = run.measured;
    m.emplace_back(std::string(python::process_seconds), run.process_seconds);
    if (run.peak_rss_growth) {
      m.emplace_back(std::string(vocabulary::counters::peak_rss_growth), *run.peak_rss_growth);
      if (items > 0)
        m.emplace_back(std::string(vocabulary::counters::bytes_per_item),
                       *run.peak_rss_growth / items);
    }
    return m;
  };
  out.check = [expected, name = out.name()](const std::any& r) -> verdict {
    const result_type* want = expected->get();
    if (!want) return {verdict_kind::fail, fmt::format("{}: {}", name, expected->error()), ""};
    const auto& run = std::any_cast<const script_run&>(r);
    return compare<W>(name, *want, std::any_cast<const result_type&>(run.result),
                      expected->source());
  };
  out.verify = verify_by_running(out);
  return out;
}

bool exited_well(const baseline& b, int status) {
  return std::find(b.ok_statuses.begin(), b.ok_statuses.end(), status) != b.ok_statuses.end();
}

// A listed program's verification: the records its last run left against the oracle's, as sets.
template <class W>
verdict check_listing(oracle<W>& expected, const baseline& b, const std::string& name) {
  if constexpr (has_baseline_listing<W>) {
    const auto* want = expected.get();
    if (!want) return {verdict_kind::fail, fmt::format("{}: {}", name, expected.error()), ""};
    const std::string source = fmt::format("{} (its records)", expected.source());
    const auto problems = diff{}
                              .sorted_set("records", W::baseline_listing(*want), b.listing(),
                                          [](const std::string& s) { return s; })
                              .str();
    if (problems.empty()) return {verdict_kind::pass, "", source};
    return {verdict_kind::fail,
            fmt::format("{}'s records differ from the {} result's:\n{}", name, expected.source(),
                        problems),
            source};
  } else {
    return {verdict_kind::fail, fmt::format("{}: {} gives no listing to check", name, W::name), ""};
  }
}

// A counted program's verification: the records it prints against the count the oracle implies.
template <class W>
verdict check_record_count(oracle<W>& expected, const baseline& b, const std::string& name) {
  const auto* want = expected.get();
  if (!want) return {verdict_kind::fail, fmt::format("{}: {}", name, expected.error()), ""};
  const auto got = process::capture(b.count_argv());
  const auto records =
      static_cast<std::size_t>(std::count(got.out.begin(), got.out.end(), b.record_separator));
  const std::size_t wanted = static_cast<std::size_t>(W::baseline_records(*want)) + b.extra_records;
  if (!exited_well(b, got.status))
    return {verdict_kind::fail, fmt::format("{} exited with status {}", b.name, got.status), ""};
  if (records != wanted)
    return {verdict_kind::fail,
            fmt::format("{} printed {} records, the {} result implies {}", name, records,
                        expected.source(), wanted),
            ""};
  return {verdict_kind::pass, "", expected.source() + " (record count)"};
}

// A counted or listed program's memory: its peak resident set in one more run, untimed, after it
// passed verification (process::peak_rss_of says why not in its timed runs).
cell with_peak_rss(cell out, const baseline& b) {
  auto peak = std::make_shared<std::optional<double>>();
  out.verify = [verify = std::move(out.verify), b, peak] {
    verdict v = verify();
    if (v.kind == verdict_kind::pass) *peak = process::peak_rss_of(b.timed_argv(), b.ok_statuses);
    return v;
  };
  out.metrics = [peak](const std::any&) {
    concur::metrics m;
    if (*peak) m.emplace_back(std::string(vocabulary::counters::program_peak_rss), **peak);
    return m;
  };
  return out;
}

// An external program beside the models. A counted one is timed with its output discarded and
// verified by the count of records it prints against the oracle's (the answer itself stays the
// oracle's business); a listed one (wget) is timed the same way and each run verified by the
// records it left against the oracle's; a self-timed one (wrk) reports its own time and is
// verified by its own error counts.
template <class W>
cell make_baseline_cell(const case_def<typename W::params_type>& c,
                        std::shared_ptr<oracle<W>> expected, const baseline& b,
                        const options& opts) {
  if (b.script) return make_script_cell<W>(c, expected, b, opts);
  const models::config config = c.config.value_or(opts.config);
  cell out{
      .workload = std::string(W::name),
      .model = b.name,
      .case_name = c.name,
      .kind = c.kind,
      .settings = b.settings.empty() ? fmt::format("{}: {}", vocabulary::external_program, b.name)
                                     : b.settings,
      .external = true,
      .ideal_seconds = W::ideal_seconds(c.params, models::sequential_model::max_in_flight(config)),
      .items = W::items(c.params),
      .ladder = c.ladder,
      // As the models' on the case: find's and fd's single runs varied by 6-28 % (a self-timed
      // program, wrk, runs once for its own duration instead).
      .min_run_s = min_run_seconds<W>(c)};
  out.metrics = [](const std::any&) { return concur::metrics{}; };
  if (!b.unavailable.empty()) return mark_unsupported(out, b.unavailable);
  out.skip_reason = skip_reason(c.unavailable, out.ideal_seconds, opts);
  out.prepare = c.prepare;

  if (b.self_timed) {
    out.run = [run = b.self_timed]() -> std::any { return run(); };
    out.self_timed = [](const std::any& r) {
      const auto& run = std::any_cast<const baseline_run&>(r);
      return cell::self_time{run.seconds, run.cpu_seconds};
    };
    out.metrics = [](const std::any& r) { return std::any_cast<const baseline_run&>(r).measured; };
    const auto judge = [name = out.name()](const baseline_run& r) {
      if (!r.problem.empty())
        return verdict{verdict_kind::fail, fmt::format("{}: {}", name, r.problem), ""};
      return verdict{verdict_kind::pass, "", "its own error counts"};
    };
    out.check = [judge](const std::any& r) { return judge(std::any_cast<const baseline_run&>(r)); };
    out.verify = verify_by_running(out);
    return out;
  }

  out.run = [b]() -> std::any {
    if (const int status = process::run_quiet(b.timed_argv()); !exited_well(b, status))
      throw std::runtime_error(fmt::format("{} exited with status {}", b.name, status));
    return {};
  };
  if (b.listing) {
    // Its timed runs are checked too, each by the records it left.
    out.check = [expected, b, name = out.name()](const std::any&) {
      return check_listing(*expected, b, name);
    };
    out.verify = verify_by_running(out);
    return with_peak_rss(std::move(out), b);
  }
  out.check = [](const std::any&) { return verdict{verdict_kind::pass, "", "record count"}; };
  // The oracle is made before the preparation: its own run would undo it (warm a dropped cache).
  const auto oracle_then_prepare = [expected, prepare = c.prepare] {
    expected->get();
    if (prepare) prepare();
  };
  out.verify = verifier(out.skip_reason, oracle_then_prepare, [expected, b, name = out.name()] {
    return check_record_count(*expected, b, name);
  });
  return with_peak_rss(std::move(out), b);
}

// The default run times the course's Python on each workload's first bench case where it runs
// (within the budget): its cells are a Python program's work, ~35 s a round over every case. A
// small test case's (asked for with --all-cases) runs too.
void keep_to_first_python_case(std::vector<cell>& scripts, case_kind kind, const options& opts,
                               std::string& first) {
  if (opts.python != python_cells::first_case || kind == case_kind::test) return;
  const auto runs = [](const cell& c) { return c.skip_reason.empty() && c.unsupported.empty(); };
  if (scripts.empty() || std::none_of(scripts.begin(), scripts.end(), runs)) return;
  if (first.empty()) first = scripts.front().case_name;
  if (scripts.front().case_name == first) return;
  for (auto& c : scripts) {
    if (!runs(c)) continue;
    c.skip_reason = fmt::format(
        "the default run times the course's Python on each workload's first case where it runs "
        "(here {}); --python times it on every case (about 3 minutes more)",
        first);
    c.verify = verify_by_running(c);  // skipped in verification too
  }
}

}  // namespace

verdict verdict_of(const std::exception& e) {
  if (dynamic_cast<const resource_exhausted*>(&e)) return {verdict_kind::refused, e.what(), ""};
  if (dynamic_cast<const fixture_unavailable*>(&e)) return {verdict_kind::skipped, e.what(), ""};
  return {verdict_kind::fail, fmt::format("threw: {}", e.what()), ""};
}

std::function<verdict()> verifier(std::string skip_reason, std::function<void()> prepare,
                                  std::function<verdict()> attempt) {
  return [skip = std::move(skip_reason), prepare = std::move(prepare),
          attempt = std::move(attempt)]() -> verdict {
    if (!skip.empty()) return {verdict_kind::skipped, skip, ""};
    try {
      if (prepare) prepare();
      return attempt();
    } catch (const std::exception& e) {
      return verdict_of(e);
    }
  };
}

std::vector<cell> make_cells(const options& opts) {
  std::vector<cell> cells;
  for_each_type(workloads::all{}, [&]<class W>() {
    std::string first_python_case;  // the workload's first bench case whose Python runs
    for (const auto& c : W::cases()) {
      if (std::find(opts.kinds.begin(), opts.kinds.end(), c.kind) == opts.kinds.end()) continue;
      const models::config config = c.config.value_or(opts.config);
      const bool sequential_runs =
          W::ideal_seconds(c.params, models::sequential_model::max_in_flight(config)) <=
          opts.budget_seconds;
      auto expected = std::make_shared<oracle<W>>(c.params, config, sequential_runs);
      for_each_type(models::all{}, [&]<class M>() {
        static_assert(runs_in<W, M> || declines<W, M>,
                      "a workload must implement every model, or decline it with W::unsupported(M) "
                      "and a reason");
        cells.push_back(make_cell<W, M>(c, expected, opts));
      });
      // The programs beside the models: the workload's own (find, fd, wrk), then the course's
      // Python where baselines/python has a script for the workload's params.
      if constexpr (has_baselines<W>)
        for (const auto& b : W::baselines(c.params))
          cells.push_back(make_baseline_cell<W>(c, expected, b, opts));
      if constexpr (python::has_baselines<typename W::params_type>) {
        std::vector<cell> scripts;
        for (const auto& b : python::baselines(c.params))
          scripts.push_back(make_script_cell<W>(c, expected, b, opts));
        keep_to_first_python_case(scripts, c.kind, opts, first_python_case);
        std::move(scripts.begin(), scripts.end(), std::back_inserter(cells));
      }
    }
  });
  return cells;
}

std::vector<std::pair<std::string, merit::declaration>> merit_declarations() {
  std::vector<std::pair<std::string, merit::declaration>> out;
  for_each_type(workloads::all{}, [&]<class W>() {
    static_assert(has_merit<W>, "a workload declares its figures of merit: W::merit()");
    out.emplace_back(std::string(W::name), W::merit());
  });
  return out;
}

}  // namespace concur::bench
