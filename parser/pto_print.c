/* The .pto printer: canonical text, driven by the op table's syntax
 * families (the inverse of parser/pto_read.c). */
#include "parser/pto_print.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- value names ---------------------------------------------------- */

typedef struct printer {
  ptk_buf *out;
  char **names;   /* by value uid; NULL = not yet named */
  uint32_t nnames;
  /* names taken in the current function (open addressing) */
  char **taken;
  uint32_t ntaken, cap_taken;
  uint32_t next_arg, next_res;
  int indent;
  PTK_VEC(char *) owned; /* the strings in taken[] */
  /* Printed types by pointer (types are interned, and repeat a lot). */
  struct { const ptk_type *t; char *s; uint32_t len; } *tcache;
  uint32_t ntcache, cap_tcache;
} printer;

static uint32_t shash(const char *s) {
  uint32_t h = 2166136261u;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

static bool taken_has(printer *p, const char *s) {
  if (!p->cap_taken) return false;
  for (uint32_t i = shash(s) & (p->cap_taken - 1); p->taken[i]; i = (i + 1) & (p->cap_taken - 1))
    if (strcmp(p->taken[i], s) == 0) return true;
  return false;
}

static void taken_add(printer *p, char *s) {
  if ((p->ntaken + 1) * 2 > p->cap_taken) {
    uint32_t cap = p->cap_taken ? p->cap_taken * 2 : 256;
    char **t = ptk_xcalloc(cap, sizeof *t);
    for (uint32_t i = 0; i < p->cap_taken; i++) {
      if (!p->taken[i]) continue;
      uint32_t j = shash(p->taken[i]) & (cap - 1);
      while (t[j]) j = (j + 1) & (cap - 1);
      t[j] = p->taken[i];
    }
    free(p->taken);
    p->taken = t;
    p->cap_taken = cap;
  }
  uint32_t j = shash(s) & (p->cap_taken - 1);
  while (p->taken[j]) j = (j + 1) & (p->cap_taken - 1);
  p->taken[j] = s;
  p->ntaken++;
  ptk_vec_push(&p->owned, s);
}

static void taken_clear(printer *p) {
  if (p->cap_taken) memset(p->taken, 0, p->cap_taken * sizeof *p->taken);
  p->ntaken = 0;
  p->next_arg = p->next_res = 0;
}

static void set_name(printer *p, const ptk_value *v, char *name) {
  if (v->uid < p->nnames) {
    free(p->names[v->uid]);
    p->names[v->uid] = name;
  }
}

static void name_arg(printer *p, const ptk_value *v) {
  char buf[32];
  for (;;) {
    snprintf(buf, sizeof buf, "arg%u", p->next_arg++);
    if (!taken_has(p, buf)) break;
  }
  set_name(p, v, ptk_xstrdup(buf));
  taken_add(p, ptk_xstrdup(buf));
}

/* Readable constant names (MLIR's): %c32, %c0_i32, %true, %false, %cst. */
static void const_base(const ptk_op *op, char *buf, size_t n) {
  const ptk_attr *a = ptk_op_attr(op, "value");
  const ptk_type *t = op->results[0].type;
  if (a && a->kind == PTK_ATTR_BOOL) {
    snprintf(buf, n, "%s", a->b ? "true" : "false");
  } else if (a && a->kind == PTK_ATTR_INT && t->kind == PTK_TY_SCALAR) {
    if (t->dt == PTK_DT_INDEX)
      snprintf(buf, n, "c%" PRId64, a->i);
    else if (ptk_dtype_class_of(t->dt) == PTK_DTC_UINT)
      snprintf(buf, n, "c%" PRIu64 "_%s", (uint64_t)a->i, ptk_dtype_name(t->dt));
    else
      snprintf(buf, n, "c%" PRId64 "_%s", a->i, ptk_dtype_name(t->dt));
  } else {
    snprintf(buf, n, "cst");
  }
}

static void name_results(printer *p, const ptk_op *op) {
  if (!op->nresults) return;
  char buf[64];
  if (op->kind == PTK_OP_ARITH_CONSTANT && op->nresults == 1) {
    char base[48];
    const_base(op, base, sizeof base);
    snprintf(buf, sizeof buf, "%s", base);
    for (uint32_t k = 0; taken_has(p, buf); k++) snprintf(buf, sizeof buf, "%s_%u", base, k);
  } else {
    for (;;) {
      snprintf(buf, sizeof buf, "%u", p->next_res++);
      if (!taken_has(p, buf)) break;
    }
  }
  char *s = ptk_xstrdup(buf);
  taken_add(p, s);
  for (uint32_t i = 0; i < op->nresults; i++) {
    if (op->nresults == 1)
      set_name(p, &op->results[i], ptk_xstrdup(s));
    else
      set_name(p, &op->results[i], ptk_xasprintf("%s#%u", s, i));
  }
}

/* The group name of an op's results (for `%N:2 =`). */
static void put_group_name(printer *p, const ptk_op *op) {
  const char *n = op->results[0].uid < p->nnames ? p->names[op->results[0].uid] : NULL;
  if (!n) n = "<<?>>";
  ptk_buf_putn(p->out, n, strcspn(n, "#"));
}

static void put_value(printer *p, const ptk_value *v) {
  ptk_buf_putc(p->out, '%');
  const char *n = v && v->uid < p->nnames ? p->names[v->uid] : NULL;
  if (n) {
    ptk_buf_puts(p->out, n);
  } else {
    /* Not named yet: only for values outside what was printed. */
    ptk_buf_printf(p->out, "v%u", v ? v->uid : 0);
  }
}

static void put_values(printer *p, ptk_value *const *vs, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    if (i) ptk_buf_puts(p->out, ", ");
    put_value(p, vs[i]);
  }
}

static void put_type(printer *p, const ptk_type *t) {
  if (!t || t->kind == PTK_TY_SCALAR) {
    ptk_type_print(t, p->out);
    return;
  }
  uint32_t h = (uint32_t)((uintptr_t)t >> 4) * 2654435761u;
  if (p->cap_tcache) {
    for (uint32_t i = h & (p->cap_tcache - 1); p->tcache[i].t; i = (i + 1) & (p->cap_tcache - 1))
      if (p->tcache[i].t == t) {
        ptk_buf_putn(p->out, p->tcache[i].s, p->tcache[i].len);
        return;
      }
  }
  if ((p->ntcache + 1) * 2 > p->cap_tcache) {
    uint32_t cap = p->cap_tcache ? p->cap_tcache * 2 : 64;
    __typeof__(p->tcache) n = ptk_xcalloc(cap, sizeof *n);
    for (uint32_t i = 0; i < p->cap_tcache; i++) {
      if (!p->tcache[i].t) continue;
      uint32_t j = (uint32_t)((uintptr_t)p->tcache[i].t >> 4) * 2654435761u & (cap - 1);
      while (n[j].t) j = (j + 1) & (cap - 1);
      n[j] = p->tcache[i];
    }
    free(p->tcache);
    p->tcache = n;
    p->cap_tcache = cap;
  }
  ptk_buf b = {0};
  ptk_type_print(t, &b);
  uint32_t j = h & (p->cap_tcache - 1);
  while (p->tcache[j].t) j = (j + 1) & (p->cap_tcache - 1);
  p->tcache[j].t = t;
  p->tcache[j].len = (uint32_t)b.len;
  p->tcache[j].s = ptk_buf_take(&b);
  p->ntcache++;
  ptk_buf_putn(p->out, p->tcache[j].s, p->tcache[j].len);
}

static void put_value_types(printer *p, ptk_value *const *vs, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    if (i) ptk_buf_puts(p->out, ", ");
    put_type(p, vs[i]->type);
  }
}

static void put_types(printer *p, const ptk_type *const *ts, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    if (i) ptk_buf_puts(p->out, ", ");
    put_type(p, ts[i]);
  }
}

static void indent(printer *p) {
  for (int i = 0; i < p->indent; i++) ptk_buf_puts(p->out, "  ");
}

/* ---- attribute dictionaries ------------------------------------------ */

static bool in_list(const char *name, const char *const *skip, uint32_t nskip) {
  for (uint32_t i = 0; i < nskip; i++)
    if (skip[i] && strcmp(skip[i], name) == 0) return true;
  return false;
}

static void put_key(printer *p, const char *k) {
  if (ptk_is_bare_id(k, strlen(k)))
    ptk_buf_puts(p->out, k);
  else
    ptk_print_string_lit(k, strlen(k), p->out);
}

/* ` {a = 1, b}` (with a leading space) unless empty. */
/* `unit_first`: a unit attribute written before the items (NULL: none). */
static void put_dict_with(printer *p, const char *unit_first, const ptk_named_attr *items, uint32_t n,
                          const char *const *skip, uint32_t nskip, bool lead_space) {
  bool any = false;
  if (unit_first) {
    ptk_buf_puts(p->out, lead_space ? " {" : "{");
    put_key(p, unit_first);
    any = true;
  }
  for (uint32_t i = 0; i < n; i++) {
    if (in_list(items[i].name, skip, nskip)) continue;
    ptk_buf_puts(p->out, any ? ", " : lead_space ? " {" : "{");
    any = true;
    put_key(p, items[i].name);
    if (items[i].value->kind != PTK_ATTR_UNIT) {
      ptk_buf_puts(p->out, " = ");
      ptk_attr_print(items[i].value, p->out);
    }
  }
  if (any) ptk_buf_putc(p->out, '}');
}

static void put_dict(printer *p, const ptk_named_attr *items, uint32_t n, const char *const *skip, uint32_t nskip,
                     bool lead_space) {
  put_dict_with(p, NULL, items, n, skip, nskip, lead_space);
}

static void put_op_dict(printer *p, const ptk_op *op, const char *const *skip, uint32_t nskip) {
  put_dict(p, op->attrs, op->nattrs, skip, nskip, true);
}

/* Attribute slots: the ATTRS column as lang/ir parsed it. */
typedef ptk_attr_desc slot;

