/* Issue 10 benchmark ("A JIT that compiles"): every target of the issue in
 * one run, each next to its target and to the best alternative measured in
 * the same run, then a table "target | measured | met?". In process, from
 * the repository root (make bench does):
 *
 *  - the machine: streaming bandwidth (a triad a = b + s*c over 3 x 64 MB,
 *    counted as 3 streams like STREAM), the f32 FMA peak of one core
 *    (AVX2+FMA when the CPU has it, else SSE mul+add), the load average
 *    (figures are only meaningful on an idle machine);
 *  - the vector samples at 4096x1024 f32, interpreter and JIT vs numpy:
 *      vadd     samples/vadd.ptk      n = 4M (TILE 1024)   numpy: np.add(x, y, out=z)
 *      softmax  samples/softmax.ptk   COLS 1024, TR 16     numpy: 5 passes (max, sub, exp, sum, div)
 *      rmsnorm  samples/rmsnorm.ptk   CHUNK 512 x 2, TR 8  numpy: x * g / sqrt(mean(x*x) + eps)
 *      layernorm samples/layernorm.ptk COLS 1024, TR 8     numpy: (x - mean) / sqrt(var + eps) * g + b
 *    each also as a fraction of its bound: the bytes it must move (inputs
 *    read once, output written once) at the streaming bandwidth;
 *  - matmul 1024^3, f16 -> f32 (samples/matmul.ptk) and f32
 *    (tests/bench/matmul_f32.ptk, the same kernel with f32 operands), TM = TN
 *    = 128, TK = 64, vs OpenBLAS single-thread sgemm (numpy, f32), as
 *    GFLOP/s, % of sgemm and % of the FMA peak;
 *  - flash attention S = 2048, D = 128 (samples/flash_attention.ptk, BR = BC
 *    = 64, SCALE = 1/sqrt(D)) vs numpy's full-matrix softmax(QK^T/sqrt(d))V
 *    on OpenBLAS (f32, single thread), GFLOP/s counted as 4 S^2 D;
 *  - a tiny-kernel launch (tests/bench/tiny.ptk: one 1x8 tile) through the
 *    public API (ptk_launch, 1 block, warm), JIT and interpreter;
 *  - the cold JIT compile of the flash-attention sample: trace + passes
 *    (ptk_kernel_load) + emit + cc + dlopen (ptk_jit_prepare with an empty
 *    private cache folder each time);
 *  - 2 blocks on 2 threads vs 1 thread on a compute-bound kernel (the f32
 *    matmul, 256 x 128 x 1024: two 128 x 128 output tiles, one per block),
 *    JIT.
 * ptk runs one block on one thread unless said otherwise; numpy runs with
 * OPENBLAS_NUM_THREADS=1 (tests/bench/engines.py). Every figure is the best
 * of interleaved runs (the machine may be shared); medians are printed
 * beside. Results are compared bit for bit between the engines (and between
 * thread counts); a difference is reported and makes the exit status 1.
 * Times are never asserted. REPS=N changes the number of runs (15; the
 * heavy kernels use a third of it, at least 3). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dlfcn.h>
#include <time.h>
#include <unistd.h>

#include "lang/diag.h"
#include "runtime/interp/interp.h"
#include "runtime/isa/fp.h"
#include "runtime/jit/jit.h"
#include "runtime/kernel.h"
#include "runtime/ptk.h"
#include "runtime/tensor.h"
#include "trace/trace.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
static int cmp_dbl(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}
/* best and median of n times (sorts t) */
static void best_med(double *t, int n, double *best, double *med) {
  qsort(t, (size_t)n, sizeof *t, cmp_dbl);
  *best = t[0];
  *med = t[n / 2];
}

static int reps = 15;
static int heavy_reps(void) { return reps / 3 > 3 ? reps / 3 : 3; }
static bool g_differ; /* some engines or thread counts disagreed */

static void loadavg(const char *when) {
  double l1 = NAN, l5 = NAN;
  FILE *f = fopen("/proc/loadavg", "r");
  if (f) {
    if (fscanf(f, "%lf %lf", &l1, &l5) != 2) l1 = l5 = NAN;
    fclose(f);
  }
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  printf("machine: load average %.2f (1 min), %.2f (5 min) %s, %ld CPUs%s\n", l1, l5, when, n,
         l1 > 0.5 ? "  (NOT idle: times and the thread speed-up are pessimistic)" : "");
}

/* ---- machine limits ------------------------------------------------------------------------ */

static double g_bw;   /* bytes/s */
static double g_peak; /* f32 FLOP/s of one core */

