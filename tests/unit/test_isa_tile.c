/* Tile descriptors: layout offsets against the pto-ir.md §8 formulas,
 * descriptor checks, subview / treshape / bitcast aliasing, errors. */
#include "runtime/isa/internal.h"
#include "tests/unit/test_isa_util.h"

static const ptk_isa_dtype ALL_DT[] = {PTK_ISA_F32, PTK_ISA_F16, PTK_ISA_BF16, PTK_ISA_F64,
                                       PTK_ISA_I8,  PTK_ISA_I16, PTK_ISA_I32,  PTK_ISA_I64,
                                       PTK_ISA_U8,  PTK_ISA_U16, PTK_ISA_U32,  PTK_ISA_U64};

TEST(offsets_match_formulas_and_are_bijective) {
  for (size_t d = 0; d < PTK_ARRAY_LEN(ALL_DT); d++)
    for (int l = 0; l < T_NLAYOUTS; l++)
      for (int fr = 512; fr <= 1024; fr += 512) {
        ptk_tile t = t_mkl(ALL_DT[d], 32, 32, 32, 32, l, fr);
        static char seen[32 * 32];
        memset(seen, 0, sizeof seen);
        int bad = 0;
        for (int r = 0; r < 32; r++)
          for (int c = 0; c < 32; c++) {
            int64_t o = ptk_isa_offset(&t, r, c);
            if (o != t_off(&t, r, c)) bad++;
            if (o < 0 || o >= 32 * 32 || seen[o]++) bad++;
          }
        if (bad)
          printf("  layout %s fractal %d dtype %s: %d bad\n", T_LAYOUTS[l].name, fr,
                 ptk_isa_dtype_name(ALL_DT[d]), bad);
        CHECK_INT(bad, 0);
        t_free(&t);
      }
}

TEST(offsets_known_values) {
  /* f32 Nz, 512: boxes of 16x8 */
  ptk_tile t = t_mk(PTK_ISA_F32, 32, 16, 32, 16, PTK_ISA_COL_MAJOR, PTK_ISA_BOX_ROW_MAJOR, 512);
  CHECK_INT(ptk_isa_offset(&t, 0, 7), 7);
  CHECK_INT(ptk_isa_offset(&t, 1, 0), 8);
  CHECK_INT(ptk_isa_offset(&t, 16, 0), 128);
  CHECK_INT(ptk_isa_offset(&t, 0, 8), 32 * 8);
  CHECK_INT(ptk_isa_offset(&t, 17, 9), 32 * 8 + 128 + 8 + 1);
  t_free(&t);
  /* f16 Zn 512: boxes of 16x16 stored col-major inside, row-major outside */
  t = t_mk(PTK_ISA_F16, 32, 32, 32, 32, PTK_ISA_ROW_MAJOR, PTK_ISA_BOX_COL_MAJOR, 512);
  CHECK_INT(ptk_isa_offset(&t, 1, 0), 1);
  CHECK_INT(ptk_isa_offset(&t, 0, 1), 16);
  CHECK_INT(ptk_isa_offset(&t, 0, 16), 256);
  CHECK_INT(ptk_isa_offset(&t, 16, 0), 32 * 16);
  t_free(&t);
  /* acc f32 Nz 1024: 16x16 boxes */
  t = t_mk(PTK_ISA_F32, 32, 32, 32, 32, PTK_ISA_COL_MAJOR, PTK_ISA_BOX_ROW_MAJOR, 1024);
  CHECK_INT(ptk_isa_offset(&t, 0, 15), 15);
  CHECK_INT(ptk_isa_offset(&t, 1, 0), 16);
  CHECK_INT(ptk_isa_offset(&t, 0, 16), 32 * 16);
  t_free(&t);
  /* plain col-major */
  t = t_mk(PTK_ISA_F32, 16, 4, 16, 4, PTK_ISA_COL_MAJOR, PTK_ISA_NONE_BOX, 512);
  CHECK_INT(ptk_isa_offset(&t, 3, 2), 2 * 16 + 3);
  t_free(&t);
}

