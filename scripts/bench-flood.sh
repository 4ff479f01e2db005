#!/usr/bin/env bash
# Flood benchmark of Glint: does one Glint stay responsive, bounded in memory and consistent while clients
# misbehave? Against one freshly started Glint, in order, each phase bounded in time:
#   1. baseline      idle; RSS and GET /versions latency at rest
#   2. json-trickle  N clients (--json-clients) each repeatedly POST /v2/images with a 4 MiB JSON body trickled
#                    slowly (64 KiB every 50 ms), half chunked, half with Content-Length; expected answers
#                    413 (max_request_body_size) or 503 (max_request_body_memory), never a hang
#   3. cut-uploads   concurrent PUT /v2/images/{id}/file of 8 MiB to fresh raw/bare images, most of them cut
#                    (close after the head, close / RST (SO_LINGER 0) / half-close (SHUT_WR) after part of
#                    the body, broken chunked framing: bad hex size, missing CRLF, chunked close), the rest
#                    complete; within 2 s after the last client: no image in saving, complete ones active with
#                    the md5 checksum and size of what was sent, cut ones queued, <data dir>/images/.incoming
#                    empty
#   4. create-flood  N clients (--create-clients) creating images (with properties and tags) and deleting
#                    them as fast as they can
#   5. after         idle; RSS again
# Throughout, a separate process probes GET /versions (a new connection every 100-200 ms) and samples Glint's
# VmRSS every 0.5 s; the report has one row per phase: answers by status, p50/p99/worst /versions latency,
# RSS max/last, CPU. Only 127.0.0.1 is contacted.
#
# Exits 0 if every target is met, 1 if one is broken (listed at the end of the report), 2 on other errors.
# Targets: /versions worst <= --max-latency-ms, no 5xx other than 503, no hang, no image left in saving, no
# file in .incoming, every complete upload active with the right checksum and size, every cut one queued,
# RSS (sampled, and VmHWM) <= --rss-limit.
#
# Usage: scripts/bench-flood.sh [options]
#   --duration SECONDS       length of json-trickle and create-flood; bound of cut-uploads (default 20)
#   --baseline SECONDS       idle before the floods (default 5)
#   --after SECONDS          idle after the floods (default 10)
#   --answer-timeout SECONDS a connection that gets neither an answer nor a close within this long after its
#                            body ended (or was cut) is a hang (default 10)
#   --json-clients N         json-trickle clients (default 40)
#   --json-size SIZE         JSON body each trickle client sends, K/M = KiB/MiB (default 4M)
#   --json-chunk SIZE        bytes per trickle step (default 64K)
#   --json-interval-ms MS    pause between trickle steps (default 50)
#   --uploads N              concurrent uploads in cut-uploads (default 150)
#   --cut N                  how many of them are cut (default 120; the rest are complete)
#   --upload-size SIZE       bytes per upload (default 8M)
#   --create-clients N       create-flood clients (default 64)
#   --max-latency-ms MS      target for the worst GET /versions latency in any phase (default 1000)
#   --rss-limit MIB          target for Glint's RSS at any point (default 300, as the README promises)
#   --quiet-wait SECONDS     before the baseline, wait up to this long for a 1-s window in which the whole
#                            machine is below 50 % of one core busy (default 15; 0 = don't wait)
#   --phases "LIST"         run only these phases, in this order (default "baseline json-trickle cut-uploads
#                            create-flood after"); for investigating one of them
#   --out DIR                where the report goes (default bench-results/): DIR/flood-<date>.md, with the raw
#                            results (.jsonl, one line per phase and a summary line), the probe/RSS samples
#                            (.jsonl.monitor) and Glint's log (-glint.log) next to it
# Environment: GLINT_JAVA_OPTS = JVM options (default: conf/jvm.options, as scripts/run uses).
#
# Glint is built if target/glint.jar is missing or older than pom.xml/src/main (or $BENCH_JAR is used), started on a free port from a
# copy of the jar with a temporary data dir (embedded PostgreSQL, file store in <data dir>/images), and
# stopped at the end, also on failure or Ctrl-C; the temporary dir is removed. Needs java (17+), python3
# (standard library only), and mvn if a build is needed. The load generator shares the machine's CPUs with
# Glint and PostgreSQL: the report's "other CPU %" column shows what other processes took meanwhile.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/scripts/bench/lib.sh"
META=$ROOT/scripts/bench/metabench.py
HELPER=$ROOT/scripts/bench/floodbench.py
COMMAND=$(printf '%q ' "$0" "$@")
COMMAND=${COMMAND% }

