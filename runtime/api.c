/* The public C API (runtime/ptk.h): contexts, the kernel cache, launches.
 *
 * A context holds its options and a cache of loaded kernels behind one
 * mutex. A kernel is a loaded module (runtime/kernel.h: trace or read,
 * passes) plus its prepared interpreter (or JIT) program, which is immutable, so
 * launches need no lock. Cache validation is described in ptk.h. */
#include "runtime/ptk.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "lang/version.h"
#include "runtime/interp/interp.h"
#include "runtime/jit/jit.h"
#include "runtime/kernel.h"
#include "runtime/program/program.h"
#include "runtime/cancel.h"
#include "runtime/tensor.h"
#include "lang/sha256.h"

const char *ptk_version(void) { return PTK_VERSION; }

/* The public element types follow runtime/tensor.h's order. */
_Static_assert((int)PTK_F16 == (int)PTK_TD_F16 && (int)PTK_BF16 == (int)PTK_TD_BF16 &&
                   (int)PTK_F32 == (int)PTK_TD_F32 && (int)PTK_F64 == (int)PTK_TD_F64 &&
                   (int)PTK_I8 == (int)PTK_TD_I8 && (int)PTK_I16 == (int)PTK_TD_I16 &&
                   (int)PTK_I32 == (int)PTK_TD_I32 && (int)PTK_I64 == (int)PTK_TD_I64 &&
                   (int)PTK_U8 == (int)PTK_TD_U8 && (int)PTK_U16 == (int)PTK_TD_U16 &&
                   (int)PTK_U32 == (int)PTK_TD_U32 && (int)PTK_U64 == (int)PTK_TD_U64 &&
                   (int)PTK_BOOL == (int)PTK_TD_BOOL && (int)PTK_INDEX == (int)PTK_TD__COUNT,
               "ptk_elem must mirror ptk_tdtype");

/* ---- errors ---------------------------------------------------------------------------------- */

void ptk_err_clear(ptk_err *err) {
  if (!err) return;
  free(err->message);
  err->message = NULL;
  err->code = PTK_OK;
}

static int fail(ptk_err *err, int code, const char *fmt, ...) PTK_PRINTF(3, 4);
static int fail(ptk_err *err, int code, const char *fmt, ...) {
  if (!err) return code;
  free(err->message);
  ptk_buf b = {0};
  ptk_buf_puts(&b, "ptk: error: ");
  va_list ap;
  va_start(ap, fmt);
  ptk_buf_vprintf(&b, fmt, ap);
  va_end(ap);
  ptk_buf_putc(&b, '\n');
  err->code = code;
  err->message = ptk_buf_take(&b);
  return code;
}

/* The rendered diagnostics of d as the error. */
static int fail_diags(ptk_err *err, int code, const ptk_diags *d) {
  if (!err) return code;
  free(err->message);
  ptk_buf b = {0};
  ptk_diags_render(d, &b, false);
  if (!b.len) ptk_buf_puts(&b, "ptk: error: unknown failure\n");
  err->code = code;
  err->message = ptk_buf_take(&b);
  return code;
}

static void ok(ptk_err *err) { ptk_err_clear(err); }

/* ---- element types and tensors ------------------------------------------------------------- */

const char *ptk_elem_name(ptk_elem e) {
  if ((int)e >= 0 && (int)e < (int)PTK_TD__COUNT) return ptk_tdtype_name((ptk_tdtype)e);
  return e == PTK_INDEX ? "index" : "?";
}

size_t ptk_elem_size(ptk_elem e) {
  if ((int)e >= 0 && (int)e < (int)PTK_TD__COUNT) return ptk_tdtype_size((ptk_tdtype)e);
  return e == PTK_INDEX ? 8 : 0;
}

static bool tensor_elem(ptk_elem e) { return (int)e >= 0 && (int)e < (int)PTK_TD__COUNT; }

ptk_tensor *ptk_tensor_new(ptk_elem type, int rank, const int64_t *shape) {
  if (!tensor_elem(type) || rank < 0 || (rank > 0 && !shape)) return NULL;
  char *e = NULL;
  ptk_tensor *t = ptk_tensor_zeros((ptk_tdtype)type, rank, shape, &e);
  free(e);
  return t;
}

ptk_tensor *ptk_tensor_wrap(ptk_elem type, int rank, const int64_t *shape, void *data) {
  if (!tensor_elem(type) || rank < 0 || (rank > 0 && !shape) || !data) return NULL;
  char *e = NULL;
  ptk_tensor *t = ptk_tensor_borrow((ptk_tdtype)type, rank, shape, NULL, data, &e);
  free(e);
  return t;
}

void *ptk_tensor_data(const ptk_tensor *t) { return t ? t->data : NULL; }
ptk_elem ptk_tensor_type(const ptk_tensor *t) { return t ? (ptk_elem)t->dtype : PTK_ELEM_OTHER; }
int ptk_tensor_rank(const ptk_tensor *t) { return t ? t->rank : 0; }
const int64_t *ptk_tensor_shape(const ptk_tensor *t) { return t ? t->shape : NULL; }

/* IR scalar type -> public element type. */
static ptk_elem elem_of(ptk_dtype dt) {
  switch (dt) {
  case PTK_DT_I1: return PTK_BOOL;
  case PTK_DT_I8:
  case PTK_DT_SI8: return PTK_I8;
  case PTK_DT_I16:
  case PTK_DT_SI16: return PTK_I16;
  case PTK_DT_I32:
  case PTK_DT_SI32: return PTK_I32;
  case PTK_DT_I64:
  case PTK_DT_SI64: return PTK_I64;
  case PTK_DT_UI8: return PTK_U8;
  case PTK_DT_UI16: return PTK_U16;
  case PTK_DT_UI32: return PTK_U32;
  case PTK_DT_UI64: return PTK_U64;
  case PTK_DT_INDEX: return PTK_INDEX;
  case PTK_DT_F16: return PTK_F16;
  case PTK_DT_BF16: return PTK_BF16;
  case PTK_DT_F32: return PTK_F32;
  case PTK_DT_F64: return PTK_F64;
  default: return PTK_ELEM_OTHER;
  }
}

/* ---- live handles --------------------------------------------------------------------------- */

/* Every context and kernel handle the library has handed out and not yet
 * freed, in one process-wide set. API calls look a handle up here BEFORE
 * touching it, so a handle used after ptk_close (or a pointer that was
 * never a handle) is reported as an error instead of being dereferenced
 * (a heap use-after-free). The set holds addresses only; a freed address
 * reused by a later handle of the same kind is that new, valid handle. */
enum { LIVE_CTX = 1, LIVE_KERNEL = 2, LIVE_PROG = 3 };
#define STALE_CTX "the context is not open (closed by ptk_close, or not a context)"
#define STALE_KERNEL                                                                               \
  "the kernel is not loaded (its context was closed by ptk_close, or not a kernel)"
#define STALE_PROG                                                                                 \
  "the program is not loaded (freed by ptk_prog_free, its context closed by ptk_close, or not a program)"
typedef struct live_ent {
  const void *p; /* NULL: empty slot */
  int kind;
} live_ent;
static pthread_mutex_t live_mu = PTHREAD_MUTEX_INITIALIZER;
static live_ent *live_tab;
static size_t live_cap, live_n; /* live_cap: 0 or a power of two */

static size_t live_slot(const void *p) {
  uint64_t h = (uint64_t)(uintptr_t)p * 0x9E3779B97F4A7C15ull;
  return (size_t)(h >> 17) & (live_cap - 1);
}

