/* VPTO DMA (v_mem.h "DMA"): one engine for every MTE form. A transfer is
 * n bursts of len bytes wrapped by up to PTK_VDMA_MAX_LOOPS loops; the
 * extent of both sides is checked before the first byte moves. */
#include "runtime/isa/v_mem.h"

#include "runtime/isa/internal.h"

typedef long long ll;

/* Field limits: wider than the hardware fields (docs 02), small enough that
 * extents are computed without overflow checks failing on real kernels. */
#define MAX_COUNT ((int64_t)1 << 32)
#define MAX_STRIDE ((int64_t)1 << 40)
#define MAX_ROWS ((int64_t)1 << 32) /* total bursts of one op */

typedef struct dma {
  const char *op;
  int64_t len, n, ss, ds;
  int nl;
  int64_t lc[PTK_VDMA_MAX_LOOPS], ls[PTK_VDMA_MAX_LOOPS], ld[PTK_VDMA_MAX_LOOPS];
  bool pad;
  int64_t lpad, rpad; /* bytes before / after the data in a destination row */
  uint8_t pv[8];
  unsigned psz;
} dma;

static int side(const dma *d, const char *what, const ptk_vptr *p, int64_t lo, int64_t hi) {
  /* bytes [p->off + lo, p->off + hi) */
  int64_t a, b;
  if (hi <= lo) return 0;
  if (__builtin_add_overflow(p->off, lo, &a) || __builtin_add_overflow(p->off, hi, &b))
    return ptk_isa__fail(PTK_ISA_ESHAPE, "%s: %s address overflows", d->op, what);
  if (!p->base || a < 0 || b > p->cap)
    return ptk_isa__fail(PTK_ISA_ESHAPE, "%s: %s bytes [%lld, %lld) outside the %lld-byte memory",
                         d->op, what, (ll)a, (ll)b, (ll)p->cap);
  return 0;
}

/* Smallest and largest offset the loop nest adds on one side. */
static int span(const dma *d, bool dst, int64_t *mn, int64_t *mx) {
  int64_t lo = 0, hi = 0;
  for (int k = -1; k < d->nl; k++) {
    int64_t c = k < 0 ? d->n : d->lc[k];
    int64_t s = k < 0 ? (dst ? d->ds : d->ss) : (dst ? d->ld[k] : d->ls[k]);
    int64_t t;
    if (__builtin_mul_overflow(c - 1, s, &t) ||
        __builtin_add_overflow(t < 0 ? lo : hi, t, t < 0 ? &lo : &hi))
      return ptk_isa__fail(PTK_ISA_ESHAPE, "%s: transfer extent overflows", d->op);
  }
  *mn = lo;
  *mx = hi;
  return 0;
}

static int run(const dma *d, const ptk_vptr *src, const ptk_vptr *dst) {
  if (d->len < 0 || d->len > MAX_COUNT)
    return ptk_isa__fail(PTK_ISA_EARG, "%s: burst length %lld", d->op, (ll)d->len);
  if (d->lpad < 0 || d->rpad < 0 || d->lpad > 4096 || d->rpad > 4096)
    return ptk_isa__fail(PTK_ISA_EARG, "%s: padding %lld / %lld bytes", d->op, (ll)d->lpad,
                         (ll)d->rpad);
  int64_t rows = 1;
  for (int k = -1; k < d->nl; k++) {
    int64_t c = k < 0 ? d->n : d->lc[k];
    int64_t s1 = k < 0 ? d->ss : d->ls[k], s2 = k < 0 ? d->ds : d->ld[k];
    if (c < 0 || c > MAX_COUNT)
      return ptk_isa__fail(PTK_ISA_EARG, "%s: %s count %lld", d->op, k < 0 ? "burst" : "loop",
                           (ll)c);
    if (s1 < -MAX_STRIDE || s1 > MAX_STRIDE || s2 < -MAX_STRIDE || s2 > MAX_STRIDE)
      return ptk_isa__fail(PTK_ISA_EARG, "%s: stride %lld / %lld out of range", d->op, (ll)s1,
                           (ll)s2);
    if (c == 0) return 0;
    if (__builtin_mul_overflow(rows, c, &rows) || rows > MAX_ROWS)
      return ptk_isa__fail(PTK_ISA_EARG, "%s: more than %lld bursts", d->op, (ll)MAX_ROWS);
  }
  /* Destination row: [lpad][len data][rpad], with a pad value filled to the
   * next 32-byte boundary; without one only the data is written. */
  int64_t row = d->lpad + d->len + d->rpad;
  int64_t dlo = d->pad ? 0 : d->lpad, dhi = d->pad ? (row + 31) & ~(int64_t)31 : d->lpad + d->len;
  if (dhi <= dlo) return 0;
  int64_t smn, smx, dmn, dmx;
  int rc;
  if ((rc = span(d, false, &smn, &smx)) || (rc = span(d, true, &dmn, &dmx))) return rc;
  if ((d->len && (rc = side(d, "source", src, smn, smx + d->len))) ||
      (rc = side(d, "destination", dst, dmn + dlo, dmx + dhi)))
    return rc;

  int64_t it[PTK_VDMA_MAX_LOOPS] = {0}, so = 0, dof = 0;
  for (;;) {
    int64_t sa = src->off + so, da = dst->off + dof;
    for (int64_t r = 0; r < d->n; r++, sa += d->ss, da += d->ds) {
      uint8_t *drow = dst->base + da;
      if (d->len) memmove(drow + d->lpad, src->base + sa, (size_t)d->len);
      if (d->pad) {
        for (int64_t j = 0; j < d->lpad; j++) drow[j] = d->pv[j % d->psz];
        for (int64_t j = d->lpad + d->len; j < dhi; j++) drow[j] = d->pv[j % d->psz];
      }
    }
    int k = 0; /* odometer over the loops, innermost first */
    for (; k < d->nl; k++) {
      so += d->ls[k];
      dof += d->ld[k];
      if (++it[k] < d->lc[k]) break;
      so -= d->ls[k] * it[k];
      dof -= d->ld[k] * it[k];
      it[k] = 0;
    }
    if (k == d->nl) return 0;
  }
}

