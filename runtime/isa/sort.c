/* tsort32 and tmrgsort: sorting into 8-byte (value, index) structures
 * (runtime/isa/README.md, "tsort32", "tmrgsort"). */
#include <stdlib.h>

#include "runtime/isa/internal.h"

/* One sort entry: the value (as f32: exact for f16), its u32 index and its
 * position (the tie-break that keeps the sort stable). */
typedef struct {
  float v;
  uint32_t bits; /* the value's bits in the tile dtype (copied, never re-rounded) */
  uint32_t idx;
  uint32_t pos;
} sort_ent;

static sort_ent load_val(ptk_isa_dtype dt, const uint8_t *p) {
  sort_ent x = {0, 0, 0, 0};
  x.v = ptk_isa__ld_f(dt, p);
  memcpy(&x.bits, p, ptk_isa_dtype_size(dt)); /* little-endian host */
  return x;
}

/* The descending order of the sort: a before b when a's value is greater; a
 * NaN counts as greater than every number (it sorts first, NaNs among
 * themselves by position); equal values keep their positions. */
static bool ent_before(const sort_ent *a, const sort_ent *b) {
  bool an = isnan(a->v), bn = isnan(b->v);
  if (an != bn) return an;
  if (!an && a->v != b->v) return a->v > b->v;
  return a->pos < b->pos;
}

static int ent_cmp(const void *x, const void *y) {
  const sort_ent *a = x, *b = y;
  return ent_before(a, b) ? -1 : ent_before(b, a) ? 1 : 0;
}

static bool sort_dtype_ok(ptk_isa_dtype t) { return t == PTK_ISA_F32 || t == PTK_ISA_F16; }

/* Elements of the tile dtype per 8-byte structure: 2 for f32, 4 for f16. */
static int32_t per_struct(ptk_isa_dtype t) { return (int32_t)(8 / ptk_isa_dtype_size(t)); }

/* Structure e of row r of a tile of f32 or f16 elements: f32 = value, index
 * bits; f16 = value, 0, index low half, index high half (little-endian
 * bytes: value | 2 zero bytes | u32 index). */
static void put_struct(const ptk_isa_lay *L, ptk_isa_dtype dt, int32_t r, int64_t e,
                       const sort_ent *x) {
  int32_t k = per_struct(dt), c = (int32_t)(e * k);
  memcpy(ptk_isa__ptr(L, r, c), &x->bits, ptk_isa_dtype_size(dt));
  if (dt == PTK_ISA_F32) {
    memcpy(ptk_isa__ptr(L, r, c + 1), &x->idx, 4);
  } else {
    uint16_t z = 0, lo = (uint16_t)(x->idx & 0xFFFFu), hi = (uint16_t)(x->idx >> 16);
    memcpy(ptk_isa__ptr(L, r, c + 1), &z, 2);
    memcpy(ptk_isa__ptr(L, r, c + 2), &lo, 2);
    memcpy(ptk_isa__ptr(L, r, c + 3), &hi, 2);
  }
}

static sort_ent get_struct(const ptk_isa_lay *L, ptk_isa_dtype dt, int32_t r, int64_t e) {
  int32_t k = per_struct(dt), c = (int32_t)(e * k);
  sort_ent x = load_val(dt, ptk_isa__ptr(L, r, c));
  if (dt == PTK_ISA_F32) {
    memcpy(&x.idx, ptk_isa__ptr(L, r, c + 1), 4);
  } else {
    uint16_t lo, hi;
    memcpy(&lo, ptk_isa__ptr(L, r, c + 2), 2);
    memcpy(&hi, ptk_isa__ptr(L, r, c + 3), 2);
    x.idx = (uint32_t)lo | (uint32_t)hi << 16;
  }
  return x;
}

static int need_vec(const ptk_tile *t, const char *op, const char *what) {
  if (t->loc != PTK_ISA_VEC)
    return ptk_isa__fail(PTK_ISA_ELAYOUT, "%s: %s is not a vec tile", op, what);
  return 0;
}

/* ---- tsort32 ------------------------------------------------------------------------------------ */

