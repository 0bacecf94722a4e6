/* ptk run PROGRAM.ptk: binds the command-line arguments to a program's
 * parameters, runs its task graph, writes outputs (runtime/program). */
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "backend/build_dir.h"
#include "runtime/cli/cli.h"
#include "runtime/cli/run_program.h"
#include "runtime/npy.h"
#include "runtime/program/build.h"
#include "runtime/program/program.h"

/* rm -r (a previous run's task dumps). */
static void rm_tree(const char *p) {
  struct stat st;
  if (lstat(p, &st) != 0) return;
  if (S_ISDIR(st.st_mode)) {
    DIR *dd = opendir(p);
    if (dd) {
      struct dirent *e;
      while ((e = readdir(dd))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char *c = ptk_xasprintf("%s/%s", p, e->d_name);
        rm_tree(c);
        free(c);
      }
      closedir(dd);
    }
    rmdir(p);
  } else {
    unlink(p);
  }
}

static bool is_spec(const char *s) { return !strncmp(s, "zeros:", 6) || !strncmp(s, "rand:", 5); }

static ptk_tensor *tensor_arg(const char *s, size_t pos, const ptk_program_param *pp, char **msg) {
  char *err = NULL;
  ptk_tensor *t = NULL;
  if (is_spec(s)) {
    const char *c1 = strchr(s, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!strncmp(s, "rand:", 5) && c2 && !strchr(c2 + 1, ':')) {
      char *seeded = ptk_xasprintf("%s:%zu", s, pos);
      t = ptk_tensor_from_spec(seeded, NULL);
      free(seeded);
    }
    if (!t) t = ptk_tensor_from_spec(s, &err);
  } else if (ptk_cli_looks_scalar(s)) {
    *msg = ptk_xasprintf("expected a tensor (path.npy, zeros:DTYPE:SHAPE or rand:DTYPE:SHAPE), got '%s'", s);
    return NULL;
  } else {
    t = ptk_npy_read(s, pp->tdtype == PTK_TD_BF16 ? PTK_NPY_U16_AS_BF16 : 0, &err);
  }
  if (!t) *msg = ptk_xstrdup(err ? err : "cannot create the tensor");
  free(err);
  return t;
}

/* One ARG per parameter, or one per parameter that is not `out` (the out
 * tensors are then allocated from their static shapes). */
static bool bind(const ptk_program *p, const char *const *argv, size_t n, ptk_launch_arg *la, ptk_diags *d) {
  size_t np = ptk_program_nparams(p), nin = 0;
  for (size_t i = 0; i < np; i++) {
    const ptk_program_param *pp = ptk_program_param_at(p, i);
    nin += !(pp->is_tensor && pp->dir == PTK_DIR_OUT);
  }
  bool all = n == np;
  if (!all && n != nin) {
    ptk_error(d, ptk_program_range(p), "program '%s' takes %zu argument%s (or %zu without its out tensors), got %zu",
              ptk_program_name(p), np, np == 1 ? "" : "s", nin, n);
    for (size_t i = 0; i < np; i++) {
      const ptk_program_param *pp = ptk_program_param_at(p, i);
      ptk_note(d, pp->range, "parameter %zu: '%s'", i + 1, pp->name);
    }
    return false;
  }
  bool ok = true;
  size_t k = 0;
  for (size_t i = 0; i < np; i++) {
    const ptk_program_param *pp = ptk_program_param_at(p, i);
    memset(&la[i], 0, sizeof la[i]);
    char *msg = NULL;
    if (!all && pp->is_tensor && pp->dir == PTK_DIR_OUT) {
      la[i].kind = PTK_ARG_TENSOR; /* allocated below, once the inputs name the dynamic dimensions */
      continue;
    }
    const char *s = argv[k++];
    if (pp->is_tensor) {
      la[i].kind = PTK_ARG_TENSOR;
      la[i].tensor = tensor_arg(s, i, pp, &msg);
    } else if (is_spec(s) || ptk_cli_has_ext(s, ".npy")) {
      msg = ptk_xasprintf("expected a scalar of type %s, got '%s'", ptk_dtype_name(pp->dtype), s);
    } else {
      msg = ptk_cli_parse_scalar(s, pp->dtype, &la[i]);
    }
    if (msg) {
      ptk_error(d, pp->range, "argument %zu ('%s'): %s", i + 1, pp->name, msg);
      free(msg);
      ok = false;
    }
  }
  /* out tensors: static dimensions, or dynamic ones an input tensor fixes */
  for (size_t i = 0; ok && !all && i < np; i++) {
    const ptk_program_param *pp = ptk_program_param_at(p, i);
    if (!pp->is_tensor || pp->dir != PTK_DIR_OUT) continue;
    int64_t shape[PTK_TENSOR_MAX_RANK];
    ok = ptk_program_out_shape(p, i, la, shape, d);
    if (ok) la[i].tensor = ptk_tensor_zeros(pp->tdtype, pp->rank, shape, NULL);
  }
  return ok;
}

