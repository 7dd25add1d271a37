#!/usr/bin/env bash
# Secrets engine benchmark: recall on planted fake secrets of every rule (six placements) and
# throughput, side by side with ripgrep running the same pattern set and with ripsecrets.
#
#   benches/secrets.sh [CORPUS_SOURCE...]     (default: ~/.cargo/registry/src /usr/lib/node_modules)
#
# Needs: python3; rg (apt-get install ripgrep / cargo install ripgrep) and ripsecrets
# (cargo install ripsecrets) are used when found on PATH or in $TOOLS/bin.
# Every fake secret is assembled at run time (examples/plant_secrets.rs); none is in the repo.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${WORK:-/tmp/lr-bench}
TOOLS=${TOOLS:-/tmp/lr-tools}
RUNS=${RUNS:-5}
COMPARE=${COMPARE:-1}   # 0: launchready only
export PATH="$TOOLS/bin:$PATH"
SOURCES=("$@")
[ ${#SOURCES[@]} -eq 0 ] && SOURCES=("$HOME/.cargo/registry/src" /usr/lib/node_modules)

cargo build --release --quiet --bin launchready --example plant_secrets
cargo build --release --quiet -p launchready-secrets --example phases
LR=$PWD/target/release/launchready
PLANT=$PWD/target/release/examples/plant_secrets
PHASES=$PWD/target/release/examples/phases

rm -rf "$WORK" && mkdir -p "$WORK/clean"
for s in "${SOURCES[@]}"; do [ -d "$s" ] && cp -r "$s" "$WORK/clean/$(basename "$s")"; done
cp -r "$WORK/clean" "$WORK/planted"
"$PLANT" plant "$WORK/planted" "$WORK/manifest.tsv"
"$PLANT" patterns "$WORK/patterns.txt"
BYTES=$(du -sb "$WORK/planted" | cut -f1)
echo "corpus: $(du -sh "$WORK/planted" | cut -f1), $(find "$WORK/planted" -type f | wc -l) files, $(($(wc -l < "$WORK/manifest.tsv") - 1)) planted secrets, $(wc -l < "$WORK/patterns.txt") rules"

# Median wall time of $RUNS warm runs (one untimed warm-up run first).
median() {
  local out=$1; shift
  "$@" > "$out" 2>/dev/null || true
  for _ in $(seq "$RUNS"); do
    local t0 t1
    t0=$(date +%s.%N); "$@" > "$out" 2>/dev/null || true; t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc
  done | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

declare -A TIME
TIME[launchready]=$(median "$WORK/lr.json" "$LR" secrets "$WORK/planted" --format json -q)
"$LR" secrets "$WORK/clean" --format json -q > "$WORK/lr-clean.json" 2>/dev/null || true
if [ "$COMPARE" = 1 ] && command -v rg >/dev/null; then
  TIME[ripgrep]=$(median "$WORK/rg.txt" rg -uu -n --no-heading --no-messages -f "$WORK/patterns.txt" "$WORK/planted")
  rg -uu -n --no-heading --no-messages -f "$WORK/patterns.txt" "$WORK/clean" > "$WORK/rg-clean.txt" || true
fi
if [ "$COMPARE" = 1 ] && command -v ripsecrets >/dev/null; then
  TIME[ripsecrets]=$(median "$WORK/rs.txt" ripsecrets "$WORK/planted")
  ripsecrets "$WORK/clean" > "$WORK/rs-clean.txt" 2>/dev/null || true
fi

python3 - "$WORK" "$BYTES" "${TIME[launchready]}" "${TIME[ripgrep]:-}" "${TIME[ripsecrets]:-}" <<'PY'
import json, os, re, sys, collections
work, total = sys.argv[1], int(sys.argv[2])
times = dict(zip(["launchready", "ripgrep", "ripsecrets"], sys.argv[3:6]))
planted = [l.rstrip("\n").split("\t") for l in open(f"{work}/manifest.tsv")][1:]

def hits_from_lines(path, root):
    out = set()
    if not os.path.exists(path): return None
    for line in open(path, errors="replace"):
        m = re.match(r"^(.*?):(\d+):", line)
        if m:
            p = m.group(1)
            if p.startswith(root): p = p[len(root):].lstrip("/")
            out.add((p, int(m.group(2))))
    return out

def lr_hits(path):
    r = json.load(open(path))
    out = set()
    for f in r["findings"]:
        p, _, l = f["subject"].rpartition(":")
        out.add((p, int(l), f["evidence"].split(" ")[0]))
    return out, r

lr, lr_report = lr_hits(f"{work}/lr.json")
lr_pos = {(p, l) for p, l, _ in lr}
tools = {"launchready": lr_pos,
         "ripgrep": hits_from_lines(f"{work}/rg.txt", f"{work}/planted"),
         "ripsecrets": hits_from_lines(f"{work}/rs.txt", f"{work}/planted")}
def found(hits, p, a, b): return any((p, l) in hits for l in range(a, b + 1))

print()
print("| tool | wall time (median of runs) | throughput | recall (planted) | by placement | reports on the unplanted corpus |")
print("|---|---|---|---|---|---|")
clean_counts = {
    "launchready": sum(1 for f in json.load(open(f"{work}/lr-clean.json"))["findings"] if f["severity"] != "info"),
    "ripgrep": sum(1 for _ in open(f"{work}/rg-clean.txt", errors="replace")) if os.path.exists(f"{work}/rg-clean.txt") else None,
    "ripsecrets": sum(1 for _ in open(f"{work}/rs-clean.txt", errors="replace")) if os.path.exists(f"{work}/rs-clean.txt") else None,
}
missed_lr = []
for tool, hits in tools.items():
    if hits is None or not times.get(tool):
        print(f"| {tool} | not installed | | | | |"); continue
    by = collections.defaultdict(lambda: [0, 0])
    ok = 0
    for rule, placement, p, a, b in planted:
        hit = found(hits, p, int(a), int(b))
        if tool == "launchready":
            hit = any((p, l, rule) in lr for l in range(int(a), int(b) + 1))
            if not hit: missed_lr.append((rule, placement, p))
        ok += hit; by[placement][0] += hit; by[placement][1] += 1
    t = float(times[tool])
    places = ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in by.items())
    print(f"| {tool} | {t:.2f} s | {total / t / 1e6:.0f} MB/s | {ok}/{len(planted)} ({100 * ok / len(planted):.0f} %) | {places} | {clean_counts[tool]} |")
print()
print(f"launchready stage note: {lr_report['stages'][0]['note']}")
if missed_lr:
    print("launchready missed (rule must match exactly):", missed_lr[:20])
PY

# The ratio to ripgrep in this same run, launchready's peak memory, and throughput per phase.
if [ -n "${TIME[ripgrep]:-}" ]; then
  echo "launchready / ripgrep time: $(echo "scale=2; ${TIME[launchready]} / ${TIME[ripgrep]}" | bc)x"
fi
if [ -x /usr/bin/time ]; then
  /usr/bin/time -f "launchready peak RSS: %M KiB" "$LR" secrets "$WORK/planted" --format json -q 2>&1 >/dev/null | tail -1
fi
"$PHASES" "$WORK/planted"
