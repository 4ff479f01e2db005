#!/usr/bin/env bash
# S3-store benchmark: images uploaded to and downloaded from an S3 server through Glint, beside the same S3 server
# used directly by a plain client (curl, SigV4-signed) in the same run, alternating which goes first. The S3 server
# is S3Proxy 2.7.0 (Maven Central's jar-with-dependencies, fetched with mvn into target/bench-tools), storing
# objects in a temporary directory on disk, on loopback. Reports MB/s of both, the ratio, Glint's CPU per GB (its
# own process only) and its peak RSS (VmRSS sampled every 0.2 s per row; VmHWM, the kernel's high-water mark, at the
# end). Downloads run with s3_store_splice on (the
# default: socket to socket in the kernel) and, with --pipe-rows, again after a restart with it off (piped
# through the JVM).
#
# Usage: scripts/bench-s3.sh [options]
#   --size-mib N        image size (default 1024)
#   --clients "LIST"    concurrent clients (default "1 16")
#   --rounds N          rounds of each measurement (default 2; the report shows median (min–max))
#   --phases LIST       up,down (default) or one of them
#   --pipe-rows         also downloads with --glance_store.s3_store_splice=false (Glint restarted)
#   --direct-parts-rows also uploads beside a direct client that uploads in 10 MiB parts (Glint's default part
#                       size), one after the other on one connection, as the AWS CLI sends a large file: the same
#                       multipart completion on the S3 server's side as Glint's default uploads
#   --single-put-rows   also uploads with --glance_store.s3_store_large_object_size=5120 (Glint restarted): the
#                       image as one streamed PUT, as the direct client sends it, instead of a multipart upload
#   --haproxy-rows      downloads also through HAProxy (2.x, from the system) in splice mode in front of the same S3
#                       server, on Glint's CPUs, in the same rounds: a reference for what a relay socket to socket in
#                       the kernel gets on this machine (its throughput and CPU per GB beside Glint's)
#   --s3-backend NAME   S3Proxy's storage: filesystem (default: jclouds', completes a multipart upload by copying
#                       its parts into one file) or filesystem-nio2 (S3Proxy's own: serves a multipart object
#                       from its parts, slowly)
#   --base-jar JAR      also the same measurements with another Glint jar (e.g. a build of the previous commit,
#                       BENCH_JAR=... of scripts/bench-compare.sh), round by round: each round runs this Glint, then
#                       the other (both restarted on the same data), rows labelled "current" and "base"
#   --glint-args "ARGS" more arguments for every Glint started, e.g. "--glance_store.s3_store_part_memory=256MB"
#   --verify-gib N      instead of the benchmark: one N-GiB image through Glint, with Content-Length and chunked,
#                       checksums and sizes compared (e.g. 5: larger than one S3 PUT may be)
#   --split-cpus G:O    pin Glint (and the PostgreSQL it starts) to CPU list G and S3Proxy and the clients to CPU list
#                       O (taskset), e.g. 0:1 -- each side on cores of its own, as when S3 and the clients run on
#                       other machines; without it all share every core, and Glint pays for S3's CPU too
#   --out DIR           report directory (default bench-results/): DIR/s3-<date>.md (+ .jsonl, logs)
# Environment: GLINT_JAVA_OPTS (default: conf/jvm.options), S3PROXY_JAVA_OPTS (default -Xmx1g).
# Needs java (17+), mvn (build, and fetching S3Proxy once), curl (7.75+), python3.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/scripts/bench/lib.sh"
META=$ROOT/scripts/bench/metabench.py
HELPER=$ROOT/scripts/bench/s3bench.py
COMMAND=$(printf '%q ' "$0" "$@")
COMMAND=${COMMAND% }
S3PROXY_VERSION=2.7.0