/* The op's slots, in place (the printer recurses once per nesting level:
 * no per-frame copies). */
static const slot *slots_of(ptk_op_kind k, uint32_t *n) {
  const ptk_op_desc *d = ptk_op_desc_of(k);
  *n = d->nattrs;
  return d->attrs;
}
/* An attribute in a slot, written as slot_item_form() says. */
static int slot_item_form(const slot *sl, const ptk_attr *a);
static void put_slot_attr(printer *p, const slot *sl, const ptk_attr *a) {
  switch (slot_item_form(sl, a)) {
  case 1: ptk_buf_printf(p->out, "<%s>", a->en.value); return;
  case 2: ptk_buf_printf(p->out, "%" PRId64, a->i); return;
  default: ptk_attr_print(a, p->out); return;
  }
}

/* ---- ops --------------------------------------------------------------- */

static void print_region(printer *p, const ptk_region *r, bool entry_label);
static void print_vop(printer *p, const ptk_op *op);

static void put_results(printer *p, const ptk_op *op) {
  if (!op->nresults) return;
  ptk_buf_putc(p->out, '%');
  put_group_name(p, op);
  if (op->nresults > 1) ptk_buf_printf(p->out, ":%u", op->nresults);
  ptk_buf_puts(p->out, " = ");
}

static void put_fntype(printer *p, ptk_value *const *ins, uint32_t nins, const ptk_op *op) {
  ptk_buf_putc(p->out, '(');
  put_value_types(p, ins, nins);
  ptk_buf_puts(p->out, ") -> ");
  if (op->nresults == 1) {
    put_type(p, op->results[0].type);
  } else {
    ptk_buf_putc(p->out, '(');
    for (uint32_t i = 0; i < op->nresults; i++) {
      if (i) ptk_buf_puts(p->out, ", ");
      put_type(p, op->results[i].type);
    }
    ptk_buf_putc(p->out, ')');
  }
}

static void put_result_types_paren(printer *p, const ptk_op *op) {
  ptk_buf_putc(p->out, '(');
  for (uint32_t i = 0; i < op->nresults; i++) {
    if (i) ptk_buf_puts(p->out, ", ");
    put_type(p, op->results[i].type);
  }
  ptk_buf_putc(p->out, ')');
}

static void print_generic(printer *p, const ptk_op *op) {
  ptk_buf_printf(p->out, "\"%s\"(", ptk_op_table[op->kind].name);
  put_values(p, op->operands, op->noperands);
  ptk_buf_putc(p->out, ')');
  if (op->nsegs) {
    ptk_buf_puts(p->out, " <{operandSegmentSizes = array<i32");
    for (uint32_t i = 0; i < op->nsegs; i++) ptk_buf_printf(p->out, "%s%u", i ? ", " : ": ", op->segs[i]);
    ptk_buf_puts(p->out, ">}>");
  }
  uint32_t nreg = 0;
  for (uint32_t i = 0; i < op->nregions; i++)
    if (op->regions[i].first) nreg = i + 1;
  if (nreg) {
    ptk_buf_puts(p->out, " (");
    for (uint32_t i = 0; i < nreg; i++) {
      if (i) ptk_buf_puts(p->out, ", ");
      print_region(p, &op->regions[i], true);
    }
    ptk_buf_putc(p->out, ')');
  }
  put_op_dict(p, op, NULL, 0);
  ptk_buf_puts(p->out, " : ");
  put_fntype(p, op->operands, op->noperands, op);
}

static void print_dps(printer *p, const ptk_op *op) {
  const ptk_op_info *info = &ptk_op_table[op->kind];
  uint32_t nins, nouts;
  ptk_value **ins = ptk_op_segment(op, 0, &nins);
  ptk_value **outs = ptk_op_segment(op, 1, &nouts);
  if (op->nsegs < 2) {
    ins = op->operands;
    nins = op->noperands;
    outs = NULL;
    nouts = 0;
  }
  bool inside = nins && ((info->flags & PTK_OPF_ATTR_IN_INS) ||
                          ((info->flags & PTK_OPF_ATTR_IN_INS_IF_TMP) && nins >= 2));
  /* tgather/tscatter's mask form: ins(%s, {maskPattern = P} : T) (ptoas). */
  const ptk_attr *mask = (op->kind == PTK_OP_TGATHER || op->kind == PTK_OP_TSCATTER) && nins == 1
                             ? ptk_op_attr(op, "maskPattern")
                             : NULL;
  static const char *const mask_skip[] = {"maskPattern"};
  /* tstore/tmov: ptoas's format types each operand: ins(%a : A, %s : i64). */
  bool each_typed = (op->kind == PTK_OP_TSTORE || op->kind == PTK_OP_TMOV) && nins >= 2 && !inside;
  /* tinsert's fp tile and pre-quantization scalar follow the types as
   * `fp %f : F` / `pre_quant %q : T` (ptoas's format) */
  uint32_t nkw = op->kind == PTK_OP_TINSERT && nins > 3 && !inside ? nins - 3 : 0;
  nins -= nkw;
  ptk_buf_puts(p->out, " ins(");
  if (each_typed) {
    for (uint32_t i = 0; i < nins; i++) {
      if (i) ptk_buf_puts(p->out, ", ");
      put_value(p, ins[i]);
      ptk_buf_puts(p->out, " : ");
      put_type(p, ins[i]->type);
    }
  } else {
    put_values(p, ins, nins);
  }
  if (mask) {
    ptk_buf_puts(p->out, ", {maskPattern = ");
    ptk_attr_print(mask, p->out);
    ptk_buf_putc(p->out, '}');
    inside = false;
  }
  if (inside) put_op_dict(p, op, NULL, 0);
  if (nins && !each_typed) {
    ptk_buf_puts(p->out, " : ");
    put_value_types(p, ins, nins);
  }
  for (uint32_t i = nins; i < nins + nkw; i++) {
    ptk_buf_puts(p->out, ptk_type_is_tile(ins[i]->type) ? " fp " : " pre_quant ");
    put_value(p, ins[i]);
    ptk_buf_puts(p->out, " : ");
    put_type(p, ins[i]->type);
  }
  ptk_buf_putc(p->out, ')');
  bool sig_outs = ptk_op_kind_has_outs(op->kind);
  if ((info->flags & PTK_OPF_OUTS_RESULT) && op->nresults) {
    ptk_buf_puts(p->out, " outs : ");
    for (uint32_t i = 0; i < op->nresults; i++) {
      if (i) ptk_buf_puts(p->out, ", ");
      put_type(p, op->results[i].type);
    }
  } else if (sig_outs || nouts) {
    ptk_buf_puts(p->out, " outs(");
    put_values(p, outs, nouts);
    if (nouts) {
      ptk_buf_puts(p->out, " : ");
      put_value_types(p, outs, nouts);
    }
    ptk_buf_putc(p->out, ')');
  }
  if (!inside) put_op_dict(p, op, mask ? mask_skip : NULL, mask ? 1 : 0);
  if (op->nresults && !(info->flags & PTK_OPF_OUTS_RESULT)) {
    ptk_buf_puts(p->out, " -> ");
    for (uint32_t i = 0; i < op->nresults; i++) {
      if (i) ptk_buf_puts(p->out, ", ");
      put_type(p, op->results[i].type);
    }
  }
}

static void print_kw_list(printer *p, const char *kw, ptk_value *const *vs, uint32_t n) {
  ptk_buf_printf(p->out, ", %s = [", kw);
  put_values(p, vs, n);
  ptk_buf_putc(p->out, ']');
}

static const char *arith_flag_word(const ptk_op *op);

/* Custom form of one op (after the `%r = ` prefix), without newline. */
/* initialize_l2l_pipe / initialize_l2g2l_pipe: ptoas spells the clause
 * dict first, then each operand with its own type: {…}(%a : A, %b : B). */
static bool pipe_dict_first(const ptk_op *op) {
  return op->kind == PTK_OP_INITIALIZE_L2L_PIPE || op->kind == PTK_OP_INITIALIZE_L2G2L_PIPE;
}

/* The pipe ops whose last operand is an aiv_subblockid(%s) clause: 1 or 0. */
static uint32_t pipe_subblock(const ptk_op *op) {
  switch (op->kind) {
  case PTK_OP_TPUSH_TO_AIC: return op->noperands == 2;
  case PTK_OP_TPOP_FROM_AIC: return op->noperands == 1 || op->noperands == 3;
  case PTK_OP_TPUSH:
  case PTK_OP_TPOP: return op->noperands == 3;
  default: return 0;
  }
}

static void pipe_operands(printer *p, const ptk_op *op) {
  uint32_t n = op->noperands - pipe_subblock(op);
  if (!n) return;
  /* tpop_from_aic/aiv: (%valid_row, %valid_col), untyped */
  if (op->kind == PTK_OP_TPOP_FROM_AIC || op->kind == PTK_OP_TPOP_FROM_AIV) {
    ptk_buf_putc(p->out, '(');
    put_values(p, op->operands, n);
    ptk_buf_putc(p->out, ')');
    return;
  }
  if (pipe_dict_first(op)) { /* (%a : A, %b : B) */
    ptk_buf_putc(p->out, '(');
    for (uint32_t i = 0; i < op->noperands; i++) {
      if (i) ptk_buf_puts(p->out, ", ");
      put_value(p, op->operands[i]);
      ptk_buf_puts(p->out, " : ");
      put_type(p, op->operands[i]->type);
    }
    ptk_buf_putc(p->out, ')');
    return;
  }
  ptk_buf_putc(p->out, '(');
  put_values(p, op->operands, n);
  ptk_buf_puts(p->out, " : ");
  put_value_types(p, op->operands, n);
  ptk_buf_putc(p->out, ')');
}

