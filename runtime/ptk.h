/* ptk public C API: load tile kernels (.ptk or .pto) and launch them on the
 * host CPU.
 *
 *   ptk_err err = {0};
 *   ptk_ctx *ctx = ptk_open(NULL, &err);                      // default options
 *   ptk_const tile = {"TILE", "256"};
 *   ptk_kernel *k = ptk_load_file(ctx, "samples/vadd.ptk", NULL, &tile, 1, &err);
 *   if (!k) { fprintf(stderr, "%s", err.message); ptk_err_clear(&err); … }
 *
 *   int64_t shape[1] = {1000};
 *   ptk_tensor *x = ptk_tensor_new(PTK_F32, 1, shape), *y = …, *z = …;
 *   ptk_arg args[4] = {ptk_arg_tensor(x), ptk_arg_tensor(y), ptk_arg_tensor(z),
 *                      ptk_arg_int(1000)};
 *   if (ptk_launch(k, 4, args, 4, &err) != PTK_OK) …         // 4 blocks, in place
 *
 *   ptk_tensor *out[1];                                        // return style
 *   ptk_call(k, 1, args_without_z, 3, out, 1, &err);  … ptk_tensor_free(out[0]);
 *   ptk_close(ctx);                                            // frees every kernel
 *
 * Errors: every function that can fail takes a `ptk_err *` (may be NULL)
 * and returns NULL or a non-zero ptk_code; err->code is that code and
 * err->message the rendered diagnostics ("path:line:col: error: …" with the
 * source line and notes), owned by the ptk_err until ptk_err_clear. The
 * library never prints and never exits (the only output is a kernel's own
 * print/tprint, written to ptk_options.print, default stdout).
 *
 * Caching: ptk_load_file of the same path (as given, not canonicalised),
 * kernel name and const bindings (in any order) returns the SAME ptk_kernel
 * without tracing again, as long as the files it was built from are
 * unchanged. Each such file (the .ptk, its imports, a `source =` .pto; the
 * .pto file) is checked on every load with stat(): when device, inode, size
 * and modification time are those recorded, the file is taken as unchanged
 * (no read); otherwise its content is hashed (SHA-256) and compared, and the
 * kernel is rebuilt only when a hash differs. A file whose modification
 * time is less than two seconds old when it is recorded is hashed on every
 * load until it is older (filesystem timestamps are coarse), so a quick edit
 * that keeps the size and the timestamp is never missed. ptk_load_string
 * caches on the virtual path, kernel, bindings and the exact text (plus the
 * files it imports). Include/stdlib folders are not re-searched: a new file
 * that would shadow an import needs a new context. A kernel replaced by a
 * reload stays valid (for launches in flight) until ptk_close.
 *
 * Threads: one context may be used from any number of threads. Loads are
 * serialised by a mutex; launches of loaded kernels run concurrently (the
 * prepared programs are immutable). Kernel handles are owned by the context
 * and freed by ptk_close, which must not race with other calls on it.
 *
 * Stale handles: the library keeps a registry of the contexts and kernels
 * it has handed out and checks every handle against it before use. A
 * context used after ptk_close, or a kernel of a closed context, is an
 * error (PTK_ERR_ARG from loads, launches and calls; NULL / 0 from the
 * accessors; ptk_close of a closed context does nothing), never a read of
 * freed memory.
 *
 * Tensors passed to kernels must be C-contiguous, with an element size equal
 * to the kernel parameter's (f32 ↔ f32/i32/u32 …); bf16 is stored as raw
 * 16-bit words. Every global-memory access of a kernel is bounds-checked
 * against the tensor bound to the pointer. */
