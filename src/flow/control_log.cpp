// control_log.hpp: JSON records (nlohmann) in a file-backend stream.
#include "flow/control_log.hpp"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "backends/registry.hpp"
#include "backends/sync.hpp"

namespace sea::flow {

namespace {

using nlohmann::json;

json runs_json(const std::vector<FeedRecord::Run>& runs) {
  json out = json::array();
  for (const FeedRecord::Run& r : runs) out.push_back(json::array({r.stream, r.shard, r.first, r.last}));
  return out;
}

json ref_json(const InputRef& r) { return json::array({r.stream, r.shard, r.seq}); }

// Field access with errors that say where and why.
struct Reader {
  const json& doc;
  std::string where;

  Result<const json*> field(const char* name, json::value_t type, bool required = true) const {
    auto it = doc.find(name);
    if (it == doc.end()) {
      if (!required) return static_cast<const json*>(nullptr);
      return make_error(Errc::parse, "{}: no \"{}\"", where, name);
    }
    const bool ok = type == json::value_t::number_unsigned ? it->is_number_unsigned()
                    : type == json::value_t::number_integer ? it->is_number_integer()
                                                            : it->type() == type;
    if (!ok) return make_error(Errc::parse, "{}: \"{}\" has the wrong type ({})", where, name, it->type_name());
    return &*it;
  }
  Result<std::string> str(const char* name, bool required = true) const {
    Result<const json*> f = field(name, json::value_t::string, required);
    if (!f) return f.error();
    return *f ? (*f)->get<std::string>() : std::string();
  }
  Result<std::uint64_t> u64(const char* name, bool required = true) const {
    Result<const json*> f = field(name, json::value_t::number_unsigned, required);
    if (!f) return f.error();
    return *f ? (*f)->get<std::uint64_t>() : 0;
  }
  Result<std::int64_t> i64(const char* name, bool required = true) const {
    Result<const json*> f = field(name, json::value_t::number_integer, required);
    if (!f) return f.error();
    return *f ? (*f)->get<std::int64_t>() : 0;
  }
  Result<bool> boolean(const char* name) const {
    Result<const json*> f = field(name, json::value_t::boolean, false);
    if (!f) return f.error();
    return *f ? (*f)->get<bool>() : false;
  }
};

Result<InputRef> parse_ref(const json& j, const std::string& where) {
  if (!j.is_array() || j.size() != 3 || !j[0].is_string() || !j[1].is_number_unsigned() || !j[2].is_number_unsigned())
    return make_error(Errc::parse, "{}: expected [stream, shard, seq]", where);
  if (j[1].get<std::uint64_t>() > UINT32_MAX) return make_error(Errc::parse, "{}: shard out of range", where);
  return InputRef{j[0].get<std::string>(), j[1].get<ShardId>(), j[2].get<SeqNo>(), 0};
}

Result<std::vector<FeedRecord::Run>> parse_runs(const json& j, const std::string& where) {
  if (!j.is_array()) return make_error(Errc::parse, "{}: expected an array of runs", where);
  std::vector<FeedRecord::Run> runs;
  for (std::size_t i = 0; i < j.size(); ++i) {
    const json& r = j[i];
    if (!r.is_array() || r.size() != 4 || !r[0].is_string() || !r[1].is_number_unsigned() ||
        !r[2].is_number_unsigned() || !r[3].is_number_unsigned())
      return make_error(Errc::parse, "{}[{}]: expected [stream, shard, first, last]", where, i);
    if (r[1].get<std::uint64_t>() > UINT32_MAX) return make_error(Errc::parse, "{}[{}]: shard out of range", where, i);
    FeedRecord::Run run{r[0].get<std::string>(), r[1].get<ShardId>(), r[2].get<SeqNo>(), r[3].get<SeqNo>()};
    if (run.last < run.first) return make_error(Errc::parse, "{}[{}]: last seq before first", where, i);
    runs.push_back(std::move(run));
  }
  return runs;
}

}  // namespace

std::string encode_record(const RunRecord& r) {
  return json{{"kind", "run"},          {"v", 1},
              {"name", r.name},         {"exec", r.exec},
              {"input", r.input},       {"output", r.output},
              {"format", r.format},     {"envelope", r.envelope},
              {"deterministic", r.deterministic}, {"line_buffer", r.line_buffer},
              {"started", r.started},   {"host", r.host},
              {"pid", r.pid},           {"sea", r.sea}}
      .dump();
}

std::string encode_record(const FeedRecord& r) {
  json j{{"kind", "feed"},
         {"v", 1},
         {"feed", r.feed},
         {"seed", r.seed},
         {"inputs", runs_json(r.inputs)},
         {"outputs", runs_json(r.outputs)},
         {"in", r.input_count},
         {"out", r.output_count},
         {"first_ts", r.first_ts},
         {"last_ts", r.last_ts}};
  if (r.dead_letter) j["dead_letter"] = ref_json(*r.dead_letter);
  return j.dump();
}

std::string encode_record(const CrashRecord& r) {
  json j{{"kind", "crash"}, {"v", 1}, {"exit", r.exit}};
  if (r.at) j["at"] = ref_json(*r.at);
  return j.dump();
}

std::string encode_record(const EndRecord& r) {
  return json{{"kind", "end"}, {"v", 1}, {"fed", r.fed}, {"produced", r.produced}, {"outcome", r.outcome}}.dump();
}

Result<ControlRecord> parse_record(std::string_view text, SeqNo seq) {
  const std::string where = fmt::format("record {}", seq);
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) return make_error(Errc::parse, "{}: not JSON", where);
  if (!doc.is_object()) return make_error(Errc::parse, "{}: not a JSON object", where);
  Reader in{doc, where};
  Result<std::string> kind = in.str("kind");
  if (!kind) return kind.error();
  Result<std::uint64_t> version = in.u64("v");
  if (!version) return version.error();
  if (*version != 1) return make_error(Errc::parse, "{}: version {} (this sea reads version 1)", where, *version);
  ControlRecord out;
  out.seq = seq;
  if (*kind == "run") {
    RunRecord r;
    for (auto [name, target] : {std::pair{"name", &r.name}, {"exec", &r.exec}, {"input", &r.input},
                                {"output", &r.output}, {"format", &r.format}}) {
      Result<std::string> v = in.str(name);
      if (!v) return v.error();
      *target = *v;
    }
    for (auto [name, target] : {std::pair{"host", &r.host}, {"sea", &r.sea}}) {
      Result<std::string> v = in.str(name, false);
      if (!v) return v.error();
      *target = *v;
    }
    Result<bool> envelope = in.boolean("envelope"), deterministic = in.boolean("deterministic");
    if (!envelope) return envelope.error();
    if (!deterministic) return deterministic.error();
    r.envelope = *envelope;
    r.deterministic = *deterministic;
    if (doc.contains("line_buffer")) {
      Result<bool> lb = in.boolean("line_buffer");
      if (!lb) return lb.error();
      r.line_buffer = *lb;
    }
    Result<std::int64_t> started = in.i64("started", false), pid = in.i64("pid", false);
    if (!started) return started.error();
    if (!pid) return pid.error();
    r.started = *started;
    r.pid = *pid;
    out.run = std::move(r);
  } else if (*kind == "feed") {
    FeedRecord r;
    Result<std::uint64_t> feed = in.u64("feed"), seed = in.u64("seed"), n_in = in.u64("in"), n_out = in.u64("out");
    if (!feed) return feed.error();
    if (!seed) return seed.error();
    if (!n_in) return n_in.error();
    if (!n_out) return n_out.error();
    Result<const json*> inputs = in.field("inputs", json::value_t::array);
    if (!inputs) return inputs.error();
    Result<const json*> outputs = in.field("outputs", json::value_t::array);
    if (!outputs) return outputs.error();
    Result<std::vector<FeedRecord::Run>> in_runs = parse_runs(**inputs, where + ": inputs");
    if (!in_runs) return in_runs.error();
    Result<std::vector<FeedRecord::Run>> out_runs = parse_runs(**outputs, where + ": outputs");
    if (!out_runs) return out_runs.error();
    std::uint64_t counted_in = 0, counted_out = 0;
    for (const auto& run : *in_runs) counted_in += run.last - run.first + 1;
    for (const auto& run : *out_runs) counted_out += run.last - run.first + 1;
    if (counted_in != *n_in) return make_error(Errc::parse, "{}: \"in\" is {} but the inputs hold {}", where, *n_in, counted_in);
    if (counted_out != *n_out)
      return make_error(Errc::parse, "{}: \"out\" is {} but the outputs hold {}", where, *n_out, counted_out);
    Result<std::int64_t> first_ts = in.i64("first_ts", false), last_ts = in.i64("last_ts", false);
    if (!first_ts) return first_ts.error();
    if (!last_ts) return last_ts.error();
    r.feed = *feed;
    r.seed = *seed;
    r.inputs = std::move(*in_runs);
    r.outputs = std::move(*out_runs);
    r.input_count = *n_in;
    r.output_count = *n_out;
    r.first_ts = *first_ts;
    r.last_ts = *last_ts;
    if (auto it = doc.find("dead_letter"); it != doc.end()) {
      Result<InputRef> ref = parse_ref(*it, where + ": dead_letter");
      if (!ref) return ref.error();
      r.dead_letter = *ref;
    }
    out.feed = std::move(r);
  } else if (*kind == "crash") {
    CrashRecord r;
    Result<std::string> exit = in.str("exit");
    if (!exit) return exit.error();
    r.exit = *exit;
    if (auto it = doc.find("at"); it != doc.end()) {
      Result<InputRef> ref = parse_ref(*it, where + ": at");
      if (!ref) return ref.error();
      r.at = *ref;
    }
    out.crash = std::move(r);
  } else if (*kind == "end") {
    EndRecord r;
    Result<std::uint64_t> fed = in.u64("fed"), produced = in.u64("produced");
    Result<std::string> outcome = in.str("outcome");
    if (!fed) return fed.error();
    if (!produced) return produced.error();
    if (!outcome) return outcome.error();
    r.fed = *fed;
    r.produced = *produced;
    r.outcome = *outcome;
    out.end = std::move(r);
  } else {
    return make_error(Errc::parse, "{}: unknown kind \"{}\"", where, *kind);
  }
  return out;
}

