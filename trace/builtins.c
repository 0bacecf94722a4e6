/* Built-in functions (DESIGN §2.6): views, tiles, every DPS tile op of the
 * op table (`tX(ins…, outs…)`, attributes as keyword arguments), the value
 * sugar that allocates result tiles, scalars, sync and debug ops. */
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "trace/trace_int.h"

static const char *a_an(const char *s) { return strchr("aeiou", s[0]) ? "an" : "a"; }

/* ======================================================================
 * The builtin table: hand-written builtins, then one per DPS op row.
 * ====================================================================== */

#define SPECIALS(X)                                                                                \
  X(RANGE, "range")                                                                                \
  X(LEN, "len")                                                                                    \
  X(MAKE_TENSOR_VIEW, "make_tensor_view")                                                          \
  X(PARTITION_VIEW, "partition_view")                                                              \
  X(ALLOC_TILE, "alloc_tile")                                                                      \
  X(SET_VALIDSHAPE, "set_validshape")                                                              \
  X(SUBVIEW, "subview")                                                                            \
  X(TRESHAPE, "treshape")                                                                          \
  X(LOAD, "load")                                                                                  \
  X(STORE, "store")                                                                                \
  X(EXP, "exp")                                                                                    \
  X(LOG, "log")                                                                                    \
  X(SQRT, "sqrt")                                                                                  \
  X(RSQRT, "rsqrt")                                                                                \
  X(RECIP, "recip")                                                                                \
  X(ABS, "abs")                                                                                    \
  X(RELU, "relu")                                                                                  \
  X(MAX, "max")                                                                                    \
  X(MIN, "min")                                                                                    \
  X(ROWSUM, "rowsum")                                                                              \
  X(ROWMAX, "rowmax")                                                                              \
  X(ROWMIN, "rowmin")                                                                              \
  X(COLSUM, "colsum")                                                                              \
  X(COLMAX, "colmax")                                                                              \
  X(COLMIN, "colmin")                                                                              \
  X(MATMUL, "matmul")                                                                              \
  X(BLOCK_IDX, "block_idx")                                                                        \
  X(BLOCK_NUM, "block_num")                                                                        \
  X(SUBBLOCK_IDX, "subblock_idx")                                                                  \
  X(SUBBLOCK_NUM, "subblock_num")                                                                  \
  X(CAST, "cast")                                                                                  \
  X(CEIL_DIV, "ceil_div")                                                                          \
  X(SET_FLAG, "set_flag")                                                                          \
  X(WAIT_FLAG, "wait_flag")                                                                        \
  X(BARRIER, "barrier")                                                                            \
  X(PRINT, "print")                                                                                \
  X(LOAD_SCALAR, "load_scalar")                                                                    \
  X(STORE_SCALAR, "store_scalar")                                                                  \
  X(ADDPTR, "addptr")

enum {
#define X(id, s) B_##id,
  SPECIALS(X)
#undef X
      B_NSPECIAL
};

static const char *const special_names[] = {
#define X(id, s) s,
    SPECIALS(X)
#undef X
};

/* DPS ops: builtin name = mnemonic without "pto." with '.' → '_'. */
static struct {
  int n;
  ptk_op_kind kind[PTK_OP__COUNT];
  char name[PTK_OP__COUNT][40];
} dps;

/* Open-addressed name table over every builtin. */
#define BT_CAP 1024
static struct {
  const char *name;
  int id;
} btab[BT_CAP];
static pthread_once_t btab_once = PTHREAD_ONCE_INIT;

static void bt_add(const char *name, int id) {
  uint32_t i = tr_hash(name) & (BT_CAP - 1);
  while (btab[i].name) {
    if (!strcmp(btab[i].name, name)) return; /* a special wins over a DPS row */
    i = (i + 1) & (BT_CAP - 1);
  }
  btab[i].name = name;
  btab[i].id = id;
}

static void bt_init(void) {
  for (int i = 0; i < B_NSPECIAL; i++) bt_add(special_names[i], i);
  for (int k = 0; k < PTK_OP__COUNT; k++) {
    const ptk_op_info *in = &ptk_op_table[k];
    if (in->family != PTK_FAM_DPS || strncmp(in->name, "pto.", 4)) continue;
    int j = dps.n++;
    dps.kind[j] = (ptk_op_kind)k;
    snprintf(dps.name[j], sizeof dps.name[j], "%s", in->name + 4);
    for (char *p = dps.name[j]; *p; p++)
      if (*p == '.') *p = '_';
    bt_add(dps.name[j], B_NSPECIAL + j);
  }
}

int tr_builtin_lookup(const char *name) {
  pthread_once(&btab_once, bt_init);
  uint32_t i = tr_hash(name) & (BT_CAP - 1);
  while (btab[i].name) {
    if (!strcmp(btab[i].name, name)) return btab[i].id;
    i = (i + 1) & (BT_CAP - 1);
  }
  return -1;
}

size_t tr_builtin_count(void) {
  pthread_once(&btab_once, bt_init);
  return (size_t)(B_NSPECIAL + dps.n);
}

const char *tr_builtin_name(int id) {
  pthread_once(&btab_once, bt_init);
  if (id < B_NSPECIAL) return special_names[id];
  return dps.name[id - B_NSPECIAL];
}

/* ======================================================================
 * Argument binding
 * ====================================================================== */

typedef struct bparam {
  const char *name;
  bool required;
} bparam;

/* Maps the call's arguments to parameter slots (positional in order, then
 * by keyword); reports too many, unknown, repeated and missing arguments. */
static bool bind_args(tctx *c, const ptk_ast_expr *call, const char *fname, const bparam *ps,
                      size_t n, const ptk_ast_arg **slot) {
  bool ok = true;
  size_t npos = 0;
  for (size_t i = 0; i < n; i++) slot[i] = NULL;
  for (size_t i = 0; i < call->u.call.nargs; i++) {
    const ptk_ast_arg *a = &call->u.call.args[i];
    if (!a->name) {
      if (npos >= n) {
        tr_error(c, a->range, "too many arguments: '%s' takes at most %zu", fname, n);
        return false;
      }
      slot[npos++] = a;
      continue;
    }
    size_t k = 0;
    while (k < n && strcmp(ps[k].name, a->name)) k++;
    if (k == n) {
      ptk_buf b = {0};
      for (size_t j = 0; j < n; j++) ptk_buf_printf(&b, "%s%s", j ? ", " : "", ps[j].name);
      tr_error(c, a->name_range, "'%s' has no argument named '%s' (its arguments: %s)", fname, a->name,
               ptk_buf_cstr(&b));
      ptk_buf_free(&b);
      ok = false;
      continue;
    }
    if (slot[k]) {
      tr_error(c, a->name_range, "argument '%s' of '%s' is given twice", a->name, fname);
      ok = false;
      continue;
    }
    slot[k] = a;
  }
  for (size_t k = 0; ok && k < n; k++)
    if (ps[k].required && !slot[k]) {
      tr_error(c, call->range, "missing argument '%s' of '%s'", ps[k].name, fname);
      ok = false;
    }
  return ok;
}

static tval ev(tctx *c, const ptk_ast_arg *a) {
  tval v = tr_eval(c, a->value);
  if (v.k == TV_NONE) {
    tr_error(c, a->range, "this call returns no value");
    return tv_err();
  }
  return v;
}

static void wrong_kind(tctx *c, const ptk_ast_arg *a, const char *what, const char *want, tval v) {
  tr_error(c, a->value->range, "%s must be %s, but is %s %s", what, want, a_an(tv_kind_name(v)),
           tv_kind_name(v));
}

/* An identifier-like argument (enum values: `loc = vec`, `mode = lt`): a
 * bare name that the program does not bind, a string, or a str value. */
static bool ev_ident(tctx *c, const ptk_ast_arg *a, const char *what, const char **out) {
  const ptk_ast_expr *e = a->value;
  if (e->kind == PTK_EXPR_NAME && !tr_is_user_name(c, e->u.name.name)) {
    *out = e->u.name.name;
    return true;
  }
  if (e->kind == PTK_EXPR_STRING) {
    *out = e->u.string_lit.data;
    return true;
  }
  tval v = ev(c, a);
  if (v.k == TV_ERR) return false;
  if (v.k == TV_STR) {
    *out = ptk_arena_strndup(c->tmp, v.str.s, v.str.n);
    return true;
  }
  if (v.k == TV_INT) { /* numeric enum values (event ids, pads) */
    *out = ptk_arena_printf(c->tmp, "%" PRId64, v.i);
    return true;
  }
  wrong_kind(c, a, what, "a name or a string", v);
  if (e->kind == PTK_EXPR_NAME) /* a parameter or variable named like the value (`loc = bias`) */
    tr_note(c, e->range, "'%s' names a value here, which hides the word; write \"%s\" (quoted) for the word",
            e->u.name.name, e->u.name.name);
  return false;
}

static bool ev_int(tctx *c, const ptk_ast_arg *a, const char *what, int64_t *out) {
  tval v = ev(c, a);
  if (v.k == TV_ERR) return false;
  return tr_ct_int(c, v, a->value->range, what, out);
}

static const tlist *ev_list(tctx *c, const ptk_ast_arg *a, const char *what, size_t want) {
  tval v = ev(c, a);
  if (v.k == TV_ERR) return NULL;
  if (v.k != TV_LIST) {
    wrong_kind(c, a, what, "a list", v);
    return NULL;
  }
  if (want && v.list->n != want) {
    tr_error(c, a->value->range, "%s must have %zu entries, but has %zu", what, want, v.list->n);
    return NULL;
  }
  return v.list;
}

static ptk_value *ev_kind(tctx *c, const ptk_ast_arg *a, const char *what, ptk_type_kind k,
                          const char *desc) {
  tval v = ev(c, a);
  if (v.k == TV_ERR) return NULL;
  if (v.k != TV_IR || v.v->type->kind != k) {
    wrong_kind(c, a, what, desc, v);
    return NULL;
  }
  return v.v;
}

static ptk_value *ev_tile(tctx *c, const ptk_ast_arg *a, const char *what) {
  return ev_kind(c, a, what, PTK_TY_TILE_BUF, "a tile");
}

/* Case-insensitive match of `text` against the values of a PTO enum;
 * pipes may drop the PIPE_ prefix, events may be given as 0..7. */
static const char *enum_match(const char *mn, const char *text) {
  const ptk_enum_info *e = ptk_enum_lookup(mn);
  if (!e || !e->values) return NULL;
  for (const char *const *v = e->values; *v; v++) {
    if (!strcasecmp(*v, text)) return *v;
    if (!strcmp(mn, "pipe") && !strncmp(*v, "PIPE_", 5) && !strcasecmp(*v + 5, text)) return *v;
    if (!strcmp(mn, "event") && !strncmp(*v, "EVENT_ID", 8) && !strcmp(*v + 8, text)) return *v;
  }
  return NULL;
}

static const char *ev_enum(tctx *c, const ptk_ast_arg *a, const char *what, const char *mn) {
  const char *s;
  if (!ev_ident(c, a, what, &s)) return NULL;
  const char *m = enum_match(mn, s);
  if (m) return m;
  const ptk_enum_info *e = ptk_enum_lookup(mn);
  ptk_buf b = {0};
  for (size_t i = 0; e && e->values[i]; i++) {
    const char *v = e->values[i];
    if (!strcmp(mn, "pipe") && !strncmp(v, "PIPE_", 5)) v += 5;
    ptk_buf_printf(&b, "%s%s", i ? ", " : "", v);
  }
  tr_error(c, a->value->range, "'%s' is not a valid value for %s (expected one of: %s)", s, what,
           ptk_buf_cstr(&b));
  ptk_buf_free(&b);
  return NULL;
}

