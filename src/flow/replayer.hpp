// Replayer: `sea streamer replay` (cli/replay.cpp). Re-feeds exactly the input ranges a controller
// log recorded (flow/control_log.hpp) to CMD, or to a new version of it, one message per quiet
// point (so every output is attributed to the input it came from), with the logged clock and
// seed when the run was --deterministic, and compares CMD's outputs with the outputs the log says
// the run produced (read back from the output stream). It stops at the first difference and
// names the input message, the output expected and the output got. With a `sink` it compares
// nothing and hands every output to it instead (replay --output).
//
// Runs the loop itself: call it outside loop callbacks. Memory: the expected outputs of one feed
// record at a time (bounded by process --commit-every).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/streamer.hpp"
#include "flow/control_log.hpp"
#include "loop/loop.hpp"

namespace sea::flow {

struct ReplayOptions {
  std::string exec;                      // non-empty: run this instead of the logged CMD
  std::uint64_t from_feed = 0;           // feed records by their place in the log (0, 1, ...)
  std::uint64_t to_feed = UINT64_MAX;    // inclusive
  std::vector<std::string> env;          // extra NAME=VALUE for CMD (the preload)
  // Publishes a message's clock for CMD (--deterministic runs); called while CMD waits.
  std::function<void(Timestamp ts, std::uint64_t seed, std::uint64_t feed, std::uint64_t index)> set_clock;
  std::uint64_t quiet_timeout_ms = 60'000;  // CMD busy on one message longer than this: an error
  // Set: nothing is compared; every output CMD writes goes here, with the input it came from
  // (nullptr: written at the end of a run's input), and every logged feed is replayed.
  // Called outside loop callbacks: it may run the loop (e.g. while a producer is congested).
  std::function<Result<void>(const Message& output, const Message* input)> sink;
};

struct ReplayResult {
  bool identical = true;
  std::uint64_t feeds = 0, inputs = 0, outputs = 0;
  std::string difference;  // the first difference, readable, when !identical
};

// `records` is the whole log; the run record before each feed says how it ran.
Result<ReplayResult> replay(loop::Loop& loop, const std::vector<ControlRecord>& records, const ReplayOptions& options);

// One line per record, for `replay --list`.
std::string describe_record(const ControlRecord& record, std::uint64_t feed_index);

}  // namespace sea::flow
