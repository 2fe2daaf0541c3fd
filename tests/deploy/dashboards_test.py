#!/usr/bin/env python3
"""Checks Vigie's Grafana dashboards and provisioning; run by the test suite (ctest: deploy_dashboards).

Every JSON file under deploy/grafana/dashboards/ must keep the conventions of grafana/dashboard-linter, whose
rule names the messages reuse:
  template-datasource-rule   a `datasource` variable of type datasource, query prometheus, labelled "Data source"
  template-job-rule,         `job` and `instance` query variables on $datasource, multi-select, allValue ".+"
  template-instance-rule
  template-unused-rule       every other variable is used by some query
  panel-datasource-rule      every panel and every target uses ${datasource}: no datasource uid written in
  panel-title-description-rule  a title on every panel and row, a description on every panel
  panel-units-rule           a known unit in fieldConfig.defaults.unit on every panel
  panel-no-targets-rule      every panel has a query
  target-job-rule,           every series selector of every query matches job=~"$job" and instance=~"$instance"
  target-instance-rule
  target-rate-interval-rule  every rate(), irate() and increase() takes [$__rate_interval]
  target-counter-agg-rule    counters (_total) and histogram parts (_bucket, _sum, _count) only inside rate() or
                             increase()
  target-promql-rule         every query parses (promtool check rules, variables substituted), where promtool is
plus fixed unique uids, unique panel ids, and deploy/grafana/make_dashboards.py reproducing the committed files.
Panels inside rows, collapsed or not, are checked like the others.

The provisioning files must parse: one Prometheus datasource with a fixed uid at http://prometheus:9090, and a
file provider whose path is where deploy/docker-compose.yml mounts deploy/grafana/dashboards in Grafana.

Prints one line per violation, "dashboard: panel: rule: what", and exits 1 if there is any.

Usage: tests/deploy/dashboards_test.py [REPO_ROOT]
"""
import glob
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

# Grafana's unit ids (packages/grafana-data/src/valueFormats/categories.ts), the ones a Vigie panel may need.
UNITS = {
    "none", "short", "percent", "percentunit", "bool", "bool_yes_no", "bool_on_off", "string", "locale", "sci",
    "bytes", "decbytes", "bits", "kbytes", "mbytes", "gbytes", "Bps", "binBps", "bps", "KiBs", "MiBs",
    "ns", "µs", "ms", "s", "m", "h", "d", "dtdurations", "dtdurationms", "dateTimeAsIso", "dateTimeFromNow",
    "hertz", "cps", "ops", "reqps", "rps", "wps", "iops", "cpm", "opm", "rpm", "wpm",
}
COUNTER_SUFFIXES = ("_total", "_bucket", "_sum", "_count")
RATE_FUNCTIONS = {"rate", "irate", "increase"}
COUNTER_FUNCTIONS = RATE_FUNCTIONS | {"resets", "changes"}
KEYWORDS = {"and", "or", "unless", "bool", "offset", "inf", "nan"}
AGGREGATIONS = {"sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk",
                "topk", "quantile"}
LABEL_LIST_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right"}
DATASOURCE_VARIABLES = {"$datasource", "${datasource}"}
TOKEN = re.compile(r'\s+|"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|\$\{\w+\}|\$\w+|[A-Za-z_:][\w:]*|'
                   r'[0-9][\w.]*|=~|!~|!=|==|>=|<=|.')


def tokens(expr):
    return [t for t in TOKEN.findall(expr) if not t.isspace()]


def unquote(s):
    return s[1:-1] if len(s) >= 2 and s[0] in "\"'" else s


