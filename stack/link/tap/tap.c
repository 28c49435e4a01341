/*
 * TAP device for the stack: open /dev/net/tun as IFF_TAP|IFF_NO_PI with a
 * non-blocking fd, watch it with uv_poll and read until EAGAIN, so one
 * readable wake-up drains a whole burst of frames without a pool thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <node_api.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <uv.h>

#define MAX_FRAME 65536
#define MAX_BATCH 256

typedef struct {
  int fd;
  uv_poll_t poll;
  int polling;
  int closed;
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
    napi_value frame;
    void *data;
    napi_create_buffer_copy(env, (size_t)n, tap->buf, &data, &frame);
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

/* new Tap(name) */
static napi_value tap_new(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], self;
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
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
    int e = errno;
    close(fd);
    char what[64];
    snprintf(what, sizeof what, "TUNSETIFF %s", name);
    return throw_errno(env, what, e);
  }
  tap_t *tap = calloc(1, sizeof *tap);
  tap->fd = fd;
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

/* tap.write(buffer) -> true if written, false if the kernel queue is full */
static napi_value tap_write(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  tap_t *tap = unwrap(env, info, &argc, argv);
  if (!tap) return NULL;
  void *data;
  size_t len;
  if (napi_get_buffer_info(env, argv[0], &data, &len) != napi_ok) {
    napi_throw_type_error(env, "EINVAL", "write(frame): frame must be a Buffer or Uint8Array");
    return NULL;
  }
  ssize_t n;
  do {
    n = write(tap->fd, data, len);
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
  };
  napi_value cls;
  napi_define_class(env, "Tap", NAPI_AUTO_LENGTH, tap_new, NULL, 3, methods, &cls);
  napi_set_named_property(env, exports, "Tap", cls);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
