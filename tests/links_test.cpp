// URL parsing, RFC 3986 resolution and normalisation (url.hpp), and link extraction from HTML
// written with every common link form (links.hpp).
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "net/url.hpp"
#include "workloads/http/links.hpp"

namespace concur::http {
namespace {

std::string parsed(const char* text) {
  const auto u = parse_url(text);
  return u ? u->str() : "(none)";
}

TEST(url, parses_and_normalises_http_urls) {
  const auto u = parse_url("http://127.0.0.1:8080/page/3?x=1");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->target, "/page/3?x=1");
  EXPECT_EQ(u->authority(), "127.0.0.1:8080");
  EXPECT_EQ(parse_url("http://10.0.0.1")->target, "/");
  EXPECT_EQ(parse_url("http://10.0.0.1/")->port, 80);
  const auto v6 = parse_url("http://[::1]:8080/x");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->authority(), "[::1]:8080");
  EXPECT_EQ(v6->origin(), "http://[::1]:8080");
  EXPECT_EQ(v6->str(), "http://[::1]:8080/x");
  const std::pair<const char*, const char*> cases[] = {
      {"HTTP://LocalHost:8080/a/./b/../c?q#frag", "http://localhost:8080/a/c?q"},
      {"http://h:80/x", "http://h/x"},
      {"http://h:/x", "http://h/x"},
      {"http://h/a b.html", "http://h/a%20b.html"},
      {"  http://h/x\n", "http://h/x"},
      {"http://h/%7euser/%2f%41", "http://h/~user/%2FA"},
      {"http://h/100%", "http://h/100%25"},
      {"http://h/a\"<>|{}^`\\", "http://h/a%22%3C%3E%7C%7B%7D%5E%60%5C"},
      {"http://h/caf\xc3\xa9", "http://h/caf%C3%A9"},
      {"http://h/x?a=1&b=%7e", "http://h/x?a=1&b=~"},
  };
  for (const auto& [in, want] : cases) EXPECT_EQ(parsed(in), want) << in;
  for (const char* bad : {"https://127.0.0.1/", "http://127.0.0.1:0/", "http://127.0.0.1:99999/",
                          "http://1.2.3/", "http://1.2.3.256/", "ftp://x", "", "http://:80/",
                          "http:///x", "http://u:p@h/", "/x", "http:x", "http://[::1/"})
    EXPECT_EQ(parsed(bad), "(none)") << bad;
  for (const char* text : {"http://127.0.0.1:8080/a%20b?c", "http://[::1]/", "http://h/x?"})
    EXPECT_EQ(parsed(text), text) << "str() is parse_url's fixed point";
}

TEST(url, many_urls_normalise_as_each_would_alone) {
  const std::vector<std::string> urls{
      "http://h:8080/a",       "http://h:8080/b c", "http://h:8080/x/../y",
      "http://h:8080/%7e",     "http://H:8080/z",   "nonsense",
      "http://h:8080/q?x=/./", "http://h:8080/#f",  "http://h:8080/ok",
      "http://h:80/p",         "http://h/p",        "http://h:8080"};
  std::vector<std::string> want;
  for (const auto& u : urls) want.push_back(parse_url(u) ? parse_url(u)->str() : u);
  EXPECT_EQ(normalise_urls(urls).value_or(urls), want);
  EXPECT_FALSE(normalise_urls({"http://h:8080/a", "http://h:8080/b"}));  // normal already: no copy
}

