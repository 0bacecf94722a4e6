#!/bin/sh
# gen_nested_pto.sh N: a .pto function with N scf.if regions nested inside
# one another (N + 1 region levels with the function body).
awk -v n="$1" 'BEGIN {
  print "module {"
  print "  func.func @k(%c: i1) {"
  for (i = 0; i < n; i++) print "scf.if %c {"
  for (i = 0; i < n; i++) print "}"
  print "    return"
  print "  }"
  print "}"
}'
