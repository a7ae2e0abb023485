#!/bin/bash
# relay with --group commits only what the output acknowledged: -c 400 then a second run takes
# the rest, and together they copy every message exactly once (no loss, no repeat on a clean stop).
source "$(dirname "$0")/common.sh"
: "${SEA_TEST_REDIS:?SEA_TEST_REDIS must name the test Redis (scripts/test sets it)}"
k="relayg-$$-$RANDOM"
gen 1000 60 | "$SEA" streamer produce $C --topic "$k"
"$SEA" streamer relay --input "file://$T/streams/$k" --output "$SEA_TEST_REDIS/$k" --group copy -c 400
[[ $(redis-cli -u "$SEA_TEST_REDIS" XLEN "$k") == 400 ]] || fail "first run wrote $(redis-cli -u "$SEA_TEST_REDIS" XLEN "$k")"
"$SEA" streamer relay --input "file://$T/streams/$k" --output "$SEA_TEST_REDIS/$k" --group copy -e
[[ $(redis-cli -u "$SEA_TEST_REDIS" XLEN "$k") == 1000 ]] || fail "after both runs Redis holds $(redis-cli -u "$SEA_TEST_REDIS" XLEN "$k")"
"$SEA" streamer consume --stream "$SEA_TEST_REDIS/$k" --from earliest -e > "$T/back"
"$SEA" streamer consume $C --topic "$k" --from earliest -e | cmp - "$T/back" || fail "copy differs from the source"
# A stopped relay leaves the rest for the next run: nothing new, nothing copied.
"$SEA" streamer relay --input "file://$T/streams/$k" --output "$SEA_TEST_REDIS/$k" --group copy -e
[[ $(redis-cli -u "$SEA_TEST_REDIS" XLEN "$k") == 1000 ]] || fail "a third run copied again"
# Usage: one stream each side; exactly-once from file to Kafka is refused as unsupported, not
# weakened (Kafka -> Kafka exactly-once is tests/cli/relay-kafka-exactly-once.sh).
not "$SEA" streamer relay --input "file://$T/streams/a,b" --output "$SEA_TEST_REDIS/$k" -e 2>"$T/err"
grep -q "exactly one" "$T/err" || fail "two input streams: $(cat "$T/err")"
not "$SEA" streamer relay --input "file://$T/streams/$k" --output kafka://127.0.0.1:1/x --delivery exactly-once -e 2>"$T/err"
grep -q "relay exactly-once from file to kafka: .*both ends must be Kafka" "$T/err" || fail "exactly-once: $(cat "$T/err")"
