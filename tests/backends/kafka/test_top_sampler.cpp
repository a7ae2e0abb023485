// The Kafka sampler of `top` (Streamer::stats) against the mock cluster with known traffic:
// exact appended counts per partition, the newest message's time and truncated payload, the
// exact lag of a group that committed known offsets, a rate within 10% of a generated
// 500 msgs/s through top's own arithmetic, and a re-peek when a partition's end moves. The
// last case measures a sample of 100 topics x 4 partitions (time, requests) and prints it.
#include "top/model.hpp"

#include "kafka_test_env.hpp"

using namespace sea;
using namespace sea::kafka::test;

namespace {

const StreamStats* find(const ClusterStats& stats, const std::string& name) {
  for (const StreamStats& s : stats.streams)
    if (s.name == name) return &s;
  return nullptr;
}

std::string payload_of(int i) {
  std::string p = fmt::format("{{\"i\":{},\"pad\":\"", i);
  p.append(200 - p.size() - 2, 'a' + static_cast<char>(i % 26));
  return p + "\"}";
}

ClusterStats sample(Streamer& streamer, const StatsRequest& request) {
  const std::int64_t started = now_ms();
  Result<ClusterStats> stats = streamer.stats(request);
  REQUIRE_MESSAGE(stats.ok(), (stats.ok() ? "" : stats.error().message));
  MESSAGE("sample: " << now_ms() - started << " ms, " << stats->requests << " requests");
  return *stats;
}

}  // namespace

TEST_CASE("kafka sampler: exact counts, newest time and preview, exact lag, rate within 10%") {
  loop::Loop loop;
  std::unique_ptr<Streamer> streamer = connect_test(loop);
  const std::string topic = unique_topic("top");
  const std::string group = unique_topic("top-g");
  const StreamKey key = key_of(topic);
  Result<std::unique_ptr<Producer>> producer = streamer->create_producer(key, ProducerOptions{});
  REQUIRE(producer.ok());

  // 1. 200 messages of 200 bytes, round robin over the 4 partitions, with known timestamps.
  const Timestamp base = now_ms() - 60'000;
  for (int i = 0; i < 200; ++i) {
    const std::string payload = payload_of(i);
    REQUIRE((*producer)->send(MessageView{.stream = topic, .shard = static_cast<ShardId>(i % 4), .ts = base + i,
                                          .payload = payload}).ok());
  }
  REQUIRE(flush_sync(loop, **producer).ok());
  REQUIRE(streamer->admin().set_group_position(group, key, 0, 10).ok());
  REQUIRE(streamer->admin().set_group_position(group, key, 1, 20).ok());

  StatsRequest request;
  request.filter = topic;
  request.groups_named = {group};
  ClusterStats stats = sample(*streamer, request);
  const StreamStats* s = find(stats, topic);
  REQUIRE(s != nullptr);
  REQUIRE(s->shards.size() == 4);
  for (const ShardStats& shard : s->shards) {
    CHECK(shard.appended == 50);
    CHECK(shard.last_seq == 49);
    CHECK(shard.last_ts == base + 196 + static_cast<Timestamp>(shard.id));  // i = 196 + shard
  }
  CHECK(s->last_ts == base + 199);
  CHECK(s->preview_known);
  CHECK(s->last_payload == payload_of(199).substr(0, 160));
  CHECK(s->last_payload_size == 200);
  CHECK_FALSE(s->producers.has_value());
  REQUIRE(s->groups.size() == 1);
  CHECK(s->groups[0].name == group);
  CHECK(s->groups[0].lag == (50 - 10) + (50 - 20) + 50 + 50);
  // Members are known only where the cluster lists its groups (the mock does not): never a made-up 0.
  bool unlisted = false;
  for (const std::string& note : stats.notes) unlisted = unlisted || note.find("does not answer ListGroups") != std::string::npos;
  CHECK(s->groups[0].members_known == !unlisted);
  CHECK(s->consumers.has_value() == !unlisted);
  CHECK(stats.requests > 0);

  // 2. 500 msgs/s for 2 s, sampled every second by top's model: the 1 s rate within 10%.
  //    The sender keeps the total at 500 x elapsed so that a sample blocking the loop does
  //    not lower the generated rate.
  top::Model model;
  model.update(sample(*streamer, request), 0);
  const std::int64_t started = now_ms();
  std::int64_t sent = 0;
  loop::Timer ticker(loop);
  ticker.start(10, 10, [&] {
    const std::int64_t due = std::min<std::int64_t>((now_ms() - started) * 500 / 1000, 1000);
    for (; sent < due; ++sent) (void)(*producer)->send(MessageView{.stream = topic, .payload = "tick"});
    if (sent == 1000) loop.stop();
  });
  loop::Timer sampler(loop);
  sampler.start(1000, 1000, [&] { model.update(sample(*streamer, request), 0); });
  loop.run();
  ticker.stop();
  sampler.stop();
  REQUIRE(model.rows().size() == 1);
  CHECK(model.rows()[0].rate_1s.msgs_per_s == doctest::Approx(500).epsilon(0.10));

  // 3. One message with a known time into partition 2 only: the sample re-peeks it.
  REQUIRE(flush_sync(loop, **producer).ok());
  const Timestamp last = now_ms() + 1000;
  REQUIRE((*producer)->send(MessageView{.stream = topic, .shard = 2, .ts = last, .payload = "the last one"}).ok());
  REQUIRE(flush_sync(loop, **producer).ok());
  stats = sample(*streamer, request);
  s = find(stats, topic);
  REQUIRE(s != nullptr);
  CHECK(s->last_ts == last);
  CHECK(s->last_payload == "the last one");
  CHECK(s->last_payload_size == 12);
  std::uint64_t total = 0;
  for (const ShardStats& shard : s->shards) total += shard.appended;
  CHECK(total == 200 + 1000 + 1);

  // 4. Without previews nothing is fetched and nothing is claimed.
  request.previews = false;
  stats = sample(*streamer, request);
  s = find(stats, topic);
  REQUIRE(s != nullptr);
  CHECK_FALSE(s->preview_known);
  CHECK(s->last_ts == 0);
}

