/* canonicalize: folding with exact integer widths (wrap-around, i1,
 * index), signed/unsigned division and remainder (never by zero or with
 * overflow), casts, float folding, constant pooling, trivial scf.if /
 * scf.for, dead-op removal, fixpoint. Inputs are .pto text; outputs are
 * compared exactly with the printer's text. */
#include "tests/unit/pass_helpers.h"

static void canon(pt_ir *r) { ptk_canonicalize(r->m, NULL); }

TEST(canon_integer_widths) {
  pt_expect(
    "func.func @f(%p: !pto.ptr<i32>) {\n"
    "  %c0 = arith.constant 0 : index\n"
    "  %a = arith.constant 127 : i8\n"
    "  %b = arith.constant 1 : i8\n"
    "  %s = arith.addi %a, %b : i8\n"
    "  %m1 = arith.constant -1 : i8\n"
    "  %two = arith.constant 2 : i8\n"
    "  %du = arith.divui %m1, %two : i8\n"
    "  %ds = arith.divsi %m1, %two : i8\n"
    "  %z = arith.constant 0 : i8\n"
    "  %dz = arith.divsi %a, %z : i8\n"
    "  %min = arith.constant -128 : i8\n"
    "  %ov = arith.divsi %min, %m1 : i8\n"
    "  %n7 = arith.constant -7 : i32\n"
    "  %c2 = arith.constant 2 : i32\n"
    "  %r = arith.remsi %n7, %c2 : i32\n"
    "  %fd = arith.floordivsi %n7, %c2 : i32\n"
    "  %cd = arith.ceildivsi %n7, %c2 : i32\n"
    "  %c40 = arith.constant 40 : i32\n"
    "  %sh = arith.shli %c2, %c40 : i32\n"
    "  %lt = arith.cmpi slt, %m1, %two : i8\n"
    "  %ult = arith.cmpi ult, %m1, %two : i8\n"
    "  %t = arith.constant true\n"
    "  %x = arith.xori %t, %t : i1\n"
    "  %e1 = arith.extsi %s : i8 to i32\n"
    "  %e2 = arith.extui %s : i8 to i32\n"
    "  %i1 = arith.index_cast %n7 : i32 to index\n"
    "  %i2 = arith.index_castui %n7 : i32 to index\n"
    "  %v = arith.addi %e1, %e2 : i32\n"
    "  %w = arith.addi %v, %r : i32\n"
    "  %w2 = arith.addi %w, %fd : i32\n"
    "  %w3 = arith.addi %w2, %cd : i32\n"
    "  %w4 = arith.addi %w3, %sh : i32\n"
    "  pto.store_scalar %w4, %p[%c0] : !pto.ptr<i32>, i32\n"
    "  %q = arith.extui %du : i8 to i32\n"
    "  pto.store_scalar %q, %p[%i1] : !pto.ptr<i32>, i32\n"
    "  %q2 = arith.extsi %ds : i8 to i32\n"
    "  pto.store_scalar %q2, %p[%i2] : !pto.ptr<i32>, i32\n"
    "  %q3 = arith.extsi %dz : i8 to i32\n"
    "  pto.store_scalar %q3, %p[%c0] : !pto.ptr<i32>, i32\n"
    "  %q4 = arith.extsi %ov : i8 to i32\n"
    "  pto.store_scalar %q4, %p[%c0] : !pto.ptr<i32>, i32\n"
    "  %q5 = arith.extui %lt : i1 to i32\n"
    "  pto.store_scalar %q5, %p[%c0] : !pto.ptr<i32>, i32\n"
    "  %q6 = arith.extui %ult : i1 to i32\n"
    "  pto.store_scalar %q6, %p[%c0] : !pto.ptr<i32>, i32\n"
    "  %q7 = arith.extui %x : i1 to i32\n"
    "  pto.store_scalar %q7, %p[%c0] : !pto.ptr<i32>, i32\n"
    "  return\n"
    "}\n",
      canon,
    "module {\n"
    "  func.func @f(%arg0: !pto.ptr<i32>) {\n"
    "    %c0 = arith.constant 0 : index\n"
    "    %c127_i8 = arith.constant 127 : i8\n"
    "    %c-128_i8 = arith.constant -128 : i8\n"
    "    %c-1_i8 = arith.constant -1 : i8\n"
    "    %c0_i8 = arith.constant 0 : i8\n"
    "    %c2_i32 = arith.constant 2 : i32\n"
    "    %c40_i32 = arith.constant 40 : i32\n"
    "    %c-7 = arith.constant -7 : index\n"
    "    %c4294967289 = arith.constant 4294967289 : index\n"
    "    %c0_i32 = arith.constant 0 : i32\n"
    "    %c-8_i32 = arith.constant -8 : i32\n"
    "    %c127_i32 = arith.constant 127 : i32\n"
    "    %c1_i32 = arith.constant 1 : i32\n"
    "    %0 = arith.divsi %c127_i8, %c0_i8 : i8\n"
    "    %1 = arith.divsi %c-128_i8, %c-1_i8 : i8\n"
    "    %2 = arith.shli %c2_i32, %c40_i32 : i32\n"
    "    %3 = arith.addi %c-8_i32, %2 : i32\n"
    "    pto.store_scalar %3, %arg0[%c0] : !pto.ptr<i32>, i32\n"
    "    pto.store_scalar %c127_i32, %arg0[%c-7] : !pto.ptr<i32>, i32\n"
    "    pto.store_scalar %c0_i32, %arg0[%c4294967289] : !pto.ptr<i32>, i32\n"
    "    %4 = arith.extsi %0 : i8 to i32\n"
    "    pto.store_scalar %4, %arg0[%c0] : !pto.ptr<i32>, i32\n"
    "    %5 = arith.extsi %1 : i8 to i32\n"
    "    pto.store_scalar %5, %arg0[%c0] : !pto.ptr<i32>, i32\n"
    "    pto.store_scalar %c1_i32, %arg0[%c0] : !pto.ptr<i32>, i32\n"
    "    pto.store_scalar %c0_i32, %arg0[%c0] : !pto.ptr<i32>, i32\n"
    "    pto.store_scalar %c0_i32, %arg0[%c0] : !pto.ptr<i32>, i32\n"
    "    return\n"
    "  }\n"
    "}\n");
}

