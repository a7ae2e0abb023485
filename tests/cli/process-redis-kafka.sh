#!/bin/bash
# sea streamer process on the servers: Redis -> Redis with a group (crash restart, resume),
# Kafka (mock) -> Kafka (and its replay), Redis -> file; outputs checked with independent clients
# (redis-cli, kcat).
source "$(dirname "$0")/common.sh"
: "${SEA_TEST_REDIS:?SEA_TEST_REDIS must name the test Redis (scripts/test sets it)}"
PY=/usr/bin/python3
R=$SEA_TEST_REDIS
p="proc$$"
$PY -c '
import json
for i in range(3000): print(json.dumps({"i": i, "qty": i % 5}))' > "$T/in"
"$SEA" streamer produce --cluster $R --topic $p-orders < "$T/in"
count_ids() { $PY -c 'import sys, json
ids = [json.loads(l)["i"] for l in sys.stdin]; print(len(ids), len(set(ids)))'; }

# 1. Redis -> Redis with a group, CMD crashing once: every output present; redis-cli sees them.
cat > "$T/crashy.py" <<PY
import json, os, sys
for line in sys.stdin:
    m = json.loads(line)
    if m["i"] == 1500 and not os.path.exists("$T/crashed"):
        open("$T/crashed", "w").close()
        os._exit(5)
    print(json.dumps({"i": m["i"], "q": m["qty"] * 10}))
PY
"$SEA" streamer process -i $R/$p-orders -O $R/$p-out --group g --from earliest -e --exec "$PY $T/crashy.py" 2>"$T/err" ||
  fail "redis process: $(cat "$T/err")"
read -r n distinct < <("$SEA" streamer consume --cluster $R --topic $p-out --from earliest -e | count_ids)
[[ $distinct == 3000 ]] || fail "redis outputs: $n $distinct"
port=${R##*:}
[[ $(redis-cli -p "$port" XLEN $p-out) == "$n" ]] || fail "redis-cli XLEN $(redis-cli -p "$port" XLEN $p-out) != $n"
redis-cli -p "$port" XRANGE $p-out - + COUNT 1 | grep -q '{"i": 0, "q": 0}' || fail "redis-cli does not see the payload"
# The group committed everything: a second run has nothing to do.
"$SEA" streamer process -i $R/$p-orders -O $R/$p-out2 --group g -e --exec cat
[[ $("$SEA" streamer consume --cluster $R --topic $p-out2 --from earliest -e | wc -l) == 0 ]] || fail "group did not commit"

# 2. Redis -> file.
"$SEA" streamer process -i $R/$p-orders -O "file://$T/s/sel" --from earliest -e --exec "jq -c 'select(.qty == 0)'"
[[ $("$SEA" streamer consume --cluster "file://$T/s" --topic sel --from earliest -e | wc -l) == 600 ]] || fail "redis -> file"

# 3. Kafka -> Kafka (the mock), read back with kcat.
if [[ -n ${SEA_TEST_KAFKA:-} ]]; then
  K=$SEA_TEST_KAFKA
  "$SEA" streamer produce --cluster $K --topic $p-k < "$T/in"
  "$SEA" streamer process -i $K/$p-k -O $K/$p-k-out --from earliest -c 3000 --exec 'awk "{print; print}"' \
    --log "$T/k.log" 2>"$T/kerr" || fail "kafka process: $(cat "$T/kerr")"
  boot=${K#kafka://}
  got=$(timeout 60 kcat -C -b "$boot" -t $p-k-out -e -q -f '%s\n' | count_ids)
  [[ $got == "6000 3000" ]] || fail "kcat read $got from the Kafka output"
  # The outputs went round robin over the topic's partitions, whose delivery reports come in
  # another order than the sends: the log keeps send order, so the replay matches output by output.
  "$SEA" streamer replay "$T/k.log" > "$T/kr" || fail "replay of the Kafka run: $(cat "$T/kr")"
  grep -q "^identical: .* 3000 input(s), 6000 output(s)" "$T/kr" || fail "replay of the Kafka run: $(cat "$T/kr")"
fi
echo ok
