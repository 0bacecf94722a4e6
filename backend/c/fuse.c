/* Fused groups in the C emitter: a group (backend/fuse.h) printed as one
 * loop nest over its valid region, with each op's checks where it stands. */
#include <stdlib.h>
#include <string.h>

#include "backend/c/emit_int.h"
#include "backend/fuse.h"
#include "runtime/isa/ew.h"


static const char *opname(const ptk_op *op) { return ptk_op_table[op->kind].name; }
/* Distinct tiles the group touched so far, in order: each new one must have
 * storage disjoint from all of them. */
typedef struct seen_tiles {
  const ptk_value *v[2 * PTK_FUSE_MAX];
  uint32_t n;
} seen_tiles;

static void disjoint_cond(seen_tiles *st, const ptk_value *v, ptk_buf *cond) {
  for (uint32_t i = 0; i < st->n; i++)
    if (st->v[i] == v) return;
  for (uint32_t i = 0; i < st->n; i++)
    ptk_buf_printf(cond,
                   " && !ptk_fz_overlap(v%u.data, (int64_t)v%u.srows * v%u.scols * 4, v%u.data, "
                   "(int64_t)v%u.srows * v%u.scols * 4)",
                   v->uid, v->uid, v->uid, st->v[i]->uid, st->v[i]->uid, st->v[i]->uid);
  if (st->n < 2 * PTK_FUSE_MAX) st->v[st->n++] = v;
}

/* Fall back at step k: group ops [0, k) run for real. */
static void fall_back(ec *c, const ptk_fuse_group *g, uint32_t k) {
  ptk_emit_line(c, "if (r_) {");
  c->ind++;
  ptk_emit_line(c, "fz = 0;");
  for (uint32_t i = 0; i < k; i++)
    if (!g->inplace[i]) ptk_emit_op(c, g->ops[i]);
  c->ind--;
  ptk_emit_line(c, "}");
}

/* A step whose check is the C expression cond: on failure, fall back. */
static void check_step(ec *c, const ptk_fuse_group *g, uint32_t k, const char *cond) {
  ptk_emit_line(c, "if (fz) {");
  c->ind++;
  ptk_emit_line(c, "int r_ = !(%s);", cond);
  fall_back(c, g, k);
  c->ind--;
  ptk_emit_line(c, "}");
}

