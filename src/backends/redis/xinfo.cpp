// The XINFO walk of xinfo.hpp.
#include "backends/redis/xinfo.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>

#include "backends/redis/consumer.hpp"

namespace sea::redis {

namespace {

constexpr std::uint64_t kConnectTimeoutMs = 10'000;

std::optional<EntryId> id_of(const redisReply* r) {
  if (r == nullptr || (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_STATUS)) return std::nullopt;
  Result<EntryId> id = EntryId::parse(reply_text(r));
  if (!id) return std::nullopt;
  return *id;
}

std::optional<EntryId> entry_id_of(const redisReply* entry) {
  if (entry == nullptr || entry->type != REDIS_REPLY_ARRAY || entry->elements != 2) return std::nullopt;
  return id_of(entry->element[0]);
}

}  // namespace

SyncRouter::SyncRouter(loop::Loop& loop, Uri uri, ConnectOptions options, std::string role)
    : loop_(loop), uri_(std::move(uri)), options_(std::move(options)), role_(std::move(role)) {}

bool SyncRouter::wait(const bool& done, std::uint64_t timeout_ms) {
  bool timed_out = false;
  loop::Timer timer(loop_);
  timer.start(timeout_ms, 0, [&timed_out] { timed_out = true; });
  while (!done && !timed_out) loop_.run_once(true);
  return done;
}

Result<Router*> SyncRouter::get() {
  if (!router_) {
    Result<std::unique_ptr<Router>> made = Router::create(loop_, uri_, options_, role_);
    if (!made) return made.error();
    router_ = std::move(*made);
  }
  if (!router_->ready()) {
    bool ready = false;
    router_->set_on_ready([&ready] { ready = true; });
    const bool got = wait(ready, kConnectTimeoutMs) || router_->ready();
    router_->set_on_ready(nullptr);
    if (!got)
      return make_error(Errc::timeout, "cannot reach Redis at {}: {}", uri_.display(),
                        router_->last_error().empty() ? "no answer" : router_->last_error());
  }
  return router_.get();
}

const redisReply* xinfo_field(const redisReply* map, std::string_view name) {
  if (map == nullptr || map->type != REDIS_REPLY_ARRAY) return nullptr;
  for (std::size_t i = 0; i + 1 < map->elements; i += 2)
    if (reply_text(map->element[i]) == name) return map->element[i + 1];
  return nullptr;
}

std::int64_t xinfo_integer(const redisReply* map, std::string_view name) {
  const redisReply* r = xinfo_field(map, name);
  return r != nullptr && r->type == REDIS_REPLY_INTEGER ? r->integer : 0;
}

XinfoStream read_xinfo_stream(const redisReply* reply) {
  XinfoStream out;
  out.length = static_cast<std::uint64_t>(xinfo_integer(reply, "length"));
  const redisReply* added = xinfo_field(reply, "entries-added");
  out.appended = added != nullptr ? static_cast<std::uint64_t>(xinfo_integer(reply, "entries-added")) : out.length;
  out.first = entry_id_of(xinfo_field(reply, "first-entry"));
  out.last_generated = id_of(xinfo_field(reply, "last-generated-id"));
  out.last_entry = xinfo_field(reply, "last-entry");
  out.last = entry_id_of(out.last_entry);
  out.groups = xinfo_integer(reply, "groups");
  return out;
}

std::vector<std::string> add_xinfo_groups(const redisReply* reply, ShardId shard,
                                          std::map<std::string, GroupStats>& groups) {
  std::vector<std::string> names;
  if (reply == nullptr || reply->type != REDIS_REPLY_ARRAY) return names;
  for (std::size_t i = 0; i < reply->elements; ++i) {
    const redisReply* g = reply->element[i];
    const std::string name(reply_text(xinfo_field(g, "name")));
    GroupStats& group = groups[name];
    group.name = name;
    group.lag += static_cast<std::uint64_t>(xinfo_integer(g, "pending") + xinfo_integer(g, "lag"));
    if (std::optional<EntryId> delivered = id_of(xinfo_field(g, "last-delivered-id")))
      group.committed.emplace_back(shard, delivered->to_seq() + 1);
    names.push_back(name);
  }
  return names;
}

void add_xinfo_consumers(const redisReply* reply, std::uint64_t claim_ms, GroupStats& group) {
  if (reply == nullptr || reply->type != REDIS_REPLY_ARRAY) return;
  std::uint32_t members = 0;
  for (std::size_t i = 0; i < reply->elements; ++i) {
    const redisReply* c = reply->element[i];
    const std::string name(reply_text(xinfo_field(c, "name")));
    const auto pending = static_cast<std::uint64_t>(xinfo_integer(c, "pending"));
    if (name == kParkedConsumer) {
      group.parked += pending;
      continue;
    }
    ++members;
    // Redis 7.2 tells the time since the member last read ("inactive"); 7.0 only "idle".
    const redisReply* inactive = xinfo_field(c, "inactive");
    const std::int64_t idle = inactive != nullptr ? xinfo_integer(c, "inactive") : xinfo_integer(c, "idle");
    if (pending == 0 || idle < 0 || static_cast<std::uint64_t>(idle) <= claim_ms) continue;
    group.stale_pending += pending;
    if (std::find(group.stale_members.begin(), group.stale_members.end(), name) == group.stale_members.end())
      group.stale_members.push_back(name);
  }
  group.members = std::max(group.members, members);
}

}  // namespace sea::redis
