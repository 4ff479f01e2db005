#!/usr/bin/env bash
# The web console's upload (XMLHttpRequest from headless Chromium, the console's own upload page) against curl -T,
# to the same Glint in the same run, alternating round by round (src/test/java/io/glint/console/
# ConsoleUploadBench.java). Prints MB/s of each round and the ratio of the medians.
#
# Usage: scripts/bench-console-upload.sh [--size-mib N] [--rounds N]
# Needs java (17+), mvn, curl, chromium and chromium-driver (Debian's packages).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
size_mib=1024 rounds=3
while [[ $# -gt 0 ]]; do
  case $1 in
    --size-mib) size_mib=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
  esac
done
cd "$ROOT"
report=target/surefire-reports/io.glint.console.ConsoleUploadBench-output.txt
rm -f "$report"
if ! mvn -B -q test -Dtest=ConsoleUploadBench -Dsurefire.failIfNoSpecifiedTests=false \
    -Dglint.bench.size-mib="$size_mib" -Dglint.bench.rounds="$rounds" >&2; then
  echo "the benchmark failed: see target/surefire-reports" >&2
  exit 1
fi
grep -E '^(round [0-9]+:|[0-9]+ MiB upload)' "$report"
