// MockCluster over rdkafka_mock.h, and the text commands of `sea streamer mock-kafka`'s stdin.
#include "backends/kafka/mock_cluster.hpp"

#include <charconv>
#include <sstream>
#include <vector>

// rdkafka_mock.h needs rdkafka.h first, which kafka_client.hpp includes.
#include "backends/kafka/kafka_client.hpp"
#include <librdkafka/rdkafka_mock.h>

namespace sea::kafka {

struct MockCluster::Impl {
  HandlePtr host;  // the rd_kafka_t that hosts the cluster and does nothing else
  rd_kafka_mock_cluster_t* cluster = nullptr;
};

namespace {

struct ApiName {
  const char* name;
  std::int16_t key;
};

// Kafka protocol ApiKeys that the mock serves or a test may want to break.
constexpr ApiName kApis[] = {
    {"Produce", 0},       {"Fetch", 1},          {"ListOffsets", 2},       {"Metadata", 3},
    {"OffsetCommit", 8},  {"OffsetFetch", 9},    {"FindCoordinator", 10},  {"JoinGroup", 11},
    {"Heartbeat", 12},    {"LeaveGroup", 13},    {"SyncGroup", 14},        {"DescribeGroups", 15},
    {"ListGroups", 16},   {"ApiVersions", 18},   {"CreateTopics", 19},     {"DeleteTopics", 20},
    {"DeleteRecords", 21}, {"InitProducerId", 22}, {"AddPartitionsToTxn", 24}, {"AddOffsetsToTxn", 25},
    {"EndTxn", 26},       {"TxnOffsetCommit", 28}, {"DescribeConfigs", 32}, {"AlterConfigs", 33},
};

template <class T>
bool parse_int(std::string_view s, T& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

Result<std::int16_t> api_key(const std::string& name) {
  std::int16_t key = 0;
  if (parse_int(name, key)) return key;
  for (const ApiName& a : kApis)
    if (name == a.name) return a.key;
  std::string known;
  for (const ApiName& a : kApis) known += fmt::format("{}{}", known.empty() ? "" : ", ", a.name);
  return make_error(Errc::invalid_argument, "unknown API '{}': use a number or one of {}", name, known);
}

Result<rd_kafka_resp_err_t> error_code(std::string name) {
  int code = 0;
  if (parse_int(name, code)) return static_cast<rd_kafka_resp_err_t>(code);
  if (name.starts_with("RD_KAFKA_RESP_ERR_")) name = name.substr(18);
  const rd_kafka_err_desc* descs = nullptr;
  std::size_t n = 0;
  rd_kafka_get_err_descs(&descs, &n);
  for (std::size_t i = 0; i < n; ++i)
    if (descs[i].name != nullptr && name == descs[i].name) return descs[i].code;
  return make_error(Errc::invalid_argument, "unknown error '{}': use a number or a name such as NOT_LEADER_FOR_PARTITION", name);
}

Result<void> check(rd_kafka_resp_err_t err, std::string_view what) {
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return ok();
  return kafka_error(err, what);
}

}  // namespace

Result<std::unique_ptr<MockCluster>> MockCluster::create(int brokers) {
  if (brokers < 1 || brokers > 64) return make_error(Errc::invalid_argument, "--brokers {}: expected 1 to 64", brokers);
  ClientConfig config;
  config.client_id = "sea-mock-kafka";
  config.defaults["log_level"] = std::string("3");
  Result<ConfPtr> conf = build_conf(config);
  if (!conf) return conf.error();
  Result<HandlePtr> host = create_client(RD_KAFKA_PRODUCER, std::move(*conf));
  if (!host) return host.error();
  std::unique_ptr<MockCluster> self(new MockCluster());
  self->impl_ = std::make_unique<Impl>();
  self->impl_->host = std::move(*host);
  self->impl_->cluster = rd_kafka_mock_cluster_new(self->impl_->host.get(), brokers);
  if (self->impl_->cluster == nullptr) return make_error(Errc::backend, "librdkafka could not start a mock cluster of {} brokers", brokers);
  self->brokers_ = brokers;
  return self;
}

MockCluster::~MockCluster() {
  if (impl_ && impl_->cluster != nullptr) rd_kafka_mock_cluster_destroy(impl_->cluster);
}

std::string MockCluster::bootstrap() const { return rd_kafka_mock_cluster_bootstraps(impl_->cluster); }

Result<void> MockCluster::create_topic(const std::string& name, int partitions) {
  if (partitions < 1) return make_error(Errc::invalid_argument, "topic {}: partitions must be at least 1", name);
  return check(rd_kafka_mock_topic_create(impl_->cluster, name.c_str(), partitions, std::min(brokers_, 3)),
               fmt::format("create topic {}", name));
}

Result<void> MockCluster::broker_down(int id) {
  return check(rd_kafka_mock_broker_set_down(impl_->cluster, id), fmt::format("broker-down {}", id));
}

Result<void> MockCluster::broker_up(int id) {
  return check(rd_kafka_mock_broker_set_up(impl_->cluster, id), fmt::format("broker-up {}", id));
}

Result<void> MockCluster::push_errors(const std::string& api, const std::string& error, int count) {
  Result<std::int16_t> key = api_key(api);
  if (!key) return key.error();
  Result<rd_kafka_resp_err_t> code = error_code(error);
  if (!code) return code.error();
  if (count < 1) return make_error(Errc::invalid_argument, "push-errors: COUNT must be at least 1");
  std::vector<rd_kafka_resp_err_t> errors(static_cast<std::size_t>(count), *code);
  rd_kafka_mock_push_request_errors_array(impl_->cluster, *key, errors.size(), errors.data());
  return ok();
}

Result<void> MockCluster::set_leader(const std::string& topic, int partition, int broker_id) {
  return check(rd_kafka_mock_partition_set_leader(impl_->cluster, topic.c_str(), partition, broker_id),
               fmt::format("leader {} {} {}", partition, topic, broker_id));
}

Result<void> MockCluster::command(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> w;
  for (std::string word; in >> word;) w.push_back(word);
  if (w.empty()) return make_error(Errc::invalid_argument, "empty command");
  const auto number = [&](std::size_t i, int& out) -> Result<void> {
    if (!parse_int(w[i], out)) return make_error(Errc::invalid_argument, "{}: '{}' is not a number", w[0], w[i]);
    return ok();
  };
  int a = 0, b = 0;
  if ((w[0] == "broker-down" || w[0] == "broker-up") && w.size() == 2) {
    SEA_TRY(number(1, a));
    return w[0] == "broker-down" ? broker_down(a) : broker_up(a);
  }
  if (w[0] == "push-errors" && w.size() == 4) {
    SEA_TRY(number(3, a));
    return push_errors(w[1], w[2], a);
  }
  if (w[0] == "leader" && w.size() == 4) {
    SEA_TRY(number(1, a));
    SEA_TRY(number(3, b));
    return set_leader(w[2], a, b);
  }
  if (w[0] == "topic" && w.size() == 3) {
    SEA_TRY(number(2, a));
    return create_topic(w[1], a);
  }
  return make_error(Errc::invalid_argument,
                    "unknown command '{}': expected broker-down ID, broker-up ID, push-errors API ERR COUNT, "
                    "leader PARTITION TOPIC BROKER or topic NAME PARTITIONS", line);
}

}  // namespace sea::kafka
