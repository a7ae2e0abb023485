// sea::ProcessorRegistration: a processor written with the library registers itself in the
// cluster it consumes from, as `sea streamer process` does (the `sea.processors` stream of
// heartbeats, flow/registry.hpp), so that `sea streamer top` and `graph` show it.
//
//   sea::ProcessorRegistration reg = input_cluster.register_processor(
//       {.name = "totals", .exec = "python3 totals.py", .input = "redis://h:6379/orders",
//        .output = "kafka://h:9092/totals", .group = "totals"});
//   reg.count(fed, produced);   // after each batch; a heartbeat goes out every 5 s on the loop
//   // its destructor writes the last heartbeat, "stopped"
//
// Lifecycle: a handle you own; heartbeats are sent while the cluster's loop runs (every
// blocking call runs it). Errors: register_processor throws sea::Error; heartbeats that fail
// are dropped (a lost heartbeat only makes the instance look older).
#pragma once

#include <cstdint>
#include <memory>

#include "core/stats.hpp"

namespace sea {

class ProcessorRegistration {
 public:
  struct Impl;
  explicit ProcessorRegistration(std::unique_ptr<Impl> impl);
  ProcessorRegistration(ProcessorRegistration&&) noexcept;
  ProcessorRegistration& operator=(ProcessorRegistration&&) noexcept;
  ~ProcessorRegistration();

  // What it has consumed and produced so far (reported in the next heartbeat).
  void count(std::uint64_t fed, std::uint64_t produced);

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace sea
