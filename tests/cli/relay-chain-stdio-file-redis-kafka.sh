#!/bin/bash
# relay carries keys, headers and timestamps through stdio -> file -> Redis -> Kafka -> stdio,
# byte for byte; Redis holds the original times in its entry ids (checked with redis-cli) and
# Kafka in its message timestamps (checked with kcat).
source "$(dirname "$0")/common.sh"
: "${SEA_TEST_REDIS:?SEA_TEST_REDIS must name the test Redis (scripts/test sets it)}"
: "${SEA_TEST_KAFKA:?SEA_TEST_KAFKA must name the test Kafka (scripts/test sets it)}"
k="relay-$$-$RANDOM"
python3 - > "$T/in" <<'PY'
import json
for i in range(3000):
    m = {"stream": "x", "shard": 0, "seq": i, "ts": 1700000000000 + i * 7, "key": f"k{i % 50}",
         "headers": {"h1": f"v{i}", "ünï": "çödé"}, "payload": f"payload {i} 🌊"}
    if i % 10 == 0: m["key"] = None
    print(json.dumps(m, ensure_ascii=False))
PY
X="-X stdio.envelope=true"
"$SEA" streamer relay --input stdio:///in --output "file://$T/a/$k" $X -e < "$T/in" 2>"$T/e1" || fail "stdio->file: $(cat "$T/e1")"
"$SEA" streamer relay --input "file://$T/a/$k" --output "$SEA_TEST_REDIS/$k" -e 2>"$T/e2" || fail "file->redis: $(cat "$T/e2")"
[[ $(redis-cli -u "$SEA_TEST_REDIS" XLEN "$k") == 3000 ]] || fail "redis holds $(redis-cli -u "$SEA_TEST_REDIS" XLEN "$k") entries"
first_id=$(redis-cli -u "$SEA_TEST_REDIS" --raw XRANGE "$k" - + COUNT 1 | sed -n 1p)
[[ $first_id == 1700000000000-* ]] || fail "first Redis id $first_id does not carry the original time"
"$SEA" streamer relay --input "$SEA_TEST_REDIS/$k" --output "$SEA_TEST_KAFKA/$k" -e 2>"$T/e3" || fail "redis->kafka: $(cat "$T/e3")"
kcat -C -b "${SEA_TEST_KAFKA#kafka://}" -t "$k" -e -q -f '%T\n' | sort -n > "$T/kts"
[[ $(wc -l < "$T/kts") == 3000 && $(sed -n 1p "$T/kts") == 1700000000000 && $(sed -n 3000p "$T/kts") == 1700000020993 ]] ||
  fail "kcat sees $(wc -l < "$T/kts") messages, times $(sed -n 1p "$T/kts")..$(tail -n 1 "$T/kts")"
"$SEA" streamer relay --input "$SEA_TEST_KAFKA/$k" --output stdio:///out $X -e > "$T/out" 2>"$T/e4" || fail "kafka->stdio: $(cat "$T/e4")"
python3 - "$T/in" "$T/out" <<'PY' || fail "what came back differs"
import json, sys
norm = lambda m: (m["payload"], m["ts"], m["key"], json.dumps(m["headers"], sort_keys=True))
a = sorted(norm(json.loads(l)) for l in open(sys.argv[1]))
b = sorted(norm(json.loads(l)) for l in open(sys.argv[2]))
print(f"{len(b)} of {len(a)} back", file=sys.stderr)
sys.exit(0 if a == b else 1)
PY
