/* VPTO predicates (runtime/isa/v_pred.h): every pattern at every
 * granularity, plt/pltm counts and carry-out, the logic ops, pack/unpack,
 * interleave, and the exact mask images of the ptoas goldens
 * (materialization-predicate/...: pset-pattern(-fragment), plt-tail-mask,
 * pnot, psel-tail-predicate, ppack-punpack(-nontrivial), pintlv_bN and
 * pdintlv_bN (-nontrivial)), plus the corpus case pand. */
#include "tests/unit/vec_pred_util.h"

static const unsigned ESZ[3] = {1, 2, 4};

TEST(pset_patterns_lane_counts) {
  /* active lane count of every pattern at every granularity */
  static const int vln[] = {-1, 1, 2, 3, 4, 8, 16, 32, 64, 128};
  for (int e = 0; e < 3; e++) {
    unsigned esz = ESZ[e], vl = 256 / esz;
    for (int p = 0; p < PTK_V_NPATS; p++) {
      ptk_vmask m;
      CHECK_INT(ptk_v_pset(&m, p, esz), 0);
      unsigned cnt = 0, other = 0;
      for (unsigned j = 0; j < 256; j++) {
        if (!ptk_vmask_bit(&m, j)) continue;
        if (j % esz) other++;
        else cnt++;
      }
      CHECK_UINT(other, 0); /* only lane bits */
      unsigned want;
      switch (p) {
      case PTK_V_PAT_ALL: want = vl; break;
      case PTK_V_PAT_ALLF: want = 0; break;
      case PTK_V_PAT_M3: want = (vl + 2) / 3; break;
      case PTK_V_PAT_M4: want = vl / 4; break;
      case PTK_V_PAT_H: want = vl / 2; break;
      case PTK_V_PAT_Q: want = vl / 4; break;
      default: want = (unsigned)vln[p] < vl ? (unsigned)vln[p] : vl; break;
      }
      if (!CHECK_UINT(cnt, want)) printf("  pattern %d esz %u\n", p, esz);
    }
  }
  ptk_vmask m;
  CHECK_INT(ptk_v_pset(&m, PTK_V_NPATS, 4), PTK_ISA_EARG);
  CHECK_INT(ptk_v_pset(&m, -1, 4), PTK_ISA_EARG);
  CHECK_INT(ptk_v_pset(&m, 0, 3), PTK_ISA_EARG);
  CHECK_INT(ptk_v_pset(&m, 0, 8), PTK_ISA_EARG);
}

TEST(pset_parse) {
  CHECK_INT(ptk_v_pat_parse("PAT_ALL"), PTK_V_PAT_ALL);
  CHECK_INT(ptk_v_pat_parse("PAT_VL128"), PTK_V_PAT_VL128);
  CHECK_INT(ptk_v_pat_parse("PAT_ALLF"), PTK_V_PAT_ALLF);
  CHECK_INT(ptk_v_pat_parse("PAT_M3"), PTK_V_PAT_M3);
  CHECK_INT(ptk_v_pat_parse("PAT_VL5"), -1);
  CHECK_INT(ptk_v_pat_parse(""), -1);
}

/* golden pset-pattern-fragment: b8 PAT_M3, b16 PAT_H, b32 PAT_Q */
TEST(pset_golden_fragment) {
  static const uint32_t m3[8] = {0x49249249, 0x92492492, 0x24924924, 0x49249249,
                                 0x92492492, 0x24924924, 0x49249249, 0x92492492};
  static const uint32_t h[8] = {0x55555555, 0x55555555, 0x55555555, 0x55555555, 0, 0, 0, 0};
  static const uint32_t q[8] = {0x11111111, 0x11111111, 0, 0, 0, 0, 0, 0};
  ptk_vmask m;
  ptk_v_pset(&m, PTK_V_PAT_M3, 1);
  vt_check_words(&m, m3, "b8 M3");
  ptk_v_pset(&m, PTK_V_PAT_H, 2);
  vt_check_words(&m, h, "b16 H");
  ptk_v_pset(&m, PTK_V_PAT_Q, 4);
  vt_check_words(&m, q, "b32 Q");
}

