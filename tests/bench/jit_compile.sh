#!/usr/bin/env bash
# JIT compile time against kernel size (issue 16: before the generated C was
# split into chunk functions, 1,000 ops took 2.4 s, 3,000 ops 10.4 s and
# 20,000 ops over 300 s). For kernels of N traced ops (a static-for chain of
# scalar and tile ops) prints: the first JIT run with an empty cache (trace +
# passes + C emission + cc + launch), a second JIT run (cached .so), and an
# interpreter run. The first run minus the second is the compile cost; the
# interpreter wins for a single launch while the compile costs more than the
# interpreter's run. No assertion. Usage: tests/bench/jit_compile.sh BUILD [N…]
set -euo pipefail
B=$1
shift
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(250 1000 3000 10000 20000)
command -v cc >/dev/null || { echo "  no cc: the JIT is unavailable, nothing to measure"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
here=$(cd "$(dirname "$0")" && pwd)
gen() { sh "$here/../lit/run/Inputs/gen_ops.sh" "$1"; } # the lit tests' generator
# measure the compiler, not the interpreter fallback past PTK_JIT_MAX_OPS
export PTK_JIT_MAX_OPS=0
secs() { # command…: wall seconds
  local s e
  s=$(date +%s.%N)
  "$@" >/dev/null 2>&1 || echo "  (failed: $*)" >&2
  e=$(date +%s.%N)
  echo "$e - $s" | bc
}
printf '  %8s %14s %12s %12s %12s\n' ops "jit cold (s)" "jit warm (s)" "compile (s)" "interp (s)"
for n in "${sizes[@]}"; do
  gen "$n" > "$tmp/k$n.ptk"
  rm -rf "$tmp/cache"
  args=(-- rand:f32:16x16:1 0.5)
  cold=$(XDG_CACHE_HOME="$tmp/cache" secs "$B/ptk" run --engine jit "$tmp/k$n.ptk" "${args[@]}")
  warm=$(XDG_CACHE_HOME="$tmp/cache" secs "$B/ptk" run --engine jit "$tmp/k$n.ptk" "${args[@]}")
  interp=$(secs "$B/ptk" run --engine interp "$tmp/k$n.ptk" "${args[@]}")
  printf '  %8d %14.3f %12.3f %12.3f %12.3f\n' "$n" "$cold" "$warm" "$(echo "$cold - $warm" | bc)" "$interp"
done
