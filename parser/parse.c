/* The .ptk parser driver: lexer tokens → the Lemon grammar (parser/ptk.y) →
 * AST, with the syntax-error messages and the error recovery.
 *
 * How errors work
 * ---------------
 * Before a token is handed to Lemon the driver asks the generated tables
 * (PtkParseProbe, a side-effect-free simulation) whether it would be shifted.
 * So Lemon itself never sees a bad token, and at an error the driver still
 * has the exact state in front of the bad token: it computes the set of
 * terminals that would have been accepted there and the symbols on the
 * parser stack, and turns them into a message ("expected ';' after 'let'
 * statement", "expected ')' to close '(' opened here" + a note at the '(').
 *
 * Recovery is at statement boundaries. The driver keeps a stack of open
 * brackets. After an error it skips tokens until a synchronisation point at
 * the nesting level of the innermost enclosing block (or the top level):
 *   - a ';'                         (consumed: `stmt ::= error ';'`)
 *   - the '}' closing the block     (`stmt ::= error`, then the '}')
 *   - a statement keyword or a '{'  (`stmt ::= error`, then the statement)
 *   - at the top level: ';', a '{…}' group, 'const'
 *   - anywhere: 'kernel', 'fn', 'import', '@', end of file — these go back
 *     to the top level, closing every open bracket.
 * It then pops the Lemon stack to the state that can shift `error` (the
 * innermost block, or the top level) and shifts it (PtkParseRecover), and
 * feeds the synchronising token. Brackets opened while skipping are skipped
 * as a group. A lexical ERROR token (already reported by the lexer) starts
 * the same recovery without a message of its own.
 *
 * At most PTK_PARSE_MAX_ERRORS errors are reported per file (lexer errors
 * included); the next one becomes "too many errors, stopping" and parsing
 * stops. Nesting deeper than PTK_AST_MAX_DEPTH brackets or expression levels
 * is an error that also stops the parse, so every later recursive walk of the
 * tree is bounded.
 */
#include "parser/parse.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lang/lexer.h"
#include "parser/ptk.h"
#include "parser/ptk_int.h"

/* ====================================================================== */
/* Helpers for the grammar actions                                          */
/* ====================================================================== */

ptk_plist *pl_new(ptk_pstate *ps) { return ptk_arena_alloc(ps->arena, sizeof(ptk_plist)); }

ptk_plist *pl_push(ptk_pstate *ps, ptk_plist *l, void *x) {
  if (!l) l = pl_new(ps);
  if (!x) return l;
  if (l->len == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 4;
    void **d = ptk_arena_alloc(ps->arena, cap * sizeof(void *));
    if (l->len) memcpy(d, l->data, l->len * sizeof(void *));
    l->data = d;
    l->cap = cap;
  }
  l->data[l->len++] = x;
  return l;
}

void **pl_ptrs(ptk_pstate *ps, const ptk_plist *l, size_t *n) {
  *n = l ? l->len : 0;
  if (!*n) return NULL;
  void **d = ptk_arena_alloc(ps->arena, *n * sizeof(void *));
  memcpy(d, l->data, *n * sizeof(void *));
  return d;
}

ptk_range tok_range(const ptk_token *t) {
  if (!t->loc.src) return ptk_range_none();
  if (t->kind == PTK_TOK_RAWSTRING || t->kind == PTK_TOK_ERROR) {
    /* May span lines. */
    return (ptk_range){t->loc, ptk_source_loc(t->loc.src, (size_t)t->loc.off + t->len)};
  }
  return ptk_range_at(t->loc, t->len);
}

char *tok_name(ptk_pstate *ps, const ptk_token *t) {
  if (t->str) return (char *)t->str;
  if (t->loc.src) return ptk_arena_strndup(ps->arena, t->loc.src->text + t->loc.off, t->len);
  return ptk_arena_strdup(ps->arena, "?");
}

static size_t errors_so_far(const ptk_pstate *ps) {
  return ptk_diags_errors(ps->diags) - ps->errors_at_start;
}

static bool perr_v(ptk_pstate *ps, ptk_range r, const char *fmt, va_list ap) {
  ps->note_ok = false;
  if (ps->stop) return false;
  if (errors_so_far(ps) >= PTK_PARSE_MAX_ERRORS) {
    ptk_error(ps->diags, r, "too many errors, stopping");
    ps->stop = true;
    return false;
  }
  ptk_diag_emitv(ps->diags, PTK_SEV_ERROR, NULL, r, fmt, ap);
  ps->note_ok = true;
  return true;
}

void perr(ptk_pstate *ps, ptk_range r, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  perr_v(ps, r, fmt, ap);
  va_end(ap);
}

void pnote(ptk_pstate *ps, ptk_range r, const char *fmt, ...) {
  if (!ps->note_ok) return;
  va_list ap;
  va_start(ap, fmt);
  ptk_diag_emitv(ps->diags, PTK_SEV_NOTE, NULL, r, fmt, ap);
  va_end(ap);
}

/* ---- expressions ------------------------------------------------------ */

static ptk_ast_expr *depth_of(ptk_pstate *ps, ptk_ast_expr *e, uint32_t child) {
  if (child + 1 > e->depth) e->depth = child + 1;
  if (e->depth > PTK_AST_MAX_DEPTH && !ps->stop) {
    /* Point at the operator that went one level too deep. */
    ptk_range r = e->kind == PTK_EXPR_BINARY  ? e->u.binary.op_range
                  : e->kind == PTK_EXPR_UNARY ? e->u.unary.op_range
                                              : e->range;
    perr(ps, r, "nesting too deep (more than %d levels)", PTK_AST_MAX_DEPTH);
    ps->stop = true;
  }
  return e;
}

static uint32_t dep(const ptk_ast_expr *e) { return e ? e->depth : 0; }
static uint32_t max3(uint32_t a, uint32_t b, uint32_t c) {
  uint32_t m = a > b ? a : b;
  return m > c ? m : c;
}
static ptk_range erange(const ptk_ast_expr *e) { return e ? e->range : ptk_range_none(); }

ptk_ast_expr *mk_lit(ptk_pstate *ps, const ptk_token *t) {
  ptk_range r = tok_range(t);
  ptk_ast_expr *e;
  switch (t->kind) {
  case PTK_TOK_INT: {
    e = ptk_ast_expr_new(ps->arena, PTK_EXPR_INT, r);
    e->u.int_lit.value = t->ival;
    const char *s = t->loc.src ? t->loc.src->text + t->loc.off : "";
    e->u.int_lit.hex = t->len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    break;
  }
  case PTK_TOK_FLOAT:
    e = ptk_ast_expr_new(ps->arena, PTK_EXPR_FLOAT, r);
    e->u.float_lit.value = t->fval;
    break;
  case PTK_TOK_STRING:
  case PTK_TOK_RAWSTRING:
    e = ptk_ast_expr_new(ps->arena, PTK_EXPR_STRING, r);
    e->u.string_lit.data = t->str ? t->str : "";
    e->u.string_lit.len = t->str ? t->slen : 0;
    e->u.string_lit.raw = t->kind == PTK_TOK_RAWSTRING;
    break;
  default: /* TRUE, FALSE */
    e = ptk_ast_expr_new(ps->arena, PTK_EXPR_BOOL, r);
    e->u.bool_lit.value = t->kind == PTK_TOK_TRUE;
    break;
  }
  return e;
}

ptk_ast_expr *mk_name(ptk_pstate *ps, const ptk_token *t) {
  ptk_ast_expr *e = ptk_ast_expr_new(ps->arena, PTK_EXPR_NAME, tok_range(t));
  e->u.name.name = tok_name(ps, t);
  return e;
}

ptk_ast_expr *mk_unary(ptk_pstate *ps, const ptk_token *op, ptk_ast_expr *x) {
  ptk_range r = ptk_range_join(tok_range(op), erange(x));
  ptk_ast_expr *e = ptk_ast_expr_new(ps->arena, PTK_EXPR_UNARY, r);
  e->u.unary.op = op->kind == PTK_TOK_MINUS ? PTK_UNOP_NEG
                  : op->kind == PTK_TOK_NOT ? PTK_UNOP_NOT
                                            : PTK_UNOP_BITNOT;
  e->u.unary.op_range = tok_range(op);
  e->u.unary.operand = x;
  return depth_of(ps, e, dep(x));
}

