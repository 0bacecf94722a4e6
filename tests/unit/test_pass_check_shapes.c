/* check-shapes: valid shapes from constant operands (alloc_tile,
 * set_validshape, flow-sensitive; unknown after regions that change them),
 * elementwise agreement, tload/tstore partition vs valid shape, expand and
 * reduction forms, matmul K; no findings on the corpus. */
#include <dirent.h>

#include "tests/unit/pass_helpers.h"

static char *shapes(const char *text, bool *ok) {
  pt_ir r = pt_read(text);
  char *s = NULL;
  *ok = false;
  if (r.m) {
    *ok = ptk_check_shapes(r.m, r.d);
    s = pt_diags(r.d);
  }
  pt_free(&r);
  return s ? s : ptk_xstrdup("");
}

TEST(shapes_valid_shape_rules) {
  bool ok;
  char *s = shapes(
    "func.func @f(%p: !pto.ptr<f32>, %n: index) {\n"
    "  %c0 = arith.constant 0 : index\n"
    "  %c1 = arith.constant 1 : index\n"
    "  %c8 = arith.constant 8 : index\n"
    "  %c16 = arith.constant 16 : index\n"
    "  %c32 = arith.constant 32 : index\n"
    "  %v = pto.make_tensor_view %p, shape = [%c32, %c32], strides = [%c32, %c1] : !pto.tensor_view<?x?xf32>\n"
    "  %pv = pto.partition_view %v, offsets = [%c0, %c0], sizes = [%c16, %c16] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<16x16xf32>\n"
    "  %a = pto.alloc_tile valid_row = %c16 valid_col = %c16 : !pto.tile_buf<vec, 16x16xf32, valid=?x?>\n"
    "  %b = pto.alloc_tile valid_row = %c8 valid_col = %c16 : !pto.tile_buf<vec, 16x16xf32, valid=?x?>\n"
    "  %c = pto.alloc_tile : !pto.tile_buf<vec, 16x16xf32>\n"
    "  pto.tload ins(%pv : !pto.partition_tensor_view<16x16xf32>) outs(%a : !pto.tile_buf<vec, 16x16xf32, valid=?x?>)\n"
    "  pto.tstore ins(%b : !pto.tile_buf<vec, 16x16xf32, valid=?x?>) outs(%pv : !pto.partition_tensor_view<16x16xf32>)\n"
    "  pto.set_validshape %b, %c16, %c16 : !pto.tile_buf<vec, 16x16xf32, valid=?x?>\n"
    "  pto.tadd ins(%a, %b : !pto.tile_buf<vec, 16x16xf32, valid=?x?>, !pto.tile_buf<vec, 16x16xf32, valid=?x?>) outs(%c : !pto.tile_buf<vec, 16x16xf32>)\n"
    "  pto.set_validshape %b, %c8, %c8 : !pto.tile_buf<vec, 16x16xf32, valid=?x?>\n"
    "  pto.tmul ins(%a, %b : !pto.tile_buf<vec, 16x16xf32, valid=?x?>, !pto.tile_buf<vec, 16x16xf32, valid=?x?>) outs(%c : !pto.tile_buf<vec, 16x16xf32>)\n"
    "  scf.for %i = %c0 to %n step %c1 {\n"
    "    pto.set_validshape %b, %i, %c8 : !pto.tile_buf<vec, 16x16xf32, valid=?x?>\n"
    "    pto.tsub ins(%a, %b : !pto.tile_buf<vec, 16x16xf32, valid=?x?>, !pto.tile_buf<vec, 16x16xf32, valid=?x?>) outs(%c : !pto.tile_buf<vec, 16x16xf32>)\n"
    "  }\n"
    "  pto.tsub ins(%a, %b : !pto.tile_buf<vec, 16x16xf32, valid=?x?>, !pto.tile_buf<vec, 16x16xf32, valid=?x?>) outs(%c : !pto.tile_buf<vec, 16x16xf32>)\n"
    "  %r = pto.alloc_tile valid_row = %c16 valid_col = %c16 : !pto.tile_buf<vec, 16x1xf32, valid=?x?, blayout=col_major>\n"
    "  pto.trowsum ins(%c, %c : !pto.tile_buf<vec, 16x16xf32>, !pto.tile_buf<vec, 16x16xf32>) outs(%r : !pto.tile_buf<vec, 16x1xf32, valid=?x?, blayout=col_major>)\n"
    "  %row = pto.alloc_tile : !pto.tile_buf<vec, 1x8xf32>\n"
    "  pto.tcolexpandmul ins(%c, %row : !pto.tile_buf<vec, 16x16xf32>, !pto.tile_buf<vec, 1x8xf32>) outs(%c : !pto.tile_buf<vec, 16x16xf32>)\n"
    "  %col = pto.alloc_tile : !pto.tile_buf<vec, 16x1xf32, blayout=col_major>\n"
    "  pto.trowexpandmul ins(%c, %col : !pto.tile_buf<vec, 16x16xf32>, !pto.tile_buf<vec, 16x1xf32, blayout=col_major>) outs(%c : !pto.tile_buf<vec, 16x16xf32>)\n"
    "  return\n"
    "}\n", &ok);
  CHECK(!ok);
  static const char *const want[] = {
      "t.pto:13:3: error: 'pto.tstore': the partition has 256 elements, but the tile's valid shape "
      "8x16 has 128 (they must be equal)",
      "t.pto:10:8: note: the valid shape of the tile is set here",
      "t.pto:17:3: error: 'pto.tmul': ins[1] has valid shape 8x8, but the destination has 16x16 "
      "(the operands of an elementwise op must have equal valid shapes)",
      "t.pto:16:3: note: the valid shape of the operand is set here",
      "t.pto:20:5: error: 'pto.tsub': ins[1] has valid shape ?x8, but the destination has 16x16",
      "t.pto:23:8: error: 'pto.alloc_tile': valid columns 16 is out of range 0..1 (the tile's "
      "columns)",
      "t.pto:24:3: error: 'pto.trowsum': the destination's valid shape must be Rx1 with the "
      "source's rows (the source is 16x16), but it is 16x16",
      "t.pto:26:3: error: 'pto.tcolexpandmul': the first operand must have the destination's valid "
      "shape 16x16 and the second be one row of its width (1x16), but they are 16x16 and 1x8",
  };
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    if (!strstr(s, want[i])) fprintf(stderr, "missing: %s\n", want[i]);
    CHECK(strstr(s, want[i]) != NULL);
  }
  /* The tadd (after set_validshape 16x16), the tsub after the loop (unknown)
   * and the trowexpandmul with an Rx1 column are fine. */
  CHECK(strstr(s, "t.pto:15:") == NULL);
  CHECK(strstr(s, "t.pto:22:") == NULL);
  CHECK(strstr(s, "t.pto:28:") == NULL);
  free(s);
}

