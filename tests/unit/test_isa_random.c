/* trandom: exact words of the A5 generator. The expected values were
 * computed with a transcription of the PTOAS A5 ST golden
 * (test/tilelang_st/npu/a5/src/st/testcase/trandom/gen_data.py: Philox
 * rounds, vintlv interleave, counter strides) written for this test. */
#include "tests/unit/test_isa_util.h"

#define ROW PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512

/* key (305419896, -1698898192), counter (0, 1, 2, 3), 10 rounds, 4x256 */
TEST(trandom_rounds10_4x256) {
  ptk_tile d = t_mk(PTK_ISA_I32, 4, 256, 4, 256, ROW);
  CHECK_INT(ptk_isa_trandom(&d, 305419896, -1698898192, 0, 1, 2, 3, 10), PTK_ISA_OK);
  static const int32_t first[8] = {31809260,    -397971131, -2017512688, -1930008896,
                                   -1290858921, -986611947, 1121254429,  -1259250667};
  static const int32_t last[8] = {-20931753,   879130216, 1829037424, -979554092,
                                  -1712361908, 411010941, 428003168,  -455141512};
  for (int c = 0; c < 8; c++) {
    CHECK_INT(t_geti(&d, 0, c), first[c]);
    CHECK_INT(t_geti(&d, 3, 248 + c), last[c]);
  }
  t_free(&d);
}

/* 7 rounds, counter words (-1, -1, 48, 64): the lane offsets carry into
 * word 2; 300 valid columns = 2 loops per row, the second partial; u32. */
TEST(trandom_rounds7_partial) {
  ptk_tile d = t_mk(PTK_ISA_U32, 3, 320, 3, 300, ROW);
  CHECK_INT(ptk_isa_trandom(&d, 324508639, 610839776, -1, -1, 48, 64, 7), PTK_ISA_OK);
  static const int32_t tail[8] = {168825515,  1149494652,  1463927948, -1928482062,
                                  2132135680, -1018109143, 1072730175, -1211502103};
  for (int c = 0; c < 8; c++) CHECK_INT((int32_t)(uint32_t)t_geti(&d, 2, 292 + c), tail[c]);
  CHECK(t_touched_outside(&d, 3, 300) == 0);
  CHECK_INT(ptk_isa_trandom(&d, 1, 2, 3, 4, 5, 6, 8), PTK_ISA_EARG);
  ptk_tile f = t_mk(PTK_ISA_F32, 1, 8, 1, 8, ROW);
  CHECK_INT(ptk_isa_trandom(&f, 1, 2, 3, 4, 5, 6, 10), PTK_ISA_EDTYPE);
  t_free(&d);
  t_free(&f);
}