TEST(canon_control_flow) {
  pt_expect(
    "func.func @g(%p: !pto.ptr<f32>, %n: index, %flag: i1) {\n"
    "  %c0 = arith.constant 0 : index\n"
    "  %c1 = arith.constant 1 : index\n"
    "  %c4 = arith.constant 4 : index\n"
    "  %t = arith.constant true\n"
    "  %f = arith.constant false\n"
    "  %x = arith.constant 1.5 : f32\n"
    "  %y = arith.constant 2.25 : f32\n"
    "  %s = arith.addf %x, %y : f32\n"
    "  %r = scf.if %t -> (f32) {\n"
    "    %m = arith.mulf %s, %y : f32\n"
    "    scf.yield %m : f32\n"
    "  } else {\n"
    "    scf.yield %x : f32\n"
    "  }\n"
    "  scf.if %f {\n"
    "    pto.store_scalar %x, %p[%c0] : !pto.ptr<f32>, f32\n"
    "  }\n"
    "  %z = scf.for %i = %c4 to %c1 step %c1 iter_args(%a = %r) -> (f32) {\n"
    "    %b = arith.addf %a, %a : f32\n"
    "    scf.yield %b : f32\n"
    "  }\n"
    "  %o = scf.for %i = %c1 to %c4 step %c4 iter_args(%a = %z) -> (f32) {\n"
    "    %b = arith.addf %a, %x : f32\n"
    "    pto.store_scalar %b, %p[%i] : !pto.ptr<f32>, f32\n"
    "    scf.yield %b : f32\n"
    "  }\n"
    "  %k = scf.for %i = %c0 to %n step %c1 iter_args(%a = %o) -> (f32) {\n"
    "    %c1b = arith.constant 1 : index\n"
    "    %j = arith.addi %i, %c1b : index\n"
    "    %dead = arith.muli %j, %j : index\n"
    "    pto.store_scalar %a, %p[%j] : !pto.ptr<f32>, f32\n"
    "    scf.yield %a : f32\n"
    "  }\n"
    "  %sel = arith.select %flag, %k, %k : f32\n"
    "  %sel2 = arith.select %t, %sel, %x : f32\n"
    "  pto.store_scalar %sel2, %p[%c0] : !pto.ptr<f32>, f32\n"
    "  return\n"
    "}\n",
      canon,
    "module {\n"
    "  func.func @g(%arg0: !pto.ptr<f32>, %arg1: index, %arg2: i1) {\n"
    "    %c0 = arith.constant 0 : index\n"
    "    %c1 = arith.constant 1 : index\n"
    "    %cst = arith.constant 9.937500e+00 : f32\n"
    "    pto.store_scalar %cst, %arg0[%c1] : !pto.ptr<f32>, f32\n"
    "    %0 = scf.for %arg3 = %c0 to %arg1 step %c1 iter_args(%arg4 = %cst) -> (f32) {\n"
    "      %1 = arith.addi %arg3, %c1 : index\n"
    "      pto.store_scalar %arg4, %arg0[%1] : !pto.ptr<f32>, f32\n"
    "      scf.yield %arg4 : f32\n"
    "    }\n"
    "    pto.store_scalar %0, %arg0[%c0] : !pto.ptr<f32>, f32\n"
    "    return\n"
    "  }\n"
    "}\n");
}

/* Nested scf.if on conditions that fold (2^63-1 + 1 wraps to a negative
 * index, then 2*1 == 2) disappear in one run; unused pure ops (views) and
 * unused alloc_tile go; NaN and out-of-range conversions are not folded. */
