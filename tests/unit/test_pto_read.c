/* Unit tests of the .pto reader, printer and ptk_ir_equal. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/diag.h"
#include "lang/ir/ir.h"
#include "parser/pto_print.h"
#include "parser/pto_read.h"
#include "tests/unit/ut.h"

/* Reads text; returns the module (NULL on error) and the rendered diagnostics. */
static ptk_module *rd(const char *text, ptk_source **src_out, char **diag_out) {
  ptk_source *src = ptk_source_from_string("t.pto", text, strlen(text));
  ptk_diags *d = ptk_diags_new();
  ptk_module *m = ptk_pto_read(src, d);
  ptk_buf b = {0};
  ptk_diags_render(d, &b, false);
  ptk_diags_free(d);
  if (diag_out)
    *diag_out = ptk_buf_take(&b);
  else
    ptk_buf_free(&b);
  *src_out = src;
  return m;
}

static char *fmt(const ptk_module *m) {
  ptk_buf b = {0};
  ptk_pto_print(m, &b);
  if (!b.data) ptk_buf_puts(&b, "");
  return ptk_buf_take(&b);
}

/* read → print → read → equal → print == print. Returns the first print. */
static char *roundtrip(const char *text) {
  ptk_source *s1, *s2;
  char *d1 = NULL, *d2 = NULL;
  ptk_module *m1 = rd(text, &s1, &d1);
  if (!CHECK(m1 != NULL)) {
    printf("    diagnostics: %s\n", d1);
    free(d1);
    ptk_source_free(s1);
    return NULL;
  }
  char *p1 = fmt(m1);
  ptk_module *m2 = rd(p1, &s2, &d2);
  if (!CHECK(m2 != NULL)) printf("    re-read diagnostics: %s\n    text:\n%s\n", d2, p1);
  if (m2) {
    ptk_buf why = {0};
    bool eq = ptk_ir_equal(m1, m2, &why);
    if (!CHECK(eq)) printf("    why: %s\n", ptk_buf_cstr(&why));
    ptk_buf_free(&why);
    char *p2 = fmt(m2);
    CHECK_STR(p2, p1);
    free(p2);
  }
  ptk_module_free(m1);
  ptk_module_free(m2);
  ptk_source_free(s1);
  ptk_source_free(s2);
  free(d1);
  free(d2);
  return p1;
}

/* Expects a read error whose rendering contains `want`. */
static void expect_error(const char *text, const char *want) {
  ptk_source *s;
  char *d = NULL;
  ptk_module *m = rd(text, &s, &d);
  CHECK(m == NULL);
  if (!CHECK(d && strstr(d, want))) printf("    wanted: %s\n    got: %s\n", want, d);
  ptk_module_free(m);
  ptk_source_free(s);
  free(d);
}

#define TILE "!pto.tile_buf<loc=vec, dtype=f32, rows=16, cols=16, v_row=16, v_col=16, blayout=row_major, slayout=none_box, fractal=512, pad=0>"

TEST(corpus_roundtrip) {
  const char *dir = "../shared/corpus/pto";
  DIR *dp = opendir(dir);
  if (!dp) return; /* corpus not present */
  struct dirent *e;
  int n = 0;
  while ((e = readdir(dp))) {
    if (e->d_name[0] == '.') continue;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s/kernel.pto", dir, e->d_name);
    size_t len;
    char *text = ptk_read_file(path, &len);
    if (!text) continue;
    n++;
    char *p = roundtrip(text);
    if (!p) printf("    in %s\n", path);
    free(p);
    free(text);
  }
  closedir(dp);
  CHECK(n > 0);
}

TEST(vadd_shape) {
  char *p = roundtrip("module {\n"
                      "  func.func @k(%a: !pto.ptr<f32>) {\n"
                      "    %c0 = arith.constant 0 : index\n"
                      "    %t = pto.alloc_tile : " TILE "\n"
                      "    return\n"
                      "  }\n"
                      "}\n");
  CHECK_STR(p, "module {\n"
               "  func.func @k(%arg0: !pto.ptr<f32>) {\n"
               "    %c0 = arith.constant 0 : index\n"
               "    %0 = pto.alloc_tile : !pto.tile_buf<vec, 16x16xf32>\n"
               "    return\n"
               "  }\n"
               "}\n");
  free(p);
}

