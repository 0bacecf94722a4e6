/* Unit tests of the IR interpreter (runtime/interp): scalar semantics,
 * control flow, calls, tile aliasing, global-memory safety, poison, blocks
 * and threads. Kernels are written as .pto text (parser/pto_read.h); one test
 * builds its IR with the ir.h builders. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/diag.h"
#include "lang/ir/ir.h"
#include "parser/pto_read.h"
#include "runtime/interp/interp.h"
#include "runtime/tensor.h"
#include "tests/unit/ut.h"

/* ---- helpers ------------------------------------------------------------------------------ */

typedef struct tk {
  ptk_source *src;
  ptk_module *m;
  ptk_interp_prog *p;
  ptk_buf diag; /* rendered diagnostics of every step */
} tk;

static void take_diags(tk *k, ptk_diags *d) {
  ptk_buf b = {0};
  ptk_diags_render(d, &b, false);
  if (b.len) ptk_buf_puts(&k->diag, b.data);
  ptk_buf_free(&b);
  ptk_diags_clear(d);
}

/* Reads `text` and prepares function `entry`; false (diagnostics in k->diag) on failure. */
static bool load(tk *k, const char *text, const char *entry) {
  memset(k, 0, sizeof *k);
  k->src = ptk_source_from_string("t.pto", text, strlen(text));
  ptk_diags *d = ptk_diags_new();
  k->m = ptk_pto_read(k->src, d);
  ptk_func *f = k->m ? ptk_module_find_func_nested(k->m, entry) : NULL;
  if (k->m && !f) ptk_buf_printf(&k->diag, "no function %s\n", entry);
  k->p = f ? ptk_interp_prepare(f, d) : NULL;
  take_diags(k, d);
  ptk_diags_free(d);
  return k->p != NULL;
}

static int run(tk *k, uint32_t blocks, uint32_t threads, ptk_launch_arg *a, size_t n) {
  ptk_diags *d = ptk_diags_new();
  ptk_launch_opts o = {0};
  o.blocks = blocks;
  o.threads = threads;
  int rc = ptk_interp_run(k->p, &o, a, n, d);
  take_diags(k, d);
  ptk_diags_free(d);
  return rc;
}

static void unload(tk *k) {
  ptk_interp_free(k->p);
  ptk_module_free(k->m);
  ptk_source_free(k->src);
  ptk_buf_free(&k->diag);
}

static const char *diag(tk *k) { return ptk_buf_cstr(&k->diag); }

static bool has(tk *k, const char *needle) {
  bool ok = strstr(diag(k), needle) != NULL;
  if (!ok) printf("    expected '%s' in diagnostics:\n%s\n", needle, diag(k));
  return ok;
}

static ptk_launch_arg T(ptk_tensor *t) {
  ptk_launch_arg a = {0};
  a.kind = PTK_ARG_TENSOR;
  a.tensor = t;
  return a;
}
static ptk_launch_arg I(int64_t v) {
  ptk_launch_arg a = {0};
  a.kind = PTK_ARG_SCALAR;
  a.dt = PTK_DT_I64;
  a.i = v;
  return a;
}
static ptk_launch_arg F(double v) {
  ptk_launch_arg a = {0};
  a.kind = PTK_ARG_SCALAR;
  a.dt = PTK_DT_F64;
  a.f = v;
  return a;
}

static ptk_tensor *zeros(ptk_tdtype dt, int64_t n) { return ptk_tensor_zeros(dt, 1, &n, NULL); }
static ptk_tensor *zeros2(ptk_tdtype dt, int64_t r, int64_t c) {
  int64_t s[2] = {r, c};
  return ptk_tensor_zeros(dt, 2, s, NULL);
}

#define LOAD_OR_RETURN(k, text, entry)                                                             \
  do {                                                                                             \
    if (!CHECK(load(k, text, entry))) {                                                            \
      printf("    diagnostics:\n%s\n", diag(k));                                                  \
      unload(k);                                                                                   \
      return;                                                                                      \
    }                                                                                              \
  } while (0)

/* ---- scalars -------------------------------------------------------------------------------- */