TEST(canon_fixpoint_and_dead_ops) {
  pt_expect(
    "func.func @h(%p: !pto.ptr<f32>, %q: !pto.ptr<f32>) {\n"
    "  %c0 = arith.constant 0 : index\n"
    "  %c1 = arith.constant 1 : index\n"
    "  %c2 = arith.constant 2 : index\n"
    "  %c16 = arith.constant 16 : index\n"
    "  %big = arith.constant 9223372036854775807 : index\n"
    "  %wrap = arith.addi %big, %c1 : index\n"
    "  %neg = arith.cmpi slt, %wrap, %c0 : index\n"
    "  %v = pto.make_tensor_view %p, shape = [%c16, %c16], strides = [%c16, %c1] : !pto.tensor_view<?x?xf32>\n"
    "  %unused_view = pto.make_tensor_view %q, shape = [%c16, %c16], strides = [%c16, %c1] : !pto.tensor_view<?x?xf32>\n"
    "  %pv = pto.partition_view %v, offsets = [%c0, %c0], sizes = [%c16, %c16] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<16x16xf32>\n"
    "  %t = pto.alloc_tile : !pto.tile_buf<vec, 16x16xf32>\n"
    "  %unused_tile = pto.alloc_tile : !pto.tile_buf<vec, 16x16xf32>\n"
    "  scf.if %neg {\n"
    "    %k = arith.muli %c2, %c1 : index\n"
    "    %e = arith.cmpi eq, %k, %c2 : index\n"
    "    scf.if %e {\n"
    "      pto.tload ins(%pv : !pto.partition_tensor_view<16x16xf32>) outs(%t : !pto.tile_buf<vec, 16x16xf32>)\n"
    "    }\n"
    "  }\n"
    "  %nan = arith.constant 0x7FC00000 : f32\n"
    "  %one = arith.constant 1.0 : f32\n"
    "  %n2 = arith.addf %nan, %one : f32\n"
    "  %huge = arith.constant 1.0e20 : f32\n"
    "  %fi = arith.fptosi %huge : f32 to i32\n"
    "  %fi2 = arith.sitofp %fi : i32 to f32\n"
    "  %m = arith.mulf %n2, %fi2 : f32\n"
    "  pto.tadds ins(%t, %m : !pto.tile_buf<vec, 16x16xf32>, f32) outs(%t : !pto.tile_buf<vec, 16x16xf32>)\n"
    "  pto.tstore ins(%t : !pto.tile_buf<vec, 16x16xf32>) outs(%pv : !pto.partition_tensor_view<16x16xf32>)\n"
    "  return\n"
    "}\n",
      canon,
    "module {\n"
    "  func.func @h(%arg0: !pto.ptr<f32>, %arg1: !pto.ptr<f32>) {\n"
    "    %c0 = arith.constant 0 : index\n"
    "    %c1 = arith.constant 1 : index\n"
    "    %c16 = arith.constant 16 : index\n"
    "    %cst = arith.constant 0x7FC00000 : f32\n"
    "    %cst_0 = arith.constant 1.000000e+00 : f32\n"
    "    %cst_1 = arith.constant 1.000000e+20 : f32\n"
    "    %0 = pto.make_tensor_view %arg0, shape = [%c16, %c16], strides = [%c16, %c1] : !pto.tensor_view<?x?xf32>\n"
    "    %1 = pto.partition_view %0, offsets = [%c0, %c0], sizes = [%c16, %c16] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<16x16xf32>\n"
    "    %2 = pto.alloc_tile : !pto.tile_buf<vec, 16x16xf32>\n"
    "    pto.tload ins(%1 : !pto.partition_tensor_view<16x16xf32>) outs(%2 : !pto.tile_buf<vec, 16x16xf32>)\n"
    "    %3 = arith.addf %cst, %cst_0 : f32\n"
    "    %4 = arith.fptosi %cst_1 : f32 to i32\n"
    "    %5 = arith.sitofp %4 : i32 to f32\n"
    "    %6 = arith.mulf %3, %5 : f32\n"
    "    pto.tadds ins(%2, %6 : !pto.tile_buf<vec, 16x16xf32>, f32) outs(%2 : !pto.tile_buf<vec, 16x16xf32>)\n"
    "    pto.tstore ins(%2 : !pto.tile_buf<vec, 16x16xf32>) outs(%1 : !pto.partition_tensor_view<16x16xf32>)\n"
    "    return\n"
    "  }\n"
    "}\n");
}

/* Every corpus kernel: still verifies, a second run changes nothing. */
TEST(canon_corpus_idempotent) {
  static const char *const cases[] = {"vadd", "control_flow", "fa_full", "qwen3_rmsnorm",
                                      "sync_matmul_bias", "scf_for_break_like", "pa_softmax_prepare"};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char path[256];
    snprintf(path, sizeof path, "../shared/corpus/pto/%s/kernel.pto", cases[i]);
    pt_ir r = pt_load(path);
    if (!r.m) { /* corpus not present */
      pt_free(&r);
      continue;
    }
    ptk_canonicalize(r.m, NULL);
    pt_verify(&r);
    char *once = pt_print(r.m);
    ptk_canon_stats st;
    ptk_canonicalize(r.m, &st);
    char *twice = pt_print(r.m);
    CHECK_STR(twice, once);
    CHECK_INT(st.folded + st.erased + st.inlined + st.consts_merged, 0);
    free(once);
    free(twice);
    pt_free(&r);
  }
}
