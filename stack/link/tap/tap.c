/*
 * TAP device for the stack: open /dev/net/tun as IFF_TAP|IFF_NO_PI with a
 * non-blocking fd, watch it with uv_poll and read until EAGAIN, so one
 * readable wake-up drains a whole burst of frames without a pool thread.
 *
 * With {vnetHdr: true} every frame carries a virtio_net_hdr (as for a qemu
 * guest): writes may be TCP super-segments that the kernel segments (or keeps
 * whole, as GRO would) and, once setOffload() turned on CSUM/TSO4, reads may be
 * super-segments with a partial checksum, which is completed here so that
 * JavaScript always sees ordinary, fully checksummed frames.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <node_api.h>
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>
#include <uv.h>

#define MAX_FRAME (65536 + 64)
#define VNET_HDR_LEN ((int)sizeof(struct virtio_net_hdr))
#define MAX_BATCH 256

typedef struct {
  int fd;
  uv_poll_t poll;
  int polling;
  int closed;
  int vnet_hdr;
  napi_env env;
  napi_ref callback;
  napi_ref self;
  unsigned char buf[MAX_FRAME];
} tap_t;

static napi_value throw_errno(napi_env env, const char *what, int err) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  napi_throw_error(env, "ETAP", msg);
  return NULL;
}

/* One's-complement sum of bytes[0, len), big-endian words, not folded. */
static uint64_t sum_words(const unsigned char *p, size_t len, uint64_t sum) {
  size_t i = 0;
  for (; i + 4 <= len; i += 4) {
    uint32_t w;
    memcpy(&w, p + i, 4);
    sum += w; /* host order: byte-order independent (RFC 1071 1.2.B), swapped at the end */
  }
  for (; i + 2 <= len; i += 2) {
    uint16_t w;
    memcpy(&w, p + i, 2);
    sum += w;
  }
  if (i < len) {
    uint16_t w = 0;
    memcpy(&w, p + i, 1);
    sum += w;
  }
  return sum;
}

static uint16_t fold(uint64_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)sum;
}

/* NEEDS_CSUM: the field at start+offset holds the pseudo-header sum; store the full checksum. */
static int complete_checksum(unsigned char *frame, size_t len, size_t start, size_t offset) {
  if (start > len || start + offset + 2 > len) return 0;
  uint16_t sum = fold(sum_words(frame + start, len - start, 0));
  uint16_t check = (uint16_t)~sum;
  memcpy(frame + start + offset, &check, 2);
  return 1;
}

static void on_readable(uv_poll_t *handle, int status, int events) {
  (void)events;
  tap_t *tap = handle->data;
  if (tap->closed) return;
  napi_env env = tap->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value frames;
  napi_create_array(env, &frames);
  uint32_t count = 0;
  int err = 0;
  if (status < 0) err = -status;
  while (!err && count < MAX_BATCH) {
    ssize_t n = read(tap->fd, tap->buf, MAX_FRAME);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      if (errno == EINTR) continue;
      err = errno;
      break;
    }
    unsigned char *start = tap->buf;
    if (tap->vnet_hdr) {
      if (n < VNET_HDR_LEN) continue;
      struct virtio_net_hdr *h = (struct virtio_net_hdr *)tap->buf;
      start += VNET_HDR_LEN;
      n -= VNET_HDR_LEN;
      if (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
        /* the frame is dropped if the kernel's offsets do not fit it */
        if (!complete_checksum(start, (size_t)n, h->csum_start, h->csum_offset)) continue;
      }
    }
    napi_value frame;
    void *data;
    napi_create_buffer_copy(env, (size_t)n, start, &data, &frame);
    napi_set_element(env, frames, count++, frame);
  }
  napi_value cb, global, args[2];
  napi_get_reference_value(env, tap->callback, &cb);
  napi_get_global(env, &global);
  if (err) {
    napi_value msg;
    napi_create_string_utf8(env, strerror(err), NAPI_AUTO_LENGTH, &msg);
    args[0] = msg;
  } else {
    napi_get_null(env, &args[0]);
  }
  args[1] = frames;
  if (count > 0 || err) {
    napi_value result;
    napi_status st = napi_make_callback(env, NULL, global, cb, 2, args, &result);
    if (st == napi_pending_exception) {
      napi_value exc;
      napi_get_and_clear_last_exception(env, &exc);
      napi_fatal_exception(env, exc);
    }
  }
  napi_close_handle_scope(env, scope);
}

static void on_poll_closed(uv_handle_t *handle) {
  tap_t *tap = handle->data;
  napi_env env = tap->env;
  tap->polling = 0;
  if (tap->callback) napi_delete_reference(env, tap->callback);
  tap->callback = NULL;
  if (tap->self) napi_delete_reference(env, tap->self);
  tap->self = NULL;
}