static ptk_ast_binop binop_of(ptk_tok_kind k) {
  switch (k) {
  case PTK_TOK_OR: return PTK_BINOP_OR;
  case PTK_TOK_AND: return PTK_BINOP_AND;
  case PTK_TOK_EQEQ: return PTK_BINOP_EQ;
  case PTK_TOK_NE: return PTK_BINOP_NE;
  case PTK_TOK_LT: return PTK_BINOP_LT;
  case PTK_TOK_LE: return PTK_BINOP_LE;
  case PTK_TOK_GT: return PTK_BINOP_GT;
  case PTK_TOK_GE: return PTK_BINOP_GE;
  case PTK_TOK_PIPE: case PTK_TOK_PIPE_ASSIGN: return PTK_BINOP_BITOR;
  case PTK_TOK_CARET: case PTK_TOK_CARET_ASSIGN: return PTK_BINOP_BITXOR;
  case PTK_TOK_AMP: case PTK_TOK_AMP_ASSIGN: return PTK_BINOP_BITAND;
  case PTK_TOK_SHL: case PTK_TOK_SHL_ASSIGN: return PTK_BINOP_SHL;
  case PTK_TOK_SHR: case PTK_TOK_SHR_ASSIGN: return PTK_BINOP_SHR;
  case PTK_TOK_PLUS: case PTK_TOK_PLUS_ASSIGN: return PTK_BINOP_ADD;
  case PTK_TOK_MINUS: case PTK_TOK_MINUS_ASSIGN: return PTK_BINOP_SUB;
  case PTK_TOK_STAR: case PTK_TOK_STAR_ASSIGN: return PTK_BINOP_MUL;
  case PTK_TOK_SLASH: case PTK_TOK_SLASH_ASSIGN: return PTK_BINOP_DIV;
  case PTK_TOK_SLASHSLASH: case PTK_TOK_SLASHSLASH_ASSIGN: return PTK_BINOP_FLOORDIV;
  case PTK_TOK_PERCENT: case PTK_TOK_PERCENT_ASSIGN: return PTK_BINOP_MOD;
  case PTK_TOK_STARSTAR: case PTK_TOK_STARSTAR_ASSIGN: return PTK_BINOP_POW;
  default: return PTK_BINOP_ADD;
  }
}

ptk_ast_expr *mk_binary(ptk_pstate *ps, ptk_ast_expr *l, const ptk_token *op, ptk_ast_expr *r) {
  ptk_ast_expr *e = ptk_ast_expr_new(ps->arena, PTK_EXPR_BINARY, ptk_range_join(erange(l), erange(r)));
  e->u.binary.op = binop_of(op->kind);
  e->u.binary.op_range = tok_range(op);
  e->u.binary.lhs = l;
  e->u.binary.rhs = r;
  return depth_of(ps, e, dep(l) > dep(r) ? dep(l) : dep(r));
}

ptk_ast_expr *mk_ternary(ptk_pstate *ps, ptk_ast_expr *c, ptk_ast_expr *a, ptk_ast_expr *b) {
  ptk_ast_expr *e =
      ptk_ast_expr_new(ps->arena, PTK_EXPR_TERNARY, ptk_range_join(erange(c), erange(b)));
  e->u.ternary.cond = c;
  e->u.ternary.then_expr = a;
  e->u.ternary.else_expr = b;
  return depth_of(ps, e, max3(dep(c), dep(a), dep(b)));
}

ptk_ast_expr *mk_list(ptk_pstate *ps, const ptk_token *lb, ptk_plist *elems, const ptk_token *rb) {
  ptk_ast_expr *e = ptk_ast_expr_new(ps->arena, PTK_EXPR_LIST,
                                     ptk_range_join(tok_range(lb), tok_range(rb)));
  e->u.list.elems = (ptk_ast_expr **)pl_ptrs(ps, elems, &e->u.list.nelems);
  uint32_t d = 0;
  for (size_t i = 0; i < e->u.list.nelems; i++)
    if (dep(e->u.list.elems[i]) > d) d = dep(e->u.list.elems[i]);
  return depth_of(ps, e, d);
}

/* Positional arguments before keyword arguments; no keyword twice. */
static void check_args(ptk_pstate *ps, ptk_ast_arg *args, size_t n) {
  const ptk_ast_arg *first_kw = NULL;
  for (size_t i = 0; i < n; i++) {
    if (!args[i].name) {
      if (first_kw) {
        perr(ps, args[i].range, "positional argument after keyword argument");
        pnote(ps, first_kw->range, "first keyword argument '%s' is here", first_kw->name);
      }
      continue;
    }
    if (!first_kw) first_kw = &args[i];
    for (size_t j = 0; j < i; j++) {
      if (args[j].name && !strcmp(args[j].name, args[i].name)) {
        perr(ps, args[i].name_range, "keyword argument '%s' given twice", args[i].name);
        pnote(ps, args[j].name_range, "'%s' first given here", args[i].name);
        break;
      }
    }
  }
}

static ptk_ast_arg *args_array(ptk_pstate *ps, ptk_plist *l, size_t *n) {
  *n = l ? l->len : 0;
  if (!*n) return NULL;
  ptk_ast_arg *a = ptk_arena_alloc(ps->arena, *n * sizeof *a);
  for (size_t i = 0; i < *n; i++) a[i] = *(ptk_ast_arg *)l->data[i];
  return a;
}

ptk_ast_expr *mk_call(ptk_pstate *ps, ptk_ast_expr *f, ptk_plist *args, const ptk_token *rp) {
  ptk_ast_expr *e =
      ptk_ast_expr_new(ps->arena, PTK_EXPR_CALL, ptk_range_join(erange(f), tok_range(rp)));
  e->u.call.callee = f;
  e->u.call.args = args_array(ps, args, &e->u.call.nargs);
  check_args(ps, e->u.call.args, e->u.call.nargs);
  uint32_t d = dep(f);
  for (size_t i = 0; i < e->u.call.nargs; i++)
    if (dep(e->u.call.args[i].value) > d) d = dep(e->u.call.args[i].value);
  return depth_of(ps, e, d);
}

ptk_ast_expr *mk_index(ptk_pstate *ps, ptk_ast_expr *b, ptk_plist *subs, const ptk_token *rb) {
  ptk_ast_expr *e =
      ptk_ast_expr_new(ps->arena, PTK_EXPR_INDEX, ptk_range_join(erange(b), tok_range(rb)));
  e->u.index.base = b;
  size_t n = subs ? subs->len : 0;
  e->u.index.nsubs = n;
  e->u.index.subs = n ? ptk_arena_alloc(ps->arena, n * sizeof(ptk_ast_subscript)) : NULL;
  uint32_t d = dep(b);
  for (size_t i = 0; i < n; i++) {
    ptk_ast_subscript *s = subs->data[i];
    e->u.index.subs[i] = *s;
    d = max3(d, max3(dep(s->index), dep(s->lo), dep(s->hi)), 0);
  }
  return depth_of(ps, e, d);
}

ptk_ast_expr *mk_member(ptk_pstate *ps, ptk_ast_expr *b, const ptk_token *name) {
  ptk_ast_expr *e =
      ptk_ast_expr_new(ps->arena, PTK_EXPR_MEMBER, ptk_range_join(erange(b), tok_range(name)));
  e->u.member.base = b;
  e->u.member.name = tok_name(ps, name);
  e->u.member.name_range = tok_range(name);
  return depth_of(ps, e, dep(b));
}

/* The parentheses become part of the expression's range. */
ptk_ast_expr *mk_paren(ptk_pstate *ps, const ptk_token *lp, ptk_ast_expr *e, const ptk_token *rp) {
  (void)ps;
  if (e) e->range = ptk_range_join(tok_range(lp), tok_range(rp));
  return e;
}

ptk_ast_arg *mk_arg(ptk_pstate *ps, const ptk_token *name, ptk_ast_expr *value) {
  ptk_ast_arg *a = ptk_arena_alloc(ps->arena, sizeof *a);
  a->value = value;
  a->range = erange(value);
  if (name) {
    a->name = tok_name(ps, name);
    a->name_range = tok_range(name);
    a->range = ptk_range_join(a->name_range, a->range);
  }
  return a;
}

