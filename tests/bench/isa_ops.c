/* Micro-benchmarks of runtime/isa on its own (no interpreter):
 *  1. a 4096x1024 f32 elementwise add done as 512 tiles of 8x1024
 *     (tload a, tload b, tadd, tstore) against a plain C loop over the same
 *     arrays (what numpy's np.add does);
 *  2. the corpus Sync/matmul data path: 32x256 @ 256x32 f32 in 8 K-chunks
 *     (tload mat, tmov left/right, tmatmul / tmatmul.acc, tstore acc);
 *  3. rmsnorm-like bf16 work: tcvt bf16->f32, tmul, trowsum, tcvt back. */
#include <stdbool.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lang/util.h"
#include "runtime/isa/fp.h"
#include "runtime/isa/isa.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void die(int rc, const char *what) {
  if (rc) {
    fprintf(stderr, "%s: %s\n", what, ptk_isa_error());
    exit(1);
  }
}

static ptk_gm_view view(void *base, ptk_isa_dtype dt, long r, long c, long ld) {
  ptk_gm_view v;
  memset(&v, 0, sizeof v);
  v.base = base;
  v.dtype = dt;
  v.rank = 2;
  v.shape[0] = r;
  v.shape[1] = c;
  v.stride[0] = ld;
  v.stride[1] = 1;
  v.layout = PTK_ISA_GM_ND;
  return v;
}

static void bench_add(void) {
  enum { R = 4096, C = 1024, TR = 8 };
  float *a = malloc(sizeof(float) * R * C), *b = malloc(sizeof(float) * R * C),
        *c = malloc(sizeof(float) * R * C), *ref = malloc(sizeof(float) * R * C);
  for (long i = 0; i < (long)R * C; i++) {
    a[i] = (float)(i % 1000) * 0.5f;
    b[i] = (float)(i % 77);
  }
  static uint8_t ub[3 * TR * C * 4]; /* "UB": three 8x1024 f32 tiles */
  ptk_tile ta, tb, tc;
  die(ptk_isa_tile_init(&ta, ub, PTK_ISA_F32, PTK_ISA_VEC, TR, C, TR, C, PTK_ISA_ROW_MAJOR,
                        PTK_ISA_NONE_BOX, 512, PTK_ISA_PAD_NULL),
      "init");
  tb = ta;
  tb.data = ub + TR * C * 4;
  tc = ta;
  tc.data = ub + 2 * TR * C * 4;
  double best_isa = 1e9, best_c = 1e9;
  for (int rep = 0; rep < 15; rep++) {
    double t0 = now();
    for (int i = 0; i < R / TR; i++) {
      ptk_gm_view va = view(a + (long)i * TR * C, PTK_ISA_F32, TR, C, C);
      ptk_gm_view vb = view(b + (long)i * TR * C, PTK_ISA_F32, TR, C, C);
      ptk_gm_view vc = view(c + (long)i * TR * C, PTK_ISA_F32, TR, C, C);
      die(ptk_isa_tload(&ta, &va), "tload");
      die(ptk_isa_tload(&tb, &vb), "tload");
      die(ptk_isa_tadd(&tc, &ta, &tb), "tadd");
      die(ptk_isa_tstore(&vc, &tc, NULL), "tstore");
    }
    double t1 = now();
    for (long k = 0; k < (long)R * C; k++) ref[k] = a[k] + b[k];
    double t2 = now();
    if (t1 - t0 < best_isa) best_isa = t1 - t0;
    if (t2 - t1 < best_c) best_c = t2 - t1;
  }
  if (memcmp(c, ref, sizeof(float) * R * C) != 0) {
    fprintf(stderr, "isa add result differs from the C loop\n");
    exit(1);
  }
  printf("add 4096x1024 f32 as 512 8x1024 tiles: isa %.2f ms, plain C loop %.2f ms (ratio %.2f)\n",
         best_isa * 1e3, best_c * 1e3, best_isa / best_c);
  free(a);
  free(b);
  free(c);
  free(ref);
}

