/* End-to-end acceptance of the samples/ kernels through the public C API: every
 * sample kernel runs on several shapes (ragged tails where the kernel
 * allows them: vadd lengths, softmax / rmsnorm / layernorm row counts),
 * const bindings and block counts, and matches an independent C reference
 * (computed in double from the same inputs) within tolerances that reflect
 * the kernel's precision (f32 math; f16 operands for matmul and flash
 * attention, whose P matrix is also rounded to f16). */
#include "tests/unit/api_util.h"

#include <math.h>

#include "runtime/ptk.h"
#include "runtime/tensor.h"
#include "tests/unit/e2e_util.h"
#include "tests/unit/ut.h"

typedef struct env {
  ptk_ctx *c;
  ptk_err err;
} env;

static void env_open(env *e) {
  memset(e, 0, sizeof *e);
  e->c = ptk_open(NULL, &e->err);
}

static void env_close(env *e) {
  ptk_err_clear(&e->err);
  ptk_close(e->c);
}

static ptk_kernel *load(env *e, const char *sample, const ptk_const *consts, size_t n) {
  ptk_kernel *k = ptk_load_file(e->c, au_path(sample), NULL, consts, n, &e->err);
  if (!k) printf("    loading %s failed:\n%s", sample, e->err.message);
  return k;
}

static bool launch(env *e, ptk_kernel *k, uint32_t blocks, const ptk_arg *a, size_t n) {
  if (ptk_launch(k, blocks, a, n, &e->err) == PTK_OK) return true;
  printf("    launch failed:\n%s", e->err.message);
  return false;
}

static ptk_tensor *rand_f32(int rank, const int64_t *shape, uint64_t seed, double lo, double hi) {
  ptk_tensor *t = ptk_tensor_new(PTK_F32, rank, shape);
  float *p = ptk_tensor_data(t);
  for (int64_t i = 0; i < ptk_tensor_numel(t); i++) p[i] = (float)e2e_uniform(&seed, lo, hi);
  return t;
}

static ptk_tensor *rand_f16(int rank, const int64_t *shape, uint64_t seed) {
  ptk_tensor *t = ptk_tensor_new(PTK_F16, rank, shape);
  uint16_t *p = ptk_tensor_data(t);
  for (int64_t i = 0; i < ptk_tensor_numel(t); i++) p[i] = ptk_f64_to_f16_bits(e2e_uniform(&seed, -1, 1));
  return t;
}

static ptk_tensor *filled_f32(int rank, const int64_t *shape, float v) {
  ptk_tensor *t = ptk_tensor_new(PTK_F32, rank, shape);
  float *p = ptk_tensor_data(t);
  for (int64_t i = 0; i < ptk_tensor_numel(t); i++) p[i] = v;
  return t;
}

static double f16(const ptk_tensor *t, int64_t i) { return ptk_tensor_get_f64(t, i); }

/* got (f32 tensor) against ref (double array) with numpy allclose. */
static long compare(const char *what, const ptk_tensor *got, const double *ref, double rtol, double atol) {
  int64_t n = ptk_tensor_numel(got);
  ptk_tensor *want = ptk_tensor_new(PTK_F64, 1, &n);
  memcpy(ptk_tensor_data(want), ref, (size_t)n * sizeof *ref);
  ptk_tensor *g = ptk_tensor_clone(got);
  g->rank = 1;
  g->shape[0] = n;
  g->strides[0] = 1;
  long bad = e2e_allclose(what, g, want, rtol, atol);
  ptk_tensor_free(g);
  ptk_tensor_free(want);
  return bad;
}

/* ---- vadd ----------------------------------------------------------------------------------- */

