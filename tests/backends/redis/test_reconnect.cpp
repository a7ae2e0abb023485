// Behaviour: CLIENT KILL of our connections mid-stream loses nothing: an at-least-once
// producer re-sends what was not acknowledged once it has reconnected, and a consumer resumes
// where it was.
#include <set>

#include "redis_test_util.hpp"

using namespace sea;
using namespace sea::redis_test;

namespace {

// Kills every client whose name starts with `prefix`; returns how many.
int kill_clients(Direct& direct, const std::string& prefix) {
  const std::string list = direct.text({"CLIENT", "LIST"});
  int killed = 0;
  std::size_t pos = 0;
  while ((pos = list.find("id=", pos)) != std::string::npos) {
    const std::size_t end = list.find('\n', pos);
    const std::string line = list.substr(pos, end - pos);
    pos = end;
    if (line.find(" name=" + prefix) == std::string::npos) continue;
    const std::string id = line.substr(3, line.find(' ') - 3);
    killed += static_cast<int>(direct.integer({"CLIENT", "KILL", "ID", id}));
  }
  return killed;
}

}  // namespace

TEST_CASE("CLIENT KILL of the producer's connection mid-stream loses nothing (at-least-once)") {
  Env env(single_uri());
  Direct direct(single_uri());
  const std::string stream = unique_stream("kill");
  auto producer = env.producer(stream);
  constexpr int kTotal = 20'000;
  int killed = 0;
  for (int i = 0; i < kTotal; ++i) {
    const std::string payload = "p" + std::to_string(i);
    MessageView view;
    view.payload = payload;
    REQUIRE(producer->send(view).ok());
    if (i % 1000 == 999) env.loop.run_once(false);
    if (i == kTotal / 2) {
      env.run_until([&] { return producer->acknowledged() > 0; });
      killed += kill_clients(direct, "sea-producer-");
    }
  }
  CHECK(killed >= 1);
  Result<void> flushed = flush_sync(env.loop, *producer);
  REQUIRE_MESSAGE(flushed.ok(), (flushed.ok() ? "" : flushed.error().message));
  CHECK(producer->acknowledged() == kTotal);
  CHECK(producer->failed() == 0);

  auto range = direct.run({"XRANGE", stream, "-", "+"});
  std::set<std::string> payloads;
  for (std::size_t i = 0; i < range->elements; ++i) payloads.insert(range->element[i]->element[1]->element[1]->str);
  CHECK(payloads.size() == kTotal);

  // The consumer's connections killed mid-read: it reconnects and reads on, without gaps.
  auto consumer = env.consumer({stream}, from_earliest());
  std::vector<std::string> got;
  bool killed_consumer = false;
  REQUIRE(env.run_until([&] {
    consumer->poll(500, [&](const MessageView& v) { got.emplace_back(v.payload); });
    if (!killed_consumer && got.size() > 1000) {
      killed_consumer = kill_clients(direct, "sea-consumer-") > 0;
    }
    return consumer->at_end() && killed_consumer;
  }, 20'000));
  CHECK(got.size() == range->elements);
}
