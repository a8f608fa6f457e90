#!/usr/bin/env bash
# Benchmark (issue 19): engine-proxy in front of an upstream daemon,
# against the same upstream reached directly and through HAProxy set up
# the way docker-socket-proxy sets it up (its haproxy.cfg: the same
# frontend rules in the same order, env() switches, per-request logging,
# `option http-server-close`), all on unix sockets, in one run, for each
# upstream in turn (engined from this worktree, then Debian's dockerd):
#   1. GET /containers/json?all=1 with 200 containers: keep-alive load,
#      BENCH_CONNS connections, BENCH_ROUNDS alternating slices of
#      BENCH_SECS each (targets: proxy >= 0.8x direct, >= 2x HAProxy),
#      also through a second engine-proxy with --share-reads (the 2x
#      line is judged on that one: HAProxy itself runs near direct);
#   2. `docker run --rm --network none mini true`, RUNS runs alternating
#      between the three sockets; the median per side and the median of
#      the paired differences (target: proxy at most +5 ms over direct);
#      then the same run's requests sent by bench-proxy itself, each
#      timed (create, attach, wait, start, end), the medians per step;
#   3. the logs of a container that wrote 1 GiB to stdout, read whole,
#      best of BENCH_ROUNDS (target: proxy >= 0.9x direct).
# The proxy runs the ready ci-runner policy with an audit log, as it
# would be deployed; HAProxy logs each request, as docker-socket-proxy
# does. Release builds; not run in CI. Prints a table per upstream and
# exits 1 when a target is missed.
#
# usage: benches/proxy.sh
# Knobs: UPSTREAMS ("engined dockerd"; dockerd is Debian's 20.10,
# installed with apt when missing); BENCH_SECS (3), BENCH_ROUNDS (3),
# BENCH_CONNS (16), RUNS (20), LOG_MIB (1024); PROFILE=debug runs the
# debug binaries (a quick check of the script itself: its numbers mean
# nothing); BUILD=0 builds nothing and runs the binaries there are.
# Needs root (the upstream runs containers). Installs haproxy,
# busybox-static (and docker.io for dockerd) with apt when missing.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
UPSTREAMS=${UPSTREAMS:-engined dockerd}
SECS=${BENCH_SECS:-3}
ROUNDS=${BENCH_ROUNDS:-3}
CONNS=${BENCH_CONNS:-16}
RUNS=${RUNS:-20}
LOG_MIB=${LOG_MIB:-1024}
DOCKER=${DOCKER:-docker}

need() { command -v "$1" >/dev/null || apt-get install -y "$2" >/dev/null; }
need haproxy haproxy
need busybox busybox-static
case " $UPSTREAMS " in *" dockerd "*) need dockerd docker.io ;; esac

PROFILE=${PROFILE:-release}
release=()
[ "$PROFILE" = release ] && release=(--release)
if [ "${BUILD:-1}" = 1 ]; then
  [ "$PROFILE" = release ] && (cd "$root" && cargo build --quiet --release -p engine-proxy -p engined)
  # Outside the workspace; the main target dir shares hyper and tokio.
  (cd "$root/benches/bench-proxy" &&
    CARGO_TARGET_DIR="$root/target" cargo build --quiet "${release[@]}" --locked)
fi
BIN=$root/target/$PROFILE
BENCH=$BIN/bench-proxy

