/* Statements and control flow: let/var, assignment, if → scf.if, for →
 * scf.for, while → scf.while, static if/for (traced away), fn inlining,
 * declared types. */
#include <inttypes.h>
#include <string.h>

#include "trace/trace_int.h"

static const char *a_an(const char *s) { return strchr("aeiou", s[0]) ? "an" : "a"; }

/* ---- types ------------------------------------------------------------------- */

bool tr_dtype_by_name(const char *name, ptk_dtype *out) {
  if (!strcmp(name, "bool")) {
    *out = PTK_DT_I1;
    return true;
  }
  for (int i = 0; i < PTK_DT__COUNT; i++) {
    const char *n = ptk_dtype_name((ptk_dtype)i);
    if (!strncmp(n, "!pto.", 5)) n += 5;
    if (!strcmp(n, name)) {
      *out = (ptk_dtype)i;
      return true;
    }
  }
  return false;
}

static bool ir_kind_is(tval v, ptk_type_kind k) { return v.k == TV_IR && v.v->type->kind == k; }

tval tr_check_type(tctx *c, const ptk_ast_type *t, tval v, ptk_range at, const char *what) {
  if (v.k == TV_ERR) return v;
  const char *n = t->name;
  const char *got = tv_kind_name(v);
  if (v.k == TV_NONE) {
    tr_error(c, at, "%s has no value (the call returns nothing)", what);
    return tv_err();
  }
#define WANT(cond, desc)                                                                           \
  do {                                                                                             \
    if (cond) return v;                                                                            \
    tr_error(c, at, "%s must be %s, but is %s %s", what, desc, a_an(got), got);                   \
    return tv_err();                                                                               \
  } while (0)
  if (!strcmp(n, "int")) WANT(v.k == TV_INT, "a compile-time int");
  if (!strcmp(n, "float")) {
    if (v.k == TV_INT) return tv_float((double)v.i);
    WANT(v.k == TV_FLOAT, "a compile-time float");
  }
  if (!strcmp(n, "str")) WANT(v.k == TV_STR, "a str");
  if (!strcmp(n, "dtype")) WANT(v.k == TV_DTYPE, "a dtype");
  if (!strcmp(n, "list")) WANT(v.k == TV_LIST, "a list");
  if (!strcmp(n, "tile")) WANT(ir_kind_is(v, PTK_TY_TILE_BUF), "a tile");
  if (!strcmp(n, "tensor_view")) WANT(ir_kind_is(v, PTK_TY_TENSOR_VIEW), "a tensor view");
  if (!strcmp(n, "partition") || !strcmp(n, "partition_view"))
    WANT(ir_kind_is(v, PTK_TY_PART_VIEW), "a partition");
  if (!strcmp(n, "bool")) WANT(v.k == TV_BOOL || (v.k == TV_IR && ptk_type_is_scalar(v.v->type, PTK_DT_I1)),
                               "a bool");
  if (!strcmp(n, "ptr")) {
    if (!ir_kind_is(v, PTK_TY_PTR)) WANT(false, "a pointer");
    ptk_dtype dt;
    if (t->nargs >= 1 && tr_dtype_by_name(t->args[0]->name, &dt) && v.v->type->elem &&
        v.v->type->elem->kind == PTK_TY_SCALAR && v.v->type->elem->dt != dt) {
      tr_error(c, at, "%s must be a ptr<%s>, but is %s", what, t->args[0]->name,
               tr_type_str(c, v.v->type));
      return tv_err();
    }
    return v;
  }
  ptk_dtype dt;
  if (tr_dtype_by_name(n, &dt)) return tv_ir(tr_coerce(c, v, tr_scalar(dt), at, what));
#undef WANT
  tr_error(c, t->range, "unknown type '%s'", n);
  return tv_err();
}

/* ---- blocks ------------------------------------------------------------------- */

static void exec_stmt(tctx *c, const ptk_ast_stmt *s);

void tr_exec_block(tctx *c, const ptk_ast_block *b) {
  size_t mark = c->binds.len;
  c->scope++;
  for (size_t i = 0; i < b->nstmts && !c->abort && !c->returning; i++) {
    exec_stmt(c, b->stmts[i]);
    /* Code right after a `return` in the same block can never run. (A
     * return reached inside a taken `static if` just ends the function.) */
    if (c->returning && b->stmts[i]->kind == PTK_STMT_RETURN && i + 1 < b->nstmts)
      ptk_warning(c->d, b->stmts[i + 1]->range, "this code is never traced: it follows a 'return'");
  }
  c->scope--;
  tr_binds_truncate(c, mark);
}

/* ---- assigned-variable scan ------------------------------------------------------
 * The `var`s a region of code may assign that are declared outside it: they
 * become scf.if results, scf.for iter_args and scf.while operands. The scan
 * is syntactic and scope-aware (a name declared inside the region first is
 * local to it). */
/* A stack of names with hash buckets (newest first per bucket), so that a
 * body with many declarations scans in linear time. */
typedef struct {
  const char *name;
  uint32_t hash;
  int32_t prev;
} nament;
typedef struct {
  PTK_VEC(nament) e;
  int32_t *heads;
  uint32_t mask;
  size_t len; /* == e.len */
} namevec;

static bool has_name(const namevec *v, const char *n) {
  if (!v->heads) return false;
  uint32_t h = tr_hash(n);
  for (int32_t i = v->heads[h & v->mask]; i >= 0; i = v->e.data[i].prev)
    if (v->e.data[i].hash == h && !strcmp(v->e.data[i].name, n)) return true;
  return false;
}

static void names_push(namevec *v, const char *n) {
  if (!v->heads || v->e.len + 1 > (size_t)v->mask + 1) {
    uint32_t nb = v->heads ? 2 * (v->mask + 1) : 32;
    free(v->heads);
    v->heads = ptk_xmalloc(nb * sizeof *v->heads);
    for (uint32_t i = 0; i < nb; i++) v->heads[i] = -1;
    v->mask = nb - 1;
    for (size_t i = 0; i < v->e.len; i++) {
      v->e.data[i].prev = v->heads[v->e.data[i].hash & v->mask];
      v->heads[v->e.data[i].hash & v->mask] = (int32_t)i;
    }
  }
  nament x = {n, tr_hash(n), -1};
  x.prev = v->heads[x.hash & v->mask];
  v->heads[x.hash & v->mask] = (int32_t)v->e.len;
  ptk_vec_push(&v->e, x);
  v->len = v->e.len;
}

static void names_truncate(namevec *v, size_t mark) {
  while (v->e.len > mark) {
    nament *x = &v->e.data[--v->e.len];
    v->heads[x->hash & v->mask] = x->prev;
  }
  v->len = v->e.len;
}

