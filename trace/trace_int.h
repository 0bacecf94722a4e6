/* Private to trace/: the tracer's values, scopes and context. */
#ifndef PTK_TRACE_TRACE_INT_H
#define PTK_TRACE_TRACE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "lang/ast.h"
#include "lang/diag.h"
#include "lang/ir/ir.h"
#include "trace/trace.h"

typedef struct tunit tunit;
typedef struct tlist tlist;
typedef struct tctx tctx;

/* ---- values ---------------------------------------------------------------
 * Compile-time values (int, float, bool, str, dtype, list, fn, builtin,
 * module) are computed while tracing; TV_IR is a traced IR value (scalar,
 * pointer, tensor view, partition, tile). TV_ERR: an error was already
 * reported for this value; everything built from it is TV_ERR, silently. */
typedef enum {
  TV_ERR,
  TV_NONE, /* the "value" of a call that returns nothing */
  TV_INT,
  TV_FLOAT,
  TV_BOOL,
  TV_STR,
  TV_DTYPE,
  TV_LIST,
  TV_FN,
  TV_BUILTIN,
  TV_MODULE,
  TV_IR,
} tv_kind;

typedef struct tval {
  tv_kind k;
  union {
    int64_t i;
    double f;
    bool b;
    struct {
      const char *s;
      size_t n;
    } str;
    ptk_dtype dt;
    const tlist *list;
    struct {
      tunit *u;
      const ptk_ast_item *item;
    } fn;
    int bi;
    tunit *mod;
    ptk_value *v;
  };
} tval;

struct tlist {
  size_t n;
  tval items[];
};

static inline tval tv_err(void) { return (tval){.k = TV_ERR}; }
static inline tval tv_none(void) { return (tval){.k = TV_NONE}; }
static inline tval tv_int(int64_t i) { return (tval){.k = TV_INT, .i = i}; }
static inline tval tv_float(double f) { return (tval){.k = TV_FLOAT, .f = f}; }
static inline tval tv_bool(bool b) { return (tval){.k = TV_BOOL, .b = b}; }
static inline tval tv_dtype(ptk_dtype dt) { return (tval){.k = TV_DTYPE, .dt = dt}; }
static inline tval tv_ir(ptk_value *v) { return v ? (tval){.k = TV_IR, .v = v} : tv_err(); }
static inline bool tv_is_ct(tval v) { return v.k != TV_IR && v.k != TV_ERR; }

/* ---- loaded files ------------------------------------------------------- */

typedef enum { G_FN, G_CONST, G_KERNEL, G_ALIAS, G_PROGRAM } gkind;

typedef struct gent {
  const char *name;
  uint32_t hash;
  gkind kind;
  const ptk_ast_item *item; /* G_FN, G_CONST, G_KERNEL */
  tunit *mod;               /* G_ALIAS */
  ptk_range range;          /* the name */
  tval cached;              /* G_CONST: once evaluated */
  int state;                /* G_CONST: 0 not yet, 1 evaluating, 2 done */
} gent;

typedef struct timport {
  tunit *u;
  const ptk_ast_item *item;
} timport;

struct tunit {
  const ptk_source *src;
  ptk_ast_file *ast;
  char *real;      /* realpath (or the path as given) */
  char *dir;       /* folder of the file, for relative imports and sources */
  gent *globals;   /* fn, const, kernel and `import … as` names */
  size_t nglobals;
  int32_t *gtab;   /* open-addressing index of globals by name (-1 empty) */
  uint32_t gmask;  /* gtab size - 1 (a power of two over 2 * capacity) */
  timport *stars;  /* imports without `as`: their names are visible here */
  size_t nstars;
  int state;       /* import resolution: 0 new, 1 in progress, 2 done */
  char sha[65];
};

/* ---- scopes ------------------------------------------------------------- */

typedef enum { B_LET, B_VAR, B_PARAM, B_CONST, B_LOOP } bkind;

/* A compile-time integer division that lost its remainder: r is where the
 * value appears (the division, or a use of a `let` holding it: then `div`
 * is the division). */
struct trunc_div {
  ptk_range r, div;
  int64_t a, b, q;
  bool floor;
};