int ptk_isa_tsort32(const ptk_tile *dst, const ptk_tile *src, const ptk_tile *idx,
                    const ptk_tile *tmp) {
  ptk_isa_lay DL, SL, IL;
  int rc = ptk_isa__prep(dst, "tsort32", "dst", &DL);
  if (rc || (rc = ptk_isa__prep(src, "tsort32", "src", &SL)) ||
      (rc = ptk_isa__prep(idx, "tsort32", "idx", &IL)))
    return rc;
  if (tmp && (rc = ptk_isa_tile_check(tmp))) return rc;
  if (src->dtype != dst->dtype || !sort_dtype_ok(dst->dtype))
    return ptk_isa__fail(PTK_ISA_EDTYPE, "tsort32: src and dst must both be f16 or f32 (src %s, dst %s)",
                         ptk_isa_dtype_name(src->dtype), ptk_isa_dtype_name(dst->dtype));
  if (idx->dtype != PTK_ISA_I32 && idx->dtype != PTK_ISA_U32)
    return ptk_isa__fail(PTK_ISA_EDTYPE, "tsort32: idx must be i32 or u32, not %s",
                         ptk_isa_dtype_name(idx->dtype));
  if ((rc = need_vec(dst, "tsort32", "dst")) || (rc = need_vec(src, "tsort32", "src")) ||
      (rc = need_vec(idx, "tsort32", "idx")))
    return rc;
  int32_t rows = dst->vrows, n = src->vcols, k = per_struct(dst->dtype);
  if (n % 32 && !tmp)
    return ptk_isa__fail(PTK_ISA_EARG,
                         "tsort32: %d valid columns are not a multiple of 32; the tail block "
                         "needs the tmp operand",
                         (int)n);
  /* idx with one valid row is shared by every row (the A5 template) */
  bool shared = idx->vrows == 1;
  if ((rc = ptk_isa__need(src, rows, n, "tsort32", "src")) ||
      (rc = ptk_isa__need(idx, shared ? 1 : rows, n, "tsort32", "idx")))
    return rc;
  if ((int64_t)n * k > dst->cols)
    return ptk_isa__fail(PTK_ISA_ESHAPE, "tsort32: dst has %d columns, %d structures need %lld",
                         (int)dst->cols, (int)n, (long long)n * k);
  sort_ent blk[32];
  for (int32_t r = 0; r < rows; r++) {
    for (int32_t b0 = 0; b0 < n; b0 += 32) {
      int32_t len = n - b0 < 32 ? n - b0 : 32;
      for (int32_t j = 0; j < len; j++) {
        blk[j] = load_val(src->dtype, ptk_isa__ptr(&SL, r, b0 + j));
        blk[j].idx = (uint32_t)ptk_isa__ld_i(PTK_ISA_U32, ptk_isa__ptr(&IL, shared ? 0 : r, b0 + j));
        blk[j].pos = (uint32_t)j;
      }
      /* a short tail block is padded with -inf, which sorts after every
       * valid element (stable): the valid elements come out first, in order,
       * and only they are written */
      qsort(blk, (size_t)len, sizeof blk[0], ent_cmp);
      for (int32_t j = 0; j < len; j++) put_struct(&DL, dst->dtype, r, b0 + j, &blk[j]);
    }
  }
  return PTK_ISA_OK;
}

/* ---- tmrgsort ------------------------------------------------------------------------------------- */

/* Stable descending merge of up to 4 sorted lists (ties: the lower list
 * first). `stop_early`: stop after the structure that empties a list.
 * Writes at most `cap` structures through put(); returns how many. */
typedef struct {
  const ptk_isa_lay *L;
  ptk_isa_dtype dt;
  int64_t at, n; /* next structure, end */
} mlist;

static int64_t merge_lists(mlist *ls, int nl, bool stop_early, const ptk_isa_lay *OL,
                           ptk_isa_dtype odt, int64_t out0, int64_t cap) {
  int64_t w = 0;
  while (w < cap) {
    int best = -1;
    sort_ent be = {0, 0, 0, 0};
    for (int i = 0; i < nl; i++) {
      if (ls[i].at >= ls[i].n) continue;
      sort_ent e = get_struct(ls[i].L, ls[i].dt, 0, ls[i].at);
      e.pos = (uint32_t)i;
      if (best < 0 || ent_before(&e, &be)) best = i, be = e;
    }
    if (best < 0) break;
    put_struct(OL, odt, 0, out0 + w++, &be);
    if (++ls[best].at == ls[best].n && stop_early) break;
  }
  return w;
}

