#!/usr/bin/env bash
# Benchmark (issue 15, layers): the layer store, engined side by side with
# a private Debian dockerd 20.10 (`--storage-driver overlay2`, else vfs)
# in one run:
#   size:  a 40 MB base (busybox-static plus 40 MB of random bytes, so
#          nothing compresses) imported, and two images built on it with
#          1 MB of their own each; the data root's growth (du) against the
#          content, base + both own layers (target for engined: <= 1.1x);
#   speed: `docker run --rm IMAGE true`, the median of RUNS runs, of a
#          5-layer image pulled from a local registry (Debian's
#          docker-registry) against the imported one-layer base (target:
#          the pulled one no slower by more than 10%).
# Prints a table; exits 1 when a target of engined's is missed. Not run
# in CI (needs root, runc, dockerd and minutes).
#
# usage: benches/layers.sh
# Knobs: RUNS (20), PROFILE (release; `debug` reuses the test build),
# BENCH_DOCKERD=0 to leave dockerd out. Works in target/bench-layers.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=${RUNS:-20}
profile=${PROFILE:-release}
work=$root/target/bench-layers
base_mb=40
own_mb=1

if [ "$profile" = release ]; then
  cargo build --quiet --release -p engined -p engined-shim
else
  cargo build --quiet -p engined -p engined-shim
fi
engined=$root/target/$profile/engined

pids=()
cleanup() {
  local rc=$?
  set +e
  for h in "${hosts[@]:-}"; do
    [ -n "$h" ] || continue
    ids=$(docker -H "$h" ps -aq 2>/dev/null || true)
    [ -z "$ids" ] || docker -H "$h" rm -f $ids >/dev/null 2>&1 || true
  done
  for p in "${pids[@]:-}"; do
    [ -n "$p" ] && kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true
  done
  # Mounts a daemon left behind (its own roots only).
  grep -o " $work/[^ ]*" /proc/mounts | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done
  # dockerd's own containerd may still be writing there for a moment.
  rm -rf "$work" 2>/dev/null || { sleep 2; rm -rf "$work"; }
  exit $rc
}
trap cleanup EXIT
hosts=()
rm -rf "$work"
mkdir -p "$work"

wait_for() { # host
  for _ in $(seq 100); do
    docker -H "$1" version >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "daemon at $1 did not come up" >&2
  return 1
}

# --- the daemons --------------------------------------------------------
mkdir -p "$work/engined"
echo '{}' >"$work/engined/daemon.json"
"$engined" -H "unix://$work/engined/sock" --data-root "$work/engined/data" \
  --exec-root "$work/engined/exec" --pidfile "$work/engined/pid" \
  --config-file "$work/engined/daemon.json" >"$work/engined/log" 2>&1 &
pids+=($!)
hosts+=("unix://$work/engined/sock")
wait_for "unix://$work/engined/sock"
names=(engined)
roots=("$work/engined/data")

dockerd_driver=
if [ "${BENCH_DOCKERD:-1}" != 0 ] && command -v dockerd >/dev/null; then
  for driver in overlay2 vfs; do
    d=$work/dockerd-$driver
    mkdir -p "$d"
    dockerd --data-root "$d/data" --exec-root "$d/exec" --pidfile "$d/pid" \
      -H "unix://$d/sock" --iptables=false --bridge=none \
      --storage-driver "$driver" >"$d/log" 2>&1 &
    pid=$!
    if wait_for "unix://$d/sock" 2>/dev/null; then
      pids+=($pid)
      hosts+=("unix://$d/sock")
      names+=("dockerd-$driver")
      roots+=("$d/data")
      dockerd_driver=$driver
      break
    fi
    kill $pid 2>/dev/null || true
    wait $pid 2>/dev/null || true
  done
  [ -n "$dockerd_driver" ] || echo "dockerd did not start: left out" >&2
fi

# --- the content --------------------------------------------------------
rootfs=$work/rootfs
mkdir -p "$rootfs/bin"
cp /bin/busybox "$rootfs/bin/busybox"
for tool in sh true cat; do ln -s busybox "$rootfs/bin/$tool"; done
head -c $((base_mb << 20)) /dev/urandom >"$rootfs/base.bin"
tar -C "$rootfs" -cf "$work/base.tar" .
content_base=$(du -sb "$rootfs" | cut -f1)

