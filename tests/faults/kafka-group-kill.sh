#!/bin/bash
# consume --group and tap --group on Kafka (a private mock cluster, a topic of 6 partitions
# holding N keyed messages) SIGKILLed mid-stream while a reader takes about RATE lines a
# second, then restarted with the same group. At-least-once: nothing is lost; a message is
# delivered again only if it was written after the group's last commit, so in every partition
# the restart begins no later than right after the last message written, and the duplicates
# are bounded by what was in flight: what the reader got in the last COMMIT_S seconds before
# the kill (librdkafka's auto commit runs every second) plus what was still in the pipe.
source "$(dirname "$0")/kafka-common.sh"
N=40000
RATE=8000
COMMIT_S=2  # auto.commit.interval.ms (1 s) and a commit's round trip, with slack
start_mock
mock topic c 6
gen_keyed $N 0 | "$SEA" streamer produce --cluster "$K" --topic c --key k
G=(-X session.timeout.ms=6000)

# timed_reader FIFO OUT: reads FIFO at about RATE lines a second into OUT, and the time each
# line arrived (epoch seconds) into OUT.t.
timed_reader() {
  python3 -c '
import sys, time
dst, times, rate = open(sys.argv[2], "wb"), open(sys.argv[2] + ".t", "w"), int(sys.argv[3])
src = open(sys.argv[1], "rb")
start, n = None, 0
for line in src:
    if start is None: start = time.monotonic()  # paced from the first line: joining takes a while
    dst.write(line); times.write("%.3f\n" % time.time()); n += 1
    if n % 100 == 0:
        dst.flush(); times.flush()
        ahead = start + n / rate - time.monotonic()
        if ahead > 0: time.sleep(ahead)
dst.flush(); times.flush()' "$1" "$2" $RATE
}

# judge OUT1 OUT2 KILLED_AT: the two runs' -J envelopes (a line cut by the kill is dropped);
# prints the counts, fails on a gap or on more duplicates than were in flight.
judge() {
  python3 - "$@" $COMMIT_S <<'PY'
import json, sys
out1, out2, killed_at, commit_s = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
def load(path):
    rows = []
    for line in open(path, encoding="utf-8"):
        if not line.endswith("\n"): break  # cut by the kill
        rows.append(json.loads(line))
    return rows
run1, run2 = load(out1), load(out2)
times = [float(t) for t in open(out1 + ".t")][:len(run1)]
last1, first2 = {}, {}
for e in run1: last1[e["shard"]] = e["seq"]
for e in run2: first2.setdefault(e["shard"], e["seq"])
for p, s in first2.items():
    if s > last1.get(p, -1) + 1:
        sys.exit(f"partition {p}: the restart began at seq {s} after only {last1.get(p, -1)} was written: a gap")
ids = [e["payload"]["id"] for e in run1 + run2]
dups = len(ids) - len(set(ids))
in_flight = sum(1 for t in times if t >= killed_at - commit_s)
if dups > in_flight:
    sys.exit(f"{dups} duplicates, but only {in_flight} messages were written in the last {commit_s} s before the kill")
print(f"run 1 wrote {len(run1)}, run 2 {len(run2)}; {dups} duplicates <= {in_flight} in flight (written in the last {commit_s} s or after the kill)")
PY
} 2>&1

for cmd in consume tap; do
  group=kill-$cmd
  rm -f "$T/1" "$T/1.t" "$T/2"
  if [[ $cmd == consume ]]; then
    mkfifo "$T/o.fifo"
    "$SEA" streamer consume --cluster "$K" --topic c --group "$group" "${G[@]}" --from earliest -J >"$T/o.fifo" 2>"$T/err" &
    pid=$!
  else
    "$SEA" streamer tap "$T/o.fifo" --cluster "$K" --topic c --group "$group" "${G[@]}" --from earliest -J 2>"$T/err" &
    pid=$!
    wait_fifo "$T/o.fifo"
  fi
  BG_PIDS+=($pid)
  timed_reader "$T/o.fifo" "$T/1" & reader=$!
  BG_PIDS+=($reader)
  # Kill once the group has been reading for a while (several auto commits).
  for _ in $(seq 400); do (($(wc -l <"$T/1" 2>/dev/null || echo 0) >= 3 * RATE)) && break; sleep 0.05; done
  killed_at=$(date +%s.%N)
  kill -KILL $pid
  wait $pid 2>/dev/null || true
  wait $reader || true
  # tap leaves its FIFO behind when killed: the restart replaces the stale FIFO.
  if [[ $cmd == consume ]]; then
    rm -f "$T/o.fifo"
    timeout -k 2 60 "$SEA" streamer consume --cluster "$K" --topic c --group "$group" "${G[@]}" --from earliest -J -e \
      >"$T/2" 2>"$T/err" || { bad "consume --group after SIGKILL: restart: exit $?: $(tail -n 2 "$T/err")"; continue; }
  else
    [[ -p $T/o.fifo ]] || bad "tap: no stale FIFO after SIGKILL (the test expects one to replace)"
    old_inode=$(stat -c %i "$T/o.fifo")
    "$SEA" streamer tap "$T/o.fifo" --cluster "$K" --topic c --group "$group" "${G[@]}" --from earliest -J -e \
      2>"$T/err" & pid=$!
    BG_PIDS+=($pid)
    for _ in $(seq 100); do [[ -p $T/o.fifo && $(stat -c %i "$T/o.fifo") != "$old_inode" ]] && break; sleep 0.05; done
    timeout 60 cat "$T/o.fifo" >"$T/2" || bad "tap after SIGKILL: reading the restarted tap failed"
    kill -TERM $pid 2>/dev/null || true
    wait_bounded $pid 30
    [[ $RC == 0 ]] || bad "tap --group after SIGKILL: the restarted tap exited $RC: $(tail -n 2 "$T/err")"
  fi
  r2=""
  if r=$(judge "$T/1" "$T/2" "$killed_at") && r2=$(python3 - "$T/1" "$T/2" $N <<'PY'
import json, sys
ids = set()
for path in sys.argv[1:3]:
    for line in open(path, encoding="utf-8"):
        if line.endswith("\n"): ids.add(json.loads(line)["payload"]["id"])
missing = set(range(int(sys.argv[3]))) - ids
if missing: sys.exit(f"{len(missing)} ids lost, first {min(missing)}")
print(f"all {len(ids)} ids delivered")
PY
  ); then
    proved "$cmd --group SIGKILLed mid-stream and restarted: $r; $r2"
  else
    bad "$cmd --group SIGKILLed and restarted: $r ${r2:-}"
  fi
done
finish
