#!/usr/bin/env bash
# Multi-buffer digests against the JDK's MessageDigest (JMH, src/jmh/java/io/glint/digest/DigestBench.java):
# MD5 and SHA-512 of 256 KiB messages, one at a time with MessageDigest (scalar, one core) and 4/8/16 at once
# in the lanes of MultiMd5/MultiSha512 (Vector API, also one core). Runs on each JDK given (default: `java`, and
# Temurin 25 when installed), prints MB/s per benchmark (mean over forks, with the fork means' spread) and the
# ratio to the scalar digest of the same run, and keeps JMH's JSON in the output directory.
#
# The warm-up is long (10 x 3 s): C2 takes seconds per unrolled kernel method, tens of seconds on a loaded
# machine, and until then the Vector API runs interpreted at a few MB/s.
#
# Usage: scripts/bench-digests.sh [--jdk JAVA_HOME]... [--forks N] [--warmups N] [--warmup-time SECONDS]
#                                 [--iterations N] [--time SECONDS] [--size BYTES] [--bench REGEX] [--out DIR]
# Needs java (17+), mvn (to fetch JMH 1.37 through the pom's jmh profile), python3.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
COMMAND=$(printf "%q " "$0" "$@")
# shellcheck source=scripts/bench/lib.sh
source "$ROOT/scripts/bench/lib.sh"
jdks=() forks=2 warmups=10 warmup_time=3 iterations=5 time=2 size=262144 bench='DigestBench' out=$ROOT/bench-results
while [[ $# -gt 0 ]]; do
  case $1 in
    --jdk) need_val "$@"; jdks+=("$2"); shift 2 ;;
    --forks) need_val "$@"; forks=$2; shift 2 ;;
    --warmups) need_val "$@"; warmups=$2; shift 2 ;;
    --warmup-time) need_val "$@"; warmup_time=$2; shift 2 ;;
    --iterations) need_val "$@"; iterations=$2; shift 2 ;;
    --time) need_val "$@"; time=$2; shift 2 ;;
    --size) need_val "$@"; size=$2; shift 2 ;;
    --bench) need_val "$@"; bench=$2; shift 2 ;;
    --out) need_val "$@"; out=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
if [[ ${#jdks[@]} -eq 0 ]]; then
  jdks=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  [[ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]] && jdks+=(/usr/lib/jvm/temurin-25-jdk-amd64)
fi
cd "$ROOT"
echo "Compiling Glint and resolving JMH (mvn -Pjmh)..." >&2
mvn -B -q -Pjmh compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/jmh-classpath.txt >/dev/null || die "build failed"
cp="target/classes:$(cat target/jmh-classpath.txt)"
rm -rf target/jmh-classes && mkdir -p target/jmh-classes
javac --release 17 --add-modules jdk.incubator.vector -XDsuppressNotes -nowarn -cp "$cp" -d target/jmh-classes \
  $(find src/jmh/java -name '*.java') 2> >(grep -v -i 'incubat\|^[0-9]* warning' >&2) || die "javac failed"
mkdir -p "$out"
stamp=$(date +%Y-%m-%d-%H%M%S)
results=()
for jdk in "${jdks[@]}"; do
  java=$jdk/bin/java
  [[ -x $java ]] || die "no $java"
  version=$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.version = //p')
  json=$out/digests-$stamp-jdk$version.json
  echo "JDK $version: $bench..." >&2
  "$java" --add-modules jdk.incubator.vector -cp "target/jmh-classes:$cp" org.openjdk.jmh.Main "$bench" \
    -p size="$size" -f "$forks" -wi "$warmups" -w "${warmup_time}s" -i "$iterations" -r "${time}s" \
    -jvmArgsAppend "--add-modules jdk.incubator.vector" -rf json -rff "$json" 2>&1 \
    | grep -E '^(# Run progress|DigestBench|Benchmark)' >&2 || die "JMH failed on $jdk"
  results+=("$version" "$json")
done
echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) CPUs," \
  "load $(cut -d' ' -f1-3 /proc/loadavg); message size $size bytes; $forks forks x ($warmups x ${warmup_time}s warm-up, $iterations x ${time}s)"
echo "command: $COMMAND"
python3 - "$size" "${results[@]}" <<'PY'
import json, statistics, sys
size = int(sys.argv[1])
runs = sys.argv[2:]
print("| JDK | benchmark | MB/s (mean of forks) | fork means min–max | × scalar |")
print("|---|---|---:|---:|---:|")
for version, path in zip(runs[::2], runs[1::2]):
    data = json.load(open(path))
    rows = {}
    for r in data:
        name = r["benchmark"].rsplit(".", 1)[1]
        forks = [statistics.mean(f) * size / 1e6 for f in r["primaryMetric"]["rawData"]]
        rows[name] = (r["primaryMetric"]["score"] * size / 1e6, min(forks), max(forks))
    for name in sorted(rows, key=lambda n: (n.startswith("sha"), "Scalar" not in n, len(n), n)):
        mean, lo, hi = rows[name]
        algo = "md5" if name.startswith("md5") else "sha512"
        base = rows.get(algo + "Scalar")
        ratio = f"{mean / base[0]:.2f}" if base else "–"
        print(f"| {version} | {name} | {mean:.0f} | {lo:.0f}–{hi:.0f} | {ratio} |")
PY
