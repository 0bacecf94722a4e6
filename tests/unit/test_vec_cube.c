/* VPTO cube and FIXPIPE (runtime/isa/v_cube.h): the NZ / ZN / L0C layouts,
 * nd2nz / dn2nz with zero lanes, L1 -> L0 moves with and without transpose,
 * pto.mad with sat / nosat, tf32 rounding, integer wrap, acc and bias, the
 * FIXPIPE stages (scalar quant, relu, clip, f16 saturation, NaN, atomic),
 * the 32-byte units of mte_l1_ub / copy_cbuf_to_ubuf, bias widening, and
 * bounds errors that write nothing. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "runtime/isa/fp.h"
#include "runtime/isa/v_cube.h"
#include "tests/unit/ut.h"

enum { MEM = 16384 };
static uint8_t gm[MEM], l1[MEM], l0a[MEM], l0b[MEM], l0c[MEM], ub[MEM], bt[1024];
static ptk_vptr P(uint8_t *m, int64_t cap, int64_t off) {
  ptk_vptr p = {m, cap, off};
  return p;
}
#define PM(m) P(m, sizeof m, 0)
static float f32at(const uint8_t *m, int64_t i) {
  float f;
  memcpy(&f, m + 4 * i, 4);
  return f;
}
static void f32put(uint8_t *m, int64_t i, float f) { memcpy(m + 4 * i, &f, 4); }
static uint16_t u16at(const uint8_t *m, int64_t i) {
  uint16_t h;
  memcpy(&h, m + 2 * i, 2);
  return h;
}
static void u16put(uint8_t *m, int64_t i, uint16_t h) { memcpy(m + 2 * i, &h, 2); }
static bool has(const char *part) { return strstr(ptk_isa_error(), part) != NULL; }
static void clear(void) {
  memset(gm, 0, sizeof gm), memset(l1, 0, sizeof l1), memset(l0a, 0, sizeof l0a);
  memset(l0b, 0, sizeof l0b), memset(l0c, 0, sizeof l0c), memset(ub, 0, sizeof ub), memset(bt, 0, sizeof bt);
}

/* frac x: shape(n, d), src_layout(inner), dst_group(1, 1, rp, 0), ctrl(0, 0) */
static int frac(int dn, unsigned esz, int64_t n, int64_t d, int64_t inner, int64_t rp) {
  int64_t x[9] = {n, d, inner, 1, 1, rp, 0, 0, 0};
  return ptk_v_gm_l1_frac_rec(PM(gm), PM(l1), esz, dn, x, 9);
}

TEST(cube_nd2nz_layout_and_zero_lanes) {
  clear();
  /* 3 x 10 f32 rows of 40 bytes: C0 = 8, two column blocks, rows padded to 16 */
  for (int i = 0; i < 30; i++) f32put(gm, i, (float)(i + 1));
  memset(l1, 0xAB, sizeof l1);
  CHECK_INT(frac(0, 4, 3, 10, 40, 16), 0);
  for (int r = 0; r < 3; r++)
    for (int c = 0; c < 16; c++) {
      int64_t off = ((c / 8) * 16 + r) * 32 + (c % 8) * 4;
      float want = c < 10 ? (float)(r * 10 + c + 1) : 0.0f; /* lanes past d_value are zero */
      CHECK_DBL(f32at(l1, off / 4), want, 0);
    }
  CHECK_UINT(l1[3 * 32], 0xAB); /* row 3 of block 0 is not written */
  /* dn2nz: src[d, n] -> NZ [n, d] */
  clear();
  for (int i = 0; i < 16 * 4; i++) u16put(gm, i, (uint16_t)i); /* 16 rows (d) of 4 (n) f16 */
  CHECK_INT(frac(1, 2, 4, 16, 8, 16), 0);
  for (int n = 0; n < 4; n++)
    for (int d = 0; d < 16; d++) CHECK_UINT(u16at(l1, (n * 32 + d * 2) / 2), (unsigned)(d * 4 + n));
}

