// The encoders, as tables: raw/lines/ndjson, binary framing, NDJSON envelopes (JSON, string and
// base64 payloads, keys, repeated headers), kcat-style format strings and their errors, csv and
// tsv rows, msgpack output, and unknown names.
#include <msgpack.hpp>

#include <doctest/doctest.h>

#include "codecs/codec.hpp"

namespace sea::codecs {
namespace {

MessageView message(std::string_view payload, const std::vector<HeaderView>* headers = nullptr,
                    std::string_view key = "k", bool has_key = true) {
  MessageView view;
  view.stream = "s";
  view.shard = 1;
  view.seq = 7;
  view.ts = 1000;
  view.has_key = has_key;
  view.key = key;
  if (headers != nullptr) view.headers = *headers;
  view.payload = payload;
  return view;
}

std::string encode(std::string_view format, const EncoderOptions& options,
                   const std::vector<MessageView>& messages) {
  Result<std::unique_ptr<Encoder>> encoder = make_encoder(format, options);
  REQUIRE_MESSAGE(encoder.ok(), (encoder.ok() ? "" : encoder.error().message));
  std::string out;
  for (const MessageView& m : messages) (*encoder)->encode(m, out);
  return out;
}

}  // namespace

TEST_CASE("raw, lines, ndjson and binary encoders") {
  CHECK(encode("raw", {}, {message("a b"), message("{}")}) == "a b\n{}\n");
  CHECK(encode("lines", {}, {message("x")}) == "x\n");
  EncoderOptions nul;
  nul.line_end = '\0';
  CHECK(encode("ndjson", nul, {message("{}")}) == std::string("{}\0", 3));
  CHECK(encode("binary", {}, {message("abc"), message("")}) == std::string("\0\0\0\3abc\0\0\0\0", 11));
}

TEST_CASE("envelope encoder") {
  EncoderOptions options;
  options.envelope = true;
  std::vector<HeaderView> headers = {{"a", "1"}, {"b", "2"}, {"a", "3"}};
  CHECK(encode("raw", options, {message("{ \"x\" : [1, 2] }", &headers)}) ==
        "{\"stream\":\"s\",\"shard\":1,\"seq\":7,\"ts\":1000,\"key\":\"k\",\"headers\":{\"b\":\"2\",\"a\":\"3\"},"
        "\"payload\":{\"x\":[1,2]}}\n");
  CHECK(encode("raw", options, {message("hello \"you\"", nullptr, "", false)}) ==
        "{\"stream\":\"s\",\"shard\":1,\"seq\":7,\"ts\":1000,\"key\":null,\"headers\":{},"
        "\"payload\":\"hello \\\"you\\\"\"}\n");
  CHECK(encode("raw", options, {message(std::string_view("\xff\0", 2), nullptr, "\xfe")}) ==
        "{\"stream\":\"s\",\"shard\":1,\"seq\":7,\"ts\":1000,\"key\":\"/g==\",\"key_encoding\":\"base64\","
        "\"headers\":{},\"payload\":\"/wA=\",\"payload_encoding\":\"base64\"}\n");
  // A number is JSON; an empty payload is not.
  CHECK(encode("raw", options, {message("42")}).find("\"payload\":42}") != std::string::npos);
  CHECK(encode("raw", options, {message("")}).find("\"payload\":\"\"}") != std::string::npos);
}

TEST_CASE("format string encoder") {
  EncoderOptions options;
  options.format_string = "%t/%p/%o@%T %k(%K) %s(%S) [%h] %%\\t\\\\\\n";
  std::vector<HeaderView> headers = {{"a", "1"}, {"b", "2"}};
  CHECK(encode("raw", options, {message("hi", &headers)}) == "s/1/7@1000 k(1) hi(2) [a=1,b=2] %\t\\\n");
  options.format_string = "%k|%K|%s\\0";
  CHECK(encode("raw", options, {message("p", nullptr, "", false)}) == std::string("|-1|p\0", 6));

  struct Bad {
    const char* format;
    const char* message;
  };
  for (const Bad& bad : {Bad{"%x", "unknown format '%x' at character 1"},
                         Bad{"abc%", "format string ends with a lone '%' (character 4)"},
                         Bad{"ab\\q", "unknown escape '\\q' at character 3"},
                         Bad{"%s\\", "format string ends with a lone '\\' (character 3)"}}) {
    CAPTURE(bad.format);
    EncoderOptions o;
    o.format_string = bad.format;
    Result<std::unique_ptr<Encoder>> encoder = make_encoder("raw", o);
    REQUIRE_FALSE(encoder.ok());
    CHECK(encoder.error().code == Errc::invalid_argument);
    CHECK(encoder.error().message.rfind(bad.message, 0) == 0);
  }
}

TEST_CASE("csv and tsv encoders") {
  std::vector<MessageView> rows = {message("{\"id\":1,\"name\":\"Smith, John\"}"),
                                   message("{\"name\":\"x\\\"y\",\"id\":2.5,\"extra\":true}"),
                                   message("{\"id\":null}"), message("[1,\"a\\nb\",{\"k\":[]}]"),
                                   message("plain text"), message("\"s\"")};
  CHECK(encode("csv", {}, rows) ==
        "id,name\n1,\"Smith, John\"\n2.5,\"x\"\"y\"\n,\n1,\"a\nb\",\"{\"\"k\"\":[]}\"\nplain text\ns\n");
  EncoderOptions no_header;
  no_header.header = false;
  no_header.delimiter = ';';
  CHECK(encode("csv", no_header, {message("{\"a\":\"1;2\",\"b\":3}")}) == "\"1;2\";3\n");
  CHECK(encode("tsv", {}, {message("{\"a\":\"x\\ty\",\"b\":null,\"c\":\"1\\\\2\\n\"}")}) ==
        "a\tb\tc\nx\\ty\t\\N\t1\\\\2\\n\n");
}

TEST_CASE("csv encoder: CRLF, rows of one empty field, repeated header names") {
  EncoderOptions crlf;
  crlf.crlf = true;
  CHECK(encode("csv", crlf, {message("{\"a\":\"1\",\"b\":\"x\\r\\ny\"}"), message("{\"a\":\"\",\"b\":\"\"}")}) ==
        "a,b\r\n1,\"x\r\ny\"\r\n,\r\n");
  CHECK(encode("tsv", crlf, {message("{\"a\":\"1\"}")}) == "a\r\n1\r\n");
  // An empty line is no record to the csv decoder: one empty field is written as "".
  CHECK(encode("csv", {}, {message("{\"\":\"\"}"), message("{\"\":\"x\"}"), message("\"\""), message("[\"\"]"),
                           message("[]")}) == "\"\"\n\"\"\nx\n\"\"\n\"\"\n\n");
  // What the csv decoder makes of a header "a,a": written back in its own order.
  CHECK(encode("csv", {}, {message("{\"a\":\"1\",\"a\":\"2\"}"), message("{\"a\":\"3\",\"a\":\"4\"}")}) ==
        "a,a\n1,2\n3,4\n");
  // Keys in another order are still looked up by name.
  CHECK(encode("csv", {}, {message("{\"a\":1,\"b\":2}"), message("{\"b\":3,\"a\":4}")}) == "a,b\n1,2\n4,3\n");
}

TEST_CASE("msgpack encoder") {
  msgpack::sbuffer expected;
  msgpack::packer<msgpack::sbuffer> packer(expected);
  packer.pack_map(1);
  packer.pack(std::string("a"));
  packer.pack_array(6);
  packer.pack(1);
  packer.pack(-2);
  packer.pack(1.5);
  packer.pack(std::string("s"));
  packer.pack(true);
  packer.pack_nil();
  packer.pack(std::string("not json"));
  packer.pack_bin(2);
  packer.pack_bin_body("\xff\xfe", 2);
  CHECK(encode("msgpack", {}, {message("{\"a\":[1,-2,1.5,\"s\",true,null]}"), message("not json"),
                               message("\xff\xfe")}) == std::string(expected.data(), expected.size()));
}

TEST_CASE("msgpack encoder: JSON first, then one MessagePack object as it is, then str or bin") {
  struct Case {
    std::string payload;
    std::string out;
  };
  const std::vector<Case> cases = {
      {"7", "\x07"},               // JSON (and the msgpack integer 55): JSON wins
      {" 7\r", "\x07"},           // JSON with whitespace: not one msgpack object anyway
      {"55", "\x37"},              // how the msgpack decoder stores the integer 55
      {"\x81\xa1" "a\x01", "\x81\xa1" "a\x01"},  // a msgpack map: as it is
      {std::string("\xc0", 1), "\xc0"},              // nil
      {"\xff", "\xff"},           // -1
      {std::string("\xcb\x3f\xf8\0\0\0\0\0\0", 9), std::string("\xcb\x3f\xf8\0\0\0\0\0\0", 9)},  // 1.5
      {"a", "a"},                   // one byte that is no JSON: the msgpack integer 97
      {"\xd0\x90", "\xd0\x90"},  // U+0410 is also int8 -112: one msgpack object
      {"ab", "\xa2" "ab"},          // two objects' worth: a str
      {"\xd0\x90\xd0\x91", "\xa4\xd0\x90\xd0\x91"},
      {"", "\xa0"},                // empty: a str
      {"\x92\x01", "\xc4\x02\x92\x01"},  // a truncated array: bin
      {"\xc1", "\xc4\x01\xc1"},   // the never-used byte: bin
      {"\x01\x02", "\xa2\x01\x02"},  // two objects back to back (valid UTF-8): a str
  };
  for (const Case& c : cases) {
    CAPTURE(c.payload);
    CHECK(encode("msgpack", {}, {message(c.payload)}) == c.out);
  }
}

TEST_CASE("unknown formats are errors naming the known ones") {
  Result<std::unique_ptr<Encoder>> encoder = make_encoder("xml", {});
  REQUIRE_FALSE(encoder.ok());
  CHECK(encoder.error().message == "unknown output format 'xml' (known: raw, ndjson, lines, csv, tsv, msgpack, binary)");
  Result<std::unique_ptr<Decoder>> decoder = make_decoder("xml", {});
  REQUIRE_FALSE(decoder.ok());
  CHECK(decoder.error().message == "unknown input format 'xml' (known: ndjson, lines, csv, tsv, msgpack, binary)");
  CHECK(decoder_names() == std::vector<std::string>{"ndjson", "lines", "csv", "tsv", "msgpack", "binary"});
  CHECK(encoder_names().size() == 7);
}

}  // namespace sea::codecs
