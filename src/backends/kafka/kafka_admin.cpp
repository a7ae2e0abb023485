// KafkaAdmin: metadata, offsets and the Admin API calls of kafka_admin.hpp.
#include "backends/kafka/kafka_admin.hpp"

#include <algorithm>

#include "backends/kafka/kafka_groups.hpp"
#include "backends/kafka/time_seek.hpp"

namespace sea::kafka {

namespace {

// Admin requests a cluster does not implement are never answered: librdkafka waits for a
// broker that supports them until this runs out.
constexpr int kAdminTimeoutMs = 5'000;

// Names the request the cluster refused, with the mock's known gaps spelled out.
Error admin_error(rd_kafka_resp_err_t err, std::string_view what, std::string_view api) {
  if (err == RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE || err == RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION ||
      err == RD_KAFKA_RESP_ERR_INVALID_REQUEST || err == RD_KAFKA_RESP_ERR__TIMED_OUT)
    return Error{Errc::unsupported,
                 fmt::format("{}: the Kafka cluster does not answer {} requests ({}); librdkafka's mock "
                             "cluster does not implement {} at all (its topics are created on first use "
                             "or with `sea streamer mock-kafka --topic NAME:PARTITIONS`)",
                             what, api, rd_kafka_err2name(err), api),
                 static_cast<int>(err)};
  return kafka_error(err, what);
}

struct AdminDeleter {
  void operator()(rd_kafka_NewTopic_t* t) const { rd_kafka_NewTopic_destroy(t); }
  void operator()(rd_kafka_DeleteTopic_t* t) const { rd_kafka_DeleteTopic_destroy(t); }
  void operator()(rd_kafka_ConfigResource_t* c) const { rd_kafka_ConfigResource_destroy(c); }
  void operator()(rd_kafka_DeleteRecords_t* d) const { rd_kafka_DeleteRecords_destroy(d); }
  void operator()(rd_kafka_AdminOptions_t* o) const { rd_kafka_AdminOptions_destroy(o); }
};

template <class T>
using AdminPtr = std::unique_ptr<T, AdminDeleter>;

AdminPtr<rd_kafka_AdminOptions_t> admin_options(rd_kafka_t* rk, rd_kafka_admin_op_t op) {
  AdminPtr<rd_kafka_AdminOptions_t> options(rd_kafka_AdminOptions_new(rk, op));
  char errstr[256];
  rd_kafka_AdminOptions_set_request_timeout(options.get(), kAdminTimeoutMs, errstr, sizeof errstr);
  return options;
}

// Checks the per-topic results of CreateTopics / DeleteTopics.
Result<void> check_topic_results(const rd_kafka_topic_result_t** results, std::size_t n, std::string_view what,
                                 std::string_view api) {
  for (std::size_t i = 0; i < n; ++i) {
    const rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    Error e = admin_error(err, what, api);
    if (e.code != Errc::unsupported && rd_kafka_topic_result_error_string(results[i]) != nullptr)
      e.message = fmt::format("{}: {}", what, rd_kafka_topic_result_error_string(results[i]));
    return e;
  }
  return ok();
}

}  // namespace

Result<rd_kafka_t*> KafkaAdmin::client() {
  if (rk_) return rk_.get();
  ClientConfig config = config_;
  config.client_id = config_.client_id + "-admin";
  Result<ConfPtr> conf = build_conf(config);
  if (!conf) return conf.error();
  Result<HandlePtr> rk = create_client(RD_KAFKA_PRODUCER, std::move(*conf));
  if (!rk) return rk.error();
  rk_ = std::move(*rk);
  return rk_.get();
}

Result<EventPtr> KafkaAdmin::wait_result(rd_kafka_queue_t* queue, std::string_view what) {
  EventPtr event(rd_kafka_queue_poll(queue, kAdminTimeoutMs + 1000));
  if (!event) return kafka_error(RD_KAFKA_RESP_ERR__TIMED_OUT, what);
  if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR)
    return kafka_error(rd_kafka_event_error(event.get()), what);
  return event;
}

