// The stdio backend (stdio://): the process's own stdout is a one-shard stream to produce to, and
// its stdin a one-shard stream to consume from, so `relay` and library users can put a pipe at
// either end. Framing: one message per line; with -X stdio.envelope=true each line is an NDJSON
// envelope {"stream","shard","seq","ts","key","headers","payload"} so keys, headers and
// timestamps survive a pipe between two `sea` processes. Payloads and keys come back byte for
// byte (bytes that are not UTF-8 travel as base64), except that a payload which is JSON travels
// as JSON and comes back minified; header names are unique in an envelope (the last wins).
//
// Seq numbers are line numbers (from 0) of this process's input or output; timestamps are taken
// on read unless an envelope carries one. Groups, seek and assign have nothing to act on in a
// pipe and answer Errc::unsupported.
#include "backends/stdio/stdio_streamer.hpp"

#include <unistd.h>

#include <deque>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "codecs/codec.hpp"
#include "loop/io.hpp"

namespace sea::stdio {

namespace {

// Decodes standard base64 (the envelope's "payload_encoding":"base64" for bytes that are not
// UTF-8); returns nullopt on a character outside the alphabet.
std::optional<std::string> base64_decode(std::string_view text) {
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char ch : text) {
    int v;
    if (ch >= 'A' && ch <= 'Z') v = ch - 'A';
    else if (ch >= 'a' && ch <= 'z') v = ch - 'a' + 26;
    else if (ch >= '0' && ch <= '9') v = ch - '0' + 52;
    else if (ch == '+') v = 62;
    else if (ch == '/') v = 63;
    else if (ch == '=') break;
    else return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

// The text of an envelope field that may carry "<name>_encoding":"base64".
std::string envelope_text(const nlohmann::json& doc, const char* name, const char* encoding) {
  std::string text = doc[name].get<std::string>();
  auto it = doc.find(encoding);
  if (it != doc.end() && it->is_string() && *it == "base64") {
    std::optional<std::string> bytes = base64_decode(text);
    if (bytes) return std::move(*bytes);
  }
  return text;
}

bool envelope_on(const Properties& props) {
  auto it = props.find("stdio.envelope");
  return it != props.end() && (it->second == "true" || it->second == "1");
}

// Writes each message as a line to stdout; a message is acknowledged once its bytes are written.
class StdioProducer final : public Producer {
 public:
  StdioProducer(loop::Loop& loop, const ProducerOptions& options, bool envelope)
      : options_(options), writer_(loop, STDOUT_FILENO) {
    codecs::EncoderOptions enc;
    enc.envelope = envelope;
    encoder_ = codecs::make_encoder("raw", enc).value();
    writer_.set_on_progress([this](std::uint64_t written) { on_written(written); });
    writer_.set_on_error([this](const Error& e) { fail_all(e); });
  }

  Result<Ticket> send(const MessageView& message) override {
    if (error_) return *error_;
    if (message.payload.size() > options_.max_message_bytes)
      return make_error(Errc::invalid_argument, "message of {} bytes exceeds the limit of {}", message.payload.size(),
                        options_.max_message_bytes);
    MessageView stamped = message;
    stamped.shard = 0;
    stamped.seq = next_seq_++;
    if (stamped.ts == 0) stamped.ts = now_ms();
    encoder_->encode(stamped, writer_.buffer());
    const Ticket ticket = ++sent_;
    pending_.push_back({writer_.written_total() + writer_.pending(), ticket, stamped.seq, stamped.ts});
    writer_.flush();
    return ticket;
  }

  bool congested() const override { return writer_.pending() > options_.max_in_flight_bytes; }
  void set_on_drain(std::function<void()> fn) override { on_drain_ = std::move(fn); }
  void set_on_delivery(DeliveryCallback fn) override { on_delivery_ = std::move(fn); }

  void flush(std::function<void(Result<void>)> done) override {
    if (error_) return done(*error_);
    if (writer_.pending() == 0) return done({});
    flush_waiters_.push_back(std::move(done));
    writer_.flush();
  }

  std::uint64_t sent() const override { return sent_; }
  std::uint64_t acknowledged() const override { return acked_; }
  std::uint64_t failed() const override { return failed_; }

 private:
  struct Pending {
    std::uint64_t end;
    Ticket ticket;
    SeqNo seq;
    Timestamp ts;
  };

  void on_written(std::uint64_t written) {
    while (!pending_.empty() && pending_.front().end <= written) {
      const Pending p = pending_.front();
      pending_.pop_front();
      ++acked_;
      if (on_delivery_) on_delivery_(p.ticket, Receipt{0, p.seq, p.ts});
    }
    if (writer_.pending() == 0) {
      std::vector<std::function<void(Result<void>)>> waiters;
      waiters.swap(flush_waiters_);
      for (auto& w : waiters) w({});
    }
    if (!congested() && on_drain_) on_drain_();
  }

  void fail_all(const Error& e) {
    error_ = e;
    for (const Pending& p : pending_) {
      ++failed_;
      if (on_delivery_) on_delivery_(p.ticket, e);
    }
    pending_.clear();
    std::vector<std::function<void(Result<void>)>> waiters;
    waiters.swap(flush_waiters_);
    for (auto& w : waiters) w(e);
  }

  ProducerOptions options_;
  loop::OutputWriter writer_;
  std::unique_ptr<codecs::Encoder> encoder_;
  std::deque<Pending> pending_;
  std::vector<std::function<void(Result<void>)>> flush_waiters_;
  std::function<void()> on_drain_;
  DeliveryCallback on_delivery_;
  std::optional<Error> error_;
  SeqNo next_seq_ = 0;
  std::uint64_t sent_ = 0, acked_ = 0, failed_ = 0;
};

// Reads stdin line by line; buffers at most max_buffer_bytes before pausing the read.
class StdioConsumer final : public Consumer, private codecs::FrameSink {
 public:
  StdioConsumer(loop::Loop& loop, std::string stream, const ConsumerOptions& options, bool envelope)
      : stream_(std::move(stream)), options_(options), envelope_(envelope), reader_(loop, STDIN_FILENO) {
    codecs::DecoderOptions dec;
    decoder_ = codecs::make_decoder("lines", dec).value();
  }

  Result<void> start() {
    return reader_.start(
        [this](std::string_view chunk) {
          decoder_->feed(chunk, *this);
          if (buffered_bytes_ > options_.max_buffer_bytes) reader_.pause();
          notify();
        },
        [this] {
          decoder_->finish(*this);
          eof_ = true;
          notify();
        },
        [this](const Error&) {
          eof_ = true;
          notify();
        });
  }

  std::size_t poll(std::size_t max, const Sink& sink) override {
    std::size_t n = 0;
    while (n < max && !queue_.empty()) {
      const Message& m = queue_.front();
      std::vector<HeaderView> headers;
      for (const Header& h : m.headers) headers.push_back({h.key, h.value});
      MessageView view{m.stream, m.shard, m.seq, m.ts, m.key.has_value(), m.key ? *m.key : std::string_view(),
                       headers, m.payload};
      sink(view);
      buffered_bytes_ -= m.payload.size();
      queue_.pop_front();
      ++n;
    }
    if (reader_.paused() && buffered_bytes_ <= options_.max_buffer_bytes / 2) reader_.resume();
    return n;
  }

  void set_on_readable(std::function<void()> fn) override { on_readable_ = std::move(fn); }
  bool at_end() const override { return eof_ && queue_.empty(); }
  Result<void> seek(Timestamp) override { return unsupported("seek"); }
  Result<void> assign(ShardId, SeqNo) override { return unsupported("assign"); }
  void ack(std::string_view, ShardId, SeqNo) override {}
  Result<void> commit_now() override { return {}; }
  std::vector<ShardId> shards() const override { return {0}; }

 private:
  static Error unsupported(const char* what) {
    return make_error(Errc::unsupported, "stdio:// cannot {}: a pipe is read once, front to back", what);
  }

  void notify() {
    if (on_readable_) on_readable_();
  }

  void on_frame(const codecs::Frame& frame) override {
    Message m;
    m.stream = stream_;
    m.seq = next_seq_++;
    m.ts = now_ms();
    if (envelope_) {
      nlohmann::json doc = nlohmann::json::parse(frame.payload, nullptr, false);
      if (doc.is_object() && doc.contains("payload")) {
        const nlohmann::json& p = doc["payload"];
        m.payload = p.is_string() ? envelope_text(doc, "payload", "payload_encoding") : p.dump();
        if (doc.contains("ts") && doc["ts"].is_number_integer()) m.ts = doc["ts"].get<Timestamp>();
        if (doc.contains("key") && doc["key"].is_string()) m.key = envelope_text(doc, "key", "key_encoding");
        if (doc.contains("headers") && doc["headers"].is_object())
          for (const auto& [k, v] : doc["headers"].items())
            m.headers.push_back({k, v.is_string() ? v.get<std::string>() : v.dump()});
      } else {
        m.payload = std::string(frame.payload);
      }
    } else {
      m.payload = std::string(frame.payload);
    }
    buffered_bytes_ += m.payload.size();
    queue_.push_back(std::move(m));
  }

  void on_error(const codecs::DecodeError&) override {}

  std::string stream_;
  ConsumerOptions options_;
  bool envelope_;
  loop::InputReader reader_;
  std::unique_ptr<codecs::Decoder> decoder_;
  std::deque<Message> queue_;
  std::size_t buffered_bytes_ = 0;
  SeqNo next_seq_ = 0;
  bool eof_ = false;
  std::function<void()> on_readable_;
};

class StdioAdmin final : public Admin {
 public:
  Result<std::vector<std::string>> list() override { return std::vector<std::string>{}; }
  Result<StreamInfo> describe(const StreamKey&) override { return no("describe"); }
  Result<void> create(const StreamKey&, const CreateOptions&) override { return no("create"); }
  Result<void> remove(const StreamKey&) override { return no("delete"); }
  Result<void> trim(const StreamKey&, const TrimSpec&) override { return no("trim"); }
  Result<void> set_retention(const StreamKey&, const Retention&) override { return no("set retention on"); }
  Result<void> set_group_position(const std::string&, const StreamKey&, ShardId, SeqNo) override {
    return no("keep group positions of");
  }

 private:
  static Error no(const char* what) { return make_error(Errc::unsupported, "stdio:// cannot {} a stream", what); }
};

class StdioStreamer final : public Streamer {
 public:
  StdioStreamer(loop::Loop& loop, Uri uri, ConnectOptions options)
      : loop_(loop), uri_(std::move(uri)), options_(std::move(options)) {}

  const Uri& uri() const override { return uri_; }

  Result<std::unique_ptr<Producer>> create_producer(const StreamKey&, const ProducerOptions& options) override {
    return std::unique_ptr<Producer>(std::make_unique<StdioProducer>(loop_, options, envelope_on(options_.properties)));
  }

  Result<std::unique_ptr<Consumer>> create_consumer(std::span<const StreamKey> streams,
                                                    const ConsumerOptions& options) override {
    if (!options.group.empty())
      return make_error(Errc::unsupported, "stdio:// has no consumer groups: a pipe is read once");
    auto consumer = std::make_unique<StdioConsumer>(loop_, streams.empty() ? "stdio" : streams.front().str(), options,
                                                    envelope_on(options_.properties));
    SEA_TRY(consumer->start());
    return std::unique_ptr<Consumer>(std::move(consumer));
  }

  Admin& admin() override { return admin_; }

 private:
  loop::Loop& loop_;
  Uri uri_;
  ConnectOptions options_;
  StdioAdmin admin_;
};

}  // namespace

Result<std::unique_ptr<Streamer>> connect_stdio(loop::Loop& loop, const Uri& uri, const ConnectOptions& options) {
  return std::unique_ptr<Streamer>(std::make_unique<StdioStreamer>(loop, uri, options));
}

}  // namespace sea::stdio