TEST(cube_frac_bounds_and_smallc0) {
  clear();
  int64_t x[9] = {16, 16, 32, 1, 1, 16, 0, 0, 0};
  CHECK_INT(ptk_v_gm_l1_frac_rec(P(gm, 100, 0), PM(l1), 2, 0, x, 9), PTK_ISA_ESHAPE);
  CHECK(has("source bytes"));
  for (int i = 0; i < MEM; i++) CHECK_UINT(l1[i], 0); /* nothing written */
  /* zero strides everywhere: bounded work, not a hang */
  int64_t zz[9] = {65536, 65536, 0, 65536, 0, 0, 0, 0, 0};
  CHECK_INT(ptk_v_gm_l1_frac_rec(PM(gm), PM(l1), 2, 0, zz, 9), PTK_ISA_EARG);
  CHECK(has("more than"));
  x[8] = 1;
  CHECK_INT(ptk_v_gm_l1_frac_rec(PM(gm), PM(l1), 2, 0, x, 9), PTK_ISA_EARG);
  CHECK(has("smallc0"));
  CHECK_INT(ptk_v_gm_l1_frac_rec(PM(gm), PM(l1), 2, 0, x, 7), PTK_ISA_EARG);
}

/* Row-major M x K f32 a, K x N f32 b in GM -> L1 NZ -> L0A / L0B -> mad -> nz2nd. */
static void matmul_f32(int m, int n, int k, const float *a, const float *b, float *c, int flags, int tf,
                       bool b_transposed_in_l1) {
  clear();
  for (int i = 0; i < m * k; i++) f32put(gm, i, a[i]);
  int64_t rpa = (m + 15) / 16 * 16;
  CHECK_INT(frac(0, 4, m, k, k * 4, rpa), 0);
  CHECK_INT(ptk_v_l1_l0(false, PM(l1), PM(l0a), 4, false, m, k, 0, 0), 0);
  memset(l1, 0, sizeof l1);
  if (b_transposed_in_l1) { /* L1 NZ [N, K] without transpose */
    for (int j = 0; j < n; j++)
      for (int kk = 0; kk < k; kk++) f32put(gm, j * k + kk, b[kk * n + j]);
    CHECK_INT(frac(0, 4, n, k, k * 4, (n + 15) / 16 * 16), 0);
    CHECK_INT(ptk_v_l1_l0(true, PM(l1), PM(l0b), 4, false, k, n, 0, 0), 0);
  } else {
    for (int i = 0; i < k * n; i++) f32put(gm, i, b[i]);
    CHECK_INT(frac(0, 4, k, n, n * 4, (k + 15) / 16 * 16), 0);
    CHECK_INT(ptk_v_l1_l0(true, PM(l1), PM(l0b), 4, true, k, n, 0, 0), 0);
  }
  ptk_vptr none = {NULL, 0, 0};
  CHECK_INT(ptk_v_mad(0, PTK_ISA_F32, PTK_ISA_F32, PTK_ISA_F32, PM(l0a), PM(l0b), PM(l0c), none, m, n, k, flags, tf),
            0);
  int64_t x[6] = {m, n, rpa, n, 0, 0};
  CHECK_INT(ptk_v_fixpipe_rec(0, PM(l0c), PM(gm), PTK_ISA_F32, PTK_ISA_F32, x, 6, 4, 0, 63, 63, 3, 2, 0), 0);
  for (int i = 0; i < m * n; i++) c[i] = f32at(gm, i);
}

