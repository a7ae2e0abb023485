// Shared pieces of the libFuzzer targets: a reader that takes fuzzer-chosen values off the
// front of the input (the rest stays the payload under test), and FUZZ_CHECK, which reports a
// broken invariant with its expression and aborts so that libFuzzer saves the input as a crash.
// Every target is a plain LLVMFuzzerTestOneInput with no state kept between inputs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace sea::fuzz {

// Takes small values off the front of the fuzzer's bytes; past the end it returns zeros, so a
// short input is still a valid (if boring) choice of options.
class InputReader {
 public:
  InputReader(const std::uint8_t* data, std::size_t size)
      : data_(reinterpret_cast<const char*>(data)), size_(size) {}

  std::uint8_t byte() { return at_ < size_ ? static_cast<std::uint8_t>(data_[at_++]) : 0; }
  std::uint32_t u32() {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | byte();
    return v;
  }
  // Up to `n` bytes (fewer at the end of the input).
  std::string_view take(std::size_t n) {
    std::size_t k = n < size_ - at_ ? n : size_ - at_;
    std::string_view out(data_ + at_, k);
    at_ += k;
    return out;
  }
  std::string_view rest() { return take(size_ - at_); }
  std::size_t remaining() const { return size_ - at_; }

 private:
  const char* data_;
  std::size_t size_;
  std::size_t at_ = 0;
};

[[noreturn]] inline void check_failed(const char* expr, const char* file, int line, const std::string& what) {
  std::fprintf(stderr, "FUZZ INVARIANT BROKEN %s:%d: %s\n  %s\n", file, line, expr, what.c_str());
  std::abort();
}

// A short printable rendering of bytes for invariant messages.
inline std::string shown(std::string_view bytes, std::size_t max = 200) {
  std::string out;
  for (std::size_t i = 0; i < bytes.size() && i < max; ++i) {
    unsigned char c = static_cast<unsigned char>(bytes[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    }
  }
  if (bytes.size() > max) out += "...";
  return out;
}

}  // namespace sea::fuzz

#define FUZZ_CHECK(expr, what) \
  ((expr) ? (void)0 : ::sea::fuzz::check_failed(#expr, __FILE__, __LINE__, (what)))
