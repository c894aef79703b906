#!/usr/bin/env bash
# `stowaway serve` measurements on one machine, loopback only:
#   - accept latency of 200 Distribution push events (8 concurrent clients),
#   - throughput in scans/minute of corpus-sized images (the Debian minbase
#     root filesystem as one layer, ~200 MB) with a cold layer cache (each
#     image has its own big layer) and a warm one (images share the big
#     layer and differ in a small one),
#   - the server's peak RSS (VmHWM).
# Needs docker-registry, skopeo, python3, a release build
# (cargo build --release) and STOWAWAY_MINBASE (see .ci/run).
# Usage: benches/serve.sh [IMAGES_PER_PHASE (default 4)] [WORKERS (default 2)]
# (SERVE_ARGS: more flags for the server, e.g. SERVE_ARGS="--scan-nice 0")
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-4}
workers=${2:-2}
bin=${STOWAWAY_BIN:-target/release/stowaway}
minbase=${STOWAWAY_MINBASE:?set STOWAWAY_MINBASE to a Debian minbase root filesystem}
work=$(mktemp -d /tmp/stowaway-serve-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

reg=127.0.0.1:$(port)
printf 'version: 0.1\nlog: {level: error, accesslog: {disabled: true}}\nstorage: {filesystem: {rootdirectory: %s/data}}\nhttp: {addr: %s}\n' "$work" "$reg" > "$work/registry.yml"
docker-registry serve "$work/registry.yml" 2>/dev/null & pids+=($!)

# Images: a docker-archive per image, one big layer (the minbase tree plus
# a file naming the variant, so each big layer is distinct) and, for the
# warm phase, the same big layer as cold image 0 plus a small layer.
tar -C "$minbase" -cf "$work/base.tar" .
python3 - "$work" "$n" <<'PY'
import hashlib, io, json, shutil, sys, tarfile
work, n = sys.argv[1], int(sys.argv[2])
def sha(p):
    h = hashlib.sha256()
    with open(p, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    return "sha256:" + h.hexdigest()
def small_tar(path, name, data):
    with tarfile.open(path, "w") as t:
        i = tarfile.TarInfo(name); i.size = len(data); i.mode = 0o644
        t.addfile(i, io.BytesIO(data))
def archive(out, layers):
    cfg = {"architecture": "amd64", "os": "linux", "config": {},
           "rootfs": {"type": "layers", "diff_ids": [sha(l) for l in layers]}}
    with tarfile.open(out, "w") as t:
        raw = json.dumps(cfg).encode()
        i = tarfile.TarInfo("config.json"); i.size = len(raw); t.addfile(i, io.BytesIO(raw))
        names = []
        for k, l in enumerate(layers):
            names.append(f"layer{k}.tar"); t.add(l, names[-1])
        m = json.dumps([{"Config": "config.json", "RepoTags": [], "Layers": names}]).encode()
        i = tarfile.TarInfo("manifest.json"); i.size = len(m); t.addfile(i, io.BytesIO(m))
for v in range(n):
    big = f"{work}/big{v}.tar"
    shutil.copy(f"{work}/base.tar", big)
    with tarfile.open(big, "a") as t:
        data = f"variant {v}\n".encode()
        i = tarfile.TarInfo("./etc/bench-variant"); i.size = len(data); i.mode = 0o644
        t.addfile(i, io.BytesIO(data))
    archive(f"{work}/cold{v}.tar", [big])
    small = f"{work}/small{v}.tar"
    small_tar(small, "app/version", f"warm {v}\n".encode())
    archive(f"{work}/warm{v}.tar", [f"{work}/big0.tar", small])
PY
for kind in cold warm; do
  for v in $(seq 0 $((n - 1))); do
    skopeo copy -q --dest-tls-verify=false "docker-archive:$work/$kind$v.tar" "docker://$reg/bench/$kind$v:v1"
    skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$reg/bench/$kind$v:v1" > "$work/$kind$v.digest"
  done
done

head -c 24 /dev/urandom | base64 > "$work/token"
addr=127.0.0.1:$(port)
"$bin" serve --listen "$addr" --token-file "$work/token" --db "$work/serve.db" --workers "$workers" \
  --registry "$reg=http://$reg" --registry "burst.test=http://127.0.0.1:1" --max-attempts 1 ${SERVE_ARGS:-} 2>"$work/serve.log" & spid=$!
pids+=($spid)
until curl -sf "http://$addr/healthz" >/dev/null; do sleep 0.1; done

python3 - "$addr" "$(cat "$work/token")" "$reg" "$work" "$n" "$spid" <<'PY'
import http.client, json, sys, threading, time
addr, token, reg, work, n, pid = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6]
host, port = addr.split(":")
def call(method, path, body=None):
    c = http.client.HTTPConnection(host, int(port), timeout=60)
    c.request(method, path, body=json.dumps(body) if body is not None else None,
              headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    r = c.getresponse(); data = r.read(); c.close()
    return r.status, data
# 1. throughput, cold then warm
def phase(kind):
    ids = []
    t = time.time()
    for v in range(n):
        d = open(f"{work}/{kind}{v}.digest").read().strip()
        s, b = call("POST", "/v1/scans", {"reference": f"{reg}/bench/{kind}{v}@{d}"}); assert s == 202, b
        ids.append(json.loads(b)["id"])
    while True:
        states = [json.loads(call("GET", f"/v1/scans/{i}")[1])["state"] for i in ids]
        if all(s in ("done", "dead") for s in states):
            break
        time.sleep(0.2)
    el = time.time() - t
    assert all(s == "done" for s in states), states
    print(f"{kind}: {n} images in {el:.1f} s = {n / el * 60:.1f} scans/min")
phase("cold")
phase("warm")
# 2. accept latency (after the scans: the burst jobs fail and would hold the workers): 200 push events from 8 clients
lat = []
def client(k):
    for i in range(25):
        d = "sha256:%064x" % (k * 1000 + i)
        ev = {"events": [{"action": "push", "request": {"host": "burst.test"},
              "target": {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": d, "repository": "burst/app"}}]}
        t = time.perf_counter(); s, _ = call("POST", "/v1/events/distribution", ev); lat.append(time.perf_counter() - t)
        assert s == 202, s
ts = [threading.Thread(target=client, args=(k,)) for k in range(8)]
[t.start() for t in ts]; [t.join() for t in ts]
lat.sort()
print(f"accept latency, 200 events, 8 clients: p50 {lat[100]*1000:.1f} ms, p99 {lat[197]*1000:.1f} ms, max {lat[-1]*1000:.1f} ms")
# The server's own view: time for each request's jobs to commit (group commit).
m = call("GET", "/metrics")[1].decode()
buckets = [l for l in m.splitlines() if l.startswith("stowaway_accept_commit_seconds_bucket")]
if buckets:
    print("server-side commit wait (cumulative):", ", ".join(
        l.split('le="')[1].split('"')[0] + "s: " + l.split()[-1] for l in buckets[:6]))
hwm = [l for l in open(f"/proc/{pid}/status") if l.startswith("VmHWM")][0].split()[1]
print(f"server peak RSS (VmHWM): {int(hwm) // 1024} MiB")
PY
echo "image: Debian minbase ($(du -sh "$minbase" | cut -f1)) as one layer; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
