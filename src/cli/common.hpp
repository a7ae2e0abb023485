// Options and helpers shared by the subcommands: where the streams are (--cluster/--topic or a
// stream address), -X properties, -v/-q logging, the input codec options of produce/flux, the
// output options of consume/tap, and the --on-error policy. Each add_* binds CLI11 options into
// a plain struct; each resolve_* turns the struct into library objects or a usage error.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "codecs/codec.hpp"
#include "core/error.hpp"
#include "core/options.hpp"
#include "core/streamer.hpp"
#include "core/uri.hpp"
#include "flow/ingest.hpp"
#include "loop/loop.hpp"

namespace CLI {
class App;
}

namespace sea::cli {

struct TargetOptions {
  std::string cluster;              // --cluster URI (default: $SEA_STREAMER_URI, else file://./sea-streams)
  std::vector<std::string> topics;  // --topic KEY (repeatable, or k1,k2)
  std::string stream;               // --stream URI/KEY
  std::vector<std::string> properties;  // -X key=value
  std::string config_file;          // -F FILE (Kafka: librdkafka properties; also $SEA_STREAMER_KAFKA_CONFIG)
  int verbosity = 0;                // -v (repeatable) / -q
  bool quiet = false;
};

struct Target {
  Uri cluster;
  std::vector<StreamKey> streams;
  ConnectOptions connect;
};

struct InputFormatOptions {
  std::string format = "ndjson";
  std::string key_field;
  std::string delimiter = ",";
  std::string quote = "\"";
  bool no_header = false;
  bool tsv_escapes = false;
  std::string to;                   // --to json (msgpack)
  std::string max_message_bytes = "1M";
  std::string on_error;             // fail | skip | dead-letter:URI/KEY (default per command)
};

struct OutputFormatOptions {
  std::string format = "raw";
  bool envelope = false;
  std::string format_string;        // -f
  std::string delimiter = ",";
  bool no_header = false;
  bool crlf = false;                // csv/tsv rows end with CRLF
};

using flow::ErrorPolicy;  // flow/ingest.hpp

void add_target_options(CLI::App& app, TargetOptions& options, bool needs_topic = true);
void add_input_format_options(CLI::App& app, InputFormatOptions& options, const char* default_on_error);
void add_output_format_options(CLI::App& app, OutputFormatOptions& options);

// Makes spdlog's default logger write to stderr (NO_COLOR respected); main calls it first.
void init_logging();
// Sets the level from -v/-q.
void setup_logging(const TargetOptions& options);

Result<Target> resolve_target(const TargetOptions& options);
Result<Properties> parse_properties(const std::vector<std::string>& items);
Result<codecs::DecoderOptions> resolve_decoder_options(const InputFormatOptions& options);
Result<std::unique_ptr<codecs::Encoder>> resolve_encoder(const OutputFormatOptions& options);

// Prints "sea: <message>" to stderr and returns the exit code for the error's kind.
int report(const Error& error);

// Installs the process-wide signal dispositions every command wants (SIGPIPE ignored).
void ignore_sigpipe();

// The choice nearest to a mistyped `word` (edit distance), when one is close enough to suggest:
// "did you mean ...". Used for unknown subcommands and admin actions.
std::optional<std::string> nearest_word(const std::string& word, const std::vector<std::string>& choices);

}  // namespace sea::cli
