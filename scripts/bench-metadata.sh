#!/usr/bin/env bash
# Metadata-path benchmark of Glint: GET /v2/images/{id}, lists (GET /v2/images?limit=25 in the default sort,
# filtered by a tag, by a custom property and by visibility=shared, and limit=100) and create+delete pairs
# (POST /v2/images then DELETE of the created image), and on demand the legacy v1 list
# (GET /v1/images/detail?limit=25, test v1_list), at several connection counts, with 1,000 images in the
# database, seeded as real clouds have them: active, with 1 KiB of data (checksum, os_hash_value, a location),
# two tags and five custom properties each, a quarter shared with other projects' members. Reports req/s,
# p50/p99 latency and server CPU per request (Glint's JVM, and separately the
# PostgreSQL processes serving it), plus Glint's start-up time and memory.
#
# Usage: scripts/bench-metadata.sh [options]
#   --duration SECONDS     measured seconds per run (default 10)
#   --connections "LIST"   wrk connection counts (default "1 16 64")
#   --threads N            wrk threads (default 2; never more than the connections)
#   --db URI               use this PostgreSQL (postgresql://user[:pw]@host:port/db; best a scratch
#                          database: the run leaves its images and deleted rows there) instead of the
#                          embedded PostgreSQL Glint starts in a temporary data dir
#   --out DIR              where the report goes (default bench-results/): DIR/metadata-<date>.md,
#                          with Glint's log next to it
#   --warmup SECONDS       un-measured warm-up before each run (default 2)
#   --images N             images to seed (default 1000)
#   --tests "LIST"         subset of "get list list_tag list_prop list_shared list_100 create_delete v1_list"
#                          (default: all but v1_list): list = ?limit=25, list_tag = ?tag=ubuntu&limit=25,
#                          list_prop = ?os_distro=debian&limit=25, list_shared = ?visibility=shared&limit=25,
#                          list_100 = ?limit=100, v1_list = /v1/images/detail?limit=25 (--tests "list v1_list"
#                          compares the v1 and v2 lists in one run)
#   --no-analyze           don't run ANALYZE after seeding (by default the script runs it with psql, if
#                          installed, so that the list query is planned on statistics, as it is once
#                          autovacuum has analyzed the table; without them it scans and sorts every
#                          visible image, ~10x the PostgreSQL cost, until autovacuum gets to it, if ever)
#   --quiet-wait SECONDS   before each run, wait up to this long for a 1-s window in which the whole machine
#                          is below 50 % of one core busy (default 30; 0 = don't wait). On a shared machine
#                          the report's "other CPU %" column shows what other processes took meanwhile.
# Environment: GLINT_JAVA_OPTS = JVM options (default: conf/jvm.options, as scripts/run uses).
#
# Glint is built if target/glint.jar is missing or older than pom.xml/src/main (or $BENCH_JAR is used), started on a free port from a
# copy of the jar (so a concurrent rebuild cannot disturb it), and stopped (SIGTERM) at the end, also on
# failure or Ctrl-C. Needs java, python3 (standard library only), wrk, and mvn if a build is needed.
# The load generator shares the machine's CPUs with Glint and PostgreSQL: compare CPU per request
# (core-ms/req), which is far less sensitive to that than req/s.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/scripts/bench/lib.sh"
HELPER=$ROOT/scripts/bench/metabench.py
COMMAND=$(printf '%q ' "$0" "$@")
COMMAND=${COMMAND% }

duration=10 conns="1 16 64" threads=2 db="" out=$ROOT/bench-results warmup=2 images=1000
tests="get list list_tag list_prop list_shared list_100 create_delete" timeout=30 quiet_wait=30 analyze=1


while [[ $# -gt 0 ]]; do
  opt=$1
  if [[ $opt == --*=* ]]; then set -- "${opt%%=*}" "${opt#*=}" "${@:2}"; opt=$1; fi
  case $opt in
    --duration) need_val "$@"; duration=$2; shift 2 ;;
    --connections) need_val "$@"; conns=$2; shift 2 ;;
    --threads) need_val "$@"; threads=$2; shift 2 ;;
    --db) need_val "$@"; db=$2; shift 2 ;;
    --out) need_val "$@"; out=$2; shift 2 ;;
    --warmup) need_val "$@"; warmup=$2; shift 2 ;;
    --images) need_val "$@"; images=$2; shift 2 ;;
    --tests) need_val "$@"; tests=$2; shift 2 ;;
    --quiet-wait) need_val "$@"; quiet_wait=$2; shift 2 ;;
    --no-analyze) analyze=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option $opt (see --help)" ;;
  esac
