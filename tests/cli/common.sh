# Sourced by every process test: a temp dir ($T) removed on exit, `not` for commands that must
# fail, an ERR trap that names the failing line, and helpers to wait for FIFOs and processes.
set -eEuo pipefail
: "${SEA:?SEA must name the sea binary}"
T=$(mktemp -d)
BG_PIDS=()
cleanup() {
  local pid
  # The children first: SIGKILL of a `timeout` (or a subshell) cannot be passed on, and a
  # process left behind would write into the next test's files or servers.
  for pid in "${BG_PIDS[@]}"; do pkill -KILL -P "$pid" 2>/dev/null || true; kill -9 "$pid" 2>/dev/null || true; done
  rm -rf "$T"
}
trap cleanup EXIT
trap 'echo "FAIL: $(basename "$0"):$LINENO: $BASH_COMMAND" >&2' ERR

# not CMD...: succeeds when CMD fails.
not() { if "$@"; then return 1; else return 0; fi; }

# fail MESSAGE: stop the test with a reason.
fail() { echo "FAIL: $(basename "$0"): $*" >&2; exit 1; }

# wait_fifo PATH: until PATH is a FIFO (5 s).
wait_fifo() { for _ in $(seq 100); do [[ -p $1 ]] && return 0; sleep 0.05; done; fail "no FIFO at $1"; }

# gen N [SIZE]: N NDJSON lines {"id":i,"pad":"..."} of about SIZE bytes.
gen() {
  python3 -c '
import json, sys
n = int(sys.argv[1]); size = int(sys.argv[2])
pad = "x" * max(0, size - 20)
w = sys.stdout.write
for i in range(n): w(json.dumps({"id": i, "pad": pad}) + "\n")' "$1" "${2:-100}"
}

C="--cluster file://$T/streams"

# rss_baseline: peak RSS in KiB of a one-message produce by this $SEA to the file backend. RSS
# bounds are set above it, so one bound holds in the release build (~10 MiB) and under ASan
# (~160 MiB of shadow memory and allocator caches).
rss_baseline() {
  echo '{"a":1}' | /usr/bin/time -f %M -o "$T/.rss0" "$SEA" streamer produce --cluster "file://$T/.rss0-streams" \
    --topic base >/dev/null 2>&1
  tail -n 1 "$T/.rss0"
}
