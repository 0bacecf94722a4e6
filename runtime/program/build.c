/* Program build folders: compile, save, per-task dumps, replay (build.h). */
#include "runtime/program/build.h"
#include "runtime/program/orch_ir.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "backend/build_dir.h"
#include "backend/c/emit.h"
#include "backend/config.h"
#include "lang/sha256.h"
#include "lang/version.h"
#include "parser/pto_print.h"
#include "runtime/kernel.h"
#include "runtime/npy.h"
#include "runtime/replay.h"

/* ---- small helpers -------------------------------------------------------------------------- */

static const char *dir_name(ptk_ast_dir d) {
  return d == PTK_DIR_OUT ? "out" : d == PTK_DIR_INOUT ? "inout" : "in";
}

static const char *core_of(const ptk_loaded *l) {
  const ptk_abi *abi = ptk_loaded_abi(l);
  if (abi->kind) return abi->kind;
  return ptk_core_type_of(ptk_loaded_entry(l));
}

/* kernels/aic for cube and mixed kernels, kernels/aiv for vector ones. */
static const char *sub_of(const char *core) { return !strcmp(core, "vector") ? "aiv" : "aic"; }

static bool write_text(const char *path, const char *text, size_t len, ptk_diags *d) {
  char *slash = strrchr(path, '/');
  if (slash) {
    char *dir = ptk_xstrndup(path, (size_t)(slash - path));
    int rc = ptk_mkdir_p(dir);
    free(dir);
    if (rc) {
      ptk_error_file(d, path, "cannot create its folder: %s", strerror(errno));
      return false;
    }
  }
  if (ptk_write_file_atomic(path, text, len) != 0) {
    ptk_error_file(d, path, "cannot write: %s", strerror(errno));
    return false;
  }
  return true;
}

static bool write_json(const char *path, json_t *root, ptk_diags *d) {
  char *text = ptk_json_text(root);
  bool ok = write_text(path, text, strlen(text), d);
  free(text);
  return ok;
}

static json_t *tool_json(void) { return json_pack("{s:s, s:s}", "name", "ptk", "version", PTK_VERSION); }

/* Removes DIR/SUB/<digits>_*.npy (a previous run's files). */
static void clear_npys(const char *dir, const char *sub) {
  char *p = ptk_xasprintf("%s/%s", dir, sub);
  DIR *dd = opendir(p);
  if (dd) {
    struct dirent *e;
    while ((e = readdir(dd))) {
      const char *n = e->d_name;
      size_t i = 0;
      while (n[i] >= '0' && n[i] <= '9') i++;
      size_t len = strlen(n);
      if (i == 0 || n[i] != '_' || len < 4 || strcmp(n + len - 4, ".npy")) continue;
      char *f = ptk_xasprintf("%s/%s", p, n);
      unlink(f);
      free(f);
    }
    closedir(dd);
  }
  free(p);
}

/* The tensor type of a scalar parameter in a saved run. */
static ptk_tdtype scalar_tdtype(ptk_dtype dt) {
  switch (dt) {
  case PTK_DT_I1: return PTK_TD_BOOL;
  case PTK_DT_F16:
  case PTK_DT_BF16:
  case PTK_DT_F32: return PTK_TD_F32;
  case PTK_DT_F64: return PTK_TD_F64;
  case PTK_DT_I8:
  case PTK_DT_I16:
  case PTK_DT_I32:
  case PTK_DT_SI32: return PTK_TD_I32;
  default: return PTK_TD_I64;
  }
}

/* ---- kernel configs of single kernels ------------------------------------------------------- */

/* A single-kernel kernel_config.json from a loaded kernel (what ptk
 * compile writes for it). Clear with ptk_kernel_config_clear. */
