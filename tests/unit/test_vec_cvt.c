/* VPTO conversions (runtime/isa/v_cvt.h, v_cvt.c): every rounding mode,
 * saturation, NaN/inf, lane placement (EVEN/ODD, P0..P3), the low-precision
 * formats against the ptoas goldens (conversion/vcvt-low-precision-special,
 * -roundtrip: decoders, quantize pairs), vtrc, and replays of the corpus
 * cases vcvt-f32-to-f16, vcvt-i32-to-i16-overflow and vtrc-f32-rounding. */
#include <math.h>

#include "tests/unit/vec_pred_util.h"

static float bf(uint32_t u) { return ptk_bits_f32(u); }

/* One f32 through the element codec to a float format. */
static uint64_t f2f(float x, ptk_vc_fmt f, int rnd, bool sat) {
  return ptk_vc_to_float(ptk_vc_from_double(x), f, rnd, sat);
}

TEST(f32_to_f16_bf16_nearest_matches_fp_h) {
  /* R without SAT is exactly fp.h's conversion, NaN payloads included */
  uint64_t bad16 = 0, badb = 0;
  for (uint64_t u = 0; u <= 0xffffffffull; u += 4099) {
    float x = bf((uint32_t)u);
    if (f2f(x, PTK_VC_F16, PTK_V_RND_R, false) != ptk_f32_to_f16(x)) bad16++;
    if (f2f(x, PTK_VC_BF16, PTK_V_RND_R, false) != ptk_f32_to_bf16(x)) badb++;
  }
  static const uint32_t sp[] = {0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00001, 0xffa12345,
                                0x477ff000, 0x477fefff, 0x33000000, 0x33000001, 0x00000001,
                                0x387fc000, 0x7f7fffff};
  for (size_t k = 0; k < sizeof sp / sizeof sp[0]; k++) {
    bad16 += f2f(bf(sp[k]), PTK_VC_F16, PTK_V_RND_R, false) != ptk_f32_to_f16(bf(sp[k]));
    badb += f2f(bf(sp[k]), PTK_VC_BF16, PTK_V_RND_R, false) != ptk_f32_to_bf16(bf(sp[k]));
  }
  CHECK_UINT(bad16, 0);
  CHECK_UINT(badb, 0);
}

TEST(rounding_modes) {
  /* 1 + 2^-11 is halfway between f16 1.0 (0x3c00) and 1 + 2^-10 (0x3c01) */
  float t = 1.0f + 0x1p-11f, t3 = 1.0f + 3 * 0x1p-11f; /* 3: halfway 0x3c01/0x3c02 */
  struct {
    int rnd;
    uint16_t pos, neg, pos3;
  } c[] = {{PTK_V_RND_R, 0x3c00, 0xbc00, 0x3c02}, {PTK_V_RND_A, 0x3c01, 0xbc01, 0x3c02},
           {PTK_V_RND_F, 0x3c00, 0xbc01, 0x3c01}, {PTK_V_RND_C, 0x3c01, 0xbc00, 0x3c02},
           {PTK_V_RND_Z, 0x3c00, 0xbc00, 0x3c01}, {PTK_V_RND_O, 0x3c01, 0xbc01, 0x3c01}};
  for (size_t k = 0; k < sizeof c / sizeof c[0]; k++) {
    CHECK_UINT(f2f(t, PTK_VC_F16, c[k].rnd, false), c[k].pos);
    CHECK_UINT(f2f(-t, PTK_VC_F16, c[k].rnd, false), c[k].neg);
    CHECK_UINT(f2f(t3, PTK_VC_F16, c[k].rnd, false), c[k].pos3);
  }
  /* exact values never move, in any mode */
  for (int r = PTK_V_RND_R; r <= PTK_V_RND_O; r++) {
    CHECK_UINT(f2f(1.5f, PTK_VC_F16, r, false), 0x3e00);
    CHECK_UINT(f2f(-0.0f, PTK_VC_F16, r, false), 0x8000);
    CHECK_UINT(f2f(0x1p-24f, PTK_VC_F16, r, false), 0x0001); /* smallest subnormal */
  }
  /* below half the smallest subnormal */
  CHECK_UINT(f2f(0x1p-26f, PTK_VC_F16, PTK_V_RND_R, false), 0);
  CHECK_UINT(f2f(0x1p-26f, PTK_VC_F16, PTK_V_RND_C, false), 1);
  CHECK_UINT(f2f(-0x1p-26f, PTK_VC_F16, PTK_V_RND_F, false), 0x8001);
  CHECK_UINT(f2f(0x1p-25f, PTK_VC_F16, PTK_V_RND_A, false), 1);
  CHECK_UINT(f2f(0x1p-25f, PTK_VC_F16, PTK_V_RND_R, false), 0);
  /* overflow: inf unless the mode rounds toward zero; SAT clamps finite */
  CHECK_UINT(f2f(70000.0f, PTK_VC_F16, PTK_V_RND_R, false), 0x7c00);
  CHECK_UINT(f2f(70000.0f, PTK_VC_F16, PTK_V_RND_Z, false), 0x7bff);
  CHECK_UINT(f2f(70000.0f, PTK_VC_F16, PTK_V_RND_F, false), 0x7bff);
  CHECK_UINT(f2f(-70000.0f, PTK_VC_F16, PTK_V_RND_F, false), 0xfc00);
  CHECK_UINT(f2f(-70000.0f, PTK_VC_F16, PTK_V_RND_C, false), 0xfbff);
  CHECK_UINT(f2f(70000.0f, PTK_VC_F16, PTK_V_RND_R, true), 0x7bff);
  CHECK_UINT(f2f(-1e30f, PTK_VC_F16, PTK_V_RND_R, true), 0xfbff);
  CHECK_UINT(f2f(65519.0f, PTK_VC_F16, PTK_V_RND_R, false), 0x7bff);
  CHECK_UINT(f2f(65520.0f, PTK_VC_F16, PTK_V_RND_R, false), 0x7c00);
  /* golden vcvt-f32-special: SAT keeps inf and NaN for f16 */
  CHECK_UINT(f2f(INFINITY, PTK_VC_F16, PTK_V_RND_R, true), 0x7c00);
  CHECK_UINT(f2f(-INFINITY, PTK_VC_F16, PTK_V_RND_R, true), 0xfc00);
  CHECK((f2f(NAN, PTK_VC_F16, PTK_V_RND_R, true) & 0x7fff) > 0x7c00);
  /* f32 -> bf16 directed */
  CHECK_UINT(f2f(bf(0x3f808000), PTK_VC_BF16, PTK_V_RND_R, false), 0x3f80);
  CHECK_UINT(f2f(bf(0x3f818000), PTK_VC_BF16, PTK_V_RND_R, false), 0x3f82);
  CHECK_UINT(f2f(bf(0x3f808000), PTK_VC_BF16, PTK_V_RND_A, false), 0x3f81);
  CHECK_UINT(f2f(bf(0x3f800001), PTK_VC_BF16, PTK_V_RND_C, false), 0x3f81);
  CHECK_UINT(f2f(bf(0xbf800001), PTK_VC_BF16, PTK_V_RND_F, false), 0xbf81);
}

