// sea::Admin: stream management through a cluster (what `sea streamer admin` does).
//
//   sea::Admin& admin = cluster.admin();
//   admin.create("orders", {.shards = 3});
//   for (const std::string& name : admin.list()) std::cout << name << "\n";
//   sea::StreamInfo info = admin.describe("orders");     // shards, seqs, retention, groups
//   admin.set_retention("orders", {.max_age_ms = 3'600'000});
//   admin.trim("orders", {.before_time = sea::now_ms() - 60'000});
//   admin.remove("orders");                               // `delete` is a C++ keyword
//
// Lifecycle: owned by its Cluster. Each call runs the cluster's loop until the answer is in,
// so call it outside loop callbacks. Errors: every call throws sea::Error (Errc::not_found for
// a stream that is not there, Errc::exists for create without if_not_exists, Errc::unsupported
// for what a backend cannot do, as the backend documents).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/options.hpp"
#include "core/streamer.hpp"

namespace sea {

class Admin {
 public:
  explicit Admin(core::Admin& admin) : admin_(admin) {}
  Admin(const Admin&) = delete;
  Admin& operator=(const Admin&) = delete;

  std::vector<std::string> list();
  StreamInfo describe(std::string_view stream);
  void create(std::string_view stream, const CreateOptions& options = {});
  void remove(std::string_view stream);
  void trim(std::string_view stream, const TrimSpec& spec);
  void set_retention(std::string_view stream, const Retention& retention);
  // Moves a group's committed position on one shard (the next message it reads has seq >= it).
  void set_group_position(std::string_view group, std::string_view stream, ShardId shard, SeqNo next_seq);

  core::Admin& core() { return admin_; }

 private:
  core::Admin& admin_;
};

}  // namespace sea