TEST(tile_spellings_equal) {
  ptk_source *s1, *s2;
  ptk_module *a = rd("func.func @f() {\n %t = pto.alloc_tile : " TILE "\n return\n}\n", &s1, NULL);
  ptk_module *b = rd("func.func @f() {\n %t = pto.alloc_tile : !pto.tile_buf<vec, 16x16xf32>\n return\n}\n", &s2,
                     NULL);
  CHECK(a && b);
  if (a && b) CHECK(ptk_ir_equal(a, b, NULL));
  ptk_module_free(a);
  ptk_module_free(b);
  ptk_source_free(s1);
  ptk_source_free(s2);
  free(roundtrip("func.func @f(%n: index) {\n"
                 "  %t = pto.alloc_tile valid_row = %n valid_col = %n : !pto.tile_buf<acc, 16x32xf32, "
                 "valid=?x?, blayout=col_major, slayout=row_major, fractal=1024, pad=1, compact=2>\n"
                 "  %u = pto.alloc_tile valid_col = %n : !pto.tile_buf<loc=vec, dtype=f16, rows=1, cols=16, v_row=1, "
                 "v_col=-1, blayout=row_major, slayout=none_box, fractal=512, pad=0, compact=1>\n"
                 "  return\n}\n"));
}

TEST(tile_type_fields) {
  ptk_source *s;
  ptk_module *m = rd("func.func @f() {\n %t = pto.alloc_tile : !pto.tile_buf<loc=mat, dtype=bf16, rows=32, "
                     "cols=64, v_row=?, v_col=7, blayout=col_major, slayout=row_major, fractal=512, pad=2>\n"
                     " return\n}\n",
                     &s, NULL);
  CHECK(m);
  if (m) {
    ptk_op *op = ptk_func_entry(m->items[0].func)->first;
    const ptk_type *t = op->results[0].type;
    CHECK_INT(t->kind, PTK_TY_TILE_BUF);
    CHECK_INT(t->tile.loc, PTK_SPACE_MAT);
    CHECK(ptk_type_is_scalar(t->tile.elem, PTK_DT_BF16));
    CHECK_INT(t->tile.rows, 32);
    CHECK_INT(t->tile.cols, 64);
    CHECK(t->tile.v_row == PTK_DYN);
    CHECK_INT(t->tile.v_col, 7);
    CHECK_INT(t->tile.blayout, PTK_BLAYOUT_COL_MAJOR);
    CHECK_INT(t->tile.slayout, PTK_SLAYOUT_ROW_MAJOR);
    CHECK_INT(t->tile.pad, 2);
    char *str = ptk_type_str(t);
    CHECK_STR(str, "!pto.tile_buf<mat, 32x64xbf16, valid=?x7, blayout=col_major, slayout=row_major, pad=2>");
    free(str);
  }
  ptk_module_free(m);
  ptk_source_free(s);
}

TEST(multi_results_and_hash_uses) {
  char *p = roundtrip("func.func @f(%a: i32, %b: i32) -> i32 {\n"
                      "  %lo, %hi = arith.mulsi_extended %a, %b : i32\n"
                      "  %s:2 = arith.addui_extended %lo, %hi : i32, i1\n"
                      "  %r = arith.addi %s#0, %hi : i32\n"
                      "  return %r : i32\n"
                      "}\n");
  CHECK(p && strstr(p, "%0:2 = arith.mulsi_extended %arg0, %arg1 : i32"));
  CHECK(p && strstr(p, "%1:2 = arith.addui_extended %0#0, %0#1 : i32, i1"));
  CHECK(p && strstr(p, "%2 = arith.addi %1#0, %0#1 : i32"));
  free(p);
}

TEST(hex_and_floats) {
  char *p = roundtrip("func.func @f() {\n"
                      "  %a = arith.constant 0xFF : i32\n"
                      "  %b = arith.constant 0xFF800000 : f32\n"
                      "  %c = arith.constant 1.767767e-01 : f32\n"
                      "  %d = arith.constant 9.99999999999999955e-07 : f32\n"
                      "  %e = arith.constant -2.5 : f64\n"
                      "  %g = arith.constant 0x7C00 : f16\n"
                      "  %h = arith.constant 0xFF : i8\n"
                      "  %i = arith.constant 1.5 : bf16\n"
                      "  return\n"
                      "}\n");
  CHECK(p && strstr(p, "%c255_i32 = arith.constant 255 : i32"));
  CHECK(p && strstr(p, "arith.constant 0xFF800000 : f32"));
  CHECK(p && strstr(p, "arith.constant 1.767767e-01 : f32"));
  CHECK(p && strstr(p, "arith.constant 1.000000e-06 : f32"));
  CHECK(p && strstr(p, "arith.constant -2.500000e+00 : f64"));
  CHECK(p && strstr(p, "arith.constant 0x7C00 : f16"));
  CHECK(p && strstr(p, "%c-1_i8 = arith.constant -1 : i8"));
  CHECK(p && strstr(p, "arith.constant 1.500000e+00 : bf16"));
  free(p);
}

TEST(comments_loc_multiline) {
  char *p = roundtrip("// header\n"
                      "module {\n"
                      "  func.func @f() { // trailing\n"
                      "    %t = pto.alloc_tile\n"
                      "      : !pto.tile_buf<loc=vec, dtype=f32, rows=16, cols=16,\n"
                      "                      v_row=16, v_col=16, blayout=row_major, slayout=none_box,\n"
                      "                      fractal=512, pad=0> loc(\"x.py\":3:4)\n"
                      "    return loc(unknown)\n"
                      "  }\n"
                      "}\n");
  CHECK(p && strstr(p, "%0 = pto.alloc_tile : !pto.tile_buf<vec, 16x16xf32>"));
  free(p);
}

