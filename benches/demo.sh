#!/usr/bin/env bash
# Benchmark of the foundation (issue 2): `launchready demo` end to end (sandbox start + audit +
# report), the DNS stage alone, and peak memory — release build, on this machine.
#
# Side by side, in the same run, with what a user would otherwise do by hand: `dig` for the same
# DNS questions against the same sandbox (one process per question, as a shell script does).
#
#   bash benches/demo.sh [RUNS]        (default 20 runs)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
cargo build --release --quiet
bin=target/release/launchready

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
now_ms() { date +%s%N | awk '{printf "%.1f", $1/1e6}'; }

echo "== launchready demo, end to end ($runs runs, release) =="
walls=(); dns=(); rss=()
for _ in $(seq "$runs"); do
  t0=$(now_ms)
  /usr/bin/time -f "%M" -o /tmp/lr-rss "$bin" demo --format json > /tmp/lr-demo.json
  t1=$(now_ms)
  walls+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')")
  dns+=("$(python3 -c 'import json;r=json.load(open("/tmp/lr-demo.json"));print([s["duration_ms"] for s in r["stages"] if s["stage"]=="dns"][0])')")
  rss+=("$(tail -1 /tmp/lr-rss)")
done
echo "demo wall time   median $(printf '%s\n' "${walls[@]}" | median) ms"
echo "dns stage        median $(printf '%s\n' "${dns[@]}" | median) ms"
echo "peak RSS         max    $(printf '%s\n' "${rss[@]}" | sort -n | tail -1) KiB"

if command -v dig >/dev/null 2>&1; then
  echo
  echo "== the same DNS questions with dig, one process each, against the same sandbox =="
  "$bin" demo --serve --scenario launch-day > /tmp/lr-serve.txt &
  pid=$!
  for _ in $(seq 50); do grep -q "Press Ctrl-C" /tmp/lr-serve.txt 2>/dev/null && break; sleep 0.1; done
  port=$(awk '/DNS /{split($2,a,":"); print a[2]; exit}' /tmp/lr-serve.txt)
  q=$(python3 -c 'import json;print(json.load(open("/tmp/lr-demo.json"))["dns_queries"])')
  t0=$(now_ms)
  for name in example.test www.example.test app.example.test status.example.test; do
    for t in A AAAA; do dig +short +tries=1 +time=1 -p "$port" @127.0.0.1 "$name" "$t" >/dev/null; done
  done
  for t in NS CAA MX TXT SOA; do dig +short -p "$port" @127.0.0.1 example.test "$t" >/dev/null; done
  for l in staging stage dev test preview uat qa; do dig +short -p "$port" @127.0.0.1 "$l.example.test" A >/dev/null; done
  for ip in 127.0.0.1; do dig +norec -p "$port" @"$ip" example.test SOA >/dev/null; done
  t1=$(now_ms)
  kill "$pid" 2>/dev/null || true
  echo "dig, 24 questions in sequence: $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}') ms (launchready asked $q questions, concurrently, and judged them)"
else
  echo "(install dnsutils for the dig comparison: apt-get install -y dnsutils)"
fi
