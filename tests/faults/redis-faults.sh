#!/bin/bash
# Redis faults with at-least-once delivery, against a redis-server of the test's own (appendonly
# yes, on a free port in 26640-26699 or $SEA_TEST_PORTS) so that it may be killed: the server
# SIGKILLed and restarted mid-stream, every client connection cut (CLIENT KILL), and the server paused
# (DEBUG SLEEP) longer than the command timeout. Each time every message arrives at least
# once, in order with no gap, for `produce` and for a
# `consume --group` restarted after it.
source "$(dirname "$0")/common.sh"
# N messages at RATE/s: the producer is reading for about 3 s, and the fault comes 1 s in, when
# a full window is in flight and more is waiting in the pipe (paced, so that a fast machine does
# not finish before the fault).
N=300000
RATE=100000

port=$(free_port 26640 26699)
start_redis() { start_redis_on "$port" "$T/redis" --enable-debug-command yes; }
start_redis
R="--cluster redis://127.0.0.1:$port"

# run_fault NAME TOPIC FAULT-FUNCTION [produce]: produce N messages with FAULT injected 1 s in,
# then (unless told "produce" only) consume them with a group while FAULT is injected again,
# restart the group, check both.
run_fault() {
  local name=$1 topic=$2 fault=$3 parts=${4:-all} rc=0
  # Piped input (not a file) so that the producer is still reading when the fault comes; a
  # producer that never finishes is a failure (exit 124/137 after 60 s).
  timeout -k 2 60 "$SEA" streamer produce $R --topic "$topic" < <(gen_paced $N 40 $RATE 2>/dev/null) 2>"$T/perr" &
  local pid=$!
  BG_PIDS+=($pid)
  sleep 1
  $fault
  wait $pid || rc=$?
  if [[ $rc != 0 ]]; then
    bad "$name: produce exited $rc (124/137: hung for 60 s) with $(redis-cli -p "$port" xlen "$topic") of $N stored: $(tail -n 3 "$T/perr")"
    return 0
  fi
  timeout -k 2 60 "$SEA" streamer consume $R --topic "$topic" --from earliest -e >"$T/out" 2>"$T/cerr" ||
    { bad "$name: read back: exit $?: $(tail -n 3 "$T/cerr")"; return 0; }
  local r
  if r=$(check_ids "$T/out" $N at-least); then proved "$name during produce (at-least-once): $r, nothing lost"; else bad "$name: produce: $r"; fi
  [[ $parts == produce ]] && return 0
  timeout -k 2 60 "$SEA" streamer consume $R --topic "$topic" --group g --from earliest -e >"$T/1" 2>"$T/cerr" & pid=$!
  BG_PIDS+=($pid)
  sleep 0.2
  $fault
  rc=0; wait $pid || rc=$?
  # A consumer may end with an error after a fault; what it wrote is whole lines, and the
  # group must resume no later than the first record it did not write.
  timeout -k 2 60 "$SEA" streamer consume $R --topic "$topic" --group g -e >"$T/2" 2>"$T/cerr" ||
    { bad "$name: group restart: exit $?: $(tail -n 3 "$T/cerr")"; return 0; }
  cat "$T/1" "$T/2" >"$T/all"
  if r=$(check_ids "$T/all" $N at-least); then
    proved "$name during consume --group (exit $rc), then a restart: $r over both runs, nothing lost"
  else
    bad "$name: consume --group (first run exit $rc), then a restart: $r"
  fi
}

kill_restart() { kill -KILL "$REDIS_PID"; wait "$REDIS_PID" 2>/dev/null || true; sleep 1; start_redis; }
client_kill() { redis-cli -p "$port" client kill type normal >/dev/null; }
debug_sleep() { [[ $(redis-cli -p "$port" debug sleep 7) == OK ]] || bad "DEBUG SLEEP was refused"; }

# Each case runs produce, then a consume --group with the fault injected again. A group read
# whose reply is lost with its connection (CLIENT KILL, a timeout during DEBUG SLEEP, a server
# SIGKILL) was executed by the server all the same: its entries are pending on the consumer, so
# the consumer reads its own pending entries after the last one it received before reading new
# ones (consumer_reads.cpp); this test proves no gap is left.
parts=all
run_fault "redis-server SIGKILLed and restarted" killed kill_restart $parts
run_fault "CLIENT KILL of every connection" cut client_kill $parts
run_fault "DEBUG SLEEP 7 s (longer than the 5 s command timeout)" paused debug_sleep $parts
finish
