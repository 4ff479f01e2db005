#!/usr/bin/env bash
# Image-data benchmark of Glint: downloads (GET /v2/images/{id}/file) side by side with nginx serving the same
# files with sendfile, and uploads (PUT /v2/images/{id}/file) with and without fsync. Reports MB/s, Glint's CPU
# per GB (core-s/GB), the load generator's CPU, and Glint's memory (VmRSS sampled every 0.5 s, VmHWM per run),
# plus the disk's fsync'ed write rate (dd) and the JDK's md5/sha512 rates as context for the uploads.
#
# Usage: scripts/bench-data.sh [options]
#   --duration SECONDS     measured seconds per download run (default 10)
#   --warmup SECONDS       un-measured warm-up before each download run (default 2)
#   --connection-warmup SECONDS
#                          before the download runs, this long of one-byte Range requests on new connections
#                          (wrk, Connection: close) to each server (default 20; 0 = none), so that a freshly
#                          started JVM has compiled its per-connection path, as it has after its first minutes
#                          in service (the curl client opens a new connection per transfer)
#   --clients "LIST"       concurrent download clients (default "1 16 64")
#   --sizes "LIST"         download image sizes, K/M/G = KiB/MiB/GiB (default "64M 1G")
#   --reps N               repetitions of the download runs (default 1; the report shows median (min–max))
#   --client NAME          download client: curl (a curl process per transfer, new connection each time), wrk
#                          (keep-alive), or auto (default): a 4-s calibration against nginx with both, at every
#                          client count, picks the one that gets more MB/s (geometric mean over the client counts;
#                          wrk only if > 5 % ahead, so that a near-tie does not flip it); used for both servers
#   --nginx-workers N      nginx worker processes (default 2)
#   --upload-size SIZE     upload payload (default 256M)
#   --streams "LIST"       concurrent upload streams (default "1 8")
#   --upload-reps N        repetitions of each upload run (default 3)
#   --skip-downloads       no download part (nginx not needed)
#   --skip-uploads         no upload part (no dd, no hash rates, no restart without fsync)
#   --no-expect-row        uploads run with curl -H 'Expect:' (no "Expect: 100-continue", as python-glanceclient
#                          and openstacksdk send none); by default one more fsync-on row uses curl's default
#                          "Expect: 100-continue" (curl then waits for "100 Continue", or 1 s); this skips that row
#   --out DIR              where the report goes (default bench-results/): DIR/data-<date>.md, with the raw
#                          results (.jsonl) and Glint's log next to it
#   --quiet-wait SECONDS   before each run, wait up to this long for a 1-s window in which the whole machine is
#                          below 50 % of one core busy (default 30; 0 = don't wait)
# Environment: GLINT_JAVA_OPTS = JVM options (default: conf/jvm.options, as scripts/run uses).
#
# Glint is built if target/glint.jar is missing or older than pom.xml/src/main (or $BENCH_JAR is used), started on a free port from a
# copy of the jar with a temporary data dir (embedded PostgreSQL, file store in <data dir>/images), and stopped at
# the end; the upload part runs twice: with Glint's defaults (fsync on), then after a restart with
# --glance_store.filesystem_store_fsync=false. nginx (foreground, generated config, root = Glint's file store
# directory) serves the same files on another port. Everything (Glint, its PostgreSQL, nginx, the temp dir) is
# stopped/removed at the end, also on failure or Ctrl-C. Needs java + javac (JDK 17+), python3 (standard
# library only), curl, wrk (if used), nginx (downloads; sudo apt-get install -y nginx-light), and mvn if a build
# is needed. Load generator and servers share the machine's CPUs: compare core-s/GB and same-run ratios.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/scripts/bench/lib.sh"
META=$ROOT/scripts/bench/metabench.py
HELPER=$ROOT/scripts/bench/databench.py
COMMAND=$(printf '%q ' "$0" "$@")
COMMAND=${COMMAND% }

duration=10 warmup=2 conn_warmup=20 clients="1 16 64" sizes="64M 1G" reps=1 client=auto nginx_workers=2
upload_size=256M streams="1 8" upload_reps=3 skip_dl=0 skip_up=0 out=$ROOT/bench-results quiet_wait=30
calib_duration=4 expect_row=1

