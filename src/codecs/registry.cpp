// The codec tables: every input and output format by name, in one place. To add a format, write
// its file with a make_*_decoder / make_*_encoder factory (declared in internal.hpp) and add an
// item here; --help, completions and make_decoder/make_encoder all read these tables.
#include <fmt/format.h>

#include "codecs/internal.hpp"

namespace sea::codecs {
namespace {

using DecoderFactory = Result<std::unique_ptr<Decoder>> (*)(const DecoderOptions&);
using EncoderFactory = Result<std::unique_ptr<Encoder>> (*)(const EncoderOptions&);

struct DecoderEntry {
  std::string_view name;
  DecoderFactory make;
};

struct EncoderEntry {
  std::string_view name;
  EncoderFactory make;
};

// Input formats (SPEC §3). The first is the default. Add an item here.
constexpr DecoderEntry kDecoders[] = {
    {"ndjson", detail::make_ndjson_decoder},
    {"lines", detail::make_lines_decoder},
    {"csv", detail::make_csv_decoder},
    {"tsv", detail::make_tsv_decoder},
    {"msgpack", detail::make_msgpack_decoder},
    {"binary", detail::make_binary_decoder},
};

// Output formats. The first is the default; envelope and format strings are options on top of
// these (EncoderOptions), not names. Add an item here.
constexpr EncoderEntry kEncoders[] = {
    {"raw", detail::make_raw_encoder},
    {"ndjson", detail::make_raw_encoder},
    {"lines", detail::make_raw_encoder},
    {"csv", detail::make_csv_encoder},
    {"tsv", detail::make_tsv_encoder},
    {"msgpack", detail::make_msgpack_encoder},
    {"binary", detail::make_binary_encoder},
};

template <class Table>
std::string joined_names(const Table& table) {
  std::string names;
  for (const auto& entry : table) {
    if (!names.empty()) names += ", ";
    names += entry.name;
  }
  return names;
}

}  // namespace

std::vector<std::string> decoder_names() {
  std::vector<std::string> names;
  for (const DecoderEntry& entry : kDecoders) names.emplace_back(entry.name);
  return names;
}

std::vector<std::string> encoder_names() {
  std::vector<std::string> names;
  for (const EncoderEntry& entry : kEncoders) names.emplace_back(entry.name);
  return names;
}

Result<std::unique_ptr<Decoder>> make_decoder(std::string_view format, const DecoderOptions& options) {
  if (options.max_message_bytes == 0) {
    return make_error(Errc::invalid_argument, "max_message_bytes must be at least 1");
  }
  if (!options.key_delimiter.empty() && format != "lines") {
    return make_error(Errc::invalid_argument, "a key delimiter splits lines: it needs the lines format, not '{}'",
                      format);
  }
  if (options.envelope) {
    if (format != "ndjson")
      return make_error(Errc::invalid_argument, "envelopes are NDJSON lines: they cannot be read as '{}'", format);
    return detail::make_envelope_decoder(options);
  }
  for (const DecoderEntry& entry : kDecoders) {
    if (entry.name == format) return entry.make(options);
  }
  return make_error(Errc::invalid_argument, "unknown input format '{}' (known: {})", format,
                    joined_names(kDecoders));
}

Result<std::unique_ptr<Encoder>> make_encoder(std::string_view format, const EncoderOptions& options) {
  if (!options.format_string.empty()) return detail::make_format_encoder(options);
  if (options.envelope) return detail::make_envelope_encoder(options);
  for (const EncoderEntry& entry : kEncoders) {
    if (entry.name == format) return entry.make(options);
  }
  return make_error(Errc::invalid_argument, "unknown output format '{}' (known: {})", format,
                    joined_names(kEncoders));
}

}  // namespace sea::codecs