/* golden pset-pattern (b8 ALL, b16 VL8, b32 VL16) and pge-tail-mask */
TEST(pset_golden_vl) {
  static const uint32_t all[8] = {~0u, ~0u, ~0u, ~0u, ~0u, ~0u, ~0u, ~0u};
  static const uint32_t vl8b16[8] = {0x5555, 0, 0, 0, 0, 0, 0, 0};
  static const uint32_t vl16b32[8] = {0x11111111, 0x11111111, 0, 0, 0, 0, 0, 0};
  static const uint32_t vl8b8[8] = {0xff, 0, 0, 0, 0, 0, 0, 0};
  static const uint32_t vl8b32[8] = {0x11111111, 0, 0, 0, 0, 0, 0, 0};
  ptk_vmask m;
  ptk_v_pset(&m, PTK_V_PAT_ALL, 1);
  vt_check_words(&m, all, "b8 ALL");
  ptk_v_pset(&m, PTK_V_PAT_VL8, 2);
  vt_check_words(&m, vl8b16, "b16 VL8");
  ptk_v_pset(&m, PTK_V_PAT_VL16, 4);
  vt_check_words(&m, vl16b32, "b32 VL16");
  ptk_v_pset(&m, PTK_V_PAT_VL8, 1);
  vt_check_words(&m, vl8b8, "b8 VL8");
  ptk_v_pset(&m, PTK_V_PAT_VL8, 4);
  vt_check_words(&m, vl8b32, "b32 VL8");
}

TEST(plt_counts_and_carry) {
  /* golden plt-tail-mask: plt_b8 13, plt_b16 7, plt_b32 3 */
  static const uint32_t b8[8] = {0x1fff, 0, 0, 0, 0, 0, 0, 0};
  static const uint32_t b16[8] = {0x1555, 0, 0, 0, 0, 0, 0, 0};
  static const uint32_t b32[8] = {0x111, 0, 0, 0, 0, 0, 0, 0};
  ptk_vmask m;
  int64_t next = -7;
  CHECK_INT(ptk_v_plt(&m, &next, 13, 1), 0);
  vt_check_words(&m, b8, "plt_b8 13");
  CHECK_INT(next, 0);
  ptk_v_plt(&m, &next, 7, 2);
  vt_check_words(&m, b16, "plt_b16 7");
  ptk_v_plt(&m, &next, 3, 4);
  vt_check_words(&m, b32, "plt_b32 3");
  /* carry-out: n < VL -> 0, else n - VL; the loop of corpus vadd */
  ptk_v_plt(&m, &next, 64, 4);
  CHECK_INT(next, 0);
  CHECK_UINT(vt_word(&m, 7), 0x11111111);
  ptk_v_plt(&m, &next, 1000, 4);
  CHECK_INT(next, 936);
  ptk_v_plt(&m, &next, 300, 1);
  CHECK_INT(next, 44);
  CHECK_UINT(vt_word(&m, 7), ~0u);
  ptk_v_plt(&m, &next, 129, 2);
  CHECK_INT(next, 1);
  /* zero and negative counts: no lanes, carry 0 */
  static const uint32_t none[8] = {0};
  ptk_v_plt(&m, &next, 0, 4);
  vt_check_words(&m, none, "plt 0");
  CHECK_INT(next, 0);
  ptk_v_plt(&m, &next, INT32_MIN, 2);
  vt_check_words(&m, none, "plt min");
  CHECK_INT(next, 0);
  ptk_v_plt(&m, &next, INT32_MAX, 4);
  CHECK_INT(next, INT32_MAX - 64);
  /* golden plt-tail-mask-boundary: one lane each */
  ptk_v_plt(&m, &next, 1, 4);
  CHECK_UINT(vt_word(&m, 0), 1);
  CHECK_INT(ptk_v_plt(&m, &next, 1, 16), PTK_ISA_EARG);
}

TEST(pltm) {
  ptk_vmask m;
  /* loop 1 of 64-lane b32 with bound 70: lanes 0..5 */
  CHECK_INT(ptk_v_pltm(&m, 1, 70, 4), 0);
  CHECK_UINT(vt_word(&m, 0), 0x111111);
  CHECK_UINT(vt_word(&m, 1), 0);
  ptk_v_pltm(&m, 0, 70, 4);
  CHECK_UINT(vt_word(&m, 7), 0x11111111);
  ptk_v_pltm(&m, 5, 70, 1); /* 5*256 > 70: none */
  CHECK_UINT(vt_word(&m, 0), 0);
  ptk_v_pltm(&m, -1, 130, 2); /* -128 + i < 130: all */
  CHECK_UINT(vt_word(&m, 7), 0x55555555);
  ptk_v_pltm(&m, 32767, INT32_MAX, 1);
  CHECK_UINT(vt_word(&m, 7), ~0u);
}

