// libFuzzer target for one decoder (the format is fixed at build time by SEA_FUZZ_FORMAT, so
// each format gets its own corpus). The first bytes choose the decoder options, a seed for the
// chunking and where writers end (finish()); the rest is the input. Invariants checked:
//   - chunking invariance: feeding each writer's bytes in fuzzer-chosen pieces (each in its own
//     allocation, so ASan sees reads past a piece) gives exactly the frames and errors of
//     feeding it whole;
//   - no frame payload and no error's raw bytes exceed max_message_bytes;
//   - error positions are monotonic (offset and line never go back) and inside the input;
//   - validated formats hand out what they promise: ndjson frames are JSON (nlohmann agrees),
//     csv/tsv records are JSON, msgpack frames are exactly one MessagePack object (or the JSON
//     text 48-57 of the integers whose one byte is a digit);
//   - envelopes (SEA_FUZZ_ENVELOPE, format ndjson): a decoded frame, encoded as -J does and read
//     back, encodes to the same line again (encode∘decode is the identity on -J's output).
#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <msgpack.hpp>
#include <nlohmann/json.hpp>

#include "codecs/codec.hpp"
#include "codecs/envelope.hpp"
#include "fuzz_util.hpp"

#ifndef SEA_FUZZ_FORMAT
#error "SEA_FUZZ_FORMAT must name the decoder under test"
#endif

namespace {

using sea::codecs::DecodeError;
using sea::codecs::DecoderOptions;
using sea::codecs::Frame;

constexpr std::string_view kFormat = SEA_FUZZ_FORMAT;
#ifdef SEA_FUZZ_ENVELOPE
constexpr bool kEnvelope = true;
#else
constexpr bool kEnvelope = false;
#endif

// The -J line of a decoded envelope frame.
std::string envelope_line(const Frame& frame) {
  static std::unique_ptr<sea::codecs::Encoder> encoder = [] {
    sea::codecs::EncoderOptions options;
    options.envelope = true;
    return std::move(sea::codecs::make_encoder("raw", options).value());
  }();
  sea::MessageView view;
  view.stream = frame.stream;
  view.shard = frame.shard == sea::kAnyShard ? 0 : frame.shard;  // -J always names a shard
  view.ts = frame.ts;
  view.has_key = frame.has_key;
  view.key = frame.key;
  view.headers = frame.headers;
  view.payload = frame.payload;
  std::string line;
  encoder->encode(view, line);
  line.pop_back();
  return line;
}

void check_envelope_fixed_point(const Frame& frame) {
  const std::string once = envelope_line(frame);
  sea::codecs::EnvelopeReader reader;
  Frame again;
  sea::Result<void> read = reader.read(once, 0, again);
  FUZZ_CHECK(read.ok(), "-J output does not read back: " + (read.ok() ? "" : read.error().message) + ": " +
                            sea::fuzz::shown(once));
  const std::string twice = envelope_line(again);
  FUZZ_CHECK(once == twice, "-J output reads back differently:\n  " + sea::fuzz::shown(once) + "\n  " +
                                sea::fuzz::shown(twice));
}

bool is_one_msgpack_object(std::string_view bytes) {
  try {
    std::size_t off = 0;
    msgpack::object_handle handle = msgpack::unpack(bytes.data(), bytes.size(), off);
    return off == bytes.size();
  } catch (const std::exception&) {
    return false;
  }
}

// Records events as text (for the invariance comparison) and checks each one as it arrives.
class CheckingSink final : public sea::codecs::FrameSink {
 public:
  CheckingSink(const DecoderOptions& options, std::uint64_t total) : options_(options), total_(total) {}

  std::vector<std::string> events;

  void on_frame(const Frame& frame) override {
    FUZZ_CHECK(frame.payload.size() <= options_.max_message_bytes,
               "frame of " + std::to_string(frame.payload.size()) + " bytes: " + sea::fuzz::shown(frame.payload));
    if (kEnvelope) check_envelope_fixed_point(frame);
    bool json_out = (kFormat == "ndjson" && !kEnvelope) || kFormat == "csv" || kFormat == "tsv" ||
                    (kFormat == "msgpack" && options_.msgpack_to_json);
    if (json_out) {
      // nlohmann's lexer ends the input at a NUL byte, so rule raw NULs out first.
      FUZZ_CHECK(frame.payload.find('\0') == std::string_view::npos &&
                     nlohmann::json::accept(frame.payload),
                 "frame is not JSON: " + sea::fuzz::shown(frame.payload));
      FUZZ_CHECK(sea::codecs::is_valid_utf8(frame.payload), "frame is not UTF-8: " + sea::fuzz::shown(frame.payload));
    }
    if (kFormat == "msgpack" && !options_.msgpack_to_json) {
      // The integers 48-57 (one byte, an ASCII digit) are stored as their JSON text instead.
      bool digit_as_json = frame.payload.size() == 2 && frame.payload >= "48" && frame.payload <= "57";
      FUZZ_CHECK(digit_as_json || is_one_msgpack_object(frame.payload),
                 "frame is not one msgpack object: " + sea::fuzz::shown(frame.payload));
    }
    std::string event = "F ";
    if (frame.has_key) event += "[" + std::string(frame.key) + "] ";
    event += frame.payload;
    events.push_back(std::move(event));
  }

