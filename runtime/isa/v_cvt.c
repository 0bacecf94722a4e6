/* pto.vcvt: lane placement and the per-element conversion of v_cvt.h. Out
 * of line (listed in PTK_VEC_ENTRY_POINTS_PRED): one function covers every
 * type pair, too big to inline at each call site of generated code. */
#include "runtime/isa/internal.h"
#include "runtime/isa/v_cvt.h"

/* Source lane i as an exact value. */
static ptk_vc_val get_val(int dt, const ptk_vreg *v, unsigned i) {
  switch (dt) {
  case PTK_ISA_F32:
  case PTK_ISA_F16:
  case PTK_ISA_BF16:
  case PTK_ISA_F64: return ptk_vc_from_double(ptk_vp_getf(v, dt, i));
  case PTK_V_F8E4M3FN: return ptk_vc_from_double(ptk_vc_dec_e4m3fn(v->b[i]));
  case PTK_V_F8E5M2: return ptk_vc_from_double(ptk_vc_dec_e5m2(v->b[i]));
  case PTK_V_HIF8: return ptk_vc_from_double(ptk_vc_dec_hif8(v->b[i]));
  default: return ptk_vc_from_int(ptk_vp_geti(v, dt, i), ptk_vp_isu(dt));
  }
}

/* x converted to dt, stored in lane i. */
static void put_val(int dt, ptk_vreg *v, unsigned i, ptk_vc_val x, bool from_float, int rnd,
                    bool sat) {
  switch (dt) {
  case PTK_ISA_F32: ptk_vp_seti(v, PTK_ISA_U32, i, (int64_t)ptk_vc_to_float(x, PTK_VC_F32, rnd, sat)); break;
  case PTK_ISA_F16: ptk_vp_seti(v, PTK_ISA_U16, i, (int64_t)ptk_vc_to_float(x, PTK_VC_F16, rnd, sat)); break;
  case PTK_ISA_BF16: ptk_vp_seti(v, PTK_ISA_U16, i, (int64_t)ptk_vc_to_float(x, PTK_VC_BF16, rnd, sat)); break;
  case PTK_ISA_F64: ptk_vp_seti(v, PTK_ISA_U64, i, (int64_t)ptk_vc_to_float(x, PTK_VC_F64, rnd, sat)); break;
  case PTK_V_F8E4M3FN: v->b[i] = (uint8_t)ptk_vc_to_float(x, PTK_VC_E4M3FN, rnd, sat); break;
  case PTK_V_F8E5M2: v->b[i] = (uint8_t)ptk_vc_to_float(x, PTK_VC_E5M2, rnd, sat); break;
  case PTK_V_HIF8: v->b[i] = ptk_vc_to_hif8(x, rnd, sat); break;
  default:
    ptk_vp_seti(v, dt, i,
                ptk_vc_to_int(x, 8 * ptk_vp_esz(dt), ptk_vp_isu(dt), rnd, from_float || sat));
    break;
  }
}

static bool is_lp_float(int dt) {
  return dt == PTK_V_F8E4M3FN || dt == PTK_V_F8E5M2 || dt == PTK_V_HIF8;
}
static bool is_fp4(int dt) { return dt == PTK_V_F4E1M2X2 || dt == PTK_V_F4E2M1X2; }
static bool cvt_type_ok(int dt) {
  return (dt >= PTK_ISA_F32 && dt <= PTK_ISA_U64) || is_lp_float(dt);
}

