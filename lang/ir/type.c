/* Types: scalar singletons, interned composite types, equality, printing. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lang/ir/ir_internal.h"

static const struct {
  const char *name;
  unsigned bits;
  ptk_dtype_class cls;
} dtypes[] = {
#define X(ID, S, B, C) {S, B, PTK_DTC_##C},
    PTK_DTYPES(X)
#undef X
};

const char *ptk_dtype_name(ptk_dtype dt) {
  return (unsigned)dt < PTK_DT__COUNT ? dtypes[dt].name : "?";
}
unsigned ptk_dtype_bits(ptk_dtype dt) { return (unsigned)dt < PTK_DT__COUNT ? dtypes[dt].bits : 0; }
ptk_dtype_class ptk_dtype_class_of(ptk_dtype dt) {
  return (unsigned)dt < PTK_DT__COUNT ? dtypes[dt].cls : PTK_DTC_INT;
}
unsigned ptk_dtype_bytes(ptk_dtype dt) {
  unsigned b = ptk_dtype_bits(dt);
  return b < 8 ? 1 : b / 8;
}

static const char *space_names[] = {
#define X(ID, S) S,
    PTK_SPACES(X)
#undef X
};
const char *ptk_space_name(ptk_space s) {
  return (unsigned)s < PTK_SPACE__COUNT ? space_names[s] : "?";
}

static const ptk_type scalar_types[] = {
#define X(ID, S, B, C) {.kind = PTK_TY_SCALAR, .dt = PTK_DT_##ID, .hash = 0x9e37u * (PTK_DT_##ID + 1)},
    PTK_DTYPES(X)
#undef X
};

const ptk_type *ptk_type_scalar(ptk_dtype dt) {
  return (unsigned)dt < PTK_DT__COUNT ? &scalar_types[dt] : NULL;
}

ptk_tile_desc ptk_tile_desc_make(ptk_space loc, const ptk_type *elem, int64_t rows, int64_t cols) {
  return (ptk_tile_desc){.loc = loc,
                         .elem = elem,
                         .rows = rows,
                         .cols = cols,
                         .v_row = rows,
                         .v_col = cols,
                         .blayout = PTK_BLAYOUT_ROW_MAJOR,
                         .slayout = PTK_SLAYOUT_NONE_BOX,
                         .fractal = 512,
                         .pad = 0,
                         .compact = 0};
}

/* ---- hashing and equality ------------------------------------------------ */

static uint32_t mix(uint32_t h, uint64_t v) {
  h ^= (uint32_t)v + 0x9e3779b9u + (h << 6) + (h >> 2);
  h ^= (uint32_t)(v >> 32) + 0x9e3779b9u + (h << 6) + (h >> 2);
  return h;
}

static uint32_t str_hash(const char *s, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 16777619u;
  return h;
}

static uint32_t th(const ptk_type *t) { return t ? t->hash : 0; }

static uint32_t type_hash(const ptk_type *t) {
  uint32_t h = mix(0x1234567u, t->kind);
  switch (t->kind) {
  case PTK_TY_SCALAR: return t->hash;
  case PTK_TY_PTR: return mix(mix(h, th(t->elem)), t->space);
  case PTK_TY_TENSOR_VIEW:
  case PTK_TY_PART_VIEW:
    h = mix(mix(h, th(t->elem)), t->rank);
    for (uint32_t i = 0; i < t->rank; i++) h = mix(h, (uint64_t)t->dims[i]);
    return h;
  case PTK_TY_TILE_BUF: {
    const ptk_tile_desc *d = &t->tile;
    h = mix(h, d->loc);
    h = mix(h, th(d->elem));
    h = mix(h, (uint64_t)d->rows);
    h = mix(h, (uint64_t)d->cols);
    h = mix(h, (uint64_t)d->v_row);
    h = mix(h, (uint64_t)d->v_col);
    h = mix(h, d->blayout * 7u + d->slayout);
    h = mix(h, (uint64_t)d->fractal);
    h = mix(h, (uint64_t)d->pad * 31u + (uint64_t)d->compact);
    return h;
  }
  case PTK_TY_FUNCTION:
    h = mix(mix(h, t->ninputs), t->nresults);
    for (uint32_t i = 0; i < t->ninputs; i++) h = mix(h, th(t->inputs[i]));
    for (uint32_t i = 0; i < t->nresults; i++) h = mix(h, th(t->results[i]));
    return h;
  case PTK_TY_OPAQUE: return mix(h, str_hash(t->text, strlen(t->text)));
  }
  return h;
}

