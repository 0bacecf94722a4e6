/* Op-specific verifier checks, dispatched on PTK_OP_<ID> / the syntax family.
 * The generic, table-driven checks (operand kinds from SIG, same dtype,
 * scalar dtype, required attributes) are in verify.c and have already
 * passed when vop_check runs, so operand kinds can be relied on here. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "backend/verify_int.h"

/* ======================================================================
 * Helpers
 * ====================================================================== */

static uint32_t nins(const ptk_op *op) { return op->nsegs >= 1 ? op->segs[0] : op->noperands; }

/* Value of an integer constant operand (arith.constant), for shape checks. */
static bool const_int(const ptk_value *v, int64_t *out) {
  if (!v || !v->def || v->def->kind != PTK_OP_ARITH_CONSTANT) return false;
  const ptk_attr *a = ptk_op_attr(v->def, "value");
  if (!a || a->kind != PTK_ATTR_INT) return false;
  *out = a->i;
  return true;
}

static uint64_t tile_bytes(const ptk_tile_desc *t) {
  ptk_dtype dt = t->elem && t->elem->kind == PTK_TY_SCALAR ? t->elem->dt : PTK_DT_I8;
  return (uint64_t)t->rows * (uint64_t)t->cols * ptk_dtype_bytes(dt);
}

static const char *loc_name(const ptk_tile_desc *t) { return ptk_space_name(t->loc); }

/* "a 'vec' tile" / "an 'acc' tile". */
static const char *a_tile(ptk_space s) {
  const char *n = ptk_space_name(s);
  return strchr("aeiou", n[0]) ? "an" : "a";
}

static const char *dtname(const ptk_type *t) {
  return t && t->kind == PTK_TY_SCALAR ? ptk_dtype_name(t->dt) : "?";
}

/* Signless view of explicitly signed ints (si32 ≡ i32 for dtype rules). */
static ptk_dtype signless(ptk_dtype dt) {
  switch (dt) {
  case PTK_DT_SI8: return PTK_DT_I8;
  case PTK_DT_SI16: return PTK_DT_I16;
  case PTK_DT_SI32: return PTK_DT_I32;
  case PTK_DT_SI64: return PTK_DT_I64;
  default: return dt;
  }
}

static ptk_dtype tdt(const ptk_value *v) {
  ptk_dtype dt = PTK_DT_I8;
  vtile_dtype(v, &dt);
  return signless(dt);
}

static bool is_int_noindex(const ptk_type *t) {
  return t && t->kind == PTK_TY_SCALAR && ptk_dtype_is_int(t->dt) && t->dt != PTK_DT_INDEX;
}
static bool is_float(const ptk_type *t) {
  return t && t->kind == PTK_TY_SCALAR && ptk_dtype_is_float(t->dt);
}
static unsigned bits(const ptk_type *t) {
  return t && t->kind == PTK_TY_SCALAR ? ptk_dtype_bits(t->dt) : 0;
}

static void note_parent(vctx *c, const ptk_op *p) {
  ptk_note(c->d, ptk_op_range(p), "'%s' is here", vop_name(p));
}

/* ======================================================================
 * arith
 * ====================================================================== */

static void check_constant(vctx *c, ptk_op *op) {
  const ptk_attr *a = ptk_op_attr(op, "value");
  const ptk_type *t = op->results[0].type;
  if (!a || t->kind != PTK_TY_SCALAR) return;
  bool ok;
  if (t->dt == PTK_DT_I1)
    ok = a->kind == PTK_ATTR_BOOL || (a->kind == PTK_ATTR_INT && ptk_type_equal(a->type, t));
  else if (ptk_dtype_is_int(t->dt))
    ok = a->kind == PTK_ATTR_INT && ptk_type_equal(a->type, t);
  else
    ok = a->kind == PTK_ATTR_FLOAT && ptk_type_equal(a->type, t);
  if (ok) return;
  ptk_buf b = {0};
  ptk_attr_print(a, &b);
  VERR(c, op, "'arith.constant' value %s does not match the result type %s", ptk_buf_cstr(&b),
       vty(c, t));
  ptk_buf_free(&b);
}

/* Operands [from, noperands) must have the type of operand `from`; results too. */
static bool same_types(vctx *c, ptk_op *op, uint32_t from, uint32_t nres) {
  const ptk_type *t0 = op->operands[from]->type;
  bool ok = true;
  for (uint32_t i = from + 1; i < op->noperands; i++)
    if (!ptk_type_equal(op->operands[i]->type, t0)) {
      VERR(c, op, "'%s' %s has type %s, but %s has type %s", vop_name(op), voperand(c, op, i),
           vty(c, op->operands[i]->type), voperand(c, op, from), vty(c, t0));
      ok = false;
    }
  if (!ok) return false; /* the result type is then ambiguous */
  for (uint32_t i = 0; i < nres && i < op->nresults; i++)
    if (!ptk_type_equal(op->results[i].type, t0)) {
      if (op->nresults == 1)
        VERR(c, op, "'%s' result has type %s, but its operands have type %s", vop_name(op),
             vty(c, op->results[i].type), vty(c, t0));
      else
        VERR(c, op, "'%s' result #%" PRIu32 " has type %s, but its operands have type %s",
             vop_name(op), i, vty(c, op->results[i].type), vty(c, t0));
      ok = false;
    }
  return ok;
}

static void check_cmp(vctx *c, ptk_op *op) {
  same_types(c, op, 0, 0);
  const ptk_attr *a = ptk_op_attr(op, "predicate");
  int64_t p;
  if (!a || a->kind != PTK_ATTR_INT || !ptk_attr_get_int(a, &p)) return;
  int64_t hi = op->kind == PTK_OP_ARITH_CMPI ? PTK_CMPI_uge : PTK_CMPF_true;
  if (p < 0 || p > hi)
    VERR(c, op, "'%s' predicate %" PRId64 " is out of range (0 to %" PRId64 ")", vop_name(op), p,
         hi);
}

static void check_select(vctx *c, ptk_op *op) { same_types(c, op, 1, 1); }

static void check_arith_ext(vctx *c, ptk_op *op) {
  if (!same_types(c, op, 0, 1)) return;
  const ptk_type *t1 = op->results[1].type;
  bool want_i1 = op->kind == PTK_OP_ARITH_ADDUI_EXTENDED;
  const ptk_type *want = want_i1 ? ptk_type_scalar(PTK_DT_I1) : op->operands[0]->type;
  if (!ptk_type_equal(t1, want))
    VERR(c, op, "'%s' result #1 has type %s, but must have type %s", vop_name(op), vty(c, t1),
         vty(c, want));
}

static void check_cast(vctx *c, ptk_op *op) {
  const ptk_type *s = op->operands[0]->type, *d = op->results[0].type;
  const char *need = NULL;
  bool ok = true;
  switch (op->kind) {
  case PTK_OP_ARITH_INDEX_CAST:
  case PTK_OP_ARITH_INDEX_CASTUI:
    ok = (ptk_type_is_scalar(s, PTK_DT_INDEX) && is_int_noindex(d)) ||
         (ptk_type_is_scalar(d, PTK_DT_INDEX) && is_int_noindex(s));
    need = "between index and an integer type";
    break;
  case PTK_OP_ARITH_BITCAST:
    ok = s->kind == PTK_TY_SCALAR && d->kind == PTK_TY_SCALAR && s->dt != PTK_DT_INDEX &&
         d->dt != PTK_DT_INDEX && bits(s) == bits(d);
    need = "between types of the same bit width";
    break;
  case PTK_OP_ARITH_EXTF:
    ok = is_float(s) && is_float(d) && bits(d) > bits(s);
    need = "a float type to a wider float type";
    break;
  case PTK_OP_ARITH_TRUNCF:
    ok = is_float(s) && is_float(d) && bits(d) < bits(s);
    need = "a float type to a narrower float type";
    break;
  case PTK_OP_ARITH_EXTSI:
  case PTK_OP_ARITH_EXTUI:
    ok = is_int_noindex(s) && is_int_noindex(d) && bits(d) > bits(s);
    need = "an integer type to a wider integer type";
    break;
  case PTK_OP_ARITH_TRUNCI:
    ok = is_int_noindex(s) && is_int_noindex(d) && bits(d) < bits(s);
    need = "an integer type to a narrower integer type";
    break;
  case PTK_OP_ARITH_SITOFP:
  case PTK_OP_ARITH_UITOFP:
    ok = is_int_noindex(s) && is_float(d);
    need = "an integer type to a float type";
    break;
  case PTK_OP_ARITH_FPTOSI:
  case PTK_OP_ARITH_FPTOUI:
    ok = is_float(s) && is_int_noindex(d);
    need = "a float type to an integer type";
    break;
  default: break;
  }
  if (!ok)
    VERR(c, op, "'%s' must convert %s, but converts %s to %s", vop_name(op), need, vty(c, s),
         vty(c, d));
}

