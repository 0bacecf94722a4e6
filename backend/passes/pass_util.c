/* Private helpers shared by the passes. */
#include "backend/passes/pass_util.h"

#include <string.h>
#include <time.h>

/* ---- locations --------------------------------------------------------------- */

ptk_range pu_value_range(const ptk_value *v) {
  const ptk_source *s = v->loc.src;
  if (s && v->loc.off < s->len && s->text[v->loc.off] == '%') {
    size_t n = 1;
    while (v->loc.off + n < s->len) {
      char ch = s->text[v->loc.off + n];
      if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
            ch == '_' || ch == '$' || ch == '.' || ch == '-'))
        break;
      n++;
    }
    return ptk_range_at(v->loc, (uint32_t)n);
  }
  if (v->def) return ptk_op_range(v->def);
  return ptk_range_at(v->loc, 1);
}

/* ---- structure ------------------------------------------------------------------ */

ptk_value **pu_ins(const ptk_op *op, uint32_t *n) {
  if (ptk_op_table[op->kind].family != PTK_FAM_DPS || op->nsegs != 2) {
    *n = 0;
    return NULL;
  }
  return ptk_op_segment(op, 0, n);
}

ptk_value **pu_outs(const ptk_op *op, uint32_t *n) {
  if (ptk_op_table[op->kind].family != PTK_FAM_DPS || op->nsegs != 2) {
    *n = 0;
    return NULL;
  }
  return ptk_op_segment(op, 1, n);
}

void pu_collect_funcs(ptk_module *m, pu_funcs *out) {
  for (uint32_t i = 0; i < m->nitems; i++) {
    if (m->items[i].kind == PTK_ITEM_FUNC) {
      if (m->items[i].func->body) ptk_vec_push(out, m->items[i].func);
    } else {
      pu_collect_funcs(m->items[i].module, out);
    }
  }
}

/* ---- constants ---------------------------------------------------------------------- */

const ptk_attr *pu_const_attr(const ptk_value *v) {
  if (!v || !v->def || v->def->kind != PTK_OP_ARITH_CONSTANT) return NULL;
  return ptk_op_attr(v->def, "value");
}

unsigned pu_int_bits(const ptk_type *t) {
  if (!t || t->kind != PTK_TY_SCALAR || ptk_dtype_is_float(t->dt)) return 0;
  return ptk_dtype_bits(t->dt);
}

bool pu_const_int(const ptk_value *v, int64_t *out) {
  const ptk_attr *a = pu_const_attr(v);
  if (!a || !pu_int_bits(v->type)) return false;
  if (a->kind == PTK_ATTR_BOOL) {
    *out = a->b ? 1 : 0;
    return true;
  }
  if (a->kind != PTK_ATTR_INT) return false;
  *out = a->i;
  if (pu_int_bits(v->type) == 1) *out &= 1;
  return true;
}

/* ---- replacement ---------------------------------------------------------------------- */

void pu_repl_set(pu_repl *r, const ptk_value *from, ptk_value *to) {
  if (from == to) return;
  if (from->uid >= r->cap) {
    uint32_t cap = r->cap ? r->cap : 64;
    while (cap <= from->uid) cap *= 2;
    r->to = ptk_xrealloc(r->to, cap * sizeof *r->to);
    memset(r->to + r->cap, 0, (cap - r->cap) * sizeof *r->to);
    r->cap = cap;
  }
  r->to[from->uid] = to;
  r->count++;
}

ptk_value *pu_repl_get(pu_repl *r, ptk_value *v) {
  if (!r->count) return v;
  ptk_value *x = v;
  unsigned guard = 0;
  while (x && x->uid < r->cap && r->to[x->uid] && guard++ < 1000000) x = r->to[x->uid];
  /* Compress the path. */
  ptk_value *y = v;
  while (y != x && y->uid < r->cap && r->to[y->uid]) {
    ptk_value *n = r->to[y->uid];
    r->to[y->uid] = x;
    y = n;
  }
  return x;
}

