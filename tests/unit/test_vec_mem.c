/* VPTO memory ops (runtime/isa/v_mem.h): every distribution mode, partial
 * masks and tails, bounds errors (no partial writes), the unaligned streams,
 * gathers, predicate and scalar loads/stores, DMA with loops, padding and
 * the loop registers, and replays of the public corpus cases that use only
 * these ops (registered only when ../shared/corpus/vpto exists). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/isa/v_mem.h"
#include "runtime/npy.h"
#include "tests/unit/api_util.h"
#include "tests/unit/ut.h"

/* A 4 KiB memory whose byte i is (i * 7 + 3) & 0xFF. */
enum { MEM = 4096 };
static uint8_t mem[MEM];
static ptk_vptr mp(int64_t off) {
  ptk_vptr p = {mem, MEM, off};
  return p;
}
static void mem_fill(void) {
  for (int i = 0; i < MEM; i++) mem[i] = (uint8_t)(i * 7 + 3);
}
static uint8_t pat(int64_t i) { return (uint8_t)(i * 7 + 3); }

/* Mask with lanes [0, n) of esz-byte elements active (plt_bN). */
static ptk_vmask plt(unsigned esz, unsigned n) {
  ptk_vmask m;
  memset(&m, 0, sizeof m);
  for (unsigned i = 0; i < n && i < 256 / esz; i++) ptk_vmask_set(&m, i * esz, true);
  return m;
}
static ptk_vmask all_bits(void) {
  ptk_vmask m;
  memset(&m, 0xFF, sizeof m);
  return m;
}
static bool has(const char *msg, const char *part) { return strstr(msg, part) != NULL; }

/* ---- vlds --------------------------------------------------------------------------- */

TEST(vlds_norm_brc_us_ds) {
  mem_fill();
  ptk_vreg r;
  ptk_vptr p = mp(64);
  CHECK_INT(ptk_v_vlds(PTK_VLD_NORM, &r, p, 8, 4, false), 0); /* byte 64 + 32 */
  for (int i = 0; i < 256; i++) CHECK_UINT(r.b[i], pat(96 + i));
  CHECK_INT(ptk_v_vlds(PTK_VLD_BRC_B16, &r, p, 3, 2, false), 0); /* element at byte 70 */
  for (int i = 0; i < 128; i++) {
    CHECK_UINT(r.b[2 * i], pat(70));
    CHECK_UINT(r.b[2 * i + 1], pat(71));
  }
  CHECK_INT(ptk_v_vlds(PTK_VLD_BRC_B8, &r, p, 1, 1, false), 0);
  for (int i = 0; i < 256; i++) CHECK_UINT(r.b[i], pat(65));
  CHECK_INT(ptk_v_vlds(PTK_VLD_BRC_B32, &r, p, 0, 4, false), 0);
  for (int i = 0; i < 256; i++) CHECK_UINT(r.b[i], pat(64 + i % 4));
  /* US_B16: lanes 2i and 2i+1 = element i */
  CHECK_INT(ptk_v_vlds(PTK_VLD_US_B16, &r, p, 0, 2, false), 0);
  for (int i = 0; i < 64; i++)
    for (int h = 0; h < 2; h++) {
      CHECK_UINT(r.b[4 * i + 2 * h], pat(64 + 2 * i));
      CHECK_UINT(r.b[4 * i + 2 * h + 1], pat(65 + 2 * i));
    }
  CHECK_INT(ptk_v_vlds(PTK_VLD_US_B8, &r, p, 0, 1, false), 0);
  for (int i = 0; i < 256; i++) CHECK_UINT(r.b[i], pat(64 + i / 2));
  /* DS_B8 / DS_B16: every other element */
  CHECK_INT(ptk_v_vlds(PTK_VLD_DS_B8, &r, p, 0, 1, false), 0);
  for (int i = 0; i < 256; i++) CHECK_UINT(r.b[i], pat(64 + 2 * i));
  CHECK_INT(ptk_v_vlds(PTK_VLD_DS_B16, &r, p, 0, 2, false), 0);
  for (int i = 0; i < 128; i++) {
    CHECK_UINT(r.b[2 * i], pat(64 + 4 * i));
    CHECK_UINT(r.b[2 * i + 1], pat(65 + 4 * i));
  }
}

/* UNPK_B16 on f16: element i in the low half of 32-bit lane i, the high
 * half 0 even for negative values (vlds-unpk-b16). */
TEST(vlds_unpack_block_modes) {
  mem_fill();
  ptk_vreg r;
  ptk_vptr p = mp(0);
  uint16_t neg = 0xC400; /* f16 -4.0 */
  memcpy(mem + 2, &neg, 2);
  CHECK_INT(ptk_v_vlds(PTK_VLD_UNPK_B16, &r, p, 0, 2, false), 0);
  for (int i = 0; i < 64; i++) {
    CHECK_UINT(r.b[4 * i], mem[2 * i]);
    CHECK_UINT(r.b[4 * i + 1], mem[2 * i + 1]);
    CHECK_UINT(r.b[4 * i + 2], 0);
    CHECK_UINT(r.b[4 * i + 3], 0);
  }
  CHECK_UINT(r.b[4] | r.b[5] << 8, 0xC400);
  CHECK_INT(ptk_v_vlds(PTK_VLD_UNPK_B8, &r, p, 0, 1, false), 0);
  for (int i = 0; i < 128; i++) CHECK(r.b[2 * i] == mem[i] && r.b[2 * i + 1] == 0);
  CHECK_INT(ptk_v_vlds(PTK_VLD_UNPK_B32, &r, p, 0, 4, false), 0);
  for (int i = 0; i < 32; i++)
    for (int k = 0; k < 8; k++) CHECK_UINT(r.b[8 * i + k], k < 4 ? mem[4 * i + k] : 0);
  mem_fill();
  /* BRC_BLK: the 32-byte block 8 times (vlds-brc-blk) */
  CHECK_INT(ptk_v_vlds(PTK_VLD_BRC_BLK, &r, p, 32, 1, false), 0);
  for (int i = 0; i < 256; i++) CHECK_UINT(r.b[i], pat(32 + i % 32));
  /* E2B: element k fills block k */
  CHECK_INT(ptk_v_vlds(PTK_VLD_E2B_B16, &r, p, 0, 2, false), 0);
  for (int i = 0; i < 256; i++) CHECK_UINT(r.b[i], pat(2 * (i / 32) + i % 2));
  CHECK_INT(ptk_v_vlds(PTK_VLD_E2B_B32, &r, p, 0, 4, false), 0);
  for (int i = 0; i < 256; i++) CHECK_UINT(r.b[i], pat(4 * (i / 32) + i % 4));
  CHECK_INT(ptk_v_vlds(PTK_VLD_UNPK4, &r, p, 0, 1, false), 0);
  for (int i = 0; i < 256; i++) CHECK_UINT(r.b[i], i % 4 ? 0 : pat(i / 4));
  /* split channels: channel c to part c of the register */
  CHECK_INT(ptk_v_vlds(PTK_VLD_SPLT4CHN, &r, p, 0, 1, false), 0);
  for (int i = 0; i < 256; i++) CHECK_UINT(r.b[i], pat(4 * (i % 64) + i / 64));
  CHECK_INT(ptk_v_vlds(PTK_VLD_SPLT2CHN_B8, &r, p, 0, 1, false), 0);
  for (int i = 0; i < 256; i++) CHECK_UINT(r.b[i], pat(2 * (i % 128) + i / 128));
  CHECK_INT(ptk_v_vlds(PTK_VLD_SPLT2CHN_B16, &r, p, 0, 2, false), 0);
  for (int i = 0; i < 128; i++) {
    int src = 2 * (i % 64) + i / 64; /* element index */
    CHECK_UINT(r.b[2 * i], pat(2 * src));
    CHECK_UINT(r.b[2 * i + 1], pat(2 * src + 1));
  }
}

/* Post-update: the load reads the base itself, the result pointer is the
 * base advanced by the offset (vlds-post-update). */
