#pragma once
// The top level of concur and concur-bench, the one place errors become exit statuses: a command
// throws with a message a person understands; this prints it as one line "PROGRAM: error: ..."
// and exits 1 (2 for a usage_error). Standard output is flushed and checked at the end, so data
// lost to a full disk is an error, not a silent exit 0. A closed pipe ends the process by
// SIGPIPE's default action, quietly, as find does (`concur ... | head` is no error); a process
// started with SIGPIPE ignored gets EPIPE instead, reported here.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <iostream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace concur::cli {

// A mistake on the command line (exit status 2), found after parsing.
class usage_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// An exception's message without Boost's source location ("... [system:2 at /usr/include/...]"),
// which says nothing to a user.
inline std::string plain_message(std::string what) {
  const auto open = what.rfind(" [");
  if (open == std::string::npos || !what.ends_with(']')) return what;
  // "[system:22]" or "[system:2 at /usr/include/...]": a category, a colon, a number.
  const auto colon = what.find(':', open);
  const bool category = colon != std::string::npos && colon + 1 < what.size() &&
                        std::isdigit(static_cast<unsigned char>(what[colon + 1])) &&
                        what.find(' ', open + 2) > colon;
  if (category) what.erase(open);
  return what;
}

// Never throws (fmt::print would, on a full stderr): the last word must not abort.
inline void print_error(std::string_view program, std::string_view message) {
  const std::string line = fmt::format("{}: error: {}\n", program, message);
  [[maybe_unused]] const auto written = std::fwrite(line.data(), 1, line.size(), stderr);
}

// Flushes standard output; false when what was written to it was not all written, with the
// reason printed unless `quiet` (an error line was printed already, often about that write).
inline bool flush_stdout(std::string_view program, bool quiet) {
  errno = 0;
  std::cout.flush();  // Google Benchmark's console reporter writes to std::cout
  const bool flushed = std::fflush(stdout) == 0;
  if (flushed && !std::ferror(stdout) && std::cout) return true;
  if (!quiet)
    print_error(program,
                fmt::format("cannot write standard output: {}",
                            errno != 0 ? std::strerror(errno) : "an earlier write failed"));
  return false;
}

// A CLI11 parse "error": --help and --version print and exit 0; any other is a usage error, in
// the one-line form, exit status 2.
inline int parse_error(const CLI::App& app, const CLI::ParseError& e, std::string_view program) {
  if (e.get_exit_code() == 0) return app.exit(e) == 0 ? 0 : 2;
  print_error(program, e.what());
  std::fputs("Run with --help for more information.\n", stderr);
  return 2;
}

// fmt::print's error names no file ("cannot write to file: ..."): when standard output is the
// one that failed, the message says so.
inline std::string stdout_named(std::string message) {
  constexpr std::string_view fmt_prefix = "cannot write to file";
  if (std::ferror(stdout) && message.starts_with(fmt_prefix))
    message.replace(0, fmt_prefix.size(), "cannot write standard output");
  return message;
}

// Runs body() (which returns the exit status) with the conventions above.
template <class F>
int run_main(std::string_view program, F&& body) {
  int status = 1;
  bool reported = true;
  try {
    status = body();
    reported = false;
  } catch (const usage_error& e) {
    print_error(program, e.what());
    status = 2;
  } catch (const std::exception& e) {
    print_error(program, stdout_named(plain_message(e.what())));
    status = 1;
  } catch (...) {
    print_error(program, "an unknown exception");
    status = 1;
  }
  if (!flush_stdout(program, reported) && status == 0) status = 1;
  return status;
}

}  // namespace concur::cli
