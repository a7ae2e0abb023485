#!/bin/bash
# The file backend on a full disk and with two writers at once. Disk full: a 2 MiB tmpfs
# (mounted by the test, which runs as root here) fills up under `produce`: the error is clear
# (exit 1, "No space left"), what was stored is a gap-free prefix, every stored message reads
# back whole, and once space is freed the next produce appends right after it. Two processes
# appending to one stream at the same time: every message of each is stored once, each
# writer's messages in its own order.
source "$(dirname "$0")/common.sh"

# 1. Disk full.
mkdir "$T/full"
mount -t tmpfs -o size=2m tmpfs "$T/full" || fail "cannot mount a tmpfs (needs root): the disk-full case cannot run"
trap 'umount "$T/full" 2>/dev/null; cleanup' EXIT
F="--cluster file://$T/full/streams"
head -c 262144 /dev/zero >"$T/full/scratch"
rc=0
gen 100000 60 | "$SEA" streamer produce $F --topic d 2>"$T/err" || rc=$?
[[ $rc == 1 ]] || fail "produce on a full disk exited $rc, want 1: $(cat "$T/err")"
grep -qi "no space left" "$T/err" || fail "no clear disk-full error: $(cat "$T/err")"
"$SEA" streamer consume $F --topic d --from earliest -e >"$T/out" 2>"$T/cerr" || fail "reading back after ENOSPC failed: $(cat "$T/cerr")"
k=$(wc -l <"$T/out")
((k > 1000)) || fail "only $k messages stored before the disk filled"
r=$(check_ids "$T/out" 100000 prefix) || fail "disk full: $r"
proved "disk full: exit 1 with '$(grep -oi "no space left[^;]*" "$T/err" | head -n1)'; $r stored, a whole gap-free prefix"
"$SEA" streamer decode "$T/full/streams/d" >/dev/null 2>"$T/derr" || fail "decode after ENOSPC: $(cat "$T/derr")"
# Free space (the scratch file the test put there first), then append: the new messages go
# right after the stored prefix, nothing torn in between.
rm "$T/full/scratch"
gen 10 60 | "$SEA" streamer produce $F --topic d 2>"$T/err" || fail "produce after space was freed: $(cat "$T/err")"
"$SEA" streamer consume $F --topic d --from earliest -e >"$T/out2"
head -n "$k" "$T/out2" | cmp - "$T/out" || fail "the stored prefix changed after the append"
tail -n +"$((k + 1))" "$T/out2" >"$T/new"
r2=$(check_ids "$T/new" 10 exact) || fail "append after ENOSPC: $r2"
proved "disk full: after freeing space the stream decodes cleanly and the next produce appends right after the prefix ($r2)"

# 2. Two writers appending to one stream at the same time.
writer() {
  python3 -c '
import json, sys
w = sys.argv[1]
for i in range(100000): sys.stdout.write(json.dumps({"w": w, "i": i}) + "\n")' "$1" | "$SEA" streamer produce $C --topic two
}
writer a & a=$!; writer b & b=$!
wait $a || fail "writer a failed"; wait $b || fail "writer b failed"
"$SEA" streamer consume $C --topic two --from earliest -e >"$T/two"
python3 - "$T/two" <<'PY'
import json, sys
last = {"a": -1, "b": -1}; switches = 0; prev = None
for n, line in enumerate(open(sys.argv[1]), 1):
    m = json.loads(line)
    assert m["i"] == last[m["w"]] + 1, f"line {n}: writer {m['w']} jumped from {last[m['w']]} to {m['i']}"
    last[m["w"]] = m["i"]
    if prev is not None and prev != m["w"]: switches += 1
    prev = m["w"]
assert last == {"a": 99999, "b": 99999}, f"incomplete: {last}"
print(f"PROVED: file-disk-full: two concurrent writers: 2 x 100000 messages, each once and in its writer's order, interleaved {switches} times")
PY
