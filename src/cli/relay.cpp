// `sea streamer relay`: copies a stream from one backend to another (file ⇄ Redis ⇄ Kafka ⇄
// stdio), keeping keys, headers and timestamps (--restamp: the output stamps anew).
// Steps of run_relay: 1. resolve both addresses and options, 2. connect two Streamers on the one
// loop and open the consumer and the producer, 3. pump with write-then-ack (flow/relay_pump.hpp),
// progress on stderr when it is a TTY, 4. at -c N / -e / SIGINT / SIGTERM: flush the output,
// ack what it acknowledged, commit the group, exit.
//
// Guarantees: at-least-once by default (a message is committed on the input only after the
// output stored it). Exactly-once from a Kafka topic to a Kafka topic of the same cluster
// (`--delivery exactly-once` or `--mode exactly-once`, with --group): the input is read with
// read_committed and copied in transactions that also commit the input group's positions
// (cli/relay_txn.hpp); the transactional.id is sea-relay.GROUP.INPUT.OUTPUT unless -X
// transactional.id=... names one. Any other pair asking for exactly-once on the Kafka side
// (`--mode exactly-once`, or `--delivery exactly-once` to Kafka) answers Errc::unsupported
// instead of silently giving less. `--delivery exactly-once` to Redis or file keeps its
// documented meaning (dedupe by message key within --dedupe-window).
#include <csignal>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "backends/registry.hpp"
#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "cli/exit_codes.hpp"
#include "flow/relay_pump.hpp"
#include "cli/relay_txn.hpp"
#include "cli/stream_options.hpp"
#include "loop/loop.hpp"

