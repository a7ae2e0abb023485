#!/bin/bash
# Sleeping stays real under a constant clock: nanosleep is relative, and Python's time.sleep,
# which sleeps until an absolute deadline it computed from our monotonic clock
# (clock_nanosleep TIMER_ABSTIME), sleeps as long as asked whether that clock is far behind the
# real one (it would return at once) or far ahead of it (it would hang).
source "$(dirname "$0")/common.sh"
"$CLOCK_SET" "$T/behind" -r 1700000000000000000 -m 1000
"$CLOCK_SET" "$T/ahead" -r 1700000000000000000 -m 4000000000000000000
for c in behind ahead; do
  for cmd in "$PY -c 'import time; time.sleep(0.3)'" "sleep 0.3"; do
    s=$(date +%s%N)
    det "$T/$c" timeout 5 bash -c "$cmd" || fail "$c: $cmd failed or hung"
    ms=$(( ($(date +%s%N) - s) / 1000000 ))
    (( ms >= 290 && ms < 3000 )) || fail "$c: $cmd slept $ms ms, asked 300"
  done
done
echo "ok: preload-sleep-real-time"
