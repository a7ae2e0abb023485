#!/bin/bash
# sea streamer process over the file backend with real programs (jq, awk, sort, grep, Python):
# zero/one/many outputs per input, a crash restarted from the last commit (at-least-once), a
# poison input to the dead letter, SIGTERM mid-stream with a group, a processor that buffers,
# line-buffering of a filter that block-buffers a pipe, stderr prefixes, envelopes (keys, headers,
# output streams), usage errors.
source "$(dirname "$0")/common.sh"
C=file://$T/s
PY=/usr/bin/python3
code() { set +e; "$@" >"$T/out" 2>"$T/err" </dev/null; echo $?; set -e; }
ids() {  # ids STREAM: "count distinct missing-of-0..N-1" of the "i" fields in STREAM
  "$SEA" streamer consume --cluster $C --topic "$1" --from earliest -e |
    $PY -c 'import sys, json
n = int(sys.argv[1]); ids = [json.loads(l)["i"] for l in sys.stdin]
print(len(ids), len(set(ids)), len(set(range(n)) - set(ids)))' "$2"
}
$PY -c '
import json
for i in range(5000): print(json.dumps({"i": i, "qty": i % 5}))' > "$T/in"
"$SEA" streamer produce --cluster $C --topic orders < "$T/in"

# 1. Zero, one or many outputs per input.
"$SEA" streamer process -i $C/orders -O $C/sel --from earliest -e --exec "jq -c 'select(.qty > 2)'"
[[ $(ids sel 5000) == "2000 2000 3000" ]] || fail "jq select: $(ids sel 5000)"
"$SEA" streamer process -i $C/orders -O $C/twice --from earliest -e --exec 'awk "{print; print}"'
[[ $(ids twice 5000) == "10000 5000 0" ]] || fail "awk twice: $(ids twice 5000)"
"$SEA" streamer process -i $C/orders -O $C/same --from earliest -e --exec cat
cmp <("$SEA" streamer consume --cluster $C --topic same --from earliest -e) "$T/in" || fail "cat is not the identity"

# 2. A processor that holds everything back until its input ends (sort) still gives everything.
"$SEA" streamer process -i $C/orders -O $C/sorted --from earliest -e --exec 'sort -t: -k2 -n' --commit-interval 50ms
[[ $(ids sorted 5000) == "5000 5000 0" ]] || fail "sort: $(ids sorted 5000)"

# 3. CMD crashing once mid-stream: restarted from the last commit, every output present.
cat > "$T/crashy.py" <<PY
import json, os, sys
for line in sys.stdin:
    m = json.loads(line)
    if m["i"] == 2500 and not os.path.exists("$T/crashed"):
        open("$T/crashed", "w").close()
        os._exit(3)
    print(json.dumps({"i": m["i"]}))
PY
"$SEA" streamer process -i $C/orders -O $C/crash --from earliest -e --exec "$PY $T/crashy.py" 2>"$T/err" ||
  fail "crash run failed: $(cat "$T/err")"
read -r n distinct missing < <(ids crash 5000)
[[ $distinct == 5000 && $missing == 0 ]] || fail "after a crash: $n $distinct $missing"
grep -q "CMD exit status 3 while processing orders shard 0 seq" "$T/err" || fail "crash report: $(cat "$T/err")"
grep -q "restarting CMD" "$T/err" || fail "no restart: $(cat "$T/err")"

# 4. A poison input: to the dead letter after --poison crashes, the rest goes on; without a
#    dead letter the run fails naming it.
cat > "$T/poison.py" <<'PY'
import json, os, sys
for line in sys.stdin:
    m = json.loads(line)
    if m["i"] == 777: os.kill(os.getpid(), 9)
    print(json.dumps({"i": m["i"]}))
PY
"$SEA" streamer process -i $C/orders -O $C/p --from earliest -e --exec "exec $PY $T/poison.py" \
  --dead-letter $C/dead 2>"$T/err" || fail "poison run failed: $(cat "$T/err")"
read -r n distinct missing < <(ids p 5000)
[[ $distinct == 4999 && $missing == 1 ]] || fail "poison: $n $distinct $missing"
[[ $("$SEA" streamer consume --cluster $C --topic dead --from earliest -e) == '{"i": 777, "qty": 2}' ]] ||
  fail "dead letter: $("$SEA" streamer consume --cluster $C --topic dead --from earliest -e)"
grep -q "killed by signal 9 (SIGKILL) while processing orders shard 0 seq 777" "$T/err" || fail "poison report: $(cat "$T/err")"
[[ $(code "$SEA" streamer process -i $C/orders -O $C/p2 --from earliest -e --exec "exec $PY $T/poison.py") == 1 ]] ||
  fail "poison without a dead letter did not fail"
grep -q "orders shard 0 seq 777 crashed CMD 3 times in a row (no --dead-letter)" "$T/err" || fail "no-dl: $(cat "$T/err")"

# 5. SIGTERM mid-stream with a group: CMD finishes the input under way, sea feeds nothing more,
#    commits and exits 0; the next run of the group goes on from there (at-least-once: every
#    input's output present, the overlap bounded by what was in flight).
$PY -c '
import json
for i in range(20000): print(json.dumps({"i": i}))' | "$SEA" streamer produce --cluster $C --topic many
"$SEA" streamer process -i $C/many -O $C/g --from earliest --group g --commit-interval 100ms \
  --exec "$PY -c 'import sys, time
