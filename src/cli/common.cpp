// Shared option binding and resolution of common.hpp.
#include "cli/common.hpp"

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <memory>
#include <mutex>

#include <CLI/CLI.hpp>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "cli/exit_codes.hpp"
#ifdef SEA_HAVE_KAFKA
#include "backends/kafka/kafka_properties.hpp"
#endif

namespace sea::cli {

void add_target_options(CLI::App& app, TargetOptions& options, bool needs_topic) {
  app.add_option("--cluster,-b", options.cluster,
                 "Cluster URI: file://DIR, redis://host:port, redis-cluster://h:p,..., kafka://h:p, "
                 "stdio:// (default: $SEA_STREAMER_URI, else file://./sea-streams)");
  if (needs_topic) {
    app.add_option("--topic,-t", options.topics, "Stream key (repeatable, or k1,k2)")->delimiter(',');
    app.add_option("--stream,-s", options.stream, "Stream address URI/KEY, e.g. redis://localhost:6379/news");
  }
  app.add_option("-X", options.properties, "Backend client property key=value (librdkafka's for Kafka)")
      ->allow_extra_args(false);
  app.add_option("-F,--config", options.config_file,
                 "Kafka client properties file: key=value lines, # comments (default: $SEA_STREAMER_KAFKA_CONFIG); "
                 "-X given on the command line wins");
  app.add_flag("-v,--verbose", options.verbosity, "More logging on stderr (repeatable)");
  app.add_flag("-q,--quiet", options.quiet, "Only errors on stderr");
}

void add_input_format_options(CLI::App& app, InputFormatOptions& options, const char* default_on_error) {
  options.on_error = default_on_error;
  app.add_option("--format", options.format, "Input framing: ndjson, lines, csv, tsv, msgpack, binary")
      ->capture_default_str();
  app.add_option("--key", options.key_field, "Take the message key from this field (ndjson, csv, tsv)");
  app.add_option("--delimiter", options.delimiter, "CSV field delimiter")->capture_default_str();
  app.add_option("--quote", options.quote, "CSV quote character")->capture_default_str();
  app.add_flag("--no-header", options.no_header, "CSV/TSV input has no header row: records become JSON arrays");
  app.add_flag("--tsv-escapes", options.tsv_escapes, "TSV: read \\t \\n \\r \\\\ escapes (PostgreSQL text format)");
  app.add_option("--to", options.to, "msgpack: store as 'json' instead of msgpack bytes");
  app.add_option("--max-message-bytes", options.max_message_bytes, "Largest frame accepted (k, M, G)")
      ->capture_default_str();
  app.add_option("--on-error", options.on_error, "Bad input: fail, skip or dead-letter:URI/KEY")
      ->capture_default_str();
}

void add_output_format_options(CLI::App& app, OutputFormatOptions& options) {
  app.add_option("--format", options.format, "Output framing: raw, ndjson, lines, csv, tsv, msgpack, binary")
      ->capture_default_str();
  app.add_flag("--envelope,-J", options.envelope,
               "NDJSON envelopes {stream,shard,seq,ts,key,headers,payload}");
  app.add_option("-f,--format-string", options.format_string,
                 "kcat-style format: %t stream %p shard %o seq %T timestamp %k key %s payload %h headers");
  app.add_option("--output-delimiter", options.delimiter, "CSV output delimiter")->capture_default_str();
  app.add_flag("--no-output-header", options.no_header, "CSV/TSV output without a header row");
  app.add_flag("--crlf", options.crlf, "CSV/TSV output rows end with CRLF (RFC 4180's line ending)");
}

namespace {

// Every diagnostic passes through here on its way to stderr: control characters in the text
// (a stream key or URI quoted from hostile input) are escaped, so no message can move the
// cursor or recolour the terminal. The level colours are added by the inner sink, after this.
class PrintableSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  PrintableSink() : inner_(std::make_shared<spdlog::sinks::stderr_color_sink_st>()) {}
  void set_inner_pattern(const std::string& pattern) { inner_->set_pattern(pattern); }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    const std::string_view payload(msg.payload.data(), msg.payload.size());
    const std::string clean = printable(payload);
    spdlog::details::log_msg copy = msg;
    copy.payload = spdlog::string_view_t(clean.data(), clean.size());
    inner_->log(copy);
  }
  void flush_() override { inner_->flush(); }
  void set_pattern_(const std::string& pattern) override { inner_->set_pattern(pattern); }
  void set_formatter_(std::unique_ptr<spdlog::formatter> formatter) override {
    inner_->set_formatter(std::move(formatter));
  }

 private:
  std::shared_ptr<spdlog::sinks::stderr_color_sink_st> inner_;
};

}  // namespace

void init_logging() {
  // stdout is data only: every diagnostic goes to stderr (the default logger would use stdout).
  auto logger = std::make_shared<spdlog::logger>("sea", std::make_shared<PrintableSink>());
  spdlog::set_default_logger(logger);
  spdlog::set_pattern(std::getenv("NO_COLOR") != nullptr ? "sea: %l: %v" : "sea: %^%l%$: %v");
}

void setup_logging(const TargetOptions& options) {
  if (options.quiet) spdlog::set_level(spdlog::level::err);
  else if (options.verbosity >= 2) spdlog::set_level(spdlog::level::trace);
  else if (options.verbosity == 1) spdlog::set_level(spdlog::level::debug);
  else spdlog::set_level(spdlog::level::info);
#ifdef SEA_HAVE_KAFKA
  // librdkafka logs from its own threads; spdlog's default logger is thread-safe (_mt).
  kafka::set_kafka_log_handler([](int level, std::string_view facility, std::string_view message) {
    if (level <= 3) spdlog::warn("kafka {}: {}", facility, message);
    else if (level == 4) spdlog::info("kafka {}: {}", facility, message);
    else spdlog::debug("kafka {}: {}", facility, message);
  });
#endif
}

