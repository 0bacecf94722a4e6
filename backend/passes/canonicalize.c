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

#include "backend/passes/pass_util.h"

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

/* Integer binary op on two constants of width w. false: do not fold
 * (division by zero, signed overflow, shift out of range). */
static bool fold_int_bin(ptk_op_kind k, uint64_t ua, uint64_t ub, unsigned w, uint64_t *r) {
  uint64_t mk = pu_mask(w);
  ua &= mk;
  ub &= mk;
  int64_t sa = pu_sext(ua, w), sb = pu_sext(ub, w);
  int64_t smin = w >= 64 ? INT64_MIN : -(int64_t)(1ull << (w - 1));
  switch (k) {
  case PTK_OP_ARITH_ADDI: *r = ua + ub; break;
  case PTK_OP_ARITH_SUBI: *r = ua - ub; break;
  case PTK_OP_ARITH_MULI: *r = ua * ub; break;
  case PTK_OP_ARITH_DIVSI:
    if (sb == 0 || (sa == smin && sb == -1)) return false;
    *r = (uint64_t)(sa / sb);
    break;
  case PTK_OP_ARITH_DIVUI:
    if (ub == 0) return false;
    *r = ua / ub;
    break;
  case PTK_OP_ARITH_REMSI:
    if (sb == 0) return false;
    *r = sb == -1 ? 0 : (uint64_t)(sa % sb);
    break;
  case PTK_OP_ARITH_REMUI:
    if (ub == 0) return false;
    *r = ua % ub;
    break;
  case PTK_OP_ARITH_CEILDIVSI: {
    if (sb == 0 || (sa == smin && sb == -1)) return false;
    int64_t q = sa / sb;
    if (sa % sb != 0 && ((sa < 0) == (sb < 0))) q++;
    *r = (uint64_t)q;
    break;
  }
  case PTK_OP_ARITH_CEILDIVUI:
    if (ub == 0) return false;
    *r = ua / ub + (ua % ub != 0);
    break;
  case PTK_OP_ARITH_FLOORDIVSI: {
    if (sb == 0 || (sa == smin && sb == -1)) return false;
    int64_t q = sa / sb;
    if (sa % sb != 0 && ((sa < 0) != (sb < 0))) q--;
    *r = (uint64_t)q;
    break;
  }
  case PTK_OP_ARITH_ANDI: *r = ua & ub; break;
  case PTK_OP_ARITH_ORI: *r = ua | ub; break;
  case PTK_OP_ARITH_XORI: *r = ua ^ ub; break;
  case PTK_OP_ARITH_SHLI:
    if (ub >= w) return false;
    *r = ua << ub;
    break;
  case PTK_OP_ARITH_SHRUI:
    if (ub >= w) return false;
    *r = ua >> ub;
    break;
  case PTK_OP_ARITH_SHRSI:
    if (ub >= w) return false;
    *r = (uint64_t)(sa >> ub);
    break;
  case PTK_OP_ARITH_MAXSI: *r = sa > sb ? ua : ub; break;
  case PTK_OP_ARITH_MINSI: *r = sa < sb ? ua : ub; break;
  case PTK_OP_ARITH_MAXUI: *r = ua > ub ? ua : ub; break;
  case PTK_OP_ARITH_MINUI: *r = ua < ub ? ua : ub; break;
  default: return false;
  }
  *r &= mk;
  return true;
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

static bool fold_float_bin(ptk_op_kind k, double a, double b, double *r) {
  switch (k) {
  case PTK_OP_ARITH_ADDF: *r = a + b; return true;
  case PTK_OP_ARITH_SUBF: *r = a - b; return true;
  case PTK_OP_ARITH_MULF: *r = a * b; return true;
  case PTK_OP_ARITH_DIVF: *r = a / b; return true;
  case PTK_OP_ARITH_REMF: *r = fmod(a, b); return true;
  case PTK_OP_ARITH_MAXIMUMF:
  case PTK_OP_ARITH_MAXNUMF:
    if (a == b) *r = signbit(a) ? b : a; /* max(-0, +0) = +0 */
    else *r = a > b ? a : b;
    return true;
  case PTK_OP_ARITH_MINIMUMF:
  case PTK_OP_ARITH_MINNUMF:
    if (a == b) *r = signbit(a) ? a : b;
    else *r = a < b ? a : b;
    return true;
  default: return false;
  }
}

static ptk_value *fold_arith(canon *c, ptk_op *op) {
  const ptk_type *t = op->results[0].type;
  unsigned w = pu_int_bits(t);
  if (w) {
    if (op->noperands != 2) return NULL;
    int64_t a, b;
    uint64_t r;
    if (pu_const_int(op->operands[0], &a) && pu_const_int(op->operands[1], &b) &&
        fold_int_bin(op->kind, (uint64_t)a, (uint64_t)b, w, &r))
      return cint(c, r, t, op->loc);
    return fold_int_identity(c, op, w);
  }
  if (!is_fold_float(t)) return NULL;
  double a, b, r;
  if (op->kind == PTK_OP_ARITH_NEGF) {
    if (op->noperands == 1 && const_float(op->operands[0], &a)) return cfloat(c, -a, t, op->loc);
    return NULL;
  }
  if (op->noperands == 2 && const_float(op->operands[0], &a) && const_float(op->operands[1], &b) &&
      fold_float_bin(op->kind, a, b, &r))
    return cfloat(c, r, t, op->loc);
  return NULL;
}

static bool cmpi_eval(int64_t pred, uint64_t ua, uint64_t ub, unsigned w, bool *r) {
  int64_t sa = pu_sext(ua, w), sb = pu_sext(ub, w);
  ua &= pu_mask(w);
  ub &= pu_mask(w);
  switch (pred) {
  case PTK_CMPI_eq: *r = ua == ub; return true;
  case PTK_CMPI_ne: *r = ua != ub; return true;
  case PTK_CMPI_slt: *r = sa < sb; return true;
  case PTK_CMPI_sle: *r = sa <= sb; return true;
  case PTK_CMPI_sgt: *r = sa > sb; return true;
  case PTK_CMPI_sge: *r = sa >= sb; return true;
  case PTK_CMPI_ult: *r = ua < ub; return true;
  case PTK_CMPI_ule: *r = ua <= ub; return true;
  case PTK_CMPI_ugt: *r = ua > ub; return true;
  case PTK_CMPI_uge: *r = ua >= ub; return true;
  default: return false;
  }
}

static bool cmpf_eval(int64_t pred, double a, double b, bool *r) {
  bool uno = isnan(a) || isnan(b);
  switch (pred) {
  case PTK_CMPF_false: *r = false; return true;
  case PTK_CMPF_true: *r = true; return true;
  case PTK_CMPF_oeq: *r = !uno && a == b; return true;
  case PTK_CMPF_ogt: *r = !uno && a > b; return true;
  case PTK_CMPF_oge: *r = !uno && a >= b; return true;
  case PTK_CMPF_olt: *r = !uno && a < b; return true;
  case PTK_CMPF_ole: *r = !uno && a <= b; return true;
  case PTK_CMPF_one: *r = !uno && a != b; return true;
  case PTK_CMPF_ord: *r = !uno; return true;
  case PTK_CMPF_ueq: *r = uno || a == b; return true;
  case PTK_CMPF_ugt: *r = uno || a > b; return true;
  case PTK_CMPF_uge: *r = uno || a >= b; return true;
  case PTK_CMPF_ult: *r = uno || a < b; return true;
  case PTK_CMPF_ule: *r = uno || a <= b; return true;
  case PTK_CMPF_une: *r = uno || a != b; return true;
  case PTK_CMPF_uno: *r = uno; return true;
  default: return false;
  }
}

static ptk_value *fold_cmp(canon *c, ptk_op *op) {
  const ptk_attr *pa = ptk_op_attr(op, "predicate");
  int64_t pred;
  if (!pa || !ptk_attr_get_int(pa, &pred) || op->noperands != 2) return NULL;
  const ptk_type *i1 = op->results[0].type;
  if (pu_int_bits(i1) != 1) return NULL;
  bool r;
  if (op->kind == PTK_OP_ARITH_CMPI) {
    unsigned w = pu_int_bits(op->operands[0]->type);
    if (!w) return NULL;
    int64_t a, b;
    if (pu_const_int(op->operands[0], &a) && pu_const_int(op->operands[1], &b) &&
        cmpi_eval(pred, (uint64_t)a, (uint64_t)b, w, &r))
      return cint(c, r, i1, op->loc);
    if (op->operands[0] == op->operands[1]) {
      switch (pred) {
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
    return NULL;
  }
  const ptk_attr *aa = pu_const_attr(op->operands[0]), *ab = pu_const_attr(op->operands[1]);
  if (!aa || !ab || aa->kind != PTK_ATTR_FLOAT || ab->kind != PTK_ATTR_FLOAT ||
      !is_fold_float(op->operands[0]->type))
    return NULL;
  if (!cmpf_eval(pred, aa->f.v, ab->f.v, &r)) return NULL;
  return cint(c, r, i1, op->loc);
}

static ptk_value *fold_cast(canon *c, ptk_op *op) {
  if (op->noperands != 1) return NULL;
  ptk_value *x = op->operands[0];
  const ptk_type *st = x->type, *dt = op->results[0].type;
  unsigned ws = pu_int_bits(st), wd = pu_int_bits(dt);
  int64_t iv;
  bool kint = ws && pu_const_int(x, &iv);
  uint64_t u = kint ? (uint64_t)iv & pu_mask(ws) : 0;
  switch (op->kind) {
  case PTK_OP_ARITH_INDEX_CAST:
  case PTK_OP_ARITH_EXTSI:
  case PTK_OP_ARITH_TRUNCI:
    if (!kint || !wd) return NULL;
    return cint(c, (uint64_t)pu_sext(u, ws), dt, op->loc);
  case PTK_OP_ARITH_INDEX_CASTUI:
  case PTK_OP_ARITH_EXTUI:
    if (!kint || !wd) return NULL;
    return cint(c, u, dt, op->loc);
  case PTK_OP_ARITH_SITOFP: {
    if (!kint || !is_fold_float(dt)) return NULL;
    int64_t s = pu_sext(u, ws);
    if (s > (1ll << 53) || s < -(1ll << 53)) return NULL; /* would round twice */
    return cfloat(c, (double)s, dt, op->loc);
  }
  case PTK_OP_ARITH_UITOFP:
    if (!kint || !is_fold_float(dt) || u > (1ull << 53)) return NULL;
    return cfloat(c, (double)u, dt, op->loc);
  case PTK_OP_ARITH_FPTOSI:
  case PTK_OP_ARITH_FPTOUI: {
    double v;
    if (!wd || !const_float(x, &v) || !isfinite(v)) return NULL;
    double tv = trunc(v);
    if (op->kind == PTK_OP_ARITH_FPTOSI) {
      double lo = -ldexp(1.0, (int)wd - 1), hi = ldexp(1.0, (int)wd - 1);
      if (!(tv >= lo && tv < hi)) return NULL;
      return cint(c, (uint64_t)(int64_t)tv, dt, op->loc);
    }
    if (!(tv >= 0 && tv < ldexp(1.0, (int)wd))) return NULL;
    return cint(c, (uint64_t)tv, dt, op->loc);
  }
  case PTK_OP_ARITH_EXTF:
  case PTK_OP_ARITH_TRUNCF: {
    double v;
    if (!is_fold_float(dt) || !const_float(x, &v)) return NULL;
    return cfloat(c, v, dt, op->loc);
  }
  case PTK_OP_ARITH_BITCAST: {
    const ptk_attr *a = pu_const_attr(x);
    if (!a || st->kind != PTK_TY_SCALAR || dt->kind != PTK_TY_SCALAR) return NULL;
    if (ptk_dtype_bits(st->dt) != ptk_dtype_bits(dt->dt)) return NULL;
    uint64_t bits;
    if (kint)
      bits = u;
    else if (a->kind == PTK_ATTR_FLOAT && is_fold_float(st))
      bits = a->f.bits;
    else
      return NULL;
    if (wd) return cint(c, bits, dt, op->loc);
    if (!is_fold_float(dt)) return NULL;
    return pu_cpool_get(&c->pool, ptk_attr_float_bits(c->m, bits, dt), dt, op->loc);
  }
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
  case PTK_FAM_ARITH_CAST: r = fold_cast(c, op); break;
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
