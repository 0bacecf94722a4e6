/* Benchmark: read + verify + print a generated 20,000-op .pto file.
 *
 * The text looks like the corpus kernels (keyword-spelling tile_buf types,
 * make_tensor_view/partition_view/alloc_tile/tload/tadd/tstore chains,
 * scf.for/scf.if bodies, arith index math). Reports the best of a few runs
 * for reading, verifying, printing and all three, in ms and ops/second
 * (wall time; the process CPU time of the whole is printed too). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/verify.h"
#include "lang/diag.h"
#include "lang/ir/ir.h"
#include "parser/pto_print.h"
#include "parser/pto_read.h"

#define NOPS 20000
#define TILE                                                                                       \
  "!pto.tile_buf<loc=vec, dtype=f32, rows=32, cols=32, v_row=32, v_col=32, blayout=row_major, "   \
  "slayout=none_box, fractal=512, pad=0>"

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* CPU time of this process: unlike wall time, not inflated when other
 * processes compete for the cores. */
static double cpu_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Appends one unit of ops; returns how many ops it wrote. */
static int unit(ptk_buf *b, int k) {
  int n = 0;
  ptk_buf_printf(b, "    %%tv%d = pto.make_tensor_view %%arg0, shape = [%%c32, %%c32], strides = [%%c32, %%c1] : "
                    "!pto.tensor_view<?x?xf32>\n", k);
  ptk_buf_printf(b, "    %%pv%d = pto.partition_view %%tv%d, offsets = [%%c0, %%c0], sizes = [%%c32, %%c32] : "
                    "!pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<32x32xf32>\n", k, k);
  ptk_buf_printf(b, "    %%a%d = pto.alloc_tile : " TILE "\n", k);
  ptk_buf_printf(b, "    %%b%d = pto.alloc_tile : " TILE "\n", k);
  ptk_buf_printf(b, "    pto.tload ins(%%pv%d : !pto.partition_tensor_view<32x32xf32>) outs(%%a%d : " TILE ")\n", k, k);
  ptk_buf_printf(b, "    pto.tadd ins(%%a%d, %%a%d : " TILE ", " TILE ") outs(%%b%d : " TILE ")\n", k, k, k);
  ptk_buf_printf(b, "    pto.tmuls ins(%%b%d, %%cst : " TILE ", f32) outs(%%b%d : " TILE ")\n", k, k);
  n += 7;
  ptk_buf_printf(b, "    scf.for %%i%d = %%c0 to %%c4 step %%c1 {\n", k);
  ptk_buf_printf(b, "      %%o%d = arith.muli %%i%d, %%c32 : index\n", k, k);
  ptk_buf_printf(b, "      %%e%d = arith.cmpi eq, %%i%d, %%c0 : index\n", k, k);
  ptk_buf_printf(b, "      scf.if %%e%d {\n", k);
  ptk_buf_printf(b, "        pto.tadds ins(%%b%d, %%cst : " TILE ", f32) outs(%%b%d : " TILE ")\n", k, k);
  ptk_buf_printf(b, "      } else {\n");
  ptk_buf_printf(b, "        pto.texp ins(%%b%d : " TILE ") outs(%%b%d : " TILE ")\n", k, k);
  ptk_buf_printf(b, "      }\n");
  ptk_buf_printf(b, "    }\n");
  n += 6;
  ptk_buf_printf(b, "    pto.tstore ins(%%b%d : " TILE ") outs(%%pv%d : !pto.partition_tensor_view<32x32xf32>)\n", k, k);
  n += 1;
  return n;
}

int main(void) {
  ptk_buf text = {0};
  ptk_buf_puts(&text, "module {\n  func.func @bench(%arg0: !pto.ptr<f32>) {\n"
                      "    %c0 = arith.constant 0 : index\n    %c1 = arith.constant 1 : index\n"
                      "    %c4 = arith.constant 4 : index\n    %c32 = arith.constant 32 : index\n"
                      "    %cst = arith.constant 5.000000e-01 : f32\n");
  int ops = 5;
  for (int k = 0; ops < NOPS - 1; k++) ops += unit(&text, k);
  ptk_buf_puts(&text, "    return\n  }\n}\n");
  ops += 1;

  ptk_source *src = ptk_source_from_string("bench.pto", ptk_buf_cstr(&text), text.len);
  double best_read = 1e30, best_verify = 1e30, best_print = 1e30, best_total = 1e30, best_cpu = 1e30;
  size_t out_len = 0;
  for (int rep = 0; rep < 7; rep++) {
    ptk_diags *d = ptk_diags_new();
    double c0 = cpu_ms();
    double t0 = now_ms();
    ptk_module *m = ptk_pto_read(src, d);
    double t1 = now_ms();
    if (!m) {
      ptk_diags_print(d, stderr);
      return 1;
    }
    if (!ptk_verify_module(m, d)) {
      ptk_diags_print(d, stderr);
      return 1;
    }
    double tv = now_ms();
    ptk_buf out = {0};
    ptk_pto_print(m, &out);
    double t2 = now_ms();
    double c2 = cpu_ms();
    if (c2 - c0 < best_cpu) best_cpu = c2 - c0;
    out_len = out.len;
    if (t1 - t0 < best_read) best_read = t1 - t0;
    if (tv - t1 < best_verify) best_verify = tv - t1;
    if (t2 - tv < best_print) best_print = t2 - tv;
    if (t2 - t0 < best_total) best_total = t2 - t0;
    ptk_buf_free(&out);
    ptk_module_free(m);
    ptk_diags_free(d);
  }
  printf("pto_rw: %d ops, %zu bytes in, %zu bytes out\n", ops, text.len, out_len);
  printf("  read           %8.2f ms  %10.0f ops/s\n", best_read, ops / (best_read / 1e3));
  printf("  verify         %8.2f ms  %10.0f ops/s\n", best_verify, ops / (best_verify / 1e3));
  printf("  print          %8.2f ms  %10.0f ops/s\n", best_print, ops / (best_print / 1e3));
  printf("  read + verify + print %8.2f ms  %10.0f ops/s   (cpu time %.2f ms, %.0f ops/s)\n", best_total,
         ops / (best_total / 1e3), best_cpu, ops / (best_cpu / 1e3));
  ptk_source_free(src);
  ptk_buf_free(&text);
  return 0;
}
