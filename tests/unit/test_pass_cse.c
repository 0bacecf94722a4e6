/* cse: identical pure ops (commutative operands in either order) merge
 * when one dominates the other; ops in sibling branches do not; ops with
 * effects (alloc_tile, tload) never merge. */
#include "tests/unit/pass_helpers.h"

static void cse(pt_ir *r) { ptk_cse(r->m); }

TEST(cse_dominance_and_commutative) {
  pt_expect(
    "func.func @k(%p: !pto.ptr<f32>, %n: index, %f: i1) {\n"
    "  %c0 = arith.constant 0 : index\n"
    "  %c1 = arith.constant 1 : index\n"
    "  %c16 = arith.constant 16 : index\n"
    "  %v = pto.make_tensor_view %p, shape = [%c16, %n], strides = [%n, %c1] : !pto.tensor_view<?x?xf32>\n"
    "  %a = arith.muli %n, %c16 : index\n"
    "  %b = arith.muli %c16, %n : index\n"
    "  %s = arith.subi %n, %c16 : index\n"
    "  %s2 = arith.subi %c16, %n : index\n"
    "  %t = pto.alloc_tile : !pto.tile_buf<vec, 16x16xf32>\n"
    "  %t2 = pto.alloc_tile : !pto.tile_buf<vec, 16x16xf32>\n"
    "  scf.if %f {\n"
    "    %a2 = arith.muli %n, %c16 : index\n"
    "    %pv = pto.partition_view %v, offsets = [%c0, %a2], sizes = [%c16, %c16] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<16x16xf32>\n"
    "    pto.tload ins(%pv : !pto.partition_tensor_view<16x16xf32>) outs(%t : !pto.tile_buf<vec, 16x16xf32>)\n"
    "  } else {\n"
    "    %pv = pto.partition_view %v, offsets = [%c0, %b], sizes = [%c16, %c16] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<16x16xf32>\n"
    "    pto.tload ins(%pv : !pto.partition_tensor_view<16x16xf32>) outs(%t : !pto.tile_buf<vec, 16x16xf32>)\n"
    "  }\n"
    "  %pv2 = pto.partition_view %v, offsets = [%c0, %a], sizes = [%c16, %c16] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<16x16xf32>\n"
    "  %pv3 = pto.partition_view %v, offsets = [%c0, %s], sizes = [%c16, %c16] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<16x16xf32>\n"
    "  %pv4 = pto.partition_view %v, offsets = [%c0, %s2], sizes = [%c16, %c16] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<16x16xf32>\n"
    "  %pv5 = pto.partition_view %v, offsets = [%c0, %a], sizes = [%c16, %c16] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<16x16xf32>\n"
    "  pto.tstore ins(%t : !pto.tile_buf<vec, 16x16xf32>) outs(%pv2 : !pto.partition_tensor_view<16x16xf32>)\n"
    "  pto.tstore ins(%t : !pto.tile_buf<vec, 16x16xf32>) outs(%pv3 : !pto.partition_tensor_view<16x16xf32>)\n"
    "  pto.tstore ins(%t : !pto.tile_buf<vec, 16x16xf32>) outs(%pv4 : !pto.partition_tensor_view<16x16xf32>)\n"
    "  pto.tstore ins(%t2 : !pto.tile_buf<vec, 16x16xf32>) outs(%pv5 : !pto.partition_tensor_view<16x16xf32>)\n"
    "  return\n"
    "}\n",
      cse,
    "module {\n"
    "  func.func @k(%arg0: !pto.ptr<f32>, %arg1: index, %arg2: i1) {\n"
    "    %c0 = arith.constant 0 : index\n"
    "    %c1 = arith.constant 1 : index\n"
    "    %c16 = arith.constant 16 : index\n"
    "    %0 = pto.make_tensor_view %arg0, shape = [%c16, %arg1], strides = [%arg1, %c1] : !pto.tensor_view<?x?xf32>\n"
    "    %1 = arith.muli %arg1, %c16 : index\n"
    "    %2 = arith.subi %arg1, %c16 : index\n"
    "    %3 = arith.subi %c16, %arg1 : index\n"
    "    %4 = pto.alloc_tile : !pto.tile_buf<vec, 16x16xf32>\n"
    "    %5 = pto.alloc_tile : !pto.tile_buf<vec, 16x16xf32>\n"
    "    scf.if %arg2 {\n"
    "      %6 = pto.partition_view %0, offsets = [%c0, %1], sizes = [%c16, %c16] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<16x16xf32>\n"
    "      pto.tload ins(%6 : !pto.partition_tensor_view<16x16xf32>) outs(%4 : !pto.tile_buf<vec, 16x16xf32>)\n"
    "    } else {\n"
    "      %7 = pto.partition_view %0, offsets = [%c0, %1], sizes = [%c16, %c16] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<16x16xf32>\n"
    "      pto.tload ins(%7 : !pto.partition_tensor_view<16x16xf32>) outs(%4 : !pto.tile_buf<vec, 16x16xf32>)\n"
    "    }\n"
    "    %8 = pto.partition_view %0, offsets = [%c0, %1], sizes = [%c16, %c16] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<16x16xf32>\n"
    "    %9 = pto.partition_view %0, offsets = [%c0, %2], sizes = [%c16, %c16] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<16x16xf32>\n"
    "    %10 = pto.partition_view %0, offsets = [%c0, %3], sizes = [%c16, %c16] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<16x16xf32>\n"
    "    pto.tstore ins(%4 : !pto.tile_buf<vec, 16x16xf32>) outs(%8 : !pto.partition_tensor_view<16x16xf32>)\n"
    "    pto.tstore ins(%4 : !pto.tile_buf<vec, 16x16xf32>) outs(%9 : !pto.partition_tensor_view<16x16xf32>)\n"
    "    pto.tstore ins(%4 : !pto.tile_buf<vec, 16x16xf32>) outs(%10 : !pto.partition_tensor_view<16x16xf32>)\n"
    "    pto.tstore ins(%5 : !pto.tile_buf<vec, 16x16xf32>) outs(%8 : !pto.partition_tensor_view<16x16xf32>)\n"
    "    return\n"
    "  }\n"
    "}\n");
}