def parse_promql(expr):
    """Returns (selectors, ranges, calls): selectors as (metric, {label: (op, value)}, enclosing functions),
    ranges as (text inside [], innermost function), calls as names of the functions called. A tokenizer and a
    stack of open parentheses: enough to find selectors and ranges, not a validator (promtool is)."""
    toks = tokens(expr)
    selectors, ranges, calls = [], [], []
    stack = []  # one entry per open '(': a function name, or None for grouping and label lists
    i = 0
    while i < len(toks):
        t = toks[i]
        nxt = toks[i + 1] if i + 1 < len(toks) else ""
        if t in AGGREGATIONS and nxt in ("by", "without"):  # sum by (brand) (...): the clause first
            close = toks.index(")", i)
            toks[i:close + 1] = [t]
            continue
        if t in LABEL_LIST_KEYWORDS:
            i = toks.index(")", i) + 1 if nxt == "(" else i + 1
            continue
        if re.match(r"[A-Za-z_:]", t) and t.lower() not in KEYWORDS and nxt == "(":
            stack.append(t)
            calls.append(t)
            i += 2
            continue
        if t == "(":
            stack.append(None)
        elif t == ")":
            if stack:
                stack.pop()
        elif t == "[":
            end = toks.index("]", i)
            inner = next((f for f in reversed(stack) if f), None)
            ranges.append(("".join(toks[i + 1:end]), inner))
            i = end
        elif t == "{" or (re.match(r"[A-Za-z_:]", t) and t.lower() not in KEYWORDS):
            metric = "" if t == "{" else t
            if t == "{":
                i -= 1
            matchers = {}
            if i + 1 < len(toks) and toks[i + 1] == "{":
                end = toks.index("}", i + 1)
                body = toks[i + 2:end]
                for j in range(0, len(body), 4):
                    if j + 2 < len(body):
                        matchers[body[j]] = (body[j + 1], unquote(body[j + 2]))
                i = end
            if "__name__" in matchers:
                metric = matchers["__name__"][1]
            selectors.append((metric, matchers, [f for f in stack if f]))
        i += 1
    return selectors, ranges, calls


def all_panels(panels):
    for p in panels:
        yield p
        yield from all_panels(p.get("panels", []))


def variable_query(v):
    q = v.get("query")
    return q.get("query", "") if isinstance(q, dict) else (q or "")


def ds_uid(ds):
    if isinstance(ds, dict):
        return ds.get("uid")
    return ds  # old dashboards name the datasource by a string


