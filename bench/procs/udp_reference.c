/*
 * The C reference of the native I/O benchmark (bench/suites/native-io.ts), compiled at bench time
 * into a temporary directory (never committed as a binary). It speaks the JSON-lines protocol of
 * the other benchmark processes: one JSON object per line on stdout, commands on stdin.
 *
 * Modes:
 *   fill --pid P --port N --count C --size S --rcvbuf B
 *       Finds process P's UDP socket bound to 127.0.0.1:N (/proc/net/udp + /proc/P/fd), takes a
 *       copy of its descriptor (pidfd_getfd, needs root or ptrace rights), raises that socket's
 *       receive buffer with SO_RCVBUFFORCE (that socket only), then sends C datagrams of S bytes
 *       to it with sendmmsg. Prints {"done":true,"sent":C,"rcvbuf":actual}.
 *   drain
 *       A receiver: prints {"ready":true,"port":N,"pid":P}; "hold MS" answers {"holding":true},
 *       then blocks MS ms (its queue fills meanwhile) and drains with recvmmsg(64) from an epoll
 *       loop, as an event-loop program would; "stats" answers {"count","bytes","released","first","last"}.
 *   send --port N --count C --size S --burst K
 *       Sends C datagrams in sendmmsg calls of K; prints {"done":true,"sent":C,"seconds":T}.
 *   echo-server
 *       Echoes every datagram back with recvmmsg/sendmmsg; "stats" answers {"count","cpu"}.
 *   echo-client --port N --count C --size S --window W
 *       W datagrams in flight; prints {"done":true,"count","rate","seconds"} and exits.
 *
 * Loopback only: every address is 127.0.0.1.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define MAX_SIZE 65536

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_seconds(void) {
  struct rusage r;
  getrusage(RUSAGE_SELF, &r);
  return r.ru_utime.tv_sec + r.ru_utime.tv_usec / 1e6 + r.ru_stime.tv_sec + r.ru_stime.tv_usec / 1e6;
}

static long arg(int argc, char** argv, const char* name, long fallback) {
  for (int i = 2; i + 1 < argc; i++)
    if (argv[i][0] == '-' && argv[i][1] == '-' && strcmp(argv[i] + 2, name) == 0) return atol(argv[i + 1]);
  return fallback;
}

static void die(const char* what) {
  fprintf(stderr, "udp_reference: %s: %s\n", what, strerror(errno));
  exit(1);
}

static struct sockaddr_in loopback(int port) {
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((unsigned short)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

static int bound_socket(int nonblocking) {
  int fd = socket(AF_INET, SOCK_DGRAM | (nonblocking ? SOCK_NONBLOCK : 0), 0);
  if (fd < 0) die("socket");
  struct sockaddr_in a = loopback(0);
  if (bind(fd, (struct sockaddr*)&a, sizeof a) < 0) die("bind");
  return fd;
}

static int local_port(int fd) {
  struct sockaddr_in a;
  socklen_t len = sizeof a;
  getsockname(fd, (struct sockaddr*)&a, &len);
  return ntohs(a.sin_port);
}

/* The inode of the UDP socket bound to 127.0.0.1:port, from /proc/net/udp. */
static unsigned long socket_inode(int port) {
  FILE* f = fopen("/proc/net/udp", "r");
  if (f == NULL) die("/proc/net/udp");
  char line[512];
  unsigned long inode = 0;
  char want[32];
  snprintf(want, sizeof want, "0100007F:%04X", port);
  while (fgets(line, sizeof line, f) != NULL) {
    char local[64];
    unsigned long ino;
    if (sscanf(line, " %*d: %63s %*s %*s %*s %*s %*s %*s %*s %lu", local, &ino) == 2 && strcmp(local, want) == 0) {
      inode = ino;
      break;
    }
  }
  fclose(f);
  return inode;
}

/* A copy of process pid's descriptor of the socket with that inode. */
static int steal_socket(int pid, unsigned long inode) {
  char dir[64], path[512], target[128], want[64];
  snprintf(dir, sizeof dir, "/proc/%d/fd", pid);
  snprintf(want, sizeof want, "socket:[%lu]", inode);
  DIR* d = opendir(dir);
  if (d == NULL) die("opendir /proc/<pid>/fd");
  int theirs = -1;
  struct dirent* e;
  while ((e = readdir(d)) != NULL) {
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    ssize_t n = readlink(path, target, sizeof target - 1);
    if (n <= 0) continue;
    target[n] = 0;
    if (strcmp(target, want) == 0) {
      theirs = atoi(e->d_name);
      break;
    }
  }
  closedir(d);
  if (theirs < 0) {
    errno = ENOENT;
    die("the receiver's socket was not found");
  }
  int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (pidfd < 0) die("pidfd_open");
  int fd = (int)syscall(SYS_pidfd_getfd, pidfd, theirs, 0);
  if (fd < 0) die("pidfd_getfd");
  close(pidfd);
  return fd;
}

static char payload[MAX_SIZE];