static void vadd_case(env *e, ptk_kernel *k, int64_t n, uint32_t blocks) {
  ptk_tensor *x = rand_f32(1, &n, 1, -4, 4), *y = rand_f32(1, &n, 2, -4, 4), *z = filled_f32(1, &n, -7);
  ptk_arg a[4] = {ptk_arg_tensor(x), ptk_arg_tensor(y), ptk_arg_tensor(z), ptk_arg_int(n)};
  if (CHECK(launch(e, k, blocks, a, 4))) {
    double *ref = malloc((size_t)n * sizeof *ref);
    const float *xp = ptk_tensor_data(x), *yp = ptk_tensor_data(y);
    for (int64_t i = 0; i < n; i++) ref[i] = (double)(xp[i] + yp[i]); /* f32 addition: exact */
    char what[64];
    snprintf(what, sizeof what, "vadd n=%lld blocks=%u", (long long)n, blocks);
    CHECK_INT(compare(what, z, ref, 0, 0), 0);
    free(ref);
  }
  ptk_tensor_free(x);
  ptk_tensor_free(y);
  ptk_tensor_free(z);
}

TEST(vadd) {
  env e;
  env_open(&e);
  ptk_const t64 = {"TILE", "64"};
  ptk_kernel *k = load(&e, "samples/vadd.ptk", &t64, 1), *kd = load(&e, "samples/vadd.ptk", NULL, 0);
  if (CHECK(k && kd)) {
    static const int64_t ns[] = {1, 63, 64, 65, 1000};
    for (size_t i = 0; i < PTK_ARRAY_LEN(ns); i++) {
      vadd_case(&e, k, ns[i], 1);
      vadd_case(&e, k, ns[i], 3);
    }
    vadd_case(&e, kd, 3000, 2);
  }
  env_close(&e);
  CHECK(au_no_leaks());
}

/* ---- softmax -------------------------------------------------------------------------------- */

static void softmax_case(env *e, ptk_kernel *k, int64_t rows, int64_t cols, uint32_t blocks) {
  int64_t sh[2] = {rows, cols};
  ptk_tensor *x = rand_f32(2, sh, 3, -6, 6), *y = filled_f32(2, sh, -7);
  ptk_arg a[3] = {ptk_arg_tensor(x), ptk_arg_tensor(y), ptk_arg_int(rows)};
  if (CHECK(launch(e, k, blocks, a, 3))) {
    double *ref = malloc((size_t)(rows * cols) * sizeof *ref);
    const float *xp = ptk_tensor_data(x);
    for (int64_t r = 0; r < rows; r++) {
      double m = -INFINITY, s = 0;
      for (int64_t j = 0; j < cols; j++) m = fmax(m, xp[r * cols + j]);
      for (int64_t j = 0; j < cols; j++) s += exp(xp[r * cols + j] - m);
      for (int64_t j = 0; j < cols; j++) ref[r * cols + j] = exp(xp[r * cols + j] - m) / s;
    }
    char what[80];
    snprintf(what, sizeof what, "softmax %lldx%lld blocks=%u", (long long)rows, (long long)cols, blocks);
    CHECK_INT(compare(what, y, ref, 1e-4, 1e-7), 0);
    free(ref);
  }
  ptk_tensor_free(x);
  ptk_tensor_free(y);
}

TEST(softmax) {
  env e;
  env_open(&e);
  ptk_kernel *kd = load(&e, "samples/softmax.ptk", NULL, 0);
  ptk_const c[2] = {{"COLS", "64"}, {"TR", "8"}};
  ptk_kernel *k = load(&e, "samples/softmax.ptk", c, 2);
  if (CHECK(kd && k)) {
    softmax_case(&e, kd, 1, 256, 1);
    softmax_case(&e, kd, 16, 256, 1);
    softmax_case(&e, kd, 37, 256, 2);
    softmax_case(&e, k, 13, 64, 1);
    softmax_case(&e, k, 29, 64, 3);
  }
  env_close(&e);
  CHECK(au_no_leaks());
}

/* ---- rmsnorm -------------------------------------------------------------------------------- */

