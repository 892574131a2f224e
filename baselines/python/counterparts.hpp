#pragma once
// The course's own Python beside the C++ models: each Python cell and the model it is set beside.
// The one place that pairs them: the bench's ideal times read it, and the bench writes each cell's
// counterpart into its label for the report (vocabulary::label::counterpart).
#include <array>
#include <optional>
#include <string_view>

#include "core/vocabulary.hpp"
#include "models/models.hpp"

namespace concur::python {

struct counterpart {
  std::string_view cell;      // the Python cell's name in the model column
  std::string_view model;     // the C++ model it is compared with (models.hpp)
  std::string_view function;  // the function of each script (baselines/python/*.py)
};

inline constexpr std::array<counterpart, 5> counterparts{{
    {"py-sequential", models::sequential_model::name, "py_sequential"},
    {"py-threads", models::threads_model::name, "py_threads"},
    {"py-executor", models::executor_model::name, "py_executor"},
    {"py-asyncio", models::coroutines_model::name, "py_asyncio"},
    {"py-processes", models::processes_model::name, "py_processes"},
}};

// The metric holding a script's whole-process time; the name is the report's too (vocabulary).
inline constexpr std::string_view process_seconds = vocabulary::counters::python_process_s;

inline std::optional<counterpart> counterpart_of(std::string_view cell) {
  for (const auto& c : counterparts)
    if (c.cell == cell) return c;
  return std::nullopt;
}

}  // namespace concur::python
