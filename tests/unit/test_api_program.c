/* Unit tests of the program part of the public C API (runtime/ptk.h):
 * loading programs from files and strings with const bindings,
 * introspection, in-place and return-style runs (static and dynamic
 * shapes), identical results for every thread count and both engines, and
 * every error as a status plus a rendered, located diagnostic. Only the
 * public header is used. */
#include "tests/unit/api_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/ptk.h"
#include "tests/unit/ut.h"

static bool has(const ptk_err *e, const char *needle) {
  bool ok = e->message && strstr(e->message, needle);
  if (!ok) printf("    expected '%s' in the error message:\n%s\n", needle, e->message ? e->message : "(none)");
  return ok;
}

static const char AXPY2[] =
    "const ALPHA = 2.0;\n"
    "const TILE = 64;\n"
    "kernel axpy(x: ptr<f32> in, y: ptr<f32> in, z: ptr<f32> out, a: f32, n: i32) {\n"
    "  let xv = make_tensor_view(x, shape = [1, n], strides = [n, 1]);\n"
    "  let yv = make_tensor_view(y, shape = [1, n], strides = [n, 1]);\n"
    "  let zv = make_tensor_view(z, shape = [1, n], strides = [n, 1]);\n"
    "  for off in range(block_idx() * TILE, n, block_num() * TILE) {\n"
    "    let tx = alloc_tile(shape = [1, TILE], dtype = f32, loc = vec);\n"
    "    let ty = alloc_tile(shape = [1, TILE], dtype = f32, loc = vec);\n"
    "    tload(xv[0:1, off:off + TILE], tx);\n"
    "    tload(yv[0:1, off:off + TILE], ty);\n"
    "    tmuls(tx, a, tx);\n"
    "    tadd(tx, ty, tx);\n"
    "    tstore(tx, zv[0:1, off:off + TILE]);\n"
    "  }\n"
    "}\n"
    "program axpy2(x: tensor<f32>[N] in, y: tensor<f32>[N] in, z: tensor<f32>[N] out) {\n"
    "  let t = alloc_tensor(shape = [N], dtype = f32);\n"
    "  launch axpy(x, y, t, ALPHA, N, blocks = 4);\n"
    "  launch axpy(t, y, z, ALPHA, N, blocks = 4);\n"
    "}\n"
    "program unfixed(x: tensor<f32>[N] in, z: tensor<f32>[M] out) {\n"
    "  launch axpy(x, x, z, ALPHA, N, blocks = 1);\n"
    "}\n"
    "program sized(x: tensor<f32>[64] in, y: tensor<f32>[64] out, n: i32) {\n"
    "  launch axpy(x, x, y, 1.0, n, blocks = 1);\n"
    "}\n";

static ptk_tensor *ramp(int64_t n, float k) {
  ptk_tensor *t = ptk_tensor_new(PTK_F32, 1, &n);
  float *p = ptk_tensor_data(t);
  for (int64_t i = 0; i < n; i++) p[i] = k * (float)(i % 13) - 3.0f;
  return t;
}

