/* Unit tests of the public C API (runtime/ptk.h): loading from files and
 * strings (.ptk and .pto), introspection, in-place and return-style
 * launches, the kernel cache and its invalidation, error reporting, and
 * concurrent launches. Only the public header is used. */
#include "tests/unit/api_util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "runtime/ptk.h"
#include "tests/unit/ut.h"

static bool has(const ptk_err *e, const char *needle) {
  bool ok = e->message && strstr(e->message, needle);
  if (!ok) printf("    expected '%s' in the error message:\n%s\n", needle, e->message ? e->message : "(none)");
  return ok;
}

static ptk_tensor *vec_f32(int64_t n, float start, float step) {
  ptk_tensor *t = ptk_tensor_new(PTK_F32, 1, &n);
  float *p = ptk_tensor_data(t);
  for (int64_t i = 0; i < n; i++) p[i] = start + step * (float)(i % 101);
  return t;
}

static const char SCALE_PTK[] =
    "// y = S * x\n"
    "kernel scale(x: ptr<f32> in, y: ptr<f32> out, n: i32, const S: float = 2.0,\n"
    "             const TILE: int = 64) {\n"
    "  let xv = make_tensor_view(x, shape = [1, n], strides = [n, 1]);\n"
    "  let yv = make_tensor_view(y, shape = [1, n], strides = [n, 1]);\n"
    "  for off in range(block_idx() * TILE, n, block_num() * TILE) {\n"
    "    let len = min(n - off, TILE);\n"
    "    let a = alloc_tile(shape = [1, TILE], dtype = f32, loc = vec, valid = [1, len]);\n"
    "    tload(xv[0:1, off:off + len], a);\n"
    "    tmuls(a, S, a);\n"
    "    tstore(a, yv[0:1, off:off + len]);\n"
    "  }\n"
    "}\n";

static const char ADD_PTO[] =
    "module {\n"
    "  func.func @add16(%arg0: !pto.ptr<f32>, %arg1: !pto.ptr<f32>, %arg2: !pto.ptr<f32>) {\n"
    "    %c0 = arith.constant 0 : index\n"
    "    %c1 = arith.constant 1 : index\n"
    "    %c8 = arith.constant 8 : index\n"
    "    %c2 = arith.constant 2 : index\n"
    "    %0 = pto.make_tensor_view %arg0, shape = [%c2, %c8], strides = [%c8, %c1] : !pto.tensor_view<?x?xf32>\n"
    "    %1 = pto.make_tensor_view %arg1, shape = [%c2, %c8], strides = [%c8, %c1] : !pto.tensor_view<?x?xf32>\n"
    "    %2 = pto.make_tensor_view %arg2, shape = [%c2, %c8], strides = [%c8, %c1] : !pto.tensor_view<?x?xf32>\n"
    "    %3 = pto.partition_view %0, offsets = [%c0, %c0], sizes = [%c2, %c8] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<2x8xf32>\n"
    "    %4 = pto.partition_view %1, offsets = [%c0, %c0], sizes = [%c2, %c8] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<2x8xf32>\n"
    "    %5 = pto.partition_view %2, offsets = [%c0, %c0], sizes = [%c2, %c8] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<2x8xf32>\n"
    "    %6 = pto.alloc_tile : !pto.tile_buf<vec, 2x8xf32>\n"
    "    %7 = pto.alloc_tile : !pto.tile_buf<vec, 2x8xf32>\n"
    "    %8 = pto.alloc_tile : !pto.tile_buf<vec, 2x8xf32>\n"
    "    pto.tload ins(%3 : !pto.partition_tensor_view<2x8xf32>) outs(%6 : !pto.tile_buf<vec, 2x8xf32>)\n"
    "    pto.tload ins(%4 : !pto.partition_tensor_view<2x8xf32>) outs(%7 : !pto.tile_buf<vec, 2x8xf32>)\n"
    "    pto.tadd ins(%6, %7 : !pto.tile_buf<vec, 2x8xf32>, !pto.tile_buf<vec, 2x8xf32>) outs(%8 : !pto.tile_buf<vec, 2x8xf32>)\n"
    "    pto.tstore ins(%8 : !pto.tile_buf<vec, 2x8xf32>) outs(%5 : !pto.partition_tensor_view<2x8xf32>)\n"
    "    return\n"
    "  }\n"
    "}\n";

/* ---- loading and launching ----------------------------------------------------------------- */

TEST(version) { CHECK(ptk_version() && ptk_version()[0]); }

TEST(open_close_defaults) {
  ptk_err err = {0};
  ptk_ctx *c = ptk_open(NULL, &err);
  CHECK(c != NULL);
  CHECK_INT(err.code, PTK_OK);
  CHECK(err.message == NULL);
  ptk_close(c);
  ptk_close(NULL);
  ptk_err_clear(NULL);
  CHECK(au_no_leaks());
}

TEST(open_bad_target) {
  ptk_err err = {0};
  ptk_options o = {0};
  o.target = "a9";
  CHECK(ptk_open(&o, &err) == NULL);
  CHECK_INT(err.code, PTK_ERR_ARG);
  CHECK(has(&err, "a9"));
  ptk_err_clear(&err);
  CHECK(err.message == NULL && err.code == PTK_OK);
  CHECK(au_no_leaks());
}

