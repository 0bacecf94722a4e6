/* Data movement: GM <-> tile (tload, tstore) and tile <-> tile (tmov,
 * textract, tinsert, ttrans, tfillpad). */
#include <pthread.h>

#include "runtime/isa/internal.h"

/* ---- saturating index arithmetic (view values come from user programs) ---------------- */

#define BIG ((int64_t)1 << 62)
static int64_t smul(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r) || r > BIG || r < -BIG)
    return (a < 0) != (b < 0) ? -BIG : BIG;
  return r;
}
static int64_t sadd(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r) || r > BIG || r < -BIG) return a < 0 ? -BIG : BIG;
  return r;
}

/* ---- GM view mapping --------------------------------------------------------------------- */

/* Normalised view: rows map through dims [rlo, rhi) (row-major), columns
 * through the optional outer dims [clo, chi) and the inner dim `cin`. */
typedef struct {
  int n;
  const int64_t *shape, *stride;
  bool dn;            /* DN with rank >= 3 */
  int64_t rows, cols; /* what the view holds in this mapping */
} gmap;

static int gmap_init(const ptk_gm_view *v, const char *op, gmap *g) {
  if (v->rank < 1 || v->rank > 5)
    return ptk_isa__fail(PTK_ISA_EARG, "%s: view rank %d is not in 1..5", op, v->rank);
  if (v->layout != PTK_ISA_GM_ND && v->layout != PTK_ISA_GM_DN)
    return ptk_isa__fail(PTK_ISA_ELAYOUT, "%s: only ND and DN views are supported", op);
  for (int d = 0; d < v->rank; d++)
    if (v->shape[d] < 0)
      return ptk_isa__fail(PTK_ISA_EARG, "%s: view dim %d has negative size %lld", op, d,
                           (long long)v->shape[d]);
  g->n = v->rank;
  g->shape = v->shape;
  g->stride = v->stride;
  g->dn = v->layout == PTK_ISA_GM_DN && v->rank >= 3;
  int n = g->n;
  if (n == 1) {
    g->rows = 1;
    g->cols = v->shape[0];
  } else if (!g->dn) {
    g->rows = 1;
    for (int d = 0; d < n - 1; d++) g->rows = smul(g->rows, v->shape[d]);
    g->cols = v->shape[n - 1];
  } else {
    g->rows = v->shape[n - 2];
    g->cols = v->shape[n - 1];
    for (int d = 0; d < n - 2; d++) g->cols = smul(g->cols, v->shape[d]);
  }
  return PTK_ISA_OK;
}

/* Index idx split row-major over dims [lo, hi), as an element offset. */
static int64_t split_off(const gmap *g, int64_t idx, int lo, int hi) {
  int64_t off = 0;
  for (int d = hi - 1; d >= lo; d--) {
    int64_t s = g->shape[d] > 0 ? g->shape[d] : 1;
    off = sadd(off, smul(idx % s, g->stride[d]));
    idx /= s;
  }
  return off;
}
static int64_t row_off(const gmap *g, int64_t r) {
  if (g->n == 1) return 0;
  if (g->n == 2) return smul(r, g->stride[0]);
  if (!g->dn) return split_off(g, r, 0, g->n - 1);
  return smul(r, g->stride[g->n - 2]);
}
static int64_t col_off(const gmap *g, int64_t c) {
  int n = g->n;
  if (!g->dn) return smul(c, g->stride[n - 1]);
  int64_t in = g->shape[n - 1] > 0 ? g->shape[n - 1] : 1;
  return sadd(smul(c % in, g->stride[n - 1]), split_off(g, c / in, 0, n - 2));
}
/* Constant column step if columns are linear (ND, or DN rank <= 2). */
static int64_t col_step(const gmap *g) { return g->stride[g->n - 1]; }
/* Constant row step if rows are linear. */
static bool rows_linear(const gmap *g, int64_t *step) {
  if (g->n == 1) {
    *step = 0;
    return true;
  }
  if (g->dn || g->n == 2) {
    *step = g->stride[g->n - 2];
    return true;
  }
  return false;
}

static int32_t clip(int64_t want, int64_t have) { return (int32_t)(want < have ? want : have); }

