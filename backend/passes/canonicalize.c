/* canonicalize: constant folding, trivial control flow, dead-op removal,
 * iterated to a fixpoint (see passes.h).
 *
 * One round = a forward walk over each function that rewrites operands
 * through a replacement table (defs are visited before uses in structured
 * IR, so one walk sees every replacement), pools constants at the top of
 * the entry block, folds arith ops, and inlines scf.if / scf.for regions
 * whose condition or trip count is known (the inlined ops are visited
 * next, in the same walk); then a backward walk with use counts removes
 * dead ops. Rounds repeat until nothing changes. */
#include <math.h>
#include <string.h>

#include "backend/lower.h"
#include "backend/passes/pass_util.h"
#include "runtime/isa/scalar.h"

typedef struct canon {
  ptk_module *m;
  pu_repl repl;
  pu_cpool pool;
  ptk_canon_stats st;
  bool changed;
  uint32_t *uses;
  uint32_t nuses;
} canon;

/* ======================================================================
 * Folding helpers
 * ====================================================================== */

static ptk_value *cint(canon *c, uint64_t u, const ptk_type *t, ptk_loc loc) {
  unsigned w = pu_int_bits(t);
  return pu_cpool_int(&c->pool, pu_sext(u, w), t, loc);
}

static bool is_fold_float(const ptk_type *t) {
  return t && t->kind == PTK_TY_SCALAR &&
         (t->dt == PTK_DT_F16 || t->dt == PTK_DT_BF16 || t->dt == PTK_DT_F32 ||
          t->dt == PTK_DT_F64);
}

/* A non-NaN float constant of a foldable type. */
static bool const_float(const ptk_value *v, double *out) {
  const ptk_attr *a = pu_const_attr(v);
  if (!a || a->kind != PTK_ATTR_FLOAT || !is_fold_float(v->type)) return false;
  if (isnan(a->f.v)) return false;
  *out = a->f.v;
  return true;
}

static ptk_value *cfloat(canon *c, double v, const ptk_type *t, ptk_loc loc) {
  return pu_cpool_get(&c->pool, ptk_attr_float(c->m, v, t), t, loc);
}

/* Identities with one constant operand (or equal operands). */
static ptk_value *fold_int_identity(canon *c, ptk_op *op, unsigned w) {
  ptk_value *a = op->operands[0], *b = op->operands[1];
  const ptk_type *t = op->results[0].type;
  int64_t av = 0, bv = 0;
  bool ka = pu_const_int(a, &av), kb = pu_const_int(b, &bv);
  uint64_t ua = (uint64_t)av & pu_mask(w), ub = (uint64_t)bv & pu_mask(w);
  bool comm = ptk_op_table[op->kind].flags & PTK_OPF_COMMUTATIVE;
  /* Put the constant second for commutative ops. */
  if (comm && ka && !kb) {
    ptk_value *tv = a;
    a = b;
    b = tv;
    ub = ua;
    kb = true;
    ka = false;
  }
  switch (op->kind) {
  case PTK_OP_ARITH_ADDI:
  case PTK_OP_ARITH_ORI:
  case PTK_OP_ARITH_XORI:
  case PTK_OP_ARITH_SUBI:
  case PTK_OP_ARITH_SHLI:
  case PTK_OP_ARITH_SHRUI:
  case PTK_OP_ARITH_SHRSI:
    if (kb && ub == 0) return a;
    break;
  case PTK_OP_ARITH_MULI:
    if (kb && ub == 1) return a;
    if (kb && ub == 0) return cint(c, 0, t, op->loc);
    break;
  case PTK_OP_ARITH_DIVSI:
  case PTK_OP_ARITH_DIVUI:
    if (kb && ub == 1) return a;
    break;
  case PTK_OP_ARITH_ANDI:
    if (kb && ub == 0) return cint(c, 0, t, op->loc);
    if (kb && ub == pu_mask(w)) return a;
    break;
  default: break;
  }
  if (a == b) {
    switch (op->kind) {
    case PTK_OP_ARITH_ANDI:
    case PTK_OP_ARITH_ORI:
    case PTK_OP_ARITH_MAXSI:
    case PTK_OP_ARITH_MINSI:
    case PTK_OP_ARITH_MAXUI:
    case PTK_OP_ARITH_MINUI: return a;
    case PTK_OP_ARITH_XORI:
    case PTK_OP_ARITH_SUBI: return cint(c, 0, t, op->loc);
    default: break;
    }
  }
  return NULL;
}

