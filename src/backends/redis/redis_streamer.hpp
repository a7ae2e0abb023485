// The redis backend: see the files of this folder.
#pragma once

#include <memory>

#include "core/error.hpp"
#include "core/options.hpp"
#include "core/streamer.hpp"
#include "core/uri.hpp"
#include "loop/loop.hpp"

namespace sea::redis {

Result<std::unique_ptr<Streamer>> connect_redis(loop::Loop& loop, const Uri& uri, const ConnectOptions& options);

}  // namespace sea::redis
