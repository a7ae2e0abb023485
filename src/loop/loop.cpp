// libuv implementation of loop.hpp. Each handle's uv memory lives in an Impl that is freed by
// uv_close's callback, so destroying a C++ handle is safe at any time on the loop thread.
#include "loop/loop.hpp"

#include <uv.h>

#include <utility>

namespace sea::loop {

namespace {

template <class Impl>
void close_and_delete(Impl* impl) {
  auto* handle = reinterpret_cast<uv_handle_t*>(&impl->handle);
  handle->data = impl;
  uv_close(handle, [](uv_handle_t* h) { delete static_cast<Impl*>(h->data); });
}

}  // namespace

Loop::Loop() : loop_(new uv_loop_t) {
  const int rc = uv_loop_init(loop_);
  SEA_ASSERT(rc == 0, "uv_loop_init failed");
}

Loop::~Loop() {
  // Let pending close callbacks run, then close for good.
  uv_run(loop_, UV_RUN_NOWAIT);
  if (uv_loop_close(loop_) == UV_EBUSY) {
    uv_walk(loop_, [](uv_handle_t* h, void*) {
      if (!uv_is_closing(h)) uv_close(h, nullptr);
    }, nullptr);
    uv_run(loop_, UV_RUN_DEFAULT);
    uv_loop_close(loop_);
  }
  delete loop_;
}

void Loop::run() {
  stop_requested_ = false;
  uv_run(loop_, UV_RUN_DEFAULT);
}

bool Loop::run_once(bool block) { return uv_run(loop_, block ? UV_RUN_ONCE : UV_RUN_NOWAIT) != 0; }

void Loop::stop() {
  stop_requested_ = true;
  uv_stop(loop_);
}

std::uint64_t Loop::now_ms() const { return uv_now(loop_); }

// --- Timer ---

struct Timer::Impl {
  uv_timer_t handle;
  std::function<void()> callback;
};

Timer::Timer(Loop& loop) : impl_(new Impl) { uv_timer_init(loop.native(), &impl_->handle); }
Timer::~Timer() { close_and_delete(impl_); }

void Timer::start(std::uint64_t timeout_ms, std::uint64_t repeat_ms, std::function<void()> callback) {
  impl_->callback = std::move(callback);
  impl_->handle.data = impl_;
  uv_timer_start(&impl_->handle, [](uv_timer_t* t) {
    auto* self = static_cast<Impl*>(t->data);
    if (self->callback) self->callback();
  }, timeout_ms, repeat_ms);
}

void Timer::stop() { uv_timer_stop(&impl_->handle); }
void Timer::unref() { uv_unref(reinterpret_cast<uv_handle_t*>(&impl_->handle)); }

// --- FdWatch ---

struct FdWatch::Impl {
  uv_poll_t handle;
  int fd;
  bool initialized = false;
  uv_loop_t* loop;
  std::function<void(int)> callback;
};

FdWatch::FdWatch(Loop& loop, int fd) : impl_(new Impl) {
  impl_->fd = fd;
  impl_->loop = loop.native();
}

FdWatch::~FdWatch() {
  if (impl_->initialized) {
    uv_poll_stop(&impl_->handle);
    close_and_delete(impl_);
  } else {
    delete impl_;
  }
}

int FdWatch::fd() const { return impl_->fd; }

Result<void> FdWatch::start(int events, std::function<void(int)> callback) {
  if (!impl_->initialized) {
    const int rc = uv_poll_init(impl_->loop, &impl_->handle, impl_->fd);
    if (rc != 0) return Error{Errc::io, fmt::format("watch fd {}: {}", impl_->fd, uv_strerror(rc)), rc};
    impl_->initialized = true;
  }
  impl_->callback = std::move(callback);
  impl_->handle.data = impl_;
  int uv_events = 0;
  if (events & readable) uv_events |= UV_READABLE;
  if (events & writable) uv_events |= UV_WRITABLE;
  if (events & hangup) uv_events |= UV_DISCONNECT;
  const int rc = uv_poll_start(&impl_->handle, uv_events, [](uv_poll_t* p, int status, int ev) {
    auto* self = static_cast<Impl*>(p->data);
    if (status < 0) {
      self->callback(status);
      return;
    }
    int out = 0;
    if (ev & UV_READABLE) out |= readable;
    if (ev & UV_WRITABLE) out |= writable;
    if (ev & UV_DISCONNECT) out |= hangup;
    self->callback(out);
  });
  if (rc != 0) return Error{Errc::io, fmt::format("watch fd {}: {}", impl_->fd, uv_strerror(rc)), rc};
  return {};
}

void FdWatch::stop() {
  if (impl_->initialized) uv_poll_stop(&impl_->handle);
}

// --- SignalWatch ---

struct SignalWatch::Impl {
  uv_signal_t handle;
  std::function<void(int)> callback;
};

SignalWatch::SignalWatch(Loop& loop, int signum, std::function<void(int)> callback) : impl_(new Impl) {
  impl_->callback = std::move(callback);
  uv_signal_init(loop.native(), &impl_->handle);
  impl_->handle.data = impl_;
  uv_signal_start(&impl_->handle, [](uv_signal_t* s, int sig) { static_cast<Impl*>(s->data)->callback(sig); },
                  signum);
}

SignalWatch::~SignalWatch() {
  uv_signal_stop(&impl_->handle);
  close_and_delete(impl_);
}

void SignalWatch::unref() { uv_unref(reinterpret_cast<uv_handle_t*>(&impl_->handle)); }

// --- FsWatch ---

struct FsWatch::Impl {
  uv_fs_event_t handle;
  std::function<void(const std::string&)> callback;
};

FsWatch::FsWatch(Loop& loop) : impl_(new Impl) { uv_fs_event_init(loop.native(), &impl_->handle); }
FsWatch::~FsWatch() {
  uv_fs_event_stop(&impl_->handle);
  close_and_delete(impl_);
}

Result<void> FsWatch::start(const std::string& path, std::function<void(const std::string&)> callback) {
  impl_->callback = std::move(callback);
  impl_->handle.data = impl_;
  uv_fs_event_stop(&impl_->handle);
  const int rc = uv_fs_event_start(&impl_->handle, [](uv_fs_event_t* e, const char* name, int, int) {
    static_cast<Impl*>(e->data)->callback(name != nullptr ? name : "");
  }, path.c_str(), 0);
  if (rc != 0) return Error{Errc::io, fmt::format("watch {}: {}", path, uv_strerror(rc)), rc};
  return {};
}

void FsWatch::stop() { uv_fs_event_stop(&impl_->handle); }

// --- Defer ---

struct Defer::Impl {
  uv_idle_t handle;
  std::function<void()> callback;
};

Defer::Defer(Loop& loop, std::function<void()> callback) : impl_(new Impl) {
  impl_->callback = std::move(callback);
  uv_idle_init(loop.native(), &impl_->handle);
  impl_->handle.data = impl_;
}

Defer::~Defer() {
  uv_idle_stop(&impl_->handle);
  close_and_delete(impl_);
}

void Defer::schedule() {
  uv_idle_start(&impl_->handle, [](uv_idle_t* h) {
    uv_idle_stop(h);
    static_cast<Impl*>(h->data)->callback();
  });
}

void Defer::cancel() { uv_idle_stop(&impl_->handle); }

}  // namespace sea::loop
