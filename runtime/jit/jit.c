/* The JIT engine (see jit.h). Only running a block differs from the
 * interpreter: the generated code calls back into the host services below,
 * which are thin adapters over the ones both engines share (runtime/launch.h:
 * same checks, same messages, same storage model, same launcher), so both
 * engines agree bit for bit. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend/c/emit.h"
#include "lang/sha256.h"
#include "runtime/isa/isa.h"
#include "runtime/jit/jit.h"
#include "runtime/launch.h"
#include "runtime/mix.h"
#include "runtime/jit/abi.h"

/* ---- the ABI ------------------------------------------------------------------------------------ */

/* generated loops poll the abort state through ptkj_ctx_head */
_Static_assert(sizeof(atomic_llong) == sizeof(long long) && _Alignof(atomic_llong) == _Alignof(long long),
               "plain reads of fail_block");
_Static_assert(offsetof(ptk_rt_worker, fail_block) == offsetof(ptkj_ctx_head, fail_block) &&
                   offsetof(ptk_rt_worker, block) == offsetof(ptkj_ctx_head, block) &&
                   offsetof(ptk_rt_worker, vbase) == offsetof(ptkj_ctx_head, vbase) &&
                   offsetof(ptk_rt_worker, vcap) == offsetof(ptkj_ctx_head, vcap) &&
                   PTK_SPACE__COUNT == 8,
               "ptkj_ctx_head");

/* ---- per-op data ---------------------------------------------------------------------------- */

typedef struct opx {
  ptk_rt_alloc_info ai; /* alloc_tile; ai.tmpl also for subview / treshape */
  ptk_isa_dtype vd;     /* tload/tstore view dtype */
  uint32_t flags;       /* tstore: 1 relu 2 atomic */
  ptk_dtype dt;         /* ld/st scalar elem, tgetval result */
  bool has_vr, has_vc;
} opx;

struct ptk_jit_prog {
  ptk_rt_prog rt; /* first: what the launcher needs */
  ptk_interp_prog *interp; /* a kernel too large to compile runs here */
  const ptk_op **ops;
  opx *x;
  uint32_t nops;
  void *so;
  ptkj_entry_fn fn, fn_peer; /* fn_peer: a mixed kernel's other half */
  char *so_path;
  bool compiled;
};

/* The generated code's context is the launcher's worker. */
struct ptkj_ctx {
  ptk_rt_worker b;
};

bool ptk_jit_compiled(const ptk_jit_prog *p) { return p && p->compiled; }
const char *ptk_jit_so_path(const ptk_jit_prog *p) { return p ? p->so_path : NULL; }

/* ---- services -------------------------------------------------------------------------------- */

static const ptk_jit_prog *prog(const ptkj_ctx *w) { return (const ptk_jit_prog *)w->b.p; }
static const ptk_op *op_of(const ptkj_ctx *w, uint32_t op) {
  return op < prog(w)->nops ? prog(w)->ops[op] : NULL;
}
static const opx *x_of(const ptkj_ctx *w, uint32_t op) { return &prog(w)->x[op]; }

#define RW(w) (&(w)->b)
#define OP(op) op_of(w, op)

static int s_err(ptkj_ctx *w, uint32_t op, int code, int64_t a, int64_t b) {
  const ptk_op *o = OP(op);
  switch (code) {
  case PTKJ_E_STEP:
    return ptk_rt_fail(RW(w), o, "bad loop step", "scf.for step %lld is not positive", (long long)a);
  case PTKJ_E_VIEWNEG:
    return ptk_rt_fail(RW(w), o, "bad tensor view", "dimension %d has negative size %lld", (int)a, (long long)b);
  case PTKJ_E_PARTNEG:
    return ptk_rt_fail(RW(w), o, "bad partition", "size %lld of dimension %d is negative", (long long)b, (int)a);
  case PTKJ_E_DIM:
    return ptk_rt_fail(RW(w), o, "bad dimension", "dimension %lld of a rank-%d view", (long long)a, (int)b);
  case PTKJ_E_TRAP: return ptk_rt_fail(RW(w), o, "pto.trap reached", NULL);
  case PTKJ_E_STOPPED: return ptk_rt_stopped(RW(w), o);
  default: return ptk_rt_fail(RW(w), o, "internal error", "unknown error code %d", code);
  }
}

