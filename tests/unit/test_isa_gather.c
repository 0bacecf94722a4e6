/* tgather (index and mask forms), tgatherb, tscatter. */
#include "tests/unit/test_isa_util.h"

#define ROW PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512

/* Index form: flat indices over src's rows x cols (4x8 = 32 elements);
 * -1 and 32 are outside and give 0. Only dst's valid region is written. */
TEST(tgather_index_form) {
  ptk_tile s = t_mk(PTK_ISA_F32, 4, 8, 2, 3, ROW); /* valid region does not limit the index */
  ptk_tile ix = t_mk(PTK_ISA_I32, 2, 8, 2, 8, ROW);
  ptk_tile d = t_mk(PTK_ISA_F32, 2, 8, 2, 5, ROW);
  for (int r = 0; r < 4; r++)
    for (int c = 0; c < 8; c++) t_setd(&s, r, c, 100 * r + c);
  static const int idx[2][5] = {{0, 9, 31, -1, 32}, {17, 17, 8, 7, 24}};
  for (int r = 0; r < 2; r++)
    for (int c = 0; c < 5; c++) t_seti(&ix, r, c, idx[r][c]);
  CHECK_INT(ptk_isa_tgather(&d, &s, &ix, 7), PTK_ISA_OK);
  static const double want[2][5] = {{0, 101, 307, 0, 0}, {201, 201, 100, 7, 300}};
  for (int r = 0; r < 2; r++)
    for (int c = 0; c < 5; c++) CHECK_DBL(t_getd(&d, r, c), want[r][c], 0);
  CHECK(t_touched_outside(&d, 2, 5) == 0);
  /* i16 indices, f16 data */
  ptk_tile hs = t_mk(PTK_ISA_F16, 1, 16, 1, 16, ROW);
  ptk_tile hi = t_mk(PTK_ISA_I16, 1, 16, 1, 4, ROW);
  ptk_tile hd = t_mk(PTK_ISA_F16, 1, 16, 1, 4, ROW);
  for (int c = 0; c < 16; c++) t_setd(&hs, 0, c, c + 0.5);
  for (int c = 0; c < 4; c++) t_seti(&hi, 0, c, 15 - 5 * c); /* 15 10 5 0 */
  CHECK_INT(ptk_isa_tgather(&hd, &hs, &hi, 7), PTK_ISA_OK);
  for (int c = 0; c < 4; c++) CHECK_DBL(t_getd(&hd, 0, c), 15 - 5 * c + 0.5, 0);
  /* refusals: dtype mismatch, 8-bit indices, the compare form */
  CHECK_INT(ptk_isa_tgather(&hd, &s, &hi, 7), PTK_ISA_EDTYPE);
  ptk_tile bi = t_mk(PTK_ISA_U8, 1, 16, 1, 4, ROW);
  CHECK_INT(ptk_isa_tgather(&hd, &hs, &bi, 7), PTK_ISA_EDTYPE);
  CHECK_INT(ptk_isa_tgather(&hd, &hs, NULL, 7), PTK_ISA_EARG);
  t_free(&s), t_free(&ix), t_free(&d), t_free(&hs), t_free(&hi), t_free(&hd), t_free(&bi);
}

/* Mask form: P1010 (index 1: odd columns) and P0100 (index 4: c % 4 == 2)
 * of a 2x8 valid region stream row by row into dst. */
TEST(tgather_mask_form) {
  ptk_tile s = t_mk(PTK_ISA_I32, 2, 8, 2, 8, ROW);
  ptk_tile d = t_mk(PTK_ISA_U32, 2, 4, 2, 4, ROW);
  for (int r = 0; r < 2; r++)
    for (int c = 0; c < 8; c++) t_seti(&s, r, c, 10 * r + c);
  CHECK_INT(ptk_isa_tgather(&d, &s, NULL, 1), PTK_ISA_OK);
  static const int odd[2][4] = {{1, 3, 5, 7}, {11, 13, 15, 17}};
  for (int r = 0; r < 2; r++)
    for (int c = 0; c < 4; c++) CHECK_INT(t_geti(&d, r, c), odd[r][c]);
  ptk_tile d2 = t_mk(PTK_ISA_I32, 1, 8, 1, 8, ROW);
  CHECK_INT(ptk_isa_tgather(&d2, &s, NULL, 4), PTK_ISA_OK);
  CHECK_INT(t_geti(&d2, 0, 0), 2);
  CHECK_INT(t_geti(&d2, 0, 1), 6);
  CHECK_INT(t_geti(&d2, 0, 2), 12);
  CHECK_INT(t_geti(&d2, 0, 3), 16);
  CHECK(t_touched_outside(&d2, 1, 4) == 0);
  /* P1111 (6) selects all 16: too many for d2 */
  CHECK_INT(ptk_isa_tgather(&d2, &s, NULL, 6), PTK_ISA_ESHAPE);
  t_free(&s), t_free(&d), t_free(&d2);
}