ptk_ast_subscript *mk_sub(ptk_pstate *ps, ptk_ast_expr *lo, const ptk_token *colon,
                          ptk_ast_expr *hi) {
  ptk_ast_subscript *s = ptk_arena_alloc(ps->arena, sizeof *s);
  if (!colon) {
    s->index = lo;
    s->range = erange(lo);
    return s;
  }
  s->is_slice = true;
  s->lo = lo;
  s->hi = hi;
  s->range = ptk_range_join(ptk_range_join(erange(lo), tok_range(colon)), erange(hi));
  return s;
}

ptk_ast_type *mk_type(ptk_pstate *ps, const ptk_token *name, ptk_plist *args, const ptk_token *gt) {
  ptk_ast_type *t =
      ptk_ast_type_new(ps->arena, tok_name(ps, name), ptk_range_join(tok_range(name), tok_range(gt)));
  t->name_range = tok_range(name);
  t->args = (ptk_ast_type **)pl_ptrs(ps, args, &t->nargs);
  return t;
}

/* ---- statements ------------------------------------------------------- */

ptk_ast_block *mk_block(ptk_pstate *ps, const ptk_token *lb, ptk_plist *stmts, const ptk_token *rb) {
  ptk_ast_block *b = ptk_ast_block_new(ps->arena, ptk_range_join(tok_range(lb), tok_range(rb)));
  b->stmts = (ptk_ast_stmt **)pl_ptrs(ps, stmts, &b->nstmts);
  return b;
}

ptk_ast_stmt *mk_decl(ptk_pstate *ps, const ptk_token *kw, const ptk_token *name, ptk_ast_type *ty,
                      ptk_ast_expr *init, const ptk_token *semi) {
  ptk_ast_stmt *s = ptk_ast_stmt_new(ps->arena, kw->kind == PTK_TOK_VAR ? PTK_STMT_VAR : PTK_STMT_LET,
                                     ptk_range_join(tok_range(kw), tok_range(semi)));
  s->u.decl.name = tok_name(ps, name);
  s->u.decl.name_range = tok_range(name);
  s->u.decl.type = ty;
  s->u.decl.init = init;
  return s;
}

ptk_ast_stmt *mk_assign(ptk_pstate *ps, ptk_ast_expr *target, const ptk_token *op,
                        ptk_ast_expr *value, const ptk_token *semi) {
  if (!target || target->kind != PTK_EXPR_NAME) {
    perr(ps, erange(target), "cannot assign to this expression: only a variable can be assigned");
    return NULL;
  }
  ptk_ast_stmt *s = ptk_ast_stmt_new(ps->arena, PTK_STMT_ASSIGN,
                                     ptk_range_join(target->range, tok_range(semi)));
  s->u.assign.name = target->u.name.name;
  s->u.assign.name_range = target->range;
  s->u.assign.has_op = op->kind != PTK_TOK_ASSIGN;
  s->u.assign.op = s->u.assign.has_op ? binop_of(op->kind) : PTK_BINOP_ADD;
  s->u.assign.op_range = tok_range(op);
  s->u.assign.value = value;
  return s;
}

ptk_ast_stmt *mk_expr_stmt(ptk_pstate *ps, ptk_ast_expr *e, const ptk_token *semi) {
  ptk_ast_stmt *s =
      ptk_ast_stmt_new(ps->arena, PTK_STMT_EXPR, ptk_range_join(erange(e), tok_range(semi)));
  s->u.expr = e;
  return s;
}

ptk_ast_if_arm *mk_if_arm(ptk_pstate *ps, const ptk_token *first, bool is_static, ptk_ast_expr *c,
                          ptk_ast_block *body) {
  ptk_ast_if_arm *a = ptk_arena_alloc(ps->arena, sizeof *a);
  a->range = ptk_range_join(tok_range(first), body ? body->range : erange(c));
  a->is_static = is_static;
  a->cond = c;
  a->body = body;
  return a;
}

/* The arms are collected in a plist hidden behind the arms pointer until
 * the statement is complete; if_add_arm/if_set_else keep the array exact. */
static void if_push(ptk_pstate *ps, ptk_ast_stmt *s, ptk_ast_if_arm *arm) {
  size_t n = s->u.if_.narms;
  /* Capacity doubles at powers of two. */
  if (n == 0 || (n & (n - 1)) == 0) {
    ptk_ast_if_arm *d = ptk_arena_alloc(ps->arena, (n ? 2 * n : 1) * sizeof *d);
    if (n) memcpy(d, s->u.if_.arms, n * sizeof *d);
    s->u.if_.arms = d;
  }
  s->u.if_.arms[n] = *arm;
  s->u.if_.narms = n + 1;
  s->range = ptk_range_join(s->range, arm->range);
}

ptk_ast_stmt *mk_if(ptk_pstate *ps, ptk_ast_if_arm *arm) {
  ptk_ast_stmt *s = ptk_ast_stmt_new(ps->arena, PTK_STMT_IF, arm->range);
  if_push(ps, s, arm);
  return s;
}

ptk_ast_stmt *if_add_arm(ptk_pstate *ps, ptk_ast_stmt *s, ptk_ast_if_arm *arm) {
  if (s && arm) if_push(ps, s, arm);
  return s;
}

ptk_ast_stmt *if_set_else(ptk_pstate *ps, ptk_ast_stmt *s, ptk_ast_block *body) {
  (void)ps;
  if (!s) return s;
  s->u.if_.else_body = body;
  if (body) s->range = ptk_range_join(s->range, body->range);
  return s;
}

ptk_ast_stmt *mk_for(ptk_pstate *ps, const ptk_token *kw, const ptk_token *var,
                     const ptk_token *range_kw, ptk_plist *args, const ptk_token *rp,
                     ptk_ast_block *body) {
  size_t n = args ? args->len : 0;
  ptk_range call = ptk_range_join(tok_range(range_kw), tok_range(rp));
  if (n < 1 || n > 3) {
    perr(ps, call, "range() takes 1 to 3 arguments (stop; start, stop; or start, stop, step), got %zu",
         n);
    return NULL;
  }
  ptk_ast_stmt *s = ptk_ast_stmt_new(ps->arena, PTK_STMT_FOR,
                                     ptk_range_join(tok_range(kw), body ? body->range : call));
  s->u.for_.var = tok_name(ps, var);
  s->u.for_.var_range = tok_range(var);
  s->u.for_.range_args = ptk_arena_alloc(ps->arena, n * sizeof(ptk_ast_expr *));
  s->u.for_.nrange_args = n;
  for (size_t i = 0; i < n; i++) {
    ptk_ast_arg *a = args->data[i];
    if (a->name) {
      perr(ps, a->range, "range() takes no keyword arguments");
      return NULL;
    }
    s->u.for_.range_args[i] = a->value;
  }
  s->u.for_.body = body;
  return s;
}

ptk_ast_stmt *mk_static_for(ptk_pstate *ps, const ptk_token *kw, const ptk_token *var,
                            ptk_ast_expr *iter, ptk_ast_block *body) {
  ptk_ast_stmt *s = ptk_ast_stmt_new(ps->arena, PTK_STMT_STATIC_FOR,
                                     ptk_range_join(tok_range(kw), body ? body->range : erange(iter)));
  s->u.static_for.var = tok_name(ps, var);
  s->u.static_for.var_range = tok_range(var);
  s->u.static_for.iter = iter;
  s->u.static_for.body = body;
  return s;
}

ptk_ast_stmt *mk_while(ptk_pstate *ps, const ptk_token *kw, ptk_ast_expr *c, ptk_ast_block *body) {
  ptk_ast_stmt *s = ptk_ast_stmt_new(ps->arena, PTK_STMT_WHILE,
                                     ptk_range_join(tok_range(kw), body ? body->range : erange(c)));
  s->u.while_.cond = c;
  s->u.while_.body = body;
  return s;
}

ptk_ast_stmt *mk_return(ptk_pstate *ps, const ptk_token *kw, ptk_ast_expr *e,
                        const ptk_token *semi) {
  ptk_ast_stmt *s =
      ptk_ast_stmt_new(ps->arena, PTK_STMT_RETURN, ptk_range_join(tok_range(kw), tok_range(semi)));
  s->u.ret.value = e;
  return s;
}

