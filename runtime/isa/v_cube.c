/* VPTO cube and FIXPIPE micro-instructions (v_cube.h: the storage model and
 * the decisions). Every op checks every byte it touches before it writes
 * anything: a first pass over the accesses only checks, the second moves. */
#include "runtime/isa/v_cube.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "runtime/isa/fp.h"
#include "runtime/isa/internal.h"
#include "runtime/isa/v_mem.h"

typedef long long ll;

#define MAX_DIM ((int64_t)1 << 16)  /* m, n, k, shapes, counts */
#define MAX_STRIDE ((int64_t)1 << 24) /* strides in their units */
#define MAX_WORK ((int64_t)1 << 26)   /* elements one op may move (zero strides cannot hang) */

static int too_much(const char *op, int64_t a, int64_t b, int64_t c) {
  if (a <= 0 || b <= 0 || c <= 0 || a * b <= MAX_WORK / c) return 0; /* factors are < 2^17 */
  return ptk_isa__fail(PTK_ISA_EARG, "%s: more than %lld elements in one operation", op, (long long)MAX_WORK);
}

static const char *dname(ptk_isa_dtype t) {
  return (unsigned)t < PTK_ISA_NDTYPES ? ptk_isa_dtype_name(t) : "8-bit float";
}
static int64_t up16(int64_t v) { return (v + 15) / 16 * 16; }

/* Bytes [off, off + len) of p (offset from p.off) inside the memory. */
static bool in(const ptk_vptr *p, int64_t off, int64_t len) {
  return p->base && p->off >= 0 && off >= 0 && p->off <= p->cap && off <= p->cap - p->off &&
         len <= p->cap - p->off - off;
}
static int out_of(const char *op, const char *what, const ptk_vptr *p, int64_t off, int64_t len) {
  return ptk_isa__fail(PTK_ISA_ESHAPE, "%s: %s bytes [%lld, %lld) outside the %lld-byte memory", op, what,
                       (ll)(p->off + off), (ll)(p->off + off + len), (ll)p->cap);
}
static int bad(const char *op, const char *what, int64_t v, int64_t lo, int64_t hi) {
  if (v >= lo && v <= hi) return 0;
  return ptk_isa__fail(PTK_ISA_EARG, "%s: %s %lld (%lld..%lld)", op, what, (ll)v, (ll)lo, (ll)hi);
}

/* Byte offset of element (r, c) of an NZ matrix with Rp padded rows. */
static int64_t nz(int64_t r, int64_t c, int64_t rp, unsigned esz) {
  int64_t c0 = 32 / esz;
  return ((c / c0) * rp + r) * 32 + (c % c0) * esz;
}

static float rdf(const uint8_t *p, ptk_isa_dtype dt) {
  uint16_t h;
  float f;
  switch (dt) {
  case PTK_ISA_F16: memcpy(&h, p, 2); return ptk_f16_to_f32(h);
  case PTK_ISA_BF16: memcpy(&h, p, 2); return ptk_bf16_to_f32(h);
  default: memcpy(&f, p, 4); return f;
  }
}
static int64_t rdi(const uint8_t *p, ptk_isa_dtype dt) {
  int32_t v;
  switch (dt) {
  case PTK_ISA_I8: return (int8_t)p[0];
  case PTK_ISA_U8: return p[0];
  default: memcpy(&v, p, 4); return v;
  }
}
static unsigned dsize(ptk_isa_dtype dt) {
  switch (dt) {
  case PTK_ISA_I8:
  case PTK_ISA_U8: return 1;
  case PTK_ISA_F16:
  case PTK_ISA_BF16:
  case PTK_ISA_I16:
  case PTK_ISA_U16: return 2;
  case PTK_ISA_F64:
  case PTK_ISA_I64:
  case PTK_ISA_U64: return 8;
  default: return 4;
  }
}

/* ---- grouped copies ---------------------------------------------------------------------------- */

static const char *copy_name(int which) {
  switch (which) {
  case PTK_VCUBE_GM_L1: return "pto.mte_gm_l1";
  case PTK_VCUBE_L1_UB: return "pto.mte_l1_ub";
  case PTK_VCUBE_L1_BT: return "pto.mte_l1_bt";
  default: return "pto.mte_l1_fb";
  }
}

