/* Byte formats and MX: the exact decoders, tquant.mx's e4m3 encoder, the
 * packed scale-tile layouts and tmatmul.mx (runtime/isa/mx.c, tquant.c). */
#include "tests/unit/test_isa_util.h"

static uint32_t fbits(float x) {
  uint32_t u;
  memcpy(&u, &x, 4);
  return u;
}

TEST(mx_decode_exact) {
  /* e4m3fn: 0x38 = 1, 0x7E = 448 (max), 0x08 = 2^-6 (min normal), 0x01 = 2^-9, 0x7F NaN, 0xFE -448 */
  CHECK_INT(fbits(ptk_isa_mx_dec(PTK_ISA_F8E4M3, 0x38)), 0x3f800000);
  CHECK_INT(fbits(ptk_isa_mx_dec(PTK_ISA_F8E4M3, 0x7E)), 0x43e00000);
  CHECK_INT(fbits(ptk_isa_mx_dec(PTK_ISA_F8E4M3, 0x08)), 0x3c800000);
  CHECK_INT(fbits(ptk_isa_mx_dec(PTK_ISA_F8E4M3, 0x01)), 0x3b000000);
  CHECK_INT(fbits(ptk_isa_mx_dec(PTK_ISA_F8E4M3, 0x80)), 0x80000000);
  CHECK_INT(fbits(ptk_isa_mx_dec(PTK_ISA_F8E4M3, 0xFE)), 0xc3e00000);
  CHECK(isnan(ptk_isa_mx_dec(PTK_ISA_F8E4M3, 0x7F)) && isnan(ptk_isa_mx_dec(PTK_ISA_F8E4M3, 0xFF)));
  CHECK_INT(fbits(ptk_isa_mx_dec(PTK_ISA_F8E4M3, 0x78)), 0x43800000); /* 256: exponent 15 is a number */
  /* e5m2: 0x3C = 1, 0x7B = 57344 (max), 0x7C inf, 0x7D NaN, 0x01 = 2^-16 */
  CHECK_INT(fbits(ptk_isa_mx_dec(PTK_ISA_F8E5M2, 0x3C)), 0x3f800000);
  CHECK_INT(fbits(ptk_isa_mx_dec(PTK_ISA_F8E5M2, 0x7B)), 0x47600000);
  CHECK_INT(fbits(ptk_isa_mx_dec(PTK_ISA_F8E5M2, 0x7C)), 0x7f800000);
  CHECK_INT(fbits(ptk_isa_mx_dec(PTK_ISA_F8E5M2, 0xFC)), 0xff800000);
  CHECK(isnan(ptk_isa_mx_dec(PTK_ISA_F8E5M2, 0x7D)));
  CHECK_INT(fbits(ptk_isa_mx_dec(PTK_ISA_F8E5M2, 0x01)), 0x37800000);
  /* e8m0: 127 = 1, 0 = 2^-127 (an f32 subnormal), 254 = 2^127, 255 NaN */
  CHECK_INT(fbits(ptk_isa_mx_dec(PTK_ISA_E8M0, 127)), 0x3f800000);
  CHECK_INT(fbits(ptk_isa_mx_dec(PTK_ISA_E8M0, 0)), 0x00400000);
  CHECK_INT(fbits(ptk_isa_mx_dec(PTK_ISA_E8M0, 254)), 0x7f000000);
  CHECK(isnan(ptk_isa_mx_dec(PTK_ISA_E8M0, 255)));
  CHECK(isnan(ptk_isa_mx_dec(PTK_ISA_I8, 1)));
}

