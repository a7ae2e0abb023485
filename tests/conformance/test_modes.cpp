// Conformance: the consumer modes. latest starts at the end; repeat (at-least-once) redelivers
// what was not acked after a restart; exactly-once is honoured (Kafka: read_committed) or
// refused with Errc::unsupported (SPEC §2: never silently weaker).
#include "conformance/harness.hpp"

namespace sea::conformance {

namespace {
std::vector<Message> numbered(const std::string& prefix, int n) {
  std::vector<Message> out;
  for (int i = 0; i < n; ++i) out.push_back(msg(fmt::format("{}{}", prefix, i)));
  return out;
}
std::string group_name(Ctx& c) { return fmt::format("g-{}-{}", c.behaviour, now_ms() % 10'000'000); }
}  // namespace

TEST_CASE("mode latest starts at the end") {
  for_each_backend("mode_latest", [](Ctx& c) {
    if (c.is(Kind::stdio)) return c.not_applicable("a pipe has no end to start at: it is read front to back");
    const std::string stream = c.new_stream(2);
    std::unique_ptr<Producer> p = c.producer(stream);
    c.send_all(*p, stream, numbered("old", 20));
    ConsumerOptions options;
    options.start.kind = StartPosition::Kind::latest;
    std::unique_ptr<Consumer> consumer = c.consumer(stream, options);
    // Let the consumer take its position before new messages arrive.
    std::vector<Message> early = c.read(*consumer, 1, c.is(Kind::kafka) ? 3000 : 1000);
    c.check(early.empty(), fmt::format("latest delivered an old message '{}'", early.empty() ? "" : early[0].payload));
    c.send_all(*p, stream, numbered("new", 10));
    std::vector<Message> got = c.read(*consumer, 10);
    c.require(got.size() == 10, fmt::format("got {} of 10 new messages", got.size()));
    for (const Message& m : got) c.check(m.payload.starts_with("new"), "latest delivered old message " + m.payload);
  });
}

TEST_CASE("mode repeat redelivers what was not acked") {
  for_each_backend("mode_repeat", [](Ctx& c) {
    ConsumerOptions options = from_earliest();
    options.group = group_name(c);
    options.mode = ConsumerMode::repeat;
    if (c.is(Kind::stdio)) return c.expect_unsupported(c.try_consumer("stdio", options), "group on stdio");
    const std::string stream = c.new_stream(1);
    ProducerOptions po;
    po.shard = 0;  // one shard even where the stream has more (the Kafka mock's 4)
    std::unique_ptr<Producer> p = c.producer(stream, po);
    c.send_all(*p, stream, numbered("r", 100));
    {
      std::unique_ptr<Consumer> first = c.consumer(stream, options);
      std::vector<Message> got = c.read(*first, 100, 30'000);
      c.require(got.size() == 100, fmt::format("first run got {} of 100", got.size()));
      first->ack(stream, got[29].shard, got[29].seq);  // handed on: r0..r29 only
      c.take(first->commit_now(), "commit_now");
    }
    c.run_for(200);
    std::unique_ptr<Consumer> second = c.consumer(stream, options);
    std::vector<Message> again = c.read(*second, 70, 40'000);
    c.require(!again.empty(), "nothing redelivered after restart");
    c.check(again.front().payload == "r30", fmt::format("restart began at {}, want r30", again.front().payload));
    c.check(again.size() == 70, fmt::format("restart got {} messages, want 70", again.size()));
  });
}

TEST_CASE("mode exactly-once") {
  for_each_backend("mode_exactly_once", [](Ctx& c) {
    ConsumerOptions options = from_earliest();
    options.group = group_name(c);
    options.mode = ConsumerMode::exactly_once;
    const std::string stream = c.new_stream(1);
    if (!c.is(Kind::kafka)) return c.expect_unsupported(c.try_consumer(stream, options), "exactly-once consumer");
    std::unique_ptr<Producer> p = c.producer(stream);
    c.send_all(*p, stream, numbered("x", 20));
    std::unique_ptr<Consumer> consumer = c.consumer(stream, options);
    std::vector<Message> got = c.read(*consumer, 20, 30'000);
    c.check(got.size() == 20, fmt::format("read_committed consumer got {} of 20", got.size()));
  });
}

}  // namespace sea::conformance
