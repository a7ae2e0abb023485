// The binary decoder, as a table: length-prefixed frames, empty frames, lengths over the limit
// (reported and skipped), truncated prefixes and bodies at finish, offsets across writers.
#include "harness.hpp"

namespace sea::codecs::test {

namespace {
std::string prefix(std::uint32_t n) {
  return {static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8), static_cast<char>(n)};
}
}  // namespace

std::vector<DecodeCase> binary_cases() {
  return {
      {"frames", "binary", {}, {prefix(3) + "abc" + prefix(0) + prefix(1) + "x"}, {"F abc", "F ", "F x"}},
      {"binary bytes", "binary", {}, {prefix(3) + std::string("\0\n\xff", 3)}, {"F " + std::string("\0\n\xff", 3)}},
      {"over the limit", "binary", with_max(4), {prefix(5) + "hello" + prefix(2) + "ok"},
       {"E byte 0: length prefix 5 exceeds max_message_bytes (4); the frame is skipped", "F ok"}},
      {"4 GB prefix", "binary", {}, {prefix(0xffffffffu) + "abc", prefix(1) + "z"},
       {"E byte 0: length prefix 4294967295 exceeds max_message_bytes (1048576)", "F z"}},
      {"truncated body", "binary", {}, {prefix(5) + "ab"},
       {"E byte 0: truncated frame: the prefix declares 5 bytes but the input ended after 2"}},
      {"truncated prefix", "binary", {}, {std::string("\0\0", 2)},
       {"E byte 0: truncated length prefix: the input ended after 2 of its 4 bytes"}},
      {"offsets across writers", "binary", {}, {prefix(1) + "a", prefix(5) + "x", prefix(1) + "b"},
       {"F a", "E byte 5: truncated frame: the prefix declares 5 bytes but the input ended after 1", "F b"}},
  };
}

TEST_CASE("binary decoder table") { check_cases(binary_cases()); }

}  // namespace sea::codecs::test
