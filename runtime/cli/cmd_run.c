/* ptk run: load a kernel (.ptk traced or .pto read, through the shared
 * kernel loader and its pass pipeline), bind command-line arguments to the
 * entry function's parameters, run it with the IR interpreter, write
 * outputs. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "runtime/cli/cli.h"
#include "runtime/interp/interp.h"
#include "runtime/jit/jit.h"
#include "runtime/kernel.h"
#include "runtime/cancel.h"
#include "runtime/replay.h"
#include "runtime/cli/run_program.h"
#include "runtime/program/program.h"

const char ptk_cmd_run_usage[] =
    "usage: ptk run FILE [OPTIONS] [--] ARG...\n"
    "\n"
    "Run a kernel on the host CPU, in the IR interpreter or (--engine jit) as\n"
    "compiled C; both give the same bytes. FILE is a .ptk kernel (traced) or a\n"
    ".pto file; either goes through the pass pipeline first. Every\n"
    "global-memory access is bounds-checked against the argument buffers.\n"
    "\n"
    "options:\n"
    "  --entry NAME     .ptk: the kernel to run (default: the only one); .pto: the\n"
    "                   function (default: the only function with a body, else\n"
    "                   the one marked pto.entry or pto.kernel, else the only public one)\n"
    "  --const NAME=VALUE  bind a const parameter of a .ptk kernel (repeatable)\n"
    "  -I DIR           search DIR for imports of a .ptk kernel (repeatable)\n"
    "  --blocks N       number of blocks to launch (default 1); each block has its own\n"
    "                   on-chip memory and pto.get_block_idx\n"
    "  --threads N      worker threads (default: min(blocks, CPUs); never more than\n"
    "                   blocks or 256); results are identical for every thread count\n"
    "                   (racy kernels excepted: see --check-races)\n"
    "  --target a2|a3|a5\n"
    "                   on-chip memory sizes (default: the module's pto.target_arch,\n"
    "                   else a3; a2 has a3's, as in ptoas)\n"
    "  --mode auto|explicit\n"
    "                   auto: plan tile addresses and insert sync; explicit (ptoas\n"
    "                   --pto-level=level3): the kernel places every tile and syncs itself\n"
    "                   (default: the kernel's; a .pto file is explicit when it places a tile)\n"
    "  --engine interp|jit\n"
    "                   interp (default): the IR interpreter; jit: generate C, compile it\n"
    "                   with cc -O3 and the host's instruction set (CC overrides), cache\n"
    "                   the .so under $XDG_CACHE_HOME/ptk (PTK_CACHE_DIR overrides) and\n"
    "                   run it; kernels over PTK_JIT_MAX_OPS ops (default 2000) run in\n"
    "                   the interpreter; both engines give bit-identical results\n"
    "  --poison         start on-chip memory as NaN (float tiles) / 0xA5 bytes instead\n"
    "                   of zeros, so reads of never-written data show (also PTK_POISON=1)\n"
    "  --out DIR        write every pointer argument's final contents to\n"
    "                   DIR/<k>_<name>.npy (k: 0-based parameter position, name: the\n"
    "                   .pto argument name without '%'; bf16 as uint16)\n"
    "  --save DIR       also store the inputs (before the launch) and outputs as\n"
    "                   DIR/inputs/<k>_<name>.npy and DIR/outputs/<k>_<name>.npy\n"
    "                   (scalars as 0-d arrays) plus DIR/run.json, for `ptk replay DIR`\n"
    "  --timeout SECONDS  stop the launches after SECONDS (all --repeat launches\n"
    "                   together; a decimal number): the error names the op each running\n"
    "                   block was in; exit status 1, nothing written\n"
    "  --check-races    record every block's global-memory reads and writes and report\n"
    "                   an error for overlapping accesses of two blocks where at least\n"
    "                   one writes (atomic-add stores excepted), naming both blocks and ops\n"
    "  --time           print the launch time to stderr\n"
    "  --no-optimize    skip the optimizing passes, canonicalize and cse (also\n"
    "                   PTK_NO_OPTIMIZE=1); results are the same bytes either way\n"
    "  --strict-sync    synchronization findings (missing or unmatched set_flag/\n"
    "                   wait_flag, events, buffer ids) are errors that stop the run\n"
    "                   (default: warnings; the host runs the pipes in order), and\n"
    "                   kernels with explicit addresses are checked too\n"
    "  --repeat N       launch N times (for timing with --time; pointer arguments are\n"
    "                   updated in place by every launch)\n"
    "  --               end of options: everything after it is an ARG\n"
    "\n"
    "ARG, one per kernel parameter, in order:\n"
    "  path.npy                  a .npy file (a bf16 parameter reads uint16 data as bf16)\n"
    "  zeros:DTYPE:SHAPE         a zero-filled tensor, e.g. zeros:f32:32x32\n"
    "  rand:DTYPE:SHAPE[:SEED]   deterministic pseudo-random values (floats in [-1, 1),\n"
    "                            signed ints in [-8, 8), unsigned in [0, 16)); SEED\n"
    "                            defaults to the parameter's 0-based position, so two\n"
    "                            rand arguments differ\n"
    "  scalar literal            for scalar parameters: 16, -3, 0x1F, 0.5, 1e-3, inf,\n"
    "                            true, false; it must fit the parameter's type\n"
    "DTYPE is f16 bf16 f32 f64 i8 i16 i32 i64 u8 u16 u32 u64 bool; SHAPE is like 32x32.\n"
    "A pointer parameter needs a tensor whose element size matches its element type.\n"
    "Pointer arguments are read and written in place.\n"
    "\n"
    "Programs: when FILE declares a `program` (the only one, or --entry NAME), ptk\n"
    "runs it as a task graph: one ARG per program parameter, or one per parameter\n"
    "that is not an `out` tensor (those are allocated, dynamic dimensions taken from\n"
    "the inputs). Each `launch` is a task; tasks are ordered by the byte intervals\n"
    "their tensor arguments read and write (and by `deps`), run lowest-ready-first\n"
    "on --threads workers (1: program order), and give the same bytes for every\n"
    "thread count and both engines. --out DIR writes every tensor parameter to\n"
    "DIR/<k>_<name>.npy. For programs:\n"
    "  --check-races    also record each task's accesses and report every pair of\n"
    "                   tasks the graph does not order that touch the same bytes, one\n"
    "                   of them writing (naming both tasks, kernels and ops)\n"
    "  --trace FILE     write a Chrome/Perfetto trace (JSON): a slice per task on its\n"
    "                   worker's track, flow arrows for dependencies\n"
    "  --save DIR       store every program parameter before the run as\n"
    "                   DIR/inputs/<k>_<name>.npy, every tensor after it as\n"
    "                   DIR/outputs/<k>_<name>.npy, and DIR/run.json; with the build\n"
    "                   of `ptk compile FILE -o DIR`, `ptk replay DIR` re-runs it\n"
    "  --dump-tasks[=REGEX]\n"
    "                   with --save: each task whose kernel (as launched: add,\n"
    "                   m.add, add[N=4]) matches REGEX (PCRE2; default every task) as\n"
    "                   a single-kernel build folder DIR/tasks/NNN_<kernel>/: kernel.pto,\n"
    "                   kernel_config.json, its arguments before it ran (inputs/) and\n"
    "                   after (outputs/), run.json; `ptk replay` runs one on its own\n"
    "A failing task stops the program: no task starts after it, the error names the\n"
    "task, its kernel, the op and the block, and nothing is written.\n"
    "\n"
    "SIGINT / SIGTERM stop the launch like --timeout (a second one kills ptk at once);\n"
    "no output file is written.\n"
    "\n"
    "Exit status: 0 success, 1 error (diagnostics on stderr), 2 usage error,\n"
    "130 interrupted by SIGINT, 143 by SIGTERM.\n";

typedef struct run_opts {
  const char *file, *target, *mode, *outdir, *savedir, *engine, *trace, *dump_tasks_re;
  bool dump_tasks;
  ptk_cli_kopts k;
  uint32_t blocks, threads, repeat;
  double timeout;
  bool poison, time, check_races, strict_sync, no_optimize;
  PTK_VEC(const char *) args;
} run_opts;

static int parse_args(int argc, char **argv, run_opts *o) {
  bool rest = false;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (rest || a[0] != '-' || !a[1] || ptk_cli_looks_scalar(a)) {
      if (!o->file)
        o->file = a;
      else
        ptk_vec_push(&o->args, a);
      continue;
    }
    if (!strcmp(a, "--")) {
      rest = true;
      continue;
    }
    int kr = ptk_cli_kopt(&o->k, "run", argc, argv, &i);
    if (kr < 0) return PTK_EXIT_USAGE;
    if (kr) continue;
    const char *val = NULL;
    const char *eq = strchr(a, '=');
    size_t nlen = eq ? (size_t)(eq - a) : strlen(a);
#define OPT(name) (nlen == strlen(name) && !strncmp(a, name, nlen))
    bool takes = OPT("--blocks") || OPT("--threads") || OPT("--target") || OPT("--mode") || OPT("--out") ||
                 OPT("--save") || OPT("--repeat") || OPT("--engine") || OPT("--timeout") ||
                 OPT("--trace");
    if (takes) {
      if (eq)
        val = eq + 1;
      else if (i + 1 < argc)
        val = argv[++i];
      else
        return ptk_cli_usage_error("run", "option '%.*s' needs a value", (int)nlen, a);
    } else if (eq && !OPT("--dump-tasks")) {
      return ptk_cli_usage_error("run", "option '%.*s' takes no value", (int)nlen, a);
    }
    if (OPT("--blocks")) {
      if (!ptk_cli_parse_u32(val, &o->blocks))
        return ptk_cli_usage_error("run", "--blocks needs a positive integer (at most 16777216), got '%s'", val);
    } else if (OPT("--threads")) {
      if (!ptk_cli_parse_u32(val, &o->threads))
        return ptk_cli_usage_error("run", "--threads needs a positive integer, got '%s'", val);
    } else if (OPT("--repeat")) {
      if (!ptk_cli_parse_u32(val, &o->repeat))
        return ptk_cli_usage_error("run", "--repeat needs a positive integer, got '%s'", val);
    } else if (OPT("--timeout")) {
      char *end;
      errno = 0;
      double t = strtod(val, &end);
      if (end == val || *end || errno || !(t > 0) || !isfinite(t) || t > 1e9)
        return ptk_cli_usage_error("run", "--timeout needs a positive number of seconds, got '%s'", val);
      o->timeout = t;
    } else if (OPT("--target")) {
      if (!ptk_cli_target_ok(val)) return ptk_cli_usage_error("run", PTK_CLI_TARGET_ERR, val);
      o->target = val;
    } else if (OPT("--mode")) {
      if (strcmp(val, "auto") && strcmp(val, "explicit"))
        return ptk_cli_usage_error("run", "--mode must be auto or explicit, got '%s'", val);
      o->mode = val;
    } else if (OPT("--engine")) {
      if (strcmp(val, "interp") && strcmp(val, "jit"))
        return ptk_cli_usage_error("run", "--engine must be interp or jit, got '%s'", val);
      o->engine = val;
    } else if (OPT("--out"))
      o->outdir = val;
    else if (OPT("--trace"))
      o->trace = val;
    else if (OPT("--save"))
      o->savedir = val;
    else if (OPT("--dump-tasks")) {
      o->dump_tasks = true;
      o->dump_tasks_re = eq ? eq + 1 : NULL;
    } else if (OPT("--poison"))
      o->poison = true;
    else if (OPT("--time"))
      o->time = true;
    else if (OPT("--check-races"))
      o->check_races = true;
    else if (OPT("--strict-sync"))
      o->strict_sync = true;
    else if (OPT("--no-optimize"))
      o->no_optimize = true;
    else
      return ptk_cli_usage_error("run", "unknown option '%s'", a);
#undef OPT
  }
  if (!o->file) return ptk_cli_usage_error("run", "missing FILE");
  if (strcmp(o->file, "-") && !ptk_cli_has_ext(o->file, ".pto") && !ptk_cli_has_ext(o->file, ".ptk"))
    return ptk_cli_usage_error("run", "'%s': unknown file type (expected .ptk or .pto)", o->file);
  return 0;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- SIGINT / SIGTERM ----------------------------------------------------------------------------- */