/* A constant operand as a runtime cell (runtime/isa/scalar.h convention). */
static bool const_cell(const ptk_value *v, bool fl, unsigned w, ptk_sc *out) {
  if (fl) return const_float(v, &out->f);
  int64_t iv;
  if (!pu_const_int(v, &iv)) return false;
  out->i = ptk_sc_norm(iv, w);
  return true;
}

/* Folding = running the op's own semantic function (the one both engines
 * call) on constant operands, through the shared lowering; declined where
 * the function reports an error (division by zero), so the run reports it. */
static ptk_value *fold_scalar(canon *c, ptk_op *op) {
  ptk_call r; /* an op that cannot run is simply not folded */
  if (!ptk_lower_call_quiet(op, &r) || r.nres != 1) return NULL;
  ptk_sc cell[PTK_CALL_MAXV] = {{0}};
  for (unsigned k = 1; k < r.nv; k++)
    if (r.v[k] && !const_cell(r.v[k], r.fl[k], r.width[k], &cell[k])) return NULL;
  int rc = 0;
  switch (r.shape) {
  case PTK_CALL_IARITH:
    if (ptk_sc_iarith_poison(r.sub, cell[1].i, cell[2].i, r.width[0])) return NULL;
    rc = ptk_sc_iarith(r.sub, cell[1].i, cell[2].i, r.width[0], &cell[0].i);
    break;
  case PTK_CALL_FARITH: cell[0].f = ptk_sc_farith(r.sub, r.dt[0], cell[1].f, cell[2].f); break;
  case PTK_CALL_FNEG: cell[0].f = ptk_sc_farith(r.sub, r.dt[0], cell[1].f, cell[1].f); break;
  case PTK_CALL_ICMP: cell[0].i = ptk_sc_icmp((int)r.attr[0], cell[1].i, cell[2].i, r.width[1]); break;
  case PTK_CALL_FCMP: cell[0].i = ptk_sc_fcmp((int)r.attr[0], cell[1].f, cell[2].f); break;
  case PTK_CALL_CAST:
    if (ptk_sc_cast_poison(r.sub, r.width[0], cell[1])) return NULL;
    cell[0] = ptk_sc_cast(r.sub, r.dt[1], r.width[1], r.dt[0], r.width[0], cell[1]); break;
  default: return NULL;
  }
  if (rc) return NULL;
  const ptk_type *t = op->results[0].type;
  if (r.fl[0]) return is_fold_float(t) ? cfloat(c, cell[0].f, t, op->loc) : NULL;
  return cint(c, (uint64_t)cell[0].i, t, op->loc);
}

static ptk_value *fold_arith(canon *c, ptk_op *op) {
  ptk_value *r = fold_scalar(c, op);
  unsigned w = pu_int_bits(op->results[0].type);
  if (!r && w && op->noperands == 2) r = fold_int_identity(c, op, w);
  return r;
}

