// Blocking conveniences over the non-blocking interfaces, for programs that are not built
// around the loop (and for tests): each runs the loop until its condition holds.
// Never call these from inside a loop callback. (core:: is spelled out: this header may be
// included after the façade's, whose sea::Producer and sea::Consumer are other classes.)
#pragma once

#include <optional>

#include "core/streamer.hpp"
#include "loop/loop.hpp"

namespace sea {

// The next message, or nullopt when `stop_at_end` and the consumer is at its end, or the
// timeout (ms, 0 = none) ran out.
std::optional<Message> next(loop::Loop& loop, core::Consumer& consumer, bool stop_at_end = false,
                            std::uint64_t timeout_ms = 0);

// Sends and waits for the receipt.
Result<Receipt> send_sync(loop::Loop& loop, core::Producer& producer, const MessageView& message);

// Flushes and waits.
Result<void> flush_sync(loop::Loop& loop, core::Producer& producer);

}  // namespace sea
