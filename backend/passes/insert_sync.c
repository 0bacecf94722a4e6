/* insert-sync and the pipe-synchronization checker (see passes.h).
 *
 * Both walk a function in program order over structured control flow with
 * the same abstract state:
 *   - per memory slot (a tile storage range, or a pointer argument's global
 *     memory) and per pipe, the time of the last write and the last read;
 *   - know[B][A]: every op of pipe A with a time <= know[B][A] is known to
 *     be complete by pipe B (a vector clock per pipe);
 *   - (checker) the flags that are set: (src, dst, event) with the clock the
 *     setting pipe had when it set it.
 * An op on pipe B that touches a slot that an op on pipe A != B wrote (or,
 * when it writes, read) later than know[B][A] has a hazard. The inserter
 * fixes it with set_flag(A, B, e) — right after the producer's ancestor in
 * the consumer's block when that precedes the consumer, else right before
 * the consumer — and wait_flag(A, B, e) right before the consumer, so every
 * pair lies in one block and is balanced on every path. The event e is the
 * lowest of 8 per pipe pair whose previous wait lies before the new set.
 * The checker reports the hazard instead, and simulates the flags.
 *
 * Control flow: scf.if runs both branches from the same state and joins
 * them (latest accesses, least knowledge); loops run the body once "dry"
 * (no insertion, no errors) to learn what an iteration leaves behind, join
 * that into the entry state, then run it for real, so hazards between
 * iterations are seen; the exit state joins the entry (zero trips) and
 * the end of the body. Tiles are slots by storage: allocs with a constant
 * address share a slot per (memory, address, size) and conflict with
 * overlapping ranges; allocs without an address are their own slot;
 * aliases (treshape, subview, scf results, iter_args) touch every alloc
 * they may denote; tiles of unknown origin conflict with all of their
 * memory. Global memory is a slot per pointer argument (through views and
 * addptr); anything else conflicts with all of global memory. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "backend/passes/pass_util.h"

#define NP PTK_PIPE__COUNT
#define NEV 8

/* ======================================================================
 * Pipes
 * ====================================================================== */

const char *ptk_pipe_name(ptk_pipe p) {
  static const char *const names[] = {"PIPE_S",    "PIPE_V",    "PIPE_M",    "PIPE_MTE1",
                                      "PIPE_MTE2", "PIPE_MTE3", "PIPE_ALL",  "PIPE_MTE4",
                                      "PIPE_MTE5", "PIPE_V2",   "PIPE_FIX"};
  return p >= 0 && (size_t)p < PTK_ARRAY_LEN(names) ? names[p] : "PIPE_UNASSIGNED";
}

static ptk_space loc_of(const ptk_value *v) {
  const ptk_tile_desc *t = pu_tile(v);
  return t ? t->loc : PTK_SPACE_GM;
}

static bool module_is_a5(const ptk_module *m) {
  for (; m; m = m->parent) {
    const ptk_attr *a = ptk_module_attr(m, "pto.target_arch");
    if (a && a->kind == PTK_ATTR_STRING) return a->str.len >= 2 && !strncmp(a->str.s, "a5", 2);
    a = ptk_module_attr(m, "pto.device-spec");
    if (a && a->kind == PTK_ATTR_STRING && a->str.s)
      return !strncmp(a->str.s, "Ascend950", 9) || !strncmp(a->str.s, "Ascend910_95", 12);
  }
  return false;
}

/* The op table's PIPE column; the move family and stores are resolved by
 * the memories they move between, as ptoas's getPipe() does (decisions
 * taken from PTOAS include/PTO/IR/PTOOps.td):
 *   tmov      vec->vec V; mat->left/right/bias MTE1; mat->scaling MTE1 for
 *             f8E8M0 (MX scale) tiles, else FIX (TMOV_M2S); acc->mat/vec
 *             FIX; anything else (vec->mat included) V
 *   textract  mat->left/right/bias/scaling MTE1; vec->mat, acc->mat FIX;
 *             anything else V
 *   tinsert   vec->vec V; vec->mat MTE3 on A5; anything else FIX
 *   tmov.fp MTE1; textract_fp, tinsert_fp FIX
 *   tfillpad  mat->mat MTE1, else V
 *   tstore    FIX from acc, else MTE3; tstore_fp FIX */
ptk_pipe ptk_op_pipe(const ptk_op *op) {
  uint32_t ni = 0, no = 0;
  ptk_value **ins, **outs;
  ptk_space src, dst;
  switch (ptk_op_table[op->kind].pipe) {
  case PTK_PIPEC_NONE: return PTK_PIPE_NONE;
  case PTK_PIPEC_S: return PTK_PIPE_S;
  case PTK_PIPEC_V: return PTK_PIPE_V;
  case PTK_PIPEC_M: return PTK_PIPE_M;
  case PTK_PIPEC_MTE2: return PTK_PIPE_MTE2;
  case PTK_PIPEC_MTE3: return PTK_PIPE_MTE3;
  case PTK_PIPEC_STORE:
    if (op->kind == PTK_OP_TSTORE_FP) return PTK_PIPE_FIX;
    ins = pu_ins(op, &ni);
    return ni && loc_of(ins[0]) == PTK_SPACE_ACC ? PTK_PIPE_FIX : PTK_PIPE_MTE3;
  case PTK_PIPEC_MOVE:
    if (op->kind == PTK_OP_TMOV_FP) return PTK_PIPE_MTE1;
    if (op->kind == PTK_OP_TEXTRACT_FP || op->kind == PTK_OP_TINSERT_FP) return PTK_PIPE_FIX;
    ins = pu_ins(op, &ni), outs = pu_outs(op, &no);
    src = ni ? loc_of(ins[0]) : PTK_SPACE_GM, dst = no ? loc_of(outs[0]) : PTK_SPACE_GM;
    bool l0 = dst == PTK_SPACE_LEFT || dst == PTK_SPACE_RIGHT || dst == PTK_SPACE_BIAS;
    switch (op->kind) {
    case PTK_OP_TFILLPAD:
      return src == PTK_SPACE_MAT && dst == PTK_SPACE_MAT ? PTK_PIPE_MTE1 : PTK_PIPE_V;
    case PTK_OP_TEXTRACT:
      if (src == PTK_SPACE_MAT && (l0 || dst == PTK_SPACE_SCALING)) return PTK_PIPE_MTE1;
      if ((src == PTK_SPACE_VEC || src == PTK_SPACE_ACC) && dst == PTK_SPACE_MAT)
        return PTK_PIPE_FIX;
      return PTK_PIPE_V;
    case PTK_OP_TINSERT:
      if (src == PTK_SPACE_VEC && dst == PTK_SPACE_VEC) return PTK_PIPE_V;
      if (src == PTK_SPACE_VEC && dst == PTK_SPACE_MAT && module_is_a5(ptk_op_module(op)))
        return PTK_PIPE_MTE3;
      return PTK_PIPE_FIX;
    default: /* tmov */
      if (src == PTK_SPACE_MAT && l0) return PTK_PIPE_MTE1;
      if (src == PTK_SPACE_MAT && dst == PTK_SPACE_SCALING) {
        const ptk_tile_desc *t = no ? pu_tile(outs[0]) : NULL;
        ptk_dtype dt;
        return t && ptk_type_elem_dtype(t->elem, &dt) && dt == PTK_DT_F8E8M0 ? PTK_PIPE_MTE1
                                                                              : PTK_PIPE_FIX;
      }
      if (src == PTK_SPACE_ACC && (dst == PTK_SPACE_MAT || dst == PTK_SPACE_VEC))
        return PTK_PIPE_FIX;
      return PTK_PIPE_V;
    }
  }
  return PTK_PIPE_NONE;
}

