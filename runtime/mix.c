/* Mixed cube/vector kernels on the host (see mix.h): per block, the cube
 * half and its vector sub-blocks run as coroutines on the block's thread,
 * exchanging tiles through the frontend pipe ops (lang/ir/ops.def,
 * "Cube<->vector pipes").
 *
 * Schedule. The cores start in the order cube, vector sub-block 0, 1; a
 * core runs until it finishes or a pipe op must wait (tpush on a full FIFO,
 * tpop on an empty one), then the next unfinished core in that order
 * resumes. Nothing else switches, so every result and message is the same
 * for any thread count and on both engines. A full round in which no core
 * completes a pipe op or finishes is a deadlock: a located error at the
 * cube's waiting op (else the first waiting core's) with a note for every
 * waiting core.
 *
 * Decisions (docs/designs/ptoas-tpush-tpop-design.md, pto-isa fifo.hpp; the
 * rest is ptk's):
 * - A pipe is (id, direction); `id` defaults to 0. dir_mask 1 is cube to
 *   vector (C2V), 2 the reverse (V2C), 3 both. Its FIFO holds slot_num
 *   entries (default 8; 4 for dir_mask 3); the consumer's local buffer
 *   (c2v_consumer_buf / v2c_consumer_buf) holds local_slot_num of them
 *   (default slot_num), slot_size bytes apart.
 * - split 1 (TILE_UP_DOWN) gives vector sub-block i rows [i*R/2, (i+1)*R/2)
 *   of a C2V entry, split 2 (TILE_LEFT_RIGHT) the columns; a V2C entry is
 *   assembled the same way from each sub-block's push. split 0
 *   (TILE_NO_SPLIT, "using AIV0"): a kernel whose vector half never splits
 *   runs one vector sub-block (get_subblock_num() = 1); in a kernel that
 *   does, a split-0 entry goes whole to every vector sub-block (C2V), and of
 *   split-0 pushes to the cube the last sub-block's wins.
 * - Entries carry logical elements: the consumer's tile has the entry's
 *   element type and its part's shape as its valid shape (else an error
 *   naming both ops); layouts may differ (an NZ accumulator arrives as a
 *   row-major vector tile). The FIXPIPE epilogue of a C2V pipe
 *   (acc_push_epilogue) runs at the push: see epilogue() below. The GM
 *   slot buffer (A3) is not written.
 * - A popped tile lives in the consumer's memory at its reserved buffer +
 *   (pop count mod local slots) * slot_size. pto.reserve_buffer gives its
 *   base (auto = true: the top `size` bytes of the memory);
 *   pto.import_reserved_buffer gives the peer function's.
 * - tfree releases the oldest popped entry of that consumer; an entry's
 *   slot is free again when every consumer released it. Popping more than
 *   local_slot_num entries without freeing, freeing without a popped entry
 *   and pushing more bytes than slot_size (the whole entry, before any
 *   split) are errors.
 * Limits: --check-races does not compare the cores of one block with each
 * other (only blocks); the VPTO loop and special registers are per thread,
 * so a block's cores share them across a pipe wait. */
#define _GNU_SOURCE
#include "runtime/mix.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <ctype.h>

#include "runtime/isa/fp.h"
#include "runtime/launch.h"

#define MIX_STACK ((size_t)16 << 20) /* per core; mapped lazily */
#define MIX_CORES 3

enum { CO_NEW, CO_RUN, CO_WAIT, CO_DONE };
enum { DIR_C2V = 1, DIR_V2C = 2 };

typedef struct mix_entry {
  uint8_t *data; /* rows x cols logical elements, row-major */
  size_t cap;
  int32_t rows, cols;
  ptk_isa_dtype dt;
  uint32_t seq;
  uint8_t pushed; /* producers (core bits) that pushed it */
  const ptk_op *push; /* the first push, for messages */
} mix_entry;

typedef struct mix_pipe {
  int64_t id;
  int dir;
  int64_t slot_size, slot_num, local_slots;
  const ptk_op *init[MIX_CORES]; /* each core's initialize op */
  int64_t base[MIX_CORES];        /* consumer's local buffer */
  uint32_t npush[MIX_CORES], npop[MIX_CORES], nfree[MIX_CORES];
  mix_entry *ring; /* slot_num entries */
  /* C2V FIXPIPE epilogue (acc_push_epilogue) and the cube's quant state */
  int quant; /* QUANT_* */
  bool relu;
  float *qv; /* set_quant_vector's per-column scales, nqv of them */
  int32_t nqv;
  bool has_qs; /* set_quant_scalar's scale */
  float qs;
  /* global entries (a GM FIFO): each core's gm_slot_tensor */
  bool global[MIX_CORES];
  ptk_rt_view gview[MIX_CORES];
} mix_pipe;

/* acc_push_epilogue quant modes that run: source, destination, scale (0 none, 1 scalar, 2 vector) */
static const struct quant_mode {
  const char *name;
  ptk_isa_dtype src, dst;
  int scale;
} QUANTS[] = {
    {"no_convert", PTK_ISA_F32, PTK_ISA_F32, 0},           {"deqf16_vec", PTK_ISA_I32, PTK_ISA_F16, 2},
    {"deqf16_scalar", PTK_ISA_I32, PTK_ISA_F16, 1},        {"f32_f16", PTK_ISA_F32, PTK_ISA_F16, 0},
    {"f32_bf16", PTK_ISA_F32, PTK_ISA_BF16, 0},            {"qf322f16_pre_scalar", PTK_ISA_F32, PTK_ISA_F16, 1},
    {"qf322bf16_pre_scalar", PTK_ISA_F32, PTK_ISA_BF16, 1},
};