TEST(vlds_post_update_and_errors) {
  mem_fill();
  ptk_vreg r;
  ptk_vptr p = mp(256);
  CHECK_INT(ptk_v_vlds(PTK_VLD_NORM, &r, p, 64, 4, true), 0);
  CHECK_UINT(r.b[0], pat(256));
  /* the result cell: the operand's advanced by 64 * 4 bytes, on success */
  ptk_rt_ptr src = ptk_rt_onchip_ptr(0, 256), res = {0, 0, 0};
  CHECK_INT(ptk_v_post(&res, &src, 64 * 4, 0), 0);
  CHECK_INT(res.boff, 512);
  CHECK_INT(res.buf, src.buf);
  ptk_rt_ptr res2 = {7, 0, 7};
  CHECK_INT(ptk_v_post(&res2, &src, 64, PTK_ISA_ESHAPE), PTK_ISA_ESHAPE);
  CHECK_INT(res2.boff, 7);
  /* the footprint past the end: ESHAPE, dst unchanged */
  memset(&r, 0x5A, sizeof r);
  ptk_vptr q = mp(MEM - 128);
  CHECK_INT(ptk_v_vlds(PTK_VLD_NORM, &r, q, 0, 4, false), PTK_ISA_ESHAPE);
  CHECK(has(ptk_isa_error(), "pto.vlds: source bytes [3968, 4224) outside the 4096-byte memory"));
  CHECK_UINT(r.b[0], 0x5A);
  /* 128-byte footprints fit there */
  CHECK_INT(ptk_v_vlds(PTK_VLD_UNPK_B16, &r, q, 0, 2, false), 0);
  CHECK_INT(ptk_v_vlds(PTK_VLD_DS_B16, &r, q, 0, 2, false), PTK_ISA_ESHAPE);
  ptk_vptr neg = mp(-4);
  CHECK_INT(ptk_v_vlds(PTK_VLD_BRC_B32, &r, neg, 0, 4, false), PTK_ISA_ESHAPE);
  CHECK_INT(ptk_v_vlds(PTK_VLD_NORM, &r, p, INT64_MAX / 2, 4, false), PTK_ISA_ESHAPE);
  CHECK(has(ptk_isa_error(), "overflows"));
  ptk_vptr none = {NULL, 0, 0};
  CHECK_INT(ptk_v_vlds(PTK_VLD_NORM, &r, none, 0, 4, false), PTK_ISA_ESHAPE);
  CHECK(has(ptk_isa_error(), "unmapped"));
  CHECK_INT(ptk_v_vlds(PTK_VLD_DINTLV_B8, &r, p, 0, 1, false), PTK_ISA_EARG);
  CHECK_INT(ptk_v_vlds(999, &r, p, 0, 1, false), PTK_ISA_EARG);
  CHECK_INT(ptk_v_vlds(PTK_VLD_NORM, &r, p, 0, 3, false), PTK_ISA_EARG);
  /* names round-trip */
  for (int d = 0; d < PTK_VLD_NDISTS; d++) CHECK_INT(ptk_vld_dist_parse(ptk_vld_dist_name(d)), d);
  for (int d = 0; d < PTK_VST_NDISTS; d++) CHECK_INT(ptk_vst_dist_parse(ptk_vst_dist_name(d)), d);
  CHECK_INT(ptk_vst_dist_parse("1PT_B16"), PTK_VST_ONEPT_B16);
  CHECK_INT(ptk_vld_dist_parse("BLK"), -1);
  CHECK_INT(ptk_vpld_dist_parse("DS"), PTK_VPLD_DS);
  CHECK_INT(ptk_vpst_dist_parse("PK"), PTK_VPST_PK);
  CHECK_INT(ptk_vst_default_dist(2), PTK_VST_NORM_B16);
}

/* ---- vldsx2 / vstsx2 --------------------------------------------------------------------- */

TEST(vldsx2_vstsx2_roundtrip) {
  mem_fill();
  ptk_vreg lo, hi;
  ptk_vptr p = mp(0);
  CHECK_INT(ptk_v_vldsx2(PTK_VLD_DINTLV_B32, &lo, &hi, p, 8, 4), 0);
  for (int i = 0; i < 64; i++)
    for (int k = 0; k < 4; k++) {
      CHECK_UINT(lo.b[4 * i + k], pat(32 + 8 * i + k));
      CHECK_UINT(hi.b[4 * i + k], pat(32 + 8 * i + 4 + k));
    }
  CHECK_INT(ptk_v_vldsx2(PTK_VLD_BDINTLV, &lo, &hi, p, 0, 4), 0);
  for (int i = 0; i < 256; i++) {
    CHECK_UINT(lo.b[i], pat(64 * (i / 32) + i % 32));
    CHECK_UINT(hi.b[i], pat(64 * (i / 32) + 32 + i % 32));
  }
  /* DINTLV_B8 then INTLV_B8 gives the bytes back (vreg-low-precision-ldst) */
  ptk_vmask m = plt(1, 0); /* the mask is ignored by INTLV */
  for (int w = 0; w < 3; w++) {
    int ld = PTK_VLD_DINTLV_B8 + w, st = PTK_VST_INTLV_B8 + w;
    ptk_vptr s = mp(1024), d = mp(2048);
    CHECK_INT(ptk_v_vldsx2(ld, &lo, &hi, s, 0, 1), 0);
    CHECK_INT(ptk_v_vstsx2(st, &lo, &hi, d, 0, 1, &m), 0);
    CHECK(memcmp(mem + 1024, mem + 2048, 512) == 0);
    mem_fill();
  }
  ptk_vptr e = mp(MEM - 256);
  CHECK_INT(ptk_v_vldsx2(PTK_VLD_DINTLV_B16, &lo, &hi, e, 0, 2), PTK_ISA_ESHAPE);
  CHECK_INT(ptk_v_vstsx2(PTK_VST_INTLV_B16, &lo, &hi, e, 0, 2, &m), PTK_ISA_ESHAPE);
  CHECK_UINT(mem[MEM - 1], pat(MEM - 1));
  CHECK_INT(ptk_v_vldsx2(PTK_VLD_NORM, &lo, &hi, p, 0, 4), PTK_ISA_EARG);
  CHECK_INT(ptk_v_vstsx2(PTK_VST_NORM_B8, &lo, &hi, p, 0, 4, &m), PTK_ISA_EARG);
}

/* ---- vsts ------------------------------------------------------------------------------------ */

/* The inline fast paths (ptk_v_vlds_try / ptk_v_vsts_try) either decline
 * or give exactly what the general functions give, for every window
 * position around the memory's ends and random masks and values. */
TEST(norm_fast_paths_match_the_general_functions) {
  uint8_t a[MEM], b[MEM];
  ptk_vptr pa = {a, MEM, 0}, pb = {b, MEM, 0};
  unsigned seed = 12345, taken = 0, declined = 0;
  for (int iter = 0; iter < 600; iter++) {
    for (int i = 0; i < MEM; i++) a[i] = b[i] = (uint8_t)(seed = seed * 1103515245u + 12345u) >> 16;
    unsigned esz = 1u << (iter % 4);
    int64_t idx = (int64_t)(iter * 37 % (MEM / (int)esz + 80)) - 40;
    int dist = iter % 3; /* NORM_B8 / B16 / B32 */
    ptk_vreg v, v2;
    ptk_vmask m;
    for (int i = 0; i < PTK_VREG_BYTES; i++) v.b[i] = (uint8_t)(seed = seed * 1103515245u + 12345u);
    for (int i = 0; i < PTK_VMASK_BYTES; i++) m.b[i] = (uint8_t)(seed = seed * 1103515245u + 12345u);
    int fast = ptk_v_vsts_try(dist, &v, pa, idx, esz, &m);
    int rc = ptk_v_vsts(dist, &v, pb, idx, esz, &m, false);
    if (fast) {
      CHECK(rc == 0);
      taken++;
    } else {
      declined++;
      if (!rc) CHECK(ptk_v_vsts(dist, &v, pa, idx, esz, &m, false) == 0); /* general path on a too */
    }
    CHECK(memcmp(a, b, MEM) == 0);
    memset(&v, 1, sizeof v);
    memset(&v2, 2, sizeof v2);
    fast = ptk_v_vlds_try(PTK_VLD_NORM, &v, pa, idx, esz);
    rc = ptk_v_vlds(PTK_VLD_NORM, &v2, pb, idx, esz, false);
    if (fast) CHECK(rc == 0 && memcmp(&v, &v2, sizeof v) == 0);
  }
  CHECK(taken > 100 && declined > 20);
}

