// The tsv decoder, as a table: fields split on tabs, '"' an ordinary character, header → objects
// or arrays, PostgreSQL text escapes (and \N) with tsv_escapes, bad escapes and field counts
// reported with their positions.
#include "harness.hpp"

namespace sea::codecs::test {

std::vector<DecodeCase> tsv_cases() {
  DecoderOptions no_header;
  no_header.header = false;
  DecoderOptions escapes;
  escapes.tsv_escapes = true;
  DecoderOptions keyed;
  keyed.key_field = "id";
  return {
      {"quotes are ordinary", "tsv", {}, {"id\tname\n1\tSmith \"J\"\n"},
       {"F {\"id\":\"1\",\"name\":\"Smith \\\"J\\\"\"}"}},
      {"no header", "tsv", no_header, {"a\tb\n\tc\n"}, {"F [\"a\",\"b\"]", "F [\"\",\"c\"]"}},
      {"escapes", "tsv", escapes, {"a\tb\nx\\ty\t1\\\\2\\n\n\\N\tz\\r\n"},
       {"F {\"a\":\"x\\ty\",\"b\":\"1\\\\2\\n\"}", "F {\"a\":null,\"b\":\"z\\r\"}"}},
      {"backslashes kept without escapes", "tsv", {}, {"a\nx\\ty\n"}, {"F {\"a\":\"x\\\\ty\"}"}},
      {"unknown escape", "tsv", escapes, {"a\nx\\qy\nok\n"},
       {"E line 2 (byte 2): unknown escape '\\q' in field 1 (byte 3)", "F {\"a\":\"ok\"}"}},
      {"backslash at the end", "tsv", escapes, {"a\tb\n1\tx\\\n"},
       {"E line 2 (byte 4): backslash at the end of field 2 (byte 7)"}},
      {"field count", "tsv", {}, {"a\tb\n1\n1\t2\t3\n"},
       {"E line 2 (byte 4): record has 1 field but the header has 2",
        "E line 3 (byte 6): record has 3 fields but the header has 2"}},
      {"crlf and empty lines", "tsv", {}, {"a\tb\r\n\r\n\n1\t2\r\n"}, {"F {\"a\":\"1\",\"b\":\"2\"}"}},
      {"key field", "tsv", keyed, {"id\tv\nk\t1\n"}, {"F [k] {\"id\":\"k\",\"v\":\"1\"}"}},
      {"line over the limit", "tsv", with_max(9), {"a\n1234567890\n1\n"},
       {"E line 2 (byte 2): line longer than max_message_bytes (9 bytes)", "F {\"a\":\"1\"}"}},
      {"header per writer", "tsv", {}, {"a\n1", "b\n2\n"}, {"F {\"a\":\"1\"}", "F {\"b\":\"2\"}"}},
  };
}

TEST_CASE("tsv decoder table") { check_cases(tsv_cases()); }

}  // namespace sea::codecs::test