static int take_loops(dma *d, int nloops, const int64_t *loops) {
  if (nloops < 0 || nloops > PTK_VDMA_MAX_LOOPS || (nloops && !loops))
    return ptk_isa__fail(PTK_ISA_EARG, "%s: %d loop groups (at most %d)", d->op, nloops,
                         PTK_VDMA_MAX_LOOPS);
  d->nl = nloops;
  for (int k = 0; k < nloops; k++) {
    d->lc[k] = loops[3 * k];
    d->ls[k] = loops[3 * k + 1];
    d->ld[k] = loops[3 * k + 2];
  }
  return 0;
}

static int set_pad(dma *d, uint64_t bits, unsigned size, int64_t left, int64_t right) {
  if (size != 1 && size != 2 && size != 4 && size != 8)
    return ptk_isa__fail(PTK_ISA_EARG, "%s: pad value of %u bytes", d->op, size);
  if (left < 0 || right < 0 || left > 255 || right > 255)
    return ptk_isa__fail(PTK_ISA_EARG, "%s: padding counts %lld / %lld (0..255)", d->op, (ll)left,
                         (ll)right);
  memcpy(d->pv, &bits, sizeof d->pv); /* little endian host: low bytes first */
  d->psz = size;
  d->lpad = left * size;
  d->rpad = right * size;
  return 0;
}

int ptk_v_mte_gm_ub(ptk_vptr gm_v, ptk_vptr ub_v, int64_t len, int64_t n, int64_t ss,
                    int64_t ds, int nloops, const int64_t *loops, bool has_pad, uint64_t pad_bits,
                    unsigned pad_size, int64_t left, int64_t right) {
  const ptk_vptr *gm = &gm_v;
  const ptk_vptr *ub = &ub_v;
  dma d = {.op = "pto.mte_gm_ub", .len = len, .n = n, .ss = ss, .ds = ds, .pad = has_pad, .psz = 1};
  int rc = take_loops(&d, nloops, loops);
  if (rc) return rc;
  if (has_pad && (rc = set_pad(&d, pad_bits, pad_size, left, right))) return rc;
  return run(&d, gm, ub);
}

int ptk_v_mte_ub_gm(ptk_vptr ub_v, ptk_vptr gm_v, int64_t len, int64_t n, int64_t ss,
                    int64_t ds, int nloops, const int64_t *loops) {
  const ptk_vptr *ub = &ub_v;
  const ptk_vptr *gm = &gm_v;
  dma d = {.op = "pto.mte_ub_gm", .len = len, .n = n, .ss = ss, .ds = ds, .psz = 1};
  int rc = take_loops(&d, nloops, loops);
  return rc ? rc : run(&d, ub, gm);
}

int ptk_v_mte_named(const char *op, ptk_vptr src_v, ptk_vptr dst_v, int64_t len, int64_t n,
                    int64_t ss, int64_t ds, int nloops, const int64_t *loops) {
  dma d = {.op = op, .len = len, .n = n, .ss = ss, .ds = ds, .psz = 1};
  int rc = take_loops(&d, nloops, loops);
  return rc ? rc : run(&d, &src_v, &dst_v);
}

int ptk_v_mte_ub_ub(ptk_vptr src_v, ptk_vptr dst_v, int64_t len32, int64_t n,
                    int64_t src_gap, int64_t dst_gap) {
  const ptk_vptr *src = &src_v;
  const ptk_vptr *dst = &dst_v;
  dma d = {.op = "pto.mte_ub_ub", .n = n, .psz = 1};
  if (len32 < 0 || len32 > 65535 || src_gap < 0 || src_gap > 65535 || dst_gap < 0 ||
      dst_gap > 65535)
    return ptk_isa__fail(PTK_ISA_EARG, "%s: length %lld / gaps %lld, %lld (0..65535 blocks)", d.op,
                         (ll)len32, (ll)src_gap, (ll)dst_gap);
  d.len = len32 * 32;
  d.ss = (len32 + src_gap) * 32;
  d.ds = (len32 + dst_gap) * 32;
  return run(&d, src, dst);
}

