// The Kafka sampler of kafka_stats.hpp: metadata, watermarks, newest messages and groups.
#include "backends/kafka/kafka_stats.hpp"

#include <algorithm>
#include <set>

#include "backends/kafka/kafka_groups.hpp"

namespace sea::kafka {

namespace {

struct TopicMeta {
  std::string name;
  std::vector<std::int32_t> partitions;  // sorted ids
  std::vector<std::int32_t> leaders;     // broker id per partition (-1: none)
};

// Matching topics of one all-topics Metadata answer, sorted by name; sets `truncated`.
std::vector<TopicMeta> matching_topics(const rd_kafka_metadata_t* md, const StatsRequest& request, bool& truncated) {
  std::vector<TopicMeta> topics;
  for (int t = 0; t < md->topic_cnt; ++t) {
    const rd_kafka_metadata_topic_t& topic = md->topics[t];
    const std::string_view name = topic.topic;
    if (name.starts_with("__") || topic.err != RD_KAFKA_RESP_ERR_NO_ERROR || topic.partition_cnt <= 0) continue;
    if (!request.filter.empty() && name.find(request.filter) == std::string_view::npos) continue;
    TopicMeta meta{std::string(name), {}, {}};
    std::vector<std::pair<std::int32_t, std::int32_t>> ids;
    for (int p = 0; p < topic.partition_cnt; ++p) ids.emplace_back(topic.partitions[p].id, topic.partitions[p].leader);
    std::sort(ids.begin(), ids.end());
    for (const auto& [id, leader] : ids) {
      meta.partitions.push_back(id);
      meta.leaders.push_back(leader);
    }
    topics.push_back(std::move(meta));
  }
  std::sort(topics.begin(), topics.end(), [](const TopicMeta& a, const TopicMeta& b) { return a.name < b.name; });
  if (topics.size() > request.max_streams) {
    topics.resize(request.max_streams);
    truncated = true;
  }
  return topics;
}

std::uint64_t distinct(const std::vector<std::int32_t>& ids) { return std::set<std::int32_t>(ids.begin(), ids.end()).size(); }

}  // namespace

Result<rd_kafka_t*> KafkaStats::client() {
  if (!peek_) {
    Result<std::unique_ptr<KafkaPeek>> peek = KafkaPeek::create(config_);
    if (!peek) return peek.error();
    peek_ = std::move(*peek);
  }
  return peek_->handle();
}

Result<ClusterStats> KafkaStats::sample(const StatsRequest& request) {
  Result<rd_kafka_t*> rk = client();
  if (!rk) return rk.error();
  ClusterStats out;
  // 1. One all-topics Metadata request (naming topics could auto-create them).
  const rd_kafka_metadata_t* md = nullptr;
  if (rd_kafka_resp_err_t err = rd_kafka_metadata(*rk, 1, nullptr, &md, kSyncTimeoutMs))
    return kafka_error(err, "top: read metadata");
  out.requests += 1;
  const std::vector<TopicMeta> topics = matching_topics(md, request, out.truncated);
  const int brokers = md->broker_cnt;
  rd_kafka_metadata_destroy(md);

  // 2. Watermarks of every partition, one ListOffsets per leader broker for each end.
  std::vector<PartitionRef> parts;
  std::vector<std::int32_t> leaders;
  for (const TopicMeta& t : topics)
    for (std::size_t p = 0; p < t.partitions.size(); ++p) {
      parts.push_back({t.name, t.partitions[p]});
      leaders.push_back(t.leaders[p]);
    }
  // The counters are those of this moment: rates divide by the time between two of them.
  out.sampled_at = now_ms();
  Result<std::vector<std::pair<std::int64_t, std::int64_t>>> marks = query_watermarks(*rk, parts);
  if (!marks) return marks.error();
  if (!parts.empty()) out.requests += 2 * distinct(leaders);

  // 3. The newest message of each partition that moved.
  if (request.previews) {
    SEA_TRY(refresh_newest(parts, leaders, *marks, request, out.requests));
  } else {
    newest_.clear();
    cursor_.reset();
  }

  // 4. Streams from the topics, watermarks and newest messages.
  std::size_t at = 0;
  for (const TopicMeta& t : topics) {
    StreamStats stream;
    stream.name = t.name;
    const PeekedMessage* newest = nullptr;
    for (std::size_t p = 0; p < t.partitions.size(); ++p, ++at) {
      const auto [low, high] = (*marks)[at];
      ShardStats shard{static_cast<ShardId>(t.partitions[p]), static_cast<SeqNo>(low),
                       static_cast<SeqNo>(high > 0 ? high - 1 : 0), static_cast<std::uint64_t>(high), std::nullopt, 0};
      const auto cached = newest_.find({t.name, t.partitions[p]});
      if (request.previews && high > low && (cached == newest_.end() || cached->second.peeked_high != high))
        stream.preview_stale = true;
      if (cached != newest_.end() && cached->second.message) {
        const PeekedMessage& m = *cached->second.message;
        shard.last_ts = m.ts;
        if (newest == nullptr || m.ts > newest->ts) newest = &m;
      }
      stream.shards.push_back(shard);
    }
    if (newest != nullptr) {
      stream.last_ts = newest->ts;
      stream.last_payload = newest->payload.substr(0, request.preview_bytes);
      stream.last_payload_size = newest->size;
      stream.preview_known = true;
    }
    out.streams.push_back(std::move(stream));
  }

  // 5. Groups and lag; producers are not visible in Kafka's protocol.
  if (request.groups) SEA_TRY(add_groups(request, brokers, parts, out));
  out.producers = std::nullopt;
  out.notes.push_back("producers: not visible in Kafka's protocol; consumers: members of consumer groups only");
  return out;
}

Result<void> KafkaStats::refresh_newest(const std::vector<PartitionRef>& parts, const std::vector<std::int32_t>& leaders,
                                        const std::vector<std::pair<std::int64_t, std::int64_t>>& marks,
                                        const StatsRequest& request, std::uint64_t& requests) {
  // 1. Keep the entries of partitions that still exist; list the ones whose end moved.
  std::map<PartitionKey, Newest> kept;
  std::vector<std::size_t> moved;  // indexes into parts, in parts' (sorted) order
  for (std::size_t i = 0; i < parts.size(); ++i) {
    PartitionKey key{parts[i].topic, parts[i].partition};
    Newest entry;
    if (auto it = newest_.find(key); it != newest_.end()) entry = std::move(it->second);
    const auto [low, high] = marks[i];
    if (high > low && high != entry.peeked_high) moved.push_back(i);
    kept.emplace(std::move(key), std::move(entry));
  }
  newest_ = std::move(kept);
  if (moved.empty()) return ok();
  // 2. At most max_previews of them, in turn: start after the last one asked last time, so
  // that a cluster with more moving partitions than the cap has each read every few samples.
  std::size_t first = 0;
  if (cursor_) {
    const auto after = std::upper_bound(moved.begin(), moved.end(), *cursor_, [&](const PartitionKey& c, std::size_t i) {
      return c < PartitionKey{parts[i].topic, parts[i].partition};
    });
    first = after == moved.end() ? 0 : static_cast<std::size_t>(after - moved.begin());
  }
  const std::size_t take = std::min(moved.size(), std::max<std::size_t>(request.max_previews, 1));
  std::vector<PartitionRef> ask;
  std::vector<std::int64_t> offsets;
  std::vector<std::int32_t> ask_leaders;
  for (std::size_t k = 0; k < take; ++k) {
    const std::size_t i = moved[(first + k) % moved.size()];
    ask.push_back(parts[i]);
    offsets.push_back(marks[i].second - 1);
    ask_leaders.push_back(leaders[i]);
  }
  cursor_ = PartitionKey{ask.back().topic, ask.back().partition};
  // 3. Peek them all at once, within the budget.
  Result<std::vector<PeekResult>> got = peek_->peek(ask, offsets, request.preview_bytes, kPeekBudgetMs);
  if (!got) return got.error();
  requests += 2 * distinct(ask_leaders);
  for (std::size_t i = 0; i < ask.size(); ++i) {
    PeekResult& r = (*got)[i];
    if (!r.done) continue;  // asked again next sample
    Newest& entry = newest_[{ask[i].topic, ask[i].partition}];
    entry.peeked_high = offsets[i] + 1;
    if (r.message) entry.message = std::move(r.message);
  }
  return ok();
}

Result<void> KafkaStats::add_groups(const StatsRequest& request, int brokers, const std::vector<PartitionRef>& parts,
                                    ClusterStats& out) {
  // 1. The groups: listed by the cluster (with members), plus those named in the request.
  std::map<std::string, std::optional<std::uint32_t>> groups;
  Result<std::vector<ListedGroup>> listed = list_groups(peek_->handle(), brokers, out.requests);
  if (listed) {
    for (const ListedGroup& g : *listed) groups[g.name] = g.members;
  } else if (listed.error().code == Errc::unsupported) {
    out.notes.push_back("groups: the cluster does not answer ListGroups; only groups named to top are shown, "
                        "their members unknown");
  } else {
    out.notes.push_back("groups: " + listed.error().message);
  }
  for (const std::string& name : request.groups_named) groups.emplace(name, std::nullopt);
  std::vector<std::string> names;
  for (const auto& [name, members] : groups) {
    if (names.size() == kMaxGroups) {
      out.notes.push_back(fmt::format("groups: only the first {} of {} are looked up", kMaxGroups, groups.size()));
      break;
    }
    names.push_back(name);
  }
  // 2. Their committed offsets, one OffsetFetch per group, and the lag per stream.
  Result<std::map<std::string, CommittedOffsets>> committed = committed_offsets(peek_->handle(), names, parts, out.requests);
  if (!committed) return committed.error();
  for (StreamStats& stream : out.streams) {
    std::optional<std::uint32_t> members = listed ? std::optional<std::uint32_t>(0) : std::nullopt;
    for (const auto& [group, offsets] : *committed) {
      GroupStats g;
      g.name = group;
      for (const ShardStats& shard : stream.shards)
        if (auto it = offsets.find({stream.name, static_cast<std::int32_t>(shard.id)}); it != offsets.end())
          g.committed.emplace_back(shard.id, static_cast<SeqNo>(it->second));
      if (g.committed.empty()) continue;
      g.members = groups[group].value_or(0);
      g.members_known = groups[group].has_value();
      g.lag = group_lag(stream.shards, g.committed);
      if (!g.members_known) members.reset();  // a sum with an unknown part is unknown
      if (members) *members += g.members;
      stream.groups.push_back(std::move(g));
    }
    stream.consumers = members;
  }
  return ok();
}

}  // namespace sea::kafka
