#include "lang/ast.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- construction ----------------------------------------------------- */

ptk_ast_expr *ptk_ast_expr_new(ptk_arena *a, ptk_ast_expr_kind kind, ptk_range r) {
  ptk_ast_expr *e = ptk_arena_alloc(a, sizeof *e);
  e->kind = kind;
  e->range = r;
  e->depth = 1;
  return e;
}

ptk_ast_stmt *ptk_ast_stmt_new(ptk_arena *a, ptk_ast_stmt_kind kind, ptk_range r) {
  ptk_ast_stmt *s = ptk_arena_alloc(a, sizeof *s);
  s->kind = kind;
  s->range = r;
  return s;
}

ptk_ast_item *ptk_ast_item_new(ptk_arena *a, ptk_ast_item_kind kind, ptk_range r) {
  ptk_ast_item *it = ptk_arena_alloc(a, sizeof *it);
  it->kind = kind;
  it->range = r;
  return it;
}

ptk_ast_type *ptk_ast_type_new(ptk_arena *a, const char *name, ptk_range r) {
  ptk_ast_type *t = ptk_arena_alloc(a, sizeof *t);
  t->name = name;
  t->range = r;
  t->name_range = r;
  return t;
}

ptk_ast_block *ptk_ast_block_new(ptk_arena *a, ptk_range r) {
  ptk_ast_block *b = ptk_arena_alloc(a, sizeof *b);
  b->range = r;
  return b;
}

/* ---- names ------------------------------------------------------------ */

static const char *const binop_str[PTK_BINOP_COUNT] = {
    [PTK_BINOP_OR] = "or",      [PTK_BINOP_AND] = "and",       [PTK_BINOP_EQ] = "==",
    [PTK_BINOP_NE] = "!=",      [PTK_BINOP_LT] = "<",          [PTK_BINOP_LE] = "<=",
    [PTK_BINOP_GT] = ">",       [PTK_BINOP_GE] = ">=",         [PTK_BINOP_BITOR] = "|",
    [PTK_BINOP_BITXOR] = "^",   [PTK_BINOP_BITAND] = "&",      [PTK_BINOP_SHL] = "<<",
    [PTK_BINOP_SHR] = ">>",     [PTK_BINOP_ADD] = "+",         [PTK_BINOP_SUB] = "-",
    [PTK_BINOP_MUL] = "*",      [PTK_BINOP_DIV] = "/",         [PTK_BINOP_FLOORDIV] = "//",
    [PTK_BINOP_MOD] = "%",      [PTK_BINOP_POW] = "**",
};

const char *ptk_ast_binop_str(ptk_ast_binop op) {
  return (unsigned)op < PTK_BINOP_COUNT ? binop_str[op] : "?";
}

const char *ptk_ast_unop_str(ptk_ast_unop op) {
  switch (op) {
  case PTK_UNOP_NEG: return "-";
  case PTK_UNOP_NOT: return "not";
  case PTK_UNOP_BITNOT: return "~";
  }
  return "?";
}

const char *ptk_ast_dir_str(ptk_ast_dir d) {
  switch (d) {
  case PTK_DIR_NONE: return "";
  case PTK_DIR_IN: return "in";
  case PTK_DIR_OUT: return "out";
  case PTK_DIR_INOUT: return "inout";
  }
  return "?";
}

/* ---- dump ------------------------------------------------------------- */

static void put_loc(ptk_buf *b, ptk_range r) {
  if (!r.begin.src && !r.begin.line) {
    ptk_buf_puts(b, " @?");
    return;
  }
  if (r.end.line == r.begin.line)
    ptk_buf_printf(b, " @%u:%u-%u", r.begin.line, r.begin.col, r.end.col);
  else
    ptk_buf_printf(b, " @%u:%u-%u:%u", r.begin.line, r.begin.col, r.end.line, r.end.col);
}

static void put_str(ptk_buf *b, const char *s, size_t n) {
  ptk_buf_putc(b, '"');
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    switch (c) {
    case '\\': ptk_buf_puts(b, "\\\\"); break;
    case '"': ptk_buf_puts(b, "\\\""); break;
    case '\n': ptk_buf_puts(b, "\\n"); break;
    case '\t': ptk_buf_puts(b, "\\t"); break;
    case '\r': ptk_buf_puts(b, "\\r"); break;
    default:
      if (c >= 0x20 && c < 0x7f)
        ptk_buf_putc(b, (char)c);
      else
        ptk_buf_printf(b, "\\x%02x", c);
    }
  }
  ptk_buf_putc(b, '"');
}

