#!/bin/bash
# Randomness is a function of (seed, feed): the same pair gives the same bytes through every
# entry point (getrandom, getentropy, arc4random, syscall, /dev/urandom and /dev/random by fd
# and by FILE) and in Python and coreutils; another seed or feed gives other bytes.
source "$(dirname "$0")/common.sh"

# draw CLOCKFILE: every source of randomness, one line each.
draw() {
  det "$1" "$PROBE" | grep -v '^clock_gettime\|^gettimeofday\|^time\|^timespec_get\|^syscall.clock'
  det "$1" "$PY" -c '
import random, os, uuid, secrets
print("python", random.random(), os.urandom(8).hex(), random.SystemRandom().random(), uuid.uuid4(), secrets.token_hex(8))'
  det "$1" env -u PYTHONHASHSEED "$PY" -c 'print("python.hash", hash("sea"))'
  echo "head.urandom $(det "$1" head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  echo "shuf $(det "$1" shuf -i 1-1000000 -n 3 | tr '\n' ' ')"
}
"$CLOCK_SET" "$T/a" -r 1700000000000000000 -s 42 -f 1
"$CLOCK_SET" "$T/b" -r 1700000000000000000 -s 42 -f 1
"$CLOCK_SET" "$T/seed" -r 1700000000000000000 -s 43 -f 1
"$CLOCK_SET" "$T/feed" -r 1700000000000000000 -s 42 -f 2
draw "$T/a" > "$T/a.out"
draw "$T/b" > "$T/b.out"
draw "$T/seed" > "$T/seed.out"
draw "$T/feed" > "$T/feed.out"
lines=$(wc -l < "$T/a.out")
(( lines == 18 )) || fail "expected 18 sources, got $lines: $(cat "$T/a.out")"
grep -q "error\|NOT-ZEROS" "$T/a.out" && fail "a source failed: $(grep "error\|NOT-ZEROS" "$T/a.out")"
grep -qx "getentropy.257 -1" "$T/a.out" || fail "getentropy past 256 bytes must fail as in libc"
cmp -s "$T/a.out" "$T/b.out" || fail "same (seed, feed), other bytes: $(diff "$T/a.out" "$T/b.out")"

# Every random line changes with the seed and with the feed (the two fixed lines do not).
fixed='^getentropy.257 \|^reused_fd'
for other in seed feed; do
  same=$(paste -d '\n' <(grep -v "$fixed" "$T/a.out") <(grep -v "$fixed" "$T/$other.out") |
    awk 'NR % 2 == 1 { a = $0; next } a == $0 { print a }')
  [[ -z $same ]] || fail "another $other drew the same: $same"
done

# Two entry points in one process draw different bytes (one stream, not one value repeated);
# each new process starts the stream of (seed, feed) afresh, so head's bytes are getrandom's.
dups=$(grep -v "$fixed" "$T/a.out" | sed -n '/^python/q;p' | awk '{ print $2 }' | sort | uniq -d)
[[ -z $dups ]] || fail "two sources drew the same bytes: $dups"
[[ $(awk '$1 == "head.urandom" { print $2 }' "$T/a.out") == $(awk '$1 == "getrandom" { print $2 }' "$T/a.out") ]] ||
  fail "a new process did not start the stream of (seed, feed) from its beginning"
echo "ok: preload-random"
