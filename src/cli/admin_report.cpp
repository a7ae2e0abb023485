// JSON and table forms of a StreamInfo (admin_report.hpp).
#include "cli/admin_report.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace sea::cli {

namespace {

std::string time_or_dash(Timestamp ts) { return ts > 0 ? format_time(ts) : std::string("-"); }

std::string retention_text(const Retention& r) {
  std::string out;
  if (r.max_age_ms) out += fmt::format("max-age {}ms", *r.max_age_ms);
  if (r.max_bytes) out += fmt::format("{}max-bytes {}", out.empty() ? "" : ", ", *r.max_bytes);
  return out.empty() ? std::string("none") : out;
}

}  // namespace

nlohmann::json stream_json(const StreamInfo& info) {
  nlohmann::json shards = nlohmann::json::array();
  std::uint64_t messages = 0, bytes = 0;
  for (const ShardInfo& s : info.shards) {
    shards.push_back({{"shard", s.id}, {"first_seq", s.first_seq}, {"next_seq", s.next_seq},
                      {"messages", s.messages}, {"bytes", s.bytes}, {"first_ts", s.first_ts},
                      {"last_ts", s.last_ts}});
    messages += s.messages;
    bytes += s.bytes;
  }
  nlohmann::json groups = nlohmann::json::array();
  for (const GroupInfo& g : info.groups) {
    nlohmann::json committed = nlohmann::json::array();
    for (const auto& [shard, seq] : g.committed) committed.push_back({{"shard", shard}, {"next_seq", seq}});
    groups.push_back({{"name", g.name}, {"members", g.members}, {"lag", g.lag}, {"committed", committed},
                      {"parked", g.parked}, {"stale_pending", g.stale_pending}, {"stale_members", g.stale_members}});
  }
  nlohmann::json retention = {{"max_age_ms", nullptr}, {"max_bytes", nullptr}};
  if (info.retention.max_age_ms) retention["max_age_ms"] = *info.retention.max_age_ms;
  if (info.retention.max_bytes) retention["max_bytes"] = *info.retention.max_bytes;
  return {{"stream", info.name}, {"shards", shards}, {"messages", messages}, {"bytes", bytes},
          {"retention", retention}, {"groups", groups}};
}

std::string stream_table(const StreamInfo& info) {
  std::uint64_t messages = 0;
  for (const ShardInfo& s : info.shards) messages += s.messages;
  std::string out = fmt::format("stream {}: {} shard(s), {} message(s), retention {}\n", info.name,
                                info.shards.size(), messages, retention_text(info.retention));
  out += fmt::format("  {:>5} {:>20} {:>20} {:>10} {:>12} {:>24} {:>24}\n", "SHARD", "FIRST_SEQ", "NEXT_SEQ",
                     "MESSAGES", "BYTES", "FIRST_TIME", "LAST_TIME");
  for (const ShardInfo& s : info.shards)
    out += fmt::format("  {:>5} {:>20} {:>20} {:>10} {:>12} {:>24} {:>24}\n", s.id, s.first_seq, s.next_seq,
                       s.messages, s.bytes, time_or_dash(s.first_ts), time_or_dash(s.last_ts));
  if (!info.groups.empty()) {
    out += fmt::format("  {:<24} {:>7} {:>10}  {}\n", "GROUP", "MEMBERS", "LAG", "NEXT_SEQ PER SHARD");
    for (const GroupInfo& g : info.groups) {
      std::string positions;
      for (const auto& [shard, seq] : g.committed)
        positions += fmt::format("{}{}:{}", positions.empty() ? "" : " ", shard, seq);
      out += fmt::format("  {:<24} {:>7} {:>10}  {}\n", g.name, g.members, g.lag, positions);
      if (g.parked > 0) out += fmt::format("    {} handed back by members that ended, for the next member\n", g.parked);
      if (g.stale_pending > 0)
        out += fmt::format("    {} pending on members idle past the claim time (killed?): {}\n", g.stale_pending,
                           fmt::join(g.stale_members, ", "));
    }
  }
  return out;
}

}  // namespace sea::cli
