#!/bin/bash
# seek prints from a time (first message at or after it) or a seq, on file and Redis, and
# --group G --commit moves a group so that its next consume starts there.
source "$(dirname "$0")/common.sh"
: "${SEA_TEST_REDIS:?SEA_TEST_REDIS must name the test Redis (scripts/test sets it)}"
k="seek-$$-$RANDOM"
python3 -c '
import json
for i in range(100): print(json.dumps({"ts": 1700000000000 + i * 1000, "key": None, "headers": {}, "payload": f"m{i}"}))' > "$T/in"
"$SEA" streamer relay --input stdio:///in --output "file://$T/s/$k" -X stdio.envelope=true -e < "$T/in"
for target in "file://$T/s/$k" "$SEA_TEST_REDIS/$k"; do
  [[ $target == redis* ]] && "$SEA" streamer relay --input "file://$T/s/$k" --output "$target" -e
  # 1700000040500 is between m40 and m41.
  [[ $("$SEA" streamer seek --stream "$target" --time 1700000040500 -c 1) == m41 ]] || fail "$target: seek --time"
  [[ $("$SEA" streamer seek --stream "$target" --time 2023-11-14T22:14:00Z -e | head -n 1) == m40 ]] ||
    fail "$target: seek --time ISO: $("$SEA" streamer seek --stream "$target" --time 2023-11-14T22:14:00Z -e | head -n 1)"
  [[ $("$SEA" streamer seek --stream "$target" --time 1700000040500 -e | wc -l) == 59 ]] || fail "$target: seek -e count"
  seq=$("$SEA" streamer consume --stream "$target" --from earliest -e -f '%o\n' | sed -n 71p)
  [[ $("$SEA" streamer seek --stream "$target" --seq "$seq" --shard 0 -c 1 -J | jq -r .payload) == m70 ]] || fail "$target: seek --seq"
  "$SEA" streamer seek --stream "$target" --time 1700000090000 --group g --commit > "$T/moved"
  grep -q "shard 0: next seq" "$T/moved" || fail "$target: commit report: $(cat "$T/moved")"
  [[ $("$SEA" streamer consume --stream "$target" --group g -e | head -n 1) == m90 ]] || fail "$target: group after --commit"
  "$SEA" streamer seek --stream "$target" --seq 0 --group g --commit --json | jq -e '.shards[0].next_seq == 0' >/dev/null ||
    fail "$target: --commit --json"
  [[ $("$SEA" streamer consume --stream "$target" --group g -e | wc -l) == 100 ]] || fail "$target: group rewound to 0"
done
not "$SEA" streamer seek $C --topic "$k" -e 2>"$T/err"
grep -q "exactly one of --time" "$T/err" || fail "neither --time nor --seq: $(cat "$T/err")"
not "$SEA" streamer seek $C --topic "$k" --seq 1 --group g 2>"$T/err"
grep -q "go together" "$T/err" || fail "--group without --commit: $(cat "$T/err")"
