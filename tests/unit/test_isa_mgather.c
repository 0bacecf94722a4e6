/* mgather / mscatter over a table in a plain buffer (runtime/isa/mgather.c). */
#include "tests/unit/test_isa_util.h"

#define ROW PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512

/* A rows x w f32 table at element `at` of a buffer of n floats. */
static ptk_gm_ref gm2(float *buf, int64_t n, int64_t at, int64_t rows, int64_t w) {
  int64_t shape[2] = {rows, w}, stride[2] = {w, 1};
  return ptk_isa_gm_ref((uint8_t *)buf, n * 4, at * 4, 2, 0, shape, stride, PTK_ISA_F32);
}

/* Row mode with a [1, R] and an [R, 1] index tile; elem mode with each
 * out-of-bounds policy. */
TEST(mgather_modes) {
  float tab[40];
  for (int i = 0; i < 40; i++) tab[i] = (float)i;
  ptk_gm_ref g = gm2(tab, 40, 8, 4, 8); /* rows 0..3 are tab[8..39] */
  ptk_tile d = t_mk(PTK_ISA_F32, 2, 8, 2, 8, ROW);
  ptk_tile ia = t_mk(PTK_ISA_I32, 1, 8, 1, 2, ROW);
  t_seti(&ia, 0, 0, 3), t_seti(&ia, 0, 1, 0);
  CHECK_INT(ptk_isa_mgather(&d, g, &ia, 0, 0), PTK_ISA_OK);
  for (int c = 0; c < 8; c++) {
    CHECK_DBL(t_getd(&d, 0, c), 32 + c, 0);
    CHECK_DBL(t_getd(&d, 1, c), 8 + c, 0);
  }
  ptk_tile ib = t_mk(PTK_ISA_I32, 2, 1, 2, 1, PTK_ISA_COL_MAJOR, PTK_ISA_NONE_BOX, 512);
  t_seti(&ib, 0, 0, 1), t_seti(&ib, 1, 0, 2);
  CHECK_INT(ptk_isa_mgather(&d, g, &ib, 0, 0), PTK_ISA_OK);
  CHECK_DBL(t_getd(&d, 0, 7), 23, 0);
  CHECK_DBL(t_getd(&d, 1, 0), 24, 0);
  /* elem: indices -1, 0, 31, 32, 70 under clamp / wrap / zero / undefined */
  ptk_tile ie = t_mk(PTK_ISA_I32, 1, 8, 1, 5, ROW);
  ptk_tile de = t_mk(PTK_ISA_F32, 1, 8, 1, 5, ROW);
  static const int ix[5] = {-1, 0, 31, 32, 70};
  for (int c = 0; c < 5; c++) t_seti(&ie, 0, c, ix[c]);
  static const double clamp[5] = {8, 8, 39, 39, 39}, wrap[5] = {39, 8, 39, 8, 14},
                      zero[5] = {0, 8, 39, 0, 0};
  CHECK_INT(ptk_isa_mgather(&de, g, &ie, 1, 1), PTK_ISA_OK);
  for (int c = 0; c < 5; c++) CHECK_DBL(t_getd(&de, 0, c), clamp[c], 0);
  CHECK_INT(ptk_isa_mgather(&de, g, &ie, 1, 2), PTK_ISA_OK);
  for (int c = 0; c < 5; c++) CHECK_DBL(t_getd(&de, 0, c), wrap[c], 0);
  CHECK_INT(ptk_isa_mgather(&de, g, &ie, 1, 3), PTK_ISA_OK);
  for (int c = 0; c < 5; c++) CHECK_DBL(t_getd(&de, 0, c), zero[c], 0);
  CHECK(t_touched_outside(&de, 1, 5) == 0);
  /* undefined: refused before anything is written */
  t_setd(&de, 0, 1, -7);
  CHECK_INT(ptk_isa_mgather(&de, g, &ie, 1, 0), PTK_ISA_ESHAPE);
  CHECK_STR(ptk_isa_error(), "mgather: index -1 at (0, 0) is outside the table's 32 elements");
  CHECK_DBL(t_getd(&de, 0, 1), -7, 0);
  t_free(&d), t_free(&ia), t_free(&ib), t_free(&ie), t_free(&de);
}

