/* The syntax tree of a .ptk file (built by parser/ptk.y, walked by trace/).
 *
 * Conventions
 * - Every node carries `range`: the source text it was parsed from
 *   ([begin, end), see lang/source.h). Names carry their own `name_range`
 *   where a later pass may want to point at just the name.
 * - Tagged unions: `kind` selects the member of `u` that is valid.
 * - Sequences are arrays with a count (`items`/`nitems`); a count of 0 means
 *   the array pointer may be NULL.
 * - Names are NUL-terminated strings. String literal contents are decoded
 *   bytes with an explicit length (they may contain NUL).
 * - Optional children are NULL when absent.
 * - Everything is allocated in the arena given to ptk_parse and lives as long
 *   as it; nothing in the tree needs freeing on its own.
 *
 * A tree returned after syntax errors is partial: a construct with an error
 * in it is dropped, everything around it is kept, and every pointer that the
 * comments below do not call optional is non-NULL.
 */
#ifndef PTK_LANG_AST_H
#define PTK_LANG_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lang/source.h"
#include "lang/util.h"

typedef struct ptk_ast_expr ptk_ast_expr;
typedef struct ptk_ast_stmt ptk_ast_stmt;
typedef struct ptk_ast_type ptk_ast_type;
typedef struct ptk_ast_block ptk_ast_block;

/* ---- types ------------------------------------------------------------ */

/* Types are parsed generically as NAME [ '<' arg, … '>' ] and validated by
 * the tracer: `f32` is {name "f32", 0 args}; `ptr<f32, gm>` is {name "ptr",
 * args [{"f32"}, {"gm"}]}; `list<int>`, `tile`, `tensor_view` likewise. A
 * bare identifier argument such as `gm` is a type with no arguments. */
struct ptk_ast_type {
  ptk_range range;
  const char *name;
  ptk_range name_range;
  ptk_ast_type **args;
  size_t nargs;
  /* `tensor<f32>[M, 128]` (program parameters): the shape, one expression
   * per dimension (an integer, a const, or a name for a dynamic dimension);
   * has_dims false when no `[…]` was written. */
  bool has_dims;
  ptk_ast_expr **dims;
  size_t ndims;
};

/* ---- expressions ------------------------------------------------------ */

typedef enum ptk_ast_expr_kind {
  PTK_EXPR_INT,     /* u.int_lit */
  PTK_EXPR_FLOAT,   /* u.float_lit */
  PTK_EXPR_STRING,  /* u.string_lit ("…" or """…""") */
  PTK_EXPR_BOOL,    /* u.bool_lit */
  PTK_EXPR_NAME,    /* u.name */
  PTK_EXPR_LIST,    /* u.list: [a, b, c] */
  PTK_EXPR_CALL,    /* u.call: f(a, k = v) */
  PTK_EXPR_INDEX,   /* u.index: v[i], v[a:b, :, c:] */
  PTK_EXPR_MEMBER,  /* u.member: a.b */
  PTK_EXPR_UNARY,   /* u.unary: -e, not e, ~e */
  PTK_EXPR_BINARY,  /* u.binary */
  PTK_EXPR_TERNARY, /* u.ternary: c ? a : b */
  PTK_EXPR_LAUNCH,  /* u.launch: launch K(args…) / launch m.K(args…) (programs) */
} ptk_ast_expr_kind;

typedef enum ptk_ast_unop {
  PTK_UNOP_NEG,    /* -e */
  PTK_UNOP_NOT,    /* not e */
  PTK_UNOP_BITNOT, /* ~e */
} ptk_ast_unop;

/* In the order of lowest to highest precedence group; PTK_BINOP_COUNT last. */
typedef enum ptk_ast_binop {
  PTK_BINOP_OR,       /* or */
  PTK_BINOP_AND,      /* and */
  PTK_BINOP_EQ,       /* == */
  PTK_BINOP_NE,       /* != */
  PTK_BINOP_LT,       /* < */
  PTK_BINOP_LE,       /* <= */
  PTK_BINOP_GT,       /* > */
  PTK_BINOP_GE,       /* >= */
  PTK_BINOP_BITOR,    /* | */
  PTK_BINOP_BITXOR,   /* ^ */
  PTK_BINOP_BITAND,   /* & */
  PTK_BINOP_SHL,      /* << */
  PTK_BINOP_SHR,      /* >> */
  PTK_BINOP_ADD,      /* + */
  PTK_BINOP_SUB,      /* - */
  PTK_BINOP_MUL,      /* * */
  PTK_BINOP_DIV,      /* / */
  PTK_BINOP_FLOORDIV, /* // */
  PTK_BINOP_MOD,      /* % */
  PTK_BINOP_POW,      /* ** */
  PTK_BINOP_COUNT
} ptk_ast_binop;

