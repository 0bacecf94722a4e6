/* The kernel loader (see kernel.h). */
#include "runtime/kernel.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "backend/lower.h"
#include "backend/passes/pipeline.h"
#include "backend/verify.h"
#include "parser/pto_read.h"
#include "lang/sha256.h"

struct ptk_loaded {
  ptk_trace_result *tr; /* .ptk */
  ptk_source *src;      /* .pto: the text read here (NULL when the caller gave it) */
  ptk_module *m;        /* .pto: owned */
  ptk_func *entry;
  ptk_abi abi;
  ptk_abi_param *params;
  char **names; /* .pto: "argK" names made up here */
  char *key;    /* .pto */
  const char **deps;
  size_t ndeps;
  char *dep_own; /* .pto: the resolved path */
  const char *abi_target, *abi_mode; /* as the pipeline ran (static strings); NULL: no passes */
};

static bool has_ext(const char *path, const char *ext) {
  size_t n = strlen(path), e = strlen(ext);
  return n > e && !strcmp(path + n - e, ext);
}

/* ---- .pto entry selection ------------------------------------------------------------------ */

typedef PTK_VEC(ptk_func *) func_vec;

static void collect_defs(ptk_module *m, func_vec *out) {
  for (uint32_t i = 0; i < m->nitems; i++) {
    if (m->items[i].kind == PTK_ITEM_MODULE)
      collect_defs(m->items[i].module, out);
    else if (m->items[i].func->body)
      ptk_vec_push(out, m->items[i].func);
  }
}

static void list_funcs(ptk_diags *d, const func_vec *fs) {
  for (size_t i = 0; i < fs->len; i++)
    ptk_note(d, ptk_range_at(fs->data[i]->loc, 1), "'@%s' is defined here", fs->data[i]->name);
}

/* "@a, @b" (malloc'd). */
static char *func_list(const func_vec *fs) {
  ptk_buf b = {0};
  for (size_t i = 0; i < fs->len; i++) ptk_buf_printf(&b, "%s@%s", i ? ", " : "", fs->data[i]->name);
  if (!fs->len) ptk_buf_puts(&b, "(none)");
  return ptk_buf_take(&b);
}

bool ptk_kernel_mixed_halves(ptk_module *m, ptk_func **cube, ptk_func **vec) {
  const ptk_func *c, *v;
  if (!ptk_lower_mixed_halves(m, &c, &v)) return false;
  if (cube) *cube = (ptk_func *)c;
  if (vec) *vec = (ptk_func *)v;
  return true;
}

/* `inline_list` (PTK_LOAD_LIST_INLINE): name the candidates in the error
 * itself instead of one note per function. */
static ptk_func *pick_entry(ptk_module *m, const char *name, const ptk_source *src, const char *path,
                            bool inline_list, ptk_diags *d) {
  func_vec defs = {0}, marked = {0}, pub = {0};
  collect_defs(m, &defs);
  ptk_func *f = NULL;
  if (name) {
    if (name[0] == '@') name++;
    for (size_t i = 0; i < defs.len && !f; i++)
      if (!strcmp(defs.data[i]->name, name)) f = defs.data[i];
    if (!f) {
      ptk_func *decl = ptk_module_find_func_nested(m, name);
      if (inline_list) {
        char *l = func_list(&defs);
        ptk_error_src(d, src, path, "no function @%s with a body; the file defines: %s", name, l);
        free(l);
      } else if (decl)
        ptk_error_loc(d, decl->loc, "entry '%s' is only declared in %s; it has no body to run", name,
                      path);
      else if (!defs.len)
        ptk_error_src(d, src, path, "no function named '%s' (the file defines no functions)", name);
      else {
        ptk_error_src(d, src, path, "no function named '%s'", name);
        list_funcs(d, &defs);
      }
    }
    goto out;
  }
  if (defs.len == 1) {
    f = defs.data[0];
    goto out;
  }
  if (!defs.len) {
    ptk_error_src(d, src, path, inline_list ? "the file defines no function with a body"
                                        : "no function with a body to run");
    goto out;
  }
  for (size_t i = 0; i < defs.len; i++) {
    if (ptk_func_attr(defs.data[i], "pto.entry") || ptk_func_attr(defs.data[i], "pto.kernel"))
      ptk_vec_push(&marked, defs.data[i]);
    if (defs.data[i]->vis == PTK_VIS_PUBLIC) ptk_vec_push(&pub, defs.data[i]);
  }
  if (marked.len == 1)
    f = marked.data[0];
  else if (!marked.len && pub.len == 1)
    f = pub.data[0];
  else if (!marked.len && ptk_kernel_mixed_halves(m, &f, NULL))
    ; /* the two halves of a mixed kernel (built and run together): the cube one is the entry */
  else if (inline_list) {
    const func_vec *c = marked.len ? &marked : &defs;
    char *l = func_list(c);
    ptk_error_src(d, src, path, "cannot choose the kernel: %zu functions (%s) %s; use --entry NAME",
                   c->len, l, marked.len ? "are marked pto.entry" : "and none is marked pto.entry");
    free(l);
  } else {
    const func_vec *c = marked.len ? &marked : pub.len ? &pub : &defs;
    ptk_error_src(d, src, path, "%zu functions could be the entry; choose one with --entry NAME", c->len);
    list_funcs(d, c);
  }
out:
  ptk_vec_free(&defs);
  ptk_vec_free(&marked);
  ptk_vec_free(&pub);
  return f;
}

