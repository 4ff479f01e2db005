#!/usr/bin/env bash
# Metadata definitions benchmark of Glint: GET /v2/metadefs/namespaces (the first page, Glance's default limit
# of 25, each namespace with its resource type associations) and GET /v2/metadefs/namespaces/{namespace} (one
# namespace in full), at several connection counts, with a whole catalogue of definition files loaded through
# the operator command (`glint manage db load_metadefs`), by default Glance Zed's own (etc/metadefs, vendored in
# src/test/resources/metadefs/glance-zed: 33 namespaces, 132 properties, 23 objects). Reports req/s, p50/p99
# latency and server CPU per request (Glint's JVM, and separately its embedded PostgreSQL).
#
# Usage: scripts/bench-metadefs.sh [options]
#   --duration SECONDS     measured seconds per run (default 10)
#   --connections "LIST"   wrk connection counts (default "1 16 64")
#   --threads N            wrk threads (default 2; never more than the connections)
#   --catalogue DIR        definition files to load (default src/test/resources/metadefs/glance-zed)
#   --namespace NAME       the namespace the show test reads (default OS::Compute::Libvirt)
#   --tests "LIST"         subset of "list show" (default: both)
#   --out DIR              where the report goes (default bench-results/): DIR/metadefs-<date>.md,
#                          with Glint's log next to it
#   --warmup SECONDS       un-measured warm-up before each run (default 2)
#   --quiet-wait SECONDS   before each run, wait up to this long for a 1-s window in which the whole machine
#                          is below 50 % of one core busy (default 30; 0 = don't wait)
# Environment: GLINT_JAVA_OPTS = JVM options (default: conf/jvm.options, as scripts/run uses).
#
# Glint is built if needed (or $BENCH_JAR is used), started with an embedded PostgreSQL in a temporary data dir
# on a free port from a copy of the jar, and stopped at the end, also on failure or Ctrl-C. Needs java, python3
# (standard library only), wrk, and mvn if a build is needed. The load generator shares the machine's CPUs with
# Glint and PostgreSQL: compare CPU per request (core-ms/req), which is far less sensitive to that than req/s.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/scripts/bench/lib.sh"
HELPER=$ROOT/scripts/bench/metabench.py
COMMAND=$(printf '%q ' "$0" "$@")
COMMAND=${COMMAND% }

duration=10 conns="1 16 64" threads=2 out=$ROOT/bench-results warmup=2 timeout=30 quiet_wait=30
catalogue=$ROOT/src/test/resources/metadefs/glance-zed namespace=OS::Compute::Libvirt tests="list show"


while [[ $# -gt 0 ]]; do
  opt=$1
  if [[ $opt == --*=* ]]; then set -- "${opt%%=*}" "${opt#*=}" "${@:2}"; opt=$1; fi
  case $opt in
    --duration) need_val "$@"; duration=$2; shift 2 ;;
    --connections) need_val "$@"; conns=$2; shift 2 ;;
    --threads) need_val "$@"; threads=$2; shift 2 ;;
    --catalogue) need_val "$@"; catalogue=$(cd "$2" && pwd); shift 2 ;;
    --namespace) need_val "$@"; namespace=$2; shift 2 ;;
    --tests) need_val "$@"; tests=$2; shift 2 ;;
    --out) need_val "$@"; out=$2; shift 2 ;;
    --warmup) need_val "$@"; warmup=$2; shift 2 ;;
    --quiet-wait) need_val "$@"; quiet_wait=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option $opt (see --help)" ;;
  esac
done
for n in "$duration" "$threads" "$warmup" "$quiet_wait" $conns; do
  [[ $n =~ ^[0-9]+$ ]] || die "not a number: '$n'"
done
[[ $duration -ge 1 && $threads -ge 1 ]] || die "need --duration >= 1, --threads >= 1"
for t in $tests; do [[ $t =~ ^(list|show)$ ]] || die "unknown test '$t' (list, show)"; done
command -v wrk >/dev/null 2>&1 || die "wrk (HTTP load generator) not found: sudo apt-get install -y wrk"
command -v python3 >/dev/null 2>&1 || die "python3 not found (needed for the helper $HELPER)"
command -v java >/dev/null 2>&1 || die "java not found (Glint needs a JDK/JRE 17+)"
export BENCH_CLK_TCK=$(getconf CLK_TCK)

build_jar
start_run metadefs
report=$out/metadefs-$stamp.md

python3 "$HELPER" copy-jar "$jar" "$tmp/glint.jar"
port=$(python3 "$HELPER" free-port)
base=http://127.0.0.1:$port
jvm_opts=$("$ROOT/scripts/jvm-options")
echo "Starting Glint on port $port (data dir $tmp/data)..." >&2
t0=$(date +%s%N)
# shellcheck disable=SC2086  # a list of JVM options
(cd "$tmp" && exec java $jvm_opts -jar "$tmp/glint.jar" --bind_port="$port" --data_dir="$tmp/data") \
  >"$tmp/glint.log" 2>&1 &
glint_pid=$!
if ! startup=$(python3 "$HELPER" wait-ready "$base/versions" "$glint_pid" "$t0" 180); then
  echo "--- last lines of Glint's log:" >&2; tail -n 30 "$tmp/glint.log" >&2
  die "Glint did not start"
