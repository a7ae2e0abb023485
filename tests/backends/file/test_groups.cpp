// Consumer groups: positions persist across restarts (a new consumer of the group resumes
// where the last one acknowledged, whatever its start option), and two live members split the
// shards of a stream between them, the survivor taking over the shards of one that leaves.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>

#include "file_test_util.hpp"

namespace sea::file::test {

namespace {

std::unique_ptr<Consumer> member(Streamer& streamer, const std::string& stream, StartPosition::Kind start) {
  ConsumerOptions options;
  options.group = "billing";
  options.mode = ConsumerMode::repeat;
  options.start.kind = start;
  const StreamKey streams[] = {key(stream)};
  Result<std::unique_ptr<Consumer>> consumer = streamer.create_consumer(streams, options);
  REQUIRE(consumer.ok());
  return std::move(*consumer);
}

}  // namespace

TEST_CASE("file log: a group resumes from its committed position after a restart") {
  TempDir dir;
  loop::Loop loop;
  std::unique_ptr<Streamer> streamer = connect_dir(loop, dir.streams());
  Result<std::unique_ptr<Producer>> producer = streamer->create_producer(key("jobs"), ProducerOptions{});
  REQUIRE(producer.ok());
  produce(loop, **producer, numbered("job", 100));

  {
    std::unique_ptr<Consumer> first = member(*streamer, "jobs", StartPosition::Kind::earliest);
    for (SeqNo expected = 0; expected < 30; ++expected) {
      std::optional<Message> got = next(loop, *first, true, 1000);
      REQUIRE(got.has_value());
      CHECK(got->seq == expected);
      first->ack(got->stream, got->shard, got->seq);
    }
    // Handed on but not acknowledged: must come again.
    CHECK(next(loop, *first, true, 1000).has_value());
  }  // the destructor commits

  {
    std::unique_ptr<Consumer> second = member(*streamer, "jobs", StartPosition::Kind::latest);
    std::optional<Message> got = next(loop, *second, true, 1000);
    REQUIRE(got.has_value());
    CHECK(got->seq == 30);
    CHECK(got->payload == "job30");
    second->ack(got->stream, got->shard, got->seq);
    REQUIRE(second->commit_now().ok());
  }

  Result<StreamInfo> info = streamer->admin().describe(key("jobs"));
  REQUIRE(info.ok());
  REQUIRE(info->groups.size() == 1);
  CHECK(info->groups[0].name == "billing");
  REQUIRE(info->groups[0].committed.size() == 1);
  CHECK(info->groups[0].committed[0].second == 31);
  CHECK(info->groups[0].lag == 69);

  // Admin moves the position while no member is live.
  REQUIRE(streamer->admin().set_group_position("billing", key("jobs"), 0, 90).ok());
  std::unique_ptr<Consumer> third = member(*streamer, "jobs", StartPosition::Kind::earliest);
  std::optional<Message> got = next(loop, *third, true, 1000);
  REQUIRE(got.has_value());
  CHECK(got->seq == 90);
  // ...and refuses while one is.
  Result<void> busy = streamer->admin().set_group_position("billing", key("jobs"), 0, 0);
  REQUIRE(!busy.ok());
  CHECK(busy.error().code == Errc::exists);
}

TEST_CASE("file log: two group members split the shards and a survivor takes over") {
  TempDir dir;
  loop::Loop loop;
  std::unique_ptr<Streamer> streamer = connect_dir(loop, dir.streams());
  CreateOptions create;
  create.shards = 4;
  REQUIRE(streamer->admin().create(key("work"), create).ok());
  Result<std::unique_ptr<Producer>> producer = streamer->create_producer(key("work"), ProducerOptions{});
  REQUIRE(producer.ok());
  produce(loop, **producer, numbered("w", 400));

  std::unique_ptr<Consumer> a = member(*streamer, "work", StartPosition::Kind::earliest);
  CHECK(a->shards().size() == 4);
  std::unique_ptr<Consumer> b = member(*streamer, "work", StartPosition::Kind::earliest);
  CHECK(run_until(loop, [&] { return a->shards().size() == 2 && b->shards().size() == 2; }, 4000));
  std::set<ShardId> all;
  for (const ShardId s : a->shards()) all.insert(s);
  for (const ShardId s : b->shards()) all.insert(s);
  CHECK(all.size() == 4);

  // Together they read every message once.
  std::multiset<std::string> payloads;
  for (Consumer* c : {a.get(), b.get()}) {
    for (const Message& m : drain(loop, *c, 1000)) {
      payloads.insert(m.payload);
      c->ack(m.stream, m.shard, m.seq);
    }
  }
  CHECK(payloads.size() == 400);
  CHECK(std::set<std::string>(payloads.begin(), payloads.end()).size() == 400);

  b.reset();
  CHECK(run_until(loop, [&] { return a->shards().size() == 4; }, 4000));
  // b committed on leaving, so a has nothing more to read.
  CHECK(!next(loop, *a, true, 500).has_value());
}

TEST_CASE("file log: the shards of a SIGKILLed group member are taken over") {
  TempDir dir;
  {
    loop::Loop loop;
    std::unique_ptr<Streamer> streamer = connect_dir(loop, dir.streams());
    CreateOptions create;
    create.shards = 4;
    REQUIRE(streamer->admin().create(key("crash"), create).ok());
  }
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // A member in another process that runs until it is killed (or, should the test fail
    // before killing it, until the alarm ends it).
    alarm(30);
    loop::Loop loop;
    Result<Uri> uri = parse_uri("file://" + dir.streams());
    Result<std::unique_ptr<Streamer>> streamer = connect(loop, *uri, ConnectOptions{});
    if (!streamer.ok()) _exit(3);
    ConsumerOptions options;
    options.group = "billing";
    Result<StreamKey> stream = StreamKey::parse("crash");
    const StreamKey streams[] = {*stream};
    Result<std::unique_ptr<Consumer>> consumer = (*streamer)->create_consumer(streams, options);
    if (!consumer.ok()) _exit(4);
    loop.run();
    _exit(0);
  }
  loop::Loop loop;
  std::unique_ptr<Streamer> streamer = connect_dir(loop, dir.streams());
  usleep(200'000);  // let the child take its shards first
  std::unique_ptr<Consumer> survivor = member(*streamer, "crash", StartPosition::Kind::earliest);
  CHECK(run_until(loop, [&] { return survivor->shards().size() == 2; }, 4000));
  Result<StreamInfo> info = streamer->admin().describe(key("crash"));
  REQUIRE(info.ok());
  REQUIRE(info->groups.size() == 1);
  CHECK(info->groups[0].members == 2);

  REQUIRE(kill(child, SIGKILL) == 0);
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  CHECK(run_until(loop, [&] { return survivor->shards().size() == 4; }, 4000));
  info = streamer->admin().describe(key("crash"));
  REQUIRE(info.ok());
  CHECK(info->groups[0].members == 1);
}

}  // namespace sea::file::test
