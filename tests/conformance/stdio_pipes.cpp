// Ctx::stdio_roundtrip (harness.hpp): the stdio backend produces to the process's own stdout and
// consumes its stdin, so the cell points fd 1, then fd 0, at pipes for the duration and puts
// the originals back. Envelopes (-X stdio.envelope=true) carry keys, headers and timestamps.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "conformance/harness.hpp"

namespace sea::conformance {

namespace {

// Points `target_fd` at `fd` until destroyed.
class Redirect {
 public:
  Redirect(int target_fd, int fd) : target_(target_fd), saved_(::dup(target_fd)) { ::dup2(fd, target_fd); }
  ~Redirect() {
    ::dup2(saved_, target_);
    ::close(saved_);
  }
  Redirect(const Redirect&) = delete;
  Redirect& operator=(const Redirect&) = delete;

 private:
  int target_;
  int saved_;
};

constexpr int kPipeBytes = 1 << 20;

}  // namespace

std::vector<Message> Ctx::stdio_roundtrip(const std::vector<Message>& messages) {
  // 1. Produce into a pipe standing in for stdout; the test's own stdout is flushed first so
  //    that nothing of doctest's lands in the pipe.
  std::fflush(stdout);
  int out_pipe[2];
  require(::pipe2(out_pipe, O_CLOEXEC) == 0, "pipe");
  ::fcntl(out_pipe[1], F_SETPIPE_SZ, kPipeBytes);
  std::string produced;
  {
    Redirect to_pipe(STDOUT_FILENO, out_pipe[1]);
    std::unique_ptr<Producer> p = producer("stdio");
    send_all(*p, "stdio", messages);
    p.reset();
    run_for(1);
  }
  ::close(out_pipe[1]);
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(out_pipe[0], buf, sizeof buf);
    if (n <= 0) break;
    produced.append(buf, static_cast<std::size_t>(n));
  }
  ::close(out_pipe[0]);

  // 2. Consume those bytes from a pipe standing in for stdin.
  int in_pipe[2];
  require(::pipe2(in_pipe, O_CLOEXEC) == 0, "pipe");
  ::fcntl(in_pipe[1], F_SETPIPE_SZ, kPipeBytes);
  require(produced.size() <= static_cast<std::size_t>(kPipeBytes), "test data larger than the pipe");
  require(::write(in_pipe[1], produced.data(), produced.size()) == static_cast<ssize_t>(produced.size()),
          "write to the stdin pipe");
  ::close(in_pipe[1]);
  std::vector<Message> got;
  {
    Redirect from_pipe(STDIN_FILENO, in_pipe[0]);
    std::unique_ptr<Consumer> c = consumer("stdio", ConsumerOptions{});
    got = read(*c, 0, 10'000);
    c.reset();
    run_for(1);
  }
  ::close(in_pipe[0]);
  return got;
}

}  // namespace sea::conformance
