// Consumer groups: two members share the partitions; when one leaves, the other takes its
// partitions over from what the leaver had acked (committed on revoke), and a new member of the
// group resumes at the committed positions instead of its start position.
#include <set>

#include "backends/kafka/kafka_properties.hpp"

#include "kafka_test_env.hpp"

using namespace sea;
using namespace sea::kafka::test;

namespace {

Properties fast_group() {
  // The default session timeout makes every rejoin take ~45 s on the mock.
  if (std::getenv("SEA_TEST_KAFKA_DEBUG") != nullptr) return {{"session.timeout.ms", "6000"}, {"heartbeat.interval.ms", "500"}, {"debug", "cgrp,fetch"}};
  return {{"session.timeout.ms", "6000"}, {"heartbeat.interval.ms", "500"}, {"topic.metadata.refresh.interval.ms", "1000"}};
}

ConsumerOptions group_options(const std::string& group) {
  ConsumerOptions o;
  o.mode = ConsumerMode::repeat;
  o.group = group;
  o.start.kind = StartPosition::Kind::earliest;
  o.properties = fast_group();
  return o;
}

// Polls both consumers until `want` messages arrived in total; acks each one.
void drain_both(loop::Loop& loop, Consumer& a, Consumer& b, std::vector<Message>& got_a, std::vector<Message>& got_b,
                std::size_t want) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (got_a.size() + got_b.size() < want && std::chrono::steady_clock::now() < deadline) {
    a.poll(100, [&](const MessageView& m) { got_a.push_back(Message::from_view(m)); a.ack(m.stream, m.shard, m.seq); });
    b.poll(100, [&](const MessageView& m) { got_b.push_back(Message::from_view(m)); b.ack(m.stream, m.shard, m.seq); });
    run_for(loop, 20);
  }
}

// A producer of `topic` that has sent "0".."count-1" round the four partitions (i % 4), flushed.
std::unique_ptr<Producer> produce_spread(loop::Loop& loop, Streamer& streamer, const std::string& topic, int count) {
  Result<std::unique_ptr<Producer>> producer = streamer.create_producer(key_of(topic), ProducerOptions{});
  REQUIRE(producer.ok());
  for (int i = 0; i < count; ++i) {
    const std::string payload = std::to_string(i);
    REQUIRE((*producer)->send(MessageView{.stream = topic, .shard = static_cast<ShardId>(i % 4), .payload = payload}).ok());
  }
  REQUIRE(flush_sync(loop, **producer).ok());
  return std::move(*producer);
}

}  // namespace

