/* tgather, tgatherb, tscatter: tile-to-tile gathers and scatters
 * (runtime/isa/README.md, "tgather / tgatherb / tscatter"). */
#include <stdlib.h>

#include "runtime/isa/internal.h"

/* #pto.mask_pattern<…> in lang/ir/enums.def order: P0101 P1010 P0001 P0010
 * P0100 P1000 P1111; PTK_ISA_MASK_NONE when the op has none. Column c is
 * selected by (pto-isa CPU MaskSelect): */
static bool mask_select(int64_t pat, int32_t c) {
  switch (pat) {
  case 0: return c % 2 == 0;
  case 1: return c % 2 == 1;
  case 2: return c % 4 == 0;
  case 3: return c % 4 == 1;
  case 4: return c % 4 == 2;
  case 5: return c % 4 == 3;
  default: return true;
  }
}

static bool index_dtype(ptk_isa_dtype t) {
  return t == PTK_ISA_I16 || t == PTK_ISA_U16 || t == PTK_ISA_I32 || t == PTK_ISA_U32;
}

static int vec_only(const ptk_tile *t, const char *op, const char *what) {
  if (t->loc != PTK_ISA_VEC)
    return ptk_isa__fail(PTK_ISA_ELAYOUT, "%s: %s is not a vec tile", op, what);
  return 0;
}

/* Element (r, c) of the tile's rows x cols seen as one row-major sequence:
 * flat index f is (f / cols, f % cols). */
static uint8_t *flat_ptr(const ptk_isa_lay *L, const ptk_tile *t, int64_t f) {
  return ptk_isa__ptr(L, (int32_t)(f / t->cols), (int32_t)(f % t->cols));
}

int ptk_isa_tgather(const ptk_tile *dst, const ptk_tile *src, const ptk_tile *idx,
                    int64_t mask_pattern) {
  ptk_isa_lay DL, SL, IL;
  int rc = ptk_isa__prep(dst, "tgather", "dst", &DL);
  if (rc || (rc = ptk_isa__prep(src, "tgather", "src", &SL))) return rc;
  if ((rc = vec_only(dst, "tgather", "dst")) || (rc = vec_only(src, "tgather", "src"))) return rc;
  size_t esz = ptk_isa_dtype_size(dst->dtype);
  if (idx) {
    /* index form: dst[r, c] = src at flat index idx[r, c] (of src's rows x
     * cols); an index outside src gives 0 */
    if ((rc = ptk_isa__prep(idx, "tgather", "indices", &IL)) ||
        (rc = vec_only(idx, "tgather", "indices")))
      return rc;
    if (src->dtype != dst->dtype)
      return ptk_isa__fail(PTK_ISA_EDTYPE, "tgather: src is %s, dst %s",
                           ptk_isa_dtype_name(src->dtype), ptk_isa_dtype_name(dst->dtype));
    if (!index_dtype(idx->dtype))
      return ptk_isa__fail(PTK_ISA_EDTYPE, "tgather: indices must be 16- or 32-bit integers, not %s",
                           ptk_isa_dtype_name(idx->dtype));
    if ((rc = ptk_isa__need(idx, dst->vrows, dst->vcols, "tgather", "indices"))) return rc;
    int64_t n = (int64_t)src->rows * src->cols;
    /* staged through a row buffer: dst may alias src */
    uint8_t *row = malloc((size_t)dst->vcols * esz + 1);
    if (!row) return ptk_isa__fail(PTK_ISA_EARG, "tgather: out of memory");
    for (int32_t r = 0; r < dst->vrows; r++) {
      for (int32_t c = 0; c < dst->vcols; c++) {
        int64_t f = ptk_isa__ld_i(idx->dtype, ptk_isa__ptr(&IL, r, c));
        if (f < 0 || f >= n)
          memset(row + (size_t)c * esz, 0, esz);
        else
          memcpy(row + (size_t)c * esz, flat_ptr(&SL, src, f), esz);
      }
      for (int32_t c = 0; c < dst->vcols; c++)
        memcpy(ptk_isa__ptr(&DL, r, c), row + (size_t)c * esz, esz);
    }
    free(row);
    return PTK_ISA_OK;
  }
  if (mask_pattern < 0 || mask_pattern > 6)
    return ptk_isa__fail(PTK_ISA_EARG,
                         "tgather: the compare form (kValue, cdst) is not supported on the host");
  /* mask form: the selected columns of src's valid region, row by row, as
   * one stream into dst's rows x cols in row-major order */
  if (ptk_isa_dtype_size(src->dtype) != esz)
    return ptk_isa__fail(PTK_ISA_EDTYPE, "tgather: src (%s) and dst (%s) differ in element size",
                         ptk_isa_dtype_name(src->dtype), ptk_isa_dtype_name(dst->dtype));
  int64_t per_row = 0;
  for (int32_t c = 0; c < src->vcols; c++) per_row += mask_select(mask_pattern, c);
  if (per_row * src->vrows > (int64_t)dst->rows * dst->cols)
    return ptk_isa__fail(PTK_ISA_ESHAPE, "tgather: %lld selected elements do not fit dst %dx%d",
                         (long long)(per_row * src->vrows), (int)dst->rows, (int)dst->cols);
  if (dst->data == src->data && mask_pattern != 6)
    return ptk_isa__fail(PTK_ISA_EARG, "tgather: the mask form cannot write its own source");
  int64_t f = 0;
  for (int32_t r = 0; r < src->vrows; r++)
    for (int32_t c = 0; c < src->vcols; c++)
      if (mask_select(mask_pattern, c)) memcpy(flat_ptr(&DL, dst, f++), ptk_isa__ptr(&SL, r, c), esz);
  return PTK_ISA_OK;
}

