/* Programs: loading, checking and running (see program.h). One evaluator
 * serves both the check at load time (abstract: runtime values unknown, no
 * data) and the run (every value known, tasks submitted to sched.c). */
#include "runtime/program/program.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lang/diag.h"
#include "parser/parse.h"
#include "runtime/jit/jit.h"
#include "runtime/kernel.h"
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "backend/build_dir.h"
#include "backend/lower.h"
#include "parser/pto_print.h"
#include "parser/pto_read.h"
#include "runtime/isa/scalar.h"
#include "runtime/program/orch_ir.h"
#include "runtime/program/sched.h"

#define MAX_ERRORS 20
#define CHECK_ITERS 2              /* loop iterations checked at load time */
#define MAX_STEPS 10000000ull      /* statements evaluated per run */
#define MAX_OPS (16 * MAX_STEPS)   /* orchestration IR ops evaluated per run */
#define MAX_BLOCKS (1u << 24)
#define MAX_TASKS 10000000ull      /* default ptk_program_run_opts.max_tasks */

/* ---- the program object ------------------------------------------------------------------------ */

typedef struct pfile {
  char *path;          /* as resolved */
  const ptk_source *src;
  ptk_source *own;     /* loaded here */
  ptk_ast_file *ast;
  const char *alias;   /* `import … as alias`; NULL: a star import (or the main file) */
} pfile;

typedef struct pkernel {
  struct ptk_program *P;
  size_t index;        /* in P->kernels */
  char *key;
  char *display;       /* as launched: add, m.add, add[N=4] */
  char *stem;          /* display as a file name */
  const char *path;    /* the file loaded */
  const ptk_ast_item *item;
  size_t file;         /* index in files */
  ptk_loaded *l;
  const ptk_abi *abi;
  ptk_interp_prog *ip;
  ptk_jit_prog *jp;
} pkernel;

struct ptk_program {
  ptk_arena *arena;
  ptk_source *own_src;
  const ptk_source *src;
  const ptk_ast_item *item;
  PTK_VEC(pfile) files; /* [0]: the program's own file */
  PTK_VEC(pkernel *) kernels;
  ptk_program_param *params;
  size_t nparams;
  ptk_trace_opts trace;
  unsigned flags;
  bool jit;
  char *stdlib;
  char **cnames, **cvalues; /* const bindings (ptk_program_opts.consts) */
  size_t nconsts;
  char *dump_root, *dump_regex;
  ptk_program_kernel_src *srcs; /* replay: kernels from .pto files */
  size_t nsrcs;
  /* the orchestration IR (built at load, verified, its static graph derived) */
  ptk_module *orch;
  ptk_orch_graph graph;
  /* the run in progress */
  const ptk_program_run_opts *ro;
  /* the last run */
  PTK_VEC(ptk_program_task_info) infos;
  PTK_VEC(int64_t *) info_preds;
};

