#!/usr/bin/env bash
# Secrets engine benchmark (issue 15 goal 2): recall on planted fake secrets of every rule
# (seven placements, one a 24 MiB bundle streamed in windows), launchready's wall time with the
# full rule set against ripgrep's with the issue's anchor — the 9 literal-anchored rules of
# benches/history.sh as `rg -uu -f` — in alternating runs, peak RSS, and MB/s per phase.
#
#   benches/secrets.sh [CORPUS_SOURCE...]     (default: ~/.cargo/registry/src /usr/lib/node_modules)
#
# Needs: python3; rg (a current one: `cargo install ripgrep --root /tmp/lr-tools`; Debian's
# ripgrep 13 takes 20-30 s here on the minified files, its `\b` falls back to a slow engine on
# non-ASCII text). ripsecrets is timed too when found on PATH or in $TOOLS/bin. ripgrep with
# all 102 regexes is not run: it does not finish in minutes (1.5 GB of DFA, rg 13 and 15).
# Every fake secret is assembled at run time (examples/plant_secrets.rs); none is in the repo.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${WORK:-/tmp/lr-bench}
TOOLS=${TOOLS:-/tmp/lr-tools}
RUNS=${RUNS:-3}
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
ANCHOR_RULES=(aws-access-key-id stripe-secret-key github-pat gitlab-pat slack-bot-token
  openai-api-key anthropic-api-key sendgrid-api-key npm-access-token)
"$PLANT" patterns "$WORK/patterns9.txt" "${ANCHOR_RULES[@]}"
printf '%s\n' "${ANCHOR_RULES[@]}" > "$WORK/anchor-rules.txt"
"$PLANT" keywords "$WORK/keywords.txt"
BYTES=$(du -sb "$WORK/planted" | cut -f1)
RG_VERSION=$(command -v rg >/dev/null && rg --version | head -1 || echo "no rg")
echo "corpus: $(du -sh "$WORK/planted" | cut -f1), $(find "$WORK/planted" -type f | wc -l) files, $(($(wc -l < "$WORK/manifest.tsv") - 1)) planted secrets; anchor: $RG_VERSION, ${#ANCHOR_RULES[@]} rules"