static ptk_vc_val iv(int64_t x) { return ptk_vc_from_int(x, false); }

TEST(float_to_int) {
  struct {
    float x;
    int64_t r, a, f, c, z;
  } c[] = {{2.5f, 2, 3, 2, 3, 2},     {-2.5f, -2, -3, -3, -2, -2}, {3.5f, 4, 4, 3, 4, 3},
           {-0.4f, 0, 0, -1, 0, 0},   {0.5f, 0, 1, 0, 1, 0},       {1e9f, 1000000000, 1000000000,
                                                                     1000000000, 1000000000, 1000000000}};
  for (size_t k = 0; k < sizeof c / sizeof c[0]; k++) {
    ptk_vc_val v = ptk_vc_from_double(c[k].x);
    CHECK_INT(ptk_vc_to_int(v, 32, false, PTK_V_RND_R, true), c[k].r);
    CHECK_INT(ptk_vc_to_int(v, 32, false, PTK_V_RND_A, true), c[k].a);
    CHECK_INT(ptk_vc_to_int(v, 32, false, PTK_V_RND_F, true), c[k].f);
    CHECK_INT(ptk_vc_to_int(v, 32, false, PTK_V_RND_C, true), c[k].c);
    CHECK_INT(ptk_vc_to_int(v, 32, false, PTK_V_RND_Z, true), c[k].z);
  }
  /* saturation and specials */
  CHECK_INT(ptk_vc_to_int(ptk_vc_from_double(3e9), 32, false, PTK_V_RND_R, true), INT32_MAX);
  CHECK_INT(ptk_vc_to_int(ptk_vc_from_double(-3e9), 32, false, PTK_V_RND_R, true), INT32_MIN);
  CHECK_INT(ptk_vc_to_int(ptk_vc_from_double(-INFINITY), 16, false, PTK_V_RND_R, true), -32768);
  CHECK_INT(ptk_vc_to_int(ptk_vc_from_double(INFINITY), 8, true, PTK_V_RND_R, true), 255);
  CHECK_INT(ptk_vc_to_int(ptk_vc_from_double(NAN), 32, false, PTK_V_RND_R, true), 0);
  CHECK_INT(ptk_vc_to_int(ptk_vc_from_double(-5.0), 8, true, PTK_V_RND_R, true), 0);
  CHECK_INT(ptk_vc_to_int(ptk_vc_from_double(1e30), 64, false, PTK_V_RND_R, true), INT64_MAX);
  CHECK_INT(ptk_vc_to_int(ptk_vc_from_double(-0x1p63), 64, false, PTK_V_RND_R, true), INT64_MIN);
  CHECK_INT(ptk_vc_to_int(ptk_vc_from_double(0x1p-80), 32, false, PTK_V_RND_C, true), 1);
  CHECK_INT(ptk_vc_to_int(ptk_vc_from_double(-0x1p-80), 32, false, PTK_V_RND_F, true), -1);
  CHECK_INT(ptk_vc_to_int(ptk_vc_from_double(0x1p-80), 32, false, PTK_V_RND_R, true), 0);
  /* integer -> integer: SAT clamps, NOSAT wraps */
  CHECK_INT(ptk_vc_to_int(iv(40000), 16, false, PTK_V_RND_R, true), 32767);
  CHECK_INT(ptk_vc_to_int(iv(40000), 16, false, PTK_V_RND_R, false), 40000 - 65536);
  CHECK_INT(ptk_vc_to_int(iv(-70000), 16, false, PTK_V_RND_R, false), (int16_t)-70000);
  CHECK_INT(ptk_vc_to_int(iv(-1), 16, true, PTK_V_RND_R, false), 65535);
  CHECK_INT(ptk_vc_to_int(iv(-1), 16, true, PTK_V_RND_R, true), 0);
  CHECK_INT(ptk_vc_to_int(ptk_vc_from_int(-1, true), 32, false, PTK_V_RND_R, true), INT32_MAX);
  CHECK_INT(ptk_vc_to_int(iv(INT64_MIN), 64, false, PTK_V_RND_R, false), INT64_MIN);
  CHECK_INT(ptk_vc_to_int(iv(INT64_MIN), 32, false, PTK_V_RND_R, true), INT32_MIN);
}

TEST(int_to_float) {
  /* i32 -> f32 rounds to nearest even, other modes as asked */
  CHECK_UINT(ptk_vc_to_float(iv(16777217), PTK_VC_F32, PTK_V_RND_R, false), ptk_f32_bits(16777216.0f));
  CHECK_UINT(ptk_vc_to_float(iv(16777219), PTK_VC_F32, PTK_V_RND_R, false), ptk_f32_bits(16777220.0f));
  CHECK_UINT(ptk_vc_to_float(iv(16777219), PTK_VC_F32, PTK_V_RND_Z, false), ptk_f32_bits(16777218.0f));
  CHECK_UINT(ptk_vc_to_float(iv(-16777219), PTK_VC_F32, PTK_V_RND_F, false), ptk_f32_bits(-16777220.0f));
  CHECK_UINT(ptk_vc_to_float(iv(0), PTK_VC_F32, PTK_V_RND_R, false), 0);
  /* i64 -> f32 over a sweep of magnitudes against the host's (nearest-even) cast */
  uint64_t bad = 0;
  uint64_t x = 1;
  for (int k = 0; k < 2000; k++, x = x * 3 + (uint64_t)k) { /* wraps: every magnitude */
    int64_t y = (int64_t)x;
    if (ptk_vc_to_float(iv(y), PTK_VC_F32, PTK_V_RND_R, false) != ptk_f32_bits((float)y)) bad++;
  }
  CHECK_UINT(bad, 0);
  CHECK_UINT(ptk_vc_to_float(iv(INT64_MIN), PTK_VC_F32, PTK_V_RND_R, false), 0xdf000000u);
  /* i16 -> f16: 2049 ties to 2048, 65535 (u16) overflows f16 */
  CHECK_UINT(ptk_vc_to_float(iv(2049), PTK_VC_F16, PTK_V_RND_R, false), 0x6800);
  CHECK_UINT(ptk_vc_to_float(ptk_vc_from_int(65535, true), PTK_VC_F16, PTK_V_RND_R, false), 0x7c00);
  CHECK_UINT(ptk_vc_to_float(ptk_vc_from_int(65535, true), PTK_VC_F16, PTK_V_RND_R, true), 0x7bff);
}

