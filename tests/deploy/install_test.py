#!/usr/bin/env python3
"""Checks `cmake --install` and the systemd unit; run by the test suite (ctest: deploy_install, deploy_systemd).

install  installs the build into a temporary prefix and checks that the binary, the unit, the sysusers file and
         the example config are in place, that the unit names the installed binary and config, and that the
         installed binary accepts the installed config (`vigie check`).
systemd  checks deploy/systemd/vigie.service as written (user, config, EnvironmentFile, Restart, ExecReload,
         hardening), then runs `systemd-analyze verify` on the installed unit (any warning about it fails) and
         `systemd-analyze security --offline=true` (exposure at most MAX_EXPOSURE). Without systemd-analyze the
         second half is skipped with a message (exit 77, which ctest reports as skipped).

Usage: tests/deploy/install_test.py install|systemd SOURCE_DIR BUILD_DIR
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

SKIP = 77
MAX_EXPOSURE = 2.0
errors = []


def fail(what):
    errors.append(what)


def install(build, prefix):
    r = subprocess.run(["cmake", "--install", build, "--prefix", prefix], capture_output=True, text=True)
    if r.returncode != 0:
        fail("cmake --install failed:\n" + r.stdout + r.stderr)
    return r.returncode == 0


def read_unit(path):
    """The unit's settings as {key: [values]} across sections: systemd keys repeat."""
    settings = {}
    section = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith(("#", ";")):
                continue
            if line.startswith("["):
                section = line.strip("[]")
                continue
            key, _, value = line.partition("=")
            settings.setdefault((section, key.strip()), []).append(value.strip())
    return settings


def check_install(source, build):
    prefix = tempfile.mkdtemp(prefix="vigie-install-")
    try:
        if not install(build, prefix):
            return
        for rel in ("bin/vigie", "lib/systemd/system/vigie.service", "lib/sysusers.d/vigie.conf",
                    "etc/vigie/vigie.yaml", "etc/vigie/vigie.example.yaml", "etc/vigie/demo/rules.yaml",
                    "etc/vigie/vigie.env.example"):
            if not os.path.isfile(os.path.join(prefix, rel)):
                fail("cmake --install did not install %s" % rel)
        if errors:
            return
        if not os.access(os.path.join(prefix, "bin/vigie"), os.X_OK):
            fail("bin/vigie is not executable")
        unit = read_unit(os.path.join(prefix, "lib/systemd/system/vigie.service"))
        start = unit.get(("Service", "ExecStart"), [""])[0]
        want = "%s/bin/vigie run --config %s/etc/vigie/vigie.yaml" % (prefix, prefix)
        if not start.startswith(want):
            fail("installed unit: ExecStart=%s, expected it to start with %s" % (start, want))
        # A second install keeps the administrator's config.
        with open(os.path.join(prefix, "etc/vigie/vigie.yaml"), "a", encoding="utf-8") as f:
            f.write("# edited\n")
        install(build, prefix)
        with open(os.path.join(prefix, "etc/vigie/vigie.yaml"), encoding="utf-8") as f:
            if not f.read().endswith("# edited\n"):
                fail("a second cmake --install overwrote etc/vigie/vigie.yaml")
        env = dict(os.environ, VIGIE_TOKEN="install-test-token-0123456789")
        r = subprocess.run([os.path.join(prefix, "bin/vigie"), "check", "--config",
                            os.path.join(prefix, "etc/vigie/vigie.yaml")], capture_output=True, text=True, env=env)
        if r.returncode != 0:
            fail("the installed vigie rejects the installed config:\n" + r.stdout + r.stderr)
    finally:
        shutil.rmtree(prefix, ignore_errors=True)


def check_unit_text(source):
    path = os.path.join(source, "deploy/systemd/vigie.service")
    unit = read_unit(path)

    def want(key, value, section="Service"):
        got = unit.get((section, key))
        if got is None or value not in got:
            fail("deploy/systemd/vigie.service: %s=%s expected, found %s" % (key, value, got))

    want("User", "vigie")
    want("Group", "vigie")
    want("EnvironmentFile", "-/etc/vigie/vigie.env")
    want("ExecReload", "/bin/kill -HUP $MAINPID")
    want("Restart", "on-failure")
    want("KillSignal", "SIGTERM")
    want("ProtectSystem", "strict")
    want("ReadWritePaths", "/var/lib/vigie")
    want("StateDirectory", "vigie")
    want("NoNewPrivileges", "yes")
    want("PrivateTmp", "yes")
    want("ProtectHome", "yes")
    want("CapabilityBoundingSet", "")
    want("WantedBy", "multi-user.target", "Install")
    start = unit.get(("Service", "ExecStart"), [""])[0]
    if "--config /etc/vigie/vigie.yaml" not in start or "--data-dir /var/lib/vigie" not in start:
        fail("deploy/systemd/vigie.service: ExecStart=%s should pass --config /etc/vigie/vigie.yaml and "
             "--data-dir /var/lib/vigie" % start)
    with open(os.path.join(source, "deploy/systemd/vigie.sysusers"), encoding="utf-8") as f:
        if not re.search(r"^u vigie ", f.read(), re.M):
            fail("deploy/systemd/vigie.sysusers should create the user vigie")


def check_systemd(source, build):
    check_unit_text(source)
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        return "systemd-analyze not found (Debian package systemd, deploy/install-deps.sh): the unit's text was " \
               "checked, systemd-analyze verify and security were not run"
    prefix = tempfile.mkdtemp(prefix="vigie-unit-")
    try:
        if not install(build, prefix):
            return None
        unit = os.path.join(prefix, "lib/systemd/system/vigie.service")
        r = subprocess.run([analyze, "verify", unit], capture_output=True, text=True)
        # verify exits 0 on unknown keys or bad values, printing a warning: any line about the unit fails.
        lines = [l for l in (r.stdout + r.stderr).splitlines() if "vigie.service" in l]
        if r.returncode != 0 or lines:
            fail("systemd-analyze verify %s (exit %d):\n%s" % (unit, r.returncode, r.stdout + r.stderr))
        r = subprocess.run([analyze, "security", "--offline=true", unit], capture_output=True, text=True)
        m = re.search(r"Overall exposure level for \S+: ([0-9.]+)", r.stdout + r.stderr)
        if not m:
            print("install: systemd-analyze security --offline printed no exposure level; not checked")
        elif float(m.group(1)) > MAX_EXPOSURE:
            fail("systemd-analyze security: exposure %s, at most %.1f expected:\n%s" % (m.group(1), MAX_EXPOSURE,
                                                                                       r.stdout))
        else:
            print("systemd: exposure level %s (at most %.1f)" % (m.group(1), MAX_EXPOSURE))
    finally:
        shutil.rmtree(prefix, ignore_errors=True)
    return None


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("install", "systemd"):
        print(__doc__)
        return 2
    part, source, build = sys.argv[1], os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3])
    skipped = check_install(source, build) if part == "install" else check_systemd(source, build)
    for e in errors:
        print(e)
    if errors:
        print("%s: %d failure(s)" % (part, len(errors)))
        return 1
    if skipped:
        print("%s: skipped: %s" % (part, skipped))
        return SKIP
    print("%s: ok" % part)
    return 0


if __name__ == "__main__":
    sys.exit(main())
