/*
 * twisted-ts native UDP I/O: one UDP socket read and written in batches.
 *
 * node:dgram crosses from C++ into JavaScript once per datagram (and allocates 64 KiB for each)
 * and makes one send request per datagram. Here a readable socket is drained with recvmmsg(2) up
 * to a budget per wake-up and the whole batch is handed to JavaScript in one call: one Buffer
 * holding the datagrams back to back, their lengths, ports and senders in a shared Int32Array.
 * Writes staged by JavaScript during one turn go out together with sendmmsg(2); what the kernel
 * does not take (EAGAIN) waits in a FIFO queue here until the socket is writable again, so the
 * order of datagrams is kept.
 *
 * The socket itself is a libuv uv_udp_t, created, bound, connected and configured with the same
 * libuv calls node:dgram makes (uv_udp_bind with the same flags, uv_udp_set_membership,
 * uv_udp_set_source_membership, uv_udp_set_multicast_*, uv_udp_set_broadcast), so every socket
 * option means exactly what it means on the dgram path. libuv never reads or writes it (no
 * uv_udp_recv_start, no uv_udp_send): a uv_poll_t on the same descriptor drives the batched I/O
 * instead, since libuv's own UV_UDP_RECVMMSG mode hands out at most 20 datagrams per call and
 * about 40 per wake-up (see native-io-facts in docs/decisions.md).
 *
 * Linux has recvmmsg/sendmmsg; elsewhere the same loops run one recvmsg/sendmsg per datagram.
 */
#define NAPI_VERSION 6 /* napi_set_instance_data (6); everything else is in 1-3 */
#include <node_api.h>
#include <uv.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <net/if.h>
#include <unistd.h>

/* The largest UDP payload is 65527 bytes (IPv6; 65507 on IPv4): a slot never needs more. */
#define MAX_SLOT 65535
/* Where one wake-up's datagrams land before they are copied into the batch's Buffer. */
#define SCRATCH_BYTES (2u << 20)
/* At most this many datagrams per wake-up (Twisted reads up to 256 KiB per doRead). */
#define RECV_BUDGET 256
/* Received datagrams reach JavaScript as views into one Buffer per batch, of at most this many
 * bytes (a longer batch is split): a datagram that JavaScript keeps keeps at most this much
 * memory alive, as node:dgram's 64 KiB receive buffers once did. */
#define BATCH_BYTES 65536
/* Messages per recvmmsg/sendmmsg call. */
#define MMSG_CHUNK 64

/* Receive metadata, per datagram, in the shared Int32Array: kept length, real length, port,
 * index of the sender's host in the batch's array of host strings. */
#define RECV_STRIDE 4
/* Send metadata, per staged datagram: offset in the stage, length, port, family (0: the
 * connected peer), IPv6 scope id, then the address (4 or 16 bytes) in 4 int32 words. */
#define SEND_STRIDE 9
#define SEND_OFFSET 0
#define SEND_LENGTH 1
#define SEND_PORT 2
#define SEND_FAMILY 3
#define SEND_SCOPE 4
#define SEND_ADDR 5

/* Counters shared with JavaScript in a Float64Array. */
enum { STAT_DATAGRAMS_OUT, STAT_BYTES_OUT, STAT_QUEUED_BYTES, STAT_QUEUED_DATAGRAMS, STAT_COUNT };

#if !defined(__linux__)
/* The same interface as Linux's, one system call per datagram. */
struct mmsghdr {
  struct msghdr msg_hdr;
  unsigned int msg_len;
};

static int recvmmsg(int fd, struct mmsghdr* msgs, unsigned int n, int flags, void* timeout) {
  unsigned int i;
  (void)timeout;
  for (i = 0; i < n; i++) {
    ssize_t r = recvmsg(fd, &msgs[i].msg_hdr, flags);
    if (r < 0) return i > 0 ? (int)i : -1;
    msgs[i].msg_len = (unsigned int)r;
  }
  return (int)n;
}

static int sendmmsg(int fd, struct mmsghdr* msgs, unsigned int n, int flags) {
  unsigned int i;
  for (i = 0; i < n; i++) {
    ssize_t r = sendmsg(fd, &msgs[i].msg_hdr, flags);
    if (r < 0) return i > 0 ? (int)i : -1;
    msgs[i].msg_len = (unsigned int)r;
  }
  return (int)n;
}
#define RECV_FLAGS 0
#else
/* With MSG_TRUNC, msg_len is the datagram's real length even when the slot kept less. */
#define RECV_FLAGS MSG_TRUNC
#endif

/* Per JavaScript environment (main thread or worker): the receive scratch area, shared by every
 * socket of the environment since their callbacks never run at the same time. */
typedef struct {
  char* scratch;
  struct mmsghdr msgs[RECV_BUDGET];
  struct iovec iov[RECV_BUDGET];
  struct sockaddr_storage names[RECV_BUDGET];
  napi_ref constructor;
} env_state;

/* One queued datagram: its destination and its bytes (in the chunk's data area). */
typedef struct {
  struct sockaddr_storage addr;
  socklen_t addrlen; /* 0: the connected peer */
  uint32_t offset;
  uint32_t length;
} queued_datagram;

/* Datagrams the kernel did not take yet, in order; one chunk per refused batch. */
typedef struct send_chunk {
  struct send_chunk* next;
  uint32_t count;
  uint32_t next_index;
  queued_datagram* items;
  char* data;
} send_chunk;

typedef struct {
  uv_udp_t udp;   /* owns the descriptor; binds, connects and sets options, as dgram does */
  uv_poll_t poll; /* readiness of the same descriptor, for the batched reads and writes */
  napi_env env;
  env_state* state;
  napi_ref wrapper; /* strong while open: an open socket is not collected */
  napi_ref on_batch;
  napi_ref on_send_progress;
  napi_ref recv_meta_ref;
  int32_t* recv_meta;
  napi_ref stats_ref;
  double* stats;
  napi_async_context async;
  int fd;
  int poll_initialized;
  int events; /* what the poll handle watches now */
  int reading;
  int closing;
  int open_handles;
  int finalized;
  int released; /* release_js ran */
  int env_gone; /* the environment is being torn down: no N-API call any more */
  uint32_t slot;
  send_chunk* queue_head;
  send_chunk* queue_tail;
} udp_socket;

