/* Launching a prepared program of either engine (see launch.h): argument
 * binding, per-block state, the worker pool, the thread pool, ordered print
 * output and error reporting. */
#include "runtime/launch.h"
#include "runtime/mix.h"
#include "runtime/isa/vec.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lang/ir/target.h"

static char *param_name(const ptk_func *f, uint32_t i);

void ptk_rt_prog_init(ptk_rt_prog *p, const ptk_rt_engine *eng, const ptk_func *entry) {
  memset(p, 0, sizeof *p);
  p->eng = eng;
  p->entry = entry;
  /* parameter names for messages, once (a launch allocates nothing for them) */
  p->pnames = ptk_xcalloc(entry->nargs ? entry->nargs : 1, sizeof *p->pnames);
  for (uint32_t i = 0; i < entry->nargs; i++) p->pnames[i] = param_name(entry, i);
  const ptk_attr *ta = ptk_module_attr(ptk_module_top(entry->module), "pto.target_arch");
  if (ta && ta->kind == PTK_ATTR_STRING) p->target_attr = ptk_xstrndup(ta->str.s, ta->str.len);
  pthread_mutex_init(&p->pool_mu, NULL);
  ptk_rt_mix_prog_init(p);
}

int64_t ptk_rt_prog_add_site(ptk_rt_prog *p, int64_t bytes, ptk_isa_dtype dt) {
  int64_t off = (p->priv_bytes + 63) & ~(int64_t)63;
  p->priv_bytes = off + bytes;
  p->sites = ptk_xrealloc(p->sites, (p->nsites + 1) * sizeof *p->sites);
  p->sites[p->nsites++] = (ptk_rt_site){off, bytes, dt};
  return off;
}

/* A parameter as the kernel's author wrote it: `x` for a .ptk kernel, `%x`
 * for a .pto function (messages speak the language of the source). */
static bool from_ptk(const ptk_value *v) {
  const char *p = v && v->loc.src ? v->loc.src->path : NULL;
  size_t n = p ? strlen(p) : 0;
  return n > 4 && !strcmp(p + n - 4, ".ptk");
}
static char *param_name(const ptk_func *f, uint32_t i) {
  const ptk_value *v = ptk_func_arg(f, i);
  if (from_ptk(v) && v->name) return ptk_xstrdup(v->name);
  return ptk_func_arg_name(f, i);
}

/* ---- arguments --------------------------------------------------------------------------------- */

static int kind_of(const ptk_type *t) {
  if (!t) return 0;
  if (t->kind == PTK_TY_SCALAR) return 1;
  if (t->kind == PTK_TY_PTR) return 2;
  return 0;
}

static int bind_args(ptk_rt_launch *L, const ptk_func *f, const ptk_launch_arg *args, size_t nargs,
                     ptk_diags *d) {
  if (nargs != f->nargs) {
    ptk_error_loc(d, f->loc, "kernel '%s' takes %u argument%s, got %zu", f->name, f->nargs,
                  f->nargs == 1 ? "" : "s", nargs);
    return -1;
  }
  int errs = 0;
  uint32_t n = f->nargs ? f->nargs : 1;
  L->nbufs = f->nargs;
  if (n <= PTK_RT_INLINE_ARGS) { /* the launch's own arrays (zeroed with it) */
    L->bufs = L->in.bufs, L->scalars = L->in.scalars, L->ptrs = L->in.ptrs, L->argv = L->in.argv;
  } else {
    L->bufs = ptk_xcalloc(n, sizeof *L->bufs);
    L->scalars = ptk_xcalloc(n, sizeof *L->scalars);
    L->ptrs = ptk_xcalloc(n, sizeof *L->ptrs);
    L->argv = ptk_xcalloc(n, sizeof *L->argv);
  }
  for (uint32_t i = 0; i < f->nargs; i++) {
    const ptk_type *t = f->arg_types[i];
    const ptk_launch_arg *a = &args[i];
    const char *name = L->p->pnames[i];
    char *ts = NULL; /* the type's text, for messages only */
#define TS() (ts ? ts : (ts = ptk_type_str(t)))
    int k = kind_of(t);
    if (k == 2) {
      ptk_dtype pd;
      L->ptrs[i] = (ptk_rt_ptr){(int32_t)i, 0, 0};
      L->argv[i] = &L->ptrs[i];
      if (a->kind != PTK_ARG_TENSOR || !a->tensor) {
        ptk_error_loc(d, ptk_func_arg_loc(f, i), "argument %u ('%s'): expected a tensor for parameter type %s",
                      i + 1, name, TS());
        errs++;
      } else if (!ptk_type_elem_dtype(t, &pd) ||
                 ptk_tdtype_size(a->tensor->dtype) != ptk_dtype_bytes(pd)) {
        ptk_error_loc(d, ptk_func_arg_loc(f, i),
                      "argument %u ('%s'): a %s tensor (%zu-byte elements) cannot be bound to %s",
                      i + 1, name, ptk_tdtype_name(a->tensor->dtype),
                      ptk_tdtype_size(a->tensor->dtype), TS());
        errs++;
      } else if (!ptk_tensor_is_contiguous(a->tensor)) {
        ptk_error_loc(d, ptk_func_arg_loc(f, i), "argument %u ('%s'): the tensor must be C-contiguous",
                      i + 1, name);
        errs++;
      } else {
        ptk_rt_gbuf *b = &L->bufs[i];
        b->data = a->tensor->data;
        b->nbytes = (int64_t)ptk_tensor_nbytes(a->tensor);
        b->esz = ptk_dtype_bytes(pd);
        b->name = name;
        b->param = ptk_func_arg(f, i);
      }
    } else if (k == 1) {
      L->argv[i] = &L->scalars[i];
      if (a->kind != PTK_ARG_SCALAR) {
        ptk_error_loc(d, ptk_func_arg_loc(f, i), "argument %u ('%s'): expected a scalar of type %s", i + 1,
                      name, TS());
        errs++;
      } else {
        ptk_dtype pd = t->dt;
        bool af = ptk_dtype_is_float(a->dt);
        if (ptk_dtype_is_float(pd)) {
          L->scalars[i].f = ptk_float_round(af ? a->f : (double)a->i, pd);
        } else {
          int64_t v = a->i;
          if (af) {
            if (!(a->f == trunc(a->f)) || fabs(a->f) >= 0x1p63) {
              ptk_error_loc(d, ptk_func_arg_loc(f, i), "argument %u ('%s'): %g is not a value of type %s",
                            i + 1, name, a->f, TS());
              errs++;
            }
            v = af && fabs(a->f) < 0x1p63 ? (int64_t)a->f : 0;
          }
          L->scalars[i].i = ptk_sc_norm(v, ptk_dtype_bits(pd));
        }
      }
    } else {
      ptk_error_loc(d, ptk_func_arg_loc(f, i), "argument %u ('%s'): parameters of type %s are not supported",
                    i + 1, name, TS());
      errs++;
    }
    free(ts);
#undef TS
  }
  return errs ? -1 : 0;
}