Result<Properties> parse_properties(const std::vector<std::string>& items) {
  Properties props;
  for (const std::string& item : items) {
    const std::size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0)
      return make_error(Errc::invalid_argument, "bad -X '{}': expected key=value", item);
    props[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return props;
}

namespace {

// -F FILE or $SEA_STREAMER_KAFKA_CONFIG: properties under those given with -X.
Result<void> apply_config_file(const TargetOptions& options, Target& target) {
  std::string file = options.config_file;
  const char* env = std::getenv("SEA_STREAMER_KAFKA_CONFIG");
  if (file.empty() && env != nullptr && target.cluster.scheme == Scheme::kafka) file = env;
  if (file.empty()) return {};
  if (target.cluster.scheme != Scheme::kafka)
    return make_error(Errc::invalid_argument, "-F {}: config files hold Kafka client properties; {} is not kafka://",
                      file, target.cluster.display());
#ifdef SEA_HAVE_KAFKA
  Properties merged;
  SEA_TRY(kafka::load_properties_file(file, merged));
  for (const auto& [key, value] : target.connect.properties) merged[key] = value;
  target.connect.properties = std::move(merged);
  return {};
#else
  return make_error(Errc::unsupported, "-F {}: this build of sea has no Kafka backend", file);
#endif
}

}  // namespace

Result<Target> resolve_target(const TargetOptions& options) {
  Target target;
  Result<Properties> props = parse_properties(options.properties);
  if (!props) return props.error();
  target.connect.properties = std::move(*props);
  if (!options.stream.empty()) {
    if (!options.cluster.empty() || !options.topics.empty())
      return make_error(Errc::invalid_argument, "give either --stream URI/KEY or --cluster/--topic, not both");
    Result<StreamAddress> address = parse_stream_address(options.stream);
    if (!address) return address.error();
    target.cluster = std::move(address->cluster);
    target.streams = std::move(address->streams);
    SEA_TRY(apply_config_file(options, target));
    return target;
  }
  Result<Uri> uri = parse_uri(options.cluster.empty() ? default_cluster_uri() : options.cluster);
  if (!uri) return uri.error();
  target.cluster = std::move(*uri);
  SEA_TRY(apply_config_file(options, target));
  for (const std::string& topic : options.topics) {
    Result<StreamKey> key = StreamKey::parse(topic);
    if (!key) return key.error();
    target.streams.push_back(std::move(*key));
  }
  return target;
}

Result<codecs::DecoderOptions> resolve_decoder_options(const InputFormatOptions& options) {
  codecs::DecoderOptions out;
  out.key_field = options.key_field;
  if (options.delimiter.size() != 1)
    return make_error(Errc::invalid_argument, "--delimiter must be one character, got '{}'", options.delimiter);
  if (options.quote.size() != 1)
    return make_error(Errc::invalid_argument, "--quote must be one character, got '{}'", options.quote);
  out.delimiter = options.delimiter[0];
  out.quote = options.quote[0];
  out.header = !options.no_header;
  out.tsv_escapes = options.tsv_escapes;
  if (!options.to.empty() && options.to != "json")
    return make_error(Errc::invalid_argument, "--to takes 'json', got '{}'", options.to);
  out.msgpack_to_json = options.to == "json";
  Result<std::uint64_t> max = parse_size(options.max_message_bytes);
  if (!max) return max.error();
  if (*max == 0) return make_error(Errc::invalid_argument, "--max-message-bytes must be positive");
  out.max_message_bytes = *max;
  return out;
}

Result<std::unique_ptr<codecs::Encoder>> resolve_encoder(const OutputFormatOptions& options) {
  codecs::EncoderOptions enc;
  enc.envelope = options.envelope;
  enc.format_string = options.format_string;
  if (options.delimiter.size() != 1)
    return make_error(Errc::invalid_argument, "--output-delimiter must be one character");
  enc.delimiter = options.delimiter[0];
  enc.header = !options.no_header;
  enc.crlf = options.crlf;
  if (options.crlf && ((options.format != "csv" && options.format != "tsv") || options.envelope ||
                       !options.format_string.empty())) {
    return make_error(Errc::invalid_argument, "--crlf applies to --format csv and tsv only");
  }
  return codecs::make_encoder(options.format, enc);
}

int report(const Error& error) {
  spdlog::error("{}", error.message);
  return error.code == Errc::invalid_argument ? kExitUsage : kExitRuntime;
}

void ignore_sigpipe() { std::signal(SIGPIPE, SIG_IGN); }

std::optional<std::string> nearest_word(const std::string& word, const std::vector<std::string>& choices) {
  const auto distance = [](const std::string& a, const std::string& b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
      std::size_t diagonal = row[0];
      row[0] = i;
      for (std::size_t j = 1; j <= b.size(); ++j) {
        const std::size_t up = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
        diagonal = up;
      }
    }
    return row[b.size()];
  };
  const std::string* nearest = nullptr;
  std::size_t best = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const std::string& c : choices) {
    const std::size_t d = distance(word, c);
    if (d < best) best = d, nearest = &c;
  }
  if (nearest == nullptr) return std::nullopt;
  return *nearest;
}

}  // namespace sea::cli
