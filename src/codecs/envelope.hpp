// Reading NDJSON envelopes back (SPEC §3): the exact inverse of the envelope encoder
// (encode_envelope.cpp, what `consume -J` writes), so `consume -J | produce --envelope` keeps
// keys, headers, timestamps and payload bytes. One line is one JSON object:
//   {"stream":"s","shard":0,"seq":7,"ts":1764057100000,"key":"k"|null,"headers":{"h":"v"},
//    "payload":..., "payload_encoding":"base64", "key_encoding":"base64"}
// Every field but "payload" is optional (null counts as absent); fields not named here are
// ignored; a named field given twice is an error. The payload is
//   - a JSON string: its unescaped text, or, with "payload_encoding":"base64", the bytes it decodes to;
//   - any other JSON value: its exact text as written in the line (an object keeps its spacing
//     and key order, a number its spelling), so a JSON payload that -J wrote inline reads back
//     byte for byte.
// "key" is a string (base64 with "key_encoding":"base64") or null; "headers" an object of string
// values; "ts" milliseconds since the epoch (an integer >= 0; 0 means "stamp it when produced")
// or a time string as parse_time reads it (RFC 3339, "-5m"); "shard" an integer in
// [0, 2^32-2]; "stream" a string; "seq" a non-negative integer (checked, not used: the backend
// assigns seqs).
//
// Lifecycle: an EnvelopeReader belongs to one decoder (or consumer) and thread; the Frame it
// fills points into the line or into the reader's own buffers and is valid until the next read.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "codecs/codec.hpp"

namespace sea::codecs {

class EnvelopeReader {
 public:
  // Decodes one envelope line (without its "\n") into `out`. `readable_after` is how many bytes
  // after the line belong to the caller and may be read (it then parses in place, as
  // JsonParser does). On bad input returns an Errc::parse error whose message is the reason,
  // without a position (the caller knows it).
  Result<void> read(std::string_view line, std::size_t readable_after, Frame& out);

 private:
  const char* padded(std::string_view line, std::size_t readable_after, std::size_t& capacity);
  Result<void> take_payload(simdjson::dom::element value, const char* text, std::size_t size,
                            std::size_t capacity, bool base64, Frame& out);

  simdjson::dom::parser dom_;
  simdjson::ondemand::parser ondemand_;
  std::unique_ptr<char[]> copy_;
  std::size_t copy_capacity_ = 0;
  std::vector<HeaderView> headers_;
  std::string payload_bytes_;  // a base64 payload decoded, or a minified fallback
  std::string key_bytes_;      // a base64 key decoded
};

}  // namespace sea::codecs