static void pipe_dict(printer *p, const ptk_op *op) {
  /* ptoas spells these dictionaries as fixed keyword sequences: the
   * ATTRS column's order first, then any others sorted. */
  uint32_t ns;
  const slot *slots = slots_of(op->kind, &ns);
  const char *used[16];
  uint32_t nused = 0;
  for (uint32_t k = 0; k < ns; k++) {
    const ptk_attr *a = ptk_op_attr(op, slots[k].name);
    if (!a) continue;
    ptk_buf_puts(p->out, nused ? ", " : " {");
    put_key(p, slots[k].name);
    if (a->kind != PTK_ATTR_UNIT) {
      ptk_buf_puts(p->out, " = ");
      if (a->kind == PTK_ATTR_INT && slots[k].int_dt != PTK_DT__COUNT)
        ptk_buf_printf(p->out, "%" PRId64, a->i); /* bare: ptoas reads the slot's type */
      else
        ptk_attr_print(a, p->out);
    }
    used[nused++] = slots[k].name;
  }
  if (nused) {
    for (uint32_t i = 0; i < op->nattrs; i++) {
      if (in_list(op->attrs[i].name, used, nused)) continue;
      ptk_buf_puts(p->out, ", ");
      put_key(p, op->attrs[i].name);
      if (op->attrs[i].value->kind != PTK_ATTR_UNIT) {
        ptk_buf_puts(p->out, " = ");
        ptk_attr_print(op->attrs[i].value, p->out);
      }
    }
    ptk_buf_putc(p->out, '}');
  } else {
    put_op_dict(p, op, NULL, 0);
  }
}