/* ======================================================================
 * Slots
 * ====================================================================== */

typedef struct slot {
  bool gm;
  ptk_space loc;
  int64_t lo, hi; /* byte range, lo < 0: unknown */
  int32_t arg;    /* gm: argument index, -1: any */
  bool wild;      /* conflicts with every slot of its memory */
  uint32_t cstart, clen; /* conflict list */
} slot;

typedef struct gnode {
  int32_t slot, next;
} gnode;

typedef struct rec {
  uint64_t w[NP], r[NP];
  ptk_op *wop[NP], *rop[NP];
} rec;

/* A flag that is set: (src a, dst b, event e). e < NEV: EVENT_IDe; a
 * dynamic event (set_flag_dyn with a non-constant id) is NEV + the uid of
 * its id value, so only a wait on the same value matches it. */
typedef struct flagst {
  uint8_t a, b;
  uint32_t e;
  uint64_t clk[NP];
  ptk_op *op;
  char name[40]; /* "EVENT_ID0", "event %eid" */
} flagst;

/* Buffer-id sync (get_buf/rls_buf): per (id, pipe) what the pipe's last
 * rls_buf of the id makes known to the next get_buf of another pipe. */
typedef struct bufst {
  uint32_t id;
  uint8_t p;
  uint64_t clk[NP];
} bufst;

typedef struct state {
  rec *recs;
  uint64_t know[NP][NP]; /* know[B][A] */
  uint64_t last[NP];     /* the time of the latest op issued on each pipe */
  PTK_VEC(flagst) flags;
  PTK_VEC(bufst) bufs;
} state;

typedef struct access {
  int32_t slot;
  bool write;
  const ptk_value *v; /* for messages */
} access;

typedef struct sctx {
  ptk_module *m;
  ptk_func *f;
  bool check;
  bool warn; /* checker: findings are warnings */
  int dry;
  ptk_diags *d;
  bool ok;
  ptk_sync_stats *st;
  pu_order ord;
  pu_alias al;
  uint32_t nvals;
  PTK_VEC(slot) slots;
  PTK_VEC(uint32_t) conf;
  int32_t *ghead; /* alias root uid -> gnode list of slots */
  PTK_VEC(gnode) gnodes;
  int32_t wild_tile[PTK_SPACE__COUNT];
  int32_t wild_gm;
  int32_t *arg_slot;
  uint64_t now;
  uint64_t *endt;
  uint32_t nendt;
  uint64_t lastwait[NP][NP][NEV];
  PTK_VEC(access) acc;
  bool pipe_work; /* the function has ops on some pipe */
  PTK_VEC(uint64_t) reported; /* (op uid, tag) already reported (checker) */
  const ptk_attr *pipe_attr[NP], *event_attr[NEV]; /* made once (inserter) */
  struct {
    const ptk_attr *a;
    int idx;
  } enum_cache[64]; /* attribute -> enum index (checker) */
} sctx;

/* A checker finding: a warning, or an error under --strict-sync (and for
 * the inserter's self-check). */
PTK_PRINTF(3, 4) static void finding(sctx *c, ptk_range r, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  ptk_diag_emitv(c->d, c->warn ? PTK_SEV_WARNING : PTK_SEV_ERROR, NULL, r, fmt, ap);
  va_end(ap);
  c->ok = false;
}

/* True when (op, tag) was reported before; records it otherwise. */
static bool reported(sctx *c, const ptk_op *op, int tag) {
  uint64_t key = (uint64_t)op->uid << 8 | (uint64_t)(tag & 0xff);
  for (size_t i = 0; i < c->reported.len; i++)
    if (c->reported.data[i] == key) return true;
  ptk_vec_push(&c->reported, key);
  return false;
}

static int32_t new_slot(sctx *c, slot s) {
  ptk_vec_push(&c->slots, s);
  return (int32_t)(c->slots.len - 1);
}

static void group_add(sctx *c, uint32_t root, int32_t s) {
  for (int32_t n = c->ghead[root]; n >= 0; n = c->gnodes.data[n].next)
    if (c->gnodes.data[n].slot == s) return;
  gnode g = {s, c->ghead[root]};
  ptk_vec_push(&c->gnodes, g);
  c->ghead[root] = (int32_t)(c->gnodes.len - 1);
}

