#!/bin/bash
# SIGTERM: everything already in the pipe is flushed, the FIFO is unlinked, exit status 0.
# The FIFO is mode 0600; a stale FIFO is replaced; a regular file or a symlink is refused and kept.
source "$(dirname "$0")/common.sh"
mkfifo -m 644 "$T/p"  # stale FIFO from an earlier run
"$SEA" streamer flux "$T/p" $C --topic s & BG_PIDS+=($!); flux=$!
# The stale FIFO is there from the start: wait (up to 10 s, a slow start under ASan and load)
# for flux to have replaced it.
for _ in $(seq 200); do [[ $(stat -c %a "$T/p" 2>/dev/null) == 600 ]] && break; sleep 0.05; done
wait_fifo "$T/p"
[[ $(stat -c %a "$T/p") == 600 ]] || fail "mode $(stat -c %a "$T/p"), want 600"
exec 3>"$T/p"                  # a writer that stays open while sea is told to stop
gen 5000 100 >&3
kill -TERM $flux
set +e; wait $flux; rc=$?; set -e
exec 3>&-
[[ $rc == 0 ]] || fail "flux exited $rc on SIGTERM"
[[ ! -e $T/p ]] || fail "FIFO left behind"
n=$("$SEA" streamer consume $C --topic s --from earliest -e | wc -l)
[[ $n == 5000 ]] || fail "expected 5000 flushed messages, got $n"
echo keep > "$T/file"
not "$SEA" streamer flux "$T/file" $C --topic s 2>"$T/err"
grep -q "not a FIFO" "$T/err" || fail "no clear refusal: $(cat "$T/err")"
[[ $(cat "$T/file") == keep ]] || fail "regular file was touched"
ln -s "$T/file" "$T/link"
not "$SEA" streamer flux "$T/link" $C --topic s 2>/dev/null
[[ -L $T/link && $(cat "$T/file") == keep ]] || fail "symlink or its target was touched"
