/* Launching a prepared program of either engine (see launch.h): argument
 * binding, per-block state, the worker pool, the thread pool, ordered print
 * output and error reporting. */
#include "runtime/launch.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lang/ir/target.h"

void ptk_rt_prog_init(ptk_rt_prog *p, const ptk_rt_engine *eng, const ptk_func *entry) {
  memset(p, 0, sizeof *p);
  p->eng = eng;
  p->entry = entry;
  const ptk_attr *ta = ptk_module_attr(ptk_module_top(entry->module), "pto.target_arch");
  if (ta && ta->kind == PTK_ATTR_STRING) p->target_attr = ptk_xstrndup(ta->str.s, ta->str.len);
  pthread_mutex_init(&p->pool_mu, NULL);
}

int64_t ptk_rt_prog_add_site(ptk_rt_prog *p, int64_t bytes, ptk_isa_dtype dt) {
  int64_t off = (p->priv_bytes + 63) & ~(int64_t)63;
  p->priv_bytes = off + bytes;
  p->sites = ptk_xrealloc(p->sites, (p->nsites + 1) * sizeof *p->sites);
  p->sites[p->nsites++] = (ptk_rt_site){off, bytes, dt};
  return off;
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
  L->bufs = ptk_xcalloc(n, sizeof *L->bufs);
  L->scalars = ptk_xcalloc(n, sizeof *L->scalars);
  L->ptrs = ptk_xcalloc(n, sizeof *L->ptrs);
  L->argv = ptk_xcalloc(n, sizeof *L->argv);
  for (uint32_t i = 0; i < f->nargs; i++) {
    const ptk_type *t = f->arg_types[i];
    const ptk_launch_arg *a = &args[i];
    char *name = ptk_func_arg_name(f, i);
    char *ts = ptk_type_str(t);
    int k = kind_of(t);
    if (k == 2) {
      ptk_dtype pd;
      L->ptrs[i] = (ptk_rt_ptr){(int32_t)i, 0, 0};
      L->argv[i] = &L->ptrs[i];
      if (a->kind != PTK_ARG_TENSOR || !a->tensor) {
        ptk_error_loc(d, ptk_func_arg_loc(f, i), "argument %u ('%s'): expected a tensor for parameter type %s",
                      i + 1, name, ts);
        errs++;
      } else if (!ptk_type_elem_dtype(t, &pd) ||
                 ptk_tdtype_size(a->tensor->dtype) != ptk_dtype_bytes(pd)) {
        ptk_error_loc(d, ptk_func_arg_loc(f, i),
                      "argument %u ('%s'): a %s tensor (%zu-byte elements) cannot be bound to %s",
                      i + 1, name, ptk_tdtype_name(a->tensor->dtype),
                      ptk_tdtype_size(a->tensor->dtype), ts);
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
        name = NULL;
      }
    } else if (k == 1) {
      L->argv[i] = &L->scalars[i];
      if (a->kind != PTK_ARG_SCALAR) {
        ptk_error_loc(d, ptk_func_arg_loc(f, i), "argument %u ('%s'): expected a scalar of type %s", i + 1,
                      name, ts);
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
                            i + 1, name, a->f, ts);
              errs++;
            }
            v = af && fabs(a->f) < 0x1p63 ? (int64_t)a->f : 0;
          }
          L->scalars[i].i = ptk_sc_norm(v, ptk_dtype_bits(pd));
        }
      }
    } else {
      ptk_error_loc(d, ptk_func_arg_loc(f, i), "argument %u ('%s'): parameters of type %s are not supported",
                    i + 1, name, ts);
      errs++;
    }
    free(name);
    free(ts);
  }
  return errs ? -1 : 0;
}

/* ---- workers ----------------------------------------------------------------------------------- */

/* Workers (their on-chip memories, private tile storage and the engine's
 * own state) are kept in a small pool on the program between launches, so
 * launching a small kernel repeatedly allocates (and page-faults) nothing. */
#define POOL_MAX 8

