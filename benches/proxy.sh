#!/usr/bin/env bash
# Benchmark (issue 19): engine-proxy in front of an upstream daemon,
# against the same upstream reached directly and through HAProxy set up
# the way docker-socket-proxy sets it up (a path regex per API section,
# `option http-server-close`), all on unix sockets, in one run:
#   1. GET /containers/json?all=1 with 200 containers: keep-alive load,
#      BENCH_CONNS connections, BENCH_ROUNDS alternating slices of
#      BENCH_SECS each (targets: proxy >= 0.8x direct, >= 2x HAProxy);
#   2. `docker run --rm --network none mini true`, median of RUNS runs,
#      alternating (target: proxy at most +5 ms over direct);
#   3. the logs of a container that wrote 1 GiB to stdout, read whole,
#      best of BENCH_ROUNDS (target: proxy >= 0.9x direct).
# The proxy runs the ready ci-runner policy with an audit log, as it
# would be deployed. Release builds; not run in CI. Prints a table and
# exits 1 when a target is missed.
#
# usage: benches/proxy.sh
# Knobs: UPSTREAM=engined (default; built in release) or dockerd
# (Debian's 20.10, installed with apt when missing); BENCH_SECS (3),
# BENCH_ROUNDS (3), BENCH_CONNS (16), RUNS (20), LOG_MIB (1024);
# PROFILE=debug runs the debug binaries as they are (a quick check of the
# script itself: its numbers mean nothing).
# Needs root (the upstream runs containers). Installs haproxy,
# busybox-static (and docker.io for dockerd) with apt when missing.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
UPSTREAM=${UPSTREAM:-engined}
SECS=${BENCH_SECS:-3}
ROUNDS=${BENCH_ROUNDS:-3}
CONNS=${BENCH_CONNS:-16}
RUNS=${RUNS:-20}
LOG_MIB=${LOG_MIB:-1024}
DOCKER=${DOCKER:-docker}

need() { command -v "$1" >/dev/null || apt-get install -y "$2" >/dev/null; }
need haproxy haproxy
need busybox busybox-static
[ "$UPSTREAM" = dockerd ] && need dockerd docker.io

PROFILE=${PROFILE:-release}
crates=(-p engine-proxy)
[ "$UPSTREAM" = engined ] && crates+=(-p engined)
release=()
[ "$PROFILE" = release ] && release=(--release)
[ "$PROFILE" = release ] && (cd "$root" && cargo build --quiet --release "${crates[@]}")
# Outside the workspace; the main target dir shares hyper and tokio.
(cd "$root/benches/bench-proxy" &&
  CARGO_TARGET_DIR="$root/target" cargo build --quiet "${release[@]}" --locked)
BIN=$root/target/$PROFILE
BENCH=$BIN/bench-proxy

B=$(mktemp -d /tmp/bench-proxy.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  umount -R "$B" 2>/dev/null || true
  rm -rf "$B"
}
trap cleanup EXIT
wait_sock() {
  local i=0
  while [ ! -S "$1" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
  [ -S "$1" ] || { echo "no socket $1" >&2; exit 2; }
}

# The upstream, on a private socket and data root.
echo '{}' >"$B/daemon.json"
case "$UPSTREAM" in
  engined)
    "$BIN/engined" -H "unix://$B/up.sock" --data-root "$B/data" \
      --exec-root "$B/exec" --pidfile "$B/up.pid" --config-file "$B/daemon.json" \
      >"$B/up.log" 2>&1 &
    ;;
  dockerd)
    dockerd -H "unix://$B/up.sock" --data-root "$B/data" --exec-root "$B/exec" \
      --pidfile "$B/up.pid" --iptables=false --ip6tables=false --bridge=none \
      --storage-driver=vfs --config-file "$B/daemon.json" >"$B/up.log" 2>&1 &
    ;;
  *) echo "UPSTREAM is engined or dockerd" >&2; exit 2 ;;
esac
pids+=($!)
wait_sock "$B/up.sock"

# engine-proxy with the ci-runner preset and an audit log.
"$BIN/engine-proxy" --upstream "unix://$B/up.sock" \
  -H "unix://$B/proxy.sock" --policy "$root/crates/engine-proxy/policies/ci-runner.yaml" \
  --audit-log "$B/audit.jsonl" >"$B/proxy.log" 2>&1 &
