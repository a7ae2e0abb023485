// cluster.hpp: the connection, the loop it owns, the producers it keeps, and run_until, the one
// way the façade waits (every blocking call runs the loop through it).
#include "api/cluster.hpp"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "api/state.hpp"
#include "backends/registry.hpp"
#include "core/uri.hpp"

namespace sea {

namespace api {

bool run_until(ClusterState& cluster, const std::function<bool()>& done, std::int64_t timeout_ms) {
  cluster.rethrow();
  if (done()) return true;
  loop::Loop& loop = cluster.loop;
  bool timed_out = false;
  loop::Timer timer(loop);
  if (timeout_ms >= 0) timer.start(static_cast<std::uint64_t>(timeout_ms), 0, [&] { timed_out = true; });
  while (!done()) {
    if (timed_out) return false;
    const bool more = loop.run_once(true);
    cluster.rethrow();
    if (!more && !done()) throw Error(Errc::closed, "nothing is left on the loop that could deliver what is waited for");
  }
  return true;
}

StreamKey stream_key(std::string_view name) { return value_or_throw(StreamKey::parse(name)); }

}  // namespace api

void ClusterState::rethrow() {
  if (handler_exception) std::rethrow_exception(std::exchange(handler_exception, nullptr));
}

ClusterState::~ClusterState() {
  // A producer's messages are flushed (bounded, errors dropped: a destructor cannot report
  // them; call flush() to know) before the connection goes.
  for (auto& [fingerprint, producer] : producers) {
    bool done = false;
    producer->core().flush([&](Result<void>) { done = true; });
    try {
      api::run_until(*this, [&] { return done; }, 10'000);
    } catch (const Error&) {
    }
  }
  producers.clear();
  admin.reset();
  streamer.reset();
  // Let the handles closed above release their memory.
  loop.run_once(false);
}

Cluster::Cluster(std::string_view uri, const ConnectOptions& options) : state_(std::make_shared<ClusterState>()) {
  const std::string text = uri.empty() ? default_cluster_uri() : std::string(uri);
  Uri parsed = api::value_or_throw(parse_uri(text));
  state_->uri = parsed.display();
  state_->streamer = api::value_or_throw(connect(state_->loop, parsed, options));
}

Cluster::~Cluster() = default;
Cluster::Cluster(Cluster&&) noexcept = default;
Cluster& Cluster::operator=(Cluster&&) noexcept = default;

static ClusterState& alive(const std::shared_ptr<ClusterState>& state) {
  if (!state) throw Error(Errc::closed, "this sea::Cluster was moved from");
  return *state;
}

sea::Producer& Cluster::producer(std::string_view stream, const sea::ProducerOptions& options) {
  ClusterState& s = alive(state_);
  const core::ProducerOptions& o = options.core();
  std::string fingerprint = fmt::format("{}\n{}/{}/{}/{}/{}/{}/{}", stream, static_cast<int>(o.delivery), o.shard,
                                        o.dedupe_window_ms, o.max_in_flight, o.max_in_flight_bytes,
                                        o.max_message_bytes, o.transaction_id);
  for (const auto& [key, value] : o.properties) fingerprint += fmt::format("\n{}={}", key, value);
  for (auto& [key, producer] : s.producers)
    if (key == fingerprint) return *producer;
  StreamKey key = api::stream_key(stream);
  std::unique_ptr<core::Producer> made = api::value_or_throw(s.streamer->create_producer(key, o));
  s.producers.emplace_back(std::move(fingerprint), std::make_unique<sea::Producer>(s, std::move(made), key.str()));
  return *s.producers.back().second;
}

sea::Admin& Cluster::admin() {
  ClusterState& s = alive(state_);
  if (!s.admin) s.admin = std::make_unique<sea::Admin>(s.streamer->admin());
  return *s.admin;
}

void Cluster::run() {
  ClusterState& s = alive(state_);
  s.rethrow();
  s.loop.run();
  s.rethrow();
}

void Cluster::run_for(std::chrono::milliseconds limit) {
  ClusterState& s = alive(state_);
  loop::Timer timer(s.loop);
  timer.start(static_cast<std::uint64_t>(std::max<std::int64_t>(0, limit.count())), 0, [&] { s.loop.stop(); });
  s.rethrow();
  s.loop.run();
  s.rethrow();
}

void Cluster::stop() { alive(state_).loop.stop(); }
const std::string& Cluster::uri() const { return alive(state_).uri; }
loop::Loop& Cluster::loop() { return alive(state_).loop; }
core::Streamer& Cluster::streamer() { return *alive(state_).streamer; }

}  // namespace sea
