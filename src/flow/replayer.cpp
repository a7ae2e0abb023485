// replayer.hpp: a synchronous driver over the loop (backends/sync.hpp's next() runs it while
// CMD's stdout and stderr are read by their callbacks).
#include "flow/replayer.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <map>
#include <memory>

#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include "backends/registry.hpp"
#include "backends/sync.hpp"
#include "codecs/codec.hpp"
#include "loop/child.hpp"
#include "loop/io.hpp"

namespace sea::flow {

namespace {

constexpr std::size_t kShown = 300;  // bytes of a payload shown in a difference

std::string shown(const std::string& bytes) {
  std::string out = codecs::is_valid_utf8(bytes) ? bytes : "base64:" + codecs::base64_encode(bytes);
  if (out.size() > kShown) out = out.substr(0, kShown) + fmt::format("... ({} bytes)", bytes.size());
  return out;
}

std::string shown(const Message& m) {
  std::string out = shown(m.payload);
  if (m.key) out += fmt::format("  (key {})", shown(*m.key));
  for (const Header& h : m.headers) out += fmt::format("  [{}={}]", h.key, shown(h.value));
  return out;
}

bool same(const Message& a, const Message& b, bool envelope) {
  if (a.payload != b.payload) return false;
  if (!envelope) return true;
  return a.stream == b.stream && a.key == b.key && a.headers == b.headers;
}

// Reads the messages of seq runs of one stream, one consumer per shard, in order.
class RunReader {
 public:
  RunReader(loop::Loop& loop, Streamer& streamer, StreamKey stream) : loop_(loop), streamer_(streamer), stream_(stream) {}
  // The message at (shard, seq), which must be the next one after the previous call on that
  // shard or start a new position.
  Result<Message> at(ShardId shard, SeqNo seq) {
    Shard& s = shards_[shard];
    if (!s.consumer || s.next != seq) {
      ConsumerOptions options;
      options.shards = {shard};
      options.start.kind = StartPosition::Kind::seq;
      options.start.shard = shard;
      options.start.seq = seq;
      s.consumer.reset();
      Result<std::unique_ptr<Consumer>> c = streamer_.create_consumer(std::span(&stream_, 1), options);
      if (!c) return c.error();
      s.consumer = std::move(*c);
    }
    std::optional<Message> m = next(loop_, *s.consumer, true, 30'000);
    if (!m || m->shard != shard || m->seq != seq)
      return make_error(Errc::not_found, "{} shard {} no longer holds seq {} (trimmed by retention?{})", stream_.str(),
                        shard, seq, m ? fmt::format(" the next there is seq {}", m->seq) : std::string());
    s.next = seq + 1;
    return std::move(*m);
  }

 private:
  struct Shard {
    std::unique_ptr<Consumer> consumer;
    SeqNo next = 0;
  };
  loop::Loop& loop_;
  Streamer& streamer_;
  StreamKey stream_;
  std::map<ShardId, Shard> shards_;
};

// CMD under replay: its pipes on the loop, its outputs decoded into `got`.
class Cmd final : public codecs::FrameSink {
 public:
  Cmd(loop::Loop& loop, std::string name) : loop_(loop), name_(std::move(name)) {}
  ~Cmd() override { stop(); }

  Result<void> start(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                     std::unique_ptr<codecs::Decoder> decoder) {
    decoder_ = std::move(decoder);
    child_ = std::make_unique<loop::Child>(loop_);
    exited_ = stdout_eof_ = false;
    if (Result<void> r = child_->spawn({argv, env}, [this](const loop::ChildExit& e) {
          exited_ = true;
          exit_ = e;
        });
        !r)
      return r;
    stdin_ = std::make_unique<loop::OutputWriter>(loop_, child_->stdin_fd());
    stdout_ = std::make_unique<loop::InputReader>(loop_, child_->stdout_fd());
    if (Result<void> r = stdout_->start(
            [this](std::string_view c) {
              stdout_bytes_ += c.size();
              decoder_->feed(c, *this);
            },
            [this] {
              stdout_eof_ = true;
              decoder_->finish(*this);
            },
            [this](const Error&) { stdout_eof_ = true; });
        !r)
      return r;
    stderr_ = std::make_unique<loop::InputReader>(loop_, child_->stderr_fd(), 64 * 1024);
    return stderr_->start([this](std::string_view c) { pass_stderr(c); }, [] {}, [](const Error&) {});
  }

