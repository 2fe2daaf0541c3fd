#!/usr/bin/env bash
# Times `vigie replay` over a month of posts (vigie-load --write-corpus), each build given, in turn, RUNS times,
# and checks that every build prints the same report.
#
#   tests/bench/load/replay.sh [--posts 10000000] [--runs 3] [--dir /tmp/vigie-replay-bench] [VIGIE ...]
#
# VIGIE: the vigie binaries to compare (default: build/vigie), e.g. an older build first and this one second.
# The corpus is written once to DIR/month-N.ndjson and kept for the next run (delete DIR when done). Rules:
# the demo's (two brands, the corpus names them in about 5% of the posts).
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
posts=10000000 runs=3 dir=/tmp/vigie-replay-bench
binaries=()
while (($#)); do
  case $1 in
    --posts) posts=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    -*) echo "replay.sh: unknown option $1" >&2; exit 2 ;;
    *) binaries+=("$1"); shift ;;
  esac
done
((${#binaries[@]})) || binaries=("$root/build/vigie")
mkdir -p "$dir"
corpus=$dir/month-$posts.ndjson
if [[ ! -s $corpus ]]; then
  "$root/build/tests/bench/vigie-load" --write-corpus "$corpus" --posts "$posts"
fi
echo "rules: $root/deploy/demo/rules.yaml" >"$dir/vigie.yaml"
echo "corpus: $corpus ($(du -hL "$corpus" | cut -f1)), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

for ((r = 1; r <= runs; r++)); do
  for i in "${!binaries[@]}"; do
    b=${binaries[$i]}
    start=$(date +%s.%N)
    /usr/bin/time -f "%U %S %M" -o "$dir/time" "$b" replay --config "$dir/vigie.yaml" "$corpus" >"$dir/report-$i.txt"
    end=$(date +%s.%N)
    read -r user sys rss <"$dir/time"
    awk -v b="$b" -v r="$r" -v s="$start" -v e="$end" -v u="$user" -v y="$sys" -v m="$rss" -v n="$posts" \
      'BEGIN { w = e - s; printf "run %d  %-40s %6.1f s  %8.0f posts/s  cpu %5.1f s  max rss %4.0f MiB\n",
               r, b, w, n / w, u + y, m / 1024 }'
    if ((i > 0)) && ! cmp -s "$dir/report-0.txt" "$dir/report-$i.txt"; then
      echo "replay.sh: ${binaries[0]} and $b print different reports:" >&2
      diff "$dir/report-0.txt" "$dir/report-$i.txt" | head -20 >&2
      exit 1
    fi
  done
done
echo "report: $(grep -c opened "$dir/report-0.txt") incidents opened ($dir/report-0.txt)"
