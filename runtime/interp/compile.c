/* IR -> flat instruction arrays (see interp_int.h). Everything the
 * interpreter cannot run, or IR that is malformed in a way that would make
 * it misbehave (wrong operand kinds, uses outside a value's scope), is
 * reported here with the op's location, so execution never meets it. */
#include <string.h>

#include "lang/ir/target.h"
#include "runtime/interp/interp_int.h"

typedef struct cc {
  ptk_interp_prog *p;
  ptk_diags *d;
  uint32_t nvalues;
  uint32_t *slot;   /* [nvalues] frame offset (NOSLOT: none) */
  uint8_t *defined; /* [nvalues] in scope at the current point */
  PTK_VEC(uint32_t) scope;
  ptk_func_list funcs; /* index = fn index */
  /* the function being compiled */
  PTK_VEC(insn) code;
  uint32_t frame;
  PTK_VEC(uint8_t) init;
  size_t errors0; /* d->errors when preparing began: errors are counted there */
  ptk_fuse_info *fuse; /* fused groups: the module's analysis (backend/fuse.h), on first use */
} cc;

/* Errors reported since preparing began. */
static size_t nerr(const cc *c) { return c->d->errors - c->errors0; }

/* ---- helpers ----------------------------------------------------------------------------- */

/* A located error (counted in c->d). */
#define err(c, op, ...) ptk_error_loc((c)->d, (op) ? (op)->loc : (ptk_loc){0}, __VA_ARGS__)
#define FAIL(...)          \
  do {                     \
    err(c, __VA_ARGS__);   \
    return;                \
  } while (0)

static const char *opname(const ptk_op *op) { return op ? ptk_op_table[op->kind].name : "function"; }

static uint32_t kind_size(int k) {
  switch (k) {
  case PTK_VK_SCALAR: return sizeof(scell);
  case PTK_VK_PTR: return sizeof(ptr_cell);
  case PTK_VK_VIEW: return sizeof(view_cell);
  case PTK_VK_TILE: return sizeof(ptk_tile);
  case PTK_VK_VREG: return sizeof(ptk_vreg);
  case PTK_VK_MASK: return sizeof(ptk_vmask);
  case PTK_VK_ALIGN: return sizeof(ptk_valign);
  case PTK_VK_HANDLE: return sizeof(scell);
  default: return 0;
  }
}

static const char *kind_name(int k) {
  switch (k) {
  case PTK_VK_SCALAR: return "a scalar";
  case PTK_VK_PTR: return "a pointer";
  case PTK_VK_VIEW: return "a tensor view";
  case PTK_VK_TILE: return "a tile";
  case PTK_VK_VREG: return "a vector register";
  case PTK_VK_MASK: return "a mask";
  case PTK_VK_ALIGN: return "an align carrier";
  case PTK_VK_HANDLE: return "an async handle";
  default: return "a value of an unsupported type";
  }
}

/* Scalar dtypes the interpreter computes with. */
static bool dt_supported(ptk_dtype dt) { return !ptk_dtype_is_narrow_float(dt); }

static uint32_t *arr(cc *c, uint32_t n) {
  return ptk_arena_alloc(c->p->arena, (n ? n : 1) * sizeof(uint32_t));
}

static insn *emit(cc *c, int opc, const ptk_op *ir, uint32_t na) {
  insn in = {0};
  in.op = (uint16_t)opc;
  in.ir = ir;
  in.na = na;
  in.a = arr(c, na);
  ptk_vec_push(&c->code, in);
  return &c->code.data[c->code.len - 1];
}
/* The operand array of an emitted insn (writable). */
#define A(in) ((uint32_t *)(in)->a)

static uint32_t here(cc *c) { return (uint32_t)c->code.len; }

/* A new frame slot of `bytes` (8-aligned). */
static uint32_t alloc_slot(cc *c, uint32_t bytes) {
  /* registers (>= 32 bytes) at their 32-byte alignment; frames are 64-aligned */
  uint32_t al = bytes >= 32 && bytes % 32 == 0 ? 31u : 7u;
  uint32_t off = (c->frame + al) & ~al;
  c->frame = off + bytes;
  while (c->init.len < c->frame) ptk_vec_push(&c->init, 0);
  return off;
}

static void mark_defined(cc *c, const ptk_value *v) {
  c->defined[v->uid] = 1;
  ptk_vec_push(&c->scope, v->uid);
}

/* Give value v its slot (v must not have one). */
static uint32_t def(cc *c, const ptk_op *op, const ptk_value *v) {
  if (v->uid >= c->nvalues) {
    err(c, op, "internal error: value id out of range");
    return 0;
  }
  int k = ptk_interp__kind_of(v->type);
  if (k == PTK_VK_NONE) {
    char *ts = ptk_type_str(v->type);
    err(c, op, "%s: values of type %s are not supported by the interpreter", opname(op), ts);
    free(ts);
    return 0;
  }
  if (k == PTK_VK_SCALAR && !dt_supported(v->type->dt)) {
    /* a parameter (op NULL) is located at its own declaration */
    ptk_error_loc(c->d, op ? op->loc : v->loc, "%s: scalars of type %s are not supported by the interpreter",
                  op ? opname(op) : "parameter", ptk_dtype_name(v->type->dt));
    return 0;
  }
  if (c->slot[v->uid] == NOSLOT) c->slot[v->uid] = alloc_slot(c, kind_size(k));
  mark_defined(c, v);
  return c->slot[v->uid];
}

/* The slot of operand v, which must be in scope and of kind `kind`
 * (PTK_VK_NONE: any). */
static uint32_t use(cc *c, const ptk_op *op, const ptk_value *v, int kind, const char *what) {
  if (!v || v->uid >= c->nvalues || !c->defined[v->uid] || c->slot[v->uid] == NOSLOT) {
    err(c, op, "%s: %s%s%s is used outside the scope of its definition", opname(op),
        v && v->name ? "'%" : "an operand", v && v->name ? v->name : "", v && v->name ? "'" : "");
    return 0;
  }
  int k = ptk_interp__kind_of(v->type);
  if (kind != PTK_VK_NONE && k != kind) {
    err(c, op, "%s: %s must be %s, not %s", opname(op), what, kind_name(kind), kind_name(k));
    return 0;
  }
  return c->slot[v->uid];
}

static bool is_int_scalar(const ptk_value *v) {
  return v && v->type && v->type->kind == PTK_TY_SCALAR && !ptk_dtype_is_float(v->type->dt);
}
static int vkind(const ptk_value *v) { return v ? ptk_interp__kind_of(v->type) : PTK_VK_NONE; }

static uint32_t use_int(cc *c, const ptk_op *op, const ptk_value *v, const char *what) {
  uint32_t s = use(c, op, v, PTK_VK_SCALAR, what);
  if (v && vkind(v) == PTK_VK_SCALAR && !is_int_scalar(v))
    err(c, op, "%s: %s must be an integer, not %s", opname(op), what,
        ptk_dtype_name(v->type->dt));
  return s;
}

static uint32_t width_of(ptk_dtype dt) { return ptk_dtype_bits(dt); }

/* ---- tile templates ------------------------------------------------------------------------ */

static bool tile_template(cc *c, const ptk_op *op, const ptk_type *t, ptk_tile *out) {
  int rc = ptk_rt_tile_template(t, out);
  if (!rc) return true;
  const ptk_tile_desc *d = t && t->kind == PTK_TY_TILE_BUF ? &t->tile : NULL;
  char *ts = ptk_type_str(t);
  if (!d)
    err(c, op, "%s: expected a tile type", opname(op));
  else if (rc == 1)
    err(c, op, "%s: tiles of element type %s are not supported by the interpreter", opname(op),
        d->elem && d->elem->kind == PTK_TY_SCALAR ? ptk_dtype_name(d->elem->dt) : ts);
  else if (rc == 2)
    err(c, op, "%s: tile shape %lldx%lld is not supported", opname(op), (long long)d->rows,
        (long long)d->cols);
  else if (rc == 3)
    err(c, op, "%s: valid shape %lldx%lld is larger than the tile shape %lldx%lld", opname(op),
        (long long)(d->v_row == PTK_DYN || d->v_row < 0 ? d->rows : d->v_row),
        (long long)(d->v_col == PTK_DYN || d->v_col < 0 ? d->cols : d->v_col), (long long)d->rows,
        (long long)d->cols);
  else if (rc == 4)
    err(c, op, "%s: tile pad value %lld is not 0..3", opname(op), (long long)d->pad);
  else
    err(c, op, "%s: tile type %s is not supported: %s", opname(op), ts, ptk_isa_error());
  free(ts);
  return false;
}