TEST_CASE("a group shares partitions, takes over on leave, and resumes at committed positions") {
  if (std::getenv("SEA_TEST_KAFKA_DEBUG") != nullptr)
    kafka::set_kafka_log_handler([](int, std::string_view f, std::string_view m) { fmt::print(stderr, "{} {}\n", f, m); });
  loop::Loop loop;
  std::unique_ptr<Streamer> streamer = connect_test(loop);
  const std::string topic = unique_topic("groups");
  const std::string group = unique_topic("g");
  const StreamKey key = key_of(topic);
  std::unique_ptr<Producer> producer = produce_spread(loop, *streamer, topic, 400);

  StreamKey keys[] = {key};
  Result<std::unique_ptr<Consumer>> a = streamer->create_consumer(keys, group_options(group));
  Result<std::unique_ptr<Consumer>> b = streamer->create_consumer(keys, group_options(group));
  REQUIRE_MESSAGE(a.ok(), (a.ok() ? "" : a.error().message));
  REQUIRE(b.ok());
  // 1. Both members get partitions, and between them read everything once. The group settles
  // first: A joining alone would take every partition and, on a loaded machine, read all 400
  // before B's join rebalanced the group (a race of the test, not of the consumer).
  const auto settle = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (((*a)->shards().empty() || (*b)->shards().empty() || (*a)->shards().size() + (*b)->shards().size() != 4) &&
         std::chrono::steady_clock::now() < settle)
    run_for(loop, 50);
  REQUIRE_MESSAGE((*a)->shards().size() + (*b)->shards().size() == 4,
                  fmt::format("the group did not settle: A has {}, B has {} partitions", (*a)->shards().size(),
                              (*b)->shards().size()));
  std::vector<Message> got_a, got_b;
  drain_both(loop, **a, **b, got_a, got_b, 400);
  CHECK(got_a.size() + got_b.size() == 400);
  CHECK(!got_a.empty());
  CHECK(!got_b.empty());
  std::set<ShardId> shards_a, shards_b;
  for (const Message& m : got_a) shards_a.insert(m.shard);
  for (const Message& m : got_b) shards_b.insert(m.shard);
  for (const ShardId s : shards_a) CHECK(shards_b.count(s) == 0);
  REQUIRE((*a)->commit_now().ok());

  // 2. B leaves (committing what it acked); A takes over all four partitions and reads only new
  //    messages, because B's positions were committed.
  b->reset();
  for (int i = 400; i < 480; ++i) {
    const std::string payload = std::to_string(i);
    REQUIRE(producer->send(MessageView{.stream = topic, .shard = static_cast<ShardId>(i % 4), .payload = payload}).ok());
  }
  REQUIRE(flush_sync(loop, *producer).ok());
  // Acks as it goes: a rebalance in the middle may hand un-acked messages out again
  // (at-least-once), so count distinct payloads.
  std::set<int> distinct;
  std::set<ShardId> shards_after;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (distinct.size() < 80 && std::chrono::steady_clock::now() < deadline) {
    (*a)->poll(100, [&](const MessageView& m) {
      const int n = std::stoi(std::string(m.payload));
      CHECK(n >= 400);  // B's partitions resume where B acked, not from the start
      distinct.insert(n);
      shards_after.insert(m.shard);
      (*a)->ack(m.stream, m.shard, m.seq);
    });
    run_for(loop, 20);
  }
  CHECK(distinct.size() == 80);
  CHECK(shards_after.size() == 4);
  CHECK((*a)->shards().size() == 4);
  REQUIRE((*a)->commit_now().ok());
  a->reset();

  // 3. A new member starts at the committed positions: nothing left to read.
  Result<std::unique_ptr<Consumer>> c = streamer->create_consumer(keys, group_options(group));
  REQUIRE(c.ok());
  REQUIRE(producer->send(MessageView{.stream = topic, .shard = 2, .payload = "last"}).ok());
  REQUIRE(flush_sync(loop, *producer).ok());
  std::vector<Message> resumed = read_n(loop, **c, 1, 40'000);
  REQUIRE(resumed.size() == 1);
  CHECK(resumed[0].payload == "last");
}

TEST_CASE("a member whose reader takes nothing still hands partitions on when another joins") {
  // A's caller never polls: A's fetched messages wait unread. B joins; A must still serve the
  // rebalance at once (it comes apart from the messages), so the group settles with both.
  loop::Loop loop;
  std::unique_ptr<Streamer> streamer = connect_test(loop);
  const std::string topic = unique_topic("groups-idle");
  const std::string group = unique_topic("g");
  const StreamKey key = key_of(topic);
  std::unique_ptr<Producer> producer = produce_spread(loop, *streamer, topic, 400);
  StreamKey keys[] = {key};
  Result<std::unique_ptr<Consumer>> a = streamer->create_consumer(keys, group_options(group));
  REQUIRE(a.ok());
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while ((*a)->shards().size() != 4 && std::chrono::steady_clock::now() < deadline) run_for(loop, 50);
  REQUIRE((*a)->shards().size() == 4);
  run_for(loop, 1000);  // A fetches; nobody reads
  Result<std::unique_ptr<Consumer>> b = streamer->create_consumer(keys, group_options(group));
  REQUIRE(b.ok());
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (((*a)->shards().size() != 2 || (*b)->shards().size() != 2) && std::chrono::steady_clock::now() < deadline)
    run_for(loop, 50);
  CHECK_MESSAGE((*a)->shards().size() == 2, fmt::format("A has {} partitions", (*a)->shards().size()));
  CHECK_MESSAGE((*b)->shards().size() == 2, fmt::format("B has {} partitions", (*b)->shards().size()));
  // And what A reads now is only from its own two partitions.
  std::vector<Message> got = read_n(loop, **a, 200, 20'000);
  const std::vector<ShardId> mine = (*a)->shards();
  for (const Message& m : got)
    CHECK_MESSAGE(std::find(mine.begin(), mine.end(), m.shard) != mine.end(), fmt::format("A read shard {}", m.shard));
}
