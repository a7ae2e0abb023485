#!/bin/bash
# Two writers of a flux FIFO, the first without a final newline, while the FIFO stays open (a
# third writer holds it, so the reader sees no end between them): their values meet on one line,
# `{"a":4}{"b":5}`. Both are produced; a bad value among good ones on a line is reported with its
# own line and byte, and the good ones around it are kept.
source "$(dirname "$0")/common.sh"
"$SEA" streamer flux "$T/p" $C --topic v 2> "$T/flux.err" & BG_PIDS+=($!); flux=$!
wait_fifo "$T/p"
exec 3> "$T/p"
printf '{"a":4}' > "$T/p"
printf '{"b":5}\n' > "$T/p"
printf '{"c":6} {bad} {"d":7}\n' > "$T/p"
printf '1 2' > "$T/p"
exec 3>&-
kill -TERM $flux; wait $flux
got=$("$SEA" streamer consume $C --topic v --from earliest -e | tr '\n' ' ')
[[ $got == '{"a":4} {"b":5} {"c":6} {"d":7} 1 2 ' ]] || fail "expected the six good values, got: $got"
# Line 2 starts at byte 15; {bad} is its second value, 8 bytes in.
grep -q 'skipped bad input at line 2 (byte 23): invalid JSON: value 2 of the 3 on this line' "$T/flux.err" ||
  fail "the bad value is not reported at its position: $(cat "$T/flux.err")"
[[ $(grep -c 'skipped bad input' "$T/flux.err") == 1 ]] || fail "one bad value expected: $(cat "$T/flux.err")"
