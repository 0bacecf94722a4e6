/* ptk run on a program (runtime/cli/run_program.c). */
#ifndef PTK_RUNTIME_CLI_RUN_PROGRAM_H
#define PTK_RUNTIME_CLI_RUN_PROGRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lang/diag.h"
#include "trace/trace.h"

typedef struct ptk_rt_cancel ptk_rt_cancel;

typedef struct ptk_run_program_opts {
  const char *entry;
  const ptk_trace_opts *trace;
  unsigned load_flags;
  bool jit, poison, check_races, time;
  uint32_t threads;
  const char *target, *outdir, *trace_path;
  const char *savedir;       /* --save DIR */
  bool dump_tasks;           /* --dump-tasks[=REGEX] */
  const char *dump_tasks_re;
  const char *const *args;
  size_t nargs;
  ptk_rt_cancel *cancel;
} ptk_run_program_opts;

int ptk_run_program(const ptk_source *src, const ptk_run_program_opts *o, ptk_diags *d);

#endif
