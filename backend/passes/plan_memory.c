/* plan-memory: liveness-based tile addresses per on-chip memory (see
 * passes.h), and the no-overlap invariant checker.
 *
 * Liveness. Ops are numbered in pre-order; a region op spans [pos, end]
 * (its nested ops). Tile values that denote the same storage (treshape,
 * bitcast, subview, tassign results; scf.if results and the yields feeding
 * them; scf.for inits, iter_args, yields and results; scf.while arguments;
 * arith.select) are united (union-find). A tile's contents start to matter
 * at its first use when that use is a plain write of the whole tile in the
 * alloc's own block (so it dominates every other use); otherwise the tile
 * may be read before it is written and must see a fresh (zeroed) memory,
 * so it lives from the start of the function. A group's interval covers
 * those starts and every use of any of its values; a use inside a loop that
 * does not contain all of the group's starts stretches the interval over
 * the whole loop; an alloc inside a loop whose first use does not define it
 * may see the previous iteration's contents, so its group lives across its
 * outermost loop. Every alloc of a group gets the group's interval.
 *
 * Placement. Per memory, tiles sorted by interval start (larger first on
 * ties) are placed first-fit at PTK_TILE_ALIGN-aligned addresses, avoiding
 * the tiles still live (linear scan, expired by interval end) and the
 * tiles with a fixed address whose interval overlaps. Callees are planned
 * above everything their callers use (a static call stack). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "backend/lower.h"
#include "backend/passes/pass_util.h"

typedef struct tile_rec {
  ptk_op *op; /* the alloc_tile */
  ptk_space loc;
  uint64_t bytes; /* rows * cols * element size */
  uint64_t size;  /* aligned */
  int64_t addr;   /* -1: none yet */
  bool fixed;     /* had an addr before planning */
  bool dyn_addr;  /* addr operand is not a constant */
  bool over;      /* placed over other tiles: nothing writes it (plan_space) */
  uint32_t lo, hi;
  uint32_t group;
} tile_rec;

typedef struct group_rec {
  uint32_t lo, hi;     /* live interval */
  uint32_t amin, amax; /* alloc positions */
  bool written;        /* some op may write one of its values */
} group_rec;

typedef struct live {
  ptk_func *f;
  ptk_target target;
  pu_order ord;
  uint32_t nvals;
  pu_alias al;
  int32_t *grp_of;   /* uf root uid -> group index */
  ptk_op **first_use;/* value uid -> first op (pre-order) using it */
  PTK_VEC(tile_rec) tiles;
  PTK_VEC(group_rec) groups;
} live;

/* The operand index of a tmp the op does not touch on the target (A5's
 * library ignores some A2/A3 scratch tiles; ptoas does not count them as
 * uses either), or -1. */
static int untouched_tmp(const live *L, const ptk_op *op) {
  bool written;
  int k = ptk_op_tmp_operand(op, L->target, &written);
  return written ? -1 : k;
}

static bool collect_allocs(ptk_op *op, void *p) {
  live *L = p;
  /* The first use that touches the data (valid-shape updates do not). */
  int skip = untouched_tmp(L, op);
  if (op->kind != PTK_OP_SET_VALIDSHAPE && op->kind != PTK_OP_GET_VALIDSHAPE)
    for (uint32_t i = 0; i < op->noperands; i++) {
      ptk_value *v = op->operands[i];
      if ((int)i == skip) continue;
      if (v && v->uid < L->nvals && !L->first_use[v->uid]) L->first_use[v->uid] = op;
    }
  /* a multi-buffered tile: its N slots, one block (slot k at addr + k * slot bytes) */
  int64_t count = 1;
  const ptk_type *ty = op->kind == PTK_OP_ALLOC_TILE ? op->results[0].type : NULL;
  if (op->kind == PTK_OP_ALLOC_MULTI_TILE && op->nresults == 1) {
    ptk_diags *q = ptk_diags_new(); /* an unreadable slot type is the engines' error */
    ty = ptk_lower_multi_slot(L->f->module, op, op->results[0].type, &count, q);
    ptk_diags_free(q);
  }
  if (!ty || op->nresults != 1 || !ptk_type_is_tile(ty)) return true;
  const ptk_tile_desc *t = &ty->tile;
  tile_rec r;
  memset(&r, 0, sizeof r);
  r.op = op;
  r.loc = t->loc;
  r.bytes = pu_tile_bytes(t) * (uint64_t)count;
  r.size = (r.bytes + PTK_TILE_ALIGN - 1) / PTK_TILE_ALIGN * PTK_TILE_ALIGN;
  r.addr = -1;
  uint32_t n;
  ptk_value **a = ptk_op_segment(op, 0, &n);
  if (n == 1) {
    r.fixed = true;
    int64_t v;
    if (pu_const_int(a[0], &v))
      r.addr = v;
    else
      r.dyn_addr = true;
  }
  ptk_vec_push(&L->tiles, r);
  return true;
}

