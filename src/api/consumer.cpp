// consumer.hpp: a buffer of owned messages in front of the loop-driven consumer, filled a batch
// at a time, and the acknowledgement rule of auto_ack (what was handed out is acknowledged when
// the next is asked for).
#include "api/consumer.hpp"

#include <algorithm>
#include <string>

#include "api/cluster.hpp"
#include "api/state.hpp"

namespace sea {

struct sea::Consumer::Impl {
  static constexpr std::size_t kBatch = 512;
  struct Handed {
    std::string stream;
    ShardId shard;
    SeqNo seq;
  };

  std::shared_ptr<ClusterState> cluster;
  std::unique_ptr<core::Consumer> consumer;
  bool until_end = false;
  bool auto_ack = true;
  std::vector<Message> buffer;  // at most one batch; buffer[0, pos) is handed out (moved from)
  std::size_t pos = 0;
  std::vector<Handed> handed;   // handed out and not yet acknowledged (auto_ack), newest per shard
  std::function<void(const Message&)> handler;
  std::unique_ptr<loop::Defer> more;  // the callback form: the rest of a batch on the next turn

  void throw_if_failed() const {
    if (std::optional<Error> e = consumer->error()) throw *e;
  }
  bool empty() const { return pos == buffer.size(); }
  void fill() {
    if (!empty()) return;
    buffer.clear();
    buffer.reserve(kBatch);  // (next_batch may have taken the last one's storage)
    pos = 0;
    consumer->poll(kBatch, [&](const MessageView& view) { buffer.push_back(Message::from_view(view)); });
    if (buffer.empty()) throw_if_failed();
  }
  void note_handed(const Message& m) {
    if (!auto_ack) return;
    for (Handed& h : handed)
      if (h.shard == m.shard && h.stream == m.stream) {
        h.seq = m.seq;
        return;
      }
    handed.push_back(Handed{m.stream, m.shard, m.seq});
  }
  void ack_handed() {
    for (const Handed& h : handed) consumer->ack(h.stream, h.shard, h.seq);
    handed.clear();
  }
  bool ended() const { return until_end && empty() && consumer->at_end(); }
  // Waits until the buffer has a message (true), or the timeout or the end (false).
  bool wait(std::int64_t timeout_ms) {
    if (handler) throw Error(Errc::invalid_argument, "this consumer hands its messages to on_message");
    ack_handed();
    return api::run_until(*cluster, [&] {
      fill();
      return !empty() || ended();
    }, timeout_ms) && !empty();
  }
  Message pop() {
    Message m = std::move(buffer[pos++]);
    note_handed(m);
    return m;
  }
  // The callback form: hand out one batch; more on the next loop turn if the batch was full.
  void dispatch() {
    if (!handler) return;
    try {
      std::size_t n = 0;
      while (handler && n < kBatch) {
        fill();
        if (empty()) break;
        const Message m = pop();
        handler(m);
        ack_handed();
        ++n;
      }
      if (handler && n == kBatch) more->schedule();
    } catch (...) {
      cluster->handler_exception = std::current_exception();
      cluster->loop.stop();
    }
  }
};

sea::Consumer sea::Cluster::consumer(const std::vector<std::string>& streams, const sea::ConsumerOptions& options) {
  if (!state_) throw Error(Errc::closed, "this sea::Cluster was moved from");
  if (streams.empty()) throw Error(Errc::invalid_argument, "a consumer needs at least one stream");
  std::vector<StreamKey> keys;
  for (const std::string& name : streams) keys.push_back(api::stream_key(name));
  auto impl = std::make_unique<sea::Consumer::Impl>();
  impl->cluster = state_;
  impl->until_end = options.until_end();
  impl->auto_ack = options.auto_ack();
  impl->consumer = api::value_or_throw(state_->streamer->create_consumer(keys, options.core()));
  sea::Consumer::Impl* raw = impl.get();
  impl->more = std::make_unique<loop::Defer>(state_->loop, [raw] { raw->dispatch(); });
  impl->consumer->set_on_readable([raw] { raw->dispatch(); });
  return sea::Consumer(std::move(impl));
}

sea::Consumer::Consumer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
sea::Consumer::Consumer(Consumer&& other) noexcept = default;
sea::Consumer& sea::Consumer::operator=(Consumer&& other) noexcept = default;

sea::Consumer::~Consumer() {
  if (!impl_) return;
  // What was acknowledged is committed now rather than lost with the batch in progress.
  (void)impl_->consumer->commit_now();
  impl_->consumer->set_on_readable({});
  impl_->more.reset();
  impl_->consumer.reset();
}

static sea::Consumer::Impl& consumer_impl(const std::unique_ptr<sea::Consumer::Impl>& impl) {
  if (!impl) throw Error(Errc::closed, "this sea::Consumer was moved from");
  return *impl;
}

std::optional<Message> sea::Consumer::recv() {
  Impl& c = consumer_impl(impl_);
  if (c.handler) throw Error(Errc::invalid_argument, "this consumer hands its messages to on_message");
  c.ack_handed();
  c.fill();
  if (c.empty()) {
    c.cluster->loop.run_once(false);
    c.cluster->rethrow();
    c.fill();
  }
  if (c.empty()) return std::nullopt;
  return c.pop();
}

std::optional<Message> sea::Consumer::next() { return next_within(-1); }

std::optional<Message> sea::Consumer::next_within(std::int64_t timeout_ms) {
  Impl& c = consumer_impl(impl_);
  if (!c.wait(timeout_ms < 0 ? -1 : timeout_ms)) return std::nullopt;
  return c.pop();
}

std::vector<Message> sea::Consumer::next_batch(std::size_t max, std::int64_t timeout_ms) {
  Impl& c = consumer_impl(impl_);
  std::vector<Message> out;
  if (max == 0 || !c.wait(timeout_ms)) return out;
  if (c.pos == 0 && c.buffer.size() <= max) {
    // The whole batch as it came: no move per message.
    out.swap(c.buffer);
    for (const Message& m : out) c.note_handed(m);
    return out;
  }
  while (out.size() < max && !c.empty()) out.push_back(c.pop());
  return out;
}

void sea::Consumer::seek(Timestamp time_ms) {
  Impl& c = consumer_impl(impl_);
  c.buffer.clear();
  c.pos = 0;
  c.handed.clear();
  api::check(c.consumer->seek(time_ms));
}

void sea::Consumer::seek(std::chrono::system_clock::time_point time) {
  seek(std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count());
}

void sea::Consumer::assign(ShardId shard, SeqNo seq) {
  Impl& c = consumer_impl(impl_);
  // Only that shard's buffered messages are dropped; the others' stay in order.
  c.buffer.erase(std::remove_if(c.buffer.begin() + static_cast<std::ptrdiff_t>(c.pos), c.buffer.end(),
                               [&](const Message& m) { return m.shard == shard; }),
                 c.buffer.end());
  std::erase_if(c.handed, [&](const Impl::Handed& h) { return h.shard == shard; });
  api::check(c.consumer->assign(shard, seq));
}

void sea::Consumer::ack(const Message& message) {
  consumer_impl(impl_).consumer->ack(message.stream, message.shard, message.seq);
}

void sea::Consumer::ack(std::string_view stream, ShardId shard, SeqNo seq) {
  consumer_impl(impl_).consumer->ack(stream, shard, seq);
}

void sea::Consumer::commit() {
  Impl& c = consumer_impl(impl_);
  c.ack_handed();
  api::check(c.consumer->commit_now());
}

bool sea::Consumer::at_end() const {
  const Impl& c = consumer_impl(impl_);
  return c.empty() && c.consumer->at_end();
}

std::vector<ShardId> sea::Consumer::shards() const { return consumer_impl(impl_).consumer->shards(); }

void sea::Consumer::on_message(std::function<void(const Message&)> handler) {
  Impl& c = consumer_impl(impl_);
  c.ack_handed();
  c.handler = std::move(handler);
  if (c.handler) c.more->schedule();  // what is already buffered or waiting
}

}  // namespace sea
