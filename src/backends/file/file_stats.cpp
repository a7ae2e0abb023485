// Statistics of the file backend and producer presence files (see file_stats.hpp).
#include "backends/file/file_stats.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>

#include "backends/file/group_member.hpp"
#include "backends/file/segment_scan.hpp"
#include "backends/file/stream_dir.hpp"

namespace sea::file {

namespace {

std::vector<std::string> dir_names(const std::string& path) {
  std::vector<std::string> names;
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) return names;
  while (const dirent* entry = readdir(dir)) {
    const std::string name = entry->d_name;
    if (!name.empty() && name[0] != '.') names.push_back(name);
  }
  closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

std::string presence_dir(const std::string& root) { return root + "/.clients/producer"; }

// The newest complete frame of a segment: its time, size and the start of its payload.
struct NewestFrame {
  bool found = false;
  Timestamp ts = 0;
  std::string preview;
  std::uint64_t payload_size = 0;
};

Result<NewestFrame> newest_frame(const SegmentFile& segment, std::size_t preview_bytes) {
  NewestFrame out;
  Fd log{open(segment.log_path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (log.fd < 0) return out;  // dropped by retention meanwhile
  Fd idx{open(segment.idx_path.c_str(), O_RDONLY | O_CLOEXEC)};
  struct stat st {};
  fstat(log.fd, &st);
  Result<IndexTail> index = read_index_tail(idx.fd, log.fd, static_cast<std::uint64_t>(st.st_size));
  if (!index) return index.error();
  Result<ScanResult> scan = scan_segment(log.fd, tail_scan_start(*index, segment.base, {}),
                                         [&](const FrameView& frame, std::uint64_t) {
                                           out.found = true;
                                           out.ts = frame.ts;
                                           out.payload_size = frame.payload.size();
                                           out.preview.assign(frame.payload.substr(0, preview_bytes));
                                         });
  if (!scan) return scan.error();
  return out;
}

// The producer wrapper: forwards everything, holds the presence file's lock while alive.
// Lifecycle: as the producer it wraps; on the producer's loop thread.
class PresentProducer final : public Producer {
 public:
  PresentProducer(std::unique_ptr<Producer> inner, int fd, std::string path)
      : inner_(std::move(inner)), fd_(fd), path_(std::move(path)) {}
  ~PresentProducer() override {
    inner_.reset();
    unlink(path_.c_str());
    close(fd_);
  }
  Result<Ticket> send(const MessageView& message) override { return inner_->send(message); }
  bool congested() const override { return inner_->congested(); }
  void set_on_drain(std::function<void()> on_drain) override { inner_->set_on_drain(std::move(on_drain)); }
  void set_on_delivery(DeliveryCallback on_delivery) override { inner_->set_on_delivery(std::move(on_delivery)); }
  void flush(std::function<void(Result<void>)> done) override { inner_->flush(std::move(done)); }
  std::uint64_t sent() const override { return inner_->sent(); }
  std::uint64_t acknowledged() const override { return inner_->acknowledged(); }
  std::uint64_t failed() const override { return inner_->failed(); }

 private:
  std::unique_ptr<Producer> inner_;
  int fd_;
  std::string path_;
};

}  // namespace

std::unique_ptr<Producer> with_presence(std::unique_ptr<Producer> producer, const std::string& root,
                                        const std::string& stream) {
  static std::atomic<std::uint64_t> counter{0};
  const std::string dir = presence_dir(root);
  if (!make_dirs(dir)) return producer;
  const std::string name = fmt::format("{}@{}.{}", stream, getpid(), counter.fetch_add(1));
  // Locked under a temporary (dot) name first, so a live producer's file is never unlocked.
  const std::string temp = dir + "/." + name;
  const std::string path = dir + "/" + name;
  const int fd = open(temp.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return producer;
  if (flock(fd, LOCK_EX | LOCK_NB) != 0 || rename(temp.c_str(), path.c_str()) != 0) {
    unlink(temp.c_str());
    close(fd);
    return producer;
  }
  return std::unique_ptr<Producer>(new PresentProducer(std::move(producer), fd, path));
}

std::map<std::string, std::uint32_t> live_producers(const std::string& root, std::uint64_t& requests) {
  std::map<std::string, std::uint32_t> live;
  const std::string dir = presence_dir(root);
  ++requests;
  for (const std::string& name : dir_names(dir)) {
    const std::size_t at = name.rfind('@');
    if (at == std::string::npos) continue;
    const std::string path = dir + "/" + name;
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    ++requests;
    if (fd < 0) continue;
    if (flock(fd, LOCK_SH | LOCK_NB) != 0) {
      ++live[name.substr(0, at)];
    } else {
      unlink(path.c_str());  // its producer died without cleaning up (SIGKILL)
    }
    close(fd);
  }
  return live;
}

Result<void> FileStats::sample_shard(const std::string& stream, ShardId shard, const StatsRequest& request,
                                     ShardCache& cache, std::uint64_t& requests) {
  const std::string dir = shard_path(root_, stream, shard);
  std::uint64_t head[3] = {0, 0, 0};
  {
    Fd lock{open((dir + "/lock").c_str(), O_RDONLY | O_CLOEXEC)};
    ++requests;
    if (lock.fd < 0 || pread(lock.fd, head, sizeof head, 0) != static_cast<ssize_t>(sizeof head)) {
      cache = ShardCache{};  // never written
      cache.valid = true;
      return ok();
    }
  }
  if (cache.valid && head[0] == cache.base && head[1] == cache.end && head[2] == cache.next_seq) return ok();
  // The head moved: account the bytes, then look at the segments again.
  if (!cache.valid || head[2] < cache.next_seq) {
    // First sight (or a re-created stream): the bytes of every segment kept.
    cache.bytes_appended = 0;
    Result<std::vector<SegmentFile>> all = list_segments(dir);
    if (!all) return all.error();
    for (const SegmentFile& s : *all) {
      struct stat st {};
      if (stat(s.log_path.c_str(), &st) == 0) cache.bytes_appended += static_cast<std::uint64_t>(st.st_size);
    }
    requests += all->size();
  } else if (head[0] == cache.base) {
    cache.bytes_appended += head[1] > cache.end ? head[1] - cache.end : 0;
  } else {
    // Rolled: the rest of the old segment (its final size, if still there), then the new one.
    struct stat st {};
    const std::string old_log = dir + "/" + segment_file_name(cache.base, "log");
    const std::uint64_t old_size = stat(old_log.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : cache.end;
    cache.bytes_appended += (old_size > cache.end ? old_size - cache.end : 0) + head[1];
  }
  cache.base = head[0];
  cache.end = head[1];
  cache.next_seq = head[2];
  cache.valid = true;
  Result<std::vector<SegmentFile>> segments = list_segments(dir);
  ++requests;
  if (!segments) return segments.error();
  if (segments->empty()) return ok();
  cache.first_seq = segments->front().base;
  if (!request.previews) return ok();
  // The newest segment with a frame (the newest may be empty right after a roll).
  for (std::size_t i = segments->size(); i-- > 0;) {
    Result<NewestFrame> newest = newest_frame((*segments)[i], request.preview_bytes);
    requests += 2;
    if (!newest) return newest.error();
    if (newest->found) {
      cache.last_ts = newest->ts;
      cache.preview = std::move(newest->preview);
      cache.payload_size = newest->payload_size;
      break;
    }
  }
  return ok();
}

Result<ClusterStats> FileStats::sample(const StatsRequest& request) {
  ClusterStats out;
  out.sampled_at = now_ms();
  std::uint64_t requests = 1;
  std::map<std::string, std::uint32_t> producers = live_producers(root_, requests);
  std::uint32_t total_producers = 0;
  std::uint32_t total_consumers = 0;
  std::map<std::pair<std::string, ShardId>, ShardCache> seen;
  for (const std::string& name : dir_names(root_)) {
    if (!request.filter.empty() && name.find(request.filter) == std::string::npos) continue;
    Result<std::optional<StreamMeta>> meta = read_meta(root_, name);
    ++requests;
    if (!meta || !*meta) continue;  // not a stream (or half-removed)
    if (out.streams.size() >= request.max_streams) {
      out.truncated = true;
      break;
    }
    StreamStats stream;
    stream.name = name;
    for (ShardId shard = 0; shard < (*meta)->shards; ++shard) {
      ShardCache& cache = cache_[{name, shard}];
      SEA_TRY(sample_shard(name, shard, request, cache, requests));
      ShardStats s;
      s.id = shard;
      s.first_seq = cache.first_seq;
      s.appended = cache.next_seq;
      s.last_seq = cache.next_seq > 0 ? cache.next_seq - 1 : 0;
      s.bytes_appended = cache.bytes_appended;
      s.last_ts = cache.next_seq > 0 ? cache.last_ts : 0;
      if (cache.next_seq > 0 && (!stream.preview_known || s.last_ts >= stream.last_ts)) {
        stream.last_payload = cache.preview;
        stream.last_payload_size = cache.payload_size;
        stream.preview_known = request.previews;
      }
      stream.last_ts = std::max(stream.last_ts, s.last_ts);
      stream.shards.push_back(s);
      seen.emplace(std::make_pair(name, shard), std::move(cache));
    }
    if (request.groups) {
      const std::string groups_dir = groups_path(root_, name);
      Result<std::map<std::string, std::uint32_t>> groups = list_groups(groups_dir);
      ++requests;
      std::uint32_t members = 0;
      if (groups) {
        for (const auto& [group_name, live] : *groups) {
          GroupStats g;
          g.name = group_name;
          g.members = live;
          members += live;
          for (const ShardStats& s : stream.shards) {
            Result<std::optional<SeqNo>> position = read_group_position(groups_dir, group_name, s.id);
            ++requests;
            if (position && *position) g.committed.emplace_back(s.id, **position);
          }
          g.lag = group_lag(stream.shards, g.committed);
          stream.groups.push_back(std::move(g));
        }
      }
      stream.consumers = members;
      total_consumers += members;
    }
    const auto found = producers.find(name);
    stream.producers = found == producers.end() ? 0 : found->second;
    total_producers += *stream.producers;
    out.streams.push_back(std::move(stream));
  }
  // Streams that are gone (or filtered out) leave the cache, so it stays as big as the view.
  cache_.swap(seen);
  out.producers = total_producers;
  out.consumers = total_consumers;
  out.requests = requests;
  out.notes.push_back("consumers: only members of consumer groups are visible on the file backend");
  return out;
}

}  // namespace sea::file
