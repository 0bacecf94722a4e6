/* Scalar semantics, defined once: integer and float arithmetic, the
 * extended (two-result) integer ops, comparisons and casts of the arith
 * dialect. The interpreter (runtime/interp), the constant folder
 * (backend/passes/canonicalize.c: folding = calling these, declining where
 * they report an error) and JIT-generated C (which embeds this header, see
 * runtime/jit/abi.h) all call these inline functions, so the three cannot
 * disagree. Header-only; depends on libc, fp.h and the enums of isa.h.
 *
 * Values travel in a ptk_sc cell: integers sign-extended from their width
 * `w` (i1: 0 or 1, index: 64), floats as a double already rounded to their
 * type. Float types are named by their runtime/isa dtype (F64, F32, F16,
 * BF16): f32 arithmetic is done in f32, f16/bf16 in f32 rounded back after
 * each op, f64 in f64. Integers wrap at their width; shifts by the width or
 * more give 0 (or the sign for shrsi); division by zero is an error. */
#ifndef PTK_RUNTIME_ISA_SCALAR_H
#define PTK_RUNTIME_ISA_SCALAR_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "runtime/isa/fp.h"
#include "runtime/isa/isa.h"

typedef union ptk_sc {
  int64_t i;
  double f;
} ptk_sc;

/* The op vocabularies; the op table (lang/ir/ops.def) names these
 * constants as the sub-operation of each scalar row. */
typedef enum ptk_sc_iop {
  PTK_SC_ADDI, PTK_SC_SUBI, PTK_SC_MULI, PTK_SC_DIVSI, PTK_SC_DIVUI, PTK_SC_REMSI, PTK_SC_REMUI,
  PTK_SC_CEILDIVSI, PTK_SC_CEILDIVUI, PTK_SC_FLOORDIVSI, PTK_SC_ANDI, PTK_SC_ORI, PTK_SC_XORI,
  PTK_SC_SHLI, PTK_SC_SHRUI, PTK_SC_SHRSI, PTK_SC_MAXSI, PTK_SC_MINSI, PTK_SC_MAXUI, PTK_SC_MINUI,
  PTK_SC_IPOWI
} ptk_sc_iop;
typedef enum ptk_sc_fop {
  PTK_SC_ADDF, PTK_SC_SUBF, PTK_SC_MULF, PTK_SC_DIVF, PTK_SC_REMF, PTK_SC_MAXIMUMF,
  PTK_SC_MINIMUMF, PTK_SC_MAXNUMF, PTK_SC_MINNUMF, PTK_SC_NEGF, PTK_SC_POWF, PTK_SC_FLOORF
} ptk_sc_fop;
typedef enum ptk_sc_extop { PTK_SC_ADDUI_EXTENDED, PTK_SC_MULSI_EXTENDED, PTK_SC_MULUI_EXTENDED } ptk_sc_extop;
typedef enum ptk_sc_castop {
  PTK_SC_EXT_SIGNED,   /* index_cast, extsi, trunci */
  PTK_SC_EXT_UNSIGNED, /* index_castui, extui */
  PTK_SC_FTOF,         /* extf, truncf */
  PTK_SC_SITOFP,
  PTK_SC_UITOFP,
  PTK_SC_FPTOSI,
  PTK_SC_FPTOUI,
  PTK_SC_BITCAST
} ptk_sc_castop;
/* Predicates in arith's order (the lowering maps the IR's numbering). */
typedef enum ptk_sc_cmpi {
  PTK_SC_CMPI_eq, PTK_SC_CMPI_ne, PTK_SC_CMPI_slt, PTK_SC_CMPI_sle, PTK_SC_CMPI_sgt,
  PTK_SC_CMPI_sge, PTK_SC_CMPI_ult, PTK_SC_CMPI_ule, PTK_SC_CMPI_ugt, PTK_SC_CMPI_uge
} ptk_sc_cmpi;
typedef enum ptk_sc_cmpf {
  PTK_SC_CMPF_false, PTK_SC_CMPF_oeq, PTK_SC_CMPF_ogt, PTK_SC_CMPF_oge, PTK_SC_CMPF_olt,
  PTK_SC_CMPF_ole, PTK_SC_CMPF_one, PTK_SC_CMPF_ord, PTK_SC_CMPF_ueq, PTK_SC_CMPF_ugt,
  PTK_SC_CMPF_uge, PTK_SC_CMPF_ult, PTK_SC_CMPF_ule, PTK_SC_CMPF_une, PTK_SC_CMPF_uno,
  PTK_SC_CMPF_true
} ptk_sc_cmpf;

