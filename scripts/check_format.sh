#!/usr/bin/env bash
# Checks that every C++ source file is formatted as .clang-format says; run by the test suite (ctest: format).
# Fix with: scripts/check_format.sh --fix
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mapfile -t files < <(find ingest rules storage daemon tests -path tests/fuzz/corpus -prune -o \
                       -type f \( -name '*.cc' -o -name '*.h' \) -print | sort)
if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${files[@]}"
  exit 0
fi
if ! clang-format --dry-run -Werror "${files[@]}"; then
  echo "format: files above differ from .clang-format; run scripts/check_format.sh --fix" >&2
  exit 1
fi
echo "format: ok (${#files[@]} files)"
