#!/bin/bash
# Usage errors exit 2 with a message naming the bad part; runtime errors exit 1.
source "$(dirname "$0")/common.sh"
code() { set +e; "$@" >/dev/null 2>"$T/err" </dev/null; echo $?; set -e; }
[[ $(code "$SEA" streamer consume --cluster 'nope://x' --topic a -e) == 2 ]] || fail "bad scheme"
grep -q "unknown scheme 'nope'" "$T/err" || fail "bad scheme message: $(cat "$T/err")"
[[ $(code "$SEA" streamer consume $C --topic 'a/b' -e) == 2 ]] || fail "bad stream key"
grep -q "position 2" "$T/err" || fail "bad key message: $(cat "$T/err")"
[[ $(code "$SEA" streamer consume $C --topic a --from 'time:2026-13-01' -e) == 2 ]] || fail "bad time"
grep -q "out of range" "$T/err" || fail "bad time message: $(cat "$T/err")"
[[ $(code "$SEA" streamer produce $C --topic a --format yaml) == 2 ]] || fail "bad format"
[[ $(code "$SEA" streamer produce $C --topic a --on-error maybe) == 2 ]] || fail "bad policy"
[[ $(code "$SEA" streamer consume $C --topic a --mode repeat -e) == 2 ]] || fail "--mode without --group"
[[ $(code "$SEA" streamer consume $C --topic a -f '%z' -e) == 2 ]] || fail "bad format string"
[[ $(code "$SEA" streamer nosuch) == 2 ]] || fail "unknown subcommand"
[[ $(code "$SEA" streamer consume --cluster 'rediss://h:1' --topic a -e) != 0 ]] || fail "rediss accepted"
grep -q "TLS" "$T/err" || fail "rediss message: $(cat "$T/err")"
"$SEA" --version | grep -q '^sea ' || fail "--version"
