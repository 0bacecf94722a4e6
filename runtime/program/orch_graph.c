/* The static-graph pass over the orchestration IR (orch_ir.h): an abstract
 * run of the program function that knows what the IR fixes (constants,
 * static shapes, loop bounds) and nothing else, recording one node per
 * launch it reaches, then the edges the scheduler would build and the
 * hazards only program order covers.
 *
 * Loops are looked at for two consecutive iterations, i and i + 1: with
 * known bounds the first two (fewer when the loop runs fewer times); with
 * bounds known only at run time two iterations of an unknown induction
 * variable, the second one starting from the values the first yields (so a
 * tensor swapped between iterations is seen in both roles). What this
 * cannot see: a byte span that depends on a value known only at run time
 * (an offset computed from the induction variable of such a loop, a
 * dynamic dimension, a scalar read out of a tensor) is taken to overlap
 * everything in its buffer for the edges and is never reported as a
 * hazard; iterations further apart than one (i and i + 2) are not paired;
 * the values after a loop are those of the last iteration looked at. */
#include <stdlib.h>
#include <string.h>

#include "backend/lower.h"
#include "runtime/isa/scalar.h"
#include "runtime/program/orch_ir.h"

#define MAX_NODES 4096

typedef enum { A_UNK, A_INT, A_TENSOR, A_TASK } akind;

typedef struct aval {
  akind k;
  bool known; /* A_INT */
  int64_t i;
  int buf;    /* A_TENSOR */
  int rank;
  int64_t shape[PTK_TENSOR_MAX_RANK], strides[PTK_TENSOR_MAX_RANK];
  int64_t off;                /* elements, -1 unknown */
  const ptk_op *nodep;        /* the ptk.no_dep hiding it, or NULL */
  int64_t node;               /* A_TASK: its node, -1 unknown */
} aval;

typedef struct abuf {
  const char *name;
  ptk_tdtype dt;
  bool readonly;
  const ptk_func *f;
  uint32_t arg; /* parameters: the argument */
  bool param;
} abuf;

typedef struct aacc {
  int buf;
  int64_t lo, hi; /* bytes */
  bool known;
  uint8_t mode;   /* 1 read, 2 write */
  const ptk_op *nodep;
  const char *param;
} aacc;

typedef struct anode {
  size_t acc0, nacc, dep0, ndeps, path0, npath;
} anode;

typedef struct gctx {
  ptk_orch_abi_fn abi;
  void *arg;
  ptk_diags *d;
  aval *vals; /* by value uid */
  PTK_VEC(abuf) bufs;
  PTK_VEC(ptk_orch_node) nodes;
  PTK_VEC(anode) an;
  PTK_VEC(aacc) accs;
  PTK_VEC(int64_t) deps;
  PTK_VEC(uint64_t) paths;
  PTK_VEC(uint64_t) arms;
  uint32_t ifs;
  int iter;
  bool complete;
} gctx;

static aval unk(void) { return (aval){.k = A_UNK}; }
static aval kint(int64_t i) { return (aval){.k = A_INT, .known = true, .i = i}; }
static aval *V(gctx *g, const ptk_value *v) { return &g->vals[v->uid]; }

static aval tensor_val(gctx *g, int buf, const ptk_type *t) {
  aval a = {.k = A_TENSOR, .buf = buf, .off = 0};
  ptk_tdtype dt;
  int64_t dims[PTK_TENSOR_MAX_RANK];
  if (!ptk_orch_tensor_of(t, &dt, &a.rank, dims)) return unk();
  int64_t st = 1;
  bool known = true;
  for (int i = a.rank; i-- > 0;) {
    a.shape[i] = dims[i];
    a.strides[i] = known ? st : -1;
    if (dims[i] < 0)
      known = false;
    else
      st *= dims[i];
  }
  (void)g;
  return a;
}

