/* VPTO elementwise vector ops (runtime/isa/v_elem.h): exact expected values
 * per op family and dtype, edge cases (wrap-around, NaN/Inf/-0, rounding
 * ties, shift counts, partial masks and zeroing, aliasing), and replays of
 * the public VPTO corpus cases that use these ops: each case's inputs run
 * through the functions the way its kernel.pto does (tail masks included),
 * compared with the case's expected outputs. Replays are registered only
 * when ../shared/corpus/vpto is there. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/isa/v_elem.h"
#include "runtime/npy.h"
#include "tests/unit/api_util.h"
#include "tests/unit/ut.h"

/* ---- helpers -------------------------------------------------------------------------------- */

static ptk_sc scf(double f) {
  ptk_sc s;
  s.f = f;
  return s;
}
static ptk_sc sci(int64_t i) {
  ptk_sc s;
  s.i = i;
  return s;
}

/* A mask with the first k lanes of esz-byte elements active (plt_bN). */
static ptk_vmask mask_first(unsigned k, unsigned esz) {
  ptk_vmask m;
  memset(&m, 0, sizeof m);
  for (unsigned i = 0; i < k && i * esz < PTK_VREG_BYTES; i++) ptk_vmask_set(&m, i * esz, true);
  return m;
}
static ptk_vmask mask_all(unsigned esz) { return mask_first(PTK_VREG_BYTES / esz, esz); }

static float gf(const ptk_vreg *v, unsigned i) {
  float f;
  memcpy(&f, v->b + 4 * i, 4);
  return f;
}
static void sf(ptk_vreg *v, unsigned i, float f) { memcpy(v->b + 4 * i, &f, 4); }
static uint16_t g16(const ptk_vreg *v, unsigned i) {
  uint16_t h;
  memcpy(&h, v->b + 2 * i, 2);
  return h;
}
static void s16(ptk_vreg *v, unsigned i, uint16_t h) { memcpy(v->b + 2 * i, &h, 2); }
static uint32_t g32(const ptk_vreg *v, unsigned i) {
  uint32_t h;
  memcpy(&h, v->b + 4 * i, 4);
  return h;
}
static void s32(ptk_vreg *v, unsigned i, uint32_t h) { memcpy(v->b + 4 * i, &h, 4); }
static uint32_t fbits(float f) { return ptk_f32_bits(f); }

/* Fill every f32 lane from a repeating pattern. */
static void fill_f(ptk_vreg *v, const float *pat, unsigned np) {
  for (unsigned i = 0; i < 64; i++) sf(v, i, pat[i % np]);
}
static void fill_16(ptk_vreg *v, const uint16_t *pat, unsigned np) {
  for (unsigned i = 0; i < 128; i++) s16(v, i, pat[i % np]);
}

/* ---- binary --------------------------------------------------------------------------------- */

TEST(binary_f32_arith) {
  ptk_vreg a, b, d;
  for (unsigned i = 0; i < 64; i++) {
    sf(&a, i, (float)i * 0.5f - 3.0f);
    sf(&b, i, 1.5f + (float)(i % 5));
  }
  ptk_vmask m = mask_all(4);
  static const int ops[] = {PTK_VB_ADD, PTK_VB_SUB, PTK_VB_MUL, PTK_VB_DIV};
  for (int k = 0; k < 4; k++) {
    CHECK_INT(ptk_v_binary(ops[k], PTK_ISA_F32, &d, &a, &b, &m), 0);
    for (unsigned i = 0; i < 64; i++) {
      float x = gf(&a, i), y = gf(&b, i), want;
      want = k == 0 ? x + y : k == 1 ? x - y : k == 2 ? x * y : x / y;
      CHECK_UINT(fbits(gf(&d, i)), fbits(want));
    }
  }
}

TEST(binary_f32_specials) {
  /* vadd/vmin "exceptional" patterns of the goldens: IEEE add; max/min
   * propagate NaN, equal zeros give the second operand (numpy). */
  static const float pa[] = {-INFINITY, -7.5f, -0.0f, 0.0f, 1.0f, INFINITY, NAN, 3.5f};
  static const float pb[] = {INFINITY, 2.5f, 0.0f, -0.0f, -1.0f, -INFINITY, 1.0f, NAN};
  ptk_vreg a, b, d;
  fill_f(&a, pa, 8);
  fill_f(&b, pb, 8);
  CHECK_INT(ptk_v_binary(PTK_VB_ADD, PTK_ISA_F32, &d, &a, &b, NULL), 0);
  CHECK(isnan(gf(&d, 0)));
  CHECK_UINT(fbits(gf(&d, 1)), fbits(-5.0f));
  CHECK_UINT(fbits(gf(&d, 2)), fbits(0.0f));
  CHECK(isnan(gf(&d, 5)) && isnan(gf(&d, 6)) && isnan(gf(&d, 7)));
  CHECK_INT(ptk_v_binary(PTK_VB_MAX, PTK_ISA_F32, &d, &a, &b, NULL), 0);
  CHECK_UINT(fbits(gf(&d, 0)), fbits(INFINITY));
  CHECK_UINT(fbits(gf(&d, 1)), fbits(2.5f));
  CHECK_UINT(fbits(gf(&d, 2)), fbits(0.0f));  /* max(-0, +0) = +0 (b) */
  CHECK_UINT(fbits(gf(&d, 3)), fbits(-0.0f)); /* max(+0, -0) = -0 (b) */
  CHECK_UINT(fbits(gf(&d, 5)), fbits(INFINITY));
  CHECK_UINT(fbits(gf(&d, 6)), 0x7fc00000u);
  CHECK_UINT(fbits(gf(&d, 7)), 0x7fc00000u);
  CHECK_INT(ptk_v_binary(PTK_VB_MIN, PTK_ISA_F32, &d, &a, &b, NULL), 0);
  CHECK_UINT(fbits(gf(&d, 0)), fbits(-INFINITY));
  CHECK_UINT(fbits(gf(&d, 1)), fbits(-7.5f));
  CHECK_UINT(fbits(gf(&d, 2)), fbits(0.0f));
  CHECK_UINT(fbits(gf(&d, 3)), fbits(-0.0f));
  CHECK_UINT(fbits(gf(&d, 4)), fbits(-1.0f));
  CHECK(isnan(gf(&d, 6)) && isnan(gf(&d, 7)));
  /* A signalling NaN comes out quiet, payload kept. */
  sf(&a, 0, ptk_bits_f32(0x7f800001u));
  CHECK_INT(ptk_v_binary(PTK_VB_MAX, PTK_ISA_F32, &d, &a, &b, NULL), 0);
  CHECK_UINT(fbits(gf(&d, 0)), 0x7fc00001u);
  /* Division by zero: IEEE (inf, NaN for 0/0). */
  sf(&a, 0, 1.0f);
  sf(&b, 0, -0.0f);
  sf(&a, 1, 0.0f);
  sf(&b, 1, 0.0f);
  CHECK_INT(ptk_v_binary(PTK_VB_DIV, PTK_ISA_F32, &d, &a, &b, NULL), 0);
  CHECK_UINT(fbits(gf(&d, 0)), fbits(-INFINITY));
  CHECK(isnan(gf(&d, 1)));
}

TEST(binary_half_rounding) {
  /* f16: 1 + 2^-11 is a tie between 1 and 1 + 2^-10: nearest even is 1;
   * 1 + 3*2^-11 ties up to 1 + 2^-9. 65504 + 16 overflows to inf. */
  ptk_vreg a, b, d;
  static const uint16_t pa[] = {0x3c00, 0x3c00, 0x7bff, 0xfbff, 0x0001};
  static const uint16_t pb[] = {0x1000, 0x1200, 0x4c00, 0xcc00, 0x0001};
  /* 0x1000 = 2^-11, 0x1200 = 1.5*2^-11 ... */
  fill_16(&a, pa, 5);
  fill_16(&b, pb, 5);
  CHECK_INT(ptk_v_binary(PTK_VB_ADD, PTK_ISA_F16, &d, &a, &b, NULL), 0);
  CHECK_UINT(g16(&d, 0), 0x3c00); /* tie to even */
  CHECK_UINT(g16(&d, 1), 0x3c01); /* 1 + 1.5*2^-11 -> above the tie: 1 + 2^-10 */
  CHECK_UINT(g16(&d, 2), 0x7c00); /* 65504 + 16 -> inf */
  CHECK_UINT(g16(&d, 3), 0xfc00);
  CHECK_UINT(g16(&d, 4), 0x0002); /* subnormals add exactly */
  /* bf16: 1 + 2^-8 ties to 1; 1 + 3*2^-8 ties to 1 + 2^-6. */
  static const uint16_t qa[] = {0x3f80, 0x3f80};
  static const uint16_t qb[] = {0x3b80, 0x3c40}; /* 2^-8, 3*2^-8 */
  fill_16(&a, qa, 2);
  fill_16(&b, qb, 2);
  CHECK_INT(ptk_v_binary(PTK_VB_ADD, PTK_ISA_BF16, &d, &a, &b, NULL), 0);
  CHECK_UINT(g16(&d, 0), 0x3f80);
  CHECK_UINT(g16(&d, 1), 0x3f82);
  /* f16 division: the f32 quotient rounded once (vdiv golden): 1/3. */
  static const uint16_t one[] = {0x3c00}, three[] = {0x4200};
  fill_16(&a, one, 1);
  fill_16(&b, three, 1);
  CHECK_INT(ptk_v_binary(PTK_VB_DIV, PTK_ISA_F16, &d, &a, &b, NULL), 0);
  CHECK_UINT(g16(&d, 0), ptk_f32_to_f16(1.0f / 3.0f));
  CHECK_UINT(g16(&d, 0), 0x3555);
}

