// Pieces shared by the codec files and not part of the public interface: the factory of each
// format (listed in registry.cpp's tables), the line splitter used by the line-based decoders,
// the padded simdjson parser and the record-to-JSON builder of csv and tsv.
//
// Everything here is single-threaded: an instance belongs to one decoder or encoder and is used
// from whichever thread drives it.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "codecs/codec.hpp"

namespace sea::codecs::detail {

// One factory per format; registry.cpp maps names to them.
Result<std::unique_ptr<Decoder>> make_ndjson_decoder(const DecoderOptions& options);
Result<std::unique_ptr<Decoder>> make_lines_decoder(const DecoderOptions& options);
Result<std::unique_ptr<Decoder>> make_csv_decoder(const DecoderOptions& options);
Result<std::unique_ptr<Decoder>> make_tsv_decoder(const DecoderOptions& options);
Result<std::unique_ptr<Decoder>> make_msgpack_decoder(const DecoderOptions& options);
Result<std::unique_ptr<Decoder>> make_binary_decoder(const DecoderOptions& options);
Result<std::unique_ptr<Decoder>> make_envelope_decoder(const DecoderOptions& options);  // options.envelope

Result<std::unique_ptr<Encoder>> make_raw_encoder(const EncoderOptions& options);
Result<std::unique_ptr<Encoder>> make_envelope_encoder(const EncoderOptions& options);
Result<std::unique_ptr<Encoder>> make_format_encoder(const EncoderOptions& options);
Result<std::unique_ptr<Encoder>> make_csv_encoder(const EncoderOptions& options);
Result<std::unique_ptr<Encoder>> make_tsv_encoder(const EncoderOptions& options);
Result<std::unique_ptr<Encoder>> make_msgpack_encoder(const EncoderOptions& options);
Result<std::unique_ptr<Encoder>> make_binary_encoder(const EncoderOptions& options);

// One complete line handed out by LineSplitter: the bytes without "\n" (and without a "\r"
// before it), where it started, and how many bytes after it may still be read (a parser that
// reads ahead, like simdjson, can then parse in place instead of copying).
struct Line {
  std::string_view text;
  std::uint64_t line = 0;
  std::uint64_t offset = 0;
  std::size_t readable_after = 0;
};

// Cuts a byte stream into lines, whatever the chunking. A line with more than max_bytes bytes is
// reported to the sink as an error and skipped as it streams by: at most max_bytes + 1 bytes of
// a partial line are ever held. Lifecycle: one per decoder; finish() ends one writer's input.
class LineSplitter {
 public:
  explicit LineSplitter(std::size_t max_bytes) : max_(max_bytes) {}

  template <class OnLine>
  void feed(std::string_view chunk, FrameSink& sink, OnLine&& on_line);
  template <class OnLine>
  void finish(FrameSink& sink, OnLine&& on_line);

 private:
  void append_partial(const char* data, std::size_t size, FrameSink& sink);
  void report_oversized(std::string_view head, FrameSink& sink);
  // Checks the length of a complete line and hands it on; returns nothing, errors go to sink.
  template <class OnLine>
  void deliver(std::string_view text, std::size_t readable_after, FrameSink& sink, OnLine& on_line);