TEST(vsts_norm_partial_masks) {
  memset(mem, 0, MEM);
  ptk_vreg v;
  for (int i = 0; i < 256; i++) v.b[i] = (uint8_t)(i + 1);
  ptk_vmask m = plt(4, 10); /* 10 of 64 f32 lanes */
  ptk_vptr p = mp(0);
  CHECK_INT(ptk_v_vsts(PTK_VST_NORM_B32, &v, p, 16, 4, &m, false), 0);
  for (int i = 0; i < 256; i++) CHECK_UINT(mem[64 + i], i < 40 ? i + 1 : 0);
  CHECK_UINT(mem[63], 0);
  /* a tail past the end of memory is fine while its lanes are inactive */
  ptk_vptr t = mp(MEM - 40);
  CHECK_INT(ptk_v_vsts(PTK_VST_NORM_B32, &v, t, 0, 4, &m, false), 0);
  CHECK_UINT(mem[MEM - 1], 40);
  ptk_vmask m11 = plt(4, 11);
  memset(mem + MEM - 40, 0, 40);
  CHECK_INT(ptk_v_vsts(PTK_VST_NORM_B32, &v, t, 0, 4, &m11, false), PTK_ISA_ESHAPE);
  CHECK(has(ptk_isa_error(), "pto.vsts: destination bytes [4056, 4100)"));
  CHECK_UINT(mem[MEM - 1], 0); /* nothing written */
  /* NORM_B16 with a b32-granular mask: the bits in between are 0, so only
   * the first 16-bit half of each 32-bit lane is written */
  memset(mem, 0, 512);
  ptk_vmask m4 = plt(4, 2);
  CHECK_INT(ptk_v_vsts(PTK_VST_NORM_B16, &v, p, 0, 2, &m4, false), 0);
  static const uint8_t want[8] = {1, 2, 0, 0, 5, 6, 0, 0};
  CHECK(memcmp(mem, want, 8) == 0);
  CHECK_UINT(mem[8], 0);
  /* empty mask: no access at all, even at a bad address */
  ptk_vmask none = plt(1, 0);
  ptk_vptr bad = mp(-1000);
  CHECK_INT(ptk_v_vsts(PTK_VST_NORM_B8, &v, bad, 0, 1, &none, false), 0);
  /* post-update */
  ptk_vmask full = all_bits();
  memset(mem, 0, 1024);
  CHECK_INT(ptk_v_vsts(PTK_VST_NORM_B32, &v, p, 64, 4, &full, true), 0);
  CHECK_UINT(mem[0], 1);
  CHECK_UINT(mem[255], 0);
  CHECK_UINT(mem[256], 0);
}

TEST(vsts_one_point_and_packed) {
  memset(mem, 0, MEM);
  ptk_vreg v;
  for (int i = 0; i < 256; i++) v.b[i] = (uint8_t)(i + 1);
  ptk_vmask none = plt(1, 0), full = all_bits();
  ptk_vptr p = mp(32);
  /* 1PT: element 0 only, the mask ignored */
  CHECK_INT(ptk_v_vsts(PTK_VST_ONEPT_B16, &v, p, 0, 2, &none, false), 0);
  CHECK(mem[32] == 1 && mem[33] == 2 && mem[34] == 0 && mem[31] == 0);
  CHECK_INT(ptk_v_vsts(PTK_VST_ONEPT_B32, &v, p, 4, 4, &none, false), 0);
  CHECK(mem[48] == 1 && mem[51] == 4 && mem[52] == 0);
  memset(mem, 0, MEM);
  /* PK_B16: low byte of each 16-bit lane, packed */
  CHECK_INT(ptk_v_vsts(PTK_VST_PK_B16, &v, p, 0, 1, &full, false), 0);
  for (int i = 0; i < 128; i++) CHECK_UINT(mem[32 + i], 2 * i + 1);
  CHECK_UINT(mem[160], 0);
  /* PK_B32: low 16 bits of 32-bit lanes; 5 active lanes */
  memset(mem, 0, MEM);
  ptk_vmask m5 = plt(4, 5);
  CHECK_INT(ptk_v_vsts(PTK_VST_PK_B32, &v, p, 0, 2, &m5, false), 0);
  for (int i = 0; i < 5; i++) CHECK(mem[32 + 2 * i] == 4 * i + 1 && mem[33 + 2 * i] == 4 * i + 2);
  CHECK_UINT(mem[42], 0);
  /* PK_B64: low 32 bits of 64-bit lanes; lane i active iff mask bit 8i:
   * plt_b32(5) sets bits 0 4 8 12 16 -> 64-bit lanes 0, 1, 2 */
  memset(mem, 0, MEM);
  CHECK_INT(ptk_v_vsts(PTK_VST_PK_B64, &v, p, 0, 4, &m5, false), 0);
  for (int i = 0; i < 3; i++)
    for (int k = 0; k < 4; k++) CHECK_UINT(mem[32 + 4 * i + k], 8 * i + k + 1);
  CHECK_UINT(mem[44], 0);
  /* PK4_B32: low byte of each 32-bit lane (vsts-packed-dist-mask-granularity) */
  memset(mem, 0, MEM);
  CHECK_INT(ptk_v_vsts(PTK_VST_PK4_B32, &v, p, 0, 1, &full, false), 0);
  for (int i = 0; i < 64; i++) CHECK_UINT(mem[32 + i], 4 * i + 1);
  CHECK_UINT(mem[96], 0);
  CHECK_INT(ptk_v_vsts(PTK_VST_MRG4CHN_B8, &v, p, 0, 1, &full, false), PTK_ISA_EARG);
  CHECK(has(ptk_isa_error(), "MRG4CHN_B8 is not supported"));
  CHECK_INT(ptk_v_vsts(PTK_VST_INTLV_B8, &v, p, 0, 1, &full, false), PTK_ISA_EARG);
}

/* ---- vsldb / vsstb ---------------------------------------------------------------------------------- */

TEST(vsldb_vsstb_blocks) {
  mem_fill();
  ptk_vreg r;
  ptk_vmask full = all_bits();
  ptk_vptr p = mp(1792);
  /* strides 1,1: block k at base + (1 + k) * 32 (vreg-low-precision-ldst) */
  CHECK_INT(ptk_v_vsldb(&r, p, 1, 1, &full), 0);
  for (int i = 0; i < 256; i++) CHECK_UINT(r.b[i], pat(1792 + 32 + i));
  /* block stride 2, repeat 4, blocks 0..2 active (plt_b32(3): bits 0 4 8) */
  ptk_vmask m3 = plt(4, 3);
  ptk_vptr q = mp(0);
  CHECK_INT(ptk_v_vsldb(&r, q, 2, 4, &m3), 0);
  for (int k = 0; k < 8; k++)
    for (int j = 0; j < 32; j++) CHECK_UINT(r.b[32 * k + j], k < 3 ? pat((4 + 2 * k) * 32 + j) : 0);
  /* store: same layout, inactive blocks untouched */
  ptk_vreg v;
  for (int i = 0; i < 256; i++) v.b[i] = (uint8_t)(255 - i);
  memset(mem, 0, MEM);
  CHECK_INT(ptk_v_vsstb(&v, q, 2, 4, &m3, false), 0);
  for (int k = 0; k < 8; k++)
    for (int j = 0; j < 32; j++)
      CHECK_UINT(mem[(4 + 2 * k) * 32 + j], k < 3 ? 255 - (32 * k + j) : 0);
  /* round trip as the case does */
  mem_fill();
  ptk_vptr sc = mp(2048);
  CHECK_INT(ptk_v_vsldb(&r, p, 1, 1, &full), 0);
  CHECK_INT(ptk_v_vsstb(&r, sc, 1, 1, &full, false), 0);
  ptk_vreg r2;
  CHECK_INT(ptk_v_vsldb(&r2, sc, 1, 1, &full), 0);
  CHECK(memcmp(r.b, r2.b, 256) == 0);
  /* post-update store: blocks at base + k*block*32, base advances by repeat*32 */
  memset(mem, 0, MEM);
  CHECK_INT(ptk_v_vsstb(&v, q, 2, 4, &full, true), 0);
  CHECK_UINT(mem[0], 255);
  CHECK_UINT(mem[64], 255 - 32);
  /* bounds: an active block outside; a masked-off block is not checked */
  ptk_vptr e = mp(MEM - 64);
  CHECK_INT(ptk_v_vsldb(&r, e, 1, 0, &full), PTK_ISA_ESHAPE);
  CHECK(has(ptk_isa_error(), "source block"));
  ptk_vmask m2 = plt(4, 2);
  CHECK_INT(ptk_v_vsldb(&r, e, 1, 0, &m2), 0);
  CHECK_INT(ptk_v_vsstb(&v, e, 1, 0, &full, false), PTK_ISA_ESHAPE);
  CHECK_UINT(mem[MEM - 64], 0);
}

/* ---- unaligned streams -------------------------------------------------------------------------------- */

