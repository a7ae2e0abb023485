// The dedupe window of Delivery::exactly_once on the file backend: a message whose key was
// already stored in the shard within the window (by the stored copy's timestamp) is not stored
// again; its receipt names the stored copy. The window is learned from the log itself, by a
// ShardReader that follows the shard, so it holds across producer restarts and across
// processes writing the same shard (every key hashes to one shard).
//
// Memory is bounded: at most `max_keys` keys are remembered; past that the oldest are
// forgotten before their window ends (documented in README.md).
//
// Lifecycle: owned by a ShardWriter; catch_up() and check() run under the shard lock.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "backends/file/shard_reader.hpp"
#include "core/error.hpp"

namespace sea::file {

// Where and when a message is stored.
struct StoredAt {
  SeqNo seq = 0;
  Timestamp ts = 0;
};

class Deduper {
 public:
  Deduper(std::string shard_dir, std::int64_t window_ms, std::size_t max_keys);

  // Learns the keys of every message stored since the last call (the first call reads back
  // one window's worth of the shard).
  Result<void> catch_up();

  // The stored copy of `key` within the window, or nullopt: then the message is new and is
  // remembered as stored at `at`.
  std::optional<StoredAt> check(std::string_view key, StoredAt at);

 private:
  void remember(std::string_view key, StoredAt at);
  void evict();

  std::string dir_;
  std::int64_t window_ms_;
  std::size_t max_keys_;
  std::unique_ptr<ShardReader> reader_;
  SeqNo known_next_ = 0;  // seqs below this were remembered already
  std::unordered_map<std::string, StoredAt> keys_;
  struct Entry {
    Timestamp ts;
    SeqNo seq;
    const std::string* key;  // the map node's key: stable until erased
  };
  std::deque<Entry> order_;
};

// The key of an encoded frame (has_key false for a keyless one).
bool frame_key(const char* frame, std::string_view& key);

}  // namespace sea::file
