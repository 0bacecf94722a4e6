/* VPTO elementwise vector ops (part "elem"): binary, unary, vector-scalar,
 * ternary (multiply-add), carry chains, widening multiply, broadcast and
 * duplicate, compare/select, vexpdif. Semantics of docs/isa/micro-isa 05,
 * 06, 07, 08, 11 and 13 of PTOAS, decided by the test goldens where the
 * documents are thin (each decision is a "golden:" or "decision:" comment).
 *
 * Header-only (libc, vreg.h, isa.h, fp.h, fmath.h, scalar.h), so generated C
 * embeds it: a call with constant op and dtype folds its switches and leaves
 * a plain lane loop. Every function returns 0 or a PTK_ISA_E* code and, on
 * error, writes nothing.
 *
 * Conventions shared by every op here:
 * - dt is the vector's element dtype (si16 and signless i16 are PTK_ISA_I16,
 *   ui16 is PTK_ISA_U16); N = 256 / sizeof(T) lanes.
 * - Masks are read at the dtype's granularity (lane i active iff mask bit
 *   i*sizeof(T)); a NULL mask means all lanes active.
 * - Inactive lanes of a vector result are ZERO (docs/vpto-spec.md
 *   "Predication Behavior": the native mode is zeroing, merging is not
 *   modelled; the corpus goldens never observe them, since each case stores
 *   with the same mask it computes with). A mask result (vcmp, carries) has 0
 *   in inactive lanes and in every bit that is not a lane's first bit.
 * - Floats: f32 computes in f32; f16/bf16 widen to f32, compute, round back
 *   once per op (nearest even). Integers wrap at their width; signedness
 *   follows the dtype.
 * - Destinations may alias sources (results are built in a temporary). */
#ifndef PTK_RUNTIME_ISA_V_ELEM_H
#define PTK_RUNTIME_ISA_V_ELEM_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "runtime/isa/fmath.h"
#include "runtime/isa/fp.h"
#include "runtime/isa/isa.h"
#include "runtime/isa/scalar.h"
#include "runtime/isa/vreg.h"

/* ---- op vocabularies ------------------------------------------------------------------------ */

/* vadd vsub vmul vdiv vmax vmin vand vor vxor vshl vshr vprelu; with a
 * scalar operand (ptk_v_binary_s): vadds vsubs vmuls vmaxs vmins vshls vshrs
 * vlrelu (= PRELU). */
typedef enum ptk_v_binop {
  PTK_VB_ADD,
  PTK_VB_SUB,
  PTK_VB_MUL,
  PTK_VB_DIV,   /* floats only (docs 07: no integer division) */
  PTK_VB_MAX,   /* a > b ? a : b, a NaN operand gives NaN */
  PTK_VB_MIN,   /* a < b ? a : b, a NaN operand gives NaN */
  PTK_VB_AND,   /* bitwise on the lane bits, any dtype */
  PTK_VB_OR,    /* (vor combines f16 halves after vcvt) */
  PTK_VB_XOR,
  PTK_VB_SHL,   /* integers; counts >= width give 0 */
  PTK_VB_SHR,   /* arithmetic for signed, logical for unsigned */
  PTK_VB_PRELU, /* a >= 0 ? a : a * b, floats only */
  PTK_VB_NOPS
} ptk_v_binop;

/* vabs vneg vexp vln vsqrt vrelu vnot, and vrec vrsqrt (vpto-spec v0.1). */
typedef enum ptk_v_unop {
  PTK_VU_ABS,
  PTK_VU_NEG,
  PTK_VU_EXP,
  PTK_VU_LN,
  PTK_VU_SQRT,
  PTK_VU_RELU,
  PTK_VU_NOT,
  PTK_VU_REC,
  PTK_VU_RSQRT,
  PTK_VU_NOPS
} ptk_v_unop;

/* vmula: acc + lhs * rhs; vmadd: lhs * acc + rhs. Both fused (one rounding,
 * docs 07/13: "not interchangeable with separate vmul plus vadd"). */
typedef enum ptk_v_ternop { PTK_VT_MULA, PTK_VT_MADD, PTK_VT_NOPS } ptk_v_ternop;

/* vaddc/vaddcs and vsubc/vsubcs. */
typedef enum ptk_v_carryop { PTK_VCARRY_ADD, PTK_VCARRY_SUB, PTK_VCARRY_NOPS } ptk_v_carryop;

