// A child process on the loop (uv_spawn): `sea streamer process` runs its CMD through one. The
// child gets three pipes (stdin, stdout, stderr), whose parent ends are plain non-blocking file
// descriptors for loop::OutputWriter / loop::InputReader; its exit is reported on the loop.
//
// The child is the leader of its own process group, so stop() and kill() reach a pipeline that
// `sh -c` started (`grep x | awk ...`), and quiescent() can look at every process of it.
//
// Lifecycle: construct on the loop thread, spawn once, destroy before the Loop. Destroying a
// Child whose process still runs kills the group with SIGKILL (nothing is left behind) and
// closes the parent's pipe ends.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "loop/loop.hpp"

namespace sea::loop {

struct ChildExit {
  std::int64_t status = 0;  // exit status when signal == 0
  int signal = 0;           // the signal that ended it, else 0
  std::string describe() const;  // "exit status 3" / "killed by signal 9 (SIGKILL)"
};

struct ChildSpec {
  std::vector<std::string> argv;  // argv[0] is looked up in PATH
  std::vector<std::string> env;   // extra NAME=VALUE over the parent's environment
};

class Child {
 public:
  explicit Child(Loop& loop);
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  // Starts the process; `on_exit` runs once on the loop when it ends.
  Result<void> spawn(const ChildSpec& spec, std::function<void(const ChildExit&)> on_exit);

  pid_t pid() const { return pid_; }
  bool running() const { return running_; }
  // The parent's ends (-1 once closed); the caller's reader/writer use them, close_*() ends them.
  int stdin_fd() const { return stdin_fd_; }
  int stdout_fd() const { return stdout_fd_; }
  int stderr_fd() const { return stderr_fd_; }
  void close_stdin();   // CMD sees end of input
  void close_stdout();
  void close_stderr();

  // Sends `signum` to the child's process group.
  void signal(int signum);

  // True when every thread of every process in the child's process group is blocked in a call
  // that waits for input (read, poll, select, epoll_wait, wait4, ...) rather than running or
  // writing (Linux: /proc/PID/task/TID/syscall). With its stdin pipe empty and its stdout read
  // to the end, a child in this state has written out everything it will write for what it was
  // given, unless it holds data back on purpose (see src/flow/README.md).
  bool quiescent() const;

 private:
  struct Impl;
  Loop& loop_;
  Impl* impl_ = nullptr;
  pid_t pid_ = 0;
  bool running_ = false;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
  std::function<void(const ChildExit&)> on_exit_;
};

}  // namespace sea::loop