/* The shortest decimal that reads back to the same double, in the style of
 * Python's repr: fixed notation for exponents -4..15 ("0.1", "100.0",
 * "1500.0"), exponent notation otherwise ("1e-05", "1e+16"); always contains
 * '.', 'e', "inf" or "nan". */
static void put_double(ptk_buf *b, double v) {
  if (isnan(v)) {
    ptk_buf_puts(b, "nan");
    return;
  }
  if (isinf(v)) {
    ptk_buf_puts(b, v < 0 ? "-inf" : "inf");
    return;
  }
  char tmp[400];
  int prec = 1;
  for (; prec <= 17; prec++) {
    snprintf(tmp, sizeof tmp, "%.*e", prec - 1, v);
    if (strtod(tmp, NULL) == v) break;
  }
  if (prec > 17) prec = 17;
  const char *e = strchr(tmp, 'e');
  int exp = e ? atoi(e + 1) : 0;
  if (exp < -4 || exp >= 16) {
    ptk_buf_puts(b, tmp);
    return;
  }
  int frac = prec - 1 - exp;
  snprintf(tmp, sizeof tmp, "%.*f", frac > 0 ? frac : 0, v);
  ptk_buf_puts(b, tmp);
  if (!strchr(tmp, '.')) ptk_buf_puts(b, ".0");
}

static void newline(ptk_buf *b, int indent) {
  ptk_buf_putc(b, '\n');
  for (int i = 0; i < indent; i++) ptk_buf_puts(b, "  ");
}

static void dump_expr(ptk_buf *b, const ptk_ast_expr *e);

void ptk_ast_dump_type(const ptk_ast_type *t, ptk_buf *b) {
  if (!t) {
    ptk_buf_puts(b, "(type ?)");
    return;
  }
  ptk_buf_printf(b, "(type %s", t->name ? t->name : "?");
  put_loc(b, t->range);
  for (size_t i = 0; i < t->nargs; i++) {
    ptk_buf_putc(b, ' ');
    ptk_ast_dump_type(t->args[i], b);
  }
  if (t->has_dims) {
    ptk_buf_puts(b, " (dims");
    for (size_t i = 0; i < t->ndims; i++) {
      ptk_buf_putc(b, ' ');
      dump_expr(b, t->dims[i]);
    }
    ptk_buf_putc(b, ')');
  }
  ptk_buf_putc(b, ')');
}

static void dump_args(ptk_buf *b, const ptk_ast_arg *args, size_t n) {
  for (size_t i = 0; i < n; i++) {
    ptk_buf_putc(b, ' ');
    if (args[i].name) {
      ptk_buf_printf(b, "(kwarg %s", args[i].name);
      put_loc(b, args[i].range);
      ptk_buf_putc(b, ' ');
      dump_expr(b, args[i].value);
      ptk_buf_putc(b, ')');
    } else {
      dump_expr(b, args[i].value);
    }
  }
}

