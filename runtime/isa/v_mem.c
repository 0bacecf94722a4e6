/* VPTO vector / predicate / scalar memory ops (v_mem.h has the semantics and
 * the decisions). Every op computes the bytes it touches, checks them all,
 * then reads or writes: a failing op leaves memory and its results as they
 * were. */
#include "runtime/isa/v_mem.h"

#include "runtime/isa/internal.h"

typedef long long ll;

static bool esz_ok(unsigned esz) { return esz == 1 || esz == 2 || esz == 4 || esz == 8; }

/* Byte address p->off + idx * esz (overflow is a shape error). */
static int addr_of(const char *op, const ptk_vptr *p, int64_t idx, int64_t esz, int64_t *out) {
  int64_t d;
  if (__builtin_mul_overflow(idx, esz, &d) || __builtin_add_overflow(p->off, d, out))
    return ptk_isa__fail(PTK_ISA_ESHAPE, "%s: address %lld + %lld * %lld overflows", op,
                         (ll)p->off, (ll)idx, (ll)esz);
  return 0;
}

/* [a, a+n) must lie in the memory. */
static int need(const char *op, const char *what, const ptk_vptr *p, int64_t a, int64_t n) {
  if (n <= 0) return 0;
  if (!p->base || p->cap <= 0)
    return ptk_isa__fail(PTK_ISA_ESHAPE, "%s: %s bytes [%lld, %lld) in an unmapped memory", op,
                         what, (ll)a, (ll)a + n);
  if (a < 0 || a > p->cap || n > p->cap - a)
    return ptk_isa__fail(PTK_ISA_ESHAPE, "%s: %s bytes [%lld, %lld) outside the %lld-byte memory",
                         op, what, (ll)a, a > INT64_MAX - n ? (ll)INT64_MAX : (ll)(a + n),
                         (ll)p->cap);
  return 0;
}

static bool mbit(const ptk_vmask *m, unsigned j) { return ptk_vmask_bit(m, j); }

static uint64_t ld_u(const uint8_t *s, unsigned w) {
  uint64_t v = 0;
  memcpy(&v, s, w); /* little endian host */
  return v;
}

/* ---- vlds / vldsx2 ---------------------------------------------------------------- */

/* Element width in bytes a distribution names (0: none). */
static unsigned ld_width(int dist) {
  switch (dist) {
  case PTK_VLD_BRC_B8:
  case PTK_VLD_US_B8:
  case PTK_VLD_DS_B8:
  case PTK_VLD_UNPK_B8:
  case PTK_VLD_SPLT2CHN_B8:
  case PTK_VLD_DINTLV_B8: return 1;
  case PTK_VLD_BRC_B16:
  case PTK_VLD_US_B16:
  case PTK_VLD_DS_B16:
  case PTK_VLD_UNPK_B16:
  case PTK_VLD_E2B_B16:
  case PTK_VLD_SPLT2CHN_B16:
  case PTK_VLD_DINTLV_B16: return 2;
  case PTK_VLD_BRC_B32:
  case PTK_VLD_UNPK_B32:
  case PTK_VLD_E2B_B32:
  case PTK_VLD_DINTLV_B32: return 4;
  default: return 0;
  }
}