int ptk_v_cube_copy_rec(int which, ptk_vptr src, ptk_vptr dst, const int64_t *x, int nx, int nloops) {
  const char *op = copy_name(which);
  if (nloops < 0 || nloops > PTK_VDMA_MAX_LOOPS || nx != 4 + 3 * nloops)
    return ptk_v_unsupported(which == PTK_VCUBE_GM_L1 ? "this pto.mte_gm_l1 form" : "this pto.mte_l1_ub form");
  if (which == PTK_VCUBE_GM_L1) return ptk_v_mte_named(op, src, dst, x[0], x[1], x[2], x[3], nloops, x + 4);
  /* mte_l1_ub: copy_cbuf_to_ubuf's 32-byte units and gaps (fixpipe-cc-gm) */
  int rc;
  if ((rc = bad(op, "burst length", x[0], 0, 65535)) || (rc = bad(op, "source gap", x[2], 0, 65535)) ||
      (rc = bad(op, "destination gap", x[3], 0, 65535)))
    return rc;
  return ptk_v_mte_named(op, src, dst, x[0] * 32, x[1], (x[0] + x[2]) * 32, (x[0] + x[3]) * 32, nloops, x + 4);
}

int ptk_v_cube_param_rec(int which, ptk_vptr src, ptk_vptr dst, ptk_isa_dtype sdt, ptk_isa_dtype ddt,
                         const int64_t *x, int nx) {
  const char *op = copy_name(which);
  if (nx != 4) return ptk_v_unsupported(which == PTK_VCUBE_L1_BT ? "this pto.mte_l1_bt form" : "this pto.mte_l1_fb form");
  int64_t len = x[0], n = x[1], sg = x[2], dg = x[3];
  int rc;
  if ((rc = bad(op, "burst length", len, 0, MAX_DIM)) || (rc = bad(op, "burst count", n, 0, MAX_DIM)) ||
      (rc = bad(op, "source gap", sg, 0, MAX_DIM)) || (rc = bad(op, "destination gap", dg, 0, MAX_DIM)))
    return rc;
  if (which == PTK_VCUBE_L1_FB) {
    int64_t u = 64;
    return ptk_v_mte_named(op, src, dst, len * u, n, (len + sg) * u, (len + dg) * u, 0, NULL);
  }
  /* bt: one unit = one bias value; f16/bf16 widen to an f32 bias */
  bool widen = ddt == PTK_ISA_F32 && (sdt == PTK_ISA_F16 || sdt == PTK_ISA_BF16);
  if (!widen && !((sdt == PTK_ISA_F32 || sdt == PTK_ISA_I32) && ddt == sdt) &&
      !((sdt == PTK_ISA_F32 && ddt == PTK_ISA_I32) || (sdt == PTK_ISA_I32 && ddt == PTK_ISA_F32)))
    return ptk_isa__fail(PTK_ISA_EARG, "%s: no bias load from %s to %s elements", op, dname(sdt),
                         dname(ddt));
  unsigned ss = widen ? 2 : 4;
  for (int pass = 0; pass < 2; pass++)
    for (int64_t b = 0; b < n; b++)
      for (int64_t e = 0; e < len; e++) {
        int64_t so = (b * (len + sg) + e) * ss, dof = (b * (len + dg) + e) * 4;
        if (!pass) {
          if (!in(&src, so, ss)) return out_of(op, "source", &src, so, ss);
          if (!in(&dst, dof, 4)) return out_of(op, "destination", &dst, dof, 4);
          continue;
        }
        uint8_t *d = dst.base + dst.off + dof;
        const uint8_t *s = src.base + src.off + so;
        if (widen) {
          float f = rdf(s, sdt);
          memcpy(d, &f, 4);
        } else {
          memmove(d, s, 4);
        }
      }
  return 0;
}

int ptk_v_cbuf_ubuf(int to_cbuf, ptk_vptr src, ptk_vptr dst, int64_t sid, int64_t n, int64_t len32,
                    int64_t src_gap, int64_t dst_gap) {
  const char *op = to_cbuf ? "pto.copy_ubuf_to_cbuf" : "pto.copy_cbuf_to_ubuf";
  int rc;
  if ((rc = bad(op, "sub-block id", sid, 0, 1)) || (rc = bad(op, "burst count", n, 0, 4095)) ||
      (rc = bad(op, "burst length", len32, 0, 65535)) || (rc = bad(op, "source gap", src_gap, 0, 65535)) ||
      (rc = bad(op, "destination gap", dst_gap, 0, 65535)))
    return rc;
  if (sid) return 0; /* sub-block 1's UB is not modelled: no effect */
  return ptk_v_mte_named(op, src, dst, len32 * 32, n, (len32 + src_gap) * 32, (len32 + dst_gap) * 32, 0, NULL);
}