ptk_ast_stmt *mk_block_stmt(ptk_pstate *ps, ptk_ast_block *b) {
  if (!b) return NULL;
  ptk_ast_stmt *s = ptk_ast_stmt_new(ps->arena, PTK_STMT_BLOCK, b->range);
  s->u.block = b;
  return s;
}

/* ---- declarations ----------------------------------------------------- */

ptk_ast_param *mk_param(ptk_pstate *ps, const ptk_token *cnst, const ptk_token *name,
                        ptk_ast_type *ty, const ptk_token *dir, ptk_ast_expr *dflt) {
  ptk_ast_param *p = ptk_arena_alloc(ps->arena, sizeof *p);
  p->is_const = cnst != NULL;
  p->name = tok_name(ps, name);
  p->name_range = tok_range(name);
  p->type = ty;
  p->range = ptk_range_join(cnst ? tok_range(cnst) : p->name_range, ty ? ty->range : p->name_range);
  if (dir->kind != PTK_TOK_EOF) {
    p->dir_range = tok_range(dir);
    p->range = ptk_range_join(p->range, p->dir_range);
    if (dir->kind == PTK_TOK_IN) {
      p->dir = PTK_DIR_IN;
    } else {
      const char *d = tok_name(ps, dir);
      p->dir = !strcmp(d, "out") ? PTK_DIR_OUT : PTK_DIR_INOUT;
    }
  }
  p->default_value = dflt;
  if (dflt) p->range = ptk_range_join(p->range, dflt->range);
  return p;
}

ptk_ast_decorator *mk_decorator(ptk_pstate *ps, const ptk_token *at, const ptk_token *name,
                                bool parens, ptk_plist *args, const ptk_token *rp) {
  ptk_ast_decorator *d = ptk_arena_alloc(ps->arena, sizeof *d);
  d->range = ptk_range_join(tok_range(at), tok_range(rp));
  d->name = tok_name(ps, name);
  d->name_range = tok_range(name);
  d->has_parens = parens;
  d->args = args_array(ps, args, &d->nargs);
  /* Keyword arguments only: drop positional ones after reporting them. */
  size_t k = 0;
  for (size_t i = 0; i < d->nargs; i++) {
    if (!d->args[i].name) {
      perr(ps, d->args[i].range,
           "decorator arguments must be keyword arguments (name = value)");
      continue;
    }
    d->args[k++] = d->args[i];
  }
  d->nargs = k;
  check_args(ps, d->args, d->nargs);
  return d;
}

ptk_ast_item *mk_import(ptk_pstate *ps, const ptk_token *kw, const ptk_token *path,
                        const ptk_token *alias, const ptk_token *semi) {
  ptk_ast_item *it =
      ptk_ast_item_new(ps->arena, PTK_ITEM_IMPORT, ptk_range_join(tok_range(kw), tok_range(semi)));
  it->u.import.path = path->str ? path->str : "";
  it->u.import.path_len = path->str ? path->slen : 0;
  it->u.import.path_range = tok_range(path);
  if (alias) {
    it->u.import.alias = tok_name(ps, alias);
    it->u.import.alias_range = tok_range(alias);
  }
  return it;
}

static ptk_ast_param *params_array(ptk_pstate *ps, ptk_plist *l, size_t *n) {
  *n = l ? l->len : 0;
  if (!*n) return NULL;
  ptk_ast_param *a = ptk_arena_alloc(ps->arena, *n * sizeof *a);
  for (size_t i = 0; i < *n; i++) a[i] = *(ptk_ast_param *)l->data[i];
  return a;
}

ptk_ast_item *mk_kernel(ptk_pstate *ps, const ptk_token *kw, const ptk_token *name,
                        ptk_plist *params, ptk_ast_block *body, const ptk_token *end) {
  ptk_range r = ptk_range_join(tok_range(kw), body ? body->range : tok_range(end));
  ptk_ast_item *it = ptk_ast_item_new(ps->arena, PTK_ITEM_KERNEL, r);
  it->u.kernel.name = tok_name(ps, name);
  it->u.kernel.name_range = tok_range(name);
  it->u.kernel.params = params_array(ps, params, &it->u.kernel.nparams);
  it->u.kernel.body = body;
  return it;
}

ptk_ast_item *mk_fn(ptk_pstate *ps, const ptk_token *kw, const ptk_token *name, ptk_plist *params,
                    ptk_ast_type *ret, ptk_ast_block *body) {
  ptk_range r = ptk_range_join(tok_range(kw), body ? body->range : tok_range(name));
  ptk_ast_item *it = ptk_ast_item_new(ps->arena, PTK_ITEM_FN, r);
  it->u.fn.name = tok_name(ps, name);
  it->u.fn.name_range = tok_range(name);
  it->u.fn.params = params_array(ps, params, &it->u.fn.nparams);
  it->u.fn.ret = ret;
  it->u.fn.body = body;
  return it;
}

ptk_ast_item *mk_const(ptk_pstate *ps, const ptk_token *kw, const ptk_token *name,
                       ptk_ast_type *ty, ptk_ast_expr *value, const ptk_token *semi) {
  ptk_ast_item *it =
      ptk_ast_item_new(ps->arena, PTK_ITEM_CONST, ptk_range_join(tok_range(kw), tok_range(semi)));
  it->u.const_.name = tok_name(ps, name);
  it->u.const_.name_range = tok_range(name);
  it->u.const_.type = ty;
  it->u.const_.value = value;
  return it;
}

ptk_ast_item *mk_program(ptk_pstate *ps, const ptk_token *kw, const ptk_token *name,
                         ptk_plist *params, ptk_ast_block *body) {
  ptk_range r = ptk_range_join(tok_range(kw), body ? body->range : tok_range(name));
  ptk_ast_item *it = ptk_ast_item_new(ps->arena, PTK_ITEM_PROGRAM, r);
  it->u.program.name = tok_name(ps, name);
  it->u.program.name_range = tok_range(name);
  it->u.program.params = params_array(ps, params, &it->u.program.nparams);
  it->u.program.body = body;
  return it;
}

ptk_ast_type *type_dims(ptk_pstate *ps, ptk_ast_type *t, ptk_plist *dims) {
  t->has_dims = true;
  t->dims = (ptk_ast_expr **)pl_ptrs(ps, dims, &t->ndims);
  return t;
}

ptk_ast_stmt *mk_scope(ptk_pstate *ps, const ptk_token *kw, ptk_ast_block *b) {
  if (!b) return NULL;
  ptk_ast_stmt *s = ptk_ast_stmt_new(ps->arena, PTK_STMT_SCOPE, ptk_range_join(tok_range(kw), b->range));
  s->u.block = b;
  return s;
}

ptk_ast_expr *mk_launch(ptk_pstate *ps, const ptk_token *kw, ptk_ast_expr *call) {
  ptk_ast_expr *e =
      ptk_ast_expr_new(ps->arena, PTK_EXPR_LAUNCH, ptk_range_join(tok_range(kw), erange(call)));
  e->u.launch.kw_range = tok_range(kw);
  e->u.launch.call = call;
  return depth_of(ps, e, dep(call));
}

ptk_ast_item *item_decorate(ptk_pstate *ps, ptk_plist *decorators, ptk_ast_item *it) {
  if (!it || !decorators || !decorators->len) return it;
  it->ndecorators = decorators->len;
  it->decorators = ptk_arena_alloc(ps->arena, it->ndecorators * sizeof(ptk_ast_decorator));
  for (size_t i = 0; i < it->ndecorators; i++)
    it->decorators[i] = *(ptk_ast_decorator *)decorators->data[i];
  it->range = ptk_range_join(it->decorators[0].range, it->range);
  return it;
}

void add_item(ptk_pstate *ps, ptk_ast_item *it) {
  if (it) pl_push(ps, &ps->items, it);
}

/* ====================================================================== */
/* The driver                                                               */
/* ====================================================================== */

