// The one error model of the library: every fallible call returns sea::Result<T>, which holds
// either a value or a sea::Error{code, message, backend_code}. The loop-driven library never
// throws, exits or prints; only cli/ turns an Error into a message and an exit code, and only the
// façade (api/) throws an Error.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include <fmt/format.h>

namespace sea {

enum class Errc : std::uint8_t {
  invalid_argument,  // the caller passed something malformed (a usage error at the CLI)
  not_found,         // a stream, group, file or key does not exist
  exists,            // something to be created is already there
  unsupported,       // the backend cannot honour the request (documented per backend)
  parse,             // input bytes are not of the declared format
  io,                // an operating-system call failed
  timeout,           // a bounded wait ran out
  backend,           // the server or client library reported an error
  closed,            // the object was closed or the peer went away
  corrupt,           // stored data failed its checksum or framing
};

const char* errc_name(Errc code);

// Also an exception type: the façade (<seastreamer/seastreamer.hpp>) throws it where a call
// returns a value, so `catch (const std::exception& e)` sees its message in e.what().
struct Error : std::exception {
  Errc code = Errc::io;
  std::string message;
  int backend_code = 0;  // errno, rd_kafka_resp_err_t, hiredis REDIS_ERR_*: whatever the source had

  Error() = default;
  Error(Errc code_, std::string message_, int backend_code_ = 0)
      : code(code_), message(std::move(message_)), backend_code(backend_code_) {}

  std::string to_string() const { return message; }
  const char* what() const noexcept override { return message.c_str(); }
};

template <class... Args>
Error make_error(Errc code, fmt::format_string<Args...> format, Args&&... args) {
  return Error{code, fmt::format(format, std::forward<Args>(args)...), 0};
}

// Text safe to show on a terminal: control characters (C0, DEL) become \xNN, so input quoted
// in a message (a stream key, a URI) cannot move the cursor or recolour the screen.
std::string printable(std::string_view text);

// Builds an Errc::io error from errno with the call's context ("open /x: No such file").
Error errno_error(int err, std::string_view what);

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}           // NOLINT: implicit on purpose
  Result(Error error) : v_(std::move(error)) {}       // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(v_); }
  Error take_error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : err_(std::move(error)) {}  // NOLINT
  bool ok() const { return !err_; }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return *err_; }
  Error take_error() && { return std::move(*err_); }

 private:
  std::optional<Error> err_;
};

inline Result<void> ok() { return {}; }

// A broken invariant is a bug, not a user error: say where and abort.
[[noreturn]] void invariant_failed(const char* expr, const char* file, int line, const char* msg);

}  // namespace sea

#define SEA_ASSERT(expr, msg) \
  ((expr) ? (void)0 : ::sea::invariant_failed(#expr, __FILE__, __LINE__, (msg)))

// Propagates the error of a Result-returning expression; evaluates to nothing on success.
#define SEA_TRY(expr)                                              \
  do {                                                             \
    auto sea_try_result_ = (expr);                                 \
    if (!sea_try_result_.ok()) return std::move(sea_try_result_).take_error(); \
  } while (0)
