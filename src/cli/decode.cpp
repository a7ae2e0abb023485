// `sea streamer decode [PATH]`: inspect the file backend's data without changing it.
// Steps of run_decode: 1. find what to read (a segment .log file, a stream directory, or
// --cluster file://DIR --topic KEY), 2. with --segments print one line per segment (or JSON with
// --json): shard, file, seqs, count, bytes, times, torn tail; 3. otherwise print the messages
// through the output options of consume (NDJSON envelopes by default).
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "backends/file/inspect.hpp"
#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "cli/exit_codes.hpp"

namespace sea::cli {

struct DecodeOptions {
  std::string path;
  TargetOptions target;
  OutputFormatOptions output;
  bool segments = false;
  bool json = false;
};

namespace {

std::string parent_of(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string base_of(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

void print_segments(const std::vector<file::SegmentSummary>& segments, bool json) {
  if (json) {
    nlohmann::json doc = nlohmann::json::array();
    for (const file::SegmentSummary& s : segments)
      doc.push_back({{"shard", s.shard}, {"file", s.file}, {"base_seq", s.base}, {"next_seq", s.next_seq},
                     {"messages", s.messages}, {"bytes", s.bytes}, {"first_ts", s.first_ts}, {"last_ts", s.last_ts},
                     {"torn", s.torn}, {"tail_reason", s.tail_reason}, {"index_entries", s.index_entries}});
    std::printf("%s\n", doc.dump(2).c_str());
    return;
  }
  std::printf("%-5s %-12s %-12s %10s %12s  %-24s %-24s %s\n", "shard", "base_seq", "next_seq", "messages", "bytes",
              "first", "last", "file");
  for (const file::SegmentSummary& s : segments) {
    std::printf("%-5u %-12llu %-12llu %10llu %12llu  %-24s %-24s %s%s\n", s.shard,
                static_cast<unsigned long long>(s.base), static_cast<unsigned long long>(s.next_seq),
                static_cast<unsigned long long>(s.messages), static_cast<unsigned long long>(s.bytes),
                s.messages ? format_time(s.first_ts).c_str() : "-", s.messages ? format_time(s.last_ts).c_str() : "-",
                s.file.c_str(), s.torn ? ("  TORN TAIL: " + s.tail_reason).c_str() : "");
  }
}

}  // namespace

int run_decode(const DecodeOptions& options) {
  setup_logging(options.target);
  // 1. What to read.
  std::string root, stream, segment_file;
  if (!options.path.empty()) {
    struct stat st {};
    if (::stat(options.path.c_str(), &st) != 0)
      return report(errno_error(errno, "decode " + options.path));
    if (S_ISDIR(st.st_mode)) {
      std::string dir = options.path;
      while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
      root = parent_of(dir);
      stream = base_of(dir);
    } else {
      segment_file = options.path;
    }
  } else {
    Result<Target> target = resolve_target(options.target);
    if (!target) return report(target.error());
    if (target->cluster.scheme != Scheme::file)
      return report(make_error(Errc::invalid_argument, "decode reads the file backend; {} is not file://",
                               target->cluster.display()));
    if (target->streams.size() != 1)
      return report(make_error(Errc::invalid_argument, "name one stream: --topic KEY, or give a PATH"));
    root = target->cluster.path;
    stream = target->streams.front().str();
  }

  // 2. Segment summary.
  if (options.segments) {
    std::vector<file::SegmentSummary> segments;
    if (!segment_file.empty()) {
      Result<file::SegmentSummary> s = file::summarize_segment(segment_file, 0);
      if (!s) return report(s.error());
      segments.push_back(std::move(*s));
    } else {
      Result<std::vector<file::SegmentSummary>> all = file::list_stream_segments(root, stream);
      if (!all) return report(all.error());
      segments = std::move(*all);
    }
    print_segments(segments, options.json);
    return kExitOk;
  }

  // 3. Messages.
  OutputFormatOptions output = options.output;
  if (output.format == "raw" && output.format_string.empty()) output.envelope = true;
  Result<std::unique_ptr<codecs::Encoder>> encoder = resolve_encoder(output);
  if (!encoder) return report(encoder.error());
  std::string out;
  bool write_failed = false;
  auto visit = [&](const MessageView& m) {
    (*encoder)->encode(m, out);
    if (out.size() >= (1 << 16)) {
      write_failed = std::fwrite(out.data(), 1, out.size(), stdout) != out.size();
      out.clear();
    }
    return !write_failed;
  };
  Result<void> read = segment_file.empty() ? file::read_stream(root, stream, visit)
                                           : file::read_segment_file(segment_file, visit);
  if (!out.empty()) write_failed = std::fwrite(out.data(), 1, out.size(), stdout) != out.size() || write_failed;
  std::fflush(stdout);
  if (!read) return report(read.error());
  return write_failed ? kExitRuntime : kExitOk;
}

void setup_decode(CLI::App& app, Runner& runner) {
  auto options = std::make_shared<DecodeOptions>();
  app.footer(
      "Examples:\n"
      "  sea streamer decode --topic news --segments      # one line per segment, torn tails flagged\n"
      "  sea streamer decode sea-streams/news              # every message as an NDJSON envelope\n"
      "  sea streamer decode sea-streams/news/0/00000000000000000000.log -f '%o %s\\n'\n"
      "Reads only: a torn tail is reported, never cut.");
  app.add_option("path", options->path, "A segment .log file or a stream directory of the file backend");
  add_target_options(app, options->target);
  add_output_format_options(app, options->output);
  app.add_flag("--segments", options->segments, "Print the segment summary instead of the messages");
  app.add_flag("--json", options->json, "With --segments: a JSON array");
  app.callback([&runner, options] { runner = [options] { return run_decode(*options); }; });
}

}  // namespace sea::cli
