#!/usr/bin/env bash
# Installs what is missing, then builds Vigie (Release) into build/, producing build/vigie.
# Re-running it rebuilds only what changed.
#
# Usage: deploy/build.sh [ninja targets...]      (default: everything, tests and benchmarks included)
# Environment: VIGIE_JOBS (default 2), VIGIE_BUILD_DIR (default build), VIGIE_BUILD_TYPE (default Release).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

"$root/deploy/install-deps.sh"

build_dir="${VIGIE_BUILD_DIR:-build}"
jobs="${VIGIE_JOBS:-2}"
if [ ! -f "$build_dir/build.ninja" ]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="${VIGIE_BUILD_TYPE:-Release}"
fi
ninja -C "$build_dir" -j "$jobs" "$@"
