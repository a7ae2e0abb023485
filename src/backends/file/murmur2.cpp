// murmur2 as Kafka's Java client computes it. Java works on signed ints with `>>>`; unsigned
// arithmetic yields the same bits without signed-overflow UB.
#include "backends/file/murmur2.hpp"

namespace sea::file {

std::uint32_t murmur2(std::string_view data) {
  constexpr std::uint32_t kSeed = 0x9747b28c;
  constexpr std::uint32_t kM = 0x5bd1e995;
  constexpr int kR = 24;
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  const std::size_t length = data.size();
  std::uint32_t h = kSeed ^ static_cast<std::uint32_t>(length);
  const std::size_t whole = length & ~static_cast<std::size_t>(3);
  for (std::size_t i = 0; i < whole; i += 4) {
    std::uint32_t k = static_cast<std::uint32_t>(bytes[i]) | (static_cast<std::uint32_t>(bytes[i + 1]) << 8) |
                      (static_cast<std::uint32_t>(bytes[i + 2]) << 16) |
                      (static_cast<std::uint32_t>(bytes[i + 3]) << 24);
    k *= kM;
    k ^= k >> kR;
    k *= kM;
    h *= kM;
    h ^= k;
  }
  // The trailing 1..3 bytes, high to low, as Java's fall-through switch does.
  const std::size_t rest = length - whole;
  if (rest >= 3) h ^= static_cast<std::uint32_t>(bytes[whole + 2]) << 16;
  if (rest >= 2) h ^= static_cast<std::uint32_t>(bytes[whole + 1]) << 8;
  if (rest >= 1) {
    h ^= static_cast<std::uint32_t>(bytes[whole]);
    h *= kM;
  }
  h ^= h >> 13;
  h *= kM;
  h ^= h >> 15;
  return h;
}

std::uint32_t shard_for_key(std::string_view key, std::uint32_t shards) {
  if (shards == 0) return 0;
  return (murmur2(key) & 0x7fffffffU) % shards;
}

}  // namespace sea::file
