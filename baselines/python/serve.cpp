// serve.py beside the serve models: the course's servers (http.server's ThreadingHTTPServer,
// aiohttp's web server) under the models' load, verified and measured as they are
// (serve::measure); their time is the run's own, as a model's.
#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>

#include "baselines/python/baselines.hpp"
#include "baselines/python/counterparts.hpp"
#include "baselines/python/script.hpp"
#include "core/cleanup.hpp"
#include "core/process.hpp"
#include "core/stopwatch.hpp"
#include "workloads/serve/server_process.hpp"

namespace concur::python {
namespace {

const std::filesystem::path script_path =
    std::filesystem::path(CONCUR_PYTHON_BASELINES_DIR) / "serve.py";

// Why a cell cannot run here; empty when it can.
std::string unavailable(std::string_view cell) {
  if (::access(interpreter_path, X_OK) != 0)
    return fmt::format("{} is not installed (Debian package python3)", interpreter_path);
  if (!std::filesystem::exists(script_path))
    return fmt::format("{} is missing", script_path.string());
  static const bool has_aiohttp =
      process::run_quiet({interpreter_path, "-c", "import aiohttp"}) == 0;
  if (cell == "py-asyncio" && !has_aiohttp)
    return "python3's aiohttp module is missing (Debian package python3-aiohttp)";
  return "";
}

// The site's export for the Python servers to read, one per site, kept for the process.
const std::string& exported(const http::site_spec& spec) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<cleanup::owned_temp_dir>> dirs;
  std::scoped_lock lock(mutex);
  auto& dir = dirs[spec.key()];
  if (!dir) {
    dir = std::make_unique<cleanup::owned_temp_dir>("concur-serve-py");
    http::export_site(http::site(spec, "127.0.0.1", 0), dir->path());
  }
  return dir->path();
}

serve::site_server& python_server(const std::string& cell, const http::site_spec& spec) {
  const std::string root = exported(spec);
  return serve::spawned_server(fmt::format("{} ({})", cell, spec.key()),
                               [&](int listener, std::uint16_t, int counters) {
                                 return std::vector<std::string>{interpreter_path,
                                                                 script_path.string(),
                                                                 cell,
                                                                 "--listener",
                                                                 std::to_string(listener),
                                                                 "--counters",
                                                                 std::to_string(counters),
                                                                 "--root",
                                                                 root};
                               });
}

}  // namespace

std::vector<baseline> baselines(const serve::params& p) {
  const std::pair<const char*, const char*> cells[] = {
      {"py-threads", "http.server's ThreadingHTTPServer (a thread per connection)"},
      {"py-asyncio", "aiohttp's web server (one asyncio loop)"}};
  std::vector<baseline> out;
  for (const auto& [cell, server] : cells) {
    baseline b{.name = cell,
               .unavailable = unavailable(cell),
               .settings = fmt::format("Debian's {}, {}, the site's pages read into memory",
                                       interpreter_path, server),
               .counterpart = std::string(counterpart_of(cell)->model)};
    b.script = [p, cell = std::string(cell)](const models::config&, double) {
      auto& server = python_server(cell, p.site);
      const stopwatch took;
      const serve::result r = serve::measure(server, p, cell);
      return script_run{.result = r,
                        .seconds = took.seconds(),
                        .cpu_seconds = r.measured.server_cpu_seconds,
                        .measured = serve::workload::metrics(r)};
    };
    out.push_back(std::move(b));
  }
  return out;
}

}  // namespace concur::python
