// Where a command goes: the one server of `redis://`, or, for `redis-cluster://`, the master
// that owns the key's hash slot. Debian has no hiredis-cluster, so this is our own small
// router: CLUSTER SLOTS discovery, hash slots (hash_slot.hpp), MOVED (update the map, resend,
// refresh the map) and ASK (ASKING + resend once), one async Connection per node.
//
// Order per slot: the commands of one hash slot reach Redis in the order they were given,
// also when the slot changes node (a failover, a migration). A command for a slot goes to a
// node only when no earlier command of that slot is still held here or still in flight to
// another node; a command redirected by MOVED/ASK is held until every command of its slot sent
// before the redirection has answered, and is then resent ahead of the later ones. A command
// lost with its connection fails the later commands of its slot that are held here, so that a
// caller who sends again (the producer, at-least-once) sends them again in order too.
//
// Failover: when a master's connection drops, the map is refreshed, and refreshed again every
// 250 ms while a master of the map is not connected (a replica is promoted a node timeout
// later); held commands follow their slot to the node of the new map.
//
// Lifecycle: made by Router::create, connects at once; commands are refused with Errc::closed
// until ready() (the caller retries from the on_ready callback, which runs every time a node
// comes up or the slot map changes). Lives on the loop's thread.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "backends/redis/connection.hpp"
#include "backends/redis/hash_slot.hpp"
#include "core/options.hpp"
#include "core/uri.hpp"
#include "loop/loop.hpp"

namespace sea::redis {

class Router {
 public:
  // `role` names the connections: CLIENT SETNAME sea-<role>-<client_name>-<pid>.
  static Result<std::unique_ptr<Router>> create(loop::Loop& loop, const Uri& uri, const ConnectOptions& options,
                                                std::string_view role);
  // Checks the URI and the properties without connecting; returns the command timeout.
  static Result<std::uint64_t> check(const Uri& uri, const ConnectOptions& options);
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  bool cluster() const { return cluster_; }
  bool ready() const;
  const std::string& last_error() const;
  void set_on_ready(std::function<void()> on_ready) { on_ready_ = std::move(on_ready); }
  // The connection that carries `key` holds a write backlog (Connection::backlogged): a
  // pipelining caller stops sending and goes on from on_drained, which runs when any node's
  // backlog has drained.
  bool backlogged(std::string_view key) const;
  void set_on_drained(std::function<void()> on_drained) { on_drained_ = std::move(on_drained); }
  // A node refused our handshake (see Connection::set_on_fatal).
  void set_on_fatal(std::function<void(const std::string& why)> on_fatal) { on_fatal_ = std::move(on_fatal); }

  // Sends a command about `key` to the node that owns it, following redirections. Errc::closed
  // when that node is not connected now.
  Result<void> command(std::string_view key, std::string_view formatted, ReplyFn fn);

  // The masters (the one server for redis://), for commands that must visit every node (SCAN),
  // and sending to one of them (in a cluster, queued while that node is connecting).
  std::vector<std::size_t> masters() const;
  Result<void> command_node(std::size_t node, std::string_view formatted, ReplyFn fn);

  // A new dedicated connection to the node of `key`, for blocking reads.
  std::unique_ptr<Connection> open_for_key(std::string_view key, std::string_view role);

  // Asks for a fresh slot map soon (after a MOVED or a dropped node).
  void refresh_map();

 private:
  struct Node {
    std::unique_ptr<Connection> connection;
    bool master = false;
  };
  // A command held until its node is up and its slot's earlier commands are done (see "Order
  // per slot" above).
  struct Waiting {
    std::size_t node;
    int slot;             // -1: sent to a given node (command_node), not routed by key
    std::uint64_t order;  // when it was given: the order of its slot
    std::string formatted;
    ReplyFn fn;
    int hops;
    bool asking;
  };
  // Per slot with commands in flight or held: in flight on which node, how many of each.
  struct SlotState {
    std::size_t node = 0;
    std::uint32_t in_flight = 0;
    std::uint32_t held = 0;
  };

  Router(loop::Loop& loop, const Uri& uri, const ConnectOptions& options, std::string_view role);
  std::size_t node_index(const HostPort& address);
  Result<void> route(Waiting w);
  void hold(Waiting w);
  void release();
  bool sendable(const Waiting& w) const;
  Result<void> send_to(Waiting w);
  void settle_slot(int slot);
  bool master_down() const;
  void on_slots(redisReply* reply, std::size_t from);
  void on_node_state(std::size_t node, bool up);
  ConnectionConfig config_for(const HostPort& address, std::string_view role) const;

  loop::Loop& loop_;
  bool cluster_ = false;
  Uri uri_;
  std::string client_name_;
  std::string role_;
  std::uint64_t command_timeout_ms_ = 5000;
  std::vector<Node> nodes_;
  std::map<std::string, std::size_t> node_by_address_;
  std::array<std::int16_t, kSlotCount> slots_{};
  bool map_loaded_ = false;
  bool refreshing_ = false;
  std::deque<Waiting> waiting_;  // held commands, in order within each slot
  std::unordered_map<int, SlotState> slot_states_;
  std::uint64_t next_order_ = 0;
  bool releasing_ = false;
  std::function<void()> on_ready_;
  std::function<void(const std::string&)> on_fatal_;
  std::function<void()> on_drained_;
  loop::Timer refresh_timer_;
};

}  // namespace sea::redis
