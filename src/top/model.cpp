// Snapshots -> rows and totals (see model.hpp).
#include "top/model.hpp"

#include <algorithm>

namespace sea::top {

bool is_bursting(const Rate& rate_1s, const Rate& rate_1m, std::int64_t history_ms, const Thresholds& t) {
  if (history_ms < t.burst_min_history_ms || rate_1s.span_ms == 0) return false;
  return rate_1s.msgs_per_s >= t.burst_floor && rate_1s.msgs_per_s > t.burst_factor * rate_1m.msgs_per_s;
}

bool is_stale(Timestamp last_ts, Timestamp now, const Thresholds& t) {
  if (last_ts <= 0) return true;
  return now - last_ts > t.stale_ms;
}

StreamRow Model::derive(const StreamStats& stream, Tracked& tracked, Timestamp now) const {
  StreamRow row;
  row.name = stream.name;
  row.rate_1s = tracked.history.rate(1000);
  row.rate_1m = tracked.history.rate(60'000);
  row.rate_1h = tracked.history.rate(3'600'000);
  row.sparkline = tracked.history.per_second(60'000);
  row.last_ts = stream.last_ts;
  row.age_ms = stream.last_ts > 0 ? std::max<std::int64_t>(0, now - stream.last_ts) : -1;
  row.preview = stream.last_payload;
  row.preview_known = stream.preview_known;
  row.preview_stale = stream.preview_stale;
  row.shards = stream.shards;
  row.producers = stream.producers;
  row.consumers = stream.consumers;
  row.groups = stream.groups;
  for (const GroupStats& g : stream.groups) row.total_lag += g.lag;
  for (const ShardStats& s : stream.shards) {
    row.messages += s.appended;
    if (!s.bytes_appended) row.bytes_estimated = true;
  }
  row.bursting = is_bursting(row.rate_1s, row.rate_1m, tracked.history.span_ms(), thresholds_);
  row.stale = is_stale(row.last_ts, now, thresholds_);
  return row;
}

void Model::update(const ClusterStats& stats, std::int64_t sample_ms) {
  const Timestamp now = stats.sampled_at;
  sampled_at_ = now;
  truncated_ = stats.truncated;
  processors_ = stats.processors;
  notes_ = stats.notes;
  std::vector<StreamRow> rows;
  rows.reserve(stats.streams.size());
  for (const StreamStats& stream : stats.streams) {
    Tracked& tracked = tracked_[stream.name];
    std::uint64_t msgs = 0;
    std::uint64_t bytes = 0;
    bool bytes_known = !stream.shards.empty();
    for (const ShardStats& s : stream.shards) {
      msgs += s.appended;
      if (s.bytes_appended) bytes += *s.bytes_appended;
      else bytes_known = false;
    }
    if (stream.preview_known) tracked.last_payload_size = stream.last_payload_size;
    // The estimate: each new message weighs what the newest one seen does.
    if (!bytes_known) {
      if (tracked.seen && msgs >= tracked.last_msgs) tracked.est_bytes += (msgs - tracked.last_msgs) * tracked.last_payload_size;
      bytes = tracked.est_bytes;
    }
    if (tracked.seen && msgs >= tracked.last_msgs) {
      total_msgs_ += msgs - tracked.last_msgs;
      if (bytes >= tracked.history.latest().bytes) total_bytes_ += bytes - tracked.history.latest().bytes;
    }
    tracked.last_msgs = msgs;
    tracked.seen = true;
    tracked.history.add(now, msgs, bytes);
    rows.push_back(derive(stream, tracked, now));
  }
  // Forget the streams that are gone, so memory follows the cluster.
  if (tracked_.size() > rows.size()) {
    std::map<std::string, Tracked> kept;
    for (const StreamRow& row : rows) kept.emplace(row.name, std::move(tracked_[row.name]));
    tracked_.swap(kept);
  }
  total_history_.add(now, total_msgs_, total_bytes_);
  Totals totals;
  totals.rate_1s = total_history_.rate(1000);
  totals.rate_1m = total_history_.rate(60'000);
  totals.rate_1h = total_history_.rate(3'600'000);
  totals.streams = rows.size();
  totals.producers = stats.producers;
  totals.consumers = stats.consumers;
  for (const StreamRow& row : rows) {
    totals.shards += row.shards.size();
    totals.bursting += row.bursting ? 1 : 0;
    totals.stale += row.stale ? 1 : 0;
  }
  totals_ = totals;
  rows_ = std::move(rows);
  requests_ += stats.requests;
  request_history_.add(now, requests_, 0);
  cost_.sample_ms = sample_ms;
  ++cost_.samples;
  const Rate requests = request_history_.rate(60'000);
  // With one sample there is no interval yet: report that sample's requests as its rate.
  cost_.requests_per_s = requests.span_ms > 0 ? requests.msgs_per_s : static_cast<double>(stats.requests);
}

}  // namespace sea::top
