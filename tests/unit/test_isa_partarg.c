/* tpartargmax / tpartargmin and tconcatidx (runtime/isa/partarg.c, concatidx.c). */
#include "tests/unit/test_isa_util.h"

#define ROW PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512

TEST(tpartarg_rules) {
  ptk_tile a = t_mk(PTK_ISA_F32, 2, 8, 2, 4, ROW), b = t_mk(PTK_ISA_F32, 2, 8, 1, 3, ROW);
  ptk_tile ia = t_mk(PTK_ISA_I32, 2, 8, 2, 4, ROW), ib = t_mk(PTK_ISA_I32, 2, 8, 1, 3, ROW);
  ptk_tile d = t_mk(PTK_ISA_F32, 2, 8, 2, 5, ROW), di = t_mk(PTK_ISA_I32, 2, 8, 2, 5, ROW);
  /* row 0: a = 1, 5, NaN, 2; b = 1 (tie), 7, 3 */
  static const float av[4] = {1, 5, NAN, 2}, bv[3] = {1, 7, 3};
  for (int c = 0; c < 4; c++) t_setd(&a, 0, c, av[c]), t_setd(&a, 1, c, -c), t_seti(&ia, 0, c, 10 + c), t_seti(&ia, 1, c, 20 + c);
  for (int c = 0; c < 3; c++) t_setd(&b, 0, c, bv[c]), t_seti(&ib, 0, c, 30 + c);
  CHECK_INT(ptk_isa_tpartarg(true, &d, &di, &a, &b, &ia, &ib), PTK_ISA_OK);
  /* tie keeps src0; NaN in src0 keeps src0; column 3 only src0; column 4 neither */
  CHECK_DBL(t_getd(&d, 0, 0), 1, 0), CHECK_INT(t_geti(&di, 0, 0), 10);
  CHECK_DBL(t_getd(&d, 0, 1), 7, 0), CHECK_INT(t_geti(&di, 0, 1), 31);
  CHECK(isnan(t_getd(&d, 0, 2))), CHECK_INT(t_geti(&di, 0, 2), 12);
  CHECK_DBL(t_getd(&d, 0, 3), 2, 0), CHECK_INT(t_geti(&di, 0, 3), 13);
  CHECK_DBL(t_getd(&d, 0, 4), 0, 0), CHECK_INT(t_geti(&di, 0, 4), 0);
  CHECK_DBL(t_getd(&d, 1, 2), -2, 0), CHECK_INT(t_geti(&di, 1, 2), 22); /* row 1: src0 only */
  CHECK(t_touched_outside(&d, 2, 5) == 0);
  CHECK_INT(ptk_isa_tpartarg(false, &d, &di, &a, &b, &ia, &ib), PTK_ISA_OK);
  CHECK_DBL(t_getd(&d, 0, 0), 1, 0), CHECK_INT(t_geti(&di, 0, 0), 10);
  CHECK_DBL(t_getd(&d, 0, 1), 5, 0), CHECK_INT(t_geti(&di, 0, 1), 11);
  CHECK(isnan(t_getd(&d, 0, 2))), CHECK_INT(t_geti(&di, 0, 2), 12); /* NaN < 3 is false */
  /* refusals */
  ptk_tile ih = t_mk(PTK_ISA_I16, 2, 16, 2, 4, ROW);
  CHECK_INT(ptk_isa_tpartarg(true, &d, &di, &a, &b, &ih, &ib), PTK_ISA_EDTYPE);
  ptk_tile ia2 = ia;
  ia2.vcols = 3;
  CHECK_INT(ptk_isa_tpartarg(true, &d, &di, &a, &b, &ia2, &ib), PTK_ISA_ESHAPE);
  t_free(&a), t_free(&b), t_free(&ia), t_free(&ib), t_free(&d), t_free(&di), t_free(&ih);
}

TEST(tconcatidx_counts) {
  ptk_tile a = t_mk(PTK_ISA_I16, 3, 16, 3, 5, ROW), b = t_mk(PTK_ISA_I16, 3, 16, 3, 6, ROW);
  ptk_tile na = t_mk(PTK_ISA_I8, 3, 32, 3, 1, ROW), nb = t_mk(PTK_ISA_I8, 3, 32, 3, 1, ROW);
  ptk_tile d = t_mk(PTK_ISA_I16, 3, 16, 3, 8, ROW);
  for (int r = 0; r < 3; r++)
    for (int c = 0; c < 16; c++) {
      t_seti(&a, r, c, c), t_seti(&b, r, c, 100 + c);
      if (c < 8) t_seti(&d, r, c, -1);
    }
  /* row 0: 2 + 3; row 1: 9 (clamped to a's 5) + 6 (clamped to the 3 left); row 2: -4 + 1 */
  static const int ca[3] = {2, 9, -4}, cb[3] = {3, 6, 1};
  for (int r = 0; r < 3; r++) t_seti(&na, r, 0, ca[r]), t_seti(&nb, r, 0, cb[r]);
  CHECK_INT(ptk_isa_tconcatidx(&d, &a, &b, &na, &nb), PTK_ISA_OK);
  static const int want[3][8] = {{0, 1, 100, 101, 102, -1, -1, -1},
                                 {0, 1, 2, 3, 4, 100, 101, 102},
                                 {100, -1, -1, -1, -1, -1, -1, -1}};
  for (int r = 0; r < 3; r++)
    for (int c = 0; c < 8; c++) CHECK_INT(t_geti(&d, r, c), want[r][c]);
  CHECK(t_touched_outside(&d, 3, 8) == 0);
  ptk_tile f = t_mk(PTK_ISA_F32, 3, 8, 3, 8, ROW);
  CHECK_INT(ptk_isa_tconcatidx(&f, &a, &b, &na, &nb), PTK_ISA_EDTYPE);
  ptk_tile nf = t_mk(PTK_ISA_F32, 3, 8, 3, 1, ROW);
  CHECK_INT(ptk_isa_tconcatidx(&d, &a, &b, &nf, &nf), PTK_ISA_EDTYPE);
  t_free(&a), t_free(&b), t_free(&na), t_free(&nb), t_free(&d), t_free(&f), t_free(&nf);
}