TEST(logic_goldens) {
  ptk_vmask all = vt_all(4), a = vt_prefix(13, 4), b = vt_prefix(7, 4), r;
  /* pand (corpus/golden pand): 7 lanes */
  static const uint32_t pand[8] = {0x1111111, 0, 0, 0, 0, 0, 0, 0};
  CHECK_INT(ptk_v_plogic(PTK_V_PAND, &r, &a, &b, &all), 0);
  vt_check_words(&r, pand, "pand");
  /* golden pnot: ~plt(13) under ALL */
  static const uint32_t pnot[8] = {0, 0x11100000, 0x11111111, 0x11111111,
                                   0x11111111, 0x11111111, 0x11111111, 0x11111111};
  CHECK_INT(ptk_v_plogic(PTK_V_PNOT, &r, &a, NULL, &all), 0);
  vt_check_words(&r, pnot, "pnot");
  /* golden psel-tail-predicate */
  static const uint32_t psel0[8] = {0x11111111, 0x11111, 0, 0, 0, 0, 0, 0};
  static const uint32_t psel1[8] = {0x11111111, 0x11111111, 0x11111111, 0x11111111,
                                    0x11111111, 0x11111111, 0x11111111, 0x11111111};
  ptk_v_plogic(PTK_V_PSEL, &r, &all, &a, &a);
  vt_check_words(&r, psel0, "psel all,sel,sel");
  ptk_v_plogic(PTK_V_PSEL, &r, &a, &all, &a);
  vt_check_words(&r, psel1, "psel sel,all,sel");
  /* por / pxor, gated: 13 | 7 = 13 lanes, 13 ^ 7 = lanes 7..12; gate at 10 */
  ptk_vmask g = vt_prefix(10, 4);
  ptk_v_plogic(PTK_V_POR, &r, &a, &b, &all);
  CHECK_UINT(vt_word(&r, 0), 0x11111111);
  CHECK_UINT(vt_word(&r, 1), 0x11111);
  ptk_v_plogic(PTK_V_PXOR, &r, &a, &b, &g);
  CHECK_UINT(vt_word(&r, 0), 0x10000000);
  CHECK_UINT(vt_word(&r, 1), 0x11);
  /* bit-level: non-lane bits of the operands are kept */
  ptk_vmask x, y, full = vt_all(1);
  memset(x.b, 0xf0, 32);
  memset(y.b, 0x3c, 32);
  ptk_v_plogic(PTK_V_PAND, &r, &x, &y, &full);
  CHECK_UINT(vt_word(&r, 3), 0x30303030);
  ptk_v_plogic(PTK_V_PXOR, &r, &x, &y, &full);
  CHECK_UINT(vt_word(&r, 3), 0xcccccccc);
  ptk_v_plogic(PTK_V_PNOT, &r, &x, NULL, &full);
  CHECK_UINT(vt_word(&r, 3), 0x0f0f0f0f);
  ptk_v_plogic(PTK_V_PSEL, &r, &x, &y, &full);
  CHECK_UINT(vt_word(&r, 0), 0xf0f0f0f0);
  /* aliasing: dst = operand */
  x = vt_prefix(13, 4);
  ptk_v_plogic(PTK_V_PAND, &x, &x, &b, &all);
  vt_check_words(&x, pand, "pand aliased");
  CHECK_INT(ptk_v_plogic(PTK_V_PAND, &r, &a, NULL, &all), PTK_ISA_EARG);
  CHECK_INT(ptk_v_plogic(99, &r, &a, &b, &all), PTK_ISA_EARG);
}

