/* tquant INT8_SYM / INT8_ASYM (runtime/isa/tquant.c). */
#include "tests/unit/test_isa_util.h"

#define ROW PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512

TEST(tquant_int8) {
  ptk_tile s = t_mk(PTK_ISA_F32, 2, 8, 2, 8, ROW);
  ptk_tile f = t_mk(PTK_ISA_F32, 2, 8, 2, 1, ROW);
  ptk_tile o = t_mk(PTK_ISA_F32, 2, 8, 2, 1, ROW);
  ptk_tile d = t_mk(PTK_ISA_I8, 2, 32, 2, 8, ROW);
  ptk_tile u = t_mk(PTK_ISA_U8, 2, 32, 2, 8, ROW);
  static const float x[8] = {0.5f, 1.5f, 2.5f, -0.5f, -2.5f, 127.6f, -128.5f, NAN};
  for (int c = 0; c < 8; c++) t_setd(&s, 0, c, x[c]), t_setd(&s, 1, c, x[c]);
  t_setd(&f, 0, 0, 1), t_setd(&f, 1, 0, 3);
  t_setd(&o, 0, 0, 0.5), t_setd(&o, 1, 0, 100);
  CHECK_INT(ptk_isa_tquant(&d, &s, &f, NULL, 0), PTK_ISA_OK);
  /* ties to even; -128.5 -> -128 (even), 127.6 -> 127 (saturated) */
  static const int w0[8] = {0, 2, 2, 0, -2, 127, -128, 0}, w1[8] = {2, 4, 8, -2, -8, 127, -128, 0};
  for (int c = 0; c < 8; c++) CHECK_INT(t_geti(&d, 0, c), w0[c]), CHECK_INT(t_geti(&d, 1, c), w1[c]);
  CHECK(t_touched_outside(&d, 2, 8) == 0);
  CHECK_INT(ptk_isa_tquant(&u, &s, &f, &o, 1), PTK_ISA_OK);
  /* row 0: x + 0.5 = 1, 2, 3, 0, -2 -> 0, 128.1 -> 128, -128 -> 0, NaN -> 0
   * row 1: 3x + 100 = 101.5 -> 102, 104.5 -> 104, 107.5 -> 108, 98.5 -> 98, 92.5 -> 92, sat 255, 0 */
  static const int a0[8] = {1, 2, 3, 0, 0, 128, 0, 0}, a1[8] = {102, 104, 108, 98, 92, 255, 0, 0};
  for (int c = 0; c < 8; c++) CHECK_INT(t_geti(&u, 0, c), a0[c]), CHECK_INT(t_geti(&u, 1, c), a1[c]);
  /* refusals */
  CHECK_INT(ptk_isa_tquant(&d, &s, &f, &o, 0), PTK_ISA_EARG);
  CHECK_INT(ptk_isa_tquant(&d, &s, &f, NULL, 1), PTK_ISA_EARG);
  CHECK_INT(ptk_isa_tquant(&d, &s, &f, NULL, 2), PTK_ISA_EARG);
  CHECK_INT(ptk_isa_tquant(&s, &s, &f, NULL, 0), PTK_ISA_EDTYPE);
  ptk_tile f1 = t_mk(PTK_ISA_F32, 1, 8, 1, 1, ROW);
  CHECK_INT(ptk_isa_tquant(&d, &s, &f1, NULL, 0), PTK_ISA_ESHAPE);
  t_free(&s), t_free(&f), t_free(&o), t_free(&d), t_free(&u), t_free(&f1);
}