TEST(box_dims) {
  int32_t br, bc;
  ptk_tile t = t_mk(PTK_ISA_I8, 32, 32, 32, 32, PTK_ISA_COL_MAJOR, PTK_ISA_BOX_ROW_MAJOR, 512);
  CHECK_INT(ptk_isa_box_dims(&t, &br, &bc), 0);
  CHECK_INT(br, 16);
  CHECK_INT(bc, 32);
  t.slayout = PTK_ISA_BOX_COL_MAJOR;
  t.blayout = PTK_ISA_ROW_MAJOR;
  ptk_isa_box_dims(&t, &br, &bc);
  CHECK_INT(br, 32);
  CHECK_INT(bc, 16);
  t.fractal = 1024;
  ptk_isa_box_dims(&t, &br, &bc);
  CHECK_INT(br * bc, 256);
  /* fractal 32: MX scale tiles of 1-byte elements, boxes 16 x 2 (row box)
   * or 2 x 16 (column box); other element sizes are refused */
  t.fractal = 32;
  CHECK_INT(ptk_isa_box_dims(&t, &br, &bc), 0);
  CHECK_INT(br, 2);
  CHECK_INT(bc, 16);
  t.slayout = PTK_ISA_BOX_ROW_MAJOR;
  CHECK_INT(ptk_isa_box_dims(&t, &br, &bc), 0);
  CHECK_INT(br, 16);
  CHECK_INT(bc, 2);
  t.dtype = PTK_ISA_I16;
  CHECK_INT(ptk_isa_box_dims(&t, &br, &bc), PTK_ISA_ELAYOUT);
  t_free(&t);
}

TEST(tile_check_errors) {
  float buf[64];
  ptk_tile t;
  CHECK_INT(ptk_isa_tile_init(&t, buf, PTK_ISA_F32, PTK_ISA_VEC, 8, 8, 8, 8, PTK_ISA_ROW_MAJOR,
                              PTK_ISA_NONE_BOX, 512, PTK_ISA_PAD_NULL),
            0);
  t.vrows = 9;
  CHECK_INT(ptk_isa_tile_check(&t), PTK_ISA_ESHAPE);
  CHECK(strstr(ptk_isa_error(), "valid region 9x8") != NULL);
  t.vrows = -1;
  CHECK_INT(ptk_isa_tile_check(&t), PTK_ISA_ESHAPE);
  t.vrows = 8;
  t.dtype = (ptk_isa_dtype)99;
  CHECK_INT(ptk_isa_tile_check(&t), PTK_ISA_EDTYPE);
  t.dtype = PTK_ISA_F32;
  t.slayout = PTK_ISA_BOX_ROW_MAJOR; /* 8x8 f32 is not whole 16x8 boxes (Zz) */
  CHECK_INT(ptk_isa_tile_check(&t), PTK_ISA_ELAYOUT);
  t.blayout = PTK_ISA_COL_MAJOR; /* Nz allows any rows */
  CHECK_INT(ptk_isa_tile_check(&t), 0);
  t.fractal = 100;
  CHECK_INT(ptk_isa_tile_check(&t), PTK_ISA_ELAYOUT);
  t.fractal = 512;
  t.r0 = 1;
  CHECK_INT(ptk_isa_tile_check(&t), PTK_ISA_ESHAPE);
  t.r0 = 0;
  t.data = NULL;
  CHECK_INT(ptk_isa_tile_check(&t), PTK_ISA_EARG);
  CHECK_INT(ptk_isa_tile_check(NULL), PTK_ISA_EARG);
  /* ops report the op and the operand */
  t.data = (uint8_t *)buf;
  t.blayout = PTK_ISA_ROW_MAJOR;
  t.slayout = PTK_ISA_NONE_BOX;
  ptk_tile bad = t;
  bad.vcols = 20;
  CHECK_INT(ptk_isa_tadd(&t, &bad, &t), PTK_ISA_ESHAPE);
  CHECK(strstr(ptk_isa_error(), "add: src0:") != NULL);
  CHECK_UINT(ptk_isa_tile_bytes(&t), 256);
}

