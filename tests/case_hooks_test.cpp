// The harness's case hooks: a case that cannot run here is skipped with its reason, a case may set
// the models' threads, a cold-cache case really drops the page cache before each run.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "bench/matrix.hpp"
#include "core/page_cache.hpp"
#include "models/models.hpp"
#include "report/report.hpp"
#include "tests/support.hpp"

namespace concur {
namespace {

using testing::run_command;
using testing::temp_dir;

const bench::cell& find_cell(const std::vector<bench::cell>& cells, const std::string& name) {
  auto it = std::find_if(cells.begin(), cells.end(),
                         [&](const bench::cell& c) { return c.name() == name; });
  if (it == cells.end()) throw std::runtime_error("no cell " + name);
  return *it;
}

TEST(case_hooks, a_case_that_cannot_run_here_is_skipped_with_its_reason_in_every_cell) {
  struct declined {
    // What concur-bench does when CONCUR_NO_DROP_CACHES=1 is set (bench/options.cpp).
    declined() { page_cache::set_declined_by("CONCUR_NO_DROP_CACHES"); }
    ~declined() { page_cache::set_declined_by(""); }
  } guard;
  std::size_t cold = 0;
  for (const auto& c : bench::make_cells({})) {
    if (c.case_name.rfind("cold_", 0) != 0 || !c.unsupported.empty()) continue;
    ++cold;
    EXPECT_NE(c.skip_message().find("skipped: cold cache: dropping the page cache is declined by "
                                    "CONCUR_NO_DROP_CACHES"),
              std::string::npos)
        << c.name() << ": " << c.skip_message();
    const auto v = c.verify();
    EXPECT_EQ(v.kind, bench::verdict_kind::skipped) << c.name();
    EXPECT_EQ(v.detail, c.skip_reason);
  }
  EXPECT_GE(cold, 3 * concur::size(models::all{})) << "three cold cases in every model";
}

TEST(case_hooks, a_case_may_set_the_models_threads) {
  const auto cells = bench::make_cells(
      {.config = {.pool_threads = 3, .worker_threads = 1, .worker_processes = 1}});
  EXPECT_EQ(find_cell(cells, "dirsearch/executor/cold_200k").settings, "1 loop thread + pool of 3");
  EXPECT_EQ(find_cell(cells, "dirsearch/executor/cold_200k_io16").settings,
            "1 loop thread + pool of 16");
  EXPECT_EQ(find_cell(cells, "dirsearch/tbb/cold_200k_io16").settings, "task_arena of 16");
  EXPECT_EQ(find_cell(cells, "dirsearch/tbb/tree_200k").settings, "task_arena of 1");
}

// Whether the pages of a mapped file are in memory, counted with mincore().
std::size_t resident_pages(const std::string& path, std::size_t bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  void* map = ::mmap(nullptr, bytes, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> in_core((bytes + page - 1) / page);
  ::mincore(map, bytes, in_core.data());
  ::munmap(map, bytes);
  return static_cast<std::size_t>(
      std::count_if(in_core.begin(), in_core.end(), [](unsigned char c) { return c & 1; }));
}

TEST(case_hooks, dropping_the_page_cache_empties_it_for_real) {
  if (const auto why = page_cache::drop_unavailable(); !why.empty()) GTEST_SKIP() << why;
  temp_dir dir("concur-cold");
  struct statfs fs {};
  ::statfs(dir.path().c_str(), &fs);
  if (fs.f_type == TMPFS_MAGIC) GTEST_SKIP() << "the temporary directory is on tmpfs";
  const std::string file = (dir.path() / "data").string();
  constexpr std::size_t bytes = 4 << 20;
  std::ofstream(file) << std::string(bytes, 'x');
  ::sync();
  std::ifstream(file).ignore(bytes);  // read: now cached
  ASSERT_GT(resident_pages(file, bytes), 0u);
  page_cache::drop();
  EXPECT_EQ(resident_pages(file, bytes), 0u);
}

TEST(case_hooks, a_cold_cell_is_timed_between_cache_drops) {
  if (const auto why = page_cache::drop_unavailable(); !why.empty()) GTEST_SKIP() << why;
  temp_dir dir("concur-bench");
  const auto json = (dir.path() / "out.json").string();
  const auto r = run_command(std::string(CONCUR_BENCH) +
                             " --all-cases --benchmark_filter='dirsearch/(sequential|tbb|find)/"
                             "cold_fixture' --quick --benchmark_min_time=0.01 --benchmark_out=" +
                             json);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto results = report::load(json);
  ASSERT_EQ(results.rows.size(), 2u) << "find is a baseline of the benchmark cases only";
  for (const auto& row : results.rows) {
    EXPECT_EQ(row.verdict, "pass") << row.model << ": " << row.detail;
    EXPECT_TRUE(row.real_s && *row.real_s > 0) << row.model;
  }
}

}  // namespace
}  // namespace concur