/* Lemon terminal code of each lexer token kind (EOF is 0). */
static const int tokmap[PTK_TOK_COUNT] = {
#define X(k, s) [PTK_TOK_##k] = PTKT_##k,
#define PTKT_EOF 0
    PTK_TOKENS(X)
#undef PTKT_EOF
#undef X
};

/* Lemon deeper than this (unary chains, nested brackets): "nesting too deep". */
#define MAX_LEMON_DEPTH (8 * PTK_AST_MAX_DEPTH)

typedef struct bracket {
  ptk_tok_kind kind; /* LPAREN, LBRACKET or LBRACE */
  ptk_range range;
  bool fed; /* handed to Lemon (false: skipped during recovery) */
} bracket;

typedef struct driver {
  ptk_pstate *ps;
  ptk_lexer *lx;
  void *lemon;
  PTK_VEC(bracket) br;
  ptk_token q[4]; /* tokens read ahead (q[0] first) */
  int nq;
  bool skipping;
  int nterm;
  ptk_loc last_end;       /* just past the last token read (for errors at EOF) */
  ptk_tok_kind last_kind; /* and its kind */
  ptk_diags *lexdiags;
} driver;

/* The lexer reports to a diagnostics list of its own; its messages are
 * re-emitted here as tokens are read, so the error limit covers them. */
static void forward_lexer_diags(driver *d) {
  ptk_diags *from = d->lexdiags;
  const ptk_source *src = d->ps->src;
  for (size_t i = 0; i < from->items.len; i++) {
    const ptk_diag *g = &from->items.data[i];
    ptk_range r = ptk_range_none();
    if (g->line >= 1 && g->line <= src->nlines)
      r = ptk_range_at(ptk_source_loc(src, src->lines[g->line - 1] + g->col - 1), g->ncols);
    if (g->sev == PTK_SEV_ERROR)
      perr(d->ps, r, "%s", g->message);
    else if (g->sev == PTK_SEV_NOTE)
      pnote(d->ps, r, "%s", g->message);
    else
      ptk_warning(d->ps->diags, r, "%s", g->message);
  }
  ptk_diags_clear(from);
}

static ptk_token lex(driver *d) {
  ptk_token t = ptk_lexer_next(d->lx);
  if (d->lexdiags->items.len) forward_lexer_diags(d);
  return t;
}

static ptk_token next_tok(driver *d) {
  if (d->nq) {
    ptk_token t = d->q[0];
    memmove(d->q, d->q + 1, (size_t)(d->nq - 1) * sizeof d->q[0]);
    d->nq--;
    return t;
  }
  return lex(d);
}

static void unget_tok(driver *d, ptk_token t) {
  if (d->nq >= (int)PTK_ARRAY_LEN(d->q)) return; /* cannot happen: at most 2 are queued */
  memmove(d->q + 1, d->q, (size_t)d->nq * sizeof d->q[0]);
  d->q[0] = t;
  d->nq++;
}

static const ptk_token *peek_tok(driver *d) {
  if (!d->nq) d->q[d->nq++] = lex(d);
  return &d->q[0];
}

static bool probe(driver *d, int code) { return PtkParseProbe(d->lemon, code, NULL, 0, NULL); }

static bool is_ident(const ptk_token *t, const char *s) {
  return t->kind == PTK_TOK_IDENT && t->str && !strcmp(t->str, s);
}

static bool is_opener(ptk_tok_kind k) {
  return k == PTK_TOK_LPAREN || k == PTK_TOK_LBRACKET || k == PTK_TOK_LBRACE;
}
static bool is_closer(ptk_tok_kind k) {
  return k == PTK_TOK_RPAREN || k == PTK_TOK_RBRACKET || k == PTK_TOK_RBRACE;
}
static ptk_tok_kind closer_of(ptk_tok_kind k) {
  return k == PTK_TOK_LPAREN ? PTK_TOK_RPAREN : k == PTK_TOK_LBRACKET ? PTK_TOK_RBRACKET : PTK_TOK_RBRACE;
}
static ptk_tok_kind opener_of(ptk_tok_kind k) {
  return k == PTK_TOK_RPAREN ? PTK_TOK_LPAREN : k == PTK_TOK_RBRACKET ? PTK_TOK_LBRACKET : PTK_TOK_LBRACE;
}

static void too_deep(driver *d, const ptk_token *t) {
  perr(d->ps, tok_range(t), "nesting too deep (more than %d levels)", PTK_AST_MAX_DEPTH);
  d->ps->stop = true;
}

/* Hand a token to Lemon (it has been probed) and track brackets. */
static void feed(driver *d, int code, const ptk_token *t) {
  if (is_opener(t->kind)) {
    if (d->br.len >= PTK_AST_MAX_DEPTH || PtkParseDepth(d->lemon) >= MAX_LEMON_DEPTH) {
      too_deep(d, t);
      return;
    }
    bracket b = {t->kind, tok_range(t), true};
    ptk_vec_push(&d->br, b);
  } else if (is_closer(t->kind)) {
    if (d->br.len && d->br.data[d->br.len - 1].kind == opener_of(t->kind) &&
        d->br.data[d->br.len - 1].fed)
      d->br.len--;
  } else if (PtkParseDepth(d->lemon) >= MAX_LEMON_DEPTH) {
    too_deep(d, t);
    return;
  }
  d->ps->lemon_error = false;
  PtkParse(d->lemon, code, *t, d->ps);
  if (d->ps->lemon_error && !d->ps->stop) {
    /* Cannot happen: every token is probed first. Never stay silent. */
    perr(d->ps, tok_range(t), "syntax error at %s", ptk_tok_spelling(t->kind));
  }
}

/* ---- describing what was expected ------------------------------------- */

enum { MAXSYMS = 24 };

typedef struct expect {
  bool *set; /* indexed by Lemon terminal code */
  int syms[MAXSYMS];
  int nsyms;
} expect;

static bool sym_is(int sym, const char *name) { return !strcmp(PtkParseSymName(sym), name); }

static bool has(const expect *x, int code) { return x->set[code]; }

static const int expr_start[] = {PTKT_IDENT, PTKT_INT,      PTKT_FLOAT,    PTKT_STRING,
                                 PTKT_RAWSTRING, PTKT_TRUE, PTKT_FALSE,    PTKT_LPAREN,
                                 PTKT_LBRACKET, PTKT_MINUS, PTKT_TILDE,    PTKT_NOT,
                                 PTKT_LAUNCH};
static const int stmt_start[] = {PTKT_LET, PTKT_VAR,    PTKT_IF,     PTKT_FOR,
                                 PTKT_WHILE, PTKT_RETURN, PTKT_STATIC, PTKT_LBRACE,
                                 PTKT_SCOPE};
/* Tokens that can continue a complete expression. */
static const int expr_cont[] = {
    PTKT_QUESTION, PTKT_OR,    PTKT_AND,   PTKT_EQEQ,       PTKT_NE,       PTKT_LT,
    PTKT_LE,       PTKT_GT,    PTKT_GE,    PTKT_PIPE,       PTKT_CARET,    PTKT_AMP,
    PTKT_SHL,      PTKT_SHR,   PTKT_PLUS,  PTKT_MINUS,      PTKT_STAR,     PTKT_SLASH,
    PTKT_SLASHSLASH, PTKT_PERCENT, PTKT_STARSTAR, PTKT_LPAREN, PTKT_LBRACKET, PTKT_DOT};

static bool in_list(int code, const int *l, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (l[i] == code) return true;
  return false;
}
#define IN_LIST(code, l) in_list((code), (l), PTK_ARRAY_LEN(l))

/* Spelling of a Lemon terminal for "expected …" lists. */
static const char *term_spelling(int code) {
  switch (code) {
  case 0: return "end of file";
  case PTKT_OUT: return "'out'";
  case PTKT_INOUT: return "'inout'";
  case PTKT_RANGE: return "'range'";
  case PTKT_PROGRAM: return "'program'";
  case PTKT_LAUNCH: return "'launch'";
  case PTKT_SCOPE: return "'scope'";
  }
  for (int k = 0; k < PTK_TOK_COUNT; k++)
    if (tokmap[k] == code) return ptk_tok_spelling((ptk_tok_kind)k);
  return "?";
}

