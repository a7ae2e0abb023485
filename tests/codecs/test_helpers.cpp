// The helpers of codec.hpp: UTF-8 validation, base64, JSON string quoting (escapes, and U+FFFD
// for bytes that are not UTF-8), and the wording of DecodeError::describe().
#include <doctest/doctest.h>

#include "codecs/codec.hpp"

namespace sea::codecs {

TEST_CASE("is_valid_utf8") {
  CHECK(is_valid_utf8(""));
  CHECK(is_valid_utf8("plain"));
  CHECK(is_valid_utf8("caf\xc3\xa9 \xf0\x9f\x98\x80"));
  CHECK_FALSE(is_valid_utf8("\xff"));
  CHECK_FALSE(is_valid_utf8("\xc0\xaf"));        // overlong
  CHECK_FALSE(is_valid_utf8("\xed\xa0\x80"));    // surrogate
  CHECK_FALSE(is_valid_utf8("\xe6\x97"));        // truncated
}

TEST_CASE("base64_encode") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foo") == "Zm9v");
  CHECK(base64_encode("foobar") == "Zm9vYmFy");
  CHECK(base64_encode(std::string_view("\xff\xfe\x00", 3)) == "//4A");
}

TEST_CASE("append_json_string") {
  auto quoted = [](std::string_view text) {
    std::string out = "x";
    append_json_string(out, text);
    return out;
  };
  CHECK(quoted("") == "x\"\"");
  CHECK(quoted("a\"b\\c") == "x\"a\\\"b\\\\c\"");
  CHECK(quoted("\n\r\t\b\f") == "x\"\\n\\r\\t\\b\\f\"");
  CHECK(quoted(std::string_view("\x01\x1f\0", 3)) == "x\"\\u0001\\u001f\\u0000\"");
  CHECK(quoted("caf\xc3\xa9 \xf0\x9f\x98\x80") == "x\"caf\xc3\xa9 \xf0\x9f\x98\x80\"");
  CHECK(quoted("a\xff" "b\xe6\x97") == "x\"a\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd\"");
  CHECK(quoted("\x7f/") == "x\"\x7f/\"");
}

TEST_CASE("DecodeError::describe names the line and byte") {
  DecodeError text{3, 17, "invalid JSON: x", {}};
  CHECK(text.describe() == "line 3 (byte 17): invalid JSON: x");
  DecodeError binary{0, 4096, "length prefix 5 exceeds", {}};
  CHECK(binary.describe() == "byte 4096: length prefix 5 exceeds");
}

}  // namespace sea::codecs
