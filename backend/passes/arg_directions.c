/* derive-arg-directions: IN / OUT / INOUT / UNUSED per pointer argument.
 *
 * 1. Roots: each pointer-like value (pointers, tensor views, partitions)
 *    gets the set of arguments it may derive from (a bitset), propagated
 *    through views, addptr/castptr, arith.select, scf results, iter_args
 *    and while arguments to a fixpoint; inttoptr and call results may be
 *    any argument.
 * 2. Accesses: tload/mgather/tprefetch/load_scalar read, tstore/mscatter/
 *    store_scalar write (an atomic-add tstore reads too), a call applies the
 *    callee's derived directions to its pointer operands, ptrtoint escapes
 *    (read and write). A tload reads the caller's data unless a tstore
 *    that dominates it wrote the same partition value completely first. */
#include <stdio.h>
#include <string.h>

#include "backend/passes/pass_util.h"

typedef struct memo {
  ptk_func *f;
  ptk_arg_dirs dirs;
  bool busy, done;
} memo;

typedef struct ad {
  PTK_VEC(memo) memos; /* per function derived so far (calls) */
} ad;

typedef struct fctx {
  ad *g;
  ptk_func *f;
  uint32_t nargs, nw; /* words per bitset */
  uint64_t *roots;    /* [value uid][nw] */
  uint32_t nvals;
  bool changed;
  pu_order ord;
  /* full tstores, chained per partition value uid (written-first refinement) */
  PTK_VEC(ptk_op *) stores;
  PTK_VEC(int32_t) snext;
  int32_t *shead; /* [value uid], -1 = none */
  bool *readv, *writev;
  ptk_range *rat, *wat;
} fctx;

const char *ptk_arg_dir_name(ptk_arg_dir d) {
  switch (d) {
  case PTK_ARGDIR_UNUSED: return "unused";
  case PTK_ARGDIR_IN: return "in";
  case PTK_ARGDIR_OUT: return "out";
  case PTK_ARGDIR_INOUT: return "inout";
  default: return "";
  }
}

void ptk_arg_dirs_free(ptk_arg_dirs *a) {
  if (!a) return;
  free(a->dir);
  free(a->read_at);
  free(a->write_at);
  memset(a, 0, sizeof *a);
}

static bool pointer_like(const ptk_type *t) {
  return t && (t->kind == PTK_TY_PTR || t->kind == PTK_TY_TENSOR_VIEW || t->kind == PTK_TY_PART_VIEW);
}

static uint64_t *R(fctx *c, const ptk_value *v) {
  return v && v->uid < c->nvals ? c->roots + (size_t)v->uid * c->nw : NULL;
}

/* dst |= src */
static void join(fctx *c, const ptk_value *dst, const ptk_value *src) {
  uint64_t *d = R(c, dst), *s = R(c, src);
  if (!d || !s || !pointer_like(dst->type)) return;
  for (uint32_t i = 0; i < c->nw; i++)
    if ((d[i] | s[i]) != d[i]) {
      d[i] |= s[i];
      c->changed = true;
    }
}

static void all_args(fctx *c, const ptk_value *dst) {
  uint64_t *d = R(c, dst);
  if (!d || !pointer_like(dst->type)) return;
  for (uint32_t i = 0; i < c->nargs; i++)
    if (!(d[i / 64] >> (i % 64) & 1)) {
      d[i / 64] |= 1ull << (i % 64);
      c->changed = true;
    }
}

static ptk_op *block_term(ptk_block *b) {
  return b && b->last && (ptk_op_table[b->last->kind].flags & PTK_OPF_TERMINATOR) ? b->last : NULL;
}