TEST(vldas_vldus_unaligned) {
  mem_fill();
  ptk_valign a, a2;
  ptk_vreg r;
  ptk_vptr p = mp(1);
  CHECK_INT(ptk_v_vldas(&a, p), 0);
  CHECK_INT(ptk_v_vldus(&r, &a2, p, &a), 0);
  for (int i = 0; i < 256; i++) CHECK_UINT(r.b[i], pat(1 + i)); /* vldas-vldus golden */
  /* the stream continues from the carrier */
  ptk_vptr p2 = mp(257);
  CHECK_INT(ptk_v_vldus(&r, &a2, p2, &a2), 0); /* aout aliases ain */
  for (int i = 0; i < 256; i++) CHECK_UINT(r.b[i], pat(257 + i));
  /* the head comes from the carrier: a stale carrier shows stale bytes */
  ptk_valign stale;
  ptk_v_init_align(&stale);
  memset(stale.b, 0xEE, 32);
  stale.n = 32;
  ptk_vptr p3 = mp(40);
  CHECK_INT(ptk_v_vldus(&r, &a2, p3, &stale), 0);
  CHECK_UINT(r.b[0], 0xEE);
  CHECK_UINT(r.b[23], 0xEE);
  CHECK_UINT(r.b[24], pat(64));
  /* an empty carrier reads memory only */
  ptk_v_init_align(&a);
  CHECK_INT(ptk_v_vldus(&r, &a2, p3, &a), 0);
  CHECK_UINT(r.b[0], pat(40));
  /* at the end of memory: no next block, no error */
  ptk_vptr end = mp(MEM - 256);
  CHECK_INT(ptk_v_vldas(&a, end), 0);
  CHECK_INT(ptk_v_vldus(&r, &a2, end, &a), 0);
  CHECK_INT(a2.n, 0);
  ptk_vptr over = mp(MEM - 255);
  CHECK_INT(ptk_v_vldas(&a, over), 0);
  CHECK_INT(ptk_v_vldus(&r, &a2, over, &a), PTK_ISA_ESHAPE);
  ptk_vptr out = mp(MEM);
  CHECK_INT(ptk_v_vldas(&a, out), PTK_ISA_ESHAPE);
}

TEST(vstus_vstas_vstur_vstar_streams) {
  memset(mem, 0, MEM);
  ptk_vreg v;
  for (int i = 0; i < 256; i++) v.b[i] = (uint8_t)(i + 1);
  ptk_valign a, b;
  ptk_v_init_align(&a);
  ptk_vptr d = mp(2304);
  /* vstus 3 bytes then vstas at +3: exactly 3 bytes (vreg-low-precision-ldst) */
  CHECK_INT(ptk_v_vstus(&b, &a, 3, 1, &v, d), 0);
  CHECK_UINT(mem[2304], 0); /* still buffered */
  CHECK_INT(b.n, 3);
  CHECK_INT(ptk_v_vstas(&b, d, 3, 1), 0);
  CHECK(mem[2304] == 1 && mem[2305] == 2 && mem[2306] == 3 && mem[2307] == 0);
  /* a stream of f32 pieces (offsets in elements): 5 + 10 elements from an
   * unaligned base; whole blocks go out at once, the tail at the flush */
  memset(mem, 0, MEM);
  ptk_vptr s0 = mp(4 + 64);
  CHECK_INT(ptk_v_vstus(&b, &a, 5, 4, &v, s0), 0); /* [68, 88): no whole block */
  CHECK_UINT(mem[68], 0);
  ptk_vptr s1 = mp(88);
  CHECK_INT(ptk_v_vstus(&b, &b, 9, 4, &v, s1), 0); /* [68, 124): [68, 96) written */
  CHECK_UINT(mem[68], 1);
  CHECK_UINT(mem[87], 20);
  CHECK_UINT(mem[88], 1);
  CHECK_UINT(mem[95], 8);
  CHECK_UINT(mem[96], 0);
  CHECK_INT(b.n, 28);
  CHECK_INT(ptk_v_vstas(&b, s1, 9, 4), 0);
  CHECK_UINT(mem[96], 9);
  CHECK_UINT(mem[123], 36);
  CHECK_UINT(mem[124], 0);
  /* a piece ending on a boundary leaves nothing buffered */
  ptk_vptr s2 = mp(124);
  CHECK_INT(ptk_v_vstus(&b, &b, 1, 4, &v, s2), 0);
  CHECK_INT(b.n, 0);
  CHECK_UINT(mem[124], 1);
  CHECK_UINT(mem[67], 0);
  /* vstur: AR-relative, POST_UPDATE advances AR; vstar flushes at base + AR */
  memset(mem, 0, MEM);
  int64_t ar = 0;
  ptk_vptr o1 = mp(4);
  CHECK_INT(ptk_v_vstur(&b, &a, &v, o1, &ar, 32, true), 0);
  CHECK_INT(ar, 32);
  CHECK_INT(ptk_v_vstar(&b, o1, ar), 0);
  for (int i = 0; i < 32; i++) CHECK_UINT(mem[4 + i], i + 1);
  CHECK_UINT(mem[36], 0);
  CHECK_INT(ptk_v_vstur(&b, &a, &v, o1, &ar, 8, false), 0);
  CHECK_INT(ar, 32);
  CHECK_INT(ptk_v_vstus(&b, &a, 300, 1, &v, d), PTK_ISA_EARG);
  CHECK_INT(ptk_v_vstus(&b, &a, -1, 1, &v, d), PTK_ISA_EARG);
  /* errors: the stream would leave memory */
  ptk_vptr e = mp(MEM - 8);
  CHECK_INT(ptk_v_vstus(&b, &a, 64, 1, &v, e), PTK_ISA_ESHAPE);
  b.n = 8;
  ptk_vptr f = mp(4);
  CHECK_INT(ptk_v_vstas(&b, f, 0, 1), PTK_ISA_ESHAPE);
}

/* pstu: packed lane bits, 8 bytes per b32 store, flushed by vstas (pstu). */
TEST(pstu_packed_stream) {
  memset(mem, 0, MEM);
  ptk_valign a, b;
  ptk_v_init_align(&a);
  ptk_vptr base = mp(0), nb = mp(8), nb2 = mp(16); /* the base results: + 8 bytes each */
  ptk_vmask m13 = plt(4, 13), m7 = plt(4, 7);
  CHECK_INT(ptk_v_pstu(&b, &a, &m13, 4, base), 0);
  CHECK_INT(ptk_v_pstu(&b, &b, &m7, 4, nb), 0);
  CHECK_UINT(mem[0], 0); /* buffered until the flush */
  CHECK_INT(ptk_v_vstas(&b, nb2, 0, 4), 0);
  static const uint8_t want[16] = {0xFF, 0x1F, 0, 0, 0, 0, 0, 0, 0x7F, 0, 0, 0, 0, 0, 0, 0};
  CHECK(memcmp(mem, want, 16) == 0);
  /* b16: 16 bytes per store */
  ptk_vmask h = plt(2, 127);
  CHECK_INT(ptk_v_pstu(&b, &a, &h, 2, base), 0);
  CHECK_INT(b.n, 16);
  CHECK_INT(ptk_v_pstu(&b, &a, &h, 1, base), PTK_ISA_EARG);
}

/* ---- gathers / scatter ------------------------------------------------------------------------------- */

TEST(vgather2_lanes_and_zero_extend) {
  mem_fill();
  ptk_vreg offs, r;
  ptk_vptr p = mp(0);
  /* f32 with i32 offsets, 60 active lanes: the rest 0 */
  for (int i = 0; i < 64; i++) {
    uint32_t o = (uint32_t)((i * 17 + 3) % 1024);
    memcpy(offs.b + 4 * i, &o, 4);
  }
  ptk_vmask m = plt(4, 60);
  CHECK_INT(ptk_v_vgather2(PTK_ISA_F32, &r, p, &offs, 4, &m), 0);
  for (int i = 0; i < 64; i++) {
    int o = (i * 17 + 3) % 1024;
    for (int k = 0; k < 4; k++) CHECK_UINT(r.b[4 * i + k], i < 60 ? pat(4 * o + k) : 0);
  }
  /* i8 and u8 sources zero-extend into 16-bit lanes (vgather2 golden) */
  for (int i = 0; i < 128; i++) {
    uint16_t o = (uint16_t)((i * 11 + 5) % 1024);
    memcpy(offs.b + 2 * i, &o, 2);
  }
  ptk_vmask all = plt(2, 128);
  for (int t = 0; t < 2; t++) {
    CHECK_INT(ptk_v_vgather2(t ? PTK_ISA_I8 : PTK_ISA_U8, &r, p, &offs, 2, &all), 0);
    for (int i = 0; i < 128; i++) {
      CHECK_UINT(r.b[2 * i], pat((i * 11 + 5) % 1024));
      CHECK_UINT(r.b[2 * i + 1], 0);
    }
  }
  CHECK_INT(ptk_v_vgather2(PTK_ISA_F16, &r, p, &offs, 2, &all), 0);
  CHECK_UINT(r.b[2], pat(2 * 16));
  CHECK_UINT(r.b[3], pat(2 * 16 + 1));
  /* an active lane outside: ESHAPE naming the lane; r unchanged */
  uint16_t far = 5000;
  memcpy(offs.b + 2 * 7, &far, 2);
  memset(&r, 0x77, sizeof r);
  CHECK_INT(ptk_v_vgather2(PTK_ISA_U16, &r, p, &offs, 2, &all), PTK_ISA_ESHAPE);
  CHECK(has(ptk_isa_error(), "lane 7 (offset 5000)"));
  CHECK_UINT(r.b[0], 0x77);
  ptk_vmask skip7 = all;
  ptk_vmask_set(&skip7, 14, false);
  CHECK_INT(ptk_v_vgather2(PTK_ISA_U16, &r, p, &offs, 2, &skip7), 0);
  CHECK_UINT(r.b[14], 0);
  CHECK_INT(ptk_v_vgather2(PTK_ISA_F64, &r, p, &offs, 2, &all), PTK_ISA_EDTYPE);
  CHECK_INT(ptk_v_vgather2(PTK_ISA_F32, &r, p, &offs, 1, &all), PTK_ISA_EARG);
}

