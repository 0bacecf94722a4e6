/* Fused groups (issue 10): the analysis both engines share. See
 * backend/fuse.h for what a group is and what makes fusing it invisible. */
#include "backend/fuse.h"

#include <stdlib.h>
#include <string.h>

#include "backend/lower.h"
#include "runtime/isa/ew.h"

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
  int64_t count = 1;
  if (op->kind == PTK_OP_ALLOC_MULTI_TILE) { /* its N slots, one block of its slot's memory */
    ptk_diags *q = ptk_diags_new();
    const ptk_type *slot = ptk_lower_multi_slot(ptk_op_module(op), op, op->results[0].type, &count, q);
    ptk_diags_free(q);
    if (!slot) { /* refused by the engines anyway */
      for (int s = 0; s < PTK_SPACE__COUNT; s++) fi->unknown[s] = true;
      return true;
    }
    t = &slot->tile;
  }
  ptk_value **addr = NULL;
  uint32_t na = 0;
  if (op->kind == PTK_OP_ALLOC_TILE || op->kind == PTK_OP_ALLOC_MULTI_TILE) {
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
  fz_range r = {t->loc, a, a + t->rows * t->cols * (int64_t)esz * count, op};
  ptk_vec_push(&fi->ranges, r);
  return true;
}

ptk_fuse_info *ptk_fuse_info_new(const ptk_module *top) {
  ptk_fuse_info *fi = ptk_xcalloc(1, sizeof *fi);
  uint32_t n = ptk_module_value_count(top);
  fi->uses = ptk_xcalloc(n ? n : 1, sizeof *fi->uses);
  ptk_walk_module((ptk_module *)top, scan_op, fi);
  return fi;
}

void ptk_fuse_info_free(ptk_fuse_info *fi) {
  if (!fi) return;
  free(fi->uses);
  ptk_vec_free(&fi->ranges);
  free(fi);
}