/* One of a fixed list of names (lower case), index or -1. */
static int ev_choice(tctx *c, const ptk_ast_arg *a, const char *what, const char *const *names,
                     size_t n) {
  const char *s;
  if (!ev_ident(c, a, what, &s)) return -1;
  for (size_t i = 0; i < n; i++)
    if (!strcasecmp(s, names[i])) return (int)i;
  ptk_buf b = {0};
  for (size_t i = 0; i < n; i++) ptk_buf_printf(&b, "%s%s", i ? ", " : "", names[i]);
  tr_error(c, a->value->range, "'%s' is not a valid value for %s (expected one of: %s)", s, what,
           ptk_buf_cstr(&b));
  ptk_buf_free(&b);
  return -1;
}

/* ======================================================================
 * Tiles: allocation helpers
 * ====================================================================== */

static ptk_value *build_alloc(tctx *c, const ptk_type *ty, ptk_value *addr, ptk_value *vr,
                              ptk_value *vc, ptk_range at) {
  ptk_value *ops[3];
  uint32_t n = 0, segs[3] = {0, 0, 0};
  if (addr) ops[n++] = addr, segs[0] = 1;
  if (vr) ops[n++] = vr, segs[1] = 1;
  if (vc) ops[n++] = vc, segs[2] = 1;
  ptk_op *op = tr_build(c, PTK_OP_ALLOC_TILE, ops, n, &ty, 1, at);
  if (!op) return NULL;
  ptk_op_set_segments(c->m, op, segs, 3);
  return ptk_op_result(op, 0);
}

/* Runtime valid dims of a tile whose type has `?` dims (pto.get_validshape). */
static bool valid_of(tctx *c, ptk_value *t, ptk_value **vr, ptk_value **vc, ptk_range at) {
  const ptk_tile_desc *d = &t->type->tile;
  *vr = *vc = NULL;
  if (d->v_row != PTK_DYN && d->v_col != PTK_DYN) return true;
  const ptk_type *ix = tr_scalar(PTK_DT_INDEX);
  const ptk_type *rt[2] = {ix, ix};
  ptk_op *op = tr_build(c, PTK_OP_GET_VALIDSHAPE, &t, 1, rt, 2, at);
  if (!op) return false;
  if (d->v_row == PTK_DYN) *vr = ptk_op_result(op, 0);
  if (d->v_col == PTK_DYN) *vc = ptk_op_result(op, 1);
  return true;
}

/* A new tile with the type (and the runtime valid shape) of `t`. */
static ptk_value *alloc_like(tctx *c, ptk_value *t, ptk_range at) {
  ptk_value *vr, *vc;
  if (!valid_of(c, t, &vr, &vc, at)) return NULL;
  return build_alloc(c, t->type, NULL, vr, vc, at);
}

static ptk_value *dps1(tctx *c, ptk_op_kind k, ptk_value *const *ins, uint32_t nins, ptk_value *out,
                       ptk_range at) {
  ptk_op *op = tr_build_dps(c, k, ins, nins, &out, 1, at);
  return op ? out : NULL;
}

/* tpow / tpows into d: float elements also get a scratch tile like d,
 * which ptoas's float pow lowering takes (TPowOp::verify). */
static tval pow_dps(tctx *c, ptk_op_kind k, ptk_value *x, ptk_value *y, ptk_value *d, ptk_range at) {
  ptk_value *ins[3] = {x, y, NULL};
  ptk_dtype dt = d->type->tile.elem->dt;
  bool fp = d->type->tile.elem->kind == PTK_TY_SCALAR && (dt == PTK_DT_F16 || dt == PTK_DT_BF16 || dt == PTK_DT_F32);
  if (fp && !(ins[2] = alloc_like(c, d, at))) return tv_err();
  return tv_ir(dps1(c, k, ins, fp ? 3 : 2, d, at));
}

tval tr_tile_unary(tctx *c, ptk_op_kind k, tval a, ptk_range at) {
  ptk_value *d = alloc_like(c, a.v, at);
  return d ? tv_ir(dps1(c, k, &a.v, 1, d, at)) : tv_err();
}

/* The scalar operand of a tile op, as the tile's dtype. */
static ptk_value *tile_scalar(tctx *c, tval s, ptk_value *tile, ptk_range at) {
  if (s.k == TV_IR && s.v->type->kind != PTK_TY_SCALAR) {
    tr_error(c, at, "expected a scalar, but this is %s %s", a_an(tv_kind_name(s)), tv_kind_name(s));
    return NULL;
  }
  return tr_coerce(c, s, tile->type->tile.elem, at, "the scalar operand");
}

tval tr_tile_binop(tctx *c, ptk_ast_binop op, tval a, tval b, ptk_range at, ptk_range ra,
                   ptk_range rb) {
  const char *os = ptk_ast_binop_str(op);
  bool ta = tr_is_tile(a), tb = tr_is_tile(b);
  if (ta && tb) {
    ptk_op_kind k = op == PTK_BINOP_ADD   ? PTK_OP_TADD
                    : op == PTK_BINOP_SUB ? PTK_OP_TSUB
                    : op == PTK_BINOP_MUL ? PTK_OP_TMUL
                    : op == PTK_BINOP_DIV ? PTK_OP_TDIV
                    : op == PTK_BINOP_POW ? PTK_OP_TPOW
                                          : PTK_OP__INVALID;
    if (k == PTK_OP__INVALID) {
      tr_error(c, at, "'%s' is not defined for tiles (tile sugar: + - * / **; or call a tile op such as tcmp)", os);
      return tv_err();
    }
    ptk_value *ins[2] = {a.v, b.v};
    ptk_value *d = alloc_like(c, a.v, at);
    if (d && k == PTK_OP_TPOW) return pow_dps(c, k, a.v, b.v, d, at);
    return d ? tv_ir(dps1(c, k, ins, 2, d, at)) : tv_err();
  }
  tval t = ta ? a : b, s = ta ? b : a;
  ptk_range rs = ta ? rb : ra;
  if (!(s.k == TV_INT || s.k == TV_FLOAT || (s.k == TV_IR && s.v->type->kind == PTK_TY_SCALAR))) {
    tr_error(c, rs, "'%s' of a tile and %s %s is not defined", os, a_an(tv_kind_name(s)),
             tv_kind_name(s));
    return tv_err();
  }
  ptk_op_kind k;
  switch (op) {
  case PTK_BINOP_ADD: k = PTK_OP_TADDS; break;
  case PTK_BINOP_SUB: k = PTK_OP_TSUBS; break;
  case PTK_BINOP_MUL: k = PTK_OP_TMULS; break;
  case PTK_BINOP_DIV: k = PTK_OP_TDIVS; break;
  case PTK_BINOP_POW:
    if (ta) {
      k = PTK_OP_TPOWS; /* t ** s */
      break;
    }
    tr_error(c, at, "'**' with a tile exponent needs a tile base too (a scalar base: texpands it first)");
    return tv_err();
  default:
    tr_error(c, at, "'%s' is not defined for a tile and a scalar (tile sugar: + - * / **)", os);
    return tv_err();
  }
  ptk_value *sv = tile_scalar(c, s, t.v, rs);
  if (!sv) return tv_err();
  ptk_value *d = alloc_like(c, t.v, at);
  if (!d) return tv_err();
  if (k == PTK_OP_TPOWS) return pow_dps(c, k, t.v, sv, d, at);
  if (ta || op == PTK_BINOP_ADD || op == PTK_BINOP_MUL) {
    ptk_value *ins[2] = {t.v, sv};
    return tv_ir(dps1(c, k, ins, 2, d, at));
  }
  if (op == PTK_BINOP_DIV) { /* s / t: the reverse form of tdivs */
    ptk_value *ins[2] = {sv, t.v};
    return tv_ir(dps1(c, k, ins, 2, d, at));
  }
  /* s - t = (-t) + s */
  if (!dps1(c, PTK_OP_TNEG, &t.v, 1, d, at)) return tv_err();
  ptk_value *ins[2] = {d, sv};
  return tv_ir(dps1(c, PTK_OP_TADDS, ins, 2, d, at));
}

/* ======================================================================
 * Views
 * ====================================================================== */

/* The shape operands of a tensor view made by make_tensor_view (NULL otherwise). */
static ptk_value **view_shape(ptk_value *v, uint32_t *n) {
  if (!v->def || v->def->kind != PTK_OP_MAKE_TENSOR_VIEW) return NULL;
  return ptk_op_segment(v->def, 1, n);
}

static ptk_value *build_partition(tctx *c, ptk_value *view, ptk_value *const *offs,
                                  ptk_value *const *sizes, uint32_t rank, ptk_range at) {
  int64_t dims[16] = {0};
  for (uint32_t i = 0; i < rank; i++) {
    int64_t k;
    dims[i] = tr_const_of(sizes[i], &k) ? k : PTK_DYN;
  }
  const ptk_type *pt = ptk_type_part_view(c->m, rank, dims, view->type->elem);
  ptk_value *ops[33];
  ops[0] = view;
  for (uint32_t i = 0; i < rank; i++) {
    ops[1 + i] = offs[i];
    ops[1 + rank + i] = sizes[i];
  }
  ptk_op *op = tr_build(c, PTK_OP_PARTITION_VIEW, ops, 1 + 2 * rank, &pt, 1, at);
  if (!op) return NULL;
  uint32_t segs[3] = {1, rank, rank};
  ptk_op_set_segments(c->m, op, segs, 3);
  return ptk_op_result(op, 0);
}

/* Static bounds check of one dimension when everything is known. */
static bool check_window(tctx *c, ptk_value *view, uint32_t i, ptk_value *off, ptk_value *size,
                         ptk_range at) {
  int64_t o, s, dim = view->type->dims[i];
  bool ko = tr_const_of(off, &o), ks = tr_const_of(size, &s);
  if (ks && s <= 0) {
    tr_error(c, at, "the size in dimension %u is %" PRId64 "; it must be positive", i, s);
    return false;
  }
  if (ko && o < 0) {
    tr_error(c, at, "the offset in dimension %u is %" PRId64 "; it must not be negative", i, o);
    return false;
  }
  if (ko && ks && dim != PTK_DYN && o + s > dim) {
    tr_error(c, at, "the window [%" PRId64 ", %" PRId64 ") is out of bounds for dimension %u of size %" PRId64,
             o, o + s, i, dim);
    return false;
  }
  return true;
}

