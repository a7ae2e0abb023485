// The bisection behind seek-by-time, without a cluster: over a table of (offset -> timestamp)
// with gaps (compacted offsets) and equal timestamps it finds the first offset at or after T.
#include <doctest/doctest.h>

#include <map>

#include "backends/kafka/time_seek.hpp"

using namespace sea;
using namespace sea::kafka;

namespace {

// The first message at or after `offset` in `log`.
FetchAt fetch_from(const std::map<std::int64_t, Timestamp>& log, int& fetches) {
  return [&log, &fetches](std::int64_t offset) {
    ++fetches;
    const auto it = log.lower_bound(offset);
    if (it == log.end()) return std::make_pair(false, std::make_pair(std::int64_t{-1}, Timestamp{0}));
    return std::make_pair(true, std::make_pair(it->first, it->second));
  };
}

// What a linear scan says: the first offset whose ts >= target, else the end.
std::int64_t linear(const std::map<std::int64_t, Timestamp>& log, std::int64_t end, Timestamp target) {
  for (const auto& [o, ts] : log)
    if (ts >= target) return o;
  return end;
}

}  // namespace

TEST_CASE("bisection finds the first offset at or after a time, with gaps and ties") {
  std::map<std::int64_t, Timestamp> log;
  std::int64_t offset = 100;  // the log starts after retention removed 0..99
  Timestamp ts = 1000;
  for (int i = 0; i < 1000; ++i) {
    log[offset] = ts;
    offset += (i % 7 == 0) ? 3 : 1;  // holes, as compaction or transaction markers leave
    if (i % 5 != 0) ts += 10;        // runs of equal timestamps
  }
  const std::int64_t end = offset;
  for (const Timestamp target : {Timestamp{0}, Timestamp{1000}, Timestamp{1001}, Timestamp{4321}, Timestamp{5000},
                                 log.rbegin()->second, log.rbegin()->second + 1, Timestamp{99'999'999}}) {
    int fetches = 0;
    const std::int64_t got = bisect_time(100, end, target, fetch_from(log, fetches));
    CHECK_MESSAGE(got == linear(log, end, target), "target ", target);
    CHECK(fetches <= 12);  // log2(1200) rounds, not a scan
  }
}

TEST_CASE("bisection of an empty range is its end") {
  int fetches = 0;
  std::map<std::int64_t, Timestamp> log;
  CHECK(bisect_time(5, 5, 123, fetch_from(log, fetches)) == 5);
  CHECK(fetches == 0);
}
