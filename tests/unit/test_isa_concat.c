/* tconcat: column-wise concatenation. */
#include "tests/unit/test_isa_util.h"

/* The byte every t_mk storage starts with: elements tconcat must not touch
 * keep it. */
#define UNTOUCHED 0xA5

/* True if every byte of element (r, c) still holds the fill pattern. */
static bool untouched(const ptk_tile *t, int r, int c) {
  const uint8_t *p = t_ptr(t, r, c);
  for (size_t i = 0; i < t_esz(t->dtype); i++)
    if (p[i] != UNTOUCHED) return false;
  return true;
}

/* f32, row-major, odd valid shapes: 3x5 ++ 3x7 into a 3x13-valid dst, so one
 * valid column (12), the fourth row and the padding columns stay untouched. */
TEST(tconcat_f32_odd_shapes) {
  ptk_tile a = t_mk(PTK_ISA_F32, 4, 8, 3, 5, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile b = t_mk(PTK_ISA_F32, 4, 8, 3, 7, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile d = t_mk(PTK_ISA_F32, 4, 16, 3, 13, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  for (int r = 0; r < 3; r++) {
    for (int c = 0; c < 5; c++) t_setd(&a, r, c, 10 * r + c + 0.25);
    for (int c = 0; c < 7; c++) t_setd(&b, r, c, -(10 * r + c) - 0.5);
  }
  CHECK_INT(ptk_isa_tconcat(&d, &a, &b), PTK_ISA_OK);
  /* Row 1 spelled out: a's 5 values then b's 7. */
  static const double row1[12] = {10.25, 11.25, 12.25, 13.25, 14.25, -10.5,
                                  -11.5, -12.5, -13.5, -14.5, -15.5, -16.5};
  for (int c = 0; c < 12; c++) CHECK_DBL(t_getd(&d, 1, c), row1[c], 0);
  for (int r = 0; r < 3; r++) {
    for (int c = 0; c < 5; c++) CHECK_DBL(t_getd(&d, r, c), 10 * r + c + 0.25, 0);
    for (int c = 0; c < 7; c++) CHECK_DBL(t_getd(&d, r, 5 + c), -(10 * r + c) - 0.5, 0);
    for (int c = 12; c < 16; c++) CHECK(untouched(&d, r, c));
  }
  for (int c = 0; c < 16; c++) CHECK(untouched(&d, 3, c));
  t_free(&a);
  t_free(&b);
  t_free(&d);
}

/* f16 across every pair of layouts for src0/dst (src1 in a third), fractal 512
 * and 1024, odd valid regions: 7x9 ++ 7x13 into 7x23 (column 22 untouched). */
TEST(tconcat_f16_all_layouts) {
  for (int fr = 512; fr <= 1024; fr += 512)
    for (int la = 0; la < T_NLAYOUTS; la++)
      for (int ld = 0; ld < T_NLAYOUTS; ld++) {
        int lb = (la + ld + 1) % T_NLAYOUTS;
        ptk_tile a = t_mkl(PTK_ISA_F16, 32, 32, 7, 9, la, fr);
        ptk_tile b = t_mkl(PTK_ISA_F16, 16, 32, 7, 13, lb, fr);
        ptk_tile d = t_mkl(PTK_ISA_F16, 32, 32, 7, 23, ld, fr);
        for (int r = 0; r < 7; r++) {
          for (int c = 0; c < 9; c++) t_setd(&a, r, c, 32 * r + c);
          for (int c = 0; c < 13; c++) t_setd(&b, r, c, -(32 * r + c) - 0.5);
        }
        CHECK_INT(ptk_isa_tconcat(&d, &a, &b), PTK_ISA_OK);
        int bad = 0;
        for (int r = 0; r < 32; r++)
          for (int c = 0; c < 32; c++) {
            if (r < 7 && c < 9)
              bad += t_getd(&d, r, c) != 32 * r + c;
            else if (r < 7 && c < 22)
              bad += t_getd(&d, r, c) != -(32 * r + (c - 9)) - 0.5;
            else
              bad += !untouched(&d, r, c);
          }
        if (!CHECK_INT(bad, 0))
          printf("  layouts src0 %s src1 %s dst %s fractal %d\n", T_LAYOUTS[la].name,
                 T_LAYOUTS[lb].name, T_LAYOUTS[ld].name, fr);
        t_free(&a);
        t_free(&b);
        t_free(&d);
      }
}

/* Every accepted dtype is a bit copy (NaN payloads, -0, integer extremes kept);
 * an empty src1 or zero valid rows are fine. */
TEST(tconcat_bit_copy_dtypes_and_empty) {
  static const ptk_isa_dtype dts[] = {PTK_ISA_F32, PTK_ISA_F16, PTK_ISA_BF16,
                                      PTK_ISA_I8,  PTK_ISA_U8,  PTK_ISA_I16,
                                      PTK_ISA_U16, PTK_ISA_I32, PTK_ISA_U32};
  for (size_t k = 0; k < sizeof dts / sizeof dts[0]; k++) {
    ptk_isa_dtype dt = dts[k];
    size_t esz = t_esz(dt);
    ptk_tile a = t_mk(dt, 2, 3, 2, 3, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
    ptk_tile b = t_mk(dt, 2, 2, 2, 2, PTK_ISA_COL_MAJOR, PTK_ISA_NONE_BOX, 512);
    ptk_tile d = t_mk(dt, 2, 5, 2, 5, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
    for (int r = 0; r < 2; r++) {
      for (int c = 0; c < 3; c++) memset(t_ptr(&a, r, c), 0x10 + 3 * r + c, esz);
      for (int c = 0; c < 2; c++) memset(t_ptr(&b, r, c), 0xF0 + 2 * r + c, esz);
    }
    CHECK_INT(ptk_isa_tconcat(&d, &a, &b), PTK_ISA_OK);
    /* Every byte of dst element (r, c) should equal want[r][c]. */
    static const uint8_t want[2][5] = {{0x10, 0x11, 0x12, 0xF0, 0xF1},
                                       {0x13, 0x14, 0x15, 0xF2, 0xF3}};
    int bad = 0;
    for (int r = 0; r < 2; r++)
      for (int c = 0; c < 5; c++)
        for (size_t i = 0; i < esz; i++) bad += t_ptr(&d, r, c)[i] != want[r][c];
    if (!CHECK_INT(bad, 0)) printf("  dtype %s\n", ptk_isa_dtype_name(dt));

    /* src1 with no valid columns: only src0's columns are written. */
    ptk_tile e = t_mk(dt, 2, 2, 2, 0, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
    ptk_tile d2 = t_mk(dt, 2, 5, 2, 5, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
    CHECK_INT(ptk_isa_tconcat(&d2, &a, &e), PTK_ISA_OK);
    CHECK_INT(t_ptr(&d2, 1, 2)[0], 0x15);
    CHECK(untouched(&d2, 0, 3) && untouched(&d2, 1, 3) && untouched(&d2, 1, 4));

    /* Zero valid rows everywhere: nothing is written. */
    a.vrows = b.vrows = 0;
    ptk_tile d3 = t_mk(dt, 2, 5, 0, 5, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
    CHECK_INT(ptk_isa_tconcat(&d3, &a, &b), PTK_ISA_OK);
    CHECK(untouched(&d3, 0, 0) && untouched(&d3, 1, 4));
    t_free(&a);
    t_free(&b);
    t_free(&d);
    t_free(&e);
    t_free(&d2);
    t_free(&d3);
  }
}

/* Every refusal, with its code and exact message; dst is never written. */
TEST(tconcat_errors) {
  ptk_tile a = t_mk(PTK_ISA_F32, 4, 8, 3, 5, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile b = t_mk(PTK_ISA_F32, 4, 8, 3, 7, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile d = t_mk(PTK_ISA_F32, 4, 16, 3, 12, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile h = t_mk(PTK_ISA_F16, 4, 8, 3, 7, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile x;

  /* dtype mismatch */
  CHECK_INT(ptk_isa_tconcat(&d, &a, &h), PTK_ISA_EDTYPE);
  CHECK_STR(ptk_isa_error(), "tconcat: dtypes differ (src0 f32, src1 f16, dst f32)");

  /* unsupported dtypes: f64 and i1 (reinterpreted descriptors; never run) */
  ptk_tile a64 = a, b64 = b, d64 = d;
  a64.dtype = b64.dtype = d64.dtype = PTK_ISA_F64;
  a64.cols = b64.cols = 4, d64.cols = 8, a64.vcols = 2, b64.vcols = 3, d64.vcols = 5;
  a64.scols = b64.scols = 4, d64.scols = 8;
  CHECK_INT(ptk_isa_tconcat(&d64, &a64, &b64), PTK_ISA_EDTYPE);
  CHECK_STR(ptk_isa_error(), "tconcat: f64 tiles are not supported");
  ptk_tile a1 = a, b1 = b, d1 = d;
  a1.dtype = b1.dtype = d1.dtype = PTK_ISA_I1;
  CHECK_INT(ptk_isa_tconcat(&d1, &a1, &b1), PTK_ISA_EDTYPE);
  CHECK_STR(ptk_isa_error(), "tconcat: i1 tiles are not supported");

  /* not vec */
  x = b;
  x.loc = PTK_ISA_MAT;
  CHECK_INT(ptk_isa_tconcat(&d, &a, &x), PTK_ISA_ELAYOUT);
  CHECK_STR(ptk_isa_error(), "tconcat: src1 is not a vec tile");
  x = d;
  x.loc = PTK_ISA_ACC;
  CHECK_INT(ptk_isa_tconcat(&x, &a, &b), PTK_ISA_ELAYOUT);
  CHECK_STR(ptk_isa_error(), "tconcat: dst is not a vec tile");

  /* valid rows differ */
  x = a;
  x.vrows = 2;
  CHECK_INT(ptk_isa_tconcat(&d, &x, &b), PTK_ISA_ESHAPE);
  CHECK_STR(ptk_isa_error(), "tconcat: valid rows differ (src0 2, src1 3, dst 3)");
  x = d;
  x.vrows = 4;
  CHECK_INT(ptk_isa_tconcat(&x, &a, &b), PTK_ISA_ESHAPE);
  CHECK_STR(ptk_isa_error(), "tconcat: valid rows differ (src0 3, src1 3, dst 4)");

  /* too many columns: 5 + 7 > 11 valid columns, though 16 physical ones */
  x = d;
  x.vcols = 11;
  CHECK_INT(ptk_isa_tconcat(&x, &a, &b), PTK_ISA_ESHAPE);
  CHECK_STR(ptk_isa_error(), "tconcat: 5 + 7 valid columns do not fit in dst's 11 valid columns");

  /* bad descriptor: valid region outside the tile */
  x = a;
  x.vcols = 9;
  CHECK_INT(ptk_isa_tconcat(&d, &x, &b), PTK_ISA_ESHAPE);
  CHECK_STR(ptk_isa_error(), "tconcat: src0: valid region 3x9 outside tile 4x8");

  /* None of the refusals wrote dst. */
  int bad = 0;
  for (int r = 0; r < 4; r++)
    for (int c = 0; c < 16; c++) bad += !untouched(&d, r, c);
  CHECK_INT(bad, 0);

  /* The exact fit succeeds. */
  CHECK_INT(ptk_isa_tconcat(&d, &a, &b), PTK_ISA_OK);
  t_free(&a);
  t_free(&b);
  t_free(&d);
  t_free(&h);
}