int ptk_isa_tmrgsort(const ptk_tile *dst, const ptk_tile *src0, const ptk_tile *t2,
                     const ptk_tile *t3, const ptk_tile *t4, const ptk_tile *t5,
                     int64_t block_len, bool exhausted) {
  ptk_isa_lay DL, L[5];
  int rc = ptk_isa__prep(dst, "tmrgsort", "dst", &DL);
  if (rc) return rc;
  const ptk_tile *ts[5] = {src0, t2, t3, t4, t5};
  int nt = 1;
  while (nt < 5 && ts[nt]) nt++;
  for (int i = nt; i < 5; i++)
    if (ts[i])
      return ptk_isa__fail(PTK_ISA_EARG, "tmrgsort: operands out of order");
  static const char *const names[5] = {"src0", "src1", "src2", "src3", "src4"};
  for (int i = 0; i < nt; i++)
    if ((rc = ptk_isa__prep(ts[i], "tmrgsort", names[i], &L[i]))) return rc;
  if (!sort_dtype_ok(dst->dtype))
    return ptk_isa__fail(PTK_ISA_EDTYPE, "tmrgsort: dst must be f16 or f32, not %s",
                         ptk_isa_dtype_name(dst->dtype));
  for (int i = 0; i < nt; i++) {
    if (ts[i]->dtype != dst->dtype)
      return ptk_isa__fail(PTK_ISA_EDTYPE, "tmrgsort: %s is %s, dst %s",
                           i == nt - 1 && nt > 1 ? "tmp" : names[i],
                           ptk_isa_dtype_name(ts[i]->dtype), ptk_isa_dtype_name(dst->dtype));
    if ((rc = need_vec(ts[i], "tmrgsort", names[i]))) return rc;
  }
  if ((rc = need_vec(dst, "tmrgsort", "dst"))) return rc;
  int32_t k = per_struct(dst->dtype);
  ptk_isa_dtype dt = dst->dtype;
  if (nt == 1) {
    /* format 1: ins(src, blockLen) outs(dst). blockLen counts elements:
     * lists of blockLen*size/8 structures, merged 4 at a time. */
    if (block_len <= 0 || block_len % k)
      return ptk_isa__fail(PTK_ISA_EARG,
                           "tmrgsort: blockLen %lld is not a positive multiple of %d elements",
                           (long long)block_len, (int)k);
    int64_t per = block_len / k, n = src0->vcols / k, groups = n / (4 * per);
    if ((rc = ptk_isa__need(src0, 1, (int32_t)(groups * 4 * per * k), "tmrgsort", "src")) ||
        (rc = ptk_isa__need(dst, 1, (int32_t)(groups * 4 * per * k), "tmrgsort", "dst")))
      return rc;
    if (groups == 0) return PTK_ISA_OK;
    /* staged: dst may be src */
    size_t total = (size_t)(groups * 4 * per);
    sort_ent *buf = malloc(total * sizeof *buf);
    if (!buf) return ptk_isa__fail(PTK_ISA_EARG, "tmrgsort: out of memory");
    for (size_t e = 0; e < total; e++) buf[e] = get_struct(&L[0], dt, 0, (int64_t)e);
    for (int64_t g = 0; g < groups; g++) {
      sort_ent *grp = buf + g * 4 * per;
      int64_t at[4] = {0, per, 2 * per, 3 * per};
      for (int64_t w = 0; w < 4 * per; w++) {
        int best = -1;
        for (int i = 0; i < 4; i++) {
          if (at[i] >= (i + 1) * per) continue;
          sort_ent e = grp[at[i]];
          e.pos = (uint32_t)i;
          sort_ent be = best < 0 ? e : grp[at[best]];
          be.pos = (uint32_t)best;
          if (best < 0 || ent_before(&e, &be)) best = i;
        }
        put_struct(&DL, dt, 0, g * 4 * per + w, &grp[at[best]++]);
      }
    }
    free(buf);
    return PTK_ISA_OK;
  }
  /* format 2: ins(src0 .. src{n-1}, tmp) outs(dst, executed): merge the
   * lists into tmp (as many structures as tmp holds), then copy dst's
   * valid columns from tmp. */
  int nl = nt - 1;
  if (nl < 2)
    return ptk_isa__fail(PTK_ISA_EARG, "tmrgsort: 2 to 4 lists and a tmp tile are needed");
  const ptk_tile *tmp = ts[nt - 1];
  const ptk_isa_lay *TL = &L[nt - 1];
  mlist ls[4];
  for (int i = 0; i < nl; i++) {
    ls[i].L = &L[i], ls[i].dt = dt, ls[i].at = 0, ls[i].n = ts[i]->vcols / k;
    if ((rc = ptk_isa__need(ts[i], 1, (int32_t)(ls[i].n * k), "tmrgsort", names[i]))) return rc;
  }
  if (tmp->rows < 1)
    return ptk_isa__fail(PTK_ISA_ESHAPE, "tmrgsort: tmp has no rows");
  if ((rc = ptk_isa__need(dst, 1, dst->vcols, "tmrgsort", "dst"))) return rc;
  if (dst->vcols > tmp->cols)
    return ptk_isa__fail(PTK_ISA_ESHAPE, "tmrgsort: tmp has %d columns, dst %d valid",
                         (int)tmp->cols, (int)dst->vcols);
  /* the lists may alias tmp or dst only in ways the IR does not define;
   * merging into tmp first follows the hardware */
  merge_lists(ls, nl, exhausted, TL, dt, 0, tmp->cols / k);
  for (int32_t c = 0; c < dst->vcols; c++)
    memcpy(ptk_isa__ptr(&DL, 0, c), ptk_isa__ptr(TL, 0, c), DL.esz);
  return PTK_ISA_OK;
}
