// librdkafka client properties as `sea` users give them: `-X key=value` pairs, config files of
// `key=value` lines (`-F file`, $SEA_STREAMER_KAFKA_CONFIG; the CLI decides which file), and the
// rule that secrets never reach a message. This header does not include rdkafka.h so that cli/
// can load config files without depending on librdkafka's API.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/options.hpp"

namespace sea::kafka {

// Reads a kcat-style config file: one `key=value` per line, `#` starts a comment line, blank
// lines are skipped, whitespace around key and value is trimmed. Keys already in `into` are
// overwritten (a later file or -X wins when the caller loads in that order). A line without '='
// is an error naming the file, the line number and the reason.
Result<void> load_properties_file(const std::string& path, Properties& into);

// Parses the text of such a file; `origin` names it in errors.
Result<void> parse_properties(std::string_view text, std::string_view origin, Properties& into);

// True for properties whose values are secrets (sasl.password, ssl.key.password, ...).
bool is_secret_property(std::string_view key);

// "key=value", or "key=***" for a secret: the only way a property is put into a message.
std::string display_property(std::string_view key, std::string_view value);

// Where librdkafka's own log lines go (syslog levels: 3 error, 4 warning, 6 info, 7 debug).
// By default nowhere; `sea` installs one that writes through spdlog. Called from librdkafka's
// threads: the handler must be thread-safe. Install it before connecting.
using KafkaLogHandler = std::function<void(int level, std::string_view facility, std::string_view message)>;
void set_kafka_log_handler(KafkaLogHandler handler);

}  // namespace sea::kafka