/* The kernel buffer bounds every access, whatever the view claims. */
TEST(mgather_buffer_bounds) {
  float tab[16] = {0};
  ptk_gm_ref g = gm2(tab, 16, 4, 4, 8); /* the view claims 32 elements from 4: 20 exist */
  ptk_tile ie = t_mk(PTK_ISA_I32, 1, 8, 1, 2, ROW);
  ptk_tile de = t_mk(PTK_ISA_F32, 1, 8, 1, 2, ROW);
  t_seti(&ie, 0, 0, 11), t_seti(&ie, 0, 1, 12);
  CHECK_INT(ptk_isa_mgather(&de, g, &ie, 1, 0), PTK_ISA_ESHAPE);
  CHECK_STR(ptk_isa_error(), "mgather: table element at offset 12 lies outside the kernel buffer");
  ptk_gm_ref none = ptk_isa_gm_ref(NULL, 0, 0, 2, 0, g.v.shape, g.v.stride, PTK_ISA_F32);
  CHECK_INT(ptk_isa_mgather(&de, none, &ie, 1, 0), PTK_ISA_EARG);
  /* dtype and mode refusals */
  ptk_tile hi = t_mk(PTK_ISA_I16, 1, 16, 1, 2, ROW);
  CHECK_INT(ptk_isa_mgather(&de, g, &hi, 1, 0), PTK_ISA_EDTYPE);
  ptk_tile h = t_mk(PTK_ISA_F16, 1, 16, 1, 2, ROW);
  CHECK_INT(ptk_isa_mgather(&h, g, &ie, 1, 0), PTK_ISA_EDTYPE);
  CHECK_INT(ptk_isa_mgather(&de, g, &ie, 0, 0), PTK_ISA_ESHAPE); /* row mode: needs a [1, 1] index */
  CHECK_INT(ptk_isa_mgather(&de, g, &ie, 1, 4), PTK_ISA_EARG);
  t_free(&ie), t_free(&de), t_free(&hi), t_free(&h);
}

/* Scatter: the last writer wins; atomics in the element type; skip / clamp /
 * wrap; coalesce inferred from the index shape. */
TEST(mscatter_modes) {
  float tab[16];
  ptk_gm_ref g = gm2(tab, 16, 0, 2, 8);
  ptk_tile s = t_mk(PTK_ISA_F32, 1, 8, 1, 4, ROW);
  ptk_tile ie = t_mk(PTK_ISA_I32, 1, 8, 1, 4, ROW);
  for (int c = 0; c < 4; c++) t_setd(&s, 0, c, c + 1);
  static const int ix[4] = {5, 5, -2, 17};
  for (int c = 0; c < 4; c++) t_seti(&ie, 0, c, ix[c]);
  memset(tab, 0, sizeof tab);
  CHECK_INT(ptk_isa_mscatter(g, &s, &ie, 2, 0, 0), PTK_ISA_ESHAPE); /* inferred elem, undefined oob */
  for (int i = 0; i < 16; i++) CHECK_DBL(tab[i], 0, 0);
  CHECK_INT(ptk_isa_mscatter(g, &s, &ie, 2, 0, 1), PTK_ISA_OK); /* skip */
  CHECK_DBL(tab[5], 2, 0);
  CHECK_DBL(tab[0] + tab[15], 0, 0);
  memset(tab, 0, sizeof tab);
  CHECK_INT(ptk_isa_mscatter(g, &s, &ie, 1, 1, 2), PTK_ISA_OK); /* add, clamp */
  CHECK_DBL(tab[5], 3, 0);
  CHECK_DBL(tab[0], 3, 0);
  CHECK_DBL(tab[15], 4, 0);
  memset(tab, 0, sizeof tab);
  tab[5] = 1.5f;
  CHECK_INT(ptk_isa_mscatter(g, &s, &ie, 1, 2, 3), PTK_ISA_OK); /* max, wrap: -2 -> 14, 17 -> 1 */
  CHECK_DBL(tab[5], 2, 0);
  CHECK_DBL(tab[14], 3, 0);
  CHECK_DBL(tab[1], 4, 0);
  memset(tab, 0, sizeof tab);
  CHECK_INT(ptk_isa_mscatter(g, &s, &ie, 1, 3, 1), PTK_ISA_OK); /* min against 0 */
  CHECK_DBL(tab[5], 0, 0);
  /* row mode: row 1 of the table <- src row 0 */
  ptk_tile s2 = t_mk(PTK_ISA_F32, 1, 8, 1, 8, ROW);
  ptk_tile ir = t_mk(PTK_ISA_I32, 1, 8, 1, 1, ROW);
  for (int c = 0; c < 8; c++) t_setd(&s2, 0, c, 10 + c);
  t_seti(&ir, 0, 0, 1);
  memset(tab, 0, sizeof tab);
  CHECK_INT(ptk_isa_mscatter(g, &s2, &ir, 2, 0, 0), PTK_ISA_OK);
  for (int c = 0; c < 8; c++) CHECK_DBL(tab[8 + c], 10 + c, 0);
  CHECK_DBL(tab[7], 0, 0);
  /* i16 atomic add wraps */
  int16_t h[8] = {32767};
  int64_t shp[1] = {8}, str[1] = {1};
  ptk_gm_ref gh = ptk_isa_gm_ref((uint8_t *)h, 16, 0, 1, 0, shp, str, PTK_ISA_I16);
  ptk_tile sh = t_mk(PTK_ISA_I16, 1, 16, 1, 1, ROW);
  ptk_tile ih = t_mk(PTK_ISA_I32, 1, 8, 1, 1, ROW);
  t_seti(&sh, 0, 0, 1), t_seti(&ih, 0, 0, 0);
  CHECK_INT(ptk_isa_mscatter(gh, &sh, &ih, 1, 1, 0), PTK_ISA_OK);
  CHECK_INT(h[0], -32768);
  t_free(&s), t_free(&ie), t_free(&s2), t_free(&ir), t_free(&sh), t_free(&ih);
}