tval tr_slice(tctx *c, const ptk_ast_expr *e) {
  tval base = tr_eval(c, e->u.index.base);
  if (base.k == TV_ERR) return base;
  ptk_value *view = base.v;
  uint32_t rank = view->type->rank;
  if (e->u.index.nsubs != rank) {
    tr_error(c, e->range, "this tensor view has rank %u, so it takes %u subscripts, not %zu", rank, rank,
             e->u.index.nsubs);
    return tv_err();
  }
  if (rank > 16) {
    tr_error(c, e->range, "tensor views of rank above 16 are not supported");
    return tv_err();
  }
  ptk_value *offs[16], *sizes[16];
  uint32_t nshape = 0;
  ptk_value **shape = view_shape(view, &nshape);
  for (uint32_t i = 0; i < rank; i++) {
    const ptk_ast_subscript *s = &e->u.index.subs[i];
    if (!s->is_slice) {
      tval x = tr_eval(c, s->index);
      offs[i] = tr_index(c, x, s->range, "the index");
      sizes[i] = offs[i] ? tr_const_int(c, 1, tr_scalar(PTK_DT_INDEX), s->range) : NULL;
      if (!sizes[i]) return tv_err();
      continue;
    }
    tval lo = s->lo ? tr_eval(c, s->lo) : tv_int(0);
    if (lo.k == TV_ERR) return lo;
    ptk_op *last = c->blk ? c->blk->last : NULL;
    tval hi;
    if (s->hi) {
      hi = tr_eval(c, s->hi);
    } else if (shape && nshape == rank) {
      hi = tv_ir(shape[i]);
    } else if (view->type->dims[i] != PTK_DYN) {
      hi = tv_int(view->type->dims[i]);
    } else {
      tr_error(c, s->range, "the size of dimension %u of this view is not known here; write the upper bound", i);
      return tv_err();
    }
    if (hi.k == TV_ERR) return hi;
    ptk_range lr = s->lo ? s->lo->range : s->range, hr = s->hi ? s->hi->range : s->range;
    offs[i] = tr_index(c, lo, lr, "the slice start");
    if (!offs[i]) return tv_err();
    /* size = hi - lo, folded: constants, lo = 0, hi = lo + x. */
    int64_t kl, kh;
    bool cl = lo.k == TV_INT ? (kl = lo.i, true) : (lo.k == TV_IR && tr_const_of(lo.v, &kl));
    bool ch = hi.k == TV_INT ? (kh = hi.i, true) : (hi.k == TV_IR && tr_const_of(hi.v, &kh));
    if (cl && ch) {
      if (kh - kl <= 0) {
        tr_error(c, s->range, "the slice %" PRId64 ":%" PRId64 " is empty", kl, kh);
        return tv_err();
      }
      sizes[i] = tr_const_int(c, kh - kl, tr_scalar(PTK_DT_INDEX), s->range);
    } else if (cl && kl == 0) {
      sizes[i] = tr_index(c, hi, hr, "the slice end");
    } else {
      ptk_value *x = NULL;
      ptk_op *d = hi.k == TV_IR ? hi.v->def : NULL;
      if (d && d->kind == PTK_OP_ARITH_ADDI && lo.k == TV_IR) {
        if (d->operands[0] == lo.v) x = d->operands[1];
        else if (d->operands[1] == lo.v) x = d->operands[0];
      }
      if (x) {
        sizes[i] = tr_index(c, tv_ir(x), hr, "the slice size");
        /* The `lo + x` op was only made for this bound: drop it. */
        if (c->blk && d == c->blk->last && d != last) ptk_op_unlink(d);
      } else {
        ptk_value *h = tr_index(c, hi, hr, "the slice end");
        tval sz = h ? tr_binop(c, PTK_BINOP_SUB, tv_ir(h), tv_ir(offs[i]), s->range, hr, lr) : tv_err();
        sizes[i] = sz.k == TV_IR ? sz.v : NULL;
      }
    }
    if (!sizes[i]) return tv_err();
    if (!check_window(c, view, i, offs[i], sizes[i], s->range)) return tv_err();
  }
  return tv_ir(build_partition(c, view, offs, sizes, rank, e->range));
}

/* The range of entry i of a list argument: the element itself when the
 * argument is a list literal, else the whole argument. */
static ptk_range item_range(const ptk_ast_arg *a, size_t i) {
  const ptk_ast_expr *e = a->value;
  if (e->kind == PTK_EXPR_LIST && i < e->u.list.nelems) return e->u.list.elems[i]->range;
  return e->range;
}

static tval bi_make_tensor_view(tctx *c, const ptk_ast_expr *call) {
  static const bparam ps[] = {{"ptr", true}, {"shape", true}, {"strides", true}, {"layout", false}};
  const ptk_ast_arg *a[4];
  if (!bind_args(c, call, "make_tensor_view", ps, 4, a)) return tv_err();
  ptk_value *p = ev_kind(c, a[0], "the first argument of make_tensor_view", PTK_TY_PTR, "a pointer");
  if (!p) return tv_err();
  const tlist *sh = ev_list(c, a[1], "shape", 0);
  if (!sh) return tv_err();
  const tlist *st = ev_list(c, a[2], "strides", sh->n);
  if (!st) return tv_err();
  if (sh->n < 1 || sh->n > 16) {
    tr_error(c, a[1]->value->range, "a tensor view has rank 1 to 16, but shape has %zu entries", sh->n);
    return tv_err();
  }
  const char *layout = a[3] ? ev_enum(c, a[3], "layout", "layout") : NULL;
  if (a[3] && !layout) return tv_err();
  uint32_t r = (uint32_t)sh->n;
  ptk_value *ops[33];
  int64_t dims[16] = {0};
  ops[0] = p;
  for (uint32_t i = 0; i < r; i++) {
    ops[1 + i] = tr_index(c, sh->items[i], item_range(a[1], i), "a shape entry");
    ops[1 + r + i] = tr_index(c, st->items[i], item_range(a[2], i), "a stride entry");
    if (!ops[1 + i] || !ops[1 + r + i]) return tv_err();
    int64_t k;
    dims[i] = tr_const_of(ops[1 + i], &k) ? k : PTK_DYN;
    if (dims[i] != PTK_DYN && dims[i] <= 0) {
      tr_error(c, a[1]->value->range, "shape[%u] is %" PRId64 "; dimensions must be positive", i, dims[i]);
      return tv_err();
    }
  }
  const ptk_type *vt = ptk_type_tensor_view(c->m, r, dims, p->type->elem);
  ptk_op *op = tr_build(c, PTK_OP_MAKE_TENSOR_VIEW, ops, 1 + 2 * r, &vt, 1, call->range);
  if (!op) return tv_err();
  uint32_t segs[3] = {1, r, r};
  ptk_op_set_segments(c->m, op, segs, 3);
  if (layout) ptk_op_set_attr(op, "layout", ptk_attr_pto_enum(c->m, "layout", layout));
  return tv_ir(ptk_op_result(op, 0));
}

static tval bi_partition_view(tctx *c, const ptk_ast_expr *call) {
  static const bparam ps[] = {{"view", true}, {"offsets", true}, {"sizes", true}};
  const ptk_ast_arg *a[3];
  if (!bind_args(c, call, "partition_view", ps, 3, a)) return tv_err();
  ptk_value *v = ev_kind(c, a[0], "the first argument of partition_view", PTK_TY_TENSOR_VIEW,
                         "a tensor view");
  if (!v) return tv_err();
  uint32_t r = v->type->rank;
  const tlist *of = ev_list(c, a[1], "offsets", r);
  const tlist *sz = of ? ev_list(c, a[2], "sizes", r) : NULL;
  if (!sz) return tv_err();
  ptk_value *offs[16], *sizes[16];
  for (uint32_t i = 0; i < r; i++) {
    offs[i] = tr_index(c, of->items[i], item_range(a[1], i), "an offset");
    sizes[i] = offs[i] ? tr_index(c, sz->items[i], item_range(a[2], i), "a size") : NULL;
    if (!sizes[i]) return tv_err();
    if (!check_window(c, v, i, offs[i], sizes[i], call->range)) return tv_err();
  }
  return tv_ir(build_partition(c, v, offs, sizes, r, call->range));
}

/* ======================================================================
 * Tiles
 * ====================================================================== */

static const char *const loc_names[] = {"gm", "vec", "mat", "left", "right", "acc", "bias", "scaling"};

static int parse_loc(tctx *c, const ptk_ast_arg *a) {
  const char *s;
  if (!ev_ident(c, a, "loc", &s)) return -1;
  static const struct {
    const char *n;
    ptk_space s;
  } al[] = {{"vec", PTK_SPACE_VEC},   {"ub", PTK_SPACE_VEC},     {"mat", PTK_SPACE_MAT},
            {"l1", PTK_SPACE_MAT},    {"left", PTK_SPACE_LEFT},  {"l0a", PTK_SPACE_LEFT},
            {"right", PTK_SPACE_RIGHT}, {"l0b", PTK_SPACE_RIGHT}, {"acc", PTK_SPACE_ACC},
            {"l0c", PTK_SPACE_ACC},   {"bias", PTK_SPACE_BIAS},  {"scaling", PTK_SPACE_SCALING}};
  for (size_t i = 0; i < PTK_ARRAY_LEN(al); i++)
    if (!strcasecmp(s, al[i].n)) return al[i].s;
  tr_error(c, a->value->range, "'%s' is not a tile location (expected vec, mat, left, right, acc, bias or scaling)", s);
  return -1;
}

/* Layout defaults per location (reference/pto-ir.md §4.5). */
static void loc_defaults(tctx *c, ptk_tile_desc *d) {
  switch (d->loc) {
  case PTK_SPACE_MAT:
    d->blayout = PTK_BLAYOUT_COL_MAJOR;
    d->slayout = PTK_SLAYOUT_ROW_MAJOR;
    break;
  case PTK_SPACE_LEFT:
    d->blayout = c->a5 ? PTK_BLAYOUT_COL_MAJOR : PTK_BLAYOUT_ROW_MAJOR;
    d->slayout = PTK_SLAYOUT_ROW_MAJOR;
    break;
  case PTK_SPACE_RIGHT:
    d->blayout = PTK_BLAYOUT_ROW_MAJOR;
    d->slayout = PTK_SLAYOUT_COL_MAJOR;
    break;
  case PTK_SPACE_ACC:
    d->blayout = PTK_BLAYOUT_COL_MAJOR;
    d->slayout = PTK_SLAYOUT_ROW_MAJOR;
    d->fractal = 1024;
    break;
  default: break;
  }
}

/* blayout / slayout / fractal / pad keyword arguments into d. */
static bool layout_args(tctx *c, const ptk_ast_arg *bl, const ptk_ast_arg *sl, const ptk_ast_arg *fr,
                        const ptk_ast_arg *pad, ptk_tile_desc *d) {
  static const char *const bls[] = {"row_major", "col_major"};
  static const char *const sls[] = {"none_box", "row_major", "col_major"};
  static const char *const pads[] = {"null", "zero", "max", "min"};
  if (bl) {
    int k = ev_choice(c, bl, "blayout", bls, 2);
    if (k < 0) return false;
    d->blayout = (ptk_blayout)k;
  }
  if (sl) {
    int k = ev_choice(c, sl, "slayout", sls, 3);
    if (k < 0) return false;
    d->slayout = (ptk_slayout)k;
  }
  if (fr) {
    int64_t f;
    if (!ev_int(c, fr, "fractal", &f)) return false;
    if (f != 32 && f != 512 && f != 1024) {
      tr_error(c, fr->value->range, "fractal must be 32, 512 or 1024, not %" PRId64, f);
      return false;
    }
    d->fractal = f;
  }
  if (pad) {
    const ptk_ast_expr *e = pad->value;
    int64_t p = -1;
    if (e->kind == PTK_EXPR_INT) {
      p = (int64_t)e->u.int_lit.value;
      if (p > 3) {
        tr_error(c, e->range, "pad must be 0..3 or null, zero, max, min; not %" PRId64, p);
        return false;
      }
    } else {
      int k = ev_choice(c, pad, "pad", pads, 4);
      if (k < 0) return false;
      p = k;
    }
    d->pad = p;
  }
  return true;
}

static bool tile_shape(tctx *c, const ptk_ast_arg *a, int64_t *r, int64_t *cl) {
  const tlist *sh = ev_list(c, a, "shape", 2);
  if (!sh) return false;
  if (!tr_ct_int(c, sh->items[0], a->value->range, "the tile's row count", r) ||
      !tr_ct_int(c, sh->items[1], a->value->range, "the tile's column count", cl))
    return false;
  if (*r <= 0 || *cl <= 0 || *r > (1 << 24) || *cl > (1 << 24)) {
    tr_error(c, a->value->range, "tile shape [%" PRId64 ", %" PRId64 "] is invalid: both dimensions must be between 1 and 16777216",
             *r, *cl);
    return false;
  }
  return true;
}

