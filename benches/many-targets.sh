#!/usr/bin/env bash
# Issue 15 goal 4: one `launchready audit` over 100 domains against the sandbox (every stage
# but latency), on one shared resolver/DNS cache and HTTP client: wall time and peak RSS.
# Goal: < 3 s wall on 2 cores, ≤ 100 MB peak. Also: the same run split in two shards.
#
#   bash benches/many-targets.sh [RUNS] [JOBS]     (default 3 runs, --jobs 16)
#   BASELINE=/path/to/older/launchready bash benches/many-targets.sh 4
#       also times that binary against the same sandbox, alternating with this build's run by
#       run (the A/B a change's cost is judged by; this machine's noise is ±10 %)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
jobs=${2:-16}
cargo build --release --quiet
bin=target/release/launchready
tmp=$(mktemp -d)
trap 'kill "$serve" 2>/dev/null || true; rm -rf "$tmp"' EXIT

# The healthy site served as example.test plus 99 copies (example-1.test … example-99.test).
"$bin" demo --serve --scenario healthy --aliases 99 > "$tmp/serve.txt" &
serve=$!
for _ in $(seq 100); do grep -q "Press Ctrl-C" "$tmp/serve.txt" 2>/dev/null && break; sleep 0.1; done
# The `launchready audit …` line the sandbox prints, without the domain (the targets file has it).
read -r -a flags < <(awk '/^  launchready audit /{for (i=4; i<=NF; i++) printf "%s ", $i; print ""; exit}' "$tmp/serve.txt")
{ echo "# 100 domains"; echo example.test; for i in $(seq 99); do echo "example-$i.test"; done; } > "$tmp/targets.txt"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo "== audit of 100 domains, all stages but latency, --jobs $jobs ($runs runs, release) =="
walls=(); rss=(); base_walls=()
wall_ms() { awk -F': ' '/Elapsed \(wall clock\)/{n=split($2,t,":"); s=t[n]; if (n>1) s+=60*t[n-1]; printf "%.0f", s*1000}' "$1"; }
for _ in $(seq "$runs"); do
  /usr/bin/time -v -o "$tmp/time" "$bin" audit --targets "$tmp/targets.txt" "${flags[@]}" \
    --skip latency --jobs "$jobs" --format json -q > "$tmp/report.json" || true
  walls+=("$(wall_ms "$tmp/time")")
  rss+=("$(awk -F': ' '/Maximum resident set size/{print $2}' "$tmp/time")")
  if [ -n "${BASELINE:-}" ]; then
    /usr/bin/time -v -o "$tmp/time" "$BASELINE" audit --targets "$tmp/targets.txt" "${flags[@]}" \
      --skip latency --jobs "$jobs" --format json -q > "$tmp/baseline.json" || true
    base_walls+=("$(wall_ms "$tmp/time")")
  fi
done
python3 - "$tmp/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
s = r["summary"]
print(f"targets {s['targets']}: go {s['go']}, no-go {s['no_go']}, incomplete {s['incomplete']}; "
      f"exit {r['exit_code']}; DNS queries {r['dns_queries']} ({r['dns_queries']/max(1,s['targets']):.1f} per target)")
PY
echo "wall time  median $(printf '%s\n' "${walls[@]}" | median) ms   (runs: ${walls[*]})"
echo "peak RSS   max    $(printf '%s\n' "${rss[@]}" | sort -n | tail -1) KiB"
if [ -n "${BASELINE:-}" ]; then
  echo "baseline   median $(printf '%s\n' "${base_walls[@]}" | median) ms   (runs: ${base_walls[*]}; $BASELINE, alternating)"
fi

echo
echo "== the same list as two shards (what a 2-runner CI matrix does), one after the other =="
for shard in 1/2 2/2; do
  /usr/bin/time -v -o "$tmp/time" "$bin" audit --targets "$tmp/targets.txt" "${flags[@]}" \
    --skip latency --jobs "$jobs" --shard "$shard" --format json -q > "$tmp/shard.json" || true
  n=$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["summary"]["targets"])' "$tmp/shard.json")
  echo "shard $shard: $n targets, $(awk -F': ' '/Elapsed/{print $2}' "$tmp/time") wall, $(awk -F': ' '/Maximum resident/{print $2}' "$tmp/time") KiB"
done
