// Conversions between MessagePack and JSON (internal.hpp): the msgpack decoder's msgpack_to_json
// option and the msgpack encoder. Both use msgpack-cxx for the MessagePack side (its unpacker,
// with limits, and its packer) and write or walk JSON directly.
#include <cmath>

#include <fmt/format.h>
#include <msgpack.hpp>

#include "codecs/internal.hpp"

namespace sea::codecs::detail {
namespace {

// msgpack::packer writes to any object with write(const char*, size_t).
struct StringWriter {
  std::string& out;
  void write(const char* data, std::size_t size) { out.append(data, size); }
};

// Thrown when the JSON text outgrows its limit: a non-string map key is written as its JSON text
// inside a string, so each level of such keys escapes the level below again, and a few hundred
// bytes of nested maps-as-keys would expand exponentially. Checked at every node, so the work
// done before giving up is bounded by the limit, not by the expansion.
struct TooLarge {};

void append_object(const msgpack::object& object, std::string& out, std::size_t max_bytes);

void append_double(double value, std::string& out) {
  if (!std::isfinite(value)) {
    out += "null";  // JSON has no NaN or infinity
    return;
  }
  fmt::format_to(std::back_inserter(out), "{}", value);
}

void append_object(const msgpack::object& object, std::string& out, std::size_t max_bytes) {
  if (out.size() > max_bytes) throw TooLarge{};
  switch (object.type) {
    case msgpack::type::NIL: out += "null"; break;
    case msgpack::type::BOOLEAN: out += object.via.boolean ? "true" : "false"; break;
    case msgpack::type::POSITIVE_INTEGER: fmt::format_to(std::back_inserter(out), "{}", object.via.u64); break;
    case msgpack::type::NEGATIVE_INTEGER: fmt::format_to(std::back_inserter(out), "{}", object.via.i64); break;
    case msgpack::type::FLOAT32:
      if (std::isfinite(object.via.f64)) {
        fmt::format_to(std::back_inserter(out), "{}", static_cast<float>(object.via.f64));
      } else {
        out += "null";
      }
      break;
    case msgpack::type::FLOAT64: append_double(object.via.f64, out); break;
    case msgpack::type::STR:
      append_json_string(out, std::string_view(object.via.str.ptr, object.via.str.size));
      break;
    case msgpack::type::BIN:
      append_json_string(out, base64_encode(std::string_view(object.via.bin.ptr, object.via.bin.size)));
      break;
    case msgpack::type::EXT:
      fmt::format_to(std::back_inserter(out), "{{\"ext_type\":{},\"data\":", int(object.via.ext.type()));
      append_json_string(out, base64_encode(std::string_view(object.via.ext.data(), object.via.ext.size)));
      out += '}';
      break;
    case msgpack::type::ARRAY:
      out += '[';
      for (std::uint32_t i = 0; i < object.via.array.size; ++i) {
        if (i > 0) out += ',';
        append_object(object.via.array.ptr[i], out, max_bytes);
      }
      out += ']';
      break;
    case msgpack::type::MAP:
      out += '{';
      for (std::uint32_t i = 0; i < object.via.map.size; ++i) {
        const msgpack::object_kv& kv = object.via.map.ptr[i];
        if (i > 0) out += ',';
        if (kv.key.type == msgpack::type::STR) {
          append_json_string(out, std::string_view(kv.key.via.str.ptr, kv.key.via.str.size));
        } else {
          std::string key;
          append_object(kv.key, key, max_bytes);
          if (key.size() > max_bytes) throw TooLarge{};
          append_json_string(out, key);
        }
        out += ':';
        append_object(kv.val, out, max_bytes);
      }
      out += '}';
      break;
  }
}

}  // namespace

Result<void> msgpack_to_json(std::string_view object_bytes, std::string& out, std::size_t max_bytes) {
  // The framing scanner already checked that this is exactly one complete object, so sizes are
  // bounded by its length; the depth limit protects the recursion above.
  msgpack::unpack_limit limit(object_bytes.size(), object_bytes.size(), object_bytes.size(),
                              object_bytes.size(), object_bytes.size(), kMaxMsgpackDepth);
  try {
    std::size_t offset = 0;
    msgpack::object_handle handle =
        msgpack::unpack(object_bytes.data(), object_bytes.size(), offset, nullptr, nullptr, limit);
    append_object(handle.get(), out, max_bytes);
    if (out.size() > max_bytes) throw TooLarge{};
  } catch (const TooLarge&) {
    return make_error(Errc::parse, "object as JSON is over max_message_bytes ({}); skipped", max_bytes);
  } catch (const msgpack::depth_size_overflow&) {
    return make_error(Errc::parse, "MessagePack object nested deeper than {} levels", kMaxMsgpackDepth);
  } catch (const std::exception& e) {
    return make_error(Errc::parse, "MessagePack object cannot be read: {}", e.what());
  }
  return ok();
}

namespace {

void pack_element(simdjson::dom::element value, msgpack::packer<StringWriter>& packer) {
  switch (value.type()) {
    case simdjson::dom::element_type::ARRAY: {
      simdjson::dom::array array;
      SEA_ASSERT(value.get_array().get(array) == simdjson::SUCCESS, "type() said array");
      packer.pack_array(static_cast<std::uint32_t>(array.size()));
      for (simdjson::dom::element item : array) pack_element(item, packer);
      break;
    }
    case simdjson::dom::element_type::OBJECT: {
      simdjson::dom::object object;
      SEA_ASSERT(value.get_object().get(object) == simdjson::SUCCESS, "type() said object");
      packer.pack_map(static_cast<std::uint32_t>(object.size()));
      for (simdjson::dom::key_value_pair field : object) {
        packer.pack_str(static_cast<std::uint32_t>(field.key.size()));
        packer.pack_str_body(field.key.data(), static_cast<std::uint32_t>(field.key.size()));
        pack_element(field.value, packer);
      }
      break;
    }
    case simdjson::dom::element_type::INT64: packer.pack_int64(value.get_int64().value_unsafe()); break;
    case simdjson::dom::element_type::UINT64: packer.pack_uint64(value.get_uint64().value_unsafe()); break;
    case simdjson::dom::element_type::DOUBLE: packer.pack_double(value.get_double().value_unsafe()); break;
    case simdjson::dom::element_type::STRING: {
      std::string_view text = value.get_string().value_unsafe();
      packer.pack_str(static_cast<std::uint32_t>(text.size()));
      packer.pack_str_body(text.data(), static_cast<std::uint32_t>(text.size()));
      break;
    }
    case simdjson::dom::element_type::BOOL:
      if (value.get_bool().value_unsafe()) {
        packer.pack_true();
      } else {
        packer.pack_false();
      }
      break;
    case simdjson::dom::element_type::NULL_VALUE: packer.pack_nil(); break;
  }
}

}  // namespace

void json_to_msgpack(simdjson::dom::element value, std::string& out) {
  StringWriter writer{out};
  msgpack::packer<StringWriter> packer(writer);
  pack_element(value, packer);
}

}  // namespace sea::codecs::detail
