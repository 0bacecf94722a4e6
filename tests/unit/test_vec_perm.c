/* VPTO rearrangement (runtime/isa/v_perm.h): vintlv/vdintlv (and the v2
 * halves) at every element size, vsqz, vusqz (goldens vusqz,
 * vusqz-nontrivial-mask), vpack (goldens vpack-lower/-higher), vsunpack /
 * vzunpack (goldens vsunpack, vzunpack), vci (goldens vci, vci-f16,
 * vci-si8), and the corpus case vintlv-vdintlv. */
#include "tests/unit/vec_pred_util.h"

static void iota8(ptk_vreg *v, int base) {
  for (int k = 0; k < 256; k++) v->b[k] = (uint8_t)(base + k);
}

TEST(vintlv_vdintlv) {
  static const unsigned sizes[4] = {1, 2, 4, 8};
  for (int s = 0; s < 4; s++) {
    unsigned esz = sizes[s], n = 256 / esz;
    ptk_vreg a, b, lo, hi, dl, dh;
    iota8(&a, 0);
    iota8(&b, 100);
    CHECK_INT(ptk_v_intlv(0, esz, &lo, &hi, &a, &b), 0);
    for (unsigned i = 0; i < n / 2; i++) {
      CHECK(memcmp(lo.b + 2 * i * esz, a.b + i * esz, esz) == 0);
      CHECK(memcmp(lo.b + (2 * i + 1) * esz, b.b + i * esz, esz) == 0);
      CHECK(memcmp(hi.b + 2 * i * esz, a.b + (n / 2 + i) * esz, esz) == 0);
      CHECK(memcmp(hi.b + (2 * i + 1) * esz, b.b + (n / 2 + i) * esz, esz) == 0);
    }
    CHECK_INT(ptk_v_intlv(1, esz, &dl, &dh, &lo, &hi), 0);
    CHECK(memcmp(dl.b, a.b, 256) == 0);
    CHECK(memcmp(dh.b, b.b, 256) == 0);
    /* results aliasing the operands */
    ptk_vreg x = a, y = b;
    ptk_v_intlv(0, esz, &x, &y, &x, &y);
    CHECK(memcmp(x.b, lo.b, 256) == 0 && memcmp(y.b, hi.b, 256) == 0);
    ptk_v_intlv(1, esz, &y, &x, &x, &y);
    CHECK(memcmp(y.b, a.b, 256) == 0 && memcmp(x.b, b.b, 256) == 0);
    /* v2 forms: one half */
    ptk_vreg h;
    CHECK_INT(ptk_v_intlv2(0, esz, 1, &h, &a, &b), 0);
    CHECK(memcmp(h.b, hi.b, 256) == 0);
    CHECK_INT(ptk_v_intlv2(1, esz, 0, &h, &lo, &hi), 0);
    CHECK(memcmp(h.b, a.b, 256) == 0);
  }
  ptk_vreg a;
  CHECK_INT(ptk_v_intlv(0, 3, &a, &a, &a, &a), PTK_ISA_EARG);
  CHECK_INT(ptk_v_intlv2(0, 4, 2, &a, &a, &a), PTK_ISA_EARG);
}