/* ---- ND / DN -> NZ -------------------------------------------------------------------------------- */

int ptk_v_gm_l1_frac_rec(ptk_vptr gm, ptk_vptr l1, unsigned esz, int dn, const int64_t *x, int nx) {
  const char *op = "pto.mte_gm_l1_frac";
  if ((nx != 9 && nx != 10) || (esz != 1 && esz != 2 && esz != 4))
    return ptk_v_unsupported("this pto.mte_gm_l1_frac form");
  bool outer = nx == 10;
  int64_t N = x[0], D = x[1], inner = x[2], ostr = outer ? x[3] : 0;
  const int64_t *g4 = x + (outer ? 4 : 3);
  int64_t cnt = g4[0], l2 = g4[1], l3 = g4[2], l4 = g4[3], small = g4[5];
  int rc;
  if ((rc = bad(op, "n_value", N, 0, MAX_DIM)) || (rc = bad(op, "d_value", D, 0, MAX_DIM)) ||
      (rc = bad(op, "source stride", inner, 0, MAX_STRIDE)) || (rc = bad(op, "source outer stride", ostr, 0, MAX_STRIDE)) ||
      (rc = bad(op, "group count", cnt, 0, MAX_DIM)) || (rc = bad(op, "loop2 stride", l2, 0, MAX_STRIDE)) ||
      (rc = bad(op, "loop3 stride", l3, 0, MAX_STRIDE)) || (rc = bad(op, "loop4 stride", l4, 0, MAX_STRIDE)))
    return rc;
  if (small) return ptk_v_unsupported("pto.mte_gm_l1_frac with smallc0_en");
  int64_t c0 = 32 / esz, dp = (D + c0 - 1) / c0 * c0;
  if ((rc = too_much(op, cnt, N, dp))) return rc;
  for (int pass = 0; pass < 2; pass++)
    for (int64_t g = 0; g < cnt; g++)
      for (int64_t r = 0; r < N; r++)
        for (int64_t c = 0; c < dp; c++) {
          int64_t dof = g * l4 * 32 + (c / c0) * l3 * 32 + r * l2 * 32 + (c % c0) * (int64_t)esz;
          int64_t so = g * ostr + (dn ? c * inner + r * (int64_t)esz : r * inner + c * (int64_t)esz);
          if (!pass) {
            if (c < D && !in(&gm, so, esz)) return out_of(op, "source", &gm, so, esz);
            if (!in(&l1, dof, esz)) return out_of(op, "destination", &l1, dof, esz);
            continue;
          }
          uint8_t *d = l1.base + l1.off + dof;
          if (c < D) memcpy(d, gm.base + gm.off + so, esz);
          else memset(d, 0, esz);
        }
  return 0;
}

/* ---- L1 -> L0A / L0B ------------------------------------------------------------------------------- */

int ptk_v_l1_l0(bool b, ptk_vptr l1, ptk_vptr l0, unsigned esz, bool transpose, int64_t rows,
                int64_t cols, int64_t sr, int64_t sc) {
  const char *op = b ? "pto.mte_l1_l0b" : "pto.mte_l1_l0a";
  int rc;
  if (esz != 1 && esz != 2 && esz != 4) return ptk_v_unsupported(b ? "this pto.mte_l1_l0b form" : "this pto.mte_l1_l0a form");
  if ((rc = bad(op, b ? "k" : "m", rows, 0, MAX_DIM)) || (rc = bad(op, b ? "n" : "k", cols, 0, MAX_DIM)) ||
      (rc = bad(op, "start row", sr, 0, MAX_DIM)) || (rc = bad(op, "start column", sc, 0, MAX_DIM)))
    return rc;
  /* the source matrix: [rows, cols] (A, or B when transposing) or its transpose */
  bool same = b ? transpose : !transpose;
  int64_t srp = up16(sr + (same ? rows : cols));
  int64_t drp = up16(b ? cols : rows);
  for (int pass = 0; pass < 2; pass++)
    for (int64_t i = 0; i < rows; i++)
      for (int64_t j = 0; j < cols; j++) {
        int64_t so = same ? nz(sr + i, sc + j, srp, esz) : nz(sr + j, sc + i, srp, esz);
        int64_t dof = b ? nz(j, i, drp, esz) : nz(i, j, drp, esz); /* ZN of [K, N] = NZ of [N, K] */
        if (!pass) {
          if (!in(&l1, so, esz)) return out_of(op, "source", &l1, so, esz);
          if (!in(&l0, dof, esz)) return out_of(op, "destination", &l0, dof, esz);
          continue;
        }
        memcpy(l0.base + l0.off + dof, l1.base + l1.off + so, esz);
      }
  return 0;
}

