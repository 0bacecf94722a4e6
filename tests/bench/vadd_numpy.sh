#!/usr/bin/env bash
# Interpreter vs numpy on the same arrays, and launches per second of two
# corpus kernels, all through `ptk run --time` (the time of the launch
# itself: no parsing, no .npy I/O).
#   1. tests/bench/vadd_4096x1024.pto: z = x + y, 4096x1024 f32, 8x1024 row
#      tiles over 512 loop iterations, against numpy np.add(x, y, out=z) on
#      the same arrays (read from the same .npy files). Target: within 2x.
#      "warm": best of REPS launches in one process (--repeat); "cold": best
#      over 5 fresh processes of their first launch (the first pass over
#      freshly loaded arrays is slower for both).
#   2. the corpus flash-attention kernel (fa_full) and matmul kernel
#      (sync_matmul_*): launches per second (warm, one block).
# The machine may be shared: best-of figures are what to compare.
# Usage: tests/bench/vadd_numpy.sh BUILD   (REPS=N to change 15)
set -euo pipefail
B=${1:-build}
REPS=${REPS:-15}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
case $B in /*) ptk="$B/ptk" ;; *) ptk="$root/$B/ptk" ;; esac
if ! "$ptk" run --help >/dev/null 2>&1; then
  echo "vadd_numpy: skipped ($ptk has no 'run' command)"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Best launch time in ms printed by: ptk run --time ARGS...
best_of() {
  local out
  if ! out=$("$ptk" run --time "$@" 2>&1 >/dev/null); then
    echo "ptk run failed: $ptk run $*" >&2
    echo "$out" >&2
    return 1
  fi
  echo "$out" | sed -n 's/^ptk run: launch took \([0-9.]*\) ms$/\1/p' | sort -g | head -1
}
cold() { # best first launch over 5 processes
  local best="" t
  for _ in 1 2 3 4 5; do
    t=$(best_of "$@")
    if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
  done
  echo "$best"
}

py=/usr/bin/python3
have_numpy=1
"$py" -c 'import numpy' 2>/dev/null || have_numpy=0

kern="$here/vadd_4096x1024.pto"
if [ "$have_numpy" = 1 ]; then
  "$py" - "$tmp" <<'EOF'
import sys, numpy as np
d = sys.argv[1]
rng = np.random.default_rng(19)
np.save(d + "/x.npy", rng.uniform(-1, 1, (4096, 1024)).astype(np.float32))
np.save(d + "/y.npy", rng.uniform(-1, 1, (4096, 1024)).astype(np.float32))
np.save(d + "/z.npy", np.zeros((4096, 1024), np.float32))
EOF
  args=("$tmp/x.npy" "$tmp/y.npy" "$tmp/z.npy")
else
  args=(rand:f32:4096x1024:1 rand:f32:4096x1024:2 zeros:f32:4096x1024)
fi
warm=$(best_of --repeat "$REPS" "$kern" -- "${args[@]}")
cold=$(cold "$kern" -- "${args[@]}")
echo "vadd 4096x1024 f32 (8x1024 tiles, 512 iterations): ptk run (interpreter) warm ${warm} ms, cold ${cold} ms"
if [ "$have_numpy" = 1 ]; then
  "$ptk" run "$kern" --out "$tmp/out" -- "${args[@]}"
  first=""
  for _ in 1 2 3 4 5; do
    t=$("$py" -c '
import sys, time, numpy as np
d = sys.argv[1]
x, y, z = np.load(d + "/x.npy"), np.load(d + "/y.npy"), np.load(d + "/z.npy")
t0 = time.perf_counter(); np.add(x, y, out=z); print((time.perf_counter() - t0) * 1e3)' "$tmp")
    if [ -z "$first" ] || awk "BEGIN{exit !($t < $first)}"; then first=$t; fi
  done
  "$py" - "$tmp" "$REPS" "$warm" "$cold" "$first" <<'EOF'
import sys, time, numpy as np
d, reps = sys.argv[1], int(sys.argv[2])
warm, cold, first = float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
x, y, z = np.load(d + "/x.npy"), np.load(d + "/y.npy"), np.load(d + "/z.npy")
best = 1e9
for _ in range(reps):
    t0 = time.perf_counter(); np.add(x, y, out=z); t1 = time.perf_counter()
    best = min(best, (t1 - t0) * 1e3)
same = np.array_equal(np.load(d + "/out/2_z.npy"), x + y)
print("vadd 4096x1024 f32: numpy np.add(x, y, out=z) warm %.3f ms, cold %.3f ms" % (best, first))
print("vadd: interpreter / numpy = %.2fx warm, %.2fx cold (target <= 2x); results %s"
      % (warm / best, cold / first, "identical" if same else "DIFFER"))
EOF
else
  echo "vadd: numpy half skipped (/usr/bin/python3 has no numpy; apt-get install python3-numpy)"
fi

corpus="$root/../shared/corpus/pto"
run_case() { # id entry
  local dir="$corpus/$1"
  if [ ! -d "$dir" ]; then
    echo "$1: skipped (no corpus at $corpus)"
    return
  fi
  local -a a
  mapfile -t a <"$dir/run_args.txt"
  local t
  t=$(cd "$dir" && best_of --repeat 200 kernel.pto --entry "$2" -- "${a[@]}")
  awk -v id="$1" -v t="$t" 'BEGIN{printf "%s: best launch %.3f ms = %.0f launches/s (ptk run --repeat 200, 1 block)\n", id, t, 1000 / t}'
}
run_case fa_full flash_attention_block
run_case sync_matmul_bias RunTMATMULSplitK
run_case sync_matmul_nobias RunTMATMULSplitK