context() { # dir file mb -> a build context copying `file` of `mb` MB
  mkdir -p "$1"
  head -c $(($3 << 20)) /dev/urandom >"$1/$2"
  printf 'FROM base\nCOPY %s /%s\n' "$2" "$2" >"$1/Dockerfile"
}
context "$work/ctx-a" a.bin $own_mb
context "$work/ctx-b" b.bin $own_mb
mkdir -p "$work/ctx-5"
printf 'FROM base\n' >"$work/ctx-5/Dockerfile"
for i in 1 2 3 4; do
  echo "$i" >"$work/ctx-5/f$i"
  printf 'COPY f%s /f%s\n' "$i" "$i" >>"$work/ctx-5/Dockerfile"
done

registry=
if [ -x /usr/bin/docker-registry ]; then
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  mkdir -p "$work/registry"
  printf 'version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
    "$work/registry" "$port" >"$work/registry.yml"
  /usr/bin/docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
  pids+=($!)
  registry=127.0.0.1:$port
  sleep 1
fi

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
time_runs() { # host image -> median milliseconds of `docker run --rm image true`
  for _ in $(seq "$runs"); do
    s=$(date +%s%N)
    docker -H "$1" run --rm --network none "$2" true >/dev/null
    e=$(date +%s%N)
    echo $(((e - s) / 1000000))
  done | median
}

declare -A ratio slow
printf '%-16s %10s %10s %7s %12s %12s %7s\n' daemon content_MB du_MB ratio one_layer_ms five_layer_ms slower
for i in "${!names[@]}"; do
  h=${hosts[$i]}
  n=${names[$i]}
  before=$(du -sxb "${roots[$i]}" | cut -f1)
  docker -H "$h" import "$work/base.tar" base >/dev/null
  DOCKER_BUILDKIT=0 docker -H "$h" build -q -t img-a "$work/ctx-a" >/dev/null
  DOCKER_BUILDKIT=0 docker -H "$h" build -q -t img-b "$work/ctx-b" >/dev/null
  after=$(du -sxb "${roots[$i]}" | cut -f1)
  content=$((content_base + 2 * (own_mb << 20)))
  r=$(awk -v a=$((after - before)) -v c=$content 'BEGIN {printf "%.2f", a / c}')
  ratio[$n]=$r

  DOCKER_BUILDKIT=0 docker -H "$h" build -q -t five "$work/ctx-5" >/dev/null
  five=five
  if [ -n "$registry" ]; then
    five=$registry/bench/five:$n
    docker -H "$h" tag five "$five"
    docker -H "$h" push -q "$five" >/dev/null
    docker -H "$h" rmi five "$five" >/dev/null
    docker -H "$h" pull -q "$five" >/dev/null
  fi
  layers=$(docker -H "$h" image inspect --format '{{len .RootFS.Layers}}' "$five")
  [ "$layers" = 5 ] || echo "$n: the image has $layers layers, not 5" >&2
  docker -H "$h" run --rm --network none base true >/dev/null # warm up
  one_ms=$(time_runs "$h" base)
  five_ms=$(time_runs "$h" "$five")
  s=$(awk -v f="$five_ms" -v o="$one_ms" 'BEGIN {printf "%.2f", f / o}')
  slow[$n]=$s
  printf '%-16s %10.1f %10.1f %7s %12s %12s %7s\n' "$n" \
    "$(awk -v c=$content 'BEGIN {print c / 1048576}')" \
    "$(awk -v a=$((after - before)) 'BEGIN {print a / 1048576}')" "$r" "$one_ms" "$five_ms" "$s"
done
[ -n "$registry" ] || echo "(no docker-registry: the 5-layer image was built, not pulled)"

missed=0
if awk -v r="${ratio[engined]}" 'BEGIN {exit !(r > 1.1)}'; then
  echo "missed: engined's disk use is ${ratio[engined]}x the content (target 1.1x)"
  missed=1
fi
if awk -v s="${slow[engined]}" 'BEGIN {exit !(s > 1.1)}'; then
  echo "missed: engined's 5-layer run is ${slow[engined]}x the one-layer run (target 1.1x)"
  missed=1
fi
exit $missed