static void dump_expr(ptk_buf *b, const ptk_ast_expr *e) {
  if (!e) {
    ptk_buf_puts(b, "(?)");
    return;
  }
  switch (e->kind) {
  case PTK_EXPR_INT:
    ptk_buf_printf(b, "(int %llu%s", (unsigned long long)e->u.int_lit.value,
                   e->u.int_lit.hex ? " hex" : "");
    put_loc(b, e->range);
    break;
  case PTK_EXPR_FLOAT:
    ptk_buf_puts(b, "(float ");
    put_double(b, e->u.float_lit.value);
    put_loc(b, e->range);
    break;
  case PTK_EXPR_STRING:
    ptk_buf_puts(b, e->u.string_lit.raw ? "(raw-string " : "(string ");
    put_str(b, e->u.string_lit.data, e->u.string_lit.len);
    put_loc(b, e->range);
    break;
  case PTK_EXPR_BOOL:
    ptk_buf_printf(b, "(bool %s", e->u.bool_lit.value ? "true" : "false");
    put_loc(b, e->range);
    break;
  case PTK_EXPR_NAME:
    ptk_buf_printf(b, "(name %s", e->u.name.name);
    put_loc(b, e->range);
    break;
  case PTK_EXPR_LIST:
    ptk_buf_puts(b, "(list");
    put_loc(b, e->range);
    for (size_t i = 0; i < e->u.list.nelems; i++) {
      ptk_buf_putc(b, ' ');
      dump_expr(b, e->u.list.elems[i]);
    }
    break;
  case PTK_EXPR_CALL:
    ptk_buf_puts(b, "(call");
    put_loc(b, e->range);
    ptk_buf_putc(b, ' ');
    dump_expr(b, e->u.call.callee);
    dump_args(b, e->u.call.args, e->u.call.nargs);
    break;
  case PTK_EXPR_INDEX:
    ptk_buf_puts(b, "(index");
    put_loc(b, e->range);
    ptk_buf_putc(b, ' ');
    dump_expr(b, e->u.index.base);
    for (size_t i = 0; i < e->u.index.nsubs; i++) {
      const ptk_ast_subscript *s = &e->u.index.subs[i];
      ptk_buf_putc(b, ' ');
      if (!s->is_slice) {
        dump_expr(b, s->index);
        continue;
      }
      ptk_buf_puts(b, "(slice");
      put_loc(b, s->range);
      if (s->lo) {
        ptk_buf_puts(b, " (lo ");
        dump_expr(b, s->lo);
        ptk_buf_putc(b, ')');
      }
      if (s->hi) {
        ptk_buf_puts(b, " (hi ");
        dump_expr(b, s->hi);
        ptk_buf_putc(b, ')');
      }
      ptk_buf_putc(b, ')');
    }
    break;
  case PTK_EXPR_MEMBER:
    ptk_buf_printf(b, "(member %s", e->u.member.name);
    put_loc(b, e->range);
    ptk_buf_putc(b, ' ');
    dump_expr(b, e->u.member.base);
    break;
  case PTK_EXPR_UNARY:
    ptk_buf_printf(b, "(unary %s", ptk_ast_unop_str(e->u.unary.op));
    put_loc(b, e->range);
    ptk_buf_putc(b, ' ');
    dump_expr(b, e->u.unary.operand);
    break;
  case PTK_EXPR_BINARY:
    ptk_buf_printf(b, "(binary %s", ptk_ast_binop_str(e->u.binary.op));
    put_loc(b, e->range);
    ptk_buf_putc(b, ' ');
    dump_expr(b, e->u.binary.lhs);
    ptk_buf_putc(b, ' ');
    dump_expr(b, e->u.binary.rhs);
    break;
  case PTK_EXPR_TERNARY:
    ptk_buf_puts(b, "(ternary");
    put_loc(b, e->range);
    ptk_buf_putc(b, ' ');
    dump_expr(b, e->u.ternary.cond);
    ptk_buf_putc(b, ' ');
    dump_expr(b, e->u.ternary.then_expr);
    ptk_buf_putc(b, ' ');
    dump_expr(b, e->u.ternary.else_expr);
    break;
  case PTK_EXPR_LAUNCH:
    ptk_buf_puts(b, "(launch");
    put_loc(b, e->range);
    ptk_buf_putc(b, ' ');
    dump_expr(b, e->u.launch.call);
    break;
  default:
    ptk_buf_puts(b, "(?");
    break;
  }
  ptk_buf_putc(b, ')');
}

void ptk_ast_dump_expr(const ptk_ast_expr *e, ptk_buf *out) { dump_expr(out, e); }

static void dump_block(ptk_buf *b, const ptk_ast_block *blk, int indent);
static void dump_block_here(ptk_buf *b, const ptk_ast_block *blk, int indent);