static void live_put(live_ent *tab, size_t cap, live_ent e) {
  size_t mask = cap - 1, i = (size_t)(((uint64_t)(uintptr_t)e.p * 0x9E3779B97F4A7C15ull) >> 17) & mask;
  while (tab[i].p) i = (i + 1) & mask;
  tab[i] = e;
}

static void live_add(const void *p, int kind) {
  pthread_mutex_lock(&live_mu);
  if ((live_n + 1) * 2 > live_cap) {
    size_t cap = live_cap ? live_cap * 2 : 64;
    live_ent *tab = ptk_xcalloc(cap, sizeof *tab);
    for (size_t i = 0; i < live_cap; i++)
      if (live_tab[i].p) live_put(tab, cap, live_tab[i]);
    free(live_tab);
    live_tab = tab;
    live_cap = cap;
  }
  live_put(live_tab, live_cap, (live_ent){p, kind});
  live_n++;
  pthread_mutex_unlock(&live_mu);
}

/* The slot of p with that kind, or SIZE_MAX. Call with live_mu held. */
static size_t live_find(const void *p, int kind) {
  if (!p || !live_cap) return SIZE_MAX;
  for (size_t i = live_slot(p); live_tab[i].p; i = (i + 1) & (live_cap - 1))
    if (live_tab[i].p == p) return live_tab[i].kind == kind ? i : SIZE_MAX;
  return SIZE_MAX;
}

static bool live_has(const void *p, int kind) {
  pthread_mutex_lock(&live_mu);
  bool r = live_find(p, kind) != SIZE_MAX;
  pthread_mutex_unlock(&live_mu);
  return r;
}

/* Removes p; false when it was not there (already freed, or not a handle). */
static bool live_del(const void *p, int kind) {
  pthread_mutex_lock(&live_mu);
  size_t i = live_find(p, kind);
  bool found = i != SIZE_MAX;
  if (found) {
    /* Backward-shift deletion keeps every probe chain unbroken. */
    size_t mask = live_cap - 1;
    for (size_t j = (i + 1) & mask; live_tab[j].p; j = (j + 1) & mask) {
      size_t home = live_slot(live_tab[j].p);
      if (((j - home) & mask) >= ((j - i) & mask)) {
        live_tab[i] = live_tab[j];
        i = j;
      }
    }
    live_tab[i] = (live_ent){NULL, 0};
    if (--live_n == 0) { /* nothing live: give the table back */
      free(live_tab);
      live_tab = NULL;
      live_cap = 0;
    }
  }
  pthread_mutex_unlock(&live_mu);
  return found;
}

/* ---- contexts ------------------------------------------------------------------------------ */

/* A file a kernel was built from, as last seen. */
typedef struct dep {
  char *path;
  dev_t dev;
  ino_t ino;
  off_t size;
  struct timespec mtime;
  bool racy; /* modified too recently for its timestamp to be trusted: hash on every check */
  char sha[65]; /* "" forces a reload */
} dep;

struct ptk_kernel {
  ptk_ctx *ctx;
  ptk_loaded *ld;
  ptk_source *src; /* ptk_load_string: the text (IR locations point into it) */
  ptk_interp_prog *prog;
  ptk_jit_prog *jprog; /* instead of prog when the context's engine is the JIT */
  ptk_param *params;
  size_t nparams, nouts;
  dep *deps;
  size_t ndeps;
  ptk_rt_cancel cancel; /* ptk_cancel stops the launches registered here */
};

typedef struct centry {
  char *key; /* kind, path, kernel, sorted bindings */
  size_t keylen;
  uint64_t hash;
  char *text; /* ptk_load_string: the exact text */
  size_t textlen;
  ptk_kernel *k;
} centry;

struct ptk_ctx {
  pthread_mutex_t mu;
  uint32_t threads;
  char *target;
  bool poison;
  bool jit;
  FILE *print;
  _Atomic double timeout; /* ptk_set_timeout; 0: none */
  char **incs;
  size_t ninc;
  char *stdlib;
  ptk_trace_opts topts;
  PTK_VEC(centry) cache;
  PTK_VEC(ptk_kernel *) retired; /* replaced by a reload; freed by ptk_close */
  PTK_VEC(ptk_prog *) progs;
};

struct ptk_prog {
  ptk_ctx *ctx;
  ptk_program *p;
  ptk_source *src; /* ptk_prog_load_string: the text */
  ptk_prog_param *params;
  size_t nouts;
  pthread_mutex_t mu; /* one run at a time */
};

static void prog_free(ptk_prog *g);

ptk_ctx *ptk_open(const ptk_options *opt, ptk_err *err) {
  if (opt && opt->target && strcmp(opt->target, "a3") && strcmp(opt->target, "a5")) {
    fail(err, PTK_ERR_ARG, "ptk_open: target must be \"a3\" or \"a5\", got \"%s\"", opt->target);
    return NULL;
  }
  if (opt && opt->engine && strcmp(opt->engine, "interp") && strcmp(opt->engine, "jit")) {
    fail(err, PTK_ERR_ARG, "ptk_open: engine must be \"interp\" or \"jit\", got \"%s\"", opt->engine);
    return NULL;
  }
  if (opt && opt->ninclude && !opt->include_dirs) {
    fail(err, PTK_ERR_ARG, "ptk_open: ninclude is %zu but include_dirs is NULL", opt->ninclude);
    return NULL;
  }
  ptk_ctx *c = ptk_xcalloc(1, sizeof *c);
  pthread_mutex_init(&c->mu, NULL);
  if (opt) {
    c->threads = opt->threads;
    c->target = opt->target ? ptk_xstrdup(opt->target) : NULL;
    c->poison = opt->poison;
    c->jit = opt->engine && !strcmp(opt->engine, "jit");
    c->print = opt->print;
    c->ninc = opt->ninclude;
    c->incs = ptk_xcalloc(c->ninc + 1, sizeof *c->incs);
    for (size_t i = 0; i < c->ninc; i++)
      c->incs[i] = ptk_xstrdup(opt->include_dirs[i] ? opt->include_dirs[i] : ".");
    c->stdlib = opt->stdlib_dir ? ptk_xstrdup(opt->stdlib_dir) : NULL;
  }
  c->topts.include_dirs = (const char *const *)c->incs;
  c->topts.ninclude = c->ninc;
  c->topts.stdlib_dir = c->stdlib;
  live_add(c, LIVE_CTX);
  ok(err);
  return c;
}

static void kernel_free(ptk_kernel *k) {
  if (!k) return;
  live_del(k, LIVE_KERNEL);
  ptk_interp_free(k->prog);
  ptk_jit_free(k->jprog);
  ptk_loaded_free(k->ld);
  ptk_source_free(k->src);
  for (size_t i = 0; i < k->ndeps; i++) free(k->deps[i].path);
  free(k->deps);
  free(k->params);
  ptk_rt_cancel_fini(&k->cancel);
  free(k);
}

void ptk_close(ptk_ctx *c) {
  if (!live_del(c, LIVE_CTX)) return; /* NULL, already closed, or not a context */
  for (size_t i = 0; i < c->cache.len; i++) {
    free(c->cache.data[i].key);
    free(c->cache.data[i].text);
    kernel_free(c->cache.data[i].k);
  }
  ptk_vec_free(&c->cache);
  for (size_t i = 0; i < c->retired.len; i++) kernel_free(c->retired.data[i]);
  ptk_vec_free(&c->retired);
  for (size_t i = 0; i < c->progs.len; i++) prog_free(c->progs.data[i]);
  ptk_vec_free(&c->progs);
  for (size_t i = 0; i < c->ninc; i++) free(c->incs[i]);
  free(c->incs);
  free(c->stdlib);
  free(c->target);
  pthread_mutex_destroy(&c->mu);
  free(c);
}

