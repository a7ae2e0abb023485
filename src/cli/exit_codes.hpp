// The exit codes of `sea`, in one place (SPEC §4): 0 ok, 1 runtime error, 2 usage error.
#pragma once

namespace sea::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntime = 1;
inline constexpr int kExitUsage = 2;

}  // namespace sea::cli