TEST(load_launch_vadd) {
  ptk_err err = {0};
  ptk_ctx *c = ptk_open(NULL, &err);
  ptk_const tile = {"TILE", "128"};
  ptk_kernel *k = ptk_load_file(c, au_path("samples/vadd.ptk"), NULL, &tile, 1, &err);
  CHECK(k != NULL);
  if (!k) {
    printf("%s", err.message);
    goto out;
  }
  CHECK_STR(ptk_kernel_name(k), "vadd");
  CHECK_INT(ptk_kernel_nparams(k), 4);
  const ptk_param *p = ptk_kernel_param(k, 2);
  CHECK_STR(p->name, "z");
  CHECK(p->is_tensor);
  CHECK_INT(p->type, PTK_F32);
  CHECK_INT(p->dir, PTK_OUT);
  CHECK_INT(ptk_kernel_param(k, 0)->dir, PTK_IN);
  CHECK(!ptk_kernel_param(k, 3)->is_tensor);
  CHECK_INT(ptk_kernel_param(k, 3)->type, PTK_I32);
  CHECK(ptk_kernel_param(k, 4) == NULL);
  for (int64_t n = 1; n <= 700; n += 233) {
    ptk_tensor *x = vec_f32(n, 1.0f, 0.5f), *y = vec_f32(n, -3.0f, 0.25f), *z = vec_f32(n, -7, 0);
    ptk_arg a[4] = {ptk_arg_tensor(x), ptk_arg_tensor(y), ptk_arg_tensor(z), ptk_arg_int(n)};
    CHECK_INT(ptk_launch(k, 3, a, 4, &err), PTK_OK);
    const float *xp = ptk_tensor_data(x), *yp = ptk_tensor_data(y), *zp = ptk_tensor_data(z);
    int bad = 0;
    for (int64_t i = 0; i < n; i++) bad += zp[i] != xp[i] + yp[i];
    CHECK_INT(bad, 0);
    ptk_tensor_free(x);
    ptk_tensor_free(y);
    ptk_tensor_free(z);
  }
out:
  ptk_err_clear(&err);
  ptk_close(c);
  CHECK(au_no_leaks());
}

TEST(call_allocates_outputs) {
  ptk_err err = {0};
  ptk_ctx *c = ptk_open(NULL, &err);
  ptk_kernel *k = ptk_load_file(c, au_path("samples/vadd.ptk"), "vadd", NULL, 0, &err);
  CHECK(k != NULL);
  if (!k) goto out;
  int64_t n = 1500;
  ptk_tensor *x = vec_f32(n, 2.0f, 1.0f), *y = vec_f32(n, 0.5f, -0.5f), *z = NULL;
  ptk_arg in[3] = {ptk_arg_tensor(x), ptk_arg_tensor(y), ptk_arg_int(n)};
  CHECK_INT(ptk_call(k, 2, in, 3, &z, 1, &err), PTK_OK);
  CHECK(z != NULL);
  if (z) {
    CHECK_INT(ptk_tensor_type(z), PTK_F32);
    CHECK_INT(ptk_tensor_rank(z), 2); /* the view's shape: [1, n] */
    CHECK_INT(ptk_tensor_shape(z)[0], 1);
    CHECK_INT(ptk_tensor_shape(z)[1], n);
    const float *xp = ptk_tensor_data(x), *yp = ptk_tensor_data(y), *zp = ptk_tensor_data(z);
    int bad = 0;
    for (int64_t i = 0; i < n; i++) bad += zp[i] != xp[i] + yp[i];
    CHECK_INT(bad, 0);
  }
  ptk_tensor_free(z);
  /* Wrong counts for the return style. */
  z = (ptk_tensor *)&err; /* must be reset to NULL */
  CHECK_INT(ptk_call(k, 1, in, 2, &z, 1, &err), PTK_ERR_ARG);
  CHECK(z == NULL);
  CHECK(has(&err, "takes 3 inputs and returns 1 out tensor"));
  ptk_tensor_free(x);
  ptk_tensor_free(y);
out:
  ptk_err_clear(&err);
  ptk_close(c);
  CHECK(au_no_leaks());
}

TEST(call_constant_shapes_pto) {
  ptk_err err = {0};
  ptk_ctx *c = ptk_open(NULL, &err);
  ptk_kernel *k = ptk_load_string(c, ADD_PTO, "mem/add16.pto", NULL, NULL, 0, &err);
  CHECK(k != NULL);
  if (!k) {
    printf("%s", err.message);
    goto out;
  }
  CHECK_STR(ptk_kernel_name(k), "add16");
  CHECK_INT(ptk_kernel_nparams(k), 3);
  CHECK_STR(ptk_kernel_param(k, 0)->name, "arg0");
  CHECK_INT(ptk_kernel_param(k, 0)->dir, PTK_IN);
  CHECK_INT(ptk_kernel_param(k, 2)->dir, PTK_OUT); /* derived: only stored */
  int64_t sh[2] = {2, 8};
  ptk_tensor *a = ptk_tensor_new(PTK_F32, 2, sh), *b = ptk_tensor_new(PTK_F32, 2, sh), *o = NULL;
  float *ap = ptk_tensor_data(a), *bp = ptk_tensor_data(b);
  for (int i = 0; i < 16; i++) ap[i] = (float)i, bp[i] = 100.0f * (float)i;
  ptk_arg in[2] = {ptk_arg_tensor(a), ptk_arg_tensor(b)};
  CHECK_INT(ptk_call(k, 1, in, 2, &o, 1, &err), PTK_OK);
  if (o) {
    CHECK_INT(ptk_tensor_rank(o), 2);
    CHECK_INT(ptk_tensor_shape(o)[0], 2);
    CHECK_INT(ptk_tensor_shape(o)[1], 8);
    const float *op = ptk_tensor_data(o);
    for (int i = 0; i < 16; i++) CHECK_DBL(op[i], 101.0 * i, 0);
  }
  ptk_tensor_free(o);
  ptk_tensor_free(a);
  ptk_tensor_free(b);
out:
  ptk_err_clear(&err);
  ptk_close(c);
  CHECK(au_no_leaks());
}

