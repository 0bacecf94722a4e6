/* The task-graph scheduler of programs: see sched.h. */
#include "runtime/program/sched.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "runtime/launch.h"
#include "runtime/tensor.h"

typedef struct rec {
  int64_t task;
  int64_t lo, hi;
  bool write;
} rec;

typedef struct pbufrec {
  void *data;
  int64_t nbytes;
  bool owned, released;
  int64_t users; /* unfinished tasks that use it */
  char *name;
  PTK_VEC(rec) recs;
} pbufrec;

typedef PTK_VEC(prec_access) prec_vec;

typedef struct ptask {
  int64_t id;
  ptask_desc d;
  PTK_VEC(int64_t) preds;
  PTK_VEC(int64_t) succs;
  int64_t pending; /* unfinished predecessors */
  int state;       /* 0 waiting, 1 ready, 2 running, 3 done, 4 skipped, 5 failed */
  int worker;
  double t0, t1;
  ptk_diags *diags;
  PTK_VEC(int32_t) bufs; /* distinct buffers it uses */
  prec_vec racc;
} ptask;

struct psched {
  pthread_mutex_t mu;
  pthread_cond_t work, done;
  uint32_t threads;
  psched_run_fn run;
  ptk_launch_opts base;
  bool races;
  PTK_VEC(ptask *) tasks;
  PTK_VEC(pbufrec) bufs;
  PTK_VEC(int64_t) heap; /* ready task ids, min-heap */
  int64_t finished;      /* tasks done, skipped or failed */
  int64_t running;
  bool stop, shutdown;
  int64_t fail; /* lowest failed task, -1 none */
  pthread_t *th;
  uint32_t nth;
  double t_start;
};

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* ---- the ready heap ---- */

static void heap_push(psched *s, int64_t id) {
  ptk_vec_push(&s->heap, id);
  size_t i = s->heap.len - 1;
  while (i > 0) {
    size_t p = (i - 1) / 2;
    if (s->heap.data[p] <= s->heap.data[i]) break;
    int64_t t = s->heap.data[p];
    s->heap.data[p] = s->heap.data[i];
    s->heap.data[i] = t;
    i = p;
  }
}

static int64_t heap_pop(psched *s) {
  int64_t top = s->heap.data[0];
  s->heap.data[0] = s->heap.data[--s->heap.len];
  size_t i = 0, n = s->heap.len;
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < n && s->heap.data[l] < s->heap.data[m]) m = l;
    if (r < n && s->heap.data[r] < s->heap.data[m]) m = r;
    if (m == i) break;
    int64_t t = s->heap.data[m];
    s->heap.data[m] = s->heap.data[i];
    s->heap.data[i] = t;
    i = m;
  }
  return top;
}

/* ---- buffers ---- */

static void buf_maybe_free(pbufrec *b) {
  if (b->released && b->users == 0 && b->owned && b->data) {
    free(b->data);
    b->data = NULL;
  }
}

int32_t psched_buf(psched *s, void *data, int64_t nbytes, bool owned, const char *name) {
  pthread_mutex_lock(&s->mu);
  pbufrec b;
  memset(&b, 0, sizeof b);
  b.data = data;
  b.nbytes = nbytes;
  b.owned = owned;
  b.name = ptk_xstrdup(name ? name : "?");
  ptk_vec_push(&s->bufs, b);
  int32_t id = (int32_t)s->bufs.len - 1;
  pthread_mutex_unlock(&s->mu);
  return id;
}

void psched_release(psched *s, int32_t buf) {
  pthread_mutex_lock(&s->mu);
  if (buf >= 0 && (size_t)buf < s->bufs.len) {
    s->bufs.data[buf].released = true;
    buf_maybe_free(&s->bufs.data[buf]);
  }
  pthread_mutex_unlock(&s->mu);
}

/* ---- running ---- */

static void finish_task(psched *s, ptask *t, int state) {
  t->state = state;
  s->finished++;
  for (size_t i = 0; i < t->bufs.len; i++) {
    pbufrec *b = &s->bufs.data[t->bufs.data[i]];
    b->users--;
    buf_maybe_free(b);
  }
  for (size_t i = 0; i < t->succs.len; i++) {
    ptask *u = s->tasks.data[t->succs.data[i]];
    if (--u->pending == 0 && u->state == 0) {
      u->state = 1;
      heap_push(s, u->id);
    }
  }
  pthread_cond_broadcast(&s->done);
  if (s->heap.len) pthread_cond_broadcast(&s->work);
}