TEST(cse_count_and_idempotent) {
  pt_ir r = pt_read(
    "func.func @k(%p: !pto.ptr<f32>, %n: index, %f: i1) {\n"
    "  %c0 = arith.constant 0 : index\n"
    "  %c1 = arith.constant 1 : index\n"
    "  %c16 = arith.constant 16 : index\n"
    "  %v = pto.make_tensor_view %p, shape = [%c16, %n], strides = [%n, %c1] : !pto.tensor_view<?x?xf32>\n"
    "  %a = arith.muli %n, %c16 : index\n"
    "  %b = arith.muli %c16, %n : index\n"
    "  %s = arith.subi %n, %c16 : index\n"
    "  %s2 = arith.subi %c16, %n : index\n"
    "  %t = pto.alloc_tile : !pto.tile_buf<vec, 16x16xf32>\n"
    "  %t2 = pto.alloc_tile : !pto.tile_buf<vec, 16x16xf32>\n"
    "  scf.if %f {\n"
    "    %a2 = arith.muli %n, %c16 : index\n"
    "    %pv = pto.partition_view %v, offsets = [%c0, %a2], sizes = [%c16, %c16] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<16x16xf32>\n"
    "    pto.tload ins(%pv : !pto.partition_tensor_view<16x16xf32>) outs(%t : !pto.tile_buf<vec, 16x16xf32>)\n"
    "  } else {\n"
    "    %pv = pto.partition_view %v, offsets = [%c0, %b], sizes = [%c16, %c16] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<16x16xf32>\n"
    "    pto.tload ins(%pv : !pto.partition_tensor_view<16x16xf32>) outs(%t : !pto.tile_buf<vec, 16x16xf32>)\n"
    "  }\n"
    "  %pv2 = pto.partition_view %v, offsets = [%c0, %a], sizes = [%c16, %c16] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<16x16xf32>\n"
    "  %pv3 = pto.partition_view %v, offsets = [%c0, %s], sizes = [%c16, %c16] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<16x16xf32>\n"
    "  %pv4 = pto.partition_view %v, offsets = [%c0, %s2], sizes = [%c16, %c16] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<16x16xf32>\n"
    "  %pv5 = pto.partition_view %v, offsets = [%c0, %a], sizes = [%c16, %c16] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<16x16xf32>\n"
    "  pto.tstore ins(%t : !pto.tile_buf<vec, 16x16xf32>) outs(%pv2 : !pto.partition_tensor_view<16x16xf32>)\n"
    "  pto.tstore ins(%t : !pto.tile_buf<vec, 16x16xf32>) outs(%pv3 : !pto.partition_tensor_view<16x16xf32>)\n"
    "  pto.tstore ins(%t : !pto.tile_buf<vec, 16x16xf32>) outs(%pv4 : !pto.partition_tensor_view<16x16xf32>)\n"
    "  pto.tstore ins(%t2 : !pto.tile_buf<vec, 16x16xf32>) outs(%pv5 : !pto.partition_tensor_view<16x16xf32>)\n"
    "  return\n"
    "}\n");
  if (!r.m) {
    pt_free(&r);
    return;
  }
  CHECK_INT(ptk_cse(r.m), 3);
  CHECK_INT(ptk_cse(r.m), 0);
  pt_verify(&r);
  pt_free(&r);
}
