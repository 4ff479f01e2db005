#!/usr/bin/env bash
# Uploads of warmed-up Glints, side by side: two Glints (A and B: two jars, two settings or two JDKs) run at once on
# their own ports and data directories, each is warmed up with rounds of concurrent uploads first (the upload path
# takes several GB of uploads to be compiled by C2: the first rounds cost up to 40 % more CPU per GB), then measured
# in alternating rounds (A, B, B, A, ...), only one of them busy at a time. Each round is N concurrent uploads of
# the same random file with curl (-T, no "Expect: 100-continue"), each image checked afterwards (active, size, md5
# checksum, sha512 os_hash_value). Reports MB/s and Glint's CPU per GB (its own process) per round, the medians, and
# the geometric mean of the per-round ratios B / A.
#
# Usage: scripts/bench-upload-steady.sh [options]
#   --a-jar JAR / --b-jar JAR      the Glints (default: this tree's build for both)
#   --a-args "ARGS" / --b-args "ARGS"   Glint options of each side, e.g. --b-args "--multibuffer_digests=auto"
#   --a-java DIR / --b-java DIR    JAVA_HOME of each side (default: java on the PATH; JVM options from
#                                  conf/jvm.options as scripts/jvm-options picks them for that JDK)
#   --b-url URL --b-pid PID        side B is a server already running (e.g. Glance, with trusted identity
#                                  headers: X-Identity-Status, X-Project-Id, X-User-Id, X-Roles), not a Glint
#                                  started here; its CPU is that of PID's whole process tree (all its workers).
#                                  It is "warmed up" like a Glint (harmless for a server without a JIT).
#   --streams N        concurrent uploads per round (default 8)
#   --size SIZE        bytes per upload (default 256M)
#   --warmup N         unmeasured rounds per side first (default 3)
#   --rounds N         measured rounds per side (default 6)
#   --out DIR          report directory (default bench-results/): DIR/upload-steady-<date>.md
# Examples (README, "Multi-buffer digests" and "Uploads beside Glance 25.1"):
#   scripts/bench-upload-steady.sh --a-args "--multibuffer_digests=off" --b-args "--multibuffer_digests=auto"
#   scripts/bench-upload-steady.sh --b-url http://127.0.0.1:19292 --b-pid "$(pgrep -o glance-api)"
# Needs java (17+), mvn (build), curl, python3.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/scripts/bench/lib.sh"
META=$ROOT/scripts/bench/metabench.py
COMMAND=$(printf '%q ' "$0" "$@")
COMMAND=${COMMAND% }

a_jar= b_jar= a_args= b_args= a_java= b_java= b_url= b_pid= streams=8 size=256M warmup=3 rounds=6 out=$ROOT/bench-results
while [[ $# -gt 0 ]]; do
  case $1 in
    --a-jar) need_val "$@"; a_jar=$2; shift 2 ;;
    --b-jar) need_val "$@"; b_jar=$2; shift 2 ;;
    --a-args) a_args=$2; shift 2 ;;
    --b-args) b_args=$2; shift 2 ;;
    --a-java) need_val "$@"; a_java=$2; shift 2 ;;
    --b-java) need_val "$@"; b_java=$2; shift 2 ;;
    --b-url) need_val "$@"; b_url=$2; shift 2 ;;
    --b-pid) need_val "$@"; b_pid=$2; shift 2 ;;
    --streams) need_val "$@"; streams=$2; shift 2 ;;
    --size) need_val "$@"; size=$2; shift 2 ;;
    --warmup) need_val "$@"; warmup=$2; shift 2 ;;
    --rounds) need_val "$@"; rounds=$2; shift 2 ;;
    --out) need_val "$@"; out=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
[[ -n $b_url && ! $b_pid =~ ^[0-9]+$ ]] && die "--b-url needs --b-pid (the server's main process)"
for n in "$streams" "$warmup" "$rounds"; do [[ $n =~ ^[0-9]+$ ]] || die "not a number: $n"; done
[[ $streams -ge 1 && $rounds -ge 1 ]] || die "--streams and --rounds must be at least 1"
for t in java mvn curl python3; do command -v $t >/dev/null 2>&1 || die "$t not found"; done
export PYTHONDONTWRITEBYTECODE=1