fi
postmaster=$(head -n 1 "$tmp/data/pg/postmaster.pid" 2>/dev/null || true)
[[ $postmaster =~ ^[0-9]+$ ]] || die "cannot find the embedded PostgreSQL's postmaster.pid under $tmp/data/pg"
pg_uri="postgresql://postgres@127.0.0.1:$(sed -n 4p "$tmp/data/pg/postmaster.pid")/postgres"

# ---------------------------------------------------------------------------------------------- data
echo "Loading $catalogue with the operator command..." >&2
l0=$(date +%s%N)
# shellcheck disable=SC2086
java $jvm_opts -jar "$tmp/glint.jar" manage db load_metadefs --path "$catalogue" \
  --database.connection="$pg_uri" --data_dir="$tmp/manage" >"$tmp/load.log" 2>&1 \
  || { cat "$tmp/load.log" >&2; die "load_metadefs failed"; }
load_time=$(awk -v a="$l0" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f s", (b - a) / 1e9 }')
loaded=$(grep -o 'Loaded [0-9]* namespace' "$tmp/load.log" | awk '{print $2}')
# Every request must succeed: check the two endpoints once before measuring.
python3 - "$base" "$namespace" <<'PY'
import json, sys, urllib.request, urllib.parse
base, ns = sys.argv[1], sys.argv[2]
h = {"X-Identity-Status": "Confirmed", "X-Project-Id": "bench", "X-User-Id": "bench", "X-Roles": "member"}
for path in ("/v2/metadefs/namespaces", "/v2/metadefs/namespaces/" + urllib.parse.quote(ns, safe=":")):
    with urllib.request.urlopen(urllib.request.Request(base + path, headers=h)) as r:
        body = json.load(r)
        print("# %s: %d, %d bytes" % (path, r.status, len(json.dumps(body))), file=sys.stderr)
PY
: >"$tmp/ids.txt"

# ---------------------------------------------------------------------------------------------- runs
results=$out/metadefs-$stamp.jsonl
: >"$results"
export BENCH_METADEF_NAMESPACE=$namespace
for t in $tests; do
  for c in $conns; do
    python3 "$HELPER" run --url "$base" --test "metadef_$t" -c "$c" --threads "$threads" --duration "$duration" \
      --warmup "$warmup" --timeout "$timeout" --quiet-wait "$quiet_wait" --quiet-below 50 \
      --ids "$tmp/ids.txt" --glint-pid "$glint_pid" --pg "tree:$postmaster" --run-dir "$tmp" --results "$results"
  done
done
kill -0 "$glint_pid" 2>/dev/null || die "Glint died during the runs"
read -r hwm rss < <(python3 "$HELPER" mem "$glint_pid")
log_issues=$(grep -cE ' (WARN|ERROR) ' "$tmp/glint.log" || true)

# ---------------------------------------------------------------------------------------------- report
run_facts >"$tmp/info.txt"
python3 - "$results" "$tmp/info.txt" "$catalogue" "$loaded" "$load_time" "$namespace" "$startup" "$hwm" "$rss" \
  "$duration" "$warmup" "$threads" >"$report" <<'PY'
import json, sys
results, info_path, catalogue, loaded, load_time, ns, startup, hwm, rss, duration, warmup, threads = sys.argv[1:]
info = dict(l.rstrip("\n").split("=", 1) for l in open(info_path) if "=" in l)
rows = [json.loads(l) for l in open(results) if l.strip()]
names = {"metadef_list": "GET /v2/metadefs/namespaces", "metadef_show": "GET /v2/metadefs/namespaces/" + ns}
f = lambda v, n: "n/a" if v is None else ("%." + str(n) + "f") % v
print("# Glint metadata definitions benchmark, %s\n" % info.get("date", "?"))
print("- Command: `%s`" % info.get("command", "?"))
print("- Machine: %s cores (nproc), %s, %s" % (info.get("nproc"), info.get("cpu"), info.get("kernel")))
print("- JDK: %s; JVM options: %s" % (info.get("jdk"), info.get("jvm_opts") or "(none)"))
print("- Glint: commit %s%s, jar built %s" % (info.get("commit"), info.get("dirty", ""), info.get("jar_time")))
print("- Database: embedded PostgreSQL started by Glint (fresh data dir)")
print("- Data: %s namespace files of `%s` loaded with `glint manage db load_metadefs` in %s" % (loaded, catalogue, load_time))
print("- Start-up: %s s to the first 200 on `GET /versions`" % startup)
print("- Load: wrk, %s threads (at most one per connection), %s s per run after a %s s warm-up, keep-alive; "
      "identity headers of a project member (`X-Roles: member`)\n" % (threads, duration, warmup))
print("| endpoint | connections | req/s | p50 ms | p99 ms | Glint core-ms/req | PostgreSQL core-ms/req | errors |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for r in rows:
    print("| %s | %d | %s | %s | %s | %s | %s | %d |" % (names[r["test"]], r["c"], f(r["rate"], 0), f(r["p50_ms"], 2),
          f(r["p99_ms"], 2), f(r["glint_ms_per_unit"], 3), f(r["pg_ms_per_unit"], 3), int(r["non_2xx"] + r["sock_err"])))
print("\nGlint memory after the runs: VmHWM %s MiB, VmRSS %s MiB." % (hwm, rss))
PY
if [[ $log_issues -gt 0 ]]; then
  printf '\nGlint logged %s WARN/ERROR lines (see metadefs-%s-glint.log).\n' "$log_issues" "$stamp" >>"$report"
fi
cat "$report"
echo >&2
echo "Report: $report (raw results: $results)" >&2
