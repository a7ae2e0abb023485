// Admin on the mock: list and describe (partitions and watermarks) work; create, delete and
// set_retention, which the mock does not implement, fail with a message that says so.
#include "kafka_test_env.hpp"

using namespace sea;
using namespace sea::kafka::test;

TEST_CASE("admin lists and describes topics, and explains what the mock cannot do") {
  loop::Loop loop;
  std::unique_ptr<Streamer> streamer = connect_test(loop);
  const std::string topic = unique_topic("admin");
  const StreamKey key = key_of(topic);
  Result<std::unique_ptr<Producer>> producer = streamer->create_producer(key, ProducerOptions{});
  REQUIRE(producer.ok());
  for (int i = 0; i < 10; ++i) REQUIRE((*producer)->send(MessageView{.stream = topic, .shard = 1, .payload = "m"}).ok());
  REQUIRE(flush_sync(loop, **producer).ok());

  Result<std::vector<std::string>> names = streamer->admin().list();
  REQUIRE(names.ok());
  CHECK(std::find(names->begin(), names->end(), topic) != names->end());

  Result<StreamInfo> info = streamer->admin().describe(key);
  REQUIRE_MESSAGE(info.ok(), (info.ok() ? "" : info.error().message));
  REQUIRE(info->shards.size() == 4);
  CHECK(info->shards[1].first_seq == 0);
  CHECK(info->shards[1].next_seq == 10);
  CHECK(info->shards[1].messages == 10);
  CHECK(info->shards[0].messages == 0);

  Result<StreamInfo> missing = streamer->admin().describe(key_of(unique_topic("nosuch")));
  REQUIRE(!missing.ok());
  CHECK(missing.error().code == Errc::not_found);

  Result<void> created = streamer->admin().create(key_of(unique_topic("new")), CreateOptions{.shards = 8});
  REQUIRE(!created.ok());
  CHECK_MESSAGE(created.error().message.find("CreateTopics") != std::string::npos, created.error().message);
  Result<void> removed = streamer->admin().remove(key);
  REQUIRE(!removed.ok());
  CHECK_MESSAGE(removed.error().message.find("DeleteTopics") != std::string::npos, removed.error().message);
  Result<void> retention = streamer->admin().set_retention(key, Retention{.max_age_ms = 3'600'000, .max_bytes = {}});
  REQUIRE(!retention.ok());
  CHECK_MESSAGE(retention.error().message.find("AlterConfigs") != std::string::npos, retention.error().message);
  Result<void> nothing = streamer->admin().set_retention(key, Retention{});
  CHECK(!nothing.ok());
}