/* fp4 <-> f16/bf16: each byte 4i+part pairs with 16-bit lanes 2i, 2i+1. */
static int cvt_fp4(int sdt, int ddt, int rnd, bool sat, int part, ptk_vreg *r,
                   const ptk_vreg *src, const ptk_vmask *m) {
  if (part < 0 || part > 3) return ptk_isa__fail(PTK_ISA_EARG, "vcvt: fp4 conversions take part P0..P3");
  if (is_fp4(sdt)) {
    if (ddt != PTK_ISA_F16 && ddt != PTK_ISA_BF16)
      return ptk_isa__fail(PTK_ISA_EDTYPE, "vcvt: fp4 converts to f16 or bf16 only");
    for (unsigned i = 0; i < 64; i++) {
      unsigned j = 4 * i + (unsigned)part;
      if (!ptk_vmask_lane(m, j, 1)) continue;
      for (unsigned h = 0; h < 2; h++) {
        uint8_t nib = (uint8_t)(src->b[j] >> (4 * h));
        float f = sdt == PTK_V_F4E1M2X2 ? ptk_vc_dec_e1m2(nib) : ptk_vc_dec_e2m1(nib);
        ptk_vp_setf(r, ddt, 2 * i + h, f); /* exact in f16 and bf16 */
      }
    }
    return 0;
  }
  if (sdt != PTK_ISA_F16 && sdt != PTK_ISA_BF16)
    return ptk_isa__fail(PTK_ISA_EDTYPE, "vcvt: fp4 converts from f16 or bf16 only");
  for (unsigned i = 0; i < 64; i++) {
    uint8_t byte = 0;
    for (unsigned h = 0; h < 2; h++) {
      unsigned l = 2 * i + h;
      if (!ptk_vmask_lane(m, l, 2)) continue;
      ptk_vc_val x = ptk_vc_from_double(ptk_vp_getf(src, sdt, l));
      uint64_t c = ptk_vc_to_float(x, ddt == PTK_V_F4E1M2X2 ? PTK_VC_E1M2 : PTK_VC_E2M1, rnd, sat);
      byte = (uint8_t)(byte | (c & 15u) << (4 * h));
    }
    r->b[4 * i + (unsigned)part] = byte;
  }
  return 0;
}

int ptk_v_cvt(int sdt, int ddt, int rnd, bool sat, int part, ptk_vreg *dst, const ptk_vreg *src,
              const ptk_vmask *m) {
  if (rnd < PTK_V_RND_R || rnd > PTK_V_RND_O)
    return ptk_isa__fail(PTK_ISA_EARG, "vcvt: rounding mode %d out of range", rnd);
  ptk_vreg r;
  memset(r.b, 0, sizeof r.b);
  if (is_fp4(sdt) || is_fp4(ddt)) {
    int rc = cvt_fp4(sdt, ddt, rnd, sat, part, &r, src, m);
    if (rc == 0) *dst = r;
    return rc;
  }
  if (!cvt_type_ok(sdt) || !cvt_type_ok(ddt))
    return ptk_isa__fail(PTK_ISA_EDTYPE, "vcvt: no conversion between element types %d and %d", sdt, ddt);
  unsigned ss = ptk_vp_esz(sdt), ds = ptk_vp_esz(ddt);
  unsigned ratio = ss > ds ? ss / ds : ds / ss;
  if (ratio == 1) part = 0;
  if (part < 0 || (unsigned)part >= ratio)
    return ptk_isa__fail(PTK_ISA_EARG, "vcvt: part %d does not exist for a %u:%u width change", part, ss, ds);
  bool from_float = ptk_vp_isf(sdt) || is_lp_float(sdt);
  if (ss >= ds) { /* same size or narrowing: dst lane ratio*i + part */
    for (unsigned i = 0; i < ptk_vlanes(ss); i++)
      if (ptk_vmask_lane(m, i, ss))
        put_val(ddt, &r, ratio * i + (unsigned)part, get_val(sdt, src, i), from_float, rnd, sat);
  } else { /* widening: source lane ratio*i + part */
    for (unsigned i = 0; i < ptk_vlanes(ds); i++) {
      unsigned j = ratio * i + (unsigned)part;
      if (ptk_vmask_lane(m, j, ss)) put_val(ddt, &r, i, get_val(sdt, src, j), from_float, rnd, sat);
    }
  }
  *dst = r;
  return 0;
}