TEST(lane_placement_f32_f16) {
  /* golden vcvt-f32-to-f16: EVEN from the low 64, ODD from the high 64, vor */
  ptk_vreg lo, hi, e, o;
  for (int i = 0; i < 64; i++) {
    vt_set_f32(&lo, i, (float)i + 0.25f);
    vt_set_f32(&hi, i, -(float)i - 0.5f);
  }
  ptk_vmask all32 = vt_all(4);
  CHECK_INT(ptk_v_cvt(PTK_ISA_F32, PTK_ISA_F16, PTK_V_RND_R, true, 0, &e, &lo, &all32), 0);
  CHECK_INT(ptk_v_cvt(PTK_ISA_F32, PTK_ISA_F16, PTK_V_RND_R, true, 1, &o, &hi, &all32), 0);
  for (int i = 0; i < 64; i++) {
    CHECK_UINT(vt_u16(&e, 2 * i), ptk_f32_to_f16((float)i + 0.25f));
    CHECK_UINT(vt_u16(&e, 2 * i + 1), 0);
    CHECK_UINT(vt_u16(&o, 2 * i), 0);
    CHECK_UINT(vt_u16(&o, 2 * i + 1), ptk_f32_to_f16(-(float)i - 0.5f));
  }
  /* golden vcvt-f16-to-f32(-part-odd): EVEN reads lanes 2i, ODD lanes 2i+1 */
  ptk_vreg h, w;
  for (int i = 0; i < 128; i++) ptk_vp_seti(&h, PTK_ISA_U16, i, ptk_f32_to_f16((float)i));
  ptk_vmask all16 = vt_all(2);
  ptk_v_cvt(PTK_ISA_F16, PTK_ISA_F32, PTK_V_RND_R, false, 1, &w, &h, &all16);
  for (int i = 0; i < 64; i++) CHECK_DBL(vt_f32(&w, i), 2 * i + 1, 0);
  ptk_v_cvt(PTK_ISA_F16, PTK_ISA_F32, PTK_V_RND_R, false, 0, &w, &h, &all16);
  for (int i = 0; i < 64; i++) CHECK_DBL(vt_f32(&w, i), 2 * i, 0);
  /* a partial source mask zeroes the inactive results */
  ptk_vmask m = vt_prefix(5, 4);
  ptk_v_cvt(PTK_ISA_F32, PTK_ISA_F16, PTK_V_RND_R, false, 1, &o, &hi, &m);
  CHECK_UINT(vt_u16(&o, 9), ptk_f32_to_f16(-4.5f));
  CHECK_UINT(vt_u16(&o, 11), 0);
  ptk_vmask m16 = vt_prefix(7, 2); /* widening: the mask of the source lanes */
  ptk_v_cvt(PTK_ISA_F16, PTK_ISA_F32, PTK_V_RND_R, false, 0, &w, &h, &m16);
  CHECK_DBL(vt_f32(&w, 3), 6, 0);
  CHECK_UINT(vt_u32(&w, 4), 0);
  /* in place */
  ptk_v_cvt(PTK_ISA_F32, PTK_ISA_F16, PTK_V_RND_R, false, 0, &lo, &lo, &all32);
  CHECK_UINT(vt_u16(&lo, 2), ptk_f32_to_f16(1.25f));
  /* errors */
  CHECK_INT(ptk_v_cvt(PTK_ISA_F32, PTK_ISA_F16, PTK_V_RND_R, false, 2, &o, &hi, &all32), PTK_ISA_EARG);
  CHECK_INT(ptk_v_cvt(PTK_ISA_F32, PTK_ISA_F16, 9, false, 0, &o, &hi, &all32), PTK_ISA_EARG);
  CHECK_INT(ptk_v_cvt(PTK_ISA_I1, PTK_ISA_F16, PTK_V_RND_R, false, 0, &o, &hi, &all32), PTK_ISA_EDTYPE);
  CHECK_INT(ptk_v_cvt(PTK_ISA_F32, PTK_V_F4E2M1X2, PTK_V_RND_R, false, 0, &o, &hi, &all32),
            PTK_ISA_EDTYPE);
  CHECK_INT(ptk_v_cvt(99, PTK_ISA_F32, PTK_V_RND_R, false, 0, &o, &hi, &all32), PTK_ISA_EDTYPE);
}

TEST(integer_narrowing_goldens) {
  /* golden vcvt-i32-to-i16-overflow edges, SAT, EVEN */
  static const int32_t edge[16] = {-40000, -32769, -32768, -32767, -1,    0,      1,      32766,
                                   32767,  32768,  40000,  70000,  -70000, 65535, -65535, 123456};
  ptk_vreg s, d;
  memset(s.b, 0, 256);
  for (int i = 0; i < 16; i++) ptk_vp_seti(&s, PTK_ISA_I32, i, edge[i]);
  ptk_vmask all = vt_all(4);
  ptk_v_cvt(PTK_ISA_I32, PTK_ISA_I16, PTK_V_RND_R, true, 0, &d, &s, &all);
  for (int i = 0; i < 16; i++) {
    int32_t w = edge[i] < -32768 ? -32768 : edge[i] > 32767 ? 32767 : edge[i];
    CHECK_INT((int16_t)vt_u16(&d, 2 * i), w);
  }
  ptk_v_cvt(PTK_ISA_I32, PTK_ISA_I16, PTK_V_RND_R, false, 1, &d, &s, &all);
  for (int i = 0; i < 16; i++) CHECK_INT((int16_t)vt_u16(&d, 2 * i + 1), (int16_t)edge[i]);
  /* golden vcvt-u32-to-u8-part-p0123: four parts, SAT, merged with vor */
  static const uint32_t u[21] = {0,   1,   2,   3,   4,   7,   15,  31,   63,    127,       128,
                                 129, 254, 255, 256, 257, 511, 512, 1023, 65535, 0xffffffffu};
  ptk_vreg src[4], part, merged;
  memset(merged.b, 0, 256);
  for (int p = 0; p < 4; p++) {
    for (int i = 0; i < 64; i++) ptk_vp_seti(&src[p], PTK_ISA_U32, i, u[(i + p) % 21]);
    CHECK_INT(ptk_v_cvt(PTK_ISA_U32, PTK_ISA_U8, PTK_V_RND_R, true, p, &part, &src[p], &all), 0);
    for (int k = 0; k < 256; k++) merged.b[k] |= part.b[k];
  }
  for (int p = 0; p < 4; p++)
    for (int i = 0; i < 64; i++) {
      uint32_t x = u[(i + p) % 21];
      CHECK_UINT(merged.b[4 * i + p], x > 255 ? 255 : x);
    }
  /* widening: i8 P2 -> i32 (sign), u16 ODD -> u32 */
  ptk_vreg b;
  for (int k = 0; k < 256; k++) b.b[k] = (uint8_t)(k * 7);
  ptk_vmask all8 = vt_all(1), all16 = vt_all(2);
  ptk_v_cvt(PTK_ISA_I8, PTK_ISA_I32, PTK_V_RND_R, false, 2, &d, &b, &all8);
  for (int i = 0; i < 64; i++) CHECK_INT((int32_t)vt_u32(&d, i), (int8_t)b.b[4 * i + 2]);
  ptk_v_cvt(PTK_ISA_U16, PTK_ISA_U32, PTK_V_RND_R, false, 1, &d, &b, &all16);
  for (int i = 0; i < 64; i++) CHECK_UINT(vt_u32(&d, i), vt_u16(&b, 2 * i + 1));
  /* i32 -> i64 EVEN, i64 -> f32 EVEN (golden vcvt-i64-to-f32) */
  for (int i = 0; i < 64; i++) ptk_vp_seti(&s, PTK_ISA_I32, i, i % 2 ? -(1 << 24) - 3 : i * 1000003);
  ptk_v_cvt(PTK_ISA_I32, PTK_ISA_I64, PTK_V_RND_R, false, 0, &d, &s, &all);
  for (int i = 0; i < 32; i++) CHECK_INT(ptk_vp_geti(&d, PTK_ISA_I64, i), ptk_vp_geti(&s, PTK_ISA_I32, 2 * i));
  ptk_vreg f;
  ptk_v_cvt(PTK_ISA_I64, PTK_ISA_F32, PTK_V_RND_R, false, 0, &f, &d, &all);
  for (int i = 0; i < 32; i++) {
    CHECK_DBL(vt_f32(&f, 2 * i), (float)ptk_vp_geti(&d, PTK_ISA_I64, i), 0);
    CHECK_UINT(vt_u32(&f, 2 * i + 1), 0);
  }
  /* f32 -> i16 ODD with saturation, f32 -> i64 */
  for (int i = 0; i < 64; i++) vt_set_f32(&f, i, (float)(i - 32) * 2500.5f);
  ptk_v_cvt(PTK_ISA_F32, PTK_ISA_I16, PTK_V_RND_Z, true, 1, &d, &f, &all);
  for (int i = 0; i < 64; i++) {
    double x = trunc((double)vt_f32(&f, i));
    CHECK_INT((int16_t)vt_u16(&d, 2 * i + 1), x > 32767 ? 32767 : x < -32768 ? -32768 : x);
  }
  ptk_v_cvt(PTK_ISA_F32, PTK_ISA_I64, PTK_V_RND_A, true, 1, &d, &f, &all);
  for (int i = 0; i < 32; i++) CHECK_INT(ptk_vp_geti(&d, PTK_ISA_I64, i), (int64_t)round(vt_f32(&f, 2 * i + 1)));
}

