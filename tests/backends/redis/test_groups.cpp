// Behaviour: consumer groups (mode repeat): members of one group share the entries between
// them, each entry going to one member; a member that restarts under the same name gets back
// what it was handed and did not ack, and nothing it acked.
#include <set>

#include "redis_test_util.hpp"

using namespace sea;
using namespace sea::redis_test;

namespace {

ConsumerOptions group_options(const std::string& group, const std::string& member) {
  ConsumerOptions options;
  options.mode = ConsumerMode::repeat;
  options.group = group;
  options.member = member;
  options.start.kind = StartPosition::Kind::earliest;
  options.properties["read.count"] = "10";
  return options;
}

}  // namespace

TEST_CASE("group members share the load, each entry to one member") {
  Env env(single_uri());
  const std::string stream = unique_stream("group");
  auto producer = env.producer(stream);
  env.produce(*producer, stream, 300);

  auto a = env.consumer({stream}, group_options("g", "a"));
  auto b = env.consumer({stream}, group_options("g", "b"));
  std::multiset<std::string> seen;
  std::size_t from_a = 0, from_b = 0;
  REQUIRE(env.run_until([&] {
    from_a += a->poll(5, [&](const MessageView& v) { seen.insert(std::string(v.payload)); a->ack(v.stream, v.shard, v.seq); });
    from_b += b->poll(5, [&](const MessageView& v) { seen.insert(std::string(v.payload)); b->ack(v.stream, v.shard, v.seq); });
    return seen.size() >= 300 && a->at_end() && b->at_end();
  }));
  CHECK(seen.size() == 300);
  std::set<std::string> unique(seen.begin(), seen.end());
  CHECK(unique.size() == 300);
  CHECK(from_a > 0);
  CHECK(from_b > 0);
  REQUIRE(a->commit_now().ok());
  REQUIRE(b->commit_now().ok());
  env.run_until([] { return false; }, 300);  // let the XACKs land

  Direct direct(single_uri());
  auto pending = direct.run({"XPENDING", stream, "g"});
  CHECK(pending->element[0]->integer == 0);
}

TEST_CASE("a member restarting under its name resumes with what it did not ack") {
  Env env(single_uri());
  const std::string stream = unique_stream("resume");
  auto producer = env.producer(stream);
  env.produce(*producer, stream, 50);

  std::vector<std::string> first;
  {
    auto a = env.consumer({stream}, group_options("g", "a"));
    REQUIRE(env.run_until([&] {
      a->poll(1, [&](const MessageView& v) {
        first.emplace_back(v.payload);
        if (first.size() <= 20) a->ack(v.stream, v.shard, v.seq);
      });
      return first.size() >= 30;
    }));
    REQUIRE(a->commit_now().ok());
    env.run_until([] { return false; }, 300);
  }
  CHECK(first[0] == "m0");
  auto again = env.consumer({stream}, group_options("g", "a"));
  std::vector<Message> got = env.drain(*again, 30);
  REQUIRE(got.size() == 30);
  CHECK(got.front().payload == "m20");  // the first one handed out and not acked
  CHECK(got.back().payload == "m49");
}
