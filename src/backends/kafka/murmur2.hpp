// Kafka's default key partitioner: murmur2 over the key bytes, made positive, modulo the
// partition count, exactly as the Java client computes it (Utils.murmur2 / toPositive). The
// producer configures librdkafka's `murmur2_random` partitioner, which is the same function;
// this copy lets tools and tests predict where a key lands without a connection.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/types.hpp"

namespace sea::kafka {

// Java's Utils.murmur2 (seed 0x9747b28c), as an unsigned 32-bit value.
std::uint32_t murmur2(std::string_view data);

// The partition Java's DefaultPartitioner and librdkafka's murmur2_random choose for a key.
ShardId partition_for_key(std::string_view key, std::uint32_t partition_count);

}  // namespace sea::kafka
