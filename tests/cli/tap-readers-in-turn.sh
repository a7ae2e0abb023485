#!/bin/bash
# tap: two readers in turn each get the stream from --from earliest; with --group, the second
# reader resumes after what the first one read; SIGTERM unlinks the FIFO.
source "$(dirname "$0")/common.sh"
gen 1000 50 | "$SEA" streamer produce $C --topic t
"$SEA" streamer tap "$T/t" $C --topic t --from earliest & BG_PIDS+=($!); tap=$!
wait_fifo "$T/t"
a=$(timeout 10 head -n 1000 "$T/t" | wc -l)
sleep 0.2  # readers take turns (see tap --help)
b=$(timeout 10 head -n 1000 "$T/t" | wc -l)
[[ $a == 1000 && $b == 1000 ]] || fail "readers got $a and $b of 1000"
kill -TERM $tap; wait $tap
[[ ! -e $T/t ]] || fail "tap left its FIFO"
"$SEA" streamer tap "$T/g" $C --topic t --from earliest --group g1 -c 300 & BG_PIDS+=($!); tap=$!
wait_fifo "$T/g"
timeout 10 cat "$T/g" > "$T/first"
sleep 0.2
timeout 10 cat "$T/g" > "$T/second"
kill -TERM $tap; wait $tap
[[ $(wc -l < "$T/first") == 300 ]] || fail "first group reader got $(wc -l < "$T/first")"
[[ $(head -n1 "$T/second") == *'"id": 300,'* ]] ||
  fail "second group reader started at $(head -n1 "$T/second" | cut -c1-40)"
# A session ended by -c closes the FIFO; a reader that is slow to drain the pipe must get EOF
# after its 300 messages, not the next session's messages (the next open waits for its close).
"$SEA" streamer tap "$T/s" $C --topic t --from earliest -c 300 & BG_PIDS+=($!); tap=$!
wait_fifo "$T/s"
timeout 10 bash -c 'exec 3<"$1"; sleep 1; cat <&3' _ "$T/s" > "$T/slow"
[[ $(wc -l < "$T/slow") == 300 ]] || fail "a slow reader after -c 300 got $(wc -l < "$T/slow") lines"
b=$(timeout 10 cat "$T/s" | wc -l)
[[ $b == 300 ]] || fail "the reader after the slow one got $b of 300"
kill -TERM $tap; wait $tap
