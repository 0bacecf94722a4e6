/* mgather, mscatter: indexed transfers between global memory and a vec
 * tile (runtime/isa/README.md, "mgather / mscatter"). Every index is
 * resolved and checked before anything is written, so a refused op leaves
 * both the tile and global memory as they were. */
#include <stdlib.h>

#include "runtime/isa/internal.h"

/* The table is the view's elements in row-major order of its shape (the
 * ND mapping; ptoas requires ND tables). */
typedef struct table {
  const ptk_gm_ref *g;
  int64_t n;     /* elements */
  int64_t width; /* last dimension: a row of the row mode */
  size_t esz;
} table;

static int table_init(table *t, const ptk_gm_ref *g, const char *op) {
  const ptk_gm_view *v = &g->v;
  t->g = g;
  t->esz = ptk_isa_dtype_size(v->dtype);
  if (!v->base)
    return ptk_isa__fail(PTK_ISA_EARG, "%s: the table does not point into a kernel buffer", op);
  if (v->rank < 1 || v->rank > 5)
    return ptk_isa__fail(PTK_ISA_EARG, "%s: a table of rank %d", op, v->rank);
  if (v->layout != PTK_ISA_GM_ND && v->rank >= 3)
    return ptk_isa__fail(PTK_ISA_ELAYOUT, "%s: the table must be an ND view", op);
  t->n = 1;
  for (int d = 0; d < v->rank; d++) {
    if (v->shape[d] < 0) return ptk_isa__fail(PTK_ISA_ESHAPE, "%s: the table has a negative size", op);
    if (__builtin_mul_overflow(t->n, v->shape[d], &t->n) || t->n > ((int64_t)1 << 40))
      return ptk_isa__fail(PTK_ISA_ESHAPE, "%s: the table is too large", op);
  }
  t->width = v->shape[v->rank - 1];
  return 0;
}

/* Byte offset (from v.base) of table element f, or an error when it lies
 * outside the kernel buffer. */
static int table_at(const table *t, int64_t f, const char *op, uint8_t **p) {
  const ptk_gm_view *v = &t->g->v;
  int64_t off = 0;
  for (int d = v->rank - 1; d >= 0; d--) {
    int64_t s = v->shape[d] > 0 ? v->shape[d] : 1;
    int64_t term;
    if (__builtin_mul_overflow(f % s, v->stride[d], &term) || __builtin_add_overflow(off, term, &off))
      return ptk_isa__fail(PTK_ISA_ESHAPE, "%s: table element %lld has an offset out of range", op,
                           (long long)f);
    f /= s;
  }
  int64_t b;
  if (__builtin_mul_overflow(off, (int64_t)t->esz, &b) || b < t->g->lo || b > t->g->hi - (int64_t)t->esz)
    return ptk_isa__fail(PTK_ISA_ESHAPE,
                         "%s: table element at offset %lld lies outside the kernel buffer", op,
                         (long long)off);
  *p = (uint8_t *)v->base + b;
  return 0;
}

/* Applies an out-of-bounds policy to index i of a table of n entries:
 * 0 error, 'c' clamp, 'w' wrap (the non-negative remainder), 'z' / 's'
 * give -1 (zero-fill / skip). */
static int resolve(int64_t i, int64_t n, int pol, const char *op, const char *what, int32_t r,
                   int32_t c, int64_t *out) {
  if (i >= 0 && i < n) {
    *out = i;
    return 0;
  }
  switch (pol) {
  case 'c': *out = n ? (i < 0 ? 0 : n - 1) : -1; return 0;
  case 'w': *out = n ? ((i % n) + n) % n : -1; return 0;
  case 'z':
  case 's': *out = -1; return 0;
  default:
    return ptk_isa__fail(PTK_ISA_ESHAPE, "%s: index %lld at (%d, %d) is outside the table's %lld %s",
                         op, (long long)i, (int)r, (int)c, (long long)n, what);
  }
}

