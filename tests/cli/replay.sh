#!/bin/bash
# sea streamer replay: a pure processor replays identically; a changed CMD is caught at the exact
# input message; a processor that reads the clock and /dev/urandom differs without
# --deterministic and replays identically with it; --list; --output writes a replay's outputs to
# a stream; a bad log record is named.
source "$(dirname "$0")/common.sh"
C=file://$T/s
PY=/usr/bin/python3
$PY -c '
import json
for i in range(3000): print(json.dumps({"i": i, "qty": i % 7}))' | "$SEA" streamer produce --cluster $C --topic orders

# 1. Pure: identical, feed by feed (three commits: --commit-every 1000).
"$SEA" streamer process -i $C/orders -O $C/big --from earliest -e --commit-every 1000 --log "$T/pure.log" \
  --exec "jq -c 'select(.qty > 3) | {i, q: (.qty * 2)}'"
"$SEA" streamer replay "$T/pure.log" > "$T/r1" || fail "pure replay: $(cat "$T/r1")"
grep -qx "identical: 3 feed(s), 3000 input(s), 1284 output(s)" "$T/r1" || fail "pure replay said: $(cat "$T/r1")"
"$SEA" streamer replay "$T/pure.log" --list > "$T/list"
grep -Eq '^ +0  run +jq file://.*/orders -> file://.*/big' "$T/list" || fail "--list run: $(cat "$T/list")"
grep -Eq '^ +2  feed +#1  in orders/0 1000..1999 \(1000\)  out big/0 [0-9]+..[0-9]+ \(428\)' "$T/list" ||
  fail "--list feed: $(cat "$T/list")"
grep -Eq '^ +4  end +fed 3000, produced 1284 \(end\)' "$T/list" || fail "--list end: $(cat "$T/list")"

# 2. A new version of CMD that differs from seq 1500 on: named exactly, exit 1.
rc=0
"$SEA" streamer replay "$T/pure.log" --exec "jq -c 'select(.qty > 3) | {i, q: (if .i >= 1500 then .qty * 3 else .qty * 2 end)}'" > "$T/r2" || rc=$?
[[ $rc == 1 ]] || fail "changed CMD: exit $rc: $(cat "$T/r2")"
grep -q "feed #1 (log record 2), input orders shard 0 seq 1502:" "$T/r2" || fail "changed CMD said: $(cat "$T/r2")"
grep -q 'expected output .*: {"i":1502,"q":8}' "$T/r2" && grep -q 'got: {"i":1502,"q":12}' "$T/r2" || fail "difference: $(cat "$T/r2")"
# --from/--to: only feed #0, which the change does not touch.
"$SEA" streamer replay "$T/pure.log" --from 0 --to 0 \
  --exec "jq -c 'select(.qty > 3) | {i, q: (if .i >= 1500 then .qty * 3 else .qty * 2 end)}'" > "$T/r3" ||
  fail "--to 0: $(cat "$T/r3")"
grep -q "identical: 1 feed(s), 1000 input(s)" "$T/r3" || fail "--to 0 said: $(cat "$T/r3")"
# --output: the changed CMD's outputs, all of them (no compare, no stop at the difference), each
# naming its input in a header; read back with the envelope.
"$SEA" streamer replay "$T/pure.log" --output $C/replayed \
  --exec "jq -c 'select(.qty > 3) | {i, q: (if .i >= 1500 then .qty * 3 else .qty * 2 end)}'" > "$T/r4" ||
  fail "--output: $(cat "$T/r4")"
grep -qx "wrote 1284 output(s) of 3 feed(s), 3000 input(s) to $C/replayed" "$T/r4" || fail "--output said: $(cat "$T/r4")"
"$SEA" streamer consume --cluster $C --topic replayed --from earliest -e -J > "$T/replayed"
$PY - "$T/replayed" <<'PY' || fail "--output stream"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 1284, len(rows)
for e in rows:
    p = e["payload"]
    assert e["headers"]["sea-replay-input"] == "orders/0/%d" % p["i"], e
    assert p["q"] == (p["i"] % 7) * (3 if p["i"] >= 1500 else 2), e
PY
not "$SEA" streamer replay "$T/pure.log" --output "$C/a,b" 2>"$T/e0" || fail "--output with two streams accepted"

# 3. The clock and /dev/urandom: caught without --deterministic, identical with it.
cat > "$T/noisy.py" <<'PY'
import json, os, random, sys, time
for line in sys.stdin:
    m = json.loads(line)
    print(json.dumps({"i": m["i"], "t": time.time(), "r": os.urandom(4).hex(), "u": random.random()}))
PY
"$SEA" streamer process -i $C/orders -O $C/noisy --from earliest -c 300 --log "$T/plain.log" --exec "$PY $T/noisy.py"
rc=0
"$SEA" streamer replay "$T/plain.log" > "$T/r4" || rc=$?
[[ $rc == 1 ]] || fail "a noisy replay without --deterministic: exit $rc: $(cat "$T/r4")"
grep -q "input orders shard 0 seq 0:" "$T/r4" && grep -q "not --deterministic" "$T/r4" || fail "noisy said: $(cat "$T/r4")"
"$SEA" streamer process -i $C/orders -O $C/det --from earliest -c 300 --log "$T/det.log" --deterministic --exec "$PY $T/noisy.py"
# The clock CMD saw is the message's time.
ts=$("$SEA" streamer consume --cluster $C --topic orders --from earliest -c 1 -f '%T')
t=$("$SEA" streamer consume --cluster $C --topic det --from earliest -c 1 | jq '.t * 1000 | round')
[[ $t == "$ts" ]] || fail "CMD's clock read $t, the message's time is $ts"
"$SEA" streamer replay "$T/det.log" > "$T/r5" || fail "deterministic replay: $(cat "$T/r5")"
grep -qx "identical: 1 feed(s), 300 input(s), 300 output(s)" "$T/r5" || fail "det replay said: $(cat "$T/r5")"

# 4. A log that is no log, and a bad record in one: errors that name them.
rc1=0 rc2=0
"$SEA" streamer replay "$T/nothing-here" 2>"$T/e1" || rc1=$?
printf '{"kind":"feed","v":1}\n' | "$SEA" streamer produce --cluster "file://$T/pure.log" --topic control
"$SEA" streamer replay "$T/pure.log" 2>"$T/e2" || rc2=$?
[[ $rc1 != 0 ]] && grep -q "not a controller log" "$T/e1" || fail "no log: $rc1 $(cat "$T/e1")"
[[ $rc2 != 0 ]] && grep -q 'record 5: no "feed"' "$T/e2" || fail "bad record: $rc2 $(cat "$T/e2")"
echo ok
