// The kernel's floor per loopback long-poll connection, for the C100k figures of README.md: the
// same exchange as the connections workload (connect, request, held reply, close by the server
// first) with nothing around it: S server processes sharing A addresses' ports (SO_REUSEPORT),
// C client processes holding N/C connections each, plain blocking calls on the clients' side
// (socket, connect, send; then recv until end of file, close), epoll on the servers' (accept4 +
// recv while the clients connect; then send with MSG_MORE, shutdown, close). The reply is sent
// when every client has sent (the hold), and each side's CPU comes from wait4's rusage.
// Not part of the build:  cc -O2 -o /tmp/floor workloads/connections/floor.c
//                         /tmp/floor 100000 6 6 25   # N, servers, clients, addresses
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}
static double tv(struct timeval t) {
  return t.tv_sec + t.tv_usec * 1e-6;
}
int main(int argc, char** argv) {
  if (argc != 5 || atoi(argv[2]) < 1 || atoi(argv[2]) > 64 || atoi(argv[3]) < 1 ||
      atoi(argv[4]) < 1 || atoi(argv[4]) > 64) {
    fprintf(stderr, "usage: %s N SERVERS(1-64) CLIENTS ADDRESSES(1-64)\n", argv[0]);
    return 2;
  }
  int n = atoi(argv[1]), S = atoi(argv[2]), C = atoi(argv[3]), A = atoi(argv[4]);
  struct rlimit rl;
  getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
  int lfd[64][64];
  struct sockaddr_in a[64];
  for (int k = 0; k < A; ++k) {
    memset(&a[k], 0, sizeof a[k]);
    a[k].sin_family = AF_INET;
    a[k].sin_addr.s_addr = htonl(INADDR_LOOPBACK + k);
    for (int s = 0; s < S; ++s) {
      lfd[s][k] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      int one = 1;
      setsockopt(lfd[s][k], SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
      if (bind(lfd[s][k], (struct sockaddr*)&a[k], sizeof a[k]) || listen(lfd[s][k], 65535)) {
        perror("listen");
        return 1;
      }
      socklen_t l = sizeof a[k];
      getsockname(lfd[s][k], (struct sockaddr*)&a[k], &l);
    }
  }
  int go[2];
  pipe(go);
  pid_t spid[64], cpid[64];
  const char reply[] =
      "HTTP/1.1 200 OK\r\nServer: concur-hold\r\nContent-Type: text/plain\r\nContent-Length: "
      "17\r\nConnection: close\r\n\r\nconnection 12345\n";
  double t0 = now();
  for (int s = 0; s < S; ++s)
    if ((spid[s] = fork()) == 0) {
      int* fd = malloc(sizeof(int) * 20000);
      int got = 0;
      char buf[512];
      int ep = epoll_create1(0);
      for (int k = 0; k < A; ++k) {
        struct epoll_event e = {EPOLLIN, {.u64 = (1ull << 40) | k}};
        epoll_ctl(ep, EPOLL_CTL_ADD, lfd[s][k], &e);
      }
      struct epoll_event e = {EPOLLIN, {.u64 = 2ull << 40}};
      epoll_ctl(ep, EPOLL_CTL_ADD, go[0], &e);
      struct epoll_event ev[128];
      int done = 0;
      while (!done) {
        int m = epoll_wait(ep, ev, 128, -1);
        for (int j = 0; j < m; ++j) {
          if ((ev[j].data.u64 >> 40) == 2) {
            done = 1;
            continue;
          }
          int k = ev[j].data.u64 & 0xff;
          for (int c; (c = accept4(lfd[s][k], NULL, NULL, 0)) >= 0;) {
            recv(c, buf, sizeof buf, 0);
            fd[got++] = c;
          }
        }
      }
      for (int k = 0; k < A; ++k)
        for (int c; (c = accept4(lfd[s][k], NULL, NULL, 0)) >= 0;) {
          recv(c, buf, sizeof buf, 0);
          fd[got++] = c;
        }
      for (int i = 0; i < got; ++i) {
        send(fd[i], reply, sizeof reply - 1, MSG_MORE);
        shutdown(fd[i], SHUT_WR);
        close(fd[i]);
      }
      _exit(0);
    }
  int ready[2];
  pipe(ready);
  int cgo[2];
  pipe(cgo);
  for (int c = 0; c < C; ++c)
    if ((cpid[c] = fork()) == 0) {
      int share = n / C;
      int* fd = malloc(sizeof(int) * share);
      char buf[512];
      const char req[] = "GET /c/12345 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
      for (int i = 0; i < share; ++i) {
        int k = (c * share + i) % A;
        fd[i] = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(fd[i], (struct sockaddr*)&a[k], sizeof a[k])) {
          perror("connect");
          _exit(1);
        }
        send(fd[i], req, sizeof req - 1, 0);
      }
      write(ready[1], "r", 1);
      char x;
      read(cgo[0], &x, 1);
      for (int i = 0; i < share; ++i) {
        while (recv(fd[i], buf, sizeof buf, 0) > 0) {
        }
        close(fd[i]);
      }
      _exit(0);
    }
  for (int c = 0; c < C; ++c) {
    char x;
    read(ready[0], &x, 1);
  }
  double t1 = now();
  for (int s = 0; s < S; ++s) write(go[1], "g", 1);
  for (int c = 0; c < C; ++c) write(cgo[1], "g", 1);
  double sc = 0, cc = 0;
  struct rusage u;
  int st;
  for (int s = 0; s < S; ++s) {
    wait4(spid[s], &st, 0, &u);
    sc += tv(u.ru_utime) + tv(u.ru_stime);
  }
  for (int c = 0; c < C; ++c) {
    wait4(cpid[c], &st, 0, &u);
    cc += tv(u.ru_utime) + tv(u.ru_stime);
  }
  double t2 = now();
  printf(
      "floor n=%d servers %d clients %d addresses %d: open %.2fs total %.2fs client %.1f server "
      "%.1f sum %.1f us/conn\n",
      n, S, C, A, t1 - t0, t2 - t0, cc * 1e6 / n, sc * 1e6 / n, (cc + sc) * 1e6 / n);
}
