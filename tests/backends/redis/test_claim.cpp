// Behaviour: a group member that dies with entries pending loses nothing: another member of
// the group takes them over with XAUTOCLAIM once they have been idle for claim.min.idle.ms.
#include <set>

#include "redis_test_util.hpp"

using namespace sea;
using namespace sea::redis_test;

TEST_CASE("entries pending on a dead member are reclaimed by another") {
  Env env(single_uri());
  const std::string stream = unique_stream("claim");
  auto producer = env.producer(stream);
  env.produce(*producer, stream, 100);

  ConsumerOptions options;
  options.mode = ConsumerMode::repeat;
  options.group = "workers";
  options.start.kind = StartPosition::Kind::earliest;
  options.properties["claim.min.idle.ms"] = "300";
  options.properties["claim.interval.ms"] = "100";
  {
    // The doomed member takes everything from Redis, hands out 10 and dies without acking.
    ConsumerOptions doomed = options;
    doomed.member = "doomed";
    auto a = env.consumer({stream}, doomed);
    std::size_t taken = 0;
    REQUIRE(env.run_until([&] {
      taken += a->poll(10 - taken, [](const MessageView&) {});
      return taken == 10;
    }));
  }
  Direct direct(single_uri());
  auto pending = direct.run({"XPENDING", stream, "workers"});
  REQUIRE(pending->element[0]->integer == 100);

  options.member = "survivor";
  auto b = env.consumer({stream}, options);
  std::set<std::string> seen;
  REQUIRE(env.run_until([&] {
    b->poll(1000, [&](const MessageView& v) {
      seen.insert(std::string(v.payload));
      b->ack(v.stream, v.shard, v.seq);
    });
    return seen.size() == 100;
  }, 15'000));
  REQUIRE(b->commit_now().ok());
  REQUIRE(env.run_until([&] { return direct.run({"XPENDING", stream, "workers"})->element[0]->integer == 0; }, 5000));
}
