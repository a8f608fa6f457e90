#!/usr/bin/env bash
# Benchmark: rendering the HTML API reference for the whole spec, whole
# process, release mode, side by side with `redocly build-docs`
# (npm @redocly/cli 1.34.20, which reads the YAML too) in one run.
#
# usage: benches/docs.sh [SPEC]   (default: swagger.yaml)
# Uses hyperfine when it is installed (apt-get install hyperfine), else a
# timing loop. Installs @redocly/cli into target/bench-redocly when missing.
# Prints both medians, the ratio, and both page weights; exits 1 when ours
# misses the targets (under 200 ms, at least 20x faster, lighter page).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
spec=$(realpath "${1:-$root/swagger.yaml}")
[ -f "$spec" ] || { echo "no spec at $spec" >&2; exit 2; }
runs=${RUNS:-15}

redocly_dir=$root/target/bench-redocly
redocly=$redocly_dir/node_modules/.bin/redocly
if [ ! -x "$redocly" ]; then
  mkdir -p "$redocly_dir"
  npm install --silent --no-audit --no-fund --prefix "$redocly_dir" @redocly/cli@1.34.20 >/dev/null
fi
# No telemetry or update checks: the measurement is rendering alone.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true

cargo build --quiet --release -p xtask
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ours_out=$work/ours
theirs_out=$work/redoc.html
ours="$root/target/release/xtask docs --quiet --spec $spec --out $ours_out"
theirs="$redocly build-docs $spec --output $theirs_out"
# Both must render the spec, or the comparison means nothing.
$ours 2>/dev/null || { echo "xtask docs failed on $spec" >&2; exit 1; }
$theirs >/dev/null 2>&1 || { echo "redocly build-docs failed on $spec" >&2; exit 1; }

if command -v hyperfine >/dev/null; then
  json=$work/hyperfine.json
  hyperfine --warmup 2 --runs "$runs" --export-json "$json" -N \
    --command-name "xtask docs" "$ours" \
    --command-name "redocly build-docs" "$theirs" >&2
  read -r ours_s theirs_s < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["results"]
print(r[0]["median"], r[1]["median"])' "$json")
else
  echo "hyperfine not installed: timing loop of $runs runs each" >&2
  median() { # command... -> median seconds of $runs runs
    python3 - "$runs" "$@" <<'PY'
import statistics, subprocess, sys, time
runs, cmd = int(sys.argv[1]), sys.argv[2:]
times = []
for _ in range(runs):
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times.append(time.perf_counter() - t)
print(statistics.median(times))
PY
  }
  # shellcheck disable=SC2086
  ours_s=$(median $ours)
  # shellcheck disable=SC2086
  theirs_s=$(median $theirs)
fi

ours_bytes=$(cat "$ours_out"/* | wc -c)
theirs_bytes=$(wc -c <"$theirs_out")
python3 - "$ours_s" "$theirs_s" "$ours_bytes" "$theirs_bytes" <<'PY'
import sys
ours, theirs = float(sys.argv[1]), float(sys.argv[2])
ob, tb = int(sys.argv[3]), int(sys.argv[4])
ratio = theirs / ours
print(f"median: xtask docs {ours*1000:.1f} ms, redocly build-docs {theirs*1000:.1f} ms, "
      f"redocly / xtask = {ratio:.1f}x")
print(f"page weight: xtask docs {ob} bytes (all files), redocly {tb} bytes (one HTML file), "
      f"ours is {ob/tb:.0%} of theirs")
ok = ours < 0.200 and ratio >= 20 and ob < tb
print("targets (<200 ms, >=20x, lighter page):", "met" if ok else "MISSED")
sys.exit(0 if ok else 1)
PY
