#include "core/diff.hpp"

namespace concur {

std::string diff::str() const {
  std::string out;
  for (const auto& line : lines_) {
    if (!out.empty()) out += '\n';
    out += line;
  }
  return out;
}

}  // namespace concur
