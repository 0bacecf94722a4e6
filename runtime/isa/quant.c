/* tdequant: integer tiles back to f32 with per-row scale and offset
 * (runtime/isa/README.md, "tdequant"). */
#include "runtime/isa/internal.h"

int ptk_isa_tdequant(const ptk_tile *dst, const ptk_tile *src, const ptk_tile *scale,
                     const ptk_tile *offset) {
  ptk_isa_lay DL, SL, AL, OL;
  int rc = ptk_isa__prep(dst, "tdequant", "dst", &DL);
  if (rc || (rc = ptk_isa__prep(src, "tdequant", "src", &SL)) ||
      (rc = ptk_isa__prep(scale, "tdequant", "scale", &AL)) ||
      (rc = ptk_isa__prep(offset, "tdequant", "offset", &OL)))
    return rc;
  if (src->dtype != PTK_ISA_I8 && src->dtype != PTK_ISA_I16)
    return ptk_isa__fail(PTK_ISA_EDTYPE, "tdequant: src must be i8 or i16, not %s",
                         ptk_isa_dtype_name(src->dtype));
  if (dst->dtype != PTK_ISA_F32 || scale->dtype != PTK_ISA_F32 || offset->dtype != PTK_ISA_F32)
    return ptk_isa__fail(PTK_ISA_EDTYPE, "tdequant: dst, scale and offset must be f32 (%s, %s, %s)",
                         ptk_isa_dtype_name(dst->dtype), ptk_isa_dtype_name(scale->dtype),
                         ptk_isa_dtype_name(offset->dtype));
  int32_t rows = dst->vrows, cols = dst->vcols;
  if ((rc = ptk_isa__need(src, rows, cols, "tdequant", "src")) ||
      (rc = ptk_isa__need(scale, rows, 1, "tdequant", "scale")) ||
      (rc = ptk_isa__need(offset, rows, 1, "tdequant", "offset")))
    return rc;
  for (int32_t r = 0; r < rows; r++) {
    float sc = ptk_isa__ld_f(PTK_ISA_F32, ptk_isa__ptr(&AL, r, 0));
    float of = ptk_isa__ld_f(PTK_ISA_F32, ptk_isa__ptr(&OL, r, 0));
    for (int32_t c = 0; c < cols; c++) {
      float x = (float)ptk_isa__ld_i(src->dtype, ptk_isa__ptr(&SL, r, c));
      float d = x - of; /* rounded to f32, then */
      d = d * sc;       /* rounded again: no fused multiply-add */
      ptk_isa__st_f(PTK_ISA_F32, ptk_isa__ptr(&DL, r, c), d);
    }
  }
  return PTK_ISA_OK;
}