/* ------------------------------------------------------------------------------------------- */
/* N-API helpers */

#define NAPI_OK(env, call)                                                          \
  do {                                                                              \
    if ((call) != napi_ok) {                                                        \
      throw_last_error(env, #call);                                                 \
      return NULL;                                                                  \
    }                                                                               \
  } while (0)

static void throw_last_error(napi_env env, const char* what) {
  const napi_extended_error_info* info = NULL;
  int pending = 0;
  napi_is_exception_pending(env, (bool*)&pending);
  if (pending) return;
  napi_get_last_error_info(env, &info);
  char message[256];
  snprintf(message, sizeof message, "twisted-ts native UDP: %s failed: %s", what,
           info != NULL && info->error_message != NULL ? info->error_message : "unknown error");
  napi_throw_error(env, "ERR_TWISTED_NATIVE", message);
}

static napi_value int_value(napi_env env, int64_t n) {
  napi_value v;
  if (napi_create_int64(env, n, &v) != napi_ok) return NULL;
  return v;
}

static napi_value undefined_value(napi_env env) {
  napi_value v;
  napi_get_undefined(env, &v);
  return v;
}

/* A string argument copied into `out`; returns 0, or UV_EINVAL when it is not a string or too long. */
static int string_arg(napi_env env, napi_value value, char* out, size_t size) {
  size_t length = 0;
  if (napi_get_value_string_utf8(env, value, out, size, &length) != napi_ok) return UV_EINVAL;
  if (length + 1 >= size) return UV_EINVAL;
  return 0;
}

/* An optional string argument (undefined or null: NULL). */
static int optional_string_arg(napi_env env, napi_value value, char* out, size_t size, const char** result) {
  napi_valuetype type;
  *result = NULL;
  if (napi_typeof(env, value, &type) != napi_ok) return UV_EINVAL;
  if (type == napi_undefined || type == napi_null) return 0;
  int err = string_arg(env, value, out, size);
  if (err == 0) *result = out;
  return err;
}

static udp_socket* unwrap_this(napi_env env, napi_callback_info info, size_t* argc, napi_value* argv) {
  napi_value self;
  void* data = NULL;
  if (napi_get_cb_info(env, info, argc, argv, &self, NULL) != napi_ok) return NULL;
  if (napi_unwrap(env, self, &data) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_THIS", "not a native UDP socket");
    return NULL;
  }
  return (udp_socket*)data;
}

/* A typed array argument of the expected type with at least `min_length` elements. */
static void* typed_array_arg(napi_env env, napi_value value, napi_typedarray_type expected, size_t min_length) {
  napi_typedarray_type type;
  size_t length;
  void* data;
  napi_value buffer;
  size_t offset;
  bool is_typed = false;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed) return NULL;
  if (napi_get_typedarray_info(env, value, &type, &length, &data, &buffer, &offset) != napi_ok) return NULL;
  if (type != expected || length < min_length) return NULL;
  return data;
}

/* The host part of an address, as Node spells it (link-local IPv6 with its interface). */
static size_t format_host(const struct sockaddr* sa, char* out, size_t size) {
  if (sa->sa_family == AF_INET) {
    uv_inet_ntop(AF_INET, &((const struct sockaddr_in*)sa)->sin_addr, out, size);
    return strlen(out);
  }
  const struct sockaddr_in6* a6 = (const struct sockaddr_in6*)sa;
  uv_inet_ntop(AF_INET6, &a6->sin6_addr, out, size);
  size_t length = strlen(out);
  if (IN6_IS_ADDR_LINKLOCAL(&a6->sin6_addr) && a6->sin6_scope_id > 0 && length + 2 < size) {
    size_t rest = size - length - 1;
    out[length] = '%';
    if (uv_if_indextoiid(a6->sin6_scope_id, out + length + 1, &rest) != 0)
      snprintf(out + length + 1, size - length - 1, "%u", (unsigned)a6->sin6_scope_id);
    length = strlen(out);
  }
  return length;
}

static int address_port(const struct sockaddr* sa) {
  if (sa->sa_family == AF_INET) return ntohs(((const struct sockaddr_in*)sa)->sin_port);
  return ntohs(((const struct sockaddr_in6*)sa)->sin6_port);
}

/* [host, port] for an address, or NULL with an exception pending. */
static napi_value address_tuple(napi_env env, const struct sockaddr* sa) {
  char host[INET6_ADDRSTRLEN + UV_IF_NAMESIZE + 2];
  size_t length = format_host(sa, host, sizeof host);
  napi_value tuple, value;
  NAPI_OK(env, napi_create_array_with_length(env, 2, &tuple));
  NAPI_OK(env, napi_create_string_latin1(env, host, length, &value));
  NAPI_OK(env, napi_set_element(env, tuple, 0, value));
  NAPI_OK(env, napi_create_int32(env, address_port(sa), &value));
  NAPI_OK(env, napi_set_element(env, tuple, 1, value));
  return tuple;
}

/* Parses an IP literal (with an IPv6 zone, "fe80::1%eth0") as libuv and node:dgram do. */
static int parse_address(int family, const char* host, int port, struct sockaddr_storage* out) {
  memset(out, 0, sizeof *out);
  if (family == 6) return uv_ip6_addr(host, port, (struct sockaddr_in6*)out);
  return uv_ip4_addr(host, port, (struct sockaddr_in*)out);
}

/* ------------------------------------------------------------------------------------------- */
/* Lifetime */

static void maybe_free(udp_socket* s) {
  if (s->open_handles == 0 && s->finalized) free(s);
}

