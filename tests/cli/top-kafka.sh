# `sea streamer top` on Kafka (the mock cluster scripts/test starts): `--once --json` shows the
# topic with its exact message count, the newest message as preview, the lag of a group named
# with --group (the mock does not list groups: members unknown, said in the notes), producers
# unknown, and top's own requests counted; the screen shows the topic's row. Needs SEA_TEST_KAFKA.
source "$(dirname "$0")/common.sh"
: "${SEA_TEST_KAFKA:?SEA_TEST_KAFKA must name the mock Kafka cluster (scripts/test sets it)}"
command -v tmux >/dev/null || fail "tmux is not installed"
K="--cluster $SEA_TEST_KAFKA"
t="topk$$"
g="topk-g$$"
S=sea-top-kafka-$$
seq 29 | sed 's/.*/{"n":&}/' | "$SEA" streamer produce $K --topic "$t"
sleep 0.2  # the last message is the newest by time as well as by offset
echo '{"last":true}' | "$SEA" streamer produce $K --topic "$t"
timeout 60 "$SEA" streamer consume $K --topic "$t" --group "$g" --from earliest -c 12 >/dev/null ||
  fail "consume --group did not read 12 messages"
timeout 60 "$SEA" streamer top $K --filter "$t" --group "$g" --once --json > "$T/snap" || fail "top --once --json failed"
jq -e --arg t "$t" --arg g "$g" '
  (.streams | length) == 1 and .streams[0].stream == $t and .streams[0].messages == 30
  and .streams[0].preview == "{\"last\":true}" and .streams[0].preview_stale == false
  and .streams[0].producers == null
  and (.streams[0].groups | length) == 1 and .streams[0].groups[0].group == $g
  and .streams[0].groups[0].lag == 18 and .streams[0].groups[0].members == null
  and (.notes | any(test("ListGroups"))) and .top.requests_per_s > 0' "$T/snap" >/dev/null ||
  fail "unexpected snapshot: $(jq -c '{streams: [.streams[] | {stream, messages, preview, preview_stale, producers, groups}], notes, top}' "$T/snap")"
trap 'tmux kill-session -t $S 2>/dev/null || true; cleanup' EXIT
tmux new-session -d -s $S -x 160 -y 30 "NO_COLOR=1 $SEA streamer top $K --filter $t"
sleep 3
screen=$(tmux capture-pane -p -t $S)
grep -q "$t" <<<"$screen" || { echo "$screen"; fail "the screen has no row for $t"; }
tmux send-keys -t $S q
sleep 1
tmux has-session -t $S 2>/dev/null && fail "top did not quit on q"
echo "ok: top on Kafka, JSON and screen"
