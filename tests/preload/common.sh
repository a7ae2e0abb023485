# Sourced by every preload test: a temp dir ($T) removed on exit, `fail`, an ERR trap naming the
# failing line, and `det` to run a command under the preload with a clock file.
set -eEuo pipefail
: "${PRELOAD:?PRELOAD must name libsea_preload.so}"
: "${CLOCK_SET:?CLOCK_SET must name the clock_set helper}"
: "${PROBE:?PROBE must name the preload_probe helper}"
: "${PUBLISH_CXX:?PUBLISH_CXX must name the preload_publish_cxx helper}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
trap 'echo "FAIL: $(basename "$0"):$LINENO: $BASH_COMMAND" >&2' ERR

fail() { echo "FAIL: $(basename "$0"): $*" >&2; exit 1; }

# det CLOCKFILE CMD...: CMD with the preload and its clock page.
det() { local c=$1; shift; env LD_PRELOAD="$PRELOAD" SEA_PRELOAD_CLOCK="$c" "$@"; }

# The Python the tests name (Debian's CPython 3.11, which calls getrandom() through libc).
PY=/usr/bin/python3
