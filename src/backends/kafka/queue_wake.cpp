// The pipe behind QueueWake: non-blocking on both ends, as librdkafka requires for its end.
#include "backends/kafka/queue_wake.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace sea::kafka {

QueueWake::~QueueWake() { stop(); }

Result<void> QueueWake::start(loop::Loop& loop, rd_kafka_queue_t* queue, std::function<void()> on_wake) {
  stop();
  int fds[2];
  if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) return errno_error(errno, "pipe for Kafka queue events");
  read_fd_ = fds[0];
  write_fd_ = fds[1];
  queue_ = queue;
  on_wake_ = std::move(on_wake);
  watch_ = std::make_unique<loop::FdWatch>(loop, read_fd_);
  Result<void> started = watch_->start(loop::FdWatch::readable, [this](int events) {
    if (events < 0) return;
    // Empty the pipe first: a byte written after this point must wake us again.
    char buf[64];
    while (read(read_fd_, buf, sizeof buf) > 0) {
    }
    if (on_wake_) on_wake_();
  });
  if (!started) {
    stop();
    return started;
  }
  static const char kByte = 1;
  rd_kafka_queue_io_event_enable(queue_, write_fd_, &kByte, 1);
  return ok();
}

void QueueWake::stop() {
  if (queue_ != nullptr) rd_kafka_queue_io_event_enable(queue_, -1, nullptr, 0);
  queue_ = nullptr;
  watch_.reset();
  if (read_fd_ >= 0) close(read_fd_);
  if (write_fd_ >= 0) close(write_fd_);
  read_fd_ = write_fd_ = -1;
}

}  // namespace sea::kafka