/* ---- workers ----------------------------------------------------------------------------------- */

/* Workers (their on-chip memories, private tile storage and the engine's
 * own state) are kept in a small pool on the program between launches, so
 * launching a small kernel repeatedly allocates (and page-faults) nothing.
 * A worker's memories are allocated on first use (ptk_rt_alloc / tassign)
 * and cleared between blocks only where the previous block placed tiles. */
#define POOL_MAX 8

static void err_free(ptk_rt_error *e) {
  free(e->msg);
  for (uint32_t i = 0; i < e->nnotes; i++) free(e->note_msg[i]);
  memset(e, 0, sizeof *e);
}

static void worker_release(const ptk_rt_prog *p, ptk_rt_worker *w) {
  ptk_rt_mix_free(w);
  if (p->eng->worker_fini) p->eng->worker_fini(w);
  for (int s = 0; s < PTK_SPACE__COUNT; s++) {
    free(w->mem[s]);
    free(w->claimed[s]);
  }
  free(w->priv);
  free(w->site_epoch);
  free(w->acc.data);
  err_free(&w->err);
  ptk_buf_free(&w->scratch);
  free(w);
}

/* NULL when out of memory. */
static ptk_rt_worker *worker_get(const ptk_rt_prog *p, ptk_rt_launch *L) {
  ptk_rt_prog *mp = (ptk_rt_prog *)p; /* the pool is the only mutable part */
  ptk_rt_worker *w = NULL;
  pthread_mutex_lock(&mp->pool_mu);
  if (mp->pool) {
    w = mp->pool;
    mp->pool = w->next;
    mp->npool--;
  }
  pthread_mutex_unlock(&mp->pool_mu);
  if (!w) w = calloc(1, p->eng->worker_size);
  if (!w) return NULL;
  w->p = p;
  ptk_rt_worker_bind(w, L);
  return w;
}

void ptk_rt_worker_bind(ptk_rt_worker *w, ptk_rt_launch *L) {
  w->L = L;
  w->fail_block = &L->fail_block;
  w->next = NULL;
  for (int s = 0; s < PTK_SPACE__COUNT; s++) {
    if (w->mem[s] && w->cap[s] != L->cap[s]) { /* another target: reallocated on use */
      free(w->mem[s]);
      free(w->claimed[s]);
      w->mem[s] = w->claimed[s] = NULL;
      w->cap[s] = 0;
    }
  }
}

ptk_rt_worker *ptk_rt_worker_new(const ptk_rt_prog *p, ptk_rt_launch *L) {
  ptk_rt_worker *w = calloc(1, p->eng->worker_size);
  if (!w) return NULL;
  w->p = p;
  ptk_rt_worker_bind(w, L);
  return w;
}