/* valid = [vr, vc]: static entries fill the type, runtime ones become operands. */
static bool valid_arg(tctx *c, const ptk_ast_arg *a, ptk_tile_desc *d, ptk_value **vr, ptk_value **vc) {
  const tlist *vl = ev_list(c, a, "valid", 2);
  if (!vl) return false;
  for (int i = 0; i < 2; i++) {
    tval x = vl->items[i];
    int64_t lim = i ? d->cols : d->rows, k;
    bool ct = x.k == TV_INT ? (k = x.i, true) : (x.k == TV_IR && tr_const_of(x.v, &k));
    if (ct) {
      if (k < 0 || k > lim) {
        tr_error(c, a->value->range, "valid %s %" PRId64 " is outside the tile's %" PRId64 " %s", i ? "column count" : "row count",
                 k, lim, i ? "columns" : "rows");
        return false;
      }
      if (i) d->v_col = k;
      else d->v_row = k;
      continue;
    }
    ptk_value *v = tr_index(c, x, a->value->range, i ? "the valid column count" : "the valid row count");
    if (!v) return false;
    if (i) *vc = v, d->v_col = PTK_DYN;
    else *vr = v, d->v_row = PTK_DYN;
  }
  return true;
}

static tval bi_alloc_tile(tctx *c, const ptk_ast_expr *call) {
  static const bparam ps[] = {{"shape", true},    {"dtype", false},   {"loc", false},
                              {"valid", false},   {"blayout", false}, {"slayout", false},
                              {"fractal", false}, {"pad", false},     {"addr", false}};
  const ptk_ast_arg *a[9];
  if (!bind_args(c, call, "alloc_tile", ps, 9, a)) return tv_err();
  int64_t rows, cols;
  if (!tile_shape(c, a[0], &rows, &cols)) return tv_err();
  ptk_dtype dt = PTK_DT_F32;
  if (a[1]) {
    tval v = ev(c, a[1]);
    if (v.k == TV_ERR) return v;
    if (v.k != TV_DTYPE) {
      wrong_kind(c, a[1], "dtype", "a dtype (f32, f16, bf16, i32, …)", v);
      return tv_err();
    }
    dt = v.dt;
  }
  ptk_space loc = PTK_SPACE_VEC;
  if (a[2]) {
    int l = parse_loc(c, a[2]);
    if (l < 0) return tv_err();
    loc = (ptk_space)l;
  }
  ptk_tile_desc d = ptk_tile_desc_make(loc, tr_scalar(dt), rows, cols);
  loc_defaults(c, &d);
  if (!layout_args(c, a[4], a[5], a[6], a[7], &d)) return tv_err();
  ptk_value *vr = NULL, *vc = NULL, *addr = NULL;
  if (a[3] && !valid_arg(c, a[3], &d, &vr, &vc)) return tv_err();
  if (a[8]) {
    tval x = ev(c, a[8]);
    if (x.k == TV_ERR) return x;
    if (x.k == TV_IR && ptk_type_is_scalar(x.v->type, PTK_DT_INDEX))
      addr = x.v;
    else
      addr = tr_coerce(c, x, tr_scalar(PTK_DT_I64), a[8]->value->range, "addr");
    if (!addr) return tv_err();
  }
  const ptk_type *ty = ptk_type_tile_buf(c->m, &d);
  return tv_ir(build_alloc(c, ty, addr, vr, vc, call->range));
}

static tval bi_set_validshape(tctx *c, const ptk_ast_expr *call) {
  static const bparam ps[] = {{"tile", true}, {"rows", true}, {"cols", true}};
  const ptk_ast_arg *a[3];
  if (!bind_args(c, call, "set_validshape", ps, 3, a)) return tv_err();
  ptk_value *t = ev_tile(c, a[0], "the first argument of set_validshape");
  if (!t) return tv_err();
  const ptk_tile_desc *d = &t->type->tile;
  if (d->v_row != PTK_DYN && d->v_col != PTK_DYN) {
    tr_error(c, a[0]->value->range, "set_validshape needs a tile with a runtime valid shape, but this tile's valid shape is fixed (%" PRId64 "x%" PRId64 ")",
             d->v_row, d->v_col);
    tr_note(c, a[0]->value->range, "allocate it with valid = [r, c] where r or c is a runtime value");
    return tv_err();
  }
  ptk_value *ops[3] = {t, NULL, NULL};
  for (int i = 0; i < 2; i++) {
    tval x = ev(c, a[1 + i]);
    if (x.k == TV_ERR) return x;
    int64_t fixed = i ? d->v_col : d->v_row, lim = i ? d->cols : d->rows, k;
    bool ct = x.k == TV_INT ? (k = x.i, true) : (x.k == TV_IR && tr_const_of(x.v, &k));
    if (ct && (k < 0 || k > lim)) {
      tr_error(c, a[1 + i]->value->range, "valid %s %" PRId64 " is outside the tile's %" PRId64 " %s",
               i ? "column count" : "row count", k, lim, i ? "columns" : "rows");
      return tv_err();
    }
    if (fixed != PTK_DYN && ct && k != fixed) {
      tr_error(c, a[1 + i]->value->range, "this tile's valid %s is fixed at %" PRId64 " by its type, so it cannot be set to %" PRId64,
               i ? "column count" : "row count", fixed, k);
      return tv_err();
    }
    ops[1 + i] = tr_index(c, x, a[1 + i]->value->range, i ? "the valid column count" : "the valid row count");
    if (!ops[1 + i]) return tv_err();
  }
  return tr_build(c, PTK_OP_SET_VALIDSHAPE, ops, 3, NULL, 0, call->range) ? tv_none() : tv_err();
}

static tval bi_subview(tctx *c, const ptk_ast_expr *call) {
  static const bparam ps[] = {{"tile", true}, {"offsets", true}, {"sizes", true}, {"valid", false}};
  const ptk_ast_arg *a[4];
  if (!bind_args(c, call, "subview", ps, 4, a)) return tv_err();
  ptk_value *t = ev_tile(c, a[0], "the first argument of subview");
  if (!t) return tv_err();
  const tlist *of = ev_list(c, a[1], "offsets", 2);
  if (!of) return tv_err();
  int64_t r, cl;
  if (!tile_shape(c, a[2], &r, &cl)) return tv_err();
  const ptk_tile_desc *sd = &t->type->tile;
  if (r > sd->rows || cl > sd->cols) {
    tr_error(c, a[2]->value->range, "subview sizes [%" PRId64 ", %" PRId64 "] exceed the tile's shape %" PRId64 "x%" PRId64,
             r, cl, sd->rows, sd->cols);
    return tv_err();
  }
  ptk_value *ops[5];
  uint32_t n = 0, segs[4] = {1, 2, 0, 0};
  ops[n++] = t;
  for (int i = 0; i < 2; i++) {
    ops[n] = tr_index(c, of->items[i], item_range(a[1], i), "a subview offset");
    if (!ops[n++]) return tv_err();
  }
  ptk_tile_desc d = *sd;
  d.rows = d.v_row = r;
  d.cols = d.v_col = cl;
  if (a[3]) {
    const tlist *vl = ev_list(c, a[3], "valid", 2);
    if (!vl) return tv_err();
    for (int i = 0; i < 2; i++) {
      ops[n] = tr_index(c, vl->items[i], item_range(a[3], i), "a valid dimension");
      if (!ops[n++]) return tv_err();
    }
    segs[2] = segs[3] = 1;
    d.v_row = d.v_col = PTK_DYN;
  }
  const ptk_type *rt = ptk_type_tile_buf(c->m, &d);
  ptk_op *op = tr_build(c, PTK_OP_SUBVIEW, ops, n, &rt, 1, call->range);
  if (!op) return tv_err();
  ptk_op_set_segments(c->m, op, segs, 4);
  const ptk_attr *sz[2] = {ptk_attr_int(c->m, r, tr_scalar(PTK_DT_I64)),
                           ptk_attr_int(c->m, cl, tr_scalar(PTK_DT_I64))};
  ptk_op_set_attr(op, "sizes", ptk_attr_array(c->m, sz, 2));
  return tv_ir(ptk_op_result(op, 0));
}

static tval bi_treshape(tctx *c, const ptk_ast_expr *call) {
  static const bparam ps[] = {{"tile", true},    {"shape", true},   {"blayout", false},
                              {"slayout", false}, {"fractal", false}, {"dtype", false}};
  const ptk_ast_arg *a[6];
  if (!bind_args(c, call, "treshape", ps, 6, a)) return tv_err();
  ptk_value *t = ev_tile(c, a[0], "the first argument of treshape");
  if (!t) return tv_err();
  int64_t r, cl;
  if (!tile_shape(c, a[1], &r, &cl)) return tv_err();
  const ptk_tile_desc *sd = &t->type->tile;
  const ptk_type *elem = sd->elem;
  if (a[5]) {
    tval v = ev(c, a[5]);
    if (v.k == TV_ERR) return v;
    if (v.k != TV_DTYPE) {
      wrong_kind(c, a[5], "dtype", "a dtype", v);
      return tv_err();
    }
    elem = tr_scalar(v.dt);
  }
  ptk_tile_desc d = ptk_tile_desc_make(sd->loc, elem, r, cl);
  loc_defaults(c, &d);
  if (!layout_args(c, a[2], a[3], a[4], NULL, &d)) return tv_err();
  d.pad = sd->pad;
  ptk_dtype sdt = sd->elem->dt;
  uint64_t sb = (uint64_t)sd->rows * (uint64_t)sd->cols * ptk_dtype_bytes(sdt);
  uint64_t db = (uint64_t)r * (uint64_t)cl * ptk_dtype_bytes(elem->dt);
  if (sb != db) {
    tr_error(c, a[1]->value->range, "treshape must keep the byte size: the tile has %" PRIu64 " bytes, the new shape %" PRIu64,
             sb, db);
    return tv_err();
  }
  const ptk_type *rt = ptk_type_tile_buf(c->m, &d);
  ptk_op *op = tr_build(c, PTK_OP_TRESHAPE, &t, 1, &rt, 1, call->range);
  return op ? tv_ir(ptk_op_result(op, 0)) : tv_err();
}

/* ======================================================================
 * DPS tile ops from the op table
 * ====================================================================== */

typedef struct {
  char l;  /* letter */
  char q;  /* 0, '?' or '*' */
  bool out;
} sigel;

/* The operands of a DPS op's SIG (ins, then outs; results excluded). */
static size_t parse_sig(ptk_op_kind k, sigel *el, size_t max) {
  const ptk_op_desc *d = ptk_op_desc_of(k);
  size_t n = 0;
  for (uint32_t i = 0; i < d->nsig && n < max; i++)
    if (!d->sig[i].result) el[n++] = (sigel){d->sig[i].kind, d->sig[i].quant, d->sig[i].group == 1};
  return n;
}
static bool letter_ok(char l, tval v) {
  const ptk_type *t = v.k == TV_IR ? v.v->type : NULL;
  bool sc = t && t->kind == PTK_TY_SCALAR;
  bool iint = sc && ptk_dtype_is_int(t->dt) && t->dt != PTK_DT_I1;
  bool ifl = sc && ptk_dtype_is_float(t->dt);
  switch (l) {
  case 't': return t && t->kind == PTK_TY_TILE_BUF;
  case 'p': return t && t->kind == PTK_TY_PART_VIEW;
  case 'v': return t && t->kind == PTK_TY_TENSOR_VIEW;
  case 'r': return t && t->kind == PTK_TY_PTR;
  case 'x':
  case 'n': return v.k == TV_INT || iint;
  case 'f': return v.k == TV_INT || v.k == TV_FLOAT || ifl;
  case 's': return v.k == TV_INT || v.k == TV_FLOAT || iint || ifl;
  case 'b': return v.k == TV_BOOL || (sc && t->dt == PTK_DT_I1);
  case 'a': return v.k == TV_IR || v.k == TV_INT || v.k == TV_FLOAT || v.k == TV_BOOL;
  default: return false;
  }
}

