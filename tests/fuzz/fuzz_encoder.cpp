// libFuzzer target for the output encoders: kcat-style format strings, NDJSON envelopes, csv,
// tsv, msgpack, binary and raw. The first byte picks the encoder, the next bytes build a
// message (stream, shard, seq, any timestamp, optional key, up to three headers, payload) and,
// for format strings, the format. Invariants checked:
//   - format strings: make_encoder accepts exactly what a small reference model accepts, and
//     the encoded bytes equal the model's;
//   - envelopes: one line of valid JSON whose stream, shard, seq, ts and payload read back to
//     the message (payload as JSON, string or base64 as the encoder chose);
//   - msgpack: one complete object; binary: the 4-byte length and the payload;
//   - csv/tsv: encoding never crashes for any payload (JSON object or not);
//   - every encoder is deterministic: the same message twice gives the same bytes twice.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <msgpack.hpp>
#include <nlohmann/json.hpp>

#include "codecs/codec.hpp"
#include "fuzz_util.hpp"

namespace {

using sea::fuzz::shown;

// The format-string language as codec.hpp documents it; nullopt-like "" + false when invalid.
bool reference_format(std::string_view format, const sea::MessageView& m, std::string& out) {
  for (std::size_t i = 0; i < format.size(); ++i) {
    char c = format[i];
    if (c != '%' && c != '\\') {
      out += c;
      continue;
    }
    if (i + 1 == format.size()) return false;
    char next = format[++i];
    if (c == '\\') {
      if (next == 'n') out += '\n';
      else if (next == 't') out += '\t';
      else if (next == 'r') out += '\r';
      else if (next == '\\') out += '\\';
      else if (next == '0') out += '\0';
      else return false;
      continue;
    }
    switch (next) {
      case '%': out += '%'; break;
      case 't': out += m.stream; break;
      case 'p': out += std::to_string(m.shard); break;
      case 'o': out += std::to_string(m.seq); break;
      case 'T': out += std::to_string(m.ts); break;
      case 'k': if (m.has_key) out += m.key; break;
      case 'K': out += m.has_key ? std::to_string(m.key.size()) : "-1"; break;
      case 's': out += m.payload; break;
      case 'S': out += std::to_string(m.payload.size()); break;
      case 'h':
        for (std::size_t h = 0; h < m.headers.size(); ++h) {
          if (h > 0) out += ',';
          out += m.headers[h].key;
          out += '=';
          out += m.headers[h].value;
        }
        break;
      default: return false;
    }
  }
  return true;
}

std::string base64_decode(std::string_view text) {
  static const std::string kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=') break;
    std::size_t v = kAlphabet.find(c);
    if (v == std::string::npos) return "<bad base64>";
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

// Finds numbers outside the 64-bit integer and double ranges, which sea (simdjson) documents
// as not JSON it carries as JSON: RFC 8259 section 6 lets an implementation limit them.
struct RangeCheck : nlohmann::json_sax<nlohmann::json> {
  bool out_of_range = false;
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t value, const string_t& text) override {
    if (!std::isfinite(value) || text.find_first_of(".eE") == std::string::npos) out_of_range = true;
    return true;
  }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }
};

// nlohmann's lexer takes a NUL byte for the end of the input, so "1\0x" would pass; JSON text
// never holds a raw NUL.
bool is_json(std::string_view text) {
  if (text.find('\0') != std::string_view::npos) return false;
  RangeCheck check;
  return nlohmann::json::sax_parse(text, &check) && !check.out_of_range;
}