done
for n in "$duration" "$threads" "$warmup" "$images" "$quiet_wait" $conns; do
  [[ $n =~ ^[0-9]+$ ]] || die "not a number: '$n'"
done
[[ $duration -ge 1 && $threads -ge 1 && $images -ge 25 ]] || die "need --duration >= 1, --threads >= 1, --images >= 25"
for c in $conns; do [[ $c -ge 1 ]] || die "connections must be >= 1"; done
for t in $tests; do
  [[ $t =~ ^(get|list|list_tag|list_prop|list_shared|list_100|create_delete|v1_list)$ ]] \
    || die "unknown test '$t' (get, list, list_tag, list_prop, list_shared, list_100, create_delete, v1_list)"
done

# ---------------------------------------------------------------------------------------------- tools
if ! command -v wrk >/dev/null 2>&1; then
  die "wrk (HTTP load generator) not found. Install it: sudo apt-get update && sudo apt-get install -y wrk
  (Debian/Ubuntu; elsewhere see https://github.com/wg/wrk)"
fi
command -v python3 >/dev/null 2>&1 || die "python3 not found (needed for the helper $HELPER)"
command -v java >/dev/null 2>&1 || die "java not found (Glint needs a JDK/JRE 17+)"
CLK_TCK=$(getconf CLK_TCK)
export BENCH_CLK_TCK=$CLK_TCK

# ---------------------------------------------------------------------------------------------- build
build_jar

# ---------------------------------------------------------------------------------------------- lifecycle
start_run metadata
report=$out/metadata-$stamp.md

python3 "$HELPER" copy-jar "$jar" "$tmp/glint.jar"
port=$(python3 "$HELPER" free-port)
base=http://127.0.0.1:$port
glint_args=(--bind_port="$port" --data_dir="$tmp/data")
embedded=1 pg_spec="" pg_what="" db_desc=""
if [[ -n $db ]]; then
  embedded=0
  glint_args+=(--database.connection="$db")
  read -r db_host db_name < <(python3 -c '
import sys, urllib.parse as u
x = u.urlsplit(sys.argv[1])
print(x.hostname or "localhost", x.path.lstrip("/") or x.username or "postgres")' "$db")
  db_desc="external, $(sed -E 's#(://[^:/@]+):[^@]*@#\1:***@#' <<<"$db")"
  if [[ $db_host =~ ^(127\.0\.0\.1|localhost|::1)$ ]]; then
    pg_spec="db:$db_name"
    pg_what="the PostgreSQL server processes serving it (client backends of database '$db_name', the postmaster and its background processes; not other databases' backends)"
  fi
fi

echo "Starting Glint on port $port (data dir $tmp/data${db:+, database $db_desc})..." >&2
t0=$(date +%s%N)
# shellcheck disable=SC2086  # GLINT_JAVA_OPTS is a list of JVM options
jvm_opts=$("$ROOT/scripts/jvm-options")
(cd "$tmp" && exec java $jvm_opts -jar "$tmp/glint.jar" "${glint_args[@]}") >"$tmp/glint.log" 2>&1 &
glint_pid=$!
if ! startup=$(python3 "$HELPER" wait-ready "$base/versions" "$glint_pid" "$t0" 180); then
  echo "--- last lines of Glint's log:" >&2; tail -n 30 "$tmp/glint.log" >&2
  die "Glint did not start"
fi
echo "Glint answered 200 on /versions after $startup s" >&2
if [[ $embedded == 1 ]]; then
  postmaster=$(head -n 1 "$tmp/data/pg/postmaster.pid" 2>/dev/null || true)
  [[ $postmaster =~ ^[0-9]+$ ]] || die "cannot find the embedded PostgreSQL's postmaster.pid under $tmp/data/pg"
  pg_spec="tree:$postmaster"
  pg_what="the embedded PostgreSQL (postmaster and all its processes, including exited children)"
  pg_ver=$("$(readlink "/proc/$postmaster/exe")" --version 2>/dev/null | awk '{print $NF}' || true)
  db_desc="embedded PostgreSQL ${pg_ver:-?} started by Glint (fresh data dir; Glint's defaults: fsync and synchronous_commit on)"
fi

# ---------------------------------------------------------------------------------------------- data
before=$(python3 "$HELPER" count --admin --url "$base")
if [[ $before -ne 0 ]]; then
  echo "WARNING: the database already holds $before images; they stay in the measured data set" >&2
fi
echo "Seeding $images images..." >&2
s0=$(date +%s%N)
python3 "$HELPER" seed --url "$base" --n "$images" --out-ids "$tmp/ids.txt"
seed_time=$(awk -v a="$s0" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f s", (b - a) / 1e9 }')
python3 "$HELPER" check --url "$base" --ids "$tmp/ids.txt"
if [[ $analyze == 0 ]]; then
  analyzed="no (--no-analyze): the list query's plan depends on whether autovacuum has analyzed the tables yet"
elif ! command -v psql >/dev/null 2>&1; then
  analyzed="no (psql not installed): the list query's plan depends on whether autovacuum has analyzed the tables yet"
  echo "WARNING: psql not found, so no ANALYZE after seeding: $analyzed" >&2
else
  if [[ $embedded == 1 ]]; then
    pg_uri="postgresql://postgres@127.0.0.1:$(sed -n 4p "$tmp/data/pg/postmaster.pid")/postgres"
  else
    pg_uri=$(sed -E 's#^postgresql\+[A-Za-z0-9_]+://#postgresql://#' <<<"$db")
  fi
  if psql "$pg_uri" -qAtX -c 'ANALYZE' >/dev/null 2>"$tmp/analyze.err"; then
    analyzed="yes, ANALYZE after seeding (as autovacuum would do eventually)"
  else
    analyzed="no (ANALYZE failed: $(head -c 200 "$tmp/analyze.err" | tr '\n' ' '))"
    echo "WARNING: $analyzed" >&2
  fi
fi
visible=$(python3 "$HELPER" count --url "$base")
total=$(python3 "$HELPER" count --admin --url "$base")

# ---------------------------------------------------------------------------------------------- runs
results=$out/metadata-$stamp.jsonl  # one JSON line per run, written as the runs finish
: >"$results"
for t in $tests; do
  for c in $conns; do
    python3 "$HELPER" run --url "$base" --test "$t" -c "$c" --threads "$threads" --duration "$duration" \
      --warmup "$warmup" --timeout "$timeout" --quiet-wait "$quiet_wait" --quiet-below 50 \
      --ids "$tmp/ids.txt" --glint-pid "$glint_pid" --pg "$pg_spec" --run-dir "$tmp" --results "$results"
  done
done
kill -0 "$glint_pid" 2>/dev/null || die "Glint died during the runs"
read -r hwm rss < <(python3 "$HELPER" mem "$glint_pid")
log_issues=$(grep -cE ' (WARN|ERROR) ' "$tmp/glint.log" || true)

# ---------------------------------------------------------------------------------------------- report
{
  run_facts
  echo "db=$db_desc"
  echo "embedded=$embedded"
  echo "images=$images"
  echo "seed_time=$seed_time"
  echo "visible=$visible of $total"
  echo "get_ids=$(wc -l <"$tmp/ids.txt")"
  echo "startup_s=$startup"
  echo "analyzed=$analyzed"
  echo "wrk=$(wrk -v 2>&1 | head -n 1 | awk '{print $2}')"
  echo "threads=$threads"
  echo "duration=$duration"
  echo "warmup=$warmup"
  echo "timeout=$timeout"
  echo "quiet_wait=$quiet_wait"
  echo "quiet_below=50"
  echo "pg_what=$pg_what"
  echo "hwm_mib=$hwm"
  echo "rss_mib=$rss"
} >"$tmp/info.txt"
python3 "$HELPER" report --results "$results" --info "$tmp/info.txt" >"$report"
if [[ $log_issues -gt 0 ]]; then
  printf '\nGlint logged %s WARN/ERROR lines (see metadata-%s-glint.log).\n' "$log_issues" "$stamp" >>"$report"
fi
cat "$report"
echo >&2
echo "Report: $report (raw results: $results)" >&2
