/* Helpers for the runtime/isa unit tests: tiles with their own heap storage
 * (exact size, so ASan sees any overrun), a reference element-offset function
 * written straight from pto-ir.md §8, and element access through it. */
#ifndef PTK_TESTS_UNIT_TEST_ISA_UTIL_H
#define PTK_TESTS_UNIT_TEST_ISA_UTIL_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/util.h"
#include "runtime/isa/isa.h"
#include "tests/unit/ut.h"

/* The six physical layouts: (blayout, slayout). */
typedef struct {
  ptk_isa_blayout bl;
  ptk_isa_slayout sl;
  const char *name;
} t_layout;
static const t_layout T_LAYOUTS[] = {
    {PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, "row"},
    {PTK_ISA_COL_MAJOR, PTK_ISA_NONE_BOX, "col"},
    {PTK_ISA_COL_MAJOR, PTK_ISA_BOX_ROW_MAJOR, "Nz"},
    {PTK_ISA_ROW_MAJOR, PTK_ISA_BOX_COL_MAJOR, "Zn"},
    {PTK_ISA_ROW_MAJOR, PTK_ISA_BOX_ROW_MAJOR, "Zz"},
    {PTK_ISA_COL_MAJOR, PTK_ISA_BOX_COL_MAJOR, "Nn"},
};
#define T_NLAYOUTS 6

static inline size_t t_esz(ptk_isa_dtype d) {
  switch (d) {
  case PTK_ISA_F32:
  case PTK_ISA_I32:
  case PTK_ISA_U32: return 4;
  case PTK_ISA_F16:
  case PTK_ISA_BF16:
  case PTK_ISA_I16:
  case PTK_ISA_U16: return 2;
  case PTK_ISA_F64:
  case PTK_ISA_I64:
  case PTK_ISA_U64: return 8;
  default: return 1;
  }
}

/* A tile of rows x cols with valid vr x vc; storage filled with 0xA5. */
static inline ptk_tile t_mk(ptk_isa_dtype dt, int rows, int cols, int vr, int vc,
                            ptk_isa_blayout bl, ptk_isa_slayout sl, int fractal) {
  ptk_tile t;
  size_t n = (size_t)rows * cols * t_esz(dt);
  void *mem = malloc(n ? n : 1);
  memset(mem, 0xA5, n);
  int rc = ptk_isa_tile_init(&t, mem, dt, PTK_ISA_VEC, rows, cols, vr, vc, bl, sl, fractal,
                             PTK_ISA_PAD_NULL);
  if (rc) printf("t_mk: %s\n", ptk_isa_error());
  return t;
}
static inline ptk_tile t_mkl(ptk_isa_dtype dt, int rows, int cols, int vr, int vc, int layout,
                             int fractal) {
  return t_mk(dt, rows, cols, vr, vc, T_LAYOUTS[layout].bl, T_LAYOUTS[layout].sl, fractal);
}
static inline void t_free(ptk_tile *t) { free(t->data); }

/* Reference offset: pto-ir.md §8, with / and %. */
static inline long t_off(const ptk_tile *t, int r, int c) {
  long R = t->r0 + r, C = t->c0 + c, SR = t->srows, SC = t->scols;
  if (t->slayout == PTK_ISA_NONE_BOX)
    return t->blayout == PTK_ISA_ROW_MAJOR ? R * SC + C : C * SR + R;
  long IR, IC, sz = (long)t_esz(t->dtype);
  if (t->fractal == 1024)
    IR = IC = 16;
  else if (t->slayout == PTK_ISA_BOX_ROW_MAJOR)
    IR = 16, IC = 32 / sz;
  else
    IR = 32 / sz, IC = 16;
  long bR = R / IR, r_ = R % IR, bC = C / IC, c_ = C % IC;
  bool rowb = t->blayout == PTK_ISA_ROW_MAJOR, rowbox = t->slayout == PTK_ISA_BOX_ROW_MAJOR;
  if (!rowb && rowbox) return bC * SR * IC + bR * IR * IC + r_ * IC + c_; /* Nz */
  if (rowb && !rowbox) return bR * SC * IR + bC * IR * IC + c_ * IR + r_; /* Zn */
  if (rowb && rowbox) return bR * SC * IR + bC * IR * IC + r_ * IC + c_;  /* Zz */
  return bC * SR * IC + bR * IR * IC + c_ * IR + r_;                      /* Nn */
}
static inline uint8_t *t_ptr(const ptk_tile *t, int r, int c) {
  return t->data + t_off(t, r, c) * (long)t_esz(t->dtype);
}