static bool dtype_by_name(const char *name, ptk_dtype *out) {
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

static bool tdtype_of(ptk_dtype dt, ptk_tdtype *out) {
  const char *n = ptk_dtype_name(dt);
  return ptk_tdtype_parse(n, strlen(n), out);
}

/* ---- values -------------------------------------------------------------------------------------- */

typedef enum { V_ERR, V_NONE, V_INT, V_FLOAT, V_BOOL, V_DTYPE, V_STR, V_TENSOR, V_TASK, V_LIST } vkind;

typedef struct pbuf {
  int32_t id; /* scheduler buffer (run), -1 at check time */
  ptk_tdtype dt;
  int rank;
  int64_t shape[PTK_TENSOR_MAX_RANK]; /* -1 unknown */
  const char *name;
  ptk_range decl;    /* the parameter or the alloc_tensor call */
  int param;         /* parameter index, or -1 for an intermediate */
  bool readonly;     /* a program `in` tensor */
  bool freed;
  ptk_range freed_at;
  uint32_t scope;    /* scope depth it was allocated at */
  bool scoped;       /* allocated inside a `scope { }` (freed at its end) */
  uint8_t *data;
  int64_t nbytes;
  ptk_value *ir;     /* trace: the parameter or ptk.alloc_tensor */
} pbuf;

typedef struct pview {
  pbuf *b;
  int rank;
  int64_t shape[PTK_TENSOR_MAX_RANK];   /* -1 unknown */
  int64_t strides[PTK_TENSOR_MAX_RANK]; /* elements */
  int64_t off;                          /* elements; -1 unknown */
} pview;

typedef struct pval pval;
struct pval {
  vkind k;
  bool known;
  int64_t i;
  double f;
  ptk_dtype dt;
  const char *s;
  pview *v;
  int64_t task;
  pval *items;
  size_t n;
  bool nodep; /* a tensor wrapped in no_dep(…): not tracked by the scheduler */
  ptk_value *ir; /* trace: the orchestration IR value (NULL: a known scalar, materialized on use) */
};

static pval v_err(void) { return (pval){.k = V_ERR}; }
static pval v_int(int64_t i) { return (pval){.k = V_INT, .known = true, .i = i}; }
static pval v_float(double f) { return (pval){.k = V_FLOAT, .known = true, .f = f}; }
static pval v_bool(bool b) { return (pval){.k = V_BOOL, .known = true, .i = b}; }
static pval v_unknown(vkind k) { return (pval){.k = k, .known = false}; }

static const char *kind_name(const pval *v) {
  switch (v->k) {
  case V_ERR: return "error";
  case V_NONE: return "nothing";
  case V_INT: return "int";
  case V_FLOAT: return "float";
  case V_BOOL: return "bool";
  case V_DTYPE: return "dtype";
  case V_STR: return "string";
  case V_TENSOR: return "tensor";
  case V_TASK: return "task";
  case V_LIST: return "list";
  }
  return "?";
}

static ptk_range prog_range(const ptk_program *P);

static const char *a_an(const char *w) { return strchr("aeiou", w[0]) ? "an" : "a"; }

typedef struct binding {
  const char *name;
  pval v;
  uint32_t scope;
  bool is_var;
  ptk_range decl;
} binding;

typedef struct pctx {
  ptk_program *P;
  ptk_diags *d;
  size_t err0;
  bool run;
  bool abort;
  bool stopped; /* run: a task failed */
  ptk_arena *a;
  PTK_VEC(binding) binds;
  uint32_t scope;
  PTK_VEC(pbuf *) bufs;
  PTK_VEC(struct scope_rec { uint32_t depth; ptk_range end; }) scopes;
  psched *S;
  uint64_t steps, max_tasks, ntasks;
  const ptk_ast_block *body;
  int const_depth;
  /* trace (building the orchestration IR; orch_trace.c's notes): not run, not checked again */
  bool trace;
  ptk_module *M;
  ptk_func *F;
  ptk_block *blk;
  pval *iv; /* running the IR: values by uid */
} pctx;

static void perr(pctx *c, ptk_range r, const char *fmt, ...) PTK_PRINTF(3, 4);
static void perr(pctx *c, ptk_range r, const char *fmt, ...) {
  if (c->abort) return;
  va_list ap;
  va_start(ap, fmt);
  ptk_diag_emitv(c->d, PTK_SEV_ERROR, NULL, r, fmt, ap);
  va_end(ap);
  if (ptk_diags_errors(c->d) - c->err0 >= MAX_ERRORS) c->abort = true;
}

static bool errs_since(pctx *c, size_t e0) { return ptk_diags_errors(c->d) > e0; }
static bool halted(pctx *c) { return c->abort || c->stopped; }

/* ---- names ------------------------------------------------------------------------------------------- */

static binding *lookup(pctx *c, const char *name) {
  for (size_t i = c->binds.len; i-- > 0;)
    if (!strcmp(c->binds.data[i].name, name)) return &c->binds.data[i];
  return NULL;
}

static void declare(pctx *c, const char *name, ptk_range at, pval v, bool is_var) {
  binding b = {name, v, c->scope, is_var, at};
  ptk_vec_push(&c->binds, b);
}

/* ---- trace: building the orchestration IR ---------------------------------------------------------
 * A third mode of the evaluator (after the check, before any run): every
 * value carries an IR value; known scalars are folded and materialized as
 * arith.constant where used; every `for` becomes an scf.for whose body is
 * traced once with a symbolic induction variable (vars it assigns become
 * iter_args), an `if` on a run-time value becomes an scf.if (vars assigned
 * in an arm become results), an `if` on a known value keeps only its arm.
 * Ints are i64, floats f64, bools i1 (docs/programs-ir.md). */

static const ptk_type *ty(ptk_dtype dt) { return ptk_type_scalar(dt); }

/* An arith.constant of the current block with this value and type (the
 * trace reuses them rather than writing one per use). */
static ptk_value *known_const(pctx *c, const pval *v) {
  for (const ptk_op *op = c->blk->last; op; op = op->prev) {
    if (op->kind != PTK_OP_ARITH_CONSTANT) continue;
    const ptk_type *t = op->results[0].type;
    const ptk_attr *a = ptk_op_attr(op, "value");
    int64_t x;
    if (v->k == V_FLOAT) {
      if (ptk_type_is_scalar(t, PTK_DT_F64) && a && a->kind == PTK_ATTR_FLOAT &&
          a->f.bits == ptk_float_to_bits(v->f, PTK_DT_F64))
        return &op->results[0];
    } else if (ptk_type_is_scalar(t, v->k == V_BOOL ? PTK_DT_I1 : PTK_DT_I64) && a && a->kind != PTK_ATTR_FLOAT &&
               ptk_attr_get_int(a, &x) && (v->k == V_BOOL ? (x != 0) == (v->i != 0) : x == v->i)) {
      return &op->results[0];
    }
  }
  return NULL;
}

static ptk_value *irv(pctx *c, const pval *v, ptk_range r) {
  if (v->ir) return v->ir;
  ptk_value *k = v->known ? known_const(c, v) : NULL;
  if (k) return k;
  if (v->known) {
    if (v->k == V_INT) return ptk_build_const_int(c->M, c->blk, v->i, ty(PTK_DT_I64), r.begin);
    if (v->k == V_BOOL) return ptk_build_const_bool(c->M, c->blk, v->i != 0, r.begin);
    if (v->k == V_FLOAT) return ptk_build_const_float(c->M, c->blk, v->f, ty(PTK_DT_F64), r.begin);
  }
  perr(c, r, "internal error: this %s has no value in the orchestration IR", kind_name(v));
  return NULL;
}

static ptk_op *emit(pctx *c, ptk_op_kind k, ptk_value *const *ops, uint32_t n, const ptk_type *rt, ptk_range r) {
  return ptk_build(c->M, c->blk, k, ops, n, rt ? &rt : NULL, rt ? 1 : 0, r.begin);
}
static ptk_value *emit1(pctx *c, ptk_op_kind k, ptk_value *const *ops, uint32_t n, const ptk_type *rt, ptk_range r) {
  return ptk_op_result(emit(c, k, ops, n, rt, r), 0);
}

/* An int/bool value as f64, a bool as i64, an int as i1 (!= 0). */
static ptk_value *as_type(pctx *c, ptk_value *x, ptk_dtype want, ptk_range r) {
  ptk_dtype have = x->type->dt;
  if (have == want) return x;
  if (want == PTK_DT_F64) {
    if (have == PTK_DT_I1) x = emit1(c, PTK_OP_ARITH_EXTUI, &x, 1, ty(PTK_DT_I64), r);
    return emit1(c, PTK_OP_ARITH_SITOFP, &x, 1, ty(PTK_DT_F64), r);
  }
  if (want == PTK_DT_I64) return emit1(c, PTK_OP_ARITH_EXTUI, &x, 1, ty(PTK_DT_I64), r);
  ptk_value *ops[2] = {x, ptk_build_const_int(c->M, c->blk, 0, x->type, r.begin)};
  ptk_op *op = emit(c, have == PTK_DT_F64 ? PTK_OP_ARITH_CMPF : PTK_OP_ARITH_CMPI, ops, 2, ty(PTK_DT_I1), r);
  ptk_op_set_attr(op, "predicate", ptk_attr_int(c->M, have == PTK_DT_F64 ? PTK_CMPF_une : PTK_CMPI_ne, NULL));
  return ptk_op_result(op, 0);
}

static ptk_value *cmp(pctx *c, bool fl, int64_t pred, ptk_value *x, ptk_value *y, ptk_range r) {
  ptk_value *ops[2] = {x, y};
  ptk_op *op = emit(c, fl ? PTK_OP_ARITH_CMPF : PTK_OP_ARITH_CMPI, ops, 2, ty(PTK_DT_I1), r);
  ptk_op_set_attr(op, "predicate", ptk_attr_int(c->M, pred, NULL));
  return ptk_op_result(op, 0);
}

/* The IR of a binary operation whose result is not known (r from binop). */
static pval trace_binop(pctx *c, const ptk_ast_expr *e, pval a, pval b, pval r) {
  if (!c->trace || r.k == V_ERR || r.known) return r;
  ptk_ast_binop op = e->u.binary.op;
  ptk_range at = e->u.binary.op_range;
  ptk_value *x = irv(c, &a, e->range), *y = irv(c, &b, e->range);
  if (!x || !y) return v_err();
  bool fl = a.k == V_FLOAT || b.k == V_FLOAT;
  ptk_dtype w = fl ? PTK_DT_F64 : PTK_DT_I64;
  if (op == PTK_BINOP_AND || op == PTK_BINOP_OR) {
    ptk_value *ops[2] = {as_type(c, x, PTK_DT_I1, at), as_type(c, y, PTK_DT_I1, at)};
    r.ir = emit1(c, op == PTK_BINOP_AND ? PTK_OP_ARITH_ANDI : PTK_OP_ARITH_ORI, ops, 2, ty(PTK_DT_I1), at);
    return r;
  }
  x = as_type(c, x, w, at);
  y = as_type(c, y, w, at);
  int64_t pred = ptk_trace_cmp_predicate(op, fl);
  if (pred >= 0) {
    r.ir = cmp(c, fl, pred, x, y, at);
    return r;
  }
  ptk_op_kind k = PTK_OP__INVALID;
  switch (op) {
  case PTK_BINOP_ADD: k = fl ? PTK_OP_ARITH_ADDF : PTK_OP_ARITH_ADDI; break;
  case PTK_BINOP_SUB: k = fl ? PTK_OP_ARITH_SUBF : PTK_OP_ARITH_SUBI; break;
  case PTK_BINOP_MUL: k = fl ? PTK_OP_ARITH_MULF : PTK_OP_ARITH_MULI; break;
  case PTK_BINOP_DIV: k = fl ? PTK_OP_ARITH_DIVF : PTK_OP_ARITH_DIVSI; break;
  case PTK_BINOP_FLOORDIV: k = fl ? PTK_OP_ARITH_DIVF : PTK_OP_ARITH_FLOORDIVSI; break;
  case PTK_BINOP_POW: k = fl ? PTK_OP_MATH_POWF : PTK_OP_MATH_IPOWI; break;
  case PTK_BINOP_MOD: k = PTK_OP_ARITH_REMSI; break;
  case PTK_BINOP_BITOR: k = PTK_OP_ARITH_ORI; break;
  case PTK_BINOP_BITXOR: k = PTK_OP_ARITH_XORI; break;
  case PTK_BINOP_BITAND: k = PTK_OP_ARITH_ANDI; break;
  case PTK_BINOP_SHL: k = PTK_OP_ARITH_SHLI; break;
  case PTK_BINOP_SHR: k = PTK_OP_ARITH_SHRSI; break;
  default: break;
  }
  if (k == PTK_OP__INVALID) {
    perr(c, at, "'%s' on a value known only at run time has no orchestration IR op (compute it with known "
         "values, or inside a kernel)", ptk_ast_binop_str(op));
    return v_err();
  }
  ptk_value *ops[2] = {x, y};
  r.ir = emit1(c, k, ops, 2, ty(w), at);
  if (fl && op == PTK_BINOP_FLOORDIV) r.ir = emit1(c, PTK_OP_MATH_FLOOR, &r.ir, 1, ty(w), at); /* floor(x / y) */
  return r;
}

static ptk_value *ir_sub(pctx *c, const pval *hi, const pval *lo, ptk_range r) {
  if (hi->known && lo->known && hi->k == V_INT && lo->k == V_INT) {
    pval d = v_int((int64_t)((uint64_t)hi->i - (uint64_t)lo->i));
    return irv(c, &d, r);
  }
  ptk_value *ops[2] = {irv(c, hi, r), irv(c, lo, r)};
  if (!ops[0] || !ops[1]) return NULL;
  return emit1(c, PTK_OP_ARITH_SUBI, ops, 2, ty(PTK_DT_I64), r);
}

static const ptk_type *view_type(pctx *c, const pview *v) {
  return ptk_orch_tensor_type(c->M, v->b->dt, v->rank, v->shape);
}

/* ---- kernels ----------------------------------------------------------------------------------------- */

static const ptk_ast_item *find_kernel_item(const ptk_ast_file *f, const char *name) {
  for (size_t i = 0; f && i < f->nitems; i++)
    if (f->items[i]->kind == PTK_ITEM_KERNEL && !strcmp(f->items[i]->u.kernel.name, name))
      return f->items[i];
  return NULL;
}

static const char *base_name(const char *p) {
  const char *s = strrchr(p, '/');
  return s ? s + 1 : p;
}

static void list_kernels_note(pctx *c, const pfile *f, ptk_range at) {
  ptk_buf b = {0};
  size_t n = 0;
  for (size_t i = 0; f->ast && i < f->ast->nitems; i++)
    if (f->ast->items[i]->kind == PTK_ITEM_KERNEL)
      ptk_buf_printf(&b, "%s%s", n++ ? ", " : "", f->ast->items[i]->u.kernel.name);
  if (n)
    ptk_note(c->d, at, "kernels in %s: %s", base_name(f->path), ptk_buf_cstr(&b));
  else
    ptk_note(c->d, at, "%s declares no kernel", base_name(f->path));
  ptk_buf_free(&b);
}

/* The kernel a launch names, loaded for these const bindings. */
/* add, m.add, add[N=4,T=f16] */
static char *display_of(const char *alias, const char *name, const ptk_const_binding *consts, size_t nconsts) {
  ptk_buf disp = {0};
  ptk_buf_printf(&disp, "%s%s%s", alias ? alias : "", alias ? "." : "", name);
  if (nconsts) {
    ptk_buf_putc(&disp, '[');
    for (size_t i = 0; i < nconsts; i++)
      ptk_buf_printf(&disp, "%s%s=%s", i ? "," : "", consts[i].name, consts[i].value);
    ptk_buf_putc(&disp, ']');
  }
  return ptk_buf_take(&disp);
}

/* The display name as a file name: letters, digits, '.', '-' kept, anything else '_'. */
static char *stem_of(const char *display) {
  ptk_buf b = {0};
  for (const char *q = display; *q; q++) {
    char ch = *q;
    bool keep = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
                ch == '-' || ch == '_';
    if (ch == '[') {
      ptk_buf_puts(&b, "__");
      continue;
    }
    if (ch == ']') continue;
    ptk_buf_putc(&b, keep ? ch : '_');
  }
  return ptk_buf_take(&b);
}

static bool prepare_kernel(pctx *c, pkernel *k) {
  ptk_func *fn = ptk_loaded_entry(k->l);
  if (c->P->jit)
    k->jp = ptk_jit_prepare(fn, NULL, c->d);
  else
    k->ip = ptk_interp_prepare(fn, c->d);
  return k->jp || k->ip;
}

static pkernel *get_kernel_display(pctx *c, char *disp, ptk_range name_range, ptk_range launch_at);

/* Replay: the kernel of a launch from the build folder's .pto files. */
static pkernel *get_kernel_src(pctx *c, const char *alias, const char *name, ptk_range name_range,
                               const ptk_const_binding *consts, size_t nconsts, ptk_range launch_at) {
  return get_kernel_display(c, display_of(alias, name, consts, nconsts), name_range, launch_at);
}

/* The same by display name (disp is malloc'd and taken). */
static pkernel *get_kernel_display(pctx *c, char *disp, ptk_range name_range, ptk_range launch_at) {
  ptk_program *P = c->P;
  for (size_t i = 0; i < P->kernels.len; i++)
    if (!strcmp(P->kernels.data[i]->display, disp)) {
      free(disp);
      return P->kernels.data[i]->l ? P->kernels.data[i] : NULL;
    }
  const ptk_program_kernel_src *ks = NULL;
  for (size_t i = 0; i < P->nsrcs && !ks; i++)
    if (!strcmp(P->srcs[i].display, disp)) ks = &P->srcs[i];
  pkernel *k = ptk_xcalloc(1, sizeof *k);
  k->key = ptk_xstrdup(disp);
  k->display = disp;
  k->stem = stem_of(disp);
  k->P = P;
  k->index = P->kernels.len;
  ptk_vec_push(&P->kernels, k);
  if (!ks) {
    perr(c, name_range, "kernel '%s' is not in the build folder (kernel_config.json lists the kernels)", disp);
    return NULL;
  }
  k->path = ks->path;
  ptk_kernel_load_opts ko = {0};
  ko.entry = ks->symbol;
  ko.flags = P->flags;
  size_t e0 = ptk_diags_errors(c->d);
  k->l = ptk_kernel_load_with(ks->path, NULL, &ko, c->d);
  if (k->l && !prepare_kernel(c, k)) {
    ptk_loaded_free(k->l);
    k->l = NULL;
  }
  if (!k->l) {
    if (!errs_since(c, e0)) perr(c, name_range, "cannot load kernel '%s' from '%s'", disp, ks->path);
    ptk_note(c->d, launch_at, "kernel '%s' is launched here", disp);
    if (ptk_diags_errors(c->d) - c->err0 >= MAX_ERRORS) c->abort = true;
    return NULL;
  }
  k->abi = ptk_loaded_abi(k->l);
  return k;
}

static pkernel *get_kernel(pctx *c, const ptk_ast_expr *callee, const ptk_const_binding *consts,
                           size_t nconsts, ptk_range launch_at) {
  ptk_program *P = c->P;
  const char *name = NULL, *alias = NULL;
  ptk_range name_range = callee->range;
  if (callee->kind == PTK_EXPR_NAME) {
    name = callee->u.name.name;
  } else {
    alias = callee->u.member.base->u.name.name;
    name = callee->u.member.name;
    name_range = callee->u.member.name_range;
  }
  size_t fi = SIZE_MAX;
  const ptk_ast_item *item = NULL;
  if (P->nsrcs) return get_kernel_src(c, alias, name, name_range, consts, nconsts, launch_at);
  if (alias) {
    for (size_t i = 1; i < P->files.len; i++)
      if (P->files.data[i].alias && !strcmp(P->files.data[i].alias, alias)) fi = i;
    if (fi == SIZE_MAX) {
      perr(c, callee->u.member.base->range, "unknown module '%s' (import a file with 'import \"FILE.ptk\" as %s;')",
           alias, alias);
      return NULL;
    }
    item = find_kernel_item(P->files.data[fi].ast, name);
    if (!item) {
      perr(c, name_range, "unknown kernel '%s' in module '%s'", name, alias);
      list_kernels_note(c, &P->files.data[fi], name_range);
      return NULL;
    }
  } else {
    item = find_kernel_item(P->files.data[0].ast, name);
    if (item) fi = 0;
    for (size_t i = 1; !item && i < P->files.len; i++) {
      if (P->files.data[i].alias) continue;
      item = find_kernel_item(P->files.data[i].ast, name);
      if (item) fi = i;
    }
    if (!item) {
      perr(c, name_range, "unknown kernel '%s'", name);
      bool hinted = false;
      for (size_t i = 1; i < P->files.len; i++)
        if (P->files.data[i].alias && find_kernel_item(P->files.data[i].ast, name)) {
          ptk_note(c->d, name_range, "did you mean '%s.%s'? (%s declares it)", P->files.data[i].alias, name,
                   base_name(P->files.data[i].path));
          hinted = true;
        }
      if (!hinted) list_kernels_note(c, &P->files.data[0], name_range);
      return NULL;
    }
  }
  ptk_buf key = {0};
  ptk_buf_printf(&key, "%zu:%s", fi, name);
  for (size_t i = 0; i < nconsts; i++) ptk_buf_printf(&key, ";%s=%s", consts[i].name, consts[i].value);
  for (size_t i = 0; i < P->kernels.len; i++)
    if (!strcmp(P->kernels.data[i]->key, ptk_buf_cstr(&key))) {
      ptk_buf_free(&key);
      return P->kernels.data[i]->l ? P->kernels.data[i] : NULL;
    }
  pkernel *k = ptk_xcalloc(1, sizeof *k);
  k->key = ptk_buf_take(&key);
  k->item = item;
  k->file = fi;
  k->display = display_of(alias, name, consts, nconsts);
  k->stem = stem_of(k->display);
  k->P = P;
  k->index = P->kernels.len;
  k->path = P->files.data[fi].path;
  ptk_vec_push(&P->kernels, k);
  /* the kernel's own diagnostics, then where it is launched */
  ptk_kernel_load_opts ko = {0};
  ko.entry = name;
  ko.consts = consts;
  ko.nconsts = nconsts;
  ko.trace = &P->trace;
  ko.flags = P->flags;
  char *dump = P->dump_root ? ptk_xasprintf("%s/%s", P->dump_root, k->stem) : NULL;
  ko.dump_dir = dump;
  ko.dump_regex = P->dump_regex;
  const pfile *f = &P->files.data[fi];
  size_t e0 = ptk_diags_errors(c->d);
  k->l = ptk_kernel_load_with(f->path, f->src, &ko, c->d);
  free(dump);
  if (k->l) {
    ptk_func *fn = ptk_loaded_entry(k->l);
    if (P->jit)
      k->jp = ptk_jit_prepare(fn, NULL, c->d);
    else
      k->ip = ptk_interp_prepare(fn, c->d);
    if (!k->jp && !k->ip) {
      ptk_loaded_free(k->l);
      k->l = NULL;
    }
  }
  if (!k->l) {
    if (!errs_since(c, e0)) perr(c, name_range, "cannot load kernel '%s'", name);
    ptk_note(c->d, launch_at, "kernel '%s' is launched here", name);
    if (ptk_diags_errors(c->d) - c->err0 >= MAX_ERRORS) c->abort = true;
    return NULL;
  }
  k->abi = ptk_loaded_abi(k->l);
  return k;
}

static void kernel_free(pkernel *k) {
  ptk_interp_free(k->ip);
  ptk_jit_free(k->jp);
  ptk_loaded_free(k->l);
  free(k->key);
  free(k->display);
  free(k->stem);
  free(k);
}

/* ---- tensors ------------------------------------------------------------------------------------- */

static const char *buf_desc(pctx *c, const pbuf *b) {
  return b->param >= 0 ? ptk_arena_strdup(c->a, b->name) : ptk_arena_strdup(c->a, b->name);
}

/* Use of a freed intermediate: an error at `at`. */
static bool live(pctx *c, const pval *v, ptk_range at) {
  if (v->k != V_TENSOR || !v->v->b->freed) return true;
  const pbuf *b = v->v->b;
  perr(c, at, "'%s' is used after it was freed: intermediates allocated in a scope are freed at its end",
       buf_desc(c, b));
  ptk_note(c->d, b->freed_at, "'%s' was freed at the end of this scope", b->name);
  ptk_note(c->d, b->decl, "'%s' was allocated here", b->name);
  return false;
}

static pview *new_view(pctx *c, pbuf *b) {
  pview *v = ptk_arena_alloc(c->a, sizeof *v);
  v->b = b;
  v->rank = b->rank;
  int64_t st = 1;
  bool known = true;
  for (int i = b->rank; i-- > 0;) {
    v->shape[i] = b->shape[i];
    v->strides[i] = known ? st : -1;
    if (b->shape[i] < 0)
      known = false;
    else
      st *= b->shape[i];
  }
  v->off = 0;
  return v;
}

/* The byte span [lo, hi) a view covers in its buffer; false when unknown. */
static bool view_span(const pview *v, int64_t *lo, int64_t *hi) {
  if (v->off < 0) return false;
  int64_t last = v->off;
  bool empty = false;
  for (int i = 0; i < v->rank; i++) {
    if (v->shape[i] < 0 || v->strides[i] < 0) return false;
    if (v->shape[i] == 0) empty = true;
    else last += (v->shape[i] - 1) * v->strides[i];
  }
  int64_t esz = (int64_t)ptk_tdtype_size(v->b->dt);
  *lo = v->off * esz;
  *hi = empty ? *lo : (last + 1) * esz;
  return true;
}

static pval alloc_buf(pctx *c, ptk_tdtype dt, int rank, const int64_t *shape, const char *name,
                      ptk_range at) {
  pbuf *b = ptk_arena_alloc(c->a, sizeof *b);
  b->id = -1;
  b->dt = dt;
  b->rank = rank;
  memcpy(b->shape, shape, (size_t)rank * sizeof *shape);
  b->name = name;
  b->decl = at;
  b->param = -1;
  b->scope = c->scope;
  b->scoped = c->scopes.len && c->scopes.data[c->scopes.len - 1].depth == c->scope;
  ptk_vec_push(&c->bufs, b);
  if (c->run) {
    int64_t n = (int64_t)ptk_tdtype_size(dt);
    for (int i = 0; i < rank; i++) {
      if (shape[i] && n > INT64_MAX / 4 / shape[i]) {
        perr(c, at, "alloc_tensor: the tensor is too large");
        return v_err();
      }
      n *= shape[i];
    }
    void *p = NULL;
    if (posix_memalign(&p, 64, (size_t)(n ? n : 64)) != 0 || !p) {
      perr(c, at, "out of memory: cannot allocate %lld bytes for '%s'", (long long)n, name);
      return v_err();
    }
    memset(p, 0, (size_t)(n ? n : 64));
    b->data = p;
    b->nbytes = n;
    b->id = psched_buf(c->S, p, n, true, name);
  }
  pval v = {.k = V_TENSOR, .known = true};
  v.v = new_view(c, b);
  return v;
}

/* ---- expressions ------------------------------------------------------------------------------------ */

static pval eval(pctx *c, const ptk_ast_expr *e);

static bool as_int(pctx *c, const ptk_ast_expr *e, pval v, const char *what, int64_t *out, bool *known) {
  if (v.k == V_ERR) return false;
  if (v.k != V_INT && v.k != V_BOOL) {
    perr(c, e->range, "%s must be an integer, got %s %s", what, a_an(kind_name(&v)), kind_name(&v));
    return false;
  }
  *known = v.known;
  *out = v.known ? v.i : 0;
  return true;
}

static bool is_scalar(const pval *v) { return v->k == V_INT || v->k == V_FLOAT || v->k == V_BOOL; }

static double fval(const pval *v) { return v->k == V_FLOAT ? v->f : (double)v->i; }

static pval binop0(pctx *c, const ptk_ast_expr *e, pval a, pval b) {
  ptk_ast_binop op = e->u.binary.op;
  if (a.k == V_ERR || b.k == V_ERR) return v_err();
  if (!is_scalar(&a) || !is_scalar(&b)) {
    const pval *bad = is_scalar(&a) ? &b : &a;
    perr(c, e->u.binary.op_range, "operator '%s' is not defined on %s %s in a program (only on scalars)",
         ptk_ast_binop_str(op), a_an(kind_name(bad)), kind_name(bad));
    return v_err();
  }
  bool fl = a.k == V_FLOAT || b.k == V_FLOAT;
  bool known = a.known && b.known;
  switch (op) {
  case PTK_BINOP_AND:
  case PTK_BINOP_OR:
    if (!known) return v_unknown(V_BOOL);
    return v_bool(op == PTK_BINOP_AND ? (a.i && b.i) : (a.i || b.i));
  case PTK_BINOP_EQ: case PTK_BINOP_NE: case PTK_BINOP_LT:
  case PTK_BINOP_LE: case PTK_BINOP_GT: case PTK_BINOP_GE: {
    if (!known) return v_unknown(V_BOOL);
    double x = fval(&a), y = fval(&b);
    bool r;
    if (!fl) {
      int64_t p = a.i, q = b.i;
      r = op == PTK_BINOP_EQ ? p == q : op == PTK_BINOP_NE ? p != q : op == PTK_BINOP_LT ? p < q
          : op == PTK_BINOP_LE ? p <= q : op == PTK_BINOP_GT ? p > q : p >= q;
    } else {
      r = op == PTK_BINOP_EQ ? x == y : op == PTK_BINOP_NE ? x != y : op == PTK_BINOP_LT ? x < y
          : op == PTK_BINOP_LE ? x <= y : op == PTK_BINOP_GT ? x > y : x >= y;
    }
    return v_bool(r);
  }
  default: break;
  }
  if (fl) {
    if (op == PTK_BINOP_BITOR || op == PTK_BINOP_BITXOR || op == PTK_BINOP_BITAND ||
        op == PTK_BINOP_SHL || op == PTK_BINOP_SHR || op == PTK_BINOP_MOD) {
      perr(c, e->u.binary.op_range, "operator '%s' needs integer operands", ptk_ast_binop_str(op));
      return v_err();
    }
    if (!known) return v_unknown(V_FLOAT);
    double x = fval(&a), y = fval(&b);
    switch (op) {
    case PTK_BINOP_ADD: return v_float(x + y);
    case PTK_BINOP_SUB: return v_float(x - y);
    case PTK_BINOP_MUL: return v_float(x * y);
    case PTK_BINOP_DIV: return v_float(x / y);
    case PTK_BINOP_FLOORDIV: return v_float(ptk_sc_farith(PTK_SC_FLOORF, PTK_ISA_F64, x / y, 0));
    case PTK_BINOP_POW: return v_float(ptk_sc_farith(PTK_SC_POWF, PTK_ISA_F64, x, y));
    default: return v_err();
    }
  }
  if (!known) return v_unknown(V_INT);
  int64_t x = a.i, y = b.i;
  uint64_t ux = (uint64_t)x, uy = (uint64_t)y;
  switch (op) {
  case PTK_BINOP_ADD: return v_int((int64_t)(ux + uy));
  case PTK_BINOP_SUB: return v_int((int64_t)(ux - uy));
  case PTK_BINOP_MUL: return v_int((int64_t)(ux * uy));
  case PTK_BINOP_DIV:
  case PTK_BINOP_FLOORDIV:
  case PTK_BINOP_MOD:
    if (y == 0) {
      perr(c, e->u.binary.op_range, "division by zero");
      return v_err();
    }
    if (x == INT64_MIN && y == -1) return v_int(op == PTK_BINOP_MOD ? 0 : INT64_MIN);
    if (op == PTK_BINOP_DIV) return v_int(x / y);
    if (op == PTK_BINOP_MOD) return v_int(x % y);
    return v_int(x / y - ((x % y != 0) && ((x < 0) != (y < 0))));
  case PTK_BINOP_POW: {
    int64_t r = 0;
    if (ptk_sc_iarith(PTK_SC_IPOWI, x, y, 64, &r)) {
      perr(c, e->u.binary.op_range, "integer '**' needs a non-negative exponent");
      return v_err();
    }
    return v_int(r);
  }
  case PTK_BINOP_BITOR: return v_int(x | y);
  case PTK_BINOP_BITXOR: return v_int(x ^ y);
  case PTK_BINOP_BITAND: return v_int(x & y);
  case PTK_BINOP_SHL: return v_int(y < 0 || y >= 64 ? 0 : (int64_t)(ux << y));
  case PTK_BINOP_SHR: return v_int(y < 0 || y >= 64 ? (x < 0 ? -1 : 0) : x >> y);
  default: return v_err();
  }
}

static pval binop(pctx *c, const ptk_ast_expr *e, pval a, pval b) {
  return trace_binop(c, e, a, b, binop0(c, e, a, b));
}

/* A scalar read out of a tensor: waits for the tasks writing it. */
static pval read_scalar(pctx *c, const ptk_ast_expr *e, const pview *v, const int64_t *idx) {
  ptk_tdtype dt = v->b->dt;
  pval unknown = v_unknown(ptk_tdtype_is_float(dt) ? V_FLOAT : dt == PTK_TD_BOOL ? V_BOOL : V_INT);
  if (!c->run) return unknown;
  (void)idx;
  int64_t off = v->off;
  for (int i = 0; i < v->rank; i++) off += idx[i] * v->strides[i];
  int64_t esz = (int64_t)ptk_tdtype_size(dt);
  if (!psched_wait_writers(c->S, v->b->id, off * esz, (off + 1) * esz)) {
    c->stopped = true;
    return v_err();
  }
  ptk_tensor t = {0};
  t.dtype = dt;
  t.rank = 1;
  t.shape[0] = 1;
  t.strides[0] = 1;
  t.data = v->b->data + off * esz;
  if (ptk_tdtype_is_float(dt)) return v_float(ptk_tensor_get_f64(&t, 0));
  if (dt == PTK_TD_BOOL) return v_bool(ptk_tensor_get_i64(&t, 0) != 0);
  return v_int(ptk_tensor_get_i64(&t, 0));
  (void)e;
}

static pval eval_index(pctx *c, const ptk_ast_expr *e) {
  pval base = eval(c, e->u.index.base);
  if (base.k == V_ERR) return base;
  size_t ns = e->u.index.nsubs;
  if (base.k == V_LIST) {
    if (ns != 1 || e->u.index.subs[0].is_slice) {
      perr(c, e->range, "a list takes one index");
      return v_err();
    }
    int64_t i;
    bool k;
    if (!as_int(c, e->u.index.subs[0].index, eval(c, e->u.index.subs[0].index), "a list index", &i, &k))
      return v_err();
    if (!k) {
      perr(c, e->u.index.subs[0].range, "a list index must be known when the program is checked");
      return v_err();
    }
    if (i < 0 || (size_t)i >= base.n) {
      perr(c, e->u.index.subs[0].range, "index %lld is out of range for a list of %zu", (long long)i, base.n);
      return v_err();
    }
    return base.items[i];
  }
  if (base.k != V_TENSOR) {
    perr(c, e->u.index.base->range, "%s %s cannot be indexed or sliced", a_an(kind_name(&base)),
         kind_name(&base));
    return v_err();
  }
  if (!live(c, &base, e->range)) return v_err();
  const pview *v = base.v;
  if ((int)ns > v->rank) {
    perr(c, e->range, "%zu subscripts for a tensor of rank %d", ns, v->rank);
    return v_err();
  }
  bool all_index = (int)ns == v->rank;
  for (size_t i = 0; i < ns; i++) all_index &= !e->u.index.subs[i].is_slice;
  pview *nv = ptk_arena_alloc(c->a, sizeof *nv);
  *nv = *v;
  int64_t idx[PTK_TENSOR_MAX_RANK] = {0};
  pval lov[PTK_TENSOR_MAX_RANK], hiv[PTK_TENSOR_MAX_RANK]; /* trace: the bounds as values */
  bool known_all = true;
  for (size_t i = 0; i < ns; i++) {
    const ptk_ast_subscript *s = &e->u.index.subs[i];
    int64_t dim = v->shape[i], lo = 0, hi = dim;
    bool klo = true, khi = dim >= 0, k;
    lov[i] = v_int(0);
    hiv[i] = dim >= 0 ? v_int(dim) : v_unknown(V_INT);
    if (c->trace && dim < 0 && s->is_slice && !s->hi) {
      ptk_value *t = irv(c, &base, e->range);
      if (!t) return v_err();
      ptk_op *dop = emit(c, PTK_OP_PTK_DIM, &t, 1, ty(PTK_DT_I64), e->range);
      ptk_op_set_attr(dop, "dim", ptk_attr_int(c->M, (int64_t)i, NULL));
      hiv[i].ir = ptk_op_result(dop, 0);
    }
    if (!s->is_slice) {
      lov[i] = eval(c, s->index);
      if (!as_int(c, s->index, lov[i], "a subscript", &lo, &klo)) return v_err();
      hi = lo + 1;
      khi = klo;
    } else {
      if (s->lo) {
        lov[i] = eval(c, s->lo);
        if (!as_int(c, s->lo, lov[i], "a slice bound", &lo, &klo)) return v_err();
      }
      if (s->hi) {
        hiv[i] = eval(c, s->hi);
        if (!as_int(c, s->hi, hiv[i], "a slice bound", &hi, &k)) return v_err();
        khi = k;
      }
    }
    if (klo && khi && (lo < 0 || hi < lo || (dim >= 0 && hi > dim))) {
      if (s->is_slice)
        perr(c, s->range, "slice %lld:%lld is outside dimension %zu of '%s' (size %lld)", (long long)lo,
             (long long)hi, i, v->b->name, (long long)dim);
      else
        perr(c, s->range, "index %lld is outside dimension %zu of '%s' (size %lld)", (long long)lo, i,
             v->b->name, (long long)dim);
      return v_err();
    }
    idx[i] = lo;
    nv->shape[i] = klo && khi ? hi - lo : -1;
    if (!klo || v->strides[i] < 0 || nv->off < 0)
      nv->off = -1;
    else
      nv->off += lo * v->strides[i];
    known_all &= klo && khi;
  }
  if (c->trace) {
    /* located at the first subscript: where the run-time bounds errors point */
    ptk_range sub_at = ns ? e->u.index.subs[0].range : e->range;
    ptk_value *ops[1 + 2 * PTK_TENSOR_MAX_RANK];
    uint32_t n = 0;
    ops[n++] = irv(c, &base, e->range);
    for (size_t i = 0; i < ns; i++) ops[n++] = irv(c, &lov[i], e->u.index.subs[i].range);
    if (all_index) {
      for (uint32_t i = 0; i < n; i++)
        if (!ops[i]) return v_err();
      ptk_tdtype dt = v->b->dt;
      pval r = v_unknown(ptk_tdtype_is_float(dt) ? V_FLOAT : dt == PTK_TD_BOOL ? V_BOOL : V_INT);
      r.ir = emit1(c, PTK_OP_PTK_READ_SCALAR, ops, n,
                   ty(r.k == V_FLOAT ? PTK_DT_F64 : r.k == V_BOOL ? PTK_DT_I1 : PTK_DT_I64), sub_at);
      return r;
    }
    /* trailing dimensions not subscripted: the whole extent */
    for (int i = (int)ns; i < v->rank; i++) {
      pval z = v_int(0);
      ops[n++] = irv(c, &z, e->range);
    }
    for (size_t i = 0; i < ns; i++) {
      if (!e->u.index.subs[i].is_slice) {
        pval one = v_int(1);
        ops[n++] = irv(c, &one, e->range);
      } else {
        ops[n++] = ir_sub(c, &hiv[i], &lov[i], e->u.index.subs[i].range);
      }
    }
    for (int i = (int)ns; i < v->rank; i++) {
      pval d = v->shape[i] >= 0 ? v_int(v->shape[i]) : v_unknown(V_INT);
      if (v->shape[i] < 0) {
        ptk_op *dop = emit(c, PTK_OP_PTK_DIM, ops, 1, ty(PTK_DT_I64), e->range);
        ptk_op_set_attr(dop, "dim", ptk_attr_int(c->M, i, NULL));
        d.ir = ptk_op_result(dop, 0);
      }
      ops[n++] = irv(c, &d, e->range);
    }
    for (uint32_t i = 0; i < n; i++)
      if (!ops[i]) return v_err();
    pval r = {.k = V_TENSOR, .known = true, .v = nv, .nodep = base.nodep};
    r.ir = emit1(c, PTK_OP_PTK_SLICE, ops, n, view_type(c, nv), sub_at);
    return r;
  }
  if (all_index) {
    if (!known_all) {
      if (c->run) {
        perr(c, e->range, "internal error: an unknown index at run time");
        return v_err();
      }
      return read_scalar(c, e, nv, idx);
    }
    return read_scalar(c, e, v, idx);
  }
  pval r = {.k = V_TENSOR, .known = true, .v = nv};
  return r;
}

static pval eval_list(pctx *c, const ptk_ast_expr *e) {
  pval r = {.k = V_LIST, .known = true, .n = e->u.list.nelems};
  r.items = ptk_arena_alloc(c->a, (r.n ? r.n : 1) * sizeof *r.items);
  for (size_t i = 0; i < r.n; i++) {
    r.items[i] = eval(c, e->u.list.elems[i]);
    if (r.items[i].k == V_ERR) return v_err();
  }
  return r;
}

static const ptk_ast_arg *kwarg(const ptk_ast_expr *call, const char *name) {
  for (size_t i = 0; i < call->u.call.nargs; i++)
    if (call->u.call.args[i].name && !strcmp(call->u.call.args[i].name, name)) return &call->u.call.args[i];
  return NULL;
}

static size_t npositional(const ptk_ast_expr *call) {
  size_t n = 0;
  while (n < call->u.call.nargs && !call->u.call.args[n].name) n++;
  return n;
}

static pval builtin_alloc(pctx *c, const ptk_ast_expr *e, const char *bind_name) {
  const ptk_ast_arg *sh = kwarg(e, "shape"), *dt = kwarg(e, "dtype");
  for (size_t i = 0; i < e->u.call.nargs; i++) {
    const ptk_ast_arg *a = &e->u.call.args[i];
    if (!a->name) {
      perr(c, a->range, "alloc_tensor takes keyword arguments: alloc_tensor(shape = [...], dtype = f32)");
      return v_err();
    }
    if (strcmp(a->name, "shape") && strcmp(a->name, "dtype")) {
      perr(c, a->name_range, "alloc_tensor has no argument '%s' (it takes shape and dtype)", a->name);
      return v_err();
    }
  }
  if (!sh || !dt) {
    perr(c, e->range, "alloc_tensor needs %s", !sh ? "shape = [...]" : "dtype = …");
    return v_err();
  }
  pval s = eval(c, sh->value), t = eval(c, dt->value);
  if (s.k == V_ERR || t.k == V_ERR) return v_err();
  if (s.k != V_LIST || s.n < 1 || s.n > PTK_TENSOR_MAX_RANK) {
    perr(c, sh->value->range, "shape must be a list of 1 to %d integers", PTK_TENSOR_MAX_RANK);
    return v_err();
  }
  ptk_tdtype tdt;
  if (t.k != V_DTYPE || !tdtype_of(t.dt, &tdt)) {
    perr(c, dt->value->range, "dtype must be a tensor element type (f32, f16, bf16, i32, …)");
    return v_err();
  }
  int64_t shape[PTK_TENSOR_MAX_RANK];
  for (size_t i = 0; i < s.n; i++) {
    int64_t x;
    bool k;
    if (!as_int(c, sh->value->u.list.elems[i], s.items[i], "a dimension", &x, &k)) return v_err();
    if (k && x < 0) {
      perr(c, sh->value->u.list.elems[i]->range, "a dimension cannot be negative (%lld)", (long long)x);
      return v_err();
    }
    shape[i] = k ? x : -1;
  }
  pval r = alloc_buf(c, tdt, (int)s.n, shape, bind_name ? bind_name : "alloc_tensor", e->range);
  if (c->trace && r.k == V_TENSOR) {
    ptk_value *dyn[PTK_TENSOR_MAX_RANK];
    uint32_t nd = 0;
    for (size_t i = 0; i < s.n; i++)
      if (shape[i] < 0 && !(dyn[nd++] = irv(c, &s.items[i], sh->value->u.list.elems[i]->range))) return v_err();
    r.ir = r.v->b->ir = emit1(c, PTK_OP_PTK_ALLOC_TENSOR, dyn, nd, view_type(c, r.v), e->range);
    if (bind_name) ptk_op_set_attr(r.ir->def, "name", ptk_attr_string(c->M, bind_name, strlen(bind_name)));
  }
  return r;
}

static pval eval_launch(pctx *c, const ptk_ast_expr *e);

static pval eval_call(pctx *c, const ptk_ast_expr *e, const char *bind_name) {
  const ptk_ast_expr *f = e->u.call.callee;
  const char *n = f->kind == PTK_EXPR_NAME ? f->u.name.name : NULL;
  if (n && !lookup(c, n)) {
    if (!strcmp(n, "alloc_tensor")) return builtin_alloc(c, e, bind_name);
    if (!strcmp(n, "no_dep")) {
      if (e->u.call.nargs != 1 || e->u.call.args[0].name) {
        perr(c, e->range, "no_dep takes one tensor");
        return v_err();
      }
      pval t = eval(c, e->u.call.args[0].value);
      if (t.k == V_ERR) return t;
      if (t.k != V_TENSOR) {
        perr(c, e->u.call.args[0].range, "no_dep takes a tensor, got %s %s", a_an(kind_name(&t)), kind_name(&t));
        return v_err();
      }
      t.nodep = true;
      if (c->trace) {
        ptk_value *x = irv(c, &t, e->range);
        if (!x) return v_err();
        t.ir = emit1(c, PTK_OP_PTK_NO_DEP, &x, 1, x->type, e->range);
      }
      return t;
    }
    if (!strcmp(n, "min") || !strcmp(n, "max") || !strcmp(n, "ceil_div")) {
      if (e->u.call.nargs != 2 || e->u.call.args[0].name || e->u.call.args[1].name) {
        perr(c, e->range, "%s takes two arguments", n);
        return v_err();
      }
      pval a = eval(c, e->u.call.args[0].value), b = eval(c, e->u.call.args[1].value);
      if (a.k == V_ERR || b.k == V_ERR) return v_err();
      if (!is_scalar(&a) || !is_scalar(&b)) {
        perr(c, e->range, "%s takes scalars", n);
        return v_err();
      }
      bool fl = a.k == V_FLOAT || b.k == V_FLOAT;
      if (c->trace && (!a.known || !b.known) && !(fl && !strcmp(n, "ceil_div"))) {
        ptk_value *x = irv(c, &a, e->range), *y = irv(c, &b, e->range);
        if (!x || !y) return v_err();
        ptk_dtype w = fl ? PTK_DT_F64 : PTK_DT_I64;
        x = as_type(c, x, w, e->range);
        y = as_type(c, y, w, e->range);
        pval r = v_unknown(fl ? V_FLOAT : V_INT);
        if (!strcmp(n, "ceil_div")) {
          ptk_value *ops[2] = {x, y};
          r.ir = emit1(c, PTK_OP_ARITH_CEILDIVSI, ops, 2, ty(w), e->range);
        } else {
          /* x > y ? x : y (max), x < y ? x : y (min): the evaluator's rule, NaN included */
          bool mx = !strcmp(n, "max");
          ptk_value *p = cmp(c, fl, mx ? (fl ? PTK_CMPF_ogt : PTK_CMPI_sgt) : (fl ? PTK_CMPF_olt : PTK_CMPI_slt), x,
                             y, e->range);
          ptk_value *ops[3] = {p, x, y};
          r.ir = emit1(c, PTK_OP_ARITH_SELECT, ops, 3, ty(w), e->range);
        }
        return r;
      }
      if (!strcmp(n, "ceil_div")) {
        if (fl) {
          perr(c, e->range, "ceil_div takes integers");
          return v_err();
        }
        if (!a.known || !b.known) return v_unknown(V_INT);
        if (b.i <= 0) {
          perr(c, e->u.call.args[1].range, "ceil_div needs a positive divisor");
          return v_err();
        }
        return v_int(a.i / b.i + (a.i % b.i > 0));
      }
      if (!a.known || !b.known) return v_unknown(fl ? V_FLOAT : V_INT);
      bool mx = !strcmp(n, "max");
      if (fl) {
        double x = fval(&a), y = fval(&b);
        return v_float(mx ? (x > y ? x : y) : (x < y ? x : y));
      }
      return v_int(mx ? (a.i > b.i ? a.i : b.i) : (a.i < b.i ? a.i : b.i));
    }
    if (find_kernel_item(c->P->files.data[0].ast, n)) {
      perr(c, f->range, "'%s' is a kernel: start it as a task with 'launch %s(…)'", n, n);
      return v_err();
    }
    perr(c, f->range, "undefined function '%s' (programs have alloc_tensor, no_dep, min, max, ceil_div and launch)",
         n);
    return v_err();
  }
  perr(c, f->range, "this is not a function");
  return v_err();
}

static pval eval_member(pctx *c, const ptk_ast_expr *e) {
  pval b = eval(c, e->u.member.base);
  if (b.k == V_ERR) return b;
  const char *n = e->u.member.name;
  if (b.k == V_TENSOR) {
    const pview *v = b.v;
    if (!strcmp(n, "shape")) {
      pval r = {.k = V_LIST, .known = true, .n = (size_t)v->rank};
      r.items = ptk_arena_alloc(c->a, (size_t)v->rank * sizeof *r.items + 1);
      for (int i = 0; i < v->rank; i++) {
        r.items[i] = v->shape[i] >= 0 ? v_int(v->shape[i]) : v_unknown(V_INT);
        if (c->trace && v->shape[i] < 0) {
          ptk_value *t = irv(c, &b, e->range);
          if (!t) return v_err();
          ptk_op *dop = emit(c, PTK_OP_PTK_DIM, &t, 1, ty(PTK_DT_I64), e->u.member.name_range);
          ptk_op_set_attr(dop, "dim", ptk_attr_int(c->M, i, NULL));
          r.items[i].ir = ptk_op_result(dop, 0);
        }
      }
      return r;
    }
    if (!strcmp(n, "rank")) return v_int(v->rank);
    if (!strcmp(n, "dtype")) {
      ptk_dtype dt;
      if (dtype_by_name(ptk_tdtype_name(v->b->dt), &dt)) return (pval){.k = V_DTYPE, .known = true, .dt = dt};
    }
    perr(c, e->u.member.name_range, "a tensor has no member '%s' (it has shape, rank and dtype)", n);
    return v_err();
  }
  if (b.k == V_LIST && !strcmp(n, "len")) return v_int((int64_t)b.n);
  perr(c, e->u.member.name_range, "%s %s has no member '%s'", a_an(kind_name(&b)), kind_name(&b), n);
  return v_err();
}

/* Is `name` bound by a launch later in the program (a forward dependency)? */
static const ptk_ast_stmt *later_launch(const ptk_ast_block *b, const char *name) {
  for (size_t i = 0; b && i < b->nstmts; i++) {
    const ptk_ast_stmt *s = b->stmts[i];
    const ptk_ast_stmt *r = NULL;
    switch (s->kind) {
    case PTK_STMT_LET:
    case PTK_STMT_VAR:
      if (!strcmp(s->u.decl.name, name) && s->u.decl.init->kind == PTK_EXPR_LAUNCH) return s;
      break;
    case PTK_STMT_IF:
      for (size_t a = 0; a < s->u.if_.narms && !r; a++) r = later_launch(s->u.if_.arms[a].body, name);
      if (!r) r = later_launch(s->u.if_.else_body, name);
      break;
    case PTK_STMT_FOR: r = later_launch(s->u.for_.body, name); break;
    case PTK_STMT_BLOCK:
    case PTK_STMT_SCOPE: r = later_launch(s->u.block, name); break;
    default: break;
    }
    if (r) return r;
  }
  return NULL;
}

static const char *dir_word(ptk_arg_dir d) {
  switch (d) {
  case PTK_ARGDIR_IN: return "in";
  case PTK_ARGDIR_OUT: return "out";
  case PTK_ARGDIR_INOUT: return "inout";
  case PTK_ARGDIR_UNUSED: return "unused";
  default: return "scalar";
  }
}

/* Text of a compile-time value for a const binding; NULL when not one. */
static char *const_text(const pval *v) {
  if (!v->known) return NULL;
  switch (v->k) {
  case V_INT: return ptk_xasprintf("%lld", (long long)v->i);
  case V_FLOAT: return ptk_xasprintf("%.17g", v->f);
  case V_BOOL: return ptk_xstrdup(v->i ? "true" : "false");
  case V_DTYPE: {
    const char *n = ptk_dtype_name(v->dt);
    return ptk_xstrdup(strncmp(n, "!pto.", 5) ? n : n + 5);
  }
  case V_STR: return ptk_xstrdup(v->s);
  default: return NULL;
  }
}

/* Run: submits a launch of k as a task. Its id; -1 when the scheduler
 * stopped (a task failed), -2 on an error reported here. */
static int64_t submit_task(pctx *c, pkernel *k, int64_t blocks, const pval *args, size_t npos, const int64_t *deps,
                          size_t ndeps, ptk_range site, const ptk_range *ar) {
  const ptk_abi *abi = k->abi;
  if (++c->ntasks > c->max_tasks) {
    perr(c, site, "the program launches more than %llu tasks", (unsigned long long)c->max_tasks);
    c->abort = true;
    return -2;
  }
  ptask_desc td;
  memset(&td, 0, sizeof td);
  td.kernel = k;
  td.kname = k->display;
  td.blocks = (uint32_t)blocks;
  td.nargs = npos;
  td.args = ptk_xcalloc(npos ? npos : 1, sizeof *td.args);
  td.arg_buf = ptk_xcalloc(npos ? npos : 1, sizeof *td.arg_buf);
  td.arg_off = ptk_xcalloc(npos ? npos : 1, sizeof *td.arg_off);
  td.acc = ptk_xcalloc(npos ? npos : 1, sizeof *td.acc);
  td.site = site;
  td.deps = deps;
  td.ndeps = ndeps;
  bool bad = false;
  for (size_t i = 0; i < npos; i++) {
    const ptk_abi_param *p = &abi->params[i];
    const pval *v = &args[i];
    td.arg_buf[i] = -1;
    if (!p->is_ptr) {
      td.args[i].kind = PTK_ARG_SCALAR;
      if (v->k == V_FLOAT) {
        td.args[i].dt = PTK_DT_F64;
        td.args[i].f = v->f;
      } else {
        td.args[i].dt = PTK_DT_I64;
        td.args[i].i = v->i;
      }
      continue;
    }
    int64_t lo, hi;
    if (!view_span(v->v, &lo, &hi)) {
      perr(c, ar[i], "internal error: a tensor of unknown extent at run time");
      bad = true;
      continue;
    }
    int64_t esz = (int64_t)ptk_tdtype_size(v->v->b->dt);
    int64_t n = (hi - lo) / esz;
    td.args[i].kind = PTK_ARG_TENSOR;
    td.args[i].tensor = ptk_tensor_borrow(v->v->b->dt, 1, &n, NULL, v->v->b->data + lo, NULL);
    td.arg_buf[i] = v->v->b->id;
    td.arg_off[i] = lo;
    uint8_t mode = p->dir == PTK_ARGDIR_IN ? 1 : p->dir == PTK_ARGDIR_OUT ? 2 : p->dir == PTK_ARGDIR_INOUT ? 3 : 0;
    if (mode && hi > lo && !v->nodep) td.acc[td.nacc++] = (paccess){v->v->b->id, lo, hi, mode};
  }
  if (bad) {
    for (size_t i = 0; i < npos; i++) ptk_tensor_free(td.args[i].tensor);
    free(td.args);
    free(td.arg_buf);
    free(td.arg_off);
    free(td.acc);
    return -2;
  }
  int64_t id = psched_submit(c->S, &td);
  if (id < 0) {
    for (size_t i = 0; i < npos; i++) ptk_tensor_free(td.args[i].tensor);
    free(td.args);
    free(td.arg_buf);
    free(td.arg_off);
    free(td.acc);
    c->stopped = true;
    return -1;
  }
  return id;
}

static pval eval_launch(pctx *c, const ptk_ast_expr *e) {
  const ptk_ast_expr *call = e->u.launch.call;
  size_t npos = npositional(call);
  size_t e0 = ptk_diags_errors(c->d);
  /* keyword arguments: blocks, deps, and the kernel's const parameters */
  int64_t blocks = 1;
  bool blocks_known = true;
  pval blocks_v = v_int(1);
  PTK_VEC(ptk_value *) dep_ir = {0}; /* trace */
  PTK_VEC(int64_t) deps = {0};
  PTK_VEC(ptk_const_binding) consts = {0};
  pval ret = v_err();
  pval *args = ptk_arena_alloc(c->a, (npos ? npos : 1) * sizeof *args);
  for (size_t i = npos; i < call->u.call.nargs; i++) {
    const ptk_ast_arg *a = &call->u.call.args[i];
    if (!strcmp(a->name, "blocks")) {
      blocks_v = eval(c, a->value);
      if (!as_int(c, a->value, blocks_v, "blocks", &blocks, &blocks_known)) continue;
      if (blocks_known && (blocks < 1 || blocks > (int64_t)MAX_BLOCKS))
        perr(c, a->value->range, "blocks must be 1 to %u, got %lld", MAX_BLOCKS, (long long)blocks);
    } else if (!strcmp(a->name, "deps")) {
      if (a->value->kind != PTK_EXPR_LIST) {
        perr(c, a->value->range, "deps must be a list of tasks: deps = [t1, t2]");
        continue;
      }
      for (size_t k = 0; k < a->value->u.list.nelems; k++) {
        const ptk_ast_expr *x = a->value->u.list.elems[k];
        if (x->kind == PTK_EXPR_NAME && !lookup(c, x->u.name.name)) {
          const ptk_ast_stmt *later = later_launch(c->body, x->u.name.name);
          if (later) {
            perr(c, x->range,
                 "dependency cycle: task '%s' is launched after this one, so it cannot come before it",
                 x->u.name.name);
            ptk_note(c->d, later->u.decl.init->range,
                     "'%s' is launched here (deps name tasks launched earlier; data dependencies order the rest)",
                     x->u.name.name);
            continue;
          }
        }
        pval t = eval(c, x);
        if (t.k == V_ERR) continue;
        if (t.k != V_TASK) {
          perr(c, x->range, "deps must list tasks (the values of 'launch'), got %s %s", a_an(kind_name(&t)),
               kind_name(&t));
          continue;
        }
        if (t.known || (!c->run && t.task >= 0)) ptk_vec_push(&deps, t.task); /* check time: static ids */
        if (c->trace && t.ir) ptk_vec_push(&dep_ir, t.ir);
      }
    } else {
      pval v = eval(c, a->value);
      if (v.k == V_ERR) continue;
      char *txt = const_text(&v);
      if (!txt) {
        perr(c, a->value->range, "'%s = …' binds a const parameter of the kernel and needs a value known when "
             "the program is checked", a->name);
        continue;
      }
      ptk_const_binding b = {ptk_arena_strdup(c->a, a->name), ptk_arena_strdup(c->a, txt)};
      free(txt);
      ptk_vec_push(&consts, b);
    }
  }
  for (size_t i = 0; i < npos; i++) args[i] = eval(c, call->u.call.args[i].value);
  if (errs_since(c, e0) || halted(c)) goto out;
  pkernel *k = get_kernel(c, call->u.call.callee, consts.data, consts.len, e->range);
  if (!k) goto out;
  const ptk_abi *abi = k->abi;
  if (npos != abi->nparams) {
    perr(c, call->range, "kernel '%s' takes %zu argument%s, got %zu", k->display, abi->nparams,
         abi->nparams == 1 ? "" : "s", npos);
    ptk_buf b = {0};
    for (size_t i = 0; i < abi->nparams; i++) {
      const ptk_abi_param *p = &abi->params[i];
      ptk_buf_printf(&b, "%s%s: %s%s%s", i ? ", " : "", p->name, p->is_ptr ? "ptr<" : "",
                     ptk_dtype_name(p->dtype), p->is_ptr ? ">" : "");
    }
    ptk_note(c->d, k->item ? k->item->u.kernel.name_range : ptk_range_at(ptk_loaded_entry(k->l)->loc, 1),
             "'%s' is declared here: %s(%s)", k->display, k->display,
             ptk_buf_cstr(&b));
    ptk_buf_free(&b);
    goto out;
  }
  /* each argument against its parameter */
  for (size_t i = 0; i < npos; i++) {
    const ptk_abi_param *p = &abi->params[i];
    const ptk_ast_arg *a = &call->u.call.args[i];
    pval *v = &args[i];
    if (p->is_ptr) {
      if (v->k != V_TENSOR) {
        perr(c, a->range, "argument %zu of '%s': parameter '%s' is ptr<%s> and takes a tensor, got %s %s", i + 1,
             k->display, p->name, ptk_dtype_name(p->dtype), a_an(kind_name(v)), kind_name(v));
        ptk_note(c->d, p->range, "'%s' is declared here", p->name);
        continue;
      }
      if (!live(c, v, a->range)) continue;
      ptk_tdtype want;
      if (!tdtype_of(p->dtype, &want) || want != v->v->b->dt) {
        perr(c, a->range, "argument %zu of '%s': '%s' holds %s but parameter '%s' is ptr<%s>", i + 1, k->display,
             v->v->b->name, ptk_tdtype_name(v->v->b->dt), p->name, ptk_dtype_name(p->dtype));
        ptk_note(c->d, p->range, "'%s' is declared here", p->name);
        ptk_note(c->d, v->v->b->decl, "'%s' is declared here", v->v->b->name);
        continue;
      }
      if (v->v->b->readonly && (p->dir == PTK_ARGDIR_OUT || p->dir == PTK_ARGDIR_INOUT)) {
        perr(c, a->range,
             "argument %zu of '%s': program input '%s' is passed to parameter '%s', which the kernel writes (%s)",
             i + 1, k->display, v->v->b->name, p->name, dir_word(p->dir));
        ptk_note(c->d, v->v->b->decl, "'%s' is declared 'in' here", v->v->b->name);
        ptk_note(c->d, p->range, "'%s' is %s %s here", p->name,
                 p->declared != PTK_DIR_NONE ? "declared" : "derived", dir_word(p->dir));
        continue;
      }
    } else {
      bool ok = v->k == V_INT || v->k == V_BOOL || (v->k == V_FLOAT && ptk_dtype_is_float(p->dtype));
      if (!ok) {
        perr(c, a->range, "argument %zu of '%s': parameter '%s' is %s and takes a scalar, got %s %s", i + 1,
             k->display, p->name, ptk_dtype_name(p->dtype), a_an(kind_name(v)), kind_name(v));
        ptk_note(c->d, p->range, "'%s' is declared here", p->name);
        if (v->k == V_FLOAT) ptk_note(c->d, a->range, "a float does not convert to an integer parameter implicitly");
      }
    }
  }
  if (errs_since(c, e0) || halted(c)) goto out;
  ret = (pval){.k = V_TASK, .known = false, .task = -1};
  if (c->trace) {
    ptk_value **ops = ptk_xcalloc(1 + npos + dep_ir.len, sizeof *ops);
    uint32_t n = 0;
    bool okir = (ops[n++] = irv(c, &blocks_v, e->range)) != NULL;
    for (size_t i = 0; i < npos && okir; i++) {
      ptk_value *x = irv(c, &args[i], call->u.call.args[i].range);
      /* scalars as the kernel takes them: a float parameter gets an f64 */
      if (x && !abi->params[i].is_ptr && ptk_dtype_is_float(abi->params[i].dtype) && x->type->kind == PTK_TY_SCALAR)
        x = as_type(c, x, PTK_DT_F64, call->u.call.args[i].range);
      okir = (ops[n++] = x) != NULL;
    }
    for (size_t i = 0; i < dep_ir.len; i++) ops[n++] = dep_ir.data[i];
    if (okir) {
      ptk_op *op = emit(c, PTK_OP_PTK_LAUNCH, ops, n, ptk_orch_task_type(c->M), e->range);
      ptk_op_set_attr(op, "kernel", ptk_attr_string(c->M, k->display, strlen(k->display)));
      ret.ir = ptk_op_result(op, 0);
    }
    free(ops);
    goto out;
  }
  if (!c->run) {
    goto out;
  }
  /* run: a task */
  if (!blocks_known) {
    perr(c, e->range, "internal error: unknown block count at run time");
    goto out;
  }
  {
    ptk_range *ar = ptk_arena_alloc(c->a, (npos ? npos : 1) * sizeof *ar);
    for (size_t i = 0; i < npos; i++) ar[i] = call->u.call.args[i].range;
    int64_t id = submit_task(c, k, blocks, args, npos, deps.data, deps.len, e->range, ar);
    if (id == -2) goto out;
    if (id < 0) {
      ret = v_err();
      goto out;
    }
    ret = (pval){.k = V_TASK, .known = true, .task = id};
  }
out:
  ptk_vec_free(&deps);
  ptk_vec_free(&dep_ir);
  ptk_vec_free(&consts);
  return ret;
}

static pval eval_named(pctx *c, const ptk_ast_expr *e, const char *bind_name) {
  if (e->kind == PTK_EXPR_CALL) return eval_call(c, e, bind_name);
  return eval(c, e);
}

/* A const binding's text: an integer (0x hex, `_` separators), a float, true/false or a dtype. */
static bool parse_const(const char *text, pval *out) {
  char buf[128];
  size_t n = 0;
  for (const char *q = text; *q && n + 1 < sizeof buf; q++)
    if (*q != '_') buf[n++] = *q;
  buf[n] = 0;
  if (!n || strlen(text) >= sizeof buf) return false;
  char *end;
  errno = 0;
  long long i = strtoll(buf, &end, 0);
  if (!*end && !errno) {
    *out = v_int((int64_t)i);
    return true;
  }
  errno = 0;
  double f = strtod(buf, &end);
  if (!*end && !errno && isfinite(f)) {
    *out = v_float(f);
    return true;
  }
  if (!strcmp(text, "true") || !strcmp(text, "false")) {
    *out = v_bool(text[0] == 't');
    return true;
  }
  ptk_dtype dt;
  if (dtype_by_name(text, &dt)) {
    *out = (pval){.k = V_DTYPE, .known = true, .dt = dt};
    return true;
  }
  return false;
}

static pval eval(pctx *c, const ptk_ast_expr *e) {
  if (halted(c)) return v_err();
  switch (e->kind) {
  case PTK_EXPR_INT:
    if (e->u.int_lit.value > (uint64_t)INT64_MAX) {
      perr(c, e->range, "integer literal is too large");
      return v_err();
    }
    return v_int((int64_t)e->u.int_lit.value);
  case PTK_EXPR_FLOAT: return v_float(e->u.float_lit.value);
  case PTK_EXPR_BOOL: return v_bool(e->u.bool_lit.value);
  case PTK_EXPR_STRING: return (pval){.k = V_STR, .known = true, .s = e->u.string_lit.data};
  case PTK_EXPR_NAME: {
    const char *n = e->u.name.name;
    binding *b = lookup(c, n);
    if (b) return b->v;
    ptk_dtype dt;
    if (dtype_by_name(n, &dt)) return (pval){.k = V_DTYPE, .known = true, .dt = dt};
    /* a const binding given at load, then a module-level const of the program's file */
    for (size_t i = 0; i < c->P->nconsts; i++)
      if (!strcmp(c->P->cnames[i], n)) {
        pval v;
        if (parse_const(c->P->cvalues[i], &v)) return v;
      }
    const ptk_ast_file *mf = c->P->files.data[0].ast;
    for (size_t i = 0; mf && i < mf->nitems; i++) {
      const ptk_ast_item *it = mf->items[i];
      if (it->kind != PTK_ITEM_CONST || strcmp(it->u.const_.name, n)) continue;
      if (c->const_depth >= 64) {
        perr(c, e->range, "const '%s' is defined in terms of itself", n);
        return v_err();
      }
      size_t mark = c->binds.len;
      c->const_depth++;
      pval v = eval(c, it->u.const_.value);
      c->const_depth--;
      c->binds.len = mark;
      if (v.k == V_TENSOR || v.k == V_TASK) {
        perr(c, e->range, "const '%s' must be a compile-time value", n);
        return v_err();
      }
      return v;
    }
    if (find_kernel_item(c->P->files.data[0].ast, n)) {
      perr(c, e->range, "'%s' is a kernel: start it as a task with 'launch %s(…)'", n, n);
      return v_err();
    }
    perr(c, e->range, "undefined name '%s'", n);
    return v_err();
  }
  case PTK_EXPR_LIST: return eval_list(c, e);
  case PTK_EXPR_CALL: return eval_call(c, e, NULL);
  case PTK_EXPR_INDEX: return eval_index(c, e);
  case PTK_EXPR_MEMBER: return eval_member(c, e);
  case PTK_EXPR_UNARY: {
    pval x = eval(c, e->u.unary.operand);
    if (x.k == V_ERR) return x;
    if (!is_scalar(&x)) {
      perr(c, e->u.unary.op_range, "operator '%s' is not defined on %s %s", ptk_ast_unop_str(e->u.unary.op),
           a_an(kind_name(&x)), kind_name(&x));
      return v_err();
    }
    if (c->trace && !x.known) {
      ptk_range at = e->u.unary.op_range;
      ptk_value *v = irv(c, &x, at);
      if (!v) return v_err();
      bool ok = e->u.unary.op == PTK_UNOP_NEG || (e->u.unary.op == PTK_UNOP_NOT ? x.k == V_BOOL : x.k == V_INT);
      if (ok) {
        if (e->u.unary.op == PTK_UNOP_NEG && x.k == V_FLOAT) {
          x.ir = emit1(c, PTK_OP_ARITH_NEGF, &v, 1, v->type, at);
        } else if (e->u.unary.op == PTK_UNOP_NEG) {
          v = as_type(c, v, PTK_DT_I64, at);
          ptk_value *ops[2] = {ptk_build_const_int(c->M, c->blk, 0, v->type, at.begin), v};
          x.k = V_INT;
          x.ir = emit1(c, PTK_OP_ARITH_SUBI, ops, 2, v->type, at);
        } else {
          ptk_value *ops[2] = {v, e->u.unary.op == PTK_UNOP_NOT ? ptk_build_const_bool(c->M, c->blk, true, at.begin)
                                                                : ptk_build_const_int(c->M, c->blk, -1, v->type, at.begin)};
          x.ir = emit1(c, PTK_OP_ARITH_XORI, ops, 2, v->type, at);
        }
        return x;
      }
    }
    switch (e->u.unary.op) {
    case PTK_UNOP_NEG:
      if (!x.known) return x;
      return x.k == V_FLOAT ? v_float(-x.f) : v_int((int64_t)(0 - (uint64_t)x.i));
    case PTK_UNOP_NOT:
      if (x.k != V_BOOL) {
        perr(c, e->u.unary.op_range, "'not' needs a bool");
        return v_err();
      }
      return x.known ? v_bool(!x.i) : x;
    case PTK_UNOP_BITNOT:
      if (x.k != V_INT) {
        perr(c, e->u.unary.op_range, "'~' needs an integer");
        return v_err();
      }
      return x.known ? v_int(~x.i) : x;
    }
    return v_err();
  }
  case PTK_EXPR_BINARY: {
    pval a = eval(c, e->u.binary.lhs);
    if (a.k == V_ERR) return a;
    pval b = eval(c, e->u.binary.rhs);
    return binop(c, e, a, b);
  }
  case PTK_EXPR_TERNARY: {
    pval cond = eval(c, e->u.ternary.cond);
    if (cond.k == V_ERR) return cond;
    if (cond.k != V_BOOL) {
      perr(c, e->u.ternary.cond->range, "the condition must be a bool");
      return v_err();
    }
    if (cond.known) return eval(c, cond.i ? e->u.ternary.then_expr : e->u.ternary.else_expr);
    pval a = eval(c, e->u.ternary.then_expr), b = eval(c, e->u.ternary.else_expr);
    if (a.k == V_ERR || b.k == V_ERR) return v_err();
    if (a.k != b.k || !is_scalar(&a)) {
      perr(c, e->range, "both arms of a conditional on a runtime value must be scalars of one kind");
      return v_err();
    }
    pval r = v_unknown(a.k);
    if (c->trace) {
      ptk_value *ops[3] = {irv(c, &cond, e->range), irv(c, &a, e->range), irv(c, &b, e->range)};
      if (!ops[0] || !ops[1] || !ops[2]) return v_err();
      r.ir = emit1(c, PTK_OP_ARITH_SELECT, ops, 3, ops[1]->type, e->range);
    }
    return r;
  }
  case PTK_EXPR_LAUNCH: return eval_launch(c, e);
  }
  return v_err();
}

/* ---- statements --------------------------------------------------------------------------------------- */

static void exec_block(pctx *c, const ptk_ast_block *b, bool is_scope);

/* ---- trace: control flow ------------------------------------------------------------------------------ */

typedef PTK_VEC(size_t) idxvec;

/* Bindings visible now that `b` assigns (vars carried through a loop or out of an if). */
static void assigned(pctx *c, const ptk_ast_block *b, idxvec *out) {
  for (size_t i = 0; b && i < b->nstmts; i++) {
    const ptk_ast_stmt *s = b->stmts[i];
    switch (s->kind) {
    case PTK_STMT_ASSIGN: {
      binding *x = lookup(c, s->u.assign.name);
      if (!x || !x->is_var) break;
      size_t idx = (size_t)(x - c->binds.data);
      bool dup = false;
      for (size_t k = 0; k < out->len && !dup; k++) dup = out->data[k] == idx;
      if (!dup) ptk_vec_push(out, idx);
      break;
    }
    case PTK_STMT_IF:
      for (size_t a = 0; a < s->u.if_.narms; a++) assigned(c, s->u.if_.arms[a].body, out);
      assigned(c, s->u.if_.else_body, out);
      break;
    case PTK_STMT_FOR: assigned(c, s->u.for_.body, out); break;
    case PTK_STMT_BLOCK:
    case PTK_STMT_SCOPE: assigned(c, s->u.block, out); break;
    default: break;
    }
  }
}

/* scf.yield of the carried bindings' current values at the end of blk. */
static bool yield_carried(pctx *c, ptk_block *blk, const idxvec *cv, ptk_range at) {
  ptk_value **ys = ptk_xcalloc(cv->len + 1, sizeof *ys);
  bool ok = true;
  ptk_block *save = c->blk;
  c->blk = blk;
  for (size_t i = 0; i < cv->len && ok; i++) ok = (ys[i] = irv(c, &c->binds.data[cv->data[i]].v, at)) != NULL;
  c->blk = save;
  if (ok) ptk_build(c->M, blk, PTK_OP_SCF_YIELD, ys, (uint32_t)cv->len, NULL, 0, at.end.off ? at.begin : at.begin);
  free(ys);
  return ok;
}

/* After an scf.for / scf.if: the carried bindings are its results (no longer known). */
static void take_results(pctx *c, ptk_op *op, const idxvec *cv) {
  for (size_t i = 0; i < cv->len; i++) {
    pval *v = &c->binds.data[cv->data[i]].v;
    if (v->k != V_TENSOR && v->k != V_TASK) v->known = false;
    v->ir = ptk_op_result(op, (uint32_t)i);
  }
}

static ptk_op *carried_op(pctx *c, ptk_op_kind k, ptk_value **lead, uint32_t nlead, const idxvec *cv,
                          uint32_t nregions, ptk_range at) {
  ptk_value **ops = ptk_xcalloc(nlead + cv->len + 1, sizeof *ops);
  const ptk_type **rt = ptk_xcalloc(cv->len + 1, sizeof *rt);
  bool ok = true;
  for (uint32_t i = 0; i < nlead; i++) ops[i] = lead[i];
  for (size_t i = 0; i < cv->len && ok; i++) {
    ptk_value *x = irv(c, &c->binds.data[cv->data[i]].v, at);
    ok = x != NULL;
    if (ok) rt[i] = x->type;
    if (k == PTK_OP_SCF_FOR) ops[nlead + i] = x;
  }
  ptk_op *op = NULL;
  if (ok) {
    op = ptk_op_new(c->M, k, ops, k == PTK_OP_SCF_FOR ? nlead + (uint32_t)cv->len : nlead, rt, (uint32_t)cv->len,
                    nregions, at.begin);
    ptk_block_append(c->blk, op);
  }
  free(ops);
  free(rt);
  return op;
}

static void trace_for_kept(pctx *c, const ptk_ast_stmt *s, pval *rv) {
  idxvec cv = {0};
  assigned(c, s->u.for_.body, &cv);
  ptk_value *lead[3];
  for (int i = 0; i < 3; i++)
    if (!(lead[i] = irv(c, &rv[i], s->range))) goto done;
  ptk_op *op = carried_op(c, PTK_OP_SCF_FOR, lead, 3, &cv, 1, s->range);
  if (!op) goto done;
  ptk_block *body = ptk_region_add_block(c->M, &op->regions[0]);
  ptk_value *iv = ptk_block_add_arg(c->M, body, ty(PTK_DT_I64), s->u.for_.var, s->u.for_.var_range.begin);
  pval *saved = ptk_xcalloc(cv.len + 1, sizeof *saved);
  for (size_t i = 0; i < cv.len; i++) {
    binding *b = &c->binds.data[cv.data[i]];
    saved[i] = b->v;
    b->v.ir = ptk_block_add_arg(c->M, body, op->results[i].type, b->name, b->decl.begin);
    if (b->v.k != V_TENSOR && b->v.k != V_TASK) b->v.known = false;
  }
  ptk_block *outer = c->blk;
  c->blk = body;
  uint32_t sc = c->scope++;
  size_t mark = c->binds.len;
  pval ivv = v_unknown(V_INT);
  ivv.ir = iv;
  declare(c, s->u.for_.var, s->u.for_.var_range, ivv, false);
  exec_block(c, s->u.for_.body, false);
  c->binds.len = mark;
  c->scope = sc;
  c->blk = outer;
  if (!halted(c)) yield_carried(c, body, &cv, s->range);
  for (size_t i = 0; i < cv.len; i++) c->binds.data[cv.data[i]].v = saved[i];
  take_results(c, op, &cv);
  free(saved);
done:
  ptk_vec_free(&cv);
}

#define MAX_UNROLL 4096

/* A `for`: kept as an scf.for. When its bounds are known and the body needs
 * the induction variable's value at load (a list index, a kernel's const
 * binding, …), that fails; the loop is then unrolled instead (up to
 * MAX_UNROLL iterations), each iteration traced with its known value. */
static void trace_for(pctx *c, const ptk_ast_stmt *s, pval *rv) {
  bool known = true;
  for (int i = 0; i < 3; i++) known &= rv[i].known && rv[i].k == V_INT;
  if (!known) {
    trace_for_kept(c, s, rv);
    return;
  }
  int64_t lb = rv[0].i, ub = rv[1].i, st = rv[2].i;
  __int128 span = (__int128)ub - lb;
  __int128 trips = st > 0 ? (span <= 0 ? 0 : (span + st - 1) / st) : (span >= 0 ? 0 : (span + st + 1) / st);
  /* try keeping it, errors aside */
  ptk_diags *d = c->d, *tmp = ptk_diags_new();
  size_t err0 = c->err0, nbinds = c->binds.len, nbufs = c->bufs.len;
  bool abort0 = c->abort;
  binding *saved = ptk_xmalloc((nbinds ? nbinds : 1) * sizeof *saved);
  if (nbinds) memcpy(saved, c->binds.data, nbinds * sizeof *saved);
  ptk_block *blk = c->blk;
  ptk_op *last = blk->last;
  c->d = tmp;
  c->err0 = 0;
  trace_for_kept(c, s, rv);
  bool failed = ptk_diags_errors(tmp) > 0;
  c->d = d;
  c->err0 = err0;
  ptk_diags_free(tmp);
  if (!failed || trips > MAX_UNROLL) {
    free(saved);
    if (failed) trace_for_kept(c, s, rv); /* again, to report its errors */
    return;
  }
  while (blk->last != last) ptk_op_unlink(blk->last);
  memcpy(c->binds.data, saved, nbinds * sizeof *saved);
  c->binds.len = nbinds;
  c->bufs.len = nbufs;
  c->abort = abort0;
  free(saved);
  for (int64_t i = lb; (st > 0 ? i < ub : i > ub) && !halted(c); i += st) {
    uint32_t sc = c->scope++;
    size_t mark = c->binds.len;
    declare(c, s->u.for_.var, s->u.for_.var_range, v_int(i), false);
    exec_block(c, s->u.for_.body, false);
    c->binds.len = mark;
    c->scope = sc;
  }
}

/* An if arm's condition: a bool (known, or run-time when tracing); false
 * after reporting why not (a 'static if', a non-bool, an error in it). */
static bool arm_cond(pctx *c, const ptk_ast_if_arm *arm, pval *cond) {
  if (arm->is_static) {
    perr(c, arm->range, "'static if' is for kernels; in a program every 'if' runs on the host");
    return false;
  }
  *cond = eval(c, arm->cond);
  if (cond->k == V_ERR) return false;
  if (cond->k != V_BOOL) {
    perr(c, arm->cond->range, "the condition must be a bool, got %s %s", a_an(kind_name(cond)), kind_name(cond));
    return false;
  }
  return true;
}

static void trace_if(pctx *c, const ptk_ast_stmt *s, size_t i) {
  if (halted(c)) return;
  if (i == s->u.if_.narms) {
    exec_block(c, s->u.if_.else_body, false);
    return;
  }
  const ptk_ast_if_arm *arm = &s->u.if_.arms[i];
  pval cond;
  if (!arm_cond(c, arm, &cond)) return;
  if (cond.known) {
    if (cond.i)
      exec_block(c, arm->body, false);
    else
      trace_if(c, s, i + 1);
    return;
  }
  idxvec cv = {0};
  for (size_t a = i; a < s->u.if_.narms; a++) assigned(c, s->u.if_.arms[a].body, &cv);
  assigned(c, s->u.if_.else_body, &cv);
  ptk_value *cx = irv(c, &cond, arm->cond->range);
  ptk_op *op = cx ? carried_op(c, PTK_OP_SCF_IF, &cx, 1, &cv, 2, arm->range) : NULL;
  if (!op) {
    ptk_vec_free(&cv);
    return;
  }
  pval *saved = ptk_xcalloc(cv.len + 1, sizeof *saved);
  for (size_t k = 0; k < cv.len; k++) saved[k] = c->binds.data[cv.data[k]].v;
  ptk_block *outer = c->blk;
  for (int side = 0; side < 2 && !halted(c); side++) {
    ptk_block *blk = ptk_region_add_block(c->M, &op->regions[side]);
    c->blk = blk;
    if (side == 0)
      exec_block(c, arm->body, false);
    else
      trace_if(c, s, i + 1);
    c->blk = outer;
    if (!halted(c)) yield_carried(c, blk, &cv, arm->range);
    for (size_t k = 0; k < cv.len; k++) c->binds.data[cv.data[k]].v = saved[k];
  }
  c->blk = outer;
  take_results(c, op, &cv);
  free(saved);
  ptk_vec_free(&cv);
}

static void exec_stmt(pctx *c, const ptk_ast_stmt *s) {
  if (halted(c)) return;
  if (++c->steps > MAX_STEPS) {
    perr(c, s->range, "the program runs more than %llu statements", MAX_STEPS);
    c->abort = true;
    return;
  }
  switch (s->kind) {
  case PTK_STMT_LET:
  case PTK_STMT_VAR: {
    if (s->u.decl.type)
      perr(c, s->u.decl.type->range, "program variables take the type of their value; drop ': %s'",
           s->u.decl.type->name);
    pval v = eval_named(c, s->u.decl.init, s->u.decl.name);
    if (v.k == V_NONE) perr(c, s->u.decl.init->range, "this has no value");
    declare(c, s->u.decl.name, s->u.decl.name_range, v, s->kind == PTK_STMT_VAR);
    break;
  }
  case PTK_STMT_ASSIGN: {
    binding *b = lookup(c, s->u.assign.name);
    if (!b) {
      perr(c, s->u.assign.name_range, "undefined name '%s'", s->u.assign.name);
      break;
    }
    if (!b->is_var) {
      perr(c, s->u.assign.name_range, "'%s' is not a 'var'; declare it with 'var' to assign it", s->u.assign.name);
      ptk_note(c->d, b->decl, "'%s' is declared here", s->u.assign.name);
      break;
    }
    size_t idx = (size_t)(b - c->binds.data);
    pval v = eval_named(c, s->u.assign.value, s->u.assign.name);
    if (s->u.assign.has_op && v.k != V_ERR) {
      ptk_ast_expr fake;
      memset(&fake, 0, sizeof fake);
      fake.kind = PTK_EXPR_BINARY;
      fake.range = s->range;
      fake.u.binary.op = s->u.assign.op;
      fake.u.binary.op_range = s->u.assign.op_range;
      v = binop(c, &fake, c->binds.data[idx].v, v);
    }
    c->binds.data[idx].v = v;
    break;
  }
  case PTK_STMT_EXPR: eval(c, s->u.expr); break;
  case PTK_STMT_IF: {
    if (c->trace) {
      trace_if(c, s, 0);
      break;
    }
    bool all_known = true;
    for (size_t i = 0; i < s->u.if_.narms && !halted(c); i++) {
      const ptk_ast_if_arm *arm = &s->u.if_.arms[i];
      pval cond;
      if (!arm_cond(c, arm, &cond)) return;
      if (cond.known && all_known) {
        if (cond.i) {
          exec_block(c, arm->body, false);
          return;
        }
        continue;
      }
      all_known = false; /* check time: check every arm */
      exec_block(c, arm->body, false);
    }
    if (s->u.if_.else_body) exec_block(c, s->u.if_.else_body, false);
    break;
  }
  case PTK_STMT_FOR: {
    int64_t r[3] = {0, 0, 1};
    bool k[3] = {true, true, true};
    size_t n = s->u.for_.nrange_args;
    pval rv[3] = {v_int(0), v_int(0), v_int(1)};
    for (size_t i = 0; i < n; i++) {
      const ptk_ast_expr *x = s->u.for_.range_args[i];
      rv[n == 1 ? 1 : i] = eval(c, x);
      if (!as_int(c, x, rv[n == 1 ? 1 : i], "a range bound", &r[n == 1 ? 1 : i], &k[n == 1 ? 1 : i])) return;
    }
    if (k[2] && r[2] == 0) {
      perr(c, s->u.for_.range_args[2]->range, "range() step cannot be 0");
      return;
    }
    if (c->trace) {
      trace_for(c, s, rv);
      return;
    }
    if (!k[0] || !k[1] || !k[2]) {
      if (c->run) {
        perr(c, s->range, "internal error: unknown loop bounds at run time");
        return;
      }
      uint32_t sc = c->scope++;
      size_t mark = c->binds.len;
      declare(c, s->u.for_.var, s->u.for_.var_range, v_unknown(V_INT), false);
      exec_block(c, s->u.for_.body, false);
      c->binds.len = mark;
      c->scope = sc;
      return;
    }
    int64_t iters = 0;
    for (int64_t i = r[0]; (r[2] > 0 ? i < r[1] : i > r[1]) && !halted(c); i += r[2]) {
      if (!c->run && iters++ >= CHECK_ITERS) break;
      uint32_t sc = c->scope++;
      size_t mark = c->binds.len;
      declare(c, s->u.for_.var, s->u.for_.var_range, v_int(i), false);
      exec_block(c, s->u.for_.body, false);
      c->binds.len = mark;
      c->scope = sc;
      if ((r[2] > 0 && i > INT64_MAX - r[2]) || (r[2] < 0 && i < INT64_MIN - r[2])) break;
    }
    break;
  }
  case PTK_STMT_STATIC_FOR:
    perr(c, s->range, "'static for' is for kernels; in a program 'for … in range(…)' runs on the host");
    break;
  case PTK_STMT_WHILE:
    perr(c, s->range, "'while' is not supported in programs; use 'for … in range(…)'");
    break;
  case PTK_STMT_RETURN:
    perr(c, s->range, "a program returns nothing: write its results to 'out' parameters");
    break;
  case PTK_STMT_BLOCK: exec_block(c, s->u.block, false); break;
  case PTK_STMT_SCOPE: exec_block(c, s->u.block, true); break;
  }
}

static void exec_block(pctx *c, const ptk_ast_block *b, bool is_scope) {
  if (!b) return;
  uint32_t sc = c->scope++;
  size_t mark = c->binds.len;
  if (is_scope) {
    struct scope_rec r = {c->scope, ptk_range_at(ptk_source_loc(b->range.end.src, b->range.end.off - 1), 1)};
    ptk_vec_push(&c->scopes, r);
  }
  for (size_t i = 0; i < b->nstmts && !halted(c); i++) exec_stmt(c, b->stmts[i]);
  if (is_scope) {
    struct scope_rec r = c->scopes.data[--c->scopes.len];
    for (size_t i = 0; i < c->bufs.len; i++) {
      pbuf *pb = c->bufs.data[i];
      if (pb->param >= 0 || pb->freed || pb->scope < r.depth) continue;
      pb->freed = true;
      pb->freed_at = r.end;
      if (c->trace && pb->ir) ptk_build(c->M, c->blk, PTK_OP_PTK_FREE, &pb->ir, 1, NULL, 0, r.end.begin);
      if (c->run) psched_release(c->S, pb->id);
    }
  }
  c->binds.len = mark;
  c->scope = sc;
}

/* ---- parameters ----------------------------------------------------------------------------------------- */

static bool read_params(ptk_program *P, ptk_diags *d) {
  const ptk_ast_item *it = P->item;
  size_t np = it->u.program.nparams;
  P->params = ptk_arena_alloc(P->arena, (np ? np : 1) * sizeof *P->params);
  P->nparams = np;
  bool ok = true;
  for (size_t i = 0; i < np; i++) {
    const ptk_ast_param *ap = &it->u.program.params[i];
    ptk_program_param *pp = &P->params[i];
    memset(pp, 0, sizeof *pp);
    pp->name = ap->name;
    pp->range = ap->range;
    pp->dir = ap->dir;
    for (size_t j = 0; j < i; j++)
      if (!strcmp(P->params[j].name, ap->name)) {
        ptk_error(d, ap->name_range, "parameter '%s' is declared twice", ap->name);
        ptk_note(d, P->params[j].range, "the first one is here");
        ok = false;
      }
    if (ap->is_const || ap->default_value) {
      ptk_error(d, ap->range, "program parameters are tensors and runtime scalars: no 'const', no default");
      ok = false;
      continue;
    }
    const ptk_ast_type *t = ap->type;
    if (!strcmp(t->name, "tensor")) {
      pp->is_tensor = true;
      ptk_dtype dt;
      if (t->nargs != 1 || t->args[0]->nargs || !dtype_by_name(t->args[0]->name, &dt) ||
          !tdtype_of(dt, &pp->tdtype)) {
        ptk_error(d, t->range, "a tensor parameter is written tensor<DTYPE>[DIMS], e.g. tensor<f32>[M, 128]");
        ok = false;
        continue;
      }
      if (!t->has_dims || t->ndims < 1 || t->ndims > PTK_TENSOR_MAX_RANK) {
        ptk_error(d, t->range, "tensor '%s' needs a shape of 1 to %d dimensions: tensor<%s>[M, 128]", ap->name,
                  PTK_TENSOR_MAX_RANK, t->args[0]->name);
        ok = false;
        continue;
      }
      pp->rank = (int)t->ndims;
      for (size_t k = 0; k < t->ndims; k++) {
        const ptk_ast_expr *x = t->dims[k];
        if (x->kind == PTK_EXPR_INT && x->u.int_lit.value <= (uint64_t)INT64_MAX) {
          pp->dims[k] = (int64_t)x->u.int_lit.value;
        } else if (x->kind == PTK_EXPR_NAME) {
          pp->dims[k] = -1;
          pp->dim_names[k] = x->u.name.name;
        } else {
          ptk_error(d, x->range, "a dimension is an integer or the name of a dynamic dimension");
          ok = false;
        }
      }
      if (pp->dir == PTK_DIR_NONE) pp->dir = PTK_DIR_IN;
    } else {
      if (t->nargs || t->has_dims || !dtype_by_name(t->name, &pp->dtype)) {
        ptk_error(d, t->range, "unknown parameter type '%s' (a program takes tensor<DTYPE>[DIMS] and scalars: "
                  "i32, i64, index, f32, …)", t->name);
        ok = false;
        continue;
      }
      if (ap->dir == PTK_DIR_OUT || ap->dir == PTK_DIR_INOUT) {
        ptk_error(d, ap->dir_range, "a scalar parameter is an input; results go to tensors");
        ok = false;
      }
    }
  }
  return ok;
}

/* Binds parameters: tensors (the named dimensions too) and scalars. */
static bool bind_params(pctx *c, const ptk_launch_arg *args, size_t nargs) {
  ptk_program *P = c->P;
  bool ok = true;
  if (c->run && nargs != P->nparams) {
    ptk_error(c->d, prog_range(P), "program '%s' takes %zu argument%s, got %zu", ptk_program_name(P), P->nparams,
              P->nparams == 1 ? "" : "s", nargs);
    return false;
  }
  /* dynamic dimensions: the first tensor that has one names it */
  for (size_t i = 0; i < P->nparams; i++) {
    const ptk_program_param *pp = &P->params[i];
    if (!pp->is_tensor) continue;
    const ptk_tensor *t = c->run ? args[i].tensor : NULL;
    if (c->run) {
      if (args[i].kind != PTK_ARG_TENSOR || !t) {
        ptk_error(c->d, pp->range, "argument %zu ('%s'): expected a tensor", i + 1, pp->name);
        ok = false;
        continue;
      }
      if (t->dtype != pp->tdtype || t->rank != pp->rank || !ptk_tensor_is_contiguous(t)) {
        ptk_buf sh = {0};
        for (int k = 0; k < t->rank; k++) ptk_buf_printf(&sh, "%s%lld", k ? "x" : "", (long long)t->shape[k]);
        ptk_error(c->d, pp->range, "argument %zu ('%s'): expected a C-contiguous %s tensor of rank %d, got %s %s",
                  i + 1, pp->name, ptk_tdtype_name(pp->tdtype), pp->rank, ptk_tdtype_name(t->dtype),
                  ptk_buf_cstr(&sh));
        ptk_buf_free(&sh);
        ok = false;
        continue;
      }
    }
    int64_t shape[PTK_TENSOR_MAX_RANK];
    for (int k = 0; k < pp->rank; k++) {
      shape[k] = pp->dims[k];
      if (pp->dim_names[k]) {
        binding *b = lookup(c, pp->dim_names[k]);
        if (!c->run) {
          if (!b) {
            pval dv = v_unknown(V_INT);
            if (c->trace) {
              ptk_value *t = ptk_func_arg(c->F, (uint32_t)i);
              ptk_op *dop = emit(c, PTK_OP_PTK_DIM, &t, 1, ty(PTK_DT_I64), pp->range);
              ptk_op_set_attr(dop, "dim", ptk_attr_int(c->M, k, NULL));
              dv.ir = ptk_op_result(dop, 0);
            }
            declare(c, pp->dim_names[k], pp->range, dv, false);
          }
          continue;
        }
        if (b && b->v.known && b->v.i != t->shape[k]) {
          ptk_error(c->d, pp->range, "argument %zu ('%s'): dimension %d is %lld but %s is already %lld", i + 1,
                    pp->name, k, (long long)t->shape[k], pp->dim_names[k], (long long)b->v.i);
          ok = false;
        } else if (!b) {
          declare(c, pp->dim_names[k], pp->range, v_int(t->shape[k]), false);
        }
        shape[k] = t->shape[k];
      } else if (c->run && t->shape[k] != pp->dims[k]) {
        ptk_error(c->d, pp->range, "argument %zu ('%s'): dimension %d must be %lld, got %lld", i + 1, pp->name, k,
                  (long long)pp->dims[k], (long long)t->shape[k]);
        ok = false;
      }
    }
    pbuf *b = ptk_arena_alloc(c->a, sizeof *b);
    b->id = -1;
    b->dt = pp->tdtype;
    b->rank = pp->rank;
    memcpy(b->shape, shape, sizeof shape);
    b->name = pp->name;
    b->decl = pp->range;
    b->param = (int)i;
    b->readonly = pp->dir == PTK_DIR_IN;
    if (c->run && ok) {
      b->data = t->data;
      b->nbytes = (int64_t)ptk_tensor_nbytes(t);
      b->id = psched_buf(c->S, t->data, b->nbytes, false, pp->name);
    }
    ptk_vec_push(&c->bufs, b);
    pval v = {.k = V_TENSOR, .known = true};
    v.v = new_view(c, b);
    if (c->trace) v.ir = b->ir = ptk_func_arg(c->F, (uint32_t)i);
    declare(c, pp->name, pp->range, v, false);
  }
  for (size_t i = 0; i < P->nparams; i++) {
    const ptk_program_param *pp = &P->params[i];
    if (pp->is_tensor) continue;
    pval v;
    bool fl = ptk_dtype_is_float(pp->dtype);
    if (!c->run) {
      v = v_unknown(pp->dtype == PTK_DT_I1 ? V_BOOL : fl ? V_FLOAT : V_INT);
      if (c->trace) v.ir = ptk_func_arg(c->F, (uint32_t)i);
    } else if (args[i].kind != PTK_ARG_SCALAR) {
      ptk_error(c->d, pp->range, "argument %zu ('%s'): expected a scalar of type %s", i + 1, pp->name,
                ptk_dtype_name(pp->dtype));
      ok = false;
      continue;
    } else {
      bool af = ptk_dtype_is_float(args[i].dt);
      if (fl)
        v = v_float(af ? args[i].f : (double)args[i].i);
      else if (af) {
        ptk_error(c->d, pp->range, "argument %zu ('%s'): %g is not a value of type %s", i + 1, pp->name,
                  args[i].f, ptk_dtype_name(pp->dtype));
        ok = false;
        continue;
      } else
        v = pp->dtype == PTK_DT_I1 ? v_bool(args[i].i != 0) : v_int(args[i].i);
    }
    declare(c, pp->name, pp->range, v, false);
  }
  return ok;
}

/* ---- evaluation driver ------------------------------------------------------------------------------------ */

static int kernel_run(int64_t id, void *kernel, const ptk_launch_opts *lo, const ptk_launch_arg *args,
                      size_t nargs, void *rec, ptk_diags *d) {
  pkernel *k = kernel;
  const ptk_program_run_opts *ro = k->P->ro;
  ptk_launch_opts o = *lo;
  if (rec) {
    o.accesses = psched_record_launch;
    o.accesses_arg = rec;
    o.check_races = true;
  }
  lo = &o;
  if (ro && ro->task_hook && !ro->task_hook(ro->task_hook_arg, id, k->index, lo->blocks, false, args, nargs, d))
    return 1;
  int rc = k->jp ? ptk_jit_run(k->jp, lo, args, nargs, d) : ptk_interp_run(k->ip, lo, args, nargs, d);
  if (!rc && ro && ro->task_hook && !ro->task_hook(ro->task_hook_arg, id, k->index, lo->blocks, true, args, nargs, d))
    return 1;
  return rc;
}

/* 0, 1 (errors) or PTK_PROGRAM_BAD_ARGS. */
/* ---- running the orchestration IR ----------------------------------------------------------------------
 * A program loaded from its IR (ptk_program_load_ir: a build folder's
 * orchestration/<name>.pto) runs here: one evaluator over the IR ops with
 * the values, buffers and task submission of the AST evaluator above.
 * Errors are located at the ops (in the IR file). */

static pval *IV(pctx *c, const ptk_value *v) { return &c->iv[v->uid]; }

static bool ir_int(pctx *c, const ptk_op *op, uint32_t i, int64_t *out) {
  const pval *v = IV(c, op->operands[i]);
  if ((v->k != V_INT && v->k != V_BOOL) || !v->known) {
    perr(c, ptk_op_range(op), "operand %u of '%s' is not an integer", i, ptk_op_table[op->kind].name);
    return false;
  }
  *out = v->i;
  return true;
}

static bool ir_view(pctx *c, const ptk_op *op, uint32_t i, const pval **out) {
  const pval *v = IV(c, op->operands[i]);
  if (v->k != V_TENSOR) {
    perr(c, ptk_op_range(op), "operand %u of '%s' is not a tensor", i, ptk_op_table[op->kind].name);
    return false;
  }
  if (!live(c, v, ptk_op_range(op))) return false;
  *out = v;
  return true;
}

static const ptk_op *ir_block(pctx *c, const ptk_block *b);

/* A scalar op's semantic function, through the lowering kernels use, so
 * a program computes exactly what a kernel would (runtime/isa/scalar.h). */
static bool lower_scalar(pctx *c, const ptk_op *op, ptk_call *k) {
  if (ptk_lower_call_quiet(op, k)) return true;
  perr(c, ptk_op_range(op), "'%s' cannot be evaluated in a program", ptk_op_table[op->kind].name);
  return false;
}

static void ir_op(pctx *c, const ptk_op *op) {
  ptk_range at = ptk_op_range(op);
  pval *r = op->nresults ? IV(c, &op->results[0]) : NULL;
  const char *name = ptk_op_table[op->kind].name;
  if (++c->steps > MAX_OPS) {
    perr(c, at, "the program runs more than %llu operations", MAX_OPS);
    c->abort = true;
    return;
  }
  /* an operand that failed (its error is reported) fails the op quietly */
  for (uint32_t i = 0; i < op->noperands; i++)
    if (IV(c, op->operands[i])->k == V_ERR) {
      for (uint32_t k = 0; k < op->nresults; k++) *IV(c, &op->results[k]) = v_err();
      return;
    }
  switch (op->kind) {
  case PTK_OP_ARITH_CONSTANT: {
    const ptk_attr *a = ptk_op_attr(op, "value");
    int64_t x;
    if (a && a->kind == PTK_ATTR_FLOAT)
      *r = v_float(a->f.v);
    else if (ptk_attr_get_int(a, &x))
      *r = ptk_type_is_scalar(op->results[0].type, PTK_DT_I1) ? v_bool(x != 0) : v_int(x);
    else
      perr(c, at, "'arith.constant' in a program holds an integer, a float or a bool");
    return;
  }
  case PTK_OP_ARITH_ADDI: case PTK_OP_ARITH_SUBI: case PTK_OP_ARITH_MULI: case PTK_OP_ARITH_DIVSI:
  case PTK_OP_ARITH_REMSI: case PTK_OP_ARITH_FLOORDIVSI: case PTK_OP_ARITH_CEILDIVSI: case PTK_OP_ARITH_ANDI:
  case PTK_OP_ARITH_ORI: case PTK_OP_ARITH_XORI: case PTK_OP_ARITH_SHLI: case PTK_OP_ARITH_SHRSI:
  case PTK_OP_ARITH_MAXSI: case PTK_OP_ARITH_MINSI: {
    int64_t x, y, v = 0;
    if (!ir_int(c, op, 0, &x) || !ir_int(c, op, 1, &y)) return;
    if (op->kind == PTK_OP_ARITH_CEILDIVSI && y < 0) { /* the language's rule for ceil_div */
      perr(c, at, "ceil_div needs a positive divisor");
      return;
    }
    ptk_call k;
    if (!lower_scalar(c, op, &k)) return;
    if (ptk_sc_iarith(k.sub, x, y, k.width[0], &v)) {
      perr(c, at, "division by zero");
      return;
    }
    *r = ptk_type_is_scalar(op->results[0].type, PTK_DT_I1) ? v_bool(v & 1) : v_int(v);
    return;
  }
  case PTK_OP_MATH_IPOWI: {
    int64_t x, y, v = 0;
    if (!ir_int(c, op, 0, &x) || !ir_int(c, op, 1, &y)) return;
    if (ptk_sc_iarith(PTK_SC_IPOWI, x, y, 64, &v)) {
      perr(c, at, "integer '**' needs a non-negative exponent");
      return;
    }
    *r = v_int(v);
    return;
  }
  case PTK_OP_MATH_POWF:
  case PTK_OP_MATH_FLOOR: {
    const pval *a = IV(c, op->operands[0]), *b = op->noperands > 1 ? IV(c, op->operands[1]) : a;
    *r = v_float(ptk_sc_farith(op->kind == PTK_OP_MATH_POWF ? PTK_SC_POWF : PTK_SC_FLOORF, PTK_ISA_F64, fval(a),
                               fval(b)));
    return;
  }
  case PTK_OP_ARITH_ADDF: case PTK_OP_ARITH_SUBF: case PTK_OP_ARITH_MULF: case PTK_OP_ARITH_DIVF:
  case PTK_OP_ARITH_NEGF: {
    const pval *a = IV(c, op->operands[0]), *b = op->noperands > 1 ? IV(c, op->operands[1]) : a;
    ptk_call k;
    if (!lower_scalar(c, op, &k)) return;
    *r = v_float(ptk_sc_farith(k.sub, PTK_ISA_F64, fval(a), fval(b)));
    return;
  }
  case PTK_OP_ARITH_CMPI:
  case PTK_OP_ARITH_CMPF: {
    int64_t pred = 0;
    ptk_attr_get_int(ptk_op_attr(op, "predicate"), &pred);
    const pval *a = IV(c, op->operands[0]), *b = IV(c, op->operands[1]);
    /* the IR's predicate numbering is scalar.h's (asserted in backend/lower.c) */
    bool v = op->kind == PTK_OP_ARITH_CMPI ? ptk_sc_icmp((int)pred, a->i, b->i, 64)
                                           : ptk_sc_fcmp((int)pred, fval(a), fval(b));
    *r = v_bool(v);
    return;
  }
  case PTK_OP_ARITH_SELECT: *r = *IV(c, op->operands[IV(c, op->operands[0])->i ? 1 : 2]); return;
  case PTK_OP_ARITH_EXTUI:
  case PTK_OP_ARITH_EXTSI: *r = v_int(IV(c, op->operands[0])->i); return;
  case PTK_OP_ARITH_SITOFP:
  case PTK_OP_ARITH_UITOFP: *r = v_float((double)IV(c, op->operands[0])->i); return;
  case PTK_OP_PTK_DIM: {
    const pval *t;
    int64_t k = 0;
    if (!ir_view(c, op, 0, &t)) return;
    ptk_attr_get_int(ptk_op_attr(op, "dim"), &k);
    *r = v_int(t->v->shape[k]);
    return;
  }
  case PTK_OP_PTK_ALLOC_TENSOR: {
    ptk_tdtype dt;
    int rank;
    int64_t shape[PTK_TENSOR_MAX_RANK];
    ptk_orch_tensor_of(op->results[0].type, &dt, &rank, shape);
    uint32_t k = 0;
    for (int i = 0; i < rank; i++)
      if (shape[i] < 0 && (!ir_int(c, op, k++, &shape[i]) || shape[i] < 0)) {
        if (shape[i] < 0) perr(c, at, "a dimension cannot be negative (%lld)", (long long)shape[i]);
        return;
      }
    const ptk_attr *na = ptk_op_attr(op, "name");
    const char *nm = na && na->kind == PTK_ATTR_STRING ? na->str.s : "alloc_tensor";
    *r = alloc_buf(c, dt, rank, shape, nm, at);
    return;
  }
  case PTK_OP_PTK_SLICE: {
    const pval *t;
    if (!ir_view(c, op, 0, &t)) return;
    const pview *v = t->v;
    pview *nv = ptk_arena_alloc(c->a, sizeof *nv);
    *nv = *v;
    for (int i = 0; i < v->rank; i++) {
      int64_t o, z;
      if (!ir_int(c, op, 1 + (uint32_t)i, &o) || !ir_int(c, op, 1 + (uint32_t)(v->rank + i), &z)) return;
      if (o < 0 || z < 0 || o > v->shape[i] || z > v->shape[i] - o) {
        perr(c, at, "slice %lld:%lld is outside dimension %d of '%s' (size %lld)", (long long)o,
             (long long)(o + z), i, v->b->name, (long long)v->shape[i]);
        return;
      }
      nv->shape[i] = z;
      nv->off += o * v->strides[i];
    }
    *r = *t;
    r->v = nv;
    return;
  }
  case PTK_OP_PTK_NO_DEP: {
    const pval *t;
    if (!ir_view(c, op, 0, &t)) return;
    *r = *t;
    r->nodep = true;
    return;
  }
  case PTK_OP_PTK_READ_SCALAR: {
    const pval *t;
    if (!ir_view(c, op, 0, &t)) return;
    int64_t idx[PTK_TENSOR_MAX_RANK];
    for (int i = 0; i < t->v->rank; i++) {
      if (!ir_int(c, op, 1 + (uint32_t)i, &idx[i])) return;
      if (idx[i] < 0 || idx[i] >= t->v->shape[i]) {
        perr(c, at, "index %lld is outside dimension %d of '%s' (size %lld)", (long long)idx[i], i, t->v->b->name,
             (long long)t->v->shape[i]);
        return;
      }
    }
    *r = read_scalar(c, NULL, t->v, idx);
    return;
  }
  case PTK_OP_PTK_LAUNCH: {
    const ptk_attr *ka = ptk_op_attr(op, "kernel");
    pkernel *k = NULL;
    for (size_t i = 0; i < c->P->kernels.len && !k; i++)
      if (!strcmp(c->P->kernels.data[i]->display, ka->str.s)) k = c->P->kernels.data[i];
    int64_t blocks;
    if (!k || !k->l || !ir_int(c, op, 0, &blocks)) return;
    if (blocks < 1 || blocks > (int64_t)MAX_BLOCKS) {
      perr(c, at, "blocks must be 1 to %u, got %lld", MAX_BLOCKS, (long long)blocks);
      return;
    }
    pval *args = ptk_arena_alloc(c->a, (op->noperands + 1) * sizeof *args);
    int64_t *deps = ptk_arena_alloc(c->a, (op->noperands + 1) * sizeof *deps);
    ptk_range *ar = ptk_arena_alloc(c->a, (op->noperands + 1) * sizeof *ar);
    size_t na = 0, nd = 0;
    for (uint32_t i = 1; i < op->noperands; i++) {
      const pval *v = IV(c, op->operands[i]);
      if (v->k == V_TASK) {
        if (v->known) deps[nd++] = v->task;
        continue;
      }
      if (v->k == V_TENSOR && !live(c, v, at)) return;
      ar[na] = at;
      args[na++] = *v;
    }
    if (na != k->abi->nparams) {
      perr(c, at, "kernel '%s' takes %zu arguments, got %zu", k->display, k->abi->nparams, na);
      return;
    }
    int64_t id = submit_task(c, k, blocks, args, na, deps, nd, at, ar);
    if (id >= 0) *r = (pval){.k = V_TASK, .known = true, .task = id};
    else *r = v_err();
    return;
  }
  case PTK_OP_PTK_FREE: {
    const pval *t;
    if (!ir_view(c, op, 0, &t)) return;
    pbuf *b = t->v->b;
    b->freed = true;
    b->freed_at = at;
    psched_release(c->S, b->id);
    return;
  }
  case PTK_OP_SCF_FOR: {
    int64_t lb, ub, st;
    if (!ir_int(c, op, 0, &lb) || !ir_int(c, op, 1, &ub) || !ir_int(c, op, 2, &st)) return;
    if (st == 0) {
      perr(c, at, "range() step cannot be 0");
      return;
    }
    const ptk_block *body = op->regions[0].first;
    uint32_t n = op->nresults;
    for (uint32_t i = 0; i < n; i++) *IV(c, &op->results[i]) = *IV(c, op->operands[3 + i]);
    for (int64_t i = lb; (st > 0 ? i < ub : i > ub) && !halted(c); i += st) {
      *IV(c, body->args[0]) = v_int(i);
      for (uint32_t k = 0; k < n; k++) *IV(c, body->args[1 + k]) = *IV(c, &op->results[k]);
      const ptk_op *y = ir_block(c, body);
      for (uint32_t k = 0; y && k < n && k < y->noperands; k++) *IV(c, &op->results[k]) = *IV(c, y->operands[k]);
      if ((st > 0 && i > INT64_MAX - st) || (st < 0 && i < INT64_MIN - st)) break;
    }
    return;
  }
  case PTK_OP_SCF_IF: {
    const ptk_block *b = op->regions[IV(c, op->operands[0])->i ? 0 : 1].first;
    const ptk_op *y = b ? ir_block(c, b) : NULL;
    for (uint32_t k = 0; k < op->nresults; k++) *IV(c, &op->results[k]) = y ? *IV(c, y->operands[k]) : v_err();
    return;
  }
  case PTK_OP_SCF_YIELD:
  case PTK_OP_FUNC_RETURN: return;
  default: perr(c, at, "'%s' is not supported in a program", name); return;
  }
}

/* Runs the ops of b; its terminator (scf.yield), or NULL. */
static const ptk_op *ir_block(pctx *c, const ptk_block *b) {
  for (const ptk_op *op = b->first; op && !halted(c); op = op->next) {
    if (op->kind == PTK_OP_SCF_YIELD) return op;
    ir_op(c, op);
  }
  return NULL;
}

/* A fresh evaluation context over P, reporting to d (its own arena). */
static void ctx_init(pctx *c, ptk_program *P, ptk_diags *d) {
  memset(c, 0, sizeof *c);
  c->P = P;
  c->d = d;
  c->err0 = ptk_diags_errors(d);
  c->a = ptk_arena_new();
  c->max_tasks = MAX_TASKS;
}

static int evaluate(ptk_program *P, ptk_diags *d, bool run, const ptk_program_run_opts *ro,
                    const ptk_launch_arg *args, size_t nargs) {
  pctx c;
  ctx_init(&c, P, d);
  c.run = run;
  c.body = P->item ? P->item->u.program.body : NULL;
  if (ro && ro->max_tasks) c.max_tasks = ro->max_tasks;
  P->ro = ro;
  bool ok = false, bad_args = false;
  if (run) {
    ptk_launch_opts lo = {0};
    lo.timeout = ro->timeout;
    lo.target = ro->target;
    lo.poison = ro->poison;
    lo.out = ro->out;
    lo.cancel = ro->cancel;
    c.S = psched_new(ro->threads, kernel_run, &lo, ro->check_races);
  }
  if (bind_params(&c, args, nargs)) {
    if (!run || !P->orch) {
      exec_block(&c, c.body, false);
    } else {
      /* from the IR: the parameters' values are the function's arguments */
      ptk_func *F = ptk_orch_find(P->orch);
      c.iv = ptk_xcalloc(ptk_module_value_count(P->orch) + 1, sizeof *c.iv);
      for (size_t i = 0; i < P->nparams; i++) {
        binding *b = lookup(&c, P->params[i].name);
        if (b) *IV(&c, ptk_func_arg(F, (uint32_t)i)) = b->v;
      }
      ir_block(&c, ptk_func_entry(F));
      free(c.iv);
    }
    ok = !errs_since(&c, c.err0);
  } else {
    bad_args = true;
  }
  if (run) {
    bool fin = psched_finish(c.S, d, prog_range(P));
    ok = ok && fin;
    /* the task list for --trace and the tests */
    for (size_t i = 0; i < P->info_preds.len; i++) free(P->info_preds.data[i]);
    P->info_preds.len = 0;
    P->infos.len = 0;
    for (size_t i = 0; i < psched_ntasks(c.S); i++) {
      psched_task_view v = psched_task(c.S, i);
      if (!v.ran) continue;
      int64_t *pr = ptk_xmalloc((v.npreds ? v.npreds : 1) * sizeof *pr);
      if (v.npreds) memcpy(pr, v.preds, v.npreds * sizeof *pr);
      ptk_vec_push(&P->info_preds, pr);
      ptk_program_task_info ti = {v.id, v.kname, v.blocks, v.worker, v.t0_us, v.t1_us, pr, v.npreds, v.site};
      ptk_vec_push(&P->infos, ti);
    }
    psched_free(c.S);
  }
  ptk_vec_free(&c.binds);
  ptk_vec_free(&c.bufs);
  ptk_vec_free(&c.scopes);
  ptk_arena_free(c.a);
  P->ro = NULL;
  return ok ? 0 : bad_args ? PTK_PROGRAM_BAD_ARGS : 1;
}

/* The orchestration IR: the body traced (see "trace" above) into a program
 * function of a new module (P->orch). False with located errors. */
static bool trace_program(ptk_program *P, ptk_diags *d) {
  pctx c;
  ctx_init(&c, P, d);
  c.trace = true;
  c.body = P->item->u.program.body;
  ptk_module *M = ptk_module_new();
  const ptk_type **at = ptk_xcalloc(P->nparams + 1, sizeof *at);
  for (size_t i = 0; i < P->nparams; i++) {
    const ptk_program_param *pp = &P->params[i];
    at[i] = pp->is_tensor ? ptk_orch_tensor_type(M, pp->tdtype, pp->rank, pp->dims)
                          : ty(pp->dtype == PTK_DT_I1 ? PTK_DT_I1 : ptk_dtype_is_float(pp->dtype) ? PTK_DT_F64 : PTK_DT_I64);
  }
  ptk_func *F = ptk_func_new(M, P->item->u.program.name, at, (uint32_t)P->nparams, NULL, 0, false,
                             P->item->u.program.name_range.begin);
  free(at);
  ptk_func_set_attr(F, "ptk.program", ptk_attr_unit(M));
  for (size_t i = 0; i < P->nparams; i++) {
    const ptk_program_param *pp = &P->params[i];
    ptk_value *a = ptk_func_arg(F, (uint32_t)i);
    a->name = ptk_arena_strdup(ptk_module_arena(M), pp->name);
    a->loc = pp->range.begin;
    ptk_named_attr items[3];
    uint32_t n = 0;
    if (pp->is_tensor) {
      const ptk_attr *names[PTK_TENSOR_MAX_RANK];
      bool any = false;
      for (int k = 0; k < pp->rank; k++) {
        const char *dn = pp->dim_names[k] ? pp->dim_names[k] : "";
        names[k] = ptk_attr_string(M, dn, strlen(dn));
        any |= pp->dim_names[k] != NULL;
      }
      if (any) items[n++] = (ptk_named_attr){"ptk.dims", ptk_attr_array(M, names, (uint32_t)pp->rank)};
      const char *dw = pp->dir == PTK_DIR_OUT ? "out" : pp->dir == PTK_DIR_INOUT ? "inout" : "in";
      items[n++] = (ptk_named_attr){"ptk.dir", ptk_attr_string(M, dw, strlen(dw))};
    } else {
      const char *dn = ptk_dtype_name(pp->dtype);
      items[n++] = (ptk_named_attr){"ptk.dtype", ptk_attr_string(M, dn, strlen(dn))};
    }
    items[n++] = (ptk_named_attr){"ptk.name", ptk_attr_string(M, pp->name, strlen(pp->name))};
    F->arg_attrs[i] = ptk_attr_dict(M, items, n);
  }
  c.M = M;
  c.F = F;
  c.blk = ptk_func_entry(F);
  bool ok = false;
  if (bind_params(&c, NULL, 0)) {
    exec_block(&c, c.body, false);
    ok = !errs_since(&c, c.err0);
  }
  if (ok) {
    ptk_range end = c.body ? c.body->range : P->item->u.program.name_range;
    ptk_build(M, c.blk, PTK_OP_FUNC_RETURN, NULL, 0, NULL, 0,
              ptk_source_loc(end.end.src, end.end.off ? end.end.off - 1 : 0));
  }
  ptk_vec_free(&c.binds);
  ptk_vec_free(&c.bufs);
  ptk_vec_free(&c.scopes);
  ptk_arena_free(c.a);
  if (!ok) {
    ptk_module_free(M);
    return false;
  }
  P->orch = M;
  return true;
}

/* --dump-passes for the orchestration: dump_root/<program>/00_input.pto (as
 * traced), then NN_after_<pass>.pto for each pass whose name matches the
 * regex (every pass when there is none). */
static bool orch_dump(ptk_program *P, int nn, const char *pass, ptk_diags *d) {
  if (!P->dump_root) return true;
  if (nn && P->dump_regex && P->dump_regex[0]) {
    int ec;
    PCRE2_SIZE eo;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)P->dump_regex, PCRE2_ZERO_TERMINATED, 0, &ec, &eo, NULL);
    bool want = false;
    if (re) {
      pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
      want = pcre2_match(re, (PCRE2_SPTR)pass, PCRE2_ZERO_TERMINATED, 0, 0, md, NULL) >= 0;
      pcre2_match_data_free(md);
      pcre2_code_free(re);
    }
    if (!want) return true;
  }
  char *dir = ptk_xasprintf("%s/%s", P->dump_root, P->item->u.program.name);
  char *path = nn ? ptk_xasprintf("%s/%02d_after_%s.pto", dir, nn, pass) : ptk_xasprintf("%s/00_input.pto", dir);
  bool ok = ptk_mkdir_p(dir) == 0;
  if (ok) {
    ptk_buf text = {0};
    ptk_pto_print(P->orch, &text);
    ok = ptk_write_file_atomic(path, ptk_buf_cstr(&text), text.len) == 0;
    ptk_buf_free(&text);
  }
  if (!ok) ptk_error(d, ptk_range_none(), "cannot write '%s': %s", path, strerror(errno));
  free(path);
  free(dir);
  return ok;
}

