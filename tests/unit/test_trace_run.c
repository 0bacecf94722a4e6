/* Traced samples run on the IR interpreter and match C references (several
 * shapes, ragged tails, several blocks); runtime errors of traced kernels
 * point at the .ptk line. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/verify.h"
#include "runtime/interp/interp.h"
#include "runtime/tensor.h"
#include "tests/unit/ut.h"
#include "trace/trace.h"

#ifndef PTK_SOURCE_STDLIB
#define PTK_SOURCE_STDLIB "stdlib"
#endif

static char *sample_path(const char *name) {
  char buf[4096];
  snprintf(buf, sizeof buf, "%s", PTK_SOURCE_STDLIB);
  char *s = strrchr(buf, '/');
  if (s) *s = 0;
  else snprintf(buf, sizeof buf, ".");
  return ptk_xasprintf("%s/samples/%s.ptk", buf, name);
}

static void dump(const ptk_diags *d) {
  ptk_buf b = {0};
  ptk_diags_render(d, &b, false);
  if (b.len) printf("%s", ptk_buf_cstr(&b));
  ptk_buf_free(&b);
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static double frand(void) { /* [-1, 1) on a 2^-10 grid: exact in f16 */
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (double)((int64_t)(rng >> 53) - 1024) / 1024.0;
}

static ptk_tensor *tensor(ptk_tdtype dt, int64_t r, int64_t c, bool random) {
  int64_t shape[2] = {r, c};
  ptk_tensor *t = ptk_tensor_zeros(dt, 2, shape, NULL);
  if (random)
    for (int64_t i = 0; i < r * c; i++) ptk_tensor_set_f64(t, i, frand());
  return t;
}

static ptk_launch_arg targ(ptk_tensor *t) { return (ptk_launch_arg){.kind = PTK_ARG_TENSOR, .tensor = t}; }
static ptk_launch_arg iarg(int64_t v) {
  return (ptk_launch_arg){.kind = PTK_ARG_SCALAR, .dt = PTK_DT_I32, .i = v};
}

/* Traces a sample with bindings and runs it; false (after printing) on any error. */
static bool run_sample(const char *name, const ptk_const_binding *cs, size_t nc, uint32_t blocks,
                       const ptk_launch_arg *args, size_t nargs) {
  char *path = sample_path(name);
  ptk_diags *d = ptk_diags_new();
  ptk_trace_result *r = ptk_trace_kernel(path, NULL, NULL, cs, nc, NULL, d);
  bool ok = r && ptk_verify_module(ptk_trace_module(r), d);
  if (ok) {
    ptk_launch_opts o = {.blocks = blocks};
    ok = ptk_interp_launch(ptk_trace_entry(r), &o, args, nargs, d) == 0;
  }
  if (!ok) {
    printf("  %s:\n", name);
    dump(d);
  }
  ptk_trace_result_free(r);
  ptk_diags_free(d);
  free(path);
  return ok;
}

static double get(const ptk_tensor *t, int64_t i) { return ptk_tensor_get_f64(t, i); }

/* max |got - want| / (atol + rtol |want|) over all elements; <= 1 passes. */
static double worst(const ptk_tensor *got, const double *want, int64_t n, double atol, double rtol,
                    int64_t *at) {
  double w = 0;
  for (int64_t i = 0; i < n; i++) {
    double e = fabs(get(got, i) - want[i]) / (atol + rtol * fabs(want[i]));
    if (!(e <= w)) {
      w = e;
      *at = i;
    }
  }
  return w;
}

#define EXPECT_CLOSE(got, want, n, atol, rtol)                                                     \
  do {                                                                                             \
    int64_t at_ = 0;                                                                               \
    double w_ = worst(got, want, n, atol, rtol, &at_);                                             \
    if (!CHECK(w_ <= 1.0))                                                                         \
      printf("  element %lld: got %.9g, want %.9g\n", (long long)at_, get(got, at_), want[at_]);  \
  } while (0)

