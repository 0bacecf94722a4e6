/* What the two engines share (DESIGN §5 "Two engines, one semantics"):
 * the IR interpreter (runtime/interp) and the JIT (runtime/jit) differ only
 * in how they run the ops of one block. Everything around that lives here,
 * once:
 *   - runtime/launch.c: argument binding, the target and its memories, the
 *     worker pool kept on a program between launches, the blocks spread over
 *     the caller and helper threads parked in a process-wide pool, the
 *     lowest-failing-block error, ordered print output;
 *   - runtime/block.c: the host services a block calls: located runtime
 *     errors, bounds-checked global memory (tload/tstore, scalar
 *     load/store), on-chip tile placement, scalar casts, printing.
 * So both engines give the same results and the same diagnostics by
 * construction. Internal to runtime/; the public API is interp.h / jit.h. */
#ifndef PTK_RUNTIME_LAUNCH_H
#define PTK_RUNTIME_LAUNCH_H

#include <pthread.h>
#include <stdatomic.h>

#include "runtime/interp/interp.h"
#include "runtime/isa/isa.h"
#include "runtime/isa/vreg.h"

#include "backend/lower.h"
#include "runtime/cells.h"
#include "runtime/cancel.h"

/* ---- the ptk_dtype -> runtime/isa dtype mapping (backend/lower.c) ---- */

static inline bool ptk_rt_isa_dtype(ptk_dtype dt, ptk_isa_dtype *out) {
  int v;
  if (!ptk_lower_tile_dtype(dt, &v)) return false;
  *out = (ptk_isa_dtype)v;
  return true;
}

/* ---- prepared-program facts the launcher needs ---- */

/* One private-storage tile site (for poisoning). */
typedef struct ptk_rt_site {
  int64_t off, bytes;
  ptk_isa_dtype dtype;
} ptk_rt_site;

/* An alloc_tile site: the template and where its storage comes from. */
typedef struct ptk_rt_alloc_info {
  ptk_tile tmpl; /* data NULL; vrows/vcols the static valid dims */
  ptk_space loc;
  int64_t bytes; /* rows * cols * element size */
  int64_t priv;  /* offset in the private region, -1 when the tile has an address */
  /* left tiles: the blayout ptoas forces for [a3, a5] (-1: keep the written one) */
  int8_t left_bl[2];
} ptk_rt_alloc_info;

typedef struct ptk_rt_worker ptk_rt_worker;

/* An engine: its worker struct embeds ptk_rt_worker as its first member. */
typedef struct ptk_rt_engine {
  size_t worker_size;
  /* Runs block w->block (memories already reset). 0; -1: error recorded
   * with ptk_rt_fail; -2: aborted because a lower block failed. */
  int (*run_block)(ptk_rt_worker *w);
  /* Frees the engine's own parts of a worker (may be NULL). */
  void (*worker_fini)(ptk_rt_worker *w);
} ptk_rt_engine;

typedef struct ptk_rt_prog {
  const ptk_rt_engine *eng;
  const ptk_func *entry;
  char *target_attr; /* module's pto.target_arch, or NULL (owned) */
  int64_t priv_bytes;
  ptk_rt_site *sites; /* owned */
  uint32_t nsites;
  bool mem_used[PTK_SPACE__COUNT]; /* memories with addressed tiles */
  bool has_atomic;
  bool has_print;
  char **pnames; /* per parameter: its name in messages (owned) */
  /* a mixed kernel (runtime/mix.h): the engine's function indices of the
   * cube and the vector half (the entry is 0, its peer 1), and the vector
   * sub-blocks per block (2, or 1 when no pipe op of the vector half splits) */
  bool mixed;
  uint32_t mix_fn[2];
  uint8_t mix_nvec;
  /* idle workers kept between launches; guarded by pool_mu */
  pthread_mutex_t pool_mu;
  ptk_rt_worker *pool;
  int npool;
} ptk_rt_prog;

void ptk_rt_prog_init(ptk_rt_prog *p, const ptk_rt_engine *eng, const ptk_func *entry);
void ptk_rt_prog_fini(ptk_rt_prog *p);
/* Appends a private tile site of `bytes`; returns its offset. */
int64_t ptk_rt_prog_add_site(ptk_rt_prog *p, int64_t bytes, ptk_isa_dtype dt);

/* ---- launch and worker state ---- */

typedef struct ptk_rt_gbuf {
  uint8_t *data;
  int64_t nbytes;
  uint32_t esz;
  const char *name; /* "%arg2" (the program's) */
  const ptk_value *param;
} ptk_rt_gbuf;