static int32_t group_of_value(live *L, const ptk_value *v) {
  if (!v || v->uid >= L->nvals || !pu_tile(v)) return -1;
  return L->grp_of[pu_alias_find(&L->al, v->uid)];
}

static void stretch(group_rec *g, uint32_t lo, uint32_t hi) {
  if (lo < g->lo) g->lo = lo;
  if (hi > g->hi) g->hi = hi;
}

/* Can `op` change the contents of its tile operand i? DPS ins are read (a
 * scratch tmp is written where the op writes it); valid-shape updates and
 * the ops that only name the same storage (the aliases united in pu_alias)
 * are no writes; any other use may be one. */
static bool may_write(const live *L, const ptk_op *op, uint32_t i) {
  switch (op->kind) {
  case PTK_OP_SET_VALIDSHAPE:
  case PTK_OP_GET_VALIDSHAPE:
  case PTK_OP_TRESHAPE:
  case PTK_OP_BITCAST:
  case PTK_OP_SUBVIEW:
  case PTK_OP_TASSIGN:
  case PTK_OP_ARITH_SELECT:
  case PTK_OP_SCF_IF:
  case PTK_OP_SCF_FOR:
  case PTK_OP_SCF_WHILE:
  case PTK_OP_SCF_YIELD:
  case PTK_OP_SCF_CONDITION:
  case PTK_OP_FUNC_RETURN: return false;
  default: break;
  }
  uint32_t ni;
  if (ptk_op_table[op->kind].family != PTK_FAM_DPS || !pu_ins(op, &ni) || i >= ni) return true;
  bool written;
  return ptk_op_tmp_operand(op, L->target, &written) == (int)i && written;
}

static bool use_op(ptk_op *op, void *p) {
  live *L = p;
  uint32_t pos = L->ord.pos[op->uid];
  int skip = untouched_tmp(L, op);
  for (uint32_t i = 0; i < op->noperands; i++) {
    int32_t gi = (int)i == skip ? -1 : group_of_value(L, op->operands[i]);
    if (gi < 0) continue;
    group_rec *g = &L->groups.data[gi];
    if (may_write(L, op, i)) g->written = true;
    stretch(g, pos, pos);
    for (ptk_op *x = pu_parent_op(op); x; x = pu_parent_op(x)) {
      if (!pu_is_loop(x)) continue;
      uint32_t s = L->ord.pos[x->uid], e = L->ord.end[x->uid];
      if (g->amin < s || g->amax > e) stretch(g, s, e);
    }
  }
  return true;
}

/* Ops whose DPS outs may keep part of the old contents. */
static bool partial_writer(ptk_op_kind k) {
  switch (k) {
  case PTK_OP_TAXPY:
  case PTK_OP_TSETVAL:
  case PTK_OP_TINSERT:
  case PTK_OP_TINSERT_FP:
  case PTK_OP_TFILLPAD_INPLACE:
  case PTK_OP_TPARTADD:
  case PTK_OP_TPARTMAX:
  case PTK_OP_TPARTMIN:
  case PTK_OP_TPARTMUL:
  case PTK_OP_TMRGSORT: return true;
  default: return false;
  }
}

/* Is `u`, the first op using alloc result v, a plain write of all of v? */
static bool first_use_defines(const ptk_op *alloc, const ptk_op *u, const ptk_value *v) {
  if (!u || u->block != alloc->block) return false;
  if (ptk_op_table[u->kind].family != PTK_FAM_DPS || partial_writer(u->kind)) return false;
  uint32_t ni, no;
  ptk_value **ins = pu_ins(u, &ni), **outs = pu_outs(u, &no);
  bool out = false;
  for (uint32_t i = 0; i < no; i++) out |= outs[i] == v;
  for (uint32_t i = 0; i < ni; i++)
    if (ins[i] == v) return false;
  return out;
}

