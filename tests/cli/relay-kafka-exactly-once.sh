#!/bin/bash
# relay --delivery exactly-once, Kafka -> Kafka (transactions): 100k keyed messages with headers
# arrive exactly once in a read_committed reading of the output, in order per key, keys and
# headers kept; -c N commits exactly N; SIGTERM commits the open transaction and exits 0 with
# what it reported committed being what readers see; pairs that cannot be exactly-once are
# refused. Needs SEA_TEST_KAFKA (the mock cluster scripts/test starts).
# Aborts, fatal errors and kill -9 are in tests/faults/relay-kafka-eos-faults.sh.
source "$(dirname "$0")/common.sh"
: "${SEA_TEST_KAFKA:?SEA_TEST_KAFKA must name the mock Kafka cluster (scripts/test sets it)}"
B=${SEA_TEST_KAFKA#kafka://}
t="eos$$-$RANDOM"
n=100000
# read_committed KAFKA_TOPIC > FILE: the whole topic as a read_committed reader sees it.
read_committed() { timeout 120 kcat -b "$B" -C -t "$1" -o beginning -e -q -X isolation.level=read_committed \
  -f '%k\t%h\t%s\n'; }

# 1. The input: 4 chunks of 25k, each with its own header value, keys key0..key96.
for c in 0 1 2 3; do
  python3 -c '
import json, sys
c = int(sys.argv[1])
for i in range(c * 25000, (c + 1) * 25000): print("key%d\t%s" % (i % 97, json.dumps({"id": i})))' "$c" |
    kcat -b "$B" -P -t "$t.in" -K $'\t' -H "chunk=$c" -H "src=sea-test" 2>/dev/null
done

# 2. Relay it exactly once and read the output as a read_committed reader.
"$SEA" streamer relay --input "$SEA_TEST_KAFKA/$t.in" --output "$SEA_TEST_KAFKA/$t.out" --group copy \
  --delivery exactly-once -e -X session.timeout.ms=6000 -v 2>"$T/relay.err" ||
  fail "relay exited $?: $(tail -n 5 "$T/relay.err")"
grep -q "$n message(s) committed" "$T/relay.err" || fail "relay report: $(tail -n 3 "$T/relay.err")"
grep -q " 0 aborted" "$T/relay.err" || fail "a transaction was aborted: $(grep -i abort "$T/relay.err" | head -n 3)"
read_committed "$t.out" > "$T/out"
python3 - "$T/out" "$n" <<'PY'
import json, sys
rows = [l.rstrip("\n").split("\t", 2) for l in open(sys.argv[1])]
n = int(sys.argv[2])
assert len(rows) == n, f"read_committed reader got {len(rows)} of {n}"
ids = [json.loads(s)["id"] for _, _, s in rows]
assert sorted(ids) == list(range(n)), "lost or repeated ids"
last = {}
for (k, h, s), i in zip(rows, ids):
    assert k == "key%d" % (i % 97), f"id {i} has key {k!r}"
    assert h == "chunk=%d,src=sea-test" % (i // 25000), f"id {i} has headers {h!r}"
# kcat reads partition by partition; a key lives in one output partition, so per key the ids
# must come in the order they were produced.
for k, _, s in rows:
    i = json.loads(s)["id"]
    assert last.get(k, -1) < i, f"key {k}: id {i} after {last[k]}"
    last[k] = i
print(f"{n} messages exactly once, keys, headers and per-key order kept")
PY
# The consumer read with read_committed and sea reads the output the same way.
"$SEA" streamer consume --stream "$SEA_TEST_KAFKA/$t.out" --group check --mode exactly-once --from earliest -e \
  -X session.timeout.ms=6000 | wc -l | grep -qx "$n" || fail "consume --mode exactly-once did not read $n"
# ...and, outside a relay, an exactly-once consumer still commits what it handed on.
[[ $("$SEA" streamer consume --stream "$SEA_TEST_KAFKA/$t.out" --group check --mode exactly-once --from earliest -e \
  -X session.timeout.ms=6000 | wc -l) == 0 ]] || fail "consume --mode exactly-once did not commit its position"

# 3. -c N commits exactly N, across transactions of --txn-batch.
"$SEA" streamer relay --input "$SEA_TEST_KAFKA/$t.in" --output "$SEA_TEST_KAFKA/$t.c" --group copy-c \
  --delivery exactly-once -c 1234 --txn-batch 500 -X session.timeout.ms=6000 -v 2>"$T/c.err"
grep -q "1234 message(s) committed in 3 transaction(s)" "$T/c.err" || fail "-c: $(tail -n 2 "$T/c.err")"
[[ $(read_committed "$t.c" | wc -l) == 1234 ]] || fail "-c 1234 wrote $(read_committed "$t.c" | wc -l)"

# 4. SIGTERM mid-stream: the open transaction is committed, exit 0, readers see what it reported.
"$SEA" streamer relay --input "$SEA_TEST_KAFKA/$t.in" --output "$SEA_TEST_KAFKA/$t.s" --group copy-s \
  --mode exactly-once --txn-batch 200 --txn-interval 50ms -X session.timeout.ms=6000 -v 2>"$T/s.err" &
pid=$!
BG_PIDS+=("$pid")
for _ in $(seq 200); do grep -q "committed in" "$T/s.err" && break; sleep 0.05; done
kill -TERM "$pid"
wait "$pid" || fail "SIGTERM: exit $? ($(tail -n 2 "$T/s.err"))"
reported=$(sed -n 's/.*debug: \([0-9]*\) message(s) committed in.*/\1/p' "$T/s.err")
[[ -n $reported && $(read_committed "$t.s" | wc -l) == "$reported" ]] ||
  fail "SIGTERM: relay reported '${reported}' committed, readers see $(read_committed "$t.s" | wc -l)"

# 5. What cannot be exactly-once is refused, never weakened.
not "$SEA" streamer relay --input "$SEA_TEST_KAFKA/$t.in" --output "file://$T/streams/x" --mode exactly-once \
  --group "eos$$" -e 2>"$T/err"
grep -q "both ends must be Kafka" "$T/err" || fail "kafka -> file --mode exactly-once: $(cat "$T/err")"
not "$SEA" streamer relay --input "$SEA_TEST_KAFKA/$t.in" --output "kafka://127.0.0.1:1/x" --delivery exactly-once \
  --group "eos$$" -e 2>"$T/err"
grep -q "one Kafka cluster" "$T/err" || fail "two clusters: $(cat "$T/err")"
rc=0
"$SEA" streamer relay --input "$SEA_TEST_KAFKA/$t.in" --output "$SEA_TEST_KAFKA/$t.x" --delivery exactly-once -e \
  2>"$T/err" || rc=$?
[[ $rc == 2 ]] && grep -q "needs --group" "$T/err" || fail "no --group: exit $rc, $(cat "$T/err")"
