// The lines decoder, as a table: bytes kept as they are, empty lines skipped (as kcat -P does),
// "\r\n" accepted, over-long lines reported and skipped.
#include "harness.hpp"

namespace sea::codecs::test {

std::vector<DecodeCase> lines_cases() {
  return {
      {"lines", "lines", {}, {"a\n\nb c\r\n  \n\r\n{not json\nlast"},
       {"F a", "F b c", "F   ", "F {not json", "F last"}},
      {"cr at finish", "lines", with_max(4), {"abcd\r"}, {"F abcd"}},
      {"limit", "lines", with_max(4), {"abcd\r\nabcde\r\nabcdefgh\nok\n"},
       {"F abcd", "E line 2 (byte 6): line longer than max_message_bytes (4 bytes); skipped",
        "E line 3 (byte 13): line longer than max_message_bytes (4 bytes); skipped", "F ok"}},
      {"two writers", "lines", {}, {"a\nb", "c\n"}, {"F a", "F b", "F c"}},
  };
}

TEST_CASE("lines decoder table") { check_cases(lines_cases()); }

}  // namespace sea::codecs::test
