// The `binary` decoder: each frame is a 4-byte big-endian length, then that many bytes. A length
// above max_message_bytes is reported as soon as its prefix is read, and the declared bytes are
// then passed over as they stream by without being kept, so a 4 GB prefix allocates nothing.
// A frame (or a prefix) cut short by the end of a writer's input is an error.
#include <fmt/format.h>

#include "codecs/internal.hpp"

namespace sea::codecs::detail {
namespace {

// Lifecycle: made by make_decoder, driven by one thread through feed()/finish().
class BinaryDecoder final : public Decoder {
 public:
  explicit BinaryDecoder(const DecoderOptions& options) : max_(options.max_message_bytes) {}

  void feed(std::string_view chunk, FrameSink& sink) override {
    std::size_t i = 0;
    while (i < chunk.size()) {
      // 1. The length prefix, which may arrive a byte at a time.
      if (prefix_len_ < 4) {
        if (prefix_len_ == 0) frame_offset_ = consumed_;
        prefix_[prefix_len_++] = chunk[i++];
        ++consumed_;
        if (prefix_len_ == 4) start_body(sink);
        continue;
      }
      // 2. The body: emitted in place when it is whole inside this chunk, else gathered.
      std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, chunk.size() - i));
      if (!skipping_) {
        if (body_.empty() && n == remaining_) {
          emit(chunk.substr(i, n), sink);
        } else {
          body_.append(chunk.substr(i, n));
          if (n == remaining_) emit(body_, sink);
        }
      }
      i += n;
      consumed_ += n;
      remaining_ -= n;
      if (remaining_ == 0) end_frame();
    }
  }

  void finish(FrameSink& sink) override {
    if (prefix_len_ > 0 && prefix_len_ < 4) {
      report(fmt::format("truncated length prefix: the input ended after {} of its 4 bytes", prefix_len_),
             std::string_view(prefix_, prefix_len_), sink);
    } else if (prefix_len_ == 4 && !skipping_) {
      report(fmt::format("truncated frame: the prefix declares {} bytes but the input ended after {}",
                         length_, length_ - remaining_),
             body_, sink);
    }
    end_frame();
  }

 private:
  void start_body(FrameSink& sink) {
    length_ = (std::uint32_t(std::uint8_t(prefix_[0])) << 24) | (std::uint32_t(std::uint8_t(prefix_[1])) << 16) |
              (std::uint32_t(std::uint8_t(prefix_[2])) << 8) | std::uint32_t(std::uint8_t(prefix_[3]));
    remaining_ = length_;
    if (length_ > max_) {
      report(fmt::format("length prefix {} exceeds max_message_bytes ({}); the frame is skipped", length_, max_),
             std::string_view(prefix_, 4), sink);
      skipping_ = true;
    }
    if (remaining_ == 0) {
      if (!skipping_) emit(std::string_view(), sink);
      end_frame();
    }
  }

  static void emit(std::string_view payload, FrameSink& sink) {
    Frame frame;
    frame.payload = payload;
    sink.on_frame(frame);
  }

  void end_frame() {
    prefix_len_ = 0;
    remaining_ = 0;
    skipping_ = false;
    body_.clear();
  }

  void report(std::string reason, std::string_view raw, FrameSink& sink) {
    DecodeError error;
    error.offset = frame_offset_;
    error.reason = std::move(reason);
    error.raw = raw;
    sink.on_error(error);
  }

  std::size_t max_;
  char prefix_[4] = {};
  std::uint32_t prefix_len_ = 0;
  std::uint32_t length_ = 0;
  std::uint64_t remaining_ = 0;  // body bytes still to come
  bool skipping_ = false;        // the body is over the limit and is being passed over
  std::string body_;             // a body split across chunks (at most max_ bytes)
  std::uint64_t frame_offset_ = 0;
  std::uint64_t consumed_ = 0;
};

}  // namespace

Result<std::unique_ptr<Decoder>> make_binary_decoder(const DecoderOptions& options) {
  return std::unique_ptr<Decoder>(std::make_unique<BinaryDecoder>(options));
}

}  // namespace sea::codecs::detail
