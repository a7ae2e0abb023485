// The backend table: one entry per URI scheme. `connect` is the library's front door
// (SPEC §2's Streamer::connect): it picks the backend the URI names at run time.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/options.hpp"
#include "core/streamer.hpp"
#include "core/uri.hpp"
#include "loop/loop.hpp"

namespace sea {

// Connects to the backend of `uri`. Network backends connect lazily or asynchronously; errors
// that can be known at once (bad properties, unreachable directory) are returned here.
Result<std::unique_ptr<Streamer>> connect(loop::Loop& loop, const Uri& uri, const ConnectOptions& options);

// Scheme names this build supports, for --help.
std::vector<std::string> backend_schemes();

}  // namespace sea