if [[ -z $a_jar || -z $b_jar ]]; then
  build_jar
  a_jar=${a_jar:-$jar} b_jar=${b_jar:-$jar}
fi
for j in "$a_jar" "$b_jar"; do [[ -f $j ]] || die "no such jar: $j"; done
start_run upload-steady
report=$out/upload-steady-$stamp.md

bytes=$(python3 -c "import sys; s=sys.argv[1].upper(); m={'K':1<<10,'M':1<<20,'G':1<<30}; \
print(int(s[:-1])*m[s[-1]] if s[-1] in m else int(s))" "$size")
echo "Writing a $bytes-byte file of random bytes..." >&2
head -c "$bytes" /dev/urandom >"$tmp/upload.bin"
md5=$(md5sum "$tmp/upload.bin" | cut -d' ' -f1)
sha512=$(sha512sum "$tmp/upload.bin" | cut -d' ' -f1)

pids=()
keep_run_files() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do for _ in $(seq 300); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done; done
  for s in a b; do [[ -f $tmp/glint-$s.log ]] && { echo "===== glint-$s.log"; tail -200 "$tmp/glint-$s.log"; } \
    >>"$out/upload-steady-$stamp-logs.txt" 2>/dev/null || true; done
}
start_side() { # side jar java_home args
  local side=$1 sjar=$2 jhome=$3 args=$4 port java=java opts t0
  [[ -n $jhome ]] && java=$jhome/bin/java
  opts=$(JAVA_HOME=$jhome "$ROOT/scripts/jvm-options")
  port=$(python3 "$META" free-port)
  t0=$(date +%s%N)
  # shellcheck disable=SC2086
  (cd "$tmp" && exec "$java" $opts -jar "$sjar" --bind_port="$port" --data_dir="$tmp/data-$side" $args) \
    >"$tmp/glint-$side.log" 2>&1 &
  local pid=$!
  python3 "$META" wait-ready "http://127.0.0.1:$port/versions" "$pid" "$t0" 180 >/dev/null \
    || { tail -30 "$tmp/glint-$side.log" >&2; die "Glint $side did not start"; }
  echo "$port $pid"
}
read -r a_port a_pid < <(start_side a "$a_jar" "$a_java" "$a_args")
pids+=("$a_pid")
if [[ -n $b_url ]]; then
  b_port=$b_url
  kill -0 "$b_pid" 2>/dev/null || die "no process $b_pid (--b-pid)"
else
  read -r b_port b_pid < <(start_side b "$b_jar" "$b_java" "$b_args")
  pids+=("$b_pid")
fi
jar=$a_jar jvm_opts="(each side's: scripts/jvm-options for its JDK)"

