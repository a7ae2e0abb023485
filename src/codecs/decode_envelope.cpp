// The envelope reader of envelope.hpp and the decoder built on it (DecoderOptions::envelope):
// one envelope per line, blank lines skipped as in ndjson, bad envelopes reported with their
// line and byte offset.
//
// Two simdjson passes over a line: the DOM parser validates the whole line and reads every
// field; when the payload is not a string, the On Demand parser finds that same value again
// and hands out its raw text, which the DOM cannot (it keeps numbers as binary values and
// objects as a tape). The DOM pass comes first so that nothing the On Demand pass skips over
// unchecked is ever accepted.
#include <charconv>

#include <fmt/format.h>

#include "codecs/envelope.hpp"
#include "codecs/internal.hpp"

namespace sea::codecs {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

template <class... Args>
Error envelope_error(fmt::format_string<Args...> format, Args&&... args) {
  return Error{Errc::parse, "bad envelope: " + fmt::format(format, std::forward<Args>(args)...), 0};
}

const char* json_type_name(element value) {
  switch (value.type()) {
    case element_type::ARRAY: return "an array";
    case element_type::OBJECT: return "an object";
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE: return "a number";
    case element_type::STRING: return "a string";
    case element_type::BOOL: return "a boolean";
    case element_type::NULL_VALUE: return "null";
  }
  return "a value";
}

// The envelope's named fields; `present` is set once a field was seen (null counts as absent
// for its meaning, not for the duplicate check).
enum EnvelopeField { kPayload, kPayloadEncoding, kKey, kKeyEncoding, kHeaders, kTs, kShard, kStream, kSeq, kEnvelopeFields };
constexpr std::string_view kEnvelopeFieldNames[kEnvelopeFields] = {"payload", "payload_encoding", "key",   "key_encoding",
                                                       "headers", "ts",               "shard", "stream", "seq"};

int envelope_field_index(std::string_view name) {
  for (int i = 0; i < kEnvelopeFields; ++i) {
    if (kEnvelopeFieldNames[i] == name) return i;
  }
  return -1;
}

bool is_json_null(element value) { return value.type() == element_type::NULL_VALUE; }

// "base64" or absent; `for_string` says whether the field it describes holds a string.
Result<bool> field_encoding(element value, std::string_view name, bool present, bool for_string) {
  if (!present || is_json_null(value)) return false;
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS || text != "base64")
    return envelope_error("\"{}\" must be \"base64\"", name);
  if (!for_string) return envelope_error("\"{}\" needs a string \"{}\"", name, name.substr(0, name.find('_')));
  return true;
}

Result<std::uint64_t> field_uint(element value, std::string_view name) {
  std::uint64_t n = 0;
  if (value.get_uint64().get(n) == simdjson::SUCCESS) return n;
  return envelope_error("\"{}\" must be a non-negative integer, not {}", name, json_type_name(value));
}

Result<Timestamp> field_timestamp(element value) {
  std::string_view text;
  if (value.get_string().get(text) == simdjson::SUCCESS) {
    Result<Timestamp> parsed = parse_time(text);
    if (!parsed) return envelope_error("\"ts\": {}", parsed.error().message);
    if (*parsed < 0) return envelope_error("\"ts\" {} is before 1970", text);
    return *parsed;
  }
  std::int64_t ms = 0;
  if (value.get_int64().get(ms) == simdjson::SUCCESS) {
    if (ms < 0) return envelope_error("\"ts\" must be milliseconds since 1970 (>= 0), not {}", ms);
    return ms;
  }
  return envelope_error("\"ts\" must be milliseconds since 1970 or a time string, not {}", json_type_name(value));
}

std::string_view trim_json_space(std::string_view text) {
  while (!text.empty() && detail::is_blank(text.substr(text.size() - 1))) text.remove_suffix(1);
  return text;
}

}  // namespace

