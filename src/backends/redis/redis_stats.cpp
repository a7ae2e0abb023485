// Statistics of the Redis backend (see redis_stats.hpp).
#include "backends/redis/redis_stats.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <map>
#include <set>

#include "backends/redis/discovery.hpp"
#include "backends/redis/layout.hpp"
#include "backends/redis/xinfo.hpp"

namespace sea::redis {

namespace {

constexpr std::uint64_t kSampleTimeoutMs = 30'000;
constexpr std::size_t kWindow = 512;  // commands in flight: bounds reply memory

struct ShardRef {
  std::size_t stream;  // index into the streams
  ShardId id;
  std::string key;
  std::int64_t groups = 0;
};

// Counts sea's connections from CLIENT LIST lines: name=sea-<role>-<name>@<streams>-<pid>.
// A process is counted once per role and stream however many connections it has (a cluster
// router has one per master, a consumer one more per shard it tails).
void count_clients(std::string_view list, std::set<std::string>& producers, std::set<std::string>& consumers) {
  while (!list.empty()) {
    const std::size_t eol = list.find('\n');
    std::string_view line = list.substr(0, eol);
    list = eol == std::string_view::npos ? std::string_view{} : list.substr(eol + 1);
    const std::size_t at = line.find(" name=");
    if (at == std::string_view::npos) continue;
    std::string_view name = line.substr(at + 6);
    name = name.substr(0, name.find(' '));
    if (name.starts_with("sea-producer-")) producers.insert(std::string(name.substr(13)));
    else if (name.starts_with("sea-consumer-")) consumers.insert(std::string(name.substr(13)));
    else if (name.starts_with("sea-tail-")) consumers.insert(std::string(name.substr(9)));
  }
}

// "<name>@k1,k2-<pid>" -> {k1, k2}; empty when the connection carries no stream tag.
std::vector<std::string> tagged_streams(const std::string& ident) {
  std::vector<std::string> out;
  const std::size_t at = ident.rfind('@');
  const std::size_t dash = ident.rfind('-');
  if (at == std::string::npos || dash == std::string::npos || dash < at) return out;
  std::string_view list = std::string_view(ident).substr(at + 1, dash - at - 1);
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    out.emplace_back(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
  }
  return out;
}

}  // namespace

std::string streams_tag(const std::vector<std::string>& streams) {
  std::string tag = "@";
  for (const std::string& s : streams) tag += (tag.size() > 1 ? "," : "") + s;
  return tag.size() > 400 ? std::string() : tag;
}

RedisStats::RedisStats(loop::Loop& loop, Uri uri, ConnectOptions options)
    : sync_(loop, std::move(uri), std::move(options), "top") {}

RedisStats::~RedisStats() = default;

Result<ClusterStats> RedisStats::sample(const StatsRequest& request) {
  Result<Router*> got = sync_.get();
  if (!got) return got.error();
  Router& r = **got;
  ClusterStats out;
  out.sampled_at = now_ms();
  // 1. The stream keys, grouped into streams and shards.
  bool done = false;
  std::optional<Result<std::vector<std::string>>> keys;
  scan_streams(r, "*", [&](Result<std::vector<std::string>> found) {
    done = true;
    keys = std::move(found);
  });
  if (!sync_.wait(done, kSampleTimeoutMs)) return make_error(Errc::timeout, "Redis at {} did not answer SCAN", sync_.uri().display());
  if (!*keys) return keys->error();
  out.requests += 1 + keys->value().size() / 1000;
  std::map<std::string, std::vector<std::pair<std::optional<ShardId>, std::string>>> by_stream;
  for (const std::string& key : keys->value()) {
    const std::size_t colon = key.rfind(':');
    if (colon != std::string::npos && colon > 0 && shard_of_key(key.substr(0, colon), key))
      by_stream[key.substr(0, colon)].emplace_back(shard_of_key(key.substr(0, colon), key), key);
    else
      by_stream[key].emplace_back(std::nullopt, key);
  }
  std::vector<ShardRef> shards;
  for (auto& [name, list] : by_stream) {
    if (!request.filter.empty() && name.find(request.filter) == std::string::npos) continue;
    if (out.streams.size() >= request.max_streams) {
      out.truncated = true;
      break;
    }
    const bool sharded = std::any_of(list.begin(), list.end(), [](const auto& e) { return e.first.has_value(); });
    StreamStats stream;
    stream.name = name;
    for (const auto& [id, key] : list)
      shards.push_back(ShardRef{out.streams.size(), id ? *id : (sharded ? kPlainShard : 0), key});
    out.streams.push_back(std::move(stream));
  }
  // 2. XINFO STREAM per shard (then XINFO GROUPS where there are groups), a window at a time.
  std::size_t in_flight = 0;
  std::optional<Error> failure;
  std::vector<HeaderView> headers;
  std::string scratch;
  auto send = [&](const std::string& key, std::string command, ReplyFn fn) {
    while (in_flight >= kWindow) sync_.loop().run_once(true);
    ++in_flight;
    ++out.requests;
    Result<void> sent = r.command(key, command, [&in_flight, fn = std::move(fn)](redisReply* reply, const Error* error) {
      --in_flight;
      fn(reply, error);
    });
    if (!sent) {
      --in_flight;
      failure = sent.error();
    }
  };
  for (ShardRef& ref : shards) {
    if (failure) break;
    send(ref.key, format_command({"XINFO", "STREAM", ref.key}), [&, &ref = ref](redisReply* reply, const Error* error) {
      if (error != nullptr) return (void)(failure = *error);
      if (reply->type != REDIS_REPLY_ARRAY) return;  // deleted meanwhile
      StreamStats& stream = out.streams[ref.stream];
      ShardStats s;
      s.id = ref.id;
      const XinfoStream x = read_xinfo_stream(reply);
      s.appended = x.appended;
      if (x.last_generated) s.last_seq = x.last_generated->to_seq();
      if (x.first) s.first_seq = x.first->to_seq();
      EntryId id;
      MessageView view;
      if (decode_entry(x.last_entry, id, view, headers, scratch)) {
        s.last_ts = static_cast<Timestamp>(id.ms);
        if (s.last_ts >= stream.last_ts) {
          stream.last_ts = s.last_ts;
          stream.last_payload.assign(view.payload.substr(0, request.preview_bytes));
          stream.last_payload_size = view.payload.size();
          stream.preview_known = request.previews;
        }
      }
      ref.groups = x.groups;
      stream.shards.push_back(s);
    });
  }
  // Every command calls back exactly once (a timeout drops the connection, failing the rest),
  // and the callbacks point at this frame: wait for all of them even after a failure.
  while (in_flight > 0) sync_.loop().run_once(true);
  if (failure) return *failure;
  if (request.groups) {
    std::vector<std::map<std::string, GroupStats>> groups(out.streams.size());
    std::vector<std::pair<const ShardRef*, std::string>> named;  // (shard, group) for XINFO CONSUMERS
    for (const ShardRef& ref : shards) {
      if (ref.groups <= 0 || failure) continue;
      send(ref.key, format_command({"XINFO", "GROUPS", ref.key}), [&, &ref = ref](redisReply* reply, const Error* error) {
        if (error != nullptr) return (void)(failure = *error);
        for (std::string& name : add_xinfo_groups(reply, ref.id, groups[ref.stream])) named.emplace_back(&ref, std::move(name));
      });
    }
    while (in_flight > 0) sync_.loop().run_once(true);
    // Then each group's members, parked and stale entries.
    for (const auto& [ref, name] : named) {
      if (failure) break;
      send(ref->key, format_command({"XINFO", "CONSUMERS", ref->key, name}),
           [&, ref = ref, &name = name](redisReply* reply, const Error* error) {
             if (error != nullptr) return (void)(failure = *error);
             add_xinfo_consumers(reply, kDefaultClaimMs, groups[ref->stream][name]);
           });
    }
    while (in_flight > 0) sync_.loop().run_once(true);
    if (failure) return *failure;
    for (std::size_t i = 0; i < out.streams.size(); ++i)
      for (auto& [name, group] : groups[i]) out.streams[i].groups.push_back(std::move(group));
  }
  // 3. sea's producers and consumers, from the connection names on every master.
  std::set<std::string> producers;
  std::set<std::string> consumers;
  std::size_t pending_lists = 0;
  for (const std::size_t node : r.masters()) {
    ++out.requests;
    ++pending_lists;
    Result<void> sent = r.command_node(node, format_command({"CLIENT", "LIST"}), [&](redisReply* reply, const Error* error) {
      --pending_lists;
      if (error == nullptr) count_clients(reply_text(reply), producers, consumers);
    });
    if (!sent) --pending_lists;
  }
  while (pending_lists > 0) sync_.loop().run_once(true);
  std::map<std::string, std::uint32_t> producer_count;
  std::map<std::string, std::uint32_t> consumer_count;
  for (const std::string& p : producers)
    for (const std::string& s : tagged_streams(p)) ++producer_count[s];
  for (const std::string& c : consumers)
    for (const std::string& s : tagged_streams(c)) ++consumer_count[s];
  for (StreamStats& stream : out.streams) {
    std::sort(stream.shards.begin(), stream.shards.end(), [](const ShardStats& a, const ShardStats& b) { return a.id < b.id; });
    stream.producers = producer_count[stream.name];
    stream.consumers = consumer_count[stream.name];
  }
  out.producers = static_cast<std::uint32_t>(producers.size());
  out.consumers = static_cast<std::uint32_t>(consumers.size());
  out.notes.push_back("producers and consumers: only clients made by sea are counted (by their connection names)");
  return out;
}

}  // namespace sea::redis