void ptk_rt_worker_free(ptk_rt_worker *w) { worker_release(w->p, w); }

static void worker_put(const ptk_rt_prog *p, ptk_rt_worker *w) {
  ptk_rt_prog *mp = (ptk_rt_prog *)p;
  err_free(&w->err);
  w->L = NULL;
  w->out = NULL;
  w->acc.len = 0;
  pthread_mutex_lock(&mp->pool_mu);
  if (mp->npool < POOL_MAX) {
    w->next = mp->pool;
    mp->pool = w;
    mp->npool++;
    w = NULL;
  }
  pthread_mutex_unlock(&mp->pool_mu);
  if (w) worker_release(p, w);
}

void ptk_rt_prog_fini(ptk_rt_prog *p) {
  while (p->pool) {
    ptk_rt_worker *w = p->pool;
    p->pool = w->next;
    worker_release(p, w);
  }
  p->npool = 0;
  pthread_mutex_destroy(&p->pool_mu);
  for (uint32_t i = 0; p->pnames && i < p->entry->nargs; i++) free(p->pnames[i]);
  free(p->pnames);
  p->pnames = NULL;
  free(p->target_attr);
  free(p->sites);
  p->target_attr = NULL;
  p->sites = NULL;
}

/* ---- blocks ------------------------------------------------------------------------------------- */

/* Resets what the previous block of this worker touched: the on-chip bytes
 * it placed tiles on go back to the fill byte (0, or 0xA5 under --poison),
 * and private tiles are re-cleared on their first alloc_tile (ptk_rt_alloc),
 * so a block sees exactly what a freshly cleared memory would show. */
void ptk_rt_block_reset(ptk_rt_worker *w, int64_t block) {
  const ptk_rt_prog *p = w->p;
  ptk_rt_launch *L = w->L;
  w->block = block;
  w->depth = 0;
  w->failed = false;
  w->stop_op = NULL;
  w->seq = 0;
  memset(w->vbase, 0, sizeof w->vbase);
  ptk_v_dma_reset(); /* VPTO loop registers: this thread's, reset per block */
  ptk_v_spr_reset(); /* VPTO SPR AR, SQZN, VMS4_SR: likewise */
  uint8_t fill = L->poison ? 0xA5 : 0;
  for (int s = 0; s < PTK_SPACE__COUNT; s++) {
    if (!w->mem[s]) continue;
    if (w->mem_fill[s] != fill) {
      memset(w->mem[s], fill, w->cap[s]);
      if (w->claimed[s]) memset(w->claimed[s], 0, w->cap[s]);
      w->mem_fill[s] = fill;
    } else if (w->dirty_hi[s] > w->dirty_lo[s]) {
      memset(w->mem[s] + w->dirty_lo[s], fill, w->dirty_hi[s] - w->dirty_lo[s]);
      if (w->claimed[s]) memset(w->claimed[s] + w->dirty_lo[s], 0, w->dirty_hi[s] - w->dirty_lo[s]);
    }
    w->dirty_lo[s] = UINT32_MAX;
    w->dirty_hi[s] = 0;
  }
  if (++w->epoch == 0) { /* wrapped: forget every site's epoch */
    if (w->site_epoch) memset(w->site_epoch, 0, p->nsites * sizeof *w->site_epoch);
    w->epoch = 1;
  }
}

static int exec_block(ptk_rt_worker *w, int64_t block) {
  const ptk_rt_prog *p = w->p;
  ptk_rt_block_reset(w, block);
  w->fn = 0;
  if (p->mixed) {
    int rc = ptk_rt_mix_block(w);
    if (rc == -1) ptk_rt_call_notes(w);
    return rc;
  }
  int rc = p->eng->run_block(w);
  if (rc == -1) {
    if (!w->failed) ptk_rt_fail(w, NULL, "internal error", "block failed without a message");
    ptk_rt_call_notes(w);
  }
  return rc;
}

/* Marks block b finished and writes every finished block's output in order. */
static void block_done(ptk_rt_launch *L, int64_t b, ptk_buf *out) {
  if (!L->outbufs) return;
  pthread_mutex_lock(&L->mu);
  L->outbufs[b] = out;
  L->done[b] = true;
  while (L->flushed < (int64_t)L->blocks && L->done[L->flushed]) {
    ptk_buf *o = L->outbufs[L->flushed];
    if (o) {
      if (o->len) fwrite(o->data, 1, o->len, L->out);
      ptk_buf_free(o);
      free(o);
      L->outbufs[L->flushed] = NULL;
    }
    L->flushed++;
  }
  pthread_mutex_unlock(&L->mu);
}

