/* The JIT engine (see jit.h). The host services below mirror
 * runtime/interp/exec.c and launch.c line for line (same checks, same
 * messages, same storage model), so both engines agree bit for bit. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend/c/emit.h"
#include "lang/ir/target.h"
#include "runtime/isa/isa.h"
#include "runtime/jit/jit.h"
#include "lang/sha256.h"
#define PTKJ_HOST
#include "backend/c/ptk_jit_rt.h"

_Static_assert(sizeof(ptkj_sc) == 8, "scalar cell");
_Static_assert(sizeof(ptk_isa_scalar) == 24, "isa scalar");

#define MAX_DEPTH 256
#define MAX_NOTES 8

/* ---- per-op data ---------------------------------------------------------------------------- */

typedef struct opx {
  const ptk_op *op;
  ptk_tile tmpl; /* alloc / subview / treshape result template */
  ptk_space loc;
  int64_t bytes;
  int64_t priv; /* private offset, -1: addressed */
  int8_t left_bl[2];
  ptk_isa_dtype vd;  /* tload/tstore view dtype */
  uint32_t flags;    /* tstore: 1 relu 2 atomic */
  ptk_dtype dt;      /* ld/st scalar elem, tgetval result */
  int64_t esz;
  bool has_vr, has_vc, has_addr;
} opx;

typedef struct site {
  int64_t off, bytes;
  ptk_isa_dtype dtype;
} site;

struct ptk_jit_prog {
  const ptk_func *entry;
  const ptk_module *top;
  const ptk_op **ops;
  opx *x;
  uint32_t nops;
  void *so;
  ptkj_entry_fn fn;
  char *so_path;
  bool compiled;
  int64_t priv_bytes;
  site *sites;
  uint32_t nsites;
  bool mem_used[PTK_SPACE__COUNT];
  bool has_atomic, has_print;
  char *target_attr;
};

bool ptk_jit_compiled(const ptk_jit_prog *p) { return p && p->compiled; }
const char *ptk_jit_so_path(const ptk_jit_prog *p) { return p ? p->so_path : NULL; }

/* ---- launch state ------------------------------------------------------------------------------ */

typedef struct gbuf {
  uint8_t *data;
  int64_t nbytes;
  uint32_t esz;
  const char *name;
  const ptk_value *param;
} gbuf;

typedef struct rerr {
  const ptk_op *op;
  char *msg;
  uint32_t nnotes;
  ptk_loc note_loc[MAX_NOTES];
  char *note_msg[MAX_NOTES];
} rerr;

typedef struct jl {
  const ptk_jit_prog *p;
  const char *kernel;
  uint32_t cap[PTK_SPACE__COUNT];
  const char *target;
  bool a5, poison;
  FILE *out;
  uint32_t blocks;
  gbuf *bufs;
  uint32_t nbufs;
  ptkj_sc *scalars;
  ptkj_ptr *ptrs;
  void **argv;
  atomic_llong next_block, fail_block;
  pthread_mutex_t mu;
  rerr err;
  ptk_buf **outbufs;
  bool *done;
  int64_t flushed;
} jl;

struct ptkj_ctx {
  const ptk_jit_prog *p;
  jl *L;
  uint8_t *mem[PTK_SPACE__COUNT];
  uint8_t *claimed[PTK_SPACE__COUNT];
  uint8_t *priv;
  int64_t block;
  int depth, fail_depth;
  const ptk_op *calls[MAX_DEPTH];
  ptk_buf *out;
  ptk_buf scratch;
  rerr err;
  bool failed;
};

static void err_free(rerr *e) {
  free(e->msg);
  for (uint32_t i = 0; i < e->nnotes; i++) free(e->note_msg[i]);
  memset(e, 0, sizeof *e);
}

static const char *opname_of(ptkj_ctx *w, uint32_t op) {
  return op < w->p->nops ? ptk_op_table[w->p->ops[op]->kind].name : "op";
}
static const ptk_op *op_of(ptkj_ctx *w, uint32_t op) { return op < w->p->nops ? w->p->ops[op] : NULL; }

static void note(ptkj_ctx *w, ptk_loc loc, const char *fmt, ...) PTK_PRINTF(3, 4);
static void note(ptkj_ctx *w, ptk_loc loc, const char *fmt, ...) {
  if (w->err.nnotes >= MAX_NOTES) return;
  va_list ap;
  va_start(ap, fmt);
  ptk_buf b = {0};
  ptk_buf_vprintf(&b, fmt, ap);
  va_end(ap);
  w->err.note_loc[w->err.nnotes] = loc;
  w->err.note_msg[w->err.nnotes++] = ptk_buf_take(&b);
}

static int fail(ptkj_ctx *w, uint32_t op, const char *headline, const char *fmt, ...) PTK_PRINTF(4, 5);
static int fail(ptkj_ctx *w, uint32_t op, const char *headline, const char *fmt, ...) {
  if (w->failed) return -1;
  ptk_buf b = {0};
  ptk_buf_printf(&b, "%s in kernel '%s' (block %lld)", headline, w->L->kernel, (long long)w->block);
  if (fmt) {
    ptk_buf_puts(&b, ": ");
    va_list ap;
    va_start(ap, fmt);
    ptk_buf_vprintf(&b, fmt, ap);
    va_end(ap);
  }
  w->err.op = op_of(w, op);
  w->err.msg = ptk_buf_take(&b);
  w->failed = true;
  w->fail_depth = w->depth;
  return -1;
}

static void call_notes(ptkj_ctx *w) {
  for (int d = w->fail_depth - 1; d >= 0;) {
    const ptk_op *call = w->calls[d];
    int n = 1;
    while (d - n >= 0 && w->calls[d - n] == call) n++;
    ptk_func *f = ptk_op_func(call);
    ptk_buf b = {0};
    ptk_buf_puts(&b, "called from here");
    if (f) ptk_buf_printf(&b, " in '@%s'", f->name);
    if (n > 1) ptk_buf_printf(&b, " (%d nested calls)", n);
    note(w, call->loc, "%s", ptk_buf_cstr(&b));
    ptk_buf_free(&b);
    d -= n;
  }
}

/* ---- services: errors, blocks, calls ------------------------------------------------------------ */

static int s_err(ptkj_ctx *w, uint32_t op, int code, int64_t a, int64_t b) {
  switch (code) {
  case PTKJ_E_DIVZERO:
    return fail(w, op, "integer division by zero", "%s with a zero divisor", opname_of(w, op));
  case PTKJ_E_STEP: return fail(w, op, "bad loop step", "scf.for step %lld is not positive", (long long)a);
  case PTKJ_E_VIEWNEG:
    return fail(w, op, "bad tensor view", "dimension %d has negative size %lld", (int)a, (long long)b);
  case PTKJ_E_PARTNEG:
    return fail(w, op, "bad partition", "size %lld of dimension %d is negative", (long long)b, (int)a);
  case PTKJ_E_DIM:
    return fail(w, op, "bad dimension", "dimension %lld of a rank-%d view", (long long)a, (int)b);
  case PTKJ_E_TRAP: return fail(w, op, "pto.trap reached", NULL);
  case PTKJ_E_I32:
    return fail(w, op, "index out of range", "%s %lld does not fit in 32 bits",
                b ? "column index" : "row index", (long long)a);
  default: return fail(w, op, "internal error", "unknown error code %d", code);
  }
}