TEST(binary_int_wrap) {
  ptk_vreg a, b, d;
  /* i16: 32767 + 1 = -32768; -32768 - 1 = 32767; 300 * 300 = 24464 (90000 mod 2^16) */
  static const uint16_t pa[] = {32767, 0x8000, 300, 0xffff};
  static const uint16_t pb[] = {1, 1, 300, 0xffff};
  fill_16(&a, pa, 4);
  fill_16(&b, pb, 4);
  CHECK_INT(ptk_v_binary(PTK_VB_ADD, PTK_ISA_I16, &d, &a, &b, NULL), 0);
  CHECK_INT((int16_t)g16(&d, 0), -32768);
  CHECK_INT((int16_t)g16(&d, 3), -2);
  CHECK_INT(ptk_v_binary(PTK_VB_SUB, PTK_ISA_I16, &d, &a, &b, NULL), 0);
  CHECK_INT((int16_t)g16(&d, 1), 32767);
  CHECK_INT(ptk_v_binary(PTK_VB_MUL, PTK_ISA_I16, &d, &a, &b, NULL), 0);
  CHECK_INT((int16_t)g16(&d, 2), 24464);
  CHECK_INT((int16_t)g16(&d, 3), 1); /* -1 * -1 */
  /* u16: 65535 + 65535 = 65534 */
  CHECK_INT(ptk_v_binary(PTK_VB_ADD, PTK_ISA_U16, &d, &a, &b, NULL), 0);
  CHECK_UINT(g16(&d, 3), 65534);
  /* i8 and u8 */
  for (unsigned i = 0; i < 256; i++) {
    a.b[i] = (uint8_t)i;
    b.b[i] = (uint8_t)(255 - i);
  }
  CHECK_INT(ptk_v_binary(PTK_VB_MUL, PTK_ISA_I8, &d, &a, &b, NULL), 0);
  for (unsigned i = 0; i < 256; i++) CHECK_UINT(d.b[i], (uint8_t)((int8_t)i * (int8_t)(255 - i)));
  CHECK_INT(ptk_v_binary(PTK_VB_MAX, PTK_ISA_I8, &d, &a, &b, NULL), 0);
  CHECK_UINT(d.b[0], 0);   /* max(0, -1) = 0 signed */
  CHECK_UINT(d.b[200], 55); /* max(-56, 55) */
  CHECK_INT(ptk_v_binary(PTK_VB_MAX, PTK_ISA_U8, &d, &a, &b, NULL), 0);
  CHECK_UINT(d.b[0], 255);
  CHECK_UINT(d.b[200], 200);
  CHECK_INT(ptk_v_binary(PTK_VB_MIN, PTK_ISA_U8, &d, &a, &b, NULL), 0);
  CHECK_UINT(d.b[0], 0);
  CHECK_INT(ptk_v_binary(PTK_VB_MIN, PTK_ISA_I8, &d, &a, &b, NULL), 0);
  CHECK_UINT(d.b[0], 255); /* -1 */
  /* u32 / i32 / u64 */
  for (unsigned i = 0; i < 64; i++) {
    s32(&a, i, 0xffffffffu - i);
    s32(&b, i, 2u + i);
  }
  CHECK_INT(ptk_v_binary(PTK_VB_ADD, PTK_ISA_U32, &d, &a, &b, NULL), 0);
  for (unsigned i = 0; i < 64; i++) CHECK_UINT(g32(&d, i), 1u);
  CHECK_INT(ptk_v_binary(PTK_VB_MAX, PTK_ISA_I32, &d, &a, &b, NULL), 0);
  CHECK_UINT(g32(&d, 0), 2u); /* -1 < 2 signed */
  CHECK_INT(ptk_v_binary(PTK_VB_MAX, PTK_ISA_U32, &d, &a, &b, NULL), 0);
  CHECK_UINT(g32(&d, 0), 0xffffffffu);
  uint64_t x = UINT64_MAX, y = 5;
  for (unsigned i = 0; i < 32; i++) {
    memcpy(a.b + 8 * i, &x, 8);
    memcpy(b.b + 8 * i, &y, 8);
  }
  CHECK_INT(ptk_v_binary(PTK_VB_MAX, PTK_ISA_U64, &d, &a, &b, NULL), 0);
  memcpy(&x, d.b, 8);
  CHECK_UINT(x, UINT64_MAX);
  CHECK_INT(ptk_v_binary(PTK_VB_MAX, PTK_ISA_I64, &d, &a, &b, NULL), 0);
  memcpy(&x, d.b, 8);
  CHECK_UINT(x, 5);
  CHECK_INT(ptk_v_binary(PTK_VB_ADD, PTK_ISA_I64, &d, &a, &b, NULL), 0);
  memcpy(&x, d.b, 8);
  CHECK_UINT(x, 4);
}

TEST(binary_shifts) {
  ptk_vreg a, b, d;
  /* the vshl/vshr "shift_boundary" patterns plus counts at and past the width */
  static const uint16_t la[] = {0, 1, 15, 16, 255, 256, 4095, 4096, 32767, 32768, 65535, 0x8001, 0x8001, 0x8001};
  static const uint16_t lb[] = {0, 1, 1, 1, 2, 2, 3, 3, 4, 5, 6, 15, 16, 0xffff};
  fill_16(&a, la, 14);
  fill_16(&b, lb, 14);
  CHECK_INT(ptk_v_binary(PTK_VB_SHL, PTK_ISA_U16, &d, &a, &b, NULL), 0);
  for (unsigned i = 0; i < 14; i++) {
    uint16_t want = lb[i] >= 16 ? 0 : (uint16_t)(la[i] << lb[i]);
    CHECK_UINT(g16(&d, i), want);
  }
  CHECK_INT(ptk_v_binary(PTK_VB_SHR, PTK_ISA_U16, &d, &a, &b, NULL), 0);
  for (unsigned i = 0; i < 14; i++) {
    uint16_t want = lb[i] >= 16 ? 0 : (uint16_t)(la[i] >> lb[i]);
    CHECK_UINT(g16(&d, i), want);
  }
  /* signed: arithmetic; a count >= 16 (also a negative one) fills the sign */
  CHECK_INT(ptk_v_binary(PTK_VB_SHR, PTK_ISA_I16, &d, &a, &b, NULL), 0);
  CHECK_UINT(g16(&d, 9), 0xfc00);  /* -32768 >> 5 = -1024 */
  CHECK_UINT(g16(&d, 10), 0xffff); /* -1 >> 6 */
  CHECK_UINT(g16(&d, 11), 0xffff); /* 0x8001 >> 15 */
  CHECK_UINT(g16(&d, 12), 0xffff);
  CHECK_UINT(g16(&d, 13), 0xffff);
  CHECK_UINT(g16(&d, 8), 32767 >> 4);
  CHECK_INT(ptk_v_binary(PTK_VB_SHL, PTK_ISA_I16, &d, &a, &b, NULL), 0);
  CHECK_UINT(g16(&d, 11), 0x8000);
  CHECK_UINT(g16(&d, 12), 0);
  /* i8: 8-bit counts */
  for (unsigned i = 0; i < 256; i++) {
    a.b[i] = 0x81;
    b.b[i] = (uint8_t)(i % 10);
  }
  CHECK_INT(ptk_v_binary(PTK_VB_SHR, PTK_ISA_I8, &d, &a, &b, NULL), 0);
  for (unsigned i = 0; i < 10; i++) CHECK_UINT(d.b[i], (uint8_t)((int8_t)0x81 >> (i > 7 ? 7 : i)));
  CHECK_INT(ptk_v_binary(PTK_VB_SHR, PTK_ISA_U8, &d, &a, &b, NULL), 0);
  for (unsigned i = 0; i < 10; i++) CHECK_UINT(d.b[i], i > 7 ? 0 : 0x81 >> i);
  /* u32 shl, counts 0..31 (vshl i32 golden) */
  for (unsigned i = 0; i < 64; i++) {
    s32(&a, i, 0xabcdu + i);
    s32(&b, i, i % 32);
  }
  CHECK_INT(ptk_v_binary(PTK_VB_SHL, PTK_ISA_U32, &d, &a, &b, NULL), 0);
  for (unsigned i = 0; i < 64; i++) CHECK_UINT(g32(&d, i), (uint32_t)((0xabcdu + i) << (i % 32)));
}

TEST(binary_prelu_bitwise) {
  ptk_vreg a, b, d;
  static const float pa[] = {2.0f, -2.0f, -0.0f, 0.0f, -INFINITY, NAN};
  static const float pb[] = {0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f};
  fill_f(&a, pa, 6);
  fill_f(&b, pb, 6);
  CHECK_INT(ptk_v_binary(PTK_VB_PRELU, PTK_ISA_F32, &d, &a, &b, NULL), 0);
  CHECK_UINT(fbits(gf(&d, 0)), fbits(2.0f));
  CHECK_UINT(fbits(gf(&d, 1)), fbits(-0.5f));
  CHECK_UINT(fbits(gf(&d, 2)), fbits(-0.0f)); /* -0 >= 0: kept */
  CHECK_UINT(fbits(gf(&d, 4)), fbits(-INFINITY));
  CHECK(isnan(gf(&d, 5)));
  /* vor of two f16 vectors: raw bits (the vcvt EVEN/ODD combine) */
  for (unsigned i = 0; i < 128; i++) {
    s16(&a, i, i % 2 ? 0 : 0x3c00);
    s16(&b, i, i % 2 ? 0xc000 : 0);
  }
  ptk_vmask m16 = mask_all(2);
  CHECK_INT(ptk_v_binary(PTK_VB_OR, PTK_ISA_F16, &d, &a, &b, &m16), 0);
  for (unsigned i = 0; i < 128; i++) CHECK_UINT(g16(&d, i), i % 2 ? 0xc000 : 0x3c00);
  CHECK_INT(ptk_v_binary(PTK_VB_AND, PTK_ISA_U32, &d, &a, &b, NULL), 0);
  for (unsigned i = 0; i < 64; i++) CHECK_UINT(g32(&d, i), 0);
  CHECK_INT(ptk_v_binary(PTK_VB_XOR, PTK_ISA_I16, &d, &a, &a, NULL), 0);
  for (unsigned i = 0; i < 128; i++) CHECK_UINT(g16(&d, i), 0);
}

