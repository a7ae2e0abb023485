// The `tsv` decoder: IANA text/tab-separated-values. One record per line, fields split on tabs,
// no quoting (a '"' is an ordinary character); a "\r\n" line end is accepted and empty lines are
// skipped. Records become JSON through RecordBuilder, as for csv.
//
// With tsv_escapes, fields are read as PostgreSQL's COPY text format writes them: \t, \n, \r
// and \\ stand for tab, line feed, carriage return and backslash, and a field that is exactly \N is
// SQL NULL (JSON null), so that COPY output reads back without errors. Any other escape, or a
// backslash ending the line, is an error naming the byte offset of the backslash.
#include <fmt/format.h>

#include "codecs/internal.hpp"

namespace sea::codecs::detail {
namespace {

// Lifecycle: made by make_decoder, driven by one thread through feed()/finish().
class TsvDecoder final : public Decoder {
 public:
  explicit TsvDecoder(const DecoderOptions& options)
      : options_(options), splitter_(options.max_message_bytes), builder_(options_) {}

  void feed(std::string_view chunk, FrameSink& sink) override {
    splitter_.feed(chunk, sink, [&](const Line& line) { on_line(line, sink); });
  }
  void finish(FrameSink& sink) override {
    splitter_.finish(sink, [&](const Line& line) { on_line(line, sink); });
    builder_.reset();
  }

 private:
  void on_line(const Line& line, FrameSink& sink) {
    if (line.text.empty()) return;
    record_.clear();
    unescaped_.clear();
    // Unescaped fields are appended to one buffer; remember (begin, end) pairs first, because
    // the buffer may move while it grows.
    spans_.clear();
    std::string_view text = line.text;
    std::size_t begin = 0;
    while (true) {
      std::size_t tab = text.find('\t', begin);
      std::size_t end = tab == std::string_view::npos ? text.size() : tab;
      std::string_view field = text.substr(begin, end - begin);
      if (options_.tsv_escapes) {
        if (!unescape(field, line, begin, sink)) return;
      } else {
        record_.push_back(Field{field, false});
      }
      if (tab == std::string_view::npos) break;
      begin = tab + 1;
    }
    if (options_.tsv_escapes) {
      for (const Span& span : spans_) {
        record_.push_back(Field{std::string_view(unescaped_).substr(span.begin, span.end - span.begin),
                                span.null});
      }
    }
    builder_.add(record_, line.line, line.offset, line.text, sink);
  }

  struct Span {
    std::size_t begin;
    std::size_t end;
    bool null;
  };

  // Decodes one field into unescaped_; false (after reporting) on a bad escape.
  bool unescape(std::string_view field, const Line& line, std::size_t field_begin, FrameSink& sink) {
    std::size_t start = unescaped_.size();
    if (field == "\\N") {
      spans_.push_back(Span{start, start, true});
      return true;
    }
    for (std::size_t i = 0; i < field.size(); ++i) {
      char c = field[i];
      if (c != '\\') {
        unescaped_ += c;
        continue;
      }
      std::uint64_t at = line.offset + field_begin + i;
      if (i + 1 == field.size()) {
        bad_escape(line, fmt::format("backslash at the end of field {} (byte {})",
                                     spans_.size() + 1, at), sink);
        return false;
      }
      char next = field[++i];
      switch (next) {
        case 't': unescaped_ += '\t'; break;
        case 'n': unescaped_ += '\n'; break;
        case 'r': unescaped_ += '\r'; break;
        case '\\': unescaped_ += '\\'; break;
        default:
          bad_escape(line, fmt::format("unknown escape '\\{}' in field {} (byte {})", next,
                                       spans_.size() + 1, at), sink);
          return false;
      }
    }
    spans_.push_back(Span{start, unescaped_.size(), false});
    return true;
  }

  static void bad_escape(const Line& line, std::string reason, FrameSink& sink) {
    DecodeError error;
    error.line = line.line;
    error.offset = line.offset;
    error.reason = std::move(reason);
    error.raw = line.text;
    sink.on_error(error);
  }

  DecoderOptions options_;
  LineSplitter splitter_;
  RecordBuilder builder_;
  std::vector<Field> record_;
  std::vector<Span> spans_;
  std::string unescaped_;
};

}  // namespace

Result<std::unique_ptr<Decoder>> make_tsv_decoder(const DecoderOptions& options) {
  return std::unique_ptr<Decoder>(std::make_unique<TsvDecoder>(options));
}

}  // namespace sea::codecs::detail
