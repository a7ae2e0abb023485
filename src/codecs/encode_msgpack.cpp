// The `msgpack` encoder: a JSON payload becomes the equivalent MessagePack object; any other
// payload is written as a msgpack str when it is valid UTF-8, else as bin, so every message
// survives and the output is one object per message, as the msgpack decoder reads it.
#include <msgpack.hpp>

#include "codecs/internal.hpp"

namespace sea::codecs::detail {
namespace {

struct StringWriter {
  std::string& out;
  void write(const char* data, std::size_t size) { out.append(data, size); }
};

// Owns a JSON parser; used on the thread that consumes.
class MsgpackEncoder final : public Encoder {
 public:
  void encode(const MessageView& message, std::string& out) override {
    simdjson::dom::element root;
    if (!is_blank(message.payload) && parser_.parse(message.payload).get(root) == simdjson::SUCCESS) {
      json_to_msgpack(root, out);
      return;
    }
    StringWriter writer{out};
    msgpack::packer<StringWriter> packer(writer);
    auto size = static_cast<std::uint32_t>(message.payload.size());
    if (is_valid_utf8(message.payload)) {
      packer.pack_str(size);
      packer.pack_str_body(message.payload.data(), size);
    } else {
      packer.pack_bin(size);
      packer.pack_bin_body(message.payload.data(), size);
    }
  }

 private:
  JsonParser parser_;
};

}  // namespace

Result<std::unique_ptr<Encoder>> make_msgpack_encoder(const EncoderOptions&) {
  return std::unique_ptr<Encoder>(std::make_unique<MsgpackEncoder>());
}

}  // namespace sea::codecs::detail
