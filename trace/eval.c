/* Expressions: compile-time folding, traced scalar arithmetic, coercions. */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "trace/trace_int.h"

static ptk_range erange(const ptk_ast_expr *e) { return e->range; }

bool tr_is_tile(tval v) { return v.k == TV_IR && v.v->type->kind == PTK_TY_TILE_BUF; }
bool tr_is_scalar_ir(tval v) { return v.k == TV_IR && v.v->type->kind == PTK_TY_SCALAR; }

static bool is_int_t(const ptk_type *t) {
  return t->kind == PTK_TY_SCALAR && ptk_dtype_is_int(t->dt) && t->dt != PTK_DT_I1;
}
static bool is_float_t(const ptk_type *t) {
  return t->kind == PTK_TY_SCALAR && ptk_dtype_is_float(t->dt);
}
static bool is_i1_t(const ptk_type *t) { return ptk_type_is_scalar(t, PTK_DT_I1); }
static bool is_index_t(const ptk_type *t) { return ptk_type_is_scalar(t, PTK_DT_INDEX); }
static bool is_i32_t(const ptk_type *t) {
  return t->kind == PTK_TY_SCALAR && (t->dt == PTK_DT_I32 || t->dt == PTK_DT_SI32);
}

const ptk_type *tr_default_type(tval v) {
  switch (v.k) {
  case TV_INT: return tr_scalar(PTK_DT_INDEX);
  case TV_FLOAT: return tr_scalar(PTK_DT_F32);
  case TV_BOOL: return tr_scalar(PTK_DT_I1);
  case TV_IR: return v.v->type;
  default: return NULL;
  }
}

bool tr_ct_int(tctx *c, tval v, ptk_range at, const char *what, int64_t *out) {
  if (v.k == TV_ERR) return false;
  if (v.k == TV_INT) {
    *out = v.i;
    return true;
  }
  if (v.k == TV_IR && tr_const_of(v.v, out)) return true;
  if (v.k == TV_IR)
    tr_error(c, at, "%s must be a compile-time integer, but this is a %s (it depends on runtime values)",
             what, tv_kind_name(v));
  else
    tr_error(c, at, "%s must be a compile-time integer, but this is a %s", what, tv_kind_name(v));
  return false;
}

/* i32 <-> index through arith.index_cast. */
static ptk_value *index_cast(tctx *c, ptk_value *v, const ptk_type *to, ptk_range at) {
  return tr_index_cast(c, v, to, at);
}

/* A compile-time int becoming a float operand: warn when it is (or
 * contains, as the whole value) an integer division that lost its remainder. */
const struct trunc_div *tr_find_trunc_div(tctx *c, int64_t v, ptk_range at) {
  if (!at.begin.src) return NULL;
  size_t n = c->ntdivs < 64 ? c->ntdivs : 64;
  for (size_t k = 0; k < n; k++) {
    const struct trunc_div *t = &c->tdivs[(c->ntdivs - 1 - k) % 64];
    if (t->r.begin.src != at.begin.src || t->r.begin.off < at.begin.off ||
        t->r.end.off > at.end.off || (t->r.begin.off == at.begin.off && t->q != v))
      continue;
    return t;
  }
  return NULL;
}

/* A compile-time int becoming a float operand: warn when it is (or
 * contains, as the whole value) an integer division that lost its remainder. */
static void warn_trunc_div(tctx *c, int64_t v, ptk_range at, const char *what) {
  const struct trunc_div *t = tr_find_trunc_div(c, v, at);
  if (!t) return;
  const char *op = t->floor ? "//" : "/";
  ptk_warning(c->d, t->r,
              "integer division %" PRId64 " %s %" PRId64 " = %" PRId64 " drops the remainder, and the result is %s, a float operand; make an operand a float (%" PRId64 ".0 / %" PRId64 " = %g) for a float division",
              t->a, op, t->b, t->q, what ? what : "used as a float", t->a, t->b, (double)t->a / (double)t->b);
  if (t->div.begin.src) ptk_note(c->d, t->div, "the division is here");
}

ptk_value *tr_coerce(tctx *c, tval v, const ptk_type *t, ptk_range at, const char *what) {
  const char *ts = NULL;
  switch (v.k) {
  case TV_ERR: return NULL;
  case TV_INT:
    if (is_int_t(t)) return tr_const_int(c, v.i, t, at);
    if (is_float_t(t)) {
      warn_trunc_div(c, v.i, at, what);
      return tr_const_float(c, (double)v.i, t, at);
    }
    break;
  case TV_FLOAT:
    if (is_float_t(t)) return tr_const_float(c, v.f, t, at);
    break;
  case TV_BOOL:
    if (is_i1_t(t)) return tr_const_bool(c, v.b, at);
    break;
  case TV_IR:
    if (ptk_type_equal(v.v->type, t)) return v.v;
    if ((is_index_t(t) && is_i32_t(v.v->type)) || (is_i32_t(t) && is_index_t(v.v->type)))
      return index_cast(c, v.v, t, at);
    if (v.v->type->kind == PTK_TY_SCALAR && t->kind == PTK_TY_SCALAR) {
      ts = tr_type_str(c, t);
      tr_error(c, at, "%s has type %s, but %s is needed; convert it with cast(x, %s)", what,
               tr_type_str(c, v.v->type), ts, ts);
      return NULL;
    }
    tr_error(c, at, "%s has type %s, but %s is needed", what, tr_type_str(c, v.v->type),
             tr_type_str(c, t));
    return NULL;
  default: break;
  }
  ts = tr_type_str(c, t);
  if (v.k == TV_FLOAT && t->kind == PTK_TY_SCALAR)
    tr_error(c, at, "%s is a float, but %s is needed; convert it with cast(x, %s)", what, ts, ts);
  else
    tr_error(c, at, "%s is %s %s, but %s is needed", what,
             strchr("aeiou", tv_kind_name(v)[0]) ? "an" : "a", tv_kind_name(v), ts);
  return NULL;
}