TEST(prog_vector_dag_file) {
  ptk_err err = {0};
  ptk_ctx *c = ptk_open(NULL, &err);
  ptk_prog *p = ptk_prog_load_file(c, au_path("samples/programs/vector_dag.ptk"), NULL, NULL, 0, &err);
  CHECK(p != NULL);
  if (!p) {
    printf("%s", err.message);
    ptk_close(c);
    return;
  }
  CHECK_STR(ptk_prog_name(p), "vector_dag");
  CHECK_INT(ptk_prog_nparams(p), 1);
  const ptk_prog_param *f = ptk_prog_param_at(p, 0);
  CHECK(f && f->is_tensor && f->type == PTK_F32 && f->dir == PTK_OUT && f->rank == 2);
  CHECK(f && f->shape[0] == 128 && f->shape[1] == 128 && !f->dim_names[0]);
  CHECK(ptk_prog_param_at(p, 1) == NULL);
  CHECK_INT(ptk_prog_ntasks(p), 0);
  ptk_tensor *out = NULL;
  CHECK_INT(ptk_prog_call(p, NULL, 0, &out, 1, &err), PTK_OK);
  CHECK_INT(ptk_prog_ntasks(p), 7);
  int64_t bad = 0;
  const float *v = ptk_tensor_data(out);
  for (int64_t i = 0; i < ptk_tensor_numel(out); i++) bad += v[i] != 47.0f;
  CHECK_INT(bad, 0);
  /* in place, then the wrong count */
  memset(ptk_tensor_data(out), 0, 128 * 128 * sizeof(float));
  ptk_arg a = ptk_arg_tensor(out);
  CHECK_INT(ptk_prog_launch(p, &a, 1, &err), PTK_OK);
  CHECK(((const float *)ptk_tensor_data(out))[128 * 128 - 1] == 47.0f);
  CHECK_INT(ptk_prog_launch(p, &a, 0, &err), PTK_ERR_ARG);
  CHECK(has(&err, "vector_dag.ptk:63:9: error: program 'vector_dag' takes 1 argument, got 0"));
  CHECK(has(&err, "note: parameter 1: 'f' (out)"));
  CHECK_INT(ptk_prog_call(p, NULL, 0, NULL, 0, &err), PTK_ERR_ARG);
  CHECK(has(&err, "takes 0 inputs and returns 1 out tensor (ptk_prog_call), got 0 and 0"));
  ptk_err_clear(&err);
  ptk_tensor_free(out);
  ptk_close(c); /* frees p */
  CHECK(ptk_prog_name(p) == NULL);
  CHECK_INT(ptk_prog_launch(p, &a, 1, &err), PTK_ERR_ARG);
  CHECK(has(&err, "the program is not loaded"));
  ptk_prog_free(p); /* stale: nothing */
  ptk_err_clear(&err);
  CHECK(au_no_leaks());
}

/* z = A (A x + y) + y for every thread count and both engines, in place and return-style. */
static void run_axpy2(const char *engine, uint32_t threads, const char *alpha, float a, int64_t n) {
  ptk_err err = {0};
  ptk_options o = {0};
  o.engine = engine;
  o.threads = threads;
  ptk_ctx *c = ptk_open(&o, &err);
  ptk_const cb = {"ALPHA", alpha};
  ptk_prog *p = ptk_prog_load_string(c, AXPY2, "mem/axpy2.ptk", "axpy2", alpha ? &cb : NULL, alpha ? 1 : 0, &err);
  CHECK(p != NULL);
  if (!p) {
    printf("%s", err.message);
    ptk_err_clear(&err);
    ptk_close(c);
    return;
  }
  const ptk_prog_param *x0 = ptk_prog_param_at(p, 0);
  CHECK(x0->shape[0] == -1 && x0->dim_names[0] && !strcmp(x0->dim_names[0], "N"));
  ptk_tensor *x = ramp(n, 0.5f), *y = ramp(n, -0.25f), *z = ptk_tensor_new(PTK_F32, 1, &n), *z2 = NULL;
  ptk_arg args[3] = {ptk_arg_tensor(x), ptk_arg_tensor(y), ptk_arg_tensor(z)};
  CHECK_INT(ptk_prog_launch(p, args, 3, &err), PTK_OK);
  CHECK_INT(ptk_prog_call(p, args, 2, &z2, 1, &err), PTK_OK);
  CHECK(z2 && ptk_tensor_rank(z2) == 1 && ptk_tensor_shape(z2)[0] == n);
  int64_t bad = 0;
  const float *xv = ptk_tensor_data(x), *yv = ptk_tensor_data(y), *zv = ptk_tensor_data(z),
              *z2v = z2 ? ptk_tensor_data(z2) : zv;
  for (int64_t i = 0; i < n; i++) {
    float t = a * xv[i] + yv[i], want = a * t + yv[i];
    bad += zv[i] != want || z2v[i] != want;
  }
  CHECK_INT(bad, 0);
  ptk_tensor_free(x);
  ptk_tensor_free(y);
  ptk_tensor_free(z);
  ptk_tensor_free(z2);
  ptk_err_clear(&err);
  ptk_close(c);
}