static bool slot_alloc(ptk_op *op, void *p) {
  sctx *c = p;
  if (op->kind != PTK_OP_ALLOC_TILE || op->nresults != 1) return true;
  const ptk_tile_desc *t = pu_tile(&op->results[0]);
  if (!t) return true;
  uint32_t n;
  ptk_value **a = ptk_op_segment(op, 0, &n);
  int64_t addr;
  int32_t s = -1;
  if (n == 1 && pu_const_int(a[0], &addr) && addr >= 0) {
    int64_t hi = addr + (int64_t)pu_tile_bytes(t);
    for (size_t i = 0; i < c->slots.len && s < 0; i++) {
      slot *o = &c->slots.data[i];
      if (!o->gm && !o->wild && o->loc == t->loc && o->lo == addr && o->hi == hi) s = (int32_t)i;
    }
    if (s < 0) s = new_slot(c, (slot){false, t->loc, addr, hi, -1, false, 0, 0});
  } else {
    s = new_slot(c, (slot){false, t->loc, -1, -1, -1, false, 0, 0});
  }
  if (op->results[0].uid < c->nvals) group_add(c, pu_alias_find(&c->al, op->results[0].uid), s);
  return true;
}

static bool conflicts(const slot *a, const slot *b) {
  if (a == b) return true;
  if (a->gm != b->gm) return false;
  if (a->gm) return a->wild || b->wild || a->arg == b->arg;
  if (a->loc != b->loc) return false;
  if (a->wild || b->wild) return true;
  if (a->lo < 0 || b->lo < 0) return false;
  return a->lo < b->hi && b->lo < a->hi;
}

static void build_slots(sctx *c) {
  c->nvals = ptk_module_value_count(c->f->module);
  pu_alias_build(&c->al, c->f);
  c->ghead = ptk_xmalloc((c->nvals + 1) * sizeof *c->ghead);
  memset(c->ghead, 0xff, (c->nvals + 1) * sizeof *c->ghead);
  ptk_walk_func(c->f, slot_alloc, c);
  for (int sp = 0; sp < PTK_SPACE__COUNT; sp++)
    c->wild_tile[sp] =
        sp == PTK_SPACE_GM ? -1 : new_slot(c, (slot){false, (ptk_space)sp, -1, -1, -1, true, 0, 0});
  c->wild_gm = new_slot(c, (slot){true, PTK_SPACE_GM, -1, -1, -1, true, 0, 0});
  c->arg_slot = ptk_xmalloc((c->f->nargs + 1) * sizeof *c->arg_slot);
  for (uint32_t i = 0; i < c->f->nargs; i++)
    c->arg_slot[i] = c->f->arg_types[i]->kind == PTK_TY_PTR
                         ? new_slot(c, (slot){true, PTK_SPACE_GM, -1, -1, (int32_t)i, false, 0, 0})
                         : -1;
  /* Conflict lists (slots are few: equal ranges share one). */
  for (size_t i = 0; i < c->slots.len; i++) {
    slot *s = &c->slots.data[i];
    s->cstart = (uint32_t)c->conf.len;
    for (size_t j = 0; j < c->slots.len; j++)
      if (conflicts(s, &c->slots.data[j])) ptk_vec_push(&c->conf, (uint32_t)j);
    s->clen = (uint32_t)c->conf.len - s->cstart;
  }
}

static void add_tile(sctx *c, const ptk_value *v, bool w) {
  const ptk_tile_desc *t = pu_tile(v);
  if (!t) return;
  int32_t n = v->uid < c->nvals ? c->ghead[pu_alias_find(&c->al, v->uid)] : -1;
  if (n < 0) {
    if (c->wild_tile[t->loc] >= 0) ptk_vec_push(&c->acc, ((access){c->wild_tile[t->loc], w, v}));
    return;
  }
  for (; n >= 0; n = c->gnodes.data[n].next)
    ptk_vec_push(&c->acc, ((access){c->gnodes.data[n].slot, w, v}));
}

static void add_gm(sctx *c, const ptk_value *v, bool w) {
  const ptk_value *x = v;
  while (x->def && x->def->noperands &&
         (x->def->kind == PTK_OP_MAKE_TENSOR_VIEW || x->def->kind == PTK_OP_PARTITION_VIEW ||
          x->def->kind == PTK_OP_ADDPTR || x->def->kind == PTK_OP_CASTPTR))
    x = x->def->operands[0];
  int32_t s = c->wild_gm;
  ptk_block *entry = ptk_func_entry(c->f);
  if (!x->def && x->block == entry && x->index < c->f->nargs && c->arg_slot[x->index] >= 0)
    s = c->arg_slot[x->index];
  ptk_vec_push(&c->acc, ((access){s, w, v}));
}

static void add_value(sctx *c, const ptk_value *v, bool w) {
  if (!v || !v->type) return;
  if (v->type->kind == PTK_TY_TILE_BUF)
    add_tile(c, v, w);
  else if (v->type->kind == PTK_TY_PART_VIEW || v->type->kind == PTK_TY_TENSOR_VIEW ||
           v->type->kind == PTK_TY_PTR)
    add_gm(c, v, w);
}

static void collect_accesses(sctx *c, ptk_op *op) {
  c->acc.len = 0;
  if (op->kind == PTK_OP_LOAD_SCALAR || op->kind == PTK_OP_STORE_SCALAR) {
    if (op->noperands) add_value(c, op->operands[0], op->kind == PTK_OP_STORE_SCALAR);
    return;
  }
  uint32_t ni, no;
  ptk_value **ins = pu_ins(op, &ni), **outs = pu_outs(op, &no);
  for (uint32_t i = 0; i < ni; i++) add_value(c, ins[i], false);
  for (uint32_t i = 0; i < no; i++) add_value(c, outs[i], true);
}

/* ======================================================================
 * States
 * ====================================================================== */

static void st_init(sctx *c, state *s) {
  memset(s, 0, sizeof *s);
  s->recs = ptk_xcalloc(c->slots.len + 1, sizeof *s->recs);
}

static void st_copy(sctx *c, state *dst, const state *src) {
  st_init(c, dst);
  memcpy(dst->recs, src->recs, c->slots.len * sizeof *dst->recs);
  memcpy(dst->know, src->know, sizeof dst->know);
  memcpy(dst->last, src->last, sizeof dst->last);
  for (size_t i = 0; i < src->flags.len; i++) ptk_vec_push(&dst->flags, src->flags.data[i]);
  for (size_t i = 0; i < src->bufs.len; i++) ptk_vec_push(&dst->bufs, src->bufs.data[i]);
}

static void st_free(state *s) {
  free(s->recs);
  ptk_vec_free(&s->flags);
  ptk_vec_free(&s->bufs);
}

