/* The IR interpreter: runs a PTO IR function on the host CPU over `blocks`
 * block instances (DESIGN §3, §5; reference/pto-ir.md §6-§9).
 *
 * Two steps. ptk_interp_prepare compiles a function (and every function it
 * calls) into a flat instruction array with one frame slot per SSA value,
 * pre-resolved tile descriptors and decoded attributes; the result is
 * immutable, so one program can be launched any number of times, from any
 * number of threads at once. ptk_interp_run executes it; executing allocates
 * nothing per op (tile ops call runtime/isa directly).
 *
 * The library never prints diagnostics and never exits: errors go to the
 * ptk_diags given (located at the op, naming the kernel and block), only
 * pto.print / pto.tprint write to ptk_launch_opts.out.
 *
 * Storage model (reference/pto-ir.md §9):
 * - Every block owns one byte array per on-chip memory, sized by the target:
 *       memory   loc       a3         a5
 *       UB       vec       192 KiB    248 KiB
 *       L1       mat       512 KiB    512 KiB
 *       L0A      left       64 KiB     64 KiB
 *       L0B      right      64 KiB     64 KiB
 *       L0C      acc       128 KiB    256 KiB
 *       BT       bias        1 KiB      4 KiB
 *       FB       scaling     2 KiB      4 KiB
 *   (bias and scaling capacities are ptk's choice; the references give none.)
 *   `pto.alloc_tile addr = %a` places the tile at byte %a of its memory, so
 *   tiles that share bytes alias; a range that leaves the memory is an error.
 * - A tile without `addr` gets private storage per alloc_tile op site, kept
 *   apart from the addressed memories (it never aliases an addressed tile and
 *   does not count against the capacity, but a single tile larger than its
 *   memory is an error). Its contents persist across loop iterations.
 * - Memories start zero-filled for every block; with `poison` (or
 *   PTK_POISON=1 in the environment of ptk run) they start as 0xA5 bytes, and
 *   the bytes a float tile claims first read as NaN, so reads of data that was
 *   never written show up.
 * - Global memory is the host tensors of the pointer arguments. Every tload,
 *   tstore, load_scalar and store_scalar checks the whole element range it
 *   touches against the buffer its pointer derives from (through
 *   make_tensor_view, partition_view, addptr, castptr) before touching
 *   memory; a violation stops the launch. ptrtoint gives a synthetic address
 *   ((k + 1) << 40 plus the byte offset for argument k) that inttoptr maps
 *   back.
 *
 * Blocks run on a pool of `threads` threads; each block has its own on-chip
 * memories, block index and frame, and all share global memory, so results do
 * not depend on the thread count. When several blocks fail, the error of the
 * lowest block index is reported (blocks above it may be skipped). A kernel
 * with atomic-add stores runs its blocks in block order on one thread, so the
 * floating-point sums are reproducible. pto.print / pto.tprint output is
 * written block by block in block order.
 *
 * Scalars: integers wrap at their width, index is 64-bit, signed/unsigned
 * division and remainder follow arith, division by zero is a runtime error,
 * shifts by the width or more give 0 (or the sign for shrsi), fptosi/fptoui
 * saturate (NaN -> 0); f32 arithmetic is done in f32, f16/bf16 in f32 rounded
 * back after each op, f64 in f64. Sub-block ids: get_subblock_idx is 0,
 * get_subblock_num 1 (each block runs one vector sub-block). Sync ops are
 * no-ops; pto.section.* bodies run inline. */
#ifndef PTK_RUNTIME_INTERP_INTERP_H
#define PTK_RUNTIME_INTERP_INTERP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lang/diag.h"
#include "lang/ir/ir.h"
#include "runtime/tensor.h"

typedef enum ptk_arg_kind { PTK_ARG_TENSOR, PTK_ARG_SCALAR } ptk_arg_kind;

/* One launch argument, in parameter order. A pointer parameter takes a
 * tensor (C-contiguous, element size equal to the pointer's element type;
 * read and written in place). A scalar parameter takes a value: `dt` says
 * which field holds it (a float dtype: f, otherwise i); it is converted to
 * the parameter's type (integers wrap to the width, floats round). */
typedef struct ptk_launch_arg {
  ptk_arg_kind kind;
  ptk_tensor *tensor;
  ptk_dtype dt;
  int64_t i;
  double f;
} ptk_launch_arg;

/* A cancellation source (runtime/launch.h). */
typedef struct ptk_rt_cancel ptk_rt_cancel;

typedef struct ptk_launch_opts {
  uint32_t blocks;    /* 0 means 1 */
  uint32_t threads;   /* 0: min(blocks, online CPUs); at most PTK_RT_MAX_WORKERS (256) */
  const char *target; /* "a3" | "a5"; NULL: the module's pto.target_arch ("a5…" -> a5), else a3 */
  bool poison;
  FILE *out;          /* pto.print / pto.tprint; NULL: stdout */
  double timeout;     /* seconds; > 0: stop the launch when it runs longer */
  double timeout_limit; /* the limit the error names when a caller spreads one
                           limit over several launches (ptk run --repeat);
                           0: timeout itself */
  ptk_rt_cancel *cancel; /* NULL, or a source whose cancel stops this launch */
  bool check_races;   /* record global accesses; overlapping ones of two blocks are an error */
  /* Programs (runtime/program, --check-races across tasks): when set, every
   * global access is recorded (as for check_races) and handed to it after a
   * successful launch: n records of struct ptk_rt_access (launch.h). */
  void (*accesses)(void *arg, const void *records, size_t n);
  void *accesses_arg;
  /* A source-backed kernel declared in .ptk: its name (errors say "in
   * kernel 'NAME'") and the declaration, which a note points at. NULL /
   * none: the entry function's symbol. */
  const char *kernel;
  ptk_range decl;
} ptk_launch_opts;

typedef struct ptk_interp_prog ptk_interp_prog;

/* Compiles `entry` and its callees. NULL (with located errors in d) when
 * the IR uses something the interpreter does not run or is malformed. The
 * module must outlive the program. */
ptk_interp_prog *ptk_interp_prepare(const ptk_func *entry, ptk_diags *d);
void ptk_interp_free(ptk_interp_prog *p);

/* Runs a prepared program. 0 on success; non-zero with an error in d
 * (argument mismatch, runtime error): 2 when an allocation failed, 3 when
 * the launch was stopped (timeout or cancel), 1 otherwise. Thread-safe for
 * concurrent calls. */
int ptk_interp_run(const ptk_interp_prog *p, const ptk_launch_opts *o, const ptk_launch_arg *args,
                   size_t nargs, ptk_diags *d);

/* prepare + run + free. */
int ptk_interp_launch(const ptk_func *entry, const ptk_launch_opts *o, const ptk_launch_arg *args,
                      size_t nargs, ptk_diags *d);

#endif
