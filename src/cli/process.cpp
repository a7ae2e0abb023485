// `sea streamer process`: any unix program as a stream processor (flow/processor.hpp).
// Steps of run_process: 1. resolve the input, output and dead-letter addresses and options,
// 2. connect the Streamers on the one loop, open the consumer and producers, 3. open the
// controller log (--log) and write the run record, 4. run CMD through the Processor until -c /
// -e / SIGINT / SIGTERM / a fatal error, 5. write the end record, commit, exit.
#include <csignal>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "backends/registry.hpp"
#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "cli/exit_codes.hpp"
#include "cli/process_env.hpp"
#include "cli/stream_options.hpp"
#include "codecs/codec.hpp"
#include "flow/control_log.hpp"
#include "flow/processor.hpp"
#include "flow/registry.hpp"
#include "loop/loop.hpp"

namespace sea::cli {

struct ProcessOptions {
  std::string input;
  std::string output;
  std::string exec;
  std::string name;
  std::string format = "ndjson";
  bool envelope = false;
  TargetOptions common;  // -X (both ends), -v, -q
  ConsumeCliOptions consume;
  ProduceCliOptions produce;
  std::string max_message_bytes = "1M";
  std::string commit_interval = "1s";
  std::size_t commit_every = 100'000;
  int max_restarts = 5;
  int poison = 3;
  std::string dead_letter;
  std::string grace = "10s";
  std::string log;
  bool deterministic = false;
  bool no_line_buffer = false;
};

namespace {

Result<StreamAddress> one_address(const std::string& text, const char* what) {
  Result<StreamAddress> address = parse_stream_address(text);
  if (!address) return make_error(Errc::invalid_argument, "--{}: {}", what, address.error().message);
  if (address->streams.size() != 1)
    return make_error(Errc::invalid_argument, "--{} names {} streams; process reads and writes exactly one",
                      what, address->streams.size());
  return address;
}

// The processor's name: --name, else the program's name (`jq -c .` -> jq).
std::string default_name(const std::string& exec) {
  std::size_t start = exec.find_first_not_of(" \t");
  if (start == std::string::npos) return "process";
  std::string word = exec.substr(start, exec.find_first_of(" \t", start) - start);
  if (word == "exec" && exec.find_first_not_of(" \t", start + 4) != std::string::npos) {  // `exec prog ...`
    start = exec.find_first_not_of(" \t", start + 4);
    word = exec.substr(start, exec.find_first_of(" \t", start) - start);
  }
  if (const std::size_t slash = word.rfind('/'); slash != std::string::npos) word = word.substr(slash + 1);
  return word.empty() ? "process" : word;
}

// What exactly-once (--mode exactly-once or --delivery exactly-once) means for this pair of
// ends. Kafka -> Kafka on one cluster: the outputs of each commit interval and the input
// positions go in one Kafka transaction. To Redis or file: the output's dedupe window on message
// keys, so the outputs of a refed input are dropped as repeats; CMD sets each output's key with
// --envelope (it must be the same when the input is processed again). Anything else is refused.
enum class ExactlyOnce { no, transactions, dedupe };

Result<ExactlyOnce> exactly_once(const ConsumerOptions& consumer, const ProducerOptions& producer,
                                 const StreamAddress& input, const StreamAddress& output, bool envelope) {
  if (consumer.mode != ConsumerMode::exactly_once && producer.delivery != Delivery::exactly_once)
    return ExactlyOnce::no;
  const Scheme in = input.cluster.scheme, out = output.cluster.scheme;
  if (consumer.group.empty())
    return make_error(Errc::invalid_argument,
                      "process exactly-once needs --group: the input positions are committed under a group");
  if (out == Scheme::kafka) {
    if (in != Scheme::kafka)
      return make_error(Errc::unsupported,
                        "process exactly-once from {} to kafka: a Kafka transaction commits the input positions with "
                        "the output, so the input must be Kafka too; use at-least-once (the default)",
                        scheme_name(in));
    if (input.cluster.host_list() != output.cluster.host_list())
      return make_error(Errc::unsupported,
                        "process exactly-once needs both topics on one Kafka cluster (the transaction commits the "
                        "input group's positions on the output's cluster); got {} and {}",
                        input.cluster.host_list(), output.cluster.host_list());
    return ExactlyOnce::transactions;
  }
  if (out == Scheme::redis || out == Scheme::redis_cluster || out == Scheme::file) {
    if (in == Scheme::stdio)
      return make_error(Errc::unsupported, "process exactly-once cannot read stdio: a pipe cannot be read again");
    if (!envelope)
      return make_error(Errc::invalid_argument,
                        "process exactly-once to {}: the output's dedupe window works on message keys, so CMD must "
                        "give each output a key that is the same when its input is processed again: use --envelope "
                        "and set \"key\" (e.g. from the input's stream, shard and seq)",
                        scheme_name(out));
    return ExactlyOnce::dedupe;
  }
  return make_error(Errc::unsupported, "process exactly-once to {}: that output can neither take part in a "
                                       "transaction nor drop repeats; use at-least-once (the default)",
                    scheme_name(out));
}

const char* outcome_name(flow::Processor::Outcome o) {
  switch (o) {
    case flow::Processor::Outcome::limit_reached: return "limit";
    case flow::Processor::Outcome::end_of_stream: return "end";
    case flow::Processor::Outcome::stopped: return "stopped";
    case flow::Processor::Outcome::failed: return "failed";
  }
  return "?";
}

}  // namespace

int run_process(const ProcessOptions& options) {
  setup_logging(options.common);
  // 1. Addresses and options.
  Result<StreamAddress> input = one_address(options.input, "input");
  if (!input) return report(input.error());
  Result<StreamAddress> output = one_address(options.output, "output");
  if (!output) return report(output.error());
  std::optional<StreamAddress> dead_letter;
  if (!options.dead_letter.empty()) {
    Result<StreamAddress> d = one_address(options.dead_letter, "dead-letter");
    if (!d) return report(d.error());
    dead_letter = *d;
  }
  if (options.exec.find_first_not_of(" \t") == std::string::npos)
    return report(make_error(Errc::invalid_argument, "--exec needs a command"));
  if (options.envelope && options.format != "ndjson")
    return report(make_error(Errc::invalid_argument, "--envelope frames are NDJSON; it cannot be combined with --format {}",
                             options.format));
  if (options.max_restarts < 0 || options.poison < 1 || options.commit_every == 0)
    return report(make_error(Errc::invalid_argument, "--max-restarts must be >= 0, --poison and --commit-every >= 1"));
  Result<std::int64_t> interval = parse_duration_ms(options.commit_interval);
  if (!interval) return report(interval.error());
  if (*interval <= 0) return report(make_error(Errc::invalid_argument, "--commit-interval must be positive"));
  Result<std::int64_t> grace = parse_duration_ms(options.grace);
  if (!grace) return report(grace.error());
  Result<std::uint64_t> max_bytes = parse_size(options.max_message_bytes);
  if (!max_bytes) return report(max_bytes.error());
  Result<Properties> properties = parse_properties(options.common.properties);
  if (!properties) return report(properties.error());
  // transactional.id is no client property here: it goes to ProducerOptions.transaction_id.
  std::string txn_id;
  if (auto given = properties->find("transactional.id"); given != properties->end()) {
    txn_id = given->second;
    properties->erase(given);
  }
  Result<ConsumerOptions> consumer_options = resolve_consumer_options(options.consume, *properties);
  if (!consumer_options) return report(consumer_options.error());
  Result<ProducerOptions> producer_options = resolve_producer_options(options.produce, *properties, *max_bytes);
  if (!producer_options) return report(producer_options.error());
  Result<ExactlyOnce> exactly = exactly_once(*consumer_options, *producer_options, *input, *output, options.envelope);
  if (!exactly) return report(exactly.error());
  const std::string name = options.name.empty() ? default_name(options.exec) : options.name;
  if (*exactly == ExactlyOnce::transactions) {
    consumer_options->mode = ConsumerMode::exactly_once;  // read_committed
    consumer_options->commit_in_transactions = true;      // no commit but the transaction's
    producer_options->delivery = Delivery::exactly_once;
    // Stable across restarts (a restarted instance aborts what its predecessor left open at
    // once), distinct across hosts; two instances on one host need their own -X transactional.id.
    char host[256] = "host";
    gethostname(host, sizeof host - 1);
    producer_options->transaction_id =
        !txn_id.empty() ? txn_id
                        : fmt::format("sea-process.{}.{}.{}.{}.{}", consumer_options->group, name,
                                      input->streams.front().str(), output->streams.front().str(), host);
  } else if (*exactly == ExactlyOnce::dedupe) {
    producer_options->delivery = Delivery::exactly_once;  // the dedupe window, by key
    // The input is read at-least-once (read_committed on Kafka); the window drops the repeats.
    if (input->cluster.scheme != Scheme::kafka) consumer_options->mode = ConsumerMode::repeat;
  }
  codecs::EncoderOptions enc;
  enc.envelope = options.envelope;
  Result<std::unique_ptr<codecs::Encoder>> encoder = codecs::make_encoder(options.format, enc);
  if (!encoder) return report(encoder.error());
  codecs::DecoderOptions dec;
  dec.envelope = options.envelope;
  dec.max_message_bytes = *max_bytes;
  if (Result<std::unique_ptr<codecs::Decoder>> probe = codecs::make_decoder(options.format, dec); !probe)
    return report(probe.error());
  Result<ProcessEnv> env = process_env(options.deterministic, !options.no_line_buffer);
  if (!env) return report(env.error());

  // 2. Streamers, consumer and producers.
  loop::Loop loop;
  ConnectOptions connect;
  connect.client_name = "sea-process";
  connect.properties = *properties;
  Result<std::unique_ptr<Streamer>> in_streamer = sea::connect(loop, input->cluster, connect);
  if (!in_streamer) return report(in_streamer.error());
  Result<std::unique_ptr<Streamer>> out_streamer = sea::connect(loop, output->cluster, connect);
  if (!out_streamer) return report(out_streamer.error());
  Result<std::unique_ptr<Producer>> producer = (*out_streamer)->create_producer(output->streams.front(), *producer_options);
  if (!producer) return report(producer.error());
  std::unique_ptr<Streamer> dl_streamer;
  std::unique_ptr<Producer> dl_producer;
  if (dead_letter) {
    Result<std::unique_ptr<Streamer>> s = sea::connect(loop, dead_letter->cluster, connect);
    if (!s) return report(s.error());
    dl_streamer = std::move(*s);
    Result<std::unique_ptr<Producer>> p = dl_streamer->create_producer(dead_letter->streams.front(), ProducerOptions{});
    if (!p) return report(p.error());
    dl_producer = std::move(*p);
  }
  Result<std::unique_ptr<Consumer>> consumer = (*in_streamer)->create_consumer(input->streams, *consumer_options);
  if (!consumer) return report(consumer.error());

  // 3. The controller log.
  std::unique_ptr<flow::ControlLogWriter> log;
  if (!options.log.empty()) {
    Result<std::unique_ptr<flow::ControlLogWriter>> opened = flow::ControlLogWriter::open(loop, options.log);
    if (!opened) return report(opened.error());
    log = std::move(*opened);
    flow::RunRecord run;
    run.name = name;
    run.exec = options.exec;
    run.input = options.input;
    run.output = options.output;
    run.format = options.format;
    run.envelope = options.envelope;
    run.deterministic = options.deterministic;
    run.line_buffer = !options.no_line_buffer;
    run.started = now_ms();
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    run.host = host;
    run.pid = getpid();
    run.sea = SEA_VERSION;
    log->append(flow::encode_record(run));
  }

  // 4. The processor.
  flow::ProcessorOptions popts;
  popts.name = name;
  popts.argv = {"/bin/sh", "-c", options.exec};
  popts.env = env->vars;
  popts.max_messages = options.consume.count;
  popts.stop_at_end = options.consume.exit_at_end;
  popts.commit_interval_ms = static_cast<std::uint64_t>(*interval);
  popts.max_uncommitted = options.commit_every;
  popts.lockstep = options.deterministic;
  popts.max_restarts = options.max_restarts;
  popts.poison = options.poison;
  popts.grace_ms = static_cast<std::uint64_t>(*grace);
  popts.transactional = *exactly == ExactlyOnce::transactions;
  const std::string format = options.format;
  // Producers of the other streams envelope outputs name (declared before the processor, which
  // holds pointers to them).
  std::vector<std::unique_ptr<Producer>> routed;
  flow::Processor processor(
      loop, **consumer, **producer, output->streams.front().str(), **encoder,
      [format, dec] { return codecs::make_decoder(format, dec); }, popts);
  if (dl_producer) processor.set_dead_letter(dl_producer.get(), dead_letter->streams.front().str());
  if (options.envelope && !popts.transactional)
    processor.set_output_opener([&](std::string_view stream) -> Result<Producer*> {
      Result<StreamKey> key = StreamKey::parse(stream);
      if (!key) return key.error();
      Result<std::unique_ptr<Producer>> p = (*out_streamer)->create_producer(*key, *producer_options);
      if (!p) return p.error();
      routed.push_back(std::move(*p));
      return routed.back().get();
    });
  flow::Processor::Hooks hooks;
  if (env->clock) {
    ProcessClock* clock = env->clock.get();
    hooks.before_start = [clock](std::uint64_t seed, std::uint64_t feed) {
      clock->set(0, seed, feed, flow::kStartupIndex);  // CMD's start-up: 1970-01-01, (seed, start-up)
    };
    hooks.before_feed = [clock](const MessageView& m, std::uint64_t seed, std::uint64_t feed, std::uint64_t index) {
      clock->set(m.ts, seed, feed, index);
    };
  }
  if (log) {
    flow::ControlLogWriter* writer = log.get();
    hooks.on_commit = [writer](const flow::FeedRecord& r, std::function<void(Result<void>)> done) {
      writer->append(flow::encode_record(r), std::move(done));
    };
    hooks.on_crash = [writer](const loop::ChildExit& exit, const std::optional<flow::InputRef>& at) {
      writer->append(flow::encode_record(flow::CrashRecord{exit.describe(), at}));
    };
  }
  processor.set_hooks(std::move(hooks));
  int exit_code = kExitOk;
  std::optional<flow::Processor::Outcome> outcome;
  if (Result<void> started = processor.start([&](flow::Processor::Outcome o) {
        outcome = o;
        loop.stop();
      });
      !started)
    return report(started.error());
  // The registry: a heartbeat every 5 s in the input's cluster (top and graph read it).
  std::unique_ptr<flow::RegistryWriter> registry;
  loop::Timer heartbeat(loop);
  {
    ProcessorInfo self;
    self.name = name;
    self.exec = options.exec;
    self.input = options.input;
    self.output = options.output;
    self.group = options.consume.group;
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    self.host = host;
    self.pid = getpid();
    self.started = now_ms();
    Result<std::unique_ptr<flow::RegistryWriter>> opened = flow::RegistryWriter::open(**in_streamer, self);
    if (opened) {
      registry = std::move(*opened);
      registry->beat(0, 0);
      heartbeat.start(flow::kHeartbeatMs, flow::kHeartbeatMs,
                      [&] { registry->beat(processor.fed(), processor.produced()); });
      heartbeat.unref();
    } else {
      spdlog::warn("{}: not registered in the cluster (top and graph will not show it): {}", name,
                   opened.error().message);
    }
  }
  auto on_signal = [&](int signum) {
    spdlog::debug("signal {}: finishing", signum);
    processor.stop();
  };
  loop::SignalWatch sigint(loop, SIGINT, on_signal);
  loop::SignalWatch sigterm(loop, SIGTERM, on_signal);
  sigint.unref();
  sigterm.unref();
  // The processor may have finished already, while the registry's set-up ran the loop (whose
  // turn cleared the stop request): then there is nothing to run.
  if (!outcome) loop.run();

  // 5. The end.
  heartbeat.stop();
  if (registry) {
    bool gone = false;
    registry->stopped([&](Result<void>) { gone = true; });
    loop::Timer bound(loop);
    bound.start(3000, 0, [&] { gone = true; });
    while (!gone && loop.run_once(true)) {
    }
  }
  if (!outcome || *outcome == flow::Processor::Outcome::failed) {
    spdlog::error("{}: {}", name, processor.error() ? processor.error()->message : "stopped");
    exit_code = kExitRuntime;
  }
  if (log) {
    log->append(flow::encode_record(
        flow::EndRecord{processor.fed(), processor.produced(), outcome ? outcome_name(*outcome) : "stopped"}));
    bool flushed = false;
    log->flush([&](Result<void> r) {
      if (!r) spdlog::error("the controller log: {}", r.error().message);
      flushed = true;
    });
    while (!flushed && loop.run_once(true)) {
    }
  }
  spdlog::debug("{}: fed {} input(s), produced {} output(s), {} commit(s), {} restart(s)", name, processor.fed(),
                processor.produced(), processor.commits(), processor.restarts());
  if (popts.transactional)
    spdlog::debug("{}: {} transaction(s) committed, {} aborted", name, processor.transactions(), processor.aborts());
  return exit_code;
}

void setup_process(CLI::App& app, Runner& runner) {
  auto options = std::make_shared<ProcessOptions>();
  app.footer(
      "Each input message goes to CMD's stdin framed by --format (NDJSON by default); each frame CMD\n"
      "writes to stdout becomes an output message: none, one or many per input. CMD's stderr passes\n"
      "through, each line prefixed with [NAME]. CMD runs with /bin/sh -c.\n"
      "\n"
      "Delivery is at-least-once: every --commit-interval (or --commit-every inputs) sea stops feeding\n"
      "until CMD has read everything, waits for input again and its outputs are stored, then commits\n"
      "the inputs. A CMD that crashes is restarted from the last commit (--max-restarts in a row); an\n"
      "input that crashes it --poison times in a row goes to --dead-letter.\n"
      "\n"
      "With --envelope, an output's \"stream\" sends it to that stream of --output's cluster (at most 64).\n"
      "\n"
      "--mode exactly-once (needs --group): Kafka -> Kafka on one cluster commits each interval's outputs\n"
      "and the input positions in one transaction (a crash aborts it); to Redis or file the output drops\n"
      "repeated keys within --dedupe-window, so CMD must key each output with --envelope. Other pairs are\n"
      "refused.\n"
      "\n"
      "Examples:\n"
      "  sea streamer process --input file://./sea-streams/orders --output file://./sea-streams/big \\\n"
      "      --exec \"jq -c 'select(.qty > 2)'\" --from earliest -e\n"
      "  sea streamer process -i redis://localhost:6379/orders -O redis://localhost:6379/totals \\\n"
      "      --group totals --exec 'python3 totals.py' --log ./totals.log\n"
      "  sea streamer process -i kafka://localhost:9092/logs -O kafka://localhost:9092/errors \\\n"
      "      --format lines --exec 'grep --line-buffered ERROR' --group errors\n"
      "  sea streamer replay ./totals.log      # the same inputs again: is the output the same?");
  app.add_option("--input,-i", options->input, "Stream to read: URI/KEY")->required();
  app.add_option("--output,-O", options->output, "Stream to write: URI/KEY")->required();
  app.add_option("--exec,-x", options->exec, "The processor: a shell command reading stdin, writing stdout")
      ->required();
  app.add_option("--name", options->name, "Name in reports and stderr prefixes (default: CMD's program)");
  app.add_option("--format", options->format, "Framing of CMD's stdin and stdout: ndjson, lines, csv, tsv, msgpack, binary")
      ->capture_default_str();
  app.add_flag("--envelope,-J", options->envelope,
               "CMD reads and writes NDJSON envelopes (key, headers, ts, payload; stream routes an output) instead of payloads");
  app.add_option("-X", options->common.properties, "Client property key=value (both ends)")->allow_extra_args(false);
  app.add_flag("-v,--verbose", options->common.verbosity, "More logging on stderr (repeatable)");
  app.add_flag("-q,--quiet", options->common.quiet, "Only errors on stderr");
  add_consume_options(app, options->consume, "latest");
  add_produce_options(app, options->produce);
  app.add_option("--max-message-bytes", options->max_message_bytes, "Largest output message (k, M, G)")
      ->capture_default_str();
  app.add_option("--commit-interval", options->commit_interval, "Commit the input at least this often")
      ->capture_default_str();
  app.add_option("--commit-every", options->commit_every, "Commit after at most this many inputs")
      ->capture_default_str();
  app.add_option("--max-restarts", options->max_restarts, "Restarts of CMD in a row (without a commit) before giving up")
      ->capture_default_str();
  app.add_option("--poison", options->poison, "Crashes in a row on one input that make it poison")
      ->capture_default_str();
  app.add_option("--dead-letter", options->dead_letter, "Where poison inputs go: URI/KEY (else the run fails)");
  app.add_option("--grace", options->grace, "On SIGINT/SIGTERM: how long CMD may take to finish its input")
      ->capture_default_str();
  app.add_option("--log", options->log, "Controller log: a directory recording every feed, for `sea streamer replay`");
  app.add_flag("--deterministic", options->deterministic,
               "CMD's clock and randomness come from the messages and a logged seed (replays identically)");
  app.add_flag("--no-line-buffer", options->no_line_buffer, "Leave CMD's stdout buffering as CMD sets it");
  app.callback([&runner, options] { runner = [options] { return run_process(*options); }; });
}

}  // namespace sea::cli