static bufst *find_buf(state *s, uint32_t id, int p) {
  for (size_t i = 0; i < s->bufs.len; i++)
    if (s->bufs.data[i].id == id && s->bufs.data[i].p == p) return &s->bufs.data[i];
  return NULL;
}

static flagst *find_flag(state *s, int a, int b, uint32_t e) {
  for (size_t i = 0; i < s->flags.len; i++)
    if (s->flags.data[i].a == a && s->flags.data[i].b == b && s->flags.data[i].e == e)
      return &s->flags.data[i];
  return NULL;
}

/* Knowledge of everything a pipe issued on this path (know[B][A], a flag's
 * or a released buffer's clock >= last[A]) becomes `t`, the time of the
 * join: the two paths' times differ, and the least of two such values
 * would not cover the other path's accesses although each covers its own
 * (a set_flag after the load in each branch of an scf.if). Sound: no op of
 * this path issued on A has a time in between. */
static void st_full(state *s, uint64_t t) {
  for (int a = 0; a < NP; a++) {
    for (int b = 0; b < NP; b++)
      if (b != a && s->know[b][a] >= s->last[a] && s->know[b][a] < t) s->know[b][a] = t;
    for (size_t i = 0; i < s->flags.len; i++)
      if (s->flags.data[i].clk[a] >= s->last[a] && s->flags.data[i].clk[a] < t)
        s->flags.data[i].clk[a] = t;
    for (size_t i = 0; i < s->bufs.len; i++)
      if (s->bufs.data[i].clk[a] >= s->last[a] && s->bufs.data[i].clk[a] < t)
        s->bufs.data[i].clk[a] = t;
  }
}

/* dst = join(dst, o): latest accesses, least knowledge, union of flags. */
static void st_join(sctx *c, state *dst, const state *o) {
  state on;
  st_copy(c, &on, o);
  st_full(&on, c->now);
  st_full(dst, c->now);
  o = &on;
  for (size_t i = 0; i < c->slots.len; i++) {
    rec *a = &dst->recs[i];
    const rec *b = &o->recs[i];
    for (int p = 0; p < NP; p++) {
      if (b->w[p] > a->w[p]) {
        a->w[p] = b->w[p];
        a->wop[p] = b->wop[p];
      }
      if (b->r[p] > a->r[p]) {
        a->r[p] = b->r[p];
        a->rop[p] = b->rop[p];
      }
    }
  }
  for (int i = 0; i < NP; i++)
    for (int j = 0; j < NP; j++)
      if (o->know[i][j] < dst->know[i][j]) dst->know[i][j] = o->know[i][j];
  for (size_t i = 0; i < o->flags.len; i++) {
    const flagst *f = &o->flags.data[i];
    flagst *g = find_flag(dst, f->a, f->b, f->e);
    if (!g) {
      ptk_vec_push(&dst->flags, *f);
    } else {
      for (int p = 0; p < NP; p++)
        if (f->clk[p] < g->clk[p]) g->clk[p] = f->clk[p];
    }
  }
  for (size_t i = 0; i < dst->bufs.len;) {
    bufst *g = &dst->bufs.data[i];
    bufst *f = find_buf((state *)o, g->id, g->p);
    if (!f) {
      *g = dst->bufs.data[--dst->bufs.len];
      continue;
    }
    for (int p = 0; p < NP; p++)
      if (f->clk[p] < g->clk[p]) g->clk[p] = f->clk[p];
    i++;
  }
  for (int p = 0; p < NP; p++)
    if (on.last[p] > dst->last[p]) dst->last[p] = on.last[p];
  st_free(&on);
}

/* ======================================================================
 * Messages
 * ====================================================================== */

static const char *opname(const ptk_op *op) { return ptk_op_table[op->kind].name; }

static const char *event_name(int e) {
  static const char *const n[NEV] = {"EVENT_ID0", "EVENT_ID1", "EVENT_ID2", "EVENT_ID3",
                                     "EVENT_ID4", "EVENT_ID5", "EVENT_ID6", "EVENT_ID7"};
  return e >= 0 && e < NEV ? n[e] : "EVENT_ID?";
}

/* "the flags that differ: EVENT_ID0 from PIPE_MTE2 to PIPE_V (set at line 7)" */
static void flag_diff(const state *a, const state *b, ptk_buf *out) {
  int n = 0;
  for (size_t i = 0; i < a->flags.len; i++) {
    const flagst *f = &a->flags.data[i];
    if (find_flag((state *)b, f->a, f->b, f->e)) continue;
    ptk_buf_printf(out, "%s%s from %s to %s (set at line %u)", n++ ? ", " : "", f->name,
                   ptk_pipe_name((ptk_pipe)f->a), ptk_pipe_name((ptk_pipe)f->b),
                   f->op ? f->op->loc.line : 0);
  }
}

static bool flags_equal(const state *a, const state *b) {
  if (a->flags.len != b->flags.len) return false;
  for (size_t i = 0; i < a->flags.len; i++)
    if (!find_flag((state *)b, a->flags.data[i].a, a->flags.data[i].b, a->flags.data[i].e))
      return false;
  return true;
}

/* ======================================================================
 * Inserting
 * ====================================================================== */

static const ptk_attr *pipe_attr(sctx *c, int p) {
  if (!c->pipe_attr[p]) c->pipe_attr[p] = ptk_attr_pto_enum(c->m, "pipe", ptk_pipe_name((ptk_pipe)p));
  return c->pipe_attr[p];
}

static ptk_op *mk_sync(sctx *c, ptk_op_kind k, int a, int b, int e, ptk_loc loc) {
  ptk_op *op = ptk_op_new(c->m, k, NULL, 0, NULL, 0, 0, loc);
  if (!c->event_attr[e]) c->event_attr[e] = ptk_attr_pto_enum(c->m, "event", event_name(e));
  /* Attribute names in sorted order: each set appends. */
  ptk_op_set_attr(op, "dst_pipe", pipe_attr(c, b));
  ptk_op_set_attr(op, "event_id", c->event_attr[e]);
  ptk_op_set_attr(op, "src_pipe", pipe_attr(c, a));
  return op;
}

