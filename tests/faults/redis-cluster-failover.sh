#!/bin/bash
# A Redis Cluster node failing over under at-least-once traffic, against a cluster of the test's
# own (3 masters + 3 replicas, appendonly yes, --cluster-node-timeout 1000, on free ports in
# 26740-26789 or $SEA_TEST_PORTS; the shared cluster of scripts/servers is never touched). N
# messages keyed by their id go to a stream of SHARDS shards spread over the masters:
# 1. graceful failover (CLUSTER FAILOVER to the replica of the master of shard 0) during
#    `produce`: exit 0, every message stored, in order per shard (the master answers MOVED once
#    it is a replica; the producer follows to the promoted node);
#    then during `consume --group`: nothing lost over that run and a restart of the group;
# 2. hard failover (that master SIGKILLed, its replica promoted after the node timeout) during
#    `produce`: no hang, exit 0, the producer follows the new master (CLUSTERDOWN, then MOVED or
#    a new slot map), order kept in every shard, nothing lost on the shards of the other masters,
#    and on the killed master's shards at most one run of messages missing, with every message
#    after it stored. Replication is asynchronous: a write the dead master acknowledged but had
#    not passed on yet is lost, and that count is printed as information, not promised away.
#    Meanwhile a producer to another master meets -CLUSTERDOWN and keeps its order, and two
#    followers of the stream (consume, consume --group) read on from the new master.
source "$(dirname "$0")/common.sh"
N=100000
RATE=40000  # messages per second: the input lasts 2.5 s, the fault comes 1 s in
SHARDS=6
# The bystander of case 2 sends for 5 s, through the whole failover (node timeout, election).
BN=40000
BRATE=8000