bool ptk_type_equal(const ptk_type *a, const ptk_type *b) {
  if (a == b) return true;
  if (!a || !b || a->kind != b->kind) return false;
  if (a->hash != b->hash) return false;
  switch (a->kind) {
  case PTK_TY_SCALAR: return a->dt == b->dt;
  case PTK_TY_PTR: return a->space == b->space && ptk_type_equal(a->elem, b->elem);
  case PTK_TY_TENSOR_VIEW:
  case PTK_TY_PART_VIEW:
    if (a->rank != b->rank || !ptk_type_equal(a->elem, b->elem)) return false;
    for (uint32_t i = 0; i < a->rank; i++)
      if (a->dims[i] != b->dims[i]) return false;
    return true;
  case PTK_TY_TILE_BUF: {
    const ptk_tile_desc *x = &a->tile, *y = &b->tile;
    return x->loc == y->loc && ptk_type_equal(x->elem, y->elem) && x->rows == y->rows &&
           x->cols == y->cols && x->v_row == y->v_row && x->v_col == y->v_col &&
           x->blayout == y->blayout && x->slayout == y->slayout && x->fractal == y->fractal &&
           x->pad == y->pad && x->compact == y->compact;
  }
  case PTK_TY_FUNCTION:
    if (a->ninputs != b->ninputs || a->nresults != b->nresults) return false;
    for (uint32_t i = 0; i < a->ninputs; i++)
      if (!ptk_type_equal(a->inputs[i], b->inputs[i])) return false;
    for (uint32_t i = 0; i < a->nresults; i++)
      if (!ptk_type_equal(a->results[i], b->results[i])) return false;
    return true;
  case PTK_TY_OPAQUE: return strcmp(a->text, b->text) == 0;
  }
  return false;
}

/* ---- interning --------------------------------------------------------- */

static void grow_types(ptk_ir_ctx *c) {
  uint32_t cap = c->cap_types ? c->cap_types * 2 : 64;
  const ptk_type **nt = ptk_xcalloc(cap, sizeof *nt);
  for (uint32_t i = 0; i < c->cap_types; i++) {
    const ptk_type *t = c->types[i];
    if (!t) continue;
    uint32_t j = t->hash & (cap - 1);
    while (nt[j]) j = (j + 1) & (cap - 1);
    nt[j] = t;
  }
  free(c->types);
  c->types = nt;
  c->cap_types = cap;
}

/* Looks up `tmpl` (hash filled in); if absent, copies it (and the arrays it
 * points to) into the arena. */
static const ptk_type *intern(ptk_module *m, ptk_type *tmpl) {
  ptk_ir_ctx *c = m->ctx;
  tmpl->hash = type_hash(tmpl);
  if ((c->ntypes + 1) * 4 >= c->cap_types * 3) grow_types(c);
  uint32_t j = tmpl->hash & (c->cap_types - 1);
  while (c->types[j]) {
    if (ptk_type_equal(c->types[j], tmpl)) return c->types[j];
    j = (j + 1) & (c->cap_types - 1);
  }
  ptk_type *t = ptk_ir_alloc(m, sizeof *t);
  *t = *tmpl;
  if (tmpl->rank) {
    int64_t *d = ptk_ir_alloc(m, tmpl->rank * sizeof *d);
    memcpy(d, tmpl->dims, tmpl->rank * sizeof *d);
    t->dims = d;
  }
  if (tmpl->kind == PTK_TY_FUNCTION) {
    const ptk_type **in = ptk_ir_alloc(m, (tmpl->ninputs + 1) * sizeof *in);
    for (uint32_t i = 0; i < tmpl->ninputs; i++) in[i] = tmpl->inputs[i];
    const ptk_type **out = ptk_ir_alloc(m, (tmpl->nresults + 1) * sizeof *out);
    for (uint32_t i = 0; i < tmpl->nresults; i++) out[i] = tmpl->results[i];
    t->inputs = in;
    t->results = out;
  }
  if (tmpl->kind == PTK_TY_OPAQUE) t->text = ptk_ir_strdup(m, tmpl->text);
  c->types[j] = t;
  c->ntypes++;
  return t;
}