/* The index tile of the row mode: [1, R] (idx[0, r]) or [R, 1] (idx[r, 0]). */
static int row_index_form(const ptk_tile *idx, int32_t rows, const char *op, bool *across) {
  if (idx->vrows == 1 && idx->vcols >= rows) *across = true;
  else if (idx->vcols == 1 && idx->vrows >= rows) *across = false;
  else
    return ptk_isa__fail(PTK_ISA_ESHAPE,
                         "%s: the row mode needs a [1, %d] or [%d, 1] index tile, not valid %dx%d",
                         op, (int)rows, (int)rows, (int)idx->vrows, (int)idx->vcols);
  return 0;
}

/* Where the indices come from: an i32 vec tile, or (the GM -> L1 form) an
 * i32 view in global memory. */
typedef struct isrc {
  const ptk_tile *t;
  ptk_isa_lay L;
  bool across; /* row mode, tile: [1, R] (else [R, 1]) */
  table g;     /* global memory: its elements in row-major order */
} isrc;

static int isrc_check(isrc *s, const char *op, int64_t coalesce, int32_t rows, int32_t cols) {
  if (s->t) {
    int rc;
    if ((rc = ptk_isa__prep(s->t, op, "indices", &s->L))) return rc;
    if (s->t->loc != PTK_ISA_VEC) return ptk_isa__fail(PTK_ISA_ELAYOUT, "%s: the index tile must be a vec tile", op);
    if (s->t->dtype != PTK_ISA_I32)
      return ptk_isa__fail(PTK_ISA_EDTYPE, "%s: indices must be i32, not %s", op, ptk_isa_dtype_name(s->t->dtype));
    return coalesce == 0 ? row_index_form(s->t, rows, op, &s->across) : ptk_isa__need(s->t, rows, cols, op, "indices");
  }
  if (s->g.g->v.dtype != PTK_ISA_I32)
    return ptk_isa__fail(PTK_ISA_EDTYPE, "%s: indices must be i32, not %s", op, ptk_isa_dtype_name(s->g.g->v.dtype));
  int64_t need = coalesce == 0 ? rows : (int64_t)rows * (s->g.width ? s->g.width : 1);
  if ((coalesce != 0 && s->g.width < cols) || s->g.n < need)
    return ptk_isa__fail(PTK_ISA_ESHAPE, "%s: the index view (%lld elements, rows of %lld) does not cover %dx%d",
                         op, (long long)s->g.n, (long long)s->g.width, (int)(coalesce == 0 ? 1 : rows),
                         (int)(coalesce == 0 ? rows : cols));
  return 0;
}

/* Index (r, c) of the row (c ignored) or elem mode; *pr, *pc: where it sits. */
static int isrc_get(const isrc *s, const char *op, int64_t coalesce, int32_t r, int32_t c, int64_t *v,
                    int32_t *pr, int32_t *pc) {
  if (s->t) {
    *pr = coalesce == 0 ? (s->across ? 0 : r) : r;
    *pc = coalesce == 0 ? (s->across ? r : 0) : c;
    *v = ptk_isa__ld_i(PTK_ISA_I32, ptk_isa__ptr(&s->L, *pr, *pc));
    return 0;
  }
  int64_t f = coalesce == 0 ? r : (int64_t)r * s->g.width + c;
  *pr = (int32_t)(s->g.width ? f / s->g.width : 0);
  *pc = (int32_t)(s->g.width ? f % s->g.width : 0);
  uint8_t *p;
  int rc = table_at(&s->g, f, op, &p);
  if (!rc) *v = ptk_isa__ld_i(PTK_ISA_I32, p);
  return rc;
}

/* Checks the data tile, the indices and the table; resolves every transfer
 * into ptrs (row-major over the tile's valid region; NULL: no table element
 * — zero-fill or skip). */
