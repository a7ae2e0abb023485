# Sourced by the Kafka fault-injection tests: everything of common.sh, plus a private mock
# cluster (`sea streamer mock-kafka --brokers 3`, its fault commands written to a FIFO that a
# sleeping writer keeps open), keyed input records, and a checker that reads a topic back with
# kcat (the independent client) and judges it per key and per partition.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# start_mock [ARGS...]: the test's own mock cluster; sets B (bootstrap) and K (kafka:// URI).
start_mock() {
  mkfifo "$T/mock.cmd"
  sleep 100000 >"$T/mock.cmd" &  # keeps the command FIFO open for writing
  BG_PIDS+=($!)
  "$SEA" streamer mock-kafka --brokers 3 "$@" <"$T/mock.cmd" >"$T/mock.out" 2>"$T/mock.err" &
  MOCK_PID=$!
  BG_PIDS+=($MOCK_PID)
  for _ in $(seq 200); do grep -q bootstrap= "$T/mock.out" && break; sleep 0.05; done
  B=$(sed -n 's/^bootstrap=//p' "$T/mock.out")
  [[ -n $B ]] || fail "mock-kafka printed no bootstrap address: $(tail -n 3 "$T/mock.err")"
  K="kafka://$B"
}

# mock COMMAND...: one fault command; fails the test unless the mock answers "ok".
mock() {
  local before
  before=$(wc -l <"$T/mock.out")
  echo "$*" >"$T/mock.cmd"
  for _ in $(seq 250); do (($(wc -l <"$T/mock.out") > before)) && break; sleep 0.02; done
  tail -n 1 "$T/mock.out" | grep -qx ok || fail "mock command '$*': $(tail -n 1 "$T/mock.out")"
}

# gen_keyed N RATE [FROM]: records {"id":i,"k":"k<i % 64>","pad":...} for i in FROM..N-1, of
# about 80 bytes, at about RATE per second (0: as fast as possible). With --key k each key's
# ids are increasing in input order, so each key's order can be checked on the way out.
gen_keyed() {
  python3 -c '
import json, sys, time
n, rate, first, keys = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), 64
block = max(1, rate // 100) if rate else 1000
start = time.monotonic()
out = sys.stdout
for i in range(first, n):
    out.write(json.dumps({"id": i, "k": "k%d" % (i % keys), "pad": "x" * 40}) + "\n")
    if (i + 1 - first) % block == 0:
        out.flush()
        if rate:
            ahead = start + (i + 1 - first) / rate - time.monotonic()
            if ahead > 0: time.sleep(ahead)
out.flush()' "$1" "$2" "${3:-0}"
}

# read_topic TOPIC OUT: the whole topic as "partition<TAB>offset<TAB>key<TAB>payload" lines.
read_topic() {
  timeout 60 kcat -b "$B" -C -t "$1" -o beginning -e -q -f '%p\t%o\t%k\t%s\n' >"$2" 2>"$T/kcat.err" ||
    fail "kcat -C $1: $(tail -n 2 "$T/kcat.err")"
}

# check_keyed FILE N MODE [FROM]: FILE holds read_topic's lines, or `sea ... -J` envelopes
# ({"shard","seq","key","payload"}), possibly of several runs. Each key's messages live in one
# partition, so per key, in offset order, the ids must come in input order. MODE:
#   exact     ids FROM..N-1 each once (no loss, no duplicate);
#   at-least  every id FROM..N-1 at least once; a repeat is allowed, but the ids' first
#             appearances keep each key's order (a redelivery, never a reordering);
#   prefix    ids FROM..K-1 each once for some K <= N (what was read was stored, nothing more).
# Prints "R records, D duplicates, KEYS keys in order over P partitions" or fails with the first
# broken rule.
check_keyed() {
  python3 - "$@" <<'PY'
import collections, json, sys
path, n, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
first = int(sys.argv[4]) if len(sys.argv) > 4 else 0
rows = []
for line_no, line in enumerate(open(path, encoding="utf-8"), 1):
    try:
        if line.startswith("{"):
            e = json.loads(line)
            rows.append((e["shard"], e["seq"], e["key"], e["payload"]["id"], line_no))
        else:
            p, o, k, s = line.rstrip("\n").split("\t", 3)
            rows.append((int(p), int(o), k, json.loads(s)["id"], line_no))
    except Exception as ex:
        sys.exit(f"{path}:{line_no}: not a whole record ({ex}): {line[:80]!r}")
rows.sort(key=lambda r: (r[0], r[1]))  # offset order within each partition
seen, last, dups, parts = set(), {}, 0, set()
for p, o, k, i, line_no in rows:
    parts.add(p)
    if k != "k%d" % (i % 64):
        sys.exit(f"{path}:{line_no}: id {i} carries key {k!r}")
    if i in seen:
        dups += 1
        if mode != "at-least":
            sys.exit(f"{path}:{line_no}: id {i} delivered twice (partition {p} offset {o})")
        continue
    seen.add(i)
    if i < last.get(k, -1):
        sys.exit(f"{path}:{line_no}: key {k}: id {i} after {last[k]} (partition {p} offset {o}): order broken")
    last[k] = i
want = set(range(first, n))
missing = sorted(want - seen)
if mode != "prefix" and missing:
    sys.exit(f"{path}: {len(missing)} of {len(want)} ids lost, first {missing[0]}")
if mode == "prefix" and missing and any(i in seen for i in range(missing[0], n)):
    sys.exit(f"{path}: not a prefix: {missing[0]} missing but later ids present")
print(f"{len(rows)} records, {dups} duplicates, {len(last)} keys in order over {len(parts)} partitions")
PY
} 2>&1

# start_sending CMD TOPIC RATE ARGS...: starts `sea streamer CMD ARGS...` sending N keyed
# messages at RATE per second: produce reads the generator on stdin, flux its FIFO $T/p-TOPIC.
# Sets PID (sea) and WRITER (flux's generator; empty for produce); stderr goes to $T/err.
start_sending() {
  local cmd=$1 topic=$2 rate=$3
  shift 3
  WRITER=""
  if [[ $cmd == produce ]]; then
    "$SEA" streamer produce "$@" < <(gen_keyed $N "$rate" 2>/dev/null) 2>"$T/err" & PID=$!
    BG_PIDS+=($PID)
  else
    "$SEA" streamer flux "$T/p-$topic" "$@" 2>"$T/err" & PID=$!
    BG_PIDS+=($PID)
    wait_fifo "$T/p-$topic"
    gen_keyed $N "$rate" >"$T/p-$topic" 2>/dev/null & WRITER=$!
    BG_PIDS+=($WRITER)
  fi
}

# wait_stored TOPIC N: until TOPIC holds at least N messages (60 s at most).
wait_stored() {
  local n
  for _ in $(seq 120); do
    n=$(timeout 30 kcat -b "$B" -C -t "$1" -o beginning -e -q -f '.\n' 2>/dev/null | wc -l)
    ((n >= $2)) && return 0
    sleep 0.5
  done
  bad "$1 holds $n of $2 messages after 60 s"
}

# wait_bounded PID SECONDS: waits for PID (a background job of this shell) to exit, at most
# SECONDS (then SIGKILL: it hung); sets RC to its exit status (137 after a hang). Processes the
# tests signal are started without `timeout`: timeout forwards a signal twice (to the child
# and to its process group, which sea takes for a second signal) and SIGKILLs 2 s later.
wait_bounded() {
  local pid=$1 i
  for ((i = 0; i < $2 * 20; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  RC=0
  wait "$pid" || RC=$?
}
