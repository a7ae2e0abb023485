// The kcat-style format-string encoder (options.format_string, `-f`): %t stream, %p shard,
// %o seq, %T timestamp (ms), %k key, %K key length (-1 without a key, as kcat prints for a NULL
// key), %s payload, %S payload length, %h headers as k=v,k=v, %% a percent sign; escapes \n \t
// \r \\ and \0 (a NUL byte). The string is compiled once into a list of parts at make_encoder
// time, where an unknown %x or \x, or a trailing % or \, is an error naming its position.
#include <fmt/format.h>

#include "codecs/internal.hpp"

namespace sea::codecs::detail {
namespace {

struct Part {
  char field = 0;        // 0: literal text; else the letter after %
  std::string literal;
};

// Immutable after construction; used on the thread that consumes.
class FormatEncoder final : public Encoder {
 public:
  explicit FormatEncoder(std::vector<Part> parts) : parts_(std::move(parts)) {}

  void encode(const MessageView& message, std::string& out) override {
    auto it = std::back_inserter(out);
    for (const Part& part : parts_) {
      switch (part.field) {
        case 0: out += part.literal; break;
        case 't': out.append(message.stream); break;
        case 'p': fmt::format_to(it, "{}", message.shard); break;
        case 'o': fmt::format_to(it, "{}", message.seq); break;
        case 'T': fmt::format_to(it, "{}", message.ts); break;
        case 'k': out.append(message.has_key ? message.key : std::string_view()); break;
        case 'K':
          if (message.has_key) {
            fmt::format_to(it, "{}", message.key.size());
          } else {
            out += "-1";
          }
          break;
        case 's': out.append(message.payload); break;
        case 'S': fmt::format_to(it, "{}", message.payload.size()); break;
        case 'h':
          for (std::size_t i = 0; i < message.headers.size(); ++i) {
            if (i > 0) out += ',';
            out.append(message.headers[i].key);
            out += '=';
            out.append(message.headers[i].value);
          }
          break;
        default: SEA_ASSERT(false, "format part not compiled");
      }
    }
  }

 private:
  std::vector<Part> parts_;
};

Result<std::vector<Part>> compile(std::string_view format) {
  static constexpr std::string_view kFields = "tpoTkKsSh";
  std::vector<Part> parts;
  auto literal = [&]() -> std::string& {
    if (parts.empty() || parts.back().field != 0) parts.push_back(Part{});
    return parts.back().literal;
  };
  for (std::size_t i = 0; i < format.size(); ++i) {
    char c = format[i];
    if (c != '%' && c != '\\') {
      literal() += c;
      continue;
    }
    // Positions are 1-based characters, as a user counts them in the option's value.
    if (i + 1 == format.size()) {
      return make_error(Errc::invalid_argument, "format string ends with a lone '{}' (character {})", c, i + 1);
    }
    char next = format[++i];
    if (c == '%') {
      if (next == '%') {
        literal() += '%';
      } else if (kFields.find(next) != std::string_view::npos) {
        parts.push_back(Part{next, {}});
      } else {
        return make_error(Errc::invalid_argument,
                          "unknown format '%{}' at character {} (known: %t %p %o %T %k %K %s %S %h %%)", next, i);
      }
      continue;
    }
    switch (next) {
      case 'n': literal() += '\n'; break;
      case 't': literal() += '\t'; break;
      case 'r': literal() += '\r'; break;
      case '\\': literal() += '\\'; break;
      case '0': literal() += '\0'; break;
      default:
        return make_error(Errc::invalid_argument,
                          "unknown escape '\\{}' at character {} (known: \\n \\t \\r \\\\ \\0)", next, i);
    }
  }
  return parts;
}

}  // namespace

Result<std::unique_ptr<Encoder>> make_format_encoder(const EncoderOptions& options) {
  Result<std::vector<Part>> parts = compile(options.format_string);
  if (!parts.ok()) return std::move(parts).take_error();
  return std::unique_ptr<Encoder>(std::make_unique<FormatEncoder>(std::move(parts).value()));
}

}  // namespace sea::codecs::detail