static tap_t *unwrap(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv) {
  napi_value self;
  napi_get_cb_info(env, info, argc, argv, &self, NULL);
  tap_t *tap = NULL;
  napi_unwrap(env, self, (void **)&tap);
  if (!tap || tap->closed) {
    napi_throw_error(env, "ETAPCLOSED", "TAP device is closed");
    return NULL;
  }
  return tap;
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  tap_t *tap = data;
  /* a polling tap holds a reference to itself until its poll handle has
     closed, so the finalizer only runs once libuv no longer uses it */
  if (!tap->closed && tap->fd >= 0) close(tap->fd);
  free(tap);
}

/* options.vnetHdr === true */
static int option_vnet_hdr(napi_env env, size_t argc, napi_value *argv) {
  if (argc < 2) return 0;
  napi_valuetype type;
  if (napi_typeof(env, argv[1], &type) != napi_ok || type != napi_object) return 0;
  bool has = false;
  napi_has_named_property(env, argv[1], "vnetHdr", &has);
  if (!has) return 0;
  napi_value v;
  bool b = false;
  napi_get_named_property(env, argv[1], "vnetHdr", &v);
  napi_get_value_bool(env, v, &b);
  return b ? 1 : 0;
}

/* new Tap(name, {vnetHdr?: boolean}) */
static napi_value tap_new(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], self;
  napi_get_cb_info(env, info, &argc, argv, &self, NULL);
  char name[IFNAMSIZ] = {0};
  size_t len = 0;
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], name, sizeof name, &len) != napi_ok || len == 0) {
    napi_throw_type_error(env, "EINVAL", "Tap(name): name must be a non-empty string of at most 15 characters");
    return NULL;
  }
  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return throw_errno(env, "open /dev/net/tun", errno);
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  int vnet_hdr = option_vnet_hdr(env, argc, argv);
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (vnet_hdr ? IFF_VNET_HDR : 0);
  strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
    int e = errno;
    close(fd);
    char what[64];
    snprintf(what, sizeof what, "TUNSETIFF %s", name);
    return throw_errno(env, what, e);
  }
  int hdr_len = VNET_HDR_LEN;
  if (vnet_hdr && ioctl(fd, TUNSETVNETHDRSZ, &hdr_len) < 0) {
    int e = errno;
    close(fd);
    return throw_errno(env, "TUNSETVNETHDRSZ", e);
  }
  tap_t *tap = calloc(1, sizeof *tap);
  tap->fd = fd;
  tap->vnet_hdr = vnet_hdr;
  tap->env = env;
  napi_wrap(env, self, tap, finalize, NULL, NULL);
  napi_value ifname;
  napi_create_string_utf8(env, ifr.ifr_name, NAPI_AUTO_LENGTH, &ifname);
  napi_set_named_property(env, self, "name", ifname);
  return self;
}

/* tap.start((err, frames) => void) */
static napi_value tap_start(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], self;
  napi_get_cb_info(env, info, &argc, argv, &self, NULL);
  tap_t *tap = NULL;
  napi_unwrap(env, self, (void **)&tap);
  if (!tap || tap->closed) {
    napi_throw_error(env, "ETAPCLOSED", "TAP device is closed");
    return NULL;
  }
  if (tap->polling) {
    napi_throw_error(env, "EBUSY", "TAP device already started");
    return NULL;
  }
  napi_create_reference(env, argv[0], 1, &tap->callback);
  napi_create_reference(env, self, 1, &tap->self);
  uv_loop_t *loop;
  napi_get_uv_event_loop(env, &loop);
  uv_poll_init(loop, &tap->poll, tap->fd);
  tap->poll.data = tap;
  uv_poll_start(&tap->poll, UV_READABLE, on_readable);
  tap->polling = 1;
  return NULL;
}

/* Fill a virtio_net_hdr for `frame`: a TCP/IPv4 super-segment when gso_size > 0
   (the kernel cuts it into gso_size payloads; partial checksum), else nothing to do. */
static int gso_header(struct virtio_net_hdr *h, unsigned char *f, size_t len, uint32_t gso_size) {
  memset(h, 0, sizeof *h);
  if (gso_size == 0) return 1;
  if (len < 14 + 20 + 20 || f[12] != 0x08 || f[13] != 0x00 || (f[14] >> 4) != 4) return 0;
  size_t ihl = (size_t)(f[14] & 0x0f) * 4;
  if (ihl < 20 || f[14 + 9] != 6 || 14 + ihl + 20 > len) return 0;
  unsigned char *tcp = f + 14 + ihl;
  size_t thl = (size_t)(tcp[12] >> 4) * 4;
  size_t ip_total = ((size_t)f[16] << 8) | f[17];
  if (thl < 20 || 14 + ip_total != len || ihl + thl > ip_total) return 0;
  size_t tcp_len = ip_total - ihl;
  h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
  h->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
  h->hdr_len = (uint16_t)(14 + ihl + thl);
  h->gso_size = (uint16_t)gso_size;
  h->csum_start = (uint16_t)(14 + ihl);
  h->csum_offset = 16;
  /* the checksum field carries the pseudo-header sum (addresses, protocol, TCP length) */
  uint64_t sum = sum_words(f + 14 + 12, 8, 0);
  uint16_t tail[2] = {htons(6), htons((uint16_t)tcp_len)};
  sum = sum_words((unsigned char *)tail, 4, sum);
  uint16_t pseudo = fold(sum);
  memcpy(tcp + 16, &pseudo, 2);
  return 1;
}

