// The conformance harness of harness.hpp: backends, cells, loop helpers, the matrix printer.
#include "conformance/harness.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

namespace sea::conformance {

namespace {

// behaviour -> backend -> outcome, in the order the behaviours ran.
struct Matrix {
  std::vector<std::string> behaviours;
  std::map<std::string, std::map<std::string, std::string>> cells;

  void record(const std::string& behaviour, const std::string& backend, const std::string& outcome) {
    if (!cells.contains(behaviour)) behaviours.push_back(behaviour);
    cells[behaviour][backend] = outcome;
  }

  std::string render() const {
    std::string out = "conformance matrix (backend x behaviour):\n";
    out += fmt::format("{:<22}", "behaviour");
    for (Kind k : all_backends()) out += fmt::format(" {:<24}", kind_name(k));
    out += "\n";
    std::string reasons;
    int pass = 0, fail = 0, unsupported = 0, na = 0;
    for (const std::string& b : behaviours) {
      out += fmt::format("{:<22}", b);
      for (Kind k : all_backends()) {
        auto it = cells.at(b).find(kind_name(k));
        std::string cell = it == cells.at(b).end() ? "fail: not run" : it->second;
        std::string shown = cell;
        if (cell.starts_with("fail")) {
          ++fail;
          reasons += fmt::format("  {} / {}: {}\n", b, kind_name(k), cell);
          shown = "FAIL";
        } else if (cell == "pass") {
          ++pass;
        } else if (cell.starts_with("documented-unsupported")) {
          ++unsupported;
          shown = "documented-unsupported";
        } else {
          ++na;
          shown = "n/a";
        }
        out += fmt::format(" {:<24}", shown);
      }
      out += "\n";
    }
    out += fmt::format("{} pass, {} fail, {} documented-unsupported, {} n/a (stdio: a one-shard pipe)\n", pass, fail,
                       unsupported, na);
    if (!reasons.empty()) out += "failures:\n" + reasons;
    std::string notes;
    for (const std::string& b : behaviours)
      for (const auto& [backend, cell] : cells.at(b))
        if (cell.starts_with("documented-unsupported") || cell.starts_with("n/a"))
          notes += fmt::format("  {} / {}: {}\n", b, backend, cell);
    if (!notes.empty()) out += "unsupported and n/a cells, with the backend's answer:\n" + notes;
    return out;
  }

  // Printed when the test binary exits, after doctest's own summary.
  ~Matrix() {
    if (behaviours.empty()) return;
    const std::string text = render();
    std::fwrite(text.data(), 1, text.size(), stdout);
    const char* path = std::getenv("SEA_CONFORMANCE_MATRIX");
    std::ofstream(path != nullptr ? path : "conformance-matrix.txt") << text;
  }
};

Matrix& matrix() {
  static Matrix m;
  return m;
}

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : "";
}

}  // namespace

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::file: return "file";
    case Kind::stdio: return "stdio";
    case Kind::redis: return "redis";
    case Kind::redis_cluster: return "redis-cluster";
    case Kind::kafka: return "kafka";
  }
  return "?";
}

const std::vector<Kind>& all_backends() {
  static const std::vector<Kind> kinds{Kind::file, Kind::stdio, Kind::redis, Kind::redis_cluster, Kind::kafka};
  return kinds;
}

Ctx::Ctx(Kind k, std::string b) : kind(k), behaviour(std::move(b)) {
  std::string uri;
  ConnectOptions options;
  switch (kind) {
    case Kind::file: {
      char tmpl[] = "/tmp/sea-conformance-XXXXXX";
      const char* made = ::mkdtemp(tmpl);
      if (made == nullptr) { check(false, "mkdtemp failed"); return; }
      dir_ = made;
      uri = "file://" + dir_;
      break;
    }
    case Kind::stdio:
      uri = "stdio://";
      options.properties["stdio.envelope"] = "true";
      break;
    case Kind::redis: uri = env_or_empty("SEA_TEST_REDIS"); break;
    case Kind::redis_cluster: uri = env_or_empty("SEA_TEST_REDIS_CLUSTER"); break;
    case Kind::kafka: uri = env_or_empty("SEA_TEST_KAFKA"); break;
  }
  // A failure here is recorded (check, not require: a constructor must not throw it) and
  // for_each_backend then fails the cell without running the body.
  if (uri.empty()) {
    const char* var = kind == Kind::redis ? "SEA_TEST_REDIS" : kind == Kind::kafka ? "SEA_TEST_KAFKA" : "SEA_TEST_REDIS_CLUSTER";
    { check(false, fmt::format("{} is not set: run through scripts/test, which starts the servers", var)); return; }
  }
  Result<Uri> parsed = parse_uri(uri);
  if (!parsed) { check(false, "bad URI " + uri); return; }
  Result<std::unique_ptr<Streamer>> s = connect(loop, *parsed, options);
  if (!s) { check(false, "connect: " + s.error().message); return; }
  streamer = std::move(*s);
}