/* ======================================================================
 * func.call
 * ====================================================================== */

ptk_func *vresolve_callee(vctx *c, const ptk_func *from, const char *name) {
  const char *sep = strstr(name, "::");
  if (sep) { /* @outer::@inner: nested module path from the top */
    const ptk_module *m = c->top;
    const char *p = name;
    while ((sep = strstr(p, "::")) != NULL) {
      size_t n = (size_t)(sep - p);
      const ptk_module *next = NULL;
      for (uint32_t i = 0; i < m->nitems && !next; i++)
        if (m->items[i].kind == PTK_ITEM_MODULE && m->items[i].module->name &&
            strlen(m->items[i].module->name) == n && !memcmp(m->items[i].module->name, p, n))
          next = m->items[i].module;
      if (!next) return NULL;
      m = next;
      p = sep + 2;
      if (*p == '@') p++;
    }
    return ptk_module_find_func(m, p);
  }
  /* The nearest enclosing module first, then outwards, then anywhere. */
  for (const ptk_module *m = from ? from->module : c->top; m; m = m->parent) {
    ptk_func *f = ptk_module_find_func(m, name);
    if (f) return f;
  }
  return ptk_module_find_func_nested(c->top, name);
}

static void vfy_call(vctx *c, ptk_op *op) {
  const ptk_attr *a = ptk_op_attr(op, "callee");
  if (!a || a->kind != PTK_ATTR_SYMBOL) return; /* reported by the attribute checks */
  ptk_func *f = vresolve_callee(c, c->func, a->str.s);
  if (!f) {
    VERR(c, op, "'func.call' refers to an undefined function '@%s'", a->str.s);
    return;
  }
  if (op->noperands != f->nargs) {
    VERR(c, op, "'func.call' passes %" PRIu32 " %s, but '@%s' takes %" PRIu32, op->noperands,
         vplural(op->noperands, "argument", "arguments"), f->name, f->nargs);
    ptk_note(c->d, vfunc_range(f), "'@%s' is declared here", f->name);
  } else {
    for (uint32_t i = 0; i < f->nargs; i++)
      if (!ptk_type_equal(op->operands[i]->type, f->arg_types[i])) {
        VERR(c, op,
             "'func.call' argument #%" PRIu32 " has type %s, but '@%s' parameter #%" PRIu32
             " has type %s",
             i, vty(c, op->operands[i]->type), f->name, i, vty(c, f->arg_types[i]));
        ptk_note(c->d, vfunc_range(f), "'@%s' is declared here", f->name);
      }
  }
  if (op->nresults != f->nresults) {
    VERR(c, op, "'func.call' has %" PRIu32 " %s, but '@%s' has %" PRIu32 " %s", op->nresults,
         vplural(op->nresults, "result", "results"), f->name, f->nresults,
         vplural(f->nresults, "result", "results"));
    ptk_note(c->d, vfunc_range(f), "'@%s' is declared here", f->name);
  } else {
    for (uint32_t i = 0; i < f->nresults; i++)
      if (!ptk_type_equal(op->results[i].type, f->result_types[i])) {
        VERR(c, op,
             "'func.call' result #%" PRIu32 " has type %s, but '@%s' result #%" PRIu32
             " has type %s",
             i, vty(c, op->results[i].type), f->name, i, vty(c, f->result_types[i]));
        ptk_note(c->d, vfunc_range(f), "'@%s' is declared here", f->name);
      }
  }
}

/* ======================================================================
 * Views, pointers, allocation
 * ====================================================================== */

/* A segment's operand count against a rank; constants against static dims. */
static void check_dim_operands(vctx *c, ptk_op *op, uint32_t seg, const char *what,
                               const ptk_type *vt, const char *against, bool compare_static) {
  uint32_t n;
  ptk_value **vals = ptk_op_segment(op, seg, &n);
  if (n != vt->rank) {
    VERR(c, op, "'%s' has %" PRIu32 " %s %s, but %s %s has rank %" PRIu32, vop_name(op), n, what,
         vplural(n, "operand", "operands"), against, vty(c, vt), vt->rank);
    return;
  }
  if (!compare_static) return;
  for (uint32_t i = 0; i < n; i++) {
    int64_t k;
    if (vt->dims[i] == PTK_DYN || !const_int(vals[i], &k) || k == vt->dims[i]) continue;
    VERR(c, op,
         "'%s' %s[%" PRIu32 "] is %" PRId64 ", but %s %s has %" PRId64 " in dimension %" PRIu32,
         vop_name(op), what, i, k, against, vty(c, vt), vt->dims[i], i);
    vnote_def(c, vals[i]);
  }
}

static void vfy_make_tensor_view(vctx *c, ptk_op *op) {
  const ptk_type *vt = op->results[0].type;
  uint32_t n;
  ptk_value **p = ptk_op_segment(op, 0, &n);
  check_dim_operands(c, op, 1, "shape", vt, "the result type", true);
  check_dim_operands(c, op, 2, "strides", vt, "the result type", false);
  if (n == 1 && !ptk_type_equal(p[0]->type->elem, vt->elem)) {
    VERR(c, op,
         "'pto.make_tensor_view' pointer element type %s differs from the view element type %s",
         vty(c, p[0]->type->elem), vty(c, vt->elem));
    vnote_def(c, p[0]);
  }
}

static void vfy_partition_view(vctx *c, ptk_op *op) {
  const ptk_type *src = op->operands[0]->type, *pt = op->results[0].type;
  if (pt->rank != src->rank) {
    VERR(c, op,
         "'pto.partition_view' result rank %" PRIu32 " differs from the rank %" PRIu32
         " of the source tensor view %s",
         pt->rank, src->rank, vty(c, src));
  } else {
    check_dim_operands(c, op, 1, "offsets", src, "the source", false);
    check_dim_operands(c, op, 2, "sizes", pt, "the result type", true);
  }
  if (!ptk_type_equal(src->elem, pt->elem))
    VERR(c, op,
         "'pto.partition_view' result element type %s differs from the source element type %s",
         vty(c, pt->elem), vty(c, src->elem));
}

static void vfy_alloc_tile(vctx *c, ptk_op *op) {
  const ptk_tile_desc *t = &op->results[0].type->tile;
  uint32_t n;
  ptk_value **addr = ptk_op_segment(op, 0, &n);
  if (n == 1) {
    const ptk_type *at = addr[0]->type;
    if (!ptk_type_is_scalar(at, PTK_DT_I64) && !ptk_type_is_scalar(at, PTK_DT_INDEX)) {
      VERR(c, op, "'pto.alloc_tile' addr operand must be i64 or index, but has type %s",
           vty(c, at));
      vnote_def(c, addr[0]);
    }
  }
  static const char *const dimname[2] = {"v_row", "v_col"};
  static const char *const opname[2] = {"valid_row", "valid_col"};
  for (int k = 0; k < 2; k++) {
    int64_t v = k == 0 ? t->v_row : t->v_col;
    ptk_op_segment(op, 1 + (uint32_t)k, &n);
    if (v == PTK_DYN && n == 0)
      VERR(c, op, "'pto.alloc_tile' needs a %s operand: the type has %s=?", opname[k], dimname[k]);
    else if (v != PTK_DYN && n != 0)
      VERR(c, op, "'pto.alloc_tile' has a %s operand, but the type has a static %s (%" PRId64 ")",
           opname[k], dimname[k], v);
  }
}

static void vfy_subview(vctx *c, ptk_op *op) {
  const ptk_tile_desc *s = vtile(op->operands[0]), *r = vtile(&op->results[0]);
  uint32_t n;
  ptk_op_segment(op, 1, &n);
  if (n != 2)
    VERR(c, op, "'pto.subview' has %" PRIu32 " offset %s, but tiles are 2-D", n,
         vplural(n, "operand", "operands"));
  if (r->loc != s->loc)
    VERR(c, op, "'pto.subview' cannot change the tile location ('%s' to '%s')", loc_name(s),
         loc_name(r));
  if (!ptk_type_equal(r->elem, s->elem))
    VERR(c, op, "'pto.subview' cannot change the element type (%s to %s)", vty(c, s->elem),
         vty(c, r->elem));
  const ptk_attr *a = ptk_op_attr(op, "sizes");
  if (!a) return;
  int64_t sz[2];
  uint32_t m = 0;
  if (a->kind == PTK_ATTR_DENSE_ARRAY && a->dense.i) {
    m = a->dense.n;
    for (uint32_t i = 0; i < m && i < 2; i++) sz[i] = a->dense.i[i];
  } else if (a->kind == PTK_ATTR_ARRAY) {
    m = a->arr.n;
    for (uint32_t i = 0; i < m && i < 2; i++)
      if (!ptk_attr_get_int(a->arr.items[i], &sz[i])) return;
  } else {
    return;
  }
  if (m != 2) {
    VERR(c, op, "'pto.subview' sizes has %" PRIu32 " %s, but tiles are 2-D", m,
         vplural(m, "entry", "entries"));
    return;
  }
  static const char *const dn[2] = {"rows", "cols"};
  for (int i = 0; i < 2; i++) {
    int64_t lim = i == 0 ? s->rows : s->cols;
    if (sz[i] <= 0 || sz[i] > lim)
      VERR(c, op,
           "'pto.subview' sizes[%d] (%" PRId64 ") must be between 1 and the source %s (%" PRId64
           ")",
           i, sz[i], dn[i], lim);
  }
}

