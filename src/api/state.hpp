// What a sea::Cluster shares with the consumers it made (private to api/): the loop, the
// backend connection, the producers and the admin. Members are destroyed in reverse order:
// producers and the admin before the streamer, the streamer before the loop.
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "api/admin.hpp"
#include "api/producer.hpp"
#include "core/streamer.hpp"
#include "loop/loop.hpp"

namespace sea {

struct ClusterState {
  loop::Loop loop;
  std::unique_ptr<core::Streamer> streamer;
  std::string uri;
  std::unique_ptr<sea::Admin> admin;
  // (stream + options fingerprint, producer)
  std::vector<std::pair<std::string, std::unique_ptr<sea::Producer>>> producers;
  // An exception thrown by a Consumer::on_message handler: the loop stops, and the call that
  // was running it (Cluster::run, or a blocking call) throws it, as C code cannot be unwound.
  std::exception_ptr handler_exception;

  // Throws handler_exception, if any, once.
  void rethrow();

  ~ClusterState();
};

namespace api {

// Runs the cluster's loop until `done()` holds, or `timeout_ms` passed (negative: no limit).
// Returns done(). Throws Errc::closed when nothing is left on the loop that could make done()
// true, and what a handler threw.
bool run_until(ClusterState& cluster, const std::function<bool()>& done, std::int64_t timeout_ms);

// Throws the error of a failed Result; returns its value.
template <class T>
T value_or_throw(Result<T> result) {
  if (!result) throw std::move(result).take_error();
  return std::move(result).value();
}
inline void check(Result<void> result) {
  if (!result) throw std::move(result).take_error();
}

StreamKey stream_key(std::string_view name);

}  // namespace api
}  // namespace sea
