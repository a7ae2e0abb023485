#!/bin/bash
# relay to stdio:// when stdout is a regular file: the stdio producer acknowledges inside send()
# (the write completes at once), and relay must still count those acknowledgements; more
# messages than the in-flight window (65,536) must all arrive and the relay must exit.
source "$(dirname "$0")/common.sh"
gen 100000 30 | "$SEA" streamer produce $C --topic big
timeout 60 "$SEA" streamer relay --input "file://$T/streams/big" --output stdio:///out -e > "$T/out" ||
  fail "relay to a regular file did not finish"
"$SEA" streamer consume $C --topic big --from earliest -e | cmp - "$T/out" || fail "stdout differs from the stream"