static const char *INTS =
    "module {\n"
    "  func.func @ints(%o: !pto.ptr<i32>, %a: i8, %b: i8, %x: i32, %y: i32) {\n"
    "    %s = arith.addi %a, %b : i8\n"
    "    %s0 = arith.extsi %s : i8 to i32\n"
    "    %s1 = arith.extui %s : i8 to i32\n"
    "    %d0 = arith.divsi %x, %y : i32\n"
    "    %d1 = arith.remsi %x, %y : i32\n"
    "    %d2 = arith.divui %x, %y : i32\n"
    "    %d3 = arith.remui %x, %y : i32\n"
    "    %d4 = arith.ceildivsi %x, %y : i32\n"
    "    %d5 = arith.floordivsi %x, %y : i32\n"
    "    %c33 = arith.constant 33 : i32\n"
    "    %c28 = arith.constant 28 : i32\n"
    "    %h0 = arith.shli %x, %c33 : i32\n"
    "    %h1 = arith.shrsi %x, %c33 : i32\n"
    "    %h2 = arith.shrui %x, %c28 : i32\n"
    "    %big = arith.constant 65536 : i32\n"
    "    %m = arith.muli %big, %big : i32\n"
    "    %p0 = arith.cmpi ult, %x, %y : i32\n"
    "    %p1 = arith.cmpi slt, %x, %y : i32\n"
    "    %q0 = arith.extui %p0 : i1 to i32\n"
    "    %q1 = arith.extui %p1 : i1 to i32\n"
    "    %sel = arith.select %p1, %a, %b : i8\n"
    "    %sel32 = arith.extsi %sel : i8 to i32\n"
    "    %xi = arith.index_cast %x : i32 to index\n"
    "    %c1i = arith.constant 1 : index\n"
    "    %xi1 = arith.addi %xi, %c1i : index\n"
    "    %xb = arith.index_cast %xi1 : index to i32\n"
    "    %mu = arith.maxui %x, %y : i32\n"
    "    %ms = arith.maxsi %x, %y : i32\n"
    "    %xu = arith.index_castui %x : i32 to index\n"
    "    %c32i = arith.constant 32 : index\n"
    "    %xh = arith.shrui %xu, %c32i : index\n"
    "    %xhi = arith.index_cast %xh : index to i32\n"
    "    %t8 = arith.trunci %x : i32 to i8\n"
    "    %t32 = arith.extui %t8 : i8 to i32\n"
    "    %vals = arith.constant 0 : index\n"
    "    %c0 = arith.constant 0 : index\n"
    "    %c1 = arith.constant 1 : index\n"
    "    %c2 = arith.constant 2 : index\n"
    "    %c3 = arith.constant 3 : index\n"
    "    %c4 = arith.constant 4 : index\n"
    "    %c5 = arith.constant 5 : index\n"
    "    %c6 = arith.constant 6 : index\n"
    "    %c7 = arith.constant 7 : index\n"
    "    %c8 = arith.constant 8 : index\n"
    "    %c9 = arith.constant 9 : index\n"
    "    %c10 = arith.constant 10 : index\n"
    "    %c11 = arith.constant 11 : index\n"
    "    %c12 = arith.constant 12 : index\n"
    "    %c13 = arith.constant 13 : index\n"
    "    %c14 = arith.constant 14 : index\n"
    "    %c15 = arith.constant 15 : index\n"
    "    %c16 = arith.constant 16 : index\n"
    "    %c17 = arith.constant 17 : index\n"
    "    %c18 = arith.constant 18 : index\n"
    "    %c19 = arith.constant 19 : index\n"
    "    pto.store_scalar %s0, %o[%c0] : !pto.ptr<i32>, i32\n"
    "    pto.store_scalar %s1, %o[%c1] : !pto.ptr<i32>, i32\n"
    "    pto.store_scalar %d0, %o[%c2] : !pto.ptr<i32>, i32\n"
    "    pto.store_scalar %d1, %o[%c3] : !pto.ptr<i32>, i32\n"
    "    pto.store_scalar %d2, %o[%c4] : !pto.ptr<i32>, i32\n"
    "    pto.store_scalar %d3, %o[%c5] : !pto.ptr<i32>, i32\n"
    "    pto.store_scalar %d4, %o[%c6] : !pto.ptr<i32>, i32\n"
    "    pto.store_scalar %d5, %o[%c7] : !pto.ptr<i32>, i32\n"
    "    pto.store_scalar %h0, %o[%c8] : !pto.ptr<i32>, i32\n"
    "    pto.store_scalar %h1, %o[%c9] : !pto.ptr<i32>, i32\n"
    "    pto.store_scalar %h2, %o[%c10] : !pto.ptr<i32>, i32\n"
    "    pto.store_scalar %m, %o[%c11] : !pto.ptr<i32>, i32\n"
    "    pto.store_scalar %q0, %o[%c12] : !pto.ptr<i32>, i32\n"
    "    pto.store_scalar %q1, %o[%c13] : !pto.ptr<i32>, i32\n"
    "    pto.store_scalar %sel32, %o[%c14] : !pto.ptr<i32>, i32\n"
    "    pto.store_scalar %xb, %o[%c15] : !pto.ptr<i32>, i32\n"
    "    pto.store_scalar %mu, %o[%c16] : !pto.ptr<i32>, i32\n"
    "    pto.store_scalar %ms, %o[%c17] : !pto.ptr<i32>, i32\n"
    "    pto.store_scalar %xhi, %o[%c18] : !pto.ptr<i32>, i32\n"
    "    pto.store_scalar %t32, %o[%c19] : !pto.ptr<i32>, i32\n"
    "    return\n"
    "  }\n"
    "}\n";

TEST(int_widths) {
  tk k;
  LOAD_OR_RETURN(&k, INTS, "ints");
  ptk_tensor *o = zeros(PTK_TD_I32, 20);
  ptk_launch_arg a[] = {T(o), I(127), I(1), I(-7), I(2)};
  CHECK_INT(run(&k, 1, 1, a, 5), 0);
  int32_t *v = o->data;
  CHECK_INT(v[0], -128);              /* i8 wraps */
  CHECK_INT(v[1], 128);               /* extui of the same bits */
  CHECK_INT(v[2], -3);                /* divsi truncates */
  CHECK_INT(v[3], -1);                /* remsi has the dividend's sign */
  CHECK_INT(v[4], 2147483644);        /* divui: 0xFFFFFFF9 / 2 */
  CHECK_INT(v[5], 1);                 /* remui */
  CHECK_INT(v[6], -3);                /* ceildivsi(-7, 2) */
  CHECK_INT(v[7], -4);                /* floordivsi(-7, 2) */
  CHECK_INT(v[8], 0);                 /* shli by >= width */
  CHECK_INT(v[9], -1);                /* shrsi by >= width: the sign */
  CHECK_INT(v[10], 15);               /* shrui 0xFFFFFFF9 >> 28 */
  CHECK_INT(v[11], 0);                /* 65536 * 65536 wraps to 0 */
  CHECK_INT(v[12], 0);                /* -7 <u 2 is false */
  CHECK_INT(v[13], 1);                /* -7 <s 2 */
  CHECK_INT(v[14], 127);              /* select true -> %a */
  CHECK_INT(v[15], -6);               /* through index and back */
  CHECK_INT(v[16], -7);               /* maxui picks 0xFFFFFFF9 */
  CHECK_INT(v[17], 2);                /* maxsi */
  CHECK_INT(v[18], 0);                /* index_castui zero-extends: upper half 0 */
  CHECK_INT(v[19], 249);              /* trunci -7 -> i8 0xF9, extui */
  ptk_tensor_free(o);
  unload(&k);
}

TEST(int_division_by_zero) {
  tk k;
  LOAD_OR_RETURN(&k, INTS, "ints");
  ptk_tensor *o = zeros(PTK_TD_I32, 20);
  ptk_launch_arg a[] = {T(o), I(1), I(1), I(5), I(0)};
  CHECK_INT(run(&k, 1, 1, a, 5), 1);
  CHECK(has(&k, "t.pto:6:11: error: integer division by zero in kernel 'ints' (block 0)"));
  /* the stores come after the division: nothing was written */
  CHECK_INT(((int32_t *)o->data)[0], 0);
  ptk_tensor_free(o);
  unload(&k);
}

