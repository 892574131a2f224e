#pragma once
// What the kernel says about sockets, read from /proc (system-wide figures: other processes'
// sockets count too).
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace concur::connections::kernel {

// /proc/net/sockstat's TCP "mem": pages the TCP sockets hold; -1 when it cannot be read.
long tcp_memory_pages();

// /proc/meminfo's Slab: bytes the kernel's object caches hold (sockets, files, epoll entries:
// the per-connection structures sockstat's "mem" does not count); -1 when it cannot be read.
long long slab_bytes();

// /proc/net/netstat's TcpExt ListenOverflows: connections dropped because an accept queue was
// full; -1 when it cannot be read.
long listen_overflows();

// A "Key: N kB" line of /proc/<pid>/status (VmRSS, VmHWM) in bytes; 0 when it cannot be read
// (the process has gone).
long long status_bytes(pid_t pid, std::string_view key);

// Resets the process's peak RSS mark (VmHWM) to its RSS now (/proc/<pid>/clear_refs, "5");
// whether it could.
bool reset_peak_resident(pid_t pid);

// Why RLIMIT_NOFILE stops where it does: "hard limit H, fs.nr_open R; raising the hard limit
// needs CAP_SYS_RESOURCE, which this process lacks" (or has).
std::string descriptor_ceiling();

}  // namespace concur::connections::kernel
