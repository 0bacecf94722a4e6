#!/bin/sh
# gen_elif.sh N: a kernel whose runtime `if` / `else if` chain has N arms
# (N nested scf.if regions in the IR, plus the function body).
awk -v n="$1" 'BEGIN {
  print "kernel k(x: ptr<f32> out, n: i32) {"
  print "  var s: i32 = 0;"
  print "  if n == 0 { s = 1; }"
  for (i = 1; i < n; i++) printf "  else if n == %d { s = %d; }\n", i, i + 1
  print "}"
}'
