// registry.hpp: registrations as JSON messages (nlohmann) on a stream.
#include "flow/registry.hpp"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "backends/sync.hpp"

namespace sea::flow {

using nlohmann::json;

std::string encode_registration(const ProcessorInfo& p, bool stopped) {
  return json{{"v", 1},
              {"name", p.name},
              {"exec", p.exec},
              {"input", p.input},
              {"output", p.output},
              {"group", p.group},
              {"host", p.host},
              {"pid", p.pid},
              {"started", p.started},
              {"at", p.seen},
              {"heartbeat_ms", kHeartbeatMs},
              {"fed", p.fed},
              {"produced", p.produced},
              {"in_per_s", p.in_per_s},
              {"out_per_s", p.out_per_s},
              {"state", stopped ? "stopped" : "running"}}
      .dump();
}

Result<ProcessorInfo> parse_registration(std::string_view text, bool& stopped) {
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return make_error(Errc::parse, "a registration is a JSON object");
  ProcessorInfo p;
  try {
    p.name = doc.at("name").get<std::string>();
    p.exec = doc.value("exec", "");
    p.input = doc.value("input", "");
    p.output = doc.value("output", "");
    p.group = doc.value("group", "");
    p.host = doc.at("host").get<std::string>();
    p.pid = doc.at("pid").get<std::int64_t>();
    p.started = doc.value("started", std::int64_t{0});
    p.seen = doc.at("at").get<std::int64_t>();
    p.fed = doc.value("fed", std::uint64_t{0});
    p.produced = doc.value("produced", std::uint64_t{0});
    p.in_per_s = doc.value("in_per_s", 0.0);
    p.out_per_s = doc.value("out_per_s", 0.0);
    stopped = doc.value("state", "running") == "stopped";
  } catch (const json::exception& e) {
    return make_error(Errc::parse, "a registration: {}", e.what());
  }
  return p;
}

Result<std::unique_ptr<RegistryWriter>> RegistryWriter::open(Streamer& streamer, ProcessorInfo self) {
  const StreamKey key = *StreamKey::parse(kRegistryStream);
  CreateOptions create;
  create.if_not_exists = true;
  create.retention.max_age_ms = 3'600'000;
  // Backends that cannot create streams (librdkafka's mock) make it on the first message.
  (void)streamer.admin().create(key, create);
  std::unique_ptr<RegistryWriter> w(new RegistryWriter);
  Result<std::unique_ptr<Producer>> producer = streamer.create_producer(key, ProducerOptions{});
  if (!producer) return producer.error();
  w->producer_ = std::move(*producer);
  w->self_ = std::move(self);
  return w;
}

void RegistryWriter::beat(std::uint64_t fed, std::uint64_t produced) {
  const Timestamp now = now_ms();
  if (last_beat_ != 0 && now > last_beat_) {
    const double seconds = static_cast<double>(now - last_beat_) / 1000.0;
    self_.in_per_s = static_cast<double>(fed - self_.fed) / seconds;
    self_.out_per_s = static_cast<double>(produced - self_.produced) / seconds;
  }
  self_.fed = fed;
  self_.produced = produced;
  self_.seen = now;
  last_beat_ = now;
  const std::string record = encode_registration(self_, false);
  MessageView m;
  m.stream = kRegistryStream;
  m.payload = record;
  (void)producer_->send(m);  // a lost heartbeat only makes the instance look older
}

void RegistryWriter::stopped(std::function<void(Result<void>)> done) {
  self_.seen = now_ms();
  const std::string record = encode_registration(self_, true);
  MessageView m;
  m.stream = kRegistryStream;
  m.payload = record;
  (void)producer_->send(m);
  producer_->flush(std::move(done));
}

Result<std::unique_ptr<RegistryView>> RegistryView::open(loop::Loop& loop, Streamer& streamer) {
  const StreamKey key = *StreamKey::parse(kRegistryStream);
  if (!streamer.admin().describe(key)) return std::unique_ptr<RegistryView>();
  std::unique_ptr<RegistryView> view(new RegistryView(loop));
  ConsumerOptions options;
  options.start.kind = StartPosition::Kind::earliest;
  Result<std::unique_ptr<Consumer>> consumer = streamer.create_consumer(std::span(&key, 1), options);
  if (!consumer) return consumer.error();
  view->consumer_ = std::move(*consumer);
  view->refresh();
  return view;
}

void RegistryView::refresh() {
  while (std::optional<Message> m = next(loop_, *consumer_, true, 2000)) {
    bool stopped = false;
    Result<ProcessorInfo> p = parse_registration(m->payload, stopped);
    if (!p) continue;  // not ours
    const std::string key = fmt::format("{}\x1f{}\x1f{}", p->name, p->host, p->pid);
    latest_[key] = {std::move(*p), stopped};
  }
}

std::vector<ProcessorInfo> RegistryView::live(Timestamp now) const {
  std::vector<ProcessorInfo> out;
  for (const auto& [key, entry] : latest_) {
    const auto& [info, stopped] = entry;
    if (stopped || info.seen + static_cast<Timestamp>(3 * kHeartbeatMs) < now) continue;
    out.push_back(info);
  }
  return out;
}

}  // namespace sea::flow
