// process_env.hpp.
#include "cli/process_env.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fmt/core.h>

#include "preload/sea_preload.h"

namespace sea::cli {

Result<std::unique_ptr<ProcessClock>> ProcessClock::create() {
  const char* dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : (std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp");
  std::string path = fmt::format("{}/sea-clock-{}-XXXXXX", dir, getpid());
  const int fd = mkstemp(path.data());
  if (fd < 0) return make_error(Errc::io, "clock page in {}: {}", dir, std::strerror(errno));
  if (ftruncate(fd, sizeof(sea_clock)) != 0) {
    const int e = errno;
    ::close(fd);
    ::unlink(path.c_str());
    return make_error(Errc::io, "clock page {}: {}", path, std::strerror(e));
  }
  void* page = mmap(nullptr, sizeof(sea_clock), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ::close(fd);
  if (page == MAP_FAILED) {
    ::unlink(path.c_str());
    return make_error(Errc::io, "clock page {}: mmap: {}", path, std::strerror(errno));
  }
  std::unique_ptr<ProcessClock> clock(new ProcessClock);
  clock->path_ = path;
  clock->page_ = static_cast<sea_clock*>(page);
  sea_clock_init(clock->page_);
  return clock;
}

ProcessClock::~ProcessClock() {
  if (page_ != nullptr) munmap(page_, sizeof(sea_clock));
  if (!path_.empty()) ::unlink(path_.c_str());
}

void ProcessClock::set(Timestamp ts, std::uint64_t seed, std::uint64_t feed, std::uint64_t index) {
  sea_clock_values v{};
  v.realtime_ns = static_cast<std::int64_t>(ts) * 1'000'000;
  // Small and run-relative (see sea_preload.h): 1 s per feed plus 1 us per message in it.
  v.monotonic_ns = static_cast<std::int64_t>((feed + 1) * 1'000'000'000ULL + index * 1'000ULL);
  v.seed = seed;
  v.feed = (feed << 32) | (index & 0xffffffffULL);
  sea_clock_publish(page_, v);
}

Result<std::string> preload_library() {
  if (const char* given = std::getenv("SEA_PRELOAD_LIBRARY"); given != nullptr && *given != '\0') {
    if (access(given, R_OK) != 0)
      return make_error(Errc::not_found, "SEA_PRELOAD_LIBRARY={}: {}", given, std::strerror(errno));
    return std::string(given);
  }
  char self[4096];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  const std::string exe = n > 0 ? std::string(self, static_cast<std::size_t>(n)) : std::string();
  const std::string build_root = SEA_BUILD_ROOT;
  if (!exe.empty() && exe.starts_with(build_root + "/") && access(SEA_PRELOAD_BUILD_PATH, R_OK) == 0)
    return std::string(SEA_PRELOAD_BUILD_PATH);
  if (access(SEA_PRELOAD_INSTALL_PATH, R_OK) == 0) return std::string(SEA_PRELOAD_INSTALL_PATH);
  if (access(SEA_PRELOAD_BUILD_PATH, R_OK) == 0) return std::string(SEA_PRELOAD_BUILD_PATH);
  return make_error(Errc::not_found,
                    "the preload library libsea_preload.so is neither at {} nor at {} (set SEA_PRELOAD_LIBRARY, or "
                    "run CMD with --no-line-buffer and without --deterministic)",
                    SEA_PRELOAD_INSTALL_PATH, SEA_PRELOAD_BUILD_PATH);
}

Result<ProcessEnv> process_env(bool deterministic, bool line_buffer) {
  ProcessEnv env;
  if (!line_buffer && !deterministic) return env;
  Result<std::string> library = preload_library();
  if (!library) return library.error();
  std::string preload = *library;
  if (const char* existing = std::getenv("LD_PRELOAD"); existing != nullptr && *existing != '\0')
    preload += std::string(":") + existing;
  env.vars.push_back("LD_PRELOAD=" + preload);
  if (line_buffer) {
    env.vars.push_back(std::string(SEA_PRELOAD_ENV_LINEBUF) + "=1");
    env.vars.push_back("PYTHONUNBUFFERED=1");
  }
  if (deterministic) {
    Result<std::unique_ptr<ProcessClock>> clock = ProcessClock::create();
    if (!clock) return clock.error();
    env.vars.push_back(std::string(SEA_PRELOAD_ENV_CLOCK) + "=" + (*clock)->path());
    env.clock = std::move(*clock);
  }
  return env;
}

}  // namespace sea::cli