TEST(load_string_ptk_with_consts) {
  ptk_err err = {0};
  ptk_ctx *c = ptk_open(NULL, &err);
  ptk_const s3[] = {{"S", "3.0"}, {"TILE", "16"}};
  ptk_kernel *k = ptk_load_string(c, SCALE_PTK, "mem/scale.ptk", "scale", s3, 2, &err);
  CHECK(k != NULL);
  if (!k) {
    printf("%s", err.message);
    goto out;
  }
  int64_t n = 37;
  ptk_tensor *x = vec_f32(n, 1.0f, 1.0f), *y = NULL;
  ptk_arg in[2] = {ptk_arg_tensor(x), ptk_arg_int(n)};
  CHECK_INT(ptk_call(k, 2, in, 2, &y, 1, &err), PTK_OK);
  if (y)
    for (int64_t i = 0; i < n; i++)
      CHECK_DBL(((float *)ptk_tensor_data(y))[i], 3.0 * ((float *)ptk_tensor_data(x))[i], 0);
  ptk_tensor_free(y);
  /* Same text, same bindings in another order: cached. Other bindings: another kernel. */
  ptk_const s3r[] = {{"TILE", "16"}, {"S", "3.0"}};
  CHECK(ptk_load_string(c, SCALE_PTK, "mem/scale.ptk", "scale", s3r, 2, &err) == k);
  ptk_kernel *k2 = ptk_load_string(c, SCALE_PTK, "mem/scale.ptk", "scale", NULL, 0, &err);
  CHECK(k2 != NULL && k2 != k);
  y = NULL;
  CHECK_INT(ptk_call(k2, 1, in, 2, &y, 1, &err), PTK_OK);
  if (y) CHECK_DBL(((float *)ptk_tensor_data(y))[5], 2.0 * ((float *)ptk_tensor_data(x))[5], 0);
  ptk_tensor_free(y);
  ptk_tensor_free(x);
out:
  ptk_err_clear(&err);
  ptk_close(c);
  CHECK(au_no_leaks());
}

/* Shapes that cannot be computed before the launch: an out view sharing an
 * input view's shape operands takes that input's shape (rule 2); otherwise
 * ptk_call refuses (rule 3). */
static const char SELECT_PTO[] =
    "module {\n"
    "  func.func @same(%arg0: !pto.ptr<f32>, %arg1: !pto.ptr<f32>, %arg2: i1) {\n"
    "    %c0 = arith.constant 0 : index\n"
    "    %c1 = arith.constant 1 : index\n"
    "    %c2 = arith.constant 2 : index\n"
    "    %c3 = arith.constant 3 : index\n"
    "    %c8 = arith.constant 8 : index\n"
    "    %s = arith.select %arg2, %c2, %c3 : index\n"
    "    %0 = pto.make_tensor_view %arg0, shape = [%s, %c8], strides = [%c8, %c1] : !pto.tensor_view<?x?xf32>\n"
    "    %1 = pto.make_tensor_view %arg1, shape = [%s, %c8], strides = [%c8, %c1] : !pto.tensor_view<?x?xf32>\n"
    "    %2 = pto.partition_view %0, offsets = [%c0, %c0], sizes = [%c2, %c8] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<2x8xf32>\n"
    "    %3 = pto.partition_view %1, offsets = [%c0, %c0], sizes = [%c2, %c8] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<2x8xf32>\n"
    "    %4 = pto.alloc_tile : !pto.tile_buf<vec, 2x8xf32>\n"
    "    pto.tload ins(%2 : !pto.partition_tensor_view<2x8xf32>) outs(%4 : !pto.tile_buf<vec, 2x8xf32>)\n"
    "    pto.tstore ins(%4 : !pto.tile_buf<vec, 2x8xf32>) outs(%3 : !pto.partition_tensor_view<2x8xf32>)\n"
    "    return\n"
    "  }\n"
    "  func.func @other(%arg0: !pto.ptr<f32>, %arg1: !pto.ptr<f32>, %arg2: i1) {\n"
    "    %c0 = arith.constant 0 : index\n"
    "    %c1 = arith.constant 1 : index\n"
    "    %c2 = arith.constant 2 : index\n"
    "    %c3 = arith.constant 3 : index\n"
    "    %c8 = arith.constant 8 : index\n"
    "    %s = arith.select %arg2, %c2, %c3 : index\n"
    "    %t = arith.select %arg2, %c3, %c2 : index\n"
    "    %0 = pto.make_tensor_view %arg0, shape = [%s, %c8], strides = [%c8, %c1] : !pto.tensor_view<?x?xf32>\n"
    "    %1 = pto.make_tensor_view %arg1, shape = [%t, %c8], strides = [%c8, %c1] : !pto.tensor_view<?x?xf32>\n"
    "    %2 = pto.partition_view %0, offsets = [%c0, %c0], sizes = [%c2, %c8] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<2x8xf32>\n"
    "    %3 = pto.partition_view %1, offsets = [%c0, %c0], sizes = [%c2, %c8] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<2x8xf32>\n"
    "    %4 = pto.alloc_tile : !pto.tile_buf<vec, 2x8xf32>\n"
    "    pto.tload ins(%2 : !pto.partition_tensor_view<2x8xf32>) outs(%4 : !pto.tile_buf<vec, 2x8xf32>)\n"
    "    pto.tstore ins(%4 : !pto.tile_buf<vec, 2x8xf32>) outs(%3 : !pto.partition_tensor_view<2x8xf32>)\n"
    "    return\n"
    "  }\n"
    "}\n";

