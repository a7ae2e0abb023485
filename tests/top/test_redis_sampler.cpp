// The Redis sampler against the real redis-server of SEA_TEST_REDIS (scripts/test starts it;
// a missing variable fails): exact appended counts, a live producer counted by its
// connection name, and the exact lag of a group read behind sea's back with redis-cli
// semantics (XREADGROUP + XACK).
#include <doctest/doctest.h>
#include <hiredis/hiredis.h>

#include <cstdlib>
#include <string>

#include "backends/registry.hpp"
#include "backends/sync.hpp"
#include "core/streamer.hpp"
#include "top/model.hpp"

using namespace sea;

namespace {

const StreamStats* find(const ClusterStats& stats, const std::string& name) {
  for (const StreamStats& s : stats.streams)
    if (s.name == name) return &s;
  return nullptr;
}

void direct(redisContext* c, const std::string& command) {
  redisReply* reply = static_cast<redisReply*>(redisCommand(c, command.c_str()));
  REQUIRE(reply != nullptr);
  CHECK_MESSAGE(reply->type != REDIS_REPLY_ERROR, command << ": " << (reply->str != nullptr ? reply->str : ""));
  freeReplyObject(reply);
}

}  // namespace

TEST_CASE("redis sampler: counts, producers by connection name, exact group lag") {
  const char* env = std::getenv("SEA_TEST_REDIS");
  REQUIRE_MESSAGE(env != nullptr, "SEA_TEST_REDIS is not set: run the tests through scripts/test");
  Result<Uri> uri = parse_uri(env);
  REQUIRE(uri.ok());
  const std::string name = fmt::format("t-top-{}-{}", getpid(), now_ms() % 1'000'000);
  loop::Loop loop;
  Result<std::unique_ptr<Streamer>> streamer = connect(loop, *uri, {});
  REQUIRE(streamer.ok());
  Result<std::unique_ptr<Producer>> producer = (*streamer)->create_producer(*StreamKey::parse(name), {});
  REQUIRE(producer.ok());
  for (int i = 0; i < 100; ++i) (void)(*producer)->send(MessageView{.payload = fmt::format("{{\"n\":{}}}", i)});
  REQUIRE(flush_sync(loop, **producer).ok());

  StatsRequest request;
  request.filter = name;
  Result<ClusterStats> stats = (*streamer)->stats(request);
  REQUIRE(stats.ok());
  const StreamStats* s = find(*stats, name);
  REQUIRE(s != nullptr);
  REQUIRE(s->shards.size() == 1);
  CHECK(s->shards[0].appended == 100);
  CHECK(s->preview_known);
  CHECK(s->last_payload == "{\"n\":99}");
  CHECK(s->producers == 1u);
  CHECK(s->last_ts > 0);

  // A group that read 30 and acknowledged 20: 80 not yet acknowledged.
  redisContext* c = redisConnect(uri->hosts[0].host.c_str(), uri->hosts[0].port);
  REQUIRE(c != nullptr);
  direct(c, "XGROUP CREATE " + name + " g 0");
  direct(c, "XREADGROUP GROUP g m COUNT 30 STREAMS " + name + " >");
  redisReply* range = static_cast<redisReply*>(redisCommand(c, "XRANGE %s - + COUNT 20", name.c_str()));
  REQUIRE(range != nullptr);
  for (std::size_t i = 0; i < range->elements; ++i)
    direct(c, fmt::format("XACK {} g {}", name, range->element[i]->element[0]->str));
  freeReplyObject(range);

  // 50 more: the rate of the model is exact over the counter.
  top::Model model;
  model.update(*(*streamer)->stats(request), 0);
  for (int i = 0; i < 50; ++i) (void)(*producer)->send(MessageView{.payload = "x"});
  REQUIRE(flush_sync(loop, **producer).ok());
  stats = (*streamer)->stats(request);
  REQUIRE(stats.ok());
  s = find(*stats, name);
  REQUIRE(s != nullptr);
  CHECK(s->shards[0].appended == 150);
  REQUIRE(s->groups.size() == 1);
  CHECK(s->groups[0].lag == 130);
  CHECK(s->groups[0].members == 1);
  model.update(*stats, 0);
  CHECK(model.rows()[0].messages == 150);

  producer->reset();
  direct(c, "DEL " + name);
  redisFree(c);
}
