#!/usr/bin/env bash
# Benchmark of the web stages (issue 3): `redirects,tls,headers` against the sandbox's healthy
# scenario, release build, median of RUNS audits — side by side with testssl.sh on the same
# sandbox HTTPS port (protocols, certificate, HTTP headers: `-p -S -h`).
#
# With MATCH=1 it also runs both tools on the TLS fault scenarios and prints, per scenario,
# what testssl.sh flags and which launchready id fires, to see which of its certificate and
# protocol findings we match.
#
#   bash benches/tls.sh [RUNS]          (default 20 runs)
#   MATCH=1 bash benches/tls.sh 5
#
# testssl.sh: `apt-get update && apt-get install -y testssl.sh` (Debian package).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
cargo build --release --quiet
bin=target/release/launchready

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
now_ms() { date +%s%N | awk '{printf "%.1f", $1/1e6}'; }

serve() { # scenario -> sets pid, args, port, ca
  local out=/tmp/lr-tls-serve.txt
  "$bin" demo --serve --scenario "$1" > "$out" 2>&1 &
  pid=$!
  for _ in $(seq 100); do grep -q "Press Ctrl-C" "$out" 2>/dev/null && break; sleep 0.1; done
  args=$(grep "launchready audit" "$out" | sed 's/.*launchready audit //')
  port=$(awk '/HTTPS/{split($2,a,":"); print a[2]; exit}' "$out")
  ca=$(awk '/CA /{print $2; exit}' "$out")
}
stop() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }

echo "== launchready audit --only redirects,tls,headers, sandbox healthy ($runs runs, release) =="
serve healthy
walls=(); tls=(); web=()
for _ in $(seq "$runs"); do
  t0=$(now_ms)
  # shellcheck disable=SC2086
  "$bin" audit $args --only redirects,tls,headers --format json > /tmp/lr-tls.json || true
  t1=$(now_ms)
  walls+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')")
  read -r t w < <(python3 -c 'import json;r=json.load(open("/tmp/lr-tls.json"));d={s["stage"]:s["duration_ms"] for s in r["stages"]};print(d["tls"], max(d["redirects"],d["tls"],d["headers"]))')
  tls+=("$t"); web+=("$w")
done
echo "wall time (process, 3 stages) median $(printf '%s\n' "${walls[@]}" | median) ms"
echo "slowest of the 3 stages       median $(printf '%s\n' "${web[@]}" | median) ms"
echo "tls stage                     median $(printf '%s\n' "${tls[@]}" | median) ms"
python3 -c 'import json;r=json.load(open("/tmp/lr-tls.json"));print("findings:", sorted({f["id"] for f in r["findings"]}) or "none", "| certificates:", [(c["subject"], c["expires"], c["days_left"]) for c in r["inventory"]["certificates"]])'

if ! command -v testssl >/dev/null 2>&1; then
  stop
  echo "(install testssl.sh for the comparison: apt-get install -y testssl.sh)"
  exit 0
fi
testssl_run() { # json-file extra-flags...
  local json=$1; shift
  rm -f "$json"
  testssl --quiet --color 0 --warnings off --ip 127.0.0.1 --add-ca "$ca" "$@" \
    --jsonfile "$json" "example.test:$port" > /dev/null 2>&1 || true
}
echo
echo "== testssl.sh -p -S -h (protocols, certificate, headers) on the same sandbox port =="
t0=$(now_ms)
testssl_run /tmp/lr-testssl.json -p -S -h
t1=$(now_ms)
echo "testssl.sh wall time: $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.0f", b-a}') ms (one run)"
python3 -c 'import json;print("testssl.sh above INFO/OK:", [(x["id"],x["severity"]) for x in json.load(open("/tmp/lr-testssl.json")) if x["severity"] not in ("INFO","OK")])'
stop

if [ "${MATCH:-0}" = 1 ]; then
  echo
  echo "== certificate / protocol findings, scenario by scenario (testssl.sh -p -S -s -h) =="
  for sc in tls-expired tls-not-yet-valid tls-wrong-host tls-self-signed tls-incomplete-chain \
            tls-weak-key tls-expiring tls-legacy tls-weak-cipher tls-no-tls13 hsts-missing hsts-short; do
    serve "$sc"
    # shellcheck disable=SC2086
    "$bin" audit $args --only tls --format json > /tmp/lr-tls-$sc.json || true
    testssl_run "/tmp/lr-testssl-$sc.json" -p -S -s -h
    stop
    python3 - "$sc" <<'EOF'
import json, sys
sc = sys.argv[1]
ours = sorted({f["id"] for f in json.load(open(f"/tmp/lr-tls-{sc}.json"))["findings"]})
keep = ("cert_", "TLS1", "SSL", "HSTS", "cipherlist_", "chain")
try:
    theirs = [f'{x["id"]}={x["finding"][:60]}' for x in json.load(open(f"/tmp/lr-testssl-{sc}.json"))
              if x["severity"] not in ("INFO", "OK") and x["id"].startswith(keep)]
except Exception as e:  # testssl.sh gave up on the host
    theirs = [f"no JSON ({e})"]
print(f"{sc:22} launchready: {', '.join(ours) or '-'}\n{'':22} testssl.sh:  {'; '.join(theirs) or '-'}")
EOF
  done
fi