static void live_compute(live *L, ptk_func *f, ptk_target target) {
  memset(L, 0, sizeof *L);
  L->f = f;
  L->target = target;
  pu_order_func(&L->ord, f, 0);
  L->nvals = ptk_module_value_count(f->module);
  L->grp_of = ptk_xmalloc((L->nvals + 1) * sizeof *L->grp_of);
  memset(L->grp_of, 0xff, (L->nvals + 1) * sizeof *L->grp_of);
  L->first_use = ptk_xcalloc(L->nvals + 1, sizeof *L->first_use);
  pu_alias_build(&L->al, f);
  ptk_walk_func(f, collect_allocs, L);
  for (size_t i = 0; i < L->tiles.len; i++) {
    tile_rec *t = &L->tiles.data[i];
    const ptk_value *v = &t->op->results[0];
    uint32_t root = pu_alias_find(&L->al, v->uid);
    /* The tile's contents matter from its first write when that write
     * defines the whole tile before anything else can see it; otherwise
     * (read before written: zeros in a fresh memory) from the start. */
    const ptk_op *u = L->first_use[v->uid];
    uint32_t pos = u && first_use_defines(t->op, u, v) ? L->ord.pos[u->uid] : 0;
    if (!u) pos = L->ord.pos[t->op->uid];
    if (L->grp_of[root] < 0) {
      group_rec g = {pos, pos, pos, pos, false};
      ptk_vec_push(&L->groups, g);
      L->grp_of[root] = (int32_t)(L->groups.len - 1);
    }
    group_rec *g = &L->groups.data[L->grp_of[root]];
    stretch(g, pos, pos);
    if (pos < g->amin) g->amin = pos;
    if (pos > g->amax) g->amax = pos;
    t->group = (uint32_t)L->grp_of[root];
  }
  ptk_walk_func(f, use_op, L);
  /* Allocs in loops whose contents may carry over between iterations. */
  for (size_t i = 0; i < L->tiles.len; i++) {
    tile_rec *t = &L->tiles.data[i];
    ptk_op *outer = NULL;
    for (ptk_op *x = pu_parent_op(t->op); x; x = pu_parent_op(x))
      if (pu_is_loop(x)) outer = x;
    if (!outer) continue;
    const ptk_value *v = &t->op->results[0];
    if (first_use_defines(t->op, L->first_use[v->uid], v)) continue;
    stretch(&L->groups.data[t->group], L->ord.pos[outer->uid], L->ord.end[outer->uid]);
  }
  for (size_t i = 0; i < L->tiles.len; i++) {
    tile_rec *t = &L->tiles.data[i];
    t->lo = L->groups.data[t->group].lo;
    t->hi = L->groups.data[t->group].hi;
  }
}

static void live_free(live *L) {
  pu_order_free(&L->ord);
  pu_alias_free(&L->al);
  free(L->grp_of);
  free(L->first_use);
  ptk_vec_free(&L->tiles);
  ptk_vec_free(&L->groups);
}

/* ======================================================================
 * Placement
 * ====================================================================== */

typedef struct range {
  uint64_t lo, hi; /* [lo, hi) bytes */
} range;

static int cmp_range(const void *a, const void *b) {
  const range *x = a, *y = b;
  return (x->lo > y->lo) - (x->lo < y->lo);
}

typedef struct sort_ent {
  uint32_t lo, hi;
  uint64_t size;
  uint32_t idx;
} sort_ent;

static int cmp_start(const void *a, const void *b) {
  const sort_ent *x = a, *y = b;
  if (x->lo != y->lo) return x->lo < y->lo ? -1 : 1;
  if (x->size != y->size) return x->size > y->size ? -1 : 1;
  return (x->idx > y->idx) - (x->idx < y->idx);
}

static uint64_t align_up(uint64_t v) {
  return (v + PTK_TILE_ALIGN - 1) / PTK_TILE_ALIGN * PTK_TILE_ALIGN;
}