TEST(vsqz) {
  /* golden vsqz-nontrivial-mask positions */
  static const int pos[16] = {1, 4, 5, 9, 12, 16, 21, 24, 29, 33, 36, 40, 45, 49, 54, 60};
  ptk_vreg v, r;
  for (int i = 0; i < 64; i++) vt_set_f32(&v, i, (float)i * 1.5f - 7.0f);
  ptk_vmask m;
  memset(m.b, 0, 32);
  for (int k = 0; k < 16; k++) ptk_vmask_set(&m, 4 * pos[k], true);
  CHECK_INT(ptk_v_sqz(4, &r, &v, &m), 0);
  for (int k = 0; k < 16; k++) CHECK_DBL(vt_f32(&r, k), vt_f32(&v, pos[k]), 0);
  for (int i = 16; i < 64; i++) CHECK_UINT(vt_u32(&r, i), 0);
  /* all active: a copy (golden vsqz); none: zeros */
  ptk_vmask all = vt_all(4), none = vt_prefix(0, 4);
  ptk_v_sqz(4, &r, &v, &all);
  CHECK(memcmp(r.b, v.b, 256) == 0);
  ptk_v_sqz(4, &r, &v, &none);
  for (int k = 0; k < 256; k++) CHECK_UINT(r.b[k], 0);
  /* bytes, in place */
  iota8(&v, 1);
  ptk_vmask ev;
  memset(ev.b, 0xaa, 32); /* odd bytes */
  ptk_v_sqz(1, &v, &v, &ev);
  for (int k = 0; k < 128; k++) CHECK_UINT(v.b[k], (uint8_t)(2 + 2 * k));
  CHECK_UINT(v.b[128], 0);
}

TEST(vusqz) {
  /* golden vusqz: first 16 lanes active -> 0,1,...,16,16,... */
  ptk_vreg r;
  ptk_vmask m = vt_prefix(16, 4);
  CHECK_INT(ptk_v_usqz(PTK_ISA_I32, &r, &m), 0);
  for (int i = 0; i < 64; i++) CHECK_UINT(vt_u32(&r, i), i < 16 ? (uint32_t)i : 16u);
  /* golden vusqz-nontrivial-mask */
  static const int pos[16] = {1, 4, 5, 9, 12, 16, 21, 24, 29, 33, 36, 40, 45, 49, 54, 60};
  memset(m.b, 0, 32);
  for (int k = 0; k < 16; k++) ptk_vmask_set(&m, 4 * pos[k], true);
  ptk_v_usqz(PTK_ISA_I32, &r, &m);
  int c = 0;
  for (int i = 0; i < 64; i++) {
    CHECK_UINT(vt_u32(&r, i), (uint32_t)c);
    for (int k = 0; k < 16; k++) c += pos[k] == i;
  }
  /* i8: 256 lanes all active, the count wraps at lane 128 */
  ptk_vmask all8 = vt_all(1);
  ptk_v_usqz(PTK_ISA_I8, &r, &all8);
  for (int i = 0; i < 256; i++) CHECK_UINT(r.b[i], (uint8_t)i);
  ptk_vmask all16 = vt_all(2);
  ptk_v_usqz(PTK_ISA_I16, &r, &all16);
  CHECK_UINT(vt_u16(&r, 127), 127);
  CHECK_INT(ptk_v_usqz(PTK_ISA_F32, &r, &m), PTK_ISA_EDTYPE);
  CHECK_INT(ptk_v_usqz(PTK_ISA_I64, &r, &m), PTK_ISA_EDTYPE);
}

TEST(vpack) {
  /* golden vpack-lower/-higher: i32 -> u16 truncation into one half */
  ptk_vreg v, r;
  for (int i = 0; i < 64; i++) ptk_vp_seti(&v, PTK_ISA_I32, i, (i - 32) * 40503 - 7);
  CHECK_INT(ptk_v_pack(4, 0, &r, &v), 0);
  for (int i = 0; i < 64; i++) {
    CHECK_UINT(vt_u16(&r, i), (uint16_t)((i - 32) * 40503 - 7));
    CHECK_UINT(vt_u16(&r, 64 + i), 0);
  }
  ptk_v_pack(4, 1, &r, &v);
  for (int i = 0; i < 64; i++) {
    CHECK_UINT(vt_u16(&r, i), 0);
    CHECK_UINT(vt_u16(&r, 64 + i), (uint16_t)((i - 32) * 40503 - 7));
  }
  /* u16 -> u8, in place */
  for (int i = 0; i < 128; i++) ptk_vp_seti(&v, PTK_ISA_U16, i, 0x1234 + 0x101 * i);
  ptk_v_pack(2, 1, &v, &v);
  for (int i = 0; i < 128; i++) {
    CHECK_UINT(v.b[i], 0);
    CHECK_UINT(v.b[128 + i], (uint8_t)(0x34 + i));
  }
  CHECK_INT(ptk_v_pack(1, 0, &r, &v), PTK_ISA_EARG);
}

