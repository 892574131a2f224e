#include "core/fork.hpp"

#include <algorithm>
#include <mutex>
#include <vector>

namespace concur::fork_gate {
namespace {

// The mutex is held while anything is parked, so that nothing enlists or leaves mid-fork. Never
// destroyed: a server that lives until exit leaves in a static destructor, which may run after
// this one would have. A fork in the child of a fork (the thread that held the mutex is the
// child's one thread) nests on the depth below.
struct registry {
  std::mutex gate;
  std::vector<parkable*> enlisted;
};
registry& the_registry() {
  static auto* r = new registry;
  return *r;
}
std::mutex& gate() {
  return the_registry().gate;
}
std::vector<parkable*>& enlisted() {
  return the_registry().enlisted;
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