static void kernel_config_of(ptk_kernel_config *cfg, const ptk_loaded *l, const char *input_path) {
  memset(cfg, 0, sizeof *cfg);
  ptk_func *f = ptk_loaded_entry(l);
  const ptk_abi *abi = ptk_loaded_abi(l);
  ptk_kernel_config_from_func(cfg, f, NULL);
  for (size_t i = 0; i < cfg->nparams && i < abi->nparams; i++)
    if (abi->params[i].is_ptr) cfg->params[i].direction = abi->params[i].dir;
  cfg->target = abi->target ? abi->target : "a3";
  cfg->mode = abi->mode ? abi->mode : "auto";
  cfg->insert_sync = !strcmp(cfg->mode, "auto");
  cfg->core_type = core_of(l);
  cfg->input_path = input_path;
  cfg->input_kind = ptk_loaded_is_pto(l) ? "pto" : "ptk";
  const ptk_trace_info *info = ptk_loaded_trace_info(l);
  if (!info) return;
  cfg->kernel = info->kernel;
  if (info->symbol) cfg->symbol = info->symbol;
  cfg->insert_sync = info->insert_sync;
  for (size_t i = 0; i < info->nparams && i < cfg->nparams; i++) {
    cfg->params[i].name = info->params[i].name;
    cfg->params[i].dtype = info->params[i].dtype;
    cfg->params[i].is_ptr = info->params[i].is_ptr;
  }
  if (info->nconsts) {
    ptk_config_const *cc = ptk_arena_alloc(cfg->arena, info->nconsts * sizeof *cc);
    for (size_t i = 0; i < info->nconsts; i++)
      cc[i] = (ptk_config_const){info->consts[i].name, info->consts[i].type, info->consts[i].value,
                                 info->consts[i].is_default};
    cfg->consts = cc;
    cfg->nconsts = info->nconsts;
  }
  cfg->source_backed = info->source_backed;
  cfg->source_inline = info->source_inline;
  cfg->source_path = info->source_path;
  cfg->source_resolved = info->source_resolved;
  cfg->source_sha256 = info->source_sha256;
}

/* ---- the program build --------------------------------------------------------------------- */

static json_t *signature_json(const ptk_program *p) {
  json_t *sig = json_array();
  for (size_t i = 0; i < ptk_program_nparams(p); i++) {
    const ptk_program_param *pp = ptk_program_param_at(p, i);
    json_t *e = json_object();
    json_object_set_new(e, "name", json_string(pp->name));
    json_object_set_new(e, "kind", json_string(pp->is_tensor ? "tensor" : "scalar"));
    json_object_set_new(e, "dtype",
                        json_string(pp->is_tensor ? ptk_tdtype_name(pp->tdtype) : ptk_dtype_name(pp->dtype)));
    json_object_set_new(e, "direction", json_string(pp->is_tensor ? dir_name(pp->dir) : "in"));
    if (pp->is_tensor) {
      json_t *sh = json_array();
      for (int r = 0; r < pp->rank; r++)
        json_array_append_new(sh, pp->dims[r] < 0 ? json_string(pp->dim_names[r]) : json_integer(pp->dims[r]));
      json_object_set_new(e, "shape", sh);
    }
    json_array_append_new(sig, e);
  }
  return sig;
}

static const char *param_dir_word(const ptk_abi_param *q) {
  if (!q->is_ptr) return "scalar";
  switch (q->dir) {
  case PTK_ARGDIR_OUT: return "out";
  case PTK_ARGDIR_INOUT: return "inout";
  case PTK_ARGDIR_UNUSED: return "unused";
  default: return "in";
  }
}

static json_t *kernel_json(const ptk_program_kernel *k, size_t id, const char *file, const char *sha,
                           const char *cfile) {
  const ptk_abi *abi = ptk_loaded_abi(k->loaded);
  const ptk_trace_info *info = ptk_loaded_trace_info(k->loaded);
  json_t *e = json_object();
  json_object_set_new(e, "func_id", json_integer((json_int_t)id));
  json_object_set_new(e, "name", json_string(k->display));
  json_object_set_new(e, "symbol", json_string(ptk_loaded_entry(k->loaded)->name));
  json_object_set_new(e, "core_type", json_string(core_of(k->loaded)));
  json_object_set_new(e, "file", json_string(file));
  json_object_set_new(e, "sha256", json_string(sha));
  json_object_set_new(e, "c_file", cfile ? json_string(cfile) : json_null());
  json_t *sig = json_array(), *params = json_array();
  for (size_t i = 0; i < abi->nparams; i++) {
    const ptk_abi_param *q = &abi->params[i];
    json_array_append_new(sig, json_string(param_dir_word(q)));
    json_array_append_new(params, json_pack("{s:i, s:s, s:s, s:s, s:s}", "position", (int)i, "name", q->name, "kind",
                                            q->is_ptr ? "ptr" : "scalar", "dtype", ptk_dtype_name(q->dtype),
                                            "direction", param_dir_word(q)));
  }
  json_object_set_new(e, "signature", sig);
  json_object_set_new(e, "params", params);
  json_t *consts = json_array();
  for (size_t i = 0; info && i < info->nconsts; i++)
    json_array_append_new(consts, json_pack("{s:s, s:s, s:s, s:b}", "name", info->consts[i].name, "type",
                                            info->consts[i].type, "value", info->consts[i].value, "default",
                                            info->consts[i].is_default));
  json_object_set_new(e, "consts", consts);
  if (info && info->source_backed) {
    json_object_set_new(e, "source",
                        json_pack("{s:s?, s:s?, s:s?, s:b}", "path", info->source_path, "resolved",
                                  info->source_resolved, "sha256", info->source_sha256, "inline",
                                  info->source_inline));
  } else {
    json_object_set_new(e, "source", json_pack("{s:s, s:s}", "path", k->path ? k->path : "", "kind",
                                               ptk_loaded_is_pto(k->loaded) ? "pto" : "ptk"));
  }
  return e;
}

