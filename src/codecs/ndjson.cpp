// The `ndjson` decoder (the default input format): one JSON value per line, validated by
// simdjson's DOM parser, which checks structure and UTF-8 at several GB/s. Blank lines (empty or
// only whitespace) are skipped silently; a "\r\n" line end is accepted. With key_field, the
// message key is that top-level field of an object: a string as its unescaped text, any other
// value as its minified JSON text; a missing field (or a non-object line) means no key.
//
// Lines are parsed in place inside the caller's chunk whenever SIMDJSON_PADDING bytes follow
// them there, so the hot path copies nothing.
#include <fmt/format.h>

#include "codecs/internal.hpp"

namespace sea::codecs::detail {
namespace {

// Lifecycle: made by make_decoder, driven by one thread through feed()/finish().
class NdjsonDecoder final : public Decoder {
 public:
  explicit NdjsonDecoder(const DecoderOptions& options)
      : splitter_(options.max_message_bytes), key_field_(options.key_field) {}

  void feed(std::string_view chunk, FrameSink& sink) override {
    splitter_.feed(chunk, sink, [&](const Line& line) { on_line(line, sink); });
  }
  void finish(FrameSink& sink) override {
    splitter_.finish(sink, [&](const Line& line) { on_line(line, sink); });
  }

 private:
  void on_line(const Line& line, FrameSink& sink) {
    std::string_view text = line.text;
    if (text.empty() || is_blank(text)) return;
    simdjson::dom::element root;
    simdjson::error_code code = parser_.parse(text, line.readable_after).get(root);
    if (code != simdjson::SUCCESS) {
      DecodeError error;
      error.line = line.line;
      error.offset = line.offset;
      error.reason = fmt::format("invalid JSON: {}", simdjson::error_message(code));
      error.raw = text;
      sink.on_error(error);
      return;
    }
    Frame frame;
    frame.payload = text;
    if (!key_field_.empty()) take_key(root, frame);
    sink.on_frame(frame);
  }

  void take_key(simdjson::dom::element root, Frame& frame) {
    simdjson::dom::object object;
    if (root.get_object().get(object) != simdjson::SUCCESS) return;
    simdjson::dom::element value;
    if (object.at_key(key_field_).get(value) != simdjson::SUCCESS) return;
    frame.has_key = true;
    std::string_view text;
    if (value.get_string().get(text) == simdjson::SUCCESS) {
      frame.key = text;  // lives in the parser's string buffer until the next parse
      return;
    }
    key_text_ = simdjson::minify(value);
    frame.key = key_text_;
  }

  LineSplitter splitter_;
  std::string key_field_;
  JsonParser parser_;
  std::string key_text_;
};

}  // namespace

Result<std::unique_ptr<Decoder>> make_ndjson_decoder(const DecoderOptions& options) {
  return std::unique_ptr<Decoder>(std::make_unique<NdjsonDecoder>(options));
}

}  // namespace sea::codecs::detail