void check_envelope(const sea::MessageView& m, const std::string& out) {
  FUZZ_CHECK(!out.empty() && out.back() == '\n', "envelope does not end its line");
  FUZZ_CHECK(out.find('\n') == out.size() - 1, "envelope spans lines: " + shown(out));
  nlohmann::json env = nlohmann::json::parse(out, nullptr, false);
  FUZZ_CHECK(!env.is_discarded(), "envelope is not JSON: " + shown(out));
  if (sea::codecs::is_valid_utf8(m.stream)) FUZZ_CHECK(env["stream"] == std::string(m.stream), "stream: " + shown(out));
  FUZZ_CHECK(env["shard"] == m.shard && env["seq"] == m.seq && env["ts"] == m.ts, "position: " + shown(out));
  const nlohmann::json& payload = env["payload"];
  if (env.contains("payload_encoding")) {
    FUZZ_CHECK(base64_decode(payload.get<std::string>()) == m.payload, "base64 payload: " + shown(out));
  } else {
    // A JSON payload is carried as the same JSON value, except a JSON string ("a" with its
    // quotes, blanks around it or not): that is carried as a string of its text, so that it
    // reads back as the same bytes (a value "a" would read back as the payload a).
    nlohmann::json original = nlohmann::json::parse(m.payload, nullptr, false);
    const bool json = is_json(m.payload) && !original.is_discarded();
    if (payload.is_string()) {
      FUZZ_CHECK(payload.get<std::string>() == m.payload, "string payload: " + shown(out));
      FUZZ_CHECK(!json || original.is_string(), "JSON payload carried as a string: " + shown(out));
    } else if (json) {
      FUZZ_CHECK(payload == original, "JSON payload changed: " + shown(out));
    }
  }
  if (m.has_key && sea::codecs::is_valid_utf8(m.key)) FUZZ_CHECK(env["key"] == std::string(m.key), "key: " + shown(out));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  sea::fuzz::InputReader in(data, size);
  std::uint8_t which = in.byte();
  std::uint8_t flags = in.byte();

  // 1. The message.
  std::string stream(in.take(in.byte() % 16));
  sea::MessageView m;
  m.stream = stream;
  m.shard = in.u32();
  m.seq = (std::uint64_t(in.u32()) << 32) | in.u32();
  m.ts = static_cast<sea::Timestamp>((std::uint64_t(in.u32()) << 32) | in.u32());
  std::string key(in.take(in.byte() % 32));
  m.has_key = (flags & 1) != 0;
  m.key = key;
  std::vector<std::string> header_text;
  std::vector<sea::HeaderView> headers;
  std::size_t header_count = (flags >> 1) & 3;
  header_text.reserve(header_count * 2);
  for (std::size_t i = 0; i < header_count; ++i) {
    header_text.emplace_back(in.take(in.byte() % 8));
    header_text.emplace_back(in.take(in.byte() % 16));
  }
  for (std::size_t i = 0; i < header_count; ++i) headers.push_back({header_text[2 * i], header_text[2 * i + 1]});
  m.headers = headers;
  std::string format(in.take(which >= 0x80 ? in.byte() : 0));
  std::string payload(in.rest());
  m.payload = payload;

  // 2. The encoder.
  static const char* const kNames[] = {"raw", "ndjson", "lines", "csv", "tsv", "msgpack", "binary"};
  sea::codecs::EncoderOptions options;
  std::string name = "raw";
  // An empty format string means "no format string": the raw encoder.
  if (which >= 0x80 && format.empty()) which = 0;
  if (which >= 0x80) {
    options.format_string = format;
  } else if ((which & 7) == 7) {
    options.envelope = true;
  } else {
    name = kNames[which & 7];
  }
  options.header = (flags & 8) != 0;
  options.delimiter = (flags & 16) ? ';' : ',';
  sea::Result<std::unique_ptr<sea::codecs::Encoder>> encoder = sea::codecs::make_encoder(name, options);

  std::string expected;
  bool valid = which < 0x80 || reference_format(format, m, expected);
  if (which >= 0x80) {
    FUZZ_CHECK(encoder.ok() == valid, "format " + shown(format) + ": make_encoder " +
                                          (encoder.ok() ? "accepted" : "refused: " + encoder.error().message));
  } else {
    FUZZ_CHECK(encoder.ok(), "make_encoder refused " + name);
  }
  if (!encoder.ok()) return 0;

  // 3. Encode twice and check.
  std::string first, second;
  (*encoder)->encode(m, first);
  std::size_t first_size = first.size();
  (*encoder)->encode(m, second);
  if (name != "csv" && name != "tsv") {  // csv/tsv write a header row before the first record only
    FUZZ_CHECK(first == second, "encoder " + name + " is not deterministic");
  }
  if (which >= 0x80) FUZZ_CHECK(first == expected, "format " + shown(format) + " gave " + shown(first) + ", want " + shown(expected));
  if (options.envelope) check_envelope(m, first);
  if (name == "binary") {
    FUZZ_CHECK(first_size == payload.size() + 4 && first.substr(4) == payload, "binary frame");
  }
  if (name == "msgpack") {
    try {
      std::size_t off = 0;
      msgpack::object_handle handle = msgpack::unpack(first.data(), first.size(), off);
      FUZZ_CHECK(off == first.size(), "msgpack output has trailing bytes");
    } catch (const std::exception& e) {
      FUZZ_CHECK(false, std::string("msgpack output does not unpack: ") + e.what() + " for " + shown(payload));
    }
  }
  return 0;
}
