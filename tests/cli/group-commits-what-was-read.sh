#!/bin/bash
# tap --group and consume --group commit what the reader took out of the pipe, not what was
# written into it: a reader that closes or is SIGKILLed after reading K messages (byte-exact
# reads, so it takes nothing past them) leaves the group at message K, although the pipe held
# hundreds more. Before this, the next reader started past everything that had sat unread in
# the pipe buffer (~650 messages of 100 B in a 64 KiB pipe, more in a 1 MiB one): lost for the
# group. Also: a -c session whose reader leaves early commits only what it read; a reader that
# read everything and stays idle gets it committed (tap SIGKILLed afterwards re-delivers
# nothing). Runs on the file backend, and on Redis and Kafka when SEA_TEST_REDIS and
# SEA_TEST_KAFKA are set.
source "$(dirname "$0")/common.sh"

# take PATH K [kill]: read exactly K lines from PATH (one byte at a time: nothing past them is
# taken from the pipe), print them, then close, or SIGKILL itself with "kill".
take() {
  (timeout 20 python3 -c '
import os, signal, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
want, lines, buf = int(sys.argv[2]), 0, bytearray()
while lines < want:
    b = os.read(fd, 1)
    if not b: break
    buf += b
    lines += b == b"\n"
sys.stdout.buffer.write(buf); sys.stdout.flush()
if len(sys.argv) > 3: os.kill(os.getpid(), signal.SIGKILL)
os.close(fd)' "$@"; true) 2>/dev/null || true  # (bash's "Killed" notice goes to /dev/null)
}
first_id() { head -n1 "$1" | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["id"])'; }
last_id() { tail -n1 "$1" | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["id"])'; }
expect_first() {  # FILE ID WHAT
  local got
  got=$(first_id "$1")
  [[ $got == "$2" ]] || fail "$3: started at id $got, expected $2 (the group committed past what the reader took)"
}

# run_backend NAME ARGS STREAM [short]: "short" (Kafka, where each tap session and consume joins
# its group for ~5 s on the mock) runs only the first two tap readers and the consume part.
run_backend() {
  local name=$1 X=$2 s=$3 short=${4:-}
  gen 3000 100 | "$SEA" streamer produce $X --topic "$s" $P

  # 1. tap --group, readers that leave early: closing, then SIGKILLed.
  "$SEA" streamer tap "$T/$name-g" $X --topic "$s" --from earliest --group "g1-$$" $KT & BG_PIDS+=($!); local tap=$!
  wait_fifo "$T/$name-g"
  take "$T/$name-g" 100 > "$T/r1"
  [[ $(wc -l < "$T/r1") == 100 && $(last_id "$T/r1") == 99 ]] || fail "$name: first reader got $(wc -l < "$T/r1") lines"
  take "$T/$name-g" 100 > "$T/r2"
  expect_first "$T/r2" 100 "$name: tap reader after one that closed"
  if [[ -n $short ]]; then
    kill -TERM $tap; wait $tap
    echo "ok $name: tap --group commits what readers took (100)"
  else
    run_tap_rest "$name" "$X" "$s" $tap
  fi
  consume_part "$name" "$X" "$s"
}

# The rest of the tap part: readers SIGKILLed and idle, and -c sessions.
run_tap_rest() {
  local name=$1 X=$2 s=$3 tap=$4
  take "$T/$name-g" 50 kill > "$T/r3"
  expect_first "$T/r3" 200 "$name: tap reader after"
  take "$T/$name-g" 10 > "$T/r4"
  expect_first "$T/r4" 250 "$name: tap reader after one that was SIGKILLed"
  # 2. A reader that read everything and stays, idle: within the check tick and the backend's
  # commit delay it is committed, so SIGKILL of tap (the reader still there) re-delivers nothing.
  local rest
  rest=$(gen 3000 100 | tail -n +261 | wc -c)
  timeout 30 bash -c 'exec 3<"$1"; head -c "$2" <&3 > "$3"; exec sleep 20' _ "$T/$name-g" "$rest" "$T/$name-r5" &
  local idle=$!
  for _ in $(seq 600); do [[ -f $T/$name-r5 && $(wc -c < "$T/$name-r5") == "$rest" ]] && break; sleep 0.05; done
  [[ $(last_id "$T/$name-r5") == 2999 ]] || fail "$name: idle reader ended at $(last_id "$T/$name-r5")"
  sleep 1
  kill -KILL $tap; wait $tap 2>/dev/null || true
  kill $idle 2>/dev/null; wait $idle 2>/dev/null || true
  rm -f "$T/$name-g"
  "$SEA" streamer consume $X --topic "$s" --group "g1-$$" -e > "$T/rest"
  [[ ! -s $T/rest ]] || fail "$name: after an idle reader took all, tap SIGKILL re-delivered $(wc -l < "$T/rest") (from id $(first_id "$T/rest"))"
  echo "ok $name: tap --group commits what readers took (100, 200, 250, all)"

  # 3. tap -c 300: a reader that reads 120 of its session and closes leaves the group at 120.
  "$SEA" streamer tap "$T/$name-c" $X --topic "$s" --from earliest --group "g2-$$" -c 300 & BG_PIDS+=($!); tap=$!
  wait_fifo "$T/$name-c"
  take "$T/$name-c" 120 > "$T/c1"
  timeout 10 cat "$T/$name-c" > "$T/c2"
  [[ $(wc -l < "$T/c2") == 300 ]] || fail "$name: -c 300 reader got $(wc -l < "$T/c2")"
  expect_first "$T/c2" 120 "$name: tap -c reader after one that left early"
  timeout 10 cat "$T/$name-c" > "$T/c3"
  expect_first "$T/c3" 420 "$name: tap -c reader after one that read its whole session"
  kill -TERM $tap; wait $tap
  echo "ok $name: tap -c sessions commit what their reader took (120, 420)"
}