struct precorder {
  prec_vec *out;
  const ptask_desc *d;
};

void psched_record_launch(void *recorder, const void *records, size_t n) {
  precorder *r = recorder;
  const ptk_rt_access *a = records;
  for (size_t i = 0; i < n; i++) {
    if (a[i].buf < 0 || (size_t)a[i].buf >= r->d->nargs || r->d->arg_buf[a[i].buf] < 0) continue;
    prec_access p;
    p.buf = r->d->arg_buf[a[i].buf];
    p.lo = a[i].lo + r->d->arg_off[a[i].buf];
    p.hi = a[i].hi + r->d->arg_off[a[i].buf];
    p.write = a[i].kind != 0;
    p.loc = a[i].op ? a[i].op->loc : (ptk_loc){0};
    p.opname = a[i].op ? ptk_op_table[a[i].op->kind].name : "an op";
    p.block = a[i].block;
    ptk_vec_push(r->out, p);
  }
}

/* Runs task t (mutex NOT held). */
static void exec_task(psched *s, ptask *t, int worker, uint32_t share) {
  ptk_launch_opts lo = s->base;
  lo.blocks = t->d.blocks ? t->d.blocks : 1;
  lo.threads = share ? share : 1;
  t->worker = worker;
  t->diags = ptk_diags_new();
  t->t0 = now_us() - s->t_start;
  precorder pr = {&t->racc, &t->d};
  int rc = s->run(t->id, t->d.kernel, &lo, t->d.args, t->d.nargs, s->races ? (void *)&pr : NULL, t->diags);
  t->t1 = now_us() - s->t_start;
  pthread_mutex_lock(&s->mu);
  s->running--;
  if (rc) {
    if (s->fail < 0 || t->id < s->fail) s->fail = t->id;
    s->stop = true;
    finish_task(s, t, 5);
  } else {
    finish_task(s, t, 3);
  }
  pthread_mutex_unlock(&s->mu);
}

/* With the mutex held: takes the next ready task and runs it. False when
 * there is none. */
static bool run_one(psched *s, int worker) {
  if (!s->heap.len) return false;
  ptask *t = s->tasks.data[heap_pop(s)];
  if (s->stop) {
    finish_task(s, t, 4);
    return true;
  }
  t->state = 2;
  s->running++;
  /* blocks fan out: the launch gets its share of the workers */
  uint32_t share = s->threads / (uint32_t)(s->running + (int64_t)s->heap.len);
  if (share < 1) share = 1;
  pthread_mutex_unlock(&s->mu);
  exec_task(s, t, worker, share);
  pthread_mutex_lock(&s->mu);
  return true;
}

typedef struct warg {
  psched *s;
  int worker;
} warg;

static void *worker_main(void *arg) {
  warg *w = arg;
  psched *s = w->s;
  pthread_mutex_lock(&s->mu);
  for (;;) {
    if (run_one(s, w->worker)) continue;
    if (s->shutdown) break;
    pthread_cond_wait(&s->work, &s->mu);
  }
  pthread_mutex_unlock(&s->mu);
  free(w);
  return NULL;
}

psched *psched_new(uint32_t threads, psched_run_fn run, const ptk_launch_opts *base, bool races) {
  psched *s = ptk_xcalloc(1, sizeof *s);
  pthread_mutex_init(&s->mu, NULL);
  pthread_cond_init(&s->work, NULL);
  pthread_cond_init(&s->done, NULL);
  if (!threads) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    threads = n > 0 ? (uint32_t)n : 1;
  }
  if (threads > 256) threads = 256;
  s->threads = threads;
  s->run = run;
  if (base) s->base = *base;
  s->races = races;
  s->fail = -1;
  s->t_start = now_us();
  if (threads > 1) {
    s->th = ptk_xcalloc(threads, sizeof *s->th);
    for (uint32_t i = 0; i < threads; i++) {
      warg *w = ptk_xmalloc(sizeof *w);
      w->s = s;
      w->worker = (int)i;
      if (pthread_create(&s->th[s->nth], NULL, worker_main, w) != 0) {
        free(w);
        break;
      }
      s->nth++;
    }
  }
  return s;
}

static void add_pred(ptask *t, int64_t p) {
  for (size_t i = 0; i < t->preds.len; i++)
    if (t->preds.data[i] == p) return;
  ptk_vec_push(&t->preds, p);
}