  void stop() {
    stdin_.reset();
    stdout_.reset();
    stderr_.reset();
    child_.reset();
  }

  std::string& input() { return stdin_->buffer(); }

  // Writes what input() holds and waits until CMD took it all and waits for more.
  Result<void> settle(std::uint64_t timeout_ms) {
    stdin_->flush();
    const std::uint64_t deadline = loop_.now_ms() + timeout_ms;
    int looks = 0, spins = 0;
    std::uint64_t seen = ~0ULL;
    while (true) {
      loop_.run_once(false);
      if (exited_) return make_error(Errc::io, "CMD {}", exit_.describe());
      int unread = 0;
      const bool quiet = stdin_->pending() == 0 && stdin_->taken_total() == stdin_->written_total() &&
                         child_->quiescent() && ioctl(child_->stdout_fd(), FIONREAD, &unread) == 0 && unread == 0;
      if (quiet) {
        if (looks > 0 && seen == stdout_bytes_) return {};
        looks = 1;
        seen = stdout_bytes_;
      } else {
        looks = 0;
      }
      if (++spins > 200) usleep(200);
      if (loop_.now_ms() > deadline)
        return make_error(Errc::timeout, "CMD did not finish one message within {} ms", timeout_ms);
    }
  }

  // Closes CMD's stdin and waits for it to end; its last outputs land in `got`.
  Result<void> finish(std::uint64_t timeout_ms) {
    if (Result<void> w = stdin_->flush_blocking(static_cast<int>(timeout_ms)); !w) return w;
    stdin_.reset();
    child_->close_stdin();
    const std::uint64_t deadline = loop_.now_ms() + timeout_ms;
    while (!(exited_ && stdout_eof_)) {
      loop_.run_once(false);
      usleep(200);
      if (loop_.now_ms() > deadline) return make_error(Errc::timeout, "CMD did not end within {} ms of its input's end", timeout_ms);
    }
    if (exit_.signal != 0 || exit_.status != 0) return make_error(Errc::io, "CMD ended with {}", exit_.describe());
    return {};
  }

  std::vector<Message> got;

  void on_frame(const codecs::Frame& f) override {
    Message m;
    m.stream = std::string(f.stream);  // an envelope's "stream", else empty: the run's output
    m.payload = std::string(f.payload);
    if (f.has_key) m.key = std::string(f.key);
    for (const HeaderView& h : f.headers) m.headers.push_back(Header{std::string(h.key), std::string(h.value)});
    got.push_back(std::move(m));
  }
  void on_error(const codecs::DecodeError& e) override {
    spdlog::warn("{}: CMD's stdout, {}: skipped (as process does)", name_, e.describe());
  }

 private:
  void pass_stderr(std::string_view chunk) {
    for (char c : chunk) {
      if (c == '\n') {
        fmt::print(stderr, "[{}] {}\n", name_, line_);
        line_.clear();
      } else if (line_.size() < 65536) {
        line_.push_back(c);
      }
    }
  }

