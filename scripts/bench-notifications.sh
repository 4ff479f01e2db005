#!/usr/bin/env bash
# What notifications and metrics cost: the metadata benchmark (scripts/bench-metadata.sh) run against the same
# Glint jar with both off (metrics_enabled = false, no notification driver) and both on (Prometheus metrics, and
# driver messagingv2 to a private RabbitMQ this script starts), in alternating rounds
# (off, on, on, off, ...), so that both see the same machine at nearly the same time. Prints and writes a table of
# medians per measurement and the ratio on / off (≥ 1 means notifications cost nothing measurable; for CPU per
# unit, ≤ 1 is better). GET /v2/images/{id} sends no notification; create+delete pairs send two each.
#
# Usage: scripts/bench-notifications.sh [--rounds N] [--out DIR] [options of bench-metadata.sh]
#   --rounds N    rounds (default 2); each round runs both settings once, the order alternating
#   --out DIR     where the reports go (default bench-results/): DIR/compare-notifications-<date>.md, with each
#                 run's own report and raw results under DIR/compare-notifications-<date>/
#               (a 25-s warm-up per run unless --warmup is given: each side is a new JVM whose JIT must settle)
# Example:
#   scripts/bench-notifications.sh --rounds 2 --tests "get create_delete" --duration 8 --connections "64"
# Needs Debian's rabbitmq-server (the broker runs as a separate node on random ports with its data in a temporary
# directory, stopped at the end) and what bench-metadata.sh needs.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/scripts/bench/lib.sh"
COMMAND=$(printf '%q ' "$0" "$@")
rounds=2 out=$ROOT/bench-results
# --rounds and --out anywhere on the line (an --out after bench-metadata.sh's options used to reach that script,
# which then wrote every side's report into one directory and left this script's comparison empty)
rest=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --rounds) need_val "$@"; rounds=$2; shift 2 ;;
    --out) need_val "$@"; out=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) rest+=("$1"); shift ;;
  esac
done
# A 25-s warm-up unless one is given: each run is a new JVM, and with bench-metadata.sh's 2 s its C2 compiler is
# still busy during the measured seconds (a quarter of the samples in a profile), more so on the side with the
# AMQP client and notifier to compile, which made the comparison measure the JIT rather than the features.
warmup_given=no
for a in ${rest[@]+"${rest[@]}"}; do [[ $a == --warmup ]] && warmup_given=yes; done
[[ $warmup_given == yes ]] || rest+=(--warmup 25)
set -- ${rest[@]+"${rest[@]}"}
[[ $rounds =~ ^[1-9][0-9]*$ ]] || die "--rounds must be a positive number"
server=/usr/lib/rabbitmq/bin/rabbitmq-server
[[ -x $server ]] || server=$(command -v rabbitmq-server) || die "rabbitmq-server is not installed (apt-get install rabbitmq-server)"

stamp=$(date +%Y-%m-%d-%H%M%S)
mkdir -p "$out"
out=$(cd "$out" && pwd)
dir=$out/compare-notifications-$stamp
mkdir -p "$dir"
work=$(mktemp -d "${TMPDIR:-/tmp}/glint-bench-rabbit.XXXXXX")
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
amqp_port=$(free_port) dist_port=$(free_port) epmd_port=$(free_port)
rabbit_pid=""
cleanup() {
  if [[ -n $rabbit_pid ]]; then
    kill -TERM "$rabbit_pid" 2>/dev/null || true
    for _ in $(seq 300); do kill -0 "$rabbit_pid" 2>/dev/null || break; sleep 0.1; done
  fi
  ERL_EPMD_PORT=$epmd_port epmd -kill >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/mnesia" "$work/log" "$work/home"
echo "[]." >"$work/enabled_plugins"
echo "log.console = false" >"$work/rabbitmq.conf"
echo "Starting a private RabbitMQ on 127.0.0.1:$amqp_port..." >&2
env HOME="$work/home" RABBITMQ_NODENAME="glint-bench-$$@localhost" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
  RABBITMQ_NODE_PORT="$amqp_port" RABBITMQ_DIST_PORT="$dist_port" ERL_EPMD_PORT="$epmd_port" \
  ERL_EPMD_ADDRESS=127.0.0.1 RABBITMQ_MNESIA_BASE="$work/mnesia" RABBITMQ_LOG_BASE="$work/log" \
  RABBITMQ_CONFIG_FILE="$work/rabbitmq.conf" RABBITMQ_ENABLED_PLUGINS_FILE="$work/enabled_plugins" \
  "$server" >"$work/console.log" 2>&1 &
rabbit_pid=$!
for _ in $(seq 900); do
  (echo >"/dev/tcp/127.0.0.1/$amqp_port") 2>/dev/null && break
  kill -0 "$rabbit_pid" 2>/dev/null || { tail -n 20 "$work/console.log" >&2; die "rabbitmq-server exited"; }
  sleep 0.1
done
(echo >"/dev/tcp/127.0.0.1/$amqp_port") 2>/dev/null || die "RabbitMQ did not start within 90 s"

build_jar
cp "$jar" "$work/glint.jar"
label=$(git -C "$ROOT" rev-parse --short HEAD)
run_side() { # side round [bench-metadata options]
  local side=$1 round=$2
  shift 2
  echo "=== round $round: metrics and notifications $side" >&2
  if [[ $side == on ]]; then
    GLINT_OSLO_MESSAGING_NOTIFICATIONS_DRIVER=messagingv2 \
      GLINT_OSLO_MESSAGING_NOTIFICATIONS_TRANSPORT_URL="rabbit://guest:guest@127.0.0.1:$amqp_port/" \
      BENCH_JAR=$work/glint.jar BENCH_JAR_COMMIT=$label "$ROOT/scripts/bench-metadata.sh" --out "$dir/head-$round" "$@"
  else
    GLINT_METRICS_ENABLED=false \
      BENCH_JAR=$work/glint.jar BENCH_JAR_COMMIT=$label "$ROOT/scripts/bench-metadata.sh" --out "$dir/base-$round" "$@"
  fi
}
for r in $(seq 1 "$rounds"); do
  if (( r % 2 )); then run_side off "$r" "$@"; run_side on "$r" "$@"
  else run_side on "$r" "$@"; run_side off "$r" "$@"; fi
done

report=$out/compare-notifications-$stamp.md
python3 "$ROOT/scripts/bench/compare.py" --kind metadata --dir "$dir" --base "metrics and notifications off" \
  --head "metrics and notifications on (messagingv2)" --command "${COMMAND% }" --rounds "$rounds" >"$report"
cat "$report"
echo "Report: $report" >&2