static int plan(const char *op, const ptk_tile *t, ptk_isa_lay *TL, isrc *ix, const ptk_gm_ref *mem,
                int64_t coalesce, int pol, bool mat_ok, uint8_t ***ptrs) {
  int rc = ptk_isa__prep(t, op, op[1] == 'g' ? "dst" : "src", TL);
  if (rc) return rc;
  if (t->loc != PTK_ISA_VEC && !(mat_ok && t->loc == PTK_ISA_MAT))
    return ptk_isa__fail(PTK_ISA_ELAYOUT, "%s: the data tile must be a vec tile%s", op, mat_ok ? " or a mat tile" : "");
  table tb = {0};
  if ((rc = table_init(&tb, mem, op))) return rc;
  if (tb.esz != ptk_isa_dtype_size(t->dtype))
    return ptk_isa__fail(PTK_ISA_EDTYPE, "%s: the table's elements (%s) and the tile's (%s) differ in size",
                         op, ptk_isa_dtype_name(mem->v.dtype), ptk_isa_dtype_name(t->dtype));
  int32_t rows = t->vrows, cols = t->vcols;
  if ((rc = isrc_check(ix, op, coalesce, rows, cols))) return rc;
  if (coalesce == 0 && cols > tb.width)
    return ptk_isa__fail(PTK_ISA_ESHAPE, "%s: %d columns do not fit the table's rows of %lld", op,
                         (int)cols, (long long)tb.width);
  uint8_t **p = malloc(((size_t)rows * (size_t)cols + 1) * sizeof *p);
  if (!p) return ptk_isa__fail(PTK_ISA_EARG, "%s: out of memory", op);
  int64_t nrows = tb.width ? tb.n / tb.width : 0;
  for (int32_t r = 0; r < rows && !rc; r++) {
    int64_t base = -1, i;
    int32_t pr, pc;
    if (coalesce == 0 && !(rc = isrc_get(ix, op, 0, r, 0, &i, &pr, &pc)))
      rc = resolve(i, nrows, pol, op, "rows", pr, pc, &base);
    for (int32_t c = 0; c < cols && !rc; c++) {
      int64_t f = -1;
      if (coalesce == 0) {
        f = base < 0 ? -1 : base * tb.width + c;
      } else if (!(rc = isrc_get(ix, op, 1, r, c, &i, &pr, &pc))) {
        rc = resolve(i, tb.n, pol, op, "elements", pr, pc, &f);
      }
      p[(size_t)r * cols + c] = NULL;
      if (!rc && f >= 0) rc = table_at(&tb, f, op, &p[(size_t)r * cols + c]);
    }
  }
  if (rc) {
    free(p);
    return rc;
  }
  *ptrs = p;
  return 0;
}

static int gather_copy(const ptk_tile *dst, const ptk_isa_lay *L, uint8_t **p);

/* Decision: the ptoas manual's gatherOob modes; "undefined" (the device
 * reads whatever lies there) is a located error on the host. */
int ptk_isa_mgather(const ptk_tile *dst, ptk_gm_ref mem, const ptk_tile *idx, int64_t coalesce,
                    int64_t oob) {
  static const char pols[] = {0, 'c', 'w', 'z'};
  if (coalesce < 0 || coalesce > 1 || oob < 0 || oob > 3)
    return ptk_isa__fail(PTK_ISA_EARG, "mgather: bad coalesce (%lld) or gatherOob (%lld)",
                         (long long)coalesce, (long long)oob);
  ptk_isa_lay DL;
  uint8_t **p;
  isrc ix = {.t = idx};
  int rc = plan("mgather", dst, &DL, &ix, &mem, coalesce, pols[oob], false, &p);
  if (rc) return rc;
  return gather_copy(dst, &DL, p);
}

/* Decision: as mgather; the host gathers straight into the tile (any
 * layout: a mat tile is Nz), so the elem mode's scratch is not used. */