/* ---- dependency tracking ------------------------------------------------------------------- */

static bool hash_file(const char *path, char hex[65]) {
  size_t len;
  char *text = ptk_read_file(path, &len);
  if (!text) return false;
  ptk_sha256_hex(text, len, hex);
  free(text);
  return true;
}

/* A timestamp within ~2 s of now may be followed by a same-size edit that
 * leaves it unchanged (coarse filesystem clocks). */
static bool recent(const struct timespec *mtime) {
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  return now.tv_sec - mtime->tv_sec < 2;
}

static void set_stat(dep *p, const struct stat *st) {
  p->dev = st->st_dev;
  p->ino = st->st_ino;
  p->size = st->st_size;
  p->mtime = st->st_mtim;
  p->racy = recent(&p->mtime);
}

/* stat, then hash: a change in between shows up as a newer timestamp next time. */
static void record_dep(dep *p, const char *path) {
  memset(p, 0, sizeof *p);
  p->path = ptk_xstrdup(path);
  struct stat st;
  if (stat(path, &st) != 0 || !hash_file(path, p->sha)) {
    p->sha[0] = 0;
    return;
  }
  set_stat(p, &st);
}

/* True when the file still has the content it was built from. */
static bool dep_fresh(dep *p) {
  if (!p->sha[0]) return false;
  struct stat st;
  if (stat(p->path, &st) != 0) return false;
  if (!p->racy && st.st_dev == p->dev && st.st_ino == p->ino && st.st_size == p->size &&
      st.st_mtim.tv_sec == p->mtime.tv_sec && st.st_mtim.tv_nsec == p->mtime.tv_nsec)
    return true;
  char hex[65];
  if (!hash_file(p->path, hex) || strcmp(hex, p->sha)) return false;
  set_stat(p, &st);
  return true;
}

static bool deps_fresh(ptk_kernel *k) {
  for (size_t i = 0; i < k->ndeps; i++)
    if (!dep_fresh(&k->deps[i])) return false;
  return true;
}

/* Records the kernel's files and checks that their hashes are those of the
 * text it was built from (a file edited while it was being loaded must
 * make the next load rebuild). */
static void record_deps(ptk_kernel *k, const char *text, size_t textlen) {
  size_t n;
  const char *const *paths = ptk_loaded_deps(k->ld, &n);
  k->deps = ptk_xcalloc(n + 1, sizeof *k->deps);
  k->ndeps = n;
  for (size_t i = 0; i < n; i++) record_dep(&k->deps[i], paths[i]);
  bool consistent = true;
  const ptk_trace_info *in = ptk_loaded_trace_info(k->ld);
  if (in) {
    /* The tracer's ptk_sha256 hashes the hex digests of the .ptk units in
     * load order (deps order, the kernel's own file first); a source file,
     * if any, is the last dependency. */
    size_t nsrc = in->source_backed && in->source_resolved ? 1 : 0;
    size_t nunits_files = n >= nsrc ? n - nsrc : 0;
    ptk_sha256 s;
    uint8_t dig[32];
    char hex[65];
    ptk_sha256_init(&s);
    if (text) {
      ptk_sha256_hex(text, textlen, hex);
      ptk_sha256_update(&s, hex, 64);
    }
    for (size_t i = 0; i < nunits_files; i++) ptk_sha256_update(&s, k->deps[i].sha, 64);
    ptk_sha256_final(&s, dig);
    for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", dig[i]);
    if (!in->ptk_sha256 || strcmp(hex, in->ptk_sha256)) consistent = false;
    if (nsrc && (!in->source_sha256 || strcmp(k->deps[n - 1].sha, in->source_sha256)))
      consistent = false;
  } else if (n == 1) {
    const char *key = ptk_loaded_key(k->ld);
    const char *h = key ? strstr(key, "sha256=") : NULL;
    if (!h || strcmp(h + 7, k->deps[0].sha)) consistent = false;
  }
  if (!consistent)
    for (size_t i = 0; i < n; i++) k->deps[i].sha[0] = 0;
}

/* ---- loading ------------------------------------------------------------------------------- */

static int cmp_const(const void *a, const void *b) {
  const ptk_const *x = *(const ptk_const *const *)a, *y = *(const ptk_const *const *)b;
  int r = strcmp(x->name, y->name);
  return r ? r : strcmp(x->value, y->value);
}

static uint64_t fnv1a(const char *s, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
  return h;
}

/* kind \x1f path \x1f kernel \x1f name=value \x1e … (bindings sorted). */
static void cache_key(ptk_buf *b, char kind, const char *path, const char *kernel,
                      const ptk_const *consts, size_t n) {
  ptk_buf_putc(b, kind);
  ptk_buf_putc(b, 0x1f);
  ptk_buf_puts(b, path);
  ptk_buf_putc(b, 0x1f);
  if (kernel) ptk_buf_puts(b, kernel);
  ptk_buf_putc(b, 0x1f);
  if (n == 1) {
    ptk_buf_printf(b, "%s=%s", consts[0].name, consts[0].value);
  } else if (n > 1) {
    const ptk_const *stack[16];
    const ptk_const **v = n <= 16 ? stack : ptk_xmalloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++) v[i] = &consts[i];
    qsort(v, n, sizeof *v, cmp_const);
    for (size_t i = 0; i < n; i++) ptk_buf_printf(b, "%s%s=%s", i ? "\x1e" : "", v[i]->name, v[i]->value);
    if (v != stack) free(v);
  }
}

static centry *cache_find(ptk_ctx *c, const char *key, size_t len, uint64_t h) {
  for (size_t i = 0; i < c->cache.len; i++) {
    centry *e = &c->cache.data[i];
    if (e->hash == h && e->keylen == len && !memcmp(e->key, key, len)) return e;
  }
  return NULL;
}

static void cache_drop(ptk_ctx *c, centry *e) {
  ptk_vec_push(&c->retired, e->k);
  free(e->key);
  free(e->text);
  *e = c->cache.data[--c->cache.len];
}

static ptk_dir dir_of(ptk_arg_dir d) {
  switch (d) {
  case PTK_ARGDIR_OUT: return PTK_OUT;
  case PTK_ARGDIR_INOUT: return PTK_INOUT;
  case PTK_ARGDIR_UNUSED: return PTK_UNUSED;
  default: return PTK_IN;
  }
}

