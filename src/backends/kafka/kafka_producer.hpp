// The Kafka Producer (core/streamer.hpp): a librdkafka producer whose delivery reports reach the
// loop through QueueWake, never through a polling timer. Shards come from our partitioner
// (keyless: round robin; keyed: Java-compatible murmur2, core/murmur2.hpp) unless a fixed
// shard is set.
//
// Delivery modes: at-most-once = acks=1 and no retries (never duplicated, may be lost; acks=1
// keeps offsets in receipts); at-least-once = acks=all with retries, through the idempotent
// producer by default so that a retry never moves a message behind later ones of its partition
// (`-X enable.idempotence=false` for old brokers, at that price); exactly-once = the idempotent
// producer, forced. Transactions are for relay --delivery exactly-once only
// (ProducerOptions.transaction_id, kafka_transaction.cpp); `transactional.id` given anywhere
// else is refused with Errc::unsupported instead of being silently ignored.
//
// Backpressure: the in-flight window (max_in_flight messages / max_in_flight_bytes) drives
// congested(); librdkafka's own queue is sized above that window, and if it is full anyway
// (RD_KAFKA_RESP_ERR__QUEUE_FULL) the message waits in a small FIFO of ours and is retried as
// deliveries free room: never dropped, order kept.
//
// Lifecycle and thread: created and used on the loop's thread; destroying it waits for what is
// still queued, as a Kafka producer does on close, for as long as deliveries go on (it stops
// after 1 s without one: the cluster is down and the caller has already flushed or given up).
#pragma once

#include <atomic>
#include <deque>
#include <memory>
#include <optional>
#include <thread>

#include "backends/kafka/kafka_client.hpp"
#include "backends/kafka/queue_wake.hpp"
#include "core/streamer.hpp"

namespace sea::kafka {

// The round-robin run of keyless messages: produce() starts runs, the partitioner (on another
// thread at times) reads the run and remembers the partition it found for it (run << 24 | partition).
struct KeylessRun {
  std::atomic<std::uint64_t> index{0};
  std::atomic<std::uint64_t> placed{~std::uint64_t{0}};
  std::thread::id producing_thread = std::this_thread::get_id();
};

class KafkaProducer final : public Producer {
 public:
  static Result<std::unique_ptr<KafkaProducer>> create(loop::Loop& loop, ClientConfig config,
                                                       const std::string& topic, const ProducerOptions& options);
  ~KafkaProducer() override;

  Result<Ticket> send(const MessageView& message) override;
  bool congested() const override;
  void set_on_drain(std::function<void()> on_drain) override { on_drain_ = std::move(on_drain); }
  void set_on_delivery(DeliveryCallback on_delivery) override { on_delivery_ = std::move(on_delivery); }
  void flush(std::function<void(Result<void>)> done) override;
  Result<void> begin_transaction() override;
  Result<void> commit_transaction(Consumer& input, std::span<const ShardPosition> positions) override;
  Result<void> abort_transaction() override;
  std::uint64_t sent() const override { return next_ticket_ - 1; }
  std::uint64_t acknowledged() const override { return acknowledged_; }
  std::uint64_t failed() const override { return failed_; }

 private:
  struct Pending {
    Ticket ticket;
    Message message;
  };
  struct FlushWaiter {
    Ticket target;
    std::optional<Error> first_error;
    std::function<void(Result<void>)> done;
  };

  KafkaProducer(loop::Loop& loop, const ProducerOptions& options);
  // Hands one message to librdkafka; QUEUE_FULL comes back as Errc::timeout with that code.
  Result<void> produce(const MessageView& message, Ticket ticket);
  void on_wake();
  void next_keyless();
  void retry_pending();
  void report(Ticket ticket, const Result<Receipt>& outcome, std::size_t bytes);
  void complete_flushes();
  void flush_on_close();
  Result<void> init_transactions();
  static void delivery_report(rd_kafka_t* rk, const rd_kafka_message_t* message, void* opaque);

  loop::Loop& loop_;
  ProducerOptions options_;
  HandlePtr rk_;
  TopicPtr topic_;
  QueuePtr main_queue_;
  QueueWake wake_;
  loop::Defer deferred_;
  std::deque<Pending> pending_;
  std::deque<bool> completed_;   // completion flags of tickets window_base_, window_base_ + 1, ...
  Ticket window_base_ = 1;       // the oldest ticket not yet reported
  Ticket next_ticket_ = 1;
  std::uint64_t acknowledged_ = 0;
  std::uint64_t failed_ = 0;
  std::size_t in_flight_bytes_ = 0;
  bool drain_wanted_ = false;
  std::deque<FlushWaiter> flushes_;
  std::function<void()> on_drain_;
  DeliveryCallback on_delivery_;
  KeylessRun keyless_run_;
  std::uint32_t run_length_ = 0;
  std::uint32_t run_cap_ = 1;
  std::uint64_t run_started_ms_ = 0;
};

}  // namespace sea::kafka
