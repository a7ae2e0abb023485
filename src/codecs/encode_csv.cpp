// The `csv` and `tsv` encoders. A JSON object payload is a row: the first object's keys are the
// columns (and the header row, with options.header) and every later object is written in that
// column order; a key the first object lacked is dropped and a missing one is an empty field.
// A JSON array is a row of its elements; any other payload (a JSON scalar, or bytes that are not
// JSON) is a row of one field. String values are written as their text; null as an empty field
// (csv) or \N (tsv); numbers, booleans and nested values as their minified JSON text.
//
// csv quotes a field per RFC 4180 when it holds the delimiter, a quote or a line break. tsv has
// no quoting, so tabs, line breaks and backslashes are escaped as PostgreSQL's text format does
// (\t \n \r \\), which the tsv decoder reads back with tsv_escapes.
#include "codecs/internal.hpp"

namespace sea::codecs::detail {
namespace {

// Remembers the columns of the first object; used on the thread that consumes.
class TableEncoder final : public Encoder {
 public:
  TableEncoder(const EncoderOptions& options, bool tsv)
      : delimiter_(tsv ? '\t' : options.delimiter), header_(options.header), tsv_(tsv),
        line_end_(options.line_end) {}

  void encode(const MessageView& message, std::string& out) override {
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
      bool first = true;
      for (simdjson::dom::element item : array) {
        if (!first) out += delimiter_;
        first = false;
        write_value(item, out);
      }
    } else {
      write_value(root, out);
    }
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
        for (std::size_t i = 0; i < columns_.size(); ++i) {
          if (i > 0) out += delimiter_;
          write_field(columns_[i], out);
        }
        out += line_end_;
      }
    }
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      if (i > 0) out += delimiter_;
      simdjson::dom::element value;
      if (object.at_key(columns_[i]).get(value) == simdjson::SUCCESS) write_value(value, out);
    }
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
  char line_end_;
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