int ptk_isa_transfer_shape(const ptk_tile *t, const ptk_gm_view *v, int32_t *rows, int32_t *cols) {
  gmap g;
  int rc = gmap_init(v, "transfer", &g);
  if (rc) return rc;
  *rows = clip(t->vrows, g.rows);
  *cols = clip(t->vcols, g.cols);
  if (*rows <= 0 || *cols <= 0) *rows = *cols = 0;
  return PTK_ISA_OK;
}

int ptk_isa_gm_extent(const ptk_gm_view *v, int32_t rows, int32_t cols, int64_t *lo, int64_t *hi) {
  gmap g;
  *lo = 0;
  *hi = -1;
  int rc = gmap_init(v, "extent", &g);
  if (rc) return rc;
  if (rows <= 0 || cols <= 0) return PTK_ISA_OK;
  int64_t rmin = INT64_MAX, rmax = INT64_MIN, cmin = INT64_MAX, cmax = INT64_MIN;
  for (int32_t r = 0; r < rows; r++) {
    int64_t o = row_off(&g, r);
    if (o < rmin) rmin = o;
    if (o > rmax) rmax = o;
  }
  if (!g.dn) {
    int64_t a = 0, b = col_off(&g, cols - 1);
    cmin = a < b ? a : b;
    cmax = a < b ? b : a;
  } else {
    for (int32_t c = 0; c < cols; c++) {
      int64_t o = col_off(&g, c);
      if (o < cmin) cmin = o;
      if (o > cmax) cmax = o;
    }
  }
  *lo = sadd(rmin, cmin);
  *hi = sadd(rmax, cmax);
  return PTK_ISA_OK;
}

static inline void copy_n(uint8_t *d, const uint8_t *s, size_t esz) {
  switch (esz) {
  case 1: *d = *s; break;
  case 2: memcpy(d, s, 2); break;
  case 4: memcpy(d, s, 4); break;
  default: memcpy(d, s, 8); break;
  }
}

/* k elements of esz bytes from s (stride ss elements) to d (stride ds). */
static void strided_copy(uint8_t *d, int64_t ds, const uint8_t *s, int64_t ss, int32_t k,
                         size_t esz) {
  switch (esz) {
  case 1:
    for (int32_t j = 0; j < k; j++) d[j * ds] = s[j * ss];
    break;
  case 2: {
    uint16_t *dd = (uint16_t *)(void *)d;
    const uint16_t *sp = (const uint16_t *)(const void *)s;
    for (int32_t j = 0; j < k; j++) dd[j * ds] = sp[j * ss];
    break;
  }
  case 4: {
    uint32_t *dd = (uint32_t *)(void *)d;
    const uint32_t *sp = (const uint32_t *)(const void *)s;
    for (int32_t j = 0; j < k; j++) dd[j * ds] = sp[j * ss];
    break;
  }
  default: {
    uint64_t *dd = (uint64_t *)(void *)d;
    const uint64_t *sp = (const uint64_t *)(const void *)s;
    for (int32_t j = 0; j < k; j++) dd[j * ds] = sp[j * ss];
    break;
  }
  }
}

/* Move the rows x cols transfer region between a tile and GM. `load`: GM ->
 * tile bit copy; otherwise tile -> GM through `put` when non-NULL (value
 * conversion), or bit copy. */