/* The signals are blocked in every thread and taken by one thread with
 * sigwait, which stops the running launch through a sticky cancel source
 * (launches started later stop at once). A second signal exits at once. */
typedef struct sigstop {
  ptk_rt_cancel cancel;
  pthread_t th;
  bool started;
  sigset_t set, old;
  volatile int sig; /* the first signal taken (read after the launch) */
} sigstop;

static void *sig_thread(void *arg) {
  sigstop *s = arg;
  for (;;) {
    int sig = 0;
    if (sigwait(&s->set, &sig)) continue;
    if (s->sig) _exit(128 + sig); /* second signal: no clean stop wanted */
    s->sig = sig;
    ptk_rt_cancel_all(&s->cancel, sig == SIGINT ? PTK_STOP_SIGINT : PTK_STOP_SIGTERM);
  }
  return NULL;
}

static void sig_start(sigstop *s) {
  ptk_rt_cancel_init(&s->cancel, true);
  sigemptyset(&s->set);
  sigaddset(&s->set, SIGINT);
  sigaddset(&s->set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &s->set, &s->old);
  s->started = pthread_create(&s->th, NULL, sig_thread, s) == 0;
}

static void sig_stop(sigstop *s) {
  if (s->started) {
    pthread_cancel(s->th);
    pthread_join(s->th, NULL);
  }
  pthread_sigmask(SIG_SETMASK, &s->old, NULL);
  ptk_rt_cancel_fini(&s->cancel);
}

