/* The orchestration IR: types and the verifier (orch_ir.h). */
#include "runtime/program/orch_ir.h"

#include <stdio.h>
#include <string.h>

/* ---- types ---------------------------------------------------------------------------------------------- */

const ptk_type *ptk_orch_tensor_type(ptk_module *m, ptk_tdtype dt, int rank, const int64_t *dims) {
  ptk_buf b = {0};
  ptk_buf_puts(&b, "!ptk.tensor<");
  for (int i = 0; i < rank; i++) {
    if (dims[i] < 0)
      ptk_buf_puts(&b, "?x");
    else
      ptk_buf_printf(&b, "%lldx", (long long)dims[i]);
  }
  ptk_buf_printf(&b, "%s>", ptk_tdtype_name(dt));
  const ptk_type *t = ptk_type_opaque(m, ptk_buf_cstr(&b), b.len);
  ptk_buf_free(&b);
  return t;
}

bool ptk_orch_tensor_of(const ptk_type *t, ptk_tdtype *dt, int *rank, int64_t *dims) {
  if (!t || t->kind != PTK_TY_OPAQUE || strncmp(t->text, "!ptk.tensor<", 12)) return false;
  const char *p = t->text + 12;
  size_t n = strlen(p);
  if (!n || p[n - 1] != '>') return false;
  n--;
  int r = 0;
  for (;;) {
    const char *x = memchr(p, 'x', n);
    if (!x) break;
    /* a dimension: digits or '?' followed by 'x' */
    int64_t v = 0;
    if (x == p + 1 && *p == '?') {
      v = -1;
    } else {
      if (x == p) return false;
      for (const char *q = p; q < x; q++) {
        if (*q < '0' || *q > '9' || v > INT64_MAX / 10 - 9) return false;
        v = v * 10 + (*q - '0');
      }
    }
    if (r >= PTK_TENSOR_MAX_RANK) return false;
    dims[r++] = v;
    n -= (size_t)(x + 1 - p);
    p = x + 1;
  }
  if (r < 1 || !ptk_tdtype_parse(p, n, dt)) return false;
  *rank = r;
  return true;
}

const ptk_type *ptk_orch_task_type(ptk_module *m) { return ptk_type_opaque(m, "!ptk.task", 9); }
bool ptk_orch_is_task(const ptk_type *t) { return t && t->kind == PTK_TY_OPAQUE && !strcmp(t->text, "!ptk.task"); }

bool ptk_func_is_program(const ptk_func *f) { return f && ptk_func_attr(f, "ptk.program") != NULL; }

ptk_func *ptk_orch_find(const ptk_module *m) {
  for (uint32_t i = 0; i < m->nitems; i++) {
    const ptk_module_item *it = &m->items[i];
    ptk_func *f = it->kind == PTK_ITEM_FUNC ? (ptk_func_is_program(it->func) ? it->func : NULL)
                                            : ptk_orch_find(it->module);
    if (f) return f;
  }
  return NULL;
}

/* ---- the verifier ----------------------------------------------------------------------------------- */

typedef struct vctx {
  ptk_diags *d;
  bool ok;
} vctx;

static void verr(vctx *c, const ptk_op *op, const char *fmt, ...) PTK_PRINTF(3, 4);
static void verr(vctx *c, const ptk_op *op, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  ptk_diag_emitv(c->d, PTK_SEV_ERROR, NULL, ptk_op_range(op), fmt, ap);
  va_end(ap);
  c->ok = false;
}

static bool is_i64(const ptk_type *t) { return ptk_type_is_scalar(t, PTK_DT_I64); }
static bool is_scalar_value(const ptk_type *t) {
  return ptk_type_is_scalar(t, PTK_DT_I64) || ptk_type_is_scalar(t, PTK_DT_F64) || ptk_type_is_scalar(t, PTK_DT_I1);
}
static char *tstr(const ptk_type *t) { return t ? ptk_type_str(t) : ptk_xstrdup("none"); }

/* operands [first, first + n) are i64 */
static bool ints(vctx *c, const ptk_op *op, uint32_t first, uint32_t n, const char *what) {
  for (uint32_t i = first; i < first + n && i < op->noperands; i++)
    if (!is_i64(op->operands[i]->type)) {
      char *s = tstr(op->operands[i]->type);
      verr(c, op, "'%s': operand %u (%s) must be i64, got %s", ptk_op_table[op->kind].name, i, what, s);
      free(s);
      return false;
    }
  return true;
}

static bool tensor_operand(vctx *c, const ptk_op *op, uint32_t i, ptk_tdtype *dt, int *rank, int64_t *dims) {
  if (i < op->noperands && ptk_orch_tensor_of(op->operands[i]->type, dt, rank, dims)) return true;
  char *s = i < op->noperands ? tstr(op->operands[i]->type) : ptk_xstrdup("nothing");
  verr(c, op, "'%s': operand %u must be a host tensor (!ptk.tensor<…>), got %s", ptk_op_table[op->kind].name, i, s);
  free(s);
  return false;
}

