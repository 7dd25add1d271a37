#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 600), one after the other, on nightly with
# cargo-fuzz; each corpus is seeded from the fixtures first. Crashes land in
# fuzz/artifacts/<target>/ — each one becomes a regression test in the crate.
#   bash fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-600}"; shift || true
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(sed -n 's/^name = "\(.*\)"$/\1/p' Cargo.toml | grep -v launchready-fuzz)
fi

seed() { # seed TARGET: fill corpus/TARGET from the fixtures
  local dir="corpus/$1"; mkdir -p "$dir"
  local zones=(../fixtures/scenarios/*.zone ../fixtures/*.zone ../fixtures/zones/*.zone)
  txt() { grep -ho "\"$1[^\"]*\"" "${zones[@]}" 2>/dev/null | tr -d '"' | sort -u; }
  local i=0
  case "$1" in
    spf_record|spf_macro) while read -r l; do printf '%s' "$l" > "$dir/f$((i++))"; done < <(txt 'v=spf1') ;;
    dmarc) while read -r l; do printf '%s' "$l" > "$dir/f$((i++))"; done < <(txt 'v=DMARC1') ;;
    dkim) while read -r l; do printf '%s' "$l" > "$dir/f$((i++))"; done < <(txt 'v=DKIM1'; txt 'v=STSv1'; txt 'v=TLSRPTv1') ;;
    zonefile) for z in "${zones[@]}"; do [ -f "$z" ] && cp "$z" "$dir/"; done ;;
    secrets) find ../fixtures -type f -size -64k | head -200 | while read -r f; do cp "$f" "$dir/$(echo "$f" | tr / _)"; done ;;
    tls_hello) printf '\x16\x03\x03\x00\x2a\x02\x00\x00\x26\x03\x03' > "$dir/hello"; printf '\x15\x03\x01\x00\x02\x02\x28' > "$dir/alert" ;;
    *) : ;;
  esac
}

for t in "${targets[@]}"; do
  seed "$t"
  echo "== $t for ${secs}s"
  cargo +nightly fuzz run "$t" "corpus/$t" -- -max_total_time="$secs" -rss_limit_mb=2048 -print_final_stats=1 2>&1 \
    | grep -E "^(stat::|Done|#[0-9]+[[:space:]]+DONE|==[0-9]+==|SUMMARY|artifact_prefix|Test unit written)" || true
done