static void rmsnorm_case(env *e, ptk_kernel *k, int64_t rows, int64_t cols, double eps, uint32_t blocks) {
  int64_t sh[2] = {rows, cols}, gs[2] = {1, cols};
  ptk_tensor *x = rand_f32(2, sh, 4, -2, 2), *g = rand_f32(2, gs, 5, 0.5, 1.5), *y = filled_f32(2, sh, -7);
  ptk_arg a[4] = {ptk_arg_tensor(x), ptk_arg_tensor(g), ptk_arg_tensor(y), ptk_arg_int(rows)};
  if (CHECK(launch(e, k, blocks, a, 4))) {
    double *ref = malloc((size_t)(rows * cols) * sizeof *ref);
    const float *xp = ptk_tensor_data(x), *gp = ptk_tensor_data(g);
    for (int64_t r = 0; r < rows; r++) {
      double ss = 0;
      for (int64_t j = 0; j < cols; j++) ss += (double)xp[r * cols + j] * xp[r * cols + j];
      double inv = 1.0 / sqrt(ss / (double)cols + eps);
      for (int64_t j = 0; j < cols; j++) ref[r * cols + j] = xp[r * cols + j] * inv * gp[j];
    }
    char what[80];
    snprintf(what, sizeof what, "rmsnorm %lldx%lld blocks=%u", (long long)rows, (long long)cols, blocks);
    CHECK_INT(compare(what, y, ref, 1e-4, 1e-5), 0);
    free(ref);
  }
  ptk_tensor_free(x);
  ptk_tensor_free(g);
  ptk_tensor_free(y);
}

TEST(rmsnorm) {
  env e;
  env_open(&e);
  ptk_kernel *kd = load(&e, "samples/rmsnorm.ptk", NULL, 0);
  ptk_const c[4] = {{"CHUNK", "64"}, {"NCHUNK", "3"}, {"TR", "8"}, {"EPS", "0.001"}};
  ptk_kernel *k = load(&e, "samples/rmsnorm.ptk", c, 4);
  if (CHECK(kd && k)) {
    rmsnorm_case(&e, kd, 10, 2048, 1e-6, 2);
    rmsnorm_case(&e, k, 1, 192, 1e-3, 1);
    rmsnorm_case(&e, k, 4, 192, 1e-3, 1);
    rmsnorm_case(&e, k, 11, 192, 1e-3, 2);
  }
  env_close(&e);
  CHECK(au_no_leaks());
}

/* ---- layernorm ------------------------------------------------------------------------------ */

static void layernorm_case(env *e, ptk_kernel *k, int64_t rows, int64_t cols, bool affine, uint32_t blocks) {
  int64_t sh[2] = {rows, cols}, gs[2] = {1, cols};
  ptk_tensor *x = rand_f32(2, sh, 6, -3, 5), *g = rand_f32(2, gs, 7, 0.5, 1.5), *b = rand_f32(2, gs, 8, -1, 1);
  ptk_tensor *y = filled_f32(2, sh, -7);
  ptk_arg a[5] = {ptk_arg_tensor(x), ptk_arg_tensor(g), ptk_arg_tensor(b), ptk_arg_tensor(y),
                  ptk_arg_int(rows)};
  if (CHECK(launch(e, k, blocks, a, 5))) {
    double *ref = malloc((size_t)(rows * cols) * sizeof *ref);
    const float *xp = ptk_tensor_data(x), *gp = ptk_tensor_data(g), *bp = ptk_tensor_data(b);
    for (int64_t r = 0; r < rows; r++) {
      double mu = 0, var = 0;
      for (int64_t j = 0; j < cols; j++) mu += xp[r * cols + j];
      mu /= (double)cols;
      for (int64_t j = 0; j < cols; j++) var += (xp[r * cols + j] - mu) * (xp[r * cols + j] - mu);
      var /= (double)cols;
      double rs = 1.0 / sqrt(var + 1e-5);
      for (int64_t j = 0; j < cols; j++) {
        double v = (xp[r * cols + j] - mu) * rs;
        ref[r * cols + j] = affine ? v * gp[j] + bp[j] : v;
      }
    }
    char what[80];
    snprintf(what, sizeof what, "layernorm %lldx%lld%s blocks=%u", (long long)rows, (long long)cols,
             affine ? "" : " (no affine)", blocks);
    CHECK_INT(compare(what, y, ref, 1e-4, 1e-4), 0);
    free(ref);
  }
  ptk_tensor_free(x);
  ptk_tensor_free(g);
  ptk_tensor_free(b);
  ptk_tensor_free(y);
}