static void err_free(ptk_rt_error *e) {
  free(e->msg);
  for (uint32_t i = 0; i < e->nnotes; i++) free(e->note_msg[i]);
  memset(e, 0, sizeof *e);
}

static void worker_release(const ptk_rt_prog *p, ptk_rt_worker *w) {
  if (p->eng->worker_fini) p->eng->worker_fini(w);
  for (int s = 0; s < PTK_SPACE__COUNT; s++) {
    free(w->mem[s]);
    free(w->claimed[s]);
  }
  free(w->priv);
  err_free(&w->err);
  ptk_buf_free(&w->scratch);
  free(w);
}

static ptk_rt_worker *worker_get(const ptk_rt_prog *p, ptk_rt_launch *L) {
  ptk_rt_prog *mp = (ptk_rt_prog *)p; /* the pool is the only mutable part */
  ptk_rt_worker *w = NULL;
  pthread_mutex_lock(&mp->pool_mu);
  for (ptk_rt_worker **pw = &mp->pool; *pw; pw = &(*pw)->next) {
    bool ok = true;
    for (int s = 0; s < PTK_SPACE__COUNT && ok; s++)
      ok = !(*pw)->mem[s] || ((*pw)->cap[s] == L->cap[s] && (!L->poison || (*pw)->claimed[s]));
    if (ok) {
      w = *pw;
      *pw = w->next;
      mp->npool--;
      break;
    }
  }
  pthread_mutex_unlock(&mp->pool_mu);
  if (!w) w = ptk_xcalloc(1, p->eng->worker_size);
  w->p = p;
  w->L = L;
  w->fail_block = &L->fail_block;
  w->next = NULL;
  for (int s = 0; s < PTK_SPACE__COUNT; s++) {
    if (!p->mem_used[s] || !L->cap[s] || w->mem[s]) continue;
    w->mem[s] = aligned_alloc(64, ((size_t)L->cap[s] + 63) & ~(size_t)63);
    if (!w->mem[s]) abort();
    w->cap[s] = L->cap[s];
  }
  for (int s = 0; s < PTK_SPACE__COUNT; s++)
    if (L->poison && w->mem[s] && !w->claimed[s]) w->claimed[s] = ptk_xmalloc(L->cap[s]);
  if (p->priv_bytes && !w->priv) {
    w->priv = aligned_alloc(64, ((size_t)p->priv_bytes + 63) & ~(size_t)63);
    if (!w->priv) abort();
  }
  return w;
}

static void worker_put(const ptk_rt_prog *p, ptk_rt_worker *w) {
  ptk_rt_prog *mp = (ptk_rt_prog *)p;
  err_free(&w->err);
  w->L = NULL;
  w->out = NULL;
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
  free(p->target_attr);
  free(p->sites);
  p->target_attr = NULL;
  p->sites = NULL;
}

/* ---- blocks ------------------------------------------------------------------------------------- */

static int exec_block(ptk_rt_worker *w, int64_t block) {
  const ptk_rt_prog *p = w->p;
  ptk_rt_launch *L = w->L;
  w->block = block;
  w->depth = 0;
  w->failed = false;
  for (int s = 0; s < PTK_SPACE__COUNT; s++) {
    if (!w->mem[s]) continue;
    memset(w->mem[s], L->poison ? 0xA5 : 0, L->cap[s]);
    if (L->poison) memset(w->claimed[s], 0, L->cap[s]);
  }
  if (p->priv_bytes) {
    if (L->poison)
      for (uint32_t i = 0; i < p->nsites; i++)
        ptk_rt_poison(w->priv + p->sites[i].off, p->sites[i].bytes, p->sites[i].dtype);
    else
      memset(w->priv, 0, (size_t)p->priv_bytes);
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
      if (L->outbufs && w->p->has_print) out = ptk_xcalloc(1, sizeof *out);
      w->out = out;
      int rc = exec_block(w, b);
      w->out = NULL;
      if (rc == -1) {
        pthread_mutex_lock(&L->mu);
        if (b < atomic_load(&L->fail_block)) {
          err_free(&L->err);
          L->err = w->err;
          memset(&w->err, 0, sizeof w->err);
          atomic_store(&L->fail_block, b);
        }
        pthread_mutex_unlock(&L->mu);
        err_free(&w->err);
      }
    }
    block_done(L, b, out);
  }
  return NULL;
}

