/* Programs: orchestration of several kernels as a task graph (DESIGN §2.8,
 * issue 12).
 *
 *   program mlp(x: tensor<f32>[M, 64] in, y: tensor<f32>[M, 64] out) {
 *     let h = alloc_tensor(shape = [M, 64], dtype = f32);
 *     let t = launch norm(x, h, M, blocks = 4);   // a task
 *     launch act(h, y, M, deps = [t]);            // ordered by data anyway
 *   }
 *
 * Loading (ptk_program_load) parses the file, finds the program, and checks
 * its body with an abstract run of the same evaluator that runs it later:
 * every kernel a launch names is loaded (traced or read, the pass pipeline
 * run) and every launch is checked against the kernel's ABI — arity,
 * tensor/scalar kinds, dtypes, the direction of each tensor argument (a
 * program `in` tensor passed to a parameter the kernel writes), use of an
 * intermediate freed at the end of its `scope`, explicit dependencies on
 * tasks launched later (the only way to write a cycle). Values that are
 * only known at run time (scalar parameters, dynamic dimensions, scalars
 * read out of tensors) are unknown there: an `if` on one checks both arms,
 * a `for` over one checks its body once; loops with known bounds are
 * checked for up to two iterations. After a clean check the body is traced
 * into the orchestration IR (orch_ir.h, docs/programs-ir.md), verified, and
 * its static-graph pass reports the hazards (warnings): pairs of launches
 * that touch the same bytes, one writing, that the task graph does not
 * order, so only program order does (always through a no_dep argument).
 *
 * Running (ptk_program_run) evaluates that IR with the real values
 * (`scf.for` and `scf.if` run on the host, so loops are effectively
 * unrolled into tasks) and submits each launch as a task to the scheduler (sched.c):
 * dependencies are derived from the byte intervals each task's tensor
 * arguments cover in their buffers — read-after-write, write-after-write
 * and write-after-read — plus the explicit `deps`. Tasks run on a pool of
 * worker threads, lowest ready task first; with one thread they run in
 * program order. A scalar read out of a tensor waits for the tasks that
 * write those bytes. Intermediates are 64-byte aligned, zero-filled host
 * buffers freed when their scope ends and the last task using them is
 * done. A task that fails stops the program: no task starts after it, and
 * the error (the kernel's located runtime error) gets a note naming the
 * task, its kernel and the launch.
 *
 * Nothing here prints; every problem is a located diagnostic. */
#ifndef PTK_RUNTIME_PROGRAM_PROGRAM_H
#define PTK_RUNTIME_PROGRAM_PROGRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lang/ast.h"
#include "lang/diag.h"
#include "runtime/interp/interp.h"
#include "runtime/tensor.h"
#include "runtime/kernel.h"
#include "trace/trace.h"

typedef struct ptk_program ptk_program;

typedef struct ptk_program_opts {
  const char *entry;            /* the program's name; NULL: the only program of the file */
  const ptk_trace_opts *trace;  /* include folders, stdlib (kept by reference) */
  unsigned load_flags;          /* PTK_LOAD_* for every kernel (runtime/kernel.h) */
  bool jit;                     /* prepare kernels for the JIT instead of the interpreter */
  /* Values for module-level `const NAME = …;` declarations of the program's
   * file, as the program body sees them (the value as text: "64", "1e-5",
   * "true", "f16"); a name with no such const is a load error. Kernels
   * still get their consts from the launches (`launch k(…, TILE = T)`). */
  const ptk_const_binding *consts;
  size_t nconsts;
  /* A program build folder (ptk compile): each kernel's pass dumps go to
   * dump_root/<stem>/ (see ptk_program_kernel_at), with dump_regex. */
  const char *dump_root, *dump_regex;
  /* Replay of a build folder: every launch takes its kernel from here, by
   * its display name (`add`, `m.add`, `add[N=4]`), as a .pto file read and
   * run through the passes, instead of tracing the kernel's source; a
   * launch of a kernel not listed is an error. */
  const struct ptk_program_kernel_src *kernel_srcs;
  size_t nkernel_srcs;
} ptk_program_opts;

typedef struct ptk_program_kernel_src {
  const char *display; /* as launched */
  const char *path;    /* the .pto file */
  const char *symbol;  /* its entry function */
} ptk_program_kernel_src;

/* One program parameter. */
typedef struct ptk_program_param {
  const char *name;
  bool is_tensor;
  ptk_tdtype tdtype;     /* tensors: element type */
  ptk_dtype dtype;       /* scalars: the type */
  int rank;
  int64_t dims[PTK_TENSOR_MAX_RANK];        /* -1: dynamic */
  const char *dim_names[PTK_TENSOR_MAX_RANK]; /* the name of a dynamic dimension, else NULL */
  ptk_ast_dir dir;       /* tensors: in / out / inout (none written: in) */
  ptk_range range;
} ptk_program_param;

/* Does the .ptk source declare a program (named `entry` when non-NULL)?
 * Parse errors are not reported here. */
bool ptk_program_in_source(const ptk_source *src, const char *entry);