TEST(dtype_info) {
  CHECK_INT(ptk_isa_dtype_size(PTK_ISA_BF16), 2);
  CHECK_INT(ptk_isa_dtype_size(PTK_ISA_I1), 1);
  CHECK_INT(ptk_isa_dtype_size(PTK_ISA_U64), 8);
  CHECK_INT(ptk_isa_dtype_size((ptk_isa_dtype)77), 0);
  CHECK_STR(ptk_isa_dtype_name(PTK_ISA_BF16), "bf16");
  CHECK_STR(ptk_isa_dtype_name(PTK_ISA_U16), "u16");
  CHECK(ptk_isa_dtype_is_float(PTK_ISA_F64));
  CHECK(!ptk_isa_dtype_is_float(PTK_ISA_I32));
  CHECK(ptk_isa_dtype_is_unsigned(PTK_ISA_U8));
  CHECK(!ptk_isa_dtype_is_unsigned(PTK_ISA_I8));
}

TEST(subview_aliases) {
  for (int l = 0; l < T_NLAYOUTS; l++) {
    ptk_tile p = t_mkl(PTK_ISA_F16, 32, 32, 32, 32, l, 512);
    ptk_tile s;
    CHECK_INT(ptk_isa_subview(&p, 16, 16, 16, 16, 7, 5, &s), 0);
    CHECK(s.data == p.data);
    CHECK_INT(s.vrows, 7);
    CHECK_INT(s.vcols, 5);
    int bad = 0;
    for (int r = 0; r < 16; r++)
      for (int c = 0; c < 16; c++)
        if (ptk_isa_offset(&s, r, c) != ptk_isa_offset(&p, r + 16, c + 16)) bad++;
    CHECK_INT(bad, 0);
    /* a subview of a subview */
    ptk_tile s2;
    CHECK_INT(ptk_isa_subview(&s, 3, 2, 4, 4, 4, 4, &s2), 0);
    CHECK_INT(ptk_isa_offset(&s2, 1, 1), ptk_isa_offset(&p, 20, 19));
    /* writes through the view show in the parent */
    ptk_isa_scalar v = ptk_isa_sf(2.5);
    CHECK_INT(ptk_isa_tsetval(&s2, 0, v), 0);
    CHECK(t_getd(&p, 19, 18) == 2.5);
    CHECK_INT(ptk_isa_subview(&p, 20, 0, 16, 16, 16, 16, &s), PTK_ISA_ESHAPE);
    CHECK_INT(ptk_isa_subview(&p, -1, 0, 1, 1, 1, 1, &s), PTK_ISA_ESHAPE);
    CHECK_INT(ptk_isa_subview(&p, 0, 0, 4, 4, 5, 4, &s), PTK_ISA_ESHAPE);
    t_free(&p);
  }
}

TEST(treshape_col_row_alias) {
  /* the rmsnorm pattern: a 16x1 col_major column seen as a 1x16 row */
  ptk_tile col = t_mk(PTK_ISA_F32, 16, 1, 16, 1, PTK_ISA_COL_MAJOR, PTK_ISA_NONE_BOX, 512);
  for (int r = 0; r < 16; r++) t_setd(&col, r, 0, r * 1.5);
  ptk_tile row;
  memset(&row, 0, sizeof row);
  row.dtype = PTK_ISA_F32;
  row.rows = 1;
  row.cols = 16;
  row.vrows = 1;
  row.vcols = 16;
  row.blayout = PTK_ISA_ROW_MAJOR;
  row.slayout = PTK_ISA_NONE_BOX;
  row.fractal = 512;
  CHECK_INT(ptk_isa_treshape(&col, &row), 0);
  CHECK(row.data == col.data);
  for (int c = 0; c < 16; c++) CHECK(ptk_isa_get(&row, 0, c).f == c * 1.5);
  /* byte size mismatch */
  ptk_tile bad = row;
  bad.cols = bad.vcols = 8;
  CHECK_INT(ptk_isa_treshape(&col, &bad), PTK_ISA_ESHAPE);
  CHECK(strstr(ptk_isa_error(), "64 bytes") != NULL);
  /* boxed <-> none_box refused */
  ptk_tile box = t_mk(PTK_ISA_F32, 16, 8, 16, 8, PTK_ISA_COL_MAJOR, PTK_ISA_BOX_ROW_MAJOR, 512);
  ptk_tile flat = row;
  flat.rows = 8;
  flat.vrows = 8;
  CHECK_INT(ptk_isa_treshape(&box, &flat), PTK_ISA_ELAYOUT);
  /* of a subview refused */
  ptk_tile sv;
  ptk_isa_subview(&box, 0, 0, 16, 8, 16, 8, &sv);
  ptk_tile sv2;
  ptk_isa_subview(&col, 0, 0, 8, 1, 8, 1, &sv2);
  ptk_tile r8 = row;
  r8.cols = r8.vcols = 8;
  CHECK_INT(ptk_isa_treshape(&sv2, &r8), PTK_ISA_ELAYOUT);
  /* dtype change with the same bytes */
  ptk_tile h = row;
  h.dtype = PTK_ISA_F16;
  h.cols = h.vcols = 32;
  CHECK_INT(ptk_isa_treshape(&col, &h), 0);
  t_free(&col);
  t_free(&box);
}