Result<std::vector<std::string>> KafkaAdmin::list() {
  Result<rd_kafka_t*> rk = client();
  if (!rk) return rk.error();
  const rd_kafka_metadata_t* md = nullptr;
  if (rd_kafka_resp_err_t err = rd_kafka_metadata(*rk, 1, nullptr, &md, kSyncTimeoutMs))
    return kafka_error(err, "list topics");
  std::vector<std::string> names;
  for (int i = 0; i < md->topic_cnt; ++i)
    if (!std::string_view(md->topics[i].topic).starts_with("__")) names.emplace_back(md->topics[i].topic);
  rd_kafka_metadata_destroy(md);
  std::sort(names.begin(), names.end());
  return names;
}

Result<std::vector<std::int32_t>> KafkaAdmin::partitions(const std::string& topic) {
  Result<rd_kafka_t*> rk = client();
  if (!rk) return rk.error();
  // All-topics metadata: asking for one topic by name would auto-create it on some clusters.
  const rd_kafka_metadata_t* md = nullptr;
  if (rd_kafka_resp_err_t err = rd_kafka_metadata(*rk, 1, nullptr, &md, kSyncTimeoutMs))
    return kafka_error(err, fmt::format("read metadata of {}", topic));
  std::vector<std::int32_t> ids;
  for (int i = 0; i < md->topic_cnt; ++i)
    if (topic == md->topics[i].topic)
      for (int p = 0; p < md->topics[i].partition_cnt; ++p) ids.push_back(md->topics[i].partitions[p].id);
  rd_kafka_metadata_destroy(md);
  if (ids.empty()) return make_error(Errc::not_found, "topic {} does not exist", topic);
  std::sort(ids.begin(), ids.end());
  return ids;
}

Result<StreamInfo> KafkaAdmin::describe(const StreamKey& stream) {
  Result<std::vector<std::int32_t>> ids = partitions(stream.str());
  if (!ids) return ids.error();
  std::vector<PartitionRef> refs;
  for (const std::int32_t id : *ids) refs.push_back({stream.str(), id});
  Result<std::vector<std::pair<std::int64_t, std::int64_t>>> marks = query_watermarks(*client(), refs);
  if (!marks) return marks.error();
  StreamInfo info;
  info.name = stream.str();
  for (std::size_t i = 0; i < refs.size(); ++i) {
    ShardInfo shard;
    shard.id = static_cast<ShardId>(refs[i].partition);
    shard.first_seq = static_cast<SeqNo>((*marks)[i].first);
    shard.next_seq = static_cast<SeqNo>((*marks)[i].second);
    shard.messages = shard.next_seq - shard.first_seq;
    info.shards.push_back(shard);
  }
  // Groups are best effort: clusters (and the mock) that do not list groups just show none.
  (void)describe_groups(stream.str(), info);
  return info;
}

Result<void> KafkaAdmin::describe_groups(const std::string& topic, StreamInfo& info) {
  // One long-lived client for all groups: ListGroups, then ListConsumerGroupOffsets per group.
  std::uint64_t requests = 0;
  Result<std::vector<ListedGroup>> groups = list_groups(*client(), 1, requests);
  if (!groups) return groups.error();
  std::vector<std::string> names;
  for (const ListedGroup& g : *groups) names.push_back(g.name);
  std::vector<PartitionRef> refs;
  for (const ShardInfo& s : info.shards) refs.push_back({topic, static_cast<std::int32_t>(s.id)});
  Result<std::map<std::string, CommittedOffsets>> committed = committed_offsets(*client(), names, refs, requests);
  if (!committed) return committed.error();
  for (const ListedGroup& group : *groups) {
    const auto offsets = committed->find(group.name);
    if (offsets == committed->end()) continue;
    GroupInfo gi;
    gi.name = group.name;
    gi.members = group.members;
    for (const ShardInfo& s : info.shards) {
      const auto it = offsets->second.find({topic, static_cast<std::int32_t>(s.id)});
      if (it == offsets->second.end()) continue;
      const auto next = static_cast<SeqNo>(it->second);
      gi.committed.emplace_back(s.id, next);
      gi.lag += s.next_seq > next ? s.next_seq - next : 0;
    }
    if (!gi.committed.empty()) info.groups.push_back(std::move(gi));
  }
  return ok();
}

