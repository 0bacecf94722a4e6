/* IR -> C (see emit.h). Mirrors runtime/interp/compile.c + exec.c: the same
 * op coverage, the same operand mapping onto runtime/isa, the same scalar
 * rules (the inline helpers of ptk_jit_rt.h are exec.c's). */
#include "backend/c/emit.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define PTKJ_ENUMS_ONLY
#include "backend/c/ptk_jit_rt.h"

const char ptk_jit_rt_text[] =
#include "backend/c/ptk_jit_rt.inc"
    ;

typedef struct ec {
  ptk_buf *o;
  ptk_diags *d;
  size_t errors;
  PTK_VEC(const ptk_func *) funcs;
  PTK_VEC(const ptk_op *) ops;
  const ptk_module *top;
  uint8_t *declared; /* [nvalues] */
  uint32_t nvalues;
  int ind;
  uint32_t tmp;
} ec;

enum { K_NONE, K_SC, K_PTR, K_VIEW, K_TILE };

static int kind_of(const ptk_type *t) {
  if (!t) return K_NONE;
  switch (t->kind) {
  case PTK_TY_SCALAR: return K_SC;
  case PTK_TY_PTR: return K_PTR;
  case PTK_TY_TENSOR_VIEW:
  case PTK_TY_PART_VIEW: return K_VIEW;
  case PTK_TY_TILE_BUF: return K_TILE;
  default: return K_NONE;
  }
}
static int vkind(const ptk_value *v) { return v ? kind_of(v->type) : K_NONE; }
static const char *ctype(int k) {
  switch (k) {
  case K_SC: return "ptkj_sc";
  case K_PTR: return "ptkj_ptr";
  case K_VIEW: return "ptkj_view";
  default: return "ptk_tile";
  }
}
static const char *opname(const ptk_op *op) { return ptk_op_table[op->kind].name; }
static bool is_float_sc(const ptk_value *v) {
  return v && v->type && v->type->kind == PTK_TY_SCALAR && ptk_dtype_is_float(v->type->dt);
}

static void err(ec *c, const ptk_op *op, const char *fmt, ...) PTK_PRINTF(3, 4);
static void err(ec *c, const ptk_op *op, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  ptk_buf b = {0};
  ptk_buf_vprintf(&b, fmt, ap);
  va_end(ap);
  ptk_error_loc(c->d, op ? op->loc : (ptk_loc){0}, "%s", ptk_buf_cstr(&b));
  ptk_buf_free(&b);
  c->errors++;
}

static void unsupported(ec *c, const ptk_op *op) {
  err(c, op, "%s is not supported by the C emitter", opname(op));
}

static void line(ec *c, const char *fmt, ...) PTK_PRINTF(2, 3);
static void line(ec *c, const char *fmt, ...) {
  for (int i = 0; i < c->ind; i++) ptk_buf_puts(c->o, "  ");
  va_list ap;
  va_start(ap, fmt);
  ptk_buf_vprintf(c->o, fmt, ap);
  va_end(ap);
  ptk_buf_putc(c->o, '\n');
}

static uint32_t opid(ec *c, const ptk_op *op) {
  ptk_vec_push(&c->ops, op);
  return (uint32_t)c->ops.len - 1;
}

/* "v<uid>" */
#define VN(v) ((v) ? (v)->uid : 0u)

static uint32_t fn_index(ec *c, const ptk_func *f) {
  for (size_t i = 0; i < c->funcs.len; i++)
    if (c->funcs.data[i] == f) return (uint32_t)i;
  ptk_vec_push(&c->funcs, f);
  return (uint32_t)c->funcs.len - 1;
}

static int enum_attr(ec *c, const ptk_op *op, const char *name, const char *mnemonic, int dflt) {
  const ptk_attr *a = ptk_op_attr(op, name);
  if (!a) return dflt;
  int64_t iv;
  if (a->kind == PTK_ATTR_INT && ptk_attr_get_int(a, &iv)) return (int)iv;
  int i = ptk_attr_enum_index(a, mnemonic);
  if (i < 0) {
    err(c, op, "%s: unsupported value for attribute '%s'", opname(op), name);
    return dflt;
  }
  return i;
}

static bool bool_attr(const ptk_op *op, const char *name) {
  const ptk_attr *a = ptk_op_attr(op, name);
  int64_t v;
  if (!a) return false;
  if (a->kind == PTK_ATTR_UNIT) return true;
  return ptk_attr_get_int(a, &v) && v != 0;
}

/* ---- declarations -------------------------------------------------------------------------- */

static void declare(ec *c, const ptk_value *v) {
  if (!v || v->uid >= c->nvalues || c->declared[v->uid]) return;
  int k = vkind(v);
  if (k == K_NONE) return;
  c->declared[v->uid] = 1;
  line(c, "%s v%u = {0};", ctype(k), v->uid);
}

static void declare_block(ec *c, const ptk_block *b, bool args) {
  if (args)
    for (uint32_t i = 0; i < b->nargs; i++) declare(c, b->args[i]);
  for (const ptk_op *op = b->first; op; op = op->next) {
    for (uint32_t i = 0; i < op->nresults; i++) declare(c, &op->results[i]);
    for (uint32_t r = 0; r < op->nregions; r++)
      for (const ptk_block *bb = op->regions[r].first; bb; bb = bb->next) declare_block(c, bb, true);
  }
}

/* dst[i] = src[i] all at once */
static void pmove(ec *c, ptk_value *const *dst, const ptk_value *dst_arr, ptk_value *const *src,
                  uint32_t n) {
  if (!n) return;
  line(c, "{");
  c->ind++;
  for (uint32_t i = 0; i < n; i++) {
    const ptk_value *s = src[i];
    line(c, "%s t%u = v%u;", ctype(vkind(s)), i, VN(s));
  }
  for (uint32_t i = 0; i < n; i++) {
    const ptk_value *t = dst ? dst[i] : &dst_arr[i];
    line(c, "v%u = t%u;", VN(t), i);
  }
  c->ind--;
  line(c, "}");
}

/* ---- ops --------------------------------------------------------------------------------- */

static void emit_op(ec *c, const ptk_op *op);

static const ptk_op *emit_body(ec *c, const ptk_block *b) {
  for (const ptk_op *op = b->first; op; op = op->next) {
    if (ptk_op_table[op->kind].flags & PTK_OPF_TERMINATOR) return op;
    emit_op(c, op);
  }
  return NULL;
}

static const ptk_block *one_block(ec *c, const ptk_op *op, const ptk_region *r) {
  if (!r->first) return NULL;
  if (r->first != r->last) {
    err(c, op, "%s: regions with several blocks are not supported by the C emitter", opname(op));
    return NULL;
  }
  return r->first;
}

