#!/bin/sh
# Benchmark (issue 16, "Speed"), side by side in one run: engined against
# Debian's dockerd 20.10 with its default bridge (docker0, iptables, the
# userland proxy), both on private sockets, data roots and exec roots.
#
# - `docker run --rm mini true` on the default bridge (and engined's
#   `--network none`, for what the bridge costs it), runs alternating;
# - 100 containers `run -d` on one user network, then `rm -f`: total;
# - 200 MB through a published port (busybox httpd in the container
#   serving a bind-mounted file, curl on 127.0.0.1:PORT: the userland
#   proxy of each daemon) and through the bridge's gateway address (the
#   DNAT path).
#
# Each daemon runs in a network namespace of its own (`ip netns`, joined
# with nsenter: `ip netns exec` remounts /sys and hides the cgroup mount),
# made here and deleted at the end: its bridge, veths, NAT table or iptables
# chains (dockerd's nat DOCKER, filter DOCKER, DOCKER-USER,
# DOCKER-ISOLATION-STAGE-1/2 and their jumps) and ip_forward all live and
# die with it, so the host's firewall and the other daemons on this
# machine are never touched, and no packet leaves the namespace.
# Builds engined in release unless a binary is given.
# Usage: benches/network.sh [engined binary] [runs] [containers]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
command -v dockerd >/dev/null || apt-get install -y docker.io >/dev/null
command -v busybox >/dev/null || apt-get install -y busybox-static >/dev/null
command -v iptables >/dev/null || apt-get install -y iptables >/dev/null
command -v nft >/dev/null || apt-get install -y nftables >/dev/null
if [ -z "${1:-}" ]; then
  (cd "$root" && cargo build --quiet --release -p engined)
fi
ENGINED=${1:-$root/target/release/engined}
RUNS=${2:-20}
N=${3:-100}
B=$(mktemp -d /tmp/netbench.XXXXXX)
tag=$(basename "$B" | cut -d. -f2)
NS_E=netbench-e-$tag
NS_D=netbench-d-$tag

cleanup() {
  for s in e d; do
    if [ -f "$B/$s.pid" ]; then
      docker -H "unix://$B/$s.sock" ps -aq 2>/dev/null |
        xargs -r docker -H "unix://$B/$s.sock" rm -f >/dev/null 2>&1 || true
      kill "$(cat "$B/$s.pid")" 2>/dev/null || true
    fi
  done
  for s in e d; do
    i=0
    while [ -f "$B/$s.pid" ] && kill -0 "$(cat "$B/$s.pid")" 2>/dev/null && [ $i -lt 100 ]; do
      sleep 0.1; i=$((i+1))
    done
  done
  ip netns del "$NS_E" 2>/dev/null || true
  ip netns del "$NS_D" 2>/dev/null || true
  umount -R "$B" 2>/dev/null || true
  rm -rf "$B" 2>/dev/null || true
}
trap cleanup EXIT INT TERM

mkdir -p "$B/rootfs/bin" "$B/rootfs/etc" "$B/www"
cp /usr/bin/busybox "$B/rootfs/bin/"
for a in sh true echo sleep httpd; do ln -s busybox "$B/rootfs/bin/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' > "$B/rootfs/etc/passwd"
tar -C "$B/rootfs" -cf "$B/mini.tar" .
head -c 209715200 /dev/zero > "$B/www/big"
echo '{}' > "$B/daemon.json"

for ns in "$NS_E" "$NS_D"; do
  ip netns add "$ns"
  ip -n "$ns" link set lo up
done
nsenter --net="/run/netns/$NS_E" "$ENGINED" -H "unix://$B/e.sock" --data-root "$B/e-data" \
  --exec-root "$B/e-exec" --pidfile "$B/e.pid" --config-file "$B/daemon.json" \
  >"$B/e.log" 2>&1 &
nsenter --net="/run/netns/$NS_D" dockerd -H "unix://$B/d.sock" --data-root "$B/d-data" \
  --exec-root "$B/d-exec" --pidfile "$B/d.pid" --storage-driver=vfs \
  --config-file "$B/daemon.json" >"$B/d.log" 2>&1 &