TEST(vadd_tails_and_blocks) {
  static const int64_t ns[] = {1, 1000, 1024, 3000, 4097};
  static const uint32_t blocks[] = {1, 3, 2, 4, 5};
  for (size_t k = 0; k < PTK_ARRAY_LEN(ns); k++) {
    int64_t n = ns[k];
    ptk_tensor *x = tensor(PTK_TD_F32, 1, n, true), *y = tensor(PTK_TD_F32, 1, n, true),
               *z = tensor(PTK_TD_F32, 1, n + 8, false);
    for (int64_t i = 0; i < n + 8; i++) ptk_tensor_set_f64(z, i, -7);
    z->shape[1] = n + 8;
    ptk_launch_arg args[] = {targ(x), targ(y), targ(z), iarg(n)};
    if (CHECK(run_sample("vadd", NULL, 0, blocks[k], args, 4))) {
      int bad = 0;
      for (int64_t i = 0; i < n; i++) bad += get(z, i) != (float)(get(x, i) + get(y, i));
      for (int64_t i = n; i < n + 8; i++) bad += get(z, i) != -7; /* nothing past the tail */
      CHECK_INT(bad, 0);
    }
    ptk_tensor_free(x);
    ptk_tensor_free(y);
    ptk_tensor_free(z);
  }
}

TEST(vadd_small_tile_binding) {
  ptk_const_binding cs[] = {{"TILE", "64"}};
  int64_t n = 200;
  ptk_tensor *x = tensor(PTK_TD_F32, 1, n, true), *y = tensor(PTK_TD_F32, 1, n, true),
             *z = tensor(PTK_TD_F32, 1, n, false);
  ptk_launch_arg args[] = {targ(x), targ(y), targ(z), iarg(n)};
  if (CHECK(run_sample("vadd", cs, 1, 3, args, 4))) {
    int bad = 0;
    for (int64_t i = 0; i < n; i++) bad += get(z, i) != (float)(get(x, i) + get(y, i));
    CHECK_INT(bad, 0);
  }
  ptk_tensor_free(x);
  ptk_tensor_free(y);
  ptk_tensor_free(z);
}

static void softmax_case(int64_t rows, int64_t cols, int64_t tr, uint32_t blocks) {
  char cb[32], tb[32];
  snprintf(cb, sizeof cb, "%lld", (long long)cols);
  snprintf(tb, sizeof tb, "%lld", (long long)tr);
  ptk_const_binding cs[] = {{"COLS", cb}, {"TR", tb}};
  ptk_tensor *x = tensor(PTK_TD_F32, rows, cols, true), *y = tensor(PTK_TD_F32, rows, cols, false);
  for (int64_t i = 0; i < rows * cols; i++) ptk_tensor_set_f64(x, i, get(x, i) * 8);
  ptk_launch_arg args[] = {targ(x), targ(y), iarg(rows)};
  if (CHECK(run_sample("softmax", cs, 2, blocks, args, 3))) {
    double *want = malloc((size_t)(rows * cols) * sizeof *want);
    for (int64_t r = 0; r < rows; r++) {
      double m = -INFINITY, s = 0;
      for (int64_t c = 0; c < cols; c++) m = fmax(m, get(x, r * cols + c));
      for (int64_t c = 0; c < cols; c++) s += exp(get(x, r * cols + c) - m);
      for (int64_t c = 0; c < cols; c++) want[r * cols + c] = exp(get(x, r * cols + c) - m) / s;
    }
    EXPECT_CLOSE(y, want, rows * cols, 1e-7, 1e-4);
    free(want);
  }
  ptk_tensor_free(x);
  ptk_tensor_free(y);
}

TEST(softmax_shapes) {
  softmax_case(37, 256, 16, 2); /* partial last row tile */
  softmax_case(16, 256, 16, 1);
  softmax_case(5, 64, 8, 3);    /* fewer rows than a tile; idle blocks */
}

