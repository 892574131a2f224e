// concur tree DIR --seed S: a deterministic fixture tree for the directory search, with its
// summary and content hash (the same options give the same hash on any machine).
#include <fmt/format.h>

#include <memory>
#include <system_error>

#include "cli/commands.hpp"
#include "workloads/dirsearch/tree.hpp"

namespace concur::cli {

void add_tree(CLI::App& app, int& exit_code) {
  auto* cmd =
      app.add_subcommand("tree", "generate a deterministic fixture tree for the directory search");
  struct args {
    std::string dir;
    dirsearch::tree_spec spec;
    bool plain = false;
  };
  auto a = std::make_shared<args>();
  cmd->add_option("DIR", a->dir, "where to create it (must not exist)")->required();
  cmd->add_option("--seed", a->spec.seed, "the seed: the same seed gives the same tree")
      ->capture_default_str();
  cmd->add_option("--dirs", a->spec.dirs, "directories in each random part")->capture_default_str();
  cmd->add_option("--files-per-dir", a->spec.files_per_dir, "files in each directory")
      ->capture_default_str();
  cmd->add_option("--depth", a->spec.depth, "how deep the random part goes")->capture_default_str();
  cmd->add_option("--parts", a->spec.parts, "random parts: tree, tree2, ...")
      ->capture_default_str();
  cmd->add_option("--chain-depth", a->spec.chain_depth, "levels of chain/ (0: none)")
      ->capture_default_str();
  cmd->add_option("--chain-name-length", a->spec.chain_name_length, "bytes per chain level")
      ->check(CLI::Range(1, 255))
      ->capture_default_str();
  cmd->add_flag("--plain", a->plain,
                "only the random parts: no links, odd names, chain or locked directory");
  cmd->callback([a, &exit_code] {
    a->spec.faults = !a->plain;
    try {
      const auto s = dirsearch::generate_tree(a->dir, a->spec);
      fmt::print("{}: {} entries ({} dirs, {} files, {} links, {} other), {} bytes of contents\n",
                 a->dir, s.entries(), s.dirs, s.files, s.symlinks, s.others, s.bytes);
      fmt::print("hash {:016x}\n", s.hash);
    } catch (const std::system_error& e) {
      fmt::print(stderr, "concur tree: {}\n", e.what());
      exit_code = 1;
    }
  });
}

}  // namespace concur::cli