static int s_isa_fail(ptkj_ctx *w, uint32_t op, int rc) { return ptk_rt_isa_fail(RW(w), OP(op), rc); }
static int s_enter(ptkj_ctx *w, uint32_t op) { return ptk_rt_enter(RW(w), OP(op)); }
static void s_leave(ptkj_ctx *w) { w->b.depth--; }
static int64_t s_block(ptkj_ctx *w, int which) { return ptk_rt_block_id(RW(w), which); }
static int64_t s_ptrtoint(ptkj_ctx *w, const ptk_rt_ptr *p) {
  (void)w;
  return ptk_rt_ptrtoint(p);
}
static void s_inttoptr(ptkj_ctx *w, int64_t x, ptk_rt_ptr *out) {
  ptk_rt_ptr p = ptk_rt_inttoptr(RW(w), x);
  memcpy(out, &p, sizeof p);
}
static int s_ldsc(ptkj_ctx *w, uint32_t op, ptk_rt_sc *d, const ptk_rt_ptr *p, int64_t idx) {
  return ptk_rt_scalar_mem(RW(w), OP(op), d, p, idx, x_of(w, op)->dt, true);
}
static int s_stsc(ptkj_ctx *w, uint32_t op, const ptk_rt_sc *v, const ptk_rt_ptr *p, int64_t idx) {
  ptk_rt_sc t = {.i = v->i};
  return ptk_rt_scalar_mem(RW(w), OP(op), &t, p, idx, x_of(w, op)->dt, false);
}
static int s_alloc(ptkj_ctx *w, uint32_t op, ptk_tile *dst, int64_t addr, int64_t vr, int64_t vc) {
  const opx *x = x_of(w, op);
  return ptk_rt_alloc(RW(w), OP(op), &x->ai, addr, x->has_vr, vr, x->has_vc, vc, dst);
}
static int s_tassign(ptkj_ctx *w, uint32_t op, ptk_tile *dst, const ptk_tile *src, int64_t addr) {
  return ptk_rt_tassign(RW(w), OP(op), dst, src, addr);
}
static int s_subview(ptkj_ctx *w, uint32_t op, ptk_tile *dst, const ptk_tile *src, int64_t r,
                     int64_t c, int64_t vr, int64_t vc) {
  const opx *x = x_of(w, op);
  return ptk_rt_subview(RW(w), OP(op), &x->ai.tmpl, dst, src, r, c, x->has_vr, vr, x->has_vc, vc);
}
static int s_reshape(ptkj_ctx *w, uint32_t op, ptk_tile *dst, const ptk_tile *src) {
  ptk_tile out = x_of(w, op)->ai.tmpl;
  int rc = ptk_isa_treshape(src, &out);
  if (rc) return ptk_rt_isa_fail(RW(w), OP(op), rc);
  *dst = out;
  return 0;
}
static int s_setvalid(ptkj_ctx *w, uint32_t op, ptk_tile *t, int64_t vr, int64_t vc) {
  return ptk_rt_setvalid(RW(w), OP(op), t, vr, vc);
}
static int s_tload(ptkj_ctx *w, uint32_t op, const ptk_tile *t, const ptk_rt_view *v) {
  return ptk_rt_tload(RW(w), OP(op), t, v, x_of(w, op)->vd);
}
static int s_gm_direct(ptkj_ctx *w, uint32_t op, const ptk_tile *t, const ptk_rt_view *v, float **p,
                       int64_t *ld) {
  const ptk_op *o = OP(op);
  const opx *x = x_of(w, op);
  if (o->kind == PTK_OP_TSTORE && x->flags) return 1;
  return ptk_rt_gm_direct(RW(w), o, t, v, x->vd, o->kind == PTK_OP_TSTORE, p, ld);
}
static int s_tstore(ptkj_ctx *w, uint32_t op, const ptk_rt_view *v, const ptk_tile *t) {
  const opx *x = x_of(w, op);
  return ptk_rt_tstore(RW(w), OP(op), v, t, x->vd, x->flags);
}
static int s_tgetval(ptkj_ctx *w, uint32_t op, ptk_rt_sc *dst, const ptk_tile *t, int64_t off) {
  return ptk_rt_tgetval(RW(w), OP(op), x_of(w, op)->dt, dst, t, off);
}
static int s_tprint(ptkj_ctx *w, uint32_t op, const ptk_tile *t) { return ptk_rt_tprint(RW(w), OP(op), t); }
static int s_print(ptkj_ctx *w, uint32_t op, const ptk_rt_sc *vals, uint32_t n) {
  return ptk_rt_print(RW(w), OP(op), vals, n);
}
static ptk_vptr s_vptr(ptkj_ctx *w, const ptk_rt_ptr *p) { return ptk_rt_vptr(RW(w), p); }
static int s_pipe(ptkj_ctx *w, uint32_t op, ptk_rt_sc *sres, ptk_tile *tres, const ptk_tile *tin,
                  const ptk_rt_sc *s0, const ptk_rt_sc *s1, ptk_rt_view *vres, const ptk_rt_view *vin) {
  return ptk_rt_pipe(RW(w), OP(op), sres, tres, tin, s0, s1, vres, vin);
}

