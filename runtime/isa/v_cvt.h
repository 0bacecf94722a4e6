/* VPTO conversions (docs/isa/micro-isa/09): vcvt between integer, f32, f16,
 * bf16 and the low-precision formats f8E4M3FN, f8E5M2, hif8, f4E1M2x2 and
 * f4E2M1x2 (one byte per element, two fp4 values per byte), with rounding
 * (rnd), saturation (sat) and lane placement (part); and vtrc (round to an
 * integral value in the same float type).
 *
 * Every conversion is exact arithmetic on the source value, rounded once in
 * the requested mode: R nearest-even, A nearest ties-away, F floor, C ceil,
 * Z toward zero, O to odd (truncate, then set the last bit if inexact).
 *
 * Lane placement, with source/destination element sizes ss and ds:
 * - ss == ds: dst[i] = cvt(src[i]);
 * - narrowing, r = ss/ds (2: part EVEN/ODD = 0/1, 4: P0..P3 = 0..3):
 *   dst[r*i + part] = cvt(src[i]), every other dst lane is 0, so the parts
 *   of r conversions merge with vor;
 * - widening, r = ds/ss: dst[i] = cvt(src[r*i + part]);
 * - f4x2 <-> bf16/f16: a byte holds two fp4 values, low nibble first, and
 *   pairs with 16-bit lanes (2i, 2i+1): f4x2 -> 16-bit reads byte 4i+part
 *   into lanes 2i, 2i+1; 16-bit -> f4x2 writes byte 4i+part from them.
 * The mask has the source's granularity: a source lane that is inactive
 * gives a 0 result (all bytes of its destination lane are 0).
 *
 * Saturation and specials (each decided by the ptoas goldens under
 * test/vpto/cases/micro-op/conversion, where the docs only say "saturate on
 * overflow"):
 * - float -> integer: NaN -> 0, out-of-range values clamp to the type's
 *   range with or without SAT (the docs call NOSAT "undefined");
 * - integer -> narrower integer: SAT clamps, NOSAT wraps (golden
 *   vcvt-i32-to-i16-overflow with SAT: clamp);
 * - -> f32/f16/bf16: SAT clamps finite overflow to the largest finite value
 *   but keeps +-inf and NaN (golden vcvt-f32-special: inf stays inf under
 *   SAT); without SAT overflow gives +-inf (directed modes toward zero give
 *   the largest finite, as IEEE);
 * - -> f8E4M3FN/f8E5M2/hif8 with SAT: +-inf and overflow -> +-max finite,
 *   NaN -> 0 (golden vcvt-low-precision-special, "V300 instruction-controlled
 *   saturation"); without SAT: overflow/inf -> inf (f8E5M2, hif8) or NaN
 *   (f8E4M3FN has no inf), NaN -> NaN (0x7F/0x7E with sign, hif8 0x80);
 * - -> fp4 (no inf/NaN): overflow and inf -> +-max, NaN -> 0;
 * - hif8 has no -0: -0 (and anything rounding to 0) encodes as 0x00.
 * Formats: f8E4M3FN bias 7 (0x7F NaN, max 448), f8E5M2 bias 15 (IEEE-like),
 * f4E2M1 and f4E1M2 bias 1 (max 6 and 1.75), hif8 as decoded by the
 * goldens (dot-field tapered precision, 2^-22 .. 2^15, 0x6F = inf,
 * 0x80 = NaN). */
#ifndef PTK_RUNTIME_ISA_V_CVT_H
#define PTK_RUNTIME_ISA_V_CVT_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "runtime/isa/fp.h"
#include "runtime/isa/v_perm.h"
#include "runtime/isa/v_bits_pred.h"
#include "runtime/isa/vreg.h"

/* Element types beyond ptk_isa_dtype, one byte per element. */
enum {
  PTK_V_F8E4M3FN = 32,
  PTK_V_F8E5M2 = 33,
  PTK_V_HIF8 = 34,
  PTK_V_F4E1M2X2 = 35, /* two f4E1M2 per byte, element 2i in the low nibble */
  PTK_V_F4E2M1X2 = 36,
};

typedef enum ptk_v_rnd {
  PTK_V_RND_R, /* nearest, ties to even (the default) */
  PTK_V_RND_A, /* nearest, ties away from zero */
  PTK_V_RND_F, /* toward -inf */
  PTK_V_RND_C, /* toward +inf */
  PTK_V_RND_Z, /* toward zero */
  PTK_V_RND_O, /* to odd */
} ptk_v_rnd;

