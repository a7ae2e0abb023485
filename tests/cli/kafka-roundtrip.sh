#!/bin/bash
# sea <-> Kafka (the mock cluster scripts/test starts) cross-checked with kcat: kcat reads what
# sea wrote (payloads, keys, and the partition Java's murmur2 partitioner picks for each key);
# sea reads what kcat wrote (keys, headers, partitions). Needs SEA_TEST_KAFKA.
source "$(dirname "$0")/common.sh"
: "${SEA_TEST_KAFKA:?SEA_TEST_KAFKA must name the mock Kafka cluster (scripts/test sets it)}"
B=${SEA_TEST_KAFKA#kafka://}
K="--cluster $SEA_TEST_KAFKA"
t="rt$$"
kcat -b "$B" -C -t "$t" -o beginning -e -q >/dev/null 2>&1 || true  # creates the topic (auto-create)
gen 3000 100 | python3 -c '
import sys, json
for line in sys.stdin: m = json.loads(line); m["k"] = "key%d" % (m["id"] % 50); print(json.dumps(m))' > "$T/in"
"$SEA" streamer produce $K --topic "$t" --key k < "$T/in"
timeout 60 kcat -b "$B" -C -t "$t" -o beginning -e -q -f '%p\t%k\t%s\n' > "$T/k"
parts=$(kcat -b "$B" -L -t "$t" 2>/dev/null | grep -c 'partition ')
python3 - "$T/in" "$T/k" "$parts" <<'PY'
import json, sys
def murmur2(data):  # Kafka's Utils.murmur2, as the Java client's default partitioner uses it
    m, r, length = 0x5bd1e995, 24, len(data)
    h = (0x9747b28c ^ length) & 0xffffffff
    for i in range(0, length - length % 4, 4):
        k = int.from_bytes(data[i:i + 4], "little")
        k = (k * m) & 0xffffffff; k ^= k >> r; k = (k * m) & 0xffffffff
        h = (h * m) & 0xffffffff; h ^= k
    rest = length % 4; tail = data[length - rest:]
    if rest == 3: h ^= tail[2] << 16
    if rest >= 2: h ^= tail[1] << 8
    if rest >= 1: h ^= tail[0]; h = (h * m) & 0xffffffff
    h ^= h >> 13; h = (h * m) & 0xffffffff; h ^= h >> 15
    return h
written = [json.loads(l) for l in open(sys.argv[1])]
seen = [l.rstrip("\n").split("\t", 2) for l in open(sys.argv[2])]
parts = int(sys.argv[3])
assert len(seen) == len(written), f"kcat read {len(seen)} of {len(written)}"
assert sorted(json.loads(s)["id"] for _, _, s in seen) == list(range(len(written)))
for p, k, s in seen:
    m = json.loads(s)
    assert k == m["k"], f"key {k!r} for {m}"
    assert int(p) == (murmur2(k.encode()) & 0x7fffffff) % parts, f"{k} on partition {p}, not murmur2's"
PY
# kcat writes keys, headers and explicit partitions; sea reads them back in envelopes.
for i in 1 2 3; do echo "{\"n\":$i}"; done | kcat -b "$B" -P -t "k$t" -p 1 -k K1 -H h1=v1 -H h2=v2 2>/dev/null
"$SEA" streamer consume $K --topic "k$t" --from earliest -e -J > "$T/env"
python3 - "$T/env" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [r["payload"] for r in rows] == [{"n": 1}, {"n": 2}, {"n": 3}], rows
assert all(r["key"] == "K1" and r["shard"] == 1 and r["headers"] == {"h1": "v1", "h2": "v2"} for r in rows), rows
assert [r["seq"] for r in rows] == [0, 1, 2], rows
PY
# A group resumes across processes at the committed position.
"$SEA" streamer consume $K --topic "$t" --group "kr$$" --from earliest -c 1000 -X session.timeout.ms=6000 > "$T/g1"
"$SEA" streamer consume $K --topic "$t" --group "kr$$" --from earliest -e -X session.timeout.ms=6000 > "$T/g2"
[[ $(cat "$T/g1" "$T/g2" | sort | uniq | wc -l) == 3000 && $(cat "$T/g1" "$T/g2" | wc -l) == 3000 ]] ||
  fail "group runs got $(wc -l < "$T/g1") + $(wc -l < "$T/g2") of 3000 (duplicates or loss)"
# Keyless messages go round robin: a burst in runs of at most 32 per partition (every partition
# gets its share), a trickle one message per partition in turn.
kcat -b "$B" -C -t "r$t" -o beginning -e -q >/dev/null 2>&1 || true
kcat -b "$B" -C -t "s$t" -o beginning -e -q >/dev/null 2>&1 || true
gen 4000 50 | "$SEA" streamer produce $K --topic "r$t"
timeout 60 kcat -b "$B" -C -t "r$t" -o beginning -e -q -f '%p %s\n' > "$T/rr"
for i in 1 2 3 4 5 6 7 8; do echo "{\"i\":$i}"; sleep 0.05; done | "$SEA" streamer produce $K --topic "s$t"
timeout 60 kcat -b "$B" -C -t "s$t" -o beginning -e -q -f '%p %s\n' > "$T/trickle"
parts=$(kcat -b "$B" -L -t "r$t" 2>/dev/null | grep -c 'partition ')
python3 - "$T/rr" "$T/trickle" "$parts" <<'PY'
import collections, json, sys
parts = int(sys.argv[3])
burst = [l.split(" ", 1) for l in open(sys.argv[1])]
assert len(burst) == 4000, f"kcat read {len(burst)} of 4000"
count = collections.Counter(int(p) for p, _ in burst)
assert len(count) == parts and min(count.values()) >= 0.9 * 4000 / parts, f"burst spread {dict(count)}"
runs, last, length = [], {}, {}
for p, s in burst:  # in each partition, the longest run of consecutive ids
    i = json.loads(s)["id"]
    length[p] = length[p] + 1 if last.get(p) == i - 1 else 1
    last[p] = i
    runs.append(length[p])
assert max(runs) <= 32, f"a run of {max(runs)} keyless messages went to one partition"
trickle = collections.Counter(int(p) for p, _ in (l.split(" ", 1) for l in open(sys.argv[2])))
assert sum(trickle.values()) == 8 and max(trickle.values()) <= 8 // parts + 2, f"trickle spread {dict(trickle)}"
print(f"keyless: burst {dict(sorted(count.items()))}, trickle {dict(sorted(trickle.items()))}")
PY
