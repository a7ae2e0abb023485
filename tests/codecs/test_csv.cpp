// The csv decoder, as a table: RFC 4180 quoting (delimiters, doubled quotes and line breaks in
// quoted fields), "\r\n", header → objects or arrays, key_field, custom delimiter and quote, and
// every error kind with the line and byte of the record's start.
#include "harness.hpp"

namespace sea::codecs::test {

std::vector<DecodeCase> csv_cases() {
  DecoderOptions no_header;
  no_header.header = false;
  DecoderOptions keyed;
  keyed.key_field = "id";
  DecoderOptions semicolon;
  semicolon.delimiter = ';';
  semicolon.quote = '\'';
  return {
      {"quoted fields", "csv", {}, {"id,name\n1,\"Smith, John\"\n2,\"say \"\"hi\"\"\"\n"},
       {"F {\"id\":\"1\",\"name\":\"Smith, John\"}", "F {\"id\":\"2\",\"name\":\"say \\\"hi\\\"\"}"}},
      {"line break in a quoted field", "csv", {}, {"a,b\n1,\"x\ny\"\n2,z\n3,\"\"\"\n4\n,5\",6\n"},
       {"F {\"a\":\"1\",\"b\":\"x\\ny\"}", "F {\"a\":\"2\",\"b\":\"z\"}",
        "E line 5 (byte 16): record has 3 fields but the header has 2"}},
      {"crlf", "csv", {}, {"a,b\r\n1,2\r\n\"q\",\"r\"\r\n"},
       {"F {\"a\":\"1\",\"b\":\"2\"}", "F {\"a\":\"q\",\"b\":\"r\"}"}},
      {"no header", "csv", no_header, {"1,2\n3\n"}, {"F [\"1\",\"2\"]", "F [\"3\"]"}},
      {"quote in unquoted field", "csv", {}, {"a,b\n1,x\"y\n2,3\n"},
       {"E line 2 (byte 4): quote inside unquoted field 2 (byte 7)", "F {\"a\":\"2\",\"b\":\"3\"}"}},
      {"character after closing quote", "csv", {}, {"a,b\n\"x\"y,2\n3,4\n"},
       {"E line 2 (byte 4): character 'y' after the closing quote of field 1 (byte 7)",
        "F {\"a\":\"3\",\"b\":\"4\"}"}},
      {"unbalanced quote at finish", "csv", {}, {"a,b\n1,\"open\n"},
       {"E line 2 (byte 4): unbalanced quote: field 2 is still quoted at the end of the input"}},
      {"field count", "csv", {}, {"a,b\n1,2,3\n4\n5,6\n"},
       {"E line 2 (byte 4): record has 3 fields but the header has 2",
        "E line 3 (byte 10): record has 1 field but the header has 2", "F {\"a\":\"5\",\"b\":\"6\"}"}},
      {"key field", "csv", keyed, {"v,id\n1,k1\n"}, {"F [k1] {\"v\":\"1\",\"id\":\"k1\"}"}},
      {"delimiter and quote", "csv", semicolon, {"a;b\n'x;y';'it''s'\n"},
       {"F {\"a\":\"x;y\",\"b\":\"it's\"}"}},
      {"no final newline", "csv", {}, {"a,b\n1,\"2\""}, {"F {\"a\":\"1\",\"b\":\"2\"}"}},
      {"empty lines", "csv", {}, {"\na,b\n\n1,2\n\r\n3,4\n"},
       {"F {\"a\":\"1\",\"b\":\"2\"}", "F {\"a\":\"3\",\"b\":\"4\"}"}},
      {"empty fields", "csv", {}, {"a,b,c\n,,\n"}, {"F {\"a\":\"\",\"b\":\"\",\"c\":\"\"}"}},
      {"record over the limit", "csv", with_max(20), {"a\n\"" + std::string(30, 'x') + "\n,\"\nok\n"},
       {"E line 2 (byte 2): record longer than max_message_bytes (20 bytes); skipped", "F {\"a\":\"ok\"}"}},
      {"json over the limit", "csv", with_max(12), {"name\nabcdefgh\n"},
       {"E line 2 (byte 5): record is 19 bytes as JSON, more than max_message_bytes (12)"}},
      {"header per writer", "csv", {}, {"a\n1\n", "b\n2"}, {"F {\"a\":\"1\"}", "F {\"b\":\"2\"}"}},
      {"control characters escaped", "csv", no_header, {"\"a\tb\"\n"}, {"F [\"a\\tb\"]"}},
  };
}

TEST_CASE("csv decoder table") { check_cases(csv_cases()); }

TEST_CASE("csv decoder rejects a delimiter equal to the quote") {
  DecoderOptions options;
  options.delimiter = '"';
  CHECK_FALSE(make_decoder("csv", options).ok());
}

}  // namespace sea::codecs::test