typedef void (*put_fn)(const void *ctx, uint8_t *gm, const uint8_t *tile);
static void transfer(const gmap *g, uint8_t *base, size_t gesz, const ptk_isa_lay *L, int32_t rows,
                     int32_t cols, bool load, put_fn put, const void *ctx) {
  size_t esz = L->esz;
  int64_t rstep;
  bool rlin = rows_linear(g, &rstep);
  /* Column-contiguous fast path: col-major tile, linear rows with step 1. */
  if (L->kind == LK_COL && rlin && rstep == 1 && !put) {
    for (int32_t c = 0; c < cols; c++) {
      uint8_t *gp = base + col_off(g, c) * (int64_t)gesz;
      uint8_t *tp = ptk_isa__ptr(L, 0, c);
      if (load)
        memcpy(tp, gp, (size_t)rows * esz);
      else
        memcpy(gp, tp, (size_t)rows * esz);
    }
    return;
  }
  int64_t cstep = col_step(g);
  for (int32_t r = 0; r < rows; r++) {
    int64_t ro = row_off(g, r);
    if (g->dn) {
      for (int32_t c = 0; c < cols; c++) {
        uint8_t *gp = base + (ro + col_off(g, c)) * (int64_t)gesz, *tp = ptk_isa__ptr(L, r, c);
        if (load)
          copy_n(tp, gp, esz);
        else if (put)
          put(ctx, gp, tp);
        else
          copy_n(gp, tp, esz);
      }
      continue;
    }
    /* runs of constant tile stride against a linear GM row */
    for (int32_t c = 0; c < cols;) {
      int64_t tstep;
      int32_t len;
      uint8_t *tp = L->data + ptk_isa__run(L, r, c, &tstep, &len) * (int64_t)esz;
      int32_t k = len < cols - c ? len : cols - c;
      uint8_t *gp = base + (ro + (int64_t)c * cstep) * (int64_t)gesz;
      if (tstep == 1 && cstep == 1 && !put) {
        if (load)
          memcpy(tp, gp, (size_t)k * esz);
        else
          memcpy(gp, tp, (size_t)k * esz);
      } else if (!put) {
        if (load)
          strided_copy(tp, tstep, gp, cstep, k, esz);
        else
          strided_copy(gp, cstep, tp, tstep, k, esz);
      } else {
        int64_t ts = tstep * (int64_t)esz, gs = cstep * (int64_t)gesz;
        for (int32_t j = 0; j < k; j++, tp += ts, gp += gs) {
          if (load)
            copy_n(tp, gp, esz);
          else if (put)
            put(ctx, gp, tp);
          else
            copy_n(gp, tp, esz);
        }
      }
      c += k;
    }
  }
}

/* MX scale tiles (fractal 32, README "Byte formats"): global memory holds
 * the scales in the tile's packed order (the PTOAS goldens pack them before
 * the load), so a transfer copies the storage bytes [0, extent) to or from
 * the view's first element on, as they are. */
static bool mx_scale(const ptk_tile *t) { return t->fractal == 32 && t->slayout != PTK_ISA_NONE_BOX; }

int64_t ptk_isa_mx_scale_extent(const ptk_tile *t) {
  if (!mx_scale(t) || ptk_isa_tile_check(t) || t->vrows <= 0 || t->vcols <= 0) return 0;
  ptk_isa_lay L;
  ptk_isa__lay(t, &L);
  int64_t e = 0;
  for (int32_t r = 0; r < t->vrows; r++)
    for (int32_t c = 0; c < t->vcols; c++) {
      int64_t o = ptk_isa__off(&L, r, c);
      if (o >= e) e = o + 1;
    }
  return e;
}

static int mx_transfer(const char *op, uint8_t *base, const ptk_tile *t, bool load) {
  if (t->r0 || t->c0 || t->srows != t->rows || t->scols != t->cols || ptk_isa_dtype_size(t->dtype) != 1)
    return ptk_isa__fail(PTK_ISA_ELAYOUT, "%s: an MX scale tile (fractal 32) moves whole 1-byte tiles only", op);
  int64_t e = ptk_isa_mx_scale_extent(t), n = (int64_t)t->rows * t->cols;
  if (load) {
    memcpy(t->data, base, (size_t)e);
    memset(t->data + e, 0, (size_t)(n - e));
  } else {
    memcpy(base, t->data, (size_t)e);
  }
  return PTK_ISA_OK;
}

/* A byte format has no max / min pad value. */
static int raw_pad(const ptk_tile *t, const char *op) {
  if (ptk_isa_dtype_is_raw(t->dtype) && (t->pad == PTK_ISA_PAD_MAX || t->pad == PTK_ISA_PAD_MIN))
    return ptk_isa__fail(PTK_ISA_EARG, "%s: %s tiles have no max/min pad value on the host", op,
                         ptk_isa_dtype_name(t->dtype));
  return PTK_ISA_OK;
}

int ptk_isa_tload(const ptk_tile *dst, const ptk_gm_view *v) {
  ptk_isa_lay L;
  gmap g;
  int rc = ptk_isa__prep(dst, "tload", "dst", &L);
  if (rc || (rc = gmap_init(v, "tload", &g)) || (rc = raw_pad(dst, "tload"))) return rc;
  if (ptk_isa_dtype_size(v->dtype) != L.esz)
    return ptk_isa__fail(PTK_ISA_EDTYPE, "tload: %s view into a %s tile (element sizes differ)",
                         ptk_isa_dtype_name(v->dtype), ptk_isa_dtype_name(dst->dtype));
  int32_t rows = clip(dst->vrows, g.rows), cols = clip(dst->vcols, g.cols);
  if (rows <= 0 || cols <= 0) rows = cols = 0;
  if (rows && !v->base) return ptk_isa__fail(PTK_ISA_EARG, "tload: view has no storage");
  if (mx_scale(dst)) return mx_transfer("tload", v->base, dst, true);
  uint8_t pad[8];
  ptk_isa__pad_bits(dst->dtype, dst->pad, pad);
  ptk_isa__fill_outside(dst, &L, rows, cols, pad);
  transfer(&g, v->base, L.esz, &L, rows, cols, true, NULL, NULL);
  return PTK_ISA_OK;
}

