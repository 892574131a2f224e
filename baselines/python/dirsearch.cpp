// dirsearch.py beside the dirsearch models: a line per root with its entries, errors and work.
#include <algorithm>

#include "baselines/python/baselines.hpp"
#include "baselines/python/script.hpp"
#include "workloads/dirsearch/dirsearch.hpp"

namespace concur::python {
namespace {

dirsearch::entry_type type_named(const std::string& name) {
  using dirsearch::entry_type;
  for (const auto t : {entry_type::file, entry_type::dir, entry_type::symlink, entry_type::other})
    if (dirsearch::to_string(t) == name) return t;
  throw std::runtime_error("unknown entry type \"" + name + "\"");
}

dirsearch::root_result root_of(const json& line) {
  dirsearch::root_result r{.root = wire_bytes(field(line, "root").get<std::string>()),
                           .dirs_opened = field(line, "dirs_opened").get<std::size_t>(),
                           .entries_read = field(line, "entries_read").get<std::size_t>()};
  for (const auto& e : field(line, "entries"))
    r.entries.push_back({wire_bytes(e.at(0).get<std::string>()), type_named(e.at(1))});
  for (const auto& e : field(line, "errors"))
    r.errors.push_back({wire_bytes(e.at(0).get<std::string>()), e.at(1).get<int>(), e.at(2)});
  return r;
}

}  // namespace

// dirsearch.py lists without following links, as find and fd do beside it.
std::vector<baseline> baselines(const dirsearch::params& p) {
  if (!p.peers || p.opts.follow_symlinks) return {};
  return script_baselines({
      .file = "dirsearch.py",
      .args =
          [p] {
            std::vector<std::string> args{"--"};
            for (auto& r : dirsearch::resolve_roots(p)) args.push_back(r);
            return args;
          },
      .parse = [](const std::vector<json>& lines) -> std::any {
        dirsearch::result out;
        std::transform(lines.begin(), lines.end(), std::back_inserter(out.roots), root_of);
        return out;
      },
  });
}

}  // namespace concur::python
