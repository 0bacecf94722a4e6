/* The kernel loader: the ONE path from a file to a runnable kernel, shared
 * by the C API (runtime/api.c) and the `ptk` command (check / fmt / run /
 * compile FILE).
 *
 *   .ptk  ptk_trace_kernel (trace/trace.h): parse, imports, pick the kernel
 *         (`entry`: its .ptk name or @jit symbol; NULL: the only kernel),
 *         bind `const` parameters, trace the body or load its `source =`.
 *   .pto  ptk_pto_read, then pick the entry function: `entry` (a leading
 *         '@' is fine) when given, else the only function with a body, else
 *         the one marked `pto.entry` / `pto.kernel`, else the cube half of
 *         a mixed kernel (a module of exactly one cube and one vector
 *         kernel, which run together: runtime/mix.h), else the only public
 *         one; several candidates are an error listing each with its
 *         location. `--const` bindings are an error for a .pto file.
 *   both  the pass pipeline (backend/passes/pipeline.h: verify, canonicalize,
 *         cse, check-shapes, derive-arg-directions, plan-memory,
 *         insert-sync), with the kernel's @jit mode / target / insert_sync
 *         (.pto files: mode auto, target from `pto.target_arch`, else a3).
 *
 * The file kind comes from the extension of `path` (or of src->path when
 * `path` is NULL): `.ptk`; `.pto`, or `-` / `<stdin>` for standard input
 * read as PTO. Anything else is an error. (Standard input holding .ptk:
 * read it into a source named e.g. "<stdin>.ptk" and pass that name.)
 *
 * The call sequence of `ptk check / fmt / run FILE [--entry NAME] [--const N=V]…`:
 *
 *   ptk_diags *d = ptk_diags_new();
 *   ptk_loaded *l = ptk_kernel_load(file, src_or_NULL, entry, consts, nconsts, &trace_opts, d);
 *   if (l) {
 *     ptk_func *f = ptk_loaded_entry(l);        // fmt: ptk_pto_print(ptk_loaded_module(l), …)
 *     const ptk_abi *abi = ptk_loaded_abi(l);   // run: bind ARGs to abi->params, then
 *     …                                         //      ptk_interp_prepare(f) + ptk_interp_run
 *   }
 *   ptk_diags_print(d, stderr);
 *   ptk_loaded_free(l);
 *   ptk_diags_free(d);
 *
 * `src` may be NULL (the file at `path` is read here) or a source the
 * caller keeps alive as long as the result (IR locations point into it).
 * The result owns everything else (module, sources it read, strings).
 *
 * Nothing here prints or exits: every problem is a located diagnostic in
 * `d`. NULL on any error. Concurrent calls with different arguments are
 * fine; one result may be read (not modified) from several threads. */
#ifndef PTK_RUNTIME_KERNEL_H
#define PTK_RUNTIME_KERNEL_H

#include <stdbool.h>
#include <stddef.h>

#include "backend/passes/passes.h"
#include "backend/passes/pipeline.h"
#include "lang/ast.h"
#include "lang/diag.h"
#include "lang/ir/ir.h"
#include "lang/source.h"
#include "trace/trace.h"

/* One launch parameter, in ABI order (= the entry function's arguments). */
typedef struct ptk_abi_param {
  const char *name;      /* .ptk: the parameter name; .pto: the argument's name without '%'
                            (e.g. "arg0"), or "argK" when it has none */
  uint32_t position;     /* 0-based */
  bool is_ptr;           /* !pto.ptr<dtype> (global memory) */
  bool known;            /* dtype is meaningful (a scalar, or a pointer to a scalar type) */
  ptk_dtype dtype;       /* the pointer's element type, or the scalar's type */
  const ptk_type *type;  /* the IR type of the argument */
  ptk_ast_dir declared;  /* as written in .ptk (PTK_DIR_NONE otherwise, always for .pto) */
  /* Effective direction of a pointer: the declared one when written, else
   * the derived one (PTK_ARGDIR_UNUSED when never accessed);
   * PTK_ARGDIR_NONE for scalars. */
  ptk_arg_dir dir;
  ptk_range range;       /* the .ptk parameter, or the .pto argument */
} ptk_abi_param;

typedef struct ptk_abi {
  const char *kernel;    /* .ptk kernel name; .pto: the entry symbol */
  const char *symbol;    /* entry function symbol */
  const char *target;    /* "a3" | "a5" */
  const char *kind;      /* "vector" | "cube" | "mixed", or NULL when unknown (.pto) */
  const char *mode;      /* "auto" | "explicit" */
  const ptk_abi_param *params;
  size_t nparams;
  /* source-backed .ptk kernels: the declaration's name (none otherwise) */
  ptk_range decl;
} ptk_abi;

typedef struct ptk_loaded ptk_loaded;