TEST(f8_formats) {
  /* decoders: known points and the formats' specials */
  CHECK_DBL(ptk_vc_dec_e4m3fn(0x7e), 448, 0);
  CHECK_DBL(ptk_vc_dec_e4m3fn(0x08), 0x1p-6, 0);
  CHECK_DBL(ptk_vc_dec_e4m3fn(0x01), 0x1p-9, 0);
  CHECK_DBL(ptk_vc_dec_e4m3fn(0xb8), -1.0, 0);
  CHECK(isnan(ptk_vc_dec_e4m3fn(0x7f)) && isnan(ptk_vc_dec_e4m3fn(0xff)));
  CHECK_DBL(ptk_vc_dec_e4m3fn(0x78), 256, 0); /* no inf in FN */
  CHECK_DBL(ptk_vc_dec_e5m2(0x7b), 57344, 0);
  CHECK_DBL(ptk_vc_dec_e5m2(0x7c), INFINITY, 0);
  CHECK_DBL(ptk_vc_dec_e5m2(0xfc), -INFINITY, 0);
  CHECK(isnan(ptk_vc_dec_e5m2(0x7d)));
  CHECK_DBL(ptk_vc_dec_e5m2(0x01), 0x1p-16, 0);
  CHECK_DBL(ptk_vc_dec_e5m2(0x3c), 1.0, 0);
  /* every non-NaN code round-trips through f32 (golden vcvt-low-precision-roundtrip) */
  for (int c = 0; c < 256; c++) {
    float a = ptk_vc_dec_e4m3fn((uint8_t)c), b = ptk_vc_dec_e5m2((uint8_t)c);
    if (!isnan(a)) CHECK_UINT(f2f(a, PTK_VC_E4M3FN, PTK_V_RND_R, false), c);
    if (!isnan(b)) CHECK_UINT(f2f(b, PTK_VC_E5M2, PTK_V_RND_R, false), c);
  }
  /* golden quantize pairs, SAT */
  struct {
    float x;
    uint8_t e4, e5;
  } q[] = {{INFINITY, 0x7e, 0x7b}, {-INFINITY, 0xfe, 0xfb}, {NAN, 0x00, 0x00},
           {1000.0f, 0x7e, 0x3c + 0x26}, {1.0625f, 0x38, 0x3c}, {1.1875f, 0x3a, 0x3c},
           {-1.0625f, 0xb8, 0xbc}, {-1.1875f, 0xba, 0xbc}};
  for (size_t k = 0; k < sizeof q / sizeof q[0]; k++)
    CHECK_UINT(f2f(q[k].x, PTK_VC_E4M3FN, PTK_V_RND_R, true), q[k].e4);
  CHECK_UINT(f2f(-1000.0f, PTK_VC_E4M3FN, PTK_V_RND_R, true), 0xfe);
  CHECK_UINT(f2f(1e10f, PTK_VC_E5M2, PTK_V_RND_R, true), 0x7b);
  CHECK_UINT(f2f(-1e10f, PTK_VC_E5M2, PTK_V_RND_R, true), 0xfb);
  CHECK_UINT(f2f(INFINITY, PTK_VC_E5M2, PTK_V_RND_R, true), 0x7b);
  CHECK_UINT(f2f(NAN, PTK_VC_E5M2, PTK_V_RND_R, true), 0x00);
  CHECK_UINT(f2f(1.125f, PTK_VC_E5M2, PTK_V_RND_R, true), 0x3c);
  CHECK_UINT(f2f(1.375f, PTK_VC_E5M2, PTK_V_RND_R, true), 0x3e);
  CHECK_UINT(f2f(-1.125f, PTK_VC_E5M2, PTK_V_RND_R, true), 0xbc);
  CHECK_UINT(f2f(-1.375f, PTK_VC_E5M2, PTK_V_RND_R, true), 0xbe);
  /* without SAT: E5M2 overflows to inf, E4M3FN to NaN; NaN stays NaN */
  CHECK_UINT(f2f(1e10f, PTK_VC_E5M2, PTK_V_RND_R, false), 0x7c);
  CHECK_UINT(f2f(-INFINITY, PTK_VC_E5M2, PTK_V_RND_R, false), 0xfc);
  CHECK_UINT(f2f(1e10f, PTK_VC_E4M3FN, PTK_V_RND_R, false), 0x7f);
  CHECK_UINT(f2f(-INFINITY, PTK_VC_E4M3FN, PTK_V_RND_R, false), 0xff);
  CHECK_UINT(f2f(NAN, PTK_VC_E4M3FN, PTK_V_RND_R, false), 0x7f);
  CHECK_UINT(f2f(NAN, PTK_VC_E5M2, PTK_V_RND_R, false), 0x7e);
  CHECK_UINT(f2f(464.0f, PTK_VC_E4M3FN, PTK_V_RND_R, false), 0x7e); /* ties down to 448 */
  CHECK_UINT(f2f(464.0f, PTK_VC_E4M3FN, PTK_V_RND_A, false), 0x7f);
  CHECK_UINT(f2f(464.0f, PTK_VC_E4M3FN, PTK_V_RND_Z, false), 0x7e);
  /* subnormals */
  CHECK_UINT(f2f(0x1p-10f, PTK_VC_E4M3FN, PTK_V_RND_R, false), 0x00); /* tie to even 0 */
  CHECK_UINT(f2f(0x1p-10f, PTK_VC_E4M3FN, PTK_V_RND_A, false), 0x01);
  CHECK_UINT(f2f(3 * 0x1p-10f, PTK_VC_E4M3FN, PTK_V_RND_R, false), 0x02);
}