Result<std::unique_ptr<ControlLogWriter>> ControlLogWriter::open(loop::Loop& loop, const std::string& path) {
  Result<Uri> uri = parse_uri("file://" + path);
  if (!uri) return uri.error();
  std::unique_ptr<ControlLogWriter> writer(new ControlLogWriter);
  Result<std::unique_ptr<Streamer>> streamer = connect(loop, *uri, ConnectOptions{});
  if (!streamer) return streamer.error();
  writer->streamer_ = std::move(*streamer);
  const StreamKey key = *StreamKey::parse(kControlStream);
  // Bounded like a stream: 1 GiB by default (whole segments go, oldest first).
  CreateOptions create;
  create.if_not_exists = true;
  create.retention.max_bytes = 1ULL << 30;
  if (Result<void> made = writer->streamer_->admin().create(key, create); !made)
    return Error{made.error().code, fmt::format("controller log {}: {}", path, made.error().message)};
  ProducerOptions options;
  options.shard = 0;
  Result<std::unique_ptr<Producer>> producer = writer->streamer_->create_producer(key, options);
  if (!producer) return producer.error();
  writer->producer_ = std::move(*producer);
  return writer;
}

ControlLogWriter::~ControlLogWriter() = default;

void ControlLogWriter::append(std::string record, std::function<void(Result<void>)> done) {
  append(std::move(record));
  flush(std::move(done));
}