static void names_free(namevec *v) {
  ptk_vec_free(&v->e);
  free(v->heads);
}

static void scan_block(const ptk_ast_block *b, namevec *locals, namevec *out);

static void scan_stmt(const ptk_ast_stmt *s, namevec *locals, namevec *out) {
  switch (s->kind) {
  case PTK_STMT_LET:
  case PTK_STMT_VAR: names_push(locals, s->u.decl.name); break;
  case PTK_STMT_ASSIGN:
    if (!has_name(locals, s->u.assign.name) && !has_name(out, s->u.assign.name))
      names_push(out, s->u.assign.name);
    break;
  case PTK_STMT_IF:
    for (size_t i = 0; i < s->u.if_.narms; i++) scan_block(s->u.if_.arms[i].body, locals, out);
    if (s->u.if_.else_body) scan_block(s->u.if_.else_body, locals, out);
    break;
  case PTK_STMT_FOR: {
    size_t mark = locals->len;
    names_push(locals, s->u.for_.var);
    scan_block(s->u.for_.body, locals, out);
    names_truncate(locals, mark);
    break;
  }
  case PTK_STMT_STATIC_FOR: {
    size_t mark = locals->len;
    names_push(locals, s->u.static_for.var);
    scan_block(s->u.static_for.body, locals, out);
    names_truncate(locals, mark);
    break;
  }
  case PTK_STMT_WHILE: scan_block(s->u.while_.body, locals, out); break;
  case PTK_STMT_BLOCK: scan_block(s->u.block, locals, out); break;
  default: break;
  }
}

static void scan_block(const ptk_ast_block *b, namevec *locals, namevec *out) {
  if (!b) return;
  size_t mark = locals->len;
  for (size_t i = 0; i < b->nstmts; i++) scan_stmt(b->stmts[i], locals, out);
  names_truncate(locals, mark);
}

/* Indices (into c->binds) of the outer `var`s the blocks assign. */
typedef PTK_VEC(size_t) idxvec;

static void carried_vars(tctx *c, const ptk_ast_block *const *blocks, size_t n, idxvec *out) {
  namevec locals = {0}, names = {0};
  for (size_t i = 0; i < n; i++) scan_block(blocks[i], &locals, &names);
  for (size_t i = 0; i < names.e.len; i++) {
    binding *b = tr_lookup_local(c, names.e.data[i].name, names.e.data[i].hash);
    if (b && b->kind == B_VAR) ptk_vec_push(out, (size_t)(b - c->binds.data));
  }
  names_free(&locals);
  names_free(&names);
}

static bool same_tval(tval a, tval b) {
  if (a.k != b.k) return false;
  switch (a.k) {
  case TV_ERR:
  case TV_NONE: return true;
  case TV_INT: return a.i == b.i;
  case TV_FLOAT: return a.f == b.f || (a.f != a.f && b.f != b.f);
  case TV_BOOL: return a.b == b.b;
  case TV_STR: return a.str.n == b.str.n && !memcmp(a.str.s, b.str.s, a.str.n);
  case TV_DTYPE: return a.dt == b.dt;
  case TV_LIST: return a.list == b.list;
  case TV_FN: return a.fn.item == b.fn.item;
  case TV_BUILTIN: return a.bi == b.bi;
  case TV_MODULE: return a.mod == b.mod;
  case TV_IR: return a.v == b.v;
  }
  return false;
}

static bool materializable(tval v) {
  return v.k == TV_INT || v.k == TV_FLOAT || v.k == TV_BOOL || v.k == TV_IR;
}

/* A carried variable's value as an IR value of the loop-carried type. */
static ptk_value *carry_value(tctx *c, binding *b, tval v, const ptk_type *t, ptk_range at,
                              const char *where) {
  if (v.k == TV_ERR) return NULL;
  if (!materializable(v)) {
    tr_error(c, at, "variable '%s' holds %s %s, which cannot change inside a runtime %s (only numbers, bools and IR values can)",
             b->name, a_an(tv_kind_name(v)), tv_kind_name(v), where);
    tr_note(c, b->decl, "'%s' is declared here", b->name);
    return NULL;
  }
  if (v.k == TV_IR && !ptk_type_equal(v.v->type, t) &&
      !(t->kind == PTK_TY_SCALAR && v.v->type->kind == PTK_TY_SCALAR &&
        ((t->dt == PTK_DT_INDEX && v.v->type->dt == PTK_DT_I32) ||
         (t->dt == PTK_DT_I32 && v.v->type->dt == PTK_DT_INDEX)))) {
    const char *ts = tr_type_str(c, t), *vs = tr_type_str(c, v.v->type);
    tr_error(c, at, "variable '%s' has type %s before the runtime %s but %s at the end of its body; give it one type (e.g. 'var %s: T = …;')",
             b->name, ts, where, vs, b->name);
    tr_note(c, b->decl, "'%s' is declared here", b->name);
    return NULL;
  }
  char what[160];
  snprintf(what, sizeof what, "variable '%s'", b->name);
  return tr_coerce(c, v, t, at, what);
}

/* ---- if ------------------------------------------------------------------------- */

static void exec_if_from(tctx *c, const ptk_ast_stmt *s, size_t arm);

/* Moves the blocks of region `from` into `to`. */
static void move_region(ptk_region *from, ptk_region *to) {
  to->first = from->first;
  to->last = from->last;
  for (ptk_block *b = to->first; b; b = b->next) b->region = to;
  from->first = from->last = NULL;
}

