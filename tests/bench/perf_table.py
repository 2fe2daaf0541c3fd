#!/usr/bin/env python3
"""Regenerates the README's performance table: runs every benchmark and the load tool against the real daemon,
each figure beside its reference measured in the same run, and prints the Markdown rows.

    python3 tests/bench/perf_table.py [--build build] [--repeat 3] [--quick] [--only load,score,...]

Each figure is the spread (lowest-highest) of --repeat runs; builds compared with vigie-load alternate within one
repeat, so that a noisy neighbour slows both alike. Run it on an idle machine: these are 2-core machines, and the
load tool runs on the same cores as the daemon it drives.

Parts (--only): rules, sentiment, storage (Google Benchmarks, one core), load (vigie-load --spawn: as fast as
acknowledged with the demo rules and with 1,000 rules at http.threads 1 and 2; a fixed 30,000 posts/s with crisis
probes), score (`vigie score` pinned to one core, on the demo feed), replay (`vigie replay` over 10 million lines; 1 million with
--quick), memory (tests/bench/load/memory.py: resident memory with 10 million stored posts and 10,000 rules; skipped
with --quick).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def spread(values, fmt):
    lo, hi = min(values), max(values)
    return fmt(lo) if fmt(lo) == fmt(hi) else "%s-%s" % (fmt(lo), fmt(hi))


def k(v):
    return "%.0fk" % (v / 1e3) if v < 1e6 else "%.2fM" % (v / 1e6)


def ms(v):
    return "%.0f ms" % v if v >= 10 else "%.1f ms" % v


class Table:
    def __init__(self):
        self.rows = []

    def add(self, what, figure, target="", reference=""):
        self.rows.append((what, figure, target, reference))

    def markdown(self):
        out = ["| what | figure | target | reference, same run |", "|---|---|---|---|"]
        out += ["| %s | %s | %s | %s |" % r for r in self.rows]
        return "\n".join(out)


def gbench(binary, pattern, repeat, min_time):
    """items_per_second of each benchmark matching `pattern`, one value per repetition."""
    cmd = [binary, "--benchmark_filter=" + pattern, "--benchmark_repetitions=%d" % repeat,
           "--benchmark_min_time=%s" % min_time, "--benchmark_format=json"]
    log("$ " + " ".join(cmd))
    out = subprocess.run(["taskset", "-c", "1"] + cmd, check=True, capture_output=True, text=True).stdout
    rates = {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("run_type") == "aggregate" or "items_per_second" not in b:
            continue
        rates.setdefault(b["run_name"], []).append(b["items_per_second"])
    return rates


def rules_rows(t, build, repeat, min_time):
    r = gbench(os.path.join(build, "tests/bench/vigie_rules_bench"),
               "BM_Match/|BM_Normalize$|BM_Re2SetAlone|BM_Re2Loop", repeat, min_time)
    t.add("normalize + match, 1,000 rules, 200k-post FR/EN corpus", spread(r["BM_Match/1000"], k) + " posts/s",
          "1M", "RE2::Set of 1,000 patterns alone: %s/s; 1,000 separate RE2s: %s/s"
          % (spread(r["BM_Re2SetAlone"], k), spread(r["BM_Re2Loop"], lambda v: "%.1fk" % (v / 1e3))))
    t.add("normalize + match, 10,000 rules", spread(r["BM_Match/10000"], k) + " posts/s", "800k")
    t.add("normalization alone (NFKC, case fold, accents, offsets)", spread(r["BM_Normalize"], k) + " posts/s")


def sentiment_rows(t, build, repeat, min_time):
    r = gbench(os.path.join(build, "tests/bench/vigie_sentiment_bench"),
               "BM_Sentiment|BM_DecideMixed|BM_Cld2OnlyMixed|BM_ScorePassMixed|BM_Cld2ScorePassMixed", repeat,
               min_time)
    t.add("sentiment, English", spread(r["BM_SentimentEnglish"], k) + " posts/s", "600k",
          "VADER in Python, measured once (no Python package index here): about 31k/s")
    t.add("sentiment, French", spread(r["BM_SentimentFrench"], k) + " posts/s", "600k")
    t.add("language decision, bench posts", spread(r["BM_DecideMixed"], k) + " posts/s", "400k",
          "CLD2 alone: %s/s" % spread(r["BM_Cld2OnlyMixed"], k))
    t.add("whole scoring pass without rules (language, then one or both lexicons)",
          spread(r["BM_ScorePassMixed"], k) + " posts/s", "",
          "CLD2 then sentiment: %s/s" % spread(r["BM_Cld2ScorePassMixed"], k))


def storage_rows(t, build, repeat):
    r = gbench(os.path.join(build, "tests/bench/vigie_storage_bench"),
               "BM_WriteEveryBatchSync/writers:1/|BM_WriteRawRocksDbBaseline", repeat, 1)
    ours = next(v for n, v in r.items() if n.startswith("BM_WriteEveryBatchSync"))
    raw = next(v for n, v in r.items() if n.startswith("BM_WriteRawRocksDbBaseline"))
    t.add("storage writes, `every_batch`, batches of 256, random uids, 1 writer, 1M posts",
          "%s posts/s" % spread(ours, k), "70% of RocksDB alone",
          "RocksDB alone, one synced WriteBatch of 256 x 300-byte puts: %s/s" % spread(raw, k))


def vigie_load(build, args, env=None):
    cmd = [os.path.join(build, "tests/bench/vigie-load"), "--spawn", "--json"] + args
    log("$ " + " ".join(cmd))
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    lines = [l for l in p.stdout.splitlines() if l.startswith("{")]
    if not lines:
        raise RuntimeError("vigie-load failed: %s" % p.stderr[-2000:])
    return json.loads(lines[-1])


def wrk_push(build, rules, duration):
    cmd = [os.path.join(ROOT, "tests/bench/load/wrk_push.sh"), "--build", build, "--rules", rules,
           "--duration", duration]
    log("$ " + " ".join(cmd))
    p = subprocess.run(cmd, capture_output=True, text=True)
    lines = [l for l in p.stdout.splitlines() if l.startswith("{")]
    if p.returncode != 0 or not lines:
        raise RuntimeError("wrk_push.sh failed: %s" % (p.stderr[-2000:] or p.stdout[-2000:]))
    return json.loads(lines[-1])


def load_rows(t, build, repeat, quick):
    rules1000 = os.path.join(tempfile.gettempdir(), "vigie-perf-rules-1000.yaml")
    with open(rules1000, "w") as f:
        subprocess.run([sys.executable, os.path.join(ROOT, "tests/bench/load/make_rules.py"), "--rules", "1000"],
                       stdout=f, check=True)
    dur = ["--duration", "5" if quick else "15", "--warmup", "2"]
    cases = {
        "demo": ["--connections", "4", "--batch", "500"] + dur,
        "1000/2": ["--rules", rules1000, "--connections", "16", "--batch", "200"] + dur,
        "1000/2c8": ["--rules", rules1000, "--connections", "8", "--batch", "200"] + dur,
        "1000/1": ["--rules", rules1000, "--connections", "16", "--batch", "200", "--http-threads", "1"] + dur,
        "30k": ["--rules", rules1000, "--rate", "30000", "--connections", "8", "--batch", "100", "--probes", "40"]
               + ["--duration", "10" if quick else "30", "--warmup", "3"],
    }
    got = {name: [] for name in cases}
    wrk = []
    for _ in range(repeat):
        for name, args in cases.items():
            got[name].append(vigie_load(build, args))
        wrk.append(wrk_push(build, rules1000, "5" if quick else "15"))

    def rate(name):
        return spread([r["posts_per_s"] for r in got[name]], k) + " posts/s"

    def lat(name, p):
        return spread([r["latency_ms"][p] for r in got[name]], ms)

    t.add("`http_push` end to end (parse, score, store synced, 202), demo rules, 4 connections x 500 posts",
          "%s, p99 %s" % (rate("demo"), lat("demo", "p99")))
    t.add("the same with 1,000 rules (`make_rules.py`), 16 connections x 200 posts, `http.threads: 2`",
          "%s, p99 %s" % (rate("1000/2"), lat("1000/2", "p99")), "150k (floor 100k)",
          "`http.threads: 1`, same run: %s, p99 %s; 8 connections: %s, p99 %s"
          % (rate("1000/1"), lat("1000/1", "p99"), rate("1000/2c8"), lat("1000/2c8", "p99")))
    t.add("the same driven by an outside load tool: wrk, 1 thread, 16 connections x 200 posts "
          "(`tests/bench/load/wrk_push.sh`; stored = acknowledged checked)",
          "%s posts/s, p99 %s" % (spread([r["posts_per_s"] for r in wrk], k),
                                  spread([r["latency_ms"]["p99"] for r in wrk], ms)), "floor 100k")
    probes = [r["probes"]["ack_to_webhook_ms"]["p99"] for r in got["30k"]]
    t.add("a steady 30,000 posts/s, 1,000 rules, 8 connections x 100 posts: acknowledgement latency from the "
          "intended send time",
          "p99 %s, p99.9 %s" % (lat("30k", "p99"), lat("30k", "p999")), "p99 < 20 ms, p99.9 < 50 ms")
    t.add("at that load, a critical post's 202 to its `incident.opened` webhook on a loopback receiver (40 probes "
          "a run)", "p99 %s" % spread(probes, ms), "p99 < 250 ms")


def write_corpus(build, path, posts):
    if os.path.exists(path) and os.path.getsize(path) > 0:
        return
    cmd = [os.path.join(build, "tests/bench/vigie-load"), "--write-corpus", path, "--posts", str(posts)]
    log("$ " + " ".join(cmd))
    subprocess.run(cmd, check=True)


def timed(cmd, stdin=None, cpu=None):
    log("$ " + " ".join(cmd))
    start = time.monotonic()
    subprocess.run((["taskset", "-c", cpu] if cpu else []) + cmd, stdin=stdin, stdout=subprocess.DEVNULL,
                   check=True)
    return time.monotonic() - start


def score_rows(t, build, repeat):
    # The demo feed 25 times over (177,825 posts): its French and English posts, emoji, brands and topics.
    feed = os.path.join(ROOT, "deploy/demo/feed.ndjson")
    corpus = os.path.join(tempfile.gettempdir(), "vigie-perf-feed25.ndjson")
    with open(feed) as f:
        text = f.read()
    with open(corpus, "w") as f:
        f.write(text * 25)
    n = text.count("\n") * 25
    rules = os.path.join(ROOT, "deploy/demo/rules.yaml")
    rates = []
    for _ in range(repeat):
        with open(corpus) as f:
            rates.append(n / timed([os.path.join(build, "vigie"), "score", "--rules", rules], f, "1"))
    t.add("`vigie score` (NDJSON in, JSON out), demo rules, one core, the demo feed 25 times (%s posts)"
          % "{:,}".format(n), spread(rates, k) + " posts/s", "300k")


def replay_rows(t, build, repeat, quick):
    n = 1_000_000 if quick else 10_000_000
    corpus = os.path.join(tempfile.gettempdir(), "vigie-perf-corpus-%dm.ndjson" % (n // 1_000_000))
    write_corpus(build, corpus, n)
    cfg = os.path.join(tempfile.gettempdir(), "vigie-perf-replay.yaml")
    with open(cfg, "w") as f:
        f.write("data_dir: /tmp/unused\nrules: %s\nsources: []\n" % os.path.join(ROOT, "deploy/demo/rules.yaml"))
    secs = [timed([os.path.join(build, "vigie"), "replay", "--config", cfg, corpus]) for _ in range(repeat)]
    t.add("`vigie replay` over %s lines (a month of a large brand), demo rules, both cores" % "{:,}".format(n),
          spread(secs, lambda v: "%.0f s" % v), "< 1 min" if n == 10_000_000 else "")


def memory_rows(t, build):
    script = os.path.join(ROOT, "tests/bench/load/memory.py")
    cmd = [sys.executable, script, "--build", build, "--json"]
    log("$ " + " ".join(cmd))
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    m = json.loads([l for l in out.splitlines() if l.startswith("{")][-1])
    t.add("resident memory, 10M stored posts, 10,000 rules: after a restart / under load (peak)",
          "%.0f / %.0f MiB" % (m["rss_after_restart_mib"], m["rss_under_load_peak_mib"]), "< 1 GiB")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="shorter runs, smaller corpora, no memory run")
    ap.add_argument("--only", default="rules,sentiment,storage,load,score,replay,memory")
    a = ap.parse_args()
    parts = set(a.only.split(","))
    min_time = 0.3 if a.quick else 1
    t = Table()
    if "rules" in parts:
        rules_rows(t, a.build, a.repeat, min_time)
    if "sentiment" in parts:
        sentiment_rows(t, a.build, a.repeat, min_time)
    if "storage" in parts:
        storage_rows(t, a.build, a.repeat)
    if "load" in parts:
        load_rows(t, a.build, a.repeat, a.quick)
    if "score" in parts:
        score_rows(t, a.build, a.repeat)
    if "replay" in parts:
        replay_rows(t, a.build, a.repeat, a.quick)
    if "memory" in parts and not a.quick:
        memory_rows(t, a.build)
    print(t.markdown())


if __name__ == "__main__":
    main()