static void release_js(udp_socket* s);

/* Once both handles are closed, the JavaScript side is let go (not inside close(), which may run
 * inside a callback the socket's async context is making). */
static void on_handle_closed(uv_handle_t* handle) {
  udp_socket* s = (udp_socket*)handle->data;
  s->open_handles -= 1;
  if (s->open_handles == 0 && !s->env_gone) release_js(s);
  maybe_free(s);
}

static void free_queue(udp_socket* s) {
  send_chunk* chunk = s->queue_head;
  while (chunk != NULL) {
    send_chunk* next = chunk->next;
    free(chunk);
    chunk = next;
  }
  s->queue_head = s->queue_tail = NULL;
  if (s->stats != NULL) {
    s->stats[STAT_QUEUED_BYTES] = 0;
    s->stats[STAT_QUEUED_DATAGRAMS] = 0;
  }
}

/* Closes the descriptor now (libuv closes it inside uv_close) and the handles on a later turn.
 * The poll handle goes first: stopping it removes the descriptor from epoll while it is open. */
static void close_handles(udp_socket* s) {
  if (s->closing) return;
  s->closing = 1;
  s->reading = 0;
  free_queue(s);
  if (s->poll_initialized) uv_close((uv_handle_t*)&s->poll, on_handle_closed);
  uv_close((uv_handle_t*)&s->udp, on_handle_closed);
  s->fd = -1;
}

static void cleanup_hook(void* arg) {
  /* The environment is going away (a worker exits) with the socket open or closing: close the
   * descriptor; the environment drops the references itself. */
  udp_socket* s = (udp_socket*)arg;
  s->env_gone = 1;
  close_handles(s);
}

static void release_js(udp_socket* s) {
  napi_env env = s->env;
  if (s->released) return;
  s->released = 1;
  napi_remove_env_cleanup_hook(env, cleanup_hook, s);
  if (s->async != NULL) napi_async_destroy(env, s->async);
  s->async = NULL;
  napi_ref* refs[] = {&s->on_batch, &s->on_send_progress, &s->recv_meta_ref, &s->stats_ref, &s->wrapper};
  for (size_t i = 0; i < sizeof refs / sizeof refs[0]; i++) {
    if (*refs[i] != NULL) napi_delete_reference(env, *refs[i]);
    *refs[i] = NULL;
  }
  s->recv_meta = NULL;
  s->stats = NULL;
}

static void finalize_socket(napi_env env, void* data, void* hint) {
  udp_socket* s = (udp_socket*)data;
  (void)env;
  (void)hint;
  s->finalized = 1;
  maybe_free(s);
}

/* ------------------------------------------------------------------------------------------- */
/* Calling JavaScript from the event loop */

/* Runs a callback as node:dgram runs its events: in the socket's async context, with the tick
 * and microtask queues drained afterwards. An exception goes where an exception thrown by any
 * I/O callback goes ('uncaughtException'); the JavaScript side catches its own. */
static void call_js(udp_socket* s, napi_ref callback, size_t argc, napi_value* argv) {
  napi_env env = s->env;
  napi_value fn, self, result;
  if (napi_get_reference_value(env, callback, &fn) != napi_ok || fn == NULL) return;
  if (napi_get_reference_value(env, s->wrapper, &self) != napi_ok || self == NULL) return;
  if (napi_make_callback(env, s->async, self, fn, argc, argv, &result) != napi_ok) {
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (pending) {
      napi_value error;
      napi_get_and_clear_last_exception(env, &error);
      napi_fatal_exception(env, error);
    }
  }
}

/* ------------------------------------------------------------------------------------------- */
/* Reading */

static int same_sender(const struct sockaddr_storage* a, const struct sockaddr_storage* b) {
  if (a->ss_family != b->ss_family) return 0;
  if (a->ss_family == AF_INET)
    return ((const struct sockaddr_in*)a)->sin_addr.s_addr == ((const struct sockaddr_in*)b)->sin_addr.s_addr;
  const struct sockaddr_in6* x = (const struct sockaddr_in6*)a;
  const struct sockaddr_in6* y = (const struct sockaddr_in6*)b;
  return x->sin6_scope_id == y->sin6_scope_id && memcmp(&x->sin6_addr, &y->sin6_addr, 16) == 0;
}

static uint32_t kept_length(const udp_socket* s, uint32_t i) {
  uint32_t full = s->state->msgs[i].msg_len;
  return full < s->slot ? full : s->slot;
}

/* Hands datagrams [from, to) of the scratch area to JavaScript in one call:
 * onBatch(count, buffer, hosts, error), the datagrams back to back in `buffer`. */
static void deliver_run(udp_socket* s, uint32_t from, uint32_t to, size_t bytes, int error) {
  napi_env env = s->env;
  env_state* st = s->state;
  napi_value argv[4], hosts;
  char* base = NULL;
  /* A fresh Buffer: copying into memory that JavaScript then owns is what keeps every datagram
   * valid for as long as JavaScript holds it, at one allocation per batch. */
  if (napi_create_buffer(env, bytes, (void**)&base, &argv[1]) != napi_ok || napi_create_array(env, &hosts) != napi_ok)
    return;
  /* Senders repeat: a batch usually comes from one or a few. Each distinct one gets one string. */
  uint32_t distinct_name[8], distinct_index[8];
  uint32_t distinct_count = 0, next_host = 0, replace = 0;
  size_t offset = 0;
  int32_t* meta = s->recv_meta;
  for (uint32_t i = from; i < to; i++) {
    uint32_t kept = kept_length(s, i);
    memcpy(base + offset, st->iov[i].iov_base, kept);
    offset += kept;
    const struct sockaddr_storage* sender = &st->names[i];
    uint32_t host_index = UINT32_MAX;
    for (uint32_t k = 0; k < distinct_count; k++) {
      if (same_sender(&st->names[distinct_name[k]], sender)) {
        host_index = distinct_index[k];
        break;
      }
    }
    if (host_index == UINT32_MAX) {
      char host[INET6_ADDRSTRLEN + UV_IF_NAMESIZE + 2];
      size_t length = format_host((const struct sockaddr*)sender, host, sizeof host);
      napi_value value;
      napi_create_string_latin1(env, host, length, &value);
      napi_set_element(env, hosts, next_host, value);
      host_index = next_host++;
      uint32_t slot = distinct_count < 8 ? distinct_count++ : (replace++ % 8);
      distinct_name[slot] = i;
      distinct_index[slot] = host_index;
    }
    int32_t* m = meta + (size_t)(i - from) * RECV_STRIDE;
    m[0] = (int32_t)kept;
    m[1] = (int32_t)st->msgs[i].msg_len;
    m[2] = address_port((const struct sockaddr*)sender);
    m[3] = (int32_t)host_index;
  }
  napi_create_uint32(env, to - from, &argv[0]);
  argv[2] = hosts;
  napi_create_int32(env, error, &argv[3]);
  call_js(s, s->on_batch, 4, argv);
}