TEST(vunpack) {
  /* golden vsunpack (i16 -> i32, part 0) and vzunpack (u16 -> u32) */
  ptk_vreg v, r;
  for (int i = 0; i < 128; i++) ptk_vp_seti(&v, PTK_ISA_I16, i, (i * 1237) % 65536 - 32768);
  for (int part = 0; part < 2; part++) {
    CHECK_INT(ptk_v_unpack(2, 1, part, &r, &v), 0);
    for (int i = 0; i < 64; i++)
      CHECK_INT((int32_t)vt_u32(&r, i), ptk_vp_geti(&v, PTK_ISA_I16, 64 * part + i));
    CHECK_INT(ptk_v_unpack(2, 0, part, &r, &v), 0);
    for (int i = 0; i < 64; i++) CHECK_UINT(vt_u32(&r, i), vt_u16(&v, 64 * part + i));
  }
  /* i8 -> i16 upper half, i32 -> i64 sign */
  iota8(&v, 100);
  ptk_v_unpack(1, 1, 1, &r, &v);
  for (int i = 0; i < 128; i++) CHECK_INT((int16_t)vt_u16(&r, i), (int8_t)(uint8_t)(100 + 128 + i));
  for (int i = 0; i < 64; i++) ptk_vp_seti(&v, PTK_ISA_I32, i, -i);
  ptk_v_unpack(4, 1, 0, &r, &v);
  for (int i = 0; i < 32; i++) CHECK_INT(ptk_vp_geti(&r, PTK_ISA_I64, i), -i);
  /* in place */
  ptk_v_unpack(4, 0, 1, &v, &v);
  for (int i = 0; i < 32; i++) CHECK_INT(ptk_vp_geti(&v, PTK_ISA_I64, i), (uint32_t)-(32 + i));
  CHECK_INT(ptk_v_unpack(2, 1, 2, &r, &v), PTK_ISA_EARG);
  CHECK_INT(ptk_v_unpack(2, 1, -1, &r, &v), PTK_ISA_EARG);
  CHECK_INT(ptk_v_unpack(8, 1, 0, &r, &v), PTK_ISA_EARG);
}

TEST(vci) {
  ptk_vreg r;
  /* golden vci: base + lane, i32 */
  CHECK_INT(ptk_v_ci(PTK_ISA_I32, 0, &r, 64, 0), 0);
  for (int i = 0; i < 64; i++) CHECK_UINT(vt_u32(&r, i), 64 + i);
  ptk_v_ci(PTK_ISA_I32, 1, &r, 10, 0);
  for (int i = 0; i < 64; i++) CHECK_INT((int32_t)vt_u32(&r, i), 10 - i);
  ptk_v_ci(PTK_ISA_I32, 0, &r, INT32_MAX, 0); /* wraps */
  CHECK_UINT(vt_u32(&r, 1), 0x80000000u);
  /* golden vci-si8: arange(1024) as int8 -> base 0, 256 lanes wrap at 128 */
  ptk_v_ci(PTK_ISA_I8, 0, &r, 0, 0);
  for (int i = 0; i < 256; i++) CHECK_UINT(r.b[i], (uint8_t)i);
  ptk_v_ci(PTK_ISA_I16, 0, &r, -5, 0);
  CHECK_INT((int16_t)vt_u16(&r, 127), 122);
  /* golden vci-f16: 0..127 */
  ptk_v_ci(PTK_ISA_F16, 0, &r, 0, 0.0);
  for (int i = 0; i < 128; i++) CHECK_UINT(vt_u16(&r, i), ptk_f32_to_f16((float)i));
  ptk_v_ci(PTK_ISA_F32, 1, &r, 0, 0.5);
  for (int i = 0; i < 64; i++) CHECK_DBL(vt_f32(&r, i), 0.5 - i, 0);
  ptk_v_ci(PTK_ISA_F16, 0, &r, 0, 2048.0); /* 2049 rounds to even in f16 */
  CHECK_UINT(vt_u16(&r, 1), ptk_f32_to_f16(2048.0f));
  CHECK_INT(ptk_v_ci(PTK_ISA_F64, 0, &r, 0, 0), PTK_ISA_EDTYPE);
  CHECK_INT(ptk_v_ci(PTK_ISA_I64, 0, &r, 0, 0), PTK_ISA_EDTYPE);
}