static void measure_bw(void) {
  size_t n = (size_t)16 << 20; /* 16M floats = 64 MB per array */
  float *a = malloc(n * 4), *b = malloc(n * 4), *c = malloc(n * 4);
  for (size_t i = 0; i < n; i++) a[i] = 0, b[i] = (float)i, c[i] = 1;
  double best_triad = 1e9, best_copy = 1e9;
  for (int r = 0; r < 7; r++) {
    double t0 = now();
    float s = 0.5f + (float)r;
    for (size_t i = 0; i < n; i++) a[i] = b[i] + s * c[i];
    double t1 = now();
    memcpy(c, b, n * 4);
    double t2 = now();
    if (t1 - t0 < best_triad) best_triad = t1 - t0;
    if (t2 - t1 < best_copy) best_copy = t2 - t1;
  }
  volatile float sink = a[n / 2] + c[n / 3];
  (void)sink;
  g_bw = 3.0 * (double)n * 4 / best_triad;
  printf("machine: streaming bandwidth %.1f GB/s (triad a=b+s*c, 3 x 64 MB, 3 streams); "
         "copy %.1f GB/s (2 streams)\n",
         g_bw / 1e9, 2.0 * (double)n * 4 / best_copy / 1e9);
  free(a);
  free(b);
  free(c);
}

typedef float v8f __attribute__((vector_size(32)));
typedef float v4f __attribute__((vector_size(16)));

__attribute__((target("avx2,fma"))) static double fma_avx2(long iters) {
  v8f acc[10], m = {1.0000001f, 1.0000001f, 1.0000001f, 1.0000001f,
                    1.0000001f, 1.0000001f, 1.0000001f, 1.0000001f};
  v8f ad = m * 1e-7f;
  for (int k = 0; k < 10; k++) acc[k] = m * (float)k;
  /* unrolled so the accumulators stay in registers (else a store-forwarding
   * chain through memory bounds the loop at a third of the peak) */
  for (long i = 0; i < iters; i++)
#pragma GCC unroll 10
    for (int k = 0; k < 10; k++) acc[k] = __builtin_ia32_vfmaddps256(acc[k], m, ad);
  float s = 0;
  for (int k = 0; k < 10; k++)
    for (int l = 0; l < 8; l++) s += acc[k][l];
  return s;
}

static double fma_sse(long iters) {
  v4f acc[12], m = {1.0000001f, 1.0000001f, 1.0000001f, 1.0000001f};
  v4f ad = m * 1e-7f;
  for (int k = 0; k < 12; k++) acc[k] = m * (float)k;
  for (long i = 0; i < iters; i++)
#pragma GCC unroll 12
    for (int k = 0; k < 12; k++) acc[k] = acc[k] * m + ad;
  float s = 0;
  for (int k = 0; k < 12; k++)
    for (int l = 0; l < 4; l++) s += acc[k][l];
  return s;
}

static void measure_peak(void) {
  __builtin_cpu_init();
  bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  long iters = 20000000;
  double best = 1e9;
  volatile double sink = 0;
  for (int r = 0; r < 5; r++) {
    double t0 = now();
    sink += avx2 ? fma_avx2(iters) : fma_sse(iters);
    double t = now() - t0;
    if (t < best) best = t;
  }
  double flops = avx2 ? (double)iters * 10 * 8 * 2 : (double)iters * 12 * 4 * 2;
  g_peak = flops / best;
  printf("machine: f32 peak %.1f GFLOP/s per core (%s, %s)\n", g_peak / 1e9,
         avx2 ? "AVX2 FMA, 10 independent 8-lane chains" : "SSE mul+add, 12 chains",
         "best of 5");
}

/* ---- kernels through both engines ----------------------------------------------------------- */

typedef struct bench {
  const char *name, *path, *entry;
  ptk_const_binding consts[5];
  size_t nconsts;
  double bytes; /* minimal global traffic (vector kernels) */
  double flops; /* work (matmul, attention) */
  int reps;
  ptk_loaded *l;
  ptk_interp_prog *ip;
  ptk_jit_prog *jp;
  ptk_launch_arg a[6];
  size_t na;
  ptk_tensor *out; /* the output tensor */
  double ti, tj, mi, mj; /* best and median seconds */
  bool same;
  /* an alternative timed in the same loop (OpenBLAS sgemm), or NULL */
  void (*alt)(void);
  double ta, ma;
} bench;