static void emit_for(ec *c, const ptk_op *op) {
  uint32_t id = opid(c, op);
  uint32_t ninit = op->noperands - 3;
  const ptk_block *b = one_block(c, op, &op->regions[0]);
  if (!b || b->nargs != 1 + ninit || op->nresults != ninit) {
    err(c, op, "scf.for: malformed operation");
    return;
  }
  line(c, "{");
  c->ind++;
  line(c, "int64_t lb = v%u.i, ub = v%u.i, st = v%u.i;", VN(op->operands[0]), VN(op->operands[1]),
       VN(op->operands[2]));
  pmove(c, b->args + 1, NULL, op->operands + 3, ninit);
  line(c, "if (st <= 0) return e->err(cx, %u, PTKJ_E_STEP, st, 0);", id);
  line(c, "v%u.i = lb;", VN(b->args[0]));
  line(c, "if (lb < ub) for (;;) {");
  c->ind++;
  const ptk_op *term = emit_body(c, b);
  if (term && term->kind == PTK_OP_SCF_YIELD && term->noperands == ninit)
    pmove(c, b->args + 1, NULL, term->operands, ninit);
  else if (term || ninit)
    err(c, term ? term : op, "scf.for: the body must end with scf.yield of %u values", ninit);
  line(c, "int64_t nx;");
  line(c, "if (!__builtin_add_overflow(v%u.i, st, &nx) && nx < ub) {", VN(b->args[0]));
  line(c, "  v%u.i = nx;", VN(b->args[0]));
  line(c, "  if (PTKJ_ABORTED(cx)) return -2;");
  line(c, "  continue;");
  line(c, "}");
  line(c, "break;");
  c->ind--;
  line(c, "}");
  ptk_value **iters = b->args + 1;
  pmove(c, NULL, op->results, iters, ninit);
  c->ind--;
  line(c, "}");
}

static void emit_if(ec *c, const ptk_op *op) {
  line(c, "if (v%u.i) {", VN(op->operands[0]));
  for (int br = 0; br < 2; br++) {
    c->ind++;
    const ptk_block *b = one_block(c, op, &op->regions[br]);
    const ptk_op *term = b ? emit_body(c, b) : NULL;
    if (term && term->kind == PTK_OP_SCF_YIELD && term->noperands == op->nresults)
      pmove(c, NULL, op->results, term->operands, op->nresults);
    else if (term || op->nresults)
      err(c, term ? term : op, "scf.if: both branches must yield %u values", op->nresults);
    c->ind--;
    line(c, br == 0 ? "} else {" : "}");
  }
}

static void emit_while(ec *c, const ptk_op *op) {
  const ptk_block *bb = one_block(c, op, &op->regions[0]);
  const ptk_block *ab = one_block(c, op, &op->regions[1]);
  if (!bb || !ab || bb->nargs != op->noperands) {
    err(c, op, "scf.while: malformed operation");
    return;
  }
  pmove(c, bb->args, NULL, op->operands, op->noperands);
  line(c, "for (;;) {");
  c->ind++;
  const ptk_op *term = emit_body(c, bb);
  if (!term || term->kind != PTK_OP_SCF_CONDITION || term->noperands < 1 ||
      term->noperands - 1 != ab->nargs || term->noperands - 1 != op->nresults) {
    err(c, term ? term : op, "scf.while: the before region must end with scf.condition");
    c->ind--;
    line(c, "}");
    return;
  }
  line(c, "if (!v%u.i) {", VN(term->operands[0]));
  c->ind++;
  pmove(c, NULL, op->results, term->operands + 1, op->nresults);
  line(c, "break;");
  c->ind--;
  line(c, "}");
  pmove(c, ab->args, NULL, term->operands + 1, ab->nargs);
  const ptk_op *aterm = emit_body(c, ab);
  if (!aterm || aterm->kind != PTK_OP_SCF_YIELD || aterm->noperands != bb->nargs)
    err(c, aterm ? aterm : op, "scf.while: the after region must end with scf.yield");
  else
    pmove(c, bb->args, NULL, aterm->operands, bb->nargs);
  line(c, "if (PTKJ_ABORTED(cx)) return -2;");
  c->ind--;
  line(c, "}");
}

static void emit_call(ec *c, const ptk_op *op) {
  const ptk_attr *a = ptk_op_attr(op, "callee");
  if (!a || a->kind != PTK_ATTR_SYMBOL) {
    err(c, op, "func.call: missing callee");
    return;
  }
  const char *name = a->str.s;
  const char *last = strrchr(name, '@');
  if (last) name = last + 1;
  const ptk_func *f = ptk_module_find_func_nested(c->top, name);
  if (!f || !f->body || op->noperands != f->nargs || op->nresults != f->nresults) {
    err(c, op, "func.call: cannot call '@%s'", name);
    return;
  }
  uint32_t id = opid(c, op);
  uint32_t fi = fn_index(c, f);
  line(c, "if (e->enter(cx, %u)) return -1;", id);
  ptk_buf_printf(c->o, "%*s{ int rc_ = f%u(e, cx", c->ind * 2, "", fi);
  for (uint32_t i = 0; i < op->noperands; i++) ptk_buf_printf(c->o, ", v%u", VN(op->operands[i]));
  for (uint32_t i = 0; i < op->nresults; i++) ptk_buf_printf(c->o, ", &v%u", op->results[i].uid);
  ptk_buf_puts(c->o, "); e->leave(cx); if (rc_) return rc_; }\n");
}

static void emit_const(ec *c, const ptk_op *op) {
  const ptk_value *r = &op->results[0];
  const ptk_attr *a = ptk_op_attr(op, "value");
  if (op->nresults != 1 || vkind(r) != K_SC || !a) {
    err(c, op, "arith.constant: unsupported constant");
    return;
  }
  ptk_dtype dt = r->type->dt;
  if (ptk_dtype_is_float(dt)) {
    double v;
    if (a->kind == PTK_ATTR_FLOAT)
      v = a->f.v;
    else if (a->kind == PTK_ATTR_INT)
      v = (double)a->i;
    else {
      err(c, op, "arith.constant: expected a float value");
      return;
    }
    if (dt == PTK_DT_F32)
      v = (float)v;
    else if (dt != PTK_DT_F64)
      v = ptk_float_from_bits(ptk_float_to_bits(v, dt), dt);
    uint64_t bits;
    memcpy(&bits, &v, 8);
    line(c, "v%u.f = ptkj_f64(UINT64_C(0x%016" PRIx64 "));", r->uid, bits);
  } else {
    int64_t v;
    if (a->kind == PTK_ATTR_BOOL)
      v = a->b;
    else if (a->kind == PTK_ATTR_INT)
      v = a->i;
    else {
      err(c, op, "arith.constant: expected an integer value");
      return;
    }
    unsigned w = ptk_dtype_bits(dt);
    if (w < 64) {
      if (w == 1)
        v &= 1;
      else {
        uint64_t m = (uint64_t)1 << (w - 1);
        uint64_t x = (uint64_t)v & (((uint64_t)1 << w) - 1);
        v = (int64_t)((x ^ m) - m);
      }
    }
    line(c, "v%u.i = INT64_C(%" PRId64 ");", r->uid, v);
  }
}

