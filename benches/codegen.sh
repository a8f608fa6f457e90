#!/usr/bin/env bash
# Benchmark: the whole generation of this repository's files (load,
# validate, convert, IR, emit types + server + client, format) from
# swagger.yaml, release build:
#   1. per stage, in one process (`codegen --example codegen_stages`):
#      the median of RUNS runs of each stage and of their sum;
#   2. the whole process, `xtask codegen --check` (everything above plus
#      reading the files to compare) under hyperfine, median of RUNS runs:
#      target under 100 ms.
# With COMPARE=1 it also runs, on Docker's reference spec (types only):
#   3. scaling: a synthetic spec with every definition copied 10 times
#      (renamed, internal $refs rewritten) against the same spec copied once,
#      both written as JSON by the same script (target: at most 12x the time);
#   4. side by side with openapi-generator's `rust` generator (PyPI
#      openapi-generator-cli, whose wheel carries the jar) on the same spec:
#      models only (what we generate) and everything it generates by default;
#   5. a clean debug `cargo build` of the generated types crate against one
#      of a crate that depends on bollard-stubs (crates.io, default
#      features, the release for API 1.44), each from an empty target dir,
#      dependencies fetched beforehand; then the crate alone, rebuilt.
# Prints a summary table; exits 1 when a target is missed.
#
# usage: benches/codegen.sh [SPEC]   (SPEC: the reference spec for COMPARE=1,
#   default ../shared/reference/engine-api-v1.44.yaml)
# Installs hyperfine (apt) when missing, and with COMPARE=1
# openapi-generator-cli (pip, into target/bench-venv); works in
# target/bench-codegen.
# Knobs: RUNS (ours, default 20), THEIR_RUNS (openapi-generator, default 5).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
runs=${RUNS:-20}
their_runs=${THEIR_RUNS:-5}
oag_version=7.26.0
bollard_version=1.44.0-rc.26.0.1

command -v hyperfine >/dev/null || apt-get install -y hyperfine >/dev/null
cargo build --quiet --release -p xtask
cargo build --quiet --release -p codegen --example codegen_stages
xtask=$root/target/release/xtask
work=$root/target/bench-codegen
rm -rf "$work"
mkdir -p "$work"
json=$work/hyperfine.json

# median SECONDS of the commands of the last hyperfine export, in order.
medians() {
  python3 -c '
import json, sys
print(" ".join(str(r["median"]) for r in json.load(open(sys.argv[1]))["results"]))' "$json"
}

# --- 1. the stages, in one process -----------------------------------------
echo "per stage, median of $runs runs (ms), swagger.yaml:"
"$root/target/release/examples/codegen_stages" "$root/swagger.yaml" "$runs" |
  awk -F'\t' '{ printf "  %-24s %8.1f\n", $1, $2 }'

# --- 2. the whole process ----------------------------------------------------
hyperfine --warmup 3 --runs "$runs" -N --export-json "$json" \
  --command-name "xtask codegen --check (swagger.yaml)" "$xtask codegen --check" >&2
read -r whole_s < <(medians)
printf '\nwhole process, xtask codegen --check: %.1f ms (target < 100 ms) on %s cores, load %s\n' \
  "$(python3 -c "print($whole_s * 1000)")" "$(nproc)" "$(cut -d' ' -f1 /proc/loadavg)"
if [ "${COMPARE:-0}" != 1 ]; then
  python3 -c "import sys; sys.exit(0 if $whole_s < 0.100 else 1)"
  exit
fi