static const char *FLOATS =
    "module {\n"
    "  func.func @fl(%o: !pto.ptr<f32>, %d: !pto.ptr<f64>, %n: !pto.ptr<i32>, %a: f32, %b: f32, %big: f32) {\n"
    "    %c0 = arith.constant 0 : index\n"
    "    %c1 = arith.constant 1 : index\n"
    "    %c2 = arith.constant 2 : index\n"
    "    %c3 = arith.constant 3 : index\n"
    "    %c4 = arith.constant 4 : index\n"
    "    %s = arith.addf %a, %b : f32\n"
    "    %q = arith.divf %a, %b : f32\n"
    "    %sd = arith.extf %s : f32 to f64\n"
    "    %ad = arith.extf %a : f32 to f64\n"
    "    %bd = arith.extf %b : f32 to f64\n"
    "    %s64 = arith.addf %ad, %bd : f64\n"
    "    %ah = arith.truncf %a : f32 to f16\n"
    "    %bh = arith.truncf %b : f32 to f16\n"
    "    %sh = arith.addf %ah, %bh : f16\n"
    "    %shf = arith.extf %sh : f16 to f32\n"
    "    %i0 = arith.fptosi %big : f32 to i32\n"
    "    %nan = arith.divf %big, %big : f32\n"
    "    %zero = arith.subf %big, %big : f32\n"
    "    %nn = arith.divf %zero, %zero : f32\n"
    "    %i1 = arith.fptosi %nn : f32 to i32\n"
    "    %i2 = arith.bitcast %a : f32 to i32\n"
    "    %mx = arith.maximumf %nn, %a : f32\n"
    "    %mn = arith.maxnumf %nn, %a : f32\n"
    "    %lt = arith.cmpf olt, %nn, %a : f32\n"
    "    %ult = arith.cmpf ult, %nn, %a : f32\n"
    "    %lti = arith.extui %lt : i1 to i32\n"
    "    %ulti = arith.extui %ult : i1 to i32\n"
    "    %m7 = arith.constant -7 : i32\n"
    "    %fi = arith.sitofp %m7 : i32 to f32\n"
    "    pto.store_scalar %s, %o[%c0] : !pto.ptr<f32>, f32\n"
    "    pto.store_scalar %q, %o[%c1] : !pto.ptr<f32>, f32\n"
    "    pto.store_scalar %shf, %o[%c2] : !pto.ptr<f32>, f32\n"
    "    pto.store_scalar %mx, %o[%c3] : !pto.ptr<f32>, f32\n"
    "    pto.store_scalar %mn, %o[%c4] : !pto.ptr<f32>, f32\n"
    "    pto.store_scalar %sd, %d[%c0] : !pto.ptr<f64>, f64\n"
    "    pto.store_scalar %s64, %d[%c1] : !pto.ptr<f64>, f64\n"
    "    pto.store_scalar %i0, %n[%c0] : !pto.ptr<i32>, i32\n"
    "    pto.store_scalar %i1, %n[%c1] : !pto.ptr<i32>, i32\n"
    "    pto.store_scalar %i2, %n[%c2] : !pto.ptr<i32>, i32\n"
    "    pto.store_scalar %lti, %n[%c3] : !pto.ptr<i32>, i32\n"
    "    pto.store_scalar %ulti, %n[%c4] : !pto.ptr<i32>, i32\n"
    "    %fii = arith.fptosi %fi : f32 to i32\n"
    "    %c5 = arith.constant 5 : index\n"
    "    pto.store_scalar %fii, %n[%c5] : !pto.ptr<i32>, i32\n"
    "    return\n"
    "  }\n"
    "}\n";

TEST(float_scalars) {
  tk k;
  LOAD_OR_RETURN(&k, FLOATS, "fl");
  ptk_tensor *o = zeros(PTK_TD_F32, 5), *d = zeros(PTK_TD_F64, 2), *n = zeros(PTK_TD_I32, 6);
  ptk_launch_arg a[] = {T(o), T(d), T(n), F(0.1), F(0.2), F(1e10)};
  CHECK_INT(run(&k, 1, 1, a, 6), 0);
  float *fo = o->data;
  double *dd = d->data;
  int32_t *ni = n->data;
  float fa = 0.1f, fb = 0.2f;
  CHECK_DBL(fo[0], (double)(fa + fb), 0);           /* f32 arithmetic in f32 */
  CHECK_DBL(fo[1], (double)(fa / fb), 0);
  CHECK_DBL(dd[0], (double)(fa + fb), 0);
  CHECK_DBL(dd[1], (double)fa + (double)fb, 0);     /* f64 arithmetic in f64 */
  CHECK(dd[0] != dd[1]);
  /* f16: 0.1 -> 0.0999755859375, 0.2 -> 0.199951171875, sum rounded to f16 */
  CHECK_DBL(fo[2], ptk_f16_bits_to_f64(ptk_f64_to_f16_bits(0.0999755859375 + 0.199951171875)), 0);
  CHECK(isnan(fo[3]));                               /* maximumf propagates NaN */
  CHECK_DBL(fo[4], (double)fa, 0);                   /* maxnumf ignores it */
  CHECK_INT(ni[0], 2147483647);                      /* fptosi saturates */
  CHECK_INT(ni[1], 0);                               /* NaN -> 0 */
  CHECK_INT(ni[2], 0x3dcccccd);                      /* bitcast of 0.1f */
  CHECK_INT(ni[3], 0);                               /* olt with NaN */
  CHECK_INT(ni[4], 1);                               /* ult with NaN */
  CHECK_INT(ni[5], -7);
  ptk_tensor_free(o);
  ptk_tensor_free(d);
  ptk_tensor_free(n);
  unload(&k);
}

/* ---- control flow and calls ------------------------------------------------------------------ */