Result<void> KafkaAdmin::create(const StreamKey& stream, const CreateOptions& options) {
  Result<rd_kafka_t*> rk = client();
  if (!rk) return rk.error();
  if (options.if_not_exists && partitions(stream.str())) return ok();
  const std::string what = fmt::format("create topic {}", stream.str());
  char errstr[512] = {0};
  AdminPtr<rd_kafka_NewTopic_t> topic(rd_kafka_NewTopic_new(stream.str().c_str(), static_cast<int>(options.shards), -1, errstr, sizeof errstr));
  if (!topic) return make_error(Errc::invalid_argument, "{}: {}", what, errstr);
  if (options.retention.max_age_ms)
    rd_kafka_NewTopic_set_config(topic.get(), "retention.ms", std::to_string(*options.retention.max_age_ms).c_str());
  if (options.retention.max_bytes)
    rd_kafka_NewTopic_set_config(topic.get(), "retention.bytes", std::to_string(*options.retention.max_bytes).c_str());
  QueuePtr queue(rd_kafka_queue_new(*rk));
  rd_kafka_NewTopic_t* topics[] = {topic.get()};
  rd_kafka_CreateTopics(*rk, topics, 1, admin_options(*rk, RD_KAFKA_ADMIN_OP_CREATETOPICS).get(), queue.get());
  Result<EventPtr> event = wait_result(queue.get(), what);
  if (!event) return admin_error(static_cast<rd_kafka_resp_err_t>(event.error().backend_code), what, "CreateTopics");
  std::size_t n = 0;
  const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event->get()), &n);
  Result<void> checked = check_topic_results(results, n, what, "CreateTopics");
  if (!checked && options.if_not_exists && checked.error().code == Errc::exists) return ok();
  return checked;
}

Result<void> KafkaAdmin::remove(const StreamKey& stream) {
  Result<rd_kafka_t*> rk = client();
  if (!rk) return rk.error();
  const std::string what = fmt::format("delete topic {}", stream.str());
  AdminPtr<rd_kafka_DeleteTopic_t> topic(rd_kafka_DeleteTopic_new(stream.str().c_str()));
  QueuePtr queue(rd_kafka_queue_new(*rk));
  rd_kafka_DeleteTopic_t* topics[] = {topic.get()};
  rd_kafka_DeleteTopics(*rk, topics, 1, admin_options(*rk, RD_KAFKA_ADMIN_OP_DELETETOPICS).get(), queue.get());
  Result<EventPtr> event = wait_result(queue.get(), what);
  if (!event) return admin_error(static_cast<rd_kafka_resp_err_t>(event.error().backend_code), what, "DeleteTopics");
  std::size_t n = 0;
  const rd_kafka_topic_result_t** results = rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(event->get()), &n);
  return check_topic_results(results, n, what, "DeleteTopics");
}

Result<void> KafkaAdmin::set_retention(const StreamKey& stream, const Retention& retention) {
  Result<rd_kafka_t*> rk = client();
  if (!rk) return rk.error();
  if (!retention.max_age_ms && !retention.max_bytes)
    return make_error(Errc::invalid_argument, "set retention of {}: give a maximum age or size", stream.str());
  const std::string what = fmt::format("set retention of topic {}", stream.str());
  AdminPtr<rd_kafka_ConfigResource_t> res(rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, stream.str().c_str()));
  // AlterConfigs replaces the whole topic config: name both settings, -1 meaning unlimited.
  rd_kafka_ConfigResource_set_config(res.get(), "retention.ms", std::to_string(retention.max_age_ms.value_or(-1)).c_str());
  rd_kafka_ConfigResource_set_config(res.get(), "retention.bytes",
      retention.max_bytes ? std::to_string(*retention.max_bytes).c_str() : "-1");
  QueuePtr queue(rd_kafka_queue_new(*rk));
  rd_kafka_ConfigResource_t* resources[] = {res.get()};
  rd_kafka_AlterConfigs(*rk, resources, 1, admin_options(*rk, RD_KAFKA_ADMIN_OP_ALTERCONFIGS).get(), queue.get());
  Result<EventPtr> event = wait_result(queue.get(), what);
  if (!event) return admin_error(static_cast<rd_kafka_resp_err_t>(event.error().backend_code), what, "AlterConfigs");
  std::size_t n = 0;
  const rd_kafka_ConfigResource_t** out = rd_kafka_AlterConfigs_result_resources(rd_kafka_event_AlterConfigs_result(event->get()), &n);
  for (std::size_t i = 0; i < n; ++i)
    if (rd_kafka_resp_err_t err = rd_kafka_ConfigResource_error(out[i])) return admin_error(err, what, "AlterConfigs");
  return ok();
}

