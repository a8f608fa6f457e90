#!/usr/bin/env bash
# Benchmark: validating Docker's 12k-line reference spec, whole process,
# release mode, side by side with `swagger-cli validate`
# (npm @apidevtools/swagger-cli) in one hyperfine run.
#
# usage: benches/validate-swagger.sh [SPEC]   (default: ../shared reference)
# Installs hyperfine (apt) and swagger-cli (npm, into target/bench-node)
# when missing. Prints hyperfine's table and the median ratio.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
spec=${1:-$root/../shared/reference/engine-api-v1.44.yaml}
[ -f "$spec" ] || { echo "no spec at $spec" >&2; exit 2; }

command -v hyperfine >/dev/null || apt-get install -y hyperfine >/dev/null
node_dir=$root/target/bench-node
if [ ! -x "$node_dir/node_modules/.bin/swagger-cli" ]; then
  mkdir -p "$node_dir"
  npm install --silent --prefix "$node_dir" @apidevtools/swagger-cli@4.0.4 >/dev/null
fi

cargo build --quiet --release -p xtask
ours="$root/target/release/xtask validate-swagger $spec"
theirs="$node_dir/node_modules/.bin/swagger-cli validate $spec"
# Both must accept the spec, or the comparison means nothing.
$ours >/dev/null 2>&1 || { echo "xtask rejects $spec" >&2; exit 1; }
$theirs >/dev/null 2>&1 || { echo "swagger-cli rejects $spec" >&2; exit 1; }

json=$(mktemp)
hyperfine --warmup 3 --runs 30 --export-json "$json" -N \
  --command-name "xtask validate-swagger" "$ours" \
  --command-name "swagger-cli validate" "$theirs"
python3 - "$json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
ours, theirs = r[0]["median"], r[1]["median"]
print(f"median: xtask {ours*1000:.1f} ms, swagger-cli {theirs*1000:.1f} ms, "
      f"swagger-cli / xtask = {theirs/ours:.1f}x")
PY
rm -f "$json"
