#!/bin/bash
# `produce --format F | consume --format F` is the identity, for every format that is both an
# input and an output: ndjson, lines, csv (RFC 4180, CRLF with --crlf, or LF), tsv (IANA, and
# PostgreSQL's text format with --tsv-escapes), msgpack and binary. The inputs come from
# independent writers (Python's csv, json, struct and msgpack modules) and hold the nasty cases:
# quotes, delimiters and line breaks inside csv fields, empty fields, unicode, nested msgpack
# maps, bin, ext, floats, nil, the largest integers and the integers 48-57, whose one msgpack byte
# is an ASCII digit. Then ndjson -> msgpack gives the equivalent objects, digits included.
# /usr/bin/python3: a python3 first on PATH (pyenv) may lack Debian's python3-msgpack.
source "$(dirname "$0")/common.sh"
PY=/usr/bin/python3
$PY -c 'import msgpack' || fail "$PY has no msgpack module (scripts/setup installs python3-msgpack)"

$PY - "$T" <<'PY'
import csv, json, msgpack, struct, sys
d = sys.argv[1]
def out(name, data):
    with open(f"{d}/in.{name}", "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())

values = [{"a": 1, "nested": {"b": [1, 2.5, None, True, {"c": "d"}]}}, [], {}, "caf\u00e9 \U0001F600",
          "quote \" backslash \\ newline \n tab \t", 18446744073709551615, -9223372036854775808,
          0.1, -1.5e300, 7, 0, "7", None, False, {"": ""}, {"k": "\u65e5\u672c\u8a9e"}]
out("ndjson", "".join(json.dumps(v, ensure_ascii=False) + "\n" for v in values) + '{"as": "written",  "x" : 1 }\n')

out("lines", "plain\n  leading and trailing spaces  \n\ttab\tseparated\t\n{not json\n\u00e9\u00e8 \U0001F600\n"
             "\"quoted\"\na\n7\n\\backslash\\\n")

rows = [["id", "text", "caf\u00e9", "empty"],
        ["1", "Smith, John", "\u65e5\u672c", ""],
        ["2", "two\nlines", "", ""],
        ["3", 'say "hi"', "crlf\r\ninside", " "],
        ["", "", "", ""],
        ["5", "trailing,", '"', "\\"]]
for name, end in (("csv", "\r\n"), ("csv-lf", "\n")):
    with open(f"{d}/in.{name}", "w", newline="") as f:
        csv.writer(f, lineterminator=end).writerows(rows)
# One column with an empty field: csv writes "" so that the row is not an empty line.
with open(f"{d}/in.csv-one", "w", newline="") as f:
    csv.writer(f).writerows([["only"], [""], ["x"], [""]])

# IANA TSV: no quoting, so no tab or line break in a field (a '"' is ordinary).
with open(f"{d}/in.tsv", "w", newline="") as f:
    csv.writer(f, delimiter="\t", quoting=csv.QUOTE_NONE, quotechar=None, lineterminator="\n").writerows(
        [["id", "text", "\u00e9"], ["1", 'say "hi", ok', ""], ["2", "", "\u65e5"], ["3", "'single'", "x y"]])
# PostgreSQL's COPY text format: backslash escapes and \N for NULL.
def pg(field):
    if field is None:
        return "\\N"
    return field.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
out("tsv-pg", "".join("\t".join(pg(f) for f in r) + "\n" for r in
                      [["id", "text", "n"], ["1", "tab\there", None], ["2", "line\nbreak\r\n", "\\N"],
                       ["3", "back\\slash", ""]]))

objects = [{"a": 1, "b": {"c": [1, 2, {"d": None}]}}, b"\x00\xc1\xff bin", "unicode \u00e9 \U0001F600",
           1.5, -0.1, 2 ** 64 - 1, -2 ** 63, None, True, False, [], {}, "", {1: "int key", "x": b""},
           msgpack.ExtType(5, b"ext"), 127, -32, 128, -33, 65535] + list(range(45, 60))
mp = b"".join(msgpack.packb(o, use_bin_type=True) for o in objects)
mp += msgpack.packb(1 / 3, use_single_float=True)
out("msgpack", mp)

frames = [b"", b"\x00", b"text", b"\xc1\xff\x00 binary", bytes(range(256)), b"x" * 70000]
out("binary", b"".join(struct.pack(">I", len(p)) + p for p in frames))
PY

# roundtrip NAME FORMAT [produce options] -- [consume options]: the input comes back byte for byte.
roundtrip() {
  local name=$1 format=$2; shift 2
  local produce=() consume=()
  while [[ $# -gt 0 && $1 != -- ]]; do produce+=("$1"); shift; done
  [[ $# -gt 0 ]] && shift
  consume=("$@")
  "$SEA" streamer produce $C --topic "rt-$name" --format "$format" "${produce[@]}" < "$T/in.$name"
  "$SEA" streamer consume $C --topic "rt-$name" --from earliest -e --format "$format" "${consume[@]}" > "$T/out.$name"
  cmp "$T/in.$name" "$T/out.$name" || fail "$name: produce --format $format | consume --format $format changed the bytes"
}
roundtrip ndjson ndjson
roundtrip lines lines
roundtrip csv csv -- --crlf
roundtrip csv-lf csv
roundtrip csv-one csv -- --crlf
roundtrip tsv tsv
roundtrip tsv-pg tsv --tsv-escapes
roundtrip msgpack msgpack
roundtrip binary binary

# ndjson in, msgpack out: the equivalent objects (the one-byte digit lines are the integers 0-9).
printf '7\n0\n9\n"7"\n55\n{"n":[1,2.5,null]}\n' > "$T/digits.ndjson"
"$SEA" streamer produce $C --topic rt-digits < "$T/digits.ndjson"
"$SEA" streamer consume $C --topic rt-digits --from earliest -e --format msgpack > "$T/digits.mp"
"$SEA" streamer consume $C --topic rt-ndjson --from earliest -e --format msgpack > "$T/ndjson.mp"
$PY - "$T" <<'PY'
import json, msgpack, sys
d = sys.argv[1]
for name in ("digits", "ndjson"):
    expected = [json.loads(l) for l in open(f"{d}/{name}.ndjson" if name == "digits" else f"{d}/in.ndjson", encoding="utf-8")]
    got = list(msgpack.Unpacker(open(f"{d}/{name}.mp", "rb"), raw=False, strict_map_key=False))
    assert got == expected, (name, got, expected)
PY
# msgpack in, raw out: the integers 48-57 are stored as their JSON text ("/" and ":" are 47, 58).
printf '\x2f\x30\x37\x39\x3a' | "$SEA" streamer produce $C --topic rt-48 --format msgpack
[[ $("$SEA" streamer consume $C --topic rt-48 --from earliest -e | tr '\n' ' ') == '/ 48 55 57 : ' ]] ||
  fail "msgpack integers 48-57 are not stored as their JSON text"
# --crlf is for csv and tsv only.
not "$SEA" streamer consume $C --topic rt-csv --from earliest -e --crlf 2> "$T/crlf.err"
grep -q -- "--crlf applies to --format csv and tsv only" "$T/crlf.err" || fail "--crlf without csv: $(cat "$T/crlf.err")"
