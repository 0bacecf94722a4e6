/* Fused groups of the C emitter (issue 10): a chain "tload … → elementwise
 * f32 ops … → tstore" over tiles of one valid shape becomes one loop nest
 * that reads global memory once and writes it once, instead of staging
 * every value through tile buffers.
 *
 * The group is the tile ops from a tload to the first tstore in one block:
 * tloads into f32 vec tiles (row-major, no box, no pad), binary ops of
 * runtime/isa/ew.h on tiles of the group, and the tstore of a group tile;
 * between them only pure ops without tiles (views, scalar arithmetic),
 * alloc_tile and the sync ops, which run where they stand.
 *
 * Nothing observable changes:
 * - every tile op still does its checks at its own place in program order:
 *   a transfer's checks are ptk_rt_gm_direct, the same code as tload /
 *   tstore's, so errors and their order are the same;
 * - each element goes through the same expression (ew.h) as in the tile
 *   library;
 * - the loop writes each tile of the group too, so tile contents after the
 *   group are the unfused ones, except for a tile nothing else can see: an
 *   alloc_tile result used only by the group's ops, whose storage no other
 *   tile of the module can overlap (private storage, or a constant address
 *   no other tile's range meets, and no VPTO op that could point there) —
 *   every read of it in the group follows a write of the same elements in
 *   the same group;
 * - the fused form runs only when, at run time, the group's tiles all have
 *   the group's valid shape, distinct tiles' storages are disjoint, and the
 *   store's bytes are disjoint from or identical to each load's, so that
 *   element-by-element order gives what op-by-op order gives; and not when
 *   accesses are recorded (--check-races). Otherwise, at the first op where
 *   that fails, the pending ops run for real (their checks pass again:
 *   nothing is recorded, nothing changed) and the rest runs unfused. */
#include <stdlib.h>
#include <string.h>

#include "backend/c/emit_int.h"
#include "runtime/isa/ew.h"

#define FZ_MAX 64 /* tile ops of a group; longer chains run unfused */

typedef struct fz_range {
  ptk_space space;
  int64_t lo, hi;
  const ptk_op *op;
} fz_range;

/* What the module lets a group skip writing (see the top). */
typedef struct ptk_fuse_info {
  uint32_t *uses;       /* [nvalues]: operand references in the module */
  PTK_VEC(fz_range) ranges; /* tiles at constant addresses */
  bool unknown[PTK_SPACE__COUNT]; /* a tile at an address not known statically */
  bool vpto;            /* VPTO ops may point anywhere into on-chip memory */
} ptk_fuse_info;

typedef struct fz_group {
  const ptk_op *first, *last;  /* first tload .. the tstore */
  const ptk_op *ops[FZ_MAX];   /* the group's tile ops in order */
  bool inplace[FZ_MAX];        /* ops[i] is a tload of a broadcast tile: runs where it stands */
  uint32_t nops;
  const ptk_value *tiles[FZ_MAX]; /* distinct tile values computed element by element */
  uint32_t ntiles;
  bool hidden[FZ_MAX];         /* tiles[i] is seen by nothing outside the group */
  const ptk_value *ext[FZ_MAX]; /* broadcast operands of expand ops, read in place */
  uint32_t next;
} fz_group;

static const char *opname(const ptk_op *op) { return ptk_op_table[op->kind].name; }
static bool is_tile(const ptk_value *v) { return v && ptk_lower_value_kind(v->type) == PTK_VK_TILE; }

/* ---- the module ------------------------------------------------------------------------------ */

static bool const_int(const ptk_value *v, int64_t *out) {
  if (!v || !v->def || v->def->kind != PTK_OP_ARITH_CONSTANT) return false;
  ptk_diags *q = ptk_diags_new();
  ptk_sc s;
  bool ok = ptk_lower_const(v->def, &s, q) && v->type->kind == PTK_TY_SCALAR && !ptk_dtype_is_float(v->type->dt);
  ptk_diags_free(q);
  if (ok) *out = s.i;
  return ok;
}

