// Micro-benchmark of the hot decode path (built, not run as a test): 1M ndjson lines of 256
// bytes fed in 64 KiB chunks through the ndjson decoder, single thread, printing lines/s and
// MB/s (best of five runs). Also times values two to a line (the split path), the csv decoder and
// the envelope encoder for reference.
#include <chrono>
#include <cstdio>
#include <string>

#include <fmt/format.h>

#include "codecs/codec.hpp"

namespace {

struct CountingSink final : sea::codecs::FrameSink {
  std::size_t frames = 0;
  std::size_t bytes = 0;
  std::size_t errors = 0;
  void on_frame(const sea::codecs::Frame& frame) override {
    ++frames;
    bytes += frame.payload.size();
  }
  void on_error(const sea::codecs::DecodeError&) override { ++errors; }
};

std::string make_ndjson(std::size_t lines) {
  std::string out;
  out.reserve(lines * 256);
  for (std::size_t i = 0; i < lines; ++i) {
    std::string line = fmt::format("{{\"id\":{},\"user\":\"user-{}\",\"ok\":true,\"score\":{}.5,\"text\":\"", i,
                                   i % 1000, i % 97);
    line.append(256 - 1 - line.size() - 2, 'x');
    line += "\"}\n";
    out += line;
  }
  return out;
}

double best_seconds(const std::string& format, const sea::codecs::DecoderOptions& options, const std::string& input,
                    CountingSink& result) {
  double best = 1e9;
  for (int run = 0; run < 5; ++run) {
    std::unique_ptr<sea::codecs::Decoder> decoder = std::move(sea::codecs::make_decoder(format, options)).value();
    CountingSink sink;
    auto start = std::chrono::steady_clock::now();
    for (std::size_t at = 0; at < input.size(); at += 65536) {
      decoder->feed(std::string_view(input).substr(at, 65536), sink);
    }
    decoder->finish(sink);
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    best = std::min(best, took.count());
    result = sink;
  }
  return best;
}

}  // namespace

int main() {
  const std::size_t kLines = 1'000'000;
  std::string ndjson = make_ndjson(kLines);

  CountingSink sink;
  double s = best_seconds("ndjson", {}, ndjson, sink);
  std::printf("ndjson decode: %zu lines (%zu errors), %.0f lines/s, %.0f MB/s\n", sink.frames, sink.errors,
              double(sink.frames) / s, double(ndjson.size()) / s / 1e6);

  sea::codecs::DecoderOptions keyed;
  keyed.key_field = "user";
  s = best_seconds("ndjson", keyed, ndjson, sink);
  std::printf("ndjson decode with key_field: %.0f lines/s\n", double(sink.frames) / s);

  // The same values two to a line, back to back ({..}{..}): the whole-line parse fails, then the
  // line is cut and each value parsed (the path of two FIFO writers merged into one line).
  std::string pairs = ndjson;
  for (std::size_t at = 255; at < pairs.size(); at += 512) pairs[at] = ' ';
  s = best_seconds("ndjson", {}, pairs, sink);
  std::printf("ndjson decode, two values per line: %zu values (%zu errors), %.0f values/s, %.0f MB/s\n", sink.frames,
              sink.errors, double(sink.frames) / s, double(pairs.size()) / s / 1e6);

  s = best_seconds("lines", {}, ndjson, sink);
  std::printf("lines decode: %.0f lines/s, %.0f MB/s\n", double(sink.frames) / s, double(ndjson.size()) / s / 1e6);

  std::string csv = "id,user,score,text\n";
  for (std::size_t i = 0; i < kLines; ++i) {
    csv += fmt::format("{},\"user, {}\",{}.5,{}\n", i, i % 1000, i % 97, std::string(200, 'x'));
  }
  s = best_seconds("csv", {}, csv, sink);
  std::printf("csv decode: %.0f records/s, %.0f MB/s\n", double(sink.frames) / s, double(csv.size()) / s / 1e6);

  sea::codecs::EncoderOptions envelope;
  envelope.envelope = true;
  std::unique_ptr<sea::codecs::Encoder> encoder = std::move(sea::codecs::make_encoder("raw", envelope)).value();
  std::string out;
  auto start = std::chrono::steady_clock::now();
  std::size_t at = 0;
  for (std::size_t i = 0; i < kLines; ++i) {
    sea::MessageView view;
    view.stream = "bench";
    view.seq = i;
    view.payload = std::string_view(ndjson).substr(at, 255);
    at += 256;
    out.clear();
    encoder->encode(view, out);
  }
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  std::printf("envelope encode: %.0f msgs/s\n", double(kLines) / took.count());
  return 0;
}