TEST(cube_mad_f32_layouts_and_sat) {
  enum { M = 20, N = 18, K = 11 };
  float a[M * K], b[K * N], c[M * N], c2[M * N];
  for (int i = 0; i < M * K; i++) a[i] = (float)((i * 7) % 13 - 6) * 0.5f;
  for (int i = 0; i < K * N; i++) b[i] = (float)((i * 5) % 11 - 5) * 0.25f;
  matmul_f32(M, N, K, a, b, c, 0, 2, false);
  matmul_f32(M, N, K, a, b, c2, 0, 2, true); /* B^T in L1, no transpose: the same ZN */
  for (int i = 0; i < M; i++)
    for (int j = 0; j < N; j++) {
      float s = 0;
      for (int kk = 0; kk < K; kk++) s = fmaf(a[i * K + kk], b[kk * N + j], s);
      CHECK_DBL(c[i * N + j], s, 0);
      CHECK_DBL(c2[i * N + j], s, 0);
    }
  /* sat: inf -> max, NaN -> 0 in the inputs, the result clamped */
  float a2[2] = {INFINITY, NAN}, b2[2] = {1.0f, 5.0f}, r[1];
  matmul_f32(1, 1, 2, a2, b2, r, PTK_VMAD_SAT | PTK_VMAD_NOGEMV, 2, false);
  CHECK_DBL(r[0], FLT_MAX, 0);
  matmul_f32(1, 1, 2, a2, b2, r, PTK_VMAD_NOSAT | PTK_VMAD_NOGEMV, 2, false);
  CHECK(isnan(r[0]));
  float a3[2] = {FLT_MAX, FLT_MAX}, b3[2] = {2.0f, 2.0f};
  matmul_f32(1, 1, 2, a3, b3, r, PTK_VMAD_SAT | PTK_VMAD_NOGEMV, 2, false);
  CHECK_DBL(r[0], FLT_MAX, 0);
  matmul_f32(1, 1, 2, a3, b3, r, PTK_VMAD_NOGEMV, 2, false);
  CHECK(isinf(r[0]));
}

TEST(cube_mad_tf32_rounding) {
  /* 1 + 2^-11 (a tie at TF32's 10 mantissa bits) and 1 + 3 * 2^-12 */
  float a[2] = {1.0f + 0x1p-11f, 1.0f + 3 * 0x1p-12f}, b[2] = {1.0f, 0.0f}, r[1];
  matmul_f32(1, 1, 2, a, b, r, PTK_VMAD_NOGEMV, 0, false);
  CHECK_DBL(r[0], 1.0f, 0); /* ties to even */
  matmul_f32(1, 1, 2, a, b, r, PTK_VMAD_NOGEMV, 1, false);
  CHECK_DBL(r[0], 1.0f + 0x1p-10f, 0); /* ties away */
  b[0] = 0.0f, b[1] = 1.0f;
  matmul_f32(1, 1, 2, a, b, r, PTK_VMAD_NOGEMV, 0, false);
  CHECK_DBL(r[0], 1.0f + 0x1p-10f, 0); /* above the tie rounds up */
  matmul_f32(1, 1, 2, a, b, r, PTK_VMAD_NOGEMV, 2, false);
  CHECK_DBL(r[0], 1.0f + 3 * 0x1p-12f, 0); /* no tf32_mode: exact */
}

