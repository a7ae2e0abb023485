// Behaviour: what a producer writes (payload, key, headers) a consumer reads back, in order,
// with the seq/ts of the receipt, stored in the documented layout (field msg, key, h:<name>).
#include "redis_test_util.hpp"

#include "backends/redis/layout.hpp"

using namespace sea;
using namespace sea::redis_test;

TEST_CASE("round trip with keys and headers, laid out as upstream SeaStreamer") {
  Env env(single_uri());
  const std::string stream = unique_stream("rt");
  auto producer = env.producer(stream);

  std::vector<Receipt> receipts;
  producer->set_on_delivery([&](Producer::Ticket, const Result<Receipt>& r) {
    REQUIRE(r.ok());
    receipts.push_back(*r);
  });
  const HeaderView headers[] = {{"trace", "abc"}, {"origin", "test"}};
  for (int i = 0; i < 100; ++i) {
    const std::string payload = fmt::format("{{\"n\":{}}}", i);
    const std::string k = fmt::format("key-{}", i % 7);
    MessageView view;
    view.payload = payload;
    view.has_key = true;
    view.key = k;
    view.headers = headers;
    REQUIRE(producer->send(view).ok());
  }
  REQUIRE(flush_sync(env.loop, *producer).ok());
  CHECK(producer->acknowledged() == 100);
  REQUIRE(receipts.size() == 100);

  auto consumer = env.consumer({stream}, from_earliest());
  std::vector<Message> got = env.drain(*consumer);
  REQUIRE(got.size() == 100);
  for (int i = 0; i < 100; ++i) {
    CHECK(got[i].payload == fmt::format("{{\"n\":{}}}", i));
    CHECK(got[i].key == fmt::format("key-{}", i % 7));
    REQUIRE(got[i].headers.size() == 2);
    CHECK(got[i].headers[0] == Header{"trace", "abc"});
    CHECK(got[i].headers[1] == Header{"origin", "test"});
    CHECK(got[i].seq == receipts[i].seq);
    CHECK(got[i].ts == receipts[i].ts);
    CHECK(got[i].stream == stream);
    if (i > 0) CHECK(got[i].seq > got[i - 1].seq);
  }
  CHECK(consumer->at_end());

  // The layout, checked with a plain client: one shard is the plain key, payload in msg.
  Direct direct(single_uri());
  CHECK(direct.integer({"XLEN", stream}) == 100);
  auto first = direct.run({"XRANGE", stream, "-", "+", "COUNT", "1"});
  REQUIRE(first->elements == 1);
  const redisReply* fields = first->element[0]->element[1];
  std::vector<std::string> names;
  for (std::size_t i = 0; i < fields->elements; i += 2) names.emplace_back(fields->element[i]->str);
  CHECK(names == std::vector<std::string>{"key", "h:trace", "h:origin", "msg"});
  const std::string id(first->element[0]->element[0]->str);
  Result<redis::EntryId> parsed = redis::EntryId::parse(id);
  REQUIRE(parsed.ok());
  CHECK(((parsed->ms << 16) | parsed->seq) == got[0].seq);
}

TEST_CASE("a consumer at latest sees only what is produced after it started") {
  Env env(single_uri());
  const std::string stream = unique_stream("latest");
  auto producer = env.producer(stream);
  env.produce(*producer, stream, 10, "old");

  ConsumerOptions options;
  options.start.kind = StartPosition::Kind::latest;
  auto consumer = env.consumer({stream}, options);
  REQUIRE(env.run_until([&] { return consumer->at_end(); }));
  env.produce(*producer, stream, 5, "new");
  std::vector<Message> got = env.drain(*consumer, 5);
  REQUIRE(got.size() == 5);
  CHECK(got[0].payload == "new0");
  CHECK(got[4].payload == "new4");
}
