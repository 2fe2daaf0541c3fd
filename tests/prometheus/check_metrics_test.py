#!/usr/bin/env python3
"""promtool check metrics on a real scrape: a running Vigie fed the whole demo (brand, topic, incident and
delivery series included), its /metrics piped to promtool, which must exit 0 and report nothing.

Usage: tests/prometheus/check_metrics_test.py     (VIGIE_BINARY overrides build/vigie)
"""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vigie_fixture import Vigie, fail  # noqa: E402


def main():
    if not shutil.which("promtool"):
        fail("promtool missing: run deploy/install-deps.sh (Debian package prometheus)")
    with Vigie() as v:
        v.wait_fed()
        v.touch_api()
        text = v.metrics()
    r = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True)
    report = (r.stdout + r.stderr).strip()
    if r.returncode != 0 or report:
        fail("promtool check metrics (exit %d):\n%s" % (r.returncode, report))
    print("ok: promtool check metrics passes on %d lines" % len(text.splitlines()))


if __name__ == "__main__":
    main()
