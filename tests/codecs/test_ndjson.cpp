// The ndjson decoder, as a table: valid values, blank lines, "\r\n", a value without a final
// newline, invalid JSON and invalid UTF-8, values back to back on one line (and a bad one among
// them), key_field, over-long lines, positions across writers.
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
      {"two values on a line", "ndjson", {}, {"1 2\n"}, {"F 1", "F 2"}},
      // Two writers whose first value had no newline, merged into one line by the FIFO.
      {"values back to back", "ndjson", {}, {"{\"a\":4}{\"b\":5}\n{\"c\":6}\n"},
       {"F {\"a\":4}", "F {\"b\":5}", "F {\"c\":6}"}},
      {"values with spaces, strings, arrays, scalars", "ndjson", {},
       {" {\"a\":1} {\"b\":\"}{\\\"[\"}\t[1,[2]]\"x\"\"y\"true null -1.5e3 \r\n"},
       {"F {\"a\":1}", "F {\"b\":\"}{\\\"[\"}", "F [1,[2]]", "F \"x\"", "F \"y\"", "F true", "F null",
        "F -1.5e3"}},
      {"escaped backslashes and quotes end strings right", "ndjson", {},
       {"\"x\\\\\"{\"a\":\"\\\\\"}{\"b\":\"\\\"}\"}\n"},
       {"F \"x\\\\\"", "F {\"a\":\"\\\\\"}", "F {\"b\":\"\\\"}\"}"}},
      {"a bad value among good ones", "ndjson", {}, {"{\"ok\":1}\n{\"a\":1}{bad}{\"c\":3} nul 7\n{\"ok\":2}\n"},
       {"F {\"ok\":1}", "F {\"a\":1}", "E line 2 (byte 16): invalid JSON: value 2 of the 5 on this line: ",
        "F {\"c\":3}", "E line 2 (byte 29): invalid JSON: value 4 of the 5 on this line: ", "F 7", "F {\"ok\":2}"}},
      {"an unclosed value runs to the end of the line", "ndjson", {}, {"{\"a\":1}{\"b\":[1,2}\n{\"c\":\"x}\n"},
       {"F {\"a\":1}", "E line 1 (byte 7): invalid JSON: value 2 of the 2 on this line: ",
        "E line 2 (byte 18): invalid JSON: "}},
      {"commas between values are bad", "ndjson", {}, {"[1],[2]\n"},
       {"F [1]", "E line 1 (byte 3): invalid JSON: value 2 of the 3 on this line: ", "F [2]"}},
      {"a value and a bad tail without a newline", "ndjson", {}, {"{\"a\":1}{\"b\":"},
       {"F {\"a\":1}", "E line 1 (byte 7): invalid JSON: value 2 of the 2 on this line: "}},
      {"one bad value is reported as the line", "ndjson", {}, {"truefalse\n"}, {"E line 1 (byte 0): invalid JSON: "}},
      {"no good value: one error for the line", "ndjson", {}, {"plain text {x} here\n"},
       {"E line 1 (byte 0): invalid JSON: The JSON document has an improper structure"}},
      {"a run of bad values is one error", "ndjson", {}, {"{\"a\":1} some words [2]{x} y\n"},
       {"F {\"a\":1}", "E line 1 (byte 8): invalid JSON: values 2 to 3 of the 6 on this line: ", "F [2]",
        "E line 1 (byte 22): invalid JSON: values 5 to 6 of the 6 on this line: "}},
      {"keys of values back to back", "ndjson", keyed, {"{\"id\":\"x\"}{\"id\":2}\n"},
       {"F [x] {\"id\":\"x\"}", "F [2] {\"id\":2}"}},
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
