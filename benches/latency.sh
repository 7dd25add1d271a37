#!/usr/bin/env bash
# Latency probe benchmark (issue 6), side by side in one run with oha and wrk against the same
# local target. The server (the sandbox, `launchready demo --serve`) is pinned to core 0 and
# every client to core 1 with one thread (`oha --worker-threads 1`, `wrk -t1`), keep-alive on.
#
#   bash benches/latency.sh            # needs: wrk (apt-get install wrk), oha (cargo install oha)
#
# (1) Accuracy: against `latency-mixture` (90 % of answers take 20 ms, 10 % take 200 ms, a seeded
#     draw), whose true p50/p95/p99 are 20/200/200 ms, at concurrency 10 and 100.
# (2) Efficiency: zero-delay target (`healthy`), concurrency 50: requests/s, client CPU per
#     request, client peak memory.
# (3) Coordinated omission: `latency-stall` (answers wait out 200 ms of every second) at a fixed
#     rate: our --rate mode against `oha -q RATE --latency-correction`, and wrk's closed loop.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=$PWD/target/release/launchready
out=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$out"' EXIT

serve() { # scenario → sets PORT, FLAGS
  taskset -c 0 "$bin" demo --serve --scenario "$1" > "$out/serve.txt" &
  for _ in $(seq 100); do grep -q "Press Ctrl-C" "$out/serve.txt" 2>/dev/null && break; sleep 0.05; done
  PORT=$(awk '/HTTPS /{split($2,a,":"); print a[2]; exit}' "$out/serve.txt")
  FLAGS=$(awk '/launchready audit/{sub(/^ *launchready audit /,""); print; exit}' "$out/serve.txt")
}
stop() { kill %1 2>/dev/null || true; wait 2>/dev/null || true; }

ours() { # extra args → prints "p50 p95 p99 requests seconds"
  # shellcheck disable=SC2086
  taskset -c 1 "$bin" audit $FLAGS --only latency --endpoint / --max-requests 1000000 --format json "$@" > "$out/ours.json"
  python3 - "$out/ours.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
l = r["latency"][-1]
d = [s["duration_ms"] for s in r["stages"] if s["stage"] == "latency"][0] / 1000
print(f'{l["p50_ms"]:.2f} {l["p95_ms"]:.2f} {l["p99_ms"]:.2f} {l["requests"]} {d:.2f}')
PY
}

cat > "$out/pct.lua" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("WRK %.2f %.2f %.2f %d %.2f\n", latency:percentile(50)/1000, latency:percentile(95)/1000,
    latency:percentile(99)/1000, summary.requests, summary.duration/1e6))
end
LUA
wrk_run() { # conns duration → "p50 p95 p99 requests seconds"
  taskset -c 1 wrk -t1 -c"$1" -d"$2" -s "$out/pct.lua" "https://127.0.0.1:$PORT/" | awk '/^WRK/{print $2, $3, $4, $5, $6}'
}
oha_run() { # args… → "p50 p95 p99 requests seconds"
  taskset -c 1 oha --no-tui --worker-threads 1 --insecure --output-format json "$@" "https://127.0.0.1:$PORT/" > "$out/oha.json" 2>/dev/null \
    || taskset -c 1 oha --no-tui --insecure -j "$@" "https://127.0.0.1:$PORT/" > "$out/oha.json"
  python3 - "$out/oha.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
p = r["latencyPercentiles"]; s = r["summary"]
n = sum(r.get("statusCodeDistribution", {}).values())
print(f'{p["p50"]*1000:.2f} {p["p95"]*1000:.2f} {p["p99"]*1000:.2f} {n} {s["total"]:.2f}')
PY
}
have_oha=$(command -v oha >/dev/null && echo 1 || echo 0)

echo "## (1) Accuracy — latency-mixture, true p50/p95/p99 = 20 / 200 / 200 ms (+ the server's own handling)"
serve latency-mixture
printf '%-12s %-5s %8s %8s %8s %9s\n' tool conc p50_ms p95_ms p99_ms requests
for c in 10 100; do
  n=$((c * 150))
  read -r a b d e f <<<"$(ours --concurrency "$c" --requests "$n")"; printf '%-12s %-5s %8s %8s %8s %9s\n' launchready "$c" "$a" "$b" "$d" "$e"
  [ "$have_oha" = 1 ] && { read -r a b d e f <<<"$(oha_run -c "$c" -n "$n")"; printf '%-12s %-5s %8s %8s %8s %9s\n' oha "$c" "$a" "$b" "$d" "$e"; }
  read -r a b d e f <<<"$(wrk_run "$c" 8s)"; printf '%-12s %-5s %8s %8s %8s %9s\n' wrk "$c" "$a" "$b" "$d" "$e"
done
stop

echo
echo "## (2) Efficiency — healthy (zero delay), concurrency 50"
serve healthy
printf '%-12s %10s %12s %10s\n' tool req_per_s cpu_us_per_req peak_MB
measure() { # label cmd… ; the command prints "… requests seconds" last two fields
  /usr/bin/time -f "%U %S %M" -o "$out/time" "$@" > "$out/res" 2>/dev/null
  read -r u s m < "$out/time"
  read -r _ _ _ n secs < "$out/res"
  python3 -c "n=$n; s=$secs; print(f'{\"$label\":<12} {n/s:>10.0f} {($u+$s)*1e6/n:>12.1f} {$m/1024:>10.1f}')"
}
label=launchready measure bash -c "$(declare -f ours); out=$out bin=$bin FLAGS='$FLAGS' ours --concurrency 50 --requests 200000"
[ "$have_oha" = 1 ] && label=oha measure bash -c "$(declare -f oha_run); out=$out PORT=$PORT oha_run -c 50 -z 5s"
label=wrk measure bash -c "$(declare -f wrk_run); out=$out PORT=$PORT wrk_run 50 5s"
stop

echo
echo "## (3) Coordinated omission — latency-stall (200 ms stall every second), 200 req/s for 10 s"
serve latency-stall
printf '%-28s %8s %8s %8s\n' tool p50_ms p95_ms p99_ms
read -r a b d _ _ <<<"$(ours --rate 200 --requests 2000 --concurrency 50)"; printf '%-28s %8s %8s %8s\n' "launchready --rate 200" "$a" "$b" "$d"
[ "$have_oha" = 1 ] && { read -r a b d _ _ <<<"$(oha_run -c 50 -q 200 -n 2000 --latency-correction)"; printf '%-28s %8s %8s %8s\n' "oha -q 200 --latency-corr." "$a" "$b" "$d"; }
[ "$have_oha" = 1 ] && { read -r a b d _ _ <<<"$(oha_run -c 50 -q 200 -n 2000)"; printf '%-28s %8s %8s %8s\n' "oha -q 200 (no correction)" "$a" "$b" "$d"; }
read -r a b d _ _ <<<"$(wrk_run 50 10s)"; printf '%-28s %8s %8s %8s\n' "wrk (closed loop)" "$a" "$b" "$d"
echo "(true: 20 % of the requests due in each second fall in the stall and wait up to 200 ms)"
stop
