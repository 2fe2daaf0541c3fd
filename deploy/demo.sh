#!/usr/bin/env bash
# README command 1: installs what is missing, builds Vigie, and runs it on the embedded demo: bundled example
# rules (deploy/demo/rules.yaml) and a bundled feed of invented posts replayed at 20x, data in ./var/.
# Stop it with Ctrl-C (a clean shutdown: nothing stored is lost).
#
# Environment: VIGIE_LISTEN (default 127.0.0.1:8080), VIGIE_TOKEN (API token; default demo-token-change-me).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

"$root/deploy/build.sh" vigie

listen="${VIGIE_LISTEN:-127.0.0.1:8080}"
token="${VIGIE_TOKEN:-demo-token-change-me}"
export VIGIE_TOKEN="$token"
# The token in the page link's fragment, percent-encoded (the page reads the fragment as URL parameters).
token_url="$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$token")"
mkdir -p var
cat <<MSG

Vigie demo: data in $root/var, API token "$token".
  page        http://$listen/#token=$token_url
              (open it in a browser: the token goes from the link into the browser and leaves the address bar)
  health      http://$listen/healthz
  metrics     http://$listen/metrics
  API         curl -H "Authorization: Bearer $token" http://$listen/api/v1/version
  incidents   curl -H "Authorization: Bearer $token" http://$listen/api/v1/incidents
              (the Acme Bank outage opens one about 75 seconds after start; the replay lasts nine minutes)

The same demo with Prometheus and the Grafana dashboards (needs Docker; run it instead of this script):
  docker compose -f deploy/docker-compose.yml up --build
  then Grafana http://localhost:3000 (dashboards "Vigie / Brand sentiment" and "Vigie / Pipeline health"),
  Prometheus http://localhost:9090, Vigie http://localhost:8080

MSG
exec "$root/build/vigie" run --config deploy/demo/vigie.yaml --listen "$listen" --data-dir var