int ptk_rt_run(const ptk_rt_prog *p, const ptk_launch_opts *o, const ptk_launch_arg *args,
               size_t nargs, ptk_diags *d) {
  ptk_launch_opts dflt = {0};
  if (!o) o = &dflt;
  const ptk_func *f = p->entry;
  ptk_rt_launch L;
  memset(&L, 0, sizeof L);
  L.p = p;
  L.kernel = f->name;
  const char *target = o->target;
  if (!target) target = p->target_attr && strstr(p->target_attr, "a5") ? "a5" : "a3";
  if (strcmp(target, "a3") && strcmp(target, "a5")) {
    ptk_error(d, ptk_range_none(), "unknown target '%s' (expected a3 or a5)", target);
    return 1;
  }
  L.target = target;
  L.a5 = !strcmp(target, "a5");
  for (int s = 0; s < PTK_SPACE__COUNT; s++)
    L.cap[s] = ptk_target_capacity(L.a5 ? PTK_TARGET_A5 : PTK_TARGET_A3, (ptk_space)s);
  L.poison = o->poison;
  L.out = o->out ? o->out : stdout;
  L.blocks = o->blocks ? o->blocks : 1;
  atomic_init(&L.next_block, 0);
  atomic_init(&L.fail_block, INT64_MAX);
  pthread_mutex_init(&L.mu, NULL);
  int rc = 0;
  if (bind_args(&L, f, args, nargs, d)) {
    rc = 1;
    goto done;
  }
  uint32_t threads = o->threads;
  if (!threads) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    threads = n > 0 ? (uint32_t)n : 1;
  }
  if (threads > L.blocks) threads = L.blocks;
  if (p->has_atomic) threads = 1; /* reproducible atomic-add order: block order */
  if (threads > 1 && p->has_print) {
    L.outbufs = ptk_xcalloc(L.blocks, sizeof *L.outbufs);
    L.done = ptk_xcalloc(L.blocks, sizeof *L.done);
  }
  ptk_rt_worker **ws = ptk_xcalloc(threads, sizeof *ws);
  for (uint32_t t = 0; t < threads; t++) ws[t] = worker_get(p, &L);
  if (threads == 1) {
    worker_main(ws[0]);
  } else {
    pthread_t *th = ptk_xcalloc(threads, sizeof *th);
    uint32_t started = 0;
    for (uint32_t t = 1; t < threads; t++) {
      if (pthread_create(&th[t], NULL, worker_main, ws[t]) != 0) break;
      started = t;
    }
    worker_main(ws[0]);
    for (uint32_t t = 1; t <= started; t++) pthread_join(th[t], NULL);
    free(th);
  }
  for (uint32_t t = 0; t < threads; t++) worker_put(p, ws[t]);
  free(ws);
  fflush(L.out);
  if (atomic_load(&L.fail_block) != INT64_MAX) {
    ptk_rt_error *e = &L.err;
    ptk_error_loc(d, e->op ? e->op->loc : f->loc, "%s", e->msg ? e->msg : "runtime error");
    for (uint32_t i = 0; i < e->nnotes; i++)
      ptk_note(d, ptk_range_at(e->note_loc[i], 1), "%s", e->note_msg[i]);
    rc = 1;
  }
done:
  err_free(&L.err);
  for (uint32_t i = 0; i < L.nbufs; i++) free((char *)L.bufs[i].name);
  free(L.bufs);
  free(L.scalars);
  free(L.ptrs);
  free(L.argv);
  if (L.outbufs) {
    for (uint32_t b = 0; b < L.blocks; b++)
      if (L.outbufs[b]) ptk_buf_free(L.outbufs[b]), free(L.outbufs[b]);
    free(L.outbufs);
  }
  free(L.done);
  pthread_mutex_destroy(&L.mu);
  return rc;
}