bool pu_repl_operands(pu_repl *r, ptk_op *op) {
  if (!r->count) return false;
  bool ch = false;
  for (uint32_t i = 0; i < op->noperands; i++) {
    ptk_value *v = op->operands[i];
    if (v && v->uid < r->cap && r->to[v->uid]) {
      op->operands[i] = pu_repl_get(r, v);
      ch = true;
    }
  }
  return ch;
}

static bool repl_one(ptk_op *op, void *p) {
  pu_repl_operands(p, op);
  return true;
}

void pu_repl_func(pu_repl *r, ptk_func *f) {
  if (r->count) ptk_walk_func(f, repl_one, r);
}

void pu_repl_free(pu_repl *r) {
  free(r->to);
  memset(r, 0, sizeof *r);
}

/* ---- constant pool ------------------------------------------------------------------------ */

static uint64_t attr_hash(const ptk_attr *a, const ptk_type *t) {
  uint64_t h = (uint64_t)(uintptr_t)t * 0x9E3779B97F4A7C15ull;
  h ^= (uint64_t)a->kind * 0xC2B2AE3D27D4EB4Full;
  switch (a->kind) {
  case PTK_ATTR_BOOL: h ^= a->b ? 0x1234567ull : 0x7654321ull; break;
  case PTK_ATTR_INT: h ^= (uint64_t)a->i * 0xFF51AFD7ED558CCDull; break;
  case PTK_ATTR_FLOAT: h ^= a->f.bits * 0xFF51AFD7ED558CCDull; break;
  default: break;
  }
  h ^= h >> 29;
  h *= 0xBF58476D1CE4E5B9ull;
  h ^= h >> 32;
  return h;
}

static void cpool_insert(pu_cpool *p, const ptk_attr *a, const ptk_type *t, ptk_value *v);

static void cpool_grow(pu_cpool *p) {
  pu_cpool_ent *old = p->tab;
  uint32_t oldcap = p->cap;
  p->cap = p->cap ? p->cap * 2 : 64;
  p->tab = ptk_xcalloc(p->cap, sizeof *p->tab);
  p->n = 0;
  for (uint32_t i = 0; i < oldcap; i++)
    if (old[i].v) cpool_insert(p, old[i].attr, old[i].type, old[i].v);
  free(old);
}

static void cpool_insert(pu_cpool *p, const ptk_attr *a, const ptk_type *t, ptk_value *v) {
  if ((p->n + 1) * 2 > p->cap) cpool_grow(p);
  uint32_t i = (uint32_t)attr_hash(a, t) & (p->cap - 1);
  while (p->tab[i].v) {
    if (p->tab[i].type == t && ptk_attr_equal(p->tab[i].attr, a)) return; /* keep the first */
    i = (i + 1) & (p->cap - 1);
  }
  p->tab[i] = (pu_cpool_ent){t, a, v};
  p->n++;
}

void pu_cpool_init(pu_cpool *p, ptk_func *f) {
  memset(p, 0, sizeof *p);
  p->m = f->module;
  p->entry = ptk_func_entry(f);
  if (!p->entry) return;
  for (ptk_op *op = p->entry->first; op && op->kind == PTK_OP_ARITH_CONSTANT; op = op->next) {
    p->last = op;
    const ptk_attr *a = ptk_op_attr(op, "value");
    if (a && op->nresults == 1) cpool_insert(p, a, op->results[0].type, &op->results[0]);
  }
}

void pu_cpool_free(pu_cpool *p) {
  free(p->tab);
  memset(p, 0, sizeof *p);
}

ptk_value *pu_cpool_find(pu_cpool *p, const ptk_attr *a, const ptk_type *t) {
  if (!p->cap || !a) return NULL;
  uint32_t i = (uint32_t)attr_hash(a, t) & (p->cap - 1);
  while (p->tab[i].v) {
    if (p->tab[i].type == t && ptk_attr_equal(p->tab[i].attr, a)) return p->tab[i].v;
    i = (i + 1) & (p->cap - 1);
  }
  return NULL;
}

static void cpool_place(pu_cpool *p, ptk_op *op) {
  if (p->last)
    ptk_op_insert_after(p->last, op);
  else if (p->entry->first)
    ptk_op_insert_before(p->entry->first, op);
  else
    ptk_block_append(p->entry, op);
  p->last = op;
}

