// The process's one event loop (libuv) and small RAII handles on it: timers, fd watches,
// signal watches, file-system watches and deferred calls. This folder is the only one that
// includes uv.h (the Redis backend's hiredis adapter is the one documented exception); the
// rest of the tree sees these classes and an opaque uv_loop_s.
//
// Threading: a Loop and its handles are used from the thread that runs the loop only.
// Lifecycle: handles must be destroyed before their Loop; destroying a handle stops it, and
// the memory libuv still needs is released when the loop next runs (uv_close's callback).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/error.hpp"

struct uv_loop_s;

namespace sea::loop {

class Loop {
 public:
  Loop();
  ~Loop();
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  // Runs until stop() or until no active handle is left.
  void run();
  // Runs one iteration; with block, waits for at least one event. Returns false when no
  // active handles remain.
  bool run_once(bool block = true);
  void stop();
  bool stopping() const { return stop_requested_; }
  std::uint64_t now_ms() const;

  uv_loop_s* native() { return loop_; }

 private:
  uv_loop_s* loop_;
  bool stop_requested_ = false;
};

// A one-shot or repeating timer.
class Timer {
 public:
  explicit Timer(Loop& loop);
  ~Timer();
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;
  void start(std::uint64_t timeout_ms, std::uint64_t repeat_ms, std::function<void()> callback);
  void stop();
  // A timer does not keep the loop alive by itself when unref'd (a housekeeping tick).
  void unref();

 private:
  struct Impl;
  Impl* impl_;
};

// Watches a file descriptor for readability / writability (uv_poll). The fd must be pollable
// (pipe, FIFO, socket, tty); regular files are always ready and must not be watched.
class FdWatch {
 public:
  enum Events : int { readable = 1, writable = 2, hangup = 4 };
  FdWatch(Loop& loop, int fd);
  ~FdWatch();
  FdWatch(const FdWatch&) = delete;
  FdWatch& operator=(const FdWatch&) = delete;
  // The callback gets a bitmask of Events, or a negative errno on error.
  Result<void> start(int events, std::function<void(int events)> callback);
  void stop();
  int fd() const;

 private:
  struct Impl;
  Impl* impl_;
};

// Delivers SIGINT/SIGTERM/SIGHUP... on the loop instead of in a signal handler.
class SignalWatch {
 public:
  SignalWatch(Loop& loop, int signum, std::function<void(int signum)> callback);
  ~SignalWatch();
  SignalWatch(const SignalWatch&) = delete;
  SignalWatch& operator=(const SignalWatch&) = delete;
  void unref();

 private:
  struct Impl;
  Impl* impl_;
};

// inotify on a file or directory: the callback gets the changed entry's name (may be empty).
class FsWatch {
 public:
  explicit FsWatch(Loop& loop);
  ~FsWatch();
  FsWatch(const FsWatch&) = delete;
  FsWatch& operator=(const FsWatch&) = delete;
  Result<void> start(const std::string& path, std::function<void(const std::string& name)> callback);
  void stop();

 private:
  struct Impl;
  Impl* impl_;
};

// Runs a callback on the next loop iteration (coalesced: scheduling twice runs it once).
class Defer {
 public:
  Defer(Loop& loop, std::function<void()> callback);
  ~Defer();
  Defer(const Defer&) = delete;
  Defer& operator=(const Defer&) = delete;
  void schedule();
  void cancel();

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace sea::loop