static void dump_stmt(ptk_buf *b, const ptk_ast_stmt *s, int indent) {
  newline(b, indent);
  if (!s) {
    ptk_buf_puts(b, "(?)");
    return;
  }
  switch (s->kind) {
  case PTK_STMT_LET:
  case PTK_STMT_VAR:
    ptk_buf_printf(b, "(%s %s", s->kind == PTK_STMT_LET ? "let" : "var", s->u.decl.name);
    put_loc(b, s->range);
    if (s->u.decl.type) {
      ptk_buf_putc(b, ' ');
      ptk_ast_dump_type(s->u.decl.type, b);
    }
    ptk_buf_putc(b, ' ');
    dump_expr(b, s->u.decl.init);
    break;
  case PTK_STMT_ASSIGN:
    ptk_buf_printf(b, "(assign %s %s=", s->u.assign.name,
                   s->u.assign.has_op ? ptk_ast_binop_str(s->u.assign.op) : "");
    put_loc(b, s->range);
    ptk_buf_putc(b, ' ');
    dump_expr(b, s->u.assign.value);
    break;
  case PTK_STMT_EXPR:
    ptk_buf_puts(b, "(expr");
    put_loc(b, s->range);
    ptk_buf_putc(b, ' ');
    dump_expr(b, s->u.expr);
    break;
  case PTK_STMT_IF:
    ptk_buf_puts(b, "(if");
    put_loc(b, s->range);
    for (size_t i = 0; i < s->u.if_.narms; i++) {
      const ptk_ast_if_arm *a = &s->u.if_.arms[i];
      newline(b, indent + 1);
      ptk_buf_printf(b, "(arm%s", a->is_static ? " static" : "");
      put_loc(b, a->range);
      ptk_buf_putc(b, ' ');
      dump_expr(b, a->cond);
      dump_block(b, a->body, indent + 2);
      ptk_buf_putc(b, ')');
    }
    if (s->u.if_.else_body) {
      newline(b, indent + 1);
      ptk_buf_puts(b, "(else");
      dump_block(b, s->u.if_.else_body, indent + 2);
      ptk_buf_putc(b, ')');
    }
    break;
  case PTK_STMT_FOR:
    ptk_buf_printf(b, "(for %s", s->u.for_.var);
    put_loc(b, s->range);
    ptk_buf_puts(b, " (range");
    for (size_t i = 0; i < s->u.for_.nrange_args; i++) {
      ptk_buf_putc(b, ' ');
      dump_expr(b, s->u.for_.range_args[i]);
    }
    ptk_buf_putc(b, ')');
    dump_block(b, s->u.for_.body, indent + 1);
    break;
  case PTK_STMT_STATIC_FOR:
    ptk_buf_printf(b, "(static-for %s", s->u.static_for.var);
    put_loc(b, s->range);
    ptk_buf_putc(b, ' ');
    dump_expr(b, s->u.static_for.iter);
    dump_block(b, s->u.static_for.body, indent + 1);
    break;
  case PTK_STMT_WHILE:
    ptk_buf_puts(b, "(while");
    put_loc(b, s->range);
    ptk_buf_putc(b, ' ');
    dump_expr(b, s->u.while_.cond);
    dump_block(b, s->u.while_.body, indent + 1);
    break;
  case PTK_STMT_RETURN:
    ptk_buf_puts(b, "(return");
    put_loc(b, s->range);
    if (s->u.ret.value) {
      ptk_buf_putc(b, ' ');
      dump_expr(b, s->u.ret.value);
    }
    break;
  case PTK_STMT_BLOCK:
    /* The block itself is the statement: print it without a wrapper. */
    dump_block_here(b, s->u.block, indent);
    return;
  case PTK_STMT_SCOPE:
    ptk_buf_puts(b, "(scope");
    put_loc(b, s->range);
    dump_block(b, s->u.block, indent + 1);
    break;
  default:
    ptk_buf_puts(b, "(?");
    break;
  }
  ptk_buf_putc(b, ')');
}

/* Starts on a new line at `indent`. */
static void dump_block(ptk_buf *b, const ptk_ast_block *blk, int indent) {
  newline(b, indent);
  dump_block_here(b, blk, indent);
}

/* At the current position (already on its own line at `indent`). */
static void dump_block_here(ptk_buf *b, const ptk_ast_block *blk, int indent) {
  if (!blk) {
    ptk_buf_puts(b, "(block ?)");
    return;
  }
  ptk_buf_puts(b, "(block");
  put_loc(b, blk->range);
  for (size_t i = 0; i < blk->nstmts; i++) dump_stmt(b, blk->stmts[i], indent + 1);
  ptk_buf_putc(b, ')');
}

