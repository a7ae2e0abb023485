// Round trips: NDJSON → ndjson decoder → msgpack encoder → msgpack decoder with msgpack_to_json
// gives the same JSON values; msgpack decoder → msgpack encoder gives the same bytes; csv encoder
// → csv decoder gives the same rows as strings; JSON text and one MessagePack object overlap only
// in the ten one-byte payloads 0-9.
#include <msgpack.hpp>
#include <nlohmann/json.hpp>

#include "codecs/internal.hpp"
#include "harness.hpp"

namespace sea::codecs::test {

namespace {

// Collects frames as owned strings.
struct Collector final : FrameSink {
  std::vector<std::string> frames;
  std::vector<std::string> errors;
  void on_frame(const Frame& frame) override { frames.emplace_back(frame.payload); }
  void on_error(const DecodeError& error) override { errors.push_back(error.describe()); }
};

std::vector<std::string> decode_all(std::string_view format, const DecoderOptions& options, std::string_view input) {
  Result<std::unique_ptr<Decoder>> decoder = make_decoder(format, options);
  REQUIRE(decoder.ok());
  Collector collector;
  (*decoder)->feed(input, collector);
  (*decoder)->finish(collector);
  CHECK(collector.errors.empty());
  return collector.frames;
}

}  // namespace

TEST_CASE("ndjson to msgpack and back gives the same JSON values") {
  const std::string ndjson =
      "{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"e\"}}\n"
      "[18446744073709551615,-9223372036854775808,0,-1]\n"
      "[1.5,-0.25,1e300,2.2250738585072014e-308,0.1]\n"
      "\"caf\\u00e9 \\ud83d\\ude00 \\\"quoted\\\" \\\\ \\n\"\n"
      "{\"\":\"\",\"nested\":[[[[{}]]]],\"unicode\":\"\xe6\x97\xa5\xe6\x9c\xac\"}\n"
      "null\n12\n";
  std::vector<std::string> lines = decode_all("ndjson", {}, ndjson);
  REQUIRE(lines.size() == 7);

  Result<std::unique_ptr<Encoder>> encoder = make_encoder("msgpack", {});
  REQUIRE(encoder.ok());
  std::string packed;
  for (const std::string& line : lines) {
    MessageView view;
    view.payload = line;
    (*encoder)->encode(view, packed);
  }

  DecoderOptions to_json;
  to_json.msgpack_to_json = true;
  std::vector<std::string> back = decode_all("msgpack", to_json, packed);
  REQUIRE(back.size() == lines.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    CAPTURE(lines[i]);
    CAPTURE(back[i]);
    CHECK(nlohmann::json::parse(back[i]) == nlohmann::json::parse(lines[i]));
  }
}

TEST_CASE("csv encoder output reads back through the csv decoder") {
  std::vector<std::string> payloads = {"{\"id\":\"1\",\"text\":\"Smith, \\\"J\\\"\\nline 2\"}",
                                       "{\"id\":\"2\",\"text\":\"\"}", "{\"id\":\"3\",\"text\":\" spaced \"}"};
  Result<std::unique_ptr<Encoder>> encoder = make_encoder("csv", {});
  REQUIRE(encoder.ok());
  std::string csv;
  for (const std::string& payload : payloads) {
    MessageView view;
    view.payload = payload;
    (*encoder)->encode(view, csv);
  }
  CHECK(decode_all("csv", {}, csv) == payloads);
}

TEST_CASE("msgpack decoder then msgpack encoder gives the same bytes") {
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> packer(buffer);
  for (int i = -40; i < 300; ++i) packer.pack(i);  // every fixint, 48-57 among them
  packer.pack_map(2);
  packer.pack(std::string("k"));
  packer.pack_array(3);
  packer.pack_nil();
  packer.pack(2.5);
  packer.pack(std::string("caf\xc3\xa9"));
  packer.pack(7);
  packer.pack_bin(3);
  packer.pack_bin_body("\x00\xc1\xff", 3);
  packer.pack(std::uint64_t(18446744073709551615u));
  packer.pack(std::int64_t(-9223372036854775807 - 1));
  packer.pack(1.0f / 3.0f);
  packer.pack(std::string("7"));
  packer.pack(std::string(""));
  packer.pack_array(0);
  packer.pack_map(0);
  std::string input(buffer.data(), buffer.size());

  std::vector<std::string> frames = decode_all("msgpack", {}, input);
  CHECK(frames.size() == 340 + 8);
  Result<std::unique_ptr<Encoder>> encoder = make_encoder("msgpack", {});
  REQUIRE(encoder.ok());
  std::string output;
  for (const std::string& frame : frames) {
    MessageView view;
    view.payload = frame;
    (*encoder)->encode(view, output);
  }
  CHECK(output == input);
}

TEST_CASE("JSON text and one complete MessagePack object overlap only in the digits") {
  simdjson::dom::parser parser;
  for (int b = 0; b < 256; ++b) {
    std::string one(1, static_cast<char>(b));
    CAPTURE(b);
    bool json = parser.parse(one).error() == simdjson::SUCCESS;
    CHECK(json == (b >= '0' && b <= '9'));
    // The one-byte objects: fixints, nil, false, true, and the empty fixmap, fixarray, fixstr.
    bool one_byte_object = b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3 || b == 0x80 ||
                           b == 0x90 || b == 0xa0;
    CHECK(detail::is_one_msgpack_object(one) == one_byte_object);
  }
  // Longer JSON texts: their first byte is a one-byte MessagePack object, so never one object.
  for (const char* text : {"12", "{}", "[]", "\"\"", "null", "true", "-1", " 1", "1 ", "\xef\xbb\xbf" "1", "{\"a\":1}"}) {
    CAPTURE(text);
    CHECK(!detail::is_one_msgpack_object(text));
  }
  // And what is one: whole, nothing missing, nothing after.
  CHECK(detail::is_one_msgpack_object("\x92\x01\xa1x"));
  CHECK(!detail::is_one_msgpack_object("\x92\x01"));
  CHECK(!detail::is_one_msgpack_object("\x92\x01\xa1x\x01"));
  CHECK(!detail::is_one_msgpack_object(std::string("\xdd\xff\xff\xff\xff\xc0", 6)));
  CHECK(!detail::is_one_msgpack_object(std::string("\xdb\xff\xff\xff\xff" "abc", 8)));
  CHECK(!detail::is_one_msgpack_object(""));
}

}  // namespace sea::codecs::test