#ifndef PTK_H
#define PTK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Every function below is exported from libptk.so; the library is built
 * with -fvisibility=hidden, so nothing else is (internal names cannot clash
 * with a host program's). */
#ifndef PTK_API
#if defined(__GNUC__) || defined(__clang__)
#define PTK_API __attribute__((visibility("default")))
#else
#define PTK_API
#endif
#endif

/* The library version, e.g. "0.1.0". */
PTK_API const char *ptk_version(void);

/* ---- errors ---------------------------------------------------------------------------------- */

typedef enum ptk_code {
  PTK_OK = 0,
  PTK_ERR_ARG = 1,     /* bad arguments to an API call (NULL, wrong count/kind/dtype of kernel args) */
  PTK_ERR_IO = 2,      /* a file cannot be read */
  PTK_ERR_COMPILE = 3, /* syntax, tracing, ABI, verifier or pass errors while loading */
  PTK_ERR_LAUNCH = 4,  /* a launch failed (out-of-bounds access, division by zero, …) */
  PTK_ERR_UNSUPPORTED = 5, /* e.g. ptk_call cannot infer the shape of an out parameter */
  PTK_ERR_NOMEM = 6,       /* a launch could not allocate memory (on-chip memories, private tiles) */
  PTK_ERR_STOPPED = 7      /* a launch was stopped by ptk_cancel or the ptk_set_timeout limit */
} ptk_code;

typedef struct ptk_err {
  int code;      /* a ptk_code; PTK_OK when nothing failed */
  char *message; /* NULL, or the rendered diagnostics (malloc'd; ptk_err_clear frees it) */
} ptk_err;

/* Frees the message and resets to {PTK_OK, NULL}. NULL is fine. */
PTK_API void ptk_err_clear(ptk_err *err);

/* ---- element types and tensors ------------------------------------------------------------- */

typedef enum ptk_elem {
  PTK_F16,
  PTK_BF16, /* stored as the upper 16 bits of an IEEE f32 */
  PTK_F32,
  PTK_F64,
  PTK_I8,
  PTK_I16,
  PTK_I32,
  PTK_I64,
  PTK_U8,
  PTK_U16,
  PTK_U32,
  PTK_U64,
  PTK_BOOL, /* one byte, 0 or 1; also i1 scalars */
  PTK_INDEX, /* `index` scalars (64-bit); not a tensor element type */
  PTK_ELEM_OTHER /* a type the API has no name for (f8 formats, …) */
} ptk_elem;

PTK_API const char *ptk_elem_name(ptk_elem e); /* "f32"; "?" for PTK_ELEM_OTHER */
PTK_API size_t ptk_elem_size(ptk_elem e);      /* bytes; 0 for PTK_ELEM_OTHER */

/* A host tensor: element type, rank 0..8, shape, C-contiguous data. */
typedef struct ptk_tensor ptk_tensor;

/* A new zero-filled tensor that owns its data (64-byte aligned). NULL when
 * the type is not a tensor type, rank > 8, a dimension is negative or the
 * size overflows. */
PTK_API ptk_tensor *ptk_tensor_new(ptk_elem type, int rank, const int64_t *shape);
/* A tensor over caller memory (C order; not freed by ptk_tensor_free). */
PTK_API ptk_tensor *ptk_tensor_wrap(ptk_elem type, int rank, const int64_t *shape, void *data);
PTK_API void ptk_tensor_free(ptk_tensor *t); /* NULL is fine */
PTK_API void *ptk_tensor_data(const ptk_tensor *t);
PTK_API ptk_elem ptk_tensor_type(const ptk_tensor *t);
PTK_API int ptk_tensor_rank(const ptk_tensor *t);
PTK_API const int64_t *ptk_tensor_shape(const ptk_tensor *t); /* [rank] */
PTK_API int64_t ptk_tensor_numel(const ptk_tensor *t);
/* Every accessor accepts NULL: data/shape NULL, type PTK_ELEM_OTHER, rank and numel 0. */

/* ---- contexts ------------------------------------------------------------------------------ */

typedef struct ptk_options {
  uint32_t threads;                /* worker threads per launch; 0: min(blocks, online CPUs);
                                      never more than blocks or 256 */
  const char *target;              /* "a3" | "a5" on-chip memory sizes; NULL: the kernel's */
  const char *const *include_dirs; /* searched by `import` after the importing file's folder */
  size_t ninclude;
  const char *stdlib_dir;          /* NULL: $PTK_STDLIB, else the installed stdlib */
  bool poison;                     /* on-chip memory starts as NaN / 0xA5 instead of zeros */
  FILE *print;                     /* output of a kernel's print / tprint; NULL: stdout */
  const char *engine;              /* "interp" (NULL: the default): the IR interpreter; "jit":
                                      generated C compiled with $CC (default cc) into a .so,
                                      cached under $XDG_CACHE_HOME/ptk; results are identical */
} ptk_options;

typedef struct ptk_ctx ptk_ctx;

/* opt may be NULL (all defaults); it is copied. NULL with err set on bad options. */
PTK_API ptk_ctx *ptk_open(const ptk_options *opt, ptk_err *err);
/* Frees the context and every kernel loaded through it. NULL is fine. */
PTK_API void ptk_close(ptk_ctx *ctx);

/* ---- kernels ------------------------------------------------------------------------------- */

/* A `const` parameter binding, the value as text: "64", "1e-5", "true", "f16". */
typedef struct ptk_const {
  const char *name;
  const char *value;
} ptk_const;

typedef struct ptk_kernel ptk_kernel;

/* Loads kernel `kernel` of the file at `path` (.ptk: the kernel's name or
 * its @jit symbol, NULL: the only kernel; .pto: the function, NULL: the
 * only one / the pto.entry one) with the given const bindings (.ptk only),
 * runs the pass pipeline and prepares it for launching. Cached (see above).
 * NULL with err set on failure. */
PTK_API ptk_kernel *ptk_load_file(ptk_ctx *ctx, const char *path, const char *kernel,
                          const ptk_const *consts, size_t nconsts, ptk_err *err);
/* The same for text in memory; `virtual_path` names it in diagnostics, picks
 * the language by its extension (.ptk or .pto) and anchors relative imports
 * and `source =` paths. */
PTK_API ptk_kernel *ptk_load_string(ptk_ctx *ctx, const char *text, const char *virtual_path,
                            const char *kernel, const ptk_const *consts, size_t nconsts,
                            ptk_err *err);

/* Parameter directions. Scalars are PTK_IN. A pointer's direction is the
 * one declared in .ptk (`in`/`out`/`inout`), else derived from the IR: only
 * read → IN, only written → OUT, both → INOUT, never accessed → UNUSED. */
typedef enum ptk_dir { PTK_IN, PTK_OUT, PTK_INOUT, PTK_UNUSED } ptk_dir;

typedef struct ptk_param {
  const char *name; /* "x" (.ptk) or "arg0" (.pto, without '%') */
  bool is_tensor;   /* a global-memory pointer (takes a tensor); else a scalar */
  ptk_elem type;    /* element type of the pointer, or the scalar's type */
  ptk_dir dir;
} ptk_param;

PTK_API const char *ptk_kernel_name(const ptk_kernel *k); /* the entry symbol */
PTK_API size_t ptk_kernel_nparams(const ptk_kernel *k);
PTK_API const ptk_param *ptk_kernel_param(const ptk_kernel *k, size_t i); /* NULL when out of range */

/* ---- launching ------------------------------------------------------------------------------ */

/* One kernel argument: a tensor for a pointer parameter, or a scalar whose
 * value is in `f` when `type` is a float type and in `i` otherwise; it is
 * converted to the parameter's type (integers wrap to the width, floats round). */
typedef struct ptk_arg {
  ptk_tensor *tensor; /* non-NULL: a tensor argument */
  ptk_elem type;
  int64_t i;
  double f;
} ptk_arg;

static inline ptk_arg ptk_arg_tensor(ptk_tensor *t) {
  ptk_arg a;
  a.tensor = t;
  a.type = PTK_ELEM_OTHER;
  a.i = 0;
  a.f = 0;
  return a;
}
static inline ptk_arg ptk_arg_int(int64_t v) {
  ptk_arg a;
  a.tensor = NULL;
  a.type = PTK_I64;
  a.i = v;
  a.f = 0;
  return a;
}
static inline ptk_arg ptk_arg_float(double v) {
  ptk_arg a;
  a.tensor = NULL;
  a.type = PTK_F64;
  a.i = 0;
  a.f = v;
  return a;
}
static inline ptk_arg ptk_arg_bool(bool v) {
  ptk_arg a;
  a.tensor = NULL;
  a.type = PTK_BOOL;
  a.i = v ? 1 : 0;
  a.f = 0;
  return a;
}

/* In-place launch over `blocks` blocks (0 means 1): one argument per
 * parameter, in order; tensors are read and written in place. Returns
 * PTK_OK or an error code (err set). */
PTK_API int ptk_launch(ptk_kernel *k, uint32_t blocks, const ptk_arg *args, size_t nargs, ptk_err *err);

/* Return-style launch: `inputs` holds one argument per parameter that is
 * not PTK_OUT (in order); every PTK_OUT parameter gets a new zero-filled
 * tensor, returned in `outs` in parameter order (`nouts` must equal their
 * number; free them with ptk_tensor_free). On error every outs[i] is NULL.
 *
 * The shape of an out tensor comes from the kernel's
 * `make_tensor_view(out, shape = …, strides = …)` ops on that parameter:
 *   1. when every shape and stride of a view is a constant or computable
 *      from constants and the scalar arguments (through index casts and
 *      + - * / % min max), the tensor has the view's shape when the strides
 *      are the row-major ones of that shape, else it is 1-D and covers the
 *      largest element offset the view reaches; with several such views,
 *      the one reaching furthest wins;
 *   2. otherwise, when a view's shape operands are exactly those of a view
 *      of a tensor input, the out tensor takes that input's shape;
 *   3. otherwise PTK_ERR_UNSUPPORTED: use ptk_launch. */
PTK_API int ptk_call(ptk_kernel *k, uint32_t blocks, const ptk_arg *inputs, size_t ninputs,
             ptk_tensor **outs, size_t nouts, ptk_err *err);

/* ---- stopping launches ---------------------------------------------------------------------- */

/* Stops every launch of k in flight (ptk_launch / ptk_call running in other
 * threads): each block stops at its next loop iteration, no new block
 * starts, and the launch returns PTK_ERR_STOPPED with an error naming the
 * op (loop) each running block was in. Launches started after the call are
 * not affected. Not async-signal-safe (it takes a mutex): from a signal
 * handler, wake a thread that calls it. PTK_OK, or PTK_ERR_ARG for a NULL
 * or stale kernel. */
PTK_API int ptk_cancel(ptk_kernel *k, ptk_err *err);

/* A time limit for each launch of a kernel of ctx (seconds, wall clock; 0:
 * none, the default). A launch running longer is stopped as by ptk_cancel
 * (PTK_ERR_STOPPED, "timed out after S s"). Takes effect for launches
 * started after the call. */
PTK_API int ptk_set_timeout(ptk_ctx *ctx, double seconds, ptk_err *err);

/* ---- programs ------------------------------------------------------------------------------- */

/* A program (`program NAME(params) { … }` in a .ptk file): several kernel
 * launches run as a task graph ordered by their data dependencies.
 *
 *   ptk_prog *p = ptk_prog_load_file(ctx, "samples/programs/vector_dag.ptk", NULL, NULL, 0, &err);
 *   ptk_arg args[3] = {ptk_arg_tensor(a), ptk_arg_tensor(b), ptk_arg_tensor(f)};
 *   ptk_prog_launch(p, args, 3, &err);                       // in place
 *   ptk_tensor *out[1];
 *   ptk_prog_call(p, args, 2, out, 1, &err);                 // return style: f allocated
 *
 * Tasks run on the context's `threads` workers (0: the online CPUs; 1:
 * program order on the calling thread) with its engine, target, poison and
 * print options and the ptk_set_timeout limit per task; results are the
 * same bytes for every thread count and both engines. A program handle is
 * owned by its context (freed by ptk_close, or earlier by ptk_prog_free);
 * launches of one program are serialised (a mutex), different programs
 * run concurrently. Handles are checked like kernel handles. */
typedef struct ptk_prog ptk_prog;

/* One program parameter: a tensor (element type, rank, shape with -1 for a
 * named dynamic dimension, direction) or a scalar (type; dir PTK_IN). */
typedef struct ptk_prog_param {
  const char *name;
  bool is_tensor;
  ptk_elem type;
  ptk_dir dir;                   /* PTK_IN, PTK_OUT or PTK_INOUT */
  int rank;                      /* tensors: 1..8; scalars 0 */
  const int64_t *shape;          /* [rank]; -1: dynamic */
  const char *const *dim_names;  /* [rank]; the dynamic dimension's name, else NULL */
} ptk_prog_param;

/* Loads program `name` (NULL: the only program of the file) and checks
 * every launch of its body against the kernels it names (loaded, traced,
 * run through the passes). `consts` give values to module-level
 * `const NAME = …;` declarations of the program's file as the program body
 * sees them (kernels get their consts from the launches); naming a const
 * the file does not declare is an error. NULL with err set on failure
 * (PTK_ERR_IO: the file cannot be read; PTK_ERR_COMPILE: located
 * diagnostics). Not cached: each call loads again. */
PTK_API ptk_prog *ptk_prog_load_file(ptk_ctx *ctx, const char *path, const char *name, const ptk_const *consts,
                                     size_t nconsts, ptk_err *err);
/* The same for text in memory (`virtual_path` names it in diagnostics and
 * anchors relative imports). */
PTK_API ptk_prog *ptk_prog_load_string(ptk_ctx *ctx, const char *text, const char *virtual_path, const char *name,
                                       const ptk_const *consts, size_t nconsts, ptk_err *err);
/* Frees a program before ptk_close (NULL or stale: nothing happens). Must
 * not race with a launch of it. */
PTK_API void ptk_prog_free(ptk_prog *p);

PTK_API const char *ptk_prog_name(const ptk_prog *p);
PTK_API size_t ptk_prog_nparams(const ptk_prog *p);
PTK_API const ptk_prog_param *ptk_prog_param_at(const ptk_prog *p, size_t i); /* NULL when out of range */
/* Tasks the last launch ran (0 before the first). */
PTK_API size_t ptk_prog_ntasks(const ptk_prog *p);

/* In-place run: one argument per parameter, in order (tensors must match
 * the declared element type, rank and static dimensions; every use of a
 * dynamic dimension name must agree). PTK_OK; PTK_ERR_ARG when the
 * arguments do not fit (nothing ran); PTK_ERR_LAUNCH when a task failed
 * (the message names the task, its kernel and the launch; no task started
 * after it, outputs may be partly written); PTK_ERR_STOPPED on a timeout. */
PTK_API int ptk_prog_launch(ptk_prog *p, const ptk_arg *args, size_t nargs, ptk_err *err);

/* Return-style run: `inputs` holds one argument per parameter that is not
 * a PTK_OUT tensor (in order); each PTK_OUT tensor is allocated zero-filled
 * with its declared shape, a dynamic dimension taken from an input tensor
 * that names the same dimension, and returned in `outs` in parameter order
 * (`nouts` must equal their number; free them with ptk_tensor_free). An out
 * tensor with a dynamic dimension no input fixes is PTK_ERR_UNSUPPORTED
 * (pass every tensor to ptk_prog_launch). On error every outs[i] is NULL. */
PTK_API int ptk_prog_call(ptk_prog *p, const ptk_arg *inputs, size_t ninputs, ptk_tensor **outs, size_t nouts,
                          ptk_err *err);

#ifdef __cplusplus
}
#endif

#endif