static bool span(gctx *g, const aval *v, int64_t *lo, int64_t *hi) {
  if (v->off < 0) return false;
  int64_t last = v->off;
  bool empty = false;
  for (int i = 0; i < v->rank; i++) {
    if (v->shape[i] < 0 || v->strides[i] < 0) return false;
    if (v->shape[i] == 0)
      empty = true;
    else
      last += (v->shape[i] - 1) * v->strides[i];
  }
  int64_t esz = (int64_t)ptk_tdtype_size(g->bufs.data[v->buf].dt);
  *lo = v->off * esz;
  *hi = empty ? *lo : (last + 1) * esz;
  return true;
}

/* An integer op on known values, by the op's own semantic function
 * (runtime/isa/scalar.h through the shared lowering); false: unknown. */
static bool int_op(const ptk_op *op, int64_t x, int64_t y, int64_t *r) {
  ptk_call k;
  return ptk_lower_call_quiet(op, &k) && k.shape == PTK_CALL_IARITH &&
         ptk_sc_iarith(k.sub, x, y, k.width[0], r) == 0;
}

static void walk_block(gctx *g, const ptk_block *b);

static void launch(gctx *g, const ptk_op *op) {
  if (g->nodes.len >= MAX_NODES) {
    g->complete = false;
    return;
  }
  const ptk_attr *ka = ptk_op_attr(op, "kernel");
  const char *kname = ka && ka->kind == PTK_ATTR_STRING ? ka->str.s : "?";
  const ptk_abi *abi = g->abi ? g->abi(g->arg, kname) : NULL;
  anode n = {g->accs.len, 0, g->deps.len, 0, g->paths.len, 0};
  uint32_t narg = 0;
  for (uint32_t i = 1; i < op->noperands; i++) {
    const aval *v = V(g, op->operands[i]);
    if (ptk_orch_is_task(op->operands[i]->type)) {
      if (v->k == A_TASK && v->node >= 0) ptk_vec_push(&g->deps, v->node);
      continue;
    }
    uint32_t pos = narg++;
    if (v->k != A_TENSOR) continue;
    const ptk_abi_param *p = abi && pos < abi->nparams ? &abi->params[pos] : NULL;
    uint8_t mode = !p ? 3 : p->dir == PTK_ARGDIR_IN ? 1 : p->dir == PTK_ARGDIR_OUT ? 2 : p->dir == PTK_ARGDIR_INOUT ? 3 : 0;
    if (!mode) continue;
    aacc a = {v->buf, 0, 0, false, mode, v->nodep, p ? p->name : "?"};
    a.known = span(g, v, &a.lo, &a.hi);
    if (a.known && a.hi <= a.lo) continue;
    const abuf *b = &g->bufs.data[v->buf];
    if ((mode & 2) && b->readonly && g->iter == 0)
      ptk_warning(g->d, ptk_op_range(op),
                  "this launch of '%s' writes program input '%s' (parameter '%s' is %s): an 'in' tensor is never "
                  "written", kname, b->name, a.param, mode == 2 ? "out" : "inout");
    ptk_vec_push(&g->accs, a);
  }
  n.nacc = g->accs.len - n.acc0;
  n.ndeps = g->deps.len - n.dep0;
  for (size_t i = 0; i < g->arms.len; i++) ptk_vec_push(&g->paths, g->arms.data[i]);
  n.npath = g->arms.len;
  ptk_vec_push(&g->an, n);
  ptk_orch_node nd = {op, kname, g->iter};
  ptk_vec_push(&g->nodes, nd);
  *V(g, &op->results[0]) = (aval){.k = A_TASK, .node = (int64_t)g->nodes.len - 1};
}

/* Walks one iteration / arm: binds the block's arguments first. */
static void walk_region_block(gctx *g, const ptk_block *b, const aval *args, uint32_t nargs) {
  for (uint32_t i = 0; i < b->nargs && i < nargs; i++) *V(g, b->args[i]) = args[i];
  walk_block(g, b);
}

static const ptk_op *yield_of(const ptk_block *b) {
  return b && b->last && b->last->kind == PTK_OP_SCF_YIELD ? b->last : NULL;
}

