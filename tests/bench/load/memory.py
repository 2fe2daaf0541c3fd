#!/usr/bin/env python3
"""Resident memory of the daemon with millions of stored posts and thousands of rules, after a restart and under
load: fills a data directory through the real daemon (vigie-load pushing its corpus), restarts the daemon, then
samples VmRSS and VmHWM (/proc/PID/status) while it sits idle and while vigie-load pushes at a fixed rate.

    python3 tests/bench/load/memory.py [--posts 10000000] [--rules 10000] [--dir /tmp/vigie-memory]
                                       [--rate 15000] [--seconds 60] [--vigie build/vigie] [--runs 1]

The filled data directory is kept in DIR (DIR/filled says how many posts it holds): a second run with the same
DIR and --posts skips the filling and measures again. Delete DIR when done. --vigie names the build measured
(an older one, to compare: the same DIR serves both, the schema permitting).
"""
import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
TOKEN = "vigie-memory-token-0123456789"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as r:
        return r.status, r.read().decode()


def metric(port, name):
    _, text = get(port, "/metrics")
    m = re.search(r"^" + re.escape(name) + r"(?:\{[^}]*\})? ([0-9.e+]+)$", text, re.M)
    return float(m.group(1)) if m else 0.0


def status_kib(pid):
    """VmRSS and VmHWM of `pid`, in KiB."""
    with open(f"/proc/{pid}/status") as f:
        fields = dict(line.split(":", 1) for line in f if ":" in line)
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


class Daemon:
    def __init__(self, vigie, config, log):
        self.log = open(log, "a")
        self.proc = subprocess.Popen([vigie, "run", "--config", config], stdout=self.log, stderr=self.log)

    def wait_ready(self, port, timeout=600):
        # Opening 10M posts replays no WAL after a clean stop, but a killed run may have some: be patient.
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                sys.exit(f"memory.py: vigie exited with {self.proc.returncode}; see {self.log.name}")
            try:
                if get(port, "/readyz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        sys.exit("memory.py: vigie not ready in time")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=300)
        self.log.close()


def load(port, rate, seconds, connections=8, batch=200):
    cmd = [os.path.join(ROOT, "build/tests/bench/vigie-load"), "--url", f"http://127.0.0.1:{port}", "--token",
           TOKEN, "--rate", str(rate), "--duration", str(seconds), "--warmup", "0", "--connections",
           str(connections), "--batch", str(batch), "--json"]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)


def sample(pid, seconds, until=None):
    """Samples RSS every 0.5 s for `seconds` (or until `until()` is true); returns (min, max, last) RSS and HWM."""
    rss = []
    hwm = 0
    end = time.time() + seconds
    while time.time() < end and not (until and until()):
        r, hwm = status_kib(pid)
        rss.append(r)
        time.sleep(0.5)
    r, hwm = status_kib(pid)
    rss.append(r)
    return min(rss), max(rss), rss[-1], hwm


def mib(kib):
    return f"{kib / 1024:.0f} MiB"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--posts", type=int, default=10_000_000)
    ap.add_argument("--rules", type=int, default=10_000)
    ap.add_argument("--dir", default="/tmp/vigie-memory")
    ap.add_argument("--rate", type=int, default=15_000, help="posts/s pushed while measuring under load")
    ap.add_argument("--seconds", type=int, default=60, help="length of the load phase")
    ap.add_argument("--vigie", default=os.path.join(ROOT, "build/vigie"))
    ap.add_argument("--runs", type=int, default=1, help="restart-and-load measurements")
    a = ap.parse_args()

    os.makedirs(a.dir, exist_ok=True)
    rules = os.path.join(a.dir, f"rules-{a.rules}.yaml")
    if not os.path.exists(rules):
        with open(rules, "w") as f:
            subprocess.run([sys.executable, os.path.join(ROOT, "tests/bench/load/make_rules.py"), "--rules",
                            str(a.rules)], stdout=f, check=True)
    port = free_port()
    config = os.path.join(a.dir, "vigie.yaml")
    with open(config, "w") as f:
        f.write(f"listen: 127.0.0.1:{port}\ndata_dir: {a.dir}/data\nrules: {rules}\n"
                "log: {level: warn}\nhttp: {max_body_bytes: 64MiB}\n"
                "sources:\n  - {id: push, type: http_push}\n"
                f"auth:\n  tokens:\n    - {{name: load, token: {TOKEN}, roles: [ingest, read]}}\n")
    log = os.path.join(a.dir, "vigie.log")
    filled_marker = os.path.join(a.dir, "filled")
    filled = int(open(filled_marker).read()) if os.path.exists(filled_marker) else 0
    print(f"memory.py: {a.vigie}, {a.rules} rules, data in {a.dir}/data, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)

    if filled < a.posts:
        d = Daemon(a.vigie, config, log)
        d.wait_ready(port)
        start = time.time()
        stored = filled
        while stored < a.posts:
            p = load(port, 0, 20, connections=8, batch=500)
            p.communicate()
            stored = filled + int(metric(port, "vigie_pipeline_posts_stored_total"))
            print(f"  filling: {stored:,} posts stored, {(stored - filled) / (time.time() - start):,.0f} posts/s, "
                  f"RSS {mib(status_kib(d.proc.pid)[0])}", flush=True)
        d.stop()
        with open(filled_marker, "w") as f:
            f.write(str(stored))
        filled = stored

    for run in range(1, a.runs + 1):
        d = Daemon(a.vigie, config, log)
        t0 = time.time()
        d.wait_ready(port)
        opened = time.time() - t0
        lo, hi, last, hwm = sample(d.proc.pid, 10)
        print(f"run {run}: {filled:,} posts stored; ready in {opened:.1f} s; idle after restart: RSS {mib(last)} "
              f"(HWM {mib(hwm)})", flush=True)
        p = load(port, a.rate, a.seconds)
        lo, hi, last, hwm = sample(d.proc.pid, a.seconds + 30, until=lambda: p.poll() is not None)
        out = p.communicate()[0].strip()
        memtables = metric(port, "vigie_storage_memtable_bytes")
        print(f"run {run}: under load ({a.rate:,} posts/s for {a.seconds} s): RSS {mib(lo)}..{mib(hi)}, "
              f"last {mib(last)}, HWM {mib(hwm)}; memtables {mib(memtables / 1024)}", flush=True)
        print(f"run {run}: vigie-load: {out}", flush=True)
        filled += int(metric(port, "vigie_pipeline_posts_stored_total"))
        d.stop()
        with open(filled_marker, "w") as f:
            f.write(str(filled))


if __name__ == "__main__":
    main()