static int s_isa_fail(ptkj_ctx *w, uint32_t op, int rc) {
  if (rc == PTK_ISA_EDIVZERO) return fail(w, op, "integer division by zero", "%s", ptk_isa_error());
  ptk_buf h = {0};
  ptk_buf_printf(&h, "%s failed", opname_of(w, op));
  int r = fail(w, op, ptk_buf_cstr(&h), "%s", ptk_isa_error());
  ptk_buf_free(&h);
  return r;
}

static int s_aborted(ptkj_ctx *w) {
  return atomic_load_explicit(&w->L->fail_block, memory_order_relaxed) < w->block;
}

static int s_enter(ptkj_ctx *w, uint32_t op) {
  if (w->depth + 1 >= MAX_DEPTH)
    return fail(w, op, "call depth limit exceeded", "more than %d nested calls", MAX_DEPTH - 1);
  w->calls[w->depth++] = op_of(w, op);
  return 0;
}
static void s_leave(ptkj_ctx *w) { w->depth--; }

static int64_t s_block(ptkj_ctx *w, int which) {
  return which == 0 ? w->block : which == 1 ? (int64_t)w->L->blocks : which == 2 ? 0 : 1;
}

/* ---- scalars (exec.c) ---------------------------------------------------------------------------- */

static int64_t norm(int64_t v, unsigned w) {
  if (w >= 64) return v;
  if (w == 1) return v & 1;
  uint64_t m = (uint64_t)1 << (w - 1);
  uint64_t x = (uint64_t)v & (((uint64_t)1 << w) - 1);
  return (int64_t)((x ^ m) - m);
}
static inline int64_t sx(int64_t v, unsigned wd) { return wd == 1 ? -(v & 1) : v; }
static inline uint64_t zx(int64_t v, unsigned wd) {
  return wd >= 64 ? (uint64_t)v : (uint64_t)v & (((uint64_t)1 << wd) - 1);
}

static double round_to(ptk_dtype dt, double v) {
  switch (dt) {
  case PTK_DT_F64: return v;
  case PTK_DT_F32: return (double)(float)v;
  case PTK_DT_F16:
  case PTK_DT_BF16: return ptk_float_from_bits(ptk_float_to_bits(v, dt), dt);
  default: return v;
  }
}
static double s_round(int dt, double v) { return round_to((ptk_dtype)dt, v); }

static int64_t f2i(double v, unsigned wd, bool uns) {
  if (isnan(v)) return 0;
  v = trunc(v);
  if (uns) {
    if (v <= 0) return 0;
    double hi = ldexp(1.0, (int)wd);
    if (v >= hi) return wd >= 64 ? (int64_t)UINT64_MAX : (int64_t)(((uint64_t)1 << wd) - 1);
    return (int64_t)(uint64_t)v;
  }
  double lim = ldexp(1.0, (int)wd - 1);
  if (v >= lim) return wd >= 64 ? INT64_MAX : (int64_t)(((uint64_t)1 << (wd - 1)) - 1);
  if (v < -lim) return wd >= 64 ? INT64_MIN : -(int64_t)((uint64_t)1 << (wd - 1));
  return (int64_t)v;
}

bool ptk_interp__isa_dtype(ptk_dtype dt, ptk_isa_dtype *out);

static uint64_t float_bits(double v, ptk_dtype dt) {
  if (dt == PTK_DT_F32) {
    float f = (float)v;
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
  }
  if (dt == PTK_DT_F64) {
    uint64_t u;
    memcpy(&u, &v, 8);
    return u;
  }
  return ptk_float_to_bits(v, dt);
}
static double bits_float(uint64_t b, ptk_dtype dt) {
  if (dt == PTK_DT_F32) {
    uint32_t u = (uint32_t)b;
    float f;
    memcpy(&f, &u, 4);
    return f;
  }
  if (dt == PTK_DT_F64) {
    double d;
    memcpy(&d, &b, 8);
    return d;
  }
  return ptk_float_from_bits(b, dt);
}

static double i2f(int64_t v, bool uns, ptk_dtype dt) {
  switch (dt) {
  case PTK_DT_F64: return uns ? (double)(uint64_t)v : (double)v;
  case PTK_DT_F32: return uns ? (double)(float)(uint64_t)v : (double)(float)v;
  default: {
    ptk_isa_dtype d;
    uint8_t out[8] = {0};
    if (!ptk_interp__isa_dtype(dt, &d)) return 0;
    ptk_isa_convert_elem(d, out, uns ? PTK_ISA_U64 : PTK_ISA_I64, &v, PTK_ISA_RM_RINT, false);
    uint16_t h;
    memcpy(&h, out, 2);
    return ptk_float_from_bits(h, dt);
  }
  }
}

static ptkj_sc s_cast(int kind, int sdt, int ddt, ptkj_sc x) {
  ptk_dtype s = (ptk_dtype)sdt, d = (ptk_dtype)ddt;
  unsigned ws = ptk_dtype_bits(s), wd = ptk_dtype_bits(d);
  ptkj_sc r = {0};
  switch (kind) {
  case PTK_OP_ARITH_INDEX_CAST:
  case PTK_OP_ARITH_EXTSI:
  case PTK_OP_ARITH_TRUNCI: r.i = norm(sx(x.i, ws), wd); break;
  case PTK_OP_ARITH_INDEX_CASTUI:
  case PTK_OP_ARITH_EXTUI: r.i = norm((int64_t)zx(x.i, ws), wd); break;
  case PTK_OP_ARITH_EXTF:
  case PTK_OP_ARITH_TRUNCF: r.f = round_to(d, x.f); break;
  case PTK_OP_ARITH_SITOFP: r.f = i2f(sx(x.i, ws), false, d); break;
  case PTK_OP_ARITH_UITOFP: r.f = i2f((int64_t)zx(x.i, ws), true, d); break;
  case PTK_OP_ARITH_FPTOSI: r.i = norm(f2i(x.f, wd, false), wd); break;
  case PTK_OP_ARITH_FPTOUI: r.i = norm(f2i(x.f, wd, true), wd); break;
  default:
    if (ptk_dtype_is_float(s) && ptk_dtype_is_float(d))
      r.f = bits_float(float_bits(x.f, s), d);
    else if (ptk_dtype_is_float(s))
      r.i = norm((int64_t)float_bits(x.f, s), wd);
    else if (ptk_dtype_is_float(d))
      r.f = bits_float(zx(x.i, ws), d);
    else
      r.i = norm(x.i, wd);
    break;
  }
  return r;
}

/* ---- global memory (exec.c) ------------------------------------------------------------------------ */

#define BIG ((int64_t)1 << 62)
static int64_t smul(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r) || r > BIG || r < -BIG) return (a < 0) != (b < 0) ? -BIG : BIG;
  return r;
}
static int64_t sadd(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r) || r > BIG || r < -BIG) return r < 0 || (a < 0 && b < 0) ? -BIG : BIG;
  return r;
}
static int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

static const gbuf *get_buf(ptkj_ctx *w, int32_t b) {
  if (b < 0 || (uint32_t)b >= w->L->nbufs || !w->L->bufs[b].param) return NULL;
  return &w->L->bufs[b];
}

static int no_buffer(ptkj_ctx *w, uint32_t op, const char *what) {
  return fail(w, op, "access through an invalid pointer",
              "%s goes through a pointer that does not come from a kernel argument", what);
}

