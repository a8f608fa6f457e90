#!/usr/bin/env bash
# Benchmark (issue 5): the generated server and client, side by side in
# one run, over unix sockets only (benches/bench-api, a crate outside the
# workspace so that `cargo test --workspace` never builds bollard):
#   server: GET /_ping and GET /version, 16 keep-alive connections, against
#           the generated server, a minimal hand-written hyper 1 server
#           replaying the same bytes (target: generated >= 0.9x), and a
#           private Debian dockerd 20.10 for reference;
#   client: GET /version and GET /containers/json (200 entries) from a
#           fixed-data server, sequential and 16-way concurrent, with the
#           generated client and with bollard (targets: ours >= 2x bollard
#           on /version, >= 1.2x on /containers/json); a 1 GiB multiplexed
#           log stream demultiplexed by each (target: ours >= bollard); the
#           cold release build of a crate depending on engine-api (client
#           feature) vs one depending on bollard (default features; target:
#           ours takes less time). Beside the two clients, a floor client
#           (a hand-written keep-alive request, minimal parsing, the same
#           serde decode) shows what is server and kernel, and a decode-only
#           table times each client's types on the same bodies without I/O.
# Prints a summary table; exits 1 when a target is missed.
#
# usage: benches/api.sh
# Knobs: BENCH_SECS (5 per measurement), BENCH_ROUNDS (5 alternating
# slices), BENCH_CONNS (16), SERVER_THREADS / LOAD_THREADS (1 worker each),
# BENCH_DOCKERD=0 to leave dockerd out, BENCH_BUILD=0 to skip the two
# cold builds, BENCH_ONLY=server|client for one half, BENCH_CLIENTS
# (ours,bollard,floor) and BENCH_CALLS (version,list) to measure fewer. dockerd needs root; docker.io is
# installed with apt when missing.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

if [ "${BENCH_DOCKERD:-1}" != 0 ] && [ ! -x /usr/sbin/dockerd ]; then
  apt-get install -y docker.io >/dev/null ||
    echo "docker.io could not be installed: dockerd is left out" >&2
fi

# The main target dir: engine-api's dependencies are shared with the workspace.
(cd "$root/benches/bench-api" &&
  CARGO_TARGET_DIR="$root/target" cargo build --quiet --release --locked)
exec "$root/target/release/bench-api"
