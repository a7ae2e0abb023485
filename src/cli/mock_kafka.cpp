// `sea streamer mock-kafka`: runs librdkafka's mock Kafka cluster in the foreground for local
// development and tests. Prints `bootstrap=HOST:PORT,...` on stdout (flushed: scripts grep it),
// logs to stderr, exits 0 on SIGINT/SIGTERM. When stdin is not a TTY it reads fault-injection
// commands, one per line, and answers each with `ok` or `error: ...` on stdout.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "backends/kafka/mock_cluster.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "loop/loop.hpp"

namespace sea::cli {

namespace {

struct MockKafkaOptions {
  int brokers = 3;
  int port = 0;
  std::vector<std::string> topics;  // name:partitions
};

void answer(const std::string& line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

int run_mock_kafka(const MockKafkaOptions& options) {
  // 1. Check the options: the port cannot be chosen with librdkafka 2.0.2's mock.
  if (options.port != 0) {
    spdlog::error("mock-kafka: --port {} cannot be honoured: librdkafka 2.0.2's mock brokers listen on "
                  "ports they choose; read the bootstrap line instead", options.port);
    return kExitUsage;
  }
  // 2. Start the cluster and create the requested topics.
  Result<std::unique_ptr<kafka::MockCluster>> cluster = kafka::MockCluster::create(options.brokers);
  if (!cluster) {
    spdlog::error("mock-kafka: {}", cluster.error().message);
    return kExitRuntime;
  }
  for (const std::string& spec : options.topics) {
    const std::size_t colon = spec.rfind(':');
    int partitions = 0;
    try {
      partitions = colon == std::string::npos ? 0 : std::stoi(spec.substr(colon + 1));
    } catch (const std::exception&) {
      partitions = 0;
    }
    if (colon == std::string::npos || colon == 0 || partitions < 1) {
      spdlog::error("mock-kafka: --topic '{}': expected NAME:PARTITIONS, e.g. news:16", spec);
      return kExitUsage;
    }
    Result<void> created = (*cluster)->create_topic(spec.substr(0, colon), partitions);
    if (!created) {
      spdlog::error("mock-kafka: {}", created.error().message);
      return kExitRuntime;
    }
  }
  // 3. Tell the caller where it is.
  answer("bootstrap=" + (*cluster)->bootstrap());
  spdlog::info("mock Kafka cluster of {} broker(s) at {}", options.brokers, (*cluster)->bootstrap());
  spdlog::info("mock-kafka: a consumer group's next run waits for the previous member's session to "
               "time out (45 s by default) before it joins; pass -X session.timeout.ms=6000 to group "
               "runs for quick local work");
  // 4. Serve until a signal; fault commands come from stdin when it is not a terminal.
  loop::Loop loop;
  loop::SignalWatch on_int(loop, SIGINT, [&](int) { loop.stop(); });
  loop::SignalWatch on_term(loop, SIGTERM, [&](int) { loop.stop(); });
  std::unique_ptr<loop::FdWatch> input;
  std::string pending;
  if (!isatty(STDIN_FILENO)) {
    input = std::make_unique<loop::FdWatch>(loop, STDIN_FILENO);
    Result<void> watching = input->start(loop::FdWatch::readable | loop::FdWatch::hangup, [&](int) {
      char buf[4096];
      const ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
      if (n <= 0) {  // end of commands: keep serving until a signal
        input->stop();
        return;
      }
      pending.append(buf, static_cast<std::size_t>(n));
      for (std::size_t nl; (nl = pending.find('\n')) != std::string::npos; pending.erase(0, nl + 1)) {
        const std::string line = pending.substr(0, nl);
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        Result<void> done = (*cluster)->command(line);
        answer(done ? "ok" : "error: " + done.error().message);
      }
      if (pending.size() > 65536) pending.clear();  // a "line" that long is not a command
    });
    // /dev/null and regular files cannot be watched: there are simply no commands then.
    if (!watching) spdlog::debug("mock-kafka: not reading commands from stdin: {}", watching.error().message);
  }
  loop.run();
  input.reset();
  spdlog::info("mock Kafka cluster stopping");
  return kExitOk;
}

}  // namespace

void setup_mock_kafka(CLI::App& app, Runner& runner) {
  auto options = std::make_shared<MockKafkaOptions>();
  app.add_option("--brokers", options->brokers, "Number of brokers (ids 1..N)")->capture_default_str();
  app.add_option("--port", options->port,
                 "Not supported: librdkafka 2.0.2's mock picks its brokers' ports; use the printed bootstrap");
  app.add_option("--topic", options->topics, "Create a topic first, as NAME:PARTITIONS (repeatable)");
  app.footer(
      "Prints 'bootstrap=HOST:PORT,...' on stdout, then runs until SIGINT/SIGTERM.\n"
      "When stdin is not a terminal, reads commands and answers 'ok' or 'error: ...':\n"
      "  broker-down ID | broker-up ID | push-errors API ERR COUNT | leader PARTITION TOPIC BROKER |\n"
      "  topic NAME PARTITIONS\n"
      "Mock limits: ~5 MB kept per partition, no timestamp lookups (-1), no CreateTopics/DeleteTopics,\n"
      "read_committed not enforced. A group's next run joins only once the previous member's session\n"
      "timed out (45 s by default): pass -X session.timeout.ms=6000 to group runs for quick local work.\n"
      "Examples:\n"
      "  sea streamer mock-kafka --brokers 3 --topic news:16\n"
      "  echo 'broker-down 2' | sea streamer mock-kafka   # with a FIFO or coprocess in practice");
  runner = [options] { return run_mock_kafka(*options); };
}

}  // namespace sea::cli