const ptk_type *ptk_type_ptr(ptk_module *m, const ptk_type *elem, ptk_space space) {
  ptk_type t = {.kind = PTK_TY_PTR, .elem = elem, .space = space};
  return intern(m, &t);
}

const ptk_type *ptk_type_tensor_view(ptk_module *m, uint32_t rank, const int64_t *dims,
                                     const ptk_type *elem) {
  ptk_type t = {.kind = PTK_TY_TENSOR_VIEW, .elem = elem, .rank = rank, .dims = dims};
  return intern(m, &t);
}

const ptk_type *ptk_type_part_view(ptk_module *m, uint32_t rank, const int64_t *dims,
                                   const ptk_type *elem) {
  ptk_type t = {.kind = PTK_TY_PART_VIEW, .elem = elem, .rank = rank, .dims = dims};
  return intern(m, &t);
}

const ptk_type *ptk_type_tile_buf(ptk_module *m, const ptk_tile_desc *d) {
  ptk_type t = {.kind = PTK_TY_TILE_BUF, .tile = *d, .elem = d->elem};
  return intern(m, &t);
}

const ptk_type *ptk_type_function(ptk_module *m, uint32_t ninputs, const ptk_type *const *inputs,
                                  uint32_t nresults, const ptk_type *const *results) {
  ptk_type t = {.kind = PTK_TY_FUNCTION,
                .ninputs = ninputs,
                .inputs = inputs,
                .nresults = nresults,
                .results = results};
  return intern(m, &t);
}

const ptk_type *ptk_type_opaque(ptk_module *m, const char *text, size_t len) {
  /* Fold whitespace runs to one space and trim, so that line breaks and
   * indentation do not make different types. */
  ptk_buf b = {0};
  bool space = false;
  for (size_t i = 0; i < len; i++) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      space = b.len > 0;
      continue;
    }
    if (space) ptk_buf_putc(&b, ' ');
    space = false;
    ptk_buf_putc(&b, c);
  }
  ptk_type t = {.kind = PTK_TY_OPAQUE, .text = ptk_buf_cstr(&b)};
  const ptk_type *r = intern(m, &t);
  ptk_buf_free(&b);
  return r;
}

bool ptk_type_elem_dtype(const ptk_type *t, ptk_dtype *out) {
  if (!t) return false;
  if (t->kind == PTK_TY_SCALAR) {
    *out = t->dt;
    return true;
  }
  const ptk_type *e = t->kind == PTK_TY_TILE_BUF ? t->tile.elem : t->elem;
  if (!e || e->kind != PTK_TY_SCALAR) return false;
  *out = e->dt;
  return true;
}

/* ---- printing ----------------------------------------------------------- */

static void print_dim(ptk_buf *out, int64_t d) {
  if (d == PTK_DYN)
    ptk_buf_putc(out, '?');
  else
    ptk_buf_printf(out, "%" PRId64, d);
}

static const char *blayout_names[] = {"row_major", "col_major"};
static const char *slayout_names[] = {"none_box", "row_major", "col_major"};

/* Pointer address spaces as ptoas spells them (tiles use ptk_space_name). */
static const char *const ptr_space_names[PTK_SPACE__COUNT] = {"gm", "ub", "l1", "l0a", "l0b", "l0c", "bt", "fb"};