static void walk_op(gctx *g, const ptk_op *op) {
  aval *r = op->nresults ? V(g, &op->results[0]) : NULL;
  switch (op->kind) {
  case PTK_OP_ARITH_CONSTANT: {
    int64_t x;
    const ptk_attr *a = ptk_op_attr(op, "value");
    *r = a && a->kind != PTK_ATTR_FLOAT && ptk_attr_get_int(a, &x) ? kint(x) : unk();
    return;
  }
  case PTK_OP_ARITH_CMPI: {
    const aval *x = V(g, op->operands[0]), *y = V(g, op->operands[1]);
    int64_t pred = 0;
    ptk_attr_get_int(ptk_op_attr(op, "predicate"), &pred);
    *r = x->known && y->known ? kint(ptk_sc_icmp((int)pred, x->i, y->i, 64)) : unk();
    return;
  }
  case PTK_OP_ARITH_SELECT: {
    const aval *cnd = V(g, op->operands[0]);
    *r = cnd->known ? *V(g, op->operands[cnd->i ? 1 : 2]) : unk();
    return;
  }
  case PTK_OP_ARITH_EXTUI:
  case PTK_OP_ARITH_EXTSI:
    *r = *V(g, op->operands[0]);
    return;
  case PTK_OP_PTK_DIM: {
    const aval *t = V(g, op->operands[0]);
    int64_t k = 0;
    ptk_attr_get_int(ptk_op_attr(op, "dim"), &k);
    *r = t->k == A_TENSOR && k >= 0 && k < t->rank && t->shape[k] >= 0 ? kint(t->shape[k]) : unk();
    return;
  }
  case PTK_OP_PTK_ALLOC_TENSOR: {
    const ptk_attr *na = ptk_op_attr(op, "name");
    abuf b = {na && na->kind == PTK_ATTR_STRING ? na->str.s : "alloc_tensor", PTK_TD_F32, false, NULL, 0, false};
    int rank;
    int64_t dims[PTK_TENSOR_MAX_RANK];
    ptk_orch_tensor_of(op->results[0].type, &b.dt, &rank, dims);
    ptk_vec_push(&g->bufs, b);
    *r = tensor_val(g, (int)g->bufs.len - 1, op->results[0].type);
    /* dynamic dimensions given by known operands */
    uint32_t k = 0;
    for (int i = 0; i < r->rank && r->k == A_TENSOR; i++)
      if (r->shape[i] < 0 && k < op->noperands) {
        const aval *x = V(g, op->operands[k++]);
        if (x->known) r->shape[i] = x->i;
      }
    int64_t st = 1;
    for (int i = r->rank; i-- > 0;) {
      r->strides[i] = st >= 0 ? st : -1;
      st = st < 0 || r->shape[i] < 0 ? -1 : st * r->shape[i];
    }
    return;
  }
  case PTK_OP_PTK_SLICE: {
    const aval *s = V(g, op->operands[0]);
    if (s->k != A_TENSOR) {
      *r = unk();
      return;
    }
    aval v = *s;
    for (int i = 0; i < s->rank; i++) {
      const aval *o = V(g, op->operands[1 + i]), *z = V(g, op->operands[1 + s->rank + i]);
      v.shape[i] = z->known ? z->i : -1;
      if (!o->known || s->strides[i] < 0 || v.off < 0)
        v.off = -1;
      else
        v.off += o->i * s->strides[i];
    }
    *r = v;
    return;
  }
  case PTK_OP_PTK_NO_DEP:
    *r = *V(g, op->operands[0]);
    if (r->k == A_TENSOR) r->nodep = op;
    return;
  case PTK_OP_PTK_LAUNCH: launch(g, op); return;
  case PTK_OP_SCF_FOR: {
    const aval *lb = V(g, op->operands[0]), *ub = V(g, op->operands[1]), *st = V(g, op->operands[2]);
    uint32_t n = op->nresults;
    aval *args = calloc(n + 2, sizeof *args);
    for (uint32_t i = 0; i < n; i++) args[1 + i] = *V(g, op->operands[3 + i]);
    int64_t trips = 2;
    bool known = lb->known && ub->known && st->known && st->i != 0;
    if (known) {
      __int128 span128 = (__int128)ub->i - lb->i;
      __int128 t = st->i > 0 ? (span128 <= 0 ? 0 : (span128 + st->i - 1) / st->i)
                             : (span128 >= 0 ? 0 : (span128 + st->i + 1) / st->i);
      trips = t < 2 ? (int64_t)t : 2;
    }
    const ptk_block *body = op->regions[0].first;
    int outer = g->iter;
    for (int64_t it = 0; it < trips && body; it++) {
      args[0] = known ? kint((int64_t)((uint64_t)lb->i + (uint64_t)it * (uint64_t)st->i)) : unk();
      g->iter = outer || (int)it;
      walk_region_block(g, body, args, n + 1);
      const ptk_op *y = yield_of(body);
      for (uint32_t i = 0; y && i < n && i < y->noperands; i++) args[1 + i] = *V(g, y->operands[i]);
    }
    g->iter = outer;
    for (uint32_t i = 0; i < n; i++) {
      aval a = args[1 + i];
      if (!known && a.k == A_INT) a = unk();
      *V(g, &op->results[i]) = a;
    }
    free(args);
    return;
  }
  case PTK_OP_SCF_IF: {
    const aval *cnd = V(g, op->operands[0]);
    if (cnd->known) {
      const ptk_block *b = op->regions[cnd->i ? 0 : 1].first;
      if (b) walk_block(g, b);
      const ptk_op *y = yield_of(b);
      for (uint32_t i = 0; i < op->nresults; i++) *V(g, &op->results[i]) = y ? *V(g, y->operands[i]) : unk();
      return;
    }
    uint32_t inst = ++g->ifs;
    aval *then_vals = calloc(op->nresults + 1, sizeof *then_vals);
    for (int side = 0; side < 2; side++) {
      const ptk_block *b = op->regions[side].first;
      ptk_vec_push(&g->arms, ((uint64_t)inst << 32) | (uint32_t)side);
      if (b) walk_block(g, b);
      g->arms.len--;
      const ptk_op *y = yield_of(b);
      for (uint32_t i = 0; i < op->nresults; i++) {
        aval a = y ? *V(g, y->operands[i]) : unk();
        if (side == 0)
          then_vals[i] = a;
        else if (a.k == A_INT && (!a.known || !then_vals[i].known || a.i != then_vals[i].i))
          then_vals[i] = unk(); /* the arms disagree; tensors: the then arm's */
      }
    }
    for (uint32_t i = 0; i < op->nresults; i++) *V(g, &op->results[i]) = then_vals[i];
    free(then_vals);
    return;
  }
  default:
    for (uint32_t i = 0; i < op->nresults; i++) {
      const char *nm = ptk_op_table[op->kind].name;
      aval a = unk();
      if (op->noperands == 2 && !strncmp(nm, "arith.", 6)) {
        const aval *x = V(g, op->operands[0]), *y = V(g, op->operands[1]);
        int64_t v;
        if (x->known && y->known && int_op(op, x->i, y->i, &v)) a = kint(v);
      }
      *V(g, &op->results[i]) = a;
    }
    return;
  }
}

