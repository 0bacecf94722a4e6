/* Program build folders (issue 12; DESIGN §4): what `ptk compile PROG.ptk
 * -o DIR` writes, what `ptk run PROG.ptk --save DIR [--dump-tasks]` adds,
 * and what `ptk replay DIR` reads back.
 *
 *   DIR/kernel_config.json             the manifest, program form (below); removed
 *                                      first, written last
 *   DIR/orchestration/<program>.pto    the orchestration IR (orch_ir.h): what replay runs
 *   DIR/orchestration/<program>.ptk    the program and its file's module consts,
 *                                      verbatim (no kernels), for reading
 *   DIR/kernels/<aiv|aic>/<stem>.pto   every kernel the program launches (one per
 *                                      specialization), final PTO IR after the passes
 *   DIR/kernels/<aiv|aic>/<stem>.c     its generated C (JIT backend)
 *   DIR/passes_dump/<stem>/…           with --dump-passes: per kernel, NN_after_<pass>.pto;
 *                                      <program>/ for the orchestration (input, verify,
 *                                      static-graph)
 *   DIR/inputs/<k>_<name>.npy          with ptk run --save: every program parameter
 *   DIR/outputs/<k>_<name>.npy         before / after the run (scalars as rank-0 arrays)
 *   DIR/run.json                       {"format": "ptk-run", "program": NAME, …}
 *   DIR/tasks/NNN_<stem>/              with --dump-tasks[=REGEX]: task NNN as a complete
 *                                      single-kernel build folder (kernel.pto,
 *                                      kernel_config.json, inputs/ before it ran,
 *                                      outputs/ after, run.json) for `ptk replay`
 *
 * kernel_config.json (keys mirror PyPTO's ORCHESTRATION / KERNELS /
 * RUNTIME_CONFIG):
 *   {"format": "ptk-program-config", "format_version": 1, "tool": {…},
 *    "orchestration": {"file", "function", "signature": [{"name", "kind",
 *        "dtype", "direction", "shape"}], "sha256", "source": {"path", "sha256"},
 *        "ir": {"file", "sha256"}},
 *    "kernels": [{"func_id", "name" (as launched), "symbol", "core_type",
 *        "file", "sha256", "c_file", "signature": ["in", "out", "scalar", …],
 *        "params": [{"position", "name", "kind", "dtype", "direction"}],
 *        "consts": [{"name", "value"}], "source": {"path", "sha256", …} | null}],
 *    "runtime": {"dependency_tracking", "threads", "deterministic",
 *        "single_thread_order"},
 *    "graph": {"tasks": [{"id", "func_id", "kernel", "blocks", "deps"}]} | null,
 *    "static_graph": {"from", "complete", "nodes": [{"id", "kernel", "func_id",
 *        "iteration", "line", "col"}], "edges": [{"from", "to", "kind" (RAW, WAR,
 *        WAW, DEP), "buffer", "bytes": [lo, hi) | null}]}}
 * The graph is the one a run on zero-filled tensors makes, written when the
 * program has no scalar parameters and no dynamic dimensions (then it is
 * the graph of every run), else null. */
#ifndef PTK_RUNTIME_PROGRAM_BUILD_H
#define PTK_RUNTIME_PROGRAM_BUILD_H

#include <stdbool.h>

#include "lang/diag.h"
#include "runtime/program/program.h"

#define PTK_PROGRAM_CONFIG_FORMAT "ptk-program-config"

/* Writes the build folder of a loaded program (input_path: the .ptk as
 * given). False with errors in d. */
bool ptk_program_build(ptk_program *p, const char *dir, const char *input_path, ptk_diags *d);

/* Saving a run: before (removes run.json, writes inputs/) and after
 * (outputs/, then run.json). */
bool ptk_program_save_inputs(const ptk_program *p, const char *dir, const ptk_launch_arg *args, ptk_diags *d);
bool ptk_program_save_outputs(const ptk_program *p, const char *dir, const ptk_launch_arg *args, uint32_t threads,
                              ptk_diags *d);

/* --dump-tasks: a task hook (ptk_program_run_opts.task_hook) writing
 * DIR/tasks/NNN_<stem>/ for the tasks whose kernel display name matches
 * the regex (NULL: every task). */
typedef struct ptk_task_dumper ptk_task_dumper;
ptk_task_dumper *ptk_task_dumper_new(const ptk_program *p, const char *dir, const char *regex, ptk_diags *d);
bool ptk_task_dumper_hook(void *dumper, int64_t id, size_t kernel, uint32_t blocks, bool after,
                          const ptk_launch_arg *args, size_t nargs, ptk_diags *d);
size_t ptk_task_dumper_count(const ptk_task_dumper *t);
void ptk_task_dumper_free(ptk_task_dumper *t);

/* ptk replay DIR on a program build folder (DIR/kernel_config.json has the
 * program format). Prints the report to stdout; returns the exit status. */
typedef struct ptk_program_replay_opts {
  uint32_t threads;
  bool jit;
  bool tol;
  double rtol, atol;
  const char *outdir;
} ptk_program_replay_opts;
bool ptk_program_config_is_program(const char *cfg_path);
int ptk_program_replay(const char *dir, const ptk_program_replay_opts *o, ptk_diags *d);

#endif
