#!/usr/bin/env bash
# Installs the operating-system programs the test suite runs, when they are missing:
#   node, npm              (Debian packages nodejs, npm) dynalite, the DynamoDB test server (npm ci)
#   prometheus, promtool   (Debian package prometheus)   MonitoringIT, AlertRulesTest
#   python3                (Debian package python3)      TryDynamoDbScriptIT (the script's cells)
#   chromium, chromedriver (chromium, chromium-driver)   ConsoleIT (the web console in a browser)
#   haproxy                (Debian package haproxy)      ProxyProtocolIT (a load balancer sending PROXY v1/v2)
#   curl                   (Debian package curl)         CertificateRotationIT, command-line checks in the tests
#   script                 (Debian package bsdutils)     AdminCommandIT (the CLI at a pseudo-terminal)
# Idempotent and quick when everything is there (no apt-get at all then). Needs root (or sudo)
# only when something must be installed. The tests never skip: without these programs they fail
# and name this script.
#
# scripts/test.sh (the README's test command, and CI's) runs it before the build.
# To add a tool: one more COMMAND:PACKAGE line in tools below.
set -euo pipefail

# COMMAND:PACKAGE, one per program a test runs.
tools=(
  node:nodejs
  npm:npm
  prometheus:prometheus
  promtool:prometheus
  python3:python3
  chromium:chromium
  chromedriver:chromium-driver
  haproxy:haproxy
  curl:curl
  script:bsdutils
)

installed() { command -v "$1" >/dev/null 2>&1 || [[ -x "/usr/bin/$1" || -x "/usr/sbin/$1" ]]; }

missing_packages=()
for tool in "${tools[@]}"; do
  installed "${tool%%:*}" || missing_packages+=("${tool#*:}")
done

if [[ ${#missing_packages[@]} -eq 0 ]]; then
  echo "test-tools: everything is installed"
  exit 0
fi

# One package may provide several missing commands.
mapfile -t packages < <(printf '%s\n' "${missing_packages[@]}" | sort -u)
echo "test-tools: installing ${packages[*]}"
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    echo "test-tools: ${packages[*]} missing and not root: run as root, or apt-get install ${packages[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
# --no-install-recommends: the prometheus package's daemon is not started by the tests; they
# run their own server on a free port.
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}"

for tool in "${tools[@]}"; do
  installed "${tool%%:*}" || { echo "test-tools: ${tool%%:*} still missing after installing" >&2; exit 1; }
done
echo "test-tools: installed ${packages[*]}"