/* uniform in [-1, 1), f32 or rounded to f16 */
static ptk_tensor *rnd_t(ptk_tdtype dt, int64_t r, int64_t c, unsigned seed) {
  int64_t shape[2] = {r, c};
  ptk_tensor *t = ptk_tensor_zeros(dt, c ? 2 : 1, c ? shape : &r, NULL);
  int64_t n = ptk_tensor_numel(t);
  uint32_t s = seed * 2654435761u + 1;
  for (int64_t i = 0; i < n; i++) {
    s = s * 1664525u + 1013904223u;
    float v = (float)((double)(s >> 8) / (double)(1u << 24) * 2.0 - 1.0);
    if (dt == PTK_TD_F16)
      ((uint16_t *)t->data)[i] = ptk_f32_to_f16(v);
    else
      ((float *)t->data)[i] = v;
  }
  return t;
}
static ptk_tensor *rnd(int64_t r, int64_t c, unsigned seed) { return rnd_t(PTK_TD_F32, r, c, seed); }
static ptk_launch_arg targ(ptk_tensor *t) {
  ptk_launch_arg a = {0};
  a.kind = PTK_ARG_TENSOR;
  a.tensor = t;
  return a;
}
static ptk_launch_arg iarg(int64_t v) {
  ptk_launch_arg a = {0};
  a.kind = PTK_ARG_SCALAR;
  a.dt = PTK_DT_I32;
  a.i = v;
  return a;
}

static bool prepare(bench *b) {
  ptk_diags *d = ptk_diags_new();
  b->l = ptk_kernel_load(b->path, NULL, b->entry, b->consts, b->nconsts, NULL, d);
  ptk_func *f = b->l ? ptk_loaded_entry(b->l) : NULL;
  if (f) b->ip = ptk_interp_prepare(f, d);
  if (f) b->jp = ptk_jit_prepare(f, NULL, d);
  bool ok = b->ip && b->jp;
  ptk_diags_print(d, stderr); /* also a JIT fallback to the interpreter (a warning) */
  if (!ok) fprintf(stderr, "%s: cannot prepare\n", b->path);
  ptk_diags_free(d);
  return ok;
}

static double run_on(bench *b, bool jit, uint32_t blocks, uint32_t threads) {
  ptk_diags *d = ptk_diags_new();
  ptk_launch_opts o = {0};
  o.blocks = blocks;
  o.threads = threads;
  double t0 = now();
  int rc = jit ? ptk_jit_run(b->jp, &o, b->a, b->na, d) : ptk_interp_run(b->ip, &o, b->a, b->na, d);
  double t = now() - t0;
  if (rc) {
    ptk_diags_print(d, stderr);
    exit(1);
  }
  ptk_diags_free(d);
  return t;
}
static double run1(bench *b, bool jit) { return run_on(b, jit, 1, 1); }

static void measure(bench *b) {
  if (!b->reps) b->reps = reps;
  size_t nb = ptk_tensor_nbytes(b->out);
  void *ref = malloc(nb);
  run1(b, false);
  memcpy(ref, b->out->data, nb);
  memset(b->out->data, 0, nb);
  run1(b, true);
  b->same = memcmp(ref, b->out->data, nb) == 0;
  if (!b->same) g_differ = true;
  free(ref);
  size_t n = (size_t)b->reps;
  double *ti = malloc(sizeof(double) * n), *tj = malloc(sizeof(double) * n);
  double *ta = malloc(sizeof(double) * n);
  for (int r = 0; r < b->reps; r++) {
    ti[r] = run1(b, false);
    tj[r] = run1(b, true);
    if (b->alt) {
      double t0 = now();
      b->alt();
      ta[r] = now() - t0;
    }
  }
  best_med(ti, b->reps, &b->ti, &b->mi);
  best_med(tj, b->reps, &b->tj, &b->mj);
  if (b->alt) best_med(ta, b->reps, &b->ta, &b->ma);
  free(ti);
  free(tj);
  free(ta);
}

/* ---- OpenBLAS sgemm in process (dlopen; the library never links it) ------------------------ */

typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *,
                         int, float, float *, int);
static sgemm_fn g_sgemm;
static char g_blas[256] = "none";
static float *g_ma, *g_mb, *g_mc;
static ptk_tensor *g_mt[3]; /* their storage */

static void blas_open(void) {
  void *h = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL);
  if (!h) return;
  void (*set_threads)(int) = (void (*)(int))dlsym(h, "openblas_set_num_threads");
  char *(*config)(void) = (char *(*)(void))dlsym(h, "openblas_get_config");
  g_sgemm = (sgemm_fn)dlsym(h, "cblas_sgemm");
  if (!g_sgemm || !set_threads) {
    g_sgemm = NULL;
    return;
  }
  set_threads(1);
  snprintf(g_blas, sizeof g_blas, "%s", config ? config() : "OpenBLAS");
}
/* C = A B, 1024^3 f32 row-major, one thread */
static void sgemm1024(void) {
  g_sgemm(101 /* row major */, 111, 111 /* no transposes */, 1024, 1024, 1024, 1.0f, g_ma, 1024,
          g_mb, 1024, 0.0f, g_mc, 1024);
}

