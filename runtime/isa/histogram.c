/* thistogram: per-row byte histograms for radix sort (runtime/isa/README.md,
 * "thistogram"). Decided from pto-isa's THISTOGRAM goldens and its CPU
 * model: each valid source row gives 256 ascending cumulative counts (bin b
 * = how many passing elements have the selected byte <= b), written over
 * dst[r, 0..255]; the filter bytes of a uint32 source come from column 0
 * of idx rows 0, 1, 2 (byte 3, 2, 1) and hold for every row. */
#include <stdlib.h>

#include "runtime/isa/internal.h"

int ptk_isa_thistogram(const ptk_tile *dst, const ptk_tile *src, const ptk_tile *idx, int64_t byte,
                       int64_t is_msb) {
  static const char op[] = "thistogram";
  ptk_isa_lay DL, SL, IL;
  int rc = ptk_isa__prep(dst, op, "dst", &DL);
  if (rc || (rc = ptk_isa__prep(src, op, "src", &SL)) || (rc = ptk_isa__prep(idx, op, "idx", &IL))) return rc;
  if (is_msb == 0 || is_msb == 1) byte = is_msb; /* the legacy isMSB attribute: false 0, true 1 */
  bool u16 = src->dtype == PTK_ISA_U16;
  if (dst->dtype != PTK_ISA_U32 || (!u16 && src->dtype != PTK_ISA_U32) || idx->dtype != PTK_ISA_U8)
    return ptk_isa__fail(PTK_ISA_EDTYPE, "%s: needs a ui16 or ui32 src, a ui8 idx and a ui32 dst, not %s, %s, %s", op,
                         ptk_isa_dtype_name(src->dtype), ptk_isa_dtype_name(idx->dtype),
                         ptk_isa_dtype_name(dst->dtype));
  if (byte < 0 || byte > (u16 ? 1 : 3))
    return ptk_isa__fail(PTK_ISA_EARG, "%s: byte %lld of a %s source", op, (long long)byte, u16 ? "ui16" : "ui32");
  int32_t rows = src->vrows, cols = src->vcols;
  if (dst->vcols < 256)
    return ptk_isa__fail(PTK_ISA_ESHAPE, "%s: dst has %d valid columns, not the 256 bins", op, (int)dst->vcols);
  if (dst->vrows < rows)
    return ptk_isa__fail(PTK_ISA_ESHAPE, "%s: dst has %d valid rows for %d source rows", op, (int)dst->vrows, (int)rows);
  /* the filters: ui16 byte 0, the row's high byte idx[r, 0]; ui32, bytes 3 .. byte+1 from idx[0..2, 0] */
  int nf = u16 ? (byte == 0) : (int)(3 - byte);
  int32_t frows = u16 ? rows : nf;
  if (nf && (rc = ptk_isa__need(idx, frows, 1, op, "idx"))) return rc;
  uint8_t filt[3] = {0, 0, 0};
  if (!u16)
    for (int f = 0; f < nf; f++) filt[f] = (uint8_t)ptk_isa__ld_i(PTK_ISA_U8, ptk_isa__ptr(&IL, f, 0));
  /* every row is counted before dst is written (dst may share bytes with src or idx) */
  uint32_t *out = malloc(((size_t)rows ? (size_t)rows : 1) * 256 * sizeof(uint32_t));
  if (!out) return ptk_isa__fail(PTK_ISA_EARG, "%s: out of memory", op);
  for (int32_t r = 0; r < rows; r++) {
    uint32_t n[256] = {0};
    uint8_t rowf = u16 && nf ? (uint8_t)ptk_isa__ld_i(PTK_ISA_U8, ptk_isa__ptr(&IL, r, 0)) : 0;
    for (int32_t c = 0; c < cols; c++) {
      uint32_t v = (uint32_t)ptk_isa__ld_i(src->dtype, ptk_isa__ptr(&SL, r, c));
      bool pass = true;
      if (u16)
        pass = !nf || (uint8_t)(v >> 8) == rowf;
      else
        for (int f = 0; f < nf; f++) pass = pass && (uint8_t)(v >> (8 * (3 - f))) == filt[f];
      if (pass) n[(v >> (8 * byte)) & 0xFFu]++;
    }
    uint32_t acc = 0;
    for (int b = 0; b < 256; b++) out[(size_t)r * 256 + (size_t)b] = acc += n[b];
  }
  for (int32_t r = 0; r < rows; r++)
    for (int b = 0; b < 256; b++) ptk_isa__st_i(PTK_ISA_U32, ptk_isa__ptr(&DL, r, b), out[(size_t)r * 256 + (size_t)b]);
  free(out);
  return PTK_ISA_OK;
}
