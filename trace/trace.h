/* The tracer: a .ptk kernel becomes PTO IR (DESIGN §2.4–§2.7).
 *
 * ptk_trace_kernel parses a .ptk file, resolves its imports, picks one
 * kernel, binds its `const` parameters and either traces its body (an
 * interpreter over the AST that emits IR for everything that depends on
 * runtime values) or, for a source-backed kernel (`@jit(source = …)`, a
 * body-less declaration), loads the .pto source, selects the entry function
 * and checks its ABI against the declaration. Either way the result holds a
 * module with ONE entry function (unit attribute `pto.entry`, attribute
 * `pto.kernel_kind` for vector/cube kernels, module attribute
 * `pto.target_arch`), plus everything a launcher needs to know (the ABI,
 * the bindings, the specialization key).
 *
 * Ownership: the result owns the module, every source it loaded (imports,
 * .pto sources, the .ptk file itself when `src` is NULL) and the syntax
 * trees. IR locations point into those sources (and into `src` when the
 * caller passed one: keep it alive as long as the result), so diagnostics
 * reported later against the IR — by the verifier, the passes, the
 * interpreter's out-of-bounds errors — stay valid while the result lives.
 * Diagnostics themselves are copied when emitted and outlive everything.
 * The library never prints; errors go to `d`, every one located.
 *
 * The call sequence of `ptk check / fmt / run K.ptk [--entry NAME]
 * [--const N=V]… [-I DIR]…` (runtime/cli):
 *
 *   ptk_diags *d = ptk_diags_new();
 *   ptk_const_binding consts[] = {{"TILE", "64"}};   // from --const TILE=64
 *   const char *incs[] = {"include"};                // from -I include
 *   ptk_trace_opts o = {.include_dirs = incs, .ninclude = 1};  // stdlib: default
 *   ptk_trace_result *r = ptk_trace_kernel("K.ptk", NULL, entry_or_NULL, consts, 1, &o, d);
 *   if (r && ptk_verify_module(ptk_trace_module(r), d)) {
 *     const ptk_trace_info *info = ptk_trace_info_of(r);
 *     ptk_func *f = ptk_trace_entry(r);      // info->symbol, info->params (the ABI) …
 *     // fmt: ptk_pto_print(ptk_trace_module(r), &buf); run: ptk_interp_launch(f, …)
 *   }
 *   ptk_diags_print(d, stderr);               // exit 1 when ptk_diags_errors(d)
 *   ptk_trace_result_free(r);                 // NULL is fine
 *   ptk_diags_free(d);
 *
 * Thread safety: concurrent calls on different arguments are fine.
 *
 * Language decisions beyond DESIGN §2 (what users see):
 *   - Integer `/` and `%` truncate toward zero (arith.divsi / arith.remsi),
 *     `//` rounds down (arith.floordivsi) — at compile time too, so folding
 *     never changes a result. `/` with a float operand is float division.
 *   - A compile-time value that must become IR without a typed partner
 *     (a `var` carried through a runtime loop or if, a print argument)
 *     becomes index (int), f32 (float) or i1 (bool); `var x: T = …`
 *     fixes the type instead, and later assignments convert to it.
 *   - block_idx() & co. return index (pto.get_block_idx + index_cast,
 *     emitted once at the top of the kernel). Casts of i32 kernel
 *     arguments to index are emitted once too; constants are hoisted.
 *   - Enum-valued keyword arguments (loc = vec, mode = lt, rmode = round,
 *     layout = dn, pipes, events) take bare names (case-insensitive), strings
 *     or str values; pipes may drop the PIPE_ prefix, events may be 0..7.
 *   - Slices v[lo:hi, …]: an omitted lo is 0, an omitted hi the view's
 *     dimension; sizes fold (constants, lo = 0, hi written as lo + x), so
 *     v[i:i + 64, 0:D] has the static type partition_tensor_view<64xDx…>.
 *     A plain index v[i, …] is a size-1 window.
 *   - A var whose value is the same on both sides of a runtime if (or is
 *     never changed) is not an scf.if result.
 *   - Limits that turn runaway compile-time work into errors: 64 nested fn
 *     calls, 10^6 traced statements/calls, 10^5-element compile-time
 *     lists, 2·10^6 operations, 20 errors.
 */
#ifndef PTK_TRACE_TRACE_H
#define PTK_TRACE_TRACE_H

#include <stdbool.h>
#include <stddef.h>

#include "lang/ast.h"
#include "lang/diag.h"
#include "lang/ir/ir.h"
#include "lang/source.h"

/* `--const NAME=VALUE`: the value as written, parsed per the parameter's
 * declared type: int (decimal, 0x hex, `_` separators, sign), float, bool
 * (true/false/1/0), str (verbatim), dtype (f32, i32, index, …). */
typedef struct ptk_const_binding {
  const char *name;
  const char *value;
} ptk_const_binding;

typedef struct ptk_trace_opts {
  const char *const *include_dirs; /* `-I DIR`, searched after the importing file's folder */
  size_t ninclude;
  /* The stdlib folder, searched last. NULL: $PTK_STDLIB if set, else (for
   * the ptk command) the stdlib beside the executable (PREFIX/share/ptk/stdlib
   * when installed, REPO/stdlib for REPO/build/ptk), else the installed
   * PTK_STDLIB_DIR if it exists, else the source tree's stdlib/
   * (PTK_SOURCE_STDLIB). */
  const char *stdlib_dir;
} ptk_trace_opts;