/* What failed: the op, the message, optional notes. */
#define PTK_RT_MAX_NOTES 8
typedef struct ptk_rt_error {
  const ptk_op *op;
  bool oom; /* an allocation failed */
  char *msg;
  uint32_t nnotes;
  ptk_loc note_loc[PTK_RT_MAX_NOTES];
  char *note_msg[PTK_RT_MAX_NOTES];
} ptk_rt_error;

#define PTK_RT_MAX_DEPTH 256

/* At most this many workers (threads) per launch, whatever --threads says:
 * each worker owns its on-chip memories and private tile storage. */
#define PTK_RT_MAX_WORKERS 256

/* One recorded global-memory access (--check-races). */
typedef struct ptk_rt_access {
  int64_t block;
  int64_t lo, hi; /* byte range in the buffer */
  const ptk_op *op;
  uint32_t seq; /* order within the block */
  int32_t buf;
  uint8_t kind; /* 0 read, 1 write, 2 atomic-add write */
} ptk_rt_access;

/* Blocks stopped by a cancel: where each one was. */
typedef struct ptk_rt_stopped_at {
  int64_t block;
  const ptk_op *op;
} ptk_rt_stopped_at;

/* Kernels with at most this many parameters bind them in the launch's own
 * arrays (no allocation per launch). */
#define PTK_RT_INLINE_ARGS 8

struct ptk_rt_launch {
  const ptk_rt_prog *p;
  const char *kernel;
  uint32_t cap[PTK_SPACE__COUNT];
  const char *target; /* "a3" / "a5" */
  bool a5;
  bool poison;
  FILE *out;
  uint32_t blocks;
  ptk_rt_gbuf *bufs; /* per parameter (NULL data for scalars) */
  uint32_t nbufs;
  ptk_rt_sc *scalars; /* per parameter */
  ptk_rt_ptr *ptrs;   /* per parameter: {i, 0, 0} for pointers */
  void **argv;        /* per parameter: &scalars[i] or &ptrs[i] */
  struct {             /* their storage for small kernels */
    ptk_rt_gbuf bufs[PTK_RT_INLINE_ARGS];
    ptk_rt_sc scalars[PTK_RT_INLINE_ARGS];
    ptk_rt_ptr ptrs[PTK_RT_INLINE_ARGS];
    void *argv[PTK_RT_INLINE_ARGS];
  } in;
  atomic_llong next_block;
  atomic_llong fail_block; /* lowest failing block so far, INT64_MAX if none */
  pthread_mutex_t mu;
  ptk_rt_error err; /* the error of fail_block */
  /* Ordered print output: blocks' buffers are written in block order. */
  ptk_buf **outbufs;
  bool *done;
  int64_t flushed;
  /* stopping from outside (guarded by mu; fail_block is set to -1) */
  ptk_rt_cancel *cancel;
  ptk_rt_launch *next_active; /* in cancel->active */
  int stop_reason;             /* ptk_rt_stop_reason */
  double timeout;
  double timeout_limit; /* named in the error */
  PTK_VEC(ptk_rt_stopped_at) stopped;
  int64_t completed; /* blocks that ran to the end */
  bool finished;     /* every worker returned (the watchdog's condition) */
  pthread_cond_t cv;
  /* --check-races */
  bool races;
  PTK_VEC(ptk_rt_access) acc;
  bool acc_overflow;
};

struct ptk_rt_worker {
  /* first, in this order: the JIT's generated loops read them (ptkj_ctx_head) */
  const atomic_llong *fail_block; /* &L->fail_block */
  int64_t block;
  /* VPTO: on-chip memories already resolved in this block (ptk_rt_vptr),
   * for the inline fast path of both engines; cleared at block start */
  uint8_t *vbase[PTK_SPACE__COUNT];
  int64_t vcap[PTK_SPACE__COUNT];
  ptk_rt_worker *next; /* in the program's pool */
  const ptk_rt_prog *p;
  ptk_rt_launch *L;
  uint32_t cap[PTK_SPACE__COUNT]; /* sizes of mem[] */
  uint8_t *mem[PTK_SPACE__COUNT];
  uint8_t *claimed[PTK_SPACE__COUNT]; /* poison mode: bytes already claimed this block */
  uint8_t *priv;
  const ptk_op *calls[PTK_RT_MAX_DEPTH]; /* call sites of the active frames */
  int depth;
  int fail_depth; /* call depth at the failure */
  ptk_buf *out;    /* print buffer of the current block (NULL: print directly) */
  ptk_buf scratch; /* formatting space for pto.print / pto.tprint */
  ptk_rt_error err;
  bool failed;
  /* lazily allocated on-chip memories: the fill byte they hold outside the
   * range touched since the last clear ([dirty_lo, dirty_hi)) */
  uint8_t mem_fill[PTK_SPACE__COUNT];
  uint32_t dirty_lo[PTK_SPACE__COUNT], dirty_hi[PTK_SPACE__COUNT];
  /* private tile sites: cleared on the first alloc_tile in a block */
  uint32_t epoch;
  uint32_t *site_epoch; /* per site: the epoch it was last cleared in */
  const ptk_op *stop_op; /* where an abort poll stopped the block */
  PTK_VEC(ptk_rt_access) acc; /* --check-races, this worker's records */
  uint32_t seq;
  /* mixed kernels (runtime/mix.c) */
  uint32_t fn;           /* the engine's function index this worker runs (0: the entry) */
  uint8_t core;          /* in a mixed block: 1 the cube, 2 + i vector sub-block i; 0 otherwise */
  struct ptk_rt_mix *mix;     /* the running mixed block (NULL outside one) */
  struct ptk_rt_mix *mix_own; /* what a cube worker keeps between mixed blocks */
};