/* ---- loading ----------------------------------------------------------------------------- */

static const char *module_target(const ptk_module *m) {
  for (; m; m = m->parent) {
    const ptk_attr *a = ptk_module_attr(m, "pto.target_arch");
    if (a && a->kind == PTK_ATTR_STRING) return a->str.len >= 2 && !strncmp(a->str.s, "a5", 2) ? "a5" : "a3";
  }
  return "a3";
}


static bool load_pto(ptk_loaded *l, const char *path, const ptk_source *src, const char *entry,
                     size_t nconsts, const ptk_const_binding *consts, bool inline_list, const char *target,
                     const char *mode, ptk_diags *d) {
  if (nconsts) {
    ptk_error_file(d, path, "--const %s=%s: '%s' is a .pto file; const parameters exist only in .ptk kernels",
                   consts[0].name, consts[0].value, path);
    return false;
  }
  bool stdin_like = !strcmp(path, "-") || !strcmp(path, "<stdin>");
  if (!src) {
    if (stdin_like) {
      ptk_error_file(d, path, "standard input must be read by the caller");
      return false;
    }
    l->src = ptk_source_load(path);
    if (!l->src) {
      if (errno == EFBIG)
        ptk_error_file(d, path, "file is larger than 1 GiB");
      else
        ptk_error_file(d, path, "cannot read file: %s", ptk_file_strerror(errno));
      return false;
    }
    src = l->src;
  }
  size_t e0 = ptk_diags_errors(d);
  l->m = ptk_pto_read(src, d);
  if (!l->m || ptk_diags_errors(d) > e0) return false;
  /* a forced target (--target) is the module's: the verifier judges by it
   * (ptoas --pto-arch) and the printed .pto says it */
  if (target) ptk_module_set_attr(l->m, "pto.target_arch", ptk_attr_string(l->m, target, strlen(target)));
  /* a forced mode (--mode) is the level the verifier judges by (ptoas --pto-level) */
  ptk_mode forced = mode && !strcmp(mode, "explicit") ? PTK_MODE_EXPLICIT : PTK_MODE_AUTO;
  if (!ptk_verify_module_mode(l->m, mode ? &forced : NULL, d)) return false;
  l->entry = pick_entry(l->m, entry, src, path, inline_list, d);
  if (!l->entry) return false;
  char hex[65];
  ptk_sha256_hex(src->text, src->len, hex);
  l->key = ptk_xasprintf("pto-v1;symbol=%s;sha256=%s%s%s", l->entry->name, hex, target ? ";target=" : "",
                         target ? target : "");
  if (!l->src || stdin_like) return true; /* the caller's text: no file dependency */
  char buf[PATH_MAX];
  l->dep_own = ptk_xstrdup(realpath(path, buf) ? buf : path);
  l->deps = ptk_xcalloc(1, sizeof *l->deps);
  l->deps[0] = l->dep_own;
  l->ndeps = 1;
  return true;
}

