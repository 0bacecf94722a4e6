/* tconcatidx: column concatenation with per-row counts (runtime/isa/README.md,
 * "tconcatidx"). */
#include "runtime/isa/internal.h"

static bool count_ok(ptk_isa_dtype t) {
  return t == PTK_ISA_I8 || t == PTK_ISA_I16 || t == PTK_ISA_I32 || t == PTK_ISA_U8 ||
         t == PTK_ISA_U16 || t == PTK_ISA_U32;
}

/* Decision: the PTOAS manual's formula; a negative count copies nothing and
 * dst columns after the copied ones are left as they were (as tconcat). */
int ptk_isa_tconcatidx(const ptk_tile *dst, const ptk_tile *a, const ptk_tile *b,
                       const ptk_tile *ia, const ptk_tile *ib) {
  static const char *op = "tconcatidx";
  ptk_isa_lay DL, AL, BL, IAL, IBL;
  int rc;
  if ((rc = ptk_isa__prep(dst, op, "dst", &DL)) || (rc = ptk_isa__prep(a, op, "src0", &AL)) ||
      (rc = ptk_isa__prep(b, op, "src1", &BL)) || (rc = ptk_isa__prep(ia, op, "src0Idx", &IAL)) ||
      (rc = ptk_isa__prep(ib, op, "src1Idx", &IBL)))
    return rc;
  if (a->dtype != dst->dtype || b->dtype != dst->dtype || !ptk_isa__concat_dtype_ok(dst->dtype))
    return ptk_isa__fail(PTK_ISA_EDTYPE, "%s: src0, src1 and dst must share one of f32 f16 bf16 i8 i16 i32 (%s, %s, %s)",
                         op, ptk_isa_dtype_name(a->dtype), ptk_isa_dtype_name(b->dtype),
                         ptk_isa_dtype_name(dst->dtype));
  if (!count_ok(ia->dtype) || ib->dtype != ia->dtype)
    return ptk_isa__fail(PTK_ISA_EDTYPE, "%s: src0Idx and src1Idx must share an 8-, 16- or 32-bit integer type (%s, %s)",
                         op, ptk_isa_dtype_name(ia->dtype), ptk_isa_dtype_name(ib->dtype));
  int32_t rows = dst->vrows;
  if (a->vrows < rows || b->vrows < rows || ia->vrows < rows || ib->vrows < rows || ia->vcols < 1 ||
      ib->vcols < 1)
    return ptk_isa__fail(PTK_ISA_ESHAPE, "%s: the sources and counts need %d valid rows (and a count column)",
                         op, (int)rows);
  for (int32_t r = 0; r < rows; r++) {
    int64_t n0 = ptk_isa__ld_i(ia->dtype, ptk_isa__ptr(&IAL, r, 0));
    int64_t n1 = ptk_isa__ld_i(ib->dtype, ptk_isa__ptr(&IBL, r, 0));
    int64_t k0 = n0 < 0 ? 0 : n0 > a->vcols ? a->vcols : n0;
    if (k0 > dst->vcols) k0 = dst->vcols;
    int64_t k1 = n1 < 0 ? 0 : n1 > b->vcols ? b->vcols : n1;
    if (k1 > dst->vcols - k0) k1 = dst->vcols - k0;
    for (int32_t c = 0; c < (int32_t)k0; c++) memmove(ptk_isa__ptr(&DL, r, c), ptk_isa__ptr(&AL, r, c), DL.esz);
    for (int32_t c = 0; c < (int32_t)k1; c++)
      memmove(ptk_isa__ptr(&DL, r, (int32_t)k0 + c), ptk_isa__ptr(&BL, r, c), DL.esz);
  }
  return PTK_ISA_OK;
}
