// The `msgpack` decoder: one MessagePack object after another in a concatenated stream. Each
// frame is the object's exact bytes, or its JSON text with msgpack_to_json. One exception: the
// integers 48-57, whose one byte is an ASCII digit, are always stored as their JSON text
// (reads_as_json_digit below), so that the msgpack encoder gives them back byte for byte.
//
// Framing uses a small streaming scanner instead of msgpack-cxx's unpacker: the unpacker buffers
// an incomplete object until it is whole, so a str32 header declaring 4 GB would make it hold
// 4 GB, while the scanner only counts. It reads each object's type byte and length fields, keeps
// one counter of objects still owed (an array of n adds n, a map 2n) and one of payload bytes to
// pass, and so knows where an object ends with O(1) state, however deep it nests. A frame longer
// than max_message_bytes stops being kept and is reported when it ends. msgpack-cxx then reads
// complete objects only, for the JSON conversion.
//
// MessagePack cannot resynchronise: after a malformed byte (0xc1, the one type byte never used)
// nothing later can be trusted, so the rest of the writer's input is discarded until finish().
#include <fmt/format.h>

#include "codecs/internal.hpp"

namespace sea::codecs::detail {
namespace {

// What a type byte says: how many header bytes follow it (length fields, ext type), and how to
// turn them into payload bytes and child objects.
struct TypeInfo {
  std::uint8_t header = 0;      // bytes after the type byte holding a big-endian length (0, 1, 2, 4)
  std::uint8_t extra = 0;       // further header bytes (the ext type byte)
  std::uint64_t fixed_skip = 0; // payload bytes not given by a length (numbers, fixext, fixstr)
  std::uint64_t children = 0;   // fixarray/fixmap children
  enum Kind : std::uint8_t { scalar, bytes, array, map, invalid } kind = scalar;
};

TypeInfo classify(std::uint8_t b) {
  TypeInfo t;
  if (b <= 0x7f || b >= 0xe0) return t;                        // fixint
  if (b <= 0x8f) { t.kind = TypeInfo::map; t.children = 2u * (b & 0x0f); return t; }
  if (b <= 0x9f) { t.kind = TypeInfo::array; t.children = b & 0x0f; return t; }
  if (b <= 0xbf) { t.fixed_skip = b & 0x1f; return t; }       // fixstr
  switch (b) {
    case 0xc0: case 0xc2: case 0xc3: return t;                 // nil, false, true
    case 0xc4: case 0xd9: t.kind = TypeInfo::bytes; t.header = 1; return t;
    case 0xc5: case 0xda: t.kind = TypeInfo::bytes; t.header = 2; return t;
    case 0xc6: case 0xdb: t.kind = TypeInfo::bytes; t.header = 4; return t;
    case 0xc7: t.kind = TypeInfo::bytes; t.header = 1; t.extra = 1; return t;
    case 0xc8: t.kind = TypeInfo::bytes; t.header = 2; t.extra = 1; return t;
    case 0xc9: t.kind = TypeInfo::bytes; t.header = 4; t.extra = 1; return t;
    case 0xca: t.fixed_skip = 4; return t;
    case 0xcb: t.fixed_skip = 8; return t;
    case 0xcc: case 0xd0: t.fixed_skip = 1; return t;
    case 0xcd: case 0xd1: t.fixed_skip = 2; return t;
    case 0xce: case 0xd2: t.fixed_skip = 4; return t;
    case 0xcf: case 0xd3: t.fixed_skip = 8; return t;
    case 0xd4: t.fixed_skip = 2; return t;                     // fixext: type byte + data
    case 0xd5: t.fixed_skip = 3; return t;
    case 0xd6: t.fixed_skip = 5; return t;
    case 0xd7: t.fixed_skip = 9; return t;
    case 0xd8: t.fixed_skip = 17; return t;
    case 0xdc: t.kind = TypeInfo::array; t.header = 2; return t;
    case 0xdd: t.kind = TypeInfo::array; t.header = 4; return t;
    case 0xde: t.kind = TypeInfo::map; t.header = 2; return t;
    case 0xdf: t.kind = TypeInfo::map; t.header = 4; return t;
    default: t.kind = TypeInfo::invalid; return t;             // 0xc1
  }
}

// No real object owes this many children; a stream claiming so is treated as malformed so that
// the counter can never overflow.
constexpr std::uint64_t kMaxPending = std::uint64_t(1) << 62;

// The top-level objects whose one byte is an ASCII digit: positive fixints 48-57, which read as
// JSON text 0-9. They are stored as their JSON text ("48".."57") instead: the msgpack encoder
// reads a JSON payload first (so that ndjson "7" comes out as the integer 7), and packs "55" back
// into the very byte 0x37, so msgpack in, msgpack out is still the identity.
bool reads_as_json_digit(std::string_view object) {
  return object.size() == 1 && object[0] >= '0' && object[0] <= '9';
}

// Lifecycle: made by make_decoder, driven by one thread through feed()/finish().
class MsgpackDecoder final : public Decoder {
 public:
  explicit MsgpackDecoder(const DecoderOptions& options)
      : max_(options.max_message_bytes), to_json_(options.msgpack_to_json) {}

