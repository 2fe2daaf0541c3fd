#!/usr/bin/env bash
# Installs what is missing, then builds Vigie (Release) into build/, producing build/vigie.
# Re-running it rebuilds only what changed.
#
# Usage: deploy/build.sh [ninja targets...]      (default: everything, tests and benchmarks included)
# Environment: VIGIE_JOBS (default 2), VIGIE_BUILD_DIR (default build), VIGIE_BUILD_TYPE (default Release),
# VIGIE_CMAKE_ARGS (more options for the first configure, e.g. -DVIGIE_BUILD_TESTS=OFF), VIGIE_DEPS (see
# deploy/install-deps.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

"$root/deploy/install-deps.sh"

build_dir="${VIGIE_BUILD_DIR:-build}"
jobs="${VIGIE_JOBS:-2}"
if [ ! -f "$build_dir/build.ninja" ]; then
  # shellcheck disable=SC2086 # VIGIE_CMAKE_ARGS is a list of options
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="${VIGIE_BUILD_TYPE:-Release}" ${VIGIE_CMAKE_ARGS:-}
fi
ninja -C "$build_dir" -j "$jobs" "$@"
