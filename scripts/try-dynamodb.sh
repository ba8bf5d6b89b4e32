#!/usr/bin/env bash
# The DynamoDB store on your machine, nothing from AWS: dynalite (a DynamoDB-compatible server,
# from npm) in memory, two small cells (python3 -m http.server), then the router's own commands:
# `registry create-table`, `registry import`, `serve`. Ctrl-C (or SIGTERM) stops everything.
#
#   mvn -B -q -DskipTests package && scripts/try-dynamodb.sh
#
# Ports: PROXY_PORT (8080), ADMIN_PORT (9090), DYNALITE_PORT (8000), CELL1_PORT (18081),
# CELL2_PORT (18082). Needs Java 17+, Node.js 18+ and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
proxy_port=${PROXY_PORT:-8080}
admin_port=${ADMIN_PORT:-9090}
dynalite_port=${DYNALITE_PORT:-8000}
cell1_port=${CELL1_PORT:-18081}
cell2_port=${CELL2_PORT:-18082}
jar=router/target/cell-router.jar

[[ -f $jar ]] || { echo "try-dynamodb: no $jar: build first (mvn -B -q -DskipTests package)" >&2; exit 2; }
[[ -f node_modules/dynalite/cli.js ]] || npm ci --no-audit --no-fund --loglevel=error

work=$(mktemp -d)
pids=()
cleanup() {
  [[ ${#pids[@]} -gt 0 ]] && kill "${pids[@]}" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

# dynalite exits when a client aborts a request half way (what an SDK attempt timeout does);
# DynamoDB shrugs that off, and so does dynalite with this guard loaded first.
cat >"$work/guard.js" <<'JS'
process.on('uncaughtException', (err) => {
  if (err && (err.code === 'ECONNRESET' || err.message === 'aborted')) return;
  console.error(err);
  process.exit(1);
});
JS
node --require "$work/guard.js" node_modules/dynalite/cli.js --host 127.0.0.1 --port "$dynalite_port" \
  --createTableMs 0 --deleteTableMs 0 --updateTableMs 0 >"$work/dynalite.log" 2>&1 &
pids+=($!)
for cell in cell-1:$cell1_port cell-2:$cell2_port; do
  mkdir -p "$work/${cell%%:*}"
  echo "hello from ${cell%%:*}" >"$work/${cell%%:*}/index.html"
  python3 -m http.server "${cell#*:}" --bind 127.0.0.1 -d "$work/${cell%%:*}" >/dev/null 2>&1 &
  pids+=($!)
done
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$dynalite_port") 2>/dev/null && break
  sleep 0.1
done

cat >"$work/config.yaml" <<YAML
proxy:
  listen: 127.0.0.1:$proxy_port
admin:
  listen: 127.0.0.1:$admin_port
registry:
  dynamodb:
    table: cell-router
    endpoint: http://127.0.0.1:$dynalite_port
    # A JVM's first call (the SDK starting) can take more than the 1s default on a laptop.
    callTimeout: 5s
    attemptTimeout: 2s
  snapshot: snapshot.json
YAML
cat >"$work/registry.yaml" <<YAML
cells:
  - name: cell-1
    endpoint: http://127.0.0.1:$cell1_port
  - name: cell-2
    endpoint: http://127.0.0.1:$cell2_port
customers:
  acme: cell-1
  globex: cell-2
YAML

java -jar "$jar" registry create-table --config "$work/config.yaml"
java -jar "$jar" registry import "$work/registry.yaml" --config "$work/config.yaml"
cat <<TEXT
try-dynamodb: dynalite on 127.0.0.1:$dynalite_port, table cell-router; the router on :$proxy_port, admin on :$admin_port
  curl -H 'x-customer-id: acme' http://127.0.0.1:$proxy_port/          # hello from cell-1
  curl -H 'x-customer-id: globex' http://127.0.0.1:$proxy_port/        # hello from cell-2
  curl http://127.0.0.1:$admin_port/readyz                             # "origin": "store"
  java -jar $jar registry export --config $work/config.yaml
TEXT
java -jar "$jar" serve --config "$work/config.yaml" &
pids+=($!)
wait $!
