// The envelope decoder (decode_envelope.cpp), as tables: every field, base64 payloads and keys,
// JSON payloads kept as their exact text, bad envelopes with their positions; then the round
// trip: what the envelope encoder writes reads back as the message it encoded, for payloads
// of every kind (JSON of each type, JSON strings, text, binary, empty) and keys.
#include "codecs/envelope.hpp"
#include "harness.hpp"

namespace sea::codecs::test {
namespace {

// Records every field a frame carries, for the tables below.
struct FullRecorder final : FrameSink {
  std::vector<std::string> events;
  void on_frame(const Frame& frame) override {
    std::string event = "F ";
    if (frame.has_key) event += "[" + std::string(frame.key) + "] ";
    for (const HeaderView& h : frame.headers) event += std::string(h.key) + "=" + std::string(h.value) + " ";
    if (frame.ts != 0) event += "ts=" + std::to_string(frame.ts) + " ";
    if (frame.shard != kAnyShard) event += "shard=" + std::to_string(frame.shard) + " ";
    if (!frame.stream.empty()) event += "stream=" + std::string(frame.stream) + " ";
    event += frame.payload;
    events.push_back(std::move(event));
  }
  void on_error(const DecodeError& error) override { events.push_back("E " + error.describe()); }
};

DecoderOptions envelope_options(std::size_t max = 1 << 20) {
  DecoderOptions options;
  options.envelope = true;
  options.max_message_bytes = max;
  return options;
}

std::vector<std::string> decode_all(std::string_view input, std::size_t max = 1 << 20) {
  Result<std::unique_ptr<Decoder>> decoder = make_decoder("ndjson", envelope_options(max));
  REQUIRE(decoder.ok());
  FullRecorder recorder;
  (*decoder)->feed(input, recorder);
  (*decoder)->finish(recorder);
  return recorder.events;
}

void check_table(const std::vector<std::pair<std::string, std::vector<std::string>>>& table) {
  for (const auto& [input, expected] : table) {
    CAPTURE(input);
    std::vector<std::string> actual = decode_all(input);
    std::string shown;
    for (const std::string& e : actual) shown += "\n  " + e;
    CAPTURE(shown);
    REQUIRE(actual.size() == expected.size());
    for (std::size_t i = 0; i < actual.size(); ++i) CHECK_MESSAGE(event_matches(expected[i], actual[i]), expected[i]);
  }
}

}  // namespace

std::vector<DecodeCase> envelope_cases() {
  return {
      {"envelopes", "ndjson", envelope_options(),
       {"{\"key\":\"k\",\"headers\":{\"a\":\"1\"},\"payload\":{\"x\": [1, 2]}}\n\n"
        "{\"payload\":\"text\"}\r\n{\"payload\":\"/wA=\",\"payload_encoding\":\"base64\"}\n{bad\n"
        "{\"payload\":12.50}"},
       {"F [k] {\"x\": [1, 2]}", "F text", std::string("F \xff\0", 4), "E line 5 (byte ", "F 12.50"}},
      {"over the limit", "ndjson", envelope_options(16), {"{\"payload\":\"0123456789\"}\n{\"payload\":1}\n"},
       {"E line 1 (byte 0): line longer than max_message_bytes (16 bytes)", "F 1"}},
  };
}

TEST_CASE("envelope decoder: fields") {
  check_table({
      // Every field, as consume -J writes them.
      {"{\"stream\":\"s\",\"shard\":2,\"seq\":7,\"ts\":1764057100000,\"key\":\"k\",\"headers\":{\"a\":\"1\",\"b\":\"\"},"
       "\"payload\":{\"n\":1}}",
       {"F [k] a=1 b= ts=1764057100000 shard=2 stream=s {\"n\":1}"}},
      // Only the payload is needed; null is the same as absent.
      {"{\"payload\":\"x\"}", {"F x"}},
      {"{\"key\":null,\"headers\":null,\"ts\":null,\"shard\":null,\"stream\":null,\"seq\":null,\"payload\":\"x\"}",
       {"F x"}},
      // An empty key is a key; unknown fields are ignored.
      {"{\"key\":\"\",\"payload\":\"x\",\"extra\":[1,{\"y\":2}]}", {"F [] x"}},
      // JSON payloads are their exact text as written: spacing, number spelling, key order.
      {"{\"payload\": {\"b\": 1,  \"a\": [1.0, 2e3]} , \"key\":\"k\"}", {"F [k] {\"b\": 1,  \"a\": [1.0, 2e3]}"}},
      {"{\"payload\":[ ]}", {"F [ ]"}},
      {"{\"payload\":-0.0}", {"F -0.0"}},
      {"{\"payload\":12345678901234567890123}", {"E line 1 (byte 0): bad envelope: invalid JSON"}},
      {"{\"payload\":true }", {"F true"}},
      {"{\"payload\":null}", {"F null"}},
      // A string payload is its unescaped text; an escaped one of JSON text stays JSON text.
      {"{\"payload\":\"\\\"hi\\\"\"}", {"F \"hi\""}},
      {"{\"payload\":\"a\\u00e9\\n\"}", {"F a\xc3\xa9\n"}},
      {"{\"payload\":\"\"}", {"F "}},
      // base64 payloads and keys.
      {"{\"key\":\"AAE=\",\"key_encoding\":\"base64\",\"payload\":\"aGk=\",\"payload_encoding\":\"base64\"}",
       {std::string("F [\0\1] hi", 9)}},
      {"{\"payload\":\"\",\"payload_encoding\":\"base64\"}", {"F "}},
      // ts as a time string.
      {"{\"ts\":\"2026-11-25T07:51:40.123Z\",\"payload\":1}", {"F ts=1795593100123 1"}},
      // A field name written with escapes still finds the payload (minified then).
      {"{\"pay\\u006coad\":{\"a\": 1}}", {"F {\"a\":1}"}},
  });
}

TEST_CASE("envelope decoder: bad envelopes") {
  const std::string at = "E line 1 (byte 0): bad envelope: ";
  check_table({
      {"[1]", {at + "an envelope is a JSON object, not an array"}},
      {"\"payload\"", {at + "an envelope is a JSON object, not a string"}},
      {"{\"payload\":1", {at + "invalid JSON"}},
      {"{\"key\":\"k\"}", {at + "no \"payload\""}},
      {"{\"payload\":1,\"payload\":2}", {at + "\"payload\" is given twice"}},
      {"{\"payload\":\"@@@@\",\"payload_encoding\":\"base64\"}", {at + "\"payload\" is not valid base64"}},
      {"{\"payload\":\"aGk\",\"payload_encoding\":\"base64\"}", {at + "\"payload\" is not valid base64"}},
      {"{\"payload\":\"aGl=\",\"payload_encoding\":\"base64\"}", {at + "\"payload\" is not valid base64"}},
      {"{\"payload\":{},\"payload_encoding\":\"base64\"}", {at + "\"payload_encoding\" needs a string \"payload\""}},
      {"{\"payload\":\"x\",\"payload_encoding\":\"hex\"}", {at + "\"payload_encoding\" must be \"base64\""}},
      {"{\"payload\":\"x\",\"key\":\"!\",\"key_encoding\":\"base64\"}", {at + "\"key\" is not valid base64"}},
      {"{\"payload\":\"x\",\"key_encoding\":\"base64\"}", {at + "\"key_encoding\" needs a string \"key\""}},
      {"{\"payload\":\"x\",\"key\":7}", {at + "\"key\" must be a string or null, not a number"}},
      {"{\"payload\":\"x\",\"headers\":[]}", {at + "\"headers\" must be an object, not an array"}},
      {"{\"payload\":\"x\",\"headers\":{\"a\":1}}", {at + "header \"a\" must be a string, not a number"}},
      {"{\"payload\":\"x\",\"ts\":-1}", {at + "\"ts\" must be milliseconds since 1970 (>= 0), not -1"}},
      {"{\"payload\":\"x\",\"ts\":1.5}", {at + "\"ts\" must be milliseconds since 1970 or a time string, not a number"}},
      {"{\"payload\":\"x\",\"ts\":\"yesterday\"}", {at + "\"ts\": "}},
      {"{\"payload\":\"x\",\"shard\":-1}", {at + "\"shard\" must be a non-negative integer, not a number"}},
      {"{\"payload\":\"x\",\"shard\":4294967295}", {at + "\"shard\" 4294967295 is out of range"}},
      {"{\"payload\":\"x\",\"stream\":1}", {at + "\"stream\" must be a string, not a number"}},
      {"{\"payload\":\"x\",\"seq\":\"7\"}", {at + "\"seq\" must be a non-negative integer, not a string"}},
  });
  // Positions of later lines, and the good lines around a bad one are kept.
  std::vector<std::string> events = decode_all("{\"payload\":1}\n{\"payload\":2,\"ts\":true}\n{\"payload\":3}\n");
  REQUIRE(events.size() == 3);
  CHECK(events[0] == "F 1");
  CHECK(events[1].rfind("E line 2 (byte 14): bad envelope: \"ts\"", 0) == 0);
  CHECK(events[2] == "F 3");
}

TEST_CASE("envelope decoder table") { check_cases(envelope_cases()); }

TEST_CASE("envelope encoder then decoder is the identity") {
  EncoderOptions encode_options;
  encode_options.envelope = true;
  Result<std::unique_ptr<Encoder>> encoder = make_encoder("raw", encode_options);
  REQUIRE(encoder.ok());
  const std::string binary("\x00\xff\x80 \n", 5);
  const std::vector<std::string> payloads = {
      "{\"a\":[1,2.50,{\"b\":null}],\"c\":\"\\u00e9\"}", "[]", "42", "-1.0e+10", "true", "null", "\"a json string\"",
      "\"\\\"quoted\\\"\"", "plain text", "", " ", "{not json", binary, "caf\xc3\xa9 \xf0\x9f\x8c\x8a", "line\nbreak"};
  for (const std::string& payload : payloads) {
    for (int keyed = 0; keyed < 3; ++keyed) {
      CAPTURE(payload);
      CAPTURE(keyed);
      const std::vector<HeaderView> headers = {{"h1", "v1"}, {"sea-empty", ""}, {"\xc3\xbc", "t\tab"}};
      MessageView in;
      in.stream = "s";
      in.shard = 3;
      in.seq = 9;
      in.ts = 1764057100123;
      in.has_key = keyed > 0;
      in.key = keyed == 2 ? std::string_view(binary) : std::string_view("key-1");
      in.headers = headers;
      in.payload = payload;
      std::string line;
      (*encoder)->encode(in, line);
      REQUIRE(line.back() == '\n');
      line.pop_back();
      EnvelopeReader reader;
      Frame out;
      Result<void> read = reader.read(line, 0, out);
      REQUIRE_MESSAGE(read.ok(), line);
      CHECK(out.payload == payload);
      CHECK(out.has_key == in.has_key);
      if (in.has_key) CHECK(out.key == in.key);
      CHECK(out.ts == in.ts);
      CHECK(out.shard == in.shard);
      CHECK(out.stream == "s");
      REQUIRE(out.headers.size() == headers.size());
      for (std::size_t i = 0; i < headers.size(); ++i) {
        CHECK(out.headers[i].key == headers[i].key);
        CHECK(out.headers[i].value == headers[i].value);
      }
    }
  }
}

}  // namespace sea::codecs::test
