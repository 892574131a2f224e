#include "workloads/http/links.hpp"

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <unordered_set>

namespace concur::http {
namespace {

// libxml2's global state is set up once per process, before any parser (its thread-safety
// notes); after that each parser context is used by one thread at a time.
void init_libxml2_once() {
  static std::once_flag once;
  std::call_once(once, [] { xmlInitParser(); });
}

// Where libxml2's reports go: nowhere.
void ignore_report(void*, const char*, ...) {}

// Errors without a parser context (an encoding converter's, say) go to the thread's generic
// error handler, stderr by default: made silent on every thread that reads links.
void silence_this_thread() {
  thread_local const bool silenced = [] {
    xmlSetGenericErrorFunc(nullptr, &ignore_report);
    return true;
  }();
  (void)silenced;
}

bool is_named(const xmlChar* name, const char* want) {
  return std::strcmp(reinterpret_cast<const char*>(name), want) == 0;
}

}  // namespace

struct link_reader::impl {
  url page;
  std::vector<std::string> hrefs;  // as written (entities decoded), document order
  // With repeats dropped, the hrefs read so far up to their '#': a documentation page names the
  // same pages and sections of a page again and again (the Python docs' hrefs lead to a tenth as
  // many targets), and resolving each (Boost.URL) was a sixth of a crawl's CPU.
  std::optional<std::unordered_set<std::string>> seen;
  std::optional<std::string> base;
  htmlParserCtxtPtr parser = nullptr;
  // The end of what came from its last '<' when no '>' follows it, or its trailing dashes: held
  // until a '>' comes. libxml2 2.9's push parser misreads a tag or a comment's end cut in two
  // ("</scr" + "ipt>", "--" + ">": the script or comment then runs to the end of the page, and
  // links after it are seen only when the page ends, or never). What is held at the end of the
  // page is a tag the end cut short: no tag in HTML5, and no link.
  std::string held;

  impl(url p, repeats r) : page(std::move(p)) {
    if (r == repeats::dropped) seen.emplace();
    init_libxml2_once();
    silence_this_thread();
    htmlSAXHandler sax{};
    sax.startElement = &impl::on_start;
    // Reports of the parser's own: a silent handler each, so that none reaches stderr.
    sax.warning = &ignore_report;
    sax.error = &ignore_report;
    sax.fatalError = &ignore_report;
    // UTF-8 whatever the page's <meta charset> says, as gumbo and a client reading bytes do.
    parser = htmlCreatePushParserCtxt(&sax, this, nullptr, 0, nullptr, XML_CHAR_ENCODING_UTF8);
    if (!parser) throw std::bad_alloc();
    // No network, no DTD, no encoding switch. (Implied <html> and <body> stay: without them
    // content after a first top-level element is "extra content" and the page ends there.)
    htmlCtxtUseOptions(parser, HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
                                   HTML_PARSE_NOWARNING | HTML_PARSE_NODEFDTD |
                                   HTML_PARSE_IGNORE_ENC);
  }
  ~impl() { htmlFreeParserCtxt(parser); }
  impl(const impl&) = delete;
  impl& operator=(const impl&) = delete;

  // Names reach here in lower case; attributes as name, value pairs (a value may be null).
  static void on_start(void* self, const xmlChar* name, const xmlChar** attributes) {
    if (!attributes) return;
    const bool link = is_named(name, "a") || is_named(name, "area");
    if (!link && !is_named(name, "base")) return;
    for (; attributes[0]; attributes += 2) {
      if (!is_named(attributes[0], "href") || !attributes[1]) continue;
      auto& me = *static_cast<impl*>(self);
      std::string href(reinterpret_cast<const char*>(attributes[1]));
      if (link && me.repeated(href)) return;
      if (link)
        me.hrefs.push_back(std::move(href));
      else if (!me.base)
        me.base = std::move(href);
      return;  // the first href of the tag counts, as in HTML5
    }
  }

  bool repeated(std::string_view href) {
    return seen && !seen->emplace(href.substr(0, href.find('#'))).second;
  }

  void feed(std::string_view piece) {
    if (!held.empty()) {
      held.append(piece);  // amortised: a long tag arriving in many pieces is not copied again
      if (piece.find('>') == std::string_view::npos) return;
      std::string joined = std::move(held);
      held.clear();
      return release(joined);
    }
    release(piece);
  }

  void finish() { push({}, true); }

  // Parses all of `piece` but its unfinished end, which is held.
  void release(std::string_view piece) {
    const std::size_t keep = unfinished_tail(piece);
    push(piece.substr(0, piece.size() - keep), false);
    held.assign(piece.substr(piece.size() - keep));
  }

  static std::size_t unfinished_tail(std::string_view piece) {
    const std::size_t lt = piece.find_last_of('<');
    if (lt != std::string_view::npos && piece.find('>', lt) == std::string_view::npos)
      return piece.size() - lt;
    const std::size_t last = piece.find_last_not_of("-!");  // "--", "--!" before a '>'
    return last == std::string_view::npos ? piece.size() : piece.size() - 1 - last;
  }

  void push(std::string_view piece, bool last) {
    silence_this_thread();  // a reader may move between threads (a fiber that migrates)
    // htmlParseChunk takes an int: a piece past 1 GiB goes in several.
    constexpr std::size_t most = 1 << 30;
    do {
      const std::size_t n = std::min(piece.size(), most);
      htmlParseChunk(parser, piece.data(), static_cast<int>(n), last && n == piece.size());
      piece.remove_prefix(n);
    } while (!piece.empty());
  }
};

link_reader::link_reader(url page, repeats r) : impl_(std::make_unique<impl>(std::move(page), r)) {}
link_reader::~link_reader() = default;
link_reader::link_reader(link_reader&&) noexcept = default;
link_reader& link_reader::operator=(link_reader&&) noexcept = default;

void link_reader::feed(std::string_view piece) {
  if (!piece.empty()) impl_->feed(piece);
}

page_links link_reader::finish() {
  impl_->finish();
  auto out = resolve_hrefs(impl_->page, impl_->base, impl_->hrefs);
  impl_.reset();
  return out;
}

page_links resolve_hrefs(const url& page, const std::optional<std::string>& base,
                         const std::vector<std::string>& hrefs) {
  // The first <base href> sets the base of every link in the document, before it or after.
  std::optional<url> base_url;
  if (base) base_url = resolve_url(page, *base);
  const url& against = base_url ? *base_url : page;
  page_links out;
  out.links.reserve(hrefs.size());
  for (const auto& href : hrefs) {
    auto target = resolve_reference(against, href);
    if (target.to)
      out.links.push_back(std::move(*target.to));
    else if (target.bad)
      out.bad.push_back(std::move(target));
  }
  return out;
}

page_links extract_page_links(std::string_view html, const url& page) {
  link_reader reader(page);
  reader.feed(html);
  return reader.finish();
}

std::vector<url> extract_links(std::string_view html, const url& page) {
  return extract_page_links(html, page).links;
}

}  // namespace concur::http
