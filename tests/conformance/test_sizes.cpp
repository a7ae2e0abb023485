// Conformance: message sizes. A payload of exactly max_message_bytes (default 1 MiB) round-trips,
// one byte more is refused with an error, and an empty payload is a message like any other.
#include "conformance/harness.hpp"

namespace sea::conformance {

TEST_CASE("large and empty messages") {
  for_each_backend("large_and_empty", [](Ctx& c) {
    const std::size_t max = ProducerOptions{}.max_message_bytes;
    std::string big(max, 'x');
    for (std::size_t i = 0; i < big.size(); i += 4096) big[i] = static_cast<char>('a' + (i / 4096) % 26);
    if (c.is(Kind::stdio)) {
      // A pipe carries an envelope per line: an empty payload and a 256 KiB one.
      std::vector<Message> got = c.stdio_roundtrip({msg(""), msg(big.substr(0, 256 << 10))});
      c.require(got.size() == 2, fmt::format("got {} of 2", got.size()));
      c.check(got[0].payload.empty(), "empty payload came back with bytes");
      c.check(got[1].payload == big.substr(0, 256 << 10), "256 KiB payload differs");
      return;
    }
    const std::string stream = c.new_stream(1);
    ProducerOptions po;
    po.shard = 0;  // one shard even where the stream has more (the Kafka mock's 4)
    std::unique_ptr<Producer> p = c.producer(stream, po);
    MessageView too_big;
    too_big.stream = stream;
    const std::string over = big + "!";
    too_big.payload = over;
    Result<Producer::Ticket> refused = p->send(too_big);
    c.check(!refused.ok(), fmt::format("a payload of {} bytes (limit {}) was accepted", over.size(), max));
    c.send_all(*p, stream, {msg(""), msg(big), msg("after")});
    std::unique_ptr<Consumer> consumer = c.consumer(stream, from_earliest());
    std::vector<Message> got = c.read(*consumer, 3, 30'000);
    c.require(got.size() == 3, fmt::format("got {} of 3 messages", got.size()));
    c.check(got[0].payload.empty(), "empty payload came back with bytes");
    c.check(got[1].payload == big, fmt::format("1 MiB payload came back as {} bytes", got[1].payload.size()));
    c.check(got[2].payload == "after", "message after the large one differs");
  });
}

}  // namespace sea::conformance
