#!/usr/bin/env bash
# Benchmark (issue 15, pull speed): `docker pull` of a 5-layer, ~50 MB
# image (busybox-static plus 10 MB of random bytes per layer, so gzip
# cannot shrink it) from a private Debian docker-registry on 127.0.0.1,
# into an empty data root, by engined and by a private Debian dockerd
# 20.10 (`--iptables=false --bridge=none`, overlay2 else vfs), side by
# side in one run. Each run starts the daemon on fresh roots, times the
# pull (wall clock, the CLI's exit), reads the daemon's peak RSS (VmHWM of
# its /proc status, which covers start-up and the pull: nothing else runs)
# and its CPU time during the pull, then stops it and removes the roots.
# The two daemons alternate run by run, so drift on a shared machine hits
# both alike. Prints the medians of RUNS runs and the load average; exits
# 1 when engined's median wall time is above 0.8x dockerd's. Not run in CI
# (needs root, dockerd, docker-registry, skopeo and a minute or two).
#
# usage: benches/pull.sh
# Knobs: RUNS (7), PROFILE (release; `debug` reuses the test build),
# ENGINED (a binary to use instead of building one), LAYER_MB (10),
# BENCH_DOCKERD=0 to leave dockerd out. Works in
# target/bench-pull.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=${RUNS:-7}
profile=${PROFILE:-release}
layer_mb=${LAYER_MB:-10}
work=$root/target/bench-pull

for tool in docker-registry skopeo busybox; do
  command -v "$tool" >/dev/null || {
    echo "needs $tool (apt-get install docker-registry skopeo busybox-static)" >&2
    exit 2
  }
done
if [ -n "${ENGINED:-}" ]; then
  engined=$ENGINED
elif [ "$profile" = release ]; then
  (cd "$root" && cargo build --quiet --release -p engined)
  engined=$root/target/release/engined
else
  (cd "$root" && cargo build --quiet -p engined)
  engined=$root/target/debug/engined
fi

pid=
pids=()
stop() { # pid: TERM, then wait for it
  kill "$1" 2>/dev/null || true
  for _ in $(seq 100); do
    kill -0 "$1" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
unmount_under() { # dir: what a daemon left mounted below its own roots
  { grep -o " $1/[^ ]*" /proc/mounts || true; } | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done
}
cleanup() {
  [ -z "$pid" ] || stop "$pid"
  for p in "${pids[@]:-}"; do
    [ -n "$p" ] && stop "$p"
  done
  unmount_under "$work"
  rm -rf "$work"
}
trap cleanup EXIT
rm -rf "$work"
mkdir -p "$work"

wait_for() { # host
  for _ in $(seq 150); do
    docker -H "$1" version >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "daemon at $1 did not come up" >&2
  return 1
}

# --- the registry and the image ----------------------------------------
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/registry"
printf 'version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
  "$work/registry" "$port" >"$work/registry.yml"
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
pids+=($!)
registry=127.0.0.1:$port
for _ in $(seq 50); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://$registry/v2/')" 2>/dev/null && break
  sleep 0.2
done

case $(uname -m) in
  x86_64) arch=amd64 ;;
  aarch64) arch=arm64 ;;
  *) arch=$(uname -m) ;;
esac
# An OCI layout of five gzip layers: busybox and the first data file,
# then one data file per layer.
python3 - "$work/layout" "$(command -v busybox)" "$arch" "$layer_mb" <<'EOF'
import gzip, hashlib, io, json, os, sys, tarfile
out, busybox, arch, mb = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
blobs = os.path.join(out, "blobs", "sha256")
os.makedirs(blobs)
def blob(data):
    d = hashlib.sha256(data).hexdigest()
    with open(os.path.join(blobs, d), "wb") as f:
        f.write(data)
    return "sha256:" + d
def layer(files):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, data, link in files:
            info = tarfile.TarInfo(name)
            info.mtime = 0
            if link:
                info.type, info.linkname = tarfile.SYMTYPE, link
                t.addfile(info)
            else:
                info.size, info.mode = len(data), 0o755
                t.addfile(info, io.BytesIO(data))
    tar = raw.getvalue()
    packed = gzip.compress(tar, compresslevel=1, mtime=0)
    return tar, packed
layers = []
with open(busybox, "rb") as f:
    bb = f.read()
first = [("bin/busybox", bb, None)] + [("bin/" + a, None, "busybox") for a in ("sh", "true", "cat")]
for i in range(5):
    files = (first if i == 0 else []) + [(f"data{i}.bin", os.urandom(mb << 20), None)]
    layers.append(layer(files))
config = json.dumps({
    "architecture": arch, "os": "linux",
    "config": {"Cmd": ["/bin/sh"]},
    "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(t).hexdigest() for t, _ in layers]},
    "history": [{"created_by": f"layer {i}"} for i in range(5)],
}).encode()
manifest = json.dumps({
    "schemaVersion": 2,
    "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": blob(config), "size": len(config)},
    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": blob(p), "size": len(p)} for _, p in layers],
}).encode()
index = {"schemaVersion": 2, "manifests": [{
    "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": blob(manifest), "size": len(manifest),
    "annotations": {"org.opencontainers.image.ref.name": "bench"}}]}
