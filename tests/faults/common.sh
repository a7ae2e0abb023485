# Sourced by the fault-injection tests: everything of tests/cli/common.sh ($T, not, fail, gen,
# wait_fifo, $C for a file backend in $T/streams) plus a checker of what arrived and `proved`,
# which prints the guarantee a case has just shown.
source "$(dirname "${BASH_SOURCE[0]}")/../cli/common.sh"

# proved TEXT: one line per guarantee shown, so the test log says what was covered.
proved() { echo "PROVED: $(basename "$0" .sh): $*"; }

# check_ids FILE N MODE [FIRST]: FILE holds NDJSON records {"id":i,...} (gen's output) in the
# order they arrived. MODE:
#   exact      ids FIRST..N-1, each once, in order (no loss, no duplicate);
#   at-least   every id FIRST..N-1 at least once, and each time an id repeats the stream
#              restarts from an earlier point and goes on in order (redelivery, never a gap);
#   prefix     ids FIRST..K-1 for some K <= N, each once, in order (what was stored is a
#              prefix of what was sent: nothing after a gap, no duplicate).
# Prints "K records, D duplicates" and fails with the first broken rule.
check_ids() {
  python3 - "$@" <<'PY'
import json, sys
path, n, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
first = int(sys.argv[4]) if len(sys.argv) > 4 else 0
ids = []
for line_no, line in enumerate(open(path, "rb"), 1):
    try:
        ids.append(json.loads(line)["id"])
    except Exception as e:
        sys.exit(f"{path}:{line_no}: not a whole record ({e}): {line[:80]!r}")
seen = set(); dups = 0; expect = first
for pos, i in enumerate(ids):
    if i in seen:
        dups += 1
        if mode != "at-least":
            sys.exit(f"{path}: id {i} delivered twice (record {pos + 1})")
    if i > expect:
        sys.exit(f"{path}: gap: id {i} at record {pos + 1} where {expect} was due")
    seen.add(i)
    expect = i + 1
missing = [i for i in range(first, n) if i not in seen]
if mode in ("exact", "at-least") and missing:
    sys.exit(f"{path}: {len(missing)} ids lost, first {missing[0]}")
if mode == "prefix" and missing and any(i in seen for i in range(missing[0], n)):
    sys.exit(f"{path}: not a prefix: {missing[0]} missing but later ids present")
print(f"{len(ids)} records, {dups} duplicates")
PY
} 2>&1

# Cases that go on after a failed check, so that one run reports every finding: `bad` counts,
# `finish` fails the test at the end if any check failed.
FAILURES=0
bad() { echo "FAIL: $(basename "$0"): $*" >&2; FAILURES=$((FAILURES + 1)); }
finish() { ((FAILURES == 0)) || fail "$FAILURES check(s) failed"; }

# Tests that kill or stop their Redis start their own. free_port LOW HIGH prints a loopback
# port in LOW..HIGH that nothing listens on; $SEA_TEST_PORTS ("LOW-HIGH") overrides the range,
# so that several people testing on one machine do not meet.
free_port() {
  local low=$1 high=$2 p
  if [[ -n ${SEA_TEST_PORTS:-} ]]; then low=${SEA_TEST_PORTS%-*}; high=${SEA_TEST_PORTS#*-}; fi
  for p in $(seq "$low" "$high"); do
    if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then echo "$p"; return 0; fi
  done
  fail "no free port in $low-$high"
}

# start_redis_on PORT DIR [ARGS...]: a redis-server of the test's own in the foreground of a
# background job (REDIS_PID, killed at exit), appendonly unless ARGS say otherwise; waits for PING.
start_redis_on() {
  local port=$1 dir=$2; shift 2
  mkdir -p "$dir"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --appendonly yes --save "" --daemonize no "$@" \
    >>"$dir/log" 2>&1 & REDIS_PID=$!; BG_PIDS+=($REDIS_PID)
  for _ in $(seq 100); do redis-cli -p "$port" ping 2>/dev/null | grep -q PONG && return 0; sleep 0.05; done
  fail "redis-server did not start on $port: $(tail -n 5 "$dir/log")"
}

# gen_paced N SIZE RATE: gen's records at about RATE per second (in blocks of RATE/100), so that
# a fault injected a given time after the start meets a producer that is still reading.
gen_paced() {
  python3 -c '
import json, sys, time
n, size, rate = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
pad = "x" * max(0, size - 20)
block = max(1, rate // 100)
start = time.monotonic()
out = sys.stdout
for i in range(n):
    out.write(json.dumps({"id": i, "pad": pad}) + "\n")
    if (i + 1) % block == 0:
        out.flush()
        ahead = start + (i + 1) / rate - time.monotonic()
        if ahead > 0: time.sleep(ahead)
out.flush()' "$@"
}
