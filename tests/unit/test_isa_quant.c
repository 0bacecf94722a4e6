/* tdequant: (f32(src) - offset[r,0]) * scale[r,0], rounded per step. */
#include "tests/unit/test_isa_util.h"

#define ROW PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512

TEST(tdequant_i8_i16) {
  ptk_tile s = t_mk(PTK_ISA_I8, 2, 32, 2, 3, ROW);
  ptk_tile sc = t_mk(PTK_ISA_F32, 2, 8, 2, 8, ROW);
  ptk_tile of = t_mk(PTK_ISA_F32, 2, 8, 2, 8, ROW);
  ptk_tile d = t_mk(PTK_ISA_F32, 2, 32, 2, 3, ROW);
  static const int v[2][3] = {{-128, 0, 127}, {5, -5, 100}};
  for (int r = 0; r < 2; r++)
    for (int c = 0; c < 3; c++) t_seti(&s, r, c, v[r][c]);
  t_setd(&sc, 0, 0, 0.5), t_setd(&of, 0, 0, 1.0);
  t_setd(&sc, 1, 0, 0.1f), t_setd(&of, 1, 0, -2.5);
  t_setd(&sc, 0, 1, 99), t_setd(&of, 0, 1, 99); /* only column 0 is read */
  CHECK_INT(ptk_isa_tdequant(&d, &s, &sc, &of), PTK_ISA_OK);
  CHECK_DBL(t_getd(&d, 0, 0), -64.5, 0);
  CHECK_DBL(t_getd(&d, 0, 1), -0.5, 0);
  CHECK_DBL(t_getd(&d, 0, 2), 63, 0);
  /* (5 + 2.5) * 0.1f, (-5 + 2.5) * 0.1f, (100 + 2.5) * 0.1f in f32 */
  CHECK_DBL(t_getd(&d, 1, 0), (double)(7.5f * 0.1f), 0);
  CHECK_DBL(t_getd(&d, 1, 1), (double)(-2.5f * 0.1f), 0);
  CHECK_DBL(t_getd(&d, 1, 2), (double)(102.5f * 0.1f), 0);
  CHECK(t_touched_outside(&d, 2, 3) == 0);
  /* i16 with a value that does not fit f32 exactly after the subtraction */
  ptk_tile h = t_mk(PTK_ISA_I16, 1, 16, 1, 1, ROW);
  ptk_tile hd = t_mk(PTK_ISA_F32, 1, 8, 1, 1, ROW);
  t_seti(&h, 0, 0, -32768);
  t_setd(&sc, 0, 0, 3.0), t_setd(&of, 0, 0, 0.1f);
  CHECK_INT(ptk_isa_tdequant(&hd, &h, &sc, &of), PTK_ISA_OK);
  float x = -32768.0f - 0.1f;
  CHECK_DBL(t_getd(&hd, 0, 0), (double)(x * 3.0f), 0);
  /* refusals */
  ptk_tile u = t_mk(PTK_ISA_U8, 1, 32, 1, 1, ROW);
  CHECK_INT(ptk_isa_tdequant(&hd, &u, &sc, &of), PTK_ISA_EDTYPE);
  ptk_tile one = t_mk(PTK_ISA_F32, 1, 8, 1, 8, ROW);
  CHECK_INT(ptk_isa_tdequant(&d, &s, &one, &of), PTK_ISA_ESHAPE); /* 2 rows need 2 scales */
  t_free(&s), t_free(&sc), t_free(&of), t_free(&d), t_free(&h), t_free(&hd), t_free(&u), t_free(&one);
}
