// The exactly-once dedupe window of the file backend (see dedupe.hpp).
#include "backends/file/dedupe.hpp"

#include <cstring>

namespace sea::file {

bool frame_key(const char* frame, std::string_view& key) {
  const char* body = frame + kFramePrefix;
  std::uint32_t key_len = 0;
  std::memcpy(&key_len, body + 17, sizeof key_len);
  key = std::string_view(body + kBodyFixed, key_len);
  return (static_cast<std::uint8_t>(body[16]) & 1) != 0;
}

Deduper::Deduper(std::string shard_dir, std::int64_t window_ms, std::size_t max_keys)
    : dir_(std::move(shard_dir)), window_ms_(window_ms), max_keys_(max_keys) {}

Result<void> Deduper::catch_up() {
  if (!reader_) {
    reader_ = std::make_unique<ShardReader>(dir_, 1 << 20);
    reader_->start_at_time(now_ms() - window_ms_);
  }
  reader_->mark_changed();
  while (true) {
    FrameView frame;
    Result<bool> got = reader_->next(frame);
    if (!got) return got.error();
    if (!*got) break;
    if (frame.has_key && frame.seq >= known_next_) remember(frame.key, {frame.seq, frame.ts});
  }
  evict();
  return ok();
}

std::optional<StoredAt> Deduper::check(std::string_view key, StoredAt at) {
  const auto it = keys_.find(std::string(key));
  if (it != keys_.end() && it->second.ts >= now_ms() - window_ms_) return it->second;
  remember(key, at);
  evict();
  return std::nullopt;
}

void Deduper::remember(std::string_view key, StoredAt at) {
  auto [it, inserted] = keys_.insert_or_assign(std::string(key), at);
  order_.push_back({at.ts, at.seq, &it->first});
  known_next_ = std::max(known_next_, at.seq + 1);
}

void Deduper::evict() {
  const Timestamp cutoff = now_ms() - window_ms_;
  while (!order_.empty() && (order_.front().ts < cutoff || keys_.size() > max_keys_)) {
    const Entry& oldest = order_.front();
    const auto it = keys_.find(*oldest.key);
    // Only the entry of the newest copy of a key erases it.
    if (it != keys_.end() && it->second.seq == oldest.seq) keys_.erase(it);
    order_.pop_front();
  }
}

}  // namespace sea::file