TEST(binary_mask_zeroing_alias) {
  /* Inactive lanes are 0 (zeroing), at every granularity; dst may alias. */
  ptk_vreg a, b;
  for (unsigned i = 0; i < 256; i++) {
    a.b[i] = (uint8_t)(i + 1);
    b.b[i] = 1;
  }
  static const ptk_isa_dtype dts[] = {PTK_ISA_U8, PTK_ISA_U16, PTK_ISA_U32, PTK_ISA_U64};
  for (int k = 0; k < 4; k++) {
    unsigned esz = 1u << k, n = 256 / esz;
    for (unsigned act = 0; act <= n; act += n / 4 + 3) {
      ptk_vmask m = mask_first(act, esz);
      ptk_vreg d = a;
      CHECK_INT(ptk_v_binary(PTK_VB_XOR, dts[k], &d, &d, &b, &m), 0);
      for (unsigned j = 0; j < 256; j++)
        CHECK_UINT(d.b[j], j / esz < act ? (uint8_t)((j + 1) ^ 1) : 0);
    }
  }
  /* Only each lane's first bit counts: a b32 lane with bits 1..3 set and
   * bit 0 clear is inactive. */
  ptk_vmask m;
  memset(&m, 0, sizeof m);
  m.b[0] = 0xe1; /* bits 0,5,6,7: lane 0 active, lane 1 (bit 4) inactive */
  ptk_vreg fa, fb, d;
  for (unsigned i = 0; i < 64; i++) {
    sf(&fa, i, 1.0f);
    sf(&fb, i, 2.0f);
  }
  CHECK_INT(ptk_v_binary(PTK_VB_ADD, PTK_ISA_F32, &d, &fa, &fb, &m), 0);
  CHECK_UINT(fbits(gf(&d, 0)), fbits(3.0f));
  for (unsigned i = 1; i < 64; i++) CHECK_UINT(g32(&d, i), 0);
}

TEST(binary_errors) {
  ptk_vreg a, b, d;
  memset(&a, 0x11, sizeof a);
  memset(&b, 0x22, sizeof b);
  memset(&d, 0x5a, sizeof d);
  CHECK_INT(ptk_v_binary(PTK_VB_DIV, PTK_ISA_I32, &d, &a, &b, NULL), PTK_ISA_EDTYPE);
  CHECK_INT(ptk_v_binary(PTK_VB_SHL, PTK_ISA_F32, &d, &a, &b, NULL), PTK_ISA_EDTYPE);
  CHECK_INT(ptk_v_binary(PTK_VB_PRELU, PTK_ISA_I16, &d, &a, &b, NULL), PTK_ISA_EDTYPE);
  CHECK_INT(ptk_v_binary(PTK_VB_ADD, PTK_ISA_F64, &d, &a, &b, NULL), PTK_ISA_EDTYPE);
  CHECK_INT(ptk_v_binary(PTK_VB_ADD, PTK_ISA_I1, &d, &a, &b, NULL), PTK_ISA_EDTYPE);
  CHECK_INT(ptk_v_binary(PTK_VB_ADD, (ptk_isa_dtype)99, &d, &a, &b, NULL), PTK_ISA_EDTYPE);
  CHECK_INT(ptk_v_binary(PTK_VB_NOPS, PTK_ISA_F32, &d, &a, &b, NULL), PTK_ISA_EARG);
  CHECK_INT(ptk_v_binary(-1, PTK_ISA_F32, &d, &a, &b, NULL), PTK_ISA_EARG);
  CHECK_INT(ptk_v_unary(PTK_VU_EXP, PTK_ISA_I32, &d, &a, NULL), PTK_ISA_EDTYPE);
  CHECK_INT(ptk_v_unary(PTK_VU_NOPS, PTK_ISA_F32, &d, &a, NULL), PTK_ISA_EARG);
  CHECK_INT(ptk_v_ternary(PTK_VT_NOPS, PTK_ISA_F32, &d, &a, &a, &b, NULL), PTK_ISA_EARG);
  ptk_vmask c;
  CHECK_INT(ptk_v_carry(PTK_VCARRY_ADD, PTK_ISA_F32, &d, &c, &a, &b, NULL, NULL), PTK_ISA_EDTYPE);
  CHECK_INT(ptk_v_carry(7, PTK_ISA_U32, &d, &c, &a, &b, NULL, NULL), PTK_ISA_EARG);
  CHECK_INT(ptk_v_mull(PTK_ISA_F16, &d, &a, &a, &b, NULL), PTK_ISA_EDTYPE);
  CHECK_INT(ptk_v_mull(PTK_ISA_I32, &d, &d, &a, &b, NULL), PTK_ISA_EARG);
  CHECK_INT(ptk_v_cmp(9, PTK_ISA_F32, &c, &a, &b, NULL), PTK_ISA_EARG);
  CHECK_INT(ptk_v_expdif(PTK_ISA_I32, &d, &a, &b, NULL, false), PTK_ISA_EDTYPE);
  CHECK_INT(ptk_v_dup(PTK_ISA_F64, &d, scf(1), NULL), PTK_ISA_EDTYPE);
  /* nothing was written */
  for (unsigned j = 0; j < 256; j++) CHECK_UINT(d.b[j], 0x5a);
}

/* ---- vector-scalar -------------------------------------------------------------------------- */

TEST(binary_scalar) {
  ptk_vreg a, d;
  for (unsigned i = 0; i < 64; i++) sf(&a, i, (float)i - 10.0f);
  /* vadds f32 3.14 (scalar cell holds the f32-rounded value) */
  float c = 3.14f;
  CHECK_INT(ptk_v_binary_s(PTK_VB_ADD, PTK_ISA_F32, &d, &a, scf(c), NULL), 0);
  for (unsigned i = 0; i < 64; i++) CHECK_UINT(fbits(gf(&d, i)), fbits(((float)i - 10.0f) + c));
  CHECK_INT(ptk_v_binary_s(PTK_VB_MAX, PTK_ISA_F32, &d, &a, scf(c), NULL), 0);
  CHECK_UINT(fbits(gf(&d, 0)), fbits(c));
  CHECK_UINT(fbits(gf(&d, 63)), fbits(53.0f));
  CHECK_INT(ptk_v_binary_s(PTK_VB_MIN, PTK_ISA_F32, &d, &a, scf(c), NULL), 0);
  CHECK_UINT(fbits(gf(&d, 0)), fbits(-10.0f));
  CHECK_INT(ptk_v_binary_s(PTK_VB_MUL, PTK_ISA_F32, &d, &a, scf(-0.5), NULL), 0);
  CHECK_UINT(fbits(gf(&d, 10)), fbits(-0.0f));
  CHECK_INT(ptk_v_binary_s(PTK_VB_SUB, PTK_ISA_F32, &d, &a, scf(1.0), NULL), 0);
  CHECK_UINT(fbits(gf(&d, 0)), fbits(-11.0f));
  /* vlrelu alpha 0.125 (golden vlrelu-f32) */
  CHECK_INT(ptk_v_binary_s(PTK_VB_PRELU, PTK_ISA_F32, &d, &a, scf(0.125), NULL), 0);
  CHECK_UINT(fbits(gf(&d, 0)), fbits(-1.25f));
  CHECK_UINT(fbits(gf(&d, 20)), fbits(10.0f));
  /* bf16 vadds: the scalar is a bf16 value; the sum rounds to bf16 */
  ptk_vreg h;
  for (unsigned i = 0; i < 128; i++) s16(&h, i, 0x3f80); /* 1.0 */
  CHECK_INT(ptk_v_binary_s(PTK_VB_ADD, PTK_ISA_BF16, &d, &h, scf(0.5), NULL), 0);
  CHECK_UINT(g16(&d, 0), 0x3fc0);
  /* ui16 vector with a signless i16 scalar -1 (cell -1): 0xffff */
  for (unsigned i = 0; i < 128; i++) s16(&h, i, (uint16_t)i);
  CHECK_INT(ptk_v_binary_s(PTK_VB_ADD, PTK_ISA_U16, &d, &h, sci(-1), NULL), 0);
  CHECK_UINT(g16(&d, 0), 0xffff);
  CHECK_UINT(g16(&d, 5), 4);
  CHECK_INT(ptk_v_binary_s(PTK_VB_MAX, PTK_ISA_U16, &d, &h, sci(-1), NULL), 0);
  CHECK_UINT(g16(&d, 5), 0xffff);
  CHECK_INT(ptk_v_binary_s(PTK_VB_MAX, PTK_ISA_I16, &d, &h, sci(-1), NULL), 0);
  CHECK_UINT(g16(&d, 5), 5);
  /* vshls/vshrs: i16 count; 3 (golden vshls), the width, beyond, negative */
  for (unsigned i = 0; i < 128; i++) s16(&h, i, 0x0fff);
  CHECK_INT(ptk_v_binary_s(PTK_VB_SHL, PTK_ISA_U16, &d, &h, sci(3), NULL), 0);
  CHECK_UINT(g16(&d, 0), 0x7ff8);
  CHECK_INT(ptk_v_binary_s(PTK_VB_SHL, PTK_ISA_U16, &d, &h, sci(16), NULL), 0);
  CHECK_UINT(g16(&d, 0), 0);
  for (unsigned i = 0; i < 256; i++) a.b[i] = 0x80;
  CHECK_INT(ptk_v_binary_s(PTK_VB_SHR, PTK_ISA_U8, &d, &a, sci(256), NULL), 0);
  CHECK_UINT(d.b[0], 0); /* 256 does not narrow to a shift by 0 */
  CHECK_INT(ptk_v_binary_s(PTK_VB_SHR, PTK_ISA_I8, &d, &a, sci(-1), NULL), 0);
  CHECK_UINT(d.b[0], 0xff);
  CHECK_INT(ptk_v_binary_s(PTK_VB_SHR, PTK_ISA_I8, &d, &a, sci(1), NULL), 0);
  CHECK_UINT(d.b[0], 0xc0);
  for (unsigned i = 0; i < 64; i++) s32(&a, i, 0x80000000u);
  CHECK_INT(ptk_v_binary_s(PTK_VB_SHR, PTK_ISA_I32, &d, &a, sci(31), NULL), 0);
  CHECK_UINT(g32(&d, 0), 0xffffffffu);
  CHECK_INT(ptk_v_binary_s(PTK_VB_SHR, PTK_ISA_U32, &d, &a, sci(31), NULL), 0);
  CHECK_UINT(g32(&d, 0), 1u);
  /* partial mask */
  ptk_vmask m = mask_first(3, 4);
  CHECK_INT(ptk_v_binary_s(PTK_VB_ADD, PTK_ISA_U32, &d, &a, sci(1), &m), 0);
  CHECK_UINT(g32(&d, 2), 0x80000001u);
  CHECK_UINT(g32(&d, 3), 0);
}

