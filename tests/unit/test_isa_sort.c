/* tsort32 and tmrgsort: (value, index) structures, descending, stable. */
#include "tests/unit/test_isa_util.h"

#define ROW PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512

/* Structure e of row r of an f32 tile: value and index bits. */
static double s32_val(const ptk_tile *t, int r, int e) { return t_getd(t, r, 2 * e); }
static uint32_t s32_idx(const ptk_tile *t, int r, int e) { return (uint32_t)t_bits(t, r, 2 * e + 1); }
/* Of an f16 tile: value, a zero half, index low and high halves. */
static double s16_val(const ptk_tile *t, int r, int e) { return t_getd(t, r, 4 * e); }
static uint32_t s16_idx(const ptk_tile *t, int r, int e) {
  return (uint32_t)t_bits(t, r, 4 * e + 2) | (uint32_t)t_bits(t, r, 4 * e + 3) << 16;
}

/* f32, 2 rows of 32, a shared idx row (valid rows 1): row r holds
 * (3*j + r) % 8 with indices 1000 + j. Descending; equal values keep their
 * input order, so value 7 of row 0 comes from j = 5, 13, 21, 29. */
TEST(tsort32_f32_shared_idx) {
  ptk_tile s = t_mk(PTK_ISA_F32, 2, 32, 2, 32, ROW);
  ptk_tile ix = t_mk(PTK_ISA_U32, 1, 32, 1, 32, ROW);
  ptk_tile d = t_mk(PTK_ISA_F32, 2, 64, 2, 64, ROW);
  for (int j = 0; j < 32; j++) {
    t_seti(&ix, 0, j, 1000 + j);
    for (int r = 0; r < 2; r++) t_setd(&s, r, j, (3 * j + r) % 8);
  }
  CHECK_INT(ptk_isa_tsort32(&d, &s, &ix, NULL), PTK_ISA_OK);
  static const int first8[8] = {5, 13, 21, 29, 2, 10, 18, 26}; /* values 7 7 7 7 6 6 6 6 */
  for (int e = 0; e < 8; e++) {
    CHECK_DBL(s32_val(&d, 0, e), e < 4 ? 7 : 6, 0);
    CHECK_INT(s32_idx(&d, 0, e), 1000 + first8[e]);
  }
  CHECK_DBL(s32_val(&d, 0, 31), 0, 0);
  CHECK_INT(s32_idx(&d, 0, 31), 1000 + 24); /* the last 0: j = 0, 8, 16, 24 */
  /* row 1: (3j+1)%8 == 7 at j = 2, 10, 18, 26 */
  CHECK_INT(s32_idx(&d, 1, 0), 1002);
  CHECK_INT(s32_idx(&d, 1, 3), 1026);
  for (int r = 0; r < 2; r++)
    for (int e = 1; e < 32; e++) CHECK(s32_val(&d, r, e - 1) >= s32_val(&d, r, e));
  t_free(&s);
  t_free(&ix);
  t_free(&d);
}

/* f16 with a short tail: 37 valid columns (one block of 32 and a tail of 5,
 * which needs tmp); per-row idx. f16 structures are value, 0, idx lo, idx hi.
 * NaN sorts first, -inf last. */