TEST(cube_mad_gemv_acc_bias_int) {
  clear();
  ptk_vptr none = {NULL, 0, 0};
  /* GEMV: m = 1 without disable_gemv reads L0A as a contiguous row */
  for (int kk = 0; kk < 32; kk++) u16put(l0a, kk, ptk_f32_to_f16((float)(kk % 5)));
  for (int kk = 0; kk < 32; kk++)
    for (int j = 0; j < 16; j++) /* ZN [32, 16]: (k, n) at ((k/16)*16 + n)*32 + (k%16)*2 */
      u16put(l0b, (((kk / 16) * 16 + j) * 32 + (kk % 16) * 2) / 2, ptk_f32_to_f16(kk == j ? 1.0f : 0.0f));
  CHECK_INT(ptk_v_mad(0, PTK_ISA_F16, PTK_ISA_F16, PTK_ISA_F32, PM(l0a), PM(l0b), PM(l0c), none, 1, 16, 32, 0, 2), 0);
  for (int j = 0; j < 16; j++) CHECK_DBL(f32at(l0c, j), (float)(j % 5), 0);
  /* mad_acc adds the old value; mad_bias adds bias[n] */
  CHECK_INT(ptk_v_mad(1, PTK_ISA_F16, PTK_ISA_F16, PTK_ISA_F32, PM(l0a), PM(l0b), PM(l0c), none, 1, 16, 32, 0, 2), 0);
  for (int j = 0; j < 16; j++) CHECK_DBL(f32at(l0c, j), 2.0f * (float)(j % 5), 0);
  for (int j = 0; j < 16; j++) f32put(bt, j, 100.0f + (float)j);
  CHECK_INT(ptk_v_mad(2, PTK_ISA_F16, PTK_ISA_F16, PTK_ISA_F32, PM(l0a), PM(l0b), PM(l0c), PM(bt), 1, 16, 32, 0, 2), 0);
  for (int j = 0; j < 16; j++) CHECK_DBL(f32at(l0c, j), 100.0f + (float)j + (float)(j % 5), 0);
  /* i8 x i8 -> i32 wraps; u8 is unsigned */
  clear();
  for (int kk = 0; kk < 32; kk++) l0a[kk] = (uint8_t)(int8_t)-128; /* m = 1 GEMV row */
  for (int kk = 0; kk < 32; kk++) l0b[((kk / 32) * 16 + 0) * 32 + kk % 32] = (uint8_t)(int8_t)-128;
  CHECK_INT(ptk_v_mad(0, PTK_ISA_I8, PTK_ISA_I8, PTK_ISA_I32, PM(l0a), PM(l0b), PM(l0c), none, 1, 1, 32, 0, 2), 0);
  int32_t v;
  memcpy(&v, l0c, 4);
  CHECK_INT(v, 32 * 16384);
  CHECK_INT(ptk_v_mad(0, PTK_ISA_U8, PTK_ISA_U8, PTK_ISA_I32, PM(l0a), PM(l0b), PM(l0c), none, 1, 1, 32, 0, 2), 0);
  memcpy(&v, l0c, 4);
  CHECK_INT(v, 32 * 16384);
  /* unsupported type pairs and bounds */
  CHECK_INT(ptk_v_mad(0, PTK_ISA_F16, PTK_ISA_F32, PTK_ISA_F32, PM(l0a), PM(l0b), PM(l0c), none, 1, 1, 32, 0, 2),
            PTK_ISA_EARG);
  CHECK(has("not supported"));
  CHECK_INT(ptk_v_mad(0, (ptk_isa_dtype)32, (ptk_isa_dtype)32, PTK_ISA_F32, PM(l0a), PM(l0b), PM(l0c), none, 1, 1,
                      32, 0, 2),
            PTK_ISA_EARG);
  CHECK(has("8-bit float"));
  CHECK_INT(ptk_v_mad(0, PTK_ISA_F32, PTK_ISA_F32, PTK_ISA_F32, P(l0a, 64, 0), PM(l0b), PM(l0c), none, 16, 16, 16,
                      0, 2),
            PTK_ISA_ESHAPE);
  CHECK(has("left (l0a)"));
  CHECK_INT(ptk_v_mad(2, PTK_ISA_F32, PTK_ISA_F32, PTK_ISA_F32, PM(l0a), PM(l0b), PM(l0c), none, 1, 16, 8, 0, 2),
            PTK_ISA_ESHAPE);
  CHECK(has("bias (bt)"));
  CHECK_INT(ptk_v_mad(0, PTK_ISA_F32, PTK_ISA_F32, PTK_ISA_F32, PM(l0a), PM(l0b), PM(l0c), none, 0, 16, 8, 0, 2),
            PTK_ISA_EARG);
}

/* Clause positions as the lowering packs them (operand index + 1 | count << 5). */
static int64_t at(int clause, int operand, int count) {
  return (int64_t)((operand + 1) | (count << 5)) << (8 * clause);
}
static int64_t fbits(double d) {
  int64_t b;
  memcpy(&b, &d, sizeof b);
  return b;
}

