// The file backend's Producer: buffers messages per shard and writes each shard's batch with
// one write() under the shard lock (ShardWriter), when ~256 KiB are buffered or on the next
// loop turn, whichever comes first, so latency stays one loop turn and throughput is batch
// sized. Delivery callbacks (Receipt with shard, seq, ts) run on the loop after the write()
// returned: "acknowledged" means in the page cache (see shard_writer.hpp for fsync).
//
// Shard choice: the fixed ProducerOptions.shard, else Kafka's murmur2 of the key when the
// message has one (an empty key is a key), else round robin.
// Delivery::exactly_once: every message needs a key; one whose key was stored in its shard
// within dedupe_window_ms is not stored again and its receipt names the stored copy (see
// dedupe.hpp).
//
// Lifecycle: made by FileStreamer::create_producer on the streamer's loop; lives on that loop;
// the destructor writes what is still buffered (without callbacks).
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "backends/file/shard_writer.hpp"
#include "core/streamer.hpp"
#include "loop/loop.hpp"

namespace sea::file {

class FileProducer final : public Producer {
 public:
  static Result<std::unique_ptr<Producer>> create(loop::Loop& loop, const std::string& root, const StreamKey& stream,
                                                  const ProducerOptions& options, const WriterOptions& writer);
  ~FileProducer() override;

  Result<Ticket> send(const MessageView& message) override;
  bool congested() const override;
  void set_on_drain(std::function<void()> on_drain) override { on_drain_ = std::move(on_drain); }
  void set_on_delivery(DeliveryCallback on_delivery) override { on_delivery_ = std::move(on_delivery); }
  void flush(std::function<void(Result<void>)> done) override;
  std::uint64_t sent() const override { return sent_; }
  std::uint64_t acknowledged() const override { return acknowledged_; }
  std::uint64_t failed() const override { return failed_; }

 private:
  struct ShardQueue {
    std::unique_ptr<ShardWriter> writer;
    std::string batch;
    std::vector<BatchFrame> frames;
    std::vector<Ticket> tickets;
  };
  struct Outcome {
    Ticket ticket;
    Result<Receipt> result;
    std::size_t bytes;
  };

  FileProducer(loop::Loop& loop, std::string root, std::string stream, ProducerOptions options, WriterOptions writer,
               std::uint32_t shards);
  void write_shard(ShardId shard);
  void on_turn();

  std::string root_;
  std::string stream_;
  ProducerOptions options_;
  WriterOptions writer_options_;
  std::vector<ShardQueue> queues_;
  std::uint32_t round_robin_ = 0;
  Ticket last_ticket_ = 0;
  std::uint64_t sent_ = 0;
  std::uint64_t acknowledged_ = 0;
  std::uint64_t failed_ = 0;
  std::size_t in_flight_ = 0;
  std::size_t in_flight_bytes_ = 0;
  bool was_congested_ = false;
  std::deque<Outcome> outcomes_;
  std::vector<StoredAt> stored_;  // reused by write_shard
  std::vector<std::function<void(Result<void>)>> flushes_;
  std::optional<Error> first_error_;
  DeliveryCallback on_delivery_;
  std::function<void()> on_drain_;
  loop::Defer turn_;
};

}  // namespace sea::file