/* A call argument: positional (name == NULL) or keyword `name = value`.
 * Positional arguments always come before keyword arguments (the parser
 * reports anything else). */
typedef struct ptk_ast_arg {
  ptk_range range;      /* the whole argument */
  const char *name;     /* optional */
  ptk_range name_range; /* valid when name != NULL */
  ptk_ast_expr *value;
} ptk_ast_arg;

/* One subscript of v[…]: an index `i`, or a slice `lo:hi` where either bound
 * may be omitted (`:`, `a:`, `:b`). */
typedef struct ptk_ast_subscript {
  ptk_range range;
  bool is_slice;
  ptk_ast_expr *index; /* !is_slice */
  ptk_ast_expr *lo;    /* is_slice; optional */
  ptk_ast_expr *hi;    /* is_slice; optional */
} ptk_ast_subscript;

struct ptk_ast_expr {
  ptk_ast_expr_kind kind;
  ptk_range range;
  /* Height of this expression tree (a leaf is 1). The parser keeps it at
   * most PTK_AST_MAX_DEPTH so recursive walks are safe. */
  uint32_t depth;
  union {
    struct {
      uint64_t value; /* may exceed INT64_MAX (e.g. the operand of `-9223372036854775808`) */
      bool hex;       /* written as 0x… */
    } int_lit;
    struct {
      double value;
    } float_lit;
    struct {
      const char *data; /* decoded bytes, NUL-terminated for convenience */
      size_t len;       /* authoritative (data may contain NUL) */
      bool raw;         /* """…""" */
    } string_lit;
    struct {
      bool value;
    } bool_lit;
    struct {
      const char *name;
    } name;
    struct {
      ptk_ast_expr **elems;
      size_t nelems;
    } list;
    struct {
      ptk_ast_expr *callee;
      ptk_ast_arg *args;
      size_t nargs;
    } call;
    struct {
      ptk_ast_expr *base;
      ptk_ast_subscript *subs;
      size_t nsubs; /* >= 1 */
    } index;
    struct {
      ptk_ast_expr *base;
      const char *name;
      ptk_range name_range;
    } member;
    struct {
      ptk_ast_unop op;
      ptk_range op_range;
      ptk_ast_expr *operand;
    } unary;
    struct {
      ptk_ast_binop op;
      ptk_range op_range;
      ptk_ast_expr *lhs, *rhs;
    } binary;
    struct {
      ptk_ast_expr *cond, *then_expr, *else_expr;
    } ternary;
    struct {
      ptk_range kw_range; /* the `launch` keyword */
      ptk_ast_expr *call; /* a PTK_EXPR_CALL whose callee is a NAME or a MEMBER of a NAME */
    } launch;
  } u;
};

/* Expressions (and brackets) nested deeper than this are a syntax error
 * ("nesting too deep"), and the parse stops there. */
#define PTK_AST_MAX_DEPTH 256

/* ---- statements ------------------------------------------------------- */

typedef enum ptk_ast_stmt_kind {
  PTK_STMT_LET,        /* u.decl: let x [: T] = e; */
  PTK_STMT_VAR,        /* u.decl: var x [: T] = e; */
  PTK_STMT_ASSIGN,     /* u.assign: x = e;  x op= e; */
  PTK_STMT_EXPR,       /* u.expr: e; */
  PTK_STMT_IF,         /* u.if_: if/else if/else chains, `static if` */
  PTK_STMT_FOR,        /* u.for_: for i in range(…) { … } */
  PTK_STMT_STATIC_FOR, /* u.static_for: static for x in e { … } */
  PTK_STMT_WHILE,      /* u.while_ */
  PTK_STMT_RETURN,     /* u.ret */
  PTK_STMT_BLOCK,      /* u.block: { … } */
  PTK_STMT_SCOPE,      /* u.block: scope { … } (programs: frees its intermediates at the end) */
} ptk_ast_stmt_kind;

struct ptk_ast_block {
  ptk_range range; /* from '{' to '}' inclusive */
  ptk_ast_stmt **stmts;
  size_t nstmts;
};

/* One `if` (or `static if`) condition and its block. */
typedef struct ptk_ast_if_arm {
  ptk_range range; /* from 'if' (or 'static') to the end of the block */
  bool is_static;
  ptk_ast_expr *cond;
  ptk_ast_block *body;
} ptk_ast_if_arm;

