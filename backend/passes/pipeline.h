/* The pass manager: the shared pipeline (DESIGN §4) for traced and
 * source-backed kernels alike. The pipeline is described in ONE place, the
 * table in pipeline.c:
 *
 *   verify (input) → canonicalize → cse → check-shapes → derive-arg-directions
 *     → plan-memory (auto mode only) → insert-sync (auto mode, or insert_sync;
 *       with strict_sync and no insertion: the sync check only)
 *
 * Typical use (ptk compile):
 *
 *   ptk_pipeline_result res = {0};
 *   ptk_pipeline_opts o = {.mode = PTK_MODE_AUTO, .target = PTK_TARGET_A3,
 *                          .insert_sync = -1, .dump_dir = "out/passes_dump",
 *                          .result = &res};
 *   ptk_buf report = {0};
 *   int rc = ptk_pipeline_run(m, entry, &o, d, &report);  // 0 ok, 1 errors in d
 *   fputs(ptk_buf_cstr(&report), stderr);                 // --time-passes / --stats
 *   … res.dirs (the entry's argument directions), res.passes (what ran) …
 *   ptk_pipeline_result_free(&res);
 */
#ifndef PTK_BACKEND_PASSES_PIPELINE_H
#define PTK_BACKEND_PASSES_PIPELINE_H

#include <stdbool.h>
#include <stdint.h>

#include "backend/passes/passes.h"
#include "lang/diag.h"
#include "lang/ir/ir.h"
#include "lang/util.h"

typedef enum { PTK_MODE_AUTO, PTK_MODE_EXPLICIT } ptk_mode;
const char *ptk_mode_name(ptk_mode m); /* "auto", "explicit" */

#define PTK_PIPELINE_MAX_PASSES 16

/* What a run produced, for kernel_config.json and tools. */
typedef struct ptk_pipeline_result {
  ptk_arg_dirs dirs; /* the entry function's argument directions (n = 0 without entry) */
  const char *passes[PTK_PIPELINE_MAX_PASSES]; /* names of the passes that ran, in order */
  uint32_t npasses;
  /* passes that do not apply to this kernel (VPTO: plan-memory, insert-sync) and why */
  const char *skipped[PTK_PIPELINE_MAX_PASSES];
  uint32_t nskipped;
  const char *skip_reason;
  bool mem_planned; /* plan-memory ran */
  ptk_mem_stats mem;
  bool sync_inserted; /* insert-sync ran */
  ptk_sync_stats sync;
  ptk_canon_stats canon;
  uint32_t cse_removed;
  double ms[PTK_PIPELINE_MAX_PASSES + 1]; /* [0] input verify, [k] pass k */
  double ms_total;
} ptk_pipeline_result;

void ptk_pipeline_result_free(ptk_pipeline_result *r);

typedef struct ptk_pipeline_opts {
  ptk_mode mode;
  ptk_target target;
  int insert_sync; /* -1: when mode is auto; 0: never; 1: always */
  /* --strict-sync: synchronization findings in code the author synchronized
   * are errors (else warnings: the host runs sequentially, so they cannot
   * change a result), and functions insert-sync does not run on (explicit
   * mode, --no-insert-sync) are checked as written too (else unchecked). */
  bool strict_sync;
  /* --dump-passes: the folder (created) receiving 00_input.pto and
   * NN_after_<pass>.pto (NN: execution index, 01 = first pass); stale
   * NN_*.pto files in it are removed first. NULL: no dumps. */
  const char *dump_dir;
  /* PCRE2 pattern (searched in the pass name) selecting the NN_after
   * dumps; NULL or "": every pass. 00_input.pto is always written. */
  const char *dump_regex;
  bool verify_each; /* verifier after every pass (also when PTK_VERIFY_EACH=1) */
  /* skip the optimizing passes (canonicalize, cse; also when
   * PTK_NO_OPTIMIZE=1): a kernel must give the same bytes either way, which
   * the differential tests check for every sample and corpus case */
  bool no_optimize;
  bool time_passes; /* per-pass wall times (and peak memory) into the report */
  bool stats;       /* per-pass statistics (and peak memory) into the report */
  /* Declared directions of the entry's arguments (a .ptk declaration):
   * checked by derive-arg-directions; NULL: nothing declared. */
  const ptk_ast_dir *declared;
  const ptk_range *decl_ranges;
  const char *const *decl_names;
  uint32_t ndeclared;
  ptk_pipeline_result *result; /* filled when non-NULL (zero it first) */
} ptk_pipeline_opts;

/* Runs the pipeline over m (every function with a body; `entry` — NULL:
 * the only function with a body, else the one marked pto.entry — is
 * the kernel whose argument directions are derived). The verifier always
 * checks the input, and after every pass with verify_each. Stops at the
 * first pass that reports an error. Writes dumps when asked; appends the
 * --time-passes / --stats text to `report` (may be NULL). Returns 0 when
 * clean, 1 when errors were reported to d. */
int ptk_pipeline_run(ptk_module *m, ptk_func *entry, const ptk_pipeline_opts *o, ptk_diags *d,
                     ptk_buf *report);

/* --print-pipeline: every pass of the table, in order, with what it does
 * and when it runs. */
void ptk_pipeline_print(ptk_buf *out);

/* Checks a --dump-passes pattern: true when PCRE2 compiles it; otherwise
 * false with the message ("missing closing parenthesis at offset 3") in err. */
bool ptk_pipeline_regex_ok(const char *re, ptk_buf *err);

/* The entry function of m: the only function with a body, else the one
 * with unit attribute pto.entry (or pto.kernel), else NULL. With `name`: that symbol (nested
 * modules searched). */
ptk_func *ptk_pipeline_find_entry(ptk_module *m, const char *name);

#endif
