/* tcvt: elementwise dtype conversion with rounding mode and saturation. */
#include "runtime/isa/internal.h"

static float small_max(ptk_isa_dtype t) {
  return t == PTK_ISA_F16 ? 65504.0f : t == PTK_ISA_BF16 ? 0x1.fep127f : 0x1.fffffep127f;
}

int ptk_isa_tcvt(const ptk_tile *dst, const ptk_tile *src, ptk_isa_rmode rm, bool sat) {
  ptk_isa_lay DL, SL;
  int rc = ptk_isa__prep(dst, "tcvt", "dst", &DL);
  if (rc || (rc = ptk_isa__prep(src, "tcvt", "src", &SL))) return rc;
  if ((unsigned)rm > PTK_ISA_RM_CAST_RINT)
    return ptk_isa__fail(PTK_ISA_EARG, "tcvt: bad rounding mode %d", (int)rm);
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
