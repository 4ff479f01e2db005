#!/usr/bin/env bash
# Image-cache benchmark: N concurrent pulls of a cold image whose data is at an http:// location (nginx on
# loopback, the origin), then the same N pulls once it is cached, then the same N pulls of the same file straight
# from nginx (sendfile), all in the same run. Reports for each case the aggregate MB/s of the cold and cached
# pulls and their ratio, how many GETs the origin saw during the cold pulls (1 = single-flight), Glint's CPU per
# GB of the cached pulls (core-s/GB) and the cached pulls' MB/s against nginx's.
#
# Usage: scripts/bench-cache.sh [options]
#   --cases "LIST"    SIZE:CLIENTS pairs, sizes in MiB (default "256:50 1024:100")
#   --rounds N        cached and nginx pulls repeated N times, the median is reported (default 1)
#   --out DIR         where the report goes (default bench-results/): DIR/cache-<date>.md
# Each case uses a new image (a cold cache entry). Clients are curl processes (one connection each). Needs java,
# curl, python3 and nginx (Debian: apt-get install -y nginx-light); mvn if a build is needed. Glint, nginx and the
# clients share the machine's cores: compare the ratios of one run.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/scripts/bench/lib.sh"
COMMAND=$(printf '%q ' "$0" "$@")
COMMAND=${COMMAND% }
cases="256:50 1024:100" rounds=1 out=$ROOT/bench-results
while [[ $# -gt 0 ]]; do
  case $1 in
    --cases) need_val "$@"; cases=$2; shift 2 ;;
    --rounds) need_val "$@"; rounds=$2; shift 2 ;;
    --out) need_val "$@"; out=$2; shift 2 ;;
    *) usage; exit 2 ;;
  esac
done
command -v nginx >/dev/null || die "nginx is missing: apt-get install -y nginx-light"
build_jar
start_run cache
nginx_pid=""
keep_run_files() {
  [[ -n $nginx_pid ]] && kill "$nginx_pid" 2>/dev/null || true
  cp "$tmp/glint.log" "$out/cache-$stamp-glint.log" 2>/dev/null || true
}
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
cp "$jar" "$tmp/glint.jar"
mkdir -p "$tmp/www" "$tmp/nginx" "$tmp/cache"
chmod 755 "$tmp" "$tmp/www"
max_mib=0
for c in $cases; do
  size=${c%%:*}
  [[ -f $tmp/www/image-$size.raw ]] || head -c $((size * 1048576)) /dev/urandom > "$tmp/www/image-$size.raw"
  chmod 644 "$tmp/www/image-$size.raw"
  max_mib=$((max_mib + size))
done
origin_port=$(free_port)
cat > "$tmp/nginx/nginx.conf" <<CONF
worker_processes 2;
daemon off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log $tmp/nginx/access.log;
  sendfile on; tcp_nopush on; keepalive_timeout 60;
  client_body_temp_path $tmp/nginx; proxy_temp_path $tmp/nginx; fastcgi_temp_path $tmp/nginx;
  uwsgi_temp_path $tmp/nginx; scgi_temp_path $tmp/nginx;
  server { listen 127.0.0.1:$origin_port; root $tmp/www; }
}
CONF
nginx -c "$tmp/nginx/nginx.conf" -p "$tmp/nginx" & nginx_pid=$!
glint_port=$(free_port)
jvm_opts=$("$ROOT/scripts/jvm-options")
# shellcheck disable=SC2086
(cd "$tmp" && exec java $jvm_opts -jar "$tmp/glint.jar" --bind_port="$glint_port" \
  --data_dir="$tmp/data" --show_multiple_locations --import_filtering_opts.allowed_hosts=127.0.0.1 \
  --import_filtering_opts.allowed_ports= --image_cache_dir="$tmp/cache" \
  --image_cache_max_size=$(((max_mib + 64) * 1048576))) > "$tmp/glint.log" 2>&1 & glint_pid=$!
