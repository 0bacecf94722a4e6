/* The passes of the shared pipeline (DESIGN §4), one file each, callable on
 * their own (unit tests, tools) or through the pass manager
 * (backend/passes/pipeline.h), which runs them in order:
 *
 *   verify → canonicalize → cse → check-shapes → derive-arg-directions
 *          → plan-memory (auto mode) → insert-sync (auto mode or insert_sync)
 *
 * Every pass works on a whole module (all functions with a body) unless
 * said otherwise, reports located diagnostics to `d`, never prints and
 * never crashes on IR the verifier accepts. Costs are linear in the size of
 * the IR (plan-memory and insert-sync: linear times the number of
 * simultaneously live tiles). */
#ifndef PTK_BACKEND_PASSES_PASSES_H
#define PTK_BACKEND_PASSES_PASSES_H

#include <stdbool.h>
#include <stdint.h>

#include "lang/ast.h"
#include "lang/diag.h"
#include "lang/ir/ir.h"
#include "lang/ir/target.h" /* ptk_target, ptk_target_capacity, ptk_mem_name */

/* ======================================================================
 * canonicalize
 * ====================================================================== */

typedef struct ptk_canon_stats {
  uint32_t folded;        /* ops replaced by a constant or an operand */
  uint32_t erased;        /* dead ops removed */
  uint32_t inlined;       /* scf.if / scf.for regions inlined */
  uint32_t loops_removed; /* zero-trip scf.for */
  uint32_t consts_merged; /* duplicate constants merged */
  uint32_t iterations;    /* fixpoint rounds */
} ptk_canon_stats;

/* Folds arith ops on constants (integer widths wrap; i1; index as i64;
 * signed/unsigned division, never by zero or with overflow), arith.select
 * and scf.if on constant conditions, scf.for with zero or one trip, casts
 * of constants, a few identities (x+0, x*1, x-x…); hoists constants to the
 * top of the function's entry block and merges duplicates; removes ops
 * whose results are unused and that have no effect; repeats until nothing
 * changes. Returns true when the module changed. `st` may be NULL. */
bool ptk_canonicalize(ptk_module *m, ptk_canon_stats *st);

/* ======================================================================
 * cse
 * ====================================================================== */

/* Replaces a pure op (PTK_OPF_PURE, no regions) by an identical one (kind,
 * operands — either order for commutative ops —, attributes, result types)
 * that dominates it. Returns the number of ops removed. */
uint32_t ptk_cse(ptk_module *m);

/* ======================================================================
 * check-shapes
 * ====================================================================== */

/* Dataflow checks that need constants (valid shapes given by constant
 * operands of alloc_tile / set_validshape): elementwise operands agree in
 * valid shape; tload/tstore partition shape vs the tile's valid shape;
 * matmul K agreement (A.v_col == B.v_row, M, N); expand ops' operand forms;
 * row-reduction destination form. True when clean. */
bool ptk_check_shapes(ptk_module *m, ptk_diags *d);

/* ======================================================================
 * derive-arg-directions
 * ====================================================================== */

typedef enum {
  PTK_ARGDIR_NONE,   /* not a pointer argument */
  PTK_ARGDIR_UNUSED, /* a pointer never read or written */
  PTK_ARGDIR_IN,
  PTK_ARGDIR_OUT,
  PTK_ARGDIR_INOUT,
} ptk_arg_dir;

const char *ptk_arg_dir_name(ptk_arg_dir d); /* "", "unused", "in", "out", "inout" */

/* Directions of one function's arguments. read_at/write_at: the first op
 * (pre-order) that reads / writes the argument's memory, for notes
 * (begin.src NULL when none). */
typedef struct ptk_arg_dirs {
  uint32_t n;
  ptk_arg_dir *dir;
  ptk_range *read_at, *write_at;
} ptk_arg_dirs;

/* Derives each pointer argument's direction from the tloads, tstores,
 * scalar loads/stores and gathers/scatters reaching it through
 * make_tensor_view, partition_view, addptr/castptr, scf results and
 * iter_args, arith.select, and func.call (the callee's derived directions).
 * A read counts only when it can observe the caller's data: a tload of a
 * partition that a dominating tstore (same partition value, full static
 * coverage, no atomic add) wrote first does not make the argument IN.
 * Calls to functions without a body count as INOUT. `out` is overwritten
 * (free with ptk_arg_dirs_free). Always succeeds. */
void ptk_derive_arg_directions(ptk_func *f, ptk_arg_dirs *out);
void ptk_arg_dirs_free(ptk_arg_dirs *a);

/* Checks declared directions against derived ones: for each argument i
 * with declared[i] != PTK_DIR_NONE, a contradiction (in but written, out
 * but read, inout but only read or only written) is an error at ranges[i]
 * naming names[i] (may be NULL: "argument #i"), with a note at the first
 * access. A pointer that is never accessed contradicts nothing. True when
 * consistent. */
bool ptk_check_arg_directions(const ptk_arg_dirs *derived, const ptk_ast_dir *declared,
                              const ptk_range *ranges, const char *const *names, uint32_t n,
                              ptk_diags *d);

/* ======================================================================
 * plan-memory
 * ====================================================================== */

typedef struct ptk_mem_stats {
  uint32_t planned;                    /* alloc_tile ops given an address */
  uint64_t peak[PTK_SPACE__COUNT];     /* max bytes of simultaneously live tiles */
  uint64_t used[PTK_SPACE__COUNT];     /* highest end address handed out */
  uint64_t total[PTK_SPACE__COUNT];    /* sum of the (aligned) sizes of all tiles */
  uint32_t ntiles[PTK_SPACE__COUNT];
} ptk_mem_stats;