/* A cell as a tile-op scalar operand (fl: the cell holds a float). */
static inline ptk_isa_scalar ptk_sc_isa(bool fl, ptk_sc v) {
  return fl ? ptk_isa_sf(v.f) : ptk_isa_si(v.i);
}

/* ---- integers ------------------------------------------------------------------------------ */

/* v wrapped to w bits and sign-extended (i1: 0/1). */
static inline int64_t ptk_sc_norm(int64_t v, unsigned w) {
  if (w >= 64) return v;
  if (w == 1) return v & 1;
  uint64_t m = (uint64_t)1 << (w - 1);
  uint64_t x = (uint64_t)v & (((uint64_t)1 << w) - 1);
  return (int64_t)((x ^ m) - m);
}
/* The signed value of a cell (i1 is 0/-1 when read as signed). */
static inline int64_t ptk_sc_sx(int64_t v, unsigned w) { return w == 1 ? -(v & 1) : v; }
static inline uint64_t ptk_sc_zx(int64_t v, unsigned w) {
  return w >= 64 ? (uint64_t)v : (uint64_t)v & (((uint64_t)1 << w) - 1);
}

/* *out = x op y at width w. 0, or PTK_ISA_EDIVZERO, or (ipowi: a negative
 * exponent) PTK_ISA_EARG (out untouched). ipowi wraps like muli. */
static inline __attribute__((always_inline)) int ptk_sc_iarith(int op, int64_t x, int64_t y,
                                                               unsigned w, int64_t *out) {
  int64_t r = 0;
  int64_t sx = ptk_sc_sx(x, w), sy = ptk_sc_sx(y, w);
  uint64_t ux = ptk_sc_zx(x, w), uy = ptk_sc_zx(y, w);
  switch (op) {
  case PTK_SC_ADDI: r = (int64_t)(ux + uy); break;
  case PTK_SC_SUBI: r = (int64_t)(ux - uy); break;
  case PTK_SC_MULI: r = (int64_t)(ux * uy); break;
  case PTK_SC_DIVSI:
  case PTK_SC_REMSI:
  case PTK_SC_CEILDIVSI:
  case PTK_SC_FLOORDIVSI: {
    if (sy == 0) return PTK_ISA_EDIVZERO;
    int64_t q, m;
    if (sy == -1) {
      q = (int64_t)(0 - (uint64_t)sx); /* wraps for the minimum value */
      m = 0;
    } else {
      q = sx / sy;
      m = sx % sy;
    }
    if (op == PTK_SC_REMSI)
      r = m;
    else if (op == PTK_SC_CEILDIVSI)
      r = q + (m != 0 && ((sx < 0) == (sy < 0)));
    else if (op == PTK_SC_FLOORDIVSI)
      r = q - (m != 0 && ((sx < 0) != (sy < 0)));
    else
      r = q;
    break;
  }
  case PTK_SC_DIVUI:
  case PTK_SC_REMUI:
  case PTK_SC_CEILDIVUI:
    if (uy == 0) return PTK_ISA_EDIVZERO;
    if (op == PTK_SC_DIVUI)
      r = (int64_t)(ux / uy);
    else if (op == PTK_SC_REMUI)
      r = (int64_t)(ux % uy);
    else
      r = (int64_t)(ux / uy + (ux % uy != 0));
    break;
  case PTK_SC_IPOWI: {
    if (sy < 0) return PTK_ISA_EARG;
    uint64_t b = ux, e = (uint64_t)sy, p = 1;
    for (; e; e >>= 1, b *= b)
      if (e & 1) p *= b;
    r = (int64_t)p;
    break;
  }
  case PTK_SC_ANDI: r = x & y; break;
  case PTK_SC_ORI: r = x | y; break;
  case PTK_SC_XORI: r = x ^ y; break;
  case PTK_SC_SHLI: r = uy >= w ? 0 : (int64_t)(ux << uy); break;
  case PTK_SC_SHRUI: r = uy >= w ? 0 : (int64_t)(ux >> uy); break;
  case PTK_SC_SHRSI: r = uy >= w ? (sx < 0 ? -1 : 0) : sx >> uy; break;
  case PTK_SC_MAXSI: r = sx > sy ? sx : sy; break;
  case PTK_SC_MINSI: r = sx < sy ? sx : sy; break;
  case PTK_SC_MAXUI: r = (int64_t)(ux > uy ? ux : uy); break;
  default: r = (int64_t)(ux < uy ? ux : uy); break; /* minui */
  }
  *out = ptk_sc_norm(r, w);
  return 0;
}