/* ---- the table -------------------------------------------------------------------------------------- */

static const ptkj_env ENV = {
    .abi = PTKJ_ABI_VERSION,
    .sizeof_tile = sizeof(ptk_tile),
    .err = s_err,
    .isa_fail = s_isa_fail,
    .enter = s_enter,
    .leave = s_leave,
    .block = s_block,
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
    .gm_direct = s_gm_direct,
    .tgetval = s_tgetval,
    .tprint = s_tprint,
    .print = s_print,
    .vptr = s_vptr,
    .pipe = s_pipe,
    .isa =
        {
#define PTKJ_ENTRY(name) .name = name,
            PTK_ISA_ENTRY_POINTS(PTKJ_ENTRY)
            PTK_VEC_ENTRY_POINTS(PTKJ_ENTRY)
#undef PTKJ_ENTRY
        },
};

/* ---- prepare ------------------------------------------------------------------------------------------ */

/* What the services need per op (the IR was validated by ptk_interp_prepare). */
static void prep_ops(ptk_jit_prog *p) {
  p->x = ptk_xcalloc(p->nops ? p->nops : 1, sizeof *p->x);
  for (uint32_t i = 0; i < p->nops; i++) {
    const ptk_op *op = p->ops[i];
    opx *x = &p->x[i];
    switch (op->kind) {
    case PTK_OP_ALLOC_TILE:
    case PTK_OP_ALLOC_MULTI_TILE: {
      uint32_t na, nr, nc;
      ptk_op_segment(op, 0, &na), ptk_op_segment(op, 1, &nr), ptk_op_segment(op, 2, &nc);
      x->has_vr = nr, x->has_vc = nc;
      /* the interpreter's prepare already accepted the op: no diagnostics */
      ptk_diags *q = ptk_diags_new();
      int64_t count;
      const ptk_type *t = ptk_lower_alloc_type(op, &count, q);
      ptk_diags_free(q);
      if (t) ptk_rt_alloc_init(&x->ai, t, count);
      if (!na)
        x->ai.priv = ptk_rt_prog_add_site(&p->rt, x->ai.bytes, x->ai.tmpl.dtype);
      else
        p->rt.mem_used[x->ai.loc] = true;
      break;
    }
    case PTK_OP_SUBVIEW: {
      uint32_t nr, nc;
      ptk_op_segment(op, 2, &nr), ptk_op_segment(op, 3, &nc);
      x->has_vr = nr, x->has_vc = nc;
      ptk_rt_tile_template(op->results[0].type, &x->ai.tmpl);
      break;
    }
    case PTK_OP_TRESHAPE: ptk_rt_tile_template(op->results[0].type, &x->ai.tmpl); break;
    case PTK_OP_TASSIGN: p->rt.mem_used[op->results[0].type->tile.loc] = true; break;
    case PTK_OP_TLOAD:
    case PTK_OP_TSTORE: {
      uint32_t nv;
      ptk_value **v = ptk_op_segment(op, op->kind == PTK_OP_TLOAD ? 0 : 1, &nv);
      ptk_dtype dt;
      x->vd = PTK_ISA_F32;
      if (nv && ptk_type_elem_dtype(v[0]->type, &dt)) ptk_rt_isa_dtype(dt, &x->vd);
      if (op->kind == PTK_OP_TSTORE) {
        /* the interpreter's prepare already accepted the op: no diagnostics */
        ptk_diags *q = ptk_diags_new();
        ptk_dps dx;
        unsigned fl = 0;
        if (ptk_lower_tstore(op, &dx, &fl, q)) x->flags = fl;
        ptk_diags_free(q);
        if (x->flags & 2) p->rt.has_atomic = true;
      }
      break;
    }
    case PTK_OP_LOAD_SCALAR:
    case PTK_OP_STORE_SCALAR: {
      ptk_dtype pd = PTK_DT_I8;
      ptk_type_elem_dtype(op->operands[0]->type, &pd);
      x->dt = pd;
      break;
    }
    case PTK_OP_TGETVAL: x->dt = op->results[0].type->dt; break;
    case PTK_OP_PRINT:
    case PTK_OP_TPRINT: p->rt.has_print = true; break;
    default: break;
    }
  }
}