static int64_t gm_off(const ptk_gm_view *v, int64_t r, int64_t c) {
  int n = v->rank;
  if (n == 1) return smul(c, v->stride[0]);
  int64_t off = 0;
  if (v->layout == PTK_ISA_GM_DN && n >= 3) {
    int64_t in = v->shape[n - 1] > 0 ? v->shape[n - 1] : 1;
    off = sadd(smul(r, v->stride[n - 2]), smul(c % in, v->stride[n - 1]));
    int64_t idx = c / in;
    for (int d = n - 3; d >= 0; d--) {
      int64_t s = v->shape[d] > 0 ? v->shape[d] : 1;
      off = sadd(off, smul(idx % s, v->stride[d]));
      idx /= s;
    }
    return off;
  }
  off = smul(c, v->stride[n - 1]);
  int64_t idx = r;
  for (int d = n - 2; d >= 0; d--) {
    int64_t s = v->shape[d] > 0 ? v->shape[d] : 1;
    off = sadd(off, smul(idx % s, v->stride[d]));
    idx /= s;
  }
  return off;
}

static int oob(ptkj_ctx *w, uint32_t op, const char *what, const gbuf *b, int64_t bad, int64_t blo,
               int64_t bhi, int32_t rows, int32_t cols) {
  int64_t n = b->nbytes / b->esz;
  ptk_buf h = {0};
  ptk_buf_printf(&h, "out-of-bounds %s", what);
  fail(w, op, ptk_buf_cstr(&h), "element offset %lld is outside buffer '%s' of %lld element%s",
       (long long)floor_div(bad, b->esz), b->name, (long long)n, n == 1 ? "" : "s");
  ptk_buf_free(&h);
  bool rd = !strcmp(what, "tload") || !strcmp(what, "load_scalar");
  const ptk_op *o = op_of(w, op);
  ptk_loc at = o ? o->loc : (ptk_loc){0};
  if (rows > 0)
    note(w, at, "the %dx%d transfer spans element offsets %lld to %lld; nothing was %s", rows,
         cols, (long long)floor_div(blo, b->esz), (long long)floor_div(bhi - 1, b->esz),
         rd ? "read" : "written");
  else
    note(w, at, "nothing was %s", rd ? "read" : "written");
  if (b->param) {
    ptk_func *f = b->param->block && b->param->block->region ? b->param->block->region->func : NULL;
    note(w, b->param->loc, "'%s' is parameter %u%s%s%s", b->name, b->param->index + 1,
         f ? " of '@" : "", f ? f->name : "", f ? "'" : "");
  }
  return -1;
}

#define ISA(call)                                                                                  \
  do {                                                                                             \
    int rc_ = (call);                                                                              \
    if (rc_) return s_isa_fail(w, op, rc_);                                                        \
  } while (0)

static int gm_prepare(ptkj_ctx *w, uint32_t op, const ptkj_view *v, const ptk_tile *t,
                      ptk_isa_dtype vdt, const char *what, ptk_gm_view *gv) {
  const gbuf *b = get_buf(w, v->buf);
  if (!b) return no_buffer(w, op, what);
  memset(gv, 0, sizeof *gv);
  gv->dtype = vdt;
  gv->rank = v->rank;
  gv->layout = (ptk_isa_gm_layout)v->layout;
  for (int d = 0; d < v->rank; d++) {
    gv->shape[d] = v->shape[d];
    gv->stride[d] = v->stride[d];
  }
  int32_t rows, cols;
  ISA(ptk_isa_transfer_shape(t, gv, &rows, &cols));
  int64_t lo, hi;
  ISA(ptk_isa_gm_extent(gv, rows, cols, &lo, &hi));
  int64_t esz = (int64_t)ptk_isa_dtype_size(vdt);
  if (hi >= lo) {
    int64_t blo = sadd(v->boff, smul(lo, esz)), bhi = sadd(v->boff, smul(sadd(hi, 1), esz));
    if (blo < 0 || bhi > b->nbytes) {
      int64_t bad = blo;
      for (int32_t r = 0, found = 0; r < rows && !found; r++)
        for (int32_t c = 0; c < cols; c++) {
          int64_t o = sadd(v->boff, smul(gm_off(gv, r, c), esz));
          if (o < 0 || sadd(o, esz) > b->nbytes) {
            bad = o;
            found = 1;
            break;
          }
        }
      return oob(w, op, what, b, bad, blo, bhi, rows, cols);
    }
  }
  gv->base = (void *)((uintptr_t)b->data + (uintptr_t)v->boff);
  return 0;
}

static int s_tload(ptkj_ctx *w, uint32_t op, const ptk_tile *t, const ptkj_view *v) {
  ptk_gm_view gv;
  if (gm_prepare(w, op, v, t, w->p->x[op].vd, "tload", &gv)) return -1;
  ISA(ptk_isa_tload(t, &gv));
  return 0;
}

static int s_tstore(ptkj_ctx *w, uint32_t op, const ptkj_view *v, const ptk_tile *t) {
  ptk_gm_view gv;
  if (gm_prepare(w, op, v, t, w->p->x[op].vd, "tstore", &gv)) return -1;
  uint32_t fl = w->p->x[op].flags;
  ptk_isa_store_opts so = {(fl & 1) != 0, (fl & 2) != 0};
  ISA(ptk_isa_tstore(&gv, t, &so));
  return 0;
}

static int scalar_mem(ptkj_ctx *w, uint32_t op, ptkj_sc *s, const ptkj_ptr *p, int64_t idx, bool load) {
  const char *what = load ? "load_scalar" : "store_scalar";
  const gbuf *b = get_buf(w, p->buf);
  if (!b) return no_buffer(w, op, what);
  int64_t esz = w->p->x[op].esz;
  int64_t off = sadd(p->boff, smul(idx, esz));
  if (off < 0 || sadd(off, esz) > b->nbytes) return oob(w, op, what, b, off, off, sadd(off, esz), 0, 0);
  uint8_t *m = b->data + off;
  ptk_dtype dt = w->p->x[op].dt;
  unsigned wd = ptk_dtype_bits(dt);
  if (ptk_dtype_is_float(dt)) {
    uint64_t bits = 0;
    if (load) {
      memcpy(&bits, m, (size_t)esz);
      s->f = bits_float(bits, dt);
    } else {
      bits = float_bits(s->f, dt);
      memcpy(m, &bits, (size_t)esz);
    }
  } else {
    if (load) {
      uint64_t bits = 0;
      memcpy(&bits, m, (size_t)esz);
      s->i = norm((int64_t)bits, wd == 1 ? 8 : wd);
      if (wd == 1) s->i &= 1;
    } else {
      uint64_t bits = (uint64_t)s->i;
      memcpy(m, &bits, (size_t)esz);
    }
  }
  return 0;
}
static int s_ldsc(ptkj_ctx *w, uint32_t op, ptkj_sc *d, const ptkj_ptr *p, int64_t idx) {
  return scalar_mem(w, op, d, p, idx, true);
}
static int s_stsc(ptkj_ctx *w, uint32_t op, const ptkj_sc *v, const ptkj_ptr *p, int64_t idx) {
  ptkj_sc t = *v;
  return scalar_mem(w, op, &t, p, idx, false);
}

