// Behaviour: on redis-cluster:// the shards of a stream live on different masters (routed by
// CRC16 hash slot from CLUSTER SLOTS) and a round trip works across them; after a slot
// migration the producer's stale map gets a MOVED, follows it and loses nothing.
#include <set>

#include "redis_test_util.hpp"

#include "backends/redis/router.hpp"

using namespace sea;
using namespace sea::redis_test;

namespace {

std::string node_id_of(Direct& direct) { return direct.text({"CLUSTER", "MYID"}); }

}  // namespace

TEST_CASE("cluster: sharded round trip across masters, then a MOVED after slot migration") {
  Env env(cluster_uri());
  const std::string stream = unique_stream("cluster");
  CreateOptions create;
  create.shards = 4;
  Result<void> created = env.streamer->admin().create(key(stream), create);
  REQUIRE_MESSAGE(created.ok(), (created.ok() ? "" : created.error().message));

  auto producer = env.producer(stream);
  std::set<ShardId> shards_used;
  producer->set_on_delivery([&](Producer::Ticket, const Result<Receipt>& r) {
    REQUIRE(r.ok());
    shards_used.insert(r->shard);
  });
  env.produce(*producer, stream, 400, "a");
  CHECK(shards_used.size() == 4);

  // Move the slot of shard 0 to another master behind the producer's back.
  Result<Uri> uri = parse_uri(cluster_uri());
  REQUIRE(uri.ok());
  const std::string shard_key = stream + ":0";
  const unsigned slot = redis::cluster_slot(shard_key);
  Direct seed(cluster_uri());
  auto slots = seed.run({"CLUSTER", "SLOTS"});
  int source_port = 0, target_port = 0;
  for (std::size_t i = 0; i < slots->elements; ++i) {
    const redisReply* range = slots->element[i];
    const int port = static_cast<int>(range->element[2]->element[1]->integer);
    if (static_cast<unsigned>(range->element[0]->integer) <= slot && slot <= static_cast<unsigned>(range->element[1]->integer))
      source_port = port;
  }
  REQUIRE(source_port != 0);
  for (std::size_t i = 0; i < slots->elements; ++i) {
    const int port = static_cast<int>(slots->element[i]->element[2]->element[1]->integer);
    if (port != source_port) target_port = port;
  }
  Direct source("redis://127.0.0.1:" + std::to_string(source_port));
  Direct target("redis://127.0.0.1:" + std::to_string(target_port));
  const std::string source_id = node_id_of(source), target_id = node_id_of(target);
  const std::string s = std::to_string(slot);
  CHECK(target.text({"CLUSTER", "SETSLOT", s, "IMPORTING", source_id}) == "OK");
  CHECK(source.text({"CLUSTER", "SETSLOT", s, "MIGRATING", target_id}) == "OK");
  CHECK(source.text({"MIGRATE", "127.0.0.1", std::to_string(target_port), "", "0", "5000", "KEYS", shard_key}) == "OK");
  CHECK(target.text({"CLUSTER", "SETSLOT", s, "NODE", target_id}) == "OK");
  CHECK(source.text({"CLUSTER", "SETSLOT", s, "NODE", target_id}) == "OK");
  for (std::size_t i = 0; i < slots->elements; ++i) {
    const int port = static_cast<int>(slots->element[i]->element[2]->element[1]->integer);
    if (port == source_port || port == target_port) continue;
    Direct other("redis://127.0.0.1:" + std::to_string(port));
    other.run({"CLUSTER", "SETSLOT", s, "NODE", target_id});
  }

  shards_used.clear();
  env.produce(*producer, stream, 400, "b");
  CHECK(producer->failed() == 0);
  CHECK(producer->acknowledged() == 800);
  CHECK(target.integer({"EXISTS", shard_key}) == 1);

  auto consumer = env.consumer({stream}, from_earliest());
  std::vector<Message> got = env.drain(*consumer, 800, 15'000);
  CHECK(got.size() == 800);
  std::set<std::string> unique;
  for (const Message& m : got) unique.insert(m.payload);
  CHECK(unique.size() == 800);
  CHECK(env.streamer->admin().remove(key(stream)).ok());
}
