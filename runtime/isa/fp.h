/* Half-precision conversions used by the tile instruction library, the
 * interpreter and generated C. Written once, here:
 *   f16  = IEEE binary16 (1/5/10), bf16 = bfloat16 (1/8/7), both stored as
 *   raw uint16_t bit patterns.
 * Narrowing is round-to-nearest-even, overflow gives +-inf, subnormals are
 * produced and consumed exactly, NaN stays NaN (quieted, sign and the top
 * payload bits kept). Widening to f32 is exact. Depends on libc only. */
#ifndef PTK_RUNTIME_ISA_FP_H
#define PTK_RUNTIME_ISA_FP_H

#include <stdint.h>
#include <string.h>

static inline uint32_t ptk_f32_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  return u;
}
static inline float ptk_bits_f32(uint32_t u) {
  float f;
  memcpy(&f, &u, 4);
  return f;
}
static inline uint64_t ptk_f64_bits(double f) {
  uint64_t u;
  memcpy(&u, &f, 8);
  return u;
}
static inline double ptk_bits_f64(uint64_t u) {
  double f;
  memcpy(&f, &u, 8);
  return f;
}

/* bf16 -> f32: exact. */
static inline float ptk_bf16_to_f32(uint16_t h) { return ptk_bits_f32((uint32_t)h << 16); }

/* f32 -> bf16, round to nearest even. */
static inline uint16_t ptk_f32_to_bf16(float f) {
  uint32_t u = ptk_f32_bits(f);
  uint32_t r = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16; /* carries into the exponent: inf */
  uint32_t q = (u >> 16) | 0x0040u;                    /* NaN: quieted, sign and payload kept */
  return (uint16_t)(((u & 0x7fffffffu) > 0x7f800000u) ? q : r); /* branch-free: vectorizes */
}

/* f16 -> f32: exact (subnormals are scaled by an exact power of two). */
static inline float ptk_f16_to_f32(uint16_t h) {
  uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
  uint32_t em = h & 0x7fffu;
  uint32_t u;
  if (em >= 0x7c00u)
    u = 0x7f800000u | ((em & 0x3ffu) << 13); /* inf / NaN, payload kept */
  else
    u = ptk_f32_bits(ptk_bits_f32(em << 13) * 0x1p112f);
  return ptk_bits_f32(u | sign);
}

/* f32 -> f16, round to nearest even. */
static inline uint16_t ptk_f32_to_f16(float f) {
  uint32_t u = ptk_f32_bits(f);
  uint16_t sign = (uint16_t)((u >> 16) & 0x8000u);
  uint32_t a = u & 0x7fffffffu;
  if (a >= 0x7f800000u) {
    if (a > 0x7f800000u) return (uint16_t)(sign | 0x7e00u | ((a >> 13) & 0x3ffu));
    return (uint16_t)(sign | 0x7c00u);
  }
  if (a >= 0x477ff000u) return (uint16_t)(sign | 0x7c00u); /* >= 65520 rounds to inf */
  int e = (int)(a >> 23) - 127;
  if (e < -14) {        /* f16 subnormal or zero: units of 2^-24 */
    int shift = -e - 1; /* >= 14 */
    if (shift > 25) return sign;
    uint32_t m = (a & 0x7fffffu) | 0x800000u;
    uint32_t r = m >> shift, rem = m & ((1u << shift) - 1u), half = 1u << (shift - 1);
    if (rem > half || (rem == half && (r & 1u))) r++;
    return (uint16_t)(sign | r);
  }
  uint32_t h = ((uint32_t)(e + 15) << 10) | ((a >> 13) & 0x3ffu);
  uint32_t rem = a & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) h++;
  return (uint16_t)(sign | h);
}

/* f64 -> 16-bit float with `mbits` mantissa bits and an exponent of `ebits`
 * bits (f16: 5/10, bf16: 8/7), round to nearest even, in one rounding step
 * (no double rounding through f32). */
static inline uint16_t ptk_f64_to_small(double d, int ebits, int mbits) {
  uint64_t u = ptk_f64_bits(d);
  uint16_t sign = (uint16_t)((u >> 48) & 0x8000u);
  uint64_t a = u & 0x7fffffffffffffffull;
  uint32_t expmask = (1u << ebits) - 1u;
  if (a >= 0x7ff0000000000000ull) {
    uint16_t inf = (uint16_t)(expmask << mbits);
    if (a == 0x7ff0000000000000ull) return (uint16_t)(sign | inf);
    uint16_t pay = (uint16_t)((a >> (52 - mbits)) & ((1u << mbits) - 1u));
    return (uint16_t)(sign | inf | pay | (1u << (mbits - 1)));
  }
  int bias = (int)(expmask >> 1);
  int e = (int)(a >> 52) - 1023;
  if ((a >> 52) == 0) return sign; /* f64 subnormal: far below any 16-bit subnormal */
  uint64_t m = (a & 0xfffffffffffffull) | 0x10000000000000ull; /* 53 bits */
  uint64_t r;
  int shift;
  uint32_t ebits_out;
  if (e < 1 - bias) { /* subnormal: value = m * 2^(e-52), unit 2^(1-bias-mbits) */
    shift = 52 - (e - (1 - bias - mbits));
    if (shift > 60) return sign;
    ebits_out = 0;
  } else {
    shift = 52 - mbits;
    ebits_out = (uint32_t)(e + bias);
    m &= 0xfffffffffffffull; /* drop the implicit bit, exponent carries it */
  }
  r = m >> shift;
  uint64_t rem = m & ((1ull << shift) - 1ull), half = 1ull << (shift - 1);
  uint32_t h = (ebits_out << mbits) + (uint32_t)r;
  if (rem > half || (rem == half && (h & 1u))) h++;
  if (h >= (expmask << mbits)) h = expmask << mbits; /* overflow -> inf */
  return (uint16_t)(sign | h);
}
static inline uint16_t ptk_f64_to_f16(double d) { return ptk_f64_to_small(d, 5, 10); }
static inline uint16_t ptk_f64_to_bf16(double d) { return ptk_f64_to_small(d, 8, 7); }

#endif