TEST(call_shape_rules) {
  ptk_err err = {0};
  ptk_ctx *c = ptk_open(NULL, &err);
  ptk_kernel *same = ptk_load_string(c, SELECT_PTO, "sel.pto", "same", NULL, 0, &err);
  CHECK(same != NULL);
  if (!same) printf("%s", err.message);
  ptk_kernel *other = ptk_load_string(c, SELECT_PTO, "sel.pto", "other", NULL, 0, &err);
  CHECK(other != NULL && other != same);
  CHECK(ptk_load_string(c, SELECT_PTO, "sel.pto", NULL, NULL, 0, &err) == NULL);
  CHECK(has(&err, "2 functions could be the entry"));
  int64_t sh[2] = {2, 8};
  ptk_tensor *x = vec_f32(16, 1.0f, 1.0f), *z = NULL;
  ptk_tensor *x2 = ptk_tensor_wrap(PTK_F32, 2, sh, ptk_tensor_data(x));
  ptk_arg in[2] = {ptk_arg_tensor(x2), ptk_arg_bool(true)};
  if (same) {
    CHECK_INT(ptk_call(same, 1, in, 2, &z, 1, &err), PTK_OK);
    if (z) {
      CHECK_INT(ptk_tensor_rank(z), 2);
      CHECK_INT(ptk_tensor_shape(z)[0], 2);
      CHECK_INT(ptk_tensor_shape(z)[1], 8);
      CHECK(memcmp(ptk_tensor_data(z), ptk_tensor_data(x), 16 * sizeof(float)) == 0);
    }
    ptk_tensor_free(z);
  }
  if (other) {
    CHECK_INT(ptk_call(other, 1, in, 2, &z, 1, &err), PTK_ERR_UNSUPPORTED);
    CHECK(z == NULL);
    CHECK(has(&err, "cannot tell the shape of out parameter 'arg1'"));
  }
  ptk_tensor_free(x2);
  ptk_tensor_free(x);
  ptk_err_clear(&err);
  ptk_close(c);
  CHECK(au_no_leaks());
}

/* ---- caching ------------------------------------------------------------------------------- */

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

TEST(cache_same_pointer_fast) {
  ptk_err err = {0};
  ptk_ctx *c = ptk_open(NULL, &err);
  const char *p = au_path("samples/vadd.ptk");
  ptk_kernel *k = ptk_load_file(c, p, NULL, NULL, 0, &err);
  CHECK(k != NULL);
  ptk_kernel *k2 = NULL;
  double t0 = now_us();
  for (int i = 0; i < 1000; i++) k2 = ptk_load_file(c, p, NULL, NULL, 0, &err);
  double per = (now_us() - t0) / 1000;
  CHECK(k2 == k);
  /* The target is < 5 µs; allow slack for sanitizers and loaded machines. */
  if (per > 100) printf("    cached ptk_load_file took %.2f us\n", per);
  CHECK(per < 100);
  /* A binding equal to the default is still a separate cache entry, but loads. */
  ptk_const t = {"TILE", "1024"};
  ptk_kernel *k3 = ptk_load_file(c, p, NULL, &t, 1, &err);
  CHECK(k3 != NULL && k3 != k);
  CHECK(ptk_load_file(c, p, "vadd", NULL, 0, &err) != NULL);
  ptk_err_clear(&err);
  ptk_close(c);
  CHECK(au_no_leaks());
}

static float run_scale1(ptk_kernel *k) {
  int64_t n = 3;
  ptk_tensor *x = vec_f32(n, 1.0f, 0.0f), *y = NULL;
  ptk_arg in[2] = {ptk_arg_tensor(x), ptk_arg_int(n)};
  ptk_err err = {0};
  float v = -1;
  if (ptk_call(k, 1, in, 2, &y, 1, &err) == PTK_OK) v = ((float *)ptk_tensor_data(y))[0];
  else printf("%s", err.message);
  ptk_err_clear(&err);
  ptk_tensor_free(x);
  ptk_tensor_free(y);
  return v;
}