static void print_custom(printer *p, const ptk_op *op) {
  const ptk_op_info *info = &ptk_op_table[op->kind];
  ptk_buf_puts(p->out, info->family == PTK_FAM_RETURN ? "return" : info->name);
  switch (info->family) {
  case PTK_FAM_DPS: print_dps(p, op); return;
  case PTK_FAM_VIEW_CAST:
    ptk_buf_putc(p->out, ' ');
    put_values(p, op->operands, op->noperands);
    put_op_dict(p, op, NULL, 0);
    ptk_buf_puts(p->out, " : ");
    put_type(p, op->operands[0]->type);
    ptk_buf_puts(p->out, " -> ");
    put_type(p, op->results[0].type);
    return;
  case PTK_FAM_MAKE_TENSOR_VIEW:
  case PTK_FAM_PARTITION_VIEW: {
    bool mtv = info->family == PTK_FAM_MAKE_TENSOR_VIEW;
    uint32_t n0, n1, n2;
    ptk_value **a = ptk_op_segment(op, 0, &n0), **b = ptk_op_segment(op, 1, &n1), **c = ptk_op_segment(op, 2, &n2);
    ptk_buf_putc(p->out, ' ');
    put_values(p, a, n0);
    print_kw_list(p, mtv ? "shape" : "offsets", b, n1);
    print_kw_list(p, mtv ? "strides" : "sizes", c, n2);
    put_op_dict(p, op, NULL, 0);
    ptk_buf_puts(p->out, " : ");
    if (mtv) {
      put_type(p, op->results[0].type);
    } else {
      put_type(p, n0 ? a[0]->type : NULL);
      ptk_buf_puts(p->out, " -> ");
      put_type(p, op->results[0].type);
    }
    return;
  }
  case PTK_FAM_ALLOC_TILE: {
    static const char *const kws[] = {"addr", "valid_row", "valid_col"};
    if (op->kind == PTK_OP_POINTER_CAST) { /* ptoas: (%addr) [%vr, %vc] {attrs} : memref<…> */
      ptk_buf_putc(p->out, '(');
      put_values(p, op->operands, op->segs[0]);
      ptk_buf_putc(p->out, ')');
      if (op->noperands > op->segs[0]) {
        ptk_buf_putc(p->out, ' ');
        put_values(p, op->operands + op->segs[0], op->noperands - op->segs[0]);
      }
      put_op_dict(p, op, NULL, 0);
      ptk_buf_puts(p->out, " : ");
      put_type(p, op->results[0].type);
      return;
    }
    for (uint32_t s = 0; s < 3 && s < op->nsegs; s++) {
      uint32_t n;
      ptk_value **v = ptk_op_segment(op, s, &n);
      for (uint32_t i = 0; i < n; i++) {
        ptk_buf_printf(p->out, " %s = ", kws[s]);
        put_value(p, v[i]);
      }
    }
    /* a lowered memref buffer keeps its exemption from the tile layout rules when read back */
    bool memref = op->form && !strcmp(op->form, PTK_FORM_MEMREF);
    put_dict_with(p, memref ? PTK_ATTR_MEMREF_BUFFER : NULL, op->attrs, op->nattrs, NULL, 0, true);
    ptk_buf_puts(p->out, " : ");
    put_type(p, op->results[0].type);
    return;
  }
  case PTK_FAM_SUBVIEW: {
    uint32_t n0, n1, n2, n3;
    ptk_value **src = ptk_op_segment(op, 0, &n0), **off = ptk_op_segment(op, 1, &n1);
    ptk_value **vr = ptk_op_segment(op, 2, &n2), **vc = ptk_op_segment(op, 3, &n3);
    ptk_buf_putc(p->out, ' ');
    put_values(p, src, n0);
    ptk_buf_putc(p->out, '[');
    put_values(p, off, n1);
    ptk_buf_puts(p->out, "] sizes [");
    const ptk_attr *sz = ptk_op_attr(op, "sizes");
    for (uint32_t i = 0; sz && sz->kind == PTK_ATTR_ARRAY && i < sz->arr.n; i++) {
      int64_t v = 0;
      ptk_attr_get_int(sz->arr.items[i], &v);
      ptk_buf_printf(p->out, "%s%" PRId64, i ? ", " : "", v);
    }
    ptk_buf_putc(p->out, ']');
    if (n2 || n3) {
      ptk_buf_puts(p->out, " valid [");
      put_values(p, vr, n2);
      if (n2 && n3) ptk_buf_puts(p->out, ", ");
      put_values(p, vc, n3);
      ptk_buf_putc(p->out, ']');
    }
    static const char *const skip[] = {"sizes"};
    put_op_dict(p, op, skip, 1);
    ptk_buf_puts(p->out, " : ");
    put_type(p, n0 ? src[0]->type : NULL);
    ptk_buf_puts(p->out, " -> ");
    put_type(p, op->results[0].type);
    return;
  }
  case PTK_FAM_OPERANDS_TYPE:
  case PTK_FAM_GET_VALIDSHAPE:
    ptk_buf_putc(p->out, ' ');
    put_values(p, op->operands, op->noperands);
    put_op_dict(p, op, NULL, 0);
    ptk_buf_puts(p->out, " : ");
    put_type(p, op->noperands ? op->operands[0]->type : NULL);
    return;
  case PTK_FAM_LOAD_SCALAR:
    ptk_buf_putc(p->out, ' ');
    put_value(p, op->operands[0]);
    ptk_buf_putc(p->out, '[');
    put_value(p, op->operands[1]);
    ptk_buf_putc(p->out, ']');
    put_op_dict(p, op, NULL, 0);
    ptk_buf_puts(p->out, " : ");
    put_type(p, op->operands[0]->type);
    ptk_buf_puts(p->out, " -> ");
    put_type(p, op->results[0].type);
    return;
  case PTK_FAM_STORE_SCALAR:
    ptk_buf_putc(p->out, ' ');
    put_value(p, op->operands[2]);
    ptk_buf_puts(p->out, ", ");
    put_value(p, op->operands[0]);
    ptk_buf_putc(p->out, '[');
    put_value(p, op->operands[1]);
    ptk_buf_putc(p->out, ']');
    put_op_dict(p, op, NULL, 0);
    ptk_buf_puts(p->out, " : ");
    put_type(p, op->operands[0]->type);
    ptk_buf_puts(p->out, ", ");
    put_type(p, op->operands[2]->type);
    return;
  case PTK_FAM_SYNC_BRACKET:
  case PTK_FAM_SYNC_ATTRS:
  case PTK_FAM_SYNCALL: {
    uint32_t ns;
    const slot *slots = slots_of(op->kind, &ns);
    const char *used[16];
    uint32_t nused = 0;
    if (info->family == PTK_FAM_SYNCALL) {
      ptk_buf_putc(p->out, '(');
      put_values(p, op->operands, op->noperands);
      if (op->noperands) {
        ptk_buf_puts(p->out, " : ");
        put_value_types(p, op->operands, op->noperands);
      }
      ptk_buf_putc(p->out, ')');
      bool first = true;
      for (uint32_t k = 0; k < ns; k++) {
        const ptk_attr *a = ptk_op_attr(op, slots[k].name);
        if (!a) continue;
        ptk_buf_printf(p->out, "%s%s = ", first ? " " : ", ", slots[k].name);
        ptk_attr_print(a, p->out);
        first = false;
        used[nused++] = slots[k].name;
      }
      put_op_dict(p, op, used, nused);
      return;
    }
    bool bracket = info->family == PTK_FAM_SYNC_BRACKET && !(op->form && !op->form[0]);
    bool pretty = info->family == PTK_FAM_SYNC_BRACKET && !bracket;
    /* get_buf/rls_buf[_dyn]: ptoas writes the mode last ([#pto.pipe_event_type<TVEC>, %id, 1],
     * get_buf "PIPE_V", %id, 0). */
    bool buf_op = op->kind == PTK_OP_GET_BUF || op->kind == PTK_OP_RLS_BUF ||
                  op->kind == PTK_OP_GET_BUF_DYN || op->kind == PTK_OP_RLS_BUF_DYN;
    ptk_buf_puts(p->out, bracket ? "[" : " ");
    bool first = true;
    /* Attributes in slot order while present (a gap ends the list), then values. */
    for (uint32_t k = 0; k < ns; k++) {
      const ptk_attr *a = ptk_op_attr(op, slots[k].name);
      bool pretty_str = !bracket && op->form && a && a->kind == PTK_ATTR_STRING; /* get_buf "PIPE_V", … */
      if (!a || (bracket && !slots[k].required) || (!pretty_str && !slot_item_form(&slots[k], a))) break;
      if (pretty && buf_op && !strcmp(slots[k].name, "mode")) break;
      if (!first) ptk_buf_puts(p->out, ", ");
      first = false;
      put_slot_attr(p, &slots[k], a);
      used[nused++] = slots[k].name;
    }
    for (uint32_t i = 0; i < op->noperands; i++) {
      if (!first) ptk_buf_puts(p->out, ", ");
      first = false;
      put_value(p, op->operands[i]);
    }
    const ptk_attr *mode = buf_op && !first ? ptk_op_attr(op, "mode") : NULL;
    if (mode && !in_list("mode", used, nused) && mode->kind == PTK_ATTR_INT &&
        ptk_type_is_scalar(mode->type, PTK_DT_I32) && mode->i >= 0) {
      ptk_buf_printf(p->out, ", %" PRId64, mode->i);
      used[nused++] = "mode";
    }
    if (bracket) ptk_buf_putc(p->out, ']');
    put_op_dict(p, op, used, nused);
    return;
  }
  case PTK_FAM_NULLARY:
    put_op_dict(p, op, NULL, 0);
    if (op->nresults == 1 && !ptk_type_is_scalar(op->results[0].type, PTK_DT_I64)) {
      ptk_buf_puts(p->out, " : ");
      put_type(p, op->results[0].type);
    }
    return;
  case PTK_FAM_SECTION:
    /* strict_vecscope / yield: (%a, …); a region; fusion_region's `: T, …`
     * or the operands' `: (T, …) -> ()` */
    if (op->kind == PTK_OP_STRICT_VECSCOPE || op->kind == PTK_OP_PTO_YIELD) {
      ptk_buf_putc(p->out, '(');
      put_values(p, op->operands, op->noperands);
      ptk_buf_putc(p->out, ')');
    }
    if (op->nregions) {
      ptk_buf_putc(p->out, ' ');
      print_region(p, &op->regions[0], op->kind == PTK_OP_STRICT_VECSCOPE);
    }
    put_op_dict(p, op, NULL, 0);
    if (op->kind == PTK_OP_FUSION_REGION) {
      ptk_buf_puts(p->out, " : ");
      for (uint32_t i = 0; i < op->nresults; i++) {
        if (i) ptk_buf_puts(p->out, ", ");
        put_type(p, op->results[i].type);
      }
    } else if (op->kind == PTK_OP_STRICT_VECSCOPE || op->kind == PTK_OP_PTO_YIELD) {
      ptk_buf_puts(p->out, " : ");
      put_fntype(p, op->operands, op->noperands, op);
    }
    return;
  case PTK_FAM_VOP: print_vop(p, op); return;
  case PTK_FAM_MEMREF_VIEW: { /* %m to offset: [..], sizes: [..], strides: [..] / %m[..] [..] [..] */
    static const char *const names[3] = {"static_offsets", "static_sizes", "static_strides"};
    static const char *const words[3] = {"offset: ", "sizes: ", "strides: "};
    bool rc = op->kind == PTK_OP_MEMREF_REINTERPRET_CAST;
    ptk_buf_putc(p->out, ' ');
    put_value(p, op->operands[0]);
    if (rc) ptk_buf_puts(p->out, " to ");
    uint32_t k = 1;
    for (int l = 0; l < 3; l++) {
      const ptk_attr *a = ptk_op_attr(op, names[l]);
      ptk_buf_puts(p->out, rc ? (l ? ", " : "") : (l ? " " : ""));
      if (rc) ptk_buf_puts(p->out, words[l]);
      ptk_buf_putc(p->out, '[');
      for (uint32_t i = 0; i < a->dense.n; i++) {
        if (i) ptk_buf_puts(p->out, ", ");
        if (a->dense.i[i] == INT64_MIN)
          put_value(p, op->operands[k++]);
        else
          ptk_buf_printf(p->out, "%" PRId64, a->dense.i[i]);
      }
      ptk_buf_putc(p->out, ']');
    }
    put_op_dict(p, op, names, 3);
    ptk_buf_puts(p->out, " : ");
    put_type(p, op->operands[0]->type);
    ptk_buf_puts(p->out, " to ");
    put_type(p, op->results[0].type);
    return;
  }
  case PTK_FAM_BRANCH: { /* [%c,] ^bbN[(%a : A)], … — N the block's index, as print_region labels it */
    uint32_t n;
    ptk_value **v = ptk_op_segment(op, 0, &n);
    ptk_buf_putc(p->out, ' ');
    if (n) {
      put_value(p, v[0]);
      ptk_buf_puts(p->out, ", ");
    }
    for (uint32_t i = 0; i < op->nsuccs; i++) {
      uint32_t idx = 0;
      for (const ptk_block *b = op->succs[i]->region->first; b && b != op->succs[i]; b = b->next) idx++;
      ptk_buf_printf(p->out, "%s^bb%u", i ? ", " : "", idx);
      v = ptk_op_segment(op, 1 + i, &n);
      if (n) {
        ptk_buf_putc(p->out, '(');
        put_values(p, v, n);
        ptk_buf_puts(p->out, " : ");
        put_value_types(p, v, n);
        ptk_buf_putc(p->out, ')');
      }
    }
    put_op_dict(p, op, NULL, 0);
    return;
  }
  case PTK_FAM_COMM: { /* (%a, word(%b, %c) : A, B, C) {attrs} [-> R] */
    uint32_t k = 0;
    ptk_buf_putc(p->out, '(');
    for (const char *f = op->form; *f; f++) {
      if (*f == '%')
        put_value(p, op->operands[k++]);
      else if (*f == ',')
        ptk_buf_puts(p->out, ", ");
      else
        ptk_buf_putc(p->out, *f);
    }
    ptk_buf_puts(p->out, " : ");
    put_value_types(p, op->operands, op->noperands);
    ptk_buf_putc(p->out, ')');
    put_op_dict(p, op, NULL, 0);
    if (op->nresults) {
      ptk_buf_puts(p->out, " -> ");
      put_type(p, op->results[0].type);
    }
    return;
  }
  case PTK_FAM_PRINT: {
    const ptk_attr *f = ptk_op_attr(op, "format");
    ptk_buf_puts(p->out, " ins(");
    if (f && f->kind == PTK_ATTR_STRING)
      ptk_print_string_lit(f->str.s, f->str.len, p->out);
    else
      ptk_buf_puts(p->out, "\"\"");
    if (op->noperands) {
      ptk_buf_puts(p->out, ", ");
      put_values(p, op->operands, op->noperands);
      ptk_buf_puts(p->out, " : ");
      put_value_types(p, op->operands, op->noperands);
    }
    ptk_buf_putc(p->out, ')');
    static const char *const skip[] = {"format"};
    put_op_dict(p, op, skip, 1);
    return;
  }
  case PTK_FAM_PIPE: {
    bool dict_first = pipe_dict_first(op);
    if (!dict_first) pipe_operands(p, op);
    pipe_dict(p, op);
    if (pipe_subblock(op)) {
      ptk_buf_puts(p->out, " aiv_subblockid(");
      put_value(p, op->operands[op->noperands - 1]);
      ptk_buf_putc(p->out, ')');
    }
    if (dict_first) pipe_operands(p, op);
    if (dict_first && op->noperands == 0) ptk_buf_puts(p->out, "()");
    if (op->nresults) {
      ptk_buf_puts(p->out, " -> ");
      put_type(p, op->results[0].type);
    }
    return;
  }
  case PTK_FAM_INIT_PIPE: {
    /* ptoas's form: the clause dict (bare typed ints), then the keyword
     * operands, then other attributes. */
    static const char *const kws[4] = {"gm_slot_buffer", "gm_slot_tensor", "c2v_consumer_buf",
                                       "v2c_consumer_buf"};
    uint32_t ns;
    const slot *slots = slots_of(op->kind, &ns);
    const char *used[16];
    uint32_t nused = 0;
    ptk_buf_puts(p->out, " {");
    if (!ptk_op_attr(op, "id")) { /* ptoas's default, always printed */
      ptk_buf_puts(p->out, "id = 0");
      used[nused++] = "id";
    }
    for (uint32_t k = 0; k < ns; k++) {
      const ptk_attr *a = ptk_op_attr(op, slots[k].name);
      if (!a) continue;
      if (nused) ptk_buf_puts(p->out, ", ");
      put_key(p, slots[k].name);
      ptk_buf_puts(p->out, " = ");
      if (a->kind == PTK_ATTR_INT)
        ptk_buf_printf(p->out, "%" PRId64, a->i);
      else
        ptk_attr_print(a, p->out);
      used[nused++] = slots[k].name;
    }
    ptk_buf_puts(p->out, "}(");
    bool first = true;
    for (uint32_t s = 0; s < 4 && s < op->nsegs; s++) {
      uint32_t n;
      ptk_value **v = ptk_op_segment(op, s, &n);
      for (uint32_t i = 0; i < n; i++) {
        ptk_buf_printf(p->out, "%s%s = ", first ? "" : ", ", kws[s]);
        put_value(p, v[i]);
        ptk_buf_puts(p->out, " : ");
        put_type(p, v[i]->type);
        first = false;
      }
    }
    ptk_buf_putc(p->out, ')');
    put_op_dict(p, op, used, nused);
    return;
  }
  case PTK_FAM_CONSTANT: {
    const ptk_attr *a = ptk_op_attr(op, "value");
    static const char *const skip[] = {"value"};
    put_op_dict(p, op, skip, 1);
    ptk_buf_putc(p->out, ' ');
    if (a && (a->kind == PTK_ATTR_INT || a->kind == PTK_ATTR_FLOAT)) {
      /* Always with the type, even for i64/f64. */
      if (a->kind == PTK_ATTR_INT) {
        if (a->type && a->type->kind == PTK_TY_SCALAR && ptk_dtype_class_of(a->type->dt) == PTK_DTC_UINT)
          ptk_buf_printf(p->out, "%" PRIu64, (uint64_t)a->i);
        else
          ptk_buf_printf(p->out, "%" PRId64, a->i);
      } else {
        ptk_float_print(a->f.v, a->f.bits, a->type, p->out);
      }
      ptk_buf_puts(p->out, " : ");
      put_type(p, a->type);
    } else if (a) {
      ptk_attr_print(a, p->out);
    }
    return;
  }
  case PTK_FAM_ARITH:
  case PTK_FAM_ARITH_SELECT:
  case PTK_FAM_ARITH_EXT: {
    ptk_buf_putc(p->out, ' ');
    put_values(p, op->operands, op->noperands);
    /* One keyword form at most (the grammar takes one); the other stays
     * in the dictionary. */
    const char *flag = arith_flag_word(op);
    const char *skip[1] = {flag};
    if (flag)
      ptk_buf_printf(p->out, " %s<%s>", strcmp(flag, "fastmath") == 0 ? "fastmath" : "overflow",
                     ptk_op_attr(op, flag)->en.value);
    put_op_dict(p, op, skip, flag ? 1 : 0);
    ptk_buf_puts(p->out, " : ");
    if (info->family == PTK_FAM_ARITH_SELECT && op->noperands == 3 &&
        !ptk_type_is_scalar(op->operands[0]->type, PTK_DT_I1)) {
      put_type(p, op->operands[0]->type);
      ptk_buf_puts(p->out, ", ");
    }
    put_type(p, op->nresults ? op->results[0].type : NULL);
    if (op->kind == PTK_OP_ARITH_ADDUI_EXTENDED && op->nresults == 2) {
      ptk_buf_puts(p->out, ", ");
      put_type(p, op->results[1].type);
    }
    return;
  }
  case PTK_FAM_ARITH_CMP: {
    int64_t pred = 0;
    ptk_attr_get_int(ptk_op_attr(op, "predicate"), &pred);
    const char *pn = op->kind == PTK_OP_ARITH_CMPF ? ptk_cmpf_name(pred) : ptk_cmpi_name(pred);
    ptk_buf_printf(p->out, " %s, ", pn ? pn : "<<invalid predicate>>"); /* custom_ok: never NULL */
    put_values(p, op->operands, op->noperands);
    static const char *const skip[] = {"predicate"};
    put_op_dict(p, op, skip, 1);
    ptk_buf_puts(p->out, " : ");
    put_type(p, op->noperands ? op->operands[0]->type : NULL);
    return;
  }
  case PTK_FAM_ARITH_CAST:
    ptk_buf_putc(p->out, ' ');
    put_values(p, op->operands, op->noperands);
    put_op_dict(p, op, NULL, 0);
    ptk_buf_puts(p->out, " : ");
    put_type(p, op->noperands ? op->operands[0]->type : NULL);
    ptk_buf_puts(p->out, " to ");
    put_type(p, op->nresults ? op->results[0].type : NULL);
    return;
  case PTK_FAM_CALL: {
    const ptk_attr *c = ptk_op_attr(op, "callee");
    ptk_buf_putc(p->out, ' ');
    if (c) ptk_attr_print(c, p->out);
    ptk_buf_putc(p->out, '(');
    put_values(p, op->operands, op->noperands);
    ptk_buf_putc(p->out, ')');
    static const char *const skip[] = {"callee"};
    put_op_dict(p, op, skip, 1);
    ptk_buf_puts(p->out, " : ");
    if (op->nresults == 1) {
      put_fntype(p, op->operands, op->noperands, op);
    } else {
      ptk_buf_putc(p->out, '(');
      put_value_types(p, op->operands, op->noperands);
      ptk_buf_puts(p->out, ") -> ");
      put_result_types_paren(p, op);
    }
    return;
  }
  case PTK_FAM_RETURN:
  case PTK_FAM_SCF_YIELD:
    if (op->noperands) {
      ptk_buf_putc(p->out, ' ');
      put_values(p, op->operands, op->noperands);
      ptk_buf_puts(p->out, " : ");
      put_value_types(p, op->operands, op->noperands);
    }
    return;
  case PTK_FAM_SCF_CONDITION:
    ptk_buf_putc(p->out, '(');
    if (op->noperands) put_value(p, op->operands[0]);
    ptk_buf_putc(p->out, ')');
    if (op->noperands > 1) {
      ptk_buf_putc(p->out, ' ');
      put_values(p, op->operands + 1, op->noperands - 1);
      ptk_buf_puts(p->out, " : ");
      put_value_types(p, op->operands + 1, op->noperands - 1);
    }
    return;
  case PTK_FAM_SCF_FOR: {
    const ptk_block *body = op->regions[0].first;
    ptk_buf_putc(p->out, ' ');
    if (body && body->nargs) {
      name_arg(p, body->args[0]);
      put_value(p, body->args[0]);
    } else {
      ptk_buf_puts(p->out, "%iv");
    }
    ptk_buf_puts(p->out, " = ");
    put_value(p, op->operands[0]);
    ptk_buf_puts(p->out, " to ");
    put_value(p, op->operands[1]);
    ptk_buf_puts(p->out, " step ");
    put_value(p, op->operands[2]);
    if (op->noperands > 3 || op->nresults) {
      ptk_buf_puts(p->out, " iter_args(");
      for (uint32_t i = 3; i < op->noperands; i++) {
        if (i > 3) ptk_buf_puts(p->out, ", ");
        if (body && i - 2 < body->nargs) {
          name_arg(p, body->args[i - 2]);
          put_value(p, body->args[i - 2]);
        }
        ptk_buf_puts(p->out, " = ");
        put_value(p, op->operands[i]);
      }
      ptk_buf_puts(p->out, ") -> ");
      put_result_types_paren(p, op);
    }
    if (body && body->nargs && (!ptk_type_is_scalar(body->args[0]->type, PTK_DT_INDEX) ||
                                !ptk_type_equal(body->args[0]->type, op->operands[0]->type))) {
      ptk_buf_puts(p->out, " : ");
      put_type(p, body->args[0]->type);
    }
    ptk_buf_putc(p->out, ' ');
    print_region(p, &op->regions[0], false);
    put_op_dict(p, op, NULL, 0);
    return;
  }
  case PTK_FAM_SCF_IF:
    ptk_buf_putc(p->out, ' ');
    put_values(p, op->operands, op->noperands);
    if (op->nresults) {
      ptk_buf_puts(p->out, " -> ");
      put_result_types_paren(p, op);
    }
    ptk_buf_putc(p->out, ' ');
    print_region(p, &op->regions[0], false);
    if (op->nregions > 1 && op->regions[1].first) {
      ptk_buf_puts(p->out, " else ");
      print_region(p, &op->regions[1], false);
    }
    return;
  case PTK_FAM_SCF_WHILE: {
    const ptk_block *before = op->regions[0].first;
    ptk_buf_puts(p->out, " (");
    for (uint32_t i = 0; i < op->noperands; i++) {
      if (i) ptk_buf_puts(p->out, ", ");
      if (before && i < before->nargs) {
        name_arg(p, before->args[i]);
        put_value(p, before->args[i]);
      }
      ptk_buf_puts(p->out, " = ");
      put_value(p, op->operands[i]);
    }
    ptk_buf_puts(p->out, ") : (");
    if (before) {
      for (uint32_t i = 0; i < before->nargs; i++) {
        if (i) ptk_buf_puts(p->out, ", ");
        put_type(p, before->args[i]->type);
      }
    }
    ptk_buf_puts(p->out, ") -> ");
    put_result_types_paren(p, op);
    ptk_buf_putc(p->out, ' ');
    print_region(p, &op->regions[0], false);
    ptk_buf_puts(p->out, " do ");
    print_region(p, &op->regions[1], true);
    put_op_dict(p, op, NULL, 0);
    return;
  }
  case PTK_FAM_MODULE:
  case PTK_FAM_FUNC:
  case PTK_FAM_GENERIC: break;
  }
}