/* hif8 of codes 0x00..0x7f as f32 bits (0x6f: inf), from the goldens' decoder */
static const uint32_t HIF8_POS[128] = {
    0x00000000, 0x34800000, 0x35000000, 0x35800000, 0x36000000, 0x36800000, 0x37000000, 0x37800000,
    0x3f800000, 0x3f900000, 0x3fa00000, 0x3fb00000, 0x3fc00000, 0x3fd00000, 0x3fe00000, 0x3ff00000,
    0x40000000, 0x40100000, 0x40200000, 0x40300000, 0x40400000, 0x40500000, 0x40600000, 0x40700000,
    0x3f000000, 0x3f100000, 0x3f200000, 0x3f300000, 0x3f400000, 0x3f500000, 0x3f600000, 0x3f700000,
    0x40800000, 0x40900000, 0x40a00000, 0x40b00000, 0x40c00000, 0x40d00000, 0x40e00000, 0x40f00000,
    0x41000000, 0x41100000, 0x41200000, 0x41300000, 0x41400000, 0x41500000, 0x41600000, 0x41700000,
    0x3e800000, 0x3e900000, 0x3ea00000, 0x3eb00000, 0x3ec00000, 0x3ed00000, 0x3ee00000, 0x3ef00000,
    0x3e000000, 0x3e100000, 0x3e200000, 0x3e300000, 0x3e400000, 0x3e500000, 0x3e600000, 0x3e700000,
    0x41800000, 0x41a00000, 0x41c00000, 0x41e00000, 0x42000000, 0x42200000, 0x42400000, 0x42600000,
    0x42800000, 0x42a00000, 0x42c00000, 0x42e00000, 0x43000000, 0x43200000, 0x43400000, 0x43600000,
    0x3d800000, 0x3da00000, 0x3dc00000, 0x3de00000, 0x3d000000, 0x3d200000, 0x3d400000, 0x3d600000,
    0x3c800000, 0x3ca00000, 0x3cc00000, 0x3ce00000, 0x3c000000, 0x3c200000, 0x3c400000, 0x3c600000,
    0x43800000, 0x43c00000, 0x44000000, 0x44400000, 0x44800000, 0x44c00000, 0x45000000, 0x45400000,
    0x45800000, 0x45c00000, 0x46000000, 0x46400000, 0x46800000, 0x46c00000, 0x47000000, 0x7f800000,
    0x3b800000, 0x3bc00000, 0x3b000000, 0x3b400000, 0x3a800000, 0x3ac00000, 0x3a000000, 0x3a400000,
    0x39800000, 0x39c00000, 0x39000000, 0x39400000, 0x38800000, 0x38c00000, 0x38000000, 0x38400000};

/* The hif8 code nearest to x (ties: away from zero; above the top: 0x6f). */
static uint8_t hif8_ref(float x) {
  float a = fabsf(x);
  int best = 0;
  for (int c = 1; c < 128; c++) {
    if (c == 0x6f) continue;
    float d = fabsf(bf(HIF8_POS[c]) - a), db = fabsf(bf(HIF8_POS[best]) - a);
    if (d < db || (d == db && bf(HIF8_POS[c]) > bf(HIF8_POS[best]))) best = c;
  }
  /* beyond the largest finite (2^15) by more than the next step's half: inf */
  if (a >= 0x1.4p15f) best = 0x6f;
  return (uint8_t)(best == 0 ? 0 : (x < 0 ? 0x80 : 0) | best);
}

