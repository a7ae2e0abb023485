// Kafka's default key partitioner: murmur2 over the key bytes, made positive, modulo the
// partition count, exactly as the Java client computes it (Utils.murmur2 / toPositive). Every
// backend shards keyed messages by it, so that a key lands on the same shard number in the file
// log, Redis and Kafka (whose producer uses librdkafka's murmur2, the same function); tools
// and tests use it to predict where a key lands without a connection.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/types.hpp"

namespace sea {

// Java's Utils.murmur2 (seed 0x9747b28c), as an unsigned 32-bit value.
std::uint32_t murmur2(std::string_view data);

// toPositive(murmur2(key)) % shards, as Java's DefaultPartitioner does for keyed records; 0
// when there are no shards to choose from.
ShardId shard_for_key(std::string_view key, std::uint32_t shards);

}  // namespace sea