enum {
  /* Skip the pass pipeline (run the verifier only): `ptk fmt` of the traced
   * IR, tools that want the module as traced / as read. */
  PTK_LOAD_NO_PASSES = 1u << 0,
  /* .pto entry errors name the candidates inline ("cannot choose the
   * kernel: 2 functions (@a, @b) and none is marked pto.entry; use --entry
   * NAME", "no function @c with a body; the file defines: @a, @b") instead
   * of one note per function (`ptk compile`). Same selection rule. */
  PTK_LOAD_LIST_INLINE = 1u << 1,
  /* --strict-sync: synchronization findings are errors, and kernels whose
   * sync the author wrote (explicit mode included) are checked; with
   * PTK_LOAD_NO_PASSES the checker runs on those alone (`ptk check`). */
  PTK_LOAD_STRICT_SYNC = 1u << 2,
  /* skip the optimizing passes (`--no-optimize`, PTK_NO_OPTIMIZE=1) */
  PTK_LOAD_NO_OPTIMIZE = 1u << 3,
};

/* The two halves of a mixed kernel: true when the module's functions with
 * bodies are exactly one cube and one vector kernel (pto.kernel_kind), with
 * them in *cube and *vec (either may be NULL). */
bool ptk_kernel_mixed_halves(ptk_module *m, ptk_func **cube, ptk_func **vec);

/* Everything a load can be told; zero = the defaults of ptk_kernel_load. */
typedef struct ptk_kernel_load_opts {
  const char *entry;                /* see above; NULL: the only kernel / function */
  const ptk_const_binding *consts;  /* .ptk const parameters */
  size_t nconsts;
  const ptk_trace_opts *trace;      /* .ptk: include dirs, … (NULL: defaults) */
  unsigned flags;                   /* PTK_LOAD_* */
  /* Pipeline settings forced by the caller (`ptk compile --target/--mode/
   * --[no-]insert-sync`); unset: the kernel's @jit settings, for .pto
   * files the module's pto.target_arch and mode explicit when any
   * alloc_tile has an addr. */
  const char *target;               /* any ptk_target_parse spelling; NULL: the kernel's */
  const char *mode;                 /* "auto" | "explicit"; NULL: the kernel's */
  int insert_sync;                  /* 0: the kernel's; 1: force on; -1: force off */
  /* Passed to the pipeline (backend/passes/pipeline.h). */
  const char *dump_dir, *dump_regex;
  bool verify_each, time_passes, stats;
  ptk_buf *report;                  /* --time-passes / --stats text is appended here */
  ptk_pipeline_result *result;      /* filled when non-NULL (zero it first; caller frees) */
  /* Called once the kernel is traced / read and its entry chosen, before
   * the pipeline runs; false (with an error in d) stops the load. */
  bool (*before_passes)(void *arg, ptk_diags *d);
  void *before_passes_arg;
} ptk_kernel_load_opts;

/* The one loader; `ko` may be NULL. */
ptk_loaded *ptk_kernel_load_with(const char *path, const ptk_source *src,
                                 const ptk_kernel_load_opts *ko, ptk_diags *d);
/* Shorthands for the common cases. */

ptk_loaded *ptk_kernel_load(const char *path, const ptk_source *src, const char *entry,
                            const ptk_const_binding *consts, size_t nconsts,
                            const ptk_trace_opts *o, ptk_diags *d);
ptk_loaded *ptk_kernel_load_ex(const char *path, const ptk_source *src, const char *entry,
                               const ptk_const_binding *consts, size_t nconsts,
                               const ptk_trace_opts *o, unsigned flags, ptk_diags *d);
void ptk_loaded_free(ptk_loaded *l); /* NULL is fine */

ptk_module *ptk_loaded_module(const ptk_loaded *l);
ptk_func *ptk_loaded_entry(const ptk_loaded *l);
const ptk_abi *ptk_loaded_abi(const ptk_loaded *l);
/* The specialization key. .ptk: the tracer's (kernel, symbol, target, kind,
 * mode, sync, bindings, hashes of every file read); .pto:
 * "pto-v1;symbol=…;sha256=<text>". Equal keys = equal IR. */
const char *ptk_loaded_key(const ptk_loaded *l);
/* Resolved paths of the files the kernel was built from (the .ptk file,
 * its imports, a `source =` file; the .pto file): for cache invalidation.
 * When `src` was given, its own file is not listed (the caller owns that
 * text), nor is standard input. */
const char *const *ptk_loaded_deps(const ptk_loaded *l, size_t *n);
/* The tracer's description (bindings, hashes, source path…); NULL for .pto files. */
const ptk_trace_info *ptk_loaded_trace_info(const ptk_loaded *l);
/* True for a .pto file (not for a source-backed .ptk kernel). */
bool ptk_loaded_is_pto(const ptk_loaded *l);

#endif
