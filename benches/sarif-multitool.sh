#!/usr/bin/env bash
# Validates launchready's SARIF with Microsoft's SARIF Multitool (schema + its SARIF rules), as
# GitHub code scanning users would: the demo's SARIF and a repository scan's (secrets in the
# tree and in history, a workflow with an injection, a manifest without lockfile).
# Not run in CI (it needs the npm package); counts errors and warnings per file.
#
#   bash benches/sarif-multitool.sh        (installs @microsoft/sarif-multitool-linux under
#                                           /tmp/sarif-multitool once)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet
bin=$PWD/target/debug/launchready
tool_dir=/tmp/sarif-multitool
mt=$tool_dir/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
if [ ! -x "$mt" ]; then
  mkdir -p "$tool_dir"
  (cd "$tool_dir" && npm i --silent @microsoft/sarif-multitool-linux)
  chmod u+x "$mt"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$bin" demo --format sarif > "$work/demo.sarif"

# A small repository: a key in a file whose name has a space, one only in history, a
# pull_request_target workflow that interpolates the PR title, package.json without lockfile.
repo=$work/repo
mkdir -p "$repo/src" "$repo/.github/workflows"
git -C "$repo" init -q
git -C "$repo" config user.email bench@example.invalid
git -C "$repo" config user.name bench
key="AKIA""Q3ZKXB7PLMW4TRSD"
printf '// deploy\nconst aws = { accessKeyId: "%s" };\n' "$key" > "$repo/src/deploy config.js"
printf 'GH=ghp_%s\n' "R4nd0mT0k3nV4lu3xQ9zLmNpQrStUvWxYz12" > "$repo/old.txt"
cat > "$repo/.github/workflows/ci.yml" <<'YML'
on: [pull_request_target]
jobs:
  t:
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ github.event.pull_request.title }}"
YML
echo '{"dependencies":{"x":"1"}}' > "$repo/package.json"
git -C "$repo" add -A && git -C "$repo" commit -qm one
git -C "$repo" rm -q old.txt && git -C "$repo" commit -qm two
"$bin" secrets "$repo" --history --format sarif > "$work/secrets.sarif" || true
"$bin" audit example.test --repo "$repo" --only repo,secrets --format sarif > "$work/repo.sarif" 2>/dev/null || true

status=0
for f in demo secrets repo; do
  "$mt" validate "$work/$f.sarif" -o "$work/$f.validation.sarif" --log ForceOverwrite > /dev/null 2>&1 || true
  python3 - "$f" "$work/$f.sarif" "$work/$f.validation.sarif" <<'PY' || status=1
import collections, json, sys
name, src, out = sys.argv[1:]
results = json.load(open(src))["runs"][0]["results"]
v = json.load(open(out))["runs"][0]["results"]
levels = collections.Counter(r.get("level", "warning") for r in v)
rules = collections.Counter(r["ruleId"] for r in v)
print(f"{name}: {len(results)} results; Multitool: {levels.get('error', 0)} errors, "
      f"{levels.get('warning', 0)} warnings {dict(rules)}")
for r in v:
    if r.get("level") == "error":
        print("  error:", r["ruleId"], r["message"].get("arguments"))
sys.exit(1 if levels.get("error", 0) else 0)
PY
done
exit $status
