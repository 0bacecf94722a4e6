/* The .pto reader: drives the lexer and the Lemon grammar, then builds IR
 * from the syntax tree (see parser/pto_int.h for the two phases). */
#include "lang/limits.h"
#include "parser/pto_read.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "parser/pto.h"
#include "parser/pto_int.h"

/* Lemon entry points (build/parser/pto.c). */
void *PtoParseAlloc(void *(*malloc_fn)(size_t));
void PtoParseFree(void *p, void (*free_fn)(void *));
void PtoParse(void *p, int major, pto_tok minor, pto_parser *P);

/* ======================================================================
 * Helpers for the grammar
 * ====================================================================== */

void *pto_new(pto_parser *P, size_t n) { return ptk_arena_alloc(P->syn, n); }

void *pto_vec_push(pto_parser *P, pto_vec *v, size_t elem) {
  if (v->n == v->cap) {
    uint32_t cap = v->cap ? v->cap * 2 : 4;
    void *d = ptk_arena_alloc(P->syn, cap * elem);
    if (v->n) memcpy(d, v->data, v->n * elem);
    v->data = d;
    v->cap = cap;
  }
  return (char *)v->data + (v->n++) * elem;
}

/* Locations are asked for in mostly increasing order: remember the line. */
ptk_loc pto_loc(pto_parser *P, uint32_t off) {
  const ptk_source *s = P->src;
  uint32_t l = P->loc_line;
  if (l < s->nlines && s->lines[l] <= off) {
    for (int k = 0; k < 8; k++) {
      if (l + 1 >= s->nlines || s->lines[l + 1] > off) {
        P->loc_line = l;
        if (off > s->len) off = (uint32_t)s->len;
        return (ptk_loc){s, off, l + 1, off - s->lines[l] + 1};
      }
      l++;
    }
  }
  ptk_loc r = ptk_source_loc(s, off);
  P->loc_line = r.line ? r.line - 1 : 0;
  return r;
}

static uint32_t text_hash(const char *s, uint32_t n) {
  uint32_t h = 2166136261u;
  for (uint32_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 16777619u;
  return h ? h : 1;
}

const ptk_type *pto_tcache_get(pto_parser *P, const char *s, uint32_t len) {
  if (!P->cap_tcache) return NULL;
  uint32_t h = text_hash(s, len);
  for (uint32_t i = h & (P->cap_tcache - 1); P->tcache[i].hash; i = (i + 1) & (P->cap_tcache - 1)) {
    struct pto_tcache *e = &P->tcache[i];
    if (e->hash == h && e->len == len && memcmp(P->src->text + e->off, s, len) == 0) return e->t;
  }
  return NULL;
}

void pto_tcache_put(pto_parser *P, uint32_t off, uint32_t end, const ptk_type *t) {
  if (P->failed || !t || end <= off || end > P->src->len) return;
  uint32_t len = end - off;
  if (pto_tcache_get(P, P->src->text + off, len)) return;
  if ((P->ntcache + 1) * 2 > P->cap_tcache) {
    uint32_t cap = P->cap_tcache ? P->cap_tcache * 2 : 256;
    struct pto_tcache *n = ptk_xcalloc(cap, sizeof *n);
    for (uint32_t i = 0; i < P->cap_tcache; i++) {
      if (!P->tcache[i].hash) continue;
      uint32_t j = P->tcache[i].hash & (cap - 1);
      while (n[j].hash) j = (j + 1) & (cap - 1);
      n[j] = P->tcache[i];
    }
    free(P->tcache);
    P->tcache = n;
    P->cap_tcache = cap;
  }
  uint32_t h = text_hash(P->src->text + off, len);
  uint32_t j = h & (P->cap_tcache - 1);
  while (P->tcache[j].hash) j = (j + 1) & (P->cap_tcache - 1);
  P->tcache[j] = (struct pto_tcache){off, len, h, t};
  P->ntcache++;
}

ptk_range pto_range(pto_parser *P, uint32_t off, uint32_t len) {
  ptk_loc b = pto_loc(P, off);
  return ptk_range_at(b, len ? len : 1);
}

static void verr(pto_parser *P, ptk_range r, const char *fmt, va_list ap) {
  if (P->failed) return;
  P->failed = true;
  ptk_diag_emitv(P->diags, PTK_SEV_ERROR, NULL, r, fmt, ap);
}

void pto_err(pto_parser *P, uint32_t off, uint32_t len, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  verr(P, pto_range(P, off, len), fmt, ap);
  va_end(ap);
}

/* An error at a location (length: the rest of the token is unknown, 1). */
static void err_at(pto_parser *P, ptk_loc l, uint32_t len, const char *fmt, ...) PTK_PRINTF(4, 5);
static void err_at(pto_parser *P, ptk_loc l, uint32_t len, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  verr(P, ptk_range_at(l, len ? len : 1), fmt, ap);
  va_end(ap);
}

static void note_at(pto_parser *P, ptk_loc l, uint32_t len, const char *fmt, ...) PTK_PRINTF(4, 5);
static void note_at(pto_parser *P, ptk_loc l, uint32_t len, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  ptk_diag_emitv(P->diags, PTK_SEV_NOTE, NULL, ptk_range_at(l, len ? len : 1), fmt, ap);
  va_end(ap);
}

pto_use pto_mkuse(pto_parser *P, pto_tok t) {
  return (pto_use){P->src->text + t.off + 1, t.nlen, t.idx, pto_loc(P, t.off)};
}

pto_part *pto_part_new(pto_parser *P, pto_part_kind k, uint32_t off) {
  pto_part *p = pto_new(P, sizeof *p);
  p->kind = k;
  p->loc = pto_loc(P, off);
  return p;
}

static const char *tok_text(pto_parser *P, pto_tok t) { return P->src->text + t.off; }

static bool tok_is(pto_parser *P, pto_tok t, const char *w) {
  size_t n = strlen(w);
  return t.len == n && memcmp(tok_text(P, t), w, n) == 0;
}

static bool word_eq(const char *s, uint32_t len, const char *w) {
  size_t n = strlen(w);
  return len == n && memcmp(s, w, n) == 0;
}

/* ---- strings ---- */

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Decodes a quoted string starting at s (the quote) of token length n. */
static const char *decode_string(pto_parser *P, const char *s, uint32_t n, uint32_t *len) {
  char *out = ptk_arena_alloc(P->syn, n + 1);
  uint32_t k = 0;
  for (uint32_t i = 1; i + 1 < n; i++) {
    char c = s[i];
    if (c == '\\' && i + 2 < n) {
      char e = s[++i];
      int h1 = hexval(e), h2 = i + 1 + 1 < n ? hexval(s[i + 1]) : -1;
      if (e == 'n') out[k++] = '\n';
      else if (e == 't') out[k++] = '\t';
      else if (e == '"' || e == '\\') out[k++] = e;
      else if (h1 >= 0 && h2 >= 0) {
        out[k++] = (char)(h1 * 16 + h2);
        i++;
      } else
        out[k++] = e;
    } else {
      out[k++] = c;
    }
  }
  out[k] = 0;
  *len = k;
  return out;
}

const char *pto_string_value(pto_parser *P, pto_tok t, uint32_t *len) {
  const char *s = tok_text(P, t);
  if (t.len && s[0] == '@') {
    if (t.len > 1 && s[1] == '"') return decode_string(P, s + 1, t.len - 1, len);
    *len = t.len - 1;
    return ptk_arena_strndup(P->syn, s + 1, t.len - 1);
  }
  if (t.len >= 2 && s[0] == '"') return decode_string(P, s, t.len, len);
  *len = t.len;
  return ptk_arena_strndup(P->syn, s, t.len);
}

/* ---- types ---- */

static bool dtype_by_name(const char *s, size_t n, ptk_dtype *out) {
  for (int i = 0; i < PTK_DT__COUNT; i++) {
    const char *nm = ptk_dtype_name((ptk_dtype)i);
    if (strlen(nm) == n && memcmp(nm, s, n) == 0) {
      *out = (ptk_dtype)i;
      return true;
    }
  }
  return false;
}

const ptk_type *pto_type_named_opt(pto_parser *P, pto_tok t) {
  const char *s = tok_text(P, t);
  ptk_dtype dt;
  if (dtype_by_name(s, t.len, &dt)) return ptk_type_scalar(dt);
  if (s[0] == '!' || tok_is(P, t, "none")) return ptk_type_opaque(P->m, s, t.len);
  return NULL;
}

const ptk_type *pto_type_named(pto_parser *P, pto_tok t) {
  const char *s = tok_text(P, t);
  ptk_dtype dt;
  if (dtype_by_name(s, t.len, &dt)) return ptk_type_scalar(dt);
  if (s[0] == '!' || tok_is(P, t, "none")) return ptk_type_opaque(P->m, s, t.len);
  pto_err(P, t.off, t.len, "unknown type '%.*s'", (int)t.len, s);
  return ptk_type_scalar(PTK_DT_I32);
}

static char *norm_ws(pto_parser *P, const char *s, size_t n);
static bool space_by_name(const char *s, size_t n, ptk_space *out);

/* memref<d0x…xT, #pto.address_space<S>> with S on chip, static sizes and
 * no layout is how ptoas spells a tile buffer with the default tile
 * configuration (its memref.alloc before any bind_tile: row_major,
 * none_box, fractal 512, pad 0; lib/PTO/Transforms/AllocToPointerCast.cpp),
 * so it is read as that !pto.tile_buf and every pass, the verifier and both
 * engines treat it as a tile. Rank 1 is 1xN; rank > 2 folds the leading
 * dims into rows (ptoas only plans such buffers, by bytes). NULL for
 * anything else (gm, a strided layout, a dynamic size), which stays opaque. */
static const ptk_type *memref_default_tile(ptk_module *m, ptk_space sp, const ptk_type *elem, int64_t rows,
                                           int64_t cols) {
  ptk_tile_desc d = ptk_tile_desc_make(sp, elem, rows, cols);
  /* cube buffers hold NZ data (ptoas's tile rules for acc and mat moves
   * assume blayout=col_major, slayout=row_major; a memref states no layout) */
  if (sp == PTK_SPACE_ACC || sp == PTK_SPACE_MAT) {
    d.blayout = PTK_BLAYOUT_COL_MAJOR;
    d.slayout = PTK_SLAYOUT_ROW_MAJOR;
    d.fractal = sp == PTK_SPACE_ACC ? 1024 : 512;
  }
  return ptk_type_tile_buf(m, &d);
}

static const ptk_type *memref_tile(pto_parser *P, const char *s) {
  size_t n = strlen(s);
  if (n < 9 || strncmp(s, "memref<", 7) != 0 || s[n - 1] != '>') return NULL;
  const char *p = s + 7, *e = s + n - 1;
  int64_t dims[16];
  uint32_t rank = 0;
  while (p < e && *p >= '0' && *p <= '9') {
    int64_t v = 0;
    while (p < e && *p >= '0' && *p <= '9') {
      if (v > (INT64_C(1) << 40)) return NULL;
      v = v * 10 + (*p++ - '0');
    }
    if (p >= e || *p != 'x' || rank == 16) return NULL;
    dims[rank++] = v;
    p++;
  }
  if (!rank) return NULL; /* rank 0, or a dynamic `?` size */
  const char *te = p;
  while (te < e && *te != ',') te++;
  ptk_dtype dt;
  if (!dtype_by_name(p, (size_t)(te - p), &dt)) return NULL;
  static const char sp_kw[] = ", #pto.address_space<";
  size_t kl = sizeof sp_kw - 1;
  if ((size_t)(e - te) <= kl || strncmp(te, sp_kw, kl) != 0 || e[-1] != '>') return NULL;
  ptk_space sp;
  if (!space_by_name(te + kl, (size_t)(e - 1 - (te + kl)), &sp) || sp == PTK_SPACE_GM) return NULL;
  int64_t rows = 1;
  for (uint32_t i = 0; i + 1 < rank; i++) {
    if (dims[i] && rows > (INT64_C(1) << 40) / dims[i]) return NULL;
    rows *= dims[i];
  }
  return memref_default_tile(P->m, sp, ptk_type_scalar(dt), rows, dims[rank - 1]);
}

const ptk_type *pto_type_opaque_tok(pto_parser *P, pto_tok t) {
  char *s = norm_ws(P, tok_text(P, t), t.len);
  const ptk_type *tile = memref_tile(P, s);
  return tile ? tile : ptk_type_opaque(P->m, s, strlen(s));
}

/* A memory space as tiles spell it ("vec") or as pointers do ("ub"). */
static bool space_by_name(const char *s, size_t n, ptk_space *out) {
  ptk_space sp = ptk_space_from_ptr_name(s, n);
  for (int i = 0; sp == PTK_SPACE__COUNT && i < PTK_SPACE__COUNT; i++)
    if (strlen(ptk_space_name((ptk_space)i)) == n && !memcmp(ptk_space_name((ptk_space)i), s, n)) sp = (ptk_space)i;
  if (sp == PTK_SPACE__COUNT) return false;
  *out = sp;
  return true;
}

const ptk_type *pto_type_ptr(pto_parser *P, pto_tok at, const ptk_type *elem, pto_tok *space) {
  (void)at;
  ptk_space sp = PTK_SPACE_GM;
  if (space && !space_by_name(tok_text(P, *space), space->len, &sp))
    pto_err(P, space->off, space->len, "unknown address space '%.*s' (expected gm, vec, mat, left, right, acc, bias or scaling)",
            (int)space->len, tok_text(P, *space));
  return ptk_type_ptr(P->m, elem, sp);
}

void pto_dims(pto_parser *P, pto_tok t, int64_t *out, uint32_t max) {
  const char *s = tok_text(P, t), *e = s + t.len;
  uint32_t k = 0;
  while (s < e && k < max) {
    if (*s == '?') {
      out[k++] = PTK_DYN;
      s++;
    } else {
      int64_t v = 0;
      while (s < e && *s >= '0' && *s <= '9') {
        if (v > (INT64_MAX - 9) / 10)
          v = INT64_MAX;
        else
          v = v * 10 + (*s - '0');
        s++;
      }
      out[k++] = v;
    }
    if (s < e && *s == 'x') s++;
  }
}

const ptk_type *pto_type_view(pto_parser *P, pto_tok kw, pto_tok *dims, const ptk_type *elem) {
  bool tv = tok_is(P, kw, "!pto.tensor_view");
  uint32_t rank = dims ? dims->count : 0;
  if (rank > 16) {
    pto_err(P, dims->off, dims->len, "too many dimensions (%u)", rank);
    rank = 16;
  }
  int64_t d[16];
  if (dims) pto_dims(P, *dims, d, rank);
  return tv ? ptk_type_tensor_view(P->m, rank, d, elem) : ptk_type_part_view(P->m, rank, d, elem);
}

/* tile_buf ------------------------------------------------------------- */

static const char *const tile_keys[] = {"loc",    "dtype",   "rows",    "cols",    "v_row", "v_col",
                                        "blayout", "slayout", "fractal", "pad",     "compact"};

static bool tile_loc(pto_parser *P, const pto_titem *it, ptk_space *out) {
  if (it->vkind == 1 && space_by_name(it->word, it->wlen, out) && *out != PTK_SPACE_GM) {
    /* Only the tile spellings, not pointer aliases like "ub". */
    static const char *const ok[] = {"vec", "mat", "left", "right", "acc", "bias", "scaling"};
    for (size_t i = 0; i < PTK_ARRAY_LEN(ok); i++)
      if (word_eq(it->word, it->wlen, ok[i])) return true;
  }
  err_at(P, it->loc, 0, "unknown tile location '%.*s' (expected vec, mat, left, right, acc, bias or scaling)",
         it->vkind == 1 ? (int)it->wlen : 1, it->vkind == 1 ? it->word : "?");
  return false;
}

static bool tile_int(pto_parser *P, const pto_titem *it, const char *key, int64_t *out) {
  if (it->vkind != 2) {
    err_at(P, it->loc, it->klen, "'%s' must be an integer", key);
    return false;
  }
  *out = it->ival;
  return true;
}

static bool tile_vdim(pto_parser *P, const pto_titem *it, const char *key, int64_t *out) {
  if (it->vkind == 3) {
    *out = PTK_DYN;
    return true;
  }
  if (it->vkind == 2) {
    *out = it->ival == -1 ? PTK_DYN : it->ival;
    if (it->ival < -1) {
      err_at(P, it->loc, it->klen, "'%s' must be a non-negative integer or '?'", key);
      return false;
    }
    return true;
  }
  err_at(P, it->loc, it->klen, "'%s' must be an integer or '?'", key);
  return false;
}

static bool tile_layout(pto_parser *P, const pto_titem *it, bool second, int *out) {
  if (it->vkind == 1) {
    if (word_eq(it->word, it->wlen, "row_major")) {
      *out = second ? PTK_SLAYOUT_ROW_MAJOR : PTK_BLAYOUT_ROW_MAJOR;
      return true;
    }
    if (word_eq(it->word, it->wlen, "col_major")) {
      *out = second ? PTK_SLAYOUT_COL_MAJOR : PTK_BLAYOUT_COL_MAJOR;
      return true;
    }
    if (second && word_eq(it->word, it->wlen, "none_box")) {
      *out = PTK_SLAYOUT_NONE_BOX;
      return true;
    }
  }
  err_at(P, it->loc, it->klen, second ? "slayout must be none_box, row_major or col_major"
                                      : "blayout must be row_major or col_major");
  return false;
}

static bool tile_dtype(pto_parser *P, const pto_titem *it, const ptk_type **out) {
  if (it->vkind == 5 && it->type) {
    *out = it->type;
    return true;
  }
  ptk_dtype dt;
  if (it->vkind == 1 && dtype_by_name(it->word, it->wlen, &dt)) {
    *out = ptk_type_scalar(dt);
    return true;
  }
  err_at(P, it->loc, it->klen, "unknown element type in 'dtype'");
  return false;
}

static bool tile_pad(pto_parser *P, const pto_titem *it, int64_t *out) {
  if (it->vkind != 2) {
    err_at(P, it->loc, it->klen, "'pad' must be an integer (0 null, 1 zero, 2 max, 3 min)");
    return false;
  }
  *out = it->ival;
  return true;
}

/* One `key=value` of either spelling (not loc/dtype/rows/cols of the keyword spelling). */
static bool tile_set(pto_parser *P, const pto_titem *it, ptk_tile_desc *d) {
  int v;
  if (word_eq(it->key, it->klen, "blayout")) {
    if (!tile_layout(P, it, false, &v)) return false;
    d->blayout = (ptk_blayout)v;
  } else if (word_eq(it->key, it->klen, "slayout")) {
    if (!tile_layout(P, it, true, &v)) return false;
    d->slayout = (ptk_slayout)v;
  } else if (word_eq(it->key, it->klen, "fractal")) {
    return tile_int(P, it, "fractal", &d->fractal);
  } else if (word_eq(it->key, it->klen, "pad")) {
    return tile_pad(P, it, &d->pad);
  } else if (word_eq(it->key, it->klen, "compact")) {
    return tile_int(P, it, "compact", &d->compact);
  } else if (word_eq(it->key, it->klen, "v_row")) {
    return tile_vdim(P, it, "v_row", &d->v_row);
  } else if (word_eq(it->key, it->klen, "v_col")) {
    return tile_vdim(P, it, "v_col", &d->v_col);
  } else {
    err_at(P, it->loc, it->klen, "unknown tile_buf key '%.*s'", (int)it->klen, it->key);
    return false;
  }
  return true;
}

const ptk_type *pto_type_tile(pto_parser *P, pto_tok kw, pto_vec *items) {
  pto_titem *it = items->data;
  uint32_t n = items->n;
  ptk_tile_desc d = ptk_tile_desc_make(PTK_SPACE_VEC, ptk_type_scalar(PTK_DT_F32), 1, 1);
  const ptk_type *fallback = ptk_type_tile_buf(P->m, &d);
  if (P->failed) return fallback;
  if (n && it[0].key) {
    /* Keyword spelling: ten keys in a fixed order, then optional compact. */
    for (uint32_t i = 0; i < n; i++) {
      if (i >= PTK_ARRAY_LEN(tile_keys)) {
        err_at(P, it[i].loc, it[i].klen ? it[i].klen : 1, "too many tile_buf parameters");
        return fallback;
      }
      if (!it[i].key || !word_eq(it[i].key, it[i].klen, tile_keys[i])) {
        bool known = false;
        for (size_t k = 0; it[i].key && k < PTK_ARRAY_LEN(tile_keys); k++)
          known |= word_eq(it[i].key, it[i].klen, tile_keys[k]);
        if (known)
          err_at(P, it[i].loc, it[i].klen, "tile_buf keys out of order: expected '%s' but found '%.*s'",
                 tile_keys[i], (int)it[i].klen, it[i].key);
        else if (it[i].key)
          err_at(P, it[i].loc, it[i].klen, "unknown tile_buf key '%.*s' (expected '%s')",
                 (int)it[i].klen, it[i].key, tile_keys[i]);
        else
          err_at(P, it[i].loc, 1, "expected '%s=' in the keyword spelling of tile_buf", tile_keys[i]);
        return fallback;
      }
      bool ok = true;
      switch (i) {
      case 0: ok = tile_loc(P, &it[i], &d.loc); break;
      case 1: ok = tile_dtype(P, &it[i], &d.elem); break;
      case 2: ok = tile_int(P, &it[i], "rows", &d.rows); break;
      case 3: ok = tile_int(P, &it[i], "cols", &d.cols); break;
      default: ok = tile_set(P, &it[i], &d); break;
      }
      if (!ok) return fallback;
    }
    if (n < 10) {
      err_at(P, pto_loc(P, kw.off), kw.len, "tile_buf is missing '%s' (the keyword spelling needs loc, dtype, rows, cols, v_row, v_col, blayout, slayout, fractal, pad)",
             tile_keys[n]);
      return fallback;
    }
    return ptk_type_tile_buf(P->m, &d);
  }
  /* Compact spelling: loc, RxCxdtype, then key=value in any order. */
  if (n < 2 || it[0].vkind != 1 || it[0].key) {
    err_at(P, n ? it[0].loc : pto_loc(P, kw.off), 1, "expected a tile location (vec, mat, …) or 'loc=' in tile_buf");
    return fallback;
  }
  if (!tile_loc(P, &it[0], &d.loc)) return fallback;
  if (it[1].key || it[1].vkind != 4 || it[1].ival != 2) {
    err_at(P, it[1].loc, 1, "expected the shape and element type ROWSxCOLSxTYPE in tile_buf");
    return fallback;
  }
  d.rows = d.v_row = it[1].d0;
  d.cols = d.v_col = it[1].d1;
  d.elem = it[1].type;
  if (d.rows == PTK_DYN || d.cols == PTK_DYN) {
    err_at(P, it[1].loc, 1, "tile_buf rows and cols must be static");
    return fallback;
  }
  uint32_t seen = 0;
  for (uint32_t i = 2; i < n; i++) {
    if (!it[i].key) {
      err_at(P, it[i].loc, 1, "expected key=value in tile_buf");
      return fallback;
    }
    static const char *const ck[] = {"valid", "blayout", "slayout", "fractal", "pad", "compact"};
    int k = -1;
    for (int j = 0; j < 6; j++)
      if (word_eq(it[i].key, it[i].klen, ck[j])) k = j;
    if (k < 0) {
      err_at(P, it[i].loc, it[i].klen, "unknown tile_buf key '%.*s'", (int)it[i].klen, it[i].key);
      return fallback;
    }
    if (seen & (1u << k)) {
      err_at(P, it[i].loc, it[i].klen, "duplicate tile_buf key '%s'", ck[k]);
      return fallback;
    }
    seen |= 1u << k;
    if (k == 0) {
      if (it[i].vkind != 6 || it[i].ival != 1) {
        err_at(P, it[i].loc, it[i].klen, "'valid' must be VROWxVCOL (each an integer or '?')");
        return fallback;
      }
      d.v_row = it[i].d0;
      d.v_col = it[i].d1;
    } else if (!tile_set(P, &it[i], &d)) {
      return fallback;
    }
  }
  return ptk_type_tile_buf(P->m, &d);
}

/* ---- attributes ---- */

static const char *type_name(const ptk_type *t, char *buf, size_t n) {
  char *s = ptk_type_str(t);
  snprintf(buf, n, "%s", s);
  free(s);
  return buf;
}

const ptk_attr *pto_attr_int(pto_parser *P, pto_tok t, bool neg, const ptk_type *type, uint32_t toff) {
  (void)toff;
  if (t.big) {
    pto_err(P, t.off, t.len, "integer literal is too large");
    return ptk_attr_int(P->m, 0, type);
  }
  if (type && type->kind == PTK_TY_SCALAR && ptk_dtype_is_float(type->dt)) {
    if (t.hex && !neg) return ptk_attr_float_bits(P->m, t.u, type);
    return ptk_attr_float(P->m, neg ? -(double)t.u : (double)t.u, type);
  }
  if (type && type->kind != PTK_TY_SCALAR) {
    char b[256];
    pto_err(P, t.off, t.len, "integer literal for non-scalar type '%s'", type_name(type, b, sizeof b));
    return ptk_attr_int(P->m, 0, NULL);
  }
  const ptk_type *ty = type ? type : ptk_type_scalar(PTK_DT_I64);
  unsigned bits = ptk_dtype_bits(ty->dt);
  ptk_dtype_class cls = ptk_dtype_class_of(ty->dt);
  bool ok = true;
  if (bits < 64) {
    uint64_t lim = 1ull << bits;
    if (t.hex)
      ok = !neg && t.u < lim;
    else if (neg)
      ok = cls != PTK_DTC_UINT && t.u <= lim / 2;
    else
      ok = t.u < lim;
  } else if (neg) {
    ok = cls != PTK_DTC_UINT && t.u <= (1ull << 63);
  }
  if (!ok) {
    char b[64];
    pto_err(P, t.off, t.len, "integer constant %s%.*s is out of range for type '%s'", neg ? "-" : "",
            (int)t.len, tok_text(P, t), type_name(ty, b, sizeof b));
  }
  int64_t v = neg ? (int64_t)(0 - t.u) : (int64_t)t.u;
  return ptk_attr_int(P->m, v, ty);
}

const ptk_attr *pto_attr_float(pto_parser *P, pto_tok t, bool neg, const ptk_type *type) {
  if (type && !(type->kind == PTK_TY_SCALAR && ptk_dtype_is_float(type->dt))) {
    char b[256];
    pto_err(P, t.off, t.len, "floating-point literal for non-float type '%s'", type_name(type, b, sizeof b));
    return ptk_attr_float(P->m, 0, NULL);
  }
  return ptk_attr_float(P->m, neg ? -t.f : t.f, type);
}

const ptk_attr *pto_attr_word(pto_parser *P, pto_tok t) {
  if (tok_is(P, t, "true")) return ptk_attr_bool(P->m, true);
  if (tok_is(P, t, "false")) return ptk_attr_bool(P->m, false);
  if (tok_is(P, t, "unit")) return ptk_attr_unit(P->m);
  ptk_dtype dt;
  if (dtype_by_name(tok_text(P, t), t.len, &dt)) return ptk_attr_type(P->m, ptk_type_scalar(dt));
  if (tok_is(P, t, "none")) return ptk_attr_type(P->m, ptk_type_opaque(P->m, "none", 4));
  pto_err(P, t.off, t.len, "expected an attribute value, found '%.*s'", (int)t.len, tok_text(P, t));
  return ptk_attr_unit(P->m);
}

const ptk_attr *pto_attr_string(pto_parser *P, pto_tok t) {
  uint32_t len;
  const char *s = pto_string_value(P, t, &len);
  return ptk_attr_string(P->m, s, len);
}

const ptk_attr *pto_attr_symbol(pto_parser *P, pto_tok t) {
  uint32_t len;
  const char *s = pto_string_value(P, t, &len);
  return ptk_attr_symbol(P->m, s);
}

/* Folds whitespace runs to one space, drops `//` comments (outside
 * strings) and trims: the canonical text of captured types/attributes. */
static char *norm_ws(pto_parser *P, const char *s, size_t n) {
  char *o = ptk_arena_alloc(P->syn, n + 1);
  size_t k = 0;
  bool sp = false;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == '"') {
      if (sp) o[k++] = ' ';
      sp = false;
      o[k++] = s[i++];
      while (i < n && s[i] != '"') {
        if (s[i] == '\\' && i + 1 < n) o[k++] = s[i++];
        o[k++] = s[i++];
      }
      if (i < n) o[k++] = s[i];
      continue;
    }
    if (c == '/' && i + 1 < n && s[i + 1] == '/') {
      while (i + 1 < n && s[i + 1] != '\n') i++;
      sp = k > 0;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      sp = k > 0;
      continue;
    }
    if (sp) o[k++] = ' ';
    sp = false;
    o[k++] = c;
  }
  o[k] = 0;
  return o;
}