TEST(hif8) {
  for (int c = 0; c < 256; c++) {
    float want = c == 0x80 ? NAN : (c & 0x80 ? -1.0f : 1.0f) * bf(HIF8_POS[c & 0x7f]);
    float got = ptk_vc_dec_hif8((uint8_t)c);
    if (!CHECK(ptk_f32_bits(got) == ptk_f32_bits(want) || (isnan(got) && isnan(want))))
      printf("  decode 0x%02x\n", c);
    /* every code but NaN round-trips (golden roundtrip, rnd A) */
    if (c != 0x80 && !CHECK_UINT(ptk_vc_to_hif8(ptk_vc_from_double(got), PTK_V_RND_A, false), c))
      printf("  encode 0x%02x\n", c);
  }
  /* midpoints and arbitrary values: nearest, ties away (against a search) */
  uint64_t bad = 0;
  for (uint32_t u = 0x30000000; u < 0x48000000; u += 9973) {
    float x = bf(u);
    for (int s = 0; s < 2; s++, x = -x)
      if (ptk_vc_to_hif8(ptk_vc_from_double(x), PTK_V_RND_A, false) != hif8_ref(x)) {
        if (bad++ < 5) printf("  0x%08x -> 0x%02x want 0x%02x\n", ptk_f32_bits(x),
                              ptk_vc_to_hif8(ptk_vc_from_double(x), PTK_V_RND_A, false), hif8_ref(x));
      }
  }
  for (int c = 1; c < 0x80; c++) { /* exact midpoints between neighbours in value order */
    float a = bf(HIF8_POS[c]);
    for (int d = 1; d < 0x80; d++) {
      float b = bf(HIF8_POS[d]);
      if (c == 0x6f || d == 0x6f || !(b > a)) continue;
      bool next = true;
      for (int k = 1; k < 0x80; k++)
        if (k != 0x6f && bf(HIF8_POS[k]) > a && bf(HIF8_POS[k]) < b) next = false;
      if (!next) continue;
      float mid = (float)(((double)a + (double)b) / 2);
      if ((double)mid != ((double)a + (double)b) / 2) continue;
      uint8_t ga = ptk_vc_to_hif8(ptk_vc_from_double(mid), PTK_V_RND_A, false);
      uint8_t gz = ptk_vc_to_hif8(ptk_vc_from_double(mid), PTK_V_RND_Z, false);
      if (ga != d || gz != c) {
        bad++;
        printf("  midpoint %g of 0x%02x/0x%02x: A 0x%02x Z 0x%02x\n", mid, c, d, ga, gz);
      }
    }
  }
  CHECK_UINT(bad, 0);
  /* specials */
  CHECK_UINT(ptk_vc_to_hif8(ptk_vc_from_double(-0.0), PTK_V_RND_A, false), 0x00);
  CHECK_UINT(ptk_vc_to_hif8(ptk_vc_from_double(NAN), PTK_V_RND_A, false), 0x80);
  CHECK_UINT(ptk_vc_to_hif8(ptk_vc_from_double(NAN), PTK_V_RND_A, true), 0x00);
  CHECK_UINT(ptk_vc_to_hif8(ptk_vc_from_double(1e6), PTK_V_RND_A, false), 0x6f);
  CHECK_UINT(ptk_vc_to_hif8(ptk_vc_from_double(-1e6), PTK_V_RND_A, true), 0xee);
  CHECK_UINT(ptk_vc_to_hif8(ptk_vc_from_double(-INFINITY), PTK_V_RND_A, false), 0xef);
  CHECK_UINT(ptk_vc_to_hif8(ptk_vc_from_double(INFINITY), PTK_V_RND_A, true), 0x6e);
  CHECK_UINT(ptk_vc_to_hif8(ptk_vc_from_double(0x1p-24), PTK_V_RND_A, false), 0x00);
  CHECK_UINT(ptk_vc_to_hif8(ptk_vc_from_double(0x1p-23), PTK_V_RND_A, false), 0x01);
  CHECK_UINT(ptk_vc_to_hif8(ptk_vc_from_double(0x1p-23), PTK_V_RND_R, false), 0x00);
  CHECK_UINT(ptk_vc_to_hif8(ptk_vc_from_double(-0x1.8p-16), PTK_V_RND_A, false), 0xfe); /* 1.5 x 2^-16 -> 2^-15 */
}

TEST(fp4_formats) {
  /* golden decode tables (bf16 bits) */
  static const uint16_t e1m2[16] = {0x0000, 0x3E80, 0x3F00, 0x3F40, 0x3F80, 0x3FA0, 0x3FC0, 0x3FE0,
                                    0x8000, 0xBE80, 0xBF00, 0xBF40, 0xBF80, 0xBFA0, 0xBFC0, 0xBFE0};
  static const uint16_t e2m1[16] = {0x0000, 0x3F00, 0x3F80, 0x3FC0, 0x4000, 0x4040, 0x4080, 0x40C0,
                                    0x8000, 0xBF00, 0xBF80, 0xBFC0, 0xC000, 0xC040, 0xC080, 0xC0C0};
  for (int n = 0; n < 16; n++) {
    CHECK_UINT(ptk_f32_to_bf16(ptk_vc_dec_e1m2((uint8_t)n)), e1m2[n]);
    CHECK_UINT(ptk_f32_to_bf16(ptk_vc_dec_e2m1((uint8_t)n)), e2m1[n]);
    CHECK_UINT(f2f(ptk_bf16_to_f32(e1m2[n]), PTK_VC_E1M2, PTK_V_RND_R, false), n);
    CHECK_UINT(f2f(ptk_bf16_to_f32(e2m1[n]), PTK_VC_E2M1, PTK_V_RND_R, false), n);
  }
  /* golden quantize pairs (ties to even) */
  CHECK_UINT(f2f(0.625f, PTK_VC_E1M2, PTK_V_RND_R, false), 0x2);
  CHECK_UINT(f2f(0.75f, PTK_VC_E1M2, PTK_V_RND_R, false), 0x3);
  CHECK_UINT(f2f(0.875f, PTK_VC_E1M2, PTK_V_RND_R, false), 0x4);
  CHECK_UINT(f2f(-0.625f, PTK_VC_E1M2, PTK_V_RND_R, false), 0xa);
  CHECK_UINT(f2f(-0.875f, PTK_VC_E1M2, PTK_V_RND_R, false), 0xc);
  CHECK_UINT(f2f(0.75f, PTK_VC_E2M1, PTK_V_RND_R, false), 0x2);
  CHECK_UINT(f2f(1.25f, PTK_VC_E2M1, PTK_V_RND_R, false), 0x2);
  CHECK_UINT(f2f(1.75f, PTK_VC_E2M1, PTK_V_RND_R, false), 0x4);
  CHECK_UINT(f2f(-1.25f, PTK_VC_E2M1, PTK_V_RND_R, false), 0xa);
  CHECK_UINT(f2f(-1.75f, PTK_VC_E2M1, PTK_V_RND_R, false), 0xc);
  /* no inf/NaN: clamp to max, NaN -> 0 */
  CHECK_UINT(f2f(100.0f, PTK_VC_E2M1, PTK_V_RND_R, false), 0x7);
  CHECK_UINT(f2f(-INFINITY, PTK_VC_E2M1, PTK_V_RND_R, false), 0xf);
  CHECK_UINT(f2f(NAN, PTK_VC_E1M2, PTK_V_RND_R, false), 0x0);
  CHECK_UINT(f2f(5.0f, PTK_VC_E2M1, PTK_V_RND_R, false), 0x6); /* 4|6 tie -> even */
  /* lane placement: byte 4i+part <-> bf16 lanes 2i (low nibble), 2i+1 */
  ptk_vreg src, wide, back;
  for (int k = 0; k < 256; k++) src.b[k] = (uint8_t)(k * 29 + 3);
  ptk_vmask all8 = vt_all(1), all16 = vt_all(2);
  for (int p = 0; p < 4; p++) {
    CHECK_INT(ptk_v_cvt(PTK_V_F4E1M2X2, PTK_ISA_BF16, PTK_V_RND_R, false, p, &wide, &src, &all8), 0);
    for (int i = 0; i < 64; i++) {
      CHECK_UINT(vt_u16(&wide, 2 * i), e1m2[src.b[4 * i + p] & 15]);
      CHECK_UINT(vt_u16(&wide, 2 * i + 1), e1m2[src.b[4 * i + p] >> 4]);
    }
    CHECK_INT(ptk_v_cvt(PTK_ISA_BF16, PTK_V_F4E1M2X2, PTK_V_RND_R, false, p, &back, &wide, &all16), 0);
    for (int k = 0; k < 256; k++) CHECK_UINT(back.b[k], k % 4 == p ? src.b[k] : 0);
    ptk_v_cvt(PTK_V_F4E2M1X2, PTK_ISA_F16, PTK_V_RND_R, false, p, &wide, &src, &all8);
    ptk_v_cvt(PTK_ISA_F16, PTK_V_F4E2M1X2, PTK_V_RND_R, false, p, &back, &wide, &all16);
    for (int k = 0; k < 256; k++) CHECK_UINT(back.b[k], k % 4 == p ? src.b[k] : 0);
  }
  /* an inactive 16-bit lane gives a 0 nibble */
  ptk_vmask odd = all16;
  ptk_vmask_set(&odd, 2, false); /* lane 1: the high nibble of byte 0 */
  ptk_v_cvt(PTK_V_F4E2M1X2, PTK_ISA_BF16, PTK_V_RND_R, false, 0, &wide, &src, &all8);
  ptk_v_cvt(PTK_ISA_BF16, PTK_V_F4E2M1X2, PTK_V_RND_R, false, 0, &back, &wide, &odd);
  CHECK_UINT(back.b[0], src.b[0] & 15);
  CHECK_INT(ptk_v_cvt(PTK_V_F4E2M1X2, PTK_ISA_BF16, PTK_V_RND_R, false, 4, &wide, &src, &all8), PTK_ISA_EARG);
}