static int64_t s_ptrtoint(ptkj_ctx *w, const ptkj_ptr *p) {
  (void)w;
  return p->buf >= 0 ? (int64_t)(((uint64_t)p->buf + 1) << 40) + p->boff : p->boff;
}
static void s_inttoptr(ptkj_ctx *w, int64_t x, ptkj_ptr *out) {
  int64_t k = (x >> 40) - 1;
  ptkj_ptr p = {-1, 0, x};
  if (x >= 0 && k >= 0 && k < (int64_t)w->L->nbufs && w->L->bufs[k].param) {
    p.buf = (int32_t)k;
    p.boff = x & (((int64_t)1 << 40) - 1);
  }
  *out = p;
}

/* ---- tiles (exec.c) ------------------------------------------------------------------------------ */

static const char *mem_name(ptk_space s) {
  switch (s) {
  case PTK_SPACE_VEC: return "vec (UB)";
  case PTK_SPACE_MAT: return "mat (L1)";
  case PTK_SPACE_LEFT: return "left (L0A)";
  case PTK_SPACE_RIGHT: return "right (L0B)";
  case PTK_SPACE_ACC: return "acc (L0C)";
  case PTK_SPACE_BIAS: return "bias";
  case PTK_SPACE_SCALING: return "scaling";
  default: return "?";
  }
}

static void poison_pattern(ptk_isa_dtype dt, uint8_t *pat, size_t *n) {
  switch (dt) {
  case PTK_ISA_F32: { uint32_t u = 0x7FC00000u; memcpy(pat, &u, 4); *n = 4; return; }
  case PTK_ISA_F16: { uint16_t u = 0x7E00u; memcpy(pat, &u, 2); *n = 2; return; }
  case PTK_ISA_BF16: { uint16_t u = 0x7FC0u; memcpy(pat, &u, 2); *n = 2; return; }
  case PTK_ISA_F64: { uint64_t u = 0x7FF8000000000000ull; memcpy(pat, &u, 8); *n = 8; return; }
  default: pat[0] = 0xA5; *n = 1; return;
  }
}

static void poison(uint8_t *p, int64_t bytes, ptk_isa_dtype dt) {
  uint8_t pat[8];
  size_t n;
  poison_pattern(dt, pat, &n);
  for (int64_t i = 0; i < bytes; i++) p[i] = pat[(size_t)i % n];
}

static int place(ptkj_ctx *w, uint32_t op, ptk_tile *t, ptk_space loc, int64_t addr, int64_t bytes) {
  uint32_t cap = w->L->cap[loc];
  if (addr < 0 || addr > (int64_t)cap || bytes > (int64_t)cap - addr) {
    fail(w, op, "tile outside on-chip memory",
         "a %lld-byte tile at address %lld does not fit in %s memory of %u bytes (%u KiB on %s)",
         (long long)bytes, (long long)addr, mem_name(loc), cap, cap / 1024, w->L->target);
    const ptk_op *o = op_of(w, op);
    note(w, o ? o->loc : (ptk_loc){0}, "the tile would occupy bytes [%lld, %lld)", (long long)addr,
         (long long)sadd(addr, bytes));
    return -1;
  }
  size_t esz = ptk_isa_dtype_size(t->dtype);
  if (esz && addr % (int64_t)esz)
    return fail(w, op, "misaligned tile address",
                "address %lld is not a multiple of the %s element size (%zu bytes)",
                (long long)addr, ptk_isa_dtype_name(t->dtype), esz);
  uint8_t *m = w->mem[loc];
  if (!m) return fail(w, op, "internal error", "memory %s was not allocated", mem_name(loc));
  t->data = m + addr;
  if (w->L->poison) {
    uint8_t *cl = w->claimed[loc];
    uint8_t pat[8];
    size_t n;
    poison_pattern(t->dtype, pat, &n);
    for (int64_t i = 0; i < bytes; i++)
      if (!cl[addr + i]) {
        cl[addr + i] = 1;
        m[addr + i] = n == 1 ? 0xA5 : pat[(size_t)i % n];
      }
  }
  return 0;
}

static int valid_dim(ptkj_ctx *w, uint32_t op, int64_t v, int32_t max, const char *what, int32_t *out) {
  if (v < 0 || v > max)
    return fail(w, op, "bad valid shape", "%s %lld is outside 0..%d", what, (long long)v, (int)max);
  *out = (int32_t)v;
  return 0;
}

static int to_i32(ptkj_ctx *w, uint32_t op, int64_t v, const char *what, int32_t *out) {
  if (v < INT32_MIN || v > INT32_MAX)
    return fail(w, op, "index out of range", "%s %lld does not fit in 32 bits", what, (long long)v);
  *out = (int32_t)v;
  return 0;
}

static int s_alloc(ptkj_ctx *w, uint32_t op, ptk_tile *dst, int64_t addr, int64_t vr, int64_t vc) {
  const opx *ai = &w->p->x[op];
  ptk_tile t = ai->tmpl;
  if (ai->has_vr && valid_dim(w, op, vr, t.rows, "valid_row", &t.vrows)) return -1;
  if (ai->has_vc && valid_dim(w, op, vc, t.cols, "valid_col", &t.vcols)) return -1;
  if (ai->left_bl[w->L->a5] >= 0) t.blayout = (ptk_isa_blayout)ai->left_bl[w->L->a5];
  if (ai->priv >= 0)
    t.data = w->priv + ai->priv;
  else if (place(w, op, &t, ai->loc, addr, ai->bytes))
    return -1;
  *dst = t;
  return 0;
}

static int s_tassign(ptkj_ctx *w, uint32_t op, ptk_tile *dst, const ptk_tile *src, int64_t addr) {
  ptk_tile t = *src;
  t.srows = t.rows;
  t.scols = t.cols;
  t.r0 = t.c0 = 0;
  ptk_space loc = op_of(w, op)->results[0].type->tile.loc;
  if (place(w, op, &t, loc, addr, (int64_t)ptk_isa_tile_bytes(&t))) return -1;
  *dst = t;
  return 0;
}

static int s_subview(ptkj_ctx *w, uint32_t op, ptk_tile *dst, const ptk_tile *src, int64_t r64,
                     int64_t c64, int64_t vr64, int64_t vc64) {
  const opx *x = &w->p->x[op];
  const ptk_tile *tm = &x->tmpl;
  int32_t r = 0, c = 0, vr = tm->vrows, vc = tm->vcols;
  if (to_i32(w, op, r64, "row offset", &r) || to_i32(w, op, c64, "column offset", &c)) return -1;
  if (x->has_vr && valid_dim(w, op, vr64, tm->rows, "valid rows", &vr)) return -1;
  if (x->has_vc && valid_dim(w, op, vc64, tm->cols, "valid columns", &vc)) return -1;
  ptk_tile out;
  ISA(ptk_isa_subview(src, r, c, tm->rows, tm->cols, vr, vc, &out));
  *dst = out;
  return 0;
}

static int s_reshape(ptkj_ctx *w, uint32_t op, ptk_tile *dst, const ptk_tile *src) {
  ptk_tile out = w->p->x[op].tmpl;
  ISA(ptk_isa_treshape(src, &out));
  *dst = out;
  return 0;
}

