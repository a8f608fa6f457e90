#!/bin/sh
# Benchmark (issue 7), side by side in one run: `docker run --rm --network
# none mini true` and `docker ps -a` with N containers, through engined and
# through Debian's dockerd 20.10 (containerd + runc), both on private
# sockets and data roots. Builds engined in release unless a binary is given.
# Issue 12: what confinement costs, engined's default sandbox against the
# same run with it off (`--security-opt seccomp=unconfined --security-opt
# systempaths=unconfined`: no seccomp filter, no masked or read-only
# paths; the capability set stays Docker's default in both arms, since
# setting one costs the same whichever it is, and `--cap-add ALL` fails
# on dockerd where root lacks a capability). Not `--privileged`: it also
# copies every host device node into the container, a cost that is not
# confinement. The two alternate run by run
# so drift on a shared machine hits both alike. The same pair through
# dockerd shows what the same profile costs with Docker's own stack (both
# hand it to runc, which compiles the seccomp filter in every start).
# Usage: benches/containers.sh [engined binary] [runs] [ps-containers]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
command -v dockerd >/dev/null || apt-get install -y docker.io >/dev/null
command -v busybox >/dev/null || apt-get install -y busybox-static >/dev/null
if [ -z "${1:-}" ]; then
  (cd "$root" && cargo build --quiet --release -p engined)
fi
ENGINED=${1:-$root/target/release/engined}
RUNS=${2:-20}
N=${3:-500}
B=$(mktemp -d /tmp/bench.XXXXXX)
mkdir -p "$B/rootfs/bin" "$B/rootfs/etc"
cp /usr/bin/busybox "$B/rootfs/bin/"
for a in sh true echo sleep; do ln -s busybox "$B/rootfs/bin/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' > "$B/rootfs/etc/passwd"
tar -C "$B/rootfs" -cf "$B/mini.tar" .
echo '{}' > "$B/daemon.json"

"$ENGINED" -H "unix://$B/e.sock" --data-root "$B/e-data" --exec-root "$B/e-exec" \
  --pidfile "$B/e.pid" --config-file "$B/daemon.json" >"$B/e.log" 2>&1 &
dockerd -H "unix://$B/d.sock" --data-root "$B/d-data" --exec-root "$B/d-exec" \
  --pidfile "$B/d.pid" --iptables=false --ip6tables=false --bridge=none \
  --storage-driver=vfs --config-file "$B/daemon.json" >"$B/d.log" 2>&1 &
for s in e d; do
  i=0; while [ ! -S "$B/$s.sock" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
  docker -H "unix://$B/$s.sock" import "$B/mini.tar" mini >/dev/null
done

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
run_times() {
  i=0
  while [ $i -lt "$RUNS" ]; do
    t0=$(date +%s%N)
    docker -H "unix://$B/$1.sock" run --rm --network none mini true
    t1=$(date +%s%N)
    echo $(( (t1 - t0) / 1000000 ))
    i=$((i+1))
  done
}
docker -H "unix://$B/e.sock" run --rm --network none mini true   # warm up
docker -H "unix://$B/d.sock" run --rm --network none mini true
E=$(run_times e | median); D=$(run_times d | median)
echo "docker run --rm mini true, median of $RUNS: engined ${E} ms, dockerd ${D} ms"

OFF="--security-opt seccomp=unconfined --security-opt systempaths=unconfined"
sandbox_times() {
  i=0
  while [ $i -lt "$RUNS" ]; do
    t0=$(date +%s%N)
    docker -H "unix://$B/$1.sock" run --rm --network none mini true
    t1=$(date +%s%N)
    # shellcheck disable=SC2086
    docker -H "unix://$B/$1.sock" run --rm --network none $OFF mini true
    t2=$(date +%s%N)
    echo "$(( (t1 - t0) / 1000000 )) $(( (t2 - t1) / 1000000 ))"
    i=$((i+1))
  done
}
for s in e d; do
  sandbox_times $s > "$B/sandbox.$s"
  S=$(cut -d' ' -f1 "$B/sandbox.$s" | median)
  U=$(cut -d' ' -f2 "$B/sandbox.$s" | median)
  name=engined; [ $s = d ] && name=dockerd
  echo "docker run --rm mini true on $name, median of $RUNS: default sandbox ${S} ms, sandbox off ${U} ms ($(awk "BEGIN {printf \"%+.1f\", ($S - $U) * 100 / $U}")%)"
done

for s in e d; do
  i=0
  while [ $i -lt "$N" ]; do
    docker -H "unix://$B/$s.sock" create --network none mini true >/dev/null
    i=$((i+1))
  done
done
ps_times() {
  i=0
  while [ $i -lt 10 ]; do
    t0=$(date +%s%N)
    docker -H "unix://$B/$1.sock" ps -a >/dev/null
    t1=$(date +%s%N)
    echo $(( (t1 - t0) / 1000000 ))
    i=$((i+1))
  done
}
E=$(ps_times e | median); D=$(ps_times d | median)
echo "docker ps -a with $N containers, median of 10: engined ${E} ms, dockerd ${D} ms"

for s in e d; do
  docker -H "unix://$B/$s.sock" container prune -f >/dev/null 2>&1 || true
  kill "$(cat "$B/$s.pid")" 2>/dev/null || true
done
sleep 2
umount -R "$B" 2>/dev/null || true
rm -rf "$B" 2>/dev/null || true