/* ---- can the custom form represent this op faithfully? ---------------
 * The reader accepts, through the generic form, ops that the custom syntax
 * cannot express (operand types that disagree where the custom form prints
 * one type, out-of-range predicates, attributes the custom form would
 * reinterpret, …). For those the printer falls back to the generic form,
 * so printing is always faithful for anything the reader accepted. */

static bool has_attr(const ptk_op *op, const char *name) { return ptk_op_attr(op, name) != NULL; }

static bool only_attrs(const ptk_op *op, const char *const *allowed, uint32_t n) {
  for (uint32_t i = 0; i < op->nattrs; i++)
    if (!in_list(op->attrs[i].name, allowed, n)) return false;
  return true;
}

static bool operands_have_type(const ptk_op *op, uint32_t from, const ptk_type *t) {
  for (uint32_t i = from; i < op->noperands; i++)
    if (!ptk_type_equal(op->operands[i]->type, t)) return false;
  return true;
}

static bool is_ident_word(const char *s, size_t n) {
  if (!n) return false;
  if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_')) return false;
  for (size_t i = 1; i < n; i++)
    if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
          s[i] == '_' || s[i] == '$' || s[i] == '.'))
      return false;
  return true;
}

/* `overflow<nsw, nuw>` / `fastmath<fast>`: an arith enum whose value is a
 * list of words joined by ", " (what the reader rebuilds). */
static bool arith_flag_ok(const ptk_attr *a, const char *mnemonic) {
  if (!a || a->kind != PTK_ATTR_ENUM || a->en.spelling != PTK_ENUM_DOT || strcmp(a->en.dialect, "arith") != 0 ||
      strcmp(a->en.mnemonic, mnemonic) != 0)
    return false;
  const char *v = a->en.value;
  for (;;) {
    size_t n = strcspn(v, ",");
    if (!is_ident_word(v, n)) return false;
    if (!v[n]) return true;
    if (v[n + 1] != ' ') return false;
    v += n + 2;
  }
}

/* Which of overflowFlags / fastmath prints as the keyword (only one may). */
static const char *arith_flag_word(const ptk_op *op) {
  if (arith_flag_ok(ptk_op_attr(op, "overflowFlags"), "overflow")) return "overflowFlags";
  if (arith_flag_ok(ptk_op_attr(op, "fastmath"), "fastmath")) return "fastmath";
  return NULL;
}

