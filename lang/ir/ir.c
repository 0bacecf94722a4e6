/* IR core: modules, functions, regions, blocks, ops, values, walking. */
#include <stdlib.h>
#include <string.h>

#include "lang/ir/ir_internal.h"

void *ptk_ir_alloc(ptk_module *m, size_t n) { return ptk_arena_alloc(m->ctx->arena, n); }

const char *ptk_ir_strdup(ptk_module *m, const char *s) {
  return s ? ptk_arena_strdup(m->ctx->arena, s) : NULL;
}

ptk_arena *ptk_module_arena(const ptk_module *m) { return m->ctx->arena; }
uint32_t ptk_module_value_count(const ptk_module *m) { return m->ctx->next_value_uid; }
uint32_t ptk_module_op_count(const ptk_module *m) { return m->ctx->next_op_uid; }

/* ---- modules ------------------------------------------------------- */

ptk_module *ptk_module_new(void) {
  ptk_ir_ctx *ctx = ptk_xcalloc(1, sizeof *ctx);
  ctx->arena = ptk_arena_new();
  ptk_module *m = ptk_arena_alloc(ctx->arena, sizeof *m);
  m->ctx = ctx;
  return m;
}

void ptk_module_free(ptk_module *m) {
  if (!m || m->parent) return;
  ptk_ir_ctx *ctx = m->ctx;
  free(ctx->types);
  ptk_arena_free(ctx->arena);
  free(ctx);
}

ptk_module *ptk_module_top(const ptk_module *m) {
  while (m->parent) m = m->parent;
  return (ptk_module *)m;
}

static void add_item(ptk_module *m, ptk_module_item it) {
  if (m->nitems == m->cap_items) {
    uint32_t cap = m->cap_items ? m->cap_items * 2 : 4;
    ptk_module_item *items = ptk_ir_alloc(m, cap * sizeof *items);
    if (m->nitems) memcpy(items, m->items, m->nitems * sizeof *items);
    m->items = items;
    m->cap_items = cap;
  }
  m->items[m->nitems++] = it;
}

ptk_module *ptk_module_add_module(ptk_module *parent, const char *name, ptk_loc loc) {
  ptk_module *m = ptk_ir_alloc(parent, sizeof *m);
  m->ctx = parent->ctx;
  m->parent = parent;
  m->name = ptk_ir_strdup(parent, name);
  m->loc = loc;
  add_item(parent, (ptk_module_item){.kind = PTK_ITEM_MODULE, .module = m});
  return m;
}

ptk_func *ptk_func_new(ptk_module *m, const char *name, const ptk_type *const *args, uint32_t nargs,
                       const ptk_type *const *results, uint32_t nresults, bool declaration,
                       ptk_loc loc) {
  ptk_func *f = ptk_ir_alloc(m, sizeof *f);
  f->name = ptk_ir_strdup(m, name ? name : "");
  f->module = m;
  f->loc = loc;
  f->nargs = nargs;
  f->arg_types = ptk_ir_alloc(m, (nargs ? nargs : 1) * sizeof *f->arg_types);
  for (uint32_t i = 0; i < nargs; i++) f->arg_types[i] = args[i];
  f->arg_attrs = ptk_ir_alloc(m, (nargs ? nargs : 1) * sizeof *f->arg_attrs);
  f->nresults = nresults;
  f->result_types = ptk_ir_alloc(m, (nresults ? nresults : 1) * sizeof *f->result_types);
  for (uint32_t i = 0; i < nresults; i++) f->result_types[i] = results[i];
  if (!declaration) {
    f->body = ptk_ir_alloc(m, sizeof *f->body);
    f->body->func = f;
    ptk_block *b = ptk_region_add_block(m, f->body);
    b->loc = loc;
    for (uint32_t i = 0; i < nargs; i++) ptk_block_add_arg(m, b, args[i], NULL, loc);
  }
  add_item(m, (ptk_module_item){.kind = PTK_ITEM_FUNC, .func = f});
  return f;
}

ptk_block *ptk_func_entry(const ptk_func *f) { return f->body ? f->body->first : NULL; }

ptk_value *ptk_func_arg(const ptk_func *f, uint32_t i) {
  ptk_block *b = ptk_func_entry(f);
  return b && i < b->nargs ? b->args[i] : NULL;
}

