#!/bin/bash
# A missing, short, foreign or newer clock file gets one "sea-preload:" line naming the file and
# the reason, and CMD runs on the real clock and randomness (exit 0, nothing else changed).
source "$(dirname "$0")/common.sh"

# check FILE REASON: the probe's stderr is one line with REASON; its time is real.
check() {
  local now; now=$(date +%s)
  det "$1" "$PROBE" > "$T/out" 2> "$T/err" || fail "probe failed on $1: $(cat "$T/err")"
  [[ $(wc -l < "$T/err") == 1 ]] || fail "expected one warning for $1, got: $(cat "$T/err")"
  grep -q "^sea-preload: " "$T/err" && grep -qF "$1" "$T/err" && grep -qF "$2" "$T/err" ||
    fail "warning for $1 lacks its path or '$2': $(cat "$T/err")"
  local t; t=$(awk '$1 == "time" { print $2 }' "$T/out")
  (( t >= now - 5 && t <= now + 5 )) || fail "time with $1 is $t, not the real $now"
  det "$1" "$PROBE" 2>/dev/null | grep '^getrandom' > "$T/r2"
  grep '^getrandom' "$T/out" | cmp -s - "$T/r2" && fail "randomness with $1 repeated: not real"
  det "$1" date +%s > "$T/date" 2>/dev/null
  (( $(cat "$T/date") >= now - 5 )) || fail "date with $1: $(cat "$T/date")"
}
check "$T/missing" "cannot open the clock file"
"$CLOCK_SET" "$T/short" -r 1 --truncate 20
check "$T/short" "is 20 bytes, shorter than the 48"
"$CLOCK_SET" "$T/magic" -r 1 --magic 0x1234
check "$T/magic" "has magic 0x00001234 at byte 0, expected 0x4b4c4353"
"$CLOCK_SET" "$T/version" -r 1 --version 2
check "$T/version" "has version 2 at byte 4, this library reads version 1"
: > "$T/empty"
check "$T/empty" "is 0 bytes"

# No variables: no word at all; a bad SEA_PRELOAD_LINEBUF is named.
env LD_PRELOAD="$PRELOAD" "$PROBE" > /dev/null 2> "$T/err"
[[ ! -s $T/err ]] || fail "warnings without any variable: $(cat "$T/err")"
env LD_PRELOAD="$PRELOAD" SEA_PRELOAD_LINEBUF=yes true 2> "$T/err"
grep -qx "sea-preload: SEA_PRELOAD_LINEBUF=yes: expected 1 (line-buffer stdout) or 0; stdout left as it is" "$T/err" ||
  fail "bad SEA_PRELOAD_LINEBUF: $(cat "$T/err")"
echo "ok: preload-bad-clock-file"
