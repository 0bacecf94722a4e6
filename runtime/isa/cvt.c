/* tcvt: elementwise dtype conversion with rounding mode and saturation. */
#include "runtime/isa/internal.h"
#include "runtime/isa/v_cvt.h"

static float small_max(ptk_isa_dtype t) {
  return t == PTK_ISA_F16 ? 65504.0f : t == PTK_ISA_BF16 ? 0x1.fep127f : 0x1.fffffep127f;
}

/* ---- byte formats ----------------------------------------------------------------------------
 * tcvt to or from f8E4M3FN, f8E5M2, hif8 and the packed fp4 pairs (A5): the
 * other side is f32, f16 or bf16. A source element is decoded exactly and
 * rounded once into the destination by the VPTO vcvt's encoders (v_cvt.h),
 * so both levels convert alike. A packed fp4 byte holds two elements along
 * the tile's major dimension (columns when row_major), the even one in the
 * low nibble as vcvt packs them; its tile's extent counts elements (ptoas's
 * getLogicalTileDim): a 16x32 f4E1M2x2 tile takes a 16x64 source. */

static bool is_fp4(ptk_isa_dtype t) { return t == PTK_ISA_F4E2M1X2 || t == PTK_ISA_F4E1M2X2; }

/* Elements per storage element along rows (*pr) and columns (*pc). */
static void packing(const ptk_tile *t, int32_t *pr, int32_t *pc) {
  bool col = t->blayout != PTK_ISA_ROW_MAJOR;
  *pr = is_fp4(t->dtype) && col ? 2 : 1;
  *pc = is_fp4(t->dtype) && !col ? 2 : 1;
}

/* Storage byte and nibble shift of logical element (r, c). */
static uint8_t *raw_at(const ptk_isa_lay *L, const ptk_tile *t, int32_t r, int32_t c, int *shift) {
  int32_t pr, pc;
  packing(t, &pr, &pc);
  *shift = 4 * (pr == 2 ? r % 2 : c % 2);
  return ptk_isa__ptr(L, r / pr, c / pc);
}

static int vc_mode(ptk_isa_rmode rm) {
  switch (rm) {
  case PTK_ISA_RM_ROUND: return PTK_V_RND_A;
  case PTK_ISA_RM_FLOOR: return PTK_V_RND_F;
  case PTK_ISA_RM_CEIL: return PTK_V_RND_C;
  case PTK_ISA_RM_TRUNC: return PTK_V_RND_Z;
  case PTK_ISA_RM_ODD: return PTK_V_RND_O;
  default: return PTK_V_RND_R;
  }
}

static bool vc_fmt(ptk_isa_dtype t, ptk_vc_fmt *f) {
  switch (t) {
  case PTK_ISA_F32: *f = PTK_VC_F32; return true;
  case PTK_ISA_F16: *f = PTK_VC_F16; return true;
  case PTK_ISA_BF16: *f = PTK_VC_BF16; return true;
  case PTK_ISA_F8E4M3: *f = PTK_VC_E4M3FN; return true;
  case PTK_ISA_F8E5M2: *f = PTK_VC_E5M2; return true;
  case PTK_ISA_F4E2M1X2: *f = PTK_VC_E2M1; return true;
  case PTK_ISA_F4E1M2X2: *f = PTK_VC_E1M2; return true;
  default: return false;
  }
}

static double raw_load(ptk_isa_dtype t, const uint8_t *p, int shift) {
  switch (t) {
  case PTK_ISA_F8E4M3: return ptk_vc_dec_e4m3fn(*p);
  case PTK_ISA_F8E5M2: return ptk_vc_dec_e5m2(*p);
  case PTK_ISA_HIF8: return ptk_vc_dec_hif8(*p);
  case PTK_ISA_F4E2M1X2: return ptk_vc_dec_e2m1((uint8_t)(*p >> shift));
  case PTK_ISA_F4E1M2X2: return ptk_vc_dec_e1m2((uint8_t)(*p >> shift));
  default: return ptk_isa__ld_d(t, p);
  }
}

static void raw_store(ptk_isa_dtype t, uint8_t *p, int shift, double v, int mode, bool sat) {
  ptk_vc_val x = ptk_vc_from_double(v);
  ptk_vc_fmt f;
  if (t == PTK_ISA_HIF8) {
    *p = ptk_vc_to_hif8(x, mode, sat);
    return;
  }
  (void)vc_fmt(t, &f);
  uint64_t bits = ptk_vc_to_float(x, f, mode, sat);
  if (is_fp4(t)) {
    *p = (uint8_t)((*p & ~(15u << shift)) | (bits & 15u) << shift);
  } else if (t == PTK_ISA_F32) {
    uint32_t w = (uint32_t)bits;
    memcpy(p, &w, 4);
  } else if (t == PTK_ISA_F16 || t == PTK_ISA_BF16) {
    uint16_t h = (uint16_t)bits;
    memcpy(p, &h, 2);
  } else {
    *p = (uint8_t)bits;
  }
}

