#!/bin/bash
# Group runs that each take one message and end: ten `consume --group g -c 1` then one `-e` see
# every message exactly once, in order; so do ten `tap --group h` readers that each read one
# line and close, then a `consume -e`. On the file backend, on Redis (SEA_TEST_REDIS: what a
# member read and did not hand on goes to the next member at once, consumer.hpp "Ending
# cleanly") and on Kafka (SEA_TEST_KAFKA, the consume runs: a short session keeps each run's
# group join quick on the mock).
source "$(dirname "$0")/common.sh"
: "${SEA_TEST_REDIS:?SEA_TEST_REDIS must name the test redis-server (scripts/test sets it)}"
: "${SEA_TEST_KAFKA:?SEA_TEST_KAFKA must name the mock Kafka cluster (scripts/test sets it)}"
gen 3000 40 > "$T/in"
# same NAME FILE: FILE is the input, line for line.
same() {
  cmp -s "$T/in" "$2" ||
    fail "$1: $(wc -l < "$2") lines, not the 3000 in order ($(cmp "$T/in" "$2" 2>&1 | head -n 1))"
}
for backend in file redis kafka; do
  s="short$$$backend"
  X=()
  case $backend in
    file) B=$C ;;
    redis) B="--cluster $SEA_TEST_REDIS" ;;
    kafka) B="--cluster $SEA_TEST_KAFKA"; X=(-X session.timeout.ms=6000 -X heartbeat.interval.ms=500)
      kcat -b "${SEA_TEST_KAFKA#kafka://}" -C -t "$s" -o beginning -e -q >/dev/null 2>&1 || true ;;
  esac


  if [[ $backend == kafka ]]; then "$SEA" streamer produce $B --topic "$s" --shard 0 < "$T/in"
  else "$SEA" streamer produce $B --topic "$s" < "$T/in"; fi
  : > "$T/c"
  for _ in $(seq 10); do
    timeout 60 "$SEA" streamer consume $B "${X[@]}" --topic "$s" --group "g$$" --from earliest -c 1 >> "$T/c"
  done
  [[ $(wc -l < "$T/c") == 10 ]] || fail "$backend: ten runs of -c 1 gave $(wc -l < "$T/c") lines"
  timeout 60 "$SEA" streamer consume $B "${X[@]}" --topic "$s" --group "g$$" -e >> "$T/c"
  same "$backend: consume --group -c 1 x10, then -e" "$T/c"
  [[ $backend == kafka ]] && continue
  "$SEA" streamer tap "$T/t" $B --topic "$s" --group "h$$" --from earliest & BG_PIDS+=($!); tap=$!
  wait_fifo "$T/t"
  : > "$T/p"
  for _ in $(seq 10); do
    # bash reads a pipe a byte at a time: this reader takes exactly one line, then closes.
    IFS= read -r line < "$T/t"
    printf '%s\n' "$line" >> "$T/p"
    sleep 0.2  # readers take turns (tap --help)
  done
  kill -TERM $tap; wait $tap
  timeout 60 "$SEA" streamer consume $B --topic "$s" --group "h$$" -e >> "$T/p"
  same "$backend: tap --group, ten readers of one line, then consume -e" "$T/p"
done