static ptk_kernel *build_kernel(ptk_ctx *c, const char *path, const char *text, size_t textlen,
                                const char *kernel, const ptk_const *consts, size_t nconsts,
                                ptk_err *err) {
  ptk_diags *d = ptk_diags_new();
  ptk_kernel *k = ptk_xcalloc(1, sizeof *k);
  k->ctx = c;
  ptk_rt_cancel_init(&k->cancel, false);
  if (text) {
    k->src = ptk_source_from_string(path, text, textlen);
    if (!k->src) {
      fail(err, PTK_ERR_ARG, "%s: the text is larger than 1 GiB", path);
      goto bad;
    }
  }
  ptk_const_binding *b = ptk_xcalloc(nconsts + 1, sizeof *b);
  for (size_t i = 0; i < nconsts; i++) b[i] = (ptk_const_binding){consts[i].name, consts[i].value};
  k->ld = ptk_kernel_load(path, k->src, kernel, b, nconsts, &c->topts, d);
  free(b);
  if (!k->ld) {
    struct stat st;
    bool io = !text && (stat(path, &st) != 0 || !S_ISREG(st.st_mode));
    fail_diags(err, io ? PTK_ERR_IO : PTK_ERR_COMPILE, d);
    goto bad;
  }
  if (c->jit)
    k->jprog = ptk_jit_prepare(ptk_loaded_entry(k->ld), NULL, d);
  else
    k->prog = ptk_interp_prepare(ptk_loaded_entry(k->ld), d);
  if (!k->prog && !k->jprog) {
    fail_diags(err, PTK_ERR_COMPILE, d);
    goto bad;
  }
  const ptk_abi *abi = ptk_loaded_abi(k->ld);
  k->nparams = abi->nparams;
  k->params = ptk_xcalloc(k->nparams + 1, sizeof *k->params);
  for (size_t i = 0; i < k->nparams; i++) {
    const ptk_abi_param *p = &abi->params[i];
    k->params[i].name = p->name;
    k->params[i].is_tensor = p->is_ptr;
    k->params[i].type = p->known ? elem_of(p->dtype) : PTK_ELEM_OTHER;
    k->params[i].dir = p->is_ptr ? dir_of(p->dir) : PTK_IN;
    if (k->params[i].dir == PTK_OUT) k->nouts++;
  }
  record_deps(k, text, textlen);
  ptk_diags_free(d);
  live_add(k, LIVE_KERNEL);
  return k;
bad:
  ptk_diags_free(d);
  kernel_free(k);
  return NULL;
}

static ptk_kernel *load(ptk_ctx *c, char kind, const char *path, const char *text, size_t textlen,
                        const char *kernel, const ptk_const *consts, size_t nconsts, ptk_err *err) {
  for (size_t i = 0; i < nconsts; i++)
    if (!consts[i].name || !consts[i].value) {
      fail(err, PTK_ERR_ARG, "const binding %zu has a NULL name or value", i + 1);
      return NULL;
    }
  ptk_buf key = {0};
  cache_key(&key, kind, path, kernel, consts, nconsts);
  uint64_t h = fnv1a(key.data, key.len);
  pthread_mutex_lock(&c->mu);
  centry *e = cache_find(c, key.data, key.len, h);
  ptk_kernel *k = NULL;
  if (e && (!text || (e->textlen == textlen && !memcmp(e->text, text, textlen))) &&
      deps_fresh(e->k)) {
    k = e->k;
    ok(err);
    goto out;
  }
  if (e) cache_drop(c, e); /* stale: rebuild (the old kernel stays valid until ptk_close) */
  k = build_kernel(c, path, text, textlen, kernel, consts, nconsts, err);
  if (!k) goto out;
  centry ne = {0};
  ne.keylen = key.len;
  ne.key = ptk_buf_take(&key);
  ne.hash = h;
  ne.k = k;
  if (text) {
    ne.text = ptk_xmalloc(textlen + 1);
    memcpy(ne.text, text, textlen);
    ne.text[textlen] = 0;
    ne.textlen = textlen;
  }
  ptk_vec_push(&c->cache, ne);
  ok(err);
out:
  pthread_mutex_unlock(&c->mu);
  ptk_buf_free(&key);
  return k;
}

ptk_kernel *ptk_load_file(ptk_ctx *c, const char *path, const char *kernel, const ptk_const *consts,
                          size_t nconsts, ptk_err *err) {
  if (!c || !path || (nconsts && !consts)) {
    fail(err, PTK_ERR_ARG, "ptk_load_file: %s is NULL", !c ? "the context" : !path ? "the path" : "consts");
    return NULL;
  }
  if (!live_has(c, LIVE_CTX)) {
    fail(err, PTK_ERR_ARG, "ptk_load_file: " STALE_CTX);
    return NULL;
  }
  return load(c, 'F', path, NULL, 0, kernel, consts, nconsts, err);
}

ptk_kernel *ptk_load_string(ptk_ctx *c, const char *text, const char *virtual_path,
                            const char *kernel, const ptk_const *consts, size_t nconsts,
                            ptk_err *err) {
  if (!c || !text || !virtual_path || (nconsts && !consts)) {
    fail(err, PTK_ERR_ARG, "ptk_load_string: %s is NULL",
         !c ? "the context" : !text ? "the text" : !virtual_path ? "the virtual path" : "consts");
    return NULL;
  }
  if (!live_has(c, LIVE_CTX)) {
    fail(err, PTK_ERR_ARG, "ptk_load_string: " STALE_CTX);
    return NULL;
  }
  return load(c, 'S', virtual_path, text, strlen(text), kernel, consts, nconsts, err);
}

/* ---- introspection ------------------------------------------------------------------------- */

/* Stale handles (context closed) read as NULL, like a NULL handle. */
const char *ptk_kernel_name(const ptk_kernel *k) {
  return live_has(k, LIVE_KERNEL) ? ptk_loaded_entry(k->ld)->name : NULL;
}
size_t ptk_kernel_nparams(const ptk_kernel *k) { return live_has(k, LIVE_KERNEL) ? k->nparams : 0; }
const ptk_param *ptk_kernel_param(const ptk_kernel *k, size_t i) {
  return live_has(k, LIVE_KERNEL) && i < k->nparams ? &k->params[i] : NULL;
}

/* ---- launching ----------------------------------------------------------------------------- */

static ptk_range param_range(const ptk_kernel *k, size_t i) {
  return ptk_loaded_abi(k->ld)->params[i].range;
}

static void list_params(const ptk_kernel *k, ptk_diags *d, bool inputs_only) {
  const ptk_abi *abi = ptk_loaded_abi(k->ld);
  for (size_t i = 0; i < k->nparams; i++) {
    if (inputs_only && k->params[i].dir == PTK_OUT) continue;
    char *ts = ptk_type_str(abi->params[i].type);
    ptk_note(d, param_range(k, i), "parameter %zu: '%s' of type %s%s", i + 1, k->params[i].name, ts,
             k->params[i].dir == PTK_OUT ? " (out)" : "");
    free(ts);
  }
}

