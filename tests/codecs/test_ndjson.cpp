// The ndjson decoder, as a table: valid values, blank lines, "\r\n", a value without a final
// newline, invalid JSON and invalid UTF-8, key_field, over-long lines, positions across writers.
#include "harness.hpp"

namespace sea::codecs::test {

std::vector<DecodeCase> ndjson_cases() {
  DecoderOptions keyed;
  keyed.key_field = "id";
  std::string at_limit = "\"" + std::string(14, 'x') + "\"";  // 16 bytes
  std::string over_limit = "\"" + std::string(15, 'x') + "\"";
  return {
      {"values", "ndjson", {}, {"{\"a\":1}\n[1,2]\n\"s\"\n3\n"},
       {"F {\"a\":1}", "F [1,2]", "F \"s\"", "F 3"}},
      {"blank lines", "ndjson", {}, {"\n  \n{\"a\":1}\n\t\r\n\n"}, {"F {\"a\":1}"}},
      {"crlf", "ndjson", {}, {"{\"a\":1}\r\n{\"b\":2}\r\n"}, {"F {\"a\":1}", "F {\"b\":2}"}},
      {"no final newline", "ndjson", {}, {"{\"a\":1}\n{\"b\":2}"}, {"F {\"a\":1}", "F {\"b\":2}"}},
      {"invalid json", "ndjson", {}, {"{\"a\":1}\n{bad}\n{\"c\":3}\n"},
       {"F {\"a\":1}", "E line 2 (byte 8): invalid JSON: ", "F {\"c\":3}"}},
      {"partial value at finish", "ndjson", {}, {"{\"a\":1}\n{\"b\":"},
       {"F {\"a\":1}", "E line 2 (byte 8): invalid JSON"}},
      {"invalid utf-8", "ndjson", {}, {"\"\xff\"\n\"ok\"\n"}, {"E line 1 (byte 0): invalid JSON", "F \"ok\""}},
      {"two values on a line", "ndjson", {}, {"1 2\n"}, {"E line 1 (byte 0): invalid JSON"}},
      {"key field", "ndjson", keyed,
       {"{\"id\":\"k1\",\"v\":1}\n{\"id\":42}\n{\"id\":{\"x\": 1}}\n{\"v\":1}\n{\"id\":\"a\\\"b\"}\n[1]\n"},
       {"F [k1] {\"id\":\"k1\",\"v\":1}", "F [42] {\"id\":42}", "F [{\"x\":1}] {\"id\":{\"x\": 1}}",
        "F {\"v\":1}", "F [a\"b] {\"id\":\"a\\\"b\"}", "F [1]"}},
      {"line over the limit", "ndjson", with_max(16), {at_limit + "\r\n" + over_limit + "\n{\"b\":1}\n"},
       {"F " + at_limit, "E line 2 (byte 18): line longer than max_message_bytes (16 bytes); skipped",
        "F {\"b\":1}"}},
      {"over-long line at finish", "ndjson", with_max(4), {"1\n123456789"},
       {"F 1", "E line 2 (byte 2): line longer than max_message_bytes (4 bytes)"}},
      {"positions across writers", "ndjson", {}, {"{\"a\":1}\nbad", "bad2\n{}"},
       {"F {\"a\":1}", "E line 2 (byte 8): invalid JSON", "E line 3 (byte 11): invalid JSON", "F {}"}},
  };
}

TEST_CASE("ndjson decoder table") { check_cases(ndjson_cases()); }

}  // namespace sea::codecs::test
