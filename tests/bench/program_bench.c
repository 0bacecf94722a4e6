/* Benchmarks of the program layer (issue 12), in process:
 *  (a) per-task scheduling overhead: a program of N launches of a kernel
 *      that does nothing (all read one input: no dependencies, or chained
 *      through one inout buffer: a dependency per task), run with 1 and 2
 *      worker threads, minus the time of N direct launches of the same
 *      kernel (the engine's own launch cost). Target: under 5 µs per task.
 *  (b) speed-up of independent tasks on 2 threads: 8 compute-heavy tasks
 *      (one block each, each writing its own slice), 1 thread vs 2. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lang/diag.h"
#include "runtime/interp/interp.h"
#include "runtime/kernel.h"
#include "runtime/program/program.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_dbl(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double median(double *t, int n) {
  qsort(t, (size_t)n, sizeof *t, cmp_dbl);
  return t[n / 2];
}

#define NTASKS 2000

static const char SRC[] =
    "const NT = 2000;\n"
    "kernel nop(x: ptr<f32> in, n: i32) {\n"
    "}\n"
    "kernel touch(x: ptr<f32> inout, n: i32) {\n"
    "  let xv = make_tensor_view(x, shape = [1, 8], strides = [8, 1]);\n"
    "  let t = alloc_tile(shape = [1, 8], dtype = f32, loc = vec);\n"
    "  tload(xv[0:1, 0:8], t);\n"
    "  tadds(t, 1.0, t);\n"
    "  tstore(t, xv[0:1, 0:8]);\n"
    "}\n"
    "// r = exp(x) * x, K times over a 32x64 tile, one block per task\n"
    "kernel work(x: ptr<f32> in, y: ptr<f32> out, const K: int = 400) {\n"
    "  let xv = make_tensor_view(x, shape = [32, 64], strides = [64, 1]);\n"
    "  let yv = make_tensor_view(y, shape = [32, 64], strides = [64, 1]);\n"
    "  let a = alloc_tile(shape = [32, 64], dtype = f32, loc = vec);\n"
    "  let b = alloc_tile(shape = [32, 64], dtype = f32, loc = vec);\n"
    "  tload(xv[0:32, 0:64], a);\n"
    "  for i in range(0, K) {\n"
    "    texp(a, b);\n"
    "    tmul(b, a, b);\n"
    "    tmuls(b, 0.001, a);\n"
    "  }\n"
    "  tstore(a, yv[0:32, 0:64]);\n"
    "}\n"
    "program independent(x: tensor<f32>[8] in) {\n"
    "  for i in range(0, NT) { launch nop(x, 8); }\n"
    "}\n"
    "program chained(x: tensor<f32>[8] inout) {\n"
    "  for i in range(0, NT) { launch touch(x, 8); }\n"
    "}\n"
    "program heavy(x: tensor<f32>[32, 64] in, y: tensor<f32>[256, 64] out) {\n"
    "  for i in range(0, 8) { launch work(x, y[i * 32:(i + 1) * 32, 0:64]); }\n"
    "}\n";

static ptk_program *load(ptk_source *src, const char *name) {
  ptk_diags *d = ptk_diags_new();
  ptk_program_opts po = {0};
  po.entry = name;
  ptk_program *p = ptk_program_load("bench.ptk", src, &po, d);
  if (!p) ptk_diags_print(d, stderr);
  ptk_diags_free(d);
  return p;
}

static double run_prog(ptk_program *p, uint32_t threads, ptk_launch_arg *la, size_t n) {
  ptk_program_run_opts ro = {0};
  ro.threads = threads;
  ptk_diags *d = ptk_diags_new();
  double t0 = now();
  int rc = ptk_program_run(p, &ro, la, n, d);
  double t = now() - t0;
  if (rc) {
    ptk_diags_print(d, stderr);
    t = -1;
  }
  ptk_diags_free(d);
  return t;
}

int main(void) {
  ptk_source *src = ptk_source_from_string("bench.ptk", SRC, strlen(SRC));
  ptk_program *ind = load(src, "independent"), *ch = load(src, "chained"), *hv = load(src, "heavy");
  if (!ind || !ch || !hv) return 1;
  int64_t s8 = 8, sx[2] = {32, 64}, sy[2] = {256, 64};
  ptk_launch_arg a1[1] = {{.kind = PTK_ARG_TENSOR, .tensor = ptk_tensor_zeros(PTK_TD_F32, 1, &s8, NULL)}};
  /* direct launches of nop: the engine's own cost */
  ptk_diags *d = ptk_diags_new();
  ptk_const_binding none[1];
  ptk_loaded *l = ptk_kernel_load("bench.ptk", src, "nop", none, 0, NULL, d);
  ptk_interp_prog *ip = l ? ptk_interp_prepare(ptk_loaded_entry(l), d) : NULL;
  if (!ip) {
    ptk_diags_print(d, stderr);
    return 1;
  }
  ptk_launch_arg la2[2] = {a1[0], {.kind = PTK_ARG_SCALAR, .dt = PTK_DT_I64, .i = 8}};
  enum { R = 7 };
  double tdirect[R], tind1[R], tind2[R], tch1[R], tch2[R];
  for (int r = 0; r < R; r++) {
    ptk_launch_opts lo = {0};
    lo.blocks = 1;
    lo.threads = 1;
    double t0 = now();
    for (int i = 0; i < NTASKS; i++) ptk_interp_run(ip, &lo, la2, 2, d);
    tdirect[r] = now() - t0;
    tind1[r] = run_prog(ind, 1, a1, 1);
    tind2[r] = run_prog(ind, 2, a1, 1);
    tch1[r] = run_prog(ch, 1, a1, 1);
    tch2[r] = run_prog(ch, 2, a1, 1);
  }
  double dl = median(tdirect, R) / NTASKS * 1e6;
  double i1 = median(tind1, R) / NTASKS * 1e6, i2 = median(tind2, R) / NTASKS * 1e6;
  double c1 = median(tch1, R) / NTASKS * 1e6, c2 = median(tch2, R) / NTASKS * 1e6;
  printf("program tasks (%d per run, median of %d runs; an empty kernel, interpreter):\n", NTASKS, R);
  printf("  direct launch of the kernel (engine cost)   %7.2f us per launch\n", dl);
  printf("  independent tasks, 1 thread                 %7.2f us per task  (scheduling %5.2f us)\n", i1, i1 - dl);
  printf("  independent tasks, 2 threads                %7.2f us per task  (scheduling %5.2f us)\n", i2, i2 - dl);
  printf("  chained tasks (RAW+WAR on one buffer), 1 t  %7.2f us per task\n", c1);
  printf("  chained tasks (RAW+WAR on one buffer), 2 t  %7.2f us per task\n", c2);
  double worst = i1 - dl > i2 - dl ? i1 - dl : i2 - dl;
  printf("  per-task scheduling overhead: %.2f us (target < 5 us): %s\n", worst, worst < 5 ? "ok" : "OVER");

  ptk_launch_arg h[2] = {{.kind = PTK_ARG_TENSOR, .tensor = ptk_tensor_filled(PTK_TD_F32, 2, sx, 0.5, NULL)},
                         {.kind = PTK_ARG_TENSOR, .tensor = ptk_tensor_zeros(PTK_TD_F32, 2, sy, NULL)}};
  enum { RH = 5 };
  double th1[RH], th2[RH];
  for (int r = 0; r < RH; r++) {
    th1[r] = run_prog(hv, 1, h, 2);
    th2[r] = run_prog(hv, 2, h, 2);
  }
  double m1 = median(th1, RH), m2 = median(th2, RH);
  printf("8 independent compute tasks (1 block each): 1 thread %.2f ms, 2 threads %.2f ms: speed-up %.2fx\n",
         m1 * 1e3, m2 * 1e3, m1 / m2);
  ptk_interp_free(ip);
  ptk_loaded_free(l);
  ptk_diags_free(d);
  ptk_tensor_free(a1[0].tensor);
  ptk_tensor_free(h[0].tensor);
  ptk_tensor_free(h[1].tensor);
  ptk_program_free(ind);
  ptk_program_free(ch);
  ptk_program_free(hv);
  ptk_source_free(src);
  return 0;
}