static bool scan_op(ptk_op *op, void *ctx) {
  ptk_fuse_info *fi = ctx;
  for (uint32_t i = 0; i < op->noperands; i++)
    if (op->operands[i]) fi->uses[op->operands[i]->uid]++;
  if (ptk_op_is_vpto(op)) fi->vpto = true;
  if (op->nresults != 1 || !is_tile(&op->results[0])) return true;
  const ptk_tile_desc *t = &op->results[0].type->tile;
  ptk_value **addr = NULL;
  uint32_t na = 0;
  if (op->kind == PTK_OP_ALLOC_TILE) {
    addr = ptk_op_segment(op, 0, &na);
    if (!na) return true; /* private storage of its own */
  } else if (op->kind == PTK_OP_TASSIGN) {
    na = op->noperands == 2;
    addr = op->operands + 1;
  } else {
    for (uint32_t i = 0; i < op->noperands; i++)
      if (is_tile(op->operands[i])) return true; /* a view of another tile: a use of it */
  }
  int64_t a;
  unsigned esz = t->elem && t->elem->kind == PTK_TY_SCALAR ? ptk_dtype_bytes(t->elem->dt) : 0;
  if (!na || !const_int(addr[0], &a) || !esz || t->loc >= PTK_SPACE__COUNT) {
    if (t->loc < PTK_SPACE__COUNT) fi->unknown[t->loc] = true;
    return true;
  }
  fz_range r = {t->loc, a, a + t->rows * t->cols * (int64_t)esz, op};
  ptk_vec_push(&fi->ranges, r);
  return true;
}

static ptk_fuse_info *info(ec *c) {
  if (c->fuse) return c->fuse;
  ptk_fuse_info *fi = ptk_xcalloc(1, sizeof *fi);
  fi->uses = ptk_xcalloc(c->nvalues ? c->nvalues : 1, sizeof *fi->uses);
  ptk_walk_module((ptk_module *)c->top, scan_op, fi);
  c->fuse = fi;
  return fi;
}

void ptk_fuse_free(ec *c) {
  if (!c->fuse) return;
  free(c->fuse->uses);
  ptk_vec_free(&c->fuse->ranges);
  free(c->fuse);
  c->fuse = NULL;
}

/* Tile value v is seen by nothing but the group's ops (see the top). */
static bool hidden_tile(ec *c, const fz_group *g, const ptk_value *v) {
  if (!v->def || v->def->kind != PTK_OP_ALLOC_TILE) return false;
  ptk_fuse_info *fi = info(c);
  uint32_t in_group = 0;
  for (uint32_t i = 0; i < g->nops; i++)
    for (uint32_t k = 0; k < g->ops[i]->noperands; k++) in_group += g->ops[i]->operands[k] == v;
  if (fi->uses[v->uid] != in_group) return false;
  const fz_range *mine = NULL;
  for (size_t i = 0; i < fi->ranges.len; i++)
    if (fi->ranges.data[i].op == v->def) mine = &fi->ranges.data[i];
  if (!mine) return true; /* private storage */
  if (fi->vpto || fi->unknown[mine->space]) return false;
  for (size_t i = 0; i < fi->ranges.len; i++) {
    const fz_range *r = &fi->ranges.data[i];
    if (r != mine && r->space == mine->space && r->lo < mine->hi && mine->lo < r->hi) return false;
  }
  return true;
}

/* ---- the group ------------------------------------------------------------------------------- */

static bool f32(const ptk_type *t) { return t && t->kind == PTK_TY_SCALAR && t->dt == PTK_DT_F32; }
static bool tile_ok(const ptk_value *v) {
  if (!v || !ptk_type_is_tile(v->type)) return false;
  const ptk_tile_desc *t = &v->type->tile;
  return t->loc == PTK_SPACE_VEC && f32(t->elem) && t->blayout == PTK_BLAYOUT_ROW_MAJOR &&
         t->slayout == PTK_SLAYOUT_NONE_BOX && t->pad == PTK_PAD_NULL;
}
static bool view_f32(const ptk_value *v) { return v && v->type && f32(v->type->elem); }

static int tile_index(const fz_group *g, const ptk_value *v) {
  for (uint32_t i = 0; i < g->ntiles; i++)
    if (g->tiles[i] == v) return (int)i;
  return -1;
}
static bool add_tile(fz_group *g, const ptk_value *v) {
  if (tile_index(g, v) >= 0) return true;
  if (g->ntiles == FZ_MAX) return false;
  g->tiles[g->ntiles++] = v;
  return true;
}

