// The command router of router.hpp: one Connection for redis://, a slot map and one
// Connection per node for redis-cluster://.
#include "backends/redis/router.hpp"

#include <hiredis/hiredis.h>
#include <unistd.h>

#include <charconv>
#include <unordered_set>

#include "backends/redis/layout.hpp"

namespace sea::redis {

namespace {

constexpr int kMaxRedirects = 5;
// While a master of the map is not connected (killed, its replica not promoted yet), the map is
// asked for again this often, so that held commands go to the new master soon after.
constexpr std::uint64_t kRefreshWhileDownMs = 250;

std::string client_name(std::string_view role, std::string_view name) {
  std::string out = fmt::format("sea-{}-{}-{}", role, name, ::getpid());
  for (char& c : out)
    if (c == ' ' || c == '\n' || c == '\r') c = '_';
  return out;
}

}  // namespace

Result<std::uint64_t> Router::check(const Uri& uri, const ConnectOptions& options) {
  if (uri.hosts.empty()) return make_error(Errc::invalid_argument, "'{}' names no Redis host", uri.display());
  if (uri.scheme == Scheme::redis_cluster && uri.db != 0)
    return make_error(Errc::invalid_argument, "'{}': Redis Cluster has only database 0", uri.display());
  std::uint64_t timeout = 5000;
  for (const auto& [name, value] : options.properties) {
    if (name == "command.timeout.ms") {
      const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), timeout);
      if (ec != std::errc() || ptr != value.data() + value.size() || timeout == 0)
        return make_error(Errc::invalid_argument, "-X command.timeout.ms={}: expected a positive number of ms", value);
    } else {
      return make_error(Errc::invalid_argument,
                        "-X {}: not a property of the redis backend (known: command.timeout.ms)", name);
    }
  }
  return timeout;
}

Result<std::unique_ptr<Router>> Router::create(loop::Loop& loop, const Uri& uri, const ConnectOptions& options,
                                               std::string_view role) {
  Result<std::uint64_t> timeout = check(uri, options);
  if (!timeout) return timeout.error();
  std::unique_ptr<Router> router(new Router(loop, uri, options, role));
  router->command_timeout_ms_ = *timeout;
  if (!router->cluster_) {
    router->node_index(uri.hosts.front());
  } else {
    for (const HostPort& seed : uri.hosts) router->node_index(seed);
    router->refresh_map();
  }
  return router;
}

Router::Router(loop::Loop& loop, const Uri& uri, const ConnectOptions& options, std::string_view role)
    : loop_(loop), cluster_(uri.scheme == Scheme::redis_cluster), uri_(uri), client_name_(options.client_name),
      role_(role), refresh_timer_(loop) {
  slots_.fill(-1);
}

Router::~Router() = default;

ConnectionConfig Router::config_for(const HostPort& address, std::string_view role) const {
  ConnectionConfig config;
  config.address = address;
  config.user = uri_.user;
  config.password = uri_.password;
  config.db = cluster_ ? 0 : uri_.db;
  config.name = client_name(role, client_name_);
  config.command_timeout_ms = command_timeout_ms_;
  return config;
}

std::size_t Router::node_index(const HostPort& address) {
  const std::string name = fmt::format("{}:{}", address.host, address.port);
  const auto found = node_by_address_.find(name);
  if (found != node_by_address_.end()) return found->second;
  const std::size_t index = nodes_.size();
  nodes_.push_back(Node{std::make_unique<Connection>(loop_, config_for(address, role_)), !cluster_});
  node_by_address_.emplace(name, index);
  nodes_[index].connection->set_on_state([this, index](bool up) { on_node_state(index, up); });
  nodes_[index].connection->set_on_fatal([this](const std::string& why) {
    if (on_fatal_) on_fatal_(why);
  });
  nodes_[index].connection->set_on_drained([this] {
    if (on_drained_) on_drained_();
  });
  nodes_[index].connection->start();
  return index;
}

bool Router::ready() const {
  if (!cluster_) return nodes_.front().connection->up();
  return map_loaded_;
}

bool Router::backlogged(std::string_view key) const {
  if (!cluster_) return nodes_.front().connection->backlogged();
  if (!map_loaded_) return false;
  const std::int16_t node = slots_[cluster_slot(key)];
  return node >= 0 && nodes_[static_cast<std::size_t>(node)].connection->backlogged();
}

const std::string& Router::last_error() const { return nodes_.front().connection->last_error(); }

void Router::on_node_state(std::size_t node, bool up) {
  (void)node;
  if (!up) {
    if (cluster_) refresh_map();
    return;
  }
  // Send what was held for this node while it was connecting.
  release();
  if (cluster_ && !map_loaded_) {
    refresh_map();
    return;
  }
  // A master of the map still down: the first node up after an outage asks for the new map.
  if (cluster_ && master_down()) refresh_map();
  if (on_ready_) on_ready_();
}

bool Router::master_down() const {
  for (const Node& node : nodes_)
    if (node.master && !node.connection->up()) return true;
  return false;
}