/* Dependencies of an access of t on buffer b; then records it. */
static void track(psched *s, ptask *t, const paccess *a) {
  pbufrec *b = &s->bufs.data[a->buf];
  bool w = a->mode & 2, r = a->mode & 1;
  for (size_t i = 0; i < b->recs.len; i++) {
    rec *q = &b->recs.data[i];
    if (q->task == t->id || q->hi <= a->lo || q->lo >= a->hi) continue;
    if (w || q->write) add_pred(t, q->task);
  }
  if (w) {
    /* records inside the written interval are superseded */
    size_t k = 0;
    for (size_t i = 0; i < b->recs.len; i++) {
      rec *q = &b->recs.data[i];
      if (q->task != t->id && q->lo >= a->lo && q->hi <= a->hi) continue;
      b->recs.data[k++] = *q;
    }
    b->recs.len = k;
  }
  rec nr = {t->id, a->lo, a->hi, w};
  (void)r;
  ptk_vec_push(&b->recs, nr);
  bool seen = false;
  for (size_t i = 0; i < t->bufs.len && !seen; i++) seen = t->bufs.data[i] == a->buf;
  if (!seen) {
    ptk_vec_push(&t->bufs, a->buf);
    b->users++;
  }
}

int64_t psched_submit(psched *s, ptask_desc *d) {
  pthread_mutex_lock(&s->mu);
  if (s->stop) {
    pthread_mutex_unlock(&s->mu);
    return -1;
  }
  ptask *t = ptk_xcalloc(1, sizeof *t);
  t->id = (int64_t)s->tasks.len;
  t->d = *d;
  t->d.deps = NULL;
  t->d.ndeps = 0;
  t->worker = -1;
  ptk_vec_push(&s->tasks, t);
  for (size_t i = 0; i < d->ndeps; i++)
    if (d->deps[i] >= 0 && d->deps[i] < t->id) add_pred(t, d->deps[i]);
  memset(d, 0, sizeof *d);
  for (size_t i = 0; i < t->d.nacc; i++) track(s, t, &t->d.acc[i]);
  for (size_t i = 0; i < t->preds.len; i++) {
    ptask *p = s->tasks.data[t->preds.data[i]];
    ptk_vec_push(&p->succs, t->id);
    if (p->state < 3) t->pending++;
  }
  int64_t id = t->id;
  if (t->pending == 0) {
    t->state = 1;
    heap_push(s, id);
    if (s->nth)
      pthread_cond_signal(&s->work);
    else
      while (run_one(s, 0)) {
      }
  }
  pthread_mutex_unlock(&s->mu);
  return id;
}

bool psched_wait_writers(psched *s, int32_t buf, int64_t lo, int64_t hi) {
  pthread_mutex_lock(&s->mu);
  for (;;) {
    bool busy = false;
    if (buf >= 0 && (size_t)buf < s->bufs.len) {
      pbufrec *b = &s->bufs.data[buf];
      for (size_t i = 0; i < b->recs.len && !busy; i++) {
        rec *q = &b->recs.data[i];
        if (q->write && q->lo < hi && q->hi > lo && s->tasks.data[q->task]->state < 3) busy = true;
      }
    }
    if (!busy || s->stop) break;
    if (!s->nth) { /* cannot happen: one thread runs every task at submission */
      if (!run_one(s, 0)) break;
      continue;
    }
    pthread_cond_wait(&s->done, &s->mu);
  }
  bool ok = !s->stop;
  pthread_mutex_unlock(&s->mu);
  return ok;
}

bool psched_failed(psched *s) {
  pthread_mutex_lock(&s->mu);
  bool f = s->stop;
  pthread_mutex_unlock(&s->mu);
  return f;
}

static void move_diags(ptk_diags *to, const ptk_diags *from) {
  for (size_t i = 0; i < from->items.len; i++) {
    ptk_diag g = from->items.data[i];
    g.path = g.path ? ptk_xstrdup(g.path) : NULL;
    g.message = ptk_xstrdup(g.message);
    g.text = g.text ? ptk_xstrdup(g.text) : NULL;
    if (g.sev == PTK_SEV_ERROR) to->errors++;
    if (g.sev == PTK_SEV_WARNING) to->warnings++;
    ptk_vec_push(&to->items, g);
  }
}

static int check_task_races(psched *s, ptk_diags *d, ptk_range prog);

