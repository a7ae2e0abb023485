#!/bin/bash
# consume's output options: -c N, --envelope (JSON payload inline, text as a string, binary as
# base64, key and headers), -f format strings, --from seq:N and time:T.
source "$(dirname "$0")/common.sh"
printf '{"k":"a","v":1}\n{"k":"b","v":2}\n{"k":"c","v":3}\n' | "$SEA" streamer produce $C --topic e --key k
[[ $("$SEA" streamer consume $C --topic e --from earliest -c 2 | wc -l) == 2 ]] || fail "-c 2"
"$SEA" streamer consume $C --topic e --from earliest -e --envelope > "$T/env"
python3 - "$T/env" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [r["payload"] for r in rows] == [{"k": "a", "v": 1}, {"k": "b", "v": 2}, {"k": "c", "v": 3}], rows
assert [r["key"] for r in rows] == ["a", "b", "c"], rows
assert [r["seq"] for r in rows] == [0, 1, 2] and all(r["stream"] == "e" and r["shard"] == 0 for r in rows), rows
assert all(isinstance(r["ts"], int) and r["ts"] > 1.7e12 for r in rows), rows
PY
[[ $("$SEA" streamer consume $C --topic e --from earliest -e -f '%t/%p/%o %k=%s\n' | head -n1) == 'e/0/0 a={"k":"a","v":1}' ]] ||
  fail "format string"
[[ $("$SEA" streamer consume $C --topic e --from seq:2 -e -f '%o\n') == 2 ]] || fail "--from seq:2"
[[ $("$SEA" streamer consume $C --topic e --from time:-1h -e | wc -l) == 3 ]] || fail "--from time:-1h"
printf 'plain text\n' | "$SEA" streamer produce $C --topic txt --format lines
[[ $("$SEA" streamer consume $C --topic txt --from earliest -e -J | jq -r .payload) == "plain text" ]] || fail "text payload"
python3 -c 'import sys,struct; sys.stdout.buffer.write(struct.pack(">I",2)+b"\xff\x00")' |
  "$SEA" streamer produce $C --topic raw --format binary
[[ $("$SEA" streamer consume $C --topic raw --from earliest -e -J | jq -r '.payload_encoding + " " + .payload') == "base64 /wA=" ]] ||
  fail "binary payload in envelope"
