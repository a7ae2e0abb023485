// Config-file loading and secret masking of kafka_properties.hpp.
#include "backends/kafka/kafka_properties.hpp"

#include <cerrno>
#include <fstream>
#include <sstream>

namespace sea::kafka {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<void> parse_properties(std::string_view text, std::string_view origin, Properties& into) {
  std::size_t line_no = 0;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    line = trim(line);
    if (line.empty() || line.front() == '#') continue;
    const std::size_t eq = line.find('=');
    if (eq == std::string_view::npos)
      return make_error(Errc::invalid_argument, "{} line {}: expected key=value, got '{}'", origin, line_no,
                        line.size() > 60 ? std::string(line.substr(0, 60)) + "..." : std::string(line));
    const std::string_view key = trim(line.substr(0, eq));
    if (key.empty()) return make_error(Errc::invalid_argument, "{} line {}: empty key before '='", origin, line_no);
    into[std::string(key)] = std::string(trim(line.substr(eq + 1)));
  }
  return ok();
}

Result<void> load_properties_file(const std::string& path, Properties& into) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return errno_error(errno, fmt::format("open Kafka config file {}", path));
  std::ostringstream text;
  text << in.rdbuf();
  // A config file is a handful of lines; anything large is not one.
  if (text.tellp() > (1 << 20))
    return make_error(Errc::invalid_argument, "Kafka config file {} is larger than 1 MiB", path);
  return parse_properties(text.str(), path, into);
}

bool is_secret_property(std::string_view key) {
  if (key.starts_with("topic.")) key.remove_prefix(6);
  return key.find("password") != std::string_view::npos || key.find("secret") != std::string_view::npos ||
         key == "sasl.oauthbearer.config" || key == "ssl.key.pem" || key == "ssl_key" ||
         key == "sasl.jaas.config";
}

std::string display_property(std::string_view key, std::string_view value) {
  return fmt::format("{}={}", key, is_secret_property(key) ? std::string_view("***") : value);
}

}  // namespace sea::kafka