/* ---- lane access ---------------------------------------------------------------------------- */

/* Bytes per element of a vector dtype; 0 for dtypes with no vector form. */
static inline unsigned ptk_ve_esz(ptk_isa_dtype dt) {
  switch (dt) {
  case PTK_ISA_I8:
  case PTK_ISA_U8: return 1;
  case PTK_ISA_F16:
  case PTK_ISA_BF16:
  case PTK_ISA_I16:
  case PTK_ISA_U16: return 2;
  case PTK_ISA_F32:
  case PTK_ISA_I32:
  case PTK_ISA_U32: return 4;
  case PTK_ISA_I64:
  case PTK_ISA_U64: return 8;
  default: return 0;
  }
}
static inline bool ptk_ve_isf(ptk_isa_dtype dt) {
  return dt == PTK_ISA_F32 || dt == PTK_ISA_F16 || dt == PTK_ISA_BF16;
}
static inline bool ptk_ve_uns(ptk_isa_dtype dt) {
  return dt == PTK_ISA_U8 || dt == PTK_ISA_U16 || dt == PTK_ISA_U32 || dt == PTK_ISA_U64;
}

/* Lane i of a float vector, widened to f32 (exact). */
static inline float ptk_ve_getf(ptk_isa_dtype dt, const ptk_vreg *v, unsigned i) {
  if (dt == PTK_ISA_F32) {
    float f;
    memcpy(&f, v->b + 4 * i, 4);
    return f;
  }
  uint16_t h;
  memcpy(&h, v->b + 2 * i, 2);
  return dt == PTK_ISA_F16 ? ptk_f16_to_f32(h) : ptk_bf16_to_f32(h);
}
/* Lane i of a float vector = f rounded to the dtype. */
static inline void ptk_ve_setf(ptk_isa_dtype dt, ptk_vreg *v, unsigned i, float f) {
  if (dt == PTK_ISA_F32) {
    memcpy(v->b + 4 * i, &f, 4);
    return;
  }
  uint16_t h = dt == PTK_ISA_F16 ? ptk_f32_to_f16(f) : ptk_f32_to_bf16(f);
  memcpy(v->b + 2 * i, &h, 2);
}
/* Lane i of an integer vector, sign- or zero-extended by the dtype. */
static inline int64_t ptk_ve_geti(ptk_isa_dtype dt, const ptk_vreg *v, unsigned i) {
  switch (dt) {
  case PTK_ISA_I8: return (int8_t)v->b[i];
  case PTK_ISA_U8: return v->b[i];
  case PTK_ISA_I16: {
    int16_t t;
    memcpy(&t, v->b + 2 * i, 2);
    return t;
  }
  case PTK_ISA_U16: {
    uint16_t t;
    memcpy(&t, v->b + 2 * i, 2);
    return t;
  }
  case PTK_ISA_I32: {
    int32_t t;
    memcpy(&t, v->b + 4 * i, 4);
    return t;
  }
  case PTK_ISA_U32: {
    uint32_t t;
    memcpy(&t, v->b + 4 * i, 4);
    return t;
  }
  default: {
    int64_t t;
    memcpy(&t, v->b + 8 * i, 8);
    return t;
  }
  }
}
/* Lane i of an integer vector = x wrapped to the width (esz bytes). */
static inline void ptk_ve_seti(unsigned esz, ptk_vreg *v, unsigned i, int64_t x) {
  uint64_t u = (uint64_t)x;
  switch (esz) {
  case 1: v->b[i] = (uint8_t)u; break;
  case 2: {
    uint16_t t = (uint16_t)u;
    memcpy(v->b + 2 * i, &t, 2);
    break;
  }
  case 4: {
    uint32_t t = (uint32_t)u;
    memcpy(v->b + 4 * i, &t, 4);
    break;
  }
  default: memcpy(v->b + 8 * i, &u, 8); break;
  }
}

/* Lane i (of esz-byte lanes) is active; a NULL mask is all-active. */
static inline bool ptk_ve_on(const ptk_vmask *m, unsigned i, unsigned esz) {
  return !m || ptk_vmask_lane(m, i, esz);
}

