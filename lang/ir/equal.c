/* Structural equality of two modules (ptk_ir_equal). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/ir/ir.h"

typedef struct {
  const ptk_value **map; /* a-value uid -> corresponding b value */
  uint32_t nmap;
  ptk_buf *why;
  const char *where; /* function name */
} eq_ctx;

static bool fail(eq_ctx *c, const char *fmt, ...) PTK_PRINTF(2, 3);
static bool fail(eq_ctx *c, const char *fmt, ...) {
  if (!c->why) return false;
  if (c->where) ptk_buf_printf(c->why, "in @%s: ", c->where);
  va_list ap;
  va_start(ap, fmt);
  ptk_buf_vprintf(c->why, fmt, ap);
  va_end(ap);
  return false;
}

static void bind(eq_ctx *c, const ptk_value *a, const ptk_value *b) {
  if (a->uid < c->nmap) c->map[a->uid] = b;
}

static char *tstr(const ptk_type *t) { return ptk_type_str(t); }

static bool types_eq(eq_ctx *c, const ptk_type *a, const ptk_type *b, const char *what) {
  if (ptk_type_equal(a, b)) return true;
  char *x = tstr(a), *y = tstr(b);
  fail(c, "%s: type %s vs %s", what, x, y);
  free(x);
  free(y);
  return false;
}

static bool attrs_eq(eq_ctx *c, const ptk_named_attr *a, uint32_t na, const ptk_named_attr *b,
                     uint32_t nb, const char *what) {
  uint32_t i = 0, j = 0;
  while (i < na || j < nb) {
    int cmp = i == na ? 1 : j == nb ? -1 : strcmp(a[i].name, b[j].name);
    if (cmp < 0) return fail(c, "%s: attribute '%s' only in the first", what, a[i].name);
    if (cmp > 0) return fail(c, "%s: attribute '%s' only in the second", what, b[j].name);
    if (!ptk_attr_equal(a[i].value, b[j].value)) {
      ptk_buf x = {0}, y = {0};
      ptk_attr_print(a[i].value, &x);
      ptk_attr_print(b[j].value, &y);
      fail(c, "%s: attribute '%s' = %s vs %s", what, a[i].name, ptk_buf_cstr(&x),
           ptk_buf_cstr(&y));
      ptk_buf_free(&x);
      ptk_buf_free(&y);
      return false;
    }
    i++, j++;
  }
  return true;
}

static bool region_eq(eq_ctx *c, const ptk_region *a, const ptk_region *b);

static bool op_eq(eq_ctx *c, const ptk_op *a, const ptk_op *b, uint32_t idx) {
  char what[160];
  snprintf(what, sizeof what, "op #%u (%s, line %u)", idx, ptk_op_table[a->kind].name, a->loc.line);
  if (a->kind != b->kind)
    return fail(c, "op #%u: '%s' vs '%s'", idx, ptk_op_table[a->kind].name,
                ptk_op_table[b->kind].name);
  if (a->noperands != b->noperands)
    return fail(c, "%s: %u vs %u operands", what, a->noperands, b->noperands);
  for (uint32_t i = 0; i < a->noperands; i++) {
    const ptk_value *x = a->operands[i], *y = b->operands[i];
    const ptk_value *mx = x && x->uid < c->nmap ? c->map[x->uid] : NULL;
    if (mx != y) return fail(c, "%s: operand %u refers to different values", what, i);
  }
  if (a->nsegs != b->nsegs) return fail(c, "%s: operand segments differ", what);
  for (uint32_t i = 0; i < a->nsegs; i++)
    if (a->segs[i] != b->segs[i])
      return fail(c, "%s: operand segment %u has %u vs %u operands", what, i, a->segs[i],
                  b->segs[i]);
  if (a->nresults != b->nresults)
    return fail(c, "%s: %u vs %u results", what, a->nresults, b->nresults);
  for (uint32_t i = 0; i < a->nresults; i++) {
    if (!types_eq(c, a->results[i].type, b->results[i].type, what)) return false;
    bind(c, &a->results[i], &b->results[i]);
  }
  if (!attrs_eq(c, a->attrs, a->nattrs, b->attrs, b->nattrs, what)) return false;
  if ((a->form == NULL) != (b->form == NULL) || (a->form && strcmp(a->form, b->form) != 0))
    return fail(c, "%s: written forms differ ('%s' vs '%s')", what, a->form ? a->form : "",
                b->form ? b->form : "");
  if (a->nsuccs != b->nsuccs) return fail(c, "%s: %u vs %u successors", what, a->nsuccs, b->nsuccs);
  for (uint32_t i = 0; i < a->nsuccs; i++) { /* the same position in their regions */
    uint32_t ia = 0, ib = 0;
    for (const ptk_block *x = a->succs[i] ? a->succs[i]->region->first : NULL; x && x != a->succs[i]; x = x->next) ia++;
    for (const ptk_block *y = b->succs[i] ? b->succs[i]->region->first : NULL; y && y != b->succs[i]; y = y->next) ib++;
    if (ia != ib) return fail(c, "%s: successor #%u is block #%u vs #%u", what, i, ia, ib);
  }
  if (a->nregions != b->nregions)
    return fail(c, "%s: %u vs %u regions", what, a->nregions, b->nregions);
  for (uint32_t i = 0; i < a->nregions; i++)
    if (!region_eq(c, &a->regions[i], &b->regions[i])) return false;
  return true;
}

