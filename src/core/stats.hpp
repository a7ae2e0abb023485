// What `sea streamer top` asks of a backend: one cheap snapshot of every stream's counters
// (Streamer::stats). A snapshot holds cumulative counters and "last seen" facts only; rates
// are the difference of two snapshots and are computed above the backends (src/top/), so that
// every backend is sampled the same way and the arithmetic is tested once.
//
// Each backend documents where its numbers come from and which it cannot know. A number that
// cannot be known is marked unknown (an empty optional, or a `*_known` flag), never made up:
// Kafka's protocol does not show producers, Redis does not count stream bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/types.hpp"

namespace sea {

struct StatsRequest {
  std::string filter;               // only streams whose name contains this (empty: all)
  std::size_t max_streams = 100'000;  // the sample stops there (ClusterStats::truncated)
  std::size_t preview_bytes = 160;  // how much of the newest payload to keep
  bool previews = true;             // fetch the newest message (its time and payload)
  // Backends that must read each shard's newest message one by one (Kafka) read at most this
  // many per sample, taking the rest in turn in later samples (StreamStats::preview_stale).
  std::size_t max_previews = 512;
  bool groups = true;               // consumer groups and their lag
  // Groups to look up even when the cluster does not list groups (Kafka's ListGroups is not
  // answered by librdkafka's mock); their members are then unknown.
  std::vector<std::string> groups_named;
};

struct ShardStats {
  ShardId id = 0;
  SeqNo first_seq = 0;             // oldest kept
  SeqNo last_seq = 0;              // newest (meaningful when messages_appended > 0)
  // Monotonic count of messages ever appended to the shard (file: next seq; Redis:
  // entries-added; Kafka: the high watermark). Rates are differences of this counter.
  std::uint64_t appended = 0;
  // Monotonic count of bytes ever appended, when the backend can know it (file backend).
  std::optional<std::uint64_t> bytes_appended;
  Timestamp last_ts = 0;           // 0: no message
};

struct GroupStats {
  std::string name;
  std::uint32_t members = 0;       // live members, as the backend sees them
  std::uint64_t lag = 0;           // messages not yet committed / acknowledged, all shards
  std::vector<std::pair<ShardId, SeqNo>> committed;  // next seq to read, per shard
  bool members_known = true;       // false: the backend could not see them (members is 0)
  // Entries a member that ended cleanly handed back, waiting for the next member (Redis).
  std::uint64_t parked = 0;
  // Entries pending on members idle longer than the claim time (killed ones), and those members
  // (Redis: a member's claim takes them after that time).
  std::uint64_t stale_pending = 0;
  std::vector<std::string> stale_members;
};

struct StreamStats {
  std::string name;
  std::vector<ShardStats> shards;
  Timestamp last_ts = 0;            // the newest message of any shard (0: none or unknown)
  std::string last_payload;         // up to preview_bytes of the newest payload
  std::uint64_t last_payload_size = 0;  // its whole size
  bool preview_known = false;
  // The preview and last_ts may be older than the sample: a shard moved since its newest
  // message was last read (that read is due in a later sample; Kafka reads a bounded number
  // per sample).
  bool preview_stale = false;
  std::optional<std::uint32_t> producers;  // online producers; nullopt when not visible
  std::optional<std::uint32_t> consumers;  // online consumers; nullopt when not visible
  std::vector<GroupStats> groups;
};

// A running `sea streamer process`, as its registration in the cluster says (flow/registry.hpp).
struct ProcessorInfo {
  std::string name, exec, input, output, group, host;
  std::int64_t pid = 0;
  Timestamp started = 0;
  Timestamp seen = 0;         // its last heartbeat
  std::uint64_t fed = 0, produced = 0;
  double in_per_s = 0, out_per_s = 0;  // over its last heartbeat interval
};

struct ClusterStats {
  Timestamp sampled_at = 0;         // ms since the epoch, when the sample was taken
  std::vector<ProcessorInfo> processors;  // live processors registered in the cluster
  std::vector<StreamStats> streams; // sorted by name
  bool truncated = false;           // more streams matched than max_streams
  std::optional<std::uint32_t> producers;  // cluster-wide; nullopt when not visible
  std::optional<std::uint32_t> consumers;
  std::uint64_t requests = 0;       // requests this sample made to the cluster (or syscalls)
  std::vector<std::string> notes;   // what cannot be known here, said once ("producers: ...")
};

// A group's lag: for each shard, the messages from its committed position (or from the oldest
// kept, when it has none or one older than that) to the end. Shards the group never committed
// count in full, as a new member would read them all.
inline std::uint64_t group_lag(const std::vector<ShardStats>& shards,
                               const std::vector<std::pair<ShardId, SeqNo>>& committed) {
  std::uint64_t lag = 0;
  for (const ShardStats& shard : shards) {
    const SeqNo end = shard.appended;  // next seq on dense-seq backends (file, Kafka)
    SeqNo from = shard.first_seq;
    for (const auto& [id, next] : committed)
      if (id == shard.id && next > from) from = next;
    if (end > from) lag += end - from;
  }
  return lag;
}

}  // namespace sea