// RFC 3986 section 5.4's examples, normal and abnormal, fragments dropped; "g:h" and "http:g"
// give no http URL to request.
TEST(url, resolves_the_rfc_3986_examples) {
  const auto base = parse_url("http://a/b/c/d;p?q");
  ASSERT_TRUE(base);
  const std::pair<const char*, const char*> cases[] = {
      {"g:h", "(none)"},
      {"g", "http://a/b/c/g"},
      {"./g", "http://a/b/c/g"},
      {"g/", "http://a/b/c/g/"},
      {"/g", "http://a/g"},
      {"//g", "http://g/"},
      {"?y", "http://a/b/c/d;p?y"},
      {"g?y", "http://a/b/c/g?y"},
      {"#s", "http://a/b/c/d;p?q"},
      {"g#s", "http://a/b/c/g"},
      {"g?y#s", "http://a/b/c/g?y"},
      {";x", "http://a/b/c/;x"},
      {"g;x", "http://a/b/c/g;x"},
      {"g;x?y#s", "http://a/b/c/g;x?y"},
      {"", "http://a/b/c/d;p?q"},
      {".", "http://a/b/c/"},
      {"./", "http://a/b/c/"},
      {"..", "http://a/b/"},
      {"../", "http://a/b/"},
      {"../g", "http://a/b/g"},
      {"../..", "http://a/"},
      {"../../", "http://a/"},
      {"../../g", "http://a/g"},
      {"../../../g", "http://a/g"},
      {"../../../../g", "http://a/g"},
      {"/./g", "http://a/g"},
      {"/../g", "http://a/g"},
      {"g.", "http://a/b/c/g."},
      {".g", "http://a/b/c/.g"},
      {"g..", "http://a/b/c/g.."},
      {"..g", "http://a/b/c/..g"},
      {"./../g", "http://a/b/g"},
      {"./g/.", "http://a/b/c/g/"},
      {"g/./h", "http://a/b/c/g/h"},
      {"g/../h", "http://a/b/c/h"},
      {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
      {"g;x=1/../y", "http://a/b/c/y"},
      {"g?y/./x", "http://a/b/c/g?y/./x"},
      {"g?y/../x", "http://a/b/c/g?y/../x"},
      {"g#s/./x", "http://a/b/c/g"},
      {"g#s/../x", "http://a/b/c/g"},
      {"http:g", "(none)"},
      {"http://x/p/../q/./r", "http://x/q/r"},
      {"HTTP://X:80/%7e%2f", "http://x/~%2F"},
      {"/plain/path?q=1#f", "http://a/plain/path?q=1"},
      {"//other/path", "http://other/path"},
      {"/a b", "http://a/a%20b"},
  };
  for (const auto& [ref, want] : cases) {
    const auto got = resolve_url(*base, ref);
    EXPECT_EQ(got ? got->str() : "(none)", want) << '"' << ref << '"';
  }
}

std::vector<std::string> links_of(const std::string& html, const char* page) {
  std::vector<std::string> out;
  for (const auto& u : extract_links(html, *parse_url(page))) out.push_back(u.str());
  return out;
}

TEST(links, every_common_link_form_as_a_browser_reads_it) {
  const std::string html = R"html(<!DOCTYPE html>
<HTML><HEAD><TITLE>forms</TITLE>
<link rel="stylesheet" href="style.css">
<script>document.write('<a href="/from-script">x</a>'); var s = "<a href='/in-script'>";</script>
</HEAD><BODY>
<!-- <a href="/in-comment">hidden</a> -->
<a href="s1/p2.html">relative</a>
<A HREF="../up.html">uppercase, parent</A>
<a href="?q=1">query</a>
<a href="#frag">fragment only</a>
<a href="p3.html#sec2">fragment</a>
<a href='single.html'>single-quoted</a>
<a href=unquoted.html>unquoted</a>
<a href="search?a=1&amp;b=2">entity</a>
<a href="/s1/../x">dot segments</a>
<a href="my page.html">space</a>
<a href=" padded.html ">padded</a>
<a href="http://other.example/x">off-host</a>
<a href="//127.0.0.1:9090/y">scheme-relative, another port</a>
<a href="javascript:void(0)">script</a>
<a href="mailto:someone@example.com">mail</a>
<a href="https://127.0.0.1/secure">https</a>
<a name="anchor">no href</a>
<map name="m"><area shape="rect" coords="0,0,1,1" href="area.html"></map>
<p>href="/in-prose" is text, not a link</p>
<img src="/img.png">
</BODY></HTML>
)html";
  const std::vector<std::string> want{
      "http://127.0.0.1:8080/dir/s1/p2.html",
      "http://127.0.0.1:8080/up.html",
      "http://127.0.0.1:8080/dir/page.html?q=1",
      "http://127.0.0.1:8080/dir/page.html",
      "http://127.0.0.1:8080/dir/p3.html",
      "http://127.0.0.1:8080/dir/single.html",
      "http://127.0.0.1:8080/dir/unquoted.html",
      "http://127.0.0.1:8080/dir/search?a=1&b=2",
      "http://127.0.0.1:8080/x",
      "http://127.0.0.1:8080/dir/my%20page.html",
      "http://127.0.0.1:8080/dir/padded.html",
      "http://other.example/x",
      "http://127.0.0.1:9090/y",
      "http://127.0.0.1:8080/dir/area.html",
  };
  EXPECT_EQ(links_of(html, "http://127.0.0.1:8080/dir/page.html"), want);
}

TEST(links, the_first_base_href_is_the_base_of_every_link) {
  const std::string html = R"(<html><head><base href="../other/"><base href="/ignored/"></head>
<body><a href="a.html">a</a><a href="/abs">abs</a><a href="?q">q</a></body></html>)";
  EXPECT_EQ(
      links_of(html, "http://127.0.0.1:8080/dir/page.html"),
      (std::vector<std::string>{"http://127.0.0.1:8080/other/a.html", "http://127.0.0.1:8080/abs",
                                "http://127.0.0.1:8080/other/?q"}));
}

TEST(links, malformed_html_is_parsed_as_browsers_do) {
  // Unclosed tags, a stray '<', an unterminated attribute at the end: no crash, the links a
  // browser would see, none from the broken tail.
  EXPECT_EQ(links_of("<p><a href=a.html>a<div><a href=\"b.html\">b < c <a href=\"c", "http://h/"),
            (std::vector<std::string>{"http://h/a.html", "http://h/b.html"}));
  EXPECT_TRUE(links_of("", "http://h/").empty());
  EXPECT_TRUE(links_of(std::string("\0\xff\xfe<a", 5), "http://h/").empty());
}

