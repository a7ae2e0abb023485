// The `csv` and `tsv` encoders. A JSON object payload is a row: the first object's keys are the
// columns (and the header row, with options.header) and every later object is written in that
// column order; a key the first object lacked is dropped and a missing one is an empty field.
// A JSON array is a row of its elements; any other payload (a JSON scalar, or bytes that are not
// JSON) is a row of one field. String values are written as their text; null as an empty field
// (csv) or \N (tsv); numbers, booleans and nested values as their minified JSON text.
//
// csv quotes a field per RFC 4180 when it holds the delimiter, a quote or a line break, and a row
// that is one empty field is written as "" (an empty line would be skipped as no record). tsv has
// no quoting, so tabs, line breaks and backslashes are escaped as PostgreSQL's text format does
// (\t \n \r \\), which the tsv decoder reads back with tsv_escapes. Rows end with line_end, or
// "\r\n" with crlf (RFC 4180's line ending; what Python's csv module writes).
//
// What the csv and tsv decoders store (an object with the header's keys, in order) is written
// back positionally, so csv in, csv out is the identity even when header names repeat.
#include "codecs/internal.hpp"

namespace sea::codecs::detail {
namespace {

// Remembers the columns of the first object; used on the thread that consumes.
class TableEncoder final : public Encoder {
 public:
  TableEncoder(const EncoderOptions& options, bool tsv)
      : delimiter_(tsv ? '\t' : options.delimiter), header_(options.header), tsv_(tsv),
        line_end_(options.crlf ? std::string("\r\n") : std::string(1, options.line_end)) {}

  void encode(const MessageView& message, std::string& out) override {
    row_begin_ = out.size();
    row_fields_ = 1;
    simdjson::dom::element root;
    bool json = !is_blank(message.payload) && parser_.parse(message.payload).get(root) == simdjson::SUCCESS;
    if (!json) {
      write_field(message.payload, out);
    } else if (root.is_object()) {
      simdjson::dom::object object;
      SEA_ASSERT(root.get_object().get(object) == simdjson::SUCCESS, "is_object() said so");
      write_object(object, out);
    } else if (root.is_array()) {
      simdjson::dom::array array;
      SEA_ASSERT(root.get_array().get(array) == simdjson::SUCCESS, "is_array() said so");
      row_fields_ = array.size();
      bool first = true;
      for (simdjson::dom::element item : array) {
        if (!first) out += delimiter_;
        first = false;
        write_value(item, out);
      }
    } else {
      write_value(root, out);
    }
    if (!tsv_ && row_fields_ == 1 && out.size() == row_begin_) out += "\"\"";
    out += line_end_;
    wrote_row_ = true;
  }

 private:
  void write_object(simdjson::dom::object object, std::string& out) {
    if (!have_columns_) {
      have_columns_ = true;
      for (simdjson::dom::key_value_pair field : object) columns_.emplace_back(field.key);
      // A header in the middle of the output would read as data, so only the first row gets one.
      if (header_ && !wrote_row_) {
        std::size_t start = out.size();
        for (std::size_t i = 0; i < columns_.size(); ++i) {
          if (i > 0) out += delimiter_;
          write_field(columns_[i], out);
        }
        if (!tsv_ && columns_.size() == 1 && out.size() == start) out += "\"\"";
        out += line_end_;
      }
    }
    row_begin_ = out.size();
    row_fields_ = columns_.size();
    if (in_column_order(object)) {
      std::size_t i = 0;
      for (simdjson::dom::key_value_pair field : object) {
        if (i++ > 0) out += delimiter_;
        write_value(field.value, out);
      }
      return;
    }
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      if (i > 0) out += delimiter_;
      simdjson::dom::element value;
      if (object.at_key(columns_[i]).get(value) == simdjson::SUCCESS) write_value(value, out);
    }
  }

  // Whether the object's keys are the columns, in order (then duplicates keep their own values).
  bool in_column_order(simdjson::dom::object object) const {
    std::size_t i = 0;
    for (simdjson::dom::key_value_pair field : object) {
      if (i == columns_.size() || field.key != columns_[i]) return false;
      ++i;
    }
    return i == columns_.size();
  }

  void write_value(simdjson::dom::element value, std::string& out) {
    std::string_view text;
    if (value.get_string().get(text) == simdjson::SUCCESS) {
      write_field(text, out);
    } else if (value.is_null()) {
      if (tsv_) out += "\\N";
    } else {
      write_field(simdjson::minify(value), out);
    }
  }

  void write_field(std::string_view text, std::string& out) const {
    if (tsv_) {
      for (char c : text) {
        switch (c) {
          case '\t': out += "\\t"; break;
          case '\n': out += "\\n"; break;
          case '\r': out += "\\r"; break;
          case '\\': out += "\\\\"; break;
          default: out += c;
        }
      }
      return;
    }
    bool quote = text.find_first_of(std::string_view{"\"\r\n"}) != std::string_view::npos ||
                 text.find(delimiter_) != std::string_view::npos;
    if (!quote) {
      out.append(text);
      return;
    }
    out += '"';
    for (char c : text) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  }

  char delimiter_;
  bool header_;
  bool tsv_;
  std::string line_end_;
  std::size_t row_begin_ = 0;   // where the row being written starts in `out`, after any header
  std::size_t row_fields_ = 0;  // and how many fields it has
  bool have_columns_ = false;
  bool wrote_row_ = false;
  std::vector<std::string> columns_;
  JsonParser parser_;
};

}  // namespace

Result<std::unique_ptr<Encoder>> make_csv_encoder(const EncoderOptions& options) {
  if (options.delimiter == '"' || options.delimiter == '\n' || options.delimiter == '\r') {
    return make_error(Errc::invalid_argument, "csv delimiter cannot be a quote or a line break");
  }
  return std::unique_ptr<Encoder>(std::make_unique<TableEncoder>(options, false));
}

Result<std::unique_ptr<Encoder>> make_tsv_encoder(const EncoderOptions& options) {
  return std::unique_ptr<Encoder>(std::make_unique<TableEncoder>(options, true));
}

}  // namespace sea::codecs::detail
