#!/usr/bin/env bash
# Runs every libFuzzer target BUILD/fuzz/fuzz_* for SECONDS seconds each.
# Usage: tests/fuzz/run.sh BUILD SECONDS
# Corpus: BUILD/fuzz-corpus/<name>, seeded from samples/ and tests/lit/ (kept
# between runs). Crash, timeout, leak and OOM reproducers land in
# BUILD/fuzz-artifacts/<name>/. Prints the executions of each target; exits
# non-zero when a target finds a problem.
set -u
if [ $# -ne 2 ]; then
  echo "usage: tests/fuzz/run.sh BUILD SECONDS" >&2
  exit 2
fi
B=$1
S=$2
here=$(cd "$(dirname "$0")/../.." && pwd)
shopt -s nullglob
bins=("$B"/fuzz/fuzz_*)
if [ ${#bins[@]} -eq 0 ]; then
  echo "no fuzz targets under $B/fuzz (build them with: make fuzz)" >&2
  exit 2
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
status=0
total=0
for bin in "${bins[@]}"; do
  name=$(basename "$bin")
  corpus="$B/fuzz-corpus/$name"
  art="$B/fuzz-artifacts/$name"
  mkdir -p "$corpus" "$art"
  # Seeds: every .ptk (fuzz_pto: .pto) under samples/ and tests/lit/ (names
  # made unique); fuzz_pto also gets the corpus kernels when present.
  ext='*.ptk'
  seeddirs=("$here/samples" "$here/tests/lit")
  lang=ptk
  case "$name" in fuzz_pto | fuzz_pto_* | fuzz_diff) lang=pto ;; esac
  if [ "$lang" = pto ]; then
    ext='*.pto'
    [ -d "$here/../shared/corpus/pto" ] && seeddirs+=("$here/../shared/corpus/pto")
    [ -d "$here/../shared/corpus/vpto" ] && seeddirs+=("$here/../shared/corpus/vpto")
  fi
  while IFS= read -r -d '' f; do
    rel=${f#"$here"/}
    rel=${rel#../}
    cp -f "$f" "$corpus/seed_${rel//\//_}"
  done < <(find "${seeddirs[@]}" -name "$ext" -print0 2>/dev/null)
  before=$(find "$art" -type f | wc -l)
  # Dictionary: tests/fuzz/<input language>.dict (ptk.dict, pto.dict).
  dict=()
  [ -f "$here/tests/fuzz/$lang.dict" ] && dict=(-dict="$here/tests/fuzz/$lang.dict")
  log="$B/fuzz-artifacts/$name.log"
  echo "fuzz: $name for ${S}s (corpus $corpus)"
  "$bin" -max_total_time="$S" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
    -print_final_stats=1 -artifact_prefix="$art/" "${dict[@]}" "$corpus" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  execs=${execs:-0}
  total=$((total + execs))
  after=$(find "$art" -type f | wc -l)
  echo "fuzz: $name: $execs executions, exit $rc"
  if [ "$rc" -ne 0 ] || [ "$after" -gt "$before" ]; then
    echo "fuzz: $name FOUND A PROBLEM; reproducers in $art/, log in $log:" >&2
    grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$log" | head -20 >&2
    status=1
  fi
done
echo "fuzz: $total executions in total"
exit $status