bool psched_finish(psched *s, ptk_diags *d, ptk_range prog) {
  pthread_mutex_lock(&s->mu);
  while (s->finished < (int64_t)s->tasks.len) {
    if (!s->nth) {
      if (!run_one(s, 0)) break;
      continue;
    }
    pthread_cond_wait(&s->done, &s->mu);
  }
  s->shutdown = true;
  pthread_cond_broadcast(&s->work);
  pthread_mutex_unlock(&s->mu);
  for (uint32_t i = 0; i < s->nth; i++) pthread_join(s->th[i], NULL);
  s->nth = 0;
  /* warnings of every task that ran, in task order; the failure last */
  for (size_t i = 0; i < s->tasks.len; i++) {
    ptask *t = s->tasks.data[i];
    if (t->diags && t->state == 3 && t->diags->warnings) move_diags(d, t->diags);
  }
  if (s->fail >= 0) {
    ptask *t = s->tasks.data[s->fail];
    move_diags(d, t->diags);
    ptk_note(d, t->d.site, "in task %lld (kernel '%s', %u block%s), launched here", (long long)t->id,
             t->d.kname, t->d.blocks, t->d.blocks == 1 ? "" : "s");
    int64_t skipped = 0, ran = 0;
    for (size_t i = 0; i < s->tasks.len; i++) {
      skipped += s->tasks.data[i]->state == 4;
      ran += s->tasks.data[i]->state == 3;
    }
    ptk_note(d, prog,
             "the program stopped: %lld task%s completed, %lld did not start after the failure; "
             "outputs are incomplete and nothing is written",
             (long long)ran, ran == 1 ? "" : "s", (long long)skipped);
    return false;
  }
  if (s->races && check_task_races(s, d, prog)) return false;
  return true;
}

/* ---- --check-races across tasks ---- */

#define RACE_MAX_TASKS 16384
#define RACE_MAX_REPORTS 8

typedef struct racc {
  int64_t task;
  const prec_access *a;
} racc;

static int cmp_racc(const void *x, const void *y) {
  const racc *p = x, *q = y;
  if (p->a->buf != q->a->buf) return p->a->buf < q->a->buf ? -1 : 1;
  if (p->a->lo != q->a->lo) return p->a->lo < q->a->lo ? -1 : 1;
  return p->task < q->task ? -1 : p->task > q->task;
}

/* Pairs of tasks the graph does not order whose recorded accesses overlap
 * with at least one write. Returns the number of racing task pairs. */
