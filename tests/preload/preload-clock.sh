#!/bin/bash
# Every clock CMD can read gives the published time: realtime-like clocks realtime_ns,
# monotonic-like ones monotonic_ns, plus 1 ns per earlier read within the message (at most
# 999 ns: the clock advances, deterministically); CPU-time clocks stay real; a new publication
# is seen.
source "$(dirname "$0")/common.sh"
"$CLOCK_SET" "$T/c" -r 1700000000123456789 -m 5000000000 -s 42 -f 1

# 1. coreutils date and the C probe, one line per interposed entry point, in the probe's order
#    of reads (the first read is the published time, each next one 1 ns later).
[[ $(det "$T/c" date +%s%N) == 1700000000123456789 ]] || fail "date: $(det "$T/c" date +%s%N)"
det "$T/c" "$PROBE" > "$T/probe"
expect() { grep -qx "$1" "$T/probe" || fail "probe: expected '$1', got: $(grep "^${1%% *} " "$T/probe")"; }
expect "clock_gettime.REALTIME 1700000000.123456789"
expect "clock_gettime.REALTIME_COARSE 1700000000.123456790"
expect "clock_gettime.TAI 1700000000.123456791"
expect "clock_gettime.MONOTONIC 5.000000003"
expect "clock_gettime.MONOTONIC_RAW 5.000000004"
expect "clock_gettime.MONOTONIC_COARSE 5.000000005"
expect "clock_gettime.BOOTTIME 5.000000006"
expect "gettimeofday 1700000000.123456"
expect "time 1700000000 1700000000"
expect "timespec_get 1700000000.123456798"
expect "syscall.clock_gettime 1700000000.123456799"
# Within a message the clock stops 999 ns after the published time: the monotonic clock never
# reaches the next message's (1 us later), and never goes back.
out=$(det "$T/c" "$PY" -c '
import time
a = [time.monotonic_ns() for _ in range(3000)]
print(all(x <= y for x, y in zip(a, a[1:])), a[-1] - a[0] <= 999, a[-1] < 5000001000, a[1] - a[0])')
[[ $out == "True True True 1" ]] || fail "the clock within a message: $out"

# 2. Python's time and datetime (its start-up reads the clock a few hundred times first: the
#    same reads each run, so the same times); its CPU-time clocks are real.
py_clock() { det "$T/c" "$PY" -c '
import time, datetime
print(time.time_ns(), time.time(), time.monotonic_ns(), datetime.datetime.now(datetime.timezone.utc).isoformat())
t = time.process_time_ns(); sum(range(200000)); print(time.process_time_ns() > t)'; }
out=$(py_clock)
[[ $out == "$(py_clock)" ]] || fail "python read other times in a second run: $out / $(py_clock)"
"$PY" - "$out" <<'PY' || fail "python: $out"
import sys
ns, secs, mono, iso, cpu = sys.argv[1].replace("\n", " ").split()
assert 1700000000123456789 <= int(ns) < 1700000000123457789, ns
assert abs(float(secs) - 1700000000.1234568) < 2e-6, secs
assert 5000000000 < int(mono) < 5000001000, mono
assert iso.startswith("2023-11-14T22:13:20.12345") and iso.endswith("+00:00"), iso
assert cpu == "True", cpu
PY

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
