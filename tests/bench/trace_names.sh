#!/usr/bin/env bash
# Tracer name lookup at scale (issue 16: lookup used to be a linear scan, so
# checking was quadratic — 100,000 `let`s took 8.9 s, 5,000 kernels 8 s).
# Prints the time of `ptk check` on generated files with 10^4 and 10^5
# declarations of each kind; linear lookup shows as ~10x between the two.
# No assertion. Usage: tests/bench/trace_names.sh BUILD
set -euo pipefail
B=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
t() { # label file [args…]: wall seconds of `ptk check`
  local label=$1; shift
  local s e
  s=$(date +%s.%N)
  "$B/ptk" check "$@" >/dev/null 2>&1 || true
  e=$(date +%s.%N)
  printf '  %-44s %8.3f s\n' "$label" "$(echo "$e - $s" | bc)"
}
for n in 10000 100000; do
  awk -v n=$n 'BEGIN { print "kernel k(x: ptr<f32> out, n: i32) {"; print "  let v0 = n;";
    for (i = 1; i < n; i++) printf "  let v%d = v%d + 1;\n", i, i - 1; print "}" }' > "$tmp/lets.ptk"
  t "$n lets in one kernel" "$tmp/lets.ptk"
  awk -v n=$n 'BEGIN { print "kernel k(x: ptr<f32> out, n: i32) {"; print "  var s = n;";
    print "  for i in range(n) {"; print "  let v0 = n;";
    for (i = 1; i < n; i++) printf "  let v%d = v%d + 1; s = v%d;\n", i, i - 1, i; print "  }"; print "}" }' > "$tmp/loop.ptk"
  t "$n lets + assignments in a runtime for" "$tmp/loop.ptk"
  awk -v n=$n 'BEGIN { for (i = 0; i < n; i++) printf "const C%d: int = %d;\n", i, i;
    printf "kernel k(x: ptr<f32> out) { let a = C%d; }\n", n - 1 }' > "$tmp/consts.ptk"
  t "$n module consts" "$tmp/consts.ptk"
  awk -v n=$n 'BEGIN { for (i = 0; i < n; i++) printf "fn f%d(a: int) -> int { return a + %d; }\n", i, i;
    printf "kernel k(x: ptr<f32> out) { let a = f%d(1); }\n", n - 1 }' > "$tmp/fns.ptk"
  t "$n fn helpers" "$tmp/fns.ptk"
  awk -v n=$n 'BEGIN { for (i = 0; i < n; i++) printf "kernel k%d(x: ptr<f32> out) { }\n", i }' > "$tmp/kernels.ptk"
  t "$n kernels (--entry the last one)" --entry "k$((n - 1))" "$tmp/kernels.ptk"
done
