#!/bin/bash
# Runs one libFuzzer target for a while over its seed corpus without writing into it:
#   run.sh FUZZER SEED_CORPUS_DIR [SECONDS] [WORK_DIR]
# New inputs go to WORK_DIR/corpus (a temp dir removed at the end unless WORK_DIR is given),
# crashes to WORK_DIR/artifacts; prints "fuzz NAME: N runs in S s, K new inputs, no crash" or
# the crash and the reproducer, and exits 1 on a crash. SECONDS defaults to $SEA_FUZZ_SECONDS
# or 10 (the smoke time of the test command).
set -uo pipefail
fuzzer=$1 seeds=$2 seconds=${3:-${SEA_FUZZ_SECONDS:-10}} work=${4:-}
name=$(basename "$fuzzer")
keep=1
if [[ -z $work ]]; then work=$(mktemp -d); keep=0; fi
mkdir -p "$work/corpus" "$work/artifacts" "$seeds"
before=$(find "$work/corpus" -type f | wc -l)
# The segment fuzzer writes its files under TMPDIR; give it a private one.
export TMPDIR="$work/tmp"; mkdir -p "$TMPDIR"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}:allocator_may_return_null=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# SEA_FUZZ_KNOWN=1: let UBSan pass over the reported, unfixed bugs of known-bugs.supp.
if [[ ${SEA_FUZZ_KNOWN:-0} == 1 ]]; then
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:suppressions=$(dirname "$0")/known-bugs.supp
fi
"$fuzzer" "$work/corpus" "$seeds" -max_total_time="$seconds" -max_len=65536 -timeout=20 -rss_limit_mb=1024 \
  -print_final_stats=1 -artifact_prefix="$work/artifacts/" >"$work/log" 2>&1
rc=$?
runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/log" | grep -o '[0-9]*$')
after=$(find "$work/corpus" -type f | wc -l)
if ((rc != 0)); then
  grep -B2 -A30 -m1 'ERROR: \|FUZZ INVARIANT\|runtime error' "$work/log" | head -60
  echo "fuzz $name: CRASH after ${runs:-?} runs; reproducer(s): $(ls "$work/artifacts" | sed "s|^|$work/artifacts/|" | tr '\n' ' ')"
  exit 1
fi
echo "fuzz $name: ${runs:-?} runs in $seconds s, $((after - before)) new inputs, no crash"
((keep)) || rm -rf "$work"
exit 0
