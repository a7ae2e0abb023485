// Payload formats (SPEC §3): incremental decoders that cut an input byte stream into message
// frames, and encoders that write consumed messages out. Decoders are chunking-invariant: any
// split of the input into feed() calls yields the same frames and the same errors.
//
// Memory: a decoder buffers at most one partial frame, and never more than
// max_message_bytes of it: a longer frame is reported as an error and skipped without being
// held in memory. Frames handed to the sink point into the chunk or the decoder's buffer and
// are valid only during the sink call.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/types.hpp"

namespace sea::codecs {

struct Frame {
  std::string_view payload;
  bool has_key = false;
  std::string_view key;
  // Set only by the envelope decoder (DecoderOptions::envelope), from the envelope's fields:
  // its headers, its time (0: none given, the producer stamps it), its shard (kAnyShard: none
  // given) and its stream (empty: none given).
  std::span<const HeaderView> headers;
  Timestamp ts = 0;
  ShardId shard = kAnyShard;
  std::string_view stream;
};

struct DecodeError {
  std::uint64_t line = 0;    // 1-based line of the frame's start (0 for binary formats)
  std::uint64_t offset = 0;  // byte offset of the frame's start in the whole input
  std::string reason;
  std::string_view raw;      // the offending bytes (may be cut to max_message_bytes)

  // "line 3 (byte 17): unexpected end of JSON" / "byte 4096: length prefix 4294967295 exceeds ..."
  std::string describe() const;
};

class FrameSink {
 public:
  virtual ~FrameSink() = default;
  virtual void on_frame(const Frame& frame) = 0;
  virtual void on_error(const DecodeError& error) = 0;
};

struct DecoderOptions {
  std::string key_field;                    // ndjson/csv/tsv: take the message key from this field
  char delimiter = ',';                     // csv
  char quote = '"';                         // csv
  bool header = true;                       // csv/tsv: first record names the fields
  bool tsv_escapes = false;                 // tsv: read \t \n \r \\ as PostgreSQL's text format
  bool msgpack_to_json = false;             // msgpack: store as JSON text instead of msgpack bytes
  std::string key_delimiter;                // lines: key and payload split on its first occurrence (kcat -K)
  bool envelope = false;                    // one NDJSON envelope per line (decode_envelope.cpp); ndjson only
  std::size_t max_message_bytes = 1 << 20;  // longer frames are errors
};

class Decoder {
 public:
  virtual ~Decoder() = default;
  virtual void feed(std::string_view chunk, FrameSink& sink) = 0;
  // End of one writer's input: a complete trailing frame (e.g. a JSON value without its final
  // newline) is emitted; a partial one is reported as an error. The decoder is then ready for
  // the next writer (positions keep counting; csv/tsv expect a new header).
  virtual void finish(FrameSink& sink) = 0;
};

struct EncoderOptions {
  bool envelope = false;        // NDJSON envelopes {"stream","shard","seq","ts","key","headers","payload"}
  std::string format_string;    // kcat-style -f: %t %p %o %T %k %s %S %K %h %%, \n \t \\ escapes
  char delimiter = ',';         // csv
  bool header = true;           // csv/tsv: write a header row from the first object's keys
  char line_end = '\n';         // raw/lines/ndjson: appended after each payload
  bool crlf = false;            // csv/tsv: rows end with "\r\n" (RFC 4180) instead of line_end
};

class Encoder {
 public:
  virtual ~Encoder() = default;
  // Appends the encoded message to `out`.
  virtual void encode(const MessageView& message, std::string& out) = 0;
};

// The names each table knows, for --help and completions.
std::vector<std::string> decoder_names();  // ndjson lines csv tsv msgpack binary
std::vector<std::string> encoder_names();  // raw ndjson lines csv tsv msgpack binary

// options.envelope takes precedence over `format`, which must then be "ndjson" (the envelope's framing).
Result<std::unique_ptr<Decoder>> make_decoder(std::string_view format, const DecoderOptions& options);
// `format` is an encoder name; options.envelope / options.format_string take precedence.
Result<std::unique_ptr<Encoder>> make_encoder(std::string_view format, const EncoderOptions& options);

// Helpers shared by codecs and commands.
bool is_valid_utf8(std::string_view bytes);
std::string base64_encode(std::string_view bytes);
// Standard base64 with its padding (what base64_encode writes); false on any other text.
bool base64_decode(std::string_view text, std::string& out);
void append_json_string(std::string& out, std::string_view text);  // quoted and escaped

}  // namespace sea::codecs