static void vfy_reinterpret(vctx *c, ptk_op *op) {
  const ptk_tile_desc *s = vtile(op->operands[0]), *r = vtile(&op->results[0]);
  if (r->loc != s->loc)
    VERR(c, op, "'%s' cannot change the tile location ('%s' to '%s')", vop_name(op), loc_name(s),
         loc_name(r));
  uint64_t bs = tile_bytes(s), br = tile_bytes(r);
  if (bs != br)
    VERR(c, op,
         "'%s' must keep the byte size: the source %s has %" PRIu64
         " bytes, the result %s has %" PRIu64,
         vop_name(op), vty(c, op->operands[0]->type), bs, vty(c, op->results[0].type), br);
}

static void vfy_scalar_access(vctx *c, ptk_op *op) {
  const ptk_type *elem = op->operands[0]->type->elem;
  if (op->kind == PTK_OP_LOAD_SCALAR) {
    if (!ptk_type_equal(op->results[0].type, elem))
      VERR(c, op, "'pto.load_scalar' result has type %s, but the pointer element type is %s",
           vty(c, op->results[0].type), vty(c, elem));
    return;
  }
  /* store_scalar: the value is the operand that is neither the pointer nor the index. */
  const ptk_value *v = op->operands[op->noperands - 1];
  if (!ptk_type_equal(v->type, elem)) {
    VERR(c, op, "'pto.store_scalar' %s has type %s, but the pointer element type is %s",
         voperand(c, op, op->noperands - 1), vty(c, v->type), vty(c, elem));
    vnote_def(c, v);
  }
}

static void vfy_addptr(vctx *c, ptk_op *op) {
  if (!ptk_type_equal(op->results[0].type, op->operands[0]->type))
    VERR(c, op, "'pto.addptr' result has type %s, but the pointer operand has type %s",
         vty(c, op->results[0].type), vty(c, op->operands[0]->type));
}

/* ======================================================================
 * Tile ops
 * ====================================================================== */

static void vfy_tload(vctx *c, ptk_op *op) {
  const ptk_type *src = op->operands[0]->type;
  const ptk_tile_desc *d = vtile(op->operands[1]);
  /* A5 (ptoas) also loads scaling tiles (fixpipe quant vectors). */
  if (d->loc != PTK_SPACE_VEC && d->loc != PTK_SPACE_MAT && d->loc != PTK_SPACE_SCALING)
    VERR(c, op, "'pto.tload' destination %s must be a 'vec' or 'mat' tile, but is %s '%s' tile",
         voperand(c, op, 1), a_tile(d->loc), loc_name(d));
  ptk_dtype sd;
  if (!ptk_type_elem_dtype(src, &sd) || !d->elem || d->elem->kind != PTK_TY_SCALAR) return;
  if (ptk_dtype_bytes(sd) != ptk_dtype_bytes(d->elem->dt))
    VERR(c, op,
         "'pto.tload' element sizes differ: the source has %s (%u bytes), the destination tile %s "
         "(%u bytes)",
         ptk_dtype_name(sd), ptk_dtype_bytes(sd), dtname(d->elem), ptk_dtype_bytes(d->elem->dt));
}

static void vfy_tstore(vctx *c, ptk_op *op) {
  const ptk_tile_desc *s = vtile(op->operands[0]);
  const ptk_type *dst = op->operands[op->noperands - 1]->type;
  if (s->loc != PTK_SPACE_VEC && s->loc != PTK_SPACE_MAT && s->loc != PTK_SPACE_ACC) {
    VERR(c, op, "'pto.tstore' source %s must be a 'vec', 'mat' or 'acc' tile, but is %s '%s' tile",
         voperand(c, op, 0), a_tile(s->loc), loc_name(s));
    return;
  }
  /* ptoas TStoreOp::verify: with both sides static, the partition has as
   * many elements as the source's valid shape (1x1024 <-> 32x32 is fine). */
  if (dst && dst->kind == PTK_TY_PART_VIEW && dst->rank >= 1 && dst->rank <= 16 && s->v_row != PTK_DYN &&
      s->v_col != PTK_DYN && s->v_row >= 0 && s->v_col >= 0 && s->v_row <= INT32_MAX && s->v_col <= INT32_MAX) {
    int64_t n = 1;
    bool known = true;
    for (uint32_t i = 0; i < dst->rank && known; i++) {
      if (dst->dims[i] <= 0 || dst->dims[i] > INT32_MAX || n > INT64_MAX / dst->dims[i]) known = false;
      else n *= dst->dims[i];
    }
    if (known && n != s->v_row * s->v_col)
      VERR(c, op,
           "'pto.tstore' destination has %" PRId64 " elements, but the source's valid shape %" PRId64
           "x%" PRId64 " has %" PRId64,
           n, s->v_row, s->v_col, s->v_row * s->v_col);
  }
  if (s->loc == PTK_SPACE_ACC) return; /* acc stores convert (f32/i32 to f16, bf16, …) */
  ptk_dtype dd;
  if (!ptk_type_elem_dtype(dst, &dd) || !s->elem || s->elem->kind != PTK_TY_SCALAR) return;
  if (ptk_dtype_bytes(dd) != ptk_dtype_bytes(s->elem->dt))
    VERR(c, op,
         "'pto.tstore' element sizes differ: the source tile has %s (%u bytes), the destination %s "
         "(%u bytes)",
         dtname(s->elem), ptk_dtype_bytes(s->elem->dt), ptk_dtype_name(dd), ptk_dtype_bytes(dd));
}

/* TCVT dtype pairs: the A2/A3 and A5 support matrix of pto-isa (plus the
 * identity, a rounding copy). Signed/signless spellings are the same. */
static bool cvt_legal(ptk_dtype s, ptk_dtype d) {
  s = signless(s);
  d = signless(d);
  if (s == d) return s != PTK_DT_I1;
  /* Integer to integer (ui8 -> ui16, i32 -> i8, …): ptoas accepts every pair
   * of plain integer types (it restricts only the low-precision floats). */
  if (ptk_dtype_is_int(s) && ptk_dtype_is_int(d) && s != PTK_DT_I1 && d != PTK_DT_I1 &&
      s != PTK_DT_INDEX && d != PTK_DT_INDEX)
    return true;
#define TO(...)                                                                                    \
  do {                                                                                             \
    static const ptk_dtype ok[] = {__VA_ARGS__};                                                   \
    for (size_t i = 0; i < PTK_ARRAY_LEN(ok); i++)                                                 \
      if (ok[i] == d) return true;                                                                 \
    return false;                                                                                  \
  } while (0)
  switch (s) {
  case PTK_DT_F32:
    TO(PTK_DT_F16, PTK_DT_BF16, PTK_DT_I16, PTK_DT_I32, PTK_DT_I64, PTK_DT_F8E4M3FN, PTK_DT_F8E5M2,
       PTK_DT_HIF8);
  case PTK_DT_F16:
    TO(PTK_DT_F32, PTK_DT_BF16, PTK_DT_I32, PTK_DT_I16, PTK_DT_I8, PTK_DT_UI8, PTK_DT_HIF8);
  case PTK_DT_BF16: TO(PTK_DT_F32, PTK_DT_F16, PTK_DT_I32, PTK_DT_F4E1M2X2, PTK_DT_F4E2M1X2);
  case PTK_DT_I32: TO(PTK_DT_F32, PTK_DT_F16, PTK_DT_I16, PTK_DT_I64);
  case PTK_DT_I16: TO(PTK_DT_F16, PTK_DT_F32, PTK_DT_I32);
  case PTK_DT_I64: TO(PTK_DT_I32, PTK_DT_F32);
  case PTK_DT_I8:
  case PTK_DT_UI8: TO(PTK_DT_F16, PTK_DT_F32, PTK_DT_I32);
  case PTK_DT_F8E4M3FN:
  case PTK_DT_F8E5M2:
  case PTK_DT_HIF8: TO(PTK_DT_F32, PTK_DT_F16, PTK_DT_BF16);
  default: return false;
  }
#undef TO
}

