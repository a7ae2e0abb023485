// libuv implementation of child.hpp. The pipes are made here (pipe2, close-on-exec) and handed to
// uv_spawn as inherited descriptors, so the parent's ends stay plain fds for io.hpp.
#include "loop/child.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <uv.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/core.h>

extern char** environ;

namespace sea::loop {

std::string ChildExit::describe() const {
  if (signal != 0) {
    const char* name = sigabbrev_np(signal);
    return fmt::format("killed by signal {} (SIG{})", signal, name != nullptr ? name : "?");
  }
  if (status > 128 && status < 128 + 65) {  // a shell reports its child's signal this way
    const char* name = sigabbrev_np(static_cast<int>(status - 128));
    return fmt::format("exit status {} (128+{}: SIG{})", status, status - 128, name != nullptr ? name : "?");
  }
  return fmt::format("exit status {}", status);
}

struct Child::Impl {
  uv_process_t handle;
  Child* owner = nullptr;
};

Child::Child(Loop& loop) : loop_(loop) {}

Child::~Child() {
  if (running_) signal(SIGKILL);
  close_stdin();
  close_stdout();
  close_stderr();
  if (impl_ != nullptr) {
    impl_->owner = nullptr;
    auto* h = reinterpret_cast<uv_handle_t*>(&impl_->handle);
    h->data = impl_;
    uv_close(h, [](uv_handle_t* closed) { delete static_cast<Impl*>(closed->data); });
  }
}

namespace {

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

void Child::close_stdin() { close_fd(stdin_fd_); }
void Child::close_stdout() { close_fd(stdout_fd_); }
void Child::close_stderr() { close_fd(stderr_fd_); }

Result<void> Child::spawn(const ChildSpec& spec, std::function<void(const ChildExit&)> on_exit) {
  SEA_ASSERT(impl_ == nullptr, "Child::spawn called twice");
  if (spec.argv.empty()) return make_error(Errc::invalid_argument, "no command to run");
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) != 0) return make_error(Errc::io, "pipe: {}", strerror(errno));
  if (pipe2(out, O_CLOEXEC) != 0) {
    ::close(in[0]), ::close(in[1]);
    return make_error(Errc::io, "pipe: {}", strerror(errno));
  }
  if (pipe2(err, O_CLOEXEC) != 0) {
    ::close(in[0]), ::close(in[1]), ::close(out[0]), ::close(out[1]);
    return make_error(Errc::io, "pipe: {}", strerror(errno));
  }
  std::vector<char*> args;
  for (const std::string& a : spec.argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // The environment: the parent's, with spec.env's names replaced or added.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    const std::string name = entry.substr(0, entry.find('='));
    bool replaced = false;
    for (const std::string& extra : spec.env) replaced |= extra.substr(0, extra.find('=')) == name;
    if (!replaced) env_strings.push_back(entry);
  }
  for (const std::string& extra : spec.env) env_strings.push_back(extra);
  std::vector<char*> env;
  for (std::string& e : env_strings) env.push_back(e.data());
  env.push_back(nullptr);

  uv_stdio_container_t stdio[3];
  stdio[0].flags = UV_INHERIT_FD;
  stdio[0].data.fd = in[0];
  stdio[1].flags = UV_INHERIT_FD;
  stdio[1].data.fd = out[1];
  stdio[2].flags = UV_INHERIT_FD;
  stdio[2].data.fd = err[1];
  uv_process_options_t options{};
  options.file = args[0];
  options.args = args.data();
  options.env = env.data();
  options.stdio = stdio;
  options.stdio_count = 3;
  // DETACHED: setsid(), so the child leads its own process group (signal(), quiescent()).
  options.flags = UV_PROCESS_DETACHED;
  options.exit_cb = [](uv_process_t* h, int64_t status, int term_signal) {
    auto* impl = static_cast<Impl*>(h->data);
    Child* self = impl->owner;
    if (self == nullptr) return;
    self->running_ = false;
    if (self->on_exit_) {
      auto callback = std::move(self->on_exit_);
      callback(ChildExit{status, term_signal});
    }
  };
  impl_ = new Impl;
  impl_->owner = this;
  impl_->handle.data = impl_;
  on_exit_ = std::move(on_exit);
  const int rc = uv_spawn(loop_.native(), &impl_->handle, &options);
  ::close(in[0]), ::close(out[1]), ::close(err[1]);
  if (rc != 0) {
    ::close(in[1]), ::close(out[0]), ::close(err[0]);
    // uv_spawn failed: the handle still needs a close before its memory goes.
    auto* h = reinterpret_cast<uv_handle_t*>(&impl_->handle);
    h->data = impl_;
    impl_->owner = nullptr;
    uv_close(h, [](uv_handle_t* closed) { delete static_cast<Impl*>(closed->data); });
    impl_ = nullptr;
    on_exit_ = nullptr;
    return make_error(Errc::io, "cannot run '{}': {}", spec.argv[0], uv_strerror(rc));
  }
  pid_ = impl_->handle.pid;
  running_ = true;
  stdin_fd_ = in[1];
  stdout_fd_ = out[0];
  stderr_fd_ = err[0];
  for (int fd : {stdin_fd_, stdout_fd_, stderr_fd_}) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  return {};
}

