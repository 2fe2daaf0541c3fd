"""A real Vigie for the Prometheus tests: build/vigie on a loopback port, running the bundled demo (rules and feed,
replayed at full speed) with a webhook notifier pointed at a loopback receiver that answers 200, so that every
metric family Vigie exports has samples (brands, topics, an open incident, deliveries, HTTP requests).

Used as a context manager; the temporary directory (config, data, log) is removed on exit unless the
environment sets VIGIE_KEEP_TMP=1.
"""
import http.server
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEMO = os.path.join(ROOT, "deploy", "demo")
TOKEN = "prometheus-test-token-0123456789"
# whsec_ + base64 of 32 bytes
SECRET = "whsec_dmlnaWUtY3Jpc2lzLXRlc3Qtc2VjcmV0LTMyYnl0ZXM="


def fail(msg):
    raise SystemExit("FAIL: " + msg)


def http_get(url, timeout=5, headers=None):
    req = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.status, r.read().decode("utf-8")


def demo_brands():
    """The brand ids of the demo rules, read off the file's `- id:` lines under `brands:`."""
    brands, section = [], None
    with open(os.path.join(DEMO, "rules.yaml"), encoding="utf-8") as f:
        for line in f:
            if re.match(r"^\w", line):
                section = line.split(":")[0]
            m = re.match(r"^\s+- id: (\S+)", line)
            if m and section == "brands":
                brands.append(m.group(1))
    if not brands:
        fail("no brands found in deploy/demo/rules.yaml")
    return brands


def samples(text):
    """{'name{labels}': value} of a text-format scrape."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        series, _, value = line.rpartition(" ")
        out[series] = float(value)
    return out


class _Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


class Vigie:
    def __init__(self, binary=None):
        self.binary = binary or os.environ.get("VIGIE_BINARY") or os.path.join(ROOT, "build", "vigie")
        self.port = 0
        self.proc = None

    def __enter__(self):
        if not os.access(self.binary, os.X_OK):
            fail("no Vigie binary at %s (build it first: ninja -C build vigie)" % self.binary)
        self.dir = tempfile.mkdtemp(prefix="vigie-prom-")
        self.receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
        threading.Thread(target=self.receiver.serve_forever, daemon=True).start()
        shutil.copy(os.path.join(DEMO, "rules.yaml"), self.dir)
        config = os.path.join(self.dir, "vigie.yaml")
        with open(config, "w", encoding="utf-8") as f:
            f.write(
                "data_dir: data\nrules: rules.yaml\n"
                "sources:\n  - {id: demo, type: replay, path: %s, speed: max}\n"
                "notifiers:\n  - {id: hook, type: webhook, url: 'http://127.0.0.1:%d/hooks/vigie', secrets: [%s]}\n"
                "auth:\n  tokens:\n    - {name: ops, token: %s, roles: [admin]}\n"
                % (os.path.join(DEMO, "feed.ndjson"), self.receiver.server_address[1], SECRET, TOKEN))
        self.log_path = os.path.join(self.dir, "vigie.log")
        self.log = open(self.log_path, "w", encoding="utf-8")
        self.proc = subprocess.Popen([self.binary, "run", "--config", config, "--listen", "127.0.0.1:0"],
                                     stdout=self.log, stderr=subprocess.STDOUT, cwd=self.dir)
        deadline = time.time() + 20
        while time.time() < deadline and not self.port:
            if self.proc.poll() is not None:
                fail("vigie exited with %s before listening:\n%s" % (self.proc.returncode, self.read_log()))
            m = re.search(r"http: listening on 127\.0\.0\.1:(\d+)", self.read_log())
            if m:
                self.port = int(m.group(1))
            time.sleep(0.05)
        if not self.port:
            fail("vigie did not log its port within 20 s:\n" + self.read_log())
        return self

    def read_log(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    @property
    def target(self):
        return "127.0.0.1:%d" % self.port

    def metrics(self):
        status, body = http_get("http://%s/metrics" % self.target)
        if status != 200:
            fail("/metrics answered %d" % status)
        return body

    def wait_fed(self, timeout=45):
        """Waits until the whole demo feed is stored and the incident it opens has been notified."""
        lines = sum(1 for line in open(os.path.join(DEMO, "feed.ndjson"), encoding="utf-8") if line.strip())
        deadline = time.time() + timeout
        s = {}
        while time.time() < deadline:
            s = samples(self.metrics())
            stored = s.get("vigie_pipeline_posts_stored_total", 0)
            delivered = sum(v for k, v in s.items()
                            if k.startswith("vigie_notifications_total{") and 'outcome="delivered"' in k)
            if stored >= lines and delivered >= 1:
                return s
            time.sleep(0.2)
        fail("within %d s, vigie stored %s of %d demo posts and delivered %s notifications:\n%s" %
             (timeout, s.get("vigie_pipeline_posts_stored_total"), lines,
              sum(v for k, v in s.items() if k.startswith("vigie_notifications_total{")), self.read_log()[-4000:]))

    def touch_api(self):
        """A few requests, so that the HTTP families have samples of several routes and codes."""
        http_get("http://%s/healthz" % self.target)
        http_get("http://%s/api/v1/version" % self.target, headers={"Authorization": "Bearer " + TOKEN})
        try:
            http_get("http://%s/api/v1/version" % self.target)
        except urllib.error.HTTPError:
            pass

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.receiver.shutdown()
        self.log.close()
        if os.environ.get("VIGIE_KEEP_TMP") != "1":
            shutil.rmtree(self.dir, ignore_errors=True)
        return False
