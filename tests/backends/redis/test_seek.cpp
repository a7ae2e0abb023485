// Behaviour: a consumer repositions by time (the id's millisecond part) and by (shard, seq),
// both at creation (StartPosition) and later (seek / assign).
#include "redis_test_util.hpp"

using namespace sea;
using namespace sea::redis_test;

TEST_CASE("seek by time and by seq") {
  Env env(single_uri());
  Direct direct(single_uri());
  const std::string stream = unique_stream("seek");
  // Entries with explicit ids: times 1000, 2000, ... 10000 ms.
  for (int i = 1; i <= 10; ++i) direct.run({"XADD", stream, fmt::format("{}-0", i * 1000), "msg", std::to_string(i)});

  ConsumerOptions options;
  options.start.kind = StartPosition::Kind::time;
  options.start.time = 4500;
  auto consumer = env.consumer({stream}, options);
  std::vector<Message> got = env.drain(*consumer);
  REQUIRE(got.size() == 6);
  CHECK(got.front().payload == "5");
  CHECK(got.front().ts == 5000);

  REQUIRE(consumer->seek(2000).ok());
  got = env.drain(*consumer);
  REQUIRE(got.size() == 9);
  CHECK(got.front().payload == "2");

  const SeqNo seq_of_8 = SeqNo{8000} << 16;
  REQUIRE(consumer->assign(0, seq_of_8).ok());
  got = env.drain(*consumer);
  REQUIRE(got.size() == 3);
  CHECK(got.front().payload == "8");
  CHECK(got.front().seq == seq_of_8);
  CHECK_FALSE(consumer->assign(9, 0).ok());

  ConsumerOptions by_seq;
  by_seq.start.kind = StartPosition::Kind::seq;
  by_seq.start.seq = seq_of_8 + 1;
  auto second = env.consumer({stream}, by_seq);
  got = env.drain(*second);
  REQUIRE(got.size() == 2);
  CHECK(got.front().payload == "9");
}
