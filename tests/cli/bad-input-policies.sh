#!/bin/bash
# Each kind of bad input under each --on-error policy: fail exits 1 naming the position and keeps
# the good messages before it; skip reports the position and delivers every good message;
# dead-letter sends the raw bad bytes to another stream.
source "$(dirname "$0")/common.sh"
check() {  # check FORMAT INPUT-FILE GOOD-COUNT POSITION-TEXT
  local fmt=$1 in=$2 good=$3 pos=$4 topic="t$RANDOM$RANDOM"
  "$SEA" streamer produce $C --topic "$topic" --format "$fmt" --on-error skip < "$in" 2>"$T/err" ||
    fail "$fmt skip: exit status $?"
  grep -q "$pos" "$T/err" || fail "$fmt skip: stderr does not name '$pos': $(cat "$T/err")"
  n=$("$SEA" streamer consume $C --topic "$topic" --from earliest -e --format binary | python3 -c '
import sys, struct
b = sys.stdin.buffer.read(); n = 0
while b: l = struct.unpack(">I", b[:4])[0]; b = b[4 + l:]; n += 1
print(n)')
  [[ $n == "$good" ]] || fail "$fmt skip: $n messages, want $good"
  not "$SEA" streamer produce $C --topic "f$topic" --format "$fmt" < "$in" 2>"$T/err" || fail "$fmt fail: exit 0"
  grep -q "$pos" "$T/err" || fail "$fmt fail: stderr does not name '$pos': $(cat "$T/err")"
  "$SEA" streamer produce $C --topic "d$topic" --format "$fmt" --on-error "dead-letter:file://$T/streams/dead$topic" < "$in" 2>/dev/null
  d=$("$SEA" streamer consume $C --topic "dead$topic" --from earliest -e -f '%S\n' | wc -l)
  [[ $d -ge 1 ]] || fail "$fmt dead-letter: nothing in the dead-letter stream"
}
printf '{"a":1}\n{"a":2}\n{"a":\n{"a":4}\n{"a":5}\n' > "$T/json"; check ndjson "$T/json" 4 "line 3"
printf '{"a":1}\n\xff\xfe\n{"a":3}\n' > "$T/utf8"; check ndjson "$T/utf8" 2 "line 2"
# Values back to back on one line are split; a bad one among them is reported at its own byte.
printf '{"a":1}\n{"a":1} {bad} {"b":2}\n{"a":3}\n' > "$T/two"; check ndjson "$T/two" 4 "line 2 (byte 16)"
printf 'id,name\n1,ok\n2,"unbalanced\n' > "$T/csv"; check csv "$T/csv" 1 "line 3"
printf 'id,name\n1,ok\n2,too,many\n3,ok\n' > "$T/csv2"; check csv "$T/csv2" 2 "line 3"
python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex("81a16101" "81a161"))' > "$T/mp"; check msgpack "$T/mp" 1 "byte 4"
python3 -c '
import sys, struct
w = sys.stdout.buffer
w.write(struct.pack(">I", 3) + b"abc"); w.write(struct.pack(">I", 0xFFFFFFFF))' > "$T/bin"; check binary "$T/bin" 1 "byte 7"
# A 4 GB length prefix must not allocate: RSS stays within 32 MiB of a one-message produce of the
# same binary (rss_baseline in common.sh).
base=$(rss_baseline)
/usr/bin/time -f %M -o "$T/rss" "$SEA" streamer produce $C --topic big4g --format binary --on-error skip < "$T/bin" 2>/dev/null
(( $(cat "$T/rss") < base + 32768 )) || fail "4 GB length prefix used $(cat "$T/rss") KiB (baseline $base KiB)"
# A line over --max-message-bytes is an error with its line, and memory stays bounded.
{ echo '{"a":1}'; head -c 50000000 /dev/zero | tr '\0' 'x'; echo; echo '{"a":3}'; } > "$T/long"
/usr/bin/time -f %M -o "$T/rss" "$SEA" streamer produce $C --topic long --on-error skip < "$T/long" 2>"$T/err"
grep -q "line 2" "$T/err" || fail "long line not reported: $(cat "$T/err")"
(( $(cat "$T/rss") < base + 55296 )) || fail "a 50 MB line used $(cat "$T/rss") KiB (baseline $base KiB)"
[[ $("$SEA" streamer consume $C --topic long --from earliest -e | wc -l) == 2 ]] || fail "long line: good messages lost"
