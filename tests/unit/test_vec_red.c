/* VPTO reductions (runtime/isa/v_red.h): vcadd (widening integer sums,
 * f16, the tree order), vcmax/vcmin (value + index, ties, NaN, inactive
 * lanes), vcbmax/vcbmin, vcgadd/vcgmax/vcgmin (goldens reduction/vcg-group,
 * vcgmax-tie, vcgmin-tie), vcpadd (golden reduction/vcpadd: pair sums), and
 * replays of the corpus cases vcadd and vcg-group. */
#include <math.h>

#include "tests/unit/vec_pred_util.h"

static void fill_f32(ptk_vreg *v, const float *x, int n) {
  memset(v->b, 0, sizeof v->b);
  for (int i = 0; i < n; i++) vt_set_f32(v, i, x[i]);
}

TEST(vcadd_f32_tree_and_mask) {
  ptk_vreg v, r;
  ptk_vmask all = vt_all(4);
  float x[64];
  for (int i = 0; i < 64; i++) x[i] = (float)(i + 1);
  fill_f32(&v, x, 64);
  CHECK_INT(ptk_v_reduce(PTK_V_RADD, PTK_ISA_F32, &r, &v, &all), 0);
  CHECK_DBL(vt_f32(&r, 0), 2080.0, 0);
  for (int i = 1; i < 64; i++) CHECK_UINT(vt_u32(&r, i), 0);
  /* association: (1e8 + 1) + (-1e8 + 1) in the tree = 0 (sequential: 1) */
  float y[64] = {1e8f, 1.0f, -1e8f, 1.0f};
  fill_f32(&v, y, 64);
  ptk_v_reduce(PTK_V_RADD, PTK_ISA_F32, &r, &v, &all);
  CHECK_DBL(vt_f32(&r, 0), 0.0, 0);
  /* tail mask: first 5 lanes of 1..64 */
  fill_f32(&v, x, 64);
  ptk_vmask m5 = vt_prefix(5, 4);
  ptk_v_reduce(PTK_V_RADD, PTK_ISA_F32, &r, &v, &m5);
  CHECK_DBL(vt_f32(&r, 0), 15.0, 0);
  /* all inactive: +0 */
  ptk_vmask none = vt_prefix(0, 4);
  ptk_v_reduce(PTK_V_RADD, PTK_ISA_F32, &r, &v, &none);
  CHECK_UINT(vt_u32(&r, 0), 0);
  /* inf + -inf = NaN, NaN propagates */
  float z[64] = {INFINITY, -INFINITY};
  fill_f32(&v, z, 64);
  ptk_v_reduce(PTK_V_RADD, PTK_ISA_F32, &r, &v, &all);
  CHECK(isnan(vt_f32(&r, 0)));
  /* in place */
  fill_f32(&v, x, 64);
  ptk_v_reduce(PTK_V_RADD, PTK_ISA_F32, &v, &v, &all);
  CHECK_DBL(vt_f32(&v, 0), 2080.0, 0);
}

