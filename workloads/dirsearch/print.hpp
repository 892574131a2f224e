#pragma once
// concur dirsearch --print: the walk streams records (ROOT/PATH and a terminator) into buffers of
// each reading thread's own; a writer hands them to a FILE in large chunks, whole records only,
// so lines from different threads never interleave. With --sort the records are collected and
// written in byte order once the walk is done. Errors are reported as they are met, in either.
#include <cstddef>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>

#include "workloads/dirsearch/dirsearch.hpp"

namespace concur::dirsearch {

// Writes records to `out` in chunks of at least `chunk` bytes.
class record_writer final : public entry_sink {
 public:
  // `name` names the output in the error message ("standard output").
  record_writer(std::FILE* out, std::string name, char terminator, error_handler on_error,
                std::size_t chunk = 256 * 1024);
  ~record_writer() override;
  std::string& buffer() override;
  void appended(std::string& buffer) override;
  // Writes what every thread's buffer still holds and flushes `out`; throws std::system_error
  // naming the output when any write failed (after a failure nothing more is written).
  void finish();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

// Keeps every record (NUL-terminated: a name may hold a newline) until the walk is done.
class record_collector final : public entry_sink {
 public:
  explicit record_collector(error_handler on_error);
  ~record_collector() override;
  std::string& buffer() override;
  void appended(std::string&) override {}
  // Every record, without its terminator, in byte order (as `LC_ALL=C sort`); views into this.
  std::vector<std::string_view> sorted() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

struct print_format {
  char terminator = '\n';  // '\0' for --print0
  bool sort = false;       // all records in byte order, written after the walk
};

// Runs `search` on `p` with its entries streamed to stdout (p.opts.sink is set here) and its
// errors to `on_error` as they are met, and returns its result: the work as usual, no entries.
// Throws std::system_error when writing fails.
result print_entries(params p, const print_format& format,
                     const std::function<result(const params&)>& search,
                     const entry_sink::error_handler& on_error);

}  // namespace concur::dirsearch
