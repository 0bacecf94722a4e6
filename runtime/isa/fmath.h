/* ptk's own f32 transcendental functions (DESIGN §5: deterministic fast
 * math), used by the tile library (runtime/isa/elem.c: texp, texpdif, tlog)
 * and embedded in generated C, so both engines give the same bits.
 *
 * Plain C, branch-free (selects, no table lookups, no libm calls), so gcc
 * vectorizes a loop over them (8 lanes with AVX2, 4 with SSE2). Every
 * operation is a separately rounded IEEE f32 operation: files that use them
 * must be compiled with -ffp-contract=off (the library and the JIT both
 * are), so that a target with FMA does not fuse a multiply-add and change
 * the bits. Round-to-nearest-even is assumed (the C default).
 *
 * Error bounds against a double-precision reference (tests/unit/
 * test_isa_fmath.c sweeps every 7th f32 bit pattern plus the special
 * points; runtime/isa/README.md states the measured numbers):
 *   ptk_expf: <= 1 ulp for normal results, inputs in [-87.33, 88.72];
 *             subnormal results (x < -87.34) within 1 ulp of the subnormal
 *             grid (2^-149); x > 88.7228394 -> +inf, x < -103.972 -> +0,
 *             exp(-inf) = +0, exp(+inf) = +inf, exp(NaN) = NaN (quieted),
 *             exp(+-0) = 1 exactly.
 *   ptk_logf: <= 1 ulp (all positive inputs, subnormals included);
 *             log(+-0) = -inf, log(x < 0) = NaN, log(+inf) = +inf,
 *             log(NaN) = NaN, log(1) = +0 exactly. */
#ifndef PTK_RUNTIME_ISA_FMATH_H
#define PTK_RUNTIME_ISA_FMATH_H

#include <stdint.h>

#include "runtime/isa/fp.h"

/* exp(x) = 2^n * e^r, n = round(x / ln2), r = x - n*ln2 (Cody-Waite, ln2
 * split so n*LN2_HI is exact), e^r by the Cephes expf polynomial on
 * |r| <= ln2/2; 2^n applied as two exact power-of-two factors 2^(n>>1) and
 * 2^(n - (n>>1)) so that subnormal results round once and overflow gives inf. */
static inline float ptk_expf(float x) {
  float xc = x < -104.0f ? -104.0f : x; /* NaN passes both clamps */
  xc = xc > 89.0f ? 89.0f : xc;
  float t = xc * 1.44269504088896341f + 12582912.0f; /* 1.5 * 2^23: rounds to an integer */
  float n = t - 12582912.0f;
  uint32_t nb = ptk_f32_bits(t) - 0x4b400000u; /* n as a two's complement integer */
  float r = xc - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float z = r * r;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * z + r;
  p = p + 1.0f;
  int32_t ni = (int32_t)nb;
  int32_t n1 = ni >> 1, n2 = ni - n1; /* both in [-75, 64] */
  float s1 = ptk_bits_f32((uint32_t)(n1 + 127) << 23);
  float s2 = ptk_bits_f32((uint32_t)(n2 + 127) << 23);
  float y = (p * s1) * s2;
  float q = x + x; /* computed unconditionally: the selects if-convert */
  return x != x ? q : y;
}

/* log(x) = e*ln2 + log(m), m in [sqrt(1/2), sqrt(2)): the Cephes logf
 * polynomial in f = m - 1, e*ln2 split in two parts. Subnormal inputs are
 * scaled by 2^23 first. */
static inline float ptk_logf(float x) {
  uint32_t u = ptk_f32_bits(x);
  int sub = u < 0x00800000u; /* +0 and positive subnormals */
  float xm = x * 8388608.0f;
  float xs = sub ? xm : x;
  uint32_t v = ptk_f32_bits(xs);
  int32_t e = (int32_t)((v >> 23) & 0xffu) - 126 - (sub ? 23 : 0);
  float m = ptk_bits_f32((v & 0x007fffffu) | 0x3f000000u); /* [0.5, 1) */
  int lo = m < 0.707106781186547524f;
  e = lo ? e - 1 : e;
  float f2 = (m + m) - 1.0f, f1 = m - 1.0f;
  float f = lo ? f2 : f1;
  float z = f * f;
  float p = 7.0376836292e-2f;
  p = p * f - 1.1514610310e-1f;
  p = p * f + 1.1676998740e-1f;
  p = p * f - 1.2420140846e-1f;
  p = p * f + 1.4249322787e-1f;
  p = p * f - 1.6668057665e-1f;
  p = p * f + 2.0000714765e-1f;
  p = p * f - 2.4999993993e-1f;
  p = p * f + 3.3333331174e-1f;
  float fe = (float)e;
  float y = p * f * z;
  y = y + fe * -2.12194440e-4f;
  y = y - 0.5f * z;
  float res = f + y;
  res = res + fe * 0.693359375f;
  /* specials: NaN and +inf return themselves; +-0 -> -inf; negative -> NaN */
  res = (u & 0x7fffffffu) == 0 ? -__builtin_inff() : res;
  res = (u > 0x80000000u) ? ptk_bits_f32(0xffc00000u) : res; /* x86's default NaN, as libm */
  float q = x + x;
  res = (u >= 0x7f800000u && u <= 0x7fffffffu) ? q : res;
  return (u > 0xff800000u) ? q : res;
}

#endif
