#!/usr/bin/env bash
# Import benchmark of Glint: a web-download import (from nginx on loopback) and a copy-image between two file
# stores, each against Glint's own PUT /file upload of the same payload, in alternating rounds of one run.
# Each figure is the time until the image is active (upload: until the 204; web-download: POST /import until the
# image is active; copy-image: POST /import until the image lists the second store, its copy verified by Glint
# against the recorded md5 and sha512). Reports MB/s per round, medians, and the median of the per-round ratios.
#
# Usage: scripts/bench-import.sh [options]
#   --size SIZE        payload, K/M/G = KiB/MiB/GiB (default 512M; random bytes)
#   --rounds N         rounds (default 5)
#   --out DIR          where the report goes (default bench-results/): DIR/import-<date>.md (+ .jsonl, Glint's log)
# Environment: GLINT_JAVA_OPTS = JVM options (default: conf/jvm.options, as scripts/run uses).
#
# Glint (built if needed, or $GLINT_JAR) runs from a temporary data dir with an embedded PostgreSQL, two file
# stores (fast, cheap) and no authentication; nginx serves the payload with sendfile. Everything is stopped and
# removed at the end. Needs java, python3, curl, nginx (apt-get install -y nginx-light), mvn for a build.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/scripts/bench/lib.sh"
META=$ROOT/scripts/bench/metabench.py
DRIVER=$ROOT/scripts/bench/importbench.py
COMMAND=$(printf '%q ' "$0" "$@")
COMMAND=${COMMAND% }
size=512M rounds=5 out=$ROOT/bench-results

to_bytes() {
  [[ $1 =~ ^([0-9]+)([KkMmGg]?)$ ]] || die "bad size '$1'"
  local n=${BASH_REMATCH[1]} u=${BASH_REMATCH[2]^^}
  case $u in K) n=$((n << 10)) ;; M) n=$((n << 20)) ;; G) n=$((n << 30)) ;; esac
  echo "$n"
}
while [[ $# -gt 0 ]]; do
  case $1 in
    --size) size=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option $1" ;;
  esac
done
bytes=$(to_bytes "$size")
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
[[ -x $nginx_bin ]] || die "nginx not found: apt-get install -y nginx-light"
export PYTHONDONTWRITEBYTECODE=1

build_jar
start_run import
report=$out/import-$stamp.md
results=$out/import-$stamp.jsonl
nginx_pid=""
keep_run_files() {
  if [[ -n $nginx_pid ]] && kill -0 "$nginx_pid" 2>/dev/null; then
    kill -TERM "$nginx_pid" 2>/dev/null || true
    wait "$nginx_pid" 2>/dev/null || true
  fi
  [[ -f $tmp/glint.log ]] && cp "$tmp/glint.log" "$out/import-$stamp-glint.log" 2>/dev/null || true
}

python3 "$META" copy-jar "$jar" "$tmp/glint.jar"
jvm_opts=$("$ROOT/scripts/jvm-options")
port=$(python3 "$META" free-port)
nport=$(python3 "$META" free-port)
base=http://127.0.0.1:$port
mkdir -p "$tmp/origin" "$tmp/fast" "$tmp/cheap" "$tmp/nginx"
echo "Writing a $size payload of random bytes..." >&2
head -c "$bytes" /dev/urandom >"$tmp/origin/image.raw"
md5=$(md5sum "$tmp/origin/image.raw" | awk '{print $1}')

user_line=""
[[ $(id -u) == 0 ]] && user_line="user root;"
cat >"$tmp/nginx/nginx.conf" <<CONF
daemon off;
worker_processes 1;
$user_line
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events { worker_connections 64; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  default_type application/octet-stream;
  client_body_temp_path $tmp/nginx/body;
  proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fastcgi;
  uwsgi_temp_path $tmp/nginx/uwsgi;
  scgi_temp_path $tmp/nginx/scgi;
  server { listen 127.0.0.1:$nport; root $tmp/origin; }
}
CONF
"$nginx_bin" -p "$tmp/nginx" -e "$tmp/nginx/error.log" -c "$tmp/nginx/nginx.conf" >"$tmp/nginx/out.log" 2>&1 &
nginx_pid=$!

echo "Starting Glint on port $port..." >&2
t0=$(date +%s%N)
# shellcheck disable=SC2086
(cd "$tmp" && exec java $jvm_opts -jar "$tmp/glint.jar" --bind_port="$port" --data_dir="$tmp/data" \
  --paste_deploy.flavor= --enabled_backends=fast:file,cheap:file --glance_store.default_backend=fast \
  --fast.filesystem_store_datadir="$tmp/fast" --cheap.filesystem_store_datadir="$tmp/cheap" \
  --import_filtering_opts.allowed_hosts=127.0.0.1 --import_filtering_opts.allowed_ports=) >"$tmp/glint.log" 2>&1 &
glint_pid=$!
python3 "$META" wait-ready "$base/versions" "$glint_pid" "$t0" 180 >/dev/null || die "Glint did not start"
postmaster=$(head -n 1 "$tmp/data/pg/postmaster.pid" 2>/dev/null || true)
curl -sf -o /dev/null "http://127.0.0.1:$nport/image.raw" || die "nginx does not serve the payload"

echo "Measuring $rounds round(s) (after a warm-up round) of upload, web-download and copy-image of $size..." >&2
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
python3 "$DRIVER" --url "$base" --file "$tmp/origin/image.raw" --origin "http://127.0.0.1:$nport/image.raw" \
  --size "$bytes" --md5 "$md5" --rounds "$rounds" | tee "$results"

run_facts >"$tmp/facts.txt"
{ echo "load_before=$load_before"; echo "load_after=$(cut -d' ' -f1-3 /proc/loadavg)"; } >>"$tmp/facts.txt"
python3 - "$results" "$report" "$tmp/facts.txt" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
facts = open(sys.argv[3]).read()
by = {}
for r in rows:
    by.setdefault(r["kind"], []).append(r["mb_s"])
rounds = sorted({r["round"] for r in rows})
def per_round(kind):
    out = []
    for n in rounds:
        up = [r["mb_s"] for r in rows if r["round"] == n and r["kind"] == "upload"][0]
        k = [r["mb_s"] for r in rows if r["round"] == n and r["kind"] == kind][0]
        out.append(k / up)
    return out
lines = ["# Import benchmark", "", "```", facts.strip(), "```", "",
         "| | median MB/s | per round MB/s | ratio to the upload of the same round, median (range) |",
         "| --- | ---: | --- | ---: |"]
for kind in ("upload", "web-download", "copy-image"):
    v = by[kind]
    if kind == "upload":
        ratio = "1"
    else:
        rs = per_round(kind)
        ratio = "%.2f (%.2f–%.2f)" % (statistics.median(rs), min(rs), max(rs))
    lines.append("| %s | %.0f | %s | %s |" % (kind, statistics.median(v), ", ".join("%.0f" % x for x in v), ratio))
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
echo "Report: $report" >&2