/* ptoas TTriOp::verify: upperOrLower (default 0) is 0 (lower) or 1 (upper). */
static void vfy_ttri(vctx *c, ptk_op *op) {
  const ptk_attr *a = ptk_op_attr(op, "upperOrLower");
  int64_t v = 0;
  if (a && ptk_attr_get_int(a, &v) && v != 0 && v != 1)
    VERR(c, op, "'pto.ttri' upperOrLower must be 0 (lower) or 1 (upper), but is %" PRId64, v);
}

/* getLogicalTileDim: dims = {rows, cols, v_row, v_col} of t, in elements
 * (a packed fp4 byte holds two along the major dimension). */
static void logical_extent(const ptk_tile_desc *t, int64_t dims[4]) {
  if (t->elem->dt != PTK_DT_F4E1M2X2 && t->elem->dt != PTK_DT_F4E2M1X2) return;
  int k = t->blayout == PTK_BLAYOUT_COL_MAJOR ? 0 : 1;
  for (int i = k; i < 4; i += 2)
    if (dims[i] != PTK_DYN) dims[i] *= 2;
}

static void vfy_tcvt(vctx *c, ptk_op *op) {
  const ptk_tile_desc *s = vtile(op->operands[0]), *d = vtile(op->operands[1]);
  if (!s->elem || !d->elem || s->elem->kind != PTK_TY_SCALAR || d->elem->kind != PTK_TY_SCALAR)
    return;
  if (!cvt_legal(s->elem->dt, d->elem->dt))
    VERR(c, op, "'pto.tcvt' cannot convert %s to %s", dtname(s->elem), dtname(d->elem));
  /* ptoas verifyTileBufSameLogicalExtent: equal shapes, then equal valid
   * shapes, counted in elements (a packed fp4 tile's are doubled along its
   * major dimension: cols when row_major, rows when col_major). */
  int64_t sd[4] = {s->rows, s->cols, s->v_row, s->v_col}, dd[4] = {d->rows, d->cols, d->v_row, d->v_col};
  logical_extent(s, sd);
  logical_extent(d, dd);
  if (sd[0] != dd[0] || sd[1] != dd[1])
    VERR(c, op,
         "'pto.tcvt' source and destination must have the same shape, but are %" PRId64 "x%" PRId64
         " and %" PRId64 "x%" PRId64,
         sd[0], sd[1], dd[0], dd[1]);
  else if (sd[2] != PTK_DYN && dd[2] != PTK_DYN && sd[3] != PTK_DYN && dd[3] != PTK_DYN &&
           (sd[2] != dd[2] || sd[3] != dd[3]))
    VERR(c, op,
         "'pto.tcvt' source and destination must have the same valid shape, but have %" PRId64
         "x%" PRId64 " and %" PRId64 "x%" PRId64,
         sd[2], sd[3], dd[2], dd[3]);
  if (s->loc != d->loc)
    VERR(c, op,
         "'pto.tcvt' source and destination must be in the same location, but are '%s' and '%s'",
         loc_name(s), loc_name(d));
}

/* ---- rules from ptoas's verifiers (lib/PTO/IR/PTO.cpp) ---- */

static bool attr_int(const ptk_op *op, const char *name, int64_t *v) {
  const ptk_attr *a = ptk_op_attr(op, name);
  return a && ptk_attr_get_int(a, v);
}

/* aic/aiv_initialize_pipe (verifyFrontendInitializePipeOp). */
static void vfy_init_pipe(vctx *c, ptk_op *op) {
  int64_t dir = 0, size = 0, num = 0, local = 0;
  if (op->nsegs != 4) return;
  if (attr_int(op, "dir_mask", &dir) && dir != 1 && dir != 2 && dir != 3) {
    VERR(c, op, "'%s' dir_mask must be 1, 2 or 3, but is %" PRId64, vop_name(op), dir);
    return;
  }
  if (attr_int(op, "slot_size", &size) && size <= 0)
    VERR(c, op, "'%s' slot_size must be greater than 0, but is %" PRId64, vop_name(op), size);
  int64_t slots = dir == 3 ? 4 : 8;
  if (attr_int(op, "slot_num", &num)) {
    if (num <= 0) {
      VERR(c, op, "'%s' slot_num must be greater than 0, but is %" PRId64, vop_name(op), num);
      return;
    }
    slots = num;
  }
  bool tensor = op->segs[1] > 0, c2v = op->segs[2] > 0, v2c = op->segs[3] > 0;
  if (tensor) {
    if (op->segs[0] || c2v || v2c)
      VERR(c, op, "'%s' with gm_slot_tensor takes no gm_slot_buffer, c2v_consumer_buf or "
                  "v2c_consumer_buf", vop_name(op));
    return;
  }
  if (!c2v && !v2c) {
    VERR(c, op, "'%s' needs c2v_consumer_buf or v2c_consumer_buf (or gm_slot_tensor)", vop_name(op));
    return;
  }
  if ((dir == 1 && !c2v) || (dir == 2 && !v2c) || (dir == 3 && (!c2v || !v2c)))
    VERR(c, op, "'%s' with dir_mask = %" PRId64 " needs %s", vop_name(op), dir,
         dir == 1 ? "c2v_consumer_buf" : dir == 2 ? "v2c_consumer_buf"
                                                : "both c2v_consumer_buf and v2c_consumer_buf");
  if (attr_int(op, "local_slot_num", &local) && (local <= 0 || local > slots))
    VERR(c, op,
         "'%s' local_slot_num must be in 1..%" PRId64 " (the slot count for dir_mask = %" PRId64
         "), but is %" PRId64,
         vop_name(op), slots, dir, local);
  if (ptk_op_attr(op, "acc_push_epilogue") && dir != 1)
    VERR(c, op, "'%s' with acc_push_epilogue (a fixpipe pipe) needs dir_mask = 1, but has %" PRId64,
         vop_name(op), dir);
}

/* tgather/tscatter: the mask form has no index operand, the index form no
 * maskPattern (TGatherOp/TScatterOp::verify). */
static void vfy_gather_mask(vctx *c, ptk_op *op) {
  bool mask = ptk_op_attr(op, "maskPattern") != NULL;
  uint32_t n = nins(op);
  if (op->kind == PTK_OP_TGATHER && (ptk_op_attr(op, "cmpMode") || n > 2)) return; /* compare form */
  if (mask == (n >= 2))
    VERR(c, op, "'%s' takes exactly one of an index operand and a maskPattern attribute, but has %s",
         vop_name(op), mask ? "both" : "neither");
}

/* thistogram: byte in 0..3; the legacy isMSB must agree with it. */
static void vfy_thistogram(vctx *c, ptk_op *op) {
  int64_t byte = 1;
  bool has = attr_int(op, "byte", &byte);
  const ptk_attr *msb = ptk_op_attr(op, "isMSB");
  if (msb && msb->kind == PTK_ATTR_BOOL) {
    int64_t legacy = msb->b ? 1 : 0;
    if (has && byte != legacy) {
      VERR(c, op, "'pto.thistogram' byte (%" PRId64 ") conflicts with the legacy isMSB (%s)", byte,
           msb->b ? "true" : "false");
      return;
    }
    byte = legacy;
  }
  if (byte < 0 || byte > 3)
    VERR(c, op, "'pto.thistogram' byte must be in 0..3, but is %" PRId64, byte);
}

/* tget_scale_addr: the destination is a scaling tile (TGetScaleAddrOp). */
static void vfy_tget_scale_addr(vctx *c, ptk_op *op) {
  if (op->noperands != 2 || !op->operands[1]->type || op->operands[1]->type->kind != PTK_TY_TILE_BUF) return;
  const ptk_tile_desc *d = vtile(op->operands[1]);
  if (d->loc != PTK_SPACE_SCALING)
    VERR(c, op, "'pto.tget_scale_addr' destination %s must be a 'scaling' tile, but is %s '%s' tile",
         voperand(c, op, 1), a_tile(d->loc), loc_name(d));
}

/* trowexpanddiv/trsqrt: precisionType high_precision needs the tmp operand
 * (TRowExpandDivOp/TRsqrtOp::verify). */
static void vfy_high_precision_tmp(vctx *c, ptk_op *op) {
  const ptk_attr *a = ptk_op_attr(op, "precisionType");
  uint32_t want = op->kind == PTK_OP_TRSQRT ? 2 : 3;
  if (a && a->kind == PTK_ATTR_ENUM && !strcmp(a->en.value, "high_precision") && nins(op) < want)
    VERR(c, op, "'%s' precisionType high_precision needs the tmp operand", vop_name(op));
}

