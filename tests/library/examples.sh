#!/bin/bash
# The library as a user gets it: `meson install --destdir` into a temp prefix, every installed
# header compiled on its own from there (one that includes a private header fails), the four
# examples/ built with nothing but `pkg-config seastreamer` and run against the file backend,
# Redis and the Kafka mock. Needs BUILD (the meson build dir), EXAMPLES (examples/),
# SEA_TEST_REDIS and SEA_TEST_KAFKA (scripts/test starts the servers).
source "$(dirname "$0")/../cli/common.sh"
: "${BUILD:?BUILD must name the meson build dir}" "${EXAMPLES:?EXAMPLES must name examples/}"
: "${SEA_TEST_REDIS:?SEA_TEST_REDIS must name the test redis-server (scripts/test sets it)}"
: "${SEA_TEST_KAFKA:?SEA_TEST_KAFKA must name the mock Kafka cluster (scripts/test sets it)}"
# 1. Install; find the .pc; point pkg-config at the temp prefix only.
meson install -C "$BUILD" --no-rebuild --destdir "$T/inst" >"$T/install.log" 2>&1 || fail "meson install: $(tail -n 3 "$T/install.log")"
pc=$(find "$T/inst" -name seastreamer.pc | head -n 1)
[[ -n $pc ]] || fail "no seastreamer.pc installed"
export PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR=$T/inst
flags=$(pkg-config --cflags --libs seastreamer) || fail "pkg-config seastreamer failed"
# (The ASan build's library needs the sanitizer runtime in what links it; nothing else is added.)
[[ ${SANITIZE:-none} != none ]] && flags+=" -fsanitize=$SANITIZE"
read -r first_inc _ < <(pkg-config --cflags-only-I seastreamer)
[[ $first_inc == "-I$T/inst/usr/local/include" ]] || fail "Cflags do not point at the include root: $(pkg-config --cflags-only-I seastreamer)"
inc=$T/inst/usr/local/include
[[ -f $inc/seastreamer/seastreamer.hpp ]] || fail "no <seastreamer/seastreamer.hpp> installed"
libdir=$(dirname "$(find "$T/inst" -name 'libseastreamer.so.0' | head -n 1)")
[[ $(readelf -d "$libdir/libseastreamer.so.0" | grep -o 'soname: \[[^]]*\]') == "soname: [libseastreamer.so.0]" ]] || fail "soname"
# 2. Each installed header compiles alone against the installed tree (and only it: no -I of the sources).
find "$inc/seastreamer" -name '*.hpp' | sed "s|^$inc/||" | sort > "$T/headers"
(( $(wc -l < "$T/headers") >= 16 )) || fail "only $(wc -l < "$T/headers") headers installed"
# (In parallel: each is a compiler run of about a second, fmt's headers being most of it.)
cflags=$(pkg-config --cflags seastreamer)
export cflags T
xargs -P "$(nproc)" -I{} bash -c 'echo "#include <{}>" | g++ -std=c++20 -fsyntax-only -Wall -Wextra -Werror -x c++ - $cflags \
  2>"$T/hdr-$(echo {} | tr / _).log" || { echo "<{}>"; exit 255; }' < "$T/headers" > "$T/bad-headers" ||
  fail "$(head -n 1 "$T/bad-headers") does not compile on its own from the installed tree: $(cat "$T"/hdr-*.log | grep -m1 error)"
! grep -rn '#include "' "$inc/seastreamer" || fail "an installed header includes by a quoted path"
# And all together, the façade first: the loop-driven headers name sea::core:: types, which an
# unqualified name would confuse with the façade's sea::Producer and sea::Consumer.
{ echo "#include <seastreamer/seastreamer.hpp>"; sed 's/.*/#include <&>/' "$T/headers"; } |
  g++ -std=c++20 -fsyntax-only -Wall -Wextra -Werror -x c++ - $cflags 2>"$T/all.log" ||
  fail "the installed headers do not compile together: $(grep -m1 error "$T/all.log")"
