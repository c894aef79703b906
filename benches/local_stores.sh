#!/usr/bin/env bash
# Scanning an image where the Docker Engine keeps it (`scan docker-daemon:IMAGE`)
# against the workaround it replaces (`docker save -o FILE`, then
# `scan docker-archive:FILE`): wall time, peak RSS, and bytes written to disk
# by the client and by the daemon (write_bytes of /proc/PID/io, which counts
# reaped children too).
#
#   DOCKER_HOST=unix:///path/d.sock benches/local_stores.sh IMAGE [STOWAWAY] [DOCKERD_PID]
#
# With PODMAN_ROOT=DIR (and PODMAN_RUNROOT=DIR, the run root it was made with) set, the same for containers-storage
# (`scan containers-storage:IMAGE --storage-root DIR` against `podman save`).
#
# STOWAWAY defaults to target/release/stowaway; DOCKERD_PID, when given,
# adds the daemon's own disk writes (docker save exports to a temp directory
# first in Docker 20.10).
set -euo pipefail
image=$1
bin=${2:-target/release/stowaway}
dpid=${3:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_DATA_HOME=$work/xdg

daemon_writes() { [ -n "$dpid" ] && awk '/^write_bytes/ {print $2}' "/proc/$dpid/io" || echo 0; }

# run LABEL CMD...: prints wall seconds, peak RSS (KiB), bytes written by the command and the daemon.
run() {
  local label=$1; shift
  local d0; d0=$(daemon_writes)
  /usr/bin/time -f "%e %M" -o "$work/time" bash -c '"$@" >/dev/null; awk "/^write_bytes/ {print \$2}" /proc/$$/io > '"$work/io" _ "$@" || true
  local d1; d1=$(daemon_writes)
  read -r wall rss < "$work/time"
  printf '%-34s wall %6.2f s  peak RSS %7d KiB  written %12d B  daemon wrote %12d B\n' \
    "$label" "$wall" "$rss" "$(cat "$work/io")" "$((d1 - d0))"
}

sync
if [ -n "${PODMAN_ROOT:-}" ]; then
  pod=(podman --root "$PODMAN_ROOT" --runroot "${PODMAN_RUNROOT:-$work/run}" --events-backend none --cgroup-manager cgroupfs)
  run "scan containers-storage:$image" "$bin" scan "containers-storage:$image" --storage-root "$PODMAN_ROOT" --no-cache
  run "podman save -o FILE" "${pod[@]}" save -q -o "$work/podman.tar" "$image"
  run "scan docker-archive:FILE" "$bin" scan "docker-archive:$work/podman.tar" --no-cache
  rm -f "$work/podman.tar"
  exit 0
fi
run "scan docker-daemon:$image" "$bin" scan "docker-daemon:$image" --no-cache
run "docker save -o FILE" docker save -o "$work/image.tar" "$image"
run "scan docker-archive:FILE" "$bin" scan "docker-archive:$work/image.tar" --no-cache
ls -l "$work/image.tar" | awk '{print "archive size: " $5 " B"}'
