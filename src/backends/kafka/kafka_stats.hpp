// Statistics of the Kafka backend for `sea streamer top` (Streamer::stats).
//
// Per sample, from one long-lived client, the peek consumer of kafka_peek.hpp. One client for
// everything: besides costing the cluster one connection per broker less, its all-topics
// Metadata request each sample fills the metadata cache the peek's assign() looks leaders up
// in. (With a second client for the metadata, the peek consumer's first assign() raced its
// own bootstrap Metadata request, which names no topic: the leader lookups of the assigned
// topics were held back until the next fast refresh, past the peek budget, and a fresh top
// on 100 topics showed no preview for its first two samples.) Each sample makes:
// - one all-topics Metadata request: topics, partitions and their leaders;
// - ListOffsets for the low and high watermarks of every partition of the matching topics,
//   batched by librdkafka into one request per leader broker for each end (the high
//   watermark is the counter rates come from);
// - the newest message of each partition whose high watermark moved since the previous
//   sample (and of every partition on the first): fetched at high - 1 by the peek consumer,
//   within kPeekBudgetMs per sample and at most StatsRequest::max_previews partitions per
//   sample, taken in turn (round robin) when more moved; partitions not read this time keep
//   their previous values, are asked again next time, and mark their stream's preview as
//   older than the sample (StreamStats::preview_stale). Its timestamp is the shard's last_ts,
//   the newest of a topic's partitions gives the preview;
// - consumer groups from ListGroups (the request the Admin API's ListConsumerGroups sends)
//   and DescribeGroups for their members, first; then their committed offsets through
//   the Admin API's ListConsumerGroupOffsets, one OffsetFetch per group, no client per group
//   (kafka_groups.hpp). Clusters that do not list groups (librdkafka's mock) show only the
//   groups named in StatsRequest::groups_named, with members unknown.
// Producers are not visible in Kafka's protocol: they are unknown, with a note, never guessed.
// Consumers are the members of the stream's groups. Bytes/s are estimated above (top/model.hpp).
//
// Memory: the cache of newest messages holds one entry (at most preview_bytes of payload) per
// partition of the matching topics; entries of partitions that disappear are dropped.
//
// Lifecycle and thread: owned by the KafkaStreamer; connects on first use; sample() blocks
// the caller (bounded by librdkafka's timeouts and the peek budget).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <utility>

#include "backends/kafka/kafka_client.hpp"
#include "backends/kafka/kafka_peek.hpp"
#include "core/stats.hpp"

namespace sea::kafka {

// How long one sample may wait for the newest messages.
inline constexpr int kPeekBudgetMs = 300;
// Groups looked up per sample at most (one OffsetFetch each).
inline constexpr std::size_t kMaxGroups = 1'000;

class KafkaStats {
 public:
  explicit KafkaStats(ClientConfig config) : config_(std::move(config)) {}
  Result<ClusterStats> sample(const StatsRequest& request);

 private:
  struct Newest {
    std::int64_t peeked_high = -1;  // the high watermark the peek answered for
    std::optional<PeekedMessage> message;
  };
  using PartitionKey = std::pair<std::string, std::int32_t>;

  Result<rd_kafka_t*> client();
  // Peeks (at most request.max_previews of) the partitions whose high watermark moved, in
  // turn, and refreshes newest_ (dropping partitions that are gone); adds the requests made.
  Result<void> refresh_newest(const std::vector<PartitionRef>& parts, const std::vector<std::int32_t>& leaders,
                              const std::vector<std::pair<std::int64_t, std::int64_t>>& marks,
                              const StatsRequest& request, std::uint64_t& requests);
  Result<void> add_groups(const StatsRequest& request, int brokers, const std::vector<PartitionRef>& parts,
                          ClusterStats& out);

  ClientConfig config_;
  std::unique_ptr<KafkaPeek> peek_;  // also the client of every other request
  std::map<PartitionKey, Newest> newest_;
  std::optional<PartitionKey> cursor_;  // the last partition peeked: the next peeks start after it
};

}  // namespace sea::kafka