typedef struct ev {
  uint64_t pos; /* 2*pos (+1 for ends) so that an end at p comes after starts at p */
  int64_t delta;
} ev;

static int cmp_ev(const void *a, const void *b) {
  const ev *x = a, *y = b;
  return (x->pos > y->pos) - (x->pos < y->pos);
}

/* Peak of simultaneously live bytes among tiles[idx[0..n)] and the
 * position where it is reached. */
static uint64_t peak_of(const tile_rec *tiles, const uint32_t *idx, size_t n, uint32_t *at) {
  if (!n) {
    *at = 0;
    return 0;
  }
  ev *evs = ptk_xmalloc(2 * n * sizeof *evs);
  for (size_t i = 0; i < n; i++) {
    const tile_rec *t = &tiles[idx[i]];
    evs[2 * i] = (ev){2ull * t->lo, (int64_t)t->size};
    evs[2 * i + 1] = (ev){2ull * t->hi + 1, -(int64_t)t->size};
  }
  qsort(evs, 2 * n, sizeof *evs, cmp_ev);
  int64_t cur = 0, best = 0;
  uint64_t best_at = 0;
  for (size_t i = 0; i < 2 * n; i++) {
    cur += evs[i].delta;
    if (cur > best) {
      best = cur;
      best_at = evs[i].pos / 2;
    }
  }
  free(evs);
  *at = (uint32_t)best_at;
  return (uint64_t)best;
}

typedef struct planner {
  ptk_target target;
  ptk_diags *d;
  ptk_mem_stats *st;
  bool ok;
} planner;

static void type_str(const ptk_op *op, char *buf, size_t n) {
  char *s = ptk_type_str(op->results[0].type);
  snprintf(buf, n, "%s", s);
  free(s);
}

static void tile_name(const ptk_op *op, char *buf, size_t n) {
  const char *h = op->results[0].name;
  if (h)
    snprintf(buf, n, "'%%%s'", h);
  else
    snprintf(buf, n, "at line %u", op->loc.line);
}

static void report_overflow(planner *P, live *L, ptk_space sp, const uint32_t *idx, size_t n,
                            const tile_rec *bad, uint64_t base) {
  uint32_t cap = ptk_target_capacity(P->target, sp);
  uint32_t at;
  uint64_t peak = peak_of(L->tiles.data, idx, n, &at);
  if (peak + base <= cap) {
    /* Fragmentation (or the space callers use): name the tiles live when
     * the failing tile starts. */
    at = bad->lo;
  }
  uint64_t live_bytes = 0;
  size_t nlive = 0;
  for (size_t i = 0; i < n; i++) {
    const tile_rec *t = &L->tiles.data[idx[i]];
    if (t->lo <= at && at <= t->hi) {
      live_bytes += t->size;
      nlive++;
    }
  }
  char ty[256], nm[96];
  tile_name(bad->op, nm, sizeof nm);
  ptk_error(P->d, ptk_op_range(bad->op),
            "plan-memory: %s memory (%s) overflows: %zu tiles are live at the peak and need %" PRIu64
            " bytes%s, but its capacity on %s is %u bytes (%u KiB); tile %s (%" PRIu64
            " bytes) does not fit",
            ptk_space_name(sp), ptk_mem_name(sp), nlive, live_bytes + base,
            base ? " (above the space of the calling functions)" : "", ptk_target_name(P->target),
            cap, cap / 1024, nm, bad->size);
  size_t shown = 0;
  for (size_t i = 0; i < n; i++) {
    const tile_rec *t = &L->tiles.data[idx[i]];
    if (!(t->lo <= at && at <= t->hi)) continue;
    if (shown == 24) {
      ptk_note(P->d, ptk_range_none(), "… and %zu more live tiles", nlive - shown);
      break;
    }
    type_str(t->op, ty, sizeof ty);
    tile_name(t->op, nm, sizeof nm);
    ptk_note(P->d, ptk_op_range(t->op), "tile %s (%" PRIu64 " bytes, %s) is live at the peak", nm,
             t->size, ty);
    shown++;
  }
  P->ok = false;
}

typedef PTK_VEC(uint32_t) idx_vec;
typedef PTK_VEC(sort_ent) ent_vec;