pids+=($!)

# HAProxy as docker-socket-proxy configures it, with the sections the
# ci-runner policy corresponds to switched on (CONTAINERS IMAGES EXEC
# BUILD VOLUMES NETWORKS INFO VERSION PING EVENTS, POST=1).
cat >"$B/haproxy.cfg" <<CFG
global
    maxconn 4000
    pidfile $B/haproxy.pid

defaults
    mode http
    option http-server-close
    option dontlognull
    timeout http-request 10s
    timeout queue 1m
    timeout connect 10s
    timeout client 10m
    timeout server 10m
    timeout http-keep-alive 10s
    timeout tunnel 1h
    maxconn 3000

backend docker
    server upstream $B/up.sock

frontend socket
    bind $B/haproxy.sock mode 660
    acl ping      path,url_dec -m reg -i ^(/v[\d\.]+)?/_ping
    acl version   path,url_dec -m reg -i ^(/v[\d\.]+)?/version
    acl info      path,url_dec -m reg -i ^(/v[\d\.]+)?/info
    acl events    path,url_dec -m reg -i ^(/v[\d\.]+)?/events
    acl containers path,url_dec -m reg -i ^(/v[\d\.]+)?/containers
    acl exec      path,url_dec -m reg -i ^(/v[\d\.]+)?/exec
    acl build     path,url_dec -m reg -i ^(/v[\d\.]+)?/build
    acl images    path,url_dec -m reg -i ^(/v[\d\.]+)?/images
    acl volumes   path,url_dec -m reg -i ^(/v[\d\.]+)?/volumes
    acl networks  path,url_dec -m reg -i ^(/v[\d\.]+)?/networks
    http-request allow if ping || version || info || events
    http-request allow if containers || exec || build || images || volumes || networks
    http-request deny
    default_backend docker
CFG
haproxy -f "$B/haproxy.cfg" -db >"$B/haproxy.log" 2>&1 &
pids+=($!)
wait_sock "$B/proxy.sock"
wait_sock "$B/haproxy.sock"

d() { "$DOCKER" -H "unix://$B/$1.sock" "${@:2}"; }

# The image and the 200 containers (created, never started, so the list
# is the same size every time).
mkdir -p "$B/rootfs/bin" "$B/rootfs/etc"
cp "$(command -v busybox)" "$B/rootfs/bin/"
for a in sh true echo sleep head tr fold; do ln -s busybox "$B/rootfs/bin/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$B/rootfs/etc/passwd"
tar -C "$B/rootfs" -cf "$B/mini.tar" .
d up import "$B/mini.tar" mini >/dev/null
for _ in $(seq 200); do d up create --network none mini true >/dev/null; done
for s in up proxy haproxy; do
  n=$(d "$s" ps -aq | wc -l)
  [ "$n" -eq 200 ] || { echo "$s lists $n containers, not 200" >&2; exit 2; }
done

sum() { awk '{s += $1} END {printf "%.1f", s}'; }
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
ratio() { awk "BEGIN {printf \"%.2f\", $1 / $2}"; }
pass() { if awk "BEGIN {exit !($1)}"; then echo ok; else echo MISSED; fi; }

# 1. /containers/json: alternating slices, the rates summed per side.
LIST=/v1.41/containers/json?all=1
for s in up proxy haproxy; do "$BENCH" rate "$B/$s.sock" "$LIST" 0.5 "$CONNS" >/dev/null; done
: >"$B/list.up"; : >"$B/list.proxy"; : >"$B/list.haproxy"
for _ in $(seq "$ROUNDS"); do
  for s in up proxy haproxy; do
    "$BENCH" rate "$B/$s.sock" "$LIST" "$SECS" "$CONNS" >>"$B/list.$s"
  done
done
L_UP=$(awk -v r="$ROUNDS" '{s += $1} END {printf "%.0f", s / r}' "$B/list.up")
L_PX=$(awk -v r="$ROUNDS" '{s += $1} END {printf "%.0f", s / r}' "$B/list.proxy")
L_HA=$(awk -v r="$ROUNDS" '{s += $1} END {printf "%.0f", s / r}' "$B/list.haproxy")

