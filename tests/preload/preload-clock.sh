#!/bin/bash
# Every clock CMD can read gives the published time: realtime-like clocks realtime_ns,
# monotonic-like ones monotonic_ns; CPU-time clocks stay real; a new publication is seen.
source "$(dirname "$0")/common.sh"
"$CLOCK_SET" "$T/c" -r 1700000000123456789 -m 5000000000 -s 42 -f 1

# 1. coreutils date and the C probe, one line per interposed entry point.
[[ $(det "$T/c" date +%s%N) == 1700000000123456789 ]] || fail "date: $(det "$T/c" date +%s%N)"
det "$T/c" "$PROBE" > "$T/probe"
expect() { grep -qx "$1" "$T/probe" || fail "probe: expected '$1', got: $(grep "^${1%% *} " "$T/probe")"; }
for c in REALTIME REALTIME_COARSE TAI; do expect "clock_gettime.$c 1700000000.123456789"; done
for c in MONOTONIC MONOTONIC_RAW MONOTONIC_COARSE BOOTTIME; do expect "clock_gettime.$c 5.000000000"; done
expect "gettimeofday 1700000000.123456"
expect "time 1700000000 1700000000"
expect "timespec_get 1700000000.123456789"
expect "syscall.clock_gettime 1700000000.123456789"

# 2. Python's time and datetime; its CPU-time clocks are real (they advance while it works).
out=$(det "$T/c" "$PY" -c '
import time, datetime
print(time.time_ns(), time.time(), time.monotonic_ns(), datetime.datetime.now(datetime.timezone.utc).isoformat())
t = time.process_time_ns(); sum(range(200000)); print(time.process_time_ns() > t)')
[[ $out == $'1700000000123456789 1700000000.1234567 5000000000 2023-11-14T22:13:20.123456+00:00\nTrue' ]] ||
  fail "python: $out"

# 3. Another publication, and a time before 1970 (floor division: -1.5 s is -2 s + 0.5e9 ns).
"$CLOCK_SET" "$T/c" -r 1800000000000000001
[[ $(det "$T/c" date +%s%N) == 1800000000000000001 ]] || fail "second publication not seen"
"$CLOCK_SET" "$T/c" -r -1500000000
det "$T/c" "$PROBE" > "$T/probe"
expect "clock_gettime.REALTIME -2.500000000"
expect "gettimeofday -2.500000"

# 4. A page written by the C++ half of sea_preload.h (the controller's) reads the same.
"$PUBLISH_CXX" "$T/cxx" 1600000000987654321 7000000000 9 3
[[ $(det "$T/cxx" date +%s%N) == 1600000000987654321 ]] || fail "C++-written page: $(det "$T/cxx" date +%s%N 2>&1)"
"$CLOCK_SET" "$T/c" -r 1600000000987654321 -m 7000000000 -s 9 -f 3
[[ $(det "$T/cxx" "$PROBE") == $(det "$T/c" "$PROBE") ]] || fail "C++ and C pages of the same values differ"
echo "ok: preload-clock"