/* For runtime/mix.c: a worker of p outside the pool, (re)bound to launch L,
 * reset for a block, freed. */
ptk_rt_worker *ptk_rt_worker_new(const ptk_rt_prog *p, ptk_rt_launch *L);
void ptk_rt_worker_bind(ptk_rt_worker *w, ptk_rt_launch *L);
void ptk_rt_block_reset(ptk_rt_worker *w, int64_t block);
void ptk_rt_worker_free(ptk_rt_worker *w);

/* Binds the arguments, runs every block over the thread pool, reports the
 * error of the lowest failing block. Same contract as ptk_interp_run. */
int ptk_rt_run(const ptk_rt_prog *p, const ptk_launch_opts *o, const ptk_launch_arg *args,
               size_t nargs, ptk_diags *d);

/* ---- block services (runtime/block.c); `op` locates errors (may be NULL) ---- */

static inline bool ptk_rt_aborted(const ptk_rt_worker *w) {
  return atomic_load_explicit(w->fail_block, memory_order_relaxed) < w->block;
}
/* An engine's abort poll fired at op (the loop op; may be NULL): records
 * where the block stopped for the report of a cancelled launch. Returns -2. */
static inline int ptk_rt_stopped(ptk_rt_worker *w, const ptk_op *op) {
  if (!w->stop_op) w->stop_op = op;
  return -2;
}
/* --check-races: records bytes [lo, hi) of buffer `buf` accessed by op
 * (kind 0 read, 1 write, 2 atomic-add write). */
void ptk_rt_record(ptk_rt_worker *w, const ptk_op *op, int32_t buf, int64_t lo, int64_t hi, int kind);
/* An allocation of `bytes` for `what` failed: an "out of memory" error. -1. */
int ptk_rt_oom(ptk_rt_worker *w, const ptk_op *op, const char *what, uint64_t bytes);

/* "<headline> in kernel 'k' (block B)[: detail]" at op. Returns -1. */
int ptk_rt_fail(ptk_rt_worker *w, const ptk_op *op, const char *headline, const char *fmt, ...)
    PTK_PRINTF(4, 5);
void ptk_rt_note(ptk_rt_worker *w, ptk_loc loc, const char *fmt, ...) PTK_PRINTF(3, 4);
/* Notes for the call sites active at the failure (run after a failed block). */
void ptk_rt_call_notes(ptk_rt_worker *w);
/* A runtime/isa error code rc of op. Returns -1. */
int ptk_rt_isa_fail(ptk_rt_worker *w, const ptk_op *op, int rc);
/* Pushes a call site (error when too deep). */
int ptk_rt_enter(ptk_rt_worker *w, const ptk_op *call);
/* block_idx / block_num / subblock_idx / subblock_num (which 0..3). */
int64_t ptk_rt_block_id(const ptk_rt_worker *w, int which);


/* Fills private tile storage with the poison pattern of dt. */
void ptk_rt_poison(uint8_t *p, int64_t bytes, ptk_isa_dtype dt);

int ptk_rt_tload(ptk_rt_worker *w, const ptk_op *op, const ptk_tile *t, const ptk_rt_view *v,
                 ptk_isa_dtype vdt);
/* flags: 1 relu, 2 atomic add */
int ptk_rt_tstore(ptk_rt_worker *w, const ptk_op *op, const ptk_rt_view *v, const ptk_tile *t,
                  ptk_isa_dtype vdt, unsigned flags);