struct ptk_ast_stmt {
  ptk_ast_stmt_kind kind;
  ptk_range range; /* including the ';' where there is one */
  union {
    struct {
      const char *name;
      ptk_range name_range;
      ptk_ast_type *type; /* optional */
      ptk_ast_expr *init;
    } decl;
    struct {
      const char *name; /* the assigned variable */
      ptk_range name_range;
      /* Plain `=`: has_op false. `x op= e`: has_op true and op is the
       * operator (`+=` → PTK_BINOP_ADD, `//=` → FLOORDIV, `**=` → POW …). */
      bool has_op;
      ptk_ast_binop op;
      ptk_range op_range; /* the `=` or `op=` token */
      ptk_ast_expr *value;
    } assign;
    ptk_ast_expr *expr;
    /* `if a {…} else if b {…} else {…}` is ONE statement with two arms and
     * an else block; `else static if` arms are marked static. The chain is
     * flat, so a long else-if ladder does not nest. */
    struct {
      ptk_ast_if_arm *arms; /* >= 1, tried in order */
      size_t narms;
      ptk_ast_block *else_body; /* optional */
    } if_;
    struct {
      const char *var;
      ptk_range var_range;
      ptk_ast_expr **range_args; /* range(hi) | range(lo, hi) | range(lo, hi, step) */
      size_t nrange_args;        /* 1..3 */
      ptk_ast_block *body;
    } for_;
    struct {
      const char *var;
      ptk_range var_range;
      ptk_ast_expr *iter;
      ptk_ast_block *body;
    } static_for;
    struct {
      ptk_ast_expr *cond;
      ptk_ast_block *body;
    } while_;
    struct {
      ptk_ast_expr *value; /* optional */
    } ret;
    ptk_ast_block *block;
  } u;
};

/* ---- declarations ----------------------------------------------------- */

typedef enum ptk_ast_dir {
  PTK_DIR_NONE, /* not written */
  PTK_DIR_IN,
  PTK_DIR_OUT,
  PTK_DIR_INOUT,
} ptk_ast_dir;

/* `[const] NAME : TYPE [in|out|inout] [= DEFAULT]` */
typedef struct ptk_ast_param {
  ptk_range range;
  bool is_const;
  const char *name;
  ptk_range name_range;
  ptk_ast_type *type;
  ptk_ast_dir dir;
  ptk_range dir_range; /* valid when dir != PTK_DIR_NONE */
  ptk_ast_expr *default_value; /* optional */
} ptk_ast_param;

/* `@name` or `@name(k = v, …)`: arguments are keyword arguments only. */
typedef struct ptk_ast_decorator {
  ptk_range range;
  const char *name;
  ptk_range name_range;
  bool has_parens; /* `@jit()` vs `@jit` */
  ptk_ast_arg *args; /* every args[i].name != NULL */
  size_t nargs;
} ptk_ast_decorator;

typedef enum ptk_ast_item_kind {
  PTK_ITEM_IMPORT, /* u.import */
  PTK_ITEM_KERNEL, /* u.kernel */
  PTK_ITEM_FN,     /* u.fn */
  PTK_ITEM_CONST,  /* u.const_ */
  PTK_ITEM_PROGRAM, /* u.program */
} ptk_ast_item_kind;

typedef struct ptk_ast_item {
  ptk_ast_item_kind kind;
  ptk_range range; /* from the first decorator (if any) to the end */
  /* Decorators written before the item (never on an import). */
  ptk_ast_decorator *decorators;
  size_t ndecorators;
  union {
    struct {
      const char *path; /* decoded string, NUL-terminated */
      size_t path_len;
      ptk_range path_range;
      const char *alias; /* optional: `as NAME` */
      ptk_range alias_range;
    } import;
    struct {
      const char *name;
      ptk_range name_range;
      ptk_ast_param *params;
      size_t nparams;
      ptk_ast_block *body; /* NULL: declared with ';' (source-backed) */
    } kernel;
    struct {
      const char *name;
      ptk_range name_range;
      ptk_ast_param *params;
      size_t nparams;
      ptk_ast_type *ret; /* optional: `-> T` */
      ptk_ast_block *body;
    } fn;
    struct {
      const char *name;
      ptk_range name_range;
      ptk_ast_type *type; /* optional */
      ptk_ast_expr *value;
    } const_;
    struct {
      const char *name;
      ptk_range name_range;
      ptk_ast_param *params;
      size_t nparams;
      ptk_ast_block *body;
    } program;
  } u;
} ptk_ast_item;

typedef struct ptk_ast_file {
  const ptk_source *src;
  ptk_range range;
  ptk_ast_item **items; /* in source order */
  size_t nitems;
} ptk_ast_file;