TEST(cache_reloads_modified_file) {
  char *dir = au_tmpdir();
  char *path = au_write(dir, "scale.ptk", SCALE_PTK);
  ptk_err err = {0};
  ptk_ctx *c = ptk_open(NULL, &err);
  ptk_kernel *k = ptk_load_file(c, path, NULL, NULL, 0, &err);
  CHECK(k != NULL);
  if (!k) goto out;
  CHECK_DBL(run_scale1(k), 2.0, 0);
  CHECK(ptk_load_file(c, path, NULL, NULL, 0, &err) == k);
  /* Same size, immediately: the content hash catches it. */
  char *text = strdup(SCALE_PTK);
  char *two = strstr(text, "2.0");
  two[0] = '5';
  free(au_write(dir, "scale.ptk", text));
  ptk_kernel *k2 = ptk_load_file(c, path, NULL, NULL, 0, &err);
  CHECK(k2 != NULL && k2 != k);
  if (k2) CHECK_DBL(run_scale1(k2), 5.0, 0);
  /* The old handle still works (launches in flight). */
  CHECK_DBL(run_scale1(k), 2.0, 0);
  /* Rewritten with identical content: no reload. */
  free(au_write(dir, "scale.ptk", text));
  CHECK(ptk_load_file(c, path, NULL, NULL, 0, &err) == k2);
  /* A broken edit: an error with its location; then fixed again: loads. */
  free(au_write(dir, "scale.ptk", "kernel scale(x: ptr<f32>) {\n  let = 1;\n}\n"));
  CHECK(ptk_load_file(c, path, NULL, NULL, 0, &err) == NULL);
  CHECK_INT(err.code, PTK_ERR_COMPILE);
  CHECK(has(&err, "scale.ptk:2:"));
  free(au_write(dir, "scale.ptk", text));
  ptk_kernel *k3 = ptk_load_file(c, path, NULL, NULL, 0, &err);
  CHECK(k3 != NULL);
  if (k3) CHECK_DBL(run_scale1(k3), 5.0, 0);
  free(text);
out:
  ptk_err_clear(&err);
  ptk_close(c);
  free(path);
  au_rmdir(dir);
  CHECK(au_no_leaks());
}

TEST(cache_tracks_imports_and_sources) {
  char *dir = au_tmpdir();
  char *lib = au_write(dir, "lib.ptk", "const FACTOR: float = 2.0;\n");
  char *main_ = au_write(dir, "main.ptk",
                         "import \"lib.ptk\" as lib;\n"
                         "kernel k(x: ptr<f32> in, y: ptr<f32> out) {\n"
                         "  let xv = make_tensor_view(x, shape = [1, 8], strides = [8, 1]);\n"
                         "  let yv = make_tensor_view(y, shape = [1, 8], strides = [8, 1]);\n"
                         "  let a = alloc_tile(shape = [1, 8], dtype = f32, loc = vec);\n"
                         "  tload(xv[0:1, 0:8], a);\n"
                         "  tmuls(a, lib.FACTOR, a);\n"
                         "  tstore(a, yv[0:1, 0:8]);\n"
                         "}\n");
  char *pto = au_write(dir, "add16.pto", ADD_PTO);
  char *decl = au_write(dir, "decl.ptk",
                        "@jit(source = \"add16.pto\", name = \"add16\")\n"
                        "kernel add(a: ptr<f32>, b: ptr<f32>, c: ptr<f32>);\n");
  ptk_err err = {0};
  ptk_ctx *c = ptk_open(NULL, &err);
  ptk_kernel *k = ptk_load_file(c, main_, NULL, NULL, 0, &err);
  CHECK(k != NULL);
  if (!k) {
    printf("%s", err.message);
    goto out;
  }
  int64_t sh[2] = {1, 8};
  ptk_tensor *x = ptk_tensor_new(PTK_F32, 2, sh), *y = NULL;
  ((float *)ptk_tensor_data(x))[3] = 1.5f;
  ptk_arg in[1] = {ptk_arg_tensor(x)};
  CHECK_INT(ptk_call(k, 1, in, 1, &y, 1, &err), PTK_OK);
  if (y) CHECK_DBL(((float *)ptk_tensor_data(y))[3], 3.0, 0);
  ptk_tensor_free(y);
  y = NULL;
  CHECK(ptk_load_file(c, main_, NULL, NULL, 0, &err) == k);
  free(au_write(dir, "lib.ptk", "const FACTOR: float = 4.0;\n"));
  ptk_kernel *k2 = ptk_load_file(c, main_, NULL, NULL, 0, &err);
  CHECK(k2 != NULL && k2 != k);
  if (k2 && ptk_call(k2, 1, in, 1, &y, 1, &err) == PTK_OK)
    CHECK_DBL(((float *)ptk_tensor_data(y))[3], 6.0, 0);
  ptk_tensor_free(y);
  ptk_tensor_free(x);

  /* A source-backed kernel depends on its .pto file. */
  ptk_kernel *s1 = ptk_load_file(c, decl, NULL, NULL, 0, &err);
  CHECK(s1 != NULL);
  if (!s1) printf("%s", err.message);
  CHECK(ptk_load_file(c, decl, NULL, NULL, 0, &err) == s1);
  char *pto2 = strdup(ADD_PTO);
  char *op = strstr(pto2, "pto.tadd ins");
  memcpy(op, "pto.tsub", 8);
  free(au_write(dir, "add16.pto", pto2));
  ptk_kernel *s2 = ptk_load_file(c, decl, NULL, NULL, 0, &err);
  CHECK(s2 != NULL && s2 != s1);
  /* ... and so does loading the .pto itself. */
  ptk_kernel *p1 = ptk_load_file(c, pto, NULL, NULL, 0, &err);
  CHECK(p1 != NULL);
  CHECK(ptk_load_file(c, pto, "add16", NULL, 0, &err) != NULL);
  CHECK(ptk_load_file(c, pto, NULL, NULL, 0, &err) == p1);
  free(au_write(dir, "add16.pto", ADD_PTO));
  ptk_kernel *p2 = ptk_load_file(c, pto, NULL, NULL, 0, &err);
  CHECK(p2 != NULL && p2 != p1);
  free(pto2);
out:
  ptk_err_clear(&err);
  ptk_close(c);
  free(lib);
  free(main_);
  free(pto);
  free(decl);
  au_rmdir(dir);
  CHECK(au_no_leaks());
}

