// Conformance: assign(shard, seq) repositions one shard so that the next message delivered
// there has seq >= the one asked for.
#include "conformance/harness.hpp"

namespace sea::conformance {

TEST_CASE("assign a shard to a seq") {
  for_each_backend("assign", [](Ctx& c) {
    if (c.is(Kind::stdio)) {
      std::unique_ptr<Consumer> consumer = c.consumer("stdio", ConsumerOptions{});
      c.expect_unsupported(consumer->assign(0, 5), "assign on stdio");
      return;
    }
    std::vector<Message> in;
    for (int i = 0; i < 100; ++i) in.push_back(msg(fmt::format("a{}", i)));
    const std::string stream = c.new_stream(2);
    ProducerOptions po;
    po.shard = 1;
    std::unique_ptr<Producer> p = c.producer(stream, po);
    std::vector<Receipt> receipts = c.send_all(*p, stream, in);
    ConsumerOptions options = from_earliest();
    options.shards = {1};
    std::unique_ptr<Consumer> consumer = c.consumer(stream, options);
    c.take(consumer->assign(1, receipts[60].seq), "assign");
    std::vector<Message> got = c.read(*consumer, 40);
    c.require(!got.empty(), "nothing after assign");
    c.check(got.front().seq == receipts[60].seq && got.front().payload == "a60",
            fmt::format("first after assign(1, {}) is seq {} '{}'", receipts[60].seq, got.front().seq, got.front().payload));
    c.check(got.size() == 40, fmt::format("{} messages after assign, want 40", got.size()));
  });
}

}  // namespace sea::conformance
