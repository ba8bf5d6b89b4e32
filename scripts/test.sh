#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs the programs the tests run when they are
# missing (scripts/test-tools.sh: apt-get, needs root for that), then `mvn -B verify`, which
# installs dynalite with npm ci and runs every unit and integration test. Nothing is skipped: a
# test whose program is missing fails and names this script.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/test-tools.sh
mvn -B verify "$@"
