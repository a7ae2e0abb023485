// The hiredis connection of connection.hpp. hiredis runs on our libuv loop through its own
// adapter, hiredis/adapters/libuv.h: that makes this file the one documented exception to
// "only loop/ includes uv.h" (the adapter includes it; we only replace its poll hooks, below).
#include "backends/redis/connection.hpp"

#include <hiredis/adapters/libuv.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <hiredis/sds.h>
#include <poll.h>

#include <algorithm>
#include <chrono>
#include <random>

#include "backends/redis/layout.hpp"

namespace sea::redis {

namespace {

constexpr std::uint64_t kBackoffMinMs = 50;
constexpr std::uint64_t kBackoffMaxMs = 5000;
constexpr std::uint64_t kTimeoutTickMs = 100;
constexpr int kDrainOnCloseMs = 1000;

// Replies of a server that is up but cannot serve data yet (loading its data set after a
// restart, running a long script, a replica without its master): retry later, not a refusal.
bool not_ready(std::string_view error) {
  return error.starts_with("LOADING") || error.starts_with("BUSY") || error.starts_with("MASTERDOWN");
}

std::uint64_t monotonic_ms() {
  using namespace std::chrono;
  return static_cast<std::uint64_t>(duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count());
}

// hiredis 0.14's libuv adapter ignores a poll error (libuv reports a connection reset as
// status UV_EBADF and stops the handle), so a killed connection would never be noticed. These
// hooks replace its four event hooks with ones whose callback lets hiredis read on an error,
// where it then sees the reset and disconnects (as newer hiredis adapters do).
void poll_cb(uv_poll_t* handle, int status, int events) {
  auto* p = static_cast<redisLibuvEvents*>(handle->data);
  const int ready = status != 0 ? p->events : events;
  if (p->context != nullptr && (ready & UV_READABLE) != 0) redisAsyncHandleRead(p->context);
  if (p->context != nullptr && (ready & UV_WRITABLE) != 0) {
    redisAsyncHandleWrite(p->context);
    if (p->context != nullptr) Connection::written_cb(p->context);
  }
}

void update_poll(void* privdata, int add, int remove) {
  auto* p = static_cast<redisLibuvEvents*>(privdata);
  const int events = (p->events | add) & ~remove;
  // hiredis asks for "writable" with every command it queues; uv_poll_start on a running handle
  // first takes the fd out of epoll (one epoll_ctl per command, the most frequent syscall of a
  // pipelined producer), so a handle already watching these events is left alone. After a poll
  // error libuv has stopped the handle: that one is started again.
  if (events == p->events && events != 0 && uv_is_active(reinterpret_cast<uv_handle_t*>(&p->handle)) != 0) return;
  p->events = events;
  if (p->events != 0) uv_poll_start(&p->handle, p->events, poll_cb);
  else uv_poll_stop(&p->handle);
}

void add_read(void* privdata) { update_poll(privdata, UV_READABLE, 0); }
void del_read(void* privdata) { update_poll(privdata, 0, UV_READABLE); }
void add_write(void* privdata) { update_poll(privdata, UV_WRITABLE, 0); }
void del_write(void* privdata) { update_poll(privdata, 0, UV_WRITABLE); }

std::minstd_rand& jitter_rng() {
  static std::minstd_rand rng(static_cast<unsigned>(now_ms()));
  return rng;
}

}  // namespace

Connection::Connection(loop::Loop& loop, ConnectionConfig config)
    : loop_(loop), config_(std::move(config)), reconnect_timer_(loop), timeout_timer_(loop) {}

Connection::~Connection() {
  drain_before_close(kDrainOnCloseMs);
  if (ctx_ != nullptr) {
    // Pending callbacks must not run into a destroyed owner: hiredis calls them with a NULL
    // reply while freeing, and reply_cb ignores contexts whose owner is gone.
    ctx_->data = nullptr;
    redisAsyncFree(ctx_);
    ctx_ = nullptr;
  }
}

void Connection::start() {
  if (started_) return;
  started_ = true;
  timeout_timer_.start(kTimeoutTickMs, kTimeoutTickMs, [this] { check_timeouts(); });
  timeout_timer_.unref();
  connect();
}

void Connection::connect() {
  redisAsyncContext* ac = redisAsyncConnect(config_.address.host.c_str(), config_.address.port);
  if (ac == nullptr || ac->err != 0) {
    last_error_ = fmt::format("connect to {}:{}: {}", config_.address.host, config_.address.port,
                              ac != nullptr ? ac->errstr : "out of memory");
    if (ac != nullptr) redisAsyncFree(ac);
    schedule_reconnect();
    return;
  }
  ac->data = this;
  if (redisLibuvAttach(ac, loop_.native()) != REDIS_OK) {
    last_error_ = "cannot attach hiredis to the loop";
    ac->data = nullptr;
    redisAsyncFree(ac);
    schedule_reconnect();
    return;
  }
  ac->ev.addRead = add_read;
  ac->ev.delRead = del_read;
  ac->ev.addWrite = add_write;
  ac->ev.delWrite = del_write;
  redisAsyncSetConnectCallback(ac, &Connection::connect_cb);
  redisAsyncSetDisconnectCallback(ac, &Connection::disconnect_cb);
  ctx_ = ac;
  handshake_done_ = false;
  dying_ = false;

  // The handshake goes first in the pipeline; hiredis writes it once the socket connects.
  std::vector<std::string> steps;
  if (!config_.password.empty()) {
    steps.push_back(config_.user.empty() ? format_command({"AUTH", config_.password})
                                         : format_command({"AUTH", config_.user, config_.password}));
  }
  if (config_.db != 0) steps.push_back(format_command({"SELECT", std::to_string(config_.db)}));
  steps.push_back(format_command({"CLIENT", "SETNAME", config_.name}));
  // PING is refused with -LOADING while a restarted server loads its AOF/RDB, unlike the
  // steps above: the connection is up only once data commands would be served.
  steps.push_back(format_command({"PING"}));
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const bool last = i + 1 == steps.size();
    pending_.push_back(Pending{[this, last](redisReply* reply, const Error* error) {
      if (error == nullptr) on_handshake_reply(reply, last);  // else the disconnect path reports it
    }, loop_.now_ms() + config_.command_timeout_ms});
    redisAsyncFormattedCommand(ac, &Connection::reply_cb, nullptr, steps[i].data(), steps[i].size());
  }
}