typedef struct mix_core {
  ptk_rt_worker *w;
  ucontext_t ctx;
  void *stack;
  int state, rc;
  const ptk_op *wait_op;
  char wait_why[96];
} mix_core;

struct ptk_rt_mix {
  mix_core core[MIX_CORES];
  int ncores;
  ucontext_t sched;
  bool abort, progress;
  PTK_VEC(mix_pipe) pipes;
};

/* ---- the program ------------------------------------------------------------------------------- */

static int64_t attr_int(const ptk_op *op, const char *name, int64_t dflt) {
  const ptk_attr *a = ptk_op_attr(op, name);
  if (!a) return dflt;
  if (a->kind == PTK_ATTR_INT) return a->i;
  if (a->kind == PTK_ATTR_BOOL) return a->b;
  return dflt;
}

static bool splits(ptk_op *op, void *ctx) {
  if (ptk_lower_is_pipe(op->kind) && attr_int(op, "split", 0) != 0) *(bool *)ctx = true;
  return true;
}

void ptk_rt_mix_prog_init(ptk_rt_prog *p) {
  const ptk_func *peer = ptk_lower_mixed_peer(p->entry);
  if (!peer) return;
  bool entry_cube = ptk_lower_is_cube(p->entry);
  p->mixed = true;
  p->mix_fn[0] = entry_cube ? 0 : 1;
  p->mix_fn[1] = entry_cube ? 1 : 0;
  const ptk_func *vec = entry_cube ? peer : p->entry;
  bool any = false;
  ptk_walk_func((ptk_func *)vec, splits, &any);
  p->mix_nvec = any ? 2 : 1;
}

/* ---- coroutines ------------------------------------------------------------------------------- */

static _Thread_local ptk_rt_mix *tl_mix;

static void co_main(int k) {
  ptk_rt_mix *m = tl_mix;
  mix_core *c = &m->core[k];
  c->rc = c->w->p->eng->run_block(c->w);
  c->state = CO_DONE;
  m->progress = true;
  /* returns to m->sched through uc_link */
}

/* Core w waits at op (why: what for); 0 when resumed, -2 when the block
 * was abandoned meanwhile. */
static int co_wait(ptk_rt_worker *w, const ptk_op *op, const char *why, int64_t id, int dir) {
  ptk_rt_mix *m = w->mix;
  mix_core *c = &m->core[w->core - 1];
  c->state = CO_WAIT;
  c->wait_op = op;
  snprintf(c->wait_why, sizeof c->wait_why, "%s of pipe %lld (%s)", why, (long long)id,
           dir == DIR_C2V ? "cube to vector" : "vector to cube");
  swapcontext(&c->ctx, &m->sched);
  c->state = CO_RUN;
  return m->abort ? -2 : 0;
}

static const char *core_name(const ptk_rt_worker *w, char *buf, size_t n) {
  if (w->core <= 1) return "the cube";
  snprintf(buf, n, "vector sub-block %d", w->core - 2);
  return buf;
}