to_bytes() {  # 64M -> 67108864 (K/M/G/T are binary; an optional trailing "iB"/"B" is accepted)
  [[ $1 =~ ^([0-9]+)([KkMmGgTt]?)(i?B)?$ ]] || die "bad size '$1' (use e.g. 64M, 1G)"
  local n=${BASH_REMATCH[1]} u=${BASH_REMATCH[2]^^}
  case $u in K) n=$((n << 10)) ;; M) n=$((n << 20)) ;; G) n=$((n << 30)) ;; T) n=$((n << 40)) ;; esac
  echo "$n"
}

while [[ $# -gt 0 ]]; do
  opt=$1
  if [[ $opt == --*=* ]]; then set -- "${opt%%=*}" "${opt#*=}" "${@:2}"; opt=$1; fi
  case $opt in
    --duration) need_val "$@"; duration=$2; shift 2 ;;
    --warmup) need_val "$@"; warmup=$2; shift 2 ;;
    --connection-warmup) need_val "$@"; conn_warmup=$2; shift 2 ;;
    --clients) need_val "$@"; clients=$2; shift 2 ;;
    --sizes) need_val "$@"; sizes=$2; shift 2 ;;
    --reps) need_val "$@"; reps=$2; shift 2 ;;
    --client) need_val "$@"; client=$2; shift 2 ;;
    --nginx-workers) need_val "$@"; nginx_workers=$2; shift 2 ;;
    --upload-size) need_val "$@"; upload_size=$2; shift 2 ;;
    --streams) need_val "$@"; streams=$2; shift 2 ;;
    --upload-reps) need_val "$@"; upload_reps=$2; shift 2 ;;
    --skip-downloads) skip_dl=1; shift ;;
    --skip-uploads) skip_up=1; shift ;;
    --no-expect-row) expect_row=0; shift ;;
    --out) need_val "$@"; out=$2; shift 2 ;;
    --quiet-wait) need_val "$@"; quiet_wait=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option $opt (see --help)" ;;
  esac
done
for n in "$duration" "$warmup" "$reps" "$nginx_workers" "$upload_reps" "$quiet_wait" $clients $streams; do
  [[ $n =~ ^[0-9]+$ ]] || die "not a number: '$n'"
done
[[ $duration -ge 1 && $reps -ge 1 && $nginx_workers -ge 1 && $upload_reps -ge 1 ]] \
  || die "need --duration, --reps, --nginx-workers, --upload-reps >= 1"
