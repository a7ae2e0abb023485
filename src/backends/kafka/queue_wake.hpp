// Where librdkafka's threads meet our loop. librdkafka writes one byte into a pipe when one of
// its queues turns non-empty (rd_kafka_queue_io_event_enable); the loop watches the pipe's read
// end with a loop::FdWatch and calls back, and the owner then serves the queue. No timer polls.
//
// Lifecycle: created by a producer or consumer on the loop's thread; destroyed before the
// queue's rd_kafka_t is (the destructor turns the io event off before closing the pipe).
// The wake-up fires once per "non-polling period": after it, the owner must serve the queue
// until it is empty or keep serving it later on its own, or no further wake-up comes.
#pragma once

#include <functional>
#include <memory>

#include "backends/kafka/kafka_client.hpp"
#include "loop/loop.hpp"

namespace sea::kafka {

class QueueWake {
 public:
  QueueWake() = default;
  ~QueueWake();
  QueueWake(const QueueWake&) = delete;
  QueueWake& operator=(const QueueWake&) = delete;

  // Starts watching `queue` (not owned); `on_wake` runs on the loop.
  Result<void> start(loop::Loop& loop, rd_kafka_queue_t* queue, std::function<void()> on_wake);
  void stop();

 private:
  rd_kafka_queue_t* queue_ = nullptr;
  int read_fd_ = -1;
  int write_fd_ = -1;
  std::unique_ptr<loop::FdWatch> watch_;
  std::function<void()> on_wake_;
};

}  // namespace sea::kafka