static void runtime_if(tctx *c, const ptk_ast_stmt *s, size_t arm, ptk_value *cond) {
  const ptk_ast_if_arm *a = &s->u.if_.arms[arm];
  ptk_range at = a->range;
  bool has_else = arm + 1 < s->u.if_.narms || s->u.if_.else_body;
  /* Outer vars any remaining branch assigns. */
  const ptk_ast_block *blocks[64];
  size_t nb = 0;
  const ptk_ast_block **bl = blocks;
  size_t total = s->u.if_.narms - arm + 1;
  if (total > 64) bl = ptk_arena_alloc(c->tmp, total * sizeof *bl);
  for (size_t i = arm; i < s->u.if_.narms; i++) bl[nb++] = s->u.if_.arms[i].body;
  if (s->u.if_.else_body) bl[nb++] = s->u.if_.else_body;
  idxvec vars = {0};
  carried_vars(c, bl, nb, &vars);
  size_t nv = vars.len;
  tval *before = ptk_arena_alloc(c->tmp, (nv ? nv : 1) * sizeof(tval) * 3);
  tval *vthen = before + nv, *velse = before + 2 * nv;
  for (size_t i = 0; i < nv; i++) before[i] = c->binds.data[vars.data[i]].v;

  ptk_block *outer = c->blk;
  if (!tr_nest_ok(c, at, "this runtime 'if'") || !tr_emit_ok(c, at)) {
    ptk_vec_free(&vars);
    return;
  }
  /* Branches are traced into a provisional scf.if (placed, so that the IR
   * above stays reachable from inside); the real one, with results, takes
   * its place afterwards. */
  ptk_op *tmp = ptk_op_new(c->m, PTK_OP_SCF_IF, &cond, 1, NULL, 0, 2, tr_loc(at));
  ptk_block_append(outer, tmp);
  ptk_block *tb = ptk_region_add_block(c->m, &tmp->regions[0]);
  ptk_block *eb = has_else ? ptk_region_add_block(c->m, &tmp->regions[1]) : NULL;
  c->scf_depth++;
  c->blk = tb;
  tr_exec_block(c, a->body);
  for (size_t i = 0; i < nv; i++) {
    vthen[i] = c->binds.data[vars.data[i]].v;
    c->binds.data[vars.data[i]].v = before[i];
  }
  if (has_else) {
    c->blk = eb;
    exec_if_from(c, s, arm + 1);
    for (size_t i = 0; i < nv; i++) {
      velse[i] = c->binds.data[vars.data[i]].v;
      c->binds.data[vars.data[i]].v = before[i];
    }
  } else {
    for (size_t i = 0; i < nv; i++) velse[i] = before[i];
  }
  c->scf_depth--;
  c->blk = outer;

  /* Results: the vars whose value differs between the branches. */
  const ptk_type **rt = ptk_arena_alloc(c->tmp, (nv ? nv : 1) * sizeof *rt);
  size_t *ri = ptk_arena_alloc(c->tmp, (nv ? nv : 1) * sizeof *ri);
  size_t nr = 0;
  bool bad = false;
  for (size_t i = 0; i < nv; i++) {
    binding *b = &c->binds.data[vars.data[i]];
    tval x = vthen[i], y = velse[i];
    if (x.k == TV_ERR || y.k == TV_ERR) {
      bad = true;
      continue;
    }
    if (same_tval(x, y)) { /* equal on both paths: no result needed */
      b->v = x;
      continue;
    }
    const ptk_type *t = NULL;
    if (x.k == TV_IR && y.k == TV_IR) {
      if (ptk_type_equal(x.v->type, y.v->type))
        t = x.v->type;
      else if (x.v->type->kind == PTK_TY_SCALAR && y.v->type->kind == PTK_TY_SCALAR &&
               ((x.v->type->dt == PTK_DT_I32 && y.v->type->dt == PTK_DT_INDEX) ||
                (x.v->type->dt == PTK_DT_INDEX && y.v->type->dt == PTK_DT_I32)))
        t = tr_scalar(PTK_DT_INDEX);
      else {
        tr_error(c, at, "variable '%s' has type %s after the 'if' branch but %s after the %s; both branches must leave it with one type",
                 b->name, tr_type_str(c, x.v->type), tr_type_str(c, y.v->type),
                 has_else ? "'else' branch" : "'if' (where it keeps its earlier value)");
        tr_note(c, b->decl, "'%s' is declared here", b->name);
        bad = true;
        continue;
      }
    } else if (x.k == TV_IR || y.k == TV_IR) {
      t = (x.k == TV_IR ? x : y).v->type;
    } else {
      t = tr_default_type(x);
      const ptk_type *t2 = tr_default_type(y);
      if (!t || !t2 || (t != t2 && !(x.k == TV_INT && y.k == TV_FLOAT) &&
                        !(x.k == TV_FLOAT && y.k == TV_INT))) {
        tval nm = !t ? x : y;
        if (!materializable(nm)) {
          tr_error(c, at, "variable '%s' gets different compile-time values (%s) in the branches of a runtime 'if'; it cannot depend on a runtime condition",
                   b->name, tv_kind_name(nm));
        } else {
          tr_error(c, at, "variable '%s' is %s %s in one branch of the runtime 'if' and %s %s in the other",
                   b->name, a_an(tv_kind_name(x)), tv_kind_name(x), a_an(tv_kind_name(y)), tv_kind_name(y));
        }
        tr_note(c, b->decl, "'%s' is declared here", b->name);
        bad = true;
        continue;
      }
      if (x.k == TV_FLOAT || y.k == TV_FLOAT) t = tr_scalar(PTK_DT_F32);
    }
    rt[nr] = t;
    ri[nr] = i;
    nr++;
  }
  if (bad) {
    ptk_vec_free(&vars);
    return;
  }
  ptk_value **yt = ptk_arena_alloc(c->tmp, (nr ? nr : 1) * sizeof *yt * 2);
  ptk_value **ye = yt + nr;
  if (nr) {
    if (!eb) eb = ptk_region_add_block(c->m, &tmp->regions[1]);
    for (size_t k = 0; k < nr; k++) {
      binding *b = &c->binds.data[vars.data[ri[k]]];
      c->blk = tb;
      yt[k] = carry_value(c, b, vthen[ri[k]], rt[k], at, "if");
      c->blk = eb;
      ye[k] = carry_value(c, b, velse[ri[k]], rt[k], at, "if");
      if (!yt[k] || !ye[k]) bad = true;
    }
    c->blk = outer;
    if (bad) {
      ptk_vec_free(&vars);
      return;
    }
    ptk_build(c->m, tb, PTK_OP_SCF_YIELD, yt, (uint32_t)nr, NULL, 0, tr_loc(at));
    ptk_build(c->m, eb, PTK_OP_SCF_YIELD, ye, (uint32_t)nr, NULL, 0, tr_loc(at));
  }
  ptk_op *op = ptk_op_new(c->m, PTK_OP_SCF_IF, &cond, 1, rt, (uint32_t)nr, 2, tr_loc(at));
  move_region(&tmp->regions[0], &op->regions[0]);
  move_region(&tmp->regions[1], &op->regions[1]);
  ptk_op_insert_before(tmp, op);
  ptk_op_unlink(tmp);
  for (size_t k = 0; k < nr; k++) c->binds.data[vars.data[ri[k]]].v = tv_ir(ptk_op_result(op, (uint32_t)k));
  ptk_vec_free(&vars);
}

