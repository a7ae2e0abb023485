// Recovery from a torn tail: a segment cut mid-frame, followed by garbage, or whose last frame
// fails its CRC keeps every complete message; the next writer cuts the bad tail (and index
// entries pointing past it) and continues the seqs densely; read-only inspection reports the
// torn tail without touching the file; a reader waits at a torn tail instead of reporting it.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backends/file/file_log.hpp"
#include "backends/file/inspect.hpp"
#include "file_test_util.hpp"

namespace sea::file::test {

namespace {

std::uint64_t size_of(const std::string& path) {
  struct stat st {};
  REQUIRE(stat(path.c_str(), &st) == 0);
  return static_cast<std::uint64_t>(st.st_size);
}

void append_bytes(const std::string& path, const std::string& bytes) {
  const int fd = open(path.c_str(), O_WRONLY | O_APPEND);
  REQUIRE(fd >= 0);
  REQUIRE(write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
  close(fd);
}

void flip_byte(const std::string& path, std::uint64_t offset) {
  const int fd = open(path.c_str(), O_RDWR);
  REQUIRE(fd >= 0);
  char c = 0;
  REQUIRE(pread(fd, &c, 1, static_cast<off_t>(offset)) == 1);
  c = static_cast<char>(c ^ 0x5a);
  REQUIRE(pwrite(fd, &c, 1, static_cast<off_t>(offset)) == 1);
  close(fd);
}

std::vector<Message> read_all(loop::Loop& loop, Streamer& streamer) {
  ConsumerOptions options;
  options.start.kind = StartPosition::Kind::earliest;
  const StreamKey streams[] = {key("torn")};
  Result<std::unique_ptr<Consumer>> consumer = streamer.create_consumer(streams, options);
  REQUIRE(consumer.ok());
  return drain(loop, **consumer, 2000);
}

}  // namespace

TEST_CASE("file log: a torn tail is detected by checksum and cut, keeping every complete message") {
  enum class Damage { cut_mid_frame, garbage_tail, bad_crc, huge_length };
  for (const Damage damage : {Damage::cut_mid_frame, Damage::garbage_tail, Damage::bad_crc, Damage::huge_length}) {
    CAPTURE(static_cast<int>(damage));
    TempDir dir;
    loop::Loop loop;
    std::unique_ptr<Streamer> streamer = connect_dir(loop, dir.streams());
    const std::vector<std::string> first = numbered("message-", 1000);
    {
      Result<std::unique_ptr<Producer>> producer = streamer->create_producer(key("torn"), ProducerOptions{});
      REQUIRE(producer.ok());
      produce(loop, **producer, first);
    }
    const std::string log = dir.streams() + "/torn/0/" + segment_file_name(0, "log");
    const std::string idx = dir.streams() + "/torn/0/" + segment_file_name(0, "idx");
    const std::uint64_t clean_size = size_of(log);
    std::size_t kept = 1000;
    switch (damage) {
      case Damage::cut_mid_frame:
        REQUIRE(truncate(log.c_str(), static_cast<off_t>(clean_size - 7)) == 0);
        kept = 999;
        break;
      case Damage::garbage_tail:
        {
          static const char kGarbage[] = "\x13\x00\x00\x00garbage that is not a frame at all";
          append_bytes(log, std::string(kGarbage, sizeof kGarbage - 1));
        }
        // A torn index too: half an entry.
        append_bytes(idx, std::string(10, '\x7f'));
        break;
      case Damage::bad_crc:
        flip_byte(log, clean_size - 2);  // inside the last payload
        kept = 999;
        break;
      case Damage::huge_length:
        append_bytes(log, std::string("\xff\xff\xff\x0f", 4) + std::string(30, 'z'));
        break;
    }
    const std::uint64_t damaged_size = size_of(log);

    // Inspection reports it and changes nothing.
    Result<SegmentSummary> summary = summarize_segment(log, 0);
    REQUIRE(summary.ok());
    CHECK(summary->torn);
    CHECK(summary->messages == kept);
    CHECK(!summary->tail_reason.empty());
    CHECK(size_of(log) == damaged_size);

    // A reader delivers the complete messages and waits at the tail.
    std::vector<Message> before = read_all(loop, *streamer);
    REQUIRE(before.size() == kept);
    CHECK(before.back().payload == first[kept - 1]);
    CHECK(size_of(log) == damaged_size);

    // The next writer cuts the tail and continues right after the last complete message.
    Result<std::unique_ptr<Producer>> producer = streamer->create_producer(key("torn"), ProducerOptions{});
    REQUIRE(producer.ok());
    const std::vector<std::string> more = numbered("after-", 10);
    std::vector<Receipt> receipts = produce(loop, **producer, more);
    CHECK(receipts.front().seq == kept);
    CHECK(size_of(idx) % kIndexEntrySize == 0);

    std::vector<Message> after = read_all(loop, *streamer);
    REQUIRE(after.size() == kept + 10);
    for (std::size_t i = 0; i < after.size(); ++i) {
      CHECK(after[i].seq == i);
      CHECK(after[i].payload == (i < kept ? first[i] : more[i - kept]));
    }
    Result<SegmentSummary> repaired = summarize_segment(log, 0);
    REQUIRE(repaired.ok());
    CHECK(!repaired->torn);
  }
}

}  // namespace sea::file::test
