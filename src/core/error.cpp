// Names of error codes and the errno/invariant helpers of error.hpp.
#include "core/error.hpp"

#include <cstring>

namespace sea {

const char* errc_name(Errc code) {
  switch (code) {
    case Errc::invalid_argument: return "invalid argument";
    case Errc::not_found: return "not found";
    case Errc::exists: return "already exists";
    case Errc::unsupported: return "unsupported";
    case Errc::parse: return "parse error";
    case Errc::io: return "I/O error";
    case Errc::timeout: return "timed out";
    case Errc::backend: return "backend error";
    case Errc::closed: return "closed";
    case Errc::corrupt: return "corrupt data";
  }
  return "error";
}

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) out += fmt::format("\\x{:02x}", u);
    else out.push_back(c);
  }
  return out;
}

Error errno_error(int err, std::string_view what) {
  return Error{Errc::io, fmt::format("{}: {}", what, std::strerror(err)), err};
}

void invariant_failed(const char* expr, const char* file, int line, const char* msg) {
  std::fprintf(stderr, "sea: internal error at %s:%d: %s (%s)\n", file, line, msg, expr);
  std::abort();
}

}  // namespace sea