static bool prop_op(ptk_op *op, void *p) {
  fctx *c = p;
  switch (op->kind) {
  case PTK_OP_MAKE_TENSOR_VIEW:
  case PTK_OP_PARTITION_VIEW:
  case PTK_OP_ADDPTR:
  case PTK_OP_CASTPTR:
    if (op->noperands && op->nresults) join(c, &op->results[0], op->operands[0]);
    break;
  case PTK_OP_ARITH_SELECT:
    if (op->noperands == 3 && op->nresults) {
      join(c, &op->results[0], op->operands[1]);
      join(c, &op->results[0], op->operands[2]);
    }
    break;
  case PTK_OP_INTTOPTR:
  case PTK_OP_FUNC_CALL:
    for (uint32_t i = 0; i < op->nresults; i++) all_args(c, &op->results[i]);
    break;
  case PTK_OP_SCF_FOR: {
    ptk_block *body = op->regions[0].first;
    ptk_op *y = block_term(body);
    uint32_t ninit = op->noperands >= 3 ? op->noperands - 3 : 0;
    for (uint32_t i = 0; i < ninit; i++) {
      const ptk_value *init = op->operands[3 + i];
      if (body && 1 + i < body->nargs) join(c, body->args[1 + i], init);
      if (i < op->nresults) join(c, &op->results[i], init);
      if (y && y->kind == PTK_OP_SCF_YIELD && i < y->noperands) {
        if (body && 1 + i < body->nargs) join(c, body->args[1 + i], y->operands[i]);
        if (i < op->nresults) join(c, &op->results[i], y->operands[i]);
      }
    }
    break;
  }
  case PTK_OP_SCF_IF:
    for (uint32_t r = 0; r < op->nregions; r++) {
      ptk_op *y = block_term(op->regions[r].first);
      if (!y || y->kind != PTK_OP_SCF_YIELD) continue;
      for (uint32_t i = 0; i < op->nresults && i < y->noperands; i++)
        join(c, &op->results[i], y->operands[i]);
    }
    break;
  case PTK_OP_SCF_WHILE: {
    ptk_block *before = op->nregions > 0 ? op->regions[0].first : NULL;
    ptk_block *after = op->nregions > 1 ? op->regions[1].first : NULL;
    ptk_op *cond = block_term(before), *y = block_term(after);
    for (uint32_t i = 0; i < op->noperands && before && i < before->nargs; i++)
      join(c, before->args[i], op->operands[i]);
    if (y && y->kind == PTK_OP_SCF_YIELD)
      for (uint32_t i = 0; i < y->noperands && before && i < before->nargs; i++)
        join(c, before->args[i], y->operands[i]);
    if (cond && cond->kind == PTK_OP_SCF_CONDITION) {
      for (uint32_t i = 1; i < cond->noperands; i++) {
        if (after && i - 1 < after->nargs) join(c, after->args[i - 1], cond->operands[i]);
        if (i - 1 < op->nresults) join(c, &op->results[i - 1], cond->operands[i]);
      }
    }
    break;
  }
  default: break;
  }
  return true;
}

/* ---- accesses ---- */

static void mark(fctx *c, const ptk_value *v, bool rd, bool wr, const ptk_op *op) {
  uint64_t *s = R(c, v);
  if (!s) return;
  for (uint32_t i = 0; i < c->nargs; i++) {
    if (!(s[i / 64] >> (i % 64) & 1)) continue;
    if (rd && !c->readv[i]) {
      c->readv[i] = true;
      c->rat[i] = ptk_op_range(op);
    }
    if (wr && !c->writev[i]) {
      c->writev[i] = true;
      c->wat[i] = ptk_op_range(op);
    }
  }
}

/* Does `a` come before `b` on every path (a dominates b)? Structured IR:
 * some ancestor of b (or b) is in a's block after a. */
static bool dominates(fctx *c, const ptk_op *a, const ptk_op *b) {
  for (const ptk_op *x = b; x; x = pu_parent_op(x)) {
    if (x->block == a->block) return c->ord.pos[a->uid] < c->ord.pos[x->uid];
    if (x->block && x->block->region && x->block->region->func) break;
  }
  return false;
}