int ptk_v_vlds(int dist, ptk_vreg *dst, ptk_vptr p_v, int64_t idx, unsigned esz,
               bool post) {
  const ptk_vptr *p = &p_v;
  static const char op[] = "pto.vlds";
  if (!esz_ok(esz)) return ptk_isa__fail(PTK_ISA_EARG, "%s: bad element size %u", op, esz);
  int64_t adv = 0, A = 0;
  int rc = addr_of(op, p, idx, esz, &adv);
  if (rc) return rc;
  A = post ? p->off : adv;
  unsigned w = ld_width(dist);
  int64_t foot;
  switch (dist) {
  case PTK_VLD_NORM:
  case PTK_VLD_SPLT4CHN:
  case PTK_VLD_SPLT2CHN_B8:
  case PTK_VLD_SPLT2CHN_B16: foot = 256; break;
  case PTK_VLD_BRC_B8:
  case PTK_VLD_BRC_B16:
  case PTK_VLD_BRC_B32: foot = w; break;
  case PTK_VLD_US_B8:
  case PTK_VLD_US_B16:
  case PTK_VLD_UNPK_B8:
  case PTK_VLD_UNPK_B16:
  case PTK_VLD_UNPK_B32: foot = 128; break;
  case PTK_VLD_DS_B8:
  case PTK_VLD_DS_B16: foot = 512 - w; break;
  case PTK_VLD_BRC_BLK: foot = 32; break;
  case PTK_VLD_E2B_B16:
  case PTK_VLD_E2B_B32: foot = 8 * w; break;
  case PTK_VLD_UNPK4: foot = 64; break;
  default:
    return ptk_isa__fail(PTK_ISA_EARG, "%s: distribution %s is not a single-register load", op,
                         ptk_vld_dist_name(dist) ? ptk_vld_dist_name(dist) : "?");
  }
  if ((rc = need(op, "source", p, A, foot))) return rc;
  const uint8_t *s = p->base + A;
  ptk_vreg r;
  switch (dist) {
  case PTK_VLD_NORM: memcpy(r.b, s, 256); break;
  case PTK_VLD_BRC_B8:
  case PTK_VLD_BRC_B16:
  case PTK_VLD_BRC_B32:
    for (unsigned i = 0; i < 256; i += w) memcpy(r.b + i, s, w);
    break;
  case PTK_VLD_US_B8:
  case PTK_VLD_US_B16:
    for (unsigned i = 0; i < 128 / w; i++) {
      memcpy(r.b + 2 * i * w, s + i * w, w);
      memcpy(r.b + (2 * i + 1) * w, s + i * w, w);
    }
    break;
  case PTK_VLD_DS_B8:
  case PTK_VLD_DS_B16:
    for (unsigned i = 0; i < 256 / w; i++) memcpy(r.b + i * w, s + 2 * i * w, w);
    break;
  case PTK_VLD_UNPK_B8:
  case PTK_VLD_UNPK_B16:
  case PTK_VLD_UNPK_B32:
    memset(r.b, 0, 256);
    for (unsigned i = 0; i < 128 / w; i++) memcpy(r.b + 2 * i * w, s + i * w, w);
    break;
  case PTK_VLD_BRC_BLK:
    for (unsigned k = 0; k < 8; k++) memcpy(r.b + 32 * k, s, 32);
    break;
  case PTK_VLD_E2B_B16:
  case PTK_VLD_E2B_B32:
    for (unsigned k = 0; k < 8; k++)
      for (unsigned j = 0; j < 32; j += w) memcpy(r.b + 32 * k + j, s + k * w, w);
    break;
  case PTK_VLD_UNPK4:
    memset(r.b, 0, 256);
    for (unsigned i = 0; i < 64; i++) r.b[4 * i] = s[i];
    break;
  case PTK_VLD_SPLT4CHN:
    for (unsigned i = 0; i < 64; i++)
      for (unsigned c = 0; c < 4; c++) r.b[64 * c + i] = s[4 * i + c];
    break;
  default: { /* SPLT2CHN_Bn */
    unsigned n = 128 / w;
    for (unsigned i = 0; i < n; i++)
      for (unsigned c = 0; c < 2; c++) memcpy(r.b + (c * n + i) * w, s + (2 * i + c) * w, w);
    break;
  }
  }
  *dst = r;
  return 0;
}

int ptk_v_vldsx2(int dist, ptk_vreg *lo, ptk_vreg *hi, ptk_vptr p_v, int64_t idx,
                 unsigned esz) {
  const ptk_vptr *p = &p_v;
  static const char op[] = "pto.vldsx2";
  if (!esz_ok(esz)) return ptk_isa__fail(PTK_ISA_EARG, "%s: bad element size %u", op, esz);
  if (dist != PTK_VLD_BDINTLV && dist != PTK_VLD_DINTLV_B8 && dist != PTK_VLD_DINTLV_B16 &&
      dist != PTK_VLD_DINTLV_B32)
    return ptk_isa__fail(PTK_ISA_EARG, "%s: distribution %s is not a deinterleave", op,
                         ptk_vld_dist_name(dist) ? ptk_vld_dist_name(dist) : "?");
  int64_t A = 0;
  int rc = addr_of(op, p, idx, esz, &A);
  if (rc || (rc = need(op, "source", p, A, 512))) return rc;
  const uint8_t *s = p->base + A;
  ptk_vreg l, h;
  unsigned w = dist == PTK_VLD_BDINTLV ? 32 : ld_width(dist); /* BDINTLV: 32-byte blocks */
  for (unsigned i = 0; i < 256 / w; i++) {
    memcpy(l.b + i * w, s + 2 * i * w, w);
    memcpy(h.b + i * w, s + (2 * i + 1) * w, w);
  }
  *lo = l;
  *hi = h;
  return 0;
}