static bool load_ptk(ptk_loaded *l, const char *path, const ptk_source *src, const char *entry,
                     const ptk_const_binding *consts, size_t nconsts, const ptk_trace_opts *o,
                     ptk_diags *d) {
  l->tr = ptk_trace_kernel(path, src, entry, consts, nconsts, o, d);
  if (!l->tr) return false;
  l->m = ptk_trace_module(l->tr);
  l->entry = ptk_trace_entry(l->tr);
  const ptk_trace_info *in = ptk_trace_info_of(l->tr);
  /* deps[0] is the kernel's own file: left out when the caller holds its text. */
  size_t skip = src && in->ndeps ? 1 : 0;
  l->ndeps = in->ndeps - skip;
  l->deps = ptk_xcalloc(l->ndeps + 1, sizeof *l->deps);
  for (size_t i = 0; i < l->ndeps; i++) l->deps[i] = in->deps[i + skip];
  return l->m && l->entry;
}

/* A .pto file that places any tile itself (alloc_tile addr = …) is a
 * level-3 kernel: the pipeline keeps its addresses and sync (explicit
 * mode), as `ptk compile` does. */
static bool has_addr(ptk_op *op, void *unused) {
  (void)unused;
  if (op->kind != PTK_OP_ALLOC_TILE) return true;
  uint32_t n = 0;
  ptk_op_segment(op, 0, &n);
  return n == 0; /* false stops the walk */
}

static const char *pto_mode(ptk_module *m) {
  return ptk_walk_module(ptk_module_top(m), has_addr, NULL) ? "auto" : "explicit";
}

static void build_abi(ptk_loaded *l, const ptk_arg_dirs *dirs) {
  ptk_func *f = l->entry;
  const ptk_trace_info *in = l->tr ? ptk_trace_info_of(l->tr) : NULL;
  l->params = ptk_xcalloc(f->nargs + 1, sizeof *l->params);
  if (!in) l->names = ptk_xcalloc(f->nargs + 1, sizeof *l->names);
  for (uint32_t i = 0; i < f->nargs; i++) {
    ptk_abi_param *p = &l->params[i];
    const ptk_type *t = f->arg_types[i];
    const ptk_value *v = ptk_func_arg(f, i);
    p->position = i;
    p->type = t;
    p->is_ptr = t->kind == PTK_TY_PTR;
    p->known = (t->kind == PTK_TY_PTR || t->kind == PTK_TY_SCALAR) && ptk_type_elem_dtype(t, &p->dtype);
    if (in && i < in->nparams) {
      p->name = in->params[i].name;
      p->declared = in->params[i].dir;
      p->range = in->params[i].range;
    } else {
      l->names[i] = v && v->name ? ptk_xstrdup(v->name) : ptk_xasprintf("arg%u", i);
      p->name = l->names[i];
      p->declared = PTK_DIR_NONE;
      ptk_loc at = ptk_func_arg_loc(f, i);
      p->range = ptk_range_at(at, v && v->name && v->loc.src ? (uint32_t)strlen(v->name) + 1 : 1);
    }
    if (!p->is_ptr)
      p->dir = PTK_ARGDIR_NONE;
    else if (p->declared == PTK_DIR_IN)
      p->dir = PTK_ARGDIR_IN;
    else if (p->declared == PTK_DIR_OUT)
      p->dir = PTK_ARGDIR_OUT;
    else if (p->declared == PTK_DIR_INOUT)
      p->dir = PTK_ARGDIR_INOUT;
    else
      p->dir = dirs && i < dirs->n ? dirs->dir[i] : PTK_ARGDIR_INOUT;
  }
  l->abi.params = l->params;
  l->abi.nparams = f->nargs;
  l->abi.symbol = f->name;
  if (in) {
    l->abi.kernel = in->kernel;
    if (in->source_backed) l->abi.decl = in->decl;
    l->abi.target = in->target;
    l->abi.kind = in->kind;
    l->abi.mode = in->mode;
  } else {
    l->abi.kernel = f->name;
    l->abi.target = module_target(f->module);
    l->abi.kind = ptk_lower_kernel_kind(f);
    l->abi.mode = pto_mode(l->m);
  }
  if (l->abi_target) l->abi.target = l->abi_target;
  if (l->abi_mode) l->abi.mode = l->abi_mode;
}