static void bench_free(bench *b) {
  ptk_interp_free(b->ip);
  ptk_jit_free(b->jp);
  ptk_loaded_free(b->l);
  for (size_t i = 0; i < b->na; i++)
    if (b->a[i].kind == PTK_ARG_TENSOR) ptk_tensor_free(b->a[i].tensor);
}

/* ---- numpy (tests/bench/engines.py) --------------------------------------------------------- */

enum { NP_VADD, NP_SOFTMAX, NP_RMSNORM, NP_LAYERNORM, NP_SGEMM, NP_ATTN, NP__N };
static const char *const np_names[NP__N] = {"vadd",      "softmax", "rmsnorm",
                                            "layernorm", "sgemm",   "attention"};

static bool numpy_times(double *t, char *blas, size_t bl) {
  char cmd[256];
  snprintf(cmd, sizeof cmd,
           "OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tests/bench/engines.py %d 2>&1", reps);
  FILE *p = popen(cmd, "r");
  if (!p) return false;
  char line[4096];
  int got = 0;
  while (fgets(line, sizeof line, p)) {
    char key[64];
    double v;
    if (!strncmp(line, "blas ", 5)) {
      line[strcspn(line, "\n")] = 0;
      size_t k = strlen(line + 5) < bl - 1 ? strlen(line + 5) : bl - 1;
      memcpy(blas, line + 5, k);
      blas[k] = 0;
      continue;
    }
    if (sscanf(line, "%63s %lf", key, &v) == 2) {
      for (int i = 0; i < NP__N; i++)
        if (!strcmp(key, np_names[i])) t[i] = v, got++;
    } else {
      fputs(line, stderr);
    }
  }
  int rc = pclose(p);
  return rc == 0 && got == NP__N;
}

/* ---- the tiny-kernel launch (public API) ---------------------------------------------------- */

/* Seconds per ptk_launch of tests/bench/tiny.ptk on `blocks` blocks and as
 * many threads: best and median of `reps` batches of N launches. NAN when it
 * cannot load. */
static void tiny_launch(const char *engine, uint32_t blocks, double *best, double *med) {
  enum { N = 2000 };
  *best = *med = NAN;
  ptk_options opt = {0};
  opt.engine = engine;
  opt.threads = blocks;
  ptk_err err = {0};
  ptk_ctx *c = ptk_open(&opt, &err);
  ptk_kernel *k = c ? ptk_load_file(c, "tests/bench/tiny.ptk", NULL, NULL, 0, &err) : NULL;
  if (!k) {
    fprintf(stderr, "tiny.ptk (%s): %s", engine, err.message ? err.message : "?\n");
    ptk_err_clear(&err);
    ptk_close(c);
    return;
  }
  int64_t n = 8;
  ptk_tensor *x = ptk_tensor_new(PTK_F32, 1, &n), *y = ptk_tensor_new(PTK_F32, 1, &n);
  ptk_arg a[2] = {ptk_arg_tensor(x), ptk_arg_tensor(y)};
  double *t = malloc(sizeof(double) * (size_t)reps);
  for (int i = 0; i < 100; i++) ptk_launch(k, blocks, a, 2, NULL); /* warm: pools, caches */
  for (int r = 0; r < reps; r++) {
    double t0 = now();
    for (int i = 0; i < N; i++)
      if (ptk_launch(k, blocks, a, 2, &err) != PTK_OK) {
        fprintf(stderr, "tiny.ptk (%s): %s", engine, err.message);
        exit(1);
      }
    t[r] = (now() - t0) / N;
  }
  best_med(t, reps, best, med);
  free(t);
  ptk_tensor_free(x);
  ptk_tensor_free(y);
  ptk_close(c);
}

/* ---- the cold JIT compile ------------------------------------------------------------------- */

static ptk_const_binding FA_CONSTS[4] = {
    {"D", "128"}, {"BR", "64"}, {"BC", "64"}, {"SCALE", "0.08838834764831845"}};

/* Seconds of ptk_kernel_load (trace + passes) and of ptk_jit_prepare with
 * an empty cache folder (emit + cc + dlopen), best and median of n. */