  void feed(std::string_view chunk, FrameSink& sink) override {
    std::size_t i = 0;
    while (i < chunk.size()) {
      if (discarding_) {
        consumed_ += chunk.size() - i;
        return;
      }
      if (skip_ > 0) {  // payload bytes: pass them in bulk
        std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(skip_, chunk.size() - i));
        keep(chunk.substr(i, n));
        i += n;
        consumed_ += n;
        skip_ -= n;
        if (skip_ == 0 && pending_ == 0) complete(sink);
        continue;
      }
      if (pending_ == 0) start_frame();
      auto b = static_cast<std::uint8_t>(chunk[i]);
      keep(chunk.substr(i, 1));
      ++i;
      ++consumed_;
      if (head_need_ == 0) {
        type_ = b;
        info_ = classify(b);
        if (info_.kind == TypeInfo::invalid) {
          malformed(fmt::format("byte 0x{:02x} at byte {} is not a MessagePack type", b, consumed_ - 1), sink);
          continue;
        }
        head_need_ = 1u + info_.header + info_.extra;
        head_len_ = 1;
        length_ = 0;
      } else {
        if (head_len_ <= info_.header) length_ = (length_ << 8) | b;
        ++head_len_;
      }
      if (head_len_ == head_need_) end_header(sink);
    }
  }

  void finish(FrameSink& sink) override {
    if (!discarding_ && (pending_ > 0 || skip_ > 0)) {
      report(fmt::format("truncated MessagePack object: the input ended after {} of its bytes",
                         frame_bytes_), sink);
    }
    discarding_ = false;
    pending_ = 0;
    skip_ = 0;
    head_need_ = 0;
    head_len_ = 0;
    frame_.clear();
  }

 private:
  void start_frame() {
    pending_ = 1;
    frame_offset_ = consumed_;
    frame_bytes_ = 0;
    frame_.clear();
  }

  void keep(std::string_view bytes) {
    frame_bytes_ += bytes.size();
    if (frame_.size() < max_) frame_.append(bytes.substr(0, max_ - frame_.size()));
  }

  // One object's header is complete: account for it.
  void end_header(FrameSink& sink) {
    head_need_ = 0;
    head_len_ = 0;
    --pending_;
    switch (info_.kind) {
      case TypeInfo::bytes: skip_ = length_; break;
      case TypeInfo::array: pending_ += info_.header > 0 ? length_ : info_.children; break;
      case TypeInfo::map: pending_ += info_.header > 0 ? 2 * length_ : info_.children; break;
      default: skip_ = info_.fixed_skip; break;
    }
    if (pending_ > kMaxPending) {
      malformed(fmt::format("header 0x{:02x} at byte {} declares more elements than any input holds",
                            type_, consumed_ - 1u - info_.header), sink);
      return;
    }
    if (skip_ == 0 && pending_ == 0) complete(sink);
  }

