#pragma once
// Debian's libtbb is not built with ThreadSanitizer, so TSan cannot see the synchronisation inside
// it (a parallel_pipeline handing items to workers, the pipeline's end). Code that uses oneTBB
// beyond tbb_model::task_group (which annotates itself) marks its hand-overs with these: release
// where a body ends, acquire where one starts and where the caller resumes. Without TSan they are
// nothing.
#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#endif

namespace concur::tbb_model {

#if defined(__SANITIZE_THREAD__)
inline void tsan_release(void* sync) {
  __tsan_release(sync);
}
inline void tsan_acquire(void* sync) {
  __tsan_acquire(sync);
}
#else
inline void tsan_release(void*) {}
inline void tsan_acquire(void*) {}
#endif

}  // namespace concur::tbb_model
