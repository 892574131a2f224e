// report.md's contents line: a link to every level-2 heading, made from the markdown itself so that
// it lists the sections the report has, with the anchors GitHub gives them.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cctype>
#include <map>
#include <sstream>

#include "report/report_markdown.hpp"

namespace concur::report::detail {

std::string github_anchor(const std::string& heading) {
  std::string out;
  for (const char c : heading) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == ' ')
      out += '-';
    else if (std::isalnum(byte) || c == '-' || c == '_' || byte >= 0x80)
      out += static_cast<char>(std::tolower(byte));
  }
  return out;
}

std::string contents(const std::string& markdown) {
  std::vector<std::string> links;
  std::map<std::string, int> seen;  // an anchor met before gets "-1", "-2", ... as on GitHub
  std::istringstream in(markdown);
  bool fenced = false;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("```")) fenced = !fenced;
    if (fenced || !line.starts_with("## ")) continue;
    const std::string title = line.substr(3);
    std::string anchor = github_anchor(title);
    if (const int n = seen[anchor]++; n > 0) anchor += fmt::format("-{}", n);
    links.push_back(fmt::format("[{}](#{})", title, anchor));
  }
  if (links.empty()) return "";
  return fmt::format("Contents: {}\n\n", fmt::join(links, " · "));
}

}  // namespace concur::report::detail