/* Alignment of planned tile addresses (bytes). */
#define PTK_TILE_ALIGN 32

/* Gives every pto.alloc_tile without `addr` an address in its memory
 * (`addr = %cN : i64`), from tile liveness: a tile lives from its first
 * write (when that write defines the whole tile before anything can read
 * it; otherwise from the start of the function, so a tile read before it
 * is written still sees fresh, zeroed memory as without the pass) to its
 * last use, uses through aliases included (treshape, subview, bitcast,
 * scf.if results, iter_args, loop results); a tile used in a loop that it
 * is not defined in lives across the whole loop; a tile allocated in a
 * loop whose contents may be read before they are written in an iteration
 * lives across its outermost loop. Addresses are PTK_TILE_ALIGN aligned;
 * space of dead tiles is reused (first fit); tiles that already have an
 * address keep it and are avoided. Callees get space above their callers.
 * A memory that overflows is an error naming the memory, its capacity, the
 * peak and the tiles live at the peak (notes with their locations) — after
 * one more try in which the tiles that no op writes (their contents are
 * undefined) get no space of their own, as in ptoas, and sit at the
 * start of the memory over the others. A scratch tmp that the op does not
 * touch on the target (PTK_OPF_TMP_A3 on a5) is no use of its tile.
 * Runs ptk_check_memory_plan afterwards. `st` may be NULL. True when ok. */
bool ptk_plan_memory(ptk_module *m, ptk_target t, ptk_mem_stats *st, ptk_diags *d);

/* The invariant: no two simultaneously live tiles of the same memory
 * overlap, unless both had their address before planning (explicit
 * aliasing is allowed) — i.e. every pair with at least one tile whose
 * alloc_tile op uid is marked in `planned` (indexed by op uid, size
 * `nplanned`; NULL: check every pair; 2 marks a tile placed over others
 * because nothing writes it, never checked); every constant address is aligned
 * and inside the memory. True when it holds; otherwise located errors. */
bool ptk_check_memory_plan(ptk_module *m, ptk_target t, const uint8_t *planned,
                           uint32_t nplanned, ptk_diags *d);

/* ======================================================================
 * insert-sync
 * ====================================================================== */

/* Pipes, in the numbering of the pipe enum (lang/ir/enums.def). */
typedef enum {
  PTK_PIPE_S,
  PTK_PIPE_V,
  PTK_PIPE_M,
  PTK_PIPE_MTE1,
  PTK_PIPE_MTE2,
  PTK_PIPE_MTE3,
  PTK_PIPE_ALL,
  PTK_PIPE_MTE4,
  PTK_PIPE_MTE5,
  PTK_PIPE_V2,
  PTK_PIPE_FIX,
  PTK_PIPE__COUNT,
  PTK_PIPE_NONE = -1
} ptk_pipe;

const char *ptk_pipe_name(ptk_pipe p); /* "PIPE_MTE2" */
/* The pipe an op executes on (reference/pto-isa.md §1.4): tload MTE2;
 * tstore from vec/mat MTE3, from acc FIX; tmov/textract mat→left/right/
 * bias/scaling MTE1, acc→… FIX; matmul family M; tgetval/tsetval and scalar
 * loads/stores S; other tile ops V; PTK_PIPE_NONE for ops that do no pipe
 * work (arith, views, alloc_tile, scf, sync ops). */
ptk_pipe ptk_op_pipe(const ptk_op *op);

typedef struct ptk_sync_stats {
  uint32_t pairs;    /* set_flag/wait_flag pairs inserted */
  uint32_t barriers; /* pto.barrier ops inserted */
  uint32_t skipped;  /* functions left alone: they already have set_flag/wait_flag */
} ptk_sync_stats;

/* Inserts pto.set_flag / pto.wait_flag pairs between an op and a later op
 * on another pipe that touches the same memory (tiles by address when
 * known, else by allocation; global memory by pointer argument) with a
 * read-after-write, write-after-read or write-after-write hazard, loop-
 * carried hazards included; event ids come from 8 per pipe pair; a
 * `pto.barrier <PIPE_ALL>` goes before every func.return and func.call.
 * Functions that already contain sync ops (set_flag, wait_flag, barrier…) are left alone.
 * `st` may be NULL. */
void ptk_insert_sync(ptk_module *m, ptk_sync_stats *st);

/* The checker: simulates the pipes of every function (structured control
 * flow, loops to a fixpoint) with vector clocks carried by flags (set_flag,
 * record_event, set_flag_dyn / their waits, barrier, get_buf/rls_buf; see
 * insert_sync.c for each op's model), and reports as errors: an op that depends on an op of another pipe with no
 * set_flag/wait_flag (or barrier) chain between them; a wait_flag with no
 * set_flag before it on some path; a set_flag whose event is already set;
 * a set_flag never waited for; branches or loop iterations that leave
 * flags in different states. True when clean. */
bool ptk_check_sync(ptk_module *m, ptk_diags *d);
/* The same for one function; `warn`: report the findings as warnings
 * (still false when there are any). */
bool ptk_check_sync_func(ptk_func *f, bool warn, ptk_diags *d);
/* --strict-sync without the pipeline (`ptk check`): checks, as errors, the
 * functions whose sync the author wrote: every function with a body when
 * `explicit_mode`, else those with sync ops. True when clean. */
bool ptk_check_sync_as_written(ptk_module *m, bool explicit_mode, ptk_diags *d);
/* Whether a function already contains sync ops (insert-sync skips it). */
bool ptk_func_has_sync(ptk_func *f);

#endif
