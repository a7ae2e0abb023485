#!/bin/bash
# relay from Kafka with a prefetch queue far smaller than the topic keeps fetching: librdkafka
# 2.0.2 stops fetching once its queue is over queued.max.messages.kbytes and looked again only
# ~1 s later, so each refill of a small queue cost up to a second (20k messages of ~250 B through 16 KiB: a minute);
# the consumer now wakes the fetcher when it emptied a full queue. The messages, keyed over the
# topic's partitions, reach Redis with their Kafka timestamps, which interleave across partitions:
# the ones before the stream's top go as plain XADD * with a ts field, and read back with their
# own times. Needs SEA_TEST_KAFKA and SEA_TEST_REDIS (scripts/test starts both).
source "$(dirname "$0")/common.sh"
: "${SEA_TEST_KAFKA:?SEA_TEST_KAFKA must name the mock Kafka cluster (scripts/test sets it)}"
: "${SEA_TEST_REDIS:?SEA_TEST_REDIS must name a Redis server (scripts/test sets it)}"
B=${SEA_TEST_KAFKA#kafka://}
t="refill$$-$RANDOM"
n=20000

# 1. The input: n keyed messages of ~250 bytes over the topic's partitions.
python3 -c '
import sys
for i in range(int(sys.argv[1])): print("k%d\t{\"id\":%d,\"pad\":\"%s\"}" % (i % 101, i, "x" * 220))' "$n" |
  kcat -b "$B" -P -t "$t" -K $'\t' 2>/dev/null
"$SEA" streamer consume --stream "$SEA_TEST_KAFKA/$t" --from earliest -e -J > "$T/in.json"
[[ $(wc -l < "$T/in.json") == "$n" ]] || fail "the topic holds $(wc -l < "$T/in.json") of $n messages"

# 2. The relay with a 16 KiB prefetch queue finishes in seconds, not a minute.
s=$(date +%s)
timeout 120 "$SEA" streamer relay --input "$SEA_TEST_KAFKA/$t" --output "$SEA_TEST_REDIS/$t" -e -q \
  --input-X queued.max.messages.kbytes=16 2>"$T/relay.err" || fail "relay exited $?: $(tail -n 5 "$T/relay.err")"
took=$(( $(date +%s) - s ))
(( took <= 10 )) || fail "relay of $n messages through a 16 KiB prefetch queue took ${took}s (stalled refills)"

# 3. Redis holds every message once, with its key and its Kafka timestamp.
"$SEA" streamer consume --stream "$SEA_TEST_REDIS/$t" --from earliest -e -J > "$T/out.json"
python3 - "$T/in.json" "$T/out.json" "$n" <<'PY'
import json, sys
def load(path):
    out = {}
    for line in open(path):
        m = json.loads(line)
        p = m["payload"] if isinstance(m["payload"], dict) else json.loads(m["payload"])
        assert p["id"] not in out, f"id {p['id']} twice in {path}"
        out[p["id"]] = (m["key"], m["ts"])
    return out
a, b, n = load(sys.argv[1]), load(sys.argv[2]), int(sys.argv[3])
assert len(b) == n, f"Redis holds {len(b)} of {n}"
bad = [i for i in a if a[i] != b.get(i)]
assert not bad, f"{len(bad)} messages differ in key or ts, e.g. id {bad[0]}: {a[bad[0]]} vs {b.get(bad[0])}"
PY
redis-cli -u "$SEA_TEST_REDIS" del "$t" > /dev/null 2>&1 || true
echo "ok: $n messages relayed through a 16 KiB prefetch queue in ${took}s, keys and Kafka timestamps kept"
