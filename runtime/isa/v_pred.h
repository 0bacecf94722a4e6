/* VPTO predicate generation and logic (docs/isa/micro-isa/05): pset_bN,
 * pge_bN, plt_bN, pltm_bN, pand/por/pxor/pnot, psel, ppack/punpack,
 * pintlv_bN/pdintlv_bN, pbitcast.
 *
 * Masks follow runtime/isa/vreg.h: 256 bits, bit j governs byte j of a
 * vector register; at granularity bN (esz = N/8 bytes per lane) lane i is
 * bit i*esz. Generated masks (pset/pge/plt/pltm, pintlv/pdintlv) set only
 * lane bits; the logic ops (pand, ..., psel) and ppack/punpack work on all
 * 256 bits, so a non-canonical mask (e.g. from plds or pbitcast) keeps its
 * other bits exactly as the hardware image would.
 *
 * Header-only, libc + vreg.h; every function returns 0 or a PTK_ISA_E* code.
 * Decisions where the documents were silent or wrong, each decided by a
 * ptoas golden (test/vpto/cases/micro-op/materialization-predicate/...):
 * - PAT_H is the LOW half of the lanes, PAT_Q the low quarter (docs say
 *   "high half"/"upper quarter"; golden pset-pattern-fragment);
 * - PAT_M3 / PAT_M4 activate every lane i with i % 3 == 0 / i % 4 == 0 over
 *   all lanes (golden pset-pattern-fragment, ppack-punpack-nontrivial);
 * - ppack/punpack are bit-level over the 256-bit image (golden ppack-punpack:
 *   ppack LOWER of a b32 PAT_ALL gives 0x55555555 in the low 128 bits);
 * - pintlv/pdintlv are lane-level at the op's granularity: pintlv low/high
 *   = first/second half of a0 b0 a1 b1 ..., pdintlv low/high = even/odd
 *   lanes of a ++ b (goldens pintlv_bN(-nontrivial), pdintlv_bN(-nontrivial)). */
#ifndef PTK_RUNTIME_ISA_V_PRED_H
#define PTK_RUNTIME_ISA_V_PRED_H

#include <stdint.h>
#include <string.h>

#include "runtime/isa/v_bits_pred.h"
#include "runtime/isa/vreg.h"

/* Pattern tokens of pset_bN / pge_bN ("PAT_ALL", ...). */
typedef enum ptk_v_pat {
  PTK_V_PAT_ALL,
  PTK_V_PAT_VL1,
  PTK_V_PAT_VL2,
  PTK_V_PAT_VL3,
  PTK_V_PAT_VL4,
  PTK_V_PAT_VL8,
  PTK_V_PAT_VL16,
  PTK_V_PAT_VL32,
  PTK_V_PAT_VL64,
  PTK_V_PAT_VL128,
  PTK_V_PAT_M3,
  PTK_V_PAT_M4,
  PTK_V_PAT_H,
  PTK_V_PAT_Q,
  PTK_V_PAT_ALLF,
  PTK_V_NPATS
} ptk_v_pat;

/* The pattern named by a token ("PAT_VL8"), or -1. */
static inline int ptk_v_pat_parse(const char *s) {
  static const char *const names[PTK_V_NPATS] = {
      "PAT_ALL",  "PAT_VL1",  "PAT_VL2",   "PAT_VL3", "PAT_VL4", "PAT_VL8", "PAT_VL16", "PAT_VL32",
      "PAT_VL64", "PAT_VL128", "PAT_M3",   "PAT_M4",  "PAT_H",   "PAT_Q",   "PAT_ALLF"};
  for (int i = 0; i < PTK_V_NPATS; i++)
    if (strcmp(s, names[i]) == 0) return i;
  return -1;
}

/* Granularity esz (bytes per lane) is 1, 2 or 4 (b8, b16, b32). */
static inline int ptk_vp_check_esz(unsigned esz) {
  return esz == 1 || esz == 2 || esz == 4 ? 0 : PTK_ISA_EARG;
}

/* Lane i of vl is on in pattern pat. */
static inline bool ptk_vp_pat_on(int pat, unsigned i, unsigned vl) {
  static const unsigned vln[] = {0, 1, 2, 3, 4, 8, 16, 32, 64, 128};
  switch (pat) {
  case PTK_V_PAT_ALL: return true;
  case PTK_V_PAT_ALLF: return false;
  case PTK_V_PAT_M3: return i % 3 == 0;
  case PTK_V_PAT_M4: return i % 4 == 0;
  case PTK_V_PAT_H: return i < vl / 2;
  case PTK_V_PAT_Q: return i < vl / 4;
  default: return i < vln[pat]; /* PAT_VLn: a count above the lane count is all lanes */
  }
}

/* pset_bN "PAT" and pge_bN "PAT" (the same masks on the CPU). */
static inline int ptk_v_pset(ptk_vmask *dst, int pat, unsigned esz) {
  if (ptk_vp_check_esz(esz) || pat < 0 || pat >= PTK_V_NPATS) return PTK_ISA_EARG;
  unsigned vl = ptk_vlanes(esz);
  memset(dst->b, 0, sizeof dst->b);
  for (unsigned i = 0; i < vl; i++)
    if (ptk_vp_pat_on(pat, i, vl)) ptk_vmask_set(dst, i * esz, true);
  return 0;
}

/* Lanes [0, n) active (n clamped to [0, VL]). */
static inline void ptk_vp_prefix(ptk_vmask *dst, int64_t n, unsigned esz) {
  unsigned vl = ptk_vlanes(esz);
  unsigned k = n <= 0 ? 0 : n >= (int64_t)vl ? vl : (unsigned)n;
  memset(dst->b, 0, sizeof dst->b);
  for (unsigned i = 0; i < k; i++) ptk_vmask_set(dst, i * esz, true);
}