/* ---- errors -------------------------------------------------------------------------------- */

TEST(error_missing_file) {
  ptk_err err = {0};
  ptk_ctx *c = ptk_open(NULL, &err);
  CHECK(ptk_load_file(c, "/nonexistent/dir/k.ptk", NULL, NULL, 0, &err) == NULL);
  CHECK_INT(err.code, PTK_ERR_IO);
  CHECK(has(&err, "/nonexistent/dir/k.ptk"));
  CHECK(has(&err, "cannot read file"));
  CHECK(ptk_load_file(c, "/nonexistent/dir/k.pto", NULL, NULL, 0, &err) == NULL);
  CHECK_INT(err.code, PTK_ERR_IO);
  CHECK(ptk_load_file(c, "/nonexistent/k.txt", NULL, NULL, 0, &err) == NULL);
  CHECK(has(&err, "unknown file type"));
  CHECK(ptk_load_file(NULL, "x.ptk", NULL, NULL, 0, &err) == NULL);
  CHECK_INT(err.code, PTK_ERR_ARG);
  CHECK(ptk_load_file(c, NULL, NULL, NULL, 0, NULL) == NULL); /* err may be NULL */
  ptk_err_clear(&err);
  ptk_close(c);
  CHECK(au_no_leaks());
}

TEST(error_syntax_located) {
  ptk_err err = {0};
  ptk_ctx *c = ptk_open(NULL, &err);
  const char *bad = "kernel k(x: ptr<f32>) {\n  let y = ;\n}\n";
  CHECK(ptk_load_string(c, bad, "dir/bad.ptk", NULL, NULL, 0, &err) == NULL);
  CHECK_INT(err.code, PTK_ERR_COMPILE);
  CHECK(has(&err, "dir/bad.ptk:2:"));
  CHECK(has(&err, "error:"));
  CHECK(has(&err, "  let y = ;")); /* the source line is shown */
  /* .pto syntax error. */
  CHECK(ptk_load_string(c, "module {\n  func.func @f( {\n}\n", "b.pto", NULL, NULL, 0, &err) == NULL);
  CHECK_INT(err.code, PTK_ERR_COMPILE);
  CHECK(has(&err, "b.pto:2:"));
  /* --const with a .pto file. */
  ptk_const cst = {"N", "1"};
  CHECK(ptk_load_string(c, ADD_PTO, "a.pto", NULL, &cst, 1, &err) == NULL);
  CHECK(has(&err, "const"));
  /* Unknown kernel / const names. */
  CHECK(ptk_load_string(c, SCALE_PTK, "s.ptk", "nope", NULL, 0, &err) == NULL);
  CHECK(has(&err, "no kernel named 'nope'"));
  ptk_const bogus = {"BOGUS", "1"};
  CHECK(ptk_load_string(c, SCALE_PTK, "s.ptk", NULL, &bogus, 1, &err) == NULL);
  CHECK(has(&err, "BOGUS"));
  ptk_const badv = {"TILE", "banana"};
  CHECK(ptk_load_string(c, SCALE_PTK, "s.ptk", NULL, &badv, 1, &err) == NULL);
  CHECK(has(&err, "banana"));
  ptk_const nul = {"TILE", NULL};
  CHECK(ptk_load_string(c, SCALE_PTK, "s.ptk", NULL, &nul, 1, &err) == NULL);
  CHECK_INT(err.code, PTK_ERR_ARG);
  ptk_err_clear(&err);
  ptk_close(c);
  CHECK(au_no_leaks());
}