/* The static graph: a run on zero-filled tensors, when nothing depends on
 * run-time values (no scalar parameters, no dynamic dimensions). */
static json_t *static_graph(ptk_program *p) {
  size_t np = ptk_program_nparams(p);
  for (size_t i = 0; i < np; i++) {
    const ptk_program_param *pp = ptk_program_param_at(p, i);
    if (!pp->is_tensor) return json_null();
    for (int r = 0; r < pp->rank; r++)
      if (pp->dims[r] < 0) return json_null();
  }
  ptk_launch_arg *la = ptk_xcalloc(np + 1, sizeof *la);
  bool ok = true;
  for (size_t i = 0; i < np && ok; i++) {
    const ptk_program_param *pp = ptk_program_param_at(p, i);
    la[i].kind = PTK_ARG_TENSOR;
    la[i].tensor = ptk_tensor_zeros(pp->tdtype, pp->rank, pp->dims, NULL);
    ok = la[i].tensor != NULL;
  }
  json_t *g = json_null();
  FILE *devnull = fopen("/dev/null", "w");
  if (ok && devnull) {
    ptk_program_run_opts ro = {0};
    ro.threads = 1;
    ro.out = devnull;
    ptk_diags *d = ptk_diags_new();
    if (ptk_program_run(p, &ro, la, np, d) == 0) {
      size_t n;
      const ptk_program_task_info *t = ptk_program_tasks(p, &n);
      json_t *tasks = json_array();
      for (size_t i = 0; i < n; i++) {
        size_t fid = 0;
        for (size_t k = 0; k < ptk_program_nkernels(p); k++)
          if (!strcmp(ptk_program_kernel_at(p, k).display, t[i].kernel)) fid = k;
        json_t *deps = json_array();
        for (size_t k = 0; k < t[i].npreds; k++) json_array_append_new(deps, json_integer(t[i].preds[k]));
        json_array_append_new(tasks, json_pack("{s:I, s:I, s:s, s:i, s:o}", "id", (json_int_t)t[i].id, "func_id",
                                               (json_int_t)fid, "kernel", t[i].kernel, "blocks", (int)t[i].blocks,
                                               "deps", deps));
      }
      json_decref(g);
      g = json_pack("{s:s, s:o}", "from", "a run on zero-filled tensors (no run-time values)", "tasks", tasks);
    }
    ptk_diags_free(d);
  }
  if (devnull) fclose(devnull);
  for (size_t i = 0; i < np; i++) ptk_tensor_free(la[i].tensor);
  free(la);
  return g;
}

/* The static-graph pass's graph over the orchestration IR: one node per
 * launch (and loop iteration looked at), edges with their kind and bytes. */
static json_t *ir_graph(ptk_program *p) {
  const ptk_orch_graph *g = ptk_program_static_graph(p);
  json_t *nodes = json_array(), *edges = json_array();
  for (size_t i = 0; i < g->nnodes; i++) {
    const ptk_orch_node *n = &g->nodes[i];
    size_t fid = 0;
    for (size_t k = 0; k < ptk_program_nkernels(p); k++)
      if (!strcmp(ptk_program_kernel_at(p, k).display, n->kernel)) fid = k;
    ptk_loc l = n->launch->loc;
    json_array_append_new(nodes, json_pack("{s:I, s:s, s:I, s:i, s:i, s:i}", "id", (json_int_t)i, "kernel", n->kernel,
                                           "func_id", (json_int_t)fid, "iteration", n->iter, "line", (int)l.line,
                                           "col", (int)l.col));
  }
  for (size_t i = 0; i < g->nedges; i++) {
    const ptk_orch_edge *e = &g->edges[i];
    json_t *bytes = e->lo >= 0 ? json_pack("[I, I]", (json_int_t)e->lo, (json_int_t)e->hi) : json_null();
    json_array_append_new(edges, json_pack("{s:I, s:I, s:s, s:s?, s:o}", "from", (json_int_t)e->from, "to",
                                           (json_int_t)e->to, "kind", ptk_orch_edge_kind_name(e->kind), "buffer",
                                           e->buffer, "bytes", bytes));
  }
  return json_pack("{s:s, s:b, s:o, s:o}", "from",
                   "the static-graph pass over the orchestration IR (loops: two consecutive iterations)", "complete",
                   g->complete, "nodes", nodes, "edges", edges);
}

