// concur tree DIR --seed S: a deterministic fixture tree for the directory search, with its
// summary and content hash (the same options give the same hash on any machine).
#include <fmt/format.h>

#include <cstdint>
#include <limits>
#include <memory>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "cli/top_level.hpp"
#include "workloads/dirsearch/tree.hpp"

namespace concur::cli {

// Entries a generated tree may have: 10 million, 50 times the bench's largest tree.
inline constexpr std::size_t max_tree_entries = 10'000'000;

void add_tree(CLI::App& app, int& exit_code) {
  auto* cmd =
      app.add_subcommand("tree", "generate a deterministic fixture tree for the directory search");
  struct args {
    std::string dir;
    dirsearch::tree_spec spec;
    bool plain = false;
  };
  auto a = std::make_shared<args>();
  cmd->add_option("DIR", a->dir, "where to create it (must not exist)")
      ->required()
      ->check(non_empty("the directory name"));
  cmd->add_option("--seed", a->spec.seed, "the seed: the same seed gives the same tree")
      ->check(whole_in<std::uint64_t>(0, std::numeric_limits<std::uint64_t>::max()))
      ->capture_default_str();
  cmd->add_option("--dirs", a->spec.dirs, "directories in each random part")
      ->check(whole_in<std::size_t>(0, max_tree_entries))
      ->capture_default_str();
  cmd->add_option("--files-per-dir", a->spec.files_per_dir, "files in each directory")
      ->check(whole_in<std::size_t>(0, max_tree_entries))
      ->capture_default_str();
  cmd->add_option("--depth", a->spec.depth, "how deep the random part goes")
      ->check(whole_in<std::size_t>(0, 1000))
      ->capture_default_str();
  cmd->add_option("--parts", a->spec.parts, "random parts: tree, tree2, ...")
      ->check(whole_in<std::size_t>(1, 1000))
      ->capture_default_str();
  cmd->add_option("--chain-depth", a->spec.chain_depth, "levels of chain/ (0: none)")
      ->check(whole_in<std::size_t>(0, 10'000))
      ->capture_default_str();
  cmd->add_option("--chain-name-length", a->spec.chain_name_length, "bytes per chain level")
      ->check(whole_in<std::size_t>(1, 255, "a file name's limit"))
      ->capture_default_str();
  cmd->add_flag("--plain", a->plain,
                "only the random parts: no links, odd names, chain or locked directory");
  cmd->callback([a, &exit_code] {
    a->spec.faults = !a->plain;
    // The options multiply: the tree as a whole is bounded too, before anything is made.
    if (const auto n = dirsearch::expected_entries(a->spec); n > max_tree_entries)
      throw usage_error(
          fmt::format("the tree would have {} entries, over the {} allowed", n, max_tree_entries));
    const auto s = dirsearch::generate_tree(a->dir, a->spec);
    fmt::print("{}: {} entries ({} dirs, {} files, {} links, {} other), {} bytes of contents\n",
               a->dir, s.entries(), s.dirs, s.files, s.symlinks, s.others, s.bytes);
    fmt::print("hash {:016x}\n", s.hash);
    exit_code = 0;
  });
}

}  // namespace concur::cli