/* Zeroing predication: clear every byte of r whose lane is inactive. */
static inline void ptk_ve_zero_inactive(ptk_vreg *r, const ptk_vmask *m, unsigned esz) {
  if (!m) return;
  /* One AND per lane with all-ones or 0 from the lane's mask bit (bit i*esz),
   * on whole lanes so that a constant esz gives a short loop. */
#define PTK_VE_ZL(T, E)                                                                            \
  do {                                                                                             \
    T t_[PTK_VREG_BYTES / E];                                                                      \
    memcpy(t_, r->b, PTK_VREG_BYTES);                                                              \
    for (unsigned i = 0; i < PTK_VREG_BYTES / E; i++) {                                            \
      unsigned j = i * E;                                                                          \
      t_[i] &= (T)((T)0 - (T)((m->b[j >> 3] >> (j & 7)) & 1u));                                    \
    }                                                                                              \
    memcpy(r->b, t_, PTK_VREG_BYTES);                                                              \
  } while (0)
  switch (esz) {
  case 1: PTK_VE_ZL(uint8_t, 1); break;
  case 2: PTK_VE_ZL(uint16_t, 2); break;
  case 4: PTK_VE_ZL(uint32_t, 4); break;
  default: PTK_VE_ZL(uint64_t, 8); break;
  }
#undef PTK_VE_ZL
}

/* Every lane of v = s (a scalar cell, scalar.h) converted to dt: floats
 * round s.f to the dtype, integers keep the low bits of s.i. */
static inline void ptk_ve_bcast(ptk_isa_dtype dt, ptk_vreg *v, ptk_sc s) {
  unsigned esz = ptk_ve_esz(dt), n = PTK_VREG_BYTES / esz;
  uint64_t bits;
  if (dt == PTK_ISA_F32)
    bits = ptk_f32_bits((float)s.f);
  else if (dt == PTK_ISA_F16)
    bits = ptk_f64_to_f16(s.f);
  else if (dt == PTK_ISA_BF16)
    bits = ptk_f64_to_bf16(s.f);
  else
    bits = (uint64_t)s.i; /* little endian: the low esz bytes */
  for (unsigned i = 0; i < n; i++) memcpy(v->b + i * esz, &bits, esz);
}

/* A NaN, quieted, payload kept (the NaN operand of max/min/relu). */
static inline float ptk_ve_qnan(float x) { return ptk_bits_f32(ptk_f32_bits(x) | 0x00400000u); }

/* ---- per-lane kernels ----------------------------------------------------------------------- */

/* golden (vmin "f32_exceptional", numpy minimum/maximum): a NaN in either
 * operand gives NaN; equal operands (+0/-0) give b, as the docs' C
 * (src0 > src1 ? src0 : src1) says.
 * golden (vprelu-f32, vlrelu-f32): the test is a >= 0 (so -0 stays -0). */
static inline float ptk_ve_fbin(int op, float a, float b) {
  switch (op) {
  case PTK_VB_ADD: return a + b;
  case PTK_VB_SUB: return a - b;
  case PTK_VB_MUL: return a * b;
  case PTK_VB_DIV: return a / b; /* f16: f32 quotient rounded (vdiv golden) */
  case PTK_VB_MAX: return a != a ? ptk_ve_qnan(a) : b != b ? ptk_ve_qnan(b) : a > b ? a : b;
  case PTK_VB_MIN: return a != a ? ptk_ve_qnan(a) : b != b ? ptk_ve_qnan(b) : a < b ? a : b;
  default: return a >= 0 ? a : a * b; /* PRELU */
  }
}

/* decision: a shift count is the lane's unsigned value; counts >= the width
 * give 0 (shl, logical shr) or the sign (arithmetic shr), as ptk's scalar
 * shifts (scalar.h). The goldens only use counts in [0, width). */
static inline int64_t ptk_ve_ibin(int op, bool uns, unsigned w, int64_t a, int64_t b) {
  uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
  uint64_t wmask = w >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << w) - 1u;
  switch (op) {
  case PTK_VB_ADD: return (int64_t)(ua + ub);
  case PTK_VB_SUB: return (int64_t)(ua - ub);
  case PTK_VB_MUL: return (int64_t)(ua * ub);
  case PTK_VB_MAX:
    if (uns) return ua > ub ? a : b; /* lanes are zero-extended: unsigned order */
    return a > b ? a : b;
  case PTK_VB_MIN:
    if (uns) return ua < ub ? a : b;
    return a < b ? a : b;
  case PTK_VB_SHL: {
    uint64_t c = ub & wmask;
    return c >= w ? 0 : (int64_t)(ua << c);
  }
  default: { /* SHR */
    uint64_t c = ub & wmask;
    if (uns) return c >= w ? 0 : (int64_t)(ua >> c);
    return a >> (c >= w ? 63 : c); /* a is sign-extended: shifting by 63 fills the sign */
  }
  }
}