TEST_CASE("kafka sampler: 100 topics x 4 partitions, cost of a sample") {
  loop::Loop loop;
  std::unique_ptr<Streamer> streamer = connect_test(loop);
  const std::string prefix = unique_topic("top100");
  for (int t = 0; t < 100; ++t) {
    const std::string topic = fmt::format("{}-{:03}", prefix, t);
    Result<std::unique_ptr<Producer>> producer = streamer->create_producer(key_of(topic), ProducerOptions{});
    REQUIRE(producer.ok());
    for (int p = 0; p < 4; ++p)
      REQUIRE((*producer)->send(MessageView{.stream = topic, .shard = static_cast<ShardId>(p), .payload = "x"}).ok());
    REQUIRE(flush_sync(loop, **producer).ok());
  }
  StatsRequest request;
  request.filter = prefix;
  std::int64_t started = now_ms();
  ClusterStats first = sample(*streamer, request);
  const std::int64_t first_ms = now_ms() - started;
  started = now_ms();
  ClusterStats second = sample(*streamer, request);
  const std::int64_t second_ms = now_ms() - started;
  MESSAGE("100 topics x 4 partitions: first sample (peeks all 400) " << first_ms << " ms, " << first.requests
          << " requests; next sample (nothing moved) " << second_ms << " ms, " << second.requests << " requests");
  REQUIRE(first.streams.size() == 100);
  std::size_t known = 0;
  for (const StreamStats& s : first.streams) known += s.preview_known ? 1 : 0;
  MESSAGE(known << " of 100 previews in the first sample");
  for (const StreamStats& s : second.streams) CHECK(s.preview_known);
  CHECK(second.requests < 30);
  CHECK(second_ms < 2'000);
}