static const ptk_abi *abi_by_display(void *arg, const char *display) {
  ptk_program *P = arg;
  for (size_t i = 0; i < P->kernels.len; i++)
    if (!strcmp(P->kernels.data[i]->display, display)) return P->kernels.data[i]->abi;
  return NULL;
}

/* ---- loading ---------------------------------------------------------------------------------------------- */

static bool is_regular(const char *p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static char *dir_of(const char *path) {
  const char *s = strrchr(path, '/');
  if (!s) return ptk_xstrdup(".");
  if (s == path) return ptk_xstrdup("/");
  return ptk_xstrndup(path, (size_t)(s - path));
}

static char *resolve_import(ptk_program *P, const char *dir, const char *p) {
  if (p[0] == '/') return is_regular(p) ? ptk_xstrdup(p) : NULL;
  char *cand = ptk_xasprintf("%s/%s", dir, p);
  if (is_regular(cand)) return cand;
  free(cand);
  for (size_t i = 0; i < P->trace.ninclude; i++) {
    cand = ptk_xasprintf("%s/%s", P->trace.include_dirs[i], p);
    if (is_regular(cand)) return cand;
    free(cand);
  }
  if (P->stdlib) {
    cand = ptk_xasprintf("%s/%s", P->stdlib, p);
    if (is_regular(cand)) return cand;
    free(cand);
  }
  return NULL;
}

static const ptk_ast_item *find_program(const ptk_ast_file *f, const char *entry, size_t *n) {
  const ptk_ast_item *found = NULL;
  *n = 0;
  for (size_t i = 0; f && i < f->nitems; i++) {
    const ptk_ast_item *it = f->items[i];
    if (it->kind != PTK_ITEM_PROGRAM) continue;
    (*n)++;
    if (!found && (!entry || !strcmp(it->u.program.name, entry))) found = it;
  }
  return found;
}

bool ptk_program_in_source(const ptk_source *src, const char *entry) {
  if (!src) return false;
  ptk_arena *a = ptk_arena_new();
  ptk_diags *d = ptk_diags_new();
  ptk_ast_file *f = ptk_parse(src, d, a);
  size_t n;
  bool r = find_program(f, entry, &n) != NULL;
  /* --entry naming a kernel of a file that also has a program: not a program run */
  ptk_diags_free(d);
  ptk_arena_free(a);
  return r;
}

ptk_program *ptk_program_load(const char *path, const ptk_source *src, const ptk_program_opts *o,
                              ptk_diags *d) {
  ptk_program_opts dflt = {0};
  if (!o) o = &dflt;
  ptk_program *P = ptk_xcalloc(1, sizeof *P);
  P->arena = ptk_arena_new();
  if (o->trace) P->trace = *o->trace;
  P->flags = o->load_flags;
  P->jit = o->jit;
  P->stdlib = ptk_trace_stdlib_dir(&P->trace);
  P->dump_root = o->dump_root ? ptk_xstrdup(o->dump_root) : NULL;
  P->dump_regex = o->dump_regex ? ptk_xstrdup(o->dump_regex) : NULL;
  P->nsrcs = o->nkernel_srcs;
  P->srcs = ptk_xcalloc(P->nsrcs + 1, sizeof *P->srcs);
  for (size_t i = 0; i < P->nsrcs; i++) {
    P->srcs[i].display = ptk_xstrdup(o->kernel_srcs[i].display);
    P->srcs[i].path = ptk_xstrdup(o->kernel_srcs[i].path);
    P->srcs[i].symbol = o->kernel_srcs[i].symbol ? ptk_xstrdup(o->kernel_srcs[i].symbol) : NULL;
  }
  size_t e0 = ptk_diags_errors(d);
  if (!src) {
    P->own_src = ptk_source_load(path);
    if (!P->own_src) {
      ptk_error_file(d, path, "cannot read file: %s", strerror(errno));
      goto fail;
    }
    src = P->own_src;
  }
  P->src = src;
  pfile main = {0};
  main.path = ptk_xstrdup(path ? path : src->path);
  main.src = src;
  main.ast = ptk_parse(src, d, P->arena);
  ptk_vec_push(&P->files, main);
  if (ptk_diags_errors(d) > e0) goto fail;
  size_t np;
  P->item = find_program(main.ast, o->entry, &np);
  if (!P->item) {
    if (o->entry && np)
      ptk_error_src(d, src, src->path, "no program named '%s'", o->entry);
    else
      ptk_error_src(d, src, src->path, "no program in this file (declare one with 'program NAME(…) { … }')");
    goto fail;
  }
  if (!o->entry && np > 1) {
    ptk_error_src(d, src, src->path, "this file declares %zu programs; choose one with --entry NAME", np);
    goto fail;
  }
  /* imports (one level: the kernels a program launches are in its file or in the files it imports) */
  char *dir = dir_of(src->path);
  for (size_t i = 0; i < main.ast->nitems; i++) {
    const ptk_ast_item *it = main.ast->items[i];
    if (it->kind != PTK_ITEM_IMPORT) continue;
    char *rp = resolve_import(P, dir, it->u.import.path);
    if (!rp) {
      ptk_error(d, it->u.import.path_range, "cannot find '%s' to import", it->u.import.path);
      continue;
    }
    pfile f = {0};
    f.path = rp;
    f.own = ptk_source_load(rp);
    f.alias = it->u.import.alias;
    if (!f.own) {
      ptk_error(d, it->u.import.path_range, "cannot read '%s' (resolved to '%s'): %s", it->u.import.path, rp,
                strerror(errno));
      free(rp);
      continue;
    }
    f.src = f.own;
    ptk_diags *pd = ptk_diags_new(); /* the kernels' loads report these errors */
    f.ast = ptk_parse(f.src, pd, P->arena);
    ptk_diags_free(pd);
    ptk_vec_push(&P->files, f);
  }
  free(dir);
  if (ptk_diags_errors(d) > e0) goto fail;
  if (!read_params(P, d)) goto fail;
  for (size_t i = 0; i < o->nconsts; i++) {
    const ptk_const_binding *cb = &o->consts[i];
    const ptk_ast_item *decl = NULL;
    for (size_t k = 0; cb->name && k < main.ast->nitems; k++)
      if (main.ast->items[k]->kind == PTK_ITEM_CONST && !strcmp(main.ast->items[k]->u.const_.name, cb->name))
        decl = main.ast->items[k];
    pval v;
    if (!cb->name || !cb->value) {
      ptk_error_src(d, src, src->path, "const binding %zu has no name or no value", i + 1);
    } else if (!decl) {
      ptk_error(d, P->item->u.program.name_range,
                "const binding %s=%s: the program's file has no module-level 'const %s = …;'", cb->name, cb->value,
                cb->name);
    } else if (!parse_const(cb->value, &v)) {
      ptk_error(d, decl->range, "const binding %s=%s: '%s' is not an integer, float, bool or dtype", cb->name,
                cb->value, cb->value);
    } else {
      continue;
    }
    goto fail;
  }
  P->nconsts = o->nconsts;
  P->cnames = ptk_xcalloc(o->nconsts + 1, sizeof *P->cnames);
  P->cvalues = ptk_xcalloc(o->nconsts + 1, sizeof *P->cvalues);
  for (size_t i = 0; i < o->nconsts; i++) {
    P->cnames[i] = ptk_xstrdup(o->consts[i].name);
    P->cvalues[i] = ptk_xstrdup(o->consts[i].value);
  }
  if (evaluate(P, d, false, NULL, NULL, 0)) goto fail;
  /* the orchestration IR: traced, verified, its static graph derived (hazards are warnings) */
  if (!trace_program(P, d) || !orch_dump(P, 0, "input", d)) goto fail;
  {
    ptk_func *F = ptk_orch_find(P->orch);
    if (!ptk_orch_verify(F, d) || !orch_dump(P, 1, "verify", d)) goto fail;
    ptk_orch_static_graph(F, abi_by_display, P, d, &P->graph);
    if (!orch_dump(P, 2, "static-graph", d)) goto fail;
  }
  return P;
fail:
  ptk_program_free(P);
  return NULL;
}

void ptk_program_free(ptk_program *P) {
  if (!P) return;
  for (size_t i = 0; i < P->kernels.len; i++) kernel_free(P->kernels.data[i]);
  ptk_vec_free(&P->kernels);
  for (size_t i = 0; i < P->files.len; i++) {
    free(P->files.data[i].path);
    ptk_source_free(P->files.data[i].own);
  }
  ptk_vec_free(&P->files);
  for (size_t i = 0; i < P->info_preds.len; i++) free(P->info_preds.data[i]);
  ptk_vec_free(&P->info_preds);
  ptk_vec_free(&P->infos);
  free(P->stdlib);
  for (size_t i = 0; i < P->nconsts; i++) {
    free(P->cnames[i]);
    free(P->cvalues[i]);
  }
  free(P->cnames);
  free(P->cvalues);
  free(P->dump_root);
  free(P->dump_regex);
  for (size_t i = 0; i < P->nsrcs; i++) {
    free((char *)P->srcs[i].display);
    free((char *)P->srcs[i].path);
    free((char *)P->srcs[i].symbol);
  }
  free(P->srcs);
  ptk_orch_graph_free(&P->graph);
  ptk_module_free(P->orch);
  ptk_arena_free(P->arena);
  ptk_source_free(P->own_src);
  free(P);
}

const char *ptk_program_name(const ptk_program *p) {
  return p->item ? p->item->u.program.name : ptk_orch_find(p->orch)->name;
}
size_t ptk_program_nparams(const ptk_program *p) { return p->nparams; }
const ptk_program_param *ptk_program_param_at(const ptk_program *p, size_t i) {
  return i < p->nparams ? &p->params[i] : NULL;
}
ptk_range ptk_program_range(const ptk_program *p) { return prog_range(p); }
static ptk_range prog_range(const ptk_program *p) {
  return p->item ? p->item->u.program.name_range : ptk_range_at(ptk_orch_find(p->orch)->loc, 1);
}

int ptk_program_run(ptk_program *p, const ptk_program_run_opts *o, const ptk_launch_arg *args,
                    size_t nargs, ptk_diags *d) {
  ptk_program_run_opts dflt = {0};
  if (!o) o = &dflt;
  return evaluate(p, d, true, o, args, nargs);
}

bool ptk_program_out_shape(const ptk_program *p, size_t i, const ptk_launch_arg *la, int64_t *shape,
                           ptk_diags *d) {
  const ptk_program_param *pp = &p->params[i];
  bool ok = true;
  for (int r = 0; r < pp->rank; r++) {
    shape[r] = pp->dims[r];
    for (size_t j = 0; shape[r] < 0 && j < p->nparams; j++) {
      const ptk_program_param *q = &p->params[j];
      if (!q->is_tensor || q->dir == PTK_DIR_OUT || la[j].kind != PTK_ARG_TENSOR || !la[j].tensor ||
          la[j].tensor->rank != q->rank)
        continue;
      for (int s2 = 0; s2 < q->rank; s2++)
        if (q->dim_names[s2] && !strcmp(q->dim_names[s2], pp->dim_names[r])) shape[r] = la[j].tensor->shape[s2];
    }
    if (shape[r] < 0) {
      ptk_error(d, pp->range,
                "out tensor '%s' has the dynamic dimension %s, which no input tensor fixes: pass every tensor, "
                "this one too",
                pp->name, pp->dim_names[r]);
      ok = false;
    }
  }
  return ok;
}

const ptk_program_task_info *ptk_program_tasks(const ptk_program *p, size_t *n) {
  *n = p->infos.len;
  return p->infos.data;
}

size_t ptk_program_nkernels(const ptk_program *p) { return p->kernels.len; }

ptk_program_kernel ptk_program_kernel_at(const ptk_program *p, size_t i) {
  ptk_program_kernel r = {0};
  if (i >= p->kernels.len) return r;
  const pkernel *k = p->kernels.data[i];
  r.display = k->display;
  r.stem = k->stem;
  r.loaded = k->l;
  r.path = k->path;
  return r;
}

static void put_slice(ptk_buf *b, const ptk_source *src, ptk_range r) {
  if (!src || r.end.off < r.begin.off || r.end.off > src->len) return;
  ptk_buf_putn(b, src->text + r.begin.off, r.end.off - r.begin.off);
  ptk_buf_putc(b, '\n');
}

char *ptk_program_orchestration_text(const ptk_program *p) {
  ptk_buf b = {0};
  if (!p->item) { /* loaded from its IR: that is the text */
    ptk_pto_print(p->orch, &b);
    return ptk_buf_take(&b);
  }
  ptk_buf_printf(&b,
                 "// The orchestration of program '%s' (written by ptk compile from %s).\n"
                 "// Its launches name kernels as launched; `ptk replay` takes each from the\n"
                 "// .pto file kernel_config.json lists for that name.\n\n",
                 ptk_program_name(p), p->src->path);
  const ptk_ast_file *f = p->files.data[0].ast;
  for (size_t i = 0; f && i < f->nitems; i++)
    if (f->items[i]->kind == PTK_ITEM_CONST) put_slice(&b, p->src, f->items[i]->range);
  ptk_buf_putc(&b, '\n');
  put_slice(&b, p->src, p->item->range);
  return ptk_buf_take(&b);
}

ptk_module *ptk_program_orchestration(const ptk_program *p) { return p->orch; }
const ptk_orch_graph *ptk_program_static_graph(const ptk_program *p) { return &p->graph; }

/* ---- loading the orchestration IR ------------------------------------------------------------------ */

typedef struct irload {
  pctx *c;
  ptk_func *F;
} irload;

/* The program parameter a tensor value comes from (through slices and
 * no_dep), or -1. */
static int param_of(const ptk_func *F, const ptk_value *v) {
  while (v->def && (v->def->kind == PTK_OP_PTK_SLICE || v->def->kind == PTK_OP_PTK_NO_DEP)) v = v->def->operands[0];
  if (v->def || !v->block || v->block != ptk_func_entry(F)) return -1;
  return (int)v->index;
}

/* Every launch: its kernel loaded from the build folder, its arguments
 * checked against the kernel's parameters. */
static bool check_launch_ir(ptk_op *op, void *arg) {
  irload *L = arg;
  pctx *c = L->c;
  if (op->kind != PTK_OP_PTK_LAUNCH || halted(c)) return !halted(c);
  ptk_range at = ptk_op_range(op);
  const ptk_attr *ka = ptk_op_attr(op, "kernel");
  pkernel *k = get_kernel_display(c, ptk_xstrdup(ka->str.s), at, at);
  if (!k) return true;
  const ptk_abi *abi = k->abi;
  size_t na = 0;
  for (uint32_t i = 1; i < op->noperands; i++) na += !ptk_orch_is_task(op->operands[i]->type);
  if (na != abi->nparams) {
    perr(c, at, "kernel '%s' takes %zu argument%s, got %zu", k->display, abi->nparams, abi->nparams == 1 ? "" : "s",
         na);
    return true;
  }
  for (uint32_t i = 1, pos = 0; i < op->noperands; i++) {
    const ptk_value *v = op->operands[i];
    if (ptk_orch_is_task(v->type)) continue;
    const ptk_abi_param *p = &abi->params[pos++];
    ptk_tdtype dt, want;
    int rank;
    int64_t dims[PTK_TENSOR_MAX_RANK];
    bool is_t = ptk_orch_tensor_of(v->type, &dt, &rank, dims);
    if (p->is_ptr != is_t) {
      perr(c, at, "argument %u of '%s': parameter '%s' takes %s", pos, k->display, p->name,
           p->is_ptr ? "a tensor" : "a scalar");
      ptk_note(c->d, p->range, "'%s' is declared here", p->name);
      continue;
    }
    if (!is_t) {
      if (ptk_type_is_scalar(v->type, PTK_DT_F64) && !ptk_dtype_is_float(p->dtype)) {
        perr(c, at, "argument %u of '%s': parameter '%s' is %s and takes an integer, got f64", pos, k->display, p->name,
             ptk_dtype_name(p->dtype));
        ptk_note(c->d, p->range, "'%s' is declared here", p->name);
      }
      continue;
    }
    if (!tdtype_of(p->dtype, &want) || want != dt) {
      perr(c, at, "argument %u of '%s': the tensor holds %s but parameter '%s' is ptr<%s>", pos, k->display,
           ptk_tdtype_name(dt), p->name, ptk_dtype_name(p->dtype));
      ptk_note(c->d, p->range, "'%s' is declared here", p->name);
      continue;
    }
    int pi = param_of(L->F, v);
    if (pi >= 0 && c->P->params[pi].dir == PTK_DIR_IN && (p->dir == PTK_ARGDIR_OUT || p->dir == PTK_ARGDIR_INOUT)) {
      perr(c, at, "argument %u of '%s': program input '%s' is passed to parameter '%s', which the kernel writes (%s)",
           pos, k->display, c->P->params[pi].name, p->name, dir_word(p->dir));
      ptk_note(c->d, c->P->params[pi].range, "'%s' is declared 'in' here", c->P->params[pi].name);
    }
  }
  return !halted(c);
}

ptk_program *ptk_program_load_ir(const char *path, const ptk_program_opts *o, ptk_diags *d) {
  ptk_program_opts dflt = {0};
  if (!o) o = &dflt;
  ptk_program *P = ptk_xcalloc(1, sizeof *P);
  P->arena = ptk_arena_new();
  P->flags = o->load_flags;
  P->jit = o->jit;
  P->nsrcs = o->nkernel_srcs;
  P->srcs = ptk_xcalloc(P->nsrcs + 1, sizeof *P->srcs);
  for (size_t i = 0; i < P->nsrcs; i++) {
    P->srcs[i].display = ptk_xstrdup(o->kernel_srcs[i].display);
    P->srcs[i].path = ptk_xstrdup(o->kernel_srcs[i].path);
    P->srcs[i].symbol = o->kernel_srcs[i].symbol ? ptk_xstrdup(o->kernel_srcs[i].symbol) : NULL;
  }
  P->own_src = ptk_source_load(path);
  if (!P->own_src) {
    ptk_error_file(d, path, "cannot read file: %s", strerror(errno));
    goto fail;
  }
  P->src = P->own_src;
  size_t e0 = ptk_diags_errors(d);
  P->orch = ptk_pto_read(P->src, d);
  if (!P->orch || ptk_diags_errors(d) > e0) goto fail;
  ptk_func *F = ptk_orch_find(P->orch);
  if (!F) {
    ptk_error_src(d, P->src, path, "no program function in this file (func.func with attributes {ptk.program})");
    goto fail;
  }
  if (!ptk_orch_verify(F, d)) goto fail;
  P->nparams = F->nargs;
  P->params = ptk_arena_alloc(P->arena, (F->nargs ? F->nargs : 1) * sizeof *P->params);
  for (uint32_t i = 0; i < F->nargs; i++) {
    ptk_program_param *pp = &P->params[i];
    memset(pp, 0, sizeof *pp);
    const ptk_attr *aa = F->arg_attrs ? F->arg_attrs[i] : NULL;
    const ptk_named_attr *items = aa && aa->kind == PTK_ATTR_DICT ? aa->dict.items : NULL;
    uint32_t ni = items ? aa->dict.n : 0;
    const ptk_attr *nm = ptk_attrs_get(items, ni, "ptk.name"), *dir = ptk_attrs_get(items, ni, "ptk.dir"),
                   *dims = ptk_attrs_get(items, ni, "ptk.dims"), *dt = ptk_attrs_get(items, ni, "ptk.dtype");
    if (nm && nm->kind == PTK_ATTR_STRING) {
      pp->name = ptk_arena_strdup(P->arena, nm->str.s);
    } else {
      char *an = ptk_func_arg_name(F, i);
      pp->name = ptk_arena_strdup(P->arena, an + 1);
      free(an);
    }
    pp->range = ptk_range_at(ptk_func_arg_loc(F, i), 1);
    if (ptk_orch_tensor_of(F->arg_types[i], &pp->tdtype, &pp->rank, pp->dims)) {
      pp->is_tensor = true;
      pp->dir = !strcmp(dir->str.s, "out") ? PTK_DIR_OUT : !strcmp(dir->str.s, "inout") ? PTK_DIR_INOUT : PTK_DIR_IN;
      for (int k = 0; k < pp->rank; k++) {
        const ptk_attr *dn = dims && dims->kind == PTK_ATTR_ARRAY && (uint32_t)k < dims->arr.n ? dims->arr.items[k] : NULL;
        if (pp->dims[k] >= 0) continue;
        /* a dynamic dimension without a name is its own */
        char *own = ptk_xasprintf("%s.dim%d", pp->name, k);
        pp->dim_names[k] = ptk_arena_strdup(P->arena, dn && dn->kind == PTK_ATTR_STRING && dn->str.len ? dn->str.s : own);
        free(own);
      }
    } else {
      const ptk_type *t = F->arg_types[i];
      pp->dtype = t->dt;
      if (dt && dt->kind == PTK_ATTR_STRING && !dtype_by_name(dt->str.s, &pp->dtype)) {
        ptk_error(d, pp->range, "unknown ptk.dtype \"%s\" for argument %u", dt->str.s, i);
        goto fail;
      }
    }
  }
  {
    pctx c;
    ctx_init(&c, P, d);
    irload L = {&c, F};
    ptk_walk_func(F, check_launch_ir, &L);
    ptk_arena_free(c.a);
    if (ptk_diags_errors(d) > c.err0) goto fail;
  }
  ptk_orch_static_graph(F, abi_by_display, P, d, &P->graph);
  return P;
fail:
  ptk_program_free(P);
  return NULL;
}