ptk_range ptk_op_range(const ptk_op *op) {
  const char *name = op->kind >= 0 && op->kind < PTK_OP__COUNT ? ptk_op_table[op->kind].name : "?";
  size_t n = strlen(name);
  const ptk_source *s = op->loc.src;
  if (s && op->loc.off < s->len) {
    const char *p = s->text + op->loc.off;
    size_t rem = s->len - op->loc.off;
    if (p[0] == '"') {
      n += 2; /* generic form: "pto.tadd"(…) */
    } else if (!(rem >= n && memcmp(p, name, n) == 0)) {
      const char *dot = strchr(name, '.'); /* `return` for func.return, `call` for func.call */
      if (dot && rem >= strlen(dot + 1) && memcmp(p, dot + 1, strlen(dot + 1)) == 0)
        n = strlen(dot + 1);
      else
        n = 1;
    }
  }
  return ptk_range_at(op->loc, (uint32_t)n);
}

ptk_loc ptk_func_arg_loc(const ptk_func *f, uint32_t i) {
  const ptk_value *v = ptk_func_arg(f, i);
  return v && v->loc.src ? v->loc : f->loc;
}

char *ptk_func_arg_name(const ptk_func *f, uint32_t i) {
  const ptk_value *v = ptk_func_arg(f, i);
  if (v && v->name) return ptk_xasprintf("%%%s", v->name);
  return ptk_xasprintf("%%arg%u", i);
}

ptk_func *ptk_module_find_func(const ptk_module *m, const char *name) {
  for (uint32_t i = 0; i < m->nitems; i++)
    if (m->items[i].kind == PTK_ITEM_FUNC && strcmp(m->items[i].func->name, name) == 0)
      return m->items[i].func;
  return NULL;
}

ptk_func *ptk_module_find_func_nested(const ptk_module *m, const char *name) {
  for (uint32_t i = 0; i < m->nitems; i++) {
    if (m->items[i].kind == PTK_ITEM_FUNC) {
      if (strcmp(m->items[i].func->name, name) == 0) return m->items[i].func;
    } else {
      ptk_func *f = ptk_module_find_func_nested(m->items[i].module, name);
      if (f) return f;
    }
  }
  return NULL;
}

/* ---- attributes on things ------------------------------------------- */