int ptk_isa_tgatherb(const ptk_tile *dst, const ptk_tile *src, const ptk_tile *offsets) {
  ptk_isa_lay DL, SL, OL;
  int rc = ptk_isa__prep(dst, "tgatherb", "dst", &DL);
  if (rc || (rc = ptk_isa__prep(src, "tgatherb", "src", &SL)) ||
      (rc = ptk_isa__prep(offsets, "tgatherb", "offsets", &OL)))
    return rc;
  size_t esz = ptk_isa_dtype_size(dst->dtype);
  if (esz != 1 && esz != 2 && esz != 4)
    return ptk_isa__fail(PTK_ISA_EDTYPE, "tgatherb: dst elements must be 1, 2 or 4 bytes, not %s",
                         ptk_isa_dtype_name(dst->dtype));
  if (!index_dtype(offsets->dtype) || ptk_isa_dtype_size(offsets->dtype) != 4)
    return ptk_isa__fail(PTK_ISA_EDTYPE, "tgatherb: offsets must be 32-bit integers, not %s",
                         ptk_isa_dtype_name(offsets->dtype));
  /* byte offsets address src's storage as a plain row-major block */
  if (src->blayout != PTK_ISA_ROW_MAJOR || src->slayout != PTK_ISA_NONE_BOX || src->r0 ||
      src->c0 || src->srows != src->rows || src->scols != src->cols)
    return ptk_isa__fail(PTK_ISA_ELAYOUT, "tgatherb: src must be a whole row-major none_box tile");
  int32_t per = (int32_t)(32 / esz); /* elements per 32-byte block */
  if (dst->vcols % per)
    return ptk_isa__fail(PTK_ISA_ESHAPE,
                         "tgatherb: dst valid columns (%d) are not whole 32-byte blocks",
                         (int)dst->vcols);
  int32_t nb = dst->vcols / per;
  if ((rc = ptk_isa__need(offsets, dst->vrows, nb, "tgatherb", "offsets"))) return rc;
  uint64_t bytes = (uint64_t)src->rows * (uint64_t)src->cols * ptk_isa_dtype_size(src->dtype);
  for (int32_t r = 0; r < dst->vrows; r++)
    for (int32_t b = 0; b < nb; b++) {
      uint64_t off = (uint32_t)ptk_isa__ld_i(PTK_ISA_U32, ptk_isa__ptr(&OL, r, b));
      if (off + 32 > bytes) continue; /* the CPU model skips the block */
      uint8_t blk[32];
      memcpy(blk, src->data + off, 32);
      for (int32_t i = 0; i < per; i++)
        memcpy(ptk_isa__ptr(&DL, r, b * per + i), blk + (size_t)i * esz, esz);
    }
  return PTK_ISA_OK;
}

int ptk_isa_tscatter(const ptk_tile *dst, const ptk_tile *src, const ptk_tile *idx,
                     int64_t mask_pattern) {
  ptk_isa_lay DL, SL, IL;
  int rc = ptk_isa__prep(dst, "tscatter", "dst", &DL);
  if (rc || (rc = ptk_isa__prep(src, "tscatter", "src", &SL))) return rc;
  if (!idx) {
    (void)mask_pattern;
    return ptk_isa__fail(PTK_ISA_EARG, "tscatter: the mask form is not supported on the host");
  }
  if ((rc = ptk_isa__prep(idx, "tscatter", "indexes", &IL))) return rc;
  if ((rc = vec_only(dst, "tscatter", "dst")) || (rc = vec_only(src, "tscatter", "src")) ||
      (rc = vec_only(idx, "tscatter", "indexes")))
    return rc;
  if (src->dtype != dst->dtype)
    return ptk_isa__fail(PTK_ISA_EDTYPE, "tscatter: src is %s, dst %s",
                         ptk_isa_dtype_name(src->dtype), ptk_isa_dtype_name(dst->dtype));
  if (!index_dtype(idx->dtype))
    return ptk_isa__fail(PTK_ISA_EDTYPE, "tscatter: indexes must be 16- or 32-bit integers, not %s",
                         ptk_isa_dtype_name(idx->dtype));
  if ((rc = ptk_isa__need(idx, src->vrows, src->vcols, "tscatter", "indexes"))) return rc;
  int64_t n = (int64_t)dst->rows * dst->cols;
  size_t esz = ptk_isa_dtype_size(dst->dtype);
  /* an index outside dst writes nothing (the CPU model writes out of bounds;
   * the NPU does not check either) */
  for (int32_t r = 0; r < src->vrows; r++)
    for (int32_t c = 0; c < src->vcols; c++) {
      int64_t f = ptk_isa__ld_i(idx->dtype, ptk_isa__ptr(&IL, r, c));
      if (f >= 0 && f < n) memmove(flat_ptr(&DL, dst, f), ptk_isa__ptr(&SL, r, c), esz);
    }
  return PTK_ISA_OK;
}
