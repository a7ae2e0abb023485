// The controller log of `sea streamer process --log PATH` (read by `sea streamer replay PATH`).
//
// PATH is a directory holding a one-stream file log (src/backends/file): stream `control`, one
// JSON record per message. So the log is append-only and crash-safe exactly as the file backend
// is (a torn last record is cut on the next open, every complete one kept), bounded by the same
// retention (`sea streamer admin retention control --cluster file://PATH --max-bytes 1G`), and
// readable with every tool that reads a stream (`consume --cluster file://PATH --topic control`).
//
// Records (every one has "kind" and "v":1):
//   run    {"kind":"run","v":1,"name","exec","input","output","format","envelope","deterministic",
//           "line_buffer","started","host","pid","sea"}              - one per `process` start
//   feed   {"kind":"feed","v":1,"feed":N,"seed":S,"inputs":[[stream,shard,first,last],...],
//           "outputs":[[stream,shard,first,last],...],"in":COUNT,"out":COUNT,
//           "first_ts","last_ts","dead_letter":[stream,shard,seq]?} - one per commit
//   crash  {"kind":"crash","v":1,"exit":"killed by signal 9 (SIGKILL)","at":[stream,shard,seq]?}
//   end    {"kind":"end","v":1,"fed","produced","outcome"}
// Ranges are inclusive seq runs in feed (inputs) or production (outputs) order: compact, not
// one record per message.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/streamer.hpp"
#include "flow/processor.hpp"
#include "loop/loop.hpp"

namespace sea::flow {

inline constexpr const char* kControlStream = "control";

struct RunRecord {
  std::string name, exec, input, output, format;
  bool envelope = false;
  bool deterministic = false;
  bool line_buffer = true;
  Timestamp started = 0;
  std::string host;
  std::int64_t pid = 0;
  std::string sea;
};

struct CrashRecord {
  std::string exit;
  std::optional<InputRef> at;
};

struct EndRecord {
  std::uint64_t fed = 0, produced = 0;
  std::string outcome;
};

// One record of the log, parsed. Exactly one of the optionals is set.
struct ControlRecord {
  SeqNo seq = 0;  // its place in the log
  std::optional<RunRecord> run;
  std::optional<FeedRecord> feed;
  std::optional<CrashRecord> crash;
  std::optional<EndRecord> end;
};

std::string encode_record(const RunRecord& r);
std::string encode_record(const FeedRecord& r);
std::string encode_record(const CrashRecord& r);
std::string encode_record(const EndRecord& r);
// Parses one record; the error names the field and the reason ("record 7: inputs[2]: ...").
Result<ControlRecord> parse_record(std::string_view json, SeqNo seq);

// Appends records on the loop (a file-backend producer on PATH's `control` stream).
class ControlLogWriter {
 public:
  static Result<std::unique_ptr<ControlLogWriter>> open(loop::Loop& loop, const std::string& path);
  ~ControlLogWriter();
  // Stores one record; `done` runs on the loop once it is written (or failed).
  void append(std::string record, std::function<void(Result<void>)> done);
  void append(std::string record);  // no wait (crash and end records)
  void flush(std::function<void(Result<void>)> done);

 private:
  ControlLogWriter() = default;
  std::unique_ptr<Streamer> streamer_;
  std::unique_ptr<Producer> producer_;
};

// Reads the whole log (runs the loop: call outside loop callbacks). Bad records are errors.
Result<std::vector<ControlRecord>> read_control_log(loop::Loop& loop, const std::string& path);

}  // namespace sea::flow
