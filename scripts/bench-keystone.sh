#!/usr/bin/env bash
# Keystone-mode benchmark of Glint: GET /v2/images/{id} at 64 connections with 1,000 distinct Keystone tokens
# (one drawn at random per request) against the same request in trusted-headers mode, in the same run. Two
# Glints share one embedded PostgreSQL: one in trusted-headers mode (which starts the database and seeds the
# images), one in keystone mode validating tokens with a stub Keystone (scripts/bench/keystonebench.py, a
# Python http.server that answers POST/GET /v3/auth/tokens as Keystone does and counts validations). The modes
# alternate, round after round. Reports req/s, p50/p99, Glint CPU per request, the keystone/trusted ratio
# (target >= 0.80 once warm) and how often the stub was asked about each token (target <= 1).
#
# Usage: scripts/bench-keystone.sh [options]
#   --duration SECONDS     measured seconds per run (default 10)
#   --initial-warmup S     before the rounds, each Glint serves the load for S seconds, unmeasured (default 15:
#                          JIT warm-up; the keystone Glint validates the tokens then)
#   --warmup SECONDS       un-measured warm-up before each run (default 3)
#   --rounds N             runs per mode, alternating (default 3)
#   --connections N        wrk connections (default 64)
#   --threads N            wrk threads (default 2)
#   --tokens N             distinct tokens (default 1000)
#   --images N             images to seed (default 1000)
#   --token-cache-time S   [keystone_authtoken] token_cache_time of the keystone Glint (default 300, Glance's)
#   --quiet-wait SECONDS   before each run, wait up to this long for the machine to be below 50 % of a core
#                          busy (default 10; 0 = don't wait)
#   --out DIR              where the report goes (default bench-results/): DIR/keystone-<date>.md, with both
#                          Glints' logs next to it
# Environment: GLINT_JAVA_OPTS = JVM options (default: conf/jvm.options, as scripts/run uses).
# Needs java, python3 (standard library only), wrk (apt-get install -y wrk), and mvn if a build is needed.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/scripts/bench/lib.sh"
META=$ROOT/scripts/bench/metabench.py
HELPER=$ROOT/scripts/bench/keystonebench.py
COMMAND=$(printf '%q ' "$0" "$@")
COMMAND=${COMMAND% }

duration=10 initial_warmup=15 warmup=3 rounds=3 conns=64 threads=2 tokens=1000 images=1000 cache_time=300 quiet_wait=10
out=$ROOT/bench-results


while [[ $# -gt 0 ]]; do
  opt=$1
  if [[ $opt == --*=* ]]; then set -- "${opt%%=*}" "${opt#*=}" "${@:2}"; opt=$1; fi
  case $opt in
    --duration) need_val "$@"; duration=$2; shift 2 ;;
    --warmup) need_val "$@"; warmup=$2; shift 2 ;;
    --initial-warmup) need_val "$@"; initial_warmup=$2; shift 2 ;;
    --rounds) need_val "$@"; rounds=$2; shift 2 ;;
    --connections) need_val "$@"; conns=$2; shift 2 ;;
    --threads) need_val "$@"; threads=$2; shift 2 ;;
    --tokens) need_val "$@"; tokens=$2; shift 2 ;;
    --images) need_val "$@"; images=$2; shift 2 ;;
    --token-cache-time) need_val "$@"; cache_time=$2; shift 2 ;;
    --quiet-wait) need_val "$@"; quiet_wait=$2; shift 2 ;;
    --out) need_val "$@"; out=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option $opt (see --help)" ;;
  esac
done
for n in "$duration" "$initial_warmup" "$warmup" "$rounds" "$conns" "$threads" "$tokens" "$images" "$quiet_wait"; do
  [[ $n =~ ^[0-9]+$ ]] || die "not a number: '$n'"
done
[[ $cache_time =~ ^-?[0-9]+$ ]] || die "not a number: '$cache_time'"
[[ $duration -ge 1 && $rounds -ge 1 && $conns -ge 1 && $tokens -ge 1 && $images -ge 25 ]] \
  || die "need --duration, --rounds, --connections, --tokens >= 1 and --images >= 25"

