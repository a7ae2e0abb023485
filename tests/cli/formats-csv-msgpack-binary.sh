#!/bin/bash
# Formats end to end: CSV with quoted delimiters, quotes and newlines; TSV; a concatenated
# msgpack stream (kept as msgpack, or --to json); binary length-prefixed frames with an empty
# frame and a NUL byte, written back out as binary.
source "$(dirname "$0")/common.sh"
printf 'id,name\n1,"Smith, John"\n2,"two\nlines"\n3,"say ""hi"""\n' | "$SEA" streamer produce $C --topic csv --format csv
"$SEA" streamer consume $C --topic csv --from earliest -e > "$T/csv"
python3 - "$T/csv" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert rows == [{"id": "1", "name": "Smith, John"}, {"id": "2", "name": "two\nlines"}, {"id": "3", "name": 'say "hi"'}], rows
PY
printf 'a\tb\n1\tx"y\n' | "$SEA" streamer produce $C --topic tsv --format tsv
[[ $("$SEA" streamer consume $C --topic tsv --from earliest -e) == '{"a":"1","b":"x\"y"}' ]] || fail "tsv record"
python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex("81a16101" "81a16102" "93010203"))' |
  "$SEA" streamer produce $C --topic mp --format msgpack
"$SEA" streamer consume $C --topic mp --from earliest -e --format binary > "$T/mp"
python3 - "$T/mp" <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read(); out = []
while b:
    n = struct.unpack(">I", b[:4])[0]; out.append(b[4:4 + n]); b = b[4 + n:]
assert out == [bytes.fromhex("81a16101"), bytes.fromhex("81a16102"), bytes.fromhex("93010203")], out
PY
python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex("81a16101" "93010203"))' |
  "$SEA" streamer produce $C --topic mpj --format msgpack --to json
[[ $("$SEA" streamer consume $C --topic mpj --from earliest -e | tr '\n' ' ') == '{"a":1} [1,2,3] ' ]] ||
  fail "msgpack --to json"
python3 -c '
import sys, struct
w = sys.stdout.buffer
for p in [b"abc", b"", b"x\x00y"]: w.write(struct.pack(">I", len(p)) + p)' > "$T/bin.in"
"$SEA" streamer produce $C --topic bin --format binary < "$T/bin.in"
"$SEA" streamer consume $C --topic bin --from earliest -e --format binary > "$T/bin.out"
cmp "$T/bin.in" "$T/bin.out" || fail "binary frames differ"
