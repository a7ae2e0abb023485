// Kafka's key partitioner (murmur2 of the key bytes, made positive, modulo the shard count), so
// that a key lands on the same shard number in every backend of sea and in Kafka itself.
// Core-free on purpose: only std.
#pragma once

#include <cstdint>
#include <string_view>

namespace sea::file {

// Java-compatible murmur2 (org.apache.kafka.common.utils.Utils.murmur2), as an unsigned value.
std::uint32_t murmur2(std::string_view data);

// toPositive(murmur2(key)) % shards, as Kafka's DefaultPartitioner does for keyed records.
std::uint32_t shard_for_key(std::string_view key, std::uint32_t shards);

}  // namespace sea::file
