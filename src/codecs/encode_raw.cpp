// The `raw` (default), `ndjson` and `lines` encoders: the payload bytes as they are, then
// options.line_end. The payload is not checked or changed; a consumer asking for ndjson gets
// what producers stored, one message per line.
#include "codecs/internal.hpp"

namespace sea::codecs::detail {
namespace {

// Stateless; used on the thread that consumes.
class RawEncoder final : public Encoder {
 public:
  explicit RawEncoder(char line_end) : line_end_(line_end) {}
  void encode(const MessageView& message, std::string& out) override {
    out.append(message.payload);
    out += line_end_;
  }

 private:
  char line_end_;
};

}  // namespace

Result<std::unique_ptr<Encoder>> make_raw_encoder(const EncoderOptions& options) {
  return std::unique_ptr<Encoder>(std::make_unique<RawEncoder>(options.line_end));
}

}  // namespace sea::codecs::detail
