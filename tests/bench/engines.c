/* Issue 10 benchmark: the interpreter and the JIT, in process, against numpy
 * (/usr/bin/python3, BLAS = OpenBLAS; timed inside python, same sizes, same
 * input distribution), on the vector samples at 4096x1024 f32:
 *   vadd     samples/vadd.ptk      n = 4M (TILE 1024)   numpy: np.add(x, y, out=z)
 *   softmax  samples/softmax.ptk   COLS 1024, TR 16     numpy: 5 passes (max, sub, exp, sum, div)
 *   rmsnorm  samples/rmsnorm.ptk   CHUNK 512 x 2, TR 8  numpy: x * g / sqrt(mean(x*x) + eps)
 *   layernorm samples/layernorm.ptk COLS 1024, TR 8     numpy: (x - mean) / sqrt(var + eps) * g + b
 * One block, one thread (numpy's elementwise code is single-threaded).
 * Every figure is the best of REPS interleaved runs (the machine may be
 * shared); medians are printed beside. It also measures the machine's limits:
 * streaming bandwidth (a triad a = b + s*c over 3 x 64 MB, counted as 3
 * streams like STREAM) and the f32 FMA peak of one core (AVX2+FMA when the
 * CPU has it, else SSE mul+add), so each time is also a fraction of its
 * bound: the bytes the kernel must move (inputs read once, output written
 * once) at the streaming bandwidth.
 * Results of the two engines are compared bit for bit.
 * Run from the repository root (make bench does). REPS=N changes 15. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lang/diag.h"
#include "runtime/interp/interp.h"
#include "runtime/jit/jit.h"
#include "runtime/kernel.h"
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

static int reps = 15;

/* ---- machine limits ------------------------------------------------------------------------ */

static double g_bw; /* bytes/s */

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
  printf("machine: f32 peak %.1f GFLOP/s per core (%s, %s)\n", flops / best / 1e9,
         avx2 ? "AVX2 FMA, 10 independent 8-lane chains" : "SSE mul+add, 12 chains",
         "best of 5");
}

/* ---- kernels ------------------------------------------------------------------------------- */

typedef struct bench {
  const char *name, *path, *entry;
  ptk_const_binding consts[4];
  size_t nconsts;
  double bytes; /* minimal global traffic */
  ptk_loaded *l;
  ptk_interp_prog *ip;
  ptk_jit_prog *jp;
  ptk_launch_arg a[6];
  size_t na;
  ptk_tensor *out;  /* the output tensor (a[out_i]) */
  int out_i;
  double ti, tj, mi, mj; /* best and median seconds */
  bool same;
} bench;

static ptk_tensor *rnd(int64_t r, int64_t c, unsigned seed) {
  int64_t shape[2] = {r, c};
  ptk_tensor *t = ptk_tensor_zeros(PTK_TD_F32, c ? 2 : 1, c ? shape : &r, NULL);
  float *p = t->data;
  int64_t n = ptk_tensor_numel(t);
  uint32_t s = seed * 2654435761u + 1;
  for (int64_t i = 0; i < n; i++) {
    s = s * 1664525u + 1013904223u;
    p[i] = (float)((double)(s >> 8) / (double)(1u << 24) * 2.0 - 1.0);
  }
  return t;
}
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
  if (!ok) {
    fprintf(stderr, "%s: cannot prepare\n", b->path);
    ptk_diags_print(d, stderr);
  }
  ptk_diags_free(d);
  return ok;
}

static double run1(bench *b, bool jit) {
  ptk_diags *d = ptk_diags_new();
  ptk_launch_opts o = {0};
  o.blocks = 1;
  o.threads = 1;
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

static void measure(bench *b) {
  size_t nb = ptk_tensor_nbytes(b->out);
  void *ref = malloc(nb);
  run1(b, false);
  memcpy(ref, b->out->data, nb);
  memset(b->out->data, 0, nb);
  run1(b, true);
  b->same = memcmp(ref, b->out->data, nb) == 0;
  free(ref);
  double *ti = malloc(sizeof(double) * (size_t)reps), *tj = malloc(sizeof(double) * (size_t)reps);
  for (int r = 0; r < reps; r++) {
    ti[r] = run1(b, false);
    tj[r] = run1(b, true);
  }
  qsort(ti, (size_t)reps, sizeof *ti, cmp_dbl);
  qsort(tj, (size_t)reps, sizeof *tj, cmp_dbl);
  b->ti = ti[0], b->tj = tj[0], b->mi = ti[reps / 2], b->mj = tj[reps / 2];
  free(ti);
  free(tj);
}

/* ---- numpy ----------------------------------------------------------------------------------- */

static const char *PY =
    "import sys, time, numpy as np\n"
    "blas = sorted({l.split()[-1] for l in open('/proc/self/maps') if 'blas' in l})\n"
    "R, C, reps = 4096, 1024, int(sys.argv[1])\n"
    "rng = np.random.default_rng(1)\n"
    "x = rng.uniform(-1, 1, (R, C)).astype(np.float32)\n"
    "y = rng.uniform(-1, 1, (R, C)).astype(np.float32)\n"
    "g = rng.uniform(-1, 1, (C,)).astype(np.float32)\n"
    "b = rng.uniform(-1, 1, (C,)).astype(np.float32)\n"
    "z = np.empty_like(x)\n"
    "def vadd(): np.add(x, y, out=z)\n"
    "def softmax():\n"
    "    m = x.max(axis=1, keepdims=True); e = np.exp(x - m); e /= e.sum(axis=1, keepdims=True)\n"
    "def rmsnorm():\n"
    "    return x * g / np.sqrt(np.mean(x * x, axis=1, keepdims=True) + np.float32(1e-6))\n"
    "def layernorm():\n"
    "    m = x.mean(axis=1, keepdims=True); d = x - m\n"
    "    return d / np.sqrt((d * d).mean(axis=1, keepdims=True) + np.float32(1e-5)) * g + b\n"
    "fs = [('vadd', vadd), ('softmax', softmax), ('rmsnorm', rmsnorm), ('layernorm', layernorm)]\n"
    "best = {n: 1e9 for n, _ in fs}\n"
    "for _ in range(reps):\n"
    "    for n, f in fs:\n"
    "        t0 = time.perf_counter(); f(); t = time.perf_counter() - t0\n"
    "        best[n] = min(best[n], t)\n"
    "print('blas', ','.join(blas) or 'none')\n"
    "for n, _ in fs: print(n, best[n])\n";

static bool numpy_times(double *t, const char *const *names, int n, char *blas, size_t bl) {
  char cmd[64];
  snprintf(cmd, sizeof cmd, "/usr/bin/python3 - %d", reps);
  FILE *script = fopen("build/bench_engines.py", "w");
  if (!script) return false;
  fputs(PY, script);
  fclose(script);
  snprintf(cmd, sizeof cmd, "/usr/bin/python3 build/bench_engines.py %d 2>&1", reps);
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
    if (sscanf(line, "%63s %lf", key, &v) == 2)
      for (int i = 0; i < n; i++)
        if (!strcmp(key, names[i])) t[i] = v, got++;
  }
  int rc = pclose(p);
  remove("build/bench_engines.py");
  return rc == 0 && got == n;
}