int ptk_v_load_cbuf_to_ca(ptk_vptr l1, ptk_vptr l0a, int64_t m_start, int64_t k_start,
                          int64_t m_step, int64_t k_step, int64_t src_stride, int64_t dst_stride) {
  const char *op = "pto.load_cbuf_to_ca";
  int rc;
  if ((rc = bad(op, "m_start", m_start, 0, MAX_DIM)) || (rc = bad(op, "k_start", k_start, 0, MAX_DIM)) ||
      (rc = bad(op, "m_step", m_step, 0, 255)) || (rc = bad(op, "k_step", k_step, 0, 255)) ||
      (rc = bad(op, "src_stride", src_stride, 0, MAX_DIM)) || (rc = bad(op, "dst_stride", dst_stride, 0, MAX_DIM)))
    return rc;
  for (int pass = 0; pass < 2; pass++)
    for (int64_t j = 0; j < k_step; j++)
      for (int64_t i = 0; i < m_step; i++) {
        int64_t so = ((k_start + j) * src_stride + m_start + i) * 512, dof = (j * dst_stride + i) * 512;
        if (!pass) {
          if (!in(&l1, so, 512)) return out_of(op, "source", &l1, so, 512);
          if (!in(&l0a, dof, 512)) return out_of(op, "destination", &l0a, dof, 512);
          continue;
        }
        memmove(l0a.base + l0a.off + dof, l1.base + l1.off + so, 512);
      }
  return 0;
}

/* ---- pto.mad ------------------------------------------------------------------------------------ */

static float sat_in(float v) {
  if (isnan(v)) return 0.0f;
  if (isinf(v)) return v > 0 ? FLT_MAX : -FLT_MAX;
  return v;
}
static float tf32(float v, int mode) {
  uint32_t u = ptk_f32_bits(v);
  if ((u & 0x7f800000u) == 0x7f800000u) return v;
  u += mode == 0 ? 0xfffu + ((u >> 13) & 1u) : 0x1000u;
  return ptk_bits_f32(u & ~0x1fffu);
}

