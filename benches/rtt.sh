#!/usr/bin/env bash
# Round trips at internet latency (issue 15, goal 5): the healthy sandbox behind a proxy that
# makes every DNS query and TCP connection RTT ms away (benches/rtt-proxy.py), the whole audit
# but latency and secrets, three runs; per stage: median milliseconds and round trips (ms / RTT).
#
#   bash benches/rtt.sh [RTT_MS]          # default 50
set -euo pipefail
cd "$(dirname "$0")/.."
rtt=${1:-50}
# LAUNCHREADY_BIN: a binary already built (else the release build).
bin=${LAUNCHREADY_BIN:-}
[ -n "$bin" ] || { cargo build --release --quiet; bin=$PWD/target/release/launchready; }
out=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$out"' EXIT

"$bin" demo --serve --scenario healthy > "$out/serve.txt" &
pids+=($!)
for _ in $(seq 200); do grep -q "Press Ctrl-C" "$out/serve.txt" 2>/dev/null && break; sleep 0.05; done
flags=$(awk '/launchready audit/{sub(/^ *launchready audit /,""); print; exit}' "$out/serve.txt")
dns=$(awk '/^ *DNS /{print $2; exit}' "$out/serve.txt")
http=$(awk '/^ *HTTP /{print $2; exit}' "$out/serve.txt")
https=$(awk '/^ *HTTPS /{print $2; exit}' "$out/serve.txt")

python3 benches/rtt-proxy.py --rtt-ms "$rtt" --udp "$dns" --tcp "$http" --tcp "$https" > "$out/proxy.txt" &
pids+=($!)
for _ in $(seq 200); do grep -q READY "$out/proxy.txt" 2>/dev/null && break; sleep 0.05; done
# Every upstream address in the flags becomes its proxy's.
while read -r _ _ up via; do flags=${flags//$up/$via}; done < <(grep '^MAP' "$out/proxy.txt")
echo "flags: $flags"

for i in 1 2 3; do
  # shellcheck disable=SC2086
  /usr/bin/time -f "%e %M" -o "$out/time.$i" "$bin" audit $flags --skip latency,secrets --format json > "$out/run.$i.json" || true
done
python3 - "$rtt" "$out" <<'PY'
import json, statistics, sys
rtt, out = float(sys.argv[1]), sys.argv[2]
runs = [json.load(open(f"{out}/run.{i}.json")) for i in (1, 2, 3)]
times = [open(f"{out}/time.{i}").read().split() for i in (1, 2, 3)]
stages = [s["stage"] for s in runs[0]["stages"] if s["status"] not in ("skipped",)]
print(f"RTT {rtt:.0f} ms, three runs, medians")
print(f"{'stage':<12} {'ms':>8} {'round trips':>12}")
for st in stages:
    ms = statistics.median(next(s["duration_ms"] for s in r["stages"] if s["stage"] == st) for r in runs)
    print(f"{st:<12} {ms:>8.0f} {ms / rtt:>12.1f}")
wall = statistics.median(float(t[0]) * 1000 for t in times)
audit = statistics.median(r["duration_ms"] for r in runs)
rss = statistics.median(int(t[1]) for t in times) / 1024
print(f"{'audit':<12} {audit:>8.0f} {audit / rtt:>12.1f}")
print(f"{'process':<12} {wall:>8.0f} {wall / rtt:>12.1f}   peak RSS {rss:.1f} MB")
print("verdicts:", [r["verdict"] for r in runs], "dns queries:", [r.get("dns_queries") for r in runs])
PY
