#!/usr/bin/env bash
# README command 2: installs what is missing, builds everything, and runs the whole test suite with ctest.
# Exits non-zero on any failure.
#
# Usage: tests/run.sh [ctest arguments...]     e.g. tests/run.sh -R Daemon
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

"$root/deploy/build.sh"

build_dir="${VIGIE_BUILD_DIR:-build}"
# The browser tests' npm packages (puppeteer-core; the browser is Debian's chromium), into the build directory.
"$root/tests/web/install.sh" "$build_dir/tests/web"
# Tests run two at a time (the machines have 2 cores); each test binary case gets its own timeout.
ctest --test-dir "$build_dir" --output-on-failure -j "${VIGIE_JOBS:-2}" "$@"