TEST(scf_while_blocks) {
  char *p = roundtrip("func.func @w() {\n"
                      "  %c0 = arith.constant 0 : index\n"
                      "  %c1 = arith.constant 1 : index\n"
                      "  %c4 = arith.constant 4 : index\n"
                      "  %true = arith.constant true\n"
                      "  %r:2 = scf.while (%i = %c0, %ok = %true) : (index, i1) -> (index, i1) {\n"
                      "    %lt = arith.cmpi slt, %i, %c4 : index\n"
                      "    %go = arith.andi %lt, %ok : i1\n"
                      "    scf.condition(%go) %i, %ok : index, i1\n"
                      "  } do {\n"
                      "  ^bb0(%i2: index, %ok2: i1):\n"
                      "    %n = arith.addi %i2, %c1 : index\n"
                      "    scf.yield %n, %ok2 : index, i1\n"
                      "  }\n"
                      "  return\n"
                      "}\n");
  CHECK(p && strstr(p, "%0:2 = scf.while (%arg0 = %c0, %arg1 = %true) : (index, i1) -> (index, i1) {"));
  CHECK(p && strstr(p, "^bb0(%arg2: index, %arg3: i1):"));
  CHECK(p && strstr(p, "scf.condition(%2) %arg0, %arg1 : index, i1"));
  free(p);
}

TEST(modules_calls_visibility) {
  char *p = roundtrip("module attributes {pto.target_arch = \"a5\"} {\n"
                      "  module @inner attributes {pto.backend = \"vpto\"} {\n"
                      "    func.func private @ext(i32, f32) -> i32\n"
                      "  }\n"
                      "  func.func private @helper(%x: i32) -> i32 attributes {pto.tileop.helper} {\n"
                      "    return %x : i32\n"
                      "  }\n"
                      "  func.func @main(%x: i32) attributes {pto.entry, pto.kernel_kind = #pto.kernel_kind<vector>} {\n"
                      "    %y = func.call @helper(%x) : (i32) -> i32\n"
                      "    call @sink(%y) : (i32) -> ()\n"
                      "    func.return\n"
                      "  }\n"
                      "  func.func public @sink(%v: i32) {\n"
                      "    return\n"
                      "  }\n"
                      "}\n");
  CHECK(p && strstr(p, "module @inner attributes {pto.backend = \"vpto\"} {"));
  CHECK(p && strstr(p, "func.func private @ext(i32, f32) -> i32\n"));
  CHECK(p && strstr(p, "%0 = func.call @helper(%arg0) : (i32) -> i32"));
  CHECK(p && strstr(p, "func.call @sink(%0) : (i32) -> ()"));
  CHECK(p && strstr(p, "attributes {pto.entry, pto.kernel_kind = #pto.kernel_kind<vector>}"));
  free(p);
  /* implicit top-level module */
  p = roundtrip("func.func @a() {\n return\n}\nfunc.func @b() {\n return\n}\n");
  CHECK(p && strncmp(p, "module {\n  func.func @a() {", 26) == 0);
  free(p);
}

TEST(generic_form) {
  char *p = roundtrip("func.func @g(%a: i32, %b: i32) {\n"
                      "  %t = pto.alloc_tile : " TILE "\n"
                      "  %u = pto.alloc_tile : " TILE "\n"
                      "  %c = \"arith.addi\"(%a, %b) : (i32, i32) -> i32\n"
                      "  %p = \"arith.cmpi\"(%a, %c) {predicate = 2 : i64} : (i32, i32) -> i1\n"
                      "  \"pto.tmov\"(%t, %u) <{operandSegmentSizes = array<i32: 1, 1>}> : (" TILE ", " TILE ") -> ()\n"
                      "  \"pto.tgather\"(%t, %u) <{maskPattern = #pto.mask_pattern<P0101>}> : (" TILE ", " TILE ") -> ()\n"
                      "  \"scf.if\"(%p) ({\n"
                      "    \"pto.tadd\"(%t, %t, %u) : (" TILE ", " TILE ", " TILE ") -> ()\n"
                      "    \"scf.yield\"() : () -> ()\n"
                      "  }, {\n"
                      "  }) : (i1) -> ()\n"
                      "  \"func.return\"() : () -> ()\n"
                      "}\n");
  CHECK(p && strstr(p, "%2 = arith.addi %arg0, %arg1 : i32"));
  CHECK(p && strstr(p, "%3 = arith.cmpi slt, %arg0, %2 : i32"));
  CHECK(p && strstr(p, "pto.tmov ins(%0 : !pto.tile_buf<vec, 16x16xf32>) outs(%1 : !pto.tile_buf<vec, 16x16xf32>)"));
  CHECK(p && strstr(p, "pto.tgather ins(%0, {maskPattern = #pto.mask_pattern<P0101>} : !pto.tile_buf<vec, "
                       "16x16xf32>) outs(%1 : !pto.tile_buf<vec, 16x16xf32>)"));
  CHECK(p && strstr(p, "pto.tadd ins(%0, %0 :"));
  free(p);
  /* Generic-only ops print in the generic form. */
  p = roundtrip("func.func @g(%x: i32) {\n"
                "  \"pto.set_quant_scalar\"(%x) {mode = 1 : i32} : (i32) -> ()\n"
                "  return\n}\n");
  CHECK(p && strstr(p, "\"pto.set_quant_scalar\"(%arg0) {mode = 1 : i32} : (i32) -> ()"));
  free(p);
}

