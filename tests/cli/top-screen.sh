# `sea streamer top` on a terminal (tmux): against a live generator the screen shows every
# stream's row, the busy one with its rate and the idle one marked STALE; `s` changes the sort
# column, `/` filters by name, `q` quits.
source "$(dirname "$0")/common.sh"
command -v tmux >/dev/null || fail "tmux is not installed"
C="--cluster file://$T/s"
S=sea-top-screen-$$
seq 20 | sed 's/.*/{"n":&}/' | "$SEA" streamer produce $C --topic idle-one
( for i in $(seq 600); do echo '{"tick":1}'; sleep 0.01; done ) | "$SEA" streamer produce $C --topic busy-one &
BG_PIDS+=($!)
trap 'tmux kill-session -t $S 2>/dev/null || true; cleanup' EXIT
tmux new-session -d -s $S -x 160 -y 30 "NO_COLOR=1 $SEA streamer top $C --stale 1s"
sleep 3
screen=$(tmux capture-pane -p -t $S)
echo "$screen"
grep -q 'streams 2' <<<"$screen" || fail "header does not count 2 streams"
grep -qE '^ +busy-one +[1-9]' <<<"$screen" || fail "busy-one has no rate"
grep -qE '^STALE idle-one' <<<"$screen" || fail "idle-one is not marked STALE"
grep -q 'producers 1' <<<"$screen" || fail "the live producer is not counted"
# Sorted by msgs/s (descending): busy-one first.
[[ $(grep -nE 'busy-one' <<<"$screen" | head -1 | cut -d: -f1) -lt $(grep -nE 'idle-one' <<<"$screen" | head -1 | cut -d: -f1) ]] || fail "not sorted by rate"
tmux send-keys -t $S s
sleep 0.5
tmux capture-pane -p -t $S | grep -q 'sort (msgs/s 1m)' || fail "s did not change the sort column"
tmux send-keys -t $S / i d l e Enter
sleep 0.5
screen=$(tmux capture-pane -p -t $S)
grep -q 'filter: idle' <<<"$screen" || fail "filter not shown"
grep -q 'busy-one' <<<"$screen" && fail "filter kept busy-one"
grep -q 'idle-one' <<<"$screen" || fail "filter dropped idle-one"
tmux send-keys -t $S q
sleep 1
not tmux has-session -t $S 2>/dev/null || fail "top did not quit on q"
echo "top screen: rows, STALE marker, sort, filter and quit ok"