void Connection::on_handshake_reply(redisReply* reply, bool last) {
  if (reply->type == REDIS_REPLY_ERROR && not_ready(reply_text(reply))) {
    // Not ready yet: drop this connection and try again after the backoff.
    reset(fmt::format("{}:{} is not ready: {}", config_.address.host, config_.address.port, reply_text(reply)));
    return;
  }
  if (reply->type == REDIS_REPLY_ERROR) {
    last_error_ = fmt::format("{}:{} refused the handshake: {}", config_.address.host, config_.address.port,
                              reply_text(reply));
    // Wrong credentials or database: reconnecting would fail the same way forever.
    refused_ = true;
    reset(last_error_);
    reconnect_timer_.stop();
    if (on_fatal_) on_fatal_(last_error_);
    return;
  }
  if (last) {
    handshake_done_ = true;
    attempts_ = 0;
    if (on_state_) on_state_(true);
  }
}

void Connection::schedule_reconnect() {
  if (refused_) return;
  const std::uint64_t base = std::min(kBackoffMaxMs, kBackoffMinMs << std::min(attempts_, 7u));
  ++attempts_;
  std::uniform_int_distribution<std::uint64_t> spread(base / 2, base);
  const std::uint64_t delay = spread(jitter_rng());
  reconnect_timer_.start(delay, 0, [this] { connect(); });
}

Result<void> Connection::command(std::string_view formatted, ReplyFn fn, bool blocking) {
  if (!up()) {
    return make_error(Errc::closed, "not connected to {}:{}{}{}", config_.address.host, config_.address.port,
                      last_error_.empty() ? "" : ": ", last_error_);
  }
  const int rc = redisAsyncFormattedCommand(ctx_, &Connection::reply_cb, nullptr, formatted.data(), formatted.size());
  if (rc != REDIS_OK) return make_error(Errc::backend, "hiredis refused a command for {}", config_.address.host);
  pending_.push_back(Pending{std::move(fn), blocking ? 0 : loop_.now_ms() + config_.command_timeout_ms});
  if (backlogged()) was_backlogged_ = true;
  return ok();
}

std::size_t Connection::unwritten() const { return ctx_ != nullptr ? sdslen(ctx_->c.obuf) : 0; }

void Connection::written_cb(redisAsyncContext* ac) {
  auto* self = static_cast<Connection*>(ac->data);
  if (self != nullptr && self->ctx_ == ac) self->after_write();
}

void Connection::after_write() {
  if (!was_backlogged_ || unwritten() > kWriteHighWater / 4) return;
  was_backlogged_ = false;
  if (on_drained_ && up()) on_drained_();
}

void Connection::reset(std::string_view why) {
  last_error_ = std::string(why);
  if (ctx_ == nullptr) return;
  redisAsyncContext* ac = ctx_;
  ctx_ = nullptr;
  const bool was_up = handshake_done_;
  handshake_done_ = false;
  // Pending callbacks run with a NULL reply from inside the free (or right after the current
  // hiredis callback returns); the owner pointer stays so they are popped in order.
  redisAsyncFree(ac);
  schedule_reconnect();
  if (was_up && on_state_) on_state_(false);
}

