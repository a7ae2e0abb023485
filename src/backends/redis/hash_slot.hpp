// Redis Cluster hash slots: CRC16-XMODEM of a key (or of its {hash tag}) modulo 16384, as the
// cluster spec defines. Written from the spec: no Debian package has it (Debian has no
// hiredis-cluster). Checked against the spec's check value and CLUSTER KEYSLOT in test_layout.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sea::redis {

inline constexpr std::size_t kSlotCount = 16384;

std::uint16_t cluster_slot(std::string_view key);
std::uint16_t crc16(std::string_view data);

}  // namespace sea::redis