static void *worker_main(void *arg) {
  ptk_rt_worker *w = arg;
  ptk_rt_launch *L = w->L;
  for (;;) {
    int64_t b = atomic_fetch_add(&L->next_block, 1);
    if (b >= (int64_t)L->blocks) break;
    ptk_buf *out = NULL;
    if (b <= atomic_load(&L->fail_block)) {
      if (L->outbufs && w->p->has_print) out = calloc(1, sizeof *out);
      w->out = out;
      int rc = exec_block(w, b);
      w->out = NULL;
      pthread_mutex_lock(&L->mu);
      if (rc == 0) {
        L->completed++;
      } else if (rc == -1) {
        if (b < atomic_load(&L->fail_block)) {
          err_free(&L->err);
          L->err = w->err;
          memset(&w->err, 0, sizeof w->err);
          atomic_store(&L->fail_block, b);
        }
      } else if (L->stop_reason) {
        ptk_rt_stopped_at at = {b, w->stop_op};
        ptk_rt_stopped_at *nd = realloc(L->stopped.data, (L->stopped.len + 1) * sizeof *nd);
        if (nd) {
          L->stopped.data = nd;
          L->stopped.data[L->stopped.len++] = at;
        }
      }
      pthread_mutex_unlock(&L->mu);
      err_free(&w->err);
    }
    block_done(L, b, out);
  }
  return NULL;
}

/* ---- stopping from outside ------------------------------------------------------------------------ */

void ptk_rt_cancel_init(ptk_rt_cancel *c, bool sticky) {
  memset(c, 0, sizeof *c);
  pthread_mutex_init(&c->mu, NULL);
  c->sticky = sticky;
}

void ptk_rt_cancel_fini(ptk_rt_cancel *c) { pthread_mutex_destroy(&c->mu); }

/* Makes every block abort at its next poll and no new block start. */
static void stop_launch(ptk_rt_launch *L, int why) {
  pthread_mutex_lock(&L->mu);
  if (!L->stop_reason) L->stop_reason = why;
  atomic_store(&L->fail_block, -1);
  pthread_mutex_unlock(&L->mu);
}

int ptk_rt_cancel_all(ptk_rt_cancel *c, ptk_rt_stop_reason why) {
  int n = 0;
  pthread_mutex_lock(&c->mu);
  if (c->sticky && !c->reason) c->reason = (int)why;
  for (ptk_rt_launch *L = c->active; L; L = L->next_active, n++) stop_launch(L, (int)why);
  pthread_mutex_unlock(&c->mu);
  return n;
}

static void cancel_register(ptk_rt_launch *L) {
  ptk_rt_cancel *c = L->cancel;
  if (!c) return;
  pthread_mutex_lock(&c->mu);
  L->next_active = c->active;
  c->active = L;
  if (c->reason) stop_launch(L, c->reason);
  pthread_mutex_unlock(&c->mu);
}

static void cancel_unregister(ptk_rt_launch *L) {
  ptk_rt_cancel *c = L->cancel;
  if (!c) return;
  pthread_mutex_lock(&c->mu);
  for (ptk_rt_launch **pl = &c->active; *pl; pl = &(*pl)->next_active)
    if (*pl == L) {
      *pl = L->next_active;
      break;
    }
  pthread_mutex_unlock(&c->mu);
}

/* The timeout: waits until the launch finishes or its deadline passes. */
static void *watchdog(void *arg) {
  ptk_rt_launch *L = arg;
  struct timespec dl;
  clock_gettime(CLOCK_MONOTONIC, &dl);
  double whole = floor(L->timeout);
  dl.tv_sec += (time_t)whole;
  dl.tv_nsec += (long)((L->timeout - whole) * 1e9);
  if (dl.tv_nsec >= 1000000000L) dl.tv_sec++, dl.tv_nsec -= 1000000000L;
  pthread_mutex_lock(&L->mu);
  while (!L->finished) {
    int r = pthread_cond_timedwait(&L->cv, &L->mu, &dl);
    if (r == ETIMEDOUT && !L->finished) {
      if (!L->stop_reason) L->stop_reason = PTK_STOP_TIMEOUT;
      atomic_store(&L->fail_block, -1);
      break;
    }
  }
  pthread_mutex_unlock(&L->mu);
  return NULL;
}

static const char *stop_text(int why) {
  switch (why) {
  case PTK_STOP_TIMEOUT: return "timed out";
  case PTK_STOP_SIGINT: return "interrupted (SIGINT)";
  case PTK_STOP_SIGTERM: return "terminated (SIGTERM)";
  default: return "cancelled";
  }
}

static int cmp_stopped(const void *a, const void *b) {
  const ptk_rt_stopped_at *x = a, *y = b;
  return x->block < y->block ? -1 : x->block > y->block;
}

/* "launch of kernel 'k' timed out after 2 s: block 0 was stopped here"
 * at the op each running block was executing (its innermost loop). */