/* "R" / "ROUND_R" ... -> ptk_v_rnd, or -1. */
static inline int ptk_v_rnd_parse(const char *s) {
  if (strncmp(s, "ROUND_", 6) == 0) s += 6;
  static const char modes[] = "RAFCZO";
  if (s[0] && !s[1])
    for (int i = 0; i < 6; i++)
      if (s[0] == modes[i]) return i;
  return -1;
}
/* "EVEN"/"ODD" (0/1), "P0".."P3" (0..3), with or without "PART_"; or -1. */
static inline int ptk_v_part_parse(const char *s) {
  if (strncmp(s, "PART_", 5) == 0) s += 5;
  if (strcmp(s, "EVEN") == 0) return 0;
  if (strcmp(s, "ODD") == 0) return 1;
  if (s[0] == 'P' && s[1] >= '0' && s[1] <= '3' && !s[2]) return s[1] - '0';
  return -1;
}

/* ---- element codecs ------------------------------------------------------------------- */

/* An exact value (-1)^neg * m * 2^e, or NaN / inf. nanv keeps a float NaN's
 * bits for NaN-preserving float destinations. */
typedef struct ptk_vc_val {
  bool neg, nan, inf;
  uint64_t m;
  int e;
  float nanv;
} ptk_vc_val;

static inline ptk_vc_val ptk_vc_from_double(double d) {
  ptk_vc_val v = {signbit(d) != 0, isnan(d), isinf(d), 0, 0, (float)d};
  if (v.nan || v.inf || d == 0) return v;
  int ex;
  double f = frexp(fabs(d), &ex); /* [0.5, 1) */
  v.m = (uint64_t)ldexp(f, 53);   /* exact: 53 significant bits */
  v.e = ex - 53;
  return v;
}
static inline ptk_vc_val ptk_vc_from_int(int64_t x, bool uns) {
  ptk_vc_val v = {!uns && x < 0, false, false, 0, 0, 0.0f};
  v.m = v.neg ? 0 - (uint64_t)x : (uint64_t)x;
  return v;
}

/* m / 2^s rounded in mode (neg: the value's sign, for F and C). */
static inline uint64_t ptk_vc_rshift(uint64_t m, int s, bool neg, int mode) {
  if (s <= 0) return m; /* callers never shift left here */
  uint64_t q;
  bool above, tie, inexact;
  if (s > 64) {
    q = 0, above = false, tie = false, inexact = m != 0;
  } else if (s == 64) {
    q = 0, above = m > ((uint64_t)1 << 63), tie = m == ((uint64_t)1 << 63), inexact = m != 0;
  } else {
    uint64_t rem = m & (((uint64_t)1 << s) - 1), half = (uint64_t)1 << (s - 1);
    q = m >> s, above = rem > half, tie = rem == half, inexact = rem != 0;
  }
  switch (mode) {
  case PTK_V_RND_R: return q + (above || (tie && (q & 1)));
  case PTK_V_RND_A: return q + (above || tie);
  case PTK_V_RND_F: return q + (inexact && neg);
  case PTK_V_RND_C: return q + (inexact && !neg);
  case PTK_V_RND_O: return q | (uint64_t)inexact;
  default: return q;
  }
}

/* Overflow of a finite value in mode: true when IEEE rounding gives the
 * largest finite value instead of infinity. */
static inline bool ptk_vc_ovf_to_max(int mode, bool neg) {
  return mode == PTK_V_RND_Z || mode == PTK_V_RND_O || (mode == PTK_V_RND_F && !neg) ||
         (mode == PTK_V_RND_C && neg);
}

/* Binary float formats: ebits/mbits/bias and how the top exponent is used. */
enum { PTK_VC_IEEE, PTK_VC_FN /* no inf, all-ones = NaN */, PTK_VC_NOINF /* no inf/NaN */ };
typedef struct ptk_vc_fmt {
  int ebits, mbits, bias, kind;
  bool sat8; /* SAT also maps inf -> max and NaN -> 0 (the 8-bit formats) */
} ptk_vc_fmt;

