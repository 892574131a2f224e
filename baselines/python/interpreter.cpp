#include "baselines/python/interpreter.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <map>
#include <memory>
#include <optional>
#include <system_error>

#include "core/process.hpp"
#include "core/stopwatch.hpp"

namespace concur::python {
namespace {

using json = nlohmann::json;

// The value of the harness's own line {"KEY": N} (ready, started, end); nullopt for any other.
std::optional<long> marker(const std::string& line, const char* key) {
  if (line.empty() || line.front() != '{' || line.find(key) == std::string::npos) return {};
  const json j = json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.size() != 1 || !j.contains(key) ||
      !j[key].is_number_integer())
    return {};
  return j[key].get<long>();
}

// Writes all of `text`; false when the interpreter has gone (EPIPE, ECONNRESET).
bool send_all(int fd, const std::string& text) {
  for (std::size_t sent = 0; sent < text.size();) {
    const ssize_t n = ::send(fd, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

reply interpreter::run(const std::string& request, double timeout_s) {
  const auto deadline = clock::now() + std::chrono::duration_cast<clock::duration>(
                                           std::chrono::duration<double>(std::max(timeout_s, 0.0)));
  const bool kept = pid_ >= 0;
  reply r = attempt(request, deadline);
  // A kept interpreter that had died while idle (killed, or out of memory) took no request:
  // the run is the next interpreter's, as it would be a fresh process's.
  if (kept && r.interpreter_ended && r.run < 0) r = attempt(request, deadline);
  return r;
}

reply interpreter::attempt(const std::string& request, clock::time_point deadline) {
  reply r;
  if (pid_ < 0) start(deadline, r);
  if (pid_ < 0) return r;
  r.startup_seconds = startup_seconds_;
  r.interpreter = pid_;
  const stopwatch round_trip;
  if (!send_all(fd_, request + "\n")) {
    died(r);
    return r;
  }
  for (std::string line; next_line(line, deadline, r);) {
    if (const auto child = marker(line, "started")) {
      r.run = static_cast<pid_t>(*child);
    } else if (const auto status = marker(line, "end")) {
      r.status = static_cast<int>(*status);
      r.round_trip_seconds = round_trip.seconds();
      return r;
    } else {
      r.lines.push_back(std::move(line));
    }
  }
  if (r.timed_out)
    stop();  // its run dies with it (PR_SET_PDEATHSIG, harness.py)
  else
    died(r);
  return r;
}

void interpreter::start(clock::time_point deadline, reply& r) {
  const stopwatch watch;
  const auto child = process::start_connected(argv_);
  pid_ = child.pid;
  fd_ = child.fd;
  buffer_.clear();
  r.interpreter = pid_;
  for (std::string line; next_line(line, deadline, r);) {
    if (marker(line, "ready")) {
      startup_seconds_ = watch.seconds();
      return;
    }
    r.lines.push_back(std::move(line));
  }
  if (r.timed_out)
    stop();
  else
    died(r);
}

void interpreter::stop() {
  if (pid_ < 0) return;
  ::close(fd_);
  process::kill_and_wait(pid_);
  pid_ = fd_ = -1;
}

void interpreter::died(reply& r) {
  ::close(fd_);
  // It has closed its end: it is ending or has ended, and SIGKILL leaves the status it ended with.
  r.interpreter_ended = process::kill_and_wait(pid_);
  pid_ = fd_ = -1;
}

bool interpreter::next_line(std::string& line, clock::time_point deadline, reply& r) {
  for (;;) {
    if (const auto end = buffer_.find('\n'); end != std::string::npos) {
      line = buffer_.substr(0, end);
      buffer_.erase(0, end + 1);
      return true;
    }
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now());
    if (left.count() <= 0) {
      r.timed_out = true;
      return false;
    }
    pollfd p{.fd = fd_, .events = POLLIN, .revents = 0};
    const int ready = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), INT_MAX)));
    if (ready < 0 && errno != EINTR) throw std::system_error(errno, std::system_category(), "poll");
    if (ready <= 0) continue;
    char chunk[65536];
    const ssize_t n = ::read(fd_, chunk, sizeof chunk);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) {  // end of file: the interpreter has ended (a last line without its newline)
      if (buffer_.empty()) return false;
      line = std::move(buffer_);
      buffer_.clear();
      return true;
    }
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

interpreter& kept_interpreter(const std::vector<std::string>& argv) {
  thread_local std::map<std::vector<std::string>, std::unique_ptr<interpreter>> kept;
  auto& slot = kept[argv];
  if (!slot) slot = std::make_unique<interpreter>(argv);
  return *slot;
}

}  // namespace concur::python
