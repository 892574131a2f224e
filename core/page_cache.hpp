#pragma once
// The kernel's page cache, for cold-cache cases. Dropping it needs root and a writable /proc/sys
// (most containers mount it read-only), and it slows every program on the machine for a moment,
// so a user can decline it (concur-bench --no-drop-caches, or CONCUR_NO_DROP_CACHES=1).
#include <string>

namespace concur::page_cache {

// Declines dropping the page cache in this process, `by` naming who declined it (the flag or the
// variable the user gave), for the skip reason; empty allows it again. Set before the matrix is
// built.
void set_declined_by(std::string by);

// Why the cache cannot be dropped here; empty when it can.
std::string drop_unavailable();

// sync(), then drops clean page cache, dentries and inodes (`echo 3 > /proc/sys/vm/drop_caches`);
// throws std::system_error when the kernel refuses.
void drop();

}  // namespace concur::page_cache