static int icode(ptk_op_kind k) {
  switch (k) {
  case PTK_OP_ARITH_ADDI: return 0;
  case PTK_OP_ARITH_SUBI: return 1;
  case PTK_OP_ARITH_MULI: return 2;
  case PTK_OP_ARITH_DIVSI: return 3;
  case PTK_OP_ARITH_REMSI: return 4;
  case PTK_OP_ARITH_CEILDIVSI: return 5;
  case PTK_OP_ARITH_FLOORDIVSI: return 6;
  case PTK_OP_ARITH_DIVUI: return 7;
  case PTK_OP_ARITH_REMUI: return 8;
  case PTK_OP_ARITH_CEILDIVUI: return 9;
  case PTK_OP_ARITH_ANDI: return 10;
  case PTK_OP_ARITH_ORI: return 11;
  case PTK_OP_ARITH_XORI: return 12;
  case PTK_OP_ARITH_SHLI: return 13;
  case PTK_OP_ARITH_SHRUI: return 14;
  case PTK_OP_ARITH_SHRSI: return 15;
  case PTK_OP_ARITH_MAXSI: return 16;
  case PTK_OP_ARITH_MINSI: return 17;
  case PTK_OP_ARITH_MAXUI: return 18;
  case PTK_OP_ARITH_MINUI: return 19;
  default: return -1;
  }
}
static int fcode(ptk_op_kind k) {
  switch (k) {
  case PTK_OP_ARITH_ADDF: return 0;
  case PTK_OP_ARITH_SUBF: return 1;
  case PTK_OP_ARITH_MULF: return 2;
  case PTK_OP_ARITH_DIVF: return 3;
  case PTK_OP_ARITH_REMF: return 4;
  case PTK_OP_ARITH_MAXIMUMF: return 5;
  case PTK_OP_ARITH_MINIMUMF: return 6;
  case PTK_OP_ARITH_MAXNUMF: return 7;
  case PTK_OP_ARITH_MINNUMF: return 8;
  case PTK_OP_ARITH_NEGF: return 9;
  default: return -1;
  }
}

static void emit_arith(ec *c, const ptk_op *op) {
  const ptk_value *r = &op->results[0];
  if (op->nresults != 1 || op->noperands < 1 || vkind(r) != K_SC) {
    err(c, op, "%s: malformed operation", opname(op));
    return;
  }
  const ptk_value *x = op->operands[0], *y = op->noperands > 1 ? op->operands[1] : x;
  ptk_dtype dt = r->type->dt;
  int fc = fcode(op->kind), ic = icode(op->kind);
  if (fc >= 0) {
    int kind = dt == PTK_DT_F64 ? 0 : dt == PTK_DT_F32 ? 1 : 2;
    line(c, "v%u.f = ptkj_arf(e, %d, %d, %d, v%u.f, v%u.f);", r->uid, fc, kind, (int)dt, VN(x),
         VN(y));
  } else if (ic >= 0) {
    uint32_t id = opid(c, op);
    line(c, "if (ptkj_ari(%d, v%u.i, v%u.i, %u, &v%u.i)) return e->err(cx, %u, PTKJ_E_DIVZERO, 0, 0);",
         ic, VN(x), VN(y), ptk_dtype_bits(dt), r->uid, id);
  } else {
    unsupported(c, op);
  }
}

static void emit_cast(ec *c, const ptk_op *op) {
  const ptk_value *x = op->operands[0], *r = &op->results[0];
  ptk_dtype s = x->type->dt, d = r->type->dt;
  unsigned ws = ptk_dtype_bits(s), wd = ptk_dtype_bits(d);
  switch (op->kind) {
  case PTK_OP_ARITH_INDEX_CAST:
  case PTK_OP_ARITH_EXTSI:
  case PTK_OP_ARITH_TRUNCI:
    line(c, "v%u.i = ptkj_norm(ptkj_sx(v%u.i, %u), %u);", r->uid, VN(x), ws, wd);
    return;
  case PTK_OP_ARITH_INDEX_CASTUI:
  case PTK_OP_ARITH_EXTUI:
    line(c, "v%u.i = ptkj_norm((int64_t)ptkj_zx(v%u.i, %u), %u);", r->uid, VN(x), ws, wd);
    return;
  case PTK_OP_ARITH_EXTF:
  case PTK_OP_ARITH_TRUNCF:
    if (d == PTK_DT_F64)
      line(c, "v%u.f = v%u.f;", r->uid, VN(x));
    else if (d == PTK_DT_F32)
      line(c, "v%u.f = (double)(float)v%u.f;", r->uid, VN(x));
    else
      line(c, "v%u.f = e->round(%d, v%u.f);", r->uid, (int)d, VN(x));
    return;
  default:
    /* the float conversions and bitcasts: the host's (exec.c) code */
    line(c, "v%u = e->cast(%d, %d, %d, v%u);", r->uid, (int)op->kind, (int)s, (int)d, VN(x));
    return;
  }
}