void ptk_named_attrs_set(ptk_module *m, ptk_named_attr **items, uint32_t *n, const char *name,
                         const ptk_attr *a) {
  uint32_t lo = 0, hi = *n;
  while (lo < hi) {
    uint32_t mid = (lo + hi) / 2;
    int c = strcmp((*items)[mid].name, name);
    if (c == 0) {
      if (a) {
        (*items)[mid].value = a;
      } else {
        memmove(*items + mid, *items + mid + 1, (*n - mid - 1) * sizeof **items);
        (*n)--;
      }
      return;
    }
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (!a) return;
  /* Arena arrays are never freed individually: grow by copying. */
  ptk_named_attr *nv = ptk_ir_alloc(m, (*n + 1) * sizeof *nv);
  if (lo) memcpy(nv, *items, lo * sizeof *nv);
  nv[lo] = (ptk_named_attr){ptk_ir_strdup(m, name), a};
  if (*n > lo) memcpy(nv + lo + 1, *items + lo, (*n - lo) * sizeof *nv);
  *items = nv;
  (*n)++;
}

void ptk_module_set_attr(ptk_module *m, const char *name, const ptk_attr *a) {
  ptk_named_attrs_set(m, &m->attrs, &m->nattrs, name, a);
}
void ptk_func_set_attr(ptk_func *f, const char *name, const ptk_attr *a) {
  ptk_named_attrs_set(f->module, &f->attrs, &f->nattrs, name, a);
}

/* An op needs a module for allocation; ops are created with one, so keep it. */
typedef struct op_box {
  ptk_op op;
  ptk_module *m;
} op_box;

static ptk_module *op_alloc_module(const ptk_op *op) { return ((const op_box *)op)->m; }

void ptk_op_set_attr(ptk_op *op, const char *name, const ptk_attr *a) {
  ptk_named_attrs_set(op_alloc_module(op), &op->attrs, &op->nattrs, name, a);
}

const ptk_attr *ptk_attrs_get(const ptk_named_attr *items, uint32_t n, const char *name) {
  uint32_t lo = 0, hi = n;
  while (lo < hi) {
    uint32_t mid = (lo + hi) / 2;
    int c = strcmp(items[mid].name, name);
    if (c == 0) return items[mid].value;
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}

/* ---- blocks and regions --------------------------------------------- */

ptk_block *ptk_region_add_block(ptk_module *m, ptk_region *r) {
  ptk_block *b = ptk_ir_alloc(m, sizeof *b);
  b->region = r;
  b->prev = r->last;
  if (r->last)
    r->last->next = b;
  else
    r->first = b;
  r->last = b;
  return b;
}

ptk_value *ptk_block_add_arg(ptk_module *m, ptk_block *b, const ptk_type *t, const char *name,
                             ptk_loc loc) {
  if (b->nargs == b->cap_args) {
    uint32_t cap = b->cap_args ? b->cap_args * 2 : 4;
    ptk_value **args = ptk_ir_alloc(m, cap * sizeof *args);
    if (b->nargs) memcpy(args, b->args, b->nargs * sizeof *args);
    b->args = args;
    b->cap_args = cap;
  }
  ptk_value *v = ptk_ir_alloc(m, sizeof *v);
  v->type = t;
  v->block = b;
  v->index = b->nargs;
  v->uid = m->ctx->next_value_uid++;
  v->name = ptk_ir_strdup(m, name);
  v->loc = loc;
  b->args[b->nargs++] = v;
  return v;
}

ptk_op *ptk_region_parent_op(const ptk_region *r) { return r->op; }

/* ---- ops ------------------------------------------------------------- */

uint32_t ptk_op_kind_nsegments(ptk_op_kind k) {
  if (k < 0 || k >= PTK_OP__COUNT) return 0;
  switch (ptk_op_table[k].family) {
  case PTK_FAM_DPS: return 2;
  case PTK_FAM_ALLOC_TILE:
  case PTK_FAM_MAKE_TENSOR_VIEW:
  case PTK_FAM_PARTITION_VIEW: return 3;
  case PTK_FAM_SUBVIEW:
  case PTK_FAM_INIT_PIPE: return 4;
  case PTK_FAM_BRANCH: return 3;
  case PTK_FAM_MEMREF_VIEW: return 4;
  default: return 0;
  }
}

ptk_op *ptk_op_new(ptk_module *m, ptk_op_kind kind, ptk_value *const *operands, uint32_t noperands,
                   const ptk_type *const *result_types, uint32_t nresults, uint32_t nregions,
                   ptk_loc loc) {
  op_box *box = ptk_ir_alloc(m, sizeof *box);
  box->m = m;
  ptk_op *op = &box->op;
  op->kind = kind;
  op->loc = loc;
  op->uid = m->ctx->next_op_uid++;
  op->noperands = noperands;
  op->operands = ptk_ir_alloc(m, (noperands ? noperands : 1) * sizeof *op->operands);
  for (uint32_t i = 0; i < noperands; i++) op->operands[i] = operands[i];
  op->nresults = nresults;
  op->results = ptk_ir_alloc(m, (nresults ? nresults : 1) * sizeof *op->results);
  for (uint32_t i = 0; i < nresults; i++) {
    ptk_value *v = &op->results[i];
    v->type = result_types[i];
    v->def = op;
    v->index = i;
    v->uid = m->ctx->next_value_uid++;
    v->loc = loc;
  }
  op->nregions = nregions;
  op->regions = ptk_ir_alloc(m, (nregions ? nregions : 1) * sizeof *op->regions);
  for (uint32_t i = 0; i < nregions; i++) op->regions[i].op = op;
  op->nsegs = ptk_op_kind_nsegments(kind);
  op->segs = ptk_ir_alloc(m, (op->nsegs ? op->nsegs : 1) * sizeof *op->segs);
  if (op->nsegs) {
    if (ptk_op_kind_has_outs(kind) && noperands > 0) {
      op->segs[0] = noperands - 1;
      op->segs[1] = 1;
    } else {
      op->segs[0] = noperands;
    }
  }
  return op;
}

void ptk_op_set_segments(ptk_module *m, ptk_op *op, const uint32_t *segs, uint32_t nsegs) {
  if (nsegs != op->nsegs) {
    op->segs = ptk_ir_alloc(m, (nsegs ? nsegs : 1) * sizeof *op->segs);
    op->nsegs = nsegs;
  }
  for (uint32_t i = 0; i < nsegs; i++) op->segs[i] = segs[i];
}

void ptk_op_set_successors(ptk_module *m, ptk_op *op, ptk_block *const *blocks, uint32_t n) {
  op->succs = ptk_ir_alloc(m, (n ? n : 1) * sizeof *op->succs);
  for (uint32_t i = 0; i < n; i++) op->succs[i] = blocks ? blocks[i] : NULL;
  op->nsuccs = n;
}

void ptk_op_set_form(ptk_module *m, ptk_op *op, const char *form) {
  op->form = form ? ptk_ir_strdup(m, form) : NULL;
}

bool ptk_op_clause(const ptk_op *op, const char *name, uint32_t nth, uint32_t *first, uint32_t *count) {
  if (!op->form) return false;
  size_t nl = strlen(name);
  uint32_t k = 0; /* operands before the current piece */
  for (const char *f = op->form; *f; f++) {
    if (*f == '%' || *f == '?') {
      k++;
      continue;
    }
    bool word = (*f >= 'a' && *f <= 'z') || (*f >= 'A' && *f <= 'Z') || *f == '_';
    if (!word || (f > op->form && ((f[-1] >= 'a' && f[-1] <= 'z') || (f[-1] >= 'A' && f[-1] <= 'Z') ||
                                   (f[-1] >= '0' && f[-1] <= '9') || f[-1] == '_')))
      continue;
    const char *e = f;
    while ((*e >= 'a' && *e <= 'z') || (*e >= 'A' && *e <= 'Z') || (*e >= '0' && *e <= '9') || *e == '_') e++;
    if (*e == '(' && (size_t)(e - f) == nl && memcmp(f, name, nl) == 0 && nth-- == 0) {
      uint32_t n = 0;
      for (const char *q = e + 1; *q && *q != ')'; q++) n += *q == '%' || *q == '?';
      if (first) *first = k;
      if (count) *count = n;
      return true;
    }
    f = e - 1;
  }
  return false;
}

bool ptk_op_is_vpto(const ptk_op *op) {
  return ptk_op_table[op->kind].family == PTK_FAM_VOP || op->kind == PTK_OP_VECSCOPE;
}

ptk_value **ptk_op_segment(const ptk_op *op, uint32_t i, uint32_t *len) {
  if (i >= op->nsegs) {
    if (len) *len = 0;
    return NULL;
  }
  uint32_t start = 0;
  for (uint32_t k = 0; k < i; k++) start += op->segs[k];
  if (start > op->noperands) start = op->noperands;
  uint32_t n = op->segs[i];
  if (start + n > op->noperands) n = op->noperands - start;
  if (len) *len = n;
  return op->operands + start;
}

void ptk_op_set_operand(ptk_op *op, uint32_t i, ptk_value *v) {
  if (i < op->noperands) op->operands[i] = v;
}

ptk_value *ptk_op_result(const ptk_op *op, uint32_t i) {
  return i < op->nresults ? &op->results[i] : NULL;
}

void ptk_block_append(ptk_block *b, ptk_op *op) {
  op->block = b;
  op->next = NULL;
  op->prev = b->last;
  if (b->last)
    b->last->next = op;
  else
    b->first = op;
  b->last = op;
}

void ptk_op_insert_before(ptk_op *pos, ptk_op *op) {
  ptk_block *b = pos->block;
  op->block = b;
  op->next = pos;
  op->prev = pos->prev;
  if (pos->prev)
    pos->prev->next = op;
  else if (b)
    b->first = op;
  pos->prev = op;
}

void ptk_op_insert_after(ptk_op *pos, ptk_op *op) {
  ptk_block *b = pos->block;
  op->block = b;
  op->prev = pos;
  op->next = pos->next;
  if (pos->next)
    pos->next->prev = op;
  else if (b)
    b->last = op;
  pos->next = op;
}

void ptk_op_unlink(ptk_op *op) {
  ptk_block *b = op->block;
  if (op->prev)
    op->prev->next = op->next;
  else if (b)
    b->first = op->next;
  if (op->next)
    op->next->prev = op->prev;
  else if (b)
    b->last = op->prev;
  op->prev = op->next = NULL;
  op->block = NULL;
}

ptk_func *ptk_op_func(const ptk_op *op) {
  while (op) {
    ptk_block *b = op->block;
    if (!b || !b->region) return NULL;
    if (b->region->func) return b->region->func;
    op = b->region->op;
  }
  return NULL;
}

ptk_op *ptk_build(ptk_module *m, ptk_block *b, ptk_op_kind kind, ptk_value *const *operands,
                  uint32_t noperands, const ptk_type *const *result_types, uint32_t nresults,
                  ptk_loc loc) {
  uint32_t nreg = (kind >= 0 && kind < PTK_OP__COUNT) ? ptk_op_table[kind].nregions : 0;
  ptk_op *op = ptk_op_new(m, kind, operands, noperands, result_types, nresults, nreg, loc);
  if (b) ptk_block_append(b, op);
  return op;
}

ptk_op *ptk_build_dps(ptk_module *m, ptk_block *b, ptk_op_kind kind, ptk_value *const *ins,
                      uint32_t nins, ptk_value *const *outs, uint32_t nouts, ptk_loc loc) {
  ptk_value *ops[64];
  ptk_value **all = nins + nouts <= 64 ? ops : ptk_ir_alloc(m, (nins + nouts) * sizeof *all);
  for (uint32_t i = 0; i < nins; i++) all[i] = ins[i];
  for (uint32_t i = 0; i < nouts; i++) all[nins + i] = outs[i];
  ptk_op *op = ptk_op_new(m, kind, all, nins + nouts, NULL, 0, 0, loc);
  uint32_t segs[2] = {nins, nouts};
  ptk_op_set_segments(m, op, segs, 2);
  if (b) ptk_block_append(b, op);
  return op;
}

static ptk_value *build_const(ptk_module *m, ptk_block *b, const ptk_attr *a, const ptk_type *t,
                              ptk_loc loc) {
  ptk_op *op = ptk_op_new(m, PTK_OP_ARITH_CONSTANT, NULL, 0, &t, 1, 0, loc);
  ptk_op_set_attr(op, "value", a);
  if (b) ptk_block_append(b, op);
  return &op->results[0];
}

ptk_value *ptk_build_const_int(ptk_module *m, ptk_block *b, int64_t v, const ptk_type *t,
                               ptk_loc loc) {
  if (ptk_type_is_scalar(t, PTK_DT_I1)) return ptk_build_const_bool(m, b, v != 0, loc);
  return build_const(m, b, ptk_attr_int(m, v, t), t, loc);
}

ptk_value *ptk_build_const_float(ptk_module *m, ptk_block *b, double v, const ptk_type *t,
                                 ptk_loc loc) {
  return build_const(m, b, ptk_attr_float(m, v, t), t, loc);
}

ptk_value *ptk_build_const_bool(ptk_module *m, ptk_block *b, bool v, ptk_loc loc) {
  const ptk_type *t = ptk_type_scalar(PTK_DT_I1);
  return build_const(m, b, ptk_attr_bool(m, v), t, loc);
}

/* ---- walking --------------------------------------------------------- */

bool ptk_walk_block(ptk_block *b, ptk_walk_fn fn, void *ctx) {
  for (ptk_op *op = b->first; op; op = op->next) {
    if (!fn(op, ctx)) return false;
    for (uint32_t i = 0; i < op->nregions; i++)
      if (!ptk_walk_region(&op->regions[i], fn, ctx)) return false;
  }
  return true;
}

bool ptk_walk_region(ptk_region *r, ptk_walk_fn fn, void *ctx) {
  for (ptk_block *b = r->first; b; b = b->next)
    if (!ptk_walk_block(b, fn, ctx)) return false;
  return true;
}

bool ptk_walk_func(ptk_func *f, ptk_walk_fn fn, void *ctx) {
  return f->body ? ptk_walk_region(f->body, fn, ctx) : true;
}

bool ptk_walk_module(ptk_module *m, ptk_walk_fn fn, void *ctx) {
  for (uint32_t i = 0; i < m->nitems; i++) {
    bool ok = m->items[i].kind == PTK_ITEM_FUNC ? ptk_walk_func(m->items[i].func, fn, ctx)
                                                : ptk_walk_module(m->items[i].module, fn, ctx);
    if (!ok) return false;
  }
  return true;
}

typedef struct {
  const ptk_value *from;
  ptk_value *to;
} replace_ctx;

static bool replace_one(ptk_op *op, void *p) {
  replace_ctx *c = p;
  for (uint32_t i = 0; i < op->noperands; i++)
    if (op->operands[i] == c->from) op->operands[i] = c->to;
  return true;
}

void ptk_region_replace_uses(ptk_region *r, const ptk_value *from, ptk_value *to) {
  replace_ctx c = {from, to};
  ptk_walk_region(r, replace_one, &c);
}