/* Two-result ops: addui_extended (sum, carry), mul[su]i_extended (low, high). */
static inline int ptk_sc_iarith2(int op, int64_t x, int64_t y, unsigned w, int64_t *lo,
                                 int64_t *hi) {
  if (op == PTK_SC_ADDUI_EXTENDED) {
    uint64_t ux = ptk_sc_zx(x, w), uy = ptk_sc_zx(y, w), s = ux + uy;
    *hi = w >= 64 ? s < ux : (s >> w) != 0;
    *lo = ptk_sc_norm((int64_t)s, w);
  } else if (op == PTK_SC_MULSI_EXTENDED) {
    __int128 p = (__int128)ptk_sc_sx(x, w) * (__int128)ptk_sc_sx(y, w);
    *lo = ptk_sc_norm((int64_t)(uint64_t)p, w);
    *hi = ptk_sc_norm((int64_t)(p >> w), w);
  } else {
    unsigned __int128 p = (unsigned __int128)ptk_sc_zx(x, w) * ptk_sc_zx(y, w);
    *lo = ptk_sc_norm((int64_t)(uint64_t)p, w);
    *hi = ptk_sc_norm((int64_t)(uint64_t)(p >> w), w);
  }
  return 0;
}

static inline bool ptk_sc_icmp(int pred, int64_t x, int64_t y, unsigned w) {
  int64_t a = ptk_sc_sx(x, w), b = ptk_sc_sx(y, w);
  uint64_t ua = ptk_sc_zx(x, w), ub = ptk_sc_zx(y, w);
  switch (pred) {
  case PTK_SC_CMPI_eq: return ua == ub;
  case PTK_SC_CMPI_ne: return ua != ub;
  case PTK_SC_CMPI_slt: return a < b;
  case PTK_SC_CMPI_sle: return a <= b;
  case PTK_SC_CMPI_sgt: return a > b;
  case PTK_SC_CMPI_sge: return a >= b;
  case PTK_SC_CMPI_ult: return ua < ub;
  case PTK_SC_CMPI_ule: return ua <= ub;
  case PTK_SC_CMPI_ugt: return ua > ub;
  default: return ua >= ub;
  }
}

/* ---- floats -------------------------------------------------------------------------------- */

/* v rounded to float dtype dt (F32, F16, BF16; F64 unchanged). */
static inline double ptk_sc_fround(double v, int dt) {
  switch (dt) {
  case PTK_ISA_F32: return (double)(float)v;
  case PTK_ISA_F16: return (double)ptk_f16_to_f32(ptk_f64_to_f16(v));
  case PTK_ISA_BF16: return (double)ptk_bf16_to_f32(ptk_f64_to_bf16(v));
  default: return v;
  }
}

static inline double ptk_sc_fmaximum(double x, double y) {
  if (isnan(x) || isnan(y)) return NAN;
  if (x == y) return signbit(x) ? y : x;
  return x > y ? x : y;
}
static inline double ptk_sc_fminimum(double x, double y) {
  if (isnan(x) || isnan(y)) return NAN;
  if (x == y) return signbit(x) ? x : y;
  return x < y ? x : y;
}

/* x op y in float dtype dt (negf and floor ignore y). powf is libm's pow in
 * double, rounded once to dt. */
