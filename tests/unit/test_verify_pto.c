/* The verifier on IR read from .pto text: every corpus kernel verifies
 * clean; located diagnostics (file:line:col, source line, caret, notes);
 * IR broken after reading, as a buggy pass would (ops moved or removed). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/verify.h"
#include "parser/pto_read.h"
#include "tests/unit/ut.h"

typedef struct {
  ptk_source *src;
  ptk_diags *d;
  ptk_module *m;
} R;

static R rd(const char *text) {
  R r;
  r.src = ptk_source_from_string("t.pto", text, strlen(text));
  r.d = ptk_diags_new();
  r.m = ptk_pto_read(r.src, r.d);
  return r;
}

static void done(R *r) {
  ptk_module_free(r->m);
  ptk_diags_free(r->d);
  ptk_source_free(r->src);
}

static char *render(ptk_diags *d) {
  ptk_buf b = {0};
  ptk_diags_render(d, &b, false);
  return ptk_buf_take(&b);
}

/* Reads text (which must read without errors), verifies, returns the rendering. */
static char *verify_text(const char *text, bool *ok) {
  R r = rd(text);
  CHECK(r.m != NULL);
  char *out;
  if (!r.m) {
    out = render(r.d);
    *ok = false;
  } else {
    *ok = ptk_verify_module(r.m, r.d);
    out = render(r.d);
  }
  done(&r);
  return out;
}

TEST(corpus_kernels_verify_clean) {
  const char *root = "../shared/corpus/pto";
  DIR *dir = opendir(root);
  if (!dir) return; /* corpus not present */
  int n = 0;
  struct dirent *e;
  while ((e = readdir(dir)) != NULL) {
    if (e->d_name[0] == '.') continue;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s/kernel.pto", root, e->d_name);
    ptk_source *src = ptk_source_load(path);
    if (!src) continue;
    ptk_diags *d = ptk_diags_new();
    ptk_module *m = ptk_pto_read(src, d);
    CHECK(m != NULL);
    bool ok = m && ptk_verify_module(m, d);
    if (!ok) {
      char *s = render(d);
      fprintf(stderr, "%s", s);
      free(s);
    }
    CHECK(ok);
    CHECK_INT(ptk_diags_errors(d), 0);
    n++;
    ptk_module_free(m);
    ptk_diags_free(d);
    ptk_source_free(src);
  }
  closedir(dir);
  CHECK(n >= 10);
}

TEST(located_error_with_notes) {
  bool ok;
  char *s = verify_text("func.func private @helper(i32, f32) -> i32\n"
                        "func.func @k(%a: i32, %b: f16) {\n"
                        "  %r = func.call @helper(%a, %b) : (i32, f16) -> i32\n"
                        "  return\n"
                        "}\n",
                        &ok);
  CHECK(!ok);
  CHECK_STR(s, "t.pto:3:8: error: 'func.call' argument #1 has type f16, but '@helper' parameter #1 "
               "has type f32\n"
               "  %r = func.call @helper(%a, %b) : (i32, f16) -> i32\n"
               "       ^~~~~~~~~\n"
               "t.pto:1:19: note: '@helper' is declared here\n"
               "func.func private @helper(i32, f32) -> i32\n"
               "                  ^~~~~~~\n");
  free(s);
}

TEST(matmul_message) {
  bool ok;
  char *s = verify_text(
      "func.func @k() {\n"
      "  %a = pto.alloc_tile : !pto.tile_buf<left, 16x32xf16>\n"
      "  %b = pto.alloc_tile : !pto.tile_buf<right, 64x16xf16>\n"
      "  %c = pto.alloc_tile : !pto.tile_buf<acc, 16x16xf32, blayout=col_major, slayout=row_major, "
      "fractal=1024>\n"
      "  pto.tmatmul ins(%a, %b : !pto.tile_buf<left, 16x32xf16>, !pto.tile_buf<right, 64x16xf16>) "
      "outs(%c : "
      "!pto.tile_buf<acc, 16x16xf32, blayout=col_major, slayout=row_major, fractal=1024>)\n"
      "  return\n"
      "}\n",
      &ok);
  CHECK(!ok);
  CHECK(strstr(s, "t.pto:5:3: error: 'pto.tmatmul': A.cols (32) must equal B.rows (64)\n") != NULL);
  free(s);
}