/* tprint: a printFormat needs the tmp operand (TPrintOp::verify). */
static void vfy_tprint(vctx *c, ptk_op *op) {
  if (ptk_op_attr(op, "printFormat") && op->noperands < 2)
    VERR(c, op, "'pto.tprint' printFormat needs the tmp operand");
}

static void vfy_row_reduction(vctx *c, ptk_op *op) {
  uint32_t di = nins(op);
  const ptk_tile_desc *d = vtile(op->operands[di]);
  bool column = d->cols == 1 && d->blayout == PTK_BLAYOUT_COL_MAJOR;
  /* Zero valid shapes (ptoas issue 708): 0x0 is a no-op marker; otherwise
   * the destination has exactly one valid column, and an arg-reduction's
   * source has valid rows. */
  bool none = d->v_row == 0 && d->v_col == 0;
  if (op->kind == PTK_OP_TROWARGMAX || op->kind == PTK_OP_TROWARGMIN) {
    const ptk_tile_desc *s = vtile(op->operands[0]);
    if (s->v_row == 0) {
      VERR(c, op, "'%s' source valid rows must be non-zero", vop_name(op));
      return;
    }
  }
  if (!none && d->v_col != PTK_DYN && d->v_col != 1 && (column || d->v_col == 0)) {
    VERR(c, op, "'%s' destination valid columns must be 1, but are %" PRId64, vop_name(op), d->v_col);
    return;
  }
  if (column || d->v_col == 1 || d->v_col == PTK_DYN) return;
  VERR(c, op, "'%s' destination %s must be an Rx1 col_major tile or have v_col=1, but has type %s",
       vop_name(op), voperand(c, op, di), vty(c, op->operands[di]->type));
}

/* Column reductions: a destination that is not the 0x0 no-op marker has
 * exactly one valid row (ptoas issue 708). */
static void vfy_col_reduction(vctx *c, ptk_op *op) {
  const ptk_tile_desc *d = vtile(op->operands[nins(op)]);
  if (d->v_row == PTK_DYN || d->v_row == 1 || (d->v_row == 0 && d->v_col == 0)) return;
  if (d->v_row == 0 || d->rows == 1)
    VERR(c, op, "'%s' destination valid rows must be 1, but are %" PRId64, vop_name(op), d->v_row);
}

/* trowexpand: a destination that is not the 0x0 no-op marker has no zero
 * valid dimension (ptoas issue 708). */
static void vfy_trowexpand(vctx *c, ptk_op *op) {
  const ptk_tile_desc *d = vtile(op->operands[nins(op)]);
  if ((d->v_row == 0) != (d->v_col == 0))
    VERR(c, op, "'%s' destination valid shape %" PRId64 "x%" PRId64 " has a zero dimension",
         vop_name(op), d->v_row, d->v_col);
}

static void vfy_tcmp(vctx *c, ptk_op *op) {
  uint32_t mi = nins(op);
  ptk_dtype m;
  if (!vtile_dtype(op->operands[mi], &m)) return;
  /* Packed bit masks: bytes (A2/A3), or 32-bit words (A5). */
  if (signless(m) != PTK_DT_I8 && m != PTK_DT_UI8 && m != PTK_DT_UI32)
    VERR(c, op, "'%s' mask %s must have dtype i8, ui8 or ui32, but has %s", vop_name(op),
         voperand(c, op, mi), ptk_dtype_name(m));
  if (op->kind == PTK_OP_TCMP) {
    const ptk_tile_desc *a = vtile(op->operands[0]), *b = vtile(op->operands[1]);
    if (!ptk_type_equal(a->elem, b->elem))
      VERR(c, op, "'pto.tcmp' %s must have dtype %s like %s, but has %s", voperand(c, op, 1),
           vty(c, a->elem), voperand(c, op, 0), vty(c, b->elem));
  }
}

/* ---- matmul family ---- */

typedef struct {
  int a, b, c, cin, bias; /* operand indices, -1 when absent */
  bool mx;
} mm_roles;

static mm_roles mm_roles_of(const ptk_op *op) {
  int o = (int)nins(op);
  switch (op->kind) {
  case PTK_OP_TMATMUL:
  case PTK_OP_TGEMV: return (mm_roles){0, 1, o, -1, -1, false};
  case PTK_OP_TMATMUL_ACC:
  case PTK_OP_TGEMV_ACC: return (mm_roles){1, 2, o, 0, -1, false};
  case PTK_OP_TMATMUL_BIAS:
  case PTK_OP_TGEMV_BIAS: return (mm_roles){0, 1, o, -1, 2, false};
  case PTK_OP_TMATMUL_MX:
  case PTK_OP_TGEMV_MX: return (mm_roles){0, 2, o, -1, -1, true};
  case PTK_OP_TMATMUL_MX_ACC:
  case PTK_OP_TGEMV_MX_ACC: return (mm_roles){1, 3, o, 0, -1, true};
  case PTK_OP_TMATMUL_MX_BIAS:
  case PTK_OP_TGEMV_MX_BIAS: return (mm_roles){0, 2, o, -1, 4, true};
  default: return (mm_roles){-1, -1, -1, -1, -1, false};
  }
}

static bool mm_loc(vctx *c, ptk_op *op, int i, const char *role, ptk_space want) {
  const ptk_tile_desc *t = vtile(op->operands[i]);
  if (t->loc == want) return true;
  VERR(c, op, "'%s' %s %s must be %s '%s' tile, but is %s '%s' tile", vop_name(op), role,
       voperand(c, op, (uint32_t)i), a_tile(want), ptk_space_name(want), a_tile(t->loc),
       loc_name(t));
  return false;
}

static void vfy_matmul(vctx *c, ptk_op *op) {
  mm_roles r = mm_roles_of(op);
  if (r.a < 0 || r.c >= (int)op->noperands) return;
  mm_loc(c, op, r.a, "A", PTK_SPACE_LEFT);
  mm_loc(c, op, r.b, "B", PTK_SPACE_RIGHT);
  mm_loc(c, op, r.c, "C", PTK_SPACE_ACC);
  if (r.cin >= 0) mm_loc(c, op, r.cin, "Cin", PTK_SPACE_ACC);
  if (r.bias >= 0) mm_loc(c, op, r.bias, "bias", PTK_SPACE_BIAS);

  const ptk_tile_desc *A = vtile(op->operands[r.a]), *B = vtile(op->operands[r.b]),
                      *C = vtile(op->operands[r.c]);
  ptk_dtype ca = tdt(op->operands[r.a]), cb = tdt(op->operands[r.b]), cc = tdt(op->operands[r.c]);
  if (!r.mx) {
    static const ptk_dtype triples[][3] = {{PTK_DT_I32, PTK_DT_I8, PTK_DT_I8},
                                           {PTK_DT_F32, PTK_DT_F16, PTK_DT_F16},
                                           {PTK_DT_F32, PTK_DT_BF16, PTK_DT_BF16},
                                           {PTK_DT_F32, PTK_DT_F32, PTK_DT_F32}};
    bool ok = false;
    for (size_t i = 0; i < PTK_ARRAY_LEN(triples); i++)
      ok |= triples[i][0] == cc && triples[i][1] == ca && triples[i][2] == cb;
    /* A5 (ptoas verifyMatmulTypeTriple): (f32, fp8, fp8) with any mix of
     * e4m3/e5m2, and (f32, hif8, hif8). */
    bool fp8a = ca == PTK_DT_F8E4M3FN || ca == PTK_DT_F8E5M2;
    bool fp8b = cb == PTK_DT_F8E4M3FN || cb == PTK_DT_F8E5M2;
    ok |= cc == PTK_DT_F32 && ((fp8a && fp8b) || (ca == PTK_DT_HIF8 && cb == PTK_DT_HIF8));
    if (!ok)
      VERR(c, op,
           "'%s' dtypes (C %s, A %s, B %s) are not a supported combination; (C, A, B) must be "
           "(i32, i8, i8), (f32, f16, f16), (f32, bf16, bf16) or (f32, f32, f32)",
           vop_name(op), dtname(C->elem), dtname(A->elem), dtname(B->elem));
  } else if (cc != PTK_DT_F32) {
    VERR(c, op, "'%s' C %s must have dtype f32, but has %s", vop_name(op),
         voperand(c, op, (uint32_t)r.c), dtname(C->elem));
  }
  /* ptoas compares the logical shapes: the valid dims where static, else
   * the physical ones (getMatmulLogicalShapeVec). */
#define LOGICAL(T, v, phys) ((T)->v != PTK_DYN ? (T)->v : (T)->phys)
  int64_t am = LOGICAL(A, v_row, rows), ak = LOGICAL(A, v_col, cols);
  int64_t bk = LOGICAL(B, v_row, rows), bn = LOGICAL(B, v_col, cols);
  int64_t cm = LOGICAL(C, v_row, rows), cn = LOGICAL(C, v_col, cols);
#undef LOGICAL
  if (am != cm)
    VERR(c, op, "'%s': A.rows (%" PRId64 ") must equal C.rows (%" PRId64 ")", vop_name(op), am, cm);
  if (ak != bk)
    VERR(c, op, "'%s': A.cols (%" PRId64 ") must equal B.rows (%" PRId64 ")", vop_name(op), ak, bk);
  if (bn != cn)
    VERR(c, op, "'%s': B.cols (%" PRId64 ") must equal C.cols (%" PRId64 ")", vop_name(op), bn, cn);
  if (r.cin >= 0) {
    const ptk_tile_desc *I = vtile(op->operands[r.cin]);
    if (!ptk_type_equal(I->elem, C->elem) || I->rows != C->rows || I->cols != C->cols)
      VERR(c, op,
           "'%s' Cin %s must have the dtype and shape of C (%s %" PRId64 "x%" PRId64
           "), but is %s %" PRId64 "x%" PRId64,
           vop_name(op), voperand(c, op, (uint32_t)r.cin), dtname(C->elem), C->rows, C->cols,
           dtname(I->elem), I->rows, I->cols);
  }
  if (r.bias >= 0) {
    const ptk_tile_desc *S = vtile(op->operands[r.bias]);
    if (!ptk_type_equal(S->elem, C->elem))
      VERR(c, op, "'%s' bias %s must have the dtype of C (%s), but has %s", vop_name(op),
           voperand(c, op, (uint32_t)r.bias), dtname(C->elem), dtname(S->elem));
    if (S->rows != 1 || S->cols != C->cols)
      VERR(c, op,
           "'%s' bias %s must be one row of C.cols (1x%" PRId64 "), but is %" PRId64 "x%" PRId64,
           vop_name(op), voperand(c, op, (uint32_t)r.bias), C->cols, S->rows, S->cols);
  }
}

