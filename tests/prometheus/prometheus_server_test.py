#!/usr/bin/env python3
"""The real Prometheus server scraping a real Vigie: proves that the alert rules and the dashboards' queries work
on what Vigie really exports.

1. Starts Vigie on the demo (tests/prometheus/vigie_fixture.py) and waits until the whole feed is stored.
2. Starts `prometheus` (Debian's package) on a free loopback port with a temporary storage directory, scraping
   that Vigie every second as job `vigie`, with the alert rules of deploy/prometheus/vigie-alerts.yml loaded,
   and waits for a few scrapes.
3. Checks, printing every failure before exiting non-zero:
   a. every alert rule expression evaluates without error through /api/v1/query, and Prometheus' own
      evaluation of each rule reports it healthy (/api/v1/rules);
   b. `sum by (brand) (vigie_mentions_total)` is non-zero for each brand of deploy/demo/rules.yaml;
   c. every panel target's `expr` of every dashboard deploy/grafana/dashboards/*.json (and every query
      variable's label_values()) gives an error-free, non-empty result, template variables substituted:
      $job -> vigie, $instance -> the target, $brand -> a demo brand (`.*` inside a regex matcher),
      $__rate_interval and $__interval -> 1m, $__range -> 5m. With no dashboard there, (c) says so and passes.

Usage: tests/prometheus/prometheus_server_test.py
Environment: VIGIE_BINARY (default build/vigie), PROMETHEUS (default: prometheus on PATH), VIGIE_DASHBOARDS
(a directory of dashboards instead of deploy/grafana/dashboards), VIGIE_KEEP_TMP=1 keeps the temp dirs.
"""
import glob
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vigie_fixture import ROOT, Vigie, demo_brands, fail, http_get  # noqa: E402