/* Reference half conversions (independent of runtime/isa/fp.h). */

/* Round a double to p significant bits with minimum exponent emin (so the
 * subnormal quantum is 2^(emin-p+1)) and largest finite value maxv; round to
 * nearest even, overflow to inf. */
static inline double t_round_ref(double d, int p, int emin, double maxv) {
  if (isnan(d) || isinf(d) || d == 0) return d;
  int e;
  frexp(d, &e); /* d = m * 2^e, 0.5 <= |m| < 1 */
  int ex = e - 1 < emin ? emin : e - 1;
  double q = ldexp(1.0, ex - p + 1);
  double r = nearbyint(d / q) * q;
  double lim = maxv + ldexp(1.0, (int)log2(maxv) - p); /* halfway past the largest finite */
  if (fabs(r) > maxv || fabs(d) >= lim) return copysign(INFINITY, d);
  return r;
}
static inline float t_f16_to_f32(uint16_t h) {
  int e = (h >> 10) & 0x1f, m = h & 0x3ff;
  double v;
  if (e == 31)
    v = m ? NAN : INFINITY;
  else if (e == 0)
    v = ldexp(m, -24);
  else
    v = ldexp(1024 + m, e - 25);
  return (float)((h & 0x8000) ? -v : v);
}
/* Encode an f16-representable double (or inf / NaN). */
static inline uint16_t t_enc_f16(double v) {
  uint16_t sign = signbit(v) ? 0x8000 : 0;
  double a = fabs(v);
  if (isnan(v)) return sign | 0x7e00;
  if (isinf(v)) return sign | 0x7c00;
  if (a < 0x1p-14) return (uint16_t)(sign | (uint16_t)(a * 0x1p24));
  int e;
  frexp(a, &e);
  return (uint16_t)(sign | ((e - 1 + 15) << 10) | (uint16_t)((ldexp(a, 1 - e) - 1) * 1024));
}
static inline uint16_t t_f64_to_f16(double d) {
#ifdef __FLT16_MAX__ /* the compiler's own conversion when it has _Float16 */
  _Float16 x = (_Float16)d;
  uint16_t h;
  memcpy(&h, &x, 2);
  return h;
#else
  return t_enc_f16(t_round_ref(d, 11, -14, 65504.0));
#endif
}
static inline uint16_t t_f32_to_f16(float f) { return t_f64_to_f16((double)f); }
static inline float t_bf16_to_f32(uint16_t h) {
  uint32_t u = (uint32_t)h << 16;
  float f;
  memcpy(&f, &u, 4);
  return f;
}
static inline uint16_t t_f32_to_bf16(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  if (isnan(f)) return (uint16_t)((u >> 16) | 0x40);
  uint32_t up = u >> 16, lo = u & 0xffff;
  if (lo > 0x8000 || (lo == 0x8000 && (up & 1))) up++;
  return (uint16_t)up;
}