TEST(custom_syntaxes) {
  char *p = roundtrip(
      "func.func @s(%p: !pto.ptr<f32>, %s: f32, %i: index, %n: i32) {\n"
      "  %c0 = arith.constant 0 : index\n"
      "  %t = pto.alloc_tile : " TILE "\n"
      "  %m = pto.alloc_tile : !pto.tile_buf<vec, 16x32xui8>\n"
      "  pto.tcmp ins(%t, %t {cmpMode = #pto<cmp lt>} : " TILE ", " TILE ") outs(%m : !pto.tile_buf<vec, 16x32xui8>)\n"
      "  pto.tcmps ins(%t, %s {cmpMode = #pto<cmp ge>} : " TILE ", f32) outs(%m : !pto.tile_buf<vec, 16x32xui8>)\n"
      "  pto.tcvt ins(%t{rmode = #pto<round_mode ROUND>} : " TILE ") outs(%t : " TILE ")\n"
      "  pto.tcvt ins(%t : " TILE ") outs(%t : " TILE ") {rmode = #pto<round_mode FLOOR>, satmode = #pto<saturation_mode ON>}\n"
      "  pto.tdivs ins(%s, %t : f32, " TILE ") outs(%t : " TILE ")\n"
      "  pto.tdivs ins(%t, %s : " TILE ", f32) outs(%t : " TILE ")\n"
      "  pto.trowexpandmul ins(%t, %t : " TILE ", " TILE ") outs(%t : " TILE ")\n"
      "  pto.trowexpandmul ins(%t, %t, %t : " TILE ", " TILE ", " TILE ") outs(%t : " TILE ")\n"
      "  pto.tcolsum ins(%t : " TILE ") outs(%t : " TILE ") {isBinary = false}\n"
      "  pto.tcolsum ins(%t, %t {isBinary = true} : " TILE ", " TILE ") outs(%t : " TILE ")\n"
      "  pto.set_flag[<PIPE_MTE2>, <PIPE_V>, <EVENT_ID0>]\n"
      "  pto.wait_flag[#pto.pipe<PIPE_MTE2>, #pto.pipe<PIPE_V>, #pto.event<EVENT_ID0>]\n"
      "  pto.set_flag_dyn[#pto.pipe<PIPE_MTE2>, #pto.pipe<PIPE_MTE3>, %i]\n"
      "  pto.record_event [#pto.pipe_event_type<TLOAD>, #pto.pipe_event_type<TVEC>, #pto.event<EVENT_ID0>]\n"
      "  pto.barrier <PIPE_ALL>\n"
      "  pto.barrier #pto.pipe<PIPE_V>\n"
      "  pto.barrier_sync [<TMATMUL>]\n"
      "  pto.get_buf [#pto.pipe_event_type<TVEC>, 0] { mode = 0 }\n"
      "  pto.sync.set <PIPE_FIX>, 0\n"
      "  pto.sync.wait <PIPE_FIX>, 1\n"
      "  pto.syncall() mode = #pto.sync_all_mode<hard>, core_type = #pto.sync_core_type<mix>\n"
      "  pto.fence.barrier_all #pto.fence_scope<gm>\n"
      "  %b = pto.get_block_idx\n"
      "  %bn = pto.get_block_num\n"
      "  %sb = pto.get_subblock_idx\n"
      "  %sn = pto.get_subblock_num\n"
      "  %sv = pto.subview %t[%c0, %c0] sizes [8, 8] : " TILE " -> !pto.tile_buf<vec, 8x8xf32>\n"
      "  %sv2 = pto.subview %t[%c0, %c0] sizes [8, 8] valid [%i, %i] : " TILE "\n"
      "  %r = pto.treshape %t : " TILE " -> !pto.tile_buf<vec, 8x32xf32>\n"
      "  pto.set_validshape %sv2, %i, %i : !pto.tile_buf<vec, 8x8xf32, valid=?x?>\n"
      "  %vr, %vc = pto.get_validshape %sv2 : !pto.tile_buf<vec, 8x8xf32, valid=?x?>\n"
      "  %q = pto.addptr %p, %i : !pto.ptr<f32> -> !pto.ptr<f32>\n"
      "  %v = pto.load_scalar %q[%i] : !pto.ptr<f32> -> f32\n"
      "  pto.store_scalar %v, %q[%i] : !pto.ptr<f32>, f32\n"
      "  pto.tprint ins(%t : " TILE ")\n"
      "  pto.print ins(\"x=%f\\n\", %v : f32)\n"
      "  %gv = pto.tgetval ins(%t, %i : " TILE ", index) outs : f32\n"
      "  pto.tsetval ins(%i, %gv : index, f32) outs(%t : " TILE ")\n"
      "  pto.section.cube {\n"
      "    pto.tci ins(%n {descending = true} : i32) outs(%t : " TILE ")\n"
      "  }\n"
      "  pto.section.vector {\n"
      "  }\n"
      "  pto.trap\n"
      "  return\n"
      "}\n");
  CHECK(p && strstr(p, "pto.tcmp ins(%0, %0 {cmpMode = #pto<cmp lt>} : "));
  CHECK(p && strstr(p, "pto.tcvt ins(%0 {rmode = #pto<round_mode FLOOR>, sat_mode = #pto<saturation_mode ON>} : "));
  CHECK(p && strstr(p, "pto.tdivs ins(%arg1, %0 : f32, !pto.tile_buf"));
  CHECK(p && strstr(p, "pto.tcolsum ins(%0 : !pto.tile_buf<vec, 16x16xf32>) outs(%0 : !pto.tile_buf<vec, 16x16xf32>) {isBinary = false}"));
  CHECK(p && strstr(p, "pto.tcolsum ins(%0, %0 {isBinary = true} : "));
  CHECK(p && strstr(p, "pto.set_flag[<PIPE_MTE2>, <PIPE_V>, <EVENT_ID0>]\n"));
  CHECK(p && strstr(p, "pto.wait_flag[<PIPE_MTE2>, <PIPE_V>, <EVENT_ID0>]\n"));
  CHECK(p && strstr(p, "pto.set_flag_dyn[<PIPE_MTE2>, <PIPE_MTE3>, %arg2]\n"));
  CHECK(p && strstr(p, "pto.record_event[#pto.pipe_event_type<TLOAD>, #pto.pipe_event_type<TVEC>, #pto.event<EVENT_ID0>]\n"));
  CHECK(p && strstr(p, "pto.barrier <PIPE_V>\n"));
  CHECK(p && strstr(p, "pto.barrier_sync[<TMATMUL>]\n"));
  CHECK(p && strstr(p, "pto.get_buf[#pto.pipe_event_type<TVEC>, 0] {mode = 0}\n"));
  CHECK(p && strstr(p, "pto.sync.set <PIPE_FIX>, 0\n"));
  CHECK(p && strstr(p, "pto.syncall() mode = #pto.sync_all_mode<hard>, core_type = #pto.sync_core_type<mix>\n"));
  CHECK(p && strstr(p, "pto.fence.barrier_all #pto.fence_scope<gm>\n"));
  CHECK(p && strstr(p, "%2 = pto.get_block_idx\n"));
  CHECK(p && strstr(p, "pto.subview %0[%c0, %c0] sizes [8, 8] valid [%arg2, %arg2] : "));
  CHECK(p && strstr(p, "%9:2 = pto.get_validshape %7 : !pto.tile_buf<vec, 8x8xf32, valid=?x?>"));
  CHECK(p && strstr(p, "pto.store_scalar %11, %10[%arg2] : !pto.ptr<f32>, f32"));
  CHECK(p && strstr(p, "pto.print ins(\"x=%f\\n\", %11 : f32)"));
  CHECK(p && strstr(p, "%12 = pto.tgetval ins(%0, %arg2 : !pto.tile_buf<vec, 16x16xf32>, index) outs : f32"));
  CHECK(p && strstr(p, "    pto.tci ins(%arg3 {descending = true} : i32) outs("));
  free(p);
}