/* ---- running ------------------------------------------------------------------------------------------ */

static int run_block(ptk_rt_worker *b) {
  const ptk_jit_prog *p = (const ptk_jit_prog *)b->p;
  return (b->fn ? p->fn_peer : p->fn)(&ENV, (ptkj_ctx *)b, b->L->argv);
}

static const ptk_rt_engine ENGINE = {sizeof(ptkj_ctx), run_block, NULL};

int ptk_jit_run(const ptk_jit_prog *p, const ptk_launch_opts *o, const ptk_launch_arg *args,
                size_t nargs, ptk_diags *d) {
  if (p->interp) return ptk_interp_run(p->interp, o, args, nargs, d);
  return ptk_rt_run(&p->rt, o, args, nargs, d);
}

/* ---- compiling and the cache --------------------------------------------------------------------------- */

/* The cache folder, and in *from the length of the prefix ptk did not add
 * (the folders after it are checked like the cache folder itself):
 * $XDG_CACHE_HOME | ~/.cache (from $HOME, else the password database).
 * NULL: no home at all (a private temporary cache is used). Never a fixed
 * folder under a shared temporary directory. */
static char *cache_dir(const ptk_jit_opts *o, size_t *from) {
  const char *e = o && o->cache_dir ? o->cache_dir : getenv("PTK_CACHE_DIR");
  char *dir = NULL;
  if (e && *e) {
    dir = ptk_xstrdup(e);
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') dir[--n] = 0;
    char *sl = strrchr(dir, '/');
    *from = sl ? (size_t)(sl - dir) : 0;
    return dir;
  }
  e = getenv("XDG_CACHE_HOME");
  if (e && *e) {
    dir = ptk_xasprintf("%s/ptk", e);
    *from = strlen(e);
    return dir;
  }
  e = getenv("HOME");
  if (!e || !*e) {
    struct passwd *pw = getpwuid(geteuid());
    e = pw && pw->pw_dir && *pw->pw_dir ? pw->pw_dir : NULL;
  }
  if (!e || !strcmp(e, "/")) return NULL;
  *from = strlen(e);
  return ptk_xasprintf("%s/.cache/ptk", e);
}