static void rmsnorm_case(int64_t rows, int64_t chunk, int64_t nchunk, uint32_t blocks) {
  char a[32], b[32];
  snprintf(a, sizeof a, "%lld", (long long)chunk);
  snprintf(b, sizeof b, "%lld", (long long)nchunk);
  ptk_const_binding cs[] = {{"CHUNK", a}, {"NCHUNK", b}};
  int64_t cols = chunk * nchunk;
  ptk_tensor *x = tensor(PTK_TD_F32, rows, cols, true), *g = tensor(PTK_TD_F32, 1, cols, true),
             *y = tensor(PTK_TD_F32, rows, cols, false);
  ptk_launch_arg args[] = {targ(x), targ(g), targ(y), iarg(rows)};
  if (CHECK(run_sample("rmsnorm", cs, 2, blocks, args, 4))) {
    double *want = malloc((size_t)(rows * cols) * sizeof *want);
    for (int64_t r = 0; r < rows; r++) {
      double ss = 0;
      for (int64_t c = 0; c < cols; c++) ss += get(x, r * cols + c) * get(x, r * cols + c);
      double inv = 1.0 / sqrt(ss / (double)cols + 1e-6);
      for (int64_t c = 0; c < cols; c++) want[r * cols + c] = get(x, r * cols + c) * inv * get(g, c);
    }
    EXPECT_CLOSE(y, want, rows * cols, 1e-5, 1e-4);
    free(want);
  }
  ptk_tensor_free(x);
  ptk_tensor_free(g);
  ptk_tensor_free(y);
}

TEST(rmsnorm_shapes) {
  rmsnorm_case(19, 512, 4, 2);
  rmsnorm_case(8, 128, 3, 1);
}

static void layernorm_case(int64_t rows, int64_t cols, bool affine, uint32_t blocks) {
  char a[32];
  snprintf(a, sizeof a, "%lld", (long long)cols);
  ptk_const_binding cs[] = {{"COLS", a}, {"AFFINE", affine ? "true" : "false"}};
  ptk_tensor *x = tensor(PTK_TD_F32, rows, cols, true), *g = tensor(PTK_TD_F32, 1, cols, true),
             *b = tensor(PTK_TD_F32, 1, cols, true), *y = tensor(PTK_TD_F32, rows, cols, false);
  ptk_launch_arg args[] = {targ(x), targ(g), targ(b), targ(y), iarg(rows)};
  if (CHECK(run_sample("layernorm", cs, 2, blocks, args, 5))) {
    double *want = malloc((size_t)(rows * cols) * sizeof *want);
    for (int64_t r = 0; r < rows; r++) {
      double mu = 0, var = 0;
      for (int64_t c = 0; c < cols; c++) mu += get(x, r * cols + c);
      mu /= (double)cols;
      for (int64_t c = 0; c < cols; c++) var += pow(get(x, r * cols + c) - mu, 2);
      var /= (double)cols;
      double inv = 1.0 / sqrt(var + 1e-5);
      for (int64_t c = 0; c < cols; c++) {
        double v = (get(x, r * cols + c) - mu) * inv;
        want[r * cols + c] = affine ? v * get(g, c) + get(b, c) : v;
      }
    }
    EXPECT_CLOSE(y, want, rows * cols, 1e-5, 1e-4);
    free(want);
  }
  ptk_tensor_free(x);
  ptk_tensor_free(g);
  ptk_tensor_free(b);
  ptk_tensor_free(y);
}

TEST(layernorm_shapes) {
  layernorm_case(19, 1024, true, 2);
  layernorm_case(9, 256, false, 1);
}

static void matmul_case(int64_t m, int64_t n, int64_t k, const char *tm, const char *tn, const char *tk,
                        uint32_t blocks) {
  ptk_const_binding cs[] = {{"TM", tm}, {"TN", tn}, {"TK", tk}};
  ptk_tensor *a = tensor(PTK_TD_F16, m, k, true), *b = tensor(PTK_TD_F16, k, n, true),
             *c = tensor(PTK_TD_F32, m, n, false);
  ptk_launch_arg args[] = {targ(a), targ(b), targ(c), iarg(m), iarg(n), iarg(k)};
  if (CHECK(run_sample("matmul", cs, 3, blocks, args, 6))) {
    double *want = calloc((size_t)(m * n), sizeof *want);
    for (int64_t i = 0; i < m; i++)
      for (int64_t j = 0; j < n; j++)
        for (int64_t q = 0; q < k; q++) want[i * n + j] += get(a, i * k + q) * get(b, q * n + j);
    EXPECT_CLOSE(c, want, m * n, 1e-4, 1e-5);
    free(want);
  }
  ptk_tensor_free(a);
  ptk_tensor_free(b);
  ptk_tensor_free(c);
}