typedef struct binding {
  const char *name;
  uint32_t hash;
  bkind kind;
  uint32_t scope;          /* block nesting depth it was declared at */
  tval v;
  const ptk_type *ir_type; /* declared IR scalar type (`var x: f32`): assignments coerce */
  ptk_range decl;          /* the name at the declaration */
  int32_t prev;            /* the next older binding in the same hash bucket, -1 none */
  const struct trunc_div *tdiv; /* a `let` of a truncating integer division */
} binding;

typedef struct callrec {
  const ptk_ast_item *fn;
  ptk_range at; /* the call */
} callrec;

#define TRACE_MAX_CALL_DEPTH 64
#define TRACE_MAX_ERRORS 20
#define TRACE_MAX_UNROLL 100000
#define TRACE_MAX_OPS 2000000
#define TRACE_MAX_STEPS 1000000 /* statements + calls: bounds exponential fn recursion */

struct tctx {
  ptk_diags *d;
  size_t err0;
  bool abort; /* too many errors, or an error that makes going on pointless */
  ptk_arena *arena;  /* the result's arena (ASTs, info strings) */
  ptk_arena *tmp;    /* scratch for this trace */
  ptk_trace_result *res;
  const ptk_trace_opts *opts;
  char *stdlib;      /* resolved stdlib folder (malloc'd) or NULL */
  PTK_VEC(tunit *) units;

  /* the kernel being traced */
  tunit *kunit;
  const ptk_ast_item *kernel;
  bool a5;
  ptk_module *m;
  ptk_func *f;
  ptk_block *entry;
  ptk_block *blk;      /* where ops go; NULL outside a function (module consts) */
  ptk_op *const_tail;  /* last hoisted arith.constant in the entry block */
  struct cconst {
    const ptk_type *t;
    uint64_t bits;
    ptk_value *v;
  } *consts;
  uint32_t nconsts, cap_consts;
  /* index_cast / intrinsic cache: reused where `blk` encloses the insertion point */
  PTK_VEC(struct ccast {
    ptk_value *from;
    const ptk_type *to;
    ptk_value *res;
    ptk_block *blk;
  }) casts;
  size_t nops;
  size_t steps;

  /* scopes */
  PTK_VEC(binding) binds;
  /* Loop variables of the loops that ended (for "undefined name" after a loop). */
  PTK_VEC(struct dead_loop {
    const char *name;
    ptk_range var; /* the loop variable at the loop's head */
    ptk_range stmt;
    bool is_static;
    size_t frame_base;
  }) dead_loops;
  /* Compile-time integer divisions that lost a remainder (the latest 64):
   * a float operand computed by one gets a warning. */
  struct trunc_div tdivs[64];
  size_t ntdivs;
  int call_nargs; /* positional arguments of the call whose callee is being evaluated, else -1 */
  /* Hash buckets over binds: the newest binding of each bucket (-1 none);
   * older ones chain through binding.prev, newest first. Kept in step with
   * binds by tr_declare and tr_binds_truncate, so a lookup is O(1). */
  int32_t *bheads;
  uint32_t bmask;
  size_t frame_base; /* bindings below belong to callers */
  uint32_t scope;
  tunit *unit;       /* globals of the running code */
  PTK_VEC(callrec) calls;
  int64_t chain; /* index in res->chains of the current calls, -1 not made yet */
  uint32_t scf_depth;  /* runtime if/for/while nesting */
  uint32_t frame_scf;  /* scf_depth when the current fn frame started */
  bool in_fn;
  const ptk_ast_type *fn_ret; /* declared return type of the running fn */
  bool returning;
  tval retval;
  ptk_range ret_range;
};

/* Records that an op at `loc` was traced inside the current fn calls. */
void tr_note_call_op(tctx *c, ptk_loc loc);
/* The index of the first group (a diagnostic and its notes) after i. */
size_t tr_group_end(const ptk_diags *d, size_t i);
/* Adds a note after the group that starts at `head` (ptk_note, then moved). */
void tr_note_after(ptk_diags *d, size_t head, ptk_range r, const char *fmt, ...) PTK_PRINTF(4, 5);