/* Hands `count` received datagrams (and a receive error, 0 if none) to JavaScript, in one call
 * per BATCH_BYTES of them. */
static void deliver(udp_socket* s, uint32_t count, int error) {
  napi_env env = s->env;
  uint32_t from = 0;
  do {
    size_t bytes = 0;
    uint32_t to = from;
    /* At least one datagram per call; more while they fit. */
    while (to < count && (to == from || bytes + kept_length(s, to) <= BATCH_BYTES)) bytes += kept_length(s, to++);
    napi_handle_scope scope;
    if (napi_open_handle_scope(env, &scope) != napi_ok) return;
    deliver_run(s, from, to, bytes, to == count ? error : 0);
    napi_close_handle_scope(env, scope);
    from = to;
  } while (from < count && !s->closing && s->reading);
}

/* Drains the socket up to the budget per wake-up, then hands the datagrams to JavaScript. */
static void read_batch(udp_socket* s) {
  env_state* st = s->state;
  uint32_t slot = s->slot;
  uint32_t capacity = SCRATCH_BYTES / slot;
  if (capacity > RECV_BUDGET) capacity = RECV_BUDGET;
  uint32_t got = 0;
  int error = 0;
  while (got < capacity) {
    uint32_t want = capacity - got;
    if (want > MMSG_CHUNK) want = MMSG_CHUNK;
    for (uint32_t i = got; i < got + want; i++) {
      st->iov[i].iov_base = st->scratch + (size_t)i * slot;
      st->iov[i].iov_len = slot;
      memset(&st->msgs[i].msg_hdr, 0, sizeof st->msgs[i].msg_hdr);
      st->msgs[i].msg_hdr.msg_name = &st->names[i];
      st->msgs[i].msg_hdr.msg_namelen = sizeof st->names[i];
      st->msgs[i].msg_hdr.msg_iov = &st->iov[i];
      st->msgs[i].msg_hdr.msg_iovlen = 1;
      st->msgs[i].msg_len = 0;
    }
    int n;
    do n = recvmmsg(s->fd, &st->msgs[got], want, RECV_FLAGS, NULL);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK) error = -errno;
      break;
    }
    got += (uint32_t)n;
    if ((uint32_t)n < want) break; /* drained: save the call that would say EAGAIN */
  }
  if (got > 0 || error != 0) deliver(s, got, error);
}

/* ------------------------------------------------------------------------------------------- */
/* Writing */

/* The outcome of sending a run of datagrams: how many have one (sent, or failed for good) and
 * which of those failed, as [handled, index, errno, index, errno, ...] for JavaScript. */
typedef struct {
  napi_env env;
  napi_value failures; /* NULL until the first failure */
  uint32_t length;
  uint32_t handled;
} outcome;

static void add_failure(outcome* out, uint32_t index, int code) {
  napi_env env = out->env;
  napi_value value;
  if (out->failures == NULL) {
    if (napi_create_array(env, &out->failures) != napi_ok) return;
    out->length = 1; /* [0] is `handled`, set at the end */
  }
  napi_create_uint32(env, index, &value);
  napi_set_element(env, out->failures, out->length++, value);
  napi_create_int32(env, code, &value);
  napi_set_element(env, out->failures, out->length++, value);
}

/* `handled` alone, or the array with the failures. */
static napi_value outcome_value(outcome* out) {
  napi_value value;
  napi_create_uint32(out->env, out->handled, &value);
  if (out->failures == NULL) return value;
  napi_set_element(out->env, out->failures, 0, value);
  return out->failures;
}

static int is_transient(int code) {
  return code == EAGAIN || code == EWOULDBLOCK || code == ENOBUFS;
}

/* Sends items[*next..count) (bytes in `data`) until done or the kernel pushes back, counting
 * outcomes in `out`. Returns 1 when every item has one, 0 when the rest must wait for POLLOUT. */
static int send_items(udp_socket* s, queued_datagram* items, char* data, uint32_t count, uint32_t* next, outcome* out) {
  struct mmsghdr msgs[MMSG_CHUNK];
  struct iovec iov[MMSG_CHUNK];
  while (*next < count) {
    uint32_t n = count - *next;
    if (n > MMSG_CHUNK) n = MMSG_CHUNK;
    for (uint32_t k = 0; k < n; k++) {
      queued_datagram* d = &items[*next + k];
      iov[k].iov_base = data + d->offset;
      iov[k].iov_len = d->length;
      memset(&msgs[k], 0, sizeof msgs[k]);
      msgs[k].msg_hdr.msg_name = d->addrlen == 0 ? NULL : &d->addr;
      msgs[k].msg_hdr.msg_namelen = d->addrlen;
      msgs[k].msg_hdr.msg_iov = &iov[k];
      msgs[k].msg_hdr.msg_iovlen = 1;
    }
    int r;
    do r = sendmmsg(s->fd, msgs, n, 0);
    while (r < 0 && errno == EINTR);
    if (r > 0) {
      double bytes = 0;
      for (int k = 0; k < r; k++) bytes += items[*next + k].length;
      s->stats[STAT_DATAGRAMS_OUT] += r;
      s->stats[STAT_BYTES_OUT] += bytes;
      *next += (uint32_t)r;
      out->handled += (uint32_t)r;
      continue;
    }
    if (is_transient(errno)) return 0;
    /* This datagram failed for good (EACCES, EMSGSIZE, ECONNREFUSED, ...): report it, go on. */
    add_failure(out, out->handled, -errno);
    *next += 1;
    out->handled += 1;
  }
  return 1;
}