void Router::refresh_map() {
  if (!cluster_ || refreshing_) return;
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    Connection& c = *nodes_[i].connection;
    if (!c.up()) continue;
    Result<void> sent = c.command(format_command({"CLUSTER", "SLOTS"}), [this, i](redisReply* reply, const Error* error) {
      refreshing_ = false;
      if (error == nullptr && reply->type == REDIS_REPLY_ARRAY) {
        on_slots(reply, i);
      } else {
        refresh_timer_.start(200, 0, [this] { refresh_map(); });
      }
    });
    if (sent) {
      refreshing_ = true;
      return;
    }
  }
  // No node is up yet: the first one to connect calls back into refresh_map.
}

void Router::on_slots(redisReply* reply, std::size_t from) {
  std::array<std::int16_t, kSlotCount> slots;
  slots.fill(-1);
  for (Node& node : nodes_) node.master = false;
  for (std::size_t i = 0; i < reply->elements; ++i) {
    const redisReply* range = reply->element[i];
    if (range->type != REDIS_REPLY_ARRAY || range->elements < 3) continue;
    const redisReply* master = range->element[2];
    if (master->type != REDIS_REPLY_ARRAY || master->elements < 2) continue;
    HostPort address{std::string(reply_text(master->element[0])), static_cast<std::uint16_t>(master->element[1]->integer)};
    // An empty host means "the node you asked".
    if (address.host.empty() || address.host == "?") address.host = nodes_[from].connection->config().address.host;
    const std::size_t index = node_index(address);
    nodes_[index].master = true;
    const long long first = range->element[0]->integer;
    const long long last = range->element[1]->integer;
    for (long long s = first; s <= last && s < static_cast<long long>(kSlotCount); ++s)
      slots[static_cast<std::size_t>(s)] = static_cast<std::int16_t>(index);
  }
  slots_ = slots;
  map_loaded_ = true;
  // Held commands follow their slot to its node in the new map (not those redirected by ASK:
  // the slot is still the old node's). One held for a given node that is neither a master now
  // nor connected fails: it would wait forever (its caller, e.g. a SCAN of every master, asks
  // the new masters again).
  std::vector<Waiting> gone;
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    if (it->slot >= 0 && !it->asking && slots_[static_cast<std::size_t>(it->slot)] >= 0) {
      it->node = static_cast<std::size_t>(slots_[static_cast<std::size_t>(it->slot)]);
    } else if (it->slot < 0 && !nodes_[it->node].master && !nodes_[it->node].connection->up()) {
      gone.push_back(std::move(*it));
      it = waiting_.erase(it);
      continue;
    }
    ++it;
  }
  for (Waiting& w : gone) {
    const Error error = make_error(Errc::closed, "{} is no longer a master of the Redis Cluster",
                                   nodes_[w.node].connection->config().address.host);
    if (w.fn) w.fn(nullptr, &error);
  }
  release();
  // A master that is down (killed): its replica takes over after the cluster's node timeout,
  // and only a new map says where.
  if (master_down()) refresh_timer_.start(kRefreshWhileDownMs, 0, [this] { refresh_map(); });
  if (on_ready_) on_ready_();
}

std::vector<std::size_t> Router::masters() const {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < nodes_.size(); ++i)
    if (nodes_[i].master) out.push_back(i);
  return out;
}

Result<void> Router::command_node(std::size_t node, std::string_view formatted, ReplyFn fn) {
  if (node >= nodes_.size()) return make_error(Errc::invalid_argument, "no Redis node #{}", node);
  if (!cluster_) return nodes_[node].connection->command(formatted, std::move(fn));  // closed when down
  // In a cluster, held while that node is connecting.
  return route(Waiting{node, -1, next_order_++, std::string(formatted), std::move(fn), 0, false});
}

Result<void> Router::command(std::string_view key, std::string_view formatted, ReplyFn fn) {
  if (!cluster_) return nodes_.front().connection->command(formatted, std::move(fn));
  if (!map_loaded_) return make_error(Errc::closed, "the Redis Cluster slot map is not known yet");
  const std::uint16_t slot = cluster_slot(key);
  const std::int16_t node = slots_[slot];
  if (node < 0) return make_error(Errc::backend, "no Redis Cluster node serves the slot of '{}'", key);
  // A master found by the last map may still be connecting, or the slot's earlier commands may
  // still be in flight to its previous node: then it is held, and sent in order.
  return route(Waiting{static_cast<std::size_t>(node), slot, next_order_++, std::string(formatted), std::move(fn), 0,
                       false});
}

bool Router::sendable(const Waiting& w) const {
  if (!nodes_[w.node].connection->up()) return false;
  if (w.slot < 0) return true;
  const auto it = slot_states_.find(w.slot);
  return it == slot_states_.end() || it->second.in_flight == 0 || it->second.node == w.node;
}

Result<void> Router::route(Waiting w) {
  if (w.slot >= 0) {
    const auto it = slot_states_.find(w.slot);
    if (it != slot_states_.end() && it->second.held > 0) {
      hold(std::move(w));
      return ok();
    }
  }
  if (!sendable(w)) {
    hold(std::move(w));
    return ok();
  }
  return send_to(std::move(w));
}