static void exec_if_from(tctx *c, const ptk_ast_stmt *s, size_t arm) {
  for (size_t i = arm; i < s->u.if_.narms; i++) {
    const ptk_ast_if_arm *a = &s->u.if_.arms[i];
    tval cnd = tr_eval(c, a->cond);
    if (cnd.k == TV_ERR) return;
    if (cnd.k == TV_BOOL) {
      if (cnd.b) {
        tr_exec_block(c, a->body);
        return;
      }
      continue;
    }
    if (a->is_static) {
      tr_error(c, a->cond->range, "'static if' needs a compile-time condition, but this one depends on runtime values (it is %s %s); use a plain 'if' for a runtime branch",
               a_an(tv_kind_name(cnd)), tv_kind_name(cnd));
      return;
    }
    if (cnd.k == TV_IR && ptk_type_is_scalar(cnd.v->type, PTK_DT_I1)) {
      runtime_if(c, s, i, cnd.v);
      return;
    }
    tr_error(c, a->cond->range, "the condition of 'if' must be a bool, but this is %s %s",
             a_an(tv_kind_name(cnd)), tv_kind_name(cnd));
    return;
  }
  if (s->u.if_.else_body) tr_exec_block(c, s->u.if_.else_body);
}

/* ---- loops ------------------------------------------------------------------------ */

/* Initial values of carried vars as IR values (materialized at their own or default type). */
static bool carry_inits(tctx *c, const idxvec *vars, ptk_range at, const char *where,
                        ptk_value **init) {
  bool ok = true;
  for (size_t i = 0; i < vars->len; i++) {
    binding *b = &c->binds.data[vars->data[i]];
    tval v = b->v;
    if (v.k == TV_ERR) {
      ok = false;
      continue;
    }
    const ptk_type *t = b->ir_type ? b->ir_type : tr_default_type(v);
    if (!t) {
      tr_error(c, at, "variable '%s' holds %s %s and is assigned inside a runtime %s; only numbers, bools and IR values can change there",
               b->name, a_an(tv_kind_name(v)), tv_kind_name(v), where);
      tr_note(c, b->decl, "'%s' is declared here", b->name);
      ok = false;
      continue;
    }
    char what[160];
    snprintf(what, sizeof what, "variable '%s'", b->name);
    init[i] = tr_coerce(c, v, t, at, what);
    if (!init[i]) ok = false;
  }
  return ok;
}

static void exec_for(tctx *c, const ptk_ast_stmt *s) {
  ptk_range at = s->range;
  ptk_value *b3[3] = {0};
  size_t n = s->u.for_.nrange_args;
  tval av[3];
  for (size_t i = 0; i < n && i < 3; i++) {
    av[i] = tr_eval(c, s->u.for_.range_args[i]);
    if (av[i].k == TV_ERR) return;
  }
  if (n < 1 || n > 3) {
    tr_error(c, at, "range() takes 1 to 3 arguments (range(hi), range(lo, hi), range(lo, hi, step)), got %zu", n);
    return;
  }
  if (n == 3 && av[2].k == TV_INT && av[2].i <= 0) {
    tr_error(c, s->u.for_.range_args[2]->range, "the step of a runtime 'for' must be positive, got %" PRId64,
             av[2].i);
    return;
  }
  static const char *const what[3] = {"the lower bound", "the upper bound", "the step"};
  tval lo = n == 1 ? tv_int(0) : av[0], hi = n == 1 ? av[0] : av[1], st = n == 3 ? av[2] : tv_int(1);
  tval vals[3] = {lo, hi, st};
  for (int i = 0; i < 3; i++) {
    ptk_range r = (n == 1 && i != 1) || (n == 2 && i == 2) ? at : s->u.for_.range_args[n == 1 ? 0 : i]->range;
    b3[i] = tr_index(c, vals[i], r, what[i]);
    if (!b3[i]) return;
  }
  idxvec vars = {0};
  const ptk_ast_block *body = s->u.for_.body;
  carried_vars(c, &body, 1, &vars);
  size_t nv = vars.len;
  ptk_value **ops = ptk_arena_alloc(c->tmp, (3 + nv) * sizeof *ops);
  const ptk_type **rt = ptk_arena_alloc(c->tmp, (nv ? nv : 1) * sizeof *rt);
  ops[0] = b3[0];
  ops[1] = b3[1];
  ops[2] = b3[2];
  if (!tr_nest_ok(c, at, "this runtime 'for'") || !carry_inits(c, &vars, at, "'for'", ops + 3) ||
      !tr_emit_ok(c, at)) {
    ptk_vec_free(&vars);
    return;
  }
  for (size_t i = 0; i < nv; i++) rt[i] = ops[3 + i]->type;
  ptk_op *op = ptk_build(c->m, c->blk, PTK_OP_SCF_FOR, ops, (uint32_t)(3 + nv), rt, (uint32_t)nv, tr_loc(at));
  ptk_block *bb = ptk_region_add_block(c->m, &op->regions[0]);
  ptk_value *iv = ptk_block_add_arg(c->m, bb, tr_scalar(PTK_DT_INDEX), s->u.for_.var,
                                    tr_loc(s->u.for_.var_range));
  for (size_t i = 0; i < nv; i++) {
    binding *b = &c->binds.data[vars.data[i]];
    b->v = tv_ir(ptk_block_add_arg(c->m, bb, rt[i], b->name, tr_loc(b->decl)));
  }
  ptk_block *outer = c->blk;
  size_t mark = c->binds.len;
  c->scope++;
  tr_declare(c, s->u.for_.var, s->u.for_.var_range, B_LOOP, tv_ir(iv));
  c->scf_depth++;
  c->blk = bb;
  tr_exec_block(c, body);
  bool ok = true;
  ptk_value **yv = ptk_arena_alloc(c->tmp, (nv ? nv : 1) * sizeof *yv);
  for (size_t i = 0; i < nv; i++) {
    binding *b = &c->binds.data[vars.data[i]];
    yv[i] = carry_value(c, b, b->v, rt[i], at, "'for'");
    if (!yv[i]) ok = false;
  }
  if (ok && nv) ptk_build(c->m, bb, PTK_OP_SCF_YIELD, yv, (uint32_t)nv, NULL, 0, tr_loc(at));
  c->scf_depth--;
  c->blk = outer;
  c->scope--;
  tr_binds_truncate(c, mark);
  tr_loop_ended(c, s->u.for_.var, s->u.for_.var_range, s->range, false);
  for (size_t i = 0; i < nv; i++)
    c->binds.data[vars.data[i]].v = ok ? tv_ir(ptk_op_result(op, (uint32_t)i)) : tv_err();
  ptk_vec_free(&vars);
}

/* ---- static for: one report per location and cause ------------------------------------------
 * Every iteration of a `static for` is traced; a diagnostic (with its notes)
 * that an earlier iteration already gave at the same place with the same
 * message is dropped, and each one kept gets a note naming the values of the
 * loop variable that hit it. */