for _ in $(seq 1 600); do curl -sf -o /dev/null "http://127.0.0.1:$glint_port/versions" && break; sleep 0.2; done
curl -sf -o /dev/null "http://127.0.0.1:$glint_port/versions" || die "Glint did not start (see its log)"
H=(-H "X-Identity-Status: Confirmed" -H "X-Project-Id: bench" -H "X-Roles: member")
new_image() {  # $1 = origin path; prints the image id
  local id
  id=$(curl -sf "${H[@]}" -X POST "http://127.0.0.1:$glint_port/v2/images" \
    -d '{"name":"remote","disk_format":"raw","container_format":"bare"}' \
    | python3 -c 'import sys,json;print(json.load(sys.stdin)["id"])')
  curl -s "${H[@]}" -o "$tmp/patch.json" -w "%{http_code}" -X PATCH \
    -H 'Content-Type: application/openstack-images-v2.1-json-patch' "http://127.0.0.1:$glint_port/v2/images/$id" \
    -d "[{\"op\":\"add\",\"path\":\"/locations/-\",\"value\":{\"url\":\"http://127.0.0.1:$origin_port$1\",\"metadata\":{}}}]" \
    > "$tmp/patch.code"
  [[ $(cat "$tmp/patch.code") == 200 ]] || die "adding the location failed: $(cat "$tmp/patch.json")"
  echo "$id"
}
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
clk=$(getconf CLK_TCK)
# N clients pull a URL at once; prints "MB/s bytes failures glint-ticks"
pull() {
  local url=$1 n=$2 start end total=0 failed=0 i t0 t1 pids=()
  t0=$(ticks "$glint_pid")
  start=$(date +%s.%N)
  for i in $(seq 1 "$n"); do
    curl -s "${H[@]}" -o /dev/null -w '%{size_download} %{http_code}\n' "$url" > "$tmp/c$i" 2>/dev/null & pids+=($!)
  done
  wait "${pids[@]}" || true
  end=$(date +%s.%N)
  t1=$(ticks "$glint_pid")
  for i in $(seq 1 "$n"); do
    read -r bytes code < "$tmp/c$i" || { failed=$((failed + 1)); continue; }
    total=$((total + bytes))
    [[ $code == 200 ]] || failed=$((failed + 1))
  done
  python3 -c "print(f'{$total/1e6/($end-$start):.0f} $total $failed $((t1 - t0))')"
}
median() { python3 -c "import statistics,sys; print(statistics.median(float(x) for x in sys.argv[1:]))" "$@"; }
# warm-up: JIT of both download paths, on a small image of its own
head -c $((64 * 1048576)) /dev/urandom > "$tmp/www/warm.raw"; chmod 644 "$tmp/www/warm.raw"
warm=$(new_image /warm.raw)
for _ in 1 2 3; do pull "http://127.0.0.1:$glint_port/v2/images/$warm/file" 4 >/dev/null; done
pull "http://127.0.0.1:$origin_port/warm.raw" 4 >/dev/null
report="$out/cache-$stamp.md"
{
  echo "# Glint image-cache benchmark, $(date -u '+%Y-%m-%d %H:%M:%S') UTC"
  echo
  run_facts | sed 's/^/- /'
  echo "- Origin: nginx (sendfile) on loopback, image registered as an http:// location; clients: curl, one connection each"
  echo
  echo "| image | clients | origin GETs (cold) | cold MB/s | cached MB/s | cold / cached | cached core-s/GB | nginx MB/s | cached / nginx | failed pulls |"
  echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  for c in $cases; do
    size=${c%%:*} n=${c##*:}
    path=/image-$size.raw
    id=$(new_image "$path")
    glint_url="http://127.0.0.1:$glint_port/v2/images/$id/file"
    before=$(grep -c "GET $path " "$tmp/nginx/access.log" || true)
    read -r cold_mbs _ cold_failed _ < <(pull "$glint_url" "$n")
    gets=$(( $(grep -c "GET $path " "$tmp/nginx/access.log" || true) - before ))
    cached=() cores=() direct=() failed=$cold_failed
    for _ in $(seq 1 "$rounds"); do
      read -r mbs bytes f t < <(pull "$glint_url" "$n")
      cached+=("$mbs"); cores+=("$(python3 -c "print($t/$clk/($bytes/1e9) if $bytes else 0)")"); failed=$((failed + f))
      read -r mbs _ f _ < <(pull "http://127.0.0.1:$origin_port$path" "$n")
      direct+=("$mbs"); failed=$((failed + f))
    done
    c_mbs=$(median "${cached[@]}") d_mbs=$(median "${direct[@]}") core=$(median "${cores[@]}")
    python3 -c "print(f'| {$size} MiB | $n | $gets | $cold_mbs | {$c_mbs:.0f} | {$cold_mbs/$c_mbs:.2f} | {$core:.3f} | {$d_mbs:.0f} | {$c_mbs/$d_mbs:.2f} | $failed |')"
  done
  echo
  echo "Glint's cache at the end: $(grep -o 'cache: hits=.*' "$tmp/glint.log" | tail -1)"
  echo "Glint peak RSS: $(grep VmHWM /proc/$glint_pid/status | awk '{print $2/1024 " MiB"}')"
} | tee "$report"
echo "report: $report" >&2