TEST(lowp_lane_placement) {
  /* golden vcvt-low-precision-special: f8/hif8 P_k -> f32 reads byte 4i+k;
   * f32 -> f8 P_k writes byte 4i+k, the other bytes 0 */
  static const int types[3] = {PTK_V_F8E4M3FN, PTK_V_F8E5M2, PTK_V_HIF8};
  ptk_vreg src, f, back;
  for (int k = 0; k < 256; k++) src.b[k] = (uint8_t)(k * 13 + 5);
  ptk_vmask all8 = vt_all(1), all32 = vt_all(4);
  for (int t = 0; t < 3; t++)
    for (int p = 0; p < 4; p++) {
      CHECK_INT(ptk_v_cvt(types[t], PTK_ISA_F32, PTK_V_RND_R, false, p, &f, &src, &all8), 0);
      int rnd = types[t] == PTK_V_HIF8 ? PTK_V_RND_A : PTK_V_RND_R;
      CHECK_INT(ptk_v_cvt(PTK_ISA_F32, types[t], rnd, false, p, &back, &f, &all32), 0);
      for (int i = 0; i < 64; i++) {
        uint8_t b = src.b[4 * i + p];
        float want = types[t] == PTK_V_F8E4M3FN ? ptk_vc_dec_e4m3fn(b)
                     : types[t] == PTK_V_F8E5M2 ? ptk_vc_dec_e5m2(b)
                                                : ptk_vc_dec_hif8(b);
        float got = vt_f32(&f, i);
        CHECK(ptk_f32_bits(got) == ptk_f32_bits(want) || (isnan(got) && isnan(want)));
        if (!isnan(want)) CHECK_UINT(back.b[4 * i + p], b);
        for (int q = 0; q < 4; q++)
          if (q != p) CHECK_UINT(back.b[4 * i + q], 0);
      }
    }
}

TEST(vtrc) {
  /* golden vtrc-rounding-boundary: R (rint), Z (trunc), F (floor); A, C too */
  static const float x[] = {-3.5f, -3.0f, -2.5f, -1.5f, -0.5f, 0.5f, 1.5f, 2.5f, 3.5f, -0.4f,
                            1e30f, -7.75f, 0x1.fffffep22f};
  ptk_vreg v, r;
  memset(v.b, 0, 256);
  int n = (int)(sizeof x / sizeof x[0]);
  for (int i = 0; i < n; i++) vt_set_f32(&v, i, x[i]);
  vt_set_f32(&v, 20, INFINITY);
  vt_set_f32(&v, 21, NAN);
  vt_set_f32(&v, 22, -0.0f);
  ptk_vmask all = vt_all(4);
  float (*ref[5])(float) = {rintf, roundf, floorf, ceilf, truncf};
  for (int m = PTK_V_RND_R; m <= PTK_V_RND_Z; m++) {
    CHECK_INT(ptk_v_trc(PTK_ISA_F32, m, &r, &v, &all), 0);
    for (int i = 0; i < 23; i++)
      if (i < n || i >= 20) {
        float w = ref[m](vt_f32(&v, i)), g = vt_f32(&r, i);
        if (!CHECK(ptk_f32_bits(g) == ptk_f32_bits(w) || (isnan(g) && isnan(w))))
          printf("  mode %d lane %d\n", m, i);
      }
  }
  ptk_v_trc(PTK_ISA_F32, PTK_V_RND_R, &r, &v, &all);
  CHECK_DBL(vt_f32(&r, 0), -4.0, 0);
  CHECK_DBL(vt_f32(&r, 2), -2.0, 0);
  CHECK_UINT(vt_u32(&r, 9), 0x80000000u); /* -0.4 -> -0 */
  /* inactive lanes are 0 */
  ptk_vmask m3 = vt_prefix(3, 4);
  ptk_v_trc(PTK_ISA_F32, PTK_V_RND_F, &r, &v, &m3);
  CHECK_DBL(vt_f32(&r, 2), -3.0, 0);
  CHECK_UINT(vt_u32(&r, 3), 0);
  /* golden vtrc-f16-rounding: trunc of f16 values; bf16 too */
  static const float h[8] = {-7.5f, -3.25f, -0.5f, -0.0f, 0.0f, 0.5f, 1.5f, 6.75f};
  ptk_vmask all16 = vt_all(2);
  for (int i = 0; i < 128; i++) ptk_vp_seti(&v, PTK_ISA_U16, i, ptk_f32_to_f16(h[i % 8]));
  ptk_v_trc(PTK_ISA_F16, PTK_V_RND_Z, &r, &v, &all16);
  for (int i = 0; i < 128; i++) CHECK_UINT(vt_u16(&r, i), ptk_f32_to_f16(truncf(h[i % 8])));
  for (int i = 0; i < 128; i++) ptk_vp_seti(&v, PTK_ISA_U16, i, ptk_f32_to_bf16(h[i % 8] * 3));
  ptk_v_trc(PTK_ISA_BF16, PTK_V_RND_A, &r, &v, &all16);
  for (int i = 0; i < 128; i++) CHECK_UINT(vt_u16(&r, i), ptk_f32_to_bf16(roundf(ptk_bf16_to_f32(ptk_f32_to_bf16(h[i % 8] * 3)))));
  CHECK_INT(ptk_v_trc(PTK_ISA_F32, PTK_V_RND_O, &r, &v, &all), PTK_ISA_EARG);
  CHECK_INT(ptk_v_trc(PTK_ISA_I32, PTK_V_RND_R, &r, &v, &all), PTK_ISA_EDTYPE);
}