# 2. docker run --rm: alternating, the median per side.
for s in up proxy haproxy; do d "$s" run --rm --network none mini true; done
: >"$B/run.up"; : >"$B/run.proxy"; : >"$B/run.haproxy"
for _ in $(seq "$RUNS"); do
  for s in up proxy haproxy; do
    t0=$(date +%s%N)
    d "$s" run --rm --network none mini true
    t1=$(date +%s%N)
    echo $(((t1 - t0) / 1000)) >>"$B/run.$s"
  done
done
ms() { median <"$B/run.$1" | awk '{printf "%.1f", $1 / 1000}'; }
R_UP=$(ms up); R_PX=$(ms proxy); R_HA=$(ms haproxy)

# 3. A 1 GiB log, read whole: the best of the rounds per side.
d up run -d --name biglog --network none mini \
  sh -c "head -c $((LOG_MIB << 20)) /dev/zero | tr '\\0' a | fold -w 8192" >/dev/null
d up wait biglog >/dev/null
LOGS="/v1.41/containers/biglog/logs?stdout=1"
: >"$B/logs.up"; : >"$B/logs.proxy"; : >"$B/logs.haproxy"
for _ in $(seq "$ROUNDS"); do
  for s in up proxy haproxy; do
    "$BENCH" stream "$B/$s.sock" "$LOGS" >>"$B/logs.$s"
  done
done
best() { awk '{print $2}' "$B/logs.$1" | sort -n | tail -1; }
bytes() { awk '{print $1}' "$B/logs.$1" | sort -u | tr '\n' ' '; }
G_UP=$(best up); G_PX=$(best proxy); G_HA=$(best haproxy)
# The whole log came back (the frame headers make it a little more).
[ "$(awk '{print $1}' "$B/logs.up" | head -1)" -ge $((LOG_MIB << 20)) ] ||
  { echo "the log is shorter than $LOG_MIB MiB: $(bytes up)" >&2; exit 2; }
[ "$(bytes up)" = "$(bytes proxy)" ] && [ "$(bytes up)" = "$(bytes haproxy)" ] ||
  { echo "the log streams differ in length: $(bytes up)/$(bytes proxy)/$(bytes haproxy)" >&2; exit 2; }
d up rm -f biglog >/dev/null

printf '\nengine-proxy benchmark, upstream %s, %s; %s slices of %ss, %s connections, %s runs\n' \
  "$UPSTREAM" "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" "$ROUNDS" "$SECS" "$CONNS" "$RUNS"
printf '%-34s %12s %12s %12s  %-22s %s\n' measure direct engine-proxy haproxy target result
printf '%-34s %12s %12s %12s  %-22s %s\n' "GET /containers/json (200), req/s" \
  "$L_UP" "$L_PX" "$L_HA" "proxy/direct >= 0.8" \
  "$(ratio "$L_PX" "$L_UP")x $(pass "$L_PX >= 0.8 * $L_UP")"
printf '%-34s %12s %12s %12s  %-22s %s\n' "" "" "" "" "proxy/haproxy >= 2" \
  "$(ratio "$L_PX" "$L_HA")x $(pass "$L_PX >= 2 * $L_HA")"
printf '%-34s %12s %12s %12s  %-22s %s\n' "docker run --rm mini true, ms" \
  "$R_UP" "$R_PX" "$R_HA" "proxy - direct <= 5" \
  "$(awk "BEGIN {printf \"%+.1f\", $R_PX - $R_UP}") ms $(pass "$R_PX - $R_UP <= 5")"
printf '%-34s %12s %12s %12s  %-22s %s\n' "logs of $LOG_MIB MiB, MiB/s" \
  "$G_UP" "$G_PX" "$G_HA" "proxy/direct >= 0.9" \
  "$(ratio "$G_PX" "$G_UP")x $(pass "$G_PX >= 0.9 * $G_UP")"
awk "BEGIN {exit !($L_PX >= 0.8 * $L_UP && $L_PX >= 2 * $L_HA && $R_PX - $R_UP <= 5 && $G_PX >= 0.9 * $G_UP)}"