static int s_setvalid(ptkj_ctx *w, uint32_t op, ptk_tile *t, int64_t vr64, int64_t vc64) {
  int32_t vr = 0, vc = 0;
  if (valid_dim(w, op, vr64, t->rows, "valid rows", &vr) ||
      valid_dim(w, op, vc64, t->cols, "valid columns", &vc))
    return -1;
  t->vrows = vr;
  t->vcols = vc;
  return 0;
}

static int s_tgetval(ptkj_ctx *w, uint32_t op, ptkj_sc *dst, const ptk_tile *t, int64_t off) {
  ptk_isa_scalar s;
  ISA(ptk_isa_tgetval(t, off, &s));
  ptk_dtype dt = w->p->x[op].dt;
  if (ptk_dtype_is_float(dt))
    dst->f = round_to(dt, s.is_float ? s.f : (double)s.i);
  else
    dst->i = norm(s.is_float ? f2i(s.f, 64, false) : s.i, ptk_dtype_bits(dt));
  return 0;
}

/* ---- printing (exec.c) ------------------------------------------------------------------------------ */

static void out_write(ptkj_ctx *w, const char *s, size_t n) {
  if (w->out) {
    ptk_buf_putn(w->out, s, n);
    return;
  }
  pthread_mutex_lock(&w->L->mu);
  fwrite(s, 1, n, w->L->out);
  pthread_mutex_unlock(&w->L->mu);
}

static int s_tprint(ptkj_ctx *w, uint32_t op, const ptk_tile *t) {
  ptk_buf *b = &w->scratch;
  ptk_buf_clear(b);
  int rc = ptk_isa_format(b, t);
  if (rc) return s_isa_fail(w, op, rc);
  out_write(w, ptk_buf_cstr(b), b->len);
  return 0;
}

static int s_print(ptkj_ctx *w, uint32_t op, const ptkj_sc *vals, uint32_t na) {
  const ptk_op *o = op_of(w, op);
  const ptk_attr *fa = ptk_op_attr(o, "format");
  ptk_buf *b = &w->scratch;
  ptk_buf_clear(b);
  const char *f = fa->str.s, *end = fa->str.s + fa->str.len;
  uint32_t arg = 0;
  while (f < end) {
    if (*f != '%') {
      ptk_buf_putc(b, *f++);
      continue;
    }
    const char *start = f++;
    if (f < end && *f == '%') {
      ptk_buf_putc(b, '%');
      f++;
      continue;
    }
    char spec[48];
    size_t n = 0;
    spec[n++] = '%';
    while (f < end && strchr("-+ #0", *f) && n < 8) spec[n++] = *f++;
    while (f < end && *f >= '0' && *f <= '9' && n < 20) spec[n++] = *f++;
    if (f < end && *f == '.') {
      spec[n++] = *f++;
      while (f < end && *f >= '0' && *f <= '9' && n < 30) spec[n++] = *f++;
    }
    while (f < end && strchr("hlLqjzt", *f)) f++;
    char conv = f < end ? *f++ : 0;
    bool is_int = conv && strchr("diuxXoc", conv), is_flt = conv && strchr("fFeEgGaA", conv);
    if ((!is_int && !is_flt) || arg >= na) {
      ptk_buf_putn(b, start, (size_t)(f - start));
      continue;
    }
    const ptk_value *av = o->operands[arg];
    ptk_dtype dt = av->type && av->type->kind == PTK_TY_SCALAR ? av->type->dt : PTK_DT_I64;
    ptkj_sc v = vals[arg];
    arg++;
    bool vf = ptk_dtype_is_float(dt);
    unsigned wd = ptk_dtype_bits(dt);
    if (is_flt) {
      spec[n++] = conv;
      spec[n] = 0;
      ptk_buf_printf(b, spec, vf ? v.f : (double)sx(v.i, wd));
    } else if (conv == 'c') {
      spec[n++] = 'c';
      spec[n] = 0;
      ptk_buf_printf(b, spec, (int)(vf ? (int64_t)v.f : v.i));
    } else {
      spec[n++] = 'l';
      spec[n++] = 'l';
      spec[n++] = conv;
      spec[n] = 0;
      if (conv == 'd' || conv == 'i')
        ptk_buf_printf(b, spec, (long long)(vf ? f2i(v.f, 64, false) : sx(v.i, wd)));
      else
        ptk_buf_printf(b, spec, (unsigned long long)(vf ? (uint64_t)f2i(v.f, 64, true) : zx(v.i, wd)));
    }
  }
  out_write(w, ptk_buf_cstr(b), b->len);
  return 0;
}

/* ---- the table -------------------------------------------------------------------------------------- */

static const ptkj_env ENV = {
    .abi = PTKJ_ABI_VERSION,
    .sizeof_tile = sizeof(ptk_tile),
    .err = s_err,
    .isa_fail = s_isa_fail,
    .aborted = s_aborted,
    .enter = s_enter,
    .leave = s_leave,
    .block = s_block,
    .round = s_round,
    .cast = s_cast,
    .ptrtoint = s_ptrtoint,
    .inttoptr = s_inttoptr,
    .ldsc = s_ldsc,
    .stsc = s_stsc,
    .alloc = s_alloc,
    .tassign = s_tassign,
    .subview = s_subview,
    .reshape = s_reshape,
    .setvalid = s_setvalid,
    .tload = s_tload,
    .tstore = s_tstore,
    .tgetval = s_tgetval,
    .tprint = s_tprint,
    .print = s_print,
    .bitcast = ptk_isa_bitcast,
    .tmov = ptk_isa_tmov,
    .textract = ptk_isa_textract,
    .tinsert = ptk_isa_tinsert,
    .ttrans = ptk_isa_ttrans,
    .tfillpad = ptk_isa_tfillpad,
    .texpands = ptk_isa_texpands,
    .unary = ptk_isa_unary,
    .binary = ptk_isa_binary,
    .binary_ts = ptk_isa_binary_ts,
    .binary_st = ptk_isa_binary_st,
    .taddc = ptk_isa_taddc,
    .tsubc = ptk_isa_tsubc,
    .taddsc = ptk_isa_taddsc,
    .tsubsc = ptk_isa_tsubsc,
    .taxpy = ptk_isa_taxpy,
    .tpart = ptk_isa_tpart,
    .trowexpand = ptk_isa_trowexpand,
    .tcolexpand = ptk_isa_tcolexpand,
    .trowexpand_op = ptk_isa_trowexpand_op,
    .tcolexpand_op = ptk_isa_tcolexpand_op,
    .trowreduce = ptk_isa_trowreduce,
    .tcolreduce = ptk_isa_tcolreduce,
    .tmatmul = ptk_isa_tmatmul,
    .tmatmul_acc = ptk_isa_tmatmul_acc,
    .tmatmul_bias = ptk_isa_tmatmul_bias,
    .tcvt = ptk_isa_tcvt,
    .tcmp = ptk_isa_tcmp,
    .tcmps = ptk_isa_tcmps,
    .tsel = ptk_isa_tsel,
    .tsels = ptk_isa_tsels,
    .tci = ptk_isa_tci,
    .ttri = ptk_isa_ttri,
    .tsetval = ptk_isa_tsetval,
};

/* ---- prepare ------------------------------------------------------------------------------------------ */