/* ---- attributes ---------------------------------------------------------------------------- */

/* ---- parallel moves ------------------------------------------------------------------------- */

/* dst[i] <- src[i] for all i at once (sizes per pair). */
static void pmove(cc *c, const ptk_op *ir, const uint32_t *dst, const uint32_t *src,
                  const uint32_t *size, uint32_t n) {
  bool conflict = false;
  for (uint32_t i = 0; i < n && !conflict; i++)
    for (uint32_t j = 0; j < n; j++)
      if (i != j && dst[i] < src[j] + size[j] && src[j] < dst[i] + size[i]) {
        conflict = true;
        break;
      }
  if (!conflict) {
    for (uint32_t i = 0; i < n; i++) {
      if (dst[i] == src[i]) continue;
      insn *m = emit(c, I_MOV, ir, 2);
      A(m)[0] = dst[i];
      A(m)[1] = src[i];
      m->imm = size[i];
    }
    return;
  }
  uint32_t *tmp = arr(c, n);
  for (uint32_t i = 0; i < n; i++) {
    tmp[i] = alloc_slot(c, size[i]);
    insn *m = emit(c, I_MOV, ir, 2);
    A(m)[0] = tmp[i];
    A(m)[1] = src[i];
    m->imm = size[i];
  }
  for (uint32_t i = 0; i < n; i++) {
    insn *m = emit(c, I_MOV, ir, 2);
    A(m)[0] = dst[i];
    A(m)[1] = tmp[i];
    m->imm = size[i];
  }
}

/* Moves the operands of terminator `term` into the values `to` (types must
 * match kinds). */
static void move_values(cc *c, const ptk_op *term, ptk_value *const *from, uint32_t nfrom,
                        ptk_value *const *to_ptrs, const ptk_value *to_arr, uint32_t nto) {
  if (nfrom != nto) {
    err(c, term, "%s: yields %u value%s where %u %s expected", opname(term), nfrom,
        nfrom == 1 ? "" : "s", nto, nto == 1 ? "is" : "are");
    return;
  }
  uint32_t *dst = arr(c, nto), *src = arr(c, nto), *size = arr(c, nto);
  for (uint32_t i = 0; i < nto; i++) {
    const ptk_value *t = to_ptrs ? to_ptrs[i] : &to_arr[i];
    int k = vkind(t);
    dst[i] = c->slot[t->uid];
    src[i] = use(c, term, from[i], k, "a yielded value");
    size[i] = kind_size(k);
    if (vkind(from[i]) != k) return;
  }
  pmove(c, term, dst, src, size, nto);
}

/* ---- regions --------------------------------------------------------------------------------- */

static void compile_op(cc *c, const ptk_op *op);
static const ptk_op *compile_group(cc *c, const ptk_op *op);

/* Compiles the ops of `b`; returns its terminator (scf.yield/condition or
 * func.return) if it has one, without compiling it. */
static const ptk_op *compile_block_body(cc *c, const ptk_block *b) {
  for (const ptk_op *op = b->first; op; op = op->next) {
    if (ptk_op_table[op->kind].flags & PTK_OPF_TERMINATOR) {
      if (op->next) err(c, op->next, "%s: operation after the terminator of a block", opname(op->next));
      return op;
    }
    const ptk_op *last = op->kind == PTK_OP_TLOAD ? compile_group(c, op) : NULL;
    if (last) op = last;
    else compile_op(c, op);
  }
  return NULL;
}

static size_t scope_mark(cc *c) { return c->scope.len; }
static void scope_pop(cc *c, size_t mark) {
  while (c->scope.len > mark) c->defined[c->scope.data[--c->scope.len]] = 0;
}

/* ---- structured control flow ------------------------------------------------------------------ */

static void compile_for(cc *c, const ptk_op *op) {
  if (op->noperands < 3 || op->nregions != 1) {
    err(c, op, "scf.for: malformed operation");
    return;
  }
  size_t e0 = nerr(c);
  uint32_t ninit = op->noperands - 3;
  uint32_t lb = use_int(c, op, op->operands[0], "the lower bound");
  uint32_t ub = use_int(c, op, op->operands[1], "the upper bound");
  uint32_t st = use_int(c, op, op->operands[2], "the step");
  uint32_t *init = arr(c, ninit);
  for (uint32_t i = 0; i < ninit; i++) init[i] = use(c, op, op->operands[3 + i], PTK_VK_NONE, "");
  const ptk_block *b = ptk_lower_region(op, &op->regions[0], c->d);
  if (!b || b->nargs != 1 + ninit || op->nresults != ninit) {
    if (b || !nerr(c))
      err(c, op, "scf.for: the body must take the induction variable and %u iteration argument%s, "
                 "and the loop must have as many results",
          ninit, ninit == 1 ? "" : "s");
    return;
  }
  size_t mark = scope_mark(c);
  uint32_t iv = def(c, op, b->args[0]);
  unsigned w = is_int_scalar(b->args[0]) ? width_of(b->args[0]->type->dt) : 64;
  uint32_t *iter = arr(c, ninit), *size = arr(c, ninit);
  for (uint32_t i = 0; i < ninit; i++) {
    iter[i] = def(c, op, b->args[1 + i]);
    int k = vkind(b->args[1 + i]);
    size[i] = kind_size(k);
    if (vkind(op->operands[3 + i]) != k || vkind(&op->results[i]) != k)
      err(c, op, "scf.for: iteration argument %u, its initial value and the result differ in kind", i);
  }
  if (nerr(c) != e0) {
    scope_pop(c, mark);
    for (uint32_t i = 0; i < ninit; i++) def(c, op, &op->results[i]);
    return;
  }
  pmove(c, op, iter, init, size, ninit);
  insn *fi = emit(c, I_FOR_INIT, op, 5);
  A(fi)[0] = iv;
  A(fi)[1] = lb;
  A(fi)[2] = ub;
  A(fi)[3] = st;
  fi->imm = w;
  uint32_t body = here(c);
  const ptk_op *term = compile_block_body(c, b);
  if (term && term->kind != PTK_OP_SCF_YIELD)
    err(c, term, "scf.for: the body must end with scf.yield, not %s", opname(term));
  else if (term)
    move_values(c, term, term->operands, term->noperands, b->args + 1, NULL, ninit);
  else if (ninit)
    err(c, op, "scf.for: the body must end with scf.yield of %u value%s", ninit, ninit == 1 ? "" : "s");
  insn *nx = emit(c, I_FOR_NEXT, op, 4);
  A(nx)[0] = iv;
  A(nx)[1] = ub;
  A(nx)[2] = st;
  A(nx)[3] = body;
  nx->imm = w;
  /* fi may have moved (the code vector grows) */
  A(&c->code.data[body - 1])[4] = here(c);
  scope_pop(c, mark);
  uint32_t *res = arr(c, ninit);
  for (uint32_t i = 0; i < ninit; i++) res[i] = def(c, op, &op->results[i]);
  pmove(c, op, res, iter, size, ninit);
}

static void compile_if(cc *c, const ptk_op *op) {
  if (op->noperands != 1 || op->nregions != 2) {
    err(c, op, "scf.if: malformed operation");
    return;
  }
  uint32_t cond = use_int(c, op, op->operands[0], "the condition");
  for (uint32_t i = 0; i < op->nresults; i++) def(c, op, &op->results[i]);
  /* results are not in scope inside the branches */
  for (uint32_t i = 0; i < op->nresults; i++) c->defined[op->results[i].uid] = 0;
  A(emit(c, I_JMPF, op, 2))[0] = cond;
  uint32_t jf_at = here(c) - 1, j_at = 0;
  for (int br = 0; br < 2; br++) {
    size_t mark = scope_mark(c);
    const ptk_block *b = ptk_lower_region(op, &op->regions[br], c->d);
    const ptk_op *term = b ? compile_block_body(c, b) : NULL;
    if (term && term->kind != PTK_OP_SCF_YIELD)
      err(c, term, "scf.if: a branch must end with scf.yield, not %s", opname(term));
    else if (term)
      move_values(c, term, term->operands, term->noperands, NULL, op->results, op->nresults);
    else if (op->nresults)
      err(c, op, "scf.if: both branches must yield %u value%s", op->nresults,
          op->nresults == 1 ? "" : "s");
    scope_pop(c, mark);
    if (br == 0) {
      emit(c, I_JMP, op, 1);
      j_at = here(c) - 1;
      A(&c->code.data[jf_at])[1] = here(c);
    }
  }
  A(&c->code.data[j_at])[0] = here(c);
  for (uint32_t i = 0; i < op->nresults; i++) mark_defined(c, &op->results[i]);
}

