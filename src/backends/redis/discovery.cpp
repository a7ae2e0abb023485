// The look-ups of discovery.hpp, written as small state machines over Router commands.
#include "backends/redis/discovery.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <charconv>
#include <memory>

#include "backends/redis/layout.hpp"

namespace sea::redis {

namespace {

// SCAN of every master in turn, collecting the keys: one command in flight at a time.
struct ScanState {
  Router* router = nullptr;
  std::vector<std::size_t> masters;
  std::size_t master = 0;
  std::string cursor = "0";
  std::string pattern;
  std::vector<std::string> keys;
  KeysFn done;
};

void scan_step(std::shared_ptr<ScanState> state) {
  if (state->master >= state->masters.size()) {
    std::sort(state->keys.begin(), state->keys.end());
    state->keys.erase(std::unique(state->keys.begin(), state->keys.end()), state->keys.end());
    state->done(std::move(state->keys));
    return;
  }
  const std::string cmd =
      format_command({"SCAN", state->cursor, "MATCH", state->pattern, "TYPE", "stream", "COUNT", "1000"});
  Result<void> sent = state->router->command_node(state->masters[state->master], cmd, [state](redisReply* reply, const Error* error) {
    if (error != nullptr) return state->done(*error);
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 || reply->element[1]->type != REDIS_REPLY_ARRAY)
      return state->done(reply_error("SCAN", reply));
    state->cursor = std::string(reply_text(reply->element[0]));
    const redisReply* keys = reply->element[1];
    for (std::size_t i = 0; i < keys->elements; ++i) state->keys.emplace_back(reply_text(keys->element[i]));
    if (state->cursor == "0") ++state->master;
    scan_step(state);
  });
  if (!sent) state->done(sent.error());
}

}  // namespace

std::uint32_t ShardLayout::shard_count() const {
  if (!sharded) return 1;
  std::uint32_t count = 0;
  for (const ShardKey& s : shards)
    if (s.id != kPlainShard) count = std::max(count, s.id + 1);
  return count;
}

std::string producer_shard_key(const std::string& stream, ShardId shard, bool sharded) {
  if (!sharded && shard == 0) return stream;
  return fmt::format("{}:{}", stream, shard);
}

void scan_streams(Router& router, const std::string& pattern, KeysFn done) {
  auto state = std::make_shared<ScanState>();
  state->router = &router;
  state->masters = router.masters();
  state->pattern = pattern;
  state->done = std::move(done);
  if (state->masters.empty()) return state->done(make_error(Errc::closed, "no Redis node is known yet"));
  scan_step(state);
}

void discover_shards(Router& router, const std::string& stream, LayoutFn done) {
  scan_streams(router, stream + ":*", [&router, stream, done = std::move(done)](Result<std::vector<std::string>> keys) {
    if (!keys) return done(keys.error());
    ShardLayout layout;
    for (const std::string& key : *keys) {
      const std::optional<ShardId> id = shard_of_key(stream, key);
      if (id && *id != kPlainShard) layout.shards.push_back(ShardKey{*id, key});
    }
    std::sort(layout.shards.begin(), layout.shards.end(),
              [](const ShardKey& a, const ShardKey& b) { return a.id < b.id; });
    layout.sharded = !layout.shards.empty();
    const std::string cmd = format_command({"TYPE", stream});
    Result<void> sent = router.command(stream, cmd, [layout, stream, done](redisReply* reply, const Error* error) mutable {
      if (error != nullptr) return done(*error);
      const std::string_view type = reply_text(reply);
      if (type == "stream") layout.shards.push_back(ShardKey{layout.sharded ? kPlainShard : 0, stream});
      else if (type != "none" && !layout.sharded)
        return done(make_error(Errc::invalid_argument, "Redis key '{}' is a {}, not a stream", stream, type));
      done(std::move(layout));
    });
    if (!sent) done(sent.error());
  });
}

void read_retention(Router& router, const std::string& stream, RetentionFn done) {
  const std::string key = meta_key(stream);
  Result<void> sent = router.command(key, format_command({"HGETALL", key}), [done](redisReply* reply, const Error* error) {
    if (error != nullptr) return done(*error);
    Retention retention;
    if (reply->type != REDIS_REPLY_ARRAY) return done(retention);
    for (std::size_t i = 0; i + 1 < reply->elements; i += 2) {
      const std::string_view name = reply_text(reply->element[i]);
      const std::string_view value = reply_text(reply->element[i + 1]);
      std::uint64_t n = 0;
      if (std::from_chars(value.data(), value.data() + value.size(), n).ec != std::errc()) continue;
      if (name == "max_age_ms") retention.max_age_ms = static_cast<std::int64_t>(n);
      if (name == "max_bytes") retention.max_bytes = n;
    }
    done(retention);
  });
  if (!sent) done(sent.error());
}

}  // namespace sea::redis