TEST(values_and_ops_link) {
  ptk_source *s;
  ptk_module *m = rd("func.func @f(%x: index) {\n"
                     "  %c = arith.constant 3 : index\n"
                     "  %y = arith.addi %x, %c : index\n"
                     "  scf.for %i = %c to %y step %c {\n"
                     "    %z = arith.muli %i, %y : index\n"
                     "  }\n"
                     "  return\n}\n",
                     &s, NULL);
  CHECK(m);
  if (m) {
    ptk_func *f = ptk_module_find_func(m, "f");
    CHECK(f && f->nargs == 1);
    ptk_block *b = ptk_func_entry(f);
    ptk_op *c = b->first, *add = c->next, *loop = add->next;
    CHECK_INT(c->kind, PTK_OP_ARITH_CONSTANT);
    int64_t v = 0;
    CHECK(ptk_attr_get_int(ptk_op_attr(c, "value"), &v) && v == 3);
    CHECK_INT(add->kind, PTK_OP_ARITH_ADDI);
    CHECK(add->operands[0] == ptk_func_arg(f, 0));
    CHECK(add->operands[1] == &c->results[0]);
    CHECK(add->results[0].def == add);
    CHECK_INT(loop->kind, PTK_OP_SCF_FOR);
    ptk_block *body = loop->regions[0].first;
    CHECK(body && body->nargs == 1);
    ptk_op *mul = body->first;
    CHECK(mul->operands[0] == body->args[0] && body->args[0]->block == body);
    CHECK(ptk_op_func(mul) == f);
    CHECK_INT(loop->nresults, 0);
    CHECK_INT(c->loc.line, 2);
    CHECK_INT(c->loc.col, 8);
  }
  ptk_module_free(m);
  ptk_source_free(s);
}