bool ptk_program_build(ptk_program *p, const char *dir, const char *input_path, ptk_diags *d) {
  if (!ptk_build_dir_begin(dir, d)) return false;
  bool ok = true;
  /* the orchestration */
  char *orch = ptk_program_orchestration_text(p);
  char *orel = ptk_xasprintf("orchestration/%s.ptk", ptk_program_name(p));
  char *opath = ptk_xasprintf("%s/%s", dir, orel);
  char osha[65], isha[65] = {0};
  ptk_sha256_hex(orch, strlen(orch), osha);
  ok = write_text(opath, orch, strlen(orch), d);
  /* the orchestration IR beside it */
  ptk_buf irt = {0};
  ptk_pto_print(ptk_program_orchestration(p), &irt);
  char *irel = ptk_xasprintf("orchestration/%s.pto", ptk_program_name(p));
  char *ipath = ptk_xasprintf("%s/%s", dir, irel);
  char irsha[65];
  ptk_sha256_hex(ptk_buf_cstr(&irt), irt.len, irsha);
  ok = ok && write_text(ipath, ptk_buf_cstr(&irt), irt.len, d);
  ptk_buf_free(&irt);
  size_t ilen;
  char *itext = ptk_read_file(input_path, &ilen);
  if (itext) ptk_sha256_hex(itext, ilen, isha);
  free(itext);
  json_t *kernels = json_array();
  for (size_t i = 0; ok && i < ptk_program_nkernels(p); i++) {
    ptk_program_kernel k = ptk_program_kernel_at(p, i);
    if (!k.loaded) continue;
    const char *core = core_of(k.loaded);
    char *rel = ptk_xasprintf("kernels/%s/%s.pto", sub_of(core), k.stem);
    char *path = ptk_xasprintf("%s/%s", dir, rel);
    ptk_buf text = {0};
    ptk_pto_print(ptk_loaded_module(k.loaded), &text);
    char sha[65];
    ptk_sha256_hex(ptk_buf_cstr(&text), text.len, sha);
    ok = write_text(path, ptk_buf_cstr(&text), text.len, d);
    ptk_buf_free(&text);
    ptk_buf csrc = {0};
    char *crel = NULL;
    if (ok && ptk_emit_c(ptk_loaded_entry(k.loaded), &csrc, d)) {
      ok = ptk_build_dir_write_c(dir, core, k.stem, ptk_buf_cstr(&csrc), csrc.len, d);
      crel = ptk_xasprintf("kernels/%s/%s.c", !strcmp(core, "cube") ? "aic" : "aiv", k.stem);
    }
    ptk_buf_free(&csrc);
    json_array_append_new(kernels, kernel_json(&k, i, rel, sha, crel));
    free(crel);
    free(rel);
    free(path);
  }
  if (ok) {
    json_t *root = json_object();
    json_object_set_new(root, "format", json_string(PTK_PROGRAM_CONFIG_FORMAT));
    json_object_set_new(root, "format_version", json_integer(1));
    json_object_set_new(root, "tool", tool_json());
    json_t *o = json_object();
    json_object_set_new(o, "file", json_string(orel));
    json_object_set_new(o, "function", json_string(ptk_program_name(p)));
    json_object_set_new(o, "signature", signature_json(p));
    json_object_set_new(o, "sha256", json_string(osha));
    json_object_set_new(o, "source", json_pack("{s:s, s:s?}", "path", input_path, "sha256", isha[0] ? isha : NULL));
    json_object_set_new(o, "ir", json_pack("{s:s, s:s}", "file", irel, "sha256", irsha));
    json_object_set_new(root, "orchestration", o);
    json_object_set_new(root, "kernels", kernels);
    kernels = NULL;
    json_object_set_new(root, "runtime",
                        json_pack("{s:s, s:i, s:b, s:s}", "dependency_tracking",
                                  "byte intervals of each buffer: read-after-write, write-after-write, "
                                  "write-after-read, plus explicit deps",
                                  "threads", 0, "deterministic", 1, "single_thread_order", "program order"));
    json_object_set_new(root, "graph", static_graph(p));
    json_object_set_new(root, "static_graph", ir_graph(p));
    char *cp = ptk_xasprintf("%s/kernel_config.json", dir);
    ok = write_json(cp, root, d);
    free(cp);
  }
  json_decref(kernels);
  free(orch);
  free(orel);
  free(opath);
  free(irel);
  free(ipath);
  return ok;
}

