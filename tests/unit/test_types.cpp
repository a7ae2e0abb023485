// Stream keys, times, durations, sizes and start positions.
#include <doctest/doctest.h>

#include <string>

#include "core/options.hpp"
#include "core/types.hpp"

using namespace sea;

TEST_CASE("stream keys") {
  CHECK(StreamKey::parse("news.v2_eu-1").ok());
  CHECK(StreamKey::parse(std::string(249, 'a')).ok());
  Result<StreamKey> too_long = StreamKey::parse(std::string(10240, 'a'));
  REQUIRE_FALSE(too_long.ok());
  CHECK(too_long.error().message.find("10240 bytes") != std::string::npos);
  Result<StreamKey> slash = StreamKey::parse("a/b");
  REQUIRE_FALSE(slash.ok());
  CHECK(slash.error().message.find("position 2") != std::string::npos);
  CHECK_FALSE(StreamKey::parse("").ok());
  CHECK_FALSE(StreamKey::parse("..").ok());
  CHECK_FALSE(StreamKey::parse("a:1").ok());
  CHECK_FALSE(StreamKey::parse(std::string("a\0b", 3)).ok());
}

TEST_CASE("times") {
  CHECK(*parse_time("1970-01-01T00:00:00Z") == 0);
  CHECK(*parse_time("2026-11-25T07:51:40Z") == 1795593100000);
  CHECK(*parse_time("2026-11-25T07:51:40.123Z") == 1795593100123);
  CHECK(*parse_time("2026-11-25T08:51:40+01:00") == 1795593100000);
  CHECK(*parse_time("2026-11-25") == 1795564800000);
  CHECK(*parse_time("1795593100000") == 1795593100000);
  CHECK(format_time(1795593100123) == "2026-11-25T07:51:40.123Z");
  const Timestamp now = now_ms();
  const Timestamp five_min_ago = *parse_time("-5m");
  CHECK(now - five_min_ago >= 300000);
  CHECK(now - five_min_ago < 310000);
  for (const char* bad : {"2026-13-01", "2026-11-25T25:00", "2026-11-25X", "yesterday", "-5y", "2026-11-25T07:51:40Zjunk"}) {
    CAPTURE(bad);
    Result<Timestamp> t = parse_time(bad);
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().code == Errc::invalid_argument);
  }
  CHECK(parse_time("2026-11-25T07:51:40Zjunk").error().message.find("character 21") != std::string::npos);
}

TEST_CASE("durations and sizes") {
  CHECK(*parse_duration_ms("250") == 250);
  CHECK(*parse_duration_ms("5s") == 5000);
  CHECK(*parse_duration_ms("2h") == 7200000);
  CHECK_FALSE(parse_duration_ms("5 parsecs").ok());
  CHECK(*parse_size("64k") == 65536);
  CHECK(*parse_size("1M") == 1048576);
  CHECK(*parse_size("1MiB") == 1048576);
  CHECK_FALSE(parse_size("lots").ok());
}

TEST_CASE("start positions") {
  CHECK(StartPosition::parse("earliest")->kind == StartPosition::Kind::earliest);
  CHECK(StartPosition::parse("latest")->kind == StartPosition::Kind::latest);
  StartPosition s = *StartPosition::parse("seq:2:100");
  CHECK(s.kind == StartPosition::Kind::seq);
  CHECK(s.shard == 2);
  CHECK(s.seq == 100);
  CHECK(StartPosition::parse("seq:7")->shard == kAnyShard);
  CHECK(StartPosition::parse("time:1970-01-01T00:00:01Z")->time == 1000);
  CHECK_FALSE(StartPosition::parse("seq:x").ok());
  CHECK_FALSE(StartPosition::parse("middle").ok());
  // Bare times mean time:T (the README's --from -5m).
  StartPosition ago = *StartPosition::parse("-5m");
  CHECK(ago.kind == StartPosition::Kind::time);
  CHECK(ago.time <= now_ms() - 300'000);
  CHECK(ago.time > now_ms() - 310'000);
  CHECK(StartPosition::parse("1970-01-01T00:00:01Z")->time == 1000);
  CHECK(StartPosition::parse("1700000000000")->time == 1700000000000);
  CHECK(StartPosition::parse("now")->kind == StartPosition::Kind::time);
  CHECK_FALSE(StartPosition::parse("-5parsecs").ok());
  CHECK(StartPosition::parse("5m").error().message.find("-5m") != std::string::npos);
  CHECK(parse_delivery("exactly-once").ok());
  CHECK_FALSE(parse_delivery("twice").ok());
  CHECK(parse_consumer_mode("repeat").ok());
}