TEST(vcadd_integer_widening) {
  ptk_vreg v, r;
  /* i8: 256 x -128 = -32768 as i16 */
  memset(v.b, 0x80, 256);
  ptk_vmask all8 = vt_all(1);
  CHECK_INT(ptk_v_reduce(PTK_V_RADD, PTK_ISA_I8, &r, &v, &all8), 0);
  CHECK_INT((int16_t)vt_u16(&r, 0), -32768);
  for (int i = 1; i < 128; i++) CHECK_UINT(vt_u16(&r, i), 0);
  /* u8: 256 x 255 = 65280 as u16 */
  memset(v.b, 0xff, 256);
  ptk_v_reduce(PTK_V_RADD, PTK_ISA_U8, &r, &v, &all8);
  CHECK_UINT(vt_u16(&r, 0), 65280);
  /* the same bytes as i8: 256 x -1 */
  ptk_v_reduce(PTK_V_RADD, PTK_ISA_I8, &r, &v, &all8);
  CHECK_INT((int16_t)vt_u16(&r, 0), -256);
  CHECK_INT(ptk_v_vcadd_dtype(PTK_ISA_I8), PTK_ISA_I16);
  CHECK_INT(ptk_v_vcadd_dtype(PTK_ISA_U16), PTK_ISA_U32);
  CHECK_INT(ptk_v_vcadd_dtype(PTK_ISA_I32), PTK_ISA_I32);
  /* i16: 128 x 32767 as i32 (no wrap) */
  for (int i = 0; i < 128; i++) ptk_vp_seti(&v, PTK_ISA_I16, i, 32767);
  ptk_vmask all16 = vt_all(2);
  ptk_v_reduce(PTK_V_RADD, PTK_ISA_I16, &r, &v, &all16);
  CHECK_UINT(vt_u32(&r, 0), 128u * 32767u);
  /* u16 with a partial mask */
  ptk_vmask m3 = vt_prefix(3, 2);
  ptk_v_reduce(PTK_V_RADD, PTK_ISA_U16, &r, &v, &m3);
  CHECK_UINT(vt_u32(&r, 0), 3u * 32767u);
  /* i32 wraps: 64 x INT32_MAX */
  for (int i = 0; i < 64; i++) ptk_vp_seti(&v, PTK_ISA_I32, i, INT32_MAX);
  ptk_vmask all32 = vt_all(4);
  ptk_v_reduce(PTK_V_RADD, PTK_ISA_I32, &r, &v, &all32);
  CHECK_UINT(vt_u32(&r, 0), (uint32_t)(64ull * 0x7fffffffull));
  CHECK_INT(ptk_v_reduce(PTK_V_RADD, PTK_ISA_F64, &r, &v, &all32), PTK_ISA_EDTYPE);
  CHECK_INT(ptk_v_reduce(PTK_V_RADD, PTK_ISA_I64, &r, &v, &all32), PTK_ISA_EDTYPE);
  CHECK_INT(ptk_v_reduce(42, PTK_ISA_I32, &r, &v, &all32), PTK_ISA_EARG);
}

TEST(vcadd_f16_rounds_once) {
  ptk_vreg v, r;
  ptk_vmask all = vt_all(2);
  /* 128 x 1.0009765625 (1 + 2^-10): exact sum 128.125, f16 spacing at 128
   * is 0.125 -> 128.125 exactly; per-step f16 rounding would lose it */
  for (int i = 0; i < 128; i++) ptk_vp_seti(&v, PTK_ISA_U16, i, 0x3c01);
  ptk_v_reduce(PTK_V_RADD, PTK_ISA_F16, &r, &v, &all);
  CHECK_DBL(ptk_f16_to_f32(vt_u16(&r, 0)), 128.125, 0);
  /* overflow to inf: 128 x 65504 */
  for (int i = 0; i < 128; i++) ptk_vp_seti(&v, PTK_ISA_U16, i, 0x7bff);
  ptk_v_reduce(PTK_V_RADD, PTK_ISA_F16, &r, &v, &all);
  CHECK_UINT(vt_u16(&r, 0), 0x7c00);
}

