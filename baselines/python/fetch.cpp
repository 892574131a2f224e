// fetch.py beside the fetch models: per URL its status, body length and hash or the error, and
// the work (requests sent, body bytes received).
#include <fmt/format.h>

#include "baselines/python/baselines.hpp"
#include "baselines/python/http_script.hpp"
#include "core/process.hpp"

namespace concur::python {
namespace {

// The modules the scripts import that Debian's python3 (the one script.cpp runs) cannot find,
// looked up once per process; both when the look-up itself fails.
std::string missing_modules() {
  static const std::string missing = [] {
    try {
      const auto got = process::capture(
          {interpreter_path, "-c",
           "import importlib.util as u\n"
           "print(' '.join(m for m in ('aiohttp', 'xxhash') if u.find_spec(m) is None))"});
      return got.status == 0 ? got.out : std::string("aiohttp xxhash");
    } catch (const std::exception&) {
      return std::string("aiohttp xxhash");
    }
  }();
  return missing;
}

// How each script's cell runs the requests (script.cpp's settings name tasks, not connections).
std::string settings_of(std::string_view cell) {
  const std::string python = fmt::format("Debian's {}, ", interpreter_path);
  if (cell == "py-sequential")
    return python + "one keep-alive http.client connection, one request after another";
  if (cell == "py-threads")
    return python + "C threading.Thread workers, each on its own keep-alive http.client connection";
  if (cell == "py-executor")
    return python +
           "asyncio loop + run_in_executor(None, ...) of blocking http.client GETs, at most C at "
           "once, on a ThreadPoolExecutor of the executor model's pool size (a connection per "
           "pool thread)";
  if (cell == "py-processes")
    return python +
           "asyncio loop + run_in_executor on a ProcessPoolExecutor (fork) of the processes "
           "model's worker count: a share of the URLs per worker, got there as py-asyncio gets "
           "them with its part of C (a crawl's pages parsed there too)";
  return python + "aiohttp ClientSession (TCPConnector(limit=C)), a task per URL + gather";
}

std::string unavailable_module(std::string_view cell) {
  const std::string missing = missing_modules();
  const auto lacks = [&](std::string_view m) { return missing.find(m) != std::string::npos; };
  if (lacks("xxhash")) return "python3's xxhash module is missing (Debian package python3-xxhash)";
  if ((cell == "py-asyncio" || cell == "py-processes") && lacks("aiohttp"))
    return "python3's aiohttp module is missing (Debian package python3-aiohttp)";
  return "";
}

http::page_result page_of(const json& row) {
  return {.url = row.at(0).get<std::string>(),
          .status = row.at(1).get<int>(),
          .body_bytes = row.at(2).get<std::size_t>(),
          .body_hash = row.at(3).get<std::uint64_t>(),
          .error = error_named(row.at(4).get<std::string>())};
}

}  // namespace

http::error_kind error_named(const std::string& name) {
  for (int k = 0; k <= static_cast<int>(http::error_kind::other); ++k)
    if (const auto e = static_cast<http::error_kind>(k); http::to_string(e) == name) return e;
  throw std::runtime_error(fmt::format("unknown error kind \"{}\"", name));
}

std::vector<baseline> http_script_baselines(const script& s) {
  auto out = script_baselines(s);
  for (auto& b : out) {
    b.settings = settings_of(b.name);
    if (b.unavailable.empty()) b.unavailable = unavailable_module(b.name);
  }
  return out;
}

std::vector<std::string> client_arguments(const http::client_options& c) {
  return {"--concurrency", std::to_string(c.concurrency), "--timeout-ms",
          std::to_string(c.timeout.count())};
}

std::vector<baseline> baselines(const http::fetch_params& p) {
  if (!p.python_baselines) return {};
  return http_script_baselines({
      .file = "fetch.py",
      .args =
          [p] {
            auto args = client_arguments(p.client);
            args.push_back("--");
            for (auto& u : http::fetch_urls(p).first) args.push_back(std::move(u));
            return args;
          },
      .parse = [](const std::vector<json>& lines) -> std::any {
        const json& a = only_line(lines);
        http::fetch_result r{.requests_sent = field(a, "requests_sent").get<std::size_t>(),
                             .bytes_received = field(a, "bytes_received").get<std::size_t>()};
        for (const auto& row : field(a, "pages")) r.pages.push_back(page_of(row));
        return r;
      },
      // Measured here (2 shared cores, 10,000 pages at C = 64): 110-200 µs of Python per
      // request, aiohttp the most.
      .seconds_per_item = [](std::string_view) { return 300e-6; },
  });
}

}  // namespace concur::python