/* ---- unary ---------------------------------------------------------------------------------- */

TEST(unary_float) {
  ptk_vreg a, d;
  static const float pa[] = {-2.5f, 2.5f, -0.0f, 0.0f, -INFINITY, INFINITY, NAN, 4.0f};
  fill_f(&a, pa, 8);
  sf(&a, 8, ptk_bits_f32(0xffc00123u)); /* negative NaN with a payload */
  CHECK_INT(ptk_v_unary(PTK_VU_ABS, PTK_ISA_F32, &d, &a, NULL), 0);
  CHECK_UINT(fbits(gf(&d, 0)), fbits(2.5f));
  CHECK_UINT(fbits(gf(&d, 2)), fbits(0.0f));
  CHECK_UINT(fbits(gf(&d, 4)), fbits(INFINITY));
  CHECK_UINT(fbits(gf(&d, 8)), 0x7fc00123u);
  CHECK_INT(ptk_v_unary(PTK_VU_NEG, PTK_ISA_F32, &d, &a, NULL), 0);
  CHECK_UINT(fbits(gf(&d, 0)), fbits(2.5f));
  CHECK_UINT(fbits(gf(&d, 3)), fbits(-0.0f));
  CHECK_UINT(fbits(gf(&d, 8)), 0x7fc00123u);
  CHECK_INT(ptk_v_unary(PTK_VU_RELU, PTK_ISA_F32, &d, &a, NULL), 0);
  CHECK_UINT(fbits(gf(&d, 0)), fbits(0.0f));
  CHECK_UINT(fbits(gf(&d, 1)), fbits(2.5f));
  CHECK_UINT(fbits(gf(&d, 2)), fbits(0.0f)); /* -0 -> +0 (numpy maximum(x, 0)) */
  CHECK_UINT(fbits(gf(&d, 4)), fbits(0.0f));
  CHECK_UINT(fbits(gf(&d, 5)), fbits(INFINITY));
  CHECK(isnan(gf(&d, 6)));
  CHECK_INT(ptk_v_unary(PTK_VU_EXP, PTK_ISA_F32, &d, &a, NULL), 0);
  CHECK_UINT(fbits(gf(&d, 0)), fbits(ptk_expf(-2.5f)));
  CHECK_UINT(fbits(gf(&d, 2)), fbits(1.0f));
  CHECK_UINT(fbits(gf(&d, 4)), fbits(0.0f));
  CHECK_UINT(fbits(gf(&d, 5)), fbits(INFINITY));
  CHECK(isnan(gf(&d, 6)));
  CHECK_INT(ptk_v_unary(PTK_VU_LN, PTK_ISA_F32, &d, &a, NULL), 0);
  CHECK(isnan(gf(&d, 0)));
  CHECK_UINT(fbits(gf(&d, 1)), fbits(ptk_logf(2.5f)));
  CHECK_UINT(fbits(gf(&d, 3)), fbits(-INFINITY));
  CHECK_UINT(fbits(gf(&d, 5)), fbits(INFINITY));
  CHECK_UINT(fbits(gf(&d, 7)), fbits(ptk_logf(4.0f)));
  CHECK_INT(ptk_v_unary(PTK_VU_SQRT, PTK_ISA_F32, &d, &a, NULL), 0);
  CHECK(isnan(gf(&d, 0)));
  CHECK_UINT(fbits(gf(&d, 2)), fbits(-0.0f));
  CHECK_UINT(fbits(gf(&d, 7)), fbits(2.0f));
  CHECK_INT(ptk_v_unary(PTK_VU_REC, PTK_ISA_F32, &d, &a, NULL), 0);
  CHECK_UINT(fbits(gf(&d, 1)), fbits(0.4f));
  CHECK_UINT(fbits(gf(&d, 2)), fbits(-INFINITY));
  CHECK_INT(ptk_v_unary(PTK_VU_RSQRT, PTK_ISA_F32, &d, &a, NULL), 0);
  CHECK_UINT(fbits(gf(&d, 7)), fbits(0.5f));
  CHECK_UINT(fbits(gf(&d, 3)), fbits(INFINITY));
  /* exp over many values equals ptk_expf lane by lane */
  for (unsigned i = 0; i < 64; i++) sf(&a, i, -4.0f + 0.13f * (float)i);
  CHECK_INT(ptk_v_unary(PTK_VU_EXP, PTK_ISA_F32, &d, &a, NULL), 0);
  for (unsigned i = 0; i < 64; i++) CHECK_UINT(fbits(gf(&d, i)), fbits(ptk_expf(gf(&a, i))));
  /* f16: exp rounded once from f32; abs/neg on the sign bit only */
  ptk_vreg h;
  for (unsigned i = 0; i < 128; i++) s16(&h, i, (uint16_t)(0x3000 + 37 * i));
  s16(&h, 1, 0xfe01); /* negative NaN */
  CHECK_INT(ptk_v_unary(PTK_VU_EXP, PTK_ISA_F16, &d, &h, NULL), 0);
  for (unsigned i = 2; i < 128; i++)
    CHECK_UINT(g16(&d, i), ptk_f32_to_f16(ptk_expf(ptk_f16_to_f32(g16(&h, i)))));
  CHECK_INT(ptk_v_unary(PTK_VU_ABS, PTK_ISA_F16, &d, &h, NULL), 0);
  CHECK_UINT(g16(&d, 1), 0x7e01);
  CHECK_INT(ptk_v_unary(PTK_VU_NEG, PTK_ISA_BF16, &d, &h, NULL), 0);
  CHECK_UINT(g16(&d, 0), 0xb000);
}

TEST(unary_int) {
  ptk_vreg a, d;
  static const uint16_t pa[] = {0x8000, 0xffff, 0, 1, 0x7fff};
  fill_16(&a, pa, 5);
  CHECK_INT(ptk_v_unary(PTK_VU_ABS, PTK_ISA_I16, &d, &a, NULL), 0);
  CHECK_UINT(g16(&d, 0), 0x8000); /* wraps: not saturating (docs 06) */
  CHECK_UINT(g16(&d, 1), 1);
  CHECK_UINT(g16(&d, 4), 0x7fff);
  CHECK_INT(ptk_v_unary(PTK_VU_ABS, PTK_ISA_U16, &d, &a, NULL), 0);
  CHECK_UINT(g16(&d, 1), 0xffff);
  CHECK_INT(ptk_v_unary(PTK_VU_NEG, PTK_ISA_I16, &d, &a, NULL), 0);
  CHECK_UINT(g16(&d, 0), 0x8000);
  CHECK_UINT(g16(&d, 3), 0xffff);
  CHECK_INT(ptk_v_unary(PTK_VU_RELU, PTK_ISA_I16, &d, &a, NULL), 0);
  CHECK_UINT(g16(&d, 0), 0);
  CHECK_UINT(g16(&d, 1), 0);
  CHECK_UINT(g16(&d, 4), 0x7fff);
  CHECK_INT(ptk_v_unary(PTK_VU_RELU, PTK_ISA_U16, &d, &a, NULL), 0);
  CHECK_UINT(g16(&d, 0), 0x8000);
  ptk_vmask m = mask_first(100, 2);
  CHECK_INT(ptk_v_unary(PTK_VU_NOT, PTK_ISA_I16, &d, &a, &m), 0);
  for (unsigned i = 0; i < 128; i++) CHECK_UINT(g16(&d, i), i < 100 ? (uint16_t)~pa[i % 5] : 0);
  for (unsigned i = 0; i < 64; i++) s32(&a, i, 0x80000000u + i);
  CHECK_INT(ptk_v_unary(PTK_VU_ABS, PTK_ISA_I32, &d, &a, NULL), 0);
  CHECK_UINT(g32(&d, 0), 0x80000000u);
  CHECK_UINT(g32(&d, 1), 0x7fffffffu);
  for (unsigned i = 0; i < 256; i++) a.b[i] = (uint8_t)i;
  CHECK_INT(ptk_v_unary(PTK_VU_NEG, PTK_ISA_I8, &d, &a, NULL), 0);
  for (unsigned i = 0; i < 256; i++) CHECK_UINT(d.b[i], (uint8_t)(256 - i));
}

/* ---- ternary, axpy -------------------------------------------------------------------------- */