/* "'x'" for identifiers and numbers (source text, cut), spelling otherwise. */
static void describe_found(ptk_buf *b, const ptk_token *t) {
  if ((t->kind == PTK_TOK_IDENT || t->kind == PTK_TOK_INT || t->kind == PTK_TOK_FLOAT) &&
      t->loc.src) {
    uint32_t n = t->len > 32 ? 32 : t->len;
    ptk_buf_printf(b, "'%.*s%s'", (int)n, t->loc.src->text + t->loc.off, t->len > 32 ? "..." : "");
  } else {
    ptk_buf_puts(b, ptk_tok_spelling(t->kind));
  }
}

static bool is_assign_op(int c) {
  switch (c) {
  case PTKT_ASSIGN: case PTKT_PLUS_ASSIGN: case PTKT_MINUS_ASSIGN: case PTKT_STAR_ASSIGN:
  case PTKT_SLASH_ASSIGN: case PTKT_SLASHSLASH_ASSIGN: case PTKT_PERCENT_ASSIGN:
  case PTKT_STARSTAR_ASSIGN: case PTKT_AMP_ASSIGN: case PTKT_PIPE_ASSIGN: case PTKT_CARET_ASSIGN:
  case PTKT_SHL_ASSIGN: case PTKT_SHR_ASSIGN:
    return true;
  }
  return false;
}

/* Order in "expected …" lists: ',' first, closing brackets and end of file
 * last, the rest in grammar order. */
static int list_rank(int c) {
  if (c == PTKT_COMMA) return 0;
  if (c == PTKT_RPAREN || c == PTKT_RBRACKET || c == PTKT_RBRACE) return 2;
  if (c == 0) return 3;
  return 1;
}

/* The list of expected things, with classes collapsed: "statement",
 * "expression", "parameter"; what merely continues something complete (the
 * operators after an expression, an assignment operator after an expression
 * statement, '<' after a type name) is left out when anything else is
 * possible. Returns the item count. */
static int describe_expected(const expect *x, int nterm, ptk_buf *b) {
  bool stmt = has(x, PTKT_LET);
  bool expr = has(x, PTKT_INT);
  bool param = has(x, PTKT_CONST) && has(x, PTKT_IDENT) && !has(x, PTKT_KERNEL) && !stmt;
  bool after_expr = has(x, PTKT_PLUS);
  const char *items[64];
  int codes[64];
  int n = 0;
  if (stmt) items[n] = "statement", codes[n++] = -1;
  else if (expr) items[n] = "expression", codes[n++] = -1;
  else if (param) items[n] = "parameter", codes[n++] = -1;
  bool have_main = n > 0;
  for (int pass = 0; pass < 2; pass++) {
    for (int c = 1; c < nterm && n < 60; c++) {
      if (!x->set[c]) continue;
      /* the program words are contextual: never listed */
      if (c == PTKT_LAUNCH || c == PTKT_SCOPE || c == PTKT_PROGRAM) continue;
      if ((stmt || expr) && IN_LIST(c, expr_start)) continue;
      if (stmt && IN_LIST(c, stmt_start)) continue;
      if (param && (c == PTKT_IDENT || c == PTKT_CONST)) continue;
      bool minor = (after_expr && (IN_LIST(c, expr_cont) || is_assign_op(c))) ||
                   (c == PTKT_LT && !after_expr);
      if (pass == 0 && minor) continue;
      if (pass == 1 && !minor) continue;
      items[n] = term_spelling(c);
      codes[n++] = c;
    }
    if (n > 0 || have_main) break; /* only continuations: list them */
  }
  if (n == 0 && x->set[0]) items[n] = "end of file", codes[n++] = 0;
  /* Stable sort by rank (the class names stay first). */
  for (int i = 1; i < n; i++) {
    for (int j = i; j > 0; j--) {
      int rj = codes[j] < 0 ? -1 : list_rank(codes[j]);
      int rk = codes[j - 1] < 0 ? -1 : list_rank(codes[j - 1]);
      if (rk <= rj) break;
      const char *ti = items[j];
      int tc = codes[j];
      items[j] = items[j - 1], codes[j] = codes[j - 1];
      items[j - 1] = ti, codes[j - 1] = tc;
    }
  }
  for (int i = 0; i < n; i++) {
    if (i) ptk_buf_puts(b, i == n - 1 ? " or " : ", ");
    ptk_buf_puts(b, items[i]);
  }
  return n;
}

/* What was just parsed, for "expected ';' after …". */
static const char *stmt_context(const expect *x) {
  bool assign = false;
  for (int i = 0; i < x->nsyms; i++) {
    int s = x->syms[i];
    if (sym_is(s, "LET")) return "'let' statement";
    if (sym_is(s, "VAR")) return "'var' statement";
    if (sym_is(s, "RETURN")) return "'return' statement";
    if (sym_is(s, "CONST")) return "'const' declaration";
    if (sym_is(s, "IMPORT")) return "import";
    if (sym_is(s, "assign_op")) assign = true;
    if (sym_is(s, "stmts") || sym_is(s, "LBRACE") || sym_is(s, "items") ||
        sym_is(s, "decorators") || sym_is(s, "error") || sym_is(s, "LPAREN") ||
        sym_is(s, "LBRACKET"))
      break;
  }
  return assign ? "assignment" : "expression";
}

static bool is_stmt_keyword(ptk_tok_kind k) {
  return k == PTK_TOK_LET || k == PTK_TOK_VAR || k == PTK_TOK_IF || k == PTK_TOK_FOR ||
         k == PTK_TOK_WHILE || k == PTK_TOK_RETURN || k == PTK_TOK_STATIC;
}
static bool is_item_keyword(ptk_tok_kind k) {
  return k == PTK_TOK_KERNEL || k == PTK_TOK_FN || k == PTK_TOK_IMPORT || k == PTK_TOK_AT;
}
static bool is_comparison(ptk_tok_kind k) {
  return k == PTK_TOK_EQEQ || k == PTK_TOK_NE || k == PTK_TOK_LT || k == PTK_TOK_LE ||
         k == PTK_TOK_GT || k == PTK_TOK_GE;
}

static const char *open_spelling(ptk_tok_kind k) {
  return k == PTK_TOK_LPAREN ? "(" : k == PTK_TOK_LBRACKET ? "[" : "{";
}

/* The innermost bracket handed to Lemon, or NULL. */
static bracket *innermost_fed(driver *d) {
  for (size_t i = d->br.len; i-- > 0;)
    if (d->br.data[i].fed) return &d->br.data[i];
  return NULL;
}

/* Do the top symbols of the simulated stack spell `pattern` (names separated
 * by spaces, top first)? */
static bool stack_is(const expect *x, const char *pattern) {
  char name[32];
  int i = 0;
  for (const char *p = pattern; *p;) {
    size_t n = strcspn(p, " ");
    if (n >= sizeof name || i >= x->nsyms) return false;
    memcpy(name, p, n);
    name[n] = 0;
    if (!sym_is(x->syms[i++], name)) return false;
    p += n;
    while (*p == ' ') p++;
  }
  return true;
}

static bool only(const expect *x, int nterm, int code) {
  for (int c = 0; c < nterm; c++)
    if (x->set[c] != (c == code)) return false;
  return true;
}

