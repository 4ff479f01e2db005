#!/usr/bin/env bash
# The S3 store's HTTP client options measured from the client's side (src/test/java/io/glint/store/s3/
# S3ClientBench.java): the AWS SDK's S3 client over the SDK's own Netty client and over Glint's Vert.x client
# (VertxSdkHttpClient), and a SigV4-signed GET sent by Vert.x without the SDK (the store's download path when it
# does not splice). Multipart uploads (10 MiB parts, 4 in flight, from memory) and whole-object downloads, MB/s and
# the client JVM's CPU per GB, alternating round by round. The S3 server is S3Proxy 2.7.0 in its own process
# (fetched with mvn into target/bench-tools), storing on disk, on loopback.
#
# Usage: scripts/bench-s3-clients.sh [--size-mib N] [--rounds N] [--out DIR]
# Needs java (17+), mvn, curl, python3.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
COMMAND=$(printf '%q ' "$0" "$@")
S3PROXY_VERSION=2.7.0
size_mib=1024 rounds=3 out=$ROOT/bench-results
while [[ $# -gt 0 ]]; do
  case $1 in
    --size-mib) size_mib=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
  esac
done
cd "$ROOT"
echo "Compiling the tests and resolving their classpath (mvn)..." >&2
mvn -B -q test-compile
mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt >/dev/null
tools=$ROOT/target/bench-tools
s3proxy_jar=$tools/s3proxy-$S3PROXY_VERSION-jar-with-dependencies.jar
[[ -f $s3proxy_jar ]] || mvn -B -q dependency:copy -Dartifact=org.gaul:s3proxy:$S3PROXY_VERSION:jar:jar-with-dependencies \
  -DoutputDirectory="$tools"
tmp=$(mktemp -d /tmp/glint-s3clients.XXXXXX)
s3proxy_pid=""
cleanup() { [[ -n $s3proxy_pid ]] && kill "$s3proxy_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT INT TERM
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
access=bench-access secret=bench-secret-$RANDOM bucket=client-bench
mkdir -p "$tmp/data"
cat >"$tmp/s3proxy.conf" <<CONF
s3proxy.endpoint=http://127.0.0.1:$port
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$access
s3proxy.credential=$secret
jclouds.provider=filesystem
jclouds.filesystem.basedir=$tmp/data
jclouds.identity=$access
jclouds.credential=$secret
CONF
java -Xmx1g -jar "$s3proxy_jar" --properties "$tmp/s3proxy.conf" >"$tmp/s3proxy.log" 2>&1 &
s3proxy_pid=$!
for _ in $(seq 300); do
  [[ $(curl -s -o /dev/null -w '%{http_code}' --aws-sigv4 "aws:amz:us-east-1:s3" --user "$access:$secret" \
    -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -X PUT "http://127.0.0.1:$port/$bucket" || true) == 200 ]] && break
  sleep 0.2
done
mkdir -p "$out"
report=$out/s3-clients-$(date -u +%Y-%m-%d-%H%M%S).md
{
  echo "# S3 HTTP client options, $(date -u '+%Y-%m-%d %H:%M:%S') UTC"
  echo
  echo "- Command: \`${COMMAND% }\`; commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "- Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(java -version 2>&1 | head -1)"
  echo
  echo '```'
  java -Xmx1g -XX:MaxDirectMemorySize=2g -cp "target/classes:target/test-classes:$(cat target/test-classpath.txt)" \
    io.glint.store.s3.S3ClientBench "http://127.0.0.1:$port" "$access" "$secret" "$bucket" "$size_mib" "$rounds" \
    2>"$tmp/bench.err" || { cat "$tmp/bench.err" >&2; exit 1; }
  echo '```'
} | tee "$report"
echo "report: $report" >&2