TEST(ternary_fused) {
  ptk_vreg acc, a, b, d;
  /* (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24: rounded alone it is 1 + 2^-11 (a tie
   * to even), so acc = -1 tells fused (2^-11 + 2^-24) from unfused (2^-11). */
  float x = 1.0f + 0x1p-12f;
  for (unsigned i = 0; i < 64; i++) {
    sf(&acc, i, -1.0f);
    sf(&a, i, x);
    sf(&b, i, x);
  }
  CHECK_INT(ptk_v_ternary(PTK_VT_MULA, PTK_ISA_F32, &d, &acc, &a, &b, NULL), 0);
  CHECK_UINT(fbits(gf(&d, 0)), fbits(0x1p-11f + 0x1p-24f));
  CHECK_INT(ptk_v_ternary(PTK_VT_MADD, PTK_ISA_F32, &d, &a, &b, &acc, NULL), 0);
  CHECK_UINT(fbits(gf(&d, 5)), fbits(0x1p-11f + 0x1p-24f)); /* a * acc + b */
  /* vmula golden: acc + |acc| * |acc| */
  for (unsigned i = 0; i < 64; i++) {
    float v = -8.0f + 0.25f * (float)i;
    sf(&acc, i, v);
    sf(&a, i, fabsf(v));
  }
  ptk_vmask m = mask_first(60, 4);
  CHECK_INT(ptk_v_ternary(PTK_VT_MULA, PTK_ISA_F32, &d, &acc, &a, &a, &m), 0);
  for (unsigned i = 0; i < 64; i++)
    CHECK_UINT(fbits(gf(&d, i)), i < 60 ? fbits(fmaf(gf(&a, i), gf(&a, i), gf(&acc, i))) : 0);
  /* f16 */
  ptk_vreg h1, h2, h3;
  for (unsigned i = 0; i < 128; i++) {
    s16(&h1, i, 0x3c00); /* 1 */
    s16(&h2, i, 0x4000); /* 2 */
    s16(&h3, i, 0x3800); /* 0.5 */
  }
  CHECK_INT(ptk_v_ternary(PTK_VT_MULA, PTK_ISA_F16, &d, &h1, &h2, &h3, NULL), 0);
  CHECK_UINT(g16(&d, 0), 0x4000); /* 1 + 2 * 0.5 */
  /* integers wrap */
  for (unsigned i = 0; i < 64; i++) {
    s32(&acc, i, 1);
    s32(&a, i, 0x10000);
    s32(&b, i, 0x10000);
  }
  CHECK_INT(ptk_v_ternary(PTK_VT_MULA, PTK_ISA_I32, &d, &acc, &a, &b, NULL), 0);
  CHECK_UINT(g32(&d, 0), 1);
  /* vaxpy: alpha * src0 + src1 (golden vaxpy-f32, alpha 0.125) */
  for (unsigned i = 0; i < 64; i++) {
    sf(&a, i, (float)i - 8.0f);
    sf(&b, i, 3.0f);
  }
  CHECK_INT(ptk_v_axpy(PTK_ISA_F32, &d, &a, &b, scf(0.125), NULL), 0);
  for (unsigned i = 0; i < 64; i++) CHECK_UINT(fbits(gf(&d, i)), fbits(0.125f * ((float)i - 8.0f) + 3.0f));
  CHECK_INT(ptk_v_axpy(PTK_ISA_F64, &d, &a, &b, scf(0.125), NULL), PTK_ISA_EDTYPE);
}

/* ---- carry, mull ---------------------------------------------------------------------------- */

TEST(carry_chain) {
  ptk_vreg a, b, d;
  ptk_vmask c, cin, m = mask_first(62, 4);
  static const uint32_t pa[] = {0xffffffffu, 0xffffffffu, 5, 0, 0x80000000u, 7};
  static const uint32_t pb[] = {1, 0, 3, 0, 0x80000000u, 7};
  for (unsigned i = 0; i < 64; i++) {
    s32(&a, i, pa[i % 6]);
    s32(&b, i, pb[i % 6]);
  }
  memset(&c, 0xff, sizeof c);
  CHECK_INT(ptk_v_carry(PTK_VCARRY_ADD, PTK_ISA_U32, &d, &c, &a, &b, NULL, &m), 0);
  CHECK_UINT(g32(&d, 0), 0);
  CHECK_UINT(g32(&d, 1), 0xffffffffu);
  CHECK_UINT(g32(&d, 4), 0);
  CHECK(ptk_vmask_bit(&c, 0));
  CHECK(!ptk_vmask_bit(&c, 4));
  CHECK(!ptk_vmask_bit(&c, 8));
  CHECK(ptk_vmask_bit(&c, 16));
  CHECK(!ptk_vmask_bit(&c, 1)); /* non-lane bits are 0 */
  CHECK(ptk_vmask_bit(&c, 60 * 4));  /* lane 60 = pattern 0: carry */
  CHECK(!ptk_vmask_bit(&c, 62 * 4)); /* inactive lane: carry 0 */
  CHECK_UINT(g32(&d, 62), 0);
  /* vaddcs with carry-in all set (golden vaddcs: a + b + 1) */
  cin = mask_all(4);
  CHECK_INT(ptk_v_carry(PTK_VCARRY_ADD, PTK_ISA_U32, &d, &c, &a, &b, &cin, NULL), 0);
  CHECK_UINT(g32(&d, 0), 1);
  CHECK_UINT(g32(&d, 1), 0);
  CHECK(ptk_vmask_bit(&c, 4));
  CHECK_UINT(g32(&d, 2), 9);
  CHECK(!ptk_vmask_bit(&c, 8));
  /* vsubc: carry = no borrow */
  CHECK_INT(ptk_v_carry(PTK_VCARRY_SUB, PTK_ISA_U32, &d, &c, &a, &b, NULL, NULL), 0);
  CHECK_UINT(g32(&d, 0), 0xfffffffeu);
  CHECK(ptk_vmask_bit(&c, 0));
  CHECK_UINT(g32(&d, 3), 0);
  CHECK(ptk_vmask_bit(&c, 12)); /* 0 - 0: no borrow */
  CHECK_UINT(g32(&d, 5), 0);
  CHECK(ptk_vmask_bit(&c, 20));
  /* vsubcs with borrow (carry-in 0): a - b - 1 */
  memset(&cin, 0, sizeof cin);
  CHECK_INT(ptk_v_carry(PTK_VCARRY_SUB, PTK_ISA_I32, &d, &c, &a, &b, &cin, NULL), 0);
  CHECK_UINT(g32(&d, 3), 0xffffffffu);
  CHECK(!ptk_vmask_bit(&c, 12)); /* 0 - 0 - 1 borrows */
  CHECK_UINT(g32(&d, 5), 0xffffffffu);
  CHECK(!ptk_vmask_bit(&c, 20));
  CHECK_UINT(g32(&d, 2), 1);
  CHECK(ptk_vmask_bit(&c, 8));
  /* 8-bit lanes */
  for (unsigned i = 0; i < 256; i++) {
    a.b[i] = 200;
    b.b[i] = (uint8_t)i;
  }
  CHECK_INT(ptk_v_carry(PTK_VCARRY_ADD, PTK_ISA_U8, &d, &c, &a, &b, NULL, NULL), 0);
  for (unsigned i = 0; i < 256; i++) {
    CHECK_UINT(d.b[i], (uint8_t)(200 + i));
    CHECK_INT(ptk_vmask_bit(&c, i), 200 + i > 255);
  }
}

TEST(mull_widening) {
  ptk_vreg a, b, lo, hi;
  static const uint32_t pa[] = {0xffffffffu, 0x80000000u, (uint32_t)-10000, 9999, 0};
  static const uint32_t pb[] = {0xffffffffu, 0x80000000u, 7777, (uint32_t)-9999, 5};
  for (unsigned i = 0; i < 64; i++) {
    s32(&a, i, pa[i % 5]);
    s32(&b, i, pb[i % 5]);
  }
  CHECK_INT(ptk_v_mull(PTK_ISA_I32, &lo, &hi, &a, &b, NULL), 0);
  for (unsigned i = 0; i < 5; i++) {
    int64_t p = (int64_t)(int32_t)pa[i] * (int64_t)(int32_t)pb[i];
    CHECK_UINT(g32(&lo, i), (uint32_t)(uint64_t)p);
    CHECK_UINT(g32(&hi, i), (uint32_t)((uint64_t)p >> 32));
  }
  CHECK_INT(ptk_v_mull(PTK_ISA_U32, &lo, &hi, &a, &b, NULL), 0);
  CHECK_UINT(g32(&lo, 0), 1);
  CHECK_UINT(g32(&hi, 0), 0xfffffffeu);
  CHECK_UINT(g32(&hi, 1), 0x40000000u);
  ptk_vmask m = mask_first(2, 4);
  CHECK_INT(ptk_v_mull(PTK_ISA_I32, &lo, &hi, &a, &b, &m), 0);
  CHECK_UINT(g32(&hi, 1), 0x40000000u);
  CHECK_UINT(g32(&lo, 2), 0);
  CHECK_UINT(g32(&hi, 2), 0);
  /* aliasing a source with an output */
  CHECK_INT(ptk_v_mull(PTK_ISA_I16, &a, &hi, &a, &b, NULL), 0);
}

/* ---- broadcast, duplicate ------------------------------------------------------------------- */

TEST(dup_broadcast) {
  ptk_vreg d, src;
  CHECK_INT(ptk_v_dup(PTK_ISA_F32, &d, scf(1.25), NULL), 0); /* vbr-f32 */
  for (unsigned i = 0; i < 64; i++) CHECK_UINT(fbits(gf(&d, i)), fbits(1.25f));
  CHECK_INT(ptk_v_dup(PTK_ISA_I8, &d, sci(-7), NULL), 0); /* vbr-i8 */
  for (unsigned i = 0; i < 256; i++) CHECK_UINT(d.b[i], 0xf9);
  CHECK_INT(ptk_v_dup(PTK_ISA_U8, &d, sci(201 + 256 * 3), NULL), 0); /* low 8 bits */
  for (unsigned i = 0; i < 256; i++) CHECK_UINT(d.b[i], 201);
  CHECK_INT(ptk_v_dup(PTK_ISA_I32, &d, sci(7), NULL), 0);
  for (unsigned i = 0; i < 64; i++) CHECK_UINT(g32(&d, i), 7);
  CHECK_INT(ptk_v_dup(PTK_ISA_F16, &d, scf(-2.5), NULL), 0);
  for (unsigned i = 0; i < 128; i++) CHECK_UINT(g16(&d, i), 0xc100);
  CHECK_INT(ptk_v_dup(PTK_ISA_BF16, &d, scf(1.0 + 1.0 / 256), NULL), 0); /* tie -> 1 */
  CHECK_UINT(g16(&d, 0), 0x3f80);
  uint64_t big = 0x0123456789abcdefull;
  CHECK_INT(ptk_v_dup(PTK_ISA_U64, &d, sci((int64_t)big), NULL), 0);
  for (unsigned i = 0; i < 32; i++) {
    uint64_t v;
    memcpy(&v, d.b + 8 * i, 8);
    CHECK_UINT(v, big);
  }
  /* vdup scalar with a tail mask: inactive lanes 0 */
  ptk_vmask m = mask_first(10, 4);
  CHECK_INT(ptk_v_dup(PTK_ISA_F32, &d, scf(-2.5), &m), 0);
  for (unsigned i = 0; i < 64; i++) CHECK_UINT(fbits(gf(&d, i)), i < 10 ? fbits(-2.5f) : 0);
  /* vdup of a vector: LOWEST / HIGHEST (golden vdup-lane) */
  for (unsigned i = 0; i < 64; i++) sf(&src, i, (float)i + 0.5f);
  CHECK_INT(ptk_v_dup_lane(PTK_ISA_F32, &d, &src, false, NULL), 0);
  for (unsigned i = 0; i < 64; i++) CHECK_UINT(fbits(gf(&d, i)), fbits(0.5f));
  CHECK_INT(ptk_v_dup_lane(PTK_ISA_F32, &d, &src, true, NULL), 0);
  for (unsigned i = 0; i < 64; i++) CHECK_UINT(fbits(gf(&d, i)), fbits(63.5f));
  CHECK_INT(ptk_v_dup_lane(PTK_ISA_U8, &src, &src, true, NULL), 0); /* aliasing */
  for (unsigned i = 0; i < 256; i++) CHECK_UINT(src.b[i], 0x42); /* top byte of 63.5f */
  ptk_vmask m16 = mask_first(3, 2);
  for (unsigned i = 0; i < 128; i++) s16(&src, i, (uint16_t)(i + 1));
  CHECK_INT(ptk_v_dup_lane(PTK_ISA_I16, &d, &src, true, &m16), 0);
  for (unsigned i = 0; i < 128; i++) CHECK_UINT(g16(&d, i), i < 3 ? 128 : 0);
}