TEST(error_launch_arguments) {
  ptk_err err = {0};
  ptk_ctx *c = ptk_open(NULL, &err);
  ptk_kernel *k = ptk_load_file(c, au_path("samples/vadd.ptk"), NULL, NULL, 0, &err);
  CHECK(k != NULL);
  if (!k) goto out;
  int64_t n = 16;
  ptk_tensor *x = vec_f32(n, 0, 1), *y = vec_f32(n, 0, 1), *z = vec_f32(n, 0, 0);
  ptk_tensor *h = ptk_tensor_new(PTK_F16, 1, &n);
  /* Wrong count. */
  ptk_arg a3[3] = {ptk_arg_tensor(x), ptk_arg_tensor(y), ptk_arg_tensor(z)};
  CHECK_INT(ptk_launch(k, 1, a3, 3, &err), PTK_ERR_ARG);
  CHECK(has(&err, "kernel 'vadd' takes 4 arguments, got 3"));
  CHECK(has(&err, "vadd.ptk:"));
  CHECK(has(&err, "parameter 4: 'n' of type i32"));
  /* A scalar where a tensor is expected, and the reverse. */
  ptk_arg a4[4] = {ptk_arg_tensor(x), ptk_arg_int(3), ptk_arg_tensor(z), ptk_arg_tensor(x)};
  CHECK_INT(ptk_launch(k, 1, a4, 4, &err), PTK_ERR_ARG);
  CHECK(has(&err, "argument 2 ('y'): expected a tensor"));
  CHECK(has(&err, "argument 4 ('n'): expected a scalar of type i32, got a tensor"));
  /* Element size mismatch. */
  ptk_arg a5[4] = {ptk_arg_tensor(h), ptk_arg_tensor(y), ptk_arg_tensor(z), ptk_arg_int(n)};
  CHECK_INT(ptk_launch(k, 1, a5, 4, &err), PTK_ERR_ARG);
  CHECK(has(&err, "a f16 tensor (2-byte elements) cannot be bound to"));
  /* A scalar without a value. */
  ptk_arg a6[4] = {ptk_arg_tensor(x), ptk_arg_tensor(y), ptk_arg_tensor(z), ptk_arg_tensor(NULL)};
  CHECK_INT(ptk_launch(k, 1, a6, 4, &err), PTK_ERR_ARG);
  CHECK(has(&err, "no value given"));
  /* Out of bounds at run time: n larger than the tensors. */
  ptk_arg a7[4] = {ptk_arg_tensor(x), ptk_arg_tensor(y), ptk_arg_tensor(z), ptk_arg_int(4 * n)};
  CHECK_INT(ptk_launch(k, 1, a7, 4, &err), PTK_ERR_LAUNCH);
  CHECK(has(&err, "vadd.ptk:")); /* located in the .ptk source */
  CHECK(has(&err, "error:"));
  /* NULLs. */
  CHECK_INT(ptk_launch(NULL, 1, a7, 4, &err), PTK_ERR_ARG);
  CHECK_INT(ptk_launch(k, 1, NULL, 4, &err), PTK_ERR_ARG);
  /* And a good launch clears the error. */
  ptk_arg ok4[4] = {ptk_arg_tensor(x), ptk_arg_tensor(y), ptk_arg_tensor(z), ptk_arg_int(n)};
  CHECK_INT(ptk_launch(k, 1, ok4, 4, &err), PTK_OK);
  CHECK_INT(err.code, PTK_OK);
  CHECK(err.message == NULL);
  ptk_tensor_free(x);
  ptk_tensor_free(y);
  ptk_tensor_free(z);
  ptk_tensor_free(h);
out:
  ptk_err_clear(&err);
  ptk_close(c);
  CHECK(au_no_leaks());
}

TEST(tensor_helpers) {
  int64_t sh[3] = {2, 3, 4};
  ptk_tensor *t = ptk_tensor_new(PTK_BF16, 3, sh);
  CHECK(t != NULL);
  CHECK_INT(ptk_tensor_numel(t), 24);
  CHECK_INT(ptk_tensor_type(t), PTK_BF16);
  CHECK_STR(ptk_elem_name(PTK_BF16), "bf16");
  CHECK_INT(ptk_elem_size(PTK_BF16), 2);
  CHECK_INT(ptk_elem_size(PTK_INDEX), 8);
  ptk_tensor_free(t);
  CHECK(ptk_tensor_new(PTK_INDEX, 1, sh) == NULL);
  CHECK(ptk_tensor_new(PTK_F32, 9, sh) == NULL);
  int64_t neg = -1;
  CHECK(ptk_tensor_new(PTK_F32, 1, &neg) == NULL);
  float mem[6] = {1, 2, 3, 4, 5, 6};
  int64_t s2[2] = {2, 3};
  ptk_tensor *w = ptk_tensor_wrap(PTK_F32, 2, s2, mem);
  CHECK(ptk_tensor_data(w) == mem);
  ptk_tensor_free(w); /* does not free mem */
  CHECK_DBL(mem[5], 6, 0);
  CHECK(au_no_leaks());
}

/* ---- threads ------------------------------------------------------------------------------- */

typedef struct job {
  ptk_ctx *c;
  const char *path;
  float *result;
  int64_t n;
  int failures;
} job;

static void *worker(void *arg) {
  job *j = arg;
  ptk_err err = {0};
  for (int it = 0; it < 8; it++) {
    ptk_kernel *k = ptk_load_file(j->c, j->path, NULL, NULL, 0, &err); /* cached */
    ptk_tensor *x = vec_f32(j->n, 0.5f, 0.75f), *y = vec_f32(j->n, -2.0f, 0.125f);
    ptk_tensor *z = ptk_tensor_wrap(PTK_F32, 1, &j->n, j->result);
    ptk_arg a[4] = {ptk_arg_tensor(x), ptk_arg_tensor(y), ptk_arg_tensor(z), ptk_arg_int(j->n)};
    if (!k || ptk_launch(k, 5, a, 4, &err) != PTK_OK) j->failures++;
    ptk_tensor_free(x);
    ptk_tensor_free(y);
    ptk_tensor_free(z);
  }
  ptk_err_clear(&err);
  return NULL;
}

