#!/bin/sh
# gen_ops.sh N: a kernel "big" of about N traced ops (a static-for chain of scalar and tile ops)
awk -v n="$1" 'BEGIN {
  print "kernel big(x: ptr<f32> inout, s: f32) {"
  print "  let xv = make_tensor_view(x, shape = [16, 16], strides = [16, 1]);"
  print "  let a = alloc_tile(shape = [16, 16], dtype = f32, loc = vec);"
  print "  let b = alloc_tile(shape = [16, 16], dtype = f32, loc = vec);"
  print "  tload(xv[0:16, 0:16], a);"
  print "  var t = s;"
  printf "  static for i in range(%d) {\n", n / 4
  print "    t = t * 0.5 + 1.0;"
  print "    tadds(a, t, b);"
  print "    tmul(a, b, a);"
  print "  }"
  print "  tstore(a, xv[0:16, 0:16]);"
  print "}"
}'
