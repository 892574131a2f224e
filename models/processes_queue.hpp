#pragma once
// processes: a bounded FIFO queue between processes, as Python's multiprocessing.Queue(maxsize):
// put() blocks while it is full, get() while it is empty, and an end mark (Python's None, one per
// consumer) tells a consumer to stop. It lives in shared memory mapped before the fork
// (MAP_SHARED | MAP_ANONYMOUS), so every worker forked after it sees the same queue; a
// process-shared robust mutex and two process-shared condition variables guard it.
//
// A process may die anywhere, the lock held included. Then the queue is *broken*: whoever takes
// the lock next is told the owner died (EOWNERDEAD), marks the queue broken and wakes everyone;
// the parent breaks it too when it learns a worker died (abandon). Every blocked put() or get()
// then throws queue_broken, so a run with a dead worker fails with a message instead of waiting
// forever. Waits are sliced (100 ms): a process that dies inside a condition-variable wait can
// leave glibc's condition variable owing a wakeup to a waiter still alive.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace concur::processes {

// The queue was broken: a process died holding its lock, or the run was abandoned.
class queue_broken : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class shared_queue {
 public:
  // Maps a queue of `capacity` items (at least 1); make it before forking its users. Throws
  // resource_exhausted when the OS refuses the memory.
  explicit shared_queue(std::size_t capacity);
  ~shared_queue();  // unmaps it (in the process that calls it; the others keep their mapping)
  shared_queue(const shared_queue&) = delete;
  shared_queue& operator=(const shared_queue&) = delete;

  // q.put(item): blocks while the queue is full.
  void put(std::uint64_t item);
  // q.put(None): the end mark, which takes a place like an item.
  void put_end();
  // put_end without blocking: false when the queue is full (what a loop that must not block
  // calls, retrying later).
  bool try_put_end();
  // q.get(): blocks while the queue is empty; std::nullopt for an end mark.
  std::optional<std::uint64_t> get();

  // Breaks the queue, saying why: every waiter wakes and throws queue_broken with `why`.
  void abandon(std::string_view why) noexcept;

  std::size_t size() const;
  std::size_t high_water() const;  // the most it held, end marks included
  std::size_t capacity() const;

  // Runs f holding the queue's lock: how a test makes a process die holding it.
  void while_locked(const std::function<void()>& f);

 private:
  struct header;
  class lock;
  bool push(std::uint64_t item, bool end, bool wait);

  header* shared_;
  std::size_t bytes_;
};

}  // namespace concur::processes
