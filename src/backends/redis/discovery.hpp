// Asynchronous look-ups shared by the producer, the consumer and admin: which Redis keys hold
// the shards of a stream (SCAN MATCH K:* TYPE stream on every master, plus TYPE K; never
// KEYS), the stream's retention settings (the hash sea-meta:K), and a SCAN of every stream.
// Each calls its callback once, on the loop.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "backends/redis/router.hpp"
#include "core/options.hpp"
#include "core/types.hpp"

namespace sea::redis {

struct ShardKey {
  ShardId id = 0;
  std::string key;
};

struct ShardLayout {
  bool sharded = false;          // K:N keys exist (else the stream is the plain key K, or absent)
  std::vector<ShardKey> shards;  // by id; a plain K next to K:N keys is kPlainShard (last)
  std::uint32_t shard_count() const;  // for producers: 1 + the highest N (1 when unsharded)
};

using LayoutFn = std::function<void(Result<ShardLayout>)>;
void discover_shards(Router& router, const std::string& stream, LayoutFn done);

using RetentionFn = std::function<void(Result<Retention>)>;
void read_retention(Router& router, const std::string& stream, RetentionFn done);

// Every key of type stream on every master.
using KeysFn = std::function<void(Result<std::vector<std::string>>)>;
void scan_streams(Router& router, const std::string& pattern, KeysFn done);

// The Redis key of a producer's shard: K:N when the stream is sharded or N > 0, else K.
std::string producer_shard_key(const std::string& stream, ShardId shard, bool sharded);

}  // namespace sea::redis