TEST(concurrent_launches_identical) {
  ptk_err err = {0};
  ptk_ctx *c = ptk_open(NULL, &err);
  const char *p = au_path("samples/vadd.ptk");
  CHECK(ptk_load_file(c, p, NULL, NULL, 0, &err) != NULL);
  int64_t n = 9000;
  float *r1 = calloc((size_t)n, sizeof *r1), *r2 = calloc((size_t)n, sizeof *r2);
  job j1 = {c, p, r1, n, 0}, j2 = {c, p, r2, n, 0};
  pthread_t t1, t2;
  pthread_create(&t1, NULL, worker, &j1);
  pthread_create(&t2, NULL, worker, &j2);
  pthread_join(t1, NULL);
  pthread_join(t2, NULL);
  CHECK_INT(j1.failures, 0);
  CHECK_INT(j2.failures, 0);
  CHECK(memcmp(r1, r2, (size_t)n * sizeof *r1) == 0);
  ptk_tensor *x = vec_f32(n, 0.5f, 0.75f), *y = vec_f32(n, -2.0f, 0.125f);
  const float *xp = ptk_tensor_data(x), *yp = ptk_tensor_data(y);
  int bad = 0;
  for (int64_t i = 0; i < n; i++) bad += r1[i] != xp[i] + yp[i];
  CHECK_INT(bad, 0);
  ptk_tensor_free(x);
  ptk_tensor_free(y);
  free(r1);
  free(r2);
  ptk_err_clear(&err);
  ptk_close(c);
  CHECK(au_no_leaks());
}

/* ptk_tensor_numel(NULL) used to dereference NULL; every accessor takes NULL. */
TEST(tensor_accessors_accept_null) {
  CHECK_INT(ptk_tensor_numel(NULL), 0);
  CHECK_INT(ptk_tensor_rank(NULL), 0);
  CHECK(ptk_tensor_data(NULL) == NULL);
  CHECK(ptk_tensor_shape(NULL) == NULL);
  CHECK_INT(ptk_tensor_type(NULL), PTK_ELEM_OTHER);
  ptk_tensor_free(NULL);
}

/* Handles used after ptk_close are detected (a registry of live handles,
 * checked before any dereference) instead of reading freed memory; under
 * ASan the old behaviour was a heap-use-after-free. */
TEST(stale_handles_after_close) {
  ptk_err err = {0};
  ptk_ctx *c = ptk_open(NULL, &err);
  ptk_kernel *k = ptk_load_string(c, ADD_PTO, "add.pto", NULL, NULL, 0, &err);
  CHECK(k != NULL);
  ptk_kernel *k2 = ptk_load_string(c, SCALE_PTK, "scale.ptk", NULL, NULL, 0, &err);
  CHECK(k2 != NULL);
  CHECK_STR(ptk_kernel_name(k), "add16");
  CHECK_INT(ptk_kernel_nparams(k), 3);
  ptk_ctx *other = ptk_open(NULL, &err); /* stays open: its handles are unaffected */
  ptk_kernel *ko = ptk_load_string(other, ADD_PTO, "add.pto", NULL, NULL, 0, &err);
  CHECK(ko != NULL);
  ptk_close(c);

  CHECK(ptk_kernel_name(k) == NULL);
  CHECK_INT(ptk_kernel_nparams(k), 0);
  CHECK(ptk_kernel_param(k, 0) == NULL);
  CHECK(ptk_kernel_name(k2) == NULL);
  int64_t n = 16;
  ptk_tensor *x = ptk_tensor_new(PTK_F32, 1, &n), *y = ptk_tensor_new(PTK_F32, 1, &n),
             *z = ptk_tensor_new(PTK_F32, 1, &n);
  ptk_arg a[3] = {ptk_arg_tensor(x), ptk_arg_tensor(y), ptk_arg_tensor(z)};
  CHECK_INT(ptk_launch(k, 1, a, 3, &err), PTK_ERR_ARG);
  CHECK_STR(err.message,
            "ptk: error: ptk_launch: the kernel is not loaded (its context was closed by ptk_close, "
            "or not a kernel)\n");
  ptk_tensor *outs[1] = {x};
  CHECK_INT(ptk_call(k, 1, a, 2, outs, 1, &err), PTK_ERR_ARG);
  CHECK(outs[0] == NULL);
  CHECK(has(&err, "ptk_call: the kernel is not loaded"));
  CHECK(ptk_load_string(c, ADD_PTO, "add.pto", NULL, NULL, 0, &err) == NULL);
  CHECK_INT(err.code, PTK_ERR_ARG);
  CHECK_STR(err.message, "ptk: error: ptk_load_string: the context is not open (closed by "
                         "ptk_close, or not a context)\n");
  CHECK(ptk_load_file(c, au_path("samples/vadd.ptk"), NULL, NULL, 0, &err) == NULL);
  CHECK(has(&err, "ptk_load_file: the context is not open"));
  ptk_close(c); /* a second close does nothing */

  /* The other context still works. */
  CHECK_STR(ptk_kernel_name(ko), "add16");
  CHECK_INT(ptk_launch(ko, 1, a, 3, &err), PTK_OK);
  ptk_close(other);
  CHECK_INT(ptk_launch(ko, 1, a, 3, &err), PTK_ERR_ARG);
  /* Many handles: the registry grows and shrinks. */
  ptk_ctx *cs[100];
  for (int i = 0; i < 100; i++) cs[i] = ptk_open(NULL, NULL);
  for (int i = 0; i < 100; i += 2) ptk_close(cs[i]);
  for (int i = 1; i < 100; i += 2)
    CHECK(ptk_load_string(cs[i], ADD_PTO, "add.pto", NULL, NULL, 0, NULL) != NULL);
  for (int i = 1; i < 100; i += 2) ptk_close(cs[i]);
  ptk_tensor_free(x);
  ptk_tensor_free(y);
  ptk_tensor_free(z);
  ptk_err_clear(&err);
  CHECK(au_no_leaks());
}