/* An op that may stand between the group's tile ops. */
static bool transparent(const ptk_op *op) {
  if (op->nregions) return false;
  if (op->kind == PTK_OP_ALLOC_TILE) return true; /* checked where it stands; its tile is new */
  if (ptk_op_table[op->kind].lower == PTK_LOWER_NOP) return true;
  if (!(ptk_op_table[op->kind].flags & PTK_OPF_PURE)) return false;
  for (uint32_t i = 0; i < op->noperands; i++)
    if (is_tile(op->operands[i])) return false;
  for (uint32_t i = 0; i < op->nresults; i++)
    if (is_tile(&op->results[i])) return false;
  return true;
}

/* An elementwise op of a group: dst = f(a, b) (binary), f(a, s), f(s, a)
 * (tile-scalar), f(a) (unary). */
typedef struct ewop {
  ptk_call_shape shape;
  int sub;
  const ptk_value *dst, *a, *b; /* b: binary and expand ops only */
  const ptk_value *s;           /* the scalar of a tile-scalar op */
  bool sfl;                     /* it is a float */
  int bc;                       /* expand ops: 1 a, 2 b is the broadcast operand */
} ewop;

/* A broadcast operand read in place: f32 vec, no box, either layout. */
static bool ext_ok(const ptk_value *v) {
  if (!v || !ptk_type_is_tile(v->type)) return false;
  const ptk_tile_desc *t = &v->type->tile;
  return t->loc == PTK_SPACE_VEC && f32(t->elem) && t->slayout == PTK_SLAYOUT_NONE_BOX;
}
/* The full and the broadcast operand of an expand op. */
static const ptk_value *ew_full(const ewop *e) { return e->bc == 1 ? e->b : e->a; }
static const ptk_value *ew_bcast(const ewop *e) { return e->bc == 1 ? e->a : e->b; }

static bool elementwise(const ptk_op *op, ewop *e) {
  if (ptk_op_table[op->kind].lower != PTK_LOWER_CALL) return false;
  ptk_diags *q = ptk_diags_new();
  ptk_call r;
  bool ok = ptk_lower_call(op, &r, q);
  ptk_diags_free(q);
  if (!ok) return false;
  memset(e, 0, sizeof *e);
  e->shape = r.shape;
  e->sub = r.sub;
  e->dst = r.v[0];
  switch (r.shape) {
  case PTK_CALL_BINARY: e->a = r.v[1], e->b = r.v[2]; break;
  case PTK_CALL_BIN_TS: e->a = r.v[1], e->s = r.v[2], e->sfl = r.fl[2]; break;
  case PTK_CALL_BIN_ST: e->s = r.v[1], e->sfl = r.fl[1], e->a = r.v[2]; break;
  case PTK_CALL_UNARY: e->a = r.v[1]; break;
  case PTK_CALL_ROWEXP_OP:
  case PTK_CALL_COLEXP_OP:
    /* the library broadcasts b unless only b has dst's valid shape: the
     * operand that is dst is the full one (checked at run time) */
    e->a = r.v[1], e->b = r.v[2];
    e->bc = e->b == e->dst && e->a != e->dst ? 1 : 2;
    break;
  default: return false;
  }
  if (r.shape == PTK_CALL_UNARY ? !ptk_ew_unary_fn_name(r.sub) : !ptk_ew_fusable(r.sub)) return false;
  if (e->s && !e->s->type) return false;
  if (e->bc) return tile_ok(e->dst) && tile_ok(ew_full(e)) && ext_ok(ew_bcast(e)) && ew_bcast(e) != e->dst;
  return tile_ok(e->dst) && tile_ok(e->a) && (!e->b || tile_ok(e->b));
}

/* A tload's tile and view, a tstore's tile and view. */
static bool transfer(const ptk_op *o, const ptk_value **t, const ptk_value **v, ptk_diags *d) {
  ptk_dps x;
  unsigned flags = 0;
  if (o->kind == PTK_OP_TLOAD) {
    if (o->nattrs || !ptk_lower_dps(o, 1, 1, 1, &x, d)) return false;
    *t = x.out[0], *v = x.in[0];
    return true;
  }
  if (!ptk_lower_tstore(o, &x, &flags, d) || flags) return false;
  *t = x.in[0], *v = x.out[0];
  return true;
}

static int ext_index(const fz_group *g, const ptk_value *v) {
  for (uint32_t i = 0; i < g->next; i++)
    if (g->ext[i] == v) return (int)i;
  return -1;
}