/* Checks args (one per parameter) and converts them. -1 with errors in d. */
static int bind(const ptk_kernel *k, const ptk_arg *args, bool skip_outs, ptk_launch_arg *la,
                ptk_diags *d) {
  const ptk_abi *abi = ptk_loaded_abi(k->ld);
  int errs = 0;
  for (size_t i = 0; i < k->nparams; i++) {
    const ptk_param *p = &k->params[i];
    const ptk_arg *a = &args[i];
    char *ts = ptk_type_str(abi->params[i].type);
    memset(&la[i], 0, sizeof la[i]);
    if (skip_outs && p->dir == PTK_OUT) {
      la[i].kind = PTK_ARG_TENSOR; /* allocated by ptk_call */
    } else if (p->is_tensor) {
      if (!a->tensor) {
        ptk_error(d, param_range(k, i), "argument %zu ('%s'): expected a tensor for parameter type %s, got a scalar",
                  i + 1, p->name, ts);
        errs++;
      } else if (p->type != PTK_ELEM_OTHER &&
                 ptk_tdtype_size(a->tensor->dtype) != ptk_elem_size(p->type)) {
        ptk_error(d, param_range(k, i),
                  "argument %zu ('%s'): a %s tensor (%zu-byte elements) cannot be bound to %s",
                  i + 1, p->name, ptk_tdtype_name(a->tensor->dtype), ptk_tdtype_size(a->tensor->dtype),
                  ts);
        errs++;
      } else if (!ptk_tensor_is_contiguous(a->tensor)) {
        ptk_error(d, param_range(k, i), "argument %zu ('%s'): the tensor must be C-contiguous", i + 1,
                  p->name);
        errs++;
      }
      la[i].kind = PTK_ARG_TENSOR;
      la[i].tensor = a->tensor;
    } else if (abi->params[i].type->kind == PTK_TY_SCALAR) {
      if (a->tensor) {
        ptk_error(d, param_range(k, i), "argument %zu ('%s'): expected a scalar of type %s, got a tensor",
                  i + 1, p->name, ts);
        errs++;
      } else if ((int)a->type < 0 || (int)a->type > (int)PTK_INDEX) {
        ptk_error(d, param_range(k, i),
                  "argument %zu ('%s'): no value given (a scalar argument needs a type: use "
                  "ptk_arg_int / ptk_arg_float / ptk_arg_bool)",
                  i + 1, p->name);
        errs++;
      }
      bool fl = a->type == PTK_F16 || a->type == PTK_BF16 || a->type == PTK_F32 || a->type == PTK_F64;
      la[i].kind = PTK_ARG_SCALAR;
      la[i].dt = fl ? PTK_DT_F64 : PTK_DT_I64;
      la[i].i = a->i;
      la[i].f = a->f;
    } else {
      ptk_error(d, param_range(k, i), "argument %zu ('%s'): parameters of type %s cannot be launched",
                i + 1, p->name, ts);
      errs++;
    }
    free(ts);
  }
  return errs ? -1 : 0;
}

static int run(ptk_kernel *k, uint32_t blocks, const ptk_launch_arg *la, ptk_diags *d, ptk_err *err) {
  ptk_launch_opts o;
  memset(&o, 0, sizeof o);
  o.blocks = blocks ? blocks : 1;
  o.threads = k->ctx->threads;
  o.target = k->ctx->target;
  o.poison = k->ctx->poison;
  o.out = k->ctx->print;
  o.timeout = k->ctx->timeout;
  o.cancel = &k->cancel;
  const ptk_abi *abi = ptk_loaded_abi(k->ld);
  if (abi->decl.begin.src) { /* source-backed: errors name the .ptk kernel */
    o.kernel = abi->kernel;
    o.decl = abi->decl;
  }
  int rc = k->jprog ? ptk_jit_run(k->jprog, &o, la, k->nparams, d)
                    : ptk_interp_run(k->prog, &o, la, k->nparams, d);
  if (rc)
    return fail_diags(err, rc == PTK_RT_NOMEM ? PTK_ERR_NOMEM : rc == PTK_RT_STOPPED ? PTK_ERR_STOPPED
                                                                                      : PTK_ERR_LAUNCH,
                      d);
  ok(err);
  return PTK_OK;
}

int ptk_cancel(ptk_kernel *k, ptk_err *err) {
  if (!k) return fail(err, PTK_ERR_ARG, "ptk_cancel: the kernel is NULL");
  if (!live_has(k, LIVE_KERNEL)) return fail(err, PTK_ERR_ARG, "ptk_cancel: " STALE_KERNEL);
  ptk_rt_cancel_all(&k->cancel, PTK_STOP_CANCELLED);
  ok(err);
  return PTK_OK;
}

int ptk_set_timeout(ptk_ctx *c, double seconds, ptk_err *err) {
  if (!c) return fail(err, PTK_ERR_ARG, "ptk_set_timeout: the context is NULL");
  if (!live_has(c, LIVE_CTX)) return fail(err, PTK_ERR_ARG, "ptk_set_timeout: " STALE_CTX);
  if (!(seconds >= 0) || !isfinite(seconds))
    return fail(err, PTK_ERR_ARG, "ptk_set_timeout: seconds must be a finite number >= 0, got %g", seconds);
  c->timeout = seconds;
  ok(err);
  return PTK_OK;
}

int ptk_launch(ptk_kernel *k, uint32_t blocks, const ptk_arg *args, size_t nargs, ptk_err *err) {
  if (!k) return fail(err, PTK_ERR_ARG, "ptk_launch: the kernel is NULL");
  if (!live_has(k, LIVE_KERNEL)) return fail(err, PTK_ERR_ARG, "ptk_launch: " STALE_KERNEL);
  if (nargs && !args) return fail(err, PTK_ERR_ARG, "ptk_launch: args is NULL");
  ptk_diags *d = ptk_diags_new();
  ptk_launch_arg stack[16];
  ptk_launch_arg *la = k->nparams <= 16 ? stack : ptk_xcalloc(k->nparams, sizeof *la);
  int rc;
  if (nargs != k->nparams) {
    ptk_error(d, ptk_range_at(ptk_loaded_entry(k->ld)->loc, 1), "kernel '%s' takes %zu argument%s, got %zu",
              ptk_loaded_abi(k->ld)->kernel, k->nparams, k->nparams == 1 ? "" : "s", nargs);
    list_params(k, d, false);
    rc = fail_diags(err, PTK_ERR_ARG, d);
  } else if (bind(k, args, false, la, d)) {
    rc = fail_diags(err, PTK_ERR_ARG, d);
  } else {
    rc = run(k, blocks, la, d, err);
  }
  if (la != stack) free(la);
  ptk_diags_free(d);
  return rc;
}

/* ---- return style: shapes of out tensors ---------------------------------------------------- */

/* Integer value of v from constants and the scalar arguments. */
static bool eval_int(const ptk_func *f, const ptk_value *v, const ptk_launch_arg *la, int depth,
                     int64_t *out) {
  if (!v || depth > 64) return false;
  if (!v->def) {
    if (v->block != ptk_func_entry(f) || v->index >= f->nargs) return false;
    const ptk_launch_arg *a = &la[v->index];
    if (a->kind != PTK_ARG_SCALAR || a->dt != PTK_DT_I64) return false;
    *out = a->i;
    return true;
  }
  const ptk_op *op = v->def;
  int64_t x = 0, y = 0;
  switch (op->kind) {
  case PTK_OP_ARITH_CONSTANT: return ptk_attr_get_int(ptk_op_attr(op, "value"), out);
  case PTK_OP_ARITH_INDEX_CAST:
  case PTK_OP_ARITH_INDEX_CASTUI:
  case PTK_OP_ARITH_EXTSI:
  case PTK_OP_ARITH_EXTUI:
  case PTK_OP_ARITH_TRUNCI: return op->noperands == 1 && eval_int(f, op->operands[0], la, depth + 1, out);
  case PTK_OP_ARITH_ADDI:
  case PTK_OP_ARITH_SUBI:
  case PTK_OP_ARITH_MULI:
  case PTK_OP_ARITH_DIVSI:
  case PTK_OP_ARITH_DIVUI:
  case PTK_OP_ARITH_CEILDIVSI:
  case PTK_OP_ARITH_CEILDIVUI:
  case PTK_OP_ARITH_FLOORDIVSI:
  case PTK_OP_ARITH_REMSI:
  case PTK_OP_ARITH_REMUI:
  case PTK_OP_ARITH_MINSI:
  case PTK_OP_ARITH_MAXSI:
  case PTK_OP_ARITH_MINUI:
  case PTK_OP_ARITH_MAXUI:
    if (op->noperands != 2 || !eval_int(f, op->operands[0], la, depth + 1, &x) ||
        !eval_int(f, op->operands[1], la, depth + 1, &y))
      return false;
    break;
  default: return false;
  }
  const int64_t lim = (int64_t)1 << 40; /* shapes: keep every step far from overflow */
  if (x < -lim || x > lim || y < -lim || y > lim) return false;
  switch (op->kind) {
  case PTK_OP_ARITH_ADDI: *out = x + y; return true;
  case PTK_OP_ARITH_SUBI: *out = x - y; return true;
  case PTK_OP_ARITH_MULI:
    if (x && (y > lim / (x < 0 ? -x : x) || y < -lim / (x < 0 ? -x : x))) return false;
    *out = x * y;
    return true;
  case PTK_OP_ARITH_MINSI:
  case PTK_OP_ARITH_MINUI: *out = x < y ? x : y; return true;
  case PTK_OP_ARITH_MAXSI:
  case PTK_OP_ARITH_MAXUI: *out = x > y ? x : y; return true;
  default: break;
  }
  if (y == 0) return false;
  switch (op->kind) {
  case PTK_OP_ARITH_DIVSI:
  case PTK_OP_ARITH_DIVUI: *out = x / y; return true;
  case PTK_OP_ARITH_REMSI:
  case PTK_OP_ARITH_REMUI: *out = x % y; return true;
  case PTK_OP_ARITH_CEILDIVSI:
  case PTK_OP_ARITH_CEILDIVUI: *out = x / y + ((x % y != 0) && ((x < 0) == (y < 0))); return true;
  case PTK_OP_ARITH_FLOORDIVSI: *out = x / y - ((x % y != 0) && ((x < 0) != (y < 0))); return true;
  default: return false;
  }
}

