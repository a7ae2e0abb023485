// RecordBuilder (internal.hpp): the part csv and tsv share. The first record of each writer
// names the fields (unless header=false); every later record becomes one JSON object with the
// values as JSON strings, in header order, or a JSON array of strings without a header. The JSON
// is written by hand with append_json_string: header names are escaped once, and a record costs
// one pass over its bytes and no allocation once the buffer has grown.
#include <fmt/format.h>

#include "codecs/internal.hpp"

namespace sea::codecs::detail {

namespace {

void append_value(std::string& out, const Field& field) {
  if (field.null) {
    out += "null";
  } else {
    append_json_string(out, field.text);
  }
}

void report(std::uint64_t line, std::uint64_t offset, std::string reason, std::string_view raw,
            FrameSink& sink) {
  DecodeError error;
  error.line = line;
  error.offset = offset;
  error.reason = std::move(reason);
  error.raw = raw;
  sink.on_error(error);
}

}  // namespace

void RecordBuilder::add(const std::vector<Field>& fields, std::uint64_t line, std::uint64_t offset,
                        std::string_view raw, FrameSink& sink) {
  // 1. The header record: remember the names, pre-escaped, and where the key column is.
  if (options_.header && !have_header_) {
    keys_.clear();
    key_index_ = fields.size();
    for (std::size_t i = 0; i < fields.size(); ++i) {
      std::string key;
      append_json_string(key, fields[i].text);
      key += ':';
      keys_.push_back(std::move(key));
      if (key_index_ == fields.size() && !options_.key_field.empty() &&
          fields[i].text == options_.key_field) {
        key_index_ = i;
      }
    }
    have_header_ = true;
    return;
  }

  // 2. A data record must have as many fields as the header.
  if (options_.header && fields.size() != keys_.size()) {
    report(line, offset,
           fmt::format("record has {} field{} but the header has {}", fields.size(),
                       fields.size() == 1 ? "" : "s", keys_.size()),
           raw, sink);
    return;
  }

  // 3. The JSON text of the record.
  json_.clear();
  json_ += options_.header ? '{' : '[';
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) json_ += ',';
    if (options_.header) json_ += keys_[i];
    append_value(json_, fields[i]);
  }
  json_ += options_.header ? '}' : ']';
  if (json_.size() > options_.max_message_bytes) {
    report(line, offset,
           fmt::format("record is {} bytes as JSON, more than max_message_bytes ({})",
                       json_.size(), options_.max_message_bytes),
           raw, sink);
    return;
  }

  // 4. Hand it on, with the key column as the message key.
  Frame frame;
  frame.payload = json_;
  if (options_.header && key_index_ < fields.size() && !fields[key_index_].null) {
    frame.has_key = true;
    frame.key = fields[key_index_].text;
  }
  sink.on_frame(frame);
}

}  // namespace sea::codecs::detail
