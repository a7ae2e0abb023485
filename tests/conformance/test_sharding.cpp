// Conformance: sharding by key. A key always lands on shard murmur2(key) % shards, the Kafka
// Java client's partitioner (so all backends agree with Kafka); without a key, round robin
// spreads messages over every shard.
#include <map>
#include <set>

#include "conformance/harness.hpp"

namespace sea::conformance {

TEST_CASE("sharding by key") {
  for_each_backend("sharding_by_key", [](Ctx& c) {
    if (c.is(Kind::stdio)) return c.not_applicable("one shard: a pipe");
    const std::string stream = c.new_stream(4);
    std::unique_ptr<Producer> p = c.producer(stream);
    std::vector<Message> in;
    for (int round = 0; round < 3; ++round)
      for (int k = 0; k < 40; ++k) in.push_back(msg(fmt::format("v{}-{}", k, round), fmt::format("key-{}", k)));
    std::vector<Receipt> receipts = c.send_all(*p, stream, in);
    for (std::size_t i = 0; i < in.size(); ++i) {
      const std::uint32_t want = kafka_partition(*in[i].key, 4);
      c.check(receipts[i].shard == want, fmt::format("key {} went to shard {}, murmur2 says {}", *in[i].key, receipts[i].shard, want));
    }
    std::vector<Message> unkeyed;
    for (int i = 0; i < 40; ++i) unkeyed.push_back(msg(fmt::format("u{}", i)));
    std::set<ShardId> used;
    for (const Receipt& r : c.send_all(*p, stream, unkeyed)) used.insert(r.shard);
    c.check(used.size() == 4, fmt::format("messages without a key used {} of 4 shards", used.size()));
    std::unique_ptr<Consumer> consumer = c.consumer(stream, from_earliest());
    std::vector<Message> got = c.read(*consumer, in.size() + unkeyed.size());
    std::map<std::string, std::set<ShardId>> shards_of_key;
    for (const Message& m : got)
      if (m.key) shards_of_key[*m.key].insert(m.shard);
    c.check(shards_of_key.size() == 40, fmt::format("consumed {} of 40 keys", shards_of_key.size()));
    for (const auto& [key, shards] : shards_of_key) c.check(shards.size() == 1, "key " + key + " on several shards");
  });
}

}  // namespace sea::conformance