void ControlLogWriter::append(std::string record) {
  MessageView m;
  m.stream = kControlStream;
  m.payload = record;
  (void)producer_->send(m);  // failures surface through flush
}

void ControlLogWriter::flush(std::function<void(Result<void>)> done) { producer_->flush(std::move(done)); }

Result<std::vector<ControlRecord>> read_control_log(loop::Loop& loop, const std::string& path) {
  Result<Uri> uri = parse_uri("file://" + path);
  if (!uri) return uri.error();
  Result<std::unique_ptr<Streamer>> streamer = connect(loop, *uri, ConnectOptions{});
  if (!streamer) return streamer.error();
  const StreamKey key = *StreamKey::parse(kControlStream);
  Result<StreamInfo> info = (*streamer)->admin().describe(key);
  if (!info) return Error{info.error().code, fmt::format("{}: not a controller log ({})", path, info.error().message)};
  ConsumerOptions options;
  options.start.kind = StartPosition::Kind::earliest;
  Result<std::unique_ptr<Consumer>> consumer = (*streamer)->create_consumer(std::span(&key, 1), options);
  if (!consumer) return consumer.error();
  std::vector<ControlRecord> records;
  while (std::optional<Message> m = next(loop, **consumer, true, 30'000)) {
    Result<ControlRecord> r = parse_record(m->payload, m->seq);
    if (!r) return Error{r.error().code, fmt::format("{}: {}", path, r.error().message)};
    records.push_back(std::move(*r));
  }
  return records;
}

}  // namespace sea::flow
