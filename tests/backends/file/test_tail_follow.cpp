// Following the tail live: a consumer started before the messages (and before the stream even
// exists) receives every message in order as a producer appends, across segment rolls, woken
// by file-system events rather than by its 1 s safety timer.
#include <chrono>

#include "file_test_util.hpp"

namespace sea::file::test {

namespace {

// Produces `batches` batches of `per_batch` messages, one batch every `gap_ms`, on the loop.
struct PacedProducer {
  PacedProducer(loop::Loop& loop, Producer& producer, std::size_t batches, std::size_t per_batch, std::uint64_t gap_ms)
      : timer(loop) {
    timer.start(gap_ms, gap_ms, [this, &producer, batches, per_batch] {
      for (std::size_t i = 0; i < per_batch; ++i) {
        const std::string payload = "m" + std::to_string(sent++);
        MessageView view;
        view.payload = payload;
        REQUIRE(producer.send(view).ok());
      }
      if (sent == batches * per_batch) timer.stop();
    });
  }
  loop::Timer timer;
  std::size_t sent = 0;
};

void follow(const std::string& stream_dir, bool create_stream_first) {
  loop::Loop loop;
  std::unique_ptr<Streamer> streamer = connect_dir(loop, stream_dir, {{"file.segment.bytes", "4k"}});
  if (create_stream_first) REQUIRE(streamer->admin().create(key("live"), CreateOptions{}).ok());
  const StreamKey streams[] = {key("live")};
  Result<std::unique_ptr<Consumer>> consumer = streamer->create_consumer(streams, ConsumerOptions{});
  REQUIRE(consumer.ok());
  std::vector<Message> got;
  (*consumer)->set_on_readable([&] {
    (*consumer)->poll(1000, [&](const MessageView& view) { got.push_back(Message::from_view(view)); });
  });
  // Let the consumer settle at the (empty or missing) end first.
  run_until(loop, [] { return false; }, 50);
  CHECK(got.empty());

  Result<std::unique_ptr<Producer>> producer = streamer->create_producer(key("live"), ProducerOptions{});
  REQUIRE(producer.ok());
  const auto started = std::chrono::steady_clock::now();
  PacedProducer paced(loop, **producer, 10, 50, 20);
  CHECK(run_until(loop, [&] { return got.size() == 500; }, 5000));
  const auto elapsed = std::chrono::steady_clock::now() - started;
  // 10 batches 20 ms apart: well under the 1 s safety tick, so events did the waking.
  CHECK(elapsed < std::chrono::milliseconds(900));
  REQUIRE(got.size() == 500);
  for (std::size_t i = 0; i < got.size(); ++i) {
    CHECK(got[i].seq == i);
    CHECK(got[i].payload == "m" + std::to_string(i));
  }
  CHECK((*consumer)->at_end());
}

}  // namespace

TEST_CASE("file log: a consumer follows the tail while a producer appends") {
  TempDir dir;
  follow(dir.streams(), true);
}

TEST_CASE("file log: a consumer started before its stream exists picks it up when it appears") {
  TempDir dir;
  follow(dir.streams(), false);
}

}  // namespace sea::file::test