TEST(shapes_matmul_k) {
  bool ok;
  char *s = shapes(
      "func.func @mm() {\n"
      "  %c16 = arith.constant 16 : index\n"
      "  %c8 = arith.constant 8 : index\n"
      "  %a = pto.alloc_tile valid_row = %c16 valid_col = %c8 : !pto.tile_buf<left, 16x16xf32, valid=?x?>\n"
      "  %b = pto.alloc_tile : !pto.tile_buf<right, 16x16xf32, slayout=col_major>\n"
      "  %c = pto.alloc_tile : !pto.tile_buf<acc, 16x16xf32, blayout=col_major, slayout=row_major, fractal=1024>\n"
      "  pto.tmatmul ins(%a, %b : !pto.tile_buf<left, 16x16xf32, valid=?x?>, !pto.tile_buf<right, 16x16xf32, slayout=col_major>) outs(%c : !pto.tile_buf<acc, 16x16xf32, blayout=col_major, slayout=row_major, fractal=1024>)\n"
      "  return\n"
      "}\n",
      &ok);
  CHECK(!ok);
  CHECK(strstr(s, "t.pto:7:3: error: 'pto.tmatmul': K differs: A's valid columns are 8, B's valid "
                  "rows 16") != NULL);
  free(s);
}

TEST(shapes_corpus_clean) {
  const char *root = "../shared/corpus/pto";
  DIR *dir = opendir(root);
  if (!dir) return;
  struct dirent *e;
  while ((e = readdir(dir)) != NULL) {
    if (e->d_name[0] == '.') continue;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s/kernel.pto", root, e->d_name);
    pt_ir r = pt_load(path);
    if (r.m) {
      bool ok = ptk_check_shapes(r.m, r.d);
      if (!ok) ptk_diags_print(r.d, stderr);
      CHECK(ok);
    }
    pt_free(&r);
  }
  closedir(dir);
}
