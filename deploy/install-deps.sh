#!/usr/bin/env bash
# Installs every Debian package Vigie needs to build, test and run. Idempotent: packages already present are
# left alone and apt is not touched at all when nothing is missing, so repeated builds stay fast.
#
# Usage: deploy/install-deps.sh            (as root, or with sudo available)
# Environment: VIGIE_DEPS=build installs only what building the vigie binary needs (the container's build stage,
# configured with -DVIGIE_BUILD_TESTS=OFF); the default, all, adds the test suite's tools.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config git ca-certificates curl python3
  # libraries
  libboost1.81-all-dev libre2-dev librocksdb-dev prometheus-cpp-dev libspdlog-dev libfmt-dev
  libyaml-cpp-dev libutf8proc-dev libpugixml-dev libcld2-dev libssl-dev openssl libcli11-dev
)
if [ "${VIGIE_DEPS:-all}" != build ]; then packages+=(
  # tests, benchmarks, fuzzing
  libgtest-dev libgmock-dev libbenchmark-dev clang libclang-rt-14-dev
  # the outside load tool of tests/bench/load/wrk_push.sh (and its smoke test in the suite)
  wrk
  # source checks (scripts/check_format.sh)
  clang-format
  # the Prometheus server and promtool: the suite runs both (tests/prometheus, tests/deploy)
  prometheus
  # PyYAML for the Python checks (tests/deploy compose and provisioning files, tests/prometheus alert rules);
  # systemd-analyze for the unit
  python3-yaml systemd
  # the page's browser tests (tests/web): Debian's chromium, driven from Node.js by puppeteer-core (npm)
  chromium nodejs
); fi
# npm comes with Debian's nodejs as its own package, and inside NodeSource's nodejs (which conflicts with Debian's
# npm): ask for it only when the command is missing.
if [ "${VIGIE_DEPS:-all}" != build ] && ! command -v npm >/dev/null; then packages+=(npm); fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
# The prometheus package would start a server through its init scripts; Vigie only needs promtool from it.
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
