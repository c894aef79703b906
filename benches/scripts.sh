#!/usr/bin/env bash
# Benchmark for script-heavy trees: `stowaway scan dir:TREE` against the raw
# limit `tar -cf - TREE | sha256sum` on the same tree, and the per-file
# inspection cost (examples/inspect_cost). Default tree: this machine's
# Python standard library (thousands of .py files).
#
#   benches/scripts.sh [TREE...]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin stowaway --example inspect_cost
bin=target/release/stowaway
trees=("$@")
[ ${#trees[@]} -gt 0 ] || trees=(/usr/lib/python3.*[0-9])
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
  s=$(best "$bin" scan "dir:$t" --no-cache --format json)
  p=$(best bash -c "tar -C / -cf - '${t#/}' 2>/dev/null | sha256sum")
  python3 -c "print(f'$t: $files files, $mb MB: stowaway {float('$s'):.2f}s, tar|sha256sum {float('$p'):.2f}s, ratio {float('$s')/float('$p'):.2f}x')"
  target/release/examples/inspect_cost "$t"
done
