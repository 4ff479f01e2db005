# Shared by the benchmark scripts (sourced): building Glint, and stopping it with its embedded PostgreSQL.
# Uses the caller's ROOT, die(), tmp, glint_pid and postmaster.

# The command line of every script: its help (the header comment above `set -euo`), its errors (named after the
# script, exit 2), and the check that an option got a value.
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
die() { echo "$(basename "$0" .sh): $*" >&2; exit 2; }
need_val() { [[ $# -ge 2 && -n $2 ]] || die "option $1 needs a value"; }

# Sets $jar: $BENCH_JAR when set (a jar built elsewhere, e.g. of another commit by bench-compare.sh), else
# target/glint.jar, built when it is missing or older than pom.xml/src/main.
build_jar() {
  if [[ -n ${BENCH_JAR:-} ]]; then
    [[ -f $BENCH_JAR ]] || die "BENCH_JAR=$BENCH_JAR does not exist"
    jar=$BENCH_JAR
    return
  fi
  jar=$ROOT/target/glint.jar
  if [[ ! -f $jar ]] || [[ -n $(find "$ROOT/pom.xml" "$ROOT/src/main" -newer "$jar" -print -quit) ]]; then
    command -v mvn >/dev/null 2>&1 || die "target/glint.jar is missing or stale and mvn is not installed"
    echo "Building Glint (mvn -B -q -DskipTests package)..." >&2
    (cd "$ROOT" && mvn -B -q -DskipTests package) || die "build failed"
  fi
}

# Stops Glint (SIGTERM, then SIGKILL after 30 s) and, should it not have done so, its embedded PostgreSQL.
stop_glint() {
  if [[ -n $glint_pid ]] && kill -0 "$glint_pid" 2>/dev/null; then
    echo "Stopping Glint (pid $glint_pid)..." >&2
    kill -TERM "$glint_pid" 2>/dev/null || true
    for _ in $(seq 300); do kill -0 "$glint_pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$glint_pid" 2>/dev/null; then
      echo "Glint did not stop within 30 s: killing it" >&2
      kill -KILL "$glint_pid" 2>/dev/null || true
    fi
    wait "$glint_pid" 2>/dev/null || true
  fi
  glint_pid=""
  # the embedded PostgreSQL of our temporary data dir, should Glint not have stopped it
  [[ -n $postmaster ]] || postmaster=$(head -n 1 "$tmp/data/pg/postmaster.pid" 2>/dev/null || true)
  if [[ $postmaster =~ ^[0-9]+$ ]] && kill -0 "$postmaster" 2>/dev/null \
      && [[ $(sed -n 2p "$tmp/data/pg/postmaster.pid" 2>/dev/null) == "$tmp/data/pg" ]]; then
    kill -INT "$postmaster" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$postmaster" 2>/dev/null || break; sleep 0.1; done
  fi
  postmaster=""
}

# Sets up a run named $1 (the report's prefix): $out made absolute, $stamp, a temporary directory $tmp, and traps
# so that on exit (also on failure or Ctrl-C) run_finished stops Glint and its PostgreSQL, keeps the run's files
# (the script's keep_run_files if it defines one, else Glint's log as $out/$1-$stamp-glint.log), removes $tmp and
# says where the log is when the run failed.
start_run() {
  run_name=$1
  mkdir -p "$out"
  out=$(cd "$out" && pwd)
  stamp=$(date +%Y-%m-%d-%H%M%S)
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/glint-$run_name-bench.XXXXXX")
  glint_pid="" postmaster=""
  trap run_finished EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

run_finished() {
  local rc=$?
  trap - EXIT INT TERM
  stop_glint
  if declare -F keep_run_files >/dev/null; then
    keep_run_files
  elif [[ -f $tmp/glint.log ]]; then
    cp "$tmp/glint.log" "$out/$run_name-$stamp-glint.log" 2>/dev/null || true
  fi
  rm -rf "$tmp"
  if [[ $rc -ne 0 ]]; then
    echo "bench-$run_name: failed or interrupted (exit $rc); Glint's log: $out/$run_name-$stamp-glint.log" >&2
  fi
  exit "$rc"
}

# Prints the facts every report starts with, as key=value lines: when, the exact command, the machine, the JDK
# and JVM options, and which Glint (commit, uncommitted changes to pom.xml/src/main, jar build time). Uses the
# caller's COMMAND, jvm_opts, jar and ROOT.
run_facts() {
  local commit dirty=""
  commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
  if [[ -n ${BENCH_JAR_COMMIT:-} ]]; then
    commit=$BENCH_JAR_COMMIT
  elif [[ $commit != unknown ]] && ! git -C "$ROOT" diff --quiet HEAD -- pom.xml src/main 2>/dev/null; then
    dirty=" + uncommitted changes"
  fi
  echo "date=$(date '+%Y-%m-%d %H:%M:%S %Z')"
  echo "command=$COMMAND"
  echo "nproc=$(nproc)"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
  echo "kernel=Linux $(uname -r)"
  echo "jdk=$(java -version 2>&1 | sed -n '1p;3p' | paste -sd ';' | sed 's/;/; /')"
  echo "jvm_opts=$jvm_opts"
  echo "commit=$commit"
  echo "dirty=$dirty"
  echo "jar_time=$(date -r "$jar" '+%Y-%m-%d %H:%M:%S')"
}
