/* The task-graph scheduler of programs (internal to runtime/program).
 *
 * Tasks are submitted in program order by one thread (the orchestrator).
 * Each names the byte intervals of the buffers it reads and writes; a new
 * task depends on every earlier task whose interval on the same buffer
 * overlaps one of its own with at least one of the two writing (RAW, WAW,
 * WAR), plus its explicit dependencies. A write that covers earlier records
 * of a buffer completely replaces them (whoever touches those bytes later
 * depends on the writer, which depends on them), so the records stay few.
 * Ready tasks run lowest id first on `threads` workers; with one thread
 * every task runs on the submitting thread at submission: program order.
 * After a task fails no task starts; psched_finish reports the failure of
 * the lowest failing task. */
#ifndef PTK_RUNTIME_PROGRAM_SCHED_H
#define PTK_RUNTIME_PROGRAM_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#include "lang/diag.h"
#include "runtime/interp/interp.h"

typedef struct psched psched;

typedef struct paccess {
  int32_t buf;
  int64_t lo, hi; /* bytes [lo, hi) */
  uint8_t mode;   /* 1 read, 2 write, 3 both */
} paccess;

/* One recorded access of a running task (--check-races). */
typedef struct prec_access {
  int32_t buf;      /* program buffer */
  int64_t lo, hi;   /* bytes in the buffer */
  uint8_t write;
  ptk_loc loc;      /* the op */
  const char *opname;
  int64_t block;
} prec_access;

typedef struct ptask_desc {
  void *kernel;      /* passed back to the run function */
  const char *kname;
  uint32_t blocks;
  ptk_launch_arg *args; /* owned by the task once submitted (tensors: views freed with it) */
  size_t nargs;
  int32_t *arg_buf;  /* per argument: the program buffer of a tensor argument, else -1 */
  int64_t *arg_off;  /* per argument: byte offset of the view in its buffer */
  paccess *acc;      /* owned */
  size_t nacc;
  const int64_t *deps; /* explicit dependencies (copied) */
  size_t ndeps;
  ptk_range site;
} ptask_desc;

/* Where a task's recorded accesses go (--check-races): psched_record_launch
 * converts a launch's records to program buffers. */
typedef struct precorder precorder;
void psched_record_launch(void *recorder, const void *records, size_t n);

/* Runs task `id`: a launch of `kernel` with `lo` (blocks, threads set). When
 * `rec` is non-NULL, set lo.accesses = psched_record_launch and
 * lo.accesses_arg = rec before launching. */
typedef int (*psched_run_fn)(int64_t id, void *kernel, const ptk_launch_opts *lo, const ptk_launch_arg *args,
                             size_t nargs, void *rec, ptk_diags *d);

typedef struct psched_task_view {
  int64_t id;
  const char *kname;
  uint32_t blocks;
  int worker;
  double t0_us, t1_us;
  const int64_t *preds;
  size_t npreds;
  ptk_range site;
  bool ran;
} psched_task_view;

psched *psched_new(uint32_t threads, psched_run_fn run, const ptk_launch_opts *base, bool races);
/* A new buffer (program parameter or intermediate); `owned` data is freed
 * once released and no task uses it. Returns its id. */
int32_t psched_buf(psched *s, void *data, int64_t nbytes, bool owned, const char *name);
/* The program no longer uses the buffer (scope end). */
void psched_release(psched *s, int32_t buf);
/* Submits a task (takes ownership of desc's args/acc). Its id, or -1 when
 * the program has stopped because a task failed. */
int64_t psched_submit(psched *s, ptask_desc *t);
/* Waits for every task that writes bytes of [lo, hi) of buf. False when a
 * task failed meanwhile. */
bool psched_wait_writers(psched *s, int32_t buf, int64_t lo, int64_t hi);
/* Waits for every task; the failure (lowest failing task) goes to d with a
 * note at its launch. --check-races findings too. True when all ran. */
bool psched_finish(psched *s, ptk_diags *d, ptk_range prog);
bool psched_failed(psched *s);
size_t psched_ntasks(const psched *s);
psched_task_view psched_task(const psched *s, size_t i);
void psched_free(psched *s);

#endif
