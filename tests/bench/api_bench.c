/* Benchmarks of loading kernels (issue 5 targets), in process, from the
 * repository root (make bench does):
 *  (a) tracing + verifying samples/flash_attention.ptk, cold (a fresh
 *      ptk_trace_kernel + ptk_verify_module each time, file read included;
 *      target < 2 ms), and the whole loader (trace + pass pipeline) and a
 *      cold ptk_load_file (loader + interpreter preparation, new context);
 *  (b) ptk_load_file of an already-loaded kernel (cache hit: stat of each
 *      dependency, no read; target < 5 µs);
 *  (c) for samples/vadd.ptk: cold load time vs launch time (n = 4096 and
 *      n = 1M f32, one block), and their ratio. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/verify.h"
#include "lang/diag.h"
#include "runtime/kernel.h"
#include "runtime/ptk.h"
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

typedef struct stats {
  double best, median;
} stats;

static stats summarize(double *t, int n) {
  qsort(t, (size_t)n, sizeof *t, cmp_dbl);
  return (stats){t[0], t[n / 2]};
}

#define FA "samples/flash_attention.ptk"
#define VADD "samples/vadd.ptk"

static int bench_trace(void) {
  enum { N = 200 };
  double t[N], tl[N];
  for (int i = 0; i < N; i++) {
    ptk_diags *d = ptk_diags_new();
    double t0 = now();
    ptk_trace_result *r = ptk_trace_kernel(FA, NULL, NULL, NULL, 0, NULL, d);
    bool ok = r && ptk_verify_module(ptk_trace_module(r), d);
    t[i] = now() - t0;
    ptk_trace_result_free(r);
    if (!ok) {
      ptk_diags_print(d, stderr);
      ptk_diags_free(d);
      return 1;
    }
    t0 = now();
    ptk_loaded *l = ptk_kernel_load(FA, NULL, NULL, NULL, 0, NULL, d);
    tl[i] = now() - t0;
    ptk_loaded_free(l);
    ptk_diags_free(d);
  }
  stats s = summarize(t, N), sl = summarize(tl, N);
  printf("(a) trace + verify %s, cold: best %.3f ms, median %.3f ms (target < 2 ms)\n", FA,
         s.best * 1e3, s.median * 1e3);
  printf("    trace + pass pipeline (runtime/kernel.h loader): best %.3f ms, median %.3f ms\n",
         sl.best * 1e3, sl.median * 1e3);
  enum { M = 30 };
  double tc[M];
  for (int i = 0; i < M; i++) {
    ptk_ctx *c = ptk_open(NULL, NULL);
    double t0 = now();
    ptk_kernel *k = ptk_load_file(c, FA, NULL, NULL, 0, NULL);
    tc[i] = now() - t0;
    ptk_close(c);
    if (!k) return 1;
  }
  stats sc = summarize(tc, M);
  printf("    ptk_load_file, cold (loader + interpreter prepare): best %.3f ms, median %.3f ms\n",
         sc.best * 1e3, sc.median * 1e3);
  return 0;
}

static int bench_cached(void) {
  ptk_err err = {0};
  ptk_ctx *c = ptk_open(NULL, &err);
  ptk_const tile = {"TILE", "256"};
  ptk_kernel *k = ptk_load_file(c, FA, NULL, NULL, 0, &err);
  ptk_kernel *k2 = ptk_load_file(c, VADD, NULL, &tile, 1, &err);
  if (!k || !k2) {
    fprintf(stderr, "%s", err.message);
    ptk_err_clear(&err);
    ptk_close(c);
    return 1;
  }
  enum { R = 20, N = 20000 };
  double t[R], t2[R];
  for (int r = 0; r < R; r++) {
    double t0 = now();
    for (int i = 0; i < N; i++)
      if (ptk_load_file(c, FA, NULL, NULL, 0, &err) != k) return 1;
    t[r] = (now() - t0) / N;
    t0 = now();
    for (int i = 0; i < N; i++)
      if (ptk_load_file(c, VADD, NULL, &tile, 1, &err) != k2) return 1;
    t2[r] = (now() - t0) / N;
  }
  stats s = summarize(t, R), s2 = summarize(t2, R);
  printf("(b) ptk_load_file of a loaded kernel: %s best %.2f us, median %.2f us; %s (1 binding) "
         "best %.2f us, median %.2f us (target < 5 us)\n",
         FA, s.best * 1e6, s.median * 1e6, VADD, s2.best * 1e6, s2.median * 1e6);
  ptk_close(c);
  return 0;
}

static int bench_ratio(void) {
  enum { M = 30, L = 50 };
  double tl[M];
  for (int i = 0; i < M; i++) {
    ptk_ctx *c = ptk_open(NULL, NULL);
    double t0 = now();
    ptk_kernel *k = ptk_load_file(c, VADD, NULL, NULL, 0, NULL);
    tl[i] = now() - t0;
    ptk_close(c);
    if (!k) return 1;
  }
  stats load = summarize(tl, M);
  ptk_ctx *c = ptk_open(NULL, NULL);
  ptk_kernel *k = ptk_load_file(c, VADD, NULL, NULL, 0, NULL);
  printf("(c) %s: cold ptk_load_file best %.3f ms, median %.3f ms\n", VADD, load.best * 1e3,
         load.median * 1e3);
  static const int64_t sizes[] = {4096, 1 << 20};
  for (size_t s = 0; s < 2; s++) {
    int64_t n = sizes[s];
    ptk_tensor *x = ptk_tensor_new(PTK_F32, 1, &n), *y = ptk_tensor_new(PTK_F32, 1, &n),
               *z = ptk_tensor_new(PTK_F32, 1, &n);
    ptk_arg a[4] = {ptk_arg_tensor(x), ptk_arg_tensor(y), ptk_arg_tensor(z), ptk_arg_int(n)};
    double tt[L];
    for (int i = 0; i < L; i++) {
      double t0 = now();
      if (ptk_launch(k, 1, a, 4, NULL) != PTK_OK) return 1;
      tt[i] = now() - t0;
    }
    stats launch = summarize(tt, L);
    printf("    launch, n = %lld f32, 1 block: best %.3f ms, median %.3f ms; load / launch = %.1f\n",
           (long long)n, launch.best * 1e3, launch.median * 1e3, load.median / launch.median);
    ptk_tensor_free(x);
    ptk_tensor_free(y);
    ptk_tensor_free(z);
  }
  ptk_close(c);
  return 0;
}

int main(void) {
  int rc = bench_trace();
  if (!rc) rc = bench_cached();
  if (!rc) rc = bench_ratio();
  if (rc) fprintf(stderr, "api_bench: a kernel failed to load or run\n");
  return rc;
}
