/* Data movement: GM <-> tile (tload, tstore) and tile <-> tile (tmov,
 * textract, tinsert, ttrans, tfillpad). */
#include <pthread.h>

#include "runtime/isa/internal.h"
#include "runtime/isa/transpose.h"

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
  bool nz;            /* NZ (rank 5) */
  int64_t rows, cols; /* what the view holds in this mapping */
} gmap;

static int gmap_init(const ptk_gm_view *v, const char *op, gmap *g) {
  if (v->rank < 1 || v->rank > 5)
    return ptk_isa__fail(PTK_ISA_EARG, "%s: view rank %d is not in 1..5", op, v->rank);
  if (v->layout != PTK_ISA_GM_ND && v->layout != PTK_ISA_GM_DN && v->layout != PTK_ISA_GM_NZ)
    return ptk_isa__fail(PTK_ISA_ELAYOUT, "%s: only ND, DN and NZ views are supported", op);
  if (v->layout == PTK_ISA_GM_NZ && v->rank != 5)
    return ptk_isa__fail(PTK_ISA_ELAYOUT, "%s: an NZ view has rank 5, not %d", op, v->rank);
  for (int d = 0; d < v->rank; d++)
    if (v->shape[d] < 0)
      return ptk_isa__fail(PTK_ISA_EARG, "%s: view dim %d has negative size %lld", op, d,
                           (long long)v->shape[d]);
  g->n = v->rank;
  g->shape = v->shape;
  g->stride = v->stride;
  g->dn = v->layout == PTK_ISA_GM_DN && v->rank >= 3;
  g->nz = v->layout == PTK_ISA_GM_NZ;
  int n = g->n;
  if (g->nz) {
    g->rows = smul(v->shape[2], v->shape[3]);
    g->cols = smul(smul(v->shape[0], v->shape[1]), v->shape[4]);
  } else if (n == 1) {
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
  if (g->nz) return split_off(g, r, 2, 4);
  if (!g->dn) return split_off(g, r, 0, g->n - 1);
  return smul(r, g->stride[g->n - 2]);
}
static int64_t col_off(const gmap *g, int64_t c) {
  int n = g->n;
  if (!g->dn && !g->nz) return smul(c, g->stride[n - 1]);
  int64_t in = g->shape[n - 1] > 0 ? g->shape[n - 1] : 1;
  return sadd(smul(c % in, g->stride[n - 1]), split_off(g, c / in, 0, g->nz ? 2 : n - 2));
}
/* Constant column step if columns are linear (ND, or DN rank <= 2; not NZ). */
static int64_t col_step(const gmap *g) { return g->stride[g->n - 1]; }
/* Constant row step if rows are linear. */
static bool rows_linear(const gmap *g, int64_t *step) {
  if (g->n == 1) {
    *step = 0;
    return true;
  }
  if (g->nz) return false;
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

int64_t ptk_isa_gm_offset(const ptk_gm_view *v, int64_t r, int64_t c) {
  gmap g;
  if (gmap_init(v, "offset", &g)) return 0;
  return sadd(row_off(&g, r), col_off(&g, c));
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
  if (!g.dn && !g.nz) {
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

/* ---- separable copies ------------------------------------------------------------------------ */

/* Every tile layout's element offset is a row part plus a column part
 * (ptk_isa__off: off(r, c) = off(r, 0) + off(0, c) - off(0, 0)), and so is
 * a GM view's (row_off + col_off). A copy between two such maps is a double
 * loop over precomputed row and column offsets (element units) instead of a
 * walk of constant-stride runs, which for boxed layouts are a few elements
 * long (a memcpy call per 8 f32). The inner loop runs along the dimension
 * in which the destination is contiguous. Bit copies only; the caller rules
 * out overlapping storage. */
typedef struct {
  int64_t *dr, *dc, *sr, *sc;
} sep_idx;

/* Scratch for the four offset arrays; the caller fills them. */
static sep_idx sep_alloc(int32_t rows, int32_t cols) {
  int64_t *p = ptk_isa__scratch(0, 2 * ((size_t)rows + (size_t)cols) * sizeof(int64_t) + 1);
  sep_idx x = {p, p + rows, p + rows + cols, p + 2 * (size_t)rows + cols};
  return x;
}
static void sep_tile(const ptk_isa_lay *L, int32_t rows, int32_t cols, int64_t *ro, int64_t *co) {
  ptk_isa__offs(L, true, rows, ro);
  ptk_isa__offs(L, false, cols, co);
}

/* The inner dimension cut into segments along which both offsets step by a
 * constant (a box row or column: runs of 8 f32 for 32-byte box rows). A
 * segment is copied for every outer index before the next segment, so the
 * copies walk down a box column (contiguous in a boxed tile) instead of
 * striding across boxes. */
typedef struct {
  int32_t at, len;
  int64_t ds, ss; /* element steps */
} sep_seg;

#define SEP_COPY(T)                                                                                \
  static void sep_copy_##T(T *restrict d, const T *restrict s, const int64_t *dout,                \
                           const int64_t *sout, int32_t nout, const int64_t *din,                  \
                           const int64_t *sin, const sep_seg *seg, int32_t nseg) {                 \
    for (int32_t g = 0; g < nseg; g++) {                                                           \
      T *dg = d + din[seg[g].at];                                                                  \
      const T *sg = s + sin[seg[g].at];                                                            \
      int32_t n = seg[g].len;                                                                      \
      int64_t a = seg[g].ds, b = seg[g].ss;                                                        \
      for (int32_t o = 0; o < nout; o++) {                                                         \
        T *restrict dp = dg + dout[o];                                                             \
        const T *restrict sp = sg + sout[o];                                                       \
        if (a == 1 && b == 1 && n * sizeof(T) == 32)                                               \
          memcpy(dp, sp, 32);                                                                      \
        else if (a == 1 && b == 1)                                                                 \
          memcpy(dp, sp, (size_t)n * sizeof(T));                                                   \
        else                                                                                       \
          for (int32_t j = 0; j < n; j++) dp[j * a] = sp[j * b];                                   \
      }                                                                                            \
    }                                                                                              \
  }
SEP_COPY(uint8_t)
SEP_COPY(uint16_t)
SEP_COPY(uint32_t)
SEP_COPY(uint64_t)

static void sep_copy(uint8_t *d, const uint8_t *s, size_t esz, const sep_idx *x, int32_t rows,
                     int32_t cols, bool inner_rows) {
  const int64_t *dout = inner_rows ? x->dc : x->dr, *sout = inner_rows ? x->sc : x->sr;
  const int64_t *din = inner_rows ? x->dr : x->dc, *sin = inner_rows ? x->sr : x->sc;
  int32_t nout = inner_rows ? cols : rows, nin = inner_rows ? rows : cols;
  sep_seg *seg = ptk_isa__scratch(1, (size_t)nin * sizeof *seg + 1);
  int32_t nseg = 0;
  for (int32_t i = 0; i < nin;) {
    int32_t n = 1;
    int64_t a = i + 1 < nin ? din[i + 1] - din[i] : 1, b = i + 1 < nin ? sin[i + 1] - sin[i] : 1;
    while (i + n < nin && din[i + n] - din[i + n - 1] == a && sin[i + n] - sin[i + n - 1] == b) n++;
    seg[nseg++] = (sep_seg){i, n, a, b};
    i += n;
  }
#define SEP_CALL(T)                                                                                \
  sep_copy_##T((T *)(void *)d, (const T *)(const void *)s, dout, sout, nout, din, sin, seg, nseg)
  switch (esz) {
  case 1: SEP_CALL(uint8_t); break;
  case 2: SEP_CALL(uint16_t); break;
  case 4: SEP_CALL(uint32_t); break;
  default: SEP_CALL(uint64_t); break;
  }
#undef SEP_CALL
}
#ifdef PTK_ISA_TR
#define SEP_SSE 1
/* 4 x 4 32-bit in SSE2 (CPUs without AVX2) */
static inline void tr4x4_32(__m128i v[4]) {
  __m128i a0 = _mm_unpacklo_epi32(v[0], v[1]), a1 = _mm_unpackhi_epi32(v[0], v[1]);
  __m128i a2 = _mm_unpacklo_epi32(v[2], v[3]), a3 = _mm_unpackhi_epi32(v[2], v[3]);
  v[0] = _mm_unpacklo_epi64(a0, a2), v[1] = _mm_unpackhi_epi64(a0, a2);
  v[2] = _mm_unpacklo_epi64(a1, a3), v[3] = _mm_unpackhi_epi64(a1, a3);
}

/* One B x B block (8: 16-bit, or 32-bit with AVX2; 4: 32-bit otherwise):
 * rows r0.. of the source loaded along their contiguous direction, stored
 * as the destination's contiguous columns c0... */
__attribute__((target("avx2"))) static void blk8_32(uint8_t *d, const uint8_t *s,
                                                    const int64_t *dr, const int64_t *dc,
                                                    const int64_t *sr, const int64_t *sc,
                                                    int32_t r0, int32_t c0) {
  __m256 v[8];
  for (int32_t i = 0; i < 8; i++)
    v[i] = _mm256_loadu_ps((const float *)(const void *)(s + (sr[r0 + i] + sc[c0]) * 4));
  ptk_isa__tr8x8_32(v);
  for (int32_t j = 0; j < 8; j++)
    _mm256_storeu_ps((float *)(void *)(d + (dr[r0] + dc[c0 + j]) * 4), v[j]);
}
static bool have_avx2(void) {
  static int v = -1; /* every thread computes the same value */
  int x = __atomic_load_n(&v, __ATOMIC_RELAXED);
  if (x < 0) {
    __builtin_cpu_init();
    x = __builtin_cpu_supports("avx2") != 0;
    __atomic_store_n(&v, x, __ATOMIC_RELAXED);
  }
  return x;
}

/* A copy between a map whose rows run contiguously (source) and one whose
 * columns do (destination), or the reverse, for 2- and 4-byte elements:
 * square blocks (8 or 4) loaded along the source's contiguous direction,
 * transposed in registers, stored along the destination's. Blocks whose
 * runs are not contiguous (box edges, tails) go element by element. The
 * result is the element copy's (disjoint storage). */
static bool sep_transpose(uint8_t *d, const uint8_t *s, size_t esz, const sep_idx *x,
                          int32_t rows, int32_t cols) {
  if ((esz != 2 && esz != 4) || rows < 2 || cols < 2) return false;
  const int64_t *dr = x->dr, *dc = x->dc, *sr = x->sr, *sc = x->sc;
  int32_t R = rows, C = cols;
  if (sc[1] - sc[0] == 1 && dr[1] - dr[0] == 1) {
    /* source rows contiguous, destination columns */
  } else if (sr[1] - sr[0] == 1 && dc[1] - dc[0] == 1) {
    /* the same with rows and columns exchanged */
    const int64_t *t;
    t = dr, dr = dc, dc = t;
    t = sr, sr = sc, sc = t;
    R = cols, C = rows;
  } else {
    return false;
  }
  bool avx2 = esz == 4 && have_avx2();
  int32_t B = esz == 2 || avx2 ? 8 : 4;
  for (int32_t r0 = 0; r0 < R; r0 += B)
    for (int32_t c0 = 0; c0 < C; c0 += B) {
      bool full = r0 + B <= R && c0 + B <= C && sc[c0 + B - 1] - sc[c0] == B - 1 &&
                  dr[r0 + B - 1] - dr[r0] == B - 1;
      if (!full) {
        for (int32_t r = r0; r < R && r < r0 + B; r++)
          for (int32_t c = c0; c < C && c < c0 + B; c++)
            memcpy(d + (dr[r] + dc[c]) * (int64_t)esz, s + (sr[r] + sc[c]) * (int64_t)esz, esz);
        continue;
      }
      if (avx2) {
        blk8_32(d, s, dr, dc, sr, sc, r0, c0);
        continue;
      }
      __m128i v[8];
      for (int32_t i = 0; i < B; i++) {
        const uint8_t *p = s + (sr[r0 + i] + sc[c0]) * (int64_t)esz;
        v[i] = _mm_loadu_si128((const __m128i *)(const void *)p);
      }
      if (esz == 2)
        ptk_isa__tr8x8_16(v);
      else
        tr4x4_32(v);
      for (int32_t j = 0; j < B; j++)
        _mm_storeu_si128((__m128i *)(void *)(d + (dr[r0] + dc[c0 + j]) * (int64_t)esz), v[j]);
    }
  return true;
}
#endif

static bool boxed(const ptk_isa_lay *L) { return L->kind != LK_ROW && L->kind != LK_COL; }

/* Whole boxes between two layouts whose boxes are alike (same shape, same
 * order inside: Nz and Zz, or Zn and Nn) and aligned with the region: one
 * memcpy per box (mat -> left is such a copy). */
static bool box_copy(const ptk_isa_lay *D, const ptk_isa_lay *S, int32_t rows, int32_t cols) {
  bool drm = D->kind == LK_NZ || D->kind == LK_ZZ, srm = S->kind == LK_NZ || S->kind == LK_ZZ;
  if (!boxed(D) || !boxed(S) || drm != srm || D->lir != S->lir || D->lic != S->lic) return false;
  int32_t br = 1 << D->lir, bc = 1 << D->lic;
  if (((D->r0 | S->r0 | rows) & (br - 1)) || ((D->c0 | S->c0 | cols) & (bc - 1))) return false;
  size_t n = (size_t)br * (size_t)bc * D->esz;
  for (int32_t r = 0; r < rows; r += br)
    for (int32_t c = 0; c < cols; c += bc) memcpy(ptk_isa__ptr(D, r, c), ptk_isa__ptr(S, r, c), n);
  return true;
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
  /* boxed tiles: separable offsets (runs along a GM row are a box wide) */
  if (!put && boxed(L) && rows > 0 && cols > 0) {
    sep_idx x = sep_alloc(rows, cols);
    int64_t *tr = load ? x.dr : x.sr, *tc = load ? x.dc : x.sc;
    int64_t *gr = load ? x.sr : x.dr, *gc = load ? x.sc : x.dc;
    sep_tile(L, rows, cols, tr, tc);
    for (int32_t r = 0; r < rows; r++) gr[r] = row_off(g, r);
    for (int32_t c = 0; c < cols; c++) gc[c] = col_off(g, c);
    /* runs along the tile's contiguous direction (down a column of Zn/Nn
     * boxes, e.g. K^T through a column-major view) */
    bool inner_rows = rows > 1 && tr[1] - tr[0] == 1;
    if (load)
      sep_copy(L->data, base, esz, &x, rows, cols, inner_rows);
    else
      sep_copy(base, L->data, esz, &x, rows, cols, inner_rows);
    return;
  }
  int64_t cstep = col_step(g);
  for (int32_t r = 0; r < rows; r++) {
    int64_t ro = row_off(g, r);
    if (g->dn || g->nz) {
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
  if (same && (boxed(DL) || boxed(SL)) && rows > 0 && cols > 0) {
    const uint8_t *dlo, *dhi, *slo, *shi;
    ptk_isa__span(DL, dst, &dlo, &dhi);
    ptk_isa__span(SL, src, &slo, &shi);
    if (dhi <= slo || shi <= dlo) { /* disjoint storage */
      if (box_copy(DL, SL, rows, cols)) return;
      sep_idx x = sep_alloc(rows, cols);
      sep_tile(DL, rows, cols, x.dr, x.dc);
      sep_tile(SL, rows, cols, x.sr, x.sc);
#ifdef SEP_SSE
      if (sep_transpose(DL->data, SL->data, DL->esz, &x, rows, cols)) return;
#endif
      bool inner_rows = cols > 1 && rows > 1 && x.dr[1] - x.dr[0] == 1;
      sep_copy(DL->data, SL->data, DL->esz, &x, rows, cols, inner_rows);
      return;
    }
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

int ptk_isa_textract(const ptk_tile *dst, const ptk_tile *src, int64_t r, int64_t c, bool relu) {
  ptk_isa_lay DL, SL;
  ptk_tile win;
  int rc = ptk_isa__prep(dst, "textract", "dst", &DL);
  if (rc || (rc = raw_copy("textract", dst, src, relu))) return rc;
  /* indices come straight from i64/index scalars: outside int32 is outside the tile */
  bool far = r < INT32_MIN || r > INT32_MAX || c < INT32_MIN || c > INT32_MAX;
  if (far || (rc = ptk_isa_subview(src, (int32_t)r, (int32_t)c, dst->vrows, dst->vcols, dst->vrows,
                                   dst->vcols, &win)))
    return ptk_isa__fail(far ? PTK_ISA_ESHAPE : rc, "textract: %dx%d at (%lld,%lld) is outside the %dx%d source",
                         (int)dst->vrows, (int)dst->vcols, (long long)r, (long long)c, (int)src->rows,
                         (int)src->cols);
  ptk_isa__lay(&win, &SL);
  copy_region(dst, &DL, &win, &SL, dst->vrows, dst->vcols, relu);
  return PTK_ISA_OK;
}

int ptk_isa_tinsert(const ptk_tile *dst, const ptk_tile *src, int64_t r, int64_t c, bool relu) {
  ptk_isa_lay DL, SL;
  ptk_tile win;
  int rc = ptk_isa__prep(src, "tinsert", "src", &SL);
  if (rc || (rc = raw_copy("tinsert", dst, src, relu))) return rc;
  /* indices come straight from i64/index scalars: outside int32 is outside the tile */
  bool far = r < INT32_MIN || r > INT32_MAX || c < INT32_MIN || c > INT32_MAX;
  if (far || (rc = ptk_isa_subview(dst, (int32_t)r, (int32_t)c, src->vrows, src->vcols, src->vrows,
                                   src->vcols, &win)))
    return ptk_isa__fail(far ? PTK_ISA_ESHAPE : rc, "tinsert: %dx%d at (%lld,%lld) is outside the %dx%d destination",
                         (int)src->vrows, (int)src->vcols, (long long)r, (long long)c, (int)dst->rows,
                         (int)dst->cols);
  ptk_isa__lay(&win, &DL);
  copy_region(&win, &DL, src, &SL, src->vrows, src->vcols, relu);
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
