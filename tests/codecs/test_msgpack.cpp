// The msgpack decoder, as a table: objects cut from a concatenated stream as exact bytes or as
// JSON, every msgpack type's JSON form, truncated objects at finish, a malformed byte (the rest
// of the writer discarded), objects over the limit and a 4 GB declared length.
#include <msgpack.hpp>

#include "harness.hpp"

namespace sea::codecs::test {

namespace {

template <class T>
std::string pack(const T& value) {
  msgpack::sbuffer buffer;
  msgpack::pack(buffer, value);
  return {buffer.data(), buffer.size()};
}

std::string bytes(std::initializer_list<int> list) {
  std::string out;
  for (int b : list) out += static_cast<char>(b);
  return out;
}

}  // namespace

std::vector<DecodeCase> msgpack_cases() {
  DecoderOptions json;
  json.msgpack_to_json = true;
  DecoderOptions json_small = json;
  json_small.max_message_bytes = 8;
  std::map<std::string, int> map_a{{"a", 1}};
  std::string object = pack(map_a);
  std::string array = pack(std::make_tuple(1, std::string("x")));
  std::string nested = pack(std::map<int, std::vector<double>>{{1, {1.5, -2.0}}});
  // Maps as keys of maps, 40 deep: each level's key is the JSON text of the level below, escaped
  // again, so the JSON form doubles per level (2^40 bytes): refused once past the limit.
  std::string blowup = std::string(40, static_cast<char>(0x81)) + "\xa1" "a" + std::string(40, static_cast<char>(0x01));
  std::string deep(600, static_cast<char>(0x91));
  deep += static_cast<char>(0xc0);
  return {
      {"to json", "msgpack", json,
       {object + array + bytes({0xc0, 0xc3, 0xfb}) + bytes({0xca, 0x3f, 0xc0, 0, 0}) + nested},
       {"F {\"a\":1}", "F [1,\"x\"]", "F null", "F true", "F -5", "F 1.5", "F {\"1\":[1.5,-2]}"}},
      {"exact bytes", "msgpack", {}, {object + array + bytes({0x01})},
       {"F " + object, "F " + array, "F " + bytes({0x01})}},
      {"bin, ext, big numbers", "msgpack", json,
       {bytes({0xc4, 2, 0xff, 0x00}) + bytes({0xd4, 5, 0x41}) + bytes({0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}) +
        bytes({0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0})},
       {"F \"/wA=\"", "F {\"ext_type\":5,\"data\":\"QQ==\"}", "F 18446744073709551615", "F -9223372036854775808"}},
      {"str with invalid utf-8", "msgpack", json, {bytes({0xa2, 'a', 0xff})}, {"F \"a\xEF\xBF\xBD\""}},
      {"truncated at finish", "msgpack", {}, {bytes({0x01, 0x92, 0x01})},
       {"F " + bytes({0x01}), "E byte 1: truncated MessagePack object: the input ended after 2 of its bytes"}},
      {"malformed byte discards the writer", "msgpack", json,
       {bytes({0x01, 0x92, 0x01, 0xc1, 0x02, 0x03}), bytes({0x05})},
       {"F 1",
        "E byte 1: byte 0xc1 at byte 3 is not a MessagePack type; the rest of this writer's input is "
        "discarded (MessagePack cannot resynchronise)",
        "F 5"}},
      {"maps as keys expand past the limit as JSON", "msgpack", json, {blowup + bytes({0x07})},
       {"E byte 0: object as JSON is over max_message_bytes (1048576); skipped", "F 7"}},
      {"over the limit", "msgpack", json_small,
       {bytes({0xd9, 20}) + std::string(20, 'a') + bytes({0x07})},
       {"E byte 0: object of 22 bytes exceeds max_message_bytes (8); skipped", "F 7"}},
      {"4 GB declared length", "msgpack", {}, {bytes({0xdb, 0xff, 0xff, 0xff, 0xff}) + "abc"},
       {"E byte 0: truncated MessagePack object: the input ended after 8 of its bytes"}},
      {"huge declared array", "msgpack", {}, {bytes({0xdd, 0xff, 0xff, 0xff, 0xff, 0xc0})},
       {"E byte 0: truncated MessagePack object: the input ended after 6 of its bytes"}},
      {"too deep for json", "msgpack", json, {deep + bytes({0x02})},
       {"E byte 0: MessagePack object nested deeper than 512 levels", "F 2"}},
      // 0x30-0x39 (the integers 48-57) are ASCII digits, which the msgpack encoder would read as
      // JSON 0-9: they are stored as their JSON text, which it packs back into the same byte.
      {"integers whose byte is a digit are stored as JSON", "msgpack", {},
       {bytes({0x30, 0x37, 0x39, 0x2f, 0x3a, 0x92, 0x30, 0x39})},
       {"F 48", "F 55", "F 57", "F /", "F :", "F " + bytes({0x92, 0x30, 0x39})}},
      {"a digit's JSON text over a 1-byte limit", "msgpack", with_max(1), {bytes({0x37, 0x01})},
       {"E byte 0: object as JSON is 2 bytes, over max_message_bytes (1); skipped", "F " + bytes({0x01})}},
      {"offsets across writers", "msgpack", {}, {bytes({0x01}), bytes({0x92})},
       {"F " + bytes({0x01}), "E byte 1: truncated MessagePack object: the input ended after 1 of its bytes"}},
  };
}

TEST_CASE("msgpack decoder table") { check_cases(msgpack_cases()); }

}  // namespace sea::codecs::test