static const char *FLOW =
    "module {\n"
    "  func.func @flow(%o: !pto.ptr<i64>, %n: index) {\n"
    "    %c0 = arith.constant 0 : index\n"
    "    %c1 = arith.constant 1 : index\n"
    "    %c2 = arith.constant 2 : index\n"
    "    %c3 = arith.constant 3 : index\n"
    "    %z = arith.constant 0 : i64\n"
    "    %one = arith.constant 1 : i64\n"
    "    %sum, %cnt = scf.for %i = %c0 to %n step %c1 iter_args(%s = %z, %k = %one) -> (i64, i64) {\n"
    "      %ii = arith.index_cast %i : index to i64\n"
    "      %s2 = arith.addi %s, %ii : i64\n"
    "      %k2 = arith.muli %k, %ii : i64\n"
    "      scf.yield %s2, %k : i64, i64\n"
    "    }\n"
    "    %swap:2 = scf.for %i = %c0 to %c3 step %c1 iter_args(%x = %z, %y = %one) -> (i64, i64) {\n"
    "      scf.yield %y, %x : i64, i64\n"
    "    }\n"
    "    %isbig = arith.cmpi sgt, %n, %c2 : index\n"
    "    %r = scf.if %isbig -> (i64) {\n"
    "      %t = arith.constant 100 : i64\n"
    "      scf.yield %t : i64\n"
    "    } else {\n"
    "      %e = arith.constant 200 : i64\n"
    "      scf.yield %e : i64\n"
    "    }\n"
    "    %w:2 = scf.while (%i = %c0, %acc = %z) : (index, i64) -> (index, i64) {\n"
    "      %go = arith.cmpi slt, %i, %n : index\n"
    "      scf.condition(%go) %i, %acc : index, i64\n"
    "    } do {\n"
    "    ^bb0(%i2: index, %acc2: i64):\n"
    "      %i3 = arith.addi %i2, %c2 : index\n"
    "      %a3 = arith.addi %acc2, %one : i64\n"
    "      scf.yield %i3, %a3 : index, i64\n"
    "    }\n"
    "    %f = func.call @fact(%n) : (index) -> i64\n"
    "    pto.store_scalar %sum, %o[%c0] : !pto.ptr<i64>, i64\n"
    "    pto.store_scalar %cnt, %o[%c1] : !pto.ptr<i64>, i64\n"
    "    pto.store_scalar %swap#0, %o[%c2] : !pto.ptr<i64>, i64\n"
    "    pto.store_scalar %r, %o[%c3] : !pto.ptr<i64>, i64\n"
    "    %c4 = arith.constant 4 : index\n"
    "    %c5 = arith.constant 5 : index\n"
    "    pto.store_scalar %w#1, %o[%c4] : !pto.ptr<i64>, i64\n"
    "    pto.store_scalar %f, %o[%c5] : !pto.ptr<i64>, i64\n"
    "    return\n"
    "  }\n"
    "  func.func private @fact(%n: index) -> i64 {\n"
    "    %c0 = arith.constant 0 : index\n"
    "    %c1 = arith.constant 1 : index\n"
    "    %z = arith.cmpi eq, %n, %c0 : index\n"
    "    %r = scf.if %z -> (i64) {\n"
    "      %one = arith.constant 1 : i64\n"
    "      scf.yield %one : i64\n"
    "    } else {\n"
    "      %m = arith.subi %n, %c1 : index\n"
    "      %f = func.call @fact(%m) : (index) -> i64\n"
    "      %ni = arith.index_cast %n : index to i64\n"
    "      %p = arith.muli %f, %ni : i64\n"
    "      scf.yield %p : i64\n"
    "    }\n"
    "    return %r : i64\n"
    "  }\n"
    "}\n";

TEST(control_flow_and_calls) {
  tk k;
  LOAD_OR_RETURN(&k, FLOW, "flow");
  ptk_tensor *o = zeros(PTK_TD_I64, 6);
  ptk_launch_arg a[] = {T(o), I(10)};
  CHECK_INT(run(&k, 1, 1, a, 2), 0);
  int64_t *v = o->data;
  CHECK_INT(v[0], 45);      /* sum 0..9 */
  CHECK_INT(v[1], 1);       /* the unchanged iter_arg */
  CHECK_INT(v[2], 1);       /* three swaps of (0, 1): parallel yield */
  CHECK_INT(v[3], 100);
  CHECK_INT(v[4], 5);       /* while: i = 0, 2, 4, 6, 8 */
  CHECK_INT(v[5], 3628800); /* recursive 10! */
  /* zero-trip loops give their initial values */
  ptk_launch_arg b[] = {T(o), I(0)};
  CHECK_INT(run(&k, 1, 1, b, 2), 0);
  CHECK_INT(v[0], 0);
  CHECK_INT(v[3], 200);
  CHECK_INT(v[4], 0);
  CHECK_INT(v[5], 1);
  ptk_tensor_free(o);
  unload(&k);
}

TEST(call_depth_and_bad_step) {
  tk k;
  LOAD_OR_RETURN(&k, FLOW, "flow");
  ptk_tensor *o = zeros(PTK_TD_I64, 6);
  ptk_launch_arg a[] = {T(o), I(100000)};
  CHECK_INT(run(&k, 1, 1, a, 2), 1);
  CHECK(has(&k, "error: call depth limit exceeded in kernel 'flow' (block 0)"));
  CHECK(has(&k, "note: called from here in '@fact' (254 nested calls)"));
  CHECK(has(&k, "note: called from here in '@flow'"));
  ptk_tensor_free(o);
  unload(&k);

  const char *step = "func.func @s(%st: index) {\n"
                     "  %c0 = arith.constant 0 : index\n"
                     "  %c4 = arith.constant 4 : index\n"
                     "  scf.for %i = %c0 to %c4 step %st {\n"
                     "  }\n"
                     "  return\n"
                     "}\n";
  LOAD_OR_RETURN(&k, step, "s");
  ptk_launch_arg b[] = {I(0)};
  CHECK_INT(run(&k, 1, 1, b, 1), 1);
  CHECK(has(&k, "t.pto:4:3: error: bad loop step in kernel 's' (block 0): scf.for step 0 is not positive"));
  unload(&k);
}

/* IR built with the ir.h builders (no reader): out[0] = (a + b) * 3 on i16. */
TEST(builder_ir) {
  ptk_module *m = ptk_module_new();
  const ptk_type *i16 = ptk_type_scalar(PTK_DT_I16), *idx = ptk_type_scalar(PTK_DT_INDEX);
  const ptk_type *pt = ptk_type_ptr(m, i16, PTK_SPACE_GM);
  const ptk_type *args[] = {pt, i16, i16};
  ptk_func *f = ptk_func_new(m, "b", args, 3, NULL, 0, false, (ptk_loc){0});
  ptk_block *b = ptk_func_entry(f);
  ptk_value *ops[2] = {b->args[1], b->args[2]};
  ptk_value *s = ptk_op_result(ptk_build(m, b, PTK_OP_ARITH_ADDI, ops, 2, &i16, 1, (ptk_loc){0}), 0);
  ptk_value *three = ptk_build_const_int(m, b, 3, i16, (ptk_loc){0});
  ptk_value *ops2[2] = {s, three};
  ptk_value *p = ptk_op_result(ptk_build(m, b, PTK_OP_ARITH_MULI, ops2, 2, &i16, 1, (ptk_loc){0}), 0);
  ptk_value *zero = ptk_build_const_int(m, b, 0, idx, (ptk_loc){0});
  ptk_value *st[3] = {b->args[0], zero, p};
  ptk_build(m, b, PTK_OP_STORE_SCALAR, st, 3, NULL, 0, (ptk_loc){0});
  ptk_build(m, b, PTK_OP_FUNC_RETURN, NULL, 0, NULL, 0, (ptk_loc){0});
  ptk_tensor *o = zeros(PTK_TD_I16, 1);
  ptk_launch_arg a[] = {T(o), I(20000), I(1000)};
  ptk_diags *d = ptk_diags_new();
  CHECK_INT(ptk_interp_launch(f, NULL, a, 3, d), 0);
  CHECK_INT(((int16_t *)o->data)[0], (int16_t)(21000 * 3)); /* wraps at 16 bits */
  CHECK_INT(ptk_diags_errors(d), 0);
  ptk_diags_free(d);
  ptk_tensor_free(o);
  ptk_module_free(m);
}

