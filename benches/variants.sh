#!/usr/bin/env bash
# Several stowaway builds (or settings) against each other and against the
# one-thread inflate+sha256 limit, alternated round by round on the same
# image, so a shared machine's noise hits all alike; medians at the end.
#
#   benches/variants.sh ROUNDS LABEL=COMMAND... [-- SCAN-ARGS...]
#
# e.g. benches/variants.sh 15 old=/tmp/stowaway-old new=target/release/stowaway \
#        "new-env=env FOO=1 target/release/stowaway"
# Default scan: `scan oci:bench-data/minbase-oci --no-cache --format json`,
# limit blob: $LIMIT_BLOB (default: minbase's one layer).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=$1
shift
variants=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do variants+=("$1"); shift; done
[ "${1:-}" = -- ] && shift
args=("$@")
[ ${#args[@]} -eq 0 ] && args=(scan oci:bench-data/minbase-oci --no-cache --format json)
blob=${LIMIT_BLOB:-bench-data/minbase-oci/blobs/sha256/7e2e2b9a527c5f55b437e7397fcce4607f53d08d8046813fb0697d2d68345044}
limit_bin=${LIMIT_BIN:-target/release/examples/inflate_limit}
export XDG_DATA_HOME=${XDG_DATA_HOME:-$(mktemp -d)}
t=$(mktemp)
for _ in $(seq "$rounds"); do
  echo "limit $("$limit_bin" "$blob") $(cut -d' ' -f1 /proc/loadavg)"
  for v in "${variants[@]}"; do
    label=${v%%=*}
    read -r -a cmd <<<"${v#*=}"
    /usr/bin/time -o "$t" -f "%e %U %S %M" "${cmd[@]}" "${args[@]}" >/dev/null 2>&1 || true
    echo "[$label] $(tail -1 "$t")"
  done
done | python3 -c '
import sys, statistics as st
runs, lims, loads = {}, [], []
for l in sys.stdin:
    if l.startswith("limit"):
        p = l.split(); lims.append(float(p[1])); loads.append(float(p[2])); continue
    k = l[1:l.index("]")]; w = l[l.index("]") + 1:].split()
    runs.setdefault(k, []).append((float(w[0]), float(w[1]) + float(w[2]), int(w[3]) / 1024))
lim = st.median(lims)
print(f"limit: median {lim:.3f} s ({len(lims)} runs, load {min(loads)}-{max(loads)})")
for k, v in runs.items():
    ws = [x[0] for x in v]
    print(f"{k:16s} wall {st.median(ws):.3f} s (min {min(ws):.3f}), cpu {st.median(x[1] for x in v):.3f} s, "
          f"rss {st.median(x[2] for x in v):.1f} MiB, ratio {st.median(ws) / lim:.2f}")
'
