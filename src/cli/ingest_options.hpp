// The options produce and flux add on top of the input format (SPEC §4, as in kcat -P): a fixed
// key (-k), headers on every message (-H NAME=VALUE), a key split off each line (-K DELIM, lines
// only), NDJSON envelopes as input (--envelope, the inverse of `consume -J`), and --keep-shard
// (an envelope's "shard" picks the output shard). resolve_ingest_options checks how they combine
// with each other and with --key/--format/--shard, and fills in the decoder options.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/common.hpp"
#include "cli/stream_options.hpp"
#include "codecs/codec.hpp"
#include "core/types.hpp"
#include "flow/ingest.hpp"

namespace CLI {
class App;
}

namespace sea::cli {

struct IngestCliOptions {
  std::optional<std::string> key;     // -k KEY
  std::vector<std::string> headers;   // -H NAME=VALUE, repeatable
  std::string key_delimiter;          // -K DELIM (escapes \t \n \\ read as kcat does)
  bool envelope = false;              // --envelope, -J
  bool keep_shard = false;            // --keep-shard
};

using flow::MessageOverrides;  // flow/ingest.hpp

void add_ingest_options(CLI::App& app, IngestCliOptions& options);

// Checks the combinations (usage errors: Errc::invalid_argument) and sets decoder.envelope and
// decoder.key_delimiter.
Result<MessageOverrides> resolve_ingest_options(const IngestCliOptions& options, const InputFormatOptions& format,
                                                const ProduceCliOptions& produce, codecs::DecoderOptions& decoder);

}  // namespace sea::cli
