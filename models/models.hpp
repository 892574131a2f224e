#pragma once
// The one list of models. A model here is a tag with its name, its settings and how many tasks it
// can have in flight; the machinery each model gives a workload lives in its own header.
#include <algorithm>
#include <concepts>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "core/type_list.hpp"

namespace concur::models {

// The settings and the bound on tasks in flight live in core/ (the contract speaks of them); the
// models' own names for them.
using config = concur::config;
using in_flight = concur::in_flight;

struct sequential_model {
  static constexpr std::string_view name = "sequential";
  static std::string settings(const config&) { return "1 thread, one task after another"; }
  static in_flight max_in_flight(const config&) { return 1; }
};

struct threads_model {
  static constexpr std::string_view name = "threads";
  static std::string settings(const config&);
  static in_flight max_in_flight(const config&) { return std::nullopt; }
};

struct executor_model {
  static constexpr std::string_view name = "executor";
  static std::string settings(const config& c);
  static in_flight max_in_flight(const config& c) { return c.pool_threads; }
};

struct coroutines_model {
  static constexpr std::string_view name = "coroutines";
  static std::string settings(const config&) { return "1 thread, Asio C++20 coroutines"; }
  static in_flight max_in_flight(const config&) { return std::nullopt; }
};

struct coroutines_mt_model {
  static constexpr std::string_view name = "coroutines_mt";
  static std::string settings(const config& c) {
    return std::to_string(c.worker_threads) +
           " threads, an io_context each, the work spread across them (one io_context shared by "
           "them took 1.4x the time and CPU on 1M sleeps: every handler locks it)";
  }
  static in_flight max_in_flight(const config&) { return std::nullopt; }
};

struct tbb_model {
  static constexpr std::string_view name = "tbb";
  static std::string settings(const config& c);
  static in_flight max_in_flight(const config& c) { return c.worker_threads; }
};

// Stackful coroutines (Boost.Context through asio::spawn) on one thread, written in blocking
// style; each fiber's stack is a fixedsize_stack of stack_bytes (models/fibers.hpp).
struct fibers_model {
  static constexpr std::string_view name = "fibers";
  static constexpr std::size_t stack_bytes = 64 * 1024;
  static std::string settings(const config& c);
  static in_flight max_in_flight(const config&) { return std::nullopt; }
};

// Prefork worker processes (models/processes.hpp), shared-nothing, at most worker_processes, each
// taking one job at a time on a coroutine loop of its own; the parent's loop hands the jobs out.
// No bound on tasks in flight within a worker's loop; a job that blocks holds its worker.
struct processes_model {
  static constexpr std::string_view name = "processes";
  static std::string settings(const config& c);
  static in_flight max_in_flight(const config&) { return std::nullopt; }
};

using all = type_list<sequential_model, threads_model, executor_model, coroutines_model,
                      coroutines_mt_model, tbb_model, fibers_model, processes_model>;

template <class M>
concept model = requires(const config& c) {
  { M::name } -> std::convertible_to<std::string_view>;
  { M::settings(c) } -> std::convertible_to<std::string>;
  { M::max_in_flight(c) } -> std::same_as<in_flight>;
};

// The waves N tasks that each wait once take with at most `limit` in flight: ceil(N / limit), or
// one wave with no bound. What a model's ideal time is made of.
inline double waves(std::size_t tasks, in_flight limit) {
  if (!limit) return 1.0;
  const std::size_t k = std::max<std::size_t>(1, *limit);
  return static_cast<double>((tasks + k - 1) / k);
}

// The names in the order of models::all, and as a help text ("a, b or c").
std::vector<std::string> names();
std::string names_text();

class unknown_model : public std::invalid_argument {
 public:
  explicit unknown_model(std::string_view name);
};

// Calls f.template operator()<M>() for the model named `name` and returns what it returns: how
// the command line runs a model chosen by name. Throws unknown_model for any other name.
template <class F>
auto visit(std::string_view name, F&& f) {
  std::optional<decltype(f.template operator()<sequential_model>())> out;
  for_each_type(all{}, [&]<class M>() {
    if (M::name == name) out.emplace(f.template operator()<M>());
  });
  if (!out) throw unknown_model(name);
  return std::move(*out);
}

}  // namespace concur::models