static void report_stop(ptk_rt_launch *L, ptk_diags *d) {
  const ptk_func *f = L->p->entry;
  if (L->stopped.len) /* data is NULL when no block was stopped */
    qsort(L->stopped.data, L->stopped.len, sizeof *L->stopped.data, cmp_stopped);
  ptk_buf h = {0};
  ptk_buf_printf(&h, "launch of kernel '%s' %s", L->kernel, stop_text(L->stop_reason));
  if (L->stop_reason == PTK_STOP_TIMEOUT) ptk_buf_printf(&h, " after %g s", L->timeout_limit);
  int64_t notrun = (int64_t)L->blocks - L->completed - (int64_t)L->stopped.len;
  if (!L->stopped.len) {
    ptk_error_loc(d, f->loc, "%s before block %lld ran", ptk_buf_cstr(&h), (long long)L->completed);
  } else {
    const ptk_rt_stopped_at *s0 = &L->stopped.data[0];
    ptk_error_loc(d, s0->op ? s0->op->loc : f->loc, "%s: block %lld was stopped in %s", ptk_buf_cstr(&h),
                  (long long)s0->block, s0->op ? ptk_op_table[s0->op->kind].name : "the kernel");
    size_t shown = L->stopped.len < 8 ? L->stopped.len : 8;
    for (size_t i = 1; i < shown; i++) {
      const ptk_rt_stopped_at *s = &L->stopped.data[i];
      ptk_note(d, ptk_range_at(s->op ? s->op->loc : f->loc, 1), "block %lld was stopped in %s",
               (long long)s->block, s->op ? ptk_op_table[s->op->kind].name : "the kernel");
    }
    if (L->stopped.len > shown)
      ptk_note(d, ptk_range_at(f->loc, 1), "%zu more blocks were stopped", L->stopped.len - shown);
  }
  if (notrun > 0)
    ptk_note(d, ptk_range_at(f->loc, 1), "%lld of %u blocks completed; %lld never started",
             (long long)L->completed, L->blocks, (long long)notrun);
  ptk_buf_free(&h);
}

/* ---- --check-races -------------------------------------------------------------------------------- */

#define RACE_MAX_ACCESSES ((size_t)1 << 24)
#define RACE_MAX_REPORTS 8

