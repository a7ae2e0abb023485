// The `binary` encoder: a 4-byte big-endian length, then the payload, the framing the binary
// decoder reads. A payload of 4 GiB or more cannot be framed; the backends' max_message_bytes
// keeps payloads far below that, so it is an invariant here, not a user error.
#include "codecs/internal.hpp"

namespace sea::codecs::detail {
namespace {

// Stateless; used on the thread that consumes.
class BinaryEncoder final : public Encoder {
 public:
  void encode(const MessageView& message, std::string& out) override {
    SEA_ASSERT(message.payload.size() <= UINT32_MAX, "payload too large for a 4-byte length prefix");
    auto size = static_cast<std::uint32_t>(message.payload.size());
    char prefix[4] = {static_cast<char>(size >> 24), static_cast<char>(size >> 16),
                      static_cast<char>(size >> 8), static_cast<char>(size)};
    out.append(prefix, 4);
    out.append(message.payload);
  }
};

}  // namespace

Result<std::unique_ptr<Encoder>> make_binary_encoder(const EncoderOptions&) {
  return std::unique_ptr<Encoder>(std::make_unique<BinaryEncoder>());
}

}  // namespace sea::codecs::detail
