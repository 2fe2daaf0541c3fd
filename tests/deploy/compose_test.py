#!/usr/bin/env python3
"""Checks deploy/docker-compose.yml and deploy/Dockerfile as files; run by the test suite (ctest: deploy_compose).

Docker does not run on the machines that build Vigie, so what `docker compose -f deploy/docker-compose.yml up`
would do is checked from the files:
  compose     the services vigie, prometheus and grafana; images pinned to a version; the ports 8080, 9090 and
              3000 published; every bind-mounted host path present in the repository (deploy/prometheus/*.yml
              included); named volumes declared; Vigie's command naming a config the image holds and listening
              on every interface; Prometheus and Grafana reading the files mounted for them
  prometheus  where deploy/prometheus/prometheus.yml exists: it scrapes vigie:8080, its rule files are the ones
              mounted beside it, and its scrape interval is the Grafana datasource's timeInterval
  Dockerfile  stages on Debian bookworm, the build through deploy/build.sh, a runtime stage without -dev packages,
              a non-root user, a volume for the data dir, HEALTHCHECK on /readyz, STOPSIGNAL SIGTERM, EXPOSE 8080,
              every COPY source present and not excluded by deploy/Dockerfile.dockerignore

Prints one line per violation, "file: what", and exits 1 if there is any.

Usage: tests/deploy/compose_test.py [REPO_ROOT]
"""
import fnmatch
import os
import re
import sys

import yaml

errors = []


def fail(where, what):
    errors.append("%s: %s" % (where, what))


def load_yaml(root, rel):
    try:
        with open(os.path.join(root, rel), encoding="utf-8") as f:
            return yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as e:
        fail(rel, "cannot be read: %s" % e)
        return None


def mounts(service):
    """Bind mounts of a service as {container path: host path relative to deploy/}, and named volumes."""
    binds, named = {}, {}
    for v in service.get("volumes", []):
        if isinstance(v, dict):
            src, dst, kind = v.get("source", ""), v.get("target", ""), v.get("type")
        else:
            parts = v.split(":")
            src, dst = parts[0], parts[1] if len(parts) > 1 else ""
            kind = "bind" if src.startswith((".", "/")) else "volume"
        (binds if kind == "bind" else named)[dst] = src
    return binds, named


def check_pinned(name, image):
    if not image or ":" not in image or image.endswith(":latest"):
        fail("deploy/docker-compose.yml", "service %s: image %r should name a version" % (name, image))


def check_ports(name, service, port):
    published = [str(p) for p in service.get("ports", [])]
    if not any(re.fullmatch(r"(?:[\d.]+:)?%d:%d(?:/tcp)?" % (port, port), p) for p in published):
        fail("deploy/docker-compose.yml", "service %s should publish %d:%d, publishes %s" % (name, port, port,
                                                                                             published))


def dockerignore(root):
    path = os.path.join(root, "deploy/Dockerfile.dockerignore")
    if not os.path.isfile(path):
        fail("deploy/Dockerfile.dockerignore", "missing: the build context (the repository root) would hold "
             "build trees and the data dir")
        return []
    with open(path, encoding="utf-8") as f:
        return [l.strip() for l in f if l.strip() and not l.startswith("#")]


def ignored(rel, patterns):
    rel = rel.rstrip("/")
    for p in patterns:
        p = p.rstrip("/")
        if p.startswith("**/"):
            if fnmatch.fnmatch(os.path.basename(rel), p[3:]):
                return True
        elif rel == p or rel.startswith(p + "/") or fnmatch.fnmatch(rel, p):
            return True
    return False