static bool unwritten(const live *L, const tile_rec *t) { return !L->groups.data[t->group].written; }

/* One placement of `todo` (sorted by start) around the `fixed` tiles, from
 * address `base`. With `over`, a tile nothing writes gets no space of its
 * own: it sits at `base`, over whatever is there (ptoas reserves none for
 * it: PTOPlanMemory starts a buffer's life at its first write, and
 * AllocToPointerCast gives the others addresses that may overlap; its
 * contents are undefined). False when the memory overflows, reported when
 * `report` (naming the tiles that have space of their own). */
static bool place(planner *P, live *L, ptk_space sp, uint64_t base, const idx_vec *all,
                  const ent_vec *todo, const idx_vec *fixed, bool over, bool report,
                  uint64_t *used_out) {
  uint32_t cap = ptk_target_capacity(P->target, sp);
  uint64_t used = 0;
  for (size_t i = 0; i < fixed->len; i++) {
    const tile_rec *t = &L->tiles.data[fixed->data[i]];
    if ((uint64_t)t->addr + t->size > used) used = (uint64_t)t->addr + t->size;
  }
  idx_vec shown = {0}; /* the tiles an overflow report names */
  for (size_t i = 0; i < all->len; i++)
    if (!over || !unwritten(L, &L->tiles.data[all->data[i]]) || L->tiles.data[all->data[i]].fixed)
      ptk_vec_push(&shown, all->data[i]);
  PTK_VEC(uint32_t) active = {0}; /* planned tiles still live */
  PTK_VEC(range) occ = {0};
  bool overflowed = false;
  for (size_t k = 0; k < todo->len; k++) {
    tile_rec *t = &L->tiles.data[todo->data[k].idx];
    t->over = over && unwritten(L, t);
    if (t->over) {
      t->addr = (int64_t)base;
      if (base + t->size > used) used = base + t->size;
      if (base + t->size > cap && !overflowed) { /* it alone is too big */
        if (report) report_overflow(P, L, sp, &todo->data[k].idx, 1, t, base);
        overflowed = true;
      }
      continue;
    }
    /* Expire. */
    size_t w = 0;
    for (size_t i = 0; i < active.len; i++)
      if (L->tiles.data[active.data[i]].hi >= t->lo) active.data[w++] = active.data[i];
    active.len = w;
    occ.len = 0;
    for (size_t i = 0; i < active.len; i++) {
      const tile_rec *o = &L->tiles.data[active.data[i]];
      range r = {(uint64_t)o->addr, (uint64_t)o->addr + o->size};
      ptk_vec_push(&occ, r);
    }
    for (size_t i = 0; i < fixed->len; i++) {
      const tile_rec *o = &L->tiles.data[fixed->data[i]];
      if (o->hi < t->lo || o->lo > t->hi) continue;
      range r = {(uint64_t)o->addr, (uint64_t)o->addr + o->size};
      ptk_vec_push(&occ, r);
    }
    if (occ.len > 1) qsort(occ.data, occ.len, sizeof *occ.data, cmp_range);
    uint64_t a = base;
    for (size_t i = 0; i < occ.len; i++) {
      if (a + t->size <= occ.data[i].lo) break;
      if (occ.data[i].hi > a) a = align_up(occ.data[i].hi);
    }
    t->addr = (int64_t)a;
    if (a + t->size > used) used = a + t->size;
    if (a + t->size > cap && !overflowed) {
      if (report) report_overflow(P, L, sp, shown.data, shown.len, t, base);
      overflowed = true;
    }
    ptk_vec_push(&active, todo->data[k].idx);
  }
  ptk_vec_free(&active);
  ptk_vec_free(&occ);
  ptk_vec_free(&shown);
  *used_out = used;
  return !overflowed;
}

/* Plans one memory of one function; tiles with addresses get `base` added.
 * Every tile gets space of its own when they fit (a tile read before any
 * write then reads zeros); when they do not, tiles nothing writes give up
 * theirs, as in ptoas. */