TEST(tsort32_f16_tail_nan_inf) {
  ptk_tile s = t_mk(PTK_ISA_F16, 1, 48, 1, 37, ROW);
  ptk_tile ix = t_mk(PTK_ISA_I32, 1, 48, 1, 37, ROW);
  ptk_tile tmp = t_mk(PTK_ISA_F16, 1, 48, 1, 48, ROW);
  ptk_tile d = t_mk(PTK_ISA_F16, 1, 160, 1, 148, ROW);
  for (int j = 0; j < 37; j++) {
    t_setd(&s, 0, j, j % 4 - 1.5); /* -1.5 -0.5 0.5 1.5 */
    t_seti(&ix, 0, j, 0x10000 * j + 7);
  }
  t_setd(&s, 0, 3, NAN);
  t_setd(&s, 0, 4, -INFINITY);
  t_setd(&s, 0, 33, 100.0);
  CHECK_INT(ptk_isa_tsort32(&d, &s, &ix, NULL), PTK_ISA_EARG); /* a tail needs tmp */
  CHECK_INT(ptk_isa_tsort32(&d, &s, &ix, &tmp), PTK_ISA_OK);
  CHECK(isnan(s16_val(&d, 0, 0)));
  CHECK_INT(s16_idx(&d, 0, 0), 0x30007);
  CHECK_DBL(s16_val(&d, 0, 1), 1.5, 0);
  CHECK_INT(s16_idx(&d, 0, 1), 0x70007); /* j = 7: the first 1.5 after j = 3 */
  CHECK_DBL(s16_val(&d, 0, 31), -INFINITY, 0);
  CHECK_INT(s16_idx(&d, 0, 31), 0x40007);
  for (int e = 0; e < 37; e++) CHECK_INT(t_bits(&d, 0, 4 * e + 1), 0);
  /* tail block j = 32..36: -1.5, 100, 0.5, 1.5, -1.5 -> 100, 1.5, 0.5, -1.5 (32), -1.5 (36) */
  static const double tv[5] = {100, 1.5, 0.5, -1.5, -1.5};
  static const int tj[5] = {33, 35, 34, 32, 36};
  for (int e = 0; e < 5; e++) {
    CHECK_DBL(s16_val(&d, 0, 32 + e), tv[e], 0);
    CHECK_INT(s16_idx(&d, 0, 32 + e), 0x10000u * (uint32_t)tj[e] + 7);
  }
  /* nothing past the 37 structures is written */
  CHECK(t_touched_outside(&d, 1, 148) == 0);
  t_free(&s);
  t_free(&ix);
  t_free(&tmp);
  t_free(&d);
}

TEST(tsort32_refusals) {
  ptk_tile s = t_mk(PTK_ISA_I32, 1, 32, 1, 32, ROW);
  ptk_tile ix = t_mk(PTK_ISA_U32, 1, 32, 1, 32, ROW);
  ptk_tile d = t_mk(PTK_ISA_I32, 1, 64, 1, 64, ROW);
  CHECK_INT(ptk_isa_tsort32(&d, &s, &ix, NULL), PTK_ISA_EDTYPE);
  ptk_tile sf = t_mk(PTK_ISA_F32, 1, 32, 1, 32, ROW);
  ptk_tile small = t_mk(PTK_ISA_F32, 1, 48, 1, 48, ROW);
  CHECK_INT(ptk_isa_tsort32(&small, &sf, &ix, NULL), PTK_ISA_ESHAPE);
  t_free(&s);
  t_free(&ix);
  t_free(&d);
  t_free(&sf);
  t_free(&small);
}

static void put32(const ptk_tile *t, int e, double v, uint32_t idx) {
  t_setd(t, 0, 2 * e, v);
  uint8_t *p = t_ptr(t, 0, 2 * e + 1);
  memcpy(p, &idx, 4);
}

/* Format 1: blockLen 8 f32 elements = 4 structures per list; 20 structures
 * valid = one group of 4 lists (16) and 4 left unchanged. */
TEST(tmrgsort_format1_f32) {
  ptk_tile s = t_mk(PTK_ISA_F32, 1, 40, 1, 40, ROW);
  ptk_tile d = t_mk(PTK_ISA_F32, 1, 40, 1, 40, ROW);
  static const double lists[4][4] = {{9, 5, 5, 1}, {8, 5, 2, 0}, {9, 7, 3, 3}, {6, 5, 4, -1}};
  for (int l = 0; l < 4; l++)
    for (int i = 0; i < 4; i++) put32(&s, 4 * l + i, lists[l][i], (uint32_t)(10 * l + i));
  for (int e = 16; e < 20; e++) put32(&s, e, 50, 99);
  CHECK_INT(ptk_isa_tmrgsort(&d, &s, NULL, NULL, NULL, NULL, 7, false), PTK_ISA_EARG);
  CHECK_INT(ptk_isa_tmrgsort(&d, &s, NULL, NULL, NULL, NULL, 8, false), PTK_ISA_OK);
  static const double ev[16] = {9, 9, 8, 7, 6, 5, 5, 5, 5, 4, 3, 3, 2, 1, 0, -1};
  static const uint32_t ei[16] = {0, 20, 10, 21, 30, 1, 2, 11, 31, 32, 22, 23, 12, 3, 13, 33};
  for (int e = 0; e < 16; e++) {
    CHECK_DBL(s32_val(&d, 0, e), ev[e], 0);
    CHECK_INT(s32_idx(&d, 0, e), ei[e]);
  }
  CHECK(t_touched_outside(&d, 1, 32) == 0);
  /* in place */
  CHECK_INT(ptk_isa_tmrgsort(&s, &s, NULL, NULL, NULL, NULL, 8, false), PTK_ISA_OK);
  for (int e = 0; e < 16; e++) CHECK_INT(s32_idx(&s, 0, e), ei[e]);
  CHECK_INT(s32_idx(&s, 0, 16), 99);
  t_free(&s);
  t_free(&d);
}

