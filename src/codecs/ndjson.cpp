// The `ndjson` decoder (the default input format): one JSON value per line, validated by
// simdjson's DOM parser, which checks structure and UTF-8 at several GB/s. Blank lines (empty or
// only whitespace) are skipped silently; a "\r\n" line end is accepted. With key_field, the
// message key is that top-level field of an object: a string as its unescaped text, any other
// value as its minified JSON text; a missing field (or a non-object line) means no key.
//
// Values that follow each other on one line (`{"a":4}{"b":5}`, `1 2`, as simdjson's document
// stream reads them) are split: this is what two FIFO writers give when the first one's last
// value had no newline and the reader did not see the end between them. A line is parsed whole
// first, so the common case costs one parse; only a line that fails is cut into values by
// split_values() and each value parsed on its own: the good ones are messages, and each run of
// bad ones between them is one error at its own byte. A line that is one value, or in which no
// value is good (plain text, say), is one error as before.
//
// Lines are parsed in place inside the caller's chunk whenever SIMDJSON_PADDING bytes follow
// them there, so the hot path copies nothing.
#include <cstring>

#include <fmt/format.h>

#include "codecs/internal.hpp"

namespace sea::codecs::detail {
namespace {

bool is_json_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Where the string whose opening quote is just before `from` ends: one past its closing quote,
// or n when it is not closed. Jumps from quote to quote with memchr (strings are most of a
// typical line); a quote preceded by an odd number of backslashes is escaped.
std::size_t string_end(std::string_view text, std::size_t from) {
  std::size_t i = from;
  while (true) {
    const void* found = std::memchr(text.data() + i, '"', text.size() - i);
    if (found == nullptr) return text.size();
    std::size_t at = static_cast<std::size_t>(static_cast<const char*>(found) - text.data());
    std::size_t backslashes = 0;
    while (at - backslashes > from && text[at - 1 - backslashes] == '\\') ++backslashes;
    i = at + 1;
    if (backslashes % 2 == 0) return i;
  }
}

// Cuts a line into the spans of the JSON values that follow each other in it, by brackets and
// strings alone (simdjson then validates each span): an object or array ends where its brackets
// balance, a string at its closing quote, any other token (a number, true, a stray byte) at the
// next whitespace, quote or opening bracket. Unbalanced brackets or an unclosed string run to the
// end of the line. Calls on_value(begin, end) with offsets into the line.
template <class OnValue>
void split_values(std::string_view text, OnValue&& on_value) {
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    if (is_json_space(text[i])) {
      ++i;
      continue;
    }
    std::size_t begin = i;
    char c = text[i];
    if (c == '"') {
      i = string_end(text, i + 1);
    } else if (c == '{' || c == '[') {
      std::uint64_t depth = 0;
      while (i < n) {
        char d = text[i++];
        if (d == '"') {
          i = string_end(text, i);
        } else if (d == '{' || d == '[') {
          ++depth;
        } else if ((d == '}' || d == ']') && --depth == 0) {
          break;
        }
      }
    } else {
      while (i < n && !is_json_space(text[i]) && text[i] != '{' && text[i] != '[' && text[i] != '"') ++i;
    }
    on_value(begin, i);
  }
}

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
    if (code == simdjson::SUCCESS) {
      emit(text, root, sink);
      return;
    }
    // 1. Not one value: is it several? Cut it (twice, rather than holding the spans: memory
    // stays the same for any line) and parse each value in place: the rest of the line and
    // what follows it are readable.
    auto parse_span = [&](std::size_t begin, std::size_t end) {
      return parser_.parse(text.substr(begin, end - begin), text.size() - end + line.readable_after).get(root);
    };
    std::size_t count = 0;
    bool any_good = false;
    split_values(text, [&](std::size_t begin, std::size_t end) {
      ++count;
      if (!any_good) any_good = parse_span(begin, end) == simdjson::SUCCESS;
    });
    // 2. Worth it only when a value is good and not the whole line: plain text stays one error.
    if (count <= 1 || !any_good) {
      report(line, code, sink, Part{});
      return;
    }
    // 3. In order: each good value is a message, each run of bad ones one error at its first byte.
    Part bad;  // the current run of bad values (first == 0: none)
    simdjson::error_code bad_code = simdjson::SUCCESS;
    std::size_t index = 0;
    split_values(text, [&](std::size_t begin, std::size_t end) {
      ++index;
      code = parse_span(begin, end);  // again: the cost falls on lines that held bad bytes only
      if (code != simdjson::SUCCESS) {
        if (bad.first == 0) {
          bad = Part{begin, index, index, count, {}};
          bad_code = code;
        }
        bad.last = index;
        bad.text = text.substr(bad.at, end - bad.at);
        return;
      }
      if (bad.first != 0) report(line, bad_code, sink, bad);
      bad = Part{};
      emit(text.substr(begin, end - begin), root, sink);
    });
    if (bad.first != 0) report(line, bad_code, sink, bad);
  }

  void emit(std::string_view payload, simdjson::dom::element root, FrameSink& sink) {
    Frame frame;
    frame.payload = payload;
    if (!key_field_.empty()) take_key(root, frame);
    sink.on_frame(frame);
  }

  // A run of the values a line was cut into: where it starts in the line, which of how many.
  struct Part {
    std::size_t at = 0;
    std::size_t first = 0;  // 1-based; 0: the whole line
    std::size_t last = 0;
    std::size_t count = 0;
    std::string_view text;
  };

  // A bad line, or a run of bad values in a line (at its own offset, with the line's number).
  static void report(const Line& line, simdjson::error_code code, FrameSink& sink, const Part& part) {
    DecodeError error;
    error.line = line.line;
    error.offset = line.offset + part.at;
    std::string_view message = simdjson::error_message(code);
    if (part.first == 0) {
      error.reason = fmt::format("invalid JSON: {}", message);
      error.raw = line.text;
    } else if (part.first == part.last) {
      error.reason = fmt::format("invalid JSON: value {} of the {} on this line: {}", part.first, part.count, message);
      error.raw = part.text;
    } else {
      error.reason = fmt::format("invalid JSON: values {} to {} of the {} on this line: {}", part.first, part.last,
                                 part.count, message);
      error.raw = part.text;
    }
    sink.on_error(error);
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