/* tgatherb: 32-byte blocks at byte offsets of src's storage (f16: 16 per
 * block); an offset whose block would leave src skips the block. */
TEST(tgatherb_blocks) {
  ptk_tile s = t_mk(PTK_ISA_F16, 2, 32, 2, 32, ROW); /* 128 bytes */
  ptk_tile off = t_mk(PTK_ISA_U32, 2, 8, 2, 8, ROW);
  ptk_tile d = t_mk(PTK_ISA_F16, 2, 48, 2, 32, ROW);
  for (int r = 0; r < 2; r++)
    for (int c = 0; c < 32; c++) t_setd(&s, r, c, 32 * r + c);
  t_seti(&off, 0, 0, 64);  /* element 32 = row 1 col 0 */
  t_seti(&off, 0, 1, 2);   /* element 1 */
  t_seti(&off, 1, 0, 96);  /* element 48: the last whole block */
  t_seti(&off, 1, 1, 98);  /* 98 + 32 > 128: skipped */
  CHECK_INT(ptk_isa_tgatherb(&d, &s, &off), PTK_ISA_OK);
  for (int i = 0; i < 16; i++) {
    CHECK_DBL(t_getd(&d, 0, i), 32 + i, 0);
    CHECK_DBL(t_getd(&d, 0, 16 + i), 1 + i, 0);
    CHECK_DBL(t_getd(&d, 1, i), 48 + i, 0);
  }
  CHECK(t_touched_outside(&d, 2, 32) == 0);
  CHECK(t_bits(&d, 1, 16) == 0xA5A5); /* the skipped block */
  ptk_tile bad = t_mk(PTK_ISA_F16, 2, 48, 2, 20, ROW); /* not whole blocks */
  CHECK_INT(ptk_isa_tgatherb(&bad, &s, &off), PTK_ISA_ESHAPE);
  t_free(&s), t_free(&off), t_free(&d), t_free(&bad);
}

/* tscatter: dst at flat index idx[r, c] = src[r, c], row-major order, the
 * last writer wins; indices outside dst write nothing. */
TEST(tscatter_index_form) {
  ptk_tile s = t_mk(PTK_ISA_I16, 2, 4, 2, 3, ROW);
  ptk_tile ix = t_mk(PTK_ISA_I16, 2, 4, 2, 3, ROW);
  ptk_tile d = t_mk(PTK_ISA_I16, 3, 4, 3, 4, ROW); /* 12 elements */
  static const int idx[2][3] = {{11, 0, 5}, {5, -1, 12}};
  for (int r = 0; r < 2; r++)
    for (int c = 0; c < 3; c++) {
      t_seti(&s, r, c, 10 * r + c + 1);
      t_seti(&ix, r, c, idx[r][c]);
    }
  CHECK_INT(ptk_isa_tscatter(&d, &s, &ix, 7), PTK_ISA_OK);
  CHECK_INT(t_geti(&d, 2, 3), 1);  /* 11 */
  CHECK_INT(t_geti(&d, 0, 0), 2);  /* 0 */
  CHECK_INT(t_geti(&d, 1, 1), 11); /* 5: written by (0,2) then (1,0) */
  int written = 0;
  for (int r = 0; r < 3; r++)
    for (int c = 0; c < 4; c++) written += t_bits(&d, r, c) != 0xA5A5;
  CHECK_INT(written, 3);
  CHECK_INT(ptk_isa_tscatter(&d, &s, NULL, 0), PTK_ISA_EARG); /* mask form */
  t_free(&s), t_free(&ix), t_free(&d);
}