/* ---- compare, select ------------------------------------------------------------------------ */

TEST(cmp_modes) {
  CHECK_INT(ptk_v_cmp_mode("eq"), PTK_ISA_EQ);
  CHECK_INT(ptk_v_cmp_mode("ge"), PTK_ISA_GE);
  CHECK_INT(ptk_v_cmp_mode("GT"), -1);
  CHECK_INT(ptk_v_cmp_mode(NULL), -1);
  ptk_vreg a, b;
  static const float pa[] = {1.0f, 2.0f, 3.0f, NAN, -0.0f, 1.0f, INFINITY};
  static const float pb[] = {2.0f, 2.0f, 2.0f, 1.0f, 0.0f, NAN, INFINITY};
  fill_f(&a, pa, 7);
  fill_f(&b, pb, 7);
  /* expected per mode, lanes 0..6 */
  static const int want[6][7] = {
      {0, 1, 0, 0, 1, 0, 1}, /* eq */
      {1, 0, 1, 1, 0, 1, 0}, /* ne */
      {1, 0, 0, 0, 0, 0, 0}, /* lt */
      {1, 1, 0, 0, 1, 0, 1}, /* le */
      {0, 0, 1, 0, 0, 0, 0}, /* gt */
      {0, 1, 1, 0, 1, 0, 1}, /* ge */
  };
  for (int k = 0; k < 6; k++) {
    ptk_vmask r;
    CHECK_INT(ptk_v_cmp(k, PTK_ISA_F32, &r, &a, &b, NULL), 0);
    for (unsigned i = 0; i < 7; i++) CHECK_INT(ptk_vmask_bit(&r, i * 4), want[k][i]);
    for (unsigned j = 0; j < 256; j++)
      if (j % 4) CHECK(!ptk_vmask_bit(&r, j));
  }
  /* seed: inactive lanes are 0 */
  ptk_vmask seed = mask_first(1, 4), r;
  CHECK_INT(ptk_v_cmp(PTK_ISA_NE, PTK_ISA_F32, &r, &a, &b, &seed), 0);
  CHECK(ptk_vmask_bit(&r, 0));
  for (unsigned j = 1; j < 256; j++) CHECK(!ptk_vmask_bit(&r, j));
  /* i16 signed vs u16: 0xffff vs 1 */
  for (unsigned i = 0; i < 128; i++) {
    s16(&a, i, 0xffff);
    s16(&b, i, 1);
  }
  CHECK_INT(ptk_v_cmp(PTK_ISA_LT, PTK_ISA_I16, &r, &a, &b, NULL), 0);
  for (unsigned i = 0; i < 128; i++) CHECK(ptk_vmask_bit(&r, 2 * i) && !ptk_vmask_bit(&r, 2 * i + 1));
  CHECK_INT(ptk_v_cmp(PTK_ISA_LT, PTK_ISA_U16, &r, &a, &b, NULL), 0);
  for (unsigned j = 0; j < 256; j++) CHECK(!ptk_vmask_bit(&r, j));
  /* cmps i8: b8 granularity, every bit a lane (golden vcmps-i8-*) */
  for (unsigned i = 0; i < 256; i++) a.b[i] = (uint8_t)i;
  CHECK_INT(ptk_v_cmps(PTK_ISA_GT, PTK_ISA_U8, &r, &a, sci(129), NULL), 0);
  for (unsigned i = 0; i < 256; i++) CHECK_INT(ptk_vmask_bit(&r, i), i > 129);
  CHECK_INT(ptk_v_cmps(PTK_ISA_GT, PTK_ISA_I8, &r, &a, sci(-3), NULL), 0);
  for (unsigned i = 0; i < 256; i++) CHECK_INT(ptk_vmask_bit(&r, i), (int8_t)i > -3);
  /* cmps f16 and bf16 */
  for (unsigned i = 0; i < 128; i++) s16(&a, i, ptk_f32_to_f16((float)i * 0.25f - 8.0f));
  CHECK_INT(ptk_v_cmps(PTK_ISA_GE, PTK_ISA_F16, &r, &a, scf(0.5), NULL), 0);
  for (unsigned i = 0; i < 128; i++) CHECK_INT(ptk_vmask_bit(&r, 2 * i), (float)i * 0.25f - 8.0f >= 0.5f);
  /* cmps f32 0.5 with the first lanes of the vcmps-f32 golden */
  static const float pc[] = {0.5f, 0.5001f, 0.4999f, -0.5f, 1.0f, -1.0f, 0.0f, 2.0f};
  fill_f(&a, pc, 8);
  CHECK_INT(ptk_v_cmps(PTK_ISA_GT, PTK_ISA_F32, &r, &a, scf(0.5), NULL), 0);
  CHECK_UINT(r.b[0], 0x10); /* lane 1 (nibble packing: lane i at bit 4i) */
  CHECK_UINT(r.b[1], 0x00);
  CHECK_UINT(r.b[2], 0x01);
  CHECK_UINT(r.b[3], 0x10);
}

TEST(select) {
  ptk_vreg a, b, d;
  for (unsigned i = 0; i < 64; i++) {
    sf(&a, i, (float)i);
    sf(&b, i, -(float)i);
  }
  ptk_vmask m;
  CHECK_INT(ptk_v_cmps(PTK_ISA_GT, PTK_ISA_F32, &m, &a, scf(9.5), NULL), 0);
  CHECK_INT(ptk_v_sel(PTK_ISA_F32, &d, &a, &b, &m), 0);
  for (unsigned i = 0; i < 64; i++) CHECK_UINT(fbits(gf(&d, i)), fbits(i > 9 ? (float)i : -(float)i));
  /* mask at b8 granularity on a b16 vector: lane i follows bit 2i only */
  ptk_vmask m8;
  memset(&m8, 0, sizeof m8);
  for (unsigned j = 1; j < 256; j += 2) ptk_vmask_set(&m8, j, true);
  ptk_vmask_set(&m8, 4, true);
  for (unsigned i = 0; i < 128; i++) {
    s16(&a, i, 0x1111);
    s16(&b, i, 0x2222);
  }
  CHECK_INT(ptk_v_sel(PTK_ISA_I16, &d, &a, &b, &m8), 0);
  for (unsigned i = 0; i < 128; i++) CHECK_UINT(g16(&d, i), i == 2 ? 0x1111 : 0x2222);
  CHECK_INT(ptk_v_sel(PTK_ISA_I16, &a, &a, &b, NULL), 0); /* NULL: all a */
  CHECK_UINT(g16(&a, 7), 0x1111);
  /* vselr: the golden's index pattern, plus out-of-range indices wrapping */
  ptk_vreg src, idx;
  for (unsigned i = 0; i < 64; i++) sf(&src, i, (float)i * 1.5f);
  for (unsigned row = 0; row < 3; row++) {
    for (unsigned i = 0; i < 64; i++) s32(&idx, i, ((63 - i) + row * 3 + (i / 8) * 3) % 64);
    CHECK_INT(ptk_v_selr(PTK_ISA_F32, &d, &src, &idx), 0);
    for (unsigned i = 0; i < 64; i++) CHECK_UINT(fbits(gf(&d, i)), fbits(gf(&src, g32(&idx, i))));
  }
  s32(&idx, 0, 64 + 5);
  s32(&idx, 1, 0xffffffffu);
  CHECK_INT(ptk_v_selr(PTK_ISA_F32, &d, &src, &idx), 0);
  CHECK_UINT(fbits(gf(&d, 0)), fbits(7.5f));
  CHECK_UINT(fbits(gf(&d, 1)), fbits(94.5f));
  for (unsigned i = 0; i < 256; i++) {
    src.b[i] = (uint8_t)(i * 3);
    idx.b[i] = (uint8_t)(255 - i);
  }
  CHECK_INT(ptk_v_selr(PTK_ISA_U8, &src, &src, &idx), 0); /* aliasing */
  for (unsigned i = 0; i < 256; i++) CHECK_UINT(src.b[i], (uint8_t)((255 - i) * 3));
}

/* ---- vexpdif -------------------------------------------------------------------------------- */