split_cpus= backend=filesystem size_mib=1024 clients="1 16" rounds=2 phases=up,down pipe_rows=0 single_put_rows=0 direct_parts_rows=0 haproxy_rows=0 glint_args= base_jar= verify_gib=0 out=$ROOT/bench-results
while [[ $# -gt 0 ]]; do
  case $1 in
    --size-mib) size_mib=$2; shift 2 ;;
    --clients) clients=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --phases) phases=$2; shift 2 ;;
    --pipe-rows) pipe_rows=1; shift ;;
    --single-put-rows) single_put_rows=1; shift ;;
    --direct-parts-rows) direct_parts_rows=1; shift ;;
    --haproxy-rows) haproxy_rows=1; shift ;;
    --glint-args) glint_args=$2; shift 2 ;;
    --base-jar) base_jar=$2; shift 2 ;;
    --s3-backend) backend=$2; shift 2 ;;
    --verify-gib) verify_gib=$2; shift 2 ;;
    --split-cpus) split_cpus=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
glint_pin=() others_pin=()
if [[ -n $split_cpus ]]; then
  [[ $split_cpus =~ ^([0-9,-]+):([0-9,-]+)$ ]] || die "--split-cpus wants G:O, CPU lists such as 0:1"
  command -v taskset >/dev/null 2>&1 || die "taskset not found (util-linux)"
  glint_pin=(taskset -c "${BASH_REMATCH[1]}") others_pin=(taskset -c "${BASH_REMATCH[2]}")
fi
for t in java mvn curl python3; do command -v $t >/dev/null 2>&1 || die "$t not found"; done
[[ $haproxy_rows == 0 ]] || command -v haproxy >/dev/null 2>&1 || die "--haproxy-rows: haproxy not found (apt-get install haproxy)"
export PYTHONDONTWRITEBYTECODE=1

build_jar
tools=$ROOT/target/bench-tools
s3proxy_jar=$tools/s3proxy-$S3PROXY_VERSION-jar-with-dependencies.jar
if [[ ! -f $s3proxy_jar ]]; then
  echo "Fetching S3Proxy $S3PROXY_VERSION from Maven Central (mvn dependency:copy)..." >&2
  (cd "$ROOT" && mvn -B -q dependency:copy -Dartifact=org.gaul:s3proxy:$S3PROXY_VERSION:jar:jar-with-dependencies \
    -DoutputDirectory="$tools") || die "could not fetch S3Proxy"
fi

start_run s3
report=$out/s3-$stamp.md
results=$out/s3-$stamp.jsonl
s3proxy_pid="" haproxy_pid=""
keep_run_files() {
  if [[ -n $s3proxy_pid ]]; then kill "$s3proxy_pid" 2>/dev/null || true; wait "$s3proxy_pid" 2>/dev/null || true; fi
  if [[ -n $haproxy_pid ]]; then kill "$haproxy_pid" 2>/dev/null || true; wait "$haproxy_pid" 2>/dev/null || true; fi
  for l in glint.log glint-current.log glint-base.log glint-pipe.log glint-put.log s3proxy.log; do
    [[ -f $tmp/$l ]] && { echo "===== $l"; cat "$tmp/$l"; } >>"$out/s3-$stamp-logs.txt" 2>/dev/null || true
  done
}