  std::size_t max_;
  std::string partial_;        // the current line's bytes from earlier chunks
  bool oversized_ = false;     // the current line was reported too long; drop its bytes
  std::uint64_t line_ = 1;     // line number of the current line
  std::uint64_t start_ = 0;    // byte offset of the current line
  std::uint64_t consumed_ = 0; // bytes fed so far, across writers
};

template <class OnLine>
void LineSplitter::deliver(std::string_view text, std::size_t readable_after, FrameSink& sink,
                           OnLine& on_line) {
  if (!text.empty() && text.back() == '\r') {
    text.remove_suffix(1);
    ++readable_after;
  }
  if (text.size() > max_) {
    report_oversized(text.substr(0, max_), sink);
    return;
  }
  on_line(Line{text, line_, start_, readable_after});
}

template <class OnLine>
void LineSplitter::feed(std::string_view chunk, FrameSink& sink, OnLine&& on_line) {
  const char* p = chunk.data();
  const char* end = p + chunk.size();
  while (p < end) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
    if (nl == nullptr) {
      append_partial(p, static_cast<std::size_t>(end - p), sink);
      consumed_ += static_cast<std::size_t>(end - p);
      return;
    }
    std::size_t size = static_cast<std::size_t>(nl - p);
    consumed_ += size + 1;
    if (partial_.empty() && !oversized_) {
      deliver(std::string_view(p, size), static_cast<std::size_t>(end - nl), sink, on_line);
    } else {
      append_partial(p, size, sink);
      if (!oversized_) deliver(partial_, 0, sink, on_line);
    }
    partial_.clear();
    oversized_ = false;
    ++line_;
    start_ = consumed_;
    p = nl + 1;
  }
}

template <class OnLine>
void LineSplitter::finish(FrameSink& sink, OnLine&& on_line) {
  if (partial_.empty() && !oversized_) return;
  if (!oversized_) deliver(partial_, 0, sink, on_line);
  partial_.clear();
  oversized_ = false;
  ++line_;
  start_ = consumed_;
}

// A simdjson DOM parser that honours SIMDJSON_PADDING: it parses in place when enough bytes
// after the text are readable, else from its own padded copy. The returned element lives until
// the next parse.
class JsonParser {
 public:
  simdjson::simdjson_result<simdjson::dom::element> parse(std::string_view text,
                                                          std::size_t readable_after = 0);

 private:
  simdjson::dom::parser parser_;
  std::unique_ptr<char[]> copy_;
  std::size_t copy_capacity_ = 0;
};

// Whether the bytes are only JSON whitespace (space, tab, CR, LF): blank ndjson lines.
bool is_blank(std::string_view text);

// One field of a csv/tsv record; `null` marks PostgreSQL's \N in tsv.
struct Field {
  std::string_view text;
  bool null = false;
};

// Turns csv/tsv records into JSON frames: the first record of each writer is the header (when
// options.header), the others become objects keyed by it, or arrays without a header. Owns the
// header and the output buffer. Lifecycle: one per decoder; reset() when a writer ends.
class RecordBuilder {
 public:
  explicit RecordBuilder(const DecoderOptions& options) : options_(options) {}

  // Emits a frame or an error for one record that started at (line, offset).
  void add(const std::vector<Field>& fields, std::uint64_t line, std::uint64_t offset,
           std::string_view raw, FrameSink& sink);
  void reset() { have_header_ = false; }

 private:
  const DecoderOptions& options_;
  bool have_header_ = false;
  std::vector<std::string> keys_;  // each header name as a JSON string followed by ':'
  std::size_t key_index_ = 0;      // column of options.key_field, or keys_.size() if absent
  std::string json_;
};

}  // namespace sea::codecs::detail

namespace sea::codecs::detail {

// MessagePack <-> JSON (msgpack_json.cpp). msgpack_to_json converts one complete object:
// bin as a base64 string, ext as {"ext_type":T,"data":"<base64>"}, a non-string map key as its
// JSON text in a string, a non-finite float as null, invalid UTF-8 in str as U+FFFD. Nesting
// deeper than kMaxMsgpackDepth is an error (the conversion recurses), and so is JSON text longer
// than max_bytes (found as soon as it grows past it, not after). json_to_msgpack appends the
// msgpack form of a parsed JSON value (integers as ints, other numbers as float64).
inline constexpr std::size_t kMaxMsgpackDepth = 512;
Result<void> msgpack_to_json(std::string_view object_bytes, std::string& out, std::size_t max_bytes);
void json_to_msgpack(simdjson::dom::element value, std::string& out);

// Whether the bytes are exactly one complete MessagePack object, nothing missing and nothing
// after it (msgpack.cpp, the decoder's framing rules without its state): the msgpack encoder
// writes such a payload as it is. No allocation; O(number of headers).
bool is_one_msgpack_object(std::string_view bytes);

}  // namespace sea::codecs::detail