/* Creates the missing folders of path, mode 0700. */
static int mkdirs(const char *path) {
  char *p = ptk_xstrdup(path);
  for (char *s = p + 1; *s; s++) {
    if (*s != '/') continue;
    *s = 0;
    if (mkdir(p, 0700) && errno != EEXIST) {
      free(p);
      return -1;
    }
    *s = '/';
  }
  int rc = mkdir(p, 0700) && errno != EEXIST ? -1 : 0;
  free(p);
  return rc;
}

/* NULL when the folder is safe: a real folder owned by us and not writable
 * by group or others; else why not (static text). */
static const char *unsafe_dir(const char *path) {
  struct stat st;
  if (lstat(path, &st)) return "missing";
  if (!S_ISDIR(st.st_mode)) return "not a folder";
  if (st.st_uid != geteuid()) return "owned by another user";
  if (st.st_mode & 022) return "writable by group or others";
  return NULL;
}

/* Checks the cache folder and each folder between it and the first `from`
 * bytes of its path; sets *bad to the offending folder. */
static const char *unsafe_tree(const char *dir, size_t from, char **bad) {
  char *p = ptk_xstrdup(dir);
  size_t n = strlen(p);
  for (size_t i = from + 1; i <= n; i++) {
    if (p[i] != '/' && p[i] != 0) continue;
    char c = p[i];
    p[i] = 0;
    const char *why = i > 0 && p[0] ? unsafe_dir(p) : NULL;
    if (why) {
      *bad = p;
      return why;
    }
    p[i] = c;
  }
  free(p);
  return NULL;
}

/* A private temporary cache folder (mode 0700, unique); NULL on failure. */
static char *private_dir(void) {
  const char *t = getenv("TMPDIR");
  char *tmpl = ptk_xasprintf("%s/ptk-jit-XXXXXX", t && *t && t[0] == '/' ? t : "/tmp");
  if (!mkdtemp(tmpl)) {
    free(tmpl);
    return NULL;
  }
  return tmpl;
}

/* Cache entries are the compiler's .so followed by a trailer: the magic
 * below and the SHA-256 of everything before it. The loader ignores the
 * trailer; ptk verifies it before every dlopen. */
static const char SUM_MAGIC[8] = {'P', 'T', 'K', 'J', 'S', 'U', 'M', '1'};
#define TRAILER (sizeof SUM_MAGIC + 32)
#define MAX_SO_BYTES ((off_t)1 << 30)

