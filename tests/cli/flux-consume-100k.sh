#!/bin/bash
# 100,000 NDJSON messages written into a flux FIFO come out of consume byte-identical.
source "$(dirname "$0")/common.sh"
gen 100000 200 > "$T/in"
"$SEA" streamer flux "$T/p" $C --topic big & BG_PIDS+=($!); flux=$!
wait_fifo "$T/p"
cat "$T/in" > "$T/p"
kill -TERM $flux; wait $flux
"$SEA" streamer consume $C --topic big --from earliest -e > "$T/out"
cmp "$T/in" "$T/out" || fail "consume output differs from what was written"