for s in e d; do
  i=0; while [ ! -S "$B/$s.sock" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
  if ! docker -H "unix://$B/$s.sock" import "$B/mini.tar" mini >/dev/null; then
    cat "$B/$s.log" >&2
    exit 1
  fi
done
E="docker -H unix://$B/e.sock"
D="docker -H unix://$B/d.sock"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ms() { t0=$(date +%s%N); "$@" >/dev/null; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000000 )); }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
$E run --rm mini true; $E run --rm --network none mini true; $D run --rm mini true # warm up
i=0
: > "$B/run"
while [ $i -lt "$RUNS" ]; do
  echo "$(ms $E run --rm mini true) $(ms $E run --rm --network none mini true) $(ms $D run --rm mini true)" >> "$B/run"
  i=$((i+1))
done
EB=$(cut -d' ' -f1 "$B/run" | median)
EN=$(cut -d' ' -f2 "$B/run" | median)
DB=$(cut -d' ' -f3 "$B/run" | median)
echo "docker run --rm mini true, median of $RUNS: engined bridge ${EB} ms, engined none ${EN} ms, dockerd bridge ${DB} ms"
echo "  engined/dockerd $(awk "BEGIN {printf \"%.2f\", $EB / $DB}")x (goal <= 0.5x); engined bridge - none $((EB - EN)) ms (goal <= 15 ms)"

many() {
  d="docker -H unix://$B/$1.sock"
  $d network create benchnet >/dev/null
  t0=$(date +%s%N)
  i=0
  while [ $i -lt "$N" ]; do
    $d run -d --network benchnet mini sleep 600 >/dev/null
    i=$((i+1))
  done
  t1=$(date +%s%N)
  # shellcheck disable=SC2046
  $d rm -f $($d ps -aq) >/dev/null
  t2=$(date +%s%N)
  # dockerd may still be letting the endpoints go just after rm -f.
  $d network rm benchnet >/dev/null 2>&1 || { sleep 2; $d network rm benchnet >/dev/null 2>&1 || true; }
  echo "$(( (t1 - t0) / 1000000 )) $(( (t2 - t1) / 1000000 ))"
}
ME=$(many e); MD=$(many d)
set -- $ME; ES=$1; ER=$2
set -- $MD; DS=$1; DR=$2
echo "$N containers on one user network: engined start ${ES} ms + rm ${ER} ms = $((ES + ER)) ms, dockerd start ${DS} ms + rm ${DR} ms = $((DS + DR)) ms"
echo "  engined/dockerd $(awk "BEGIN {printf \"%.2f\", ($ES + $ER) / ($DS + $DR)}")x (goal <= 0.5x)"

# curl's speed in MB/s, median of 3, of http://ADDR:PORT/big from inside
# namespace NS.
speed() {
  for _ in 1 2 3; do
    ip netns exec "$1" curl -s -o /dev/null -w '%{speed_download}\n' "http://$2/big"
  done | median | awk '{printf "%.0f", $1 / 1048576}'
}
for s in e d; do
  d="docker -H unix://$B/$s.sock"
  $d run -d --name web -p 18080:80 -v "$B/www:/www:ro" mini httpd -f -p 80 -h /www >/dev/null
  sleep 0.5
done
GW_E=$(ip -n "$NS_E" -4 -o addr show engined0 | awk '{print $4}' | cut -d/ -f1)
GW_D=$(ip -n "$NS_D" -4 -o addr show docker0 | awk '{print $4}' | cut -d/ -f1)
PE=$(speed "$NS_E" 127.0.0.1:18080); PD=$(speed "$NS_D" 127.0.0.1:18080)
echo "200 MB through 127.0.0.1:18080 (userland proxy), median of 3: engined ${PE} MB/s, dockerd ${PD} MB/s (goal: engined >= dockerd)"
NE=$(speed "$NS_E" "$GW_E:18080"); ND=$(speed "$NS_D" "$GW_D:18080")
echo "200 MB through the bridge gateway :18080 (DNAT), median of 3: engined ${NE} MB/s, dockerd ${ND} MB/s"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