static bool simple_word(const char *s) {
  if (!*s) return false;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
          *s == '_' || *s == '.' || *s == ',' || *s == ' '))
      return false;
  return true;
}

const ptk_attr *pto_attr_hash(pto_parser *P, pto_tok t) {
  const char *s = tok_text(P, t) + 1;
  size_t n = t.len - 1;
  const char *lt = memchr(s, '<', n);
  if (!lt || s[n - 1] != '>') {
    char *w = norm_ws(P, s - 1, t.len);
    return ptk_attr_opaque(P->m, w, strlen(w), NULL);
  }
  size_t hn = (size_t)(lt - s); /* "pto.pipe" or "pto" */
  const char *in = lt + 1;
  size_t inn = (size_t)(s + n - 1 - in);
  char *content = norm_ws(P, in, inn);
  const char *dot = memchr(s, '.', hn);
  char *dialect, *mn, *value;
  ptk_enum_spelling sp;
  if (dot) {
    dialect = ptk_arena_strndup(P->syn, s, (size_t)(dot - s));
    mn = ptk_arena_strndup(P->syn, dot + 1, hn - (size_t)(dot - s) - 1);
    value = content;
    sp = PTK_ENUM_DOT;
  } else {
    dialect = ptk_arena_strndup(P->syn, s, hn);
    char *spc = strchr(content, ' ');
    if (!spc) {
      char *w = norm_ws(P, s - 1, t.len);
      return ptk_attr_opaque(P->m, w, strlen(w), NULL);
    }
    mn = ptk_arena_strndup(P->syn, content, (size_t)(spc - content));
    value = spc + 1;
    sp = PTK_ENUM_ANGLE;
  }
  if (!simple_word(value) || !*mn) {
    char *w = norm_ws(P, s - 1, t.len);
    return ptk_attr_opaque(P->m, w, strlen(w), NULL);
  }
  if (strcmp(dialect, "pto") == 0 && !ptk_enum_value_ok(mn, value)) {
    const ptk_enum_info *e = ptk_enum_lookup(mn);
    ptk_buf b = {0};
    for (int i = 0; e && e->values[i]; i++) ptk_buf_printf(&b, "%s%s", i ? ", " : "", e->values[i]);
    pto_err(P, t.off, t.len, "unknown value '%s' for #pto.%s (expected one of %s)", value, mn, ptk_buf_cstr(&b));
    ptk_buf_free(&b);
  }
  return ptk_attr_enum(P->m, dialect, mn, value, sp);
}

