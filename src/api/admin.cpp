// admin.hpp: the loop-driven Admin's calls, with stream names checked and errors thrown.
#include "api/admin.hpp"

#include "api/state.hpp"

namespace sea {

std::vector<std::string> sea::Admin::list() { return api::value_or_throw(admin_.list()); }

StreamInfo sea::Admin::describe(std::string_view stream) {
  return api::value_or_throw(admin_.describe(api::stream_key(stream)));
}

void sea::Admin::create(std::string_view stream, const CreateOptions& options) {
  api::check(admin_.create(api::stream_key(stream), options));
}

void sea::Admin::remove(std::string_view stream) { api::check(admin_.remove(api::stream_key(stream))); }

void sea::Admin::trim(std::string_view stream, const TrimSpec& spec) {
  api::check(admin_.trim(api::stream_key(stream), spec));
}

void sea::Admin::set_retention(std::string_view stream, const Retention& retention) {
  api::check(admin_.set_retention(api::stream_key(stream), retention));
}

void sea::Admin::set_group_position(std::string_view group, std::string_view stream, ShardId shard, SeqNo next_seq) {
  if (group.empty()) throw Error(Errc::invalid_argument, "set_group_position needs a group name");
  api::check(admin_.set_group_position(std::string(group), api::stream_key(stream), shard, next_seq));
}

}  // namespace sea
