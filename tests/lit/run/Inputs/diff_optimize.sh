#!/bin/sh
# Differential test of the pass pipeline: every sample, every corpus port and
# every shared-corpus case (when ../shared/corpus/pto exists) runs with and
# without the optimizing passes (--no-optimize: no canonicalize, no cse) and
# must give the same bytes in every pointer argument. Prints one line per
# kernel and "N kernels, N differ"; exit 1 when one differs or fails.
# Usage: diff_optimize.sh PTK REPO_ROOT TMPDIR
set -u
ptk=$1 root=$2 tmp=$3
mkdir -p "$tmp"
n=0 bad=0
# one kernel: NAME DIR FILE [run options and args…] (run from DIR)
one() {
  name=$1 dir=$2 file=$3
  shift 3
  n=$((n + 1))
  rm -rf "$tmp/a" "$tmp/b"
  if ! (cd "$dir" && "$ptk" run "$file" --out "$tmp/a" "$@" >/dev/null 2>"$tmp/err.a") ||
     ! (cd "$dir" && "$ptk" run "$file" --no-optimize --out "$tmp/b" "$@" >/dev/null 2>"$tmp/err.b"); then
    echo "$name: FAILED"; cat "$tmp/err.a" "$tmp/err.b"; bad=$((bad + 1)); return
  fi
  for f in "$tmp"/a/*.npy; do
    [ -e "$f" ] || continue # a kernel without pointer arguments
    if ! cmp -s "$f" "$tmp/b/$(basename "$f")"; then
      echo "$name: $(basename "$f") differs"; bad=$((bad + 1)); return
    fi
  done
  echo "$name: same"
}
s=$root/samples
one vadd "$s" vadd.ptk --blocks 3 -- rand:f32:3000:1 rand:f32:3000:2 zeros:f32:3000 3000
one softmax "$s" softmax.ptk --blocks 3 -- rand:f32:37x256:1 zeros:f32:37x256 37
one rmsnorm "$s" rmsnorm.ptk --blocks 2 -- rand:f32:29x2048:1 rand:f32:1x2048:2 zeros:f32:29x2048 29
one layernorm "$s" layernorm.ptk --blocks 2 -- rand:f32:29x1024:1 rand:f32:1x1024:2 rand:f32:1x1024:3 zeros:f32:29x1024 29
one matmul "$s" matmul.ptk --blocks 2 -- rand:f16:64x96:1 rand:f16:96x64:2 zeros:f32:64x64 64 64 96
one flash_attention "$s" flash_attention.ptk -- rand:f16:128x64:1 rand:f16:128x64:2 rand:f16:128x64:3 zeros:f32:128x64 128
corpus=$root/../shared/corpus/pto
if [ -d "$corpus" ]; then
  for c in "$corpus"/*/; do
    id=$(basename "$c")
    entry=$(sed -n 's/.*"entry": *"@\{0,1\}\([A-Za-z0-9_]*\)".*/\1/p' "$c/case.json" | head -n 1)
    # shellcheck disable=SC2046
    one "corpus/$id" "$c" kernel.pto --entry "$entry" -- $(cat "$c/run_args.txt")
    if [ -f "$root/tests/e2e/corpus_ports/$id.ptk" ]; then
      # shellcheck disable=SC2046
      one "port/$id" "$c" "$root/tests/e2e/corpus_ports/$id.ptk" --entry port -- $(cat "$c/run_args.txt")
    fi
  done
fi
echo "$n kernels, $bad differ"
[ "$bad" -eq 0 ]