/* ---- vsts / vstsx2 ------------------------------------------------------------------ */

int ptk_v_vsts(int dist, const ptk_vreg *v, ptk_vptr p_v, int64_t idx, unsigned esz,
               const ptk_vmask *m, bool post) {
  const ptk_vptr *p = &p_v;
  static const char op[] = "pto.vsts";
  if (!esz_ok(esz)) return ptk_isa__fail(PTK_ISA_EARG, "%s: bad element size %u", op, esz);
  int64_t adv = 0, A = 0;
  int rc = addr_of(op, p, idx, esz, &adv);
  if (rc) return rc;
  A = post ? p->off : adv;
  unsigned w, out; /* source lane bytes, bytes stored per lane */
  bool one = false;
  switch (dist) {
  case PTK_VST_NORM_B8: w = out = 1; break;
  case PTK_VST_NORM_B16: w = out = 2; break;
  case PTK_VST_NORM_B32: w = out = 4; break;
  case PTK_VST_ONEPT_B8: w = out = 1, one = true; break;
  case PTK_VST_ONEPT_B16: w = out = 2, one = true; break;
  case PTK_VST_ONEPT_B32: w = out = 4, one = true; break;
  case PTK_VST_PK_B16: w = 2, out = 1; break;
  case PTK_VST_PK_B32: w = 4, out = 2; break;
  case PTK_VST_PK_B64: w = 8, out = 4; break;
  case PTK_VST_PK4_B32: w = 4, out = 1; break;
  case PTK_VST_MRG4CHN_B8:
  case PTK_VST_MRG2CHN_B8:
  case PTK_VST_MRG2CHN_B16:
    return ptk_isa__fail(PTK_ISA_EARG, "%s: distribution %s is not supported on A5", op,
                         ptk_vst_dist_name(dist));
  default:
    return ptk_isa__fail(PTK_ISA_EARG, "%s: distribution %s is not a single-register store", op,
                         ptk_vst_dist_name(dist) ? ptk_vst_dist_name(dist) : "?");
  }
  if (one) {
    if ((rc = need(op, "destination", p, A, w))) return rc;
    memcpy(p->base + A, v->b, w);
  } else {
    /* Lane i (w bytes) writes `out` bytes at A + i*out iff mask bit i*w. */
    unsigned n = 256 / w, first = n, last = 0;
    for (unsigned i = 0; i < n; i++)
      if (mbit(m, i * w)) {
        if (first == n) first = i;
        last = i;
      }
    if (first < n) {
      if ((rc = need(op, "destination", p, A + (int64_t)first * out,
                     (int64_t)(last - first + 1) * out)))
        return rc;
      uint8_t *d = p->base + A;
      for (unsigned i = first; i <= last; i++)
        if (mbit(m, i * w)) memcpy(d + i * out, v->b + i * w, out);
    }
  }
  return 0;
}

int ptk_v_vstsx2(int dist, const ptk_vreg *lo, const ptk_vreg *hi, ptk_vptr p_v, int64_t idx,
                 unsigned esz, const ptk_vmask *m) {
  const ptk_vptr *p = &p_v;
  static const char op[] = "pto.vstsx2";
  (void)m; /* INTLV ignores the predicate (docs 03) */
  if (!esz_ok(esz)) return ptk_isa__fail(PTK_ISA_EARG, "%s: bad element size %u", op, esz);
  unsigned w = dist == PTK_VST_INTLV_B8    ? 1
               : dist == PTK_VST_INTLV_B16 ? 2
               : dist == PTK_VST_INTLV_B32 ? 4
                                           : 0;
  if (!w)
    return ptk_isa__fail(PTK_ISA_EARG, "%s: distribution %s is not an interleave", op,
                         ptk_vst_dist_name(dist) ? ptk_vst_dist_name(dist) : "?");
  int64_t A = 0;
  int rc = addr_of(op, p, idx, esz, &A);
  if (rc || (rc = need(op, "destination", p, A, 512))) return rc;
  uint8_t t[512];
  for (unsigned i = 0; i < 256 / w; i++) {
    memcpy(t + 2 * i * w, lo->b + i * w, w);
    memcpy(t + (2 * i + 1) * w, hi->b + i * w, w);
  }
  memcpy(p->base + A, t, 512);
  return 0;
}