static void compile_while(cc *c, const ptk_op *op) {
  if (op->nregions != 2) {
    err(c, op, "scf.while: malformed operation");
    return;
  }
  const ptk_block *bb = ptk_lower_region(op, &op->regions[0], c->d);
  const ptk_block *ab = ptk_lower_region(op, &op->regions[1], c->d);
  if (!bb || !ab) {
    err(c, op, "scf.while: both regions need a block");
    return;
  }
  uint32_t n = op->noperands;
  if (bb->nargs != n) {
    err(c, op, "scf.while: the before region takes %u argument%s but the loop has %u initial value%s",
        bb->nargs, bb->nargs == 1 ? "" : "s", n, n == 1 ? "" : "s");
    return;
  }
  uint32_t *init = arr(c, n), *bargs = arr(c, n), *size = arr(c, n);
  for (uint32_t i = 0; i < n; i++) init[i] = use(c, op, op->operands[i], PTK_VK_NONE, "");
  for (uint32_t i = 0; i < op->nresults; i++) def(c, op, &op->results[i]);
  for (uint32_t i = 0; i < op->nresults; i++) c->defined[op->results[i].uid] = 0;
  size_t mark = scope_mark(c);
  bool ok = true;
  for (uint32_t i = 0; i < n; i++) {
    bargs[i] = def(c, op, bb->args[i]);
    size[i] = kind_size(vkind(bb->args[i]));
    if (vkind(op->operands[i]) != vkind(bb->args[i])) {
      err(c, op, "scf.while: initial value %u and the before-region argument differ in kind", i);
      ok = false;
    }
  }
  if (!ok) {
    scope_pop(c, mark);
    return;
  }
  pmove(c, op, bargs, init, size, n);
  uint32_t top = here(c);
  const ptk_op *term = compile_block_body(c, bb);
  if (!term || term->kind != PTK_OP_SCF_CONDITION || term->noperands < 1) {
    err(c, term ? term : op, "scf.while: the before region must end with scf.condition");
    scope_pop(c, mark);
    return;
  }
  uint32_t cond = use_int(c, term, term->operands[0], "the condition");
  A(emit(c, I_JMPF, term, 2))[0] = cond;
  uint32_t jf_at = here(c) - 1;
  /* condition true: its values become the after-region arguments */
  size_t amark = scope_mark(c);
  for (uint32_t i = 0; i < ab->nargs; i++) def(c, op, ab->args[i]);
  move_values(c, term, term->operands + 1, term->noperands - 1, ab->args, NULL, ab->nargs);
  const ptk_op *aterm = compile_block_body(c, ab);
  if (!aterm || aterm->kind != PTK_OP_SCF_YIELD)
    err(c, aterm ? aterm : op, "scf.while: the after region must end with scf.yield");
  else
    move_values(c, aterm, aterm->operands, aterm->noperands, bb->args, NULL, n);
  A(emit(c, I_JMP, op, 1))[0] = top;
  scope_pop(c, amark);
  /* condition false: its values become the results */
  A(&c->code.data[jf_at])[1] = here(c);
  move_values(c, term, term->operands + 1, term->noperands - 1, NULL, op->results, op->nresults);
  scope_pop(c, mark);
  for (uint32_t i = 0; i < op->nresults; i++) mark_defined(c, &op->results[i]);
}

/* ---- functions ------------------------------------------------------------------------------- */

static void compile_call(cc *c, const ptk_op *op) {
  const ptk_func *f = ptk_lower_callee(op, c->p->top, c->d);
  if (!f) {
    return;
  }
  const char *name = f->name;
  insn *in = emit(c, I_CALL, op, op->noperands + op->nresults);
  uint32_t at = here(c) - 1;
  in->aux = (const void *)(uintptr_t)ptk_lower_func_index(&c->funcs, f);
  for (uint32_t i = 0; i < op->noperands; i++) {
    int k = ptk_interp__kind_of(f->arg_types[i]);
    uint32_t s = use(c, op, op->operands[i], k, "a call argument");
    A(&c->code.data[at])[i] = s;
  }
  for (uint32_t i = 0; i < op->nresults; i++) {
    if (ptk_interp__kind_of(f->result_types[i]) != vkind(&op->results[i]))
      err(c, op, "func.call: result %u of '@%s' differs in kind from the call's result", i, name);
    A(&c->code.data[at])[op->noperands + i] = def(c, op, &op->results[i]);
  }
}

static void compile_return(cc *c, const ptk_op *op, const ptk_func *f) {
  if (op->noperands != f->nresults) {
    err(c, op, "func.return: '@%s' returns %u value%s, the return has %u", f->name, f->nresults,
        f->nresults == 1 ? "" : "s", op->noperands);
    return;
  }
  insn *in = emit(c, I_RET, op, op->noperands);
  uint32_t at = here(c) - 1;
  (void)in;
  for (uint32_t i = 0; i < op->noperands; i++)
    A(&c->code.data[at])[i] =
        use(c, op, op->operands[i], ptk_interp__kind_of(f->result_types[i]), "a returned value");
}

/* ---- ops ---------------------------------------------------------------------------------------- */

typedef ptk_dps dps;

static void compile_const(cc *c, const ptk_op *op) {
  scell v;
  if (!ptk_lower_const(op, &v, c->d)) return;
  size_t e0 = nerr(c);
  uint32_t s = def(c, op, &op->results[0]);
  if (nerr(c) == e0) memcpy(&c->init.data[s], &v, sizeof v);
}
static void compile_select(cc *c, const ptk_op *op) {
  if (op->noperands != 3 || op->nresults != 1) {
    err(c, op, "arith.select: expected three operands and one result");
    return;
  }
  int k = vkind(&op->results[0]);
  uint32_t *a = arr(c, 4);
  a[1] = use_int(c, op, op->operands[0], "the condition");
  a[2] = use(c, op, op->operands[1], k, "the true value");
  a[3] = use(c, op, op->operands[2], k, "the false value");
  a[0] = def(c, op, &op->results[0]);
  insn *in = emit(c, I_SELECT, op, 0);
  in->a = a;
  in->na = 4;
  in->imm = kind_size(k);
}

static int64_t esize_of(const ptk_type *t) {
  ptk_dtype dt;
  if (!ptk_type_elem_dtype(t, &dt)) return 0;
  return ptk_dtype_bytes(dt);
}

static bool view_dtype(cc *c, const ptk_op *op, const ptk_type *t, ptk_isa_dtype *out) {
  ptk_dtype dt;
  if (!ptk_type_elem_dtype(t, &dt) || !ptk_rt_isa_dtype(dt, out)) {
    char *ts = ptk_type_str(t);
    err(c, op, "%s: element type of %s is not supported by the interpreter", opname(op), ts);
    free(ts);
    return false;
  }
  return true;
}

