#!/usr/bin/env bash
# History benchmark: `launchready secrets REPO --history` next to `git log -p --all | rg` with
# the same rules' patterns, on a large synthetic history made locally (no network): COMMITS
# commits over a tree of FILES files, fake secrets planted in old blobs and removed later
# (benches/history-gen.py, fed to `git fast-import`). Three alternating runs of each, median
# wall time and peak RSS (/usr/bin/time: the largest process of each side, git included), the
# ratio per run, and the recall of the planted secrets.
#
#   benches/history.sh [COMMITS] [FILES]      (default 20000 3000: ~65k blobs)
#
# Needs: git, python3, rg (apt-get install ripgrep / cargo install ripgrep), GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
COMMITS=${1:-20000}
FILES=${2:-3000}
RUNS=${RUNS:-3}
WORK=${WORK:-/tmp/lr-history}
RULES=(aws-access-key-id stripe-secret-key github-pat gitlab-pat slack-bot-token
  openai-api-key anthropic-api-key sendgrid-api-key npm-access-token)

cargo build --release --quiet --bin launchready
cargo build --release --quiet -p launchready-secrets --example samples --example scan
LR=$PWD/target/release/launchready
SAMPLES=$PWD/target/release/examples/samples

if [ ! -d "$WORK/repo/.git" ] || [ "$(cat "$WORK/size" 2>/dev/null)" != "$COMMITS $FILES" ]; then
  rm -rf "$WORK" && mkdir -p "$WORK"
  "$SAMPLES" 4 "$WORK/samples.tsv" "$WORK/patterns.txt" "${RULES[@]}"
  git init -q -b main "$WORK/repo"
  python3 benches/history-gen.py "$COMMITS" "$FILES" "$WORK/samples.tsv" "$WORK/manifest.tsv" \
    | git -C "$WORK/repo" fast-import --quiet
  git -C "$WORK/repo" checkout -q main
  echo "$COMMITS $FILES" > "$WORK/size"
fi
REPO=$WORK/repo
read -r BLOBS BLOB_BYTES < <(git -C "$REPO" rev-list --all --objects --filter=object:type=blob \
  | cut -d' ' -f1 | git -C "$REPO" cat-file --batch-check='%(objecttype) %(objectsize)' \
  | awk '$1 == "blob" { n++; s += $2 } END { print n, s }')
echo "history: $(git -C "$REPO" rev-list --all | wc -l) commits, $BLOBS blobs ($((BLOB_BYTES / 1000000)) MB), pack $(du -sh "$REPO/.git" | cut -f1), $(($(wc -l < "$WORK/manifest.tsv") - 1)) planted secrets, ${#RULES[@]} rules; load $(cut -d' ' -f1-3 /proc/loadavg)"

TIMEFMT="%e %M"
# Wall time and peak RSS of the largest process (git's rev-list included), and launchready's
# own peak (VmHWM of its process alone, polled).
ours() {
  /usr/bin/time -f "$TIMEFMT" -o "$WORK/t" "$LR" secrets "$REPO" --history --format json -q > "$WORK/lr.json" &
  local pid hwm=0 v
  sleep 0.05; pid=$(pgrep -n -f "^$LR secrets $REPO" || true)
  while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; do
    v=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || true); [ -n "$v" ] && hwm=$v; sleep 0.1
  done
  wait || true
  echo "$(cat "$WORK/t") $hwm"
}
theirs() { /usr/bin/time -f "$TIMEFMT" -o "$WORK/t" bash -c "git -C '$REPO' log -p --all | rg -f '$WORK/patterns.txt' > '$WORK/rg.txt'" || true; cat "$WORK/t"; }
ours > /dev/null; theirs > /dev/null   # warm the page cache
: > "$WORK/runs"
for i in $(seq "$RUNS"); do
  echo "$i $(ours) $(theirs) $(cut -d' ' -f1 /proc/loadavg)" >> "$WORK/runs"
done

python3 - "$WORK" <<'PY'
import json, sys, statistics as st
work = sys.argv[1]
runs = [l.split() for l in open(f"{work}/runs")]
print("\n| run | launchready --history | peak RSS (largest process) | launchready's own | git log -p --all \\| rg | peak RSS | ratio | load |")
print("|---|---|---|---|---|---|---|---|")
for r in runs:
    i, ta, ma, own, tb, mb, load = r
    print(f"| {i} | {float(ta):.2f} s | {int(ma) / 1024:.0f} MB | {int(own) / 1024:.0f} MB | {float(tb):.2f} s | {int(mb) / 1024:.0f} MB | {float(ta) / float(tb):.2f}x | {load} |")
ta = st.median(float(r[1]) for r in runs); tb = st.median(float(r[4]) for r in runs)
ma = max(int(r[2]) for r in runs) / 1024; mb = max(int(r[5]) for r in runs) / 1024
own = max(int(r[3]) for r in runs) / 1024
print(f"| median | {ta:.2f} s | {ma:.0f} MB (max) | {own:.0f} MB (max) | {tb:.2f} s | {mb:.0f} MB (max) | {ta / tb:.2f}x | |")

planted = [l.rstrip("\n").split("\t") for l in open(f"{work}/manifest.tsv")][1:]
report = json.load(open(f"{work}/lr.json"))
found = set()
for f in report["findings"]:
    if f["id"] == "secrets.history":
        p, _, l = f["subject"].rpartition(":")
        found.add((f["evidence"].split(" ")[0], p, l))
missed = [(r, p, l) for r, p, l in planted if (r, p, l) not in found]
print(f"\nlaunchready recall: {len(planted) - len(missed)}/{len(planted)}"
      + (f"; missed: {missed[:10]}" if missed else ""))
values = [l.rstrip("\n").split("\t", 1)[1] for l in open(f"{work}/samples.tsv")]
rg = open(f"{work}/rg.txt", errors="replace").read()
print(f"rg lines: {rg.count(chr(10))}; planted values among them: {sum(v in rg for v in values)}/{len(values)}")
print("launchready:", [s["note"] for s in report["stages"]][0])
PY
