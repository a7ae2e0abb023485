// Decode → policy → producer, as described in ingest.hpp.
#include "flow/ingest.hpp"

#include <spdlog/spdlog.h>

#include "backends/registry.hpp"

namespace sea::flow {

Ingest::Ingest(std::unique_ptr<Producer> producer, std::unique_ptr<codecs::Decoder> decoder, ErrorPolicy policy,
               std::string stream, MessageOverrides overrides)
    : producer_(std::move(producer)),
      decoder_(std::move(decoder)),
      policy_(std::move(policy)),
      stream_(std::move(stream)),
      overrides_(std::move(overrides)) {
  producer_->set_on_delivery([this](Producer::Ticket, const Result<Receipt>& outcome) {
    if (outcome.ok()) return;
    ++delivery_failures_;
    if (!delivery_error_) {
      delivery_error_ = outcome.error();
      spdlog::error("delivery failed: {}", outcome.error().message);
    }
  });
}

Ingest::~Ingest() = default;

Result<void> Ingest::open_dead_letter(loop::Loop& loop, const ConnectOptions& connect) {
  if (policy_.kind != ErrorPolicy::Kind::dead_letter) return {};
  Result<StreamAddress> address = parse_stream_address(policy_.dead_letter);
  if (!address) return address.error();
  Result<std::unique_ptr<Streamer>> streamer = sea::connect(loop, address->cluster, connect);
  if (!streamer) return streamer.error();
  dead_letter_streamer_ = std::move(*streamer);
  Result<std::unique_ptr<Producer>> producer =
      dead_letter_streamer_->create_producer(address->streams.front(), ProducerOptions{});
  if (!producer) return producer.error();
  dead_letter_ = std::move(*producer);
  return {};
}

void Ingest::feed(std::string_view chunk) {
  if (stopped()) return;
  decoder_->feed(chunk, *this);
}

void Ingest::end_of_writer() {
  if (stopped()) return;
  decoder_->finish(*this);
}

void Ingest::on_frame(const codecs::Frame& frame) {
  if (stopped()) return;
  MessageView view;
  view.stream = stream_;
  view.has_key = frame.has_key;
  view.key = frame.key;
  if (overrides_.key) {
    view.has_key = true;
    view.key = *overrides_.key;
  }
  view.ts = frame.ts;
  if (overrides_.keep_shard) view.shard = frame.shard;
  view.headers = frame.headers;
  if (!overrides_.headers.empty()) {
    // -H wins over a frame header of the same name, so each name keeps one value.
    headers_.clear();
    for (const HeaderView& h : frame.headers) {
      bool replaced = false;
      for (const Header& o : overrides_.headers) replaced = replaced || o.key == h.key;
      if (!replaced) headers_.push_back(h);
    }
    for (const Header& o : overrides_.headers) headers_.push_back({o.key, o.value});
    view.headers = headers_;
  }
  view.payload = frame.payload;
  Result<Producer::Ticket> sent = producer_->send(view);
  if (!sent) {
    stop_error_ = sent.error();
    return;
  }
  ++frames_;
}

void Ingest::on_error(const codecs::DecodeError& error) {
  if (stopped()) return;
  ++bad_frames_;
  switch (policy_.kind) {
    case ErrorPolicy::Kind::fail:
      stop_error_ = Error{Errc::parse, "bad input at " + error.describe(), 0};
      return;
    case ErrorPolicy::Kind::skip:
      spdlog::warn("skipped bad input at {}", error.describe());
      return;
    case ErrorPolicy::Kind::dead_letter: {
      MessageView view;
      view.stream = stream_;
      view.payload = error.raw;
      const std::string position = std::to_string(error.line) + ":" + std::to_string(error.offset);
      const HeaderView headers[] = {{"sea-error", error.reason}, {"sea-position", position}};
      view.headers = headers;
      Result<Producer::Ticket> sent = dead_letter_->send(view);
      if (!sent) {
        stop_error_ = sent.error();
        return;
      }
      spdlog::warn("dead-lettered bad input at {}", error.describe());
      return;
    }
  }
}

void Ingest::flush(std::function<void(Result<void>)> done) {
  auto finish = [this, done = std::move(done)](Result<void> main_result) {
    if (!main_result.ok()) {
      done(main_result);
      return;
    }
    if (delivery_error_) {
      done(*delivery_error_);
      return;
    }
    done({});
  };
  if (!dead_letter_) {
    producer_->flush(std::move(finish));
    return;
  }
  producer_->flush([this, finish = std::move(finish)](Result<void> main_result) mutable {
    dead_letter_->flush([main_result = std::move(main_result), finish = std::move(finish)](Result<void> dl) mutable {
      if (!main_result.ok()) finish(std::move(main_result));
      else finish(std::move(dl));
    });
  });
}

namespace {
constexpr std::uint64_t kWatchdogTickMs = 100;

std::uint64_t settled(const Producer& producer) { return producer.acknowledged() + producer.failed(); }
}  // namespace

std::uint64_t Ingest::unacknowledged() const {
  std::uint64_t open = producer_->sent() - settled(*producer_);
  if (dead_letter_) open += dead_letter_->sent() - settled(*dead_letter_);
  return open;
}

void Ingest::flush_for_shutdown(loop::Loop& loop, std::function<void(Result<void>)> done) {
  shutdown_done_ = std::move(done);
  last_settled_ = settled(*producer_);
  stalled_ms_ = 0;
  watchdog_ = std::make_unique<loop::Timer>(loop);
  watchdog_->start(kWatchdogTickMs, kWatchdogTickMs, [this] {
    const std::uint64_t now = settled(*producer_);
    stalled_ms_ = now != last_settled_ ? 0 : stalled_ms_ + kWatchdogTickMs;
    last_settled_ = now;
    if (stalled_ms_ >= kShutdownStallMs) give_up();
  });
  flush([this](Result<void> flushed) {
    if (!shutdown_done_) return;  // gave up already
    watchdog_->stop();
    std::function<void(Result<void>)> finish = std::move(shutdown_done_);
    shutdown_done_ = nullptr;
    finish(std::move(flushed));
  });
}

void Ingest::give_up() {
  if (!shutdown_done_) return;
  watchdog_->stop();
  std::function<void(Result<void>)> finish = std::move(shutdown_done_);
  shutdown_done_ = nullptr;
  const std::string why = stalled_ms_ >= kShutdownStallMs
                              ? fmt::format("none was acknowledged for {} ms: is the backend down?", stalled_ms_)
                              : std::string("a second signal stopped the flush");
  finish(make_error(Errc::timeout, "{} message(s) read were not acknowledged and are lost ({})", unacknowledged(),
                    why));
}

Result<ErrorPolicy> ErrorPolicy::parse(std::string_view text) {
  ErrorPolicy policy;
  if (text == "fail") {
    policy.kind = Kind::fail;
  } else if (text == "skip") {
    policy.kind = Kind::skip;
  } else if (text.starts_with("dead-letter:")) {
    policy.kind = Kind::dead_letter;
    policy.dead_letter = std::string(text.substr(12));
    Result<StreamAddress> address = parse_stream_address(policy.dead_letter);
    if (!address) return address.error();
  } else {
    return make_error(Errc::invalid_argument, "bad --on-error '{}': expected fail, skip or dead-letter:URI/KEY", text);
  }
  return policy;
}

}  // namespace sea::flow