/* ---- vsldb / vsstb -------------------------------------------------------------------- */

/* Byte address of block k: base + (rep + k*blk) * 32, or base + k*blk*32
 * when post. */
static int blk_addr(const char *op, const ptk_vptr *p, int64_t blk, int64_t rep, unsigned k,
                    bool post, int64_t *a) {
  int64_t u;
  if (__builtin_mul_overflow(blk, (int64_t)k, &u) || (!post && __builtin_add_overflow(u, rep, &u)))
    return ptk_isa__fail(PTK_ISA_ESHAPE, "%s: block address overflows", op);
  return addr_of(op, p, u, 32, a);
}

int ptk_v_vsldb(ptk_vreg *dst, ptk_vptr p_v, int64_t block_stride, int64_t repeat_stride,
                const ptk_vmask *m) {
  const ptk_vptr *p = &p_v;
  static const char op[] = "pto.vsldb";
  int64_t a[8] = {0};
  int rc;
  for (unsigned k = 0; k < 8; k++) {
    if (!mbit(m, 4 * k)) continue;
    if ((rc = blk_addr(op, p, block_stride, repeat_stride, k, false, &a[k])) ||
        (rc = need(op, "source block", p, a[k], 32)))
      return rc;
  }
  ptk_vreg r;
  for (unsigned k = 0; k < 8; k++) {
    if (mbit(m, 4 * k))
      memcpy(r.b + 32 * k, p->base + a[k], 32);
    else
      memset(r.b + 32 * k, 0, 32);
  }
  *dst = r;
  return 0;
}

int ptk_v_vsstb(const ptk_vreg *v, ptk_vptr p_v, int64_t block_stride, int64_t repeat_stride,
                const ptk_vmask *m, bool post) {
  const ptk_vptr *p = &p_v;
  static const char op[] = "pto.vsstb";
  int64_t a[8] = {0}, next = 0;
  (void)next; /* the post-update result is the caller's (ptk_v_post) */
  int rc;
  if (post && (rc = addr_of(op, p, repeat_stride, 32, &next))) return rc;
  for (unsigned k = 0; k < 8; k++) {
    if (!mbit(m, 4 * k)) continue;
    if ((rc = blk_addr(op, p, block_stride, repeat_stride, k, post, &a[k])) ||
        (rc = need(op, "destination block", p, a[k], 32)))
      return rc;
  }
  uint8_t t[256];
  memcpy(t, v->b, 256); /* v may live in the memory written */
  for (unsigned k = 0; k < 8; k++)
    if (mbit(m, 4 * k)) memcpy(p->base + a[k], t + 32 * k, 32);
  return 0;
}

/* ---- unaligned streams ------------------------------------------------------------------ */

static int64_t floor32(int64_t a) { return a & ~(int64_t)31; }

int ptk_v_vldas(ptk_valign *out, ptk_vptr p_v) {
  const ptk_vptr *p = &p_v;
  static const char op[] = "pto.vldas";
  int64_t A = p->off, b = floor32(A);
  int rc = need(op, "source", p, A, 1);
  if (rc) return rc;
  ptk_valign r;
  memset(&r, 0, sizeof r);
  int64_t k = p->cap - b < 32 ? p->cap - b : 32; /* a block cut by the memory's end */
  memcpy(r.b, p->base + b, (size_t)k);
  r.n = 32;
  *out = r;
  return 0;
}

int ptk_v_vldus(ptk_vreg *dst, ptk_valign *aout, ptk_vptr p_v, const ptk_valign *ain) {
  const ptk_vptr *p = &p_v;
  static const char op[] = "pto.vldus";
  int64_t A = p->off;
  int rc = need(op, "source", p, A, 1);
  if (rc) return rc;
  int64_t head = ain->n >= 32 ? 32 - (A & 31) : 0; /* bytes taken from the carrier */
  if ((rc = need(op, "source", p, A + head, 256 - head))) return rc;
  ptk_vreg r;
  memcpy(r.b, ain->b + (A & 31), (size_t)head);
  memcpy(r.b + head, p->base + A + head, (size_t)(256 - head));
  ptk_valign na;
  memset(&na, 0, sizeof na);
  int64_t nb = floor32(A + 256);
  if (nb + 32 <= p->cap) { /* the next block, if the memory has it */
    memcpy(na.b, p->base + nb, 32);
    na.n = 32;
  }
  *dst = r;
  *aout = na;
  return 0;
}