ptk_value *tr_materialize(tctx *c, tval v, ptk_range at, const char *what) {
  const ptk_type *t = tr_default_type(v);
  if (!t) {
    if (v.k != TV_ERR)
      tr_error(c, at, "%s is %s %s, which has no runtime representation", what,
               strchr("aeiou", tv_kind_name(v)[0]) ? "an" : "a", tv_kind_name(v));
    return NULL;
  }
  return tr_coerce(c, v, t, at, what);
}

/* An index operand: index, or an i32 / i64 value (index_cast), or a
 * compile-time int. */
ptk_value *tr_index(tctx *c, tval v, ptk_range at, const char *what) {
  if (v.k == TV_IR && (ptk_type_is_scalar(v.v->type, PTK_DT_I64) || ptk_type_is_scalar(v.v->type, PTK_DT_SI64)))
    return index_cast(c, v.v, tr_scalar(PTK_DT_INDEX), at);
  if (v.k == TV_IR && v.v->type->kind == PTK_TY_SCALAR && is_int_t(v.v->type) &&
      !is_index_t(v.v->type) && !is_i32_t(v.v->type)) {
    tr_error(c, at, "%s has type %s, but index (or i32, i64) is needed; convert it with cast(x, index)", what,
             tr_type_str(c, v.v->type));
    return NULL;
  }
  return tr_coerce(c, v, tr_scalar(PTK_DT_INDEX), at, what);
}

/* ---- compile-time arithmetic ----------------------------------------------- */

static tval ct_overflow(tctx *c, ptk_range at, const char *op) {
  tr_error(c, at, "integer overflow in '%s' while computing a compile-time value", op);
  return tv_err();
}

static int64_t floordiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
  return q;
}

