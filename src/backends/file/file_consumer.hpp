// The file backend's Consumer: one ShardReader per (stream, shard) it reads, merged round robin
// between the shards that have data (order within a shard kept), handing out views into the
// readers' buffers (zero copy).
//
// Tail following: an inotify watch (loop::FsWatch) on each shard directory sees appends to
// the active segment and new segments; a watch on DIR sees streams that do not exist yet
// appear (a tap started before the first producer); a slow, unref'd safety timer (1 s) covers
// missed events and retries group rebalancing. No busy polling.
//
// Groups (ConsumerOptions.group): see group_member.hpp. ack() records what was handed on;
// positions are committed at most every 200 ms, in commit_now() and in the destructor. A
// member resumes from the committed position; ConsumerOptions.start applies only to shards
// the group has no position for. ConsumerMode::exactly_once is Errc::unsupported: the file
// backend offers at-least-once through groups.
//
// Start positions: earliest, latest (the end of what exists now; a stream or shard that
// appears later is read from its start), seq (with a shard: that shard only, the others at
// latest), time. A missing DIR is created so it can be watched.
//
// Lifecycle: made by FileStreamer::create_consumer; lives on the streamer's loop.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "backends/file/group_member.hpp"
#include "backends/file/shard_reader.hpp"
#include "core/streamer.hpp"
#include "loop/loop.hpp"

namespace sea::file {

class FileConsumer final : public Consumer {
 public:
  static Result<std::unique_ptr<Consumer>> create(loop::Loop& loop, const std::string& root,
                                                  std::span<const StreamKey> streams, const ConsumerOptions& options);
  ~FileConsumer() override;

  std::size_t poll(std::size_t max, const Sink& sink) override;
  void set_on_readable(std::function<void()> on_readable) override { on_readable_ = std::move(on_readable); }
  bool at_end() const override;
  Result<void> seek(Timestamp time) override;
  Result<void> assign(ShardId shard, SeqNo seq) override;
  void ack(std::string_view stream, ShardId shard, SeqNo seq) override;
  Result<void> commit_now() override;
  std::vector<ShardId> shards() const override;

  // The first I/O error a reader met (the Consumer interface has no error channel).
  std::optional<Error> error() const override { return error_; }

 private:
  struct Source {
    std::size_t stream = 0;
    ShardId shard = 0;
    std::unique_ptr<ShardReader> reader;
    std::unique_ptr<loop::FsWatch> watch;
    SeqNo last_delivered = 0;
    bool delivered_any = false;
    std::optional<SeqNo> acked_next;
    bool dirty = false;
    bool failed = false;
  };
  struct StreamState {
    std::string name;
    bool open = false;
    bool appeared_later = false;
    std::unique_ptr<GroupMember> member;
  };

  FileConsumer(loop::Loop& loop, std::string root, ConsumerOptions options);
  Result<void> try_open_stream(std::size_t index);
  Result<void> add_source(std::size_t stream, ShardId shard);
  void remove_source(std::size_t stream, ShardId shard);
  Result<void> rebalance(std::size_t stream);
  void on_tick();
  void on_root_event(const std::string& name);
  void schedule_commit();
  Result<void> commit_dirty();
  void fail(Source& source, Error error);

  loop::Loop& loop_;
  std::string root_;
  ConsumerOptions options_;
  std::vector<StreamState> streams_;
  std::vector<std::unique_ptr<Source>> sources_;
  std::size_t round_robin_ = 0;
  std::vector<HeaderView> headers_;
  std::function<void()> on_readable_;
  std::optional<Error> error_;
  bool commit_pending_ = false;
  loop::Defer readable_;
  loop::Timer tick_;
  loop::Timer commit_timer_;
  std::unique_ptr<loop::FsWatch> root_watch_;
};

}  // namespace sea::file