/* Matches args[ai..] against el[ei..]; `as[i]` = element index of arg i. */
static bool sig_match(const sigel *el, size_t ne, size_t ei, const tval *args, size_t na, size_t ai,
                      int *as) {
  if (ei == ne) return ai == na;
  const sigel *e = &el[ei];
  if (e->q == 0) {
    if (ai < na && letter_ok(e->l, args[ai])) {
      as[ai] = (int)ei;
      return sig_match(el, ne, ei + 1, args, na, ai + 1, as);
    }
    return false;
  }
  if (e->q == '?') {
    if (ai < na && letter_ok(e->l, args[ai])) {
      as[ai] = (int)ei;
      if (sig_match(el, ne, ei + 1, args, na, ai + 1, as)) return true;
    }
    return sig_match(el, ne, ei + 1, args, na, ai, as);
  }
  /* '*': as many as possible, then fewer */
  size_t k = ai;
  while (k < na && letter_ok(e->l, args[k])) k++;
  for (;;) {
    for (size_t j = ai; j < k; j++) as[j] = (int)ei;
    if (sig_match(el, ne, ei + 1, args, na, k, as)) return true;
    if (k == ai) return false;
    k--;
  }
}

static const char *letter_desc(char l) {
  switch (l) {
  case 't': return "tile";
  case 'p': return "partition";
  case 'v': return "tensor view";
  case 'r': return "pointer";
  case 'x': return "index";
  case 'n': return "integer";
  case 'f': return "float";
  case 's': return "scalar";
  case 'b': return "bool";
  default: return "value";
  }
}

/* Operand roles of the DPS builtins, as DESIGN §2.6 names them: one table of
 * the ops whose roles the generic rule below does not give, ins then outs,
 * optional operands included. */
static const struct {
  const char *op;
  const char *roles;
} role_table[] = {
    {"trowsum", "src, tmp, dst"},
    {"trowmax", "src, tmp, dst"},
    {"trowmin", "src, tmp, dst"},
    {"tmatmul", "a, b, c"},
    {"tgemv", "a, b, c"},
    {"tmatmul_acc", "c_in, a, b, c"},
    {"tgemv_acc", "c_in, a, b, c"},
    {"tmatmul_bias", "a, b, bias, c"},
    {"tgemv_bias", "a, b, bias, c"},
    {"tmatmul_mx", "a, a_scale, b, b_scale, c"},
    {"tgemv_mx", "a, a_scale, b, b_scale, c"},
    {"tmatmul_mx_acc", "c_in, a, a_scale, b, b_scale, c"},
    {"tgemv_mx_acc", "c_in, a, a_scale, b, b_scale, c"},
    {"tmatmul_mx_bias", "a, a_scale, b, b_scale, bias, c"},
    {"tgemv_mx_bias", "a, a_scale, b, b_scale, bias, c"},
    {"tload", "part, tile"},
    {"tstore", "tile, pre_quant, part"},
    {"tstore_fp", "tile, fp, part"},
    {"tsel", "mask, src0, src1, tmp, dst"},
    {"tsels", "mask, src, tmp, scalar, dst"},
};

/* The role of every operand of `fname` (el: its SIG) into roles[i]. Without
 * a table row: a single tile input is src, several are src0, src1, …; an
 * optional tile input after them is tmp; scalars are scalar, indices
 * idx0, idx1, …; outputs are dst (dst0, dst1, … when several), or part. */
static void sig_roles(const char *fname, const sigel *el, size_t ne, char (*roles)[24]) {
  for (size_t r = 0; r < sizeof role_table / sizeof *role_table; r++) {
    if (strcmp(role_table[r].op, fname)) continue;
    const char *p = role_table[r].roles;
    for (size_t i = 0; i < ne; i++) {
      size_t n = *p ? strcspn(p, ",") : 0;
      snprintf(roles[i], 24, "%.*s", (int)n, p);
      p += n;
      while (*p == ',' || *p == ' ') p++;
    }
    return;
  }
  size_t tin = 0, tout = 0, nx = 0;
  for (size_t i = 0; i < ne; i++) {
    if (el[i].out) tout += el[i].l == 't';
    else tin += el[i].l == 't' && el[i].q == 0;
  }
  size_t ti = 0, to = 0;
  for (size_t i = 0; i < ne; i++) {
    const sigel *e = &el[i];
    char *r = roles[i];
    if (e->out) {
      if (e->l == 'p') snprintf(r, 24, "part");
      else if (tout > 1 || e->q) snprintf(r, 24, "dst%zu", to++);
      else snprintf(r, 24, "dst");
      continue;
    }
    switch (e->l) {
    case 't':
      if (e->q == '?') snprintf(r, 24, "tmp");
      else if (e->q == '*') snprintf(r, 24, "src");
      else if (tin == 1) snprintf(r, 24, "src");
      else snprintf(r, 24, "src%zu", ti++);
      break;
    case 'p': snprintf(r, 24, "part"); break;
    case 'x': snprintf(r, 24, "idx%zu", nx++); break;
    default: snprintf(r, 24, "scalar"); break;
    }
  }
}

static void sig_desc(const char *fname, const sigel *el, size_t ne, ptk_buf *b) {
  char roles[24][24];
  sig_roles(fname, el, ne, roles);
  ptk_buf_printf(b, "%s(", fname);
  for (size_t i = 0; i < ne; i++) {
    const char *sep = i ? ", " : "";
    if (el[i].q == '?') ptk_buf_printf(b, "%s[%s]", sep, roles[i]);
    else if (el[i].q == '*') ptk_buf_printf(b, "%s%s…", sep, roles[i]);
    else ptk_buf_printf(b, "%s%s", sep, roles[i]);
  }
  ptk_buf_putc(b, ')');
}

bool tr_builtin_fits(int id, int nargs) {
  pthread_once(&btab_once, bt_init);
  if (id < B_NSPECIAL) return true;
  if (nargs < 0) return false;
  sigel el[24];
  size_t ne = parse_sig(dps.kind[id - B_NSPECIAL], el, 24);
  size_t lo = 0, hi = 0;
  bool any = false;
  for (size_t i = 0; i < ne; i++) {
    lo += el[i].q == 0;
    hi++;
    any |= el[i].q == '*';
  }
  return (size_t)nargs >= lo && (any || (size_t)nargs <= hi);
}

/* Attribute entries of an op (the ATTRS column as lang/ir parsed it). */
typedef ptk_attr_desc aspec;

static size_t parse_attrs(ptk_op_kind k, aspec *out, size_t max) {
  const ptk_op_desc *d = ptk_op_desc_of(k);
  size_t n = d->nattrs < max ? d->nattrs : max;
  memcpy(out, d->attrs, n * sizeof *out);
  return n;
}
/* Keyword spelling of an attribute: camelCase → snake_case. */
static void snake(const char *name, char *out, size_t n) {
  size_t k = 0;
  for (const char *p = name; *p && k + 2 < n; p++) {
    if (*p >= 'A' && *p <= 'Z') {
      out[k++] = '_';
      out[k++] = (char)(*p - 'A' + 'a');
    } else {
      out[k++] = *p;
    }
  }
  out[k] = 0;
}

static bool kw_matches(const aspec *a, const char *kw) {
  if (!strcmp(a->name, kw)) return true;
  char sn[64];
  snake(a->name, sn, sizeof sn);
  if (!strcmp(sn, kw)) return true;
  if (!strcmp(a->name, "cmpMode") && !strcmp(kw, "mode")) return true;
  if (!strcmp(a->name, "sat_mode") && !strcmp(kw, "satmode")) return true;
  if (!strcmp(a->name, "precisionType") && !strcmp(kw, "precision")) return true;
  return false;
}

static const ptk_attr *attr_value(tctx *c, const aspec *s, const ptk_ast_arg *a, const char *fname) {
  char what[96];
  snprintf(what, sizeof what, "'%s' of '%s'", a->name, fname);
  if (s->kind[0]) {
    const char *k = s->kind[0] == '#' ? s->kind + 1 : s->kind;
    ptk_dtype dt;
    if (tr_dtype_by_name(k, &dt)) {
      int64_t v;
      if (!ev_int(c, a, what, &v)) return NULL;
      return ptk_attr_int(c->m, v, tr_scalar(dt));
    }
    const char *val = ev_enum(c, a, what, k);
    return val ? ptk_attr_pto_enum(c->m, k, val) : NULL;
  }
  tval v = ev(c, a);
  switch (v.k) {
  case TV_ERR: return NULL;
  case TV_BOOL: return ptk_attr_bool(c->m, v.b);
  case TV_INT: return ptk_attr_int(c->m, v.i, NULL);
  case TV_FLOAT: return ptk_attr_float(c->m, v.f, tr_scalar(PTK_DT_F32));
  case TV_STR: return ptk_attr_string(c->m, v.str.s, v.str.n);
  default:
    wrong_kind(c, a, what, "a compile-time bool, int, float or str", v);
    return NULL;
  }
}

/* The IR type a compile-time scalar operand takes in a tile op. */
static const ptk_type *scalar_type(char l, const ptk_op_info *in, const ptk_type *tile_elem, tval v) {
  bool tint = tile_elem && tile_elem->kind == PTK_TY_SCALAR && ptk_dtype_is_int(tile_elem->dt);
  bool tfl = tile_elem && tile_elem->kind == PTK_TY_SCALAR && ptk_dtype_is_float(tile_elem->dt);
  switch (l) {
  case 'x': return tr_scalar(PTK_DT_INDEX);
  case 'n': return tint ? tile_elem : tr_scalar(PTK_DT_I32);
  case 'f': return tfl ? tile_elem : tr_scalar(PTK_DT_F32);
  case 's':
    if ((in->flags & PTK_OPF_SCALAR_DTYPE) && tile_elem) return tile_elem;
    if (tile_elem && ((tint && v.k == TV_INT) || tfl)) return tile_elem;
    return v.k == TV_FLOAT ? tr_scalar(PTK_DT_F32) : tr_scalar(PTK_DT_I32);
  default: return tr_default_type(v);
  }
}

