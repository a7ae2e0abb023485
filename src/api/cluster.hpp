// sea::Cluster: one connection to a backend, with the event loop it runs on.
//
//   sea::Cluster cluster("redis://localhost:6379");      // or kafka://h:p, file:///dir, stdio://
//   sea::Producer& p = cluster.producer("orders");
//   sea::Consumer c = cluster.consumer({"orders"}, sea::ConsumerOptions().group("billing"));
//   cluster.admin().list();
//
// Lifecycle: the cluster owns its loop (sea::loop::Loop), its backend connection, its
// producers and its admin; consumers are handles you own, which keep the loop and the
// connection alive until the last of them is gone. Movable, not copyable. One thread uses a
// cluster and everything it made; blocking calls (next, flush, admin calls, run) run the loop,
// and so do callbacks set with Consumer::on_message.
//
// Errors: the constructor, producer(), consumer() and admin() throw sea::Error (a malformed
// URI or stream key, an unreachable directory, bad properties); none returns a Result.
//
// (Inside namespace sea the façade's names are written sea::Producer, sea::Consumer...: there an
// unqualified one would also find the loop-driven sea::core:: one; see core/streamer.hpp.)
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/admin.hpp"
#include "api/consumer.hpp"
#include "api/options.hpp"
#include "api/producer.hpp"
#include "api/registration.hpp"
#include "core/options.hpp"
#include "loop/loop.hpp"

namespace sea {

class Cluster {
 public:
  // Connects to `uri` (empty: $SEA_STREAMER_URI, else file://./sea-streams). Network backends
  // connect lazily: a server that is down shows as errors of the first sends and reads.
  explicit Cluster(std::string_view uri = {}, const ConnectOptions& options = {});
  ~Cluster();
  Cluster(Cluster&&) noexcept;
  Cluster& operator=(Cluster&&) noexcept;
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  // The producer of `stream` with these options, made on first use and owned by the cluster:
  // asking again with the same stream and options gives the same producer.
  sea::Producer& producer(std::string_view stream, const sea::ProducerOptions& options = {});
  // A new consumer of `streams` (one or more keys).
  sea::Consumer consumer(const std::vector<std::string>& streams, const sea::ConsumerOptions& options = {});
  sea::Admin& admin();

  // Runs the loop (Consumer::on_message handlers, deliveries) until stop() is called from a
  // handler, or for at most `limit`.
  void run();
  void run_for(std::chrono::milliseconds limit);
  void stop();

  // Registers a processor in this cluster (registration.hpp): name, exec, input, output and
  // group as `top` and `graph` show them; host, pid and start time are filled in when empty.
  ProcessorRegistration register_processor(const ProcessorInfo& info);

  const std::string& uri() const;
  // The loop and the loop-driven streamer underneath, for code that mixes both APIs.
  loop::Loop& loop();
  core::Streamer& streamer();

 private:
  std::shared_ptr<ClusterState> state_;
};

}  // namespace sea