command -v wrk >/dev/null 2>&1 || die "wrk not found. Install it: sudo apt-get update && sudo apt-get install -y wrk"
command -v python3 >/dev/null 2>&1 || die "python3 not found"
command -v java >/dev/null 2>&1 || die "java not found (Glint needs a JDK/JRE 17+)"
export BENCH_CLK_TCK
BENCH_CLK_TCK=$(getconf CLK_TCK)

build_jar

# ------------------------------------------------------------------------------------------- lifecycle
start_run keystone
report=$out/keystone-$stamp.md
ks_pid="" stub_pid=""
# Run by lib.sh's run_finished after it stopped the trusted-headers Glint (and with it the database).
keep_run_files() {
  stop_keystone_glint
  [[ -n $stub_pid ]] && kill "$stub_pid" 2>/dev/null && wait "$stub_pid" 2>/dev/null || true
  cp "$tmp/glint.log" "$out/keystone-$stamp-glint-trusted.log" 2>/dev/null || true
  cp "$tmp/glint-keystone.log" "$out/keystone-$stamp-glint-keystone.log" 2>/dev/null || true
}
stop_keystone_glint() {
  if [[ -n $ks_pid ]] && kill -0 "$ks_pid" 2>/dev/null; then
    kill -TERM "$ks_pid" 2>/dev/null || true
    for _ in $(seq 300); do kill -0 "$ks_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$ks_pid" 2>/dev/null || true
    wait "$ks_pid" 2>/dev/null || true
  fi
  ks_pid=""
}

python3 "$META" copy-jar "$jar" "$tmp/glint.jar"
jvm_opts=$("$ROOT/scripts/jvm-options")
t_start=$(date +%s)

# the stub Keystone, with the tokens the load will use
stub_port=$(python3 "$META" free-port)
stub=http://127.0.0.1:$stub_port
python3 "$HELPER" stub --port "$stub_port" --tokens "$tokens" --tokens-out "$tmp/tokens.txt" 2>"$tmp/stub.log" &
stub_pid=$!
for _ in $(seq 100); do python3 "$HELPER" stats --url "$stub" >/dev/null 2>&1 && break; sleep 0.1; done
python3 "$HELPER" stats --url "$stub" >/dev/null || die "the stub Keystone did not start: $(cat "$tmp/stub.log")"

# the trusted-headers Glint: starts the embedded PostgreSQL
port=$(python3 "$META" free-port)
trusted=http://127.0.0.1:$port
echo "Starting Glint (trusted headers) on port $port..." >&2
t0=$(date +%s%N)
# shellcheck disable=SC2086  # a list of JVM options
(cd "$tmp" && exec java $jvm_opts -jar "$tmp/glint.jar" --bind_port="$port" --data_dir="$tmp/data") \
  >"$tmp/glint.log" 2>&1 &
glint_pid=$!
python3 "$META" wait-ready "$trusted/versions" "$glint_pid" "$t0" 180 >/dev/null \
  || { tail -n 30 "$tmp/glint.log" >&2; die "Glint (trusted headers) did not start"; }
postmaster=$(head -n 1 "$tmp/data/pg/postmaster.pid" 2>/dev/null || true)
[[ $postmaster =~ ^[0-9]+$ ]] || die "cannot find the embedded PostgreSQL's postmaster.pid under $tmp/data/pg"
pg_port=$(sed -n 4p "$tmp/data/pg/postmaster.pid")

# the keystone Glint: same database, its own data dir
ks_port=$(python3 "$META" free-port)
keystone=http://127.0.0.1:$ks_port
echo "Starting Glint (keystone) on port $ks_port..." >&2
t0=$(date +%s%N)
# shellcheck disable=SC2086
(cd "$tmp" && exec java $jvm_opts -jar "$tmp/glint.jar" --bind_port="$ks_port" --data_dir="$tmp/data-keystone" \
  --database.connection="postgresql://postgres@127.0.0.1:$pg_port/postgres" \
  --keystone_authtoken.www_authenticate_uri="$stub" --keystone_authtoken.auth_url="$stub" \
  --keystone_authtoken.auth_type=password --keystone_authtoken.username=glance \
  --keystone_authtoken.password=bench-secret --keystone_authtoken.user_domain_name=Default \
  --keystone_authtoken.project_name=service --keystone_authtoken.project_domain_name=Default \
  --keystone_authtoken.token_cache_time="$cache_time") >"$tmp/glint-keystone.log" 2>&1 &
