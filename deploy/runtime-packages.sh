#!/usr/bin/env bash
# Prints the Debian packages that hold the shared libraries a binary loads (ldd), one a line, sorted: what the
# container's runtime stage installs (deploy/Dockerfile), so that the list follows the libraries Vigie links.
# libc6 is left out: every Debian image has it.
#
# Usage: deploy/runtime-packages.sh [BINARY]      (default: build/vigie)
set -euo pipefail
binary="${1:-build/vigie}"
ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | while read -r lib; do
  # With merged /usr, dpkg may know a library by its /lib or by its /usr/lib path.
  owner=""
  for path in "$lib" "$(readlink -f "$lib")" "/usr$lib" "${lib#/usr}"; do
    if owner="$(dpkg-query -S "$path" 2>/dev/null)"; then break; fi
  done
  if [ -z "$owner" ]; then
    echo "runtime-packages: no Debian package holds $lib" >&2
    exit 1
  fi
  echo "${owner%%:*}"
done | sed 's/, /\n/g' | { grep -vx 'libc6' || true; } | sort -u