access=bench-access secret=bench-secret-$RANDOM$RANDOM bucket=glint-bench
s3port=$(python3 "$META" free-port)
s3=http://127.0.0.1:$s3port
mkdir -p "$tmp/s3data"
cat >"$tmp/s3proxy.conf" <<CONF
s3proxy.endpoint=$s3
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$access
s3proxy.credential=$secret
jclouds.provider=$backend
jclouds.filesystem.basedir=$tmp/s3data
jclouds.identity=$access
jclouds.credential=$secret
CONF
echo "Starting S3Proxy on $s3..." >&2
# shellcheck disable=SC2086
"${others_pin[@]}" java ${S3PROXY_JAVA_OPTS:--Xmx1g} -jar "$s3proxy_jar" --properties "$tmp/s3proxy.conf" >"$tmp/s3proxy.log" 2>&1 &
s3proxy_pid=$!
sig=(--aws-sigv4 "aws:amz:us-east-1:s3" --user "$access:$secret" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD")
for _ in $(seq 300); do
  [[ $(curl -s -o /dev/null -w '%{http_code}' "${sig[@]}" -X PUT "$s3/$bucket" || true) == 200 ]] && break
  kill -0 "$s3proxy_pid" 2>/dev/null || { tail -20 "$tmp/s3proxy.log" >&2; die "S3Proxy exited"; }
  sleep 0.2
done

relay_args=()
if [[ $haproxy_rows == 1 ]]; then
  hport=$(python3 "$META" free-port)
  cat >"$tmp/haproxy.cfg" <<CONF
global
  maxconn 4096
  tune.pipesize 1048576
defaults
  mode http
  timeout connect 10s
  timeout client 300s
  timeout server 300s
  option splice-response
frontend relay
  bind 127.0.0.1:$hport
  default_backend s3
backend s3
  server s3proxy 127.0.0.1:$s3port
CONF
  "${glint_pin[@]}" haproxy -db -f "$tmp/haproxy.cfg" >"$tmp/haproxy.log" 2>&1 &
  haproxy_pid=$!
  for _ in $(seq 50); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' "${sig[@]}" "http://127.0.0.1:$hport/$bucket" || true) == 200 ]] && break
    kill -0 "$haproxy_pid" 2>/dev/null || { cat "$tmp/haproxy.log" >&2; die "HAProxy exited"; }
    sleep 0.2
  done
  relay_args=(--relay "http://127.0.0.1:$hport" --relay-pid "$haproxy_pid")
fi

python3 "$META" copy-jar "$jar" "$tmp/glint.jar"
if [[ -n $base_jar ]]; then
  [[ -f $base_jar ]] || die "--base-jar $base_jar does not exist"
  python3 "$META" copy-jar "$base_jar" "$tmp/base.jar"
fi
glint_jar=$tmp/glint.jar
jvm_opts=$("$ROOT/scripts/jvm-options")
port=$(python3 "$META" free-port)
base=http://127.0.0.1:$port
start_glint() {  # $1 = log file, rest = extra arguments
  local logf=$tmp/$1 t0
  shift
  t0=$(date +%s%N)
  # shellcheck disable=SC2086
  (cd "$tmp" && exec "${glint_pin[@]}" java $jvm_opts -jar "$glint_jar" --bind_port="$port" --data_dir="$tmp/data" \
    --show_image_direct_url --glance_store.stores=s3 --glance_store.default_store=s3 \
    --glance_store.s3_store_host="$s3" --glance_store.s3_store_bucket="$bucket" \
    --glance_store.s3_store_access_key="$access" --glance_store.s3_store_secret_key="$secret" $glint_args "$@") \
    >"$logf" 2>&1 &
  glint_pid=$!
  python3 "$META" wait-ready "$base/versions" "$glint_pid" "$t0" 180 >/dev/null \
    || { tail -30 "$logf" >&2; die "Glint did not start"; }
  postmaster=$(head -n 1 "$tmp/data/pg/postmaster.pid" 2>/dev/null || true)
}
start_glint glint.log

size=$((size_mib * 1048576))
[[ $verify_gib -gt 0 ]] && size=$((verify_gib * 1073741824))
echo "Writing a $((size / 1048576)) MiB source file of random bytes..." >&2
head -c "$size" /dev/urandom >"$tmp/image.raw"
common=(--glint "$base" --s3 "$s3" --bucket "$bucket" --access "$access" --secret "$secret" --file "$tmp/image.raw"
  --size "$size")

if [[ $verify_gib -gt 0 ]]; then
  {
    echo "# Glint S3 store: a $verify_gib GiB image through Glint, $(date -u '+%Y-%m-%d %H:%M:%S') UTC"
    echo
    echo '```'
    run_facts
    "${others_pin[@]}" python3 "$HELPER" verify --glint-pid "$glint_pid" "${common[@]}"
    echo "Glint peak RSS (VmHWM): $(awk '/VmHWM/ {print $2/1024 " MiB"}' "/proc/$glint_pid/status")"
    echo "load at the end:$(uptime)"
    echo '```'
  } | tee "$out/s3-verify-$stamp.md"
  exit 0
fi

: >"$results"
if [[ -n $base_jar ]]; then
  # Round by round, this Glint then the base one, each restarted on the same data directory and S3 bucket.
  for r in $(seq "$rounds"); do
    for which in current base; do
      if [[ $r -gt 1 || $which == base ]]; then
        stop_glint
        glint_jar=$tmp/glint.jar
        [[ $which == base ]] && glint_jar=$tmp/base.jar
        start_glint "glint-$which.log"
      fi
      "${others_pin[@]}" python3 "$HELPER" run --glint-pid "$glint_pid" "${common[@]}" --clients "$clients" --rounds 1 \
        --first-round "$r" --phases "$phases" --label "$which" --out "$results"
    done
  done
  glint_jar=$tmp/glint.jar
else
  "${others_pin[@]}" python3 "$HELPER" run --glint-pid "$glint_pid" "${common[@]}" --clients "$clients" --rounds "$rounds" \
    --phases "$phases" --label "splice on" "${relay_args[@]}" --out "$results"
fi
if [[ $direct_parts_rows == 1 && $phases == *up* ]]; then
  "${others_pin[@]}" python3 "$HELPER" run --glint-pid "$glint_pid" "${common[@]}" --clients "$clients" --rounds "$rounds" \
    --phases up --direct-part-mib 10 --label "multipart; direct in parts" --out "$results"
fi
if [[ $pipe_rows == 1 && $phases == *down* ]]; then
  stop_glint
  start_glint glint-pipe.log --glance_store.s3_store_splice=false
  "${others_pin[@]}" python3 "$HELPER" run --glint-pid "$glint_pid" "${common[@]}" --clients "$clients" --rounds "$rounds" \
    --phases down --label "splice off" --out "$results"
fi
if [[ $single_put_rows == 1 && $phases == *up* ]]; then
  stop_glint
  start_glint glint-put.log --glance_store.s3_store_large_object_size=5120
  "${others_pin[@]}" python3 "$HELPER" run --glint-pid "$glint_pid" "${common[@]}" --clients "$clients" --rounds "$rounds" \
    --phases up --label "one PUT" --out "$results"
fi
s3cpu=$(awk '{print ($14 + $15) / '"$(getconf CLK_TCK)"'}' "/proc/$s3proxy_pid/stat")
{
  echo "# Glint S3-store benchmark, $(date -u '+%Y-%m-%d %H:%M:%S') UTC"
  echo
  echo '```'
  run_facts
  echo "s3=S3Proxy $S3PROXY_VERSION, $backend backend on disk ($tmp/s3data), ${S3PROXY_JAVA_OPTS:--Xmx1g}"
  echo "image=${size_mib} MiB, clients=$clients, rounds=$rounds; curl per transfer (direct: --aws-sigv4)"
  echo "glint_args=$glint_args"
  echo "cpus=${split_cpus:-shared} (Glint:S3Proxy+clients)"
  [[ $haproxy_rows == 0 ]] || echo "relay=$(haproxy -v | head -n 1), splice-response, tune.pipesize 1 MiB, on Glint's CPUs"
  [[ -z $base_jar ]] || echo "base_jar=$base_jar"
  echo "s3proxy_cpu_total=${s3cpu} core-s"
  # The kernel's own high-water mark of Glint's resident set over its whole life (this Glint's, since its last
  # start): no peak between two samples escapes it.
  echo "glint_peak_rss_vmhwm=$(awk '/VmHWM/ {printf "%.0f MiB", $2 / 1024}' "/proc/$glint_pid/status" 2>/dev/null)"
  echo "load_at_end=$(uptime)"
  echo '```'
  echo
  python3 "$HELPER" report "$results"
} | tee "$report"
echo "report: $report" >&2
