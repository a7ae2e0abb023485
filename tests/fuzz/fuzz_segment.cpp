// libFuzzer target for the file backend's on-disk data: the input becomes a segment .log file
// (optionally with a .idx file and a writers' head in the shard's lock file) in a fresh
// stream directory, which is then inspected (summarize_segment, read_segment_file) and opened
// for append through the file Streamer so that tail recovery runs, and read back.
//
// The first byte chooses the layout. In "framed" mode the input is a list of frame bodies to
// which the harness adds correct lengths and CRCs (so the fuzzer reaches the body parser
// instead of dying at the checksum), with per-frame control bits to use the fuzzer's own seq,
// break the CRC or cut the frame short. Invariants checked:
//   - inspection never fails on a readable file, and summarize_segment and read_segment_file
//     agree on the message count; seqs are dense from the base;
//   - appending after recovery succeeds, keeps every complete message inspection saw (same
//     payloads, same order) and gives the new message the next seq.
#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <zlib.h>

#include "backends/file/file_log.hpp"
#include "backends/file/inspect.hpp"
#include "backends/registry.hpp"
#include "backends/sync.hpp"
#include "fuzz_util.hpp"

namespace {

void put_u32(std::string& out, std::uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); }
void put_u64(std::string& out, std::uint64_t v) { out.append(reinterpret_cast<const char*>(&v), 8); }

void write_file(const std::string& path, std::string_view bytes) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  FUZZ_CHECK(fd >= 0, "cannot create " + path);
  FUZZ_CHECK(write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()), "short write");
  close(fd);
}

// Frame bodies from the input with correct length and CRC, unless a control bit says otherwise.
std::string framed_segment(sea::fuzz::InputReader& in, sea::SeqNo base) {
  std::string log;
  sea::SeqNo seq = base;
  while (in.remaining() > 0) {
    std::uint8_t control = in.byte();
    std::size_t body_len = in.byte();
    std::string body;
    if (control & 1) {
      body.append(in.take(8));  // the fuzzer's own seq
    } else {
      put_u64(body, seq);
    }
    body.append(in.take(body_len));
    std::uint32_t crc = static_cast<std::uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(body.data()),
                                                         static_cast<uInt>(body.size())));
    if (control & 2) crc ^= 1;
    std::uint32_t length = static_cast<std::uint32_t>(body.size());
    if (control & 4) length += control >> 3;  // claims more than there is
    put_u32(log, length);
    put_u32(log, crc);
    log += body;
    ++seq;
  }
  return log;
}

struct Seen {
  sea::SeqNo seq;
  std::string payload;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  sea::fuzz::InputReader in(data, size);
  std::uint8_t layout = in.byte();
  sea::SeqNo base = (layout & 8) ? in.byte() : 0;

  // 1. A fresh stream directory "s" with one shard.
  std::string pattern = std::filesystem::temp_directory_path().string() + "/sea-fuzz-XXXXXX";
  FUZZ_CHECK(mkdtemp(pattern.data()) != nullptr, "mkdtemp");
  const std::string root = pattern;
  const std::string shard_dir = root + "/s/0";
  std::filesystem::create_directories(shard_dir);
  write_file(root + "/s/meta", "format 1\nshards 1\n");
  const std::string log_path = shard_dir + "/" + sea::file::segment_file_name(base, "log");
  if (layout & 2) write_file(shard_dir + "/" + sea::file::segment_file_name(base, "idx"), in.take(in.byte()));
  if (layout & 4) write_file(shard_dir + "/lock", in.take(24));
  write_file(log_path, (layout & 1) ? framed_segment(in, base) : std::string(in.rest()));

  // 2. Inspection.
  sea::Result<sea::file::SegmentSummary> summary = sea::file::summarize_segment(log_path, 0);
  FUZZ_CHECK(summary.ok(), "summarize_segment: " + summary.error().message);
  std::vector<Seen> seen;
  sea::Result<void> read = sea::file::read_segment_file(log_path, [&](const sea::MessageView& m) {
    seen.push_back({m.seq, std::string(m.payload)});
    return true;
  });
  FUZZ_CHECK(read.ok(), "read_segment_file: " + read.error().message);
  FUZZ_CHECK(seen.size() == summary->messages, "summary counts " + std::to_string(summary->messages) +
                                                   ", read_segment_file " + std::to_string(seen.size()));
  for (std::size_t i = 0; i < seen.size(); ++i) FUZZ_CHECK(seen[i].seq == base + i, "seqs not dense");
  FUZZ_CHECK(summary->next_seq == base + seen.size(), "next_seq");

  // 3. Append through the Streamer (recovery cuts the torn tail), then read everything back.
  {
    sea::loop::Loop loop;
    sea::Result<sea::Uri> uri = sea::parse_uri("file://" + root);
    FUZZ_CHECK(uri.ok(), "uri");
    sea::Result<std::unique_ptr<sea::Streamer>> streamer = sea::connect(loop, *uri, {});
    FUZZ_CHECK(streamer.ok(), "connect: " + streamer.error().message);
    sea::Result<sea::StreamKey> key = sea::StreamKey::parse("s");
    sea::Result<std::unique_ptr<sea::Producer>> producer = (*streamer)->create_producer(*key, {});
    FUZZ_CHECK(producer.ok(), "create_producer: " + producer.error().message);
    sea::MessageView message;
    message.stream = "s";
    message.payload = "appended after recovery";
    sea::Result<sea::Receipt> receipt = sea::send_sync(loop, **producer, message);
    FUZZ_CHECK(receipt.ok(), "append after recovery failed: " + receipt.error().message);
    FUZZ_CHECK(receipt->seq == base + seen.size(), "appended at seq " + std::to_string(receipt->seq) + ", want " +
                                                      std::to_string(base + seen.size()));
  }
  std::vector<Seen> after;
  sea::Result<void> reread = sea::file::read_stream(root, "s", [&](const sea::MessageView& m) {
    after.push_back({m.seq, std::string(m.payload)});
    return true;
  });
  FUZZ_CHECK(reread.ok(), "read_stream: " + reread.error().message);
  FUZZ_CHECK(after.size() == seen.size() + 1, "after recovery " + std::to_string(after.size()) + " messages, want " +
                                                  std::to_string(seen.size() + 1));
  for (std::size_t i = 0; i < seen.size(); ++i) {
    FUZZ_CHECK(after[i].seq == seen[i].seq && after[i].payload == seen[i].payload, "a complete message changed");
  }
  FUZZ_CHECK(after.back().payload == "appended after recovery", "appended message missing");

  std::error_code ignored;
  std::filesystem::remove_all(root, ignored);
  return 0;
}