/* ---- saving a run ----------------------------------------------------------------------------- */

static bool save_params(const ptk_program *p, const char *dir, const char *sub, const ptk_launch_arg *la,
                        bool tensors_only, ptk_diags *d) {
  char *sd = ptk_xasprintf("%s/%s", dir, sub);
  if (ptk_mkdir_p(sd)) {
    ptk_error_file(d, sd, "cannot create the folder: %s", strerror(errno));
    free(sd);
    return false;
  }
  bool ok = true;
  for (size_t i = 0; ok && i < ptk_program_nparams(p); i++) {
    const ptk_program_param *pp = ptk_program_param_at(p, i);
    if (tensors_only && !pp->is_tensor) continue;
    ptk_tensor *t = NULL;
    if (pp->is_tensor) {
      t = la[i].tensor;
    } else {
      t = ptk_tensor_zeros(scalar_tdtype(pp->dtype), 0, NULL, NULL);
      if (ptk_dtype_is_float(pp->dtype))
        ptk_tensor_set_f64(t, 0, ptk_dtype_is_float(la[i].dt) ? la[i].f : (double)la[i].i);
      else
        ptk_tensor_set_i64(t, 0, la[i].i);
    }
    char *path = ptk_xasprintf("%s/%zu_%s.npy", sd, i, pp->name), *err = NULL;
    if (t && ptk_npy_write(path, t, &err)) {
      ptk_error_file(d, path, "%s", err ? err : "cannot write");
      ok = false;
    }
    free(err);
    free(path);
    if (!pp->is_tensor) ptk_tensor_free(t);
  }
  free(sd);
  return ok;
}

bool ptk_program_save_inputs(const ptk_program *p, const char *dir, const ptk_launch_arg *args, ptk_diags *d) {
  if (ptk_mkdir_p(dir)) {
    ptk_error_file(d, dir, "cannot create the folder: %s", strerror(errno));
    return false;
  }
  char *rj = ptk_xasprintf("%s/run.json", dir);
  unlink(rj);
  free(rj);
  clear_npys(dir, "inputs");
  clear_npys(dir, "outputs");
  return save_params(p, dir, "inputs", args, false, d);
}

bool ptk_program_save_outputs(const ptk_program *p, const char *dir, const ptk_launch_arg *args, uint32_t threads,
                              ptk_diags *d) {
  if (!save_params(p, dir, "outputs", args, true, d)) return false;
  json_t *root = json_pack("{s:s, s:i, s:o, s:s, s:i}", "format", PTK_RUN_FORMAT, "format_version",
                           PTK_RUN_FORMAT_VERSION, "tool", tool_json(), "program", ptk_program_name(p), "threads",
                           (int)threads);
  char *rj = ptk_xasprintf("%s/run.json", dir);
  bool ok = write_json(rj, root, d);
  free(rj);
  return ok;
}

/* ---- per-task dumps --------------------------------------------------------------------------- */

struct ptk_task_dumper {
  const ptk_program *p;
  char *dir;
  pcre2_code *re;
  pthread_mutex_t mu;
  size_t count;
};

ptk_task_dumper *ptk_task_dumper_new(const ptk_program *p, const char *dir, const char *regex, ptk_diags *d) {
  pcre2_code *re = NULL;
  if (regex) {
    int ec;
    PCRE2_SIZE off;
    re = pcre2_compile((PCRE2_SPTR)regex, PCRE2_ZERO_TERMINATED, 0, &ec, &off, NULL);
    if (!re) {
      PCRE2_UCHAR msg[256];
      pcre2_get_error_message(ec, msg, sizeof msg);
      ptk_error(d, ptk_range_none(), "--dump-tasks: invalid pattern '%s' at offset %zu: %s", regex, (size_t)off,
                (const char *)msg);
      return NULL;
    }
  }
  ptk_task_dumper *t = ptk_xcalloc(1, sizeof *t);
  t->p = p;
  t->dir = ptk_xstrdup(dir);
  t->re = re;
  pthread_mutex_init(&t->mu, NULL);
  return t;
}

void ptk_task_dumper_free(ptk_task_dumper *t) {
  if (!t) return;
  if (t->re) pcre2_code_free(t->re);
  pthread_mutex_destroy(&t->mu);
  free(t->dir);
  free(t);
}

size_t ptk_task_dumper_count(const ptk_task_dumper *t) { return t ? t->count : 0; }