TEST(matmul_shapes) {
  matmul_case(256, 256, 128, "128", "128", "64", 3);
  matmul_case(64, 96, 64, "32", "32", "32", 2);
}

static void flash_case(int64_t seq, int64_t d, int64_t br, int64_t bc, uint32_t blocks) {
  char sd[32], sbr[32], sbc[32];
  snprintf(sd, sizeof sd, "%lld", (long long)d);
  snprintf(sbr, sizeof sbr, "%lld", (long long)br);
  snprintf(sbc, sizeof sbc, "%lld", (long long)bc);
  ptk_const_binding cs[] = {{"D", sd}, {"BR", sbr}, {"BC", sbc}, {"SCALE", "0.125"}};
  ptk_tensor *q = tensor(PTK_TD_F16, seq, d, true), *k = tensor(PTK_TD_F16, seq, d, true),
             *v = tensor(PTK_TD_F16, seq, d, true), *o = tensor(PTK_TD_F32, seq, d, false);
  ptk_launch_arg args[] = {targ(q), targ(k), targ(v), targ(o), iarg(seq)};
  if (CHECK(run_sample("flash_attention", cs, 4, blocks, args, 5))) {
    double *want = calloc((size_t)(seq * d), sizeof *want);
    double *s = malloc((size_t)seq * sizeof *s);
    for (int64_t i = 0; i < seq; i++) {
      double mx = -INFINITY, sum = 0;
      for (int64_t j = 0; j < seq; j++) {
        double dot = 0;
        for (int64_t c = 0; c < d; c++) dot += get(q, i * d + c) * get(k, j * d + c);
        s[j] = 0.125 * dot;
        mx = fmax(mx, s[j]);
      }
      for (int64_t j = 0; j < seq; j++) sum += s[j] = exp(s[j] - mx);
      for (int64_t j = 0; j < seq; j++)
        for (int64_t c = 0; c < d; c++) want[i * d + c] += s[j] / sum * get(v, j * d + c);
    }
    EXPECT_CLOSE(o, want, seq * d, 2e-3, 1e-2); /* P is rounded to f16 before P @ V */
    free(want);
    free(s);
  }
  ptk_tensor_free(q);
  ptk_tensor_free(k);
  ptk_tensor_free(v);
  ptk_tensor_free(o);
}

TEST(flash_attention_shapes) {
  flash_case(128, 64, 64, 64, 2);
  flash_case(96, 32, 32, 32, 1);
}

/* An out-of-bounds load in a traced kernel: the runtime error names the .ptk line. */
TEST(runtime_error_points_at_ptk_line) {
  const char *k = "kernel oob(x: ptr<f32>, n: i32) {\n"
                  "  let v = make_tensor_view(x, shape = [1, n], strides = [n, 1]);\n"
                  "  let t = alloc_tile(shape = [1, 64]);\n"
                  "  tload(v[0:1, 0:64], t);\n"
                  "}\n";
  ptk_source *src = ptk_source_from_string("oob.ptk", k, strlen(k));
  ptk_diags *d = ptk_diags_new();
  ptk_trace_result *r = ptk_trace_kernel(NULL, src, NULL, NULL, 0, NULL, d);
  if (CHECK(r != NULL)) {
    ptk_tensor *x = tensor(PTK_TD_F32, 1, 16, true);
    ptk_launch_arg args[] = {targ(x), iarg(16)};
    ptk_launch_opts o = {.blocks = 1};
    CHECK(ptk_interp_launch(ptk_trace_entry(r), &o, args, 2, d) != 0);
    bool located = false;
    for (size_t i = 0; i < d->items.len; i++) {
      const ptk_diag *g = &d->items.data[i];
      if (g->sev == PTK_SEV_ERROR && g->path && !strcmp(g->path, "oob.ptk") && g->line == 4) located = true;
    }
    if (!CHECK(located)) dump(d);
    ptk_tensor_free(x);
  }
  ptk_trace_result_free(r);
  ptk_diags_free(d);
  ptk_source_free(src);
}