  void complete(FrameSink& sink) {
    if (frame_bytes_ > max_) {
      report(fmt::format("object of {} bytes exceeds max_message_bytes ({}); skipped", frame_bytes_, max_), sink);
      return;
    }
    Frame frame;
    if (to_json_) {
      json_.clear();
      Result<void> converted = msgpack_to_json(frame_, json_, max_);
      if (!converted.ok()) {
        report(converted.error().message, sink);
        return;
      }
      // JSON text is longer than its MessagePack (nil is 1 byte, "null" 4): the limit holds
      // for what is produced, so a frame that grew past it is an error, not a failed send.
      if (json_.size() > max_) {
        report(fmt::format("object as JSON is {} bytes, over max_message_bytes ({}); skipped", json_.size(), max_),
               sink);
        return;
      }
      frame.payload = json_;
    } else if (reads_as_json_digit(frame_)) {
      json_ = fmt::format("{}", static_cast<int>(frame_[0]));
      if (json_.size() > max_) {
        report(fmt::format("object as JSON is {} bytes, over max_message_bytes ({}); skipped", json_.size(), max_),
               sink);
        return;
      }
      frame.payload = json_;
    } else {
      frame.payload = frame_;
    }
    sink.on_frame(frame);
  }

  void malformed(std::string reason, FrameSink& sink) {
    report(reason + "; the rest of this writer's input is discarded (MessagePack cannot resynchronise)", sink);
    discarding_ = true;
    pending_ = 0;
    skip_ = 0;
    head_need_ = 0;
    head_len_ = 0;
  }

  void report(std::string reason, FrameSink& sink) {
    DecodeError error;
    error.offset = frame_offset_;
    error.reason = std::move(reason);
    error.raw = frame_;
    sink.on_error(error);
  }

  std::size_t max_;
  bool to_json_;
  bool discarding_ = false;
  std::uint64_t pending_ = 0;      // objects the current frame still owes
  std::uint64_t skip_ = 0;         // payload bytes of the current object still to pass
  std::uint8_t type_ = 0;          // type byte of the header being read
  TypeInfo info_;
  std::uint32_t head_need_ = 0;    // header bytes of the current object (0: between objects)
  std::uint32_t head_len_ = 0;     // header bytes read so far
  std::uint64_t length_ = 0;       // the big-endian length being assembled
  std::string frame_;              // the frame's bytes, at most max_
  std::uint64_t frame_bytes_ = 0;  // the frame's length so far, kept or not
  std::uint64_t frame_offset_ = 0;
  std::uint64_t consumed_ = 0;
  std::string json_;
};

}  // namespace

bool is_one_msgpack_object(std::string_view bytes) {
  std::uint64_t pending = 1;  // objects still owed, as in the decoder
  std::size_t i = 0;
  while (pending > 0) {
    if (i == bytes.size()) return false;
    TypeInfo info = classify(static_cast<std::uint8_t>(bytes[i++]));
    if (info.kind == TypeInfo::invalid) return false;
    if (bytes.size() - i < std::size_t(info.header) + info.extra) return false;
    std::uint64_t length = 0;
    for (std::size_t k = 0; k < info.header; ++k) length = (length << 8) | static_cast<std::uint8_t>(bytes[i + k]);
    i += info.header + info.extra;
    --pending;
    std::uint64_t skip = info.fixed_skip;
    switch (info.kind) {
      case TypeInfo::bytes: skip = length; break;
      case TypeInfo::array: pending += info.header > 0 ? length : info.children; break;
      case TypeInfo::map: pending += info.header > 0 ? 2 * length : info.children; break;
      default: break;
    }
    // Every owed object takes at least one byte: more than are left means the bytes end first.
    if (skip > bytes.size() - i || pending > bytes.size() - i) return false;
    i += skip;
  }
  return i == bytes.size();
}

Result<std::unique_ptr<Decoder>> make_msgpack_decoder(const DecoderOptions& options) {
  return std::unique_ptr<Decoder>(std::make_unique<MsgpackDecoder>(options));
}

}  // namespace sea::codecs::detail