for c in $clients $streams; do [[ $c -ge 1 ]] || die "client and stream counts must be >= 1"; done
[[ -n ${clients// } && -n ${sizes// } && -n ${streams// } ]] || die "empty --clients, --sizes or --streams"
[[ $client =~ ^(auto|curl|wrk)$ ]] || die "--client must be auto, curl or wrk"
[[ $skip_dl == 1 && $skip_up == 1 ]] && die "nothing to do (--skip-downloads and --skip-uploads)"
size_bytes=()
for s in $sizes; do size_bytes+=("$(to_bytes "$s")"); done
upload_bytes=$(to_bytes "$upload_size")

# ---------------------------------------------------------------------------------------------- tools
command -v python3 >/dev/null 2>&1 || die "python3 not found (needed for the helper $HELPER)"
command -v java >/dev/null 2>&1 || die "java not found (Glint needs a JDK/JRE 17+)"
command -v curl >/dev/null 2>&1 || die "curl not found: sudo apt-get install -y curl"
if [[ $skip_up == 0 ]]; then
  command -v javac >/dev/null 2>&1 || die "javac not found (the upload part measures the JDK's md5/sha512 rates with a tiny program; install a JDK, or use --skip-uploads)"
fi
if [[ $skip_dl == 0 ]]; then
  nginx_bin=$(command -v nginx || true)
  [[ -n $nginx_bin ]] || for p in /usr/sbin/nginx /usr/local/sbin/nginx /usr/local/nginx/sbin/nginx; do
    [[ -x $p ]] && { nginx_bin=$p; break; }
  done
  [[ -n $nginx_bin ]] || die "nginx (the reference for downloads) not found. Install it: sudo apt-get update && sudo apt-get install -y nginx-light
  (it is run by this script in the foreground with its own config; no service is needed), or use --skip-downloads"
  if [[ $client != curl ]] && ! command -v wrk >/dev/null 2>&1; then
    [[ $client == wrk ]] && die "wrk not found: sudo apt-get install -y wrk"
    echo "wrk not found: using curl as the download client" >&2
    client=curl
  fi
fi
CLK_TCK=$(getconf CLK_TCK)
export BENCH_CLK_TCK=$CLK_TCK PYTHONDONTWRITEBYTECODE=1

# ---------------------------------------------------------------------------------------------- build
build_jar

# ---------------------------------------------------------------------------------------------- lifecycle
start_run data
report=$out/data-$stamp.md
results=$out/data-$stamp.jsonl
nginx_pid=""

stop_nginx() {
  if [[ -n $nginx_pid ]] && kill -0 "$nginx_pid" 2>/dev/null; then
    local workers
    workers=$(pgrep -P "$nginx_pid" || true)
    echo "Stopping nginx (pid $nginx_pid)..." >&2
    kill -TERM "$nginx_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$nginx_pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$nginx_pid" 2>/dev/null && kill -KILL "$nginx_pid" 2>/dev/null || true
    for w in $workers; do kill -0 "$w" 2>/dev/null && kill -KILL "$w" 2>/dev/null || true; done
    wait "$nginx_pid" 2>/dev/null || true
  fi
  nginx_pid=""
}

# The run's files: nginx stopped, both Glint logs (fsync on and off) in one file, nginx's error log.
keep_run_files() {
  stop_nginx
  for l in glint.log glint-nofsync.log; do
    if [[ -f $tmp/$l ]]; then
      { echo "===== $l"; cat "$tmp/$l"; } >>"$out/data-$stamp-glint.log" 2>/dev/null || true
    fi
  done
  if [[ -s $tmp/nginx/error.log ]]; then cp "$tmp/nginx/error.log" "$out/data-$stamp-nginx-error.log" 2>/dev/null || true; fi
}

python3 "$META" copy-jar "$jar" "$tmp/glint.jar"
jvm_opts=$("$ROOT/scripts/jvm-options")
port=$(python3 "$META" free-port)
base=http://127.0.0.1:$port
startups=()

start_glint() {  # $1 = log file name, rest = extra Glint arguments
  local logf=$tmp/$1 t0 s
  shift
  echo "Starting Glint on port $port (data dir $tmp/data${*:+, $*})..." >&2
  t0=$(date +%s%N)
  # shellcheck disable=SC2086  # jvm_opts is a list of JVM options
  (cd "$tmp" && exec java $jvm_opts -jar "$tmp/glint.jar" --bind_port="$port" --data_dir="$tmp/data" "$@") \
    >"$logf" 2>&1 &
  glint_pid=$!
  if ! s=$(python3 "$META" wait-ready "$base/versions" "$glint_pid" "$t0" 180); then
    echo "--- last lines of Glint's log:" >&2; tail -n 30 "$logf" >&2
    die "Glint did not start"
  fi
  echo "Glint answered 200 on /versions after $s s" >&2
  startups+=("$s s${*:+ ($*)}")
  postmaster=$(head -n 1 "$tmp/data/pg/postmaster.pid" 2>/dev/null || true)
  [[ $postmaster =~ ^[0-9]+$ ]] || die "cannot find the embedded PostgreSQL's postmaster.pid under $tmp/data/pg"
}

start_glint glint.log
pg_ver=$("$(readlink "/proc/$postmaster/exe")" --version 2>/dev/null | awk '{print $NF}' || true)
store=$tmp/data/images
hdr=$tmp/headers.txt
printf 'X-Identity-Status: Confirmed\nX-Project-Id: bench\nX-Roles: member\n' >"$hdr"
: >"$results"

# ---------------------------------------------------------------------------------------------- downloads
seeded="" nginx_ver="" client_desc=""
if [[ $skip_dl == 0 ]]; then
  ids=() md5s=() seed_txt=()
  for i in "${!size_bytes[@]}"; do
    n=${size_bytes[$i]}
    f=$tmp/payload-$n.bin
    echo "Creating a random $n-byte payload and uploading it through the API..." >&2
    head -c "$n" /dev/urandom >"$f"
    read -r md5 _ < <(python3 "$HELPER" sums "$f")
    s0=$(date +%s%N)
    id=$(python3 "$HELPER" seed --url "$base" --file "$f" --md5 "$md5" --headers "$hdr")
    seed_txt+=("$(awk -v n="$n" -v a="$s0" -v b="$(date +%s%N)" 'BEGIN { printf "%d bytes in %.1f s", n, (b - a) / 1e9 }')")
    [[ -f $store/$id ]] || die "image $id is not at $store/$id (file store layout changed?)"
    ids+=("$id") md5s+=("$md5")
    rm -f "$f"  # the bytes now live in the store (and in the page cache)
  done
  seeded=$(IFS=';'; echo "${seed_txt[*]}" | sed 's/;/; /g')

  mkdir -p "$tmp/nginx"
  nport=$(python3 "$META" free-port)
  user_line=""
  [[ $(id -u) == 0 ]] && user_line="user root;"  # workers must read the store in our 0700 temp dir
  cat >"$tmp/nginx/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes $nginx_workers;
$user_line
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_timeout 65;
  keepalive_requests 1000000;
  default_type application/octet-stream;
  client_body_temp_path $tmp/nginx/body;
  proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fastcgi;
  uwsgi_temp_path $tmp/nginx/uwsgi;
  scgi_temp_path $tmp/nginx/scgi;
  server {
    listen 127.0.0.1:$nport;
    root $store;
  }
}
EOF
  nginx_ver=$("$nginx_bin" -v 2>&1 | sed 's#.*/##')
  echo "Starting nginx $nginx_ver on port $nport (root $store)..." >&2
  "$nginx_bin" -p "$tmp/nginx" -e "$tmp/nginx/error.log" -c "$tmp/nginx/nginx.conf" >"$tmp/nginx/out.log" 2>&1 &
  nginx_pid=$!
  for _ in $(seq 100); do
    if curl -s -o /dev/null "http://127.0.0.1:$nport/${ids[0]}"; then break; fi
    kill -0 "$nginx_pid" 2>/dev/null || { cat "$tmp/nginx/out.log" "$tmp/nginx/error.log" >&2 2>/dev/null; die "nginx did not start"; }
    sleep 0.1
  done

  for i in "${!size_bytes[@]}"; do
    python3 "$HELPER" verify --url "$base/v2/images/${ids[$i]}/file" --size "${size_bytes[$i]}" --md5 "${md5s[$i]}" --headers "$hdr"
    python3 "$HELPER" verify --url "http://127.0.0.1:$nport/${ids[$i]}" --size "${size_bytes[$i]}" --md5 "${md5s[$i]}" --headers "$hdr"
  done

  common=(--run-dir "$tmp" --results "$results" --quiet-wait "$quiet_wait")
  if [[ $client == auto ]]; then
    echo "Calibrating the download client against nginx (${calib_duration}-s runs of ${size_bytes[0]} bytes)..." >&2
    calib=$tmp/calib.jsonl
    for cl in curl wrk; do
      for c in $clients; do
        python3 "$HELPER" download --kind calibration --server nginx --url "http://127.0.0.1:$nport/${ids[0]}" \
          --pid "$nginx_pid" --client "$cl" -c "$c" --size "${size_bytes[0]}" --duration "$calib_duration" \
          --warmup 1 --run-dir "$tmp" --results "$calib" --quiet-wait "$quiet_wait"
      done
    done
    client=$(python3 "$HELPER" pick-client --results "$calib")
    cat "$calib" >>"$results"
  fi
  if [[ $client == wrk ]]; then
    client_desc="wrk $(wrk -v 2>&1 | head -n 1 | awk '{print $2}'), keep-alive, min(clients, $(nproc)) threads, --timeout 600s, no Lua response hook"
  else
    client_desc="$(curl --version | head -n 1 | awk '{print $1, $2}'): one process per transfer (-s -o /dev/null, a new connection each), one loop per client"
  fi

  if (( conn_warmup > 0 )) && command -v wrk >/dev/null 2>&1; then
    echo "Connection warm-up: ${conn_warmup} s of one-byte Range requests on new connections to each server..." >&2
    wrk_headers=(-H "Connection: close" -H "Range: bytes=0-0")
    while IFS= read -r line; do [[ -n $line ]] && wrk_headers+=(-H "$line"); done < "$hdr"
    wrk -t1 -c4 -d"${conn_warmup}s" "${wrk_headers[@]}" "$base/v2/images/${ids[0]}/file" >/dev/null 2>&1 || true
    wrk -t1 -c4 -d"${conn_warmup}s" "${wrk_headers[@]}" "http://127.0.0.1:$nport/${ids[0]}" >/dev/null 2>&1 || true
  fi

  k=0
  for rep in $(seq "$reps"); do
    for i in "${!size_bytes[@]}"; do
      for c in $clients; do
        # alternate which server goes first
        if (( k % 2 == 0 )); then order="glint nginx"; else order="nginx glint"; fi
        k=$((k + 1))
        for srv in $order; do
          if [[ $srv == glint ]]; then
            python3 "$HELPER" download --server glint --url "$base/v2/images/${ids[$i]}/file" --pid "$glint_pid" \
              --pg "tree:$postmaster" --log "$tmp/glint.log" --client "$client" -c "$c" --size "${size_bytes[$i]}" --duration "$duration" \
              --warmup "$warmup" --rep "$rep" "${common[@]}"
          else
            python3 "$HELPER" download --server nginx --url "http://127.0.0.1:$nport/${ids[$i]}" --pid "$nginx_pid" \
              --client "$client" -c "$c" --size "${size_bytes[$i]}" --duration "$duration" \
              --warmup "$warmup" --rep "$rep" "${common[@]}"
          fi
        done
      done
    done
  done
  stop_nginx
fi

# ---------------------------------------------------------------------------------------------- uploads
if [[ $skip_up == 0 ]]; then
  echo "Measuring the disk (dd ... conv=fsync) and the JDK's md5/sha512 rates..." >&2
  python3 "$HELPER" dd --dir "$tmp" --results "$results"
  mkdir -p "$tmp/hashrate"
  python3 "$HELPER" hashrate --dir "$tmp/hashrate" --java-opts "$jvm_opts" --results "$results"
  up=$tmp/upload.bin
  echo "Creating a random $upload_bytes-byte upload payload..." >&2
  head -c "$upload_bytes" /dev/urandom >"$up"
  read -r up_md5 up_sha512 < <(python3 "$HELPER" sums "$up")
  upload_common=(--url "$base" --file "$up" --md5 "$up_md5" --sha512 "$up_sha512" --conc "$streams"
                 --reps "$upload_reps" --run-dir "$tmp" --results "$results" --quiet-wait "$quiet_wait")
  python3 "$HELPER" upload --label "fsync on (default)" --fsync on --pid "$glint_pid" --pg "tree:$postmaster" \
    --log "$tmp/glint.log" "${upload_common[@]}"
  if [[ $expect_row == 1 ]]; then
    python3 "$HELPER" upload --label "fsync on, curl's default Expect: 100-continue" --fsync on --expect100 --warmup 0 \
      --pid "$glint_pid" --pg "tree:$postmaster" --log "$tmp/glint.log" "${upload_common[@]}"
  fi
  echo "Restarting Glint with --glance_store.filesystem_store_fsync=false..." >&2
  stop_glint
  start_glint glint-nofsync.log --glance_store.filesystem_store_fsync=false
  python3 "$HELPER" upload --label "fsync off" --fsync off --pid "$glint_pid" --pg "tree:$postmaster" \
    --log "$tmp/glint-nofsync.log" "${upload_common[@]}"
fi

kill -0 "$glint_pid" 2>/dev/null || die "Glint died during the runs"
read -r hwm rss < <(python3 "$META" mem "$glint_pid")
log_issues=$(cat "$tmp"/glint*.log | grep -cE ' (WARN|ERROR) ' || true)

# ---------------------------------------------------------------------------------------------- report
startups_txt=$(printf '%s; ' "${startups[@]}")
{
  run_facts
  echo "mem_gib=$(awk '/MemTotal/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo)"
  echo "fs=$(df -PT "$tmp" | awk 'NR == 2 { print $2 " (" $1 ")" }')"
  echo "db=embedded PostgreSQL ${pg_ver:-?} in a fresh data dir, file store in <data dir>/images"
  echo "startups=${startups_txt%; } from launching java to the first 200 on \`GET /versions\` (includes initdb/start of the embedded PostgreSQL)"
  echo "nginx=$nginx_ver"
  echo "nginx_workers=$nginx_workers"
  echo "client=$client"
  echo "client_desc=$client_desc"
  echo "calib_duration=$calib_duration"
  echo "duration=$duration"
  echo "warmup=$warmup"
  echo "connection_warmup=$conn_warmup"
  echo "seeded=$seeded"
  echo "hwm_end=$hwm"
  echo "rss_end=$rss"
} >"$tmp/info.txt"
python3 "$HELPER" report --results "$results" --info "$tmp/info.txt" >"$report"
if [[ $log_issues -gt 0 ]]; then
  printf '\nGlint logged %s WARN/ERROR lines (see data-%s-glint.log).\n' "$log_issues" "$stamp" >>"$report"
fi
cat "$report"
echo >&2
echo "Report: $report (raw results: $results)" >&2
