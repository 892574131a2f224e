#include "models/processes_queue.hpp"

#include <fmt/format.h>
#include <pthread.h>
#include <sys/mman.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <new>
#include <system_error>

#include "core/workload.hpp"

namespace concur::processes {
namespace {

struct slot {
  std::uint64_t item;
  bool end;  // the end mark (None), not an item
};

// How long a blocked put() or get() sleeps before it looks at the queue again (see the header).
constexpr long wait_slice_ns = 100'000'000;

void check(int rc, const char* what) {
  if (rc != 0) throw std::system_error(rc, std::generic_category(), what);
}

}  // namespace

// Everything the processes share, at the start of the mapping; the slots follow it.
struct shared_queue::header {
  pthread_mutex_t mutex;
  pthread_cond_t not_full, not_empty;
  std::size_t capacity;
  std::size_t head = 0, count = 0, high_water = 0;
  bool broken = false;
  char why[240] = {};  // the first reason it was broken, for every process's message

  slot* slots() { return reinterpret_cast<slot*>(this + 1); }

  // Under the lock: marks the queue broken (the first reason stays) and wakes every waiter.
  void mark_broken(std::string_view reason) {
    if (!broken) {
      const auto n = std::min(reason.size(), sizeof why - 1);
      std::memcpy(why, reason.data(), n);
      why[n] = '\0';
      broken = true;
    }
    pthread_cond_broadcast(&not_full);
    pthread_cond_broadcast(&not_empty);
  }
};

// The queue's lock, robust: taking it from a process that died holding it breaks the queue (its
// state may be half-updated) and makes the mutex usable again, so that everyone can be told.
class shared_queue::lock {
 public:
  explicit lock(header& h) : h_(h) { recover(pthread_mutex_lock(&h.mutex), "locking the queue"); }
  ~lock() { pthread_mutex_unlock(&h_.mutex); }
  lock(const lock&) = delete;
  lock& operator=(const lock&) = delete;

  // Waits on `cv` for one slice at most; the caller looks at the queue again either way.
  void wait(pthread_cond_t& cv) {
    timespec until{};
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_nsec += wait_slice_ns;
    if (until.tv_nsec >= 1'000'000'000) {
      until.tv_nsec -= 1'000'000'000;
      ++until.tv_sec;
    }
    const int rc = pthread_cond_timedwait(&cv, &h_.mutex, &until);
    if (rc != ETIMEDOUT) recover(rc, "waiting on the queue");
  }

 private:
  void recover(int rc, const char* what) {
    if (rc == EOWNERDEAD) {
      pthread_mutex_consistent(&h_.mutex);
      h_.mark_broken("a process died holding the queue's lock");
      return;
    }
    check(rc, what);
  }

  header& h_;
};

shared_queue::shared_queue(std::size_t capacity) {
  capacity = std::max<std::size_t>(1, capacity);
  bytes_ = sizeof(header) + capacity * sizeof(slot);
  void* at = ::mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (at == MAP_FAILED)
    throw resource_exhausted(fmt::format(
        "the OS refused {} bytes of shared memory for a queue ({})", bytes_, std::strerror(errno)));
  shared_ = new (at) header{};
  shared_->capacity = capacity;
  pthread_mutexattr_t m;
  pthread_mutexattr_init(&m);
  pthread_mutexattr_setpshared(&m, PTHREAD_PROCESS_SHARED);
  pthread_mutexattr_setrobust(&m, PTHREAD_MUTEX_ROBUST);
  const int locked = pthread_mutex_init(&shared_->mutex, &m);
  pthread_mutexattr_destroy(&m);
  pthread_condattr_t c;
  pthread_condattr_init(&c);
  pthread_condattr_setpshared(&c, PTHREAD_PROCESS_SHARED);
  pthread_condattr_setclock(&c, CLOCK_MONOTONIC);
  const int full = pthread_cond_init(&shared_->not_full, &c);
  const int empty = pthread_cond_init(&shared_->not_empty, &c);
  pthread_condattr_destroy(&c);
  if (locked != 0 || full != 0 || empty != 0) {
    ::munmap(at, bytes_);
    check(locked ? locked : full ? full : empty, "making a process-shared queue");
  }
}

// Unmapped without destroying the mutex and condition variables: a waiter that died inside a
// wait would make pthread_cond_destroy wait for it forever, and they hold nothing else.
shared_queue::~shared_queue() {
  ::munmap(shared_, bytes_);
}

bool shared_queue::push(std::uint64_t item, bool end, bool wait) {
  header& h = *shared_;
  lock l(h);
  while (!h.broken && h.count == h.capacity) {
    if (!wait) return false;
    l.wait(h.not_full);
  }
  if (h.broken) throw queue_broken(fmt::format("the queue between the processes broke: {}", h.why));
  h.slots()[(h.head + h.count) % h.capacity] = {item, end};
  h.high_water = std::max(h.high_water, ++h.count);
  pthread_cond_signal(&h.not_empty);
  return true;
}

void shared_queue::put(std::uint64_t item) {
  push(item, false, true);
}

void shared_queue::put_end() {
  push(0, true, true);
}

bool shared_queue::try_put_end() {
  return push(0, true, false);
}

std::optional<std::uint64_t> shared_queue::get() {
  header& h = *shared_;
  lock l(h);
  while (!h.broken && h.count == 0) l.wait(h.not_empty);
  if (h.broken) throw queue_broken(fmt::format("the queue between the processes broke: {}", h.why));
  const slot s = h.slots()[h.head];
  h.head = (h.head + 1) % h.capacity;
  --h.count;
  pthread_cond_signal(&h.not_full);
  if (s.end) return std::nullopt;
  return s.item;
}

void shared_queue::abandon(std::string_view why) noexcept {
  try {
    lock l(*shared_);
    shared_->mark_broken(why);
  } catch (...) {  // the lock would not be taken: the waiters' slices still end their waits
  }
}

std::size_t shared_queue::size() const {
  lock l(*shared_);
  return shared_->count;
}

std::size_t shared_queue::high_water() const {
  lock l(*shared_);
  return shared_->high_water;
}

std::size_t shared_queue::capacity() const {
  return shared_->capacity;
}

void shared_queue::while_locked(const std::function<void()>& f) {
  lock l(*shared_);
  f();
}

}  // namespace concur::processes