static void walk_block(gctx *g, const ptk_block *b) {
  for (const ptk_op *op = b->first; op; op = op->next) walk_op(g, op);
}

/* Tasks in different arms of one scf.if on a run-time value never both run. */
static bool exclusive(const gctx *g, const anode *a, const anode *b) {
  for (size_t i = 0; i < a->npath; i++)
    for (size_t j = 0; j < b->npath; j++) {
      uint64_t x = g->paths.data[a->path0 + i], y = g->paths.data[b->path0 + j];
      if (x >> 32 == y >> 32 && x != y) return true;
    }
  return false;
}

static ptk_orch_edge_kind kind_of(uint8_t earlier, uint8_t later) {
  if ((earlier & 2) && (later & 1)) return PTK_EDGE_RAW;
  if ((earlier & 2) && (later & 2)) return PTK_EDGE_WAW;
  return PTK_EDGE_WAR;
}

static const char *nm_of(const abuf *b) { return b->name; }

void ptk_orch_static_graph(ptk_func *f, ptk_orch_abi_fn abi, void *arg, ptk_diags *d, ptk_orch_graph *out) {
  memset(out, 0, sizeof *out);
  gctx g;
  memset(&g, 0, sizeof g);
  g.abi = abi;
  g.arg = arg;
  g.d = d;
  g.complete = true;
  g.vals = calloc(ptk_module_value_count(f->module) + 1, sizeof *g.vals);
  ptk_block *entry = ptk_func_entry(f);
  for (uint32_t i = 0; entry && i < f->nargs; i++) {
    ptk_value *a = ptk_func_arg(f, i);
    const ptk_attr *aa0 = f->arg_attrs ? f->arg_attrs[i] : NULL;
    const ptk_attr *an = aa0 && aa0->kind == PTK_ATTR_DICT ? ptk_attrs_get(aa0->dict.items, aa0->dict.n, "ptk.name") : NULL;
    abuf b = {an && an->kind == PTK_ATTR_STRING ? an->str.s : a->name ? a->name : "arg", PTK_TD_F32, false, f, i, true};
    int rank;
    int64_t dims[PTK_TENSOR_MAX_RANK];
    if (!ptk_orch_tensor_of(a->type, &b.dt, &rank, dims)) {
      *V(&g, a) = unk();
      continue;
    }
    const ptk_attr *aa = f->arg_attrs ? f->arg_attrs[i] : NULL;
    const ptk_attr *dir = aa && aa->kind == PTK_ATTR_DICT ? ptk_attrs_get(aa->dict.items, aa->dict.n, "ptk.dir") : NULL;
    b.readonly = dir && dir->kind == PTK_ATTR_STRING && !strcmp(dir->str.s, "in");
    ptk_vec_push(&g.bufs, b);
    *V(&g, a) = tensor_val(&g, (int)g.bufs.len - 1, a->type);
  }
  if (entry) walk_block(&g, entry);
  size_t n = g.nodes.len;
  PTK_VEC(ptk_orch_edge) edges = {0};
  size_t words = (n + 63) / 64;
  uint64_t *reach = calloc(n * words + 1, sizeof *reach); /* reach[j]: nodes ordered before j */
  for (size_t j = 0; j < n; j++) {
    const anode *tj = &g.an.data[j];
    uint64_t *rj = reach + j * words;
    for (size_t i = 0; i < j; i++) {
      const anode *ti = &g.an.data[i];
      bool edge = false;
      for (size_t k = 0; k < tj->ndeps; k++)
        if (g.deps.data[tj->dep0 + k] == (int64_t)i) {
          ptk_orch_edge e = {(uint32_t)i, (uint32_t)j, PTK_EDGE_DEP, NULL, -1, -1};
          ptk_vec_push(&edges, e);
          edge = true;
          break;
        }
      for (size_t x = 0; x < ti->nacc; x++)
        for (size_t y = 0; y < tj->nacc; y++) {
          const aacc *a = &g.accs.data[ti->acc0 + x], *b = &g.accs.data[tj->acc0 + y];
          if (a->nodep || b->nodep || !((a->mode | b->mode) & 2) || a->buf != b->buf) continue;
          int64_t lo = -1, hi = -1;
          if (a->known && b->known) {
            lo = a->lo > b->lo ? a->lo : b->lo;
            hi = a->hi < b->hi ? a->hi : b->hi;
            if (lo >= hi) continue;
          }
          if (exclusive(&g, ti, tj)) continue;
          ptk_orch_edge e = {(uint32_t)i, (uint32_t)j, kind_of(a->mode, b->mode), nm_of(&g.bufs.data[a->buf]), lo, hi};
          ptk_vec_push(&edges, e);
          edge = true;
        }
      if (!edge) continue;
      const uint64_t *ri = reach + i * words;
      for (size_t w = 0; w < words; w++) rj[w] |= ri[w];
      rj[i / 64] |= 1ull << (i % 64);
    }
  }
  /* hazards: unordered pairs touching the same known bytes, one writing */
  struct seen {
    const ptk_op *a, *b;
    int buf;
  };
  PTK_VEC(struct seen) seen = {0};
  for (size_t j = 0; j < n; j++) {
    const anode *tj = &g.an.data[j];
    for (size_t i = 0; i < j; i++) {
      const anode *ti = &g.an.data[i];
      if (reach[j * words + i / 64] >> (i % 64) & 1) continue;
      if (exclusive(&g, ti, tj)) continue;
      for (size_t x = 0; x < ti->nacc; x++)
        for (size_t y = 0; y < tj->nacc; y++) {
          const aacc *a = &g.accs.data[ti->acc0 + x], *b = &g.accs.data[tj->acc0 + y];
          if (a->buf != b->buf || !a->known || !b->known || !((a->mode | b->mode) & 2)) continue;
          int64_t lo = a->lo > b->lo ? a->lo : b->lo, hi = a->hi < b->hi ? a->hi : b->hi;
          if (lo >= hi) continue;
          const ptk_op *si = g.nodes.data[i].launch, *sj = g.nodes.data[j].launch;
          bool dup = false;
          for (size_t q = 0; q < seen.len && !dup; q++)
            dup = seen.data[q].a == si && seen.data[q].b == sj && seen.data[q].buf == a->buf;
          if (dup) continue;
          struct seen sn = {si, sj, a->buf};
          ptk_vec_push(&seen, sn);
          ptk_orch_edge_kind k = kind_of(a->mode, b->mode);
          const char *kind = k == PTK_EDGE_RAW ? "read-after-write" : k == PTK_EDGE_WAW ? "write-after-write"
                                                                                      : "write-after-read";
          const char *later_does = k == PTK_EDGE_RAW ? "reads" : "writes";
          const char *earlier_does = k == PTK_EDGE_WAR ? "reads" : "writes";
          const abuf *bf = &g.bufs.data[a->buf];
          int64_t esz = (int64_t)ptk_tdtype_size(bf->dt);
          const char *kj = g.nodes.data[j].kernel, *ki = g.nodes.data[i].kernel;
          bool across = g.nodes.data[i].iter != g.nodes.data[j].iter;
          ptk_warning(d, ptk_op_range(sj),
                      "%s hazard: this launch of '%s' %s bytes %lld to %lld (elements %lld to %lld) of '%s' "
                      "that the earlier launch of '%s' %s%s, and no dependency orders the two tasks: only program "
                      "order does (--threads 1); with more threads they may run in either order or at once",
                      kind, kj, later_does, (long long)lo, (long long)hi - 1, (long long)(lo / esz),
                      (long long)((hi - 1) / esz), bf->name, ki, earlier_does,
                      across ? " in the previous loop iteration" : "");
          ptk_note(d, ptk_op_range(si), "the earlier launch of '%s' is here", ki);
          const aacc *hidden = b->nodep ? b : a;
          ptk_note(d, hidden->nodep ? ptk_op_range(hidden->nodep) : ptk_op_range(sj),
                   "no_dep(…) hides '%s' (parameter '%s') from the dependency tracking; drop it, or order the "
                   "tasks with deps = [the earlier task]",
                   bf->name, hidden->param);
        }
    }
  }
  ptk_vec_free(&seen);
  free(reach);
  out->nodes = g.nodes.data;
  out->nnodes = g.nodes.len;
  out->edges = edges.data;
  out->nedges = edges.len;
  out->complete = g.complete;
  ptk_vec_free(&g.bufs);
  ptk_vec_free(&g.an);
  ptk_vec_free(&g.accs);
  ptk_vec_free(&g.deps);
  ptk_vec_free(&g.paths);
  ptk_vec_free(&g.arms);
  free(g.vals);
}