static tval ct_binop(tctx *c, ptk_ast_binop op, tval a, tval b, ptk_range at, ptk_range rb) {
  const char *os = ptk_ast_binop_str(op);
  if (a.k == TV_INT && b.k == TV_INT) {
    int64_t x = a.i, y = b.i, r;
    switch (op) {
    case PTK_BINOP_ADD:
      if (__builtin_add_overflow(x, y, &r)) return ct_overflow(c, at, os);
      return tv_int(r);
    case PTK_BINOP_SUB:
      if (__builtin_sub_overflow(x, y, &r)) return ct_overflow(c, at, os);
      return tv_int(r);
    case PTK_BINOP_MUL:
      if (__builtin_mul_overflow(x, y, &r)) return ct_overflow(c, at, os);
      return tv_int(r);
    case PTK_BINOP_DIV:
    case PTK_BINOP_FLOORDIV:
    case PTK_BINOP_MOD:
      if (y == 0) {
        tr_error(c, rb, "division by zero in '%s'", os);
        return tv_err();
      }
      if (x == INT64_MIN && y == -1) return ct_overflow(c, at, os);
      /* `/` and `%` truncate like arith.divsi / arith.remsi, so folding and
       * tracing agree; `//` rounds down like arith.floordivsi. */
      if (op == PTK_BINOP_DIV) return tv_int(x / y);
      if (op == PTK_BINOP_MOD) return tv_int(x % y);
      return tv_int(floordiv(x, y));
    case PTK_BINOP_POW: {
      if (y < 0) return tv_float(pow((double)x, (double)y));
      int64_t acc = 1, base = x;
      while (y) {
        if (y & 1 && __builtin_mul_overflow(acc, base, &acc)) return ct_overflow(c, at, os);
        y >>= 1;
        if (y && __builtin_mul_overflow(base, base, &base)) return ct_overflow(c, at, os);
      }
      return tv_int(acc);
    }
    case PTK_BINOP_BITAND: return tv_int(x & y);
    case PTK_BINOP_BITOR: return tv_int(x | y);
    case PTK_BINOP_BITXOR: return tv_int(x ^ y);
    case PTK_BINOP_SHL:
    case PTK_BINOP_SHR:
      if (y < 0 || y > 63) {
        tr_error(c, rb, "shift amount %" PRId64 " is out of range (0 to 63)", y);
        return tv_err();
      }
      if (op == PTK_BINOP_SHR) return tv_int(x >> y);
      return tv_int((int64_t)((uint64_t)x << y));
    case PTK_BINOP_EQ: return tv_bool(x == y);
    case PTK_BINOP_NE: return tv_bool(x != y);
    case PTK_BINOP_LT: return tv_bool(x < y);
    case PTK_BINOP_LE: return tv_bool(x <= y);
    case PTK_BINOP_GT: return tv_bool(x > y);
    case PTK_BINOP_GE: return tv_bool(x >= y);
    default: break;
    }
  } else if ((a.k == TV_INT || a.k == TV_FLOAT) && (b.k == TV_INT || b.k == TV_FLOAT)) {
    double x = a.k == TV_INT ? (double)a.i : a.f, y = b.k == TV_INT ? (double)b.i : b.f;
    switch (op) {
    case PTK_BINOP_ADD: return tv_float(x + y);
    case PTK_BINOP_SUB: return tv_float(x - y);
    case PTK_BINOP_MUL: return tv_float(x * y);
    case PTK_BINOP_DIV:
    case PTK_BINOP_FLOORDIV:
    case PTK_BINOP_MOD:
      if (y == 0) {
        tr_error(c, rb, "division by zero in '%s'", os);
        return tv_err();
      }
      if (op == PTK_BINOP_DIV) return tv_float(x / y);
      if (op == PTK_BINOP_MOD) return tv_float(fmod(x, y));
      return tv_float(floor(x / y));
    case PTK_BINOP_POW: return tv_float(pow(x, y));
    case PTK_BINOP_EQ: return tv_bool(x == y);
    case PTK_BINOP_NE: return tv_bool(x != y);
    case PTK_BINOP_LT: return tv_bool(x < y);
    case PTK_BINOP_LE: return tv_bool(x <= y);
    case PTK_BINOP_GT: return tv_bool(x > y);
    case PTK_BINOP_GE: return tv_bool(x >= y);
    default: break;
    }
  } else if (a.k == TV_BOOL && b.k == TV_BOOL) {
    switch (op) {
    case PTK_BINOP_EQ: return tv_bool(a.b == b.b);
    case PTK_BINOP_NE: return tv_bool(a.b != b.b);
    case PTK_BINOP_BITAND: return tv_bool(a.b && b.b);
    case PTK_BINOP_BITOR: return tv_bool(a.b || b.b);
    case PTK_BINOP_BITXOR: return tv_bool(a.b != b.b);
    default: break;
    }
  } else if (a.k == TV_STR && b.k == TV_STR) {
    bool eq = a.str.n == b.str.n && memcmp(a.str.s, b.str.s, a.str.n) == 0;
    if (op == PTK_BINOP_EQ) return tv_bool(eq);
    if (op == PTK_BINOP_NE) return tv_bool(!eq);
    if (op == PTK_BINOP_ADD) {
      if (a.str.n + b.str.n > (1u << 20)) {
        tr_error(c, at, "compile-time string is too long (over 1 MiB)");
        return tv_err();
      }
      char *s = ptk_arena_alloc(c->tmp, a.str.n + b.str.n + 1);
      memcpy(s, a.str.s, a.str.n);
      memcpy(s + a.str.n, b.str.s, b.str.n);
      return (tval){.k = TV_STR, .str = {s, a.str.n + b.str.n}};
    }
  } else if (a.k == TV_DTYPE && b.k == TV_DTYPE) {
    if (op == PTK_BINOP_EQ) return tv_bool(a.dt == b.dt);
    if (op == PTK_BINOP_NE) return tv_bool(a.dt != b.dt);
  } else if (a.k == TV_LIST && b.k == TV_LIST && op == PTK_BINOP_ADD) {
    size_t n = a.list->n + b.list->n;
    if (n > TRACE_MAX_UNROLL) {
      tr_error(c, at, "compile-time list is too long (over %d entries)", TRACE_MAX_UNROLL);
      return tv_err();
    }
    tlist *l = ptk_arena_alloc(c->tmp, sizeof *l + n * sizeof(tval));
    l->n = n;
    memcpy(l->items, a.list->items, a.list->n * sizeof(tval));
    memcpy(l->items + a.list->n, b.list->items, b.list->n * sizeof(tval));
    return (tval){.k = TV_LIST, .list = l};
  }
  tr_error(c, at, "'%s' is not defined for %s and %s", os, tv_kind_name(a), tv_kind_name(b));
  return tv_err();
}

/* ---- traced scalar arithmetic ------------------------------------------------ */

static ptk_value *arith(tctx *c, ptk_op_kind k, ptk_value *x, ptk_value *y, ptk_range at) {
  ptk_value *ops[2] = {x, y};
  const ptk_type *t = x->type;
  ptk_op *op = tr_build(c, k, ops, 2, &t, 1, at);
  return op ? ptk_op_result(op, 0) : NULL;
}

static ptk_value *cmp(tctx *c, bool fl, int pred, ptk_value *x, ptk_value *y, ptk_range at) {
  ptk_value *ops[2] = {x, y};
  const ptk_type *t = tr_scalar(PTK_DT_I1);
  ptk_op *op = tr_build(c, fl ? PTK_OP_ARITH_CMPF : PTK_OP_ARITH_CMPI, ops, 2, &t, 1, at);
  if (!op) return NULL;
  ptk_op_set_attr(op, "predicate", ptk_attr_int(c->m, pred, tr_scalar(PTK_DT_I64)));
  return ptk_op_result(op, 0);
}

/* The common type of a traced operand and another operand, or NULL after an
 * error. Compile-time operands take the traced type; i32 and index meet at
 * index. */