static int cmp_access(const void *a, const void *b) {
  const ptk_rt_access *x = a, *y = b;
  if (x->buf != y->buf) return x->buf < y->buf ? -1 : 1;
  if (x->lo != y->lo) return x->lo < y->lo ? -1 : 1;
  if (x->block != y->block) return x->block < y->block ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static const char *verb(const ptk_rt_access *a) { return a->kind ? "writes" : "reads"; }

/* Overlapping accesses of two blocks, at least one a write (atomic adds
 * among themselves excepted): each distinct pair of ops once. Returns the
 * number of races found. */
static int check_races(ptk_rt_launch *L, ptk_diags *d) {
  ptk_rt_access *a = L->acc.data;
  size_t n = L->acc.len;
  qsort(a, n, sizeof *a, cmp_access);
  size_t *act = malloc((n ? n : 1) * sizeof *act);
  const ptk_op *(*seen)[2] = malloc(RACE_MAX_REPORTS * sizeof *seen);
  if (!act || !seen) {
    free(act);
    free(seen);
    ptk_error_loc(d, L->p->entry->loc, "out of memory: --check-races cannot analyse %zu accesses", n);
    return 1;
  }
  size_t nact = 0;
  int nseen = 0, found = 0;
  for (size_t i = 0; i < n && nseen < RACE_MAX_REPORTS; i++) {
    const ptk_rt_access *r = &a[i];
    size_t k = 0;
    for (size_t j = 0; j < nact; j++) {
      const ptk_rt_access *q = &a[act[j]];
      if (q->buf != r->buf || q->hi <= r->lo) continue; /* no longer overlaps anything */
      act[k++] = act[j];
      if (q->block == r->block || (!q->kind && !r->kind) || (q->kind == 2 && r->kind == 2)) continue;
      const ptk_op *o1 = q->op, *o2 = r->op;
      bool dup = false;
      for (int s = 0; s < nseen && !dup; s++)
        dup = (seen[s][0] == o1 && seen[s][1] == o2) || (seen[s][0] == o2 && seen[s][1] == o1);
      found++;
      if (dup || nseen >= RACE_MAX_REPORTS) continue;
      seen[nseen][0] = o1, seen[nseen][1] = o2, nseen++;
      /* first: the higher block, against the lower one */
      const ptk_rt_access *hi = q->block > r->block ? q : r, *lo = hi == q ? r : q;
      const ptk_rt_gbuf *b = &L->bufs[r->buf];
      int64_t olo = r->lo > q->lo ? r->lo : q->lo, ohi = r->hi < q->hi ? r->hi : q->hi;
      int64_t e0 = olo / b->esz, e1 = (ohi - 1) / b->esz;
      const ptk_func *f = L->p->entry;
      ptk_error_loc(d, hi->op ? hi->op->loc : f->loc,
                    "data race in kernel '%s': %s of block %lld %s element%s %lld%s%.0lld of '%s' that "
                    "block %lld %s",
                    L->kernel, hi->op ? ptk_op_table[hi->op->kind].name : "an op", (long long)hi->block, verb(hi), e0 == e1 ? "" : "s", (long long)e0,
                    e0 == e1 ? "" : " to ", e0 == e1 ? 0LL : (long long)e1, b->name,
                    (long long)lo->block, !hi->kind ? "writes" : lo->kind ? "also writes" : "reads");
      ptk_note(d, ptk_range_at(lo->op ? lo->op->loc : f->loc, 1), "block %lld %s them here (%s)",
               (long long)lo->block, verb(lo), lo->op ? ptk_op_table[lo->op->kind].name : "?");
    }
    nact = k;
    act[nact++] = i;
  }
  if (nseen)
    ptk_note(d, ptk_range_at(L->p->entry->loc, 1),
             "blocks run concurrently in any order: the result of a racy kernel depends on the "
             "schedule (and may differ between --threads counts)");
  free(act);
  free(seen);
  return found;
}

/* Records [lo, hi) of buffer `buf` for op (kind 0 read, 1 write, 2 atomic
 * add), merged into the previous record when it continues it. */
void ptk_rt_record(ptk_rt_worker *w, const ptk_op *op, int32_t buf, int64_t lo, int64_t hi, int kind) {
  if (hi <= lo) return;
  if (w->acc.len) {
    ptk_rt_access *l = &w->acc.data[w->acc.len - 1];
    if (l->op == op && l->buf == buf && l->kind == kind && l->block == w->block && lo <= l->hi &&
        hi >= l->lo) {
      if (lo < l->lo) l->lo = lo;
      if (hi > l->hi) l->hi = hi;
      return;
    }
  }
  if (w->acc.len == w->acc.cap) {
    size_t nc = w->acc.cap ? w->acc.cap * 2 : 256;
    ptk_rt_access *nd = nc <= RACE_MAX_ACCESSES ? realloc(w->acc.data, nc * sizeof *nd) : NULL;
    if (!nd) {
      w->L->acc_overflow = true; /* a benign race on a bool that is only ever set */
      return;
    }
    w->acc.data = nd;
    w->acc.cap = nc;
  }
  w->acc.data[w->acc.len++] = (ptk_rt_access){w->block, lo, hi, op, w->seq++, buf, (uint8_t)kind};
}

static bool gather_accesses(ptk_rt_launch *L, ptk_rt_worker **ws, uint32_t n) {
  size_t total = 0;
  for (uint32_t t = 0; t < n; t++) total += ws[t]->acc.len;
  if (L->acc_overflow || total > RACE_MAX_ACCESSES) return false;
  L->acc.data = malloc((total ? total : 1) * sizeof *L->acc.data);
  if (!L->acc.data) return false;
  for (uint32_t t = 0; t < n; t++) {
    if (!ws[t]->acc.len) continue;
    memcpy(L->acc.data + L->acc.len, ws[t]->acc.data, ws[t]->acc.len * sizeof *L->acc.data);
    L->acc.len += ws[t]->acc.len;
  }
  return true;
}

/* ---- helper threads ------------------------------------------------------------------------------ */

/* A launch on T threads runs on its caller and T - 1 helper threads taken
 * from a process-wide pool: a helper parks on its own condition variable
 * between jobs, so a launch wakes threads instead of creating and joining
 * them (tens of microseconds each). The pool grows to the most threads ever
 * used at once; idle helpers exit when the library is unloaded or the
 * process exits, and a forked child starts with an empty pool (its parent's
 * helpers do not exist there). */
typedef struct rt_join {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  uint32_t pending; /* jobs not finished */
} rt_join;

typedef struct rt_helper {
  pthread_t th;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  ptk_rt_worker *job; /* NULL while idle */
  rt_join *join;
  bool quit;
  struct rt_helper *next; /* in the idle list */
} rt_helper;

static pthread_mutex_t helpers_mu = PTHREAD_MUTEX_INITIALIZER;
static rt_helper *helpers_idle;
static pthread_once_t helpers_once = PTHREAD_ONCE_INIT;

static void *worker_main(void *arg);

static void *helper_main(void *arg) {
  rt_helper *h = arg;
  pthread_mutex_lock(&h->mu);
  for (;;) {
    while (!h->job && !h->quit) pthread_cond_wait(&h->cv, &h->mu);
    if (!h->job) break; /* quit */
    ptk_rt_worker *w = h->job;
    rt_join *j = h->join;
    pthread_mutex_unlock(&h->mu);
    worker_main(w);
    pthread_mutex_lock(&h->mu);
    h->job = NULL;
    pthread_mutex_unlock(&h->mu);
    pthread_mutex_lock(&helpers_mu); /* idle again before the launch can return */
    h->next = helpers_idle;
    helpers_idle = h;
    pthread_mutex_unlock(&helpers_mu);
    pthread_mutex_lock(&j->mu);
    if (--j->pending == 0) pthread_cond_signal(&j->cv);
    pthread_mutex_unlock(&j->mu);
    pthread_mutex_lock(&h->mu);
  }
  pthread_mutex_unlock(&h->mu);
  return NULL;
}

/* fork: the list is consistent across it; the child has no helpers */
static void helpers_prefork(void) { pthread_mutex_lock(&helpers_mu); }
static void helpers_parent(void) { pthread_mutex_unlock(&helpers_mu); }
static void helpers_child(void) {
  helpers_idle = NULL;
  pthread_mutex_unlock(&helpers_mu);
}
static void helpers_init(void) { pthread_atfork(helpers_prefork, helpers_parent, helpers_child); }

/* Idle helpers exit (the busy ones cannot be: a launch still runs). */
__attribute__((destructor)) static void helpers_stop(void) {
  pthread_mutex_lock(&helpers_mu);
  rt_helper *h = helpers_idle;
  helpers_idle = NULL;
  pthread_mutex_unlock(&helpers_mu);
  while (h) {
    rt_helper *n = h->next;
    pthread_mutex_lock(&h->mu);
    h->quit = true;
    pthread_cond_signal(&h->cv);
    pthread_mutex_unlock(&h->mu);
    pthread_join(h->th, NULL);
    pthread_cond_destroy(&h->cv);
    pthread_mutex_destroy(&h->mu);
    free(h);
    h = n;
  }
}

/* Runs w on a helper; false when no helper can be had (out of memory or
 * threads): the launch then runs on fewer threads. */
static bool helper_run(ptk_rt_worker *w, rt_join *j) {
  pthread_once(&helpers_once, helpers_init);
  pthread_mutex_lock(&helpers_mu);
  rt_helper *h = helpers_idle;
  if (h) helpers_idle = h->next;
  pthread_mutex_unlock(&helpers_mu);
  if (!h) {
    h = calloc(1, sizeof *h);
    if (!h) return false;
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->cv, NULL);
    if (pthread_create(&h->th, NULL, helper_main, h) != 0) {
      pthread_cond_destroy(&h->cv);
      pthread_mutex_destroy(&h->mu);
      free(h);
      return false;
    }
  }
  pthread_mutex_lock(&j->mu);
  j->pending++;
  pthread_mutex_unlock(&j->mu);
  pthread_mutex_lock(&h->mu);
  h->job = w;
  h->join = j;
  pthread_cond_signal(&h->cv);
  pthread_mutex_unlock(&h->mu);
  return true;
}