/* ---- names of enum values (as written in source / in the dump) -------- */

const char *ptk_ast_binop_str(ptk_ast_binop op); /* "+", "//", "and", "==" … */
const char *ptk_ast_unop_str(ptk_ast_unop op);   /* "-", "not", "~" */
const char *ptk_ast_dir_str(ptk_ast_dir d);      /* "", "in", "out", "inout" */

/* ---- the S-expression dump (`ptk parse --dump-ast`) --------------------
 *
 * Stable, deterministic text used by the tests. Grammar of the output:
 *
 *   node  := '(' head attr* loc child* ')'
 *   loc   := '@' LINE ':' COL '-' [LINE ':'] COL
 *
 * `loc` is the node's range; columns are 1-based bytes and the end is
 * exclusive (one past the last byte); the end line is omitted when it equals
 * the begin line: `@3:5-12` spans line 3 columns 5..11, `@3:1-7:2` ends just
 * after column 1 of line 7. Strings are printed in double quotes with C
 * escapes (\\ \" \n \t \r and \xHH for other bytes outside 0x20..0x7e).
 * Floats are printed like Python's repr: the fewest digits that read back
 * exactly, fixed notation for decimal exponents -4..15 ("0.1", "100.0"),
 * exponent notation otherwise ("1e-06", "1e+16"). Items, decorators, parameters and
 * statements start on their own line, indented two spaces per level; types
 * and expressions are printed inline.
 *
 *   (file "path.ptk" ITEM*)
 *   (import "lib.ptk" [as NAME] @loc)
 *   (kernel NAME [no-body] @loc DECORATOR* PARAM* [BLOCK])
 *   (fn NAME @loc DECORATOR* PARAM* [(returns TYPE)] BLOCK)
 *   (const NAME @loc DECORATOR* [TYPE] EXPR)   (TYPE and EXPR on a new line after decorators)
 *   (program NAME @loc PARAM* BLOCK)
 *   (decorator NAME @loc ARG*)                  ARG := EXPR | (kwarg NAME @loc EXPR)
 *   (param NAME [const] [in|out|inout] @loc TYPE [(default EXPR)])
 *   (type NAME @loc TYPE* [(dims EXPR*)])
 *
 *   (block @loc STMT*)
 *   (let NAME @loc [TYPE] EXPR)   (var NAME @loc [TYPE] EXPR)
 *   (assign NAME = @loc EXPR)     (assign NAME += @loc EXPR) …
 *   (expr @loc EXPR)
 *   (if @loc ARM+ [(else BLOCK)])  ARM := (arm [static] @loc EXPR BLOCK)
 *   (for NAME @loc (range EXPR+) BLOCK)
 *   (static-for NAME @loc EXPR BLOCK)
 *   (while @loc EXPR BLOCK)
 *   (return @loc [EXPR])
 *   (scope @loc BLOCK)
 *
 *   (int 42 @loc)  (int 31 hex @loc)  (float 0.5 @loc)  (string "s" @loc)
 *   (raw-string "s" @loc)  (bool true @loc)  (name x @loc)
 *   (list @loc EXPR*)  (call @loc EXPR ARG*)  (index @loc EXPR SUB+)
 *     SUB := EXPR | (slice @loc [(lo EXPR)] [(hi EXPR)])
 *   (member NAME @loc EXPR)  (unary - @loc EXPR)  (binary + @loc EXPR EXPR)
 *   (ternary @loc EXPR EXPR EXPR)  (launch @loc CALL)
 *
 * A NULL file prints "(file)". */
void ptk_ast_dump(const ptk_ast_file *f, ptk_buf *out);
/* One expression / type, inline (used by unit tests and debugging). */
void ptk_ast_dump_expr(const ptk_ast_expr *e, ptk_buf *out);
void ptk_ast_dump_type(const ptk_ast_type *t, ptk_buf *out);

/* ---- construction (used by the parser) -------------------------------- */

ptk_ast_expr *ptk_ast_expr_new(ptk_arena *a, ptk_ast_expr_kind kind, ptk_range r);
ptk_ast_stmt *ptk_ast_stmt_new(ptk_arena *a, ptk_ast_stmt_kind kind, ptk_range r);
ptk_ast_item *ptk_ast_item_new(ptk_arena *a, ptk_ast_item_kind kind, ptk_range r);
ptk_ast_type *ptk_ast_type_new(ptk_arena *a, const char *name, ptk_range r);
ptk_ast_block *ptk_ast_block_new(ptk_arena *a, ptk_range r);

#endif
