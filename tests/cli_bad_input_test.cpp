// Bad input and faults on the real binaries: every command fails with one clear line and the
// documented exit status (2 usage, 1 failure), never an abort or a hang, and leaves nothing
// behind. Each runs with TMPDIR set to a directory of its own, which must be empty afterwards, and
// no process naming it may remain.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "core/process.hpp"
#include "models/models.hpp"
#include "tests/support.hpp"

namespace {

namespace fs = std::filesystem;
using concur::testing::run_command;
using namespace std::chrono_literals;

const std::string cli = CONCUR_CLI;
const std::string bench_binary = CONCUR_BENCH;
const std::string refused_url = "http://127.0.0.1:1/";  // nothing listens on port 1

// What we leave in our TMPDIR: every entry but the dirsearch fixture cache (kept on purpose).
std::vector<std::string> left_in(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (!e.path().filename().string().starts_with("concur-dirsearch-"))
      out.push_back(e.path().filename().string());
  return out;
}

// Processes whose command line names `dir` (nginx -p DIR, wrk -s DIR/...).
std::vector<std::string> processes_naming(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/proc", ec)) {
    std::ifstream in(e.path() / "cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (cmdline.find(dir.string()) != std::string::npos) out.push_back(cmdline);
  }
  return out;
}

// Waits (PR_SET_PDEATHSIG is asynchronous) until no process names `dir`; what is left, if any.
std::vector<std::string> survivors(const fs::path& dir) {
  for (int i = 0; i < 40; ++i) {
    if (processes_naming(dir).empty()) return {};
    std::this_thread::sleep_for(50ms);
  }
  return processes_naming(dir);
}

class bad_input : public ::testing::Test {
 protected:
  concur::testing::temp_dir tmp{"concur-bad-input"};

  // The command with our TMPDIR, stdout and stderr together.
  concur::testing::command_result run(const std::string& command) {
    return run_command("env -u XDG_CACHE_HOME TMPDIR=" + tmp.path().string() + " " + command);
  }