static ptk_isa_loc isa_loc(ptk_space s) {
  switch (s) {
  case PTK_SPACE_MAT: return PTK_ISA_MAT;
  case PTK_SPACE_LEFT: return PTK_ISA_LEFT;
  case PTK_SPACE_RIGHT: return PTK_ISA_RIGHT;
  case PTK_SPACE_ACC: return PTK_ISA_ACC;
  case PTK_SPACE_BIAS: return PTK_ISA_BIAS;
  case PTK_SPACE_SCALING: return PTK_ISA_SCALING;
  default: return PTK_ISA_VEC;
  }
}

/* compile.c's tile_template (the IR was validated by ptk_interp_prepare). */
static bool tile_template(const ptk_type *t, ptk_tile *out) {
  memset(out, 0, sizeof *out);
  if (!t || t->kind != PTK_TY_TILE_BUF) return false;
  const ptk_tile_desc *d = &t->tile;
  ptk_isa_dtype dt;
  if (!d->elem || d->elem->kind != PTK_TY_SCALAR || !ptk_interp__isa_dtype(d->elem->dt, &dt)) return false;
  bool rd = d->v_row == PTK_DYN || d->v_row < 0, cd = d->v_col == PTK_DYN || d->v_col < 0;
  int64_t vr = rd ? d->rows : d->v_row, vcv = cd ? d->cols : d->v_col;
  ptk_isa_blayout bl = d->blayout == PTK_BLAYOUT_COL_MAJOR ? PTK_ISA_COL_MAJOR : PTK_ISA_ROW_MAJOR;
  ptk_isa_slayout sl = d->slayout == PTK_SLAYOUT_ROW_MAJOR   ? PTK_ISA_BOX_ROW_MAJOR
                       : d->slayout == PTK_SLAYOUT_COL_MAJOR ? PTK_ISA_BOX_COL_MAJOR
                                                             : PTK_ISA_NONE_BOX;
  static uint8_t dummy[16];
  if (ptk_isa_tile_init(out, dummy, dt, isa_loc(d->loc), (int32_t)d->rows, (int32_t)d->cols,
                        (int32_t)vr, (int32_t)vcv, bl, sl, (int32_t)d->fractal, (ptk_isa_pad)d->pad))
    return false;
  out->data = NULL;
  return true;
}

static int attr_enum(const ptk_op *op, const char *name, const char *mnemonic) {
  const ptk_attr *a = ptk_op_attr(op, name);
  if (!a) return 0;
  int64_t iv;
  if (a->kind == PTK_ATTR_INT && ptk_attr_get_int(a, &iv)) return (int)iv;
  return ptk_attr_enum_index(a, mnemonic);
}

static void prep_ops(ptk_jit_prog *p) {
  PTK_VEC(site) sites = {0};
  p->x = ptk_xcalloc(p->nops ? p->nops : 1, sizeof *p->x);
  for (uint32_t i = 0; i < p->nops; i++) {
    const ptk_op *op = p->ops[i];
    opx *x = &p->x[i];
    x->op = op;
    x->priv = -1;
    switch (op->kind) {
    case PTK_OP_ALLOC_TILE: {
      uint32_t na, nr, nc;
      ptk_op_segment(op, 0, &na), ptk_op_segment(op, 1, &nr), ptk_op_segment(op, 2, &nc);
      x->has_addr = na, x->has_vr = nr, x->has_vc = nc;
      const ptk_type *t = op->results[0].type;
      tile_template(t, &x->tmpl);
      x->loc = t->tile.loc;
      x->bytes = (int64_t)ptk_isa_tile_bytes(&x->tmpl);
      for (int a5 = 0; a5 < 2; a5++) {
        x->left_bl[a5] = -1;
        if (x->tmpl.loc != PTK_ISA_LEFT || x->tmpl.slayout == PTK_ISA_NONE_BOX) continue;
        ptk_tile t2 = x->tmpl;
        static uint8_t dummy[16];
        t2.data = dummy;
        t2.blayout = a5 ? PTK_ISA_COL_MAJOR : PTK_ISA_ROW_MAJOR;
        if (t2.blayout != x->tmpl.blayout && ptk_isa_tile_check(&t2) == 0) x->left_bl[a5] = (int8_t)t2.blayout;
      }
      if (!na) {
        x->priv = (p->priv_bytes + 63) & ~(int64_t)63;
        p->priv_bytes = x->priv + x->bytes;
        site s = {x->priv, x->bytes, x->tmpl.dtype};
        ptk_vec_push(&sites, s);
      } else {
        p->mem_used[x->loc] = true;
      }
      break;
    }
    case PTK_OP_SUBVIEW: {
      uint32_t nr, nc;
      ptk_op_segment(op, 2, &nr), ptk_op_segment(op, 3, &nc);
      x->has_vr = nr, x->has_vc = nc;
      tile_template(op->results[0].type, &x->tmpl);
      break;
    }
    case PTK_OP_TRESHAPE: tile_template(op->results[0].type, &x->tmpl); break;
    case PTK_OP_TASSIGN: p->mem_used[op->results[0].type->tile.loc] = true; break;
    case PTK_OP_TLOAD:
    case PTK_OP_TSTORE: {
      uint32_t nv;
      ptk_value **v = ptk_op_segment(op, op->kind == PTK_OP_TLOAD ? 0 : 1, &nv);
      ptk_dtype dt;
      x->vd = PTK_ISA_F32;
      if (nv && ptk_type_elem_dtype(v[0]->type, &dt)) ptk_interp__isa_dtype(dt, &x->vd);
      if (op->kind == PTK_OP_TSTORE) {
        int relu = attr_enum(op, "reluPreMode", "relu_pre_mode");
        int atomic = attr_enum(op, "atomicType", "atomic_type");
        x->flags = (relu == 1 ? 1u : 0u) | (atomic == 1 ? 2u : 0u);
        if (atomic == 1) p->has_atomic = true;
      }
      break;
    }
    case PTK_OP_LOAD_SCALAR:
    case PTK_OP_STORE_SCALAR: {
      ptk_dtype pd = PTK_DT_I8;
      ptk_type_elem_dtype(op->operands[0]->type, &pd);
      x->dt = pd;
      x->esz = ptk_dtype_bytes(pd);
      break;
    }
    case PTK_OP_TGETVAL: x->dt = op->results[0].type->dt; break;
    case PTK_OP_PRINT:
    case PTK_OP_TPRINT: p->has_print = true; break;
    default: break;
    }
  }
  p->sites = sites.data;
  p->nsites = (uint32_t)sites.len;
}

/* ---- compiling and the cache --------------------------------------------------------------------------- */

static char *cache_dir(const ptk_jit_opts *o) {
  if (o && o->cache_dir) return ptk_xstrdup(o->cache_dir);
  const char *e = getenv("PTK_CACHE_DIR");
  if (e && *e) return ptk_xstrdup(e);
  e = getenv("XDG_CACHE_HOME");
  if (e && *e) return ptk_xasprintf("%s/ptk", e);
  e = getenv("HOME");
  return ptk_xasprintf("%s/.cache/ptk", e && *e ? e : "/tmp");
}

static int mkdirs(const char *path) {
  char *p = ptk_xstrdup(path);
  for (char *s = p + 1; *s; s++) {
    if (*s != '/') continue;
    *s = 0;
    if (mkdir(p, 0755) && errno != EEXIST) {
      free(p);
      return -1;
    }
    *s = '/';
  }
  int rc = mkdir(p, 0755) && errno != EEXIST ? -1 : 0;
  free(p);
  return rc;
}