bool ptk_task_dumper_hook(void *arg, int64_t id, size_t kernel, uint32_t blocks, bool after,
                          const ptk_launch_arg *args, size_t nargs, ptk_diags *d) {
  ptk_task_dumper *t = arg;
  ptk_program_kernel k = ptk_program_kernel_at(t->p, kernel);
  if (!k.loaded) return true;
  if (t->re) {
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(t->re, NULL);
    int rc = pcre2_match(t->re, (PCRE2_SPTR)k.display, PCRE2_ZERO_TERMINATED, 0, 0, md, NULL);
    pcre2_match_data_free(md);
    if (rc < 0) return true;
  }
  char *tdir = ptk_xasprintf("%s/tasks/%03" PRId64 "_%s", t->dir, id, k.stem);
  ptk_func *f = ptk_loaded_entry(k.loaded);
  bool ok;
  if (!after) {
    ptk_kernel_config cfg;
    kernel_config_of(&cfg, k.loaded, k.path);
    /* scalars as the parameter's type (the program passes i64 / f64) */
    const ptk_abi *abi = ptk_loaded_abi(k.loaded);
    ptk_launch_arg *typed = ptk_xcalloc(nargs + 1, sizeof *typed);
    for (size_t i = 0; i < nargs; i++) {
      typed[i] = args[i];
      if (args[i].kind != PTK_ARG_SCALAR || i >= abi->nparams) continue;
      ptk_dtype want = abi->params[i].dtype;
      bool af = ptk_dtype_is_float(args[i].dt);
      if (ptk_dtype_is_float(want))
        typed[i].f = af ? args[i].f : (double)args[i].i;
      else
        typed[i].i = af ? (int64_t)args[i].f : args[i].i;
      typed[i].dt = want;
    }
    ok = ptk_build_dir_begin(tdir, d) && ptk_build_dir_finish(tdir, ptk_loaded_module(k.loaded), &cfg, d) &&
         ptk_save_run_inputs(tdir, f, typed, nargs, d);
    free(typed);
    ptk_kernel_config_clear(&cfg);
  } else {
    ptk_launch_opts lo;
    memset(&lo, 0, sizeof lo);
    lo.blocks = blocks;
    lo.target = ptk_loaded_abi(k.loaded)->target;
    ok = ptk_save_run_outputs(tdir, f, args, nargs, &lo, d);
    pthread_mutex_lock(&t->mu);
    t->count++;
    pthread_mutex_unlock(&t->mu);
  }
  free(tdir);
  return ok;
}

/* ---- replay ------------------------------------------------------------------------------------ */