/* The verifier catches what a buggy pass leaves behind. */
TEST(ops_moved_or_removed_after_reading) {
  R r = rd("func.func @k() {\n"
           "  %c1 = arith.constant 1 : index\n"
           "  %x = arith.addi %c1, %c1 : index\n"
           "  %y = arith.muli %x, %x : index\n"
           "  return\n"
           "}\n");
  CHECK(r.m != NULL);
  if (!r.m) return;
  ptk_block *b = ptk_func_entry(ptk_module_find_func(r.m, "k"));
  ptk_op *cst = b->first, *add = cst->next, *mul = add->next;
  /* Hoist the addi above the constant it uses. */
  ptk_op_unlink(add);
  ptk_op_insert_before(cst, add);
  CHECK(!ptk_verify_module(r.m, r.d));
  char *s = render(r.d);
  CHECK_STR(s, "t.pto:3:8: error: use of value '%c1' before its definition\n"
               "  %x = arith.addi %c1, %c1 : index\n"
               "       ^~~~~~~~~~\n"
               "t.pto:2:9: note: value '%c1' is defined here\n"
               "  %c1 = arith.constant 1 : index\n"
               "        ^~~~~~~~~~~~~~\n");
  free(s);
  /* Put it back and erase it instead: its user now refers to nothing. */
  ptk_diags_clear(r.d);
  ptk_op_unlink(add);
  ptk_op_insert_before(mul, add);
  CHECK(ptk_verify_module(r.m, r.d));
  ptk_op_unlink(add);
  CHECK(!ptk_verify_module(r.m, r.d));
  CHECK_INT(ptk_diags_errors(r.d), 1);
  s = render(r.d);
  CHECK(strstr(s, "t.pto:4:8: error: use of value '%x', whose defining operation was removed from "
                  "the IR\n") == s);
  free(s);
  done(&r);
}

/* A value escaping its region, as a broken loop transformation could leave. */
TEST(value_escapes_region_after_reading) {
  R r = rd("func.func @k(%c: i1) {\n"
           "  %c1 = arith.constant 1 : index\n"
           "  scf.if %c {\n"
           "    %in = arith.addi %c1, %c1 : index\n"
           "  }\n"
           "  %out = arith.muli %c1, %c1 : index\n"
           "  return\n"
           "}\n");
  CHECK(r.m != NULL);
  if (!r.m) return;
  ptk_block *b = ptk_func_entry(ptk_module_find_func(r.m, "k"));
  ptk_op *ifop = b->first->next, *mul = ifop->next;
  ptk_op *in = ifop->regions[0].first->first;
  ptk_op_set_operand(mul, 0, ptk_op_result(in, 0));
  ptk_op_set_operand(mul, 1, ptk_op_result(in, 0));
  CHECK(!ptk_verify_module(r.m, r.d));
  char *s = render(r.d);
  CHECK_STR(s, "t.pto:6:10: error: use of value '%in' outside the region that defines it\n"
               "  %out = arith.muli %c1, %c1 : index\n"
               "         ^~~~~~~~~~\n"
               "t.pto:4:11: note: value '%in' is defined here, inside 'scf.if'\n"
               "    %in = arith.addi %c1, %c1 : index\n"
               "          ^~~~~~~~~~\n");
  free(s);
  done(&r);
}

/* Verifying twice gives the same answer (no state left behind). */
TEST(verify_is_repeatable) {
  R r = rd("func.func @k() {\n"
           "  %a = pto.alloc_tile : !pto.tile_buf<vec, 16x16xf32>\n"
           "  %b = pto.alloc_tile : !pto.tile_buf<vec, 16x16xf16>\n"
           "  pto.tadd ins(%a, %b : !pto.tile_buf<vec, 16x16xf32>, !pto.tile_buf<vec, 16x16xf16>) "
           "outs(%a : "
           "!pto.tile_buf<vec, 16x16xf32>)\n"
           "  return\n"
           "}\n");
  CHECK(r.m != NULL);
  if (!r.m) return;
  CHECK(!ptk_verify_module(r.m, r.d));
  CHECK(!ptk_verify_module(r.m, r.d));
  CHECK_INT(ptk_diags_errors(r.d), 2);
  ptk_diags_clear(r.d);
  CHECK(!ptk_verify_func(ptk_module_find_func(r.m, "k"), r.d));
  CHECK_INT(ptk_diags_errors(r.d), 1);
  done(&r);
}