void Connection::check_timeouts() {
  if (pending_.empty() || ctx_ == nullptr) return;
  const Pending& front = pending_.front();
  if (front.deadline_ms != 0 && loop_.now_ms() > front.deadline_ms)
    reset(fmt::format("{}:{} did not answer within {} ms", config_.address.host, config_.address.port,
                      config_.command_timeout_ms));
}

void Connection::on_reply(redisReply* reply) {
  if (reply == nullptr) dying_ = true;
  if (pending_.empty()) return;
  Pending pending = std::move(pending_.front());
  pending_.pop_front();
  if (!pending.fn) return;
  if (reply == nullptr) {
    dying_ = true;
    const Error error = make_error(Errc::closed, "connection to {}:{} lost{}{}", config_.address.host,
                                   config_.address.port, last_error_.empty() ? "" : ": ", last_error_);
    pending.fn(nullptr, &error);
  } else {
    pending.fn(reply, nullptr);
  }
}

void Connection::on_connected(int status) {
  if (status != REDIS_OK) {
    last_error_ = fmt::format("connect to {}:{}: {}", config_.address.host, config_.address.port,
                              ctx_ != nullptr && ctx_->errstr[0] != 0 ? ctx_->errstr : "refused");
    // hiredis frees the context after this callback.
    ctx_ = nullptr;
    handshake_done_ = false;
    schedule_reconnect();
  }
}

// A clean stop must not lose what was acknowledged: XACKs queued just before the consumer is
// destroyed would die with the context. So the destructor writes what hiredis still holds and
// reads the replies of the pending non-blocking commands, for at most `timeout_ms`. Replies go
// nowhere (the owner is being destroyed), and a blocking read pending on the connection means
// there is nothing worth waiting for. This blocks the loop thread briefly, once, at shutdown.
void Connection::drain_before_close(int timeout_ms) {
  if (ctx_ == nullptr || !handshake_done_) return;
  closing_ = true;
  bool any_blocking = false;
  for (Pending& p : pending_) {
    p.fn = nullptr;
    any_blocking = any_blocking || p.deadline_ms == 0;
  }
  const std::uint64_t deadline = monotonic_ms() + static_cast<std::uint64_t>(timeout_ms);
  while (ctx_ != nullptr) {
    redisAsyncHandleWrite(ctx_);
    if (ctx_ == nullptr) break;
    const bool unwritten = sdslen(ctx_->c.obuf) > 0;
    if (!unwritten && (pending_.empty() || any_blocking)) break;
    const std::uint64_t now = monotonic_ms();
    if (now >= deadline) break;
    struct pollfd p {ctx_->c.fd, static_cast<short>(POLLIN | (unwritten ? POLLOUT : 0)), 0};
    if (::poll(&p, 1, static_cast<int>(deadline - now)) <= 0) break;
    if (p.revents & (POLLIN | POLLHUP | POLLERR)) redisAsyncHandleRead(ctx_);
  }
}

void Connection::on_disconnected(int status) {
  (void)status;
  if (closing_) {
    ctx_ = nullptr;
    return;
  }
  const bool was_up = handshake_done_;
  ctx_ = nullptr;
  handshake_done_ = false;
  if (last_error_.empty()) last_error_ = "the server closed the connection";
  schedule_reconnect();
  if (was_up && on_state_) on_state_(false);
}

void Connection::connect_cb(const redisAsyncContext* ac, int status) {
  auto* self = static_cast<Connection*>(ac->data);
  if (self != nullptr && self->ctx_ == ac) self->on_connected(status);
}

void Connection::disconnect_cb(const redisAsyncContext* ac, int status) {
  auto* self = static_cast<Connection*>(ac->data);
  if (self != nullptr && self->ctx_ == ac) {
    if (ac->errstr[0] != 0) self->last_error_ = ac->errstr;
    self->on_disconnected(status);
  }
}

void Connection::reply_cb(redisAsyncContext* ac, void* reply, void*) {
  auto* self = static_cast<Connection*>(ac->data);
  if (self != nullptr) self->on_reply(static_cast<redisReply*>(reply));
}

StolenElements steal_elements(redisReply* array) {
  StolenElements stolen;
  if (array == nullptr || array->type != REDIS_REPLY_ARRAY) return stolen;
  stolen.elements = array->element;
  stolen.count = array->elements;
  array->element = nullptr;
  array->elements = 0;
  return stolen;
}

void free_elements(StolenElements stolen) {
  for (std::size_t i = 0; i < stolen.count; ++i)
    if (stolen.elements[i] != nullptr) freeReplyObject(stolen.elements[i]);
  free(stolen.elements);  // NOLINT: hiredis 0.14 allocates reply arrays with malloc
}

Error reply_error(std::string_view context, const redisReply* reply) {
  return make_error(Errc::backend, "{}: {}", context, reply_text(reply));
}

}  // namespace sea::redis