static ptk_op *mk_barrier(sctx *c, ptk_loc loc) {
  ptk_op *op = ptk_op_new(c->m, PTK_OP_BARRIER, NULL, 0, NULL, 0, 0, loc);
  ptk_op_set_attr(op, "pipe", pipe_attr(c, PTK_PIPE_ALL));
  return op;
}

static ptk_op *ancestor_in(ptk_op *p, const ptk_block *b) {
  for (ptk_op *x = p; x; x = pu_parent_op(x))
    if (x->block == b) return x;
  return NULL;
}

static uint64_t endt_of(sctx *c, const ptk_op *op) {
  return op->uid < c->nendt ? c->endt[op->uid] : 0;
}

static int pick_event(sctx *c, int a, int b, uint64_t ts) {
  for (int e = 0; e < NEV; e++)
    if (c->lastwait[a][b][e] <= ts) return e;
  return -1;
}

/* Makes pipe b wait for pipe a's op `prod` before `cons` (insert mode). */
static void insert_pair(sctx *c, state *s, int a, int b, ptk_op *prod, ptk_op *cons) {
  uint64_t t = c->now;
  ptk_op *x = prod ? ancestor_in(prod, cons->block) : NULL;
  ptk_op *after = NULL;
  uint64_t ts = t - 1;
  if (x && x != cons && x->uid < c->ord.nops && cons->uid < c->ord.nops &&
      c->ord.pos[x->uid] < c->ord.pos[cons->uid] && endt_of(c, x) < t) {
    after = x;
    ts = endt_of(c, x);
  }
  int e = pick_event(c, a, b, ts);
  if (e < 0) {
    after = NULL;
    ts = t - 1;
    e = pick_event(c, a, b, ts);
    if (e < 0) e = 0; /* unreachable: every earlier wait is before t */
  }
  if (!after) /* set right here: the setting pipe's own knowledge travels too */
    for (int p = 0; p < NP; p++)
      if (p != b && s->know[a][p] > s->know[b][p]) s->know[b][p] = s->know[a][p];
  if (ts > s->know[b][a]) s->know[b][a] = ts;
  if (c->dry) return;
  ptk_op *set = mk_sync(c, PTK_OP_SET_FLAG, a, b, e, cons->loc);
  ptk_op *wait = mk_sync(c, PTK_OP_WAIT_FLAG, a, b, e, cons->loc);
  if (after)
    ptk_op_insert_after(after, set);
  else
    ptk_op_insert_before(cons, set);
  ptk_op_insert_before(cons, wait);
  c->lastwait[a][b][e] = t;
  if (c->st) c->st->pairs++;
}

/* ======================================================================
 * The walk
 * ====================================================================== */

static void walk_region(sctx *c, ptk_region *r, state *s);

static void full_barrier(state *s, uint64_t t) {
  for (int i = 0; i < NP; i++)
    for (int j = 0; j < NP; j++) s->know[i][j] = t;
}

static void pipe_op(sctx *c, ptk_op *op, state *s, ptk_pipe b) {
  c->pipe_work = true;
  collect_accesses(c, op);
  uint64_t need[NP] = {0};
  ptk_op *prod[NP] = {0};
  const ptk_value *what[NP] = {0};
  bool pwrote[NP] = {0}, cwrites[NP] = {0};
  for (size_t k = 0; k < c->acc.len; k++) {
    const access *a = &c->acc.data[k];
    const slot *sl = &c->slots.data[a->slot];
    for (uint32_t ci = 0; ci < sl->clen; ci++) {
      const rec *r = &s->recs[c->conf.data[sl->cstart + ci]];
      for (int p = 0; p < NP; p++) {
        if (p == (int)b) continue;
        if (r->w[p] > s->know[b][p] && r->w[p] > need[p]) {
          need[p] = r->w[p];
          prod[p] = r->wop[p];
          what[p] = a->v;
          pwrote[p] = true;
          cwrites[p] = a->write;
        }
        if (a->write && r->r[p] > s->know[b][p] && r->r[p] > need[p]) {
          need[p] = r->r[p];
          prod[p] = r->rop[p];
          what[p] = a->v;
          pwrote[p] = false;
          cwrites[p] = true;
        }
      }
    }
  }
  for (int p = 0; p < NP; p++) {
    if (!need[p] || need[p] <= s->know[b][p]) continue;
    if (!c->check) {
      insert_pair(c, s, p, b, prod[p], op);
      continue;
    }
    if (!c->dry && !reported(c, op, p)) {
      bool gm = what[p] && what[p]->type && what[p]->type->kind != PTK_TY_TILE_BUF;
      finding(c, ptk_op_range(op),
                "missing synchronization: this '%s' (%s) %s %s that '%s' (%s) %s, with no "
                "set_flag/wait_flag from %s to %s in between",
                opname(op), ptk_pipe_name(b), cwrites[p] ? "writes" : "reads",
                gm ? "global memory" : "a tile", prod[p] ? opname(prod[p]) : "?",
                ptk_pipe_name((ptk_pipe)p), pwrote[p] ? "writes" : "reads",
                ptk_pipe_name((ptk_pipe)p),
                ptk_pipe_name(b));
      if (prod[p])
        ptk_note(c->d, ptk_op_range(prod[p]), "the '%s' on %s is here", opname(prod[p]),
                 ptk_pipe_name((ptk_pipe)p));
      c->ok = false;
    }
    s->know[b][p] = need[p]; /* report each hazard once */
  }
  for (size_t k = 0; k < c->acc.len; k++) {
    const access *a = &c->acc.data[k];
    rec *r = &s->recs[a->slot];
    if (a->write) {
      /* Accesses of other pipes that b already waited for are ordered
       * before this write: whoever syncs with this write (after it) also
       * sees them complete, so they need no sync of their own. */
      for (int p = 0; p < NP; p++) {
        if (p == (int)b) continue;
        if (r->w[p] && r->w[p] <= s->know[b][p]) r->w[p] = 0, r->wop[p] = NULL;
        if (r->r[p] && r->r[p] <= s->know[b][p]) r->r[p] = 0, r->rop[p] = NULL;
      }
      r->w[b] = c->now;
      r->wop[b] = op;
    } else {
      r->r[b] = c->now;
      r->rop[b] = op;
    }
  }
  if (c->now > s->last[b]) s->last[b] = c->now;
}