TEST(vcmax_vcmin) {
  ptk_vreg v, r;
  ptk_vmask all = vt_all(4);
  float x[64];
  for (int i = 0; i < 64; i++) x[i] = (float)((i * 37) % 64) - 20.0f;
  x[10] = 99.0f, x[50] = 99.0f; /* tie: first index */
  x[20] = NAN;                  /* NaN never wins */
  x[30] = -77.0f;
  fill_f32(&v, x, 64);
  CHECK_INT(ptk_v_reduce(PTK_V_RMAX, PTK_ISA_F32, &r, &v, &all), 0);
  CHECK_DBL(vt_f32(&r, 0), 99.0, 0);
  CHECK_UINT(vt_u32(&r, 1), 10);
  for (int i = 2; i < 64; i++) CHECK_UINT(vt_u32(&r, i), 0);
  ptk_v_reduce(PTK_V_RMIN, PTK_ISA_F32, &r, &v, &all);
  CHECK_DBL(vt_f32(&r, 0), -77.0, 0);
  CHECK_UINT(vt_u32(&r, 1), 30);
  /* mask excludes lane 10: the max is at 50 */
  ptk_vmask m = all;
  ptk_vmask_set(&m, 40, false);
  ptk_v_reduce(PTK_V_RMAX, PTK_ISA_F32, &r, &v, &m);
  CHECK_UINT(vt_u32(&r, 1), 50);
  /* all inactive: -inf / +inf, index 0 */
  ptk_vmask none = vt_prefix(0, 4);
  ptk_v_reduce(PTK_V_RMAX, PTK_ISA_F32, &r, &v, &none);
  CHECK_DBL(vt_f32(&r, 0), -INFINITY, 0);
  CHECK_UINT(vt_u32(&r, 1), 0);
  ptk_v_reduce(PTK_V_RMIN, PTK_ISA_F32, &r, &v, &none);
  CHECK_DBL(vt_f32(&r, 0), INFINITY, 0);
  /* -inf is a real value when active */
  float w[64];
  for (int i = 0; i < 64; i++) w[i] = -INFINITY;
  fill_f32(&v, w, 64);
  ptk_vmask tail = vt_prefix(64, 4);
  ptk_vmask_set(&tail, 0, false);
  ptk_v_reduce(PTK_V_RMAX, PTK_ISA_F32, &r, &v, &tail);
  CHECK_UINT(vt_u32(&r, 1), 1); /* first active lane */
  /* +0 beats -0 for max, -0 beats +0 for min */
  float zz[64] = {-0.0f, 0.0f};
  for (int i = 2; i < 64; i++) zz[i] = -1.0f;
  fill_f32(&v, zz, 64);
  ptk_v_reduce(PTK_V_RMAX, PTK_ISA_F32, &r, &v, &all);
  CHECK_UINT(vt_u32(&r, 0), 0);
  CHECK_UINT(vt_u32(&r, 1), 1);
  zz[0] = 0.0f, zz[1] = -0.0f;
  for (int i = 2; i < 64; i++) zz[i] = 1.0f;
  fill_f32(&v, zz, 64);
  ptk_v_reduce(PTK_V_RMIN, PTK_ISA_F32, &r, &v, &all);
  CHECK_UINT(vt_u32(&r, 0), 0x80000000u);
  CHECK_UINT(vt_u32(&r, 1), 1);
  /* i16: inactive lanes are the type's max for min */
  ptk_vmask all16 = vt_all(2);
  for (int i = 0; i < 128; i++) ptk_vp_seti(&v, PTK_ISA_I16, i, 1000 - i);
  ptk_v_reduce(PTK_V_RMIN, PTK_ISA_I16, &r, &v, &all16);
  CHECK_INT((int16_t)vt_u16(&r, 0), 1000 - 127);
  CHECK_UINT(vt_u16(&r, 1), 127);
  ptk_v_reduce(PTK_V_RMAX, PTK_ISA_U16, &r, &v, &all16);
  CHECK_UINT(vt_u16(&r, 0), 1000);
  ptk_vmask none16 = vt_prefix(0, 2);
  ptk_v_reduce(PTK_V_RMIN, PTK_ISA_I16, &r, &v, &none16);
  CHECK_UINT(vt_u16(&r, 0), 0x7fff);
  ptk_v_reduce(PTK_V_RMAX, PTK_ISA_I16, &r, &v, &none16);
  CHECK_UINT(vt_u16(&r, 0), 0x8000);
  ptk_v_reduce(PTK_V_RMIN, PTK_ISA_U32, &r, &v, &none);
  CHECK_UINT(vt_u32(&r, 0), 0xffffffffu);
  /* f16 */
  for (int i = 0; i < 128; i++) ptk_vp_seti(&v, PTK_ISA_U16, i, ptk_f32_to_f16((float)(i % 17)));
  ptk_v_reduce(PTK_V_RMAX, PTK_ISA_F16, &r, &v, &all16);
  CHECK_UINT(vt_u16(&r, 0), ptk_f32_to_f16(16.0f));
  CHECK_UINT(vt_u16(&r, 1), 16);
}