/* Tile roles while a group is read: a tile a tload fills is pending until an
 * op uses it, then it is computed element by element (a group tile) or read
 * in place as the broadcast operand of an expand op (its tload then runs
 * where it stands); one tile cannot be both. */
typedef struct roles {
  const ptk_value *pend[FZ_MAX];
  uint32_t npend;
} roles;

static bool pending(roles *r, const ptk_value *v, bool take) {
  for (uint32_t i = 0; i < r->npend; i++)
    if (r->pend[i] == v) {
      if (take) r->pend[i] = r->pend[--r->npend];
      return true;
    }
  return false;
}
/* v is used element by element. */
static bool as_group(fz_group *g, roles *r, const ptk_value *v) {
  if (ext_index(g, v) >= 0 || !tile_ok(v)) return false;
  pending(r, v, true);
  return add_tile(g, v);
}
/* v is read in place as a broadcast operand. */
static bool as_ext(fz_group *g, roles *r, const ptk_value *v) {
  if (tile_index(g, v) >= 0 || !ext_ok(v)) return false;
  pending(r, v, true);
  if (ext_index(g, v) >= 0) return true;
  if (g->next == FZ_MAX) return false;
  g->ext[g->next++] = v;
  return true;
}

static bool detect(ec *c, const ptk_op *op, fz_group *g) {
  memset(g, 0, sizeof *g);
  g->first = op;
  roles r = {{0}, 0};
  ptk_diags *q = ptk_diags_new(); /* malformed ops are reported by their normal emission */
  bool found = false, ok = true;
  for (const ptk_op *o = op; o && !found && ok; o = o->next) {
    const ptk_value *t, *v;
    ewop e;
    if (o->kind == PTK_OP_TLOAD) {
      /* a broadcast tile is loaded before its first use, never after */
      ok = transfer(o, &t, &v, q) && ext_index(g, t) < 0 && ext_ok(t);
      if (ok && tile_index(g, t) < 0 && !pending(&r, t, false)) {
        if (r.npend == FZ_MAX) ok = false;
        else r.pend[r.npend++] = t;
      }
    } else if (o->kind == PTK_OP_TSTORE) {
      ok = transfer(o, &t, &v, q) && (tile_index(g, t) >= 0 || pending(&r, t, false)) && view_f32(v) &&
           as_group(g, &r, t);
      found = ok;
    } else if (elementwise(o, &e)) {
      const ptk_value *f = e.bc ? ew_full(&e) : e.a;
      ok = (tile_index(g, f) >= 0 || pending(&r, f, false)) && as_group(g, &r, f);
      if (ok && e.bc) ok = as_ext(g, &r, ew_bcast(&e));
      else if (ok && e.b) ok = (tile_index(g, e.b) >= 0 || pending(&r, e.b, false)) && as_group(g, &r, e.b);
      ok = ok && as_group(g, &r, e.dst);
    } else if (transparent(o)) {
      continue;
    } else {
      ok = false;
    }
    if (!ok || g->nops == FZ_MAX) break;
    g->ops[g->nops++] = o;
    g->last = o;
  }
  /* loads whose tile nothing used are computed like the rest */
  for (uint32_t i = 0; found && i < r.npend; i++) found = add_tile(g, r.pend[i]);
  for (uint32_t i = 0; found && i < g->nops; i++) {
    const ptk_value *t, *v;
    if (g->ops[i]->kind != PTK_OP_TLOAD) continue;
    transfer(g->ops[i], &t, &v, q);
    g->inplace[i] = ext_index(g, t) >= 0;
    if (!g->inplace[i] && (!tile_ok(t) || !view_f32(v))) found = false;
  }
  ptk_diags_free(q);
  if (found)
    for (uint32_t i = 0; i < g->ntiles; i++) g->hidden[i] = hidden_tile(c, g, g->tiles[i]);
  return found;
}

/* The tiles group op o writes and reads (up to 3). */
static uint32_t op_tiles(const ptk_op *o, const ptk_value *ts[3], ptk_diags *d) {
  const ptk_value *v;
  ewop e;
  if (o->kind == PTK_OP_TLOAD || o->kind == PTK_OP_TSTORE) return transfer(o, &ts[0], &v, d) ? 1 : 0;
  if (!elementwise(o, &e)) return 0;
  ts[0] = e.dst, ts[1] = e.a, ts[2] = e.b;
  return e.b ? 3 : 2; /* expand ops: the broadcast operand too */
}