/* Keeps what the kernel did not take, after whatever is queued already. */
static int enqueue(udp_socket* s, const queued_datagram* items, const char* data, uint32_t from, uint32_t count) {
  uint32_t n = count - from;
  size_t bytes = 0;
  for (uint32_t i = from; i < count; i++) bytes += items[i].length;
  send_chunk* chunk = (send_chunk*)malloc(sizeof(send_chunk) + n * sizeof(queued_datagram) + bytes);
  if (chunk == NULL) return UV_ENOMEM;
  chunk->next = NULL;
  chunk->count = n;
  chunk->next_index = 0;
  chunk->items = (queued_datagram*)(chunk + 1);
  chunk->data = (char*)(chunk->items + n);
  size_t offset = 0;
  for (uint32_t i = 0; i < n; i++) {
    const queued_datagram* d = &items[from + i];
    chunk->items[i] = *d;
    chunk->items[i].offset = (uint32_t)offset;
    memcpy(chunk->data + offset, data + d->offset, d->length);
    offset += d->length;
  }
  if (s->queue_tail == NULL) s->queue_head = chunk;
  else s->queue_tail->next = chunk;
  s->queue_tail = chunk;
  s->stats[STAT_QUEUED_BYTES] += (double)bytes;
  s->stats[STAT_QUEUED_DATAGRAMS] += n;
  return 0;
}

static void on_poll(uv_poll_t* handle, int status, int events);

/* Watches for readability while reading, and for writability while datagrams are queued. */
static int update_poll(udp_socket* s) {
  if (s->closing || !s->poll_initialized) return 0;
  int wanted = (s->reading ? UV_READABLE : 0) | (s->queue_head != NULL ? UV_WRITABLE : 0);
  if (wanted == s->events) return 0;
  int err = wanted == 0 ? uv_poll_stop(&s->poll) : uv_poll_start(&s->poll, wanted, on_poll);
  if (err == 0) s->events = wanted;
  return err;
}

/* On POLLOUT: sends what waits, in order, and tells JavaScript how far it got:
 * onSendProgress(handled | [handled, index, errno, ...]). */
static void flush_queue(udp_socket* s) {
  napi_env env = s->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  outcome out = {env, NULL, 0, 0};
  while (s->queue_head != NULL) {
    send_chunk* chunk = s->queue_head;
    uint32_t before = chunk->next_index;
    int done = send_items(s, chunk->items, chunk->data, chunk->count, &chunk->next_index, &out);
    for (uint32_t i = before; i < chunk->next_index; i++) {
      s->stats[STAT_QUEUED_BYTES] -= chunk->items[i].length;
      s->stats[STAT_QUEUED_DATAGRAMS] -= 1;
    }
    if (!done) break;
    s->queue_head = chunk->next;
    if (s->queue_head == NULL) s->queue_tail = NULL;
    free(chunk);
  }
  if (out.handled > 0) {
    napi_value argv[1] = {outcome_value(&out)};
    call_js(s, s->on_send_progress, 1, argv);
  }
  napi_close_handle_scope(env, scope);
}

static void on_poll(uv_poll_t* handle, int status, int events) {
  udp_socket* s = (udp_socket*)handle->data;
  if (s->closing) return;
  if (status < 0) {
    /* POLLERR: libuv stopped the handle. On a UDP socket it means a pending error (an ICMP port
     * unreachable on a connected socket): the next recvmmsg returns it, and clears it. */
    s->events = 0;
    events = UV_READABLE | (s->queue_head != NULL ? UV_WRITABLE : 0);
  }
  if ((events & UV_WRITABLE) && s->queue_head != NULL) flush_queue(s);
  if (s->closing) return;
  if ((events & UV_READABLE) && s->reading) read_batch(s);
  if (s->closing) return;
  update_poll(s);
}

/* ------------------------------------------------------------------------------------------- */
/* Methods */

