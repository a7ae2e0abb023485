// Behaviour: entries written by someone else (a plain hiredis client standing in for
// redis-cli) are consumed: with a `msg` field as that payload, without one as the JSON object
// of their fields; a sharded stream K:0..K:N written directly is read across all its shards.
#include "redis_test_util.hpp"

using namespace sea;
using namespace sea::redis_test;

TEST_CASE("entries written by redis-cli are read back, with and without msg") {
  Env env(single_uri());
  Direct direct(single_uri());
  const std::string stream = unique_stream("foreign");
  direct.run({"XADD", stream, "*", "msg", "{\"ext\":1}"});
  direct.run({"XADD", stream, "*", "id", "7", "qty", "2"});
  direct.run({"XADD", stream, "*", "key", "k1", "msg", "with-key"});

  auto consumer = env.consumer({stream}, from_earliest());
  std::vector<Message> got = env.drain(*consumer);
  REQUIRE(got.size() == 3);
  CHECK(got[0].payload == "{\"ext\":1}");
  CHECK(got[1].payload == R"({"id":"7","qty":"2"})");
  CHECK(got[2].payload == "with-key");
  CHECK(got[2].key == std::optional<std::string>("k1"));
}

TEST_CASE("a stream sharded as K:N by another writer is read from every shard") {
  Env env(single_uri());
  Direct direct(single_uri());
  const std::string stream = unique_stream("shards");
  for (int shard = 0; shard < 3; ++shard)
    for (int i = 0; i < 4; ++i) direct.run({"XADD", fmt::format("{}:{}", stream, shard), "*", "msg", fmt::format("{}-{}", shard, i)});

  auto consumer = env.consumer({stream}, from_earliest());
  std::vector<Message> got = env.drain(*consumer);
  REQUIRE(got.size() == 12);
  std::map<ShardId, std::vector<std::string>> by_shard;
  for (const Message& m : got) by_shard[m.shard].push_back(m.payload);
  REQUIRE(by_shard.size() == 3);
  for (int shard = 0; shard < 3; ++shard)
    CHECK(by_shard[shard] == std::vector<std::string>{fmt::format("{}-0", shard), fmt::format("{}-1", shard),
                                                     fmt::format("{}-2", shard), fmt::format("{}-3", shard)});

  // A producer writes to the existing shards, by key hash.
  auto producer = env.producer(stream);
  MessageView view;
  view.payload = "keyed";
  view.has_key = true;
  view.key = "user-42";
  Result<Receipt> receipt = send_sync(env.loop, *producer, view);
  REQUIRE(receipt.ok());
  CHECK(receipt->shard < 3);
  CHECK(direct.integer({"XLEN", fmt::format("{}:{}", stream, receipt->shard)}) == 5);
}
