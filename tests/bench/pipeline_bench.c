/* Benchmark of the pass pipeline (verify, canonicalize, cse, check-shapes,
 * derive-arg-directions, plan-memory, insert-sync, with the sync checker):
 *   1. a generated .pto kernel of about 20,000 ops in auto mode: loops with
 *      iter_args, if/else, views, loads, stores, tiles allocated in the loops,
 *      elementwise and tile-scalar ops, foldable and CSE-able arith;
 *      target < 100 ms;
 *   2. the flash-attention sample (samples/flash_attention.ptk, traced once),
 *      target < 2 ms.
 * Each is read (or traced) afresh per run, then only the pipeline is timed;
 * the median of several runs is reported. Usage: pipeline_bench [NOPS] [RUNS] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/passes/pipeline.h"
#include "parser/pto_read.h"
#include "trace/trace.h"

#define TILE "!pto.tile_buf<vec, 16x16xf32>"
#define PART "!pto.partition_tensor_view<16x16xf32>"

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_dbl(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* One loop: 24 ops. */
static void gen_loop(ptk_buf *b, int k) {
  ptk_buf_printf(
      b,
      "    %%r%d = scf.for %%i%d = %%c0 to %%c4 step %%c1 iter_args(%%acc%d = %%c0) -> (index) {\n"
      "      %%o%d = arith.muli %%i%d, %%c16 : index\n"
      "      %%o%db = arith.muli %%c16, %%i%d : index\n"
      "      %%k%d = arith.addi %%c4, %%c1 : index\n"
      "      %%p%d = pto.partition_view %%tv, offsets = [%%o%d, %%c0], sizes = [%%c16, %%c16] : "
      "!pto.tensor_view<?x?xf32> -> " PART "\n"
      "      %%q%d = pto.partition_view %%tv, offsets = [%%o%db, %%c0], sizes = [%%c16, %%c16] : "
      "!pto.tensor_view<?x?xf32> -> " PART "\n"
      "      %%a%d = pto.alloc_tile : " TILE "\n"
      "      %%b%d = pto.alloc_tile : " TILE "\n"
      "      %%t%d = pto.alloc_tile : " TILE "\n"
      "      pto.tload ins(%%p%d : " PART ") outs(%%a%d : " TILE ")\n"
      "      pto.tload ins(%%q%d : " PART ") outs(%%b%d : " TILE ")\n",
      k, k, k, k, k, k, k, k, k, k, k, k, k, k, k, k, k, k, k);
  static const char *const bin[] = {"tadd", "tsub", "tmul", "tmax"};
  for (int j = 0; j < 4; j++)
    ptk_buf_printf(b, "      pto.%s ins(%%a%d, %%b%d : " TILE ", " TILE ") outs(%%t%d : " TILE ")\n",
                   bin[j], k, k, k);
  ptk_buf_printf(
      b,
      "      %%e%d = arith.cmpi eq, %%i%d, %%c0 : index\n"
      "      scf.if %%e%d {\n"
      "        pto.tadds ins(%%t%d, %%s : " TILE ", f32) outs(%%t%d : " TILE ")\n"
      "      } else {\n"
      "        pto.tmuls ins(%%t%d, %%s : " TILE ", f32) outs(%%t%d : " TILE ")\n"
      "      }\n"
      "      pto.tstore ins(%%t%d : " TILE ") outs(%%p%d : " PART ")\n"
      "      %%n%d = arith.addi %%acc%d, %%k%d : index\n"
      "      scf.yield %%n%d : index\n"
      "    }\n",
      k, k, k, k, k, k, k, k, k, k, k, k, k);
}

static char *gen_kernel(int nops, int *nloops) {
  ptk_buf b = {0};
  ptk_buf_puts(&b,
               "module {\n"
               "  func.func @big(%p: !pto.ptr<f32>, %n: index, %s: f32) {\n"
               "    %c0 = arith.constant 0 : index\n"
               "    %c1 = arith.constant 1 : index\n"
               "    %c4 = arith.constant 4 : index\n"
               "    %c16 = arith.constant 16 : index\n"
               "    %tv = pto.make_tensor_view %p, shape = [%n, %c16], strides = [%c16, %c1] : "
               "!pto.tensor_view<?x?xf32>\n");
  int k = 0;
  for (int ops = 5; ops < nops; ops += 22) gen_loop(&b, k++);
  ptk_buf_puts(&b, "    return\n  }\n}\n");
  *nloops = k;
  return ptk_buf_take(&b);
}