with open(os.path.join(out, "index.json"), "w") as f:
    json.dump(index, f)
with open(os.path.join(out, "oci-layout"), "w") as f:
    json.dump({"imageLayoutVersion": "1.0.0"}, f)

EOF
image=$registry/bench/pull:v1
skopeo copy --quiet --preserve-digests --dest-tls-verify=false \
  "oci:$work/layout:bench" "docker://$image"
wire=$(du -sb "$work/layout/blobs" | cut -f1)

# --- the daemons ---------------------------------------------------------
dockerd_driver=
if [ "${BENCH_DOCKERD:-1}" != 0 ] && command -v dockerd >/dev/null; then
  for driver in overlay2 vfs; do
    d=$work/probe-$driver
    mkdir -p "$d"
    dockerd --data-root "$d/data" --exec-root "$d/exec" --pidfile "$d/pid" \
      -H "unix://$d/sock" --iptables=false --ip6tables=false --bridge=none \
      --storage-driver "$driver" >"$d/log" 2>&1 &
    pid=$!
    ok=0
    wait_for "unix://$d/sock" 2>/dev/null && ok=1
    stop "$pid"
    pid=
    unmount_under "$d"
    rm -rf "$d"
    if [ $ok = 1 ]; then
      dockerd_driver=$driver
      break
    fi
  done
  [ -n "$dockerd_driver" ] || echo "dockerd did not start: left out" >&2
fi

start() { # name dir: starts the daemon on fresh roots under dir, sets pid
  mkdir -p "$2"
  case $1 in
    engined)
      echo '{}' >"$2/daemon.json"
      "$engined" -H "unix://$2/sock" --data-root "$2/data" --exec-root "$2/exec" \
        --pidfile "$2/pid" --config-file "$2/daemon.json" >"$2/log" 2>&1 &
      ;;
    dockerd)
      dockerd --data-root "$2/data" --exec-root "$2/exec" --pidfile "$2/pid" \
        -H "unix://$2/sock" --iptables=false --ip6tables=false --bridge=none \
        --storage-driver "$dockerd_driver" >"$2/log" 2>&1 &
      ;;
  esac
  pid=$!
  wait_for "unix://$2/sock"
}
cpu_ticks() { # pid: user + system clock ticks so far
  awk '{print $14 + $15}' "/proc/$1/stat"
}
hz=$(getconf CLK_TCK)

daemons=(engined)
[ -z "$dockerd_driver" ] || daemons+=(dockerd)
echo "image: 5 layers, $((wire / 1048576)) MB on the wire; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for run in $(seq "$runs"); do
  for n in "${daemons[@]}"; do
    dir=$work/$n-$run
    start "$n" "$dir"
    c0=$(cpu_ticks "$pid")
    s=$(date +%s%N)
    docker -H "unix://$dir/sock" pull -q "$image" >/dev/null
    e=$(date +%s%N)
    c1=$(cpu_ticks "$pid")
    hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")
    layers=$(docker -H "unix://$dir/sock" image inspect --format '{{len .RootFS.Layers}}' "$image")
    [ "$layers" = 5 ] || echo "$n: the pulled image has $layers layers, not 5" >&2
    echo "$(((e - s) / 1000000)) $((hwm / 1024)) $(((c1 - c0) * 1000 / hz))" >>"$work/$n.times"
    stop "$pid"
    pid=
    unmount_under "$dir"
    rm -rf "$dir"
  done
done

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
declare -A wall
printf '%-18s %12s %14s %12s   %s\n' daemon wall_ms peak_rss_MB cpu_ms "wall_ms of each run"
for n in "${daemons[@]}"; do
  shown=$n
  [ "$n" = dockerd ] && shown="dockerd-$dockerd_driver"
  wall[$n]=$(cut -d' ' -f1 "$work/$n.times" | median)
  printf '%-18s %12s %14s %12s   %s\n' "$shown" "${wall[$n]}" \
    "$(cut -d' ' -f2 "$work/$n.times" | median)" "$(cut -d' ' -f3 "$work/$n.times" | median)" \
    "$(cut -d' ' -f1 "$work/$n.times" | tr '\n' ' ')"
done
echo "medians of $runs runs; load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -n "$dockerd_driver" ]; then
  r=$(awk -v e="${wall[engined]}" -v d="${wall[dockerd]}" 'BEGIN {printf "%.2f", e / d}')
  echo "engined/dockerd wall time: ${r}x (target <= 0.8x)"
  if awk -v r="$r" 'BEGIN {exit !(r > 0.8)}'; then
    echo "missed: engined's pull is ${r}x dockerd's"
    exit 1
  fi
fi