# Six nodes on free ports whose cluster bus ports (+10000) are free too; each node is started
# before the next port is looked for.
low=26740 high=26789
if [[ -n ${SEA_TEST_PORTS:-} ]]; then low=${SEA_TEST_PORTS%-*}; high=${SEA_TEST_PORTS#*-}; fi
in_use() { (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null; }
ports=()
declare -A PID_OF=()
for p in $(seq "$low" "$high"); do
  ((${#ports[@]} < 6)) || break
  if in_use "$p" || in_use $((p + 10000)); then continue; fi
  start_redis_on "$p" "$T/r$p" --cluster-enabled yes --cluster-config-file "$T/r$p/nodes.conf" \
    --cluster-node-timeout 1000
  ports+=("$p"); PID_OF[$p]=$REDIS_PID
done
((${#ports[@]} == 6)) || fail "no 6 free ports (and bus ports) in $low-$high"
hosts=$(printf '127.0.0.1:%s ' "${ports[@]}")
redis-cli --cluster create $hosts --cluster-replicas 1 --cluster-yes >"$T/create.log" 2>&1 ||
  fail "cluster create: $(tail -n 5 "$T/create.log")"
URI="redis-cluster://$(printf '127.0.0.1:%s,' "${ports[@]:0:3}")"; URI=${URI%,}
R="--cluster $URI"

rc() { local port=$1; shift; redis-cli -p "$port" "$@" 2>/dev/null | tr -d '\r'; }
now_ms() { date +%s%3N; }
alive() { [[ -n ${PID_OF[$1]:-} ]] && kill -0 "${PID_OF[$1]}" 2>/dev/null; }
# cluster_ok: every live node says cluster_state:ok and knows one master per slot range, and
# every replica's link to its master is up (else a failover would refuse or lose everything).
cluster_ok() {
  local p
  for p in "${ports[@]}"; do
    alive "$p" || continue
    [[ $(rc "$p" cluster info | grep cluster_state) == cluster_state:ok ]] || return 1
    if [[ $(rc "$p" role | head -n 1) == slave ]]; then
      [[ $(rc "$p" info replication | grep master_link_status) == master_link_status:up ]] || return 1
    fi
  done
}
wait_cluster_ok() { for _ in $(seq 300); do cluster_ok && return 0; sleep 0.05; done; fail "the cluster is not ok after 15 s"; }
# master_of KEY / replica_of PORT: the port of the master that serves KEY's slot, as a live
# node sees it, and the port of a replica of the master on PORT.
master_of() {
  local p slot
  for p in "${ports[@]}"; do alive "$p" && break; done
  slot=$(rc "$p" cluster keyslot "$1")
  rc "$p" cluster nodes | awk -v slot="$slot" '$3 ~ /master/ && $3 !~ /fail/ {
    for (i = 9; i <= NF; i++) { n = split($i, r, "-"); if (n == 1) r[2] = r[1];
      if (slot + 0 >= r[1] + 0 && slot + 0 <= r[2] + 0) { split($2, a, "[:@]"); print a[2]; exit } } }'
}
replica_of() {
  local id
  id=$(rc "$1" cluster myid)
  rc "$1" cluster nodes | awk -v id="$id" '$4 == id && $3 !~ /fail/ { split($2, a, "[:@]"); print a[2]; exit }'
}
# wait_master PORT: until the node on PORT has taken over as a master (15 s); prints the ms it took.
wait_master() {
  local start; start=$(now_ms)
  for _ in $(seq 300); do
    [[ $(rc "$1" role | head -n 1) == master ]] && { echo $(($(now_ms) - start)); return 0; }
    sleep 0.05
  done
  fail "the replica on $1 did not become a master within 15 s"
}
wait_cluster_ok

# check_shards FILE MODE [LOSSY_SHARDS]: FILE holds "SHARD RECORD" lines (consume -f '%p %s\n')
# of the N records {"id":i,...} produced with --key id, in the order they arrived. Each id's
# shard is predicted from its key (Kafka's murmur2, as the producer shards) and must be the one
# it was read from; in each shard, the ids that belong there must come in order, every one at
# least once, a repeat only as a restart from an earlier point that goes on in order from there
# (at-least-once redelivery, as check_ids). MODE lossy allows, on the shards listed
# (comma-separated), one run of consecutive ids of the shard missing (one jump forward, or the
# shard's last ids), and counts them. Prints the counts; fails with the first broken rule.
check_shards() {
  python3 - "$1" "$N" "$SHARDS" "$2" "${3:-}" <<'PY'
import json, sys
path, n, shards, mode = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
lossy = {int(s) for s in sys.argv[5].split(",") if s}
def murmur2(data):
    m, h = 0x5bd1e995, (0x9747b28c ^ len(data)) & 0xffffffff
    for i in range(0, len(data) // 4 * 4, 4):
        k = int.from_bytes(data[i:i + 4], "little")
        k = (k * m) & 0xffffffff; k ^= k >> 24; k = (k * m) & 0xffffffff
        h = (h * m) & 0xffffffff; h ^= k
    tail = data[len(data) // 4 * 4:]
    if len(tail) == 3: h ^= tail[2] << 16
    if len(tail) >= 2: h ^= tail[1] << 8
    if len(tail) >= 1: h ^= tail[0]; h = (h * m) & 0xffffffff
    h ^= h >> 13; h = (h * m) & 0xffffffff; h ^= h >> 15
    return h
shard_of = [(murmur2(str(i).encode()) & 0x7fffffff) % shards for i in range(n)]
expected = [[] for _ in range(shards)]
for i in range(n): expected[shard_of[i]].append(i)
pos = [dict((i, k) for k, i in enumerate(e)) for e in expected]
arrived = [[] for _ in range(shards)]
records = 0
for line_no, line in enumerate(open(path, "rb"), 1):
    try:
        p, rec = line.split(b" ", 1); p = int(p); i = json.loads(rec)["id"]
    except Exception as e:
        sys.exit(f"{path}:{line_no}: not a whole record ({e}): {line[:80]!r}")
    if not 0 <= i < n: sys.exit(f"{path}:{line_no}: id {i} was never sent")
    if p != shard_of[i]: sys.exit(f"{path}:{line_no}: id {i} read from shard {p}, its key hashes to {shard_of[i]}")
    arrived[p].append(pos[p][i]); records += 1
dups = lost = 0; runs = []
for s in range(shards):
    seen = set(); expect = 0; jump = None
    for k in arrived[s]:
        if k in seen: dups += 1
        if k > expect:
            if s not in lossy or jump: sys.exit(f"{path}: shard {s}: id {expected[s][k]} came where id {expected[s][expect]} was due")
            jump = (expect, k)
        seen.add(k); expect = k + 1
    missing = [k for k in range(len(expected[s])) if k not in seen]
    if missing:
        # One run of the shard's ids, and the one jumped over if there was a jump.
        run = missing == list(range(missing[0], missing[-1] + 1))
        if s not in lossy or not run or (jump and not jump[0] <= missing[0] <= missing[-1] < jump[1]):
            sys.exit(f"{path}: shard {s}: {len(missing)} ids lost, first {expected[s][missing[0]]}")
        lost += len(missing); runs.append(f"shard {s}: ids {expected[s][missing[0]]}..{expected[s][missing[-1]]}")
used = sum(1 for e in arrived if e)
print(f"{records} records on {used} shards, {dups} duplicates, {lost} lost" + (f" ({'; '.join(runs)})" if runs else ""))
PY
} 2>&1

create_stream() {
  "$SEA" streamer admin create "$1" --shards $SHARDS $R >/dev/null 2>"$T/aerr" ||
    fail "admin create $1: $(tail -n 3 "$T/aerr")"
}
# produce_with FAULT TOPIC: N paced messages keyed by id into TOPIC (made by create_stream),
# FAULT (a function) injected 1 s in; a producer that has not finished 60 s later is a hang
# (exit 124/137). Sets prc (its exit status) and took (ms from start to exit).
produce_with() {
  local fault=$1 topic=$2 pid start
  start=$(now_ms)
  timeout -k 2 60 "$SEA" streamer produce $R --topic "$topic" --key id < <(gen_paced $N 40 $RATE 2>/dev/null) \
    2>"$T/perr" & pid=$!
  BG_PIDS+=($pid)
  sleep 1
  $fault
  prc=0; wait $pid || prc=$?
  took=$(($(now_ms) - start))
}
# read_back TOPIC FILE: everything stored, as "SHARD RECORD" lines.
read_back() {
  timeout -k 2 60 "$SEA" streamer consume $R --topic "$1" --from earliest -e -f '%p %s\n' >"$2" 2>"$T/cerr" ||
    { bad "read back $1: exit $?: $(tail -n 3 "$T/cerr")"; return 1; }
}
# not_in STORED FOLLOWED: how many ids of STORED ("SHARD RECORD" lines) FOLLOWED lacks.
not_in() {
  python3 - "$1" "$2" <<'PY'
import json, sys
ids = lambda path: {json.loads(line.split(b" ", 1)[1])["id"] for line in open(path, "rb") if line.endswith(b"\n")}
print(len(ids(sys.argv[1]) - ids(sys.argv[2])))
PY
}
# slow_reader RATE: copies stdin to stdout at about RATE lines per second, so that a consumer
# writing into it is still reading when the fault comes (its pipe, grown to 1 MiB, fills).
slow_reader() {
  python3 -c '
import sys, time
rate = int(sys.argv[1]); start = time.monotonic(); n = 0
out = sys.stdout.buffer
for line in sys.stdin.buffer:
    out.write(line); n += 1
    if n % (rate // 100) == 0:
        out.flush()
        ahead = start + n / rate - time.monotonic()
        if ahead > 0: time.sleep(ahead)
out.flush()' "$1"
}

# The fault of both parts of case 1 and of case 2 is on the master of shard 0 (at the time).
victim() { master_of "$1:0"; }
failover() {
  local master replica ms
  master=$(victim "$topic"); replica=$(replica_of "$master")
  [[ -n $master && -n $replica ]] || { bad "no master/replica for $topic:0 ($master/$replica)"; return 0; }
  [[ $(rc "$replica" cluster failover) == OK ]] || { bad "CLUSTER FAILOVER refused by $replica"; return 0; }
  ms=$(wait_master "$replica")
  what="CLUSTER FAILOVER: $replica took over from $master in $ms ms"
}

# 1a. Graceful failover during produce.
topic=graceful
create_stream "$topic"
produce_with failover "$topic"
if [[ $prc != 0 ]]; then
  bad "$what, during produce: exit $prc after $took ms (124/137: hung for 60 s): $(tail -n 3 "$T/perr")"
else
  wait_cluster_ok
  if read_back "$topic" "$T/out"; then
    if r=$(check_shards "$T/out" at-least); then
      proved "$what, during produce of $N messages (at-least-once): exit 0 after $took ms; $r, in order per shard"
    else
      bad "$what, during produce: $r"
    fi
  fi
fi

# 1b. Graceful failover (back again) during consume --group, through a slow reader; then the
# group restarted. A run that ends with an error after the fault is allowed: what it wrote is
# whole records, and the restart must take the group on from there without a gap.
wait_cluster_ok
if [[ $prc == 0 ]]; then
  { timeout -k 2 60 "$SEA" streamer consume $R --topic "$topic" --group g --from earliest -e -f '%p %s\n' 2>"$T/cerr1"
    echo $? >"$T/crc"; } | slow_reader $RATE >"$T/1" & pid=$!
  BG_PIDS+=($pid)
  # The failover once the reader has a tenth of the stream (about 0.25 s of reading).
  for _ in $(seq 200); do (($(wc -l <"$T/1" 2>/dev/null || echo 0) >= N / 10)) && break; sleep 0.05; done
  failover
  at_fault=$(wc -l <"$T/1")
  wait $pid || true
  crc=$(cat "$T/crc")
  wait_cluster_ok
  read1=$(wc -l <"$T/1")
  ((at_fault < N)) || bad "$what came after the group had read everything ($at_fault records): nothing was tested"
  if timeout -k 2 60 "$SEA" streamer consume $R --topic "$topic" --group g -e -f '%p %s\n' >"$T/2" 2>"$T/cerr2"; then
    cat "$T/1" "$T/2" >"$T/all"
    if r=$(check_shards "$T/all" at-least); then
      proved "$what, during consume --group ($at_fault records taken at the failover; exit $crc, $read1 records)," \
        "then a restart ($(wc -l <"$T/2") records): $r over both runs, nothing lost"
    else
      bad "$what, during consume --group (exit $crc: $(tail -n 1 "$T/cerr1")), then a restart: $r"
    fi
  else
    bad "$what: group restart: exit $?: $(tail -n 3 "$T/cerr2")"
  fi
fi

# 2. Hard failover: the master of shard 0 SIGKILLed mid-stream; its replica is promoted once
# the others have marked it failed (node timeout 1 s) and elected it. Meanwhile the cluster
# state is fail, and every master answers -CLUSTERDOWN: a second producer, of a one-shard
# stream on another master ("bystander"), meets that (the first one soon has its whole window
# held for the dead master, and sends nothing then), and must retry without losing or
# reordering anything. The followers wait at the tail of every shard (blocking reads on a
# connection of their own to each shard's master): those of the dead master's shards must be
# opened again at the new master.
kill_master() {
  local master replica ms
  master=$(victim "$topic"); replica=$(replica_of "$master")
  [[ -n $master && -n $replica ]] || { bad "no master/replica for $topic:0 ($master/$replica)"; return 0; }
  killed_shards=$(for s in $(seq 0 $((SHARDS - 1))); do
    if [[ $(master_of "$topic:$s") == "$master" ]]; then echo "$s"; fi
  done | paste -sd,)
  kill -KILL "${PID_OF[$master]}"; wait "${PID_OF[$master]}" 2>/dev/null || true
  ms=$(wait_master "$replica")
  what="SIGKILL of master $master (shards $killed_shards): $replica promoted after $ms ms"
}
wait_cluster_ok
topic=hard
bystander=""
for i in $(seq 100); do
  if [[ $(master_of "bystander$i") != "$(victim "$topic")" ]]; then bystander=bystander$i; break; fi
done
[[ -n $bystander ]] || fail "no key of 100 tried is on another master than $(victim "$topic")"
create_stream "$topic"
"$SEA" streamer consume $R --topic "$topic" --from earliest -f '%p %s\n' >"$T/follow" 2>"$T/ferr" & fpid=$!
"$SEA" streamer consume $R --topic "$topic" --group gf --from earliest -f '%p %s\n' >"$T/followg" 2>"$T/ferrg" & gpid=$!
BG_PIDS+=($fpid $gpid)
sleep 0.3
timeout -k 2 60 "$SEA" streamer produce $R --topic "$bystander" < <(gen_paced $BN 40 $BRATE 2>/dev/null) 2>"$T/berr" & bpid=$!
BG_PIDS+=($bpid)
produce_with kill_master "$topic"
brc=0; wait $bpid || brc=$?
clusterdown=0
for p in "${ports[@]}"; do
  if alive "$p"; then
    n=$(rc "$p" info errorstats | sed -n 's/^errorstat_CLUSTERDOWN:count=//p')
    clusterdown=$((clusterdown + ${n:-0}))
  fi
done
if [[ $prc != 0 ]]; then
  bad "$what, during produce: exit $prc after $took ms (124/137: hung for 60 s): $(tail -n 3 "$T/perr")"
else
  wait_cluster_ok
  if read_back "$topic" "$T/out"; then
    if r=$(check_shards "$T/out" lossy "$killed_shards"); then
      proved "$what, during produce of $N messages (at-least-once): exit 0 after $took ms, no hang; $r;" \
        "in order per shard, nothing lost on the other masters' shards nor after the failover"
    else
      bad "$what, during produce: $r"
    fi
    # The followers: within 15 s they have every message stored (and maybe some that the dead
    # master acknowledged and its replica never had), in order per shard.
    for _ in $(seq 75); do
      [[ $(not_in "$T/out" "$T/follow") == 0 && $(not_in "$T/out" "$T/followg") == 0 ]] && break
      sleep 0.2
    done
    kill -TERM $fpid $gpid; wait $fpid $gpid 2>/dev/null || true
    for f in follow followg; do
      name="consume"; [[ $f == followg ]] && name="consume --group"
      missing=$(not_in "$T/out" "$T/$f")
      if [[ $missing != 0 ]]; then
        bad "$what: the follower ($name) still lacks $missing of the messages stored 15 s after: $(tail -n 2 "$T/${f/follow/ferr}")"
      elif r=$(check_shards "$T/$f" lossy "$killed_shards"); then
        proved "$what: a follower ($name) read on from the new master: $r, in order per shard, every message stored"
      else
        bad "$what: the follower ($name): $r"
      fi
    done
  fi
fi
if [[ $brc != 0 ]]; then
  bad "$what, during produce to $bystander (another master): exit $brc (124/137: hung): $(tail -n 3 "$T/berr")"
else
  timeout -k 2 60 "$SEA" streamer consume $R --topic "$bystander" --from earliest -e >"$T/bout" 2>"$T/cerr" ||
    bad "read back $bystander: exit $?: $(tail -n 3 "$T/cerr")"
  if r=$(check_ids "$T/bout" $BN at-least); then
    proved "$what, during produce of $BN messages to $bystander on master $(master_of "$bystander"), with $clusterdown" \
      "-CLUSTERDOWN replies meanwhile: exit 0; $r, in order, nothing lost"
  else
    bad "$what, during produce to $bystander on master $(master_of "$bystander") ($clusterdown -CLUSTERDOWN replies): $r"
  fi
fi
finish
