#!/usr/bin/env bash
# Shadow traffic under open-loop load: what reaches the shadow's cell, and what the shadow costs
# the primary. Two counting load-test cells, one router (file registry), customer c0 on cell-1;
# runs of mixed GET and POST (`cell-loadtest run --post-fraction`) alternate without a shadow and
# with a shadow of c0 to cell-2 at FRACTION (set and removed through the admin API between runs).
# Prints, per run with the shadow, the requests each cell received (from the cells' own counts) and
# the router's shadow counters; per run the primary's latency and the router's CPU time; at the
# end the p99 ratio of each pair and the medians.
#
#   mvn -B -pl loadtest -am package -DskipTests && scripts/shadow-load.sh
#
# Knobs (environment): RATE (800 req/s), DURATION (20s), WARMUP (5s, per run), CONNECTIONS (16),
# FRACTION (0.5), POST_FRACTION (0.5), CUSTOMERS (1: c0 carries all the load), ROUNDS (4: each
# round one run without and one with the shadow, the order alternating; on a shared machine the
# tail moves with the neighbours' load, so compare medians over rounds). Needs Java 17+, curl, jq, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
rate=${RATE:-800}
duration=${DURATION:-20s}
warmup=${WARMUP:-5s}
connections=${CONNECTIONS:-16}
fraction=${FRACTION:-0.5}
post_fraction=${POST_FRACTION:-0.5}
customers=${CUSTOMERS:-1}
rounds=${ROUNDS:-4}
router_jar=router/target/cell-router.jar
load_jar=loadtest/target/cell-loadtest.jar
token=shadow-load-admin-token-0123456789

for jar in "$router_jar" "$load_jar"; do
  [[ -f $jar ]] || { echo "shadow-load: no $jar: build first (mvn -B -pl loadtest -am package -DskipTests)" >&2; exit 2; }
done
for tool in java curl jq python3; do
  command -v "$tool" >/dev/null || { echo "shadow-load: $tool is needed" >&2; exit 2; }
done

