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
# With LIMIT_BLOB=FILE (and LIMIT_BIN, default
# target/release/examples/inflate_limit) every round also times the
# one-thread inflate+sha256 limit of that blob (best of its 3 passes).
# The medians of every column close the output.
set -euo pipefail
before=$1 after=$2 rounds=$3
shift 3
[ "$1" = -- ] && shift
export XDG_DATA_HOME=${XDG_DATA_HOME:-$(mktemp -d)}
dbdir=$(mktemp -d)
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
limit() { # the inflate+sha256 limit of $LIMIT_BLOB, one line like run's
  local t
  t=$("${LIMIT_BIN:-target/release/examples/inflate_limit}" "$LIMIT_BLOB")
  printf 'limit[%s]\t%s s\tload %s\n' "$1" "$t" "$(cut -d' ' -f1 /proc/loadavg)"
}
log=$(mktemp)
trap 'rm -rf "$dbdir" "$log"' EXIT
for i in $(seq 1 "$rounds"); do
  [ -n "${LIMIT_BLOB:-}" ] && limit "$i" | tee -a "$log"
  run "before[$i]" "$before" "${before_args[@]}" | tee -a "$log"
  run "after[$i]" "$after" "${after_args[@]}" | tee -a "$log"
done
python3 - "$log" <<'PY'
import re, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    label = line.split("[")[0]
    nums = [float(x) for x in re.findall(r"([0-9.]+) (?:s|MiB)", line)]
    cpu = re.search(r"cpu ([0-9.]+)", line)
    load = float(re.search(r"load ([0-9.]+)", line).group(1))
    rows.setdefault(label, []).append((nums[0], float(cpu.group(1)) if cpu else None, load))
for label, r in rows.items():
    wall = statistics.median(x[0] for x in r)
    cpus = [x[1] for x in r if x[1] is not None]
    cpu = f", cpu {statistics.median(cpus):.3f} s" if cpus else ""
    print(f"median {label}: wall {wall:.3f} s{cpu} ({len(r)} runs, load {min(x[2] for x in r):.1f}-{max(x[2] for x in r):.1f})")
if "limit" in rows and "after" in rows:
    lim = statistics.median(x[0] for x in rows["limit"])
    for label in ("before", "after"):
        print(f"ratio {label}/limit (medians): {statistics.median(x[0] for x in rows[label]) / lim:.2f}")
PY