typedef struct {
  ptk_isa_dtype gt, st;
  bool relu, atomic;
} store_ctx;

/* Value store of one tile element into GM (conversion, relu, atomic add). */
static void store_put(const void *vctx, uint8_t *gm, const uint8_t *tp) {
  const store_ctx *x = vctx;
  uint8_t v[8];
  memcpy(v, tp, ptk_isa_dtype_size(x->st));
  if (x->relu) {
    if (ptk_isa_dtype_is_float(x->st)) {
      if (ptk_isa__ld_d(x->st, v) < 0) memset(v, 0, 8);
    } else if (!ptk_isa_dtype_is_unsigned(x->st) && ptk_isa__ld_i(x->st, v) < 0) {
      memset(v, 0, 8);
    }
  }
  if (!x->atomic) {
    ptk_isa_convert_elem(x->gt, gm, x->st, v, PTK_ISA_RM_TRUNC, false);
    return;
  }
  uint8_t cv[8];
  ptk_isa_convert_elem(x->gt, cv, x->st, v, PTK_ISA_RM_TRUNC, false);
  if (ptk_isa_dtype_is_float(x->gt)) {
    double s = ptk_isa__ld_d(x->gt, gm) + ptk_isa__ld_d(x->gt, cv);
    ptk_isa_convert_elem(x->gt, gm, PTK_ISA_F64, &s, PTK_ISA_RM_RINT, false);
  } else {
    uint64_t s = (uint64_t)ptk_isa__ld_i(x->gt, gm) + (uint64_t)ptk_isa__ld_i(x->gt, cv);
    ptk_isa__st_i(x->gt, gm, (int64_t)s);
  }
}

static pthread_mutex_t atomic_mu = PTHREAD_MUTEX_INITIALIZER;

int ptk_isa_tstore(const ptk_gm_view *v, const ptk_tile *src, const ptk_isa_store_opts *opts) {
  ptk_isa_lay L;
  gmap g;
  int rc = ptk_isa__prep(src, "tstore", "src", &L);
  if (rc || (rc = gmap_init(v, "tstore", &g))) return rc;
  store_ctx x = {v->dtype, src->dtype, opts && opts->relu, opts && opts->atomic_add};
  bool convert = (src->loc == PTK_ISA_ACC && v->dtype != src->dtype) || x.relu || x.atomic;
  if (convert && ptk_isa_dtype_is_raw(src->dtype))
    return ptk_isa__fail(PTK_ISA_EDTYPE, "tstore: a %s tile is stored as raw bits only (no conversion, relu or atomic add)",
                         ptk_isa_dtype_name(src->dtype));
  if (!convert && ptk_isa_dtype_size(v->dtype) != L.esz)
    return ptk_isa__fail(PTK_ISA_EDTYPE, "tstore: %s tile into a %s view (element sizes differ)",
                         ptk_isa_dtype_name(src->dtype), ptk_isa_dtype_name(v->dtype));
  if (convert && (unsigned)v->dtype >= PTK_ISA_NDTYPES)
    return ptk_isa__fail(PTK_ISA_EDTYPE, "tstore: bad view dtype");
  int32_t rows = clip(src->vrows, g.rows), cols = clip(src->vcols, g.cols);
  if (rows <= 0 || cols <= 0) return PTK_ISA_OK;
  if (!v->base) return ptk_isa__fail(PTK_ISA_EARG, "tstore: view has no storage");
  if (mx_scale(src) && !convert) return mx_transfer("tstore", v->base, src, false);
  if (x.atomic) pthread_mutex_lock(&atomic_mu);
  transfer(&g, v->base, ptk_isa_dtype_size(v->dtype), &L, rows, cols, false,
           convert ? store_put : NULL, &x);
  if (x.atomic) pthread_mutex_unlock(&atomic_mu);
  return PTK_ISA_OK;
}

