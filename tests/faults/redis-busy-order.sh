#!/bin/bash
# NOT REGISTERED in meson.build yet: the -LOADING case fails today (a gap: later XADDs of the
# pipeline land before the refused ones); it is the test of the fix (atomic per-shard batches,
# one in flight per shard), which is still to do.
# Per-shard order through transient refusals in mid-pipeline: while `produce` pipelines XADDs,
# a long script makes the server answer -BUSY (busy-reply-threshold 50 ms) until SCRIPT KILL;
# then DEBUG RELOAD makes it answer -LOADING while it reloads. Commands queued in the
# pipeline before the state changes back are refused and the ones after it are written: the
# producer must still store every message in order (a refused message retried after later
# ones were written would show as a gap). Own redis-server on a port of $SEA_TEST_PORTS or
# 27100-27119.
source "$(dirname "$0")/common.sh"
N=300000
RATE=100000
port=$(free_port 27100 27119)
start_redis_on "$port" "$T/redis" --enable-debug-command yes --busy-reply-threshold 50 --appendonly no
R="--cluster redis://127.0.0.1:$port"
rc() { redis-cli -p "$port" "$@"; }

busy() {
  rc eval "while true do end" 0 >/dev/null 2>&1 &
  local script=$!
  sleep 0.4
  rc script kill >/dev/null 2>&1 || true
  wait $script 2>/dev/null || true
}
reload() { rc debug reload >/dev/null 2>&1 || true; }

# run NAME TOPIC FAULT: produce N messages with FAULT three times, 0.5 s apart, then read back.
run() {
  local name=$1 topic=$2 fault=$3 rcode=0
  timeout -k 2 60 "$SEA" streamer produce $R --topic "$topic" < <(gen_paced $N 40 $RATE 2>/dev/null) 2>"$T/perr" &
  local pid=$!
  BG_PIDS+=($pid)
  sleep 0.5
  for _ in 1 2 3; do $fault; sleep 0.5; done
  wait $pid || rcode=$?
  if [[ $rcode != 0 ]]; then bad "$name: produce exited $rcode: $(tail -n 3 "$T/perr")"; return 0; fi
  timeout -k 2 60 "$SEA" streamer consume $R --topic "$topic" --from earliest -e >"$T/out" 2>"$T/cerr" ||
    { bad "$name: read back: $(tail -n 3 "$T/cerr")"; return 0; }
  local r
  if r=$(check_ids "$T/out" $N at-least); then proved "$name during produce: $r, in order"; else bad "$name: $r"; fi
}
run "-BUSY from a long script, then SCRIPT KILL" busy busy
run "-LOADING during DEBUG RELOAD" loading reload
finish