static void plan_space(planner *P, live *L, ptk_space sp, uint64_t base, uint64_t *used_out) {
  idx_vec all = {0}, fixed = {0};
  ent_vec todo = {0};
  bool any_unwritten = false;
  for (size_t i = 0; i < L->tiles.len; i++) {
    tile_rec *t = &L->tiles.data[i];
    if (t->loc != sp) continue;
    ptk_vec_push(&all, (uint32_t)i);
    if (t->fixed) {
      if (!t->dyn_addr) ptk_vec_push(&fixed, (uint32_t)i);
      continue;
    }
    any_unwritten |= unwritten(L, t);
    sort_ent e = {t->lo, t->hi, t->size, (uint32_t)i};
    ptk_vec_push(&todo, e);
  }
  uint64_t used = 0;
  if (!all.len) goto out;
  if (todo.len) {
    for (size_t i = 0; i < all.len; i++) {
      const tile_rec *t = &L->tiles.data[all.data[i]];
      if (t->dyn_addr) {
        ptk_error(P->d, ptk_op_range(t->op),
                  "plan-memory: cannot plan %s memory around a tile whose address is not a "
                  "constant",
                  ptk_space_name(sp));
        P->ok = false;
        goto out;
      }
    }
    if (todo.len > 1) qsort(todo.data, todo.len, sizeof *todo.data, cmp_start);
  }
  if (!place(P, L, sp, base, &all, &todo, &fixed, false, !any_unwritten, &used) && any_unwritten)
    place(P, L, sp, base, &all, &todo, &fixed, true, true, &used);
  if (P->st) {
    uint32_t at;
    uint64_t pk = peak_of(L->tiles.data, all.data, all.len, &at) + base;
    if (pk > P->st->peak[sp]) P->st->peak[sp] = pk;
    if (used > P->st->used[sp]) P->st->used[sp] = used;
    for (size_t i = 0; i < all.len; i++) P->st->total[sp] += L->tiles.data[all.data[i]].size;
    P->st->ntiles[sp] += (uint32_t)all.len;
    P->st->planned += (uint32_t)todo.len;
  }
out:
  *used_out = used;
  ptk_vec_free(&all);
  ptk_vec_free(&todo);
  ptk_vec_free(&fixed);
}

/* Rewrites the planned alloc_tile / alloc_multi_tile ops with their `addr` operands. */
static void apply(live *L, uint8_t **planned, uint32_t *nplanned) {
  pu_cpool pool;
  pu_cpool_init(&pool, L->f);
  pu_repl repl = {0};
  ptk_module *m = L->f->module;
  const ptk_type *i64 = ptk_type_scalar(PTK_DT_I64);
  for (size_t i = 0; i < L->tiles.len; i++) {
    tile_rec *t = &L->tiles.data[i];
    if (t->fixed || t->addr < 0) continue;
    ptk_op *old = t->op;
    ptk_value *addr = pu_cpool_int(&pool, t->addr, i64, old->loc);
    uint32_t nr, nc;
    ptk_value **vr = ptk_op_segment(old, 1, &nr), **vc = ptk_op_segment(old, 2, &nc);
    ptk_value *ops[3];
    uint32_t n = 0;
    ops[n++] = addr;
    for (uint32_t k = 0; k < nr && n < 3; k++) ops[n++] = vr[k];
    for (uint32_t k = 0; k < nc && n < 3; k++) ops[n++] = vc[k];
    const ptk_type *rt = old->results[0].type;
    ptk_op *nw = ptk_op_new(m, old->kind, ops, n, &rt, 1, 0, old->loc);
    uint32_t segs[3] = {1, nr, nc};
    ptk_op_set_segments(m, nw, segs, 3);
    for (uint32_t k = 0; k < old->nattrs; k++)
      ptk_op_set_attr(nw, old->attrs[k].name, old->attrs[k].value);
    if (old->form) ptk_op_set_form(m, nw, old->form); /* a memref buffer stays one (PTK_FORM_MEMREF) */
    nw->results[0].name = old->results[0].name;
    nw->results[0].loc = old->results[0].loc;
    ptk_op_insert_before(old, nw);
    ptk_op_unlink(old);
    pu_repl_set(&repl, &old->results[0], &nw->results[0]);
    if (nw->uid >= *nplanned) {
      uint32_t cap = *nplanned ? *nplanned : 256;
      while (cap <= nw->uid) cap *= 2;
      *planned = ptk_xrealloc(*planned, cap);
      memset(*planned + *nplanned, 0, cap - *nplanned);
      *nplanned = cap;
    }
    (*planned)[nw->uid] = t->over ? 2 : 1;
    t->op = nw;
  }
  pu_repl_func(&repl, L->f);
  pu_repl_free(&repl);
  pu_cpool_free(&pool);
}

