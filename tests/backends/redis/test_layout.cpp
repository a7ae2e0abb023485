// Behaviour: the pure parts of the layout agree with their references: CRC16 hash slots with the Redis cluster spec, ids with seqs, and foreign
// entries decode to the JSON object of their fields.
#include <doctest/doctest.h>
#include <hiredis/hiredis.h>

#include "backends/redis/layout.hpp"
#include "backends/redis/hash_slot.hpp"

using namespace sea;
using namespace sea::redis;

TEST_CASE("CRC16 and hash slots follow the Redis cluster spec") {
  CHECK(crc16("123456789") == 0x31C3);  // the spec's check value
  CHECK(cluster_slot("foo") == 12182);  // CLUSTER KEYSLOT foo
  CHECK(cluster_slot("{user1000}.following") == cluster_slot("user1000"));
  CHECK(cluster_slot("foo{}{bar}") == cluster_slot("foo{}{bar}"));  // empty tag: whole key
  CHECK(cluster_slot("foo{}{bar}") != cluster_slot("bar"));
  CHECK(cluster_slot("sea-dedupe:{news:3}:k") == cluster_slot("news:3"));
}

TEST_CASE("entry ids map to seqs that keep their order") {
  const EntryId id{1764057100123, 5};
  CHECK(id.to_seq() == ((std::uint64_t{1764057100123} << 16) | 5));
  CHECK(EntryId::from_seq(id.to_seq()) == id);
  CHECK(EntryId{7, 0}.previous() == EntryId{6, UINT64_MAX});
  CHECK(EntryId{7, UINT64_MAX}.next() == EntryId{8, 0});
  CHECK(EntryId{0, 0}.previous() == EntryId{0, 0});
  CHECK(EntryId{1, 2} < EntryId{2, 0});
  CHECK(EntryId::parse("12-3").value() == EntryId{12, 3});
  CHECK_FALSE(EntryId::parse("12").ok());
  CHECK_FALSE(EntryId::parse("a-1").ok());
  CHECK(shard_of_key("news", "news") == kPlainShard);
  CHECK(shard_of_key("news", "news:3") == 3u);
  CHECK_FALSE(shard_of_key("news", "news:x").has_value());
  CHECK_FALSE(shard_of_key("news", "newsy:1").has_value());
}

TEST_CASE("an entry without msg decodes as the JSON object of its fields") {
  // Build the reply hiredis would give for XRANGE's entry: ["5-1", ["id","7","qty","2\"q"]].
  redisReader* reader = redisReaderCreate();
  const std::string wire = "*2\r\n$3\r\n5-1\r\n*4\r\n$2\r\nid\r\n$1\r\n7\r\n$3\r\nqty\r\n$3\r\n2\"q\r\n";
  redisReaderFeed(reader, wire.data(), wire.size());
  void* reply = nullptr;
  REQUIRE(redisReaderGetReply(reader, &reply) == REDIS_OK);
  REQUIRE(reply != nullptr);
  MessageView view;
  EntryId id;
  std::vector<HeaderView> headers;
  std::string scratch;
  REQUIRE(decode_entry(static_cast<redisReply*>(reply), id, view, headers, scratch));
  CHECK(view.payload == R"({"id":"7","qty":"2\"q"})");
  CHECK(view.seq == ((5u << 16) | 1));
  CHECK(view.ts == 5);
  CHECK_FALSE(view.has_key);
  freeReplyObject(reply);
  redisReaderFree(reader);
}