/* ---- tiles ------------------------------------------------------------------------------------ */

#define VT "!pto.tile_buf<vec, 4x8xf32>"
#define PV "!pto.partition_tensor_view<4x8xf32>"
#define TV "!pto.tensor_view<?x?xf32>"

/* Loads x (4x8), then:
 *   - two tiles at UB address 0 alias: writing through %b is visible in %a;
 *   - a subview row of %a is filled with 7 (visible in %a);
 *   - treshape of a 4x1 col-major column as a 1x4 row aliases it;
 *   - scf.if yields one of two tiles; the store goes through the result. */
static const char *ALIAS =
    "module {\n"
    "  func.func @alias(%x: !pto.ptr<f32>, %y: !pto.ptr<f32>, %r: !pto.ptr<f32>, %flag: i1) {\n"
    "    %c0 = arith.constant 0 : index\n"
    "    %c1 = arith.constant 1 : index\n"
    "    %c2 = arith.constant 2 : index\n"
    "    %c4 = arith.constant 4 : index\n"
    "    %c8 = arith.constant 8 : index\n"
    "    %a0 = arith.constant 0 : i64\n"
    "    %a256 = arith.constant 256 : i64\n"
    "    %seven = arith.constant 7.0 : f32\n"
    "    %two = arith.constant 2.0 : f32\n"
    "    %xv = pto.make_tensor_view %x, shape = [%c4, %c8], strides = [%c8, %c1] : " TV "\n"
    "    %yv = pto.make_tensor_view %y, shape = [%c4, %c8], strides = [%c8, %c1] : " TV "\n"
    "    %rv = pto.make_tensor_view %r, shape = [%c1, %c4], strides = [%c4, %c1] : " TV "\n"
    "    %xp = pto.partition_view %xv, offsets = [%c0, %c0], sizes = [%c4, %c8] : " TV " -> " PV "\n"
    "    %yp = pto.partition_view %yv, offsets = [%c0, %c0], sizes = [%c4, %c8] : " TV " -> " PV "\n"
    "    %rp = pto.partition_view %rv, offsets = [%c0, %c0], sizes = [%c1, %c4] : " TV " -> !pto.partition_tensor_view<1x4xf32>\n"
    "    %a = pto.alloc_tile addr = %a0 : " VT "\n"
    "    pto.tload ins(%xp : " PV ") outs(%a : " VT ")\n"
    "    %b = pto.alloc_tile addr = %a0 : " VT "\n"
    "    pto.tmuls ins(%b, %two : " VT ", f32) outs(%b : " VT ")\n"
    "    %row = pto.subview %a[%c2, %c0] sizes [1, 8] : " VT " -> !pto.tile_buf<vec, 1x8xf32>\n"
    "    pto.texpands ins(%seven : f32) outs(%row : !pto.tile_buf<vec, 1x8xf32>)\n"
    "    %col = pto.alloc_tile addr = %a256 : !pto.tile_buf<vec, 4x1xf32, blayout=col_major>\n"
    "    pto.trowsum ins(%a, %b : " VT ", " VT ") outs(%col : !pto.tile_buf<vec, 4x1xf32, blayout=col_major>)\n"
    "    %rrow = pto.treshape %col : !pto.tile_buf<vec, 4x1xf32, blayout=col_major> -> !pto.tile_buf<vec, 1x4xf32>\n"
    "    pto.tstore ins(%rrow : !pto.tile_buf<vec, 1x4xf32>) outs(%rp : !pto.partition_tensor_view<1x4xf32>)\n"
    "    %p = pto.alloc_tile : " VT "\n"
    "    %q = pto.alloc_tile : " VT "\n"
    "    pto.texpands ins(%two : f32) outs(%q : " VT ")\n"
    "    %sel = scf.if %flag -> (" VT ") {\n"
    "      scf.yield %a : " VT "\n"
    "    } else {\n"
    "      scf.yield %q : " VT "\n"
    "    }\n"
    "    pto.tstore ins(%sel : " VT ") outs(%yp : " PV ")\n"
    "    return\n"
    "  }\n"
    "}\n";

TEST(tile_aliasing) {
  tk k;
  LOAD_OR_RETURN(&k, ALIAS, "alias");
  ptk_tensor *x = zeros2(PTK_TD_F32, 4, 8), *y = zeros2(PTK_TD_F32, 4, 8), *r = zeros2(PTK_TD_F32, 1, 4);
  float *xv = x->data, *yv = y->data, *rv = r->data;
  for (int i = 0; i < 32; i++) xv[i] = (float)i;
  ptk_launch_arg a[] = {T(x), T(y), T(r), I(1)};
  CHECK_INT(run(&k, 1, 1, a, 4), 0);
  for (int i = 0; i < 32; i++) CHECK_DBL(yv[i], i / 8 == 2 ? 7.0 : 2.0 * i, 0);
  for (int rr = 0; rr < 4; rr++) {
    double s = 0;
    for (int c = 0; c < 8; c++) s += rr == 2 ? 7.0 : 2.0 * (rr * 8 + c);
    CHECK_DBL(rv[rr], s, 0);
  }
  ptk_launch_arg b[] = {T(x), T(y), T(r), I(0)};
  CHECK_INT(run(&k, 1, 1, b, 4), 0);
  for (int i = 0; i < 32; i++) CHECK_DBL(yv[i], 2.0, 0);
  ptk_tensor_free(x);
  ptk_tensor_free(y);
  ptk_tensor_free(r);
  unload(&k);
}

/* Private (no addr) tiles keep their contents across loop iterations;
 * poison makes never-written data NaN. */