static bool static_dims_cover(const ptk_type *pt, const ptk_tile_desc *t) {
  if (!pt || pt->kind != PTK_TY_PART_VIEW || !t || pt->rank == 0) return false;
  if (t->v_row == PTK_DYN || t->v_col == PTK_DYN) return false;
  int64_t rows = 1;
  for (uint32_t i = 0; i + 1 < pt->rank; i++) {
    if (pt->dims[i] == PTK_DYN) return false;
    rows *= pt->dims[i];
  }
  int64_t cols = pt->dims[pt->rank - 1];
  if (cols == PTK_DYN) return false;
  return rows == t->v_row && cols == t->v_col;
}

static bool atomic_store(const ptk_op *op) {
  const ptk_attr *a = ptk_op_attr(op, "atomicType");
  return a && a->kind == PTK_ATTR_ENUM && strcmp(a->en.value, "atomic_add") == 0;
}

/* A tload of partition `pv` whose data a dominating full tstore wrote. */
static bool written_first(fctx *c, const ptk_op *load, const ptk_value *pv) {
  if (!pv || pv->uid >= c->nvals) return false;
  for (int32_t i = c->shead[pv->uid]; i >= 0; i = c->snext.data[i])
    if (dominates(c, c->stores.data[i], load)) return true;
  return false;
}

static const ptk_arg_dirs *derive(ad *g, ptk_func *f);

static bool access_op(ptk_op *op, void *p) {
  fctx *c = p;
  uint32_t ni, no;
  ptk_value **ins = pu_ins(op, &ni), **outs = pu_outs(op, &no);
  switch (op->kind) {
  case PTK_OP_TLOAD:
  case PTK_OP_MGATHER:
  case PTK_OP_TPREFETCH:
    if (ni >= 1) {
      if (op->kind == PTK_OP_TLOAD && written_first(c, op, ins[0])) break;
      mark(c, ins[0], true, false, op);
    }
    break;
  case PTK_OP_TSTORE:
  case PTK_OP_TSTORE_FP:
  case PTK_OP_MSCATTER:
    if (no >= 1) {
      bool atomic = atomic_store(op);
      mark(c, outs[0], atomic, true, op);
      if (op->kind == PTK_OP_TSTORE && !atomic && ni >= 1 &&
          static_dims_cover(outs[0]->type, pu_tile(ins[0])) && outs[0]->uid < c->nvals) {
        ptk_vec_push(&c->stores, op);
        ptk_vec_push(&c->snext, c->shead[outs[0]->uid]);
        c->shead[outs[0]->uid] = (int32_t)(c->stores.len - 1);
      }
    }
    break;
  case PTK_OP_LOAD_SCALAR:
    if (op->noperands >= 1) mark(c, op->operands[0], true, false, op);
    break;
  case PTK_OP_STORE_SCALAR:
    if (op->noperands >= 1) mark(c, op->operands[0], false, true, op); /* (ptr, index, value) */
    break;
  case PTK_OP_PTRTOINT:
    if (op->noperands >= 1) mark(c, op->operands[0], true, true, op);
    break;
  case PTK_OP_FUNC_CALL: {
    const ptk_attr *ca = ptk_op_attr(op, "callee");
    ptk_func *callee = NULL;
    if (ca && ca->kind == PTK_ATTR_SYMBOL) {
      char *name = ptk_xstrndup(ca->str.s, ca->str.len);
      callee = ptk_module_find_func_nested(ptk_module_top(c->f->module), name);
      free(name);
    }
    const ptk_arg_dirs *cd = callee && callee->body ? derive(c->g, callee) : NULL;
    for (uint32_t i = 0; i < op->noperands; i++) {
      if (!pointer_like(op->operands[i]->type)) continue;
      ptk_arg_dir d = cd && i < cd->n ? cd->dir[i] : PTK_ARGDIR_INOUT;
      bool rd = d == PTK_ARGDIR_IN || d == PTK_ARGDIR_INOUT;
      bool wr = d == PTK_ARGDIR_OUT || d == PTK_ARGDIR_INOUT;
      if (rd || wr) mark(c, op->operands[i], rd, wr, op);
    }
    break;
  }
  default:
    if (ptk_op_table[op->kind].family == PTK_FAM_VOP && !(ptk_op_table[op->kind].flags & PTK_OPF_SYNC)) {
      /* VPTO: DMA reads its source and writes its destination
       * (mte_gm_ub / copy_gm_to_ubuf read operand 0, mte_ub_gm /
       * copy_ubuf_to_gm write operand 1); any other access to a global
       * pointer counts as both */
      const char *nm = ptk_op_table[op->kind].name + 4;
      bool from_gm = !strncmp(nm, "mte_gm_", 7) || !strncmp(nm, "copy_gm_to_", 11);
      size_t n = strlen(nm);
      bool to_gm = (n > 3 && !strcmp(nm + n - 3, "_gm")) || (n > 6 && !strcmp(nm + n - 6, "_to_gm"));
      for (uint32_t i = 0; i < op->noperands; i++) {
        const ptk_type *t = op->operands[i]->type;
        if (!t || t->kind != PTK_TY_PTR || t->space != PTK_SPACE_GM) continue;
        if (from_gm && i == 0) mark(c, op->operands[i], true, false, op);
        else if (to_gm && i == 1) mark(c, op->operands[i], false, true, op);
        else mark(c, op->operands[i], true, true, op);
      }
    }
    break;
  }
  return true;
}