void Router::hold(Waiting w) {
  auto pos = waiting_.end();
  if (w.slot >= 0) {
    // After the last held command of its slot given before it: a command given now goes last,
    // one redirected by MOVED/ASK goes back among the slot's held ones.
    SlotState& state = slot_states_[w.slot];
    std::uint32_t later = 0;  // held commands of the slot given after w, passed so far
    while (later < state.held && pos != waiting_.begin()) {
      const auto prev = std::prev(pos);
      if (prev->slot == w.slot) {
        if (prev->order < w.order) break;
        ++later;
      }
      pos = prev;
    }
    ++state.held;
  }
  waiting_.insert(pos, std::move(w));
}

void Router::release() {
  if (releasing_ || waiting_.empty()) return;
  releasing_ = true;
  std::deque<Waiting> pending = std::move(waiting_);
  waiting_.clear();
  std::deque<Waiting> kept;
  std::unordered_set<int> blocked;  // slots with an earlier command still held
  for (Waiting& w : pending) {
    if ((w.slot < 0 || !blocked.contains(w.slot)) && sendable(w)) {
      if (w.slot >= 0) --slot_states_[w.slot].held;
      ReplyFn fn = w.fn;
      Result<void> sent = send_to(std::move(w));
      if (!sent && fn) fn(nullptr, &sent.error());
    } else {
      if (w.slot >= 0) blocked.insert(w.slot);
      kept.push_back(std::move(w));
    }
  }
  for (Waiting& w : waiting_) kept.push_back(std::move(w));  // held by a callback meanwhile
  waiting_ = std::move(kept);
  releasing_ = false;
}

void Router::settle_slot(int slot) {
  const auto it = slot_states_.find(slot);
  if (it == slot_states_.end() || it->second.in_flight > 0) return;
  if (it->second.held > 0) release();
  else slot_states_.erase(it);
}

Result<void> Router::send_to(Waiting w) {
  Connection& c = *nodes_[w.node].connection;
  if (w.slot < 0) return c.command(w.formatted, std::move(w.fn));
  if (w.asking) SEA_TRY(c.command(format_command({"ASKING"}), nullptr));
  // Keep the command to resend it where a MOVED/ASK points.
  auto shared = std::make_shared<Waiting>(std::move(w));
  SEA_TRY(c.command(shared->formatted, [this, shared](redisReply* reply, const Error* error) {
    Waiting& sent = *shared;
    const int slot = sent.slot;
    --slot_states_[slot].in_flight;
    const std::string_view text = error == nullptr && reply->type == REDIS_REPLY_ERROR ? reply_text(reply) : "";
    const bool moved = text.starts_with("MOVED ");
    if ((!moved && !text.starts_with("ASK ")) || sent.hops >= kMaxRedirects) {
      // Lost with its connection: the later commands of its slot held here fail too, so that
      // they are not sent before this one is sent again.
      if (error != nullptr && slot_states_[slot].held > 0) {
        std::deque<Waiting> kept;
        std::vector<Waiting> later;
        for (Waiting& w : waiting_) {
          if (w.slot == slot && w.order > sent.order) later.push_back(std::move(w));
          else kept.push_back(std::move(w));
        }
        waiting_ = std::move(kept);
        slot_states_[slot].held -= static_cast<std::uint32_t>(later.size());
        for (Waiting& w : later)
          if (w.fn) w.fn(nullptr, error);
      }
      if (sent.fn) sent.fn(reply, error);
      settle_slot(slot);
      return;
    }
    // "MOVED 3999 127.0.0.1:6381"
    const std::size_t space = text.find(' ', moved ? 6 : 4);
    const std::string_view where = text.substr(space + 1);
    const std::size_t colon = where.rfind(':');
    unsigned port = 0;
    std::from_chars(where.data() + colon + 1, where.data() + where.size(), port);
    const std::size_t target = node_index(HostPort{std::string(where.substr(0, colon)), static_cast<std::uint16_t>(port)});
    if (moved) {
      slots_[static_cast<std::size_t>(slot)] = static_cast<std::int16_t>(target);
      nodes_[target].master = true;
      refresh_map();
    }
    sent.node = target;
    ++sent.hops;
    sent.asking = !moved;
    ReplyFn fn = sent.fn;
    // Sent now if nothing of its slot is held or in flight elsewhere, else held in its place.
    Result<void> resent = route(std::move(sent));
    if (!resent && fn) fn(nullptr, &resent.error());
    settle_slot(slot);
  }));
  SlotState& state = slot_states_[shared->slot];
  state.node = shared->node;
  ++state.in_flight;
  return ok();
}

std::unique_ptr<Connection> Router::open_for_key(std::string_view key, std::string_view role) {
  HostPort address = nodes_.front().connection->config().address;
  if (cluster_ && map_loaded_) {
    const std::int16_t node = slots_[cluster_slot(key)];
    if (node >= 0) address = nodes_[static_cast<std::size_t>(node)].connection->config().address;
  }
  auto connection = std::make_unique<Connection>(loop_, config_for(address, role));
  connection->start();
  return connection;
}

}  // namespace sea::redis
