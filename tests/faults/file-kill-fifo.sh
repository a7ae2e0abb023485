#!/bin/bash
# SIGKILL and FIFO faults on the file backend: a group consumer SIGKILLed mid-stream resumes
# from its committed position without losing anything it wrote; a FIFO writer that dies
# mid-frame has its partial frame reported and not produced; a tap whose reader closes early
# survives for the next reader and commits no further than the pipe could have taken; a FIFO
# path replaced by a regular file or a symlink while flux or tap runs is left alone on exit.
source "$(dirname "$0")/common.sh"
N=200000
gen $N 60 | "$SEA" streamer produce $C --topic k
id_of() { python3 -c 'import json, sys; l = sys.stdin.readline(); print(json.loads(l)["id"] if l.strip() else sys.argv[1])' "$1"; }
whole_lines() { python3 -c 'import sys; d = open(sys.argv[1], "rb").read(); open(sys.argv[1], "wb").write(d[:d.rfind(b"\n") + 1])' "$1"; }

# 1. SIGKILL a group consumer mid-stream, three times, then read to the end.
: >"$T/all"
for round in 1 2 3; do
  # A reader that stalls keeps the pipe full, so the kill lands mid-stream; it then takes
  # everything sea had written before dying.
  rm -f "$T/slow"; mkfifo "$T/slow"
  { head -c $((RANDOM * 30)) >"$T/part"; sleep 1; cat >>"$T/part"; } <"$T/slow" & reader=$!; BG_PIDS+=($!)
  "$SEA" streamer consume $C --topic k --group kg --from earliest -e >"$T/slow" 2>/dev/null & pid=$!; BG_PIDS+=($!)
  # Once the reader has its first bytes (a fixed 0.5 s came before sea's first write under ASan).
  for _ in $(seq 200); do [[ -s $T/part ]] && break; sleep 0.05; done
  sleep 0.5
  kill -KILL $pid || fail "consume ended before SIGKILL (round $round)"
  wait $pid 2>/dev/null || true
  wait $reader
  whole_lines "$T/part"
  last=$(tail -n1 "$T/part" | id_of -1)
  # --from earliest applies only where the group has committed nothing yet: then it all comes again.
  "$SEA" streamer consume $C --topic k --group kg --from earliest -c 1 >"$T/next"
  next=$(id_of $N <"$T/next")
  ((next <= last + 1)) || fail "SIGKILL round $round: wrote up to $last but the group resumed at $next"
  cat "$T/part" "$T/next" >>"$T/all"
  echo "  round $round: killed after writing id $last, group resumed at $next"
done
"$SEA" streamer consume $C --topic k --group kg -e >>"$T/all"
r=$(check_ids "$T/all" $N at-least) || fail "SIGKILL: $r"
proved "consume --group SIGKILLed 3 times: each restart resumed at or before the next unwritten id; $r, nothing lost"

# 2. A FIFO writer dies mid-frame: the partial frame is reported, not produced; flux goes on.
"$SEA" streamer flux "$T/p" $C --topic w 2>"$T/err" & flux=$!; BG_PIDS+=($!)
wait_fifo "$T/p"
(trap - ERR; python3 - "$T/p" <<'PY'
import os, signal, sys
with open(sys.argv[1], "w") as f:
    for i in range(1000): f.write('{"id":%d,"pad":"xxxxxxxx"}\n' % i)
    f.write('{"id":1000,"pa')
    f.flush()
    os.kill(os.getpid(), signal.SIGKILL)
PY
) || true  # the writer's own SIGKILL
for _ in $(seq 100); do grep -q "line 1001" "$T/err" && break; sleep 0.05; done
python3 -c 'import sys; sys.stdout.write("".join("{\"id\":%d}\n" % i for i in range(1001, 1100)))' >"$T/p"
for _ in $(seq 100); do [[ $("$SEA" streamer consume $C --topic w --from earliest -e | wc -l) == 1099 ]] && break; sleep 0.05; done
kill -TERM $flux; wait $flux || fail "flux exited $? after a writer died"
grep -q "line 1001" "$T/err" || fail "the partial frame was not reported: $(cat "$T/err")"
"$SEA" streamer consume $C --topic w --from earliest -e >"$T/out"
grep -q '"pa$\|{"id":1000' "$T/out" && fail "the partial frame was produced"
python3 -c '
import json, sys
ids = [json.loads(l)["id"] for l in open(sys.argv[1])]
want = list(range(1000)) + list(range(1001, 1100))
assert ids == want, f"{len(ids)} messages, first difference at {next(i for i, (a, b) in enumerate(zip(ids, want)) if a != b) if ids[:len(want)] != want[:len(ids)] else min(len(ids), len(want))}"' "$T/out" ||
  fail "wrong messages around the dead writer"
proved "FIFO writer SIGKILLed mid-frame: partial frame reported at line 1001, not produced; 1000 before and 99 after stored"

# 3. A tap reader closes early: tap survives; the group's position is past the reader's 100
# lines only by what head itself read past them (its read buffer, at most 64 KiB here): what was
# still unread in the pipe (up to 1 MiB) is not committed, and the next reader resumes there.
# (tests/cli/group-commits-what-was-read.sh checks it byte-exact.)
"$SEA" streamer tap "$T/t" $C --topic k --group early --from earliest 2>"$T/err" & tap=$!; BG_PIDS+=($!)
wait_fifo "$T/t"
head -n 100 <"$T/t" >"$T/1"
sleep 0.5
kill -0 $tap || fail "tap died when its reader closed early: $(cat "$T/err")"
head -n 1 <"$T/t" >"$T/2"
kill -TERM $tap; wait $tap || fail "tap exited $? on SIGTERM"
next=$(id_of $N <"$T/2")
bytes_between=$(( (next - 100) * $(head -n1 "$T/1" | wc -c) ))
((next >= 100)) || fail "early close: the group went back to $next"
((bytes_between <= 65536)) || fail "early close: the group skipped $((next - 100)) messages (~$bytes_between bytes), more than head can have read"
proved "tap reader closed after 100 of $N: tap lived on; the next reader resumed at id $next ($((next - 100)) messages, ~$bytes_between bytes, were read by head past its 100 lines)"

# 4. The FIFO path replaced while flux/tap run: sea must not delete what it did not make. (tap,
# waiting for a reader, may see the replacement first and exit by itself with an error: the
# SIGTERM then finds it gone.)
for cmd in flux tap; do
  "$SEA" streamer $cmd "$T/r" $C --topic k 2>/dev/null & pid=$!; BG_PIDS+=($!)
  wait_fifo "$T/r"
  rm "$T/r"; echo keep >"$T/r"
  kill -TERM $pid 2>/dev/null || true; wait $pid || true
  [[ -f $T/r && $(cat "$T/r") == keep ]] || fail "$cmd deleted or changed the regular file put at its path"
  rm "$T/r"
  "$SEA" streamer $cmd "$T/r" $C --topic k 2>/dev/null & pid=$!; BG_PIDS+=($!)
  wait_fifo "$T/r"
  echo target >"$T/target"; rm "$T/r"; ln -s "$T/target" "$T/r"
  kill -TERM $pid 2>/dev/null || true; wait $pid || true
  [[ -L $T/r && $(cat "$T/target") == target ]] || fail "$cmd deleted the symlink put at its path or its target"
  rm "$T/r"
  proved "$cmd: a regular file and a symlink put at its FIFO path while running are left alone on exit"
done
