#!/bin/bash
# SIGTERM and SIGINT mid-stream for produce, flux, consume, tap and relay on Kafka (a private
# mock cluster of 3 brokers, topics of 6 partitions), with N keyed messages of known content:
# - produce/flux exit 0 and what they had read is in the topic (ids 0..K-1, each once, each
#   key in order); a restart with the rest of the input completes it, nothing lost;
# - with every broker down, produce and flux exit 1 within STOP_BOUND_MS and say how many
#   messages read were not acknowledged (sea-streamer-produce(1), -flux(1));
# - consume --group and tap --group exit 0 (tap removes its FIFO), having committed exactly
#   what they wrote: a restarted group resumes in every partition right after the last
#   message written, nothing lost, nothing twice;
# - relay --group (at-least-once) exits 0 and a restart completes the copy: every id at
#   least once in the output, each key's order kept.
source "$(dirname "$0")/kafka-common.sh"
N=40000
RATE=16000
STOP_BOUND_MS=3500  # the 1.5 s shutdown bound, the producer's 1 s close bound, and slack
start_mock

now_ms() { date +%s%3N; }
# slow_reader FIFO OUT RATE: reads FIFO at about RATE lines per second into OUT, so that a
# consumer writing into FIFO is mid-stream for a while.
slow_reader() {
  python3 -c '
import sys, time
dst, rate = open(sys.argv[2], "wb"), int(sys.argv[3])
src = open(sys.argv[1], "rb")
start, n = time.monotonic(), 0
for line in src:
    dst.write(line); n += 1
    if n % 100 == 0:
        dst.flush()
        ahead = start + n / rate - time.monotonic()
        if ahead > 0: time.sleep(ahead)
dst.flush()' "$@"
}
# resumed OUT1 OUT2: -J envelopes of a group's two runs; per partition the second run must start
# right after the last message of the first (none skipped, none twice). Prints a summary.
resumed() {
  python3 - "$@" <<'PY'
import json, sys
def runs(path):
    first, last, n = {}, {}, 0
    for line in open(path, encoding="utf-8"):
        if not line.endswith("\n"): break  # a cut last line was not written whole
        e = json.loads(line); n += 1
        first.setdefault(e["shard"], e["seq"]); last[e["shard"]] = e["seq"]
    return first, last, n
_, last1, n1 = runs(sys.argv[1])
first2, _, n2 = runs(sys.argv[2])
for p, s in sorted(first2.items()):
    want = last1.get(p, -1) + 1
    if s != want:
        sys.exit(f"partition {p}: the restart began at seq {s}, where {want} follows what was written")
print(f"run 1 wrote {n1}, run 2 resumed in {len(first2)} partitions right after it and wrote {n2}")
PY
} 2>&1
# cut_partial FILE: drops a partial last line (a reader killed mid-line).
cut_partial() { python3 -c 'import sys; d = open(sys.argv[1], "rb").read(); open(sys.argv[1], "wb").write(d[:d.rfind(b"\n") + 1])' "$1"; }

# 1. produce and flux, cut by a signal while reading, then restarted with the rest of the input.
for sig in TERM INT; do
  for cmd in produce flux; do
    topic=$cmd-$sig
    mock topic "$topic" 6
    args=(--cluster "$K" --topic "$topic" --key k)
    start_sending $cmd "$topic" $RATE "${args[@]}"
    pid=$PID
    wait_stored "$topic" 2000  # mid-stream: some of it is stored, most is still to come
    kill -$sig $pid
    wait_bounded $pid 60
    [[ $RC == 0 ]] || { bad "$cmd SIG$sig: exit $RC: $(tail -n 3 "$T/err")"; continue; }
    [[ $cmd == flux && -p $T/p-$topic ]] && bad "flux SIG$sig left its FIFO behind"
    read_topic "$topic" "$T/out"
    r=$(check_keyed "$T/out" $N prefix) || { bad "$cmd SIG$sig: $r"; continue; }
    k=$(wc -l <"$T/out")
    ((k > 0 && k < N)) || { bad "$cmd SIG$sig: $k of $N stored: the signal did not land mid-stream"; continue; }
    # The restart: the rest of the input, after what the topic holds.
    gen_keyed $N 0 "$k" | "$SEA" streamer produce "${args[@]}" 2>"$T/err" || bad "$cmd SIG$sig: restart: $(tail -n 2 "$T/err")"
    read_topic "$topic" "$T/out"
    if r2=$(check_keyed "$T/out" $N exact); then
      proved "$cmd SIG$sig mid-stream: exit 0 with $k of $N read and stored ($r); after a restart with the rest: $r2"
    else
      bad "$cmd SIG$sig: after the restart: $r2"
    fi
  done
done