/* ======================================================================
 * scf
 * ====================================================================== */

static void vfy_scf_for(vctx *c, ptk_op *op) {
  const ptk_type *lb = op->operands[0]->type;
  for (uint32_t i = 1; i < 3; i++)
    if (!ptk_type_equal(op->operands[i]->type, lb))
      VERR(c, op, "'scf.for' %s has type %s, but the lower bound has type %s", voperand(c, op, i),
           vty(c, op->operands[i]->type), vty(c, lb));
  uint32_t ninit = op->noperands - 3;
  if (op->nresults != ninit) {
    VERR(c, op, "'scf.for' has %" PRIu32 " iter_args but %" PRIu32 " %s", ninit, op->nresults,
         vplural(op->nresults, "result", "results"));
    return;
  }
  for (uint32_t i = 0; i < ninit; i++)
    if (!ptk_type_equal(op->results[i].type, op->operands[3 + i]->type))
      VERR(c, op,
           "'scf.for' result #%" PRIu32 " has type %s, but iter_args[%" PRIu32 "] has type %s", i,
           vty(c, op->results[i].type), i, vty(c, op->operands[3 + i]->type));
}

/* Block arguments of region ri against the types of the op's operands
 * (want_v) or results (want_r): count and types. `rname` names the region,
 * `what` the values compared with ("operand" / "result"). */
static void check_block_args(vctx *c, ptk_op *op, uint32_t ri, const char *rname,
                             ptk_value *const *want_v, const ptk_value *want_r, uint32_t n,
                             const char *what) {
  const ptk_block *b = op->regions[ri].first;
  if (!b) return;
  if (b->nargs != n) {
    VERR(c, op, "'%s' %s has %" PRIu32 " block %s, but the op has %" PRIu32 " %s%s", vop_name(op),
         rname, b->nargs, vplural(b->nargs, "argument", "arguments"), n, what, n == 1 ? "" : "s");
    return;
  }
  for (uint32_t i = 0; i < n; i++) {
    const ptk_type *w = want_v ? want_v[i]->type : want_r[i].type;
    const ptk_value *a = b->args[i];
    if (a && !ptk_type_equal(a->type, w))
      VERR(c, op, "'%s' %s argument #%" PRIu32 " has type %s, but %s #%" PRIu32 " has type %s",
           vop_name(op), rname, i, vty(c, a->type), what, i, vty(c, w));
  }
}

/* Whether v is defined inside region r (its block or an op's, at any depth). */
static bool defined_in(const ptk_value *v, const ptk_region *r) {
  const ptk_block *b = v->def ? v->def->block : v->block;
  while (b) {
    if (b->region == r) return true;
    const ptk_op *p = b->region ? b->region->op : NULL;
    b = p ? p->block : NULL;
  }
  return false;
}

static bool isolated_walk(vctx *c, const ptk_op *iso, const ptk_region *r, const ptk_region *top) {
  for (const ptk_block *b = r->first; b; b = b->next)
    for (ptk_op *o = b->first; o; o = o->next) {
      for (uint32_t i = 0; i < o->noperands; i++) {
        const ptk_value *v = o->operands[i];
        if (!v || defined_in(v, top)) continue;
        VERR(c, o, "'%s' inside '%s' uses %s from outside it; pass it as a capture (%s)", vop_name(o),
             vop_name(iso), vvalue(c, v), voperand(c, o, i));
        note_parent(c, iso);
        return false;
      }
      for (uint32_t k = 0; k < o->nregions; k++)
        if (!isolated_walk(c, iso, &o->regions[k], top)) return false;
    }
  return true;
}

/* pto.strict_vecscope is IsolatedFromAbove: its body sees its block
 * arguments and its own values only. */
static void check_isolated(vctx *c, ptk_op *op) { isolated_walk(c, op, &op->regions[0], &op->regions[0]); }

void vop_regions_pre(vctx *c, ptk_op *op) {
  switch (op->kind) {
  case PTK_OP_SCF_FOR: {
    const ptk_block *b = op->regions[0].first;
    uint32_t ninit = op->noperands - 3;
    if (b->nargs != 1 + ninit) {
      VERR(c, op,
           "'scf.for' body has %" PRIu32 " block %s, but needs %" PRIu32
           " (the induction variable and %" PRIu32 " iter_args)",
           b->nargs, vplural(b->nargs, "argument", "arguments"), 1 + ninit, ninit);
      return;
    }
    if (b->args[0] && !ptk_type_equal(b->args[0]->type, op->operands[0]->type))
      VERR(c, op, "'scf.for' induction variable has type %s, but the bounds have type %s",
           vty(c, b->args[0]->type), vty(c, op->operands[0]->type));
    for (uint32_t i = 0; i < ninit; i++) {
      const ptk_value *a = b->args[1 + i];
      if (a && !ptk_type_equal(a->type, op->operands[3 + i]->type))
        VERR(c, op,
             "'scf.for' body argument #%" PRIu32 " has type %s, but iter_args[%" PRIu32
             "] has type %s",
             1 + i, vty(c, a->type), i, vty(c, op->operands[3 + i]->type));
    }
    break;
  }
  case PTK_OP_SCF_IF:
    for (uint32_t i = 0; i < 2; i++) {
      const ptk_block *b = op->regions[i].first;
      if (b && b->nargs)
        VERR(c, op, "'scf.if' %s region must not have block arguments", i ? "else" : "then");
    }
    if (op->nresults && !op->regions[1].first)
      VERR(c, op, "'scf.if' has %s but no else region",
           vplural(op->nresults, "a result", "results"));
    break;
  case PTK_OP_SCF_WHILE:
    check_block_args(c, op, 0, "before-region", op->operands, NULL, op->noperands, "operand");
    check_block_args(c, op, 1, "do-region", NULL, op->results, op->nresults, "result");
    break;
  case PTK_OP_SECTION_CUBE:
  case PTK_OP_SECTION_VECTOR:
  case PTK_OP_FUSION_REGION: /* ptoas FusionRegionOp::verify */
    if (op->regions[0].first->nargs)
      VERR(c, op, "'%s' region must not have block arguments", vop_name(op));
    break;
  case PTK_OP_STRICT_VECSCOPE: /* ptoas StrictVecScopeOp::verify: one argument per capture */
    check_block_args(c, op, 0, "body", op->operands, NULL, op->noperands, "capture");
    check_isolated(c, op);
    break;
  default: break;
  }
}

/* A terminator's values against expected types. `expect` names what they
 * are checked against ("iter_args", "results", "operands"). */
