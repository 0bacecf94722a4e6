/* VPTO in-register rearrangement (docs/isa/micro-isa/12) and index
 * generation (vci, doc 09/13): vintlv, vdintlv, vintlvv2, vdintlvv2, vsqz,
 * vusqz, vpack, vsunpack, vzunpack, vci.
 *
 * Lanes are elements of esz bytes (1, 2, 4 or 8), N = 256 / esz of them;
 * these ops move bytes and never look at values, except vci and the
 * extensions of vsunpack. Results may alias operands.
 *
 * Decisions where the documents were silent, checked against the goldens
 * under test/vpto/cases/micro-op/rearrangement:
 * - vdintlv is the inverse of vintlv: low/high = even/odd lanes of the
 *   stream lhs ++ rhs (golden vintlv-vdintlv: the pair round-trips);
 * - vusqz ignores its source: dst[i] = number of active mask lanes below i
 *   (golden vusqz, vusqz-nontrivial-mask), wrapping at the element width;
 * - vsqz fills the lanes after the kept ones with 0 (doc 12);
 * - vsunpack/vzunpack: part 0 widens the low N/2 lanes, part 1 the high
 *   ones (golden vsunpack with part 0); another part value is an error. */
#ifndef PTK_RUNTIME_ISA_V_PERM_H
#define PTK_RUNTIME_ISA_V_PERM_H

#include <stdint.h>
#include <string.h>

#include "runtime/isa/fp.h"
#include "runtime/isa/v_bits_pred.h"
#include "runtime/isa/vreg.h"

static inline int ptk_vq_check_esz(unsigned esz) {
  return esz == 1 || esz == 2 || esz == 4 || esz == 8 ? 0 : PTK_ISA_EARG;
}

/* %low, %high = vintlv %a, %b (deint = 0): low = a0 b0 a1 b1 ... a[N/2-1]
 * b[N/2-1], high = the same from a[N/2]; vdintlv (deint = 1): low = even
 * lanes of a ++ b, high = odd lanes. */
static inline int ptk_v_intlv(int deint, unsigned esz, ptk_vreg *lo, ptk_vreg *hi,
                              const ptk_vreg *a, const ptk_vreg *b) {
  if (ptk_vq_check_esz(esz)) return PTK_ISA_EARG;
  unsigned n = ptk_vlanes(esz);
  uint8_t cat[2 * PTK_VREG_BYTES], out[2 * PTK_VREG_BYTES];
  memcpy(cat, a->b, PTK_VREG_BYTES);
  memcpy(cat + PTK_VREG_BYTES, b->b, PTK_VREG_BYTES);
  for (unsigned i = 0; i < n; i++) {
    if (deint) {
      memcpy(out + i * esz, cat + 2 * i * esz, esz);
      memcpy(out + (n + i) * esz, cat + (2 * i + 1) * esz, esz);
    } else {
      memcpy(out + 2 * i * esz, cat + i * esz, esz);
      memcpy(out + (2 * i + 1) * esz, cat + (n + i) * esz, esz);
    }
  }
  memcpy(lo->b, out, PTK_VREG_BYTES);
  memcpy(hi->b, out + PTK_VREG_BYTES, PTK_VREG_BYTES);
  return 0;
}

/* vintlvv2 / vdintlvv2 %a, %b, "PART": one half (part 0 = low, 1 = high)
 * of the vintlv / vdintlv pair. */
static inline int ptk_v_intlv2(int deint, unsigned esz, int part, ptk_vreg *dst,
                               const ptk_vreg *a, const ptk_vreg *b) {
  if (part != 0 && part != 1) return PTK_ISA_EARG;
  ptk_vreg lo, hi;
  int rc = ptk_v_intlv(deint, esz, &lo, &hi, a, b);
  if (rc == 0) *dst = part ? hi : lo;
  return rc;
}

/* vsqz %src, %m: the active lanes, in order, packed to the front; the rest 0. */
static inline int ptk_v_sqz(unsigned esz, ptk_vreg *dst, const ptk_vreg *src, const ptk_vmask *m) {
  if (ptk_vq_check_esz(esz)) return PTK_ISA_EARG;
  ptk_vreg r;
  memset(r.b, 0, sizeof r.b);
  unsigned j = 0;
  for (unsigned i = 0; i < ptk_vlanes(esz); i++)
    if (ptk_vmask_lane(m, i, esz)) memcpy(r.b + (j++) * esz, src->b + i * esz, esz);
  *dst = r;
  return 0;
}

/* vusqz %src, %m: dst[i] = active lanes of m below lane i (an integer dtype). */
static inline int ptk_v_usqz(int dt, ptk_vreg *dst, const ptk_vmask *m) {
  unsigned esz = ptk_vp_esz(dt);
  if (ptk_vp_isf(dt) || esz == 0 || esz > 4 || dt >= PTK_ISA_NDTYPES) return PTK_ISA_EDTYPE;
  ptk_vreg r;
  int64_t c = 0;
  for (unsigned i = 0; i < ptk_vlanes(esz); i++) {
    ptk_vp_seti(&r, dt, i, c);
    c += ptk_vmask_lane(m, i, esz);
  }
  *dst = r;
  return 0;
}

