// The kafka backend: see the files of this folder.
#pragma once

#include <memory>

#include "core/error.hpp"
#include "core/options.hpp"
#include "core/streamer.hpp"
#include "core/uri.hpp"
#include "loop/loop.hpp"

namespace sea::kafka {

Result<std::unique_ptr<Streamer>> connect_kafka(loop::Loop& loop, const Uri& uri, const ConnectOptions& options);

}  // namespace sea::kafka
