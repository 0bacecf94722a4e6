/* VPTO reductions (docs/isa/micro-isa/10): vcadd, vcmax, vcmin, vcbmax,
 * vcbmin, the per-VLane group reductions vcgadd, vcgmax, vcgmin, and
 * vcpadd.
 *
 * Inactive lanes (mask at the source's granularity) do not participate: they
 * count as 0 for sums, as -inf / the type's minimum for max and +inf / the
 * maximum for min. Every result lane that the op does not define is 0.
 *
 * Float sums use one fixed association order, a binary tree over adjacent
 * lanes: level 1 adds lanes (2k, 2k+1), level 2 adds those results in pairs,
 * and so on. vcpadd is level 1, vcgadd (8 lanes of f32, 16 of f16 per 32-byte
 * VLane) stops at the VLane, vcadd goes to the top, so the three agree. f16
 * sums run in f32 and round to f16 once (as the tile library's row sums);
 * integer sums are exact and wrap to the result width.
 *
 * Max/min take a lane only when it is strictly better (a NaN never wins, the
 * first of equal values wins), except that +0 beats -0 for max and -0 beats
 * +0 for min (doc 10 for vcgmax/vcgmin, applied to every max/min here).
 *
 * Decisions where docs and goldens disagree or the docs are silent:
 * - vcpadd is a PAIR reduction, dst[i] = src[2i] + src[2i+1] for i < N/2,
 *   upper half 0 (golden reduction/vcpadd; doc 10 calls it a prefix sum);
 * - vcmax/vcmin: lane 0 = value, lane 1 = index as an unsigned integer of the
 *   element width (golden reduction/vcmax writes the u32 index bits); an all-
 *   inactive mask gives -inf/+inf (integer min/max) and index 0;
 * - vcadd: i8/u8 sums widen to i16/u16, i16/u16 to i32/u32 (doc 10); the
 *   result vreg is then of the wider type. */
#ifndef PTK_RUNTIME_ISA_V_RED_H
#define PTK_RUNTIME_ISA_V_RED_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "runtime/isa/fp.h"
#include "runtime/isa/v_bits_pred.h"
#include "runtime/isa/vreg.h"

typedef enum ptk_v_redop {
  PTK_V_RADD,  /* vcadd: lane 0 = sum */
  PTK_V_RMAX,  /* vcmax: lane 0 = max, lane 1 = its index */
  PTK_V_RMIN,  /* vcmin */
  PTK_V_RGADD, /* vcgadd: lane g = sum of VLane g (32 bytes), g < 8 */
  PTK_V_RGMAX, /* vcgmax */
  PTK_V_RGMIN, /* vcgmin */
  PTK_V_RPADD, /* vcpadd: lane i = src[2i] + src[2i+1], i < N/2 */
} ptk_v_redop;

/* The result dtype of vcadd over dt (widened for 8/16-bit integers). */
static inline int ptk_v_vcadd_dtype(int dt) {
  switch (dt) {
  case PTK_ISA_I8: return PTK_ISA_I16;
  case PTK_ISA_U8: return PTK_ISA_U16;
  case PTK_ISA_I16: return PTK_ISA_I32;
  case PTK_ISA_U16: return PTK_ISA_U32;
  default: return dt;
  }
}

/* x is better than cur for max (ismax) or min. */
static inline bool ptk_vr_fbetter(bool ismax, double x, double cur) {
  if (ismax) return x > cur || (x == 0 && cur == 0 && !signbit(x) && signbit(cur));
  return x < cur || (x == 0 && cur == 0 && signbit(x) && !signbit(cur));
}

/* Tree-sum of n (a power of two) f32 values in place; returns the sum. */
static inline float ptk_vr_ftree(float *a, unsigned n) {
  for (unsigned w = n; w > 1; w /= 2)
    for (unsigned k = 0; k < w / 2; k++) a[k] = a[2 * k] + a[2 * k + 1];
  return a[0];
}

/* The integer extremes of dt. */
static inline int64_t ptk_vr_imax(int dt) {
  unsigned b = 8 * ptk_vp_esz(dt);
  if (ptk_vp_isu(dt)) return b >= 64 ? -1 : (int64_t)(((uint64_t)1 << b) - 1);
  return (int64_t)(((uint64_t)1 << (b - 1)) - 1);
}
static inline int64_t ptk_vr_imin(int dt) {
  unsigned b = 8 * ptk_vp_esz(dt);
  return ptk_vp_isu(dt) ? 0 : -(int64_t)((uint64_t)1 << (b - 1));
}

/* dst = reduce(src) under mask m (granularity = dt's size). dt: f32, f16,
 * i8..i32 and u8..u32 for sums (vcpadd: f32, f16), f32, f16, i16..u32 for
 * max/min (8-bit too: harmless). */