static void check_term_values(vctx *c, ptk_op *term, uint32_t first, const ptk_op *parent,
                              const ptk_type *const *want_t, ptk_value *const *want_v,
                              const ptk_value *want_r, uint32_t n, const char *verb,
                              const char *expect_one, const char *expect_many) {
  uint32_t got = term->noperands - first;
  if (got != n) {
    VERR(c, term, "'%s' %s %" PRIu32 " %s but '%s' has %" PRIu32 " %s", vop_name(term), verb, got,
         vplural(got, "value", "values"), vop_name(parent), n, vplural(n, expect_one, expect_many));
    note_parent(c, parent);
    return;
  }
  for (uint32_t i = 0; i < n; i++) {
    const ptk_type *w = want_t ? want_t[i] : want_v ? want_v[i]->type : want_r[i].type;
    const ptk_value *v = term->operands[first + i];
    if (ptk_type_equal(v->type, w)) continue;
    VERR(c, term, "'%s' value #%" PRIu32 " has type %s, but '%s' %s #%" PRIu32 " has type %s",
         vop_name(term), i, vty(c, v->type), vop_name(parent), expect_one, i, vty(c, w));
    note_parent(c, parent);
  }
}

void vop_regions_post(vctx *c, ptk_op *op, ptk_op *const *term) {
  switch (op->kind) {
  case PTK_OP_SCF_FOR: {
    uint32_t ninit = op->noperands - 3;
    ptk_op *t = term[0];
    if (!t) {
      if (ninit)
        VERR(c, op, "'scf.for' body must end with 'scf.yield' (the loop has %" PRIu32 " %s)", ninit,
             vplural(ninit, "iter_arg", "iter_args"));
      return;
    }
    if (t->kind != PTK_OP_SCF_YIELD) return; /* reported at the terminator */
    check_term_values(c, t, 0, op, NULL, op->operands + 3, NULL, ninit, "yields", "iter_arg",
                      "iter_args");
    break;
  }
  case PTK_OP_SCF_IF:
    for (uint32_t i = 0; i < 2; i++) {
      if (!op->regions[i].first) continue;
      ptk_op *t = term[i];
      if (!t) {
        if (op->nresults)
          VERR(c, op, "'scf.if' %s region must end with 'scf.yield' (the op has %" PRIu32 " %s)",
               i ? "else" : "then", op->nresults, vplural(op->nresults, "result", "results"));
        continue;
      }
      if (t->kind != PTK_OP_SCF_YIELD) continue;
      check_term_values(c, t, 0, op, NULL, NULL, op->results, op->nresults, "yields", "result",
                        "results");
    }
    break;
  case PTK_OP_SCF_WHILE: {
    ptk_op *t = term[0];
    if (!t)
      VERR(c, op, "'scf.while' before-region must end with 'scf.condition'");
    else if (t->kind == PTK_OP_SCF_CONDITION)
      check_term_values(c, t, 1, op, NULL, NULL, op->results, op->nresults, "forwards", "result",
                        "results");
    t = term[1];
    if (!t)
      VERR(c, op, "'scf.while' do-region must end with 'scf.yield'");
    else if (t->kind == PTK_OP_SCF_YIELD)
      check_term_values(c, t, 0, op, NULL, op->operands, NULL, op->noperands, "yields", "operand",
                        "operands");
    break;
  }
  case PTK_OP_FUSION_REGION: { /* ptoas FusionRegionOp::verify */
    ptk_op *t = term[0];
    if (!t)
      VERR(c, op, "'pto.fusion_region' body must end with 'pto.yield'");
    else if (t->kind == PTK_OP_PTO_YIELD)
      check_term_values(c, t, 0, op, NULL, NULL, op->results, op->nresults, "yields", "result", "results");
    break;
  }
  default: break;
  }
}

/* ======================================================================
 * Attributes
 * ====================================================================== */

enum {
  AK_INT = 1 << 0,
  AK_BOOL = 1 << 1, /* true/false or unit */
  AK_STRING = 1 << 2,
  AK_SYMBOL = 1 << 3,
  AK_ENUM = 1 << 4,
  AK_INTS = 1 << 5, /* [1, 2] or array<i64: 1, 2> */
};

typedef struct {
  const char *name;
  unsigned kinds;
  const char *enums; /* AK_ENUM: allowed mnemonics, comma-separated (NULL: any) */
} attr_spec;

/* Kinds of attributes whose ATTRS entry in ops.def carries no `:kind`
 * (the table's kind wins when it has one). Names in neither accept anything. */
static const attr_spec attr_specs[] = {
    {"accPhase", AK_ENUM, "acc_phase"},
    {"accToVecMode", AK_ENUM, "acc_to_vec_mode"},
    {"atomicType", AK_ENUM, "atomic_type"},
    {"auto", AK_BOOL, NULL},
    {"buf_id", AK_INT, NULL},
    {"callee", AK_SYMBOL, NULL},
    {"cmpMode", AK_ENUM, "cmp"},
    {"core_type", AK_ENUM, "sync_core_type"},
    {"descending", AK_BOOL, NULL},
    {"dir_mask", AK_INT, NULL},
    {"dst_op", AK_ENUM, "pipe_event_type,sync_op_type"},
    {"dst_pipe", AK_ENUM, "pipe"},
    {"event_id", AK_ENUM | AK_INT, "event"},
    {"exhausted", AK_BOOL, NULL},
    {"flag_base", AK_INT, NULL},
    {"format", AK_STRING, NULL},
    {"id", AK_INT, NULL},
    {"init_out_buffer", AK_BOOL, NULL},
    {"isBinary", AK_BOOL, NULL},
    {"layout", AK_ENUM, "layout"},
    {"location", AK_ENUM, "address_space"},
    {"maskPattern", AK_ENUM, "mask_pattern"},
    {"name", AK_STRING, NULL},
    {"op_type", AK_ENUM | AK_STRING, "pipe_event_type,sync_op_type"}, /* VPTO: "PIPE_V" */
    {"pad_mode", AK_ENUM, "pad_mode,pad_value"},
    {"peer_func", AK_SYMBOL, NULL},
    {"pipe", AK_ENUM, "pipe"},
    {"predicate", AK_INT, NULL},
    {"quant_type", AK_ENUM, "quant_type"},
    {"reluPreMode", AK_ENUM, "relu_pre_mode"},
    {"rmode", AK_ENUM, "round_mode"},
    {"sat_mode", AK_ENUM, "saturation_mode"},
    {"scope", AK_ENUM, "fence_scope"},
    {"size", AK_INT, NULL},
    {"sizes", AK_INTS, NULL},
    {"slot_num", AK_INT, NULL},
    {"slot_size", AK_INT, NULL},
    {"split", AK_INT, NULL},
    {"src_op", AK_ENUM, "pipe_event_type,sync_op_type"},
    {"src_pipe", AK_ENUM, "pipe"},
    {"stPhase", AK_ENUM, "st_phase"},
    {"upperOrLower", AK_INT, NULL},
};

static const attr_spec *find_spec(const char *name) {
  for (size_t i = 0; i < PTK_ARRAY_LEN(attr_specs); i++)
    if (strcmp(attr_specs[i].name, name) == 0) return &attr_specs[i];
  return NULL;
}

static bool in_list(const char *list, const char *s) {
  size_t n = strlen(s);
  for (const char *p = list; *p;) {
    const char *e = strchr(p, ',');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    if (len == n && !memcmp(p, s, n)) return true;
    if (!e) break;
    p = e + 1;
  }
  return false;
}

static bool attr_kind_ok(const attr_spec *sp, const ptk_attr *a) {
  unsigned k = sp->kinds;
  switch (a->kind) {
  case PTK_ATTR_INT: return k & AK_INT;
  case PTK_ATTR_BOOL:
  case PTK_ATTR_UNIT: return k & AK_BOOL;
  case PTK_ATTR_STRING: return k & AK_STRING;
  case PTK_ATTR_SYMBOL: return k & AK_SYMBOL;
  case PTK_ATTR_ENUM:
    return (k & AK_ENUM) && (!sp->enums || !a->en.mnemonic || in_list(sp->enums, a->en.mnemonic));
  case PTK_ATTR_DENSE_ARRAY: return (k & AK_INTS) && a->dense.i;
  case PTK_ATTR_ARRAY:
    if (!(k & AK_INTS)) return false;
    for (uint32_t i = 0; i < a->arr.n; i++)
      if (!a->arr.items[i] || a->arr.items[i]->kind != PTK_ATTR_INT) return false;
    return true;
  default: return false;
  }
}