/* ---- tile to tile -----------------------------------------------------------------------------
 */

/* dst[r,c] = src[r,c] for r < rows, c < cols: bit copy when the dtypes are
 * equal and no relu, else value conversion. */
static void copy_region(const ptk_tile *dst, const ptk_isa_lay *DL, const ptk_tile *src,
                        const ptk_isa_lay *SL, int32_t rows, int32_t cols, bool relu) {
  bool same = dst->dtype == src->dtype && !relu;
  if (same && DL->kind == LK_ROW && SL->kind == LK_ROW) {
    for (int32_t r = 0; r < rows; r++)
      memmove(ptk_isa__row(DL, r), ptk_isa__row(SL, r), (size_t)cols * DL->esz);
    return;
  }
  if (same && DL->kind == LK_COL && SL->kind == LK_COL) {
    for (int32_t c = 0; c < cols; c++)
      memmove(ptk_isa__ptr(DL, 0, c), ptk_isa__ptr(SL, 0, c), (size_t)rows * DL->esz);
    return;
  }
  store_ctx x = {dst->dtype, src->dtype, relu, false};
  size_t desz = DL->esz, sesz = SL->esz;
  for (int32_t r = 0; r < rows; r++)
    for (int32_t c = 0; c < cols;) {
      int64_t ds, ss;
      int32_t dlen, slen;
      uint8_t *dp = DL->data + ptk_isa__run(DL, r, c, &ds, &dlen) * (int64_t)desz;
      uint8_t *sp = SL->data + ptk_isa__run(SL, r, c, &ss, &slen) * (int64_t)sesz;
      int32_t k = dlen < slen ? dlen : slen;
      if (k > cols - c) k = cols - c;
      if (same && ds == 1 && ss == 1) {
        memmove(dp, sp, (size_t)k * desz);
      } else if (same) {
        strided_copy(dp, ds, sp, ss, k, desz);
      } else {
        for (int32_t j = 0; j < k; j++, dp += ds * (int64_t)desz, sp += ss * (int64_t)sesz) {
          if (same)
            copy_n(dp, sp, desz);
          else
            store_put(&x, dp, sp);
        }
      }
      c += k;
    }
}

/* Byte formats move as bits: no conversion, no relu. */
static int raw_copy(const char *op, const ptk_tile *dst, const ptk_tile *src, bool relu) {
  bool raw = ptk_isa_dtype_is_raw(dst->dtype) || ptk_isa_dtype_is_raw(src->dtype);
  if (raw && (dst->dtype != src->dtype || relu))
    return ptk_isa__fail(PTK_ISA_EDTYPE, "%s: %s -> %s: byte formats are copied as bits only", op,
                         ptk_isa_dtype_name(src->dtype), ptk_isa_dtype_name(dst->dtype));
  return PTK_ISA_OK;
}

int ptk_isa_tmov(const ptk_tile *dst, const ptk_tile *src, bool relu) {
  ptk_isa_lay DL, SL;
  int rc = ptk_isa__prep(dst, "tmov", "dst", &DL);
  if (rc || (rc = ptk_isa__prep(src, "tmov", "src", &SL)) || (rc = raw_copy("tmov", dst, src, relu)))
    return rc;
  int32_t rows = dst->vrows < src->vrows ? dst->vrows : src->vrows;
  int32_t cols = dst->vcols < src->vcols ? dst->vcols : src->vcols;
  copy_region(dst, &DL, src, &SL, rows, cols, relu);
  return PTK_ISA_OK;
}

int ptk_isa_textract(const ptk_tile *dst, const ptk_tile *src, int64_t r, int64_t c) {
  ptk_isa_lay DL, SL;
  ptk_tile win;
  int rc = ptk_isa__prep(dst, "textract", "dst", &DL);
  if (rc || (rc = raw_copy("textract", dst, src, false))) return rc;
  /* indices come straight from i64/index scalars: outside int32 is outside the tile */
  bool far = r < INT32_MIN || r > INT32_MAX || c < INT32_MIN || c > INT32_MAX;
  if (far || (rc = ptk_isa_subview(src, (int32_t)r, (int32_t)c, dst->vrows, dst->vcols, dst->vrows,
                                   dst->vcols, &win)))
    return ptk_isa__fail(far ? PTK_ISA_ESHAPE : rc, "textract: %dx%d at (%lld,%lld) is outside the %dx%d source",
                         (int)dst->vrows, (int)dst->vcols, (long long)r, (long long)c, (int)src->rows,
                         (int)src->cols);
  ptk_isa__lay(&win, &SL);
  copy_region(dst, &DL, &win, &SL, dst->vrows, dst->vcols, false);
  return PTK_ISA_OK;
}