static const char *PRIV =
    "module {\n"
    "  func.func @acc(%y: !pto.ptr<f32>) {\n"
    "    %c0 = arith.constant 0 : index\n"
    "    %c1 = arith.constant 1 : index\n"
    "    %c3 = arith.constant 3 : index\n"
    "    %c4 = arith.constant 4 : index\n"
    "    %c8 = arith.constant 8 : index\n"
    "    %one = arith.constant 1.0 : f32\n"
    "    %yv = pto.make_tensor_view %y, shape = [%c4, %c8], strides = [%c8, %c1] : " TV "\n"
    "    %yp = pto.partition_view %yv, offsets = [%c0, %c0], sizes = [%c4, %c8] : " TV " -> " PV "\n"
    "    scf.for %i = %c0 to %c3 step %c1 {\n"
    "      %t = pto.alloc_tile : !pto.tile_buf<vec, 4x8xf32, valid=2x8>\n"
    "      pto.tadds ins(%t, %one : !pto.tile_buf<vec, 4x8xf32, valid=2x8>, f32) outs(%t : !pto.tile_buf<vec, 4x8xf32, valid=2x8>)\n"
    "      %full = pto.alloc_tile : " VT "\n"
    "      pto.tstore ins(%full : " VT ") outs(%yp : " PV ")\n"
    "      pto.tstore ins(%t : !pto.tile_buf<vec, 4x8xf32, valid=2x8>) outs(%yp : " PV ")\n"
    "    }\n"
    "    return\n"
    "  }\n"
    "}\n";

TEST(private_tiles_and_poison) {
  tk k;
  LOAD_OR_RETURN(&k, PRIV, "acc");
  ptk_tensor *y = zeros2(PTK_TD_F32, 4, 8);
  float *yv = y->data;
  ptk_launch_arg a[] = {T(y)};
  CHECK_INT(run(&k, 1, 1, a, 1), 0);
  for (int i = 0; i < 32; i++) CHECK_DBL(yv[i], i < 16 ? 3.0 : 0.0, 0);
  ptk_diags *d = ptk_diags_new();
  ptk_launch_opts o = {0};
  o.poison = true;
  CHECK_INT(ptk_interp_run(k.p, &o, a, 1, d), 0);
  ptk_diags_free(d);
  for (int i = 0; i < 32; i++) CHECK(isnan(yv[i]));
  ptk_tensor_free(y);
  unload(&k);
}

/* ---- global-memory safety ---------------------------------------------------------------------- */

static const char *ROWS =
    "module {\n"
    "  func.func @rows(%x: !pto.ptr<f32>, %y: !pto.ptr<f32>, %nrows: index) {\n"
    "    %c0 = arith.constant 0 : index\n"
    "    %c1 = arith.constant 1 : index\n"
    "    %c4 = arith.constant 4 : index\n"
    "    %c8 = arith.constant 8 : index\n"
    "    %b = pto.get_block_idx\n"
    "    %bi = arith.index_cast %b : i64 to index\n"
    "    %row = arith.muli %bi, %c4 : index\n"
    "    %xv = pto.make_tensor_view %x, shape = [%nrows, %c8], strides = [%c8, %c1] : " TV "\n"
    "    %yv = pto.make_tensor_view %y, shape = [%nrows, %c8], strides = [%c8, %c1] : " TV "\n"
    "    %xp = pto.partition_view %xv, offsets = [%row, %c0], sizes = [%c4, %c8] : " TV " -> " PV "\n"
    "    %yp = pto.partition_view %yv, offsets = [%row, %c0], sizes = [%c4, %c8] : " TV " -> " PV "\n"
    "    %t = pto.alloc_tile : " VT "\n"
    "    pto.tload ins(%xp : " PV ") outs(%t : " VT ")\n"
    "    %bf = arith.sitofp %b : i64 to f32\n"
    "    pto.tadds ins(%t, %bf : " VT ", f32) outs(%t : " VT ")\n"
    "    pto.tstore ins(%t : " VT ") outs(%yp : " PV ")\n"
    "    return\n"
    "  }\n"
    "}\n";

TEST(blocks_and_threads) {
  tk k;
  LOAD_OR_RETURN(&k, ROWS, "rows");
  ptk_tensor *x = zeros2(PTK_TD_F32, 64, 8), *y1 = zeros2(PTK_TD_F32, 64, 8),
             *y4 = zeros2(PTK_TD_F32, 64, 8);
  for (int i = 0; i < 512; i++) ((float *)x->data)[i] = (float)i * 0.5f;
  ptk_launch_arg a[] = {T(x), T(y1), I(64)};
  CHECK_INT(run(&k, 16, 1, a, 3), 0);
  ptk_launch_arg b[] = {T(x), T(y4), I(64)};
  CHECK_INT(run(&k, 16, 4, b, 3), 0);
  CHECK(memcmp(y1->data, y4->data, 512 * sizeof(float)) == 0);
  for (int i = 0; i < 512; i++) CHECK_DBL(((float *)y1->data)[i], i * 0.5 + i / 32, 0);
  ptk_tensor_free(x);
  ptk_tensor_free(y1);
  ptk_tensor_free(y4);
  unload(&k);
}

TEST(out_of_bounds_reports_lowest_block) {
  tk k;
  LOAD_OR_RETURN(&k, ROWS, "rows");
  /* 40 rows: blocks 0..9 fit, 10.. read past the end of x */
  ptk_tensor *x = zeros2(PTK_TD_F32, 40, 8), *y = zeros2(PTK_TD_F32, 64, 8);
  for (int i = 0; i < 512; i++) ((float *)y->data)[i] = -7;
  for (int threads = 1; threads <= 3; threads++) {
    ptk_buf_clear(&k.diag);
    ptk_launch_arg a[] = {T(x), T(y), I(64)};
    CHECK_INT(run(&k, 16, (uint32_t)threads, a, 3), 1);
    CHECK(has(&k, "t.pto:15:5: error: out-of-bounds tload in kernel 'rows' (block 10): element "
                  "offset 320 is outside buffer '%x' of 320 elements"));
    CHECK(has(&k, "note: the 4x8 transfer spans element offsets 320 to 351; nothing was read"));
    CHECK(has(&k, "note: '%x' is parameter 1 of '@rows'"));
    CHECK(!strstr(diag(&k), "block 11"));
  }
  /* blocks below 10 wrote their rows; nothing past row 40 was touched in y */
  for (int i = 0; i < 512; i++) CHECK_DBL(((float *)y->data)[i], i < 320 ? i / 32 : -7, 0);
  ptk_tensor_free(x);
  ptk_tensor_free(y);
  unload(&k);
}

TEST(out_of_bounds_store_writes_nothing) {
  tk k;
  LOAD_OR_RETURN(&k, ROWS, "rows");
  ptk_tensor *x = zeros2(PTK_TD_F32, 8, 8), *y = zeros2(PTK_TD_F32, 6, 8);
  for (int i = 0; i < 48; i++) ((float *)y->data)[i] = -7;
  ptk_launch_arg a[] = {T(x), T(y), I(8)};
  CHECK_INT(run(&k, 2, 1, a, 3), 1);
  CHECK(has(&k, "t.pto:18:5: error: out-of-bounds tstore in kernel 'rows' (block 1): element "
                "offset 48 is outside buffer '%y' of 48 elements"));
  CHECK(has(&k, "nothing was written"));
  for (int i = 0; i < 48; i++) CHECK_DBL(((float *)y->data)[i], i < 32 ? 0 : -7, 0);
  ptk_tensor_free(x);
  ptk_tensor_free(y);
  unload(&k);
}

