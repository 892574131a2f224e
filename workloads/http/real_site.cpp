#include "workloads/http/real_site.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string_view>

#include "core/cleanup.hpp"
#include "core/process.hpp"
#include "core/vocabulary.hpp"
#include "net/url.hpp"

namespace concur::http {
namespace {

constexpr std::string_view wget_program = "wget";

// wget exits 8 when a server answered an error, as the sites' broken links do: its log counts.
constexpr int wget_server_error = 8;

std::optional<std::string> wget_binary() {
  return process::find_program(wget_program);
}

// Where wget's runs put their logs and, briefly, the pages they read: one directory for the
// process, removed when it ends.
const cleanup::owned_temp_dir& wget_scratch() {
  static const cleanup::owned_temp_dir dir("concur-wget");
  return dir;
}

// A file of wget's in the scratch directory: "pages", or a log.
std::string scratch(std::string_view name) {
  return wget_scratch().path() + "/" + std::string(name);
}

constexpr std::string_view oracle_log = "oracle.log";

}  // namespace

std::string unavailable(const real_site& s) {
  if (!net::nginx_server::binary())
    return "nginx is not installed (scripts/optional-packages: nginx-light)";
  if (!wget_binary())
    return "wget, the real site's oracle, is not installed (scripts/optional-packages: wget)";
  if (!std::filesystem::exists(s.directory + s.root_page))
    return fmt::format("{}{} is missing (scripts/optional-packages: {})", s.directory, s.root_page,
                       s.package);
  return "";
}

const net::nginx_server& shared_nginx(const real_site& s) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<net::nginx_server>> servers;
  std::scoped_lock lock(mutex);
  auto& slot = servers[s.directory];
  if (!slot)
    slot = std::make_unique<net::nginx_server>(net::nginx_server::existing_directory{s.directory});
  return *slot;
}

std::string root_url(const real_site& s) {
  return shared_nginx(s).url(s.root_page);
}

std::vector<std::string> wget_argv(const std::string& wget, const std::string& root,
                                   std::size_t depth, const std::string& prefix,
                                   const std::string& log) {
  return {wget,
          "--no-config",
          "--no-proxy",
          "--recursive",
          "--level=" + std::to_string(depth),
          "--spider",
          "--no-verbose",
          "-e",
          "robots=off",
          "--follow-tags=a,area",
          "--directory-prefix=" + prefix,
          "--output-file=" + log,
          root};
}

std::vector<std::string> urls_in_wget_log(const std::string& log) {
  std::ifstream in(log, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("cannot read wget's log {}", log));
  std::set<std::string> out;
  for (std::string line; std::getline(in, line);) {
    std::string text;
    if (const auto at = line.find(" URL:"); at != std::string::npos) {
      const auto start = line.find_first_not_of(' ', at + 5);
      if (start == std::string::npos) continue;
      text = line.substr(start, line.find(' ', start) - start);
    } else if (line.starts_with("http://") && line.ends_with(":")) {
      text = line.substr(0, line.size() - 1);
    }
    if (text.empty()) continue;
    const auto u = parse_url(text);
    out.insert(u ? u->str() : "unparsed: " + text);
  }
  return {out.begin(), out.end()};
}

const std::vector<std::string>& wget_urls(const real_site& s, std::size_t depth) {
  static std::mutex mutex;
  static std::map<std::pair<std::string, std::size_t>, std::vector<std::string>> runs;
  std::scoped_lock lock(mutex);
  const auto key = std::pair{s.directory + s.root_page, depth};
  if (const auto it = runs.find(key); it != runs.end()) return it->second;
  const auto wget = wget_binary();
  if (!wget) throw std::runtime_error(unavailable(s));
  const auto log = scratch(oracle_log);
  const int status =
      process::run_quiet(wget_argv(*wget, root_url(s), depth, scratch("pages"), log));
  if (status != 0 && status != wget_server_error)
    throw std::runtime_error(fmt::format("wget exited with status {}", status));
  return runs.emplace(key, urls_in_wget_log(log)).first->second;
}

std::string wget_timed_log() {
  return scratch("timed.log");
}

baseline wget_baseline(const real_site& s, std::size_t depth) {
  baseline b{.name = std::string(wget_program),
             .settings = fmt::format(
                 "{}: wget --recursive --level={} --spider --no-verbose -e robots=off "
                 "--follow-tags=a,area, a process per run (a HEAD, then a GET per HTML page)",
                 vocabulary::external_program, depth)};
  b.unavailable = unavailable(s);
  if (!b.unavailable.empty()) return b;
  b.timed_argv = [s, depth] {
    return wget_argv(*wget_binary(), root_url(s), depth, scratch("pages"), wget_timed_log());
  };
  b.listing = [] { return urls_in_wget_log(wget_timed_log()); };
  b.ok_statuses = {0, wget_server_error};
  return b;
}

}  // namespace concur::http