Result<void> KafkaAdmin::trim(const StreamKey& stream, const TrimSpec& spec) {
  if (spec.keep_bytes) return make_error(Errc::unsupported, "trim {}: Kafka cannot trim to a size; set retention.bytes with `admin retention` instead", stream.str());
  Result<std::vector<std::int32_t>> ids = partitions(stream.str());
  if (!ids) return ids.error();
  std::vector<PartitionRef> refs;
  for (const std::int32_t id : *ids) refs.push_back({stream.str(), id});
  std::vector<std::int64_t> before(refs.size(), static_cast<std::int64_t>(spec.before_seq.value_or(0)));
  if (spec.before_time) {
    Result<std::vector<std::int64_t>> offsets = resolve_time(config_, refs, *spec.before_time);
    if (!offsets) return offsets.error();
    before = *offsets;
  }
  const std::string what = fmt::format("trim topic {}", stream.str());
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(refs.size())));
  for (std::size_t i = 0; i < refs.size(); ++i)
    rd_kafka_topic_partition_list_add(list.get(), refs[i].topic.c_str(), refs[i].partition)->offset = before[i];
  AdminPtr<rd_kafka_DeleteRecords_t> records(rd_kafka_DeleteRecords_new(list.get()));
  QueuePtr queue(rd_kafka_queue_new(*client()));
  rd_kafka_DeleteRecords_t* all[] = {records.get()};
  rd_kafka_DeleteRecords(*client(), all, 1, admin_options(*client(), RD_KAFKA_ADMIN_OP_DELETERECORDS).get(), queue.get());
  Result<EventPtr> event = wait_result(queue.get(), what);
  if (!event) return admin_error(static_cast<rd_kafka_resp_err_t>(event.error().backend_code), what, "DeleteRecords");
  const rd_kafka_topic_partition_list_t* out = rd_kafka_DeleteRecords_result_offsets(rd_kafka_event_DeleteRecords_result(event->get()));
  for (int i = 0; out != nullptr && i < out->cnt; ++i)
    if (out->elems[i].err) return admin_error(out->elems[i].err, what, "DeleteRecords");
  return ok();
}

Result<void> KafkaAdmin::set_group_position(const std::string& group, const StreamKey& stream, ShardId shard,
                                            SeqNo next_seq) {
  // A commit of explicit offsets needs no group membership: a client of that group id is enough.
  ClientConfig config = config_;
  config.forced = {{"group.id", group}, {"enable.auto.commit", "false"}};
  Result<ConfPtr> conf = build_conf(config);
  if (!conf) return conf.error();
  Result<HandlePtr> rk = create_client(RD_KAFKA_CONSUMER, std::move(*conf));
  if (!rk) return rk.error();
  PartitionListPtr list(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(list.get(), stream.str().c_str(), static_cast<std::int32_t>(shard))->offset =
      static_cast<std::int64_t>(next_seq);
  if (rd_kafka_resp_err_t err = rd_kafka_commit(rk->get(), list.get(), 0))
    return kafka_error(err, fmt::format("move group {} on {} [{}] to {}", group, stream.str(), shard, next_seq));
  for (int i = 0; i < list->cnt; ++i)
    if (list->elems[i].err) return kafka_error(list->elems[i].err, fmt::format("move group {}", group));
  rd_kafka_consumer_close(rk->get());
  return ok();
}

}  // namespace sea::kafka