/* What was just parsed, for "expected X after …" (NULL: nothing useful). */
static const char *after_phrase(const expect *x, int nterm) {
  static const struct {
    const char *pattern, *phrase;
  } table[] = {
      {"expr IF", "'if' condition"},
      {"expr WHILE", "'while' condition"},
      {"expr IN IDENT FOR STATIC", "'static for' header"},
      {"RPAREN args LPAREN RANGE", "'for' header"},
      {"RPAREN LPAREN RANGE", "'for' header"},
      {"RPAREN params_opt LPAREN IDENT KERNEL", "kernel parameters"},
      {"RPAREN params_opt LPAREN IDENT FN", "function parameters"},
      {"type ARROW", "return type"},
      {"IDENT KERNEL", "kernel name"},
      {"IDENT FN", "function name"},
      {"IDENT CONST items", "constant name"},
      {"IDENT CONST decorators", "constant name"},
      {"IDENT LET", "variable name"},
      {"IDENT VAR", "variable name"},
      {"IDENT FOR", "loop variable"},
      {"IDENT AT", "decorator name"},
      {"STRING IMPORT", "import path"},
      {"RANGE", "'range'"},
      {"args LPAREN postfix", "argument"},
      {"args LPAREN IDENT AT", "argument"},
      {"subs LBRACKET postfix", "subscript"},
      {"exprs LBRACKET", "list element"},
      {"type_args LT IDENT", "type argument"},
  };
  if (stack_is(x, "opt_type IDENT LET") || stack_is(x, "opt_type IDENT VAR") ||
      stack_is(x, "opt_type IDENT CONST"))
    return has(x, PTKT_COLON) ? (stack_is(x, "opt_type IDENT CONST") ? "constant name" : "variable name")
                              : "type";
  for (size_t i = 0; i < PTK_ARRAY_LEN(table); i++)
    if (stack_is(x, table[i].pattern)) return table[i].phrase;
  if (x->nsyms && sym_is(x->syms[0], "IDENT") && only(x, nterm, PTKT_COLON)) return "parameter name";
  if (x->nsyms && x->nsyms == 1 && !x->syms[0]) return NULL;
  if (x->nsyms && x->syms[0] < nterm) {
    int s = x->syms[0];
    if (s != PTKT_IDENT && s != PTKT_INT && s != PTKT_FLOAT && s != PTKT_STRING &&
        s != PTKT_RAWSTRING && s != PTKT_RPAREN && s != PTKT_RBRACKET && s != PTKT_RBRACE)
      return term_spelling(s);
  }
  return NULL;
}

/* Is a bracket of kind `k` open (handed to Lemon)? */
static bool has_open(driver *d, ptk_tok_kind k) {
  for (size_t i = 0; i < d->br.len; i++)
    if (d->br.data[i].fed && d->br.data[i].kind == k) return true;
  return false;
}

/* Report the syntax error at `t` (Lemon code `code`). */
static void report(driver *d, const ptk_token *t, int code) {
  ptk_pstate *ps = d->ps;
  ptk_range r = tok_range(t);
  if (t->kind == PTK_TOK_EOF && d->last_end.src) r = ptk_range_at(d->last_end, 0);
  bool set[512] = {0};
  expect x = {.set = set};
  int nterm = d->nterm < 512 ? d->nterm : 512;
  for (int c = 0; c < nterm; c++) set[c] = probe(d, c);
  PtkParseProbe(d->lemon, code, x.syms, MAXSYMS, &x.nsyms);
  ptk_buf found = {0}, what = {0};
  describe_found(&found, t);
  const char *fnd = ptk_buf_cstr(&found);
  int nwhat = describe_expected(&x, nterm, &what);
  const char *wht = ptk_buf_cstr(&what);
  const char *after = after_phrase(&x, nterm);
  bool want_expr = has(&x, PTKT_INT), want_stmt = has(&x, PTKT_LET);

  bracket *open = innermost_fed(d);
  bool closer_expected = open && has(&x, tokmap[closer_of(open->kind)]);
  /* Tokens that show the innermost bracket was left open. A '{' is only
   * closed by a '}', so only the end of the file or the next declaration
   * shows it open; '(' and '[' never contain a ';', a '{', another closing
   * bracket or a statement. */
  bool terminator = t->kind == PTK_TOK_EOF || is_item_keyword(t->kind);
  if (open && open->kind != PTK_TOK_LBRACE)
    terminator = terminator || t->kind == PTK_TOK_SEMI || is_closer(t->kind) ||
                 t->kind == PTK_TOK_LBRACE || is_stmt_keyword(t->kind);

  bool glued = d->last_end.src && d->last_end.off == t->loc.off;
  if ((t->kind == PTK_TOK_AMP || t->kind == PTK_TOK_PIPE) && d->last_kind == t->kind && glued &&
      want_expr) {
    ptk_range both = {{d->last_end.src, d->last_end.off - 1, d->last_end.line, d->last_end.col - 1},
                      r.end};
    perr(ps, both, "'%s' is not an operator; use '%s'", t->kind == PTK_TOK_AMP ? "&&" : "||",
         t->kind == PTK_TOK_AMP ? "and" : "or");
  } else if (t->kind == PTK_TOK_ASSIGN && has(&x, PTKT_EQEQ) && !has(&x, PTKT_ASSIGN)) {
    perr(ps, r, "unexpected '='; use '==' to compare");
  } else if (t->kind == PTK_TOK_ELSE && want_stmt) {
    perr(ps, r, "unexpected 'else' without 'if'");
  } else if (is_comparison(t->kind) &&
             (stack_is(&x, "expr EQEQ") || stack_is(&x, "expr NE") || stack_is(&x, "expr LT") ||
              stack_is(&x, "expr LE") || stack_is(&x, "expr GT") || stack_is(&x, "expr GE"))) {
    perr(ps, r, "comparison operators cannot be chained; use 'and'");
  } else if (t->kind == PTK_TOK_CONST && want_stmt) {
    perr(ps, r, "'const' declarations are only allowed at module level; use 'let' for a local "
                "constant");
  } else if (has(&x, PTKT_KERNEL) && is_stmt_keyword(t->kind)) {
    perr(ps, r, "%s statements are only allowed inside a kernel or fn body", fnd);
  } else if (has(&x, PTKT_RANGE) && stack_is(&x, "IN")) {
    perr(ps, r, "expected 'range(...)' after 'in', found %s; use 'static for' to iterate over a list",
         fnd);
  } else if (has(&x, PTKT_OUT) && t->kind == PTK_TOK_IDENT) {
    if (peek_tok(d)->kind == PTK_TOK_COLON)
      perr(ps, r, "expected ',' between parameters");
    else
      perr(ps, r, "expected 'in', 'out' or 'inout' after parameter type, found %s", fnd);
  } else if (has(&x, PTKT_OUT)) {
    perr(ps, r, "expected ',' or ')' after parameter, found %s", fnd);
  } else if (closer_expected && terminator && t->kind != closer_of(open->kind)) {
    const char *o = open_spelling(open->kind);
    const char *c = open->kind == PTK_TOK_LPAREN ? ")" : open->kind == PTK_TOK_LBRACKET ? "]" : "}";
    perr(ps, r, "expected '%s' to close '%s' opened here", c, o);
    pnote(ps, open->range, "'%s' opened here", o);
  } else if (is_closer(t->kind) && !has_open(d, opener_of(t->kind))) {
    const char *c = ptk_tok_spelling(t->kind), *o = ptk_tok_spelling(opener_of(t->kind));
    perr(ps, r, "unexpected %s with no matching %s", c, o);
  } else if (has(&x, PTKT_SEMI) && !want_expr && !want_stmt && nwhat == 1) {
    perr(ps, r, "expected ';' after %s", stmt_context(&x));
  } else if (has(&x, PTKT_IDENT) && !want_expr && !want_stmt &&
             (stack_is(&x, "COLON") || stack_is(&x, "ARROW") || stack_is(&x, "LT") ||
              stack_is(&x, "COMMA type_args"))) {
    perr(ps, r, "expected type after %s, found %s", term_spelling(x.syms[0]), fnd);
  } else if (stack_is(&x, "expr QUESTION expr") && has(&x, PTKT_COLON)) {
    perr(ps, r, "expected ':' in conditional expression 'c ? a : b', found %s", fnd);
  } else if (stack_is(&x, "ELSE")) {
    perr(ps, r, "expected '{' or 'if' after 'else', found %s", fnd);
  } else if (nwhat == 0 || nwhat > 6) {
    perr(ps, r, "unexpected %s", fnd);
  } else if (stack_is(&x, "decorators") && has(&x, PTKT_KERNEL)) {
    perr(ps, r, "expected 'kernel', 'fn' or 'const' after decorators, found %s", fnd);
  } else if (has(&x, PTKT_KERNEL)) {
    perr(ps, r, "expected 'kernel', 'fn', 'program', 'const', 'import' or a decorator, found %s", fnd);
  } else if (after && !want_expr && !want_stmt) {
    perr(ps, r, "expected %s after %s, found %s", wht, after, fnd);
  } else {
    perr(ps, r, "expected %s, found %s", wht, fnd);
  }
  if (t->spaced_slashslash.src)
    pnote(ps, ptk_range_at(t->spaced_slashslash, 2),
          "this '//' starts a comment; floor division is written without a space before it "
          "('a//b')");
  ptk_buf_free(&found);
  ptk_buf_free(&what);
}

