#!/bin/sh
# Benchmark (issue 17): the classic builder, side by side in one run with
# Debian's dockerd 20.10 (DOCKER_BUILDKIT=0, private sockets and data
# roots, --iptables=false --bridge=none --storage-driver=vfs). A 6-step
# Dockerfile (FROM mini, COPY of 1,000 files, two RUNs, ENV, CMD): a cold
# build (--no-cache, on a fresh data root's first build and then again)
# and a fully cached rebuild, the median of RUNS each, both daemons
# alternating so drift on a shared machine hits both alike. Targets:
# cold at most 0.7x dockerd's wall time, cached at most 0.3x. Prints a
# table; exits 1 when a target is missed. Not run in CI.
# Builds engined in release unless a binary is given.
# Usage: benches/build.sh [engined binary] [runs]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
command -v dockerd >/dev/null || apt-get install -y docker.io >/dev/null
command -v busybox >/dev/null || apt-get install -y busybox-static >/dev/null
if [ -z "${1:-}" ]; then
  (cd "$root" && cargo build --quiet --release -p engined)
fi
ENGINED=${1:-$root/target/release/engined}
RUNS=${2:-5}
B=$(mktemp -d /tmp/bench-build.XXXXXX)

cleanup() {
  for s in e d; do
    [ -f "$B/$s.pid" ] && kill "$(cat "$B/$s.pid")" 2>/dev/null || true
  done
  sleep 2
  umount -R "$B" 2>/dev/null || true
  rm -rf "$B" 2>/dev/null || true
}
trap cleanup EXIT INT TERM

mkdir -p "$B/rootfs/bin" "$B/rootfs/etc" "$B/ctx/files"
cp /usr/bin/busybox "$B/rootfs/bin/"
for a in sh true echo cat ls wc sleep; do ln -s busybox "$B/rootfs/bin/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' > "$B/rootfs/etc/passwd"
tar -C "$B/rootfs" -cf "$B/mini.tar" .
echo '{}' > "$B/daemon.json"

i=0
while [ $i -lt 1000 ]; do
  echo "file $i" > "$B/ctx/files/f$i.txt"
  i=$((i+1))
done
cat > "$B/ctx/Dockerfile" <<'EOF'
FROM mini
COPY files/ /files/
RUN ls /files | wc -l > /count
RUN echo built > /built
ENV MODE=bench
CMD ["cat", "/count"]
EOF

"$ENGINED" -H "unix://$B/e.sock" --data-root "$B/e-data" --exec-root "$B/e-exec" \
  --pidfile "$B/e.pid" --config-file "$B/daemon.json" >"$B/e.log" 2>&1 &
dockerd -H "unix://$B/d.sock" --data-root "$B/d-data" --exec-root "$B/d-exec" \
  --pidfile "$B/d.pid" --iptables=false --ip6tables=false --bridge=none \
  --storage-driver=vfs --config-file "$B/daemon.json" >"$B/d.log" 2>&1 &
for s in e d; do
  i=0; while [ ! -S "$B/$s.sock" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
  docker -H "unix://$B/$s.sock" import "$B/mini.tar" mini >/dev/null
done

# One build's wall time in ms on daemon $1 with the extra flags $2.
build_ms() {
  t0=$(date +%s%N)
  # shellcheck disable=SC2086
  DOCKER_BUILDKIT=0 docker -H "unix://$B/$1.sock" build -q --network none $2 \
    -t bench:1 "$B/ctx" >/dev/null
  t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000000 ))
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# The first build of each also checks the result runs.
for s in e d; do
  build_ms $s "" >/dev/null
  got=$(docker -H "unix://$B/$s.sock" run --rm --network none bench:1)
  [ "$got" = 1000 ] || { echo "the built image on $s printed '$got', not 1000" >&2; exit 1; }
done

: > "$B/cold.e"; : > "$B/cold.d"; : > "$B/cached.e"; : > "$B/cached.d"
i=0
while [ $i -lt "$RUNS" ]; do
  for s in e d; do
    build_ms $s --no-cache >> "$B/cold.$s"
    build_ms $s "" >> "$B/cached.$s"
  done
  i=$((i+1))
done

CE=$(median < "$B/cold.e"); CD=$(median < "$B/cold.d")
HE=$(median < "$B/cached.e"); HD=$(median < "$B/cached.d")
ratio() { awk "BEGIN {printf \"%.2f\", $1 / $2}"; }
verdict() { awk "BEGIN {print ($1 / $2 <= $3) ? \"ok\" : \"MISSED\"}"; }
printf '%-28s %10s %10s %7s %7s %s\n' "classic build, median of $RUNS" engined dockerd ratio target result
printf '%-28s %8s ms %8s ms %7s %7s %s\n' "cold (--no-cache)" "$CE" "$CD" "$(ratio "$CE" "$CD")" "<=0.70" "$(verdict "$CE" "$CD" 0.7)"
printf '%-28s %8s ms %8s ms %7s %7s %s\n' "fully cached rebuild" "$HE" "$HD" "$(ratio "$HE" "$HD")" "<=0.30" "$(verdict "$HE" "$HD" 0.3)"
[ "$(verdict "$CE" "$CD" 0.7)" = ok ] && [ "$(verdict "$HE" "$HD" 0.3)" = ok ]