TEST(vcbmax_vcbmin) {
  ptk_vreg v, r;
  ptk_vmask all = vt_all(4), p;
  float x[64];
  for (int i = 0; i < 64; i++) x[i] = (float)(i % 10);
  fill_f32(&v, x, 64);
  CHECK_INT(ptk_v_reduce_b(1, PTK_ISA_F32, &r, &p, &v, &all), 0);
  CHECK_DBL(vt_f32(&r, 0), 9.0, 0);
  CHECK_UINT(vt_u32(&r, 1), 0);
  for (int i = 0; i < 64; i++) CHECK(ptk_vmask_lane(&p, i, 4) == (i % 10 == 9));
  ptk_vmask m = vt_prefix(25, 4);
  ptk_v_reduce_b(0, PTK_ISA_F32, &r, &p, &v, &m);
  CHECK_DBL(vt_f32(&r, 0), 0.0, 0);
  for (int i = 0; i < 64; i++) CHECK(ptk_vmask_lane(&p, i, 4) == (i < 25 && i % 10 == 0));
  /* +0 and -0 both match a zero extremum */
  float z[64];
  for (int i = 0; i < 64; i++) z[i] = i % 2 ? -0.0f : 0.0f;
  fill_f32(&v, z, 64);
  ptk_v_reduce_b(1, PTK_ISA_F32, &r, &p, &v, &all);
  CHECK_UINT(vt_word(&p, 0), 0x11111111);
  ptk_vmask none = vt_prefix(0, 4);
  ptk_v_reduce_b(1, PTK_ISA_F32, &r, &p, &v, &none);
  CHECK_UINT(vt_word(&p, 0), 0);
}

