// The `lines` decoder: one message per line, bytes as they are, no validation. A "\r\n" line
// end is accepted (the "\r" is not part of the message). Empty lines are skipped, as kcat -P
// does by default (it produces one message per line and drops empty ones unless told to send
// them as empty messages); a line holding only spaces is a message.
//
// With key_delimiter (kcat -K), a line is split at the first occurrence of the delimiter: the
// bytes before it are the key, the bytes after it the payload ("k:" is key "k" with an empty
// payload, ":v" an empty key). A line without the delimiter is, as in kcat, all payload and no
// key.
#include "codecs/internal.hpp"

namespace sea::codecs::detail {
namespace {

// Lifecycle: made by make_decoder, driven by one thread through feed()/finish().
class LinesDecoder final : public Decoder {
 public:
  explicit LinesDecoder(const DecoderOptions& options)
      : splitter_(options.max_message_bytes), key_delimiter_(options.key_delimiter) {}

  void feed(std::string_view chunk, FrameSink& sink) override {
    splitter_.feed(chunk, sink, [&](const Line& line) { on_line(line, sink); });
  }
  void finish(FrameSink& sink) override {
    splitter_.finish(sink, [&](const Line& line) { on_line(line, sink); });
  }

 private:
  void on_line(const Line& line, FrameSink& sink) const {
    if (line.text.empty()) return;
    Frame frame;
    frame.payload = line.text;
    if (!key_delimiter_.empty()) {
      const std::size_t at = line.text.find(key_delimiter_);
      if (at != std::string_view::npos) {
        frame.has_key = true;
        frame.key = line.text.substr(0, at);
        frame.payload = line.text.substr(at + key_delimiter_.size());
      }
    }
    sink.on_frame(frame);
  }

  LineSplitter splitter_;
  std::string key_delimiter_;
};

}  // namespace

Result<std::unique_ptr<Decoder>> make_lines_decoder(const DecoderOptions& options) {
  return std::unique_ptr<Decoder>(std::make_unique<LinesDecoder>(options));
}

}  // namespace sea::codecs::detail