/* Distinct tiles the group touched so far, in order: each new one must have
 * storage disjoint from all of them. */
typedef struct seen_tiles {
  const ptk_value *v[2 * FZ_MAX];
  uint32_t n;
} seen_tiles;

static void disjoint_cond(seen_tiles *st, const ptk_value *v, ptk_buf *cond) {
  for (uint32_t i = 0; i < st->n; i++)
    if (st->v[i] == v) return;
  for (uint32_t i = 0; i < st->n; i++)
    ptk_buf_printf(cond,
                   " && !ptkj_fz_overlap(v%u.data, (int64_t)v%u.srows * v%u.scols * 4, v%u.data, "
                   "(int64_t)v%u.srows * v%u.scols * 4)",
                   v->uid, v->uid, v->uid, st->v[i]->uid, st->v[i]->uid, st->v[i]->uid);
  if (st->n < 2 * FZ_MAX) st->v[st->n++] = v;
}

/* Fall back at step k: group ops [0, k) run for real. */
static void fall_back(ec *c, const fz_group *g, uint32_t k) {
  ptk_emit_line(c, "if (r_) {");
  c->ind++;
  ptk_emit_line(c, "fz = 0;");
  for (uint32_t i = 0; i < k; i++)
    if (!g->inplace[i]) ptk_emit_op(c, g->ops[i]);
  c->ind--;
  ptk_emit_line(c, "}");
}