static void bench_matmul(void) {
  enum { M = 32, K = 256, N = 32, KC = 32 };
  static float A[M * K], B[K * N], out[M * N];
  for (int i = 0; i < M * K; i++) A[i] = (float)((i * 7) % 13) - 6;
  for (int i = 0; i < K * N; i++) B[i] = (float)((i * 5) % 11) - 5;
  static uint8_t l1[2 * 32 * 32 * 4], l0a[32 * 32 * 4], l0b[32 * 32 * 4], l0c[32 * 32 * 4];
  ptk_tile ma, mb, left, right, acc;
  die(ptk_isa_tile_init(&ma, l1, PTK_ISA_F32, PTK_ISA_MAT, M, KC, M, KC, PTK_ISA_COL_MAJOR,
                        PTK_ISA_BOX_ROW_MAJOR, 512, PTK_ISA_PAD_NULL),
      "mat a");
  die(ptk_isa_tile_init(&mb, l1 + 32 * 32 * 4, PTK_ISA_F32, PTK_ISA_MAT, KC, N, KC, N,
                        PTK_ISA_COL_MAJOR, PTK_ISA_BOX_ROW_MAJOR, 512, PTK_ISA_PAD_NULL),
      "mat b");
  die(ptk_isa_tile_init(&left, l0a, PTK_ISA_F32, PTK_ISA_LEFT, M, KC, M, KC, PTK_ISA_ROW_MAJOR,
                        PTK_ISA_BOX_ROW_MAJOR, 512, PTK_ISA_PAD_NULL),
      "left");
  die(ptk_isa_tile_init(&right, l0b, PTK_ISA_F32, PTK_ISA_RIGHT, KC, N, KC, N, PTK_ISA_ROW_MAJOR,
                        PTK_ISA_BOX_COL_MAJOR, 512, PTK_ISA_PAD_NULL),
      "right");
  die(ptk_isa_tile_init(&acc, l0c, PTK_ISA_F32, PTK_ISA_ACC, M, N, M, N, PTK_ISA_COL_MAJOR,
                        PTK_ISA_BOX_ROW_MAJOR, 1024, PTK_ISA_PAD_NULL),
      "acc");
  int runs = 0;
  double t0 = now(), t;
  do {
    for (int k = 0; k < K / KC; k++) {
      ptk_gm_view va = view(A + k * KC, PTK_ISA_F32, M, KC, K);
      ptk_gm_view vb = view(B + k * KC * N, PTK_ISA_F32, KC, N, N);
      die(ptk_isa_tload(&ma, &va), "tload a");
      die(ptk_isa_tload(&mb, &vb), "tload b");
      die(ptk_isa_tmov(&left, &ma, false), "tmov left");
      die(ptk_isa_tmov(&right, &mb, false), "tmov right");
      if (k == 0)
        die(ptk_isa_tmatmul(&acc, &left, &right), "tmatmul");
      else
        die(ptk_isa_tmatmul_acc(&acc, &acc, &left, &right), "tmatmul.acc");
    }
    ptk_gm_view vo = view(out, PTK_ISA_F32, M, N, N);
    die(ptk_isa_tstore(&vo, &acc, NULL), "tstore");
    runs++;
    t = now();
  } while (t - t0 < 0.5);
  double want = 0;
  for (int k = 0; k < K; k++) want += (double)A[5 * K + k] * B[k * N + 7];
  if (out[5 * N + 7] != (float)want) {
    fprintf(stderr, "matmul result wrong: %g vs %g\n", out[5 * N + 7], want);
    exit(1);
  }
  printf(
      "matmul 32x256x32 f32 (8 K-chunks, tload/tmov/tmatmul/tstore): %.0f runs/s (%.1f us/run)\n",
      runs / (t - t0), (t - t0) / runs * 1e6);
}

