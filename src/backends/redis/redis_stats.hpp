// Statistics of the Redis backend for `sea streamer top` (Streamer::stats).
//
// Per sample, all pipelined on one connection per master (named sea-top-…, so top does not
// count itself), at most kWindow commands in flight:
// - SCAN TYPE stream over every master (never KEYS) for the streams and their K:N shards;
// - per shard XINFO STREAM: entries-added (the monotonic counter rates come from; Redis 7),
//   last-generated-id (last seq), first entry (first seq), last entry (time and preview), and
//   the number of groups;
// - XINFO GROUPS only for shards that have groups: pending + lag (Redis 7), the last
//   delivered id; then XINFO CONSUMERS of each group: members, parked and stale entries
//   (the reading of these replies is shared with admin describe: xinfo.hpp);
// - CLIENT LIST on every master: sea names its connections sea-<role>-<name>@<streams>-<pid>
//   (redis_streamer.cpp), so producers (sea-producer-*) and consumers (sea-consumer-*,
//   sea-tail-*) are counted per stream and per process. Clients not made by sea are invisible.
// Redis does not count a stream's bytes: bytes/s is estimated above (top/model.hpp).
//
// Lifecycle: owned by the RedisStreamer; connects on first use; runs the loop inside sample()
// (never call it from a loop callback).
#pragma once

#include <memory>

#include "backends/redis/router.hpp"
#include "backends/redis/xinfo.hpp"
#include "core/stats.hpp"

namespace sea::redis {

class RedisStats {
 public:
  RedisStats(loop::Loop& loop, Uri uri, ConnectOptions options);
  ~RedisStats();
  Result<ClusterStats> sample(const StatsRequest& request);

 private:
  SyncRouter sync_;
};

// The client name suffix that tells top which streams a connection serves: "@k1,k2", or ""
// when the list would make the name too long to be useful.
std::string streams_tag(const std::vector<std::string>& streams);

}  // namespace sea::redis
