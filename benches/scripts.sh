#!/usr/bin/env bash
# Benchmark for script-heavy trees: `stowaway scan dir:TREE` against the raw
# limit `tar -cf - TREE | sha256sum` on the same tree, and the per-file
# inspection cost (examples/inspect_cost). Default trees: this machine's
# Python standard library and its node tree (npm and its modules under
# /usr/lib/node_modules, or /usr/share/nodejs from Debian's node-*
# packages), each reported as a ratio to the `tar | sha256sum` limit.
#
#   benches/scripts.sh [TREE...]
#
# STOWAWAY_BIN and INSPECT_COST_BIN measure other builds (e.g. the previous
# commit's) instead of building this tree.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${STOWAWAY_BIN:-}" ]; then
  cargo build --release --quiet --no-default-features --bin stowaway --example inspect_cost
fi
bin=${STOWAWAY_BIN:-target/release/stowaway}
cost=${INSPECT_COST_BIN:-target/release/examples/inspect_cost}
trees=("$@")
if [ ${#trees[@]} -eq 0 ]; then
  trees=(/usr/lib/python3.*[0-9])
  for node in /usr/lib/node_modules /usr/share/nodejs; do
    [ -d "$node" ] && trees+=("$node")
  done
fi
export XDG_DATA_HOME=$(mktemp -d)
trap 'rm -rf "$XDG_DATA_HOME"' EXIT
best() { # runs a command 3 times, prints the best wall time in seconds
  local b=
  for _ in 1 2 3; do
    local s=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || true
    local e=$(date +%s.%N)
    b=$(python3 -c "import sys; a=float('$e')-float('$s'); b='$b'; print(min(a, float(b)) if b else a)")
  done
  echo "$b"
}
for t in "${trees[@]}"; do
  files=$(find "$t" -type f | wc -l)
  mb=$(du -sm "$t" | cut -f1)
  s=$(best "$bin" scan "rootfs:$t" --no-cache --format json)
  p=$(best bash -c "tar -C / -cf - '${t#/}' 2>/dev/null | sha256sum")
  load=$(cut -d' ' -f1 /proc/loadavg)
  python3 -c "s, p = $s, $p; print('$t: $files files, $mb MB: stowaway %.2fs, tar|sha256sum %.2fs, ratio %.2fx (load $load)' % (s, p, s / p))"
  "$cost" "$t"
done