/* tap.write(buffer, gsoSize?) -> true if written, false if the kernel queue is full.
   gsoSize (vnetHdr only): payload bytes per segment of a TCP super-segment. */
static napi_value tap_write(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  tap_t *tap = unwrap(env, info, &argc, argv);
  if (!tap) return NULL;
  void *data;
  size_t len;
  if (argc < 1 || napi_get_buffer_info(env, argv[0], &data, &len) != napi_ok) {
    napi_throw_type_error(env, "EINVAL", "write(frame): frame must be a Buffer or Uint8Array");
    return NULL;
  }
  uint32_t gso_size = 0;
  if (argc > 1) {
    napi_valuetype type;
    napi_typeof(env, argv[1], &type);
    if (type == napi_number) napi_get_value_uint32(env, argv[1], &gso_size);
  }
  if (gso_size > 0 && (!tap->vnet_hdr || gso_size > 65535)) {
    napi_throw_range_error(env, "EINVAL", "write(frame, gsoSize): needs vnetHdr and gsoSize <= 65535");
    return NULL;
  }
  struct virtio_net_hdr h;
  if (!gso_header(&h, data, len, gso_size)) {
    napi_throw_error(env, "EINVAL", "write(frame, gsoSize): not a well-formed TCP/IPv4 frame");
    return NULL;
  }
  struct iovec iov[2] = {{&h, sizeof h}, {data, len}};
  int first = tap->vnet_hdr ? 0 : 1;
  ssize_t n;
  do {
    n = writev(tap->fd, iov + first, 2 - first);
  } while (n < 0 && errno == EINTR);
  napi_value ok;
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) {
      napi_get_boolean(env, 0, &ok);
      return ok;
    }
    /* an interface that is down refuses frames: the wire lost them */
    if (errno == EIO) {
      napi_get_boolean(env, 0, &ok);
      return ok;
    }
    return throw_errno(env, "write TAP", errno);
  }
  napi_get_boolean(env, 1, &ok);
  return ok;
}

/* tap.setOffload({csum, tso4}): what the kernel may hand us (vnetHdr only) */
static napi_value tap_set_offload(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  tap_t *tap = unwrap(env, info, &argc, argv);
  if (!tap) return NULL;
  if (!tap->vnet_hdr) {
    napi_throw_error(env, "EINVAL", "setOffload needs a TAP opened with vnetHdr");
    return NULL;
  }
  unsigned int flags = 0;
  const char *names[] = {"csum", "tso4"};
  const unsigned int bits[] = {TUN_F_CSUM, TUN_F_TSO4};
  for (int i = 0; i < 2 && argc > 0; i++) {
    bool has = false, b = false;
    napi_has_named_property(env, argv[0], names[i], &has);
    if (!has) continue;
    napi_value v;
    napi_get_named_property(env, argv[0], names[i], &v);
    napi_get_value_bool(env, v, &b);
    if (b) flags |= bits[i];
  }
  if ((flags & TUN_F_TSO4) && !(flags & TUN_F_CSUM)) {
    napi_throw_error(env, "EINVAL", "setOffload: tso4 needs csum");
    return NULL;
  }
  if (ioctl(tap->fd, TUNSETOFFLOAD, flags) < 0) return throw_errno(env, "TUNSETOFFLOAD", errno);
  return NULL;
}

/* tap.close(): stop watching and release the fd; safe to call twice */
static napi_value tap_close(napi_env env, napi_callback_info info) {
  napi_value self;
  size_t argc = 0;
  napi_get_cb_info(env, info, &argc, NULL, &self, NULL);
  tap_t *tap = NULL;
  napi_unwrap(env, self, (void **)&tap);
  if (!tap || tap->closed) return NULL;
  tap->closed = 1;
  if (tap->polling) {
    uv_poll_stop(&tap->poll);
    uv_close((uv_handle_t *)&tap->poll, on_poll_closed);
  }
  close(tap->fd);
  tap->fd = -1;
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor methods[] = {
      {"start", NULL, tap_start, NULL, NULL, NULL, napi_default, NULL},
      {"write", NULL, tap_write, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, tap_close, NULL, NULL, NULL, napi_default, NULL},
      {"setOffload", NULL, tap_set_offload, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_value cls;
  napi_define_class(env, "Tap", NAPI_AUTO_LENGTH, tap_new, NULL, 4, methods, &cls);
  napi_set_named_property(env, exports, "Tap", cls);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