static bool region_entry_args(const ptk_region *r, uint32_t n) { return r->first && r->first->nargs == n; }

/* An INT attribute that prints without a leading minus. */
static bool int_nonneg(const ptk_attr *a) {
  return a->kind == PTK_ATTR_INT &&
         (a->i >= 0 || (a->type && a->type->kind == PTK_TY_SCALAR && ptk_dtype_class_of(a->type->dt) == PTK_DTC_UINT));
}

/* How a slot attribute is written as a sync item: 0 not at all, 1 short
 * `<V>`, 2 a bare integer, 3 ptk_attr_print. */
static int slot_item_form(const slot *sl, const ptk_attr *a) {
  if (a->kind == PTK_ATTR_ENUM) {
    if (!sl->full && sl->enum_mn[0] && strcmp(a->en.dialect, "pto") == 0 && strcmp(a->en.mnemonic, sl->enum_mn) == 0 &&
        is_ident_word(a->en.value, strlen(a->en.value)) && ptk_enum_value_ok(sl->enum_mn, a->en.value)) {
      const ptk_enum_info *e = ptk_enum_lookup(sl->enum_mn);
      if (a->en.spelling == (e ? e->spelling : PTK_ENUM_DOT)) return 1;
    }
    /* Full form: read back by pto_attr_hash; pto enums must be valid. */
    if (!is_ident_word(a->en.mnemonic, strlen(a->en.mnemonic)) || !is_ident_word(a->en.dialect, strlen(a->en.dialect)))
      return 0;
    if (strcmp(a->en.dialect, "pto") == 0 && !ptk_enum_value_ok(a->en.mnemonic, a->en.value)) return 0;
    return 3;
  }
  if (a->kind == PTK_ATTR_INT && int_nonneg(a)) {
    bool i64 = ptk_type_is_scalar(a->type, PTK_DT_I64);
    if (sl->int_dt != PTK_DT__COUNT) {
      /* Bare ints read as i64 and take the slot's type; an i64 value in a
       * slot of another type cannot be written. */
      if (i64 && !ptk_type_is_scalar(a->type, sl->int_dt)) return 0;
      return ptk_type_is_scalar(a->type, sl->int_dt) && a->i >= 0 ? 2 : 0;
    }
    return 3;
  }
  if (a->kind == PTK_ATTR_OPAQUE && !a->type && a->str.len > 1 && a->str.s[0] == '#') return 3;
  return 0;
}


/* VPTO's generic form from op->form (ptk_op_set_form). */
static void print_vop(printer *p, const ptk_op *op) {
  bool implicit = (ptk_op_table[op->kind].flags & PTK_OPF_INDEX_RESULT) != 0; /* the result type is not written */
  uint32_t ns;
  const slot *slots = slots_of(op->kind, &ns);
  const char *used[48] = {0};
  char names[32][96]; /* clause word attributes: `unit_flag`, `pre_quant.mode` */
  uint32_t nused = 0, nnames = 0, k = 0, next = 0;
  ptk_value *typed[512];
  const char *kw[512]; /* `loop i64`: the clause keyword before a type */
  uint32_t kwlen[512];
  uint32_t ntyped = 0;
  const char *pend = NULL; /* a '!' clause whose first type takes its keyword */
  uint32_t pendlen = 0;
  const char *tform = strchr(op->form, ':'); /* the written type layout, if any */
  const char *fend = tform ? tform : op->form + strlen(op->form);
  const char *wstart = NULL;               /* the identifier being printed */
  const char *clause = NULL, *key = NULL;  /* inside `clause(… key=…)` */
  size_t clen = 0, klen = 0;
  if (op->form != fend) ptk_buf_putc(p->out, ' ');
  for (const char *f = op->form; f < fend; f++) {
    bool ident = (*f >= 'a' && *f <= 'z') || (*f >= 'A' && *f <= 'Z') || (*f >= '0' && *f <= '9') || *f == '_';
    if (ident && !wstart) wstart = f;
    if (!ident && *f != '(' && *f != '=') wstart = NULL;
    switch (*f) {
    case '!':
      pend = f + 1;
      pendlen = (uint32_t)strcspn(pend, "(");
      break;
    case '%':
    case '?':
      if (*f == '%' && ntyped < PTK_ARRAY_LEN(typed)) {
        kw[ntyped] = pend;
        kwlen[ntyped] = pendlen;
        typed[ntyped++] = op->operands[k];
        pend = NULL;
      }
      put_value(p, op->operands[k++]);
      break;
    case ',':
      key = NULL;
      ptk_buf_puts(p->out, ", ");
      break;
    case '(':
      if (wstart) {
        clause = wstart;
        clen = (size_t)(f - wstart);
      }
      wstart = NULL;
      ptk_buf_putc(p->out, '(');
      break;
    case ')':
      clause = key = NULL;
      ptk_buf_putc(p->out, ')');
      break;
    case '=':
      if (wstart) {
        key = wstart;
        klen = (size_t)(f - wstart);
      }
      wstart = NULL;
      ptk_buf_puts(p->out, " = ");
      break;
    case '*': { /* a word inside a clause: the attribute named after it */
      char *n = names[nnames < PTK_ARRAY_LEN(names) ? nnames : PTK_ARRAY_LEN(names) - 1];
      if (key)
        snprintf(n, sizeof names[0], "%.*s.%.*s", (int)clen, clause ? clause : "", (int)klen, key);
      else
        snprintf(n, sizeof names[0], "%.*s", (int)clen, clause ? clause : "");
      const ptk_attr *a = ptk_op_attr(op, n);
      if (a && a->kind == PTK_ATTR_STRING) ptk_buf_putn(p->out, a->str.s, a->str.len);
      if (nnames < PTK_ARRAY_LEN(names) && nused < PTK_ARRAY_LEN(used)) {
        used[nused++] = n;
        nnames++;
      }
      break;
    }
    case '$':
    case '^':
    case '#':
    case '@': {
      const slot *sl = &slots[next++];
      const ptk_attr *a = ptk_op_attr(op, sl->name);
      if (nused < PTK_ARRAY_LEN(used)) used[nused++] = sl->name;
      if (*f == '^')
        ptk_buf_putn(p->out, a->str.s, a->str.len);
      else if (*f == '#')
        ptk_buf_printf(p->out, "%" PRId64, a->i);
      else
        ptk_attr_print(a, p->out);
      break;
    }
    default: ptk_buf_putc(p->out, *f); break;
    }
  }
  put_op_dict(p, op, used, nused);
  if (tform) {
    /* `%` the next typed operand's type, `%N` operand N's, `{ }` parentheses,
     * `>` the arrow, anything else as written */
    ptk_buf_puts(p->out, " : ");
    uint32_t t = 0;
    for (const char *f = tform + 1; *f; f++) {
      switch (*f) {
      case '%': {
        ptk_value *v = NULL;
        if (f[1] >= '0' && f[1] <= '9') {
          uint32_t n = 0;
          while (f[1] >= '0' && f[1] <= '9') n = n * 10 + (uint32_t)(*++f - '0');
          if (n < op->noperands) v = op->operands[n];
        } else if (t < ntyped) {
          v = typed[t++];
        }
        if (v) put_type(p, v->type);
        break;
      }
      case ',': ptk_buf_puts(p->out, ", "); break;
      case '{': ptk_buf_putc(p->out, '('); break;
      case '}': ptk_buf_putc(p->out, ')'); break;
      case '>': ptk_buf_puts(p->out, " -> "); break;
      default: ptk_buf_putc(p->out, *f); break;
      }
    }
    if (op->nresults && !strchr(tform, '>') && !implicit) {
      ptk_buf_puts(p->out, " -> ");
      for (uint32_t i = 0; i < op->nresults; i++) {
        if (i) ptk_buf_puts(p->out, ", ");
        put_type(p, op->results[i].type);
      }
    }
    return;
  }
  if (ntyped) {
    ptk_buf_puts(p->out, " : ");
    for (uint32_t i = 0; i < ntyped; i++) {
      if (i) ptk_buf_puts(p->out, ", ");
      if (kw[i]) {
        ptk_buf_putn(p->out, kw[i], kwlen[i]);
        ptk_buf_putc(p->out, ' ');
      }
      put_type(p, typed[i]->type);
    }
    if (op->nresults && !implicit) ptk_buf_puts(p->out, " -> ");
  } else if (op->nresults && !implicit) {
    ptk_buf_puts(p->out, " : ");
  }
  for (uint32_t i = 0; i < op->nresults && !implicit; i++) {
    if (i) ptk_buf_puts(p->out, ", ");
    put_type(p, op->results[i].type);
  }
}

/* The form matches the op: operand and positional-attribute counts, each
 * positional attribute written the way the form says, each word inside a
 * clause present, and the type layout naming existing operands. */