/* The fused loop nest (the tstore's place). */
static void loop_nest(ec *c, const fz_group *g, uint32_t nload) {
  for (uint32_t i = 0; i < g->nops; i++) { /* tile-scalar operands, converted once */
    ewop w;
    if (g->ops[i]->kind != PTK_OP_TLOAD && g->ops[i]->kind != PTK_OP_TSTORE && elementwise(g->ops[i], &w) &&
        w.s)
      /* read through a volatile: a constant known to gcc could be folded
       * with the op (x * -1.0f into -x), exact except for a NaN's sign */
      ptk_emit_line(c, "volatile float sv%u = ptk_ew_scalar_f(ptk_sc_isa(%d, v%u)); const float s%u = sv%u;", i,
                    w.sfl, w.s->uid, i, i);
  }
  for (uint32_t i = 0; i < g->nops; i++) { /* column broadcasts: row 0 of the operand */
    ewop w;
    if (g->ops[i]->kind != PTK_OP_TLOAD && g->ops[i]->kind != PTK_OP_TSTORE && elementwise(g->ops[i], &w) &&
        w.shape == PTK_CALL_COLEXP_OP)
      ptk_emit_line(c, "const float *b%u = (const float *)(const void *)v%u.data; const int64_t bs%u = ptkj_fz_cs(&v%u);",
                    i, ew_bcast(&w)->uid, i, ew_bcast(&w)->uid);
  }
  ptk_emit_line(c, "for (int64_t r_ = 0; r_ < fvr; r_++) {");
  c->ind++;
  for (uint32_t j = 0; j <= nload; j++) ptk_emit_line(c, "float *g%u = gp[%u] + r_ * gl[%u];", j, j, j);
  for (uint32_t i = 0; i < g->nops; i++) { /* row broadcasts: column 0 of the operand */
    ewop w;
    if (g->ops[i]->kind != PTK_OP_TLOAD && g->ops[i]->kind != PTK_OP_TSTORE && elementwise(g->ops[i], &w) &&
        w.shape == PTK_CALL_ROWEXP_OP)
      ptk_emit_line(c, "const float b%u = ((const float *)(const void *)v%u.data)[r_ * ptkj_fz_rs(&v%u)];", i,
                    ew_bcast(&w)->uid, ew_bcast(&w)->uid);
  }
  for (uint32_t t = 0; t < g->ntiles; t++)
    if (!g->hidden[t])
      ptk_emit_line(c, "float *t%u = (float *)(void *)v%u.data + r_ * v%u.scols;", t, g->tiles[t]->uid,
                    g->tiles[t]->uid);
  /* no dependence between iterations: distinct tiles and the store's bytes
   * were checked above to be disjoint or identical */
  ptk_emit_line(c, "#pragma GCC ivdep");
  ptk_emit_line(c, "for (int64_t c_ = 0; c_ < fvc; c_++) {");
  c->ind++;
  int cur[FZ_MAX]; /* the temporary tile t holds */
  for (uint32_t t = 0; t < FZ_MAX; t++) cur[t] = -1;
  /* a tile is stored once per element, with its last value: nothing in the
   * loop reads tile memory */
  int lastw[FZ_MAX];
  for (uint32_t t = 0; t < FZ_MAX; t++) lastw[t] = -1;
  for (uint32_t i = 0; i < g->nops; i++) {
    const ptk_value *ts[3];
    if (g->inplace[i] || g->ops[i]->kind == PTK_OP_TSTORE || !op_tiles(g->ops[i], ts, c->d)) continue;
    lastw[tile_index(g, ts[0])] = (int)i;
  }
  uint32_t lj = 0;
  for (uint32_t i = 0; i < g->nops; i++) {
    const ptk_op *o = g->ops[i];
    const ptk_value *ts[3];
    if (g->inplace[i]) continue;
    op_tiles(o, ts, c->d);
    int td = tile_index(g, ts[0]);
    if (o->kind == PTK_OP_TSTORE) {
      ptk_emit_line(c, "g%u[c_] = x%d;", nload, cur[td]);
      continue;
    }
    ptk_buf e = {0};
    if (o->kind == PTK_OP_TLOAD) {
      ptk_buf_printf(&e, "g%u[c_]", lj++);
    } else {
      ewop w;
      elementwise(o, &w);
      int ta = tile_index(g, w.a), xa = ta >= 0 ? cur[ta] : -1;
      switch (w.shape) {
      case PTK_CALL_BINARY:
        ptk_buf_printf(&e, "%s(x%d, x%d)", ptk_ew_fn_name(w.sub), xa, cur[tile_index(g, w.b)]);
        break;
      case PTK_CALL_BIN_TS: ptk_buf_printf(&e, "%s(x%d, s%u)", ptk_ew_fn_name(w.sub), xa, i); break;
      case PTK_CALL_BIN_ST: ptk_buf_printf(&e, "%s(s%u, x%d)", ptk_ew_fn_name(w.sub), i, xa); break;
      case PTK_CALL_ROWEXP_OP:
      case PTK_CALL_COLEXP_OP: {
        int xf = cur[tile_index(g, ew_full(&w))];
        char bv[48];
        if (w.shape == PTK_CALL_ROWEXP_OP) snprintf(bv, sizeof bv, "b%u", i);
        else snprintf(bv, sizeof bv, "b%u[c_ * bs%u]", i, i);
        if (w.bc == 2) ptk_buf_printf(&e, "%s(x%d, %s)", ptk_ew_fn_name(w.sub), xf, bv);
        else ptk_buf_printf(&e, "%s(%s, x%d)", ptk_ew_fn_name(w.sub), bv, xf);
        break;
      }
      default: ptk_buf_printf(&e, "%s(x%d)", ptk_ew_unary_fn_name(w.sub), xa); break;
      }
    }
    if (g->hidden[td] || lastw[td] != (int)i)
      ptk_emit_line(c, "float x%u = %s;", i, ptk_buf_cstr(&e));
    else
      ptk_emit_line(c, "float x%u = %s; t%d[c_] = x%u;", i, ptk_buf_cstr(&e), td, i);
    ptk_buf_free(&e);
    cur[td] = (int)i;
  }
  c->ind--;
  ptk_emit_line(c, "}");
  c->ind--;
  ptk_emit_line(c, "}");
}

static bool is_expand(ewop *e) { return e->bc != 0; }