/* Sends count datagrams of size bytes to 127.0.0.1:port in sendmmsg calls of burst. */
static long send_all(int fd, int port, long count, int size, int burst) {
  struct sockaddr_in to = loopback(port);
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  if (burst > BATCH) burst = BATCH;
  if (burst < 1) burst = 1;
  long sent = 0;
  while (sent < count) {
    int n = count - sent < burst ? (int)(count - sent) : burst;
    for (int i = 0; i < n; i++) {
      iov[i].iov_base = payload;
      iov[i].iov_len = (size_t)size;
      memset(&msgs[i], 0, sizeof msgs[i]);
      msgs[i].msg_hdr.msg_name = &to;
      msgs[i].msg_hdr.msg_namelen = sizeof to;
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int r = sendmmsg(fd, msgs, (unsigned)n, 0);
    if (r < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == ENOBUFS) continue;
      die("sendmmsg");
    }
    sent += r;
  }
  return sent;
}

static int fill(int argc, char** argv) {
  int pid = (int)arg(argc, argv, "pid", 0), port = (int)arg(argc, argv, "port", 0);
  long count = arg(argc, argv, "count", 10000);
  int size = (int)arg(argc, argv, "size", 64);
  int rcvbuf = (int)arg(argc, argv, "rcvbuf", 1 << 28);
  unsigned long inode = socket_inode(port);
  if (inode == 0) {
    errno = ENOENT;
    die("no socket on 127.0.0.1:<port>");
  }
  int theirs = steal_socket(pid, inode);
  if (setsockopt(theirs, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0) die("SO_RCVBUFFORCE");
  int actual = 0;
  socklen_t len = sizeof actual;
  getsockopt(theirs, SOL_SOCKET, SO_RCVBUF, &actual, &len);
  close(theirs);
  int fd = bound_socket(0);
  long sent = send_all(fd, port, count, size, BATCH);
  printf("{\"done\":true,\"sent\":%ld,\"rcvbuf\":%d}\n", sent, actual);
  return 0;
}

/* Reads one command line from stdin when one is ready; returns 0 at the end of stdin. */
static int command(char* line, size_t size) {
  if (fgets(line, (int)size, stdin) == NULL) return 0;
  line[strcspn(line, "\r\n")] = 0;
  return 1;
}

static int drain(int argc, char** argv) {
  (void)argc;
  (void)argv;
  int fd = bound_socket(1);
  printf("{\"ready\":true,\"port\":%d,\"pid\":%d}\n", local_port(fd), (int)getpid());
  fflush(stdout);
  static char bufs[BATCH][MAX_SIZE];
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  struct sockaddr_in from[BATCH];
  long count = 0;
  double bytes = 0, released = 0, first = 0, last = 0;
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
  epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  ev.data.fd = 0;
  epoll_ctl(ep, EPOLL_CTL_ADD, 0, &ev);
  char line[256];
  for (;;) {
    struct epoll_event events[2];
    int n = epoll_wait(ep, events, 2, -1);
    if (n < 0 && errno == EINTR) continue;
    for (int k = 0; k < n; k++) {
      if (events[k].data.fd == 0) {
        if (!command(line, sizeof line) || strcmp(line, "quit") == 0) return 0;
        if (strncmp(line, "hold", 4) == 0) {
          printf("{\"holding\":true}\n");
          fflush(stdout);
          long ms = atol(line + 5);
          struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
          nanosleep(&ts, NULL);
          released = now();
        } else if (strcmp(line, "stats") == 0) {
          printf("{\"count\":%ld,\"bytes\":%.0f,\"released\":%.9f,\"first\":%.9f,\"last\":%.9f,\"cpu\":%.6f}\n", count,
                 bytes, released, first, last, cpu_seconds());
          fflush(stdout);
        }
        continue;
      }
      /* Readable: drain in recvmmsg calls of 64, at most 256 datagrams per wake-up. */
      for (int round = 0; round < 4; round++) {
        for (int i = 0; i < BATCH; i++) {
          iov[i].iov_base = bufs[i];
          iov[i].iov_len = MAX_SIZE;
          memset(&msgs[i], 0, sizeof msgs[i]);
          msgs[i].msg_hdr.msg_name = &from[i];
          msgs[i].msg_hdr.msg_namelen = sizeof from[i];
          msgs[i].msg_hdr.msg_iov = &iov[i];
          msgs[i].msg_hdr.msg_iovlen = 1;
        }
        int r = recvmmsg(fd, msgs, BATCH, 0, NULL);
        if (r <= 0) break;
        double t = now();
        if (count == 0) first = t;
        for (int i = 0; i < r; i++) bytes += msgs[i].msg_len;
        count += r;
        last = t;
        if (r < BATCH) break;
      }
    }
  }
}

static int send_mode(int argc, char** argv) {
  int port = (int)arg(argc, argv, "port", 0);
  long count = arg(argc, argv, "count", 100000);
  int size = (int)arg(argc, argv, "size", 64), burst = (int)arg(argc, argv, "burst", 64);
  int fd = bound_socket(0);
  double start = now(), cpu = cpu_seconds();
  long sent = send_all(fd, port, count, size, burst);
  double seconds = now() - start;
  printf("{\"done\":true,\"sent\":%ld,\"seconds\":%.9f,\"rate\":%.1f,\"cpu\":%.6f}\n", sent, seconds, sent / seconds,
         cpu_seconds() - cpu);
  return 0;
}

static int echo_server(int argc, char** argv) {
  (void)argc;
  (void)argv;
  int fd = bound_socket(1);
  printf("{\"ready\":true,\"port\":%d,\"pid\":%d}\n", local_port(fd), (int)getpid());
  fflush(stdout);
  static char bufs[BATCH][MAX_SIZE];
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  struct sockaddr_in from[BATCH];
  long count = 0;
  struct pollfd fds[2] = {{fd, POLLIN, 0}, {0, POLLIN, 0}};
  char line[256];
  for (;;) {
    if (poll(fds, 2, -1) < 0) continue;
    if (fds[1].revents) {
      if (!command(line, sizeof line) || strcmp(line, "quit") == 0) return 0;
      if (strcmp(line, "stats") == 0) {
        printf("{\"count\":%ld,\"cpu\":%.6f}\n", count, cpu_seconds());
        fflush(stdout);
      }
    }
    if (fds[0].revents & POLLIN) {
      for (int i = 0; i < BATCH; i++) {
        iov[i].iov_base = bufs[i];
        iov[i].iov_len = MAX_SIZE;
        memset(&msgs[i], 0, sizeof msgs[i]);
        msgs[i].msg_hdr.msg_name = &from[i];
        msgs[i].msg_hdr.msg_namelen = sizeof from[i];
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
      }
      int r = recvmmsg(fd, msgs, BATCH, 0, NULL);
      if (r <= 0) continue;
      for (int i = 0; i < r; i++) iov[i].iov_len = msgs[i].msg_len;
      int done = 0;
      while (done < r) {
        int s = sendmmsg(fd, msgs + done, (unsigned)(r - done), 0);
        if (s < 0) {
          if (errno == EINTR || errno == EAGAIN) continue;
          break;
        }
        done += s;
      }
      count += r;
    }
  }
}

static int echo_client(int argc, char** argv) {
  int port = (int)arg(argc, argv, "port", 0);
  long count = arg(argc, argv, "count", 10000);
  int size = (int)arg(argc, argv, "size", 64), window = (int)arg(argc, argv, "window", 1);
  if (window > BATCH) window = BATCH;
  int fd = bound_socket(0);
  struct sockaddr_in to = loopback(port);
  if (connect(fd, (struct sockaddr*)&to, sizeof to) < 0) die("connect");
  struct timeval tv = {0, 100000}; /* a lost datagram on loopback (rare): resend after 100 ms */
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  static char bufs[BATCH][MAX_SIZE];
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  long sent = 0, received = 0, lost = 0;
  int in_flight = 0;
  double start = now();
  while (received < count) {
    int n = 0;
    while (in_flight + n < window && sent + n < count) n++;
    for (int i = 0; i < n; i++) {
      iov[i].iov_base = payload;
      iov[i].iov_len = (size_t)size;
      memset(&msgs[i], 0, sizeof msgs[i]);
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    if (n > 0) {
      int s = sendmmsg(fd, msgs, (unsigned)n, 0);
      if (s > 0) {
        sent += s;
        in_flight += s;
      }
    }
    for (int i = 0; i < BATCH; i++) {
      iov[i].iov_base = bufs[i];
      iov[i].iov_len = MAX_SIZE;
      memset(&msgs[i], 0, sizeof msgs[i]);
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int r = recvmmsg(fd, msgs, BATCH, MSG_WAITFORONE, NULL);
    if (r < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        lost += in_flight;
        sent -= in_flight;
        in_flight = 0;
      }
      continue;
    }
    received += r;
    in_flight -= r;
  }
  double seconds = now() - start;
  printf("{\"done\":true,\"count\":%ld,\"rate\":%.1f,\"seconds\":%.9f,\"lost\":%ld}\n", received, received / seconds,
         seconds, lost);
  return 0;
}

int main(int argc, char** argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  memset(payload, 'a', sizeof payload);
  if (argc < 2) {
    fprintf(stderr, "usage: udp_reference fill|drain|send|echo-server|echo-client [--name value]...\n");
    return 2;
  }
  if (strcmp(argv[1], "fill") == 0) return fill(argc, argv);
  if (strcmp(argv[1], "drain") == 0) return drain(argc, argv);
  if (strcmp(argv[1], "send") == 0) return send_mode(argc, argv);
  if (strcmp(argv[1], "echo-server") == 0) return echo_server(argc, argv);
  if (strcmp(argv[1], "echo-client") == 0) return echo_client(argc, argv);
  fprintf(stderr, "udp_reference: unknown mode %s\n", argv[1]);
  return 2;
}
