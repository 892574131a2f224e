#include "core/page_cache.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace concur::page_cache {
namespace {

constexpr const char* control = "/proc/sys/vm/drop_caches";

std::string declined_by;  // set_declined_by's; empty: not declined

}  // namespace

void set_declined_by(std::string by) {
  declined_by = std::move(by);
}

std::string drop_unavailable() {
  if (!declined_by.empty()) return "dropping the page cache is declined by " + declined_by;
  // Opening for writing is the test: root in a container passes access() but gets EROFS here.
  const int fd = ::open(control, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return std::string("the page cache cannot be dropped here (") + control + ": " +
           std::strerror(errno) + "; it needs root outside a container)";
  ::close(fd);
  return {};
}

void drop() {
  ::sync();  // dirty pages are not dropped: write them first
  const int fd = ::open(control, O_WRONLY | O_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::system_category(), control);
  const bool written = ::write(fd, "3", 1) == 1;
  const int error = errno;
  ::close(fd);
  if (!written) throw std::system_error(error, std::system_category(), control);
}

}  // namespace concur::page_cache