int ptk_isa_tinsert(const ptk_tile *dst, const ptk_tile *src, int64_t r, int64_t c) {
  ptk_isa_lay DL, SL;
  ptk_tile win;
  int rc = ptk_isa__prep(src, "tinsert", "src", &SL);
  if (rc || (rc = raw_copy("tinsert", dst, src, false))) return rc;
  /* indices come straight from i64/index scalars: outside int32 is outside the tile */
  bool far = r < INT32_MIN || r > INT32_MAX || c < INT32_MIN || c > INT32_MAX;
  if (far || (rc = ptk_isa_subview(dst, (int32_t)r, (int32_t)c, src->vrows, src->vcols, src->vrows,
                                   src->vcols, &win)))
    return ptk_isa__fail(far ? PTK_ISA_ESHAPE : rc, "tinsert: %dx%d at (%lld,%lld) is outside the %dx%d destination",
                         (int)src->vrows, (int)src->vcols, (long long)r, (long long)c, (int)dst->rows,
                         (int)dst->cols);
  ptk_isa__lay(&win, &DL);
  copy_region(&win, &DL, src, &SL, src->vrows, src->vcols, false);
  return PTK_ISA_OK;
}

int ptk_isa_ttrans(const ptk_tile *dst, const ptk_tile *src) {
  ptk_isa_lay DL, SL;
  int rc = ptk_isa__prep(dst, "ttrans", "dst", &DL);
  if (rc || (rc = ptk_isa__prep(src, "ttrans", "src", &SL))) return rc;
  if (DL.esz != SL.esz)
    return ptk_isa__fail(PTK_ISA_EDTYPE, "ttrans: %s -> %s (element sizes differ)",
                         ptk_isa_dtype_name(src->dtype), ptk_isa_dtype_name(dst->dtype));
  if ((rc = ptk_isa__need(dst, src->vcols, src->vrows, "ttrans", "dst"))) return rc;
  for (int32_t r = 0; r < src->vrows; r++)
    for (int32_t c = 0; c < src->vcols; c++)
      copy_n(ptk_isa__ptr(&DL, c, r), ptk_isa__ptr(&SL, r, c), DL.esz);
  return PTK_ISA_OK;
}

int ptk_isa_tfillpad(const ptk_tile *dst, const ptk_tile *src) {
  ptk_isa_lay DL, SL;
  int rc = ptk_isa__prep(dst, "tfillpad", "dst", &DL);
  if (rc || (rc = ptk_isa__prep(src, "tfillpad", "src", &SL)) || (rc = raw_pad(dst, "tfillpad")))
    return rc;
  if (dst->pad == PTK_ISA_PAD_NULL)
    return ptk_isa__fail(PTK_ISA_EARG, "tfillpad: the destination's pad value is null");
  if ((unsigned)dst->pad > PTK_ISA_PAD_MIN)
    return ptk_isa__fail(PTK_ISA_EARG, "tfillpad: bad pad value %d", (int)dst->pad);
  if (DL.esz != SL.esz)
    return ptk_isa__fail(PTK_ISA_EDTYPE, "tfillpad: %s -> %s (element sizes differ)",
                         ptk_isa_dtype_name(src->dtype), ptk_isa_dtype_name(dst->dtype));
  int32_t rows = src->vrows < dst->rows ? src->vrows : dst->rows;
  int32_t cols = src->vcols < dst->cols ? src->vcols : dst->cols;
  if (rows <= 0 || cols <= 0) rows = cols = 0;
  ptk_tile s = *src;
  s.dtype = dst->dtype; /* bit copy */
  copy_region(dst, &DL, &s, &SL, rows, cols, false);
  uint8_t pad[8];
  ptk_isa__pad_bits(dst->dtype, dst->pad, pad);
  ptk_isa__fill_outside(dst, &DL, rows, cols, pad);
  return PTK_ISA_OK;
}
