#include "baselines/python/script.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "baselines/python/counterparts.hpp"
#include "baselines/python/interpreter.hpp"

namespace concur::python {
namespace {

const std::filesystem::path scripts_dir = CONCUR_PYTHON_BASELINES_DIR;

std::string unavailable(const std::string& file) {
  if (::access(interpreter_path, X_OK) != 0)
    return fmt::format("{} is not installed (Debian package python3)", interpreter_path);
  if (!std::filesystem::exists(scripts_dir / file))
    return fmt::format("{} is missing", (scripts_dir / file).string());
  return "";
}

std::string settings_of(std::string_view cell) {
  const std::string python = fmt::format("Debian's {}", interpreter_path);
  if (cell == "py-sequential") return python + ", one task after another";
  if (cell == "py-threads") return python + ", a threading.Thread per task";
  if (cell == "py-executor")
    return python +
           ", asyncio loop + run_in_executor(None, ...) on a ThreadPoolExecutor "
           "of the executor model's pool size";
  if (cell == "py-processes")
    return python +
           ", asyncio loop + run_in_executor on a ProcessPoolExecutor (fork) of the processes "
           "model's worker count; CPU and peak RSS count the workers";
  return python + ", asyncio.create_task + gather on one thread";
}

// The last lines of what the script wrote besides JSON (a traceback), for an error message.
std::string tail(const std::vector<std::string>& other, std::size_t n = 12) {
  std::string out;
  for (std::size_t i = other.size() > n ? other.size() - n : 0; i < other.size(); ++i)
    out += "\n  " + other[i];
  return out;
}

struct lines {
  std::vector<json> answer;
  std::optional<json> timing, refused, failed;
  std::vector<std::string> other;  // not JSON: the script's stderr
};

lines split(const std::vector<std::string>& text) {
  lines out;
  for (const std::string& line : text) {
    if (line.empty()) continue;
    json j =
        line.front() == '{' ? json::parse(line, nullptr, false) : json(json::value_t::discarded);
    if (j.is_discarded() || !j.is_object())
      out.other.push_back(line);
    else if (j.contains("timing"))
      out.timing = std::move(j["timing"]);
    else if (j.contains("refused"))
      out.refused = std::move(j["refused"]);
    else if (j.contains("failed"))
      out.failed = std::move(j["failed"]);
    else
      out.answer.push_back(std::move(j));
  }
  return out;
}

// The test hooks, as this process's environment has them now (null: unset): the kept interpreter
// has the environment of its start, and a test sets a hook around one cell.
json hooks() {
  json env = json::object();
  for (const char* name :
       {"CONCUR_PY_WRONG_ANSWER", "CONCUR_PY_REFUSED", "CONCUR_PY_KILL_WORKER"}) {
    const char* value = std::getenv(name);
    env[name] = value ? json(wire_string(value)) : json(nullptr);
  }
  return env;
}

// A request to the kept interpreter (harness.py, --serve): the arguments as bytes on the wire.
std::string request(const std::vector<std::string>& argv) {
  json wire = json::array();
  for (const auto& a : argv) wire.push_back(wire_string(a));
  return json{{"argv", std::move(wire)}, {"env", hooks()}}.dump();
}

script_run read_timing(const json& t) {
  script_run r;
  r.seconds = field(t, "seconds").get<double>();
  r.cpu_seconds = field(t, "cpu_seconds").get<double>();
  if (const auto& g = field(t, "peak_rss_growth"); !g.is_null())
    r.peak_rss_growth = g.get<double>();
  for (const auto& [key, value] : field(t, "measured").items())
    r.measured.emplace_back(key, value.get<double>());
  return r;
}

}  // namespace

std::vector<baseline> script_baselines(const script& s) {
  std::vector<baseline> out;
  const std::string why = unavailable(s.file);
  for (const auto& c : counterparts) {
    baseline b{.name = std::string(c.cell), .unavailable = why, .settings = settings_of(c.cell)};
    b.script = [s, model = std::string(c.cell)](const models::config& config, double timeout_s) {
      return run_script(s, model, config, timeout_s);
    };
    b.counterpart = std::string(c.model);
    if (s.seconds_per_item) b.seconds_per_item = s.seconds_per_item(c.cell);
    out.push_back(std::move(b));
  }
  return out;
}

script_run run_script(const script& s, std::string_view model, const models::config& config,
                      double timeout_s) {
  std::vector<std::string> argv{std::string(model), "--pool-threads",
                                std::to_string(config.pool_threads), "--worker-processes",
                                std::to_string(config.worker_processes)};
  for (auto& a : s.args()) argv.push_back(std::move(a));
  const std::string command = fmt::format("python3 {} {}", s.file, model);
  interpreter& python =
      kept_interpreter({interpreter_path, "-B",  // no __pycache__ written into the source tree
                        (scripts_dir / s.file).string(), "--serve"});
  const reply got = python.run(request(argv), timeout_s);
  const lines l = split(got.lines);
  if (got.timed_out)
    throw std::runtime_error(fmt::format(
        "{} was stopped after {:.0f} s (its interpreter, pid {}, killed with its run, pid {}){}",
        command, std::ceil(timeout_s), got.interpreter, got.run, tail(l.other)));
  if (got.interpreter_ended)
    throw std::runtime_error(fmt::format("{}: its interpreter (pid {}) ended with status {}{}",
                                         command, got.interpreter, *got.interpreter_ended,
                                         tail(l.other)));
  if (l.failed)  // a worker process died mid-run: the script names it
    throw std::runtime_error(
        fmt::format("{}: {}", command,
                    l.failed->is_string() ? l.failed->get<std::string>() : l.failed->dump()));
  if (got.status != 0)
    throw std::runtime_error(
        fmt::format("{} exited with status {}{}", command, got.status, tail(l.other)));
  if (l.refused)
    throw resource_exhausted(
        fmt::format("{}: {}", command,
                    l.refused->is_string() ? l.refused->get<std::string>() : l.refused->dump()));
  if (!l.timing)
    throw std::runtime_error(fmt::format("{} printed no timing line{}", command, tail(l.other)));
  try {
    script_run r = read_timing(*l.timing);
    r.process_seconds = got.startup_seconds + got.round_trip_seconds;
    r.interpreter_pid = got.interpreter;
    r.result = s.parse(l.answer);
    return r;
  } catch (const std::exception& e) {
    throw std::runtime_error(fmt::format("{} printed a malformed answer: {}", command, e.what()));
  }
}

std::string wire_string(const std::string& bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x80) {
      out += c;
    } else {  // U+0080..U+00FF in UTF-8
      out += static_cast<char>(0xc0 | (b >> 6));
      out += static_cast<char>(0x80 | (b & 0x3f));
    }
  }
  return out;
}

std::string wire_bytes(const std::string& utf8) {
  std::string out;
  out.reserve(utf8.size());
  for (std::size_t i = 0; i < utf8.size(); ++i) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if ((c & 0xfe) == 0xc2 && i + 1 < utf8.size()) {  // U+0080..U+00FF
      out += static_cast<char>(((c & 0x03) << 6) | (static_cast<unsigned char>(utf8[++i]) & 0x3f));
    } else {
      throw std::runtime_error("a path on the wire is not made of code points 0-255");
    }
  }
  return out;
}

const json& only_line(const std::vector<json>& lines) {
  if (lines.size() != 1)
    throw std::runtime_error(fmt::format("expected 1 answer line, got {}", lines.size()));
  return lines.front();
}

const json& field(const json& line, const char* key) {
  if (!line.is_object() || !line.contains(key))
    throw std::runtime_error(fmt::format("no \"{}\" in the answer line {:.200}", key, line.dump()));
  return line.at(key);
}

std::vector<std::uint64_t> u64s(const json& array) {
  return array.get<std::vector<std::uint64_t>>();
}

}  // namespace concur::python
