/* thistogram, tprefetch_async's bounds check, multi_tile_get. */
#include "tests/unit/test_isa_util.h"

#define ROW PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512

/* ui32 row 0: bytes 3..1 = 1, 2, 3 and byte 0 = 7, 7, 9; one element with
 * byte 1 = 4 fails the byte-0 filter. Row 1: byte 3 = 5 fails every filter. */
TEST(thistogram_u32_cumulative_filtered) {
  ptk_tile s = t_mk(PTK_ISA_U32, 2, 8, 2, 4, ROW);
  ptk_tile ix = t_mk(PTK_ISA_U8, 3, 32, 3, 32, ROW);
  ptk_tile d = t_mk(PTK_ISA_U32, 2, 256, 2, 256, ROW);
  static const long long row0[4] = {0x01020307, 0x01020307, 0x01020309, 0x01020409};
  for (int c = 0; c < 4; c++) t_seti(&s, 0, c, row0[c]), t_seti(&s, 1, c, 0x05020300 + c);
  static const int f[3] = {1, 2, 3};
  for (int r = 0; r < 3; r++)
    for (int c = 0; c < 32; c++) t_seti(&ix, r, c, c ? 99 : f[r]); /* only column 0 counts */
  CHECK_INT(ptk_isa_thistogram(&d, &s, &ix, 0, 2), PTK_ISA_OK);
  CHECK_INT(t_geti(&d, 0, 6), 0);
  CHECK_INT(t_geti(&d, 0, 7), 2);
  CHECK_INT(t_geti(&d, 0, 8), 2);
  CHECK_INT(t_geti(&d, 0, 9), 3);
  CHECK_INT(t_geti(&d, 0, 255), 3);
  CHECK_INT(t_geti(&d, 1, 255), 0);
  /* byte 3, unfiltered: row 0 all at bin 1, row 1 at bin 5 */
  CHECK_INT(ptk_isa_thistogram(&d, &s, &ix, 3, 2), PTK_ISA_OK);
  CHECK_INT(t_geti(&d, 0, 0), 0);
  CHECK_INT(t_geti(&d, 0, 1), 4);
  CHECK_INT(t_geti(&d, 1, 4), 0);
  CHECK_INT(t_geti(&d, 1, 5), 4);
  /* the legacy isMSB = true is byte 1: bins 3 (three) and 4 (one) */
  CHECK_INT(ptk_isa_thistogram(&d, &s, &ix, 3, 1), PTK_ISA_OK);
  CHECK_INT(t_geti(&d, 0, 2), 0);
  CHECK_INT(t_geti(&d, 0, 3), 3);
  CHECK_INT(t_geti(&d, 0, 4), 4);
  /* refusals */
  CHECK_INT(ptk_isa_thistogram(&d, &s, &ix, 4, 2), PTK_ISA_EARG);
  ptk_tile small = t_mk(PTK_ISA_U32, 2, 256, 2, 255, ROW);
  CHECK_INT(ptk_isa_thistogram(&small, &s, &ix, 3, 2), PTK_ISA_ESHAPE);
  CHECK_INT(ptk_isa_thistogram(&d, &ix, &ix, 3, 2), PTK_ISA_EDTYPE);
  t_free(&s), t_free(&ix), t_free(&d), t_free(&small);
}

