// Placeholder until the codecs land.
#include "codecs/codec.hpp"

namespace sea::codecs {

std::vector<std::string> decoder_names() { return {}; }
std::vector<std::string> encoder_names() { return {}; }
Result<std::unique_ptr<Decoder>> make_decoder(std::string_view format, const DecoderOptions&) {
  return make_error(Errc::unsupported, "format {} not built yet", format);
}
Result<std::unique_ptr<Encoder>> make_encoder(std::string_view format, const EncoderOptions&) {
  return make_error(Errc::unsupported, "format {} not built yet", format);
}
std::string DecodeError::describe() const { return reason; }

}  // namespace sea::codecs
