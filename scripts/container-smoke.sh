#!/usr/bin/env bash
# Builds the image with podman and checks it for real: `check` on a mounted configuration, the
# router started from it, /readyz 200 from the container, one routed request to a cell on the host,
# the HEALTHCHECK, the non-root user, and exit code 0 after SIGTERM. Any failure exits non-zero.
#
# Needs root (podman storage, and the base-image script). Installs podman, runc, buildah (the
# base-image script builds with it), curl and python3 with apt-get when they are missing. Where no container registry is reachable, the base images of
# the Dockerfile come from ../shared/tools/podman_base.sh (relative to the repository; override with
# PODMAN_BASE_SH): local stand-ins built from Debian packages.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

say() { printf '[smoke] %s\n' "$*"; }
# podman without systemd (CI containers) reports on stderr that it cannot add healthcheck timers;
# the smoke test runs the HEALTHCHECK by hand (podman healthcheck run), so that line is only noise.
quiet_podman() { podman "$@" 2> >(grep -v 'unable to get systemd connection' >&2); }
die() { printf '[smoke] FAILED: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (podman storage and the base images need it)"

missing=()
for tool in podman:podman runc:runc buildah:buildah curl:curl python3:python3; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "${missing[@]}" \
    || { apt-get update && apt-get install -y --no-install-recommends "${missing[@]}"; } \
    || die "cannot install ${missing[*]}"
fi
for tool in podman runc buildah curl python3; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is still missing after apt-get install"
done

# ---- base images: maven:3.9-eclipse-temurin-17 (build stage) and eclipse-temurin:17-jre
base_images=(maven:3.9-eclipse-temurin-17 eclipse-temurin:17-jre)
have_bases() { for i in "${base_images[@]}"; do podman image exists "$i" || return 1; done; }
if ! have_bases; then
  podman_base=${PODMAN_BASE_SH:-$repo/../shared/tools/podman_base.sh}
  [ -f "$podman_base" ] || die "base images ${base_images[*]} are not present and $podman_base is missing:
  no container registry is reachable from CI, so the images must be built locally by that script"
  say "building local base images with $podman_base"
  bash "$podman_base" --no-21
  have_bases || die "$podman_base ran but ${base_images[*]} are still missing"
fi

# ---- the image
image=cell-router-smoke:$$
name=cell-router-smoke-$$
work=$(mktemp -d)
cell_pid=
cleanup() {
  podman rm -f "$name" >/dev/null 2>&1 || true
  podman rmi "$image" >/dev/null 2>&1 || true
  [ -n "$cell_pid" ] && kill "$cell_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

say "podman build (the Dockerfile's build stage compiles with Maven inside the container)"
t0=$SECONDS
podman build --isolation=chroot --format docker -t "$image" . || die "the image does not build"
say "image built in $((SECONDS - t0))s"

# ---- a cell on the host, and the configuration mounted into the container
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
cell_port=$(free_port); proxy_port=$(free_port); admin_port=$(free_port)
mkdir -p "$work/www" && echo "hello from the smoke cell" > "$work/www/index.html"
python3 -m http.server "$cell_port" --bind 127.0.0.1 -d "$work/www" >/dev/null 2>&1 &
cell_pid=$!
mkdir -p "$work/etc" "$work/data"
cat > "$work/etc/config.yaml" <<YAML
proxy:
  listen: 127.0.0.1:$proxy_port
admin:
  listen: 127.0.0.1:$admin_port
registry:
  file: /var/lib/cell-router/registry.yaml
YAML
# The registry lives in a folder the router's user (uid 10001) may write: moves write it (a lock
# file and a new copy renamed over the old one, beside it).
cat > "$work/data/registry.yaml" <<YAML
cells:
  - name: cell-1
    endpoint: http://127.0.0.1:$cell_port
  - name: cell-2
    endpoint: http://127.0.0.1:$cell_port
customers:
  acme: cell-1
YAML
chmod 755 "$work" "$work/etc" && chmod 644 "$work"/etc/*.yaml && chown -R 10001 "$work/data"

run=(quiet_podman run --runtime runc --ulimit nofile=1024:20000 --ulimit nproc=4096:4096 --network host
     -v "$work/etc:/etc/cell-router:ro" -v "$work/data:/var/lib/cell-router")

say "cell-router check in the container"
"${run[@]}" --rm "$image" check --config /etc/cell-router/config.yaml || die "check refused the configuration"

say "starting the router"
"${run[@]}" -d --name "$name" -e CELL_ROUTER_ADMIN_PORT="$admin_port" "$image" >/dev/null
ready=
for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$admin_port/readyz" >/dev/null 2>&1; then ready=1; break; fi
  [ "$(podman inspect "$name" --format '{{.State.Running}}')" = true ] || break
  sleep 0.5
done
if [ -z "$ready" ]; then
  podman logs "$name" >&2 || true
  die "/readyz did not answer 200 within 60 s"
fi
say "readyz:  $(curl -fsS "http://127.0.0.1:$admin_port/readyz")"
# The start line names the transport: io_uring, or epoll with the reason (a seccomp profile that
# refuses io_uring, for one).
start_line=$(podman logs "$name" 2>&1 | grep -m1 'cell-router .* started:' || true)
[ -n "$start_line" ] || { podman logs "$name" >&2; die "no start line in the router's log"; }
say "started: ${start_line#*started: }"

routed=$(curl -fsS -H 'x-customer-id: acme' "http://127.0.0.1:$proxy_port/index.html") \
  || { podman logs "$name" >&2; die "the routed request failed"; }
[ "$routed" = "hello from the smoke cell" ] || die "the routed request answered '$routed'"
say "routed:  $routed"

moved=$(curl -sS -o "$work/move.json" -w '%{http_code}' -X POST -H 'content-type: application/json' \
  -d '{"toCell":"cell-2"}' "http://127.0.0.1:$admin_port/admin/v1/customers/acme/move") \
  || die "the admin API did not answer the move"
[ "$moved" = 200 ] || { cat "$work/move.json" >&2; die "the move answered $moved (the registry file must be writable)"; }
grep -Eq '^ *acme: *cell-2' "$work/data/registry.yaml" || die "the move did not reach the registry file"
say "moved:   acme to cell-2, written to the mounted registry file"

podman healthcheck run "$name" || die "the image's HEALTHCHECK failed"
say "health:  healthy"

uid=$(podman exec "$name" id -u)
[ "$uid" != 0 ] || die "the router runs as root"
say "user:    uid $uid"

quiet_podman stop -t 40 "$name" >/dev/null
code=$(podman inspect "$name" --format '{{.State.ExitCode}}')
podman logs "$name" 2>&1 | tail -3 | sed 's/^/[smoke] log: /'
[ "$code" = 0 ] || die "exit code $code after SIGTERM (expected 0)"
say "exit:    $code after SIGTERM"
say "passed"
