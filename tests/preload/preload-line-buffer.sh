#!/bin/bash
# SEA_PRELOAD_LINEBUF=1 makes a C filter's stdout line-buffered (as `stdbuf -oL`): reading a
# pipe that stays open, grep and sed deliver the first line at once; without it they hold it
# until the pipe closes. Python keeps its own buffers (the controller sets PYTHONUNBUFFERED=1).
source "$(dirname "$0")/common.sh"

# start NAME PRELOAD(0|1) CMD...: CMD reads the FIFO $T/NAME.in (held open on a new fd, in
# fds[NAME]) and writes the regular file $T/NAME.out; one line "x1" is written.
declare -A fds pids
start() {
  local name=$1 pre=$2; shift 2
  mkfifo "$T/$name.in"
  (
    # The earlier filters' FIFO write ends stay with the test only, or no filter would see EOF.
    for f in "${fds[@]}"; do eval "exec $f>&-"; done
    if (( pre )); then export LD_PRELOAD=$PRELOAD SEA_PRELOAD_LINEBUF=1; fi
    exec "$@" < "$T/$name.in" > "$T/$name.out"
  ) &
  pids[$name]=$!
  local fd; exec {fd}> "$T/$name.in"; fds[$name]=$fd
  echo x1 >&"$fd"
}
delivered() { grep -qx x1 "$T/$1.out"; }
start grep0 0 grep x
start sed0 0 sed -e s/y/z/
cat_py='import sys
for l in sys.stdin: print(l, end="")'
start py1 1 env -u PYTHONUNBUFFERED "$PY" -c "$cat_py"
start pyunbuf 0 env PYTHONUNBUFFERED=1 "$PY" -c "$cat_py"
start grep1 1 grep x
start sed1 1 sed -e s/y/z/

# 1. With the preload the line arrives while the pipe is still open.
for _ in $(seq 100); do delivered grep1 && delivered sed1 && delivered pyunbuf && break; sleep 0.05; done
delivered grep1 || fail "grep under SEA_PRELOAD_LINEBUF=1 held its first line"
delivered sed1 || fail "sed under SEA_PRELOAD_LINEBUF=1 held its first line"
delivered pyunbuf || fail "python with PYTHONUNBUFFERED=1 held its first line"
# 2. Without it (and for Python without PYTHONUNBUFFERED) nothing arrives in a second, then all of it at the close.
sleep 1
for n in grep0 sed0 py1; do
  delivered $n && fail "$n delivered before the pipe closed: the negative control does not hold"
done
for n in "${!fds[@]}"; do
  eval "exec ${fds[$n]}>&-"
  wait "${pids[$n]}"
  delivered "$n" || fail "$n lost its line"
done
echo "ok: preload-line-buffer"