/* The fused loop nest (the tstore's place). */
static void loop_nest(ec *c, const ptk_fuse_group *g, uint32_t nload) {
  for (uint32_t i = 0; i < g->nops; i++) { /* tile-scalar operands, converted once */
    ptk_fuse_ew w;
    if (g->ops[i]->kind != PTK_OP_TLOAD && g->ops[i]->kind != PTK_OP_TSTORE && ptk_fuse_ew_decode(g->ops[i], &w) &&
        w.s)
      /* read through a volatile: a constant known to gcc could be folded
       * with the op (x * -1.0f into -x), exact except for a NaN's sign */
      ptk_emit_line(c, "volatile float sv%u = ptk_ew_scalar_f(ptk_sc_isa(%d, v%u)); const float s%u = sv%u;", i,
                    w.sfl, w.s->uid, i, i);
  }
  for (uint32_t i = 0; i < g->nops; i++) { /* column broadcasts: row 0 of the operand */
    ptk_fuse_ew w;
    if (g->ops[i]->kind != PTK_OP_TLOAD && g->ops[i]->kind != PTK_OP_TSTORE && ptk_fuse_ew_decode(g->ops[i], &w) &&
        w.shape == PTK_CALL_COLEXP_OP)
      ptk_emit_line(c, "const float *b%u = (const float *)(const void *)v%u.data; const int64_t bs%u = ptk_fz_cs(&v%u);",
                    i, ptk_fuse_bcast(&w)->uid, i, ptk_fuse_bcast(&w)->uid);
  }
  ptk_emit_line(c, "for (int64_t r_ = 0; r_ < fvr; r_++) {");
  c->ind++;
  for (uint32_t j = 0; j <= nload; j++) ptk_emit_line(c, "float *g%u = gp[%u] + r_ * gl[%u];", j, j, j);
  for (uint32_t i = 0; i < g->nops; i++) { /* row broadcasts: column 0 of the operand */
    ptk_fuse_ew w;
    if (g->ops[i]->kind != PTK_OP_TLOAD && g->ops[i]->kind != PTK_OP_TSTORE && ptk_fuse_ew_decode(g->ops[i], &w) &&
        w.shape == PTK_CALL_ROWEXP_OP)
      ptk_emit_line(c, "const float b%u = ((const float *)(const void *)v%u.data)[r_ * ptk_fz_rs(&v%u)];", i,
                    ptk_fuse_bcast(&w)->uid, ptk_fuse_bcast(&w)->uid);
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
  int cur[PTK_FUSE_MAX]; /* the temporary tile t holds */
  for (uint32_t t = 0; t < PTK_FUSE_MAX; t++) cur[t] = -1;
  /* a tile is stored once per element, with its last value (g->lastw):
   * nothing in the loop reads tile memory */
  uint32_t lj = 0;
  for (uint32_t i = 0; i < g->nops; i++) {
    const ptk_op *o = g->ops[i];
    const ptk_value *ts[3];
    if (g->inplace[i]) continue;
    ptk_fuse_op_tiles(o, ts, c->d);
    int td = ptk_fuse_tile_index(g, ts[0]);
    if (o->kind == PTK_OP_TSTORE) {
      ptk_emit_line(c, "g%u[c_] = x%d;", nload, cur[td]);
      continue;
    }
    ptk_buf e = {0};
    if (o->kind == PTK_OP_TLOAD) {
      ptk_buf_printf(&e, "g%u[c_]", lj++);
    } else {
      ptk_fuse_ew w;
      ptk_fuse_ew_decode(o, &w);
      int ta = ptk_fuse_tile_index(g, w.a), xa = ta >= 0 ? cur[ta] : -1;
      switch (w.shape) {
      case PTK_CALL_BINARY:
        ptk_buf_printf(&e, "%s(x%d, x%d)", ptk_ew_fn_name(w.sub), xa, cur[ptk_fuse_tile_index(g, w.b)]);
        break;
      case PTK_CALL_BIN_TS: ptk_buf_printf(&e, "%s(x%d, s%u)", ptk_ew_fn_name(w.sub), xa, i); break;
      case PTK_CALL_BIN_ST: ptk_buf_printf(&e, "%s(s%u, x%d)", ptk_ew_fn_name(w.sub), i, xa); break;
      case PTK_CALL_ROWEXP_OP:
      case PTK_CALL_COLEXP_OP: {
        int xf = cur[ptk_fuse_tile_index(g, ptk_fuse_full(&w))];
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
    if (g->hidden[td] || g->lastw[td] != (int)i)
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

static bool is_expand(ptk_fuse_ew *e) { return e->bc != 0; }

static void emit_group(ec *c, const ptk_fuse_group *g) {
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
    ptk_fuse_op_tiles(o, ts, c->d);
    ptk_buf cond = {0};
    if (g->inplace[k]) { /* a broadcast tile's tload: disjoint from the rest, then run */
      ptk_buf_puts(&cond, "1");
      disjoint_cond(&st, ts[0], &cond);
      check_step(c, g, k, ptk_buf_cstr(&cond));
      ptk_buf_free(&cond);
      ptk_emit_op(c, o);
      k++;
      continue;
    }
    if (o->kind == PTK_OP_TLOAD && !have_shape) {
      ptk_emit_line(c, "fvr = v%u.vrows; fvc = v%u.vcols;", ts[0]->uid, ts[0]->uid);
      have_shape = true;
    }
    ptk_buf_printf(&cond, "ptk_fz_tile(&v%u, fvr, fvc)", ts[0]->uid);
    if (o->kind != PTK_OP_TLOAD && o->kind != PTK_OP_TSTORE) {
      ptk_fuse_ew w;
      ptk_fuse_ew_decode(o, &w);
      if (is_expand(&w))
        ptk_buf_printf(&cond, " && ptk_fz_bcast(&v%u, fvr, fvc, %d, %d)", ptk_fuse_bcast(&w)->uid,
                       w.shape == PTK_CALL_ROWEXP_OP, w.bc == 1);
      for (uint32_t j = 1; j < 3; j++)
        if (ts[j]) disjoint_cond(&st, ts[j], &cond);
    }
    disjoint_cond(&st, ts[0], &cond);
    if (o->kind == PTK_OP_TLOAD || o->kind == PTK_OP_TSTORE) {
      const ptk_value *t, *v;
      ptk_fuse_transfer(o, &t, &v, c->d);
      uint32_t gi = o->kind == PTK_OP_TLOAD ? li++ : nload;
      ptk_emit_line(c, "if (fz) {");
      c->ind++;
      ptk_emit_line(c, "int r_ = %s ? e->gm_direct(cx, %u, &v%u, &v%u, &gp[%u], &gl[%u]) : 1;",
                    ptk_buf_cstr(&cond), ptk_emit_opid(c, o), t->uid, v->uid, gi, gi);
      ptk_emit_line(c, "if (r_ < 0) return r_;");
      if (o->kind == PTK_OP_TSTORE) /* the store: disjoint from each load, or the very same elements */
        for (uint32_t j = 0; j < nload; j++)
          ptk_emit_line(c,
                        "if (!r_ && ptk_fz_overlap(gp[%u], ptk_fz_span(fvr, fvc, gl[%u]), gp[%u], "
                        "ptk_fz_span(fvr, fvc, gl[%u])) && (gp[%u] != gp[%u] || gl[%u] != gl[%u])) r_ = 1;",
                        j, j, nload, nload, j, nload, j, nload);
      fall_back(c, g, k);
      c->ind--;
      ptk_emit_line(c, "}");
    } else {
      check_step(c, g, k, ptk_buf_cstr(&cond));
    }
    ptk_buf_free(&cond);
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

bool ptk_emit_fused(ec *c, const ptk_op *op, const ptk_op **last) {
  ptk_fuse_group g;
  if (c->split || c->in_fz || op->kind != PTK_OP_TLOAD) return false;
  if (!c->fuse) c->fuse = ptk_fuse_info_new(c->top);
  if (!ptk_fuse_detect(c->fuse, op, &g)) return false;
  emit_group(c, &g);
  *last = g.last;
  return true;
}

void ptk_emit_fuse_free(ec *c) {
  ptk_fuse_info_free(c->fuse);
  c->fuse = NULL;
}