/* Append len bytes at stream position P: the carrier's n bytes sit at
 * [P-n, P); whole 32-byte blocks are written, the tail is kept. */
static int stream_put(const char *op, ptk_valign *aout, const ptk_valign *ain, const ptk_vptr *p,
                      int64_t P, const uint8_t *data, int64_t len) {
  if (len < 0 || len > 256)
    return ptk_isa__fail(PTK_ISA_EARG, "%s: %lld bytes appended (0..256)", op, (ll)len);
  int64_t n = ain->n > 32 ? 32 : ain->n;
  uint8_t t[288];
  memcpy(t, ain->b, (size_t)n);
  memcpy(t + n, data, (size_t)len);
  int64_t start = P - n, end = P + len, cut = floor32(end);
  if (cut < start) cut = start;
  int rc = need(op, "destination", p, start, cut - start);
  if (rc) return rc;
  if (cut > start) memcpy(p->base + start, t, (size_t)(cut - start));
  ptk_valign r;
  memset(&r, 0, sizeof r);
  memcpy(r.b, t + (cut - start), (size_t)(end - cut));
  r.n = (uint32_t)(end - cut);
  *aout = r;
  return 0;
}

int ptk_v_vstus(ptk_valign *aout, const ptk_valign *ain, int64_t off, unsigned esz,
                const ptk_vreg *v, ptk_vptr p_v) {
  const ptk_vptr *p = &p_v;
  if (!esz_ok(esz) || off < 0 || off > 256)
    return ptk_isa__fail(PTK_ISA_EARG, "pto.vstus: offset %lld of %u-byte elements", (ll)off, esz);
  return stream_put("pto.vstus", aout, ain, p, p->off, v->b, off * (int64_t)esz);
}

int ptk_v_vstur(ptk_valign *aout, const ptk_valign *ain, const ptk_vreg *v, ptk_vptr p_v,
                int64_t *ar, int64_t nbytes, bool post) {
  const ptk_vptr *p = &p_v;
  int64_t P;
  if (__builtin_add_overflow(p->off, *ar, &P))
    return ptk_isa__fail(PTK_ISA_ESHAPE, "pto.vstur: address overflows");
  int rc = stream_put("pto.vstur", aout, ain, p, P, v->b, nbytes);
  if (!rc && post) *ar += nbytes;
  return rc;
}

static int flush(const char *op, const ptk_valign *a, const ptk_vptr *p, int64_t F) {
  int64_t n = a->n > 32 ? 32 : a->n;
  int rc = need(op, "destination", p, F - n, n);
  if (rc) return rc;
  if (n) memcpy(p->base + F - n, a->b, (size_t)n);
  return 0;
}

int ptk_v_vstas(const ptk_valign *a, ptk_vptr p_v, int64_t off, unsigned esz) {
  const ptk_vptr *p = &p_v;
  int64_t F = 0;
  int rc = addr_of("pto.vstas", p, off, esz, &F);
  return rc ? rc : flush("pto.vstas", a, p, F);
}

int ptk_v_vstar(const ptk_valign *a, ptk_vptr p_v, int64_t ar) {
  const ptk_vptr *p = &p_v;
  int64_t F = 0;
  if (__builtin_add_overflow(p->off, ar, &F))
    return ptk_isa__fail(PTK_ISA_ESHAPE, "pto.vstar: address overflows");
  return flush("pto.vstar", a, p, F);
}

int ptk_v_pstu(ptk_valign *aout, const ptk_valign *ain, const ptk_vmask *m,
               unsigned gran, ptk_vptr p_v) {
  const ptk_vptr *p = &p_v;
  if (gran != 2 && gran != 4)
    return ptk_isa__fail(PTK_ISA_EARG, "pto.pstu: mask granularity b%u (b16 or b32)", gran * 8);
  uint8_t t[16] = {0};
  unsigned lanes = 256 / gran;
  for (unsigned i = 0; i < lanes; i++)
    if (mbit(m, i * gran)) t[i >> 3] = (uint8_t)(t[i >> 3] | (1u << (i & 7)));
  return stream_put("pto.pstu", aout, ain, p, p->off, t, lanes / 8);
}