void Child::signal(int signum) {
  if (pid_ > 0 && running_) ::kill(-pid_, signum);
}

namespace {

// Calls that wait for something from outside the process: input, a child, a signal, another
// thread. A sleep (nanosleep) is not one: a processor sleeping mid-message is still working.
bool waits_for_input(long nr) {
  switch (nr) {
    case SYS_read: case SYS_readv: case SYS_pread64: case SYS_preadv: case SYS_recvfrom:
    case SYS_recvmsg: case SYS_ppoll: case SYS_pselect6: case SYS_epoll_pwait: case SYS_wait4:
    case SYS_waitid: case SYS_futex: case SYS_rt_sigtimedwait: case SYS_rt_sigsuspend:
#ifdef SYS_poll
    case SYS_poll:
#endif
#ifdef SYS_select
    case SYS_select:
#endif
#ifdef SYS_epoll_wait
    case SYS_epoll_wait:
#endif
#ifdef SYS_pause
    case SYS_pause:
#endif
#ifdef SYS_epoll_pwait2
    case SYS_epoll_pwait2:
#endif
      return true;
    default:
      return false;
  }
}

// Every thread of `pid` waits (see waits_for_input). A process that vanished counts as waiting.
bool process_waits(const std::string& pid) {
  const std::string tasks = "/proc/" + pid + "/task";
  DIR* dir = opendir(tasks.c_str());
  if (dir == nullptr) return true;
  bool waiting = true;
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
    const std::string task = tasks + "/" + entry->d_name;
    std::ifstream in(task + "/syscall");
    std::string first, arg0;
    if (!(in >> first)) continue;  // gone meanwhile
    char* end = nullptr;
    const long nr = std::strtol(first.c_str(), &end, 10);
    if (end == first.c_str() || *end != '\0' || !waits_for_input(nr)) {  // "running", -1, or a busy call
      waiting = false;
      break;
    }
    // Asleep in the call, interruptibly ('S'): a read of a regular file waiting for the disk is
    // 'D' (a lazy import of a Python module mid-message), a task just woken is 'R'.
    std::ifstream stat(task + "/stat");
    std::string line;
    const std::size_t close = std::getline(stat, line) ? line.rfind(')') : std::string::npos;
    if (close == std::string::npos || close + 2 >= line.size() || line[close + 2] != 'S') {
      waiting = false;
      break;
    }
    // A read waits for input only on a pipe, a FIFO, a socket or a terminal, not on a file.
    if ((nr == SYS_read || nr == SYS_readv || nr == SYS_pread64 || nr == SYS_preadv) && (in >> arg0)) {
      const long fd = std::strtol(arg0.c_str(), nullptr, 16);
      struct stat st {};
      const std::string link = "/proc/" + pid + "/fd/" + std::to_string(fd);
      if (::stat(link.c_str(), &st) == 0 && (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) {
        waiting = false;
        break;
      }
    }
  }
  closedir(dir);
  return waiting;
}

}  // namespace

namespace {

// The process tree under `root` through /proc/PID/task/TID/children (CONFIG_PROC_CHILDREN); false
// when the kernel has no such files (then every process of /proc is looked at instead).
bool walk_tree(pid_t root, std::vector<std::string>& out) {
  std::vector<std::string> todo{std::to_string(root)};
  bool have_children_files = false;
  while (!todo.empty()) {
    const std::string pid = todo.back();
    todo.pop_back();
    out.push_back(pid);
    const std::string tasks = "/proc/" + pid + "/task";
    DIR* dir = opendir(tasks.c_str());
    if (dir == nullptr) continue;
    while (dirent* entry = readdir(dir)) {
      if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
      std::ifstream children(tasks + "/" + entry->d_name + "/children");
      if (!children) continue;
      have_children_files = true;
      for (std::string child; children >> child;) todo.push_back(child);
    }
    closedir(dir);
    if (out.size() > 4096) break;  // a fork bomb is not quiet
  }
  return have_children_files;
}

}  // namespace

bool Child::quiescent() const {
  if (!running_) return true;
  std::vector<std::string> tree;
  if (walk_tree(pid_, tree)) {
    for (const std::string& pid : tree)
      if (!process_waits(pid)) return false;
    return true;
  }
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return false;
  bool quiet = true;
  while (dirent* entry = readdir(proc)) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
    std::ifstream stat(std::string("/proc/") + entry->d_name + "/stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses; it ends at the last ')'.
    const std::size_t close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(line.substr(close + 1));
    char state = 0;
    long ppid = 0, pgrp = 0;
    if (!(fields >> state >> ppid >> pgrp) || pgrp != pid_) continue;
    if (state == 'Z') continue;
    if (!process_waits(entry->d_name)) {
      quiet = false;
      break;
    }
  }
  closedir(proc);
  return quiet;
}

}  // namespace sea::loop
