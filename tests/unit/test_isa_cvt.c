/* tcvt: every rounding mode, saturation, float<->float bit-exactness, NaN and
 * inf, integer wrap, x86 out-of-range behaviour, every layout. */
#include <limits.h>

#include "tests/unit/test_isa_util.h"

static ptk_tile row1(ptk_isa_dtype d, int n) {
  return t_mk(d, 1, 64, 1, n, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
}

TEST(float_to_int_rounding_modes) {
  static const double in[] = {-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 2.4, 2.6, -2.6, -0.0, 3.0, 7.5};
  static const double want[][12] = {
      /* NONE  */ {-2, -1, -0, 0, 1, 2, 2, 2, -2, 0, 3, 7},
      /* RINT  */ {-2, -2, -0, 0, 2, 2, 2, 3, -3, 0, 3, 8},
      /* ROUND */ {-3, -2, -1, 1, 2, 3, 2, 3, -3, 0, 3, 8},
      /* FLOOR */ {-3, -2, -1, 0, 1, 2, 2, 2, -3, 0, 3, 7},
      /* CEIL  */ {-2, -1, -0, 1, 2, 3, 3, 3, -2, 0, 3, 8},
      /* TRUNC */ {-2, -1, -0, 0, 1, 2, 2, 2, -2, 0, 3, 7},
      /* ODD   */ {-3, -1, -1, 1, 1, 3, 2, 3, -3, 0, 3, 7},
      /* CAST_RINT */ {-2, -2, -0, 0, 2, 2, 2, 3, -3, 0, 3, 8},
  };
  static const ptk_isa_dtype src[] = {PTK_ISA_F32, PTK_ISA_F16, PTK_ISA_BF16, PTK_ISA_F64};
  static const ptk_isa_dtype dst[] = {PTK_ISA_I8, PTK_ISA_I16, PTK_ISA_I32, PTK_ISA_I64};
  int bad = 0;
  for (int rm = 0; rm <= PTK_ISA_RM_CAST_RINT; rm++)
    for (int si = 0; si < 4; si++)
      for (int di = 0; di < 4; di++) {
        ptk_tile s = row1(src[si], 12), d = row1(dst[di], 12);
        for (int c = 0; c < 12; c++) t_setd(&s, 0, c, in[c]);
        CHECK_INT(ptk_isa_tcvt(&d, &s, (ptk_isa_rmode)rm, false), 0);
        for (int c = 0; c < 12; c++)
          if (t_geti(&d, 0, c) != (long long)want[rm][c]) {
            if (bad < 5)
              printf("  rm %d %s->%s %g: got %lld want %g\n", rm, ptk_isa_dtype_name(src[si]),
                     ptk_isa_dtype_name(dst[di]), in[c], t_geti(&d, 0, c), want[rm][c]);
            bad++;
          }
        t_free(&s);
        t_free(&d);
      }
  CHECK_INT(bad, 0);
}

TEST(float_to_int_saturation_and_out_of_range) {
  ptk_tile s = row1(PTK_ISA_F32, 8);
  double in[] = {300.0, -300.0, 3e9, -3e9, NAN, INFINITY, -INFINITY, 1e20};
  for (int c = 0; c < 8; c++) t_setd(&s, 0, c, in[c]);
  ptk_tile i8 = row1(PTK_ISA_I8, 8), u8 = row1(PTK_ISA_U8, 8), i32 = row1(PTK_ISA_I32, 8),
           u32 = row1(PTK_ISA_U32, 8), i64 = row1(PTK_ISA_I64, 8), u16 = row1(PTK_ISA_U16, 8);
  /* saturating */
  CHECK_INT(ptk_isa_tcvt(&i8, &s, PTK_ISA_RM_RINT, true), 0);
  long long w8[] = {127, -128, 127, -128, 0, 127, -128, 127};
  for (int c = 0; c < 8; c++) CHECK_INT(t_geti(&i8, 0, c), w8[c]);
  CHECK_INT(ptk_isa_tcvt(&u8, &s, PTK_ISA_RM_RINT, true), 0);
  long long wu8[] = {255, 0, 255, 0, 0, 255, 0, 255};
  for (int c = 0; c < 8; c++) CHECK_INT(t_geti(&u8, 0, c), wu8[c]);
  CHECK_INT(ptk_isa_tcvt(&i32, &s, PTK_ISA_RM_RINT, true), 0);
  long long w32[] = {300, -300, INT32_MAX, INT32_MIN, 0, INT32_MAX, INT32_MIN, INT32_MAX};
  for (int c = 0; c < 8; c++) CHECK_INT(t_geti(&i32, 0, c), w32[c]);
  CHECK_INT(ptk_isa_tcvt(&u32, &s, PTK_ISA_RM_RINT, true), 0);
  CHECK_INT(t_geti(&u32, 0, 2), 3000000000LL);
  CHECK_INT(t_geti(&u32, 0, 1), 0);
  CHECK_INT(t_geti(&u32, 0, 7), UINT32_MAX);
  CHECK_INT(ptk_isa_tcvt(&i64, &s, PTK_ISA_RM_RINT, true), 0);
  CHECK_INT(t_geti(&i64, 0, 7), LLONG_MAX);
  CHECK_INT(t_geti(&i64, 0, 6), LLONG_MIN);
  /* not saturating: x86 cvttsd2si (32-bit "indefinite" 0x80000000, then the low bits) */
  CHECK_INT(ptk_isa_tcvt(&i8, &s, PTK_ISA_RM_RINT, false), 0);
  long long n8[] = {44, -44, 0, 0, 0, 0, 0, 0};
  for (int c = 0; c < 8; c++) CHECK_INT(t_geti(&i8, 0, c), n8[c]);
  CHECK_INT(ptk_isa_tcvt(&i32, &s, PTK_ISA_RM_RINT, false), 0);
  long long n32[] = {300, -300, INT32_MIN, INT32_MIN, INT32_MIN, INT32_MIN, INT32_MIN, INT32_MIN};
  for (int c = 0; c < 8; c++) CHECK_INT(t_geti(&i32, 0, c), n32[c]);
  CHECK_INT(ptk_isa_tcvt(&u32, &s, PTK_ISA_RM_RINT, false), 0);
  CHECK_INT(t_geti(&u32, 0, 2), 3000000000LL);
  CHECK_INT(t_geti(&u32, 0, 3), (uint32_t)-3000000000LL);
  CHECK_INT(ptk_isa_tcvt(&u16, &s, PTK_ISA_RM_RINT, false), 0);
  CHECK_INT(t_geti(&u16, 0, 1), 65236); /* -300 wraps */
  CHECK_INT(ptk_isa_tcvt(&i64, &s, PTK_ISA_RM_RINT, false), 0);
  CHECK_INT(t_geti(&i64, 0, 7), LLONG_MIN);
  CHECK_INT(t_geti(&i64, 0, 2), 3000000000LL);
  t_free(&s);
  t_free(&i8);
  t_free(&u8);
  t_free(&i32);
  t_free(&u32);
  t_free(&i64);
  t_free(&u16);
}

static double ref_to(ptk_isa_dtype d, double x) {
  switch (d) {
  case PTK_ISA_F32: return (float)x;
  case PTK_ISA_F16: return t_round_ref(x, 11, -14, 65504.0);
  case PTK_ISA_BF16: return t_round_ref(x, 8, -126, 0x1.fep127);
  default: return x;
  }
}

static double fmax_of(ptk_isa_dtype d) {
  return d == PTK_ISA_F16    ? 65504.0
         : d == PTK_ISA_BF16 ? 0x1.fep127
         : d == PTK_ISA_F32  ? 0x1.fffffep127
                             : 0x1.fffffffffffffp1023;
}

TEST(float_to_float_all_pairs_layouts) {
  static const ptk_isa_dtype fs[] = {PTK_ISA_F32, PTK_ISA_F16, PTK_ISA_BF16, PTK_ISA_F64};
  static const double special[] = {NAN,  INFINITY, -INFINITY, -0.0,   65519.0,    65520.0,
                                   1e-7, 0x1p-133, 1e39,      3.0e38, 1.00390625, 1.01171875};
  uint64_t s = 17;
  int bad = 0;
  for (int si = 0; si < 4; si++)
    for (int di = 0; di < 4; di++)
      for (int l = 0; l < T_NLAYOUTS; l++)
        for (int sat = 0; sat < 2; sat++) {
          ptk_tile a = t_mkl(fs[si], 32, 32, 7, 13, l, 512);
          ptk_tile b = t_mkl(fs[di], 32, 32, 7, 13, (l + si + di) % T_NLAYOUTS, 512);
          for (int r = 0; r < 7; r++)
            for (int c = 0; c < 13; c++) {
              double v = (r * 13 + c) < (int)PTK_ARRAY_LEN(special)
                             ? special[r * 13 + c]
                             : ldexp(t_uni(&s, -2, 2), (int)(t_rand(&s) % 60) - 30);
              t_setd(&a, r, c, v);
            }
          CHECK_INT(ptk_isa_tcvt(&b, &a, PTK_ISA_RM_ROUND, sat), 0);
          for (int r = 0; r < 7; r++)
            for (int c = 0; c < 13; c++) {
              double x = t_getd(&a, r, c), want = ref_to(fs[di], x);
              if (sat && !isnan(x)) {
                /* clamp to the smaller of the source and destination ranges */
                double m = fmin(fmax_of(fs[si]), fmax_of(fs[di]));
                if (x > m) want = ref_to(fs[di], m);
                if (x < -m) want = ref_to(fs[di], -m);
                if (fabs(x) <= m) want = ref_to(fs[di], x);
              }
              if (!t_same(t_getd(&b, r, c), want)) {
                if (bad < 5)
                  printf("  %s->%s sat %d: %.17g -> %.17g want %.17g\n", ptk_isa_dtype_name(fs[si]),
                         ptk_isa_dtype_name(fs[di]), sat, x, t_getd(&b, r, c), want);
                bad++;
              }
            }
          bad += t_touched_outside(&b, 7, 13);
          t_free(&a);
          t_free(&b);
        }
  CHECK_INT(bad, 0);
}

TEST(f32_to_bf16_exact_bits) {
  /* the brief's example: 0x3F808000 ties to even */
  ptk_tile a = row1(PTK_ISA_F32, 3), b = row1(PTK_ISA_BF16, 3);
  uint32_t in[] = {0x3F808000u, 0x3F818000u, 0x7F7FFFFFu};
  for (int c = 0; c < 3; c++) memcpy(t_ptr(&a, 0, c), &in[c], 4);
  for (int rm = 0; rm <= PTK_ISA_RM_CAST_RINT; rm++) { /* mode ignored for float->float */
    CHECK_INT(ptk_isa_tcvt(&b, &a, (ptk_isa_rmode)rm, false), 0);
    CHECK_UINT(t_bits(&b, 0, 0), 0x3F80);
    CHECK_UINT(t_bits(&b, 0, 1), 0x3F82);
    CHECK_UINT(t_bits(&b, 0, 2), 0x7F80);
  }
  CHECK_INT(ptk_isa_tcvt(&b, &a, PTK_ISA_RM_RINT, true), 0);
  CHECK_UINT(t_bits(&b, 0, 2), 0x7F7F); /* saturated to the bf16 max */
  t_free(&a);
  t_free(&b);
}

TEST(int_to_float_and_int_to_int) {
  ptk_tile i = row1(PTK_ISA_I64, 6);
  long long iv[] = {16777217, -16777219, (1LL << 53) + 1, LLONG_MAX, LLONG_MIN, 65519};
  for (int c = 0; c < 6; c++) t_seti(&i, 0, c, iv[c]);
  ptk_tile f = row1(PTK_ISA_F32, 6), h = row1(PTK_ISA_F16, 6), b = row1(PTK_ISA_BF16, 6),
           d = row1(PTK_ISA_F64, 6);
  CHECK_INT(ptk_isa_tcvt(&f, &i, PTK_ISA_RM_RINT, false), 0);
  for (int c = 0; c < 6; c++) CHECK(t_getd(&f, 0, c) == (double)(float)iv[c]);
  CHECK_INT(ptk_isa_tcvt(&d, &i, PTK_ISA_RM_RINT, false), 0);
  for (int c = 0; c < 6; c++) CHECK(t_getd(&d, 0, c) == (double)iv[c]);
  CHECK_INT(ptk_isa_tcvt(&b, &i, PTK_ISA_RM_RINT, false), 0);
  for (int c = 0; c < 6; c++) CHECK(t_getd(&b, 0, c) == t_bf16_to_f32(t_f32_to_bf16((float)iv[c])));
  CHECK_INT(ptk_isa_tcvt(&h, &i, PTK_ISA_RM_RINT, false), 0);
  CHECK(t_getd(&h, 0, 5) == 65504.0);
  CHECK(isinf(t_getd(&h, 0, 0)));
  CHECK_INT(ptk_isa_tcvt(&h, &i, PTK_ISA_RM_RINT, true), 0);
  CHECK(t_getd(&h, 0, 0) == 65504.0 && t_getd(&h, 0, 1) == -65504.0);
  /* a value needing a sticky bit below 2^53: 2^60 + 2^36 + 1 -> f32 rounds up */
  t_seti(&i, 0, 0, (1LL << 60) + (1LL << 36) + 1);
  CHECK_INT(ptk_isa_tcvt(&f, &i, PTK_ISA_RM_RINT, false), 0);
  CHECK(t_getd(&f, 0, 0) == (double)(float)((1LL << 60) + (1LL << 36) + 1));
  CHECK(t_getd(&f, 0, 0) == 0x1.000002p60);
  /* u32 and u64 sources are unsigned */
  ptk_tile u = row1(PTK_ISA_U64, 1);
  t_seti(&u, 0, 0, -1);
  CHECK_INT(ptk_isa_tcvt(&f, &u, PTK_ISA_RM_RINT, false), 0);
  CHECK(t_getd(&f, 0, 0) == 0x1p64);
  /* int -> int: wrap, or clamp with sat */
  ptk_tile s16 = row1(PTK_ISA_I16, 3), u8 = row1(PTK_ISA_U8, 3), i8 = row1(PTK_ISA_I8, 3);
  t_seti(&s16, 0, 0, 300);
  t_seti(&s16, 0, 1, -1);
  t_seti(&s16, 0, 2, -200);
  CHECK_INT(ptk_isa_tcvt(&u8, &s16, PTK_ISA_RM_RINT, false), 0);
  CHECK_INT(t_geti(&u8, 0, 0), 44);
  CHECK_INT(t_geti(&u8, 0, 1), 255);
  CHECK_INT(ptk_isa_tcvt(&u8, &s16, PTK_ISA_RM_RINT, true), 0);
  CHECK_INT(t_geti(&u8, 0, 0), 255);
  CHECK_INT(t_geti(&u8, 0, 1), 0);
  CHECK_INT(ptk_isa_tcvt(&i8, &s16, PTK_ISA_RM_RINT, true), 0);
  CHECK_INT(t_geti(&i8, 0, 2), -128);
  ptk_tile u32 = row1(PTK_ISA_U32, 1), i32 = row1(PTK_ISA_I32, 1);
  t_seti(&u32, 0, 0, 0xFFFFFFF0u);
  CHECK_INT(ptk_isa_tcvt(&i32, &u32, PTK_ISA_RM_RINT, true), 0);
  CHECK_INT(t_geti(&i32, 0, 0), INT32_MAX);
  CHECK_INT(ptk_isa_tcvt(&i32, &u32, PTK_ISA_RM_RINT, false), 0);
  CHECK_INT(t_geti(&i32, 0, 0), -16);
  t_free(&i);
  t_free(&f);
  t_free(&h);
  t_free(&b);
  t_free(&d);
  t_free(&u);
  t_free(&s16);
  t_free(&u8);
  t_free(&i8);
  t_free(&u32);
  t_free(&i32);
}

TEST(cvt_region_and_errors) {
  /* iteration over the source's valid region; dst must hold it */
  ptk_tile s = t_mk(PTK_ISA_BF16, 16, 512, 16, 512, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile d = t_mk(PTK_ISA_F32, 16, 512, 3, 3, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  for (int r = 0; r < 16; r++)
    for (int c = 0; c < 512; c++) t_setd(&s, r, c, (r - c) * 0.125);
  CHECK_INT(ptk_isa_tcvt(&d, &s, PTK_ISA_RM_ROUND, false), 0);
  CHECK(t_getd(&d, 15, 511) == (15 - 511) * 0.125);
  ptk_tile small = t_mk(PTK_ISA_F32, 8, 512, 8, 512, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  CHECK_INT(ptk_isa_tcvt(&small, &s, PTK_ISA_RM_ROUND, false), PTK_ISA_ESHAPE);
  CHECK_INT(ptk_isa_tcvt(&d, &s, (ptk_isa_rmode)42, false), PTK_ISA_EARG);
  /* bool destination */
  ptk_tile f = row1(PTK_ISA_F32, 3), bo = row1(PTK_ISA_I1, 3);
  t_setd(&f, 0, 0, 0.25);
  t_setd(&f, 0, 1, 0.0);
  t_setd(&f, 0, 2, NAN);
  CHECK_INT(ptk_isa_tcvt(&bo, &f, PTK_ISA_RM_RINT, false), 0);
  CHECK_INT(t_geti(&bo, 0, 0), 1);
  CHECK_INT(t_geti(&bo, 0, 1), 0);
  CHECK_INT(t_geti(&bo, 0, 2), 1);
  t_free(&s);
  t_free(&d);
  t_free(&small);
  t_free(&f);
  t_free(&bo);
}

/* tcvt f32 -> f16 (row-major runs: the F16C path where the CPU has it)
 * gives the reference rounding's bits: every f16 value's f32 image and its
 * neighbours at the rounding midpoints (ties both ways), both signs, plus
 * a sweep over all 2^32 f32 patterns with a stride (NaNs, infinities,
 * subnormals, overflow included). */
TEST(f32_to_f16_runs_exact_bits) {
  enum { C = 1024 };
  static uint32_t in[C];
  ptk_tile src = t_mk(PTK_ISA_F32, 1, C, 1, C, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile dst = t_mk(PTK_ISA_F16, 1, C, 1, C, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  long bad = 0, n = 0, checked = 0;
  uint64_t sweep = 0;
  static const int32_t d[] = {-0x1001, -0x1000, -0xfff, -1, 0, 1, 0xfff, 0x1000, 0x1001};
  uint32_t h = 0, di = 0;
  for (;;) {
    uint32_t u;
    if (h < 0x10000) { /* boundary patterns */
      float f = t_f16_to_f32((uint16_t)h);
      uint32_t fb;
      memcpy(&fb, &f, 4);
      u = fb + (uint32_t)d[di];
      if (++di == PTK_ARRAY_LEN(d)) di = 0, h++;
    } else if (sweep < ((uint64_t)1 << 32)) {
      u = (uint32_t)sweep;
      sweep += 4099;
    } else {
      break;
    }
    in[n++] = u;
    if (n == C) {
      memcpy(src.data, in, sizeof in);
      CHECK_INT(ptk_isa_tcvt(&dst, &src, PTK_ISA_RM_ROUND, false), 0);
      const uint16_t *out = (const uint16_t *)dst.data;
      for (int i = 0; i < C; i++) {
        float f;
        memcpy(&f, &in[i], 4);
        bad += out[i] != t_f32_to_f16(f);
      }
      checked += n;
      n = 0;
    }
  }
  CHECK(checked > 1000000);
  CHECK_INT(bad, 0);
  t_free(&src);
  t_free(&dst);
}
