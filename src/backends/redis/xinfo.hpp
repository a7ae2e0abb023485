// The XINFO walk that `admin describe` (admin.cpp) and `top` (redis_stats.cpp) share: a
// router made on first use with a loop that runs until an answer is in, and the readers of
// XINFO STREAM, XINFO GROUPS and XINFO CONSUMERS replies into the counters of core/stats.hpp.
//
// Groups add up over a stream's shards: lag is pending + Redis 7's lag (entries delivered but
// not acknowledged, plus entries not delivered yet); members are the live ones (a member that
// ended cleanly deleted itself, consumer.hpp "Ending cleanly"), the most any shard has;
// entries a member that ended left for the next one are `parked` (pending on `sea-parked`);
// entries pending on members idle longer than the claim time (a member killed with SIGKILL)
// are `stale_pending`, with those members named: a member's claim takes them after that time.
//
// Lifecycle: SyncRouter is owned by the admin or the stats object; everything runs on the
// loop's thread, and wait() only from outside a loop callback.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "backends/redis/layout.hpp"
#include "backends/redis/router.hpp"
#include "core/stats.hpp"

struct redisReply;

namespace sea::redis {

class SyncRouter {
 public:
  SyncRouter(loop::Loop& loop, Uri uri, ConnectOptions options, std::string role);
  // The router, connected (made on first use; waits up to 10 s for it to be ready).
  Result<Router*> get();
  // Runs the loop until `done` or `timeout_ms`; returns done.
  bool wait(const bool& done, std::uint64_t timeout_ms);
  const Uri& uri() const { return uri_; }
  loop::Loop& loop() { return loop_; }

 private:
  loop::Loop& loop_;
  Uri uri_;
  ConnectOptions options_;
  std::string role_;
  std::unique_ptr<Router> router_;
};

// The value of `name` in a flat [name, value, ...] reply (XINFO's maps); nullptr if absent.
const redisReply* xinfo_field(const redisReply* map, std::string_view name);
std::int64_t xinfo_integer(const redisReply* map, std::string_view name);

// One shard as XINFO STREAM tells it.
struct XinfoStream {
  std::uint64_t length = 0;
  std::uint64_t appended = 0;  // entries-added (Redis 7), else the length
  std::optional<EntryId> first;
  std::optional<EntryId> last_generated;
  std::optional<EntryId> last;
  const redisReply* last_entry = nullptr;  // [id, fields] of the newest entry, inside the reply
  std::int64_t groups = 0;
};
XinfoStream read_xinfo_stream(const redisReply* reply);

// The claim time a stale member is measured against when the caller knows no other.
inline constexpr std::uint64_t kDefaultClaimMs = 60'000;

// XINFO GROUPS of one shard into `groups` (by name). Returns the names seen, for the XINFO
// CONSUMERS of each.
std::vector<std::string> add_xinfo_groups(const redisReply* reply, ShardId shard,
                                          std::map<std::string, GroupStats>& groups);
// XINFO CONSUMERS of `group` on one shard into it.
void add_xinfo_consumers(const redisReply* reply, std::uint64_t claim_ms, GroupStats& group);

}  // namespace sea::redis
