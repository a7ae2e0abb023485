#!/bin/bash
# Hostile input through the real binary, as a table: each row gives one bad input to one
# command and checks the exit status, that stderr names the position and the reason, that
# stderr carries no raw control characters (no terminal escapes, no forged log lines), that
# peak memory stays bounded (/usr/bin/time -f %M), and that the good messages around the bad
# one are delivered. bad-input-policies.sh already covers, through `produce` and each
# --on-error policy: invalid JSON, invalid UTF-8, two values on a line, CSV unbalanced quote and
# extra fields, truncated msgpack, a 4 GB binary prefix and a 50 MB line; this file adds NUL
# bytes, 100 MB lines (through `flux`'s FIFO and as `lines`), a 4 GB prefix and a truncated
# msgpack object through `flux` with writers that come and go, a quote that never closes over
# 20 MB, hostile stream keys and URIs (injection attempts, credentials, paths with `..`).
source "$(dirname "$0")/common.sh"
# Peak RSS bound: 54 MiB above a one-message produce of the same binary (~64 MiB in a release build).
MAX_RSS_KIB=$(( $(rss_baseline) + 55296 ))
# Every row runs even after one fails, so that one report lists every finding.
FAILURES=0
bad() { echo "FAIL: $(basename "$0"): $*" >&2; FAILURES=$((FAILURES + 1)); }

# expect NAME RC PATTERN CMD... (stdin from $IN): runs CMD under /usr/bin/time and checks its
# exit status (within ROW_TIMEOUT seconds), that stderr matches PATTERN (grep -E; "" for any),
# is free of raw control characters, and that RSS stayed under MAX_RSS_KIB.
IN=/dev/null
expect() {
  local name=$1 want_rc=$2 pattern=$3 rc=0
  shift 3
  # A row that hangs is a failure too (exit 124 after ROW_TIMEOUT seconds, then a KILL).
  timeout -k 2 "${ROW_TIMEOUT:-60}" /usr/bin/time -f %M -o "$T/rss" "$@" <"$IN" >"$T/out" 2>"$T/err" || rc=$?
  local rss failures=$FAILURES
  rss=$(tail -n1 "$T/rss" 2>/dev/null || echo 0)
  [[ $rc == "$want_rc" ]] || bad "$name: exit $rc, want $want_rc: $(head -c 500 "$T/err")"
  [[ -z $pattern ]] || grep -qE "$pattern" "$T/err" || bad "$name: stderr does not match '$pattern': $(head -c 500 "$T/err")"
  check_clean_stderr "$name"
  ((rss < MAX_RSS_KIB)) || bad "$name: peak RSS $rss KiB"
  ((FAILURES > failures)) || echo "ok: $name (exit $rc, RSS $rss KiB)"
}

# Diagnostics are text for a terminal or a log: a byte < 0x20 other than newline and tab (CR,
# ESC...) taken from the input would let it rewrite the screen or forge log lines.
check_clean_stderr() {
  if LC_ALL=C grep -qP '[\x00-\x08\x0b-\x1f\x7f]' "$T/err"; then
    bad "$1: raw control characters in stderr: $(od -c "$T/err" | head -n 8)"
  fi
  return 0
}

count() { "$SEA" streamer consume $C --topic "$1" --from earliest -e -f '%S\n' | wc -l; }

# 1. NUL bytes: invalid inside JSON text, data like any other in `lines`.
printf '{"a":1}\n{"a":\0}\n{"b":"x\\u0000y"}\n\0\n{"a":5}\n' >"$T/nul"
IN=$T/nul expect "ndjson with NUL bytes" 0 'line 2 \(byte 8\)' "$SEA" streamer produce $C --topic nul --on-error skip
grep -q 'line 4 (byte 33)' "$T/err" || bad "ndjson NUL: the NUL line is not reported: $(cat "$T/err")"
[[ $(count nul) == 3 ]] || bad "ndjson NUL: $(count nul) messages, want 3"
IN=$T/nul expect "ndjson with NUL bytes, fail policy" 1 'line 2' "$SEA" streamer produce $C --topic nulf
[[ $(count nulf) == 1 ]] || bad "ndjson NUL fail: the good message before the bad one is lost"
printf 'a\0b\n\xff\xfe\n\0\n' >"$T/lines"
IN=$T/lines expect "lines with NUL and invalid UTF-8" 0 '' "$SEA" streamer produce $C --topic lines --format lines
"$SEA" streamer consume $C --topic lines --from earliest -e | cmp - "$T/lines" || bad "lines: bytes changed"

