/* tpartargmax, tpartargmin: partial max / min carrying index tiles
 * (runtime/isa/README.md, "tpartargmax / tpartargmin"). */
#include "runtime/isa/internal.h"

static bool data_ok(ptk_isa_dtype t) {
  return t == PTK_ISA_F32 || t == PTK_ISA_F16 || t == PTK_ISA_BF16 || t == PTK_ISA_I8 ||
         t == PTK_ISA_I16 || t == PTK_ISA_I32;
}

/* Decision: tpart's partial rule (pto-isa.md §2.2: both valid -> compare,
 * one valid -> copy it with its index, neither -> 0 and index 0); src1 is
 * taken only when strictly greater (max) / smaller (min), so ties and NaN
 * comparisons keep src0 and its index (no document fixes ties). */
int ptk_isa_tpartarg(bool max, const ptk_tile *dst, const ptk_tile *didx, const ptk_tile *a,
                     const ptk_tile *b, const ptk_tile *ia, const ptk_tile *ib) {
  const char *op = max ? "tpartargmax" : "tpartargmin";
  ptk_isa_lay DL, XL, AL, BL, IAL, IBL;
  int rc;
  if ((rc = ptk_isa__prep(dst, op, "dst", &DL)) || (rc = ptk_isa__prep(didx, op, "dstIdx", &XL)) ||
      (rc = ptk_isa__prep(a, op, "src0", &AL)) || (rc = ptk_isa__prep(b, op, "src1", &BL)) ||
      (rc = ptk_isa__prep(ia, op, "src0Idx", &IAL)) || (rc = ptk_isa__prep(ib, op, "src1Idx", &IBL)))
    return rc;
  if (a->dtype != dst->dtype || b->dtype != dst->dtype || !data_ok(dst->dtype))
    return ptk_isa__fail(PTK_ISA_EDTYPE, "%s: src0, src1 and dst must share one of f32 f16 bf16 i8 i16 i32 (%s, %s, %s)",
                         op, ptk_isa_dtype_name(a->dtype), ptk_isa_dtype_name(b->dtype),
                         ptk_isa_dtype_name(dst->dtype));
  bool i32 = (didx->dtype == PTK_ISA_I32 || didx->dtype == PTK_ISA_U32);
  if (!i32 || ia->dtype != didx->dtype || ib->dtype != didx->dtype)
    return ptk_isa__fail(PTK_ISA_EDTYPE, "%s: the index tiles must share i32 or u32 (%s, %s, %s)", op,
                         ptk_isa_dtype_name(ia->dtype), ptk_isa_dtype_name(ib->dtype),
                         ptk_isa_dtype_name(didx->dtype));
  int32_t rows = dst->vrows, cols = dst->vcols;
  if ((rc = ptk_isa__need(didx, rows, cols, op, "dstIdx"))) return rc;
  if (ia->vrows != a->vrows || ia->vcols != a->vcols || ib->vrows != b->vrows || ib->vcols != b->vcols)
    return ptk_isa__fail(PTK_ISA_ESHAPE, "%s: an index tile's valid shape differs from its data tile's", op);
  bool fl = ptk_isa__cls(dst->dtype) == CLS_F;
  for (int32_t r = 0; r < rows; r++)
    for (int32_t c = 0; c < cols; c++) {
      bool va = r < a->vrows && c < a->vcols, vb = r < b->vrows && c < b->vcols;
      uint8_t *dp = ptk_isa__ptr(&DL, r, c), *xp = ptk_isa__ptr(&XL, r, c);
      if (!va && !vb) {
        memset(dp, 0, DL.esz);
        memset(xp, 0, 4);
        continue;
      }
      bool take_b = !va;
      if (va && vb) {
        const uint8_t *ap = ptk_isa__ptr(&AL, r, c), *bp = ptk_isa__ptr(&BL, r, c);
        if (fl) {
          float x = ptk_isa__ld_f(dst->dtype, ap), y = ptk_isa__ld_f(dst->dtype, bp);
          take_b = max ? y > x : y < x;
        } else {
          int64_t x = ptk_isa__ld_i(dst->dtype, ap), y = ptk_isa__ld_i(dst->dtype, bp);
          take_b = max ? y > x : y < x;
        }
      }
      memmove(dp, take_b ? ptk_isa__ptr(&BL, r, c) : ptk_isa__ptr(&AL, r, c), DL.esz);
      memmove(xp, take_b ? ptk_isa__ptr(&IBL, r, c) : ptk_isa__ptr(&IAL, r, c), 4);
    }
  return PTK_ISA_OK;
}