  void on_error(const DecodeError& error) override {
    // A cut-short binary length prefix is reported with its (up to 3) bytes whatever the limit.
    FUZZ_CHECK(error.raw.size() <= std::max<std::size_t>(options_.max_message_bytes, 4),
               "error raw of " + std::to_string(error.raw.size()) + " bytes");
    FUZZ_CHECK(error.offset >= last_offset_, "error offset went back: " + error.describe());
    FUZZ_CHECK(error.line >= last_line_, "error line went back: " + error.describe());
    FUZZ_CHECK(error.offset <= total_, "error offset past the input: " + error.describe());
    FUZZ_CHECK(!error.reason.empty(), "error without a reason");
    last_offset_ = error.offset;
    last_line_ = error.line;
    events.push_back("E " + error.describe());
  }

 private:
  const DecoderOptions& options_;
  std::uint64_t total_;
  std::uint64_t last_offset_ = 0;
  std::uint64_t last_line_ = 0;
};

DecoderOptions choose_options(sea::fuzz::InputReader& in) {
  std::uint8_t flags = in.byte();
  std::uint8_t size = in.byte();
  DecoderOptions options;
  options.header = (flags & 1) != 0;
  options.tsv_escapes = (flags & 2) != 0;
  options.msgpack_to_json = (flags & 4) != 0;
  if (flags & 8) options.key_field = "id";
  options.envelope = kEnvelope;
  static const char kDelimiters[] = {',', ';', '\t', '|'};
  options.delimiter = kDelimiters[(flags >> 4) & 3];
  options.quote = (flags & 64) ? '\'' : '"';
  // Mostly small limits, so that the over-the-limit paths are reached by short inputs.
  options.max_message_bytes = (flags & 128) ? std::size_t(size) + 1 : (std::size_t(size) + 1) * 64;
  return options;
}

// Feeds `writers` (finish() after each) and returns the events; pieces come from `rng` when
// given, else each writer is fed whole.
std::vector<std::string> run(const DecoderOptions& options, const std::vector<std::string_view>& writers,
                             std::uint64_t total, std::mt19937* rng) {
  sea::Result<std::unique_ptr<sea::codecs::Decoder>> decoder = sea::codecs::make_decoder(kFormat, options);
  FUZZ_CHECK(decoder.ok(), "make_decoder failed");
  CheckingSink sink(options, total);
  for (std::string_view input : writers) {
    std::size_t at = 0;
    while (at < input.size()) {
      std::size_t n = input.size() - at;
      if (rng != nullptr) {
        // Pieces of 0..16 bytes, sometimes much longer.
        std::size_t cap = ((*rng)() % 8 == 0) ? 4096 : 16;
        n = std::min<std::size_t>(n, (*rng)() % (cap + 1));
      }
      std::string piece(input.substr(at, n));
      (*decoder)->feed(piece, sink);
      at += n;
    }
    (*decoder)->finish(sink);
  }
  return std::move(sink.events);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  sea::fuzz::InputReader in(data, size);
  DecoderOptions options = choose_options(in);
  std::uint32_t seed = in.u32();
  std::string_view input = in.rest();

  // Writer boundaries: the seed's low byte says how many extra writers (0..3) there are.
  std::mt19937 cut_rng(seed);
  std::vector<std::size_t> cuts;
  for (std::uint32_t i = 0; i < (seed & 3) && !input.empty(); ++i) cuts.push_back(cut_rng() % (input.size() + 1));
  std::sort(cuts.begin(), cuts.end());
  std::vector<std::string_view> writers;
  std::size_t from = 0;
  for (std::size_t cut : cuts) {
    writers.push_back(input.substr(from, cut - from));
    from = cut;
  }
  writers.push_back(input.substr(from));

  std::vector<std::string> whole = run(options, writers, input.size(), nullptr);
  std::mt19937 chunk_rng(seed ^ 0x9e3779b9u);
  std::vector<std::string> pieces = run(options, writers, input.size(), &chunk_rng);
  if (whole != pieces) {
    std::string diff = "whole " + std::to_string(whole.size()) + " events, chunked " + std::to_string(pieces.size());
    for (std::size_t i = 0; i < std::max(whole.size(), pieces.size()); ++i) {
      std::string a = i < whole.size() ? whole[i] : "(none)";
      std::string b = i < pieces.size() ? pieces[i] : "(none)";
      if (a != b) {
        diff += "\n  first difference at event " + std::to_string(i) + ":\n  whole:   " + sea::fuzz::shown(a) +
                "\n  chunked: " + sea::fuzz::shown(b);
        break;
      }
    }
    FUZZ_CHECK(whole == pieces, diff);
  }
  return 0;
}