def check_dockerfile(root):
    rel = "deploy/Dockerfile"
    try:
        with open(os.path.join(root, rel), encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        fail(rel, "cannot be read: %s" % e)
        return {}
    lines = re.sub(r"\\\n", " ", text).splitlines()
    instructions = [(l.split(None, 1)[0].upper(), l.split(None, 1)[1] if len(l.split(None, 1)) > 1 else "")
                    for l in (x.strip() for x in lines) if l and not l.startswith("#")]
    stages = [args for op, args in instructions if op == "FROM"]
    if len(stages) < 2:
        fail(rel, "should be multi-stage (a build stage and a runtime stage), has %d FROM" % len(stages))
    for s in stages:
        if not re.match(r"debian:bookworm(-slim)?(\s|$)", s):
            fail(rel, "FROM %s: every stage should be Debian bookworm" % s)
    runs = [args for op, args in instructions if op == "RUN"]
    if not any("deploy/build.sh" in r for r in runs):
        fail(rel, "the build should run deploy/build.sh, as the README does")
    last_from = max(i for i, (op, _) in enumerate(instructions) if op == "FROM") if stages else 0
    runtime = instructions[last_from:]
    for op, args in runtime:
        if op == "RUN" and re.search(r"\S+-dev\b", args):
            fail(rel, "runtime stage installs a -dev package: %s" % args)
    ops = {}
    for op, args in runtime:
        ops.setdefault(op, []).append(args)
    user = (ops.get("USER") or [""])[-1]
    if not user or user in ("root", "0", "0:0"):
        fail(rel, "the runtime stage should run as a non-root USER, has %r" % user)
    if not any("/var/lib/vigie" in v for v in ops.get("VOLUME", [])):
        fail(rel, "no VOLUME for the data dir /var/lib/vigie")
    if not any("/readyz" in h for h in ops.get("HEALTHCHECK", [])):
        fail(rel, "no HEALTHCHECK on /readyz")
    if "SIGTERM" not in ops.get("STOPSIGNAL", []):
        fail(rel, "STOPSIGNAL should be SIGTERM, is %s" % ops.get("STOPSIGNAL"))
    if not any(re.search(r"\b8080\b", e) for e in ops.get("EXPOSE", [])):
        fail(rel, "should EXPOSE 8080")
    patterns = dockerignore(root)
    image_files = {}  # path in the image -> path in the repository, for the runtime stage's COPY from the context
    for i, (op, args) in enumerate(instructions):
        if op not in ("COPY", "ADD") or "--from=" in args:
            continue
        parts = [p for p in args.split() if not p.startswith("--")]
        sources, dest = parts[:-1], parts[-1]
        for src in sources:
            if src == ".":
                continue
            if not os.path.exists(os.path.join(root, src)):
                fail(rel, "COPY %s: no such path in the repository" % src)
            elif ignored(src, patterns):
                fail(rel, "COPY %s: excluded from the build context by deploy/Dockerfile.dockerignore" % src)
            if i >= last_from:
                image_files[dest] = src
    for src in ("CMakeLists.txt", "daemon", "ingest", "rules", "storage", "deploy/build.sh",
                "deploy/install-deps.sh", "deploy/runtime-packages.sh"):
        if ignored(src, patterns):
            fail("deploy/Dockerfile.dockerignore", "excludes %s, which the build needs" % src)
    return image_files


def in_image(path, image_files):
    """The repository file a path of the image comes from, or None."""
    for dest, src in image_files.items():
        if path == dest:
            return src
        if dest.endswith("/") and path.startswith(dest):
            return os.path.join(src, path[len(dest):])
    return None


def check_prometheus_config(root, binds, datasource_interval):
    rel = "deploy/prometheus/prometheus.yml"
    if not os.path.isfile(os.path.join(root, rel)):
        return  # reported as a missing mount
    cfg = load_yaml(root, rel) or {}
    targets = [t for sc in cfg.get("scrape_configs") or [] for st in sc.get("static_configs") or []
               for t in st.get("targets") or []]
    if "vigie:8080" not in targets:
        fail(rel, "should scrape the compose service vigie:8080 (targets: %s)" % targets)
    config_dir = next((os.path.dirname(c) for c, h in binds.items() if h.endswith("prometheus/prometheus.yml")),
                      "/etc/prometheus")
    for rf in cfg.get("rule_files") or []:
        path = rf if rf.startswith("/") else os.path.join(config_dir, rf)
        if not any(fnmatch.fnmatch(c, path) for c in binds):
            fail(rel, "rule file %s is not mounted in the prometheus service (mounts: %s)" % (rf, sorted(binds)))
    interval = (cfg.get("global") or {}).get("scrape_interval", "1m")
    if datasource_interval and interval != datasource_interval:
        fail(rel, "scrape_interval %s differs from the Grafana datasource's timeInterval %s "
             "(deploy/grafana/provisioning/datasources): $__rate_interval depends on it" %
             (interval, datasource_interval))


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                           os.path.join(os.path.dirname(os.path.abspath(__file__)), "../.."))
    rel = "deploy/docker-compose.yml"
    compose = load_yaml(root, rel) or {}
    services = compose.get("services") or {}
    for name in ("vigie", "prometheus", "grafana"):
        if name not in services:
            fail(rel, "no %s service" % name)
    declared = set((compose.get("volumes") or {}).keys())
    for name, s in services.items():
        binds, named = mounts(s or {})
        for container, host in binds.items():
            if not os.path.exists(os.path.normpath(os.path.join(root, "deploy", host))):
                hint = " (the scrape config and alert rules of issue 15)" if "prometheus/" in host else ""
                fail(rel, "service %s mounts %s, which is not in the repository (deploy/%s)%s" %
                     (name, host, os.path.normpath(host), hint))
        for container, vol in named.items():
            if vol not in declared:
                fail(rel, "service %s uses volume %s, not declared under volumes:" % (name, vol))
        for dep in s.get("depends_on") or []:
            if dep not in services:
                fail(rel, "service %s depends on %s, which is not a service" % (name, dep))
    image_files = check_dockerfile(root)

    vigie = services.get("vigie") or {}
    build = vigie.get("build") or {}
    if isinstance(build, str):
        build = {"context": build}
    if os.path.normpath(os.path.join(root, "deploy", build.get("context", ""))) != root:
        fail(rel, "vigie should be built with the repository root as context, is %r" % build.get("context"))
    if build.get("dockerfile") != "deploy/Dockerfile":
        fail(rel, "vigie should be built from deploy/Dockerfile, is %r" % build.get("dockerfile"))
    check_ports("vigie", vigie, 8080)
    command = vigie.get("command") or []
    if isinstance(command, str):
        command = command.split()
    opts = dict(zip(command, command[1:]))
    config = opts.get("--config", "")
    src = in_image(config, image_files)
    if not src or not os.path.isfile(os.path.join(root, src)):
        fail(rel, "vigie runs --config %r, which deploy/Dockerfile does not put in the image" % config)
    elif src != "deploy/demo/vigie.yaml":
        fail(rel, "vigie should run the demo config (deploy/demo/vigie.yaml), runs %s" % src)
    if not opts.get("--listen", "").startswith("0.0.0.0:8080"):
        fail(rel, "vigie should --listen 0.0.0.0:8080 so that Prometheus reaches it, has %r" % opts.get("--listen"))
    _, named = mounts(vigie)
    if opts.get("--data-dir") not in named:
        fail(rel, "vigie's --data-dir %r should be a named volume" % opts.get("--data-dir"))

    prom = services.get("prometheus") or {}
    check_pinned("prometheus", prom.get("image"))
    if not str(prom.get("image", "")).startswith("prom/prometheus:"):
        fail(rel, "prometheus should use the official image prom/prometheus")
    check_ports("prometheus", prom, 9090)
    pbinds, _ = mounts(prom)
    for host in ("./prometheus/prometheus.yml", "./prometheus/vigie-alerts.yml"):
        if host not in pbinds.values():
            fail(rel, "prometheus should mount %s" % host)
    conf = next((c.split("=", 1)[1] for c in prom.get("command") or [] if c.startswith("--config.file=")),
                "/etc/prometheus/prometheus.yml")
    if pbinds.get(conf) != "./prometheus/prometheus.yml":
        fail(rel, "prometheus reads %s, where ./prometheus/prometheus.yml is not mounted" % conf)

    graf = services.get("grafana") or {}
    check_pinned("grafana", graf.get("image"))
    if not re.match(r"grafana/grafana(-oss)?:", str(graf.get("image", ""))):
        fail(rel, "grafana should use the official image grafana/grafana")
    check_ports("grafana", graf, 3000)
    gbinds, _ = mounts(graf)
    for host in ("./grafana/provisioning", "./grafana/dashboards"):
        if host not in gbinds.values():
            fail(rel, "grafana should mount %s" % host)
    home = (graf.get("environment") or {}).get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH")
    if home:
        dash = next((c for c, h in gbinds.items() if h == "./grafana/dashboards"), None)
        if not dash or not home.startswith(dash + "/") or not os.path.isfile(
                os.path.join(root, "deploy/grafana/dashboards", home[len(dash) + 1:])):
            fail(rel, "grafana's home dashboard %s is not one of deploy/grafana/dashboards" % home)

    interval = None
    ds = load_yaml(root, "deploy/grafana/provisioning/datasources/prometheus.yml") or {}
    for d in ds.get("datasources") or []:
        interval = (d.get("jsonData") or {}).get("timeInterval") or interval
    check_prometheus_config(root, pbinds, interval)

    for e in errors:
        print(e)
    if errors:
        print("compose: %d violation(s)" % len(errors))
        return 1
    print("compose: ok (%d services)" % len(services))
    return 0


if __name__ == "__main__":
    sys.exit(main())
