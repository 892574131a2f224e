// The one piece of Boost.Context's ucontext back end that is not in its headers: each thread's
// record of the context it runs on. Debian's libboost-context is built for fcontext, which switches
// stacks without telling AddressSanitizer; the asan preset builds the fibers on ucontext with
// BOOST_USE_ASAN instead (CMakeLists.txt), whose switches announce themselves to ASan, and this
// file supplies what the library would have.
#if defined(BOOST_USE_UCONTEXT)

#include <boost/context/fiber_ucontext.hpp>

namespace boost::context::detail {

fiber_activation_record*& fiber_activation_record::current() noexcept {
  // The record of the thread's own stack, made the first time the thread switches; `running`
  // points at whichever context runs now, and is back at the thread's when the thread ends.
  struct thread_record {
    fiber_activation_record* const own = new fiber_activation_record();
    fiber_activation_record* running = own;
    ~thread_record() { delete own; }
  };
  thread_local thread_record record;
  return record.running;
}

}  // namespace boost::context::detail

#endif