static const ptk_type *unify(tctx *c, tval a, tval b, ptk_ast_binop op, ptk_range at) {
  const char *os = ptk_ast_binop_str(op);
  if (a.k == TV_IR && b.k == TV_IR) {
    const ptk_type *x = a.v->type, *y = b.v->type;
    if (ptk_type_equal(x, y)) return x;
    if ((is_i32_t(x) && is_index_t(y)) || (is_index_t(x) && is_i32_t(y)))
      return tr_scalar(PTK_DT_INDEX);
    const char *xs = tr_type_str(c, x), *ys = tr_type_str(c, y);
    tr_error(c, at, "cannot mix %s and %s in '%s'; convert one side with cast(x, %s) or cast(x, %s)",
             xs, ys, os, xs, ys);
    return NULL;
  }
  tval t = a.k == TV_IR ? a : b, k = a.k == TV_IR ? b : a;
  const ptk_type *tt = t.v->type;
  if ((is_int_t(tt) && k.k == TV_INT) || (is_float_t(tt) && (k.k == TV_INT || k.k == TV_FLOAT)) ||
      (is_i1_t(tt) && k.k == TV_BOOL))
    return tt;
  const char *ts = tr_type_str(c, tt);
  if (k.k == TV_FLOAT && is_int_t(tt))
    tr_error(c, at, "cannot mix %s and a float constant in '%s'; convert with cast(x, f32) (or use an integer constant)",
             ts, os);
  else
    tr_error(c, at, "cannot mix %s and %s %s in '%s'", ts,
             strchr("aeiou", tv_kind_name(k)[0]) ? "an" : "a", tv_kind_name(k), os);
  return NULL;
}

static tval ir_binop(tctx *c, ptk_ast_binop op, tval a, tval b, ptk_range at, ptk_range ra,
                     ptk_range rb) {
  const char *os = ptk_ast_binop_str(op);
  tval tv = a.k == TV_IR ? a : b;
  if (tv.v->type->kind != PTK_TY_SCALAR) {
    tr_error(c, at, "'%s' is not defined for %s and %s", os, tv_kind_name(a), tv_kind_name(b));
    return tv_err();
  }
  if (a.k != TV_IR && a.k != TV_INT && a.k != TV_FLOAT && a.k != TV_BOOL) {
    tr_error(c, ra, "'%s' is not defined for %s and %s", os, tv_kind_name(a), tv_kind_name(b));
    return tv_err();
  }
  if (b.k != TV_IR && b.k != TV_INT && b.k != TV_FLOAT && b.k != TV_BOOL) {
    tr_error(c, rb, "'%s' is not defined for %s and %s", os, tv_kind_name(a), tv_kind_name(b));
    return tv_err();
  }
  const ptk_type *t = unify(c, a, b, op, at);
  if (!t) return tv_err();
  ptk_value *x = tr_coerce(c, a, t, ra, "the left operand");
  ptk_value *y = x ? tr_coerce(c, b, t, rb, "the right operand") : NULL;
  if (!x || !y) return tv_err();
  bool fl = is_float_t(t), i1 = is_i1_t(t);
  int pred = ptk_trace_cmp_predicate(op, fl);
  if (pred >= 0) {
    if (i1 && op != PTK_BINOP_EQ && op != PTK_BINOP_NE) {
      tr_error(c, at, "'%s' is not defined for bool values", os);
      return tv_err();
    }
    return tv_ir(cmp(c, fl, pred, x, y, at));
  }
  ptk_op_kind k = PTK_OP__INVALID;
  if (i1) {
    if (op == PTK_BINOP_BITAND) k = PTK_OP_ARITH_ANDI;
    if (op == PTK_BINOP_BITOR) k = PTK_OP_ARITH_ORI;
    if (op == PTK_BINOP_BITXOR) k = PTK_OP_ARITH_XORI;
  } else if (fl) {
    switch (op) {
    case PTK_BINOP_ADD: k = PTK_OP_ARITH_ADDF; break;
    case PTK_BINOP_SUB: k = PTK_OP_ARITH_SUBF; break;
    case PTK_BINOP_MUL: k = PTK_OP_ARITH_MULF; break;
    case PTK_BINOP_DIV: k = PTK_OP_ARITH_DIVF; break;
    case PTK_BINOP_MOD: k = PTK_OP_ARITH_REMF; break;
    default: break;
    }
  } else {
    switch (op) {
    case PTK_BINOP_ADD: k = PTK_OP_ARITH_ADDI; break;
    case PTK_BINOP_SUB: k = PTK_OP_ARITH_SUBI; break;
    case PTK_BINOP_MUL: k = PTK_OP_ARITH_MULI; break;
    case PTK_BINOP_DIV: k = PTK_OP_ARITH_DIVSI; break;
    case PTK_BINOP_FLOORDIV: k = PTK_OP_ARITH_FLOORDIVSI; break;
    case PTK_BINOP_MOD: k = PTK_OP_ARITH_REMSI; break;
    case PTK_BINOP_BITAND: k = PTK_OP_ARITH_ANDI; break;
    case PTK_BINOP_BITOR: k = PTK_OP_ARITH_ORI; break;
    case PTK_BINOP_BITXOR: k = PTK_OP_ARITH_XORI; break;
    case PTK_BINOP_SHL: k = PTK_OP_ARITH_SHLI; break;
    case PTK_BINOP_SHR: k = PTK_OP_ARITH_SHRSI; break;
    default: break;
    }
  }
  if (k == PTK_OP__INVALID) {
    if (op == PTK_BINOP_POW)
      tr_error(c, at, "'**' needs compile-time operands, but this operand is a %s", tv_kind_name(tv));
    else
      tr_error(c, at, "'%s' is not defined for %s values", os, tr_type_str(c, t));
    return tv_err();
  }
  return tv_ir(arith(c, k, x, y, at));
}