consume_part() {
  local name=$1 X=$2 s=$3

  # 4. consume --group into a pipe whose reader stops after 100: the group stays at 100.
  "$SEA" streamer consume $X --topic "$s" --group "g3-$$" $KT --from earliest | take /dev/stdin 100 > "$T/p1"
  [[ $(wc -l < "$T/p1") == 100 ]] || fail "$name: consume reader got $(wc -l < "$T/p1")"
  expect_acked "$name: consume --group after a pipe reader that closed" "$s" "g3-$$" 100
  # -c ends consume while its reader still holds the pipe: everything written is committed.
  # (New messages first: on Redis, what the first consume read ahead is pending on its member
  # until another member claims it, 60 s later.)
  gen 100 100 | "$SEA" streamer produce $X --topic "$s" $P
  "$SEA" streamer consume $X --topic "$s" --group "g3-$$" $KT -c 50 | (sleep 0.5; cat) > "$T/p3"
  [[ $(wc -l < "$T/p3") == 50 ]] || fail "$name: -c 50 reader got $(wc -l < "$T/p3")"
  # (The first check read one more message with the file and Kafka backends.)
  local at=150
  [[ $B == redis ]] || at=151
  expect_acked "$name: consume --group after -c 50 handed over" "$s" "g3-$$" $at
  echo "ok $name: consume --group commits what its pipe reader took (100, $at)"
}

# expect_acked WHAT STREAM GROUP N: the group has committed exactly N messages. The file and
# Kafka backends keep one position per shard (the next consume starts at id N); a Redis group acks entries one by one
# (XACK), and the entries a member read ahead stay pending until another member claims them, so
# there the count is checked with redis-cli: entries read by the group less those pending.
expect_acked() {
  local what=$1 s=$2 g=$3 n=$4
  if [[ $B != redis ]]; then
    "$SEA" streamer consume $XB --topic "$s" --group "$g" $KT -c 1 > "$T/next"
    expect_first "$T/next" "$n" "$what"  # (that read moves the group one on: see consume_part)
  else
    local acked
    acked=$(redis-cli -h "$rhost" -p "$rport" --json xinfo groups "$s" | python3 -c '
import json, sys
g = next(g for g in json.load(sys.stdin) if g["name"] == sys.argv[1])
print(g["entries-read"] - g["pending"])' "$g")
    [[ $acked == "$n" ]] || fail "$what: the group acked $acked entries, expected $n (redis-cli XINFO GROUPS)"
  fi
}

B=file XB=$C P="" KT=""
run_backend file "$C" t

# A reader that leaves while the stream is quiet ends consume (POLLERR on the pipe, checked
# every 100 ms): it used to wait for the next message to get EPIPE.
(sleep 1; echo '{"late":1}' | "$SEA" streamer produce $C --topic quiet) &
start=$(date +%s%N)
timeout 20 "$SEA" streamer consume $C --topic quiet | head -n 1 > "$T/q"
ms=$((($(date +%s%N) - start) / 1000000))
[[ $(cat "$T/q") == '{"late":1}' ]] || fail "quiet stream: head got '$(cat "$T/q")'"
((ms < 10000)) || fail "consume outlived its reader on a quiet stream by $ms ms"
echo "ok file: consume ended $ms ms after starting, once head -n 1 had its line on a quiet stream"
if [[ -n ${SEA_TEST_KAFKA:-} ]]; then
  # One partition holds the stream, so that the ids read are in order (the mock's topics have
  # several: the rest stay empty).
  # The mock (librdkafka 2.0.2) holds a join after a member left for the members' session
  # timeout: 6 s rather than librdkafka's 45.
  B=kafka XB="--cluster $SEA_TEST_KAFKA" P="--shard 0" KT="-X session.timeout.ms=6000"
  run_backend kafka "$XB" "gck$$" short
fi
if [[ -n ${SEA_TEST_REDIS:-} ]]; then
  hp=${SEA_TEST_REDIS#redis://}; rhost=${hp%:*}; rport=${hp##*:}
  B=redis XB="--cluster $SEA_TEST_REDIS" P="" KT=""
  run_backend redis "$XB" "gcr$$"
fi