static void bench_bf16(void) {
  enum { R = 16, C = 512 };
  static uint16_t x[R * C];
  for (int i = 0; i < R * C; i++) x[i] = (uint16_t)(0x3f80 + (i % 64));
  static uint8_t ub[R * C * 2 + 2 * R * C * 4 + R * 4];
  ptk_tile tb, tf, tsq, sum;
  die(ptk_isa_tile_init(&tb, ub, PTK_ISA_BF16, PTK_ISA_VEC, R, C, R, C, PTK_ISA_ROW_MAJOR,
                        PTK_ISA_NONE_BOX, 512, PTK_ISA_PAD_NULL),
      "bf16");
  die(ptk_isa_tile_init(&tf, ub + R * C * 2, PTK_ISA_F32, PTK_ISA_VEC, R, C, R, C,
                        PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512, PTK_ISA_PAD_NULL),
      "f32");
  tsq = tf;
  tsq.data = tf.data + R * C * 4;
  die(ptk_isa_tile_init(&sum, tsq.data + R * C * 4, PTK_ISA_F32, PTK_ISA_VEC, R, 1, R, 1,
                        PTK_ISA_COL_MAJOR, PTK_ISA_NONE_BOX, 512, PTK_ISA_PAD_NULL),
      "sum");
  int runs = 0;
  double t0 = now(), t;
  do {
    ptk_gm_view v = view(x, PTK_ISA_BF16, R, C, C);
    die(ptk_isa_tload(&tb, &v), "tload");
    die(ptk_isa_tcvt(&tf, &tb, PTK_ISA_RM_ROUND, false), "tcvt");
    die(ptk_isa_tmul(&tsq, &tf, &tf), "tmul");
    die(ptk_isa_trowsum(&sum, &tsq), "trowsum");
    die(ptk_isa_trowexpandmul(&tf, &tf, &sum), "trowexpandmul");
    die(ptk_isa_tcvt(&tb, &tf, PTK_ISA_RM_ROUND, false), "tcvt back");
    runs++;
    t = now();
  } while (t - t0 < 0.5);
  printf("16x512 bf16 chunk (tload, tcvt, tmul, trowsum, trowexpandmul, tcvt): %.1f us/chunk\n",
         (t - t0) / runs * 1e6);
}

/* 1024^3 matmul as 512 tmatmul / tmatmul.acc calls on 128x128 tiles already
 * in L0 layouts (left Zz, right Zn, acc Nz): GFLOP/s of the tile library's
 * matmul on its own (no tload / tmov). dt: f32, f16 or bf16 operands. */