TEST(vgatherb_vscatter) {
  mem_fill();
  ptk_vreg offs, r;
  memset(&offs, 0, sizeof offs);
  static const uint32_t bo[8] = {64, 0, 992, 32, 128, 160, 4064, 96};
  memcpy(offs.b, bo, sizeof bo);
  ptk_vmask m = plt(4, 7); /* block 7 off -> 0 */
  ptk_vptr p = mp(0);
  CHECK_INT(ptk_v_vgatherb(&r, p, &offs, &m), 0);
  for (int k = 0; k < 8; k++)
    for (int j = 0; j < 32; j++) CHECK_UINT(r.b[32 * k + j], k < 7 ? pat(bo[k] + j) : 0);
  ptk_vptr q = mp(64);
  CHECK_INT(ptk_v_vgatherb(&r, q, &offs, &m), PTK_ISA_ESHAPE); /* 64 + 4064 */
  CHECK(has(ptk_isa_error(), "block 6"));
  /* scatter f32: lanes to offsets, last writer wins, masked lanes untouched */
  memset(mem, 0, MEM);
  ptk_vreg v;
  for (int i = 0; i < 64; i++) {
    float f = (float)i + 0.5f;
    memcpy(v.b + 4 * i, &f, 4);
    uint32_t o = (uint32_t)(63 - i);
    if (i == 5) o = 63 - 4; /* lanes 4 and 5 both write element 59 */
    memcpy(offs.b + 4 * i, &o, 4);
  }
  ptk_vmask mm = plt(4, 62);
  CHECK_INT(ptk_v_vscatter(4, &v, p, &offs, 4, &mm), 0);
  float f;
  memcpy(&f, mem + 4 * 59, 4);
  CHECK_DBL(f, 5.5, 0);
  memcpy(&f, mem + 4 * 63, 4);
  CHECK_DBL(f, 0.5, 0);
  memcpy(&f, mem + 4 * 58, 4);
  CHECK_DBL(f, 0, 0); /* lane 5 went to 59 instead */
  memcpy(&f, mem + 4 * 0, 4);
  CHECK_DBL(f, 0, 0); /* lane 63 inactive */
  uint32_t far = 1024;
  memcpy(offs.b + 4 * 3, &far, 4);
  memset(mem, 0, MEM);
  CHECK_INT(ptk_v_vscatter(4, &v, p, &offs, 4, &mm), PTK_ISA_ESHAPE);
  CHECK(has(ptk_isa_error(), "lane 3"));
  memcpy(&f, mem + 4 * 63, 4);
  CHECK_DBL(f, 0, 0); /* nothing written */
  CHECK_INT(ptk_v_vscatter(8, &v, p, &offs, 4, &mm), PTK_ISA_EDTYPE);
}

/* ---- predicates ---------------------------------------------------------------------------------------- */

static ptk_vmask prefix(unsigned n) {
  ptk_vmask m;
  memset(&m, 0, sizeof m);
  for (unsigned j = 0; j < n; j++) ptk_vmask_set(&m, j, true);
  return m;
}

TEST(plds_psts_distributions) {
  memset(mem, 0, MEM);
  ptk_vptr p = mp(0);
  ptk_vmask m = prefix(145), r;
  /* NORM: the raw 256 bits, 32 bytes */
  CHECK_INT(ptk_v_psts(PTK_VPST_NORM, &m, p, 0, 1), 0);
  CHECK(memcmp(mem, m.b, 32) == 0);
  CHECK_UINT(mem[18], 0x01);
  CHECK_UINT(mem[32], 0);
  CHECK_INT(ptk_v_plds(PTK_VPLD_NORM, &r, p, 0, 1), 0);
  CHECK(memcmp(r.b, m.b, 32) == 0);
  /* psts PK keeps bits 0 2 4 ...; plds US duplicates: psts-pk-plds-us
   * (171 bits -> bits[::2] repeated twice) */
  m = prefix(171);
  memset(mem, 0, 64);
  CHECK_INT(ptk_v_psts(PTK_VPST_PK, &m, p, 8, 4), 0); /* byte 32 */
  CHECK_UINT(mem[31], 0);
  CHECK_UINT(mem[32 + 16], 0);
  ptk_vptr q = mp(32);
  CHECK_INT(ptk_v_plds(PTK_VPLD_US, &r, q, 0, 1), 0);
  for (unsigned j = 0; j < 256; j++) CHECK(ptk_vmask_bit(&r, j) == (2 * (j / 2) < 171));
  /* plds DS keeps every other bit of 64 bytes: psti-norm-pldi-ds (143 bits
   * then zeros) */
  memset(mem, 0, 128);
  m = prefix(143);
  CHECK_INT(ptk_v_psts(PTK_VPST_NORM, &m, p, 0, 1), 0);
  CHECK_INT(ptk_v_plds(PTK_VPLD_DS, &r, p, 0, 1), 0);
  for (unsigned j = 0; j < 256; j++) CHECK(ptk_vmask_bit(&r, j) == (2 * j < 143));
  /* bounds and bad dists */
  ptk_vptr e = mp(MEM - 16);
  CHECK_INT(ptk_v_plds(PTK_VPLD_NORM, &r, e, 0, 1), PTK_ISA_ESHAPE);
  CHECK_INT(ptk_v_plds(PTK_VPLD_US, &r, e, 0, 1), 0);
  CHECK_INT(ptk_v_psts(PTK_VPST_PK, &m, e, 0, 1), 0);
  CHECK_INT(ptk_v_psts(PTK_VPST_NORM, &m, e, 0, 1), PTK_ISA_ESHAPE);
  CHECK_INT(ptk_v_plds(7, &r, p, 0, 1), PTK_ISA_EARG);
  CHECK_INT(ptk_v_psts(7, &m, p, 0, 1), PTK_ISA_EARG);
}

TEST(scalar_load_store) {
  mem_fill();
  ptk_vptr p = mp(2048);
  int16_t x;
  CHECK_INT(ptk_v_ld_scalar(&x, p, 3, 2), 0);
  CHECK_INT((uint16_t)x, (uint16_t)(pat(2054) | pat(2055) << 8));
  x = -5;
  CHECK_INT(ptk_v_st_scalar(&x, p, 3, 2), 0);
  CHECK(mem[2054] == 0xFB && mem[2055] == 0xFF);
  CHECK_INT(ptk_v_ld_scalar(&x, p, 1024, 2), PTK_ISA_ESHAPE);
  CHECK(has(ptk_isa_error(), "pto.load_scalar: source bytes [4096, 4098)"));
  CHECK_INT(ptk_v_st_scalar(&x, p, -1025, 2), PTK_ISA_ESHAPE);
}

/* ---- DMA ------------------------------------------------------------------------------------------------ */