ks_pid=$!
python3 "$META" wait-ready "$keystone/versions" "$ks_pid" "$t0" 180 >/dev/null \
  || { tail -n 30 "$tmp/glint-keystone.log" >&2; die "Glint (keystone) did not start"; }
grep -q "Authentication: keystone" "$tmp/glint-keystone.log" || die "the second Glint is not in keystone mode"

# ------------------------------------------------------------------------------------------- data
echo "Seeding $images images..." >&2
python3 "$META" seed --url "$trusted" --n "$images" --out-ids "$tmp/ids.txt"
python3 "$META" check --url "$trusted" --ids "$tmp/ids.txt"
first_token=$(head -n 1 "$tmp/tokens.txt")
first_id=$(head -n 1 "$tmp/ids.txt")
code=$(python3 -c '
import sys, urllib.request
r = urllib.request.Request(sys.argv[1], headers={"X-Auth-Token": sys.argv[2]})
print(urllib.request.urlopen(r, timeout=30).status)' "$keystone/v2/images/$first_id" "$first_token")
[[ $code == 200 ]] || die "GET with a token on the keystone Glint answered $code"
code=$(python3 -c '
import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(sys.argv[1], timeout=30)
except urllib.error.HTTPError as e:
    print(e.code)' "$keystone/v2/images/$first_id")
[[ $code == 401 ]] || die "GET without a token on the keystone Glint answered $code, not 401"

# ------------------------------------------------------------------------------------------- runs
results=$out/keystone-$stamp.jsonl
: >"$results"
common=(-c "$conns" --threads "$threads" --duration "$duration" --warmup "$warmup" --quiet-wait "$quiet_wait"
  --ids "$tmp/ids.txt" --pg "tree:$postmaster" --run-dir "$tmp" --results "$results")
if [[ $initial_warmup -gt 0 ]]; then
  echo "Initial warm-up: ${initial_warmup} s per Glint, unmeasured..." >&2
  python3 "$HELPER" run --mode trusted --round 0 --url "$trusted" --glint-pid "$glint_pid" "${common[@]}" \
    --warmup 0 --duration "$initial_warmup" --quiet-wait 0 --results "$tmp/initial.jsonl"
  python3 "$HELPER" run --mode keystone --round 0 --url "$keystone" --glint-pid "$ks_pid" \
    --tokens "$tmp/tokens.txt" --stub "$stub" "${common[@]}" \
    --warmup 0 --duration "$initial_warmup" --quiet-wait 0 --results "$tmp/initial.jsonl"
fi
for r in $(seq "$rounds"); do
  python3 "$HELPER" run --mode trusted --round "$r" --url "$trusted" --glint-pid "$glint_pid" "${common[@]}"
  python3 "$HELPER" run --mode keystone --round "$r" --url "$keystone" --glint-pid "$ks_pid" \
    --tokens "$tmp/tokens.txt" --stub "$stub" "${common[@]}"
done
kill -0 "$glint_pid" 2>/dev/null && kill -0 "$ks_pid" 2>/dev/null || die "a Glint died during the runs"

# ------------------------------------------------------------------------------------------- report
{
  run_facts
  echo "images=$images"
  echo "get_ids=$(wc -l <"$tmp/ids.txt")"
  echo "token_cache_time=$cache_time"
  echo "stub_stats=$(python3 "$HELPER" stats --url "$stub")"
  echo "wrk=$(wrk -v 2>&1 | head -n 1 | awk '{print $2}')"
  echo "connections=$conns"
  echo "threads=$threads"
  echo "duration=$duration"
  echo "warmup=$warmup"
  echo "initial_warmup=$initial_warmup"
  echo "rounds=$rounds"
  echo "elapsed_s=$(( $(date +%s) - t_start ))"
} >"$tmp/info.txt"
python3 "$HELPER" report --results "$results" --info "$tmp/info.txt" >"$report"
stop_keystone_glint
cat "$report"
echo >&2
echo "Report: $report (raw results: $results)" >&2