static void compile_make_view(cc *c, const ptk_op *op) {
  uint32_t np, ns, nst;
  ptk_value **p = ptk_op_segment(op, 0, &np), **sh = ptk_op_segment(op, 1, &ns),
            **st = ptk_op_segment(op, 2, &nst);
  if (np != 1 || op->nresults != 1) {
    err(c, op, "%s: expected a pointer operand and one result", opname(op));
    return;
  }
  const ptk_type *rt = op->results[0].type;
  if (!rt || rt->kind != PTK_TY_TENSOR_VIEW) {
    err(c, op, "%s: the result must be a tensor view", opname(op));
    return;
  }
  if (ns != nst || ns != rt->rank || ns < 1 || ns > VIEW_MAX_RANK) {
    err(c, op, "%s: a rank-%u view needs %u shape and %u stride operands (got %u and %u; the interpreter supports ranks 1 to %d)",
        opname(op), rt->rank, rt->rank, rt->rank, ns, nst, VIEW_MAX_RANK);
    return;
  }
  int layout = PTK_ISA_GM_ND;
  const ptk_attr *la = ptk_op_attr(op, "layout");
  if (la) {
    int i = ptk_attr_enum_index(la, "layout");
    if (i == 1)
      layout = PTK_ISA_GM_DN;
    else if (i == 2)
      layout = PTK_ISA_GM_NZ;
    else if (i != 0) {
      ptk_buf b = {0};
      ptk_attr_print(la, &b);
      err(c, op, "%s: layout %s is not supported by the interpreter (nd, dn and nz are)", opname(op),
          ptk_buf_cstr(&b));
      ptk_buf_free(&b);
      return;
    }
  }
  ptk_isa_dtype vd;
  if (!view_dtype(c, op, rt, &vd)) return;
  uint32_t *a = arr(c, 2 + 2 * ns);
  a[1] = use(c, op, p[0], PTK_VK_PTR, "the base");
  if (esize_of(p[0]->type) != esize_of(rt))
    err(c, op, "%s: the pointer's element type differs in size from the view's", opname(op));
  for (uint32_t i = 0; i < ns; i++) a[2 + i] = use_int(c, op, sh[i], "a shape operand");
  for (uint32_t i = 0; i < ns; i++) a[2 + ns + i] = use_int(c, op, st[i], "a stride operand");
  a[0] = def(c, op, &op->results[0]);
  insn *in = emit(c, I_MKVIEW, op, 0);
  in->a = a;
  in->na = 2 + 2 * ns;
  in->imm = ns;
  in->sub = (uint16_t)layout;
}

static void compile_partition(cc *c, const ptk_op *op) {
  uint32_t ns, no, nz;
  ptk_value **s = ptk_op_segment(op, 0, &ns), **o = ptk_op_segment(op, 1, &no),
            **z = ptk_op_segment(op, 2, &nz);
  if (ns != 1 || op->nresults != 1 || vkind(s ? s[0] : NULL) != PTK_VK_VIEW) {
    err(c, op, "%s: expected a tensor view operand and one result", opname(op));
    return;
  }
  uint32_t rank = s[0]->type->rank;
  if (no != rank || nz != rank) {
    err(c, op, "%s: a rank-%u view needs %u offsets and %u sizes (got %u and %u)", opname(op), rank,
        rank, rank, no, nz);
    return;
  }
  uint32_t *a = arr(c, 2 + 2 * rank);
  a[1] = use(c, op, s[0], PTK_VK_VIEW, "the source");
  for (uint32_t i = 0; i < rank; i++) a[2 + i] = use_int(c, op, o[i], "an offset");
  for (uint32_t i = 0; i < rank; i++) a[2 + rank + i] = use_int(c, op, z[i], "a size");
  a[0] = def(c, op, &op->results[0]);
  if (vkind(&op->results[0]) != PTK_VK_VIEW) err(c, op, "%s: the result must be a partition view", opname(op));
  insn *in = emit(c, I_PARTVIEW, op, 0);
  in->a = a;
  in->na = 2 + 2 * rank;
  in->imm = rank;
  in->sub = (uint16_t)esize_of(s[0]->type);
}

static void compile_alloc(cc *c, const ptk_op *op) {
  uint32_t na, nr, nc;
  ptk_value **ad = ptk_op_segment(op, 0, &na), **vr = ptk_op_segment(op, 1, &nr),
            **vc = ptk_op_segment(op, 2, &nc);
  if (op->nresults != 1 || na > 1 || nr > 1 || nc > 1) {
    err(c, op, "%s: malformed operation", opname(op));
    return;
  }
  alloc_info *ai = ptk_arena_alloc(c->p->arena, sizeof *ai);
  int64_t count;
  const ptk_type *t = ptk_lower_alloc_type(op, &count, c->d);
  if (!t || !tile_template(c, op, t, &ai->tmpl)) return;
  ptk_rt_alloc_init(ai, t, count);
  uint32_t *a = arr(c, 4);
  a[1] = na ? use_int(c, op, ad[0], "the address") : NOSLOT;
  a[2] = nr ? use_int(c, op, vr[0], "valid_row") : NOSLOT;
  a[3] = nc ? use_int(c, op, vc[0], "valid_col") : NOSLOT;
  a[0] = def(c, op, &op->results[0]);
  if (!na) {
    uint32_t cap = 0;
    for (int tg = 0; tg < 2; tg++) {
      uint32_t k = ptk_target_capacity(tg ? PTK_TARGET_A5 : PTK_TARGET_A3, ai->loc);
      if (k > cap) cap = k;
    }
    if (ai->bytes > (int64_t)cap) {
      err(c, op, "%s: a tile of %lld bytes does not fit in %s memory (%u KiB)", opname(op),
          (long long)ai->bytes, ptk_space_name(ai->loc), cap / 1024);
      return;
    }
    ai->priv = ptk_rt_prog_add_site(&c->p->rt, ai->bytes, ai->tmpl.dtype);
  } else {
    ai->priv = -1;
    c->p->rt.mem_used[ai->loc] = true;
  }
  insn *in = emit(c, I_ALLOC, op, 0);
  in->a = a;
  in->na = 4;
  in->aux = ai;
}

static bool int_list_attr(const ptk_attr *a, int64_t *out, uint32_t n) {
  if (!a) return false;
  if (a->kind == PTK_ATTR_DENSE_ARRAY && a->dense.i && a->dense.n == n) {
    for (uint32_t i = 0; i < n; i++) out[i] = a->dense.i[i];
    return true;
  }
  if (a->kind == PTK_ATTR_ARRAY && a->arr.n == n) {
    for (uint32_t i = 0; i < n; i++)
      if (!ptk_attr_get_int(a->arr.items[i], &out[i])) return false;
    return true;
  }
  return false;
}

static void compile_subview(cc *c, const ptk_op *op) {
  uint32_t ns, no, nr, ncv;
  ptk_value **s = ptk_op_segment(op, 0, &ns), **o = ptk_op_segment(op, 1, &no),
            **vr = ptk_op_segment(op, 2, &nr), **vc = ptk_op_segment(op, 3, &ncv);
  if (ns != 1 || no != 2 || nr > 1 || ncv > 1 || op->nresults != 1) {
    err(c, op, "%s: expected a tile, two offsets and optional valid sizes", opname(op));
    return;
  }
  ptk_tile *tm = ptk_arena_alloc(c->p->arena, sizeof *tm);
  if (!tile_template(c, op, op->results[0].type, tm)) return;
  int64_t sz[2];
  if (int_list_attr(ptk_op_attr(op, "sizes"), sz, 2) && (sz[0] != tm->rows || sz[1] != tm->cols)) {
    err(c, op, "%s: sizes [%lld, %lld] differ from the result type's shape %dx%d", opname(op),
        (long long)sz[0], (long long)sz[1], (int)tm->rows, (int)tm->cols);
    return;
  }
  uint32_t *a = arr(c, 6);
  a[1] = use(c, op, s[0], PTK_VK_TILE, "the source");
  a[2] = use_int(c, op, o[0], "the row offset");
  a[3] = use_int(c, op, o[1], "the column offset");
  a[4] = nr ? use_int(c, op, vr[0], "the valid rows") : NOSLOT;
  a[5] = ncv ? use_int(c, op, vc[0], "the valid columns") : NOSLOT;
  a[0] = def(c, op, &op->results[0]);
  insn *in = emit(c, I_SUBVIEW, op, 0);
  in->a = a;
  in->na = 6;
  in->aux = tm;
}