/* Reads a whole regular file through fd into *out. */
static bool read_fd(int fd, off_t size, uint8_t **out) {
  uint8_t *b = malloc(size ? (size_t)size : 1);
  if (!b) return false;
  size_t got = 0;
  while (got < (size_t)size) {
    ssize_t r = read(fd, b + got, (size_t)size - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += (size_t)r;
  }
  if (got != (size_t)size) {
    free(b);
    return false;
  }
  *out = b;
  return true;
}

enum { ENTRY_OK, ENTRY_MISSING, ENTRY_CORRUPT, ENTRY_FOREIGN };

/* Checks a cache entry: owned by us, not writable by others, its content
 * hash matching its trailer. */
static int verify_entry(const char *path) {
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return errno == ENOENT ? ENTRY_MISSING : ENTRY_CORRUPT;
  struct stat st;
  int rc = ENTRY_CORRUPT;
  if (fstat(fd, &st) == 0) {
    if (st.st_uid != geteuid() || (st.st_mode & 022)) {
      rc = ENTRY_FOREIGN;
    } else if (S_ISREG(st.st_mode) && st.st_size > (off_t)TRAILER && st.st_size <= MAX_SO_BYTES) {
      uint8_t *b = NULL;
      if (read_fd(fd, st.st_size, &b)) {
        size_t n = (size_t)st.st_size - TRAILER;
        uint8_t dig[32];
        ptk_sha256 h;
        ptk_sha256_init(&h);
        ptk_sha256_update(&h, b, n);
        ptk_sha256_final(&h, dig);
        if (!memcmp(b + n, SUM_MAGIC, sizeof SUM_MAGIC) && !memcmp(b + n + sizeof SUM_MAGIC, dig, 32))
          rc = ENTRY_OK;
        free(b);
      }
    }
  }
  close(fd);
  return rc;
}

/* Writes the compiler's output `so` with its trailer to `path` atomically
 * (a private temporary file renamed into place). */
static bool publish_entry(const char *so, const char *tmp, const char *path) {
  int in = open(so, O_RDONLY | O_CLOEXEC);
  struct stat st;
  uint8_t *b = NULL;
  bool ok = in >= 0 && fstat(in, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= MAX_SO_BYTES &&
            read_fd(in, st.st_size, &b);
  if (in >= 0) close(in);
  if (!ok) return false;
  uint8_t tr[TRAILER];
  memcpy(tr, SUM_MAGIC, sizeof SUM_MAGIC);
  ptk_sha256 h;
  ptk_sha256_init(&h);
  ptk_sha256_update(&h, b, (size_t)st.st_size);
  ptk_sha256_final(&h, tr + sizeof SUM_MAGIC);
  unlink(tmp);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  ok = fd >= 0;
  if (ok) {
    ok = write(fd, b, (size_t)st.st_size) == (ssize_t)st.st_size &&
         write(fd, tr, sizeof tr) == (ssize_t)sizeof tr && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
  }
  free(b);
  if (ok && rename(tmp, path) != 0) ok = false;
  if (!ok) unlink(tmp);
  return ok;
}

static bool write_file(const char *path, const char *data, size_t n) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return false;
  bool ok = true;
  for (size_t off = 0; ok && off < n;) {
    ssize_t w = write(fd, data + off, n - off);
    if (w < 0 && errno == EINTR) continue;
    ok = w > 0;
    if (ok) off += (size_t)w;
  }
  ok = close(fd) == 0 && ok;
  return ok;
}

/* Compiler flags: -O3 for the host's instruction set, as explicit feature
 * flags detected once (so the flags, which are in the cache key, say
 * exactly what the .so needs: a cache shared with a CPU without them never
 * hands it that .so). No FMA contraction and IEEE semantics otherwise, so
 * generated code gives the interpreter's bits (runtime/isa is built the
 * same way). Without AVX2 (or off x86-64): baseline code. */
static const char *CFLAGS[24];
static size_t ncflags;
static pthread_once_t cflags_once = PTHREAD_ONCE_INIT;
static void cflags_init(void) {
  static const char *const base[] = {"-O3",         "-std=gnu11",      "-fPIC",
                                     "-shared",     "-w",              "-ffp-contract=off",
                                     "-fno-math-errno", "-fno-trapping-math"};
  for (size_t i = 0; i < sizeof base / sizeof base[0]; i++) CFLAGS[ncflags++] = base[i];
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("sse4.2")) CFLAGS[ncflags++] = "-msse4.2";
  if (__builtin_cpu_supports("popcnt")) CFLAGS[ncflags++] = "-mpopcnt";
  if (__builtin_cpu_supports("avx")) CFLAGS[ncflags++] = "-mavx";
  if (__builtin_cpu_supports("avx2")) CFLAGS[ncflags++] = "-mavx2";
  if (__builtin_cpu_supports("fma")) CFLAGS[ncflags++] = "-mfma";
  if (__builtin_cpu_supports("bmi2")) CFLAGS[ncflags++] = "-mbmi2";
#endif
  const char *no = getenv("PTK_JIT_BASELINE"); /* 1: baseline x86-64 (tests, debugging) */
  if (no && *no && strcmp(no, "0")) ncflags = sizeof base / sizeof base[0];
}
#define NCFLAGS (pthread_once(&cflags_once, cflags_init), ncflags)

