#!/usr/bin/env python3
"""Every metric Vigie exports is documented: scrapes a running Vigie (the demo, fed in full, with a notifier, so
that every family has samples) and compares its metric families with the README's metrics table.

Fails naming each family missing from the table, each row naming a metric the scrape does not have, and each
row whose type differs from the scrape's. The table is the one under "## Metrics": one metric per row, its
name in backquotes in the first cell, its type (counter, gauge, histogram) in the second.

Usage: tests/prometheus/metrics_documented_test.py     (VIGIE_BINARY overrides build/vigie)
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vigie_fixture import ROOT, Vigie, fail  # noqa: E402


def readme_table():
    """{metric: type} of the README's metrics table."""
    path = os.path.join(ROOT, "README.md")
    rows, in_section = {}, False
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.startswith("## "):
                in_section = line.strip() == "## Metrics"
                continue
            if not in_section or not line.startswith("|"):
                continue
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            names = re.findall(r"`([a-z_:][a-z0-9_:]*)`", cells[0])
            if len(cells) < 4 or not names:
                continue  # the header and its rule
            if len(names) != 1:
                fail("README.md:%d: one metric per row, this one names %s" % (n, ", ".join(names)))
            if names[0] in rows:
                fail("README.md:%d: %s has two rows" % (n, names[0]))
            rows[names[0]] = cells[1].split()[0] if cells[1] else ""
    if not rows:
        fail("README.md has no metrics table under '## Metrics'")
    return rows


def main():
    documented = readme_table()
    with Vigie() as v:
        v.wait_fed()
        v.touch_api()
        text = v.metrics()
    exported = dict(re.findall(r"^# TYPE (\S+) (\S+)$", text, re.M))
    problems = []
    for name in sorted(set(exported) - set(documented)):
        problems.append("%s (%s) is exported but has no row in README.md's metrics table" % (name, exported[name]))
    for name in sorted(set(documented) - set(exported)):
        problems.append("README.md's metrics table names %s, which /metrics does not export" % name)
    for name in sorted(set(documented) & set(exported)):
        if documented[name] != exported[name]:
            problems.append("%s is a %s, README.md says %s" % (name, exported[name], documented[name] or "nothing"))
    if problems:
        fail("\n  ".join(["metrics and README.md disagree:"] + problems))
    print("ok: %d metric families, all documented" % len(exported))


if __name__ == "__main__":
    main()
