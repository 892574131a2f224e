#include "core/fork.hpp"

#include <algorithm>
#include <mutex>
#include <vector>

namespace concur::fork_gate {
namespace {

// Held while anything is parked, so that nothing enlists or leaves mid-fork. A fork in the child
// of a fork (the thread that held it is the child's one thread) nests on the depth below.
std::mutex& gate() {
  static std::mutex m;
  return m;
}
std::vector<parkable*>& enlisted() {
  static std::vector<parkable*> v;
  return v;
}
thread_local int depth = 0;

}  // namespace

void enlist(parkable& p) {
  const std::scoped_lock lock(gate());
  enlisted().push_back(&p);
}

void leave(parkable& p) noexcept {
  const std::scoped_lock lock(gate());
  std::erase(enlisted(), &p);
}

parked::parked() {
  if (depth++ > 0) return;
  gate().lock();
  auto& all = enlisted();
  for (auto it = all.begin(); it != all.end(); ++it) {
    try {
      (*it)->park();
    } catch (...) {
      while (it != all.begin()) (*--it)->resume();
      gate().unlock();
      --depth;
      throw;
    }
  }
}

parked::~parked() {
  if (--depth > 0) return;
  for (auto* p : enlisted()) p->resume();
  gate().unlock();
}

}  // namespace concur::fork_gate