static void describe_kinds(const attr_spec *sp, ptk_buf *b) {
  bool first = true;
#define ALT(s)                                                                                     \
  do {                                                                                             \
    if (!first) ptk_buf_puts(b, " or ");                                                           \
    ptk_buf_puts(b, s);                                                                            \
    first = false;                                                                                 \
  } while (0)
  if (sp->kinds & AK_ENUM) {
    if (sp->enums) {
      for (const char *p = sp->enums; *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        char mn[64];
        snprintf(mn, sizeof mn, "%.*s", (int)len, p);
        const ptk_enum_info *ei = ptk_enum_lookup(mn);
        if (!first) ptk_buf_puts(b, " or ");
        if (ei && ei->spelling == PTK_ENUM_ANGLE)
          ptk_buf_printf(b, "a '%s' enum (#pto<%s …>)", mn, mn);
        else
          ptk_buf_printf(b, "a '%s' enum (#pto.%s<…>)", mn, mn);
        first = false;
        if (!e) break;
        p = e + 1;
      }
    } else {
      ALT("an enum");
    }
  }
  if (sp->kinds & AK_INT) ALT("an integer");
  if (sp->kinds & AK_BOOL) ALT("a boolean");
  if (sp->kinds & AK_STRING) ALT("a string");
  if (sp->kinds & AK_SYMBOL) ALT("a symbol reference");
  if (sp->kinds & AK_INTS) ALT("an array of integers");
#undef ALT
}

static void check_enum_value(vctx *c, ptk_op *op, const char *name, const ptk_attr *a) {
  if (a->kind != PTK_ATTR_ENUM || !a->en.dialect || strcmp(a->en.dialect, "pto") != 0 ||
      !a->en.mnemonic || !a->en.value)
    return;
  if (ptk_enum_value_ok(a->en.mnemonic, a->en.value)) return;
  ptk_buf b = {0};
  const ptk_enum_info *ei = ptk_enum_lookup(a->en.mnemonic);
  if (ei && ei->values)
    for (size_t i = 0; ei->values[i]; i++)
      ptk_buf_printf(&b, "%s%s", i ? (ei->values[i + 1] ? ", " : " or ") : "", ei->values[i]);
  VERR(c, op, "'%s' attribute '%s' has invalid value '%s' for enum '%s'%s%s%s", vop_name(op), name,
       a->en.value, a->en.mnemonic, b.len ? " (expected " : "", ptk_buf_cstr(&b), b.len ? ")" : "");
  ptk_buf_free(&b);
}

/* The kind an ATTRS entry gives (`name:enum`, `name:#enum`, `name:i32`),
 * as an attr_spec; false when the entry has no kind. */
static bool table_spec(const char *kind, size_t klen, attr_spec *sp, char *buf, size_t bufsz) {
  if (klen == 0 || klen >= bufsz) return false;
  if (kind[0] == '#') {
    kind++;
    klen--;
  }
  memcpy(buf, kind, klen);
  buf[klen] = 0;
  const char *digits = NULL; /* i32, si8, ui16… */
  if (buf[0] == 'i')
    digits = buf + 1;
  else if ((buf[0] == 's' || buf[0] == 'u') && buf[1] == 'i')
    digits = buf + 2;
  bool is_int = !strcmp(buf, "index") ||
                (digits && *digits && strspn(digits, "0123456789") == strlen(digits));
  if (is_int) {
    *sp = (attr_spec){NULL, AK_INT, NULL};
  } else {
    *sp = (attr_spec){NULL, AK_ENUM, buf};
  }
  return true;
}

void vop_check_attrs(vctx *c, ptk_op *op) {
  const ptk_op_desc *d = ptk_op_desc_of(op->kind);
  char kbuf[64];
  for (uint32_t i = 0; i < d->nattrs; i++) {
    const ptk_attr_desc *ad = &d->attrs[i];
    const ptk_attr *a = ptk_op_attr(op, ad->name);
    if (!a) {
      if (ad->required) VERR(c, op, "'%s' requires attribute '%s'", vop_name(op), ad->name);
      continue;
    }
    attr_spec tsp;
    const attr_spec *sp =
        table_spec(ad->kind, strlen(ad->kind), &tsp, kbuf, sizeof kbuf) ? &tsp : find_spec(ad->name);
    if (!sp || attr_kind_ok(sp, a)) continue;
    ptk_buf want = {0}, got = {0};
    describe_kinds(sp, &want);
    ptk_attr_print(a, &got);
    VERR(c, op, "'%s' attribute '%s' must be %s, but is %s", vop_name(op), ad->name,
         ptk_buf_cstr(&want), ptk_buf_cstr(&got));
    ptk_buf_free(&want);
    ptk_buf_free(&got);
  }
  for (uint32_t i = 0; i < op->nattrs; i++)
    if (op->attrs[i].value) check_enum_value(c, op, op->attrs[i].name, op->attrs[i].value);
}

/* ======================================================================
 * Dispatch
 * ====================================================================== */

/* Op-specific hooks, by PTK_OP_<ID>. Families with one rule for all their
 * ops (arith, func.call) and the matmul flag are dispatched on the FAM /
 * FLAGS columns. */
typedef void (*vhook)(vctx *c, ptk_op *op);

static const vhook local_hooks[PTK_OP__COUNT] = {
    [PTK_OP_SCF_FOR] = vfy_scf_for,
    [PTK_OP_MAKE_TENSOR_VIEW] = vfy_make_tensor_view,
    [PTK_OP_PARTITION_VIEW] = vfy_partition_view,
    [PTK_OP_ALLOC_TILE] = vfy_alloc_tile,
    [PTK_OP_SUBVIEW] = vfy_subview,
    [PTK_OP_TRESHAPE] = vfy_reinterpret,
    [PTK_OP_BITCAST] = vfy_reinterpret,
    [PTK_OP_LOAD_SCALAR] = vfy_scalar_access,
    [PTK_OP_STORE_SCALAR] = vfy_scalar_access,
    [PTK_OP_ADDPTR] = vfy_addptr,
    [PTK_OP_TLOAD] = vfy_tload,
    [PTK_OP_TSTORE] = vfy_tstore,
    [PTK_OP_TCVT] = vfy_tcvt,
    [PTK_OP_TTRI] = vfy_ttri,
    [PTK_OP_AIC_INITIALIZE_PIPE] = vfy_init_pipe,
    [PTK_OP_AIV_INITIALIZE_PIPE] = vfy_init_pipe,
    [PTK_OP_TGATHER] = vfy_gather_mask,
    [PTK_OP_TSCATTER] = vfy_gather_mask,
    [PTK_OP_THISTOGRAM] = vfy_thistogram,
    [PTK_OP_TPRINT] = vfy_tprint,
    [PTK_OP_TROWEXPANDDIV] = vfy_high_precision_tmp,
    [PTK_OP_TRSQRT] = vfy_high_precision_tmp,
    [PTK_OP_TGET_SCALE_ADDR] = vfy_tget_scale_addr,
    [PTK_OP_TROWSUM] = vfy_row_reduction,
    [PTK_OP_TROWMAX] = vfy_row_reduction,
    [PTK_OP_TROWMIN] = vfy_row_reduction,
    [PTK_OP_TROWPROD] = vfy_row_reduction,
    [PTK_OP_TROWARGMAX] = vfy_row_reduction,
    [PTK_OP_TROWARGMIN] = vfy_row_reduction,
    [PTK_OP_TCOLSUM] = vfy_col_reduction,
    [PTK_OP_TCOLMAX] = vfy_col_reduction,
    [PTK_OP_TCOLMIN] = vfy_col_reduction,
    [PTK_OP_TCOLPROD] = vfy_col_reduction,
    [PTK_OP_TCOLARGMAX] = vfy_col_reduction,
    [PTK_OP_TCOLARGMIN] = vfy_col_reduction,
    [PTK_OP_TROWEXPAND] = vfy_trowexpand,
    [PTK_OP_TCMP] = vfy_tcmp,
    [PTK_OP_TCMPS] = vfy_tcmp,
};

void vop_check(vctx *c, ptk_op *op) {
  const ptk_op_info *info = ptk_op_info_of(op->kind);
  vhook h = local_hooks[op->kind];
  vop_check_ptoas(c, op);
  if (h) {
    h(c, op);
    return;
  }
  if (info->flags & PTK_OPF_MATMUL) {
    vfy_matmul(c, op);
    return;
  }
  switch (info->family) {
  case PTK_FAM_CONSTANT: check_constant(c, op); break;
  case PTK_FAM_ARITH: same_types(c, op, 0, 1); break;
  case PTK_FAM_ARITH_CMP: check_cmp(c, op); break;
  case PTK_FAM_ARITH_SELECT: check_select(c, op); break;
  case PTK_FAM_ARITH_CAST: check_cast(c, op); break;
  case PTK_FAM_ARITH_EXT: check_arith_ext(c, op); break;
  case PTK_FAM_CALL: vfy_call(c, op); break;
  default: break;
  }
}