duration=20 baseline=5 after=10 answer_timeout=10 json_clients=40 json_size=4M json_chunk=64K json_interval=50
uploads=150 cut=120 upload_size=8M create_clients=64 max_latency=1000 rss_limit=300 quiet_wait=15
phases="baseline json-trickle cut-uploads create-flood after"
out=$ROOT/bench-results

to_bytes() {  # 64K -> 65536 (K/M/G are binary; an optional trailing "iB"/"B" is accepted)
  [[ $1 =~ ^([0-9]+)([KkMmGg]?)(i?B)?$ ]] || die "bad size '$1' (use e.g. 64K, 4M)"
  local n=${BASH_REMATCH[1]} u=${BASH_REMATCH[2]^^}
  case $u in K) n=$((n << 10)) ;; M) n=$((n << 20)) ;; G) n=$((n << 30)) ;; esac
  echo "$n"
}

while [[ $# -gt 0 ]]; do
  opt=$1
  if [[ $opt == --*=* ]]; then set -- "${opt%%=*}" "${opt#*=}" "${@:2}"; opt=$1; fi
  case $opt in
    --duration) need_val "$@"; duration=$2; shift 2 ;;
    --baseline) need_val "$@"; baseline=$2; shift 2 ;;
    --after) need_val "$@"; after=$2; shift 2 ;;
    --answer-timeout) need_val "$@"; answer_timeout=$2; shift 2 ;;
    --json-clients) need_val "$@"; json_clients=$2; shift 2 ;;
    --json-size) need_val "$@"; json_size=$2; shift 2 ;;
    --json-chunk) need_val "$@"; json_chunk=$2; shift 2 ;;
    --json-interval-ms) need_val "$@"; json_interval=$2; shift 2 ;;
    --uploads) need_val "$@"; uploads=$2; shift 2 ;;
    --cut) need_val "$@"; cut=$2; shift 2 ;;
    --upload-size) need_val "$@"; upload_size=$2; shift 2 ;;
    --create-clients) need_val "$@"; create_clients=$2; shift 2 ;;
    --max-latency-ms) need_val "$@"; max_latency=$2; shift 2 ;;
    --rss-limit) need_val "$@"; rss_limit=$2; shift 2 ;;
    --quiet-wait) need_val "$@"; quiet_wait=$2; shift 2 ;;
    --phases) need_val "$@"; phases=$2; shift 2 ;;
    --out) need_val "$@"; out=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option $opt (see --help)" ;;
  esac
done
for v in "$duration" "$baseline" "$after" "$answer_timeout" "$json_clients" "$json_interval" "$uploads" "$cut" \
         "$create_clients" "$max_latency" "$rss_limit" "$quiet_wait"; do
  [[ $v =~ ^[0-9]+$ ]] || die "not a number: '$v'"
done
[[ $duration -ge 1 && $answer_timeout -ge 1 && $json_clients -ge 1 && $uploads -ge 1 && $create_clients -ge 1 ]] \
  || die "need --duration, --answer-timeout, --json-clients, --uploads, --create-clients >= 1"
[[ $cut -le $uploads ]] || die "--cut ($cut) must not exceed --uploads ($uploads)"
json_bytes=$(to_bytes "$json_size")
chunk_bytes=$(to_bytes "$json_chunk")
upload_bytes=$(to_bytes "$upload_size")
for p in $phases; do
  [[ $p =~ ^(baseline|json-trickle|cut-uploads|create-flood|after)$ ]] || die "unknown phase '$p'"
