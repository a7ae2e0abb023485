// Java-compatible murmur2 (org.apache.kafka.common.utils.Utils.murmur2). Java works on signed
// ints with `>>>`; the same bits come out of unsigned arithmetic, which has no overflow UB.
#include "core/murmur2.hpp"

namespace sea {

std::uint32_t murmur2(std::string_view data) {
  const std::uint32_t seed = 0x9747b28c;
  const std::uint32_t m = 0x5bd1e995;
  const int r = 24;
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  const std::size_t length = data.size();
  std::uint32_t h = seed ^ static_cast<std::uint32_t>(length);
  const std::size_t blocks = length / 4;
  for (std::size_t i = 0; i < blocks; ++i) {
    const unsigned char* p = bytes + i * 4;
    std::uint32_t k = static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
                      (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
    k *= m;
    k ^= k >> r;
    k *= m;
    h *= m;
    h ^= k;
  }
  const unsigned char* tail = bytes + (length & ~static_cast<std::size_t>(3));
  switch (length % 4) {
    case 3: h ^= static_cast<std::uint32_t>(tail[2]) << 16; [[fallthrough]];
    case 2: h ^= static_cast<std::uint32_t>(tail[1]) << 8; [[fallthrough]];
    case 1:
      h ^= static_cast<std::uint32_t>(tail[0]);
      h *= m;
      break;
    default: break;
  }
  h ^= h >> 13;
  h *= m;
  h ^= h >> 15;
  return h;
}

ShardId shard_for_key(std::string_view key, std::uint32_t shards) {
  if (shards <= 1) return 0;
  return (murmur2(key) & 0x7fffffffU) % shards;
}

}  // namespace sea
