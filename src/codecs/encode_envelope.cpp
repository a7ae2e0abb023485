// The NDJSON envelope encoder (options.envelope): one line per message,
//   {"stream":"s","shard":0,"seq":7,"ts":1764057100000,"key":"k"|null,"headers":{..},"payload":..}
// The payload is the JSON value itself when it is valid JSON other than a string (minified, so
// the line stays one line), else a JSON string of its text when it is valid UTF-8, else base64
// with "payload_encoding":"base64". decode_envelope.cpp reads these lines back: the payload
// comes back byte for byte, except that JSON with insignificant whitespace comes back minified.
// A key that is not valid UTF-8 is likewise base64 with "key_encoding":"base64".
// Headers are an object; when a key repeats, the later value wins (as in an HTTP-style map),
// and header text that is not valid UTF-8 has its bad bytes replaced by U+FFFD.
#include <fmt/format.h>

#include "codecs/internal.hpp"

namespace sea::codecs::detail {
namespace {

// Owns a JSON parser and a scratch buffer; used on the thread that consumes.
class EnvelopeEncoder final : public Encoder {
 public:
  explicit EnvelopeEncoder(char line_end) : line_end_(line_end) {}

  void encode(const MessageView& message, std::string& out) override {
    // 1. Position.
    out += "{\"stream\":";
    append_json_string(out, message.stream);
    fmt::format_to(std::back_inserter(out), ",\"shard\":{},\"seq\":{},\"ts\":{},\"key\":", message.shard,
                   message.seq, message.ts);
    // 2. Key.
    bool key_base64 = false;
    if (!message.has_key) {
      out += "null";
    } else if (is_valid_utf8(message.key)) {
      append_json_string(out, message.key);
    } else {
      append_json_string(out, base64_encode(message.key));
      key_base64 = true;
    }
    if (key_base64) out += ",\"key_encoding\":\"base64\"";
    // 3. Headers, the last of each key winning.
    out += ",\"headers\":{";
    bool first = true;
    for (std::size_t i = 0; i < message.headers.size(); ++i) {
      if (overridden(message, i)) continue;
      if (!first) out += ',';
      first = false;
      append_json_string(out, message.headers[i].key);
      out += ':';
      append_json_string(out, message.headers[i].value);
    }
    out += "},\"payload\":";
    // 4. Payload.
    append_payload(message.payload, out);
    out += '}';
    out += line_end_;
  }

 private:
  static bool overridden(const MessageView& message, std::size_t i) {
    for (std::size_t j = i + 1; j < message.headers.size(); ++j) {
      if (message.headers[j].key == message.headers[i].key) return true;
    }
    return false;
  }

  void append_payload(std::string_view payload, std::string& out) {
    simdjson::dom::element root;
    // A payload that is a JSON string ("hi" with its quotes) is written as a string of its text
    // ("\"hi\""), not inline: inline it would read back (decode_envelope.cpp) as the bytes hi.
    if (!is_blank(payload) && parser_.parse(payload).get(root) == simdjson::SUCCESS && !root.is_string()) {
      // Valid JSON needs no escaping, only its insignificant whitespace removed. The spare
      // padding guards against simdjson's block-wise stores.
      std::size_t at = out.size();
      out.resize(at + payload.size() + simdjson::SIMDJSON_PADDING);
      std::size_t written = 0;
      if (simdjson::minify(payload.data(), payload.size(), out.data() + at, written) == simdjson::SUCCESS) {
        out.resize(at + written);
        return;
      }
      out.resize(at);
    }
    if (is_valid_utf8(payload)) {
      append_json_string(out, payload);
      return;
    }
    append_json_string(out, base64_encode(payload));
    out += ",\"payload_encoding\":\"base64\"";
  }

  char line_end_;
  JsonParser parser_;
};

}  // namespace

Result<std::unique_ptr<Encoder>> make_envelope_encoder(const EncoderOptions& options) {
  return std::unique_ptr<Encoder>(std::make_unique<EnvelopeEncoder>(options.line_end));
}

}  // namespace sea::codecs::detail