static bool start(ptk_rt_mix *m, int k) {
  mix_core *c = &m->core[k];
  if (!c->stack) {
    void *s = mmap(NULL, MIX_STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (s == MAP_FAILED) return false;
    c->stack = s;
  }
  getcontext(&c->ctx);
  c->ctx.uc_stack.ss_sp = c->stack;
  c->ctx.uc_stack.ss_size = MIX_STACK;
  c->ctx.uc_link = &m->sched;
  makecontext(&c->ctx, (void (*)(void))co_main, 1, k);
  c->state = CO_RUN;
  return true;
}

static void resume(ptk_rt_mix *m, int k) {
  tl_mix = m;
  mix_core *c = &m->core[k];
  if (c->state == CO_NEW) {
    if (!start(m, k)) {
      c->state = CO_DONE;
      c->rc = ptk_rt_oom(c->w, NULL, "a core's stack", MIX_STACK);
      return;
    }
  } else {
    c->state = CO_RUN;
  }
  swapcontext(&m->sched, &c->ctx);
}

/* ---- the block --------------------------------------------------------------------------------- */

static void pipes_reset(ptk_rt_mix *m) {
  for (size_t i = 0; i < m->pipes.len; i++) {
    mix_pipe *p = &m->pipes.data[i];
    for (int64_t s = 0; p->ring && s < p->slot_num; s++) free(p->ring[s].data);
    free(p->ring);
    free(p->qv);
  }
  m->pipes.len = 0;
}

void ptk_rt_mix_free(ptk_rt_worker *w) {
  ptk_rt_mix *m = w->mix_own;
  if (!m) return;
  pipes_reset(m);
  ptk_vec_free(&m->pipes);
  for (int k = 0; k < MIX_CORES; k++) {
    if (m->core[k].stack) munmap(m->core[k].stack, MIX_STACK);
    if (k && m->core[k].w) ptk_rt_worker_free(m->core[k].w);
  }
  free(m);
  w->mix_own = NULL;
}

/* Moves core k's failure into the cube worker w (the launch reports w's). */
static void take_error(ptk_rt_worker *w, ptk_rt_worker *sub) {
  if (sub == w) return;
  ptk_rt_call_notes(sub);
  ptk_rt_error e = w->err;
  w->err = sub->err;
  sub->err = e;
  w->failed = true;
  w->fail_depth = 0;
  sub->failed = false;
}

static void deadlock(ptk_rt_mix *m, ptk_rt_worker *w) {
  int first = -1;
  for (int k = 0; k < m->ncores; k++)
    if (m->core[k].state == CO_WAIT && first < 0) first = k;
  ptk_rt_fail(w, m->core[first].wait_op, "deadlock",
              "every core of the block that has not finished waits at a pipe op");
  w->fail_depth = 0;
  for (int k = 0; k < m->ncores; k++) {
    mix_core *c = &m->core[k];
    char nb[32];
    if (c->state == CO_WAIT)
      ptk_rt_note(w, c->wait_op->loc, "%s waits here for %s", core_name(c->w, nb, sizeof nb), c->wait_why);
  }
}

int ptk_rt_mix_block(ptk_rt_worker *w) {
  const ptk_rt_prog *p = w->p;
  ptk_rt_mix *m = w->mix_own;
  if (!m) {
    m = calloc(1, sizeof *m);
    if (!m) return ptk_rt_oom(w, NULL, "a mixed block", sizeof *m);
    w->mix_own = m;
  }
  m->ncores = 1 + p->mix_nvec;
  m->abort = false;
  for (int k = 0; k < m->ncores; k++) {
    mix_core *c = &m->core[k];
    if (k == 0) {
      c->w = w;
    } else {
      if (!c->w && !(c->w = ptk_rt_worker_new(p, w->L))) return ptk_rt_oom(w, NULL, "a vector core", 0);
      ptk_rt_worker_bind(c->w, w->L);
      ptk_rt_block_reset(c->w, w->block);
      c->w->out = w->out;
    }
    c->w->mix = m;
    c->w->core = (uint8_t)(k + 1);
    c->w->fn = p->mix_fn[k ? 1 : 0];
    c->state = CO_NEW;
    c->rc = 0;
  }
  for (;;) {
    bool live = false;
    m->progress = false;
    for (int k = 0; k < m->ncores && !m->abort; k++) {
      mix_core *c = &m->core[k];
      if (c->state == CO_DONE) continue;
      live = true;
      resume(m, k);
      if (c->state == CO_DONE && c->rc == -1) {
        if (!c->w->failed) ptk_rt_fail(c->w, NULL, "internal error", "block failed without a message");
        take_error(w, c->w);
        m->abort = true;
      } else if (c->state == CO_DONE && c->rc == -2) {
        m->abort = true; /* a lower block failed, or the launch was stopped */
      }
    }
    if (!live) break;
    if (!m->abort && !m->progress) {
      deadlock(m, w);
      m->abort = true;
    }
    if (m->abort) { /* unwind the waiting cores; the ones not started never run */
      for (int k = 0; k < m->ncores; k++)
        if (m->core[k].state == CO_WAIT) resume(m, k);
      break;
    }
  }
  int rc = 0;
  for (int k = 0; k < m->ncores; k++) {
    mix_core *c = &m->core[k];
    if (k) { /* the block's records and stop position belong to the launch's worker */
      for (size_t i = 0; i < c->w->acc.len; i++) ptk_vec_push(&w->acc, c->w->acc.data[i]);
      c->w->acc.len = 0;
      if (!w->stop_op) w->stop_op = c->w->stop_op;
      c->w->out = NULL;
    }
    c->w->mix = NULL;
    if (c->state == CO_NEW) continue;
    if (c->rc == -2 && !rc) rc = -2;
  }
  pipes_reset(m);
  return w->failed ? -1 : rc;
}

/* ---- the pipe ops ------------------------------------------------------------------------------- */

#define FAIL(...) ptk_rt_fail(w, op, "invalid pipe operation", __VA_ARGS__)

static const char *opname(const ptk_op *op) { return ptk_op_table[op->kind].name; }

static mix_pipe *find_pipe(ptk_rt_mix *m, int64_t id, int dir) {
  for (size_t i = 0; i < m->pipes.len; i++)
    if (m->pipes.data[i].id == id && m->pipes.data[i].dir == dir) return &m->pipes.data[i];
  return NULL;
}

/* The base of a reserve_buffer op (auto: the top `size` bytes). */
static int reserve_base(ptk_rt_worker *w, const ptk_op *op, const ptk_op *rb, int64_t *out) {
  const ptk_attr *loc = ptk_op_attr(rb, "location");
  int sp = -1;
  for (int s = 1; loc && loc->kind == PTK_ATTR_ENUM && s < PTK_SPACE__COUNT; s++)
    if (!strcmp(loc->en.value, ptk_space_name((ptk_space)s))) sp = s;
  int64_t size = attr_int(rb, "size", 0);
  if (sp < 0 || size <= 0 || size > (int64_t)w->L->cap[sp])
    return FAIL("%s: the reserved buffer needs a location and a size within its memory", opname(op));
  *out = attr_int(rb, "auto", 0) ? (int64_t)w->L->cap[sp] - size : attr_int(rb, "base", 0);
  return 0;
}

typedef struct find_rb {
  const char *name;
  size_t len;
  const ptk_op *op;
} find_rb;
static bool find_reserve(ptk_op *op, void *ctx) {
  find_rb *f = ctx;
  const ptk_attr *a = ptk_op_attr(op, "name");
  if (op->kind == PTK_OP_RESERVE_BUFFER && a && a->kind == PTK_ATTR_STRING && a->str.len == f->len &&
      !memcmp(a->str.s, f->name, f->len))
    f->op = op;
  return !f->op;
}

static int import_base(ptk_rt_worker *w, const ptk_op *op, int64_t *out) {
  const ptk_attr *pf = ptk_op_attr(op, "peer_func"), *nm = ptk_op_attr(op, "name");
  if (!pf || pf->kind != PTK_ATTR_SYMBOL || !nm || nm->kind != PTK_ATTR_STRING)
    return FAIL("%s: expected a name and a peer_func", opname(op));
  char *fname = ptk_xstrndup(pf->str.s, pf->str.len);
  ptk_func *peer = ptk_module_find_func_nested(ptk_module_top(ptk_op_module(op)), fname);
  find_rb f = {nm->str.s, nm->str.len, NULL};
  if (peer && peer->body) ptk_walk_func(peer, find_reserve, &f);
  int rc = f.op ? reserve_base(w, op, f.op, out)
                : FAIL("%s: @%s has no pto.reserve_buffer named \"%.*s\"", opname(op), fname,
                       (int)nm->str.len, nm->str.s);
  free(fname);
  return rc;
}

/* The field `key` of #pto.acc_push_epilogue<layout = …, quant = …, relu = …>. */
static bool epi_field(const char *t, size_t n, const char *key, char *out, size_t cap) {
  size_t kl = strlen(key);
  for (size_t i = 0; i + kl < n; i++) {
    if (memcmp(t + i, key, kl) || (i && (isalnum((unsigned char)t[i - 1]) || t[i - 1] == '_'))) continue;
    size_t j = i + kl;
    while (j < n && (t[j] == ' ' || t[j] == '=')) j++;
    size_t m = 0;
    while (j < n && m + 1 < cap && (isalnum((unsigned char)t[j]) || t[j] == '_')) out[m++] = t[j++];
    out[m] = 0;
    return m > 0;
  }
  return false;
}

/* acc_push_epilogue: layout nz2nd (entries are logical elements anyway),
 * a quant mode of QUANTS (0 = no_convert, which moves the accumulator as it
 * is), relu no_relu or normal_relu. At the push each element becomes
 * x = src (i32 or f32, as f32), times the scale (the last set_quant_scalar
 * of the pipe's id, or column c's of the last set_quant_vector: on A3 the
 * f32 in the low 32 bits of each 64-bit payload element, as the Movfp
 * goldens pack them; on A5 f16, bf16 or f32 scales), max(x, 0) for
 * normal_relu, then the destination type, rounding to nearest even and
 * saturating as FIXPIPE's sat does (runtime/isa/v_cube.h): +-inf and
 * overflow to +-max, NaN to 0 (the Movfp goldens clip to the f16 range). */
static int epilogue(ptk_rt_worker *w, const ptk_op *op, int *quant, bool *relu) {
  const ptk_attr *a = ptk_op_attr(op, "acc_push_epilogue");
  if (!a) return 0;
  const char *t = a->kind == PTK_ATTR_ENUM ? a->en.value : a->str.s;
  size_t n = t ? strlen(t) : 0;
  if (a->kind != PTK_ATTR_ENUM && t) n = a->str.len;
  char lay[32] = "nz2nd", q[32] = "no_convert", r[32] = "no_relu";
  if (n) epi_field(t, n, "layout", lay, sizeof lay), epi_field(t, n, "quant", q, sizeof q),
      epi_field(t, n, "relu", r, sizeof r);
  *quant = -1;
  for (int i = 0; i < (int)(sizeof QUANTS / sizeof *QUANTS); i++)
    if (!strcmp(q, QUANTS[i].name)) *quant = i;
  const char *bad = strcmp(lay, "nz2nd") ? lay : *quant < 0 ? q
                    : strcmp(r, "no_relu") && strcmp(r, "normal_relu") ? r : NULL;
  if (bad)
    return ptk_rt_fail(w, op, "unsupported operation",
                       "%s: acc_push_epilogue '%s' does not run on the host yet (layout nz2nd; quant no_convert, "
                       "deqf16_vec, deqf16_scalar, f32_f16, f32_bf16, qf322f16_pre_scalar or "
                       "qf322bf16_pre_scalar; relu no_relu or normal_relu do)", opname(op), bad);
  *relu = !strcmp(r, "normal_relu");
  return 0;
}

static int set_quant_scalar(ptk_rt_worker *w, const ptk_op *op, const ptk_rt_sc *v) {
  if (w->core != 1) return FAIL("%s runs on the cube core, not in a vector sub-block", opname(op));
  int64_t id = attr_int(op, "id", 0);
  mix_pipe *p = find_pipe(w->mix, id, DIR_C2V);
  if (!p || !p->init[0])
    return FAIL("%s: pipe %lld (cube to vector) is not initialized in this core", opname(op), (long long)id);
  p->qs = (float)v->f, p->has_qs = true;
  return 0;
}

/* One accumulator element through the epilogue into d. */
static void epi_elem(const mix_pipe *p, const struct quant_mode *qm, const uint8_t *s, int32_t c, uint8_t *d) {
  float x;
  if (qm->src == PTK_ISA_I32) {
    int32_t i;
    memcpy(&i, s, 4);
    x = (float)i;
  } else {
    memcpy(&x, s, 4);
  }
  if (qm->scale) x *= qm->scale == 1 ? p->qs : p->qv[c];
  if (p->relu && !(x > 0.0f) && x == x) x = 0.0f; /* as FIXPIPE's pre_relu: -0 becomes +0, NaN stays */
  if (qm->dst == PTK_ISA_F32) {
    memcpy(d, &x, 4);
    return;
  }
  float mx = qm->dst == PTK_ISA_F16 ? 65504.0f : 3.38953139e38f; /* the largest finite f16 / bf16 */
  x = x != x ? 0.0f : x > mx ? mx : x < -mx ? -mx : x;
  uint16_t h = qm->dst == PTK_ISA_F16 ? ptk_f32_to_f16(x) : ptk_f32_to_bf16(x);
  memcpy(d, &h, 2);
}

static int set_quant_vector(ptk_rt_worker *w, const ptk_op *op, const ptk_tile *t) {
  if (w->core != 1) return FAIL("%s runs on the cube core, not in a vector sub-block", opname(op));
  int64_t id = attr_int(op, "id", 0);
  mix_pipe *p = find_pipe(w->mix, id, DIR_C2V);
  if (!p || !p->init[0])
    return FAIL("%s: pipe %lld (cube to vector) is not initialized in this core", opname(op), (long long)id);
  size_t esz = ptk_isa_dtype_size(t->dtype);
  bool fl = t->dtype == PTK_ISA_F16 || t->dtype == PTK_ISA_BF16 || t->dtype == PTK_ISA_F32;
  if ((esz != 8 && !fl) || t->vrows < 1)
    return FAIL("%s: expected a tile of 64-bit quant payloads (A3) or of f16, bf16 or f32 scales (A5), got %s",
                opname(op), ptk_isa_dtype_name(t->dtype));
  float *qv = realloc(p->qv, (size_t)(t->vcols ? t->vcols : 1) * sizeof *qv);
  if (!qv) return ptk_rt_oom(w, op, "quant scales", (uint64_t)t->vcols * sizeof *qv);
  for (int32_t c = 0; c < t->vcols; c++) {
    const uint8_t *e = t->data + (size_t)ptk_isa_offset(t, 0, c) * esz;
    uint64_t u = 0;
    memcpy(&u, e, esz);
    qv[c] = t->dtype == PTK_ISA_F16    ? ptk_f16_to_f32((uint16_t)u)
            : t->dtype == PTK_ISA_BF16 ? ptk_bf16_to_f32((uint16_t)u)
                                       : ptk_bits_f32((uint32_t)u); /* f32, or a payload's low 32 bits */
  }
  p->qv = qv, p->nqv = t->vcols;
  return 0;
}

static int init_pipe(ptk_rt_worker *w, const ptk_op *op, const ptk_rt_sc *c2v, const ptk_rt_sc *v2c,
                     const ptk_rt_view *gslot) {
  ptk_rt_mix *m = w->mix;
  int k = w->core - 1;
  bool cube_op = op->kind == PTK_OP_AIC_INITIALIZE_PIPE;
  if (cube_op != (k == 0))
    return FAIL("%s runs on the %s core, not in %s", opname(op), cube_op ? "cube" : "vector",
                k ? "a vector sub-block" : "the cube");
  int quant = -1; /* no epilogue */
  bool relu = false;
  if (epilogue(w, op, &quant, &relu)) return -1;
  int64_t mask = attr_int(op, "dir_mask", 0), id = attr_int(op, "id", 0);
  int64_t size = attr_int(op, "slot_size", 0), num = attr_int(op, "slot_num", mask == 3 ? 4 : 8);
  int64_t local = attr_int(op, "local_slot_num", num);
  if (mask < 1 || mask > 3 || size <= 0 || num <= 0 || local <= 0 || num > 1024 || local > 1024)
    return FAIL("%s: dir_mask %lld, slot_size %lld, slot_num %lld, local_slot_num %lld: expected dir_mask 1, 2 "
                "or 3 and positive sizes", opname(op), (long long)mask, (long long)size, (long long)num,
                (long long)local);
  for (int dir = DIR_C2V; dir <= DIR_V2C; dir++) {
    if (!(mask & dir)) continue;
    mix_pipe *p = find_pipe(m, id, dir);
    if (!p) {
      mix_pipe np = {.id = id, .dir = dir, .slot_size = size, .slot_num = num, .local_slots = local};
      np.ring = calloc((size_t)num, sizeof *np.ring);
      if (!np.ring) return ptk_rt_oom(w, op, "a pipe", (uint64_t)num * sizeof *np.ring);
      ptk_vec_push(&m->pipes, np);
      p = &m->pipes.data[m->pipes.len - 1];
    } else {
      if (p->init[k]) {
        ptk_rt_fail(w, op, "invalid pipe operation", "%s: pipe %lld is initialized twice in this core",
                    opname(op), (long long)id);
        ptk_rt_note(w, p->init[k]->loc, "first initialized here");
        return -1;
      }
      if (p->slot_size != size || p->slot_num != num) {
        const ptk_op *o = NULL;
        for (int j = 0; j < MIX_CORES && !o; j++) o = p->init[j];
        ptk_rt_fail(w, op, "invalid pipe operation",
                    "%s: pipe %lld has slot_size %lld and slot_num %lld here but %lld and %lld in the peer",
                    opname(op), (long long)id, (long long)size, (long long)num, (long long)p->slot_size,
                    (long long)p->slot_num);
        if (o) ptk_rt_note(w, o->loc, "the peer initializes it here");
        return -1;
      }
    }
    p->init[k] = op;
    if (dir == DIR_C2V) p->quant = quant, p->relu = relu;
    p->global[k] = gslot != NULL;
    if (gslot) p->gview[k] = *gslot;
    const ptk_rt_sc *buf = dir == DIR_C2V ? c2v : v2c;
    if ((dir == DIR_C2V) == (k > 0)) { /* this core consumes this direction */
      p->base[k] = buf ? buf->i : 0;
      p->local_slots = local;
    }
  }
  return 0;
}

/* The pipe of a data op in core k; dir from the op. */
static mix_pipe *op_pipe(ptk_rt_worker *w, const ptk_op *op, int dir, bool cube_side) {
  ptk_rt_mix *m = w->mix;
  int k = w->core - 1;
  if (cube_side != (k == 0)) {
    FAIL("%s runs on the %s core, not in %s", opname(op), cube_side ? "cube" : "vector",
         k ? "a vector sub-block" : "the cube");
    return NULL;
  }
  int64_t id = attr_int(op, "id", 0);
  mix_pipe *p = find_pipe(m, id, dir);
  if (!p || !p->init[k]) {
    FAIL("%s: pipe %lld (%s) is not initialized in this core (no %s with id = %lld and dir_mask %d or 3 ran "
         "before)", opname(op), (long long)id, dir == DIR_C2V ? "cube to vector" : "vector to cube",
         k ? "pto.aiv_initialize_pipe" : "pto.aic_initialize_pipe", (long long)id, dir);
    return NULL;
  }
  return p;
}

/* Cores [lo, hi) produce / consume direction dir. */
static void producers(const ptk_rt_mix *m, int dir, int *lo, int *hi) {
  *lo = dir == DIR_C2V ? 0 : 1;
  *hi = dir == DIR_C2V ? 1 : m->ncores;
}
static void consumers(const ptk_rt_mix *m, int dir, int *lo, int *hi) { producers(m, DIR_C2V + DIR_V2C - dir, lo, hi); }

/* The part of an entry of rows x cols that vector sub-block q of n takes or gives under split. */
static int part_of(int64_t split, int q, int n, int32_t rows, int32_t cols, int32_t *r0, int32_t *c0,
                   int32_t *pr, int32_t *pc) {
  *r0 = *c0 = 0, *pr = rows, *pc = cols;
  if (n < 2 || split == 0) return 0;
  if (split == 1) {
    if (rows % n) return -1;
    *pr = rows / n, *r0 = q * *pr;
  } else if (split == 2) {
    if (cols % n) return -1;
    *pc = cols / n, *c0 = q * *pc;
  } else {
    return -1;
  }
  return 0;
}

/* A data op's side of the pipe: its core k and the producer and consumer cores. */
typedef struct side {
  int k, plo, phi, clo, chi;
} side;
static side side_of(const ptk_rt_worker *w, int dir) {
  side s = {w->core - 1, 0, 0, 0, 0};
  producers(w->mix, dir, &s.plo, &s.phi);
  consumers(w->mix, dir, &s.clo, &s.chi);
  return s;
}

/* Waits until entry n's slot is free (every consumer freed entry n - slot_num). */
static int wait_slot(ptk_rt_worker *w, const ptk_op *op, mix_pipe **pp, int dir, side sd, uint32_t n) {
  for (;;) {
    mix_pipe *p = *pp;
    bool ok = true;
    if (n >= (uint64_t)p->slot_num)
      for (int c = sd.clo; c < sd.chi; c++) ok = ok && p->nfree[c] + (uint64_t)p->slot_num > n;
    if (ok) return 0;
    int64_t id = p->id;
    if (co_wait(w, op, "a free slot", id, dir)) return -2;
    *pp = find_pipe(w->mix, id, dir); /* other cores may have added pipes */
  }
}

/* Waits until every producer pushed entry n. */
static int wait_entry(ptk_rt_worker *w, const ptk_op *op, mix_pipe **pp, int dir, side sd, uint32_t n) {
  for (;;) {
    mix_pipe *p = *pp;
    bool ok = true;
    for (int j = sd.plo; j < sd.phi; j++) ok = ok && p->npush[j] > n;
    if (ok) return 0;
    int64_t id = p->id;
    if (co_wait(w, op, "an entry", id, dir)) return -2;
    *pp = find_pipe(w->mix, id, dir);
  }
}

/* A tile op on a global pipe or a view op on a tile pipe. */
static int entry_kind_fail(ptk_rt_worker *w, const ptk_op *op, const mix_pipe *p) {
  bool g = p->global[w->core - 1];
  ptk_rt_fail(w, op, "pipe type mismatch", "%s uses a %s entry, but pipe %lld has %s entries in this core",
              opname(op), g ? "tile" : "tensor_view", (long long)p->id, g ? "global (gm_slot_tensor)" : "tile");
  ptk_rt_note(w, p->init[w->core - 1]->loc, "initialized here");
  return -1;
}

/* Global entries (docs/designs/ptoas-tpush-tpop-design.md §3.3, §4.3): the
 * FIFO's slots are in global memory; talloc_to_* waits for a free slot and
 * gives the producer its view, tpush_to_* commits it, tpop_from_* waits
 * for a committed entry and gives the consumer its view, tfree_from_*
 * releases it. Nothing is copied: the kernel tstores and tloads through the
 * views (bounds-checked as always). Entry n's view is the core's
 * gm_slot_tensor moved by (n mod slot_num) * slot_size bytes, and in a
 * vector sub-block i by i * rows * cols elements (split 1) or i * cols
 * elements (split 2), rows x cols the view's two innermost static sizes. */
static int global_op(ptk_rt_worker *w, const ptk_op *op, ptk_rt_view *vres) {
  bool alloc = op->kind == PTK_OP_TALLOC_TO_AIV || op->kind == PTK_OP_TALLOC_TO_AIC;
  bool produce = alloc || op->kind == PTK_OP_TPUSH_TO_AIV || op->kind == PTK_OP_TPUSH_TO_AIC;
  int dir = op->kind == PTK_OP_TALLOC_TO_AIV || op->kind == PTK_OP_TPUSH_TO_AIV || op->kind == PTK_OP_TPOP_FROM_AIC
                ? DIR_C2V
                : DIR_V2C;
  mix_pipe *p = op_pipe(w, op, dir, produce == (dir == DIR_C2V));
  if (!p) return -1;
  side sd = side_of(w, dir);
  int k = sd.k;
  if (!p->global[k]) return entry_kind_fail(w, op, p);
  uint32_t n = produce ? p->npush[k] : p->npop[k];
  if ((produce ? wait_slot(w, op, &p, dir, sd, n) : wait_entry(w, op, &p, dir, sd, n))) return -2;
  if (vres) {
    const ptk_rt_view *g = &p->gview[k];
    int64_t split = attr_int(op, "split", 0), sb = w->core >= 2 ? w->core - 2 : 0;
    ptk_dtype dt = PTK_DT_F32;
    ptk_type_elem_dtype(op->results[0].type, &dt);
    int64_t esz = ptk_dtype_bytes(dt), rows = g->rank >= 2 ? g->shape[g->rank - 2] : 1;
    int64_t cols = g->rank >= 1 ? g->shape[g->rank - 1] : 1;
    *vres = *g;
    vres->boff += (int64_t)(n % (uint64_t)p->slot_num) * p->slot_size +
                  (split == 1 ? sb * rows * cols * esz : split == 2 ? sb * cols * esz : 0);
  }
  if (alloc) return 0;
  if (produce) p->npush[k]++;
  else p->npop[k]++;
  w->mix->progress = true;
  return 0;
}

static int push(ptk_rt_worker *w, const ptk_op *op, const ptk_tile *t) {
  ptk_rt_mix *m = w->mix;
  int dir = op->kind == PTK_OP_TPUSH_TO_AIV ? DIR_C2V : DIR_V2C;
  mix_pipe *p = op_pipe(w, op, dir, dir == DIR_C2V);
  if (!p) return -1;
  side sd = side_of(w, dir);
  int k = sd.k, plo = sd.plo, phi = sd.phi;
  if (p->global[k]) return entry_kind_fail(w, op, p);
  uint32_t n = p->npush[k];
  if (wait_slot(w, op, &p, dir, sd, n)) return -2;
  int64_t split = attr_int(op, "split", 0);
  int q = dir == DIR_V2C ? k - 1 : 0, np = phi - plo;
  int32_t rows = t->vrows, cols = t->vcols;
  ptk_isa_dtype edt = t->dtype;
  const struct quant_mode *qm = dir == DIR_C2V && p->quant > 0 ? &QUANTS[p->quant] : NULL;
  if (qm) { /* no_convert moves the accumulator as it is */
    if (t->loc != PTK_ISA_ACC || t->dtype != qm->src)
      return FAIL("%s: pipe %lld's epilogue (%s) takes a %s accumulator, not a %s tile", opname(op),
                  (long long)p->id, qm->name, ptk_isa_dtype_name(qm->src), ptk_isa_dtype_name(t->dtype));
    if (qm->scale == 2 && (!p->qv || p->nqv < cols))
      return FAIL("%s: pipe %lld needs %d quant scales (pto.set_quant_vector with id = %lld), has %d", opname(op),
                  (long long)p->id, cols, (long long)p->id, p->qv ? p->nqv : 0);
    if (qm->scale == 1 && !p->has_qs)
      return FAIL("%s: pipe %lld needs a quant scale (pto.set_quant_scalar with id = %lld)", opname(op),
                  (long long)p->id, (long long)p->id);
    edt = qm->dst;
  }
  if (dir == DIR_V2C && np > 1 && split == 1) rows *= np;
  if (dir == DIR_V2C && np > 1 && split == 2) cols *= np;
  if (split < 0 || split > 2) return FAIL("%s: split %lld: expected 0, 1 or 2", opname(op), (long long)split);
  size_t esz = ptk_isa_dtype_size(edt);
  if ((int64_t)rows * cols * (int64_t)esz > p->slot_size)
    return FAIL("%s: the entry (%dx%d %s, %lld bytes) does not fit pipe %lld's slot_size of %lld bytes",
                opname(op), rows, cols, ptk_isa_dtype_name(edt), (long long)rows * cols * (long long)esz,
                (long long)p->id, (long long)p->slot_size);
  mix_entry *e = &p->ring[n % p->slot_num];
  bool first = true;
  for (int j = plo; j < phi; j++)
    if (j != k && p->npush[j] > n) first = false;
  if (first) {
    size_t bytes = (size_t)rows * (size_t)cols * esz;
    if (bytes > e->cap) {
      uint8_t *d = realloc(e->data, bytes);
      if (!d) return ptk_rt_oom(w, op, "a pipe entry", bytes);
      e->data = d, e->cap = bytes;
    }
    e->rows = rows, e->cols = cols, e->dt = edt, e->seq = n, e->pushed = 0, e->push = op;
  } else if (e->dt != edt || e->rows != rows || e->cols != cols) {
    ptk_rt_fail(w, op, "pipe type mismatch",
                "%s pushes a %dx%d %s tile into pipe %lld's entry %u, which another sub-block makes %dx%d %s",
                opname(op), t->vrows, t->vcols, ptk_isa_dtype_name(t->dtype), (long long)p->id, n, e->rows,
                e->cols, ptk_isa_dtype_name(e->dt));
    ptk_rt_note(w, e->push->loc, "the other push");
    return -1;
  }
  int32_t r0, c0, pr, pc;
  part_of(dir == DIR_V2C ? split : 0, q, np, rows, cols, &r0, &c0, &pr, &pc);
  for (int32_t r = 0; r < pr; r++)
    for (int32_t c = 0; c < pc; c++) {
      uint8_t *d = e->data + ((size_t)(r0 + r) * (size_t)cols + (size_t)(c0 + c)) * esz;
      const uint8_t *s = t->data + (size_t)ptk_isa_offset(t, r, c) * ptk_isa_dtype_size(t->dtype);
      if (qm) {
        epi_elem(p, qm, s, c, d);
      } else {
        memcpy(d, s, esz);
      }
    }
  e->pushed |= (uint8_t)(1u << k);
  p->npush[k]++;
  m->progress = true;
  return 0;
}

static int pop(ptk_rt_worker *w, const ptk_op *op, ptk_tile *dst) {
  ptk_rt_mix *m = w->mix;
  int dir = op->kind == PTK_OP_TPOP_FROM_AIC ? DIR_C2V : DIR_V2C;
  mix_pipe *p = op_pipe(w, op, dir, dir == DIR_V2C);
  if (!p) return -1;
  side sd = side_of(w, dir);
  int k = sd.k, clo = sd.clo, chi = sd.chi;
  if (p->global[k]) return entry_kind_fail(w, op, p);
  uint32_t n = p->npop[k];
  if (n - p->nfree[k] >= (uint64_t)p->local_slots)
    return FAIL("%s: pipe %lld already holds %lld popped entries in this core (its local slots) without a tfree",
                opname(op), (long long)p->id, (long long)p->local_slots);
  if (wait_entry(w, op, &p, dir, sd, n)) return -2;
  mix_entry *e = &p->ring[n % p->slot_num];
  ptk_rt_alloc_info ai;
  if (ptk_rt_alloc_init(&ai, op->results[0].type, 1))
    return FAIL("%s: the result is not a tile the host can place", opname(op));
  int64_t split = attr_int(op, "split", 0);
  int32_t r0, c0, pr, pc;
  if (part_of(dir == DIR_C2V ? split : 0, k - clo, chi - clo, e->rows, e->cols, &r0, &c0, &pr, &pc) ||
      e->dt != ai.tmpl.dtype || pr != ai.tmpl.vrows || pc != ai.tmpl.vcols) {
    ptk_rt_fail(w, op, "pipe type mismatch",
                "%s gives a %dx%d %s tile (its valid shape) but this core's part of pipe %lld's entry %u "
                "(split %lld) is %dx%d %s", opname(op), ai.tmpl.vrows, ai.tmpl.vcols,
                ptk_isa_dtype_name(ai.tmpl.dtype), (long long)p->id, n, (long long)split, pr, pc,
                ptk_isa_dtype_name(e->dt));
    ptk_rt_note(w, e->push->loc, "the entry was pushed here as %dx%d %s", e->rows, e->cols,
                ptk_isa_dtype_name(e->dt));
    return -1;
  }
  int64_t addr = p->base[k] + (int64_t)(n % (uint64_t)p->local_slots) * p->slot_size;
  ptk_tile t;
  if (ptk_rt_alloc(w, op, &ai, addr, false, 0, false, 0, &t)) return -1;
  size_t esz = ptk_isa_dtype_size(e->dt);
  for (int32_t r = 0; r < pr; r++)
    for (int32_t c = 0; c < pc; c++)
      memcpy(t.data + (size_t)ptk_isa_offset(&t, r, c) * esz,
             e->data + ((size_t)(r0 + r) * (size_t)e->cols + (size_t)(c0 + c)) * esz, esz);
  *dst = t;
  p->npop[k]++;
  m->progress = true;
  return 0;
}

static int tfree(ptk_rt_worker *w, const ptk_op *op, bool global) {
  int dir = op->kind == PTK_OP_TFREE_FROM_AIC ? DIR_C2V : DIR_V2C;
  mix_pipe *p = op_pipe(w, op, dir, dir == DIR_V2C);
  if (!p) return -1;
  int k = w->core - 1;
  if (global != p->global[k]) return entry_kind_fail(w, op, p);
  if (p->nfree[k] >= p->npop[k])
    return FAIL("%s: this core holds no popped entry of pipe %lld to free", opname(op), (long long)p->id);
  p->nfree[k]++;
  w->mix->progress = true;
  return 0;
}

int ptk_rt_pipe(ptk_rt_worker *w, const ptk_op *op, ptk_rt_sc *sres, ptk_tile *tres, const ptk_tile *tin,
                const ptk_rt_sc *s0, const ptk_rt_sc *s1, ptk_rt_view *vres, const ptk_rt_view *vin) {
  const ptk_rt_sc *c2v = s0, *v2c = s1; /* the initialize ops' consumer buffers */
  switch (op->kind) {
  case PTK_OP_RESERVE_BUFFER: {
    int64_t b;
    if (reserve_base(w, op, op, &b)) return -1;
    sres->i = ptk_sc_norm(b, 32);
    return 0;
  }
  case PTK_OP_IMPORT_RESERVED_BUFFER: {
    int64_t b;
    if (import_base(w, op, &b)) return -1;
    sres->i = ptk_sc_norm(b, 32);
    return 0;
  }
  default: break;
  }
  if (!w->mix)
    return ptk_rt_fail(w, op, "unsupported operation",
                       "%s: the kernel is not one half of a mixed kernel (a module of one cube and one vector "
                       "kernel), so it has no peer core", opname(op));
  switch (op->kind) {
  case PTK_OP_AIC_INITIALIZE_PIPE:
  case PTK_OP_AIV_INITIALIZE_PIPE: return init_pipe(w, op, c2v, v2c, vin);
  case PTK_OP_SET_QUANT_VECTOR: return set_quant_vector(w, op, tin);
  case PTK_OP_SET_QUANT_SCALAR: return set_quant_scalar(w, op, s0);
  case PTK_OP_TALLOC_TO_AIV:
  case PTK_OP_TALLOC_TO_AIC: return global_op(w, op, vres);
  case PTK_OP_TPUSH_TO_AIV:
  case PTK_OP_TPUSH_TO_AIC: return vin ? global_op(w, op, NULL) : push(w, op, tin);
  case PTK_OP_TPOP_FROM_AIC:
  case PTK_OP_TPOP_FROM_AIV: return vres ? global_op(w, op, vres) : pop(w, op, tres);
  case PTK_OP_TFREE_FROM_AIC:
  case PTK_OP_TFREE_FROM_AIV: return tfree(w, op, vin != NULL);
  default: return ptk_rt_fail(w, op, "internal error", "%s is not a pipe op", opname(op));
  }
}