static bool vop_form_ok(const ptk_op *op) {
  if (!op->form) return false;
  uint32_t ns;
  const slot *slots = slots_of(op->kind, &ns);
  uint32_t nops = 0, ntyped = 0, next = 0;
  const char *tform = strchr(op->form, ':');
  const char *fend = tform ? tform : op->form + strlen(op->form);
  const char *wstart = NULL, *clause = NULL, *key = NULL;
  size_t clen = 0, klen = 0;
  for (const char *f = op->form; f < fend; f++) {
    bool ident = (*f >= 'a' && *f <= 'z') || (*f >= 'A' && *f <= 'Z') || (*f >= '0' && *f <= '9') || *f == '_';
    if (ident && !wstart) wstart = f;
    if (!ident && *f != '(' && *f != '=') wstart = NULL;
    if (*f == '(' && wstart) {
      clause = wstart;
      clen = (size_t)(f - wstart);
      wstart = NULL;
    } else if (*f == '=' && wstart) {
      key = wstart;
      klen = (size_t)(f - wstart);
      wstart = NULL;
    } else if (*f == ')') {
      clause = key = NULL;
    } else if (*f == ',') {
      key = NULL;
    }
    if (*f == '*') {
      if (!clause) return false;
      char n[96];
      if (key)
        snprintf(n, sizeof n, "%.*s.%.*s", (int)clen, clause, (int)klen, key);
      else
        snprintf(n, sizeof n, "%.*s", (int)clen, clause);
      const ptk_attr *a = ptk_op_attr(op, n);
      if (!a || a->kind != PTK_ATTR_STRING || !a->str.len) return false;
      for (uint32_t i = 0; i < a->str.len; i++) {
        char c = a->str.s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
      }
    }
    if (*f == '%' || *f == '?') nops++;
    if (*f == '%') ntyped++;
    if (*f != '$' && *f != '^' && *f != '#' && *f != '@') continue;
    if (next >= ns) return false;
    const ptk_attr *a = ptk_op_attr(op, slots[next++].name);
    if (!a) return false;
    if ((*f == '$' || *f == '^') && a->kind != PTK_ATTR_STRING) return false;
    if (*f == '#' && a->kind != PTK_ATTR_INT) return false;
    if (*f == '^') {
      if (!a->str.len) return false;
      for (uint32_t i = 0; i < a->str.len; i++) {
        char c = a->str.s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
      }
    }
  }
  if (nops != op->noperands) return false;
  if (tform) {
    uint32_t t = 0;
    for (const char *f = tform + 1; *f; f++) {
      if (*f != '%') continue;
      if (f[1] >= '0' && f[1] <= '9') {
        uint32_t n = 0;
        while (f[1] >= '0' && f[1] <= '9' && n < 100000) n = n * 10 + (uint32_t)(*++f - '0');
        if (n >= op->noperands) return false;
      } else if (t++ >= ntyped) {
        return false;
      }
    }
  }
  return true;
}

static bool custom_ok(const ptk_op *op) {
  const ptk_op_info *info = &ptk_op_table[op->kind];
  /* The custom forms treat this name as an ordinary attribute; the generic
   * form turns it into segments. Never both: the reader rejects it in
   * custom forms, so it cannot occur here — but stay safe. */
  if (has_attr(op, "operandSegmentSizes")) return false;
  uint32_t want_segs = ptk_op_kind_nsegments(op->kind);
  if (op->nsegs != want_segs) return false;
  switch (info->family) {
  case PTK_FAM_GENERIC:
  case PTK_FAM_MODULE:
  case PTK_FAM_FUNC: return false;
  case PTK_FAM_VOP: return vop_form_ok(op);
  case PTK_FAM_MEMREF_VIEW: { /* the three lists, their INT64_MIN entries matching the segments */
    static const char *const names[3] = {"static_offsets", "static_sizes", "static_strides"};
    if (op->nresults != 1 || op->nsegs != 4 || op->segs[0] != 1) return false;
    for (int l = 0; l < 3; l++) {
      const ptk_attr *a = ptk_op_attr(op, names[l]);
      if (!a || a->kind != PTK_ATTR_DENSE_ARRAY || !a->dense.i) return false;
      uint32_t dyn = 0;
      for (uint32_t i = 0; i < a->dense.n; i++) dyn += a->dense.i[i] == INT64_MIN;
      if (dyn != op->segs[1 + l]) return false;
    }
    return true;
  }
  case PTK_FAM_BRANCH: { /* cf.br: one successor, no condition; cf.cond_br: a condition and two */
    bool cond = op->kind == PTK_OP_CF_COND_BR;
    if (op->nsuccs != (cond ? 2u : 1u) || op->segs[0] != (cond ? 1u : 0u) || op->nresults) return false;
    for (uint32_t i = 0; i < op->nsuccs; i++)
      if (!op->succs[i] || !op->succs[i]->region) return false;
    return cond || op->segs[2] == 0;
  }
  case PTK_FAM_COMM: { /* one '%' per operand, at most one result */
    uint32_t n = 0;
    for (const char *f = op->form ? op->form : ""; *f; f++) n += *f == '%';
    return op->form && n == op->noperands && op->noperands > 0 && op->nresults <= 1;
  }
  case PTK_FAM_CALL: {
    const ptk_attr *c = ptk_op_attr(op, "callee");
    return c && c->kind == PTK_ATTR_SYMBOL;
  }
  case PTK_FAM_RETURN:
  case PTK_FAM_SCF_YIELD: return op->nattrs == 0;
  case PTK_FAM_SCF_CONDITION: return op->nattrs == 0 && op->noperands >= 1;
  case PTK_FAM_CONSTANT: {
    static const char *const ok[] = {"value"};
    const ptk_attr *a = ptk_op_attr(op, "value");
    if (!a || op->nresults != 1 || !only_attrs(op, ok, 1)) return false;
    if (a->kind != PTK_ATTR_INT && a->kind != PTK_ATTR_FLOAT && a->kind != PTK_ATTR_BOOL && a->kind != PTK_ATTR_OPAQUE)
      return false;
    const ptk_type *t = a->kind == PTK_ATTR_BOOL ? ptk_type_scalar(PTK_DT_I1) : a->type;
    if (a->kind == PTK_ATTR_OPAQUE && (!a->type || a->str.len < 6 || memcmp(a->str.s, "dense<", 6) != 0)) return false;
    return t && ptk_type_equal(t, op->results[0].type);
  }
  case PTK_FAM_ARITH:
    return op->noperands >= 1 && op->nresults == 1 && operands_have_type(op, 0, op->results[0].type);
  case PTK_FAM_ARITH_SELECT:
    return op->noperands == 3 && op->nresults == 1 && operands_have_type(op, 1, op->results[0].type);
  case PTK_FAM_ARITH_EXT:
    if (op->noperands < 1 || op->nresults != 2 || !operands_have_type(op, 0, op->results[0].type)) return false;
    return op->kind == PTK_OP_ARITH_ADDUI_EXTENDED || ptk_type_equal(op->results[1].type, op->results[0].type);
  case PTK_FAM_ARITH_CMP: {
    const ptk_attr *a = ptk_op_attr(op, "predicate");
    if (!a || a->kind != PTK_ATTR_INT || !ptk_type_is_scalar(a->type, PTK_DT_I64)) return false;
    const char *pn = op->kind == PTK_OP_ARITH_CMPF ? ptk_cmpf_name(a->i) : ptk_cmpi_name(a->i);
    if (!pn) return false;
    return op->noperands >= 1 && op->nresults == 1 && ptk_type_is_scalar(op->results[0].type, PTK_DT_I1) &&
           operands_have_type(op, 0, op->operands[0]->type);
  }
  case PTK_FAM_ARITH_CAST: return op->noperands == 1 && op->nresults == 1;
  case PTK_FAM_VIEW_CAST: return op->noperands >= 1 && op->nresults == 1;
  case PTK_FAM_MAKE_TENSOR_VIEW:
  case PTK_FAM_PARTITION_VIEW: return op->segs[0] == 1 && op->nresults == 1;
  case PTK_FAM_ALLOC_TILE: return op->segs[0] <= 1 && op->segs[1] <= 1 && op->segs[2] <= 1 && op->nresults == 1;
  case PTK_FAM_SUBVIEW: {
    if (op->segs[0] != 1 || op->segs[2] > 1 || op->segs[2] != op->segs[3] || op->nresults != 1) return false;
    const ptk_attr *sz = ptk_op_attr(op, "sizes");
    if (!sz || sz->kind != PTK_ATTR_ARRAY || sz->arr.n > 16) return false;
    for (uint32_t i = 0; i < sz->arr.n; i++) {
      const ptk_attr *x = sz->arr.items[i];
      if (x->kind != PTK_ATTR_INT || !ptk_type_is_scalar(x->type, PTK_DT_I64) || x->i == INT64_MIN) return false;
    }
    return true;
  }
  case PTK_FAM_OPERANDS_TYPE: return op->noperands >= 1 && op->nresults == 0;
  case PTK_FAM_GET_VALIDSHAPE:
    return op->noperands >= 1 && op->nresults == 2 && ptk_type_is_scalar(op->results[0].type, PTK_DT_INDEX) &&
           ptk_type_is_scalar(op->results[1].type, PTK_DT_INDEX);
  case PTK_FAM_LOAD_SCALAR: return op->noperands == 2 && op->nresults == 1;
  case PTK_FAM_STORE_SCALAR: return op->noperands == 3 && op->nresults == 0;
  case PTK_FAM_SYNC_BRACKET:
  case PTK_FAM_SYNC_ATTRS:
  case PTK_FAM_SYNCALL: {
    uint32_t ns;
    const slot *slots = slots_of(op->kind, &ns);
    if (op->nresults) return false;
    if (info->family == PTK_FAM_SYNCALL) {
      for (uint32_t k = 0; k < ns; k++)
        if (has_attr(op, slots[k].name)) return true;
      return false; /* needs at least one `kw = attr` */
    }
    if (op->noperands) return true;
    /* At least one item: the first slot must be writable. */
    const ptk_attr *a = ns ? ptk_op_attr(op, slots[0].name) : NULL;
    if (!a || (info->family == PTK_FAM_SYNC_BRACKET && !slots[0].required)) return false;
    if (op->form && !op->form[0] && a && a->kind == PTK_ATTR_STRING) return true; /* pretty form */
    return slot_item_form(&slots[0], a) != 0;
  }
  case PTK_FAM_NULLARY:
    if (op->noperands) return false;
    if (op->nresults == 0) return info->max_results == 0;
    return op->nresults == 1;
  case PTK_FAM_SECTION:
    switch (op->kind) {
    case PTK_OP_PTO_YIELD: return op->nregions == 0 && op->nresults == 0 && op->nattrs == 0;
    case PTK_OP_STRICT_VECSCOPE: /* the entry block's arguments are printed in its label */
      return op->nregions == 1 && op->nresults == 0 && op->regions[0].first && !op->regions[0].first->next &&
             region_entry_args(&op->regions[0], op->noperands);
    case PTK_OP_FUSION_REGION: /* `: T, …` cannot be empty */
      return op->nregions == 1 && op->noperands == 0 && op->nresults > 0 && region_entry_args(&op->regions[0], 0);
    default:
      return op->nregions == 1 && op->noperands == 0 && op->nresults == 0 && region_entry_args(&op->regions[0], 0);
    }
  case PTK_FAM_PRINT: {
    const ptk_attr *f = ptk_op_attr(op, "format");
    return f && f->kind == PTK_ATTR_STRING && op->nresults == 0;
  }
  case PTK_FAM_PIPE: {
    if (op->nresults > 1) return false;
    if (op->kind == PTK_OP_INITIALIZE_L2L_PIPE && op->nresults != 1) return false;
    /* set_quant_*: `{id = N}` then ptoas's attr-dict; print only the id form. */
    if ((op->kind == PTK_OP_SET_QUANT_SCALAR || op->kind == PTK_OP_SET_QUANT_VECTOR) &&
        (op->nattrs != 1 || !ptk_op_attr(op, "id")))
      return false;
    /* Integers of a typed slot are printed bare and read back with its type. */
    uint32_t ns;
    const slot *slots = slots_of(op->kind, &ns);
    for (uint32_t k = 0; k < ns; k++) {
      const ptk_attr *a = ptk_op_attr(op, slots[k].name);
      if (a && slots[k].int_dt != PTK_DT__COUNT &&
          (a->kind != PTK_ATTR_INT || !ptk_type_is_scalar(a->type, slots[k].int_dt)))
        return false;
    }
    return true;
  }
  case PTK_FAM_INIT_PIPE: {
    if (op->nresults || op->nsegs != 4) return false;
    for (uint32_t k = 0; k < 4; k++)
      if (op->segs[k] > 1) return false;
    if (!ptk_op_attr(op, "dir_mask") || !ptk_op_attr(op, "slot_size")) return false;
    uint32_t ns;
    const slot *slots = slots_of(op->kind, &ns);
    for (uint32_t k = 0; k < ns; k++) {
      const ptk_attr *a = ptk_op_attr(op, slots[k].name);
      if (!a) continue;
      if (slots[k].int_dt != PTK_DT__COUNT &&
          (a->kind != PTK_ATTR_INT || !ptk_type_is_scalar(a->type, slots[k].int_dt)))
        return false;
      if (!strcmp(slots[k].name, "nosplit") && a->kind != PTK_ATTR_BOOL) return false;
    }
    return true;
  }
  case PTK_FAM_SCF_FOR: {
    if (op->noperands < 3 || op->nregions < 1 || !op->regions[0].first) return false;
    const ptk_block *b = op->regions[0].first;
    uint32_t niter = op->noperands - 3;
    if (b->nargs != niter + 1 || op->nresults != niter) return false;
    for (uint32_t k = 0; k < niter; k++)
      if (!ptk_type_equal(op->results[k].type, op->operands[3 + k]->type) ||
          !ptk_type_equal(op->results[k].type, b->args[1 + k]->type))
        return false;
    return true;
  }
  case PTK_FAM_SCF_WHILE: {
    if (op->nregions != 2 || !op->regions[0].first || !op->regions[1].first) return false;
    const ptk_block *b = op->regions[0].first;
    if (b->nargs != op->noperands) return false;
    for (uint32_t k = 0; k < b->nargs; k++)
      if (!ptk_type_equal(b->args[k]->type, op->operands[k]->type)) return false;
    return true;
  }
  case PTK_FAM_SCF_IF:
    if (op->noperands != 1 || op->nregions < 1 || op->nattrs || !region_entry_args(&op->regions[0], 0)) return false;
    if (op->nregions > 1 && op->regions[1].first) {
      const ptk_block *e = op->regions[1].first;
      if (e->nargs) return false;
      /* An else region with one empty block reads back as no else. */
      if (!e->next && !e->first) return false;
    }
    return true;
  case PTK_FAM_DPS: {
    if (has_attr(op, "satmode")) return false; /* the reader renames it to sat_mode */
    bool sig_outs = ptk_op_kind_has_outs(op->kind);
    uint32_t nouts = op->segs[1];
    if (info->flags & PTK_OPF_OUTS_RESULT) return nouts == 0 && !sig_outs;
    if (!sig_outs && nouts) return false;
    return true;
  }
  }
  return false;
}

