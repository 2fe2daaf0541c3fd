#!/usr/bin/env bash
# Installs the browser tests' npm packages (puppeteer-core, pinned by package-lock.json) into DEST/node_modules
# with `npm ci`, when they are missing or older than the lock file; otherwise does nothing. No browser is
# downloaded: the tests drive Debian's chromium (deploy/install-deps.sh installs it, with nodejs and npm).
# The packages go to the build directory, never into the source tree.
#
# Usage: tests/web/install.sh DEST        (tests/run.sh and the ctest fixture web_deps pass build/tests/web)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dest="${1:?usage: tests/web/install.sh DEST}"
mkdir -p "$dest"
dest="$(cd "$dest" && pwd)"  # absolute: the install below runs from inside it
want="$(cat "$here/package.json" "$here/package-lock.json" | sha256sum | cut -d' ' -f1)"
stamp="$dest/node_modules/.vigie-lock-sha256"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "web tests: npm packages up to date in $dest"
  exit 0
fi
if ! command -v npm >/dev/null; then
  echo "web tests: npm is missing (deploy/install-deps.sh installs it)" >&2
  exit 1
fi
cp "$here/package.json" "$here/package-lock.json" "$dest/"
cd "$dest"
PUPPETEER_SKIP_DOWNLOAD=1 npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
echo "$want" >"$stamp"
echo "web tests: npm packages installed in $dest"
