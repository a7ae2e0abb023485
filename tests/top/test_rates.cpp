// The rate arithmetic of top: windows over a counter history, counter resets, the sparkline,
// burst and stale detection and group lag, on hand-made counter series.
#include <doctest/doctest.h>

#include "core/stats.hpp"
#include "top/history.hpp"
#include "top/model.hpp"
#include "top/report.hpp"

using namespace sea;
using namespace sea::top;

TEST_CASE("rates over 1 s, 1 min and 1 h windows of a steady counter") {
  CounterHistory h;
  // 100 msgs/s and 1000 B/s for two hours, sampled every second.
  for (std::int64_t s = 0; s <= 7200; ++s) h.add(s * 1000, static_cast<std::uint64_t>(s) * 100, static_cast<std::uint64_t>(s) * 1000);
  CHECK(h.rate(1000).msgs_per_s == doctest::Approx(100));
  CHECK(h.rate(1000).span_ms == 1000);
  CHECK(h.rate(60'000).msgs_per_s == doctest::Approx(100));
  CHECK(h.rate(60'000).span_ms >= 54'000);
  CHECK(h.rate(3'600'000).bytes_per_s == doctest::Approx(1000));
  CHECK(h.rate(3'600'000).span_ms >= 3'240'000);
  CHECK(h.per_second().size() >= 55);
}

TEST_CASE("a burst shows in the 1 s rate and the sparkline but hardly in the minute") {
  CounterHistory h;
  std::uint64_t n = 0;
  for (std::int64_t s = 0; s < 60; ++s) h.add(s * 1000, n += 10, 0);
  h.add(60'000, n += 1000, 0);
  const Rate one = h.rate(1000);
  const Rate minute = h.rate(60'000);
  CHECK(one.msgs_per_s == doctest::Approx(1000));
  CHECK(minute.msgs_per_s < 40);
  Thresholds t;
  CHECK(is_bursting(one, minute, h.span_ms(), t));
  CHECK_FALSE(is_bursting(minute, minute, h.span_ms(), t));
  CHECK(h.per_second().back() == doctest::Approx(1000));
  CHECK(h.per_second().front() == doctest::Approx(10));
}

TEST_CASE("timer jitter does not stretch the 1 s window, a shorter history gives a partial window") {
  CounterHistory h;
  h.add(0, 0, 0);
  h.add(980, 50, 0);
  CHECK(h.rate(1000).span_ms == 980);
  CHECK(h.rate(60'000).span_ms == 980);  // all there is
  h.add(1990, 100, 0);
  CHECK(h.rate(1000).span_ms == 1010);
  CHECK(h.rate(1000).msgs_per_s == doctest::Approx(50.0 / 1.01));
}

TEST_CASE("a counter that goes down restarts the history instead of a negative rate") {
  CounterHistory h;
  h.add(0, 500, 500);
  h.add(1000, 600, 600);
  h.add(2000, 5, 5);  // the stream was deleted and re-created
  CHECK(h.rate(1000).msgs_per_s == 0);
  h.add(3000, 25, 25);
  CHECK(h.rate(1000).msgs_per_s == doctest::Approx(20));
  CHECK(h.rate(60'000).msgs_per_s == doctest::Approx(20));
}

TEST_CASE("stale: no message for longer than the threshold, or never one") {
  Thresholds t;
  t.stale_ms = 60'000;
  CHECK(is_stale(0, 1'000'000, t));
  CHECK(is_stale(1'000'000 - 60'001, 1'000'000, t));
  CHECK_FALSE(is_stale(1'000'000 - 59'999, 1'000'000, t));
}

TEST_CASE("group lag counts from the committed position, or the oldest kept, to the end") {
  std::vector<ShardStats> shards(2);
  shards[0].id = 0;
  shards[0].first_seq = 10;
  shards[0].appended = 100;
  shards[1].id = 1;
  shards[1].first_seq = 0;
  shards[1].appended = 40;
  CHECK(group_lag(shards, {{0, 90}, {1, 40}}) == 10);
  CHECK(group_lag(shards, {{0, 5}}) == 90 + 40);  // older than kept; shard 1 never committed
  CHECK(group_lag(shards, {}) == 130);
}

TEST_CASE("the model estimates bytes where the backend cannot count them, and says so") {
  Model model;
  ClusterStats s;
  s.sampled_at = 1'000'000;
  StreamStats st;
  st.name = "news";
  st.shards.push_back(ShardStats{0, 0, 9, 10, std::nullopt, 999'000});
  st.preview_known = true;
  st.last_payload_size = 50;
  s.streams.push_back(st);
  model.update(s, 1);
  s.sampled_at += 1000;
  s.streams[0].shards[0].appended = 30;
  model.update(s, 1);
  REQUIRE(model.rows().size() == 1);
  CHECK(model.rows()[0].bytes_estimated);
  CHECK(model.rows()[0].rate_1s.msgs_per_s == doctest::Approx(20));
  CHECK(model.rows()[0].rate_1s.bytes_per_s == doctest::Approx(1000));
  CHECK(model.totals().rate_1s.msgs_per_s == doctest::Approx(20));
  const std::string json = snapshot_json(top::Header{"redis://h:1", "redis", 1000}, model);
  CHECK(json.find("\"msgs_per_s_1s\":20.0") != std::string::npos);
}

TEST_CASE("text helpers: numbers, ages, sparklines and one-line previews") {
  CHECK(human_number(1234) == "1.2k");
  CHECK(human_number(0) == "0");
  CHECK(human_age(-1) == "-");
  CHECK(human_age(61'000) == "61s");
  CHECK(human_age(3 * 3600 * 1000) == "3h");
  CHECK(sparkline({0, 1, 2}, 5, false) == "   +@");  // pad, zero, half, full
  CHECK(one_line("a\nb\xff", 10) == "a.b.");
  CHECK(one_line("h\xc3\xa9llo", 3) == "h\xc3\xa9");
}