/* tquant.mx's f32 -> e4m3fn: ties to even, saturation, the golden's flush. */
TEST(mx_encode_e4m3_exact) {
  CHECK_INT(ptk_isa_mx_e4m3(1.0f), 0x38);
  CHECK_INT(ptk_isa_mx_e4m3(-1.0f), 0xB8);
  CHECK_INT(ptk_isa_mx_e4m3(448.0f), 0x7E);
  CHECK_INT(ptk_isa_mx_e4m3(464.0f), 0x7E);  /* rounds to 512: saturates */
  CHECK_INT(ptk_isa_mx_e4m3(-1e30f), 0xFE);
  CHECK_INT(ptk_isa_mx_e4m3(INFINITY), 0x7E);
  CHECK_INT(ptk_isa_mx_e4m3(-INFINITY), 0xFE);
  CHECK_INT(ptk_isa_mx_e4m3(NAN), 0x7F);
  CHECK_INT(ptk_isa_mx_e4m3(-NAN), 0x7F);
  CHECK_INT(ptk_isa_mx_e4m3(1.0625f), 0x38); /* halfway 1 and 1.125: even (1) */
  CHECK_INT(ptk_isa_mx_e4m3(1.1875f), 0x3A); /* halfway 1.125 and 1.25: even (1.25) */
  CHECK_INT(ptk_isa_mx_e4m3(1.0626f), 0x39); /* above halfway */
  CHECK_INT(ptk_isa_mx_e4m3(15.5f), 0x58);   /* halfway 15 and 16: even (16), the carry */
  CHECK_INT(ptk_isa_mx_e4m3(0.015625f), 0x08); /* 2^-6: smallest normal */
  /* the golden's low end: [2^-7, 2^-6) keeps the sign and the top mantissa
   * bits under exponent field 0; below 2^-7 everything is +0 */
  CHECK_INT(ptk_isa_mx_e4m3(0.0078125f), 0x00);
  CHECK_INT(ptk_isa_mx_e4m3(-0.0078125f), 0x80);
  CHECK_INT(ptk_isa_mx_e4m3(0.01171875f), 0x04); /* 1.5 * 2^-7 */
  CHECK_INT(ptk_isa_mx_e4m3(-0.0039f), 0x00);
  CHECK_INT(ptk_isa_mx_e4m3(-0.0f), 0x00);
}