work=$(mktemp -d)
pids=()
cleanup() {
  [[ ${#pids[@]} -gt 0 ]] && kill "${pids[@]}" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# until FILE has a line "listening on HOST:PORT"; prints the port
wait_listening() {
  for _ in $(seq 200); do
    if grep -q '^listening on ' "$1" 2>/dev/null; then
      sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$1" | head -1
      return
    fi
    sleep 0.1
  done
  echo "shadow-load: $1 never said where it listens" >&2
  exit 1
}

declare -A cell_port
for cell in cell-1 cell-2; do
  java -jar "$load_jar" cell --name "$cell" --count >"$work/$cell.out" 2>"$work/$cell.err" &
  pids+=($!)
done
for cell in cell-1 cell-2; do
  cell_port[$cell]=$(wait_listening "$work/$cell.out")
done

{
  echo "cells:"
  echo "  - {name: cell-1, endpoint: http://127.0.0.1:${cell_port[cell-1]}}"
  echo "  - {name: cell-2, endpoint: http://127.0.0.1:${cell_port[cell-2]}}"
  echo "customers:"
  echo "  c0: cell-1"
  for ((i = 1; i < customers; i++)); do echo "  c$i: cell-$((i % 2 + 1))"; done
} >"$work/registry.yaml"
proxy_port=$(free_port)
admin_port=$(free_port)
cat >"$work/config.yaml" <<YAML
proxy:
  listen: 127.0.0.1:$proxy_port
admin:
  listen: 127.0.0.1:$admin_port
  token: \${SHADOW_LOAD_ADMIN_TOKEN}
registry:
  file: registry.yaml
accessLog:
  enabled: false
YAML
SHADOW_LOAD_ADMIN_TOKEN=$token java -jar "$router_jar" serve --config "$work/config.yaml" \
  >"$work/router.out" 2>"$work/router.err" &
router_pid=$!
pids+=($router_pid)
admin=http://127.0.0.1:$admin_port
for _ in $(seq 300); do
  [[ $(curl -s -o /dev/null -w '%{http_code}' "$admin/readyz") == 200 ]] && break
  sleep 0.1
done
[[ $(curl -s -o /dev/null -w '%{http_code}' "$admin/readyz") == 200 ]] \
  || { echo "shadow-load: the router did not get ready:" >&2; cat "$work/router.err" >&2; exit 1; }

api() { # METHOD PATH [BODY]: fails on an answer other than 2xx
  curl -sS --fail-with-body -X "$1" -H "authorization: Bearer $token" -H 'content-type: application/json' \
    ${3:+--data "$3"} "$admin$2"
}

# "count CUSTOMER METHOD primary|shadow N" lines of a cell, summed over both cells as CELL-prefixed keys
tallies() {
  for cell in cell-1 cell-2; do
    curl -sS "http://127.0.0.1:${cell_port[$cell]}/.tally" | sed "s/^count /$cell /"
  done
}
shadow_meters() {
  curl -sS "$admin/metrics" | grep -E '^cellrouter_shadow_(requests|shed)_total' || true
}
# after the run: shadows leave after their primary's answer; wait until the counts stand still
settled_tallies() {
  local before after
  before=$(tallies)
  for _ in $(seq 50); do
    sleep 0.2
    after=$(tallies)
    [[ $after == "$before" ]] && break
    before=$after
  done
  echo "$after"
}
# COUNT of "CELL CUSTOMER METHOD KIND" between two tallies
delta() {
  local key="$1 " a b
  a=$(grep -F "$key" <<<"$2" | awk '{print $NF}')
  b=$(grep -F "$key" <<<"$3" | awk '{print $NF}')
  echo $((${b:-0} - ${a:-0}))
}
meter() { # VALUE of a metrics line matching a pattern, 0 when absent
  local v
  v=$(grep -F "$1" <<<"$2" | awk '{print $NF}' | head -1)
  printf '%.0f' "${v:-0}"
}

router_cpu_ticks() { # user + system clock ticks of the router process so far
  awk '{print $14 + $15}' "/proc/$router_pid/stat"
}

# one run (warm-up included); sets p50 p90 p99 p999 (us) and cpu_ms (the router's CPU time for it)
run_load() {
  local ticks
  ticks=$(router_cpu_ticks)
  java -jar "$load_jar" run --target "http://127.0.0.1:$proxy_port" --rate "$rate" --duration "$1" \
    --warmup "$2" --connections "$connections" --customers "$customers" --post-fraction "$post_fraction" \
    --json --quiet >"$work/run.json"
  cpu_ms=$((($(router_cpu_ticks) - ticks) * 1000 / $(getconf CLK_TCK)))
  local errors
  errors=$(jq '[.errors[]] | add // 0' "$work/run.json")
  [[ $errors == 0 ]] || { echo "shadow-load: the run had errors: $(jq -c .errors "$work/run.json")" >&2; exit 1; }
  read -r p50 p90 p99 p999 < <(jq -r '.latency_us | "\(.p50) \(.p90) \(.p99) \(.p999)"' "$work/run.json")
}

median() { # of the arguments
  printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", b ? a / b : 0}'; }

echo "shadow load: $rate req/s open loop, $duration measured (+$warmup warm-up) per run, $connections connections,"
echo "  $customers customer(s), ${post_fraction} of the requests POST; shadow of c0 to cell-2 at fraction $fraction"
echo "  router $router_jar, cells: cell-loadtest cell --count; $(nproc) cores"
# the router's JIT, on the primary's path and the shadow's: not measured
api PUT /admin/v1/customers/c0/shadow \
  "{\"toCell\": \"cell-2\", \"fraction\": $fraction, \"ttl\": \"10m\", \"reason\": \"warm-up\"}" >/dev/null
run_load 20s 0s
api DELETE /admin/v1/customers/c0/shadow >/dev/null

declare -a p50_off p50_on p99_off p99_on cpu_off cpu_on pair_ratios
for ((round = 1; round <= rounds; round++)); do
  if ((round % 2 == 1)); then order="off on"; else order="on off"; fi
  for mode in $order; do
    if [[ $mode == off ]]; then
      run_load "$duration" "$warmup"
      p99_off[round]=$p99
      p50_off[round]=$p50
      cpu_off[round]=$cpu_ms
      echo "round $round without shadow: p50 $p50 us, p90 $p90 us, p99 $p99 us, p99.9 $p999 us; router CPU ${cpu_ms} ms"
      continue
    fi
    api PUT /admin/v1/customers/c0/shadow \
      "{\"toCell\": \"cell-2\", \"fraction\": $fraction, \"ttl\": \"10m\", \"reason\": \"shadow-load.sh\"}" >/dev/null
    t0=$(tallies)
    m0=$(shadow_meters)
    run_load "$duration" "$warmup"
    t1=$(settled_tallies)
    m1=$(shadow_meters)
    api DELETE /admin/v1/customers/c0/shadow >/dev/null
    p99_on[round]=$p99
    p50_on[round]=$p50
    cpu_on[round]=$cpu_ms
    get=$(delta "cell-1 c0 GET primary" "$t0" "$t1")
    post=$(delta "cell-1 c0 POST primary" "$t0" "$t1")
    shadow_get=$(delta "cell-2 c0 GET shadow" "$t0" "$t1")
    shadow_post=$(delta "cell-2 c0 POST shadow" "$t0" "$t1")
    stray=$(delta "cell-1 c0 GET shadow" "$t0" "$t1")
    match=$(($(meter 'result="match"' "$m1") - $(meter 'result="match"' "$m0")))
    mismatch=$(($(meter 'result="mismatch"' "$m1") - $(meter 'result="mismatch"' "$m0")))
    error=$(($(meter 'result="error"' "$m1") - $(meter 'result="error"' "$m0")))
    shed=$(($(meter 'cellrouter_shadow_shed_total' "$m1") - $(meter 'cellrouter_shadow_shed_total' "$m0")))
    echo "round $round with shadow:    p50 $p50 us, p90 $p90 us, p99 $p99 us, p99.9 $p999 us; router CPU ${cpu_ms} ms"
    echo "  cell-1 received c0: $get GET, $post POST;  cell-2 received c0 shadow copies: $shadow_get GET, $shadow_post POST"
    echo "  shadowed share of c0's GETs: $(ratio "$shadow_get" "$get") (fraction $fraction);" \
      "router: shadow match $match, mismatch $mismatch, error $error, shed $shed"
    if ((shadow_post != 0 || stray != 0)); then
      echo "shadow-load: FAIL: POSTs were shadowed ($shadow_post) or copies reached cell-1 ($stray)" >&2
      exit 1
    fi
  done
  pair_ratios[round]=$(ratio "${p99_on[round]}" "${p99_off[round]}")
done
echo "p99 with/without shadow, each round: ${pair_ratios[*]}"
echo "median p50: with $(median "${p50_on[@]}") us, without $(median "${p50_off[@]}") us," \
  "ratio $(ratio "$(median "${p50_on[@]}")" "$(median "${p50_off[@]}")")"
echo "median p99: with $(median "${p99_on[@]}") us, without $(median "${p99_off[@]}") us," \
  "ratio $(ratio "$(median "${p99_on[@]}")" "$(median "${p99_off[@]}")")"
echo "median router CPU per run: with $(median "${cpu_on[@]}") ms, without $(median "${cpu_off[@]}") ms," \
  "ratio $(ratio "$(median "${cpu_on[@]}")" "$(median "${cpu_off[@]}")")"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (on $(nproc) cores shared with whatever else runs)"