static bool tensor_result(vctx *c, const ptk_op *op, ptk_tdtype *dt, int *rank, int64_t *dims) {
  if (op->nresults == 1 && ptk_orch_tensor_of(op->results[0].type, dt, rank, dims)) return true;
  char *s = op->nresults ? tstr(op->results[0].type) : ptk_xstrdup("nothing");
  verr(c, op, "'%s': the result must be a host tensor (!ptk.tensor<…>), got %s", ptk_op_table[op->kind].name, s);
  free(s);
  return false;
}

/* Scalar arithmetic: arith.*, and the math ops '**' and float '//' trace to. */
static bool scalar_op(ptk_op_kind k) {
  return !strncmp(ptk_op_table[k].name, "arith.", 6) || k == PTK_OP_MATH_POWF || k == PTK_OP_MATH_FLOOR ||
         k == PTK_OP_MATH_IPOWI;
}

static bool allowed_in_program(ptk_op_kind k) {
  const char *n = ptk_op_table[k].name;
  return scalar_op(k) || !strncmp(n, "ptk.", 4) || k == PTK_OP_SCF_FOR || k == PTK_OP_SCF_IF ||
         k == PTK_OP_SCF_YIELD || k == PTK_OP_FUNC_RETURN;
}

static void verify_region(vctx *c, const ptk_region *r);