TEST(errors_located) {
  expect_error("func.func @f() {\n  pto.tadx ins() outs()\n}\n",
               "t.pto:2:3: error: unknown operation 'pto.tadx'");
  expect_error("func.func @f() {\n  pto.tadx ins() outs()\n}\n", "note: did you mean 'pto.tadd'?");
  expect_error("func.func @f() {\n  %a = arith.addi %x, %x : i32\n}\n", "t.pto:2:19: error: use of undefined value '%x'");
  expect_error("func.func @f(%x: i32) {\n  %x = arith.addi %x, %x : i32\n}\n", "t.pto:2:3: error: redefinition of value '%x'");
  expect_error("func.func @f(%x: i32) {\n  %a = arith.addi %x, %x : index\n}\n", "t.pto:2:19: error: type mismatch");
  expect_error("func.func @f() {\n  %t = pto.alloc_tile : !pto.tile_buf<loc=vec, rows=16, dtype=f32, cols=16, v_row=16, "
               "v_col=16, blayout=row_major, slayout=none_box, fractal=512, pad=0>\n}\n",
               "t.pto:2:48: error: tile_buf keys out of order: expected 'dtype' but found 'rows'");
  expect_error("func.func @f() {\n  %t = pto.alloc_tile : !pto.tile_buf<loc=ub, dtype=f32, rows=16, cols=16, v_row=16, "
               "v_col=16, blayout=row_major, slayout=none_box, fractal=512, pad=0>\n}\n",
               "t.pto:2:39: error: unknown tile location 'ub'");
  expect_error("func.func @f() {\n  %t = pto.alloc_tile : !pto.tile_buf<loc=vec, dtype=f32, rows=16, cols=16, v_row=16, "
               "v_col=16, blayout=row_major, slayout=none_box, fractal=512, pad=zero>\n}\n",
               "error: 'pad' must be an integer");
  expect_error("func.func @f() {\n  return\n", "t.pto:1:16: error: unterminated region");
  expect_error("func.func @f(%x: i32) {\n  %a = arith.addi %x, %x : i32, i32\n}\n", "type annotation count mismatch");
  expect_error("func.func @f(%x: i32) {\n  %a = arith.addi %x : i32\n}\n",
               "t.pto:2:8: error: wrong number of operands for 'arith.addi': expected 2, got 1");
  expect_error("func.func @f() {\n  %a = pto.get_block_idx\n  %b = pto.trap\n}\n",
               "t.pto:3:3: error: 'pto.trap' has 0 results but 1 name is bound");
  expect_error("func.func @f(%x: i32) {\n  %a = arith.addi %x, %x : i32\n  %b = arith.addi %a#1, %x : i32\n}\n",
               "t.pto:3:19: error: result number 1 of '%a' is out of range");
  expect_error("func.func @f( {\n}\n", "t.pto:1:15: error:");
  expect_error("func.func @f() {\n  %a = arith.constant 300 : i8\n}\n", "out of range for type 'i8'");
  expect_error("func.func @f() {\n  \"pto.nope\"() : () -> ()\n}\n", "t.pto:2:4: error: unknown operation 'pto.nope'");
  expect_error("func.func @f(%a: i32) {\n  %x = \"arith.cmpi\"(%a, %a) : (i32, i32) -> i1\n}\n",
               "t.pto:2:9: error: 'arith.cmpi' is missing the required attribute 'predicate'");
  expect_error("\x01", "t.pto:1:1: error: unexpected character U+0001");
}