/* Element access: floats as double, integers as long long. */
static inline double t_getd(const ptk_tile *t, int r, int c) {
  const uint8_t *p = t_ptr(t, r, c);
  uint16_t h;
  float f;
  double d;
  switch (t->dtype) {
  case PTK_ISA_F32: memcpy(&f, p, 4); return f;
  case PTK_ISA_F16: memcpy(&h, p, 2); return t_f16_to_f32(h);
  case PTK_ISA_BF16: memcpy(&h, p, 2); return t_bf16_to_f32(h);
  case PTK_ISA_F64: memcpy(&d, p, 8); return d;
  default: return NAN;
  }
}
static inline void t_setd(const ptk_tile *t, int r, int c, double v) {
  uint8_t *p = t_ptr(t, r, c);
  uint16_t h;
  float f = (float)v;
  switch (t->dtype) {
  case PTK_ISA_F32: memcpy(p, &f, 4); return;
  case PTK_ISA_F16:
    h = t_f32_to_f16(f);
    memcpy(p, &h, 2);
    return;
  case PTK_ISA_BF16:
    h = t_f32_to_bf16(f);
    memcpy(p, &h, 2);
    return;
  case PTK_ISA_F64: memcpy(p, &v, 8); return;
  default: return;
  }
}
static inline long long t_geti(const ptk_tile *t, int r, int c) {
  const uint8_t *p = t_ptr(t, r, c);
  switch (t->dtype) {
  case PTK_ISA_I8: return *(const int8_t *)p;
  case PTK_ISA_U8:
  case PTK_ISA_I1: return *p;
  case PTK_ISA_I16: {
    int16_t v;
    memcpy(&v, p, 2);
    return v;
  }
  case PTK_ISA_U16: {
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
  }
  case PTK_ISA_I32: {
    int32_t v;
    memcpy(&v, p, 4);
    return v;
  }
  case PTK_ISA_U32: {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
  }
  default: {
    long long v;
    memcpy(&v, p, 8);
    return v;
  }
  }
}
static inline void t_seti(const ptk_tile *t, int r, int c, long long v) {
  uint8_t *p = t_ptr(t, r, c);
  switch (t_esz(t->dtype)) {
  case 1: *p = (uint8_t)v; return;
  case 2: {
    uint16_t x = (uint16_t)v;
    memcpy(p, &x, 2);
    return;
  }
  case 4: {
    uint32_t x = (uint32_t)v;
    memcpy(p, &x, 4);
    return;
  }
  default: memcpy(p, &v, 8); return;
  }
}
/* Raw bits of an element (for bit-exact comparisons). */
static inline uint64_t t_bits(const ptk_tile *t, int r, int c) {
  uint64_t v = 0;
  memcpy(&v, t_ptr(t, r, c), t_esz(t->dtype));
  return v;
}
static inline bool t_is_float(ptk_isa_dtype d) {
  return d == PTK_ISA_F32 || d == PTK_ISA_F16 || d == PTK_ISA_BF16 || d == PTK_ISA_F64;
}

/* Deterministic pseudo-random numbers (xorshift). */
static inline uint64_t t_rand(uint64_t *s) {
  uint64_t x = *s;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return *s = x;
}
/* uniform in [lo, hi) */
static inline double t_uni(uint64_t *s, double lo, double hi) {
  return lo + (hi - lo) * (double)(t_rand(s) >> 11) / 9007199254740992.0;
}

/* Count of storage bytes different from 0xA5 outside the valid region's
 * elements (used to assert ops leave the rest of the tile alone). */
static inline int t_touched_outside(const ptk_tile *t, int vr, int vc) {
  int n = 0;
  size_t esz = t_esz(t->dtype);
  for (int r = 0; r < t->rows; r++)
    for (int c = 0; c < t->cols; c++) {
      if (r < vr && c < vc) continue;
      const uint8_t *p = t_ptr(t, r, c);
      for (size_t k = 0; k < esz; k++) n += p[k] != 0xA5;
    }
  return n;
}

/* bit-exact double compare (NaN == NaN) with a message on mismatch */
static inline bool t_same(double a, double b) {
  return (isnan(a) && isnan(b)) || (a == b && signbit(a) == signbit(b));
}

#endif