/* ---- recovery --------------------------------------------------------- */

/* Index of the innermost '{' handed to Lemon (-1: top level). */
static long block_level(driver *d) {
  for (size_t i = d->br.len; i-- > 0;)
    if (d->br.data[i].fed && d->br.data[i].kind == PTK_TOK_LBRACE) return (long)i;
  return -1;
}

/* Recover in Lemon and feed `t` there. Returns true when t was accepted. */
static bool sync_at(driver *d, const ptk_token *t, int code, bool outermost) {
  if (!PtkParseRecover(d->lemon, outermost)) return false;
  if (!probe(d, code)) return false;
  d->skipping = false;
  feed(d, code, t);
  return true;
}

/* One token while skipping after an error. */
static void skip_token(driver *d, const ptk_token *t, int code) {
  long B = block_level(d);
  bool in_skipped_brace = false;
  for (size_t i = (size_t)(B + 1); i < d->br.len; i++)
    if (d->br.data[i].kind == PTK_TOK_LBRACE) in_skipped_brace = true;
  ptk_tok_kind k = t->kind;

  if (is_item_keyword(k) || k == PTK_TOK_EOF || code == PTKT_PROGRAM) {
    d->br.len = 0;
    if (!sync_at(d, t, code, true) && k == PTK_TOK_EOF) d->ps->stop = true;
    return;
  }
  switch (k) {
  case PTK_TOK_LPAREN:
  case PTK_TOK_LBRACKET: {
    if (d->br.len >= PTK_AST_MAX_DEPTH) {
      too_deep(d, t);
      return;
    }
    bracket b = {k, tok_range(t), false};
    ptk_vec_push(&d->br, b);
    return;
  }
  case PTK_TOK_LBRACE:
    if (in_skipped_brace || B < 0) {
      if (d->br.len >= PTK_AST_MAX_DEPTH) {
        too_deep(d, t);
        return;
      }
      bracket b = {k, tok_range(t), false};
      ptk_vec_push(&d->br, b);
      return;
    }
    d->br.len = (size_t)B + 1;
    sync_at(d, t, code, false);
    return;
  case PTK_TOK_RBRACE: {
    if (in_skipped_brace) {
      /* Close the innermost skipped '{'. */
      size_t i = d->br.len;
      while (i-- > (size_t)(B + 1))
        if (d->br.data[i].kind == PTK_TOK_LBRACE) break;
      d->br.len = i;
      if (B < 0 && d->br.len == 0) sync_at(d, t, code, false); /* item ::= error '}' */
      return;
    }
    d->br.len = (size_t)(B + 1);
    sync_at(d, t, code, false);
    return;
  }
  case PTK_TOK_RPAREN:
  case PTK_TOK_RBRACKET: {
    ptk_tok_kind o = opener_of(k);
    for (size_t i = d->br.len; i-- > (size_t)(B + 1);) {
      if (d->br.data[i].kind == PTK_TOK_LBRACE) break;
      if (d->br.data[i].kind == o) {
        d->br.len = i;
        break;
      }
    }
    return;
  }
  case PTK_TOK_SEMI:
    if (in_skipped_brace) return;
    d->br.len = (size_t)(B + 1);
    sync_at(d, t, code, false);
    return;
  case PTK_TOK_CONST:
    if (d->br.len == 0) sync_at(d, t, code, false);
    return;
  default:
    if (is_stmt_keyword(k) && B >= 0 && !in_skipped_brace) {
      d->br.len = (size_t)(B + 1);
      sync_at(d, t, code, false);
    }
    return;
  }
}

static void start_skip(driver *d, const ptk_token *t, int code) {
  d->skipping = true;
  skip_token(d, t, code);
}

/* ---- main loop -------------------------------------------------------- */

/* `>>`, `>=`, `>>=` where only a '>' fits (closing type arguments): split. */
static bool split_gt(driver *d, const ptk_token *t) {
  ptk_tok_kind rest;
  switch (t->kind) {
  case PTK_TOK_SHR: rest = PTK_TOK_GT; break;
  case PTK_TOK_GE: rest = PTK_TOK_ASSIGN; break;
  case PTK_TOK_SHR_ASSIGN: rest = PTK_TOK_GE; break;
  default: return false;
  }
  if (!probe(d, PTKT_GT)) return false;
  ptk_token gt = *t, tail = *t;
  gt.kind = PTK_TOK_GT;
  gt.len = 1;
  tail.kind = rest;
  tail.len = t->len - 1;
  tail.loc.off++;
  tail.loc.col++;
  unget_tok(d, tail);
  feed(d, PTKT_GT, &gt);
  return true;
}

/* Handle one token; true at the end of the input. */
static bool step(driver *d, ptk_token *t) {
  ptk_pstate *ps = d->ps;
  if (t->kind == PTK_TOK_ERROR) { /* already reported by the lexer */
    if (!d->skipping) start_skip(d, t, 0);
    return false;
  }
  int code = tokmap[t->kind];
  if (t->kind == PTK_TOK_IDENT) {
    int kw = is_ident(t, "out")     ? PTKT_OUT
             : is_ident(t, "inout") ? PTKT_INOUT
             : is_ident(t, "range") ? PTKT_RANGE
                                    : 0;
    if (kw && probe(d, kw)) code = kw;
    /* The program words, where nothing else could follow. */
    if (!kw && is_ident(t, "program") && (d->skipping || probe(d, PTKT_PROGRAM)) &&
        peek_tok(d)->kind == PTK_TOK_IDENT)
      code = PTKT_PROGRAM;
    else if (!kw && !d->skipping) {
      if (is_ident(t, "launch") && probe(d, PTKT_LAUNCH) && peek_tok(d)->kind == PTK_TOK_IDENT)
        code = PTKT_LAUNCH;
      else if (is_ident(t, "scope") && probe(d, PTKT_SCOPE) && peek_tok(d)->kind == PTK_TOK_LBRACE)
        code = PTKT_SCOPE;
    }
  }
  if (d->skipping) {
    skip_token(d, t, code);
    return t->kind == PTK_TOK_EOF;
  }
  if ((is_ident(t, "break") || is_ident(t, "continue")) && probe(d, PTKT_LET)) {
    perr(ps, tok_range(t), "'%s' is not supported: ptk loops have no runtime break or continue",
         t->str);
    start_skip(d, t, code);
    return false;
  }
  if (probe(d, code)) {
    feed(d, code, t);
    return t->kind == PTK_TOK_EOF;
  }
  if (split_gt(d, t)) return false;
  report(d, t, code);
  start_skip(d, t, code);
  return t->kind == PTK_TOK_EOF;
}

ptk_ast_file *ptk_parse(const ptk_source *src, ptk_diags *diags, ptk_arena *arena) {
  ptk_pstate ps = {0};
  ps.src = src;
  ps.diags = diags;
  ps.arena = arena;
  ps.errors_at_start = ptk_diags_errors(diags);
  driver d = {0};
  d.ps = &ps;
  d.lexdiags = ptk_diags_new();
  d.lx = ptk_lexer_new(src, d.lexdiags, arena);
  d.lemon = PtkParseAlloc(ptk_xmalloc);
  d.nterm = PtkParseNumTerminals();

  while (!ps.stop) {
    ptk_token t = next_tok(&d);
    if (ps.stop) break;
    bool done = step(&d, &t);
    if (t.kind != PTK_TOK_EOF) {
      d.last_end = tok_range(&t).end;
      d.last_kind = t.kind;
    }
    if (done) break;
  }

  PtkParseFree(d.lemon, free);
  ptk_lexer_free(d.lx);
  ptk_diags_free(d.lexdiags);
  ptk_vec_free(&d.br);

  ptk_ast_file *f = ptk_arena_alloc(arena, sizeof *f);
  f->src = src;
  f->items = (ptk_ast_item **)pl_ptrs(&ps, &ps.items, &f->nitems);
  if (src) {
    f->range.begin = ptk_source_loc(src, 0);
    f->range.end = ptk_source_loc(src, src->len);
  }
  return f;
}
