// One asynchronous hiredis connection to one Redis server, on the process's libuv loop.
//
// It does the handshake (AUTH user/password, SELECT db, CLIENT SETNAME sea-<role>-…, then a
// PING, which a server still loading its data set after a restart answers with -LOADING: the
// connection counts as up only once the server serves data commands, so that nothing sent
// right after a reconnect is refused while later commands of the same pipeline succeed),
// reconnects with exponential backoff and jitter when the connection drops, and bounds every
// command by a timeout (except the blocking reads, which wait as long as the server does): a
// command that does not answer in time drops the connection, which fails every pending
// command, as a dead server would.
//
// Replies on one connection come back in the order the commands were sent, so the callbacks
// live in a FIFO here instead of one heap object per command. A callback gets the reply (valid
// only during the call, unless it steals the reply's elements, see steal_elements) or an Error.
//
// Write backlog: hiredis copies each command into its output buffer until the socket takes it.
// backlogged() says that buffer holds kWriteHighWater bytes or more; a writer that pipelines a
// lot (the producer) stops there and goes on from the on_drained callback, which runs once the
// buffer has drained below a quarter of that. So hiredis holds at most about one high-water
// mark of a producer's window, not a second copy of all of it.
//
// Lifecycle: constructed disconnected; start() connects; destroying it drops the connection
// without calling the pending callbacks. Lives on the loop's thread.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/uri.hpp"
#include "loop/loop.hpp"

struct redisAsyncContext;
struct redisReply;

namespace sea::redis {

struct ConnectionConfig {
  HostPort address;
  std::string user;
  std::string password;
  int db = 0;                           // SELECT, single-node only (cluster has only db 0)
  std::string name;                     // CLIENT SETNAME
  std::uint64_t command_timeout_ms = 5000;
  bool read_only_replica = false;
};

inline constexpr std::size_t kWriteHighWater = 256 * 1024;

using ReplyFn = std::function<void(redisReply* reply, const Error* error)>;

class Connection {
 public:
  Connection(loop::Loop& loop, ConnectionConfig config);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void start();

  // Sends a RESP-formatted command. Fails with Errc::closed (and does not call `fn`) when the
  // connection is down; otherwise `fn` runs exactly once, on the loop, later. A blocking
  // command (XREAD BLOCK) is exempt from the command timeout.
  Result<void> command(std::string_view formatted, ReplyFn fn, bool blocking = false);

  bool up() const { return ctx_ != nullptr && handshake_done_ && !dying_; }
  bool connecting() const { return ctx_ != nullptr; }
  std::size_t pending() const { return pending_.size(); }
  // Bytes hiredis holds that the socket has not taken yet, and whether that is too many.
  std::size_t unwritten() const;
  bool backlogged() const { return unwritten() >= kWriteHighWater; }
  const ConnectionConfig& config() const { return config_; }
  const std::string& last_error() const { return last_error_; }

  // Runs when the connection is (re)established (handshake done) and when it drops.
  void set_on_state(std::function<void(bool up)> on_state) { on_state_ = std::move(on_state); }
  // Runs once when the server refused the handshake (AUTH, SELECT): retrying cannot help.
  void set_on_fatal(std::function<void(const std::string& why)> on_fatal) { on_fatal_ = std::move(on_fatal); }
  bool refused() const { return refused_; }
  // Runs after a write once a backlogged() buffer has drained (see "Write backlog" above).
  void set_on_drained(std::function<void()> on_drained) { on_drained_ = std::move(on_drained); }

  // Drops the connection now (failing pending commands) and reconnects after the backoff.
  void reset(std::string_view why);

  // For connection.cpp's poll hook: hiredis has just written to the socket of `ac`.
  static void written_cb(redisAsyncContext* ac);

 private:
  struct Pending {
    ReplyFn fn;
    std::uint64_t deadline_ms;  // 0: no deadline
  };

  void connect();
  void drain_before_close(int timeout_ms);
  void schedule_reconnect();
  void on_connected(int status);
  void on_disconnected(int status);
  void on_reply(redisReply* reply);
  void on_handshake_reply(redisReply* reply, bool last);
  void after_write();
  void check_timeouts();
  void fail_all(const Error& error);
  static void connect_cb(const redisAsyncContext* ac, int status);
  static void disconnect_cb(const redisAsyncContext* ac, int status);
  static void reply_cb(redisAsyncContext* ac, void* reply, void* privdata);

  loop::Loop& loop_;
  ConnectionConfig config_;
  redisAsyncContext* ctx_ = nullptr;
  bool handshake_done_ = false;
  bool dying_ = false;  // hiredis is failing the pending commands of a dropped connection
  bool started_ = false;
  std::deque<Pending> pending_;
  bool closing_ = false;  // the destructor is draining: no reconnect, no callbacks
  std::function<void(bool)> on_state_;
  std::function<void(const std::string&)> on_fatal_;
  std::function<void()> on_drained_;
  bool was_backlogged_ = false;
  bool refused_ = false;
  std::string last_error_;
  unsigned attempts_ = 0;
  loop::Timer reconnect_timer_;
  loop::Timer timeout_timer_;
};

// Takes the element array of an array reply away from hiredis, which then frees only the
// outer reply; free the elements later with free_elements.
struct StolenElements {
  redisReply** elements = nullptr;
  std::size_t count = 0;
};
StolenElements steal_elements(redisReply* array);
void free_elements(StolenElements stolen);

// A Redis error reply as an Error (Errc::backend, the server's text).
Error reply_error(std::string_view context, const redisReply* reply);

}  // namespace sea::redis