/* new UdpSocket(onBatch, onSendProgress, recvMeta: Int32Array, stats: Float64Array) */
static napi_value Construct(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4], self;
  NAPI_OK(env, napi_get_cb_info(env, info, &argc, argv, &self, NULL));
  napi_valuetype t0, t1;
  NAPI_OK(env, napi_typeof(env, argv[0], &t0));
  NAPI_OK(env, napi_typeof(env, argv[1], &t1));
  int32_t* recv_meta = (int32_t*)typed_array_arg(env, argv[2], napi_int32_array, RECV_BUDGET * RECV_STRIDE);
  double* stats = (double*)typed_array_arg(env, argv[3], napi_float64_array, STAT_COUNT);
  if (argc < 4 || t0 != napi_function || t1 != napi_function || recv_meta == NULL || stats == NULL) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE",
                          "UdpSocket(onBatch, onSendProgress, Int32Array, Float64Array)");
    return NULL;
  }
  env_state* st = NULL;
  NAPI_OK(env, napi_get_instance_data(env, (void**)&st));
  uv_loop_t* loop;
  NAPI_OK(env, napi_get_uv_event_loop(env, &loop));
  udp_socket* s = (udp_socket*)calloc(1, sizeof *s);
  if (s == NULL) {
    napi_throw_error(env, "ENOMEM", "out of memory");
    return NULL;
  }
  int err = uv_udp_init(loop, &s->udp);
  if (err != 0) {
    free(s);
    napi_throw_error(env, uv_err_name(err), uv_strerror(err));
    return NULL;
  }
  s->env = env;
  s->state = st;
  s->fd = -1;
  s->udp.data = s;
  s->poll.data = s;
  s->open_handles = 1;
  s->recv_meta = recv_meta;
  s->stats = stats;
  for (int i = 0; i < STAT_COUNT; i++) stats[i] = 0;
  napi_value name;
  if (napi_wrap(env, self, s, finalize_socket, NULL, NULL) != napi_ok) {
    uv_close((uv_handle_t*)&s->udp, on_handle_closed);
    s->finalized = 1; /* freed once the handle closed */
    throw_last_error(env, "napi_wrap");
    return NULL;
  }
  if (napi_create_reference(env, self, 1, &s->wrapper) != napi_ok ||
      napi_create_reference(env, argv[0], 1, &s->on_batch) != napi_ok ||
      napi_create_reference(env, argv[1], 1, &s->on_send_progress) != napi_ok ||
      napi_create_reference(env, argv[2], 1, &s->recv_meta_ref) != napi_ok ||
      napi_create_reference(env, argv[3], 1, &s->stats_ref) != napi_ok ||
      napi_create_string_utf8(env, "twisted-ts:UDP", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_async_init(env, self, name, &s->async) != napi_ok ||
      napi_add_env_cleanup_hook(env, cleanup_hook, s) != napi_ok) {
    throw_last_error(env, "creating the socket");
    close_handles(s);
    release_js(s);
    return NULL;
  }
  return self;
}

/* bind(family 4|6, host, port, flags) → 0 or a negative errno (UV_E*). The descriptor is
 * created here, as dgram's handle creates it on bind. */
static napi_value Bind(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  udp_socket* s = unwrap_this(env, info, &argc, argv);
  if (s == NULL) return NULL;
  if (s->closing) return int_value(env, UV_EBADF);
  int32_t family = 0, port = 0, flags = 0;
  char host[INET6_ADDRSTRLEN + UV_IF_NAMESIZE + 2];
  struct sockaddr_storage addr;
  if (napi_get_value_int32(env, argv[0], &family) != napi_ok || napi_get_value_int32(env, argv[2], &port) != napi_ok ||
      napi_get_value_int32(env, argv[3], &flags) != napi_ok || string_arg(env, argv[1], host, sizeof host) != 0)
    return int_value(env, UV_EINVAL);
  int err = parse_address(family, host, port, &addr);
  if (err == 0) err = uv_udp_bind(&s->udp, (const struct sockaddr*)&addr, (unsigned)flags);
  if (err != 0) return int_value(env, err);
  uv_os_fd_t fd;
  err = uv_fileno((uv_handle_t*)&s->udp, &fd);
  if (err == 0) err = uv_poll_init_socket(s->udp.loop, &s->poll, fd);
  if (err != 0) return int_value(env, err);
  s->fd = fd;
  s->poll_initialized = 1;
  s->open_handles += 1;
  return int_value(env, 0);
}

/* startReading(maxPacketSize) → 0 or a negative errno. Longer datagrams are cut to it. */
static napi_value StartReading(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  udp_socket* s = unwrap_this(env, info, &argc, argv);
  if (s == NULL) return NULL;
  if (s->closing || !s->poll_initialized) return int_value(env, UV_EBADF);
  int64_t max = 0;
  if (napi_get_value_int64(env, argv[0], &max) != napi_ok || max < 1) return int_value(env, UV_EINVAL);
  env_state* st = s->state;
  if (st->scratch == NULL) {
    st->scratch = (char*)malloc(SCRATCH_BYTES);
    if (st->scratch == NULL) return int_value(env, UV_ENOMEM);
  }
  s->slot = max > MAX_SLOT ? MAX_SLOT : (uint32_t)max;
  s->reading = 1;
  return int_value(env, update_poll(s));
}

/* connect(host, port) → 0 or a negative errno. */
static napi_value Connect(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  udp_socket* s = unwrap_this(env, info, &argc, argv);
  if (s == NULL) return NULL;
  if (s->closing) return int_value(env, UV_EBADF);
  char host[INET6_ADDRSTRLEN + UV_IF_NAMESIZE + 2];
  int32_t port = 0;
  struct sockaddr_storage addr;
  if (string_arg(env, argv[0], host, sizeof host) != 0 || napi_get_value_int32(env, argv[1], &port) != napi_ok)
    return int_value(env, UV_EINVAL);
  struct sockaddr_storage local;
  int length = sizeof local;
  int err = uv_udp_getsockname(&s->udp, (struct sockaddr*)&local, &length);
  if (err == 0) err = parse_address(local.ss_family == AF_INET6 ? 6 : 4, host, port, &addr);
  if (err == 0) err = uv_udp_connect(&s->udp, (const struct sockaddr*)&addr);
  return int_value(env, err);
}

static napi_value name_of(napi_env env, napi_callback_info info, int peer) {
  size_t argc = 0;
  udp_socket* s = unwrap_this(env, info, &argc, NULL);
  if (s == NULL) return NULL;
  if (s->closing) return int_value(env, UV_EBADF);
  struct sockaddr_storage addr;
  int length = sizeof addr;
  int err = peer ? uv_udp_getpeername(&s->udp, (struct sockaddr*)&addr, &length)
                 : uv_udp_getsockname(&s->udp, (struct sockaddr*)&addr, &length);
  if (err != 0) return int_value(env, err);
  return address_tuple(env, (const struct sockaddr*)&addr);
}

/* localAddress() → [host, port] or a negative errno. */
static napi_value LocalAddress(napi_env env, napi_callback_info info) {
  return name_of(env, info, 0);
}

/* remoteAddress() → [host, port] or a negative errno (UV_ENOTCONN). */
static napi_value RemoteAddress(napi_env env, napi_callback_info info) {
  return name_of(env, info, 1);
}