static ptk_value *fold_cmp(canon *c, ptk_op *op) {
  ptk_value *r = fold_scalar(c, op);
  const ptk_attr *pa = ptk_op_attr(op, "predicate");
  int64_t pred;
  if (r || op->kind != PTK_OP_ARITH_CMPI || op->noperands != 2 ||
      op->operands[0] != op->operands[1] || !pa || !ptk_attr_get_int(pa, &pred))
    return r;
  const ptk_type *i1 = op->results[0].type;
  switch (pred) { /* x op x */
  case PTK_CMPI_eq:
  case PTK_CMPI_sle:
  case PTK_CMPI_sge:
  case PTK_CMPI_ule:
  case PTK_CMPI_uge: return cint(c, 1, i1, op->loc);
  case PTK_CMPI_ne:
  case PTK_CMPI_slt:
  case PTK_CMPI_sgt:
  case PTK_CMPI_ult:
  case PTK_CMPI_ugt: return cint(c, 0, i1, op->loc);
  default: return NULL;
  }
}

static ptk_value *fold_select(canon *c, ptk_op *op) {
  (void)c;
  if (op->noperands != 3) return NULL;
  int64_t cv;
  if (pu_const_int(op->operands[0], &cv)) return cv & 1 ? op->operands[1] : op->operands[2];
  if (op->operands[1] == op->operands[2]) return op->operands[1];
  return NULL;
}

/* Replaces the op's single result; true when folded. */
static bool fold_op(canon *c, ptk_op *op) {
  const ptk_op_info *info = &ptk_op_table[op->kind];
  if (!(info->flags & PTK_OPF_PURE) || op->nresults != 1 || op->nregions) return false;
  ptk_value *r = NULL;
  switch (info->family) {
  case PTK_FAM_ARITH: r = fold_arith(c, op); break;
  case PTK_FAM_ARITH_CMP: r = fold_cmp(c, op); break;
  case PTK_FAM_ARITH_CAST: r = fold_scalar(c, op); break;
  case PTK_FAM_ARITH_SELECT: r = fold_select(c, op); break;
  default: return false;
  }
  if (!r || !ptk_type_equal(r->type, op->results[0].type)) return false;
  pu_repl_set(&c->repl, &op->results[0], r);
  c->st.folded++;
  c->changed = true;
  return true;
}

/* ======================================================================
 * Control flow
 * ====================================================================== */

/* Moves the ops of region r (one block) before `op`, binding the block
 * arguments to vals and op's results to the yielded values, and removes
 * op. *next becomes the first inlined op (or what followed op). */
static bool inline_region(canon *c, ptk_op *op, ptk_region *r, ptk_value *const *vals,
                          uint32_t nvals, ptk_op **next) {
  ptk_block *b = r->first;
  if (b && b->next) return false; /* not a structured single-block region */
  ptk_op *term = b ? b->last : NULL;
  if (term && !(ptk_op_table[term->kind].flags & PTK_OPF_TERMINATOR)) term = NULL;
  if (term && term->kind != PTK_OP_SCF_YIELD) return false;
  uint32_t nyield = term ? term->noperands : 0;
  if (op->nresults && nyield != op->nresults) return false;
  if (b && b->nargs != nvals) return false;
  if (!b && op->nresults) return false;
  for (uint32_t i = 0; b && i < b->nargs; i++) pu_repl_set(&c->repl, b->args[i], vals[i]);
  if (term) pu_repl_operands(&c->repl, term);
  for (uint32_t i = 0; i < op->nresults; i++)
    pu_repl_set(&c->repl, &op->results[i], term->operands[i]);
  ptk_op *after = op->next, *first = NULL;
  if (b) {
    for (ptk_op *x = b->first, *nx; x && x != term; x = nx) {
      nx = x->next;
      ptk_op_unlink(x);
      ptk_op_insert_before(op, x);
      if (!first) first = x;
    }
  }
  ptk_op_unlink(op);
  *next = first ? first : after;
  c->st.inlined++;
  c->changed = true;
  return true;
}

static bool fold_if(canon *c, ptk_op *op, ptk_op **next) {
  int64_t cv;
  if (op->noperands != 1 || !pu_const_int(op->operands[0], &cv)) return false;
  if (cv & 1) return inline_region(c, op, &op->regions[0], NULL, 0, next);
  if (op->nregions < 2 || !op->regions[1].first) {
    if (op->nresults) return false;
    *next = op->next;
    ptk_op_unlink(op);
    c->st.inlined++;
    c->changed = true;
    return true;
  }
  return inline_region(c, op, &op->regions[1], NULL, 0, next);
}