/* ---- binary --------------------------------------------------------------------------------- */

/* dst = a op b (ptk_v_binop) on active lanes, 0 elsewhere. */
static inline int ptk_v_binary(int op, ptk_isa_dtype dt, ptk_vreg *dst, const ptk_vreg *a,
                               const ptk_vreg *b, const ptk_vmask *m) {
  unsigned esz = ptk_ve_esz(dt);
  if (!esz) return PTK_ISA_EDTYPE;
  if (op < 0 || op >= PTK_VB_NOPS) return PTK_ISA_EARG;
  bool fl = ptk_ve_isf(dt);
  if (fl && (op == PTK_VB_SHL || op == PTK_VB_SHR)) return PTK_ISA_EDTYPE;
  if (!fl && (op == PTK_VB_DIV || op == PTK_VB_PRELU)) return PTK_ISA_EDTYPE;
  unsigned n = PTK_VREG_BYTES / esz;
  ptk_vreg r;
  if (op == PTK_VB_AND || op == PTK_VB_OR || op == PTK_VB_XOR) {
    /* decision: bitwise ops take any dtype (the vcvt-f32-to-f16 kernel ORs
     * two f16 vectors); they act on the raw lane bits. */
    for (unsigned j = 0; j < PTK_VREG_BYTES; j++)
      r.b[j] = (uint8_t)(op == PTK_VB_AND  ? a->b[j] & b->b[j]
                         : op == PTK_VB_OR ? a->b[j] | b->b[j]
                                           : a->b[j] ^ b->b[j]);
  } else if (fl) {
    for (unsigned i = 0; i < n; i++)
      ptk_ve_setf(dt, &r, i, ptk_ve_fbin(op, ptk_ve_getf(dt, a, i), ptk_ve_getf(dt, b, i)));
  } else {
    bool uns = ptk_ve_uns(dt);
    for (unsigned i = 0; i < n; i++)
      ptk_ve_seti(esz, &r, i,
                  ptk_ve_ibin(op, uns, esz * 8, ptk_ve_geti(dt, a, i), ptk_ve_geti(dt, b, i)));
  }
  ptk_ve_zero_inactive(&r, m, esz);
  *dst = r;
  return 0;
}

/* dst = a op s with the scalar s in every lane (vadds vsubs vmuls vmaxs
 * vmins vshls vshrs vlrelu). s is a scalar cell of the vector's type (its
 * float or its integer); for SHL/SHR it is the i16 shift count (docs 08),
 * read as unsigned 16 bits, so a negative count shifts everything out. */
static inline int ptk_v_binary_s(int op, ptk_isa_dtype dt, ptk_vreg *dst, const ptk_vreg *a,
                                 ptk_sc s, const ptk_vmask *m) {
  unsigned esz = ptk_ve_esz(dt);
  if (!esz) return PTK_ISA_EDTYPE;
  if (op == PTK_VB_SHL || op == PTK_VB_SHR) {
    uint64_t c = (uint16_t)s.i;
    if (c > esz * 8) c = esz * 8; /* still "too far" after narrowing to the lane */
    s.i = (int64_t)c;
  }
  ptk_vreg sv;
  ptk_ve_bcast(dt, &sv, s);
  return ptk_v_binary(op, dt, dst, a, &sv, m);
}

/* ---- unary ---------------------------------------------------------------------------------- */

/* golden (vrelu, numpy maximum(x, 0)): NaN stays NaN, -0 gives +0.
 * vexp/vln use ptk_expf/ptk_logf (fmath.h, within 1 ulp; exp(NaN) = NaN,
 * exp(-inf) = +0, exp(+inf) = +inf) as the tile library's texp/tlog;
 * vrsqrt is the correctly rounded 1/sqrt as trsqrt. */