/* Loads and checks a program. `src` may be NULL (the file at `path` is
 * read). NULL with located diagnostics on any error. */
ptk_program *ptk_program_load(const char *path, const ptk_source *src, const ptk_program_opts *o,
                              ptk_diags *d);
void ptk_program_free(ptk_program *p);
/* Loads a program from its orchestration IR (a build folder's
 * orchestration/<name>.pto; docs/programs-ir.md): read, verified, every
 * launch checked against its kernel (o->kernel_srcs), the static graph
 * derived. Runs with ptk_program_run like any program, evaluating the IR;
 * errors are located in the IR file. o->entry, consts and dumps are not
 * used. */
ptk_program *ptk_program_load_ir(const char *path, const ptk_program_opts *o, ptk_diags *d);

const char *ptk_program_name(const ptk_program *p);
size_t ptk_program_nparams(const ptk_program *p);
const ptk_program_param *ptk_program_param_at(const ptk_program *p, size_t i);
/* The program's declaration (for diagnostics about its arguments). */
ptk_range ptk_program_range(const ptk_program *p);

/* One executed task, for --trace and tests. */
typedef struct ptk_program_task_info {
  int64_t id;
  const char *kernel;
  uint32_t blocks;
  int worker;
  double t0_us, t1_us;     /* start and end, microseconds since the run began */
  const int64_t *preds;    /* tasks it depended on (after transitive pruning: the direct ones) */
  size_t npreds;
  ptk_range site;          /* the launch */
} ptk_program_task_info;

typedef struct ptk_program_run_opts {
  uint32_t threads;        /* 0: online CPUs; 1: tasks in program order on the calling thread */
  const char *target;
  bool poison;
  FILE *out;               /* kernels' print output */
  bool check_races;        /* record each task's accesses; report unordered overlapping pairs */
  const char *trace_path;  /* write a Chrome trace JSON here */
  ptk_rt_cancel *cancel;
  double timeout;          /* seconds per task (0: none) */
  /* Called on the worker running task `id` just before it launches
   * (after = false: its inputs are final) and after it succeeded (after =
   * true); kernel is the task's kernel (ptk_program_kernel_at's index).
   * False stops the program with the error in d. Must be thread-safe. */
  bool (*task_hook)(void *arg, int64_t id, size_t kernel, uint32_t blocks, bool after,
                    const ptk_launch_arg *args, size_t nargs, ptk_diags *d);
  void *task_hook_arg;
  uint64_t max_tasks;      /* 0: 10^7 */
} ptk_program_run_opts;

/* Runs the program with one argument per parameter (tensors for tensor
 * parameters, scalars otherwise). 0; PTK_PROGRAM_BAD_ARGS when the
 * arguments do not fit the parameters (nothing ran); 1 when the program
 * failed while running; errors located in d. */
enum { PTK_PROGRAM_BAD_ARGS = 2 };
int ptk_program_run(ptk_program *p, const ptk_program_run_opts *o, const ptk_launch_arg *args,
                    size_t nargs, ptk_diags *d);

/* The shape of out tensor parameter i for a return-style run: its static
 * dimensions, a dynamic one taken from an input tensor (in `la`, one entry
 * per parameter; out entries ignored) that names the same dimension.
 * False with a located error (asking for every tensor) when a dimension
 * cannot be resolved. */
bool ptk_program_out_shape(const ptk_program *p, size_t i, const ptk_launch_arg *la, int64_t *shape,
                           ptk_diags *d);

/* The kernels the program launches (one per specialization), in the
 * order their launches were first checked. */
typedef struct ptk_program_kernel {
  const char *display;  /* add, m.add, add[N=4] */
  const char *stem;     /* a file name for it: add, m.add, add__N_4 */
  ptk_loaded *loaded;   /* runtime/kernel.h */
  const char *path;     /* the file it came from (.ptk, or the .pto of a replay) */
} ptk_program_kernel;
size_t ptk_program_nkernels(const ptk_program *p);
ptk_program_kernel ptk_program_kernel_at(const ptk_program *p, size_t i);

/* The orchestration as a stand-alone .ptk text (a program loaded from its
 * IR: that IR, printed): the module-level consts of
 * the program's file and the program itself, verbatim, after a comment
 * (malloc'd). Its launches name kernels by their display names; it loads
 * with ptk_program_opts.kernel_srcs. */
char *ptk_program_orchestration_text(const ptk_program *p);

/* The orchestration IR built at load (runtime/program/orch_ir.h,
 * docs/programs-ir.md): a module holding one program function, traced from
 * the body, verified, with its static task graph (the `static-graph`
 * pass; its hazards were reported as warnings by ptk_program_load). Owned
 * by p. */
ptk_module *ptk_program_orchestration(const ptk_program *p);
struct ptk_orch_graph;
const struct ptk_orch_graph *ptk_program_static_graph(const ptk_program *p);

/* Tasks of the last run (valid until the next run or free). */
const ptk_program_task_info *ptk_program_tasks(const ptk_program *p, size_t *n);

#endif