/* ---- gather / scatter -------------------------------------------------------------------- */

int ptk_v_vgather2(ptk_isa_dtype dt, ptk_vreg *dst, ptk_vptr p_v, const ptk_vreg *offs,
                   unsigned osz, const ptk_vmask *m) {
  const ptk_vptr *p = &p_v;
  static const char op[] = "pto.vgather2";
  unsigned w = dt < PTK_ISA_NDTYPES && dt != PTK_ISA_I1 ? (unsigned)ptk_isa_dtype_size(dt) : 0;
  if (w != 1 && w != 2 && w != 4)
    return ptk_isa__fail(PTK_ISA_EDTYPE, "%s: element type %s (8, 16 or 32 bits)", op,
                         dt < PTK_ISA_NDTYPES ? ptk_isa_dtype_name(dt) : "?");
  if (osz != 2 && osz != 4)
    return ptk_isa__fail(PTK_ISA_EARG, "%s: offsets of %u bytes (2 or 4)", op, osz);
  unsigned lane = w < 2 ? 2 : w, n = 256 / (lane > osz ? lane : osz);
  ptk_vreg r;
  memset(r.b, 0, 256);
  for (unsigned i = 0; i < n; i++) {
    if (!mbit(m, i * lane)) continue;
    uint64_t o = ld_u(offs->b + i * osz, osz);
    int64_t a = 0;
    int rc = addr_of(op, p, (int64_t)o, w, &a);
    if (rc) return rc;
    if (a < 0 || !p->base || a > p->cap - (int64_t)w)
      return ptk_isa__fail(PTK_ISA_ESHAPE,
                           "%s: lane %u (offset %llu) reads bytes [%lld, %lld) outside the "
                           "%lld-byte memory",
                           op, i, (unsigned long long)o, (ll)a, (ll)a + w, (ll)p->cap);
    memcpy(r.b + i * lane, p->base + a, w); /* 8-bit: zero-extended (r is 0) */
  }
  *dst = r;
  return 0;
}

int ptk_v_vgatherb(ptk_vreg *dst, ptk_vptr p_v, const ptk_vreg *offs, const ptk_vmask *m) {
  const ptk_vptr *p = &p_v;
  static const char op[] = "pto.vgatherb";
  ptk_vreg r;
  memset(r.b, 0, 256);
  for (unsigned k = 0; k < 8; k++) {
    if (!mbit(m, 4 * k)) continue;
    uint64_t o = ld_u(offs->b + 4 * k, 4);
    int64_t a = p->off + (int64_t)o; /* o < 2^32: no overflow for sane offsets */
    if (p->off > INT64_MAX - (int64_t)o || a < 0 || !p->base || a > p->cap - 32)
      return ptk_isa__fail(PTK_ISA_ESHAPE,
                           "%s: block %u (offset %llu) reads bytes [%lld, %lld) outside the "
                           "%lld-byte memory",
                           op, k, (unsigned long long)o, (ll)a, (ll)a + 32, (ll)p->cap);
    memcpy(r.b + 32 * k, p->base + a, 32);
  }
  *dst = r;
  return 0;
}

int ptk_v_vscatter(unsigned esz, const ptk_vreg *v, ptk_vptr p_v, const ptk_vreg *offs,
                   unsigned osz, const ptk_vmask *m) {
  const ptk_vptr *p = &p_v;
  static const char op[] = "pto.vscatter";
  if (esz != 1 && esz != 2 && esz != 4)
    return ptk_isa__fail(PTK_ISA_EDTYPE, "%s: %u-byte elements (b8, b16 or b32)", op, esz);
  if (osz != 2 && osz != 4)
    return ptk_isa__fail(PTK_ISA_EARG, "%s: offsets of %u bytes (2 or 4)", op, osz);
  unsigned n = 256 / (esz > osz ? esz : osz);
  int64_t a[128] = {0};
  for (unsigned i = 0; i < n; i++) {
    if (!mbit(m, i * esz)) continue;
    uint64_t o = ld_u(offs->b + i * osz, osz);
    int rc = addr_of(op, p, (int64_t)o, esz, &a[i]);
    if (rc) return rc;
    if (a[i] < 0 || !p->base || a[i] > p->cap - (int64_t)esz)
      return ptk_isa__fail(PTK_ISA_ESHAPE,
                           "%s: lane %u (offset %llu) writes bytes [%lld, %lld) outside the "
                           "%lld-byte memory",
                           op, i, (unsigned long long)o, (ll)a[i], (ll)a[i] + esz, (ll)p->cap);
  }
  uint8_t t[256];
  memcpy(t, v->b, 256);
  for (unsigned i = 0; i < n; i++)
    if (mbit(m, i * esz)) memcpy(p->base + a[i], t + i * esz, esz);
  return 0;
}