int ptk_v_mad(int mode, ptk_isa_dtype adt, ptk_isa_dtype bdt, ptk_isa_dtype cdt, ptk_vptr a,
              ptk_vptr b, ptk_vptr c, ptk_vptr bias, int64_t m, int64_t n, int64_t k, int flags,
              int tf) {
  const char *op = mode == 0 ? "pto.mad" : mode == 1 ? "pto.mad_acc" : "pto.mad_bias";
  int rc;
  if ((rc = bad(op, "m", m, 1, 4096)) || (rc = bad(op, "n", n, 1, 4096)) || (rc = bad(op, "k", k, 1, 4096)))
    return rc;
  bool fl = adt == PTK_ISA_F32 || adt == PTK_ISA_F16 || adt == PTK_ISA_BF16;
  bool in8 = (adt == PTK_ISA_I8 || adt == PTK_ISA_U8) && (bdt == PTK_ISA_I8 || bdt == PTK_ISA_U8);
  if (!((fl && bdt == adt && cdt == PTK_ISA_F32) || (in8 && cdt == PTK_ISA_I32)))
    return ptk_isa__fail(PTK_ISA_EARG, "%s: %s x %s -> %s is not supported on the host", op,
                         dname(adt), dname(bdt), dname(cdt));
  if (tf != 2 && adt != PTK_ISA_F32)
    return ptk_isa__fail(PTK_ISA_EARG, "%s: tf32_mode needs f32 operands", op);
  unsigned ae = dsize(adt), be = dsize(bdt);
  bool gemv = m == 1 && !(flags & PTK_VMAD_NOGEMV);
  bool sat = (flags & PTK_VMAD_SAT) != 0;
  int64_t mp = up16(m), np = up16(n);
  /* check */
  for (int64_t i = 0; i < m; i++)
    for (int64_t kk = 0; kk < k; kk++) {
      int64_t o = gemv ? kk * (int64_t)ae : nz(i, kk, mp, ae);
      if (!in(&a, o, ae)) return out_of(op, "left (l0a)", &a, o, ae);
    }
  for (int64_t kk = 0; kk < k; kk++)
    for (int64_t j = 0; j < n; j++) {
      int64_t o = nz(j, kk, np, be);
      if (!in(&b, o, be)) return out_of(op, "right (l0b)", &b, o, be);
    }
  for (int64_t i = 0; i < m; i++)
    for (int64_t j = 0; j < n; j++) {
      int64_t o = ((j / 16) * mp + i) * 64 + (j % 16) * 4;
      if (!in(&c, o, 4)) return out_of(op, "accumulator (l0c)", &c, o, 4);
    }
  if (mode == 2 && !in(&bias, 0, n * 4)) return out_of(op, "bias (bt)", &bias, 0, n * 4);
  /* operands unpacked once: A row-major m x k, B column-major (n x k) */
  size_t na = (size_t)(m * k), nb = (size_t)(k * n);
  void *A = malloc(na * (fl ? sizeof(float) : sizeof(int32_t)));
  void *B = malloc(nb * (fl ? sizeof(float) : sizeof(int32_t)));
  if (!A || !B) {
    free(A);
    free(B);
    return ptk_isa__fail(PTK_ISA_EARG, "%s: out of memory", op);
  }
  for (int64_t i = 0; i < m; i++)
    for (int64_t kk = 0; kk < k; kk++) {
      const uint8_t *p = a.base + a.off + (gemv ? kk * (int64_t)ae : nz(i, kk, mp, ae));
      if (fl) {
        float v = rdf(p, adt);
        if (sat) v = sat_in(v);
        if (tf != 2) v = tf32(v, tf);
        ((float *)A)[i * k + kk] = v;
      } else {
        ((int32_t *)A)[i * k + kk] = (int32_t)rdi(p, adt);
      }
    }
  for (int64_t j = 0; j < n; j++)
    for (int64_t kk = 0; kk < k; kk++) {
      const uint8_t *p = b.base + b.off + nz(j, kk, np, be);
      if (fl) {
        float v = rdf(p, bdt);
        if (sat) v = sat_in(v);
        if (tf != 2) v = tf32(v, tf);
        ((float *)B)[j * k + kk] = v;
      } else {
        ((int32_t *)B)[j * k + kk] = (int32_t)rdi(p, bdt);
      }
    }
  for (int64_t i = 0; i < m; i++)
    for (int64_t j = 0; j < n; j++) {
      uint8_t *d = c.base + c.off + ((j / 16) * mp + i) * 64 + (j % 16) * 4;
      if (fl) {
        const float *ar = (const float *)A + i * k, *bc = (const float *)B + j * k;
        float s = 0.0f;
        for (int64_t kk = 0; kk < k; kk++) s = fmaf(ar[kk], bc[kk], s);
        if (mode == 1) s += rdf(d, PTK_ISA_F32);
        else if (mode == 2) s += rdf(bias.base + bias.off + j * 4, PTK_ISA_F32);
        if (sat) s = isnan(s) ? 0.0f : s > FLT_MAX ? FLT_MAX : s < -FLT_MAX ? -FLT_MAX : s;
        memcpy(d, &s, 4);
      } else {
        const int32_t *ar = (const int32_t *)A + i * k, *bc = (const int32_t *)B + j * k;
        uint32_t s = 0;
        for (int64_t kk = 0; kk < k; kk++) s += (uint32_t)ar[kk] * (uint32_t)bc[kk];
        if (mode == 1) s += (uint32_t)rdi(d, PTK_ISA_I32);
        else if (mode == 2) s += (uint32_t)rdi(bias.base + bias.off + j * 4, PTK_ISA_I32);
        memcpy(d, &s, 4);
      }
    }
  free(A);
  free(B);
  return 0;
}

/* ---- FIXPIPE ------------------------------------------------------------------------------------ */