const char* EnvelopeReader::padded(std::string_view line, std::size_t readable_after, std::size_t& capacity) {
  if (readable_after >= simdjson::SIMDJSON_PADDING) {
    capacity = line.size() + readable_after;
    return line.data();
  }
  const std::size_t needed = line.size() + simdjson::SIMDJSON_PADDING;
  if (needed > copy_capacity_) {
    copy_capacity_ = std::max(needed, copy_capacity_ * 2);
    copy_ = std::make_unique<char[]>(copy_capacity_);
  }
  std::memcpy(copy_.get(), line.data(), line.size());
  std::memset(copy_.get() + line.size(), ' ', simdjson::SIMDJSON_PADDING);
  capacity = needed;
  return copy_.get();
}

Result<void> EnvelopeReader::read(std::string_view line, std::size_t readable_after, Frame& out) {
  out = Frame{};
  // 1. Validate the whole line and gather the named fields.
  std::size_t capacity = 0;
  const char* text = padded(line, readable_after, capacity);
  element root;
  simdjson::error_code code = dom_.parse(text, line.size(), false).get(root);
  if (code != simdjson::SUCCESS) return envelope_error("invalid JSON: {}", simdjson::error_message(code));
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS)
    return envelope_error("an envelope is a JSON object, not {}", json_type_name(root));
  element fields[kEnvelopeFields];
  bool present[kEnvelopeFields] = {};
  for (simdjson::dom::key_value_pair field : object) {
    const int i = envelope_field_index(field.key);
    if (i < 0) continue;
    if (present[i]) return envelope_error("\"{}\" is given twice", kEnvelopeFieldNames[i]);
    present[i] = true;
    fields[i] = field.value;
  }
  auto given = [&](EnvelopeField f) { return present[f] && !is_json_null(fields[f]); };

  // 2. Key.
  if (given(kKey) && !fields[kKey].is_string()) return envelope_error("\"key\" must be a string or null, not {}", json_type_name(fields[kKey]));
  Result<bool> key_base64 = field_encoding(fields[kKeyEncoding], "key_encoding", present[kKeyEncoding], given(kKey));
  if (!key_base64) return key_base64.error();
  if (given(kKey)) {
    out.has_key = true;
    out.key = fields[kKey].get_string().value_unsafe();
    if (*key_base64) {
      if (!base64_decode(out.key, key_bytes_)) return envelope_error("\"key\" is not valid base64");
      out.key = key_bytes_;
    }
  }

  // 3. Headers.
  headers_.clear();
  if (given(kHeaders)) {
    simdjson::dom::object headers;
    if (fields[kHeaders].get_object().get(headers) != simdjson::SUCCESS)
      return envelope_error("\"headers\" must be an object, not {}", json_type_name(fields[kHeaders]));
    for (simdjson::dom::key_value_pair header : headers) {
      std::string_view value;
      if (header.value.get_string().get(value) != simdjson::SUCCESS)
        return envelope_error("header \"{}\" must be a string, not {}", header.key, json_type_name(header.value));
      headers_.push_back(HeaderView{header.key, value});
    }
    out.headers = headers_;
  }

  // 4. Position: ts, shard, stream, seq.
  if (given(kTs)) {
    Result<Timestamp> ts = field_timestamp(fields[kTs]);
    if (!ts) return ts.error();
    out.ts = *ts;
  }
  if (given(kShard)) {
    Result<std::uint64_t> shard = field_uint(fields[kShard], "shard");
    if (!shard) return shard.error();
    if (*shard >= kAnyShard) return envelope_error("\"shard\" {} is out of range", *shard);
    out.shard = static_cast<ShardId>(*shard);
  }
  if (given(kStream)) {
    if (!fields[kStream].is_string()) return envelope_error("\"stream\" must be a string, not {}", json_type_name(fields[kStream]));
    out.stream = fields[kStream].get_string().value_unsafe();
  }
  if (given(kSeq)) {
    Result<std::uint64_t> seq = field_uint(fields[kSeq], "seq");
    if (!seq) return seq.error();
  }

  // 5. Payload, last: its second pass invalidates nothing the DOM handed out.
  if (!present[kPayload]) return envelope_error("no \"payload\"");
  Result<bool> payload_base64 =
      field_encoding(fields[kPayloadEncoding], "payload_encoding", present[kPayloadEncoding], fields[kPayload].is_string());
  if (!payload_base64) return payload_base64.error();
  return take_payload(fields[kPayload], text, line.size(), capacity, *payload_base64, out);
}

