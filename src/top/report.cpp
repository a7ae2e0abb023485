// JSON snapshots and the text formatters of `top` (see report.hpp).
#include "top/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

namespace sea::top {

namespace {

using nlohmann::json;

// Rates are rounded to 0.01 so that the document stays short and diffable.
double round2(double v) { return std::round(v * 100.0) / 100.0; }

void put_rates(json& out, const char* suffix, const Rate& rate) {
  out[fmt::format("msgs_per_s_{}", suffix)] = round2(rate.msgs_per_s);
  out[fmt::format("bytes_per_s_{}", suffix)] = round2(rate.bytes_per_s);
}

json optional_count(const std::optional<std::uint32_t>& value) {
  return value ? json(*value) : json(nullptr);
}

json row_json(const StreamRow& row) {
  json out = json::object();
  out["stream"] = row.name;
  put_rates(out, "1s", row.rate_1s);
  put_rates(out, "1m", row.rate_1m);
  put_rates(out, "1h", row.rate_1h);
  out["bytes_estimated"] = row.bytes_estimated;
  json spark = json::array();
  for (const double v : row.sparkline) spark.push_back(round2(v));
  out["sparkline_msgs_per_s"] = std::move(spark);
  out["messages"] = row.messages;
  out["last_ts"] = row.last_ts > 0 ? json(row.last_ts) : json(nullptr);
  out["last_time"] = row.last_ts > 0 ? json(format_time(row.last_ts)) : json(nullptr);
  out["age_ms"] = row.age_ms >= 0 ? json(row.age_ms) : json(nullptr);
  // Payloads need not be UTF-8: the preview is made printable first.
  out["preview"] = row.preview_known ? json(one_line(row.preview, row.preview.size())) : json(nullptr);
  // True when the stream moved since its newest message was last read (Kafka reads a bounded
  // number per sample): last_ts and preview are then older than this sample.
  out["preview_stale"] = row.preview_stale;
  out["shard_count"] = row.shards.size();
  json shards = json::array();
  for (const ShardStats& s : row.shards) {
    json shard = {{"shard", s.id}, {"first_seq", s.first_seq}, {"last_seq", s.last_seq}, {"appended", s.appended}};
    shard["last_ts"] = s.last_ts > 0 ? json(s.last_ts) : json(nullptr);
    shards.push_back(std::move(shard));
  }
  out["shards"] = std::move(shards);
  out["producers"] = optional_count(row.producers);
  out["consumers"] = optional_count(row.consumers);
  json groups = json::array();
  for (const GroupStats& g : row.groups)
    groups.push_back({{"group", g.name}, {"members", g.members_known ? json(g.members) : json(nullptr)}, {"lag", g.lag},
                      {"parked", g.parked}, {"stale_pending", g.stale_pending}, {"stale_members", g.stale_members}});
  out["groups"] = std::move(groups);
  out["lag"] = row.total_lag;
  out["bursting"] = row.bursting;
  out["stale"] = row.stale;
  return out;
}

}  // namespace

std::string snapshot_json(const Header& header, const Model& model) {
  json doc = json::object();
  doc["cluster"] = header.cluster;
  doc["backend"] = header.backend;
  doc["sampled_at"] = format_time(model.sampled_at());
  doc["interval_ms"] = header.interval_ms;
  const Totals& t = model.totals();
  json totals = json::object();
  put_rates(totals, "1s", t.rate_1s);
  put_rates(totals, "1m", t.rate_1m);
  put_rates(totals, "1h", t.rate_1h);
  totals["streams"] = t.streams;
  totals["shards"] = t.shards;
  totals["producers"] = optional_count(t.producers);
  totals["consumers"] = optional_count(t.consumers);
  totals["bursting"] = t.bursting;
  totals["stale"] = t.stale;
  doc["totals"] = std::move(totals);
  json streams = json::array();
  for (const StreamRow& row : model.rows()) streams.push_back(row_json(row));
  doc["streams"] = std::move(streams);
  json processors = json::array();
  for (const ProcessorInfo& p : model.processors())
    processors.push_back({{"name", p.name}, {"exec", p.exec}, {"input", p.input}, {"output", p.output},
                          {"group", p.group}, {"host", p.host}, {"pid", p.pid}, {"started", format_time(p.started)},
                          {"last_heartbeat", format_time(p.seen)}, {"fed", p.fed}, {"produced", p.produced},
                          {"in_msgs_per_s", round2(p.in_per_s)}, {"out_msgs_per_s", round2(p.out_per_s)}});
  doc["processors"] = std::move(processors);
  doc["truncated"] = model.truncated();
  doc["notes"] = model.notes();
  doc["top"] = {{"requests_per_s", round2(model.self_cost().requests_per_s)},
                {"sample_ms", model.self_cost().sample_ms},
                {"samples", model.self_cost().samples}};
  return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string human_number(double value) {
  if (value < 0) value = 0;
  if (value < 10 && value != std::floor(value)) return fmt::format("{:.1f}", value);
  if (value < 1000) return fmt::format("{:.0f}", value);
  static const char* const kUnits[] = {"k", "M", "G", "T"};
  int unit = -1;
  while (value >= 1000 && unit < 3) {
    value /= 1000;
    ++unit;
  }
  return value < 10 ? fmt::format("{:.1f}{}", value, kUnits[unit]) : fmt::format("{:.0f}{}", value, kUnits[unit]);
}

std::string human_age(std::int64_t ms) {
  if (ms < 0) return "-";
  if (ms < 1000) return fmt::format("{}ms", ms);
  const std::int64_t s = ms / 1000;
  if (s < 120) return fmt::format("{}s", s);
  if (s < 120 * 60) return fmt::format("{}m", s / 60);
  if (s < 48 * 3600) return fmt::format("{}h", s / 3600);
  return fmt::format("{}d", s / 86400);
}

std::string sparkline(const std::vector<double>& values, std::size_t width, bool utf8) {
  static const char* const kBlocks[] = {" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
  static const char kAscii[] = " .:-=+*#%@";
  const std::size_t first = values.size() > width ? values.size() - width : 0;
  double max = 0;
  for (std::size_t i = first; i < values.size(); ++i) max = std::max(max, values[i]);
  std::string out(width - (values.size() - first), ' ');
  for (std::size_t i = first; i < values.size(); ++i) {
    const double v = values[i];
    if (utf8) {
      const int level = v <= 0 || max <= 0 ? 0 : 1 + static_cast<int>(std::floor((v / max) * 7.999));
      out += kBlocks[std::min(level, 8)];
    } else {
      const int level = v <= 0 || max <= 0 ? 0 : 1 + static_cast<int>(std::floor((v / max) * 8.999));
      out += kAscii[std::min(level, 9)];
    }
  }
  return out;
}

std::string one_line(std::string_view payload, std::size_t width) {
  std::string out;
  out.reserve(std::min(payload.size(), width));
  std::size_t i = 0;
  while (i < payload.size() && out.size() < width) {
    const auto c = static_cast<unsigned char>(payload[i]);
    if (c < 0x80) {
      out.push_back(c < 0x20 || c == 0x7f ? '.' : static_cast<char>(c));
      ++i;
      continue;
    }
    // A UTF-8 sequence is kept whole when it is valid and fits, else shown as '.'.
    const std::size_t len = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
    bool valid = len > 0 && i + len <= payload.size() && out.size() + len <= width;
    for (std::size_t k = 1; valid && k < len; ++k) valid = (static_cast<unsigned char>(payload[i + k]) & 0xc0) == 0x80;
    if (valid) {
      out.append(payload.substr(i, len));
      i += len;
    } else {
      if (len > 0 && out.size() + len > width) break;
      out.push_back('.');
      ++i;
    }
  }
  return out;
}

}  // namespace sea::top