static bool regular(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

bool ptk_program_config_is_program(const char *cfg_path) {
  if (!regular(cfg_path)) return false; /* a FIFO or device: the kernel reader reports it */
  json_error_t je;
  json_t *root = json_load_file(cfg_path, 0, &je);
  const char *fmt = root ? json_string_value(json_object_get(root, "format")) : NULL;
  bool r = fmt && !strcmp(fmt, PTK_PROGRAM_CONFIG_FORMAT);
  json_decref(root);
  return r;
}

static const char *jstr(json_t *o, const char *key) { return json_string_value(json_object_get(o, key)); }

static bool file_sha(const char *path, char hex[65]) {
  if (!regular(path)) {
    errno = EINVAL;
    return false;
  }
  size_t len;
  char *text = ptk_read_file(path, &len);
  if (!text) return false;
  ptk_sha256_hex(text, len, hex);
  free(text);
  return true;
}

static void shape_str(const ptk_tensor *t, char *buf, size_t n) {
  size_t o = 0;
  buf[0] = 0;
  if (t->rank == 0) snprintf(buf, n, "scalar");
  for (int i = 0; i < t->rank && o < n; i++) o += (size_t)snprintf(buf + o, n - o, "%s%" PRId64, i ? "x" : "", t->shape[i]);
}

static const char *fmt_err(double v, char *buf, size_t n) {
  if (isinf(v))
    snprintf(buf, n, "inf");
  else
    snprintf(buf, n, "%.6g", v);
  return buf;
}

int ptk_program_replay(const char *dir, const ptk_program_replay_opts *o, ptk_diags *d) {
  char *cfg_path = ptk_xasprintf("%s/kernel_config.json", dir);
  json_error_t je;
  json_t *root = json_load_file(cfg_path, 0, &je);
  int rc = 1;
  ptk_program *p = NULL;
  ptk_program_kernel_src *srcs = NULL;
  char **paths = NULL;
  size_t nk = 0, nedited = 0;
  ptk_launch_arg *la = NULL;
  size_t np = 0;
  char *opath = NULL;
  ptk_buf edited = {0};
  if (!root) {
    ptk_error_file(d, cfg_path, "line %d: %s", je.line, je.text);
    goto done;
  }
  json_t *orch = json_object_get(root, "orchestration"), *kernels = json_object_get(root, "kernels");
  const char *ofile = orch ? jstr(orch, "file") : NULL;
  if (!ofile || !json_is_array(kernels)) {
    ptk_error_file(d, cfg_path, "not a program build: orchestration.file or kernels is missing");
    goto done;
  }
  /* the orchestration IR when the build has one (replayed from it), else the source */
  json_t *oir = json_object_get(orch, "ir");
  const char *irfile = oir ? jstr(oir, "file") : NULL;
  opath = ptk_xasprintf("%s/%s", dir, irfile ? irfile : ofile);
  char hex[65];
  if (!file_sha(opath, hex)) {
    ptk_error_file(d, opath, "cannot read the orchestration: %s", strerror(errno));
    goto done;
  }
  const char *osha = jstr(irfile ? oir : orch, "sha256");
  bool orch_edited = osha && strcmp(osha, hex);
  nk = json_array_size(kernels);
  srcs = ptk_xcalloc(nk + 1, sizeof *srcs);
  paths = ptk_xcalloc(nk + 1, sizeof *paths);
  for (size_t i = 0; i < nk; i++) {
    json_t *k = json_array_get(kernels, i);
    const char *name = jstr(k, "name"), *file = jstr(k, "file"), *sym = jstr(k, "symbol"), *sha = jstr(k, "sha256");
    if (!name || !file || !sym) {
      ptk_error_file(d, cfg_path, "kernels[%zu]: name, file or symbol is missing", i);
      goto done;
    }
    paths[i] = ptk_xasprintf("%s/%s", dir, file);
    srcs[i] = (ptk_program_kernel_src){name, paths[i], sym};
    if (!file_sha(paths[i], hex)) {
      ptk_error_file(d, paths[i], "cannot read kernel '%s': %s", name, strerror(errno));
      goto done;
    }
    if (sha && strcmp(sha, hex)) {
      ptk_buf_printf(&edited, "  %s (kernel '%s'): edited (its sha256 differs from kernel_config.json): "
                     "verified and run through the pass pipeline again\n", file, name);
      nedited++;
    }
  }
  ptk_program_opts po = {0};
  po.jit = o->jit;
  po.kernel_srcs = srcs;
  po.nkernel_srcs = nk;
  p = irfile ? ptk_program_load_ir(opath, &po, d) : ptk_program_load(opath, NULL, &po, d);
  if (!p) goto done;
  np = ptk_program_nparams(p);
  la = ptk_xcalloc(np + 1, sizeof *la);
  char *rj = ptk_xasprintf("%s/run.json", dir);
  struct stat st;
  bool have_run = stat(rj, &st) == 0;
  free(rj);
  if (!have_run) {
    ptk_error_file(d, dir, "no saved run (run.json is missing): save one with 'ptk run PROGRAM.ptk --save %s ARG...'",
                   dir);
    goto done;
  }
  bool ok = true;
  for (size_t i = 0; i < np; i++) {
    const ptk_program_param *pp = ptk_program_param_at(p, i);
    size_t e0 = ptk_diags_errors(d);
    char *path = ptk_saved_find(dir, "inputs", (uint32_t)i, d);
    if (!path) {
      if (ptk_diags_errors(d) == e0)
        ptk_error_file(d, dir, "no saved input for parameter %zu ('%s'): expected inputs/%zu_*.npy", i, pp->name, i);
      ok = false;
      continue;
    }
    char *err = NULL;
    ptk_tensor *t = ptk_npy_read(path, pp->is_tensor && pp->tdtype == PTK_TD_BF16 ? PTK_NPY_U16_AS_BF16 : 0, &err);
    if (!t) {
      ptk_error_file(d, path, "%s", err ? err : "cannot read");
      ok = false;
    } else if (pp->is_tensor) {
      la[i].kind = PTK_ARG_TENSOR;
      la[i].tensor = t;
      t = NULL;
    } else {
      la[i].kind = PTK_ARG_SCALAR;
      bool fl = ptk_tdtype_is_float(t->dtype);
      la[i].dt = fl ? PTK_DT_F64 : PTK_DT_I64;
      if (fl)
        la[i].f = ptk_tensor_get_f64(t, 0);
      else
        la[i].i = ptk_tensor_get_i64(t, 0);
    }
    ptk_tensor_free(t);
    free(err);
    free(path);
  }
  if (!ok) goto done;
  printf("ptk replay: %s: program '%s', %zu kernel%s (%zu edited), orchestration %s, %s engine\n", dir,
         ptk_program_name(p), nk, nk == 1 ? "" : "s", nedited, orch_edited ? "edited" : "unchanged",
         o->jit ? "jit" : "interp");
  fputs(ptk_buf_cstr(&edited), stdout);
  fflush(stdout);
  ptk_program_run_opts ro = {0};
  ro.threads = o->threads;
  ro.out = stdout;
  if (ptk_program_run(p, &ro, la, np, d)) goto done;
  size_t ntasks;
  ptk_program_tasks(p, &ntasks);
  printf("ptk replay: %zu task%s ran\n", ntasks, ntasks == 1 ? "" : "s");
  if (o->outdir) {
    if (ptk_mkdir_p(o->outdir)) {
      ptk_error_file(d, o->outdir, "cannot create the output folder: %s", strerror(errno));
      goto done;
    }
    for (size_t i = 0; i < np; i++) {
      const ptk_program_param *pp = ptk_program_param_at(p, i);
      if (!pp->is_tensor) continue;
      char *path = ptk_xasprintf("%s/%zu_%s.npy", o->outdir, i, pp->name), *err = NULL;
      if (ptk_npy_write(path, la[i].tensor, &err)) ptk_error_file(d, path, "%s", err ? err : "cannot write");
      free(err);
      free(path);
    }
  }
  unsigned nbuf = 0, nbad = 0;
  printf("  %-16s %-6s %-12s %-12s %-12s %s\n", "buffer", "dtype", "shape", "max abs", "max rel", "mismatches");
  for (size_t i = 0; i < np; i++) {
    const ptk_program_param *pp = ptk_program_param_at(p, i);
    if (!pp->is_tensor) continue;
    nbuf++;
    char stem[128], shp[96], a1[32], a2[32];
    snprintf(stem, sizeof stem, "%zu_%s", i, pp->name);
    const ptk_tensor *got = la[i].tensor;
    shape_str(got, shp, sizeof shp);
    char *path = ptk_saved_find(dir, "outputs", (uint32_t)i, d), *err = NULL;
    ptk_tensor *exp = path ? ptk_npy_read(path, got->dtype == PTK_TD_BF16 ? PTK_NPY_U16_AS_BF16 : 0, &err) : NULL;
    if (!exp) {
      printf("  %-16s %-6s %-12s no saved output (outputs/%zu_*.npy)%s%s\n", stem, ptk_tdtype_name(got->dtype), shp,
             i, err ? ": " : "", err ? err : "");
      nbad++;
    } else {
      ptk_tensor_cmp c;
      ptk_tensor_compare(got, exp, o->tol, o->rtol, o->atol, &c);
      if (!c.shape_ok) {
        printf("  %-16s %-6s %-12s MISMATCH: the saved output has another shape or type\n", stem,
               ptk_tdtype_name(got->dtype), shp);
        nbad++;
      } else {
        printf("  %-16s %-6s %-12s %-12s %-12s %" PRId64 "/%" PRId64, stem, ptk_tdtype_name(got->dtype), shp,
               fmt_err(c.max_abs, a1, sizeof a1), fmt_err(c.max_rel, a2, sizeof a2), c.mismatches, c.n);
        if (c.mismatches) {
          printf("  MISMATCH, first at flat index %" PRId64 ": got %.9g, expected %.9g", c.first, c.got_first,
                 c.exp_first);
          nbad++;
        }
        printf("\n");
      }
    }
    ptk_tensor_free(exp);
    free(err);
    free(path);
  }
  if (ptk_diags_errors(d)) goto done;
  if (nbad) {
    printf("ptk replay: MISMATCH: %u of %u buffer%s differ%s from the saved outputs\n", nbad, nbuf,
           nbuf == 1 ? "" : "s", nbad == 1 ? "s" : "");
  } else {
    printf("ptk replay: all %u buffer%s match the saved outputs%s\n", nbuf, nbuf == 1 ? "" : "s",
           o->tol ? " within tolerance" : " bit for bit");
    rc = 0;
  }
done:
  fflush(stdout);
  if (la)
    for (size_t i = 0; i < np; i++) ptk_tensor_free(la[i].tensor);
  free(la);
  ptk_program_free(p);
  for (size_t i = 0; paths && i < nk; i++) free(paths[i]);
  free(paths);
  free(srcs);
  free(opath);
  ptk_buf_free(&edited);
  json_decref(root);
  free(cfg_path);
  return rc;
}