TEST(parse_tokens) {
  CHECK_INT(ptk_v_rnd_parse("R"), PTK_V_RND_R);
  CHECK_INT(ptk_v_rnd_parse("ROUND_Z"), PTK_V_RND_Z);
  CHECK_INT(ptk_v_rnd_parse("O"), PTK_V_RND_O);
  CHECK_INT(ptk_v_rnd_parse("X"), -1);
  CHECK_INT(ptk_v_rnd_parse("RR"), -1);
  CHECK_INT(ptk_v_part_parse("EVEN"), 0);
  CHECK_INT(ptk_v_part_parse("PART_ODD"), 1);
  CHECK_INT(ptk_v_part_parse("P3"), 3);
  CHECK_INT(ptk_v_part_parse("P4"), -1);
}

/* Corpus vcvt-f32-to-f16: 8 chunks of 128 (two f32 vectors each, EVEN/ODD,
 * vor, vsts under plt_b16). */
VT_CORPUS_TEST(corpus_vcvt_f32_to_f16) {
  size_t ni, ne;
  uint8_t *in = vt_npy("vcvt-f32-to-f16", "in/2_arg2.npy", &ni);
  uint8_t *ex = vt_npy("vcvt-f32-to-f16", "expected/3_arg3.npy", &ne);
  if (in && ex && CHECK(ni == 4096 && ne == 2048)) {
    for (int off = 0; off < 1024; off += 128) {
      int64_t rem = 1024 - off, urem, nx;
      ptk_vmask m16, ml, mu;
      ptk_v_plt(&m16, &nx, rem, 2);
      ptk_v_plt(&ml, &urem, rem, 4);
      ptk_v_plt(&mu, &nx, urem, 4);
      ptk_vreg lo, hi, e, o;
      memcpy(lo.b, in + 4 * off, 256);
      memcpy(hi.b, in + 4 * (off + 64), 256);
      ptk_v_cvt(PTK_ISA_F32, PTK_ISA_F16, PTK_V_RND_R, true, 0, &e, &lo, &ml);
      ptk_v_cvt(PTK_ISA_F32, PTK_ISA_F16, PTK_V_RND_R, true, 1, &o, &hi, &mu);
      for (int i = 0; i < 128; i++) {
        uint16_t g = (uint16_t)(vt_u16(&e, i) | vt_u16(&o, i)), w;
        memcpy(&w, ex + 2 * (off + i), 2);
        if (!CHECK_UINT(g, w)) printf("  element %d\n", off + i);
      }
    }
  }
  free(in);
  free(ex);
}

/* Corpus vcvt-i32-to-i16-overflow: the same structure, SAT, bit-exact. */
VT_CORPUS_TEST(corpus_vcvt_i32_to_i16) {
  size_t ni, ne;
  uint8_t *in = vt_npy("vcvt-i32-to-i16-overflow", "in/0_arg0.npy", &ni);
  uint8_t *ex = vt_npy("vcvt-i32-to-i16-overflow", "expected/1_arg1.npy", &ne);
  if (in && ex && CHECK(ni == 4096 && ne == 2048)) {
    for (int off = 0; off < 1024; off += 128) {
      int64_t rem = 1024 - off, urem, nx;
      ptk_vmask ml, mu;
      ptk_v_plt(&ml, &urem, rem, 4);
      ptk_v_plt(&mu, &nx, urem, 4);
      ptk_vreg lo, hi, e, o;
      memcpy(lo.b, in + 4 * off, 256);
      memcpy(hi.b, in + 4 * (off + 64), 256);
      ptk_v_cvt(PTK_ISA_I32, PTK_ISA_I16, PTK_V_RND_R, true, 0, &e, &lo, &ml);
      ptk_v_cvt(PTK_ISA_I32, PTK_ISA_I16, PTK_V_RND_R, true, 1, &o, &hi, &mu);
      for (int i = 0; i < 128; i++) {
        uint16_t g = (uint16_t)(vt_u16(&e, i) | vt_u16(&o, i)), w;
        memcpy(&w, ex + 2 * (off + i), 2);
        if (!CHECK_UINT(g, w)) printf("  element %d\n", off + i);
      }
    }
  }
  free(in);
  free(ex);
}

/* Corpus vtrc-f32-rounding: R, Z, F of 16 chunks of 64. */
VT_CORPUS_TEST(corpus_vtrc_f32) {
  static const char *const outs[3] = {"expected/7_arg7.npy", "expected/8_arg8.npy",
                                      "expected/9_arg9.npy"};
  static const int modes[3] = {PTK_V_RND_R, PTK_V_RND_Z, PTK_V_RND_F};
  size_t ni;
  uint8_t *in = vt_npy("vtrc-f32-rounding", "in/6_arg6.npy", &ni);
  for (int k = 0; in && k < 3; k++) {
    size_t ne;
    uint8_t *ex = vt_npy("vtrc-f32-rounding", outs[k], &ne);
    if (!ex || !CHECK(ni == 4096 && ne == 4096)) {
      free(ex);
      continue;
    }
    int64_t rem = 1024;
    for (int off = 0; off < 1024; off += 64) {
      ptk_vmask m;
      ptk_vreg v, r;
      ptk_v_plt(&m, &rem, rem, 4);
      memcpy(v.b, in + 4 * off, 256);
      ptk_v_trc(PTK_ISA_F32, modes[k], &r, &v, &m);
      if (!CHECK(memcmp(r.b, ex + 4 * off, 256) == 0)) printf("  mode %d chunk %d\n", k, off);
    }
    free(ex);
  }
  free(in);
}

TEST(any_arguments_are_safe) {
  /* every type code, part, mode and saturation: a result or an error code,
   * never a crash (ASan/UBSan builds check the memory and arithmetic) */
  ptk_vreg s, d;
  for (int k = 0; k < 256; k++) s.b[k] = (uint8_t)(k * 151 + 7);
  ptk_vmask m;
  memset(m.b, 0x5a, 32);
  int ok = 0;
  for (int sdt = -1; sdt < 40; sdt++)
    for (int ddt = -1; ddt < 40; ddt++)
      for (int part = -1; part <= 4; part++)
        for (int rnd = -1; rnd <= 6; rnd += 7) {
          int rc = ptk_v_cvt(sdt, ddt, rnd < 0 ? PTK_V_RND_R : rnd, part & 1, part, &d, &s, &m);
          ok += rc == 0;
          if (rnd == 6) CHECK_INT(rc, PTK_ISA_EARG);
        }
  CHECK(ok > 100);
  for (int op = -1; op <= 8; op++)
    for (int dt = -1; dt < 40; dt++) {
      ptk_v_reduce(op, dt, &d, &s, &m);
      ptk_vmask p;
      ptk_v_reduce_b(op & 1, dt, &d, &p, &s, &m);
      ptk_v_trc(dt, op, &d, &s, &m);
      ptk_v_usqz(dt, &d, &m);
      ptk_v_ci(dt, op & 1, &d, op, op);
    }
}