TEST(layernorm) {
  env e;
  env_open(&e);
  ptk_kernel *kd = load(&e, "samples/layernorm.ptk", NULL, 0);
  ptk_const c[1] = {{"COLS", "128"}};
  ptk_kernel *k = load(&e, "samples/layernorm.ptk", c, 1);
  ptk_const cn[3] = {{"COLS", "128"}, {"AFFINE", "false"}, {"TR", "8"}};
  ptk_kernel *kn = load(&e, "samples/layernorm.ptk", cn, 3);
  if (CHECK(kd && k && kn)) {
    layernorm_case(&e, kd, 9, 1024, true, 2);
    layernorm_case(&e, k, 3, 128, true, 1);
    layernorm_case(&e, k, 8, 128, true, 1);
    layernorm_case(&e, k, 21, 128, true, 3);
    layernorm_case(&e, kn, 13, 128, false, 2);
  }
  env_close(&e);
  CHECK(au_no_leaks());
}

/* ---- matmul --------------------------------------------------------------------------------- */

static void matmul_case(env *e, ptk_kernel *k, int64_t m, int64_t n, int64_t kk, uint32_t blocks) {
  int64_t as[2] = {m, kk}, bs[2] = {kk, n}, cs[2] = {m, n};
  ptk_tensor *a = rand_f16(2, as, 9), *b = rand_f16(2, bs, 10), *c = filled_f32(2, cs, -7);
  ptk_arg args[6] = {ptk_arg_tensor(a), ptk_arg_tensor(b), ptk_arg_tensor(c),
                     ptk_arg_int(m),    ptk_arg_int(n),    ptk_arg_int(kk)};
  if (CHECK(launch(e, k, blocks, args, 6))) {
    double *ref = malloc((size_t)(m * n) * sizeof *ref);
    for (int64_t i = 0; i < m; i++)
      for (int64_t j = 0; j < n; j++) {
        double s = 0;
        for (int64_t p = 0; p < kk; p++) s += f16(a, i * kk + p) * f16(b, p * n + j);
        ref[i * n + j] = s;
      }
    char what[80];
    snprintf(what, sizeof what, "matmul %lldx%lldx%lld blocks=%u", (long long)m, (long long)n,
             (long long)kk, blocks);
    CHECK_INT(compare(what, c, ref, 1e-4, 1e-4), 0);
    free(ref);
  }
  ptk_tensor_free(a);
  ptk_tensor_free(b);
  ptk_tensor_free(c);
}

TEST(matmul) {
  env e;
  env_open(&e);
  ptk_kernel *kd = load(&e, "samples/matmul.ptk", NULL, 0);
  ptk_const c[3] = {{"TM", "32"}, {"TN", "32"}, {"TK", "32"}};
  ptk_kernel *k = load(&e, "samples/matmul.ptk", c, 3);
  if (CHECK(kd && k)) {
    matmul_case(&e, kd, 128, 256, 128, 2);
    matmul_case(&e, k, 32, 32, 32, 1);
    matmul_case(&e, k, 64, 96, 64, 1);
    matmul_case(&e, k, 96, 64, 160, 4);
  }
  env_close(&e);
  CHECK(au_no_leaks());
}

/* ---- flash attention ------------------------------------------------------------------------ */

