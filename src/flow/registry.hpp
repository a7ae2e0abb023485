// The processor registry: each running `sea streamer process` registers itself in the cluster it
// consumes from, as a heartbeat message every 5 s on the stream `sea.processors` (created with a
// 1 h retention where the backend allows it): name, CMD, input, output, group, pid, host, start,
// what it fed and produced and its rates. A clean exit writes a last message with "state":"stopped".
// Readers (top, graph) follow the stream and keep each instance's newest message; an instance
// whose newest message is older than three heartbeats, or says stopped, is gone.
//
// A stream rather than a key per backend: it works on every backend through the same interfaces,
// is visible with `consume --topic sea.processors`, and costs one small message per processor per
// heartbeat.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/stats.hpp"
#include "core/streamer.hpp"
#include "loop/loop.hpp"

namespace sea::flow {

inline constexpr const char* kRegistryStream = "sea.processors";
inline constexpr std::uint64_t kHeartbeatMs = 5000;

std::string encode_registration(const ProcessorInfo& p, bool stopped);
// The registration in a message, or an error naming the field (a foreign message on the stream).
Result<ProcessorInfo> parse_registration(std::string_view json, bool& stopped);

// Writes a process's heartbeats (on the loop).
class RegistryWriter {
 public:
  // Creates the registry stream if needed (1 h retention) and a producer on it.
  static Result<std::unique_ptr<RegistryWriter>> open(Streamer& streamer, ProcessorInfo self);
  // One heartbeat with these counts (rates from the previous beat).
  void beat(std::uint64_t fed, std::uint64_t produced);
  // The last message: this instance is gone. `done` once it is stored.
  void stopped(std::function<void(Result<void>)> done);

 private:
  RegistryWriter() = default;
  std::unique_ptr<core::Producer> producer_;
  ProcessorInfo self_;
  Timestamp last_beat_ = 0;
};

// Follows the registry stream (synchronous: runs the loop; call outside loop callbacks).
class RegistryView {
 public:
  // Null (no error) when the cluster has no registry stream yet.
  static Result<std::unique_ptr<RegistryView>> open(loop::Loop& loop, Streamer& streamer);
  // Reads what arrived since the last call.
  void refresh();
  // The live instances as of `now`, by name then host then pid.
  std::vector<ProcessorInfo> live(Timestamp now) const;

 private:
  RegistryView(loop::Loop& loop) : loop_(loop) {}
  loop::Loop& loop_;
  std::unique_ptr<core::Consumer> consumer_;
  std::map<std::string, std::pair<ProcessorInfo, bool>> latest_;  // instance key -> (newest, stopped)
};

}  // namespace sea::flow