/* vpack %src, "LOWER"|"HIGHER": each lane of esz bytes (4 or 2) truncated
 * to esz/2 bytes, into the low (higher = 0) or high half of the result; the
 * other half 0. */
static inline int ptk_v_pack(unsigned esz, int higher, ptk_vreg *dst, const ptk_vreg *src) {
  if (esz != 2 && esz != 4 && esz != 8) return PTK_ISA_EARG;
  unsigned n = ptk_vlanes(esz), h = esz / 2;
  ptk_vreg r;
  memset(r.b, 0, sizeof r.b);
  for (unsigned i = 0; i < n; i++) /* little endian: the low half is the first bytes */
    memcpy(r.b + ((higher ? n : 0) + i) * h, src->b + i * esz, h);
  *dst = r;
  return 0;
}

/* vsunpack (sign = 1) / vzunpack (sign = 0) %src, %part: lanes part*N/2 ..
 * part*N/2 + N/2 - 1 of esz-byte elements (1, 2 or 4) widened to 2*esz
 * bytes by sign or zero extension. */
static inline int ptk_v_unpack(unsigned esz, int sign, int64_t part, ptk_vreg *dst,
                               const ptk_vreg *src) {
  if (esz != 1 && esz != 2 && esz != 4) return PTK_ISA_EARG;
  if (part != 0 && part != 1) return PTK_ISA_EARG;
  unsigned n = ptk_vlanes(esz);
  ptk_vreg r;
  for (unsigned i = 0; i < n / 2; i++) {
    const uint8_t *p = src->b + ((unsigned)part * n / 2 + i) * esz;
    uint8_t fill = sign && (p[esz - 1] & 0x80) ? 0xff : 0x00;
    memcpy(r.b + i * 2 * esz, p, esz);
    memset(r.b + i * 2 * esz + esz, fill, esz);
  }
  *dst = r;
  return 0;
}

/* vci %base {order}: lane i = base + i (desc: base - i). Integers (i8..i32,
 * u8..u32) wrap; f32 computes base +- i in f32, f16 in f32 rounded once to
 * f16. ibase is used for integer dtypes, fbase for float ones. */
static inline int ptk_v_ci(int dt, int desc, ptk_vreg *dst, int64_t ibase, double fbase) {
  unsigned esz = ptk_vp_esz(dt);
  bool fl = dt == PTK_ISA_F32 || dt == PTK_ISA_F16;
  if (!fl && (ptk_vp_isf(dt) || esz == 0 || esz > 4 || dt >= PTK_ISA_NDTYPES || dt == PTK_ISA_I1))
    return PTK_ISA_EDTYPE;
  ptk_vreg r;
  for (unsigned i = 0; i < ptk_vlanes(esz); i++) {
    if (fl) {
      float b = (float)fbase;
      ptk_vp_setf(&r, dt, i, desc ? b - (float)i : b + (float)i);
    } else {
      uint64_t u = desc ? (uint64_t)ibase - i : (uint64_t)ibase + i;
      ptk_vp_seti(&r, dt, i, (int64_t)u);
    }
  }
  *dst = r;
  return 0;
}

/* ---- UB sorting helpers (docs/isa/micro-isa/13), out of line (v_sort.c) ---- */

/* vbitsort %dest, %src, %idx, %repeat: for each of `repeat` groups of 32
 * proposals (scores from src, u32 indices from idx, both advancing by 32
 * elements per group), write 32 records of 8 bytes to dest (advancing by
 * 256 bytes): score in the low 4 bytes (f16: low 2, upper 2 = 0), index in
 * the high 4; descending by score, equal scores keep input order, NaN
 * scores last (golden dsa-sfu/vbitsort). dt: f32 or f16. Every byte
 * touched is checked against its pointer's cap (PTK_ISA_ESHAPE). */
int ptk_v_bitsort(int dt, ptk_vptr dest, ptk_vptr src, ptk_vptr idx, int64_t repeat);

/* vmrgsort4 %dest, %s0..%s3, %count, %config: merge four lists of 8-byte
 * (score, index) records, each sorted descending, into dest. count holds
 * four 16-bit list lengths (list k in bits 16k..16k+15); config bits 8..11
 * mark the valid lists, bit 12 = exhausted suspension (stop right after
 * the first valid list runs out), bits 0..7 the repeat count (only 1, or 0
 * taken as 1, is supported: PTK_ISA_EARG otherwise). Ties take the lower
 * list first. done[k] (done may be NULL) receives the records taken from
 * list k (what get_vms4_sr reads afterwards); golden dsa-sfu/vmrgsort4 (exhausted mode,
 * one record each: only the first is written, done = 1,0,0,0). */
int ptk_v_mrgsort4(int dt, ptk_vptr dest, ptk_vptr s0, ptk_vptr s1, ptk_vptr s2, ptk_vptr s3,
                   uint64_t count, uint64_t config, uint16_t *done);

#endif