  // Starts the command in the background (output discarded) with our TMPDIR.
  pid_t start(const std::string& command) {
    const std::string line = "TMPDIR=" + tmp.path().string() + " exec " + command;
    std::vector<char*> argv{const_cast<char*>("/bin/sh"), const_cast<char*>("-c"),
                            const_cast<char*>(line.c_str()), nullptr};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = -1;
    posix_spawn(&pid, "/bin/sh", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    return pid;
  }

  // The first entry of our TMPDIR starting with `prefix`, waited for up to 20 s.
  std::optional<fs::path> wait_for_entry(const std::string& prefix, pid_t pid) {
    for (int i = 0; i < 400; ++i) {
      for (const auto& e : fs::directory_iterator(tmp.path()))
        if (e.path().filename().string().starts_with(prefix)) return e.path();
      if (waitpid(pid, nullptr, WNOHANG) == pid) return std::nullopt;
      std::this_thread::sleep_for(50ms);
    }
    return std::nullopt;
  }

  // The wait status, or nullopt (after a SIGKILL) when it did not end within `limit`.
  static std::optional<int> wait_status(pid_t pid, std::chrono::milliseconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    int status = 0;
    while (waitpid(pid, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > until) {
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
        return std::nullopt;
      }
      std::this_thread::sleep_for(20ms);
    }
    return status;
  }

  void TearDown() override {
    EXPECT_EQ(left_in(tmp.path()), std::vector<std::string>{});
    EXPECT_EQ(survivors(tmp.path()), std::vector<std::string>{});
  }
};

// One line "PROGRAM: error: ..." saying `says`, no Boost source location, no huge number echoed
// back, no abort.
void expect_clear(const concur::testing::command_result& r, int status, const std::string& says) {
  EXPECT_EQ(r.exit_code, status) << r.output;
  const auto at = r.output.find(says);
  ASSERT_NE(at, std::string::npos) << r.output;
  const auto line_start = r.output.rfind('\n', at) + 1;  // npos + 1 == 0
  const auto line = r.output.substr(line_start, r.output.find('\n', at) - line_start);
  EXPECT_NE(line.find(": error: "), std::string::npos) << line;
  EXPECT_LT(line.size(), 200u) << line;
  EXPECT_EQ(r.output.find(" at /usr/include"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("terminate called"), std::string::npos) << r.output;
}

TEST_F(bad_input, numeric_options_are_range_checked_at_parse_time) {
  const std::pair<std::string, std::string> cases[] = {
      {"crawl --depth -1 " + refused_url, "--depth: -1 is not a whole number from 0 to 1000"},
      {"crawl --depth 99999999999999999999 " + refused_url, "--depth: 99999999999999999999 is not"},
      {"fetch --timeout 0 " + refused_url, "--timeout: not a duration from 1ms to 1h"},
      {"fetch --timeout -1s " + refused_url, "--timeout: not a duration"},
      {"fetch --timeout 1e20s " + refused_url, "--timeout: not a duration"},
      {"fetch --pool-threads 0 " + refused_url, "--pool-threads: 0 is not a whole number from 1"},
      {"crawl --pool-threads 100000 " + refused_url, "--pool-threads: 100000 is not"},
      {"fetch --worker-threads 0 " + refused_url, "--worker-threads: 0 is not"},
      {"fetch --max-body 0 " + refused_url, "--max-body: 0 is not a whole number from 1"},
      {"crawl --max-body 10x " + refused_url, "--max-body: x unit not recognized"},
      {"dirsearch -j 0 /nonexistent", "--threads: 0 is not a whole number from 1 to 4096"},
      {"serve --latency -5ms", "--latency: not a duration from 0ms to 1min"},
      {"serve --seed -1", "--seed: -1 is not a whole number"},
      {"serve --port 70000", "--port: 70000 is not a whole number from 0 to 65535"},
      {"serve --pages 10000000 --fanout 1000", "is over 20000000 links"},
      {"serve --body-bytes 99999999999", "--body-bytes: 99999999999 is not"},
      {"serve --nginx-root /nonexistent/concur", "--nginx-root: Directory does not exist"},
      {"site export ''", "the directory name is empty"},
      {"wrk -c 0", "--connections: 0 is not"},
      {"wrk -t 8 -c 2", "--threads 8 is over --connections 2"},
      {"tree x --dirs 10000000 --files-per-dir 1000", "over the 10000000 allowed"},
      {"compare a b --threshold 1e400", "is not a percentage"},
  };
  for (const auto& [args, says] : cases) {
    SCOPED_TRACE(args);
    const auto r = run(cli + " " + args);
    expect_clear(r, 2, says);
  }
}

TEST_F(bad_input, fetch_and_crawl_exit_1_when_a_url_failed) {
  const auto fetched = run(cli + " fetch --timeout 2s " + refused_url);
  EXPECT_EQ(fetched.exit_code, 1) << fetched.output;
  EXPECT_NE(fetched.output.find("refused"), std::string::npos) << fetched.output;
  const auto crawled = run(cli + " crawl --timeout 2s " + refused_url);
  EXPECT_EQ(crawled.exit_code, 1) << crawled.output;
}

TEST_F(bad_input, a_write_error_is_an_error) {
  const auto dir = tmp.path() / "site";
  // stdout to the full device, stderr to the pipe.
  const auto full =
      run("sh -c '" + cli + " site export --pages 3 " + dir.string() + " >/dev/full'");
  expect_clear(full, 1, "concur: error: cannot write standard output: No space left on device");
  fs::remove_all(dir);

  const std::string results = std::string(CONCUR_TEST_DATA) + "/sample_results.json";
  const auto file = tmp.path() / "a-file";
  std::ofstream(file) << "x";
  expect_clear(run(cli + " report " + results + " --out " + file.string()), 1,
               "concur: error: cannot make the report directory " + file.string());
  expect_clear(run(cli + " report " + results + " --out /dev/full"), 1,
               "cannot make the report directory /dev/full");
  fs::remove(file);
}

TEST_F(bad_input, concur_bench_write_errors_and_empty_selections) {
  expect_clear(
      run(bench_binary + " --quick --all-cases --benchmark_filter=sleep/sequential/n10_d1ms/ "
                         "--benchmark_out=/dev/full"),
      1, "concur-bench: error: cannot write --benchmark_out=/dev/full");
  expect_clear(run(bench_binary + " --verify-only --benchmark_filter=nomatch"), 2,
               "concur-bench: error: no cell matches --benchmark_filter=\"nomatch\"");
  expect_clear(run(bench_binary + " --verify-only '--benchmark_filter=['"), 2,
               "concur-bench: error: --benchmark_filter: \"[\" is not a regular expression");
  expect_clear(run(bench_binary + " --seed -1"), 2, "--seed: -1 is not a whole number");
  expect_clear(run(bench_binary + " --worker-threads 0"), 2, "--worker-threads: 0 is not");
}

TEST_F(bad_input, a_fixture_that_cannot_be_made_is_skipped_naming_tmpdir) {
  const auto r = run_command("env -u XDG_CACHE_HOME TMPDIR=" + (tmp.path() / "missing").string() +
                             " " + bench_binary +
                             " --verify-only --all-cases --benchmark_filter=dirsearch/sequential/"
                             "fixture/");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("skipped: cannot make the fixture tree in " +
                          (tmp.path() / "missing").string() + "/concur-dirsearch-"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("(from TMPDIR)"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(tmp.path() / "missing")) << "TMPDIR itself is never made";
}

// The OS refusing threads or worker processes (RLIMIT_NPROC, which root ignores: run as nobody)
// is reported by every model that asks for them, and none aborts or hangs.
TEST_F(bad_input, a_refused_thread_is_reported_in_every_model) {
  const auto setpriv = concur::process::find_program("setpriv");
  const auto prlimit = concur::process::find_program("prlimit");
  if (!setpriv || !prlimit) GTEST_SKIP() << "needs setpriv and prlimit (util-linux)";
  const std::string as_nobody =
      getuid() == 0 ? *setpriv + " --reuid=65534 --regid=65534 --clear-groups " : "";
  if (run_command(as_nobody + cli + " --help").exit_code != 0)
    GTEST_SKIP() << "the build directory cannot be read by nobody";
  fs::permissions(tmp.path(), fs::perms::others_read | fs::perms::others_exec,
                  fs::perm_options::add);  // searched as nobody
  bool some_refused = false;
  for (const auto& model : concur::models::names()) {
    SCOPED_TRACE(model);
    const auto r = run_command("cd / && " + *prlimit + " --nproc=8 " + as_nobody + cli +
                               " dirsearch --print -j 64 --model " + std::string(model) + " " +
                               tmp.path().string() + " </dev/null");
    if (r.exit_code == 1) {
      expect_clear(r, 1, "concur: error: the OS refused");  // a thread, or a worker process
      some_refused = true;
    } else {
      EXPECT_EQ(r.exit_code, 0) << r.output;
    }
  }
  EXPECT_TRUE(some_refused);
}

// SIGTERM while nginx's directory is being filled: the directory is removed and the status says
// SIGTERM. SIGKILL while wrk runs: wrk is gone (parent-death signal), its directory stays, and the
// next run removes it. (Exporting the nginx site takes seconds on a slow disk: it is not waited
// for.)
TEST_F(bad_input, signals_leave_nothing_behind) {
  if (!concur::process::find_program("wrk") ||
      !concur::process::find_program("nginx", {"/usr/sbin"}))
    GTEST_SKIP() << "needs wrk and nginx";
  const pid_t terminated = start(cli + " wrk --nginx --every-page -d 30");
  ASSERT_TRUE(wait_for_entry("concur-nginx-", terminated)) << "no nginx directory";
  kill(terminated, SIGTERM);
  const auto status = wait_status(terminated, 10s);
  ASSERT_TRUE(status) << "did not end on SIGTERM";
  EXPECT_TRUE(WIFSIGNALED(*status) && WTERMSIG(*status) == SIGTERM) << *status;
  EXPECT_EQ(left_in(tmp.path()), std::vector<std::string>{});

  const pid_t killed = start(cli + " wrk --every-page -d 30");
  ASSERT_TRUE(wait_for_entry("concur-wrk-", killed)) << "wrk never started";
  std::this_thread::sleep_for(200ms);  // wrk itself started
  kill(killed, SIGKILL);
  ASSERT_TRUE(wait_status(killed, 10s));
  EXPECT_EQ(left_in(tmp.path()).size(), 1u) << "wrk's directory, stale";
  EXPECT_EQ(survivors(tmp.path()), std::vector<std::string>{});
  const auto next = run(cli + " wrk --every-page -d 1 -c 1");
  EXPECT_EQ(next.exit_code, 0) << next.output;
}

// SIGINT while concur-bench builds the dirsearch fixture tree: the half-built tree goes with the
// process, which ends by SIGINT; the cache's own directory stays, empty, for the next run.
TEST_F(bad_input, a_fixture_tree_half_built_is_removed_on_sigint) {
  const pid_t pid = start("env -u XDG_CACHE_HOME " + bench_binary +
                          " '--benchmark_filter=^dirsearch/sequential/tree_200k/' --min-rounds=1 "
                          "--max-rounds=1");
  const auto cache = wait_for_entry("concur-dirsearch-", pid);
  ASSERT_TRUE(cache) << "no fixture cache was made";
  const auto building = [&] {
    for (const auto& e : fs::directory_iterator(*cache))
      if (e.path().filename().string().find(".tmp-") != std::string::npos) return true;
    return false;
  };
  // Polled, not slept: a tree of 200,000 entries takes seconds to build even on a fast machine.
  for (int i = 0; i < 20'000 && !building() && waitpid(pid, nullptr, WNOHANG) == 0; ++i)
    std::this_thread::sleep_for(1ms);
  ASSERT_TRUE(building()) << "the tree was never seen being built";
  kill(pid, SIGINT);
  const auto status = wait_status(pid, 60s);
  ASSERT_TRUE(status) << "did not end on SIGINT";
  EXPECT_TRUE(WIFSIGNALED(*status) && WTERMSIG(*status) == SIGINT) << *status;
  EXPECT_EQ(left_in(*cache), std::vector<std::string>{});
  fs::remove_all(*cache);
}

// The site build is interruptible: SIGTERM while a large site is built ends serve at once.
TEST_F(bad_input, serve_ends_on_sigterm_while_it_builds_the_site) {
  const pid_t pid = start(cli + " serve --pages 10000000 --fanout 2 --body-bytes 100");
  std::this_thread::sleep_for(300ms);
  kill(pid, SIGTERM);
  const auto status = wait_status(pid, 3s);
  ASSERT_TRUE(status) << "serve ignored SIGTERM while building the site";
  EXPECT_TRUE(WIFSIGNALED(*status) && WTERMSIG(*status) == SIGTERM) << *status;
}

// ---- issue 25: the faults a hostile but ordinary user still finds

// The sample results copied into our TMPDIR as `name`; its text with every real_time replaced by
// `real_time` when that is given.
fs::path sample_copy(const fs::path& dir, const std::string& name,
                     const std::string& real_time = {}) {
  std::ifstream in(std::string(CONCUR_TEST_DATA) + "/sample_results.json");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!real_time.empty())
    text = std::regex_replace(text, std::regex(R"("real_time": [-+.eE0-9]+)"),
                              "\"real_time\": " + real_time);
  std::ofstream(dir / name) << text;
  return dir / name;
}

std::string contents(const fs::path& path) {
  std::ifstream in(path);
  return {(std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()};
}

// An output that is an input, by any path to it (a hard link too), is refused and left as it was.
TEST_F(bad_input, compare_never_writes_over_an_input) {
  const auto a = sample_copy(tmp.path(), "a.json"), b = sample_copy(tmp.path(), "b.json");
  const auto link = tmp.path() / "link.json";
  fs::create_hard_link(b, link);
  const std::string inputs = " " + a.string() + " " + b.string();
  expect_clear(run(cli + " compare --csv " + b.string() + inputs), 2,
               "--csv would overwrite \"" + b.string() + "\", which is the input");
  expect_clear(run(cli + " compare --csv " + link.string() + inputs), 2,
               "which is the input \"" + b.string() + "\"");
  const auto out = tmp.path() / "out";
  fs::create_directory(out);
  fs::create_hard_link(a, out / "compare.csv");
  expect_clear(run(cli + " compare --out " + out.string() + inputs), 2,
               "--out would overwrite \"" + (out / "compare.csv").string() + "\"");
  EXPECT_EQ(contents(a), contents(b)) << "an input was written over";
  EXPECT_EQ(contents(link), contents(b));
  fs::remove_all(out);
  for (const auto& f : {a, b, link}) fs::remove(f);
}

// A real_time that cannot be a measurement is an error row with the reason: no ratio, no inf or
// NaN, and the gate line counts the cells it could not judge.
TEST_F(bad_input, compare_and_report_refuse_impossible_times) {
  const auto a = sample_copy(tmp.path(), "a.json");
  const std::regex not_a_number(R"((^|[^a-z])-?(inf|nan)([^a-z]|$))", std::regex::icase);
  for (const char* time : {"1e308", "0", "-1"}) {
    SCOPED_TRACE(time);
    const auto bad = sample_copy(tmp.path(), "bad.json", time);
    const auto compared = run(cli + " compare " + a.string() + " " + bad.string());
    EXPECT_EQ(compared.exit_code, 0) << compared.output;
    EXPECT_NE(compared.output.find("is not a measurement"), std::string::npos) << compared.output;
    EXPECT_NE(compared.output.find("0 cells compared"), std::string::npos) << compared.output;
    EXPECT_NE(compared.output.find("cells not compared: failed, skipped or no usable time"),
              std::string::npos)
        << compared.output;
    EXPECT_FALSE(std::regex_search(compared.output, not_a_number)) << compared.output;
    const auto dir = tmp.path() / "report";
    const auto reported = run(cli + " report " + bad.string() + " --out " + dir.string());
    EXPECT_EQ(reported.exit_code, 0) << reported.output;
    for (const char* name : {"cells.csv", "report.md", "details/sleep.md"})
      EXPECT_FALSE(std::regex_search(contents(dir / name), not_a_number)) << name;
    // The reason is in the workload's per-case tables, which report.md links to.
    EXPECT_NE(contents(dir / "details/sleep.md").find("is not a measurement"), std::string::npos);
    fs::remove_all(dir);
    fs::remove(bad);
  }
  fs::remove(a);
}

TEST_F(bad_input, a_misspelt_test_slowdown_model_is_a_usage_error) {
  const std::string models = "(the models: " + concur::models::names_text() + ")";
  expect_clear(run("CONCUR_TEST_SLOWDOWN=nosuchmodel:2 " + bench_binary + " --list"), 2,
               "CONCUR_TEST_SLOWDOWN: no model named nosuchmodel " + models);
  expect_clear(run(bench_binary + " --test-slowdown=nosuchmodel:2 --list"), 2,
               "--test-slowdown: no model named nosuchmodel " + models);
}

// A server whose address line was lost is of no use: it stops with the error. A busy port is
// named.
TEST_F(bad_input, serve_fails_on_a_lost_address_line_and_names_a_busy_port) {
  expect_clear(run("timeout 60 sh -c '" + cli + " serve --port 0 >/dev/full'"), 1,
               "concur: error: cannot write standard output: No space left on device");
  const int busy = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  ASSERT_EQ(::bind(busy, reinterpret_cast<sockaddr*>(&address), size), 0);
  ASSERT_EQ(::listen(busy, 1), 0);
  ASSERT_EQ(::getsockname(busy, reinterpret_cast<sockaddr*>(&address), &size), 0);
  const auto port = std::to_string(ntohs(address.sin_port));
  expect_clear(run("timeout 60 " + cli + " serve --port " + port), 1,
               "concur: error: cannot listen on 127.0.0.1:" + port + ": Address already in use");
  ::close(busy);
}

// Control characters: a report directory gnuplot could not write is refused in one line; a URL
// with CR LF in it is a bad url, shown escaped on its one line.
TEST_F(bad_input, control_characters_in_paths_and_urls) {
  const auto results = sample_copy(tmp.path(), "a.json");
  const auto dir = tmp.path().string() + "/a\nb";
  const auto reported = run(cli + " report " + results.string() + " --out '" + dir + "'");
  expect_clear(reported, 2, "holds a control character: choose another name");
  EXPECT_NE(reported.output.find("a\\x0ab"), std::string::npos) << reported.output;
  EXPECT_FALSE(fs::exists(dir));
  fs::remove(results);

  const auto fetched = run(cli + " fetch 'http://h/a\r\nX: 1'");
  EXPECT_EQ(fetched.exit_code, 1) << fetched.output;
  EXPECT_NE(fetched.output.find("bad url http://h/a\\r\\nX: 1\n"), std::string::npos)
      << fetched.output;
  EXPECT_EQ(fetched.output.find('\r'), std::string::npos) << fetched.output;
}

TEST_F(bad_input, messages_name_the_problem) {
  expect_clear(run(cli + " compare --csv /dev/full " + refused_url + " x"), 2, "cannot open");
  const auto a = sample_copy(tmp.path(), "a.json");
  expect_clear(run(cli + " compare --csv /dev/full " + a.string() + " " + a.string()), 1,
               "cannot write \"/dev/full\": No space left on device");
  expect_clear(run(cli + " report " + a.string() + " --out /proc"), 1,
               "cannot write \"/proc/results.csv\": ");
  fs::remove(a);
  expect_clear(run(cli + " frobnicate"), 2,
               "concur: error: unknown command frobnicate (the "
               "commands: ");
  expect_clear(run(bench_binary + " --nosuch"), 2,
               "concur-bench: error: unrecognized command-line flag: --nosuch");
  expect_clear(run(bench_binary + " --allocator= --max-rounds=2 --list"), 2,
               "concur-bench: error: --allocator: the value is empty");
  expect_clear(run(cli + " fetch --timeout= " + refused_url), 2,
               "concur: error: --timeout: the value is empty");
  expect_clear(run("sh -c '" + bench_binary + " --list >/dev/full'"), 1,
               "concur-bench: error: cannot write standard output: No space left on device");
}

}  // namespace