spec=$(realpath "${1:-$root/../shared/reference/engine-api-v1.44.yaml}")
[ -f "$spec" ] || { echo "no spec at $spec" >&2; exit 2; }
venv=$root/target/bench-venv
if [ ! -x "$venv/bin/openapi-generator-cli" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "openapi-generator-cli==$oag_version"
fi
out1=$work/out-ref
ours="$xtask codegen --spec $spec --out $out1"
$ours 2>/dev/null || { echo "xtask codegen failed on $spec" >&2; exit 1; }
hyperfine --warmup 3 --runs "$runs" -N --export-json "$json" \
  --prepare "rm -rf $out1" --command-name "xtask codegen (reference)" "$ours" >&2
read -r ref_s < <(medians)
types_lines=$(wc -l <"$out1/src/types.rs")

# --- 3. scaling: 10x the definitions --------------------------------------
python3 - "$spec" "$work" <<'PY'
import copy, json, sys
import yaml

# YAML as JSON would read it: no timestamps (examples hold dates as text).
class Loader(yaml.SafeLoader):
    pass
Loader.yaml_implicit_resolvers = {
    k: [r for r in v if r[0] != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
spec = yaml.load(open(sys.argv[1]), Loader=Loader)
defs = spec["definitions"]

PREFIX = "#/definitions/"

def rename_refs(node, suffix):
    """`node` with every $ref to a definition pointing at that copy."""
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str) and v.startswith(PREFIX):
                name, sep, rest = v[len(PREFIX):].partition("/")
                out[k] = PREFIX + name + suffix + sep + rest
            else:
                out[k] = rename_refs(v, suffix)
        return out
    if isinstance(node, list):
        return [rename_refs(v, suffix) for v in node]
    return node

for copies in (1, 10):
    out = copy.deepcopy(spec)
    out["definitions"] = dict(defs)
    for i in range(1, copies):
        for name, schema in defs.items():
            out["definitions"][f"{name}Copy{i}"] = rename_refs(schema, f"Copy{i}")
    with open(f"{sys.argv[2]}/spec-{copies}x.json", "w") as f:
        json.dump(out, f)
    print(f"spec-{copies}x.json: {len(out['definitions'])} definitions", file=sys.stderr)
PY
one="$xtask codegen --spec $work/spec-1x.json --out $work/out-1x"
ten="$xtask codegen --spec $work/spec-10x.json --out $work/out-10x"
$one 2>/dev/null || { echo "xtask codegen failed on the 1x spec" >&2; exit 1; }
$ten 2>/dev/null || { echo "xtask codegen failed on the 10x spec" >&2; exit 1; }
hyperfine --warmup 2 --runs "$runs" -N --export-json "$json" \
  --prepare "rm -rf $work/out-1x $work/out-10x" \
  --command-name "xtask codegen (1x, JSON)" "$one" \
  --command-name "xtask codegen (10x definitions, JSON)" "$ten" >&2
read -r one_s ten_s < <(medians)

# --- 4. openapi-generator's rust generator ---------------------------------
jar=$(find "$venv" -name 'openapi-generator*.jar' | head -n 1)
if [ -z "$jar" ] || ! java -jar "$jar" version >/dev/null 2>&1; then
  echo "openapi-generator-cli brought no usable jar; trying Maven" >&2
  mvn -q dependency:get -Dartifact="org.openapitools:openapi-generator-cli:$oag_version" >&2 ||
    { echo "openapi-generator-cli $oag_version cannot be had here" >&2; exit 1; }
  jar=$HOME/.m2/repository/org/openapitools/openapi-generator-cli/$oag_version/openapi-generator-cli-$oag_version.jar
fi
oag_models="java -jar $jar generate -g rust -i $spec -o $work/oag-models --global-property models,modelDocs=false,modelTests=false"
oag_full="java -jar $jar generate -g rust -i $spec -o $work/oag-full"
$oag_models >/dev/null 2>&1 || { echo "openapi-generator (models) failed on $spec" >&2; exit 1; }
$oag_full >/dev/null 2>&1 || { echo "openapi-generator (full) failed on $spec" >&2; exit 1; }
hyperfine --warmup 1 --runs "$their_runs" -N --export-json "$json" \
  --prepare "rm -rf $work/oag-models $work/oag-full" \
  --command-name "openapi-generator rust (models only)" "$oag_models" \
  --command-name "openapi-generator rust (full)" "$oag_full" >&2
read -r oag_models_s oag_full_s < <(medians)
oag_version_seen=$(java -jar "$jar" version 2>/dev/null | tail -n 1)

# --- 5. compile time: our types crate vs bollard-stubs --------------------
types_crate=$work/types-crate
$xtask codegen --spec "$spec" --out "$types_crate" 2>/dev/null
stubs_crate=$work/stubs-crate
mkdir -p "$stubs_crate/src"
cat >"$stubs_crate/Cargo.toml" <<EOF
[package]
name = "stubs-crate"
version = "0.1.0"
edition = "2021"

[dependencies]
bollard-stubs = "=$bollard_version"

[workspace]
EOF
echo 'pub use bollard_stubs::models::*;' >"$stubs_crate/src/lib.rs"
(cd "$types_crate" && cargo fetch --quiet)
(cd "$stubs_crate" && cargo fetch --quiet)
types_name=$(sed -n 's/^name = "\(.*\)"/\1/p' "$types_crate/Cargo.toml")
# seconds DIR PACKAGE: a clean debug build of DIR, then PACKAGE alone rebuilt.
build_times() {
  local dir=$1 package=$2 t0 t1 t2
  rm -rf "$dir/target"
  t0=$(date +%s.%N)
  (cd "$dir" && CARGO_TARGET_DIR=$dir/target cargo build --quiet --offline)
  t1=$(date +%s.%N)
  (cd "$dir" && CARGO_TARGET_DIR=$dir/target cargo clean --quiet --offline -p "$package" &&
    CARGO_TARGET_DIR=$dir/target cargo build --quiet --offline)
  t2=$(date +%s.%N)
  python3 -c 'import sys; a, b, c = map(float, sys.argv[1:]); print(b - a, c - b)' "$t0" "$t1" "$t2"
}
read -r ours_clean ours_alone < <(build_times "$types_crate" "$types_name")
read -r stubs_clean stubs_alone < <(build_times "$stubs_crate" bollard-stubs)

# --- summary --------------------------------------------------------------
python3 - "$ref_s" "$one_s" "$ten_s" "$oag_models_s" "$oag_full_s" \
  "$ours_clean" "$ours_alone" "$stubs_clean" "$stubs_alone" \
  "$types_lines" "$oag_version_seen" "$bollard_version" "$(nproc)" <<'PY'
import sys
(ref, one, ten, oag_m, oag_f, ours_clean, ours_alone, stubs_clean,
 stubs_alone) = map(float, sys.argv[1:10])
lines, oag_v, bollard_v, cores = sys.argv[10:14]
scale = ten / one
rows = [
    ("xtask codegen, reference spec (median)", f"{ref * 1000:.1f} ms", "< 100 ms",
     ref < 0.100),
    ("  1x spec as JSON / 10x definitions", f"{one * 1000:.1f} / {ten * 1000:.1f} ms",
     "", None),
    ("  scaling 10x definitions / 1x", f"{scale:.2f}x", "<= 12x", scale <= 12),
    (f"openapi-generator {oag_v} rust, models only", f"{oag_m * 1000:.0f} ms",
     f"{oag_m / ref:.0f}x ours", None),
    (f"openapi-generator {oag_v} rust, full", f"{oag_f * 1000:.0f} ms",
     f"{oag_f / ref:.0f}x ours", None),
    (f"clean debug build, our types ({lines} lines)", f"{ours_clean:.1f} s", "", None),
    (f"clean debug build, bollard-stubs {bollard_v}", f"{stubs_clean:.1f} s",
     f"{stubs_clean / ours_clean:.1f}x ours", None),
    ("  our types crate alone, rebuilt", f"{ours_alone:.1f} s", "", None),
    ("  bollard-stubs alone, rebuilt", f"{stubs_alone:.1f} s",
     f"{stubs_alone / ours_alone:.1f}x ours", None),
]
width = max(len(r[0]) for r in rows)
print(f"\nsummary ({cores} cores; whole processes, release xtask)")
print(f"{'measure':<{width}}  {'value':>18}  {'vs':<12}  target")
for name, value, vs, ok in rows:
    mark = "" if ok is None else ("met" if ok else "MISSED")
    print(f"{name:<{width}}  {value:>18}  {vs:<12}  {mark}")
sys.exit(0 if ref < 0.100 and scale <= 12 else 1)
PY
