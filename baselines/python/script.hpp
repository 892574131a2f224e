#pragma once
// Internal to baselines/python/*.cpp: running a script and reading its JSON lines.
#include <nlohmann/json.hpp>

#include <any>
#include <concepts>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/workload.hpp"
#include "models/models.hpp"

namespace concur::python {

using json = nlohmann::json;

// Debian's interpreter by its path: another python3 earlier in $PATH (pyenv, a venv) may lack
// the Debian packages the scripts use, or be another version.
inline constexpr const char* interpreter_path = "/usr/bin/python3";

// Makes the workload's result (in the any) from the script's answer lines.
using parse_answer = std::function<std::any(const std::vector<json>& lines)>;

struct script {
  std::string file;                                // "sleep.py", in baselines/python/
  std::function<std::vector<std::string>()> args;  // the case, at first use (fixtures)
  parse_answer parse;
  // The interpreter's own cost per item for a cell (see baseline::seconds_per_item); none: 0.
  std::function<double(std::string_view cell)> seconds_per_item = {};
};

// A script's arguments from flags and numbers: arguments("--tasks", 10, "--delay-ms", 1).
inline std::string argument(std::string_view flag) {
  return std::string(flag);
}
template <std::integral N>
std::string argument(N number) {
  return std::to_string(number);
}
template <class... Parts>
std::vector<std::string> arguments(const Parts&... parts) {
  return {argument(parts)...};
}

// A cell per Python model of the script, each unavailable with the reason when Debian's python3
// or the script is missing.
std::vector<baseline> script_baselines(const script& s);

// Runs `FILE MODEL --pool-threads N ARGS...` on the calling thread's kept interpreter of FILE
// (interpreter.hpp; killed after timeout_s) and reads its lines: the answer, then its timing;
// {"refused": ...} is resource_exhausted. Throws with what it wrote on any other failure.
script_run run_script(const script& s, std::string_view model, const models::config& config,
                      double timeout_s);

// A JSON string of code points 0-255 back into the bytes it stands for (paths need not be UTF-8).
std::string wire_bytes(const std::string& utf8);
// Bytes as such a string (UTF-8, a code point per byte): wire_bytes(wire_string(b)) == b.
std::string wire_string(const std::string& bytes);

// The one answer line of a script that answers in one.
const json& only_line(const std::vector<json>& lines);

// The field `key` of an answer line, with the line in the error when it is missing.
const json& field(const json& line, const char* key);
std::vector<std::uint64_t> u64s(const json& array);

}  // namespace concur::python