/* %mask, %next = plt_bN %n: lanes i < n active; next = n < VL ? 0 : n - VL
 * (a negative count gives no lanes and 0). n is an i32 (the cell's
 * sign-extended value); next stays within [0, n]. */
static inline int ptk_v_plt(ptk_vmask *dst, int64_t *next, int64_t n, unsigned esz) {
  if (ptk_vp_check_esz(esz)) return PTK_ISA_EARG;
  int64_t vl = (int64_t)ptk_vlanes(esz);
  ptk_vp_prefix(dst, n, esz);
  *next = n < vl ? 0 : n - vl;
  return 0;
}

/* pltm_bN %loop, %bound: lane i active iff i + loop * VL < bound. */
static inline int ptk_v_pltm(ptk_vmask *dst, int64_t loop, int64_t bound, unsigned esz) {
  if (ptk_vp_check_esz(esz)) return PTK_ISA_EARG;
  int64_t vl = (int64_t)ptk_vlanes(esz);
  /* loop is an i16 and bound an i32 in the IR: the product cannot overflow */
  ptk_vp_prefix(dst, bound - loop * vl, esz);
  return 0;
}

/* Predicate logic, bitwise over the 256-bit image. */
typedef enum ptk_v_plop {
  PTK_V_PAND, /* dst = m & (a & b) */
  PTK_V_POR,  /* dst = m & (a | b) */
  PTK_V_PXOR, /* dst = m & (a ^ b) */
  PTK_V_PNOT, /* dst = m & ~a (b unused, may be NULL) */
  PTK_V_PSEL, /* dst = m ? a : b, m is the selector (psel %a, %b, %sel) */
} ptk_v_plop;

static inline int ptk_v_plogic(int op, ptk_vmask *dst, const ptk_vmask *a, const ptk_vmask *b,
                               const ptk_vmask *m) {
  if (op < PTK_V_PAND || op > PTK_V_PSEL || (op != PTK_V_PNOT && !b)) return PTK_ISA_EARG;
  ptk_vmask r;
  for (unsigned k = 0; k < PTK_VMASK_BYTES; k++) {
    uint8_t x = a->b[k], g = m->b[k], y = op == PTK_V_PNOT ? 0 : b->b[k], v;
    switch (op) {
    case PTK_V_PAND: v = (uint8_t)(g & x & y); break;
    case PTK_V_POR: v = (uint8_t)(g & (x | y)); break;
    case PTK_V_PXOR: v = (uint8_t)(g & (x ^ y)); break;
    case PTK_V_PNOT: v = (uint8_t)(g & ~x); break;
    default: v = (uint8_t)((g & x) | (~g & y)); break;
    }
    r.b[k] = v;
  }
  *dst = r; /* through a copy: dst may alias an operand */
  return 0;
}

/* ppack %src, "LOWER"|"HIGHER": keep bit 2j of the image for j < 128 and
 * place those 128 bits in the low (higher = 0) or high half; the other half
 * is 0. */
static inline int ptk_v_ppack(ptk_vmask *dst, const ptk_vmask *src, int higher) {
  ptk_vmask r;
  memset(r.b, 0, sizeof r.b);
  unsigned base = higher ? 128 : 0;
  for (unsigned j = 0; j < 128; j++)
    if (ptk_vmask_bit(src, 2 * j)) ptk_vmask_set(&r, base + j, true);
  *dst = r;
  return 0;
}

/* punpack %src, "LOWER"|"HIGHER": bit j of the selected 128-bit half goes to
 * bit 2j; odd bits are 0. */
static inline int ptk_v_punpack(ptk_vmask *dst, const ptk_vmask *src, int higher) {
  ptk_vmask r;
  memset(r.b, 0, sizeof r.b);
  unsigned base = higher ? 128 : 0;
  for (unsigned j = 0; j < 128; j++)
    if (ptk_vmask_bit(src, base + j)) ptk_vmask_set(&r, 2 * j, true);
  *dst = r;
  return 0;
}

/* %lo, %hi = pintlv_bN %a, %b (deint = 0) or pdintlv_bN (deint = 1), lanes
 * of granularity esz; lane bits only (other bits of the results are 0). */
static inline int ptk_v_pintlv(int deint, unsigned esz, ptk_vmask *lo, ptk_vmask *hi,
                               const ptk_vmask *a, const ptk_vmask *b) {
  if (ptk_vp_check_esz(esz)) return PTK_ISA_EARG;
  unsigned vl = ptk_vlanes(esz);
  bool cat[512], out[512];
  for (unsigned i = 0; i < vl; i++) {
    cat[i] = ptk_vmask_lane(a, i, esz);
    cat[vl + i] = ptk_vmask_lane(b, i, esz);
  }
  for (unsigned i = 0; i < vl; i++) {
    if (deint) { /* out = even lanes of a++b, then the odd ones */
      out[i] = cat[2 * i];
      out[vl + i] = cat[2 * i + 1];
    } else { /* out = a0 b0 a1 b1 ... */
      out[2 * i] = cat[i];
      out[2 * i + 1] = cat[vl + i];
    }
  }
  ptk_vmask l, h;
  memset(l.b, 0, sizeof l.b);
  memset(h.b, 0, sizeof h.b);
  for (unsigned i = 0; i < vl; i++) {
    if (out[i]) ptk_vmask_set(&l, i * esz, true);
    if (out[vl + i]) ptk_vmask_set(&h, i * esz, true);
  }
  *lo = l;
  *hi = h;
  return 0;
}

/* pbitcast: the same 256-bit image seen at another granularity. */
static inline int ptk_v_pbitcast(ptk_vmask *dst, const ptk_vmask *src) {
  *dst = *src;
  return 0;
}

#endif