tval tr_binop(tctx *c, ptk_ast_binop op, tval a, tval b, ptk_range at, ptk_range ra, ptk_range rb) {
  if (a.k == TV_ERR || b.k == TV_ERR) return tv_err();
  if (tr_is_tile(a) || tr_is_tile(b)) return tr_tile_binop(c, op, a, b, at, ra, rb);
  if (a.k == TV_NONE || b.k == TV_NONE) {
    tr_error(c, a.k == TV_NONE ? ra : rb, "this call returns no value");
    return tv_err();
  }
  if (a.k != TV_IR && b.k != TV_IR) {
    tval r = ct_binop(c, op, a, b, at, rb);
    if ((op == PTK_BINOP_DIV || op == PTK_BINOP_FLOORDIV) && r.k == TV_INT && a.k == TV_INT &&
        b.k == TV_INT && b.i != 0 && a.i % b.i != 0 && ra.begin.src && rb.end.src) {
      struct trunc_div *t = &c->tdivs[c->ntdivs++ % 64];
      *t = (struct trunc_div){{ra.begin, rb.end}, {{0}, {0}}, a.i, b.i, r.i, op == PTK_BINOP_FLOORDIV};
    }
    return r;
  }
  return ir_binop(c, op, a, b, at, ra, rb);
}

tval tr_neg(tctx *c, tval a, ptk_range at) {
  switch (a.k) {
  case TV_ERR: return a;
  case TV_INT:
    if (a.i == INT64_MIN) return ct_overflow(c, at, "-");
    return tv_int(-a.i);
  case TV_FLOAT: return tv_float(-a.f);
  case TV_IR:
    if (tr_is_tile(a)) return tr_tile_unary(c, PTK_OP_TNEG, a, at);
    if (is_float_t(a.v->type)) {
      const ptk_type *t = a.v->type;
      ptk_op *op = tr_build(c, PTK_OP_ARITH_NEGF, &a.v, 1, &t, 1, at);
      return op ? tv_ir(ptk_op_result(op, 0)) : tv_err();
    }
    if (is_int_t(a.v->type)) {
      ptk_value *z = tr_const_int(c, 0, a.v->type, at);
      return z ? tv_ir(arith(c, PTK_OP_ARITH_SUBI, z, a.v, at)) : tv_err();
    }
    break;
  default: break;
  }
  tr_error(c, at, "'-' is not defined for %s", tv_kind_name(a));
  return tv_err();
}

static tval eval_unary(tctx *c, const ptk_ast_expr *e) {
  const ptk_ast_expr *x = e->u.unary.operand;
  if (e->u.unary.op == PTK_UNOP_NEG && x->kind == PTK_EXPR_INT && x->u.int_lit.value == (uint64_t)1 << 63)
    return tv_int(INT64_MIN);
  tval a = tr_eval(c, x);
  if (a.k == TV_ERR) return a;
  switch (e->u.unary.op) {
  case PTK_UNOP_NEG: return tr_neg(c, a, e->range);
  case PTK_UNOP_NOT:
    if (a.k == TV_BOOL) return tv_bool(!a.b);
    if (a.k == TV_IR && is_i1_t(a.v->type)) {
      ptk_value *t = tr_const_bool(c, true, e->range);
      return t ? tv_ir(arith(c, PTK_OP_ARITH_XORI, a.v, t, e->range)) : tv_err();
    }
    tr_error(c, e->range, "'not' needs a bool, but this is %s %s",
             strchr("aeiou", tv_kind_name(a)[0]) ? "an" : "a", tv_kind_name(a));
    return tv_err();
  case PTK_UNOP_BITNOT:
    if (a.k == TV_INT) return tv_int(~a.i);
    if (a.k == TV_IR && is_int_t(a.v->type)) {
      ptk_value *m = tr_const_int(c, -1, a.v->type, e->range);
      return m ? tv_ir(arith(c, PTK_OP_ARITH_XORI, a.v, m, e->range)) : tv_err();
    }
    tr_error(c, e->range, "'~' needs an integer, but this is %s %s",
             strchr("aeiou", tv_kind_name(a)[0]) ? "an" : "a", tv_kind_name(a));
    return tv_err();
  }
  return tv_err();
}

/* `and` / `or`: short-circuit on compile-time operands, arith.andi/ori on i1. */
static tval eval_logic(tctx *c, const ptk_ast_expr *e) {
  bool is_and = e->u.binary.op == PTK_BINOP_AND;
  const char *os = is_and ? "and" : "or";
  tval a = tr_eval(c, e->u.binary.lhs);
  if (a.k == TV_ERR) return a;
  bool a_i1 = a.k == TV_IR && is_i1_t(a.v->type);
  if (a.k != TV_BOOL && !a_i1) {
    tr_error(c, e->u.binary.lhs->range, "'%s' needs bool operands, but this is %s %s", os,
             strchr("aeiou", tv_kind_name(a)[0]) ? "an" : "a", tv_kind_name(a));
    return tv_err();
  }
  if (a.k == TV_BOOL && a.b != is_and) return a; /* false and …, true or … */
  tval b = tr_eval(c, e->u.binary.rhs);
  if (b.k == TV_ERR) return b;
  bool b_i1 = b.k == TV_IR && is_i1_t(b.v->type);
  if (b.k != TV_BOOL && !b_i1) {
    tr_error(c, e->u.binary.rhs->range, "'%s' needs bool operands, but this is %s %s", os,
             strchr("aeiou", tv_kind_name(b)[0]) ? "an" : "a", tv_kind_name(b));
    return tv_err();
  }
  if (a.k == TV_BOOL) return b; /* true and b, false or b */
  if (b.k == TV_BOOL) {
    if (b.b == is_and) return a; /* a and true, a or false */
    return b;                    /* a and false = false, a or true = true */
  }
  return tv_ir(arith(c, is_and ? PTK_OP_ARITH_ANDI : PTK_OP_ARITH_ORI, a.v, b.v, e->range));
}

