// librdkafka's mock Kafka cluster (rdkafka_mock.h) behind a small API, for
// `sea streamer mock-kafka` and for tests that inject faults in-process. The cluster needs an
// rd_kafka_t whose only job is to host it; its brokers listen on 127.0.0.1 at ports the mock
// picks (librdkafka 2.0.2 cannot be told a port).
//
// Known limits of the 2.0.2 mock: about 5 MB kept per partition; ListOffsets by timestamp
// answers -1; no CreateTopics/DeleteTopics/AlterConfigs; read_committed is not enforced.
//
// Lifecycle and thread: the mock runs on librdkafka's own threads; the methods may be called
// from any one thread. Destroying it stops the brokers.
#pragma once

#include <memory>
#include <string>

#include "core/error.hpp"

namespace sea::kafka {

class MockCluster {
 public:
  static Result<std::unique_ptr<MockCluster>> create(int brokers);
  ~MockCluster();
  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;

  // host:port,host:port,... of every broker.
  std::string bootstrap() const;
  int brokers() const { return brokers_; }

  Result<void> create_topic(const std::string& name, int partitions);
  Result<void> broker_down(int broker_id);
  Result<void> broker_up(int broker_id);
  // The next `count` requests of the API (name as in the Kafka protocol, e.g. Produce, Fetch,
  // or its number) fail with `error` (a number or a name such as NOT_LEADER_FOR_PARTITION).
  Result<void> push_errors(const std::string& api, const std::string& error, int count);
  Result<void> set_leader(const std::string& topic, int partition, int broker_id);

  // Runs one text command: broker-down ID | broker-up ID | push-errors API ERR COUNT |
  // leader PARTITION TOPIC BROKER | topic NAME PARTITIONS. Returns "ok" or the error.
  Result<void> command(const std::string& line);

 private:
  MockCluster() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int brokers_ = 0;
};

}  // namespace sea::kafka
