// The exactly-once relay's run (relay --delivery exactly-once, Kafka -> Kafka): progress, signals
// and the exit code around flow::TxnPump (flow/txn_pump.hpp).
#pragma once

#include "flow/txn_pump.hpp"
#include "loop/loop.hpp"

namespace sea::cli {

// Runs `pump` to its end; SIGINT/SIGTERM commit the open transaction (bounded). Returns the exit code.
int run_txn_relay(loop::Loop& loop, flow::TxnPump& pump, bool show_progress);

}  // namespace sea::cli
