// Delivery::exactly_once on the file backend: a message whose key was stored in its shard
// within the dedupe window is stored once; its receipt names the stored copy. The window holds
// across a producer restart and across processes, ends with the window, and a keyless message
// is refused instead of being stored without the guarantee.
#include <sys/wait.h>
#include <unistd.h>

#include "file_test_util.hpp"

namespace sea::file::test {

namespace {

std::unique_ptr<Producer> exactly_once(Streamer& streamer, std::int64_t window_ms = 600'000) {
  ProducerOptions options;
  options.delivery = Delivery::exactly_once;
  options.dedupe_window_ms = window_ms;
  Result<std::unique_ptr<Producer>> producer = streamer.create_producer(key("once"), options);
  REQUIRE(producer.ok());
  return std::move(*producer);
}

Result<Receipt> send_keyed(loop::Loop& loop, Producer& producer, const std::string& k, Timestamp ts = 0) {
  const std::string payload = "payload of " + k;
  MessageView view;
  view.has_key = true;
  view.key = k;
  view.payload = payload;
  view.ts = ts;
  return send_sync(loop, producer, view);
}

}  // namespace

TEST_CASE("file log: exactly-once stores each key once within the window") {
  TempDir dir;
  loop::Loop loop;
  std::unique_ptr<Streamer> streamer = connect_dir(loop, dir.streams());
  {
    std::unique_ptr<Producer> producer = exactly_once(*streamer);
    // A batch with duplicates inside it, then duplicates across batches.
    std::vector<std::string> keys = {"a", "b", "a", "c", "b"};
    std::vector<SeqNo> seqs(keys.size());
    const Producer::Ticket first = producer->sent() + 1;
    producer->set_on_delivery([&](Producer::Ticket t, const Result<Receipt>& r) {
      REQUIRE(r.ok());
      seqs[t - first] = r->seq;
    });
    for (const std::string& k : keys) {
      MessageView view;
      view.has_key = true;
      view.key = k;
      view.payload = k;
      REQUIRE(producer->send(view).ok());
    }
    REQUIRE(flush_sync(loop, *producer).ok());
    producer->set_on_delivery({});
    CHECK(seqs == std::vector<SeqNo>{0, 1, 0, 2, 1});
    Result<Receipt> again = send_keyed(loop, *producer, "c");
    REQUIRE(again.ok());
    CHECK(again->seq == 2);

    MessageView keyless;
    keyless.payload = "no key";
    Result<Producer::Ticket> refused = producer->send(keyless);
    REQUIRE(!refused.ok());
    CHECK(refused.error().code == Errc::invalid_argument);
  }

  // A restarted producer learns the window from the log.
  {
    std::unique_ptr<Producer> producer = exactly_once(*streamer);
    Result<Receipt> a = send_keyed(loop, *producer, "a");
    REQUIRE(a.ok());
    CHECK(a->seq == 0);
    Result<Receipt> d = send_keyed(loop, *producer, "d");
    REQUIRE(d.ok());
    CHECK(d->seq == 3);
  }

  // Another process stores "e"; this producer then sees it as stored.
  std::unique_ptr<Producer> producer = exactly_once(*streamer);
  REQUIRE(send_keyed(loop, *producer, "warm-up").ok());
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    int status = 0;
    {
      loop::Loop child_loop;
      Result<Uri> uri = parse_uri("file://" + dir.streams());
      Result<std::unique_ptr<Streamer>> other = connect(child_loop, *uri, ConnectOptions{});
      ProducerOptions options;
      options.delivery = Delivery::exactly_once;
      Result<std::unique_ptr<Producer>> p = (*other)->create_producer(*StreamKey::parse("once"), options);
      MessageView view;
      view.has_key = true;
      view.key = "e";
      view.payload = "from the child";
      status = p.ok() && send_sync(child_loop, **p, view).ok() ? 0 : 1;
    }
    _exit(status);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WEXITSTATUS(status) == 0);
  Result<Receipt> e = send_keyed(loop, *producer, "e");
  REQUIRE(e.ok());
  CHECK(e->seq == 5);

  ConsumerOptions options;
  options.start.kind = StartPosition::Kind::earliest;
  const StreamKey streams[] = {key("once")};
  Result<std::unique_ptr<Consumer>> consumer = streamer->create_consumer(streams, options);
  REQUIRE(consumer.ok());
  std::vector<Message> stored = drain(loop, **consumer, 1000);
  REQUIRE(stored.size() == 6);
  CHECK(stored[5].payload == "from the child");
}

TEST_CASE("file log: a key whose stored copy is older than the window is stored again") {
  TempDir dir;
  loop::Loop loop;
  std::unique_ptr<Streamer> streamer = connect_dir(loop, dir.streams());
  std::unique_ptr<Producer> producer = exactly_once(*streamer, 1000);
  Result<Receipt> old = send_keyed(loop, *producer, "x", now_ms() - 5000);
  REQUIRE(old.ok());
  Result<Receipt> fresh = send_keyed(loop, *producer, "x");
  REQUIRE(fresh.ok());
  CHECK(fresh->seq == old->seq + 1);
  Result<Receipt> duplicate = send_keyed(loop, *producer, "x");
  REQUIRE(duplicate.ok());
  CHECK(duplicate->seq == fresh->seq);
}

}  // namespace sea::file::test