TEST(dma_bursts_loops_pad) {
  static uint8_t gm[8192], ub[4096];
  for (int i = 0; i < 8192; i++) gm[i] = (uint8_t)(i * 13 + 1);
  memset(ub, 0, sizeof ub);
  ptk_vptr g = {gm, 8192, 0}, u = {ub, 4096, 0};
  /* 4 rows of 24 bytes, GM stride 100, UB stride 32 */
  CHECK_INT(ptk_v_mte_gm_ub(g, u, 24, 4, 100, 32, 0, NULL, false, 0, 1, 0, 0), 0);
  for (int r = 0; r < 4; r++)
    for (int j = 0; j < 32; j++) CHECK_UINT(ub[32 * r + j], j < 24 ? gm[100 * r + j] : 0);
  /* the vlds-dma-loop shape: 1 x 224 bytes, three loops, pad 1.0f right 8 */
  memset(ub, 0, sizeof ub);
  float one = 1.0f;
  uint32_t ob;
  memcpy(&ob, &one, 4);
  const int64_t loops[9] = {2, 224, 256, 2, 448, 512, 2, 896, 1024};
  CHECK_INT(ptk_v_mte_gm_ub(g, u, 224, 1, 224, 256, 3, loops, true, ob, 4, 0, 8), 0);
  for (int row = 0; row < 8; row++) {
    CHECK(memcmp(ub + 256 * row, gm + 224 * row, 224) == 0);
    for (int j = 224; j < 256; j += 4) CHECK(memcmp(ub + 256 * row + j, &one, 4) == 0);
  }
  CHECK_UINT(ub[2048], 0);
  /* pad(v) alone fills to the next 32-byte boundary; left padding shifts */
  memset(ub, 0, sizeof ub);
  CHECK_INT(ptk_v_mte_gm_ub(g, u, 6, 2, 6, 64, 0, NULL, true, 0xABCD, 2, 1, 0), 0);
  CHECK(ub[0] == 0xCD && ub[1] == 0xAB);
  CHECK(memcmp(ub + 2, gm, 6) == 0);
  for (int j = 8; j < 32; j += 2) CHECK(ub[j] == 0xCD && ub[j + 1] == 0xAB);
  CHECK_UINT(ub[32], 0);
  CHECK(memcmp(ub + 66, gm + 6, 6) == 0);
  /* UB -> GM with a loop; the UB row padding is not copied */
  memset(gm, 0, 8192);
  for (int i = 0; i < 4096; i++) ub[i] = (uint8_t)(i ^ 0x55);
  const int64_t l1[3] = {3, 1024, 200};
  CHECK_INT(ptk_v_mte_ub_gm(u, g, 20, 2, 32, 50, 1, l1), 0);
  for (int k = 0; k < 3; k++)
    for (int r = 0; r < 2; r++) {
      CHECK(memcmp(gm + 200 * k + 50 * r, ub + 1024 * k + 32 * r, 20) == 0);
      CHECK_UINT(gm[200 * k + 50 * r + 20], 0);
    }
  /* zero counts move nothing and check nothing */
  ptk_vptr far = {gm, 8192, 1 << 20};
  CHECK_INT(ptk_v_mte_ub_gm(u, far, 20, 0, 32, 50, 0, NULL), 0);
  const int64_t l0[3] = {0, 1, 1};
  CHECK_INT(ptk_v_mte_ub_gm(u, far, 20, 2, 32, 50, 1, l0), 0);
}

TEST(dma_bounds_and_args) {
  static uint8_t gm[1024], ub[1024];
  memset(ub, 0, sizeof ub);
  memset(gm, 7, sizeof gm);
  ptk_vptr g = {gm, 1024, 0}, u = {ub, 1024, 0};
  /* the last row leaves GM: nothing at all is written */
  CHECK_INT(ptk_v_mte_gm_ub(g, u, 128, 9, 128, 64, 0, NULL, false, 0, 1, 0, 0), PTK_ISA_ESHAPE);
  CHECK(has(ptk_isa_error(), "pto.mte_gm_ub: source bytes [0, 1152) outside the 1024-byte memory"));
  CHECK_UINT(ub[0], 0);
  /* destination side, with a loop */
  const int64_t l[3] = {2, 0, 1000};
  CHECK_INT(ptk_v_mte_gm_ub(g, u, 64, 2, 64, 64, 1, l, false, 0, 1, 0, 0), PTK_ISA_ESHAPE);
  CHECK(has(ptk_isa_error(), "destination bytes [0, 1128)"));
  /* negative strides walk down */
  ptk_vptr u2 = {ub, 1024, 512};
  CHECK_INT(ptk_v_mte_gm_ub(g, u2, 32, 3, 32, -128, 0, NULL, false, 0, 1, 0, 0), 0);
  CHECK_UINT(ub[512 - 256], 7);
  CHECK_INT(ptk_v_mte_gm_ub(g, u2, 32, 6, 32, -128, 0, NULL, false, 0, 1, 0, 0), PTK_ISA_ESHAPE);
  /* bad arguments */
  CHECK_INT(ptk_v_mte_gm_ub(g, u, -1, 1, 0, 0, 0, NULL, false, 0, 1, 0, 0), PTK_ISA_EARG);
  CHECK_INT(ptk_v_mte_gm_ub(g, u, 1, -1, 0, 0, 0, NULL, false, 0, 1, 0, 0), PTK_ISA_EARG);
  CHECK_INT(ptk_v_mte_gm_ub(g, u, 1, 1, (int64_t)1 << 50, 0, 0, NULL, false, 0, 1, 0, 0),
            PTK_ISA_EARG);
  CHECK_INT(ptk_v_mte_gm_ub(g, u, 1, 1, 0, 0, 9, l, false, 0, 1, 0, 0), PTK_ISA_EARG);
  CHECK_INT(ptk_v_mte_gm_ub(g, u, 1, 1, 0, 0, 0, NULL, true, 0, 3, 0, 0), PTK_ISA_EARG);
  CHECK_INT(ptk_v_mte_gm_ub(g, u, 1, 1, 0, 0, 0, NULL, true, 0, 2, 256, 0), PTK_ISA_EARG);
  const int64_t big[6] = {1 << 20, 0, 0, 1 << 20, 0, 0};
  CHECK_INT(ptk_v_mte_gm_ub(g, u, 1, 1 << 20, 0, 0, 2, big, false, 0, 1, 0, 0), PTK_ISA_EARG);
  CHECK(has(ptk_isa_error(), "bursts"));
  CHECK_INT(ptk_v_mte_ub_ub(u, u, 65536, 1, 0, 0), PTK_ISA_EARG);
  ptk_vptr none = {NULL, 0, 0};
  CHECK_INT(ptk_v_mte_ub_gm(u, none, 4, 1, 4, 4, 0, NULL), PTK_ISA_ESHAPE);
}

/* mte_ub_ub: 32-byte units, gaps after each burst; overlapping copies are
 * memmoves (dma-copy-rearrange). */
TEST(dma_ub_ub_gaps) {
  static uint8_t ub[1024];
  for (int i = 0; i < 1024; i++) ub[i] = (uint8_t)i;
  ptk_vptr s = {ub, 1024, 0}, d = {ub, 1024, 512};
  CHECK_INT(ptk_v_mte_ub_ub(s, d, 2, 3, 1, 0), 0); /* src every 96 bytes, dst packed */
  for (int b = 0; b < 3; b++)
    for (int j = 0; j < 64; j++) CHECK_UINT(ub[512 + 64 * b + j], (uint8_t)(96 * b + j));
  ptk_vptr s2 = {ub, 1024, 0}, d2 = {ub, 1024, 16};
  for (int i = 0; i < 64; i++) ub[i] = (uint8_t)i;
  CHECK_INT(ptk_v_mte_ub_ub(s2, d2, 1, 1, 0, 0), 0); /* overlapping */
  for (int j = 0; j < 32; j++) CHECK_UINT(ub[16 + j], j);
  CHECK_INT(ptk_v_mte_ub_ub(s, d, 1, 17, 0, 0), PTK_ISA_ESHAPE);
}

/* copy_gm_to_ubuf / copy_ubuf_to_gm with the loop registers: reset = one
 * pass; set_loop_size(a, b) = (loop2, loop1); loop1 is inner. */
