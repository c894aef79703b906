#!/usr/bin/env bash
# Paired before/after timing: runs two stowaway binaries alternately on the
# same command line, N rounds, and prints each run's wall time and peak RSS
# and CPU time (user + system) with the load average, so a shared machine's noise hits both alike.
#
#   benches/paired.sh BEFORE_BIN AFTER_BIN ROUNDS -- ARGS...
#
# e.g. benches/paired.sh /tmp/old target/release/stowaway 5 -- scan oci:bench-data/minbase-oci --no-cache --format json
# For warm rescans pass `--db @DB@`: each binary gets its own database,
# filled by a first run before the timed rounds.
set -euo pipefail
before=$1 after=$2 rounds=$3
shift 3
[ "$1" = -- ] && shift
export XDG_DATA_HOME=${XDG_DATA_HOME:-$(mktemp -d)}
dbdir=$(mktemp -d)
trap 'rm -rf "$dbdir"' EXIT
args() { # which: the arguments with @DB@ replaced by that binary's database
  local a
  for a in "${cmd[@]}"; do printf '%s\0' "${a//@DB@/$dbdir/$1.db}"; done
}
cmd=("$@")
mapfile -d '' before_args < <(args before)
mapfile -d '' after_args < <(args after)
run() { # label, command...: prints label, wall s, peak RSS MiB
  python3 - "$@" <<'PY'
import os, subprocess, sys, time
label, cmd = sys.argv[1], sys.argv[2:]
t = time.perf_counter()
p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
_, status, ru = os.wait4(p.pid, 0)
wall = time.perf_counter() - t
code = os.waitstatus_to_exitcode(status)
if code not in (0, 1):
    sys.exit(f"{label}: exit {code}")
cpu = ru.ru_utime + ru.ru_stime
print(f"{label}\t{wall:.3f} s\tcpu {cpu:.3f} s\t{ru.ru_maxrss / 1024:.1f} MiB\tload {os.getloadavg()[0]:.1f}")
PY
}
"$before" "${before_args[@]}" >/dev/null 2>&1 || true
"$after" "${after_args[@]}" >/dev/null 2>&1 || true
for i in $(seq 1 "$rounds"); do
  run "before[$i]" "$before" "${before_args[@]}"
  run "after[$i]" "$after" "${after_args[@]}"
done
