// Statistics of the file backend for `sea streamer top` (Streamer::stats), and the presence
// files that make its producers visible.
//
// Where the numbers come from, all read-only and cheap per sample:
// - streams: the directory listing and each stream's meta;
// - per shard: the writers' head in `lock` (active segment base, end offset, next seq: one
//   pread); only when the head moved since the last sample is the segment's tail scanned
//   (from its last index entry) for the newest message's time and payload, and the segment
//   list re-read for the oldest seq. Bytes appended are the running sum of what the head's end
//   advanced (plus the rest of a segment that was rolled);
// - groups: positions in groups/<g>.<shard>.pos and live members (flock held), lag = next seq -
//   committed position per shard;
// - producers: presence files DIR/.clients/producer/<stream>@<pid>.<n>, each flock()ed (LOCK_EX)
//   by its live producer for the producer's lifetime. A file whose lock can be taken belongs to
//   a dead process and is removed by whoever sees it (it is created locked under a temporary
//   name and renamed, so a live producer's file is never seen unlocked);
// - consumers: the live members of the groups. Consumers without a group leave no trace on
//   disk and are not counted (said in ClusterStats::notes).
//
// Lifecycle: FileStats is owned by the FileStreamer and keeps a small cache per shard (the last
// head seen); single-threaded, synchronous file-system work.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "core/stats.hpp"
#include "core/streamer.hpp"

namespace sea::file {

class FileStats {
 public:
  explicit FileStats(std::string root) : root_(std::move(root)) {}
  Result<ClusterStats> sample(const StatsRequest& request);

 private:
  struct ShardCache {
    std::uint64_t base = 0;
    std::uint64_t end = 0;
    std::uint64_t next_seq = 0;
    std::uint64_t bytes_appended = 0;
    SeqNo first_seq = 0;
    Timestamp last_ts = 0;
    std::string preview;
    std::uint64_t payload_size = 0;
    bool valid = false;
  };
  Result<void> sample_shard(const std::string& stream, ShardId shard, const StatsRequest& request,
                            ShardCache& cache, std::uint64_t& requests);

  std::string root_;
  std::map<std::pair<std::string, ShardId>, ShardCache> cache_;
};

// Wraps a producer so that it holds a presence file for as long as it lives (see above).
// Failing to make the file costs only the count, never the producer.
std::unique_ptr<Producer> with_presence(std::unique_ptr<Producer> producer, const std::string& root,
                                        const std::string& stream);

// The live producers per stream, from the presence files; dead ones are removed.
std::map<std::string, std::uint32_t> live_producers(const std::string& root, std::uint64_t& requests);

}  // namespace sea::file