static tval eval_ternary(tctx *c, const ptk_ast_expr *e) {
  tval cnd = tr_eval(c, e->u.ternary.cond);
  if (cnd.k == TV_ERR) return cnd;
  if (cnd.k == TV_BOOL) return tr_eval(c, cnd.b ? e->u.ternary.then_expr : e->u.ternary.else_expr);
  if (!(cnd.k == TV_IR && is_i1_t(cnd.v->type))) {
    tr_error(c, e->u.ternary.cond->range, "the condition of '?:' must be a bool, but this is %s %s",
             strchr("aeiou", tv_kind_name(cnd)[0]) ? "an" : "a", tv_kind_name(cnd));
    return tv_err();
  }
  tval a = tr_eval(c, e->u.ternary.then_expr);
  tval b = tr_eval(c, e->u.ternary.else_expr);
  if (a.k == TV_ERR || b.k == TV_ERR) return tv_err();
  const ptk_type *t;
  if (a.k == TV_IR && b.k == TV_IR && ptk_type_equal(a.v->type, b.v->type)) {
    t = a.v->type;
  } else if (a.k == TV_IR || b.k == TV_IR) {
    tval s = a.k == TV_IR ? a : b;
    if (s.v->type->kind != PTK_TY_SCALAR) {
      tr_error(c, e->range, "the two sides of a runtime '?:' must have the same type, but are %s and %s; use 'if' with a 'var'",
               tv_kind_name(a), tv_kind_name(b));
      return tv_err();
    }
    tval k = a.k == TV_IR ? b : a;
    bool kok = (k.k == TV_IR && ptk_type_equal(k.v->type, s.v->type)) ||
               (is_int_t(s.v->type) && k.k == TV_INT) || (is_float_t(s.v->type) && (k.k == TV_INT || k.k == TV_FLOAT)) ||
               (is_i1_t(s.v->type) && k.k == TV_BOOL);
    if (!kok) {
      tr_error(c, e->range, "the two sides of a runtime '?:' must have one type, but are %s and %s; convert one with cast(x, T)",
               a.k == TV_IR ? tr_type_str(c, a.v->type) : tv_kind_name(a),
               b.k == TV_IR ? tr_type_str(c, b.v->type) : tv_kind_name(b));
      return tv_err();
    }
    t = s.v->type;
  } else {
    t = tr_default_type(a);
    if (!t || (tr_default_type(b) != t)) {
      tr_error(c, e->range, "the two sides of a runtime '?:' must have the same type, but are %s and %s",
               tv_kind_name(a), tv_kind_name(b));
      return tv_err();
    }
  }
  if (!t) return tv_err();
  ptk_value *x = tr_coerce(c, a, t, e->u.ternary.then_expr->range, "the first alternative");
  ptk_value *y = x ? tr_coerce(c, b, t, e->u.ternary.else_expr->range, "the second alternative") : NULL;
  if (!x || !y) return tv_err();
  ptk_value *ops[3] = {cnd.v, x, y};
  ptk_op *op = tr_build(c, PTK_OP_ARITH_SELECT, ops, 3, &t, 1, e->range);
  return op ? tv_ir(ptk_op_result(op, 0)) : tv_err();
}

/* ---- casts ---------------------------------------------------------------------- */

static ptk_value *cast1(tctx *c, ptk_op_kind k, ptk_value *v, ptk_dtype to, ptk_range at) {
  const ptk_type *t = tr_scalar(to);
  ptk_op *op = tr_build(c, k, &v, 1, &t, 1, at);
  return op ? ptk_op_result(op, 0) : NULL;
}