static const char *fix_name(int which) {
  return which == 0 ? "pto.mte_l0c_gm" : which == 1 ? "pto.mte_l0c_ub" : "pto.mte_l0c_l1";
}

/* Clause c of pos: its first value index in x (operand index - 2), its operand count. */
static bool clause(int64_t pos, int c, int *first, int *cnt) {
  unsigned b = (unsigned)((uint64_t)pos >> (8 * c)) & 0xffu;
  if (!b) return false;
  *first = (int)(b & 31u) - 1 - 2;
  *cnt = (int)(b >> 5);
  return true;
}
static double xf(const int64_t *x, int i) {
  double d;
  memcpy(&d, &x[i], sizeof d);
  return d;
}

static float to_dst(float v, ptk_isa_dtype ddt, bool sat, bool keep_nan, uint8_t *out) {
  float mx = ddt == PTK_ISA_F16 ? 65504.0f : ddt == PTK_ISA_BF16 ? 0x1.fep127f : FLT_MAX;
  if (ddt != PTK_ISA_F32 && sat) {
    if (isnan(v)) v = keep_nan ? v : 0.0f;
    else if (v > mx) v = mx;
    else if (v < -mx) v = -mx;
  }
  uint16_t h;
  switch (ddt) {
  case PTK_ISA_F16:
    h = ptk_f32_to_f16(v);
    if (sat && !isnan(v) && (h & 0x7fffu) == 0x7c00u) h = (uint16_t)((h & 0x8000u) | 0x7bffu);
    memcpy(out, &h, 2);
    return ptk_f16_to_f32(h);
  case PTK_ISA_BF16:
    h = ptk_f32_to_bf16(v);
    if (sat && !isnan(v) && (h & 0x7fffu) == 0x7f80u) h = (uint16_t)((h & 0x8000u) | 0x7f7fu);
    memcpy(out, &h, 2);
    return ptk_bf16_to_f32(h);
  default: memcpy(out, &v, 4); return v;
  }
}