/* ---- diagnostics ---- */
void tr_error(tctx *c, ptk_range r, const char *fmt, ...) PTK_PRINTF(3, 4);
void tr_note(tctx *c, ptk_range r, const char *fmt, ...) PTK_PRINTF(3, 4);
bool tr_failed(const tctx *c);
const char *tv_kind_name(tval v); /* "int", "f32 scalar", "tile", "list" … */
const char *tr_type_str(tctx *c, const ptk_type *t); /* scratch-allocated */

/* ---- names ---- */
uint32_t tr_hash(const char *s);
binding *tr_lookup_local(tctx *c, const char *name, uint32_t h);
/* Locals, then globals of the unit (and its imports), then builtins.
 * False when unbound (nothing reported). */
bool tr_lookup(tctx *c, const char *name, ptk_range at, tval *out);
bool tr_is_user_name(tctx *c, const char *name); /* bound by the program, not a builtin */
binding *tr_declare(tctx *c, const char *name, ptk_range at, bkind k, tval v);
void tr_binds_truncate(tctx *c, size_t mark); /* drop the bindings from mark on */
void tr_unit_globals_init(tctx *c, tunit *u, size_t cap);
void tr_unit_global_add(tunit *u, const gent *g);
gent *tr_unit_global(tunit *u, const char *name, uint32_t h);
tval tr_global_value(tctx *c, tunit *u, gent *g, ptk_range at);
void tr_suggest(tctx *c, const char *name, ptk_range at);
/* The truncating division within `at` that gave the int v, or NULL. */
const struct trunc_div *tr_find_trunc_div(tctx *c, int64_t v, ptk_range at);
/* A loop whose variable `var` goes out of scope (tr_suggest explains its uses after the loop). */
void tr_loop_ended(tctx *c, const char *var, ptk_range var_range, ptk_range stmt, bool is_static);
/* Whether builtin `id` can be called with `nargs` positional arguments
 * (nargs < 0: used as a value, not called). */
bool tr_builtin_fits(int id, int nargs);

/* ---- IR helpers ---- */
const ptk_type *tr_scalar(ptk_dtype dt);
bool tr_nest_ok(tctx *c, ptk_range at, const char *what); /* PTK_MAX_NEST (lang/limits.h) */
bool tr_emit_ok(tctx *c, ptk_range at);  /* false (with an error) outside a function */
ptk_op *tr_build(tctx *c, ptk_op_kind k, ptk_value *const *ops, uint32_t n,
                 const ptk_type *const *res, uint32_t nres, ptk_range at);
ptk_op *tr_build_dps(tctx *c, ptk_op_kind k, ptk_value *const *ins, uint32_t nins,
                     ptk_value *const *outs, uint32_t nouts, ptk_range at);
ptk_value *tr_const_int(tctx *c, int64_t v, const ptk_type *t, ptk_range at);
ptk_value *tr_const_float(tctx *c, double v, const ptk_type *t, ptk_range at);
ptk_value *tr_const_bool(tctx *c, bool b, ptk_range at);
bool tr_const_of(const ptk_value *v, int64_t *out); /* integer arith.constant */
/* arith.index_cast, shared between uses where it dominates; casts of kernel
 * arguments are hoisted to the top of the function. */
ptk_value *tr_index_cast(tctx *c, ptk_value *v, const ptk_type *to, ptk_range at);
/* get_block_idx & co. (hoisted, cast to index, once per kernel). */
ptk_value *tr_intrinsic(tctx *c, ptk_op_kind k, ptk_range at);
ptk_loc tr_loc(ptk_range r);

/* ---- values and conversions (eval.c) ---- */
tval tr_eval(tctx *c, const ptk_ast_expr *e);
/* Default IR type of a compile-time value (int → index, float → f32, bool → i1). */
const ptk_type *tr_default_type(tval v);
/* `v` as an IR value of type `t`: compile-time values become constants,
 * i32/index convert with arith.index_cast; anything else is an error at `at`
 * naming both types ("what" names the operand). NULL on error. */