round() { # side port pid label -> one JSON line
  python3 - "$@" "$streams" "$tmp/upload.bin" "$bytes" "$md5" "$sha512" <<'PY'
import json, os, subprocess, sys, time, urllib.request
side, port, pid, label, streams, path, size, md5, sha512 = sys.argv[1:10]
streams, size = int(streams), int(size)
base = port if port.startswith("http") else f"http://127.0.0.1:{port}"
H = {"X-Identity-Status": "Confirmed", "X-Project-Id": "bench", "X-User-Id": "bench", "X-Roles": "member"}
def api(method, p, body=None):
    req = urllib.request.Request(base + p, method=method, headers=dict(H, **({"Content-Type": "application/json"} if body else {})),
                                 data=json.dumps(body).encode() if body else None)
    with urllib.request.urlopen(req) as r:
        data = r.read()
        return json.loads(data) if data else None
def stat(p):
    with open(f"/proc/{p}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()
def ticks():
    # the process and its descendants (a pre-forking server's workers)
    parent = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                parent[int(d)] = int(stat(d)[1])
            except (OSError, IndexError, ValueError):
                pass
    def under(p):
        while p > 1:
            if p == int(pid):
                return True
            p = parent.get(p, 0)
        return False
    total = 0
    for p in parent:
        if under(p):
            try:
                s = stat(p)
                total += int(s[11]) + int(s[12])
            except (OSError, IndexError, ValueError):
                pass
    return total
ids = [api("POST", "/v2/images", {"disk_format": "raw", "container_format": "bare"})["id"] for _ in range(streams)]
hdr = sum((["-H", f"{k}: {v}"] for k, v in H.items()), [])
c0, t0 = ticks(), time.monotonic()
procs = [subprocess.Popen(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "PUT", "-H", "Expect:",
                           "-H", "Content-Type: application/octet-stream", *hdr, "-T", path,
                           f"{base}/v2/images/{i}/file"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
         for i in ids]
codes = [p.communicate()[0] for p in procs]
wall, cpu = time.monotonic() - t0, (ticks() - c0) / os.sysconf("SC_CLK_TCK")
bad = 0
for i, code in zip(ids, codes):
    img = api("GET", f"/v2/images/{i}")
    ok = code == "204" and img["status"] == "active" and img["size"] == size and img["checksum"] == md5 \
        and img["os_hash_value"] == sha512
    bad += not ok
    api("DELETE", f"/v2/images/{i}")
gb = streams * size / 1e9
print(json.dumps({"side": side, "label": label, "mbps": gb * 1000 / wall, "cost": cpu / gb, "bad": bad}))
PY
}
results=$tmp/rounds.jsonl
: >"$results"
for r in $(seq "$warmup"); do
  echo "warm-up round $r of $warmup..." >&2
  round a "$a_port" "$a_pid" warmup >/dev/null
  round b "$b_port" "$b_pid" warmup >/dev/null
done
for r in $(seq "$rounds"); do
  order="a b"; (( r % 2 == 0 )) && order="b a"
  for s in $order; do
    if [[ $s == a ]]; then line=$(round a "$a_port" "$a_pid" "$r"); else line=$(round b "$b_port" "$b_pid" "$r"); fi
    echo "$line" | tee -a "$results" >&2
  done
done

{
  echo "# Uploads, two warmed-up servers side by side, $(date -u '+%Y-%m-%d %H:%M:%S') UTC"
  echo
  echo '```'
  run_facts
  echo "A: jar=$a_jar java=${a_java:-$(command -v java)} args=$a_args"
  if [[ -n $b_url ]]; then echo "B: $b_url (pid $b_pid and its descendants)"; else
  echo "B: jar=$b_jar java=${b_java:-$(command -v java)} args=$b_args"; fi
  echo "streams=$streams size=$bytes warmup=$warmup rounds=$rounds"
  echo '```'
  echo
  python3 - "$results" <<'PY'
import json, math, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
by = {(r["side"], r["label"]): r for r in rows}
labels = sorted({r["label"] for r in rows}, key=int)
print("| round | A MB/s | B MB/s | A core-s/GB | B core-s/GB | B/A MB/s | B/A core-s/GB |")
print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
rm, rc = [], []
for l in labels:
    a, b = by[("a", l)], by[("b", l)]
    rm.append(b["mbps"] / a["mbps"]); rc.append(b["cost"] / a["cost"])
    print(f"| {l} | {a['mbps']:.0f} | {b['mbps']:.0f} | {a['cost']:.2f} | {b['cost']:.2f} | {rm[-1]:.3f} | {rc[-1]:.3f} |")
med = lambda s, k: statistics.median(r[k] for r in rows if r["side"] == s)
gm = lambda xs: math.exp(sum(map(math.log, xs)) / len(xs))
print(f"| median / geo-mean | {med('a','mbps'):.0f} | {med('b','mbps'):.0f} | {med('a','cost'):.2f} | "
      f"{med('b','cost'):.2f} | {gm(rm):.3f} | {gm(rc):.3f} |")
bad = sum(r["bad"] for r in rows)
print()
print(f"Uploads not active with the file's size, checksum and os_hash_value: {bad}")
PY
} | tee "$report"
echo "report: $report" >&2
