// Conformance: timestamps (a caller's ts is kept; ts 0 is stamped now) and seeking to a time
// (the first message at or after it), by Consumer::seek and by a time start position.
#include "conformance/harness.hpp"

namespace sea::conformance {

TEST_CASE("timestamps") {
  for_each_backend("timestamps", [](Ctx& c) {
    const Timestamp base = now_ms() - 3'600'000;
    std::vector<Message> in;
    for (int i = 0; i < 50; ++i) in.push_back(msg(fmt::format("t{}", i), std::nullopt, base + i * 10));
    if (c.is(Kind::stdio)) {
      std::vector<Message> got = c.stdio_roundtrip(in);
      c.require(got.size() == in.size(), fmt::format("got {} of {}", got.size(), in.size()));
      for (std::size_t i = 0; i < in.size(); ++i) c.check(got[i].ts == in[i].ts, fmt::format("ts {} came back as {}", in[i].ts, got[i].ts));
      return;
    }
    for (int i = 0; i < 10; ++i) in.push_back(msg(fmt::format("now{}", i)));
    const std::string stream = c.new_stream(1);
    ProducerOptions po;
    po.shard = 0;  // one shard even where the stream has more (the Kafka mock's 4)
    std::unique_ptr<Producer> p = c.producer(stream, po);
    const Timestamp before = now_ms();
    std::vector<Receipt> receipts = c.send_all(*p, stream, in);
    const Timestamp after = now_ms();
    // librdkafka 2.0.2's mock answers every Produce with LogAppendTime 1234, which librdkafka
    // then reports as the receipt's time; what Kafka stored is checked below on the consumer.
    if (!c.is(Kind::kafka))
      for (std::size_t i = 0; i < 50; ++i)
        c.check(receipts[i].ts == in[i].ts, fmt::format("receipt ts {} for sent ts {}", receipts[i].ts, in[i].ts));
    std::unique_ptr<Consumer> consumer = c.consumer(stream, from_earliest());
    std::vector<Message> got = c.read(*consumer, in.size());
    c.require(got.size() == in.size(), fmt::format("got {} of {}", got.size(), in.size()));
    for (std::size_t i = 0; i < 50; ++i) c.check(got[i].ts == in[i].ts, fmt::format("ts {} came back as {}", in[i].ts, got[i].ts));
    for (std::size_t i = 50; i < got.size(); ++i)
      c.check(got[i].ts >= before - 1000 && got[i].ts <= after + 1000,
              fmt::format("stamped ts {} is not within [{}, {}]", got[i].ts, before, after));
  });
}

TEST_CASE("seek to a time") {
  for_each_backend("seek_time", [](Ctx& c) {
    if (c.is(Kind::stdio)) {
      std::unique_ptr<Consumer> consumer = c.consumer("stdio", ConsumerOptions{});
      c.expect_unsupported(consumer->seek(now_ms()), "seek on stdio");
      return;
    }
    const Timestamp base = now_ms() - 7'200'000;
    std::vector<Message> in;
    for (int i = 0; i < 100; ++i) in.push_back(msg(fmt::format("p{}", i), std::nullopt, base + i * 1000));
    const std::string stream = c.new_stream(1);
    ProducerOptions po;
    po.shard = 0;  // one shard even where the stream has more (the Kafka mock's 4)
    std::unique_ptr<Producer> p = c.producer(stream, po);
    c.send_all(*p, stream, in);
    // Consumer::seek between two messages: the next one after it.
    std::unique_ptr<Consumer> consumer = c.consumer(stream, from_earliest());
    c.take(consumer->seek(base + 40'500), "seek");
    std::vector<Message> got = c.read(*consumer, 59);
    c.require(!got.empty(), "nothing after seek");
    c.check(got.front().payload == "p41", fmt::format("first after seek(t40.5) is {}, want p41", got.front().payload));
    c.check(got.size() == 59, fmt::format("{} messages after seek, want 59", got.size()));
    // A time start position exactly on a message: that message.
    ConsumerOptions at_time;
    at_time.start.kind = StartPosition::Kind::time;
    at_time.start.time = base + 40'000;
    std::unique_ptr<Consumer> second = c.consumer(stream, at_time);
    std::vector<Message> from_time = c.read(*second, 1);
    c.require(!from_time.empty(), "nothing from time:t40");
    c.check(from_time.front().payload == "p40", fmt::format("first from time:t40 is {}, want p40", from_time.front().payload));
  });
}

}  // namespace sea::conformance