static bool cold_compile(int n, double *load_b, double *load_m, double *jit_b, double *jit_m) {
  double *tl = malloc(sizeof(double) * (size_t)n), *tj = malloc(sizeof(double) * (size_t)n);
  bool ok = true;
  for (int r = 0; r < n && ok; r++) {
    char dir[] = "/tmp/ptk-bench-cacheXXXXXX";
    if (!mkdtemp(dir)) return false;
    ptk_diags *d = ptk_diags_new();
    double t0 = now();
    ptk_loaded *l = ptk_kernel_load("samples/flash_attention.ptk", NULL, NULL, FA_CONSTS, 4, NULL, d);
    double t1 = now();
    ptk_jit_opts jo = {0};
    jo.cache_dir = dir;
    ptk_jit_prog *jp = l ? ptk_jit_prepare(ptk_loaded_entry(l), &jo, d) : NULL;
    double t2 = now();
    ok = jp != NULL;
    ptk_diags_print(d, stderr);
    ptk_diags_free(d);
    ptk_jit_free(jp);
    ptk_loaded_free(l);
    char cmd[64];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) ok = false;
    tl[r] = t1 - t0;
    tj[r] = t2 - t1;
  }
  if (ok) {
    best_med(tl, n, load_b, load_m);
    best_med(tj, n, jit_b, jit_m);
  }
  free(tl);
  free(tj);
  return ok;
}

/* ---- the report ------------------------------------------------------------------------------ */

typedef struct row {
  char target[64], measured[160];
  int met; /* 1 yes, 0 no, -1 not measured */
} row;
static row rows[16];
static int nrows;
static void add_row(const char *target, int met, const char *fmt, ...) PTK_PRINTF(3, 4);
static void add_row(const char *target, int met, const char *fmt, ...) {
  row *r = &rows[nrows++];
  snprintf(r->target, sizeof r->target, "%s", target);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->measured, sizeof r->measured, fmt, ap);
  va_end(ap);
  r->met = met;
}