class Checker:
    def __init__(self, root):
        self.root = root
        self.errors = []
        self.promql = []  # (where, expr) for promtool

    def error(self, where, rule, what):
        self.errors.append("%s: %s: %s" % (where, rule, what))

    # ---- dashboards ----
    def check_variables(self, name, d):
        variables = d.get("templating", {}).get("list", [])
        by_name = {v.get("name"): v for v in variables}
        ds = [v for v in variables if v.get("type") == "datasource"]
        if not ds:
            self.error(name, "template-datasource-rule", "no variable of type datasource")
        for v in ds:
            if v.get("name") != "datasource" or v.get("query") != "prometheus":
                self.error(name, "template-datasource-rule", "datasource variable '%s' (query '%s') should be "
                           "named 'datasource' with query 'prometheus'" % (v.get("name"), v.get("query")))
            if v.get("label") != "Data source":
                self.error(name, "template-datasource-rule", "datasource variable should be labelled 'Data source'")
        for var, rule in (("job", "template-job-rule"), ("instance", "template-instance-rule")):
            v = by_name.get(var)
            if v is None:
                self.error(name, rule, "no '%s' variable" % var)
                continue
            if v.get("type") != "query":
                self.error(name, rule, "'%s' variable should be a query, is '%s'" % (var, v.get("type")))
            if v.get("label") != var.capitalize():
                self.error(name, rule, "'%s' variable should be labelled '%s'" % (var, var.capitalize()))
            if not v.get("multi"):
                self.error(name, rule, "'%s' variable should be multi-select" % var)
            if v.get("allValue") != ".+":
                self.error(name, rule, "'%s' variable allValue should be '.+', is '%s'" % (var, v.get("allValue")))
        for v in variables:
            if v.get("type") != "query":
                continue
            where = "%s: variable '%s'" % (name, v.get("name"))
            if ds_uid(v.get("datasource")) not in DATASOURCE_VARIABLES:
                self.error(where, "panel-datasource-rule", "should use datasource ${datasource}, uses %r" %
                           (v.get("datasource"),))
            q = variable_query(v)
            if not re.match(r"^label_values\(.*\)$", q):
                self.error(where, "template-label-promql-rule", "query should be label_values(...), is %r" % q)
            self.promql_of_variable(where, q)
        return by_name

    def promql_of_variable(self, where, q):
        m = re.match(r"^label_values\((.*),\s*\w+\)$", q)
        if m:
            self.promql.append((where, m.group(1)))

    def check_target(self, where, t, used):
        if ds_uid(t.get("datasource")) not in DATASOURCE_VARIABLES:
            self.error(where, "panel-datasource-rule", "target should use datasource ${datasource}, uses %r" %
                       (t.get("datasource"),))
        expr = t.get("expr", "")
        if not expr.strip():
            self.error(where, "target-promql-rule", "empty expr")
            return
        used.update(re.findall(r"\$\{?(\w+)\}?", expr))
        self.promql.append((where, expr))
        selectors, ranges, calls = parse_promql(expr)
        if not selectors:
            self.error(where, "target-promql-rule", "no series selector in %r" % expr)
        for metric, matchers, funcs in selectors:
            for label, rule in (("job", "target-job-rule"), ("instance", "target-instance-rule")):
                if matchers.get(label) not in (("=~", "$" + label), ("=~", "${%s}" % label)):
                    self.error(where, rule, "selector %s has no %s=~\"$%s\" matcher" % (metric or "{}", label,
                                                                                         label))
            if metric.endswith(COUNTER_SUFFIXES) and not COUNTER_FUNCTIONS.intersection(funcs):
                self.error(where, "target-counter-agg-rule", "counter %s is not inside rate() or increase()" %
                           metric)
        for text, func in ranges:
            if func in RATE_FUNCTIONS and text != "$__rate_interval":
                self.error(where, "target-rate-interval-rule", "%s() over [%s], not [$__rate_interval]" %
                           (func, text))
        for func in RATE_FUNCTIONS.intersection(calls):
            if not any(f == func for _, f in ranges):
                self.error(where, "target-rate-interval-rule", "%s() without a range" % func)

    def check_panel(self, name, p, used):
        where = "%s: panel '%s' (id %s)" % (name, p.get("title", ""), p.get("id"))
        if not p.get("title", "").strip():
            self.error(where, "panel-title-description-rule", "no title")
        if p.get("type") == "row":
            if p.get("datasource") is not None and ds_uid(p["datasource"]) not in DATASOURCE_VARIABLES:
                self.error(where, "panel-datasource-rule", "row names datasource %r" % (p["datasource"],))
            return
        if not p.get("description", "").strip():
            self.error(where, "panel-title-description-rule", "no description")
        unit = p.get("fieldConfig", {}).get("defaults", {}).get("unit", "")
        if not unit:
            self.error(where, "panel-units-rule", "no unit in fieldConfig.defaults.unit")
        elif unit not in UNITS:
            self.error(where, "panel-units-rule", "unit '%s' is not one of Grafana's units" % unit)
        if ds_uid(p.get("datasource")) not in DATASOURCE_VARIABLES:
            self.error(where, "panel-datasource-rule", "panel should use datasource ${datasource}, uses %r" %
                       (p.get("datasource"),))
        targets = p.get("targets", [])
        if not targets:
            self.error(where, "panel-no-targets-rule", "no targets")
        for t in targets:
            self.check_target("%s: target %s" % (where, t.get("refId", "?")), t, used)
        if "gridPos" not in p:
            self.error(where, "layout", "no gridPos")

    def check_dashboard(self, path, uids):
        name = os.path.relpath(path, self.root)
        try:
            with open(path, encoding="utf-8") as f:
                d = json.load(f)
        except (OSError, ValueError) as e:
            self.error(name, "json", str(e))
            return
        name = "%s (%s)" % (name, d.get("title", "untitled"))
        uid = d.get("uid") or ""
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", uid):
            self.error(name, "uid", "dashboard uid %r should be fixed: 1 to 40 letters, digits, - or _" % uid)
        elif uid in uids:
            self.error(name, "uid", "uid %r also used by %s" % (uid, uids[uid]))
        uids[uid] = name
        if not d.get("title"):
            self.error(name, "panel-title-description-rule", "dashboard has no title")
        if not isinstance(d.get("schemaVersion"), int) or d["schemaVersion"] < 36:
            self.error(name, "schema", "schemaVersion %r: export from a current Grafana (36 or later)" %
                       d.get("schemaVersion"))
        variables = self.check_variables(name, d)
        used = set()
        ids = {}
        panels = list(all_panels(d.get("panels", [])))
        if not panels:
            self.error(name, "panel-no-targets-rule", "dashboard has no panels")
        for p in panels:
            self.check_panel(name, p, used)
            if p.get("id") in ids:
                self.error(name, "layout", "panel id %s used by '%s' and '%s'" % (p.get("id"), ids[p["id"]],
                                                                                 p.get("title")))
            ids[p.get("id")] = p.get("title")
        for v in variables.values():
            if v.get("type") == "query":
                used.update(re.findall(r"\$\{?(\w+)\}?", variable_query(v)))
        for var in variables:
            if var not in used and var != "datasource":
                self.error(name, "template-unused-rule", "variable '%s' is used by no query" % var)
        return d

    def check_generated(self):
        script = os.path.join(self.root, "deploy/grafana/make_dashboards.py")
        spec = importlib.util.spec_from_file_location("make_dashboards", script)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        for fname, build in (("brand-sentiment.json", mod.brand_sentiment),
                             ("pipeline-health.json", mod.pipeline_health)):
            path = os.path.join(self.root, "deploy/grafana/dashboards", fname)
            with open(path, encoding="utf-8") as f:
                if f.read() != mod.render(build()):
                    self.error("deploy/grafana/dashboards/" + fname, "generated",
                               "differs from what deploy/grafana/make_dashboards.py writes: edit the script and "
                               "rerun it")

    def check_promql(self):
        promtool = shutil.which("promtool")
        if not promtool:
            print("dashboards: promtool not found (deploy/install-deps.sh installs it): queries not parsed")
            return

        def substituted(expr):
            expr = expr.replace("$__rate_interval", "1m").replace("${__rate_interval}", "1m")
            return re.sub(r"\$\{?\w+\}?", ".+", expr)

        def check(exprs):
            rules = {"groups": [{"name": "dashboards", "rules": [
                {"record": "dashboard:query:%d" % i, "expr": substituted(e)} for i, e in enumerate(exprs)]}]}
            with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
                yaml.safe_dump(rules, f)
            try:
                r = subprocess.run([promtool, "check", "rules", f.name], capture_output=True, text=True)
            finally:
                os.unlink(f.name)
            return r.returncode == 0, (r.stdout + r.stderr).strip()

        ok, _ = check([e for _, e in self.promql])
        if ok:
            return
        for where, expr in self.promql:  # find the culprits one by one
            ok, out = check([expr])
            if not ok:
                self.error(where, "target-promql-rule", "promtool: %s" % out.splitlines()[-1])

    # ---- provisioning ----
    def load_yaml(self, rel):
        path = os.path.join(self.root, rel)
        try:
            with open(path, encoding="utf-8") as f:
                return yaml.safe_load(f)
        except (OSError, yaml.YAMLError) as e:
            self.error(rel, "provisioning", "does not parse: %s" % e)
            return None

    def grafana_mounts(self):
        compose = self.load_yaml("deploy/docker-compose.yml") or {}
        grafana = (compose.get("services") or {}).get("grafana") or {}
        mounts = {}
        for v in grafana.get("volumes", []):
            if isinstance(v, str) and ":" in v:
                host, container = v.split(":")[:2]
                mounts[os.path.normpath(os.path.join("deploy", host))] = container
            elif isinstance(v, dict) and v.get("type") == "bind":
                mounts[os.path.normpath(os.path.join("deploy", v["source"]))] = v["target"]
        return mounts

    def check_provisioning(self, dashboards):
        mounts = self.grafana_mounts()
        prov = mounts.get("deploy/grafana/provisioning")
        if prov != "/etc/grafana/provisioning":
            self.error("deploy/docker-compose.yml", "provisioning",
                       "grafana should mount ./grafana/provisioning on /etc/grafana/provisioning, mounts it on %r" %
                       prov)
        ds_files = sorted(glob.glob(os.path.join(self.root, "deploy/grafana/provisioning/datasources/*.y*ml")))
        datasources = []
        for path in ds_files:
            rel = os.path.relpath(path, self.root)
            doc = self.load_yaml(rel) or {}
            if doc.get("apiVersion") != 1:
                self.error(rel, "provisioning", "apiVersion should be 1")
            datasources += [(rel, ds) for ds in doc.get("datasources") or []]
        proms = [(rel, ds) for rel, ds in datasources if ds.get("type") == "prometheus"]
        if len(proms) != 1:
            self.error("deploy/grafana/provisioning/datasources", "provisioning",
                       "should hold exactly one Prometheus datasource, holds %d" % len(proms))
        for rel, ds in proms:
            if not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", str(ds.get("uid") or "")):
                self.error(rel, "provisioning", "the datasource should have a fixed uid")
            if ds.get("url") != "http://prometheus:9090":
                self.error(rel, "provisioning", "url should be the compose service http://prometheus:9090, is %r" %
                           ds.get("url"))
            if not ds.get("isDefault"):
                self.error(rel, "provisioning", "the datasource should be the default (dashboards pick it)")
            for name, text in dashboards.items():
                if ds.get("uid") and ('"%s"' % ds["uid"]) in text:
                    self.error(name, "panel-datasource-rule", "names the datasource uid %r: use ${datasource}" %
                               ds["uid"])
        db_files = sorted(glob.glob(os.path.join(self.root, "deploy/grafana/provisioning/dashboards/*.y*ml")))
        if not db_files:
            self.error("deploy/grafana/provisioning/dashboards", "provisioning", "no dashboard provider file")
        dash_mount = mounts.get("deploy/grafana/dashboards")
        for path in db_files:
            rel = os.path.relpath(path, self.root)
            doc = self.load_yaml(rel) or {}
            if doc.get("apiVersion") != 1:
                self.error(rel, "provisioning", "apiVersion should be 1")
            providers = doc.get("providers") or []
            if not providers:
                self.error(rel, "provisioning", "no providers")
            for p in providers:
                if p.get("type") != "file":
                    self.error(rel, "provisioning", "provider '%s' should be of type file" % p.get("name"))
                ppath = (p.get("options") or {}).get("path")
                if dash_mount is None:
                    self.error("deploy/docker-compose.yml", "provisioning",
                               "grafana does not mount ./grafana/dashboards")
                elif ppath != dash_mount:
                    self.error(rel, "provisioning", "provider path %r is not where compose mounts "
                               "deploy/grafana/dashboards (%r)" % (ppath, dash_mount))

    def run(self):
        files = sorted(glob.glob(os.path.join(self.root, "deploy/grafana/dashboards/**/*.json"), recursive=True))
        if not files:
            self.error("deploy/grafana/dashboards", "dashboards", "no dashboard JSON")
        uids = {}
        texts = {}
        for path in files:
            self.check_dashboard(path, uids)
            with open(path, encoding="utf-8") as f:
                texts[os.path.relpath(path, self.root)] = f.read()
        self.check_generated()
        self.check_promql()
        self.check_provisioning(texts)
        for e in self.errors:
            print(e)
        if self.errors:
            print("dashboards: %d violation(s)" % len(self.errors))
            return 1
        print("dashboards: ok (%d dashboards, %d queries)" % (len(files), len(self.promql)))
        return 0


if __name__ == "__main__":
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                           os.path.join(os.path.dirname(os.path.abspath(__file__)), "../.."))
    sys.exit(Checker(root).run())