static inline float ptk_ve_fun(int op, float x) {
  switch (op) {
  case PTK_VU_EXP: return ptk_expf(x);
  case PTK_VU_LN: return ptk_logf(x);
  case PTK_VU_SQRT: return sqrtf(x);
  case PTK_VU_REC: return 1.0f / x;
  case PTK_VU_RSQRT: return (float)(1.0 / sqrt((double)x));
  default: return x > 0 ? x : x != x ? ptk_ve_qnan(x) : 0.0f; /* RELU */
  }
}

/* dst = op(src) (ptk_v_unop) on active lanes, 0 elsewhere. */
static inline int ptk_v_unary(int op, ptk_isa_dtype dt, ptk_vreg *dst, const ptk_vreg *src,
                              const ptk_vmask *m) {
  unsigned esz = ptk_ve_esz(dt);
  if (!esz) return PTK_ISA_EDTYPE;
  if (op < 0 || op >= PTK_VU_NOPS) return PTK_ISA_EARG;
  bool fl = ptk_ve_isf(dt);
  if (!fl && op != PTK_VU_ABS && op != PTK_VU_NEG && op != PTK_VU_RELU && op != PTK_VU_NOT)
    return PTK_ISA_EDTYPE;
  unsigned n = PTK_VREG_BYTES / esz;
  ptk_vreg r;
  if (op == PTK_VU_NOT) {
    /* decision: bitwise like vand/vor/vxor, any dtype */
    for (unsigned j = 0; j < PTK_VREG_BYTES; j++) r.b[j] = (uint8_t)~src->b[j];
  } else if (fl && (op == PTK_VU_ABS || op == PTK_VU_NEG)) {
    /* The sign bit only (the top bit of each lane): exact for NaN payloads. */
    r = *src;
    for (unsigned i = 0; i < n; i++) {
      uint8_t *top = &r.b[i * esz + esz - 1];
      *top = (uint8_t)(op == PTK_VU_ABS ? *top & 0x7fu : *top ^ 0x80u);
    }
  } else if (fl) {
    for (unsigned i = 0; i < n; i++) ptk_ve_setf(dt, &r, i, ptk_ve_fun(op, ptk_ve_getf(dt, src, i)));
  } else {
    bool uns = ptk_ve_uns(dt);
    for (unsigned i = 0; i < n; i++) {
      int64_t x = ptk_ve_geti(dt, src, i), y;
      uint64_t neg = 0u - (uint64_t)x; /* wraps: vabs/vneg of the minimum stay the minimum */
      if (op == PTK_VU_ABS)
        y = (uns || x >= 0) ? x : (int64_t)neg;
      else if (op == PTK_VU_NEG)
        y = (int64_t)neg;
      else
        y = (uns || x > 0) ? x : 0; /* RELU */
      ptk_ve_seti(esz, &r, i, y);
    }
  }
  ptk_ve_zero_inactive(&r, m, esz);
  *dst = r;
  return 0;
}

/* ---- ternary (fused multiply-add) ----------------------------------------------------------- */

/* PTK_VT_MULA: dst = acc + a * b; PTK_VT_MADD: dst = a * acc + b. Floats
 * are one fmaf (f16/bf16: fmaf of the widened values, rounded to the dtype);
 * integers wrap. decision: fused as docs 07/13 say, although the vmula
 * golden computes acc + a*b unfused in numpy (1-ulp differences, inside the
 * case's tolerance). */
static inline int ptk_v_ternary(int op, ptk_isa_dtype dt, ptk_vreg *dst, const ptk_vreg *acc,
                                const ptk_vreg *a, const ptk_vreg *b, const ptk_vmask *m) {
  unsigned esz = ptk_ve_esz(dt);
  if (!esz) return PTK_ISA_EDTYPE;
  if (op < 0 || op >= PTK_VT_NOPS) return PTK_ISA_EARG;
  unsigned n = PTK_VREG_BYTES / esz;
  ptk_vreg r;
  if (ptk_ve_isf(dt)) {
    for (unsigned i = 0; i < n; i++) {
      float c = ptk_ve_getf(dt, acc, i), x = ptk_ve_getf(dt, a, i), y = ptk_ve_getf(dt, b, i);
      ptk_ve_setf(dt, &r, i, op == PTK_VT_MULA ? fmaf(x, y, c) : fmaf(x, c, y));
    }
  } else {
    for (unsigned i = 0; i < n; i++) {
      uint64_t c = (uint64_t)ptk_ve_geti(dt, acc, i), x = (uint64_t)ptk_ve_geti(dt, a, i),
               y = (uint64_t)ptk_ve_geti(dt, b, i);
      ptk_ve_seti(esz, &r, i, (int64_t)(op == PTK_VT_MULA ? c + x * y : x * c + y));
    }
  }
  ptk_ve_zero_inactive(&r, m, esz);
  *dst = r;
  return 0;
}