/* setOption(which, value) → 0 or a negative errno: 0 broadcast, 1 multicast TTL, 2 multicast
 * loopback, 3 receive buffer size, 4 send buffer size. */
static napi_value SetOption(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  udp_socket* s = unwrap_this(env, info, &argc, argv);
  if (s == NULL) return NULL;
  if (s->closing) return int_value(env, UV_EBADF);
  int32_t which = -1, value = 0;
  if (napi_get_value_int32(env, argv[0], &which) != napi_ok || napi_get_value_int32(env, argv[1], &value) != napi_ok)
    return int_value(env, UV_EINVAL);
  switch (which) {
    case 0: return int_value(env, uv_udp_set_broadcast(&s->udp, value));
    case 1: return int_value(env, uv_udp_set_multicast_ttl(&s->udp, value));
    case 2: return int_value(env, uv_udp_set_multicast_loop(&s->udp, value));
    case 3: return int_value(env, uv_recv_buffer_size((uv_handle_t*)&s->udp, &value));
    case 4: return int_value(env, uv_send_buffer_size((uv_handle_t*)&s->udp, &value));
    default: return int_value(env, UV_EINVAL);
  }
}

/* getBufferSize(which: 3 receive, 4 send) → the size or a negative errno. */
static napi_value GetBufferSize(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  udp_socket* s = unwrap_this(env, info, &argc, argv);
  if (s == NULL) return NULL;
  if (s->closing) return int_value(env, UV_EBADF);
  int32_t which = 0;
  int value = 0;
  if (napi_get_value_int32(env, argv[0], &which) != napi_ok) return int_value(env, UV_EINVAL);
  int err = which == 3 ? uv_recv_buffer_size((uv_handle_t*)&s->udp, &value)
                       : uv_send_buffer_size((uv_handle_t*)&s->udp, &value);
  return int_value(env, err != 0 ? err : value);
}

/* setMulticastInterface(address) → 0 or a negative errno. */
static napi_value SetMulticastInterface(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  udp_socket* s = unwrap_this(env, info, &argc, argv);
  if (s == NULL) return NULL;
  if (s->closing) return int_value(env, UV_EBADF);
  char iface[INET6_ADDRSTRLEN + UV_IF_NAMESIZE + 2];
  if (string_arg(env, argv[0], iface, sizeof iface) != 0) return int_value(env, UV_EINVAL);
  return int_value(env, uv_udp_set_multicast_interface(&s->udp, iface));
}

/* membership(join, group, iface?, source?) → 0 or a negative errno; with a source, a
 * source-specific membership. */
static napi_value Membership(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  udp_socket* s = unwrap_this(env, info, &argc, argv);
  if (s == NULL) return NULL;
  if (s->closing) return int_value(env, UV_EBADF);
  bool join = false;
  char group[INET6_ADDRSTRLEN + UV_IF_NAMESIZE + 2], iface_buf[INET6_ADDRSTRLEN + UV_IF_NAMESIZE + 2],
      source_buf[INET6_ADDRSTRLEN + UV_IF_NAMESIZE + 2];
  const char *iface = NULL, *source = NULL;
  if (napi_get_value_bool(env, argv[0], &join) != napi_ok || string_arg(env, argv[1], group, sizeof group) != 0 ||
      optional_string_arg(env, argv[2], iface_buf, sizeof iface_buf, &iface) != 0 ||
      optional_string_arg(env, argv[3], source_buf, sizeof source_buf, &source) != 0)
    return int_value(env, UV_EINVAL);
  uv_membership op = join ? UV_JOIN_GROUP : UV_LEAVE_GROUP;
  int err = source == NULL ? uv_udp_set_membership(&s->udp, group, iface, op)
                           : uv_udp_set_source_membership(&s->udp, group, iface, source, op);
  return int_value(env, err);
}

/* send(count, stage: Buffer, meta: Int32Array) → how many of the datagrams have an outcome now
 * (sent, or failed for good), or [handled, index, errno, ...] when some failed; the others are
 * queued, after anything queued already, and reported by onSendProgress as they go. A negative
 * number: nothing was done (EBADF, ENOMEM). */
static napi_value Send(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  udp_socket* s = unwrap_this(env, info, &argc, argv);
  if (s == NULL) return NULL;
  if (s->closing || s->fd < 0) return int_value(env, UV_EBADF);
  uint32_t count = 0;
  char* stage = NULL;
  size_t stage_length = 0;
  NAPI_OK(env, napi_get_value_uint32(env, argv[0], &count));
  NAPI_OK(env, napi_get_buffer_info(env, argv[1], (void**)&stage, &stage_length));
  const int32_t* meta = (const int32_t*)typed_array_arg(env, argv[2], napi_int32_array, (size_t)count * SEND_STRIDE);
  if (meta == NULL) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "send(count, Buffer, Int32Array)");
    return NULL;
  }
  queued_datagram* items = (queued_datagram*)malloc((count > 0 ? count : 1) * sizeof(queued_datagram));
  if (items == NULL) return int_value(env, UV_ENOMEM);
  for (uint32_t i = 0; i < count; i++) {
    const int32_t* m = meta + (size_t)i * SEND_STRIDE;
    queued_datagram* d = &items[i];
    uint32_t offset = (uint32_t)m[SEND_OFFSET], length = (uint32_t)m[SEND_LENGTH];
    if ((size_t)offset + length > stage_length) {
      free(items);
      napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "send: a datagram lies outside the stage");
      return NULL;
    }
    d->offset = offset;
    d->length = length;
    memset(&d->addr, 0, sizeof d->addr);
    if (m[SEND_FAMILY] == 4) {
      struct sockaddr_in* a = (struct sockaddr_in*)&d->addr;
      a->sin_family = AF_INET;
      a->sin_port = htons((uint16_t)m[SEND_PORT]);
      memcpy(&a->sin_addr, &m[SEND_ADDR], 4);
      d->addrlen = sizeof *a;
    } else if (m[SEND_FAMILY] == 6) {
      struct sockaddr_in6* a = (struct sockaddr_in6*)&d->addr;
      a->sin6_family = AF_INET6;
      a->sin6_port = htons((uint16_t)m[SEND_PORT]);
      a->sin6_scope_id = (uint32_t)m[SEND_SCOPE];
      memcpy(&a->sin6_addr, &m[SEND_ADDR], 16);
      d->addrlen = sizeof *a;
    } else {
      d->addrlen = 0;
    }
  }
  outcome out = {env, NULL, 0, 0};
  uint32_t next = 0;
  int err = 0;
  /* Behind a queue, everything waits its turn: order is kept. */
  if (s->queue_head != NULL || !send_items(s, items, stage, count, &next, &out)) {
    err = enqueue(s, items, stage, next, count);
    if (err == 0) err = update_poll(s);
  }
  free(items);
  if (err != 0) return int_value(env, err);
  return outcome_value(&out);
}