Result<void> EnvelopeReader::take_payload(element value, const char* text, std::size_t size, std::size_t capacity,
                                          bool base64, Frame& out) {
  std::string_view string;
  if (value.get_string().get(string) == simdjson::SUCCESS) {
    out.payload = string;
    if (base64) {
      if (!base64_decode(string, payload_bytes_)) return envelope_error("\"payload\" is not valid base64");
      out.payload = payload_bytes_;
    }
    return {};
  }
  // The raw text of the value as written. Only a field name spelled with escapes
  // ("pay\u006coad") escapes On Demand's raw lookup; it gets the minified text instead.
  simdjson::ondemand::document doc;
  simdjson::ondemand::object object;
  simdjson::ondemand::value found;
  std::string_view raw;
  bool ok = ondemand_.iterate(text, size, capacity).get(doc) == simdjson::SUCCESS &&
            doc.get_object().get(object) == simdjson::SUCCESS &&
            object.find_field_unordered("payload").get(found) == simdjson::SUCCESS;
  if (ok) {
    simdjson::ondemand::json_type type;
    ok = found.type().get(type) == simdjson::SUCCESS;
    if (ok && type == simdjson::ondemand::json_type::object) {
      simdjson::ondemand::object inner;
      ok = found.get_object().get(inner) == simdjson::SUCCESS && inner.raw_json().get(raw) == simdjson::SUCCESS;
    } else if (ok && type == simdjson::ondemand::json_type::array) {
      simdjson::ondemand::array inner;
      ok = found.get_array().get(inner) == simdjson::SUCCESS && inner.raw_json().get(raw) == simdjson::SUCCESS;
    } else if (ok) {
      raw = found.raw_json_token();
    }
  }
  if (ok) {
    out.payload = trim_json_space(raw);
    return {};
  }
  payload_bytes_ = simdjson::minify(value);
  out.payload = payload_bytes_;
  return {};
}

namespace detail {
namespace {

// Lifecycle: made by make_decoder, driven by one thread through feed()/finish().
class EnvelopeDecoder final : public Decoder {
 public:
  explicit EnvelopeDecoder(const DecoderOptions& options) : splitter_(options.max_message_bytes) {}

  void feed(std::string_view chunk, FrameSink& sink) override {
    splitter_.feed(chunk, sink, [&](const Line& line) { on_line(line, sink); });
  }
  void finish(FrameSink& sink) override {
    splitter_.finish(sink, [&](const Line& line) { on_line(line, sink); });
  }

 private:
  void on_line(const Line& line, FrameSink& sink) {
    if (line.text.empty() || is_blank(line.text)) return;
    Frame frame;
    Result<void> read = reader_.read(line.text, line.readable_after, frame);
    if (!read) {
      DecodeError error;
      error.line = line.line;
      error.offset = line.offset;
      error.reason = read.error().message;
      error.raw = line.text;
      sink.on_error(error);
      return;
    }
    sink.on_frame(frame);
  }

  LineSplitter splitter_;
  EnvelopeReader reader_;
};

}  // namespace

Result<std::unique_ptr<Decoder>> make_envelope_decoder(const DecoderOptions& options) {
  return std::unique_ptr<Decoder>(std::make_unique<EnvelopeDecoder>(options));
}

}  // namespace detail
}  // namespace sea::codecs