/* vaxpy: dst = alpha * src0 + src1 (fused, golden vaxpy-f32). */
static inline int ptk_v_axpy(ptk_isa_dtype dt, ptk_vreg *dst, const ptk_vreg *src0,
                             const ptk_vreg *src1, ptk_sc alpha, const ptk_vmask *m) {
  if (!ptk_ve_esz(dt)) return PTK_ISA_EDTYPE;
  ptk_vreg av;
  ptk_ve_bcast(dt, &av, alpha);
  return ptk_v_ternary(PTK_VT_MULA, dt, dst, src1, &av, src0, m);
}

/* ---- carry chains and widening multiply ----------------------------------------------------- */

/* vaddc/vaddcs (PTK_VCARRY_ADD): dst = a + b + cin, carry = the bit out of
 * the width. vsubc/vsubcs (PTK_VCARRY_SUB): dst = a - b - (1 - cin), carry =
 * 1 when no borrow (a >= b + (1 - cin), unsigned). cin NULL = the non-chained
 * form (add: carry-in 0; sub: no borrow in). Values are the lanes' unsigned
 * bits whatever the signedness (golden vaddc/vaddcs, ui32). Integers only. */
static inline int ptk_v_carry(int op, ptk_isa_dtype dt, ptk_vreg *dst, ptk_vmask *carry,
                              const ptk_vreg *a, const ptk_vreg *b, const ptk_vmask *cin,
                              const ptk_vmask *m) {
  unsigned esz = ptk_ve_esz(dt);
  if (!esz || ptk_ve_isf(dt)) return PTK_ISA_EDTYPE;
  if (op < 0 || op >= PTK_VCARRY_NOPS) return PTK_ISA_EARG;
  unsigned n = PTK_VREG_BYTES / esz, w = esz * 8;
  uint64_t wmask = w >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << w) - 1u;
  ptk_vreg r;
  ptk_vmask c;
  memset(&c, 0, sizeof c);
  for (unsigned i = 0; i < n; i++) {
    unsigned __int128 x = (uint64_t)ptk_ve_geti(dt, a, i) & wmask;
    unsigned __int128 y = (uint64_t)ptk_ve_geti(dt, b, i) & wmask;
    unsigned ci = cin ? ptk_vmask_lane(cin, i, esz) : (op == PTK_VCARRY_SUB);
    unsigned __int128 v;
    bool co;
    if (op == PTK_VCARRY_ADD) {
      v = x + y + ci;
      co = (v >> w) != 0;
    } else {
      unsigned __int128 sub = y + (1u - ci);
      v = x - sub; /* wraps; only the low w bits are kept */
      co = x >= sub;
    }
    ptk_ve_seti(esz, &r, i, (int64_t)(uint64_t)v);
    if (co && ptk_ve_on(m, i, esz)) ptk_vmask_set(&c, i * esz, true);
  }
  ptk_ve_zero_inactive(&r, m, esz);
  *dst = r;
  *carry = c;
  return 0;
}

/* vmull: the full 2w-bit product of each lane pair (signed or unsigned by
 * the dtype; golden vmull, i32), low w bits to lo, high w bits to hi.
 * Integers only. lo and hi must be different registers. */