static bool write_file(const char *path, const char *data, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f) return false;
  bool ok = fwrite(data, 1, n, f) == n;
  ok = (fclose(f) == 0) && ok;
  return ok;
}

static const char *const CFLAGS[] = {"-O2", "-std=gnu11", "-fPIC", "-shared", "-w"};
#define NCFLAGS (sizeof CFLAGS / sizeof CFLAGS[0])

/* Runs cc; its stderr goes to `log`. -1: could not start it (errno). */
static int run_cc(const char *cc, const char *out, const char *src, const char *log) {
  const char *argv[NCFLAGS + 6];
  size_t n = 0;
  argv[n++] = cc;
  for (size_t i = 0; i < NCFLAGS; i++) argv[n++] = CFLAGS[i];
  argv[n++] = "-o";
  argv[n++] = out;
  argv[n++] = src;
  argv[n++] = "-lm";
  argv[n] = NULL;
  int pfd[2];
  if (pipe(pfd)) return -1;
  fcntl(pfd[1], F_SETFD, FD_CLOEXEC);
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, 2);
      dup2(fd, 1);
    }
    execvp(cc, (char *const *)argv);
    int e = errno;
    if (write(pfd[1], &e, sizeof e) < 0) _exit(127);
    _exit(127);
  }
  close(pfd[1]);
  int e = 0;
  ssize_t r = read(pfd[0], &e, sizeof e);
  close(pfd[0]);
  int st = 0;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  if (r == (ssize_t)sizeof e) {
    errno = e;
    return -1;
  }
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static char *read_text(const char *path, size_t max) {
  FILE *f = fopen(path, "rb");
  if (!f) return ptk_xstrdup("");
  char *b = ptk_xmalloc(max + 1);
  size_t n = fread(b, 1, max, f);
  fclose(f);
  b[n] = 0;
  return b;
}

void ptk_jit_free(ptk_jit_prog *p) {
  if (!p) return;
  if (p->so) dlclose(p->so);
  free(p->ops);
  free(p->x);
  free(p->sites);
  free(p->so_path);
  free(p->target_attr);
  free(p);
}

ptk_jit_prog *ptk_jit_prepare(const ptk_func *entry, const ptk_jit_opts *o, ptk_diags *d) {
  /* the interpreter's checks: the same diagnostics for IR neither engine runs */
  ptk_interp_prog *ip = ptk_interp_prepare(entry, d);
  if (!ip) return NULL;
  ptk_interp_free(ip);
  ptk_jit_prog *p = ptk_xcalloc(1, sizeof *p);
  p->entry = entry;
  p->top = ptk_module_top(entry->module);
  const ptk_attr *ta = ptk_module_attr(p->top, "pto.target_arch");
  if (ta && ta->kind == PTK_ATTR_STRING) p->target_attr = ptk_xstrndup(ta->str.s, ta->str.len);
  ptk_buf src = {0};
  if (!ptk_emit_c_ops(entry, &src, &p->ops, &p->nops, d)) {
    ptk_buf_free(&src);
    ptk_jit_free(p);
    return NULL;
  }
  prep_ops(p);
  const char *cc = o && o->cc ? o->cc : getenv("CC");
  if (!cc || !*cc) cc = "cc";
  ptk_sha256 h;
  ptk_sha256_init(&h);
  ptk_sha256_update(&h, src.data, src.len);
  ptk_sha256_update(&h, "\0", 1);
  ptk_sha256_update(&h, cc, strlen(cc) + 1);
  for (size_t i = 0; i < NCFLAGS; i++) ptk_sha256_update(&h, CFLAGS[i], strlen(CFLAGS[i]) + 1);
  uint8_t dig[32];
  ptk_sha256_final(&h, dig);
  char hex[65];
  for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", dig[i]);
  char *dir = cache_dir(o);
  p->so_path = ptk_xasprintf("%s/%s.so", dir, hex);
  struct stat st;
  if (stat(p->so_path, &st) != 0) {
    if (mkdirs(dir)) {
      ptk_error(d, ptk_range_none(), "cannot create the JIT cache directory '%s': %s", dir, strerror(errno));
      goto fail;
    }
    char *cpath = ptk_xasprintf("%s/%s.%ld.c", dir, hex, (long)getpid());
    char *tmp = ptk_xasprintf("%s/%s.%ld.tmp.so", dir, hex, (long)getpid());
    char *log = ptk_xasprintf("%s/%s.%ld.log", dir, hex, (long)getpid());
    bool ok = write_file(cpath, src.data, src.len);
    if (!ok) {
      ptk_error(d, ptk_range_none(), "cannot write '%s': %s", cpath, strerror(errno));
    } else {
      int rc = run_cc(cc, tmp, cpath, log);
      if (rc < 0) {
        ptk_error(d, ptk_range_none(),
                  "the JIT needs a C compiler: cannot run '%s' (%s); install gcc or set CC", cc,
                  strerror(errno));
        ok = false;
      } else if (rc != 0) {
        char *msg = read_text(log, 4000);
        ptk_error(d, ptk_range_none(), "the C compiler '%s' failed on the generated code for '@%s' (%s):\n%s",
                  cc, entry->name, cpath, msg);
        free(msg);
        ok = false;
      } else if (rename(tmp, p->so_path)) {
        ptk_error(d, ptk_range_none(), "cannot move '%s' into the JIT cache: %s", tmp, strerror(errno));
        ok = false;
      }
      p->compiled = ok;
    }
    unlink(log);
    unlink(tmp);
    if (ok || !(o && o->keep_c)) {
      if (o && o->keep_c) {
        char *keep = ptk_xasprintf("%s/%s.c", dir, hex);
        rename(cpath, keep);
        free(keep);
      } else if (ok) {
        unlink(cpath);
      }
    }
    free(cpath), free(tmp), free(log);
    if (!ok) goto fail;
  }
  p->so = dlopen(p->so_path, RTLD_NOW | RTLD_LOCAL);
  if (!p->so) {
    ptk_error(d, ptk_range_none(), "cannot load the JIT kernel '%s': %s", p->so_path, dlerror());
    goto fail;
  }
  const unsigned *abi = dlsym(p->so, "ptkj_abi");
  const unsigned *tsz = dlsym(p->so, "ptkj_sizeof_tile");
  p->fn = (ptkj_entry_fn)dlsym(p->so, "ptkj_entry");
  if (!abi || !tsz || !p->fn || *abi != PTKJ_ABI_VERSION || *tsz != sizeof(ptk_tile)) {
    ptk_error(d, ptk_range_none(), "the JIT kernel '%s' does not match this ptk (stale cache entry?)",
              p->so_path);
    goto fail;
  }
  free(dir);
  ptk_buf_free(&src);
  return p;
fail:
  free(dir);
  ptk_buf_free(&src);
  ptk_jit_free(p);
  return NULL;
}

/* ---- launching (launch.c) ------------------------------------------------------------------------------ */

static ptk_loc param_loc(const ptk_func *f, uint32_t i) {
  const ptk_value *v = ptk_func_arg(f, i);
  return v && v->loc.src ? v->loc : f->loc;
}

static char *param_name(const ptk_func *f, uint32_t i) {
  const ptk_value *v = ptk_func_arg(f, i);
  if (v && v->name) return ptk_xasprintf("%%%s", v->name);
  return ptk_xasprintf("%%arg%u", i);
}