TEST(vcg_group_goldens) {
  /* golden reduction/vcg-group: 8 VLanes of 8 f32 */
  static const float src[64] = {
      -7.0f,  1.0f,   3.5f,  -2.0f,  9.0f,   -4.5f, 6.0f,  0.5f,  8.0f,  -1.0f, -3.0f,
      4.0f,   2.0f,   -6.0f, 5.5f,   7.0f,   -0.0f, 0.0f,  -5.0f, 5.0f,  11.0f, -12.0f,
      13.0f,  -14.0f, 1.25f, 2.25f,  3.25f,  4.25f, -8.0f, -9.0f, 10.0f, -10.0f, 15.0f,
      14.0f,  13.0f,  12.0f, -1.5f,  -2.5f,  -3.5f, -4.5f, -20.0f, -19.0f, -18.0f, -17.0f,
      16.0f,  15.5f,  14.5f, 13.5f,  0.25f,  -0.75f, 1.5f, -2.25f, 3.0f, -3.75f, 4.5f,
      -5.25f, 31.0f,  -32.0f, 33.0f, -34.0f, 35.0f, -36.0f, 37.0f, -38.0f};
  static const float add[8] = {6.5f, 16.5f, -2.0f, -6.0f, 42.0f, -14.5f, -2.75f, -4.0f};
  static const float mx[8] = {9.0f, 8.0f, 13.0f, 10.0f, 15.0f, 16.0f, 4.5f, 37.0f};
  static const float mn[8] = {-7.0f, -6.0f, -14.0f, -10.0f, -4.5f, -20.0f, -5.25f, -38.0f};
  ptk_vreg v, r;
  ptk_vmask all = vt_all(4);
  fill_f32(&v, src, 64);
  CHECK_INT(ptk_v_reduce(PTK_V_RGADD, PTK_ISA_F32, &r, &v, &all), 0);
  for (int g = 0; g < 8; g++) CHECK_DBL(vt_f32(&r, g), add[g], 0);
  for (int i = 8; i < 64; i++) CHECK_UINT(vt_u32(&r, i), 0);
  ptk_v_reduce(PTK_V_RGMAX, PTK_ISA_F32, &r, &v, &all);
  for (int g = 0; g < 8; g++) CHECK_DBL(vt_f32(&r, g), mx[g], 0);
  for (int i = 8; i < 64; i++) CHECK_UINT(vt_u32(&r, i), 0);
  ptk_v_reduce(PTK_V_RGMIN, PTK_ISA_F32, &r, &v, &all);
  for (int g = 0; g < 8; g++) CHECK_DBL(vt_f32(&r, g), mn[g], 0);
  /* golden vcgmax-tie / vcgmin-tie: repeated extremum per group */
  static const float tie[8] = {7.0f, 7.0f, -3.0f, 1.0f, 0.5f, -2.0f, 4.0f, 6.0f};
  float t[64];
  for (int i = 0; i < 64; i++) t[i] = tie[i % 8];
  fill_f32(&v, t, 64);
  ptk_v_reduce(PTK_V_RGMAX, PTK_ISA_F32, &r, &v, &all);
  for (int g = 0; g < 8; g++) CHECK_DBL(vt_f32(&r, g), 7.0, 0);
  /* partial mask (golden vcgadd-tail): a group with no active lane gives
   * 0 for the sum, -inf for max, +inf for min */
  ptk_vmask m = vt_prefix(20, 4);
  fill_f32(&v, src, 64);
  ptk_v_reduce(PTK_V_RGADD, PTK_ISA_F32, &r, &v, &m);
  CHECK_DBL(vt_f32(&r, 2), -0.0f + 0.0f - 5.0f + 5.0f, 0);
  CHECK_UINT(vt_u32(&r, 3), 0);
  ptk_v_reduce(PTK_V_RGMAX, PTK_ISA_F32, &r, &v, &m);
  CHECK_DBL(vt_f32(&r, 3), -INFINITY, 0);
  ptk_v_reduce(PTK_V_RGMIN, PTK_ISA_F32, &r, &v, &m);
  CHECK_DBL(vt_f32(&r, 3), INFINITY, 0);
  /* group 2 lanes 16, 17 hold -0 and +0: max +0, min -0 */
  ptk_vmask two = vt_prefix(18, 4);
  for (int i = 0; i < 16; i++) ptk_vmask_set(&two, 4 * i, false);
  ptk_v_reduce(PTK_V_RGMAX, PTK_ISA_F32, &r, &v, &two);
  CHECK_UINT(vt_u32(&r, 2), 0);
  ptk_v_reduce(PTK_V_RGMIN, PTK_ISA_F32, &r, &v, &two);
  CHECK_UINT(vt_u32(&r, 2), 0x80000000u);
  /* i16 groups of 16, wrapping sum */
  ptk_vmask all16 = vt_all(2);
  for (int i = 0; i < 128; i++) ptk_vp_seti(&v, PTK_ISA_I16, i, i < 16 ? 30000 : i);
  ptk_v_reduce(PTK_V_RGADD, PTK_ISA_I16, &r, &v, &all16);
  CHECK_INT((int16_t)vt_u16(&r, 0), (int16_t)(16 * 30000));
  CHECK_INT((int16_t)vt_u16(&r, 1), 16 * 16 + 120);
  ptk_v_reduce(PTK_V_RGMIN, PTK_ISA_I16, &r, &v, &all16);
  CHECK_INT((int16_t)vt_u16(&r, 7), 112);
  for (int i = 8; i < 128; i++) CHECK_UINT(vt_u16(&r, i), 0);
}