static bool block_eq(eq_ctx *c, const ptk_block *a, const ptk_block *b) {
  if (a->nargs != b->nargs)
    return fail(c, "block at line %u: %u vs %u arguments", a->loc.line, a->nargs, b->nargs);
  for (uint32_t i = 0; i < a->nargs; i++) {
    if (!types_eq(c, a->args[i]->type, b->args[i]->type, "block argument")) return false;
    bind(c, a->args[i], b->args[i]);
  }
  const ptk_op *x = a->first, *y = b->first;
  uint32_t idx = 0;
  for (; x && y; x = x->next, y = y->next, idx++)
    if (!op_eq(c, x, y, idx)) return false;
  if (x) return fail(c, "extra op '%s' (line %u) in the first", ptk_op_table[x->kind].name, x->loc.line);
  if (y) return fail(c, "extra op '%s' (line %u) in the second", ptk_op_table[y->kind].name, y->loc.line);
  return true;
}

static bool region_eq(eq_ctx *c, const ptk_region *a, const ptk_region *b) {
  const ptk_block *x = a->first, *y = b->first;
  for (; x && y; x = x->next, y = y->next)
    if (!block_eq(c, x, y)) return false;
  if (x || y) return fail(c, "regions have different numbers of blocks");
  return true;
}

static const char *vis_name(ptk_visibility v) {
  return v == PTK_VIS_PRIVATE ? "private" : v == PTK_VIS_NESTED ? "nested" : "public";
}

static bool func_eq(eq_ctx *c, const ptk_func *a, const ptk_func *b) {
  c->where = NULL;
  if (strcmp(a->name, b->name) != 0) return fail(c, "function @%s vs @%s", a->name, b->name);
  c->where = a->name;
  if (a->vis != b->vis) return fail(c, "visibility %s vs %s", vis_name(a->vis), vis_name(b->vis));
  if (a->nargs != b->nargs) return fail(c, "%u vs %u arguments", a->nargs, b->nargs);
  for (uint32_t i = 0; i < a->nargs; i++) {
    if (!types_eq(c, a->arg_types[i], b->arg_types[i], "argument")) return false;
    const ptk_attr *x = a->arg_attrs ? a->arg_attrs[i] : NULL, *y = b->arg_attrs ? b->arg_attrs[i] : NULL;
    if (x && x->kind == PTK_ATTR_DICT && x->dict.n == 0) x = NULL;
    if (y && y->kind == PTK_ATTR_DICT && y->dict.n == 0) y = NULL;
    if ((x || y) && !ptk_attr_equal(x, y)) return fail(c, "argument %u attributes differ", i);
  }
  if (a->nresults != b->nresults) return fail(c, "%u vs %u results", a->nresults, b->nresults);
  for (uint32_t i = 0; i < a->nresults; i++)
    if (!types_eq(c, a->result_types[i], b->result_types[i], "result")) return false;
  if (!attrs_eq(c, a->attrs, a->nattrs, b->attrs, b->nattrs, "function")) return false;
  if (!a->body != !b->body)
    return fail(c, "declaration vs definition");
  if (a->body && !region_eq(c, a->body, b->body)) return false;
  c->where = NULL;
  return true;
}

static bool module_eq(eq_ctx *c, const ptk_module *a, const ptk_module *b) {
  if ((a->name == NULL) != (b->name == NULL) || (a->name && strcmp(a->name, b->name) != 0))
    return fail(c, "module names differ");
  if (!attrs_eq(c, a->attrs, a->nattrs, b->attrs, b->nattrs, "module")) return false;
  if (a->nitems != b->nitems)
    return fail(c, "module has %u vs %u items", a->nitems, b->nitems);
  for (uint32_t i = 0; i < a->nitems; i++) {
    if (a->items[i].kind != b->items[i].kind) return fail(c, "module item %u: function vs module", i);
    bool ok = a->items[i].kind == PTK_ITEM_FUNC ? func_eq(c, a->items[i].func, b->items[i].func)
                                                : module_eq(c, a->items[i].module, b->items[i].module);
    if (!ok) return false;
  }
  return true;
}

bool ptk_ir_equal(const ptk_module *a, const ptk_module *b, ptk_buf *why) {
  if (!a || !b) {
    if (why && a != b) ptk_buf_puts(why, "one module is NULL");
    return a == b;
  }
  eq_ctx c = {0};
  c.why = why;
  c.nmap = ptk_module_value_count(a);
  c.map = ptk_xcalloc(c.nmap ? c.nmap : 1, sizeof *c.map);
  bool ok = module_eq(&c, a, b);
  free(c.map);
  return ok;
}
