/* Lane access shared by the VPTO headers of part "pred" (v_pred.h,
 * v_red.h, v_cvt.h, v_perm.h). A header of its own because generated C
 * embeds the runtime/isa/v_*.h headers in name order with their #include
 * lines dropped: this one sorts before all of them. Header-only, libc +
 * fp.h + vreg.h. */
#ifndef PTK_RUNTIME_ISA_V_BITS_PRED_H
#define PTK_RUNTIME_ISA_V_BITS_PRED_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "runtime/isa/fp.h"
#include "runtime/isa/isa.h"
#include "runtime/isa/vreg.h"

/* Bytes per element of a dtype (ptk_isa_dtype, or one of v_cvt.h's
 * one-byte low-precision codes >= 32); 0 when unknown. */
static inline unsigned ptk_vp_esz(int dt) {
  switch (dt) {
  case PTK_ISA_I8: case PTK_ISA_U8: case PTK_ISA_I1: return 1;
  case PTK_ISA_F16: case PTK_ISA_BF16: case PTK_ISA_I16: case PTK_ISA_U16: return 2;
  case PTK_ISA_F32: case PTK_ISA_I32: case PTK_ISA_U32: return 4;
  case PTK_ISA_F64: case PTK_ISA_I64: case PTK_ISA_U64: return 8;
  default: return dt >= 32 && dt < 40 ? 1 : 0;
  }
}
static inline bool ptk_vp_isf(int dt) {
  return dt == PTK_ISA_F32 || dt == PTK_ISA_F16 || dt == PTK_ISA_BF16 || dt == PTK_ISA_F64;
}
static inline bool ptk_vp_isu(int dt) {
  return dt == PTK_ISA_U8 || dt == PTK_ISA_U16 || dt == PTK_ISA_U32 || dt == PTK_ISA_U64 ||
         dt == PTK_ISA_I1;
}
/* Integer lane i, sign- or zero-extended per the dtype. */
static inline int64_t ptk_vp_geti(const ptk_vreg *v, int dt, unsigned i) {
  const uint8_t *p = v->b + (size_t)i * ptk_vp_esz(dt);
  switch (ptk_vp_esz(dt)) {
  case 1: return ptk_vp_isu(dt) ? (int64_t)p[0] : (int64_t)(int8_t)p[0];
  case 2: {
    uint16_t x;
    memcpy(&x, p, 2);
    return ptk_vp_isu(dt) ? (int64_t)x : (int64_t)(int16_t)x;
  }
  case 4: {
    uint32_t x;
    memcpy(&x, p, 4);
    return ptk_vp_isu(dt) ? (int64_t)x : (int64_t)(int32_t)x;
  }
  default: {
    int64_t x;
    memcpy(&x, p, 8);
    return x;
  }
  }
}
/* Store the low bytes of x in lane i (wraps to the width). */
static inline void ptk_vp_seti(ptk_vreg *v, int dt, unsigned i, int64_t x) {
  unsigned n = ptk_vp_esz(dt);
  uint64_t u = (uint64_t)x;
  for (unsigned k = 0; k < n; k++) v->b[(size_t)i * n + k] = (uint8_t)(u >> (8 * k));
}
/* Float lane i (f32, f16, bf16, f64) as a double (exact). */
static inline double ptk_vp_getf(const ptk_vreg *v, int dt, unsigned i) {
  uint64_t u = (uint64_t)ptk_vp_geti(v, dt == PTK_ISA_F64 ? PTK_ISA_U64 : dt == PTK_ISA_F32 ? PTK_ISA_U32 : PTK_ISA_U16, i);
  switch (dt) {
  case PTK_ISA_F32: return (double)ptk_bits_f32((uint32_t)u);
  case PTK_ISA_F16: return (double)ptk_f16_to_f32((uint16_t)u);
  case PTK_ISA_BF16: return (double)ptk_bf16_to_f32((uint16_t)u);
  default: return ptk_bits_f64(u);
  }
}
/* Store a float lane: f32 as is, f16/bf16 rounded to nearest even, f64
 * widened (x is already an f32 value for every float op of this part that
 * computes in f32). */
static inline void ptk_vp_setf(ptk_vreg *v, int dt, unsigned i, float x) {
  switch (dt) {
  case PTK_ISA_F32: ptk_vp_seti(v, PTK_ISA_U32, i, ptk_f32_bits(x)); break;
  case PTK_ISA_F16: ptk_vp_seti(v, PTK_ISA_U16, i, ptk_f32_to_f16(x)); break;
  case PTK_ISA_BF16: ptk_vp_seti(v, PTK_ISA_U16, i, ptk_f32_to_bf16(x)); break;
  default: ptk_vp_seti(v, PTK_ISA_U64, i, (int64_t)ptk_f64_bits((double)x)); break;
  }
}

#endif
