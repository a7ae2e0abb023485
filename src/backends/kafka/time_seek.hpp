// Seek by time: for each partition, the first offset whose message timestamp is at or after a
// time. The broker answers this directly (ListOffsets by timestamp, rd_kafka_offsets_for_times)
// on real Kafka; librdkafka's mock answers -1 for every time, so when the broker gives no
// offset for a non-empty partition we fall back to bisection over message timestamps: fetch the
// message at a middle offset, read its timestamp, halve the range. All partitions are bisected
// together, one fetch round per step, by a short-lived group-less probe client.
//
// Bisection assumes timestamps grow with offsets (CreateTime set by well-behaved producers, or
// LogAppendTime); with out-of-order timestamps it still returns an offset whose message is at or
// after the time, preceded by one that is before it.
//
// Thread: resolve_time blocks (bounded by kSyncTimeoutMs per round); call it from a seek, not
// from a hot path.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "backends/kafka/kafka_client.hpp"
#include "core/types.hpp"

namespace sea::kafka {

// The bisection of one partition, as a state machine so that many run in lock-step.
// Invariant: the answer lies in [lo, hi]; hi == the end offset means "no message at or after".
class TimeBisection {
 public:
  TimeBisection(std::int64_t lo, std::int64_t hi, Timestamp target) : lo_(lo), hi_(hi), target_(target) {}
  bool done() const { return lo_ >= hi_; }
  std::int64_t probe() const { return lo_ + (hi_ - lo_) / 2; }
  // The first message at or after probe() has `offset` and `ts`; `found` false: none exists.
  void feed(bool found, std::int64_t offset, Timestamp ts);
  std::int64_t answer() const { return hi_; }

 private:
  std::int64_t lo_;
  std::int64_t hi_;
  Timestamp target_;
};

// Runs one bisection with a synchronous fetch function: the unit-testable form.
using FetchAt = std::function<std::pair<bool, std::pair<std::int64_t, Timestamp>>(std::int64_t offset)>;
std::int64_t bisect_time(std::int64_t lo, std::int64_t hi, Timestamp target, const FetchAt& fetch);

struct PartitionRef {
  std::string topic;
  std::int32_t partition = 0;
};

// The first offset at or after `time` per partition, in the order given; the partition's end
// offset when no message is that late. `broker_lookup` false skips the ListOffsets query and
// always bisects (for tests).
Result<std::vector<std::int64_t>> resolve_time(const ClientConfig& config, const std::vector<PartitionRef>& parts,
                                               Timestamp time, bool broker_lookup = true);

// Low and high watermarks of each partition (one ListOffsets round for each end).
Result<std::vector<std::pair<std::int64_t, std::int64_t>>> query_watermarks(rd_kafka_t* rk,
                                                                            const std::vector<PartitionRef>& parts);

}  // namespace sea::kafka
