// registration.hpp: flow::RegistryWriter on a timer of the cluster's loop.
#include "api/registration.hpp"

#include <unistd.h>

#include "api/cluster.hpp"
#include "api/state.hpp"
#include "flow/registry.hpp"

namespace sea {

struct ProcessorRegistration::Impl {
  std::shared_ptr<ClusterState> cluster;
  std::unique_ptr<flow::RegistryWriter> writer;
  std::unique_ptr<loop::Timer> timer;
  std::uint64_t fed = 0, produced = 0;
};

ProcessorRegistration sea::Cluster::register_processor(const ProcessorInfo& info) {
  if (!state_) throw Error(Errc::closed, "this sea::Cluster was moved from");
  if (info.name.empty()) throw Error(Errc::invalid_argument, "a processor registration needs a name");
  ProcessorInfo self = info;
  if (self.host.empty()) {
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    self.host = host;
  }
  if (self.pid == 0) self.pid = getpid();
  if (self.started == 0) self.started = now_ms();
  auto impl = std::make_unique<ProcessorRegistration::Impl>();
  impl->cluster = state_;
  impl->writer = api::value_or_throw(flow::RegistryWriter::open(*state_->streamer, std::move(self)));
  impl->writer->beat(0, 0);
  impl->timer = std::make_unique<loop::Timer>(state_->loop);
  ProcessorRegistration::Impl* raw = impl.get();
  impl->timer->start(flow::kHeartbeatMs, flow::kHeartbeatMs, [raw] { raw->writer->beat(raw->fed, raw->produced); });
  impl->timer->unref();  // heartbeats alone do not keep a blocking call waiting
  return ProcessorRegistration(std::move(impl));
}

ProcessorRegistration::ProcessorRegistration(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ProcessorRegistration::ProcessorRegistration(ProcessorRegistration&&) noexcept = default;
ProcessorRegistration& ProcessorRegistration::operator=(ProcessorRegistration&&) noexcept = default;

ProcessorRegistration::~ProcessorRegistration() {
  if (!impl_) return;
  impl_->timer.reset();
  impl_->writer->beat(impl_->fed, impl_->produced);
  bool done = false;
  impl_->writer->stopped([&](Result<void>) { done = true; });
  try {
    api::run_until(*impl_->cluster, [&] { return done; }, 5000);
  } catch (const std::exception&) {
  }
}

void ProcessorRegistration::count(std::uint64_t fed, std::uint64_t produced) {
  impl_->fed = fed;
  impl_->produced = produced;
}

}  // namespace sea