  loop::Loop& loop_;
  std::string name_;
  std::unique_ptr<loop::Child> child_;
  std::unique_ptr<loop::OutputWriter> stdin_;
  std::unique_ptr<loop::InputReader> stdout_;
  std::unique_ptr<loop::InputReader> stderr_;
  std::unique_ptr<codecs::Decoder> decoder_;
  std::string line_;
  std::uint64_t stdout_bytes_ = 0;
  bool exited_ = false;
  bool stdout_eof_ = false;
  loop::ChildExit exit_;
};

struct RunContext {
  const RunRecord* run = nullptr;
  std::unique_ptr<Streamer> in_streamer, out_streamer;
  std::unique_ptr<RunReader> inputs, outputs;
  std::map<std::string, std::unique_ptr<RunReader>> routed;  // other streams envelope outputs named
  std::unique_ptr<codecs::Encoder> encoder;
  std::unique_ptr<Cmd> cmd;
  std::string out_stream;
  std::string in_stream;
  // Where an output of CMD went in the run: its envelope's stream, unless that is empty or the
  // input (an envelope passed through), as Processor routes it.
  void route(Message& m) const {
    if (m.stream.empty() || m.stream == in_stream) m.stream = out_stream;
  }
};

Result<StreamAddress> one_stream(const std::string& text) {
  Result<StreamAddress> a = parse_stream_address(text);
  if (!a) return a.error();
  if (a->streams.size() != 1) return make_error(Errc::parse, "'{}' names {} streams", text, a->streams.size());
  return a;
}

}  // namespace

std::string describe_record(const ControlRecord& r, std::uint64_t feed_index) {
  auto runs = [](const std::vector<FeedRecord::Run>& list) {
    std::string out;
    for (const FeedRecord::Run& run : list) {
      if (!out.empty()) out += ", ";
      out += run.first == run.last ? fmt::format("{}/{} {}", run.stream, run.shard, run.first)
                                   : fmt::format("{}/{} {}..{}", run.stream, run.shard, run.first, run.last);
    }
    return out.empty() ? std::string("-") : out;
  };
  if (r.run)
    return fmt::format("{:>6}  run    {} {} -> {}  exec {}  ({}{}{}{}) pid {} on {}, started {}", r.seq, r.run->name,
                       r.run->input, r.run->output, r.run->exec, r.run->format, r.run->envelope ? ", envelope" : "",
                       r.run->deterministic ? ", deterministic" : "", r.run->line_buffer ? "" : ", no line buffer",
                       r.run->pid, r.run->host, format_time(r.run->started));
  if (r.feed)
    return fmt::format("{:>6}  feed   #{}  in {} ({})  out {} ({})  seed {:#018x}{}", r.seq, feed_index,
                       runs(r.feed->inputs), r.feed->input_count, runs(r.feed->outputs), r.feed->output_count,
                       r.feed->seed,
                       r.feed->dead_letter ? fmt::format("  dead letter {}/{} {}", r.feed->dead_letter->stream,
                                                         r.feed->dead_letter->shard, r.feed->dead_letter->seq)
                                           : std::string());
  if (r.crash)
    return fmt::format("{:>6}  crash  CMD {}{}", r.seq, r.crash->exit,
                       r.crash->at ? fmt::format(" while processing {}/{} {}", r.crash->at->stream, r.crash->at->shard,
                                                 r.crash->at->seq)
                                   : std::string());
  if (r.end) return fmt::format("{:>6}  end    fed {}, produced {} ({})", r.seq, r.end->fed, r.end->produced, r.end->outcome);
  return fmt::format("{:>6}  ?", r.seq);
}

Result<ReplayResult> replay(loop::Loop& loop, const std::vector<ControlRecord>& records, const ReplayOptions& options) {
  ReplayResult result;
  RunContext ctx;
  std::uint64_t feed_index = 0;
  auto open_run = [&](const RunRecord& run) -> Result<void> {
    if (ctx.cmd) ctx.cmd.reset();
    ctx = RunContext{};
    ctx.run = &run;
    Result<StreamAddress> in = one_stream(run.input);
    if (!in) return Error{in.error().code, fmt::format("the logged input: {}", in.error().message)};
    Result<StreamAddress> out = one_stream(run.output);
    if (!out) return Error{out.error().code, fmt::format("the logged output: {}", out.error().message)};
    ConnectOptions connect;
    connect.client_name = "sea-replay";
    Result<std::unique_ptr<Streamer>> s_in = sea::connect(loop, in->cluster, connect);
    if (!s_in) return s_in.error();
    Result<std::unique_ptr<Streamer>> s_out = sea::connect(loop, out->cluster, connect);
    if (!s_out) return s_out.error();
    ctx.in_streamer = std::move(*s_in);
    ctx.out_streamer = std::move(*s_out);
    ctx.inputs = std::make_unique<RunReader>(loop, *ctx.in_streamer, in->streams.front());
    ctx.outputs = std::make_unique<RunReader>(loop, *ctx.out_streamer, out->streams.front());
    ctx.out_stream = out->streams.front().str();
    ctx.in_stream = in->streams.front().str();
    codecs::EncoderOptions enc;
    enc.envelope = run.envelope;
    Result<std::unique_ptr<codecs::Encoder>> encoder = codecs::make_encoder(run.format, enc);
    if (!encoder) return encoder.error();
    ctx.encoder = std::move(*encoder);
    return {};
  };
  auto start_cmd = [&](const FeedRecord& feed) -> Result<void> {
    // As process --deterministic starts CMD: under the start-up clock of the feed it starts in,
    // and the first message only once the start-up ran to its first read.
    if (options.set_clock && ctx.run->deterministic) options.set_clock(0, feed.seed, feed.feed, kStartupIndex);
    codecs::DecoderOptions dec;
    dec.envelope = ctx.run->envelope;
    Result<std::unique_ptr<codecs::Decoder>> decoder = codecs::make_decoder(ctx.run->format, dec);
    if (!decoder) return decoder.error();
    ctx.cmd = std::make_unique<Cmd>(loop, ctx.run->name);
    const std::string exec = options.exec.empty() ? ctx.run->exec : options.exec;
    if (Result<void> started = ctx.cmd->start({"/bin/sh", "-c", exec}, options.env, std::move(*decoder)); !started)
      return started;
    if (ctx.run->deterministic) return ctx.cmd->settle(options.quiet_timeout_ms);
    return {};
  };
  auto differ = [&](std::string text) {
    result.identical = false;
    result.difference = std::move(text);
  };

  for (std::size_t i = 0; i < records.size() && result.identical; ++i) {
    const ControlRecord& r = records[i];
    if (r.run) {
      if (Result<void> opened = open_run(*r.run); !opened) return opened.error();
      continue;
    }
    if (r.crash && ctx.cmd) {  // the run restarted CMD here: so does the replay
      ctx.cmd.reset();
      continue;
    }
    if (!r.feed) continue;
    const std::uint64_t index = feed_index++;
    if (index < options.from_feed || index > options.to_feed) continue;
    if (ctx.run == nullptr) return make_error(Errc::parse, "record {}: a feed before any run record", r.seq);
    if (!ctx.cmd)
      if (Result<void> started = start_cmd(*r.feed); !started) return started.error();
    const FeedRecord& feed = *r.feed;
    // 1. What the run produced for this feed (nothing to compare with a sink).
    std::vector<Message> expected;
    const Message* current_input = nullptr;
    std::optional<Error> sink_error;
    if (!options.sink) {
      for (const FeedRecord::Run& run : feed.outputs)
        for (SeqNo seq = run.first; seq <= run.last; ++seq) {
          RunReader* reader = ctx.outputs.get();
          if (!run.stream.empty() && run.stream != ctx.out_stream) {
            std::unique_ptr<RunReader>& r = ctx.routed[run.stream];
            if (!r) {
              Result<StreamKey> key = StreamKey::parse(run.stream);
              if (!key) return Error{key.error().code, fmt::format("feed #{}: the logged output stream: {}", index, key.error().message)};
              r = std::make_unique<RunReader>(loop, *ctx.out_streamer, *key);
            }
            reader = r.get();
          }
          Result<Message> m = reader->at(run.shard, seq);
          if (!m) return Error{m.error().code, fmt::format("feed #{}: the logged output: {}", index, m.error().message)};
          expected.push_back(std::move(*m));
        }
    }
    // 2. Its inputs, one per quiet point; each output compared as it comes, with the next output
    //    the run stored in the same stream (the log has them in delivery order, which keeps the
    //    order within a stream, not across the streams envelope outputs name).
    std::vector<bool> matched(expected.size(), false);
    std::map<std::string, std::size_t, std::less<>> cursor;  // per stream: no match before this
    std::size_t pos = 0;                                     // outputs matched
    auto next_in = [&](const std::string& stream) -> std::size_t {
      std::size_t& at = cursor[stream];
      while (at < expected.size() && (matched[at] || expected[at].stream != stream)) ++at;
      return at;
    };
    auto first_unmatched = [&] {
      std::size_t at = 0;
      while (at < expected.size() && matched[at]) ++at;
      return at;
    };
    std::uint64_t in_feed = 0;
    auto compare = [&](const std::string& origin) {
      if (options.sink) {
        for (Message& got : ctx.cmd->got) {
          ++result.outputs;
          ctx.route(got);
          if (Result<void> sunk = options.sink(got, current_input); !sunk && !sink_error) sink_error = sunk.error();
        }
        ctx.cmd->got.clear();
        return;
      }
      for (Message& got : ctx.cmd->got) {
        ctx.route(got);
        if (got.stream != ctx.out_stream && !StreamKey::parse(got.stream)) continue;  // the run skipped it too
        ++result.outputs;
        const std::size_t at = next_in(got.stream);
        if (at >= expected.size()) {
          differ(fmt::format("feed #{} (log record {}), {}:\n  expected no more output{} (the run wrote {} for this "
                             "feed)\n  got output {}: {}",
                             index, r.seq, origin, got.stream == ctx.out_stream ? std::string() : " to " + got.stream,
                             expected.size(), pos + 1, shown(got)));
          return;
        }
        if (!same(got, expected[at], ctx.run->envelope)) {
          differ(fmt::format("feed #{} (log record {}), {}:\n  expected output {} ({} shard {} seq {}): {}\n  got: {}",
                             index, r.seq, origin, at + 1, expected[at].stream, expected[at].shard, expected[at].seq,
                             shown(expected[at]), shown(got)));
          return;
        }
        matched[at] = true;
        ++pos;
      }
      ctx.cmd->got.clear();
    };
    for (const FeedRecord::Run& run : feed.inputs) {
      for (SeqNo seq = run.first; seq <= run.last && result.identical; ++seq) {
        if (feed.dead_letter && feed.dead_letter->shard == run.shard && feed.dead_letter->seq == seq) continue;
        Result<Message> m = ctx.inputs->at(run.shard, seq);
        if (!m) return Error{m.error().code, fmt::format("feed #{}: the logged input: {}", index, m.error().message)};
        if (options.set_clock) options.set_clock(m->ts, feed.seed, feed.feed, in_feed);
        ++in_feed;
        ++result.inputs;
        MessageView view;
        view.stream = m->stream;
        view.shard = m->shard;
        view.seq = m->seq;
        view.ts = m->ts;
        view.has_key = m->key.has_value();
        if (m->key) view.key = *m->key;
        std::vector<HeaderView> headers;
        for (const Header& h : m->headers) headers.push_back(HeaderView{h.key, h.value});
        view.headers = headers;
        view.payload = m->payload;
        ctx.encoder->encode(view, ctx.cmd->input());
        const std::string origin = fmt::format("input {} shard {} seq {}", m->stream, m->shard, m->seq);
        if (Result<void> settled = ctx.cmd->settle(options.quiet_timeout_ms); !settled)
          return Error{settled.error().code, fmt::format("feed #{}, {}: {}", index, origin, settled.error().message)};
        current_input = &*m;
        compare(origin);
        current_input = nullptr;
        if (sink_error) return Error{sink_error->code, fmt::format("feed #{}, {}: the output: {}", index, origin, sink_error->message)};
      }
      if (!result.identical) break;
    }
    if (!result.identical) break;
    // 3. A run that ended after this feed: CMD's last words (what it wrote at its input's end).
    const bool run_ends = i + 1 >= records.size() || records[i + 1].end.has_value() || records[i + 1].run.has_value();
    if ((pos < expected.size() || options.sink) && run_ends) {
      if (Result<void> finished = ctx.cmd->finish(options.quiet_timeout_ms); !finished)
        return Error{finished.error().code, fmt::format("feed #{}: {}", index, finished.error().message)};
      compare("at the end of the input");
      ctx.cmd.reset();
      if (sink_error) return Error{sink_error->code, fmt::format("feed #{}, at the end of the input: the output: {}", index, sink_error->message)};
    }
    if (result.identical && pos < expected.size()) {
      const std::size_t at = first_unmatched();
      differ(fmt::format("feed #{} (log record {}), after its last input:\n  expected output {} ({} shard {} seq {}): {}\n"
                         "  got: nothing ({} of the {} outputs the run wrote for this feed)",
                         index, r.seq, at + 1, expected[at].stream, expected[at].shard, expected[at].seq,
                         shown(expected[at]), pos, expected.size()));
    }
    ++result.feeds;
  }
  return result;
}

}  // namespace sea::flow