for l in sys.stdin:
    time.sleep(0.001); print(l, end=\"\")'" 2>"$T/err1" & pid=$!
BG_PIDS+=($pid)
for _ in $(seq 100); do [[ $("$SEA" streamer admin describe g --cluster $C --json 2>/dev/null | jq '.messages // 0') -gt 500 ]] && break; sleep 0.1; done
kill -TERM $pid
wait $pid || fail "process exited $? on SIGTERM: $(cat "$T/err1")"
first=$("$SEA" streamer consume --cluster $C --topic g --from earliest -e | wc -l)
((first > 500 && first < 20000)) || fail "first run wrote $first"
"$SEA" streamer process -i $C/many -O $C/g --from earliest --group g -e --exec cat 2>"$T/err2"
read -r n distinct missing < <(ids g 20000)
[[ $distinct == 20000 && $missing == 0 ]] || fail "group resume: $n $distinct $missing"
((n - 20000 < 5000)) || fail "group resume repeated $((n - 20000)) inputs"

# 6. Line buffering: grep block-buffers a pipe; under process each match comes out at once.
"$SEA" streamer process -i $C/logs -O $C/errors --format lines --exec 'grep ERROR' 2>"$T/err" & pid=$!
BG_PIDS+=($pid)
sleep 0.5
printf 'ok 1\nERROR one\nok 2\n' | "$SEA" streamer produce --cluster $C --topic logs --format lines
for _ in $(seq 50); do [[ -n $("$SEA" streamer consume --cluster $C --topic errors --from earliest -e) ]] && break; sleep 0.1; done
[[ $("$SEA" streamer consume --cluster $C --topic errors --from earliest -e) == "ERROR one" ]] ||
  fail "grep's match did not come out while its input stayed open"
# The running processor is registered: top lists it; once it stopped, no more.
[[ $("$SEA" streamer top --cluster $C --once --json --interval 100ms | jq -r '.processors[] | "\(.name) \(.output)"') == "grep $C/errors" ]] ||
  fail "top does not list the processor: $("$SEA" streamer top --cluster $C --once --json --interval 100ms | jq -c .processors)"
kill -TERM $pid; wait $pid || fail "grep process: $(cat "$T/err")"
[[ $("$SEA" streamer top --cluster $C --once --json --interval 100ms | jq '.processors | length') == 0 ]] ||
  fail "a stopped processor is still listed"

# 7. CMD's stderr, each line prefixed with the processor's name.
"$SEA" streamer process -i $C/orders -O $C/quiet --from earliest -c 3 --name checker \
  --exec 'while read -r l; do echo "saw $l" >&2; done' 2>"$T/err"
grep -q '^\[checker\] saw {"i": 0, "qty": 0}$' "$T/err" || fail "stderr prefix: $(cat "$T/err")"

# 8. Envelopes: CMD sets key and headers.
"$SEA" streamer process -i $C/orders -O $C/env --from earliest -c 2 --envelope \
  --exec "jq -c '.key = \"k\(.payload.i)\" | .headers = {\"h\": \"v\"} | del(.stream, .shard, .seq)'"
"$SEA" streamer consume --cluster $C --topic env --from earliest -e -J | jq -c '[.key, .headers.h, .payload.i]' > "$T/env"
[[ $(cat "$T/env") == $'["k0","v",0]\n["k1","v",1]' ]] || fail "envelope: $(cat "$T/env")"
# An envelope's "stream" routes the output: big orders to "big-orders", a bad name skipped with
# a warning, an envelope passed through unchanged (it names the input) to --output; the log
# records the outputs of each stream and the replay reads them back from there.
cat > "$T/route.py" <<'PY'
import json, sys
for line in sys.stdin:
    e = json.loads(line)
    i = e["payload"]["i"]
    if i == 7:
        print(json.dumps({"stream": "bad name", "payload": e["payload"]}))
    elif e["payload"]["qty"] > 3:
        print(json.dumps({"stream": "big-orders", "key": "k%d" % i, "payload": e["payload"]}))
    else:
        print(line, end="")
PY
"$SEA" streamer process -i $C/orders -O $C/rest --from earliest -e --envelope --log "$T/route.log" \
  --exec "$PY $T/route.py" 2>"$T/err" || fail "routing: $(cat "$T/err")"
[[ $(ids big-orders 5000) == "1000 1000 4000" ]] || fail "routed to big-orders: $(ids big-orders 5000)"
[[ $(ids rest 5000) == "3999 3999 1001" ]] || fail "left in rest: $(ids rest 5000)"
[[ $("$SEA" streamer consume --cluster $C --topic big-orders --from earliest -c 1 -f '%k') == k4 ]] || fail "routed key"
grep -q "names stream 'bad name': stream key 'bad name' has a bad character" "$T/err" || fail "bad stream name: $(cat "$T/err")"
[[ $("$SEA" streamer consume --cluster $C --topic orders --from earliest -e | wc -l) == 5000 ]] || fail "routing wrote into the input"
"$SEA" streamer replay "$T/route.log" > "$T/r" || fail "replay of a routing run: $(cat "$T/r")"
grep -q "identical: 1 feed(s), 5000 input(s), 4999 output(s)" "$T/r" || fail "replay of a routing run: $(cat "$T/r")"

# 9. Usage errors.
[[ $(code "$SEA" streamer process -i $C/orders -O $C/x --exec cat --envelope --format lines) == 2 ]] || fail "--envelope --format lines"
[[ $(code "$SEA" streamer process -i $C/orders -O $C/x) == 2 ]] || fail "no --exec"
[[ $(code "$SEA" streamer process -i $C/orders -O $C/x --exec ' ') == 2 ]] || fail "empty --exec"
grep -q "exec needs a command" "$T/err" || fail "empty exec message: $(cat "$T/err")"
[[ $(code "$SEA" streamer process -i $C/orders -O $C/x --exec cat --poison 0) == 2 ]] || fail "--poison 0"
echo ok