typedef struct sf_hit {
  size_t head;  /* index in d->items of the error or warning */
  ptk_buf vals; /* "0, 2, 3" */
  size_t n;
  bool differ; /* a dropped message had other numbers */
  char first[64]; /* the value the kept message is for */
} sf_hit;
typedef PTK_VEC(sf_hit) sf_hits;

/* The same message up to the numbers in it (a cause shows the values of
 * its iteration: "the window [0, 128) is out of bounds …"). */
static bool same_cause(const char *a, const char *b) {
  while (*a && *b) {
    bool da = *a >= '0' && *a <= '9', db = *b >= '0' && *b <= '9';
    if (da != db) return false;
    if (da) {
      while (*a >= '0' && *a <= '9') a++;
      while (*b >= '0' && *b <= '9') b++;
      continue;
    }
    if (*a++ != *b++) return false;
  }
  return *a == *b;
}

static bool same_diag(const ptk_diag *a, const ptk_diag *b) {
  return a->sev == b->sev && a->line == b->line && a->col == b->col &&
         same_cause(a->message, b->message) &&
         ((!a->path && !b->path) || (a->path && b->path && !strcmp(a->path, b->path)));
}

static void diag_drop(ptk_diags *d, size_t i) {
  ptk_diag *g = &d->items.data[i];
  if (g->sev == PTK_SEV_ERROR) d->errors--;
  if (g->sev == PTK_SEV_WARNING) d->warnings--;
  free(g->path);
  free(g->message);
  free(g->text);
  memmove(g, g + 1, (d->items.len - i - 1) * sizeof *g);
  d->items.len--;
}

/* The end of the group (a diagnostic and its notes) starting at i. */
static size_t group_end(const ptk_diags *d, size_t i) {
  size_t j = i + 1;
  while (j < d->items.len && d->items.data[j].sev == PTK_SEV_NOTE) j++;
  return j;
}

static void tv_show(ptk_buf *b, tval v) {
  switch (v.k) {
  case TV_INT: ptk_buf_printf(b, "%lld", (long long)v.i); break;
  case TV_FLOAT: ptk_buf_printf(b, "%g", v.f); break;
  case TV_BOOL: ptk_buf_puts(b, v.b ? "true" : "false"); break;
  case TV_STR: ptk_buf_printf(b, "\"%.*s\"", (int)v.str.n, v.str.s); break;
  case TV_DTYPE: ptk_buf_puts(b, ptk_dtype_name(v.dt)); break;
  default: ptk_buf_printf(b, "<%s>", tv_kind_name(v)); break;
  }
}

/* Fold the diagnostics iteration `val` added from index n0 on into hits. */
static void sf_fold(ptk_diags *d, size_t n0, tval val, sf_hits *hits) {
  size_t i = n0;
  while (i < d->items.len) {
    size_t end = group_end(d, i);
    if (d->items.data[i].sev == PTK_SEV_NOTE) { /* a stray note: keep */
      i = end;
      continue;
    }
    sf_hit *h = NULL;
    for (size_t k = 0; k < hits->len && !h; k++)
      if (same_diag(&d->items.data[hits->data[k].head], &d->items.data[i])) h = &hits->data[k];
    if (!h) {
      sf_hit nh = {.head = i};
      ptk_vec_push(hits, nh);
      h = &hits->data[hits->len - 1];
      i = end;
      ptk_buf fb = {0};
      tv_show(&fb, val);
      snprintf(h->first, sizeof h->first, "%s", fb.data ? fb.data : "");
      ptk_buf_free(&fb);
    } else {
      if (strcmp(d->items.data[h->head].message, d->items.data[i].message)) h->differ = true;
      while (end > i) diag_drop(d, --end);
    }
    if (h->n < 8) {
      if (h->n) ptk_buf_puts(&h->vals, ", ");
      tv_show(&h->vals, val);
    } else if (h->n == 8) {
      ptk_buf_puts(&h->vals, ", …");
    }
    h->n++;
  }
}

static void sf_notes(tctx *c, const ptk_ast_stmt *s, size_t nvals, sf_hits *hits) {
  ptk_diags *d = c->d;
  /* Last first, so the earlier heads keep their indices. */
  for (size_t k = hits->len; k-- > 0;) {
    sf_hit *h = &hits->data[k];
    if (nvals > 1) {
      size_t at = group_end(d, h->head);
      size_t len0 = d->items.len;
      const char *vals = h->vals.data ? h->vals.data : "";
      if (h->n == nvals)
        tr_note(c, s->u.static_for.var_range, "in every iteration of this 'static for' (%s = %s)%s%s%s",
                s->u.static_for.var, vals, h->differ ? " (the message shows " : "",
                h->differ ? h->first : "", h->differ ? ")" : "");
      else if (h->differ)
        tr_note(c, s->u.static_for.var_range,
                "in the iterations of this 'static for' with %s = %s (the message shows %s = %s)",
                s->u.static_for.var, vals, s->u.static_for.var, h->first);
      else
        tr_note(c, s->u.static_for.var_range, "in the %s of this 'static for' with %s = %s",
                h->n == 1 ? "iteration" : "iterations", s->u.static_for.var, vals);
      if (d->items.len == len0 + 1 && at < len0) { /* move the note after its group */
        ptk_diag g = d->items.data[len0];
        memmove(&d->items.data[at + 1], &d->items.data[at], (len0 - at) * sizeof g);
        d->items.data[at] = g;
      }
    }
    ptk_buf_free(&h->vals);
  }
  ptk_vec_free(hits);
}

static void exec_static_for(tctx *c, const ptk_ast_stmt *s) {
  tval it = tr_eval(c, s->u.static_for.iter);
  if (it.k != TV_LIST) {
    if (it.k != TV_ERR)
      tr_error(c, s->u.static_for.iter->range,
               "'static for' needs a compile-time range or list, but this is %s %s",
               a_an(tv_kind_name(it)), tv_kind_name(it));
    /* The body never ran: the outer variables it assigns have no value
     * now, and their later uses are not reported again. */
    idxvec vars = {0};
    const ptk_ast_block *body = s->u.static_for.body;
    carried_vars(c, &body, 1, &vars);
    for (size_t i = 0; i < vars.len; i++) c->binds.data[vars.data[i]].v = tv_err();
    ptk_vec_free(&vars);
    return;
  }
  sf_hits hits = {0};
  for (size_t i = 0; i < it.list->n && !c->abort && !c->returning; i++) {
    if (++c->steps > TRACE_MAX_STEPS) {
      tr_error(c, s->range, "tracing takes too long (more than %d steps); this 'static for' unrolls too much", TRACE_MAX_STEPS);
      c->abort = true;
      break;
    }
    size_t mark = c->binds.len;
    size_t n0 = c->d->items.len;
    c->scope++;
    tr_declare(c, s->u.static_for.var, s->u.static_for.var_range, B_LOOP, it.list->items[i]);
    tr_exec_block(c, s->u.static_for.body);
    c->scope--;
    tr_binds_truncate(c, mark);
    sf_fold(c->d, n0, it.list->items[i], &hits);
  }
  sf_notes(c, s, it.list->n, &hits);
  tr_loop_ended(c, s->u.static_for.var, s->u.static_for.var_range, s->range, true);
}

