// The embedded file backend (file://DIR): see file_log.hpp for the on-disk format.
#pragma once

#include <memory>

#include "core/error.hpp"
#include "core/options.hpp"
#include "core/streamer.hpp"
#include "core/uri.hpp"
#include "loop/loop.hpp"

namespace sea::file {

Result<std::unique_ptr<Streamer>> connect_file(loop::Loop& loop, const Uri& uri, const ConnectOptions& options);

}  // namespace sea::file