int ptk_v_copy_gm_to_ubuf(const ptk_vdma_regs *r, ptk_vptr gm_v, ptk_vptr ub_v, int64_t n,
                          int64_t len, int64_t left, int64_t right, bool data_select,
                          int64_t gm_stride, int64_t ub_stride) {
  const ptk_vptr *gm = &gm_v;
  const ptk_vptr *ub = &ub_v;
  dma d = {.op = "pto.copy_gm_to_ubuf", .len = len, .n = n, .ss = gm_stride, .ds = ub_stride,
           .pad = data_select, .nl = 2, .psz = 1};
  const ptk_vdma_loops *L = &r->out2ub;
  d.lc[0] = L->size1, d.ls[0] = L->src1, d.ld[0] = L->dst1;
  d.lc[1] = L->size2, d.ls[1] = L->src2, d.ld[1] = L->dst2;
  int rc = set_pad(&d, r->pad_bits, r->pad_size, left, right);
  return rc ? rc : run(&d, gm, ub);
}

int ptk_v_copy_ubuf_to_gm(const ptk_vdma_regs *r, ptk_vptr ub_v, ptk_vptr gm_v,
                          int64_t n, int64_t len, int64_t gm_stride, int64_t ub_stride) {
  const ptk_vptr *ub = &ub_v;
  const ptk_vptr *gm = &gm_v;
  dma d = {.op = "pto.copy_ubuf_to_gm", .len = len, .n = n, .ss = ub_stride, .ds = gm_stride,
           .nl = 2, .psz = 1};
  const ptk_vdma_loops *L = &r->ub2out;
  d.lc[0] = L->size1, d.ls[0] = L->src1, d.ld[0] = L->dst1;
  d.lc[1] = L->size2, d.ls[1] = L->src2, d.ld[1] = L->dst2;
  return run(&d, ub, gm);
}

/* ---- the loop registers of the calling thread ---------------------------------------------- */

static _Thread_local ptk_vdma_regs tregs;
static _Thread_local bool tregs_set;

ptk_vdma_regs *ptk_v_dma_regs(void) {
  if (!tregs_set) {
    ptk_vdma_regs_reset(&tregs);
    tregs_set = true;
  }
  return &tregs;
}

void ptk_v_dma_reset(void) {
  ptk_vdma_regs_reset(&tregs);
  tregs_set = true;
}

int ptk_v_set_loop(int reg, int64_t a, int64_t b) {
  if (ptk_vdma_set(ptk_v_dma_regs(), reg, a, b))
    return ptk_isa__fail(PTK_ISA_EARG, "set_loop: bad register %d", reg);
  return 0;
}

int ptk_v_unsupported(const char *what) {
  return ptk_isa__fail(PTK_ISA_EARG, "%s cannot run on the host yet", what);
}

/* ---- from a call record (v_mem.h) ---- */

int ptk_v_mte_gm_ub_rec(ptk_vptr gm, ptk_vptr ub, const int64_t *x, int nx, int nloops,
                                      int has_pad, int pad_float, int ub_dt, unsigned ub_esz) {
  /* l2_cache, len, n, src_stride, dst_stride, loops…, [pad, left, right] */
  if (nloops < 0 || nloops > PTK_VDMA_MAX_LOOPS || nx != 5 + 3 * nloops + (has_pad ? 3 : 0))
    return ptk_v_unsupported("this pto.mte_gm_ub form");
  uint64_t bits = 0;
  const int64_t *pad = x + 5 + 3 * nloops;
  if (has_pad) {
    if (pad_float) {
      double d;
      memcpy(&d, &pad[0], sizeof d);
      bits = ptk_sc_fbits(d, ub_dt);
    } else {
      bits = (uint64_t)pad[0];
    }
  }
  return ptk_v_mte_gm_ub(gm, ub, x[1], x[2], x[3], x[4], nloops, x + 5, has_pad != 0, bits, ub_esz,
                         has_pad ? pad[1] : 0, has_pad ? pad[2] : 0);
}
int ptk_v_mte_ub_gm_rec(ptk_vptr ub, ptk_vptr gm, const int64_t *x, int nx, int nloops) {
  /* len, n, src_stride, dst_stride, loops… */
  if (nloops < 0 || nloops > PTK_VDMA_MAX_LOOPS || nx != 4 + 3 * nloops)
    return ptk_v_unsupported("this pto.mte_ub_gm form");
  return ptk_v_mte_ub_gm(ub, gm, x[0], x[1], x[2], x[3], nloops, x + 4);
}
int ptk_v_copy_gm_to_ubuf_rec(ptk_vptr gm, ptk_vptr ub, const int64_t *x, int nx) {
  /* sid, n_burst, len_burst, left, right, data_select, l2_cache, gm_stride, ub_stride */
  if (nx != 9) return ptk_v_unsupported("this pto.copy_gm_to_ubuf form");
  return ptk_v_copy_gm_to_ubuf(ptk_v_dma_regs(), gm, ub, x[1], x[2], x[3], x[4], x[5] != 0, x[7], x[8]);
}