TEST(vcpadd_pairs) {
  /* golden reduction/vcpadd: dst[i] = src[2i] + src[2i+1], upper half 0 */
  ptk_vreg v, r;
  float x[64];
  for (int i = 0; i < 64; i++) x[i] = (float)i * 0.5f - 3.0f;
  fill_f32(&v, x, 64);
  ptk_vmask all = vt_all(4);
  CHECK_INT(ptk_v_reduce(PTK_V_RPADD, PTK_ISA_F32, &r, &v, &all), 0);
  for (int i = 0; i < 32; i++) CHECK_DBL(vt_f32(&r, i), x[2 * i] + x[2 * i + 1], 0);
  for (int i = 32; i < 64; i++) CHECK_UINT(vt_u32(&r, i), 0);
  /* golden vcpadd-tail: an inactive odd partner counts as 0 */
  ptk_vmask m = vt_prefix(7, 4);
  ptk_v_reduce(PTK_V_RPADD, PTK_ISA_F32, &r, &v, &m);
  CHECK_DBL(vt_f32(&r, 3), x[6], 0);
  CHECK_UINT(vt_u32(&r, 4), 0);
  /* f16: one correctly rounded add (2048 + 1 -> 2048, ties to even) */
  ptk_vmask all16 = vt_all(2);
  memset(v.b, 0, 256);
  ptk_vp_seti(&v, PTK_ISA_U16, 0, ptk_f32_to_f16(2048.0f));
  ptk_vp_seti(&v, PTK_ISA_U16, 1, ptk_f32_to_f16(1.0f));
  ptk_vp_seti(&v, PTK_ISA_U16, 2, ptk_f32_to_f16(2048.0f));
  ptk_vp_seti(&v, PTK_ISA_U16, 3, ptk_f32_to_f16(3.0f));
  ptk_v_reduce(PTK_V_RPADD, PTK_ISA_F16, &r, &v, &all16);
  CHECK_DBL(ptk_f16_to_f32(vt_u16(&r, 0)), 2048.0, 0);
  CHECK_DBL(ptk_f16_to_f32(vt_u16(&r, 1)), 2052.0, 0);
  CHECK_INT(ptk_v_reduce(PTK_V_RPADD, PTK_ISA_I32, &r, &v, &all), PTK_ISA_EDTYPE);
}

/* Corpus vcadd: 16 chunks of 64 f32 (plt_b32 over 1024), vcadd, vsts under
 * the mask: lane 0 of each chunk holds the sum, the rest 0. */
VT_CORPUS_TEST(corpus_vcadd) {
  size_t ni, ne;
  uint8_t *in = vt_npy("vcadd", "in/2_arg2.npy", &ni);
  uint8_t *ex = vt_npy("vcadd", "expected/3_arg3.npy", &ne);
  if (in && ex && CHECK(ni == 4096 && ne == 4096)) {
    int64_t rem = 1024;
    for (int off = 0; off < 1024; off += 64) {
      ptk_vmask m;
      ptk_vreg v, r;
      ptk_v_plt(&m, &rem, rem, 4);
      memcpy(v.b, in + 4 * off, 256);
      ptk_v_reduce(PTK_V_RADD, PTK_ISA_F32, &r, &v, &m);
      for (int i = 0; i < 64; i++) {
        float e;
        memcpy(&e, ex + 4 * (off + i), 4);
        float g = vt_f32(&r, i);
        if (!CHECK(fabsf(g - e) <= 1e-4f + 1e-4f * fabsf(e))) printf("  element %d\n", off + i);
      }
    }
  }
  free(in);
  free(ex);
}

/* Corpus vcg-group: one vector, vcgadd/vcgmax/vcgmin under PAT_ALL. */
VT_CORPUS_TEST(corpus_vcg_group) {
  static const char *const outs[3] = {"expected/1_dst_add.npy", "expected/2_dst_max.npy",
                                      "expected/3_dst_min.npy"};
  static const int ops[3] = {PTK_V_RGADD, PTK_V_RGMAX, PTK_V_RGMIN};
  size_t ni;
  uint8_t *in = vt_npy("vcg-group", "in/0_src.npy", &ni);
  if (!in || !CHECK(ni == 256)) {
    free(in);
    return;
  }
  ptk_vreg v, r;
  memcpy(v.b, in, 256);
  ptk_vmask all = vt_all(4);
  for (int k = 0; k < 3; k++) {
    size_t ne;
    uint8_t *ex = vt_npy("vcg-group", outs[k], &ne);
    if (!ex) continue;
    ptk_v_reduce(ops[k], PTK_ISA_F32, &r, &v, &all);
    CHECK(ne == 256 && memcmp(ex, r.b, 256) == 0); /* exact, including the zero tail */
    free(ex);
  }
  free(in);
}