TEST(cube_fixpipe_stages) {
  clear();
  /* L0C 2 x 20 (Mp 16): values -3, 1e5, NaN, 0.5 * j */
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 20; j++) {
      float v = j == 0 ? -3.0f : j == 1 ? 1e5f : j == 2 ? NAN : 0.5f * (float)j + (float)i;
      f32put(l0c, (((j / 16) * 16 + i) * 64 + (j % 16) * 4) / 4, v);
    }
  /* ub, nz2nd, quant qf322f16_pre_scalar(2), relu scalar (0.25) and clip 7, sat; dst_mode(0) */
  int64_t x[9] = {2, 20, 16, 24, 0, fbits(2.0), fbits(0.25), fbits(7.0)};
  int64_t pos = at(5, 6, 1) | at(0, 7, 1) | at(1, 8, 2);
  CHECK_INT(ptk_v_fixpipe_rec(1, PM(l0c), PM(ub), PTK_ISA_F32, PTK_ISA_F16, x, 8, 1 | 4, pos, 2, 2, 3, 2, 0), 0);
  CHECK_DBL(ptk_f16_to_f32(u16at(ub, 0)), -1.5, 0);     /* -3 * 2 * 0.25 */
  CHECK_DBL(ptk_f16_to_f32(u16at(ub, 1)), 7.0, 0);      /* clipped */
  CHECK_UINT(u16at(ub, 2), 0);                          /* sat: NaN -> 0 */
  CHECK_DBL(ptk_f16_to_f32(u16at(ub, 24 + 3)), 5.0, 0); /* row 1 at dst_stride 24: (1.5 + 1) * 2 */
  /* no relu, no clip: sat clamps 2e5 to 65504, nosat gives inf, preserve_nan keeps NaN */
  pos = at(5, 6, 1) | at(0, 7, 1);
  CHECK_INT(ptk_v_fixpipe_rec(1, PM(l0c), PM(ub), PTK_ISA_F32, PTK_ISA_F16, x, 8, 1 | 4, pos, 2, 63, 3, 2, 0), 0);
  CHECK_UINT(u16at(ub, 1), 0x7bff);
  CHECK_INT(ptk_v_fixpipe_rec(1, PM(l0c), PM(ub), PTK_ISA_F32, PTK_ISA_F16, x, 8, 2 | 4, pos, 2, 63, 3, 2, 0), 0);
  CHECK_UINT(u16at(ub, 1), 0x7c00);
  CHECK((u16at(ub, 2) & 0x7c00) == 0x7c00 && (u16at(ub, 2) & 0x3ff));
  CHECK_INT(ptk_v_fixpipe_rec(1, PM(l0c), PM(ub), PTK_ISA_F32, PTK_ISA_F16, x, 8, 1 | 4, pos, 2, 63, 3, 2, 1), 0);
  CHECK_UINT(u16at(ub, 1), 0x7bff);
  CHECK((u16at(ub, 2) & 0x7c00) == 0x7c00 && (u16at(ub, 2) & 0x3ff));
  /* normal relu on f32, NZ writeback (no nz2nd): groups of 8 columns at dst_stride 40 elements */
  memset(ub, 0, sizeof ub);
  int64_t y[6] = {2, 20, 16, 40, 0, 0};
  CHECK_INT(ptk_v_fixpipe_rec(2, PM(l0c), PM(ub), PTK_ISA_F32, PTK_ISA_F32, y, 4, 0, at(1, 6, 0), 63, 1, 3, 2, 0), 0);
  CHECK_DBL(f32at(ub, 0), 0.0, 0);                 /* relu(-3) */
  CHECK_DBL(f32at(ub, 8 + 3), 2.5, 0);              /* row 1, column 3 */
  CHECK_DBL(f32at(ub, 2 * 40 + 8 + 19 % 8), 10.5, 0); /* group 2, row 1, column 19 */
  CHECK(isnan(f32at(ub, 2)));                        /* relu keeps NaN */
  /* loop3: two repeats, the source 16 * 32 bytes further, the destination 100 elements */
  memset(ub, 0, sizeof ub);
  int64_t z[7] = {1, 1, 16, 1, 2, 16, 100};
  CHECK_INT(ptk_v_fixpipe_rec(2, PM(l0c), PM(ub), PTK_ISA_F32, PTK_ISA_F32, z, 7, 4, at(4, 6, 3), 63, 63, 3, 2, 0), 0);
  CHECK_DBL(f32at(ub, 0), -3.0, 0);
  CHECK_DBL(f32at(ub, 100), f32at(l0c, 16 * 32 / 4), 0);
}