static inline int ptk_v_mull(ptk_isa_dtype dt, ptk_vreg *lo, ptk_vreg *hi, const ptk_vreg *a,
                             const ptk_vreg *b, const ptk_vmask *m) {
  unsigned esz = ptk_ve_esz(dt);
  if (!esz || ptk_ve_isf(dt)) return PTK_ISA_EDTYPE;
  if (lo == hi) return PTK_ISA_EARG;
  unsigned n = PTK_VREG_BYTES / esz, w = esz * 8;
  bool uns = ptk_ve_uns(dt);
  ptk_vreg rl, rh;
  for (unsigned i = 0; i < n; i++) {
    int64_t x = ptk_ve_geti(dt, a, i), y = ptk_ve_geti(dt, b, i);
    unsigned __int128 p = uns ? (unsigned __int128)(uint64_t)x * (uint64_t)y
                              : (unsigned __int128)((__int128)x * (__int128)y);
    ptk_ve_seti(esz, &rl, i, (int64_t)(uint64_t)p);
    ptk_ve_seti(esz, &rh, i, (int64_t)(uint64_t)(p >> w));
  }
  ptk_ve_zero_inactive(&rl, m, esz);
  ptk_ve_zero_inactive(&rh, m, esz);
  *lo = rl;
  *hi = rh;
  return 0;
}

/* ---- broadcast and duplicate ---------------------------------------------------------------- */

/* vbr (m NULL: every lane) and scalar vdup: active lanes = s (converted as
 * ptk_ve_bcast; for 8-bit lanes only the low 8 bits count), others 0. */
static inline int ptk_v_dup(ptk_isa_dtype dt, ptk_vreg *dst, ptk_sc s, const ptk_vmask *m) {
  unsigned esz = ptk_ve_esz(dt);
  if (!esz) return PTK_ISA_EDTYPE;
  ptk_vreg r;
  ptk_ve_bcast(dt, &r, s);
  ptk_ve_zero_inactive(&r, m, esz);
  *dst = r;
  return 0;
}

/* vdup of a vector: lane 0 ("LOWEST", the default) or lane N-1 ("HIGHEST",
 * golden vdup-lane: the last element of each 64-lane chunk) copied to every
 * active lane, others 0. */
static inline int ptk_v_dup_lane(ptk_isa_dtype dt, ptk_vreg *dst, const ptk_vreg *src,
                                 bool highest, const ptk_vmask *m) {
  unsigned esz = ptk_ve_esz(dt);
  if (!esz) return PTK_ISA_EDTYPE;
  unsigned n = PTK_VREG_BYTES / esz;
  uint8_t lane[8];
  memcpy(lane, src->b + (highest ? (n - 1) * esz : 0), esz);
  ptk_vreg r;
  for (unsigned i = 0; i < n; i++) memcpy(r.b + i * esz, lane, esz);
  ptk_ve_zero_inactive(&r, m, esz);
  *dst = r;
  return 0;
}

/* ---- compare and select --------------------------------------------------------------------- */

/* "eq" "ne" "lt" "le" "gt" "ge" -> PTK_ISA_EQ..PTK_ISA_GE, -1 otherwise. */
static inline int ptk_v_cmp_mode(const char *s) {
  static const char *const names[] = {"eq", "ne", "lt", "le", "gt", "ge"};
  for (int k = 0; k < 6; k++)
    if (s && strcmp(s, names[k]) == 0) return k;
  return -1;
}

static inline bool ptk_ve_cmp1(int cmp, bool lt, bool eq, bool unordered) {
  switch (cmp) {
  case PTK_ISA_EQ: return eq;
  case PTK_ISA_NE: return !eq; /* NaN != anything */
  case PTK_ISA_LT: return lt;
  case PTK_ISA_LE: return lt || eq;
  case PTK_ISA_GT: return !lt && !eq && !unordered;
  default: return !lt && !unordered; /* GE */
  }
}

/* vcmp: result lane i = (a[i] cmp b[i]) for lanes active in seed, 0 for the
 * others (golden vcmp-*, vcmps-*: the mask at the source's granularity, bit
 * i*sizeof(T), every other bit 0). Floats compare as IEEE (a NaN operand:
 * only "ne" holds); integers by the dtype's signedness. */
