#!/bin/bash
# `consume -J | produce --envelope` is the identity (keys, headers, timestamps, payload bytes of
# every kind) on the file backend, Redis and the Kafka mock; with --keep-shard shards and seqs
# too (file, Kafka). Hand-written envelopes keep a JSON payload's exact bytes (spacing and
# all); kcat reads the headers and keys back from Kafka. Needs SEA_TEST_REDIS and SEA_TEST_KAFKA.
source "$(dirname "$0")/common.sh"
: "${SEA_TEST_REDIS:?SEA_TEST_REDIS must name the test redis-server (scripts/test sets it)}"
: "${SEA_TEST_KAFKA:?SEA_TEST_KAFKA must name the mock Kafka cluster (scripts/test sets it)}"
B=${SEA_TEST_KAFKA#kafka://}
u="env$$"
# 200 envelopes: spaced JSON objects with keys and headers, text, binary payload and key
# (base64), JSON-string payloads, numbers; explicit, increasing timestamps.
python3 - > "$T/in" <<'PY'
import base64, json
for i in range(200):
    e = {"ts": 1700000000000 + i * 1000}
    kind = i % 5
    if kind == 0:
        e.update(key=f"k{i}", headers={"h": f"v{i}", "ünï": "çödé"})
        raw = '{"i": %d,  "list": [1, 2.50]}' % i
        print(json.dumps(e, ensure_ascii=False)[:-1] + ', "payload": ' + raw + "}")
        continue
    if kind == 1: e.update(payload=f"text {i} 🌊", headers={"only": "one"})
    if kind == 2: e.update(payload=base64.b64encode(bytes([0, 255, i])).decode(), payload_encoding="base64",
                           key=base64.b64encode(bytes([i, 0x80])).decode(), key_encoding="base64")
    if kind == 3: e.update(payload=json.dumps(f"quoted {i}"), key="same")
    if kind == 4: e.update(payload=i + 0.5, headers={})
    print(json.dumps(e, ensure_ascii=False))
PY
# compare A B [fields...]: the envelopes of A and B are equal, ignoring "stream" and the given
# fields, as multisets (across shards the order of a merged read may differ).
compare() {
  python3 - "$@" <<'PY'
import json, sys
a, b, drop = sys.argv[1], sys.argv[2], set(sys.argv[3:]) | {"stream"}
def rows(path):
    out = []
    for line in open(path, encoding="utf-8"):
        m = json.loads(line)
        out.append(json.dumps({k: v for k, v in m.items() if k not in drop}, sort_keys=True))
    return sorted(out)
ra, rb = rows(a), rows(b)
assert len(ra) == 200, f"{a}: {len(ra)} envelopes, not 200"
assert ra == rb, f"{a} and {b} differ: " + next(f"\n  {x}\n  {y}" for x, y in zip(ra, rb) if x != y)
PY
}
roundtrip() {  # roundtrip NAME CLUSTER [produce options...]
  local name=$1 cluster=$2; shift 2
  "$SEA" streamer produce --cluster "$cluster" --topic "$u-src-$name" --envelope < "$T/in"
  "$SEA" streamer consume --cluster "$cluster" --topic "$u-src-$name" --from earliest -e -J > "$T/$name.a"
  "$SEA" streamer consume --cluster "$cluster" --topic "$u-src-$name" --from earliest -e -J |
    "$SEA" streamer produce --cluster "$cluster" --topic "$u-copy-$name" --envelope "$@"
  "$SEA" streamer consume --cluster "$cluster" --topic "$u-copy-$name" --from earliest -e -J > "$T/$name.b"
}

# File backend, a 3-shard copy: --keep-shard keeps shards, so seqs match too.
"$SEA" streamer admin create --cluster "file://$T/streams" "$u-copy-file" --shards 3 >/dev/null
"$SEA" streamer admin create --cluster "file://$T/streams" "$u-src-file" --shards 3 >/dev/null
roundtrip file "file://$T/streams" --keep-shard
compare "$T/file.a" "$T/file.b"
# The payloads as stored: the spaced JSON object byte for byte, the JSON string with its quotes.
"$SEA" streamer consume $C --topic "$u-src-file" --from earliest -e --shards 0,1,2 > "$T/raw"
grep -qxF '{"i": 0,  "list": [1, 2.50]}' "$T/raw" || fail "spaced JSON payload not kept byte for byte"
grep -qxF '"quoted 3"' "$T/raw" || fail "JSON-string payload lost its quotes"
grep -qxF '4.5' "$T/raw" || fail "number payload"
# Without --keep-shard the copy's shards are its own choice (keys hash, keyless round robin).
"$SEA" streamer consume $C --topic "$u-src-file" --from earliest -e -J |
  "$SEA" streamer produce $C --topic "$u-free" --envelope
"$SEA" streamer consume $C --topic "$u-free" --from earliest -e -J > "$T/free"
compare "$T/file.a" "$T/free" shard seq

# Redis: shards are Redis's choice (--keep-shard is refused there), timestamps kept.
roundtrip redis "$SEA_TEST_REDIS"
compare "$T/redis.a" "$T/redis.b" seq shard
compare "$T/file.a" "$T/redis.a" seq shard

# Kafka mock: --keep-shard keeps partitions and so offsets.
for t in "$u-src-kafka" "$u-copy-kafka"; do kcat -b "$B" -C -t "$t" -o beginning -e -q >/dev/null 2>&1 || true; done
roundtrip kafka "$SEA_TEST_KAFKA" --keep-shard
compare "$T/kafka.a" "$T/kafka.b"
compare "$T/file.a" "$T/kafka.a" seq shard
timeout 60 kcat -b "$B" -C -t "$u-copy-kafka" -o beginning -e -q -f '%k %h %s\n' > "$T/kcat"
# (-J wrote the spaced JSON payload minified, number spelling kept: that is what the copy holds.)
grep -qxF 'k0 h=v0,ünï=çödé {"i":0,"list":[1,2.50]}' "$T/kcat" ||
  fail "kcat does not see key, headers and payload of message 0: $(grep -a '^k0 ' "$T/kcat")"
grep -qxF 'same  "quoted 3"' "$T/kcat" || fail "kcat: keyed JSON-string message without headers"
[[ $(wc -l < "$T/kcat") == 200 ]] || fail "kcat read $(wc -l < "$T/kcat") of 200"
echo "envelope round trips: file, redis, kafka ok"