ours() { "$LR" secrets "$WORK/planted" --format json -q > "$WORK/lr.json" 2>/dev/null || true; }
theirs() { rg -uu -n --no-heading --no-messages -f "$WORK/patterns9.txt" "$WORK/planted" > "$WORK/rg.txt" || true; }
wall() { local t0 t1; t0=$(date +%s.%N); "$@"; t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# The same literal search as launchready's prefilter (every rule's keywords, any case), no regex:
# a reference of equal work, not the issue's anchor.
keywords() { rg -uu -c -i -F --no-messages -f "$WORK/keywords.txt" "$WORK/planted" > /dev/null || true; }
# ripgrep reading the corpus and finding nothing (a literal that occurs nowhere): this machine's
# floor for walking and reading the tree, which the anchor sits on.
floor() { rg -uu -c -F --no-messages 'qz7Jw0nowhereXk4' "$WORK/planted" > /dev/null || true; }

# Warm-up, then $RUNS runs alternating launchready and ripgrep (same load for both).
ours; [ "$COMPARE" = 1 ] && command -v rg >/dev/null && theirs
: > "$WORK/runs"
for i in $(seq "$RUNS"); do
  a=$(wall ours); b=-; c=-; d=-
  [ "$COMPARE" = 1 ] && command -v rg >/dev/null && b=$(wall theirs) && c=$(wall keywords) && d=$(wall floor)
  echo "$i $a $b $c $d $(cut -d' ' -f1 /proc/loadavg)" >> "$WORK/runs"
  echo "run $i: launchready $a s, ripgrep 9 rules $b s, ripgrep -i -F $(wc -l < "$WORK/keywords.txt") keywords $c s, ripgrep reading only $d s, load $(cut -d' ' -f1 /proc/loadavg)"
done
declare -A TIME
TIME[launchready]=$(awk '{print $2}' "$WORK/runs" | median)
[ "$COMPARE" = 1 ] && command -v rg >/dev/null && TIME[ripgrep]=$(awk '{print $3}' "$WORK/runs" | median) \
  && TIME[keywords]=$(awk '{print $4}' "$WORK/runs" | median) \
  && TIME[floor]=$(awk '{print $5}' "$WORK/runs" | median)
"$LR" secrets "$WORK/clean" --format json -q > "$WORK/lr-clean.json" 2>/dev/null || true
if [ "$COMPARE" = 1 ] && command -v ripsecrets >/dev/null; then
  ripsecrets "$WORK/planted" > "$WORK/rs.txt" 2>/dev/null || true
  TIME[ripsecrets]=$(for _ in $(seq "$RUNS"); do wall sh -c "ripsecrets '$WORK/planted' > '$WORK/rs.txt' 2>/dev/null || true"; done | median)
  ripsecrets "$WORK/clean" > "$WORK/rs-clean.txt" 2>/dev/null || true
fi

RG_VERSION=$RG_VERSION python3 - "$WORK" "$BYTES" "${TIME[launchready]}" "${TIME[ripgrep]:-}" "${TIME[ripsecrets]:-}" <<'PY'
import json, os, re, sys, collections
work, total = sys.argv[1], int(sys.argv[2])
times = dict(zip(["launchready", "ripgrep", "ripsecrets"], sys.argv[3:6]))
planted = [l.rstrip("\n").split("\t") for l in open(f"{work}/manifest.tsv")][1:]
anchor = {l.strip() for l in open(f"{work}/anchor-rules.txt")}

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
print("| tool | wall time (median of alternating runs) | throughput | recall (planted) | by placement | reports on the unplanted corpus |")
print("|---|---|---|---|---|---|")
clean_counts = {
    "launchready": sum(1 for f in json.load(open(f"{work}/lr-clean.json"))["findings"] if f["severity"] != "info"),
    "ripgrep": "-",
    "ripsecrets": sum(1 for _ in open(f"{work}/rs-clean.txt", errors="replace")) if os.path.exists(f"{work}/rs-clean.txt") else None,
}
missed_lr = []
for tool, hits in tools.items():
    if hits is None or not times.get(tool):
        print(f"| {tool} | not installed | | | | |"); continue
    by = collections.defaultdict(lambda: [0, 0])
    ok = 0
    for rule, placement, p, a, b in planted:
        if tool == "ripgrep" and rule not in anchor:
            continue  # ripgrep runs the 9 anchor rules only
        hit = found(hits, p, int(a), int(b))
        if tool == "launchready":
            hit = any((p, l, rule) in lr for l in range(int(a), int(b) + 1))
            if not hit: missed_lr.append((rule, placement, p))
        ok += hit; by[placement][0] += hit; by[placement][1] += 1
    t, n = float(times[tool]), sum(v[1] for v in by.values())
    places = ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in by.items())
    name = f"ripgrep ({os.environ.get('RG_VERSION', 'rg')}, 9 literal-anchored rules)" if tool == "ripgrep" else tool + (" (102 rules)" if tool == "launchready" else "")
    print(f"| {name} | {t:.2f} s | {total / t / 1e6:.0f} MB/s | {ok}/{n} ({100 * ok / n:.0f} %) | {places} | {clean_counts[tool]} |")
print()
print(f"launchready stage note: {lr_report['stages'][0]['note']}")
if missed_lr:
    print("launchready missed (rule must match exactly):", missed_lr[:20])
PY

# The ratio to ripgrep in this same run, launchready's peak memory, and throughput per phase.
if [ -n "${TIME[ripgrep]:-}" ]; then
  echo "launchready / ripgrep (9 rules) time: $(echo "scale=2; ${TIME[launchready]} / ${TIME[ripgrep]}" | bc)x (medians ${TIME[launchready]} / ${TIME[ripgrep]} s)"
  echo "launchready / ripgrep -i -F keywords time: $(echo "scale=2; ${TIME[launchready]} / ${TIME[keywords]}" | bc)x (median ${TIME[keywords]} s)"
  echo "ripgrep (9 rules) / ripgrep reading only: $(echo "scale=2; ${TIME[ripgrep]} / ${TIME[floor]}" | bc)x (median ${TIME[floor]} s): the anchor's time is the walk and the reads"
fi
if [ -x /usr/bin/time ]; then
  # CPU seconds (user + system) of one run each: on 2 cores, wall >= CPU / 2.
  cpu() { { /usr/bin/time -f "$1: %U s user + %S s system" "${@:2}" 2>&1 >/dev/null || true; } | tail -1; }
  cpu "launchready CPU" "$LR" secrets "$WORK/planted" --format json -q
  if [ "$COMPARE" = 1 ] && command -v rg >/dev/null; then
    cpu "ripgrep (9 rules) CPU" rg -uu -n --no-heading --no-messages -f "$WORK/patterns9.txt" "$WORK/planted"
    cpu "ripgrep reading only CPU" rg -uu -c -F --no-messages 'qz7Jw0nowhereXk4' "$WORK/planted"
  fi
  { /usr/bin/time -f "launchready peak RSS: %M KiB (load $(cut -d' ' -f1-3 /proc/loadavg))" "$LR" secrets "$WORK/planted" --format json -q 2>&1 >/dev/null || true; } | tail -1
fi
"$PHASES" "$WORK/planted"