/* A transfer the JIT runs inside a fused group (backend/c/emit.c): when
 * tile t (vec, f32, row-major, no box, not a sub-view, pad null) and the rank-2
 * ND view v (rows contiguous) have the same shape and no access recording
 * is on, does everything ptk_rt_tload / ptk_rt_tstore (store: no relu, no
 * atomic) would do before moving data — the same checks and errors — and
 * gives the first element and the row pitch in elements. 1 (nothing done)
 * when the transfer is not of that kind, -1 after an error, else 0. */
int ptk_rt_gm_direct(ptk_rt_worker *w, const ptk_op *op, const ptk_tile *t, const ptk_rt_view *v,
                     ptk_isa_dtype vdt, bool store, float **p, int64_t *ld);
int ptk_rt_scalar_mem(ptk_rt_worker *w, const ptk_op *op, ptk_rt_sc *s, const ptk_rt_ptr *p,
                      int64_t idx, ptk_dtype dt, bool load);
int64_t ptk_rt_ptrtoint(const ptk_rt_ptr *p);
/* VPTO: the memory a pointer points into (the block's on-chip memory,
 * allocated on first use, or the kernel buffer); base NULL, cap 0 for an
 * invalid pointer, so every access through it is out of range. */
ptk_vptr ptk_rt_vptr(ptk_rt_worker *w, const ptk_rt_ptr *p);
/* The same, inline once the memory was resolved in this block. */
static inline ptk_vptr ptk_rt_vptr_fast(ptk_rt_worker *w, const ptk_rt_ptr *p) {
  int sp = ptk_rt_ptr_onchip(p);
  if (sp >= 0 && sp < PTK_SPACE__COUNT && w->vbase[sp]) {
    ptk_vptr r = {w->vbase[sp], w->vcap[sp], p->boff};
    return r;
  }
  return ptk_rt_vptr(w, p);
}
ptk_rt_ptr ptk_rt_inttoptr(const ptk_rt_worker *w, int64_t x);
/* A view as the global memory an op indexes itself (mgather, mscatter; the
 * JIT's twin is runtime/jit/abi.h ptkj_gm): only a kernel buffer has memory. */
static inline ptk_gm_ref ptk_rt_gm_ref(ptk_rt_worker *w, const ptk_rt_view *v, int dt) {
  ptk_rt_ptr p = {v->buf, 0, 0};
  ptk_vptr m = {0, 0, 0};
  if (v->buf >= 0) m = ptk_rt_vptr(w, &p);
  return ptk_isa_gm_ref(m.base, m.cap, v->boff, v->rank, v->layout, v->shape, v->stride, dt);
}

/* valid sizes: has_vr / has_vc say whether vr / vc are given */
int ptk_rt_alloc(ptk_rt_worker *w, const ptk_op *op, const ptk_rt_alloc_info *ai, int64_t addr,
                 bool has_vr, int64_t vr, bool has_vc, int64_t vc, ptk_tile *dst);
int ptk_rt_tassign(ptk_rt_worker *w, const ptk_op *op, ptk_tile *dst, const ptk_tile *src,
                   int64_t addr);
int ptk_rt_subview(ptk_rt_worker *w, const ptk_op *op, const ptk_tile *tmpl, ptk_tile *dst,
                   const ptk_tile *src, int64_t r, int64_t c, bool has_vr, int64_t vr,
                   bool has_vc, int64_t vc);
int ptk_rt_setvalid(ptk_rt_worker *w, const ptk_op *op, ptk_tile *t, int64_t vr, int64_t vc);
int ptk_rt_to_i32(ptk_rt_worker *w, const ptk_op *op, int64_t v, const char *what, int32_t *out);
int ptk_rt_tgetval(ptk_rt_worker *w, const ptk_op *op, ptk_dtype dt, ptk_rt_sc *dst,
                   const ptk_tile *t, int64_t off);
int ptk_rt_tprint(ptk_rt_worker *w, const ptk_op *op, const ptk_tile *t);
/* pto.print: vals[i] is operand i of op. */
int ptk_rt_print(ptk_rt_worker *w, const ptk_op *op, const ptk_rt_sc *vals, uint32_t n);

/* ---- preparing ---- */

/* The runtime/isa descriptor of a tile type (data NULL). 0, or what is wrong:
 * 1 element type, 2 shape, 3 valid shape, 4 pad, 5 descriptor (ptk_isa_error()). */
int ptk_rt_tile_template(const ptk_type *t, ptk_tile *out);
/* Fills ai for an alloc_tile of type t (count tiles of it: a multi-buffered
 * tile's slots) except priv (the caller decides). */
int ptk_rt_alloc_init(ptk_rt_alloc_info *ai, const ptk_type *t, int64_t count);

#endif