const char *ptk_space_ptr_name(ptk_space s) {
  return (unsigned)s < PTK_SPACE__COUNT ? ptr_space_names[s] : "?";
}

ptk_space ptk_space_from_ptr_name(const char *s, size_t n) {
  for (int i = 0; i < PTK_SPACE__COUNT; i++)
    if (strlen(ptr_space_names[i]) == n && !memcmp(ptr_space_names[i], s, n)) return (ptk_space)i;
  return PTK_SPACE__COUNT;
}

void ptk_type_print(const ptk_type *t, ptk_buf *out) {
  if (!t) {
    ptk_buf_puts(out, "<<null type>>");
    return;
  }
  switch (t->kind) {
  case PTK_TY_SCALAR: ptk_buf_puts(out, ptk_dtype_name(t->dt)); return;
  case PTK_TY_PTR:
    ptk_buf_puts(out, "!pto.ptr<");
    ptk_type_print(t->elem, out);
    if (t->space != PTK_SPACE_GM) ptk_buf_printf(out, ", %s", ptr_space_names[t->space]);
    ptk_buf_putc(out, '>');
    return;
  case PTK_TY_TENSOR_VIEW:
  case PTK_TY_PART_VIEW:
    ptk_buf_puts(out, t->kind == PTK_TY_TENSOR_VIEW ? "!pto.tensor_view<" : "!pto.partition_tensor_view<");
    for (uint32_t i = 0; i < t->rank; i++) {
      print_dim(out, t->dims[i]);
      ptk_buf_putc(out, 'x');
    }
    ptk_type_print(t->elem, out);
    ptk_buf_putc(out, '>');
    return;
  case PTK_TY_TILE_BUF: {
    const ptk_tile_desc *d = &t->tile;
    ptk_buf_printf(out, "!pto.tile_buf<%s, ", ptk_space_name(d->loc));
    print_dim(out, d->rows);
    ptk_buf_putc(out, 'x');
    print_dim(out, d->cols);
    ptk_buf_putc(out, 'x');
    ptk_type_print(d->elem, out);
    if (d->v_row != d->rows || d->v_col != d->cols) {
      ptk_buf_puts(out, ", valid=");
      print_dim(out, d->v_row);
      ptk_buf_putc(out, 'x');
      print_dim(out, d->v_col);
    }
    if (d->blayout != PTK_BLAYOUT_ROW_MAJOR && (unsigned)d->blayout < 2)
      ptk_buf_printf(out, ", blayout=%s", blayout_names[d->blayout]);
    if (d->slayout != PTK_SLAYOUT_NONE_BOX && (unsigned)d->slayout < 3)
      ptk_buf_printf(out, ", slayout=%s", slayout_names[d->slayout]);
    if (d->fractal != 512) ptk_buf_printf(out, ", fractal=%" PRId64, d->fractal);
    if (d->pad != 0) ptk_buf_printf(out, ", pad=%" PRId64, d->pad);
    if (d->compact != 0) ptk_buf_printf(out, ", compact=%" PRId64, d->compact);
    ptk_buf_putc(out, '>');
    return;
  }
  case PTK_TY_FUNCTION:
    ptk_buf_putc(out, '(');
    for (uint32_t i = 0; i < t->ninputs; i++) {
      if (i) ptk_buf_puts(out, ", ");
      ptk_type_print(t->inputs[i], out);
    }
    ptk_buf_puts(out, ") -> ");
    if (t->nresults == 1 && t->results[0]->kind != PTK_TY_FUNCTION) {
      ptk_type_print(t->results[0], out);
    } else {
      ptk_buf_putc(out, '(');
      for (uint32_t i = 0; i < t->nresults; i++) {
        if (i) ptk_buf_puts(out, ", ");
        ptk_type_print(t->results[i], out);
      }
      ptk_buf_putc(out, ')');
    }
    return;
  case PTK_TY_OPAQUE: ptk_buf_puts(out, t->text); return;
  }
}

