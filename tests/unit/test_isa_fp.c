/* f16 / bf16 conversions of runtime/isa/fp.h against compiler _Float16 and
 * a bit-level bf16 reference, with exact bit results for the corner cases. */
#include "runtime/isa/fp.h"
#include "tests/unit/test_isa_util.h"

static bool same_f16(uint16_t a, uint16_t b) {
  bool na = (a & 0x7c00) == 0x7c00 && (a & 0x3ff), nb = (b & 0x7c00) == 0x7c00 && (b & 0x3ff);
  if (na || nb) return na && nb && (a & 0x8000) == (b & 0x8000);
  return a == b;
}

TEST(f16_to_f32_exhaustive) {
  int bad = 0;
  for (uint32_t h = 0; h < 65536; h++) {
    float a = ptk_f16_to_f32((uint16_t)h), b = t_f16_to_f32((uint16_t)h);
    uint32_t ua, ub;
    memcpy(&ua, &a, 4);
    memcpy(&ub, &b, 4);
    if (isnan(b) ? !isnan(a) || (ua >> 31) != (ub >> 31) : ua != ub) bad++;
  }
  CHECK_INT(bad, 0);
}

TEST(f16_roundtrip_exhaustive) {
  int bad = 0;
  for (uint32_t h = 0; h < 65536; h++) {
    uint16_t back = ptk_f32_to_f16(ptk_f16_to_f32((uint16_t)h));
    if (!same_f16(back, (uint16_t)h)) bad++;
  }
  CHECK_INT(bad, 0);
}

TEST(f32_to_f16_against_float16) {
  uint64_t s = 12345;
  int bad = 0;
  /* every f16 value, its midpoints with the neighbours and +-1 ulp of f32 around them */
  for (uint32_t h = 0; h < 0x7c00; h++) {
    float lo = t_f16_to_f32((uint16_t)h), hi = t_f16_to_f32((uint16_t)(h + 1));
    float mid = (float)(((double)lo + (double)hi) / 2);
    float probes[] = {lo, mid, nextafterf(mid, 0), nextafterf(mid, INFINITY), -mid, -lo};
    for (size_t k = 0; k < PTK_ARRAY_LEN(probes); k++)
      if (!same_f16(ptk_f32_to_f16(probes[k]), t_f32_to_f16(probes[k]))) bad++;
  }
  for (int i = 0; i < 2000000; i++) {
    uint32_t u = (uint32_t)t_rand(&s);
    float f;
    memcpy(&f, &u, 4);
    if (!same_f16(ptk_f32_to_f16(f), t_f32_to_f16(f))) bad++;
  }
  CHECK_INT(bad, 0);
}

TEST(f32_to_f16_corners) {
  CHECK_UINT(ptk_f32_to_f16(65504.0f), 0x7bff);
  CHECK_UINT(ptk_f32_to_f16(65519.99f), 0x7bff);
  CHECK_UINT(ptk_f32_to_f16(65520.0f), 0x7c00); /* ties to even -> inf */
  CHECK_UINT(ptk_f32_to_f16(-1e9f), 0xfc00);
  CHECK_UINT(ptk_f32_to_f16(INFINITY), 0x7c00);
  CHECK_UINT(ptk_f32_to_f16(0x1p-24f), 0x0001);   /* smallest subnormal */
  CHECK_UINT(ptk_f32_to_f16(0x1p-25f), 0x0000);   /* tie -> even (0) */
  CHECK_UINT(ptk_f32_to_f16(0x1.8p-24f), 0x0002); /* 1.5 units: tie -> even (2) */
  CHECK_UINT(ptk_f32_to_f16(0x1.000002p-25f), 0x0001);
  CHECK_UINT(ptk_f32_to_f16(0x1p-14f), 0x0400);     /* smallest normal */
  CHECK_UINT(ptk_f32_to_f16(0x1.ff8p-15f), 0x03ff); /* largest subnormal */
  CHECK_UINT(ptk_f32_to_f16(0x1.ffbp-15f), 0x03ff);
  CHECK_UINT(ptk_f32_to_f16(0x1.ffcp-15f), 0x0400); /* tie -> even, into the normals */
  CHECK_UINT(ptk_f32_to_f16(-0.0f), 0x8000);
  CHECK_UINT(ptk_f32_to_f16(1.0f + 0x1p-11f), 0x3c00); /* tie -> even */
  CHECK_UINT(ptk_f32_to_f16(1.0f + 0x1.8p-10f), 0x3c02);
  uint16_t n = ptk_f32_to_f16(NAN);
  CHECK((n & 0x7c00) == 0x7c00 && (n & 0x3ff) != 0);
  n = ptk_f32_to_f16(-NAN);
  CHECK((n & 0xfc00) == 0xfc00 && (n & 0x3ff) != 0);
  /* a signalling-NaN payload that would vanish in the top bits stays a NaN */
  n = ptk_f32_to_f16(ptk_bits_f32(0x7f800001u));
  CHECK((n & 0x7c00) == 0x7c00 && (n & 0x3ff) != 0);
}

