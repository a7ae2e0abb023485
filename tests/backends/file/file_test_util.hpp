// Helpers shared by the file-backend tests: a temporary directory removed at the end, a
// connected streamer on a loop, and blocking produce / consume-everything helpers built on
// backends/sync.hpp.
#pragma once

#include <doctest/doctest.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "backends/registry.hpp"
#include "backends/sync.hpp"
#include "core/streamer.hpp"
#include "loop/loop.hpp"

namespace sea::file::test {

// A directory under $TMPDIR made with mkdtemp, removed recursively by the destructor.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr ? base : "/tmp") + "/sea-file-test-XXXXXX";
    path_ = mkdtemp(pattern.data()) != nullptr ? pattern : "";
    REQUIRE(!path_.empty());
  }
  ~TempDir() {
    const std::string command = "rm -rf '" + path_ + "'";
    (void)std::system(command.c_str());
  }
  const std::string& path() const { return path_; }
  std::string streams() const { return path_ + "/streams"; }

 private:
  std::string path_;
};

inline std::unique_ptr<Streamer> connect_dir(loop::Loop& loop, const std::string& dir, Properties properties = {}) {
  Result<Uri> uri = parse_uri("file://" + dir);
  REQUIRE(uri.ok());
  ConnectOptions options;
  options.properties = std::move(properties);
  Result<std::unique_ptr<Streamer>> streamer = connect(loop, *uri, options);
  REQUIRE_MESSAGE(streamer.ok(), (streamer.ok() ? "" : streamer.error().message));
  return std::move(*streamer);
}

inline StreamKey key(const std::string& name) {
  Result<StreamKey> parsed = StreamKey::parse(name);
  REQUIRE(parsed.ok());
  return *parsed;
}

// Sends `payloads` (with timestamps `ts` when given) and waits until all are stored.
inline std::vector<Receipt> produce(loop::Loop& loop, Producer& producer, const std::vector<std::string>& payloads,
                                    const std::vector<Timestamp>& ts = {}) {
  std::vector<Receipt> receipts(payloads.size());
  std::size_t failures = 0;
  const Producer::Ticket first = producer.sent() + 1;
  producer.set_on_delivery([&](Producer::Ticket ticket, const Result<Receipt>& outcome) {
    if (outcome.ok()) {
      receipts[ticket - first] = *outcome;
    } else {
      ++failures;
    }
  });
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    MessageView view;
    view.payload = payloads[i];
    view.ts = ts.empty() ? 0 : ts[i];
    REQUIRE(producer.send(view).ok());
  }
  REQUIRE(flush_sync(loop, producer).ok());
  producer.set_on_delivery({});
  CHECK(failures == 0);
  return receipts;
}

// Everything the consumer has until its end.
inline std::vector<Message> drain(loop::Loop& loop, Consumer& consumer, std::uint64_t timeout_ms = 5000) {
  std::vector<Message> messages;
  while (std::optional<Message> message = next(loop, consumer, true, timeout_ms)) messages.push_back(std::move(*message));
  return messages;
}

// Runs the loop until `done` holds or `timeout_ms` passes; returns done().
template <class Pred>
bool run_until(loop::Loop& loop, Pred done, std::uint64_t timeout_ms) {
  bool timed_out = false;
  loop::Timer timer(loop);
  timer.start(timeout_ms, 0, [&] { timed_out = true; });
  while (!done() && !timed_out) loop.run_once(true);
  return done();
}

inline std::vector<std::string> numbered(const std::string& prefix, std::size_t count, std::size_t first = 0) {
  std::vector<std::string> payloads;
  for (std::size_t i = first; i < first + count; ++i) payloads.push_back(prefix + std::to_string(i));
  return payloads;
}

}  // namespace sea::file::test