static inline __attribute__((always_inline)) double ptk_sc_farith(int op, int dt, double x,
                                                                  double y) {
  if (dt == PTK_ISA_F64) {
    switch (op) {
    case PTK_SC_ADDF: return x + y;
    case PTK_SC_SUBF: return x - y;
    case PTK_SC_MULF: return x * y;
    case PTK_SC_DIVF: return x / y;
    case PTK_SC_REMF: return fmod(x, y);
    case PTK_SC_MAXIMUMF: return ptk_sc_fmaximum(x, y);
    case PTK_SC_MINIMUMF: return ptk_sc_fminimum(x, y);
    case PTK_SC_MAXNUMF: return fmax(x, y);
    case PTK_SC_MINNUMF: return fmin(x, y);
    case PTK_SC_POWF: return pow(x, y);
    case PTK_SC_FLOORF: return floor(x);
    default: return -x;
    }
  }
  float fx = (float)x, fy = (float)y, r;
  switch (op) {
  case PTK_SC_ADDF: r = fx + fy; break;
  case PTK_SC_SUBF: r = fx - fy; break;
  case PTK_SC_MULF: r = fx * fy; break;
  case PTK_SC_DIVF: r = fx / fy; break;
  case PTK_SC_REMF: r = fmodf(fx, fy); break;
  case PTK_SC_MAXIMUMF: r = (float)ptk_sc_fmaximum(fx, fy); break;
  case PTK_SC_MINIMUMF: r = (float)ptk_sc_fminimum(fx, fy); break;
  case PTK_SC_MAXNUMF: r = fmaxf(fx, fy); break;
  case PTK_SC_MINNUMF: r = fminf(fx, fy); break;
  case PTK_SC_POWF: return ptk_sc_fround(pow((double)fx, (double)fy), dt);
  case PTK_SC_FLOORF: r = floorf(fx); break;
  default: r = -fx; break;
  }
  return dt == PTK_ISA_F32 ? (double)r : ptk_sc_fround((double)r, dt);
}

static inline bool ptk_sc_fcmp(int pred, double x, double y) {
  bool uno = isnan(x) || isnan(y);
  switch (pred) {
  case PTK_SC_CMPF_false: return false;
  case PTK_SC_CMPF_oeq: return !uno && x == y;
  case PTK_SC_CMPF_ogt: return !uno && x > y;
  case PTK_SC_CMPF_oge: return !uno && x >= y;
  case PTK_SC_CMPF_olt: return !uno && x < y;
  case PTK_SC_CMPF_ole: return !uno && x <= y;
  case PTK_SC_CMPF_one: return !uno && x != y;
  case PTK_SC_CMPF_ord: return !uno;
  case PTK_SC_CMPF_ueq: return uno || x == y;
  case PTK_SC_CMPF_ugt: return uno || x > y;
  case PTK_SC_CMPF_uge: return uno || x >= y;
  case PTK_SC_CMPF_ult: return uno || x < y;
  case PTK_SC_CMPF_ule: return uno || x <= y;
  case PTK_SC_CMPF_une: return uno || x != y;
  case PTK_SC_CMPF_uno: return uno;
  default: return true;
  }
}

/* ---- casts --------------------------------------------------------------------------------- */

/* Float -> integer: truncate, saturate to the w-bit signed/unsigned range,
 * NaN -> 0. */
static inline int64_t ptk_sc_f2i(double v, unsigned w, bool uns) {
  if (isnan(v)) return 0;
  v = trunc(v);
  if (uns) {
    if (v <= 0) return 0;
    double hi = ldexp(1.0, (int)w);
    if (v >= hi) return w >= 64 ? (int64_t)UINT64_MAX : (int64_t)(((uint64_t)1 << w) - 1);
    return (int64_t)(uint64_t)v;
  }
  double lim = ldexp(1.0, (int)w - 1);
  if (v >= lim) return w >= 64 ? INT64_MAX : (int64_t)(((uint64_t)1 << (w - 1)) - 1);
  if (v < -lim) return w >= 64 ? INT64_MIN : -(int64_t)((uint64_t)1 << (w - 1));
  return (int64_t)v;
}

/* Integer (signed, or unsigned when uns) -> float dtype dt, one rounding:
 * magnitudes of 2^53 and more are first brought to 53 significant bits
 * rounding to odd, which keeps the final nearest-even rounding exact. */
static inline double ptk_sc_i2f(int64_t v, bool uns, int dt) {
  bool neg = !uns && v < 0;
  uint64_t u = neg ? 0 - (uint64_t)v : (uint64_t)v;
  double d;
  if (dt == PTK_ISA_F64 || dt == PTK_ISA_F32 || u < ((uint64_t)1 << 53)) {
    if (dt == PTK_ISA_F32) d = (double)(float)u; /* the host's own one rounding */
    else d = (double)u;
  } else {
    int sh = 0;
    while ((u >> sh) >= ((uint64_t)1 << 53)) sh++;
    uint64_t kept = u >> sh, lost = u & (((uint64_t)1 << sh) - 1);
    d = ldexp((double)(kept | (lost != 0)), sh);
  }
  if (neg) d = -d;
  return dt == PTK_ISA_F16 || dt == PTK_ISA_BF16 ? ptk_sc_fround(d, dt) : d;
}