/* Format 2: three lists into tmp, dst = tmp's first dst.vcols columns; with
 * exhausted the merge stops after the structure that empties a list. */
TEST(tmrgsort_format2_f32) {
  ptk_tile a = t_mk(PTK_ISA_F32, 1, 8, 1, 6, ROW); /* 3 structures */
  ptk_tile b = t_mk(PTK_ISA_F32, 1, 8, 1, 4, ROW); /* 2 */
  ptk_tile c = t_mk(PTK_ISA_F32, 1, 8, 1, 8, ROW); /* 4 */
  ptk_tile tmp = t_mk(PTK_ISA_F32, 1, 24, 1, 24, ROW);
  ptk_tile d = t_mk(PTK_ISA_F32, 1, 24, 1, 14, ROW);
  put32(&a, 0, 9, 100), put32(&a, 1, 4, 101), put32(&a, 2, 1, 102);
  put32(&b, 0, 4, 200), put32(&b, 1, 3, 201);
  put32(&c, 0, 8, 300), put32(&c, 1, 4, 301), put32(&c, 2, 2, 302), put32(&c, 3, 0, 303);
  CHECK_INT(ptk_isa_tmrgsort(&d, &a, &b, &c, &tmp, NULL, 0, false), PTK_ISA_OK);
  static const double ev[9] = {9, 8, 4, 4, 4, 3, 2, 1, 0};
  static const uint32_t ei[9] = {100, 300, 101, 200, 301, 201, 302, 102, 303};
  for (int e = 0; e < 9; e++) {
    CHECK_DBL(s32_val(&tmp, 0, e), ev[e], 0);
    CHECK_INT(s32_idx(&tmp, 0, e), ei[e]);
  }
  for (int e = 0; e < 7; e++) CHECK_INT(s32_idx(&d, 0, e), ei[e]); /* 14 columns */
  CHECK(t_touched_outside(&d, 1, 14) == 0);
  /* exhausted: b empties at 3 (201), the 6th structure */
  ptk_tile tmp2 = t_mk(PTK_ISA_F32, 1, 24, 1, 24, ROW);
  CHECK_INT(ptk_isa_tmrgsort(&d, &a, &b, &c, &tmp2, NULL, 0, true), PTK_ISA_OK);
  for (int e = 0; e < 6; e++) CHECK_INT(s32_idx(&tmp2, 0, e), ei[e]);
  CHECK(t_touched_outside(&tmp2, 1, 12) == 0);
  /* refusals: a dst wider than tmp, mixed dtypes */
  ptk_tile wide = t_mk(PTK_ISA_F32, 1, 32, 1, 32, ROW);
  CHECK_INT(ptk_isa_tmrgsort(&wide, &a, &b, &tmp, NULL, NULL, 0, false), PTK_ISA_ESHAPE);
  ptk_tile h = t_mk(PTK_ISA_F16, 1, 16, 1, 16, ROW);
  CHECK_INT(ptk_isa_tmrgsort(&d, &a, &h, &tmp, NULL, NULL, 0, false), PTK_ISA_EDTYPE);
  t_free(&a);
  t_free(&b);
  t_free(&c);
  t_free(&tmp);
  t_free(&tmp2);
  t_free(&d);
  t_free(&wide);
  t_free(&h);
}
