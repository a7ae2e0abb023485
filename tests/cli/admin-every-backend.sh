#!/bin/bash
# admin create / list / describe / retention / delete on file and Redis, with --json checked by
# jq and the server's own view by redis-cli; on the Kafka mock (which has no CreateTopics,
# AlterConfigs nor DeleteTopics) list/describe work, kcat agrees, and the rest fail with the
# documented message. delete refuses to run without --yes when stdin is a terminal.
source "$(dirname "$0")/common.sh"
: "${SEA_TEST_REDIS:?SEA_TEST_REDIS must name the test Redis (scripts/test sets it)}"
: "${SEA_TEST_KAFKA:?SEA_TEST_KAFKA must name the test Kafka (scripts/test sets it)}"
k="adm-$$-$RANDOM"
listed() { "$SEA" streamer admin --cluster "$1" list | grep -qx "$2"; }
for cluster in "file://$T/s" "$SEA_TEST_REDIS"; do
  A=("$SEA" streamer admin --cluster "$cluster")
  "${A[@]}" create "$k" --shards 3 --max-age 7d > "$T/out" || fail "$cluster: create"
  listed "$cluster" "$k" || fail "$cluster: list lacks $k"
  "${A[@]}" list --json | jq -e --arg k "$k" 'index($k) != null' >/dev/null || fail "$cluster: list --json"
  gen 90 30 | "$SEA" streamer produce --cluster "$cluster" --topic "$k"
  "${A[@]}" describe "$k" --json > "$T/d.json"
  jq -e '.shards | length == 3' "$T/d.json" >/dev/null || fail "$cluster: describe shards: $(cat "$T/d.json")"
  jq -e '.messages == 90 and ([.shards[].messages] | add) == 90' "$T/d.json" >/dev/null || fail "$cluster: message counts"
  jq -e '[.shards[].messages] | all(. > 0)' "$T/d.json" >/dev/null || fail "$cluster: round robin left a shard empty"
  jq -e '[.shards[] | select(.messages > 0) | .last_ts >= .first_ts and .next_seq > .first_seq] | all' "$T/d.json" >/dev/null ||
    fail "$cluster: first/last per shard"
  jq -e '.retention.max_age_ms == 604800000' "$T/d.json" >/dev/null || fail "$cluster: retention from create"
  "${A[@]}" describe "$k" | grep -q "3 shard(s), 90 message(s)" || fail "$cluster: table: $("${A[@]}" describe "$k")"
  "$SEA" streamer consume --cluster "$cluster" --topic "$k" --group grp --from earliest -c 10 >/dev/null
  "${A[@]}" describe "$k" --json | jq -e '.groups | map(.name) | index("grp") != null' >/dev/null || fail "$cluster: group not described"
  "${A[@]}" retention "$k" --max-age 1d --max-bytes 64M >/dev/null || fail "$cluster: retention"
  "${A[@]}" retention "$k" --json | jq -e '.retention.max_age_ms == 86400000 and .retention.max_bytes == 67108864' >/dev/null ||
    fail "$cluster: retention read back"
  [[ $cluster != redis* || $(redis-cli -u "$SEA_TEST_REDIS" EXISTS "$k:0" "$k:1" "$k:2") == 3 ]] || fail "redis keys"
  # trim before the 11th message of shard 0: Redis removes exactly what is before it; the file
  # backend removes whole segments only (never the newest), so there it keeps everything here.
  "$SEA" streamer consume --cluster "$cluster" --topic "$k" --shards 0 --from earliest -e -f '%o\n' > "$T/seqs"
  s11=$(sed -n 11p "$T/seqs")
  "${A[@]}" trim "$k" --before-seq "$s11" >/dev/null || fail "$cluster: trim"
  "$SEA" streamer consume --cluster "$cluster" --topic "$k" --shards 0 --from earliest -e -f '%o\n' > "$T/seqs2"
  grep -qx "$s11" "$T/seqs2" || fail "$cluster: trim removed seq $s11 itself"
  if [[ $cluster == redis* ]]; then
    [[ $(head -n 1 "$T/seqs2") == "$s11" ]] || fail "redis: trim kept $(head -n 1 "$T/seqs2"), want first $s11"
  else
    cmp -s "$T/seqs" "$T/seqs2" || fail "file: trim inside the newest segment removed messages"
  fi
  not "${A[@]}" create "$k" 2>"$T/err" || fail "$cluster: create twice succeeded"
  "${A[@]}" create "$k" --if-not-exists >/dev/null || fail "$cluster: --if-not-exists"
  # delete: refused on a terminal without --yes; fine from a script.
  if script -qec "${A[*]} delete $k" /dev/null > "$T/tty" 2>&1; then fail "$cluster: delete without --yes on a TTY ran"; fi
  grep -q -- "--yes" "$T/tty" || fail "$cluster: TTY refusal: $(cat "$T/tty")"
  "${A[@]}" describe "$k" >/dev/null || fail "$cluster: the refused delete deleted"
  "${A[@]}" delete "$k" </dev/null >/dev/null || fail "$cluster: delete"
  if listed "$cluster" "$k"; then fail "$cluster: still listed after delete"; fi
  [[ $cluster != redis* || $(redis-cli -u "$SEA_TEST_REDIS" EXISTS "$k:0" "$k:1" "$k:2") == 0 ]] || fail "redis keys left"
done
# Kafka (the mock): topics come by first use; describe agrees with kcat; unsupported calls say so.
A=("$SEA" streamer admin --cluster "$SEA_TEST_KAFKA")
gen 40 30 | "$SEA" streamer produce --cluster "$SEA_TEST_KAFKA" --topic "$k"
listed "$SEA_TEST_KAFKA" "$k" || fail "kafka: list lacks $k"
parts=$(kcat -L -b "${SEA_TEST_KAFKA#kafka://}" -t "$k" | grep -c "partition [0-9]*,")
"${A[@]}" describe "$k" --json > "$T/k.json"
jq -e --argjson p "$parts" '(.shards | length) == $p and .messages == 40' "$T/k.json" >/dev/null || fail "kafka describe: $(cat "$T/k.json") vs kcat $parts"
not "${A[@]}" create "$k-new" --shards 3 2>"$T/err"
grep -q "CreateTopics" "$T/err" || fail "kafka create on the mock: $(cat "$T/err")"
# Usage errors.
not "$SEA" streamer admin describe --cluster "file://$T/s" 2>"$T/err"
grep -q "needs a stream" "$T/err" || fail "describe without a stream: $(cat "$T/err")"
not "$SEA" streamer admin frobnicate 2>/dev/null || fail "unknown action accepted"
not "$SEA" streamer admin trim x --cluster "file://$T/s" 2>"$T/err"
grep -q "trim needs" "$T/err" || fail "trim without a bound: $(cat "$T/err")"
