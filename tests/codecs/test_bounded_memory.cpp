// Bounded memory: an over-long frame is skipped as it streams by, never held. This file
// replaces the global operator new of the test executable to record the largest single
// allocation; feeding a 100 MB line (or a 4 GB binary/msgpack length) in 1 MB chunks must not
// allocate more than a small multiple of max_message_bytes (1 MiB here) at once.
#include <atomic>
#include <cstdlib>
#include <new>

#include "harness.hpp"

namespace {
std::atomic<std::size_t> g_largest{0};

void* counted_malloc(std::size_t size) noexcept {
  std::size_t seen = g_largest.load(std::memory_order_relaxed);
  while (size > seen && !g_largest.compare_exchange_weak(seen, size)) {
  }
  return std::malloc(size == 0 ? 1 : size);
}
}  // namespace

// Every plain form of new and delete is replaced, so that memory from any of them (simdjson
// uses the nothrow form) is released by the matching one (AddressSanitizer checks this).
// The replacement delete frees what the replacement new took from malloc; GCC cannot tell a
// replacement from the library's operator delete when it inlines one into the other's caller
// (the unity build of CI does) and calls it a mismatch.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t size) {
  if (void* p = counted_malloc(size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
  if (void* p = counted_malloc(size)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return counted_malloc(size); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return counted_malloc(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace sea::codecs::test {

namespace {

struct Counter final : FrameSink {
  std::size_t frames = 0;
  std::size_t errors = 0;
  std::string last;
  void on_frame(const Frame& frame) override {
    ++frames;
    last = frame.payload;
  }
  void on_error(const DecodeError&) override { ++errors; }
};

// Feeds `head`, then `filler_bytes` copies of `filler` in 1 MB chunks, then `tail`, and
// returns the largest allocation made meanwhile.
std::size_t largest_allocation(std::string_view format, const DecoderOptions& options, std::string_view head,
                               char filler, std::uint64_t filler_bytes, std::string_view tail, Counter& counter) {
  Result<std::unique_ptr<Decoder>> decoder = make_decoder(format, options);
  REQUIRE(decoder.ok());
  const std::string chunk(1 << 20, filler);
  g_largest = 0;
  (*decoder)->feed(head, counter);
  for (std::uint64_t fed = 0; fed < filler_bytes; fed += chunk.size()) {
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), filler_bytes - fed));
    (*decoder)->feed(std::string_view(chunk).substr(0, n), counter);
  }
  (*decoder)->feed(tail, counter);
  (*decoder)->finish(counter);
  return g_largest.load();
}

constexpr std::size_t kLimit = 1 << 20;
constexpr std::size_t kBound = 4 * kLimit;  // what a decoder may allocate at once

}  // namespace

TEST_CASE("a 100 MB line is skipped without being held") {
  for (const char* format : {"lines", "ndjson", "tsv"}) {
    CAPTURE(format);
    Counter counter;
    std::size_t largest = largest_allocation(format, {}, "\"a\"\n\"", 'x', 100u << 20, "\"\n\"b\"\n", counter);
    CHECK(largest < kBound);
    CHECK(counter.errors == 1);
    CHECK(counter.frames == (std::string_view(format) == "tsv" ? 1u : 2u));  // tsv: the first line is the header
  }
}

TEST_CASE("a 100 MB quoted csv field is skipped without being held") {
  Counter counter;
  std::size_t largest = largest_allocation("csv", {}, "h\n\"", 'x', 100u << 20, "\"\nok\n", counter);
  CHECK(largest < kBound);
  CHECK(counter.errors == 1);
  CHECK(counter.frames == 1);
  CHECK(counter.last == "{\"h\":\"ok\"}");
}

TEST_CASE("a 4 GB binary frame is skipped without being held") {
  Counter counter;
  std::size_t largest = largest_allocation("binary", {}, std::string("\xff\xff\xff\xff", 4), 'x', 0xffffffffu,
                                           std::string("\0\0\0\2ok", 6), counter);
  CHECK(largest < kBound);
  CHECK(counter.errors == 1);
  CHECK(counter.frames == 1);
  CHECK(counter.last == "ok");
}

TEST_CASE("a 4 GB msgpack str is skipped without being held") {
  Counter counter;
  std::size_t largest = largest_allocation("msgpack", {}, std::string("\xdb\xff\xff\xff\xff", 5), 'x', 0xffffffffu,
                                           std::string("\x07", 1), counter);
  CHECK(largest < kBound);
  CHECK(counter.errors == 1);
  CHECK(counter.frames == 1);
  CHECK(counter.last == "\x07");
}

}  // namespace sea::codecs::test
