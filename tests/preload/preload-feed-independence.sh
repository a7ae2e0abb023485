#!/bin/bash
# A long-lived CMD sees each publication between two messages: message k's clock is k's, and
# its random bytes depend on (seed, k) only, not on how much message k-1 drew.
source "$(dirname "$0")/common.sh"

# run DRAW1 DRAW2: the probe draws DRAW1 bytes in feed 1 and DRAW2 then 8 in feed 2, then 8 in
# feed 1 again; prints its four lines.
run() {
  local c=$T/c.$1.$2
  "$CLOCK_SET" "$c" -r 1000000000000000001 -s 7 -f 1
  coproc P { det "$c" "$PROBE" feeds; }
  local line
  echo "$1" >&"${P[1]}"; read -r line <&"${P[0]}"; echo "$line"
  # The controller publishes while CMD is blocked reading its next message.
  "$CLOCK_SET" "$c" -r 1000000000000000002 -f 2
  echo "$2" >&"${P[1]}"; read -r line <&"${P[0]}"; echo "$line"
  echo 8 >&"${P[1]}"; read -r line <&"${P[0]}"; echo "$line"
  "$CLOCK_SET" "$c" -r 1000000000000000003 -f 1
  echo 8 >&"${P[1]}"; read -r line <&"${P[0]}"; echo "$line"
  exec {P[1]}>&-
  wait "$P_PID"
}
run 8 8 > "$T/small"
run 100000 8 > "$T/large"
mapfile -t s < "$T/small"
mapfile -t l < "$T/large"
[[ ${s[0]} == "1000000000.000000001 getrandom "* ]] || fail "message 1's clock: ${s[0]}"
[[ ${s[1]} == "1000000000.000000002 getrandom "* ]] || fail "message 2's clock: ${s[1]}"
[[ ${s[3]} == "1000000000.000000003 getrandom "* ]] || fail "message 3's clock: ${s[3]}"
[[ ${s[1]} == "${l[1]}" ]] || fail "feed 2 depends on feed 1's draws: ${s[1]} vs ${l[1]}"
[[ ${s[1]} != "${s[2]}" ]] || fail "two draws within feed 2 repeated: ${s[1]}"
[[ ${s[0]#* } == "${s[3]#* }" ]] || fail "feed 1 published again did not restart: ${s[0]} vs ${s[3]}"
[[ ${s[0]#* } == "${l[0]#* }" ]] || fail "feed 1's first 8 bytes differ from its first 100000's"
echo "ok: preload-feed-independence"