static void compile_viewcast(cc *c, const ptk_op *op) {
  if (op->nresults != 1 || op->noperands < 1) {
    err(c, op, "%s: malformed operation", opname(op));
    return;
  }
  const ptk_value *r = &op->results[0];
  uint32_t *a = arr(c, 3);
  insn tmp = {0};
  switch (op->kind) {
  case PTK_OP_TRESHAPE: {
    ptk_tile *tm = ptk_arena_alloc(c->p->arena, sizeof *tm);
    if (!tile_template(c, op, r->type, tm)) return;
    a[1] = use(c, op, op->operands[0], PTK_VK_TILE, "the source");
    tmp.op = I_RESHAPE;
    tmp.aux = tm;
    tmp.na = 2;
    break;
  }
  case PTK_OP_BITCAST: {
    ptk_tile tm;
    if (!tile_template(c, op, r->type, &tm)) return;
    /* as the C emitter: a bitcast names computable dtypes only (not the byte formats) */
    if (ptk_isa_dtype_is_raw(tm.dtype)) {
      ptk_lower_unsupported(op, c->d);
      return;
    }
    a[1] = use(c, op, op->operands[0], PTK_VK_TILE, "the source");
    tmp.op = I_BITCAST;
    tmp.sub = (uint16_t)tm.dtype;
    tmp.na = 2;
    break;
  }
  case PTK_OP_TASSIGN:
    if (op->noperands != 2) FAIL(op, "%s: expected a tile and an address", opname(op));
    a[1] = use(c, op, op->operands[0], PTK_VK_TILE, "the tile");
    a[2] = use_int(c, op, op->operands[1], "the address");
    if (vkind(r) != PTK_VK_TILE || r->type->tile.loc != op->operands[0]->type->tile.loc)
      FAIL(op, "%s: the result must be a tile in the same memory", opname(op));
    c->p->rt.mem_used[r->type->tile.loc] = true;
    tmp.op = I_TASSIGN;
    tmp.na = 3;
    break;
  case PTK_OP_ADDPTR:
    if (op->noperands != 2) FAIL(op, "%s: expected a pointer and an offset", opname(op));
    a[1] = use(c, op, op->operands[0], PTK_VK_PTR, "the pointer");
    a[2] = use_int(c, op, op->operands[1], "the offset");
    tmp.op = I_ADDPTR;
    tmp.imm = esize_of(op->operands[0]->type);
    tmp.na = 3;
    if (vkind(r) != PTK_VK_PTR) FAIL(op, "%s: the result must be a pointer", opname(op));
    break;
  case PTK_OP_CASTPTR:
    if (is_int_scalar(r) && vkind(op->operands[0]) == PTK_VK_PTR) { /* a pointer's address (SIMT) */
      a[1] = use(c, op, op->operands[0], PTK_VK_PTR, "the pointer");
      tmp.op = I_PTRTOINT;
      tmp.imm = width_of(r->type->dt);
      tmp.na = 2;
      break;
    }
    if (vkind(r) != PTK_VK_PTR) FAIL(op, "%s: the result must be a pointer", opname(op));
    if (is_int_scalar(op->operands[0])) { /* an explicit address (VPTO: UB offsets) */
      a[1] = use_int(c, op, op->operands[0], "the address");
      tmp.op = I_INTTOPTR;
      tmp.sub = (uint16_t)r->type->space;
      tmp.na = 2;
      break;
    }
    a[1] = use(c, op, op->operands[0], PTK_VK_PTR, "the pointer");
    tmp.op = I_MOV;
    tmp.imm = sizeof(ptr_cell);
    tmp.na = 2;
    break;
  case PTK_OP_PTRTOINT:
    a[1] = use(c, op, op->operands[0], PTK_VK_PTR, "the pointer");
    if (!is_int_scalar(r)) FAIL(op, "%s: the result must be an integer", opname(op));
    tmp.op = I_PTRTOINT;
    tmp.imm = width_of(r->type->dt);
    tmp.na = 2;
    break;
  case PTK_OP_INTTOPTR:
    a[1] = use_int(c, op, op->operands[0], "the address");
    if (vkind(r) != PTK_VK_PTR) FAIL(op, "%s: the result must be a pointer", opname(op));
    tmp.op = I_INTTOPTR;
    tmp.sub = (uint16_t)r->type->space;
    tmp.na = 2;
    break;
  case PTK_OP_GET_TENSOR_VIEW_DIM:
  case PTK_OP_GET_TENSOR_VIEW_STRIDE:
    if (op->noperands != 2) FAIL(op, "%s: expected a view and a dimension", opname(op));
    a[1] = use(c, op, op->operands[0], PTK_VK_VIEW, "the view");
    a[2] = use_int(c, op, op->operands[1], "the dimension");
    if (!is_int_scalar(r)) FAIL(op, "%s: the result must be an integer", opname(op));
    tmp.op = I_VIEWDIM;
    tmp.sub = op->kind == PTK_OP_GET_TENSOR_VIEW_STRIDE;
    tmp.imm = width_of(r->type->dt);
    tmp.na = 3;
    break;
  default: return;
  }
  a[0] = def(c, op, r);
  if (tmp.op == I_RESHAPE || tmp.op == I_BITCAST) {
    if (vkind(r) != PTK_VK_TILE) FAIL(op, "%s: the result must be a tile", opname(op));
  }
  insn *in = emit(c, tmp.op, op, 0);
  in->a = a;
  in->na = tmp.na;
  in->aux = tmp.aux;
  in->sub = tmp.sub;
  in->imm = tmp.imm;
}

static void compile_scalar_mem(cc *c, const ptk_op *op) {
  bool load = op->kind == PTK_OP_LOAD_SCALAR;
  if (op->noperands != (load ? 2u : 3u) || op->nresults != (load ? 1u : 0u)) {
    err(c, op, "%s: malformed operation", opname(op));
    return;
  }
  /* load_scalar (ptr, index) -> value; store_scalar (ptr, index, value) */
  const ptk_value *p = op->operands[0];
  const ptk_value *ix = op->operands[1];
  const ptk_value *v = load ? &op->results[0] : op->operands[2];
  uint32_t *a = arr(c, 3);
  a[1] = use(c, op, p, PTK_VK_PTR, "the pointer");
  a[2] = use_int(c, op, ix, "the index");
  ptk_dtype pd;
  if (vkind(p) == PTK_VK_PTR && (!ptk_type_elem_dtype(p->type, &pd) || !dt_supported(pd))) {
    err(c, op, "%s: pointers to this element type are not supported", opname(op));
    return;
  }
  if (vkind(v) != PTK_VK_SCALAR || (vkind(p) == PTK_VK_PTR && v->type->dt != pd)) {
    err(c, op, "%s: the value must be a scalar of the pointer's element type", opname(op));
    return;
  }
  a[0] = load ? def(c, op, v) : use(c, op, v, PTK_VK_SCALAR, "the value");
  insn *in = emit(c, load ? I_LDSC : I_STSC, op, 0);
  in->a = a;
  in->na = 3;
  in->imm = pd;
  in->sub = (uint16_t)ptk_dtype_bytes(pd);
}

static void compile_print(cc *c, const ptk_op *op) {
  const ptk_attr *f = ptk_op_attr(op, "format");
  if (!f || f->kind != PTK_ATTR_STRING) {
    err(c, op, "pto.print: missing format string");
    return;
  }
  uint32_t *a = arr(c, op->noperands);
  for (uint32_t i = 0; i < op->noperands; i++) {
    a[i] = use(c, op, op->operands[i], PTK_VK_SCALAR, "a printed value");
  }
  insn *in = emit(c, I_PRINT, op, 0);
  in->a = a;
  in->na = op->noperands;
  c->p->rt.has_print = true;
}

/* The call record of the one lowering (backend/lower.h), encoded: the
 * shape's expression is evaluated by exec.c with these constants. */
static void compile_lowered(cc *c, const ptk_op *op) {
  ptk_call r;
  if (!ptk_lower_call(op, &r, c->d)) {
    return;
  }
  call_x *x = ptk_arena_alloc(c->p->arena, sizeof *x);
  x->sub = r.sub;
  memcpy(x->attr, r.attr, sizeof x->attr);
  memcpy(x->fl, r.fl, sizeof x->fl);
  memcpy(x->w, r.width, sizeof x->w);
  memcpy(x->dt, r.dt, sizeof x->dt);
  memcpy(x->fmt, r.fmt, sizeof x->fmt);
  /* operands are used before the results are defined (scope) */
  uint32_t *a = arr(c, r.nv);
  for (uint32_t k = r.nres; k < r.nv; k++) {
    bool tile = r.role[k] == PTK_ROLE_TILE ||
                (r.role[k] == PTK_ROLE_OPT && r.v[k] && r.v[k]->type->kind == PTK_TY_TILE_BUF);
    int kind = tile ? PTK_VK_TILE
               : r.role[k] == PTK_ROLE_VREG  ? PTK_VK_VREG
               : r.role[k] == PTK_ROLE_MASK  ? PTK_VK_MASK
               : r.role[k] == PTK_ROLE_ALIGN ? PTK_VK_ALIGN
               : r.role[k] == PTK_ROLE_HANDLE ? PTK_VK_HANDLE
               : r.role[k] == PTK_ROLE_PTR   ? (vkind(r.v[k]) == PTK_VK_VIEW ? PTK_VK_VIEW : PTK_VK_PTR)
                                             : PTK_VK_SCALAR;
    a[k] = r.role[k] && r.v[k] ? use(c, op, r.v[k], kind, "an operand") : NOSLOT;
  }
  for (uint32_t k = 0; k < r.nres; k++) a[k] = def(c, op, r.v[k]);
  insn *in = emit(c, I_LCALL, op, 0);
  in->a = a;
  in->na = r.nv;
  in->sub = (uint16_t)r.shape;
  in->aux = x;
}

