// JsonParser (internal.hpp): simdjson's DOM parser behind the padding rule. simdjson reads up to
// SIMDJSON_PADDING bytes past the end of the text it parses, so text is parsed in place only when
// that many bytes after it belong to the caller; otherwise it is copied into a padded buffer that
// grows to the largest text seen (bounded by max_message_bytes, which the callers enforce).
#include "codecs/internal.hpp"

namespace sea::codecs::detail {

simdjson::simdjson_result<simdjson::dom::element> JsonParser::parse(std::string_view text,
                                                                    std::size_t readable_after) {
  if (readable_after >= simdjson::SIMDJSON_PADDING) {
    return parser_.parse(text.data(), text.size(), false);
  }
  std::size_t needed = text.size() + simdjson::SIMDJSON_PADDING;
  if (needed > copy_capacity_) {
    std::size_t capacity = std::max(needed, copy_capacity_ * 2);
    copy_ = std::make_unique<char[]>(capacity);
    copy_capacity_ = capacity;
  }
  std::memcpy(copy_.get(), text.data(), text.size());
  // simdjson does not need the padding to hold anything in particular, but defined bytes keep
  // memory checkers quiet and the behaviour reproducible.
  std::memset(copy_.get() + text.size(), ' ', simdjson::SIMDJSON_PADDING);
  return parser_.parse(copy_.get(), text.size(), false);
}

bool is_blank(std::string_view text) {
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  }
  return true;
}

}  // namespace sea::codecs::detail