TEST(argument_checks) {
  tk k;
  LOAD_OR_RETURN(&k, ROWS, "rows");
  ptk_tensor *x = zeros2(PTK_TD_F32, 8, 8), *h = zeros2(PTK_TD_F16, 8, 8);
  ptk_launch_arg a[] = {T(x), T(x)};
  CHECK_INT(run(&k, 1, 1, a, 2), 1);
  CHECK(has(&k, "error: kernel 'rows' takes 3 arguments, got 2"));
  ptk_buf_clear(&k.diag);
  ptk_launch_arg b[] = {T(x), T(h), T(x)};
  CHECK_INT(run(&k, 1, 1, b, 3), 1);
  CHECK(has(&k, "argument 2 ('%y'): a f16 tensor (2-byte elements) cannot be bound to !pto.ptr<f32>"));
  CHECK(has(&k, "argument 3 ('%nrows'): expected a scalar of type index"));
  ptk_tensor_free(x);
  ptk_tensor_free(h);
  unload(&k);
}

TEST(address_outside_memory) {
  tk k;
  const char *text = "func.func @big(%addr: i64) {\n"
                     "  %t = pto.alloc_tile addr = %addr : !pto.tile_buf<acc, 128x256xf32>\n"
                     "  return\n"
                     "}\n";
  LOAD_OR_RETURN(&k, text, "big");
  ptk_launch_arg a[] = {I(0)};
  CHECK_INT(run(&k, 1, 1, a, 1), 0); /* 128 KiB: all of L0C on a3 */
  ptk_launch_arg b[] = {I(32)};
  CHECK_INT(run(&k, 1, 1, b, 1), 1);
  CHECK(has(&k, "t.pto:2:8: error: tile outside on-chip memory in kernel 'big' (block 0): a "
                "131072-byte tile at address 32 does not fit in acc (L0C) memory of 131072 bytes "
                "(128 KiB on a3)"));
  CHECK(has(&k, "note: the tile would occupy bytes [32, 131104)"));
  ptk_diags *d = ptk_diags_new();
  ptk_launch_opts o = {0};
  o.target = "a5";
  CHECK_INT(ptk_interp_run(k.p, &o, b, 1, d), 0); /* 256 KiB on a5 */
  ptk_diags_free(d);
  unload(&k);
}

TEST(unsupported_ops_fail_at_prepare) {
  tk k;
  const char *text = "func.func @g(%a: !pto.tile_buf<vec, 8x8xf32>, %b: !pto.tile_buf<vec, 8x8xf32>) {\n"
                     "  pto.tmov.fp ins(%a, %a : !pto.tile_buf<vec, 8x8xf32>, !pto.tile_buf<vec, 8x8xf32>) outs(%b : !pto.tile_buf<vec, 8x8xf32>)\n"
                     "  return\n"
                     "}\n";
  CHECK(!load(&k, text, "g"));
  CHECK(has(&k, "t.pto:2:3: error: pto.tmov.fp cannot run on the host: fixpipe quantization (fp tiles) is not implemented yet"));
  unload(&k);
}

/* One prepared program, launched from two threads at once. */
typedef struct conc {
  tk *k;
  ptk_tensor *x, *y;
  int rc;
} conc;
static void *conc_main(void *p) {
  conc *c = p;
  ptk_launch_arg a[] = {T(c->x), T(c->y), I(64)};
  ptk_diags *d = ptk_diags_new();
  ptk_launch_opts o = {0};
  o.blocks = 16;
  o.threads = 2;
  c->rc = ptk_interp_run(c->k->p, &o, a, 3, d);
  ptk_diags_free(d);
  return NULL;
}

TEST(concurrent_launches) {
  tk k;
  LOAD_OR_RETURN(&k, ROWS, "rows");
  conc c[2];
  pthread_t th[2];
  for (int i = 0; i < 2; i++) {
    c[i].k = &k;
    c[i].x = zeros2(PTK_TD_F32, 64, 8);
    c[i].y = zeros2(PTK_TD_F32, 64, 8);
    for (int j = 0; j < 512; j++) ((float *)c[i].x->data)[j] = (float)(j + i);
    pthread_create(&th[i], NULL, conc_main, &c[i]);
  }
  for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
  for (int i = 0; i < 2; i++) {
    CHECK_INT(c[i].rc, 0);
    for (int j = 0; j < 512; j++) CHECK_DBL(((float *)c[i].y->data)[j], j + i + j / 32, 0);
    ptk_tensor_free(c[i].x);
    ptk_tensor_free(c[i].y);
  }
  unload(&k);
}

/* ---- views -------------------------------------------------------------------------------------- */

/* s = q . k^T with k stored row-major [key][dim] and read through a DN-style
 * view (strides [1, 32]) into a Zn mat tile, as the paged-attention qk
 * kernel does; the acc result goes out through a tstore. */