static tval call_dps(tctx *c, ptk_op_kind k, const char *fname, const ptk_ast_expr *call) {
  const ptk_op_info *in = &ptk_op_table[k];
  sigel el[24];
  size_t ne = parse_sig(k, el, 24);
  aspec as[16];
  size_t nas = parse_attrs(k, as, 16);
  size_t na = 0;
  for (size_t i = 0; i < call->u.call.nargs; i++) na += !call->u.call.args[i].name;
  tval *args = ptk_arena_alloc(c->tmp, (na ? na : 1) * sizeof *args);
  const ptk_ast_arg **argp = ptk_arena_alloc(c->tmp, (na ? na : 1) * sizeof *argp);
  int *asg = ptk_arena_alloc(c->tmp, (na ? na : 1) * sizeof *asg);
  const ptk_attr **avals = ptk_arena_alloc(c->tmp, (nas ? nas : 1) * sizeof *avals);
  bool bad = false;
  size_t j = 0;
  for (size_t i = 0; i < call->u.call.nargs; i++) {
    const ptk_ast_arg *a = &call->u.call.args[i];
    if (a->name) continue;
    argp[j] = a;
    args[j] = ev(c, a);
    if (args[j].k == TV_ERR) bad = true;
    j++;
  }
  /* Keyword arguments are the op's attributes. */
  for (size_t i = 0; i < call->u.call.nargs; i++) {
    const ptk_ast_arg *a = &call->u.call.args[i];
    if (!a->name) continue;
    size_t s = 0;
    while (s < nas && !kw_matches(&as[s], a->name)) s++;
    if (s == nas) {
      ptk_buf b = {0};
      for (size_t q = 0; q < nas; q++) {
        char sn[64];
        snake(as[q].name, sn, sizeof sn);
        ptk_buf_printf(&b, "%s%s", q ? ", " : "", !strcmp(as[q].name, "cmpMode") ? "mode" : sn);
      }
      if (nas)
        tr_error(c, a->name_range, "'%s' has no keyword argument '%s' (its attributes: %s)", fname, a->name,
                 ptk_buf_cstr(&b));
      else
        tr_error(c, a->name_range, "'%s' takes no keyword arguments (it has no attributes)", fname);
      ptk_buf_free(&b);
      bad = true;
      continue;
    }
    if (avals[s]) {
      tr_error(c, a->name_range, "attribute '%s' of '%s' is given twice", a->name, fname);
      bad = true;
      continue;
    }
    avals[s] = attr_value(c, &as[s], a, fname);
    if (!avals[s]) bad = true;
  }
  if (bad) return tv_err();
  for (size_t s = 0; s < nas; s++)
    if (as[s].required && !avals[s]) {
      char sn[64];
      snake(as[s].name, sn, sizeof sn);
      tr_error(c, call->range, "'%s' needs the keyword argument '%s'", fname, sn);
      return tv_err();
    }
  for (size_t i = 0; i < na; i++)
    if (args[i].k == TV_NONE) {
      tr_error(c, argp[i]->range, "this call returns no value");
      return tv_err();
    }
  if (!sig_match(el, ne, 0, args, na, 0, asg)) {
    ptk_buf want = {0};
    sig_desc(fname, el, ne, &want);
    /* Point at the first argument of the wrong kind when the count fits a fixed signature. */
    bool fixed = true;
    for (size_t i = 0; i < ne; i++) fixed &= el[i].q == 0;
    if (fixed && na == ne) {
      for (size_t i = 0; i < na; i++)
        if (!letter_ok(el[i].l, args[i])) {
          char roles[24][24];
          sig_roles(fname, el, ne, roles);
          tr_error(c, argp[i]->value->range, "argument %zu ('%s') of '%s' must be %s %s, but is %s %s (expected %s)",
                   i + 1, roles[i], fname, a_an(letter_desc(el[i].l)), letter_desc(el[i].l),
                   a_an(tv_kind_name(args[i])), tv_kind_name(args[i]), ptk_buf_cstr(&want));
          break;
        }
    } else {
      ptk_buf got = {0};
      ptk_buf_printf(&got, "%s(", fname);
      for (size_t i = 0; i < na; i++) ptk_buf_printf(&got, "%s%s", i ? ", " : "", tv_kind_name(args[i]));
      ptk_buf_putc(&got, ')');
      tr_error(c, call->range, "wrong arguments for '%s': expected %s, got %s", fname,
               ptk_buf_cstr(&want), ptk_buf_cstr(&got));
      ptk_buf_free(&got);
    }
    ptk_buf_free(&want);
    return tv_err();
  }
  /* The dtype scalar operands follow: the first tile operand's. */
  const ptk_type *tile_elem = NULL;
  for (size_t i = 0; i < na && !tile_elem; i++)
    if (tr_is_tile(args[i])) tile_elem = args[i].v->type->tile.elem;
  ptk_value **ops = ptk_arena_alloc(c->tmp, (na ? na : 1) * sizeof *ops);
  uint32_t nins = 0, nouts = 0;
  for (size_t i = 0; i < na; i++) {
    const sigel *e = &el[asg[i]];
    tval v = args[i];
    ptk_range r = argp[i]->value->range;
    char what[64];
    snprintf(what, sizeof what, "argument %zu of '%s'", i + 1, fname);
    if (e->l == 'x') {
      ops[i] = tr_index(c, v, r, what);
    } else if (v.k != TV_IR || ((in->flags & PTK_OPF_SCALAR_DTYPE) && v.v->type->kind == PTK_TY_SCALAR &&
                                 tile_elem)) {
      ops[i] = tr_coerce(c, v, v.k == TV_IR ? tile_elem : scalar_type(e->l, in, tile_elem, v), r, what);
    } else {
      ops[i] = v.v;
    }
    if (!ops[i]) return tv_err();
    if (e->out) nouts++;
    else nins++;
  }
  if (!tr_emit_ok(c, call->range)) return tv_err();
  ptk_op *op;
  ptk_value *result = NULL;
  if (in->flags & PTK_OPF_OUTS_RESULT) {
    const ptk_type *rt = tile_elem ? tile_elem : tr_scalar(PTK_DT_F32);
    op = ptk_op_new(c->m, k, ops, (uint32_t)na, &rt, 1, 0, tr_loc(call->range));
    uint32_t segs[2] = {(uint32_t)na, 0};
    ptk_op_set_segments(c->m, op, segs, 2);
    ptk_block_append(c->blk, op);
    result = ptk_op_result(op, 0);
  } else {
    op = ptk_build_dps(c->m, c->blk, k, ops, nins, ops + nins, nouts, tr_loc(call->range));
    if (nouts == 1) result = ops[nins];
  }
  if (c->calls.len) tr_note_call_op(c, op->loc);
  for (size_t s = 0; s < nas; s++)
    if (avals[s]) ptk_op_set_attr(op, as[s].name, avals[s]);
  return result ? tv_ir(result) : tv_none();
}

/* ======================================================================
 * Value sugar
 * ====================================================================== */

static ptk_value *one_tile(tctx *c, const ptk_ast_expr *call, const char *fname) {
  static const bparam ps[] = {{"tile", true}};
  const ptk_ast_arg *a[1];
  if (!bind_args(c, call, fname, ps, 1, a)) return NULL;
  char what[64];
  snprintf(what, sizeof what, "the argument of %s()", fname);
  return ev_tile(c, a[0], what);
}

static tval bi_reduce(tctx *c, int id, const ptk_ast_expr *call) {
  const char *fname = special_names[id];
  ptk_value *t = one_tile(c, call, fname);
  if (!t) return tv_err();
  const ptk_tile_desc *sd = &t->type->tile;
  bool row = id == B_ROWSUM || id == B_ROWMAX || id == B_ROWMIN;
  ptk_tile_desc d = ptk_tile_desc_make(PTK_SPACE_VEC, sd->elem, row ? sd->rows : 1, row ? 1 : sd->cols);
  ptk_value *vr, *vc;
  if (!valid_of(c, t, &vr, &vc, call->range)) return tv_err();
  if (row) {
    d.blayout = PTK_BLAYOUT_COL_MAJOR;
    d.v_row = sd->v_row;
    d.v_col = 1;
    vc = NULL;
  } else {
    d.v_row = 1;
    d.v_col = sd->v_col;
    vr = NULL;
  }
  ptk_value *dst = build_alloc(c, ptk_type_tile_buf(c->m, &d), NULL, vr, vc, call->range);
  if (!dst) return tv_err();
  ptk_op_kind k = id == B_ROWSUM   ? PTK_OP_TROWSUM
                  : id == B_ROWMAX ? PTK_OP_TROWMAX
                  : id == B_ROWMIN ? PTK_OP_TROWMIN
                  : id == B_COLSUM ? PTK_OP_TCOLSUM
                  : id == B_COLMAX ? PTK_OP_TCOLMAX
                                   : PTK_OP_TCOLMIN;
  if (row) {
    ptk_value *tmp = alloc_like(c, t, call->range);
    if (!tmp) return tv_err();
    ptk_value *ins[2] = {t, tmp};
    return tv_ir(dps1(c, k, ins, 2, dst, call->range));
  }
  return tv_ir(dps1(c, k, &t, 1, dst, call->range));
}

static tval bi_matmul(tctx *c, const ptk_ast_expr *call) {
  static const bparam ps[] = {{"a", true}, {"b", true}};
  const ptk_ast_arg *a[2];
  if (!bind_args(c, call, "matmul", ps, 2, a)) return tv_err();
  ptk_value *x = ev_tile(c, a[0], "the first argument of matmul()");
  ptk_value *y = x ? ev_tile(c, a[1], "the second argument of matmul()") : NULL;
  if (!y) return tv_err();
  const ptk_tile_desc *A = &x->type->tile, *B = &y->type->tile;
  if (A->loc != PTK_SPACE_LEFT) {
    tr_error(c, a[0]->value->range, "the first argument of matmul() must be a 'left' tile, but is a '%s' tile (tmov it into a loc = left tile first)",
             ptk_space_name(A->loc));
    return tv_err();
  }
  if (B->loc != PTK_SPACE_RIGHT) {
    tr_error(c, a[1]->value->range, "the second argument of matmul() must be a 'right' tile, but is a '%s' tile (tmov it into a loc = right tile first)",
             ptk_space_name(B->loc));
    return tv_err();
  }
  ptk_dtype ad = A->elem->dt;
  ptk_dtype cd = (ad == PTK_DT_I8 || ad == PTK_DT_SI8 || ad == PTK_DT_UI8) ? PTK_DT_I32 : PTK_DT_F32;
  ptk_tile_desc d = ptk_tile_desc_make(PTK_SPACE_ACC, tr_scalar(cd), A->rows, B->cols);
  loc_defaults(c, &d);
  ptk_value *ar, *ac, *br, *bc;
  if (!valid_of(c, x, &ar, &ac, call->range) || !valid_of(c, y, &br, &bc, call->range)) return tv_err();
  d.v_row = A->v_row;
  d.v_col = B->v_col;
  ptk_value *dst = build_alloc(c, ptk_type_tile_buf(c->m, &d), NULL, ar, bc, call->range);
  if (!dst) return tv_err();
  ptk_value *ins[2] = {x, y};
  return tv_ir(dps1(c, PTK_OP_TMATMUL, ins, 2, dst, call->range));
}

static tval ct_math(tctx *c, int id, double x, ptk_range at) {
  switch (id) {
  case B_EXP: return tv_float(exp(x));
  case B_LOG:
  case B_SQRT:
  case B_RSQRT:
    if (x < 0 || (x == 0 && id == B_LOG)) {
      tr_error(c, at, "%s() of %g is undefined", special_names[id], x);
      return tv_err();
    }
    return tv_float(id == B_LOG ? log(x) : id == B_SQRT ? sqrt(x) : 1.0 / sqrt(x));
  case B_RECIP: return tv_float(1.0 / x);
  case B_RELU: return tv_float(x > 0 ? x : 0.0);
  default: return tv_err();
  }
}