/* ---- predicates ---------------------------------------------------------------------------- */

static bool bit_of(const uint8_t *b, unsigned j) { return (b[j >> 3] >> (j & 7)) & 1; }

int ptk_v_plds(int dist, ptk_vmask *dst, ptk_vptr p_v, int64_t idx, unsigned esz) {
  const ptk_vptr *p = &p_v;
  static const char op[] = "pto.plds";
  if (!esz_ok(esz)) return ptk_isa__fail(PTK_ISA_EARG, "%s: bad element size %u", op, esz);
  int64_t foot = dist == PTK_VPLD_NORM ? 32 : dist == PTK_VPLD_US ? 16 : dist == PTK_VPLD_DS ? 64 : 0;
  if (!foot) return ptk_isa__fail(PTK_ISA_EARG, "%s: bad distribution %d", op, dist);
  int64_t A = 0;
  int rc = addr_of(op, p, idx, esz, &A);
  if (rc || (rc = need(op, "source", p, A, foot))) return rc;
  const uint8_t *s = p->base + A;
  ptk_vmask r;
  memset(r.b, 0, sizeof r.b);
  for (unsigned j = 0; j < 256; j++) {
    bool on = dist == PTK_VPLD_NORM ? bit_of(s, j) : dist == PTK_VPLD_US ? bit_of(s, j / 2)
                                                                         : bit_of(s, 2 * j);
    ptk_vmask_set(&r, j, on);
  }
  *dst = r;
  return 0;
}

int ptk_v_psts(int dist, const ptk_vmask *m, ptk_vptr p_v, int64_t idx, unsigned esz) {
  const ptk_vptr *p = &p_v;
  static const char op[] = "pto.psts";
  if (!esz_ok(esz)) return ptk_isa__fail(PTK_ISA_EARG, "%s: bad element size %u", op, esz);
  if (dist != PTK_VPST_NORM && dist != PTK_VPST_PK)
    return ptk_isa__fail(PTK_ISA_EARG, "%s: bad distribution %d", op, dist);
  int64_t foot = dist == PTK_VPST_NORM ? 32 : 16, A = 0;
  int rc = addr_of(op, p, idx, esz, &A);
  if (rc || (rc = need(op, "destination", p, A, foot))) return rc;
  uint8_t t[32] = {0};
  if (dist == PTK_VPST_NORM)
    memcpy(t, m->b, 32);
  else
    for (unsigned j = 0; j < 128; j++)
      if (mbit(m, 2 * j)) t[j >> 3] = (uint8_t)(t[j >> 3] | (1u << (j & 7)));
  memcpy(p->base + A, t, (size_t)foot);
  return 0;
}

/* ---- scalars --------------------------------------------------------------------------------- */

int ptk_v_ld_scalar(void *out, ptk_vptr p_v, int64_t idx, unsigned esz) {
  const ptk_vptr *p = &p_v;
  static const char op[] = "pto.load_scalar";
  if (!esz_ok(esz)) return ptk_isa__fail(PTK_ISA_EARG, "%s: bad element size %u", op, esz);
  int64_t A = 0;
  int rc = addr_of(op, p, idx, esz, &A);
  if (rc || (rc = need(op, "source", p, A, esz))) return rc;
  memcpy(out, p->base + A, esz);
  return 0;
}

int ptk_v_st_scalar(const void *in, ptk_vptr p_v, int64_t idx, unsigned esz) {
  const ptk_vptr *p = &p_v;
  static const char op[] = "pto.store_scalar";
  if (!esz_ok(esz)) return ptk_isa__fail(PTK_ISA_EARG, "%s: bad element size %u", op, esz);
  int64_t A = 0;
  int rc = addr_of(op, p, idx, esz, &A);
  if (rc || (rc = need(op, "destination", p, A, esz))) return rc;
  memcpy(p->base + A, in, esz);
  return 0;
}
