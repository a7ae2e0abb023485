// Loop-driving implementations of sync.hpp.
#include "backends/sync.hpp"

namespace sea {

std::optional<Message> next(loop::Loop& loop, Consumer& consumer, bool stop_at_end, std::uint64_t timeout_ms) {
  std::optional<Message> got;
  bool timed_out = false;
  loop::Timer timer(loop);
  if (timeout_ms > 0) timer.start(timeout_ms, 0, [&] { timed_out = true; });
  while (true) {
    consumer.poll(1, [&](const MessageView& view) { got = Message::from_view(view); });
    if (got) return got;
    if (stop_at_end && consumer.at_end()) return std::nullopt;
    if (timed_out) return std::nullopt;
    if (!loop.run_once(true)) {
      // Nothing left that could wake us: poll once more, then give up.
      consumer.poll(1, [&](const MessageView& view) { got = Message::from_view(view); });
      return got;
    }
  }
}

Result<Receipt> send_sync(loop::Loop& loop, Producer& producer, const MessageView& message) {
  std::optional<Result<Receipt>> outcome;
  Result<Producer::Ticket> ticket = producer.send(message);
  if (!ticket) return ticket.error();
  const Producer::Ticket mine = *ticket;
  producer.set_on_delivery([&](Producer::Ticket t, const Result<Receipt>& r) {
    if (t == mine) outcome = r;
  });
  Result<void> flushed = flush_sync(loop, producer);
  producer.set_on_delivery({});
  if (!flushed) return flushed.error();
  if (!outcome) return make_error(Errc::closed, "no delivery report for the message");
  return *outcome;
}

Result<void> flush_sync(loop::Loop& loop, Producer& producer) {
  std::optional<Result<void>> done;
  producer.flush([&](Result<void> r) { done = std::move(r); });
  while (!done) {
    if (!loop.run_once(true) && !done) return make_error(Errc::closed, "the loop ran out of work before the flush ended");
  }
  return *done;
}

}  // namespace sea