static void bench_mm1024(ptk_isa_dtype dt) {
  enum { T = 128, G = 8 }; /* G x G grid of T x T tiles: 1024 */
  size_t esz = ptk_isa_dtype_size(dt), tb = (size_t)T * T;
  uint8_t *abuf = malloc(G * G * tb * esz), *bbuf = malloc(G * G * tb * esz);
  uint8_t *cbuf = malloc(G * G * tb * 4);
  ptk_tile A[G][G], B[G][G], C[G][G];
  uint64_t s = 12345;
  for (int i = 0; i < G; i++)
    for (int j = 0; j < G; j++) {
      size_t at = ((size_t)i * G + j) * tb;
      die(ptk_isa_tile_init(&A[i][j], abuf + at * esz, dt, PTK_ISA_LEFT, T, T, T, T,
                            PTK_ISA_ROW_MAJOR, PTK_ISA_BOX_ROW_MAJOR, 512, PTK_ISA_PAD_NULL),
          "left");
      die(ptk_isa_tile_init(&B[i][j], bbuf + at * esz, dt, PTK_ISA_RIGHT, T, T, T, T,
                            PTK_ISA_ROW_MAJOR, PTK_ISA_BOX_COL_MAJOR, 512, PTK_ISA_PAD_NULL),
          "right");
      die(ptk_isa_tile_init(&C[i][j], cbuf + at * 4, PTK_ISA_F32, PTK_ISA_ACC, T, T, T, T,
                            PTK_ISA_COL_MAJOR, PTK_ISA_BOX_ROW_MAJOR, 1024, PTK_ISA_PAD_NULL),
          "acc");
    }
  /* small random values: exact in f16 and bf16 (8 significant bits) */
  for (size_t n = 0; n < G * G * tb; n++) {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    float a = (float)((int)(s >> 56) - 128) / 64.0f;
    float b = (float)((int)((s >> 40) & 255) - 128) / 64.0f;
    if (dt == PTK_ISA_F32) {
      memcpy(abuf + n * 4, &a, 4);
      memcpy(bbuf + n * 4, &b, 4);
    } else {
      uint32_t ua, ub;
      memcpy(&ua, &a, 4);
      memcpy(&ub, &b, 4);
      uint16_t ha, hb; /* exact either way: <= 8 significant bits, |x| <= 2 */
      if (dt == PTK_ISA_BF16) {
        ha = (uint16_t)(ua >> 16);
        hb = (uint16_t)(ub >> 16);
      } else {
        ha = (uint16_t)(a == 0 ? 0 : ((ua >> 16) & 0x8000) | ((((ua >> 23) & 255) - 112) << 10) | ((ua >> 13) & 0x3ff));
        hb = (uint16_t)(b == 0 ? 0 : ((ub >> 16) & 0x8000) | ((((ub >> 23) & 255) - 112) << 10) | ((ub >> 13) & 0x3ff));
      }
      memcpy(abuf + n * 2, &ha, 2);
      memcpy(bbuf + n * 2, &hb, 2);
    }
  }
  double best = 1e9;
  for (int rep = 0; rep < 5; rep++) {
    double t0 = now();
    for (int i = 0; i < G; i++)
      for (int j = 0; j < G; j++) {
        die(ptk_isa_tmatmul(&C[i][j], &A[i][0], &B[0][j]), "tmatmul");
        for (int k = 1; k < G; k++)
          die(ptk_isa_tmatmul_acc(&C[i][j], &C[i][j], &A[i][k], &B[k][j]), "tmatmul.acc");
      }
    double t = now() - t0;
    if (t < best) best = t;
  }
  /* spot check: C[1000][77] against fmaf chains per 128-chunk, then Cin + d */
  float ref = 0;
  int gi = 1000 / T, ri = 1000 % T, gj = 77 / T, cj = 77 % T;
  for (int k = 0; k < G; k++) {
    float d = 0;
    for (int kk = 0; kk < T; kk++) {
      float a = 0, b = 0;
      const uint8_t *pa = A[gi][k].data + ptk_isa_offset(&A[gi][k], ri, kk) * esz;
      const uint8_t *pb = B[k][gj].data + ptk_isa_offset(&B[k][gj], kk, cj) * esz;
      if (dt == PTK_ISA_F32) {
        memcpy(&a, pa, 4);
        memcpy(&b, pb, 4);
      } else {
        uint16_t ha, hb;
        memcpy(&ha, pa, 2);
        memcpy(&hb, pb, 2);
        a = dt == PTK_ISA_BF16 ? ptk_bf16_to_f32(ha) : ptk_f16_to_f32(ha);
        b = dt == PTK_ISA_BF16 ? ptk_bf16_to_f32(hb) : ptk_f16_to_f32(hb);
      }
      d = fmaf(a, b, d);
    }
    ref = k == 0 ? d : ref + d;
  }
  float got;
  memcpy(&got, C[gi][gj].data + ptk_isa_offset(&C[gi][gj], ri, cj) * 4, 4);
  if (memcmp(&got, &ref, 4) != 0) {
    fprintf(stderr, "mm1024 %s result wrong: %.9g vs %.9g\n", ptk_isa_dtype_name(dt), got, ref);
    exit(1);
  }
  printf("matmul 1024^3 %s->f32 as 512 tmatmul(.acc) on 128x128 tiles: %.1f ms, %.1f GFLOP/s\n",
         ptk_isa_dtype_name(dt), best * 1e3, 2.0 * 1024 * 1024 * 1024 / best / 1e9);
  free(abuf);
  free(bbuf);
  free(cbuf);
}

/* isa_ops [add|matmul|bf16|mm1024]...: run the named benchmarks (default: all) */
int main(int argc, char **argv) {
  for (int i = 1; i < argc || i == 1; i++) {
    const char *w = i < argc ? argv[i] : "all";
    bool all = !strcmp(w, "all");
    if (all || !strcmp(w, "add")) bench_add();
    if (all || !strcmp(w, "matmul")) bench_matmul();
    if (all || !strcmp(w, "bf16")) bench_bf16();
    if (all || !strcmp(w, "mm1024")) {
      bench_mm1024(PTK_ISA_F32);
      bench_mm1024(PTK_ISA_F16);
      bench_mm1024(PTK_ISA_BF16);
    }
  }
  return 0;
}