# Empty input from /dev/null (what cron gives a job): nothing to produce, not an error.
IN=/dev/null expect "stdin is /dev/null" 0 '' "$SEA" streamer produce $C --topic devnull

# 2. A 100 MB line as `lines` (no validation, only the size limit): reported, bounded, skipped.
{ echo first; head -c 100000000 /dev/zero | tr '\0' 'x'; echo; echo last; } >"$T/huge"
IN=$T/huge expect "100 MB line, lines format" 0 'line 2.*(exceeds|max)' "$SEA" streamer produce $C --topic huge --format lines --on-error skip
[[ $(count huge) == 2 ]] || bad "100 MB line: $(count huge) messages, want 2"

# 3. A quote that never closes, over 20 MB of lines: one error at its line, memory bounded.
{ printf 'id,name\n1,ok\n2,"'; head -c 20000000 /dev/zero | tr '\0' 'q' | fold -w 100; } >"$T/quote"
IN=$T/quote expect "csv quote open for 20 MB" 0 'line 3' "$SEA" streamer produce $C --topic quote --format csv --on-error skip
[[ $(count quote) == 1 ]] || bad "csv open quote: $(count quote) messages, want 1"

# 4. Through flux, whose writers come and go: a 100 MB ndjson line, a 4 GB binary length prefix
# and a truncated msgpack object each cost one error naming its position; flux stays up,
# delivers the good frames of the same writer and of the next one, and its memory stays bounded.
flux_case() {  # flux_case NAME FORMAT TOPIC PATTERN GOOD WRITER1-FILE WRITER2-FILE
  local name=$1 fmt=$2 topic=$3 pattern=$4 good=$5 w1=$6 w2=$7 pid hwm
  "$SEA" streamer flux "$T/fifo" $C --topic "$topic" --format "$fmt" 2>"$T/err" & pid=$!; BG_PIDS+=($pid)
  wait_fifo "$T/fifo"
  # Bounded: if flux died, opening its FIFO for writing would block forever.
  timeout 60 bash -c 'cat "$1" >"$2"' _ "$w1" "$T/fifo" || bad "$name: writing the first writer's input failed ($?)"
  # A FIFO has no boundaries between writers: only once flux has read the first writer's end
  # (and so reported its bad frame) may the second open, or their bytes would run together.
  for _ in $(seq 200); do grep -qE "$pattern" "$T/err" && break; sleep 0.05; done
  timeout 60 bash -c 'cat "$1" >"$2"' _ "$w2" "$T/fifo" || bad "$name: writing the second writer's input failed ($?)"
  for _ in $(seq 100); do [[ $(count "$topic") == "$good" ]] && break; sleep 0.1; done
  hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  kill -TERM "$pid"; wait "$pid" || bad "$name: flux exited $?"
  grep -qE "$pattern" "$T/err" || bad "$name: stderr does not match '$pattern': $(head -c 500 "$T/err")"
  check_clean_stderr "$name"
  [[ $(count "$topic") == "$good" ]] || bad "$name: $(count "$topic") messages, want $good"
  ((hwm < MAX_RSS_KIB)) || bad "$name: flux peak RSS $hwm KiB"
  echo "ok: $name through flux ($good good messages, peak RSS $hwm KiB)"
}
{ echo '{"a":1}'; printf '{"big":"'; head -c 100000000 /dev/zero | tr '\0' 'x'; echo '"}'; echo '{"a":3}'; } >"$T/w1"
echo '{"a":4}' >"$T/w2"
flux_case "100 MB ndjson line" ndjson bigline 'line 2' 3 "$T/w1" "$T/w2"
python3 -c '
import sys, struct
w = sys.stdout.buffer
w.write(struct.pack(">I", 3) + b"abc" + struct.pack(">I", 0xFFFFFFFF) + b"x" * 100000)' >"$T/b1"
python3 -c 'import sys, struct; sys.stdout.buffer.write(struct.pack(">I", 3) + b"def")' >"$T/b2"
flux_case "4 GB binary prefix" binary prefix 'byte 7' 2 "$T/b1" "$T/b2"
python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex("81a16101" "93c0c3"))' >"$T/m1"
python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex("81a16102"))' >"$T/m2"
flux_case "truncated msgpack" msgpack mp 'byte 4' 2 "$T/m1" "$T/m2"