TEST(bitcast) {
  ptk_tile t = t_mk(PTK_ISA_F32, 2, 8, 2, 8, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  t_setd(&t, 1, 3, 1.0);
  ptk_tile i;
  CHECK_INT(ptk_isa_bitcast(&t, PTK_ISA_I32, &i), 0);
  CHECK_INT(ptk_isa_get(&i, 1, 3).i, 0x3f800000);
  CHECK_INT(ptk_isa_bitcast(&t, PTK_ISA_F16, &i), PTK_ISA_EDTYPE);
  t_free(&t);
}

TEST(getval_setval_format) {
  ptk_tile t = t_mk(PTK_ISA_I16, 2, 16, 2, 3, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  for (int c = 0; c < 3; c++) {
    t_seti(&t, 0, c, c - 1);
    t_seti(&t, 1, c, 100 * c);
  }
  ptk_isa_scalar v;
  CHECK_INT(ptk_isa_tgetval(&t, 17, &v), 0);
  CHECK(!v.is_float);
  CHECK_INT(v.i, 100);
  CHECK_INT(ptk_isa_tgetval(&t, 32, &v), PTK_ISA_ESHAPE);
  CHECK_INT(ptk_isa_tgetval(&t, -1, &v), PTK_ISA_ESHAPE);
  CHECK_INT(ptk_isa_tsetval(&t, 2, ptk_isa_sf(-7.9)), 0); /* float -> i16 truncates */
  CHECK_INT(t_geti(&t, 0, 2), -7);
  ptk_buf b = {0};
  CHECK_INT(ptk_isa_format(&b, &t), 0);
  CHECK_STR(ptk_buf_cstr(&b), "tile 2x16 i16 valid 2x3\n-1 0 -7\n0 100 200\n");
  ptk_buf_free(&b);
  t_free(&t);
  ptk_tile f = t_mk(PTK_ISA_BF16, 1, 16, 1, 2, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  t_setd(&f, 0, 0, 0.5);
  t_setd(&f, 0, 1, -INFINITY);
  CHECK_INT(ptk_isa_format(&b, &f), 0);
  CHECK_STR(ptk_buf_cstr(&b), "tile 1x16 bf16 valid 1x2\n0.5 -inf\n");
  ptk_buf_free(&b);
  t_free(&f);
}

/* ptk_isa__offs (the row and column parts of an element offset, for whole
 * rows / columns at once) against ptk_isa__off on every layout, on whole
 * tiles and on box-aligned windows, for each element size. */
TEST(offset_parts_match_off) {
  static const ptk_isa_dtype dts[] = {PTK_ISA_I8, PTK_ISA_F16, PTK_ISA_F32, PTK_ISA_F64};
  int bad = 0;
  for (size_t d = 0; d < PTK_ARRAY_LEN(dts); d++)
    for (int lay = 0; lay < T_NLAYOUTS; lay++)
      for (int w = 0; w < 3; w++) {
        ptk_tile t = t_mkl(dts[d], 64, 64, 64, 64, lay, w == 2 ? 1024 : 512), v = t;
        if (w && dts[d] != PTK_ISA_F64 && ptk_isa_subview(&t, 16, 32, 48, 32, 48, 32, &v) != 0)
          v = t; /* a window some layouts do not allow: the whole tile again */
        ptk_isa_lay L;
        ptk_isa__lay(&v, &L);
        int64_t ro[64], co[64];
        ptk_isa__offs(&L, true, v.rows, ro);
        ptk_isa__offs(&L, false, v.cols, co);
        for (int r = 0; r < v.rows; r++)
          for (int c = 0; c < v.cols; c++) bad += ro[r] + co[c] != ptk_isa__off(&L, r, c);
        t_free(&t);
      }
  CHECK_INT(bad, 0);
}