Ctx::~Ctx() {
  streamer.reset();
  run_for(1);  // lets libuv release the handles closed above
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

void Ctx::check(bool ok, const std::string& what) {
  if (ok) return;
  if (!failed_) first_failure_ = what;
  failed_ = true;
  FAIL_CHECK(fmt::format("{} / {}: {}", kind_name(kind), behaviour, what));
}

void Ctx::require(bool ok, const std::string& what) {
  if (ok) return;
  check(false, what);
  throw CellAbort{};
}

void Ctx::expect_unsupported(const Error* error, const std::string& what) {
  if (error == nullptr) { check(false, what + ": expected Errc::unsupported, but it succeeded"); return; }
  if (error->code != Errc::unsupported)
    return check(false, fmt::format("{}: expected Errc::unsupported, got {}: {}", what, errc_name(error->code),
                                    error->message));
  unsupported_ = error->message;
}

void Ctx::not_applicable(const std::string& why) { not_applicable_ = why; }

std::string Ctx::outcome() const {
  if (failed_) return "fail: " + first_failure_;
  if (unsupported_) return "documented-unsupported: " + *unsupported_;
  if (not_applicable_) return "n/a: " + *not_applicable_;
  return "pass";
}

std::string Ctx::new_stream(std::uint32_t shards) {
  // librdkafka's mock cluster answers no CreateTopics (mock_cluster.hpp): once that is known,
  // Kafka streams are made by first use instead, which gives the mock's 4 partitions.
  static bool kafka_cannot_create = false;
  static int counter = 0;
  std::string name = fmt::format("cf-{}-{}-{}-{}", behaviour, ::getpid(), now_ms() % 10'000'000, ++counter);
  std::replace(name.begin(), name.end(), '_', '-');
  if (kind == Kind::stdio) return name;
  Result<StreamKey> key = StreamKey::parse(name);
  require(key.ok(), "stream name " + name);
  if (kind == Kind::kafka && kafka_cannot_create) {
    create_by_first_use(name);
    return name;
  }
  CreateOptions create;
  create.shards = shards;
  Result<void> created = streamer->admin().create(*key, create);
  if (!created && kind == Kind::kafka && created.error().code == Errc::unsupported) {
    kafka_cannot_create = true;
    create_by_first_use(name);
    return name;
  }
  take(std::move(created), fmt::format("admin create {} with {} shard(s)", name, shards));
  return name;
}

void Ctx::create_by_first_use(const std::string& stream) {
  // One marker message per partition makes the topic and every partition exist; read() and
  // is_marker() keep the markers out of what the behaviours see.
  ProducerOptions po;
  po.shard = 0;
  std::unique_ptr<Producer> first = producer(stream, po);
  send_all(*first, stream, {msg(std::string(kMarker))});
  Result<StreamKey> key = StreamKey::parse(stream);
  StreamInfo info = take(streamer->admin().describe(*key), "describe " + stream);
  for (const ShardInfo& shard : info.shards) {
    if (shard.id == 0) continue;
    po.shard = shard.id;
    std::unique_ptr<Producer> p = producer(stream, po);
    send_all(*p, stream, {msg(std::string(kMarker))});
  }
}

std::uint32_t Ctx::shard_count(const std::string& stream) {
  Result<StreamKey> key = StreamKey::parse(stream);
  require(key.ok(), "stream name");
  return static_cast<std::uint32_t>(take(streamer->admin().describe(*key), "describe " + stream).shards.size());
}

std::unique_ptr<Producer> Ctx::producer(const std::string& stream, ProducerOptions options) {
  Result<StreamKey> key = StreamKey::parse(stream);
  require(key.ok(), "stream name");
  return take(streamer->create_producer(*key, options), "create_producer");
}

Result<std::unique_ptr<Consumer>> Ctx::try_consumer(const std::string& stream, const ConsumerOptions& given) {
  Result<StreamKey> key = StreamKey::parse(stream);
  require(key.ok(), "stream name");
  std::vector<StreamKey> keys{*key};
  ConsumerOptions options = given;
  if (kind == Kind::kafka && !options.group.empty()) {
    // As in tests/backends/kafka: the default 45 s session makes each rejoin of a group on the
    // mock take that long; a short one keeps a restart within the cell's timeouts.
    options.properties.try_emplace("session.timeout.ms", "6000");
    options.properties.try_emplace("heartbeat.interval.ms", "500");
  }
  return streamer->create_consumer(keys, options);
}

std::unique_ptr<Consumer> Ctx::consumer(const std::string& stream, const ConsumerOptions& options) {
  return take(try_consumer(stream, options), "create_consumer");
}

std::vector<Receipt> Ctx::send_all(Producer& producer, const std::string& stream, const std::vector<Message>& messages) {
  std::map<Producer::Ticket, Receipt> receipts;
  std::optional<Error> failure;
  producer.set_on_delivery([&](Producer::Ticket t, const Result<Receipt>& r) {
    if (r) receipts[t] = *r;
    else if (!failure) failure = r.error();
  });
  std::vector<Producer::Ticket> tickets;
  for (const Message& m : messages) {
    std::vector<HeaderView> headers;
    for (const Header& h : m.headers) headers.push_back({h.key, h.value});
    MessageView view{stream, kAnyShard, 0, m.ts, m.key.has_value(), m.key ? std::string_view(*m.key) : "", headers,
                     m.payload};
    tickets.push_back(take(producer.send(view), "send"));
    if (producer.congested()) run_until([&] { return !producer.congested(); }, 20'000);
  }
  take(flush_sync(loop, producer), "flush");
  require(!failure, failure ? "delivery: " + failure->message : "");
  std::vector<Receipt> out;
  for (Producer::Ticket t : tickets) {
    require(receipts.contains(t), fmt::format("no delivery report for ticket {}", t));
    out.push_back(receipts[t]);
  }
  producer.set_on_delivery({});
  return out;
}

std::vector<Message> Ctx::read(Consumer& consumer, std::size_t count, std::uint64_t timeout_ms) {
  std::vector<Message> got;
  consumer.set_on_readable([] {});
  run_until([&] {
    consumer.poll(100'000, [&](const MessageView& v) {
      if (!is_marker(v)) got.push_back(Message::from_view(v));
    });
    if (consumer.error()) return true;
    return count > 0 ? got.size() >= count : consumer.at_end();
  }, timeout_ms);
  check(!consumer.error(), consumer.error() ? "consumer error: " + consumer.error()->message : "");
  return got;
}

bool Ctx::run_until(const std::function<bool()>& done, std::uint64_t timeout_ms) {
  bool timed_out = false;
  loop::Timer timer(loop);
  timer.start(timeout_ms, 0, [&] { timed_out = true; });
  // A short tick keeps the loop turning while a backend has nothing to report (at_end flips
  // without a readable callback on some backends).
  loop::Timer tick(loop);
  tick.start(5, 5, [] {});
  while (!done() && !timed_out) loop.run_once(true);
  return done();
}

void Ctx::run_for(std::uint64_t ms) {
  bool done = false;
  loop::Timer timer(loop);
  timer.start(ms, 0, [&] { done = true; });
  while (!done) loop.run_once(true);
}

ConsumerOptions from_earliest() {
  ConsumerOptions options;
  options.start.kind = StartPosition::Kind::earliest;
  return options;
}

Message msg(std::string payload, std::optional<std::string> key, Timestamp ts, std::vector<Header> headers) {
  Message m;
  m.payload = std::move(payload);
  m.key = std::move(key);
  m.ts = ts;
  m.headers = std::move(headers);
  return m;
}

void for_each_backend(const std::string& behaviour, const std::function<void(Ctx&)>& body) {
  for (Kind kind : all_backends()) {
    Ctx ctx(kind, behaviour);
    try {
      if (!ctx.failed()) body(ctx);
    } catch (const CellAbort&) {
      // The failure is recorded in ctx.
    }
    matrix().record(behaviour, kind_name(kind), ctx.outcome());
  }
}

// Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2), seed 0x9747b28c.
std::uint32_t kafka_partition(std::string_view key, std::uint32_t partitions) {
  const std::uint32_t m = 0x5bd1e995;
  const int r = 24;
  const auto* data = reinterpret_cast<const unsigned char*>(key.data());
  std::uint32_t length = static_cast<std::uint32_t>(key.size());
  std::uint32_t h = 0x9747b28c ^ length;
  const std::uint32_t length4 = length / 4;
  for (std::uint32_t i = 0; i < length4; ++i) {
    const std::uint32_t i4 = i * 4;
    std::uint32_t k = data[i4] | (data[i4 + 1] << 8) | (data[i4 + 2] << 16) | (static_cast<std::uint32_t>(data[i4 + 3]) << 24);
    k *= m;
    k ^= k >> r;
    k *= m;
    h *= m;
    h ^= k;
  }
  switch (length % 4) {
    case 3: h ^= static_cast<std::uint32_t>(data[(length & ~3u) + 2]) << 16; [[fallthrough]];
    case 2: h ^= static_cast<std::uint32_t>(data[(length & ~3u) + 1]) << 8; [[fallthrough]];
    case 1: h ^= data[length & ~3u]; h *= m;
  }
  h ^= h >> 13;
  h *= m;
  h ^= h >> 15;
  return (h & 0x7fffffff) % partitions;
}

}  // namespace sea::conformance
