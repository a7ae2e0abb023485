#!/bin/bash
# Writers open and close the flux FIFO one after another; every frame of each is produced, and a
# writer's last line without a newline is still a complete JSON value.
source "$(dirname "$0")/common.sh"
"$SEA" streamer flux "$T/p" $C --topic w & BG_PIDS+=($!); flux=$!
wait_fifo "$T/p"
for i in $(seq 1 20); do printf '{"writer":%d,"n":1}\n{"writer":%d,"n":2}\n' $i $i > "$T/p"; done
printf '{"writer":21,"n":1}' > "$T/p"
kill -TERM $flux; wait $flux
n=$("$SEA" streamer consume $C --topic w --from earliest -e | wc -l)
[[ $n == 41 ]] || fail "expected 41 messages, got $n"