ptk_value *pu_cpool_get(pu_cpool *p, const ptk_attr *a, const ptk_type *t, ptk_loc loc) {
  ptk_value *v = pu_cpool_find(p, a, t);
  if (v) return v;
  ptk_op *op = ptk_op_new(p->m, PTK_OP_ARITH_CONSTANT, NULL, 0, &t, 1, 0, loc);
  ptk_op_set_attr(op, "value", a);
  cpool_place(p, op);
  cpool_insert(p, a, t, &op->results[0]);
  return &op->results[0];
}

ptk_value *pu_cpool_int(pu_cpool *p, int64_t v, const ptk_type *t, ptk_loc loc) {
  const ptk_attr *a = pu_int_bits(t) == 1 ? ptk_attr_bool(p->m, v & 1) : ptk_attr_int(p->m, v, t);
  return pu_cpool_get(p, a, t, loc);
}

void pu_cpool_adopt(pu_cpool *p, ptk_op *cst) {
  if (cst != p->last) {
    /* Already in the leading run right after `last`? Then just extend it. */
    bool in_place = cst->block == p->entry &&
                    (p->last ? p->last->next == cst : p->entry->first == cst);
    if (!in_place) {
      ptk_op_unlink(cst);
      cpool_place(p, cst);
    } else {
      p->last = cst;
    }
  }
  const ptk_attr *a = ptk_op_attr(cst, "value");
  if (a) cpool_insert(p, a, cst->results[0].type, &cst->results[0]);
}

/* ---- tiles ------------------------------------------------------------------------------------ */

uint64_t pu_tile_bytes(const ptk_tile_desc *t) {
  ptk_dtype dt;
  if (!t->elem || !ptk_type_elem_dtype(t->elem, &dt)) return 0;
  if (t->rows <= 0 || t->cols <= 0) return 0;
  return (uint64_t)t->rows * (uint64_t)t->cols * ptk_dtype_bytes(dt);
}

/* ---- tile aliases ------------------------------------------------------------------------ */

uint32_t pu_alias_find(pu_alias *L, uint32_t x) {
  while (L->uf[x] != x) {
    L->uf[x] = L->uf[L->uf[x]];
    x = L->uf[x];
  }
  return x;
}

static void unite_any(pu_alias *L, const ptk_value *a, const ptk_value *b) {
  if (!a || !b || a->uid >= L->nvals || b->uid >= L->nvals) return;
  uint32_t ra = pu_alias_find(L, a->uid), rb = pu_alias_find(L, b->uid);
  if (ra != rb) L->uf[ra] = rb;
}
static void unite(pu_alias *L, const ptk_value *a, const ptk_value *b) {
  if (pu_tile(a) && pu_tile(b)) unite_any(L, a, b);
}

static ptk_op *term_of(ptk_region *r) {
  ptk_block *b = r->first;
  return b && b->last && (ptk_op_table[b->last->kind].flags & PTK_OPF_TERMINATOR) ? b->last : NULL;
}

