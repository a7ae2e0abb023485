// Rates and sparklines from a bounded history of cumulative counters (see history.hpp).
#include "top/history.hpp"

namespace sea::top {

void PointRing::push(const CounterPoint& point) {
  if (size_ < kCapacity) {
    points_[(head_ + size_) % kCapacity] = point;
    ++size_;
    return;
  }
  points_[head_] = point;
  head_ = (head_ + 1) % kCapacity;
}

Rate rate_between(const CounterPoint& older, const CounterPoint& newer) {
  Rate rate;
  const std::int64_t dt = newer.t_ms - older.t_ms;
  if (dt <= 0) return rate;
  const double seconds = static_cast<double>(dt) / 1000.0;
  rate.span_ms = dt;
  rate.msgs_per_s = newer.msgs >= older.msgs ? static_cast<double>(newer.msgs - older.msgs) / seconds : 0;
  rate.bytes_per_s = newer.bytes >= older.bytes ? static_cast<double>(newer.bytes - older.bytes) / seconds : 0;
  return rate;
}

void CounterHistory::add(std::int64_t t_ms, std::uint64_t msgs, std::uint64_t bytes) {
  const CounterPoint point{t_ms, msgs, bytes};
  if (has_latest_) {
    if (t_ms <= latest_.t_ms) return;
    // A counter that went down belongs to a new stream under the old name: start over.
    if (msgs < latest_.msgs || bytes < latest_.bytes) {
      fine_.clear();
      coarse_.clear();
    }
  }
  latest_ = point;
  has_latest_ = true;
  if (fine_.empty() || t_ms - fine_.newest().t_ms >= kFineSpacingMs) fine_.push(point);
  if (coarse_.empty() || t_ms - coarse_.newest().t_ms >= kCoarseSpacingMs) coarse_.push(point);
}

Rate CounterHistory::rate(std::int64_t window_ms) const {
  if (!has_latest_) return {};
  // The newest point at least window_ms old; the fine ring serves windows it covers, the coarse
  // ring the longer ones. Short histories use their oldest point (a partial window).
  const PointRing& ring = window_ms <= kFineSpacingMs * 60 ? fine_ : coarse_;
  const CounterPoint* base = nullptr;
  for (std::size_t i = ring.size(); i-- > 0;) {
    const CounterPoint& p = ring.at(i);
    if (p.t_ms >= latest_.t_ms) continue;
    base = &p;
    // A tenth of slack, so that timer jitter does not double a 1 s window.
    if (latest_.t_ms - p.t_ms >= window_ms - window_ms / 10) break;
  }
  // The coarse ring may not hold a point older than the latest yet: fall back to the fine one.
  if (base == nullptr && &ring == &coarse_) return rate(kFineSpacingMs * 60);
  if (base == nullptr) return {};
  return rate_between(*base, latest_);
}

std::vector<double> CounterHistory::per_second(std::int64_t window_ms) const {
  std::vector<double> out;
  if (fine_.empty()) return out;
  for (std::size_t i = 0; i + 1 < fine_.size(); ++i) {
    if (latest_.t_ms - fine_.at(i).t_ms > window_ms) continue;
    out.push_back(rate_between(fine_.at(i), fine_.at(i + 1)).msgs_per_s);
  }
  // The part since the last fine point, so that a fresh burst shows at once.
  if (latest_.t_ms > fine_.newest().t_ms) out.push_back(rate_between(fine_.newest(), latest_).msgs_per_s);
  return out;
}

std::int64_t CounterHistory::span_ms() const {
  if (!has_latest_) return 0;
  const std::int64_t fine = fine_.empty() ? 0 : latest_.t_ms - fine_.at(0).t_ms;
  const std::int64_t coarse = coarse_.empty() ? 0 : latest_.t_ms - coarse_.at(0).t_ms;
  return fine > coarse ? fine : coarse;
}

}  // namespace sea::top
