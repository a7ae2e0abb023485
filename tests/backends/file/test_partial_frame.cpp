// A frame at the tail that is not complete yet (another process mid-write) is "not yet
// written": a reader neither delivers nor skips it, reports at_end, and delivers it once the
// rest of its bytes arrive. Also: one consumer merges several streams, keeping order per shard.
#include <fcntl.h>
#include <unistd.h>

#include "backends/file/file_log.hpp"
#include "file_test_util.hpp"

namespace sea::file::test {

TEST_CASE("file log: a reader waits at an incomplete tail frame until it is complete") {
  TempDir dir;
  loop::Loop loop;
  std::unique_ptr<Streamer> streamer = connect_dir(loop, dir.streams());
  Result<std::unique_ptr<Producer>> producer = streamer->create_producer(key("slow"), ProducerOptions{});
  REQUIRE(producer.ok());
  produce(loop, **producer, numbered("p", 3));

  ConsumerOptions options;
  options.start.kind = StartPosition::Kind::earliest;
  const StreamKey streams[] = {key("slow")};
  Result<std::unique_ptr<Consumer>> consumer = streamer->create_consumer(streams, options);
  REQUIRE(consumer.ok());
  CHECK(drain(loop, **consumer, 500).size() == 3);

  // Write the next frame in two halves, as a slow writer would.
  MessageView view;
  view.payload = "the fourth message";
  view.ts = 42;
  std::string frame;
  append_frame(frame, 3, 42, view);
  const std::string log = dir.streams() + "/slow/0/" + segment_file_name(0, "log");
  const int fd = open(log.c_str(), O_WRONLY | O_APPEND);
  REQUIRE(fd >= 0);
  const std::size_t half = frame.size() / 2;
  REQUIRE(write(fd, frame.data(), half) == static_cast<ssize_t>(half));
  run_until(loop, [] { return false; }, 50);
  CHECK(!next(loop, **consumer, true, 300).has_value());
  CHECK((*consumer)->at_end());

  REQUIRE(write(fd, frame.data() + half, frame.size() - half) == static_cast<ssize_t>(frame.size() - half));
  close(fd);
  std::optional<Message> got = next(loop, **consumer, false, 3000);
  REQUIRE(got.has_value());
  CHECK(got->seq == 3);
  CHECK(got->ts == 42);
  CHECK(got->payload == "the fourth message");

  // The writer's next append continues after the completed frame.
  std::vector<Receipt> receipts = produce(loop, **producer, {"fifth"});
  CHECK(receipts[0].seq == 4);
}

TEST_CASE("file log: one consumer merges several streams") {
  TempDir dir;
  loop::Loop loop;
  std::unique_ptr<Streamer> streamer = connect_dir(loop, dir.streams());
  for (const std::string name : {"left", "right"}) {
    Result<std::unique_ptr<Producer>> producer = streamer->create_producer(key(name), ProducerOptions{});
    REQUIRE(producer.ok());
    produce(loop, **producer, numbered(name, 200));
  }
  ConsumerOptions options;
  options.start.kind = StartPosition::Kind::earliest;
  const StreamKey streams[] = {key("left"), key("right")};
  Result<std::unique_ptr<Consumer>> consumer = streamer->create_consumer(streams, options);
  REQUIRE(consumer.ok());
  std::vector<Message> got = drain(loop, **consumer, 1000);
  REQUIRE(got.size() == 400);
  std::size_t left = 0;
  std::size_t right = 0;
  for (const Message& m : got) {
    std::size_t& n = m.stream == "left" ? left : right;
    CHECK(m.seq == n);
    CHECK(m.payload == m.stream + std::to_string(n));
    ++n;
  }
  CHECK(left == 200);
  CHECK(right == 200);
  // Merged, not one stream after the other.
  std::size_t left_in_first_ten = 0;
  for (std::size_t i = 0; i < 10; ++i) left_in_first_ten += got[i].stream == "left" ? 1 : 0;
  CHECK(left_in_first_ten > 0);
  CHECK(left_in_first_ten < 10);
}

}  // namespace sea::file::test