/* ---- call graph: callers before callees ---- */

static ptk_func *callee_of(const ptk_op *op, ptk_module *top) {
  const ptk_attr *a = ptk_op_attr(op, "callee");
  if (!a || a->kind != PTK_ATTR_SYMBOL) return NULL;
  char *name = ptk_xstrndup(a->str.s, a->str.len);
  ptk_func *f = ptk_module_find_func_nested(top, name);
  free(name);
  return f && f->body ? f : NULL;
}

typedef struct cg {
  pu_funcs *fs;
  ptk_module *top;
  size_t self;
  uint8_t *edge; /* [caller * n + callee] */
} cg;

static size_t func_index(pu_funcs *fs, ptk_func *f) {
  for (size_t i = 0; i < fs->len; i++)
    if (fs->data[i] == f) return i;
  return (size_t)-1;
}

static bool cg_op(ptk_op *op, void *p) {
  cg *g = p;
  if (op->kind != PTK_OP_FUNC_CALL) return true;
  ptk_func *f = callee_of(op, g->top);
  size_t j = f ? func_index(g->fs, f) : (size_t)-1;
  if (j != (size_t)-1 && j != g->self) g->edge[g->self * g->fs->len + j] = 1;
  return true;
}

bool ptk_plan_memory(ptk_module *m, ptk_target target, ptk_mem_stats *st, ptk_diags *d) {
  ptk_mem_stats local;
  if (!st) st = &local;
  memset(st, 0, sizeof *st);
  planner P = {target, d, st, true};
  pu_funcs fs = {0};
  pu_collect_funcs(m, &fs);
  size_t n = fs.len;
  cg g = {&fs, ptk_module_top(m), 0, ptk_xcalloc(n * n + 1, 1)};
  for (size_t i = 0; i < n; i++) {
    g.self = i;
    ptk_walk_func(fs.data[i], cg_op, &g);
  }
  /* Kahn: callers first. */
  size_t *order = ptk_xmalloc((n + 1) * sizeof *order), no = 0;
  uint32_t *indeg = ptk_xcalloc(n + 1, sizeof *indeg);
  bool *done = ptk_xcalloc(n + 1, sizeof *done);
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++) indeg[j] += g.edge[i * n + j];
  while (no < n) {
    size_t pick = (size_t)-1;
    for (size_t i = 0; i < n && pick == (size_t)-1; i++)
      if (!done[i] && indeg[i] == 0) pick = i;
    if (pick == (size_t)-1) /* a cycle: take the first left */
      for (size_t i = 0; i < n && pick == (size_t)-1; i++)
        if (!done[i]) pick = i;
    done[pick] = true;
    order[no++] = pick;
    for (size_t j = 0; j < n; j++)
      if (g.edge[pick * n + j] && indeg[j]) indeg[j]--;
  }
  uint64_t *top = ptk_xcalloc((n + 1) * PTK_SPACE__COUNT, sizeof *top); /* base + used per func */
  uint64_t *base = ptk_xcalloc((n + 1) * PTK_SPACE__COUNT, sizeof *base);
  uint32_t nplanned = 64;
  uint8_t *planned = ptk_xcalloc(nplanned, 1); /* never NULL: NULL means "check all pairs" */
  for (size_t k = 0; k < n; k++) {
    size_t i = order[k];
    live L;
    live_compute(&L, fs.data[i], target);
    for (int sp = PTK_SPACE_VEC; sp < PTK_SPACE__COUNT; sp++) {
      uint64_t b = align_up(base[i * PTK_SPACE__COUNT + sp]), used = 0;
      plan_space(&P, &L, (ptk_space)sp, b, &used);
      uint64_t t = used > b ? used : b;
      top[i * PTK_SPACE__COUNT + sp] = t;
      for (size_t j = 0; j < n; j++)
        if (g.edge[i * n + j] && base[j * PTK_SPACE__COUNT + sp] < t)
          base[j * PTK_SPACE__COUNT + sp] = t;
    }
    if (P.ok) apply(&L, &planned, &nplanned);
    live_free(&L);
  }
  free(order);
  free(indeg);
  free(done);
  free(top);
  free(base);
  free(g.edge);
  ptk_vec_free(&fs);
  if (P.ok) P.ok = ptk_check_memory_plan(m, target, planned, nplanned, d);
  free(planned);
  return P.ok;
}

