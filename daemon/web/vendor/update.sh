#!/usr/bin/env bash
# Refreshes the vendored uPlot (daemon/web/vendor/uplot/) from the npm registry. The build never runs this: the
# files are committed, embedded into the binary at build time, and the page needs no network.
#
# Usage: daemon/web/vendor/update.sh [VERSION]     fetch uplot@VERSION (default: the one in uplot/VERSION),
#                                                  check it against the registry's integrity hash, copy the
#                                                  browser build, its CSS and its licence, and write SHA256SUMS
#        daemon/web/vendor/update.sh --check       check the vendored files against SHA256SUMS (offline; the
#                                                  test suite runs this as web_vendor)
#
# Needs npm (npm pack verifies the tarball against the registry's sha512 integrity; this script checks it again,
# so that a tarball taken from a cache is held to the same hash).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dest="$here/uplot"
files=(uPlot.iife.min.js uPlot.min.css LICENSE)

if [ "${1:-}" = "--check" ]; then
  cd "$dest"
  sha256sum --quiet -c SHA256SUMS
  echo "vendor: uplot $(cat VERSION) matches SHA256SUMS"
  exit 0
fi

version="${1:-$(cat "$dest/VERSION")}"
case "$version" in
  1.6.*) ;;
  *) echo "update.sh: uplot $version: the page is written against uPlot 1.6.x" >&2; exit 2 ;;
esac
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
integrity="$(npm view "uplot@$version" dist.integrity)"
tarball="$(npm pack --silent "uplot@$version")"
actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [ "$actual" != "$integrity" ]; then
  echo "update.sh: $tarball: sha512 $actual, the registry says $integrity" >&2
  exit 1
fi
license="$(npm view "uplot@$version" license)"
if [ "$license" != MIT ]; then
  echo "update.sh: uplot $version is licensed '$license', not MIT: review before vendoring" >&2
  exit 1
fi
tar xzf "$tarball"
cp package/dist/uPlot.iife.min.js package/dist/uPlot.min.css package/LICENSE "$dest/"
echo "$version" >"$dest/VERSION"
{
  echo "# uplot@$version from the npm registry, tarball $integrity"
  (cd "$dest" && sha256sum "${files[@]}")
} >"$dest/SHA256SUMS"
echo "vendor: uplot $version in $dest"
