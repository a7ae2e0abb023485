// producer.hpp: sends through the loop-driven producer, keeps the outcomes of the receipts
// someone still holds, and waits (runs the loop) only in flush(), get() and when congested.
#include "api/producer.hpp"

#include <algorithm>
#include <vector>

#include "api/state.hpp"

namespace sea {

sea::Producer::Producer(ClusterState& cluster, std::unique_ptr<core::Producer> producer, std::string stream)
    : cluster_(cluster), producer_(std::move(producer)), stream_(std::move(stream)) {
  producer_->set_on_drain([] {});
  producer_->set_on_delivery([this](core::Producer::Ticket ticket, const Result<Receipt>& outcome) {
    if (watches_.empty()) return;
    if (Watch* w = find(ticket); w != nullptr && w->live) w->outcome = outcome;
  });
}

sea::Producer::~Producer() { producer_->set_on_delivery({}); }

ReceiptFuture sea::Producer::queue(const MessageView& view) {
  core::Producer::Ticket ticket = api::value_or_throw(producer_->send(view));
  watches_.push_back(Watch{ticket, std::nullopt, true});
  ReceiptFuture future(this, ticket);
  // Backpressure: past the in-flight window, wait for room instead of buffering more.
  if (producer_->congested()) api::run_until(cluster_, [&] { return !producer_->congested(); }, -1);
  return future;
}

ReceiptFuture sea::Producer::send(std::string_view payload) { return queue(MessageView{.payload = payload}); }

ReceiptFuture sea::Producer::send(const Message& message) {
  std::vector<HeaderView> headers;
  headers.reserve(message.headers.size());
  for (const Header& h : message.headers) headers.push_back(HeaderView{h.key, h.value});
  MessageView view{.ts = message.ts,
                   .has_key = message.key.has_value(),
                   .key = message.key ? std::string_view(*message.key) : std::string_view(),
                   .headers = headers,
                   .payload = message.payload};
  return queue(view);
}

void sea::Producer::flush() {
  std::optional<Result<void>> done;
  producer_->flush([&](Result<void> r) { done = std::move(r); });
  api::run_until(cluster_, [&] { return done.has_value(); }, -1);
  api::check(std::move(*done));
}

std::uint64_t sea::Producer::sent() const { return producer_->sent(); }
std::uint64_t sea::Producer::acknowledged() const { return producer_->acknowledged(); }
std::uint64_t sea::Producer::failed() const { return producer_->failed(); }

sea::Producer::Watch* sea::Producer::find(std::uint64_t ticket) {
  auto it = std::lower_bound(watches_.begin(), watches_.end(), ticket,
                             [](const Watch& w, std::uint64_t t) { return w.ticket < t; });
  return it != watches_.end() && it->ticket == ticket ? &*it : nullptr;
}

void sea::Producer::forget(std::uint64_t ticket) {
  if (Watch* w = find(ticket)) w->live = false;
  while (!watches_.empty() && !watches_.back().live) watches_.pop_back();
  while (!watches_.empty() && !watches_.front().live) watches_.pop_front();
}

// --- ReceiptFuture ---

ReceiptFuture::ReceiptFuture(ReceiptFuture&& other) noexcept
    : producer_(std::exchange(other.producer_, nullptr)), ticket_(other.ticket_) {}

ReceiptFuture& ReceiptFuture::operator=(ReceiptFuture&& other) noexcept {
  if (this != &other) {
    if (producer_ != nullptr) producer_->forget(ticket_);
    producer_ = std::exchange(other.producer_, nullptr);
    ticket_ = other.ticket_;
  }
  return *this;
}

ReceiptFuture::~ReceiptFuture() {
  if (producer_ != nullptr) producer_->forget(ticket_);
}

bool ReceiptFuture::ready() const {
  if (producer_ == nullptr) return false;
  const sea::Producer::Watch* w = producer_->find(ticket_);
  return w != nullptr && w->outcome.has_value();
}

Result<Receipt> ReceiptFuture::result() {
  if (producer_ == nullptr) return make_error(Errc::invalid_argument, "an empty (moved-from) ReceiptFuture");
  sea::Producer* p = producer_;
  const std::uint64_t ticket = ticket_;
  try {
    api::run_until(p->cluster_, [&] { return ready(); }, -1);
  } catch (const Error& e) {
    return e;
  }
  return *p->find(ticket)->outcome;
}

Receipt ReceiptFuture::get() { return api::value_or_throw(result()); }

}  // namespace sea