TEST(prog_string_consts_threads_engines) {
  run_axpy2(NULL, 1, NULL, 2.0f, 256);
  run_axpy2(NULL, 2, "3", 3.0f, 1024);
  run_axpy2(NULL, 8, "0.5", 0.5f, 64 * 37);
  run_axpy2("jit", 2, "3", 3.0f, 1024);
  CHECK(au_no_leaks());
}

TEST(prog_load_errors) {
  ptk_err err = {0};
  ptk_ctx *c = ptk_open(NULL, &err);
  CHECK(ptk_prog_load_file(c, "/no/such/prog.ptk", NULL, NULL, 0, &err) == NULL);
  CHECK_INT(err.code, PTK_ERR_IO);
  CHECK(has(&err, "/no/such/prog.ptk: cannot read file"));
  CHECK(ptk_prog_load_file(NULL, "x.ptk", NULL, NULL, 0, &err) == NULL);
  CHECK_INT(err.code, PTK_ERR_ARG);
  CHECK(ptk_prog_load_string(c, NULL, "x.ptk", NULL, NULL, 0, &err) == NULL);
  CHECK(has(&err, "the text is NULL"));
  /* located compile errors */
  const char *bad = "program p(x: tensor<f32>[8] in) {\n  launch nope(x);\n}\n";
  CHECK(ptk_prog_load_string(c, bad, "mem/bad.ptk", NULL, NULL, 0, &err) == NULL);
  CHECK_INT(err.code, PTK_ERR_COMPILE);
  CHECK(has(&err, "mem/bad.ptk:2:10: error: unknown kernel 'nope'"));
  CHECK(ptk_prog_load_string(c, AXPY2, "mem/a.ptk", NULL, NULL, 0, &err) == NULL);
  CHECK(has(&err, "this file declares 3 programs; choose one with --entry NAME"));
  CHECK(ptk_prog_load_string(c, AXPY2, "mem/a.ptk", "nosuch", NULL, 0, &err) == NULL);
  CHECK(has(&err, "no program named 'nosuch'"));
  /* const bindings */
  ptk_const cb = {"BETA", "1"};
  CHECK(ptk_prog_load_string(c, AXPY2, "mem/a.ptk", "axpy2", &cb, 1, &err) == NULL);
  CHECK_INT(err.code, PTK_ERR_COMPILE);
  CHECK(has(&err, "mem/a.ptk:17:9: error: const binding BETA=1: the program's file has no module-level "
                  "'const BETA = …;'"));
  ptk_const cv = {"ALPHA", "fast"};
  CHECK(ptk_prog_load_string(c, AXPY2, "mem/a.ptk", "axpy2", &cv, 1, &err) == NULL);
  CHECK(has(&err, "mem/a.ptk:1:1: error: const binding ALPHA=fast: 'fast' is not an integer, float, bool or dtype"));
  ptk_const cn = {NULL, "1"};
  CHECK(ptk_prog_load_string(c, AXPY2, "mem/a.ptk", "axpy2", &cn, 1, &err) == NULL);
  CHECK_INT(err.code, PTK_ERR_ARG);
  ptk_err_clear(&err);
  ptk_close(c);
  CHECK(au_no_leaks());
}