int ptk_cmd_run(int argc, char **argv) {
  run_opts o = {0};
  int rc = parse_args(argc, argv, &o);
  if (rc) {
    ptk_vec_free(&o.args);
    ptk_cli_kopts_free(&o.k);
    return rc;
  }
  const char *pe = getenv("PTK_POISON");
  if (pe && *pe && strcmp(pe, "0")) o.poison = true;
  ptk_diags *d = ptk_diags_new();
  ptk_source *src = NULL;
  ptk_loaded *l = NULL;
  ptk_interp_prog *prog = NULL;
  ptk_jit_prog *jprog = NULL;
  bool jit = o.engine && !strcmp(o.engine, "jit");
  ptk_launch_arg *la = NULL;
  size_t nla = 0;
  rc = PTK_EXIT_ERROR;
  sigstop sg;
  memset(&sg, 0, sizeof sg);
  sig_start(&sg);
  src = ptk_cli_load(o.file, d);
  if (!src) goto done;
  ptk_trace_opts to = ptk_cli_trace_opts(&o.k);
  if (ptk_cli_has_ext(o.file, ".ptk") && ptk_program_in_source(src, o.k.entry)) {
    /* a program: its task graph */
    if (o.k.consts.len) {
      ptk_error(d, ptk_range_none(), "--const binds kernel parameters; a program passes them at its launches");
      goto done;
    }
    if (o.blocks || o.repeat || o.timeout > 0 || o.strict_sync) {
      ptk_error(d, ptk_range_none(), "%s is not supported for programs (each launch gives its blocks)",
                o.blocks ? "--blocks" : o.repeat ? "--repeat" : o.timeout > 0 ? "--timeout" : "--strict-sync");
      goto done;
    }
    if (o.dump_tasks && !o.savedir) {
      rc = ptk_cli_usage_error("run", "--dump-tasks writes into the --save folder: give --save DIR too");
      goto done;
    }
    ptk_run_program_opts po = {0};
    po.entry = o.k.entry;
    po.trace = &to;
    po.load_flags = o.no_optimize ? PTK_LOAD_NO_OPTIMIZE : 0;
    po.jit = jit;
    po.poison = o.poison;
    po.check_races = o.check_races;
    po.time = o.time;
    po.threads = o.threads;
    po.target = o.target;
    po.outdir = o.outdir;
    po.savedir = o.savedir;
    po.dump_tasks = o.dump_tasks;
    po.dump_tasks_re = o.dump_tasks_re;
    po.trace_path = o.trace;
    po.args = o.args.data;
    po.nargs = o.args.len;
    po.cancel = &sg.cancel;
    rc = ptk_run_program(src, &po, d);
    goto done;
  }
  if (o.trace) {
    ptk_error(d, ptk_range_none(), "--trace FILE is for programs ('%s' declares none)", o.file);
    goto done;
  }
  /* --target is also the pipeline's (plan-memory's sizes and per-target rules), as for check
   * and compile; before, only the launch used it. */
  ptk_kernel_load_opts ko = {0};
  ko.entry = o.k.entry;
  ko.consts = o.k.consts.data;
  ko.nconsts = o.k.consts.len;
  ko.trace = &to;
  ko.flags = (o.strict_sync ? PTK_LOAD_STRICT_SYNC : 0) | (o.no_optimize ? PTK_LOAD_NO_OPTIMIZE : 0);
  ko.target = o.target;
  ko.mode = o.mode;
  l = ptk_kernel_load_with(o.file, src, &ko, d);
  if (!l) goto done;
  ptk_func *f = ptk_loaded_entry(l);
  if (jit)
    jprog = ptk_jit_prepare(f, NULL, d);
  else
    prog = ptk_interp_prepare(f, d);
  if (!prog && !jprog) goto done;
  nla = f->nargs;
  la = ptk_xcalloc(nla ? nla : 1, sizeof *la);
  if (!ptk_cli_bind(f, o.args.data, o.args.len, "run", 0, la, d)) goto done;
  ptk_launch_opts lo = {0};
  lo.blocks = o.blocks ? o.blocks : 1;
  if (ptk_loaded_abi(l)->decl.begin.src) { /* a source-backed .ptk kernel: errors speak of it */
    lo.kernel = ptk_loaded_abi(l)->kernel;
    lo.decl = ptk_loaded_abi(l)->decl;
  }
  lo.threads = o.threads;
  lo.target = o.target;
  lo.poison = o.poison;
  lo.out = stdout;
  lo.cancel = &sg.cancel;
  lo.check_races = o.check_races;
  if (sg.sig) goto done;
  if (o.savedir && !ptk_save_run_inputs(o.savedir, f, la, f->nargs, d)) goto done;
  double start = now_ms();
  for (uint32_t r = 0; r < (o.repeat ? o.repeat : 1); r++) {
    if (o.timeout > 0) {
      lo.timeout = o.timeout - (now_ms() - start) / 1e3;
      lo.timeout_limit = o.timeout;
      if (lo.timeout <= 0) lo.timeout = 1e-9;
    }
    double t0 = now_ms();
    int lrc = jit ? ptk_jit_run(jprog, &lo, la, f->nargs, d)
                  : ptk_interp_run(prog, &lo, la, f->nargs, d);
    double t1 = now_ms();
    if (o.time) fprintf(stderr, "ptk run: launch took %.3f ms\n", t1 - t0);
    if (lrc) goto done;
  }
  if (sg.sig) goto done; /* interrupted after the last launch: write nothing */
  if (o.outdir && !ptk_cli_write_outputs(o.outdir, f, la, d)) goto done;
  if (o.savedir && !ptk_save_run_outputs(o.savedir, f, la, f->nargs, &lo, d)) goto done;
  rc = PTK_EXIT_OK;
done:
  sig_stop(&sg);
  if (sg.sig) {
    if (!ptk_diags_errors(d))
      ptk_error(d, ptk_range_none(), "ptk run: %s; nothing written",
                sg.sig == SIGINT ? "interrupted (SIGINT)" : "terminated (SIGTERM)");
    rc = 128 + sg.sig;
  }
  ptk_diags_print(d, stderr);
  ptk_diags_free(d);
  ptk_cli_args_free(la, nla);
  ptk_interp_free(prog);
  ptk_jit_free(jprog);
  ptk_loaded_free(l);
  ptk_source_free(src);
  ptk_vec_free(&o.args);
  ptk_cli_kopts_free(&o.k);
  return rc;
}