/* close(): closes the descriptor now; queued datagrams are dropped, as dgram drops its queue. */
static napi_value Close(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  udp_socket* s = unwrap_this(env, info, &argc, NULL);
  if (s == NULL) return NULL;
  close_handles(s);
  return undefined_value(env);
}

/* parseAddress(family 4|6, host, out: Int32Array(6)) → 0 or a negative errno; fills
 * [family, scope, w0, w1, w2, w3] as send() reads them from its metadata. */
static napi_value ParseAddress(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  NAPI_OK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t family = 0;
  char host[INET6_ADDRSTRLEN + UV_IF_NAMESIZE + 2];
  int32_t* out = (int32_t*)typed_array_arg(env, argv[2], napi_int32_array, 6);
  if (out == NULL || napi_get_value_int32(env, argv[0], &family) != napi_ok ||
      string_arg(env, argv[1], host, sizeof host) != 0)
    return int_value(env, UV_EINVAL);
  struct sockaddr_storage addr;
  int err = parse_address(family, host, 0, &addr);
  if (err != 0) return int_value(env, err);
  memset(out, 0, 6 * sizeof(int32_t));
  if (family == 6) {
    const struct sockaddr_in6* a = (const struct sockaddr_in6*)&addr;
    out[0] = 6;
    out[1] = (int32_t)a->sin6_scope_id;
    memcpy(&out[2], &a->sin6_addr, 16);
  } else {
    out[0] = 4;
    memcpy(&out[2], &((const struct sockaddr_in*)&addr)->sin_addr, 4);
  }
  return int_value(env, 0);
}

/* ------------------------------------------------------------------------------------------- */
/* Module */

static void finalize_env_state(napi_env env, void* data, void* hint) {
  env_state* st = (env_state*)data;
  (void)env;
  (void)hint;
  free(st->scratch);
  free(st);
}

static napi_value Init(napi_env env, napi_value exports) {
  env_state* st = (env_state*)calloc(1, sizeof *st);
  if (st == NULL) {
    napi_throw_error(env, "ENOMEM", "out of memory");
    return NULL;
  }
  if (napi_set_instance_data(env, st, finalize_env_state, NULL) != napi_ok) {
    free(st);
    throw_last_error(env, "napi_set_instance_data");
    return NULL;
  }
  napi_property_descriptor methods[] = {
      {"bind", NULL, Bind, NULL, NULL, NULL, napi_default, NULL},
      {"startReading", NULL, StartReading, NULL, NULL, NULL, napi_default, NULL},
      {"connect", NULL, Connect, NULL, NULL, NULL, napi_default, NULL},
      {"localAddress", NULL, LocalAddress, NULL, NULL, NULL, napi_default, NULL},
      {"remoteAddress", NULL, RemoteAddress, NULL, NULL, NULL, napi_default, NULL},
      {"setOption", NULL, SetOption, NULL, NULL, NULL, napi_default, NULL},
      {"getBufferSize", NULL, GetBufferSize, NULL, NULL, NULL, napi_default, NULL},
      {"setMulticastInterface", NULL, SetMulticastInterface, NULL, NULL, NULL, napi_default, NULL},
      {"membership", NULL, Membership, NULL, NULL, NULL, napi_default, NULL},
      {"send", NULL, Send, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, Close, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_value ctor, fn, constants;
  NAPI_OK(env, napi_define_class(env, "UdpSocket", NAPI_AUTO_LENGTH, Construct, NULL,
                                 sizeof methods / sizeof methods[0], methods, &ctor));
  NAPI_OK(env, napi_create_reference(env, ctor, 1, &st->constructor));
  NAPI_OK(env, napi_set_named_property(env, exports, "UdpSocket", ctor));
  NAPI_OK(env, napi_create_function(env, "parseAddress", NAPI_AUTO_LENGTH, ParseAddress, NULL, &fn));
  NAPI_OK(env, napi_set_named_property(env, exports, "parseAddress", fn));
  /* What the JavaScript side must agree on. */
  NAPI_OK(env, napi_create_object(env, &constants));
  struct { const char* name; int value; } values[] = {
      {"RECV_BUDGET", RECV_BUDGET},
      {"RECV_STRIDE", RECV_STRIDE},
      {"SEND_STRIDE", SEND_STRIDE},
      {"STAT_COUNT", STAT_COUNT},
      {"MAX_SLOT", MAX_SLOT},
      {"UV_UDP_REUSEADDR", UV_UDP_REUSEADDR},
      {"UV_UDP_REUSEPORT", UV_UDP_REUSEPORT},
      {"BATCHED", RECV_FLAGS != 0},
  };
  for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
    napi_value v;
    NAPI_OK(env, napi_create_int32(env, values[i].value, &v));
    NAPI_OK(env, napi_set_named_property(env, constants, values[i].name, v));
  }
  NAPI_OK(env, napi_set_named_property(env, exports, "constants", constants));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
