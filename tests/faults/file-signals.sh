#!/bin/bash
# SIGTERM and SIGINT mid-stream for produce, consume, flux and tap on the file backend, with N
# messages of known content: what `produce`/`flux` had read is stored (a gap-free prefix of
# the input, nothing twice), and a group consumer or tap stopped mid-stream and restarted
# delivers every message at least once, in order, resuming no later than what it had written.
source "$(dirname "$0")/common.sh"
N=200000

# 1. produce: the input outlives the producer, so the signal lands while it is appending.
for sig in TERM INT; do
  topic=produce$sig
  "$SEA" streamer produce $C --topic $topic < <(gen $N 60 2>/dev/null) 2>"$T/err" & pid=$!; BG_PIDS+=($!)
  # The signal comes once appending has begun (a fixed sleep came before it on a loaded machine).
  for _ in $(seq 200); do
    [[ $(stat -c %s "$T/streams/$topic/0/00000000000000000000.log" 2>/dev/null || echo 0) -gt 100000 ]] && break
    sleep 0.02
  done
  kill -$sig $pid || fail "produce ended before SIG$sig"
  rc=0; wait $pid || rc=$?
  [[ $rc == 0 ]] || fail "produce exited $rc on SIG$sig: $(cat "$T/err")"
  "$SEA" streamer consume $C --topic $topic --from earliest -e >"$T/out"
  k=$(wc -l <"$T/out")
  ((k > 0)) || fail "produce SIG$sig: nothing stored"
  r=$(check_ids "$T/out" $N prefix) || fail "produce SIG$sig: $r"
  proved "produce SIG$sig mid-stream: $r stored, a gap-free prefix of the input (exit $rc)"
done

# 2. consume with a group, stopped by a signal mid-stream, then restarted: nothing lost.
gen $N 60 | "$SEA" streamer produce $C --topic c
for sig in TERM INT; do
  # A slow reader keeps the output pipe full, so the signal lands mid-stream.
  "$SEA" streamer consume $C --topic c --group g$sig --from earliest -e 2>"$T/err" |
    { head -c 2000000 >"$T/1"; sleep 1; cat >>"$T/1"; } & pipeline=$!; BG_PIDS+=($!)
  # Once the reader has its first bytes (a fixed 0.5 s came before sea's first write under ASan
  # and load), then mid-stream.
  for _ in $(seq 200); do [[ -s $T/1 ]] && break; sleep 0.05; done
  sleep 0.3
  pkill -$sig -f "streamer consume $C --topic c --group g$sig" || fail "consume ended before SIG$sig"
  wait $pipeline || true
  # The cut may leave a partial last line in what the reader kept: only whole lines count.
  python3 -c 'import sys; d = open(sys.argv[1], "rb").read(); open(sys.argv[1], "wb").write(d[:d.rfind(b"\n") + 1])' "$T/1"
  "$SEA" streamer consume $C --topic c --group g$sig --from earliest -e >"$T/2"
  first=$(head -c 200 "$T/2" | head -n1 | python3 -c 'import json, sys; print(json.loads(sys.stdin.readline())["id"])')
  last=$(tail -n1 "$T/1" | python3 -c 'import json, sys; l = sys.stdin.readline(); print(json.loads(l)["id"] if l else -1)')
  ((first <= last + 1)) || fail "consume SIG$sig: resumed at $first after writing only up to $last"
  cat "$T/1" "$T/2" >"$T/all"
  r=$(check_ids "$T/all" $N at-least) || fail "consume SIG$sig: $r"
  proved "consume --group SIG$sig mid-stream: wrote up to id $last, resumed at $first; $r over both runs, nothing lost"
done

# 3. flux on SIGINT (flux-sigterm.sh covers SIGTERM): everything written before is stored.
"$SEA" streamer flux "$T/p" $C --topic f & flux=$!; BG_PIDS+=($!)
wait_fifo "$T/p"
gen 50000 60 >"$T/p"
kill -INT $flux
rc=0; wait $flux || rc=$?
[[ $rc == 0 && ! -e $T/p ]] || fail "flux exited $rc on SIGINT or left its FIFO"
"$SEA" streamer consume $C --topic f --from earliest -e >"$T/out"
r=$(check_ids "$T/out" 50000 exact) || fail "flux SIGINT: $r"
proved "flux SIGINT after a writer: $r, exactly the input"

# 4. tap with a group, stopped mid-stream while a reader reads, then a new tap resumes.
for sig in TERM INT; do
  "$SEA" streamer tap "$T/t$sig" $C --topic c --group t$sig --from earliest 2>"$T/err" & tap=$!; BG_PIDS+=($!)
  wait_fifo "$T/t$sig"
  { head -c 3000000 >"$T/1"; sleep 1; cat >>"$T/1"; } <"$T/t$sig" & reader=$!; BG_PIDS+=($!)
  sleep 0.5
  kill -$sig $tap
  rc=0; wait $tap || rc=$?
  wait $reader || true
  [[ $rc == 0 ]] || fail "tap exited $rc on SIG$sig: $(cat "$T/err")"
  [[ ! -e $T/t$sig ]] || fail "tap left its FIFO behind"
  python3 -c 'import sys; d = open(sys.argv[1], "rb").read(); open(sys.argv[1], "wb").write(d[:d.rfind(b"\n") + 1])' "$T/1"
  "$SEA" streamer consume $C --topic c --group t$sig -e >"$T/2"
  last=$(tail -n1 "$T/1" | python3 -c 'import json, sys; l = sys.stdin.readline(); print(json.loads(l)["id"] if l else -1)')
  first=$(head -n1 "$T/2" | python3 -c 'import json, sys; l = sys.stdin.readline(); print(json.loads(l)["id"] if l else '$N')')
  ((first <= last + 1)) || fail "tap SIG$sig: the group resumed at $first after only $last was read"
  cat "$T/1" "$T/2" >"$T/all"
  r=$(check_ids "$T/all" $N at-least) || fail "tap SIG$sig: $r"
  proved "tap --group SIG$sig mid-stream: reader got up to id $last, group resumed at $first; $r, nothing lost"
done