static inline int ptk_v_cmp(int cmp, ptk_isa_dtype dt, ptk_vmask *dst, const ptk_vreg *a,
                            const ptk_vreg *b, const ptk_vmask *seed) {
  unsigned esz = ptk_ve_esz(dt);
  if (!esz) return PTK_ISA_EDTYPE;
  if (cmp < PTK_ISA_EQ || cmp > PTK_ISA_GE) return PTK_ISA_EARG;
  unsigned n = PTK_VREG_BYTES / esz;
  bool fl = ptk_ve_isf(dt), uns = ptk_ve_uns(dt);
  ptk_vmask r;
  memset(&r, 0, sizeof r);
  for (unsigned i = 0; i < n; i++) {
    if (!ptk_ve_on(seed, i, esz)) continue;
    bool lt, eq, un = false;
    if (fl) {
      float x = ptk_ve_getf(dt, a, i), y = ptk_ve_getf(dt, b, i);
      lt = x < y;
      eq = x == y;
      un = x != x || y != y;
    } else {
      int64_t x = ptk_ve_geti(dt, a, i), y = ptk_ve_geti(dt, b, i);
      lt = uns ? (uint64_t)x < (uint64_t)y : x < y;
      eq = x == y;
    }
    if (ptk_ve_cmp1(cmp, lt, eq, un)) ptk_vmask_set(&r, i * esz, true);
  }
  *dst = r;
  return 0;
}

/* vcmps: vcmp against the scalar s in every lane (converted as vadds). */
static inline int ptk_v_cmps(int cmp, ptk_isa_dtype dt, ptk_vmask *dst, const ptk_vreg *a,
                             ptk_sc s, const ptk_vmask *seed) {
  if (!ptk_ve_esz(dt)) return PTK_ISA_EDTYPE;
  ptk_vreg sv;
  ptk_ve_bcast(dt, &sv, s);
  return ptk_v_cmp(cmp, dt, dst, a, &sv, seed);
}

/* vsel: dst[i] = m[i] ? a[i] : b[i] (every lane is written). */
static inline int ptk_v_sel(ptk_isa_dtype dt, ptk_vreg *dst, const ptk_vreg *a, const ptk_vreg *b,
                            const ptk_vmask *m) {
  unsigned esz = ptk_ve_esz(dt);
  if (!esz) return PTK_ISA_EDTYPE;
  ptk_vreg r;
  for (unsigned j = 0; j < PTK_VREG_BYTES; j++) {
    unsigned first = j & ~(esz - 1u);
    r.b[j] = ptk_ve_on(m, first, 1) ? a->b[j] : b->b[j];
  }
  *dst = r;
  return 0;
}

/* vselr: dst[i] = src[idx[i]], idx lanes of the same width read unsigned.
 * decision: an index >= N wraps (taken modulo N, the low log2(N) bits); the
 * goldens only use indices < N. */
static inline int ptk_v_selr(ptk_isa_dtype dt, ptk_vreg *dst, const ptk_vreg *src,
                             const ptk_vreg *idx) {
  unsigned esz = ptk_ve_esz(dt);
  if (!esz) return PTK_ISA_EDTYPE;
  unsigned n = PTK_VREG_BYTES / esz;
  ptk_vreg r;
  for (unsigned i = 0; i < n; i++) {
    uint64_t k = 0;
    memcpy(&k, idx->b + i * esz, esz); /* little endian: the lane's unsigned value */
    memcpy(r.b + i * esz, src->b + (k & (n - 1u)) * esz, esz);
  }
  *dst = r;
  return 0;
}

/* ---- DSA/SFU -------------------------------------------------------------------------------- */

/* vexpdif: dst (64 x f32) = exp(a - b), the difference taken in f32.
 * f32 sources: lane i from lane i (part has no effect), mask at b32.
 * f16/bf16 sources (128 lanes, mask at b16): lane i from source lane
 * 2i + odd ("EVEN"/"ODD" pick the even or odd lanes, docs 09's part
 * convention), active iff that source lane is. Inactive lanes 0. */
static inline int ptk_v_expdif(ptk_isa_dtype dt, ptk_vreg *dst, const ptk_vreg *a,
                               const ptk_vreg *b, const ptk_vmask *m, bool odd) {
  if (!ptk_ve_isf(dt)) return PTK_ISA_EDTYPE;
  unsigned esz = ptk_ve_esz(dt);
  ptk_vreg r;
  for (unsigned i = 0; i < 64; i++) {
    unsigned j = esz == 4 ? i : 2 * i + (odd ? 1u : 0u);
    float v = 0.0f;
    if (ptk_ve_on(m, j, esz)) v = ptk_expf(ptk_ve_getf(dt, a, j) - ptk_ve_getf(dt, b, j));
    memcpy(r.b + 4 * i, &v, 4);
  }
  *dst = r;
  return 0;
}

/* Everything above is inline: no out-of-line entry points. */
#define PTK_VEC_ENTRY_POINTS_ELEM(X)

#endif
