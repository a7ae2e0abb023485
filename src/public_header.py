#!/usr/bin/env python3
"""Writes a public header as `meson install` puts it under include/seastreamer/.

In the tree, headers include each other relative to src/ ("core/types.hpp"); installed, they
are reached as <seastreamer/core/types.hpp> (api/ headers at the top: <seastreamer/cluster.hpp>),
so that a user's -I points at the include root and no name collides with another library's
core/. A quoted include of a header that is not installed is an error here: an installed
header must compile from the installed tree alone.

usage: public_header.py INPUT OUTPUT PUBLIC_HEADER...   (PUBLIC_HEADER relative to src/)
"""
import re
import sys


def installed_name(path):
    return path[len("api/"):] if path.startswith("api/") else path


def main():
    src, out, public = sys.argv[1], sys.argv[2], set(sys.argv[3:])
    lines = []
    for number, line in enumerate(open(src, encoding="utf-8"), 1):
        m = re.match(r'(\s*#\s*include\s*)"([^"]+)"(.*)$', line)
        if m:
            if m.group(2) not in public:
                sys.exit(f"{src}:{number}: a public header includes \"{m.group(2)}\", which is not installed")
            line = f"{m.group(1)}<seastreamer/{installed_name(m.group(2))}>{m.group(3)}\n"
        lines.append(line)
    with open(out, "w", encoding="utf-8") as f:
        f.writelines(lines)


if __name__ == "__main__":
    main()
