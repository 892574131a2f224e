#include "workloads/dirsearch/print.hpp"

#include <oneapi/tbb/enumerable_thread_specific.h>

#include <algorithm>
#include <cerrno>
#include <mutex>
#include <system_error>
#include <vector>

namespace concur::dirsearch {

struct record_writer::impl {
  std::FILE* out;
  std::string name;
  std::size_t chunk;
  oneapi::tbb::enumerable_thread_specific<std::string> buffers;
  std::mutex mutex;  // one chunk written at a time
  int failure = 0;   // errno of the first failed write; guarded by mutex

  void write(std::string& bytes) {
    const std::scoped_lock lock(mutex);
    if (failure == 0 && !bytes.empty() &&
        std::fwrite(bytes.data(), 1, bytes.size(), out) != bytes.size())
      failure = errno ? errno : EIO;
    bytes.clear();
  }
};

record_writer::record_writer(std::FILE* out, std::string name, char terminator,
                             error_handler on_error, std::size_t chunk)
    : entry_sink(terminator, std::move(on_error)),
      impl_(new impl{out, std::move(name), chunk, {}, {}, 0}) {}

record_writer::~record_writer() = default;

std::string& record_writer::buffer() {
  bool exists = false;
  std::string& b = impl_->buffers.local(exists);
  if (!exists) b.reserve(impl_->chunk + impl_->chunk / 4);
  return b;
}

void record_writer::appended(std::string& buffer) {
  if (buffer.size() >= impl_->chunk) impl_->write(buffer);
}

void record_writer::finish() {
  for (auto& b : impl_->buffers) impl_->write(b);
  const std::scoped_lock lock(impl_->mutex);
  if (std::fflush(impl_->out) != 0 && impl_->failure == 0) impl_->failure = errno ? errno : EIO;
  if (impl_->failure != 0)
    throw std::system_error(impl_->failure, std::generic_category(), "writing to " + impl_->name);
}

struct record_collector::impl {
  oneapi::tbb::enumerable_thread_specific<std::string> buffers;
};

record_collector::record_collector(error_handler on_error)
    : entry_sink('\0', std::move(on_error)), impl_(new impl) {}

record_collector::~record_collector() = default;

std::string& record_collector::buffer() {
  return impl_->buffers.local();
}

std::vector<std::string_view> record_collector::sorted() const {
  std::vector<std::string_view> out;
  for (const auto& b : impl_->buffers) {
    const std::string_view all(b);
    for (std::size_t pos = 0, end; pos < all.size(); pos = end + 1) {
      end = all.find('\0', pos);
      out.push_back(all.substr(pos, end - pos));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

result print_entries(params p, const print_format& format,
                     const std::function<result(const params&)>& search,
                     const entry_sink::error_handler& on_error) {
  record_writer writer(stdout, "standard output", format.terminator, on_error);
  result found;
  if (format.sort) {
    record_collector collected(on_error);
    p.opts.sink = &collected;
    found = search(p);
    std::string& b = writer.buffer();
    for (const auto record : collected.sorted()) {
      b.append(record).push_back(format.terminator);
      writer.appended(b);
    }
  } else {
    p.opts.sink = &writer;
    found = search(p);
  }
  writer.finish();
  return found;
}

}  // namespace concur::dirsearch