static void emit_group(ec *c, const fz_group *g) {
  c->in_fz = true;
  uint32_t nload = 0;
  for (uint32_t i = 0; i < g->nops; i++) nload += g->ops[i]->kind == PTK_OP_TLOAD && !g->inplace[i];
  ptk_emit_line(c, "{ /* fused: %s … %s */", opname(g->first), opname(g->last));
  c->ind++;
  ptk_emit_line(c, "int fz = 1;");
  ptk_emit_line(c, "int32_t fvr = 0, fvc = 0;");
  ptk_emit_line(c, "float *gp[%u] = {0}; int64_t gl[%u] = {0};", nload + 1, nload + 1);
  seen_tiles st;
  st.n = 0;
  bool have_shape = false;
  uint32_t k = 0, li = 0;
  for (const ptk_op *o = g->first;; o = o->next) {
    if (k >= g->nops || o != g->ops[k]) { /* a transparent op, where it stands */
      ptk_emit_op(c, o);
      continue;
    }
    const ptk_value *ts[3] = {NULL, NULL, NULL};
    op_tiles(o, ts, c->d);
    ptk_buf cond = {0};
    if (g->inplace[k]) { /* a broadcast tile's tload: disjoint from the rest, then run */
      ptk_buf_puts(&cond, "1");
      disjoint_cond(&st, ts[0], &cond);
      ptk_emit_line(c, "if (fz) {");
      c->ind++;
      ptk_emit_line(c, "int r_ = !(%s);", ptk_buf_cstr(&cond));
      ptk_buf_free(&cond);
      fall_back(c, g, k);
      c->ind--;
      ptk_emit_line(c, "}");
      ptk_emit_op(c, o);
      k++;
      continue;
    }
    if (o->kind == PTK_OP_TLOAD && !have_shape) {
      ptk_emit_line(c, "fvr = v%u.vrows; fvc = v%u.vcols;", ts[0]->uid, ts[0]->uid);
      have_shape = true;
    }
    ptk_buf_printf(&cond, "ptkj_fz_tile(&v%u, fvr, fvc)", ts[0]->uid);
    if (o->kind != PTK_OP_TLOAD && o->kind != PTK_OP_TSTORE) {
      ewop w;
      elementwise(o, &w);
      if (is_expand(&w))
        ptk_buf_printf(&cond, " && ptkj_fz_bcast(&v%u, fvr, fvc, %d, %d)", ew_bcast(&w)->uid,
                       w.shape == PTK_CALL_ROWEXP_OP, w.bc == 1);
      for (uint32_t j = 1; j < 3; j++)
        if (ts[j]) disjoint_cond(&st, ts[j], &cond);
    }
    disjoint_cond(&st, ts[0], &cond);
    if (o->kind == PTK_OP_TLOAD || o->kind == PTK_OP_TSTORE) {
      const ptk_value *t, *v;
      transfer(o, &t, &v, c->d);
      uint32_t gi = o->kind == PTK_OP_TLOAD ? li++ : nload;
      ptk_emit_line(c, "if (fz) {");
      c->ind++;
      ptk_emit_line(c, "int r_ = %s ? e->gm_direct(cx, %u, &v%u, &v%u, &gp[%u], &gl[%u]) : 1;",
                    ptk_buf_cstr(&cond), ptk_emit_opid(c, o), t->uid, v->uid, gi, gi);
      ptk_emit_line(c, "if (r_ < 0) return r_;");
      if (o->kind == PTK_OP_TSTORE) /* the store: disjoint from each load, or the very same elements */
        for (uint32_t j = 0; j < nload; j++)
          ptk_emit_line(c,
                        "if (!r_ && ptkj_fz_overlap(gp[%u], ptkj_fz_span(fvr, fvc, gl[%u]), gp[%u], "
                        "ptkj_fz_span(fvr, fvc, gl[%u])) && (gp[%u] != gp[%u] || gl[%u] != gl[%u])) r_ = 1;",
                        j, j, nload, nload, j, nload, j, nload);
    } else {
      ptk_emit_line(c, "if (fz) {");
      c->ind++;
      ptk_emit_line(c, "int r_ = !(%s);", ptk_buf_cstr(&cond));
    }
    ptk_buf_free(&cond);
    fall_back(c, g, k);
    c->ind--;
    ptk_emit_line(c, "}");
    if (o == g->last) break;
    ptk_emit_line(c, "if (!fz) {");
    c->ind++;
    ptk_emit_op(c, o);
    c->ind--;
    ptk_emit_line(c, "}");
    k++;
  }
  ptk_emit_line(c, "if (fz) {");
  c->ind++;
  loop_nest(c, g, nload);
  c->ind--;
  ptk_emit_line(c, "} else {");
  c->ind++;
  ptk_emit_op(c, g->last);
  c->ind--;
  ptk_emit_line(c, "}");
  c->ind--;
  ptk_emit_line(c, "}");
  c->in_fz = false;
}

bool ptk_fuse_group(ec *c, const ptk_op *op, const ptk_op **last) {
  fz_group g;
  if (c->split || c->in_fz || op->kind != PTK_OP_TLOAD || !detect(c, op, &g)) return false;
  emit_group(c, &g);
  *last = g.last;
  return true;
}
