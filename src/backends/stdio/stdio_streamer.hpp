// The stdio backend (stdio://): a producer writes messages to stdout, a consumer reads stdin.
#pragma once

#include <memory>

#include "core/error.hpp"
#include "core/options.hpp"
#include "core/streamer.hpp"
#include "core/uri.hpp"
#include "loop/loop.hpp"

namespace sea::stdio {

Result<std::unique_ptr<Streamer>> connect_stdio(loop::Loop& loop, const Uri& uri, const ConnectOptions& options);

}  // namespace sea::stdio