static bool fold_for(canon *c, ptk_op *op, ptk_op **next) {
  if (op->noperands < 3) return false;
  unsigned w = pu_int_bits(op->operands[0]->type);
  int64_t lb, ub, st;
  if (!w || !pu_const_int(op->operands[0], &lb) || !pu_const_int(op->operands[1], &ub) ||
      !pu_const_int(op->operands[2], &st))
    return false;
  lb = pu_sext((uint64_t)lb, w);
  ub = pu_sext((uint64_t)ub, w);
  st = pu_sext((uint64_t)st, w);
  if (st <= 0) return false;
  uint32_t ninit = op->noperands - 3;
  if (op->nresults != ninit) return false;
  if (lb >= ub) { /* zero trips: the results are the inits */
    for (uint32_t i = 0; i < ninit; i++)
      pu_repl_set(&c->repl, &op->results[i], op->operands[3 + i]);
    *next = op->next;
    ptk_op_unlink(op);
    c->st.loops_removed++;
    c->changed = true;
    return true;
  }
  if ((__int128)ub - lb > st) return false;
  /* One trip: the body with iv = lb and iter_args = inits. */
  ptk_value *vals[64];
  if (ninit + 1 > PTK_ARRAY_LEN(vals)) return false;
  vals[0] = op->operands[0];
  for (uint32_t i = 0; i < ninit; i++) vals[1 + i] = op->operands[3 + i];
  return inline_region(c, op, &op->regions[0], vals, ninit + 1, next);
}

/* ======================================================================
 * The forward walk
 * ====================================================================== */

static void handle_const(canon *c, ptk_op *op) {
  const ptk_attr *a = ptk_op_attr(op, "value");
  if (!a || op->nresults != 1 || !c->pool.entry) return;
  ptk_value *v = pu_cpool_find(&c->pool, a, op->results[0].type);
  if (v == &op->results[0]) return;
  if (v) {
    pu_repl_set(&c->repl, &op->results[0], v);
    if (c->pool.last == op) c->pool.last = op->prev; /* new constants go after it */
    ptk_op_unlink(op);
    c->st.consts_merged++;
    c->changed = true;
    return;
  }
  pu_cpool_adopt(&c->pool, op);
}

static void canon_region(canon *c, ptk_region *r);

static void canon_block(canon *c, ptk_block *b) {
  ptk_op *op = b->first;
  while (op) {
    ptk_op *next = op->next;
    pu_repl_operands(&c->repl, op);
    switch (op->kind) {
    case PTK_OP_ARITH_CONSTANT: handle_const(c, op); break;
    case PTK_OP_SCF_IF:
      if (fold_if(c, op, &next)) break;
      for (uint32_t i = 0; i < op->nregions; i++) canon_region(c, &op->regions[i]);
      break;
    case PTK_OP_SCF_FOR:
      if (fold_for(c, op, &next)) break;
      for (uint32_t i = 0; i < op->nregions; i++) canon_region(c, &op->regions[i]);
      break;
    default:
      if (op->nregions) {
        for (uint32_t i = 0; i < op->nregions; i++) canon_region(c, &op->regions[i]);
      } else if (fold_op(c, op)) {
        ptk_op_unlink(op);
      }
      break;
    }
    op = next;
  }
}

static void canon_region(canon *c, ptk_region *r) {
  for (ptk_block *b = r->first; b; b = b->next) canon_block(c, b);
}

/* ======================================================================
 * Dead ops
 * ====================================================================== */

static bool count_use(ptk_op *op, void *p) {
  canon *c = p;
  for (uint32_t i = 0; i < op->noperands; i++)
    if (op->operands[i] && op->operands[i]->uid < c->nuses) c->uses[op->operands[i]->uid]++;
  return true;
}