int ptk_v_fixpipe_rec(int which, ptk_vptr src, ptk_vptr dst, ptk_isa_dtype sdt, ptk_isa_dtype ddt,
                      const int64_t *x, int nx, int64_t words, int64_t pos, int quant, int relu,
                      int atomic_op, int split, int keep_nan) {
  const char *op = fix_name(which);
  int fixed = which == 0 ? 6 : 4, f, cnt, rc;
  if (nx < fixed) return ptk_v_unsupported("this FIXPIPE form");
  int64_t m = x[0], n = x[1], ss = x[2], ds = x[3];
  if ((rc = bad(op, "m", m, 1, 4096)) || (rc = bad(op, "n", n, 1, 4096)) ||
      (rc = bad(op, "src_stride", ss, 0, MAX_STRIDE)) || (rc = bad(op, "dst_stride", ds, 0, MAX_STRIDE)))
    return rc;
  char what[96];
  if (clause(pos, 2, &f, &cnt) || clause(pos, 3, &f, &cnt)) {
    snprintf(what, sizeof what, "%s with %s", op, clause(pos, 2, &f, &cnt) ? "nz2dn" : "nz2nz");
    return ptk_v_unsupported(what);
  }
  if (split != 2) {
    snprintf(what, sizeof what, "%s with dst_mode(%s)", op, split ? "split_n" : "split_m");
    return ptk_v_unsupported(what);
  }
  if (clause(pos, 5, &f, &cnt)) {
    if (cnt != 1 || f < 0 || f >= nx) return ptk_v_unsupported("this pto.mte_l0c_ub dst_mode form");
    if (x[f] != 0)
      return ptk_isa__fail(PTK_ISA_EARG, "%s: dst_mode(%lld): only UB sub-block 0 is modelled on the host", op,
                           (ll)x[f]);
  }
  bool fsrc = sdt == PTK_ISA_F32;
  if (sdt != PTK_ISA_F32 && sdt != PTK_ISA_I32)
    return ptk_isa__fail(PTK_ISA_EARG, "%s: accumulator of %s elements", op, dname(sdt));
  if (fsrc ? !(ddt == PTK_ISA_F32 || ddt == PTK_ISA_F16 || ddt == PTK_ISA_BF16) : ddt != PTK_ISA_I32)
    return ptk_isa__fail(PTK_ISA_EARG, "%s: %s accumulator to %s is not supported on the host", op,
                         dname(sdt), dname(ddt));
  /* pre_quant (scalar modes) */
  float scale = 1.0f;
  if (clause(pos, 0, &f, &cnt)) {
    if (quant == 63 || cnt != 1 || f < 0 || f >= nx || !fsrc)
      return ptk_v_unsupported("this pre_quant mode (vector payloads, integer families)");
    static const ptk_isa_dtype want[] = {PTK_ISA_F16, PTK_ISA_BF16, PTK_ISA_F16, PTK_ISA_BF16, PTK_ISA_F32};
    if (quant < 0 || quant > 4 || want[quant] != ddt)
      return ptk_isa__fail(PTK_ISA_EARG, "%s: pre_quant mode does not produce %s elements", op,
                           dname(ddt));
    if (quant >= 2) scale = (float)xf(x, f);
  }
  /* pre_relu and clip */
  float alpha = 0.0f, clip = 0.0f;
  bool has_clip = false;
  int rmode = 0;
  if (clause(pos, 1, &f, &cnt)) {
    if (relu == 63 || !fsrc) return ptk_v_unsupported("this pre_relu mode (vector payloads)");
    rmode = relu;
    int need = relu == 2 ? 1 : 0;
    if (cnt < need || cnt > need + 1 || f < 0 || f + cnt > nx) return ptk_v_unsupported("this pre_relu form");
    if (relu == 2) alpha = (float)xf(x, f);
    if (cnt == need + 1) {
      has_clip = true;
      clip = (float)xf(x, f + need);
    }
  }
  int64_t rep = 1, s3 = 0, d3 = 0;
  if (clause(pos, 4, &f, &cnt)) {
    if (cnt != 3 || f < 0 || f + 3 > nx) return ptk_v_unsupported("this loop3 form");
    rep = x[f], s3 = x[f + 1], d3 = x[f + 2];
    if ((rc = bad(op, "loop3 count", rep, 0, MAX_DIM)) || (rc = bad(op, "loop3 source stride", s3, 0, MAX_STRIDE)) ||
        (rc = bad(op, "loop3 destination stride", d3, 0, MAX_STRIDE)))
      return rc;
  }
  if ((rc = too_much(op, rep, m, n))) return rc;
  bool sat = (words & 1) != 0 || keep_nan, nd = (words & 4) != 0;
  unsigned de = dsize(ddt);
  int64_t c0 = 32 / de;
  for (int pass = 0; pass < 2; pass++)
    for (int64_t r = 0; r < rep; r++)
      for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
          int64_t so = r * s3 * 32 + ((j / 16) * ss + i) * 64 + (j % 16) * 4;
          int64_t de_i = r * d3 + (nd ? i * ds + j : (j / c0) * ds + i * c0 + j % c0);
          int64_t dof = de_i * (int64_t)de;
          if (!pass) {
            if (!in(&src, so, 4)) return out_of(op, "source (l0c)", &src, so, 4);
            if (!in(&dst, dof, de)) return out_of(op, "destination", &dst, dof, de);
            continue;
          }
          const uint8_t *sp = src.base + src.off + so;
          uint8_t *dp = dst.base + dst.off + dof;
          if (!fsrc) {
            int32_t v = (int32_t)rdi(sp, PTK_ISA_I32);
            if (atomic_op != 3) {
              int32_t o = (int32_t)rdi(dp, PTK_ISA_I32);
              v = atomic_op == 0 ? (int32_t)((uint32_t)v + (uint32_t)o) : atomic_op == 1 ? (v > o ? v : o) : (v < o ? v : o);
            }
            memcpy(dp, &v, 4);
            continue;
          }
          float v = rdf(sp, PTK_ISA_F32) * scale;
          if (rmode == 1) v = v > 0.0f ? v : (isnan(v) ? v : 0.0f);
          else if (rmode == 2) v = v >= 0.0f ? v : alpha * v;
          if (has_clip && v > clip) v = clip;
          if (atomic_op != 3) {
            uint8_t tmp[4];
            float cv = rdf(dp, ddt);
            to_dst(v, ddt, sat, keep_nan, tmp);
            float nv = rdf(tmp, ddt);
            v = atomic_op == 0 ? cv + nv : atomic_op == 1 ? fmaxf(cv, nv) : fminf(cv, nv);
          }
          to_dst(v, ddt, sat, keep_nan, dp);
        }
  return 0;
}
