/* Fused groups in the interpreter (backend/fuse.h): each group op's checks
 * where it stands (I_FZ_STEP), with the conditions the JIT's generated code
 * tests, and at the tstore one pass over the valid region, chunk by chunk:
 * each op over a chunk of a row, reading global memory in place and keeping
 * values in stack buffers, through the per-element functions of
 * runtime/isa/ew.h — so every element gets the bits the unfused ops and the
 * JIT give it. */
#include <stdlib.h>
#include <string.h>

#include "runtime/interp/interp_int.h"
#include "runtime/isa/ew.h"

#define TC(o) ((ptk_tile *)(fr + (o)))
#define VC(o) ((view_cell *)(fr + (o)))
#define SC(o) ((scell *)(fr + (o)))

enum { FZ_CH = 512 }; /* elements of a row per chunk: few enough calls per element */

static int64_t storage(const ptk_tile *t) { return (int64_t)t->srows * t->scols * 4; }

/* The tiles first touched at this step are disjoint from those before. */
static bool disjoint(fz_state *s, uint8_t *fr, const fz_step *st) {
  for (uint32_t i = 0; i < st->nnew; i++) {
    const ptk_tile *t = TC(st->newt[i]);
    for (uint32_t j = 0; j < s->ns; j++)
      if (ptk_fz_overlap(t->data, storage(t), s->sp[j], s->sn[j])) return false;
    if (s->ns < 2 * PTK_FUSE_MAX) {
      s->sp[s->ns] = t->data;
      s->sn[s->ns++] = storage(t);
    }
  }
  return true;
}

/* The pass over the valid region; false when out of memory for its buffers. */
static bool run(worker *w, uint8_t *fr, const fz_prog *P) {
  fz_state *s = &w->fz;
  const float *val[PTK_FUSE_MAX]; /* each step's chunk */
  float sc[PTK_FUSE_MAX];
  size_t need = ((size_t)P->nsteps + 1) * FZ_CH;
  if (w->fzcap < need) {
    float *nb = realloc(w->fzbuf, need * sizeof *nb);
    if (!nb) return false;
    w->fzbuf = nb;
    w->fzcap = need;
  }
  float *bb = w->fzbuf + (size_t)P->nsteps * FZ_CH;
  for (uint32_t k = 0; k < P->nsteps; k++) {
    const fz_step *st = &P->steps[k];
    if (st->kind == FZ_EW && (st->shape == PTK_CALL_BIN_TS || st->shape == PTK_CALL_BIN_ST))
      sc[k] = ptk_ew_scalar_f(ptk_sc_isa(st->sfl, *SC(st->sslot)));
  }
  for (int32_t r = 0; r < s->vr; r++)
    for (int32_t c0 = 0; c0 < s->vc; c0 += FZ_CH) {
      size_t n = (size_t)(s->vc - c0 < FZ_CH ? s->vc - c0 : FZ_CH);
      for (uint32_t k = 0; k < P->nsteps; k++) {
        const fz_step *st = &P->steps[k];
        const float *v = NULL;
        switch (st->kind) {
        case FZ_INPLACE: continue;
        case FZ_LOAD: v = s->gp[st->gi] + r * s->gl[st->gi] + c0; break;
        case FZ_STORE:
          memmove(s->gp[st->gi] + r * s->gl[st->gi] + c0, val[st->ta], n * 4);
          continue;
        default: {
          const ptk_tile *bt = st->bc ? TC(st->bslot) : NULL;
          const float *a = st->ta >= 0 ? val[st->ta] : NULL, *b = st->tb >= 0 ? val[st->tb] : NULL;
          float s1 = st->sslot != NOSLOT ? sc[k] : 0;
          if (bt && st->brow) { /* one value per row (column 0): a tile-scalar op on this row */
            s1 = ((const float *)(const void *)bt->data)[r * ptk_fz_rs(bt)];
          } else if (bt) { /* row 0 of the columns, in place when contiguous */
            const float *p = (const float *)(const void *)bt->data;
            int64_t cs = ptk_fz_cs(bt);
            if (cs == 1) {
              b = p + c0;
            } else {
              for (size_t i = 0; i < n; i++) bb[i] = p[((int64_t)c0 + (int64_t)i) * cs];
              b = bb;
            }
            if (st->bc == 1) { /* the broadcast operand is src0 */
              const float *x = a;
              a = b, b = x;
            }
          }
          ptk_isa_fz_chunk((ptk_isa_fz_form)st->form, st->sub, w->fzbuf + (size_t)k * FZ_CH, a, b, s1, n);
          v = w->fzbuf + (size_t)k * FZ_CH;
        }
        }
        val[k] = v;
        if (st->wtile >= 0) {
          const ptk_tile *t = TC(P->tile_slot[st->wtile]);
          memcpy((float *)(void *)t->data + (int64_t)r * t->scols + c0, v, n * 4);
        }
      }
    }
  return true;
}

int ptk_interp__fz_step(worker *w, uint8_t *fr, const insn *I) {
  const fz_prog *P = I->aux;
  uint32_t k = (uint32_t)I->imm;
  const fz_step *st = &P->steps[k];
  fz_state *s = &w->fz;
  if (k == 0) {
    s->on = true;
    s->have_shape = false;
    s->li = 0;
    s->ns = 0;
  }
  if (!s->on) return 2;
  bool ok = true;
  if (st->kind == FZ_INPLACE) {
    ok = disjoint(s, fr, st);
  } else {
    const ptk_tile *t = TC(st->tile);
    if (st->kind == FZ_LOAD && !s->have_shape) {
      s->vr = t->vrows, s->vc = t->vcols;
      s->have_shape = true;
    }
    ok = ptk_fz_tile(t, s->vr, s->vc);
    if (ok && st->kind == FZ_EW && st->bc)
      ok = ptk_fz_bcast(TC(st->bslot), s->vr, s->vc, st->brow, st->bfirst);
    if (ok) ok = disjoint(s, fr, st);
    if (ok && (st->kind == FZ_LOAD || st->kind == FZ_STORE)) {
      int rc = ptk_rt_gm_direct(&w->b, st->ir, t, VC(st->view), (ptk_isa_dtype)st->vdt, st->kind == FZ_STORE,
                                &s->gp[st->gi], &s->gl[st->gi]);
      if (rc < 0) return -1;
      ok = rc == 0;
    }
    if (ok && st->kind == FZ_STORE) /* the store: disjoint from each load, or the very same elements */
      for (uint32_t j = 0; j < P->nload && ok; j++)
        if (ptk_fz_overlap(s->gp[j], ptk_fz_span(s->vr, s->vc, s->gl[j]), s->gp[st->gi],
                           ptk_fz_span(s->vr, s->vc, s->gl[st->gi])) &&
            (s->gp[j] != s->gp[st->gi] || s->gl[j] != s->gl[st->gi]))
          ok = false;
  }
  if (!ok) {
    s->on = false;
    return 1;
  }
  if (st->kind == FZ_STORE && !run(w, fr, P))
    return ptk_rt_oom(&w->b, st->ir, "a fused group's buffers", ((uint64_t)P->nsteps + 1) * FZ_CH * 4);
  return 0;
}