static bool write_outputs(const ptk_program *p, const char *dir, const ptk_launch_arg *la, ptk_diags *d) {
  if (ptk_mkdir_p(dir)) {
    ptk_error_file(d, dir, "cannot create the output folder: %s", strerror(errno));
    return false;
  }
  bool ok = true;
  for (size_t i = 0; i < ptk_program_nparams(p); i++) {
    const ptk_program_param *pp = ptk_program_param_at(p, i);
    if (!pp->is_tensor || !la[i].tensor) continue;
    char *path = ptk_xasprintf("%s/%zu_%s.npy", dir, i, pp->name), *err = NULL;
    if (ptk_npy_write(path, la[i].tensor, &err)) {
      ptk_error_file(d, path, "%s", err ? err : "cannot write");
      ok = false;
    }
    free(err);
    free(path);
  }
  return ok;
}

/* Chrome / Perfetto trace (JSON object format): one track per worker, an
 * "X" slice per task with its kernel, blocks, launch and dependencies as
 * arguments, and a flow arrow ("s" → "f") per dependency. */
static bool write_trace(const ptk_program *p, const char *path, ptk_diags *d) {
  size_t n;
  const ptk_program_task_info *t = ptk_program_tasks(p, &n);
  json_t *ev = json_array();
  json_array_append_new(ev, json_pack("{s:s, s:s, s:i, s:{s:s}}", "name", "process_name", "ph", "M", "pid", 1,
                                      "args", "name", ptk_program_name(p)));
  int maxw = 0;
  for (size_t i = 0; i < n; i++) maxw = t[i].worker > maxw ? t[i].worker : maxw;
  for (int w = 0; w <= maxw; w++) {
    char name[32];
    snprintf(name, sizeof name, "worker %d", w);
    json_array_append_new(ev, json_pack("{s:s, s:s, s:i, s:i, s:{s:s}}", "name", "thread_name", "ph", "M", "pid", 1,
                                        "tid", w, "args", "name", name));
  }
  for (size_t i = 0; i < n; i++) {
    double dur = t[i].t1_us - t[i].t0_us;
    json_t *deps = json_array();
    for (size_t k = 0; k < t[i].npreds; k++) json_array_append_new(deps, json_integer(t[i].preds[k]));
    char *at = ptk_xasprintf("%s:%u:%u", t[i].site.begin.src ? t[i].site.begin.src->path : "?", t[i].site.begin.line,
                             t[i].site.begin.col);
    json_array_append_new(
        ev, json_pack("{s:s, s:s, s:s, s:i, s:i, s:f, s:f, s:{s:I, s:s, s:i, s:s, s:o}}", "name", t[i].kernel, "cat",
                      "task", "ph", "X", "pid", 1, "tid", t[i].worker < 0 ? 0 : t[i].worker, "ts", t[i].t0_us, "dur",
                      dur > 0 ? dur : 0.001, "args", "task", (json_int_t)t[i].id, "kernel", t[i].kernel, "blocks",
                      (int)t[i].blocks, "launch", at, "deps", deps));
    free(at);
  }
  for (size_t i = 0; i < n; i++)
    for (size_t k = 0; k < t[i].npreds; k++) {
      const ptk_program_task_info *q = NULL;
      for (size_t j = 0; j < n && !q; j++)
        if (t[j].id == t[i].preds[k]) q = &t[j];
      if (!q) continue;
      json_int_t fid = (json_int_t)(t[i].id * 1000003 + q->id);
      json_array_append_new(ev, json_pack("{s:s, s:s, s:s, s:I, s:i, s:i, s:f}", "name", "dep", "cat", "dep", "ph",
                                          "s", "id", fid, "pid", 1, "tid", q->worker < 0 ? 0 : q->worker, "ts",
                                          q->t1_us));
      json_array_append_new(ev, json_pack("{s:s, s:s, s:s, s:s, s:I, s:i, s:i, s:f}", "name", "dep", "cat", "dep",
                                          "ph", "f", "bp", "e", "id", fid, "pid", 1, "tid",
                                          t[i].worker < 0 ? 0 : t[i].worker, "ts", t[i].t0_us));
    }
  json_t *root = json_pack("{s:o, s:s}", "traceEvents", ev, "displayTimeUnit", "ns");
  bool ok = root && json_dump_file(root, path, JSON_INDENT(1)) == 0;
  json_decref(root);
  if (!ok) ptk_error_file(d, path, "cannot write the trace: %s", strerror(errno));
  return ok;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int ptk_run_program(const ptk_source *src, const ptk_run_program_opts *o, ptk_diags *d) {
  ptk_program_opts po = {0};
  po.entry = o->entry;
  po.trace = o->trace;
  po.load_flags = o->load_flags;
  po.jit = o->jit;
  ptk_program *p = ptk_program_load(src->path, src, &po, d);
  if (!p) return PTK_EXIT_ERROR;
  int rc = PTK_EXIT_ERROR;
  size_t np = ptk_program_nparams(p);
  ptk_launch_arg *la = ptk_xcalloc(np ? np : 1, sizeof *la);
  if (!bind(p, o->args, o->nargs, la, d)) goto done;
  ptk_program_run_opts ro = {0};
  ro.threads = o->threads;
  ro.target = o->target;
  ro.poison = o->poison;
  ro.out = stdout;
  ro.check_races = o->check_races;
  ro.cancel = o->cancel;
  ptk_task_dumper *dumper = NULL;
  if (o->savedir && !ptk_program_save_inputs(p, o->savedir, la, d)) goto done;
  if (o->dump_tasks) {
    char *tasks = ptk_xasprintf("%s/tasks", o->savedir);
    rm_tree(tasks);
    free(tasks);
    dumper = ptk_task_dumper_new(p, o->savedir, o->dump_tasks_re, d);
    if (!dumper) goto done;
    ro.task_hook = ptk_task_dumper_hook;
    ro.task_hook_arg = dumper;
  }
  double t0 = now_ms();
  int r = ptk_program_run(p, &ro, la, np, d);
  ptk_task_dumper_free(dumper);
  if (o->time) fprintf(stderr, "ptk run: program took %.3f ms\n", now_ms() - t0);
  if (o->trace_path && !write_trace(p, o->trace_path, d)) goto done;
  if (r) goto done;
  if (o->outdir && !write_outputs(p, o->outdir, la, d)) goto done;
  if (o->savedir && !ptk_program_save_outputs(p, o->savedir, la, o->threads, d)) goto done;
  rc = PTK_EXIT_OK;
done:
  ptk_cli_args_free(la, np);
  ptk_program_free(p);
  return rc;
}
