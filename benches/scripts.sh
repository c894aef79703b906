#!/usr/bin/env bash
# Benchmark for script-heavy trees: `stowaway scan rootfs:TREE` against the
# raw limit `tar -cf - TREE | sha256sum` on the same tree, and the per-file
# inspection cost (examples/inspect_cost). Default trees: this machine's
# Python standard library and its node tree (npm and its modules under
# /usr/lib/node_modules, or /usr/share/nodejs from Debian's node-*
# packages), each reported as a ratio to the `tar | sha256sum` limit.
#
#   benches/scripts.sh [TREE...]
#
# Paired: with STOWAWAY_BEFORE=BIN (an older build), every round runs that
# binary, this one and the tar pipeline, in an order that alternates from
# round to round, ROUNDS times (default 7); each run's wall and CPU time
# (user + system, with its children) and the load average are printed,
# then the medians and each binary's ratio to the pipeline.
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
before=${STOWAWAY_BEFORE:-}
rounds=${ROUNDS:-7}
trees=("$@")
if [ ${#trees[@]} -eq 0 ]; then
  trees=(/usr/lib/python3.*[0-9])
  for node in /usr/lib/node_modules /usr/share/nodejs; do
    [ -d "$node" ] && trees+=("$node")
  done
fi
export XDG_DATA_HOME=$(mktemp -d)
trap 'rm -rf "$XDG_DATA_HOME"' EXIT
for t in "${trees[@]}"; do
  files=$(find "$t" -type f | wc -l)
  mb=$(du -sm "$t" | cut -f1)
  echo "$t: $files files, $mb MB"
  python3 - "$t" "$bin" "$before" "$rounds" <<'PY'
import os, statistics, subprocess, sys, time
tree, after, before, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
if not before:
    rounds = min(rounds, 3)
runs = {"tar": ["bash", "-c", f"tar -C / -cf - '{tree.lstrip('/')}' 2>/dev/null | sha256sum"]}
if before:
    runs["before"] = [before, "scan", f"rootfs:{tree}", "--no-cache", "--format", "json"]
runs["after"] = [after, "scan", f"rootfs:{tree}", "--no-cache", "--format", "json"]
got = {k: [] for k in runs}
names = list(runs)
for r in range(rounds):
    order = names[r % len(names):] + names[: r % len(names)]
    for k in order:
        t = time.perf_counter()
        p = subprocess.Popen(runs[k], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t
        if os.waitstatus_to_exitcode(status) not in (0, 1):
            sys.exit(f"{k}: exit {os.waitstatus_to_exitcode(status)}")
        cpu = ru.ru_utime + ru.ru_stime
        got[k].append((wall, cpu))
        print(f"  round {r + 1} {k:6} {wall:.3f} s wall {cpu:.3f} s cpu  load {os.getloadavg()[0]:.1f}")
med = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for k, v in got.items()}
tar = med["tar"][0]
for k, (w, c) in med.items():
    ratio = "" if k == "tar" else f"  ratio {w / tar:.2f}x"
    print(f"  median {k:6} {w:.3f} s wall {c:.3f} s cpu{ratio}")
PY
  "$cost" "$t" || true
done
