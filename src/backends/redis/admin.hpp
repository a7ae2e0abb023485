// Admin of the Redis backend: synchronous calls that each run the loop until Redis answered
// (or the command timeout, plus the time to connect, ran out).
//
// - list: SCAN TYPE stream on every master; K:N keys are listed as K.
// - describe: per shard XINFO STREAM (first/last id → seq/ts, length), MEMORY USAGE (bytes),
//   XINFO GROUPS (committed = last-delivered-id + 1; lag = Redis 7's lag + pending entries),
//   XINFO CONSUMERS (members, parked entries, entries pending on stale members): xinfo.hpp.
// - create: empty streams (XGROUP CREATE … MKSTREAM of a throw-away group, then DESTROY);
//   one shard is the plain key K, N > 1 shards are K:0 … K:N-1. Retention goes to sea-meta:K.
// - remove: DEL of every shard key and of sea-meta:K.
// - trim / set_retention: XTRIM MINID by time or seq; by size XTRIM MAXLEN ~ N where
//   N = bytes / (MEMORY USAGE / XLEN), the shard's average entry size as Redis accounts it.
// - set_group_position: XGROUP SETID (creating the group when it does not exist).
//
// Lifecycle: owned by RedisStreamer, connects on first use (connections named sea-admin-…).
// Must not be called from inside a loop callback.
#pragma once

#include <functional>
#include <memory>

#include "backends/redis/discovery.hpp"
#include "backends/redis/router.hpp"
#include "backends/redis/xinfo.hpp"
#include "core/streamer.hpp"

namespace sea::redis {

class RedisAdmin final : public Admin {
 public:
  RedisAdmin(loop::Loop& loop, Uri uri, ConnectOptions options);
  ~RedisAdmin() override;

  Result<std::vector<std::string>> list() override;
  Result<StreamInfo> describe(const StreamKey& stream) override;
  Result<void> create(const StreamKey& stream, const CreateOptions& options) override;
  Result<void> remove(const StreamKey& stream) override;
  Result<void> trim(const StreamKey& stream, const TrimSpec& spec) override;
  Result<void> set_retention(const StreamKey& stream, const Retention& retention) override;
  Result<void> set_group_position(const std::string& group, const StreamKey& stream, ShardId shard,
                                  SeqNo next_seq) override;

 private:
  using Parse = std::function<Result<void>(redisReply* reply)>;
  // Sends one command about `key` and runs the loop until `parse` has seen the reply.
  Result<void> call(const std::string& key, const std::string& command, const Parse& parse);
  Result<ShardLayout> layout(const StreamKey& stream);
  Result<void> trim_shard(const std::string& key, const TrimSpec& spec);

  SyncRouter sync_;
};

}  // namespace sea::redis
