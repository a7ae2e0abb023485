// The model behind `top`'s screen and JSON: it takes successive ClusterStats snapshots from a
// backend, keeps each stream's counter history (history.hpp), and derives one row per stream
// (rates over 1 s / 1 min / 1 h, the last-minute sparkline, age of the newest message,
// bursting and stale flags) plus the cluster totals.
//
// Bytes: the file backend counts bytes appended; Redis and Kafka do not, so there the byte
// counter is estimated as messages x the size of the newest message seen, and the row says
// so (bytes_estimated), the screen with a "~".
//
// Lifecycle: one per `top` run, fed from the thread that samples; memory is bounded by the
// number of streams (a fixed-size history each); streams that disappear are dropped.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/stats.hpp"
#include "top/history.hpp"

namespace sea::top {

struct Thresholds {
  std::int64_t stale_ms = 60'000;  // no message for longer: stale
  double burst_factor = 3.0;       // 1 s rate above factor x the 1 min mean: bursting
  double burst_floor = 5.0;        // ... and above this many msgs/s (ignore 0 -> 1 blips)
  std::int64_t burst_min_history_ms = 10'000;  // need this much history to judge a mean
};

struct StreamRow {
  std::string name;
  Rate rate_1s;
  Rate rate_1m;
  Rate rate_1h;
  std::vector<double> sparkline;  // msgs/s per second, the last minute, oldest first
  bool bytes_estimated = false;
  Timestamp last_ts = 0;          // 0: no message (or unknown)
  std::int64_t age_ms = -1;       // -1: no message
  std::string preview;
  bool preview_known = false;
  bool preview_stale = false;     // preview and last_ts may predate the sample (stats.hpp)
  std::uint64_t messages = 0;     // messages ever appended (all shards)
  std::vector<ShardStats> shards;
  std::optional<std::uint32_t> producers;
  std::optional<std::uint32_t> consumers;
  std::vector<GroupStats> groups;
  std::uint64_t total_lag = 0;
  bool bursting = false;
  bool stale = false;
};

struct Totals {
  Rate rate_1s;
  Rate rate_1m;
  Rate rate_1h;
  std::size_t streams = 0;
  std::size_t shards = 0;
  std::optional<std::uint32_t> producers;
  std::optional<std::uint32_t> consumers;
  std::size_t bursting = 0;
  std::size_t stale = 0;
};

// What top itself costs: requests per second to the cluster and the time a sample takes.
struct SelfCost {
  double requests_per_s = 0;
  std::int64_t sample_ms = 0;
  std::uint64_t samples = 0;
};

class Model {
 public:
  explicit Model(Thresholds thresholds = {}) : thresholds_(thresholds) {}

  // Folds in a snapshot taken at stats.sampled_at that took `sample_ms` to take.
  void update(const ClusterStats& stats, std::int64_t sample_ms);

  // Rows in name order, and the totals, as of the last update (ages against `now_ms`).
  const std::vector<StreamRow>& rows() const { return rows_; }
  const Totals& totals() const { return totals_; }
  const SelfCost& self_cost() const { return cost_; }
  const std::vector<std::string>& notes() const { return notes_; }
  bool truncated() const { return truncated_; }
  // The processors registered in the cluster and alive at the last update (flow/registry.hpp).
  const std::vector<ProcessorInfo>& processors() const { return processors_; }
  Timestamp sampled_at() const { return sampled_at_; }

 private:
  struct Tracked {
    CounterHistory history;
    std::uint64_t est_bytes = 0;     // the estimated byte counter (no bytes_appended)
    std::uint64_t last_msgs = 0;
    std::uint64_t last_payload_size = 0;
    bool seen = false;
  };
  StreamRow derive(const StreamStats& stream, Tracked& tracked, Timestamp now) const;

  Thresholds thresholds_;
  std::map<std::string, Tracked> tracked_;
  CounterHistory total_history_;
  std::uint64_t total_msgs_ = 0;      // sums of per-stream deltas, so that streams coming and
  std::uint64_t total_bytes_ = 0;     // going do not make the totals jump
  std::vector<StreamRow> rows_;
  Totals totals_;
  SelfCost cost_;
  CounterHistory request_history_;
  std::uint64_t requests_ = 0;
  std::vector<std::string> notes_;
  bool truncated_ = false;
  std::vector<ProcessorInfo> processors_;
  Timestamp sampled_at_ = 0;
};

// Bursting: the 1 s rate is well above the 1 min mean (see Thresholds).
bool is_bursting(const Rate& rate_1s, const Rate& rate_1m, std::int64_t history_ms, const Thresholds& t);
// Stale: no message for longer than the threshold (or never one).
bool is_stale(Timestamp last_ts, Timestamp now, const Thresholds& t);

}  // namespace sea::top
