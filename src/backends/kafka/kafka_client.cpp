// Error mapping, configuration building and client creation of kafka_client.hpp.
#include "backends/kafka/kafka_client.hpp"

#include "backends/kafka/kafka_properties.hpp"

namespace sea::kafka {

Errc errc_of(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
    case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT: return Errc::timeout;
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
    case RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND: return Errc::not_found;
    case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS: return Errc::exists;
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
    case RD_KAFKA_RESP_ERR_INVALID_PARTITIONS:
    case RD_KAFKA_RESP_ERR_INVALID_CONFIG:
    case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE: return Errc::invalid_argument;
    case RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED:
    case RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE:
    case RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION: return Errc::unsupported;
    case RD_KAFKA_RESP_ERR__DESTROY:
    case RD_KAFKA_RESP_ERR__FATAL: return Errc::closed;
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN: return Errc::io;
    default: return Errc::backend;
  }
}

Error kafka_error(rd_kafka_resp_err_t err, std::string_view what) {
  return Error{errc_of(err), fmt::format("{}: {} ({})", what, rd_kafka_err2str(err), rd_kafka_err2name(err)),
               static_cast<int>(err)};
}

namespace {

Result<void> set_one(rd_kafka_conf_t* conf, const std::string& key, const std::string& value) {
  char errstr[512] = {0};
  rd_kafka_conf_res_t res = rd_kafka_conf_set(conf, key.c_str(), value.c_str(), errstr, sizeof errstr);
  // Global properties such as topic.metadata.refresh.interval.ms start with "topic." too and
  // were taken above; otherwise the prefix names a topic property, as in kcat. librdkafka puts
  // topic properties given to the global conf into its default topic conf, so we do that,
  // after checking on a scratch topic conf that the name really is a topic property.
  if (res == RD_KAFKA_CONF_UNKNOWN && key.starts_with("topic.")) {
    TopicConfPtr scratch(rd_kafka_topic_conf_new());
    res = rd_kafka_topic_conf_set(scratch.get(), key.c_str() + 6, value.c_str(), errstr, sizeof errstr);
    if (res == RD_KAFKA_CONF_OK) res = rd_kafka_conf_set(conf, key.c_str() + 6, value.c_str(), errstr, sizeof errstr);
  }
  if (res == RD_KAFKA_CONF_OK) return ok();
  // librdkafka's message may quote the value: never let a secret through it.
  const std::string reason = is_secret_property(key) ? "invalid value" : std::string(errstr);
  return make_error(Errc::invalid_argument, "Kafka property {}: {}", display_property(key, value), reason);
}

}  // namespace

namespace {

KafkaLogHandler& log_handler() {
  static KafkaLogHandler handler;
  return handler;
}

// librdkafka's default logger writes to stderr; the library must not print, so its lines go
// to the handler the program installed (cli/ routes them to spdlog), or nowhere.
void log_to_handler(const rd_kafka_t*, int level, const char* facility, const char* message) {
  if (log_handler()) log_handler()(level, facility, message);
}

}  // namespace

void set_kafka_log_handler(KafkaLogHandler handler) { log_handler() = std::move(handler); }

Result<ConfPtr> build_conf(const ClientConfig& config) {
  ConfPtr conf(rd_kafka_conf_new());
  rd_kafka_conf_set_log_cb(conf.get(), &log_to_handler);
  Properties all = config.defaults;
  all["bootstrap.servers"] = config.bootstrap;
  all["client.id"] = config.client_id;
  for (const Properties* layer : {&config.user, &config.per_client, &config.forced})
    for (const auto& [key, value] : *layer) all[key] = value;
  for (const auto& [key, value] : all) SEA_TRY(set_one(conf.get(), key, value));
  return conf;
}

Result<HandlePtr> create_client(rd_kafka_type_t type, ConfPtr conf) {
  char errstr[512] = {0};
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), errstr, sizeof errstr);
  if (rk == nullptr) return make_error(Errc::invalid_argument, "create Kafka client: {}", errstr);
  (void)conf.release();  // rd_kafka_new owns it now
  return HandlePtr(rk);
}

}  // namespace sea::kafka
