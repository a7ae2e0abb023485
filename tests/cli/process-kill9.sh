#!/bin/bash
# CMD killed with SIGKILL at random points 20 times during 100,000 messages (file backend).
# At-least-once: every input's output is present, and the repeats are bounded by what can be in
# flight (at most --commit-every uncommitted inputs are refed after each kill). Exactly-once
# (the output's dedupe window on keys CMD derives from its input with --envelope): each output
# exactly once. The kills are checked to have happened (sea reports each one).
source "$(dirname "$0")/common.sh"
C=file://$T/s
PY=/usr/bin/python3
n=100000
kills=20
every=500
$PY -c '
import json, sys
for i in range(int(sys.argv[1])): print(json.dumps({"i": i}))' $n | "$SEA" streamer produce --cluster $C --topic in

# A processor with a pace (a short sleep every 100 inputs), so that the run lasts long enough to
# be killed 20 times; with --envelope it keys each output by its input.
cat > "$T/paced.py" <<'PY'
import json, sys, time
envelope = len(sys.argv) > 1
for line in sys.stdin:
    m = json.loads(line)
    i = m["payload"]["i"] if envelope else m["i"]
    if i % 100 == 0: time.sleep(0.004)
    if envelope:
        print(json.dumps({"key": "%s/%d/%d" % (m["stream"], m["shard"], m["seq"]), "payload": {"i": i}}))
    else:
        print(json.dumps({"i": i}))
PY

# run_killed OUT ARGS...: the processor into stream OUT, CMD killed $kills times at random
# points; waits for the end (-e) and checks that sea reported every kill. Kills this close
# together can hit one input several times in a row (CMD killed while it starts): --poison 1000
# keeps the poison rule (tests/cli/process-file.sh) out of this test.
run_killed() {
  local out=$1; shift
  "$SEA" streamer process -i $C/in -O $C/$out --group $out --from earliest -e --commit-every $every \
    --commit-interval 200ms --max-restarts 50 --poison 1000 "$@" 2>"$T/$out.err" &
  local sea=$! done=0 cmd
  BG_PIDS+=($sea)
  RANDOM=$((42 + ${#out}))
  while ((done < kills)); do
    sleep "0.$((RANDOM % 3 + 1))$((RANDOM % 10))"
    cmd=$(pgrep -P $sea | head -n 1) || true
    kill -0 $sea 2>/dev/null || break
    # CMD is /bin/sh -c and its children, in their own process group: kill the group.
    [[ -n $cmd ]] && kill -KILL -- "-$cmd" 2>/dev/null && done=$((done + 1))
  done
  wait $sea || fail "$out: sea exited $?: $(grep -v '^\[' "$T/$out.err" | tail -n 3)"
  ((done == kills)) || fail "$out: the run ended after $done kills (CMD too fast to be killed $kills times)"
  local reported
  reported=$(grep -c "CMD killed by signal 9\|CMD .*SIGKILL" "$T/$out.err" || true)
  ((reported == kills)) || fail "$out: $kills kills, sea reported $reported: $(grep -i 'cmd' "$T/$out.err" | head -n 3)"
}
# count OUT: "COUNT DISTINCT MISSING" of the ids in stream OUT.
count() {
  "$SEA" streamer consume --cluster $C --topic "$1" --from earliest -e |
    $PY -c 'import sys, json
n = int(sys.argv[1]); ids = [json.loads(l)["i"] for l in sys.stdin]
print(len(ids), len(set(ids)), len(set(range(n)) - set(ids)))' $n
}

# 1. At-least-once.
run_killed alo --exec "$PY $T/paced.py"
read -r got distinct missing < <(count alo)
((missing == 0 && distinct == n)) || fail "at-least-once: $missing of $n inputs have no output"
repeats=$((got - n))
((repeats <= kills * every)) || fail "at-least-once: $repeats repeats, more than $kills kills x $every in flight"
echo "at-least-once: $n inputs, $kills kills, $repeats repeated outputs (bound $((kills * every)))"

# 2. Exactly-once through the dedupe window.
run_killed eos --mode exactly-once --envelope --exec "$PY $T/paced.py envelope"
read -r got distinct missing < <(count eos)
[[ $got == "$n" && $distinct == "$n" && $missing == 0 ]] || fail "exactly-once: $got outputs, $distinct distinct, $missing missing"
echo "exactly-once: $n inputs, $kills kills, every output once"
echo ok