/* The pass pipeline (DESIGN §4), the same for every kind of kernel: the
 * kernel's mode / target / insert_sync unless `ko` forces them. The entry's
 * argument directions go to *dirs (copied when ko->result keeps the result). */
static bool run_passes(ptk_loaded *l, const ptk_kernel_load_opts *ko, ptk_arg_dirs *dirs,
                       ptk_diags *d) {
  const ptk_trace_info *in = l->tr ? ptk_trace_info_of(l->tr) : NULL;
  ptk_pipeline_result local;
  memset(&local, 0, sizeof local);
  ptk_pipeline_result *res = ko->result ? ko->result : &local;
  ptk_pipeline_opts o;
  memset(&o, 0, sizeof o);
  const char *mode = ko->mode ? ko->mode : in ? in->mode : pto_mode(l->m);
  o.mode = mode && !strcmp(mode, "explicit") ? PTK_MODE_EXPLICIT : PTK_MODE_AUTO;
  const char *tg = ko->target ? ko->target : in ? in->target : module_target(l->entry->module);
  o.target = PTK_TARGET_A3;
  if (tg) ptk_target_parse(tg, &o.target);
  if (ko->insert_sync)
    o.insert_sync = ko->insert_sync > 0 ? 1 : 0;
  else
    o.insert_sync = in && in->insert_sync_set ? (in->insert_sync ? 1 : 0) : -1;
  o.strict_sync = (ko->flags & PTK_LOAD_STRICT_SYNC) != 0;
  o.dump_dir = ko->dump_dir;
  o.dump_regex = ko->dump_regex;
  o.verify_each = ko->verify_each;
  o.no_optimize = (ko->flags & PTK_LOAD_NO_OPTIMIZE) != 0;
  o.time_passes = ko->time_passes;
  o.stats = ko->stats;
  o.result = res;
  /* What the pipeline ran with (a .pto file's mode must be decided before
   * plan-memory gives every tile an address). */
  l->abi_target = ptk_target_name(o.target);
  l->abi_mode = ptk_mode_name(o.mode);
  ptk_ast_dir *decl = NULL;
  ptk_range *ranges = NULL;
  const char **names = NULL;
  if (in && in->nparams) {
    decl = ptk_xcalloc(in->nparams, sizeof *decl);
    ranges = ptk_xcalloc(in->nparams, sizeof *ranges);
    names = ptk_xcalloc(in->nparams, sizeof *names);
    for (size_t i = 0; i < in->nparams; i++) {
      decl[i] = in->params[i].dir;
      ranges[i] = in->params[i].range;
      names[i] = in->params[i].name;
    }
    o.declared = decl;
    o.decl_ranges = ranges;
    o.decl_names = names;
    o.ndeclared = (uint32_t)in->nparams;
  }
  size_t e0 = ptk_diags_errors(d), n0 = d->items.len;
  int rc = ptk_pipeline_run(l->m, l->entry, &o, d, ko->report);
  /* Errors at ops inside inlined fn helpers: notes at the calls. */
  if (l->tr) ptk_trace_call_notes(l->tr, d, n0);
  free(decl);
  free(ranges);
  free(names);
  if (res == &local) {
    *dirs = local.dirs; /* taken over */
    local.dirs = (ptk_arg_dirs){0};
    ptk_pipeline_result_free(&local);
  } else if (res->dirs.n) {
    dirs->n = res->dirs.n;
    dirs->dir = ptk_xcalloc(res->dirs.n, sizeof *dirs->dir);
    memcpy(dirs->dir, res->dirs.dir, res->dirs.n * sizeof *dirs->dir);
  }
  return rc == 0 && ptk_diags_errors(d) == e0;
}

