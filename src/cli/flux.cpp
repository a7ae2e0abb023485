// `sea streamer flux PATH`: a named FIFO whose every frame becomes a message (SPEC §4).
// Steps of run_flux: 1. connect and open the producer, 2. create the FIFO (0600, no race),
// 3. read it on the loop; when the last writer closes, finish its last frame and reopen for the
// next writer (`cat a > p; cat b > p`), pausing while the producer is congested so writers block
// instead of memory growing, 4. on SIGINT/SIGTERM read what writers already put in the pipe,
// flush, unlink the FIFO and exit 0; when the backend acknowledges nothing for
// kShutdownStallMs (it is down) or at a second signal, say how many messages are not
// acknowledged and exit 1.
#include <csignal>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "cli/exit_codes.hpp"
#include "cli/ingest.hpp"
#include "loop/fifo.hpp"
#include "loop/io.hpp"
#include "loop/loop.hpp"

namespace sea::cli {

struct FluxOptions {
  std::string path;
  TargetOptions target;
  InputFormatOptions format;
  ProduceCliOptions produce;
  IngestCliOptions ingest;
};

namespace {

// One open of the FIFO's read end: a new one per writer generation.
class FluxSession {
 public:
  FluxSession(loop::Loop& loop, const loop::Fifo& fifo, Ingest& ingest)
      : loop_(loop), fifo_(fifo), ingest_(ingest), reopen_(loop, [this] { reopen(); }) {}
  ~FluxSession() { close_reader(); }

  Result<void> open(std::function<void(const Error&)> on_fatal) {
    on_fatal_ = std::move(on_fatal);
    Result<int> fd = fifo_.open_read();
    if (!fd) return fd.error();
    fd_ = *fd;
    reader_ = std::make_unique<loop::InputReader>(loop_, fd_);
    return reader_->start([this](std::string_view chunk) { on_chunk(chunk); }, [this] { on_eof(); },
                          [this](const Error& e) { on_fatal_(e); });
  }

  void pause() { if (reader_) reader_->pause(); }
  void resume() { if (reader_) reader_->resume(); }

  // Shutdown: whatever writers already wrote is read and produced.
  void drain() {
    draining_ = true;
    reopen_.cancel();
    if (reader_) reader_->drain_now();
    ingest_.end_of_writer();
    close_reader();
  }

 private:
  void on_chunk(std::string_view chunk) {
    ingest_.feed(chunk);
    if (ingest_.stopped()) on_fatal_(*ingest_.stop_error());
    else if (ingest_.producer().congested()) reader_->pause();
  }

  void on_eof() {
    if (draining_) return;  // drain() ends the writer and closes the reader itself
    // The last writer closed: its partial frame (if any) is reported, then we wait for the next.
    ingest_.end_of_writer();
    if (ingest_.stopped()) {
      on_fatal_(*ingest_.stop_error());
      return;
    }
    spdlog::debug("writer closed the FIFO; waiting for the next one");
    // Not from inside the reader's own callback: it is destroyed on the next loop turn.
    reopen_.schedule();
  }

  void reopen() {
    if (draining_) return;
    close_reader();
    Result<void> reopened = open(on_fatal_);
    if (!reopened) on_fatal_(reopened.error());
    else if (ingest_.producer().congested()) reader_->pause();
  }

  void close_reader() {
    reader_.reset();
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  loop::Loop& loop_;
  const loop::Fifo& fifo_;
  Ingest& ingest_;
  int fd_ = -1;
  std::unique_ptr<loop::InputReader> reader_;
  std::function<void(const Error&)> on_fatal_;
  loop::Defer reopen_;
  bool draining_ = false;
};

}  // namespace

int run_flux(const FluxOptions& options) {
  setup_logging(options.target);
  // 1. Connection and producer.
  loop::Loop loop;
  Result<IngestSetup> setup = open_ingest(loop, options.target, options.format, options.produce, options.ingest);
  if (!setup) return report(setup.error());
  Ingest& ingest = *setup->ingest;

  // 2. The FIFO.
  Result<loop::Fifo> fifo = loop::Fifo::create(options.path);
  if (!fifo) return report(fifo.error());
  spdlog::debug("flux: {} -> {}/{}", options.path, setup->target.cluster.display(), setup->target.streams.front().str());

  // 3. Read it, writer after writer.
  int exit_code = kExitOk;
  bool finishing = false;
  bool flushed_all = false;
  FluxSession session(loop, *fifo, ingest);
  auto finish = [&](int code) {
    if (finishing) return;
    finishing = true;
    exit_code = code;
    session.drain();
    fifo->remove();
    // Bounded: a backend that is down makes flux give up after kShutdownStallMs (or at a
    // second signal) and say how many messages it read were not acknowledged.
    ingest.flush_for_shutdown(loop, [&](Result<void> flushed) {
      if (!flushed.ok()) {
        spdlog::error("{}: {}", setup->target.cluster.display(), flushed.error().message);
        exit_code = kExitRuntime;
      }
      flushed_all = true;
      loop.stop();
    });
  };
  ingest.producer().set_on_drain([&] {
    if (!finishing) session.resume();
  });
  Result<void> opened = session.open([&](const Error& e) {
    spdlog::error("{}", e.message);
    finish(kExitRuntime);
  });
  if (!opened) return report(opened.error());

  // 4. Signals: flush, unlink, exit 0 (1 if some message read was not acknowledged). A second
  // signal stops waiting for the backend.
  auto on_signal = [&](int signum) {
    if (finishing) {
      ingest.give_up();
      return;
    }
    spdlog::debug("signal {}: flushing what was read", signum);
    finish(kExitOk);
  };
  loop::SignalWatch sigint(loop, SIGINT, on_signal);
  loop::SignalWatch sigterm(loop, SIGTERM, on_signal);
  loop::SignalWatch sighup(loop, SIGHUP, on_signal);
  loop.run();
  fifo->remove();
  if (!flushed_all) {
    spdlog::error("stopped before every message was acknowledged");
    return kExitRuntime;
  }
  if (ingest.bad_frames() > 0) spdlog::info("{} bad input frame(s) reported", ingest.bad_frames());
  return exit_code;
}

void setup_flux(CLI::App& app, Runner& runner) {
  auto options = std::make_shared<FluxOptions>();
  app.footer(
      "Examples:\n"
      "  sea streamer flux /tmp/news --topic news &      # then: echo '{\"hi\":1}' > /tmp/news\n"
      "  sea streamer flux /tmp/ticks --cluster redis://localhost:6379 --topic ticks --format lines\n"
      "The FIFO is created mode 0600 and removed on SIGINT/SIGTERM after everything read was flushed.\n"
      "If the backend acknowledges nothing for 1.5 s (it is down), or at a second signal, flux stops\n"
      "waiting, says how many messages read were not acknowledged, and exits 1.\n"
      "Bad frames are skipped and reported with their line (--on-error skip) unless told otherwise.");
  app.add_option("path", options->path, "Where to create the FIFO")->required();
  add_target_options(app, options->target);
  add_input_format_options(app, options->format, "skip");
  add_produce_options(app, options->produce);
  add_ingest_options(app, options->ingest);
  app.callback([&runner, options] { runner = [options] { return run_flux(*options); }; });
}

}  // namespace sea::cli