/* ======================================================================
 * The invariant checker
 * ====================================================================== */

static bool is_planned(const uint8_t *planned, uint32_t n, const ptk_op *op) {
  if (!planned) return true;
  return op->uid < n && planned[op->uid];
}

/* Placed over other tiles on purpose (nothing writes it; plan_space). */
static bool is_over(const uint8_t *planned, uint32_t n, const ptk_op *op) {
  return planned && op->uid < n && planned[op->uid] == 2;
}

bool ptk_check_memory_plan(ptk_module *m, ptk_target target, const uint8_t *planned,
                           uint32_t nplanned, ptk_diags *d) {
  bool ok = true;
  pu_funcs fs = {0};
  pu_collect_funcs(m, &fs);
  for (size_t fi = 0; fi < fs.len; fi++) {
    live L;
    live_compute(&L, fs.data[fi], target);
    PTK_VEC(sort_ent) ents = {0};
    for (size_t i = 0; i < L.tiles.len; i++) {
      tile_rec *t = &L.tiles.data[i];
      if (t->addr < 0) continue;
      bool mine = is_planned(planned, nplanned, t->op);
      uint32_t cap = ptk_target_capacity(target, t->loc);
      if ((uint64_t)t->addr + t->bytes > cap) {
        ptk_error(d, ptk_op_range(t->op),
                  "plan-memory check: this tile of %" PRIu64 " bytes at address %" PRId64
                  " ends past the %u-byte %s memory (%s, %s)",
                  t->bytes, t->addr, cap, ptk_space_name(t->loc), ptk_mem_name(t->loc),
                  ptk_target_name(target));
        ok = false;
      }
      if (mine && t->addr % PTK_TILE_ALIGN != 0) {
        ptk_error(d, ptk_op_range(t->op),
                  "plan-memory check: planned address %" PRId64 " is not %d-byte aligned",
                  t->addr, PTK_TILE_ALIGN);
        ok = false;
      }
      sort_ent e = {t->lo, t->hi, t->size, (uint32_t)i};
      ptk_vec_push(&ents, e);
    }
    if (ents.len > 1) qsort(ents.data, ents.len, sizeof *ents.data, cmp_start);
    PTK_VEC(uint32_t) active = {0};
    for (size_t k = 0; k < ents.len; k++) {
      tile_rec *t = &L.tiles.data[ents.data[k].idx];
      size_t w = 0;
      for (size_t i = 0; i < active.len; i++)
        if (L.tiles.data[active.data[i]].hi >= t->lo) active.data[w++] = active.data[i];
      active.len = w;
      bool mine = is_planned(planned, nplanned, t->op);
      for (size_t i = 0; i < active.len; i++) {
        tile_rec *o = &L.tiles.data[active.data[i]];
        if (o->loc != t->loc) continue;
        if (!mine && !is_planned(planned, nplanned, o->op)) continue;
        if (is_over(planned, nplanned, t->op) || is_over(planned, nplanned, o->op)) continue;
        uint64_t a0 = (uint64_t)t->addr, a1 = a0 + t->bytes;
        uint64_t b0 = (uint64_t)o->addr, b1 = b0 + o->bytes;
        if (a0 < b1 && b0 < a1) {
          ptk_error(d, ptk_op_range(t->op),
                    "plan-memory check: this tile [%" PRIu64 ", %" PRIu64
                    ") overlaps a tile that is live at the same time in %s memory",
                    a0, a1, ptk_space_name(t->loc));
          ptk_note(d, ptk_op_range(o->op), "the other tile [%" PRIu64 ", %" PRIu64 ")", b0, b1);
          ok = false;
        }
      }
      ptk_vec_push(&active, ents.data[k].idx);
    }
    ptk_vec_free(&active);
    ptk_vec_free(&ents);
    live_free(&L);
  }
  ptk_vec_free(&fs);
  return ok;
}