/* The hand-lowered DPS ops. */
static void compile_hand_dps(cc *c, const ptk_op *op) {
  dps x;
  if (ptk_lower_is_pipe(op->kind)) {
    ptk_pipe_vals pv;
    if (!ptk_lower_pipe(op, &pv, c->d)) return;
    uint32_t *a = arr(c, 7);
    a[2] = pv.tin ? use(c, op, pv.tin, PTK_VK_TILE, "the tile") : NOSLOT;
    a[6] = pv.vin ? use(c, op, pv.vin, PTK_VK_VIEW, "the view") : NOSLOT;
    a[3] = pv.s0 ? use(c, op, pv.s0, PTK_VK_SCALAR, "the scalar") : NOSLOT;
    a[4] = pv.s1 ? use(c, op, pv.s1, PTK_VK_SCALAR, "the scalar") : NOSLOT;
    a[0] = pv.sres ? def(c, op, pv.sres) : NOSLOT;
    a[1] = pv.tres ? def(c, op, pv.tres) : NOSLOT;
    a[5] = pv.vres ? def(c, op, pv.vres) : NOSLOT;
    insn *in = emit(c, I_PIPE, op, 0);
    in->a = a, in->na = 7;
    return;
  }
  switch (op->kind) {
  case PTK_OP_TGETVAL: {
    x.in = ptk_op_segment(op, 0, &x.nin);
    if (x.nin != 2 || op->nresults != 1 || vkind(&op->results[0]) != PTK_VK_SCALAR) {
      err(c, op, "%s: expected a tile, an offset and a scalar result", opname(op));
      return;
    }
    uint32_t *a = arr(c, 3);
    a[1] = use(c, op, x.in[0], PTK_VK_TILE, "the tile");
    a[2] = use_int(c, op, x.in[1], "the offset");
    a[0] = def(c, op, &op->results[0]);
    insn *in = emit(c, I_TGETVAL, op, 0);
    in->a = a, in->na = 3, in->imm = op->results[0].type->dt;
    return;
  }
  case PTK_OP_TPRINT: {
    x.in = ptk_op_segment(op, 0, &x.nin);
    uint32_t nall = op->noperands;
    if (nall < 1 || nall > 2) FAIL(op, "%s: expected a tile", opname(op));
    uint32_t *a = arr(c, 1);
    a[0] = use(c, op, op->operands[0], PTK_VK_TILE, "the tile");
    insn *in = emit(c, I_TPRINT, op, 0);
    in->a = a, in->na = 1;
    c->p->rt.has_print = true;
    return;
  }
  case PTK_OP_TLOAD: {
    if (!ptk_lower_dps(op, 1, 1, 1, &x, c->d)) return;
    ptk_isa_dtype vd = PTK_ISA_F32;
    if (vkind(x.in[0]) == PTK_VK_VIEW && !view_dtype(c, op, x.in[0]->type, &vd)) return;
    uint32_t *a = arr(c, 2);
    a[0] = use(c, op, x.out[0], PTK_VK_TILE, "the destination");
    a[1] = use(c, op, x.in[0], PTK_VK_VIEW, "the source");
    insn *in = emit(c, I_TLOAD, op, 0);
    in->a = a, in->na = 2, in->sub = (uint16_t)vd;
    return;
  }
  case PTK_OP_TSTORE: {
    unsigned flags;
    if (!ptk_lower_tstore(op, &x, &flags, c->d)) return;
    ptk_isa_dtype vd = PTK_ISA_F32;
    if (vkind(x.out[0]) == PTK_VK_VIEW && !view_dtype(c, op, x.out[0]->type, &vd)) return;
    uint32_t *a = arr(c, 2);
    a[0] = use(c, op, x.out[0], PTK_VK_VIEW, "the destination");
    a[1] = use(c, op, x.in[0], PTK_VK_TILE, "the source");
    insn *in = emit(c, I_TSTORE, op, 0);
    in->a = a, in->na = 2, in->sub = (uint16_t)vd;
    in->flags = flags;
    if (flags & 2) c->p->rt.has_atomic = true;
    return;
  }
  default:
    ptk_lower_unsupported(op, c->d);
    return;
  }
}

/* ---- fused groups ------------------------------------------------------------------------------ */

/* The fused group starting at tload `op` (backend/fuse.h), if there is one:
 * each group op is an I_FZ_STEP followed by the op's own instructions, which
 * run when the group is not (or no longer) fused; the ops between run where
 * they stand; after the group, the replay blocks of the fall-backs: the
 * pending ops for real, then back to the op that fell back. Returns the
 * group's last op, NULL when `op` starts no group. */