/* Corpus vintlv-vdintlv: 8 chunks of 2 x 64 f32, vintlv then vdintlv, vsts
 * both under plt_b32: the input comes back. */
VT_CORPUS_TEST(corpus_vintlv_vdintlv) {
  size_t ni, ne;
  uint8_t *in = vt_npy("vintlv-vdintlv", "in/2_arg2.npy", &ni);
  uint8_t *ex = vt_npy("vintlv-vdintlv", "expected/3_arg3.npy", &ne);
  if (in && ex && CHECK(ni == 4096 && ne == 4096)) {
    uint8_t out[4096];
    memset(out, 0, sizeof out);
    int64_t rem = 1024;
    for (int off = 0; off < 1024; off += 128) {
      ptk_vmask m;
      ptk_v_plt(&m, &rem, rem, 4);
      ptk_vreg a, b, il, ih, dl, dh;
      memcpy(a.b, in + 4 * off, 256);
      memcpy(b.b, in + 4 * (off + 64), 256);
      ptk_v_intlv(0, 4, &il, &ih, &a, &b);
      ptk_v_intlv(1, 4, &dl, &dh, &il, &ih);
      for (int i = 0; i < 64; i++)
        if (ptk_vmask_lane(&m, i, 4)) {
          memcpy(out + 4 * (off + i), dl.b + 4 * i, 4);
          memcpy(out + 4 * (off + 64 + i), dh.b + 4 * i, 4);
        }
    }
    CHECK(memcmp(out, ex, 4096) == 0);
  }
  free(in);
  free(ex);
}

TEST(vbitsort_golden) {
  /* golden dsa-sfu/vbitsort: 32 proposals, descending, stable */
  static const float sc[32] = {3.5f,  -2.0f, 7.0f,  7.0f,  1.5f, 4.25f, 0.0f,  9.5f,
                               -8.0f, 9.5f,  2.0f,  2.0f,  6.0f, 6.0f,  -1.0f, 5.75f,
                               5.75f, 4.25f, 8.0f,  8.0f,  3.0f, -4.5f, 1.25f, 1.25f,
                               10.0f, 10.0f, -3.0f, 0.5f,  12.0f, 12.0f, -7.0f, 6.5f};
  static const uint32_t ix[32] = {100, 203, 77, 88,  12,  45,  501, 9,   333, 7,   900,
                                  901, 31,  32, 400, 62,  63,  46,  73,  74,  15,  16,
                                  120, 121, 5,  6,   700, 701, 1,   2,   808, 90};
  uint8_t ub[1024];
  memset(ub, 0xee, sizeof ub);
  memcpy(ub, sc, 128);
  memcpy(ub + 128, ix, 128);
  ptk_vptr s = {ub, 1024, 0}, i = {ub, 1024, 128}, d = {ub, 1024, 512};
  CHECK_INT(ptk_v_bitsort(PTK_ISA_F32, d, s, i, 1), 0);
  int ord[32];
  for (int k = 0; k < 32; k++) ord[k] = k;
  for (int a = 1; a < 32; a++) /* reference: stable by descending score */
    for (int b = a; b > 0 && sc[ord[b]] > sc[ord[b - 1]]; b--) {
      int t = ord[b];
      ord[b] = ord[b - 1];
      ord[b - 1] = t;
    }
  for (int k = 0; k < 32; k++) {
    float f;
    uint32_t x;
    memcpy(&f, ub + 512 + 8 * k, 4);
    memcpy(&x, ub + 512 + 8 * k + 4, 4);
    CHECK_DBL(f, sc[ord[k]], 0);
    CHECK_UINT(x, ix[ord[k]]);
  }
  CHECK_UINT(ub[512 + 256], 0xee); /* nothing past the 32 records */
  /* out of bounds */
  ptk_vptr far = {ub, 1024, 800};
  CHECK_INT(ptk_v_bitsort(PTK_ISA_F32, far, s, i, 1), PTK_ISA_ESHAPE);
  CHECK_INT(ptk_v_bitsort(PTK_ISA_F32, d, s, i, 4), PTK_ISA_ESHAPE);
  CHECK_INT(ptk_v_bitsort(PTK_ISA_I32, d, s, i, 1), PTK_ISA_EDTYPE);
  ptk_vptr neg = {ub, 1024, -8};
  CHECK_INT(ptk_v_bitsort(PTK_ISA_F32, neg, s, i, 1), PTK_ISA_ESHAPE);
}

