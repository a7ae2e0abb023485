// Kafka's key partitioner as every backend uses it (core/murmur2.hpp): Java's values on the
// known vectors of Kafka's and librdkafka's own tests.
#include <doctest/doctest.h>

#include "core/murmur2.hpp"

using namespace sea;

TEST_CASE("murmur2 matches Java's Utils.murmur2 on known vectors") {
  // From Kafka's UtilsTest.testMurmur2 (signed Java ints).
  CHECK(static_cast<std::int32_t>(murmur2("21")) == -973932308);
  CHECK(static_cast<std::int32_t>(murmur2("foobar")) == -790332482);
  CHECK(static_cast<std::int32_t>(murmur2("a-little-bit-long-string")) == -985981536);
  CHECK(static_cast<std::int32_t>(murmur2("a-little-bit-longer-string")) == -1486304829);
  CHECK(static_cast<std::int32_t>(murmur2("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8")) == -58897971);
  CHECK(static_cast<std::int32_t>(murmur2("abc")) == 479470107);
  // From librdkafka's rdmurmur2 unit test (Java's results).
  CHECK(murmur2("kafka") == 0xd067cf64U);
  CHECK(murmur2("giberish123456789") == 0x8f552b0cU);
  CHECK(murmur2("1234") == 0x9fc97b14U);
  CHECK(murmur2("") == 0x106e08d9U);
  CHECK(shard_for_key("", 4) == (0x106e08d9U & 0x7fffffffU) % 4);
}

TEST_CASE("shard_for_key has nothing to choose from with one shard or none") {
  CHECK(shard_for_key("abc", 0) == 0);
  CHECK(shard_for_key("abc", 1) == 0);
  CHECK(shard_for_key("abc", 7) == (479470107U & 0x7fffffffU) % 7);
}