/* The code (sign bit at ebits+mbits) of v in format f. */
static inline uint64_t ptk_vc_to_float(ptk_vc_val v, ptk_vc_fmt f, int mode, bool sat) {
  int w = f.ebits + f.mbits;
  uint64_t sign = v.neg ? (uint64_t)1 << w : 0;
  uint64_t allexp = (((uint64_t)1 << f.ebits) - 1) << f.mbits;
  uint64_t maxc = f.kind == PTK_VC_IEEE ? allexp - 1
                  : f.kind == PTK_VC_FN ? ((uint64_t)1 << w) - 2
                                        : ((uint64_t)1 << w) - 1;
  if (v.nan) {
    if ((sat && f.sat8) || f.kind == PTK_VC_NOINF) return 0;
    if (f.kind == PTK_VC_FN) return sign | (((uint64_t)1 << w) - 1);
    /* f32/f16/bf16 keep the payload as fp.h does (w excludes the sign) */
    if (w == 31 && f.ebits == 8) return ptk_f32_bits(v.nanv);
    if (w == 15 && f.ebits == 5) return ptk_f32_to_f16(v.nanv);
    if (w == 15 && f.ebits == 8) return ptk_f32_to_bf16(v.nanv);
    return sign | allexp | ((uint64_t)1 << (f.mbits - 1)); /* quiet NaN */
  }
  bool tomax;
  if (v.inf) {
    tomax = f.kind == PTK_VC_NOINF || (sat && f.sat8);
  } else {
    if (v.m == 0) return sign;
    int len = 64 - __builtin_clzll(v.m);
    int E = v.e + len - 1, emin = 1 - f.bias;
    int te = E < emin ? emin : E, s = (te - f.mbits) - v.e;
    uint64_t n = s <= 0 ? v.m << -s : ptk_vc_rshift(v.m, s, v.neg, mode);
    /* te - emin fits: |E| <= 1100 for every source */
    uint64_t code = ((uint64_t)(te - emin) << f.mbits) + n;
    if (code <= maxc) return sign | code;
    tomax = sat || f.kind == PTK_VC_NOINF || ptk_vc_ovf_to_max(mode, v.neg);
  }
  if (tomax) return sign | maxc;
  return f.kind == PTK_VC_FN ? sign | (((uint64_t)1 << w) - 1) : sign | allexp;
}

#define PTK_VC_F32 ((ptk_vc_fmt){8, 23, 127, PTK_VC_IEEE, false})
#define PTK_VC_F16 ((ptk_vc_fmt){5, 10, 15, PTK_VC_IEEE, false})
#define PTK_VC_BF16 ((ptk_vc_fmt){8, 7, 127, PTK_VC_IEEE, false})
#define PTK_VC_F64 ((ptk_vc_fmt){11, 52, 1023, PTK_VC_IEEE, false})
#define PTK_VC_E4M3FN ((ptk_vc_fmt){4, 3, 7, PTK_VC_FN, true})
#define PTK_VC_E5M2 ((ptk_vc_fmt){5, 2, 15, PTK_VC_IEEE, true})
#define PTK_VC_E2M1 ((ptk_vc_fmt){2, 1, 1, PTK_VC_NOINF, false})
#define PTK_VC_E1M2 ((ptk_vc_fmt){1, 2, 1, PTK_VC_NOINF, false})

/* Decoders (exact as float). */
static inline float ptk_vc_dec_small(uint32_t code, ptk_vc_fmt f) {
  int w = f.ebits + f.mbits;
  bool neg = (code >> w) & 1;
  uint32_t ex = (code >> f.mbits) & ((1u << f.ebits) - 1), mt = code & ((1u << f.mbits) - 1);
  float r;
  if (f.kind == PTK_VC_FN && ex == (1u << f.ebits) - 1 && mt == (1u << f.mbits) - 1)
    r = NAN;
  else if (f.kind == PTK_VC_IEEE && ex == (1u << f.ebits) - 1)
    r = mt ? NAN : INFINITY;
  else if (ex == 0)
    r = ldexpf((float)mt, 1 - f.bias - f.mbits);
  else
    r = ldexpf((float)(mt | (1u << f.mbits)), (int)ex - f.bias - f.mbits);
  return neg ? -r : r;
}
static inline float ptk_vc_dec_e4m3fn(uint8_t b) { return ptk_vc_dec_small(b, PTK_VC_E4M3FN); }
static inline float ptk_vc_dec_e5m2(uint8_t b) { return ptk_vc_dec_small(b, PTK_VC_E5M2); }
static inline float ptk_vc_dec_e2m1(uint8_t nib) { return ptk_vc_dec_small(nib & 15u, PTK_VC_E2M1); }
static inline float ptk_vc_dec_e1m2(uint8_t nib) { return ptk_vc_dec_small(nib & 15u, PTK_VC_E1M2); }

