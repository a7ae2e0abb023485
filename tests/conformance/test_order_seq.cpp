// Conformance: order within a shard, and seq numbers that grow monotonically per shard and
// match the producer's receipts.
#include <map>
#include <set>

#include "conformance/harness.hpp"

namespace sea::conformance {

TEST_CASE("order within a shard") {
  for_each_backend("order_in_shard", [](Ctx& c) {
    std::vector<Message> in;
    for (int i = 0; i < 200; ++i) in.push_back(msg(fmt::format("m{}", i)));
    if (c.is(Kind::stdio)) {
      std::vector<Message> got = c.stdio_roundtrip(in);
      c.require(got.size() == in.size(), fmt::format("got {} of {} messages", got.size(), in.size()));
      for (std::size_t i = 0; i < in.size(); ++i) c.check(got[i].payload == in[i].payload, fmt::format("message {} out of order", i));
      return;
    }
    const std::string stream = c.new_stream(3);
    ProducerOptions po;
    po.shard = 1;
    std::unique_ptr<Producer> p = c.producer(stream, po);
    std::vector<Receipt> receipts = c.send_all(*p, stream, in);
    for (const Receipt& r : receipts) c.check(r.shard == 1, fmt::format("receipt on shard {}, asked for 1", r.shard));
    std::unique_ptr<Consumer> consumer = c.consumer(stream, from_earliest());
    std::vector<Message> got = c.read(*consumer, in.size());
    c.require(got.size() == in.size(), fmt::format("got {} of {} messages", got.size(), in.size()));
    for (std::size_t i = 0; i < in.size(); ++i) {
      c.check(got[i].shard == 1, fmt::format("message {} on shard {}", i, got[i].shard));
      c.check(got[i].payload == in[i].payload, fmt::format("message {} is '{}', sent '{}'", i, got[i].payload, in[i].payload));
    }
  });
}

TEST_CASE("seq numbers grow per shard and match receipts") {
  for_each_backend("seq_monotonic", [](Ctx& c) {
    std::vector<Message> in;
    for (int i = 0; i < 300; ++i) in.push_back(msg(fmt::format("s{}", i)));
    if (c.is(Kind::stdio)) {
      std::vector<Message> got = c.stdio_roundtrip(in);
      c.require(got.size() == in.size(), fmt::format("got {} of {}", got.size(), in.size()));
      for (std::size_t i = 1; i < got.size(); ++i) c.check(got[i].seq > got[i - 1].seq, "seq not increasing");
      return;
    }
    const std::string stream = c.new_stream(3);
    std::unique_ptr<Producer> p = c.producer(stream);
    std::vector<Receipt> receipts = c.send_all(*p, stream, in);
    std::map<ShardId, SeqNo> last;
    std::set<std::pair<ShardId, SeqNo>> sent;
    for (const Receipt& r : receipts) {
      if (last.contains(r.shard)) c.check(r.seq > last[r.shard], fmt::format("receipt seq {} after {} on shard {}", r.seq, last[r.shard], r.shard));
      last[r.shard] = r.seq;
      sent.insert({r.shard, r.seq});
    }
    const std::uint32_t shards = c.shard_count(stream);
    c.check(last.size() == shards, fmt::format("round robin used {} of {} shards", last.size(), shards));
    std::unique_ptr<Consumer> consumer = c.consumer(stream, from_earliest());
    std::vector<Message> got = c.read(*consumer, in.size());
    c.require(got.size() == in.size(), fmt::format("got {} of {}", got.size(), in.size()));
    std::map<ShardId, SeqNo> seen;
    std::set<std::pair<ShardId, SeqNo>> consumed;
    for (const Message& m : got) {
      if (seen.contains(m.shard)) c.check(m.seq > seen[m.shard], fmt::format("consumed seq {} after {} on shard {}", m.seq, seen[m.shard], m.shard));
      seen[m.shard] = m.seq;
      consumed.insert({m.shard, m.seq});
    }
    c.check(consumed == sent, "consumed (shard, seq) differ from the receipts");
  });
}

}  // namespace sea::conformance