/* ui16: byte 1 counts all, byte 0 only the row's high byte idx[r, 0]. */
TEST(thistogram_u16_row_filter) {
  ptk_tile s = t_mk(PTK_ISA_U16, 2, 16, 2, 3, ROW);
  ptk_tile ix = t_mk(PTK_ISA_U8, 32, 1, 2, 1, PTK_ISA_COL_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile d = t_mk(PTK_ISA_U32, 2, 256, 2, 256, ROW);
  static const long long v[2][3] = {{0x0102, 0x0105, 0x0201}, {0x0300, 0x03FF, 0x0400}};
  for (int r = 0; r < 2; r++)
    for (int c = 0; c < 3; c++) t_seti(&s, r, c, v[r][c]);
  t_seti(&ix, 0, 0, 1), t_seti(&ix, 1, 0, 3);
  CHECK_INT(ptk_isa_thistogram(&d, &s, &ix, 0, 2), PTK_ISA_OK);
  CHECK_INT(t_geti(&d, 0, 1), 0);
  CHECK_INT(t_geti(&d, 0, 2), 1);
  CHECK_INT(t_geti(&d, 0, 5), 2);
  CHECK_INT(t_geti(&d, 0, 255), 2);
  CHECK_INT(t_geti(&d, 1, 0), 1);
  CHECK_INT(t_geti(&d, 1, 254), 1);
  CHECK_INT(t_geti(&d, 1, 255), 2);
  CHECK_INT(ptk_isa_thistogram(&d, &s, &ix, 1, 2), PTK_ISA_OK);
  CHECK_INT(t_geti(&d, 0, 1), 2);
  CHECK_INT(t_geti(&d, 0, 2), 3);
  CHECK_INT(t_geti(&d, 1, 3), 2);
  CHECK_INT(t_geti(&d, 1, 4), 3);
  CHECK_INT(ptk_isa_thistogram(&d, &s, &ix, 2, 2), PTK_ISA_EARG);
  t_free(&s), t_free(&ix), t_free(&d);
}

/* Every element of the view must lie in the buffer; negative strides too. */
TEST(prefetch_async_bounds) {
  float buf[16] = {0};
  int64_t shape[2] = {2, 4}, stride[2] = {8, 1};
  CHECK_INT(ptk_isa_prefetch_async(ptk_isa_gm_ref((uint8_t *)buf, 64, 0, 2, 0, shape, stride, PTK_ISA_F32)),
            PTK_ISA_OK);
  /* from element 5: the last is 5 + 8 + 3 = 16, one past the end */
  CHECK_INT(ptk_isa_prefetch_async(ptk_isa_gm_ref((uint8_t *)buf, 64, 20, 2, 0, shape, stride, PTK_ISA_F32)),
            PTK_ISA_ESHAPE);
  CHECK_STR(ptk_isa_error(), "tprefetch_async: the source spans elements 5 to 16 of a buffer of 16 elements; "
                             "nothing was fetched");
  ptk_isa_clear_error();
  int64_t back[1] = {-2};
  int64_t n4[1] = {4};
  CHECK_INT(ptk_isa_prefetch_async(ptk_isa_gm_ref((uint8_t *)buf, 64, 24, 1, 0, n4, back, PTK_ISA_F32)), PTK_ISA_OK);
  CHECK_INT(ptk_isa_prefetch_async(ptk_isa_gm_ref((uint8_t *)buf, 64, 20, 1, 0, n4, back, PTK_ISA_F32)),
            PTK_ISA_ESHAPE);
  ptk_isa_clear_error();
  int64_t none[1] = {0};
  CHECK_INT(ptk_isa_prefetch_async(ptk_isa_gm_ref((uint8_t *)buf, 64, 64, 1, 0, none, stride, PTK_ISA_F32)), PTK_ISA_OK);
  CHECK_INT(ptk_isa_prefetch_async(ptk_isa_gm_ref(NULL, 0, 0, 1, 0, n4, stride, PTK_ISA_F32)), PTK_ISA_EARG);
  ptk_isa_clear_error();
}

/* Slot k starts k whole tiles after slot 0. */
TEST(multi_tile_get_slots) {
  ptk_tile s0 = t_mk(PTK_ISA_F16, 4, 16, 2, 16, ROW), out;
  CHECK_INT(ptk_isa_multi_tile_get(&out, &s0, 2, 3), PTK_ISA_OK);
  CHECK(out.data == s0.data + 2 * 4 * 16 * 2);
  CHECK_INT(out.vrows, 2);
  CHECK_INT(ptk_isa_multi_tile_get(&out, &s0, 3, 3), PTK_ISA_EARG);
  CHECK_STR(ptk_isa_error(), "multi_tile_get: slot 3 is out of range: the buffer has 3 slots");
  ptk_isa_clear_error();
  CHECK_INT(ptk_isa_multi_tile_get(&out, &s0, -1, 3), PTK_ISA_EARG);
  ptk_isa_clear_error();
  t_free(&s0);
}