typedef struct shape_search {
  const ptk_func *f;
  const ptk_value *param;
  const ptk_launch_arg *la;
  int64_t best_extent; /* -1: no evaluable view yet */
  int rank;
  int64_t shape[PTK_TENSOR_MAX_RANK];
  const ptk_op *unevaluated; /* first view that could not be evaluated */
} shape_search;

static bool find_views(ptk_op *op, void *ctx) {
  shape_search *s = ctx;
  if (op->kind != PTK_OP_MAKE_TENSOR_VIEW || op->noperands < 1 || op->operands[0] != s->param) return true;
  uint32_t ns = 0, nt = 0;
  ptk_value **sh = ptk_op_segment(op, 1, &ns), **st = ptk_op_segment(op, 2, &nt);
  if (!sh || ns == 0 || ns > PTK_TENSOR_MAX_RANK || nt != ns) {
    if (!s->unevaluated) s->unevaluated = op;
    return true;
  }
  int64_t dims[PTK_TENSOR_MAX_RANK], strides[PTK_TENSOR_MAX_RANK];
  for (uint32_t i = 0; i < ns; i++)
    if (!eval_int(s->f, sh[i], s->la, 0, &dims[i]) || !eval_int(s->f, st[i], s->la, 0, &strides[i]) ||
        dims[i] < 0 || strides[i] < 0) {
      if (!s->unevaluated) s->unevaluated = op;
      return true;
    }
  int64_t extent = 1, expect = 1;
  bool rowmajor = true, empty = false, overflow = false;
  for (uint32_t i = ns; i-- > 0;) {
    int64_t span;
    if (dims[i] == 0) empty = true;
    overflow |= __builtin_mul_overflow(dims[i] ? dims[i] - 1 : 0, strides[i], &span) ||
                __builtin_add_overflow(extent, span, &extent);
    if (dims[i] > 1 && strides[i] != expect) rowmajor = false;
    overflow |= __builtin_mul_overflow(expect, dims[i] ? dims[i] : 1, &expect);
  }
  if (overflow) {
    if (!s->unevaluated) s->unevaluated = op;
    return true;
  }
  if (empty) extent = 0;
  if (extent <= s->best_extent) return true;
  s->best_extent = extent;
  if (rowmajor && !empty) {
    s->rank = (int)ns;
    memcpy(s->shape, dims, ns * sizeof *dims);
  } else {
    s->rank = 1;
    s->shape[0] = extent;
  }
  return true;
}

/* Rule 2: a view of an input tensor with exactly the same shape operands. */
typedef struct same_search {
  const ptk_op *view;
  const ptk_func *f;
  const ptk_launch_arg *la;
  const ptk_tensor *found;
} same_search;

static bool find_same(ptk_op *op, void *ctx) {
  same_search *s = ctx;
  if (op->kind != PTK_OP_MAKE_TENSOR_VIEW || op == s->view || op->noperands < 1) return true;
  const ptk_value *src = op->operands[0];
  if (src->def || src->block != ptk_func_entry(s->f) || src->index >= s->f->nargs) return true;
  const ptk_launch_arg *a = &s->la[src->index];
  if (a->kind != PTK_ARG_TENSOR || !a->tensor) return true;
  uint32_t n1 = 0, n2 = 0;
  ptk_value **s1 = ptk_op_segment(s->view, 1, &n1), **s2 = ptk_op_segment(op, 1, &n2);
  if (n1 != n2 || !n1) return true;
  for (uint32_t i = 0; i < n1; i++)
    if (s1[i] != s2[i]) return true;
  s->found = a->tensor;
  return false;
}

int ptk_call(ptk_kernel *k, uint32_t blocks, const ptk_arg *inputs, size_t ninputs, ptk_tensor **outs,
             size_t nouts, ptk_err *err) {
  if (outs)
    for (size_t i = 0; i < nouts; i++) outs[i] = NULL;
  if (!k) return fail(err, PTK_ERR_ARG, "ptk_call: the kernel is NULL");
  if (!live_has(k, LIVE_KERNEL)) return fail(err, PTK_ERR_ARG, "ptk_call: " STALE_KERNEL);
  if (ninputs && !inputs) return fail(err, PTK_ERR_ARG, "ptk_call: inputs is NULL");
  if (nouts && !outs) return fail(err, PTK_ERR_ARG, "ptk_call: outs is NULL");
  const ptk_abi *abi = ptk_loaded_abi(k->ld);
  ptk_func *f = ptk_loaded_entry(k->ld);
  ptk_diags *d = ptk_diags_new();
  size_t nin = k->nparams - k->nouts;
  int rc = PTK_OK;
  ptk_arg *full = ptk_xcalloc(k->nparams + 1, sizeof *full);
  ptk_launch_arg *la = ptk_xcalloc(k->nparams + 1, sizeof *la);
  if (ninputs != nin || nouts != k->nouts) {
    ptk_error(d, ptk_range_at(f->loc, 1),
              "kernel '%s' takes %zu input%s and returns %zu out tensor%s (ptk_call), got %zu and %zu",
              abi->kernel, nin, nin == 1 ? "" : "s", k->nouts, k->nouts == 1 ? "" : "s", ninputs, nouts);
    list_params(k, d, false);
    rc = fail_diags(err, PTK_ERR_ARG, d);
    goto done;
  }
  /* Inputs first (the shapes may depend on scalar inputs). */
  for (size_t i = 0, j = 0; i < k->nparams; i++) {
    if (k->params[i].dir == PTK_OUT) continue;
    full[i] = inputs[j++];
  }
  if (bind(k, full, true, la, d)) {
    rc = fail_diags(err, PTK_ERR_ARG, d);
    goto done;
  }
  for (size_t i = 0, o = 0; i < k->nparams; i++) {
    if (k->params[i].dir != PTK_OUT) continue;
    la[i].tensor = NULL;
    shape_search s = {f, ptk_func_arg(f, (uint32_t)i), la, -1, 0, {0}, NULL};
    ptk_walk_func(f, find_views, &s);
    if (s.best_extent < 0 && s.unevaluated) {
      same_search ss = {s.unevaluated, f, la, NULL};
      ptk_walk_func(f, find_same, &ss);
      if (ss.found) {
        s.best_extent = ptk_tensor_numel(ss.found);
        s.rank = ss.found->rank;
        memcpy(s.shape, ss.found->shape, sizeof s.shape);
      }
    }
    if (s.best_extent < 0 || !tensor_elem(k->params[i].type)) {
      ptk_error(d, param_range(k, i),
                "ptk_call: cannot tell the shape of out parameter '%s' (%s); allocate it yourself "
                "and use ptk_launch",
                k->params[i].name,
                !tensor_elem(k->params[i].type) ? "its element type has no tensor type"
                : s.unevaluated ? "its make_tensor_view shape depends on values not known before the launch"
                                : "no make_tensor_view of it");
      rc = fail_diags(err, PTK_ERR_UNSUPPORTED, d);
      goto done;
    }
    outs[o] = ptk_tensor_new(k->params[i].type, s.rank, s.shape);
    if (!outs[o]) {
      rc = fail(err, PTK_ERR_ARG, "ptk_call: out parameter '%s' would be too large", k->params[i].name);
      goto done;
    }
    la[i].tensor = outs[o++];
  }
  rc = run(k, blocks, la, d, err);
done:
  if (rc != PTK_OK && outs)
    for (size_t i = 0; i < nouts; i++) {
      ptk_tensor_free(outs[i]);
      outs[i] = NULL;
    }
  free(full);
  free(la);
  ptk_diags_free(d);
  return rc;
}

