// The newest message of Kafka partitions, for `top`'s "last message time and preview": one
// long-lived consumer that assigns the asked partitions at given offsets (the high watermark
// minus one), takes the first message each answers with, pauses that partition at once so
// that it is fetched no further, and unassigns everything at the end, so that nothing is
// fetched between samples. Small fetch sizes keep each peek to about one record batch per
// partition.
//
// Why queued.min.messages is not 1: librdkafka decides whether a partition may be fetched by
// the length of its fetch queue, and every partition's fetch queue forwards to the one
// consumer queue, so that length is the whole consumer queue's. With a threshold of 1, one
// message of partition A still waiting in the queue stopped partitions B, C... (on other
// brokers) from being fetched at all, and their broker threads slept until something else
// woke them, often past the budget: the intermittent misses of the first version. Memory
// stays bounded by the pause on the first message and by the fetch sizes.
//
// The consumer has a group id only because librdkafka's assign() needs one; it never joins
// the group (no subscribe) and never commits, so the cluster shows no group for it.
//
// Lifecycle and thread: owned by KafkaStats, which makes all its requests through this
// client (kafka_stats.hpp says why); created on first use; peek() blocks the caller
// for at most its budget (plus a non-blocking drain).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "backends/kafka/kafka_client.hpp"
#include "backends/kafka/time_seek.hpp"
#include "core/types.hpp"

namespace sea::kafka {

struct PeekedMessage {
  std::int64_t offset = 0;
  Timestamp ts = 0;
  std::string payload;        // the first preview_bytes bytes
  std::uint64_t size = 0;     // the whole payload's size
};

// The answer for one partition: `done` false when it did not come within the budget (ask
// again later); `done` true and no message when there is none at or after the offset (a
// transaction marker or a compacted record ends the partition there).
struct PeekResult {
  bool done = false;
  std::optional<PeekedMessage> message;
};

class KafkaPeek {
 public:
  static Result<std::unique_ptr<KafkaPeek>> create(const ClientConfig& base);

  // For each (parts[i], offsets[i]), the first message at or after offsets[i]. Waits at most
  // `budget_ms`. Costs one Fetch per leader broker, sometimes two: the one that answers and
  // a follow-up sent before the pause reached the broker thread.
  Result<std::vector<PeekResult>> peek(const std::vector<PartitionRef>& parts, const std::vector<std::int64_t>& offsets,
                                       std::size_t preview_bytes, int budget_ms);

  // The consumer's handle, for KafkaStats' other requests (metadata, offsets, groups).
  rd_kafka_t* handle() const { return rk_.get(); }

 private:
  KafkaPeek() = default;
  // Drops what an earlier peek left in the consumer queue, without waiting.
  void drain();
  HandlePtr rk_;
  QueuePtr queue_;
};

}  // namespace sea::kafka