TEST(ppack_punpack_goldens) {
  ptk_vmask src, pk, up;
  /* golden ppack-punpack: b32 PAT_ALL */
  static const uint32_t pk_all[8] = {0x55555555, 0x55555555, 0x55555555, 0x55555555, 0, 0, 0, 0};
  static const uint32_t up_all[8] = {0x11111111, 0x11111111, 0x11111111, 0x11111111,
                                     0x11111111, 0x11111111, 0x11111111, 0x11111111};
  ptk_v_pset(&src, PTK_V_PAT_ALL, 4);
  ptk_v_ppack(&pk, &src, 0);
  vt_check_words(&pk, pk_all, "ppack ALL");
  ptk_v_punpack(&up, &pk, 0);
  vt_check_words(&up, up_all, "punpack ALL");
  /* golden ppack-punpack-nontrivial: b32 PAT_M4 */
  static const uint32_t pk_m4[8] = {0x01010101, 0x01010101, 0x01010101, 0x01010101, 0, 0, 0, 0};
  static const uint32_t up_m4[8] = {0x00010001, 0x00010001, 0x00010001, 0x00010001,
                                    0x00010001, 0x00010001, 0x00010001, 0x00010001};
  ptk_v_pset(&src, PTK_V_PAT_M4, 4);
  ptk_v_ppack(&pk, &src, 0);
  vt_check_words(&pk, pk_m4, "ppack M4");
  ptk_v_punpack(&up, &pk, 0);
  vt_check_words(&up, up_m4, "punpack M4");
  /* HIGHER: packed bits land in the high half; unpack reads the high half */
  ptk_v_ppack(&pk, &src, 1);
  for (int k = 0; k < 4; k++) {
    CHECK_UINT(vt_word(&pk, k), 0);
    CHECK_UINT(vt_word(&pk, 4 + k), 0x01010101);
  }
  ptk_v_punpack(&up, &pk, 1);
  vt_check_words(&up, up_m4, "punpack HIGHER");
  /* in place */
  ptk_v_ppack(&src, &src, 0);
  vt_check_words(&src, pk_m4, "ppack aliased");
}

typedef struct {
  int deint;
  unsigned esz;
  int pa, pb;
  uint32_t want[16];
} ilv_case;

TEST(pintlv_pdintlv_goldens) {
  static const ilv_case cases[] = {
      /* golden pintlv_bN-nontrivial: VL8, M4 */
      {0, 2, PTK_V_PAT_VL8, PTK_V_PAT_M4,
       {286593301, 262148, 262148, 262148, 262148, 262148, 262148, 262148, 262148, 262148, 262148,
        262148, 262148, 262148, 262148, 262148}},
      {0, 4, PTK_V_PAT_VL8, PTK_V_PAT_M4,
       {16843025, 16843025, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16}},
      {0, 1, PTK_V_PAT_VL8, PTK_V_PAT_M4,
       {33707863, 33686018, 33686018, 33686018, 33686018, 33686018, 33686018, 33686018, 33686018,
        33686018, 33686018, 33686018, 33686018, 33686018, 33686018, 33686018}},
      /* golden pdintlv_bN-nontrivial */
      {1, 1, PTK_V_PAT_VL8, PTK_V_PAT_M4,
       {15, 0, 0, 0, 1431655765, 1431655765, 1431655765, 1431655765, 15, 0, 0, 0, 0, 0, 0, 0}},
      {1, 4, PTK_V_PAT_VL8, PTK_V_PAT_M4,
       {4369, 0, 0, 0, 16843009, 16843009, 16843009, 16843009, 4369, 0, 0, 0, 0, 0, 0, 0}},
      {1, 2, PTK_V_PAT_VL8, PTK_V_PAT_M4,
       {85, 0, 0, 0, 286331153, 286331153, 286331153, 286331153, 85, 0, 0, 0, 0, 0, 0, 0}},
      /* golden pintlv_b16 / pdintlv_b16: ALL, ALLF */
      {0, 2, PTK_V_PAT_ALL, PTK_V_PAT_ALLF,
       {0x11111111, 0x11111111, 0x11111111, 0x11111111, 0x11111111, 0x11111111, 0x11111111,
        0x11111111, 0x11111111, 0x11111111, 0x11111111, 0x11111111, 0x11111111, 0x11111111,
        0x11111111, 0x11111111}},
      {1, 2, PTK_V_PAT_ALL, PTK_V_PAT_ALLF,
       {0x55555555, 0x55555555, 0x55555555, 0x55555555, 0, 0, 0, 0, 0x55555555, 0x55555555,
        0x55555555, 0x55555555, 0, 0, 0, 0}},
  };
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    const ilv_case *k = &cases[c];
    ptk_vmask a, b, lo, hi;
    ptk_v_pset(&a, k->pa, k->esz);
    ptk_v_pset(&b, k->pb, k->esz);
    CHECK_INT(ptk_v_pintlv(k->deint, k->esz, &lo, &hi, &a, &b), 0);
    char what[64];
    snprintf(what, sizeof what, "case %zu lo", c);
    vt_check_words(&lo, k->want, what);
    snprintf(what, sizeof what, "case %zu hi", c);
    vt_check_words(&hi, k->want + 8, what);
  }
}