static bool only_yields(const ptk_op *op) {
  for (uint32_t i = 0; i < op->nregions; i++)
    for (const ptk_block *b = op->regions[i].first; b; b = b->next)
      for (const ptk_op *x = b->first; x; x = x->next)
        if (x->kind != PTK_OP_SCF_YIELD) return false;
  return true;
}

static bool effect_free(const ptk_op *op) {
  const ptk_op_info *info = &ptk_op_table[op->kind];
  if (info->flags & (PTK_OPF_TERMINATOR | PTK_OPF_SYNC)) return false;
  if (op->kind == PTK_OP_ALLOC_TILE) return true;
  if (op->kind == PTK_OP_SCF_IF || op->kind == PTK_OP_SCF_FOR) return only_yields(op);
  return (info->flags & PTK_OPF_PURE) && op->nregions == 0;
}

static bool unused(canon *c, const ptk_op *op) {
  for (uint32_t i = 0; i < op->nresults; i++) {
    uint32_t u = op->results[i].uid;
    if (u < c->nuses && c->uses[u]) return false;
  }
  return true;
}

static void drop_uses(canon *c, const ptk_op *op) {
  for (uint32_t i = 0; i < op->noperands; i++) {
    const ptk_value *v = op->operands[i];
    if (v && v->uid < c->nuses && c->uses[v->uid]) c->uses[v->uid]--;
  }
  for (uint32_t i = 0; i < op->nregions; i++)
    for (const ptk_block *b = op->regions[i].first; b; b = b->next)
      for (const ptk_op *x = b->first; x; x = x->next) drop_uses(c, x);
}

static void dce_region(canon *c, ptk_region *r);

static void dce_block(canon *c, ptk_block *b) {
  for (ptk_op *op = b->last, *prev; op; op = prev) {
    prev = op->prev;
    for (uint32_t i = op->nregions; i-- > 0;) dce_region(c, &op->regions[i]);
    if (unused(c, op) && effect_free(op)) {
      drop_uses(c, op);
      ptk_op_unlink(op);
      c->st.erased++;
      c->changed = true;
    }
  }
}

static void dce_region(canon *c, ptk_region *r) {
  for (ptk_block *b = r->last; b; b = b->prev) dce_block(c, b);
}

/* ======================================================================
 * Driver
 * ====================================================================== */

bool ptk_canonicalize(ptk_module *m, ptk_canon_stats *st) {
  canon c;
  memset(&c, 0, sizeof c);
  c.m = m;
  pu_funcs fs = {0};
  pu_collect_funcs(m, &fs);
  bool any = false;
  for (int round = 0; round < 64; round++) {
    c.changed = false;
    c.st.iterations++;
    for (size_t i = 0; i < fs.len; i++) {
      ptk_func *f = fs.data[i];
      pu_cpool_init(&c.pool, f);
      canon_region(&c, f->body);
      pu_repl_func(&c.repl, f); /* safety net: no stale uses anywhere */
      pu_cpool_free(&c.pool);
    }
    uint32_t nv = ptk_module_value_count(m);
    if (nv > c.nuses) {
      free(c.uses);
      c.uses = ptk_xmalloc((nv ? nv : 1) * sizeof *c.uses);
      c.nuses = nv;
    }
    if (c.uses) memset(c.uses, 0, c.nuses * sizeof *c.uses);
    for (size_t i = 0; i < fs.len; i++) ptk_walk_func(fs.data[i], count_use, &c);
    for (size_t i = 0; i < fs.len; i++) dce_region(&c, fs.data[i]->body);
    if (!c.changed) break;
    any = true;
  }
  /* Constants that were only moved count as a change of the text. */
  if (st) *st = c.st;
  free(c.uses);
  pu_repl_free(&c.repl);
  ptk_vec_free(&fs);
  return any || c.st.consts_merged || c.st.folded;
}