TEST(links, huge_and_hostile_pages_keep_their_links) {
  const std::vector<std::string> a_b{"http://h/a", "http://h/b"};
  // Text, an attribute and a comment past the parser's 10 MB limits of a node.
  const std::string text(12 << 20, 'x');
  EXPECT_EQ(links_of("<a href=a>" + text + "<a href=b>", "http://h/"), a_b);
  EXPECT_EQ(links_of("<a href=a><p title=\"" + text + "\"><a href=b>", "http://h/"), a_b);
  EXPECT_EQ(links_of("<a href=a><!--" + text + "--><a href=b>", "http://h/"), a_b);
  // Deep nesting, NULs and stray bytes among the tags.
  std::string deep;
  for (int i = 0; i < 100'000; ++i) deep += "<div>";
  EXPECT_EQ(links_of("<a href=a>" + deep + std::string("\0\xff<a href=b>", 13), "http://h/"), a_b);
  // Entities: numeric and named ones decoded, an unknown one kept as written; a DOCTYPE's
  // external DTD is not fetched (nothing is: no network).
  EXPECT_EQ(
      links_of(
          R"(<!DOCTYPE html SYSTEM "http://127.0.0.1:1/x.dtd"><a href="&#47;s&#x2F;x?a=1&amp;b=&lt;&unknown;">)",
          "http://h/"),
      (std::vector<std::string>{"http://h/s/x?a=1&b=%3C&unknown;"}));
}

TEST(links, pieces_of_any_size_give_the_links_of_the_whole) {
  const std::string html = R"(<html><head><base href="/b/"><script>var s = "<a href='x'>";</script>
</head><body><!-- <a href="c"> --><a href="one.html">1</a><A HREF='two.html'>2</A>
<area href=three.html><a href="fo&amp;ur">4</a></body></html>)";
  const url page = *parse_url("http://h/dir/p.html");
  const auto whole = extract_links(html, page);
  ASSERT_EQ(whole.size(), 4u);
  for (std::size_t piece = 1; piece <= html.size(); ++piece) {
    link_reader reader(page);
    for (std::size_t at = 0; at < html.size(); at += piece) reader.feed(html.substr(at, piece));
    const auto got = reader.finish().links;
    ASSERT_EQ(got.size(), whole.size()) << piece << "-byte pieces";
    for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i].str(), whole[i].str());
  }
}

// README.md's "Differences from an HTML5 parser", as they stand: a change here is a change to
// document there.
TEST(links, the_documented_differences_from_html5) {
  EXPECT_EQ(links_of("<title><a href=t></title><a href=ok>", "http://h/"),
            (std::vector<std::string>{"http://h/t", "http://h/ok"}));
  EXPECT_TRUE(links_of("<html><body></body></html><a href=x>", "http://h/").empty());
  EXPECT_TRUE(links_of("<!--><a href=c>", "http://h/").empty());
  EXPECT_EQ(links_of("<![CDATA[<a href=cd>]]>", "http://h/"),
            (std::vector<std::string>{"http://h/cd"}));
  EXPECT_EQ(links_of(R"(<a href="x&amp">)", "http://h/"),
            (std::vector<std::string>{"http://h/x&amp"}));
}

TEST(links, repeats_dropped_keep_each_target_once_in_order) {
  const std::string html = R"(<a href="a.html#one">a</a><a href="b.html">b</a><a href="a.html#two">
<a href="#top"><a href="a.html"><a href="#end"><area href="b.html"><a href="c.html">)";
  const url page = *parse_url("http://h/p.html");
  link_reader reader(page, link_reader::repeats::dropped);
  reader.feed(html);
  std::vector<std::string> got;
  for (const auto& u : reader.finish().links) got.push_back(u.str());
  EXPECT_EQ(got, (std::vector<std::string>{"http://h/a.html", "http://h/b.html", "http://h/p.html",
                                           "http://h/c.html"}));
  EXPECT_EQ(extract_links(html, page).size(), 8u) << "kept by default";
}

TEST(links, threads_read_pages_at_once_and_nothing_is_printed) {
  // Broken pages make the parser complain: every complaint is swallowed, on every thread.
  const std::string html =
      "<a href=a>&bogus; <zz:x/> </p></p> <a href=b <<>> \xff\xfe <![CDATA[ <a href=c></table>";
  const auto want = links_of(html, "http://h/");
  ::testing::internal::CaptureStderr();
  std::vector<std::vector<std::string>> got(4);
  {
    std::vector<std::jthread> threads;
    for (auto& g : got)
      threads.emplace_back([&] {
        for (int i = 0; i < 200; ++i) g = links_of(html, "http://h/");
      });
  }
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  for (const auto& g : got) EXPECT_EQ(g, want);
}

}  // namespace
}  // namespace concur::http