# 3. Build the examples as a user does.
pids=()
for ex in produce consume_group processor admin; do
  g++ -std=c++20 -o "$T/$ex" "$EXAMPLES/$ex.cpp" $flags 2>"$T/cc-$ex.log" & pids+=($!)
done
for i in 0 1 2 3; do wait "${pids[$i]}" || fail "an example does not build: $(cat "$T"/cc-*.log | grep -m1 error)"; done
export LD_LIBRARY_PATH=$libdir
# 4. Run them on each backend.
run_on() {
  local uri=$1 s="ex$$_$2" x=("${@:3}")
  [[ $("$T/produce" "$uri" "$s" 200) == "produced 201, the last at shard "* ]] || fail "$2: produce"
  "$T/consume_group" "$uri" "$s" g1 "${x[@]}" > "$T/c1" 2>"$T/c1.err" || fail "$2: consume_group: $(cat "$T/c1.err")"
  [[ $(wc -l < "$T/c1") == 201 ]] || fail "$2: consume_group read $(wc -l < "$T/c1") of 201"
  # Every payload once (shards interleave where a backend made several: Kafka's auto-created topics).
  { for i in $(seq 0 199); do echo "{\"id\":$i,\"qty\":$((i % 5 + 1))}"; done; echo '{"id":"last"}'; } | sort > "$T/want"
  sort "$T/c1" | cmp -s - "$T/want" || fail "$2: consume_group's payloads differ from what produce sent"
  # The group resumes: a second run reads only what came since.
  "$T/produce" "$uri" "$s" 3 >/dev/null
  "$T/consume_group" "$uri" "$s" g1 "${x[@]}" > "$T/c2" 2>/dev/null
  [[ $(wc -l < "$T/c2") == 4 ]] || fail "$2: the group's second run read $(wc -l < "$T/c2"), want 4"
  # The processor: 500 orders and one message that is not an order (skipped, named on stderr).
  "$T/produce" "$uri" "${s}in" 500 >/dev/null
  [[ $("$T/processor" "$uri" "${s}in" "${s}out" p1 "${x[@]}" 2>"$T/p.err") == "processed 501" ]] || fail "$2: processor: $(cat "$T/p.err")"
  grep -q "skipped ${s}in shard [0-9]* seq [0-9]*: not an order" "$T/p.err" || fail "$2: the processor's skip: $(cat "$T/p.err")"
  [[ $("$T/processor" "$uri" "${s}in" "${s}out" p1 "${x[@]}" 2>/dev/null) == "processed 0" ]] || fail "$2: the processor's group did not commit"
  # Read back by sea itself, an independent reader.
  "$SEA" streamer consume --cluster "$uri" --topic "${s}out" --from earliest -e > "$T/o"
  [[ $(wc -l < "$T/o") == 500 ]] || fail "$2: processor wrote $(wc -l < "$T/o") of 500"
  grep -qx '{"id":7,"double":6}' "$T/o" || fail "$2: no output for order 7 in $(head -n 3 "$T/o")"
  # Not on Kafka: librdkafka's mock answers no CreateTopics (the admin call times out after 5 s
  # and says so; tests/cli/admin-every-backend.sh checks that message).
  if [[ $2 != kafka ]]; then
    "$T/admin" "$uri" "${s}adm" > "$T/a" 2>"$T/a.err" || fail "$2: admin: $(cat "$T/a.err")"
    grep -qx "listed ${s}adm" "$T/a" && grep -qx "shards 2 messages 1" "$T/a" && grep -qx "removed ${s}adm" "$T/a" ||
      fail "$2: admin printed $(tr '\n' '|' < "$T/a")"
  fi
  echo "ok: examples on $2"
}
run_on "file://$T/streams" file
run_on "$SEA_TEST_REDIS" redis
# The mock keeps a member that left until its session times out (45 s by default); the CLI tests
# shorten it the same way.
run_on "$SEA_TEST_KAFKA" kafka session.timeout.ms=6000