static void print_op(printer *p, const ptk_op *op) {
  indent(p);
  name_results(p, op);
  put_results(p, op);
  if (!custom_ok(op))
    print_generic(p, op);
  else
    print_custom(p, op);
  ptk_buf_putc(p->out, '\n');
}

static void print_block_ops(printer *p, const ptk_block *b) {
  for (const ptk_op *op = b->first; op; op = op->next) print_op(p, op);
}

/* `{\n … }`: the entry block's label is printed only when entry_label and
 * it has arguments (otherwise they are declared by the op). */
static void print_region(printer *p, const ptk_region *r, bool entry_label) {
  ptk_buf_puts(p->out, "{\n");
  p->indent++;
  uint32_t idx = 0;
  for (const ptk_block *b = r->first; b; b = b->next, idx++) {
    bool label = b != r->first || (entry_label && b->nargs);
    if (label) {
      for (int i = 0; i < p->indent - 1; i++) ptk_buf_puts(p->out, "  ");
      ptk_buf_printf(p->out, "^bb%u", idx);
      if (b->nargs) {
        ptk_buf_putc(p->out, '(');
        for (uint32_t i = 0; i < b->nargs; i++) {
          if (i) ptk_buf_puts(p->out, ", ");
          name_arg(p, b->args[i]);
          put_value(p, b->args[i]);
          ptk_buf_puts(p->out, ": ");
          put_type(p, b->args[i]->type);
        }
        ptk_buf_putc(p->out, ')');
      }
      ptk_buf_puts(p->out, ":\n");
    }
    print_block_ops(p, b);
  }
  p->indent--;
  indent(p);
  ptk_buf_putc(p->out, '}');
}

static const char *vis_kw(ptk_visibility v) {
  return v == PTK_VIS_PRIVATE ? "private " : v == PTK_VIS_NESTED ? "nested " : "";
}

static void print_func(printer *p, const ptk_func *f) {
  taken_clear(p);
  indent(p);
  ptk_buf_printf(p->out, "func.func %s", vis_kw(f->vis));
  ptk_attr sym = {.kind = PTK_ATTR_SYMBOL, .str = {f->name, strlen(f->name)}};
  ptk_attr_print(&sym, p->out);
  ptk_buf_putc(p->out, '(');
  const ptk_block *entry = f->body ? f->body->first : NULL;
  for (uint32_t i = 0; i < f->nargs; i++) {
    if (i) ptk_buf_puts(p->out, ", ");
    if (entry && i < entry->nargs) {
      name_arg(p, entry->args[i]);
      put_value(p, entry->args[i]);
      ptk_buf_puts(p->out, ": ");
    }
    put_type(p, f->arg_types[i]);
    const ptk_attr *aa = f->arg_attrs ? f->arg_attrs[i] : NULL;
    if (aa && aa->kind == PTK_ATTR_DICT && aa->dict.n) put_dict(p, aa->dict.items, aa->dict.n, NULL, 0, true);
  }
  ptk_buf_putc(p->out, ')');
  if (f->nresults) {
    ptk_buf_puts(p->out, " -> ");
    bool paren = f->nresults != 1 || f->result_types[0]->kind == PTK_TY_FUNCTION;
    if (paren) ptk_buf_putc(p->out, '(');
    put_types(p, f->result_types, f->nresults);
    if (paren) ptk_buf_putc(p->out, ')');
  }
  if (f->nattrs) {
    ptk_buf_puts(p->out, " attributes");
    put_dict(p, f->attrs, f->nattrs, NULL, 0, true);
  }
  if (f->body) {
    ptk_buf_putc(p->out, ' ');
    print_region(p, f->body, false);
  }
  ptk_buf_putc(p->out, '\n');
}

static void print_module(printer *p, const ptk_module *m) {
  indent(p);
  ptk_buf_puts(p->out, "module");
  if (m->name) {
    ptk_attr sym = {.kind = PTK_ATTR_SYMBOL, .str = {m->name, strlen(m->name)}};
    ptk_buf_putc(p->out, ' ');
    ptk_attr_print(&sym, p->out);
  }
  if (m->nattrs) {
    ptk_buf_puts(p->out, " attributes");
    put_dict(p, m->attrs, m->nattrs, NULL, 0, true);
  }
  ptk_buf_puts(p->out, " {\n");
  p->indent++;
  for (uint32_t i = 0; i < m->nitems; i++) {
    if (m->items[i].kind == PTK_ITEM_FUNC)
      print_func(p, m->items[i].func);
    else
      print_module(p, m->items[i].module);
  }
  p->indent--;
  indent(p);
  ptk_buf_puts(p->out, "}\n");
}

static void printer_free(printer *p) {
  for (uint32_t i = 0; i < p->nnames; i++) free(p->names[i]);
  free(p->names);
  for (size_t i = 0; i < p->owned.len; i++) free(p->owned.data[i]);
  ptk_vec_free(&p->owned);
  free(p->taken);
  for (uint32_t i = 0; i < p->cap_tcache; i++) free(p->tcache[i].s);
  free(p->tcache);
}

void ptk_pto_print(const ptk_module *m, ptk_buf *out) {
  printer p = {.out = out};
  p.nnames = ptk_module_value_count(m);
  p.names = ptk_xcalloc(p.nnames ? p.nnames : 1, sizeof *p.names);
  print_module(&p, m);
  printer_free(&p);
}

void ptk_pto_print_op(const ptk_op *op, ptk_buf *out) {
  ptk_module *m = ptk_op_module(op);
  printer p = {.out = out};
  p.nnames = m ? ptk_module_value_count(m) : 0;
  p.names = ptk_xcalloc(p.nnames ? p.nnames : 1, sizeof *p.names);
  print_op(&p, op);
  printer_free(&p);
}