static bool alias_op(ptk_op *op, void *p) {
  pu_alias *L = p;
  switch (op->kind) {
  case PTK_OP_TRESHAPE:
  case PTK_OP_BITCAST:
  case PTK_OP_SUBVIEW:
  case PTK_OP_TASSIGN:
    if (op->noperands && op->nresults) unite(L, &op->results[0], op->operands[0]);
    break;
  case PTK_OP_MULTI_TILE_GET: /* a slot: storage of the multi-buffered tile (not a tile_buf type) */
    if (op->noperands && op->nresults && pu_tile(&op->results[0])) unite_any(L, &op->results[0], op->operands[0]);
    break;
  case PTK_OP_ARITH_SELECT:
    if (op->noperands == 3 && op->nresults) {
      unite(L, &op->results[0], op->operands[1]);
      unite(L, &op->results[0], op->operands[2]);
    }
    break;
  case PTK_OP_SCF_IF:
    for (uint32_t r = 0; r < op->nregions; r++) {
      ptk_op *y = term_of(&op->regions[r]);
      if (!y || y->kind != PTK_OP_SCF_YIELD) continue;
      for (uint32_t i = 0; i < op->nresults && i < y->noperands; i++)
        unite(L, &op->results[i], y->operands[i]);
    }
    break;
  case PTK_OP_SCF_FOR: {
    ptk_block *body = op->regions[0].first;
    ptk_op *y = term_of(&op->regions[0]);
    for (uint32_t i = 0; op->noperands >= 3 && i < op->noperands - 3; i++) {
      ptk_value *init = op->operands[3 + i];
      if (i < op->nresults) unite(L, &op->results[i], init);
      if (body && 1 + i < body->nargs) unite(L, body->args[1 + i], init);
      if (y && y->kind == PTK_OP_SCF_YIELD && i < y->noperands) unite(L, y->operands[i], init);
    }
    break;
  }
  case PTK_OP_SCF_WHILE: {
    ptk_block *before = op->nregions > 0 ? op->regions[0].first : NULL;
    ptk_block *after = op->nregions > 1 ? op->regions[1].first : NULL;
    ptk_op *cond = op->nregions > 0 ? term_of(&op->regions[0]) : NULL;
    ptk_op *y = op->nregions > 1 ? term_of(&op->regions[1]) : NULL;
    for (uint32_t i = 0; i < op->noperands; i++) {
      if (before && i < before->nargs) unite(L, before->args[i], op->operands[i]);
      if (y && y->kind == PTK_OP_SCF_YIELD && i < y->noperands) unite(L, y->operands[i], op->operands[i]);
    }
    if (cond && cond->kind == PTK_OP_SCF_CONDITION)
      for (uint32_t i = 1; i < cond->noperands; i++) {
        if (after && i - 1 < after->nargs) unite(L, after->args[i - 1], cond->operands[i]);
        if (i - 1 < op->nresults) unite(L, &op->results[i - 1], cond->operands[i]);
      }
    break;
  }
  default: break;
  }
  return true;
}


void pu_alias_build(pu_alias *a, ptk_func *f) {
  a->nvals = ptk_module_value_count(f->module);
  a->uf = ptk_xmalloc((a->nvals + 1) * sizeof *a->uf);
  for (uint32_t i = 0; i < a->nvals; i++) a->uf[i] = i;
  ptk_walk_func(f, alias_op, a);
}

void pu_alias_free(pu_alias *a) {
  free(a->uf);
  memset(a, 0, sizeof *a);
}

/* ---- numbering -------------------------------------------------------------------------------- */

static void order_grow(pu_order *o, uint32_t need) {
  if (need <= o->nops) return;
  uint32_t cap = o->nops ? o->nops : 256;
  while (cap < need) cap *= 2;
  o->pos = ptk_xrealloc(o->pos, cap * sizeof *o->pos);
  o->end = ptk_xrealloc(o->end, cap * sizeof *o->end);
  memset(o->pos + o->nops, 0, (cap - o->nops) * sizeof *o->pos);
  memset(o->end + o->nops, 0, (cap - o->nops) * sizeof *o->end);
  o->nops = cap;
}

static uint32_t order_block(pu_order *o, ptk_block *b, uint32_t k);

static uint32_t order_region(pu_order *o, ptk_region *r, uint32_t k) {
  for (ptk_block *b = r->first; b; b = b->next) k = order_block(o, b, k);
  return k;
}

static uint32_t order_block(pu_order *o, ptk_block *b, uint32_t k) {
  for (ptk_op *op = b->first; op; op = op->next) {
    order_grow(o, op->uid + 1);
    o->pos[op->uid] = k++;
    for (uint32_t i = 0; i < op->nregions; i++) k = order_region(o, &op->regions[i], k);
    o->end[op->uid] = k - 1;
    o->count++;
  }
  return k;
}

uint32_t pu_order_func(pu_order *o, ptk_func *f, uint32_t start) {
  return f->body ? order_region(o, f->body, start) : start;
}

void pu_order_free(pu_order *o) {
  free(o->pos);
  free(o->end);
  memset(o, 0, sizeof *o);
}

double pu_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}
