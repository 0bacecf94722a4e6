/* tquant: f32 tiles to 8-bit integers with per-row parameters
 * (runtime/isa/README.md, "tquant"). */
#include "runtime/isa/internal.h"

/* rint in the current (nearest-even) mode, then saturate; NaN -> 0. */
static int64_t sat_rint(float x, int64_t lo, int64_t hi) {
  if (x != x) return 0;
  float r = rintf(x);
  return r < (float)lo ? lo : r > (float)hi ? hi : (int64_t)r;
}

/* Decision: the PTOAS Quant goldens (test/samples/Quant/quant_golden.py,
 * quant_asym_golden.py): np.round(src * scale [+ offset]) in f32, clipped to
 * the dst type (their SYM kernel has an i8 dst, ASYM a u8 one). */
int ptk_isa_tquant(const ptk_tile *dst, const ptk_tile *src, const ptk_tile *fp,
                   const ptk_tile *offset, int64_t quant_type) {
  ptk_isa_lay DL, SL, FL, OL;
  int rc = ptk_isa__prep(dst, "tquant", "dst", &DL);
  if (rc || (rc = ptk_isa__prep(src, "tquant", "src", &SL)) ||
      (rc = ptk_isa__prep(fp, "tquant", "fp", &FL)))
    return rc;
  if (quant_type != 0 && quant_type != 1)
    return ptk_isa__fail(PTK_ISA_EARG,
                         "tquant: quant_type %lld is not INT8_SYM or INT8_ASYM (MX quantization is tquant.mx)",
                         (long long)quant_type);
  if ((quant_type == 1) != (offset != NULL))
    return ptk_isa__fail(PTK_ISA_EARG, "tquant: INT8_%s %s an offset tile", quant_type ? "ASYM" : "SYM",
                         quant_type ? "needs" : "takes no");
  if (offset && (rc = ptk_isa__prep(offset, "tquant", "offset", &OL))) return rc;
  if (dst->dtype != PTK_ISA_I8 && dst->dtype != PTK_ISA_U8)
    return ptk_isa__fail(PTK_ISA_EDTYPE, "tquant: dst must be i8 or u8, not %s",
                         ptk_isa_dtype_name(dst->dtype));
  if (src->dtype != PTK_ISA_F32 || fp->dtype != PTK_ISA_F32 || (offset && offset->dtype != PTK_ISA_F32))
    return ptk_isa__fail(PTK_ISA_EDTYPE, "tquant: src, fp and offset must be f32");
  int32_t rows = dst->vrows, cols = dst->vcols;
  if ((rc = ptk_isa__need(src, rows, cols, "tquant", "src")) ||
      (rc = ptk_isa__need(fp, rows, 1, "tquant", "fp")) ||
      (offset && (rc = ptk_isa__need(offset, rows, 1, "tquant", "offset"))))
    return rc;
  int64_t lo = dst->dtype == PTK_ISA_I8 ? -128 : 0, hi = dst->dtype == PTK_ISA_I8 ? 127 : 255;
  for (int32_t r = 0; r < rows; r++) {
    float sc = ptk_isa__ld_f(PTK_ISA_F32, ptk_isa__ptr(&FL, r, 0));
    float of = offset ? ptk_isa__ld_f(PTK_ISA_F32, ptk_isa__ptr(&OL, r, 0)) : 0.0f;
    for (int32_t c = 0; c < cols; c++) {
      float x = ptk_isa__ld_f(PTK_ISA_F32, ptk_isa__ptr(&SL, r, c));
      float y = x * sc; /* rounded to f32, then */
      if (offset) y = y + of; /* rounded again: no fused multiply-add */
      ptk_isa__st_i(dst->dtype, ptk_isa__ptr(&DL, r, c), sat_rint(y, lo, hi));
    }
  }
  return PTK_ISA_OK;
}
