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
 *    (read and write), VPTO DMA reads its gm source / writes its gm
 *    destination.
 * 3. Written first. A read does not count as reading the caller's data when
 *    every byte it reads was written before by the same block (a scratch
 *    buffer written, then read back, is `out`). This is proved by an ordered
 *    walk over the structured IR that carries a *must-written* state, a
 *    lower bound of what this block has certainly written at each point:
 *    - per argument, a set of byte intervals (relative to the argument's
 *      base), from a tstore / store_scalar whose footprint is exactly
 *      known: a chain argument -> addptr -> make_tensor_view ->
 *      partition_view with every offset, size and stride known, the layout
 *      known and (tstore) the source tile's valid shape static and never
 *      changed by set_validshape. The footprint replays the transfer
 *      mapping of runtime/isa/move.c (the tile's valid region clipped to
 *      the view; ND and DN).
 *    - the partition values (SSA) fully written by a tstore whose tile's
 *      static valid shape covers the whole partition (sizes known; offsets
 *      and strides may be dynamic): a later tload of the same value reads
 *      only those bytes. A value is dropped from this set whenever its
 *      defining op runs again (a loop's next iteration).
 *    Scalars (index/int) are evaluated with the engines' own semantic
 *    functions where their operands are known. Control flow:
 *    - scf.if with a known condition walks the taken branch; otherwise both
 *      branches start from the state before, and the state after is their
 *      intersection (a missing else is the state before);
 *    - scf.for with known bounds and a small trip count (budget below) is
 *      unrolled, the induction variable and iter_args bound per iteration;
 *      any other loop walks its body once with the induction variable and
 *      iter_args unknown, starting from the state before (the state only
 *      grows, so every later iteration has at least as much written); after
 *      it the state is the one before, or the body's when the trip count
 *      is known to be positive;
 *    - scf.while walks `before` once from the state before and `after` from
 *      the result of `before` (arguments unknown); after the loop: the
 *      state after `before`;
 *    - pto.section.cube / pto.section.vector (other cores) and unknown
 *      region ops: their writes are not credited outside them.
 *    A read whose footprint is not exactly known and not a fully written
 *    partition value counts as a read (kept `inout`). Calls, mscatter,
 *    tstore_fp, atomic stores, VPTO DMA and stores through pointers whose
 *    origin is not one argument never credit a write. Arguments are assumed
 *    not to alias each other for this purpose: a read through `a` of bytes
 *    written through `b` still counts as a read of `a`, which is the
 *    conservative side. */
#include <stdio.h>
#include <string.h>

#include "backend/lower.h"
#include "backend/passes/pass_util.h"
#include "runtime/isa/scalar.h"

typedef struct memo {
  ptk_func *f;
  ptk_arg_dirs dirs;
  bool busy, done;
} memo;

typedef struct ad {
  PTK_VEC(memo) memos; /* per function derived so far (calls) */
} ad;

/* ---- written-first state ---- */
typedef struct iv64 {
  int64_t lo, hi; /* bytes [lo, hi) */
} iv64;
typedef PTK_VEC(iv64) ivlist; /* sorted, disjoint, not touching */

typedef struct wstate {
  ivlist *arg;   /* [nargs]: bytes certainly written, relative to the argument */
  uint64_t *full; /* bitset by value uid: partition values fully written */
} wstate;

/* What the ordered walk knows about a value (by uid), recomputed each time
 * its definition is walked. */
enum { VI_UNK, VI_INT, VI_PTR, VI_VIEW };
#define VI_MAXRANK 5
typedef struct vinfo {
  uint8_t kind;
  uint8_t rank;
  int8_t layout;   /* VIEW: 0 nd, 1 dn, -1 unknown */
  bool base;       /* PTR/VIEW: i (byte offset from the argument) known */
  uint8_t shape_k, stride_k; /* VIEW: bit d set when shape[d] / stride[d] is known */
  int32_t arg;     /* PTR/VIEW: the argument it points into, -1 unknown */
  int32_t esz;     /* PTR/VIEW: element bytes */
  int64_t i;       /* INT: the value; PTR/VIEW: byte offset */
  int64_t shape[VI_MAXRANK], stride[VI_MAXRANK];
} vinfo;

typedef struct fctx {
  ad *g;
  ptk_func *f;
  uint32_t nargs, nw; /* words per bitset */
  uint64_t *roots;    /* [value uid][nw] */
  uint32_t nvals, fw; /* fw: words of a value bitset */
  bool changed;
  bool *readv, *writev;
  ptk_range *rat, *wat;
  /* the ordered walk */
  vinfo *vi;          /* [value uid] */
  pu_alias alias;
  bool *setvalid;     /* [alias root]: some tile of the class has set_validshape */
  uint64_t visits;    /* ops walked (bounds unrolling) */
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

static bool atomic_store(const ptk_op *op) {
  const ptk_attr *a = ptk_op_attr(op, "atomicType");
  return a && a->kind == PTK_ATTR_ENUM && strcmp(a->en.value, "atomic_add") == 0;
}

static const ptk_arg_dirs *derive(ad *g, ptk_func *f);

/* Accesses other than tload / tstore / load_scalar / store_scalar (those
 * are handled by the ordered walk below): marked, never credited. */
static void access_other(fctx *c, ptk_op *op) {
  uint32_t ni, no;
  ptk_value **ins = pu_ins(op, &ni), **outs = pu_outs(op, &no);
  switch (op->kind) {
  case PTK_OP_MGATHER:
  case PTK_OP_TPREFETCH:
    if (ni >= 1) mark(c, ins[0], true, false, op);
    break;
  case PTK_OP_TSTORE_FP:
  case PTK_OP_MSCATTER:
    if (no >= 1) mark(c, outs[0], atomic_store(op), true, op);
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
}

/* ---- byte interval sets ---- */

/* Sorts and merges (touching intervals too) in place. */
static int iv_cmp(const void *a, const void *b) {
  const iv64 *x = a, *y = b;
  return x->lo < y->lo ? -1 : x->lo > y->lo ? 1 : 0;
}
static void iv_norm(ivlist *l) {
  if (l->len < 2) return;
  qsort(l->data, l->len, sizeof *l->data, iv_cmp);
  size_t k = 0;
  for (size_t i = 1; i < l->len; i++) {
    if (l->data[i].lo <= l->data[k].hi) {
      if (l->data[i].hi > l->data[k].hi) l->data[k].hi = l->data[i].hi;
    } else {
      l->data[++k] = l->data[i];
    }
  }
  l->len = k + 1;
}

/* dst |= src (src normalized). A set that would grow past IV_MAX_STATE
 * intervals is left as it is: the state is a lower bound, so forgetting
 * writes is always sound. */
#define IV_MAX_STATE (1u << 18)
static bool iv_covers(const ivlist *have, const ivlist *need);
static void iv_add(ivlist *dst, const ivlist *src) {
  if (!src->len || dst->len + src->len > IV_MAX_STATE) return;
  if (!dst->len || src->data[0].lo > dst->data[dst->len - 1].hi) { /* all after: append */
    for (size_t i = 0; i < src->len; i++) ptk_vec_push(dst, src->data[i]);
    return;
  }
  if (iv_covers(dst, src)) return; /* written again */
  ivlist r = {0};
  r.cap = dst->len + src->len;
  r.data = ptk_xmalloc(r.cap * sizeof *r.data);
  size_t i = 0, j = 0;
  while (i < dst->len || j < src->len) { /* merge by lo, joining overlapping / touching ones */
    iv64 x = j >= src->len || (i < dst->len && dst->data[i].lo <= src->data[j].lo) ? dst->data[i++]
                                                                                   : src->data[j++];
    if (r.len && x.lo <= r.data[r.len - 1].hi) {
      if (x.hi > r.data[r.len - 1].hi) r.data[r.len - 1].hi = x.hi;
    } else {
      r.data[r.len++] = x;
    }
  }
  ptk_vec_free(dst);
  *dst = r;
}

/* Is every interval of `need` inside `have` (both normalized)? */
static bool iv_covers(const ivlist *have, const ivlist *need) {
  for (size_t i = 0; i < need->len; i++) {
    iv64 n = need->data[i];
    if (n.lo >= n.hi) continue;
    size_t lo = 0, hi = have->len; /* first interval with lo > n.lo */
    while (lo < hi) {
      size_t m = lo + (hi - lo) / 2;
      if (have->data[m].lo <= n.lo) lo = m + 1;
      else hi = m;
    }
    if (lo == 0 || have->data[lo - 1].hi < n.hi) return false;
  }
  return true;
}

/* a &= b */
static void iv_intersect(ivlist *a, const ivlist *b) {
  ivlist r = {0};
  size_t i = 0, j = 0;
  while (i < a->len && j < b->len) {
    int64_t lo = a->data[i].lo > b->data[j].lo ? a->data[i].lo : b->data[j].lo;
    int64_t hi = a->data[i].hi < b->data[j].hi ? a->data[i].hi : b->data[j].hi;
    if (lo < hi) ptk_vec_push(&r, ((iv64){lo, hi}));
    if (a->data[i].hi < b->data[j].hi) i++;
    else j++;
  }
  ptk_vec_free(a);
  *a = r;
}

/* ---- states ---- */

static void st_init(fctx *c, wstate *s) {
  s->arg = ptk_xcalloc(c->nargs + 1, sizeof *s->arg);
  s->full = ptk_xcalloc(c->fw, sizeof *s->full);
}
static void st_free(fctx *c, wstate *s) {
  for (uint32_t i = 0; i < c->nargs; i++) ptk_vec_free(&s->arg[i]);
  free(s->arg);
  free(s->full);
  memset(s, 0, sizeof *s);
}
static void st_copy(fctx *c, wstate *d, const wstate *s) {
  st_init(c, d);
  for (uint32_t i = 0; i < c->nargs; i++) c->visits += s->arg[i].len / 64; /* copies count too */
  for (uint32_t i = 0; i < c->nargs; i++)
    if (s->arg[i].len) {
      d->arg[i].data = ptk_xmalloc(s->arg[i].len * sizeof *s->arg[i].data);
      memcpy(d->arg[i].data, s->arg[i].data, s->arg[i].len * sizeof *s->arg[i].data);
      d->arg[i].len = d->arg[i].cap = s->arg[i].len;
    }
  memcpy(d->full, s->full, c->fw * sizeof *s->full);
}
/* d = s (s is consumed) */
static void st_move(fctx *c, wstate *d, wstate *s) {
  st_free(c, d);
  *d = *s;
  memset(s, 0, sizeof *s);
}
static void st_intersect(fctx *c, wstate *d, const wstate *s) {
  for (uint32_t i = 0; i < c->nargs; i++) iv_intersect(&d->arg[i], &s->arg[i]);
  for (uint32_t i = 0; i < c->fw; i++) d->full[i] &= s->full[i];
}
static bool full_has(fctx *c, const wstate *s, const ptk_value *v) {
  return v && v->uid < c->nvals && (s->full[v->uid / 64] >> (v->uid % 64) & 1);
}
static void full_set(fctx *c, wstate *s, const ptk_value *v, bool on) {
  if (!v || v->uid >= c->nvals) return;
  if (on) s->full[v->uid / 64] |= 1ull << (v->uid % 64);
  else s->full[v->uid / 64] &= ~(1ull << (v->uid % 64));
}

/* ---- value facts ---- */

static vinfo *VI(fctx *c, const ptk_value *v) { return v && v->uid < c->nvals ? &c->vi[v->uid] : NULL; }

/* (Re)defining v: nothing known yet, and a partition value it held is no
 * longer the one that was written. */
static void define(fctx *c, wstate *s, const ptk_value *v) {
  vinfo *x = VI(c, v);
  if (x) memset(x, 0, sizeof *x);
  full_set(c, s, v, false);
}

static bool known_int(fctx *c, const ptk_value *v, int64_t *out) {
  const vinfo *x = VI(c, v);
  if (x && x->kind == VI_INT) {
    *out = x->i;
    return true;
  }
  return pu_const_int(v, out);
}

static void set_int(fctx *c, const ptk_value *v, int64_t k) {
  vinfo *x = VI(c, v);
  if (!x) return;
  memset(x, 0, sizeof *x);
  x->kind = VI_INT;
  x->i = k;
}

static int32_t elem_bytes(const ptk_type *t) {
  ptk_dtype dt;
  return ptk_type_elem_dtype(t, &dt) ? (int32_t)ptk_dtype_bytes(dt) : 0;
}

/* Integer arith / cmpi / int casts through the engines' semantic functions. */
static void eval_scalar(fctx *c, const ptk_op *op) {
  if (op->nresults != 1 || !pu_int_bits(op->results[0].type)) return;
  if (op->kind == PTK_OP_ARITH_CONSTANT) {
    int64_t k;
    if (pu_const_int(&op->results[0], &k)) set_int(c, &op->results[0], k);
    return;
  }
  if (op->kind == PTK_OP_ARITH_SELECT) return; /* handled with pointers */
  ptk_op_family fam = ptk_op_table[op->kind].family;
  if (fam != PTK_FAM_ARITH && fam != PTK_FAM_ARITH_CMP && fam != PTK_FAM_ARITH_CAST) return;
  ptk_call r;
  if (!ptk_lower_call_quiet(op, &r) || r.nres != 1 || r.fl[0]) return;
  ptk_sc cell[PTK_CALL_MAXV];
  memset(cell, 0, sizeof cell);
  for (unsigned k = 1; k < r.nv; k++) {
    if (!r.v[k]) continue;
    int64_t x;
    if (r.fl[k] || !known_int(c, r.v[k], &x)) return;
    cell[k].i = ptk_sc_norm(x, r.width[k]);
  }
  switch (r.shape) {
  case PTK_CALL_IARITH:
    if (ptk_sc_iarith_poison(r.sub, cell[1].i, cell[2].i, r.width[0])) return;
    if (ptk_sc_iarith(r.sub, cell[1].i, cell[2].i, r.width[0], &cell[0].i)) return;
    break;
  case PTK_CALL_ICMP: cell[0].i = ptk_sc_icmp((int)r.attr[0], cell[1].i, cell[2].i, r.width[1]); break;
  case PTK_CALL_CAST:
    if (ptk_sc_cast_poison(r.sub, r.width[0], cell[1])) return;
    cell[0] = ptk_sc_cast(r.sub, r.dt[1], r.width[1], r.dt[0], r.width[0], cell[1]);
    break;
  default: return;
  }
  set_int(c, &op->results[0], cell[0].i);
}

/* Pointer and view facts (the chain argument -> addptr -> make_tensor_view
 * -> partition_view; arith.select with a known condition). */
static void eval_pointer(fctx *c, const ptk_op *op) {
  if (op->nresults != 1) return;
  vinfo *r = VI(c, &op->results[0]);
  if (!r) return;
  switch (op->kind) {
  case PTK_OP_ARITH_SELECT: {
    int64_t k;
    if (op->noperands != 3 || !known_int(c, op->operands[0], &k)) return;
    const vinfo *x = VI(c, op->operands[k & 1 ? 1 : 2]);
    if (x) *r = *x;
    return;
  }
  case PTK_OP_ADDPTR: {
    const vinfo *p = VI(c, op->operands[0]);
    int64_t k, e = elem_bytes(op->operands[0]->type), off;
    if (op->noperands != 2 || !p || p->kind != VI_PTR) return;
    *r = *p;
    if (!p->base || !known_int(c, op->operands[1], &k) || !e || __builtin_mul_overflow(k, e, &off) ||
        __builtin_add_overflow(p->i, off, &r->i))
      r->base = false;
    return;
  }
  case PTK_OP_MAKE_TENSOR_VIEW: {
    uint32_t np, ns, nst;
    ptk_value **p = ptk_op_segment(op, 0, &np), **sh = ptk_op_segment(op, 1, &ns),
              **st = ptk_op_segment(op, 2, &nst);
    const vinfo *pv = np == 1 ? VI(c, p[0]) : NULL;
    if (!pv || pv->kind != VI_PTR || ns != nst || ns < 1 || ns > VI_MAXRANK) return;
    int32_t e = elem_bytes(op->results[0].type);
    if (!e || e != pv->esz) return;
    r->kind = VI_VIEW;
    r->arg = pv->arg;
    r->base = pv->base;
    r->i = pv->i;
    r->esz = e;
    r->rank = (uint8_t)ns;
    r->layout = 0;
    const ptk_attr *la = ptk_op_attr(op, "layout");
    if (la) {
      int li = ptk_attr_enum_index(la, "layout");
      r->layout = li == 0 || li == 1 ? (int8_t)li : -1;
    }
    for (uint32_t d = 0; d < ns; d++) {
      if (known_int(c, sh[d], &r->shape[d]) && r->shape[d] >= 0) r->shape_k |= (uint8_t)(1u << d);
      if (known_int(c, st[d], &r->stride[d])) r->stride_k |= (uint8_t)(1u << d);
    }
    return;
  }
  case PTK_OP_PARTITION_VIEW: {
    uint32_t ns, no, nz;
    ptk_value **s = ptk_op_segment(op, 0, &ns), **o = ptk_op_segment(op, 1, &no),
              **z = ptk_op_segment(op, 2, &nz);
    const vinfo *sv = ns == 1 ? VI(c, s[0]) : NULL;
    if (!sv || sv->kind != VI_VIEW || no != sv->rank || nz != sv->rank) return;
    *r = *sv;
    r->shape_k = 0;
    for (uint32_t d = 0; d < sv->rank; d++) {
      int64_t off, sz, t;
      if (r->base && known_int(c, o[d], &off) && (sv->stride_k >> d & 1) &&
          !__builtin_mul_overflow(off, sv->stride[d], &t) && !__builtin_mul_overflow(t, (int64_t)sv->esz, &t) &&
          !__builtin_add_overflow(r->i, t, &r->i)) {
      } else {
        r->base = false;
      }
      if (known_int(c, z[d], &sz) && sz >= 0) {
        r->shape[d] = sz;
        r->shape_k |= (uint8_t)(1u << d);
      }
    }
    return;
  }
  default: return;
  }
}

/* The transfer mapping of runtime/isa/move.c (gmap): rows x cols of the
 * view, and the element offset of (r, c). */
typedef struct gmapx {
  int n;
  bool dn;
  const int64_t *shape, *stride;
  int64_t rows, cols;
} gmapx;

static bool gmap_of(const vinfo *v, gmapx *g) {
  if (v->kind != VI_VIEW || v->layout < 0 || v->rank < 1) return false;
  uint8_t all = (uint8_t)((1u << v->rank) - 1);
  if ((v->shape_k & all) != all) return false;
  g->n = v->rank;
  g->shape = v->shape;
  g->stride = v->stride;
  g->dn = v->layout == 1 && v->rank >= 3;
  int64_t prod = 1;
  if (g->n == 1) {
    g->rows = 1;
    g->cols = v->shape[0];
  } else if (!g->dn) {
    for (int d = 0; d < g->n - 1; d++)
      if (__builtin_mul_overflow(prod, v->shape[d], &prod)) return false;
    g->rows = prod;
    g->cols = v->shape[g->n - 1];
  } else {
    g->rows = v->shape[g->n - 2];
    prod = v->shape[g->n - 1];
    for (int d = 0; d < g->n - 2; d++)
      if (__builtin_mul_overflow(prod, v->shape[d], &prod)) return false;
    g->cols = prod;
  }
  return true;
}
static int64_t split_offx(const gmapx *g, int64_t idx, int lo, int hi) {
  int64_t off = 0;
  for (int d = hi - 1; d >= lo; d--) {
    int64_t s = g->shape[d] > 0 ? g->shape[d] : 1;
    off += (idx % s) * g->stride[d];
    idx /= s;
  }
  return off;
}
static int64_t row_offx(const gmapx *g, int64_t r) {
  if (g->n == 1) return 0;
  if (g->n == 2) return r * g->stride[0];
  if (!g->dn) return split_offx(g, r, 0, g->n - 1);
  return r * g->stride[g->n - 2];
}
static int64_t col_offx(const gmapx *g, int64_t col) {
  int n = g->n;
  if (!g->dn) return col * g->stride[n - 1];
  int64_t in = g->shape[n - 1] > 0 ? g->shape[n - 1] : 1;
  return (col % in) * g->stride[n - 1] + split_offx(g, col / in, 0, n - 2);
}

/* The tile's valid shape when it is static and never changed at run time. */
static bool static_valid(fctx *c, const ptk_value *tile, int64_t *vr, int64_t *vc) {
  const ptk_tile_desc *t = pu_tile(tile);
  if (!t || t->v_row == PTK_DYN || t->v_col == PTK_DYN || tile->uid >= c->nvals) return false;
  if (c->setvalid[pu_alias_find(&c->alias, tile->uid)]) return false;
  *vr = t->v_row;
  *vc = t->v_col;
  return true;
}

#define FP_MAX_INTERVALS 65536

/* The bytes (relative to the argument *arg) a tload / tstore of `tile`
 * through view `view` moves. Writes need the exact set (the tile's valid
 * shape static); reads may take the whole view (a superset). */
static bool transfer_footprint(fctx *c, const ptk_value *view, const ptk_value *tile, bool write,
                               ivlist *out, int32_t *arg) {
  const vinfo *v = VI(c, view);
  gmapx g;
  if (!v || v->kind != VI_VIEW || v->arg < 0 || !v->base || v->esz <= 0 || !gmap_of(v, &g)) return false;
  uint8_t all = (uint8_t)((1u << v->rank) - 1);
  if ((v->stride_k & all) != all) return false;
  int64_t rows = g.rows, cols = g.cols, vr, vc;
  if (static_valid(c, tile, &vr, &vc)) {
    if (vr < rows) rows = vr;
    if (vc < cols) cols = vc;
  } else if (write) {
    return false;
  }
  if (rows > INT32_MAX) rows = INT32_MAX; /* the engines clip to int32 too */
  if (cols > INT32_MAX) cols = INT32_MAX;
  *arg = v->arg;
  if (rows <= 0 || cols <= 0) return true; /* nothing moves */
  /* element offsets stay small enough: every stride and shape is bounded */
  for (int d = 0; d < g.n; d++)
    if (g.stride[d] > (1ll << 31) || g.stride[d] < -(1ll << 31) || g.shape[d] > (1ll << 31)) return false;
  bool contiguous = !g.dn && g.stride[g.n - 1] == 1;
  int64_t count = contiguous ? rows : rows * cols;
  if (count > FP_MAX_INTERVALS) return false;
  for (int64_t r = 0; r < rows; r++) {
    int64_t ro = row_offx(&g, r);
    if (contiguous) {
      ptk_vec_push(out, ((iv64){v->i + ro * v->esz, v->i + (ro + cols) * v->esz}));
      continue;
    }
    for (int64_t k = 0; k < cols; k++) {
      int64_t e = ro + col_offx(&g, k);
      ptk_vec_push(out, ((iv64){v->i + e * v->esz, v->i + (e + 1) * v->esz}));
    }
  }
  iv_norm(out);
  c->visits += (uint64_t)count / 16; /* footprints count against the walk's budget */
  return true;
}

/* A tstore through `view` of `tile` writes the whole partition (its static
 * valid shape covers the view's rows x cols). */
static bool writes_whole_view(fctx *c, const ptk_value *view, const ptk_value *tile) {
  const vinfo *v = VI(c, view);
  gmapx g;
  int64_t vr, vc;
  return v && v->kind == VI_VIEW && gmap_of(v, &g) && static_valid(c, tile, &vr, &vc) && vr >= g.rows &&
         vc >= g.cols;
}

/* load_scalar / store_scalar (ptr, index[, value]): the element's bytes. */
static bool scalar_footprint(fctx *c, const ptk_op *op, ivlist *out, int32_t *arg) {
  const vinfo *p = VI(c, op->operands[0]);
  int64_t k, off, lo;
  if (!p || p->kind != VI_PTR || p->arg < 0 || !p->base || p->esz <= 0 ||
      !known_int(c, op->operands[1], &k) || __builtin_mul_overflow(k, (int64_t)p->esz, &off) ||
      __builtin_add_overflow(p->i, off, &lo))
    return false;
  *arg = p->arg;
  ptk_vec_push(out, ((iv64){lo, lo + p->esz}));
  return true;
}

/* ---- the ordered walk ---- */

#define WALK_BUDGET (1u << 18) /* op visits per function, unrolled iterations included */
#define MAX_TRIPS 4096

static void walk_region(fctx *c, ptk_region *r, wstate *s);

static bool count_op(ptk_op *op, void *p) {
  (void)op;
  (*(uint64_t *)p)++;
  return true;
}

static void read_access(fctx *c, wstate *s, ptk_op *op, const ptk_value *v, bool ok, int32_t arg,
                        const ivlist *fp) {
  if (ok && arg >= 0 && (uint32_t)arg < c->nargs && iv_covers(&s->arg[arg], fp)) return;
  mark(c, v, true, false, op);
}

static void walk_transfer(fctx *c, ptk_op *op, wstate *s) {
  uint32_t ni, no;
  ptk_value **ins = pu_ins(op, &ni), **outs = pu_outs(op, &no);
  ivlist fp = {0};
  int32_t arg = -1;
  if (op->kind == PTK_OP_TLOAD) {
    if (ni < 1) return;
    if (full_has(c, s, ins[0])) return; /* a fully written partition value */
    bool ok = no >= 1 && transfer_footprint(c, ins[0], outs[0], false, &fp, &arg);
    read_access(c, s, op, ins[0], ok, arg, &fp);
  } else { /* TSTORE */
    if (no < 1) return;
    if (atomic_store(op)) { /* reads and writes; never credited */
      bool ok = ni >= 1 && transfer_footprint(c, outs[0], ins[0], false, &fp, &arg);
      if (!full_has(c, s, outs[0])) read_access(c, s, op, outs[0], ok, arg, &fp);
      mark(c, outs[0], false, true, op);
    } else {
      mark(c, outs[0], false, true, op);
      if (ni >= 1 && transfer_footprint(c, outs[0], ins[0], true, &fp, &arg) && arg >= 0 &&
          (uint32_t)arg < c->nargs)
        iv_add(&s->arg[arg], &fp);
      if (ni >= 1 && writes_whole_view(c, outs[0], ins[0])) full_set(c, s, outs[0], true);
    }
  }
  ptk_vec_free(&fp);
}

static void walk_scalar_mem(fctx *c, ptk_op *op, wstate *s) {
  bool load = op->kind == PTK_OP_LOAD_SCALAR;
  if (op->noperands < 2) return;
  ivlist fp = {0};
  int32_t arg = -1;
  bool ok = scalar_footprint(c, op, &fp, &arg);
  if (load) {
    read_access(c, s, op, op->operands[0], ok, arg, &fp);
  } else {
    mark(c, op->operands[0], false, true, op);
    if (ok && arg >= 0 && (uint32_t)arg < c->nargs) iv_add(&s->arg[arg], &fp);
  }
  ptk_vec_free(&fp);
}

static void block_args_unknown(fctx *c, ptk_block *b, wstate *s) {
  for (uint32_t i = 0; b && i < b->nargs; i++) define(c, s, b->args[i]);
}

/* Copies facts of `from` (yield operands) to `to` (values) through a
 * temporary, since they may overlap. */
static void copy_facts(fctx *c, wstate *s, ptk_value *const *to, uint32_t nto, ptk_value *const *from,
                       uint32_t nfrom) {
  uint32_t n = nto < nfrom ? nto : nfrom;
  vinfo *tmp = ptk_xcalloc(n + 1, sizeof *tmp);
  for (uint32_t i = 0; i < n; i++) {
    const vinfo *x = VI(c, from[i]);
    if (x) tmp[i] = *x;
    else {
      int64_t k;
      if (pu_const_int(from[i], &k)) {
        tmp[i].kind = VI_INT;
        tmp[i].i = k;
      }
    }
  }
  for (uint32_t i = 0; i < nto; i++) {
    define(c, s, to[i]);
    vinfo *x = VI(c, to[i]);
    if (x && i < n) *x = tmp[i];
  }
  free(tmp);
}

static void walk_for(fctx *c, ptk_op *op, wstate *s) {
  ptk_block *body = op->regions[0].first;
  if (!body || op->regions[0].first != op->regions[0].last) {
    wstate t;
    st_copy(c, &t, s);
    for (ptk_block *b = op->regions[0].first; b; b = b->next) {
      block_args_unknown(c, b, &t);
      walk_region(c, &op->regions[0], &t);
    }
    st_free(c, &t);
    return;
  }
  uint32_t ninit = op->noperands >= 3 ? op->noperands - 3 : 0;
  int64_t lb, ub, step;
  bool bounds = op->noperands >= 3 && known_int(c, op->operands[0], &lb) &&
                known_int(c, op->operands[1], &ub) && known_int(c, op->operands[2], &step) && step > 0;
  uint64_t trips = 0;
  if (bounds && lb < ub) {
    uint64_t span = (uint64_t)ub - (uint64_t)lb;
    trips = (span + (uint64_t)step - 1) / (uint64_t)step;
  }
  uint64_t size = 0;
  ptk_walk_region(&op->regions[0], count_op, &size);
  ptk_op *y = block_term(body);
  bool yields = y && y->kind == PTK_OP_SCF_YIELD;
  if (bounds && trips <= MAX_TRIPS && trips * (size + 1) + c->visits <= WALK_BUDGET) {
    /* unrolled: iv and iter_args bound per iteration */
    copy_facts(c, s, body->args + (body->nargs ? 1 : 0), body->nargs ? body->nargs - 1 : 0,
               op->operands + 3, ninit);
    int64_t iv = lb;
    for (uint64_t k = 0; k < trips; k++, iv += step) {
      if (body->nargs) {
        define(c, s, body->args[0]);
        set_int(c, body->args[0], iv);
      }
      walk_region(c, &op->regions[0], s);
      if (yields && body->nargs && k + 1 < trips)
        copy_facts(c, s, body->args + 1, body->nargs - 1, y->operands, y->noperands);
    }
    ptk_value **res = ptk_xcalloc(op->nresults + 1, sizeof *res);
    for (uint32_t i = 0; i < op->nresults; i++) res[i] = &op->results[i];
    if (trips == 0) copy_facts(c, s, res, op->nresults, op->operands + 3, ninit);
    else if (yields) copy_facts(c, s, res, op->nresults, y->operands, y->noperands);
    free(res);
    return;
  }
  /* once, with the induction variable and iter_args unknown */
  wstate t;
  st_copy(c, &t, s);
  block_args_unknown(c, body, &t);
  walk_region(c, &op->regions[0], &t);
  if (bounds && trips > 0) st_move(c, s, &t);
  else st_free(c, &t);
}

static void walk_if(fctx *c, ptk_op *op, wstate *s) {
  int64_t k;
  ptk_region *taken = NULL;
  bool known = op->noperands >= 1 && known_int(c, op->operands[0], &k);
  if (known) {
    if (k & 1) taken = op->nregions > 0 ? &op->regions[0] : NULL;
    else taken = op->nregions > 1 ? &op->regions[1] : NULL;
    if (taken && taken->first) {
      walk_region(c, taken, s);
      ptk_op *y = block_term(taken->last);
      if (y && y->kind == PTK_OP_SCF_YIELD) {
        ptk_value **res = ptk_xcalloc(op->nresults + 1, sizeof *res);
        for (uint32_t i = 0; i < op->nresults; i++) res[i] = &op->results[i];
        copy_facts(c, s, res, op->nresults, y->operands, y->noperands);
        free(res);
      }
    }
    return;
  }
  wstate merged;
  memset(&merged, 0, sizeof merged);
  bool first = true;
  for (uint32_t r = 0; r < 2; r++) {
    wstate t;
    st_copy(c, &t, s);
    if (r < op->nregions && op->regions[r].first) walk_region(c, &op->regions[r], &t);
    if (first) {
      merged = t;
      first = false;
    } else {
      st_intersect(c, &merged, &t);
      st_free(c, &t);
    }
  }
  st_move(c, s, &merged);
}

static void walk_while(fctx *c, ptk_op *op, wstate *s) {
  ptk_region *before = op->nregions > 0 ? &op->regions[0] : NULL;
  ptk_region *after = op->nregions > 1 ? &op->regions[1] : NULL;
  if (before && before->first) {
    block_args_unknown(c, before->first, s);
    walk_region(c, before, s);
  }
  if (after && after->first) {
    wstate t;
    st_copy(c, &t, s);
    block_args_unknown(c, after->first, &t);
    walk_region(c, after, &t);
    st_free(c, &t);
  }
}

static void walk_op(fctx *c, ptk_op *op, wstate *s) {
  c->visits++;
  for (uint32_t i = 0; i < op->nresults; i++) define(c, s, &op->results[i]);
  switch (op->kind) {
  case PTK_OP_TLOAD:
  case PTK_OP_TSTORE: walk_transfer(c, op, s); return;
  case PTK_OP_LOAD_SCALAR:
  case PTK_OP_STORE_SCALAR: walk_scalar_mem(c, op, s); return;
  case PTK_OP_SCF_FOR: walk_for(c, op, s); return;
  case PTK_OP_SCF_IF: walk_if(c, op, s); return;
  case PTK_OP_SCF_WHILE: walk_while(c, op, s); return;
  case PTK_OP_VECSCOPE: /* the same core, in order */
    for (uint32_t i = 0; i < op->nregions; i++) walk_region(c, &op->regions[i], s);
    return;
  default: break;
  }
  eval_scalar(c, op);
  eval_pointer(c, op);
  access_other(c, op);
  /* other region ops (sections run on other cores): not credited after */
  for (uint32_t i = 0; i < op->nregions; i++) {
    wstate t;
    st_copy(c, &t, s);
    for (ptk_block *b = op->regions[i].first; b; b = b->next) block_args_unknown(c, b, &t);
    walk_region(c, &op->regions[i], &t);
    st_free(c, &t);
  }
}

static void walk_block(fctx *c, ptk_block *b, wstate *s) {
  for (ptk_op *op = b->first; op; op = op->next) walk_op(c, op, s);
}

static void walk_region(fctx *c, ptk_region *r, wstate *s) {
  if (!r->first) return;
  if (r->first == r->last) {
    walk_block(c, r->first, s);
    return;
  }
  /* several blocks (unstructured): each from the entry state, not credited */
  for (ptk_block *b = r->first; b; b = b->next) {
    wstate t;
    st_copy(c, &t, s);
    if (b != r->first) block_args_unknown(c, b, &t);
    walk_block(c, b, &t);
    st_free(c, &t);
  }
}

static bool note_setvalid(ptk_op *op, void *p) {
  fctx *c = p;
  if (op->kind == PTK_OP_SET_VALIDSHAPE && op->noperands >= 1 && op->operands[0]->uid < c->nvals)
    c->setvalid[pu_alias_find(&c->alias, op->operands[0]->uid)] = true;
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
  c.readv = ptk_xcalloc(c.nargs + 1, sizeof *c.readv);
  c.writev = ptk_xcalloc(c.nargs + 1, sizeof *c.writev);
  c.rat = ptk_xcalloc(c.nargs + 1, sizeof *c.rat);
  c.wat = ptk_xcalloc(c.nargs + 1, sizeof *c.wat);
  c.fw = (c.nvals + 64) / 64;
  c.vi = ptk_xcalloc(c.nvals + 1, sizeof *c.vi);
  pu_alias_build(&c.alias, f);
  c.setvalid = ptk_xcalloc(c.nvals + 1, sizeof *c.setvalid);
  ptk_walk_func(f, note_setvalid, &c);
  wstate s;
  st_init(&c, &s);
  for (uint32_t i = 0; i < f->nargs; i++) {
    ptk_value *a = ptk_func_arg(f, i);
    vinfo *x = VI(&c, a);
    if (!x || !a->type || a->type->kind != PTK_TY_PTR) continue;
    x->kind = VI_PTR;
    x->arg = (int32_t)i;
    x->base = true;
    x->esz = elem_bytes(a->type);
  }
  walk_region(&c, f->body, &s);
  st_free(&c, &s);
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
  free(c.vi);
  free(c.setvalid);
  pu_alias_free(&c.alias);
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
  /* a mixed kernel's halves run together on the same arguments (runtime/mix.c):
   * an argument is read (written) when either half reads (writes) it */
  const ptk_func *peer = ptk_lower_mixed_peer(f);
  if (peer && peer->nargs == f->nargs) {
    ptk_arg_dirs pd;
    derive_into(&g, (ptk_func *)peer, &pd);
    for (uint32_t i = 0; i < out->n && i < pd.n; i++) {
      ptk_arg_dir a = out->dir[i], b = pd.dir[i];
      if (a == PTK_ARGDIR_NONE || b == PTK_ARGDIR_NONE || b == PTK_ARGDIR_UNUSED || a == b) continue;
      bool rd = a == PTK_ARGDIR_IN || a == PTK_ARGDIR_INOUT || b == PTK_ARGDIR_IN || b == PTK_ARGDIR_INOUT;
      bool wr = a == PTK_ARGDIR_OUT || a == PTK_ARGDIR_INOUT || b == PTK_ARGDIR_OUT || b == PTK_ARGDIR_INOUT;
      out->dir[i] = rd && wr ? PTK_ARGDIR_INOUT : rd ? PTK_ARGDIR_IN : PTK_ARGDIR_OUT;
      if (!out->read_at[i].begin.src) out->read_at[i] = pd.read_at[i];
      if (!out->write_at[i].begin.src) out->write_at[i] = pd.write_at[i];
    }
    ptk_arg_dirs_free(&pd);
  }
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