static void verify_op(vctx *c, const ptk_op *op) {
  const char *name = ptk_op_table[op->kind].name;
  if (!allowed_in_program(op->kind)) {
    verr(c, op, "'%s' cannot appear in a program function (it has arith, math.powf, math.ipowi, math.floor, scf.for, scf.if and the ptk.* ops)", name);
    return;
  }
  ptk_tdtype dt, dt2;
  int rank, rank2;
  int64_t dims[PTK_TENSOR_MAX_RANK], dims2[PTK_TENSOR_MAX_RANK];
  switch (op->kind) {
  case PTK_OP_PTK_ALLOC_TENSOR: {
    if (!tensor_result(c, op, &dt, &rank, dims)) return;
    uint32_t ndyn = 0;
    for (int i = 0; i < rank; i++) ndyn += dims[i] < 0;
    if (op->noperands != ndyn) {
      verr(c, op, "'ptk.alloc_tensor': %u operand%s for %u dynamic dimension%s of the result", op->noperands,
           op->noperands == 1 ? "" : "s", ndyn, ndyn == 1 ? "" : "s");
      return;
    }
    ints(c, op, 0, op->noperands, "a dynamic dimension");
    return;
  }
  case PTK_OP_PTK_DIM: {
    if (!tensor_operand(c, op, 0, &dt, &rank, dims)) return;
    int64_t k;
    if (!ptk_attr_get_int(ptk_op_attr(op, "dim"), &k) || k < 0 || k >= rank) {
      verr(c, op, "'ptk.dim': 'dim' must be an integer from 0 to %d", rank - 1);
      return;
    }
    if (!is_i64(op->results[0].type)) verr(c, op, "'ptk.dim': the result must be i64");
    return;
  }
  case PTK_OP_PTK_SLICE: {
    if (!tensor_operand(c, op, 0, &dt, &rank, dims) || !tensor_result(c, op, &dt2, &rank2, dims2)) return;
    if (op->noperands != 1 + 2 * (uint32_t)rank) {
      verr(c, op, "'ptk.slice' of a rank-%d tensor takes the tensor, %d offsets and %d sizes (%d operands), got %u",
           rank, rank, rank, 1 + 2 * rank, op->noperands);
      return;
    }
    if (!ints(c, op, 1, 2 * (uint32_t)rank, "an offset or size")) return;
    if (dt2 != dt || rank2 != rank) {
      char *a = tstr(op->operands[0]->type), *b = tstr(op->results[0].type);
      verr(c, op, "'ptk.slice': the result %s must have the element type and rank of the source %s", b, a);
      free(a), free(b);
      return;
    }
    for (int i = 0; i < rank; i++)
      if (dims[i] >= 0 && dims2[i] > dims[i]) {
        verr(c, op, "'ptk.slice': dimension %d of the result (%lld) exceeds the source's (%lld)", i,
             (long long)dims2[i], (long long)dims[i]);
        return;
      }
    return;
  }
  case PTK_OP_PTK_NO_DEP:
    if (!tensor_operand(c, op, 0, &dt, &rank, dims) || !tensor_result(c, op, &dt2, &rank2, dims2)) return;
    if (!ptk_type_equal(op->operands[0]->type, op->results[0].type))
      verr(c, op, "'ptk.no_dep': the result must have the operand's type");
    return;
  case PTK_OP_PTK_READ_SCALAR: {
    if (!tensor_operand(c, op, 0, &dt, &rank, dims)) return;
    if (op->noperands != 1 + (uint32_t)rank) {
      verr(c, op, "'ptk.read_scalar' of a rank-%d tensor takes the tensor and %d indices, got %u operands", rank,
           rank, op->noperands);
      return;
    }
    if (!ints(c, op, 1, (uint32_t)rank, "an index")) return;
    ptk_dtype want = ptk_tdtype_is_float(dt) ? PTK_DT_F64 : dt == PTK_TD_BOOL ? PTK_DT_I1 : PTK_DT_I64;
    if (!ptk_type_is_scalar(op->results[0].type, want)) {
      char *s = tstr(op->results[0].type);
      verr(c, op, "'ptk.read_scalar': an element of %s is read as %s, got %s", ptk_tdtype_name(dt),
           ptk_dtype_name(want), s);
      free(s);
    }
    return;
  }
  case PTK_OP_PTK_LAUNCH: {
    const ptk_attr *k = ptk_op_attr(op, "kernel");
    if (!k || k->kind != PTK_ATTR_STRING || !k->str.len) {
      verr(c, op, "'ptk.launch' needs kernel = \"NAME\" (the kernel as launched)");
      return;
    }
    if (!ints(c, op, 0, 1, "the block count")) return;
    bool tasks = false;
    for (uint32_t i = 1; i < op->noperands; i++) {
      const ptk_type *t = op->operands[i]->type;
      if (ptk_orch_is_task(t)) {
        tasks = true;
        continue;
      }
      if (tasks) {
        verr(c, op, "'ptk.launch': operand %u follows a task: the kernel's arguments come first, the tasks it "
             "depends on last", i);
        return;
      }
      if (!is_scalar_value(t) && !ptk_orch_tensor_of(t, &dt, &rank, dims)) {
        char *s = tstr(t);
        verr(c, op, "'ptk.launch': argument %u is %s; a kernel takes host tensors and i64, f64 or i1 scalars", i, s);
        free(s);
        return;
      }
    }
    if (!ptk_orch_is_task(op->results[0].type)) verr(c, op, "'ptk.launch': the result must be !ptk.task");
    return;
  }
  case PTK_OP_PTK_FREE: {
    if (!tensor_operand(c, op, 0, &dt, &rank, dims)) return;
    const ptk_op *def = op->operands[0]->def;
    if (!def || def->kind != PTK_OP_PTK_ALLOC_TENSOR) {
      verr(c, op, "'ptk.free' frees a tensor of ptk.alloc_tensor, not a parameter or a view");
      return;
    }
    return;
  }
  default: break;
  }
  /* arith: i64, f64 and i1 values, each operand of the kind its row's SIG names */
  if (scalar_op(op->kind)) {
    for (uint32_t i = 0; i < op->nresults; i++)
      if (!is_scalar_value(op->results[i].type)) {
        char *s = tstr(op->results[i].type);
        verr(c, op, "'%s' in a program computes i64, f64 or i1 values, got %s", name, s);
        free(s);
        return;
      }
    const ptk_op_desc *od = ptk_op_desc_of(op->kind);
    uint32_t k = 0;
    for (uint32_t i = 0; i < od->nsig && k < op->noperands; i++) {
      const ptk_sig_item *it = &od->sig[i];
      if (it->result || it->quant == '*') break;
      const ptk_type *t = op->operands[k]->type;
      bool ok = it->kind == 'n'   ? ptk_type_is_scalar(t, PTK_DT_I64) || ptk_type_is_scalar(t, PTK_DT_I1)
                : it->kind == 'f' ? ptk_type_is_scalar(t, PTK_DT_F64)
                : it->kind == 'b' ? ptk_type_is_scalar(t, PTK_DT_I1)
                                  : is_scalar_value(t);
      if (!ok) {
        char *s = tstr(t);
        verr(c, op, "'%s': operand %u must be %s, got %s", name, k,
             it->kind == 'n' ? "i64 or i1" : it->kind == 'f' ? "f64" : it->kind == 'b' ? "i1" : "i64, f64 or i1", s);
        free(s);
        return;
      }
      k++;
    }
  }
  if (op->kind == PTK_OP_SCF_IF && (op->noperands != 1 || !ptk_type_is_scalar(op->operands[0]->type, PTK_DT_I1))) {
    verr(c, op, "'scf.if': the condition must be i1");
    return;
  }
  if (op->kind == PTK_OP_SCF_FOR && op->noperands >= 3) {
    if (!ints(c, op, 0, 3, "a loop bound")) return;
    const ptk_block *b = op->regions[0].first;
    if (!b || b->nargs != op->noperands - 2 || op->nresults != op->noperands - 3) {
      verr(c, op, "'scf.for': the body takes the induction variable and one argument per iter_arg");
      return;
    }
    for (uint32_t i = 3; i < op->noperands; i++)
      if (!ptk_type_equal(op->operands[i]->type, b->args[i - 2]->type) ||
          !ptk_type_equal(op->operands[i]->type, op->results[i - 3].type)) {
        verr(c, op, "'scf.for': iter_arg %u, its block argument and its result must have one type", i - 3);
        return;
      }
  }
  for (uint32_t i = 0; i < op->nregions; i++) verify_region(c, &op->regions[i]);
  if ((op->kind == PTK_OP_SCF_FOR || op->kind == PTK_OP_SCF_IF) && op->nresults) {
    for (uint32_t i = 0; i < op->nregions; i++) {
      const ptk_block *b = op->regions[i].last;
      const ptk_op *y = b ? b->last : NULL;
      if (!y || y->kind != PTK_OP_SCF_YIELD) {
        if (b || op->kind == PTK_OP_SCF_FOR) verr(c, op, "'%s' with results: every region ends in scf.yield", name);
        continue;
      }
      if (y->noperands != op->nresults) {
        verr(c, y, "'scf.yield': %u value%s for %u result%s", y->noperands, y->noperands == 1 ? "" : "s",
             op->nresults, op->nresults == 1 ? "" : "s");
        continue;
      }
      for (uint32_t k = 0; k < y->noperands; k++)
        if (!ptk_type_equal(y->operands[k]->type, op->results[k].type)) {
          char *a = tstr(y->operands[k]->type), *b2 = tstr(op->results[k].type);
          verr(c, y, "'scf.yield': value %u is %s but result %u of '%s' is %s (a value carried across loop "
               "iterations or out of an 'if' keeps one type)", k, a, k, name, b2);
          free(a), free(b2);
        }
    }
  }
}