static inline int ptk_v_reduce(int op, int dt, ptk_vreg *dst, const ptk_vreg *src,
                               const ptk_vmask *m) {
  unsigned esz = ptk_vp_esz(dt);
  bool fl = dt == PTK_ISA_F32 || dt == PTK_ISA_F16;
  if (op < PTK_V_RADD || op > PTK_V_RPADD) return PTK_ISA_EARG;
  if (!fl && (esz == 0 || esz > 4 || ptk_vp_isf(dt) || dt == PTK_ISA_I1 || dt >= PTK_ISA_NDTYPES))
    return PTK_ISA_EDTYPE;
  if (op == PTK_V_RPADD && !fl) return PTK_ISA_EDTYPE;
  unsigned n = ptk_vlanes(esz);
  ptk_vreg r;
  memset(r.b, 0, sizeof r.b);
  /* gather the operands: inactive lanes become the op's neutral value */
  bool ismax = op == PTK_V_RMAX || op == PTK_V_RGMAX;
  bool issum = op == PTK_V_RADD || op == PTK_V_RGADD || op == PTK_V_RPADD;
  float fv[256];
  int64_t iv[256];
  bool act[256];
  for (unsigned i = 0; i < n; i++) {
    act[i] = ptk_vmask_lane(m, i, esz);
    if (fl) {
      float x = (float)ptk_vp_getf(src, dt, i);
      fv[i] = act[i] ? x : issum ? 0.0f : ismax ? -INFINITY : INFINITY;
    } else {
      int64_t x = ptk_vp_geti(src, dt, i);
      iv[i] = act[i] ? x : issum ? 0 : ismax ? ptk_vr_imin(dt) : ptk_vr_imax(dt);
    }
  }
  switch (op) {
  case PTK_V_RADD:
    if (fl) {
      ptk_vp_setf(&r, dt, 0, ptk_vr_ftree(fv, n));
    } else {
      int64_t s = 0;
      for (unsigned i = 0; i < n; i++) s = (int64_t)((uint64_t)s + (uint64_t)iv[i]);
      ptk_vp_seti(&r, ptk_v_vcadd_dtype(dt), 0, s);
    }
    break;
  case PTK_V_RPADD:
    for (unsigned i = 0; i < n / 2; i++) {
      if (dt == PTK_ISA_F16) /* one correctly rounded f16 add: exact in double */
        ptk_vp_seti(&r, PTK_ISA_U16, i, ptk_f64_to_f16((double)fv[2 * i] + (double)fv[2 * i + 1]));
      else
        ptk_vp_setf(&r, dt, i, fv[2 * i] + fv[2 * i + 1]);
    }
    break;
  case PTK_V_RGADD: {
    unsigned k = 32 / esz;
    for (unsigned g = 0; g < 8; g++) {
      if (fl) {
        ptk_vp_setf(&r, dt, g, ptk_vr_ftree(fv + g * k, k));
      } else {
        int64_t s = 0;
        for (unsigned i = 0; i < k; i++) s = (int64_t)((uint64_t)s + (uint64_t)iv[g * k + i]);
        ptk_vp_seti(&r, dt, g, s);
      }
    }
    break;
  }
  default: { /* max / min, whole vector (one group) or per VLane */
    bool grp = op == PTK_V_RGMAX || op == PTK_V_RGMIN;
    unsigned k = grp ? 32 / esz : n, ng = grp ? 8 : 1;
    for (unsigned g = 0; g < ng; g++) {
      int bi = -1; /* the first active lane that no later active lane beats */
      for (unsigned i = g * k; i < g * k + k; i++) {
        if (!act[i]) continue;
        if (bi < 0 || (fl ? ptk_vr_fbetter(ismax, fv[i], fv[bi])
                          : (ismax ? iv[i] > iv[bi] : iv[i] < iv[bi])))
          bi = (int)i;
      }
      unsigned best = bi < 0 ? g * k : (unsigned)bi; /* none active: the neutral value */
      if (fl) {
        if (dt == PTK_ISA_F32)
          ptk_vp_seti(&r, PTK_ISA_U32, g, ptk_f32_bits(fv[best]));
        else /* f16 lanes came from f16 (or are +-inf): exact */
          ptk_vp_setf(&r, dt, g, fv[best]);
      } else {
        ptk_vp_seti(&r, dt, g, iv[best]);
      }
      /* the index (vcmax/vcmin): the lane the value came from, 0 when none */
      if (!grp) ptk_vp_seti(&r, dt, 1, bi < 0 ? 0 : (int64_t)(best - g * k));
    }
    break;
  }
  }
  *dst = r;
  return 0;
}

/* %value, %pred = vcbmax / vcbmin %src, %m (ismax selects): value lane 0 =
 * the extremum of the active lanes (rules of ptk_v_reduce), other lanes 0;
 * pred marks every active lane equal to it (+0 and -0 both match a zero).
 * An all-inactive mask gives an empty predicate. */
static inline int ptk_v_reduce_b(int ismax, int dt, ptk_vreg *dst, ptk_vmask *pdst,
                                 const ptk_vreg *src, const ptk_vmask *m) {
  int rc = ptk_v_reduce(ismax ? PTK_V_RMAX : PTK_V_RMIN, dt, dst, src, m);
  if (rc) return rc;
  unsigned esz = ptk_vp_esz(dt), n = ptk_vlanes(esz);
  bool fl = dt == PTK_ISA_F32 || dt == PTK_ISA_F16;
  ptk_vmask p;
  memset(p.b, 0, sizeof p.b);
  for (unsigned i = 0; i < n; i++) {
    if (!ptk_vmask_lane(m, i, esz)) continue;
    bool eq = fl ? ptk_vp_getf(src, dt, i) == ptk_vp_getf(dst, dt, 0)
                 : ptk_vp_geti(src, dt, i) == ptk_vp_geti(dst, dt, 0);
    if (eq) ptk_vmask_set(&p, i * esz, true);
  }
  ptk_vp_seti(dst, dt, 1, 0); /* vcbmax has no index lane */
  *pdst = p;
  return 0;
}

#endif