ALERTS = os.path.join(ROOT, "deploy", "prometheus", "vigie-alerts.yml")
JOB = "vigie"
SCRAPES = 5  # before querying: rate() over 1m needs two samples, and a few more make it steady


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Prometheus:
    def __init__(self, target):
        self.target = target
        self.binary = os.environ.get("PROMETHEUS") or shutil.which("prometheus")
        if not self.binary:
            fail("prometheus missing: run deploy/install-deps.sh (Debian package prometheus)")

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="vigie-prometheus-")
        config = os.path.join(self.dir, "prometheus.yml")
        with open(config, "w", encoding="utf-8") as f:
            yaml.safe_dump({
                "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
                "rule_files": [ALERTS],
                "scrape_configs": [{"job_name": JOB, "static_configs": [{"targets": [self.target]}]}],
            }, f)
        self.log_path = os.path.join(self.dir, "prometheus.log")
        self.log = open(self.log_path, "w", encoding="utf-8")
        # The port is free a moment before Prometheus binds it: retried a few times if another process took it.
        for _ in range(3):
            self.port = free_port()
            self.proc = subprocess.Popen(
                [self.binary, "--config.file=" + config, "--storage.tsdb.path=" + os.path.join(self.dir, "data"),
                 "--web.listen-address=127.0.0.1:%d" % self.port, "--log.level=warn"],
                stdout=self.log, stderr=subprocess.STDOUT, cwd=self.dir)
            if self.wait_ready():
                return self
            self.stop()
        fail("prometheus did not become ready:\n" + self.read_log())

    def wait_ready(self, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                if http_get(self.url("/-/ready"), timeout=1)[0] == 200:
                    return True
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            time.sleep(0.2)
        return False

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def read_log(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()[-4000:]

    def api(self, path, **params):
        """The `data` of an API answer, or raises ValueError with Prometheus' error."""
        url = self.url(path) + ("?" + urllib.parse.urlencode(params) if params else "")
        try:
            _, body = http_get(url, timeout=10)
        except urllib.error.HTTPError as e:
            body = e.read().decode("utf-8", "replace")
        answer = json.loads(body)
        if answer.get("status") != "success":
            raise ValueError("%s: %s" % (answer.get("errorType"), answer.get("error")))
        return answer["data"]

    def query(self, expr):
        return self.api("/api/v1/query", query=expr)["result"]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __exit__(self, *exc):
        self.stop()
        self.log.close()
        if os.environ.get("VIGIE_KEEP_TMP") != "1":
            shutil.rmtree(self.dir, ignore_errors=True)
        return False


def wait_scrapes(prom):
    deadline = time.time() + 30
    seen = 0
    while time.time() < deadline:
        r = prom.query('count_over_time(up{job="%s"}[1m])' % JOB)
        seen = int(float(r[0]["value"][1])) if r else 0
        up = prom.query('up{job="%s"}' % JOB)
        if seen >= SCRAPES and up and up[0]["value"][1] == "1":
            return
        time.sleep(0.5)
    targets = prom.api("/api/v1/targets")
    fail("Prometheus scraped Vigie %d times in 30 s (want %d, up): %s\n%s" %
         (seen, SCRAPES, json.dumps(targets.get("activeTargets"), indent=1)[:2000], prom.read_log()))


def check_alerts(prom, problems):
    with open(ALERTS, encoding="utf-8") as f:
        groups = yaml.safe_load(f)["groups"]
    rules = [r for g in groups for r in g["rules"]]
    for r in rules:
        try:
            prom.query(r["expr"])
        except ValueError as e:
            problems.append("alert %s: %s\n      expr: %s" % (r.get("alert") or r.get("record"), e, r["expr"]))
    # Prometheus evaluates them itself every second: each must have been evaluated, without error.
    deadline = time.time() + 10
    while True:
        loaded = {r["name"]: r for g in prom.api("/api/v1/rules")["groups"] for r in g["rules"]}
        pending = [r for r in rules if loaded.get(r["alert"], {}).get("health") != "ok"]
        if not pending or time.time() > deadline:
            break
        time.sleep(0.5)
    for r in pending:
        got = loaded.get(r["alert"])
        problems.append("alert %s: %s" % (r["alert"], "not loaded by Prometheus" if not got else
                                          "health %s: %s" % (got.get("health"), got.get("lastError"))))
    print("a. %d alert expressions evaluated" % len(rules))


def check_brands(prom, problems):
    expr = "sum by (brand) (vigie_mentions_total)"
    try:
        got = {s["metric"].get("brand"): float(s["value"][1]) for s in prom.query(expr)}
    except ValueError as e:
        problems.append("%s: %s" % (expr, e))
        return
    for b in demo_brands():
        if got.get(b, 0) <= 0:
            problems.append("%s: brand %s has %s (want > 0); result: %s" % (expr, b, got.get(b), got))
    print("b. mentions by brand: %s" % ", ".join("%s %d" % (b, got.get(b, 0)) for b in sorted(got)))


BUILTINS = {"__rate_interval": "1m", "__interval": "1m", "__range": "5m", "__range_s": "300", "__interval_ms": "60000"}
VARIABLE = re.compile(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]")


def substitute(expr, values):
    """expr with Grafana's template variables replaced; raises KeyError naming an unknown variable. Inside a
    regex matcher (=~ or !~ "...$var...") a multi-value variable stands for every value: `.*`."""
    def replace(m):
        name = m.group(1) or m.group(2) or m.group(3)
        if name in BUILTINS:
            return BUILTINS[name]
        if name not in values:
            raise KeyError(name)
        before = expr[:m.start()]
        in_regex = re.search(r'[=!]~\s*"[^"]*$', before) is not None
        return ".*" if in_regex and name == "brand" else values[name]
    return VARIABLE.sub(replace, expr)


def panels(items):
    for p in items or []:
        yield p
        yield from panels(p.get("panels"))


def check_dashboards(prom, target, problems):
    folder = os.environ.get("VIGIE_DASHBOARDS") or os.path.join(ROOT, "deploy", "grafana", "dashboards")
    files = sorted(glob.glob(os.path.join(folder, "*.json")))
    if not files:
        print("c. no dashboard in %s: nothing to run" % os.path.relpath(folder, ROOT))
        return
    values = {"job": JOB, "instance": target, "brand": demo_brands()[0], "datasource": ""}
    count = 0
    for path in files:
        name = os.path.basename(path)
        with open(path, encoding="utf-8") as f:
            dash = json.load(f)
        queries = []
        for v in (dash.get("templating") or {}).get("list") or []:
            q = v.get("query")
            q = q.get("query") if isinstance(q, dict) else q
            if v.get("type") == "query" and isinstance(q, str):
                m = re.fullmatch(r"\s*label_values\((?:(.*),\s*)?(\w+)\)\s*", q)
                if m:
                    # Grafana asks for the label's values among the series the selector matches.
                    queries.append(("variable $%s" % v.get("name"),
                                    "count by (%s) (%s)" % (m.group(2), m.group(1) or "{%s!=\"\"}" % m.group(2))))
        for p in panels(dash.get("panels")):
            for t in p.get("targets") or []:
                if t.get("expr"):
                    queries.append(("panel %r (id %s) target %s" % (p.get("title"), p.get("id"), t.get("refId")),
                                    t["expr"]))
        for where, raw in queries:
            count += 1
            try:
                expr = substitute(raw, values)
            except KeyError as e:
                problems.append("%s %s: unknown template variable $%s in: %s" % (name, where, e.args[0], raw))
                continue
            try:
                result = prom.query(expr)
            except ValueError as e:
                problems.append("%s %s: error %s\n      expr: %s" % (name, where, e, expr))
                continue
            if not result:
                problems.append("%s %s: empty result\n      expr: %s" % (name, where, expr))
    print("c. %d dashboard queries run from %d dashboards" % (count, len(files)))


def main():
    start = time.time()
    problems = []
    with Vigie() as v:
        v.wait_fed()
        v.touch_api()
        with Prometheus(v.target) as prom:
            wait_scrapes(prom)
            check_alerts(prom, problems)
            check_brands(prom, problems)
            check_dashboards(prom, v.target, problems)
    if problems:
        fail("%d problems:\n  %s" % (len(problems), "\n  ".join(problems)))
    print("ok in %.0f s" % (time.time() - start))


if __name__ == "__main__":
    main()