/* tquant.mx: one group's exponent, scale and bytes. */
TEST(mx_tquant_group) {
  ptk_tile s = t_mk(PTK_ISA_F32, 1, 32, 1, 32, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile d = t_mk(PTK_ISA_I8, 1, 32, 1, 32, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile e = t_mk(PTK_ISA_U8, 1, 32, 1, 1, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile m = t_mk(PTK_ISA_F32, 1, 8, 1, 1, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile c = t_mk(PTK_ISA_F32, 1, 8, 1, 1, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  for (int j = 0; j < 32; j++) t_setd(&s, 0, j, 0.0);
  t_setd(&s, 0, 0, -12.0); /* absmax 12 = 1.5 * 2^3: e8m0 = 130 - 8 = 122, scale 2^5 */
  t_setd(&s, 0, 1, 0.25);  /* * 32 = 8 -> 0x50 */
  t_setd(&s, 0, 2, 14.5);  /* * 32 = 464 -> clamped 448 -> 0x7E */
  CHECK_INT(ptk_isa_tquant_mx(&d, &s, &e, &m, &c, NULL, 2, 0), PTK_ISA_OK);
  CHECK_INT(t_geti(&e, 0, 0), 122);
  CHECK_DBL(t_getd(&m, 0, 0), 14.5, 0);
  CHECK_DBL(t_getd(&c, 0, 0), 32, 0);
  CHECK_INT(t_geti(&d, 0, 0) & 0xFF, 0xFC); /* -12 * 32 = -384 = -1.5 * 2^8 */
  CHECK_INT(t_geti(&d, 0, 1) & 0xFF, 0x50);
  CHECK_INT(t_geti(&d, 0, 2) & 0xFF, 0x7E);
  CHECK_INT(ptk_isa_tquant_mx(&d, &s, &e, &m, &c, NULL, 3, 0), PTK_ISA_EARG); /* MXFP4 */
  CHECK_INT(ptk_isa_tquant_mx(&d, &s, &e, &m, &c, NULL, 2, 1), PTK_ISA_EARG); /* nv */
  t_free(&s), t_free(&d), t_free(&e), t_free(&m), t_free(&c);
}

/* Scale tiles read through the packed order: A's 16 x 2 boxes (row box), B's
 * 2 x 16 (column box); a one-row A scale is plain. */
TEST(mx_scale_layout) {
  ptk_tile a = t_mk(PTK_ISA_U8, 32, 4, 32, 4, PTK_ISA_ROW_MAJOR, PTK_ISA_BOX_ROW_MAJOR, 32);
  a.dtype = PTK_ISA_E8M0;
  CHECK_INT(ptk_isa_tile_check(&a), 0);
  /* (m, kg): ((m / 16) * 2 + kg / 2) * 32 + (m % 16) * 2 + kg % 2 */
  CHECK_INT(ptk_isa_offset(&a, 0, 1), 1);
  CHECK_INT(ptk_isa_offset(&a, 1, 0), 2);
  CHECK_INT(ptk_isa_offset(&a, 0, 2), 32);
  CHECK_INT(ptk_isa_offset(&a, 17, 3), 64 + 32 + 2 + 1);
  ptk_tile b = t_mk(PTK_ISA_U8, 4, 32, 4, 31, PTK_ISA_COL_MAJOR, PTK_ISA_BOX_COL_MAJOR, 32);
  b.dtype = PTK_ISA_E8M0;
  CHECK_INT(ptk_isa_tile_check(&b), 0);
  /* (kg, n): ((n / 16) * 2 + kg / 2) * 32 + (n % 16) * 2 + kg % 2 */
  CHECK_INT(ptk_isa_offset(&b, 1, 0), 1);
  CHECK_INT(ptk_isa_offset(&b, 0, 1), 2);
  CHECK_INT(ptk_isa_offset(&b, 2, 0), 32);
  CHECK_INT(ptk_isa_offset(&b, 3, 30), 64 + 32 + 28 + 1);
  CHECK_INT(ptk_isa_mx_scale_extent(&b), 64 + 32 + 28 + 2); /* valid n < 31 */
  ptk_tile g = t_mk(PTK_ISA_U8, 1, 4, 1, 4, PTK_ISA_ROW_MAJOR, PTK_ISA_BOX_ROW_MAJOR, 32);
  g.dtype = PTK_ISA_E8M0;
  CHECK_INT(ptk_isa_tile_check(&g), 0);
  for (int c = 0; c < 4; c++) CHECK_INT(ptk_isa_offset(&g, 0, c), c);
  ptk_tile bad = g;
  bad.rows = bad.vrows = bad.srows = 3;
  CHECK_INT(ptk_isa_tile_check(&bad), PTK_ISA_ELAYOUT); /* 3 rows: not a power of two */
  t_free(&a), t_free(&b), t_free(&g);
}

/* A 2 x 64 x 3 MX product against the exact sum; Cin and bias forms; the
 * byte formats refused elsewhere. */
TEST(mx_tmatmul) {
  ptk_tile a = t_mk(PTK_ISA_U8, 2, 64, 2, 64, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile b = t_mk(PTK_ISA_U8, 64, 3, 64, 3, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile as = t_mk(PTK_ISA_U8, 2, 2, 2, 2, PTK_ISA_ROW_MAJOR, PTK_ISA_BOX_ROW_MAJOR, 32);
  ptk_tile bs = t_mk(PTK_ISA_U8, 2, 16, 2, 3, PTK_ISA_COL_MAJOR, PTK_ISA_BOX_COL_MAJOR, 32);
  ptk_tile c = t_mk(PTK_ISA_F32, 2, 8, 2, 3, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile bias = t_mk(PTK_ISA_F32, 1, 8, 1, 3, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  a.dtype = PTK_ISA_F8E4M3, b.dtype = PTK_ISA_F8E5M2;
  as.dtype = bs.dtype = PTK_ISA_E8M0;
  CHECK_INT(ptk_isa_tile_check(&as), 0);
  CHECK_INT(ptk_isa_tile_check(&bs), 0);
  double want[2][3] = {{0}};
  for (int i = 0; i < 2; i++)
    for (int k = 0; k < 64; k++) *(a.data + i * 64 + k) = (uint8_t)(k % 3 == 0 ? 0x38 : k % 3 == 1 ? 0xC0 : 0x30); /* 1, -2, 0.5 */
  for (int k = 0; k < 64; k++)
    for (int j = 0; j < 3; j++) *(b.data + k * 3 + j) = (uint8_t)(j == 0 ? 0x3C : j == 1 ? 0x40 : 0xB8); /* 1, 2, -0.5 */
  for (int i = 0; i < 2; i++)
    for (int g = 0; g < 2; g++) *(as.data + ptk_isa_offset(&as, i, g)) = (uint8_t)(127 + i + g);
  for (int g = 0; g < 2; g++)
    for (int j = 0; j < 3; j++) *(bs.data + ptk_isa_offset(&bs, g, j)) = (uint8_t)(126 + j);
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 3; j++)
      for (int k = 0; k < 64; k++) {
        double av = k % 3 == 0 ? 1 : k % 3 == 1 ? -2 : 0.5, bv = j == 0 ? 1 : j == 1 ? 2 : -0.5;
        want[i][j] += av * ldexp(1, i + k / 32) * bv * ldexp(1, j - 1);
      }
  CHECK_INT(ptk_isa_tmatmul_mx(&c, NULL, &a, &as, &b, &bs, NULL), PTK_ISA_OK);
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 3; j++) CHECK_DBL(t_getd(&c, i, j), want[i][j], 0);
  for (int j = 0; j < 3; j++) t_setd(&bias, 0, j, 100 * j);
  CHECK_INT(ptk_isa_tmatmul_mx(&c, NULL, &a, &as, &b, &bs, &bias), PTK_ISA_OK);
  CHECK_DBL(t_getd(&c, 1, 2), want[1][2] + 200, 0);
  CHECK_INT(ptk_isa_tmatmul_mx(&c, &c, &a, &as, &b, &bs, NULL), PTK_ISA_OK); /* Cin: the bias result */
  CHECK_DBL(t_getd(&c, 1, 2), 2 * want[1][2] + 200, 0);
  /* a NaN scale poisons its group's products */
  *(as.data + ptk_isa_offset(&as, 0, 1)) = 0xFF;
  CHECK_INT(ptk_isa_tmatmul_mx(&c, NULL, &a, &as, &b, &bs, NULL), PTK_ISA_OK);
  CHECK(isnan(t_getd(&c, 0, 0)) && !isnan(t_getd(&c, 1, 0)));
  /* refusals: integer A, a too small scale, byte formats in an elementwise op */
  ptk_tile ai = a;
  ai.dtype = PTK_ISA_I8;
  CHECK_INT(ptk_isa_tmatmul_mx(&c, NULL, &ai, &as, &b, &bs, NULL), PTK_ISA_EDTYPE);
  ptk_tile as1 = as;
  as1.vcols = 1;
  CHECK_INT(ptk_isa_tmatmul_mx(&c, NULL, &a, &as1, &b, &bs, NULL), PTK_ISA_OK); /* need is on the shape */
  ptk_tile f8v = t_mk(PTK_ISA_U8, 1, 32, 1, 32, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  f8v.dtype = PTK_ISA_F8E4M3;
  CHECK_INT(ptk_isa_tadd(&f8v, &f8v, &f8v), PTK_ISA_EDTYPE);
  CHECK_STR(ptk_isa_error(), "add: dst is a f8E4M3FN tile: the host only moves such elements");
  ptk_tile u8v = t_mk(PTK_ISA_U8, 1, 32, 1, 32, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  CHECK_INT(ptk_isa_tmov(&u8v, &f8v, false), PTK_ISA_EDTYPE); /* no conversion */
  CHECK_INT(ptk_isa_tmov(&f8v, &f8v, false), PTK_ISA_OK);
  t_free(&a), t_free(&b), t_free(&as), t_free(&bs), t_free(&c), t_free(&bias), t_free(&f8v), t_free(&u8v);
}