tval tr_cast(tctx *c, tval x, ptk_dtype dt, ptk_range at) {
  const ptk_type *to = tr_scalar(dt);
  switch (x.k) {
  case TV_ERR: return x;
  case TV_INT:
  case TV_FLOAT:
  case TV_BOOL: {
    double f = x.k == TV_INT ? (double)x.i : x.k == TV_FLOAT ? x.f : (double)x.b;
    if (ptk_dtype_is_float(dt)) return tv_ir(tr_const_float(c, f, to, at));
    if (dt == PTK_DT_I1) return tv_ir(tr_const_bool(c, f != 0, at));
    if (x.k == TV_FLOAT) {
      if (!(f > -9.3e18 && f < 9.3e18)) {
        tr_error(c, at, "%g does not fit in an integer", f);
        return tv_err();
      }
      return tv_ir(tr_const_int(c, (int64_t)f, to, at));
    }
    return tv_ir(tr_const_int(c, x.k == TV_INT ? x.i : x.b, to, at));
  }
  case TV_IR: break;
  default:
    tr_error(c, at, "cannot cast %s %s to %s", strchr("aeiou", tv_kind_name(x)[0]) ? "an" : "a",
             tv_kind_name(x), ptk_dtype_name(dt));
    return tv_err();
  }
  if (tr_is_tile(x)) {
    tr_error(c, at, "cast() converts scalars; convert a tile with tcvt(src, dst) into a tile of the new dtype");
    return tv_err();
  }
  const ptk_type *from = x.v->type;
  if (from->kind != PTK_TY_SCALAR) {
    tr_error(c, at, "cannot cast a %s to %s", tv_kind_name(x), ptk_dtype_name(dt));
    return tv_err();
  }
  ptk_dtype fd = from->dt;
  if (fd == dt) return x;
  ptk_value *v = x.v;
  bool ff = ptk_dtype_is_float(fd), tf = ptk_dtype_is_float(dt);
  if (dt == PTK_DT_I1) { /* x != 0 */
    ptk_value *z = ff ? tr_const_float(c, 0, from, at) : tr_const_int(c, 0, from, at);
    return z ? tv_ir(cmp(c, ff, ff ? PTK_CMPF_une : PTK_CMPI_ne, v, z, at)) : tv_err();
  }
  if (ff && tf)
    return tv_ir(cast1(c, ptk_dtype_bits(dt) > ptk_dtype_bits(fd) ? PTK_OP_ARITH_EXTF : PTK_OP_ARITH_TRUNCF, v,
                       dt, at));
  if (!ff && !tf) {
    if (fd == PTK_DT_INDEX || dt == PTK_DT_INDEX) {
      if (fd == PTK_DT_I1) v = cast1(c, PTK_OP_ARITH_EXTUI, v, PTK_DT_I64, at);
      return tv_ir(v ? tr_index_cast(c, v, to, at) : NULL);
    }
    unsigned fb = ptk_dtype_bits(fd), tb = ptk_dtype_bits(dt);
    if (fb == tb) return tv_ir(cast1(c, PTK_OP_ARITH_BITCAST, v, dt, at));
    if (tb < fb) return tv_ir(cast1(c, PTK_OP_ARITH_TRUNCI, v, dt, at));
    return tv_ir(cast1(c, fd == PTK_DT_I1 ? PTK_OP_ARITH_EXTUI : PTK_OP_ARITH_EXTSI, v, dt, at));
  }
  if (!ff) { /* int -> float */
    if (fd == PTK_DT_INDEX) v = tr_index_cast(c, v, tr_scalar(PTK_DT_I64), at);
    if (fd == PTK_DT_I1) return tv_ir(v ? cast1(c, PTK_OP_ARITH_UITOFP, v, dt, at) : NULL);
    return tv_ir(v ? cast1(c, PTK_OP_ARITH_SITOFP, v, dt, at) : NULL);
  }
  /* float -> int */
  if (dt == PTK_DT_INDEX) {
    v = cast1(c, PTK_OP_ARITH_FPTOSI, v, PTK_DT_I64, at);
    return tv_ir(v ? tr_index_cast(c, v, to, at) : NULL);
  }
  return tv_ir(cast1(c, PTK_OP_ARITH_FPTOSI, v, dt, at));
}

/* ---- expressions ----------------------------------------------------------------- */

static tval eval_list(tctx *c, const ptk_ast_expr *e) {
  size_t n = e->u.list.nelems;
  tlist *l = ptk_arena_alloc(c->tmp, sizeof *l + n * sizeof(tval));
  l->n = n;
  bool err = false;
  for (size_t i = 0; i < n; i++) {
    l->items[i] = tr_eval(c, e->u.list.elems[i]);
    if (l->items[i].k == TV_ERR) err = true;
    if (l->items[i].k == TV_NONE) {
      tr_error(c, e->u.list.elems[i]->range, "this call returns no value");
      err = true;
    }
  }
  return err ? tv_err() : (tval){.k = TV_LIST, .list = l};
}

static tval eval_index(tctx *c, const ptk_ast_expr *e) {
  tval base = tr_eval(c, e->u.index.base);
  if (base.k == TV_ERR) return base;
  if (base.k == TV_IR && base.v->type->kind == PTK_TY_TENSOR_VIEW) return tr_slice(c, e);
  if (base.k == TV_LIST || base.k == TV_STR) {
    const ptk_ast_subscript *s = &e->u.index.subs[0];
    if (e->u.index.nsubs != 1 || s->is_slice) {
      tr_error(c, s->range, "a %s takes one index", tv_kind_name(base));
      return tv_err();
    }
    int64_t i;
    if (!tr_ct_int(c, tr_eval(c, s->index), s->range, "the index", &i)) return tv_err();
    int64_t n = base.k == TV_LIST ? (int64_t)base.list->n : (int64_t)base.str.n;
    int64_t j = i < 0 ? i + n : i;
    if (j < 0 || j >= n) {
      tr_error(c, s->range, "index %" PRId64 " is out of range for a %s of length %" PRId64, i,
               tv_kind_name(base), n);
      return tv_err();
    }
    if (base.k == TV_LIST) return base.list->items[j];
    char *ch = ptk_arena_strndup(c->tmp, base.str.s + j, 1);
    return (tval){.k = TV_STR, .str = {ch, 1}};
  }
  if (tr_is_tile(base)) {
    tr_error(c, e->range, "tiles cannot be indexed; use subview(t, [r, c], sizes = [R, C]) or tgetval(t, offset)");
    return tv_err();
  }
  tr_error(c, e->u.index.base->range, "%s %s cannot be indexed",
           strchr("aeiou", tv_kind_name(base)[0]) ? "an" : "a", tv_kind_name(base));
  return tv_err();
}