static void exec_while(tctx *c, const ptk_ast_stmt *s) {
  ptk_range at = s->range;
  idxvec vars = {0};
  const ptk_ast_block *body = s->u.while_.body;
  carried_vars(c, &body, 1, &vars);
  size_t nv = vars.len;
  ptk_value **init = ptk_arena_alloc(c->tmp, (nv ? nv : 1) * sizeof *init);
  const ptk_type **rt = ptk_arena_alloc(c->tmp, (nv ? nv : 1) * sizeof *rt);
  tval *before = ptk_arena_alloc(c->tmp, (nv ? nv : 1) * sizeof *before);
  for (size_t i = 0; i < nv; i++) before[i] = c->binds.data[vars.data[i]].v;
  if (!tr_nest_ok(c, at, "this 'while'") || !carry_inits(c, &vars, at, "'while'", init) ||
      !tr_emit_ok(c, at)) {
    ptk_vec_free(&vars);
    return;
  }
  for (size_t i = 0; i < nv; i++) rt[i] = init[i]->type;
  ptk_op *op = ptk_op_new(c->m, PTK_OP_SCF_WHILE, init, (uint32_t)nv, rt, (uint32_t)nv, 2, tr_loc(at));
  ptk_block *bb = ptk_region_add_block(c->m, &op->regions[0]);
  ptk_block *ab = ptk_region_add_block(c->m, &op->regions[1]);
  ptk_value **fwd = ptk_arena_alloc(c->tmp, (nv + 1) * sizeof *fwd);
  for (size_t i = 0; i < nv; i++) {
    binding *b = &c->binds.data[vars.data[i]];
    fwd[1 + i] = ptk_block_add_arg(c->m, bb, rt[i], b->name, tr_loc(b->decl));
    b->v = tv_ir(fwd[1 + i]);
  }
  ptk_block *outer = c->blk;
  ptk_block_append(outer, op);
  c->scf_depth++;
  c->blk = bb;
  tval cnd = tr_eval(c, s->u.while_.cond);
  bool ok = cnd.k != TV_ERR;
  if (cnd.k == TV_BOOL) {
    if (cnd.b) {
      tr_error(c, s->u.while_.cond->range, "this 'while' condition is always true, so the loop would never end");
    } else { /* never runs: nothing to trace */
      ptk_op_unlink(op);
      c->scf_depth--;
      c->blk = outer;
      for (size_t i = 0; i < nv; i++) c->binds.data[vars.data[i]].v = before[i];
      ptk_vec_free(&vars);
      return;
    }
    ok = false;
  } else if (ok && !(cnd.k == TV_IR && ptk_type_is_scalar(cnd.v->type, PTK_DT_I1))) {
    tr_error(c, s->u.while_.cond->range, "the condition of 'while' must be a bool, but this is %s %s",
             a_an(tv_kind_name(cnd)), tv_kind_name(cnd));
    ok = false;
  }
  if (ok) {
    fwd[0] = cnd.v;
    ptk_build(c->m, bb, PTK_OP_SCF_CONDITION, fwd, (uint32_t)(nv + 1), NULL, 0,
              tr_loc(s->u.while_.cond->range));
    for (size_t i = 0; i < nv; i++) {
      binding *b = &c->binds.data[vars.data[i]];
      b->v = tv_ir(ptk_block_add_arg(c->m, ab, rt[i], b->name, tr_loc(b->decl)));
    }
    c->blk = ab;
    tr_exec_block(c, body);
    ptk_value **yv = ptk_arena_alloc(c->tmp, (nv ? nv : 1) * sizeof *yv);
    for (size_t i = 0; i < nv; i++) {
      binding *b = &c->binds.data[vars.data[i]];
      yv[i] = carry_value(c, b, b->v, rt[i], at, "'while'");
      if (!yv[i]) ok = false;
    }
    if (ok) ptk_build(c->m, ab, PTK_OP_SCF_YIELD, yv, (uint32_t)nv, NULL, 0, tr_loc(at));
  }
  c->scf_depth--;
  c->blk = outer;
  for (size_t i = 0; i < nv; i++)
    c->binds.data[vars.data[i]].v = ok ? tv_ir(ptk_op_result(op, (uint32_t)i)) : tv_err();
  ptk_vec_free(&vars);
}

/* ---- simple statements ----------------------------------------------------------- */

static void exec_decl(tctx *c, const ptk_ast_stmt *s) {
  bool is_var = s->kind == PTK_STMT_VAR;
  tval v = tr_eval(c, s->u.decl.init);
  if (v.k == TV_NONE) {
    tr_error(c, s->u.decl.init->range, "this call returns no value");
    v = tv_err();
  }
  const ptk_type *irt = NULL;
  if (v.k != TV_ERR && s->u.decl.type) {
    char what[160];
    snprintf(what, sizeof what, "the initial value of '%s'", s->u.decl.name);
    v = tr_check_type(c, s->u.decl.type, v, s->u.decl.init->range, what);
    ptk_dtype dt;
    if (tr_dtype_by_name(s->u.decl.type->name, &dt) && strcmp(s->u.decl.type->name, "bool"))
      irt = tr_scalar(dt);
  }
  binding *b = tr_declare(c, s->u.decl.name, s->u.decl.name_range, is_var ? B_VAR : B_LET, v);
  if (!is_var && v.k == TV_INT) {
    const struct trunc_div *t = tr_find_trunc_div(c, v.i, s->u.decl.init->range);
    if (t) {
      struct trunc_div *keep = ptk_arena_alloc(c->arena, sizeof *keep);
      *keep = *t;
      b->tdiv = keep;
    }
  }
  b->ir_type = irt;
}