namespace sea::cli {

using flow::RelayPump;
using flow::RelayLimits;
using flow::TxnPump;
using flow::TxnLimits;

struct RelayOptions {
  std::string input;
  std::string output;
  TargetOptions common;  // -X (both ends), -v, -q
  std::vector<std::string> input_properties;   // --input-X
  std::vector<std::string> output_properties;  // --output-X
  ConsumeCliOptions consume;
  ProduceCliOptions produce;
  std::string max_message_bytes = "1M";
  bool restamp = false;
  bool progress = false;
  std::uint64_t txn_batch = 10'000;     // exactly-once: messages per transaction, at most
  std::string txn_interval = "100ms";   // exactly-once: and time from its first message
};

namespace {

Result<StreamAddress> one_stream(const std::string& text, const char* what) {
  if (text.empty()) return make_error(Errc::invalid_argument, "--{} URI/KEY is required", what);
  Result<StreamAddress> address = parse_stream_address(text);
  if (!address) return make_error(Errc::invalid_argument, "--{}: {}", what, address.error().message);
  if (address->streams.size() != 1)
    return make_error(Errc::invalid_argument, "--{} names {} streams; relay copies exactly one", what,
                      address->streams.size());
  return address;
}

// Whether this relay runs in Kafka transactions (true), keeps the at-least-once pump (false),
// or must refuse because exactly-once cannot be honoured for this pair.
Result<bool> wants_transactions(const ConsumerOptions& consumer, const ProducerOptions& producer,
                                const StreamAddress& input, const StreamAddress& output) {
  const bool to_kafka = output.cluster.scheme == Scheme::kafka;
  if (consumer.mode != ConsumerMode::exactly_once && !(producer.delivery == Delivery::exactly_once && to_kafka))
    return false;
  if (input.cluster.scheme != Scheme::kafka || !to_kafka)
    return make_error(Errc::unsupported,
                      "relay exactly-once from {} to {}: Kafka transactions commit the input positions with the "
                      "output, so both ends must be Kafka; use at-least-once (--delivery at-least-once, --mode repeat){}",
                      scheme_name(input.cluster.scheme), scheme_name(output.cluster.scheme),
                      to_kafka ? "" : ", with --delivery exactly-once for the output's dedupe window");
  if (input.cluster.host_list() != output.cluster.host_list())
    return make_error(Errc::unsupported,
                      "relay exactly-once needs both topics on one Kafka cluster (the transaction commits the "
                      "input group's positions on the output's cluster); got {} and {}",
                      input.cluster.host_list(), output.cluster.host_list());
  if (consumer.group.empty())
    return make_error(Errc::invalid_argument,
                      "relay exactly-once needs --group: the input positions are committed under a group");
  return true;
}

// The client properties of one end: -X (except stdio.* on a non-stdio end, where the backend
// would reject a property it does not know) and that end's own --input-X / --output-X.
Result<Properties> end_properties(const RelayOptions& options, const std::vector<std::string>& own, const Uri& uri) {
  Result<Properties> common = parse_properties(options.common.properties);
  if (!common) return common.error();
  Result<Properties> mine = parse_properties(own);
  if (!mine) return mine.error();
  Properties out;
  for (const auto& [key, value] : *common)
    if (uri.scheme == Scheme::stdio || !key.starts_with("stdio.")) out[key] = value;
  for (const auto& [key, value] : *mine) out[key] = value;
  return out;
}

}  // namespace

int run_relay(const RelayOptions& options) {
  setup_logging(options.common);
  // 1. Addresses and options.
  Result<StreamAddress> input = one_stream(options.input, "input");
  if (!input) return report(input.error());
  Result<StreamAddress> output = one_stream(options.output, "output");
  if (!output) return report(output.error());
  Result<Properties> in_props = end_properties(options, options.input_properties, input->cluster);
  if (!in_props) return report(in_props.error());
  Result<Properties> out_props = end_properties(options, options.output_properties, output->cluster);
  if (!out_props) return report(out_props.error());
  // transactional.id is no client property here: it goes to ProducerOptions.transaction_id.
  const auto given_txn_id = out_props->find("transactional.id");
  std::string txn_id = given_txn_id != out_props->end() ? given_txn_id->second : "";
  in_props->erase("transactional.id");
  out_props->erase("transactional.id");
  Result<std::int64_t> txn_interval = parse_duration_ms(options.txn_interval);
  if (!txn_interval) return report(txn_interval.error());
  if (options.txn_batch == 0 || *txn_interval <= 0)
    return report(make_error(Errc::invalid_argument, "--txn-batch and --txn-interval must be positive"));
  Result<std::uint64_t> max_bytes = parse_size(options.max_message_bytes);
  if (!max_bytes) return report(max_bytes.error());
  Result<ConsumerOptions> consumer_options = resolve_consumer_options(options.consume, *in_props);
  if (!consumer_options) return report(consumer_options.error());
  Result<ProducerOptions> producer_options = resolve_producer_options(options.produce, *out_props, *max_bytes);
  if (!producer_options) return report(producer_options.error());
  Result<bool> transactional = wants_transactions(*consumer_options, *producer_options, *input, *output);
  if (!transactional) return report(transactional.error());
  if (*transactional) {
    consumer_options->mode = ConsumerMode::exactly_once;  // read_committed
    consumer_options->commit_in_transactions = true;      // no commit but the transaction's
    producer_options->delivery = Delivery::exactly_once;
    producer_options->transaction_id =
        !txn_id.empty() ? txn_id
                        : fmt::format("sea-relay.{}.{}.{}", consumer_options->group, input->streams.front().str(),
                                      output->streams.front().str());
  }

  // 2. Two Streamers on the one loop; consumer and producer.
  loop::Loop loop;
  ConnectOptions connect;
  connect.client_name = "sea-relay";
  connect.properties = *in_props;
  Result<std::unique_ptr<Streamer>> in_streamer = sea::connect(loop, input->cluster, connect);
  if (!in_streamer) return report(in_streamer.error());
  connect.properties = *out_props;
  Result<std::unique_ptr<Streamer>> out_streamer = sea::connect(loop, output->cluster, connect);
  if (!out_streamer) return report(out_streamer.error());
  Result<std::unique_ptr<Producer>> producer =
      (*out_streamer)->create_producer(output->streams.front(), *producer_options);
  if (!producer) return report(producer.error());
  Result<std::unique_ptr<Consumer>> consumer = (*in_streamer)->create_consumer(input->streams, *consumer_options);
  if (!consumer) return report(consumer.error());

  // 3. Pump, with progress on a TTY: in transactions (Kafka -> Kafka exactly-once), or with
  //    write-then-ack.
  const bool show_progress = (options.progress || isatty(STDERR_FILENO) == 1) && !options.common.quiet;
  if (*transactional) {
    TxnLimits txn{options.consume.count, options.consume.exit_at_end, options.restamp, options.txn_batch,
                  static_cast<std::uint64_t>(*txn_interval)};
    TxnPump txn_pump(loop, **consumer, **producer, output->streams.front().str(), txn);
    return run_txn_relay(loop, txn_pump, show_progress);
  }
  RelayLimits limits{options.consume.count, options.consume.exit_at_end, options.restamp,
                     producer_options->max_in_flight};
  RelayPump pump(loop, **consumer, **producer, output->streams.front().str(), limits);
  int exit_code = kExitOk;
  bool finished = false;
  loop::Timer progress(loop);
  const std::uint64_t started = loop.now_ms();
  auto print_progress = [&](const char* end) {
    const double seconds = static_cast<double>(loop.now_ms() - started) / 1000.0;
    const double rate = seconds > 0 ? static_cast<double>(pump.delivered()) / seconds : 0.0;
    fmt::print(stderr, "\rsea relay: {} relayed, {} delivered, {:.0f} msg/s{}", pump.relayed(), pump.delivered(),
               rate, end);
  };
  if (show_progress) {
    progress.start(1000, 1000, [&] { print_progress(""); });
    progress.unref();
  }
  pump.start([&](RelayPump::Outcome outcome) {
    if (outcome != RelayPump::Outcome::limit_reached && outcome != RelayPump::Outcome::end_of_stream) {
      spdlog::error("{}", pump.error() ? pump.error()->message : "relay stopped");
      exit_code = kExitRuntime;
    }
    finished = true;
    loop.stop();
  });

  // 4. A signal: stop reading, let what is in flight be reported (bounded), then commit.
  loop::Timer deadline(loop);
  auto on_signal = [&](int signum) {
    spdlog::debug("signal {}: flushing {} message(s) in flight", signum, pump.in_flight());
    pump.stop();
    deadline.start(10'000, 0, [&] { loop.stop(); });
    pump.drain([&](Result<void> drained) {
      if (!drained) {
        spdlog::error("{}", drained.error().message);
        exit_code = kExitRuntime;
      }
      finished = true;
      loop.stop();
    });
  };
  loop::SignalWatch sigint(loop, SIGINT, on_signal);
  loop::SignalWatch sigterm(loop, SIGTERM, on_signal);
  sigint.unref();
  sigterm.unref();
  loop.run();
  progress.stop();
  if (show_progress) print_progress("\n");
  if (!finished) {
    spdlog::error("stopped with {} message(s) not acknowledged by the output; they are not committed",
                  pump.in_flight());
    exit_code = kExitRuntime;
  }
  Result<void> committed = (*consumer)->commit_now();
  if (!committed) {
    spdlog::error("commit failed: {}", committed.error().message);
    exit_code = kExitRuntime;
  }
  spdlog::debug("relayed {} message(s), {} delivered", pump.relayed(), pump.delivered());
  return exit_code;
}

void setup_relay(CLI::App& app, Runner& runner) {
  auto options = std::make_shared<RelayOptions>();
  app.footer(
      "Examples:\n"
      "  sea streamer relay --input file://./sea-streams/news --output redis://localhost:6379/news -e\n"
      "  sea streamer relay --input redis://localhost:6379/news --output kafka://localhost:9092/news --group r1\n"
      "  sea streamer relay --input kafka://localhost:9092/news --output stdio:///news -X stdio.envelope=true -e\n"
      "  sea streamer relay --input kafka://localhost:9092/orders --output kafka://localhost:9092/orders-copy \\\n"
      "      --group copy --delivery exactly-once\n"
      "\n"
      "Exactly-once: between two topics of one Kafka cluster, --delivery exactly-once (or --mode\n"
      "exactly-once) with --group reads with read_committed and copies in transactions that also commit\n"
      "the group's positions (transactional.id sea-relay.GROUP.INPUT.OUTPUT unless -X transactional.id=ID).\n"
      "A transaction holds up to --txn-batch messages or --txn-interval of time; on SIGINT/SIGTERM the\n"
      "open one is committed. To Redis or file, --delivery exactly-once is a dedupe window on message keys;\n"
      "other exactly-once pairs are refused.");
  app.add_option("--input,-i", options->input, "Stream to read: URI/KEY")->required();
  app.add_option("--output,-O", options->output, "Stream to write: URI/KEY")->required();
  app.add_option("-X", options->common.properties,
                 "Client property key=value for both ends (stdio.* only reaches a stdio:// end)")
      ->allow_extra_args(false);
  app.add_option("--input-X", options->input_properties, "Client property key=value for the input only")
      ->allow_extra_args(false);
  app.add_option("--output-X", options->output_properties, "Client property key=value for the output only")
      ->allow_extra_args(false);
  app.add_flag("-v,--verbose", options->common.verbosity, "More logging on stderr (repeatable)");
  app.add_flag("-q,--quiet", options->common.quiet, "Only errors on stderr");
  add_consume_options(app, options->consume, "earliest");
  add_produce_options(app, options->produce);
  app.add_option("--max-message-bytes", options->max_message_bytes, "Largest message relayed (k, M, G)")
      ->capture_default_str();
  app.add_flag("--restamp", options->restamp, "Let the output stamp each message anew instead of keeping its time");
  app.add_flag("--progress", options->progress, "Progress on stderr even when it is not a TTY");
  app.add_option("--txn-batch", options->txn_batch, "Exactly-once Kafka relay: most messages per transaction")
      ->capture_default_str();
  app.add_option("--txn-interval", options->txn_interval,
                 "Exactly-once Kafka relay: commit a transaction this long after its first message at the latest")
      ->capture_default_str();
  app.callback([&runner, options] { runner = [options] { return run_relay(*options); }; });
}

}  // namespace sea::cli
