#!/usr/bin/env bash
# Builds the image with podman and checks it for real: a mounted config, /readyz, one routed
# request to a cell on the host, the HEALTHCHECK, the non-root user, and exit 0 on SIGTERM.
# Needs podman and runc (apt-get install podman runc) and, where no registry is reachable,
# the local base images of ../shared/tools/podman_base.sh. Run as root from the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
cleanup() {
  podman rm -f cr-smoke >/dev/null 2>&1 || true
  [[ -n "${cell_pid:-}" ]] && kill "$cell_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

podman build --isolation=chroot --format docker -t cell-router .

mkdir -p "$work/www" && echo "hello from the smoke cell" > "$work/www/index.html"
python3 -m http.server 18081 --bind 127.0.0.1 -d "$work/www" >/dev/null 2>&1 &
cell_pid=$!
cat > "$work/config.yaml" <<'YAML'
proxy:
  listen: 127.0.0.1:18080
admin:
  listen: 127.0.0.1:19090
registry:
  file: /etc/cell-router/registry.yaml
YAML
cat > "$work/registry.yaml" <<'YAML'
cells:
  - name: cell-1
    endpoint: http://127.0.0.1:18081
customers:
  acme: cell-1
YAML
chmod 755 "$work" && chmod 644 "$work"/*.yaml

podman run -d --name cr-smoke --runtime runc --ulimit nofile=1024:20000 --ulimit nproc=4096:4096 \
  --network host -e CELL_ROUTER_ADMIN_PORT=19090 -v "$work:/etc/cell-router:ro" cell-router >/dev/null
for _ in $(seq 1 60); do
  curl -fs http://127.0.0.1:19090/readyz >/dev/null && break
  sleep 0.5
done
echo "readyz:   $(curl -fs http://127.0.0.1:19090/readyz)"
echo "routed:   $(curl -fs -H 'x-customer-id: acme' http://127.0.0.1:18080/index.html)"
podman healthcheck run cr-smoke && echo "health:   healthy"
echo "user:     $(podman exec cr-smoke id -u)"
podman stop -t 40 cr-smoke >/dev/null
echo "exit:     $(podman inspect cr-smoke --format '{{.State.ExitCode}}')"
