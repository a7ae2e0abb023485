#!/bin/bash
# produce and flux into a private mock Kafka cluster (3 brokers, a topic of 6 partitions each
# time) while it fails: a broker down for 3 s and up again (rd_kafka_mock_broker_set_down),
# Produce requests refused (rd_kafka_mock_push_request_errors: NOT_LEADER_FOR_PARTITION,
# REQUEST_TIMED_OUT), and every partition's leader moved twice. N keyed messages at a steady
# rate, the fault 1 s in; kcat reads the topic back. Each run must exit 0 and:
#   --delivery exactly-once (the idempotent producer): every id once, each key's order kept;
#   --delivery at-least-once (the default: acks=all, retries, idempotent unless turned off):
#   every id at least once, each key's order kept (a retry may repeat a message, never move it
#   ahead: without idempotence librdkafka did, ~24 of 40000 ids after 5 REQUEST_TIMED_OUT).
# The argument names the delivery mode (two meson tests, each under 2 minutes).
source "$(dirname "$0")/kafka-common.sh"
N=40000
RATE=16000  # messages per second: the input lasts 2.5 s, the fault comes 1 s in
start_mock

broker_down() { mock broker-down 2; sleep 3; mock broker-up 2; }
not_leader() { mock push-errors Produce NOT_LEADER_FOR_PARTITION 5; }
timed_out() { mock push-errors Produce REQUEST_TIMED_OUT 5; }
leader_moves() {
  local p
  for p in 0 1 2 3 4 5; do mock leader $p "$topic" $(((p + 1) % 3 + 1)); done
  sleep 0.7
  for p in 0 1 2 3 4 5; do mock leader $p "$topic" $(((p + 2) % 3 + 1)); done
}
declare -A WHAT=(
  [broker_down]="broker 2 down for 3 s and up again"
  [not_leader]="5 Produce requests refused with NOT_LEADER_FOR_PARTITION"
  [timed_out]="5 Produce requests refused with REQUEST_TIMED_OUT"
  [leader_moves]="every partition's leader moved twice"
)

# run_case COMMAND DELIVERY FAULT: COMMAND (produce or flux) sends N messages keyed by "k" to a
# new topic while FAULT is injected, then the topic is checked.
cases=0
run_case() {
  local cmd=$1 delivery=$2 fault=$3 pid writer r mode=at-least
  [[ $delivery == exactly-once ]] && mode=exact
  topic="$cmd-$delivery-$fault"
  mock topic "$topic" 6
  local args=(--cluster "$K" --topic "$topic" --key k --delivery "$delivery")
  start_sending $cmd "$topic" $RATE "${args[@]}"
  pid=$PID writer=$WRITER
  sleep 1
  $fault
  if [[ $cmd == produce ]]; then
    wait_bounded $pid 90
  else
    wait $writer || bad "$cmd $delivery, ${WHAT[$fault]}: the writer failed"
    # SIGTERM once the topic holds every message: right after a broker came back librdkafka
    # may still be in its reconnect backoff for longer than flux's 1.5 s shutdown bound.
    wait_stored "$topic" $N
    kill -TERM $pid
    wait_bounded $pid 90
  fi
  cases=$((cases + 1))
  if [[ $RC != 0 ]]; then
    bad "$cmd --delivery $delivery, ${WHAT[$fault]}: exit $RC (137: hung for 90 s): $(tail -n 3 "$T/err")"
    return 0
  fi
  read_topic "$topic" "$T/out"
  if r=$(check_keyed "$T/out" $N $mode); then
    proved "$cmd --delivery $delivery, ${WHAT[$fault]}: exit 0, kcat reads $r, none lost"
  else
    bad "$cmd --delivery $delivery, ${WHAT[$fault]}: $r"
  fi
}

case ${1:-} in
  exactly-once | at-least-once)
    for fault in broker_down not_leader timed_out leader_moves; do
      for cmd in produce flux; do run_case $cmd "$1" $fault; done
    done ;;
  *) fail "usage: kafka-produce-faults.sh exactly-once|at-least-once" ;;
esac
echo "$cases cases"
finish