static int check_task_races(psched *s, ptk_diags *d, ptk_range prog) {
  size_t n = s->tasks.len;
  if (n > RACE_MAX_TASKS) {
    ptk_error(d, prog, "--check-races: the program ran %zu tasks; at most %d can be checked", n, RACE_MAX_TASKS);
    return 1;
  }
  size_t words = (n + 63) / 64;
  uint64_t *anc = calloc(n * words + 1, sizeof *anc);
  size_t total = 0;
  for (size_t i = 0; i < n; i++) total += s->tasks.data[i]->racc.len;
  racc *all = malloc((total + 1) * sizeof *all);
  if (!anc || !all) {
    free(anc);
    free(all);
    ptk_error(d, prog, "--check-races: out of memory");
    return 1;
  }
  /* ancestors: predecessors have lower ids */
  for (size_t i = 0; i < n; i++) {
    ptask *t = s->tasks.data[i];
    uint64_t *ai = anc + i * words;
    for (size_t k = 0; k < t->preds.len; k++) {
      size_t p = (size_t)t->preds.data[k];
      ai[p / 64] |= 1ull << (p % 64);
      for (size_t w = 0; w < words; w++) ai[w] |= anc[p * words + w];
    }
  }
  size_t m = 0;
  for (size_t i = 0; i < n; i++)
    for (size_t k = 0; k < s->tasks.data[i]->racc.len; k++) all[m++] = (racc){(int64_t)i, &s->tasks.data[i]->racc.data[k]};
  qsort(all, m, sizeof *all, cmp_racc);
  size_t *act = malloc((m + 1) * sizeof *act);
  int64_t seen[RACE_MAX_REPORTS][2];
  int nseen = 0, found = 0;
  size_t nact = 0;
  for (size_t i = 0; act && i < m && nseen < RACE_MAX_REPORTS; i++) {
    const racc *r = &all[i];
    size_t k = 0;
    for (size_t j = 0; j < nact; j++) {
      const racc *q = &all[act[j]];
      if (q->a->buf != r->a->buf || q->a->hi <= r->a->lo) continue;
      act[k++] = act[j];
      if (q->task == r->task || (!q->a->write && !r->a->write)) continue;
      int64_t lo_t = q->task < r->task ? q->task : r->task, hi_t = q->task < r->task ? r->task : q->task;
      if (anc[(size_t)hi_t * words + (size_t)lo_t / 64] & (1ull << (lo_t % 64))) continue; /* ordered */
      bool dup = false;
      for (int z = 0; z < nseen && !dup; z++) dup = seen[z][0] == lo_t && seen[z][1] == hi_t;
      if (dup || nseen >= RACE_MAX_REPORTS) continue;
      seen[nseen][0] = lo_t, seen[nseen][1] = hi_t, nseen++;
      found++;
      const racc *later = q->task == hi_t ? q : r, *earlier = later == q ? r : q;
      ptask *tl = s->tasks.data[hi_t], *te = s->tasks.data[lo_t];
      int64_t olo = r->a->lo > q->a->lo ? r->a->lo : q->a->lo, ohi = r->a->hi < q->a->hi ? r->a->hi : q->a->hi;
      ptk_error(d, tl->d.site,
                "data race between tasks %lld and %lld: task %lld (kernel '%s') %s bytes %lld to %lld of '%s' "
                "that task %lld (kernel '%s') %s, and nothing orders the two tasks",
                (long long)lo_t, (long long)hi_t, (long long)hi_t, tl->d.kname, later->a->write ? "writes" : "reads",
                (long long)olo, (long long)ohi - 1, s->bufs.data[r->a->buf].name, (long long)lo_t, te->d.kname,
                earlier->a->write ? (later->a->write ? "also writes" : "writes") : "reads");
      ptk_note(d, te->d.site, "task %lld is launched here", (long long)lo_t);
      if (later->a->loc.src)
        ptk_note(d, ptk_range_at(later->a->loc, 1), "task %lld %s them here (%s, block %lld)", (long long)hi_t,
                 later->a->write ? "writes" : "reads", later->a->opname, (long long)later->a->block);
      if (earlier->a->loc.src)
        ptk_note(d, ptk_range_at(earlier->a->loc, 1), "task %lld %s them here (%s, block %lld)", (long long)lo_t,
                 earlier->a->write ? "writes" : "reads", earlier->a->opname, (long long)earlier->a->block);
    }
    nact = k;
    act[nact++] = i;
  }
  if (found)
    ptk_note(d, prog, "tasks run concurrently unless data (the kernels' directions) or 'deps' order them: "
             "add the missing dependency with deps = [...]");
  free(act);
  free(all);
  free(anc);
  return found;
}

size_t psched_ntasks(const psched *s) { return s->tasks.len; }

psched_task_view psched_task(const psched *s, size_t i) {
  ptask *t = s->tasks.data[i];
  psched_task_view v = {t->id, t->d.kname, t->d.blocks, t->worker, t->t0, t->t1,
                        t->preds.data, t->preds.len, t->d.site, t->state == 3 || t->state == 5};
  return v;
}

void psched_free(psched *s) {
  if (!s) return;
  if (s->nth) {
    pthread_mutex_lock(&s->mu);
    s->stop = true;
    s->shutdown = true;
    pthread_cond_broadcast(&s->work);
    pthread_mutex_unlock(&s->mu);
    for (uint32_t i = 0; i < s->nth; i++) pthread_join(s->th[i], NULL);
  }
  free(s->th);
  for (size_t i = 0; i < s->tasks.len; i++) {
    ptask *t = s->tasks.data[i];
    for (size_t a = 0; a < t->d.nargs; a++)
      if (t->d.args[a].kind == PTK_ARG_TENSOR) ptk_tensor_free(t->d.args[a].tensor);
    free(t->d.args);
    free(t->d.arg_buf);
    free(t->d.arg_off);
    free(t->d.acc);
    free(t->preds.data);
    free(t->succs.data);
    free(t->bufs.data);
    free(t->racc.data);
    ptk_diags_free(t->diags);
    free(t);
  }
  free(s->tasks.data);
  for (size_t i = 0; i < s->bufs.len; i++) {
    pbufrec *b = &s->bufs.data[i];
    if (b->owned) free(b->data);
    free(b->name);
    free(b->recs.data);
  }
  free(s->bufs.data);
  free(s->heap.data);
  pthread_mutex_destroy(&s->mu);
  pthread_cond_destroy(&s->work);
  pthread_cond_destroy(&s->done);
  free(s);
}
