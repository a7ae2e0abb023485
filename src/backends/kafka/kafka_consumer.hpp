// The Kafka Consumer (core/streamer.hpp) over librdkafka's high-level consumer. Every assigned
// partition's queue is forwarded to our own message queue, read in batches
// (rd_kafka_consume_batch_queue) when QueueWake says it turned non-empty and only as fast as the
// caller takes messages, which are handed out as views into the rd_kafka_message_t: no copy.
// Rebalances and client errors stay on the consumer queue, which is served as soon as anything
// comes: a member whose reader is slow still hands its partitions on at once (committing what was
// handed on) instead of holding the whole group up until the coordinator expels it.
//
// Without a group the consumer assigns the partitions itself from ConsumerOptions.start (a
// private group id only lets librdkafka's assign() work: it never joins nor commits). With a
// group (ConsumerOptions.group) it subscribes; ack(shard, seq) stores offset seq + 1
// (enable.auto.offset.store=false), stored offsets are committed in batches by librdkafka's
// auto-commit, and on revocation the rebalance callback commits what was handed on before the
// partitions go, and drops what was buffered but not handed on.
//
// at_end(): per partition, the end is the high watermark the consumer saw with its first
// message or EOF event of that partition (a snapshot); the partition is at its end once a
// message at or past the snapshot was handed out or an EOF came. Counting EOF events instead
// (kcat -e) never ends, or ends too early, on a busy multi-partition topic.
//
// Exactly-once mode (ConsumerMode::exactly_once) reads with isolation.level=read_committed.
// With ConsumerOptions.commit_in_transactions as well (relay --delivery exactly-once) the
// consumer never commits by itself (no auto commit, ack and commit_now do nothing, nothing is
// committed on revocation): its positions are committed
// by the output's transaction (KafkaProducer::commit_transaction, with group_metadata()), and
// after an aborted transaction rewind_to_committed() seeks back to what the group committed.
//
// Memory: at most the batch in hand plus librdkafka's prefetch, which is bounded by
// queued.max.messages.kbytes = ConsumerOptions.max_buffer_bytes.
//
// The prefetch restart: librdkafka before 2.3 (Debian has 2.0.2) stops fetching once that
// queue is over its bound and looks again only when its broker thread next wakes up, which with
// nothing in flight is up to 1 s later (librdkafka issue 2879; 2.3 added fetch.queue.backoff.ms).
// A reader slower than the fetcher, e.g. `relay` on a fast link, then idled most of the time.
// So when a refill finds the queue had filled up and is now empty, the consumer wakes the
// fetcher itself with an asynchronous seek of the partition it took its last message from to
// the offset after that message: nothing of that partition is queued any more, so nothing is
// dropped or read twice, and serving the seek makes the broker thread decide on every partition
// again (see restart_fetch).
//
// Lifecycle and thread: created and used on the loop's thread. Destruction closes the consumer
// (leaves the group after committing what was acked); it waits for the coordinator's answer.
#pragma once

#include <optional>
#include <unordered_map>
#include <memory>
#include <string>
#include <vector>

#include "backends/kafka/kafka_client.hpp"
#include "backends/kafka/queue_wake.hpp"
#include "core/streamer.hpp"

namespace sea::kafka {

class KafkaConsumer final : public Consumer {
 public:
  static Result<std::unique_ptr<KafkaConsumer>> create(loop::Loop& loop, ClientConfig config,
                                                       std::vector<std::string> topics, const ConsumerOptions& options);
  ~KafkaConsumer() override;

  std::size_t poll(std::size_t max, const Sink& sink) override;
  void set_on_readable(std::function<void()> on_readable) override { on_readable_ = std::move(on_readable); }
  bool at_end() const override;
  Result<void> seek(Timestamp time) override;
  Result<void> assign(ShardId shard, SeqNo seq) override;
  void ack(std::string_view stream, ShardId shard, SeqNo seq) override;
  Result<void> commit_now() override;
  Result<void> rewind_to_committed() override;
  std::vector<ShardId> shards() const override;

  // The group's identity for a transaction's offset commit (caller destroys it); null without
  // a group.
  rd_kafka_consumer_group_metadata_t* group_metadata() const;

  // The last error librdkafka reported for the consumer (the interface has no error channel).
  const std::optional<Error>& last_error() const { return last_error_; }

 private:
  // (index into topics_) << 32 | partition: cheap to hash on the per-message path.
  using PartKey = std::uint64_t;
  struct PartState {
    std::int64_t end_snapshot = -1;  // the high watermark first seen; -1: not yet looked
    bool at_end = false;
  };

  KafkaConsumer(loop::Loop& loop, const ConsumerOptions& options);
  Result<void> start_without_group();
  Result<void> reposition(rd_kafka_topic_partition_list_t* list);
  void on_wake();
  void on_group_wake();
  void take_event(rd_kafka_message_t* m);
  void forward_partitions(const rd_kafka_topic_partition_list_t* parts);
  bool refill();
  Result<void> fill_from_start(rd_kafka_topic_partition_list_t* parts, bool only_uncommitted);
  void drop_buffered(const std::vector<PartKey>& parts);
  void reset_parts(const std::vector<PartKey>& parts);
  void note_end(PartKey key, const rd_kafka_message_t* m, bool eof);
  void restart_fetch();
  PartKey key_of(const rd_kafka_message_t* m);
  PartKey key_of(const char* topic, std::int32_t partition) const;
  PartitionListPtr list_of(const std::vector<PartKey>& keys) const;
  void store_acks();
  void rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts);
  static void rebalance_cb(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts, void* opaque);

  loop::Loop& loop_;
  ConsumerOptions options_;
  ClientConfig config_;  // kept for the probe client of seek-by-time
  std::vector<std::string> topics_;
  HandlePtr rk_;
  QueuePtr queue_;        // messages, EOFs and fetch errors of every assigned partition
  QueueWake wake_;
  QueuePtr group_queue_;  // librdkafka's consumer queue: rebalances and client errors
  QueueWake group_wake_;
  loop::Defer deferred_;
  std::vector<rd_kafka_message_t*> batch_;  // owned; batch_[batch_pos_..] not handed out yet
  std::size_t batch_pos_ = 0;
  std::vector<HeaderView> headers_;  // reused for each handed-out message
  std::unordered_map<PartKey, PartState> parts_;
  std::unordered_map<PartKey, std::int64_t> acks_;   // offsets to store (seq + 1), batched
  std::size_t queue_limit_bytes_ = 0;           // queued.max.messages.kbytes, in bytes
  std::size_t queue_limit_messages_ = 100'000;  // queued.min.messages (librdkafka's default)
  bool queue_filled_ = false;          // a refill saw the queue near that bound
  // The partition and offset of the last message taken from the queue (restart_fetch); unset
  // (-1) when that partition was repositioned or dropped since.
  PartKey last_taken_key_ = 0;
  std::int64_t last_taken_offset_ = -1;
  const rd_kafka_topic_t* cached_rkt_ = nullptr;      // last topic handle seen, and its index
  std::uint32_t cached_topic_ = 0;
  std::optional<Error> last_error_;
  std::function<void()> on_readable_;
};

}  // namespace sea::kafka
