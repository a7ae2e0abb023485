// The `msgpack` encoder: one MessagePack object per message, as the msgpack decoder reads them
// back. Each payload is, in this order:
//   1. JSON text: written as the equivalent MessagePack object (what ndjson, csv and tsv input
//      store, and `--to json`);
//   2. else exactly one complete MessagePack object (what msgpack input stores): written as it is,
//      byte for byte;
//   3. else any other bytes: a msgpack str when they are valid UTF-8, else bin, so every message
//      survives.
// Why JSON first: a payload that is both is one byte, an ASCII digit (every MessagePack object
// of two or more bytes starts with a byte >= 0x80, which no JSON text starts with, and a JSON
// text of one byte is a digit). Read as JSON, ndjson's `7` stays the integer 7; the msgpack
// decoder stores the objects 48-57 (whose one byte is a digit) as their JSON text, which step 1
// packs back into the same byte, so msgpack -> msgpack stays the identity too.
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
    if (is_one_msgpack_object(message.payload)) {
      out.append(message.payload);
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