ptk_value *tr_coerce(tctx *c, tval v, const ptk_type *t, ptk_range at, const char *what);
/* `v` as an IR value of its own or its default type. */
ptk_value *tr_materialize(tctx *c, tval v, ptk_range at, const char *what);
ptk_value *tr_index(tctx *c, tval v, ptk_range at, const char *what);
tval tr_binop(tctx *c, ptk_ast_binop op, tval a, tval b, ptk_range at, ptk_range ra, ptk_range rb);
tval tr_neg(tctx *c, tval a, ptk_range at);
tval tr_cast(tctx *c, tval x, ptk_dtype dt, ptk_range at);
bool tr_is_tile(tval v);
bool tr_is_scalar_ir(tval v); /* traced scalar */
/* Compile-time int required (error naming `what`). */
bool tr_ct_int(tctx *c, tval v, ptk_range at, const char *what, int64_t *out);

/* ---- statements (stmt.c) ---- */
void tr_exec_block(tctx *c, const ptk_ast_block *b);
tval tr_call_fn(tctx *c, tval fn, const ptk_ast_expr *call);
/* A declared type (kernel/fn parameter, let/var annotation) applied to a value. */
tval tr_check_type(tctx *c, const ptk_ast_type *t, tval v, ptk_range at, const char *what);
/* The scalar dtype a type name denotes (i32, f32, index, bool → i1). */
bool tr_dtype_by_name(const char *name, ptk_dtype *out);

/* ---- builtins (builtins.c) ---- */
int tr_builtin_lookup(const char *name);
const char *tr_builtin_name(int id);
size_t tr_builtin_count(void);
tval tr_call_builtin(tctx *c, int id, const ptk_ast_expr *call);
tval tr_tile_unary(tctx *c, ptk_op_kind k, tval a, ptk_range at);
tval tr_tile_binop(tctx *c, ptk_ast_binop op, tval a, tval b, ptk_range at, ptk_range ra,
                   ptk_range rb);
tval tr_slice(tctx *c, const ptk_ast_expr *e); /* v[r0:r1, c0:c1] */
tval tr_member(tctx *c, const ptk_ast_expr *e);

/* ---- the driver (trace.c), source-backed kernels (source.c) ---- */
/* The fn calls an op was traced in (ptk_trace_call_notes): a chain of call
 * sites, innermost first, and the op locations traced under each chain. */
typedef struct tcall_site {
  const char *fn; /* in the result's arena */
  ptk_range at;
} tcall_site;
typedef struct tcall_chain {
  tcall_site *sites; /* innermost first */
  size_t n;
} tcall_chain;
typedef struct tcall_op {
  ptk_loc loc;
  uint32_t chain; /* index in ptk_trace_result.chains */
} tcall_op;

struct ptk_trace_result {
  ptk_module *m;
  ptk_func *entry;
  ptk_trace_info info;
  ptk_arena *arena;
  PTK_VEC(ptk_source *) sources; /* owned */
  PTK_VEC(tcall_chain) chains;   /* sites in arena */
  PTK_VEC(tcall_op) call_ops;
};

/* The @jit settings of the chosen kernel. */
typedef struct tjit {
  const char *name, *target, *kind, *mode;
  const char *backend; /* "tile" / "vpto" (the level of a source-backed kernel), NULL unset */
  int insert_sync; /* -1 unset */
  const ptk_ast_arg *source;
  const ptk_ast_arg *name_arg, *target_arg, *kind_arg, *mode_arg, *sync_arg, *backend_arg;
} tjit;

bool tr_source_kernel(tctx *c, tunit *u, const ptk_ast_item *k, const tjit *jit, size_t nconsts);
ptk_source *tr_keep_source(tctx *c, ptk_source *s);
char *tr_join_path(const char *dir, const char *rel); /* malloc'd */
bool tr_utf8_ok(const char *s, size_t n, size_t *bad);
const char *tr_infer_kind(ptk_func *f);
const ptk_type *tr_abi_type(tctx *c, ptk_module *m, const ptk_ast_param *p, ptk_dtype *dt, bool *is_ptr);
/* A launch (non-const) parameter of a kernel declaration at ABI position
 * `pos`: checks it (no default value; a direction only on a pointer), fills
 * *out and returns its IR type; NULL when its type is bad. Any error sets
 * *ok to false. */
const ptk_type *tr_launch_param(tctx *c, const ptk_ast_param *p, uint32_t pos, ptk_trace_param *out,
                                bool *ok);
void tr_set_entry_attrs(tctx *c, ptk_func *f, const char *kind);

#endif