static tval bi_unary(tctx *c, int id, const ptk_ast_expr *call) {
  static const bparam ps[] = {{"x", true}};
  const ptk_ast_arg *a[1];
  const char *fname = special_names[id];
  if (!bind_args(c, call, fname, ps, 1, a)) return tv_err();
  tval x = ev(c, a[0]);
  if (x.k == TV_ERR) return x;
  if (tr_is_tile(x)) {
    ptk_op_kind k = id == B_EXP     ? PTK_OP_TEXP
                    : id == B_LOG   ? PTK_OP_TLOG
                    : id == B_SQRT  ? PTK_OP_TSQRT
                    : id == B_RSQRT ? PTK_OP_TRSQRT
                    : id == B_RECIP ? PTK_OP_TRECIP
                    : id == B_ABS   ? PTK_OP_TABS
                                    : PTK_OP_TRELU;
    return tr_tile_unary(c, k, x, call->range);
  }
  if (id == B_ABS) {
    if (x.k == TV_INT) {
      if (x.i == INT64_MIN) {
        tr_error(c, call->range, "integer overflow in abs()");
        return tv_err();
      }
      return tv_int(x.i < 0 ? -x.i : x.i);
    }
    if (x.k == TV_FLOAT) return tv_float(fabs(x.f));
    if (tr_is_scalar_ir(x) && x.v->type->dt != PTK_DT_I1) {
      tval neg = tr_neg(c, x, call->range);
      tval lt = tr_binop(c, PTK_BINOP_LT, x, tv_int(0), call->range, call->range, call->range);
      if (neg.k == TV_ERR || lt.k == TV_ERR) return tv_err();
      ptk_value *ops[3] = {lt.v, neg.v, x.v};
      const ptk_type *t = x.v->type;
      ptk_op *op = tr_build(c, PTK_OP_ARITH_SELECT, ops, 3, &t, 1, call->range);
      return op ? tv_ir(ptk_op_result(op, 0)) : tv_err();
    }
  } else if (x.k == TV_INT || x.k == TV_FLOAT) {
    return ct_math(c, id, x.k == TV_INT ? (double)x.i : x.f, call->range);
  } else if (tr_is_scalar_ir(x)) {
    tr_error(c, a[0]->value->range, "%s() of a runtime scalar is not supported (PTO has no scalar %s); compute it on a tile, or on compile-time values",
             fname, fname);
    return tv_err();
  }
  wrong_kind(c, a[0], ptk_arena_printf(c->tmp, "the argument of %s()", fname), "a tile or a number", x);
  return tv_err();
}

static tval minmax2(tctx *c, bool is_max, tval a, tval b, ptk_range at, ptk_range ra, ptk_range rb) {
  if (a.k == TV_ERR || b.k == TV_ERR) return tv_err();
  bool ta = tr_is_tile(a), tb = tr_is_tile(b);
  if (ta || tb) {
    if (ta && tb) {
      ptk_value *ins[2] = {a.v, b.v};
      ptk_value *d = alloc_like(c, a.v, at);
      return d ? tv_ir(dps1(c, is_max ? PTK_OP_TMAX : PTK_OP_TMIN, ins, 2, d, at)) : tv_err();
    }
    tval t = ta ? a : b, s = ta ? b : a;
    ptk_value *sv = tile_scalar(c, s, t.v, ta ? rb : ra);
    ptk_value *d = sv ? alloc_like(c, t.v, at) : NULL;
    if (!d) return tv_err();
    ptk_value *ins[2] = {t.v, sv};
    return tv_ir(dps1(c, is_max ? PTK_OP_TMAXS : PTK_OP_TMINS, ins, 2, d, at));
  }
  if (tv_is_ct(a) && tv_is_ct(b)) {
    tval lt = tr_binop(c, PTK_BINOP_LT, a, b, at, ra, rb);
    if (lt.k != TV_BOOL) return tv_err();
    return (lt.b != is_max) ? a : b;
  }
  if (!(a.k == TV_IR || a.k == TV_INT || a.k == TV_FLOAT) || !(b.k == TV_IR || b.k == TV_INT || b.k == TV_FLOAT)) {
    tr_error(c, at, "%s() needs numbers or tiles, not %s and %s", is_max ? "max" : "min", tv_kind_name(a),
             tv_kind_name(b));
    return tv_err();
  }
  /* Traced scalars: reuse the binop machinery for typing, then the op. */
  tval probe = tr_binop(c, PTK_BINOP_LT, a, b, at, ra, rb);
  if (probe.k != TV_IR) return tv_err();
  ptk_op *cmp = probe.v->def;
  ptk_value *x = cmp->operands[0], *y = cmp->operands[1];
  ptk_op_unlink(cmp); /* only used for the operand types */
  const ptk_type *t = x->type;
  ptk_op_kind k;
  if (ptk_dtype_is_float(t->dt)) k = is_max ? PTK_OP_ARITH_MAXIMUMF : PTK_OP_ARITH_MINIMUMF;
  else k = is_max ? PTK_OP_ARITH_MAXSI : PTK_OP_ARITH_MINSI;
  ptk_value *ops[2] = {x, y};
  ptk_op *op = tr_build(c, k, ops, 2, &t, 1, at);
  return op ? tv_ir(ptk_op_result(op, 0)) : tv_err();
}

static tval bi_minmax(tctx *c, bool is_max, const ptk_ast_expr *call) {
  const char *fname = is_max ? "max" : "min";
  size_t n = call->u.call.nargs;
  for (size_t i = 0; i < n; i++)
    if (call->u.call.args[i].name) {
      tr_error(c, call->u.call.args[i].name_range, "%s() takes no keyword arguments", fname);
      return tv_err();
    }
  if (n < 2) {
    tr_error(c, call->range, "%s() needs at least two arguments", fname);
    return tv_err();
  }
  tval acc = ev(c, &call->u.call.args[0]);
  ptk_range ra = call->u.call.args[0].value->range;
  for (size_t i = 1; i < n && acc.k != TV_ERR; i++) {
    tval b = ev(c, &call->u.call.args[i]);
    ptk_range rb = call->u.call.args[i].value->range;
    acc = minmax2(c, is_max, acc, b, call->range, ra, rb);
    ra = call->range;
  }
  return acc;
}

/* ======================================================================
 * Scalars, sync, debug, misc
 * ====================================================================== */

static tval bi_nullary_idx(tctx *c, int id, const ptk_ast_expr *call) {
  if (call->u.call.nargs) {
    tr_error(c, call->u.call.args[0].range, "%s() takes no arguments", special_names[id]);
    return tv_err();
  }
  ptk_op_kind k = id == B_BLOCK_IDX      ? PTK_OP_GET_BLOCK_IDX
                  : id == B_BLOCK_NUM    ? PTK_OP_GET_BLOCK_NUM
                  : id == B_SUBBLOCK_IDX ? PTK_OP_GET_SUBBLOCK_IDX
                                         : PTK_OP_GET_SUBBLOCK_NUM;
  return tv_ir(tr_intrinsic(c, k, call->range));
}

static tval bi_cast(tctx *c, const ptk_ast_expr *call) {
  static const bparam ps[] = {{"x", true}, {"dtype", true}, {"rmode", false}};
  const ptk_ast_arg *a[3];
  if (!bind_args(c, call, "cast", ps, 3, a)) return tv_err();
  tval x = ev(c, a[0]);
  tval t = ev(c, a[1]);
  if (x.k == TV_ERR || t.k == TV_ERR) return tv_err();
  if (t.k != TV_DTYPE) {
    wrong_kind(c, a[1], "the second argument of cast()", "a dtype (i32, index, f32, …)", t);
    return tv_err();
  }
  if (tr_is_tile(x)) { /* a new tile of the same shape, converted with tcvt */
    ptk_tile_desc d = x.v->type->tile;
    d.elem = tr_scalar(t.dt);
    ptk_value *vr, *vc;
    if (!valid_of(c, x.v, &vr, &vc, call->range)) return tv_err();
    ptk_value *dst = build_alloc(c, ptk_type_tile_buf(c->m, &d), NULL, vr, vc, call->range);
    if (!dst) return tv_err();
    ptk_op *op = tr_build_dps(c, PTK_OP_TCVT, &x.v, 1, &dst, 1, call->range);
    if (!op) return tv_err();
    if (a[2]) {
      const char *rm = ev_enum(c, a[2], "rmode", "round_mode");
      if (!rm) return tv_err();
      ptk_op_set_attr(op, "rmode", ptk_attr_pto_enum(c->m, "round_mode", rm));
    }
    return tv_ir(dst);
  }
  if (a[2]) {
    tr_error(c, a[2]->name_range, "rmode applies to tile conversions only");
    return tv_err();
  }
  return tr_cast(c, x, t.dt, call->range);
}

static tval bi_ceil_div(tctx *c, const ptk_ast_expr *call) {
  static const bparam ps[] = {{"a", true}, {"b", true}};
  const ptk_ast_arg *a[2];
  if (!bind_args(c, call, "ceil_div", ps, 2, a)) return tv_err();
  tval x = ev(c, a[0]), y = ev(c, a[1]);
  if (x.k == TV_ERR || y.k == TV_ERR) return tv_err();
  if (x.k == TV_INT && y.k == TV_INT) {
    if (y.i == 0) {
      tr_error(c, a[1]->value->range, "division by zero in ceil_div()");
      return tv_err();
    }
    if (x.i == INT64_MIN) {
      tr_error(c, call->range, "integer overflow in ceil_div()");
      return tv_err();
    }
    int64_t q = x.i / y.i;
    if ((x.i % y.i != 0) && ((x.i < 0) == (y.i < 0))) q++;
    return tv_int(q);
  }
  if (!(x.k == TV_INT || (tr_is_scalar_ir(x) && ptk_dtype_is_int(x.v->type->dt))) ||
      !(y.k == TV_INT || (tr_is_scalar_ir(y) && ptk_dtype_is_int(y.v->type->dt)))) {
    tr_error(c, call->range, "ceil_div() needs integers, not %s and %s", tv_kind_name(x), tv_kind_name(y));
    return tv_err();
  }
  tval q = tr_binop(c, PTK_BINOP_DIV, x, y, call->range, a[0]->value->range, a[1]->value->range);
  if (q.k != TV_IR) return tv_err();
  q.v->def->kind = PTK_OP_ARITH_CEILDIVSI; /* same operands and types as divsi */
  return q;
}

static tval bi_flag(tctx *c, bool set, const ptk_ast_expr *call) {
  static const bparam ps[] = {{"src", true}, {"dst", true}, {"id", true}};
  const ptk_ast_arg *a[3];
  const char *fname = set ? "set_flag" : "wait_flag";
  if (!bind_args(c, call, fname, ps, 3, a)) return tv_err();
  const char *s = ev_enum(c, a[0], "the source pipe", "pipe");
  const char *d = s ? ev_enum(c, a[1], "the destination pipe", "pipe") : NULL;
  const char *e = d ? ev_enum(c, a[2], "the event id", "event") : NULL;
  if (!e) return tv_err();
  ptk_op *op = tr_build(c, set ? PTK_OP_SET_FLAG : PTK_OP_WAIT_FLAG, NULL, 0, NULL, 0, call->range);
  if (!op) return tv_err();
  ptk_op_set_attr(op, "src_pipe", ptk_attr_pto_enum(c->m, "pipe", s));
  ptk_op_set_attr(op, "dst_pipe", ptk_attr_pto_enum(c->m, "pipe", d));
  ptk_op_set_attr(op, "event_id", ptk_attr_pto_enum(c->m, "event", e));
  return tv_none();
}

static tval bi_barrier(tctx *c, const ptk_ast_expr *call) {
  static const bparam ps[] = {{"pipe", true}};
  const ptk_ast_arg *a[1];
  if (!bind_args(c, call, "barrier", ps, 1, a)) return tv_err();
  const char *p = ev_enum(c, a[0], "the pipe", "pipe");
  if (!p) return tv_err();
  ptk_op *op = tr_build(c, PTK_OP_BARRIER, NULL, 0, NULL, 0, call->range);
  if (!op) return tv_err();
  ptk_op_set_attr(op, "pipe", ptk_attr_pto_enum(c->m, "pipe", p));
  return tv_none();
}