TEST(vmrgsort4_golden) {
  /* golden dsa-sfu/vmrgsort4: four one-record lists, config 0x1F01
   * (exhausted suspension): only (9, 90) is written, done = 1,0,0,0 */
  struct rec {
    float s;
    uint32_t i;
  } in[4] = {{9.0f, 90}, {7.0f, 70}, {8.0f, 80}, {6.0f, 60}};
  uint8_t ub[256];
  memset(ub, 0, sizeof ub);
  memcpy(ub, in, sizeof in);
  ptk_vptr d = {ub, 256, 32}, s0 = {ub, 256, 0}, s1 = {ub, 256, 8}, s2 = {ub, 256, 16},
           s3 = {ub, 256, 24};
  uint16_t done[4];
  CHECK_INT(ptk_v_mrgsort4(PTK_ISA_F32, d, s0, s1, s2, s3, 0x0001000100010001ull, 7937, done), 0);
  struct rec out[4];
  memcpy(out, ub + 32, sizeof out);
  CHECK_DBL(out[0].s, 9.0, 0);
  CHECK_UINT(out[0].i, 90);
  CHECK_UINT(out[1].i, 0);
  CHECK_UINT(done[0], 1);
  CHECK_UINT(done[1] + done[2] + done[3], 0);
  /* without suspension: the full merge, ties from the lower list first */
  CHECK_INT(ptk_v_mrgsort4(PTK_ISA_F32, d, s0, s1, s2, s3, 0x0001000100010001ull, 0x0f01, done), 0);
  memcpy(out, ub + 32, sizeof out);
  CHECK_UINT(out[0].i, 90);
  CHECK_UINT(out[1].i, 80);
  CHECK_UINT(out[2].i, 70);
  CHECK_UINT(out[3].i, 60);
  CHECK_UINT(done[3], 1);
  /* only lists 0 and 3 valid */
  memset(ub + 32, 0, 64);
  ptk_v_mrgsort4(PTK_ISA_F32, d, s0, s1, s2, s3, 0x0001000100010001ull, 0x0901, done);
  memcpy(out, ub + 32, sizeof out);
  CHECK_UINT(out[0].i, 90);
  CHECK_UINT(out[1].i, 60);
  CHECK_UINT(out[2].i, 0);
  CHECK_INT(ptk_v_mrgsort4(PTK_ISA_F32, d, s0, s1, s2, s3, 0x0001000100010001ull, 0x0f02, done), PTK_ISA_EARG);
  CHECK_INT(ptk_v_mrgsort4(PTK_ISA_F32, d, s0, s1, s2, s3, 0x0001000100010040ull, 0x0f01, done), PTK_ISA_ESHAPE);
}
