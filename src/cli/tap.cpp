// `sea streamer tap PATH`: a named FIFO that hands consumed messages to whoever opens it.
// Steps of run_tap: 1. connect, 2. create the FIFO (0600, no race), 3. wait for a reader; each
// reader gets its own consumer, from --from (or the group's committed position), and is served
// until it closes the FIFO (EPIPE / POLLERR), or until -e / -c end its session; then wait for
// the next reader, 4. on SIGINT/SIGTERM commit what was written, unlink the FIFO and exit 0.
#include <cerrno>
#include <csignal>
#include <poll.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "cli/consumer_setup.hpp"
#include "cli/egress.hpp"
#include "cli/exit_codes.hpp"
#include "loop/fifo.hpp"
#include "loop/io.hpp"
#include "loop/loop.hpp"

namespace sea::cli {

struct TapOptions {
  std::string path;
  TargetOptions target;
  ConsumeCliOptions consume;
  OutputFormatOptions output;
};

namespace {

// Serves one reader of the FIFO. Created when open(O_WRONLY) succeeds, destroyed when the reader
// is gone; committing what was written on the way out.
class TapSession {
 public:
  TapSession(loop::Loop& loop, const loop::Fifo& fifo, int fd, std::unique_ptr<Consumer> consumer,
             codecs::Encoder& encoder, EgressLimits limits)
      : fd_{fd}, consumer_(std::move(consumer)), writer_(loop, fd), egress_(loop, *consumer_, encoder, writer_, limits),
        reader_check_(loop), close_watch_(loop, fifo, [this] { if (on_gone_) on_gone_(); }) {}

  ~TapSession() {
    egress_.stop();
    egress_.ack_written();
    Result<void> committed = consumer_->commit_now();
    if (!committed) spdlog::error("commit failed: {}", committed.error().message);
  }

  void start(std::function<void()> on_gone) {
    on_gone_ = on_gone;
    egress_.start([this, on_gone](Egress::Outcome outcome) {
      if (outcome == Egress::Outcome::consumer_failed) spdlog::error("{}", consumer_->error()->message);
      on_gone();
    });
    Result<void> watching = close_watch_.start();
    if (!watching) spdlog::debug("no inotify on the FIFO ({}); polling for the reader", watching.error().message);
    // A reader that closes while we have nothing to write is noticed by POLLERR on our end.
    reader_check_.start(100, 100, [this, on_gone] {
      struct pollfd p {fd_.fd, POLLOUT, 0};
      if (::poll(&p, 1, 0) > 0 && (p.revents & POLLERR)) on_gone();
    });
  }

  void flush_for_exit() {
    egress_.stop();
    if (writer_.pending() > 0 && !writer_.failed()) (void)writer_.flush_blocking(500);
  }

  std::uint64_t delivered() const { return egress_.delivered(); }

 private:
  // Closed last, after the writer's watch on it is gone (libuv wants the watch stopped first).
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  };

  FdCloser fd_;
  std::unique_ptr<Consumer> consumer_;
  loop::OutputWriter writer_;
  Egress egress_;
  loop::Timer reader_check_;
  loop::FifoReaderCloseWatch close_watch_;
  std::function<void()> on_gone_;
};

}  // namespace

int run_tap(const TapOptions& options) {
  setup_logging(options.target);
  // 1. Connection.
  loop::Loop loop;
  Result<ConsumerSetup> setup = open_consumer_setup(loop, options.target, options.consume, options.output);
  if (!setup) return report(setup.error());

  // 2. The FIFO.
  Result<loop::Fifo> fifo = loop::Fifo::create(options.path);
  if (!fifo) return report(fifo.error());

  // 3. Reader after reader.
  int exit_code = kExitOk;
  std::unique_ptr<TapSession> session;
  loop::Timer wait_reader(loop);
  const EgressLimits limits{options.consume.count, options.consume.exit_at_end,
                            !setup->consumer_options.group.empty()};
  std::function<void()> try_open;
  // A session cannot destroy itself from its own callback: it ends on the next loop turn.
  loop::Defer end_session(loop, [&] {
    if (session) spdlog::debug("reader left after {} messages", session->delivered());
    session.reset();
    wait_reader.start(20, 20, try_open);
  });
  try_open = [&] {
    if (session) return;
    Result<int> fd = fifo->open_write();
    if (!fd) {
      if (fd.error().backend_code == ENXIO) return;  // no reader yet
      spdlog::error("{}", fd.error().message);
      exit_code = kExitRuntime;
      loop.stop();
      return;
    }
    Result<std::unique_ptr<Consumer>> consumer = make_consumer(*setup);
    if (!consumer) {
      ::close(*fd);
      spdlog::error("{}", consumer.error().message);
      exit_code = kExitRuntime;
      loop.stop();
      return;
    }
    wait_reader.stop();
    session = std::make_unique<TapSession>(loop, *fifo, *fd, std::move(*consumer), *setup->encoder, limits);
    session->start([&] { end_session.schedule(); });
  };
  wait_reader.start(0, 20, try_open);

  // 4. Signals.
  auto on_signal = [&](int) {
    if (session) session->flush_for_exit();
    session.reset();
    fifo->remove();
    loop.stop();
  };
  loop::SignalWatch sigint(loop, SIGINT, on_signal);
  loop::SignalWatch sigterm(loop, SIGTERM, on_signal);
  loop::SignalWatch sighup(loop, SIGHUP, on_signal);
  loop.run();
  session.reset();
  fifo->remove();
  return exit_code;
}

void setup_tap(CLI::App& app, Runner& runner) {
  auto options = std::make_shared<TapOptions>();
  app.footer(
      "Examples:\n"
      "  sea streamer tap /tmp/news.out --topic news --from earliest &   # then: cat /tmp/news.out\n"
      "  sea streamer tap /tmp/work --topic jobs --group workers         # each reader resumes the group\n"
      "Each reader that opens the FIFO gets the stream from --from (default latest), or from the\n"
      "group's committed position with --group; only what was written into the FIFO is committed.\n"
      "Readers take turns: one that opens the FIFO while another still has it open shares that\n"
      "reader's session (a FIFO cannot tell them apart); -e / -c end a reader's session with EOF.");
  app.add_option("path", options->path, "Where to create the FIFO")->required();
  add_target_options(app, options->target);
  add_consume_options(app, options->consume, "latest");
  add_output_format_options(app, options->output);
  app.callback([&runner, options] { runner = [options] { return run_tap(*options); }; });
}

}  // namespace sea::cli