static int enum_idx(sctx *c, const ptk_op *op, const char *attr, const char *mn) {
  const ptk_attr *a = ptk_op_attr(op, attr);
  if (!a) return -1;
  unsigned h = (unsigned)(((uintptr_t)a >> 4) & 63);
  if (c->enum_cache[h].a == a) return c->enum_cache[h].idx;
  int idx = ptk_attr_enum_index(a, mn);
  c->enum_cache[h].a = a;
  c->enum_cache[h].idx = idx;
  return idx;
}

/* The pipe a sync op names: a #pto.pipe, or a sync op type / pipe event
 * type mapped as ptoas lowers record_event/wait_event/barrier_sync/get_buf
 * (PTOAS lib/PTO/IR/PTOSyncUtils.cpp, mapSyncOpTypeToPipe). -1: none. */
static int sync_pipe(sctx *c, const ptk_op *op, const char *attr) {
  static const int8_t optype_pipe[] = {
      PTK_PIPE_MTE2, /* TLOAD */
      PTK_PIPE_FIX,  /* TSTORE_ACC */
      PTK_PIPE_MTE3, /* TSTORE_VEC */
      PTK_PIPE_MTE1, /* TMOV_M2L */
      PTK_PIPE_FIX,  /* TMOV_M2S */
      PTK_PIPE_MTE1, /* TMOV_M2B */
      PTK_PIPE_V,    /* TMOV_M2V */
      PTK_PIPE_FIX,  /* TMOV_V2M */
      PTK_PIPE_M,    /* TMATMUL */
      PTK_PIPE_V,    /* TVEC */
      PTK_PIPE_V,    /* TVECWAIT_EVENT */
  };
  int p = enum_idx(c, op, attr, "pipe");
  if (p >= 0) return p < NP ? p : -1;
  const ptk_attr *a = ptk_op_attr(op, attr);
  if (!a) return -1;
  int k = ptk_attr_enum_index(a, "sync_op_type");
  if (k < 0) k = ptk_attr_enum_index(a, "pipe_event_type");
  return k >= 0 && (size_t)k < PTK_ARRAY_LEN(optype_pipe) ? optype_pipe[k] : -1;
}

/* The event of a set/wait: the event_id attribute, or the id operand of a
 * _dyn form (a constant 0..7 is that EVENT_ID; anything else is its own
 * event, matched by value). -1: none. */
static int64_t sync_event(sctx *c, const ptk_op *op, char name[40]) {
  if (op->kind != PTK_OP_SET_FLAG_DYN && op->kind != PTK_OP_WAIT_FLAG_DYN) {
    int e = enum_idx(c, op, "event_id", "event");
    if (e < 0 || e >= NEV) return -1;
    snprintf(name, 40, "%s", event_name(e));
    return e;
  }
  if (!op->noperands) return -1;
  const ptk_value *v = op->operands[0];
  int64_t k;
  if (pu_const_int(v, &k) && k >= 0 && k < NEV) {
    snprintf(name, 40, "%s", event_name((int)k));
    return k;
  }
  snprintf(name, 40, "the event %s%.24s", v->name ? "%" : "", v->name ? v->name : "(dynamic)");
  return (int64_t)NEV + v->uid;
}

/* The buffer id of get_buf/rls_buf (a _dyn form's operand; a non-constant
 * one is matched by value). -1: none. */
static int64_t sync_bufid(const ptk_op *op) {
  int64_t k;
  if (op->kind == PTK_OP_GET_BUF_DYN || op->kind == PTK_OP_RLS_BUF_DYN) {
    if (!op->noperands) return -1;
    if (pu_const_int(op->operands[0], &k) && k >= 0 && k < (1 << 20)) return k;
    return (1 << 20) + (int64_t)op->operands[0]->uid;
  }
  const ptk_attr *a = ptk_op_attr(op, "buf_id");
  if (!a || a->kind != PTK_ATTR_INT) return -1;
  return a->i >= 0 && a->i < (1 << 20) ? a->i : -1;
}

static const char *sync_word(const ptk_op *op) { return opname(op) + 4; /* "pto." */ }

/* The sync ops (DESIGN §4): how each one changes what a pipe knows.
 *   set_flag/record_event/set_flag_dyn(a, b, e)  the flag carries pipe a's
 *       clock (every op of a before it) and what a knows;
 *   wait_flag/wait_event/wait_flag_dyn(a, b, e)  pipe b learns it;
 *   barrier PIPE_ALL: every pipe knows everything before it; barrier of one
 *       pipe and barrier_sync (a barrier of its op type's pipe) order that
 *       pipe with itself only, which the model already assumes;
 *   rls_buf(p, id): remembers p's clock; get_buf(q, id): q learns the last
 *       rls_buf of id by every other pipe (buffer-id sync is ordered by
 *       program order across the pipes that use the id);
 *   sync.set/sync.wait, syncall, fence.barrier_all: between cores; they
 *       order nothing between the pipes of this core. */
