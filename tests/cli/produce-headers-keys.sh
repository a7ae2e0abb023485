#!/bin/bash
# produce/flux input options as in kcat -P: -H NAME=VALUE on every message, -k KEY, -K DELIM
# (a line without the delimiter has no key, as kcat), -H over an envelope's header of the same
# name, and bad envelopes under each --on-error policy with their line and byte offset.
source "$(dirname "$0")/common.sh"
env_of() { "$SEA" streamer consume $C --topic "$1" --from earliest -e -J; }
# -H and -k on ndjson.
printf '{"a":1}\n{"a":2}\n' | "$SEA" streamer produce $C --topic hk -H src=test -H empty= -k fixed
env_of hk > "$T/hk"
python3 - "$T/hk" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [r["payload"] for r in rows] == [{"a": 1}, {"a": 2}], rows
assert all(r["key"] == "fixed" and r["headers"] == {"src": "test", "empty": ""} for r in rows), rows
PY
# -K on lines: split at the first delimiter; no delimiter: no key; "\t" is a tab.
printf 'k1:v:1\nnodelim\n:empty key\nk2:\n' | "$SEA" streamer produce $C --topic kd --format lines -K :
[[ $("$SEA" streamer consume $C --topic kd --from earliest -e -f '%K|%k|%s\n') == $'2|k1|v:1\n-1||nodelim\n0||empty key\n2|k2|' ]] ||
  fail "-K split: $("$SEA" streamer consume $C --topic kd --from earliest -e -f '%K|%k|%s\n')"
printf 'a\tb\n' | "$SEA" streamer produce $C --topic tab --format lines -K '\t'
[[ $("$SEA" streamer consume $C --topic tab --from earliest -e -f '%k=%s\n') == "a=b" ]] || fail "-K '\\t'"
# -H and -k over an envelope: -k replaces its key, -H its header of the same name.
echo '{"key":"k","headers":{"a":"1","b":"2"},"payload":{"x":1}}' |
  "$SEA" streamer produce $C --topic over --envelope -H b=3 -k new
[[ $(env_of over | jq -c '[.key, .headers, .payload]') == '["new",{"a":"1","b":"3"},{"x":1}]' ]] ||
  fail "-H/-k over an envelope: $(env_of over)"
# flux takes the same options.
"$SEA" streamer flux "$T/p" $C --topic fl --envelope -H via=flux & BG_PIDS+=($!)
wait_fifo "$T/p"
echo '{"key":"fk","ts":1700000000000,"payload":"from flux"}' > "$T/p"
for _ in $(seq 100); do [[ $(env_of fl | wc -l) == 1 ]] && break; sleep 0.05; done
kill -TERM "${BG_PIDS[-1]}"; wait "${BG_PIDS[-1]}"
[[ $(env_of fl | jq -c '[.key, .ts, .headers, .payload]') == '["fk",1700000000000,{"via":"flux"},"from flux"]' ]] ||
  fail "flux --envelope: $(env_of fl)"
# Bad envelopes: fail names the position and stops; skip keeps the good ones around them;
# dead-letter sends the raw line with the reason in a header.
printf '{"payload":1}\n[2]\n{"payload":3,"ts":"soon"}\n{"payload":4}\n' > "$T/bad"
not "$SEA" streamer produce $C --topic bf --envelope < "$T/bad" 2> "$T/err"
grep -q 'line 2 (byte 14): bad envelope: an envelope is a JSON object, not an array' "$T/err" || fail "fail: $(cat "$T/err")"
"$SEA" streamer produce $C --topic bs --envelope --on-error skip < "$T/bad" 2> "$T/err"
[[ $("$SEA" streamer consume $C --topic bs --from earliest -e | tr '\n' ' ') == "1 4 " ]] || fail "skip kept the wrong ones"
grep -q 'line 3 (byte 18): bad envelope: "ts": ' "$T/err" || fail "skip report: $(cat "$T/err")"
"$SEA" streamer produce $C --topic bd --envelope --on-error "dead-letter:file://$T/streams/dlq" < "$T/bad" 2>/dev/null
[[ $("$SEA" streamer consume $C --topic dlq --from earliest -e -f '%s\n' | head -n 1) == "[2]" ]] || fail "dead letter"
"$SEA" streamer consume $C --topic dlq --from earliest -e -J | head -n 1 | jq -e '.headers["sea-error"] | startswith("bad envelope")' >/dev/null ||
  fail "dead letter reason"
echo "headers, keys and envelopes on input ok"