TEST(dma_copy_loop_registers) {
  static uint8_t gm[4096], ub[4096];
  for (int i = 0; i < 4096; i++) gm[i] = (uint8_t)(i * 5 + 2);
  memset(ub, 0, sizeof ub);
  ptk_vptr g = {gm, 4096, 0}, u = {ub, 4096, 0};
  ptk_vdma_regs r;
  ptk_vdma_regs_reset(&r);
  /* strides set but sizes at reset: one pass (vcmps-f32, vsel) */
  CHECK_INT(ptk_vdma_set(&r, PTK_VDMA_LOOP1_STRIDE_OUTTOUB, 256, 256), 0);
  CHECK_INT(ptk_vdma_set(&r, PTK_VDMA_LOOP2_STRIDE_OUTTOUB, 256, 256), 0);
  CHECK_INT(ptk_v_copy_gm_to_ubuf(&r, g, u, 2, 64, 0, 0, false, 100, 64), 0);
  CHECK(memcmp(ub, gm, 64) == 0 && memcmp(ub + 64, gm + 100, 64) == 0);
  CHECK_UINT(ub[256], 0);
  /* loop2 = 2 (outer, stride 1000 / 1024), loop1 = 3 (inner, 200 / 256) */
  memset(ub, 0, sizeof ub);
  CHECK_INT(ptk_vdma_set(&r, PTK_VDMA_LOOP_SIZE_OUTTOUB, 2, 3), 0);
  CHECK_INT(ptk_vdma_set(&r, PTK_VDMA_LOOP1_STRIDE_OUTTOUB, 200, 256), 0);
  CHECK_INT(ptk_vdma_set(&r, PTK_VDMA_LOOP2_STRIDE_OUTTOUB, 1000, 1024), 0);
  CHECK_INT(r.out2ub.size1, 3);
  CHECK_INT(r.out2ub.size2, 2);
  CHECK_INT(ptk_v_copy_gm_to_ubuf(&r, g, u, 1, 16, 0, 0, false, 0, 0), 0);
  for (int j = 0; j < 2; j++)
    for (int k = 0; k < 3; k++) CHECK(memcmp(ub + 1024 * j + 256 * k, gm + 1000 * j + 200 * k, 16) == 0);
  CHECK_UINT(ub[16], 0);
  CHECK_UINT(ub[768], 0);
  /* data_select pads with the pad register */
  ptk_vdma_regs_reset(&r);
  CHECK_INT(ptk_vdma_set_pad(&r, 0x7F, 1), 0);
  CHECK_INT(ptk_vdma_set_pad(&r, 0, 3), PTK_ISA_EARG);
  memset(ub, 0, sizeof ub);
  CHECK_INT(ptk_v_copy_gm_to_ubuf(&r, g, u, 1, 10, 0, 0, true, 0, 32), 0);
  CHECK(memcmp(ub, gm, 10) == 0);
  for (int j = 10; j < 32; j++) CHECK_UINT(ub[j], 0x7F);
  CHECK_UINT(ub[32], 0);
  /* UB -> GM registers */
  memset(gm, 0, sizeof gm);
  for (int i = 0; i < 4096; i++) ub[i] = (uint8_t)(i * 3);
  CHECK_INT(ptk_vdma_set(&r, PTK_VDMA_LOOP_SIZE_UBTOOUT, 1, 2), 0);
  CHECK_INT(ptk_vdma_set(&r, PTK_VDMA_LOOP1_STRIDE_UBTOOUT, 512, 64), 0);
  CHECK_INT(ptk_v_copy_ubuf_to_gm(&r, u, g, 2, 8, 16, 32), 0);
  for (int k = 0; k < 2; k++)
    for (int b = 0; b < 2; b++) CHECK(memcmp(gm + 64 * k + 16 * b, ub + 512 * k + 32 * b, 8) == 0);
  CHECK_UINT(gm[8], 0);
  CHECK_INT(ptk_vdma_set(&r, 42, 0, 0), PTK_ISA_EARG);
  CHECK_INT(ptk_vdma_set(&r, PTK_VDMA_LOOP_SIZE_UBTOOUT, -1, 1), 0);
  CHECK_INT(ptk_v_copy_ubuf_to_gm(&r, u, g, 2, 8, 16, 32), PTK_ISA_EARG);
}

/* Random operands on a small memory: every call returns a defined code and
 * never touches bytes outside the memory (ASan checks the latter). */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void) {
  rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
  return rng_state >> 17;
}
static int64_t rnd_off(void) {
  switch (rnd() % 4) {
  case 0: return (int64_t)(rnd() % 1200) - 100;
  case 1: return (int64_t)(rnd() % 64);
  case 2: return -(int64_t)(rnd() % 4);
  default: return (int64_t)(rnd() % 4) << (rnd() % 62);
  }
}
static bool code_ok(int rc) {
  return rc == 0 || rc == PTK_ISA_ESHAPE || rc == PTK_ISA_EARG || rc == PTK_ISA_EDTYPE;
}

TEST(random_operands_never_crash) {
  enum { SMALL = 1000 };
  uint8_t *small = malloc(SMALL);
  if (!small) return;
  int bad = 0;
  for (int it = 0; it < 20000; it++) {
    ptk_vptr p = {small, SMALL, rnd_off()};
    ptk_vreg v, w;
    ptk_vmask m;
    ptk_valign a, b;
    for (int i = 0; i < 256; i++) v.b[i] = (uint8_t)rnd();
    for (int i = 0; i < 32; i++) m.b[i] = (uint8_t)(rnd() & rnd());
    memset(&a, 0, sizeof a);
    a.n = (uint32_t)(rnd() % 40);
    unsigned esz = 1u << (rnd() % 4);
    int64_t idx = rnd_off();
    int rc;
    switch (rnd() % 16) {
    case 0: rc = ptk_v_vlds((int)(rnd() % (PTK_VLD_NDISTS + 2)), &w, p, idx, esz, true); break;
    case 1: rc = ptk_v_vsts((int)(rnd() % (PTK_VST_NDISTS + 2)), &v, p, idx, esz, &m, false); break;
    case 2: rc = ptk_v_vldsx2((int)(rnd() % PTK_VLD_NDISTS), &v, &w, p, idx, esz); break;
    case 3: rc = ptk_v_vstsx2((int)(rnd() % PTK_VST_NDISTS), &v, &w, p, idx, esz, &m); break;
    case 4: rc = ptk_v_vsldb(&w, p, rnd_off(), rnd_off(), &m); break;
    case 5: rc = ptk_v_vsstb(&v, p, rnd_off(), rnd_off(), &m, true); break;
    case 6: rc = ptk_v_vldus(&w, &b, p, &a); break;
    case 7: rc = ptk_v_vstus(&b, &a, (int64_t)(rnd() % 300), esz, &v, p); break;
    case 8: {
      int64_t ar = rnd_off();
      rc = ptk_v_vstur(&b, &a, &v, p, &ar, (int64_t)(rnd() % 300) - 20, rnd() % 2);
      break;
    }
    case 9: rc = rnd() % 2 ? ptk_v_vstas(&a, p, idx, esz) : ptk_v_vstar(&a, p, idx); break;
    case 10: rc = ptk_v_pstu(&b, &a, &m, (unsigned)(rnd() % 5), p); break;
    case 11: rc = ptk_v_vgather2((ptk_isa_dtype)(rnd() % (PTK_ISA_NDTYPES + 1)), &w, p, &v, (unsigned)(rnd() % 5), &m); break;
    case 12: rc = rnd() % 2 ? ptk_v_vgatherb(&w, p, &v, &m)
                            : ptk_v_vscatter(esz, &v, p, &w, (unsigned)(rnd() % 5), &m); break;
    case 13: rc = rnd() % 2 ? ptk_v_plds((int)(rnd() % 4), &m, p, idx, esz)
                            : ptk_v_psts((int)(rnd() % 3), &m, p, idx, esz); break;
    case 14: {
      ptk_vptr q = {small, SMALL, rnd_off()};
      int64_t loops[6] = {(int64_t)(rnd() % 4), rnd_off(), rnd_off(), (int64_t)(rnd() % 3), rnd_off(), rnd_off()};
      rc = ptk_v_mte_gm_ub(p, q, (int64_t)(rnd() % 300) - 10, (int64_t)(rnd() % 5), rnd_off(), rnd_off(),
                           (int)(rnd() % 3), loops, rnd() % 2, rnd(), 1u << (rnd() % 3),
                           (int64_t)(rnd() % 10), (int64_t)(rnd() % 10));
      break;
    }
    default: {
      ptk_vptr q = {small, SMALL, rnd_off()};
      rc = ptk_v_mte_ub_ub(p, q, (int64_t)(rnd() % 5), (int64_t)(rnd() % 5), (int64_t)(rnd() % 3), (int64_t)(rnd() % 3));
      break;
    }
    }
    if (!code_ok(rc)) bad++;
  }
  CHECK_INT(bad, 0);
  free(small);
}

/* ---- corpus replays -------------------------------------------------------------------------------------------- */

/* Each replay runs the case's executed op sequence through these functions
 * on a 256 KiB UB and compares every output with expected/ (bit-exact). */

static const char *vdir(void) { return au_path("../shared/corpus/vpto"); }

