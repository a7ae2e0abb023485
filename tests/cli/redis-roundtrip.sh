#!/bin/bash
# sea <-> Redis Streams through flux, consume and tap, cross-checked with redis-cli as the
# independent reader and writer. Needs SEA_TEST_REDIS (scripts/test starts the server).
source "$(dirname "$0")/common.sh"
: "${SEA_TEST_REDIS:?SEA_TEST_REDIS must name the test redis-server (scripts/test sets it)}"
hp=${SEA_TEST_REDIS#redis://}; host=${hp%:*}; port=${hp##*:}
R="--cluster $SEA_TEST_REDIS"
rc() { redis-cli -h "$host" -p "$port" "$@"; }
s="rt$$"
# flux -> Redis: redis-cli sees every entry, payload in field msg, key in field key.
gen 5000 120 | python3 -c '
import sys, json
for line in sys.stdin: m = json.loads(line); m["k"] = "user%d" % (m["id"] % 7); print(json.dumps(m))' > "$T/in"
"$SEA" streamer flux "$T/p" $R --topic "$s" --key k & BG_PIDS+=($!); flux=$!
wait_fifo "$T/p"; cat "$T/in" > "$T/p"; kill -TERM $flux; wait $flux
[[ $(rc type "$s") == stream ]] || fail "no stream key $s in Redis"
[[ $(rc xlen "$s") == 5000 ]] || fail "redis-cli XLEN $(rc xlen "$s"), want 5000"
rc --raw xrange "$s" - + count 1 > "$T/first"
grep -qx msg "$T/first" || fail "no msg field: $(cat "$T/first")"
grep -qx user0 "$T/first" || fail "key field missing: $(cat "$T/first")"
python3 - "$T/in" <(rc --raw xrange "$s" - + | awk 'prev=="msg"{print} {prev=$0}') <<'PY'
import sys
a = open(sys.argv[1]).read().splitlines(); b = open(sys.argv[2]).read().splitlines()
assert a == b, f"redis-cli payloads differ: {len(b)} of {len(a)}"
PY
# consume reads back byte-identical, in order.
"$SEA" streamer consume $R --topic "$s" --from earliest -e > "$T/out"
cmp "$T/in" "$T/out" || fail "consume differs from what flux wrote"
# Entries written by redis-cli: with msg, and without (read as the JSON object of the fields).
rc xadd "$s" '*' msg '{"ext":1}' >/dev/null
rc xadd "ext$s" '*' id 7 qty 2 >/dev/null
[[ $("$SEA" streamer consume $R --topic "$s" --from earliest -e | tail -n 1) == '{"ext":1}' ]] || fail "msg entry from redis-cli"
[[ $("$SEA" streamer consume $R --topic "ext$s" --from earliest -e) == '{"id":"7","qty":"2"}' ]] || fail "fields-as-JSON entry"
# seq and ts come from the entry id: seq = ms << 16 | n.
id=$(rc --raw xrange "ext$s" - + | head -n 1); ms=${id%-*}; n=${id#*-}
[[ $("$SEA" streamer consume $R --topic "ext$s" --from earliest -e -f '%o %T\n') == "$(( (ms << 16) | n )) $ms" ]] ||
  fail "seq/ts of $id"
# tap with a group: two readers in turn; the second resumes after the first; the group is
# visible to redis-cli.
"$SEA" streamer tap "$T/t" $R --topic "$s" --group g1 --from earliest -c 2000 & BG_PIDS+=($!); tap=$!
wait_fifo "$T/t"
timeout 20 cat "$T/t" > "$T/a"; sleep 0.2; timeout 20 cat "$T/t" > "$T/b"
kill -TERM $tap; wait $tap
[[ $(wc -l < "$T/a") == 2000 && $(wc -l < "$T/b") == 2000 ]] || fail "tap readers got $(wc -l < "$T/a") and $(wc -l < "$T/b")"
cat "$T/a" "$T/b" | cmp - <(head -n 4000 "$T/in") || fail "group readers did not continue each other"
rc xinfo groups "$s" | grep -q g1 || fail "redis-cli does not see group g1"
