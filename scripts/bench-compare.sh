#!/usr/bin/env bash
# Same-run comparison of two Glints: the jar of an earlier commit (the reference) and the working tree's, measured
# by one benchmark script in alternating rounds (reference, current, current, reference, ...), so that both see
# the same machine at nearly the same time. Prints and writes a table of medians per run and the ratio
# current / reference (≥ 1 means the current Glint is as fast or faster; for CPU per unit, ≤ 1 is better).
#
# Usage: scripts/bench-compare.sh [--base REV] [--rounds N] [--out DIR] metadata|data [options of that script]
#   --base REV    the reference commit (default HEAD~1); built in a temporary git worktree
#   --rounds N    rounds (default 2); each round runs both Glints once, the order alternating
#   --out DIR     where the reports go (default bench-results/): DIR/compare-<kind>-<date>.md, with each run's
#                 own report and raw results under DIR/compare-<kind>-<date>/
# Example (what the README's house figures came from):
#   scripts/bench-compare.sh --base 9214fa1 --rounds 2 metadata --duration 8 --connections "16 64"
#   scripts/bench-compare.sh --base 9214fa1 --rounds 2 data --sizes 64M --clients "16" --reps 1 \
#     --upload-reps 2 --streams "1 8" --connection-warmup 10
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
die() { echo "bench-compare: $*" >&2; exit 2; }
COMMAND=$(printf '%q ' "$0" "$@")
base=HEAD~1 rounds=2 out=$ROOT/bench-results
while [[ $# -gt 0 ]]; do
  case $1 in
    --base) base=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    metadata|data) kind=$1; shift; break ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
[[ -n ${kind:-} ]] || die "name the benchmark: metadata or data (see --help)"
[[ $rounds =~ ^[1-9][0-9]*$ ]] || die "--rounds must be a positive number"
base_commit=$(git -C "$ROOT" rev-parse --short "$base^{commit}") || die "no such commit: $base"
head_commit=$(git -C "$ROOT" rev-parse --short HEAD)
git -C "$ROOT" diff --quiet HEAD -- pom.xml src/main || head_commit="$head_commit+uncommitted"

stamp=$(date +%Y-%m-%d-%H%M%S)
mkdir -p "$out"
out=$(cd "$out" && pwd)
dir=$out/compare-$kind-$stamp
mkdir -p "$dir"
work=$(mktemp -d "${TMPDIR:-/tmp}/glint-compare.XXXXXX")
cleanup() {
  git -C "$ROOT" worktree remove --force "$work/src" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "Building the reference Glint ($base_commit) in a temporary worktree..." >&2
git -C "$ROOT" worktree add --detach "$work/src" "$base_commit" >/dev/null 2>&1 || die "cannot check out $base_commit"
(cd "$work/src" && mvn -B -q -DskipTests package >"$work/build-base.log" 2>&1) \
  || { tail -n 30 "$work/build-base.log" >&2; die "the reference did not build"; }
cp "$work/src/target/glint.jar" "$work/base.jar"
echo "Building the current Glint ($head_commit)..." >&2
(cd "$ROOT" && mvn -B -q -DskipTests package >"$work/build-head.log" 2>&1) \
  || { tail -n 30 "$work/build-head.log" >&2; die "the working tree did not build"; }
cp "$ROOT/target/glint.jar" "$work/head.jar"

run_side() { # side round
  local jar=$work/$1.jar label
  [[ $1 == base ]] && label=$base_commit || label=$head_commit
  local side=$1 round=$2
  shift 2
  echo "=== round $round: $side ($label)" >&2
  GLINT_JAR=$jar GLINT_JAR_COMMIT=$label "$ROOT/scripts/bench-$kind.sh" --out "$dir/$side-$round" "$@"
}
for r in $(seq 1 "$rounds"); do
  if (( r % 2 )); then run_side base "$r" "${@}"; run_side head "$r" "${@}"
  else run_side head "$r" "${@}"; run_side base "$r" "${@}"; fi
done

report=$out/compare-$kind-$stamp.md
python3 "$ROOT/scripts/bench/compare.py" --kind "$kind" --dir "$dir" --base "$base_commit" --head "$head_commit" \
  --command "${COMMAND% }" --rounds "$rounds" >"$report"
cat "$report"
echo "Report: $report" >&2