int main(void) {
  const char *e = getenv("REPS");
  if (e && atoi(e) > 0) reps = atoi(e);
  measure_bw();
  measure_peak();
  const int64_t R = 4096, C = 1024, N = R * C;
  enum { NB = 4 };
  bench bs[NB] = {
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
  ptk_tensor *x = rnd(R, C, 1), *y = rnd(R, C, 2), *g = rnd(C, 0, 3), *bb = rnd(C, 0, 4);
  ptk_tensor *xf = rnd(N, 0, 1), *yf = rnd(N, 0, 2), *zf = rnd(N, 0, 5);
  ptk_tensor *outs[NB] = {zf, rnd(R, C, 6), rnd(R, C, 7), rnd(R, C, 8)};
  bs[0].a[0] = targ(xf), bs[0].a[1] = targ(yf), bs[0].a[2] = targ(zf), bs[0].a[3] = iarg(N);
  bs[0].na = 4;
  bs[1].a[0] = targ(x), bs[1].a[1] = targ(outs[1]), bs[1].a[2] = iarg(R), bs[1].na = 3;
  bs[2].a[0] = targ(x), bs[2].a[1] = targ(g), bs[2].a[2] = targ(outs[2]), bs[2].a[3] = iarg(R);
  bs[2].na = 4;
  bs[3].a[0] = targ(x), bs[3].a[1] = targ(g), bs[3].a[2] = targ(bb), bs[3].a[3] = targ(outs[3]);
  bs[3].a[4] = iarg(R), bs[3].na = 5;
  for (int i = 0; i < NB; i++) {
    bs[i].out = outs[i];
    if (!prepare(&bs[i])) return 1;
    measure(&bs[i]);
  }
  double np_t[NB] = {0};
  const char *names[NB] = {"vadd", "softmax", "rmsnorm", "layernorm"};
  char blas[1024] = "?";
  bool have_np = numpy_times(np_t, names, NB, blas, sizeof blas);
  if (have_np)
    printf("numpy: /usr/bin/python3, BLAS %s%s\n", blas,
           strstr(blas, "openblas") ? "" : "  (NOT OpenBLAS: install libopenblas0-pthread)");
  else
    printf("numpy: not available (/usr/bin/python3 with python3-numpy); ratios skipped\n");
  printf("%-9s %21s %21s %9s %10s %10s %14s %14s\n", "kernel 4096x1024 f32", "interp best (med) ms",
         "jit best (med) ms", "numpy ms", "jit/numpy", "interp/jit", "jit %stream", "numpy %stream");
  for (int i = 0; i < NB; i++) {
    bench *b = &bs[i];
    double bound = b->bytes / g_bw;
    printf("%-20s %9.2f (%7.2f)   %9.2f (%7.2f) %9.2f %9.2fx %9.2fx %13.0f%% %13.0f%%%s\n", b->name,
           b->ti * 1e3, b->mi * 1e3, b->tj * 1e3, b->mj * 1e3, np_t[i] * 1e3,
           have_np ? b->tj / np_t[i] : NAN, b->ti / b->tj, 100 * bound / b->tj,
           have_np ? 100 * bound / np_t[i] : NAN, b->same ? "" : "  ENGINES DIFFER");
  }
  for (int i = 0; i < NB; i++) {
    ptk_interp_free(bs[i].ip);
    ptk_jit_free(bs[i].jp);
    ptk_loaded_free(bs[i].l);
    ptk_tensor_free(outs[i]);
  }
  ptk_tensor_free(x), ptk_tensor_free(y), ptk_tensor_free(g), ptk_tensor_free(bb);
  ptk_tensor_free(xf), ptk_tensor_free(yf);
  return 0;
}
