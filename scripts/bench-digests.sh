#!/usr/bin/env bash
# Multi-buffer digests against the JDK's MessageDigest (JMH, src/jmh/java/io/glint/digest/DigestBench.java):
# MD5 and SHA-512 of 256 KiB messages, one at a time with MessageDigest (scalar, one core) and 8/16 (MD5) or 8
# (SHA-512) at once in the lanes of MultiMd5/MultiSha512 (Vector API, also one core). On a shared machine the
# rates drift by 2-3x within minutes, so the whole set runs in rounds (one JMH fork per benchmark per round, the
# JDKs alternating), and each lane figure is divided by the scalar one of the same round and JDK: the table gives
# the median over rounds and the spread (min-max) of both the rates and these ratios. JMH's JSON is kept in the
# output directory.
#
# The warm-up is long (6 x 3 s): C2 takes seconds per unrolled kernel method, tens of seconds on a loaded
# machine, and until then the Vector API runs interpreted at a few MB/s.
#
# Usage: scripts/bench-digests.sh [--jdk JAVA_HOME]... [--rounds N] [--warmups N] [--warmup-time SECONDS]
#                                 [--iterations N] [--time SECONDS] [--size BYTES] [--bench REGEX] [--out DIR]
# (--bench DigestBench runs also sha512Lanes4, the AVX2 width.)
# Needs java (17+), mvn (to fetch JMH 1.37 through the pom's jmh profile), python3.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
COMMAND=$(printf "%q " "$0" "$@")
# shellcheck source=scripts/bench/lib.sh
source "$ROOT/scripts/bench/lib.sh"
jdks=() rounds=2 warmups=6 warmup_time=3 iterations=3 time=2 size=262144 bench='DigestBench.(md5|sha512Scalar|sha512Lanes8)' out=$ROOT/bench-results
while [[ $# -gt 0 ]]; do
  case $1 in
    --jdk) need_val "$@"; jdks+=("$2"); shift 2 ;;
    --rounds) need_val "$@"; rounds=$2; shift 2 ;;
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
# a private copy of the classes: a build in this tree during the run must not change them under the forks
rm -rf target/jmh-run && mkdir -p target/jmh-run/jmh-classes && cp -r target/classes target/jmh-run/classes
cp="target/jmh-run/classes:$(tr ':' '\n' < target/jmh-classpath.txt | grep -v "^$ROOT/target/classes\$" | paste -sd:)"
javac --release 17 --add-modules jdk.incubator.vector -XDsuppressNotes -nowarn -cp "$cp" -d target/jmh-run/jmh-classes \
  $(find src/jmh/java -name '*.java') 2> >(grep -v -i 'incubat\|^[0-9]* warning' >&2) || die "javac failed"
mkdir -p "$out"
stamp=$(date +%Y-%m-%d-%H%M%S)
results=()
for round in $(seq "$rounds"); do
  for jdk in "${jdks[@]}"; do
    java=$jdk/bin/java
    [[ -x $java ]] || die "no $java"
    version=$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.version = //p')
    json=$out/digests-$stamp-jdk$version-round$round.json
    echo "Round $round, JDK $version: $bench..." >&2
    "$java" --add-modules jdk.incubator.vector -cp "target/jmh-run/jmh-classes:$cp" org.openjdk.jmh.Main "$bench" \
      -p size="$size" -f 1 -wi "$warmups" -w "${warmup_time}s" -i "$iterations" -r "${time}s" \
      -jvmArgsAppend "--add-modules jdk.incubator.vector" -rf json -rff "$json" >"$json.log" 2>&1 \
      || die "JMH failed on $jdk (see $json.log)"
    grep -E '^DigestBench' "$json.log" >&2 || true
    ! grep -q -E '<failure>|Exception' "$json.log" || die "a benchmark failed on $jdk (see $json.log)"
    results+=("$version" "$round" "$json")
  done
done
echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) CPUs," \
  "load $(cut -d' ' -f1-3 /proc/loadavg); message size $size bytes; $rounds rounds x ($warmups x ${warmup_time}s warm-up, $iterations x ${time}s)"
echo "command: $COMMAND"
python3 - "$size" "${results[@]}" <<'PY'
import json, statistics, sys
size = int(sys.argv[1])
args = sys.argv[2:]
rates = {}   # (jdk, bench) -> [MB/s per round]
ratios = {}  # (jdk, bench) -> [x scalar of the same round]
for version, rnd, path in zip(args[::3], args[1::3], args[2::3]):
    got = {r["benchmark"].rsplit(".", 1)[1]: r["primaryMetric"]["score"] * size / 1e6 for r in json.load(open(path))}
    for name, mbs in got.items():
        rates.setdefault((version, name), []).append(mbs)
        base = got.get(("md5" if name.startswith("md5") else "sha512") + "Scalar")
        if base:
            ratios.setdefault((version, name), []).append(mbs / base)
print("| JDK | benchmark | MB/s, median of rounds | min–max | × scalar, same round: median | min–max |")
print("|---|---|---:|---:|---:|---:|")
for (version, name) in sorted(rates, key=lambda k: (k[0], k[1].startswith("sha"), "Scalar" not in k[1], len(k[1]), k[1])):
    r = rates[(version, name)]
    q = ratios.get((version, name), [])
    qs = f"{statistics.median(q):.2f} | {min(q):.2f}–{max(q):.2f}" if q else "– | –"
    print(f"| {version} | {name} | {statistics.median(r):.0f} | {min(r):.0f}–{max(r):.0f} | {qs} |")
PY
