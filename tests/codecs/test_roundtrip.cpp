// Round trips: NDJSON → ndjson decoder → msgpack encoder → msgpack decoder with msgpack_to_json
// gives the same JSON values; csv encoder → csv decoder gives the same rows as strings.
#include <nlohmann/json.hpp>

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

}  // namespace sea::codecs::test