static void verify_region(vctx *c, const ptk_region *r) {
  for (const ptk_block *b = r->first; b; b = b->next)
    for (const ptk_op *op = b->first; op; op = op->next) verify_op(c, op);
}

bool ptk_orch_verify(ptk_func *f, ptk_diags *d) {
  vctx c = {d, true};
  ptk_range at = ptk_range_at(f->loc, 1);
  if (!f->body) {
    ptk_error(d, at, "program function @%s has no body", f->name);
    return false;
  }
  if (f->nresults) {
    ptk_error(d, at, "program function @%s returns nothing: its results go to out tensors", f->name);
    c.ok = false;
  }
  for (uint32_t i = 0; i < f->nargs; i++) {
    const ptk_type *t = f->arg_types[i];
    ptk_tdtype dt;
    int rank;
    int64_t dims[PTK_TENSOR_MAX_RANK];
    ptk_range ai = ptk_range_at(ptk_func_arg_loc(f, i), 1);
    const ptk_attr *aa = f->arg_attrs ? f->arg_attrs[i] : NULL;
    const ptk_attr *dir = aa && aa->kind == PTK_ATTR_DICT ? ptk_attrs_get(aa->dict.items, aa->dict.n, "ptk.dir") : NULL;
    if (ptk_orch_tensor_of(t, &dt, &rank, dims)) {
      if (!dir || dir->kind != PTK_ATTR_STRING ||
          (strcmp(dir->str.s, "in") && strcmp(dir->str.s, "out") && strcmp(dir->str.s, "inout"))) {
        ptk_error(d, ai, "tensor argument %u of program @%s needs {ptk.dir = \"in\" | \"out\" | \"inout\"}", i,
                  f->name);
        c.ok = false;
      }
    } else if (!is_scalar_value(t)) {
      char *s = tstr(t);
      ptk_error(d, ai, "argument %u of program @%s is %s; a program takes host tensors and i64, f64 or i1 scalars", i,
                f->name, s);
      free(s);
      c.ok = false;
    }
  }
  verify_region(&c, f->body);
  const ptk_block *last = f->body->last;
  if (!last || !last->last || last->last->kind != PTK_OP_FUNC_RETURN || last->last->noperands) {
    ptk_error(d, at, "program function @%s must end in 'return' (with no values)", f->name);
    c.ok = false;
  }
  return c.ok;
}

const char *ptk_orch_edge_kind_name(ptk_orch_edge_kind k) {
  switch (k) {
  case PTK_EDGE_RAW: return "RAW";
  case PTK_EDGE_WAR: return "WAR";
  case PTK_EDGE_WAW: return "WAW";
  case PTK_EDGE_DEP: return "DEP";
  }
  return "?";
}

void ptk_orch_graph_free(ptk_orch_graph *g) {
  free(g->nodes);
  free(g->edges);
  memset(g, 0, sizeof *g);
}
