#!/usr/bin/env bash
# Cold start (issue 15, goal 6): `--version` and `explain ID` as whole processes, with
# hyperfine when installed (apt-get install hyperfine), else a loop timed with date +%s%N;
# and the release binary's size.
#
#   bash benches/coldstart.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${LAUNCHREADY_BIN:-}
[ -n "$bin" ] || { cargo build --release --quiet; bin=$PWD/target/release/launchready; }
id=$("$bin" checks 2>/dev/null | awk 'NR>2 && $1 ~ /\./ {print $1; exit}')
id=${id:-dns.caa.missing}
echo "binary: $(du -b "$bin" | awk '{printf "%.1f MB", $1/1e6}') ($bin)"
if command -v hyperfine >/dev/null; then
  hyperfine -N --warmup 20 --runs 300 "$bin --version" "$bin explain $id" 2>/dev/null \
    | grep -E "Benchmark|Time|Range"
else
  for cmd in "--version" "explain $id"; do
    t0=$(date +%s%N)
    # shellcheck disable=SC2086
    for _ in $(seq 200); do "$bin" $cmd > /dev/null; done
    t1=$(date +%s%N)
    echo "$cmd: $(( (t1 - t0) / 200000 )) µs mean of 200"
  done
fi
/usr/bin/time -f "peak RSS %M KB (explain)" "$bin" explain "$id" > /dev/null
