/* The JIT engine (DESIGN §5): IR -> C (backend/c/emit.h) -> cc -> .so,
 * cached by content hash, run over blocks with exactly the semantics,
 * argument conventions and diagnostics of the IR interpreter
 * (runtime/interp/interp.h).
 *
 * Cache: <dir>/<sha256>.so where the hash covers the generated C text, the
 * compiler command and its flags. dir = opts->cache_dir, else
 * $PTK_CACHE_DIR, else $XDG_CACHE_HOME/ptk, else ~/.cache/ptk. A miss
 * writes <hash>.c, runs `$CC -O3 -ffp-contract=off … -m<host features> -fPIC -shared -o <tmp> <hash>.c`
 * (CC defaults to cc; fork/exec, no shell) and renames the result into
 * place, so concurrent processes never see a partial .so.
 *
 * The kernel .so has no undefined symbols besides libc/libm: the host
 * passes it a function table (ptkj_env, runtime/jit/abi.h) with the
 * runtime/isa entry points and the host services. */
#ifndef PTK_RUNTIME_JIT_JIT_H
#define PTK_RUNTIME_JIT_JIT_H

#include "runtime/interp/interp.h"

typedef struct ptk_jit_opts {
  const char *cache_dir; /* NULL: see above */
  const char *cc;        /* NULL: $CC, else "cc" */
  bool keep_c;           /* keep <hash>.c next to the .so (default: removed) */
} ptk_jit_opts;

typedef struct ptk_jit_prog ptk_jit_prog;

/* Validates (as ptk_interp_prepare does), emits, compiles or finds in the
 * cache, loads. NULL with located errors in d. The module must outlive the
 * program. */
ptk_jit_prog *ptk_jit_prepare(const ptk_func *entry, const ptk_jit_opts *o, ptk_diags *d);
void ptk_jit_free(ptk_jit_prog *p);

/* Same contract as ptk_interp_run. */
int ptk_jit_run(const ptk_jit_prog *p, const ptk_launch_opts *o, const ptk_launch_arg *args,
                size_t nargs, ptk_diags *d);

/* prepare + run + free. */
int ptk_jit_launch(const ptk_func *entry, const ptk_jit_opts *jo, const ptk_launch_opts *o,
                   const ptk_launch_arg *args, size_t nargs, ptk_diags *d);

/* Whether the last prepare of this program compiled (false: cache hit). */
bool ptk_jit_compiled(const ptk_jit_prog *p);
/* The .so path. */
const char *ptk_jit_so_path(const ptk_jit_prog *p);

#endif
