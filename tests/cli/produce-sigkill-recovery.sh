#!/bin/bash
# A producer SIGKILLed mid-write leaves at most a torn tail: the next producer cuts it, every
# complete message is kept whole and each writer's sequence has no gap.
source "$(dirname "$0")/common.sh"
# The generator outlives the producer, so every kill lands while sea is appending.
for k in 1 2 3 4 5; do
  python3 -c "
import sys
for i in range(3000000): sys.stdout.write('{\"w\":$k,\"i\":%d}\n' % i)" 2>/dev/null |
    "$SEA" streamer produce $C --topic k 2>/dev/null & p=$!
  sleep 0.$((RANDOM % 4 + 2)); pkill -KILL -f "streamer produce $C --topic k" || fail "producer $k ended early"
  wait $p 2>/dev/null || true
done
printf '{"w":9,"i":0}\n' | "$SEA" streamer produce $C --topic k
"$SEA" streamer consume $C --topic k --from earliest -e > "$T/out"
python3 - "$T/out" <<'PY'
import json, sys
last = {}
for n, line in enumerate(open(sys.argv[1]), 1):
    m = json.loads(line)
    assert m["i"] == last.get(m["w"], -1) + 1, f"line {n}: gap or torn message {line!r}"
    last[m["w"]] = m["i"]
assert 9 in last, "message produced after the kills is missing"
PY
