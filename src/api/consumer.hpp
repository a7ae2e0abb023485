// sea::Consumer: reads one or more streams, for programs not built around the loop.
//
//   sea::Consumer c = cluster.consumer({"news"}, sea::ConsumerOptions().group("g").from(sea::Start::earliest()));
//   std::optional<sea::Message> m = c.next(std::chrono::seconds(5));  // nullopt on timeout
//   for (const sea::Message& m : c) { ... }                            // until_end(true) ends it
//   c.on_message([](const sea::Message& m) { ... });  cluster.run();   // the callback form
//
// Lifecycle: a handle you own (movable, not copyable), made by Cluster::consumer; it keeps its
// cluster's loop and connection alive, so it may outlive the sea::Cluster object. Not
// thread-safe: one thread uses a cluster and what it made.
//
// Messages are taken from the backend in batches (up to 512 per loop turn) and handed out one by
// one; each is a sea::Message that owns its bytes. With a group and auto_ack (the default), the
// message handed out last is acknowledged when the next one is asked for, and committed in
// batches (commit() forces it; the destructor commits): a crash re-delivers at most what was
// being handled, never skips it.
//
// Errors: every call throws sea::Error (a shard it cannot read, a group it cannot join, a
// closed consumer); none returns a Result.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "core/types.hpp"

namespace sea {

class Consumer {
 public:
  struct Impl;
  explicit Consumer(std::unique_ptr<Impl> impl);
  Consumer(Consumer&& other) noexcept;
  Consumer& operator=(Consumer&& other) noexcept;
  ~Consumer();

  // The next message if one is buffered or arrives within one non-blocking loop turn.
  std::optional<Message> recv();
  // Waits for the next message. nullopt only with ConsumerOptions::until_end(true), at the end.
  std::optional<Message> next();
  // Waits at most `timeout`; nullopt when it ran out (or at the end, with until_end).
  template <class Rep, class Period>
  std::optional<Message> next(std::chrono::duration<Rep, Period> timeout) {
    return next_within(std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count());
  }
  // Up to `max` messages: what is buffered, else waits up to `timeout_ms` (negative: no limit)
  // for at least one. Empty on timeout or at the end. (What the Python module reads through.)
  std::vector<Message> next_batch(std::size_t max, std::int64_t timeout_ms);

  // Every shard from the first message at or after `time` (ms since the epoch, UTC).
  void seek(Timestamp time_ms);
  void seek(std::chrono::system_clock::time_point time);
  // One shard from `seq` on (the next message of that shard has seq >= it).
  void assign(ShardId shard, SeqNo seq);

  // With auto_ack(false): marks this message, and every earlier one of its shard, as handled.
  void ack(const Message& message);
  void ack(std::string_view stream, ShardId shard, SeqNo seq);
  // Commits what was acknowledged now instead of in the next batch.
  void commit();
  // True when nothing is buffered and every shard was read to its end.
  bool at_end() const;
  std::vector<ShardId> shards() const;

  // The callback form: from now on, each message is handed to `handler` on the loop while the
  // cluster's loop runs (Cluster::run, or any blocking call). With auto_ack, a message is
  // acknowledged when its handler returned. Pass {} to stop; next()/recv() then work again.
  void on_message(std::function<void(const Message&)> handler);

  // A range-for over the messages; ends where next() returns nullopt.
  class Iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = Message;
    using difference_type = std::ptrdiff_t;
    using pointer = const Message*;
    using reference = const Message&;
    Iterator() = default;
    explicit Iterator(Consumer* consumer) : consumer_(consumer) { ++*this; }
    const Message& operator*() const { return *current_; }
    const Message* operator->() const { return &*current_; }
    Iterator& operator++() {
      current_ = consumer_->next();
      if (!current_) consumer_ = nullptr;
      return *this;
    }
    void operator++(int) { ++*this; }
    bool operator==(std::default_sentinel_t) const { return consumer_ == nullptr; }

   private:
    Consumer* consumer_ = nullptr;
    std::optional<Message> current_;
  };
  Iterator begin() { return Iterator(this); }
  std::default_sentinel_t end() { return {}; }

 private:
  std::optional<Message> next_within(std::int64_t timeout_ms);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sea