static const ptk_op *compile_group(cc *c, const ptk_op *op) {
  if (!c->fuse) c->fuse = ptk_fuse_info_new(c->p->top);
  ptk_fuse_group g;
  if (!ptk_fuse_detect(c->fuse, op, &g)) return NULL;
  ptk_diags *q = ptk_diags_new(); /* the ops were accepted: nothing to report */
  fz_prog *P = ptk_arena_alloc(c->p->arena, sizeof *P);
  memset(P, 0, sizeof *P);
  P->nsteps = g.nops;
  P->nload = g.nload;
  P->steps = ptk_arena_alloc(c->p->arena, g.nops * sizeof *P->steps);
  memset(P->steps, 0, g.nops * sizeof *P->steps);
  P->tile_slot = ptk_arena_alloc(c->p->arena, (g.ntiles ? g.ntiles : 1) * sizeof *P->tile_slot);
  int wt[PTK_FUSE_MAX], cur[PTK_FUSE_MAX]; /* write-through index of each tile; its temporary */
  for (uint32_t t = 0; t < g.ntiles; t++) {
    wt[t] = -1;
    cur[t] = -1;
    if (!g.hidden[t] && g.lastw[t] >= 0) wt[t] = (int)P->ntiles++;
  }
  const ptk_value *seen[2 * PTK_FUSE_MAX];
  uint32_t nseen = 0, li = 0;
  uint32_t step_at[PTK_FUSE_MAX], normal_at[PTK_FUSE_MAX];
  uint32_t k = 0;
  for (const ptk_op *o = g.first;; o = o->next) {
    if (k >= g.nops || o != g.ops[k]) {
      compile_op(c, o);
      continue;
    }
    fz_step *st = &P->steps[k];
    st->ir = o;
    st->ta = st->tb = -1;
    st->wtile = -1;
    st->sslot = NOSLOT;
    const ptk_value *ts[3] = {NULL, NULL, NULL};
    ptk_fuse_op_tiles(o, ts, q);
    if (o->kind == PTK_OP_TLOAD || o->kind == PTK_OP_TSTORE) {
      const ptk_value *t, *v;
      ptk_fuse_transfer(o, &t, &v, q);
      st->kind = g.inplace[k] ? FZ_INPLACE : o->kind == PTK_OP_TLOAD ? FZ_LOAD : FZ_STORE;
      st->tile = use(c, o, t, PTK_VK_TILE, "a tile");
      st->view = use(c, o, v, PTK_VK_VIEW, "a view");
      ptk_isa_dtype vdt = PTK_ISA_F32;
      view_dtype(c, o, v->type, &vdt);
      st->vdt = (uint8_t)vdt;
      st->gi = (int16_t)(st->kind == FZ_STORE ? g.nload : st->kind == FZ_LOAD ? li++ : 0);
      if (st->kind == FZ_STORE) st->ta = (int16_t)cur[ptk_fuse_tile_index(&g, t)];
    } else {
      ptk_fuse_ew e;
      ptk_fuse_ew_decode(o, &e);
      st->kind = FZ_EW;
      st->shape = (uint16_t)e.shape;
      st->sub = (int16_t)e.sub;
      st->tile = use(c, o, e.dst, PTK_VK_TILE, "a tile");
      const ptk_value *fa = e.bc ? ptk_fuse_full(&e) : e.a;
      st->ta = (int16_t)cur[ptk_fuse_tile_index(&g, fa)];
      if (e.b && !e.bc) st->tb = (int16_t)cur[ptk_fuse_tile_index(&g, e.b)];
      if (e.s) {
        st->sslot = use(c, o, e.s, PTK_VK_SCALAR, "a scalar");
        st->sfl = e.sfl;
      }
      if (e.bc) {
        st->bc = (int8_t)e.bc;
        st->bslot = use(c, o, ptk_fuse_bcast(&e), PTK_VK_TILE, "a tile");
        st->brow = e.shape == PTK_CALL_ROWEXP_OP;
        st->bfirst = e.bc == 1;
      }
      st->form = e.shape == PTK_CALL_UNARY                    ? PTK_ISA_FZ_UN
                 : e.shape == PTK_CALL_BIN_TS                 ? PTK_ISA_FZ_TS
                 : e.shape == PTK_CALL_BIN_ST                 ? PTK_ISA_FZ_ST
                 : e.shape == PTK_CALL_ROWEXP_OP && e.bc == 1 ? PTK_ISA_FZ_ST
                 : e.shape == PTK_CALL_ROWEXP_OP              ? PTK_ISA_FZ_TS
                                                              : PTK_ISA_FZ_TT;
    }
    /* tiles first touched here: operands first, then the written tile */
    for (int j = 0; j < 3; j++) {
      const ptk_value *v = ts[(j + 1) % 3];
      if (!v || st->kind == FZ_STORE) continue;
      bool dup = false;
      for (uint32_t i = 0; i < nseen; i++) dup |= seen[i] == v;
      if (dup || nseen == 2 * PTK_FUSE_MAX) continue;
      seen[nseen++] = v;
      st->newt[st->nnew++] = use(c, o, v, PTK_VK_TILE, "a tile");
    }
    if (st->kind == FZ_LOAD || st->kind == FZ_EW) {
      int td = ptk_fuse_tile_index(&g, ts[0]);
      cur[td] = (int)k;
      if (g.lastw[td] == (int)k) st->wtile = (int16_t)wt[td];
      if (wt[td] >= 0) P->tile_slot[wt[td]] = use(c, o, ts[0], PTK_VK_TILE, "a tile");
    }
    step_at[k] = here(c);
    insn *in = emit(c, I_FZ_STEP, o, 2);
    in->aux = P;
    in->imm = k;
    normal_at[k] = here(c);
    compile_op(c, o);
    uint32_t *a = (uint32_t *)c->code.data[step_at[k]].a;
    a[0] = st->kind == FZ_INPLACE ? normal_at[k] : here(c); /* fused: skip the op (an inplace tload runs) */
    if (o == g.last) break;
    k++;
  }
  ptk_diags_free(q);
  /* replay blocks */
  insn *jmp = emit(c, I_JMP, g.last, 1);
  uint32_t jmp_at = (uint32_t)(jmp - c->code.data);
  for (uint32_t s = 0; s < g.nops; s++) {
    uint32_t *a = (uint32_t *)c->code.data[step_at[s]].a;
    bool pending = false;
    for (uint32_t i = 0; i < s; i++) pending |= !g.inplace[i];
    if (!pending) {
      a[1] = normal_at[s];
      continue;
    }
    a[1] = here(c);
    for (uint32_t i = 0; i < s; i++)
      if (!g.inplace[i]) compile_op(c, g.ops[i]);
    insn *back = emit(c, I_JMP, g.ops[s], 1);
    ((uint32_t *)back->a)[0] = normal_at[s];
  }
  ((uint32_t *)c->code.data[jmp_at].a)[0] = here(c);
  return g.last;
}

static void compile_op(cc *c, const ptk_op *op) {
  const ptk_op_info *info = &ptk_op_table[op->kind];
  switch (info->lower) {
  case PTK_LOWER_NOP:
    for (uint32_t i = 0; i < op->noperands; i++) use(c, op, op->operands[i], PTK_VK_NONE, "");
    return;
  case PTK_LOWER_CALL: compile_lowered(c, op); return;
  case PTK_LOWER_NOEXEC:
    ptk_lower_unsupported(op, c->d);
    return;
  case PTK_LOWER_HAND: break;
  }
  switch (op->kind) {
  case PTK_OP_ARITH_CONSTANT: compile_const(c, op); return;
  case PTK_OP_ARITH_SELECT: compile_select(c, op); return;
  case PTK_OP_SCF_FOR: compile_for(c, op); return;
  case PTK_OP_SCF_IF: compile_if(c, op); return;
  case PTK_OP_SCF_WHILE: compile_while(c, op); return;
  case PTK_OP_FUNC_CALL: compile_call(c, op); return;
  case PTK_OP_MAKE_TENSOR_VIEW: compile_make_view(c, op); return;
  case PTK_OP_PARTITION_VIEW: compile_partition(c, op); return;
  case PTK_OP_ALLOC_TILE:
  case PTK_OP_ALLOC_MULTI_TILE: compile_alloc(c, op); return;
  case PTK_OP_SUBVIEW: compile_subview(c, op); return;
  case PTK_OP_TRESHAPE:
  case PTK_OP_BITCAST:
  case PTK_OP_TASSIGN:
  case PTK_OP_ADDPTR:
  case PTK_OP_CASTPTR:
  case PTK_OP_PTRTOINT:
  case PTK_OP_INTTOPTR:
  case PTK_OP_GET_TENSOR_VIEW_DIM:
  case PTK_OP_GET_TENSOR_VIEW_STRIDE: compile_viewcast(c, op); return;
  case PTK_OP_LOAD_SCALAR:
  case PTK_OP_STORE_SCALAR: compile_scalar_mem(c, op); return;
  case PTK_OP_SET_VALIDSHAPE: {
    if (op->noperands != 3) FAIL(op, "%s: expected a tile and two sizes", opname(op));
    uint32_t *a = arr(c, 3);
    a[0] = use(c, op, op->operands[0], PTK_VK_TILE, "the tile");
    a[1] = use_int(c, op, op->operands[1], "the valid rows");
    a[2] = use_int(c, op, op->operands[2], "the valid columns");
    insn *in = emit(c, I_SETVALID, op, 0);
    in->a = a, in->na = 3;
    return;
  }
  case PTK_OP_GET_VALIDSHAPE: {
    if (op->noperands != 1 || op->nresults != 2 || !is_int_scalar(&op->results[0]) ||
        !is_int_scalar(&op->results[1]))
      FAIL(op, "%s: expected a tile and two integer results", opname(op));
    uint32_t *a = arr(c, 3);
    a[2] = use(c, op, op->operands[0], PTK_VK_TILE, "the tile");
    a[0] = def(c, op, &op->results[0]);
    a[1] = def(c, op, &op->results[1]);
    insn *in = emit(c, I_GETVALID, op, 0);
    in->a = a, in->na = 3;
    return;
  }
  case PTK_OP_GET_BLOCK_IDX:
  case PTK_OP_GET_BLOCK_NUM:
  case PTK_OP_GET_SUBBLOCK_IDX:
  case PTK_OP_GET_SUBBLOCK_NUM: {
    if (op->nresults != 1 || !is_int_scalar(&op->results[0]))
      FAIL(op, "%s: expected one integer result", opname(op));
    uint32_t *a = arr(c, 1);
    a[0] = def(c, op, &op->results[0]);
    insn *in = emit(c, I_BLOCK, op, 0);
    in->a = a, in->na = 1;
    in->sub = (uint16_t)(op->kind - PTK_OP_GET_BLOCK_IDX);
    in->imm = width_of(op->results[0].type->dt);
    return;
  }
  case PTK_OP_STRICT_VECSCOPE: { /* the body with its arguments sharing the captures' slots */
    const ptk_block *b = op->nregions == 1 ? ptk_lower_region(op, &op->regions[0], c->d) : NULL;
    if (!b) return;
    if (b->nargs != op->noperands) FAIL(op, "%s: malformed operation", opname(op));
    size_t mark = scope_mark(c);
    for (uint32_t i = 0; i < b->nargs; i++) {
      uint32_t s = use(c, op, op->operands[i], vkind(b->args[i]), "a capture");
      c->slot[b->args[i]->uid] = s;
      mark_defined(c, b->args[i]);
    }
    const ptk_op *term = compile_block_body(c, b);
    if (term) err(c, term, "%s: not allowed at the end of %s", opname(term), opname(op));
    scope_pop(c, mark);
    return;
  }
  case PTK_OP_FUSION_REGION: { /* the body, then its pto.yield's values as the results */
    const ptk_block *b = op->nregions == 1 ? ptk_lower_region(op, &op->regions[0], c->d) : NULL;
    if (!b) return;
    for (uint32_t i = 0; i < op->nresults; i++) def(c, op, &op->results[i]);
    for (uint32_t i = 0; i < op->nresults; i++) c->defined[op->results[i].uid] = 0;
    size_t mark = scope_mark(c);
    const ptk_op *term = compile_block_body(c, b);
    if (!term || term->kind != PTK_OP_PTO_YIELD)
      err(c, term ? term : op, "%s: the body must end with pto.yield", opname(op));
    else
      move_values(c, term, term->operands, term->noperands, NULL, op->results, op->nresults);
    scope_pop(c, mark);
    for (uint32_t i = 0; i < op->nresults; i++) mark_defined(c, &op->results[i]);
    return;
  }
  case PTK_OP_SECTION_CUBE:
  case PTK_OP_SECTION_VECTOR:
  case PTK_OP_VECSCOPE: {
    if (op->nregions != 1) FAIL(op, "%s: malformed operation", opname(op));
    const ptk_block *b = ptk_lower_region(op, &op->regions[0], c->d);
    if (!b) return;
    size_t mark = scope_mark(c);
    const ptk_op *term = compile_block_body(c, b);
    if (term && (term->kind != PTK_OP_SCF_YIELD || term->noperands))
      err(c, term, "%s: not allowed at the end of a section", opname(term));
    scope_pop(c, mark);
    return;
  }
  case PTK_OP_PRINT: compile_print(c, op); return;
  case PTK_OP_TRAP: emit(c, I_TRAP, op, 0); return;
  case PTK_OP_FUNC_RETURN:
  case PTK_OP_SCF_YIELD:
  case PTK_OP_SCF_CONDITION:
    err(c, op, "%s: not allowed here", opname(op));
    return;
  default: compile_hand_dps(c, op); return;
  }
}