static int kind_of(const ptk_type *t) {
  if (!t) return 0;
  if (t->kind == PTK_TY_SCALAR) return 1;
  if (t->kind == PTK_TY_PTR) return 2;
  return 0;
}

static int bind_args(jl *L, const ptk_func *f, const ptk_launch_arg *args, size_t nargs, ptk_diags *d) {
  if (nargs != f->nargs) {
    ptk_error_loc(d, f->loc, "kernel '%s' takes %u argument%s, got %zu", f->name, f->nargs,
                  f->nargs == 1 ? "" : "s", nargs);
    return -1;
  }
  int errs = 0;
  uint32_t n = f->nargs ? f->nargs : 1;
  L->nbufs = f->nargs;
  L->bufs = ptk_xcalloc(n, sizeof(gbuf));
  L->scalars = ptk_xcalloc(n, sizeof(ptkj_sc));
  L->ptrs = ptk_xcalloc(n, sizeof(ptkj_ptr));
  L->argv = ptk_xcalloc(n, sizeof(void *));
  for (uint32_t i = 0; i < f->nargs; i++) {
    const ptk_type *t = f->arg_types[i];
    const ptk_launch_arg *a = &args[i];
    char *name = param_name(f, i);
    char *ts = ptk_type_str(t);
    int k = kind_of(t);
    if (k == 2) {
      ptk_dtype pd;
      L->ptrs[i] = (ptkj_ptr){(int32_t)i, 0, 0};
      L->argv[i] = &L->ptrs[i];
      if (a->kind != PTK_ARG_TENSOR || !a->tensor) {
        ptk_error_loc(d, param_loc(f, i), "argument %u ('%s'): expected a tensor for parameter type %s",
                      i + 1, name, ts);
        errs++;
      } else if (!ptk_type_elem_dtype(t, &pd) ||
                 ptk_tdtype_size(a->tensor->dtype) != ptk_dtype_bytes(pd)) {
        ptk_error_loc(d, param_loc(f, i),
                      "argument %u ('%s'): a %s tensor (%zu-byte elements) cannot be bound to %s",
                      i + 1, name, ptk_tdtype_name(a->tensor->dtype),
                      ptk_tdtype_size(a->tensor->dtype), ts);
        errs++;
      } else if (!ptk_tensor_is_contiguous(a->tensor)) {
        ptk_error_loc(d, param_loc(f, i), "argument %u ('%s'): the tensor must be C-contiguous",
                      i + 1, name);
        errs++;
      } else {
        gbuf *b = &L->bufs[i];
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
        ptk_error_loc(d, param_loc(f, i), "argument %u ('%s'): expected a scalar of type %s", i + 1,
                      name, ts);
        errs++;
      } else {
        ptk_dtype pd = t->dt;
        bool af = ptk_dtype_is_float(a->dt);
        if (ptk_dtype_is_float(pd)) {
          L->scalars[i].f = round_to(pd, af ? a->f : (double)a->i);
        } else {
          int64_t v = a->i;
          if (af) {
            if (!(a->f == trunc(a->f)) || fabs(a->f) >= 0x1p63) {
              ptk_error_loc(d, param_loc(f, i), "argument %u ('%s'): %g is not a value of type %s",
                            i + 1, name, a->f, ts);
              errs++;
            }
            v = af && fabs(a->f) < 0x1p63 ? (int64_t)a->f : 0;
          }
          L->scalars[i].i = norm(v, ptk_dtype_bits(pd));
        }
      }
    } else {
      ptk_error_loc(d, param_loc(f, i), "argument %u ('%s'): parameters of type %s are not supported",
                    i + 1, name, ts);
      errs++;
    }
    free(name);
    free(ts);
  }
  return errs ? -1 : 0;
}

static ptkj_ctx *ctx_new(const ptk_jit_prog *p, jl *L) {
  ptkj_ctx *w = ptk_xcalloc(1, sizeof *w);
  w->p = p;
  w->L = L;
  for (int s = 0; s < PTK_SPACE__COUNT; s++) {
    if (!p->mem_used[s] || !L->cap[s]) continue;
    w->mem[s] = aligned_alloc(64, ((size_t)L->cap[s] + 63) & ~(size_t)63);
    if (!w->mem[s]) abort();
    if (L->poison) w->claimed[s] = ptk_xmalloc(L->cap[s]);
  }
  if (p->priv_bytes) {
    w->priv = aligned_alloc(64, ((size_t)p->priv_bytes + 63) & ~(size_t)63);
    if (!w->priv) abort();
  }
  return w;
}

static void ctx_free(ptkj_ctx *w) {
  for (int s = 0; s < PTK_SPACE__COUNT; s++) {
    free(w->mem[s]);
    free(w->claimed[s]);
  }
  free(w->priv);
  err_free(&w->err);
  ptk_buf_free(&w->scratch);
  free(w);
}

static int exec_block(ptkj_ctx *w, int64_t block) {
  const ptk_jit_prog *p = w->p;
  jl *L = w->L;
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
      for (uint32_t i = 0; i < p->nsites; i++) poison(w->priv + p->sites[i].off, p->sites[i].bytes, p->sites[i].dtype);
    else
      memset(w->priv, 0, (size_t)p->priv_bytes);
  }
  int rc = p->fn(&ENV, w, L->argv);
  if (rc == -1) {
    if (!w->failed) fail(w, UINT32_MAX, "internal error", "the JIT kernel failed without a message");
    call_notes(w);
  }
  return rc;
}

static void block_done(jl *L, int64_t b, ptk_buf *out) {
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
  ptkj_ctx *w = arg;
  jl *L = w->L;
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

int ptk_jit_run(const ptk_jit_prog *p, const ptk_launch_opts *o, const ptk_launch_arg *args,
                size_t nargs, ptk_diags *d) {
  ptk_launch_opts dflt = {0};
  if (!o) o = &dflt;
  const ptk_func *f = p->entry;
  jl L;
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
  if (p->has_atomic) threads = 1;
  if (threads > 1 && p->has_print) {
    L.outbufs = ptk_xcalloc(L.blocks, sizeof *L.outbufs);
    L.done = ptk_xcalloc(L.blocks, sizeof *L.done);
  }
  ptkj_ctx **ws = ptk_xcalloc(threads, sizeof *ws);
  for (uint32_t t = 0; t < threads; t++) ws[t] = ctx_new(p, &L);
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
  for (uint32_t t = 0; t < threads; t++) ctx_free(ws[t]);
  free(ws);
  fflush(L.out);
  if (atomic_load(&L.fail_block) != INT64_MAX) {
    rerr *e = &L.err;
    ptk_error_loc(d, e->op ? e->op->loc : f->loc, "%s", e->msg ? e->msg : "runtime error");
    for (uint32_t i = 0; i < e->nnotes; i++) ptk_note(d, ptk_range_at(e->note_loc[i], 1), "%s", e->note_msg[i]);
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

int ptk_jit_launch(const ptk_func *entry, const ptk_jit_opts *jo, const ptk_launch_opts *o,
                   const ptk_launch_arg *args, size_t nargs, ptk_diags *d) {
  ptk_jit_prog *p = ptk_jit_prepare(entry, jo, d);
  if (!p) return 1;
  int rc = ptk_jit_run(p, o, args, nargs, d);
  ptk_jit_free(p);
  return rc;
}