TEST(build_programmatically) {
  ptk_module *m = ptk_module_new();
  const ptk_type *f32 = ptk_type_scalar(PTK_DT_F32);
  const ptk_type *ptr = ptk_type_ptr(m, f32, PTK_SPACE_GM);
  const ptk_type *args[] = {ptr, f32};
  ptk_func *f = ptk_func_new(m, "k", args, 2, NULL, 0, false, (ptk_loc){0});
  ptk_func_set_attr(f, "pto.entry", ptk_attr_unit(m));
  ptk_block *b = ptk_func_entry(f);
  ptk_value *c32 = ptk_build_const_int(m, b, 32, ptk_type_scalar(PTK_DT_INDEX), (ptk_loc){0});
  ptk_value *c1 = ptk_build_const_int(m, b, 1, ptk_type_scalar(PTK_DT_INDEX), (ptk_loc){0});
  ptk_value *one = ptk_build_const_float(m, b, 1.0, f32, (ptk_loc){0});
  int64_t dyn[2] = {PTK_DYN, PTK_DYN};
  const ptk_type *tv = ptk_type_tensor_view(m, 2, dyn, f32);
  ptk_value *ops[] = {ptk_func_arg(f, 0), c32, c32, c32, c1};
  ptk_op *mtv = ptk_build(m, b, PTK_OP_MAKE_TENSOR_VIEW, ops, 5, &tv, 1, (ptk_loc){0});
  uint32_t segs[3] = {1, 2, 2};
  ptk_op_set_segments(m, mtv, segs, 3);
  ptk_tile_desc d = ptk_tile_desc_make(PTK_SPACE_VEC, f32, 32, 32);
  const ptk_type *tt = ptk_type_tile_buf(m, &d);
  CHECK(tt == ptk_type_tile_buf(m, &d)); /* interned */
  ptk_op *al = ptk_build(m, b, PTK_OP_ALLOC_TILE, NULL, 0, &tt, 1, (ptk_loc){0});
  ptk_value *t = &al->results[0];
  ptk_value *ins[] = {t, one};
  ptk_build_dps(m, b, PTK_OP_TADDS, ins, 2, &t, 1, (ptk_loc){0});
  ptk_build(m, b, PTK_OP_FUNC_RETURN, NULL, 0, NULL, 0, (ptk_loc){0});
  char *p = fmt(m);
  CHECK_STR(p, "module {\n"
               "  func.func @k(%arg0: !pto.ptr<f32>, %arg1: f32) attributes {pto.entry} {\n"
               "    %c32 = arith.constant 32 : index\n"
               "    %c1 = arith.constant 1 : index\n"
               "    %cst = arith.constant 1.000000e+00 : f32\n"
               "    %0 = pto.make_tensor_view %arg0, shape = [%c32, %c32], strides = [%c32, %c1] : "
               "!pto.tensor_view<?x?xf32>\n"
               "    %1 = pto.alloc_tile : !pto.tile_buf<vec, 32x32xf32>\n"
               "    pto.tadds ins(%1, %cst : !pto.tile_buf<vec, 32x32xf32>, f32) outs(%1 : !pto.tile_buf<vec, 32x32xf32>)\n"
               "    return\n"
               "  }\n"
               "}\n");
  ptk_source *s;
  ptk_module *m2 = rd(p, &s, NULL);
  CHECK(m2 != NULL);
  ptk_buf why = {0};
  if (m2) CHECK(ptk_ir_equal(m, m2, &why));
  ptk_buf_free(&why);
  ptk_module_free(m2);
  ptk_source_free(s);
  free(p);
  ptk_module_free(m);
}

TEST(ir_equal_why) {
  ptk_source *s1, *s2;
  ptk_module *a = rd("func.func @f(%x: i32) {\n %a = arith.addi %x, %x : i32\n return\n}\n", &s1, NULL);
  ptk_module *b = rd("func.func @f(%x: i32) {\n %a = arith.subi %x, %x : i32\n return\n}\n", &s2, NULL);
  ptk_buf why = {0};
  CHECK(a && b && !ptk_ir_equal(a, b, &why));
  CHECK(strstr(ptk_buf_cstr(&why), "'arith.addi' vs 'arith.subi'") != NULL);
  ptk_buf_free(&why);
  ptk_module_free(a);
  ptk_module_free(b);
  ptk_source_free(s1);
  ptk_source_free(s2);
}

TEST(op_table) {
  CHECK_INT(ptk_op_lookup("pto.tadd", 8), PTK_OP_TADD);
  CHECK_INT(ptk_op_lookup("return", 6), PTK_OP_FUNC_RETURN);
  CHECK_INT(ptk_op_lookup("pto.tadx", 8), PTK_OP__INVALID);
  CHECK_STR(ptk_op_suggest("pto.tadx", 8), "pto.tadd");
  CHECK_STR(ptk_op_suggest("tmatmul", 7), "pto.tmatmul");
  CHECK(ptk_op_suggest("completely_unrelated_name", 25) == NULL);
  CHECK_STR(ptk_op_table[PTK_OP_TMATMUL_ACC].name, "pto.tmatmul.acc");
  CHECK_STR(ptk_op_table[PTK_OP_TMATMUL_ACC].id, "TMATMUL_ACC");
  CHECK_INT(ptk_op_kind_nsegments(PTK_OP_TADD), 2);
  CHECK_INT(ptk_op_kind_nsegments(PTK_OP_ALLOC_TILE), 3);
  /* every mnemonic is unique and found again */
  for (int i = 0; i < PTK_OP__COUNT; i++)
    CHECK_INT(ptk_op_lookup(ptk_op_table[i].name, strlen(ptk_op_table[i].name)), i);
  CHECK_INT(ptk_attr_enum_index(NULL, "cmp"), -1);
}