static int cmpi_code(int64_t p) {
  int i = 0;
#define X(n)                                                                                       \
  if (p == PTK_CMPI_##n) return i;                                                                 \
  i++;
  PTK_CMPI_PREDICATES(X)
#undef X
  return -1;
}
static int cmpf_code(int64_t p) {
  int i = 0;
#define X(n)                                                                                       \
  if (p == PTK_CMPF_##n) return i;                                                                 \
  i++;
  PTK_CMPF_PREDICATES(X)
#undef X
  return -1;
}

static void emit_cmp(ec *c, const ptk_op *op) {
  bool fl = op->kind == PTK_OP_ARITH_CMPF;
  int64_t pred;
  const ptk_attr *pa = ptk_op_attr(op, "predicate");
  int code = pa && ptk_attr_get_int(pa, &pred) ? (fl ? cmpf_code(pred) : cmpi_code(pred)) : -1;
  if (code < 0 || op->noperands != 2 || op->nresults != 1) {
    err(c, op, "%s: missing or bad predicate", opname(op));
    return;
  }
  const ptk_value *x = op->operands[0], *y = op->operands[1];
  if (fl)
    line(c, "v%u.i = ptkj_cmpf(%d, v%u.f, v%u.f);", op->results[0].uid, code, VN(x), VN(y));
  else
    line(c, "v%u.i = ptkj_cmpi(%d, v%u.i, v%u.i, %u);", op->results[0].uid, code, VN(x), VN(y),
         ptk_dtype_bits(x->type->dt));
}

/* ---- tile ops (compile_dps) ---------------------------------------------------------------- */

typedef struct dps {
  ptk_value **in, **out;
  uint32_t nin, nout;
} dps;

static bool get_dps(ec *c, const ptk_op *op, dps *x, uint32_t inlo, uint32_t inhi, uint32_t nout) {
  x->in = ptk_op_segment(op, 0, &x->nin);
  x->out = ptk_op_segment(op, 1, &x->nout);
  if (x->nin < inlo || x->nin > inhi || x->nout != nout) {
    err(c, op, "%s: unexpected operand counts", opname(op));
    return false;
  }
  return true;
}

/* The symbolic runtime/isa names of backend/c/ptk_jit_rt.h (NULL: none). */
static const char *unop_of(ptk_op_kind k) {
  switch (k) {
#define PTK_ISA_UNOP_MAP(K, I) case PTK_OP_##K: return "PTKJ_ISA_" #I;
#include "backend/c/isa_map.def"
#undef PTK_ISA_UNOP_MAP
  default: return NULL;
  }
}

static const char *binop_of(ptk_op_kind k) {
  switch (k) {
#define PTK_ISA_BINOP_MAP(K, I) case PTK_OP_##K: return "PTKJ_ISA_" #I;
#include "backend/c/isa_map.def"
#undef PTK_ISA_BINOP_MAP
  default: return NULL;
  }
}

static const char *redop_of(ptk_op_kind k) {
  switch (k) {
#define PTK_ISA_REDOP_MAP(K, I) case PTK_OP_##K: return "PTKJ_ISA_" #I;
#include "backend/c/isa_map.def"
#undef PTK_ISA_REDOP_MAP
  default: return NULL;
  }
}

static const char *dtype_of(ptk_dtype dt) {
  switch (dt) {
#define PTK_ISA_DTYPE_MAP(D, I) case PTK_DT_##D: return "PTKJ_ISA_" #I;
#include "backend/c/isa_map.def"
#undef PTK_ISA_DTYPE_MAP
  default: return NULL;
  }
}

/* `e->fn(<sub, >&out, &in0, ...)` checked */
static void tcall(ec *c, const ptk_op *op, const char *fn, const char *sub, const dps *x,
                  uint32_t nin) {
  uint32_t id = opid(c, op);
  ptk_buf_printf(c->o, "%*sPTKJ_ISA(%u, e->%s(", c->ind * 2, "", id, fn);
  if (sub) ptk_buf_printf(c->o, "%s, ", sub);
  ptk_buf_printf(c->o, "&v%u", VN(x->out[0]));
  for (uint32_t i = 0; i < nin; i++) ptk_buf_printf(c->o, ", &v%u", VN(x->in[i]));
  ptk_buf_puts(c->o, "));\n");
}

static void emit_dps(ec *c, const ptk_op *op) {
  dps x;
  ptk_op_kind k = op->kind;
  switch (k) {
  case PTK_OP_TABS: case PTK_OP_TNEG: case PTK_OP_TEXP: case PTK_OP_TLOG: case PTK_OP_TSQRT:
  case PTK_OP_TRECIP: case PTK_OP_TRELU: case PTK_OP_TNOT: case PTK_OP_TRSQRT:
    if (!get_dps(c, op, &x, 1, k == PTK_OP_TRSQRT ? 2 : 1, 1)) return;
    tcall(c, op, "unary", unop_of(k), &x, 1);
    return;
  case PTK_OP_TADD: case PTK_OP_TSUB: case PTK_OP_TMUL: case PTK_OP_TDIV: case PTK_OP_TMAX:
  case PTK_OP_TMIN: case PTK_OP_TFMOD: case PTK_OP_TAND: case PTK_OP_TOR: case PTK_OP_TSHL:
  case PTK_OP_TSHR: case PTK_OP_TADDRELU: case PTK_OP_TREM: case PTK_OP_TXOR: case PTK_OP_TPRELU:
  case PTK_OP_TPOW: {
    bool tmp = k == PTK_OP_TREM || k == PTK_OP_TXOR || k == PTK_OP_TPRELU || k == PTK_OP_TPOW;
    if (!get_dps(c, op, &x, 2, tmp ? 3 : 2, 1)) return;
    tcall(c, op, "binary", binop_of(k), &x, 2);
    return;
  }
  case PTK_OP_TPARTADD: case PTK_OP_TPARTMAX: case PTK_OP_TPARTMIN: case PTK_OP_TPARTMUL:
    if (!get_dps(c, op, &x, 2, 2, 1)) return;
    tcall(c, op, "tpart", binop_of(k), &x, 2);
    return;
  case PTK_OP_TADDS: case PTK_OP_TSUBS: case PTK_OP_TMULS: case PTK_OP_TMAXS: case PTK_OP_TMINS:
  case PTK_OP_TFMODS: case PTK_OP_TREMS: case PTK_OP_TLRELU: case PTK_OP_TANDS: case PTK_OP_TORS:
  case PTK_OP_TSHLS: case PTK_OP_TSHRS: case PTK_OP_TXORS: case PTK_OP_TPOWS: case PTK_OP_TDIVS: {
    bool tmp = k == PTK_OP_TREMS || k == PTK_OP_TXORS || k == PTK_OP_TPOWS;
    if (!get_dps(c, op, &x, 2, tmp ? 3 : 2, 1)) return;
    bool rev = k == PTK_OP_TDIVS && vkind(x.in[0]) == K_SC;
    uint32_t id = opid(c, op);
    if (rev)
      line(c, "PTKJ_ISA(%u, e->binary_st(%s, &v%u, ptkj_isc(%d, v%u), &v%u));", id, binop_of(k),
           VN(x.out[0]), is_float_sc(x.in[0]), VN(x.in[0]), VN(x.in[1]));
    else
      line(c, "PTKJ_ISA(%u, e->binary_ts(%s, &v%u, &v%u, ptkj_isc(%d, v%u)));", id, binop_of(k),
           VN(x.out[0]), VN(x.in[0]), is_float_sc(x.in[1]), VN(x.in[1]));
    return;
  }
  case PTK_OP_TAXPY: {
    if (!get_dps(c, op, &x, 2, 2, 1)) return;
    line(c, "PTKJ_ISA(%u, e->taxpy(&v%u, &v%u, ptkj_isc(%d, v%u)));", opid(c, op), VN(x.out[0]),
         VN(x.in[0]), is_float_sc(x.in[1]), VN(x.in[1]));
    return;
  }
  case PTK_OP_TEXPANDS:
    if (!get_dps(c, op, &x, 1, 1, 1)) return;
    line(c, "PTKJ_ISA(%u, e->texpands(&v%u, ptkj_isc(%d, v%u)));", opid(c, op), VN(x.out[0]),
         is_float_sc(x.in[0]), VN(x.in[0]));
    return;
  case PTK_OP_TADDC: case PTK_OP_TSUBC:
    if (!get_dps(c, op, &x, 3, 3, 1)) return;
    tcall(c, op, k == PTK_OP_TSUBC ? "tsubc" : "taddc", NULL, &x, 3);
    return;
  case PTK_OP_TADDSC: case PTK_OP_TSUBSC:
    if (!get_dps(c, op, &x, 3, 3, 1)) return;
    line(c, "PTKJ_ISA(%u, e->%s(&v%u, &v%u, ptkj_isc(%d, v%u), &v%u));", opid(c, op),
         k == PTK_OP_TSUBSC ? "tsubsc" : "taddsc", VN(x.out[0]), VN(x.in[0]),
         is_float_sc(x.in[1]), VN(x.in[1]), VN(x.in[2]));
    return;
  case PTK_OP_TROWSUM: case PTK_OP_TROWMAX: case PTK_OP_TROWMIN:
    if (!get_dps(c, op, &x, 2, 2, 1)) return;
    tcall(c, op, "trowreduce", redop_of(k), &x, 1);
    return;
  case PTK_OP_TROWPROD: case PTK_OP_TROWARGMAX: case PTK_OP_TROWARGMIN:
    if (!get_dps(c, op, &x, 1, 2, 1)) return;
    tcall(c, op, "trowreduce", redop_of(k), &x, 1);
    return;
  case PTK_OP_TCOLSUM: case PTK_OP_TCOLARGMAX: case PTK_OP_TCOLARGMIN:
    if (!get_dps(c, op, &x, 1, 2, 1)) return;
    tcall(c, op, "tcolreduce", redop_of(k), &x, 1);
    return;
  case PTK_OP_TCOLMAX: case PTK_OP_TCOLMIN: case PTK_OP_TCOLPROD:
    if (!get_dps(c, op, &x, 1, 1, 1)) return;
    tcall(c, op, "tcolreduce", redop_of(k), &x, 1);
    return;
  case PTK_OP_TROWEXPAND: case PTK_OP_TCOLEXPAND:
    if (!get_dps(c, op, &x, 1, 1, 1)) return;
    tcall(c, op, k == PTK_OP_TROWEXPAND ? "trowexpand" : "tcolexpand", NULL, &x, 1);
    return;
  case PTK_OP_TROWEXPANDADD: case PTK_OP_TROWEXPANDSUB: case PTK_OP_TROWEXPANDMUL:
  case PTK_OP_TROWEXPANDDIV: case PTK_OP_TROWEXPANDMAX: case PTK_OP_TROWEXPANDMIN:
  case PTK_OP_TROWEXPANDEXPDIF:
    if (!get_dps(c, op, &x, 2, 3, 1)) return;
    tcall(c, op, "trowexpand_op", binop_of(k), &x, 2);
    return;
  case PTK_OP_TCOLEXPANDADD: case PTK_OP_TCOLEXPANDSUB: case PTK_OP_TCOLEXPANDMUL:
  case PTK_OP_TCOLEXPANDDIV: case PTK_OP_TCOLEXPANDMAX: case PTK_OP_TCOLEXPANDMIN:
  case PTK_OP_TCOLEXPANDEXPDIF:
    if (!get_dps(c, op, &x, 2, 3, 1)) return;
    tcall(c, op, "tcolexpand_op", binop_of(k), &x, 2);
    return;
  case PTK_OP_TMATMUL: case PTK_OP_TGEMV:
    if (!get_dps(c, op, &x, 2, 2, 1)) return;
    tcall(c, op, "tmatmul", NULL, &x, 2);
    return;
  case PTK_OP_TMATMUL_ACC: case PTK_OP_TGEMV_ACC:
    if (!get_dps(c, op, &x, 3, 3, 1)) return;
    tcall(c, op, "tmatmul_acc", NULL, &x, 3);
    return;
  case PTK_OP_TMATMUL_BIAS: case PTK_OP_TGEMV_BIAS:
    if (!get_dps(c, op, &x, 3, 3, 1)) return;
    tcall(c, op, "tmatmul_bias", NULL, &x, 3);
    return;
  case PTK_OP_TCVT: {
    if (!get_dps(c, op, &x, 1, 1, 1)) return;
    int rm = enum_attr(c, op, "rmode", "round_mode", PTKJ_ISA_RM_CAST_RINT);
    int sat = enum_attr(c, op, "sat_mode", "saturation_mode", 1);
    if (rm < 0 || rm > PTKJ_ISA_RM_CAST_RINT) {
      err(c, op, "%s: bad rounding mode", opname(op));
      return;
    }
    line(c, "PTKJ_ISA(%u, e->tcvt(&v%u, &v%u, %d, %d));", opid(c, op), VN(x.out[0]), VN(x.in[0]),
         rm, sat == 0);
    return;
  }
  case PTK_OP_TCMP: case PTK_OP_TCMPS: {
    if (!get_dps(c, op, &x, 2, 2, 1)) return;
    int mode = enum_attr(c, op, "cmpMode", "cmp", PTKJ_ISA_EQ);
    if (mode < 0 || mode > PTKJ_ISA_GE) {
      err(c, op, "%s: bad compare mode", opname(op));
      return;
    }
    if (k == PTK_OP_TCMP)
      line(c, "PTKJ_ISA(%u, e->tcmp(&v%u, &v%u, &v%u, %d));", opid(c, op), VN(x.out[0]),
           VN(x.in[0]), VN(x.in[1]), mode);
    else
      line(c, "PTKJ_ISA(%u, e->tcmps(&v%u, &v%u, ptkj_isc(%d, v%u), %d));", opid(c, op),
           VN(x.out[0]), VN(x.in[0]), is_float_sc(x.in[1]), VN(x.in[1]), mode);
    return;
  }
  case PTK_OP_TSEL:
    if (!get_dps(c, op, &x, 3, 4, 1)) return;
    tcall(c, op, "tsel", NULL, &x, 3);
    return;
  case PTK_OP_TSELS:
    if (!get_dps(c, op, &x, 4, 4, 1)) return;
    line(c, "PTKJ_ISA(%u, e->tsels(&v%u, &v%u, &v%u, ptkj_isc(%d, v%u)));", opid(c, op),
         VN(x.out[0]), VN(x.in[0]), VN(x.in[1]), is_float_sc(x.in[3]), VN(x.in[3]));
    return;
  case PTK_OP_TCI: case PTK_OP_TTRI: {
    if (!get_dps(c, op, &x, 1, k == PTK_OP_TCI ? 2 : 1, 1)) return;
    int fl;
    if (k == PTK_OP_TCI)
      fl = bool_attr(op, "descending");
    else {
      int64_t ul = 0;
      const ptk_attr *u = ptk_op_attr(op, "upperOrLower");
      if (u) ptk_attr_get_int(u, &ul);
      fl = ul != 0;
    }
    line(c, "PTKJ_ISA(%u, e->%s(&v%u, v%u.i, %d));", opid(c, op), k == PTK_OP_TCI ? "tci" : "ttri",
         VN(x.out[0]), VN(x.in[0]), fl);
    return;
  }
  case PTK_OP_TGETVAL: {
    uint32_t n;
    ptk_value **in = ptk_op_segment(op, 0, &n);
    if (n != 2 || op->nresults != 1) {
      err(c, op, "%s: malformed operation", opname(op));
      return;
    }
    line(c, "PTKJ_CHK(e->tgetval(cx, %u, &v%u, &v%u, v%u.i));", opid(c, op), op->results[0].uid,
         VN(in[0]), VN(in[1]));
    return;
  }
  case PTK_OP_TSETVAL:
    if (!get_dps(c, op, &x, 2, 2, 1)) return;
    line(c, "PTKJ_ISA(%u, e->tsetval(&v%u, v%u.i, ptkj_isc(%d, v%u)));", opid(c, op),
         VN(x.out[0]), VN(x.in[0]), is_float_sc(x.in[1]), VN(x.in[1]));
    return;
  case PTK_OP_TPRINT:
    if (op->noperands < 1) {
      err(c, op, "%s: expected a tile", opname(op));
      return;
    }
    line(c, "PTKJ_CHK(e->tprint(cx, %u, &v%u));", opid(c, op), VN(op->operands[0]));
    return;
  case PTK_OP_TLOAD:
    if (!get_dps(c, op, &x, 1, 1, 1)) return;
    line(c, "PTKJ_CHK(e->tload(cx, %u, &v%u, &v%u));", opid(c, op), VN(x.out[0]), VN(x.in[0]));
    return;
  case PTK_OP_TSTORE: {
    if (!get_dps(c, op, &x, 1, 2, 1)) return;
    int relu = enum_attr(c, op, "reluPreMode", "relu_pre_mode", 0);
    if (x.nin == 2 || relu > 1) {
      err(c, op, "%s: this form is not supported by the C emitter", opname(op));
      return;
    }
    line(c, "PTKJ_CHK(e->tstore(cx, %u, &v%u, &v%u));", opid(c, op), VN(x.out[0]), VN(x.in[0]));
    return;
  }
  case PTK_OP_TMOV: {
    if (!get_dps(c, op, &x, 1, 3, 1)) return;
    int relu = enum_attr(c, op, "reluPreMode", "relu_pre_mode", 0);
    if (x.nin > 1 || relu > 1) {
      err(c, op, "%s: this form is not supported by the C emitter", opname(op));
      return;
    }
    line(c, "PTKJ_ISA(%u, e->tmov(&v%u, &v%u, %d));", opid(c, op), VN(x.out[0]), VN(x.in[0]),
         relu == 1);
    return;
  }
  case PTK_OP_TEXTRACT: case PTK_OP_TINSERT: {
    if (!get_dps(c, op, &x, 3, 3, 1)) return;
    uint32_t id = opid(c, op);
    line(c, "if (v%u.i < INT32_MIN || v%u.i > INT32_MAX) return e->err(cx, %u, PTKJ_E_I32, v%u.i, 0);",
         VN(x.in[1]), VN(x.in[1]), id, VN(x.in[1]));
    line(c, "if (v%u.i < INT32_MIN || v%u.i > INT32_MAX) return e->err(cx, %u, PTKJ_E_I32, v%u.i, 1);",
         VN(x.in[2]), VN(x.in[2]), id, VN(x.in[2]));
    line(c, "PTKJ_ISA(%u, e->%s(&v%u, &v%u, (int32_t)v%u.i, (int32_t)v%u.i));", id,
         k == PTK_OP_TEXTRACT ? "textract" : "tinsert", VN(x.out[0]), VN(x.in[0]), VN(x.in[1]),
         VN(x.in[2]));
    return;
  }
  case PTK_OP_TTRANS:
    if (!get_dps(c, op, &x, 1, 2, 1)) return;
    tcall(c, op, "ttrans", NULL, &x, 1);
    return;
  case PTK_OP_TFILLPAD: case PTK_OP_TFILLPAD_EXPAND: case PTK_OP_TFILLPAD_INPLACE:
    if (!get_dps(c, op, &x, 1, 1, 1)) return;
    tcall(c, op, "tfillpad", NULL, &x, 1);
    return;
  case PTK_OP_TPREFETCH: return;
  default: unsupported(c, op); return;
  }
}

static void emit_op(ec *c, const ptk_op *op) {
  const ptk_op_info *info = &ptk_op_table[op->kind];
  if (info->flags & PTK_OPF_SYNC) return;
  switch (op->kind) {
  case PTK_OP_ARITH_CONSTANT: emit_const(c, op); return;
  case PTK_OP_ARITH_CMPI:
  case PTK_OP_ARITH_CMPF: emit_cmp(c, op); return;
  case PTK_OP_ARITH_SELECT:
    if (op->noperands != 3 || op->nresults != 1) break;
    line(c, "v%u = v%u.i & 1 ? v%u : v%u;", op->results[0].uid, VN(op->operands[0]),
         VN(op->operands[1]), VN(op->operands[2]));
    return;
  case PTK_OP_SCF_FOR:
    if (op->noperands < 3 || op->nregions != 1) break;
    emit_for(c, op);
    return;
  case PTK_OP_SCF_IF:
    if (op->noperands != 1 || op->nregions != 2) break;
    emit_if(c, op);
    return;
  case PTK_OP_SCF_WHILE:
    if (op->nregions != 2) break;
    emit_while(c, op);
    return;
  case PTK_OP_FUNC_CALL: emit_call(c, op); return;
  case PTK_OP_MAKE_TENSOR_VIEW: {
    uint32_t np, ns, nst;
    ptk_value **p = ptk_op_segment(op, 0, &np), **sh = ptk_op_segment(op, 1, &ns),
              **st = ptk_op_segment(op, 2, &nst);
    if (np != 1 || op->nresults != 1 || ns != nst || ns < 1 || ns > 5) break;
    const char *layout = "PTKJ_ISA_GM_ND";
    const ptk_attr *la = ptk_op_attr(op, "layout");
    if (la) {
      int i = ptk_attr_enum_index(la, "layout");
      if (i == 1)
        layout = "PTKJ_ISA_GM_DN";
      else if (i != 0)
        break;
    }
    uint32_t id = opid(c, op), r = op->results[0].uid;
    line(c, "v%u.buf = v%u.buf; v%u.boff = v%u.boff; v%u.rank = %u; v%u.layout = %s;", r, VN(p[0]),
         r, VN(p[0]), r, ns, r, layout);
    for (uint32_t d = 0; d < ns; d++) {
      line(c, "v%u.shape[%u] = v%u.i; v%u.stride[%u] = v%u.i;", r, d, VN(sh[d]), r, d, VN(st[d]));
      line(c, "if (v%u.shape[%u] < 0) return e->err(cx, %u, PTKJ_E_VIEWNEG, %u, v%u.shape[%u]);", r,
           d, id, d, r, d);
    }
    return;
  }
  case PTK_OP_PARTITION_VIEW: {
    uint32_t ns, no, nz;
    ptk_value **s = ptk_op_segment(op, 0, &ns), **o = ptk_op_segment(op, 1, &no),
              **z = ptk_op_segment(op, 2, &nz);
    if (ns != 1 || op->nresults != 1 || vkind(s[0]) != K_VIEW) break;
    uint32_t rank = s[0]->type->rank;
    if (no != rank || nz != rank) break;
    ptk_dtype dt;
    int64_t esz = ptk_type_elem_dtype(s[0]->type, &dt) ? ptk_dtype_bytes(dt) : 0;
    uint32_t id = opid(c, op), r = op->results[0].uid;
    line(c, "{");
    c->ind++;
    line(c, "ptkj_view nv = v%u; int64_t boff = nv.boff;", VN(s[0]));
    for (uint32_t d = 0; d < rank; d++) {
      line(c, "if (v%u.i < 0) return e->err(cx, %u, PTKJ_E_PARTNEG, %u, v%u.i);", VN(z[d]), id, d,
           VN(z[d]));
      line(c, "boff = ptkj_sadd(boff, ptkj_smul(ptkj_smul(v%u.i, nv.stride[%u]), %lld));", VN(o[d]),
           d, (long long)esz);
      line(c, "nv.shape[%u] = v%u.i;", d, VN(z[d]));
    }
    line(c, "nv.boff = boff; v%u = nv;", r);
    c->ind--;
    line(c, "}");
    return;
  }
  case PTK_OP_ALLOC_TILE: {
    uint32_t na, nr, nc;
    ptk_value **ad = ptk_op_segment(op, 0, &na), **vr = ptk_op_segment(op, 1, &nr),
              **vc = ptk_op_segment(op, 2, &nc);
    if (op->nresults != 1 || na > 1 || nr > 1 || nc > 1) break;
    ptk_buf a = {0}, r = {0}, cc = {0};
    if (na) ptk_buf_printf(&a, "v%u.i", VN(ad[0])); else ptk_buf_puts(&a, "0");
    if (nr) ptk_buf_printf(&r, "v%u.i", VN(vr[0])); else ptk_buf_puts(&r, "0");
    if (nc) ptk_buf_printf(&cc, "v%u.i", VN(vc[0])); else ptk_buf_puts(&cc, "0");
    line(c, "PTKJ_CHK(e->alloc(cx, %u, &v%u, %s, %s, %s));", opid(c, op), op->results[0].uid,
         ptk_buf_cstr(&a), ptk_buf_cstr(&r), ptk_buf_cstr(&cc));
    ptk_buf_free(&a), ptk_buf_free(&r), ptk_buf_free(&cc);
    return;
  }
  case PTK_OP_SUBVIEW: {
    uint32_t ns, no, nr, ncv;
    ptk_value **s = ptk_op_segment(op, 0, &ns), **o = ptk_op_segment(op, 1, &no),
              **vr = ptk_op_segment(op, 2, &nr), **vc = ptk_op_segment(op, 3, &ncv);
    if (ns != 1 || no != 2 || nr > 1 || ncv > 1 || op->nresults != 1) break;
    char b1[32] = "0", b2[32] = "0";
    if (nr) snprintf(b1, sizeof b1, "v%u.i", VN(vr[0]));
    if (ncv) snprintf(b2, sizeof b2, "v%u.i", VN(vc[0]));
    line(c, "PTKJ_CHK(e->subview(cx, %u, &v%u, &v%u, v%u.i, v%u.i, %s, %s));", opid(c, op),
         op->results[0].uid, VN(s[0]), VN(o[0]), VN(o[1]), b1, b2);
    return;
  }
  case PTK_OP_TRESHAPE:
    if (op->nresults != 1 || op->noperands < 1) break;
    line(c, "PTKJ_CHK(e->reshape(cx, %u, &v%u, &v%u));", opid(c, op), op->results[0].uid,
         VN(op->operands[0]));
    return;
  case PTK_OP_BITCAST: {
    if (op->nresults != 1 || op->noperands < 1) break;
    const ptk_type *t = op->results[0].type;
    ptk_dtype dt;
    if (!t || t->kind != PTK_TY_TILE_BUF || !ptk_type_elem_dtype(t, &dt)) break;
    const char *idt = dtype_of(dt);
    if (!idt) break;
    line(c, "PTKJ_ISA(%u, e->bitcast(&v%u, %s, &v%u));", opid(c, op), VN(op->operands[0]), idt,
         op->results[0].uid);
    return;
  }
  case PTK_OP_TASSIGN:
    if (op->noperands != 2 || op->nresults != 1) break;
    line(c, "PTKJ_CHK(e->tassign(cx, %u, &v%u, &v%u, v%u.i));", opid(c, op), op->results[0].uid,
         VN(op->operands[0]), VN(op->operands[1]));
    return;
  case PTK_OP_ADDPTR: {
    if (op->noperands != 2 || op->nresults != 1) break;
    ptk_dtype dt;
    int64_t esz = ptk_type_elem_dtype(op->operands[0]->type, &dt) ? ptk_dtype_bytes(dt) : 0;
    uint32_t r = op->results[0].uid;
    line(c, "v%u = v%u; v%u.boff = ptkj_sadd(v%u.boff, ptkj_smul(v%u.i, %lld));", r,
         VN(op->operands[0]), r, r, VN(op->operands[1]), (long long)esz);
    return;
  }
  case PTK_OP_CASTPTR:
    if (op->noperands < 1 || op->nresults != 1) break;
    line(c, "v%u = v%u;", op->results[0].uid, VN(op->operands[0]));
    return;
  case PTK_OP_PTRTOINT:
    if (op->noperands < 1 || op->nresults != 1) break;
    line(c, "v%u.i = ptkj_norm(e->ptrtoint(cx, &v%u), %u);", op->results[0].uid,
         VN(op->operands[0]), ptk_dtype_bits(op->results[0].type->dt));
    return;
  case PTK_OP_INTTOPTR:
    if (op->noperands < 1 || op->nresults != 1) break;
    line(c, "e->inttoptr(cx, v%u.i, &v%u);", VN(op->operands[0]), op->results[0].uid);
    return;
  case PTK_OP_GET_TENSOR_VIEW_DIM:
  case PTK_OP_GET_TENSOR_VIEW_STRIDE: {
    if (op->noperands != 2 || op->nresults != 1) break;
    uint32_t id = opid(c, op), v = VN(op->operands[0]), d = VN(op->operands[1]);
    line(c, "if (v%u.i < 0 || v%u.i >= v%u.rank) return e->err(cx, %u, PTKJ_E_DIM, v%u.i, v%u.rank);",
         d, d, v, id, d, v);
    line(c, "v%u.i = ptkj_norm(v%u.%s[v%u.i], %u);", op->results[0].uid, v,
         op->kind == PTK_OP_GET_TENSOR_VIEW_STRIDE ? "stride" : "shape", d,
         ptk_dtype_bits(op->results[0].type->dt));
    return;
  }
  case PTK_OP_LOAD_SCALAR:
    if (op->noperands != 2 || op->nresults != 1) break;
    line(c, "PTKJ_CHK(e->ldsc(cx, %u, &v%u, &v%u, v%u.i));", opid(c, op), op->results[0].uid,
         VN(op->operands[0]), VN(op->operands[1]));
    return;
  case PTK_OP_STORE_SCALAR:
    if (op->noperands != 3 || op->nresults != 0) break;
    line(c, "PTKJ_CHK(e->stsc(cx, %u, &v%u, &v%u, v%u.i));", opid(c, op), VN(op->operands[2]),
         VN(op->operands[0]), VN(op->operands[1]));
    return;
  case PTK_OP_SET_VALIDSHAPE:
    if (op->noperands != 3) break;
    line(c, "PTKJ_CHK(e->setvalid(cx, %u, &v%u, v%u.i, v%u.i));", opid(c, op), VN(op->operands[0]),
         VN(op->operands[1]), VN(op->operands[2]));
    return;
  case PTK_OP_GET_VALIDSHAPE:
    if (op->noperands != 1 || op->nresults != 2) break;
    line(c, "v%u.i = v%u.vrows; v%u.i = v%u.vcols;", op->results[0].uid, VN(op->operands[0]),
         op->results[1].uid, VN(op->operands[0]));
    return;
  case PTK_OP_GET_BLOCK_IDX:
  case PTK_OP_GET_BLOCK_NUM:
  case PTK_OP_GET_SUBBLOCK_IDX:
  case PTK_OP_GET_SUBBLOCK_NUM:
    if (op->nresults != 1) break;
    line(c, "v%u.i = ptkj_norm(e->block(cx, %d), %u);", op->results[0].uid,
         (int)(op->kind - PTK_OP_GET_BLOCK_IDX), ptk_dtype_bits(op->results[0].type->dt));
    return;
  case PTK_OP_SECTION_CUBE:
  case PTK_OP_SECTION_VECTOR: {
    if (op->nregions != 1) break;
    const ptk_block *b = one_block(c, op, &op->regions[0]);
    if (b) emit_body(c, b);
    return;
  }
  case PTK_OP_PRINT: {
    uint32_t id = opid(c, op);
    if (!op->noperands) {
      line(c, "PTKJ_CHK(e->print(cx, %u, NULL, 0));", id);
      return;
    }
    ptk_buf_printf(c->o, "%*s{ ptkj_sc a_[%u] = {", c->ind * 2, "", op->noperands);
    for (uint32_t i = 0; i < op->noperands; i++)
      ptk_buf_printf(c->o, "%sv%u", i ? ", " : "", VN(op->operands[i]));
    ptk_buf_printf(c->o, "}; PTKJ_CHK(e->print(cx, %u, a_, %u)); }\n", id, op->noperands);
    return;
  }
  case PTK_OP_TRAP: line(c, "return e->err(cx, %u, PTKJ_E_TRAP, 0, 0);", opid(c, op)); return;
  default:
    if (info->family == PTK_FAM_ARITH) {
      emit_arith(c, op);
      return;
    }
    if (info->family == PTK_FAM_ARITH_CAST) {
      if (op->noperands != 1 || op->nresults != 1 || vkind(op->operands[0]) != K_SC ||
          vkind(&op->results[0]) != K_SC)
        break;
      emit_cast(c, op);
      return;
    }
    if (info->family == PTK_FAM_DPS) {
      emit_dps(c, op);
      return;
    }
    break;
  }
  unsupported(c, op);
}

/* ---- functions ----------------------------------------------------------------------------- */

static void proto(ec *c, uint32_t idx) {
  const ptk_func *f = c->funcs.data[idx];
  ptk_buf_printf(c->o, "static int f%u(const ptkj_env *e, ptkj_ctx *cx", idx);
  for (uint32_t i = 0; i < f->nargs; i++) ptk_buf_printf(c->o, ", %s a%u", ctype(kind_of(f->arg_types[i])), i);
  for (uint32_t i = 0; i < f->nresults; i++)
    ptk_buf_printf(c->o, ", %s *r%u", ctype(kind_of(f->result_types[i])), i);
  ptk_buf_puts(c->o, ")");
}

static void emit_func(ec *c, uint32_t idx, ptk_buf *body) {
  const ptk_func *f = c->funcs.data[idx];
  ptk_buf *save = c->o;
  c->o = body;
  const ptk_block *b = ptk_func_entry(f);
  if (!b || b->nargs != f->nargs || f->body->first != f->body->last) {
    ptk_error_loc(c->d, f->loc, "function '@%s': no single-block body to emit", f->name);
    c->errors++;
    c->o = save;
    return;
  }
  for (uint32_t i = 0; i < f->nargs; i++)
    if (kind_of(f->arg_types[i]) == K_NONE) {
      char *ts = ptk_type_str(f->arg_types[i]);
      ptk_error_loc(c->d, f->loc, "function '@%s': parameters of type %s are not supported by the C emitter",
                    f->name, ts);
      free(ts);
      c->errors++;
    }
  ptk_buf_printf(body, "/* @%s */\n", f->name);
  proto(c, idx);
  ptk_buf_puts(body, " {\n");
  c->ind = 1;
  declare_block(c, b, true);
  for (uint32_t i = 0; i < f->nargs; i++) line(c, "v%u = a%u;", b->args[i]->uid, i);
  line(c, "(void)e; (void)cx;");
  const ptk_op *term = emit_body(c, b);
  if (term && term->kind == PTK_OP_FUNC_RETURN && term->noperands == f->nresults) {
    for (uint32_t i = 0; i < f->nresults; i++) line(c, "*r%u = v%u;", i, VN(term->operands[i]));
  } else if (term || f->nresults) {
    err(c, term, "function '@%s' must end with func.return", f->name);
  }
  line(c, "return 0;");
  c->ind = 0;
  ptk_buf_puts(body, "}\n\n");
  c->o = save;
}

bool ptk_emit_c_ops(const ptk_func *entry, ptk_buf *out, const ptk_op ***ops, uint32_t *nops,
                    ptk_diags *d) {
  if (ops) *ops = NULL;
  if (nops) *nops = 0;
  if (!entry || !entry->module) {
    ptk_error(d, ptk_range_none(), "no function to emit");
    return false;
  }
  ec c = {0};
  c.d = d;
  c.top = ptk_module_top(entry->module);
  c.nvalues = ptk_module_value_count(c.top);
  c.declared = ptk_xcalloc(c.nvalues ? c.nvalues : 1, 1);
  ptk_vec_push(&c.funcs, entry);
  ptk_buf body = {0};
  for (uint32_t i = 0; i < c.funcs.len; i++) emit_func(&c, i, &body);
  ptk_buf_printf(out, "/* Generated by ptk from @%s. Do not edit. */\n", entry->name);
  ptk_buf_puts(out, ptk_jit_rt_text);
  ptk_buf_puts(out, "\n");
  ptk_buf o2 = {0};
  c.o = &o2;
  for (uint32_t i = 0; i < c.funcs.len; i++) {
    proto(&c, i);
    ptk_buf_puts(&o2, ";\n");
  }
  ptk_buf_putn(out, o2.data ? o2.data : "", o2.len);
  ptk_buf_puts(out, "\n");
  ptk_buf_putn(out, body.data ? body.data : "", body.len);
  /* the entry: arguments from cells */
  const ptk_func *f = entry;
  ptk_buf_puts(out, "__attribute__((visibility(\"default\"))) const unsigned ptkj_abi = PTKJ_ABI_VERSION;\n");
  ptk_buf_puts(out, "__attribute__((visibility(\"default\"))) const unsigned ptkj_sizeof_tile = sizeof(ptk_tile);\n");
  ptk_buf_puts(out, "__attribute__((visibility(\"default\"))) int ptkj_entry(const ptkj_env *e, ptkj_ctx *cx, void *const *args) {\n");
  ptk_buf_puts(out, "  (void)args;\n");
  for (uint32_t i = 0; i < f->nresults; i++)
    ptk_buf_printf(out, "  %s res%u;\n", ctype(kind_of(f->result_types[i])), i);
  ptk_buf_puts(out, "  return f0(e, cx");
  for (uint32_t i = 0; i < f->nargs; i++)
    ptk_buf_printf(out, ", *(const %s *)args[%u]", ctype(kind_of(f->arg_types[i])), i);
  for (uint32_t i = 0; i < f->nresults; i++) ptk_buf_printf(out, ", &res%u", i);
  ptk_buf_puts(out, ");\n}\n");
  ptk_buf_free(&o2);
  ptk_buf_free(&body);
  free(c.declared);
  ptk_vec_free(&c.funcs);
  bool ok = c.errors == 0;
  if (ok && ops) {
    *ops = (const ptk_op **)c.ops.data;
    *nops = (uint32_t)c.ops.len;
  } else {
    ptk_vec_free(&c.ops);
  }
  return ok;
}

bool ptk_emit_c(const ptk_func *entry, ptk_buf *out, ptk_diags *d) {
  return ptk_emit_c_ops(entry, out, NULL, NULL, d);
}