static void fa_case(env *e, ptk_kernel *k, int64_t seq, int64_t d, double scale, uint32_t blocks) {
  int64_t sh[2] = {seq, d};
  ptk_tensor *q = rand_f16(2, sh, 11), *kt = rand_f16(2, sh, 12), *v = rand_f16(2, sh, 13);
  ptk_tensor *o = filled_f32(2, sh, -7);
  ptk_arg a[5] = {ptk_arg_tensor(q), ptk_arg_tensor(kt), ptk_arg_tensor(v), ptk_arg_tensor(o),
                  ptk_arg_int(seq)};
  if (CHECK(launch(e, k, blocks, a, 5))) {
    double *ref = malloc((size_t)(seq * d) * sizeof *ref), *s = malloc((size_t)seq * sizeof *s);
    for (int64_t i = 0; i < seq; i++) {
      double m = -INFINITY, l = 0;
      for (int64_t j = 0; j < seq; j++) {
        double dot = 0;
        for (int64_t p = 0; p < d; p++) dot += f16(q, i * d + p) * f16(kt, j * d + p);
        s[j] = scale * dot;
        m = fmax(m, s[j]);
      }
      for (int64_t j = 0; j < seq; j++) l += (s[j] = exp(s[j] - m));
      for (int64_t p = 0; p < d; p++) {
        double acc = 0;
        for (int64_t j = 0; j < seq; j++) acc += s[j] * f16(v, j * d + p);
        ref[i * d + p] = acc / l;
      }
    }
    char what[80];
    snprintf(what, sizeof what, "flash_attention seq=%lld d=%lld blocks=%u", (long long)seq, (long long)d,
             blocks);
    /* P is rounded to f16 before P @ V: relative error ~2^-11 per term. */
    CHECK_INT(compare(what, o, ref, 1e-2, 2e-3), 0);
    free(ref);
    free(s);
  }
  ptk_tensor_free(q);
  ptk_tensor_free(kt);
  ptk_tensor_free(v);
  ptk_tensor_free(o);
}

TEST(flash_attention) {
  env e;
  env_open(&e);
  ptk_kernel *kd = load(&e, "samples/flash_attention.ptk", NULL, 0);
  ptk_const c[4] = {{"BR", "32"}, {"BC", "32"}, {"D", "32"}, {"SCALE", "0.25"}};
  ptk_kernel *k = load(&e, "samples/flash_attention.ptk", c, 4);
  if (CHECK(kd && k)) {
    fa_case(&e, kd, 64, 64, 0.125, 1);
    fa_case(&e, kd, 192, 64, 0.125, 2);
    fa_case(&e, k, 96, 32, 0.25, 2);
    fa_case(&e, k, 32, 32, 0.25, 1);
  }
  env_close(&e);
  CHECK(au_no_leaks());
}

/* Every .ptk file of samples/ must have a test above (a new sample needs a C reference here). */
TEST(every_sample_is_covered) {
  static const char *const covered[] = {"vadd.ptk",   "softmax.ptk", "rmsnorm.ptk",
                                        "layernorm.ptk", "matmul.ptk", "flash_attention.ptk"};
  DIR *d = opendir(au_path("samples"));
  CHECK(d != NULL);
  struct dirent *e;
  int found = 0;
  while (d && (e = readdir(d)) != NULL) {
    size_t n = strlen(e->d_name);
    if (n < 5 || strcmp(e->d_name + n - 4, ".ptk")) continue;
    bool ok = false;
    for (size_t i = 0; i < PTK_ARRAY_LEN(covered); i++) ok |= !strcmp(covered[i], e->d_name);
    if (!ok) printf("    samples/%s has no end-to-end test with a C reference\n", e->d_name);
    CHECK(ok);
    found++;
  }
  if (d) closedir(d);
  CHECK_INT(found, (int)PTK_ARRAY_LEN(covered));
}
