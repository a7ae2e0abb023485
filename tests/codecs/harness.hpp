// Test harness of the decoder tables: a case is (format, options, the input of one or more
// writers, the expected events), and an event is "F <payload>" or "F [<key>] <payload>" for a
// frame, "E <describe()>" for an error. Expected errors match when the actual one starts with
// them (simdjson's own wording after "invalid JSON" is not ours to pin down).
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "codecs/codec.hpp"

namespace sea::codecs::test {

struct Recorder final : FrameSink {
  std::vector<std::string> events;
  void on_frame(const Frame& frame) override {
    std::string event = "F ";
    if (frame.has_key) event += "[" + std::string(frame.key) + "] ";
    event += frame.payload;
    events.push_back(std::move(event));
  }
  void on_error(const DecodeError& error) override { events.push_back("E " + error.describe()); }
};

struct DecodeCase {
  std::string name;
  std::string format;
  DecoderOptions options;
  std::vector<std::string> writers;  // each writer's bytes; finish() after each
  std::vector<std::string> expected;
};

std::vector<DecodeCase> ndjson_cases();
std::vector<DecodeCase> lines_cases();
std::vector<DecodeCase> csv_cases();
std::vector<DecodeCase> tsv_cases();
std::vector<DecodeCase> msgpack_cases();
std::vector<DecodeCase> binary_cases();
std::vector<DecodeCase> envelope_cases();

inline DecoderOptions with_max(std::size_t max) {
  DecoderOptions options;
  options.max_message_bytes = max;
  return options;
}

// Feeds every writer, cut into pieces at random points when rng is given (including empty
// pieces), and returns the events.
inline std::vector<std::string> run_case(const DecodeCase& c, std::mt19937* rng = nullptr) {
  Result<std::unique_ptr<Decoder>> decoder = make_decoder(c.format, c.options);
  REQUIRE_MESSAGE(decoder.ok(), c.name);
  Recorder recorder;
  for (const std::string& input : c.writers) {
    std::size_t at = 0;
    while (at < input.size()) {
      std::size_t n = input.size() - at;
      if (rng != nullptr) n = std::uniform_int_distribution<std::size_t>(0, std::min<std::size_t>(n, 9))(*rng);
      // Copy each piece into its own buffer so that reading past it is caught by ASan.
      std::string piece = input.substr(at, n);
      (*decoder)->feed(piece, recorder);
      at += n;
    }
    (*decoder)->finish(recorder);
  }
  return recorder.events;
}

inline bool event_matches(const std::string& expected, const std::string& actual) {
  if (expected.rfind("E ", 0) == 0) return actual.rfind(expected, 0) == 0;
  return expected == actual;
}

inline void check_cases(const std::vector<DecodeCase>& cases) {
  for (const DecodeCase& c : cases) {
    CAPTURE(c.name);
    std::vector<std::string> actual = run_case(c);
    std::string shown;
    for (const std::string& e : actual) shown += "\n  " + e;
    CAPTURE(shown);
    REQUIRE(actual.size() == c.expected.size());
    for (std::size_t i = 0; i < actual.size(); ++i) {
      CAPTURE(i);
      CHECK_MESSAGE(event_matches(c.expected[i], actual[i]), "expected: ", c.expected[i]);
    }
  }
}

}  // namespace sea::codecs::test