static inline uint64_t ptk_sc_fbits(double v, int dt) {
  switch (dt) {
  case PTK_ISA_F32: return ptk_f32_bits((float)v);
  case PTK_ISA_F16: return ptk_f64_to_f16(v);
  case PTK_ISA_BF16: return ptk_f64_to_bf16(v);
  default: return ptk_f64_bits(v);
  }
}
static inline double ptk_sc_bitsf(uint64_t b, int dt) {
  switch (dt) {
  case PTK_ISA_F32: return ptk_bits_f32((uint32_t)b);
  case PTK_ISA_F16: return ptk_f16_to_f32((uint16_t)b);
  case PTK_ISA_BF16: return ptk_bf16_to_f32((uint16_t)b);
  default: return ptk_bits_f64(b);
  }
}

/* x of dtype sdt (width sw) converted to ddt (width dw). Float dtypes are
 * runtime/isa float dtypes; for integers only the widths matter. */
static inline ptk_sc ptk_sc_cast(int op, int sdt, unsigned sw, int ddt, unsigned dw, ptk_sc x) {
  ptk_sc r;
  r.i = 0;
  switch (op) {
  case PTK_SC_EXT_SIGNED: r.i = ptk_sc_norm(ptk_sc_sx(x.i, sw), dw); break;
  case PTK_SC_EXT_UNSIGNED: r.i = ptk_sc_norm((int64_t)ptk_sc_zx(x.i, sw), dw); break;
  case PTK_SC_FTOF: r.f = ptk_sc_fround(x.f, ddt); break;
  case PTK_SC_SITOFP: r.f = ptk_sc_i2f(ptk_sc_sx(x.i, sw), false, ddt); break;
  case PTK_SC_UITOFP: r.f = ptk_sc_i2f((int64_t)ptk_sc_zx(x.i, sw), true, ddt); break;
  case PTK_SC_FPTOSI: r.i = ptk_sc_norm(ptk_sc_f2i(x.f, dw, false), dw); break;
  case PTK_SC_FPTOUI: r.i = ptk_sc_norm(ptk_sc_f2i(x.f, dw, true), dw); break;
  default: { /* bitcast */
    bool sf = sdt == PTK_ISA_F32 || sdt == PTK_ISA_F16 || sdt == PTK_ISA_BF16 || sdt == PTK_ISA_F64;
    bool df = ddt == PTK_ISA_F32 || ddt == PTK_ISA_F16 || ddt == PTK_ISA_BF16 || ddt == PTK_ISA_F64;
    if (sf && df)
      r.f = ptk_sc_bitsf(ptk_sc_fbits(x.f, sdt), ddt);
    else if (sf)
      r.i = ptk_sc_norm((int64_t)ptk_sc_fbits(x.f, sdt), dw);
    else if (df)
      r.f = ptk_sc_bitsf(ptk_sc_zx(x.i, sw), ddt);
    else
      r.i = ptk_sc_norm(x.i, dw);
    break;
  }
  }
  return r;
}

/* ---- where arith leaves the result undefined ----------------------------------------------- */

/* arith calls these results poison: signed division overflow (MIN / -1),
 * shifts by the width or more, and float -> integer conversions of NaN,
 * infinities or out-of-range values. The functions above still give ptk's
 * own, documented value (the host must compute something), but the constant
 * folder declines to bake ptk's choice into the .pto it writes. */
static inline bool ptk_sc_iarith_poison(int op, int64_t x, int64_t y, unsigned w) {
  int64_t sx = ptk_sc_sx(x, w), sy = ptk_sc_sx(y, w);
  int64_t smin = w >= 64 ? INT64_MIN : -(int64_t)((uint64_t)1 << (w - 1));
  switch (op) {
  case PTK_SC_DIVSI:
  case PTK_SC_CEILDIVSI:
  case PTK_SC_FLOORDIVSI: return sx == smin && sy == -1 && w > 1;
  case PTK_SC_SHLI:
  case PTK_SC_SHRUI:
  case PTK_SC_SHRSI: return ptk_sc_zx(y, w) >= w;
  default: return false;
  }
}
static inline bool ptk_sc_cast_poison(int op, unsigned dw, ptk_sc x) {
  if (op != PTK_SC_FPTOSI && op != PTK_SC_FPTOUI) return false;
  if (!isfinite(x.f)) return true;
  double t = trunc(x.f);
  if (op == PTK_SC_FPTOUI) return !(t >= 0 && t < ldexp(1.0, (int)dw));
  return !(t >= -ldexp(1.0, (int)dw - 1) && t < ldexp(1.0, (int)dw - 1));
}

#endif