TEST(bf16_corners) {
  CHECK_UINT(ptk_f32_to_bf16(ptk_bits_f32(0x3F808000u)), 0x3F80); /* tie, even stays */
  CHECK_UINT(ptk_f32_to_bf16(ptk_bits_f32(0x3F818000u)), 0x3F82); /* tie, odd rounds up */
  CHECK_UINT(ptk_f32_to_bf16(ptk_bits_f32(0x3F808001u)), 0x3F81);
  CHECK_UINT(ptk_f32_to_bf16(ptk_bits_f32(0x3F807FFFu)), 0x3F80);
  CHECK_UINT(ptk_f32_to_bf16(ptk_bits_f32(0x7F7FFFFFu)), 0x7F80); /* overflow -> inf */
  CHECK_UINT(ptk_f32_to_bf16(ptk_bits_f32(0x7F7F7FFFu)), 0x7F7F);
  CHECK_UINT(ptk_f32_to_bf16(ptk_bits_f32(0xFF800000u)), 0xFF80);
  CHECK_UINT(ptk_f32_to_bf16(ptk_bits_f32(0x00010000u)), 0x0001); /* subnormal */
  CHECK_UINT(ptk_f32_to_bf16(ptk_bits_f32(0x00008000u)), 0x0000); /* tie -> even */
  CHECK_UINT(ptk_f32_to_bf16(ptk_bits_f32(0x00018000u)), 0x0002);
  CHECK_UINT(ptk_f32_to_bf16(ptk_bits_f32(0x80000000u)), 0x8000);
  CHECK_UINT(ptk_f32_to_bf16(ptk_bits_f32(0x7FC00000u)), 0x7FC0);
  CHECK_UINT(ptk_f32_to_bf16(ptk_bits_f32(0x7F800001u)), 0x7FC0); /* sNaN stays NaN, quieted */
  CHECK_UINT(ptk_f32_to_bf16(ptk_bits_f32(0xFFFFFFFFu)), 0xFFFF);
  CHECK_UINT(ptk_f32_bits(ptk_bf16_to_f32(0x3F80)), 0x3F800000u);
  CHECK_UINT(ptk_f32_bits(ptk_bf16_to_f32(0x0001)), 0x00010000u);
}

TEST(bf16_random_against_reference) {
  uint64_t s = 99;
  int bad = 0;
  for (int i = 0; i < 2000000; i++) {
    uint32_t u = (uint32_t)t_rand(&s);
    float f = ptk_bits_f32(u);
    uint16_t a = ptk_f32_to_bf16(f), b = t_f32_to_bf16(f);
    if (a != b) bad++;
  }
  for (uint32_t h = 0; h < 65536; h++)
    if (!isnan(ptk_bf16_to_f32((uint16_t)h)) && ptk_f32_to_bf16(ptk_bf16_to_f32((uint16_t)h)) != h)
      bad++;
  CHECK_INT(bad, 0);
}

TEST(f64_to_small_against_reference) {
  uint64_t s = 7;
  int bad = 0;
  for (int i = 0; i < 400000; i++) {
    double d = ldexp(t_uni(&s, 1.0, 2.0), (int)(t_rand(&s) % 80) - 40);
    if (t_rand(&s) & 1) d = -d;
    if (i % 3 == 0) { /* land exactly on / next to ties */
      double q = ldexp(1.0, (int)(t_rand(&s) % 40) - 30);
      d = (nearbyint(d / q) + 0.5) * q;
      if (i % 2) d = nextafter(d, 0);
    }
    uint16_t h = ptk_f64_to_f16(d);
    double ref16 = t_round_ref(d, 11, -14, 65504.0);
    if (!t_same(t_f16_to_f32(h), ref16)) bad++;
    uint16_t b = ptk_f64_to_bf16(d);
    double refb = t_round_ref(d, 8, -126, 0x1.fep127);
    if (!t_same(t_bf16_to_f32(b), refb)) bad++;
    /* f16 against the compiler's direct double -> _Float16 (where it has one) */
    if (!same_f16(h, t_f64_to_f16(d))) bad++;
  }
  CHECK_INT(bad, 0);
  CHECK_UINT(ptk_f64_to_f16(65520.0), 0x7c00);
  CHECK_UINT(ptk_f64_to_f16(65519.999), 0x7bff);
  CHECK_UINT(ptk_f64_to_bf16(0x1.fep127), 0x7f7f);
  CHECK_UINT(ptk_f64_to_bf16(0x1.ffp127), 0x7f80);
  CHECK_UINT(ptk_f64_to_bf16(1e300), 0x7f80);
  CHECK_UINT(ptk_f64_to_bf16(0x1p-133), 0x0001);
  CHECK_UINT(ptk_f64_to_bf16(0x1p-134), 0x0000);
  CHECK_UINT(ptk_f64_to_f16(1e-300), 0x0000);
  CHECK_UINT(ptk_f64_to_f16(-0.0), 0x8000);
  CHECK_UINT(ptk_f64_to_f16(INFINITY), 0x7c00);
  uint16_t n = ptk_f64_to_bf16(NAN);
  CHECK((n & 0x7f80) == 0x7f80 && (n & 0x7f));
  /* f32 -> bf16 via double gives the same as the direct f32 path */
  CHECK_UINT(ptk_f64_to_bf16((double)ptk_bits_f32(0x3F808000u)), 0x3F80);
  CHECK_UINT(ptk_f64_to_bf16((double)ptk_bits_f32(0x3F818000u)), 0x3F82);
}