static ptk_tensor *npy(const char *cs, const char *rel) {
  char path[4200];
  snprintf(path, sizeof path, "%s/%s/%s", vdir(), cs, rel);
  char *err = NULL;
  ptk_tensor *t = ptk_npy_read(path, 0, &err);
  if (!t) {
    CHECK_STR(err, "");
    free(err);
  }
  return t;
}
static int64_t tbytes(const ptk_tensor *t) {
  int64_t n = 1;
  for (int i = 0; i < t->rank; i++) n *= t->shape[i];
  return n * (int64_t)ptk_tdtype_size(t->dtype);
}
static ptk_vptr gp(ptk_tensor *t) {
  ptk_vptr p = {t->data, tbytes(t), 0};
  return p;
}
static uint8_t *UB;
enum { UB_BYTES = 256 * 1024 };
static ptk_vptr ubp(int64_t off) {
  ptk_vptr p = {UB, UB_BYTES, off};
  return p;
}
static void check_same(ptk_tensor *got, ptk_tensor *want) {
  CHECK_INT(tbytes(got), tbytes(want));
  if (tbytes(got) == tbytes(want)) CHECK(memcmp(got->data, want->data, (size_t)tbytes(got)) == 0);
}

static void replay_vlds_brc_b32(void) {
  ptk_tensor *a0 = npy("vlds-brc-b32", "in/0_arg0.npy"), *a1 = npy("vlds-brc-b32", "in/1_arg1.npy");
  ptk_tensor *e1 = npy("vlds-brc-b32", "expected/1_arg1.npy");
  if (!a0 || !a1 || !e1) return;
  memset(UB, 0, UB_BYTES);
  ptk_vptr g0 = gp(a0), g1 = gp(a1), in = ubp(0), out = ubp(4096);
  CHECK_INT(ptk_v_mte_gm_ub(g0, in, 128, 32, 128, 128, 0, NULL, false, 0, 1, 0, 0), 0);
  int32_t remaining = 1024;
  for (int64_t off = 0; off < 1024; off += 64) {
    ptk_vmask m = plt(4, remaining < 0 ? 0 : (unsigned)remaining);
    remaining -= 64;
    ptk_vreg v;
    CHECK_INT(ptk_v_vlds(PTK_VLD_BRC_B32, &v, in, off, 4, false), 0);
    CHECK_INT(ptk_v_vsts(PTK_VST_NORM_B32, &v, out, off, 4, &m, false), 0);
  }
  CHECK_INT(ptk_v_mte_ub_gm(out, g1, 128, 32, 128, 128, 0, NULL), 0);
  check_same(a1, e1);
  ptk_tensor_free(a0), ptk_tensor_free(a1), ptk_tensor_free(e1);
}

static void replay_vlds_unpk_b16(void) {
  const char *cs = "vlds-unpk-b16";
  ptk_tensor *a0 = npy(cs, "in/0_arg0.npy"), *a1 = npy(cs, "in/1_arg1.npy");
  ptk_tensor *e1 = npy(cs, "expected/1_arg1.npy");
  if (!a0 || !a1 || !e1) return;
  memset(UB, 0, UB_BYTES);
  ptk_vptr g0 = gp(a0), g1 = gp(a1), in = ubp(0), out = ubp(2048);
  CHECK_INT(ptk_v_mte_gm_ub(g0, in, 64, 32, 64, 64, 0, NULL, false, 0, 1, 0, 0), 0);
  ptk_vmask full = plt(2, 128);
  for (int64_t off = 0; off < 1024; off += 64) {
    ptk_vreg v;
    CHECK_INT(ptk_v_vlds(PTK_VLD_UNPK_B16, &v, in, off, 2, false), 0);
    CHECK_INT(ptk_v_vsts(PTK_VST_NORM_B16, &v, out, off * 2, 2, &full, false), 0);
  }
  CHECK_INT(ptk_v_mte_ub_gm(out, g1, 128, 32, 128, 128, 0, NULL), 0);
  check_same(a1, e1);
  ptk_tensor_free(a0), ptk_tensor_free(a1), ptk_tensor_free(e1);
}

static void replay_dma_copy_rearrange(void) {
  const char *cs = "dma-copy-rearrange";
  ptk_tensor *a0 = npy(cs, "in/0_arg0.npy"), *a1 = npy(cs, "in/1_arg1.npy");
  ptk_tensor *e1 = npy(cs, "expected/1_arg1.npy");
  if (!a0 || !a1 || !e1) return;
  memset(UB, 0, UB_BYTES);
  ptk_vdma_regs r;
  ptk_vdma_regs_reset(&r);
  ptk_vptr g0 = gp(a0), g1 = gp(a1), in = ubp(0), out = ubp(128);
  const int64_t n = 1, len = 1, sgap = 0, dgap = 0; /* run_args: %arg2..%arg5 */
  CHECK_INT(ptk_vdma_set(&r, PTK_VDMA_LOOP_SIZE_OUTTOUB, 1, 1), 0);
  CHECK_INT(ptk_v_copy_gm_to_ubuf(&r, g0, in, 1, 128, 0, 0, false, 128, 128), 0);
  static const int perm[4][2] = {{64, 128}, {0, 160}, {96, 192}, {32, 224}};
  for (int k = 0; k < 4; k++) {
    ptk_vptr s = ubp(perm[k][0]), d = ubp(perm[k][1]);
    CHECK_INT(ptk_v_mte_ub_ub(s, d, len, n, sgap, dgap), 0);
  }
  CHECK_INT(ptk_vdma_set(&r, PTK_VDMA_LOOP_SIZE_UBTOOUT, 1, 1), 0);
  CHECK_INT(ptk_v_copy_ubuf_to_gm(&r, out, g1, 1, 128, 128, 128), 0);
  check_same(a1, e1);
  ptk_tensor_free(a0), ptk_tensor_free(a1), ptk_tensor_free(e1);
}

static void replay_load_store_scalar_ub(void) {
  const char *cs = "load-store-scalar-ub";
  ptk_tensor *a0 = npy(cs, "in/0_arg0.npy"), *a1 = npy(cs, "in/1_arg1.npy");
  ptk_tensor *e1 = npy(cs, "expected/1_arg1.npy");
  if (!a0 || !a1 || !e1) return;
  memset(UB, 0, UB_BYTES);
  ptk_vptr g0 = gp(a0), g1 = gp(a1), in = ubp(0), out = ubp(2048);
  CHECK_INT(ptk_v_mte_gm_ub(g0, in, 64, 1, 64, 64, 0, NULL, false, 0, 1, 0, 0), 0);
  CHECK_INT(ptk_v_mte_gm_ub(g0, out, 64, 1, 64, 64, 0, NULL, false, 0, 1, 0, 0), 0);
  for (int64_t i = 0; i < 8; i++) {
    int16_t x;
    CHECK_INT(ptk_v_ld_scalar(&x, in, i, 2), 0);
    x = (int16_t)(x + 7);
    CHECK_INT(ptk_v_st_scalar(&x, out, i, 2), 0);
    CHECK_INT(ptk_v_ld_scalar(&x, out, i, 2), 0);
    x = (int16_t)(x - 3);
    CHECK_INT(ptk_v_st_scalar(&x, out, i, 2), 0);
  }
  CHECK_INT(ptk_v_mte_ub_gm(out, g1, 64, 1, 64, 64, 0, NULL), 0);
  check_same(a1, e1);
  ptk_tensor_free(a0), ptk_tensor_free(a1), ptk_tensor_free(e1);
}

static void with_ub(void (*fn)(void)) {
  UB = malloc(UB_BYTES);
  if (!UB) return;
  fn();
  free(UB);
  UB = NULL;
}
static void corpus_vlds_brc_b32(void) { with_ub(replay_vlds_brc_b32); }
static void corpus_vlds_unpk_b16(void) { with_ub(replay_vlds_unpk_b16); }
static void corpus_dma_copy_rearrange(void) { with_ub(replay_dma_copy_rearrange); }
static void corpus_load_store_scalar_ub(void) { with_ub(replay_load_store_scalar_ub); }

__attribute__((constructor)) static void register_corpus(void) {
  static const struct {
    const char *dir, *name;
    ut_fn fn;
  } cases[] = {
      {"vlds-brc-b32", "corpus_vlds_brc_b32", corpus_vlds_brc_b32},
      {"vlds-unpk-b16", "corpus_vlds_unpk_b16", corpus_vlds_unpk_b16},
      {"dma-copy-rearrange", "corpus_dma_copy_rearrange", corpus_dma_copy_rearrange},
      {"load-store-scalar-ub", "corpus_load_store_scalar_ub", corpus_load_store_scalar_ub},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char path[4200];
    snprintf(path, sizeof path, "%s/%s/case.json", vdir(), cases[i].dir);
    if (access(path, R_OK) == 0) ut_register(__FILE__, cases[i].name, cases[i].fn);
  }
}