/* Runs cc; its stderr goes to `log`. -1: could not start it (errno). */
static int run_cc(const char *cc, const char *out, const char *src, const char *log) {
  const char *argv[sizeof CFLAGS / sizeof CFLAGS[0] + 6];
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
    sigset_t none; /* ptk run blocks SIGINT/SIGTERM in its threads: not in cc */
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
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

static bool count_op(ptk_op *op, void *n) {
  (void)op;
  ++*(uint64_t *)n;
  return true;
}

/* PTK_JIT_MAX_OPS (0: no limit), default 2000. */
static uint64_t jit_max_ops(void) {
  const char *e = getenv("PTK_JIT_MAX_OPS");
  if (e && *e) {
    char *end;
    unsigned long long v = strtoull(e, &end, 10);
    if (!*end) return v;
  }
  return 2000;
}

void ptk_jit_free(ptk_jit_prog *p) {
  if (!p) return;
  ptk_interp_free(p->interp);
  ptk_rt_prog_fini(&p->rt);
  if (p->so) dlclose(p->so);
  free(p->ops);
  free(p->x);
  free(p->so_path);
  free(p);
}

ptk_jit_prog *ptk_jit_prepare(const ptk_func *entry, const ptk_jit_opts *o, ptk_diags *d) {
  /* the interpreter's checks: the same diagnostics for IR neither engine runs */
  ptk_interp_prog *ip = ptk_interp_prepare(entry, d);
  if (!ip) return NULL;
  /* cc's time grows faster than the kernel (tests/bench/jit_compile.sh:
   * ~0.8 ms per op at 1,000 ops, seconds past 2,000) while the interpreter
   * starts at once: past the limit the kernel runs in the interpreter */
  uint64_t nops = 0, max_ops = jit_max_ops();
  ptk_walk_func((ptk_func *)entry, count_op, &nops); /* the walk only reads */
  if (max_ops && nops > max_ops) {
    ptk_warning(d, ptk_range_at(entry->loc, 1),
                "'@%s' has %llu ops, more than the JIT compiles (PTK_JIT_MAX_OPS=%llu): it runs in "
                "the interpreter, with the same results",
                entry->name, (unsigned long long)nops, (unsigned long long)max_ops);
    ptk_jit_prog *p = ptk_xcalloc(1, sizeof *p);
    ptk_rt_prog_init(&p->rt, &ENGINE, entry);
    p->interp = ip;
    return p;
  }
  ptk_interp_free(ip);
  ptk_jit_prog *p = ptk_xcalloc(1, sizeof *p);
  ptk_rt_prog_init(&p->rt, &ENGINE, entry);
  ptk_buf src = {0};
  if (!ptk_emit_c_ops(entry, p->rt.mixed ? ptk_lower_mixed_peer(entry) : NULL, &src, &p->ops, &p->nops, d)) {
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
  size_t from = 0;
  char *dir = cache_dir(o, &from);
  bool priv = false; /* a private temporary cache: removed after loading */
  if (dir && mkdirs(dir)) {
    ptk_warning(d, ptk_range_none(), "cannot create the JIT cache folder '%s' (%s); using a private "
                "temporary cache", dir, strerror(errno));
    free(dir);
    dir = NULL;
  }
  if (dir) {
    char *bad = NULL;
    const char *why = unsafe_tree(dir, from, &bad);
    if (why) {
      ptk_warning(d, ptk_range_none(),
                  "refusing the JIT cache folder '%s': '%s' is %s (it must be a folder owned by you "
                  "and not writable by group or others, e.g. chmod 700); using a private temporary cache",
                  dir, bad, why);
      free(bad);
      free(dir);
      dir = NULL;
    }
  }
  for (int attempt = 0;; attempt++) {
    if (!dir) {
      dir = private_dir();
      priv = true;
      if (!dir) {
        ptk_error(d, ptk_range_none(), "cannot create a private JIT cache folder: %s", strerror(errno));
        goto fail;
      }
    }
    free(p->so_path);
    p->so_path = ptk_xasprintf("%s/%s.so", dir, hex);
    int ent = verify_entry(p->so_path);
    if (ent == ENTRY_OK) break;
    if (ent == ENTRY_FOREIGN && !priv && attempt == 0) {
      ptk_warning(d, ptk_range_none(),
                  "refusing the JIT cache entry '%s': it is owned by another user or writable by "
                  "others; using a private temporary cache", p->so_path);
      free(dir);
      dir = NULL;
      continue;
    }
    if (ent != ENTRY_MISSING) unlink(p->so_path); /* corrupt (or truncated): rebuild it */
    char *cpath = ptk_xasprintf("%s/%s.%ld.c", dir, hex, (long)getpid());
    char *tmp = ptk_xasprintf("%s/%s.%ld.tmp.so", dir, hex, (long)getpid());
    char *tmp2 = ptk_xasprintf("%s/%s.%ld.tmp2.so", dir, hex, (long)getpid());
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
      } else if (!publish_entry(tmp, tmp2, p->so_path)) {
        ptk_error(d, ptk_range_none(), "cannot write '%s' into the JIT cache: %s", p->so_path, strerror(errno));
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
    free(cpath), free(tmp), free(tmp2), free(log);
    if (!ok) goto fail;
    if (verify_entry(p->so_path) == ENTRY_OK) break;
    ptk_error(d, ptk_range_none(), "the JIT cache entry '%s' changed while it was written", p->so_path);
    goto fail;
  }
  p->so = dlopen(p->so_path, RTLD_NOW | RTLD_LOCAL);
  if (!p->so) {
    ptk_error(d, ptk_range_none(), "cannot load the JIT kernel '%s': %s", p->so_path, dlerror());
    goto fail;
  }
  const unsigned *abi = dlsym(p->so, "ptkj_abi");
  const unsigned *tsz = dlsym(p->so, "ptkj_sizeof_tile");
  p->fn = (ptkj_entry_fn)dlsym(p->so, "ptkj_entry");
  p->fn_peer = p->rt.mixed ? (ptkj_entry_fn)dlsym(p->so, "ptkj_entry_peer") : p->fn;
  if (!abi || !tsz || !p->fn || !p->fn_peer || *abi != PTKJ_ABI_VERSION || *tsz != sizeof(ptk_tile)) {
    ptk_error(d, ptk_range_none(), "the JIT kernel '%s' does not match this ptk (stale cache entry?)",
              p->so_path);
    goto fail;
  }
  if (priv && !(o && o->keep_c)) { /* loaded: the mapping stays valid */
    unlink(p->so_path);
    rmdir(dir);
  }
  free(dir);
  ptk_buf_free(&src);
  return p;
fail:
  if (priv && dir && !(o && o->keep_c)) {
    if (p->so_path) unlink(p->so_path);
    rmdir(dir);
  }
  free(dir);
  ptk_buf_free(&src);
  ptk_jit_free(p);
  return NULL;
}

int ptk_jit_launch(const ptk_func *entry, const ptk_jit_opts *jo, const ptk_launch_opts *o,
                   const ptk_launch_arg *args, size_t nargs, ptk_diags *d) {
  ptk_jit_prog *p = ptk_jit_prepare(entry, jo, d);
  if (!p) return 1;
  int rc = ptk_jit_run(p, o, args, nargs, d);
  ptk_jit_free(p);
  return rc;
}