static void sync_op(sctx *c, ptk_op *op, state *s) {
  uint64_t t = c->now;
  bool set = false, wait = false;
  switch (op->kind) {
  case PTK_OP_BARRIER:
    if (enum_idx(c, op, "pipe", "pipe") == PTK_PIPE_ALL) full_barrier(s, t);
    return;
  case PTK_OP_RLS_BUF:
  case PTK_OP_RLS_BUF_DYN:
  case PTK_OP_GET_BUF:
  case PTK_OP_GET_BUF_DYN: {
    int p = sync_pipe(c, op, "op_type");
    int64_t id = sync_bufid(op);
    if (p < 0 || id < 0) return;
    if (op->kind == PTK_OP_RLS_BUF || op->kind == PTK_OP_RLS_BUF_DYN) {
      bufst *b = find_buf(s, (uint32_t)id, p);
      if (!b) {
        bufst nb;
        memset(&nb, 0, sizeof nb);
        nb.id = (uint32_t)id;
        nb.p = (uint8_t)p;
        ptk_vec_push(&s->bufs, nb);
        b = &s->bufs.data[s->bufs.len - 1];
      }
      for (int q = 0; q < NP; q++) b->clk[q] = s->know[p][q];
      b->clk[p] = t - 1;
      return;
    }
    for (size_t i = 0; i < s->bufs.len; i++) {
      const bufst *b = &s->bufs.data[i];
      if (b->id != (uint32_t)id || b->p == p) continue;
      for (int q = 0; q < NP; q++)
        if (q != p && b->clk[q] > s->know[p][q]) s->know[p][q] = b->clk[q];
    }
    return;
  }
  case PTK_OP_SET_FLAG:
  case PTK_OP_SET_FLAG_DYN:
  case PTK_OP_RECORD_EVENT: set = true; break;
  case PTK_OP_WAIT_FLAG:
  case PTK_OP_WAIT_FLAG_DYN:
  case PTK_OP_WAIT_EVENT: wait = true; break;
  default: return;
  }
  (void)wait;
  bool ev = op->kind == PTK_OP_RECORD_EVENT || op->kind == PTK_OP_WAIT_EVENT;
  int a = sync_pipe(c, op, ev ? "src_op" : "src_pipe"),
      b = sync_pipe(c, op, ev ? "dst_op" : "dst_pipe");
  char name[40];
  int64_t e = sync_event(c, op, name);
  if (a < 0 || b < 0 || e < 0 || e > UINT32_MAX) return;
  flagst *f = find_flag(s, a, b, (uint32_t)e);
  if (set) {
    if (f) {
      if (!c->dry && !reported(c, op, 100)) {
        finding(c, ptk_op_range(op),
                "unmatched flag: this %s sets %s from %s to %s, which is already set and "
                "not waited for",
                sync_word(op), name, ptk_pipe_name((ptk_pipe)a), ptk_pipe_name((ptk_pipe)b));
        if (f->op) ptk_note(c->d, ptk_op_range(f->op), "it was set here");
      }
      return;
    }
    flagst nf;
    memset(&nf, 0, sizeof nf);
    nf.a = (uint8_t)a;
    nf.b = (uint8_t)b;
    nf.e = (uint32_t)e;
    memcpy(nf.name, name, sizeof nf.name);
    for (int p = 0; p < NP; p++) nf.clk[p] = s->know[a][p];
    nf.clk[a] = t - 1;
    nf.op = op;
    ptk_vec_push(&s->flags, nf);
    return;
  }
  if (!f) {
    if (!c->dry && !reported(c, op, 101))
      finding(c, ptk_op_range(op),
              "unmatched flag: this %s waits for %s from %s to %s, but no set_flag sets "
              "it before (on some path)",
              sync_word(op), name, ptk_pipe_name((ptk_pipe)a), ptk_pipe_name((ptk_pipe)b));
    return;
  }
  for (int p = 0; p < NP; p++)
    if (f->clk[p] > s->know[b][p]) s->know[b][p] = f->clk[p];
  *f = s->flags.data[--s->flags.len];
}

static void end_of_function(sctx *c, ptk_op *ret, state *s) {
  if (!c->check) {
    if (!c->dry && c->pipe_work) {
      ptk_op_insert_before(ret, mk_barrier(c, ret->loc));
      if (c->st) c->st->barriers++;
    }
    return;
  }
  if (c->dry) return;
  for (size_t i = 0; i < s->flags.len; i++) {
    const flagst *f = &s->flags.data[i];
    if (reported(c, f->op ? f->op : ret, 102)) continue;
    finding(c, f->op ? ptk_op_range(f->op) : ptk_op_range(ret),
            "unmatched flag: %s from %s to %s is set here but never waited for before the "
            "function returns",
            f->name, ptk_pipe_name((ptk_pipe)f->a), ptk_pipe_name((ptk_pipe)f->b));
  }
}

static void loop_flags_error(sctx *c, ptk_op *op, const state *end, const state *start) {
  if (c->dry || flags_equal(end, start) || reported(c, op, 103)) return;
  ptk_buf why = {0};
  flag_diff(end, start, &why);
  if (!why.len) {
    ptk_buf_puts(&why, "waited for but not set again: ");
    flag_diff(start, end, &why);
  }
  finding(c, ptk_op_range(op),
            "unmatched flag: an iteration of this loop leaves different flags set than it "
            "starts with: %s",
            ptk_buf_cstr(&why));
  ptk_buf_free(&why);
  c->ok = false;
}

static void walk_regions(sctx *c, ptk_region *const *regs, int nreg, state *s) {
  for (int i = 0; i < nreg; i++) walk_region(c, regs[i], s);
}

/* Loops. `once`: the loop runs at least one iteration. */
static void loop_body(sctx *c, ptk_op *op, ptk_region *const *regs, int nreg, bool once,
                      state *s) {
  /* A dry iteration: what one iteration leaves behind for the next. */
  state d1;
  st_copy(c, &d1, s);
  c->dry++;
  walk_regions(c, regs, nreg, &d1);
  c->dry--;
  if (c->check) {
    /* The first iteration starts from the state before the loop, later
     * ones from what an iteration leaves: check both (each problem is
     * reported once). */
    /* Both walks give an op the same time (the clock restarts at t1,
     * after the dry iteration's times), so their end states join op by
     * op: the join never sets one walk's later access against the other
     * walk's knowledge, which reported hazards that exist on neither
     * path. */
    uint64_t t1 = c->now;
    state p1, p2;
    st_copy(c, &p1, s);
    walk_regions(c, regs, nreg, &p1);
    loop_flags_error(c, op, &p1, s);
    st_copy(c, &p2, &d1);
    c->now = t1;
    walk_regions(c, regs, nreg, &p2);
    loop_flags_error(c, op, &p2, &d1);
    st_join(c, &p1, &p2);
    if (!once) st_join(c, &p1, s);
    st_free(&p2);
    st_free(&d1);
    st_free(s);
    *s = p1;
    return;
  }
  /* Inserting: one real iteration from the join of both entry states, so
   * the syncs it inserts serve every iteration. */
  state entry;
  st_copy(c, &entry, s);
  st_join(c, &entry, &d1);
  st_free(&d1);
  state tmp;
  st_copy(c, &tmp, &entry);
  walk_regions(c, regs, nreg, &tmp);
  if (!once) st_join(c, &tmp, &entry);
  st_free(&entry);
  st_free(s);
  *s = tmp;
}

