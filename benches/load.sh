#!/usr/bin/env bash
# The load probe next to wrk, as a user runs them (issue 15, goal 1): whole processes, start to
# exit, one client thread on one core (taskset -c 1; wrk -t1), the sandbox server on core 0,
# keep-alive, TLS, the same zero-delay target (`healthy`), concurrency 50. Runs alternate
# (ours, wrk) RUNS times (default 5); the ratio is of the medians of the same run. Then accuracy on the
# 90/10 mixture (`latency-mixture`: 90 % of answers 20 ms, 10 % 200 ms) at concurrency 10,
# next to wrk's percentiles on the same server.
#
#   bash benches/load.sh [REQUESTS]       # default 200000; needs wrk (apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-200000}
RUNS=${RUNS:-5}   # alternating runs of each tool; the ratio is of the medians
bin=${LAUNCHREADY_BIN:-}
[ -n "$bin" ] || { cargo build --release --quiet; bin=$PWD/target/release/launchready; }
out=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$out"' EXIT

serve() { # scenario → PORT, FLAGS
  rm -f "$out/serve.txt"   # else the wait below may read the previous server's banner
  taskset -c 0 "$bin" demo --serve --scenario "$1" > "$out/serve.txt" &
  server=$!
  for _ in $(seq 200); do grep -q "Press Ctrl-C" "$out/serve.txt" 2>/dev/null && break; sleep 0.05; done
  grep -q "Press Ctrl-C" "$out/serve.txt" || { echo "the sandbox did not start" >&2; exit 1; }
  PORT=$(awk '/HTTPS /{split($2,a,":"); print a[2]; exit}' "$out/serve.txt")
  FLAGS=$(awk '/launchready audit/{sub(/^ *launchready audit /,""); print; exit}' "$out/serve.txt")
}
stop() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; server=; }

cat > "$out/pct.lua" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("WRK %d %.3f %.3f %.3f\n", summary.requests,
    latency:percentile(50)/1000, latency:percentile(95)/1000, latency:percentile(99)/1000))
end
LUA

timed() { # label file cmd… → appends "label wall_s peak_kb" to file
  local label=$1 file=$2; shift 2
  local t0 t1
  t0=$(date +%s%N)
  /usr/bin/time -f "%M %U %S" -o "$out/rss" "$@" > "$out/stdout" 2> "$out/stderr" || true
  t1=$(date +%s%N)
  echo "$label $(( (t1 - t0) / 1000 )) $(cat "$out/rss")" >> "$file"
}
ours_requests() {
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); l=r["latency"][-1]; print(l["requests"], l["p50_ms"], l["p95_ms"], l["p99_ms"])' "$out/stdout"
}

echo "## Efficiency: healthy (zero delay), concurrency 50, whole processes, $RUNS alternating runs"
serve healthy
: > "$out/eff"
for i in $(seq "$RUNS"); do
  # shellcheck disable=SC2086
  timed ours "$out/eff" taskset -c 1 "$bin" audit $FLAGS --only latency --endpoint / \
    --concurrency 50 --requests "$n" --max-requests $((n * 2)) --format json
  echo "ours_n $(ours_requests)" >> "$out/eff"
  timed wrk "$out/eff" taskset -c 1 wrk -t1 -c50 -d5s -s "$out/pct.lua" "https://127.0.0.1:$PORT/"
  echo "wrk_n $(awk '/^WRK/{print $2}' "$out/stdout")" >> "$out/eff"
done
stop
python3 - "$out/eff" <<'PY'
import statistics, sys
lines = [l.split() for l in open(sys.argv[1])]
rates = {"ours": [], "wrk": []}; rss = {"ours": [], "wrk": []}; cpu = {"ours": [], "wrk": []}
pending = None
for l in lines:
    if l[0] in rates:
        pending = (l[0], int(l[1]) / 1e6, int(l[2]) / 1024, float(l[3]) + float(l[4]))
    else:
        label, secs, mb, cpu_s = pending
        n = int(l[1])
        rates[label].append(n / secs); rss[label].append(mb); cpu[label].append(cpu_s / n * 1e6)
print(f"{'tool':<14} {'req/s (each run)':<40} {'median':>8} {'peak MB':>8} {'client CPU µs/req':>18}")
for k, name in (("ours", "launchready"), ("wrk", "wrk -t1")):
    print(f"{name:<14} {' '.join(f'{r:,.0f}' for r in rates[k]):<40} {statistics.median(rates[k]):>8,.0f} {statistics.median(rss[k]):>8.1f} {statistics.median(cpu[k]):>18.1f}")
print(f"ratio (ours / wrk, medians): {statistics.median(rates['ours']) / statistics.median(rates['wrk']):.2f}x rate, "
      f"{statistics.median(cpu['ours']) / statistics.median(cpu['wrk']):.2f}x client CPU per request "
      "(user+sys of the whole process; when the one-core server is the ceiling both rates meet it, "
      "and CPU per request says which client would go faster)")
PY

echo
echo "## Accuracy: latency-mixture (true p50 20 ms, p95/p99 200 ms, + the server's handling), concurrency 10"
serve latency-mixture
printf '%-12s %8s %8s %8s %9s\n' tool p50_ms p95_ms p99_ms requests
# shellcheck disable=SC2086
taskset -c 1 "$bin" audit $FLAGS --only latency --endpoint / --concurrency 10 --requests 1500 \
  --max-requests 100000 --format json > "$out/stdout"
read -r rq a b c <<<"$(ours_requests)"; printf '%-12s %8.2f %8.2f %8.2f %9s\n' launchready "$a" "$b" "$c" "$rq"
taskset -c 1 wrk -t1 -c10 -d8s -s "$out/pct.lua" "https://127.0.0.1:$PORT/" > "$out/stdout"
read -r _ rq a b c <<<"$(grep '^WRK' "$out/stdout")"; printf '%-12s %8.2f %8.2f %8.2f %9s\n' wrk "$a" "$b" "$c" "$rq"
stop