static const char *QK =
    "module {\n"
    "  func.func @qk(%q: !pto.ptr<f32>, %k: !pto.ptr<f32>, %s: !pto.ptr<f32>) {\n"
    "    %c0 = arith.constant 0 : index\n"
    "    %c1 = arith.constant 1 : index\n"
    "    %c16 = arith.constant 16 : index\n"
    "    %c32 = arith.constant 32 : index\n"
    "    %qv = pto.make_tensor_view %q, shape = [%c16, %c32], strides = [%c32, %c1] : !pto.tensor_view<?x?xf32>\n"
    "    %kv = pto.make_tensor_view %k, shape = [%c32, %c32], strides = [%c1, %c32] {layout = #pto.layout<dn>} : !pto.tensor_view<?x?xf32>\n"
    "    %sv = pto.make_tensor_view %s, shape = [%c16, %c32], strides = [%c32, %c1] : !pto.tensor_view<?x?xf32>\n"
    "    %qp = pto.partition_view %qv, offsets = [%c0, %c0], sizes = [%c16, %c32] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<16x32xf32>\n"
    "    %kp = pto.partition_view %kv, offsets = [%c0, %c0], sizes = [%c32, %c32] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<32x32xf32>\n"
    "    %sp = pto.partition_view %sv, offsets = [%c0, %c0], sizes = [%c16, %c32] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<16x32xf32>\n"
    "    %qm = pto.alloc_tile : !pto.tile_buf<mat, 16x32xf32, blayout=col_major, slayout=row_major>\n"
    "    %km = pto.alloc_tile : !pto.tile_buf<mat, 32x32xf32, slayout=col_major>\n"
    "    %ql = pto.alloc_tile : !pto.tile_buf<left, 16x32xf32, slayout=row_major>\n"
    "    %kr = pto.alloc_tile : !pto.tile_buf<right, 32x32xf32, slayout=col_major>\n"
    "    %acc = pto.alloc_tile : !pto.tile_buf<acc, 16x32xf32, blayout=col_major, slayout=row_major, fractal=1024>\n"
    "    pto.tload ins(%qp : !pto.partition_tensor_view<16x32xf32>) outs(%qm : !pto.tile_buf<mat, 16x32xf32, blayout=col_major, slayout=row_major>)\n"
    "    pto.tload ins(%kp : !pto.partition_tensor_view<32x32xf32>) outs(%km : !pto.tile_buf<mat, 32x32xf32, slayout=col_major>)\n"
    "    pto.tmov ins(%qm : !pto.tile_buf<mat, 16x32xf32, blayout=col_major, slayout=row_major>) outs(%ql : !pto.tile_buf<left, 16x32xf32, slayout=row_major>)\n"
    "    pto.tmov ins(%km : !pto.tile_buf<mat, 32x32xf32, slayout=col_major>) outs(%kr : !pto.tile_buf<right, 32x32xf32, slayout=col_major>)\n"
    "    pto.tmatmul ins(%ql, %kr : !pto.tile_buf<left, 16x32xf32, slayout=row_major>, !pto.tile_buf<right, 32x32xf32, slayout=col_major>) outs(%acc : !pto.tile_buf<acc, 16x32xf32, blayout=col_major, slayout=row_major, fractal=1024>)\n"
    "    pto.tstore ins(%acc : !pto.tile_buf<acc, 16x32xf32, blayout=col_major, slayout=row_major, fractal=1024>) outs(%sp : !pto.partition_tensor_view<16x32xf32>)\n"
    "    return\n"
    "  }\n"
    "}\n";

TEST(dn_view_matmul) {
  tk k;
  LOAD_OR_RETURN(&k, QK, "qk");
  ptk_tensor *q = zeros2(PTK_TD_F32, 16, 32), *kk = zeros2(PTK_TD_F32, 32, 32),
             *s = zeros2(PTK_TD_F32, 16, 32);
  float *qv = q->data, *kv = kk->data, *sv = s->data;
  for (int i = 0; i < 16 * 32; i++) qv[i] = (float)((i * 7) % 13) * 0.25f - 1.5f;
  for (int i = 0; i < 32 * 32; i++) kv[i] = (float)((i * 5) % 11) * 0.5f - 2.0f;
  ptk_launch_arg a[] = {T(q), T(kk), T(s)};
  CHECK_INT(run(&k, 1, 1, a, 3), 0);
  int bad = 0;
  for (int i = 0; i < 16; i++)
    for (int j = 0; j < 32; j++) {
      float acc = 0;
      for (int d = 0; d < 32; d++) acc = fmaf(qv[i * 32 + d], kv[j * 32 + d], acc);
      if (sv[i * 32 + j] != acc) bad++;
    }
  CHECK_INT(bad, 0);
  if (bad) printf("%s\n", diag(&k));
  ptk_tensor_free(q);
  ptk_tensor_free(kk);
  ptk_tensor_free(s);
  unload(&k);
}

/* A rank-5 view: the tile's rows run over dims 0..3 (1x1x4x8 = 32 rows). */
static const char *FIVE =
    "module {\n"
    "  func.func @five(%x: !pto.ptr<f32>, %y: !pto.ptr<f32>) {\n"
    "    %c0 = arith.constant 0 : index\n"
    "    %c1 = arith.constant 1 : index\n"
    "    %c2 = arith.constant 2 : index\n"
    "    %c4 = arith.constant 4 : index\n"
    "    %c8 = arith.constant 8 : index\n"
    "    %c16 = arith.constant 16 : index\n"
    "    %c128 = arith.constant 128 : index\n"
    "    %c512 = arith.constant 512 : index\n"
    "    %xv = pto.make_tensor_view %x, shape = [%c1, %c1, %c4, %c8, %c16], strides = [%c512, %c512, %c128, %c16, %c1] : !pto.tensor_view<?x?x?x?x?xf32>\n"
    "    %xp = pto.partition_view %xv, offsets = [%c0, %c0, %c1, %c0, %c4], sizes = [%c1, %c1, %c2, %c8, %c8] : !pto.tensor_view<?x?x?x?x?xf32> -> !pto.partition_tensor_view<1x1x2x8x8xf32>\n"
    "    %yv = pto.make_tensor_view %y, shape = [%c16, %c8], strides = [%c8, %c1] : !pto.tensor_view<?x?xf32>\n"
    "    %yp = pto.partition_view %yv, offsets = [%c0, %c0], sizes = [%c16, %c8] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<16x8xf32>\n"
    "    %t = pto.alloc_tile : !pto.tile_buf<vec, 16x8xf32>\n"
    "    pto.tload ins(%xp : !pto.partition_tensor_view<1x1x2x8x8xf32>) outs(%t : !pto.tile_buf<vec, 16x8xf32>)\n"
    "    pto.tstore ins(%t : !pto.tile_buf<vec, 16x8xf32>) outs(%yp : !pto.partition_tensor_view<16x8xf32>)\n"
    "    return\n"
    "  }\n"
    "}\n";

TEST(rank5_partition) {
  tk k;
  LOAD_OR_RETURN(&k, FIVE, "five");
  ptk_tensor *x = zeros(PTK_TD_F32, 512), *y = zeros2(PTK_TD_F32, 16, 8);
  for (int i = 0; i < 512; i++) ((float *)x->data)[i] = (float)i;
  ptk_launch_arg a[] = {T(x), T(y)};
  CHECK_INT(run(&k, 1, 1, a, 2), 0);
  /* tile row r = (d2, d3) = (r / 8, r % 8) of the window at d2 = 1, d4 = 4 */
  for (int r = 0; r < 16; r++)
    for (int c = 0; c < 8; c++)
      CHECK_DBL(((float *)y->data)[r * 8 + c], (1 + r / 8) * 128 + (r % 8) * 16 + 4 + c, 0);
  ptk_tensor_free(x);
  ptk_tensor_free(y);
  unload(&k);
}