TEST(pintlv_roundtrip_and_alias) {
  /* pdintlv undoes pintlv on lane bits; outputs may alias inputs */
  for (int e = 0; e < 3; e++) {
    unsigned esz = ESZ[e];
    ptk_vmask a, b, lo, hi;
    memset(a.b, 0, 32);
    memset(b.b, 0, 32);
    for (unsigned i = 0; i < 256 / esz; i++) {
      ptk_vmask_set(&a, i * esz, (i * 7 + 3) % 5 < 2);
      ptk_vmask_set(&b, i * esz, (i * 11 + 1) % 3 == 0);
    }
    ptk_vmask a0 = a, b0 = b;
    ptk_v_pintlv(0, esz, &lo, &hi, &a, &b);
    ptk_v_pintlv(1, esz, &a, &b, &lo, &hi);
    CHECK(memcmp(a.b, a0.b, 32) == 0);
    CHECK(memcmp(b.b, b0.b, 32) == 0);
  }
  ptk_vmask a = vt_all(4);
  CHECK_INT(ptk_v_pintlv(0, 5, &a, &a, &a, &a), PTK_ISA_EARG);
}

/* golden vsel-f32-plds-us-pintlv-pbitcast: plds "US" doubles each bit, the
 * b8 image is read as b16, interleaved with b16 ALL, then read as b32 */
TEST(pbitcast_pintlv_chain) {
  uint8_t packed[16];
  for (int k = 0; k < 16; k++) packed[k] = (uint8_t)(k * 37 + 11);
  ptk_vmask m8, m16, all16 = vt_all(2), lo, hi, lo32, hi32;
  memset(m8.b, 0, 32);
  for (unsigned j = 0; j < 128; j++) {
    bool on = (packed[j / 8] >> (j % 8)) & 1;
    ptk_vmask_set(&m8, 2 * j, on);
    ptk_vmask_set(&m8, 2 * j + 1, on);
  }
  ptk_v_pbitcast(&m16, &m8);
  ptk_v_pintlv(0, 2, &lo, &hi, &m16, &all16);
  ptk_v_pbitcast(&lo32, &lo);
  ptk_v_pbitcast(&hi32, &hi);
  /* lane i of the 128 f32 lanes (lo then hi) = bit 2*(i/2)... per the golden:
   * interleaved[2k] = src bit k, interleaved[2k+1] = 1, b32 lanes read the
   * even interleaved positions -> lane i = src bit i */
  for (unsigned i = 0; i < 128; i++) {
    bool want = (packed[i / 8] >> (i % 8)) & 1;
    bool got = i < 64 ? ptk_vmask_lane(&lo32, i, 4) : ptk_vmask_lane(&hi32, i - 64, 4);
    if (!CHECK(got == want)) printf("  lane %u\n", i);
  }
}

/* Corpus pand: pset ALL, plt 13, plt 7, pand, psts -> 8 words. */
VT_CORPUS_TEST(corpus_pand) {
  size_t n;
  uint8_t *exp = vt_npy("pand", "expected/0_arg0.npy", &n);
  if (!exp) return;
  CHECK(n >= 32);
  ptk_vmask all, l, r, out;
  int64_t nx;
  ptk_v_pset(&all, PTK_V_PAT_ALL, 4);
  ptk_v_plt(&l, &nx, 13, 4);
  ptk_v_plt(&r, &nx, 7, 4);
  ptk_v_plogic(PTK_V_PAND, &out, &l, &r, &all);
  uint32_t want[8];
  memcpy(want, exp, 32);
  vt_check_words(&out, want, "corpus pand");
  free(exp);
}
