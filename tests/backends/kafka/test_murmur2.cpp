// Kafka's key partitioner: our murmur2 (core/murmur2.hpp) agrees with librdkafka's, and keyed
// messages sent by sea land on the partition Java's DefaultPartitioner would choose.
#include <librdkafka/rdkafka.h>

#include <random>
#include <set>

#include "core/murmur2.hpp"
#include "kafka_test_env.hpp"

using namespace sea;
using namespace sea::kafka::test;

TEST_CASE("murmur2 agrees with librdkafka's murmur2 partitioner on random keys") {
  std::mt19937 rng(42);
  for (int i = 0; i < 2000; ++i) {
    std::string key(rng() % 40, '\0');
    for (char& c : key) c = static_cast<char>(rng());
    for (const int parts : {1, 3, 16, 128}) {
      const int32_t theirs = rd_kafka_msg_partitioner_murmur2(nullptr, key.data(), key.size(), parts, nullptr, nullptr);
      REQUIRE(static_cast<int32_t>(shard_for_key(key, static_cast<std::uint32_t>(parts))) == theirs);
    }
  }
}

TEST_CASE("keyed messages land where Java's partitioner puts them") {
  loop::Loop loop;
  std::unique_ptr<Streamer> streamer = connect_test(loop);
  const std::string topic = unique_topic("murmur");
  const StreamKey key = key_of(topic);
  Result<std::unique_ptr<Producer>> producer = streamer->create_producer(key, ProducerOptions{});
  REQUIRE(producer.ok());
  // The first send creates the topic (the mock makes 4 partitions); then we know the count.
  REQUIRE(send_sync(loop, **producer, MessageView{.stream = topic, .payload = "create"}).ok());
  Result<StreamInfo> info = streamer->admin().describe(key);
  REQUIRE_MESSAGE(info.ok(), (info.ok() ? "" : info.error().message));
  const auto partitions = static_cast<std::uint32_t>(info->shards.size());
  REQUIRE(partitions > 1);
  std::set<ShardId> used;
  for (int i = 0; i < 50; ++i) {
    const std::string k = i == 0 ? std::string() : fmt::format("user-{}", i * 7919);
    Result<Receipt> r = send_sync(loop, **producer, MessageView{.stream = topic, .has_key = true, .key = k, .payload = "x"});
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
    CHECK(r->shard == shard_for_key(k, partitions));
    used.insert(r->shard);
  }
  CHECK(used.size() == partitions);  // the keys spread: the check above was not trivially 0
}
