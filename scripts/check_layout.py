#!/usr/bin/env python3
"""Checks that the source tree keeps the shape the README describes; run by the test suite (ctest: layout).

1. Layers: a folder includes only the folders before it, in the order a post travels,
   ingest <- rules <- storage <- daemon, and inside each module the rooms below keep to their own layer
   (ROOM_RULES). Tests, benchmarks and fuzz targets may include anything.
2. Room size: no folder holds more than MAX_FILES source files at its root; structure lives in sub-folders.

Prints one line per violation, "file:line: what (why)", and exits 1 if there is any.

Usage: scripts/check_layout.py [ROOT]      (default: the repository holding this script)
"""
import os
import re
import sys

MODULES = ["ingest", "rules", "storage", "daemon"]  # each may include itself and those before it
MAX_FILES = 12
SOURCE_EXT = (".cc", ".h", ".cpp", ".hpp")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')

# Rooms with a stricter rule than their module's: (room, allowed include prefixes). The longest matching
# room applies. A prefix "X/" allows X's root and every room below it; "X/*" allows X's root only.
INGEST_PLATFORMS = ["feed", "mastodon", "bluesky", "ndjson", "replay", "kafka"]
ROOM_RULES = [
    # ingest/base is the vocabulary every layer shares: it includes nothing else of Vigie.
    ("ingest/base", ["ingest/base/"]),
    # text forms shared by parsers (HTML, charsets, dates): the vocabulary only.
    ("ingest/text", ["ingest/base/", "ingest/text/"]),
    # clients every source uses; no platform.
    ("ingest/net", ["ingest/base/", "ingest/text/", "ingest/net/", "ingest/*"]),
    # the Post, the Source interface and what every source shares: no platform, no client.
    ("ingest", ["ingest/base/", "ingest/text/", "ingest/*"]),
    # rules score a Post: they need the Post and the vocabulary, never a source or a client.
    ("rules", ["ingest/base/", "ingest/*", "rules/"]),
    ("storage", ["ingest/base/", "ingest/*", "rules/", "storage/"]),
    # inside daemon/: crisis <- notify <- the rest of the process.
    ("daemon/crisis", ["ingest/", "rules/", "storage/", "daemon/crisis/"]),
    ("daemon/notify", ["ingest/", "rules/", "storage/", "daemon/crisis/", "daemon/notify/"]),
]
# A platform room sees the shared parts of ingest but no other platform.
for p in INGEST_PLATFORMS:
    ROOM_RULES.append(
        ("ingest/" + p, ["ingest/base/", "ingest/text/", "ingest/net/", "ingest/*", "ingest/%s/" % p]))


def allowed(prefix, target):
    if prefix.endswith("/*"):
        base = prefix[:-1]
        return target.startswith(base) and "/" not in target[len(base):]
    return target.startswith(prefix)


def room_rule(folder):
    best = None
    for room, prefixes in ROOM_RULES:
        if folder == room or folder.startswith(room + "/"):
            if best is None or len(room) > len(best[0]):
                best = (room, prefixes)
    return best


def check_include(path, lineno, target, errors):
    src_module = path.split("/")[0]
    dst_module = target.split("/")[0]
    if dst_module not in MODULES:
        return  # generated headers, tests' helpers, system-like paths
    if MODULES.index(dst_module) > MODULES.index(src_module):
        errors.append("%s:%d: includes %s (%s comes after %s in %s)" %
                      (path, lineno, target, dst_module, src_module, " <- ".join(MODULES)))
        return
    folder = os.path.dirname(path)
    rule = room_rule(folder)
    if rule is None:
        return
    room, prefixes = rule
    if not any(allowed(p, target) for p in prefixes):
        errors.append("%s:%d: includes %s (%s/ may include only %s)" %
                      (path, lineno, target, room, ", ".join(p.replace("/*", "/ (root only)") for p in prefixes)))


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                           os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    errors = []
    counts = {}
    for top in MODULES + ["tests"]:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames[:] = sorted(d for d in dirnames if d not in ("corpus", "data", "node_modules"))
            rel_dir = os.path.relpath(dirpath, root)
            for name in sorted(filenames):
                if not name.endswith(SOURCE_EXT):
                    continue
                counts[rel_dir] = counts.get(rel_dir, 0) + 1
                if top == "tests":
                    continue
                rel = os.path.join(rel_dir, name)
                with open(os.path.join(root, rel), encoding="utf-8") as f:
                    for lineno, line in enumerate(f, 1):
                        m = INCLUDE.match(line)
                        if m:
                            check_include(rel, lineno, m.group(1), errors)
    for folder, n in sorted(counts.items()):
        if n > MAX_FILES:
            errors.append("%s/: %d source files at its root (at most %d: move some into a room of their own)" %
                          (folder, n, MAX_FILES))
    for e in errors:
        print(e)
    if errors:
        print("layout: %d violation(s)" % len(errors))
        return 1
    print("layout: ok (%d folders, %d files)" % (len(counts), sum(counts.values())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