static tval bi_print(tctx *c, const ptk_ast_expr *call) {
  size_t n = call->u.call.nargs;
  if (!n || call->u.call.args[0].name) {
    tr_error(c, call->range, "print() needs a format string first: print(\"x = %%d\", x)");
    return tv_err();
  }
  tval f = ev(c, &call->u.call.args[0]);
  if (f.k == TV_ERR) return f;
  if (f.k != TV_STR) {
    wrong_kind(c, &call->u.call.args[0], "the format of print()", "a string", f);
    return tv_err();
  }
  ptk_value **ops = ptk_arena_alloc(c->tmp, n * sizeof *ops);
  for (size_t i = 1; i < n; i++) {
    const ptk_ast_arg *a = &call->u.call.args[i];
    if (a->name) {
      tr_error(c, a->name_range, "print() takes no keyword arguments");
      return tv_err();
    }
    tval v = ev(c, a);
    if (v.k == TV_ERR) return v;
    if (tr_is_tile(v)) {
      tr_error(c, a->value->range, "print() prints scalars; print a tile with tprint(t)");
      return tv_err();
    }
    if (v.k == TV_IR && v.v->type->kind != PTK_TY_SCALAR) {
      wrong_kind(c, a, "a print() argument", "a scalar", v);
      return tv_err();
    }
    ops[i - 1] = tr_materialize(c, v, a->value->range, "a print() argument");
    if (!ops[i - 1]) return tv_err();
  }
  ptk_op *op = tr_build(c, PTK_OP_PRINT, ops, (uint32_t)(n - 1), NULL, 0, call->range);
  if (!op) return tv_err();
  /* Like Python's print, a line: a newline ends the text unless the format already ends with one. */
  if (f.str.n && f.str.s[f.str.n - 1] == '\n') {
    ptk_op_set_attr(op, "format", ptk_attr_string(c->m, f.str.s, f.str.n));
  } else {
    char *line = ptk_arena_alloc(c->tmp, f.str.n + 2);
    memcpy(line, f.str.s, f.str.n);
    line[f.str.n] = '\n';
    ptk_op_set_attr(op, "format", ptk_attr_string(c->m, line, f.str.n + 1));
  }
  return tv_none();
}

static tval bi_range(tctx *c, const ptk_ast_expr *call) {
  static const bparam ps[] = {{"a", true}, {"b", false}, {"step", false}};
  const ptk_ast_arg *a[3];
  if (!bind_args(c, call, "range", ps, 3, a)) return tv_err();
  int64_t v[3] = {0, 0, 1};
  for (int i = 0; i < 3; i++)
    if (a[i] && !ev_int(c, a[i], "a range() bound", &v[i])) return tv_err();
  int64_t lo = a[1] ? v[0] : 0, hi = a[1] ? v[1] : v[0], st = v[2];
  if (st == 0) {
    tr_error(c, a[2]->value->range, "the step of range() must not be zero");
    return tv_err();
  }
  int64_t cnt = 0;
  if (st > 0 && hi > lo) cnt = (int64_t)(((__int128)hi - lo + st - 1) / st);
  if (st < 0 && lo > hi) cnt = (int64_t)(((__int128)lo - hi - st - 1) / -st);
  if (cnt > TRACE_MAX_UNROLL) {
    tr_error(c, call->range, "range() has %" PRId64 " elements; compile-time ranges are limited to %d (use a runtime 'for' loop)",
             cnt, TRACE_MAX_UNROLL);
    return tv_err();
  }
  tlist *l = ptk_arena_alloc(c->tmp, sizeof *l + (size_t)cnt * sizeof(tval));
  l->n = (size_t)cnt;
  for (int64_t i = 0; i < cnt; i++) l->items[i] = tv_int(lo + i * st);
  return (tval){.k = TV_LIST, .list = l};
}

static tval bi_len(tctx *c, const ptk_ast_expr *call) {
  static const bparam ps[] = {{"x", true}};
  const ptk_ast_arg *a[1];
  if (!bind_args(c, call, "len", ps, 1, a)) return tv_err();
  tval v = ev(c, a[0]);
  if (v.k == TV_ERR) return v;
  if (v.k == TV_LIST) return tv_int((int64_t)v.list->n);
  if (v.k == TV_STR) return tv_int((int64_t)v.str.n);
  wrong_kind(c, a[0], "the argument of len()", "a list or a string", v);
  return tv_err();
}

static tval bi_scalar_mem(tctx *c, int id, const ptk_ast_expr *call) {
  if (id == B_LOAD_SCALAR || id == B_ADDPTR) {
    static const bparam ps[] = {{"ptr", true}, {"offset", true}};
    const ptk_ast_arg *a[2];
    const char *fname = special_names[id];
    if (!bind_args(c, call, fname, ps, 2, a)) return tv_err();
    ptk_value *p = ev_kind(c, a[0], ptk_arena_printf(c->tmp, "the first argument of %s()", fname), PTK_TY_PTR,
                           "a pointer");
    if (!p) return tv_err();
    ptk_value *i = tr_index(c, ev(c, a[1]), a[1]->value->range, "the offset");
    if (!i) return tv_err();
    ptk_value *ops[2] = {p, i};
    const ptk_type *rt = id == B_ADDPTR ? p->type : p->type->elem;
    ptk_op *op = tr_build(c, id == B_ADDPTR ? PTK_OP_ADDPTR : PTK_OP_LOAD_SCALAR, ops, 2, &rt, 1, call->range);
    return op ? tv_ir(ptk_op_result(op, 0)) : tv_err();
  }
  static const bparam ps[] = {{"value", true}, {"ptr", true}, {"offset", true}};
  const ptk_ast_arg *a[3];
  if (!bind_args(c, call, "store_scalar", ps, 3, a)) return tv_err();
  tval v = ev(c, a[0]);
  ptk_value *p = ev_kind(c, a[1], "the second argument of store_scalar()", PTK_TY_PTR, "a pointer");
  if (v.k == TV_ERR || !p) return tv_err();
  ptk_value *i = tr_index(c, ev(c, a[2]), a[2]->value->range, "the offset");
  ptk_value *x = i ? tr_coerce(c, v, p->type->elem, a[0]->value->range, "the stored value") : NULL;
  if (!x) return tv_err();
  ptk_value *ops[3] = {p, i, x}; /* the IR order: ptr, offset, value */
  return tr_build(c, PTK_OP_STORE_SCALAR, ops, 3, NULL, 0, call->range) ? tv_none() : tv_err();
}

tval tr_call_builtin(tctx *c, int id, const ptk_ast_expr *call) {
  if (id >= B_NSPECIAL) {
    int j = id - B_NSPECIAL;
    return call_dps(c, dps.kind[j], dps.name[j], call);
  }
  switch (id) {
  case B_RANGE: return bi_range(c, call);
  case B_LEN: return bi_len(c, call);
  case B_MAKE_TENSOR_VIEW: return bi_make_tensor_view(c, call);
  case B_PARTITION_VIEW: return bi_partition_view(c, call);
  case B_ALLOC_TILE: return bi_alloc_tile(c, call);
  case B_SET_VALIDSHAPE: return bi_set_validshape(c, call);
  case B_SUBVIEW: return bi_subview(c, call);
  case B_TRESHAPE: return bi_treshape(c, call);
  case B_LOAD: return call_dps(c, PTK_OP_TLOAD, "load", call);
  case B_STORE: return call_dps(c, PTK_OP_TSTORE, "store", call);
  case B_EXP:
  case B_LOG:
  case B_SQRT:
  case B_RSQRT:
  case B_RECIP:
  case B_ABS:
  case B_RELU: return bi_unary(c, id, call);
  case B_MAX: return bi_minmax(c, true, call);
  case B_MIN: return bi_minmax(c, false, call);
  case B_ROWSUM:
  case B_ROWMAX:
  case B_ROWMIN:
  case B_COLSUM:
  case B_COLMAX:
  case B_COLMIN: return bi_reduce(c, id, call);
  case B_MATMUL: return bi_matmul(c, call);
  case B_BLOCK_IDX:
  case B_BLOCK_NUM:
  case B_SUBBLOCK_IDX:
  case B_SUBBLOCK_NUM: return bi_nullary_idx(c, id, call);
  case B_CAST: return bi_cast(c, call);
  case B_CEIL_DIV: return bi_ceil_div(c, call);
  case B_SET_FLAG: return bi_flag(c, true, call);
  case B_WAIT_FLAG: return bi_flag(c, false, call);
  case B_BARRIER: return bi_barrier(c, call);
  case B_PRINT: return bi_print(c, call);
  case B_LOAD_SCALAR:
  case B_STORE_SCALAR:
  case B_ADDPTR: return bi_scalar_mem(c, id, call);
  }
  return tv_err();
}

/* ======================================================================
 * Members: module.name, tile.rows / .cols / .dtype / .valid_row / .valid_col
 * ====================================================================== */

tval tr_member(tctx *c, const ptk_ast_expr *e) {
  tval b = tr_eval(c, e->u.member.base);
  const char *n = e->u.member.name;
  ptk_range nr = e->u.member.name_range;
  if (b.k == TV_ERR) return b;
  if (b.k == TV_MODULE) {
    gent *g = tr_unit_global(b.mod, n, tr_hash(n));
    if (!g || g->kind == G_ALIAS || g->kind == G_KERNEL || g->kind == G_PROGRAM) {
      const char *mn = e->u.member.base->kind == PTK_EXPR_NAME ? e->u.member.base->u.name.name : "this module";
      const char *file = strrchr(b.mod->src->path, '/');
      file = file ? file + 1 : b.mod->src->path;
      tr_error(c, nr, "'%s' (%s) has no fn or const named '%s'", mn, file, n);
      const char *best = NULL;
      size_t bl = 0;
      for (size_t i = 0; i < b.mod->nglobals; i++) {
        const char *cand = b.mod->globals[i].name;
        size_t k = 0;
        while (cand[k] && cand[k] == n[k]) k++;
        if (k > bl && k >= 3) bl = k, best = cand;
      }
      if (best) tr_note(c, nr, "did you mean '%s'?", best);
      return tv_err();
    }
    return tr_global_value(c, b.mod, g, nr);
  }
  if (b.k == TV_IR) {
    const ptk_type *t = b.v->type;
    ptk_dtype dt;
    if (!strcmp(n, "dtype") && ptk_type_elem_dtype(t, &dt)) return tv_dtype(dt);
    if (t->kind == PTK_TY_TILE_BUF) {
      const ptk_tile_desc *d = &t->tile;
      if (!strcmp(n, "rows")) return tv_int(d->rows);
      if (!strcmp(n, "cols")) return tv_int(d->cols);
      if (!strcmp(n, "loc")) {
        const char *s = loc_names[d->loc];
        return (tval){.k = TV_STR, .str = {s, strlen(s)}};
      }
      if (!strcmp(n, "valid_row") || !strcmp(n, "valid_col")) {
        bool row = n[6] == 'r';
        int64_t k = row ? d->v_row : d->v_col;
        if (k != PTK_DYN) return tv_int(k);
        ptk_value *vr, *vc;
        if (!valid_of(c, b.v, &vr, &vc, e->range)) return tv_err();
        return tv_ir(row ? vr : vc);
      }
    }
    if ((t->kind == PTK_TY_TENSOR_VIEW || t->kind == PTK_TY_PART_VIEW) && !strcmp(n, "rank"))
      return tv_int(t->rank);
  }
  tr_error(c, nr, "%s %s has no member '%s'", a_an(tv_kind_name(b)), tv_kind_name(b), n);
  if (tr_is_tile(b)) tr_note(c, nr, "tiles have: rows, cols, dtype, loc, valid_row, valid_col");
  return tv_err();
}