# 5. Hostile stream keys, on every command that takes one: a usage error (exit 2) naming the
# position or the limit, and nothing created, neither a stream directory nor a FIFO.
IN=/dev/null
key_case() {  # key_case NAME KEY PATTERN
  local cmd before
  before=$(ls -a "$T" "$T/streams")
  for cmd in produce consume flux tap; do
    local args=()
    [[ $cmd == flux || $cmd == tap ]] && args=("$T/kfifo")
    expect "stream key $1 ($cmd)" 2 "$3" "$SEA" streamer "$cmd" "${args[@]}" $C --topic "$2"
    [[ ! -e $T/kfifo ]] || bad "stream key $1: $cmd left a FIFO"
  done
  [[ $(ls -a "$T" "$T/streams") == "$before" ]] || bad "stream key $1: something was created"
}
key_case "with /" "a/b" "position 2"
key_case "../x" "../x" "position 3"
key_case ".." ".." "not allowed"
key_case "10 KB long" "$(head -c 10240 /dev/zero | tr '\0' k)" "10240 bytes"
key_case "with ESC" $'red\e[31mx' "position 4"
key_case "with CR LF" $'a\r\nb' "position 2"
expect "stream address ending in /.." 2 "not allowed" "$SEA" streamer produce --stream "file://$T/streams/.."

# 6. URIs with injection attempts: refused before anything is sent anywhere.
redis_port=${SEA_TEST_REDIS:?the test command starts a Redis server and sets SEA_TEST_REDIS}
redis_port=${redis_port##*:}
sentinel="sea-hostile-$$"
redis-cli -p "$redis_port" set "$sentinel" alive >/dev/null
expect "redis URI with CR LF FLUSHALL" 2 "bad URI" "$SEA" streamer produce --cluster $'redis://127.0.0.1:'"$redis_port"$'/0\r\nFLUSHALL' --topic x
expect "stream address with CR LF FLUSHALL" 2 "bad (URI|stream address)" "$SEA" streamer consume --stream $'redis://127.0.0.1:'"$redis_port"$'/0\r\nFLUSHALL/news'
# Percent-decoded CR LF in a password reaches the server only as one AUTH argument, which fails.
echo '{"a":1}' >"$T/one"
# A refused handshake is a clear error, not an endless silent retry.
IN=$T/one ROW_TIMEOUT=15 expect "redis password with CR LF FLUSHALL" 1 "refused|WRONGPASS|AUTH" "$SEA" streamer produce --cluster "redis://u:%0d%0aFLUSHALL%0d%0a@127.0.0.1:$redis_port" --topic x
not grep -q FLUSHALL "$T/err" || bad "the password was echoed: $(cat "$T/err")"
IN=/dev/null
[[ $(redis-cli -p "$redis_port" get "$sentinel") == alive ]] || bad "the Redis server lost its data"
redis-cli -p "$redis_port" del "$sentinel" >/dev/null
expect "kafka URI with a space" 2 "bad character in host" "$SEA" streamer produce --cluster "kafka://host name:9092" --topic x
expect "kafka URI with a space after a comma" 2 "bad character in host" "$SEA" streamer produce --cluster "kafka://a:9092, b:9092" --topic x
expect "URI with an ESC sequence" 2 "bad URI" "$SEA" streamer produce --cluster $'redis://h\e]0;pwned\a:1' --topic x
# A password must never be echoed, not even in the error about the rest of the URI.
expect "bad port after a password" 2 "bad port" "$SEA" streamer produce --cluster "redis://user:hunter2@localhost:99999" --topic x
not grep -q hunter2 "$T/err" || bad "the password was echoed: $(cat "$T/err")"
expect "bad host after a password" 2 "bad" "$SEA" streamer consume --stream "redis://s3cr3t-pw@bad host:1/news"
not grep -q s3cr3t-pw "$T/err" || bad "the password was echoed: $(cat "$T/err")"
# `..` in a file:// directory is the user's own path; the stream stays inside that directory.
IN=$T/one expect "file:// directory with .." 0 '' "$SEA" streamer produce --cluster "file://$T/x/../dotdot" --topic s
[[ -f $T/dotdot/s/meta ]] || bad "file:// with ..: stream not at $T/dotdot/s"
((FAILURES == 0)) || fail "$FAILURES check(s) failed"
echo "hostile input: every row refused or reported with its position, memory bounded, good messages kept"
