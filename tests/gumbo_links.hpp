#pragma once
// The links of a page as an HTML5 parser reads them (Google's gumbo, a full tree per page): the
// oracle the streaming extractor (workloads/http/links.hpp) is checked against. Tests only.
#include <gumbo.h>

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "workloads/http/links.hpp"

namespace concur::http::testing {

// The hrefs of every <a> and <area> in document order, and the first <base href>.
struct gumbo_hrefs {
  std::vector<std::string> hrefs;
  std::optional<std::string> base;
};

inline gumbo_hrefs gumbo_hrefs_of(std::string_view html) {
  const auto destroy = [](GumboOutput* o) { gumbo_destroy_output(&kGumboDefaultOptions, o); };
  const std::unique_ptr<GumboOutput, decltype(destroy)> doc(
      gumbo_parse_with_options(&kGumboDefaultOptions, html.data(), html.size()), destroy);
  gumbo_hrefs out;
  // Pre-order walk (document order) with an explicit stack: no recursion to overflow.
  std::vector<const GumboNode*> stack{doc->root};
  while (!stack.empty()) {
    const GumboNode* node = stack.back();
    stack.pop_back();
    if (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_TEMPLATE) continue;
    const GumboElement& e = node->v.element;
    const GumboAttribute* a = gumbo_get_attribute(&e.attributes, "href");
    if (a && (e.tag == GUMBO_TAG_A || e.tag == GUMBO_TAG_AREA)) out.hrefs.emplace_back(a->value);
    if (a && e.tag == GUMBO_TAG_BASE && !out.base) out.base = a->value;
    for (unsigned i = e.children.length; i-- > 0;)
      stack.push_back(static_cast<const GumboNode*>(e.children.data[i]));
  }
  return out;
}

// The page's links as extract_page_links gives them, with gumbo reading the hrefs.
inline page_links gumbo_page_links(std::string_view html, const url& page) {
  const auto [hrefs, base] = gumbo_hrefs_of(html);
  return resolve_hrefs(page, base, hrefs);
}

}  // namespace concur::http::testing
