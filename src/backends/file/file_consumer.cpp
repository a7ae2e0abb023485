// Reading, merging and following shards; group positions (see file_consumer.hpp).
#include "backends/file/file_consumer.hpp"

#include <algorithm>

#include "backends/file/stream_dir.hpp"

namespace sea::file {

namespace {

constexpr std::uint64_t kTickMs = 1000;
constexpr std::uint64_t kCommitDelayMs = 200;
// Messages taken from one shard before the next shard's turn: fair, yet cache friendly.
constexpr std::size_t kBurst = 64;

}  // namespace

Result<std::unique_ptr<Consumer>> FileConsumer::create(loop::Loop& loop, const std::string& root,
                                                       std::span<const StreamKey> streams, const ConsumerOptions& options) {
  if (options.mode == ConsumerMode::exactly_once)
    return make_error(Errc::unsupported,
                      "the file backend cannot consume exactly-once; use --mode repeat with a --group for "
                      "at-least-once (positions committed only after messages were handed on)");
  if (streams.empty()) return make_error(Errc::invalid_argument, "no stream to consume");
  if (!options.group.empty()) {
    Result<StreamKey> valid = StreamKey::parse(options.group);
    if (!valid) return make_error(Errc::invalid_argument, "group name: {}", valid.error().message);
  }
  SEA_TRY(make_dirs(root));
  std::unique_ptr<FileConsumer> self(new FileConsumer(loop, root, options));
  for (const StreamKey& stream : streams) self->streams_.push_back({stream.str(), false, false, nullptr});
  for (std::size_t i = 0; i < self->streams_.size(); ++i) SEA_TRY(self->try_open_stream(i));
  const bool all_open = std::all_of(self->streams_.begin(), self->streams_.end(), [](const StreamState& s) { return s.open; });
  if (!all_open) {
    self->root_watch_ = std::make_unique<loop::FsWatch>(loop);
    FileConsumer* raw = self.get();
    SEA_TRY(self->root_watch_->start(root, [raw](const std::string& name) { raw->on_root_event(name); }));
  }
  for (StreamState& stream : self->streams_) stream.appeared_later = !stream.open;
  self->tick_.start(kTickMs, kTickMs, [raw = self.get()] { raw->on_tick(); });
  self->tick_.unref();
  self->readable_.schedule();
  return std::unique_ptr<Consumer>(std::move(self));
}

FileConsumer::FileConsumer(loop::Loop& loop, std::string root, ConsumerOptions options)
    : loop_(loop), root_(std::move(root)), options_(std::move(options)),
      readable_(loop, [this] {
        if (on_readable_) on_readable_();
      }),
      tick_(loop), commit_timer_(loop) {}

FileConsumer::~FileConsumer() { (void)commit_dirty(); }

Result<void> FileConsumer::try_open_stream(std::size_t index) {
  StreamState& stream = streams_[index];
  if (stream.open) return ok();
  Result<std::optional<StreamMeta>> meta = read_meta(root_, stream.name);
  if (!meta) return meta.error();
  if (!*meta) return ok();  // not there yet: the DIR watch or the tick will try again
  stream.open = true;
  std::vector<ShardId> wanted;
  for (ShardId shard = 0; shard < (*meta)->shards; ++shard)
    if (options_.shards.empty() || std::find(options_.shards.begin(), options_.shards.end(), shard) != options_.shards.end())
      wanted.push_back(shard);
  if (options_.group.empty()) {
    for (const ShardId shard : wanted) SEA_TRY(add_source(index, shard));
    return ok();
  }
  const std::string member = options_.member.empty() ? "sea" : options_.member;
  Result<std::unique_ptr<GroupMember>> joined = GroupMember::join(root_, stream.name, options_.group, member, wanted);
  if (!joined) return joined.error();
  stream.member = std::move(*joined);
  return rebalance(index);
}

Result<void> FileConsumer::rebalance(std::size_t index) {
  StreamState& stream = streams_[index];
  if (!stream.member) return ok();
  std::vector<ShardId> gained;
  std::vector<ShardId> lost;
  SEA_TRY(stream.member->rebalance(gained, lost));
  for (const ShardId shard : lost) {
    // Hand the shard over with its position committed, so the next owner resumes there.
    for (const std::unique_ptr<Source>& source : sources_)
      if (source->stream == index && source->shard == shard && source->acked_next)
        (void)stream.member->commit(shard, *source->acked_next);
    remove_source(index, shard);
    stream.member->release(shard);
  }
  for (const ShardId shard : gained) SEA_TRY(add_source(index, shard));
  if (!gained.empty()) readable_.schedule();
  return ok();
}

Result<void> FileConsumer::add_source(std::size_t index, ShardId shard) {
  StreamState& stream = streams_[index];
  auto source = std::make_unique<Source>();
  source->stream = index;
  source->shard = shard;
  const std::size_t share = options_.max_buffer_bytes / std::max<std::size_t>(sources_.size() + 1, 1);
  source->reader = std::make_unique<ShardReader>(shard_path(root_, stream.name, shard),
                                                 std::clamp<std::size_t>(share, 64 << 10, 1 << 20));
  std::optional<SeqNo> committed;
  if (stream.member) {
    Result<std::optional<SeqNo>> position = stream.member->committed(shard);
    if (!position) return position.error();
    committed = *position;
  }
  const StartPosition& start = options_.start;
  ShardReader& reader = *source->reader;
  if (committed) {
    reader.start_at_seq(*committed);
    source->acked_next = committed;
  } else if (start.kind == StartPosition::Kind::earliest) {
    reader.start_at_begin();
  } else if (start.kind == StartPosition::Kind::time) {
    reader.start_at_time(start.time);
  } else if (start.kind == StartPosition::Kind::seq && (start.shard == kAnyShard || start.shard == shard)) {
    reader.start_at_seq(start.seq);
  } else if (stream.appeared_later) {
    reader.start_at_begin();  // "latest" of a stream born after we started is all of it
  } else {
    reader.start_at_end();
  }
  source->watch = std::make_unique<loop::FsWatch>(loop_);
  Source* raw = source.get();
  Result<void> watching = source->watch->start(shard_path(root_, stream.name, shard), [this, raw](const std::string&) {
    raw->reader->mark_changed();
    readable_.schedule();
  });
  if (!watching) return watching;
  sources_.push_back(std::move(source));
  return ok();
}

void FileConsumer::remove_source(std::size_t stream, ShardId shard) {
  std::erase_if(sources_, [&](const std::unique_ptr<Source>& s) { return s->stream == stream && s->shard == shard; });
  round_robin_ = 0;
}

void FileConsumer::on_root_event(const std::string& name) {
  for (std::size_t i = 0; i < streams_.size(); ++i) {
    if (!streams_[i].open && (name.empty() || name == streams_[i].name)) {
      Result<void> opened = try_open_stream(i);
      if (!opened && !error_) error_ = opened.error();
      readable_.schedule();
    }
  }
}

void FileConsumer::on_tick() {
  // The safety net: events can be missed (a watch set up just after a write), and group
  // membership changes are only noticed here.
  for (std::size_t i = 0; i < streams_.size(); ++i) {
    Result<void> done = streams_[i].open ? rebalance(i) : try_open_stream(i);
    if (!done && !error_) error_ = done.error();
  }
  for (const std::unique_ptr<Source>& source : sources_) source->reader->mark_changed();
  if (std::all_of(streams_.begin(), streams_.end(), [](const StreamState& s) { return s.open; })) root_watch_.reset();
  readable_.schedule();
}

void FileConsumer::fail(Source& source, Error error) {
  source.failed = true;
  if (!error_) error_ = std::move(error);
}

std::size_t FileConsumer::poll(std::size_t max, const Sink& sink) {
  std::size_t delivered = 0;
  const std::size_t count = sources_.size();
  while (delivered < max && count > 0) {
    bool progress = false;
    for (std::size_t k = 0; k < count && delivered < max; ++k) {
      Source& source = *sources_[(round_robin_ + k) % count];
      if (source.failed) continue;
      const std::size_t burst = std::min(kBurst, max - delivered);
      for (std::size_t b = 0; b < burst; ++b) {
        FrameView frame;
        Result<bool> got = source.reader->next(frame);
        if (!got) {
          fail(source, got.error());
          break;
        }
        if (!*got) break;
        MessageView view;
        view.stream = streams_[source.stream].name;
        view.shard = source.shard;
        view.seq = frame.seq;
        view.ts = frame.ts;
        view.has_key = frame.has_key;
        view.key = frame.key;
        if (frame.header_count > 0) {
          parse_headers(frame, headers_);
          view.headers = headers_;
        }
        view.payload = frame.payload;
        source.last_delivered = frame.seq;
        source.delivered_any = true;
        ++delivered;
        progress = true;
        sink(view);
      }
    }
    round_robin_ = (round_robin_ + 1) % count;
    if (!progress) break;
  }
  return delivered;
}

bool FileConsumer::at_end() const {
  return std::all_of(sources_.begin(), sources_.end(),
                     [](const std::unique_ptr<Source>& s) { return s->failed || s->reader->caught_up(); });
}

Result<void> FileConsumer::seek(Timestamp time) {
  for (const std::unique_ptr<Source>& source : sources_) source->reader->start_at_time(time);
  options_.start.kind = StartPosition::Kind::time;  // for shards taken over later
  options_.start.time = time;
  readable_.schedule();
  return ok();
}

Result<void> FileConsumer::assign(ShardId shard, SeqNo seq) {
  bool found = false;
  for (const std::unique_ptr<Source>& source : sources_) {
    if (source->shard != shard) continue;
    source->reader->start_at_seq(seq);
    found = true;
  }
  if (!found) return make_error(Errc::not_found, "shard {} is not read by this consumer", shard);
  readable_.schedule();
  return ok();
}

void FileConsumer::ack(std::string_view stream, ShardId shard, SeqNo seq) {
  if (options_.group.empty()) return;
  Source* target = nullptr;
  for (const std::unique_ptr<Source>& source : sources_) {
    if (source->shard == shard && source->delivered_any && streams_[source->stream].name == stream) {
      target = source.get();
      break;
    }
  }
  if (target == nullptr) return;
  if (!target->acked_next || *target->acked_next < seq + 1) {
    target->acked_next = seq + 1;
    target->dirty = true;
    schedule_commit();
  }
}

void FileConsumer::schedule_commit() {
  if (commit_pending_) return;
  commit_pending_ = true;
  commit_timer_.start(kCommitDelayMs, 0, [this] {
    commit_pending_ = false;
    Result<void> committed = commit_dirty();
    if (!committed && !error_) error_ = committed.error();
  });
}

Result<void> FileConsumer::commit_dirty() {
  Result<void> result = ok();
  for (const std::unique_ptr<Source>& source : sources_) {
    if (!source->dirty || !source->acked_next) continue;
    GroupMember* member = streams_[source->stream].member.get();
    if (member == nullptr) continue;
    Result<void> done = member->commit(source->shard, *source->acked_next);
    if (done) {
      source->dirty = false;
    } else if (result.ok()) {
      result = done;
    }
  }
  return result;
}

Result<void> FileConsumer::commit_now() {
  commit_timer_.stop();
  commit_pending_ = false;
  return commit_dirty();
}

std::vector<ShardId> FileConsumer::shards() const {
  std::vector<ShardId> ids;
  for (const std::unique_ptr<Source>& source : sources_) ids.push_back(source->shard);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

}  // namespace sea::file