ptk_loaded *ptk_kernel_load_with(const char *path, const ptk_source *src,
                                 const ptk_kernel_load_opts *ko, ptk_diags *d) {
  ptk_kernel_load_opts none;
  if (!ko) {
    memset(&none, 0, sizeof none);
    ko = &none;
  }
  if (!path) path = src ? src->path : NULL;
  if (!path) {
    ptk_error_file(d, "ptk", "no kernel file given");
    return NULL;
  }
  bool is_ptk = has_ext(path, ".ptk");
  bool is_pto = has_ext(path, ".pto") || !strcmp(path, "-") || !strcmp(path, "<stdin>");
  if (!is_ptk && !is_pto) {
    ptk_error_file(d, path, "unknown file type (expected .ptk or .pto)");
    return NULL;
  }
  ptk_loaded *l = ptk_xcalloc(1, sizeof *l);
  size_t e0 = ptk_diags_errors(d);
  bool ok = is_ptk ? load_ptk(l, path, src, ko->entry, ko->consts, ko->nconsts, ko->trace, d)
                   : load_pto(l, path, src, ko->entry, ko->nconsts, ko->consts,
                              (ko->flags & PTK_LOAD_LIST_INLINE) != 0, ko->target, ko->mode, d);
  ptk_arg_dirs dirs;
  memset(&dirs, 0, sizeof dirs);
  if (ok && ko->before_passes) ok = ko->before_passes(ko->before_passes_arg, d);
  if (ok) {
    if (ko->flags & PTK_LOAD_NO_PASSES) {
      ok = !is_ptk || ptk_verify_module(l->m, d);
      if (ok && (ko->flags & PTK_LOAD_STRICT_SYNC)) {
        const ptk_trace_info *in = l->tr ? ptk_trace_info_of(l->tr) : NULL;
        const char *mode = ko->mode ? ko->mode : in ? in->mode : pto_mode(l->m);
        ok = ptk_check_sync_as_written(l->m, mode && !strcmp(mode, "explicit"), d);
      }
      if (ok) ptk_derive_arg_directions(l->entry, &dirs);
    } else {
      ok = run_passes(l, ko, &dirs, d);
    }
  }
  if (ok) build_abi(l, &dirs);
  ptk_arg_dirs_free(&dirs);
  if (!ok || ptk_diags_errors(d) > e0) {
    ptk_loaded_free(l);
    return NULL;
  }
  return l;
}

ptk_loaded *ptk_kernel_load_ex(const char *path, const ptk_source *src, const char *entry,
                               const ptk_const_binding *consts, size_t nconsts,
                               const ptk_trace_opts *o, unsigned flags, ptk_diags *d) {
  ptk_kernel_load_opts ko;
  memset(&ko, 0, sizeof ko);
  ko.entry = entry;
  ko.consts = consts;
  ko.nconsts = nconsts;
  ko.trace = o;
  ko.flags = flags;
  return ptk_kernel_load_with(path, src, &ko, d);
}

ptk_loaded *ptk_kernel_load(const char *path, const ptk_source *src, const char *entry,
                            const ptk_const_binding *consts, size_t nconsts,
                            const ptk_trace_opts *o, ptk_diags *d) {
  return ptk_kernel_load_ex(path, src, entry, consts, nconsts, o, 0, d);
}

void ptk_loaded_free(ptk_loaded *l) {
  if (!l) return;
  if (l->tr)
    ptk_trace_result_free(l->tr);
  else
    ptk_module_free(l->m);
  ptk_source_free(l->src);
  if (l->names)
    for (size_t i = 0; i < l->abi.nparams; i++) free(l->names[i]);
  free(l->names);
  free(l->params);
  free(l->key);
  free(l->deps);
  free(l->dep_own);
  free(l);
}

ptk_module *ptk_loaded_module(const ptk_loaded *l) { return l ? l->m : NULL; }
ptk_func *ptk_loaded_entry(const ptk_loaded *l) { return l ? l->entry : NULL; }
const ptk_abi *ptk_loaded_abi(const ptk_loaded *l) { return l ? &l->abi : NULL; }
const char *ptk_loaded_key(const ptk_loaded *l) {
  if (!l) return NULL;
  return l->tr ? ptk_trace_info_of(l->tr)->key : l->key;
}
const char *const *ptk_loaded_deps(const ptk_loaded *l, size_t *n) {
  if (n) *n = l ? l->ndeps : 0;
  return l ? l->deps : NULL;
}
const ptk_trace_info *ptk_loaded_trace_info(const ptk_loaded *l) {
  return l && l->tr ? ptk_trace_info_of(l->tr) : NULL;
}
bool ptk_loaded_is_pto(const ptk_loaded *l) { return l && !l->tr; }