TEST(cube_fixpipe_atomic_and_errors) {
  clear();
  f32put(l0c, 0, 5.0f);
  f32put(gm, 0, 2.0f);
  int64_t x[6] = {1, 1, 16, 1, 0, 0};
  CHECK_INT(ptk_v_fixpipe_rec(0, PM(l0c), PM(gm), PTK_ISA_F32, PTK_ISA_F32, x, 6, 4, 0, 63, 63, 0, 2, 0), 0);
  CHECK_DBL(f32at(gm, 0), 7.0, 0);
  CHECK_INT(ptk_v_fixpipe_rec(0, PM(l0c), PM(gm), PTK_ISA_F32, PTK_ISA_F32, x, 6, 4, 0, 63, 63, 2, 2, 0), 0);
  CHECK_DBL(f32at(gm, 0), 5.0, 0);
  CHECK_INT(ptk_v_fixpipe_rec(0, PM(l0c), PM(gm), PTK_ISA_F32, PTK_ISA_F32, x, 6, 4, 0, 63, 63, 1, 2, 0), 0);
  CHECK_DBL(f32at(gm, 0), 5.0, 0);
  /* nz2dn, split modes, sub-block 1, a destination too small (nothing written) */
  CHECK_INT(ptk_v_fixpipe_rec(0, PM(l0c), PM(gm), PTK_ISA_F32, PTK_ISA_F32, x, 6, 0, at(2, 6, 1), 63, 63, 3, 2, 0),
            PTK_ISA_EARG);
  CHECK(has("nz2dn"));
  CHECK_INT(ptk_v_fixpipe_rec(1, PM(l0c), PM(ub), PTK_ISA_F32, PTK_ISA_F32, x, 4, 4, 0, 63, 63, 3, 0, 0), PTK_ISA_EARG);
  CHECK(has("split_m"));
  int64_t s1[5] = {1, 1, 16, 1, 1};
  CHECK_INT(ptk_v_fixpipe_rec(1, PM(l0c), PM(ub), PTK_ISA_F32, PTK_ISA_F32, s1, 5, 4, at(5, 6, 1), 63, 63, 3, 2, 0),
            PTK_ISA_EARG);
  CHECK(has("sub-block 0"));
  int64_t lots[9] = {4096, 4096, 0, 0, 0, 0, 65536, 0, 0};
  CHECK_INT(ptk_v_fixpipe_rec(0, PM(l0c), PM(gm), PTK_ISA_F32, PTK_ISA_F32, lots, 9, 4, at(4, 8, 3), 63, 63, 3, 2, 0),
            PTK_ISA_EARG);
  CHECK(has("more than"));
  int64_t big[6] = {16, 16, 16, 16, 0, 0};
  memset(gm, 0x5A, 64);
  CHECK_INT(ptk_v_fixpipe_rec(0, PM(l0c), P(gm, 64, 0), PTK_ISA_F32, PTK_ISA_F32, big, 6, 4, 0, 63, 63, 3, 2, 0),
            PTK_ISA_ESHAPE);
  CHECK(has("destination bytes"));
  for (int i = 0; i < 64; i++) CHECK_UINT(gm[i], 0x5A);
  CHECK_INT(ptk_v_fixpipe_rec(0, PM(l0c), PM(gm), PTK_ISA_F32, PTK_ISA_I32, x, 6, 4, 0, 63, 63, 3, 2, 0), PTK_ISA_EARG);
}