/* ---- programs ------------------------------------------------------------------------------------ */

static void prog_free(ptk_prog *g) {
  live_del(g, LIVE_PROG);
  ptk_program_free(g->p);
  ptk_source_free(g->src);
  free(g->params);
  pthread_mutex_destroy(&g->mu);
  free(g);
}

static ptk_dir prog_dir(ptk_ast_dir d) {
  return d == PTK_DIR_OUT ? PTK_OUT : d == PTK_DIR_INOUT ? PTK_INOUT : PTK_IN;
}

static ptk_prog *prog_load(ptk_ctx *c, const char *what, const char *path, const char *text, const char *name,
                           const ptk_const *consts, size_t nconsts, ptk_err *err) {
  if (!c || !path || (nconsts && !consts)) {
    fail(err, PTK_ERR_ARG, "%s: %s is NULL", what,
         !c ? "the context" : !path ? (text ? "the virtual path" : "the path") : "consts");
    return NULL;
  }
  if (!live_has(c, LIVE_CTX)) {
    fail(err, PTK_ERR_ARG, "%s: " STALE_CTX, what);
    return NULL;
  }
  for (size_t i = 0; i < nconsts; i++)
    if (!consts[i].name || !consts[i].value) {
      fail(err, PTK_ERR_ARG, "%s: const binding %zu has a NULL name or value", what, i + 1);
      return NULL;
    }
  ptk_prog *g = ptk_xcalloc(1, sizeof *g);
  g->ctx = c;
  pthread_mutex_init(&g->mu, NULL);
  ptk_diags *d = ptk_diags_new();
  if (text) {
    g->src = ptk_source_from_string(path, text, strlen(text));
    if (!g->src) {
      fail(err, PTK_ERR_ARG, "%s: the text is larger than 1 GiB", path);
      goto bad;
    }
  } else {
    struct stat st;
    errno = 0;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
      fail(err, PTK_ERR_IO, "%s: cannot read file: %s", path, errno ? strerror(errno) : "not a regular file");
      goto bad;
    }
  }
  ptk_const_binding *b = ptk_xcalloc(nconsts + 1, sizeof *b);
  for (size_t i = 0; i < nconsts; i++) b[i] = (ptk_const_binding){consts[i].name, consts[i].value};
  ptk_program_opts po = {0};
  po.entry = name;
  po.trace = &c->topts;
  po.jit = c->jit;
  po.consts = b;
  po.nconsts = nconsts;
  pthread_mutex_lock(&c->mu); /* kernel loads share the context's options */
  g->p = ptk_program_load(path, g->src, &po, d);
  pthread_mutex_unlock(&c->mu);
  free(b);
  if (!g->p) {
    fail_diags(err, PTK_ERR_COMPILE, d);
    goto bad;
  }
  size_t np = ptk_program_nparams(g->p);
  g->params = ptk_xcalloc(np + 1, sizeof *g->params);
  for (size_t i = 0; i < np; i++) {
    const ptk_program_param *pp = ptk_program_param_at(g->p, i);
    ptk_prog_param *q = &g->params[i];
    q->name = pp->name;
    q->is_tensor = pp->is_tensor;
    q->type = pp->is_tensor ? (ptk_elem)pp->tdtype : elem_of(pp->dtype);
    q->dir = pp->is_tensor ? prog_dir(pp->dir) : PTK_IN;
    q->rank = pp->is_tensor ? pp->rank : 0;
    q->shape = pp->dims;
    q->dim_names = pp->dim_names;
    if (q->is_tensor && q->dir == PTK_OUT) g->nouts++;
  }
  ptk_diags_free(d);
  pthread_mutex_lock(&c->mu);
  ptk_vec_push(&c->progs, g);
  pthread_mutex_unlock(&c->mu);
  live_add(g, LIVE_PROG);
  ok(err);
  return g;
bad:
  ptk_diags_free(d);
  ptk_program_free(g->p);
  ptk_source_free(g->src);
  free(g->params);
  pthread_mutex_destroy(&g->mu);
  free(g);
  return NULL;
}

ptk_prog *ptk_prog_load_file(ptk_ctx *c, const char *path, const char *name, const ptk_const *consts,
                             size_t nconsts, ptk_err *err) {
  return prog_load(c, "ptk_prog_load_file", path, NULL, name, consts, nconsts, err);
}

ptk_prog *ptk_prog_load_string(ptk_ctx *c, const char *text, const char *virtual_path, const char *name,
                               const ptk_const *consts, size_t nconsts, ptk_err *err) {
  if (!text) {
    fail(err, PTK_ERR_ARG, "ptk_prog_load_string: the text is NULL");
    return NULL;
  }
  return prog_load(c, "ptk_prog_load_string", virtual_path, text, name, consts, nconsts, err);
}

void ptk_prog_free(ptk_prog *g) {
  if (!live_has(g, LIVE_PROG)) return;
  ptk_ctx *c = g->ctx;
  pthread_mutex_lock(&c->mu);
  for (size_t i = 0; i < c->progs.len; i++)
    if (c->progs.data[i] == g) {
      c->progs.data[i] = c->progs.data[--c->progs.len];
      break;
    }
  pthread_mutex_unlock(&c->mu);
  prog_free(g);
}

const char *ptk_prog_name(const ptk_prog *g) { return live_has(g, LIVE_PROG) ? ptk_program_name(g->p) : NULL; }
size_t ptk_prog_nparams(const ptk_prog *g) { return live_has(g, LIVE_PROG) ? ptk_program_nparams(g->p) : 0; }
const ptk_prog_param *ptk_prog_param_at(const ptk_prog *g, size_t i) {
  return live_has(g, LIVE_PROG) && i < ptk_program_nparams(g->p) ? &g->params[i] : NULL;
}
size_t ptk_prog_ntasks(const ptk_prog *g) {
  if (!live_has(g, LIVE_PROG)) return 0;
  size_t n = 0;
  ptk_prog *m = (ptk_prog *)g;
  pthread_mutex_lock(&m->mu);
  ptk_program_tasks(g->p, &n);
  pthread_mutex_unlock(&m->mu);
  return n;
}

