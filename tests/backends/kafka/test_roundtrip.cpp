// Round trip through a real Kafka (mock) cluster: keys, headers, fixed partitions and
// timestamps come back as sent, and receipts name where each message landed.
#include "kafka_test_env.hpp"

using namespace sea;
using namespace sea::kafka::test;

TEST_CASE("kafka round trip keeps keys, headers, partitions and timestamps") {
  loop::Loop loop;
  std::unique_ptr<Streamer> streamer = connect_test(loop);
  const std::string topic = unique_topic("roundtrip");
  const StreamKey key = key_of(topic);

  Result<std::unique_ptr<Producer>> producer = streamer->create_producer(key, ProducerOptions{});
  REQUIRE_MESSAGE(producer.ok(), (producer.ok() ? "" : producer.error().message));
  std::vector<Receipt> receipts(40);
  std::size_t reports = 0;
  (*producer)->set_on_delivery([&](Producer::Ticket t, const Result<Receipt>& r) {
    REQUIRE(r.ok());
    receipts[t - 1] = *r;
    ++reports;
  });
  const Timestamp base = 1'700'000'000'000;
  for (int i = 0; i < 40; ++i) {
    const std::string payload = fmt::format("payload-{}", i);
    const std::string k = fmt::format("key-{}", i);
    const std::string index = std::to_string(i);
    const HeaderView headers[] = {{"h1", "v1"}, {"index", index}};
    MessageView m{.stream = topic, .shard = static_cast<ShardId>(i % 3), .ts = base + i, .has_key = i % 2 == 0,
                  .key = k, .headers = headers, .payload = payload};
    // A view may die after send(): the producer copies.
    REQUIRE((*producer)->send(m).ok());
  }
  REQUIRE(flush_sync(loop, **producer).ok());
  CHECK(reports == 40);
  CHECK((*producer)->acknowledged() == 40);
  CHECK((*producer)->failed() == 0);

  ConsumerOptions options;
  options.start.kind = StartPosition::Kind::earliest;
  StreamKey keys[] = {key};
  Result<std::unique_ptr<Consumer>> consumer = streamer->create_consumer(keys, options);
  REQUIRE_MESSAGE(consumer.ok(), (consumer.ok() ? "" : consumer.error().message));
  std::vector<Message> got = read_n(loop, **consumer, 40);
  REQUIRE(got.size() == 40);
  int matched = 0;
  for (const Message& m : got) {
    const int i = std::stoi(m.payload.substr(8));
    CHECK(m.stream == topic);
    CHECK(m.shard == static_cast<ShardId>(i % 3));
    CHECK(m.shard == receipts[static_cast<std::size_t>(i)].shard);
    CHECK(m.seq == receipts[static_cast<std::size_t>(i)].seq);
    CHECK(m.ts == base + i);
    CHECK(m.key.has_value() == (i % 2 == 0));
    if (m.key) CHECK(*m.key == fmt::format("key-{}", i));
    REQUIRE(m.headers.size() == 2);
    CHECK(m.headers[0] == Header{"h1", "v1"});
    CHECK(m.headers[1] == Header{"index", std::to_string(i)});
    ++matched;
  }
  CHECK(matched == 40);
  // Everything was read and nothing more exists: the consumer knows it is at the end.
  CHECK(!next(loop, **consumer, true, 10'000).has_value());
  CHECK((*consumer)->at_end());
}