/* HiFloat8: sign, a prefix-coded "dot" field giving the exponent width, a
 * sign-magnitude exponent and 3..1 mantissa bits:
 *   bits 6..3 = 0000: 2^((b & 7) - 23) (b & 7 = 1..7; 0x00 = 0, 0x80 = NaN)
 *   0001 e: 2^0 x 1.mmm                    001s x: 2^(+-1) x 1.mmm
 *   01 s x: 2^(+-(2+x)) x 1.mmm           10 s xx: 2^(+-(4+xx)) x 1.mm
 *   11 s xxx: 2^(+-(8+xxx)) x 1.m          0x6F / 0xEF = +-inf */
static inline float ptk_vc_dec_hif8(uint8_t b) {
  if (b == 0x00) return 0.0f;
  if (b == 0x80) return NAN;
  if ((b & 0x7f) == 0x6f) return b & 0x80 ? -INFINITY : INFINITY;
  float r;
  unsigned d = (b >> 3) & 15;
  int mag, w;
  bool eneg = false;
  if (d == 0) {
    r = ldexpf(1.0f, (int)(b & 7) - 23);
  } else {
    if (d == 1) { mag = 0, w = 3; }
    else if ((d >> 1) == 1) { mag = 1, w = 3, eneg = b & 0x08; }
    else if ((d >> 2) == 1) { mag = 2 + ((b >> 3) & 1), w = 3, eneg = b & 0x10; }
    else if ((d >> 2) == 2) { mag = 4 + ((b >> 2) & 3), w = 2, eneg = b & 0x10; }
    else { mag = 8 + ((b >> 1) & 7), w = 1, eneg = b & 0x10; }
    unsigned mt = b & ((1u << w) - 1);
    r = ldexpf((float)(mt | (1u << w)), (eneg ? -mag : mag) - w);
  }
  return b & 0x80 ? -r : r;
}

/* v as hif8 in mode (the goldens use "A"), sat as documented above. */
static inline uint8_t ptk_vc_to_hif8(ptk_vc_val v, int mode, bool sat) {
  uint8_t sign = v.neg ? 0x80 : 0;
  if (v.nan) return sat ? 0x00 : 0x80;
  bool ovf = v.inf;
  if (!ovf) {
    if (v.m == 0) return 0x00;
    int len = 64 - __builtin_clzll(v.m);
    int E = v.e + len - 1;
    if (E > 15) {
      ovf = true;
    } else {
      int te = E < -22 ? -22 : E;
      int a = te < 0 ? -te : te;
      int w = a <= 3 ? 3 : a <= 7 ? 2 : a <= 15 ? 1 : 0;
      int s = (te - w) - v.e;
      uint64_t n = s <= 0 ? v.m << -s : ptk_vc_rshift(v.m, s, v.neg, mode);
      if (n == 0) return 0x00; /* no -0 */
      if (n >> (w + 1)) { /* carried into the next binade: 2^(te+1) */
        te++, n = 0;
        a = te < 0 ? -te : te;
      } else {
        n -= (uint64_t)1 << w;
      }
      if (te > 15 || (te == 15 && n != 0)) {
        ovf = true;
      } else {
        unsigned mt = (unsigned)n, c;
        bool en = te < 0;
        if (te < -15) c = (unsigned)(te + 23);
        else if (a == 0) c = 0x08 | mt;
        else if (a == 1) c = 0x10 | (en ? 0x08u : 0) | mt;
        else if (a <= 3) c = 0x20 | (en ? 0x10u : 0) | ((unsigned)(a - 2) << 3) | mt;
        else if (a <= 7) c = 0x40 | (en ? 0x10u : 0) | ((unsigned)(a - 4) << 2) | mt;
        else c = 0x60 | (en ? 0x10u : 0) | ((unsigned)(a - 8) << 1) | mt;
        return (uint8_t)(sign | c);
      }
    }
    if (!sat && !ptk_vc_ovf_to_max(mode, v.neg)) return (uint8_t)(sign | 0x6f);
    return (uint8_t)(sign | 0x6e);
  }
  return (uint8_t)(sign | (sat ? 0x6e : 0x6f));
}

