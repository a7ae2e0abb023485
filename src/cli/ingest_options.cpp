// Binding and resolution of ingest_options.hpp.
#include "cli/ingest_options.hpp"

#include <CLI/CLI.hpp>

namespace sea::cli {

void add_ingest_options(CLI::App& app, IngestCliOptions& options) {
  app.add_option_function<std::string>("-k,--fixed-key", [&options](const std::string& key) { options.key = key; },
                                       "Give every message this key (not with --key FIELD or -K)");
  app.add_option("-H,--header", options.headers, "Add header NAME=VALUE to every message (repeatable)")
      ->allow_extra_args(false);
  app.add_option("-K,--key-delimiter", options.key_delimiter,
                 "lines: split each line at the first DELIM into key and payload; a line without it "
                 "has no key (as kcat -K); \\t is a tab");
  app.add_flag("--envelope,-J", options.envelope,
               "Each line is an envelope {key,headers,payload,ts,...} as consume -J writes it");
  app.add_flag("--keep-shard", options.keep_shard,
               "With --envelope: produce to the envelope's \"shard\" (file and Kafka backends)");
}

namespace {

Result<std::string> unescape_delimiter(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out += text[i];
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == 't') out += '\t';
    else if (i + 1 < text.size() && text[i + 1] == '\\') out += '\\';
    else return make_error(Errc::invalid_argument, "-K '{}': only \\t and \\\\ are escapes", text);
    ++i;
  }
  if (out.empty()) return make_error(Errc::invalid_argument, "-K needs a non-empty delimiter");
  return out;
}

Result<Header> parse_header(const std::string& item) {
  const std::size_t eq = item.find('=');
  if (eq == std::string::npos || eq == 0)
    return make_error(Errc::invalid_argument, "bad -H '{}': expected NAME=VALUE", item);
  return Header{item.substr(0, eq), item.substr(eq + 1)};
}

}  // namespace

Result<MessageOverrides> resolve_ingest_options(const IngestCliOptions& options, const InputFormatOptions& format,
                                                const ProduceCliOptions& produce, codecs::DecoderOptions& decoder) {
  MessageOverrides out;
  // 1. Where the key comes from: one of --key FIELD, -k KEY, -K DELIM, the envelope.
  if (options.key && !format.key_field.empty())
    return make_error(Errc::invalid_argument, "-k KEY gives every message one key, --key FIELD takes it from a field: "
                                              "choose one");
  if (options.key && !options.key_delimiter.empty())
    return make_error(Errc::invalid_argument, "-k KEY gives every message one key, -K DELIM splits it off each line: "
                                              "choose one");
  if (!options.key_delimiter.empty()) {
    if (format.format != "lines")
      return make_error(Errc::invalid_argument, "-K splits lines: it needs --format lines, not --format {}",
                        format.format);
    Result<std::string> delimiter = unescape_delimiter(options.key_delimiter);
    if (!delimiter) return delimiter.error();
    decoder.key_delimiter = std::move(*delimiter);
  }
  // 2. Envelopes carry their own key and are NDJSON lines.
  if (options.envelope) {
    if (format.format != "ndjson")
      return make_error(Errc::invalid_argument, "--envelope reads NDJSON envelopes: not with --format {}",
                        format.format);
    if (!format.key_field.empty())
      return make_error(Errc::invalid_argument, "--envelope takes the key from the envelope's \"key\", not --key FIELD "
                                                "(-k KEY replaces it)");
    decoder.envelope = true;
  }
  if (options.keep_shard) {
    if (!options.envelope)
      return make_error(Errc::invalid_argument, "--keep-shard keeps an envelope's \"shard\": it needs --envelope");
    if (produce.shard >= 0)
      return make_error(Errc::invalid_argument, "--keep-shard and --shard {} both choose the shard: choose one",
                        produce.shard);
  }
  // 3. What is added to every message.
  out.key = options.key;
  out.keep_shard = options.keep_shard;
  for (const std::string& item : options.headers) {
    Result<Header> header = parse_header(item);
    if (!header) return header.error();
    out.headers.push_back(std::move(*header));
  }
  return out;
}

}  // namespace sea::cli
