// Batched, per-shard producing to the file log (see file_producer.hpp).
#include "backends/file/file_producer.hpp"

#include "core/murmur2.hpp"
#include "backends/file/stream_dir.hpp"

namespace sea::file {

namespace {

// A batch goes out when this much is buffered for a shard, even before the loop turns.
constexpr std::size_t kBatchBytes = 256 << 10;

}  // namespace

Result<std::unique_ptr<Producer>> FileProducer::create(loop::Loop& loop, const std::string& root, const StreamKey& stream,
                                                       const ProducerOptions& options, const WriterOptions& writer) {
  WriterOptions writer_options = writer;
  if (options.delivery == Delivery::exactly_once) {
    if (options.dedupe_window_ms <= 0)
      return make_error(Errc::invalid_argument, "exactly-once delivery needs a positive dedupe window, not {} ms",
                        options.dedupe_window_ms);
    writer_options.dedupe_window_ms = options.dedupe_window_ms;
  }
  Result<StreamMeta> meta = open_or_create_stream(root, stream.str(), StreamMeta{});
  if (!meta) return meta.error();
  if (options.shard != kAnyShard && options.shard >= meta->shards)
    return make_error(Errc::invalid_argument, "shard {} does not exist: stream '{}' has {} shard(s)", options.shard,
                      stream.str(), meta->shards);
  return std::unique_ptr<Producer>(new FileProducer(loop, root, stream.str(), options, writer_options, meta->shards));
}

FileProducer::FileProducer(loop::Loop& loop, std::string root, std::string stream, ProducerOptions options,
                           WriterOptions writer, std::uint32_t shards)
    : root_(std::move(root)), stream_(std::move(stream)), options_(std::move(options)), writer_options_(writer),
      queues_(shards), turn_(loop, [this] { on_turn(); }) {}

FileProducer::~FileProducer() {
  // Whatever was accepted still goes to disk; nobody is left to hear about it.
  for (ShardId shard = 0; shard < queues_.size(); ++shard) write_shard(shard);
}

Result<Producer::Ticket> FileProducer::send(const MessageView& message) {
  const std::size_t size = frame_size(message) - kFramePrefix - kBodyFixed;
  if (size > options_.max_message_bytes)
    return make_error(Errc::invalid_argument, "message of {} bytes (key, headers and payload) is larger than the {} allowed",
                      size, options_.max_message_bytes);
  if (options_.delivery == Delivery::exactly_once && !message.has_key)
    return make_error(Errc::invalid_argument,
                      "exactly-once delivery on the file backend dedupes by message key: this message has none");
  // A fixed --shard first, then the message's own shard (an envelope's, with --keep-shard),
  // then by key hash, else round robin.
  ShardId shard = options_.shard != kAnyShard ? options_.shard : message.shard;
  if (shard != kAnyShard && shard >= queues_.size())
    return make_error(Errc::invalid_argument, "shard {} does not exist: stream '{}' has {} shard(s)", shard, stream_,
                      queues_.size());
  if (shard == kAnyShard) {
    const auto shards = static_cast<std::uint32_t>(queues_.size());
    shard = message.has_key ? shard_for_key(message.key, shards) : round_robin_++ % shards;
  }
  ShardQueue& queue = queues_[shard];
  const Timestamp ts = message.ts != 0 ? message.ts : now_ms();
  queue.frames.push_back({queue.batch.size(), ts});
  append_unsealed_frame(queue.batch, ts, message);  // sealed by ShardWriter when it knows the seq
  const Ticket ticket = ++last_ticket_;
  queue.tickets.push_back(ticket);
  ++sent_;
  ++in_flight_;
  in_flight_bytes_ += frame_size(message);
  if (congested()) was_congested_ = true;
  if (queue.batch.size() >= kBatchBytes) write_shard(shard);
  turn_.schedule();
  return ticket;
}

bool FileProducer::congested() const {
  return in_flight_bytes_ > options_.max_in_flight_bytes || in_flight_ >= options_.max_in_flight;
}

void FileProducer::flush(std::function<void(Result<void>)> done) {
  // Every write happens by the end of the next turn, so that is when the flush is done.
  flushes_.push_back(std::move(done));
  turn_.schedule();
}

void FileProducer::write_shard(ShardId shard) {
  ShardQueue& queue = queues_[shard];
  if (queue.frames.empty()) return;
  if (!queue.writer)
    queue.writer = std::make_unique<ShardWriter>(root_, stream_, shard, writer_options_);
  const Result<void> written = queue.writer->append(queue.batch, queue.frames, stored_);
  for (std::size_t i = 0; i < queue.frames.size(); ++i) {
    const std::size_t end = i + 1 < queue.frames.size() ? queue.frames[i + 1].offset : queue.batch.size();
    const std::size_t bytes = end - queue.frames[i].offset;
    if (written) {
      outcomes_.push_back({queue.tickets[i], Receipt{shard, stored_[i].seq, stored_[i].ts}, bytes});
    } else {
      outcomes_.push_back({queue.tickets[i], written.error(), bytes});
    }
  }
  queue.batch.clear();
  queue.frames.clear();
  queue.tickets.clear();
  // A large batch buffer is not kept: memory stays bounded by the batch size.
  if (queue.batch.capacity() > 2 * kBatchBytes) queue.batch.shrink_to_fit();
}

void FileProducer::on_turn() {
  for (ShardId shard = 0; shard < queues_.size(); ++shard) write_shard(shard);
  // Callbacks may send (and so append to these queues): work on what is here now.
  std::deque<Outcome> outcomes;
  outcomes.swap(outcomes_);
  std::vector<std::function<void(Result<void>)>> flushes;
  flushes.swap(flushes_);
  for (Outcome& outcome : outcomes) {
    --in_flight_;
    in_flight_bytes_ -= outcome.bytes;
    if (outcome.result) {
      ++acknowledged_;
    } else {
      ++failed_;
      if (!first_error_) first_error_ = outcome.result.error();
    }
    if (on_delivery_) on_delivery_(outcome.ticket, outcome.result);
  }
  if (!flushes.empty()) {
    const Result<void> result = first_error_ ? Result<void>(*first_error_) : ok();
    first_error_.reset();
    for (std::function<void(Result<void>)>& done : flushes) done(result);
  }
  if (was_congested_ && !congested()) {
    was_congested_ = false;
    if (on_drain_) on_drain_();
  }
}

}  // namespace sea::file