static void derive_into(ad *g, ptk_func *f, ptk_arg_dirs *out) {
  fctx c;
  memset(&c, 0, sizeof c);
  c.g = g;
  c.f = f;
  c.nargs = f->nargs;
  c.nw = (c.nargs + 63) / 64;
  if (!c.nw) c.nw = 1;
  c.nvals = ptk_module_value_count(f->module);
  c.roots = ptk_xcalloc((size_t)c.nvals * c.nw, sizeof *c.roots);
  for (uint32_t i = 0; i < f->nargs; i++) {
    ptk_value *a = ptk_func_arg(f, i);
    if (a && pointer_like(a->type)) R(&c, a)[i / 64] |= 1ull << (i % 64);
  }
  for (int round = 0; round < 1000; round++) {
    c.changed = false;
    ptk_walk_func(f, prop_op, &c);
    if (!c.changed) break;
  }
  pu_order_func(&c.ord, f, 0);
  c.shead = ptk_xmalloc((c.nvals + 1) * sizeof *c.shead);
  memset(c.shead, 0xff, (c.nvals + 1) * sizeof *c.shead);
  c.readv = ptk_xcalloc(c.nargs + 1, sizeof *c.readv);
  c.writev = ptk_xcalloc(c.nargs + 1, sizeof *c.writev);
  c.rat = ptk_xcalloc(c.nargs + 1, sizeof *c.rat);
  c.wat = ptk_xcalloc(c.nargs + 1, sizeof *c.wat);
  ptk_walk_func(f, access_op, &c);
  out->n = f->nargs;
  out->dir = ptk_xcalloc(f->nargs + 1, sizeof *out->dir);
  out->read_at = c.rat;
  out->write_at = c.wat;
  for (uint32_t i = 0; i < f->nargs; i++) {
    if (!pointer_like(f->arg_types[i])) {
      out->dir[i] = PTK_ARGDIR_NONE;
      continue;
    }
    out->dir[i] = c.readv[i] && c.writev[i] ? PTK_ARGDIR_INOUT
                  : c.readv[i]             ? PTK_ARGDIR_IN
                  : c.writev[i]            ? PTK_ARGDIR_OUT
                                           : PTK_ARGDIR_UNUSED;
  }
  free(c.readv);
  free(c.writev);
  free(c.roots);
  ptk_vec_free(&c.stores);
  ptk_vec_free(&c.snext);
  free(c.shead);
  pu_order_free(&c.ord);
}