static void prog_list_params(const ptk_prog *g, ptk_diags *d) {
  size_t np = ptk_program_nparams(g->p);
  for (size_t i = 0; i < np; i++) {
    const ptk_program_param *pp = ptk_program_param_at(g->p, i);
    ptk_note(d, pp->range, "parameter %zu: '%s'%s", i + 1, pp->name,
             g->params[i].is_tensor && g->params[i].dir == PTK_OUT ? " (out)" : "");
  }
}

/* One argument -> la; false with an error when a scalar has no value. */
static bool prog_bind_arg(const ptk_prog *g, size_t i, const ptk_arg *a, ptk_launch_arg *la, ptk_diags *d) {
  memset(la, 0, sizeof *la);
  if (a->tensor) {
    la->kind = PTK_ARG_TENSOR;
    la->tensor = a->tensor;
    return true;
  }
  const ptk_program_param *pp = ptk_program_param_at(g->p, i);
  if ((int)a->type < 0 || (int)a->type > (int)PTK_INDEX) {
    ptk_error(d, pp->range,
              "argument %zu ('%s'): no value given (use ptk_arg_tensor / ptk_arg_int / ptk_arg_float / "
              "ptk_arg_bool)",
              i + 1, pp->name);
    return false;
  }
  bool fl = a->type == PTK_F16 || a->type == PTK_BF16 || a->type == PTK_F32 || a->type == PTK_F64;
  la->kind = PTK_ARG_SCALAR;
  la->dt = fl ? PTK_DT_F64 : PTK_DT_I64;
  la->i = a->i;
  la->f = a->f;
  return true;
}

static int prog_run(ptk_prog *g, const ptk_launch_arg *la, size_t n, ptk_diags *d, ptk_err *err) {
  ptk_ctx *c = g->ctx;
  ptk_program_run_opts ro = {0};
  ro.threads = c->threads;
  ro.target = c->target;
  ro.poison = c->poison;
  ro.out = c->print ? c->print : stdout;
  ro.timeout = c->timeout;
  pthread_mutex_lock(&g->mu);
  int r = ptk_program_run(g->p, &ro, la, n, d);
  pthread_mutex_unlock(&g->mu);
  if (!r) {
    ok(err);
    return PTK_OK;
  }
  int code = r == PTK_PROGRAM_BAD_ARGS ? PTK_ERR_ARG : PTK_ERR_LAUNCH;
  if (r != PTK_PROGRAM_BAD_ARGS) {
    ptk_buf b = {0};
    ptk_diags_render(d, &b, false);
    if (strstr(ptk_buf_cstr(&b), "timed out") || strstr(ptk_buf_cstr(&b), "cancelled")) code = PTK_ERR_STOPPED;
    ptk_buf_free(&b);
  }
  return fail_diags(err, code, d);
}

int ptk_prog_launch(ptk_prog *g, const ptk_arg *args, size_t nargs, ptk_err *err) {
  if (!g) return fail(err, PTK_ERR_ARG, "ptk_prog_launch: the program is NULL");
  if (!live_has(g, LIVE_PROG)) return fail(err, PTK_ERR_ARG, "ptk_prog_launch: " STALE_PROG);
  if (nargs && !args) return fail(err, PTK_ERR_ARG, "ptk_prog_launch: args is NULL");
  size_t np = ptk_program_nparams(g->p);
  ptk_diags *d = ptk_diags_new();
  ptk_launch_arg *la = ptk_xcalloc(np + 1, sizeof *la);
  int rc;
  bool okb = true;
  if (nargs != np) {
    ptk_error(d, ptk_program_range(g->p), "program '%s' takes %zu argument%s, got %zu", ptk_program_name(g->p), np,
              np == 1 ? "" : "s", nargs);
    prog_list_params(g, d);
    okb = false;
  }
  for (size_t i = 0; okb && i < np; i++) okb &= prog_bind_arg(g, i, &args[i], &la[i], d);
  rc = okb ? prog_run(g, la, np, d, err) : fail_diags(err, PTK_ERR_ARG, d);
  free(la);
  ptk_diags_free(d);
  return rc;
}

int ptk_prog_call(ptk_prog *g, const ptk_arg *inputs, size_t ninputs, ptk_tensor **outs, size_t nouts,
                  ptk_err *err) {
  if (outs)
    for (size_t i = 0; i < nouts; i++) outs[i] = NULL;
  if (!g) return fail(err, PTK_ERR_ARG, "ptk_prog_call: the program is NULL");
  if (!live_has(g, LIVE_PROG)) return fail(err, PTK_ERR_ARG, "ptk_prog_call: " STALE_PROG);
  if (ninputs && !inputs) return fail(err, PTK_ERR_ARG, "ptk_prog_call: inputs is NULL");
  if (nouts && !outs) return fail(err, PTK_ERR_ARG, "ptk_prog_call: outs is NULL");
  size_t np = ptk_program_nparams(g->p), nin = np - g->nouts;
  ptk_diags *d = ptk_diags_new();
  ptk_launch_arg *la = ptk_xcalloc(np + 1, sizeof *la);
  int rc = PTK_OK;
  if (ninputs != nin || nouts != g->nouts) {
    ptk_error(d, ptk_program_range(g->p),
              "program '%s' takes %zu input%s and returns %zu out tensor%s (ptk_prog_call), got %zu and %zu",
              ptk_program_name(g->p), nin, nin == 1 ? "" : "s", g->nouts, g->nouts == 1 ? "" : "s", ninputs, nouts);
    prog_list_params(g, d);
    rc = fail_diags(err, PTK_ERR_ARG, d);
    goto done;
  }
  for (size_t i = 0, j = 0; i < np; i++) {
    if (g->params[i].is_tensor && g->params[i].dir == PTK_OUT) {
      la[i].kind = PTK_ARG_TENSOR;
      continue;
    }
    if (!prog_bind_arg(g, i, &inputs[j++], &la[i], d)) {
      rc = fail_diags(err, PTK_ERR_ARG, d);
      goto done;
    }
  }
  for (size_t i = 0, o = 0; i < np; i++) {
    if (!g->params[i].is_tensor || g->params[i].dir != PTK_OUT) continue;
    int64_t shape[PTK_TENSOR_MAX_RANK];
    if (!ptk_program_out_shape(g->p, i, la, shape, d)) {
      rc = fail_diags(err, PTK_ERR_UNSUPPORTED, d);
      goto done;
    }
    outs[o] = ptk_tensor_new(g->params[i].type, g->params[i].rank, shape);
    if (!outs[o]) {
      rc = fail(err, PTK_ERR_ARG, "ptk_prog_call: out tensor '%s' would be too large", g->params[i].name);
      goto done;
    }
    la[i].tensor = outs[o++];
  }
  rc = prog_run(g, la, np, d, err);
done:
  if (rc != PTK_OK && outs)
    for (size_t i = 0; i < nouts; i++) {
      ptk_tensor_free(outs[i]);
      outs[i] = NULL;
    }
  free(la);
  ptk_diags_free(d);
  return rc;
}
