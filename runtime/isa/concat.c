/* tconcat: column-wise concatenation of two tiles (runtime/isa/README.md,
 * "tconcat"). */
#include "runtime/isa/internal.h"

/* The element types the PTOAS verifier accepts (i8/i16/i32/f16/f32/bf16; its
 * integers are signless, so the unsigned tiles of those widths are the same
 * bits). i1, f64 and 64-bit integers are refused there, so here too. */
bool ptk_isa__concat_dtype_ok(ptk_isa_dtype t) {
  switch (t) {
  case PTK_ISA_F32:
  case PTK_ISA_F16:
  case PTK_ISA_BF16:
  case PTK_ISA_I8:
  case PTK_ISA_U8:
  case PTK_ISA_I16:
  case PTK_ISA_U16:
  case PTK_ISA_I32:
  case PTK_ISA_U32: return true;
  default: return false;
  }
}

/* Bit-copy src's [0, rows) x [0, cols) into dst's columns [c0, c0 + cols),
 * row by row and left to right (the simulator's order: it matters only when
 * the tiles overlap, which the IR does not define). */
static void copy_block(const ptk_isa_lay *D, int32_t c0, const ptk_isa_lay *S, int32_t rows,
                       int32_t cols) {
  for (int32_t r = 0; r < rows; r++)
    for (int32_t c = 0; c < cols; c++)
      memcpy(ptk_isa__ptr(D, r, c0 + c), ptk_isa__ptr(S, r, c), D->esz);
}

int ptk_isa_tconcat(const ptk_tile *dst, const ptk_tile *a, const ptk_tile *b) {
  ptk_isa_lay DL, AL, BL;
  int rc = ptk_isa__prep(dst, "tconcat", "dst", &DL);
  if (rc || (rc = ptk_isa__prep(a, "tconcat", "src0", &AL)) ||
      (rc = ptk_isa__prep(b, "tconcat", "src1", &BL)))
    return rc;
  if (a->dtype != dst->dtype || b->dtype != dst->dtype)
    return ptk_isa__fail(PTK_ISA_EDTYPE, "tconcat: dtypes differ (src0 %s, src1 %s, dst %s)",
                         ptk_isa_dtype_name(a->dtype), ptk_isa_dtype_name(b->dtype),
                         ptk_isa_dtype_name(dst->dtype));
  if (!ptk_isa__concat_dtype_ok(dst->dtype))
    return ptk_isa__fail(PTK_ISA_EDTYPE, "tconcat: %s tiles are not supported",
                         ptk_isa_dtype_name(dst->dtype));
  /* PTOAS requires loc=vec on both architectures (the op runs on PIPE_V). */
  const ptk_tile *ts[3] = {a, b, dst};
  static const char *const names[3] = {"src0", "src1", "dst"};
  for (int i = 0; i < 3; i++)
    if (ts[i]->loc != PTK_ISA_VEC)
      return ptk_isa__fail(PTK_ISA_ELAYOUT, "tconcat: %s is not a vec tile", names[i]);
  /* Valid rows must agree (PTOAS verifier and both NPU implementations). */
  if (a->vrows != dst->vrows || b->vrows != dst->vrows)
    return ptk_isa__fail(PTK_ISA_ESHAPE,
                         "tconcat: valid rows differ (src0 %d, src1 %d, dst %d)", (int)a->vrows,
                         (int)b->vrows, (int)dst->vrows);
  /* Both segments must lie inside dst's valid columns (the pto-isa CPU
   * simulator's assertion); the A5 NPU even asserts equality, and writing past
   * dst's valid columns would break the valid-region contract. */
  if ((int64_t)a->vcols + b->vcols > dst->vcols)
    return ptk_isa__fail(PTK_ISA_ESHAPE,
                         "tconcat: %d + %d valid columns do not fit in dst's %d valid columns",
                         (int)a->vcols, (int)b->vcols, (int)dst->vcols);
  copy_block(&DL, 0, &AL, dst->vrows, a->vcols);
  copy_block(&DL, a->vcols, &BL, dst->vrows, b->vcols);
  return PTK_ISA_OK;
}