/* One launch parameter (non-`const`), in ABI order. */
typedef struct ptk_trace_param {
  const char *name;
  unsigned position; /* 0-based among the launch parameters */
  bool is_ptr;       /* !pto.ptr<dtype> (global memory) */
  ptk_dtype dtype;   /* pointer element type, or the scalar's type */
  ptk_ast_dir dir;   /* as declared (PTK_DIR_NONE when not written) */
  ptk_range range;   /* the parameter in the .ptk file */
} ptk_trace_param;

/* One `const` parameter and the value it was traced with. */
typedef struct ptk_trace_const {
  const char *name;
  const char *type;  /* "int", "float", "bool", "str", "dtype" */
  const char *value; /* canonical text: 64, 1e-05, true, f32 */
  bool is_default;   /* no --const binding was given */
} ptk_trace_const;

typedef struct ptk_trace_info {
  const char *kernel; /* the .ptk name */
  const char *symbol; /* the entry function's symbol (@jit name =, default the kernel name) */
  const char *target; /* "a3" | "a5" */
  const char *kind;   /* "vector" | "cube" | "mixed" (declared, else inferred) */
  const char *mode;   /* "auto" | "explicit" */
  bool insert_sync;   /* effective: @jit insert_sync when given, else mode == auto */
  bool insert_sync_set; /* insert_sync was written in @jit */
  const ptk_trace_param *params;
  size_t nparams;
  const ptk_trace_const *consts; /* every const parameter, in declaration order */
  size_t nconsts;
  /* Source-backed kernels (@jit(source = …)); all NULL otherwise. */
  bool source_backed;
  ptk_range decl;              /* the kernel's name in the .ptk declaration */
  bool source_inline;          /* """…""" text in the .ptk file */
  const char *source_path;     /* as written (NULL for inline text) */
  const char *source_resolved; /* absolute path (NULL for inline text) */
  const char *source_sha256;   /* 64 hex digits of the .pto text */
  /* sha256 over every .ptk file read: the SHA-256 of the concatenated
   * 64-hex-digit sha256 of each .ptk file, in `deps` order. */
  const char *ptk_sha256;
  /* The specialization key: kernel, symbol, target, kind, mode, sync, the
   * bindings, the .ptk hash and the source hash. Equal keys = equal IR. */
  const char *key;
  /* Files the result depends on, for cache invalidation (realpaths): the
   * .ptk files in load order — the kernel's file first, then each import
   * as it is first reached (depth first) — then the .pto source of a
   * source-backed kernel (not for inline text). */
  const char *const *deps;
  size_t ndeps;
} ptk_trace_info;

typedef struct ptk_trace_result ptk_trace_result;

/* Traces kernel `kernel` (the .ptk name or its @jit symbol; NULL: the only
 * kernel of the file — several are an error listing them) of the .ptk file
 * `src`, or of the file at `path` when `src` is NULL (then read here and
 * owned by the result). NULL with located diagnostics in `d` on any error.
 * `o` may be NULL. */
ptk_trace_result *ptk_trace_kernel(const char *path, const ptk_source *src, const char *kernel,
                                   const ptk_const_binding *consts, size_t nconsts,
                                   const ptk_trace_opts *o, ptk_diags *d);
void ptk_trace_result_free(ptk_trace_result *r);

ptk_module *ptk_trace_module(const ptk_trace_result *r);
ptk_func *ptk_trace_entry(const ptk_trace_result *r);
const ptk_trace_info *ptk_trace_info_of(const ptk_trace_result *r);

/* fn helpers are inlined, so a pass (check-shapes, plan-memory, …) reports
 * an error inside an fn at the fn body's line. This adds, to every error
 * and warning of `d` from item index `from` on that is located at an op
 * traced inside fn calls, notes pointing at the calls: "in the call of 'f'
 * here" per level, innermost first; when the fn body line was traced by
 * several calls (the diagnostic does not say which op), a note at each of
 * those calls ("in one of the 2 calls of 'f' that trace this line: this
 * one", "or this one"). Nothing is written into the IR. */
void ptk_trace_call_notes(const ptk_trace_result *r, ptk_diags *d, size_t from);

/* The stdlib folder imports fall back to (see ptk_trace_opts.stdlib_dir);
 * malloc'd, NULL when there is none. */
char *ptk_trace_stdlib_dir(const ptk_trace_opts *o);

/* The arith.cmpi / arith.cmpf predicate a comparison operator traces to
 * (float operands: ordered, except != which is une), or -1 when op is not a
 * comparison. Kernels and programs share it. */
int ptk_trace_cmp_predicate(ptk_ast_binop op, bool fl);

/* The kernels a file declares (names in source order), for `--entry`
 * listings and `ptk check` of every kernel. Returns the count; `names` (may
 * be NULL) gets up to `max` pointers valid while `src` and `a` live. Parse
 * errors go to `d`. */
size_t ptk_trace_list_kernels(const ptk_source *src, ptk_arena *a, ptk_diags *d,
                              const char **names, size_t max);

#endif