TEST(cube_l1_l0_transpose_start_and_cbuf) {
  clear();
  /* L1 NZ [4, 20] f16 (Rp 16): element (r, c) = r * 100 + c; a 2 x 3 tile from (1, 17) */
  for (int r = 0; r < 4; r++)
    for (int c = 0; c < 20; c++) u16put(l1, (((c / 16) * 16 + r) * 32 + (c % 16) * 2) / 2, (uint16_t)(r * 100 + c));
  CHECK_INT(ptk_v_l1_l0(false, PM(l1), PM(l0a), 2, false, 2, 3, 1, 17), 0);
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 3; j++) CHECK_UINT(u16at(l0a, (i * 32 + j * 2) / 2), (unsigned)((1 + i) * 100 + 17 + j));
  /* transpose into L0A: destination (i, j) = source (j, i) */
  memset(l0a, 0, sizeof l0a);
  CHECK_INT(ptk_v_l1_l0(false, PM(l1), PM(l0a), 2, true, 3, 4, 0, 0), 0);
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 4; j++) CHECK_UINT(u16at(l0a, (i * 32 + j * 2) / 2), (unsigned)(j * 100 + i));
  CHECK_INT(ptk_v_l1_l0(true, P(l1, 32, 0), PM(l0b), 2, true, 4, 20, 0, 0), PTK_ISA_ESHAPE);
  CHECK(has("pto.mte_l1_l0b: source"));
  /* load_cbuf_to_ca: 512-byte fractals */
  CHECK_INT(ptk_v_load_cbuf_to_ca(PM(l1), PM(l0b), 0, 1, 1, 1, 1, 1), 0);
  CHECK_INT(memcmp(l0b, l1 + 512, 512), 0);
  /* copy_cbuf_to_ubuf / mte_l1_ub: 32-byte units and gaps */
  memset(ub, 0, sizeof ub);
  CHECK_INT(ptk_v_cbuf_ubuf(0, PM(l1), PM(ub), 0, 2, 1, 1, 0), 0);
  CHECK_INT(memcmp(ub, l1, 32), 0);
  CHECK_INT(memcmp(ub + 32, l1 + 64, 32), 0);
  CHECK_INT(ptk_v_cbuf_ubuf(1, PM(ub), PM(l1), 1, 2, 1, 1, 0), 0); /* sub-block 1: no effect */
  int64_t xc[4] = {2, 2, 1, 0};
  memset(ub, 0, sizeof ub);
  CHECK_INT(ptk_v_cube_copy_rec(PTK_VCUBE_L1_UB, PM(l1), PM(ub), xc, 4, 0), 0);
  CHECK_INT(memcmp(ub, l1, 64), 0);
  CHECK_INT(memcmp(ub + 64, l1 + 96, 64), 0);
  /* mte_gm_l1: bytes, start-to-start */
  for (int i = 0; i < 64; i++) gm[i] = (uint8_t)i;
  int64_t xg[4] = {4, 3, 10, 8};
  CHECK_INT(ptk_v_cube_copy_rec(PTK_VCUBE_GM_L1, PM(gm), PM(l1), xg, 4, 0), 0);
  CHECK_UINT(l1[8], 10);
  CHECK_UINT(l1[19], 23);
}

TEST(cube_bias_and_param_loads) {
  clear();
  for (int i = 0; i < 8; i++) u16put(l1, i, ptk_f32_to_f16((float)i - 2.5f));
  int64_t x[4] = {2, 2, 1, 0}; /* 2 bursts of 2 values, source gap 1 */
  CHECK_INT(ptk_v_cube_param_rec(PTK_VCUBE_L1_BT, PM(l1), PM(bt), PTK_ISA_F16, PTK_ISA_F32, x, 4), 0);
  CHECK_DBL(f32at(bt, 0), -2.5, 0);
  CHECK_DBL(f32at(bt, 1), -1.5, 0);
  CHECK_DBL(f32at(bt, 2), 0.5, 0);
  CHECK_DBL(f32at(bt, 3), 1.5, 0);
  CHECK_INT(ptk_v_cube_param_rec(PTK_VCUBE_L1_BT, PM(l1), PM(bt), PTK_ISA_F16, PTK_ISA_F16, x, 4), PTK_ISA_EARG);
  int64_t y[4] = {1, 1, 0, 0};
  for (int i = 0; i < 64; i++) l1[i] = (uint8_t)(i + 1);
  CHECK_INT(ptk_v_cube_param_rec(PTK_VCUBE_L1_FB, PM(l1), PM(bt), PTK_ISA_U32, PTK_ISA_F32, y, 4), 0);
  CHECK_INT(memcmp(bt, l1, 64), 0);
}