static bool count_op(ptk_op *op, void *p) {
  (void)op;
  ++*(int *)p;
  return 1;
}

static double median(double *t, int n) {
  qsort(t, (size_t)n, sizeof *t, cmp_dbl);
  return t[n / 2];
}

int main(int argc, char **argv) {
  int nops = argc > 1 ? atoi(argv[1]) : 20000;
  int runs = argc > 2 ? atoi(argv[2]) : 7;
  if (runs < 1) runs = 1;
  int nloops;
  char *text = gen_kernel(nops, &nloops);
  ptk_source *src = ptk_source_from_string("bench.pto", text, strlen(text));
  double *t = calloc((size_t)runs, sizeof *t);
  int total_ops = 0, rc = 0;
  ptk_pipeline_result last;
  memset(&last, 0, sizeof last);
  for (int r = 0; r < runs; r++) {
    ptk_diags *d = ptk_diags_new();
    ptk_module *m = ptk_pto_read(src, d);
    if (!m) {
      ptk_diags_print(d, stderr);
      return 1;
    }
    if (r == 0) ptk_walk_module(m, count_op, &total_ops);
    ptk_pipeline_result res;
    memset(&res, 0, sizeof res);
    ptk_pipeline_opts o;
    memset(&o, 0, sizeof o);
    o.mode = PTK_MODE_AUTO;
    o.insert_sync = -1;
    o.result = &res;
    double t0 = now_ms();
    rc |= ptk_pipeline_run(m, NULL, &o, d, NULL);
    t[r] = now_ms() - t0;
    if (rc) ptk_diags_print(d, stderr);
    if (r == runs - 1) {
      last = res;
      memset(&res.dirs, 0, sizeof res.dirs);
    }
    ptk_pipeline_result_free(&res);
    ptk_module_free(m);
    ptk_diags_free(d);
  }
  double med = median(t, runs);
  printf("pipeline on a generated kernel: %d ops (%d loops): median %.2f ms over %d runs "
         "(target < 100 ms)%s\n",
         total_ops, nloops, med, runs, med < 100 ? "" : "  ** over target **");
  printf("  per pass (last run):");
  for (uint32_t i = 0; i < last.npasses; i++) printf(" %s %.2f", last.passes[i], last.ms[i + 1]);
  printf(" ms; verify (input) %.2f ms\n", last.ms[0]);
  printf("  %u tiles planned, %u sync pairs inserted\n", last.mem.planned, last.sync.pairs);
  ptk_pipeline_result_free(&last);
  free(text);
  ptk_source_free(src);

  /* The flash-attention sample. */
  const char *fa = "samples/flash_attention.ptk";
  FILE *probe = fopen(fa, "r");
  if (!probe) {
    printf("pipeline on %s: skipped (run from the source tree)\n", fa);
  } else {
    fclose(probe);
    for (int r = 0; r < runs; r++) {
      ptk_diags *d = ptk_diags_new();
      ptk_trace_result *tr = ptk_trace_kernel(fa, NULL, NULL, NULL, 0, NULL, d);
      if (!tr) {
        ptk_diags_print(d, stderr);
        ptk_diags_free(d);
        return 1;
      }
      const ptk_trace_info *info = ptk_trace_info_of(tr);
      ptk_pipeline_opts o;
      memset(&o, 0, sizeof o);
      o.mode = info->mode && !strcmp(info->mode, "explicit") ? PTK_MODE_EXPLICIT : PTK_MODE_AUTO;
      ptk_target_parse(info->target, &o.target);
      o.insert_sync = -1;
      double t0 = now_ms();
      rc |= ptk_pipeline_run(ptk_trace_module(tr), ptk_trace_entry(tr), &o, d, NULL);
      t[r] = now_ms() - t0;
      if (rc) ptk_diags_print(d, stderr);
      ptk_trace_result_free(tr);
      ptk_diags_free(d);
    }
    med = median(t, runs);
    printf("pipeline on %s: median %.3f ms over %d runs (target < 2 ms)%s\n", fa, med, runs,
           med < 2 ? "" : "  ** over target **");
  }
  free(t);
  return rc;
}