static tval eval_call(tctx *c, const ptk_ast_expr *e) {
  const ptk_ast_expr *callee = e->u.call.callee;
  int saved = c->call_nargs;
  c->call_nargs = 0;
  for (size_t i = 0; i < e->u.call.nargs; i++) c->call_nargs += !e->u.call.args[i].name;
  tval f = tr_eval(c, callee);
  c->call_nargs = saved;
  if (f.k == TV_ERR) return f;
  if (f.k == TV_BUILTIN) return tr_call_builtin(c, f.bi, e);
  if (f.k == TV_FN) return tr_call_fn(c, f, e);
  if (f.k == TV_DTYPE && e->u.call.nargs == 1 && !e->u.call.args[0].name) {
    /* f32(x) is cast(x, f32) */
    tval x = tr_eval(c, e->u.call.args[0].value);
    return tr_cast(c, x, f.dt, e->range);
  }
  tr_error(c, callee->range, "%s %s is not callable", strchr("aeiou", tv_kind_name(f)[0]) ? "an" : "a",
           tv_kind_name(f));
  return tv_err();
}

tval tr_eval(tctx *c, const ptk_ast_expr *e) {
  if (c->abort) return tv_err();
  switch (e->kind) {
  case PTK_EXPR_INT:
    if (e->u.int_lit.value > (uint64_t)INT64_MAX) {
      tr_error(c, e->range, "integer literal is too large (the maximum is 9223372036854775807)");
      return tv_err();
    }
    return tv_int((int64_t)e->u.int_lit.value);
  case PTK_EXPR_FLOAT: return tv_float(e->u.float_lit.value);
  case PTK_EXPR_BOOL: return tv_bool(e->u.bool_lit.value);
  case PTK_EXPR_STRING:
    return (tval){.k = TV_STR, .str = {e->u.string_lit.data, e->u.string_lit.len}};
  case PTK_EXPR_NAME: {
    tval v;
    int nargs = c->call_nargs; /* only this name is the callee */
    c->call_nargs = -1;
    binding *lb = tr_lookup_local(c, e->u.name.name, tr_hash(e->u.name.name));
    if (lb && lb->tdiv && lb->v.k == TV_INT && lb->v.i == lb->tdiv->q) {
      struct trunc_div *t = &c->tdivs[c->ntdivs++ % 64];
      *t = *lb->tdiv;
      t->div = lb->tdiv->div.begin.src ? lb->tdiv->div : lb->tdiv->r;
      t->r = e->range;
    }
    if (tr_lookup(c, e->u.name.name, e->range, &v)) return v;
    tr_error(c, e->range, "undefined name '%s'", e->u.name.name);
    c->call_nargs = nargs;
    tr_suggest(c, e->u.name.name, e->range);
    c->call_nargs = -1;
    return tv_err();
  }
  case PTK_EXPR_LIST: return eval_list(c, e);
  case PTK_EXPR_CALL: return eval_call(c, e);
  case PTK_EXPR_INDEX: return eval_index(c, e);
  case PTK_EXPR_MEMBER: return tr_member(c, e);
  case PTK_EXPR_UNARY: return eval_unary(c, e);
  case PTK_EXPR_BINARY: {
    ptk_ast_binop op = e->u.binary.op;
    if (op == PTK_BINOP_AND || op == PTK_BINOP_OR) return eval_logic(c, e);
    tval a = tr_eval(c, e->u.binary.lhs);
    if (a.k == TV_ERR) return a;
    tval b = tr_eval(c, e->u.binary.rhs);
    return tr_binop(c, op, a, b, e->u.binary.op_range, erange(e->u.binary.lhs),
                    erange(e->u.binary.rhs));
  }
  case PTK_EXPR_TERNARY: return eval_ternary(c, e);
  case PTK_EXPR_LAUNCH:
    tr_error(c, e->u.launch.kw_range,
             "'launch' starts a task and belongs in a program; a kernel cannot launch kernels");
    return tv_err();
  }
  return tv_err();
}

int ptk_trace_cmp_predicate(ptk_ast_binop op, bool fl) {
  switch (op) {
  case PTK_BINOP_EQ: return fl ? PTK_CMPF_oeq : PTK_CMPI_eq;
  case PTK_BINOP_NE: return fl ? PTK_CMPF_une : PTK_CMPI_ne;
  case PTK_BINOP_LT: return fl ? PTK_CMPF_olt : PTK_CMPI_slt;
  case PTK_BINOP_LE: return fl ? PTK_CMPF_ole : PTK_CMPI_sle;
  case PTK_BINOP_GT: return fl ? PTK_CMPF_ogt : PTK_CMPI_sgt;
  case PTK_BINOP_GE: return fl ? PTK_CMPF_oge : PTK_CMPI_sge;
  default: return -1;
  }
}