char *ptk_type_str(const ptk_type *t) {
  ptk_buf b = {0};
  ptk_type_print(t, &b);
  if (!b.data) ptk_buf_puts(&b, "");
  return ptk_buf_take(&b);
}

/* ---- VPTO register types ---- */

static bool opaque_args(const ptk_type *t, const char *prefix, const char **a, size_t *n) {
  if (!t || t->kind != PTK_TY_OPAQUE) return false;
  size_t pl = strlen(prefix), tl = strlen(t->text);
  if (tl < pl + 1 || strncmp(t->text, prefix, pl) != 0 || t->text[tl - 1] != '>') return false;
  *a = t->text + pl;
  *n = tl - pl - 1;
  return true;
}

bool ptk_type_vreg(const ptk_type *t, uint32_t *lanes, ptk_dtype *elem) {
  const char *a;
  size_t n;
  if (!opaque_args(t, "!pto.vreg<", &a, &n)) return false;
  uint64_t v = 0;
  size_t i = 0;
  while (i < n && a[i] >= '0' && a[i] <= '9' && v < 100000) v = v * 10 + (uint64_t)(a[i++] - '0');
  if (i == 0 || i >= n || a[i] != 'x' || v == 0 || v >= 100000) return false;
  i++;
  for (int d = 0; d < PTK_DT__COUNT; d++) {
    const char *nm = ptk_dtype_name((ptk_dtype)d);
    if (strlen(nm) == n - i && memcmp(nm, a + i, n - i) == 0) {
      if (lanes) *lanes = (uint32_t)v;
      if (elem) *elem = (ptk_dtype)d;
      return true;
    }
  }
  return false;
}

unsigned ptk_type_mask_bits(const ptk_type *t) {
  const char *a;
  size_t n;
  if (!opaque_args(t, "!pto.mask<", &a, &n)) return 0;
  if (n == 2 && a[0] == 'b' && a[1] == '8') return 8;
  if (n == 3 && a[0] == 'b' && a[1] == '1' && a[2] == '6') return 16;
  if (n == 3 && a[0] == 'b' && a[1] == '3' && a[2] == '2') return 32;
  return 0;
}

bool ptk_type_is_align(const ptk_type *t) {
  return t && t->kind == PTK_TY_OPAQUE && strcmp(t->text, "!pto.align") == 0;
}

int64_t ptk_type_multi_tile_count(const ptk_type *t, const char **slot_text, size_t *slot_len) {
  static const char pre[] = "!pto.multi_tile_buf<";
  if (!t || t->kind != PTK_TY_OPAQUE || strncmp(t->text, pre, sizeof pre - 1)) return 0;
  /* the last `, count = N` before the closing '>' */
  const char *body = t->text + sizeof pre - 1, *end = t->text + strlen(t->text);
  if (end == body || end[-1] != '>') return 0;
  const char *c = NULL;
  for (const char *p = strstr(body, "count"); p; p = strstr(p + 1, "count")) c = p;
  if (!c) return 0;
  const char *comma = c;
  while (comma > body && comma[-1] == ' ') comma--;
  if (comma == body || comma[-1] != ',') return 0;
  const char *v = c + 5;
  while (*v == ' ') v++;
  if (*v++ != '=') return 0;
  while (*v == ' ') v++;
  int64_t n = 0;
  if (*v < '0' || *v > '9') return 0;
  for (; *v >= '0' && *v <= '9' && n < ((int64_t)1 << 40); v++) n = n * 10 + (*v - '0');
  while (*v == ' ') v++;
  if (v != end - 1) return 0;
  if (slot_text) *slot_text = body;
  if (slot_len) *slot_len = (size_t)(comma - 1 - body);
  return n;
}

bool ptk_type_is_async_handle(const ptk_type *t) {
  return t && t->kind == PTK_TY_OPAQUE &&
         (!strcmp(t->text, "!pto.prefetch_async_context") || !strcmp(t->text, "!pto.async_session") ||
          !strcmp(t->text, "!pto.async_event"));
}
