// `sea streamer admin ACTION [KEY...]`: list, describe, create, delete, trim and set the retention
// of streams on any backend, through the library's Admin interface (core/streamer.hpp).
// Steps of run_admin: 1. check the action and its options, 2. connect, 3. run the action on each
// named stream, 4. print a table for people or, with --json, one JSON document for scripts
// (cli/admin_report.hpp). `delete` refuses to run without --yes when stdin is a terminal, so a
// slip of the fingers costs nothing; scripts (stdin not a TTY) need no --yes.
#include <unistd.h>

#include <algorithm>
#include <optional>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "backends/registry.hpp"
#include "cli/admin_report.hpp"
#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "cli/exit_codes.hpp"
#include "loop/loop.hpp"

namespace sea::cli {

struct AdminOptions {
  TargetOptions target;
  std::string action;
  std::vector<std::string> keys;  // positional stream keys, added to --topic
  bool json = false;
  std::uint32_t shards = 1;
  bool if_not_exists = false;
  std::string max_age;
  std::string max_bytes;
  std::string before_time;
  std::int64_t before_seq = -1;
  std::string keep_bytes;
  bool yes = false;
};

namespace {

Result<Retention> parse_retention(const AdminOptions& options) {
  Retention retention;
  if (!options.max_age.empty()) {
    Result<std::int64_t> age = parse_duration_ms(options.max_age);
    if (!age) return make_error(Errc::invalid_argument, "--max-age: {}", age.error().message);
    retention.max_age_ms = *age;
  }
  if (!options.max_bytes.empty()) {
    Result<std::uint64_t> bytes = parse_size(options.max_bytes);
    if (!bytes) return make_error(Errc::invalid_argument, "--max-bytes: {}", bytes.error().message);
    retention.max_bytes = *bytes;
  }
  return retention;
}

Result<TrimSpec> parse_trim(const AdminOptions& options) {
  TrimSpec spec;
  if (!options.before_time.empty()) {
    Result<Timestamp> t = parse_time(options.before_time);
    if (!t) return make_error(Errc::invalid_argument, "--before-time: {}", t.error().message);
    spec.before_time = *t;
  }
  if (options.before_seq >= 0) spec.before_seq = static_cast<SeqNo>(options.before_seq);
  if (!options.keep_bytes.empty()) {
    Result<std::uint64_t> bytes = parse_size(options.keep_bytes);
    if (!bytes) return make_error(Errc::invalid_argument, "--keep-bytes: {}", bytes.error().message);
    spec.keep_bytes = *bytes;
  }
  if (!spec.before_time && !spec.before_seq && !spec.keep_bytes)
    return make_error(Errc::invalid_argument, "trim needs --before-time T, --before-seq N or --keep-bytes SIZE");
  return spec;
}

// Runs `action` on one stream; describe and retention (with nothing to set) add to `out`.
Result<void> act(Admin& admin, const AdminOptions& options, const StreamKey& stream, nlohmann::json& out) {
  const std::string& a = options.action;
  if (a == "describe" || (a == "retention" && options.max_age.empty() && options.max_bytes.empty())) {
    Result<StreamInfo> info = admin.describe(stream);
    if (!info) return info.error();
    out.push_back(stream_json(*info));
    if (!options.json) fmt::print("{}", stream_table(*info));
    return ok();
  }
  if (a == "create") {
    CreateOptions create;
    create.shards = options.shards;
    create.if_not_exists = options.if_not_exists;
    Result<Retention> retention = parse_retention(options);
    if (!retention) return retention.error();
    create.retention = *retention;
    SEA_TRY(admin.create(stream, create));
  } else if (a == "delete") {
    SEA_TRY(admin.remove(stream));
  } else if (a == "trim") {
    Result<TrimSpec> spec = parse_trim(options);
    if (!spec) return spec.error();
    SEA_TRY(admin.trim(stream, *spec));
  } else if (a == "retention") {
    Result<Retention> retention = parse_retention(options);
    if (!retention) return retention.error();
    SEA_TRY(admin.set_retention(stream, *retention));
  }
  out.push_back({{"stream", stream.str()}, {"action", a}, {"ok", true}});
  if (!options.json) fmt::print("{} {}: done\n", a, stream.str());
  return ok();
}

}  // namespace

int run_admin(const AdminOptions& options) {
  setup_logging(options.target);
  // 1. The action and its streams.
  TargetOptions target_options = options.target;
  for (const std::string& key : options.keys) target_options.topics.push_back(key);
  Result<Target> target = resolve_target(target_options);
  if (!target) return report(target.error());
  if (options.action != "list" && target->streams.empty())
    return report(make_error(Errc::invalid_argument, "admin {} needs a stream: KEY, --topic KEY or --stream URI/KEY",
                             options.action));
  if (options.action == "delete" && !options.yes && isatty(STDIN_FILENO) == 1)
    return report(make_error(Errc::invalid_argument,
                             "admin delete removes every message of {} stream(s) for good: add --yes to confirm",
                             target->streams.size()));
  if (options.action == "trim") {
    Result<TrimSpec> spec = parse_trim(options);
    if (!spec) return report(spec.error());
  }
  Result<Retention> retention = parse_retention(options);
  if (!retention) return report(retention.error());

  // 2. Connect.
  loop::Loop loop;
  Result<std::unique_ptr<Streamer>> streamer = sea::connect(loop, target->cluster, target->connect);
  if (!streamer) return report(streamer.error());
  Admin& admin = (*streamer)->admin();

  // 3 and 4. Act and print.
  if (options.action == "list") {
    Result<std::vector<std::string>> names = admin.list();
    if (!names) return report(names.error());
    if (options.json) fmt::print("{}\n", nlohmann::json(*names).dump());
    else for (const std::string& name : *names) fmt::print("{}\n", name);
    return kExitOk;
  }
  nlohmann::json out = nlohmann::json::array();
  for (const StreamKey& stream : target->streams) {
    Result<void> done = act(admin, options, stream, out);
    if (!done) {
      if (options.json && !out.empty()) fmt::print("{}\n", out.dump());
      return report(done.error());
    }
  }
  if (options.json) fmt::print("{}\n", (out.size() == 1 ? out[0] : out).dump());
  return kExitOk;
}

void setup_admin(CLI::App& app, Runner& runner) {
  auto options = std::make_shared<AdminOptions>();
  app.footer(
      "Examples:\n"
      "  sea streamer admin list --cluster redis://localhost:6379\n"
      "  sea streamer admin create news --shards 3 --max-age 7d\n"
      "  sea streamer admin describe news --json | jq '.shards[].messages'\n"
      "  sea streamer admin trim news --before-time -1d\n"
      "  sea streamer admin retention news --max-bytes 1G\n"
      "  sea streamer admin delete news --yes");
  app.add_option("action", options->action, "list, describe, create, delete, trim or retention")
      ->required()
      ->check(CLI::Validator(
          [](std::string& action) -> std::string {
            static const std::vector<std::string> actions = {"list", "describe", "create", "delete", "trim", "retention"};
            if (std::find(actions.begin(), actions.end(), action) != actions.end()) return {};
            std::string message = "unknown action '" + action + "' (list, describe, create, delete, trim or retention)";
            if (std::optional<std::string> near = nearest_word(action, actions)) message += "; did you mean '" + *near + "'?";
            return message;
          },
          "ACTION"));
  app.add_option("keys", options->keys, "Stream key(s) to act on (or --topic)");
  add_target_options(app, options->target);
  app.add_flag("--json", options->json, "Print JSON instead of tables");
  app.add_option("--shards", options->shards, "create: number of shards (partitions)")->capture_default_str();
  app.add_flag("--if-not-exists", options->if_not_exists, "create: succeed when the stream already exists");
  app.add_option("--max-age", options->max_age, "create/retention: keep messages this long (10m, 7d)");
  app.add_option("--max-bytes", options->max_bytes, "create/retention: keep at most this much per shard (64M, 1G)");
  app.add_option("--before-time", options->before_time, "trim: remove messages older than this time");
  app.add_option("--before-seq", options->before_seq, "trim: remove messages before this seq (every shard)");
  app.add_option("--keep-bytes", options->keep_bytes, "trim: keep only the newest SIZE bytes per shard");
  app.add_flag("--yes,-y", options->yes, "delete: confirm (required when stdin is a terminal)");
  app.callback([&runner, options] { runner = [options] { return run_admin(*options); }; });
}

}  // namespace sea::cli
