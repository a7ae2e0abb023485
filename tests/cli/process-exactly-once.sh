#!/bin/bash
# sea streamer process --mode exactly-once. Kafka (mock) -> Kafka: CMD crashes once mid-stream;
# the transaction open at the crash is aborted, the inputs since the last commit are refed, and
# kcat sees every output, the only repeats being what the aborted transaction held (the mock shows
# aborted outputs to read_committed readers, see below); the input positions sent in the
# transactions move forward and end at the input's ends (the mock does not store them for the
# group: a resumed run cannot show them); SIGTERM commits the open transaction and exits 0 with
# readers seeing exactly what it produced, and positions covering exactly those inputs. Redis: the dedupe window drops the outputs of refed inputs (CMD
# keys each output with its input's id through --envelope), where at-least-once repeats them.
# Pairs that cannot be exactly-once are refused with the reason.
source "$(dirname "$0")/common.sh"
: "${SEA_TEST_REDIS:?SEA_TEST_REDIS must name the test Redis (scripts/test sets it)}"
: "${SEA_TEST_KAFKA:?SEA_TEST_KAFKA must name the mock Kafka cluster (scripts/test sets it)}"
PY=/usr/bin/python3
K=$SEA_TEST_KAFKA
B=${K#kafka://}
R=$SEA_TEST_REDIS
t="peos$$-$RANDOM"
n=20000
$PY -c '
import json, sys
for i in range(int(sys.argv[1])): print(json.dumps({"i": i}))' $n > "$T/in"
# ids FILE: "COUNT DISTINCT" of the "i" of each line of FILE.
ids() { $PY -c 'import sys, json
ids = [json.loads(l)["i"] for l in open(sys.argv[1]) if l.strip()]; print(len(ids), len(set(ids)))' "$1"; }
kread() { timeout 120 kcat -b "$B" -C -t "$1" -o beginning -e -q -X isolation.level="$2" -f '%s\n'; }

# A processor that dies (once: the marker file) when it reaches input MARK.
cat > "$T/crashy.py" <<PY
import json, os, sys
mark, flag = int(sys.argv[1]), sys.argv[2]
for line in sys.stdin:
    m = json.loads(line)
    if m["i"] == mark and not os.path.exists(flag):
        open(flag, "w").close()
        os._exit(7)
    print(json.dumps({"i": m["i"], "twice": m["i"] * 2}))
PY

# 1. Kafka -> Kafka, a crash at 10,500 with commits every 4,000 inputs: the open transaction
#    held outputs from 8,000 on when CMD died.
"$SEA" streamer produce --cluster $K --topic $t.in < "$T/in"
"$SEA" streamer process -i $K/$t.in -O $K/$t.out --group g --mode exactly-once --from earliest -e \
  --commit-every 4000 -X session.timeout.ms=6000 -v --exec "$PY $T/crashy.py 10500 $T/crashed1" 2>"$T/k.err" ||
  fail "kafka exactly-once process exited $?: $(grep -v '^\[' "$T/k.err" | tail -n 5)"
[[ -f $T/crashed1 ]] || fail "CMD never crashed"
grep -q "while processing $t.in shard" "$T/k.err" || fail "the crash report does not name the input: $(grep -i crash "$T/k.err" | head -n 2)"
grep -Eq "transaction\(s\) committed, [1-9][0-9]* aborted" "$T/k.err" ||
  fail "no transaction was aborted: $(grep -i transaction "$T/k.err" | tail -n 2)"
kread $t.out read_committed > "$T/committed"
# librdkafka 2.0.2's mock cluster shows the outputs of aborted transactions to read_committed
# readers too (a real broker does not; tests/faults/relay-kafka-eos-faults.sh measured it): so
# what is proved here is that the only repeats are exactly what the aborted transactions held,
# and that no output is lost.
aborted=$(sed -n 's/.*transaction aborted: its \([0-9]*\) output(s).*/\1/p' "$T/k.err" | awk '{s += $1} END {print s + 0}')
((aborted > 0)) || fail "the crash aborted no outputs (the test proves nothing): $(grep -i abort "$T/k.err" | head -n 2)"
$PY - "$T/committed" "$n" "$aborted" <<'PY' || fail "the outputs in Kafka"
import collections, json, sys
n, aborted = int(sys.argv[2]), int(sys.argv[3])
outs = [json.loads(l) for l in open(sys.argv[1])]
for o in outs:
    assert o["twice"] == 2 * o["i"], o
count = collections.Counter(o["i"] for o in outs)
assert sorted(count) == list(range(n)), "an output is missing"
assert len(outs) == n + aborted, f"{len(outs)} outputs, want {n} + {aborted} aborted"
assert all(c <= 2 for c in count.values()), "an output more than twice"
PY
# The input positions sent in each transaction: per shard, never backwards; the last commit's
# are the ends of the input's shards (the mock drops the offsets of TxnOffsetCommit instead of
# storing them for the group, so a second run cannot show them: this is what can be shown).
# positions FILE: the sum over shards of the last transaction's next seqs, after checking the
# sequence.
positions() { $PY - "$1" <<'PY'
import re, sys
last = {}
txns = 0
for line in open(sys.argv[1]):
    m = re.search(r"transaction (\d+) committed: (\d+) output\(s\), input positions(.*)", line)
    if not m: continue
    txns += 1
    assert int(m.group(1)) == txns, f"transaction {m.group(1)} after {txns - 1}"
    for shard, nxt in re.findall(r" \S+/(\d+):(\d+)", m.group(3)):
        assert int(nxt) > last.get(shard, -1), f"shard {shard} went back to {nxt}"
        last[shard] = int(nxt)
print(sum(last.values()))
PY
}
ends=$("$SEA" streamer admin describe --cluster $K --topic $t.in | awk '$1 ~ /^[0-9]+$/ {s += $3} END {print s}')
[[ $ends == "$n" ]] || fail "the input holds $ends messages"
[[ $(positions "$T/k.err") == "$n" ]] || fail "the last transaction committed positions summing to $(positions "$T/k.err"), want $n"

# 2. SIGTERM mid-stream commits the open transaction and exits 0: what readers see is exactly
#    what it reported, once each, and the positions it committed cover exactly those inputs.
cat > "$T/slow.py" <<'PY'
import json, sys, time
for line in sys.stdin:
    m = json.loads(line)
    if m["i"] % 500 == 0: time.sleep(0.05)
    print(json.dumps({"i": m["i"]}))
PY
"$SEA" streamer process -i $K/$t.in -O $K/$t.term --group h --mode exactly-once --from earliest \
  --commit-interval 200ms -X session.timeout.ms=6000 -v --exec "$PY $T/slow.py" 2>"$T/t.err" &
pid=$!
BG_PIDS+=($pid)
for _ in $(seq 600); do
  [[ $(kread $t.term read_committed | wc -l) -gt 1000 ]] && break
  sleep 0.1
done
kill -TERM $pid
wait $pid || fail "SIGTERM: exit $?: $(grep -v '^\[' "$T/t.err" | tail -n 3)"
grep -q " 0 aborted" "$T/t.err" || fail "SIGTERM aborted a transaction: $(grep -i abort "$T/t.err" | head -n 2)"
produced=$(sed -n 's/.*produced \([0-9]*\) output(s).*/\1/p' "$T/t.err")
kread $t.term read_committed > "$T/term"
read -r got distinct < <(ids "$T/term")
((got > 1000 && got < n)) || fail "SIGTERM: $got outputs committed (want some, not all)"
[[ $got == "$produced" && $distinct == "$got" ]] || fail "SIGTERM: readers see $got ($distinct distinct), sea produced $produced"
[[ $(positions "$T/t.err") == "$got" ]] || fail "SIGTERM: positions cover $(positions "$T/t.err") inputs, $got outputs visible"

# 3. Redis: at-least-once repeats the outputs of the refed inputs; exactly-once (the dedupe
#    window on the key CMD derives from its input) stores each once.
cat > "$T/keyed.py" <<PY
import json, os, sys
mark, flag = int(sys.argv[1]), sys.argv[2]
for line in sys.stdin:
    e = json.loads(line)
    if e["payload"]["i"] == mark and not os.path.exists(flag):
        open(flag, "w").close()
        os._exit(7)
    key = "%s/%d/%d" % (e["stream"], e["shard"], e["seq"])
    print(json.dumps({"key": key, "payload": e["payload"]}), flush=True)
PY
head -n 3000 "$T/in" | "$SEA" streamer produce --cluster $R --topic $t-rin
port=${R##*:}
"$SEA" streamer process -i $R/$t-rin -O $R/$t-alo --group a --from earliest -e --envelope --commit-every 1000 \
  --exec "$PY $T/keyed.py 1500 $T/crashed2" 2>"$T/r1.err" || fail "redis at-least-once: $(tail -n 3 "$T/r1.err")"
alo=$(redis-cli -p "$port" XLEN $t-alo)
((alo > 3000)) || fail "at-least-once stored $alo outputs: the crash repeated nothing (the test proves nothing)"
"$SEA" streamer process -i $R/$t-rin -O $R/$t-eos --group e --from earliest -e --envelope --commit-every 1000 \
  --mode exactly-once --exec "$PY $T/keyed.py 1500 $T/crashed3" 2>"$T/r2.err" ||
  fail "redis exactly-once: $(tail -n 3 "$T/r2.err")"
[[ -f $T/crashed3 ]] || fail "CMD never crashed (redis)"
[[ $(redis-cli -p "$port" XLEN $t-eos) == 3000 ]] || fail "exactly-once stored $(redis-cli -p "$port" XLEN $t-eos) outputs, want 3000"
"$SEA" streamer consume --cluster $R --topic $t-eos --from earliest -e > "$T/eos"
read -r got distinct < <(ids "$T/eos")
[[ $got == 3000 && $distinct == 3000 ]] || fail "redis exactly-once: $got outputs, $distinct distinct"

# 4. What cannot be exactly-once is refused, naming the reason.
refused() {  # refused WANT ARGS...: the run fails and says WANT
  local want=$1; shift
  not "$SEA" streamer process "$@" --exec cat -e 2>"$T/refused" || fail "accepted: $*"
  grep -q "$want" "$T/refused" || fail "refusal of '$*' says: $(cat "$T/refused")"
}
refused "input must be Kafka" -i "file://$T/f/x" -O $K/$t.x --group g --mode exactly-once
refused "use --envelope" -i "file://$T/f/x" -O $R/$t-x --group g --mode exactly-once
refused "needs --group" -i $K/$t.in -O $K/$t.x --mode exactly-once
refused "stdio" -i $K/$t.in -O stdio:///- --group g --delivery exactly-once
echo ok