static void exec_assign(tctx *c, const ptk_ast_stmt *s) {
  const char *name = s->u.assign.name;
  tval rhs = tr_eval(c, s->u.assign.value);
  uint32_t h = tr_hash(name);
  binding *b = tr_lookup_local(c, name, h);
  if (!b) {
    if (c->unit && tr_unit_global(c->unit, name, h)) {
      gent *g = tr_unit_global(c->unit, name, h);
      tr_error(c, s->u.assign.name_range, "cannot assign to '%s': it is a module-level %s", name,
               g->kind == G_CONST ? "const" : g->kind == G_FN ? "fn" : "name");
      tr_note(c, g->range, "'%s' is declared here", name);
    } else {
      tr_error(c, s->u.assign.name_range, "cannot assign to undeclared variable '%s'; declare it first with 'var %s = …;'",
               name, name);
      tr_suggest(c, name, s->u.assign.name_range);
    }
    return;
  }
  switch (b->kind) {
  case B_VAR: break;
  case B_LET:
    tr_error(c, s->u.assign.name_range, "cannot assign to '%s': it is declared with 'let', which is immutable", name);
    tr_note(c, b->decl, "'%s' is declared here; declare it with 'var' to make it mutable", name);
    return;
  case B_PARAM:
  case B_CONST:
    tr_error(c, s->u.assign.name_range, "cannot assign to parameter '%s'; copy it into a 'var' first", name);
    tr_note(c, b->decl, "'%s' is declared here", name);
    return;
  case B_LOOP:
    tr_error(c, s->u.assign.name_range, "cannot assign to the loop variable '%s'", name);
    tr_note(c, b->decl, "'%s' is declared here", name);
    return;
  }
  if (rhs.k == TV_ERR) {
    b->v = rhs;
    return;
  }
  if (rhs.k == TV_NONE) {
    tr_error(c, s->u.assign.value->range, "this call returns no value");
    b->v = tv_err();
    return;
  }
  tval v = rhs;
  if (s->u.assign.has_op) {
    tval cur = b->v;
    v = tr_binop(c, s->u.assign.op, cur, rhs, s->u.assign.op_range, s->u.assign.name_range,
                 s->u.assign.value->range);
    b = tr_lookup_local(c, name, h); /* the binding array may have moved */
  }
  if (v.k != TV_ERR && b->ir_type) {
    char what[160];
    snprintf(what, sizeof what, "the value assigned to '%s'", name);
    v = tv_ir(tr_coerce(c, v, b->ir_type, s->u.assign.value->range, what));
    b = tr_lookup_local(c, name, h);
  }
  b->v = v;
}

static void exec_return(tctx *c, const ptk_ast_stmt *s) {
  if (c->scf_depth > c->frame_scf) {
    tr_error(c, s->range, "'return' inside a runtime 'if', 'for' or 'while' cannot be traced: those become scf regions that always continue after the region");
    tr_note(c, s->range, "compute the result in a 'var' and return it after the region (or use 'static if' on a compile-time condition)");
    return;
  }
  if (!c->in_fn) {
    if (s->u.ret.value) {
      tr_error(c, s->u.ret.value->range, "a kernel returns nothing; write results through its pointer parameters");
      return;
    }
    c->returning = true;
    return;
  }
  tval v = tv_none();
  if (s->u.ret.value) {
    v = tr_eval(c, s->u.ret.value);
    if (v.k != TV_ERR && c->fn_ret)
      v = tr_check_type(c, c->fn_ret, v, s->u.ret.value->range, "the returned value");
  }
  c->retval = v;
  c->ret_range = s->range;
  c->returning = true;
}

static void exec_stmt(tctx *c, const ptk_ast_stmt *s) {
  if (++c->steps > TRACE_MAX_STEPS) {
    tr_error(c, s->range, "tracing takes too long (more than %d statements executed); an 'fn' recursion or a 'static for' probably unrolls too much",
             TRACE_MAX_STEPS);
    c->abort = true;
    return;
  }
  switch (s->kind) {
  case PTK_STMT_LET:
  case PTK_STMT_VAR: exec_decl(c, s); break;
  case PTK_STMT_ASSIGN: exec_assign(c, s); break;
  case PTK_STMT_EXPR: tr_eval(c, s->u.expr); break;
  case PTK_STMT_IF: exec_if_from(c, s, 0); break;
  case PTK_STMT_FOR: exec_for(c, s); break;
  case PTK_STMT_STATIC_FOR: exec_static_for(c, s); break;
  case PTK_STMT_WHILE: exec_while(c, s); break;
  case PTK_STMT_RETURN: exec_return(c, s); break;
  case PTK_STMT_BLOCK: tr_exec_block(c, s->u.block); break;
  case PTK_STMT_SCOPE:
    tr_error(c, ptk_range_at(s->range.begin, 5),
             "'scope' blocks belong in a program (they free its intermediates); in a kernel use '{ … }'");
    break;
  }
}

/* ---- fn calls (inlined) ------------------------------------------------------------- */

/* Every error or warning the body of an inlined call added from index n0 on
 * gets a note pointing at the call ("in the call of 'f' here"), after its
 * other notes; nested calls add one note per level, innermost first. */
static void call_notes(tctx *c, size_t n0, const char *fname, ptk_range at) {
  ptk_diags *d = c->d;
  size_t i = n0;
  while (i < d->items.len) {
    size_t end = group_end(d, i);
    const char *msg = d->items.data[i].message;
    if (d->items.data[i].sev == PTK_SEV_NOTE || /* a stray note: keep */
        !strncmp(msg, "recursion is too deep", 21) || !strncmp(msg, "tracing takes too long", 22)) {
      i = end; /* the limits name the chain themselves */
      continue;
    }
    ptk_diag *last = &d->items.data[end - 1];
    if (end - 1 > i && at.begin.src && last->line == at.begin.line && last->col == at.begin.col &&
        last->path && !strcmp(last->path, at.begin.src->path)) { /* recursion: fold the run */
      unsigned n = 1;
      char *pre = ptk_xasprintf("in the call of '%s' here", fname);
      bool same = !strcmp(last->message, pre);
      free(pre);
      if (!same && sscanf(last->message, "in %u nested calls of", &n) == 1) {
        char *want = ptk_xasprintf("in %u nested calls of '%s' from here", n, fname);
        same = !strcmp(last->message, want);
        free(want);
      }
      if (same) {
        free(last->message);
        last->message = ptk_xasprintf("in %u nested calls of '%s' from here", n + 1, fname);
        i = end;
        continue;
      }
    }
    size_t len0 = d->items.len;
    tr_note(c, at, "in the call of '%s' here", fname);
    if (d->items.len == len0 + 1 && end < len0) { /* move the note after its group */
      ptk_diag g = d->items.data[len0];
      memmove(&d->items.data[end + 1], &d->items.data[end], (len0 - end) * sizeof g);
      d->items.data[end] = g;
    }
    i = end + 1;
  }
}

