#pragma once
// What the kernel says about sockets, read from /proc (system-wide figures: other processes'
// sockets count too).
#include <cstdint>

namespace concur::connections::kernel {

// /proc/net/sockstat's TCP "mem": pages the TCP sockets hold; -1 when it cannot be read.
long tcp_memory_pages();

// /proc/net/netstat's TcpExt ListenOverflows: connections dropped because an accept queue was
// full; -1 when it cannot be read.
long listen_overflows();

}  // namespace concur::connections::kernel