B=$(mktemp -d /tmp/bench-proxy.XXXXXX)
pids=()
stop_all() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
}
cleanup() {
  stop_all
  umount -R "$B"/*/data 2>/dev/null || true
  rm -rf "$B"
}
trap cleanup EXIT
wait_sock() {
  local i=0
  while [ ! -S "$1" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
  [ -S "$1" ] || { echo "no socket $1" >&2; exit 2; }
}

# The image every upstream gets.
mkdir -p "$B/rootfs/bin" "$B/rootfs/etc"
cp "$(command -v busybox)" "$B/rootfs/bin/"
for a in sh true echo sleep head tr fold; do ln -s busybox "$B/rootfs/bin/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$B/rootfs/etc/passwd"
tar -C "$B/rootfs" -cf "$B/mini.tar" .
echo '{}' >"$B/daemon.json"

sum() { awk '{s += $1} END {printf "%.1f", s}'; }
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
ratio() { awk "BEGIN {printf \"%.2f\", $1 / $2}"; }
pass() { if awk "BEGIN {exit !($1)}"; then echo ok; else echo MISSED; fi; }
missed=0

# HAProxy as docker-socket-proxy's haproxy.cfg has it (the sections the
# ci-runner policy corresponds to switched on through the environment,
# as its container does), listening and forwarding on unix sockets.
haproxy_cfg() {
  local U=$1 s
  cat <<CFG
global
    log stdout format raw daemon info
    pidfile $U/haproxy.pid
    maxconn 4000

defaults
    mode http
    log global
    option httplog
    option dontlognull
    option http-server-close
    option redispatch
    retries 3
    timeout http-request 10s
    timeout queue 1m
    timeout connect 10s
    timeout client 10m
    timeout server 10m
    timeout http-keep-alive 10s
    timeout check 10s
    maxconn 3000

backend dockerbackend
    server dockersocket $U/up.sock

backend docker-events
    server dockersocket $U/up.sock
    timeout server 0

frontend dockerfrontend
    bind $U/haproxy.sock mode 660
    http-request deny unless METH_GET || { env(POST) -m bool }
    http-request allow if { path,url_dec -m reg -i ^(/v[\d\.]+)?(/\w+)?/containers/[a-zA-Z0-9_.-]+/((stop)|(restart)|(kill)) } { env(ALLOW_RESTARTS) -m bool }
    http-request allow if { path,url_dec -m reg -i ^(/v[\d\.]+)?(/\w+)?/containers/[a-zA-Z0-9_.-]+/start } { env(ALLOW_START) -m bool }
    http-request allow if { path,url_dec -m reg -i ^(/v[\d\.]+)?(/\w+)?/containers/[a-zA-Z0-9_.-]+/stop } { env(ALLOW_STOP) -m bool }
CFG
  for s in auth build commit configs containers distribution events exec grpc images info \
    networks nodes _ping plugins secrets services session swarm system tasks version volumes; do
    local v=${s#_}
    echo "    http-request allow if { path,url_dec -m reg -i ^(/v[\\d\\.]+)?(/\\w+)?/$s } { env(${v^^}) -m bool }"
  done
  cat <<CFG
    http-request deny
    default_backend dockerbackend

    use_backend docker-events if { path,url_dec -m reg -i ^(/v[\d\.]+)?(/\w+)?/events }
CFG
}
# docker-socket-proxy's switches for what ci-runner allows.
haproxy_env=(POST=1 CONTAINERS=1 IMAGES=1 EXEC=1 BUILD=1 VOLUMES=1 NETWORKS=1 INFO=1
  VERSION=1 PING=1 EVENTS=1 SYSTEM=1 SESSION=1 DISTRIBUTION=1 ALLOW_START=1 ALLOW_STOP=1
  ALLOW_RESTARTS=1 AUTH=0 COMMIT=0 CONFIGS=0 GRPC=0 NODES=0 PLUGINS=0 SECRETS=0
  SERVICES=0 SWARM=0 TASKS=0)

bench_upstream() {
  local UP=$1 U=$B/$1 s
  mkdir -p "$U"
  # The upstream, on a private socket and data root.
  case "$UP" in
    engined)
      "$BIN/engined" -H "unix://$U/up.sock" --data-root "$U/data" \
        --exec-root "$U/exec" --pidfile "$U/up.pid" --config-file "$B/daemon.json" \
        >"$U/up.log" 2>&1 &
      ;;
    dockerd)
      dockerd -H "unix://$U/up.sock" --data-root "$U/data" --exec-root "$U/exec" \
        --pidfile "$U/up.pid" --iptables=false --ip6tables=false --bridge=none \
        --storage-driver=vfs --config-file "$B/daemon.json" >"$U/up.log" 2>&1 &
      ;;
    *) echo "UPSTREAMS lists engined and dockerd, not $UP" >&2; exit 2 ;;
  esac
  pids+=($!)
  wait_sock "$U/up.sock"

  # engine-proxy with the ci-runner preset and an audit log.
  "$BIN/engine-proxy" --upstream "unix://$U/up.sock" \
    -H "unix://$U/proxy.sock" --policy "$root/crates/engine-proxy/policies/ci-runner.yaml" \
    --audit-log "$U/audit.jsonl" >"$U/proxy.log" 2>&1 &
  pids+=($!)
  # The same with --share-reads, measured on the list beside it.
  "$BIN/engine-proxy" --upstream "unix://$U/up.sock" --share-reads \
    -H "unix://$U/shared.sock" --policy "$root/crates/engine-proxy/policies/ci-runner.yaml" \
    --audit-log "$U/audit-shared.jsonl" >"$U/proxy-shared.log" 2>&1 &
  pids+=($!)
  haproxy_cfg "$U" >"$U/haproxy.cfg"
  env "${haproxy_env[@]}" haproxy -f "$U/haproxy.cfg" -db >"$U/haproxy.log" 2>&1 &
  pids+=($!)
  wait_sock "$U/proxy.sock"
  wait_sock "$U/shared.sock"
  wait_sock "$U/haproxy.sock"

  d() { "$DOCKER" -H "unix://$U/$1.sock" "${@:2}"; }

  # The image and the 200 containers (created, never started, so the list
  # is the same size every time).
  d up import "$B/mini.tar" mini >/dev/null
  for _ in $(seq 200); do d up create --network none mini true >/dev/null; done
  for s in up proxy shared haproxy; do
    n=$(d "$s" ps -aq | wc -l)
    [ "$n" -eq 200 ] || { echo "$UP: $s lists $n containers, not 200" >&2; exit 2; }
  done

  # 1. /containers/json: alternating slices, the rates summed per side.
  local LIST=/v1.41/containers/json?all=1
  for s in up proxy shared haproxy; do "$BENCH" rate "$U/$s.sock" "$LIST" 0.5 "$CONNS" >/dev/null; done
  : >"$U/list.up"; : >"$U/list.proxy"; : >"$U/list.shared"; : >"$U/list.haproxy"
  for _ in $(seq "$ROUNDS"); do
    for s in up proxy shared haproxy; do
      "$BENCH" rate "$U/$s.sock" "$LIST" "$SECS" "$CONNS" >>"$U/list.$s"
    done
  done
  avg() { awk -v r="$ROUNDS" '{s += $1} END {printf "%.0f", s / r}' "$U/list.$1"; }
  local L_UP L_PX L_SH L_HA
  L_UP=$(avg up); L_PX=$(avg proxy); L_SH=$(avg shared); L_HA=$(avg haproxy)

  # 2. docker run --rm: alternating, the median per side and of the
  # paired differences (drift on a shared machine hits a pair alike).
  for s in up proxy haproxy; do d "$s" run --rm --network none mini true; done
  : >"$U/run.up"; : >"$U/run.proxy"; : >"$U/run.haproxy"
  for _ in $(seq "$RUNS"); do
    for s in up proxy haproxy; do
      t0=$(date +%s%N)
      d "$s" run --rm --network none mini true
      t1=$(date +%s%N)
      echo $(((t1 - t0) / 1000)) >>"$U/run.$s"
    done
  done
  ms() { median <"$U/run.$1" | awk '{printf "%.1f", $1 / 1000}'; }
  pair() { paste "$U/run.$1" "$U/run.up" | awk '{print $1 - $2}' | median | awk '{printf "%+.1f", $1 / 1000}'; }
  local R_UP R_PX R_HA R_DPX R_DHA
  R_UP=$(ms up); R_PX=$(ms proxy); R_HA=$(ms haproxy)
  R_DPX=$(pair proxy); R_DHA=$(pair haproxy)
  # The same run's requests, each timed.
  : >"$U/steps.up"; : >"$U/steps.proxy"; : >"$U/steps.haproxy"
  for _ in $(seq "$RUNS"); do
    for s in up proxy haproxy; do "$BENCH" steps "$U/$s.sock" mini >>"$U/steps.$s"; done
  done
  step() { awk -v c="$2" '{print $c}' "$U/steps.$1" | median | awk '{printf "%.2f", $1 / 1000}'; }

  # 3. A 1 GiB log, read whole: the best of the rounds per side.
  d up run -d --name biglog --network none mini \
    sh -c "head -c $((LOG_MIB << 20)) /dev/zero | tr '\\0' a | fold -w 8192" >/dev/null
  d up wait biglog >/dev/null
  local LOGS="/v1.41/containers/biglog/logs?stdout=1"
  : >"$U/logs.up"; : >"$U/logs.proxy"; : >"$U/logs.haproxy"
  for _ in $(seq "$ROUNDS"); do
    for s in up proxy haproxy; do
      "$BENCH" stream "$U/$s.sock" "$LOGS" >>"$U/logs.$s"
    done
  done
  best() { awk '{print $2}' "$U/logs.$1" | sort -n | tail -1; }
  bytes() { awk '{print $1}' "$U/logs.$1" | sort -u | tr '\n' ' '; }
  local G_UP G_PX G_HA
  G_UP=$(best up); G_PX=$(best proxy); G_HA=$(best haproxy)
  # The whole log came back (the frame headers make it a little more).
  [ "$(awk '{print $1}' "$U/logs.up" | head -1)" -ge $((LOG_MIB << 20)) ] ||
    { echo "$UP: the log is shorter than $LOG_MIB MiB: $(bytes up)" >&2; exit 2; }
  [ "$(bytes up)" = "$(bytes proxy)" ] && [ "$(bytes up)" = "$(bytes haproxy)" ] ||
    { echo "$UP: the log streams differ in length: $(bytes up)/$(bytes proxy)/$(bytes haproxy)" >&2; exit 2; }
  d up rm -f biglog >/dev/null

  local row='%-36s %12s %12s %12s  %-22s %s\n'
  printf '\nengine-proxy benchmark, upstream %s, %s; %s slices of %ss, %s connections, %s runs\n' \
    "$UP" "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" "$ROUNDS" "$SECS" "$CONNS" "$RUNS"
  printf "$row" measure direct engine-proxy haproxy target result
  printf "$row" "GET /containers/json (200), req/s" \
    "$L_UP" "$L_PX" "$L_HA" "proxy/direct >= 0.8" \
    "$(ratio "$L_PX" "$L_UP")x $(pass "$L_PX >= 0.8 * $L_UP")"
  printf "$row" "" "" "" "" "proxy/haproxy" \
    "$(ratio "$L_PX" "$L_HA")x (each read upstream)"
  printf "$row" "  same, --share-reads, req/s" "" "$L_SH" "" "proxy/haproxy >= 2" \
    "$(ratio "$L_SH" "$L_HA")x $(pass "$L_SH >= 2 * $L_HA"), $(ratio "$L_SH" "$L_UP")x direct"
  printf "$row" "docker run --rm mini true, ms" \
    "$R_UP" "$R_PX" "$R_HA" "proxy - direct <= 5" \
    "$(awk "BEGIN {printf \"%+.1f\", $R_PX - $R_UP}") ms $(pass "$R_PX - $R_UP <= 5")"
  printf "$row" "  paired difference, median, ms" "" "$R_DPX" "$R_DHA" "" ""
  local i name
  i=1
  for name in create attach wait-head start end total; do
    printf "$row" "  API run: $name, ms" "$(step up $i)" "$(step proxy $i)" "$(step haproxy $i)" "" ""
    i=$((i + 1))
  done
  printf "$row" "logs of $LOG_MIB MiB, MiB/s" \
    "$G_UP" "$G_PX" "$G_HA" "proxy/direct >= 0.9" \
    "$(ratio "$G_PX" "$G_UP")x $(pass "$G_PX >= 0.9 * $G_UP")"
  awk "BEGIN {exit !($L_PX >= 0.8 * $L_UP && $L_SH >= 2 * $L_HA && $R_PX - $R_UP <= 5 && $G_PX >= 0.9 * $G_UP)}" ||
    missed=1
  stop_all
  umount -R "$U/data" 2>/dev/null || true
}

for up in $UPSTREAMS; do bench_upstream "$up"; done
exit "$missed"
