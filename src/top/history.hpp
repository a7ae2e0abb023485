// The rate arithmetic of `top`: a bounded history of one stream's cumulative counters
// (messages and bytes appended), from which come the rates over the last second, minute and
// hour and the per-second sparkline of the last minute.
//
// Memory is fixed per stream whatever the interval or uptime: a "fine" ring keeps one point
// per second or more (the last ~64 s), a "coarse" ring one point per minute or more (the last
// ~64 min). A rate over a window is the counter difference between the newest point and the
// newest point at least that old (or the oldest one kept, while the history is shorter), over
// their time difference. A counter that goes down (a stream deleted and re-created, a Kafka
// topic recreated) restarts the history instead of producing a negative rate.
//
// Lifecycle: one per stream in top::Model; plain value, single-threaded.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace sea::top {

struct CounterPoint {
  std::int64_t t_ms = 0;
  std::uint64_t msgs = 0;
  std::uint64_t bytes = 0;
};

struct Rate {
  double msgs_per_s = 0;
  double bytes_per_s = 0;
  std::int64_t span_ms = 0;  // how much time the rate really covers (0: no rate yet)
};

// A fixed-capacity ring of points, oldest first.
class PointRing {
 public:
  static constexpr std::size_t kCapacity = 64;
  void push(const CounterPoint& point);
  void clear() { size_ = 0; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // i = 0 is the oldest.
  const CounterPoint& at(std::size_t i) const { return points_[(head_ + i) % kCapacity]; }
  const CounterPoint& newest() const { return at(size_ - 1); }

 private:
  std::array<CounterPoint, kCapacity> points_{};
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

class CounterHistory {
 public:
  static constexpr std::int64_t kFineSpacingMs = 950;     // one point per (about) second
  static constexpr std::int64_t kCoarseSpacingMs = 59'000;  // one point per (about) minute

  // Records the counters at time t_ms (monotonic in practice; an older t is ignored).
  void add(std::int64_t t_ms, std::uint64_t msgs, std::uint64_t bytes);

  // The rate over the last `window_ms` (1000, 60'000, 3'600'000).
  Rate rate(std::int64_t window_ms) const;

  // Messages per second between consecutive fine points, oldest first, covering at most the
  // last `window_ms`: the sparkline of the last minute.
  std::vector<double> per_second(std::int64_t window_ms = 60'000) const;

  // How long the history covers.
  std::int64_t span_ms() const;
  bool empty() const { return !has_latest_; }
  const CounterPoint& latest() const { return latest_; }

 private:
  CounterPoint latest_;
  bool has_latest_ = false;
  PointRing fine_;
  PointRing coarse_;
};

Rate rate_between(const CounterPoint& older, const CounterPoint& newer);

}  // namespace sea::top
