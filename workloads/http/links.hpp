#pragma once
// The links of an HTML page, found by an HTML5 parser (gumbo, in links.cpp) as a browser finds
// them. What counts as a link is in README.md.
#include <string_view>
#include <vector>

#include "net/url.hpp"

namespace concur::http {

// The `href` of every <a> and <area> in `html`, in document order, each resolved against the
// page's URL, or against its first <base href> (itself resolved against the page's URL), and
// normalised (url.hpp). Entities are decoded; comments, scripts and other tags' attributes are
// not links. References that give no http URL (mailto:, javascript:, https:, ...) are left out.
std::vector<url> extract_links(std::string_view html, const url& page);

// The same links, and the http references among the hrefs that name nothing a client can request
// (resolve_reference's `bad`), in document order.
struct page_links {
  std::vector<url> links;
  std::vector<reference_target> bad;
};
page_links extract_page_links(std::string_view html, const url& page);

}  // namespace concur::http
