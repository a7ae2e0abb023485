#!/bin/bash
# A consumer group resumes where it stopped: -c 400 then the rest, across processes; a second
# group starts on its own; the committed position survives a restart.
source "$(dirname "$0")/common.sh"
gen 1000 40 | "$SEA" streamer produce $C --topic g
"$SEA" streamer consume $C --topic g --group a --from earliest -c 400 > "$T/1"
"$SEA" streamer consume $C --topic g --group a --from earliest -e > "$T/2"
"$SEA" streamer consume $C --topic g --group b --from earliest -e > "$T/3"
[[ $(wc -l < "$T/1") == 400 && $(wc -l < "$T/2") == 600 && $(wc -l < "$T/3") == 1000 ]] ||
  fail "group a got $(wc -l < "$T/1") + $(wc -l < "$T/2"), group b $(wc -l < "$T/3")"
cat "$T/1" "$T/2" | cmp - "$T/3" || fail "group a's two runs are not the stream in order"
gen 10 40 | "$SEA" streamer produce $C --topic g
[[ $("$SEA" streamer consume $C --topic g --group a -e | wc -l) == 10 ]] || fail "resume after new messages"