int ptk_isa_mgather_gm(const ptk_tile *dst, ptk_gm_ref mem, ptk_gm_ref idx, int64_t coalesce,
                       int64_t oob) {
  static const char pols[] = {0, 'c', 'w', 'z'};
  if (coalesce < 0 || coalesce > 1 || oob < 0 || oob > 3)
    return ptk_isa__fail(PTK_ISA_EARG, "mgather: bad coalesce (%lld) or gatherOob (%lld)",
                         (long long)coalesce, (long long)oob);
  isrc ix = {0};
  int rc = table_init(&ix.g, &idx, "mgather");
  if (rc) return rc;
  ptk_isa_lay DL;
  uint8_t **p;
  if ((rc = plan("mgather", dst, &DL, &ix, &mem, coalesce, pols[oob], true, &p))) return rc;
  return gather_copy(dst, &DL, p);
}

static int gather_copy(const ptk_tile *dst, const ptk_isa_lay *L, uint8_t **p) {
  const ptk_isa_lay DL = *L;
  size_t esz = DL.esz;
  for (int32_t r = 0; r < dst->vrows; r++)
    for (int32_t c = 0; c < dst->vcols; c++) {
      const uint8_t *s = p[(size_t)r * dst->vcols + c];
      uint8_t *d = ptk_isa__ptr(&DL, r, c);
      if (s) memcpy(d, s, esz);
      else memset(d, 0, esz);
    }
  free(p);
  return PTK_ISA_OK;
}

/* One atomic update of a table element in its own dtype: floats compute in
 * f32 (f16/bf16 rounded back), integers wrap. */
static void update(ptk_isa_dtype t, uint8_t *d, const uint8_t *s, int64_t atomic) {
  if (ptk_isa_dtype_is_float(t) && t != PTK_ISA_F64) {
    float a = ptk_isa__ld_f(t, d), b = ptk_isa__ld_f(t, s);
    float r = atomic == 1 ? a + b : atomic == 2 ? (b > a ? b : a) : (b < a ? b : a);
    ptk_isa__st_f(t, d, r);
    return;
  }
  int64_t a = ptk_isa__ld_i(t, d), b = ptk_isa__ld_i(t, s);
  int64_t r = atomic == 1 ? (int64_t)((uint64_t)a + (uint64_t)b) : atomic == 2 ? (b > a ? b : a) : (b < a ? b : a);
  ptk_isa__st_i(t, d, r);
}

/* Decision: coalesce absent (2) is inferred as ptoas does: elem when the
 * index tile has src's valid shape, else row; scatterOob "undefined" is a
 * located error; duplicate targets are written in row-major order of src
 * (pto-isa's CPU model: the last writer wins). */
int ptk_isa_mscatter(ptk_gm_ref mem, const ptk_tile *src, const ptk_tile *idx, int64_t coalesce,
                     int64_t atomic, int64_t oob) {
  static const char pols[] = {0, 's', 'c', 'w'};
  if (coalesce < 0 || coalesce > 2 || atomic < 0 || atomic > 3 || oob < 0 || oob > 3)
    return ptk_isa__fail(PTK_ISA_EARG, "mscatter: bad coalesce (%lld), scatterAtomicOp (%lld) or scatterOob (%lld)",
                         (long long)coalesce, (long long)atomic, (long long)oob);
  if (coalesce == 2 && src && idx)
    coalesce = idx->vrows == src->vrows && idx->vcols == src->vcols ? 1 : 0;
  if (atomic && src && (src->dtype == PTK_ISA_F64 || src->dtype == PTK_ISA_I1))
    return ptk_isa__fail(PTK_ISA_EDTYPE, "mscatter: no atomic update for %s elements",
                         ptk_isa_dtype_name(src->dtype));
  ptk_isa_lay SL;
  uint8_t **p;
  isrc ix = {.t = idx};
  int rc = plan("mscatter", src, &SL, &ix, &mem, coalesce, pols[oob], false, &p);
  if (rc) return rc;
  for (int32_t r = 0; r < src->vrows; r++)
    for (int32_t c = 0; c < src->vcols; c++) {
      uint8_t *d = p[(size_t)r * src->vcols + c];
      const uint8_t *s = ptk_isa__ptr(&SL, r, c);
      if (!d) continue;
      if (atomic) update(src->dtype, d, s, atomic);
      else memcpy(d, s, SL.esz);
    }
  free(p);
  return PTK_ISA_OK;
}
