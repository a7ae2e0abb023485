// Conformance: producer delivery modes. at-most-once and at-least-once deliver everything on a
// healthy backend; exactly-once is Kafka's idempotent producer, and on Redis and file a dedupe
// window on the message key (a repeated key within the window is stored once).
#include <set>

#include "conformance/harness.hpp"

namespace sea::conformance {

TEST_CASE("delivery modes") {
  for_each_backend("delivery_modes", [](Ctx& c) {
    if (c.is(Kind::stdio)) return c.not_applicable("a pipe acknowledges nothing: every mode is a write to stdout");
    const std::string stream = c.new_stream(2);
    std::size_t expected = 0;
    for (Delivery d : {Delivery::at_most_once, Delivery::at_least_once}) {
      ProducerOptions po;
      po.delivery = d;
      std::unique_ptr<Producer> p = c.producer(stream, po);
      std::vector<Message> in;
      for (int i = 0; i < 50; ++i) in.push_back(msg(fmt::format("{}-{}", delivery_name(d), i)));
      c.send_all(*p, stream, in);
      expected += in.size();
    }
    ProducerOptions po;
    po.delivery = Delivery::exactly_once;
    std::unique_ptr<Producer> p = c.producer(stream, po);
    std::vector<Message> in{msg("once-a", "dup"), msg("once-b", "dup"), msg("once-c", "other")};
    c.send_all(*p, stream, in);
    // Kafka's idempotent producer stores each send once; Redis and file also drop the repeated key.
    const std::size_t exactly = c.is(Kind::kafka) ? 3 : 2;
    expected += exactly;
    std::unique_ptr<Consumer> consumer = c.consumer(stream, from_earliest());
    std::vector<Message> got = c.read(*consumer, expected);
    c.run_for(300);
    std::vector<Message> extra = c.read(*consumer, 1, 500);
    c.check(got.size() == expected && extra.empty(),
            fmt::format("stored {} messages, want {}", got.size() + extra.size(), expected));
    std::multiset<std::string> payloads;
    for (const Message& m : got) payloads.insert(m.payload);
    c.check(payloads.count("once-a") == 1, "exactly-once lost or repeated the first message of key 'dup'");
    if (!c.is(Kind::kafka)) c.check(payloads.count("once-b") == 0, "the repeated key 'dup' was stored twice");
  });
}

}  // namespace sea::conformance
