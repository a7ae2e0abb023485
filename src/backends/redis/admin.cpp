// The synchronous admin calls of admin.hpp.
#include "backends/redis/admin.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <map>

#include "backends/redis/layout.hpp"
#include "backends/redis/xinfo.hpp"

namespace sea::redis {

namespace {

constexpr std::uint64_t kCallTimeoutMs = 30'000;

Result<void> expect_ok(const char* what, redisReply* reply) {
  if (reply->type == REDIS_REPLY_ERROR) return reply_error(what, reply);
  return ok();
}

}  // namespace

RedisAdmin::RedisAdmin(loop::Loop& loop, Uri uri, ConnectOptions options)
    : sync_(loop, std::move(uri), std::move(options), "admin") {}

RedisAdmin::~RedisAdmin() = default;

Result<void> RedisAdmin::call(const std::string& key, const std::string& command, const Parse& parse) {
  Result<Router*> r = sync_.get();
  if (!r) return r.error();
  bool done = false;
  Result<void> outcome;
  SEA_TRY((*r)->command(key, command, [&](redisReply* reply, const Error* error) {
    done = true;
    outcome = error != nullptr ? Result<void>(*error) : parse(reply);
  }));
  if (!sync_.wait(done, kCallTimeoutMs)) return make_error(Errc::timeout, "Redis at {} did not answer", sync_.uri().display());
  return outcome;
}

Result<ShardLayout> RedisAdmin::layout(const StreamKey& stream) {
  Result<Router*> r = sync_.get();
  if (!r) return r.error();
  bool done = false;
  std::optional<Result<ShardLayout>> outcome;
  discover_shards(**r, stream.str(), [&](Result<ShardLayout> found) {
    done = true;
    outcome = std::move(found);
  });
  if (!sync_.wait(done, kCallTimeoutMs)) return make_error(Errc::timeout, "Redis at {} did not answer", sync_.uri().display());
  return std::move(*outcome);
}

Result<std::vector<std::string>> RedisAdmin::list() {
  Result<Router*> r = sync_.get();
  if (!r) return r.error();
  bool done = false;
  std::optional<Result<std::vector<std::string>>> keys;
  scan_streams(**r, "*", [&](Result<std::vector<std::string>> found) {
    done = true;
    keys = std::move(found);
  });
  if (!sync_.wait(done, kCallTimeoutMs)) return make_error(Errc::timeout, "Redis at {} did not answer", sync_.uri().display());
  if (!*keys) return keys->error();
  std::vector<std::string> names;
  for (const std::string& key : keys->value()) {
    const std::size_t colon = key.rfind(':');
    if (colon != std::string::npos && colon > 0 && shard_of_key(key.substr(0, colon), key))
      names.push_back(key.substr(0, colon));
    else
      names.push_back(key);
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

Result<StreamInfo> RedisAdmin::describe(const StreamKey& stream) {
  Result<ShardLayout> found = layout(stream);
  if (!found) return found.error();
  if (found->shards.empty()) return make_error(Errc::not_found, "no stream '{}' in Redis at {}", stream.str(), sync_.uri().display());
  StreamInfo info;
  info.name = stream.str();
  std::map<std::string, GroupStats> groups;
  for (const ShardKey& shard : found->shards) {
    ShardInfo s;
    s.id = shard.id;
    SEA_TRY(call(shard.key, format_command({"XINFO", "STREAM", shard.key}), [&](redisReply* reply) -> Result<void> {
      SEA_TRY(expect_ok("XINFO STREAM", reply));
      const XinfoStream x = read_xinfo_stream(reply);
      s.messages = x.length;
      if (x.first) {
        s.first_seq = x.first->to_seq();
        s.first_ts = static_cast<Timestamp>(x.first->ms);
      }
      if (x.last_generated) {
        s.next_seq = x.last_generated->to_seq() + 1;
        if (x.last) s.last_ts = static_cast<Timestamp>(x.last->ms);
      }
      if (s.messages == 0) s.first_seq = s.next_seq;
      return ok();
    }));
    SEA_TRY(call(shard.key, format_command({"MEMORY", "USAGE", shard.key}), [&](redisReply* reply) -> Result<void> {
      if (reply->type == REDIS_REPLY_INTEGER) s.bytes = static_cast<std::uint64_t>(reply->integer);
      return ok();
    }));
    std::vector<std::string> names;
    SEA_TRY(call(shard.key, format_command({"XINFO", "GROUPS", shard.key}), [&](redisReply* reply) -> Result<void> {
      SEA_TRY(expect_ok("XINFO GROUPS", reply));
      names = add_xinfo_groups(reply, shard.id, groups);
      return ok();
    }));
    for (const std::string& name : names) {
      SEA_TRY(call(shard.key, format_command({"XINFO", "CONSUMERS", shard.key, name}), [&](redisReply* reply) -> Result<void> {
        add_xinfo_consumers(reply, kDefaultClaimMs, groups[name]);
        return ok();
      }));
    }
    info.shards.push_back(s);
  }
  for (auto& [name, g] : groups)
    info.groups.push_back(GroupInfo{g.name, g.committed, g.lag, g.members, g.parked, g.stale_pending, g.stale_members});
  Result<Router*> r = sync_.get();
  if (!r) return info;
  bool done = false;
  std::optional<Result<Retention>> retention;
  read_retention(**r, stream.str(), [&](Result<Retention> got) {
    done = true;
    retention = std::move(got);
  });
  if (sync_.wait(done, kCallTimeoutMs) && *retention) info.retention = retention->value();
  return info;
}

Result<void> RedisAdmin::create(const StreamKey& stream, const CreateOptions& options) {
  if (options.shards == 0 || options.shards > 1024)
    return make_error(Errc::invalid_argument, "shard count {} is out of range 1..1024", options.shards);
  Result<ShardLayout> found = layout(stream);
  if (!found) return found.error();
  if (!found->shards.empty() && !options.if_not_exists)
    return make_error(Errc::exists, "stream '{}' already exists in Redis at {}", stream.str(), sync_.uri().display());
  if (found->shards.empty()) {
    for (ShardId shard = 0; shard < options.shards; ++shard) {
      const std::string key = producer_shard_key(stream.str(), shard, options.shards > 1);
      SEA_TRY(call(key, format_command({"XGROUP", "CREATE", key, "sea-create", "$", "MKSTREAM"}),
                   [](redisReply* reply) { return expect_ok("XGROUP CREATE", reply); }));
      SEA_TRY(call(key, format_command({"XGROUP", "DESTROY", key, "sea-create"}),
                   [](redisReply* reply) { return expect_ok("XGROUP DESTROY", reply); }));
    }
  }
  if (options.retention.max_age_ms || options.retention.max_bytes) return set_retention(stream, options.retention);
  return ok();
}

Result<void> RedisAdmin::remove(const StreamKey& stream) {
  Result<ShardLayout> found = layout(stream);
  if (!found) return found.error();
  if (found->shards.empty()) return make_error(Errc::not_found, "no stream '{}' in Redis at {}", stream.str(), sync_.uri().display());
  for (const ShardKey& shard : found->shards)
    SEA_TRY(call(shard.key, format_command({"DEL", shard.key}), [](redisReply* reply) { return expect_ok("DEL", reply); }));
  const std::string meta = meta_key(stream.str());
  return call(meta, format_command({"DEL", meta}), [](redisReply* reply) { return expect_ok("DEL", reply); });
}

Result<void> RedisAdmin::trim_shard(const std::string& key, const TrimSpec& spec) {
  std::optional<EntryId> min_id;
  if (spec.before_time) min_id = EntryId{static_cast<std::uint64_t>(std::max<Timestamp>(0, *spec.before_time)), 0};
  if (spec.before_seq) min_id = std::max(min_id.value_or(EntryId{}), EntryId::from_seq(*spec.before_seq));
  if (min_id) {
    SEA_TRY(call(key, format_command({"XTRIM", key, "MINID", min_id->str()}),
                 [](redisReply* reply) { return expect_ok("XTRIM MINID", reply); }));
  }
  if (!spec.keep_bytes) return ok();
  std::uint64_t usage = 0, length = 0;
  SEA_TRY(call(key, format_command({"MEMORY", "USAGE", key}), [&](redisReply* reply) -> Result<void> {
    if (reply->type == REDIS_REPLY_INTEGER) usage = static_cast<std::uint64_t>(reply->integer);
    return ok();
  }));
  SEA_TRY(call(key, format_command({"XLEN", key}), [&](redisReply* reply) -> Result<void> {
    if (reply->type == REDIS_REPLY_INTEGER) length = static_cast<std::uint64_t>(reply->integer);
    return ok();
  }));
  if (length == 0 || usage <= *spec.keep_bytes) return ok();
  const std::uint64_t average = std::max<std::uint64_t>(1, usage / length);
  const std::string keep = std::to_string(*spec.keep_bytes / average);
  return call(key, format_command({"XTRIM", key, "MAXLEN", "~", keep}),
              [](redisReply* reply) { return expect_ok("XTRIM MAXLEN", reply); });
}

Result<void> RedisAdmin::trim(const StreamKey& stream, const TrimSpec& spec) {
  Result<ShardLayout> found = layout(stream);
  if (!found) return found.error();
  if (found->shards.empty()) return make_error(Errc::not_found, "no stream '{}' in Redis at {}", stream.str(), sync_.uri().display());
  for (const ShardKey& shard : found->shards) SEA_TRY(trim_shard(shard.key, spec));
  return ok();
}

Result<void> RedisAdmin::set_retention(const StreamKey& stream, const Retention& retention) {
  const std::string meta = meta_key(stream.str());
  SEA_TRY(call(meta, format_command({"DEL", meta}), [](redisReply* reply) { return expect_ok("DEL", reply); }));
  std::vector<std::string> args{"HSET", meta};
  if (retention.max_age_ms) args.insert(args.end(), {"max_age_ms", std::to_string(*retention.max_age_ms)});
  if (retention.max_bytes) args.insert(args.end(), {"max_bytes", std::to_string(*retention.max_bytes)});
  if (args.size() > 2)
    SEA_TRY(call(meta, format_command(args), [](redisReply* reply) { return expect_ok("HSET", reply); }));
  TrimSpec spec;
  if (retention.max_age_ms) spec.before_time = now_ms() - *retention.max_age_ms;
  spec.keep_bytes = retention.max_bytes;
  Result<ShardLayout> found = layout(stream);
  if (!found) return found.error();
  for (const ShardKey& shard : found->shards) SEA_TRY(trim_shard(shard.key, spec));
  return ok();
}

Result<void> RedisAdmin::set_group_position(const std::string& group, const StreamKey& stream, ShardId shard,
                                            SeqNo next_seq) {
  if (group.empty()) return make_error(Errc::invalid_argument, "set_group_position needs a group name");
  Result<ShardLayout> found = layout(stream);
  if (!found) return found.error();
  const auto it = std::find_if(found->shards.begin(), found->shards.end(), [shard](const ShardKey& s) { return s.id == shard; });
  if (it == found->shards.end())
    return make_error(Errc::not_found, "stream '{}' has no shard {} in Redis at {}", stream.str(), shard, sync_.uri().display());
  const std::string id = EntryId::from_seq(next_seq).previous().str();
  bool missing = false;
  SEA_TRY(call(it->key, format_command({"XGROUP", "SETID", it->key, group, id}), [&](redisReply* reply) -> Result<void> {
    if (reply->type == REDIS_REPLY_ERROR && reply_text(reply).starts_with("NOGROUP")) missing = true;
    else SEA_TRY(expect_ok("XGROUP SETID", reply));
    return ok();
  }));
  if (!missing) return ok();
  return call(it->key, format_command({"XGROUP", "CREATE", it->key, group, id}),
              [](redisReply* reply) { return expect_ok("XGROUP CREATE", reply); });
}

}  // namespace sea::redis
