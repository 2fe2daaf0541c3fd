#!/usr/bin/env bash
# http_push measured by an outside load tool: wrk (Debian's package) drives a real `vigie run` on loopback with
# tests/bench/load/wrk_push.lua, batches of real-looking posts (vigie-load's corpus) with fresh uids. At the
# end it checks that the daemon stored exactly the posts it acknowledged, and prints wrk's figures as one JSON
# line (posts/s acknowledged, statuses, latency p50/p99/p99.9/max as wrk measures it: from each actual send,
# not corrected for coordinated omission; vigie-load --rate is the tool for latency at a steady rate).
#
# Usage: tests/bench/load/wrk_push.sh [--rules FILE] [--connections 16] [--batch 200] [--duration 15]
#                                     [--threads 1] [--http-threads 2] [--build build]
# Example: python3 tests/bench/load/make_rules.py --rules 1000 > /tmp/rules-1000.yaml &&
#          tests/bench/load/wrk_push.sh --rules /tmp/rules-1000.yaml
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
build="$root/build"
rules="$root/deploy/demo/rules.yaml"
connections=16
batch=200
duration=15
threads=1
http_threads=2
while [ $# -gt 0 ]; do
  case "$1" in
    --rules) rules="$(realpath "$2")"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --batch) batch="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --http-threads) http_threads="$2"; shift 2 ;;
    --build) build="$(realpath "$2")"; shift 2 ;;
    *) echo "wrk_push.sh: unknown option $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "wrk_push.sh: wrk is not installed (deploy/install-deps.sh installs it)" >&2; exit 2; }
[ -x "$build/vigie" ] || { echo "wrk_push.sh: no $build/vigie: build first (deploy/build.sh)" >&2; exit 2; }

work="$(mktemp -d /tmp/vigie-wrk.XXXXXX)"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

token="wrk-push-token-0123456789abcdef"
"$build/tests/bench/vigie-load" --write-corpus "$work/corpus.ndjson" --posts 20000 >/dev/null
cat > "$work/vigie.yaml" <<YAML
listen: 127.0.0.1:0
data_dir: data
rules: $rules
storage: {sync: every_batch}
http: {threads: $http_threads, max_body_bytes: 64MiB}
sources:
  - {id: push, type: http_push}
auth:
  tokens:
    - {name: wrk, token: $token, roles: [ingest, read]}
YAML
"$build/vigie" run --config "$work/vigie.yaml" >"$work/vigie.log" 2>&1 &
pid=$!
port=""
for _ in $(seq 1 300); do
  port="$(sed -n 's/.*http: listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/vigie.log" | head -1)"
  if [ -n "$port" ] && curl -sf "http://127.0.0.1:$port/readyz" >/dev/null; then break; fi
  kill -0 "$pid" 2>/dev/null || { echo "wrk_push.sh: vigie exited:" >&2; cat "$work/vigie.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { echo "wrk_push.sh: vigie never said where it listens" >&2; cat "$work/vigie.log" >&2; exit 1; }

stored() {
  curl -sf "http://127.0.0.1:$port/metrics" |
    awk '/^vigie_pipeline_posts_stored_total/ { s += $2 } END { printf "%d\n", s }'
}
before="$(stored)"
CORPUS="$work/corpus.ndjson" TOKEN="$token" BATCH="$batch" RUN="$$" \
  wrk -t"$threads" -c"$connections" -d"${duration}s" --timeout 10s -s "$root/tests/bench/load/wrk_push.lua" \
  "http://127.0.0.1:$port/api/v1/posts" >"$work/wrk.out"
result="$(grep '^{' "$work/wrk.out" | tail -1)"
[ -n "$result" ] || { echo "wrk_push.sh: no result from wrk:" >&2; cat "$work/wrk.out" >&2; exit 1; }
# wrk stops at the deadline without waiting for the answers in flight: those posts may be stored without wrk
# having counted their 202. So: at least every post acknowledged, at most one more batch per connection.
acknowledged="$(sed -n 's/.*"posts_acknowledged":\([0-9]*\).*/\1/p' <<<"$result")"
sleep 2
after="$(stored)"
echo "${result%\}},\"posts_stored\":$((after - before))}"
if [ "$((after - before))" -lt "$acknowledged" ] ||
   [ "$((after - before))" -gt "$((acknowledged + connections * batch))" ]; then
  echo "wrk_push.sh: $acknowledged posts acknowledged but $((after - before)) stored" >&2
  exit 1
fi