/* v as an integer of `bits` bits (unsigned when uns), rounded in mode.
 * clamp: saturate to the range (float sources always, integers with SAT);
 * otherwise wrap. NaN -> 0. Returns the value sign- or zero-extended. */
static inline int64_t ptk_vc_to_int(ptk_vc_val v, unsigned bits, bool uns, int mode, bool clamp) {
  if (v.nan) return 0;
  uint64_t hi = uns ? (bits >= 64 ? UINT64_MAX : ((uint64_t)1 << bits) - 1)
                    : ((uint64_t)1 << (bits - 1)) - 1;          /* largest positive */
  uint64_t lo = uns ? 0 : (uint64_t)1 << (bits - 1);           /* magnitude of the most negative */
  uint64_t mag = 0;
  bool big = v.inf;
  if (!big) {
    if (v.e >= 0) {
      big = v.m != 0 && (v.e >= 64 || v.m > (UINT64_MAX >> v.e));
      mag = big ? 0 : v.m << v.e;
    } else {
      mag = ptk_vc_rshift(v.m, -v.e, v.neg, mode);
    }
  }
  if (clamp) {
    if (!v.neg) return (int64_t)(big || mag > hi ? hi : mag);
    if (big || mag > lo) return uns ? 0 : (int64_t)(0 - lo);
    return (int64_t)(0 - mag);
  }
  uint64_t u = big ? 0 : v.neg ? 0 - mag : mag;
  if (bits < 64) {
    u &= ((uint64_t)1 << bits) - 1;
    if (!uns && (u >> (bits - 1))) u |= ~(((uint64_t)1 << bits) - 1);
  }
  return (int64_t)u;
}

/* ---- ops --------------------------------------------------------------------------------- */

/* %dst = vcvt %src, %m {rnd, sat, part}: sdt/ddt are ptk_isa_dtype codes or
 * the PTK_V_F8... codes above; part is 0 for same-size conversions. Any
 * pair of f32, f16, bf16, f64, 8..64-bit integers, f8E4M3FN, f8E5M2 and hif8
 * converts (a superset of the documented A5 matrix); fp4 pairs with f16 and
 * bf16 only. PTK_ISA_EDTYPE for other types, PTK_ISA_EARG for a bad rnd or a
 * part outside the ratio. */
int ptk_v_cvt(int sdt, int ddt, int rnd, bool sat, int part, ptk_vreg *dst, const ptk_vreg *src,
              const ptk_vmask *m);

/* %dst = vtrc %src, %m, "RND": round each active lane of an f32/f16/bf16
 * vector to an integral value of the same type (R, A, F, C, Z; NaN and inf
 * unchanged, -0.4 -> -0); inactive lanes are 0. */
static inline int ptk_v_trc(int dt, int rnd, ptk_vreg *dst, const ptk_vreg *src,
                            const ptk_vmask *m) {
  if (dt != PTK_ISA_F32 && dt != PTK_ISA_F16 && dt != PTK_ISA_BF16) return PTK_ISA_EDTYPE;
  if (rnd < PTK_V_RND_R || rnd > PTK_V_RND_Z) return PTK_ISA_EARG;
  unsigned esz = ptk_vp_esz(dt), n = ptk_vlanes(esz);
  ptk_vreg r;
  memset(r.b, 0, sizeof r.b);
  for (unsigned i = 0; i < n; i++) {
    if (!ptk_vmask_lane(m, i, esz)) continue;
    float x = (float)ptk_vp_getf(src, dt, i), y;
    switch (rnd) {
    case PTK_V_RND_R: y = rintf(x); break; /* the default FP environment: ties to even */
    case PTK_V_RND_A: y = roundf(x); break;
    case PTK_V_RND_F: y = floorf(x); break;
    case PTK_V_RND_C: y = ceilf(x); break;
    default: y = truncf(x); break;
    }
    /* f16/bf16: an integral value of at most 2^11 (2^8) is exact in the type */
    if (dt == PTK_ISA_F32) ptk_vp_seti(&r, PTK_ISA_U32, i, ptk_f32_bits(y));
    else ptk_vp_setf(&r, dt, i, y);
  }
  *dst = r;
  return 0;
}

/* The out-of-line functions of this part (v_cvt.c, v_sort.c). */
#define PTK_VEC_ENTRY_POINTS_PRED(X) X(ptk_v_cvt) X(ptk_v_bitsort) X(ptk_v_mrgsort4)

#endif
