/* Benchmark of the IR verifier: generates a .pto kernel of about 20,000 ops
 * (loops with iter_args, if/else, views, loads, stores, elementwise and
 * tile-scalar ops, arith), reads it once and times ptk_verify_module over
 * several runs. The verifier runs between every pass, so it must stay a
 * small fraction of reading. Usage: verify_bench [NOPS] [RUNS] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/verify.h"
#include "parser/pto_read.h"

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

/* One loop: 23 ops (the scf.for, its body, the scf.if and its branches). */
static void gen_loop(ptk_buf *b, int k) {
  ptk_buf_printf(
      b,
      "    %%r%d = scf.for %%i%d = %%c0 to %%c4 step %%c1 iter_args(%%acc%d = %%c0) -> (index) {\n"
      "      %%o%d = arith.muli %%i%d, %%c16 : index\n"
      "      %%p%d = pto.partition_view %%tv, offsets = [%%o%d, %%c0], sizes = [%%c16, %%c16] : "
      "!pto.tensor_view<?x?xf32> -> " PART "\n"
      "      pto.tload ins(%%p%d : " PART ") outs(%%a : " TILE ")\n",
      k, k, k, k, k, k, k, k);
  static const char *const bin[] = {"tadd", "tsub", "tmul", "tmax", "tmin", "tdiv"};
  for (int j = 0; j < 6; j++)
    ptk_buf_printf(b, "      pto.%s ins(%%a, %%b : " TILE ", " TILE ") outs(%%c : " TILE ")\n",
                   bin[j]);
  ptk_buf_printf(b,
                 "      pto.tmuls ins(%%c, %%s : " TILE ", f32) outs(%%c : " TILE ")\n"
                 "      pto.tadds ins(%%c, %%s : " TILE ", f32) outs(%%c : " TILE ")\n"
                 "      pto.texp ins(%%c : " TILE ") outs(%%b : " TILE ")\n"
                 "      pto.trowsum ins(%%b, %%a : " TILE ", " TILE ") outs(%%col : "
                 "!pto.tile_buf<vec, 16x1xf32, blayout=col_major>)\n"
                 "      %%q%d = arith.cmpi eq, %%i%d, %%c0 : index\n"
                 "      scf.if %%q%d {\n"
                 "        pto.tadds ins(%%c, %%s : " TILE ", f32) outs(%%c : " TILE ")\n"
                 "      } else {\n"
                 "        pto.tsubs ins(%%c, %%s : " TILE ", f32) outs(%%c : " TILE ")\n"
                 "      }\n"
                 "      pto.tstore ins(%%c : " TILE ") outs(%%p%d : " PART ")\n"
                 "      %%n%d = arith.addi %%acc%d, %%c1 : index\n"
                 "      %%m%d = arith.index_cast %%n%d : index to i64\n"
                 "      %%w%d = arith.index_cast %%m%d : i64 to index\n"
                 "      scf.yield %%w%d : index\n"
                 "    }\n",
                 k, k, k, k, k, k, k, k, k, k, k);
}

int main(int argc, char **argv) {
  int nops = argc > 1 ? atoi(argv[1]) : 20000;
  int runs = argc > 2 ? atoi(argv[2]) : 50;
  if (runs < 1) runs = 1;
  ptk_buf b = {0};
  ptk_buf_puts(&b,
               "module {\n  func.func @bench(%x: !pto.ptr<f32>, %s: f32) {\n"
               "    %c0 = arith.constant 0 : index\n"
               "    %c1 = arith.constant 1 : index\n"
               "    %c4 = arith.constant 4 : index\n"
               "    %c16 = arith.constant 16 : index\n"
               "    %c64 = arith.constant 64 : index\n"
               "    %tv = pto.make_tensor_view %x, shape = [%c64, %c16], strides = [%c16, %c1] : "
               "!pto.tensor_view<?x?xf32>\n"
               "    %a = pto.alloc_tile : " TILE "\n"
               "    %b = pto.alloc_tile : " TILE "\n"
               "    %c = pto.alloc_tile : " TILE "\n"
               "    %col = pto.alloc_tile : !pto.tile_buf<vec, 16x1xf32, blayout=col_major>\n");
  for (int k = 0; 11 + 23 * (k + 1) <= nops; k++) gen_loop(&b, k);
  ptk_buf_puts(&b, "    return\n  }\n}\n");

  ptk_source *src = ptk_source_from_string("bench.pto", b.data, b.len);
  ptk_diags *d = ptk_diags_new();
  double t0 = now_ms();
  ptk_module *m = ptk_pto_read(src, d);
  double t_read = now_ms() - t0;
  if (!m) {
    ptk_diags_print(d, stderr);
    return 1;
  }
  uint32_t ops = ptk_module_op_count(m);

  double *t = malloc((size_t)runs * sizeof *t);
  bool ok = true;
  for (int r = 0; r < runs; r++) {
    t0 = now_ms();
    ok &= ptk_verify_module(m, d);
    t[r] = now_ms() - t0;
  }
  if (!ok) {
    ptk_diags_print(d, stderr);
    return 1;
  }
  qsort(t, (size_t)runs, sizeof *t, cmp_dbl);
  double best = t[0], med = t[runs / 2];
  printf("verify: %u ops (%zu bytes of .pto), read %.2f ms; verify best %.3f ms, median %.3f ms "
         "over %d runs = %.1f M ops/s (%.1f%% of reading)\n",
         ops, b.len, t_read, best, med, runs, ops / (med * 1e3), 100.0 * med / t_read);
  free(t);
  ptk_module_free(m);
  ptk_diags_free(d);
  ptk_source_free(src);
  ptk_buf_free(&b);
  return 0;
}
