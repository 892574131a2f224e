#include "workloads/http/links.hpp"

#include <gumbo.h>

#include <algorithm>
#include <cstddef>
#include <memory>
#include <memory_resource>
#include <optional>
#include <string>

namespace concur::http {
namespace {

const char* href_of(const GumboElement& e) {
  const GumboAttribute* a = gumbo_get_attribute(&e.attributes, "href");
  return a ? a->value : nullptr;
}

}  // namespace

page_links extract_page_links(std::string_view html, const url& page) {
  // gumbo allocates every token, node and attribute on its own: an arena released at once, with
  // nothing freed one by one, spared a quarter of its time on libxslt's documentation. Its garbage
  // grows to 10-20 times the page, so pages past arena_limit use malloc and free.
  constexpr std::size_t arena_limit = 1 << 20;
  std::pmr::monotonic_buffer_resource arena(4 * std::min(html.size(), arena_limit) + 4096);
  GumboOptions options = kGumboDefaultOptions;
  if (html.size() <= arena_limit) {
    options.userdata = &arena;
    options.allocator = [](void* a, std::size_t size) {
      return static_cast<std::pmr::memory_resource*>(a)->allocate(size, alignof(std::max_align_t));
    };
    options.deallocator = [](void*, void*) {};
  }
  const auto destroy = [&options](GumboOutput* o) { gumbo_destroy_output(&options, o); };
  const std::unique_ptr<GumboOutput, decltype(destroy)> doc(
      gumbo_parse_with_options(&options, html.data(), html.size()), destroy);
  // Pre-order walk (document order) with an explicit stack: no recursion depth to overflow on
  // deeply nested pages.
  std::vector<const char*> hrefs;
  const char* base = nullptr;
  std::vector<const GumboNode*> stack{doc->root};
  while (!stack.empty()) {
    const GumboNode* node = stack.back();
    stack.pop_back();
    if (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_TEMPLATE) continue;
    const GumboElement& e = node->v.element;
    const char* href = href_of(e);
    if (href && (e.tag == GUMBO_TAG_A || e.tag == GUMBO_TAG_AREA)) hrefs.push_back(href);
    if (href && e.tag == GUMBO_TAG_BASE && !base) base = href;
    for (unsigned i = e.children.length; i-- > 0;)
      stack.push_back(static_cast<const GumboNode*>(e.children.data[i]));
  }
  // The first <base href> sets the base of every link in the document, before it or after.
  std::optional<url> base_url;
  if (base) base_url = resolve_url(page, base);
  const url& against = base_url ? *base_url : page;
  page_links out;
  out.links.reserve(hrefs.size());
  for (const char* href : hrefs) {
    auto target = resolve_reference(against, href);
    if (target.to)
      out.links.push_back(std::move(*target.to));
    else if (target.bad)
      out.bad.push_back(std::move(target));
  }
  return out;
}

std::vector<url> extract_links(std::string_view html, const url& page) {
  return extract_page_links(html, page).links;
}

}  // namespace concur::http