const ptk_attr *pto_attr_array_tok(pto_parser *P, pto_tok t) {
  /* array<T[: v, v, …]> */
  const char *s = tok_text(P, t);
  const char *b = memchr(s, '<', t.len);
  const char *e = s + t.len - 1; /* '>' */
  if (!b) goto bad;
  b++;
  while (b < e && (*b == ' ' || *b == '\t' || *b == '\n' || *b == '\r')) b++;
  const char *te = b;
  while (te < e && *te != ':' && *te != ' ' && *te != '\t' && *te != '\n' && *te != '\r' && *te != '>') te++;
  ptk_dtype dt;
  if (!dtype_by_name(b, (size_t)(te - b), &dt)) {
    pto_err(P, t.off, t.len, "array<…>: unknown element type '%.*s'", (int)(te - b), b);
    return ptk_attr_unit(P->m);
  }
  const ptk_type *ty = ptk_type_scalar(dt);
  const char *p = te;
  while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
  pto_vec iv = {0}, fv = {0};
  bool isf = ptk_dtype_is_float(dt);
  if (p < e) {
    if (*p != ':') goto bad;
    p++;
    while (p < e) {
      while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
      const char *q = p;
      while (q < e && *q != ',') q++;
      char buf[64];
      size_t len = (size_t)(q - p);
      while (len && (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\n' || p[len - 1] == '\r')) len--;
      if (len == 0 || len >= sizeof buf) goto bad;
      memcpy(buf, p, len);
      buf[len] = 0;
      char *endp;
      if (isf) {
        double v = strtod(buf, &endp);
        if (*endp) goto bad;
        *(double *)pto_vec_push(P, &fv, sizeof v) = v;
      } else {
        int64_t v;
        if (strcmp(buf, "true") == 0) v = 1;
        else if (strcmp(buf, "false") == 0) v = 0;
        else {
          v = (int64_t)strtoll(buf, &endp, 0);
          if (*endp) goto bad;
        }
        *(int64_t *)pto_vec_push(P, &iv, sizeof v) = v;
      }
      p = q < e ? q + 1 : q;
    }
  }
  return isf ? ptk_attr_dense_float(P->m, ty, fv.data, fv.n) : ptk_attr_dense_int(P->m, ty, iv.data, iv.n);
bad:
  pto_err(P, t.off, t.len, "malformed array<…> attribute");
  return ptk_attr_unit(P->m);
}

const ptk_attr *pto_attr_opaque_tok(pto_parser *P, pto_tok t, const ptk_type *type) {
  char *s = norm_ws(P, tok_text(P, t), t.len);
  return ptk_attr_opaque(P->m, s, strlen(s), type);
}

const ptk_attr *pto_attr_dict(pto_parser *P, pto_vec *entries, uint32_t off) {
  if (!entries) return ptk_attr_dict(P->m, NULL, 0);
  ptk_named_attr *e = entries->data;
  for (uint32_t i = 0; i < entries->n; i++)
    for (uint32_t j = 0; j < i; j++)
      if (strcmp(e[i].name, e[j].name) == 0) pto_err(P, off, 1, "duplicate attribute '%s' in a dictionary", e[i].name);
  return ptk_attr_dict(P->m, e, entries->n);
}

/* ---- syntax errors ---- */

static const char *tok_desc(int code) {
  switch (code) {
  case 0: return "end of file";
  case PTO_T_LP: return "'('";
  case PTO_T_RP: return "')'";
  case PTO_T_LSQ: return "'['";
  case PTO_T_RSQ: return "']'";
  case PTO_T_LBRACE: return "'{'";
  case PTO_T_RBRACE: return "'}'";
  case PTO_T_LT: return "'<'";
  case PTO_T_GT: return "'>'";
  case PTO_T_COMMA: return "','";
  case PTO_T_COLON: return "':'";
  case PTO_T_EQ: return "'='";
  case PTO_T_ARROW: return "'->'";
  case PTO_T_QUESTION: return "'?'";
  case PTO_T_MINUS: return "'-'";
  case PTO_T_INS: return "'ins'";
  case PTO_T_OUTS: return "'outs'";
  case PTO_T_ELSE: return "'else'";
  case PTO_T_VALUE: return "an SSA value";
  case PTO_T_RESULT:
  case PTO_T_RMULTI: return "a result name";
  case PTO_T_BIND: return "'%name ='";
  case PTO_T_LABEL: return "a block label";
  case PTO_T_SYMBOL: return "a symbol";
  case PTO_T_STRING: return "a string";
  case PTO_T_INT: return "an integer";
  case PTO_T_FLOAT: return "a float";
  case PTO_T_DIMS: return "a shape";
  case PTO_T_TY_PTR:
  case PTO_T_TY_TV:
  case PTO_T_TY_PV:
  case PTO_T_TY_TILE:
  case PTO_T_TY_OPAQUE:
  case PTO_T_TY_BANG: return "a type";
  case PTO_T_HASH:
  case PTO_T_ARRAY:
  case PTO_T_DENSE: return "an attribute";
  case PTO_T_IDENT: return "an identifier";
  default: return "an operation";
  }
}

void pto_syntax_error(pto_parser *P, int major, pto_tok t, const int *expected, int nexp) {
  if (P->failed) return;
  if (major == 0 && P->nbraces > 0) {
    int i = P->nbraces <= 256 ? P->nbraces - 1 : 255;
    pto_err(P, P->braces[i], 1, "unterminated region: this '{' has no matching '}'");
    return;
  }
  char found[96];
  if (major == 0) {
    snprintf(found, sizeof found, "end of file");
  } else {
    uint32_t n = t.len > 40 ? 40 : t.len;
    snprintf(found, sizeof found, "'%.*s%s'", (int)n, tok_text(P, t), t.len > 40 ? "…" : "");
  }
  ptk_buf b = {0};
  if (nexp >= 1 && nexp <= 6) {
    /* distinct descriptions */
    const char *seen[16];
    int ns = 0;
    for (int i = 0; i < nexp && i < 16; i++) {
      const char *d = tok_desc(expected[i]);
      bool dup = false;
      for (int j = 0; j < ns; j++) dup |= strcmp(seen[j], d) == 0;
      if (!dup) seen[ns++] = d;
    }
    ptk_buf_puts(&b, "expected ");
    for (int i = 0; i < ns; i++)
      ptk_buf_printf(&b, "%s%s", i == 0 ? "" : i == ns - 1 ? " or " : ", ", seen[i]);
    ptk_buf_printf(&b, ", found %s", found);
  } else {
    ptk_buf_printf(&b, "unexpected %s", found);
  }
  if (major == 0)
    pto_err(P, (uint32_t)P->src->len, 1, "%s", ptk_buf_cstr(&b));
  else
    pto_err(P, t.off, t.len, "%s", ptk_buf_cstr(&b));
  ptk_buf_free(&b);
}

/* ======================================================================
 * Building IR from the syntax tree
 * ====================================================================== */

typedef struct name_ent {
  const char *name;
  uint32_t len;
  uint32_t hash;
  ptk_value *v0; /* first value; a group's values are contiguous (op results) */
  uint32_t count;
  int32_t next; /* chain */
  ptk_loc loc;
} name_ent;

typedef struct builder {
  pto_parser *P;
  ptk_module *m;
  name_ent *ents;
  uint32_t nents, cap_ents;
  int32_t *buckets;
  uint32_t nbuckets;
  int depth;
  struct opb *opbs[PTK_MAX_NEST + 2]; /* one scratch op per nesting depth, reused */
  /* branch successors waiting for the end of their region, where every
   * block label is known (forward branches) */
  struct pend_succ {
    ptk_op *op;
    uint32_t idx;
    const pto_part *p;
  } *pend;
  uint32_t npend, cap_pend;
  /* the tiles pto.bind_tile gave a configuration: a memref spelling of
   * their type (which carries none) still names them */
  const ptk_op **binds;
  uint32_t nbinds, cap_binds;
} builder;

static uint32_t hash_name(const char *s, uint32_t n) {
  uint32_t h = 2166136261u;
  for (uint32_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 16777619u;
  return h;
}

static void names_rehash(builder *B, uint32_t nb) {
  free(B->buckets);
  B->buckets = ptk_xmalloc(nb * sizeof *B->buckets);
  for (uint32_t i = 0; i < nb; i++) B->buckets[i] = -1;
  B->nbuckets = nb;
  for (uint32_t i = 0; i < B->nents; i++) { /* oldest first: newest end up at chain heads */
    uint32_t b = B->ents[i].hash & (nb - 1);
    B->ents[i].next = B->buckets[b];
    B->buckets[b] = (int32_t)i;
  }
}

static void names_reset(builder *B) {
  B->nents = 0;
  if (!B->buckets) names_rehash(B, 256);
  else
    for (uint32_t i = 0; i < B->nbuckets; i++) B->buckets[i] = -1;
}

static name_ent *names_find(builder *B, const char *s, uint32_t n) {
  uint32_t h = hash_name(s, n);
  for (int32_t i = B->buckets[h & (B->nbuckets - 1)]; i >= 0; i = B->ents[i].next)
    if (B->ents[i].hash == h && B->ents[i].len == n && memcmp(B->ents[i].name, s, n) == 0)
      return &B->ents[i];
  return NULL;
}

/* Defines name → values; false (after reporting) on a redefinition. */
static bool names_def(builder *B, const char *s, uint32_t n, ptk_loc loc, ptk_value *v0, uint32_t count) {
  name_ent *old = names_find(B, s, n);
  if (old) {
    err_at(B->P, loc, n + 1, "redefinition of value '%%%.*s'", (int)n, s);
    note_at(B->P, old->loc, n + 1, "previous definition of '%%%.*s' is here", (int)n, s);
    return false;
  }
  if (B->nents == B->cap_ents) {
    B->cap_ents = B->cap_ents ? B->cap_ents * 2 : 256;
    B->ents = ptk_xrealloc(B->ents, B->cap_ents * sizeof *B->ents);
  }
  if (B->nents * 2 >= B->nbuckets) {
    B->ents[B->nents] = (name_ent){0};
    names_rehash(B, B->nbuckets * 2);
  }
  uint32_t h = hash_name(s, n);
  name_ent *e = &B->ents[B->nents];
  *e = (name_ent){s, n, h, v0, count, B->buckets[h & (B->nbuckets - 1)], loc};
  B->buckets[h & (B->nbuckets - 1)] = (int32_t)B->nents;
  B->nents++;
  if (v0 && !v0->name) v0->name = ptk_arena_strndup(ptk_module_arena(B->m), s, n);
  return true;
}

static void names_pop(builder *B, uint32_t mark) {
  while (B->nents > mark) {
    name_ent *e = &B->ents[--B->nents];
    B->buckets[e->hash & (B->nbuckets - 1)] = e->next;
  }
}

static ptk_value *resolve(builder *B, const pto_use *u) {
  if (B->P->failed) return NULL;
  name_ent *e = names_find(B, u->name, u->len);
  if (!e) {
    err_at(B->P, u->loc, u->len + 1, "use of undefined value '%%%.*s'", (int)u->len, u->name);
    return NULL;
  }
  uint32_t i = u->idx < 0 ? 0 : (uint32_t)u->idx;
  if (i >= e->count) {
    err_at(B->P, u->loc, u->len + 1, "result number %u of '%%%.*s' is out of range (it has %u result%s)", i,
           (int)u->len, u->name, e->count, e->count == 1 ? "" : "s");
    return NULL;
  }
  return e->v0 + i;
}

/* Resolves a list of uses into out (appending). */
static bool resolve_all(builder *B, const pto_vec *uses, ptk_value **out, uint32_t *n, uint32_t cap) {
  for (uint32_t i = 0; i < uses->n; i++) {
    ptk_value *v = resolve(B, &PTO_VEC_AT(*uses, pto_use, i));
    if (!v) return false;
    if (*n < cap) out[*n] = v;
    (*n)++;
  }
  return true;
}

static char *tstr(const ptk_type *t) { return ptk_type_str(t); }

/* Whether v is a pto.bind_tile result and T its memref's tile (the memref
 * type ptoas writes at its uses has no configuration or valid shape). */
static bool rebound_memref(const builder *B, const ptk_value *v, const ptk_type *T) {
  bool bound = false;
  for (uint32_t i = 0; i < B->nbinds && !bound; i++) bound = v->def == B->binds[i];
  if (!bound || !T || v->type->kind != PTK_TY_TILE_BUF) return false;
  const ptk_tile_desc *d = &v->type->tile;
  return ptk_type_equal(T, memref_default_tile(B->m, d->loc, d->elem, d->rows, d->cols));
}

/* Annotated types against the operands' types. */
static bool check_types(builder *B, const pto_vec *uses, ptk_value *const *vals, const pto_vec *types,
                        ptk_loc where, const char *what) {
  if (uses->n != types->n) {
    ptk_loc l = types->n ? PTO_VEC_AT(*types, pto_tl, 0).loc : where;
    err_at(B->P, l, 1, "type annotation count mismatch in %s: %u operand%s but %u type%s", what, uses->n,
           uses->n == 1 ? "" : "s", types->n, types->n == 1 ? "" : "s");
    return false;
  }
  for (uint32_t i = 0; i < uses->n; i++) {
    const ptk_type *t = PTO_VEC_AT(*types, pto_tl, i).t;
    if (!ptk_type_equal(vals[i]->type, t) && !rebound_memref(B, vals[i], t)) {
      const pto_use *u = &PTO_VEC_AT(*uses, pto_use, i);
      char *a = tstr(vals[i]->type), *b = tstr(t);
      err_at(B->P, u->loc, u->len + 1, "type mismatch: '%%%.*s' has type '%s' but is annotated as '%s'", (int)u->len,
             u->name, a, b);
      free(a);
      free(b);
      return false;
    }
  }
  return true;
}

static bool check_one_type(builder *B, const pto_use *u, const ptk_value *v, const pto_tl *t) {
  if (ptk_type_equal(v->type, t->t) || rebound_memref(B, v, t->t)) return true;
  char *a = tstr(v->type), *b = tstr(t->t);
  err_at(B->P, u->loc, u->len + 1, "type mismatch: '%%%.*s' has type '%s' but is annotated as '%s'", (int)u->len,
         u->name, a, b);
  free(a);
  free(b);
  return false;
}


/* ---- attribute slots from the ATTRS column ---- */

/* Attribute slots: the ATTRS column as lang/ir parsed it. */
typedef ptk_attr_desc attr_slot;

/* The op's slots, in place (no per-frame copies on the recursive paths). */
static const attr_slot *attr_slots(ptk_op_kind k, uint32_t *n) {
  const ptk_op_desc *d = ptk_op_desc_of(k);
  *n = d->nattrs;
  return d->attrs;
}static bool has_required_attrs(ptk_op_kind k) { return ptk_op_desc_of(k)->any_required; }

/* Accumulated op attributes (name → value), duplicates rejected. */
typedef struct attr_acc {
  ptk_named_attr items[64];
  uint32_t n;
} attr_acc;

static bool acc_add(builder *B, attr_acc *a, const char *name, const ptk_attr *v, ptk_loc loc) {
  for (uint32_t i = 0; i < a->n; i++)
    if (strcmp(a->items[i].name, name) == 0) {
      err_at(B->P, loc, 1, "duplicate attribute '%s'", name);
      return false;
    }
  if (a->n == PTK_ARRAY_LEN(a->items)) {
    err_at(B->P, loc, 1, "too many attributes");
    return false;
  }
  a->items[a->n++] = (ptk_named_attr){name, v};
  return true;
}

static bool acc_dict(builder *B, attr_acc *a, const ptk_attr *d, ptk_loc loc) {
  if (!d) return true;
  for (uint32_t i = 0; i < d->dict.n; i++)
    if (!acc_add(B, a, d->dict.items[i].name, d->dict.items[i].value, loc)) return false;
  return true;
}

/* ---- op building ---- */

typedef struct preset_arg {
  const char *name;
  uint32_t len;
  ptk_loc loc;
  const ptk_type *type;
} preset_arg;

static bool build_region(builder *B, const pto_region *sr, ptk_region *r, ptk_block *entry,
                         const preset_arg *pre, uint32_t npre, ptk_loc oploc);

typedef struct opb { /* an op under construction */
  ptk_value *ops[512];
  uint32_t nops;
  uint32_t segs[8];
  uint32_t nsegs;
  const ptk_type *res[64];
  uint32_t nres;
  attr_acc attrs;
  const pto_region *regions[4];
  uint32_t nregions;
  preset_arg pre[4][64];
  uint32_t npre[4];
  bool else_absent; /* scf.if without else */
  bool bind;        /* pto.bind_tile (read as alloc_tile) */
  const char *form;  /* ptk_op_set_form (VOP, pretty sync forms) */
  ptk_buf fbuf;      /* the form being built */
  const pto_use *vuse[512]; /* VOP: the use of each operand, for type messages */
  const struct pto_item *vclause[513]; /* VOP: the clause starting at operand i */
  const struct pto_item *vin[512];     /* VOP: the clause operand i is in (NULL: none) */
  bool vidx[512];           /* VOP: operand i is an index in brackets */
  const pto_part *succ[2];  /* BRANCH: the successors as written */
  uint32_t nsucc;
} opb;

static bool add_operands(builder *B, opb *o, const pto_vec *uses) {
  if (!resolve_all(B, uses, o->ops, &o->nops, PTK_ARRAY_LEN(o->ops))) return false;
  if (o->nops > PTK_ARRAY_LEN(o->ops)) {
    err_at(B->P, uses->n ? PTO_VEC_AT(*uses, pto_use, 0).loc : (ptk_loc){0}, 1, "too many operands");
    return false;
  }
  return true;
}

static bool add_operand(builder *B, opb *o, const pto_use *u) {
  ptk_value *v = resolve(B, u);
  if (!v) return false;
  if (o->nops >= PTK_ARRAY_LEN(o->ops)) {
    err_at(B->P, u->loc, 1, "too many operands");
    return false;
  }
  o->ops[o->nops++] = v;
  return true;
}

static bool add_results(builder *B, opb *o, const pto_vec *types, ptk_loc loc) {
  for (uint32_t i = 0; i < types->n; i++) {
    if (o->nres >= PTK_ARRAY_LEN(o->res)) {
      err_at(B->P, loc, 1, "too many results");
      return false;
    }
    o->res[o->nres++] = PTO_VEC_AT(*types, pto_tl, i).t;
  }
  return true;
}

static const char *opname(const pto_sop *s) { return ptk_op_table[s->kind].name; }

static bool unexpected_part(builder *B, const pto_sop *s, const pto_part *p) {
  static const char *names[] = {"ins(…)", "outs(…)", "outs : type", "operands", "':' and types", "'->' and types",
                                "an attribute dictionary", "properties", "a keyword operand list",
                                "a keyword operand", "a keyword attribute", "a bracket list", "a region",
                                "bindings", "an induction variable", "a keyword", "an attribute", "a symbol",
                                "an integer list", "an indexed operand", "a function type", "a parenthesized list"};
  err_at(B->P, p->loc.src ? p->loc : s->loc, 1, "unexpected %s in '%s'", names[p->kind], opname(s));
  return false;
}

static const ptk_type *single_type(const pto_part *p) {
  return p->types.n ? PTO_VEC_AT(p->types, pto_tl, 0).t : NULL;
}

/* DPS: ins(…) [outs(…) | outs : T] [{attrs}] [-> T] */
static bool build_dps(builder *B, const pto_sop *s, opb *o) {
  const ptk_op_info *info = &ptk_op_table[s->kind];
  bool have_outs = false;
  uint32_t nins = 0;
  for (uint32_t i = 0; i < s->parts.n; i++) {
    const pto_part *p = PTO_VEC_AT(s->parts, pto_part *, i);
    switch (p->kind) {
    case PP_INS: {
      uint32_t before = o->nops;
      if (!add_operands(B, o, &p->uses)) return false;
      if (!check_types(B, &p->uses, o->ops + before, &p->types, p->loc, "ins(…)")) return false;
      nins = o->nops;
      if (!acc_dict(B, &o->attrs, p->attr, p->loc)) return false;
      break;
    }
    case PP_OUTS: {
      if (have_outs) return unexpected_part(B, s, p);
      have_outs = true;
      uint32_t before = o->nops;
      if (!add_operands(B, o, &p->uses)) return false;
      if (!check_types(B, &p->uses, o->ops + before, &p->types, p->loc, "outs(…)")) return false;
      break;
    }
    case PP_OUTS_RES:
      if (have_outs) return unexpected_part(B, s, p);
      have_outs = true;
      if (!add_results(B, o, &p->types, p->loc)) return false;
      break;
    case PP_ARROW:
      if (!add_results(B, o, &p->types, p->loc)) return false;
      break;
    case PP_DICT:
      if (!acc_dict(B, &o->attrs, p->attr, p->loc)) return false;
      break;
    default: return unexpected_part(B, s, p);
    }
  }
  bool sig_outs = ptk_op_kind_has_outs(s->kind);
  if (sig_outs && !have_outs) {
    err_at(B->P, s->loc, s->namelen, "'%s' needs an outs(…) clause", opname(s));
    return false;
  }
  if (!sig_outs && have_outs && !(info->flags & PTK_OPF_OUTS_RESULT)) {
    err_at(B->P, s->loc, s->namelen, "'%s' has no outs(…) clause", opname(s));
    return false;
  }
  o->nsegs = 2;
  o->segs[0] = nins;
  o->segs[1] = o->nops - nins;
  /* tcvt accepts `satmode` for `sat_mode`. */
  for (uint32_t i = 0; i < o->attrs.n; i++)
    if (strcmp(o->attrs.items[i].name, "satmode") == 0) o->attrs.items[i].name = "sat_mode";
  return true;
}

static bool expect_word(builder *B, const pto_part *p, const char *w) {
  if (p->kind == PP_WORD && word_eq(p->word, p->wlen, w)) return true;
  if (p->kind == PP_KWUSES || p->kind == PP_KWUSE || p->kind == PP_INTS || p->kind == PP_BINDS || p->kind == PP_WORD)
    err_at(B->P, p->loc, p->wlen, "expected '%s', found '%.*s'", w, (int)p->wlen, p->word);
  else
    err_at(B->P, p->loc, 1, "expected '%s'", w);
  return false;
}

static int64_t const_int_of(const ptk_value *v, bool *ok) {
  *ok = false;
  if (!v || !v->def || v->def->kind != PTK_OP_ARITH_CONSTANT) return 0;
  const ptk_attr *a = ptk_op_attr(v->def, "value");
  int64_t x;
  if (a && a->kind == PTK_ATTR_INT && ptk_attr_get_int(a, &x)) {
    *ok = true;
    return x;
  }
  return 0;
}

static bool build_view(builder *B, const pto_sop *s, opb *o) {
  bool mtv = s->kind == PTK_OP_MAKE_TENSOR_VIEW;
  const char *kw1 = mtv ? "shape" : "offsets", *kw2 = mtv ? "strides" : "sizes";
  int nkw = 0;
  const ptk_type *colon = NULL, *arrow = NULL;
  ptk_loc colon_loc = s->loc;
  o->nsegs = 3;
  for (uint32_t i = 0; i < s->parts.n; i++) {
    const pto_part *p = PTO_VEC_AT(s->parts, pto_part *, i);
    switch (p->kind) {
    case PP_OPERANDS:
      if (!add_operands(B, o, &p->uses)) return false;
      o->segs[0] = o->nops;
      break;
    case PP_KWUSES: {
      const char *want = nkw == 0 ? kw1 : nkw == 1 ? kw2 : NULL;
      if (!want || !word_eq(p->word, p->wlen, want)) {
        if (want)
          err_at(B->P, p->loc, p->wlen, "expected '%s = […]' in '%s', found '%.*s'", want, opname(s), (int)p->wlen, p->word);
        else
          err_at(B->P, p->loc, p->wlen, "unexpected '%.*s' in '%s'", (int)p->wlen, p->word, opname(s));
        return false;
      }
      uint32_t before = o->nops;
      if (!add_operands(B, o, &p->uses)) return false;
      o->segs[1 + nkw] = o->nops - before;
      nkw++;
      break;
    }
    case PP_DICT:
      if (!acc_dict(B, &o->attrs, p->attr, p->loc)) return false;
      break;
    case PP_TYPES:
      colon = single_type(p);
      colon_loc = p->loc;
      break;
    case PP_ARROW: arrow = single_type(p); break;
    default: return unexpected_part(B, s, p);
    }
  }
  if (nkw < 2) {
    err_at(B->P, s->loc, s->namelen, "'%s' needs '%s = […]' and '%s = […]'", opname(s), kw1, kw2);
    return false;
  }
  if (mtv) {
    if (arrow) {
      err_at(B->P, s->loc, s->namelen, "'%s' takes a single result type after ':'", opname(s));
      return false;
    }
    o->res[o->nres++] = colon;
    return true;
  }
  /* partition_view: `: SrcT [-> DstT]` */
  if (o->nops >= 1 && colon && !ptk_type_equal(o->ops[0]->type, colon)) {
    char *a = tstr(o->ops[0]->type), *b = tstr(colon);
    err_at(B->P, colon_loc, 1, "type mismatch: the source has type '%s' but is annotated as '%s'", a, b);
    free(a);
    free(b);
    return false;
  }
  if (!arrow) {
    /* Infer !pto.partition_tensor_view<sizes x elem> from constant sizes. */
    const ptk_type *src = o->nops ? o->ops[0]->type : NULL;
    if (!src || src->kind != PTK_TY_TENSOR_VIEW) {
      err_at(B->P, s->loc, s->namelen, "cannot infer the result type of '%s'; write '-> !pto.partition_tensor_view<…>'",
             opname(s));
      return false;
    }
    int64_t d[16];
    uint32_t n = o->segs[2] < 16 ? o->segs[2] : 16;
    for (uint32_t i = 0; i < n; i++) {
      bool ok;
      int64_t v = const_int_of(o->ops[1 + o->segs[1] + i], &ok);
      d[i] = ok ? v : PTK_DYN;
    }
    arrow = ptk_type_part_view(B->m, n, d, src->elem);
  }
  o->res[o->nres++] = arrow;
  return true;
}

/* An integer field `name=N` of a #pto.tile_buf_config<…> text. */
static bool config_field(const char *t, const char *name, int64_t *out) {
  size_t n = strlen(name);
  for (const char *p = t; (p = strstr(p, name)) != NULL; p += n) {
    if ((p != t && (isalnum((unsigned char)p[-1]) || p[-1] == '_')) || p[n] != '=') continue;
    *out = strtoll(p + n + 1, NULL, 10);
    return true;
  }
  return false;
}

/* pto.bind_tile's source: the tile it rebinds must come from memref.alloc
 * or pto.pointer_cast (an alloc_tile); its address, if any, is the new
 * tile's, so both name the same bytes. (Without an address the new tile
 * is its own allocation: the same buffer as long as the source is not also
 * used directly, which is how ptoas's lowering writes it.) */
static bool bind_source(builder *B, const pto_part *p, opb *o) {
  const pto_use *u = &PTO_VEC_AT(p->uses, pto_use, 0);
  ptk_value *v = resolve(B, u);
  if (!v) return false;
  const pto_tl *t = &PTO_VEC_AT(p->types, pto_tl, 0);
  if (!check_one_type(B, u, v, t)) return false;
  const ptk_op *d = v->def;
  if (!d || d->kind != PTK_OP_ALLOC_TILE) {
    err_at(B->P, u->loc, u->len + 1, "'pto.bind_tile' is read for the result of memref.alloc or pto.pointer_cast "
           "(an on-chip tile), which '%%%.*s' is not", (int)u->len, u->name);
    return false;
  }
  uint32_t n;
  ptk_value **addr = ptk_op_segment(d, 0, &n);
  if (n) {
    o->ops[o->nops++] = addr[0];
    o->segs[0] = 1;
  }
  return true;
}

/* The result type of pto.bind_tile: its memref's tile with the config's
 * layouts, fractal and pad, and a dynamic valid shape when valid operands
 * are given. */
static bool bind_config(builder *B, const pto_sop *s, opb *o, bool need) {
  const ptk_attr *cfg = NULL;
  for (uint32_t i = 0; i < o->attrs.n; i++)
    if (!strcmp(o->attrs.items[i].name, "config")) {
      cfg = o->attrs.items[i].value;
      o->attrs.items[i] = o->attrs.items[--o->attrs.n];
      break;
    }
  const char *text = !cfg ? NULL
                     : cfg->kind == PTK_ATTR_ENUM && !strcmp(cfg->en.mnemonic, "tile_buf_config") ? cfg->en.value
                     : cfg->kind == PTK_ATTR_OPAQUE && !strncmp(cfg->str.s, "#pto.tile_buf_config<", 21) ? cfg->str.s
                                                                                                      : NULL;
  if (!o->nres || !o->res[0] || o->res[0]->kind != PTK_TY_TILE_BUF) return false; /* reported by the grammar */
  if (!text && cfg) {
    err_at(B->P, s->loc, s->namelen, "'%s' config must be a #pto.tile_buf_config<…>", opname(s));
    return false;
  }
  if (!text && !need) text = "";
  if (!text) {
    err_at(B->P, s->loc, s->namelen, "'pto.bind_tile' needs {config = #pto.tile_buf_config<…>} and an on-chip "
           "memref result (a tile)");
    return false;
  }
  ptk_tile_desc td = o->res[0]->tile;
  int64_t bl = td.blayout, sl = td.slayout, fr = td.fractal, pad = td.pad;
  config_field(text, "blayout", &bl);
  config_field(text, "slayout", &sl);
  config_field(text, "s_fractal_size", &fr);
  config_field(text, "pad", &pad);
  if (bl < 0 || bl > 1 || sl < 0 || sl > 2) {
    err_at(B->P, s->loc, s->namelen, "'%s' config has blayout %lld and slayout %lld (blayout 0..1, "
           "slayout 0..2)", opname(s), (long long)bl, (long long)sl);
    return false;
  }
  td.blayout = (ptk_blayout)bl;
  td.slayout = (ptk_slayout)sl;
  td.fractal = fr;
  td.pad = pad;
  if (o->segs[1]) td.v_row = td.v_col = PTK_DYN;
  o->res[0] = ptk_type_tile_buf(B->m, &td);
  return true;
}

static bool build_alloc(builder *B, const pto_sop *s, opb *o) {
  static const char *const kws[] = {"addr", "valid_row", "valid_col"};
  int last = -1;
  bool bind = false;
  o->nsegs = 3;
  /* A lowered memref buffer: ptoas does not hold it to the tile_buf
   * layout rules (PTK_FORM_MEMREF, backend/verify_ptoas.c). */
  if (s->memref) o->form = PTK_FORM_MEMREF;
  for (uint32_t i = 0; i < s->parts.n; i++) {
    const pto_part *p = PTO_VEC_AT(s->parts, pto_part *, i);
    if (p->kind == PP_KWUSE && word_eq(p->word, p->wlen, "bind_tile")) {
      if (!bind_source(B, p, o)) return false;
      bind = o->bind = true;
      last = 0;
    } else if (p->kind == PP_KWUSE && word_eq(p->word, p->wlen, "memref_valid")) {
      o->bind = true; /* pointer_cast with valid dims: the memref at its uses names it */
    } else if (p->kind == PP_KWUSE) {
      int k = -1;
      for (int j = 0; j < 3; j++)
        if (word_eq(p->word, p->wlen, kws[j])) k = j;
      if (k < 0) {
        err_at(B->P, p->loc, p->wlen, "unexpected keyword '%.*s' in 'pto.alloc_tile' (expected addr, valid_row or valid_col)",
               (int)p->wlen, p->word);
        return false;
      }
      if (k <= last) {
        err_at(B->P, p->loc, p->wlen, "'%s' %s in 'pto.alloc_tile' (order: addr, valid_row, valid_col)", kws[k],
               k == last ? "appears twice" : "is out of order");
        return false;
      }
      last = k;
      if (!add_operand(B, o, &PTO_VEC_AT(p->uses, pto_use, 0))) return false;
      o->segs[k] = 1;
    } else if (p->kind == PP_DICT) {
      if (!acc_dict(B, &o->attrs, p->attr, p->loc)) return false;
    } else if (p->kind == PP_TYPES) {
      o->res[o->nres++] = single_type(p);
    } else {
      return unexpected_part(B, s, p);
    }
  }
  if (bind) return bind_config(B, s, o, true);
  if (o->bind) return bind_config(B, s, o, false);
  return true;
}

static bool build_subview(builder *B, const pto_sop *s, opb *o) {
  const ptk_type *colon = NULL, *arrow = NULL;
  ptk_loc colon_loc = s->loc;
  const pto_part *sizes = NULL;
  o->nsegs = 4;
  for (uint32_t i = 0; i < s->parts.n; i++) {
    const pto_part *p = PTO_VEC_AT(s->parts, pto_part *, i);
    switch (p->kind) {
    case PP_OPERANDS:
      if (!add_operands(B, o, &p->uses)) return false;
      o->segs[0] = o->nops;
      break;
    case PP_KWUSES: {
      uint32_t before = o->nops;
      if (word_eq(p->word, p->wlen, "offsets")) {
        if (!add_operands(B, o, &p->uses)) return false;
        o->segs[1] = o->nops - before;
      } else if (word_eq(p->word, p->wlen, "valid")) {
        if (p->uses.n != 2) {
          err_at(B->P, p->loc, p->wlen, "'valid' takes two values [%%row, %%col]");
          return false;
        }
        if (!add_operands(B, o, &p->uses)) return false;
        o->segs[2] = 1;
        o->segs[3] = 1;
      } else {
        err_at(B->P, p->loc, p->wlen, "unexpected '%.*s' in 'pto.subview' (expected sizes or valid)", (int)p->wlen, p->word);
        return false;
      }
      break;
    }
    case PP_INTS:
      if (!word_eq(p->word, p->wlen, "sizes") || sizes) {
        err_at(B->P, p->loc, p->wlen, "unexpected '%.*s' in 'pto.subview' (expected sizes or valid)", (int)p->wlen, p->word);
        return false;
      }
      sizes = p;
      break;
    case PP_DICT:
      if (!acc_dict(B, &o->attrs, p->attr, p->loc)) return false;
      break;
    case PP_TYPES:
      colon = single_type(p);
      colon_loc = p->loc;
      break;
    case PP_ARROW: arrow = single_type(p); break;
    default: return unexpected_part(B, s, p);
    }
  }
  if (!sizes) {
    err_at(B->P, s->loc, s->namelen, "'pto.subview' needs 'sizes [ROWS, COLS]'");
    return false;
  }
  const ptk_attr *items[16];
  if (sizes->ints.n > 16) {
    err_at(B->P, sizes->loc, sizes->wlen, "too many sizes in 'pto.subview' (at most 16)");
    return false;
  }
  uint32_t n = sizes->ints.n;
  for (uint32_t i = 0; i < n; i++)
    items[i] = ptk_attr_int(B->m, PTO_VEC_AT(sizes->ints, int64_t, i), ptk_type_scalar(PTK_DT_I64));
  if (!acc_add(B, &o->attrs, "sizes", ptk_attr_array(B->m, items, n), sizes->loc)) return false;
  if (o->nops && colon && !ptk_type_equal(o->ops[0]->type, colon)) {
    char *a = tstr(o->ops[0]->type), *b = tstr(colon);
    err_at(B->P, colon_loc, 1, "type mismatch: the source has type '%s' but is annotated as '%s'", a, b);
    free(a);
    free(b);
    return false;
  }
  if (!arrow) {
    const ptk_type *src = o->nops ? o->ops[0]->type : NULL;
    if (!src || src->kind != PTK_TY_TILE_BUF || n != 2) {
      err_at(B->P, s->loc, s->namelen, "cannot infer the result type of 'pto.subview'; write '-> !pto.tile_buf<…>'");
      return false;
    }
    ptk_tile_desc d = src->tile;
    d.rows = d.v_row = PTO_VEC_AT(sizes->ints, int64_t, 0);
    d.cols = d.v_col = PTO_VEC_AT(sizes->ints, int64_t, 1);
    if (o->segs[2]) d.v_row = d.v_col = PTK_DYN;
    arrow = ptk_type_tile_buf(B->m, &d);
  }
  o->res[o->nres++] = arrow;
  return true;
}

/* Bracket / sync items → attributes in ATTRS order, values → operands. */
static bool build_sync(builder *B, const pto_sop *s, opb *o) {
  uint32_t nslots;
  const attr_slot *slots = attr_slots(s->kind, &nslots);
  uint32_t next = 0;
  for (uint32_t i = 0; i < s->parts.n; i++) {
    const pto_part *p = PTO_VEC_AT(s->parts, pto_part *, i);
    if (p->kind == PP_DICT) {
      if (!acc_dict(B, &o->attrs, p->attr, p->loc)) return false;
      continue;
    }
    if (p->kind == PP_PAREN) { /* syncall operands */
      uint32_t before = o->nops;
      if (!add_operands(B, o, &p->uses)) return false;
      if (p->uses.n && !check_types(B, &p->uses, o->ops + before, &p->types, p->loc, "the operand list"))
        return false;
      continue;
    }
    if (p->kind == PP_KWATTR) {
      char name[64];
      snprintf(name, sizeof name, "%.*s", (int)p->wlen, p->word);
      bool known = false;
      for (uint32_t k = 0; k < nslots; k++) known |= strcmp(slots[k].name, name) == 0;
      if (!known) {
        err_at(B->P, p->loc, p->wlen, "unknown keyword '%s' in '%s'", name, opname(s));
        return false;
      }
      if (!acc_add(B, &o->attrs, ptk_arena_strdup(ptk_module_arena(B->m), name), p->attr, p->loc)) return false;
      continue;
    }
    if (p->kind != PP_BRACKET) return unexpected_part(B, s, p);
    if (p->word && !p->word[0]) o->form = "";
    for (uint32_t j = 0; j < p->items.n; j++) {
      const pto_item *it = &PTO_VEC_AT(p->items, pto_item, j);
      if (it->kind == 1) {
        if (!add_operand(B, o, &it->use)) return false;
        continue;
      }
      if (next >= nslots) {
        err_at(B->P, it->loc, 1, "too many attributes in '%s'", opname(s));
        return false;
      }
      const attr_slot *sl = &slots[next++];
      const ptk_attr *a = it->attr;
      if (it->kind == 2) {
        if (!sl->enum_mn[0]) {
          err_at(B->P, it->loc, it->wlen + 2, "'%s' of '%s' is not an enumeration", sl->name, opname(s));
          return false;
        }
        /* Whole word (a fixed buffer truncated long values: fuzz_pto crash-772446d8). */
        const char *v = ptk_arena_strndup(B->P->syn, it->word, it->wlen);
        if (!ptk_enum_value_ok(sl->enum_mn, v)) {
          err_at(B->P, it->loc, it->wlen + 2, "unknown value '%s' for #pto.%s", v, sl->enum_mn);
          return false;
        }
        a = ptk_attr_pto_enum(B->m, sl->enum_mn, v);
      } else if (a && a->kind == PTK_ATTR_STRING && sl->enum_mn[0]) {
        /* set_flag["PIPE_MTE2", "PIPE_V", "EVENT_ID0"]: ptoas also reads strings. */
        const char *v = ptk_arena_strndup(B->P->syn, a->str.s, a->str.len);
        bool word = a->str.len > 0; /* the value becomes #pto.x<WORD>: a word, or it would not read back */
        for (uint32_t k = 0; k < a->str.len && word; k++) {
          char ch = a->str.s[k];
          word = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
        }
        if (!word || !ptk_enum_value_ok(sl->enum_mn, v)) {
          err_at(B->P, it->loc, a->str.len + 2, "unknown value '%s' for #pto.%s", v, sl->enum_mn);
          return false;
        }
        a = ptk_attr_pto_enum(B->m, sl->enum_mn, v);
      } else if (a && a->kind == PTK_ATTR_INT && sl->int_dt != PTK_DT__COUNT &&
                 ptk_type_is_scalar(a->type, PTK_DT_I64)) {
        a = ptk_attr_int(B->m, a->i, ptk_type_scalar(sl->int_dt));
      }
      /* The name must outlive this frame (slots[] is a local copy). */
      if (!acc_add(B, &o->attrs, ptk_arena_strdup(ptk_module_arena(B->m), sl->name), a, it->loc)) return false;
    }
  }
  return true;
}

static bool ptypes_check(builder *B, const pto_sop *s, const pto_part *p, opb *o, uint32_t from) {
  (void)s;
  pto_vec uses = {0};
  /* Reconstruct the uses of operands [from, nops) for messages: not kept; compare by position. */
  (void)uses;
  if (o->nops - from != p->types.n) {
    err_at(B->P, p->loc, 1, "type annotation count mismatch: %u operand%s but %u type%s", o->nops - from,
           o->nops - from == 1 ? "" : "s", p->types.n, p->types.n == 1 ? "" : "s");
    return false;
  }
  for (uint32_t i = 0; i < p->types.n; i++) {
    const pto_tl *t = &PTO_VEC_AT(p->types, pto_tl, i);
    if (!ptk_type_equal(o->ops[from + i]->type, t->t)) {
      char *a = tstr(o->ops[from + i]->type), *b = tstr(t->t);
      err_at(B->P, t->loc, 1, "type mismatch: operand %u has type '%s' but is annotated as '%s'", i, a, b);
      free(a);
      free(b);
      return false;
    }
  }
  return true;
}

static bool build_arith(builder *B, const pto_sop *s, opb *o) {
  ptk_op_family fam = ptk_op_table[s->kind].family;
  const pto_part *types = NULL, *ops = NULL;
  for (uint32_t i = 0; i < s->parts.n; i++) {
    const pto_part *p = PTO_VEC_AT(s->parts, pto_part *, i);
    switch (p->kind) {
    case PP_OPERANDS:
      ops = p;
      if (!add_operands(B, o, &p->uses)) return false;
      break;
    case PP_DICT:
      if (!acc_dict(B, &o->attrs, p->attr, p->loc)) return false;
      break;
    case PP_TYPES: types = p; break;
    case PP_WORD: {
      /* overflow<nsw, nuw> / fastmath<fast> */
      bool ov = word_eq(p->word, p->wlen, "overflow"), fm = word_eq(p->word, p->wlen, "fastmath");
      if (!ov && !fm) {
        err_at(B->P, p->loc, p->wlen, "unexpected '%.*s' in '%s' (expected overflow<…> or fastmath<…>)", (int)p->wlen,
               p->word, opname(s));
        return false;
      }
      ptk_buf v = {0};
      for (uint32_t j = 0; j < p->items.n; j++) {
        const pto_item *it = &PTO_VEC_AT(p->items, pto_item, j);
        ptk_buf_printf(&v, "%s%.*s", j ? ", " : "", (int)it->wlen, it->word);
      }
      const ptk_attr *a = ptk_attr_enum(B->m, "arith", ov ? "overflow" : "fastmath", ptk_buf_cstr(&v), PTK_ENUM_DOT);
      ptk_buf_free(&v);
      if (!acc_add(B, &o->attrs, ov ? "overflowFlags" : "fastmath", a, p->loc)) return false;
      break;
    }
    default: return unexpected_part(B, s, p);
    }
  }
  if (!types || !ops) return false;
  uint32_t nt = types->types.n;
  const ptk_type *T = PTO_VEC_AT(types->types, pto_tl, nt - 1).t;
  const pto_vec *uses = &ops->uses;
  uint32_t first = 0;
  if (fam == PTK_FAM_ARITH_SELECT) {
    if (nt > 2) goto count;
    const ptk_type *ct = nt == 2 ? PTO_VEC_AT(types->types, pto_tl, 0).t : ptk_type_scalar(PTK_DT_I1);
    if (o->nops >= 1 && !ptk_type_equal(o->ops[0]->type, ct)) {
      pto_tl t = {ct, types->loc, NULL, 0, 0, NULL};
      return check_one_type(B, &PTO_VEC_AT(*uses, pto_use, 0), o->ops[0], &t);
    }
    first = 1;
    o->res[o->nres++] = T;
  } else if (fam == PTK_FAM_ARITH_EXT) {
    bool addui = s->kind == PTK_OP_ARITH_ADDUI_EXTENDED;
    if (addui ? nt != 2 : nt != 1) goto count;
    T = PTO_VEC_AT(types->types, pto_tl, 0).t;
    o->res[o->nres++] = T;
    o->res[o->nres++] = addui ? PTO_VEC_AT(types->types, pto_tl, 1).t : T;
  } else {
    if (nt != 1) goto count;
    o->res[o->nres++] = T;
  }
  for (uint32_t i = first; i < o->nops && i < uses->n; i++) {
    pto_tl t = {T, types->loc, NULL, 0, 0, NULL};
    if (!check_one_type(B, &PTO_VEC_AT(*uses, pto_use, i), o->ops[i], &t)) return false;
  }
  return true;
count:
  err_at(B->P, types->loc, 1, "type annotation count mismatch in '%s': %u type%s", opname(s), nt, nt == 1 ? "" : "s");
  return false;
}

static bool build_cmp(builder *B, const pto_sop *s, opb *o) {
  const pto_part *types = NULL, *ops = NULL;
  for (uint32_t i = 0; i < s->parts.n; i++) {
    const pto_part *p = PTO_VEC_AT(s->parts, pto_part *, i);
    if (p->kind == PP_WORD) {
      bool f = s->kind == PTK_OP_ARITH_CMPF;
      int64_t pred = -1;
      for (int64_t k = 0; k < 16; k++) {
        const char *nm = f ? ptk_cmpf_name(k) : ptk_cmpi_name(k);
        if (nm && word_eq(p->word, p->wlen, nm)) pred = k;
      }
      if (pred < 0) {
        err_at(B->P, p->loc, p->wlen, "unknown comparison predicate '%.*s' for '%s'", (int)p->wlen, p->word, opname(s));
        return false;
      }
      if (!acc_add(B, &o->attrs, "predicate", ptk_attr_int(B->m, pred, ptk_type_scalar(PTK_DT_I64)), p->loc))
        return false;
    } else if (p->kind == PP_OPERANDS) {
      ops = p;
      if (!add_operands(B, o, &p->uses)) return false;
    } else if (p->kind == PP_DICT) {
      if (!acc_dict(B, &o->attrs, p->attr, p->loc)) return false;
    } else if (p->kind == PP_TYPES) {
      types = p;
    } else {
      return unexpected_part(B, s, p);
    }
  }
  if (!types || !ops) return false;
  pto_tl t = PTO_VEC_AT(types->types, pto_tl, 0);
  for (uint32_t i = 0; i < o->nops && i < ops->uses.n; i++)
    if (!check_one_type(B, &PTO_VEC_AT(ops->uses, pto_use, i), o->ops[i], &t)) return false;
  o->res[o->nres++] = ptk_type_scalar(PTK_DT_I1);
  return true;
}

/* `%r = op %a[, %b…] : A -> R`, `op %a, %b : A`, `%r, %c = op %t : T` and
 * `%r = arith.index_cast %a : A to R`. */
static bool build_operands_type(builder *B, const pto_sop *s, opb *o) {
  ptk_op_family fam = ptk_op_table[s->kind].family;
  const pto_part *ops = NULL;
  for (uint32_t i = 0; i < s->parts.n; i++) {
    const pto_part *p = PTO_VEC_AT(s->parts, pto_part *, i);
    switch (p->kind) {
    case PP_OPERANDS:
      ops = p;
      if (!add_operands(B, o, &p->uses)) return false;
      break;
    case PP_DICT:
      if (!acc_dict(B, &o->attrs, p->attr, p->loc)) return false;
      break;
    case PP_TYPES: {
      pto_tl t = PTO_VEC_AT(p->types, pto_tl, 0);
      if (ops && o->nops >= 1 && !check_one_type(B, &PTO_VEC_AT(ops->uses, pto_use, 0), o->ops[0], &t)) return false;
      break;
    }
    case PP_WORD:
      if (fam != PTK_FAM_ARITH_CAST) return unexpected_part(B, s, p);
      if (!expect_word(B, p, "to")) return false;
      break;
    case PP_ARROW:
      if (fam != PTK_FAM_VIEW_CAST && fam != PTK_FAM_ARITH_CAST) return unexpected_part(B, s, p);
      o->res[o->nres++] = single_type(p);
      break;
    default: return unexpected_part(B, s, p);
    }
  }
  if (fam == PTK_FAM_GET_VALIDSHAPE) {
    o->res[o->nres++] = ptk_type_scalar(PTK_DT_INDEX);
    o->res[o->nres++] = ptk_type_scalar(PTK_DT_INDEX);
  }
  return true;
}

static bool build_scalar_mem(builder *B, const pto_sop *s, opb *o) {
  bool store = ptk_op_table[s->kind].family == PTK_FAM_STORE_SCALAR;
  const pto_part *val = NULL, *idx = NULL;
  for (uint32_t i = 0; i < s->parts.n; i++) {
    const pto_part *p = PTO_VEC_AT(s->parts, pto_part *, i);
    switch (p->kind) {
    case PP_OPERANDS: val = p; break;
    case PP_INDEXED:
      idx = p;
      if (!add_operands(B, o, &p->uses)) return false;
      if (val && !add_operands(B, o, &val->uses)) return false; /* ptr, offset, value */
      break;
    case PP_DICT:
      if (!acc_dict(B, &o->attrs, p->attr, p->loc)) return false;
      break;
    case PP_TYPES: {
      pto_tl t = PTO_VEC_AT(p->types, pto_tl, 0);
      if (idx && !check_one_type(B, &PTO_VEC_AT(idx->uses, pto_use, 0), o->ops[0], &t)) return false;
      if (store && p->types.n == 2 && val && o->nops == 3) {
        pto_tl t2 = PTO_VEC_AT(p->types, pto_tl, 1);
        if (!check_one_type(B, &PTO_VEC_AT(val->uses, pto_use, 0), o->ops[2], &t2)) return false;
      }
      break;
    }
    case PP_ARROW: o->res[o->nres++] = single_type(p); break;
    default: return unexpected_part(B, s, p);
    }
  }
  return true;
}

/* A pipe op's dict: bare integers of a typed ATTRS slot (id:i32) take its type. */
static bool acc_pipe_dict(builder *B, const pto_sop *s, attr_acc *acc, const pto_part *p) {
  uint32_t ns;
  const attr_slot *slots = attr_slots(s->kind, &ns);
  const ptk_attr *d = p->attr;
  for (uint32_t k = 0; d && k < d->dict.n; k++) {
    const ptk_attr *a = d->dict.items[k].value;
    for (uint32_t j = 0; j < ns; j++)
      if (strcmp(slots[j].name, d->dict.items[k].name) == 0 && a->kind == PTK_ATTR_INT &&
          slots[j].int_dt != PTK_DT__COUNT && ptk_type_is_scalar(a->type, PTK_DT_I64))
        a = ptk_attr_int(B->m, a->i, ptk_type_scalar(slots[j].int_dt));
    if (!acc_add(B, acc, d->dict.items[k].name, a, p->loc)) return false;
  }
  return true;
}

static bool build_misc(builder *B, const pto_sop *s, opb *o) {
  ptk_op_family fam = ptk_op_table[s->kind].family;
  for (uint32_t i = 0; i < s->parts.n; i++) {
    const pto_part *p = PTO_VEC_AT(s->parts, pto_part *, i);
    switch (p->kind) {
    case PP_DICT:
      if (fam == PTK_FAM_PIPE) {
        if (!acc_pipe_dict(B, s, &o->attrs, p)) return false;
      } else if (!acc_dict(B, &o->attrs, p->attr, p->loc)) {
        return false;
      }
      break;
    case PP_TYPES:
      if (fam != PTK_FAM_NULLARY) return unexpected_part(B, s, p);
      o->res[o->nres++] = single_type(p);
      break;
    case PP_REGION:
      o->regions[o->nregions++] = p->region;
      break;
    case PP_ATTR: /* print format */
      if (!acc_add(B, &o->attrs, "format", p->attr, p->loc)) return false;
      break;
    case PP_INS:
    case PP_PAREN: {
      uint32_t before = o->nops;
      if (!add_operands(B, o, &p->uses)) return false;
      /* tpop_from_aic/aiv's (%valid_row, %valid_col) carry no types */
      bool untyped = p->kind == PP_PAREN && !p->types.n &&
                     (s->kind == PTK_OP_TPOP_FROM_AIC || s->kind == PTK_OP_TPOP_FROM_AIV);
      if (!untyped && !ptypes_check(B, s, p, o, before)) return false;
      break;
    }
    case PP_KWUSE: /* aiv_subblockid(%s): the last operand */
      if (s->kind != PTK_OP_TPUSH_TO_AIC && s->kind != PTK_OP_TPOP_FROM_AIC && s->kind != PTK_OP_TPUSH &&
          s->kind != PTK_OP_TPOP) {
        err_at(B->P, p->loc, p->wlen, "'%s' takes no aiv_subblockid(…) (only tpush_to_aic, tpop_from_aic, tpush "
               "and tpop do)", opname(s));
        return false;
      }
      if (!add_operands(B, o, &p->uses)) return false;
      break;
    case PP_ARROW:
      if (fam != PTK_FAM_PIPE) return unexpected_part(B, s, p);
      if (!add_results(B, o, &p->types, p->loc)) return false;
      break;
    default: return unexpected_part(B, s, p);
    }
  }
  if (fam == PTK_FAM_NULLARY && o->nres == 0 && ptk_op_table[s->kind].max_results > 0)
    o->res[o->nres++] = ptk_type_scalar(PTK_DT_I64);
  return true;
}

static bool fn_inputs_match(builder *B, const ptk_type *fn, ptk_loc at, const pto_part *ops, const opb *o) {
  for (uint32_t k = 0; k < fn->ninputs && ops; k++) {
    pto_tl t = {fn->inputs[k], at, NULL, 0, 0, NULL};
    if (!check_one_type(B, &PTO_VEC_AT(ops->uses, pto_use, k), o->ops[k], &t)) return false;
  }
  return true;
}

/* Section ops (vecscope, strict_vecscope, fusion_region, yield): a region,
 * (%a, …) operands typed by a `(T, …) -> ()` functional type, or `: T, …`
 * results. */
static bool build_section(builder *B, const pto_sop *s, opb *o) {
  const pto_part *ops = NULL;
  for (uint32_t i = 0; i < s->parts.n; i++) {
    const pto_part *p = PTO_VEC_AT(s->parts, pto_part *, i);
    switch (p->kind) {
    case PP_PAREN:
      ops = p;
      if (!add_operands(B, o, &p->uses)) return false;
      break;
    case PP_FNTYPE: {
      const ptk_type *fn = p->fn;
      if (!fn || fn->kind != PTK_TY_FUNCTION) return false; /* reported by the grammar */
      if (fn->ninputs != o->nops || fn->nresults) {
        err_at(B->P, p->loc, 1, "'%s' has %u operand%s, so its type must be (%u type%s) -> ()", opname(s), o->nops,
               o->nops == 1 ? "" : "s", o->nops, o->nops == 1 ? "" : "s");
        return false;
      }
      if (!fn_inputs_match(B, fn, p->loc, ops, o)) return false;
      break;
    }
    case PP_ARROW:
      if (!add_results(B, o, &p->types, p->loc)) return false;
      break;
    case PP_REGION: o->regions[o->nregions++] = p->region; break;
    case PP_DICT:
      if (!acc_dict(B, &o->attrs, p->attr, p->loc)) return false;
      break;
    default: return unexpected_part(B, s, p);
    }
  }
  return true;
}

/* aic/aiv_initialize_pipe {id = 0, dir_mask = 1, …} (c2v_consumer_buf = %a : i32, …)
 * [{attrs}]: ptoas's custom form. The clause dictionary's bare integers take
 * the ATTRS column's types (id i32, dir_mask i8, …); a missing id is 0 (as
 * ptoas sets it). The keyword operands may come in any order; they are stored
 * in segment order gm_slot_buffer, gm_slot_tensor, c2v_consumer_buf,
 * v2c_consumer_buf. */
static const char *const init_pipe_kws[4] = {"gm_slot_buffer", "gm_slot_tensor", "c2v_consumer_buf",
                                             "v2c_consumer_buf"};

/* A missing id of aic/aiv_initialize_pipe is 0, as ptoas sets it, in the
 * custom and the generic form alike (so either form prints back equal). */
static bool pipe_default_id(builder *B, const pto_sop *s, opb *o) {
  bool has_id = false;
  for (uint32_t i = 0; i < o->attrs.n; i++) has_id |= strcmp(o->attrs.items[i].name, "id") == 0;
  return has_id || acc_add(B, &o->attrs, "id", ptk_attr_int(B->m, 0, ptk_type_scalar(PTK_DT_I32)), s->loc);
}

static bool build_init_pipe(builder *B, const pto_sop *s, opb *o) {
  const pto_part *kw[4] = {NULL, NULL, NULL, NULL};
  uint32_t ns;
  const attr_slot *slots = attr_slots(s->kind, &ns);
  bool seen_paren = false;
  for (uint32_t i = 0; i < s->parts.n; i++) {
    const pto_part *p = PTO_VEC_AT(s->parts, pto_part *, i);
    if (p->kind == PP_DICT && !seen_paren) {
      const ptk_attr *d = p->attr;
      for (uint32_t k = 0; d && k < d->dict.n; k++) {
        const char *name = d->dict.items[k].name;
        const ptk_attr *a = d->dict.items[k].value;
        const attr_slot *sl = NULL;
        for (uint32_t j = 0; j < ns; j++)
          if (strcmp(slots[j].name, name) == 0) sl = &slots[j];
        if (!sl) {
          err_at(B->P, p->loc, 1, "unexpected keyword '%s' in '%s'", name, opname(s));
          return false;
        }
        if (a->kind == PTK_ATTR_INT && sl->int_dt != PTK_DT__COUNT && ptk_type_is_scalar(a->type, PTK_DT_I64))
          a = ptk_attr_int(B->m, a->i, ptk_type_scalar(sl->int_dt));
        if (!acc_add(B, &o->attrs, name, a, p->loc)) return false;
      }
    } else if (p->kind == PP_DICT) {
      if (!acc_dict(B, &o->attrs, p->attr, p->loc)) return false;
    } else if (p->kind == PP_KWUSE && p->types.n == 1) {
      seen_paren = true;
      int k = -1;
      for (int j = 0; j < 4; j++)
        if (word_eq(p->word, p->wlen, init_pipe_kws[j])) k = j;
      if (k < 0) {
        err_at(B->P, p->loc, p->wlen,
               "unexpected operand keyword '%.*s' in '%s' (expected gm_slot_buffer, gm_slot_tensor, "
               "c2v_consumer_buf or v2c_consumer_buf)",
               (int)p->wlen, p->word, opname(s));
        return false;
      }
      if (kw[k]) {
        err_at(B->P, p->loc, p->wlen, "duplicate '%s' operand in '%s'", init_pipe_kws[k], opname(s));
        return false;
      }
      kw[k] = p;
    } else {
      return unexpected_part(B, s, p);
    }
  }
  o->nsegs = 4;
  for (int k = 0; k < 4; k++) {
    if (!kw[k]) continue;
    const pto_use *u = &PTO_VEC_AT(kw[k]->uses, pto_use, 0);
    if (!add_operand(B, o, u)) return false;
    if (!check_one_type(B, u, o->ops[o->nops - 1], &PTO_VEC_AT(kw[k]->types, pto_tl, 0))) return false;
    o->segs[k] = 1;
  }
  return pipe_default_id(B, s, o);
}

static bool build_constant(builder *B, const pto_sop *s, opb *o) {
  const pto_part *p = PTO_VEC_AT(s->parts, pto_part *, 0);
  const ptk_attr *a = p->attr;
  const ptk_type *t = NULL;
  switch (a->kind) {
  case PTK_ATTR_INT:
  case PTK_ATTR_FLOAT:
  case PTK_ATTR_BOOL: t = a->type; break;
  case PTK_ATTR_OPAQUE: t = a->type; break;
  default: break;
  }
  if (!t) {
    err_at(B->P, p->loc, 1, "'arith.constant' needs a typed value (e.g. '0 : index', 'true', '1.0 : f32')");
    return false;
  }
  if (!acc_add(B, &o->attrs, "value", a, p->loc)) return false;
  o->res[o->nres++] = t;
  return true;
}

static bool build_call(builder *B, const pto_sop *s, opb *o) {
  const pto_part *ops = NULL;
  for (uint32_t i = 0; i < s->parts.n; i++) {
    const pto_part *p = PTO_VEC_AT(s->parts, pto_part *, i);
    switch (p->kind) {
    case PP_SYMBOL:
      if (!acc_add(B, &o->attrs, "callee", p->attr, p->loc)) return false;
      break;
    case PP_OPERANDS:
      ops = p;
      if (!add_operands(B, o, &p->uses)) return false;
      break;
    case PP_DICT:
      if (!acc_dict(B, &o->attrs, p->attr, p->loc)) return false;
      break;
    case PP_FNTYPE: {
      const ptk_type *fn = p->fn;
      if (fn->ninputs != o->nops) {
        err_at(B->P, p->loc, 1, "type annotation count mismatch: %u operand%s but the function type has %u input%s",
               o->nops, o->nops == 1 ? "" : "s", fn->ninputs, fn->ninputs == 1 ? "" : "s");
        return false;
      }
      if (!fn_inputs_match(B, fn, p->loc, ops, o)) return false;
      for (uint32_t k = 0; k < fn->nresults && o->nres < PTK_ARRAY_LEN(o->res); k++) o->res[o->nres++] = fn->results[k];
      break;
    }
    default: return unexpected_part(B, s, p);
    }
  }
  return true;
}

/* return / scf.yield / scf.condition */
static bool build_term(builder *B, const pto_sop *s, opb *o) {
  const pto_part *ops = NULL;
  for (uint32_t i = 0; i < s->parts.n; i++) {
    const pto_part *p = PTO_VEC_AT(s->parts, pto_part *, i);
    switch (p->kind) {
    case PP_PAREN:
      if (!add_operands(B, o, &p->uses)) return false;
      break;
    case PP_OPERANDS:
      ops = p;
      if (!add_operands(B, o, &p->uses)) return false;
      break;
    case PP_TYPES: {
      uint32_t from = o->nops - (ops ? ops->uses.n : 0);
      if (ops && !check_types(B, &ops->uses, o->ops + from, &p->types, p->loc, opname(s))) return false;
      break;
    }
    default: return unexpected_part(B, s, p);
    }
  }
  return true;
}

static bool build_for(builder *B, const pto_sop *s, opb *o) {
  const pto_bind *iv = NULL;
  const pto_part *iter = NULL;
  const ptk_type *ivt = NULL;
  int words = 0;
  for (uint32_t i = 0; i < s->parts.n; i++) {
    const pto_part *p = PTO_VEC_AT(s->parts, pto_part *, i);
    switch (p->kind) {
    case PP_IV:
      iv = &PTO_VEC_AT(p->binds, pto_bind, 0);
      if (!add_operand(B, o, &iv->init)) return false;
      break;
    case PP_WORD:
      if (!expect_word(B, p, words == 0 ? "to" : "step")) return false;
      words++;
      break;
    case PP_OPERANDS:
      if (!add_operands(B, o, &p->uses)) return false;
      break;
    case PP_BINDS:
      if (!word_eq(p->word, p->wlen, "iter_args") || iter) {
        err_at(B->P, p->loc, p->wlen, "expected 'iter_args', found '%.*s'", (int)p->wlen, p->word);
        return false;
      }
      iter = p;
      for (uint32_t k = 0; k < p->binds.n; k++)
        if (!add_operand(B, o, &PTO_VEC_AT(p->binds, pto_bind, k).init)) return false;
      break;
    case PP_ARROW:
      if (!add_results(B, o, &p->types, p->loc)) return false;
      break;
    case PP_TYPES: ivt = single_type(p); break;
    case PP_REGION: o->regions[o->nregions++] = p->region; break;
    case PP_DICT:
      if (!acc_dict(B, &o->attrs, p->attr, p->loc)) return false;
      break;
    default: return unexpected_part(B, s, p);
    }
  }
  uint32_t niter = iter ? iter->binds.n : 0;
  if (niter != o->nres) {
    err_at(B->P, iter ? iter->loc : s->loc, iter ? iter->wlen : s->namelen,
           "'scf.for' has %u iter_args but %u result type%s", niter, o->nres, o->nres == 1 ? "" : "s");
    return false;
  }
  if (niter > 63) {
    err_at(B->P, s->loc, s->namelen, "too many iter_args");
    return false;
  }
  o->pre[0][0] = (preset_arg){iv->name, iv->len, iv->loc, ivt ? ivt : o->ops[0]->type};
  for (uint32_t k = 0; k < niter; k++) {
    const pto_bind *b = &PTO_VEC_AT(iter->binds, pto_bind, k);
    ptk_value *init = o->ops[3 + k];
    if (!ptk_type_equal(init->type, o->res[k])) {
      pto_tl t = {o->res[k], b->init.loc, NULL, 0, 0, NULL};
      return check_one_type(B, &b->init, init, &t);
    }
    o->pre[0][1 + k] = (preset_arg){b->name, b->len, b->loc, o->res[k]};
  }
  o->npre[0] = 1 + niter;
  return true;
}

static bool build_if(builder *B, const pto_sop *s, opb *o) {
  bool has_else = false;
  for (uint32_t i = 0; i < s->parts.n; i++) {
    const pto_part *p = PTO_VEC_AT(s->parts, pto_part *, i);
    switch (p->kind) {
    case PP_OPERANDS:
      if (!add_operands(B, o, &p->uses)) return false;
      break;
    case PP_ARROW:
      if (!add_results(B, o, &p->types, p->loc)) return false;
      break;
    case PP_REGION:
      if (p->word) has_else = true;
      o->regions[o->nregions++] = p->region;
      break;
    default: return unexpected_part(B, s, p);
    }
  }
  if (!has_else) o->else_absent = true;
  return true;
}

static bool build_while(builder *B, const pto_sop *s, opb *o) {
  const pto_part *binds = NULL;
  for (uint32_t i = 0; i < s->parts.n; i++) {
    const pto_part *p = PTO_VEC_AT(s->parts, pto_part *, i);
    switch (p->kind) {
    case PP_BINDS:
      binds = p;
      for (uint32_t k = 0; k < p->binds.n; k++)
        if (!add_operand(B, o, &PTO_VEC_AT(p->binds, pto_bind, k).init)) return false;
      break;
    case PP_FNTYPE: {
      const ptk_type *fn = p->fn;
      if (fn->ninputs != o->nops) {
        err_at(B->P, p->loc, 1, "type annotation count mismatch: %u initial value%s but %u input type%s", o->nops,
               o->nops == 1 ? "" : "s", fn->ninputs, fn->ninputs == 1 ? "" : "s");
        return false;
      }
      if (fn->ninputs > 63) {
        err_at(B->P, p->loc, 1, "too many loop-carried values");
        return false;
      }
      for (uint32_t k = 0; k < fn->ninputs; k++) {
        const pto_bind *b = &PTO_VEC_AT(binds->binds, pto_bind, k);
        pto_tl t = {fn->inputs[k], p->loc, NULL, 0, 0, NULL};
        if (!check_one_type(B, &b->init, o->ops[k], &t)) return false;
        o->pre[0][k] = (preset_arg){b->name, b->len, b->loc, fn->inputs[k]};
      }
      o->npre[0] = fn->ninputs;
      for (uint32_t k = 0; k < fn->nresults && o->nres < PTK_ARRAY_LEN(o->res); k++) o->res[o->nres++] = fn->results[k];
      break;
    }
    case PP_REGION: o->regions[o->nregions++] = p->region; break;
    case PP_WORD:
      if (!expect_word(B, p, "do")) return false;
      break;
    case PP_DICT:
      if (!acc_dict(B, &o->attrs, p->attr, p->loc)) return false;
      break;
    default: return unexpected_part(B, s, p);
    }
  }
  return true;
}

/* ptoas's operandSegmentSizes of a PTK_OPF_PTOAS_OUTS_EARLY op: one entry
 * (0 or 1) per SIG operand in ptoas's declaration order — the required ins,
 * the outs, then the optional ins. The operands are put in ptk's order
 * (ins, then outs) and the segments become ptk's two. */
static bool ptoas_dps_segments(builder *B, const pto_sop *s, opb *o, const ptk_attr *a) {
  const ptk_op_desc *d = ptk_op_desc_of(s->kind);
  uint8_t order[PTK_OPD_MAX_SIG];
  uint32_t n = 0;
  for (int pass = 0; pass < 3; pass++)
    for (uint8_t k = 0; k < d->nsig; k++) {
      const ptk_sig_item *it = &d->sig[k];
      bool out = it->group == 1, opt = it->quant != 0;
      if ((pass == 0 && !out && !opt) || (pass == 1 && out) || (pass == 2 && !out && opt)) order[n++] = k;
    }
  bool ok = a->dense.n == n;
  uint32_t sum = 0;
  for (uint32_t k = 0; ok && k < n; k++) {
    int64_t v = a->dense.i[k];
    ok = v == 1 || (v == 0 && d->sig[order[k]].quant);
    sum += (uint32_t)v;
  }
  if (!ok || sum != o->nops) {
    err_at(B->P, s->loc, s->namelen,
           "'operandSegmentSizes' of '%s' must be array<i32: …> with 2 entries (ins, outs) or ptoas's %u "
           "(one 0 or 1 per operand, required ones 1) summing to %u",
           opname(s), n, o->nops);
    return false;
  }
  ptk_value *by_sig[PTK_OPD_MAX_SIG] = {0};
  for (uint32_t k = 0, at = 0; k < n; k++) {
    if (!a->dense.i[k]) continue;
    ptk_value *v = o->ops[at++];
    char want = d->sig[order[k]].kind;
    /* a tile slot takes a tile, a scalar slot a scalar: the sizes must not
     * move an operand into another role */
    if ((want == 't' || want == 'n') && v && v->type && (want == 't') != ptk_type_is_tile(v->type)) {
      char *ts = ptk_type_str(v->type);
      err_at(B->P, s->loc, s->namelen,
             "'operandSegmentSizes' of '%s' puts operand #%u (of type %s) where ptoas has %s", opname(s), at - 1, ts,
             want == 't' ? "a tile" : "an integer scalar");
      free(ts);
      return false;
    }
    by_sig[order[k]] = v;
  }
  uint32_t m = 0, nin = 0;
  for (int out = 0; out < 2; out++)
    for (uint8_t k = 0; k < d->nsig; k++)
      if (by_sig[k] && (d->sig[k].group == 1) == out) {
        o->ops[m++] = by_sig[k];
        nin += !out;
      }
  o->nsegs = 2;
  o->segs[0] = nin;
  o->segs[1] = m - nin;
  return true;
}

static bool build_generic(builder *B, const pto_sop *s, opb *o) {
  const pto_part *ops = NULL;
  for (uint32_t i = 0; i < s->parts.n; i++) {
    const pto_part *p = PTO_VEC_AT(s->parts, pto_part *, i);
    switch (p->kind) {
    case PP_OPERANDS:
      ops = p;
      if (!add_operands(B, o, &p->uses)) return false;
      break;
    case PP_PROPS:
    case PP_DICT:
      if (!acc_dict(B, &o->attrs, p->attr, p->loc)) return false;
      break;
    case PP_REGION:
      if (o->nregions >= PTK_ARRAY_LEN(o->regions)) {
        err_at(B->P, s->loc, s->namelen, "too many regions");
        return false;
      }
      o->regions[o->nregions++] = p->region;
      break;
    case PP_FNTYPE: {
      const ptk_type *fn = p->fn;
      if (fn->ninputs != o->nops) {
        err_at(B->P, p->loc, 1, "type annotation count mismatch: %u operand%s but the function type has %u input%s",
               o->nops, o->nops == 1 ? "" : "s", fn->ninputs, fn->ninputs == 1 ? "" : "s");
        return false;
      }
      if (!fn_inputs_match(B, fn, p->loc, ops, o)) return false;
      for (uint32_t k = 0; k < fn->nresults && o->nres < PTK_ARRAY_LEN(o->res); k++) o->res[o->nres++] = fn->results[k];
      break;
    }
    default: return unexpected_part(B, s, p);
    }
  }
  /* operandSegmentSizes → segments */
  uint32_t want = ptk_op_kind_nsegments(s->kind);
  for (uint32_t i = 0; i < o->attrs.n; i++) {
    if (strcmp(o->attrs.items[i].name, "operandSegmentSizes") != 0) continue;
    const ptk_attr *a = o->attrs.items[i].value;
    uint32_t sum = 0;
    if (!want && a->kind == PTK_ATTR_DENSE_ARRAY && a->dense.i) {
      /* ptk keeps no segments for this op (its operands are positional, the
       * optional ones last, as in initialize_l2g2l_pipe): sizes that only say
       * how many trailing optionals are present are redundant */
      bool zero = false, prefix = true;
      for (uint32_t k = 0; k < a->dense.n; k++) {
        if (a->dense.i[k] < 0 || a->dense.i[k] > 100000 || (zero && a->dense.i[k])) prefix = false;
        else sum += (uint32_t)a->dense.i[k];
        zero = zero || !a->dense.i[k];
      }
      if (prefix && sum == o->nops) {
        memmove(&o->attrs.items[i], &o->attrs.items[i + 1], (--o->attrs.n - i) * sizeof *o->attrs.items);
        break;
      }
      err_at(B->P, s->loc, s->namelen,
             "'operandSegmentSizes' of '%s' must give its %u operands in order, absent optional ones last", opname(s),
             o->nops);
      return false;
    }
    if ((ptk_op_table[s->kind].flags & PTK_OPF_PTOAS_OUTS_EARLY) && a->kind == PTK_ATTR_DENSE_ARRAY && a->dense.i &&
        a->dense.n != want) {
      if (!ptoas_dps_segments(B, s, o, a)) return false;
      o->attrs.items[i] = o->attrs.items[--o->attrs.n];
      break;
    }
    bool ok = a->kind == PTK_ATTR_DENSE_ARRAY && a->dense.i && a->dense.n == want;
    for (uint32_t k = 0; ok && k < a->dense.n; k++) {
      if (a->dense.i[k] < 0 || a->dense.i[k] > 100000) ok = false;
      else sum += (uint32_t)a->dense.i[k];
    }
    if (!ok || sum != o->nops) {
      err_at(B->P, s->loc, s->namelen, "'operandSegmentSizes' of '%s' must be array<i32: …> with %u entries summing to %u",
             opname(s), want, o->nops);
      return false;
    }
    o->nsegs = want;
    for (uint32_t k = 0; k < want; k++) o->segs[k] = (uint32_t)a->dense.i[k];
    o->attrs.items[i] = o->attrs.items[--o->attrs.n];
    break;
  }
  if (ptk_op_table[s->kind].family == PTK_FAM_INIT_PIPE && !o->nsegs) {
    /* Without operandSegmentSizes: [gm_slot_buffer,] c2v_consumer_buf, v2c_consumer_buf. */
    if (o->nops < 2 || o->nops > 3) {
      err_at(B->P, s->loc, s->namelen,
             "'%s' in the generic form needs 'operandSegmentSizes' (array<i32: …> with 4 entries) unless it has "
             "2 or 3 operands",
             opname(s));
      return false;
    }
    o->nsegs = 4;
    o->segs[0] = o->nops == 3;
    o->segs[1] = 0;
    o->segs[2] = o->segs[3] = 1;
  }
  if (o->nregions != ptk_op_table[s->kind].nregions) {
    if (s->kind == PTK_OP_SCF_IF && o->nregions == 1) {
      o->else_absent = true;
    } else {
      err_at(B->P, s->loc, s->namelen, "'%s' takes %u region%s, got %u", opname(s), ptk_op_table[s->kind].nregions,
             ptk_op_table[s->kind].nregions == 1 ? "" : "s", o->nregions);
      return false;
    }
  }
  if ((s->kind == PTK_OP_AIC_INITIALIZE_PIPE || s->kind == PTK_OP_AIV_INITIALIZE_PIPE) &&
      !pipe_default_id(B, s, o))
    return false;
  if (s->kind == PTK_OP_ARITH_CONSTANT && o->nres == 1) {
    const ptk_attr *v = NULL;
    for (uint32_t i = 0; i < o->attrs.n; i++)
      if (strcmp(o->attrs.items[i].name, "value") == 0) v = o->attrs.items[i].value;
    if (v && v->type && !ptk_type_equal(v->type, o->res[0])) {
      err_at(B->P, s->loc, s->namelen, "'arith.constant' value type does not match the result type");
      return false;
    }
  }
  return true;
}

static bool build_op(builder *B, const pto_sop *s, ptk_block *blk);

/* VPTO's generic form (PTK_FAM_VOP): items become operands and positional
 * attributes (the ATTRS slots in order); the layout is kept as op->form
 * (ptk_op_set_form documents its characters). The types after ':' annotate
 * the operands in order, an index in brackets with or without its type;
 * without '->' they give the results when the op names results. */
static bool vop_positional(builder *B, const pto_sop *s, opb *o, const pto_item *it, uint32_t *next) {
  uint32_t ns;
  const attr_slot *slots = attr_slots(s->kind, &ns);
  if (*next >= ns) {
    err_at(B->P, it->loc, it->kind == 5 ? it->wlen : 1, "too many items in '%s'%s", opname(s),
           ns ? "" : " (it takes none)");
    return false;
  }
  const attr_slot *sl = &slots[(*next)++];
  const ptk_attr *a = it->attr;
  if (it->kind == 5) a = ptk_attr_string(B->m, it->word, it->wlen);
  else if (a && a->kind == PTK_ATTR_INT && sl->int_dt != PTK_DT__COUNT && ptk_type_is_scalar(a->type, PTK_DT_I64))
    a = ptk_attr_int(B->m, a->i, ptk_type_scalar(sl->int_dt));
  return acc_add(B, &o->attrs, ptk_arena_strdup(ptk_module_arena(B->m), sl->name), a, it->loc);
}

static bool vop_operand(builder *B, opb *o, const pto_use *u, bool idx, const pto_item *clause) {
  if (!add_operand(B, o, u)) return false;
  o->vuse[o->nops - 1] = u;
  o->vidx[o->nops - 1] = idx;
  o->vin[o->nops - 1] = clause;
  ptk_buf_putc(&o->fbuf, '%');
  return true;
}

/* ---- clause grammar of the cube, FIXPIPE and SIMT ops ----
 * Where the ISA documents it (docs/vpto-ops.md), the words and clauses an op
 * takes, space-separated; `!` = required:
 *   w          a bare word          a|b        one of these bare words
 *   c(*)       a clause, anything   c(N), c(N-M)  N (to M) operands
 *   c(a|b)     one word of the list c(%|a|b)   one operand or one such word
 *   c(N-M,k=,k=a|b,k?=)  N to M operands plus `k = …` arguments (k? optional,
 *              `=a|b` restricts a word value)
 * Ops without a rule take any words and clauses. */
typedef struct vop_rule {
  ptk_op_kind kind;
  const char *spec;
} vop_rule;

#define MAD_CLAUSES "unit_flag(check_only|check_and_set) disable_gemv sat|nosat n_dir"
#define FIX_CLAUSES                                                                                         \
  "unit_flag(check_only|check_and_clear) pre_quant(1,mode=) "                                              \
  "pre_relu(0-1,mode=no_relu|normal_relu|scalar_relu|vector_relu,clip?=) nz2nd nz2dn(1) nz2nz(1) loop3(3) " \
  "sat|nosat sat(preserve_nan)"
#define L2CACHE "l2cache(*)"
static const vop_rule vop_rules[] = {
    {PTK_OP_MAD, MAD_CLAUSES " tf32_mode(round_even|round_away)"},
    {PTK_OP_MAD_ACC, MAD_CLAUSES " tf32_mode(round_even|round_away)"},
    {PTK_OP_MAD_BIAS, MAD_CLAUSES " tf32_mode(round_even|round_away)"},
    {PTK_OP_MAD_MX, MAD_CLAUSES},
    {PTK_OP_MAD_MX_ACC, MAD_CLAUSES},
    {PTK_OP_MAD_MX_BIAS, MAD_CLAUSES},
    {PTK_OP_MTE_GM_L1, "!nburst(3) loop(3)"},
    {PTK_OP_MTE_L1_UB, "!nburst(3) loop(3)"},
    {PTK_OP_MTE_L1_BT, "!nburst(3)"},
    {PTK_OP_MTE_L1_FB, "!nburst(3)"},
    {PTK_OP_MTE_GM_L1_FRAC, "!nd2nz|dn2nz !shape(2) !src_layout(1-2) !dst_group(4) !ctrl(2)"},
    {PTK_OP_MTE_L1_L0A, ""},
    {PTK_OP_MTE_L1_L0B, ""},
    {PTK_OP_MTE_L1_L0A_MX, ""},
    {PTK_OP_MTE_L1_L0B_MX, ""},
    {PTK_OP_MTE_L0C_L1, FIX_CLAUSES},
    {PTK_OP_MTE_L0C_GM, FIX_CLAUSES " atomic(0,type=f32|f16|bf16|s32|s16|s8,op=add|max|min)"},
    {PTK_OP_MTE_L0C_UB, FIX_CLAUSES " !dst_mode(%|split_m|split_n)"},
    {PTK_OP_LDG, "l1cache(cache|uncache) " L2CACHE},
    {PTK_OP_STG, "l1cache(cache|uncache) " L2CACHE},
    {PTK_OP_ATOMIC_ADD, L2CACHE " signed|unsigned"},
    {PTK_OP_ATOMIC_SUB, L2CACHE " signed|unsigned"},
    {PTK_OP_ATOMIC_MIN, L2CACHE " signed|unsigned"},
    {PTK_OP_ATOMIC_MAX, L2CACHE " signed|unsigned"},
    {PTK_OP_ATOMIC_AND, L2CACHE " signed|unsigned"},
    {PTK_OP_ATOMIC_OR, L2CACHE " signed|unsigned"},
    {PTK_OP_ATOMIC_XOR, L2CACHE " signed|unsigned"},
    {PTK_OP_ATOMIC_EXCH, L2CACHE " signed|unsigned"},
    {PTK_OP_ATOMIC_CAS, L2CACHE " signed|unsigned"},
    {PTK_OP_REDUX_ADD, "signed|unsigned"},
    {PTK_OP_REDUX_MAX, "signed|unsigned"},
    {PTK_OP_REDUX_MIN, "signed|unsigned"},
    {PTK_OP_MULHI, "signed|unsigned"},
    {PTK_OP_MUL_I32TOI64, "signed|unsigned"},
    {PTK_OP_CONVERT, "round(*) sat|nosat signed|unsigned"},
};

static bool word_in(const char *list, size_t llen, const char *w, size_t wlen) {
  for (size_t i = 0; i < llen;) {
    size_t e = i;
    while (e < llen && list[e] != '|') e++;
    if (e - i == wlen && memcmp(list + i, w, wlen) == 0) return true;
    i = e + 1;
  }
  return false;
}

/* The rule entry for a clause `name(…)` (paren = true) or a bare word. */
/* The next space-separated entry of a rule spec at or after *pp: [p, e)
 * (parenthesized groups may hold spaces); false at the end. */
static bool rule_next(const char **pp, const char **p, const char **e) {
  const char *q = *pp;
  while (*q == ' ') q++;
  if (!*q) return false;
  const char *r = q;
  int depth = 0;
  while (*r && (*r != ' ' || depth)) {
    depth += *r == '(';
    depth -= *r == ')';
    r++;
  }
  *p = q;
  *e = r;
  *pp = r;
  return true;
}

static bool rule_find(const char *spec, const char *w, size_t wlen, bool paren, const char **ent, size_t *elen) {
  for (const char *it = spec, *p, *e; rule_next(&it, &p, &e);) {
    const char *n = p + (*p == '!');
    const char *lp = memchr(n, '(', (size_t)(e - n));
    if (paren ? lp && (size_t)(lp - n) == wlen && memcmp(n, w, wlen) == 0
              : !lp && word_in(n, (size_t)(e - n), w, wlen)) {
      *ent = p;
      *elen = (size_t)(e - p);
      return true;
    }
  }
  return false;
}

static void rule_names(const char *spec, ptk_buf *b) {
  for (const char *it = spec, *p, *e; rule_next(&it, &p, &e);) {
    const char *n = p + (*p == '!');
    const char *lp = memchr(n, '(', (size_t)(e - n));
    if (b->len) ptk_buf_puts(b, ", ");
    if (lp) {
      ptk_buf_putn(b, n, (size_t)(lp - n));
      ptk_buf_puts(b, "(…)");
    } else {
      for (const char *q = n; q < e; q++) ptk_buf_puts(b, *q == '|' ? ", " : (char[2]){*q, 0});
    }
  }
}

/* A clause's arguments against its rule `name(args)`. */
static bool rule_clause(builder *B, const pto_sop *s, const pto_item *it, const char *a, size_t alen) {
  uint32_t nops = 0, nwords = 0;
  for (uint32_t k = 0; k < it->args.n; k++) {
    const pto_item *g = &PTO_VEC_AT(it->args, pto_item, k);
    if (!g->key) {
      nops += g->kind == 1;
      nwords += g->kind == 5;
    }
  }
  const char *name = it->word;
  int nl = (int)it->wlen;
  if (alen == 1 && a[0] == '*') return true;
  bool digits = alen && a[0] >= '0' && a[0] <= '9';
  if (!digits) { /* one word from the list, or one operand when '%' is listed */
    bool opnd = alen && a[0] == '%';
    const pto_item *g = it->args.n == 1 ? &PTO_VEC_AT(it->args, pto_item, 0) : NULL;
    if (!g || g->key || (g->kind == 1 && !opnd) ||
        (g->kind == 5 && !word_in(a + opnd + (opnd && alen > 1), alen - opnd - (opnd && alen > 1), g->word, g->wlen))) {
      ptk_buf want = {0};
      for (size_t i = opnd ? 2 : 0; i < alen; i++) ptk_buf_puts(&want, a[i] == '|' ? ", " : (char[2]){a[i], 0});
      if (g && g->kind == 5 && !g->key)
        err_at(B->P, g->loc, g->wlen, "'%.*s' is not a value of '%.*s(…)' in '%s' (one of: %s%s)", (int)g->wlen,
               g->word, nl, name, opname(s), opnd ? "an operand, " : "", ptk_buf_cstr(&want));
      else
        err_at(B->P, g ? g->loc : it->loc, it->wlen, "'%.*s(…)' of '%s' takes one %sword (one of: %s)", nl, name,
               opname(s), opnd ? "operand or " : "", ptk_buf_cstr(&want));
      ptk_buf_free(&want);
      return false;
    }
    return true;
  }
  /* N[-M][,key=…]… */
  uint32_t lo = 0, hi;
  size_t i = 0;
  while (i < alen && a[i] >= '0' && a[i] <= '9') lo = lo * 10 + (uint32_t)(a[i++] - '0');
  hi = lo;
  if (i < alen && a[i] == '-') {
    hi = 0;
    i++;
    while (i < alen && a[i] >= '0' && a[i] <= '9') hi = hi * 10 + (uint32_t)(a[i++] - '0');
  }
  if (nwords || nops < lo || nops > hi) {
    err_at(B->P, it->loc, it->wlen, "'%.*s(…)' of '%s' takes %u%s%.0u operand%s%s, not %u%s", nl, name, opname(s), lo,
           hi != lo ? " to " : "", hi != lo ? hi : 0, hi == 1 ? "" : "s", i < alen ? " and named arguments" : "",
           nops, nwords ? " and a word" : "");
    return false;
  }
  const char *keys = a + i, *kend = a + alen;
  /* every key written must be listed; values restricted where a list is given */
  for (uint32_t k = 0; k < it->args.n; k++) {
    const pto_item *g = &PTO_VEC_AT(it->args, pto_item, k);
    if (!g->key) continue;
    bool ok = false;
    for (const char *p = keys; p < kend;) {
      if (*p == ',') p++;
      const char *e = p;
      while (e < kend && *e != ',') e++;
      const char *eq = memchr(p, '=', (size_t)(e - p));
      size_t kl = eq ? (size_t)(eq - p) : (size_t)(e - p);
      if (kl && p[kl - 1] == '?') kl--;
      if (kl == g->klen && memcmp(p, g->key, kl) == 0) {
        ok = true;
        if (eq && eq + 1 < e && g->kind == 5 && !word_in(eq + 1, (size_t)(e - eq - 1), g->word, g->wlen)) {
          ptk_buf want = {0};
          for (const char *q = eq + 1; q < e; q++) ptk_buf_puts(&want, *q == '|' ? ", " : (char[2]){*q, 0});
          err_at(B->P, g->loc, g->klen, "'%.*s = %.*s' is not a value of '%.*s(…)' in '%s' (one of: %s)", (int)g->klen,
                 g->key, (int)g->wlen, g->word, nl, name, opname(s), ptk_buf_cstr(&want));
          ptk_buf_free(&want);
          return false;
        }
      }
      p = e;
    }
    if (!ok) {
      err_at(B->P, g->loc, g->klen, "'%.*s(…)' of '%s' has no argument '%.*s'", nl, name, opname(s), (int)g->klen,
             g->key);
      return false;
    }
  }
  /* required keys */
  for (const char *p = keys; p < kend;) {
    if (*p == ',') p++;
    const char *e = p;
    while (e < kend && *e != ',') e++;
    const char *eq = memchr(p, '=', (size_t)(e - p));
    size_t kl = eq ? (size_t)(eq - p) : (size_t)(e - p);
    if (kl && p[kl - 1] != '?') {
      bool found = false;
      for (uint32_t k = 0; k < it->args.n && !found; k++) {
        const pto_item *g = &PTO_VEC_AT(it->args, pto_item, k);
        found = g->key && g->klen == kl && memcmp(g->key, p, kl) == 0;
      }
      if (!found) {
        err_at(B->P, it->loc, it->wlen, "'%.*s(…)' of '%s' needs '%.*s = …'", nl, name, opname(s), (int)kl, p);
        return false;
      }
    }
    p = e;
  }
  return true;
}

static bool vop_check_rules(builder *B, const pto_sop *s, const pto_vec *items) {
  const char *spec = NULL;
  for (size_t i = 0; i < PTK_ARRAY_LEN(vop_rules); i++)
    if (vop_rules[i].kind == s->kind) spec = vop_rules[i].spec;
  if (!spec) return true;
  for (uint32_t j = 0; items && j < items->n; j++) {
    const pto_item *it = &PTO_VEC_AT(*items, pto_item, j);
    if (it->kind != 4 && it->kind != 5) continue;
    const char *ent;
    size_t elen;
    if (!rule_find(spec, it->word, it->wlen, it->kind == 4, &ent, &elen)) {
      ptk_buf want = {0};
      rule_names(spec, &want);
      err_at(B->P, it->loc, it->wlen, "'%s' has no %s '%.*s%s'%s%s%s", opname(s), it->kind == 4 ? "clause" : "word",
             (int)it->wlen, it->word, it->kind == 4 ? "(…)" : "", want.len ? " (expected " : " (it takes none",
             ptk_buf_cstr(&want), ")");
      ptk_buf_free(&want);
      return false;
    }
    if (it->kind == 4) {
      const char *lp = memchr(ent, '(', elen);
      if (!rule_clause(B, s, it, lp + 1, (size_t)(ent + elen - lp - 2))) return false;
    }
  }
  /* required entries */
  for (const char *ip = spec, *p, *e; rule_next(&ip, &p, &e);) {
    if (*p == '!') {
      const char *n = p + 1;
      const char *lp = memchr(n, '(', (size_t)(e - n));
      size_t nl = lp ? (size_t)(lp - n) : (size_t)(e - n);
      bool found = false;
      for (uint32_t j = 0; items && j < items->n && !found; j++) {
        const pto_item *it = &PTO_VEC_AT(*items, pto_item, j);
        if (lp)
          found = it->kind == 4 && it->wlen == nl && memcmp(it->word, n, nl) == 0;
        else
          found = it->kind == 5 && word_in(n, nl, it->word, it->wlen);
      }
      if (!found) {
        ptk_buf want = {0};
        for (size_t i = 0; i < nl; i++) ptk_buf_puts(&want, n[i] == '|' ? "' or '" : (char[2]){n[i], 0});
        err_at(B->P, s->loc, s->namelen, "'%s' needs %s'%s%s'", opname(s), lp ? "a clause " : "", ptk_buf_cstr(&want),
               lp ? "(…)" : "");
        ptk_buf_free(&want);
        return false;
      }
    }
  }
  return true;
}

/* The attribute a word inside a clause is kept in: `clause` or `clause.key`. */
static const char *clause_attr_name(builder *B, const pto_item *c, const pto_item *g) {
  ptk_buf n = {0};
  ptk_buf_putn(&n, c->word, c->wlen);
  if (g->key) {
    ptk_buf_putc(&n, '.');
    ptk_buf_putn(&n, g->key, g->klen);
  }
  const char *r = ptk_arena_strdup(ptk_module_arena(B->m), ptk_buf_cstr(&n));
  ptk_buf_free(&n);
  return r;
}

static bool build_vop(builder *B, const pto_sop *s, opb *o) {
  const pto_part *items = NULL, *types = NULL, *arrow = NULL, *fn = NULL;
  for (uint32_t i = 0; i < s->parts.n; i++) {
    const pto_part *p = PTO_VEC_AT(s->parts, pto_part *, i);
    switch (p->kind) {
    case PP_VITEMS: items = p; break;
    case PP_DICT:
      if (!acc_dict(B, &o->attrs, p->attr, p->loc)) return false;
      break;
    case PP_TYPES: types = p; break;
    case PP_ARROW: arrow = p; break;
    case PP_FNTYPE: fn = p; break;
    default: return unexpected_part(B, s, p);
    }
  }
  if (!vop_check_rules(B, s, items ? &items->items : NULL)) return false;
  ptk_buf_clear(&o->fbuf);
  uint32_t next = 0;
  for (uint32_t j = 0; items && j < items->items.n; j++) {
    const pto_item *it = &PTO_VEC_AT(items->items, pto_item, j);
    if (j && it->kind != 6) ptk_buf_putc(&o->fbuf, it->comma ? ',' : ' ');
    switch (it->kind) {
    case 1:
      if (!vop_operand(B, o, &it->use, false, NULL)) return false;
      break;
    case 3:
      if (!vop_operand(B, o, &it->use, false, NULL)) return false;
      ptk_buf_putc(&o->fbuf, '[');
      if (!vop_operand(B, o, &it->idx, true, NULL)) return false;
      for (uint32_t k = 0; k < it->uses.n; k++) {
        ptk_buf_putc(&o->fbuf, ',');
        if (!vop_operand(B, o, &PTO_VEC_AT(it->uses, pto_use, k), true, NULL)) return false;
      }
      ptk_buf_putc(&o->fbuf, ']');
      break;
    case 4:
      o->vclause[o->nops] = it;
      ptk_buf_putn(&o->fbuf, it->word, it->wlen);
      ptk_buf_putc(&o->fbuf, '(');
      for (uint32_t k = 0; k < it->args.n; k++) {
        const pto_item *g = &PTO_VEC_AT(it->args, pto_item, k);
        if (k) ptk_buf_putc(&o->fbuf, ',');
        if (g->key) {
          ptk_buf_putn(&o->fbuf, g->key, g->klen);
          ptk_buf_putc(&o->fbuf, '=');
        }
        if (g->kind == 1) {
          if (!vop_operand(B, o, &g->use, false, it)) return false;
        } else {
          if (!acc_add(B, &o->attrs, clause_attr_name(B, it, g), ptk_attr_string(B->m, g->word, g->wlen), g->loc))
            return false;
          ptk_buf_putc(&o->fbuf, '*');
        }
      }
      ptk_buf_putc(&o->fbuf, ')');
      break;
    case 6: /* simt_launch's <<<grid>>>(args) */
      ptk_buf_puts(&o->fbuf, "<<<");
      for (uint32_t k = 0; k < it->uses.n; k++) {
        if (k) ptk_buf_putc(&o->fbuf, ',');
        if (!vop_operand(B, o, &PTO_VEC_AT(it->uses, pto_use, k), true, NULL)) return false;
      }
      ptk_buf_puts(&o->fbuf, ">>>(");
      for (uint32_t k = 0; k < it->args.n; k++) {
        const pto_item *g = &PTO_VEC_AT(it->args, pto_item, k);
        if (g->kind != 1 || g->key) {
          err_at(B->P, g->loc, g->kind == 5 ? g->wlen : 1, "expected an operand in the arguments of '%s'", opname(s));
          return false;
        }
        if (k) ptk_buf_putc(&o->fbuf, ',');
        if (!vop_operand(B, o, &g->use, false, NULL)) return false;
      }
      ptk_buf_putc(&o->fbuf, ')');
      break;
    default:
      if (!vop_positional(B, s, o, it, &next)) return false;
      ptk_buf_putc(&o->fbuf, it->kind == 5 ? '^' : it->lit);
      break;
    }
  }
  /* The type list, flattened: words and groups (`nd2nz`, `src_layout(i64)`)
   * make a written type layout (tform) */
  const pto_tl *ft[512];
  const pto_tl *fgrp[512]; /* the group a type is in */
  uint32_t nft = 0;
  bool fancy = false;
  ptk_buf tf = {0};
  if (fn) {
    const ptk_type *f = fn->fn;
    if (f->nresults) {
      err_at(B->P, fn->loc, 1, "'%s' returns nothing: expected '-> ()'", opname(s));
      return false;
    }
    pto_tl *arr = ptk_arena_alloc(ptk_module_arena(B->m), (f->ninputs + 1) * sizeof *arr);
    ptk_buf_putc(&tf, '{');
    for (uint32_t i = 0; i < f->ninputs && nft < PTK_ARRAY_LEN(ft); i++) {
      memset(&arr[i], 0, sizeof arr[i]);
      arr[i].t = f->inputs[i];
      arr[i].loc = fn->loc;
      fgrp[nft] = NULL;
      ft[nft++] = &arr[i];
      if (i) ptk_buf_putc(&tf, ',');
      ptk_buf_putc(&tf, '%');
    }
    ptk_buf_puts(&tf, "}>{}");
    fancy = true;
  }
  for (uint32_t e = 0; types && e < types->types.n; e++) {
    const pto_tl *tl = &PTO_VEC_AT(types->types, pto_tl, e);
    if (tl->vk == 1 || tl->vk == 2) fancy = true;
  }
  for (uint32_t e = 0; types && e < types->types.n; e++) {
    const pto_tl *tl = &PTO_VEC_AT(types->types, pto_tl, e);
    if (e) ptk_buf_putc(&tf, ',');
    if (tl->vk == 1) {
      bool found = false;
      for (uint32_t j = 0; items && j < items->items.n && !found; j++) {
        const pto_item *it = &PTO_VEC_AT(items->items, pto_item, j);
        found = it->kind == 5 && it->wlen == tl->kwlen && memcmp(it->word, tl->kw, tl->kwlen) == 0;
      }
      if (!found) {
        err_at(B->P, tl->loc, tl->kwlen, "unknown type '%.*s'", (int)tl->kwlen, tl->kw);
        ptk_buf_free(&tf);
        return false;
      }
      ptk_buf_putn(&tf, tl->kw, tl->kwlen);
      continue;
    }
    if (tl->vk == 2) {
      ptk_buf_putn(&tf, tl->kw, tl->kwlen);
      ptk_buf_putc(&tf, '{');
      for (uint32_t k = 0; k < tl->grp->n && nft < PTK_ARRAY_LEN(ft); k++) {
        if (k) ptk_buf_putc(&tf, ',');
        ptk_buf_putc(&tf, '%');
        fgrp[nft] = tl;
        ft[nft++] = &PTO_VEC_AT(*tl->grp, pto_tl, k);
      }
      ptk_buf_putc(&tf, '}');
      continue;
    }
    if (tl->kw && fancy) {
      ptk_buf_putn(&tf, tl->kw, tl->kwlen);
      ptk_buf_putc(&tf, ' ');
    }
    ptk_buf_putc(&tf, '%');
    if (nft < PTK_ARRAY_LEN(ft)) {
      fgrp[nft] = NULL;
      ft[nft++] = tl;
    }
  }
  /* which operands the type list annotates */
  uint32_t nidx = 0;
  for (uint32_t i = 0; i < o->nops; i++) nidx += o->vidx[i];
  const pto_part *restypes = arrow;
  uint32_t nt = nft;
  bool listed_idx = true;
  bool index_result = (ptk_op_table[s->kind].flags & PTK_OPF_INDEX_RESULT) != 0;
  if (types && !arrow && !fn && s->results.n && !index_result) {
    restypes = types; /* `%m = pto.pset_b32 "PAT_ALL" : !pto.mask<b32>` */
    nt = 0;
    if (fancy) {
      err_at(B->P, types->loc, 1, "expected the result types of '%s' after ':'", opname(s));
      ptk_buf_free(&tf);
      return false;
    }
  }
  if (nt == o->nops) {
    listed_idx = true;
  } else if (nt && nt <= o->nops - nidx) {
    listed_idx = false;
  } else if (nt > o->nops || (fn && nt != o->nops - nidx)) {
    err_at(B->P, types ? types->loc : fn->loc, 1,
           "type annotation count mismatch: '%s' has %u operand%s but %u type%s", opname(s), o->nops - (fn ? nidx : 0),
           o->nops - (fn ? nidx : 0) == 1 ? "" : "s", nt, nt == 1 ? "" : "s");
    ptk_buf_free(&tf);
    return false;
  }
  /* `pto.stg %v, %p[%i] : !pto.ptr<T, gm>, T`: the first two types written
   * the other way round (the pointer first) */
  uint32_t perm[2] = {0, 1};
  bool swapped = false;
  if (nt >= 2 && !fancy) {
    uint32_t a = UINT32_MAX, b = UINT32_MAX;
    for (uint32_t i = 0; i < o->nops && b == UINT32_MAX; i++) {
      if (o->vidx[i] && !listed_idx) continue;
      if (a == UINT32_MAX) a = i;
      else b = i;
    }
    if (b != UINT32_MAX && !ptk_type_equal(o->ops[a]->type, ft[0]->t) &&
        ptk_type_equal(o->ops[a]->type, ft[1]->t) && ptk_type_equal(o->ops[b]->type, ft[0]->t) && !ft[0]->kw &&
        !ft[1]->kw) {
      swapped = true;
      perm[0] = 1;
      perm[1] = 0;
      ptk_buf_clear(&tf);
      ptk_buf_printf(&tf, "%%%u,%%%u", b, a);
      for (uint32_t k = 2; k < nt; k++) ptk_buf_puts(&tf, ",%");
    }
  }
  /* fewer types than operands (vsunpack %v, %part : V -> R): the first ones */
  uint32_t nlisted = nt;
  bool kwd[513] = {0}; /* clause at operand i has its keyword in the type list */
  for (uint32_t i = 0, t = 0; nt && i < o->nops; i++) {
    if (o->vidx[i] && !listed_idx) continue;
    if (t >= nlisted) {
      o->vidx[i] = true; /* not annotated: printed without a type */
      continue;
    }
    uint32_t ti = t < 2 ? perm[t] : t;
    const pto_tl *tl = ft[ti];
    if (tl->kw && tl->vk == 0) {
      const pto_item *c = o->vclause[i];
      if (!c || c->wlen != tl->kwlen || memcmp(c->word, tl->kw, tl->kwlen) != 0) {
        err_at(B->P, tl->loc, 1, "'%.*s' here does not start the types of a '%.*s(…)' clause", (int)tl->kwlen, tl->kw,
               (int)tl->kwlen, tl->kw);
        ptk_buf_free(&tf);
        return false;
      }
      kwd[i] = true;
    }
    if (fgrp[ti]) {
      const pto_item *c = o->vin[i];
      if (!c || c->wlen != fgrp[ti]->kwlen || memcmp(c->word, fgrp[ti]->kw, fgrp[ti]->kwlen) != 0) {
        err_at(B->P, fgrp[ti]->loc, fgrp[ti]->kwlen, "'%.*s(…)' here does not hold the types of a '%.*s(…)' clause",
               (int)fgrp[ti]->kwlen, fgrp[ti]->kw, (int)fgrp[ti]->kwlen, fgrp[ti]->kw);
        ptk_buf_free(&tf);
        return false;
      }
    }
    if (!check_one_type(B, o->vuse[i], o->ops[i], tl)) {
      ptk_buf_free(&tf);
      return false;
    }
    t++;
  }
  /* operands whose type is not written: '?'; '!' before a clause whose
   * types start with its keyword */
  ptk_buf out = {0};
  const char *f = ptk_buf_cstr(&o->fbuf);
  for (uint32_t i = 0, k = 0; f[k]; k++) {
    if (f[k] == '%') {
      ptk_buf_putc(&out, !nt || (o->vidx[i] && !listed_idx) ? '?' : '%');
      i++;
      continue;
    }
    bool start = ((f[k] >= 'a' && f[k] <= 'z') || (f[k] >= 'A' && f[k] <= 'Z') || f[k] == '_') &&
                 (k == 0 || f[k - 1] == ',' || f[k - 1] == ' ');
    if (start && !fancy) {
      uint32_t e = k;
      while (f[e] && f[e] != '(' && f[e] != ',' && f[e] != ' ') e++;
      if (f[e] == '(' && i < o->nops + 1 && kwd[i] && o->vclause[i]) ptk_buf_putc(&out, '!');
    }
    ptk_buf_putc(&out, f[k]);
  }
  if ((fancy || swapped) && (nt || fn)) { /* fn: simt_launch's `: () -> ()` even without arguments */
    ptk_buf_putc(&out, ':');
    ptk_buf_puts(&out, ptk_buf_cstr(&tf));
  }
  ptk_buf_free(&tf);
  ptk_buf_clear(&o->fbuf);
  ptk_buf_puts(&o->fbuf, ptk_buf_cstr(&out));
  ptk_buf_free(&out);
  if (restypes && !add_results(B, o, &restypes->types, restypes->loc)) return false;
  if (index_result && !arrow && o->nres < s->results.n) o->res[o->nres++] = ptk_type_scalar(PTK_DT_INDEX);
  o->form = ptk_buf_cstr(&o->fbuf);
  return true;
}

/* memref.reinterpret_cast / memref.subview of a global-memory memref: the
 * source, then the values among the offsets, sizes and strides (one operand
 * segment each); every entry in static_offsets/_sizes/_strides, INT64_MIN
 * standing for the next value (MLIR's convention). */
static bool build_mview(builder *B, const pto_sop *s, opb *o) {
  static const char *const names[3] = {"static_offsets", "static_sizes", "static_strides"};
  uint32_t segs[4] = {0, 0, 0, 0}, nl = 0;
  const pto_part *t1 = NULL;
  for (uint32_t i = 0; i < s->parts.n; i++) {
    const pto_part *p = PTO_VEC_AT(s->parts, pto_part *, i);
    if (p->kind == PP_OPERANDS) {
      if (!add_operands(B, o, &p->uses)) return false;
      segs[0] = o->nops;
    } else if (p->kind == PP_VITEMS && nl < 3) {
      int64_t v[64];
      if (p->items.n > PTK_ARRAY_LEN(v)) {
        err_at(B->P, p->loc, s->namelen, "'%s': more than %zu entries in a list", opname(s), PTK_ARRAY_LEN(v));
        return false;
      }
      for (uint32_t k = 0; k < p->items.n; k++) {
        const pto_item *it = &PTO_VEC_AT(p->items, pto_item, k);
        if (it->kind == 1) {
          o->vuse[o->nops < 512 ? o->nops : 511] = &it->use;
          if (!add_operand(B, o, &it->use)) return false;
          if (!ptk_type_is_scalar(o->ops[o->nops - 1]->type, PTK_DT_INDEX)) {
            char *ts = tstr(o->ops[o->nops - 1]->type);
            err_at(B->P, it->loc, it->use.len + 1, "'%s': '%%%.*s' must be an index, not %s", opname(s),
                   (int)it->use.len, it->use.name, ts);
            free(ts);
            return false;
          }
          v[k] = INT64_MIN;
          segs[1 + nl]++;
        } else {
          v[k] = it->attr->i;
        }
      }
      if (!acc_add(B, &o->attrs, names[nl], ptk_attr_dense_int(B->m, ptk_type_scalar(PTK_DT_I64), v, p->items.n),
                   p->loc))
        return false;
      nl++;
    } else if (p->kind == PP_DICT) {
      if (!acc_dict(B, &o->attrs, p->attr, p->loc)) return false;
    } else if (p->kind == PP_TYPES) {
      t1 = p;
    } else if (p->kind == PP_ARROW) {
      if (!add_results(B, o, &p->types, p->loc)) return false;
    } else {
      return unexpected_part(B, s, p);
    }
  }
  if (!o->nops || !t1) return unexpected_part(B, s, PTO_VEC_AT(s->parts, pto_part *, 0));
  const pto_use *src = &PTO_VEC_AT(PTO_VEC_AT(s->parts, pto_part *, 0)->uses, pto_use, 0);
  if (!check_one_type(B, src, o->ops[0], &PTO_VEC_AT(t1->types, pto_tl, 0))) return false;
  if (ptk_type_is_tile(o->ops[0]->type)) { /* the printed form would give ptoas a tile_buf source */
    err_at(B->P, src->loc, src->len + 1, "'%s' of an on-chip memref (read as a tile) is not supported: use pto.subview",
           opname(s));
    return false;
  }
  o->nsegs = 4;
  memcpy(o->segs, segs, sizeof segs);
  return true;
}

/* cf.br / cf.cond_br: the condition, then each successor's arguments (one
 * operand segment each); the blocks are resolved at the end of the region. */
static bool build_branch(builder *B, const pto_sop *s, opb *o) {
  uint32_t segs[3] = {0, 0, 0};
  for (uint32_t i = 0; i < s->parts.n; i++) {
    const pto_part *p = PTO_VEC_AT(s->parts, pto_part *, i);
    if (p->kind == PP_OPERANDS) {
      if (!add_operands(B, o, &p->uses)) return false;
      segs[0] = o->nops;
    } else if (p->kind == PP_SUCC) {
      if (p->types.n != p->uses.n) {
        err_at(B->P, p->loc, p->wlen + 1, "type annotation count mismatch: '^%.*s' gets %u operand%s but %u type%s",
               (int)p->wlen, p->word, p->uses.n, p->uses.n == 1 ? "" : "s", p->types.n, p->types.n == 1 ? "" : "s");
        return false;
      }
      uint32_t first = o->nops;
      if (!add_operands(B, o, &p->uses)) return false;
      for (uint32_t k = 0; k < p->uses.n; k++)
        if (!check_one_type(B, &PTO_VEC_AT(p->uses, pto_use, k), o->ops[first + k], &PTO_VEC_AT(p->types, pto_tl, k)))
          return false;
      segs[1 + o->nsucc] = p->uses.n;
      o->succ[o->nsucc++] = p;
    } else if (p->kind == PP_DICT) {
      if (!acc_dict(B, &o->attrs, p->attr, p->loc)) return false;
    } else {
      return unexpected_part(B, s, p);
    }
  }
  o->nsegs = 3;
  memcpy(o->segs, segs, sizeof segs);
  return true;
}

/* The successors of the branches in region r (pending from mark on): the
 * block with that label, whose arguments the branch's operands match. */
static bool resolve_succs(builder *B, ptk_region *r, uint32_t mark) {
  for (uint32_t i = mark; i < B->npend; i++) {
    const struct pend_succ *ps = &B->pend[i];
    const pto_part *p = ps->p;
    ptk_block *t = NULL;
    for (ptk_block *b = r->first; b && !t; b = b->next)
      if (b->label && strlen(b->label) == p->wlen && memcmp(b->label, p->word, p->wlen) == 0) t = b;
    if (!t) {
      err_at(B->P, p->loc, p->wlen + 1, "use of undefined block '^%.*s' (a branch goes to a block of its own region)",
             (int)p->wlen, p->word);
      return false;
    }
    uint32_t n;
    ptk_value **args = ptk_op_segment(ps->op, 1 + ps->idx, &n);
    if (n != t->nargs) {
      err_at(B->P, p->loc, p->wlen + 1, "branch to '^%.*s' passes %u argument%s, but the block takes %u", (int)p->wlen,
             p->word, n, n == 1 ? "" : "s", t->nargs);
      return false;
    }
    for (uint32_t k = 0; k < n; k++)
      if (!ptk_type_equal(args[k]->type, t->args[k]->type)) {
        char *a = tstr(args[k]->type), *b = tstr(t->args[k]->type);
        err_at(B->P, p->loc, p->wlen + 1, "branch to '^%.*s': argument #%u has type '%s', but the block argument is '%s'",
               (int)p->wlen, p->word, k, a, b);
        free(a);
        free(b);
        return false;
      }
    ps->op->succs[ps->idx] = t;
  }
  B->npend = mark;
  return true;
}

/* pto.comm.*: operands in written order, `word(…)` clauses kept in the
 * form ("%,%,buf(%,%)") for the printer; one type per operand. */
static bool build_comm(builder *B, const pto_sop *s, opb *o) {
  const pto_part *items = NULL, *types = NULL;
  ptk_buf_clear(&o->fbuf);
  for (uint32_t i = 0; i < s->parts.n; i++) {
    const pto_part *p = PTO_VEC_AT(s->parts, pto_part *, i);
    if (p->kind == PP_VITEMS) {
      items = p;
    } else if (p->kind == PP_TYPES) {
      types = p;
    } else if (p->kind == PP_DICT) {
      if (!acc_dict(B, &o->attrs, p->attr, p->loc)) return false;
    } else if (p->kind == PP_ARROW) {
      if (!add_results(B, o, &p->types, p->loc)) return false;
    } else {
      return unexpected_part(B, s, p);
    }
  }
  for (uint32_t j = 0; items && j < items->items.n; j++) {
    const pto_item *it = &PTO_VEC_AT(items->items, pto_item, j);
    if (j) ptk_buf_putc(&o->fbuf, ',');
    if (it->kind == 1) {
      o->vuse[o->nops < 512 ? o->nops : 511] = &it->use;
      if (!add_operand(B, o, &it->use)) return false;
      ptk_buf_putc(&o->fbuf, '%');
      continue;
    }
    ptk_buf_putn(&o->fbuf, it->word, it->wlen);
    ptk_buf_putc(&o->fbuf, '(');
    for (uint32_t k = 0; k < it->uses.n; k++) {
      const pto_use *u = &PTO_VEC_AT(it->uses, pto_use, k);
      if (k) ptk_buf_putc(&o->fbuf, ',');
      o->vuse[o->nops < 512 ? o->nops : 511] = u;
      if (!add_operand(B, o, u)) return false;
      ptk_buf_putc(&o->fbuf, '%');
    }
    ptk_buf_putc(&o->fbuf, ')');
  }
  uint32_t nt = types ? types->types.n : 0;
  if (nt != o->nops) {
    err_at(B->P, types ? types->loc : s->loc, 1, "type annotation count mismatch: '%s' has %u operand%s but %u type%s",
           opname(s), o->nops, o->nops == 1 ? "" : "s", nt, nt == 1 ? "" : "s");
    return false;
  }
  for (uint32_t i = 0; i < nt; i++)
    if (!check_one_type(B, o->vuse[i], o->ops[i], &PTO_VEC_AT(types->types, pto_tl, i))) return false;
  o->form = ptk_buf_cstr(&o->fbuf);
  return true;
}

static bool build_family(builder *B, const pto_sop *s, opb *o) {
  if (s->generic) return build_generic(B, s, o);
  switch (ptk_op_table[s->kind].family) {
  case PTK_FAM_DPS: return build_dps(B, s, o);
  case PTK_FAM_MAKE_TENSOR_VIEW:
  case PTK_FAM_PARTITION_VIEW: return build_view(B, s, o);
  case PTK_FAM_ALLOC_TILE: return build_alloc(B, s, o);
  case PTK_FAM_SUBVIEW: return build_subview(B, s, o);
  case PTK_FAM_SYNC_BRACKET:
  case PTK_FAM_SYNC_ATTRS:
  case PTK_FAM_SYNCALL: return build_sync(B, s, o);
  case PTK_FAM_ARITH:
  case PTK_FAM_ARITH_SELECT:
  case PTK_FAM_ARITH_EXT: return build_arith(B, s, o);
  case PTK_FAM_ARITH_CMP: return build_cmp(B, s, o);
  case PTK_FAM_ARITH_CAST:
  case PTK_FAM_VIEW_CAST:
  case PTK_FAM_OPERANDS_TYPE:
  case PTK_FAM_GET_VALIDSHAPE: return build_operands_type(B, s, o);
  case PTK_FAM_LOAD_SCALAR:
  case PTK_FAM_STORE_SCALAR: return build_scalar_mem(B, s, o);
  case PTK_FAM_SECTION: return build_section(B, s, o);
  case PTK_FAM_NULLARY:
  case PTK_FAM_PRINT:
  case PTK_FAM_PIPE: return build_misc(B, s, o);
  case PTK_FAM_INIT_PIPE: return build_init_pipe(B, s, o);
  case PTK_FAM_VOP: return build_vop(B, s, o);
  case PTK_FAM_COMM: return build_comm(B, s, o);
  case PTK_FAM_BRANCH: return build_branch(B, s, o);
  case PTK_FAM_MEMREF_VIEW: return build_mview(B, s, o);
  case PTK_FAM_CONSTANT: return build_constant(B, s, o);
  case PTK_FAM_CALL: return build_call(B, s, o);
  case PTK_FAM_RETURN:
  case PTK_FAM_SCF_YIELD:
  case PTK_FAM_SCF_CONDITION: return build_term(B, s, o);
  case PTK_FAM_SCF_FOR: return build_for(B, s, o);
  case PTK_FAM_SCF_IF: return build_if(B, s, o);
  case PTK_FAM_SCF_WHILE: return build_while(B, s, o);
  case PTK_FAM_MODULE:
  case PTK_FAM_FUNC:
  case PTK_FAM_GENERIC: break;
  }
  err_at(B->P, s->loc, s->namelen, "'%s' cannot be used here", opname(s));
  return false;
}

static const char *plural(uint32_t n, const char *one, const char *many) { return n == 1 ? one : many; }

static bool check_counts(builder *B, const pto_sop *s, const opb *o) {
  const ptk_op_info *info = &ptk_op_table[s->kind];
  if ((int)o->nops < info->min_operands || (info->max_operands >= 0 && (int)o->nops > info->max_operands)) {
    if (info->min_operands == info->max_operands)
      err_at(B->P, s->loc, s->namelen, "wrong number of operands for '%s': expected %d, got %u", info->name,
             info->min_operands, o->nops);
    else if (info->max_operands < 0)
      err_at(B->P, s->loc, s->namelen, "wrong number of operands for '%s': expected at least %d, got %u", info->name,
             info->min_operands, o->nops);
    else
      err_at(B->P, s->loc, s->namelen, "wrong number of operands for '%s': expected %d to %d, got %u", info->name,
             info->min_operands, info->max_operands, o->nops);
    return false;
  }
  if ((int)o->nres < info->min_results || (info->max_results >= 0 && (int)o->nres > info->max_results)) {
    if (info->min_results == info->max_results)
      err_at(B->P, s->loc, s->namelen, "wrong number of results for '%s': expected %d, got %u", info->name,
             info->min_results, o->nres);
    else
      err_at(B->P, s->loc, s->namelen, "wrong number of results for '%s': expected %d to %d, got %u", info->name,
             info->min_results, info->max_results, o->nres);
    return false;
  }
  /* Named results must match. */
  uint32_t named = 0;
  for (uint32_t i = 0; i < s->results.n; i++) named += PTO_VEC_AT(s->results, pto_res, i).count;
  if (s->results.n && named != o->nres) {
    const pto_res *r = &PTO_VEC_AT(s->results, pto_res, 0);
    err_at(B->P, r->loc, r->len + 1, "'%s' has %u %s but %u %s bound", info->name, o->nres,
           plural(o->nres, "result", "results"), named, plural(named, "name is", "names are"));
    return false;
  }
  /* Required attributes. */
  if (!has_required_attrs(s->kind)) return true;
  uint32_t ns;
  const attr_slot *slots = attr_slots(s->kind, &ns);
  for (uint32_t k = 0; k < ns; k++) {
    if (!slots[k].required) continue;
    bool found = false;
    for (uint32_t i = 0; i < o->attrs.n; i++) found |= strcmp(o->attrs.items[i].name, slots[k].name) == 0;
    if (!found) {
      err_at(B->P, s->loc, s->namelen, "'%s' is missing the required attribute '%s'", info->name, slots[k].name);
      return false;
    }
  }
  return true;
}

static opb *opb_get(builder *B) {
  int d = B->depth < PTK_MAX_NEST + 1 ? B->depth : PTK_MAX_NEST + 1;
  opb *o = B->opbs[d];
  if (!o) return B->opbs[d] = ptk_xcalloc(1, sizeof *o);
  o->nops = o->nsegs = o->nres = o->nregions = 0;
  o->bind = false;
  o->attrs.n = 0;
  memset(o->segs, 0, sizeof o->segs);
  memset(o->npre, 0, sizeof o->npre);
  o->else_absent = false;
  o->form = NULL;
  o->nsucc = 0;
  memset(o->vclause, 0, sizeof o->vclause);
  return o;
}

static bool build_op(builder *B, const pto_sop *s, ptk_block *blk) {
  if (B->P->failed) return false;
  opb *o = opb_get(B);
  bool ok = build_family(B, s, o) && !B->P->failed && check_counts(B, s, o);
  if (!ok) return false;
  /* `key = <V>` in a dict (reserve_buffer's location = <vec>): the enum
   * the ATTRS column names for key, spelled in full from here on */
  const ptk_op_desc *desc = ptk_op_desc_of(s->kind);
  for (uint32_t i = 0; i < o->attrs.n; i++) {
    const ptk_attr *a = o->attrs.items[i].value;
    if (a->kind != PTK_ATTR_OPAQUE || a->str.len < 3 || a->str.s[0] != '<') continue;
    for (uint32_t k = 0; k < desc->nattrs; k++)
      if (desc->attrs[k].enum_mn[0] && strcmp(desc->attrs[k].name, o->attrs.items[i].name) == 0) {
        char v[64];
        snprintf(v, sizeof v, "%.*s", (int)(a->str.len - 2), a->str.s + 1);
        const ptk_attr *e = ptk_attr_pto_enum(B->m, desc->attrs[k].enum_mn, v);
        if (ptk_attr_enum_index(e, desc->attrs[k].enum_mn) < 0) {
          err_at(B->P, s->loc, s->namelen, "'%s' attribute '%s': '<%s>' is not a '%s' value", opname(s),
                 o->attrs.items[i].name, v, desc->attrs[k].enum_mn);
          return false;
        }
        o->attrs.items[i].value = e;
      }
  }
  if (!s->generic)
    for (uint32_t i = 0; i < o->attrs.n; i++)
      if (strcmp(o->attrs.items[i].name, "operandSegmentSizes") == 0) {
        err_at(B->P, s->loc, s->namelen, "'operandSegmentSizes' is only allowed in the generic form of '%s'",
               opname(s));
        return false;
      }
  uint32_t nreg = ptk_op_table[s->kind].nregions;
  if (o->nregions > nreg) nreg = o->nregions;
  ptk_op *op = ptk_op_new(B->m, s->kind, o->ops, o->nops, o->res, o->nres, nreg, s->loc);
  if (o->nsegs) ptk_op_set_segments(B->m, op, o->segs, o->nsegs);
  if (o->bind) {
    if (B->nbinds == B->cap_binds) {
      B->cap_binds = B->cap_binds ? 2 * B->cap_binds : 8;
      B->binds = ptk_xrealloc(B->binds, B->cap_binds * sizeof *B->binds);
    }
    B->binds[B->nbinds++] = op;
  }
  if (s->kind == PTK_OP_ALLOC_TILE) /* ptk's printed memref buffer (parser/pto_print.c) */
    for (uint32_t i = 0; i < o->attrs.n; i++)
      if (!strcmp(o->attrs.items[i].name, PTK_ATTR_MEMREF_BUFFER) && o->attrs.items[i].value->kind == PTK_ATTR_UNIT) {
        o->form = PTK_FORM_MEMREF;
        o->attrs.items[i] = o->attrs.items[--o->attrs.n];
        break;
      }
  if (o->form) ptk_op_set_form(B->m, op, o->form);
  if (o->nsucc) {
    ptk_op_set_successors(B->m, op, NULL, o->nsucc);
    for (uint32_t i = 0; i < o->nsucc; i++) {
      if (B->npend == B->cap_pend) {
        B->cap_pend = B->cap_pend ? 2 * B->cap_pend : 16;
        B->pend = ptk_xrealloc(B->pend, B->cap_pend * sizeof *B->pend);
      }
      B->pend[B->npend++] = (struct pend_succ){op, i, o->succ[i]};
    }
  }
  for (uint32_t i = 0; i < o->attrs.n; i++) ptk_op_set_attr(op, o->attrs.items[i].name, o->attrs.items[i].value);
  ptk_block_append(blk, op);
  for (uint32_t i = 0; ok && i < o->nregions; i++) {
    const pto_region *sr = o->regions[i];
    bool is_else = s->kind == PTK_OP_SCF_IF && i == 1;
    if (is_else && sr->blocks.n == 1) {
      const pto_sblock *b = PTO_VEC_AT(sr->blocks, pto_sblock *, 0);
      if (!b->ops.n && !b->args.n) continue; /* `} else { }` = no else */
    }
    ok = build_region(B, sr, &op->regions[i], NULL, o->pre[i], o->npre[i], s->loc);
  }
  if (ok) {
    uint32_t k = 0;
    for (uint32_t i = 0; ok && i < s->results.n; i++) {
      const pto_res *r = &PTO_VEC_AT(s->results, pto_res, i);
      ok = names_def(B, r->name, r->len, r->loc, &op->results[k], r->count);
      k += r->count;
    }
  }
  return ok && !B->P->failed;
}

static bool build_region(builder *B, const pto_region *sr, ptk_region *r, ptk_block *entry,
                         const preset_arg *pre, uint32_t npre, ptk_loc oploc) {
  if (++B->depth > PTK_MAX_NEST) {
    err_at(B->P, sr->loc, 1, "regions nested too deeply (more than %d levels, the limit every stage of ptk shares)",
           PTK_MAX_NEST);
    return false;
  }
  uint32_t mark = B->nents, pmark = B->npend;
  bool ok = true;
  for (uint32_t bi = 0; ok && bi < sr->blocks.n; bi++) {
    const pto_sblock *sb = PTO_VEC_AT(sr->blocks, pto_sblock *, bi);
    for (uint32_t bj = 0; bj < bi; bj++) {
      const pto_sblock *o = PTO_VEC_AT(sr->blocks, pto_sblock *, bj);
      if (sb->label && o->label && sb->llen == o->llen && memcmp(sb->label, o->label, sb->llen) == 0) {
        err_at(B->P, sb->loc, sb->llen + 1, "redefinition of block '^%.*s'", (int)sb->llen, sb->label);
        ok = false;
      }
    }
    if (!ok) break;
    ptk_block *b = bi == 0 && entry ? entry : ptk_region_add_block(B->m, r);
    b->loc = sb->label ? sb->loc : sr->loc;
    if (sb->label) b->label = ptk_arena_strndup(ptk_module_arena(B->m), sb->label, sb->llen);
    if (bi == 0 && (npre || entry)) {
      if (sb->args.n) {
        err_at(B->P, sb->loc, sb->llen + 1, "the arguments of this entry block are already declared by the op");
        ok = false;
        break;
      }
      if (entry) { /* function body: args exist; bind names */
        for (uint32_t i = 0; ok && i < npre; i++)
          ok = names_def(B, pre[i].name, pre[i].len, pre[i].loc, entry->args[i], 1);
      } else {
        for (uint32_t i = 0; ok && i < npre; i++) {
          ptk_value *v = ptk_block_add_arg(B->m, b, pre[i].type, NULL, pre[i].loc);
          ok = names_def(B, pre[i].name, pre[i].len, pre[i].loc, v, 1);
        }
      }
    }
    for (uint32_t i = 0; ok && i < sb->args.n; i++) {
      const pto_barg *a = &PTO_VEC_AT(sb->args, pto_barg, i);
      ptk_value *v = ptk_block_add_arg(B->m, b, a->type.t, NULL, a->loc);
      ok = names_def(B, a->name, a->len, a->loc, v, 1);
    }
    for (uint32_t i = 0; ok && i < sb->ops.n; i++) {
      const pto_sop *so = PTO_VEC_AT(sb->ops, pto_sop *, i);
      ok = so && build_op(B, so, b);
    }
  }
  if (ok && sr->blocks.n == 0 && !entry) {
    ptk_block *b = ptk_region_add_block(B->m, r);
    b->loc = sr->loc;
    for (uint32_t i = 0; ok && i < npre; i++) {
      ptk_value *v = ptk_block_add_arg(B->m, b, pre[i].type, NULL, pre[i].loc);
      ok = names_def(B, pre[i].name, pre[i].len, pre[i].loc, v, 1);
    }
  }
  (void)oploc;
  if (ok) ok = resolve_succs(B, r, pmark);
  B->npend = pmark;
  names_pop(B, mark);
  B->depth--;
  return ok && !B->P->failed;
}

static bool build_func(builder *B, ptk_module *m, const pto_sfunc *sf) {
  uint32_t n = sf->args.n;
  const ptk_type **at = ptk_xcalloc(n + 1, sizeof *at);
  for (uint32_t i = 0; i < n; i++) at[i] = PTO_VEC_AT(sf->args, pto_farg, i).type.t;
  const ptk_type **rt = ptk_xcalloc(sf->results.n + 1, sizeof *rt);
  for (uint32_t i = 0; i < sf->results.n; i++) rt[i] = PTO_VEC_AT(sf->results, pto_tl, i).t;
  ptk_func *f = ptk_func_new(m, sf->name, at, n, rt, sf->results.n, sf->body == NULL, sf->loc);
  free(at);
  free(rt);
  f->vis = sf->vis;
  for (uint32_t i = 0; i < n; i++) {
    const pto_farg *a = &PTO_VEC_AT(sf->args, pto_farg, i);
    if (a->attrs && a->attrs->dict.n) f->arg_attrs[i] = a->attrs;
  }
  if (sf->attrs)
    for (uint32_t i = 0; i < sf->attrs->dict.n; i++)
      ptk_func_set_attr(f, sf->attrs->dict.items[i].name, sf->attrs->dict.items[i].value);
  if (!sf->body) return true;
  names_reset(B);
  preset_arg *pre = ptk_xcalloc(n + 1, sizeof *pre);
  bool ok = true;
  for (uint32_t i = 0; i < n; i++) {
    const pto_farg *a = &PTO_VEC_AT(sf->args, pto_farg, i);
    if (!a->named) {
      err_at(B->P, a->loc, 1, "the arguments of a function with a body need names (%%arg0: type)");
      ok = false;
      break;
    }
    pre[i] = (preset_arg){a->name, a->len, a->loc, a->type.t};
    /* Diagnostics about a parameter point at its `%name`, not at `@f`. */
    ptk_func_entry(f)->args[i]->loc = a->loc;
  }
  if (ok) ok = build_region(B, sf->body, f->body, ptk_func_entry(f), pre, n, sf->loc);
  free(pre);
  return ok;
}

static bool build_items(builder *B, ptk_module *m, const pto_vec *items) {
  for (uint32_t i = 0; i < items->n; i++) {
    const pto_sitem *it = &PTO_VEC_AT(*items, pto_sitem, i);
    if (it->is_func) {
      for (uint32_t j = 0; j < i; j++) {
        const pto_sitem *o = &PTO_VEC_AT(*items, pto_sitem, j);
        if (o->is_func && strcmp(o->func->name, it->func->name) == 0) {
          err_at(B->P, it->func->loc, (uint32_t)strlen(it->func->name) + 1, "redefinition of symbol '@%s'",
                 it->func->name);
          note_at(B->P, o->func->loc, (uint32_t)strlen(o->func->name) + 1, "previous definition is here");
          return false;
        }
      }
      if (!build_func(B, m, it->func)) return false;
    } else {
      const pto_smod *sm = it->mod;
      ptk_module *sub = ptk_module_add_module(m, sm->name, sm->loc);
      if (sm->attrs)
        for (uint32_t k = 0; k < sm->attrs->dict.n; k++)
          ptk_module_set_attr(sub, sm->attrs->dict.items[k].name, sm->attrs->dict.items[k].value);
      if (!build_items(B, sub, &sm->items)) return false;
    }
  }
  return true;
}

/* ======================================================================
 * Driver
 * ====================================================================== */

ptk_module *ptk_pto_read(const ptk_source *src, ptk_diags *diags) {
  pto_parser P = {0};
  P.src = src;
  P.diags = diags;
  P.m = ptk_module_new();
  P.syn = ptk_arena_new();
  pto_lexer lx;
  pto_lex_init(&lx, &P);
  void *parser = PtoParseAlloc(malloc);
  pto_tok t;
  for (;;) {
    int code = pto_lex_next(&lx, &t);
    if (P.failed) break;
    PtoParse(parser, code, t, &P);
    if (P.failed || code == 0) break;
  }
  PtoParseFree(parser, free);
  ptk_module *m = P.m;
  if (!P.failed) {
    builder B = {.P = &P, .m = m};
    names_reset(&B);
    const pto_vec *items = &P.top;
    if (P.top.n == 1 && !PTO_VEC_AT(P.top, pto_sitem, 0).is_func) {
      const pto_smod *sm = PTO_VEC_AT(P.top, pto_sitem, 0).mod;
      m->name = sm->name ? ptk_arena_strdup(ptk_module_arena(m), sm->name) : NULL;
      m->loc = sm->loc;
      if (sm->attrs)
        for (uint32_t k = 0; k < sm->attrs->dict.n; k++)
          ptk_module_set_attr(m, sm->attrs->dict.items[k].name, sm->attrs->dict.items[k].value);
      items = &sm->items;
    } else {
      m->implicit = true;
      m->loc = ptk_source_loc(src, 0);
    }
    build_items(&B, m, items);
    free(B.ents);
    free(B.buckets);
    free(B.pend);
    free(B.binds);
    for (int i = 0; i < PTK_MAX_NEST + 2; i++) {
      if (B.opbs[i]) ptk_buf_free(&B.opbs[i]->fbuf);
      free(B.opbs[i]);
    }
  }
  ptk_arena_free(P.syn);
  free(P.tcache);
  if (P.failed) {
    ptk_module_free(m);
    return NULL;
  }
  return m;
}