tval tr_call_fn(tctx *c, tval fnv, const ptk_ast_expr *call) {
  const ptk_ast_item *fn = fnv.fn.item;
  const char *fname = fn->u.fn.name;
  ptk_range at = call->range;
  if (c->calls.len >= TRACE_MAX_CALL_DEPTH) {
    tr_error(c, at, "recursion is too deep: more than %d nested calls of 'fn' helpers (fn helpers are inlined, so recursion must end at compile time)",
             TRACE_MAX_CALL_DEPTH);
    /* The chain, innermost first; runs of the same call site are folded. */
    for (size_t i = c->calls.len; i > 0;) {
      const callrec *r = &c->calls.data[i - 1];
      size_t j = i - 1;
      while (j > 0 && c->calls.data[j - 1].at.begin.off == r->at.begin.off &&
             c->calls.data[j - 1].at.begin.src == r->at.begin.src)
        j--;
      size_t run = i - j;
      if (run > 1)
        tr_note(c, r->at, "%zu nested calls of '%s' from here", run, r->fn->u.fn.name);
      else
        tr_note(c, r->at, "'%s' is called from here", r->fn->u.fn.name);
      i = j;
    }
    c->abort = true;
    return tv_err();
  }
  if (++c->steps > TRACE_MAX_STEPS) {
    tr_error(c, at, "tracing takes too long (more than %d steps); an 'fn' recursion probably does too much work",
             TRACE_MAX_STEPS);
    c->abort = true;
    return tv_err();
  }
  size_t np = fn->u.fn.nparams;
  const ptk_ast_expr *argx_s[16] = {0};
  ptk_range argr_s[16];
  tval args_s[16];
  const ptk_ast_expr **argx = np <= 16 ? argx_s : ptk_arena_alloc(c->tmp, np * sizeof *argx);
  ptk_range *argr = np <= 16 ? argr_s : ptk_arena_alloc(c->tmp, np * sizeof *argr);
  bool bad = false;
  size_t npos = 0;
  for (size_t i = 0; i < call->u.call.nargs; i++) {
    const ptk_ast_arg *a = &call->u.call.args[i];
    if (!a->name) {
      if (npos >= np) {
        tr_error(c, a->range, "too many arguments: '%s' takes %zu", fname, np);
        tr_note(c, fn->u.fn.name_range, "'%s' is declared here", fname);
        return tv_err();
      }
      argx[npos] = a->value;
      argr[npos] = a->range;
      npos++;
      continue;
    }
    size_t k = 0;
    while (k < np && strcmp(fn->u.fn.params[k].name, a->name)) k++;
    if (k == np) {
      tr_error(c, a->name_range, "'%s' has no parameter named '%s'", fname, a->name);
      tr_note(c, fn->u.fn.name_range, "'%s' is declared here", fname);
      bad = true;
      continue;
    }
    if (argx[k]) {
      tr_error(c, a->name_range, "parameter '%s' is given twice", a->name);
      bad = true;
      continue;
    }
    argx[k] = a->value;
    argr[k] = a->range;
  }
  for (size_t k = 0; k < np && !bad; k++)
    if (!argx[k] && !fn->u.fn.params[k].default_value) {
      tr_error(c, at, "missing argument for parameter '%s' of '%s'", fn->u.fn.params[k].name, fname);
      tr_note(c, fn->u.fn.params[k].range, "'%s' is declared here", fn->u.fn.params[k].name);
      bad = true;
    }
  if (bad) return tv_err();
  /* Arguments are evaluated in the caller's scope. */
  tval *args = np <= 16 ? args_s : ptk_arena_alloc(c->tmp, np * sizeof *args);
  for (size_t k = 0; k < np; k++) {
    if (!argx[k]) continue;
    args[k] = tr_eval(c, argx[k]);
    if (args[k].k == TV_ERR) bad = true;
    if (args[k].k == TV_NONE) {
      tr_error(c, argr[k], "this call returns no value");
      bad = true;
    }
  }
  if (bad) return tv_err();
  /* The callee's frame. */
  size_t base = c->frame_base, mark = c->binds.len;
  tunit *unit = c->unit;
  bool in_fn = c->in_fn, returning = c->returning;
  const ptk_ast_type *fn_ret = c->fn_ret;
  uint32_t frame_scf = c->frame_scf, scope = c->scope;
  tval retval = c->retval;
  ptk_vec_push(&c->calls, ((callrec){fn, at}));
  c->chain = -1;
  c->frame_base = c->binds.len;
  c->unit = fnv.fn.u;
  c->in_fn = true;
  c->returning = false;
  c->fn_ret = fn->u.fn.ret;
  c->frame_scf = c->scf_depth;
  c->scope = 0;
  c->retval = tv_none();
  for (size_t k = 0; k < np && !bad; k++) {
    const ptk_ast_param *p = &fn->u.fn.params[k];
    tval v;
    ptk_range vr;
    if (argx[k]) {
      v = args[k];
      vr = argr[k];
    } else {
      ptk_block *blk = c->blk;
      c->blk = NULL; /* defaults are compile-time */
      v = tr_eval(c, p->default_value);
      c->blk = blk;
      vr = p->default_value->range;
    }
    char what[200];
    snprintf(what, sizeof what, "argument '%s' of '%s'", p->name, fname);
    if (p->is_const && v.k == TV_IR) {
      tr_error(c, vr, "%s must be a compile-time value (the parameter is 'const'), but is a %s that depends on runtime values",
               what, tv_kind_name(v));
      tr_note(c, p->range, "'%s' is declared here", p->name);
      bad = true;
      break;
    }
    size_t errs = ptk_diags_errors(c->d);
    v = tr_check_type(c, p->type, v, vr, what);
    if (v.k == TV_ERR) {
      if (ptk_diags_errors(c->d) > errs) tr_note(c, p->range, "'%s' is declared here", p->name);
      bad = true;
      break;
    }
    tr_declare(c, p->name, p->name_range, p->is_const ? B_CONST : B_PARAM, v);
  }
  tval result = tv_none();
  size_t n0 = c->d->items.len;
  if (!bad) {
    tr_exec_block(c, fn->u.fn.body);
    call_notes(c, n0, fname, at);
    result = c->retval;
    if (fn->u.fn.ret && result.k == TV_NONE && !tr_failed(c)) {
      tr_error(c, at, "'%s' ended without returning a value (it is declared '-> %s')", fname,
               fn->u.fn.ret->name);
      tr_note(c, fn->u.fn.name_range, "'%s' is declared here", fname);
      result = tv_err();
    }
  } else {
    result = tv_err();
  }
  c->calls.len--;
  c->chain = -1;
  tr_binds_truncate(c, mark);
  c->frame_base = base;
  c->unit = unit;
  c->in_fn = in_fn;
  c->returning = returning;
  c->fn_ret = fn_ret;
  c->frame_scf = frame_scf;
  c->scope = scope;
  c->retval = retval;
  return result;
}