/* ---- driver --------------------------------------------------------------------------------------- */

static void compile_func(cc *c, uint32_t idx) {
  const ptk_func *f = c->funcs.data[idx];
  c->code.len = 0;
  c->frame = 0;
  c->init.len = 0;
  fn_code fc = {0};
  fc.f = f;
  fc.nargs = f->nargs;
  fc.arg_off = ptk_arena_alloc(c->p->arena, (f->nargs ? f->nargs : 1) * sizeof(uint32_t));
  fc.arg_kind = ptk_arena_alloc(c->p->arena, f->nargs ? f->nargs : 1);
  fc.arg_size = ptk_arena_alloc(c->p->arena, (f->nargs ? f->nargs : 1) * sizeof(uint32_t));
  fc.nresults = f->nresults;
  fc.res_size = ptk_arena_alloc(c->p->arena, (f->nresults ? f->nresults : 1) * sizeof(uint32_t));
  for (uint32_t i = 0; i < f->nresults; i++)
    fc.res_size[i] = kind_size(ptk_interp__kind_of(f->result_types[i]));
  const ptk_block *b = ptk_func_entry(f);
  size_t mark = scope_mark(c);
  if (!b || b->nargs != f->nargs) {
    ptk_error_loc(c->d, f->loc, "function '@%s' has no body to run", f->name);
  } else if (f->body->first != f->body->last) {
    if (b->last && b->last->nsuccs) /* a cf branch: its row says why it does not run */
      ptk_lower_unsupported(b->last, c->d);
    else
      ptk_error_loc(c->d, f->loc, "function '@%s': bodies with several blocks are not supported by the interpreter",
                    f->name);
  } else {
    for (uint32_t i = 0; i < f->nargs; i++) {
      fc.arg_kind[i] = (uint8_t)ptk_interp__kind_of(f->arg_types[i]);
      if (fc.arg_kind[i] == PTK_VK_NONE) {
        char *ts = ptk_type_str(f->arg_types[i]);
        ptk_error_loc(c->d, b->args[i]->loc.src ? b->args[i]->loc : f->loc,
                      "function '@%s': parameters of type %s are not supported by the interpreter",
                      f->name, ts);
        free(ts);
        continue;
      }
      fc.arg_off[i] = def(c, NULL, b->args[i]);
      fc.arg_size[i] = kind_size(fc.arg_kind[i]);
    }
    const ptk_op *term = compile_block_body(c, b);
    if (term && term->kind == PTK_OP_FUNC_RETURN)
      compile_return(c, term, f);
    else if (term)
      err(c, term, "%s: not allowed at the end of a function body", opname(term));
    else if (f->nresults)
      ptk_error_loc(c->d, f->loc, "function '@%s' must end with func.return", f->name);
    if (!term) emit(c, I_RET, NULL, 0);
  }
  scope_pop(c, mark);
  fc.ncode = (uint32_t)c->code.len;
  fc.code = ptk_arena_alloc(c->p->arena, (c->code.len ? c->code.len : 1) * sizeof(insn));
  if (c->code.len) memcpy(fc.code, c->code.data, c->code.len * sizeof(insn));
  fc.frame_size = (c->frame + 63u) & ~63u;
  if (!fc.frame_size) fc.frame_size = 64;
  fc.frame_init = ptk_arena_alloc(c->p->arena, fc.frame_size);
  if (c->init.len) memcpy(fc.frame_init, c->init.data, c->init.len);
  c->p->fns[idx] = fc;
  if (fc.frame_size > c->p->max_frame) c->p->max_frame = fc.frame_size;
}

ptk_interp_prog *ptk_interp_prepare(const ptk_func *entry, ptk_diags *d) {
  if (!entry || !entry->module) {
    ptk_error(d, ptk_range_none(), "no function to run");
    return NULL;
  }
  ptk_interp_prog *p = ptk_xcalloc(1, sizeof *p);
  p->arena = ptk_arena_new();
  ptk_rt_prog_init(&p->rt, &ptk_interp__engine, entry);
  p->top = ptk_module_top(entry->module);
  cc c = {0};
  c.p = p;
  c.d = d;
  c.errors0 = d->errors;
  c.nvalues = ptk_module_value_count(p->top);
  c.slot = ptk_xmalloc((c.nvalues ? c.nvalues : 1) * sizeof(uint32_t));
  for (uint32_t i = 0; i < c.nvalues; i++) c.slot[i] = NOSLOT;
  c.defined = ptk_xcalloc(c.nvalues ? c.nvalues : 1, 1);
  ptk_vec_push(&c.funcs, entry);
  if (p->rt.mixed) ptk_lower_func_index(&c.funcs, ptk_lower_mixed_peer(entry)); /* function 1 */
  size_t cap = 0;
  for (uint32_t i = 0; i < c.funcs.len; i++) {
    if (c.funcs.len > cap) {
      size_t ncap = c.funcs.len * 2 + 4;
      fn_code *nf = ptk_arena_alloc(p->arena, ncap * sizeof(fn_code));
      if (p->fns) memcpy(nf, p->fns, cap * sizeof(fn_code));
      p->fns = nf;
      cap = ncap;
    }
    compile_func(&c, i);
  }
  p->nfns = (uint32_t)c.funcs.len;
  ptk_fuse_info_free(c.fuse);
  free(c.slot);
  free(c.defined);
  ptk_vec_free(&c.scope);
  ptk_vec_free(&c.funcs);
  ptk_vec_free(&c.code);
  ptk_vec_free(&c.init);
  if (d->errors > c.errors0) {
    ptk_interp_free(p);
    return NULL;
  }
  return p;
}

void ptk_interp_free(ptk_interp_prog *p) {
  if (!p) return;
  ptk_rt_prog_fini(&p->rt);
  ptk_arena_free(p->arena);
  free(p);
}