static void dump_decorators(ptk_buf *b, const ptk_ast_decorator *d, size_t n, int indent) {
  for (size_t i = 0; i < n; i++) {
    newline(b, indent);
    ptk_buf_printf(b, "(decorator %s", d[i].name);
    put_loc(b, d[i].range);
    dump_args(b, d[i].args, d[i].nargs);
    ptk_buf_putc(b, ')');
  }
}

static void dump_params(ptk_buf *b, const ptk_ast_param *p, size_t n, int indent) {
  for (size_t i = 0; i < n; i++) {
    newline(b, indent);
    ptk_buf_printf(b, "(param %s", p[i].name);
    if (p[i].is_const) ptk_buf_puts(b, " const");
    if (p[i].dir != PTK_DIR_NONE) ptk_buf_printf(b, " %s", ptk_ast_dir_str(p[i].dir));
    put_loc(b, p[i].range);
    ptk_buf_putc(b, ' ');
    ptk_ast_dump_type(p[i].type, b);
    if (p[i].default_value) {
      ptk_buf_puts(b, " (default ");
      dump_expr(b, p[i].default_value);
      ptk_buf_putc(b, ')');
    }
    ptk_buf_putc(b, ')');
  }
}

static void dump_item(ptk_buf *b, const ptk_ast_item *it, int indent) {
  newline(b, indent);
  if (!it) {
    ptk_buf_puts(b, "(?)");
    return;
  }
  switch (it->kind) {
  case PTK_ITEM_IMPORT:
    ptk_buf_puts(b, "(import ");
    put_str(b, it->u.import.path, it->u.import.path_len);
    if (it->u.import.alias) ptk_buf_printf(b, " as %s", it->u.import.alias);
    put_loc(b, it->range);
    break;
  case PTK_ITEM_KERNEL:
    ptk_buf_printf(b, "(kernel %s%s", it->u.kernel.name, it->u.kernel.body ? "" : " no-body");
    put_loc(b, it->range);
    dump_decorators(b, it->decorators, it->ndecorators, indent + 1);
    dump_params(b, it->u.kernel.params, it->u.kernel.nparams, indent + 1);
    if (it->u.kernel.body) dump_block(b, it->u.kernel.body, indent + 1);
    break;
  case PTK_ITEM_FN:
    ptk_buf_printf(b, "(fn %s", it->u.fn.name);
    put_loc(b, it->range);
    dump_decorators(b, it->decorators, it->ndecorators, indent + 1);
    dump_params(b, it->u.fn.params, it->u.fn.nparams, indent + 1);
    if (it->u.fn.ret) {
      newline(b, indent + 1);
      ptk_buf_puts(b, "(returns ");
      ptk_ast_dump_type(it->u.fn.ret, b);
      ptk_buf_putc(b, ')');
    }
    dump_block(b, it->u.fn.body, indent + 1);
    break;
  case PTK_ITEM_CONST:
    ptk_buf_printf(b, "(const %s", it->u.const_.name);
    put_loc(b, it->range);
    dump_decorators(b, it->decorators, it->ndecorators, indent + 1);
    /* After decorators, the type and value go on a line of their own. */
    if (it->ndecorators)
      newline(b, indent + 1);
    else
      ptk_buf_putc(b, ' ');
    if (it->u.const_.type) {
      ptk_ast_dump_type(it->u.const_.type, b);
      ptk_buf_putc(b, ' ');
    }
    dump_expr(b, it->u.const_.value);
    break;
  case PTK_ITEM_PROGRAM:
    ptk_buf_printf(b, "(program %s", it->u.program.name);
    put_loc(b, it->range);
    dump_params(b, it->u.program.params, it->u.program.nparams, indent + 1);
    dump_block(b, it->u.program.body, indent + 1);
    break;
  default:
    ptk_buf_puts(b, "(?");
    break;
  }
  ptk_buf_putc(b, ')');
}

void ptk_ast_dump(const ptk_ast_file *f, ptk_buf *out) {
  if (!f) {
    ptk_buf_puts(out, "(file)\n");
    return;
  }
  ptk_buf_puts(out, "(file ");
  const char *path = f->src && f->src->path ? f->src->path : "";
  put_str(out, path, strlen(path));
  for (size_t i = 0; i < f->nitems; i++) dump_item(out, f->items[i], 1);
  ptk_buf_puts(out, ")\n");
}
