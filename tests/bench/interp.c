/* Benchmarks of the IR interpreter (runtime/interp), in process:
 *  1. tests/bench/vadd_4096x1024.pto: z = x + y on 4096x1024 f32 with 8x1024
 *     row tiles over 512 loop iterations, one block, warm buffers: best and
 *     median launch time, and the same add as a plain C loop (the bound
 *     numpy's np.add has);
 *  2. the corpus flash-attention kernel (fa_full) and matmul kernel
 *     (sync_matmul_bias): launches per second, one block, one thread.
 * Run from the repository root (make bench does); the corpus is
 * ../shared/corpus/pto and is skipped when absent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lang/diag.h"
#include "parser/pto_read.h"
#include "runtime/interp/interp.h"
#include "runtime/npy.h"
#include "runtime/tensor.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct kern {
  ptk_source *src;
  ptk_module *m;
  ptk_interp_prog *p;
} kern;

static bool load(kern *k, const char *path, const char *entry) {
  memset(k, 0, sizeof *k);
  ptk_diags *d = ptk_diags_new();
  k->src = ptk_source_load(path);
  if (k->src) k->m = ptk_pto_read(k->src, d);
  ptk_func *f = k->m ? ptk_module_find_func_nested(k->m, entry) : NULL;
  if (f) k->p = ptk_interp_prepare(f, d);
  if (!k->p) {
    fprintf(stderr, "%s: cannot prepare '%s'\n", path, entry);
    ptk_diags_print(d, stderr);
  }
  ptk_diags_free(d);
  return k->p != NULL;
}

static void unload(kern *k) {
  ptk_interp_free(k->p);
  ptk_module_free(k->m);
  ptk_source_free(k->src);
}

static int launch(kern *k, ptk_launch_arg *a, size_t n) {
  ptk_diags *d = ptk_diags_new();
  ptk_launch_opts o = {0};
  o.blocks = 1;
  o.threads = 1;
  int rc = ptk_interp_run(k->p, &o, a, n, d);
  if (rc) ptk_diags_print(d, stderr);
  ptk_diags_free(d);
  return rc;
}

static int cmp_dbl(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void bench_vadd(void) {
  kern k;
  if (!load(&k, "tests/bench/vadd_4096x1024.pto", "vadd")) return;
  char *err = NULL;
  ptk_tensor *x = ptk_tensor_from_spec("rand:f32:4096x1024:1", &err);
  ptk_tensor *y = ptk_tensor_from_spec("rand:f32:4096x1024:2", &err);
  ptk_tensor *z = ptk_tensor_from_spec("zeros:f32:4096x1024", &err);
  ptk_tensor *r = ptk_tensor_from_spec("zeros:f32:4096x1024", &err);
  if (!x || !y || !z || !r) {
    fprintf(stderr, "vadd: %s\n", err ? err : "no memory");
    free(err);
    return;
  }
  long n = 4096L * 1024;
  float *xv = x->data, *yv = y->data, *zv = z->data, *rv = r->data;
  memset(zv, 0, (size_t)n * 4);
  ptk_launch_arg a[3] = {{.kind = PTK_ARG_TENSOR, .tensor = x},
                         {.kind = PTK_ARG_TENSOR, .tensor = y},
                         {.kind = PTK_ARG_TENSOR, .tensor = z}};
  enum { REPS = 31 };
  double t[REPS], tc = 1e9;
  for (int i = 0; i < REPS; i++) {
    double t0 = now();
    if (launch(&k, a, 3)) return;
    t[i] = now() - t0;
    t0 = now();
    for (long j = 0; j < n; j++) rv[j] = xv[j] + yv[j];
    double c = now() - t0;
    if (c < tc) tc = c;
  }
  bool ok = memcmp(zv, rv, (size_t)n * 4) == 0;
  if (getenv("BENCH_VERBOSE"))
    for (int i = 0; i < REPS; i++) fprintf(stderr, "%.2f ", t[i] * 1e3);
  qsort(t, REPS, sizeof t[0], cmp_dbl);
  double gb = 3.0 * (double)n * 4 / 1e9;
  printf("vadd 4096x1024 f32, 8x1024 tiles: interpreter best %.2f ms (median %.2f ms, %.1f GB/s); "
         "plain C loop best %.2f ms; ratio %.2fx; result %s\n",
         t[0] * 1e3, t[REPS / 2] * 1e3, gb / t[0], tc * 1e3, t[0] / tc,
         ok ? "bit-identical" : "DIFFERS");
  ptk_tensor_free(x);
  ptk_tensor_free(y);
  ptk_tensor_free(z);
  ptk_tensor_free(r);
  unload(&k);
}

/* Launches per second of a corpus case (inputs from its in/ folder). */
static void bench_case(const char *id, const char *entry, const char *const *files, int nfiles,
                       const char *scalar) {
  char path[512];
  snprintf(path, sizeof path, "../shared/corpus/pto/%s/kernel.pto", id);
  FILE *f = fopen(path, "r");
  if (!f) {
    printf("%s: skipped (no corpus at ../shared/corpus/pto)\n", id);
    return;
  }
  fclose(f);
  kern k;
  if (!load(&k, path, entry)) return;
  ptk_launch_arg a[8];
  memset(a, 0, sizeof a);
  int n = 0;
  for (int i = 0; i < nfiles; i++) {
    char *err = NULL;
    snprintf(path, sizeof path, "../shared/corpus/pto/%s/in/%s", id, files[i]);
    a[n].kind = PTK_ARG_TENSOR;
    a[n].tensor = ptk_npy_read(path, 0, &err);
    if (!a[n].tensor) {
      fprintf(stderr, "%s\n", err);
      free(err);
      return;
    }
    n++;
  }
  if (scalar) {
    a[n].kind = PTK_ARG_SCALAR;
    a[n].dt = PTK_DT_I1;
    a[n].i = !strcmp(scalar, "true");
    n++;
  }
  int runs = 0;
  double t0 = now(), t1;
  do {
    if (launch(&k, a, (size_t)n)) return;
    runs++;
    t1 = now();
  } while (t1 - t0 < 1.0);
  printf("%s: %.0f launches/s (%.1f us each)\n", id, runs / (t1 - t0), (t1 - t0) / runs * 1e6);
  for (int i = 0; i < n; i++)
    if (a[i].kind == PTK_ARG_TENSOR) ptk_tensor_free(a[i].tensor);
  unload(&k);
}

int main(int argc, char **argv) {
  (void)argv; /* any argument: only the vadd part */
  bench_vadd();
  if (argc > 1) return 0;
  static const char *const fa[] = {"0_q.npy", "1_kt.npy", "2_v.npy", "3_scores.npy", "4_softmax.npy", "5_out.npy"};
  bench_case("fa_full", "flash_attention_block", fa, 6, NULL);
  static const char *const mm[] = {"0_arg0.npy", "1_arg1.npy", "2_arg2.npy", "3_arg3.npy"};
  bench_case("sync_matmul_bias", "RunTMATMULSplitK", mm, 4, "true");
  return 0;
}
