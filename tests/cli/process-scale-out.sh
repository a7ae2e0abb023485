#!/bin/bash
# Two `process` instances in one group share the input's shards (the backend's own groups); one
# SIGKILLed, the other takes its shards over and nothing is lost (at-least-once). File backend
# and Redis.
source "$(dirname "$0")/common.sh"
PY=/usr/bin/python3
gen() { $PY -c 'import json, sys
a, b = int(sys.argv[1]), int(sys.argv[2])
for i in range(a, b): print(json.dumps({"i": i, "k": "key%d" % i}))' "$@"; }
distinct() { "$SEA" streamer consume --cluster "$1" --topic "$2" --from earliest -e |
  $PY -c 'import sys, json; print(len({json.loads(l)["i"] for l in sys.stdin}))'; }
wait_distinct() {  # CLUSTER STREAM N: until N distinct ids are out (60 s)
  for _ in $(seq 600); do [[ $(distinct "$1" "$2") -ge $3 ]] && return 0; sleep 0.1; done
  fail "$2 holds $(distinct "$1" "$2") distinct ids, not $3"
}
run_backend() {
  local name=$1 C=$2 s=sc$$
  "$SEA" streamer admin create $s --cluster $C --shards 4 >/dev/null
  "$SEA" streamer process -i $C/$s -O $C/$s-out --group g$$ --from earliest --exec cat --name a -v 2>"$T/$name-a" & local a=$!
  "$SEA" streamer process -i $C/$s -O $C/$s-out --group g$$ --from earliest --exec cat --name b -v 2>"$T/$name-b" & local b=$!
  BG_PIDS+=($a $b)
  sleep 3  # both joined (file groups notice a new member within their 1 s tick)
  gen 0 8000 | "$SEA" streamer produce --cluster $C --topic $s --key k
  wait_distinct $C $s-out 8000
  sleep 1.5  # b commits what it did (every second); what it did after its last commit is redone by a
  kill -9 $b
  gen 8000 16000 | "$SEA" streamer produce --cluster $C --topic $s --key k
  wait_distinct $C $s-out 16000
  kill -TERM $a; wait $a || fail "$name: a exited $?: $(tail -3 "$T/$name-a")"
  # Both took part: b's stderr shows inputs fed before it died (-v), a went on with b's shards.
  grep -q "started CMD" "$T/$name-b" || fail "$name: b never ran"
  local fed_a; fed_a=$(grep -o 'fed [0-9]* input' "$T/$name-a" | awk '{print $2}')
  ((fed_a >= 8000 && fed_a < 15000)) || fail "$name: a fed $fed_a of 16000 (b should have had about half of the first 8000)"
  echo "ok $name: two instances shared the shards; after a SIGKILL the other took over (a fed $fed_a of 16000)"
}
run_backend file "file://$T/s"
[[ -n ${SEA_TEST_REDIS:-} ]] && run_backend redis "$SEA_TEST_REDIS"
echo ok
