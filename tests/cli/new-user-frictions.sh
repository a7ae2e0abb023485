#!/bin/bash
# What a new user reaches for first: the README's bare `--from -5m`, a mistyped subcommand named
# with the nearest one, and shell completion of admin actions.
source "$(dirname "$0")/common.sh"
C="--cluster file://$T/streams"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
code() { set +e; "$@" >"$T/out" 2>"$T/err" </dev/null; echo $?; set -e; }

# 1. --from takes every form parse_time takes, bare as after time:.
printf '{"n":1}\n{"n":2}\n{"n":3}\n' | "$SEA" streamer produce $C --topic f
for from in -5m time:-5m -1h "$(date -u -d '-1 min' +%Y-%m-%dT%H:%M:%SZ)" "$(($(date +%s) - 60))000"; do
  [[ $(code "$SEA" streamer consume $C --topic f --from "$from" -e) == 0 ]] || fail "--from $from: $(cat "$T/err")"
  [[ $(wc -l <"$T/out") == 3 ]] || fail "--from $from gave $(wc -l <"$T/out") messages, not 3"
done
[[ $(code "$SEA" streamer consume $C --topic f --from "$(($(date +%s) + 3600))000" -e) == 0 ]] || fail "future time"
[[ ! -s $T/out ]] || fail "--from an hour ahead gave messages"
[[ $(code "$SEA" streamer consume $C --topic f --from 5m -e) == 2 ]] || fail "--from 5m accepted"
grep -q "bad position '5m'" "$T/err" && grep -q -- "-5m" "$T/err" || fail "--from 5m message: $(cat "$T/err")"

# 2. An unknown subcommand is named, with the nearest command when one is close.
[[ $(code "$SEA" streamer prodcue) == 2 ]] || fail "unknown subcommand exit"
grep -q "sea streamer: unknown command 'prodcue'; did you mean 'produce'?" "$T/err" || fail "typo message: $(cat "$T/err")"
[[ $(code "$SEA" streamer zzzzzzzz) == 2 ]] || fail "unknown subcommand exit"
grep -q "unknown command 'zzzzzzzz'" "$T/err" || fail "unknown message: $(cat "$T/err")"
not grep -q "did you mean" "$T/err" || fail "a far word got a suggestion: $(cat "$T/err")"
[[ $(code "$SEA" streemer consume) == 2 ]] || fail "unknown top-level word exit"
grep -q "sea: unknown command 'streemer'; did you mean 'streamer'?" "$T/err" || fail "top-level typo: $(cat "$T/err")"
[[ $(code "$SEA" streamer admin lsit) == 2 ]] || fail "unknown admin action exit"
grep -q "did you mean 'list'" "$T/err" || fail "admin typo: $(cat "$T/err")"
[[ $(code "$SEA" streamer) == 2 ]] || fail "no subcommand exit"
grep -q "subcommand is required" "$T/err" || fail "no subcommand message: $(cat "$T/err")"

# 3. bash completion: admin actions, then stream keys; --from values.
complete_line() {
  bash -c 'complete() { :; }; source "$1"; COMP_LINE=$2; COMP_POINT=${#COMP_LINE}; _sea; echo "${COMPREPLY[*]}"' _ \
    "$ROOT/completions/sea.bash" "$1"
}
[[ $(complete_line "sea streamer admin ") == "list describe create delete trim retention" ]] ||
  fail "admin actions: '$(complete_line "sea streamer admin ")'"
[[ $(complete_line "sea streamer admin de") == "describe delete" ]] || fail "admin de: '$(complete_line "sea streamer admin de")'"
[[ -z $(complete_line "sea streamer admin describe ") ]] || fail "an action offered after an action"
[[ $(complete_line "sea streamer admin --json tr") == "trim" ]] || fail "action after an option"
[[ $(complete_line "sea streamer consume --from ea") == "earliest" ]] || fail "--from values"
[[ $(complete_line "sea streamer rel") == "relay" ]] || fail "subcommand names"
echo "ok"
