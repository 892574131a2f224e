#pragma once
// The links of an HTML page, read by a streaming HTML tokenizer (libxml2's HTML push parser in
// SAX mode, in links.cpp): no document tree is built, and a page can be read piece by piece as it
// arrives. What counts as a link is in README.md.
#include <memory>
#include <optional>
#include <string>
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

// The links of hrefs read from a page, in their order: each resolved against the page's URL, or
// against `base` (the page's first <base href>, itself resolved against the page's URL).
page_links resolve_hrefs(const url& page, const std::optional<std::string>& base,
                         const std::vector<std::string>& hrefs);

// extract_page_links fed a piece at a time (a body as it streams in): it keeps the parser's state
// and the hrefs found so far, never the page. One per page; any thread, one at a time.
class link_reader {
 public:
  // Whether an href the page already gave (its fragment aside) is read again: it leads where
  // the first did, which a crawl follows once.
  enum class repeats { kept, dropped };
  explicit link_reader(url page, repeats r = repeats::kept);
  ~link_reader();
  link_reader(link_reader&&) noexcept;
  link_reader& operator=(link_reader&&) noexcept;

  void feed(std::string_view piece);
  // The page's links once its last piece is fed; the reader is spent.
  page_links finish();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace concur::http