TEST(expdif) {
  ptk_vreg a, b, d;
  for (unsigned i = 0; i < 64; i++) {
    sf(&a, i, -8.0f + 0.25f * (float)i);
    sf(&b, i, 1.0f);
  }
  ptk_vmask m = mask_first(50, 4);
  CHECK_INT(ptk_v_expdif(PTK_ISA_F32, &d, &a, &b, &m, true), 0);
  for (unsigned i = 0; i < 64; i++)
    CHECK_UINT(fbits(gf(&d, i)), i < 50 ? fbits(ptk_expf(gf(&a, i) - 1.0f)) : 0);
  CHECK_INT(ptk_v_expdif(PTK_ISA_F32, &d, &a, &a, NULL, false), 0); /* golden: exp(x - x) = 1 */
  for (unsigned i = 0; i < 64; i++) CHECK_UINT(fbits(gf(&d, i)), fbits(1.0f));
  sf(&a, 0, INFINITY);
  sf(&b, 0, INFINITY);
  sf(&b, 1, INFINITY);
  CHECK_INT(ptk_v_expdif(PTK_ISA_F32, &d, &a, &b, NULL, false), 0);
  CHECK(isnan(gf(&d, 0)));
  CHECK_UINT(fbits(gf(&d, 1)), 0);
  /* f16 source: EVEN takes lanes 0, 2, 4...; ODD lanes 1, 3, 5...; a b16 mask */
  ptk_vreg h, hm;
  for (unsigned i = 0; i < 128; i++) {
    s16(&h, i, ptk_f32_to_f16((float)i * 0.0625f));
    s16(&hm, i, 0x4000); /* 2 */
  }
  ptk_vmask m16 = mask_first(101, 2);
  for (int odd = 0; odd < 2; odd++) {
    CHECK_INT(ptk_v_expdif(PTK_ISA_F16, &d, &h, &hm, &m16, odd), 0);
    for (unsigned i = 0; i < 64; i++) {
      unsigned j = 2 * i + (unsigned)odd;
      float want = j < 101 ? ptk_expf((float)j * 0.0625f - 2.0f) : 0.0f;
      CHECK_UINT(fbits(gf(&d, i)), fbits(want));
    }
  }
}

/* ---- corpus replays ------------------------------------------------------------------------- */

static const char *vcorpus(void) { return au_path("../shared/corpus/vpto"); }

/* Bytes of <case>/<sub>/<k>_arg<k>.npy (malloc'd), NULL with a message. */
static uint8_t *rd_npy(const char *cs, const char *sub, int k, size_t *nbytes) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s/%s/%d_arg%d.npy", vcorpus(), cs, sub, k, k);
  char *err = NULL;
  ptk_tensor *t = ptk_npy_read(path, 0, &err);
  if (!t) {
    printf("    %s\n", err ? err : path);
    free(err);
    return NULL;
  }
  *nbytes = ptk_tensor_nbytes(t);
  uint8_t *p = malloc(*nbytes ? *nbytes : 1);
  memcpy(p, t->data, *nbytes);
  ptk_tensor_free(t);
  return p;
}

/* What one 256-byte step of a replayed loop does. */
typedef enum { R_BIN, R_BIN_S, R_UN, R_CMPSEL } rkind;
typedef struct replay {
  const char *cs;
  int in0, in1, out; /* parameter indices (in1 -1 if unused) */
  ptk_isa_dtype dt;
  unsigned count; /* elements the kernel processes (plt chain from this count) */
  rkind kind;
  int op;
  ptk_sc s;
  double tol;    /* 0: bit-exact; else |got - want| <= tol * (1 + |want|) (f32) */
  unsigned nchk; /* elements compared (the case's check range), 0 = count */
} replay;

static double as_f(ptk_isa_dtype dt, const uint8_t *p) {
  ptk_vreg v;
  memset(&v, 0, sizeof v);
  memcpy(v.b, p, ptk_ve_esz(dt));
  return ptk_ve_getf(dt, &v, 0);
}

static void run_replay(const replay *r) {
  size_t n0 = 0, n1 = 0, no = 0, ne = 0;
  uint8_t *x = rd_npy(r->cs, "in", r->in0, &n0);
  uint8_t *y = r->in1 >= 0 ? rd_npy(r->cs, "in", r->in1, &n1) : NULL;
  uint8_t *o = rd_npy(r->cs, "in", r->out, &no);
  uint8_t *e = rd_npy(r->cs, "expected", r->out, &ne);
  unsigned esz = ptk_ve_esz(r->dt), lanes = 256 / esz;
  size_t need = (size_t)r->count * esz;
  if (!CHECK(x && o && e && (r->in1 < 0 || y)) || !CHECK(n0 >= need && no >= need && ne == no) ||
      !CHECK(r->in1 < 0 || n1 >= need))
    goto done;
  unsigned remaining = r->count;
  for (size_t off = 0; off < need; off += 256, remaining = remaining > lanes ? remaining - lanes : 0) {
    ptk_vreg a, b, d;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    size_t nb = need - off < 256 ? need - off : 256;
    memcpy(a.b, x + off, nb);
    if (y) memcpy(b.b, y + off, nb);
    ptk_vmask m = mask_first(remaining, esz); /* plt_bN %remaining */
    int rc = 0;
    switch (r->kind) {
    case R_BIN: rc = ptk_v_binary(r->op, r->dt, &d, &a, &b, &m); break;
    case R_BIN_S: rc = ptk_v_binary_s(r->op, r->dt, &d, &a, r->s, &m); break;
    case R_UN: rc = ptk_v_unary(r->op, r->dt, &d, &a, &m); break;
    case R_CMPSEL: {
      ptk_vmask p;
      rc = ptk_v_cmp(r->op, r->dt, &p, &a, &b, &m);
      if (!rc) rc = ptk_v_sel(r->dt, &d, &a, &b, &p);
      break;
    }
    }
    CHECK_INT(rc, 0);
    for (unsigned i = 0; i < lanes && off + i * esz < need; i++) /* vsts with the same mask */
      if (ptk_vmask_lane(&m, i, esz)) memcpy(o + off + i * esz, d.b + i * esz, esz);
  }
  unsigned nchk = r->nchk ? r->nchk : (unsigned)(no / esz), bad = 0;
  for (unsigned i = 0; i < nchk; i++) {
    const uint8_t *g = o + (size_t)i * esz, *w = e + (size_t)i * esz;
    bool ok = memcmp(g, w, esz) == 0;
    if (!ok && r->tol > 0) {
      double gv = as_f(r->dt, g), wv = as_f(r->dt, w);
      ok = fabs(gv - wv) <= r->tol * (1 + fabs(wv)) || (isnan(gv) && isnan(wv));
    }
    if (!ok && bad++ < 4) printf("    %s arg%d[%u]: got %g want %g\n", r->cs, r->out, i, as_f(r->dt, g), as_f(r->dt, w));
  }
  CHECK_INT(bad, 0);
done:
  free(x);
  free(y);
  free(o);
  free(e);
}

static const replay REPLAYS[] = {
    {"vadd", 0, 1, 2, PTK_ISA_F32, 1024, R_BIN, PTK_VB_ADD, {0}, 0, 0},
    {"vadd", 3, 4, 5, PTK_ISA_F16, 1024, R_BIN, PTK_VB_ADD, {0}, 0, 0},
    {"vadd", 6, 7, 8, PTK_ISA_BF16, 1024, R_BIN, PTK_VB_ADD, {0}, 0, 0},
    {"vadd", 9, 10, 11, PTK_ISA_F32, 1024, R_BIN, PTK_VB_ADD, {0}, 0, 0},
    {"vadd", 12, 13, 14, PTK_ISA_I16, 1024, R_BIN, PTK_VB_ADD, {0}, 0, 0},
    {"vadd", 15, 16, 17, PTK_ISA_I16, 1024, R_BIN, PTK_VB_ADD, {0}, 0, 0},
    {"vadd", 18, 19, 20, PTK_ISA_U16, 1024, R_BIN, PTK_VB_ADD, {0}, 0, 0},
    {"vadd", 21, 22, 23, PTK_ISA_U16, 1024, R_BIN, PTK_VB_ADD, {0}, 0, 0},
    {"vadd", 24, 25, 26, PTK_ISA_F32, 1000, R_BIN, PTK_VB_ADD, {0}, 0, 1000}, /* tail */
    {"vmax", 0, 1, 2, PTK_ISA_F32, 1024, R_BIN, PTK_VB_MAX, {0}, 0, 0},
    {"vmax", 3, 4, 5, PTK_ISA_F32, 1000, R_BIN, PTK_VB_MAX, {0}, 0, 1000},
    {"vshr", 0, 1, 2, PTK_ISA_U16, 1024, R_BIN, PTK_VB_SHR, {0}, 0, 0},
    {"vshr", 3, 4, 5, PTK_ISA_I16, 1024, R_BIN, PTK_VB_SHR, {0}, 0, 0},
    {"vshr", 6, 7, 8, PTK_ISA_U16, 1024, R_BIN, PTK_VB_SHR, {0}, 0, 0},
    {"vabs", 14, -1, 15, PTK_ISA_F32, 1024, R_UN, PTK_VU_ABS, {0}, 0, 0},
    {"vexp", 8, -1, 9, PTK_ISA_F32, 1024, R_UN, PTK_VU_EXP, {0}, 1e-6, 0},
    {"vnot", 0, -1, 1, PTK_ISA_I16, 1024, R_UN, PTK_VU_NOT, {0}, 0, 1024},
    {"vadds", 16, -1, 17, PTK_ISA_F32, 1024, R_BIN_S, PTK_VB_ADD, {.f = (double)3.14f}, 0, 0},
    {"vmaxs", 2, -1, 3, PTK_ISA_F32, 1024, R_BIN_S, PTK_VB_MAX, {.f = (double)3.14f}, 0, 0},
    {"vsel", 3, 4, 5, PTK_ISA_F32, 64, R_CMPSEL, PTK_ISA_GT, {0}, 0, 64},
};
#define NREPLAYS (int)(sizeof REPLAYS / sizeof REPLAYS[0])

#define RP(k)                                                                                      \
  static void replay_##k(void) {                                                                   \
    if (k < NREPLAYS) run_replay(&REPLAYS[k]);                                                     \
  }
RP(0) RP(1) RP(2) RP(3) RP(4) RP(5) RP(6) RP(7) RP(8) RP(9) RP(10) RP(11) RP(12) RP(13) RP(14)
RP(15) RP(16) RP(17) RP(18) RP(19)
#undef RP
static void (*const replay_fns[])(void) = {
    replay_0,  replay_1,  replay_2,  replay_3,  replay_4,  replay_5,  replay_6,
    replay_7,  replay_8,  replay_9,  replay_10, replay_11, replay_12, replay_13,
    replay_14, replay_15, replay_16, replay_17, replay_18, replay_19};

