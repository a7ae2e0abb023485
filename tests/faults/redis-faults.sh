#!/bin/bash
# Redis faults with at-least-once delivery, against a redis-server of the test's own (appendonly
# yes, on a free port in 26600-26699) so that it may be killed: the server SIGKILLed and
# restarted mid-stream, every client connection cut (CLIENT KILL), and the server paused
# (DEBUG SLEEP) longer than the command timeout. Each time every message arrives at least
# once, in order with no gap, for `produce` and for a `consume --group` restarted after it.
source "$(dirname "$0")/common.sh"
N=100000

port=""
for p in $(seq 26640 26699); do
  if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then port=$p; break; fi
done
[[ -n $port ]] || fail "no free port in 26640-26699"
mkdir "$T/redis"
start_redis() {
  redis-server --port "$port" --bind 127.0.0.1 --dir "$T/redis" --appendonly yes --save "" \
    --daemonize no >>"$T/redis/log" 2>&1 & REDIS_PID=$!; BG_PIDS+=($REDIS_PID)
  for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && return 0; sleep 0.05; done
  fail "redis-server did not start on $port: $(tail -n 5 "$T/redis/log")"
}
start_redis
R="--cluster redis://127.0.0.1:$port"

# run_fault NAME TOPIC FAULT-FUNCTION: produce N messages with FAULT injected 0.3 s in, then
# consume them with a group while FAULT is injected again, restart the group, check both.
run_fault() {
  local name=$1 topic=$2 fault=$3 rc=0
  # Piped input (not a file) so that the producer is still reading when the fault comes; a
  # producer that never finishes is a failure (exit 124/137 after 60 s).
  timeout -k 2 60 "$SEA" streamer produce $R --topic "$topic" < <(gen $N 40 2>/dev/null) 2>"$T/perr" & local pid=$!
  BG_PIDS+=($pid)
  sleep 0.3
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
debug_sleep() { redis-cli -p "$port" debug sleep 7 >/dev/null; }

run_fault "redis-server SIGKILLed and restarted" killed kill_restart
run_fault "CLIENT KILL of every connection" cut client_kill
run_fault "DEBUG SLEEP 7 s (longer than the 5 s command timeout)" paused debug_sleep
finish