static void walk_op(sctx *c, ptk_op *op, state *s) {
  c->now++;
  switch (op->kind) {
  case PTK_OP_SCF_IF: {
    state other;
    st_copy(c, &other, s);
    if (op->nregions > 0) walk_region(c, &op->regions[0], s);
    if (op->nregions > 1) walk_region(c, &op->regions[1], &other);
    if (c->check && !c->dry && !flags_equal(s, &other)) {
      ptk_buf why = {0};
      flag_diff(s, &other, &why);
      if (why.len) ptk_buf_puts(&why, " in the 'then' branch only");
      ptk_buf tmp = {0};
      flag_diff(&other, s, &tmp);
      if (tmp.len)
        ptk_buf_printf(&why, "%s%s in the 'else' branch only", why.len ? "; " : "",
                       ptk_buf_cstr(&tmp));
      ptk_buf_free(&tmp);
      finding(c, ptk_op_range(op),
                "unmatched flag: the branches of this scf.if leave different flags set: %s",
                ptk_buf_cstr(&why));
      ptk_buf_free(&why);
      c->ok = false;
    }
    st_join(c, s, &other);
    st_free(&other);
    break;
  }
  case PTK_OP_SCF_FOR: {
    ptk_region *r = &op->regions[0];
    int64_t lb, ub, step;
    unsigned w = op->noperands >= 3 ? pu_int_bits(op->operands[0]->type) : 0;
    bool once = w && pu_const_int(op->operands[0], &lb) && pu_const_int(op->operands[1], &ub) &&
                pu_const_int(op->operands[2], &step) && pu_sext((uint64_t)step, w) > 0 &&
                pu_sext((uint64_t)lb, w) < pu_sext((uint64_t)ub, w);
    loop_body(c, op, &r, 1, once, s);
    break;
  }
  case PTK_OP_SCF_WHILE: {
    ptk_region *rs[2] = {&op->regions[0], op->nregions > 1 ? &op->regions[1] : &op->regions[0]};
    loop_body(c, op, rs, op->nregions > 1 ? 2 : 1, false, s);
    break;
  }
  case PTK_OP_FUNC_CALL:
    if (!c->check && !c->dry) {
      ptk_op_insert_before(op, mk_barrier(c, op->loc));
      if (c->st) c->st->barriers++;
    }
    full_barrier(s, c->now);
    break;
  case PTK_OP_FUNC_RETURN: end_of_function(c, op, s); break;
  default:
    if (ptk_op_table[op->kind].flags & PTK_OPF_SYNC) {
      if (c->check) sync_op(c, op, s);
      break;
    }
    if (op->nregions) { /* sections: inline */
      for (uint32_t i = 0; i < op->nregions; i++) walk_region(c, &op->regions[i], s);
      break;
    }
    ptk_pipe p = ptk_op_pipe(op);
    if (p != PTK_PIPE_NONE) pipe_op(c, op, s, p);
    break;
  }
  if (op->uid >= c->nendt) {
    uint32_t cap = c->nendt ? c->nendt : 256;
    while (cap <= op->uid) cap *= 2;
    c->endt = ptk_xrealloc(c->endt, cap * sizeof *c->endt);
    memset(c->endt + c->nendt, 0, (cap - c->nendt) * sizeof *c->endt);
    c->nendt = cap;
  }
  c->endt[op->uid] = c->now;
}

static void walk_region(sctx *c, ptk_region *r, state *s) {
  for (ptk_block *b = r->first; b; b = b->next)
    for (ptk_op *op = b->first, *next; op; op = next) {
      next = op->next;
      walk_op(c, op, s);
    }
}

static bool has_flags(ptk_op *op, void *p) {
  (void)p;
  return !(ptk_op_table[op->kind].flags & PTK_OPF_SYNC);
}

static bool run_func(ptk_func *f, bool check, bool warn, ptk_diags *d, ptk_sync_stats *st) {
  sctx c;
  memset(&c, 0, sizeof c);
  c.warn = warn;
  c.m = f->module;
  c.f = f;
  c.check = check;
  c.d = d;
  c.ok = true;
  c.st = st;
  if (!check) pu_order_func(&c.ord, f, 0); /* placement of inserted sets */
  build_slots(&c);
  state s;
  st_init(&c, &s);
  c.now = 1;
  walk_region(&c, f->body, &s);
  st_free(&s);
  pu_order_free(&c.ord);
  pu_alias_free(&c.al);
  ptk_vec_free(&c.slots);
  ptk_vec_free(&c.conf);
  ptk_vec_free(&c.gnodes);
  ptk_vec_free(&c.acc);
  ptk_vec_free(&c.reported);
  free(c.ghead);
  free(c.arg_slot);
  free(c.endt);
  return c.ok;
}

void ptk_insert_sync(ptk_module *m, ptk_sync_stats *st) {
  if (st) memset(st, 0, sizeof *st);
  pu_funcs fs = {0};
  pu_collect_funcs(m, &fs);
  for (size_t i = 0; i < fs.len; i++) {
    if (!ptk_walk_func(fs.data[i], has_flags, NULL)) {
      if (st) st->skipped++;
      continue;
    }
    run_func(fs.data[i], false, false, NULL, st);
  }
  ptk_vec_free(&fs);
}

bool ptk_func_has_sync(ptk_func *f) { return f->body && !ptk_walk_func(f, has_flags, NULL); }

bool ptk_check_sync_func(ptk_func *f, bool warn, ptk_diags *d) {
  return f->body ? run_func(f, true, warn, d, NULL) : true;
}

bool ptk_check_sync_as_written(ptk_module *m, bool explicit_mode, ptk_diags *d) {
  bool ok = true;
  pu_funcs fs = {0};
  pu_collect_funcs(m, &fs);
  for (size_t i = 0; i < fs.len; i++)
    if (fs.data[i]->body && (explicit_mode || ptk_func_has_sync(fs.data[i])))
      ok &= run_func(fs.data[i], true, false, d, NULL);
  ptk_vec_free(&fs);
  return ok;
}

bool ptk_check_sync(ptk_module *m, ptk_diags *d) {
  bool ok = true;
  pu_funcs fs = {0};
  pu_collect_funcs(m, &fs);
  for (size_t i = 0; i < fs.len; i++) ok &= run_func(fs.data[i], true, false, d, NULL);
  ptk_vec_free(&fs);
  return ok;
}