TEST(prog_run_errors) {
  ptk_err err = {0};
  ptk_options o = {0};
  o.threads = 2;
  ptk_ctx *c = ptk_open(&o, &err);
  ptk_prog *u = ptk_prog_load_string(c, AXPY2, "mem/a.ptk", "unfixed", NULL, 0, &err);
  ptk_prog *p = ptk_prog_load_string(c, AXPY2, "mem/a.ptk", "axpy2", NULL, 0, &err);
  ptk_prog *s = ptk_prog_load_string(c, AXPY2, "mem/a.ptk", "sized", NULL, 0, &err);
  CHECK(u && p && s);
  if (!u || !p || !s) {
    printf("%s", err.message);
    ptk_err_clear(&err);
    ptk_close(c);
    return;
  }
  int64_t n = 64;
  ptk_tensor *x = ramp(n, 1.0f), *out = (ptk_tensor *)1;
  ptk_arg in1 = ptk_arg_tensor(x);
  /* a dynamic out dimension no input fixes */
  CHECK_INT(ptk_prog_call(u, &in1, 1, &out, 1, &err), PTK_ERR_UNSUPPORTED);
  CHECK(out == NULL);
  CHECK(has(&err, "mem/a.ptk:22:39: error: out tensor 'z' has the dynamic dimension M, which no input tensor "
                  "fixes: pass every tensor, this one too"));
  /* wrong dtype, rank, a scalar for a tensor, a scalar without a value */
  int64_t sh2[2] = {8, 8};
  ptk_tensor *i32 = ptk_tensor_new(PTK_I32, 1, &n), *m2 = ptk_tensor_new(PTK_F32, 2, sh2);
  ptk_arg a1[3] = {ptk_arg_tensor(i32), ptk_arg_tensor(x), ptk_arg_tensor(x)};
  CHECK_INT(ptk_prog_launch(p, a1, 3, &err), PTK_ERR_ARG);
  CHECK(has(&err, "mem/a.ptk:17:15: error: argument 1 ('x'): expected a C-contiguous f32 tensor of rank 1, got i32 64"));
  ptk_arg a2[3] = {ptk_arg_tensor(x), ptk_arg_tensor(m2), ptk_arg_float(1.0)};
  CHECK_INT(ptk_prog_launch(p, a2, 3, &err), PTK_ERR_ARG);
  CHECK(has(&err, "argument 2 ('y'): expected a C-contiguous f32 tensor of rank 1, got f32 8x8"));
  CHECK(has(&err, "argument 3 ('z'): expected a tensor"));
  ptk_arg a3[3] = {ptk_arg_tensor(x), ptk_arg_tensor(x), {0}};
  a3[2].type = PTK_ELEM_OTHER;
  CHECK_INT(ptk_prog_launch(p, a3, 3, &err), PTK_ERR_ARG);
  CHECK(has(&err, "argument 3 ('z'): no value given"));
  /* dimensions that disagree */
  int64_t n2 = 128;
  ptk_tensor *x2 = ramp(n2, 1.0f);
  ptk_arg a4[3] = {ptk_arg_tensor(x), ptk_arg_tensor(x2), ptk_arg_tensor(x)};
  CHECK_INT(ptk_prog_launch(p, a4, 3, &err), PTK_ERR_ARG);
  CHECK(has(&err, "argument 2 ('y'): dimension 0 is 128 but N is already 64"));
  /* a task that fails at run time: the kernel reads past x (n = 128 > 64) */
  ptk_tensor *y = NULL;
  ptk_arg a5[2] = {ptk_arg_tensor(x), ptk_arg_int(128)};
  CHECK_INT(ptk_prog_call(s, a5, 2, &y, 1, &err), PTK_ERR_LAUNCH);
  CHECK(y == NULL);
  CHECK(has(&err, "mem/a.ptk:10:5: error: out-of-bounds tload in kernel 'axpy' (block 0)"));
  CHECK(has(&err, "mem/a.ptk:26:3: note: in task 0 (kernel 'axpy', 1 block), launched here"));
  ptk_arg a6[2] = {ptk_arg_tensor(x), ptk_arg_int(64)};
  CHECK_INT(ptk_prog_call(s, a6, 2, &y, 1, &err), PTK_OK);
  CHECK(y && ((const float *)ptk_tensor_data(y))[5] == 2 * ((const float *)ptk_tensor_data(x))[5]);
  ptk_tensor_free(y);
  /* freed early: stale afterwards */
  ptk_prog_free(u);
  CHECK_INT(ptk_prog_call(u, &in1, 1, &out, 1, &err), PTK_ERR_ARG);
  CHECK(has(&err, "ptk_prog_call: the program is not loaded"));
  CHECK_INT(ptk_prog_nparams(u), 0);
  CHECK(ptk_prog_param_at(u, 0) == NULL);
  ptk_tensor_free(x);
  ptk_tensor_free(x2);
  ptk_tensor_free(i32);
  ptk_tensor_free(m2);
  ptk_err_clear(&err);
  ptk_close(c);
  CHECK(au_no_leaks());
}