# 2. Every broker down: a prompt exit 1 that counts what was not acknowledged.
for cmd in produce flux; do
  topic=down-$cmd
  mock topic "$topic" 6
  args=(--cluster "$K" --topic "$topic" --key k)
  start_sending $cmd "$topic" $RATE "${args[@]}"
  pid=$PID
  wait_stored "$topic" 2000
  mock broker-down 1; mock broker-down 2; mock broker-down 3
  sleep 1
  start=$(now_ms); kill -TERM $pid
  wait_bounded $pid 60; took=$(($(now_ms) - start))
  mock broker-up 1; mock broker-up 2; mock broker-up 3
  lost=$(grep -o '[0-9]* message(s) read were not acknowledged' "$T/err" || true)
  if [[ $RC == 1 ]] && ((took <= STOP_BOUND_MS)) && [[ -n $lost ]]; then
    proved "$cmd SIGTERMed with every broker down: exit 1 after $took ms: $lost"
  else
    bad "$cmd SIGTERMed with every broker down: exit $RC after $took ms (bound $STOP_BOUND_MS): $(tail -n 2 "$T/err")"
  fi
done

# 3. consume --group and tap --group stopped by a signal while a slow reader reads, restarted.
mock topic c 6
gen_keyed $N 0 | "$SEA" streamer produce --cluster "$K" --topic c --key k
G=(-X session.timeout.ms=6000)
for sig in TERM INT; do
  for cmd in consume tap; do
    group=$cmd-$sig
    rm -f "$T/1" "$T/2"
    mkfifo "$T/out1.fifo"
    if [[ $cmd == consume ]]; then
      "$SEA" streamer consume --cluster "$K" --topic c --group "$group" "${G[@]}" --from earliest -J \
        >"$T/out1.fifo" 2>"$T/err" & pid=$!
      BG_PIDS+=($pid)
      slow_reader "$T/out1.fifo" "$T/1" 10000 & reader=$!
    else
      rm "$T/out1.fifo"
      "$SEA" streamer tap "$T/out1.fifo" --cluster "$K" --topic c --group "$group" "${G[@]}" \
        --from earliest -J 2>"$T/err" & pid=$!
      BG_PIDS+=($pid)
      wait_fifo "$T/out1.fifo"
      slow_reader "$T/out1.fifo" "$T/1" 10000 & reader=$!
    fi
    BG_PIDS+=($reader)
    for _ in $(seq 200); do (($(wc -l <"$T/1" 2>/dev/null || echo 0) >= 5000)) && break; sleep 0.05; done
    kill -$sig $pid
    wait_bounded $pid 60
    wait $reader || true
    rm -f "$T/out1.fifo"
    [[ $RC == 0 ]] || { bad "$cmd --group SIG$sig: exit $RC: $(tail -n 3 "$T/err")"; continue; }
    cut_partial "$T/1"
    timeout -k 2 60 "$SEA" streamer consume --cluster "$K" --topic c --group "$group" "${G[@]}" --from earliest -J -e \
      >"$T/2" 2>"$T/err" || { bad "$cmd --group SIG$sig: restart: exit $?: $(tail -n 2 "$T/err")"; continue; }
    cat "$T/1" "$T/2" >"$T/all"
    if r=$(resumed "$T/1" "$T/2") && r2=$(check_keyed "$T/all" $N exact); then
      proved "$cmd --group SIG$sig mid-stream: exit 0; $r; over both: $r2"
    else
      bad "$cmd --group SIG$sig: $r ${r2:-}"
    fi
  done
done

# 4. relay --group (at-least-once) from a topic being produced, stopped, then restarted.
for sig in TERM INT; do
  mock topic "rin-$sig" 6
  mock topic "rout-$sig" 6
  # The input is produced for 5 s; the signal comes once the relay (whose group join takes a
  # few seconds on the mock) has copied some of it.
  "$SEA" streamer produce --cluster "$K" --topic "rin-$sig" --key k < <(gen_keyed $N $((RATE / 2))) 2>"$T/perr" & prod=$!
  BG_PIDS+=($prod)
  relay=("$SEA" streamer relay --input "$K/rin-$sig" --output "$K/rout-$sig" --group "relay-$sig" "${G[@]}")
  "${relay[@]}" 2>"$T/err" & pid=$!
  BG_PIDS+=($pid)
  wait_stored "rout-$sig" 1000
  kill -$sig $pid
  wait_bounded $pid 60
  [[ $RC == 0 ]] || { bad "relay SIG$sig: exit $RC: $(tail -n 3 "$T/err")"; continue; }
  read_topic "rout-$sig" "$T/out"
  k=$(wc -l <"$T/out")
  wait $prod || bad "relay SIG$sig: the input's producer failed: $(tail -n 2 "$T/perr")"
  timeout -k 2 60 "${relay[@]}" -e 2>"$T/err" || { bad "relay SIG$sig: restart: exit $?: $(tail -n 2 "$T/err")"; continue; }
  read_topic "rout-$sig" "$T/out"
  r=""
  if ((k > 0 && k < N)) && r=$(check_keyed "$T/out" $N at-least); then
    proved "relay --group SIG$sig mid-stream: exit 0 with $k of $N copied; after a restart with -e: $r"
  else
    bad "relay SIG$sig: $k of $N copied by the first run; after the restart: ${r:-}"
  fi
done
finish