static int tcvt_raw(const ptk_tile *dst, const ptk_isa_lay *DL, const ptk_tile *src,
                    const ptk_isa_lay *SL, ptk_isa_rmode rm, bool sat) {
  ptk_vc_fmt f;
  bool s_ok = src->dtype == PTK_ISA_HIF8 || vc_fmt(src->dtype, &f);
  bool d_ok = dst->dtype == PTK_ISA_HIF8 || vc_fmt(dst->dtype, &f);
  if (!s_ok || !d_ok || (ptk_isa_dtype_is_raw(src->dtype) && ptk_isa_dtype_is_raw(dst->dtype)))
    return ptk_isa__fail(PTK_ISA_EDTYPE, "tcvt: no conversion from %s to %s (a byte format converts to "
                                         "or from f32, f16 or bf16)",
                         ptk_isa_dtype_name(src->dtype), ptk_isa_dtype_name(dst->dtype));
  int32_t spr, spc, dpr, dpc;
  packing(src, &spr, &spc);
  packing(dst, &dpr, &dpc);
  int32_t rows = src->vrows * spr, cols = src->vcols * spc;
  if (rows > dst->rows * dpr || cols > dst->cols * dpc)
    return ptk_isa__fail(PTK_ISA_ESHAPE, "tcvt: dst holds %dx%d elements, fewer than the %dx%d region",
                         (int)(dst->rows * dpr), (int)(dst->cols * dpc), (int)rows, (int)cols);
  int mode = vc_mode(rm);
  for (int32_t r = 0; r < rows; r++)
    for (int32_t c = 0; c < cols; c++) {
      int ss, ds;
      const uint8_t *sp = raw_at(SL, src, r, c, &ss);
      uint8_t *dp = raw_at(DL, dst, r, c, &ds);
      raw_store(dst->dtype, dp, ds, raw_load(src->dtype, sp, ss), mode, sat);
    }
  return PTK_ISA_OK;
}

int ptk_isa_tcvt(const ptk_tile *dst, const ptk_tile *src, ptk_isa_rmode rm, bool sat) {
  ptk_isa_lay DL, SL;
  int rc = ptk_isa__prep(dst, "tcvt", "dst", &DL);
  if (rc || (rc = ptk_isa__prep(src, "tcvt", "src", &SL))) return rc;
  if ((unsigned)rm > PTK_ISA_RM_CAST_RINT)
    return ptk_isa__fail(PTK_ISA_EARG, "tcvt: bad rounding mode %d", (int)rm);
  if (ptk_isa_dtype_is_raw(dst->dtype) || ptk_isa_dtype_is_raw(src->dtype))
    return tcvt_raw(dst, &DL, src, &SL, rm, sat);
  int32_t rows = src->vrows, cols = src->vcols;
  if ((rc = ptk_isa__need(dst, rows, cols, "tcvt", "dst"))) return rc;
  if (ptk_isa__cls(src->dtype) == CLS_F && ptk_isa__cls(dst->dtype) == CLS_F) {
    /* f32/f16/bf16 among themselves: exact widening into f32, one rounding
     * (nearest even) into the destination. */
    float buf[PTK_ISA_CHUNK];
    /* sat: clamp to the smaller of the two ranges (pto-isa SafeLimits: an
     * f16 source's inf becomes 65504 even into f32) */
    float m = small_max(dst->dtype) < small_max(src->dtype) ? small_max(dst->dtype)
                                                            : small_max(src->dtype);
    for (int32_t r = 0; r < rows; r++)
      for (int32_t c0 = 0; c0 < cols; c0 += PTK_ISA_CHUNK) {
        int32_t n = cols - c0 < PTK_ISA_CHUNK ? cols - c0 : PTK_ISA_CHUNK;
        ptk_isa__load_f(src, &SL, r, c0, n, 0, buf);
        if (sat)
          for (int32_t i = 0; i < n; i++) buf[i] = buf[i] > m ? m : buf[i] < -m ? -m : buf[i];
        ptk_isa__store_f(dst, &DL, r, c0, n, buf);
      }
    return PTK_ISA_OK;
  }
  for (int32_t r = 0; r < rows; r++)
    for (int32_t c = 0; c < cols; c++)
      ptk_isa_convert_elem(dst->dtype, ptk_isa__ptr(&DL, r, c), src->dtype, ptk_isa__ptr(&SL, r, c),
                           rm, sat);
  return PTK_ISA_OK;
}