done
[[ -n ${phases// } ]] || die "empty --phases"
(( json_bytes >= 1024 && chunk_bytes >= 1 && upload_bytes >= 1 << 20 )) \
  || die "need --json-size >= 1K, --json-chunk >= 1, --upload-size >= 1M"

# ---------------------------------------------------------------------------------------------- tools
command -v python3 >/dev/null 2>&1 || die "python3 not found (needed for the helper $HELPER)"
command -v java >/dev/null 2>&1 || die "java not found (Glint needs a JDK/JRE 17+)"
CLK_TCK=$(getconf CLK_TCK)
export BENCH_CLK_TCK=$CLK_TCK PYTHONDONTWRITEBYTECODE=1

# ---------------------------------------------------------------------------------------------- build
build_jar

# ---------------------------------------------------------------------------------------------- lifecycle
start_run flood
report=$out/flood-$stamp.md
results=$out/flood-$stamp.jsonl

python3 "$META" copy-jar "$jar" "$tmp/glint.jar"
jvm_opts=$("$ROOT/scripts/jvm-options")
port=$(python3 "$META" free-port)
base=http://127.0.0.1:$port

echo "Starting Glint on port $port (data dir $tmp/data)..." >&2
t0=$(date +%s%N)
# shellcheck disable=SC2086  # jvm_opts is a list of JVM options; GLINT_JAVA_OPTS is not a Glint option
(cd "$tmp" && exec env -u GLINT_JAVA_OPTS java $jvm_opts -jar "$tmp/glint.jar" --bind_host=127.0.0.1 --bind_port="$port" \
  --data_dir="$tmp/data") >"$tmp/glint.log" 2>&1 &
glint_pid=$!
if ! startup=$(python3 "$META" wait-ready "$base/versions" "$glint_pid" "$t0" 180); then
  echo "--- last lines of Glint's log:" >&2; tail -n 30 "$tmp/glint.log" >&2
  die "Glint did not start"
fi
echo "Glint answered 200 on /versions after $startup s" >&2
postmaster=$(head -n 1 "$tmp/data/pg/postmaster.pid" 2>/dev/null || true)
[[ $postmaster =~ ^[0-9]+$ ]] || die "cannot find the embedded PostgreSQL's postmaster.pid under $tmp/data/pg"
pg_ver=$("$(readlink "/proc/$postmaster/exe")" --version 2>/dev/null | awk '{print $NF}' || true)
[[ -d $tmp/data/images/.incoming ]] || die "no $tmp/data/images/.incoming (file store layout changed?)"

# ---------------------------------------------------------------------------------------------- phases
: >"$results"
python3 "$HELPER" run --url "$base" --pid "$glint_pid" --pg "$postmaster" --data-dir "$tmp/data" \
  --results "$results" --phases "$phases" --quiet-wait "$quiet_wait" --baseline "$baseline" --after "$after" \
  --duration "$duration" --answer-timeout "$answer_timeout" --json-clients "$json_clients" \
  --json-size "$json_bytes" --json-chunk "$chunk_bytes" --json-interval-ms "$json_interval" \
  --uploads "$uploads" --cut "$cut" --upload-size "$upload_bytes" --create-clients "$create_clients" \
  --max-latency-ms "$max_latency" --rss-limit-mib "$rss_limit"
kill -0 "$glint_pid" 2>/dev/null || die "Glint died during the runs"
read -r hwm rss < <(python3 "$META" mem "$glint_pid")
log_issues=$(grep -cE ' (WARN|ERROR) ' "$tmp/glint.log" || true)
ooms=$(grep -cE 'OutOfMemoryError|Java heap space|GC overhead limit exceeded|Direct buffer memory' "$tmp/glint.log" || true)

# ---------------------------------------------------------------------------------------------- report
{
  run_facts
  echo "db=embedded PostgreSQL ${pg_ver:-?} in a fresh data dir, file store in <data dir>/images"
  echo "startup_s=$startup"
} >"$tmp/info.txt"
rc=0
python3 "$HELPER" report --results "$results" --info "$tmp/info.txt" >"$report" || rc=$?
[[ $rc -eq 0 || $rc -eq 3 ]] || die "report failed (exit $rc)"
{
  printf '\nGlint at the end: VmHWM %s MiB, VmRSS %s MiB.' "$hwm" "$rss"
  if [[ $log_issues -gt 0 ]]; then
    printf ' Glint logged %s WARN/ERROR lines (see flood-%s-glint.log).' "$log_issues" "$stamp"
  fi
  printf '\n'
  if [[ $ooms -gt 0 ]]; then
    printf '\n**Warning: %s lines of Glint'"'"'s log mention an OutOfMemoryError (Java heap space, GC overhead limit exceeded or Direct buffer memory): the JVM ran out of memory during the run (see flood-%s-glint.log).**\n' "$ooms" "$stamp"
  fi
} >>"$report"
cat "$report"
echo >&2
echo "Report: $report (raw results: $results)" >&2
if [[ $rc -eq 3 ]]; then
  echo "bench-flood: targets broken (see the end of the report)" >&2
  exit 1
fi
