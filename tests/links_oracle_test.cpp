// The streaming extractor (links.hpp) against an HTML5 parser (gumbo) on every HTML page of real
// documentation trees nobody here wrote: the same links, in the same order, page by page, whole
// and fed in small pieces. Differences are allowed only where workloads/http/README.md lists them.
#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/gumbo_links.hpp"
#include "tests/support.hpp"
#include "workloads/http/links.hpp"

namespace concur::http {
namespace {

struct doc_tree {
  const char* package;  // the Debian package that installs it (scripts/optional-packages)
  const char* root;
};

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> strings_of(const page_links& p) {
  std::vector<std::string> out;
  for (const auto& u : p.links) out.push_back(u.str());
  for (const auto& b : p.bad) out.push_back("bad: " + b.text);
  return out;
}

// The page's links fed `piece` bytes at a time, as a body arrives from a socket.
page_links in_pieces(std::string_view html, const url& page, std::size_t piece) {
  link_reader reader(page);
  for (std::size_t at = 0; at < html.size(); at += piece) reader.feed(html.substr(at, piece));
  return reader.finish();
}

constexpr std::array<std::size_t, 4> piece_sizes{7, 97, 1460, 16384};

// Every *.html under the tree's root, the page's URL made of its path below the root.
void expect_gumbo_links(const doc_tree& tree) {
  if (concur::testing::built_with_tsan) GTEST_SKIP() << concur::testing::one_thread_under_tsan;
  if (!std::filesystem::exists(tree.root))
    GTEST_SKIP() << tree.root << " is missing (scripts/optional-packages: " << tree.package << ")";
  std::size_t pages = 0, links = 0, differing = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(
           tree.root, std::filesystem::directory_options::follow_directory_symlink)) {
    if (entry.path().extension() != ".html" || !entry.is_regular_file()) continue;
    const auto html = read_file(entry.path());
    const auto below = std::filesystem::relative(entry.path(), tree.root).generic_string();
    const auto page = parse_url("http://127.0.0.1:8080/" + below);
    ASSERT_TRUE(page) << below;
    const auto want = strings_of(testing::gumbo_page_links(html, *page));
    const auto got = strings_of(extract_page_links(html, *page));
    ++pages;
    links += want.size();
    if (got != want && ++differing <= 3)
      ADD_FAILURE() << tree.package << ": " << below << ": " << got.size() << " links, gumbo finds "
                    << want.size();
    // Pieces of a socket's sizes and smaller, cut anywhere (tiny ones only on smaller pages:
    // their cost grows with the page).
    const std::size_t piece = piece_sizes[pages % piece_sizes.size()];
    if (piece >= 97 || html.size() < 256 * 1024) {
      EXPECT_EQ(strings_of(in_pieces(html, *page, piece)), got)
          << below << " in " << piece << "-byte pieces";
    }
  }
  EXPECT_EQ(differing, 0u) << "of " << pages << " pages";
  EXPECT_GT(pages, 50u) << tree.root << " has too few pages to be the real tree";
  ::testing::Test::RecordProperty("pages", static_cast<int>(pages));
  ::testing::Test::RecordProperty("links", static_cast<int>(links));
}

TEST(links_oracle, python_docs_give_gumbos_links) {
  expect_gumbo_links({"python3.11-doc", "/usr/share/doc/python3.11/html"});
}

TEST(links_oracle, postgresql_docs_give_gumbos_links) {
  expect_gumbo_links({"postgresql-doc-15", "/usr/share/doc/postgresql-doc-15/html"});
}

TEST(links_oracle, libxslt_docs_give_gumbos_links) {
  expect_gumbo_links({"libxslt1-dev", "/usr/share/doc/libxslt1-dev/html"});
}

}  // namespace
}  // namespace concur::http