/* vcmps-f32: vcmps gt 0.5 seeded by plt_b32 64, psts NORM writes the 32 mask
 * bytes as they are; the case compares those 32 bytes. */
static void replay_vcmps(void) {
  size_t ni = 0, ne = 0;
  uint8_t *x = rd_npy("vcmps-f32", "in", 0, &ni), *e = rd_npy("vcmps-f32", "expected", 1, &ne);
  if (CHECK(x && e && ni >= 256 && ne >= 32)) {
    ptk_vreg a;
    memcpy(a.b, x, 256);
    ptk_vmask seed = mask_first(64, 4), r;
    CHECK_INT(ptk_v_cmps(PTK_ISA_GT, PTK_ISA_F32, &r, &a, scf(0.5), &seed), 0);
    for (unsigned j = 0; j < 32; j++) CHECK_UINT(r.b[j], e[j]);
  }
  free(x);
  free(e);
}

/* vbr-f32: vbr 1.25 stored with PAT_ALL over 1024 elements. */
static void replay_vbr(void) {
  size_t ne = 0;
  uint8_t *e = rd_npy("vbr-f32", "expected", 0, &ne);
  if (CHECK(e && ne == 4096)) {
    ptk_vreg d;
    CHECK_INT(ptk_v_dup(PTK_ISA_F32, &d, scf(1.25), NULL), 0);
    for (size_t off = 0; off < ne; off += 256) CHECK(memcmp(e + off, d.b, 256) == 0);
  }
  free(e);
}

__attribute__((constructor)) static void register_replays(void) {
  DIR *d = opendir(vcorpus());
  if (!d) return; /* no corpus: nothing registered */
  closedir(d);
  for (int k = 0; k < NREPLAYS; k++) {
    char name[96];
    snprintf(name, sizeof name, "replay_%s_arg%d", REPLAYS[k].cs, REPLAYS[k].out);
    ut_register(__FILE__, name, replay_fns[k]);
  }
  ut_register(__FILE__, "replay_vcmps-f32_arg1", replay_vcmps);
  ut_register(__FILE__, "replay_vbr-f32_arg0", replay_vbr);
}

/* ---- more dtype edges ----------------------------------------------------------------------- */

TEST(half_max_min_nan_cmp) {
  ptk_vreg a, b, d;
  /* f16: NaN propagates through max/min and comes out quiet */
  static const uint16_t pa[] = {0x7d00 /* sNaN */, 0x3c00, 0x8000, 0xfc00};
  static const uint16_t pb[] = {0x3c00, 0x7e00, 0x0000, 0x7c00};
  fill_16(&a, pa, 4);
  fill_16(&b, pb, 4);
  CHECK_INT(ptk_v_binary(PTK_VB_MAX, PTK_ISA_F16, &d, &a, &b, NULL), 0);
  CHECK_UINT(g16(&d, 0), 0x7f00);
  CHECK_UINT(g16(&d, 1), 0x7e00);
  CHECK_UINT(g16(&d, 2), 0x0000);
  CHECK_UINT(g16(&d, 3), 0x7c00);
  CHECK_INT(ptk_v_binary(PTK_VB_MIN, PTK_ISA_F16, &d, &a, &b, NULL), 0);
  CHECK_UINT(g16(&d, 2), 0x0000); /* min(-0, +0) = b */
  CHECK_UINT(g16(&d, 3), 0xfc00);
  /* bf16 compare: NaN unordered, -0 == +0 */
  static const uint16_t qa[] = {0x7fc0, 0x8000, 0x3f80, 0xbf80};
  static const uint16_t qb[] = {0x7fc0, 0x0000, 0x3f81, 0xbf80};
  fill_16(&a, qa, 4);
  fill_16(&b, qb, 4);
  ptk_vmask r;
  CHECK_INT(ptk_v_cmp(PTK_ISA_EQ, PTK_ISA_BF16, &r, &a, &b, NULL), 0);
  CHECK(!ptk_vmask_bit(&r, 0) && ptk_vmask_bit(&r, 2) && !ptk_vmask_bit(&r, 4) && ptk_vmask_bit(&r, 6));
  CHECK_INT(ptk_v_cmp(PTK_ISA_LT, PTK_ISA_BF16, &r, &a, &b, NULL), 0);
  CHECK(!ptk_vmask_bit(&r, 0) && !ptk_vmask_bit(&r, 2) && ptk_vmask_bit(&r, 4) && !ptk_vmask_bit(&r, 6));
  CHECK_INT(ptk_v_cmp(PTK_ISA_GE, PTK_ISA_BF16, &r, &a, &b, NULL), 0);
  CHECK(!ptk_vmask_bit(&r, 0) && ptk_vmask_bit(&r, 2) && !ptk_vmask_bit(&r, 4) && ptk_vmask_bit(&r, 6));
  /* f16 relu and sqrt/rec rounding */
  static const uint16_t pr[] = {0xbc00, 0x8000, 0x7e00, 0x4000};
  fill_16(&a, pr, 4);
  CHECK_INT(ptk_v_unary(PTK_VU_RELU, PTK_ISA_F16, &d, &a, NULL), 0);
  CHECK_UINT(g16(&d, 0), 0);
  CHECK_UINT(g16(&d, 1), 0);
  CHECK_UINT(g16(&d, 2), 0x7e00);
  CHECK_UINT(g16(&d, 3), 0x4000);
  CHECK_INT(ptk_v_unary(PTK_VU_SQRT, PTK_ISA_F16, &d, &a, NULL), 0);
  CHECK_UINT(g16(&d, 3), 0x3da8); /* sqrt(2) = 1.4142 -> 0x3da8 */
  CHECK_INT(ptk_v_unary(PTK_VU_REC, PTK_ISA_BF16, &d, &a, NULL), 0);
}

TEST(wide_and_narrow_ints) {
  ptk_vreg a, b, d;
  /* i64 arithmetic shift and u64 logical shift, counts 0, 1, 63, 64 */
  static const uint64_t sa[] = {0x8000000000000000ull, 0x8000000000000000ull, 0x8000000000000000ull,
                                0x8000000000000000ull};
  static const uint64_t sb[] = {0, 1, 63, 64};
  for (unsigned i = 0; i < 32; i++) {
    memcpy(a.b + 8 * i, &sa[i % 4], 8);
    memcpy(b.b + 8 * i, &sb[i % 4], 8);
  }
  uint64_t v;
  CHECK_INT(ptk_v_binary(PTK_VB_SHR, PTK_ISA_I64, &d, &a, &b, NULL), 0);
  memcpy(&v, d.b + 8, 8);
  CHECK_UINT(v, 0xc000000000000000ull);
  memcpy(&v, d.b + 16, 8);
  CHECK_UINT(v, UINT64_MAX);
  memcpy(&v, d.b + 24, 8);
  CHECK_UINT(v, UINT64_MAX);
  CHECK_INT(ptk_v_binary(PTK_VB_SHR, PTK_ISA_U64, &d, &a, &b, NULL), 0);
  memcpy(&v, d.b + 16, 8);
  CHECK_UINT(v, 1);
  memcpy(&v, d.b + 24, 8);
  CHECK_UINT(v, 0);
  CHECK_INT(ptk_v_binary(PTK_VB_SHL, PTK_ISA_U64, &d, &b, &b, NULL), 0);
  memcpy(&v, d.b + 8, 8);
  CHECK_UINT(v, 2);
  memcpy(&v, d.b + 24, 8);
  CHECK_UINT(v, 0);
  /* u64 carry out of the top bit */
  ptk_vmask c;
  CHECK_INT(ptk_v_carry(PTK_VCARRY_ADD, PTK_ISA_U64, &d, &c, &a, &a, NULL, NULL), 0);
  CHECK(ptk_vmask_bit(&c, 0));
  memcpy(&v, d.b, 8);
  CHECK_UINT(v, 0);
  /* u16 carry chain, partial carry-in */
  for (unsigned i = 0; i < 128; i++) {
    s16(&a, i, 0xffff);
    s16(&b, i, 0);
  }
  ptk_vmask cin = mask_first(64, 2);
  CHECK_INT(ptk_v_carry(PTK_VCARRY_ADD, PTK_ISA_I16, &d, &c, &a, &b, &cin, NULL), 0);
  for (unsigned i = 0; i < 128; i++) {
    CHECK_UINT(g16(&d, i), i < 64 ? 0 : 0xffff);
    CHECK_INT(ptk_vmask_bit(&c, 2 * i), i < 64);
  }
  /* i8 / u8 mull: 8x8 -> 16 */
  for (unsigned i = 0; i < 256; i++) {
    a.b[i] = (uint8_t)i;
    b.b[i] = 0xff;
  }
  ptk_vreg lo, hi;
  CHECK_INT(ptk_v_mull(PTK_ISA_I8, &lo, &hi, &a, &b, NULL), 0);
  for (unsigned i = 0; i < 256; i++) {
    int p = (int8_t)i * -1;
    CHECK_UINT(lo.b[i], (uint8_t)p);
    CHECK_UINT(hi.b[i], (uint8_t)(p >> 8));
  }
  CHECK_INT(ptk_v_mull(PTK_ISA_U8, &lo, &hi, &a, &b, NULL), 0);
  for (unsigned i = 0; i < 256; i++) {
    unsigned p = i * 255u;
    CHECK_UINT(lo.b[i], (uint8_t)p);
    CHECK_UINT(hi.b[i], (uint8_t)(p >> 8));
  }
  /* vmadd on integers: a * acc + b, wrapping */
  for (unsigned i = 0; i < 64; i++) {
    s32(&a, i, 0x40000000u);
    s32(&b, i, 3);
    s32(&d, i, 4);
  }
  CHECK_INT(ptk_v_ternary(PTK_VT_MADD, PTK_ISA_U32, &d, &d, &a, &b, NULL), 0);
  CHECK_UINT(g32(&d, 0), 3);
}