/* ---- the launch ------------------------------------------------------------------------------------ */

static uint32_t ncpus;
static void read_ncpus(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  ncpus = n > 0 ? (uint32_t)n : 1;
}

static int launch_oom(ptk_rt_launch *L, ptk_diags *d, const char *what, uint64_t bytes) {
  ptk_error_loc(d, L->p->entry->loc, "out of memory in kernel '%s': cannot allocate %llu bytes for %s",
                L->kernel, (unsigned long long)bytes, what);
  return PTK_RT_NOMEM;
}

int ptk_rt_run(const ptk_rt_prog *p, const ptk_launch_opts *o, const ptk_launch_arg *args,
               size_t nargs, ptk_diags *d) {
  ptk_launch_opts dflt = {0};
  if (!o) o = &dflt;
  const ptk_func *f = p->entry;
  ptk_rt_launch L;
  memset(&L, 0, sizeof L);
  L.p = p;
  L.kernel = o->kernel ? o->kernel : f->name;
  const char *target = o->target;
  if (!target) target = p->target_attr && strstr(p->target_attr, "a5") ? "a5" : "a3";
  if (strcmp(target, "a2") && strcmp(target, "a3") && strcmp(target, "a5")) {
    ptk_error(d, ptk_range_none(), "unknown target '%s' (expected a2, a3 or a5)", target);
    return 1;
  }
  L.target = target;
  L.a5 = !strcmp(target, "a5");
  for (int s = 0; s < PTK_SPACE__COUNT; s++)
    L.cap[s] = ptk_target_capacity(L.a5 ? PTK_TARGET_A5 : PTK_TARGET_A3, (ptk_space)s);
  L.poison = o->poison;
  L.out = o->out ? o->out : stdout;
  L.blocks = o->blocks ? o->blocks : 1;
  L.cancel = o->cancel;
  L.timeout = o->timeout > 0 && isfinite(o->timeout) ? o->timeout : 0;
  L.timeout_limit = o->timeout_limit > 0 ? o->timeout_limit : L.timeout;
  L.races = o->check_races || o->accesses;
  atomic_init(&L.next_block, 0);
  atomic_init(&L.fail_block, INT64_MAX);
  pthread_mutex_init(&L.mu, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&L.cv, &ca);
  pthread_condattr_destroy(&ca);
  int rc = 0;
  ptk_rt_worker **ws = NULL, *ws_in[8]; /* ws_in: no allocation for few threads */
  uint32_t nws = 0;
  if (bind_args(&L, f, args, nargs, d)) {
    rc = 1;
    goto done;
  }
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, read_ncpus);
  uint32_t threads = o->threads ? o->threads : ncpus;
  if (threads > L.blocks) threads = L.blocks;
  if (threads > PTK_RT_MAX_WORKERS) threads = PTK_RT_MAX_WORKERS;
  if (p->has_atomic) threads = 1; /* reproducible atomic-add order: block order */
  if (threads > 1 && p->has_print) {
    L.outbufs = calloc(L.blocks, sizeof *L.outbufs);
    L.done = calloc(L.blocks, sizeof *L.done);
    if (!L.outbufs || !L.done) {
      rc = launch_oom(&L, d, "ordering print output", (uint64_t)L.blocks * (sizeof *L.outbufs + 1));
      goto done;
    }
  }
  ws = threads <= 8 ? ws_in : calloc(threads, sizeof *ws);
  if (!ws) {
    rc = launch_oom(&L, d, "the workers", threads * sizeof *ws);
    goto done;
  }
  for (; nws < threads; nws++)
    if (!(ws[nws] = worker_get(p, &L))) break;
  if (!nws) {
    rc = launch_oom(&L, d, "a worker", p->eng->worker_size);
    goto done;
  }
  threads = nws; /* fewer workers when memory is short */
  cancel_register(&L);
  pthread_t wd;
  bool have_wd = L.timeout > 0 && pthread_create(&wd, NULL, watchdog, &L) == 0;
  if (threads == 1) {
    worker_main(ws[0]);
  } else {
    rt_join j = {.pending = 0};
    pthread_mutex_init(&j.mu, NULL);
    pthread_cond_init(&j.cv, NULL);
    for (uint32_t t = 1; t < threads; t++)
      if (!helper_run(ws[t], &j)) break; /* the started ones take every block */
    worker_main(ws[0]);
    pthread_mutex_lock(&j.mu);
    while (j.pending) pthread_cond_wait(&j.cv, &j.mu);
    pthread_mutex_unlock(&j.mu);
    pthread_cond_destroy(&j.cv);
    pthread_mutex_destroy(&j.mu);
  }
  pthread_mutex_lock(&L.mu);
  L.finished = true;
  pthread_cond_broadcast(&L.cv);
  pthread_mutex_unlock(&L.mu);
  if (have_wd) pthread_join(wd, NULL);
  cancel_unregister(&L);
  if (p->has_print) fflush(L.out); /* nothing else writes to it */
  bool genuine = L.err.msg != NULL;
  bool stopped = L.stop_reason && (L.stopped.len > 0 || (!genuine && L.completed < (int64_t)L.blocks));
  if (genuine) {
    ptk_rt_error *e = &L.err;
    ptk_error_loc(d, e->op ? e->op->loc : f->loc, "%s", e->msg);
    for (uint32_t i = 0; i < e->nnotes; i++)
      ptk_note(d, ptk_range_at(e->note_loc[i], 1), "%s", e->note_msg[i]);
    if (o->kernel && o->decl.begin.src)
      ptk_note(d, o->decl, "kernel '%s' is declared here and implemented by '@%s'%s%s", o->kernel, f->name,
               f->loc.src ? " of " : "", f->loc.src ? f->loc.src->path : "");
    rc = e->oom ? PTK_RT_NOMEM : PTK_RT_ERROR;
  }
  if (stopped) {
    report_stop(&L, d);
    rc = PTK_RT_STOPPED;
  } else if (!rc && L.races) {
    if (!gather_accesses(&L, ws, nws)) {
      ptk_error_loc(d, f->loc, "--check-races: kernel '%s' made more global-memory accesses than can be "
                    "checked (at most %zu ranges)", L.kernel, RACE_MAX_ACCESSES);
      rc = PTK_RT_ERROR;
    } else if (o->accesses && (o->accesses(o->accesses_arg, L.acc.data, L.acc.len), !o->check_races)) {
      /* recorded for a program's check across tasks only */
    } else if (check_races(&L, d)) {
      rc = PTK_RT_ERROR;
    }
  }
done:
  for (uint32_t t = 0; t < nws; t++) worker_put(p, ws[t]);
  if (ws != ws_in) free(ws);
  err_free(&L.err);
  if (L.bufs != L.in.bufs) {
    free(L.bufs);
    free(L.scalars);
    free(L.ptrs);
    free(L.argv);
  }
  if (L.outbufs) {
    for (uint32_t b = 0; b < L.blocks; b++)
      if (L.outbufs[b]) ptk_buf_free(L.outbufs[b]), free(L.outbufs[b]);
    free(L.outbufs);
  }
  free(L.done);
  free(L.stopped.data);
  free(L.acc.data);
  pthread_cond_destroy(&L.cv);
  pthread_mutex_destroy(&L.mu);
  return rc;
}
