// `sea streamer tap PATH`: a named FIFO that hands consumed messages to whoever opens it.
// Steps of run_tap: 1. connect, 2. create the FIFO (0600, no race), 3. wait for a reader; each
// reader gets its own consumer, from --from (or the group's committed position), and is served
// until it closes the FIFO (inotify IN_CLOSE_NOWRITE, EPIPE, POLLERR), or until -e / -c end its
// session with EOF once it has read the pipe empty; a group commits what the reader read (see
// egress.hpp); then, once that reader has closed the FIFO, wait for the next reader,
// 4. on SIGINT/SIGTERM commit what was written, unlink the FIFO and exit 0.
#include <cerrno>
#include <csignal>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "cli/consumer_setup.hpp"
#include "flow/egress.hpp"
#include "cli/exit_codes.hpp"
#include "loop/fifo.hpp"
#include "loop/io.hpp"
#include "loop/loop.hpp"

namespace sea::cli {

using flow::Egress;
using flow::EgressLimits;

struct TapOptions {
  std::string path;
  TargetOptions target;
  ConsumeCliOptions consume;
  OutputFormatOptions output;
};

namespace {

// Serves one reader of the FIFO. Created when open(O_WRONLY) succeeds, destroyed when the reader
// is gone; committing what its reader took (or, while the reader stays, what was written) on
// the way out.
class TapSession {
 public:
  TapSession(loop::Loop& loop, int fd, std::unique_ptr<Consumer> consumer, codecs::Encoder& encoder,
             EgressLimits limits)
      : fd_{fd}, consumer_(std::move(consumer)), writer_(loop, fd), egress_(loop, *consumer_, encoder, writer_, limits) {}

  ~TapSession() {
    egress_.stop();
    egress_.settle();
    Result<void> committed = consumer_->commit_now();
    if (!committed) spdlog::error("commit failed: {}", committed.error().message);
  }

  // `on_end(reader_still_there)`: the session is over, because the reader went away (false) or
  // because -c / -e / a consumer failure ended it while the reader still holds the FIFO (true).
  // A reader that closes while we have nothing to write is noticed by the egress (POLLERR on our
  // end) and by the FIFO's inotify watch in run_tap.
  void start(std::function<void(bool)> on_end) {
    egress_.start([this, on_end](Egress::Outcome outcome) {
      if (outcome == Egress::Outcome::consumer_failed) spdlog::error("{}", consumer_->error()->message);
      on_end(outcome != Egress::Outcome::output_closed);
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

  // 3. Reader after reader. A session that -c / -e ended closes its end of the FIFO, and its
  // reader sees EOF only once it has read what is left in the pipe; until that reader closes the
  // FIFO, opening it again would succeed (the reader is still there) and hand it the next
  // session's messages instead of EOF. So the next open waits for the reader's close, which
  // inotify reports (IN_CLOSE_NOWRITE on the FIFO, watched for the tap's whole life so that no
  // close is missed between sessions).
  int exit_code = kExitOk;
  std::unique_ptr<TapSession> session;
  bool reader_lingers = false;  // a session ended with EOF; its reader has not closed yet
  bool session_reader_left = false;
  loop::Timer wait_reader(loop);
  const EgressLimits limits{options.consume.count, options.consume.exit_at_end,
                            !setup->consumer_options.group.empty(), /*drain_before_end=*/true};
  std::function<void()> try_open;
  bool reader_still_there = false;
  bool watching = false;
  // A session cannot destroy itself from its own callback: it ends on the next loop turn.
  loop::Defer end_session(loop, [&] {
    if (session) spdlog::debug("reader left after {} messages", session->delivered());
    session.reset();
    if (reader_still_there && watching && !session_reader_left) {
      reader_lingers = true;  // reader_closes restarts wait_reader
      return;
    }
    wait_reader.start(20, 20, try_open);
  });
  loop::FifoReaderCloseWatch reader_closes(loop, *fifo, [&] {
    if (session) {
      session_reader_left = true;
      reader_still_there = false;
      end_session.schedule();
    }
    if (reader_lingers) {
      reader_lingers = false;
      wait_reader.start(0, 20, try_open);
    }
  });
  if (Result<void> started = reader_closes.start(); started) watching = true;
  else
    spdlog::warn("no inotify watch on the FIFO ({}): after -c / -e the next reader may share the last one's EOF",
                 started.error().message);
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
    session_reader_left = false;
    session = std::make_unique<TapSession>(loop, *fd, std::move(*consumer), *setup->encoder, limits);
    session->start([&](bool still_there) {
      reader_still_there = still_there;
      end_session.schedule();
    });
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
      "group's committed position with --group; only what the reader read out of the FIFO is\n"
      "committed (what is left unread in the pipe when it leaves is handed to the next reader).\n"
      "Readers take turns: one that opens the FIFO while another still has it open shares that\n"
      "reader's session (a FIFO cannot tell them apart); -e / -c end a reader's session with EOF,\n"
      "and the next session starts once that reader has closed the FIFO.");
  app.add_option("path", options->path, "Where to create the FIFO")->required();
  add_target_options(app, options->target);
  add_consume_options(app, options->consume, "latest");
  add_output_format_options(app, options->output);
  app.callback([&runner, options] { runner = [options] { return run_tap(*options); }; });
}

}  // namespace sea::cli