static bool count_op(ptk_op *op, void *ctx) {
  (void)op;
  (*(int *)ctx)++;
  return true;
}

TEST(walk_edit_api) {
  ptk_source *s;
  ptk_module *m = rd("module {\n module @n {\n  func.func @inner(%x: index) {\n"
                     "   %a = arith.addi %x, %x : index\n"
                     "   scf.for %i = %x to %a step %x {\n    %b = arith.muli %i, %a : index\n   }\n"
                     "   return\n  }\n }\n}\n",
                     &s, NULL);
  CHECK(m != NULL);
  if (m) {
    CHECK(ptk_module_find_func(m, "inner") == NULL);
    ptk_func *f = ptk_module_find_func_nested(m, "inner");
    CHECK(f != NULL);
    int n = 0;
    ptk_walk_module(m, count_op, &n);
    CHECK_INT(n, 4); /* addi, for, muli, return */
    ptk_block *b = ptk_func_entry(f);
    ptk_op *add = b->first, *loop = add->next;
    /* replace %a by %x everywhere inside the loop body, then drop the addi */
    ptk_region_replace_uses(&loop->regions[0], &add->results[0], ptk_func_arg(f, 0));
    ptk_op_set_operand(loop, 1, ptk_func_arg(f, 0));
    ptk_op_unlink(add);
    CHECK(b->first == loop);
    ptk_value *c = ptk_build_const_int(m, NULL, 7, ptk_type_scalar(PTK_DT_INDEX), (ptk_loc){0});
    ptk_op_insert_before(loop, c->def);
    CHECK(b->first == c->def && c->def->next == loop);
    char *p = fmt(m);
    CHECK(p && strstr(p, "    func.func @inner(%arg0: index) {\n      %c7 = arith.constant 7 : index\n"
                         "      scf.for %arg1 = %arg0 to %arg0 step %arg0 {\n"
                         "        %0 = arith.muli %arg1, %arg0 : index\n"));
    free(p);
  }
  ptk_module_free(m);
  ptk_source_free(s);
}

TEST(type_helpers) {
  ptk_module *m = ptk_module_new();
  const ptk_type *f16 = ptk_type_scalar(PTK_DT_F16);
  int64_t d[2] = {PTK_DYN, 8};
  const ptk_type *a = ptk_type_part_view(m, 2, d, f16), *b = ptk_type_part_view(m, 2, d, f16);
  CHECK(a == b && ptk_type_equal(a, b));
  CHECK(!ptk_type_equal(a, ptk_type_tensor_view(m, 2, d, f16)));
  char *s = ptk_type_str(a);
  CHECK_STR(s, "!pto.partition_tensor_view<?x8xf16>");
  free(s);
  ptk_dtype dt;
  CHECK(ptk_type_elem_dtype(a, &dt) && dt == PTK_DT_F16);
  CHECK_INT(ptk_dtype_bytes(PTK_DT_BF16), 2);
  CHECK_INT(ptk_dtype_bytes(PTK_DT_I1), 1);
  CHECK_STR(ptk_space_name(PTK_SPACE_SCALING), "scaling");
  const ptk_attr *e = ptk_attr_pto_enum(m, "cmp", "le");
  CHECK_INT(e->en.spelling, PTK_ENUM_ANGLE);
  CHECK_INT(ptk_attr_enum_index(e, "cmp"), 3);
  ptk_buf out = {0};
  ptk_attr_print(e, &out);
  CHECK_STR(ptk_buf_cstr(&out), "#pto<cmp le>");
  ptk_buf_clear(&out);
  ptk_attr_print(ptk_attr_float(m, 1.0 / 3.0, ptk_type_scalar(PTK_DT_BF16)), &out);
  CHECK_STR(ptk_buf_cstr(&out), "3.339844e-01 : bf16");
  ptk_buf_free(&out);
  CHECK_UINT(ptk_float_to_bits(1.0, PTK_DT_F16), 0x3C00);
  CHECK_UINT(ptk_float_to_bits(-2.0, PTK_DT_BF16), 0xC000);
  CHECK_UINT(ptk_float_to_bits(65520.0, PTK_DT_F16), 0x7C00); /* rounds to inf */
  CHECK_DBL(ptk_float_from_bits(0x0001, PTK_DT_F16), 5.960464477539063e-08, 0);
  CHECK_STR(ptk_cmpi_name(PTK_CMPI_sge), "sge");
  ptk_module_free(m);
}