/* Tile value v is seen by nothing but the group's ops (see the top). */
static bool hidden_tile(const ptk_fuse_info *fi, const ptk_fuse_group *g, const ptk_value *v) {
  if (!v->def || v->def->kind != PTK_OP_ALLOC_TILE) return false;
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

int ptk_fuse_tile_index(const ptk_fuse_group *g, const ptk_value *v) {
  for (uint32_t i = 0; i < g->ntiles; i++)
    if (g->tiles[i] == v) return (int)i;
  return -1;
}
static bool add_tile(ptk_fuse_group *g, const ptk_value *v) {
  if (ptk_fuse_tile_index(g, v) >= 0) return true;
  if (g->ntiles == PTK_FUSE_MAX) return false;
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

/* An ptk_fuse_ew_decode op of a group: dst = f(a, b) (binary), f(a, s), f(s, a)
 * (tile-scalar), f(a) (unary). */

/* A broadcast operand read in place: f32 vec, no box, either layout. */
static bool ext_ok(const ptk_value *v) {
  if (!v || !ptk_type_is_tile(v->type)) return false;
  const ptk_tile_desc *t = &v->type->tile;
  return t->loc == PTK_SPACE_VEC && f32(t->elem) && t->slayout == PTK_SLAYOUT_NONE_BOX;
}
/* The full and the broadcast operand of an expand op. */
const ptk_value *ptk_fuse_full(const ptk_fuse_ew *e) { return e->bc == 1 ? e->b : e->a; }
const ptk_value *ptk_fuse_bcast(const ptk_fuse_ew *e) { return e->bc == 1 ? e->a : e->b; }

bool ptk_fuse_ew_decode(const ptk_op *op, ptk_fuse_ew *e) {
  ptk_call r;
  if (!ptk_lower_call_quiet(op, &r)) return false;
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
  if (e->bc) return tile_ok(e->dst) && tile_ok(ptk_fuse_full(e)) && ext_ok(ptk_fuse_bcast(e)) && ptk_fuse_bcast(e) != e->dst;
  return tile_ok(e->dst) && tile_ok(e->a) && (!e->b || tile_ok(e->b));
}

/* A tload's tile and view, a tstore's tile and view. */
bool ptk_fuse_transfer(const ptk_op *o, const ptk_value **t, const ptk_value **v, ptk_diags *d) {
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

static int ext_index(const ptk_fuse_group *g, const ptk_value *v) {
  for (uint32_t i = 0; i < g->next; i++)
    if (g->ext[i] == v) return (int)i;
  return -1;
}

/* Tile roles while a group is read: a tile a tload fills is pending until an
 * op uses it, then it is computed element by element (a group tile) or read
 * in place as the broadcast operand of an expand op (its tload then runs
 * where it stands); one tile cannot be both. */
typedef struct roles {
  const ptk_value *pend[PTK_FUSE_MAX];
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
static bool as_group(ptk_fuse_group *g, roles *r, const ptk_value *v) {
  if (ext_index(g, v) >= 0 || !tile_ok(v)) return false;
  pending(r, v, true);
  return add_tile(g, v);
}
/* v is read in place as a broadcast operand. */
static bool as_ext(ptk_fuse_group *g, roles *r, const ptk_value *v) {
  if (ptk_fuse_tile_index(g, v) >= 0 || !ext_ok(v)) return false;
  pending(r, v, true);
  if (ext_index(g, v) >= 0) return true;
  if (g->next == PTK_FUSE_MAX) return false;
  g->ext[g->next++] = v;
  return true;
}

bool ptk_fuse_detect(const ptk_fuse_info *fi, const ptk_op *op, ptk_fuse_group *g) {
  memset(g, 0, sizeof *g);
  g->first = op;
  roles r = {{0}, 0};
  ptk_diags *q = ptk_diags_new(); /* malformed ops are reported by their normal emission */
  bool found = false, ok = true;
  for (const ptk_op *o = op; o && !found && ok; o = o->next) {
    const ptk_value *t, *v;
    ptk_fuse_ew e;
    if (o->kind == PTK_OP_TLOAD) {
      /* a broadcast tile is loaded before its first use, never after */
      ok = ptk_fuse_transfer(o, &t, &v, q) && ext_index(g, t) < 0 && ext_ok(t);
      if (ok && ptk_fuse_tile_index(g, t) < 0 && !pending(&r, t, false)) {
        if (r.npend == PTK_FUSE_MAX) ok = false;
        else r.pend[r.npend++] = t;
      }
    } else if (o->kind == PTK_OP_TSTORE) {
      ok = ptk_fuse_transfer(o, &t, &v, q) && (ptk_fuse_tile_index(g, t) >= 0 || pending(&r, t, false)) && view_f32(v) &&
           as_group(g, &r, t);
      found = ok;
    } else if (ptk_fuse_ew_decode(o, &e)) {
      const ptk_value *f = e.bc ? ptk_fuse_full(&e) : e.a;
      ok = (ptk_fuse_tile_index(g, f) >= 0 || pending(&r, f, false)) && as_group(g, &r, f);
      if (ok && e.bc) ok = as_ext(g, &r, ptk_fuse_bcast(&e));
      else if (ok && e.b) ok = (ptk_fuse_tile_index(g, e.b) >= 0 || pending(&r, e.b, false)) && as_group(g, &r, e.b);
      ok = ok && as_group(g, &r, e.dst);
    } else if (transparent(o)) {
      continue;
    } else {
      ok = false;
    }
    if (!ok || g->nops == PTK_FUSE_MAX) break;
    g->ops[g->nops++] = o;
    g->last = o;
  }
  /* loads whose tile nothing used are computed like the rest */
  for (uint32_t i = 0; found && i < r.npend; i++) found = add_tile(g, r.pend[i]);
  for (uint32_t i = 0; found && i < g->nops; i++) {
    const ptk_value *t, *v;
    if (g->ops[i]->kind != PTK_OP_TLOAD) continue;
    ptk_fuse_transfer(g->ops[i], &t, &v, q);
    g->inplace[i] = ext_index(g, t) >= 0;
    if (!g->inplace[i] && (!tile_ok(t) || !view_f32(v))) found = false;
  }
  for (uint32_t i = 0; found && i < g->ntiles; i++) {
    g->hidden[i] = hidden_tile(fi, g, g->tiles[i]);
    g->lastw[i] = -1;
  }
  for (uint32_t i = 0; found && i < g->nops; i++) {
    const ptk_value *ts[3];
    if (g->ops[i]->kind == PTK_OP_TLOAD) g->nload += !g->inplace[i];
    if (g->inplace[i] || g->ops[i]->kind == PTK_OP_TSTORE || !ptk_fuse_op_tiles(g->ops[i], ts, q)) continue;
    g->lastw[ptk_fuse_tile_index(g, ts[0])] = (int)i;
  }
  ptk_diags_free(q);
  return found;
}


/* The tiles group op o writes and reads (up to 3). */
uint32_t ptk_fuse_op_tiles(const ptk_op *o, const ptk_value *ts[3], ptk_diags *d) {
  const ptk_value *v;
  ptk_fuse_ew e;
  if (o->kind == PTK_OP_TLOAD || o->kind == PTK_OP_TSTORE) return ptk_fuse_transfer(o, &ts[0], &v, d) ? 1 : 0;
  if (!ptk_fuse_ew_decode(o, &e)) return 0;
  ts[0] = e.dst, ts[1] = e.a, ts[2] = e.b;
  return e.b ? 3 : 2; /* expand ops: the broadcast operand too */
}