/* Derived directions of a callee (memoized; recursion counts as INOUT). */
static const ptk_arg_dirs *derive(ad *g, ptk_func *f) {
  for (size_t i = 0; i < g->memos.len; i++) {
    memo *mm = &g->memos.data[i];
    if (mm->f != f) continue;
    if (mm->busy) return NULL;
    return &mm->dirs;
  }
  memo nm;
  memset(&nm, 0, sizeof nm);
  nm.f = f;
  nm.busy = true;
  ptk_vec_push(&g->memos, nm);
  size_t idx = g->memos.len - 1;
  ptk_arg_dirs tmp;
  derive_into(g, f, &tmp);
  memo *mm = &g->memos.data[idx]; /* the vector may have moved */
  mm->dirs = tmp;
  mm->busy = false;
  mm->done = true;
  return &mm->dirs;
}

void ptk_derive_arg_directions(ptk_func *f, ptk_arg_dirs *out) {
  memset(out, 0, sizeof *out);
  if (!f) return;
  if (!f->body) {
    out->n = f->nargs;
    out->dir = ptk_xcalloc(f->nargs + 1, sizeof *out->dir);
    out->read_at = ptk_xcalloc(f->nargs + 1, sizeof *out->read_at);
    out->write_at = ptk_xcalloc(f->nargs + 1, sizeof *out->write_at);
    for (uint32_t i = 0; i < f->nargs; i++)
      out->dir[i] = pointer_like(f->arg_types[i]) ? PTK_ARGDIR_INOUT : PTK_ARGDIR_NONE;
    return;
  }
  ad g;
  memset(&g, 0, sizeof g);
  derive_into(&g, f, out);
  for (size_t i = 0; i < g.memos.len; i++) ptk_arg_dirs_free(&g.memos.data[i].dirs);
  ptk_vec_free(&g.memos);
}

bool ptk_check_arg_directions(const ptk_arg_dirs *derived, const ptk_ast_dir *declared,
                              const ptk_range *ranges, const char *const *names, uint32_t n,
                              ptk_diags *d) {
  bool ok = true;
  for (uint32_t i = 0; i < n && i < derived->n; i++) {
    if (!declared || declared[i] == PTK_DIR_NONE) continue;
    ptk_arg_dir got = derived->dir[i];
    if (got == PTK_ARGDIR_NONE || got == PTK_ARGDIR_UNUSED) continue;
    bool rd = got == PTK_ARGDIR_IN || got == PTK_ARGDIR_INOUT;
    bool wr = got == PTK_ARGDIR_OUT || got == PTK_ARGDIR_INOUT;
    char nm[64];
    const char *name = names && names[i] ? names[i] : NULL;
    if (!name) {
      snprintf(nm, sizeof nm, "argument #%u", i);
      name = nm;
    }
    ptk_range r = ranges ? ranges[i] : ptk_range_none();
    switch (declared[i]) {
    case PTK_DIR_IN:
      if (wr) {
        ptk_error(d, r, "parameter '%s' is declared 'in', but the kernel writes it (derived: %s)",
                  name, ptk_arg_dir_name(got));
        ptk_note(d, derived->write_at[i], "'%s' is written here", name);
        ok = false;
      }
      break;
    case PTK_DIR_OUT:
      if (rd) {
        ptk_error(d, r,
                  "parameter '%s' is declared 'out', but the kernel reads its initial contents "
                  "(derived: %s)",
                  name, ptk_arg_dir_name(got));
        ptk_note(d, derived->read_at[i], "'%s' is read here", name);
        ok = false;
      }
      break;
    case PTK_DIR_INOUT:
      if (!rd || !wr) {
        ptk_error(d, r, "parameter '%s' is declared 'inout', but the kernel only %s it (derived: %s)",
                  name, rd ? "reads" : "writes", ptk_arg_dir_name(got));
        ptk_note(d, rd ? derived->read_at[i] : derived->write_at[i], "'%s' is %s here", name,
                 rd ? "read" : "written");
        ok = false;
      }
      break;
    default: break;
    }
  }
  return ok;
}
