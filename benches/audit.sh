#!/usr/bin/env bash
# `stowaway audit` of 60 pods over 4 distinct image digests, cold (empty
# store) and warm (the same store again: every layer in the cache), from a
# pod list file against a real docker-registry on loopback. Prints wall
# time and peak RSS (/usr/bin/time -v) of each run, and the registry's
# manifest and blob GETs.
#
#   benches/audit.sh [ROOTFS] [STOWAWAY]
#
# ROOTFS (default $STOWAWAY_MINBASE) becomes the shared base layer of the 4
# images (umoci insert); each image adds one small distinct layer
# (umoci raw add-layer). STOWAWAY
# defaults to target/release/stowaway. Needs docker-registry, skopeo, umoci,
# python3.
set -euo pipefail
rootfs=${1:-${STOWAWAY_MINBASE:?give a rootfs directory or set STOWAWAY_MINBASE}}
bin=$(realpath "${2:-target/release/stowaway}")
work=$(mktemp -d)
reg_pid=
cleanup() { [ -n "$reg_pid" ] && kill "$reg_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
export XDG_DATA_HOME=$work/xdg

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$work/registry.yml" <<EOF
version: 0.1
log:
  level: info
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: 127.0.0.1:$port
EOF
docker-registry serve "$work/registry.yml" 2> "$work/registry.log" &
reg_pid=$!
until (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; do sleep 0.1; done

# Four images: the rootfs as a shared base layer, one distinct small layer each.
umoci init --layout "$work/oci" >/dev/null
umoci new --image "$work/oci:base" >/dev/null
umoci insert --image "$work/oci:base" "$rootfs" / >/dev/null
for i in 0 1 2 3; do
  umoci tag --image "$work/oci:base" "app$i"
  # (a tar made by tar: umoci 0.4.7's `insert` of a single file writes a
  # layer without the file's padding and the end-of-archive blocks, which
  # GNU tar and stowaway both reject as truncated)
  mkdir -p "$work/layer$i/etc" && echo "image $i" > "$work/layer$i/etc/image-id"
  tar -C "$work/layer$i" -cf "$work/layer$i.tar" etc
  umoci raw add-layer --image "$work/oci:app$i" "$work/layer$i.tar"
  skopeo copy --quiet --dest-tls-verify=false "oci:$work/oci:app$i" "docker://127.0.0.1:$port/bench/app$i:v1"
  skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://127.0.0.1:$port/bench/app$i:v1" > "$work/digest$i"
done

# 60 pods (15 per image) in 3 namespaces, as `kubectl get pods -A -o json` prints them.
python3 - "$work" "$port" <<'EOF'
import json, sys
work, port = sys.argv[1], sys.argv[2]
digests = [open(f"{work}/digest{i}").read().strip() for i in range(4)]
items = []
for n in range(60):
    i = n % 4
    repo = f"127.0.0.1:{port}/bench/app{i}"
    items.append({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": f"svc{n % 12}-5d8f7c9b4-{n:05}", "namespace": ["default", "shop", "batch"][n % 3],
                     "labels": {"pod-template-hash": "5d8f7c9b4"},
                     "ownerReferences": [{"kind": "ReplicaSet", "name": f"svc{n % 12}-5d8f7c9b4", "controller": True}]},
        "spec": {"containers": [{"name": "main", "image": f"{repo}:v1"}]},
        "status": {"containerStatuses": [{"name": "main", "image": f"{repo}:v1",
                                          "imageID": f"docker-pullable://{repo}@{digests[i]}"}]},
    })
json.dump({"apiVersion": "v1", "kind": "List", "items": items}, open(f"{work}/pods.json", "w"))
EOF

gets() { grep 'response completed' "$work/registry.log" | grep 'http.request.method=GET' | grep -c "$1" || true; }
run() {
  local label=$1
  local m0 b0; m0=$(gets /manifests/sha256:); b0=$(gets /blobs/sha256:)
  /usr/bin/time -v -o "$work/time" "$bin" audit --pods "$work/pods.json" --db "$work/audit.db" \
    --format json --output "$work/$label.json" 2> "$work/$label.err" || true
  sleep 0.5
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time")
  printf '%-5s wall %s  peak RSS %d MiB  manifest GETs %d  blob GETs %d\n' "$label" "$wall" $((rss / 1024)) \
    $(( $(gets /manifests/sha256:) - m0 )) $(( $(gets /blobs/sha256:) - b0 ))
  tail -1 "$work/$label.err"
}
echo "60 pods / 4 digests, base layer: $(du -sh "$rootfs" | cut -f1) ($rootfs)"
run cold
run warm
