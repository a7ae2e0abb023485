// Behaviour: admin creates sharded streams, lists and describes them (seqs, times, groups
// with lag), trims by time and size, keeps retention settings, moves a group's position and
// removes streams; and exactly-once producing dedupes by message key.
#include "redis_test_util.hpp"

#include "backends/redis/layout.hpp"

using namespace sea;
using namespace sea::redis_test;

TEST_CASE("admin create, describe, list, trim, retention, group position, remove") {
  Env env(single_uri());
  Direct direct(single_uri());
  Admin& admin = env.streamer->admin();
  const std::string stream = unique_stream("admin");

  CreateOptions create;
  create.shards = 3;
  REQUIRE(admin.create(key(stream), create).ok());
  CHECK(admin.create(key(stream), create).error().code == Errc::exists);
  CHECK(direct.text({"TYPE", stream + ":2"}) == "stream");

  auto producer = env.producer(stream);
  env.produce(*producer, stream, 300);
  Result<std::vector<std::string>> names = admin.list();
  REQUIRE(names.ok());
  CHECK(std::count(names->begin(), names->end(), stream) == 1);

  ConsumerOptions options = from_earliest();
  options.group = "readers";
  options.mode = ConsumerMode::repeat;
  {
    auto consumer = env.consumer({stream}, options);
    std::vector<Message> got = env.drain(*consumer, 300);
    REQUIRE(got.size() == 300);
    for (std::size_t i = 0; i < 100; ++i) consumer->ack(got[i].stream, got[i].shard, got[i].seq);
    REQUIRE(consumer->commit_now().ok());
    env.run_until([] { return false; }, 300);
  }
  Result<StreamInfo> info = admin.describe(key(stream));
  REQUIRE(info.ok());
  REQUIRE(info->shards.size() == 3);
  std::uint64_t total = 0;
  for (const ShardInfo& s : info->shards) {
    total += s.messages;
    CHECK(s.first_seq < s.next_seq);
    CHECK(s.last_ts >= s.first_ts);
    CHECK(s.bytes > 0);
  }
  CHECK(total == 300);
  REQUIRE(info->groups.size() == 1);
  CHECK(info->groups[0].name == "readers");
  CHECK(info->groups[0].lag == 200);  // handed out, not acked
  CHECK(info->groups[0].committed.size() == 3);

  REQUIRE(admin.set_group_position("readers", key(stream), 1, info->shards[1].first_seq).ok());
  auto groups = direct.run({"XINFO", "GROUPS", stream + ":1"});
  // The last-delivered-id is now the id just before the shard's first entry.
  const redis::EntryId before_first = redis::EntryId::from_seq(info->shards[1].first_seq).previous();
  CHECK(std::string(groups->element[0]->element[7]->str) == before_first.str());

  Retention retention;
  retention.max_bytes = 1;  // keeps (about) nothing
  retention.max_age_ms = 3'600'000;
  REQUIRE(admin.set_retention(key(stream), retention).ok());
  info = admin.describe(key(stream));
  REQUIRE(info.ok());
  CHECK(info->retention.max_age_ms == retention.max_age_ms);
  CHECK(info->retention.max_bytes == retention.max_bytes);

  TrimSpec trim;
  trim.before_time = now_ms() + 1000;
  REQUIRE(admin.trim(key(stream), trim).ok());
  CHECK(direct.integer({"XLEN", stream + ":0"}) == 0);

  REQUIRE(admin.remove(key(stream)).ok());
  CHECK(direct.integer({"EXISTS", stream + ":0", stream + ":1", stream + ":2", "sea-meta:" + stream}) == 0);
  CHECK(admin.remove(key(stream)).error().code == Errc::not_found);
  CHECK(admin.describe(key(stream)).error().code == Errc::not_found);
}

TEST_CASE("exactly-once producing writes a key once within the dedupe window") {
  Env env(single_uri());
  Direct direct(single_uri());
  const std::string stream = unique_stream("once");
  ProducerOptions options;
  options.delivery = Delivery::exactly_once;
  options.dedupe_window_ms = 60'000;
  auto producer = env.producer(stream, options);
  std::vector<Receipt> receipts;
  producer->set_on_delivery([&](Producer::Ticket, const Result<Receipt>& r) {
    REQUIRE(r.ok());
    receipts.push_back(*r);
  });
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 10; ++i) {
      const std::string k = "order-" + std::to_string(i);
      MessageView view;
      view.payload = "v";
      view.has_key = true;
      view.key = k;
      REQUIRE(producer->send(view).ok());
    }
  }
  REQUIRE(flush_sync(env.loop, *producer).ok());
  CHECK(direct.integer({"XLEN", stream}) == 10);
  REQUIRE(receipts.size() == 20);
  for (int i = 0; i < 10; ++i) CHECK(receipts[i].seq == receipts[i + 10].seq);

  MessageView keyless;
  keyless.payload = "no key";
  CHECK(producer->send(keyless).error().code == Errc::invalid_argument);

  ConsumerOptions exactly;
  exactly.mode = ConsumerMode::exactly_once;
  CHECK(env.streamer->create_consumer(std::vector<StreamKey>{key(stream)}, exactly).error().code == Errc::unsupported);
}
