#!/usr/bin/env bash
# HTTP-store benchmark: a 1 GiB image registered by an http:// location (served by nginx on loopback) is
# downloaded through Glint, and the same file directly from nginx, in the same run, alternating, with 1 and
# 4 concurrent clients. Reports MB/s of both, the ratio, and Glint's CPU per GB. If haproxy is installed
# (apt-get install -y haproxy), the same file is also fetched through HAProxy in splice mode (one thread), a
# reference for what a kernel-splicing proxy reaches on the machine.
#
# Usage: scripts/bench-http-store.sh [--size-mib N] [--rounds N] [--out DIR]
# Needs java, curl, python3 and nginx (Debian: apt-get install -y nginx-light); mvn if a build is needed.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
COMMAND=$(printf '%q ' "$0" "$@")
size_mib=1024 rounds=3 out=$ROOT/bench-results
while [[ $# -gt 0 ]]; do
  case $1 in
    --size-mib) size_mib=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
  esac
done
command -v nginx >/dev/null || { echo "nginx is missing: apt-get install -y nginx-light" >&2; exit 2; }
jar=$ROOT/target/glint.jar
if [[ ! -f $jar ]] || [[ -n $(find "$ROOT/pom.xml" "$ROOT/src/main" -newer "$jar" -print -quit) ]]; then
  (cd "$ROOT" && mvn -B -q -DskipTests package)
fi
tmp=$(mktemp -d /tmp/glint-httpbench.XXXXXX)
glint_pid="" nginx_pid="" haproxy_pid=""
cleanup() {
  [[ -n $glint_pid ]] && kill "$glint_pid" 2>/dev/null && wait "$glint_pid" 2>/dev/null || true
  [[ -n $haproxy_pid ]] && kill "$haproxy_pid" 2>/dev/null || true
  [[ -n $nginx_pid ]] && kill "$nginx_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
cp "$jar" "$tmp/glint.jar"
mkdir -p "$tmp/www" "$tmp/nginx"
head -c $((size_mib * 1048576)) /dev/urandom > "$tmp/www/image.raw"
chmod 755 "$tmp" "$tmp/www"; chmod 644 "$tmp/www/image.raw"   # nginx workers run unprivileged
origin_port=$(free_port)
cat > "$tmp/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
events { worker_connections 256; }
http {
  access_log off;
  sendfile on; tcp_nopush on; keepalive_timeout 60;
  client_body_temp_path $tmp/nginx; proxy_temp_path $tmp/nginx; fastcgi_temp_path $tmp/nginx;
  uwsgi_temp_path $tmp/nginx; scgi_temp_path $tmp/nginx;
  server { listen 127.0.0.1:$origin_port; root $tmp/www; }
}
CONF
nginx -c "$tmp/nginx/nginx.conf" -p "$tmp/nginx" & nginx_pid=$!
glint_port=$(free_port)
# shellcheck disable=SC2046
(cd "$tmp" && exec java $("$ROOT/scripts/jvm-options") -jar "$tmp/glint.jar" --bind_port="$glint_port" \
  --data_dir="$tmp/data" --show_multiple_locations --import_filtering_opts.allowed_hosts=127.0.0.1 \
  --import_filtering_opts.allowed_ports=) > "$tmp/glint.log" 2>&1 & glint_pid=$!
for _ in $(seq 1 300); do curl -sf -o /dev/null "http://127.0.0.1:$glint_port/versions" && break; sleep 0.2; done
H=(-H "X-Identity-Status: Confirmed" -H "X-Project-Id: bench" -H "X-Roles: member")
id=$(curl -sf "${H[@]}" -X POST "http://127.0.0.1:$glint_port/v2/images" \
  -d '{"name":"remote","disk_format":"raw","container_format":"bare"}' | python3 -c 'import sys,json;print(json.load(sys.stdin)["id"])')
curl -s "${H[@]}" -w "\n%{http_code}" -X PATCH -H 'Content-Type: application/openstack-images-v2.1-json-patch' \
  "http://127.0.0.1:$glint_port/v2/images/$id" \
  -d "[{\"op\":\"add\",\"path\":\"/locations/-\",\"value\":{\"url\":\"http://127.0.0.1:$origin_port/image.raw\",\"metadata\":{}}}]" > "$tmp/patch.json"
[[ $(tail -1 "$tmp/patch.json") == 200 ]] || { echo "adding the location failed: $(cat "$tmp/patch.json")" >&2; exit 1; }
direct_url="http://127.0.0.1:$origin_port/image.raw"
haproxy_url=""
if command -v haproxy >/dev/null; then
  haproxy_port=$(free_port)
  cat > "$tmp/haproxy.cfg" <<CONF
global
  nbthread 1
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  option splice-response
  option splice-request
frontend f
  bind 127.0.0.1:$haproxy_port
  default_backend b
backend b
  server origin 127.0.0.1:$origin_port
CONF
  haproxy -f "$tmp/haproxy.cfg" -db > "$tmp/haproxy.log" 2>&1 & haproxy_pid=$!
  haproxy_url="http://127.0.0.1:$haproxy_port/image.raw"
fi
glint_url="http://127.0.0.1:$glint_port/v2/images/$id/file"
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# run N clients once against a URL; prints "MB/s bytes"
run() {
  local url=$1 n=$2 start end total=0 i pids=()
  start=$(date +%s.%N)
  for i in $(seq 1 "$n"); do
    curl -s "${H[@]}" -o /dev/null -w '%{size_download}\n' "$url" > "$tmp/c$i" & pids+=($!)
  done
  wait "${pids[@]}"
  end=$(date +%s.%N)
  for i in $(seq 1 "$n"); do total=$((total + $(cat "$tmp/c$i"))); done
  python3 -c "print(f'{$total/1e6/($end-$start):.0f} $total')"
}
for _ in 1 2 3; do run "$glint_url" 1 >/dev/null; run "$direct_url" 1 >/dev/null; done   # warm-up (page cache, JIT)
[[ -n $haproxy_url ]] && run "$haproxy_url" 1 >/dev/null
clk=$(getconf CLK_TCK)
report="$out/http-store-$(date -u +%Y-%m-%d-%H%M%S).md"
mkdir -p "$out"
{
  echo "# Glint HTTP-store benchmark, $(date -u '+%Y-%m-%d %H:%M:%S') UTC"
  echo
  echo "- Command: \`${COMMAND#"$ROOT/"}\`"
  echo "- Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); JDK $(java -version 2>&1 | head -1)"
  echo "- Image: ${size_mib} MiB registered as an http:// location served by nginx (sendfile) on loopback; clients: curl"
  echo
  echo "| clients | round | direct from nginx MB/s | through Glint MB/s | ratio | Glint core-s/GB | through HAProxy (splice) MB/s | ratio |"
  echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  : > "$tmp/ratios"
  for n in 1 4; do
    for r in $(seq 1 "$rounds"); do
      read -r d_mbs _ < <(run "$direct_url" "$n")
      t0=$(ticks "$glint_pid")
      read -r g_mbs g_bytes < <(run "$glint_url" "$n")
      t1=$(ticks "$glint_pid")
      h_mbs=0
      [[ -n $haproxy_url ]] && read -r h_mbs _ < <(run "$haproxy_url" "$n")
      echo "$n $g_mbs $d_mbs $h_mbs" >> "$tmp/ratios"
      python3 -c "h=$h_mbs; print(f'| $n | $r | $d_mbs | $g_mbs | {$g_mbs/$d_mbs:.2f} | {($t1-$t0)/$clk/($g_bytes/1e9):.2f} | ' + (f'{h} | {h/$d_mbs:.2f} |' if h else '– | – |'))"
    done
  done
  echo
  python3 - "$tmp/ratios" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
for n in sorted({r[0] for r in rows}, key=int):
    g = [float(r[1]) / float(r[2]) for r in rows if r[0] == n]
    h = [float(r[3]) / float(r[2]) for r in rows if r[0] == n and float(r[3]) > 0]
    line = f"- {n} client(s): Glint / direct median {statistics.median(g):.2f} ({min(g):.2f}–{max(g):.2f})"
    if h:
        line += f"; HAProxy splice / direct median {statistics.median(h):.2f} ({min(h):.2f}–{max(h):.2f})"
    print(line)
PY
  echo
  echo "Glint peak RSS: $(grep VmHWM /proc/$glint_pid/status | awk '{print $2/1024 " MiB"}')"
} | tee "$report"
echo "report: $report" >&2
