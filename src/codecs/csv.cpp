// The `csv` decoder: RFC 4180 records. A quoted field may hold the delimiter, doubled quotes and
// line breaks; a "\r\n" record end is accepted. Records become JSON through RecordBuilder (header
// row → objects, or arrays with header=false). Empty lines between records are skipped.
//
// The parser is a byte-at-a-time state machine, so any chunking gives the same result. Memory is
// bounded by max_message_bytes: a longer record keeps being parsed (to find where it ends, which
// quoting decides) but its bytes are no longer kept, and it is reported when it ends.
// A malformed record (a quote inside an unquoted field, a character after a closing quote) is
// reported once its line ends; parsing resumes at the next line, because after such an error the
// quoting state cannot be trusted.
#include <fmt/format.h>

#include "codecs/internal.hpp"

namespace sea::codecs::detail {
namespace {

std::string show_byte(char c) {
  auto b = static_cast<unsigned char>(c);
  if (b >= 0x21 && b < 0x7F) return fmt::format("'{}'", c);
  return fmt::format("0x{:02x}", b);
}

// Lifecycle: made by make_decoder, driven by one thread through feed()/finish().
class CsvDecoder final : public Decoder {
 public:
  explicit CsvDecoder(const DecoderOptions& options)
      : options_(options), max_(options.max_message_bytes), builder_(options_) {}

  void feed(std::string_view chunk, FrameSink& sink) override {
    for (char c : chunk) {
      step(c, sink);
      ++consumed_;
    }
  }

  void finish(FrameSink& sink) override {
    if (in_record_) {
      switch (state_) {
        case State::quoted:
          report(fmt::format("unbalanced quote: field {} is still quoted at the end of the input",
                             field_count_ + 1),
                 sink);
          reset_record();
          break;
        case State::skip_line:
          end_record(sink);
          break;
        case State::unquoted:
          strip_cr();
          [[fallthrough]];
        default:
          end_field();
          end_record(sink);
      }
      ++line_;  // the writer's last line had no line end
    }
    builder_.reset();
  }

 private:
  enum class State : std::uint8_t { field_start, unquoted, quoted, quote_in_quoted, closing_cr, skip_line };

  void step(char c, FrameSink& sink) {
    if (!in_record_) {
      if (c == '\n') {  // an empty line between records
        ++line_;
        return;
      }
      in_record_ = true;
      record_offset_ = consumed_;
      record_line_ = line_;
    }
    bool ends_line = c == '\n';
    if (!ends_line || state_ == State::quoted) keep_raw(c);
    switch (state_) {
      case State::field_start:
        if (c == options_.quote) {
          state_ = State::quoted;
        } else if (c == options_.delimiter) {
          end_field();
        } else if (ends_line) {
          end_field();
          end_record(sink);
        } else {
          store(c);
          state_ = State::unquoted;
        }
        break;
      case State::unquoted:
        if (c == options_.delimiter) {
          end_field();
          state_ = State::field_start;
        } else if (ends_line) {
          strip_cr();
          end_field();
          end_record(sink);
        } else if (c == options_.quote) {
          malformed(fmt::format("quote inside unquoted field {} (byte {})", field_count_ + 1, consumed_));
        } else {
          store(c);
        }
        break;
      case State::quoted:
        if (c == options_.quote) {
          state_ = State::quote_in_quoted;
        } else {
          store(c);
        }
        break;
      case State::quote_in_quoted:
        if (c == options_.quote) {  // "" is one literal quote
          store(c);
          state_ = State::quoted;
        } else if (c == options_.delimiter) {
          end_field();
          state_ = State::field_start;
        } else if (ends_line) {
          end_field();
          end_record(sink);
        } else if (c == '\r') {
          state_ = State::closing_cr;
        } else {
          malformed(fmt::format("character {} after the closing quote of field {} (byte {})",
                                show_byte(c), field_count_ + 1, consumed_));
        }
        break;
      case State::closing_cr:
        if (ends_line) {
          end_field();
          end_record(sink);
        } else {
          malformed(fmt::format("character '\\r' after the closing quote of field {} (byte {})",
                                field_count_ + 1, consumed_ - 1));
        }
        break;
      case State::skip_line:
        if (ends_line) end_record(sink);
        break;
    }
    if (ends_line) ++line_;
  }

  void keep_raw(char c) {
    ++record_bytes_;
    if (raw_.size() < max_) raw_ += c;
    // One byte of slack for the "\r" of a "\r\n" record end.
    if (record_bytes_ > max_ + 1 && !oversized_) {
      oversized_ = true;
      fields_.clear();
      ends_.clear();
    }
  }
  void store(char c) {
    if (!oversized_) fields_ += c;
  }
  void strip_cr() {
    std::size_t begin = ends_.empty() ? 0 : ends_.back();
    if (!oversized_ && fields_.size() > begin && fields_.back() == '\r') fields_.pop_back();
  }
  void end_field() {
    ++field_count_;
    if (!oversized_) ends_.push_back(fields_.size());
  }
  void malformed(std::string reason) {
    pending_reason_ = std::move(reason);
    state_ = State::skip_line;
  }
  void report(std::string reason, FrameSink& sink) {
    DecodeError error;
    error.line = record_line_;
    error.offset = record_offset_;
    error.reason = std::move(reason);
    error.raw = raw_;
    sink.on_error(error);
  }

  void end_record(FrameSink& sink) {
    if (state_ == State::skip_line) {
      report(std::move(pending_reason_), sink);
    } else if (oversized_) {
      report(fmt::format("record longer than max_message_bytes ({} bytes); skipped", max_), sink);
    } else if (!(raw_.empty() || raw_ == "\r")) {  // a line holding only "\r" is an empty line
      record_.clear();
      std::size_t begin = 0;
      for (std::size_t end : ends_) {
        record_.push_back(Field{std::string_view(fields_).substr(begin, end - begin), false});
        begin = end;
      }
      builder_.add(record_, record_line_, record_offset_, raw_, sink);
    }
    reset_record();
  }

  void reset_record() {
    in_record_ = false;
    oversized_ = false;
    state_ = State::field_start;
    fields_.clear();
    ends_.clear();
    raw_.clear();
    record_bytes_ = 0;
    field_count_ = 0;
  }

  DecoderOptions options_;
  std::size_t max_;
  RecordBuilder builder_;
  State state_ = State::field_start;
  bool in_record_ = false;
  bool oversized_ = false;
  std::string fields_;              // the current record's field bytes, unquoted, back to back
  std::vector<std::size_t> ends_;   // where each finished field ends in fields_
  std::vector<Field> record_;       // views into fields_ handed to the builder
  std::string raw_;                 // the record's input bytes (at most max_), for errors
  std::string pending_reason_;      // a malformed record's error, reported at its line end
  std::size_t record_bytes_ = 0;
  std::size_t field_count_ = 0;
  std::uint64_t consumed_ = 0;
  std::uint64_t line_ = 1;
  std::uint64_t record_line_ = 1;
  std::uint64_t record_offset_ = 0;
};

}  // namespace

Result<std::unique_ptr<Decoder>> make_csv_decoder(const DecoderOptions& options) {
  if (options.delimiter == options.quote) {
    return make_error(Errc::invalid_argument, "csv delimiter and quote must differ (both are '{}')",
                      options.delimiter);
  }
  for (char c : {options.delimiter, options.quote}) {
    if (c == '\n' || c == '\r') {
      return make_error(Errc::invalid_argument, "csv delimiter and quote cannot be a line break");
    }
  }
  return std::unique_ptr<Decoder>(std::make_unique<CsvDecoder>(options));
}

}  // namespace sea::codecs::detail