int main(void) {
  const char *e = getenv("REPS");
  if (e && atoi(e) > 0) reps = atoi(e);
  loadavg("at the start");
  measure_bw();
  measure_peak();

  /* vector kernels */
  const int64_t R = 4096, C = 1024, N = R * C;
  enum { NV = 4 };
  bench vs[NV] = {
      {.name = "vadd", .path = "samples/vadd.ptk", .entry = "vadd", .bytes = 3.0 * N * 4},
      {.name = "softmax",
       .path = "samples/softmax.ptk",
       .entry = "softmax",
       .consts = {{"COLS", "1024"}, {"TR", "16"}},
       .nconsts = 2,
       .bytes = 2.0 * N * 4},
      {.name = "rmsnorm",
       .path = "samples/rmsnorm.ptk",
       .entry = "rmsnorm",
       .consts = {{"CHUNK", "512"}, {"NCHUNK", "2"}, {"TR", "8"}},
       .nconsts = 3,
       .bytes = 2.0 * N * 4},
      {.name = "layernorm",
       .path = "samples/layernorm.ptk",
       .entry = "layernorm",
       .consts = {{"COLS", "1024"}, {"TR", "8"}},
       .nconsts = 2,
       .bytes = 2.0 * N * 4},
  };
  vs[0].a[0] = targ(rnd(N, 0, 1)), vs[0].a[1] = targ(rnd(N, 0, 2));
  vs[0].a[2] = targ(rnd(N, 0, 5)), vs[0].a[3] = iarg(N), vs[0].na = 4, vs[0].out = vs[0].a[2].tensor;
  vs[1].a[0] = targ(rnd(R, C, 1)), vs[1].a[1] = targ(rnd(R, C, 6)), vs[1].a[2] = iarg(R);
  vs[1].na = 3, vs[1].out = vs[1].a[1].tensor;
  vs[2].a[0] = targ(rnd(R, C, 1)), vs[2].a[1] = targ(rnd(C, 0, 3)), vs[2].a[2] = targ(rnd(R, C, 7));
  vs[2].a[3] = iarg(R), vs[2].na = 4, vs[2].out = vs[2].a[2].tensor;
  vs[3].a[0] = targ(rnd(R, C, 1)), vs[3].a[1] = targ(rnd(C, 0, 3)), vs[3].a[2] = targ(rnd(C, 0, 4));
  vs[3].a[3] = targ(rnd(R, C, 8)), vs[3].a[4] = iarg(R), vs[3].na = 5, vs[3].out = vs[3].a[3].tensor;
  for (int i = 0; i < NV; i++) {
    if (!prepare(&vs[i])) return 1;
    measure(&vs[i]);
  }

  /* matmul 1024^3 (f16 -> f32, f32) and flash attention S = 2048, D = 128 */
  const int64_t M = 1024, S = 2048, D = 128;
  enum { NH = 3 };
  bench hs[NH] = {
      {.name = "matmul 1024^3 f16->f32", .path = "samples/matmul.ptk", .entry = "matmul"},
      {.name = "matmul 1024^3 f32", .path = "tests/bench/matmul_f32.ptk", .entry = "matmul_f32"},
      {.name = "flash attention S=2048 D=128",
       .path = "samples/flash_attention.ptk",
       .entry = "flash_attention",
       .nconsts = 4},
  };
  memcpy(hs[2].consts, FA_CONSTS, sizeof FA_CONSTS);
  for (int i = 0; i < 2; i++) {
    ptk_tdtype dt = i == 0 ? PTK_TD_F16 : PTK_TD_F32;
    hs[i].a[0] = targ(rnd_t(dt, M, M, 11)), hs[i].a[1] = targ(rnd_t(dt, M, M, 12));
    hs[i].a[2] = targ(rnd(M, M, 13)), hs[i].out = hs[i].a[2].tensor;
    hs[i].a[3] = iarg(M), hs[i].a[4] = iarg(M), hs[i].a[5] = iarg(M), hs[i].na = 6;
    hs[i].flops = 2.0 * M * M * M;
  }
  hs[2].a[0] = targ(rnd_t(PTK_TD_F16, S, D, 21)), hs[2].a[1] = targ(rnd_t(PTK_TD_F16, S, D, 22));
  hs[2].a[2] = targ(rnd_t(PTK_TD_F16, S, D, 23)), hs[2].a[3] = targ(rnd(S, D, 24));
  hs[2].a[4] = iarg(S), hs[2].na = 5, hs[2].out = hs[2].a[3].tensor;
  hs[2].flops = 4.0 * S * S * D;
  blas_open();
  if (g_sgemm) {
    for (int i = 0; i < 3; i++) g_mt[i] = rnd(M, M, 11 + (unsigned)i);
    g_ma = g_mt[0]->data, g_mb = g_mt[1]->data, g_mc = g_mt[2]->data;
    hs[0].alt = hs[1].alt = sgemm1024;
  }
  for (int i = 0; i < NH; i++) {
    hs[i].reps = i < 2 ? reps : heavy_reps();
    if (!prepare(&hs[i])) return 1;
    measure(&hs[i]);
  }

  /* 2 blocks on 2 threads vs 1: the f32 matmul kernel at 256 x 128 x 1024 */
  bench th = {.name = "matmul f32 256x128x1024, 2 blocks",
              .path = "tests/bench/matmul_f32.ptk",
              .entry = "matmul_f32"};
  th.a[0] = targ(rnd(256, 1024, 31)), th.a[1] = targ(rnd(1024, 128, 32));
  th.a[2] = targ(rnd(256, 128, 33)), th.out = th.a[2].tensor;
  th.a[3] = iarg(256), th.a[4] = iarg(128), th.a[5] = iarg(1024), th.na = 6;
  if (!prepare(&th)) return 1;
  double t1b, t1m, t2b, t2m;
  bool th_same;
  {
    size_t nb = ptk_tensor_nbytes(th.out);
    void *ref = malloc(nb);
    run_on(&th, true, 2, 1);
    memcpy(ref, th.out->data, nb);
    memset(th.out->data, 0, nb);
    run_on(&th, true, 2, 2);
    th_same = memcmp(ref, th.out->data, nb) == 0;
    if (!th_same) g_differ = true;
    free(ref);
    int n = reps;
    double *t1 = malloc(sizeof(double) * (size_t)n), *t2 = malloc(sizeof(double) * (size_t)n);
    for (int r = 0; r < n; r++) {
      t1[r] = run_on(&th, true, 2, 1);
      t2[r] = run_on(&th, true, 2, 2);
    }
    best_med(t1, n, &t1b, &t1m);
    best_med(t2, n, &t2b, &t2m);
    free(t1);
    free(t2);
  }

  /* launch overhead and compile time */
  double tl_jb, tl_jm, tl_ib, tl_im, tl2_b, tl2_m;
  tiny_launch("jit", 1, &tl_jb, &tl_jm);
  tiny_launch("interp", 1, &tl_ib, &tl_im);
  tiny_launch("jit", 2, &tl2_b, &tl2_m);
  double cl_b = NAN, cl_m = NAN, cj_b = NAN, cj_m = NAN;
  bool have_cc = cold_compile(3, &cl_b, &cl_m, &cj_b, &cj_m);

  /* numpy */
  double np_t[NP__N] = {0};
  char blas[1024] = "?";
  bool have_np = numpy_times(np_t, blas, sizeof blas);
  loadavg("at the end");

  /* ---- report ---- */
  if (have_np)
    printf("numpy: /usr/bin/python3, OPENBLAS_NUM_THREADS=1, BLAS %s%s\n", blas,
           strstr(blas, "openblas") ? "" : "  (NOT OpenBLAS: install libopenblas0-pthread)");
  else
    printf("numpy: not available (/usr/bin/python3 with python3-numpy); ratios skipped\n");
  printf("in-process sgemm: %s (dlopen libopenblas.so.0, 1 thread)\n", g_sgemm ? g_blas : "not available");
  printf("\n%-20s %21s %21s %9s %10s %10s %12s %13s\n", "kernel 4096x1024 f32",
         "interp best (med) ms", "jit best (med) ms", "numpy ms", "jit/numpy", "interp/jit",
         "jit %stream", "numpy %stream");
  double worst_ij = 0;
  for (int i = 0; i < NV; i++) {
    bench *b = &vs[i];
    double bound = b->bytes / g_bw;
    if (b->ti / b->tj > worst_ij) worst_ij = b->ti / b->tj;
    printf("%-20s %9.2f (%7.2f)   %9.2f (%7.2f) %9.2f %9.2fx %9.2fx %11.0f%% %12.0f%%%s\n", b->name,
           b->ti * 1e3, b->mi * 1e3, b->tj * 1e3, b->mj * 1e3, np_t[i] * 1e3,
           have_np ? b->tj / np_t[i] : NAN, b->ti / b->tj, 100 * bound / b->tj,
           have_np ? 100 * bound / np_t[i] : NAN, b->same ? "" : "  ENGINES DIFFER");
  }
  /* the matmul reference: OpenBLAS sgemm timed in the same loop as ptk
   * (same machine load), else numpy's */
  double gf_np_sgemm = have_np ? 2.0 * M * M * M / np_t[NP_SGEMM] / 1e9 : NAN;
  double gf_sgemm = g_sgemm ? 2.0 * M * M * M / hs[1].ta / 1e9 : gf_np_sgemm;
  bool have_sgemm = g_sgemm || have_np;
  double gf_attn = have_np ? hs[2].flops / np_t[NP_ATTN] / 1e9 : NAN;
  printf("\n%-29s %21s %21s %8s %8s %10s %10s %8s\n", "kernel (1 block, 1 thread)",
         "interp best (med) ms", "jit best (med) ms", "interp", "jit", "vs numpy", "jit/interp",
         "jit");
  printf("%-29s %21s %21s %8s %8s %10s %10s %8s\n", "", "", "", "GFLOP/s", "GFLOP/s",
         "(GFLOP/s)", "speed", "%peak");
  for (int i = 0; i < NH; i++) {
    bench *b = &hs[i];
    double gi = b->flops / b->ti / 1e9, gj = b->flops / b->tj / 1e9;
    double ref = i >= 2 ? gf_attn : g_sgemm ? b->flops / b->ta / 1e9 : gf_sgemm;
    printf("%-29s %9.1f (%7.1f)   %9.1f (%7.1f) %8.1f %8.1f %9.0f%% %9.2fx %7.0f%%%s\n", b->name,
           b->ti * 1e3, b->mi * 1e3, b->tj * 1e3, b->mj * 1e3, gi, gj, 100 * gj / ref, b->ti / b->tj,
           100 * gj * 1e9 / g_peak, b->same ? "" : "  ENGINES DIFFER");
  }
  if (g_sgemm)
    for (int i = 0; i < 2; i++)
      printf("%-29s %21s %9.1f (%7.1f) %11s %8.1f %19s %7.0f%%\n",
             i ? "  beside the f32 runs" : "OpenBLAS sgemm 1024^3 f32", "", hs[i].ta * 1e3,
             hs[i].ma * 1e3, "", 2.0 * M * M * M / hs[i].ta / 1e9, "",
             100 * 2.0 * M * M * M / hs[i].ta / g_peak);
  if (have_np) {
    printf("%-29s %21s %9.1f %21s %8.1f %19s %7.0f%%\n", "numpy sgemm 1024^3 f32", "",
           np_t[NP_SGEMM] * 1e3, "", gf_np_sgemm, "", 100 * gf_np_sgemm * 1e9 / g_peak);
    printf("%-29s %21s %9.1f %21s %8.1f %19s %7.0f%%\n", "numpy attention S=2048 D=128", "",
           np_t[NP_ATTN] * 1e3, "", gf_attn, "", 100 * gf_attn * 1e9 / g_peak);
  }
  printf("\ntiny-kernel launch (ptk_launch, tests/bench/tiny.ptk, 1 block, warm): jit best %.2f us "
         "(median %.2f), interp best %.2f us (median %.2f)\n",
         tl_jb * 1e6, tl_jm * 1e6, tl_ib * 1e6, tl_im * 1e6);
  printf("  the same on 2 blocks, 2 threads (a helper thread woken per launch): jit best %.2f us "
         "(median %.2f)\n",
         tl2_b * 1e6, tl2_m * 1e6);
  if (have_cc)
    printf("cold JIT compile of samples/flash_attention.ptk (D=128, empty cache): trace + passes "
           "best %.1f ms (median %.1f) + emit + cc + dlopen best %.1f ms (median %.1f) = %.1f ms\n",
           cl_b * 1e3, cl_m * 1e3, cj_b * 1e3, cj_m * 1e3, (cl_b + cj_b) * 1e3);
  else
    printf("cold JIT compile: failed (no cc?)\n");
  printf("%s (jit): 1 thread best %.2f ms (median %.2f), 2 threads best %.2f ms (median %.2f): "
         "speed-up %.2fx%s\n",
         th.name, t1b * 1e3, t1m * 1e3, t2b * 1e3, t2m * 1e3, t1b / t2b,
         th_same ? "" : "  THREAD COUNTS DIFFER");

  /* the table of targets */
  char buf[64];
  static const double vt[NV] = {1.1, 0.5, 0.6, 0.6};
  for (int i = 0; i < NV; i++) {
    snprintf(buf, sizeof buf, "%s <= %.1fx numpy", vs[i].name, vt[i]);
    double r = vs[i].tj / np_t[i];
    add_row(buf, have_np ? r <= vt[i] : -1, "%.2fx (jit %.2f ms, numpy %.2f ms%s)", r,
            vs[i].tj * 1e3, np_t[i] * 1e3, i == 0 ? ", see %stream" : "");
  }
  for (int i = 0; i < 2; i++) {
    double gj = hs[i].flops / hs[i].tj / 1e9;
    double gs = g_sgemm ? 2.0 * M * M * M / hs[i].ta / 1e9 : gf_sgemm; /* its own loop's */
    add_row(i == 0 ? "matmul f16->f32 >= 60% sgemm" : "matmul f32 >= 60% sgemm",
            have_sgemm ? gj >= 0.6 * gs : -1, "%.0f%% (%.1f vs %.1f GFLOP/s 1-thread sgemm)",
            100 * gj / gs, gj, gs);
  }
  add_row("flash attention < numpy", have_np ? hs[2].tj < np_t[NP_ATTN] : -1,
          "%.2fx numpy's time (jit %.1f ms, numpy %.1f ms)", hs[2].tj / np_t[NP_ATTN],
          hs[2].tj * 1e3, np_t[NP_ATTN] * 1e3);
  add_row("tiny launch <= 2 us", isnan(tl_jb) ? -1 : tl_jb <= 2e-6, "%.2f us (jit, best)", tl_jb * 1e6);
  add_row("cold FA compile <= 400 ms", have_cc ? cl_b + cj_b <= 0.4 : -1,
          "%.0f ms (trace+passes %.0f, emit+cc+dlopen %.0f)", (cl_b + cj_b) * 1e3, cl_b * 1e3,
          cj_b * 1e3);
  add_row("interp within 3x of jit", worst_ij <= 3, "%.2fx (worst vector kernel)", worst_ij);
  add_row("2 threads >= 1.7x 1 thread", t1b / t2b >= 1.7, "%.2fx (see load average)", t1b / t2b);
  add_row("bit-identical results", !g_differ, "%s", g_differ ? "DIFFER" : "engines and threads agree");
  printf("\n%-30s | %-62s | %s\n", "target", "measured", "met?");
  for (int i = 0; i < nrows; i++)
    printf("%-30s | %-62s | %s\n", rows[i].target, rows[i].measured,
           rows[i].met < 0 ? "n/a" : rows[i].met ? "yes" : "NO");

  for (int i = 0; i < NV; i++) bench_free(&vs[i]);
  for (int i = 0; i < NH; i++) bench_free(&hs[i]);
  bench_free(&th);
  for (int i = 0; i < 3; i++) ptk_tensor_free(g_mt[i]);
  return g_differ ? 1 : 0;
}
