/* The tracer's driver: load the .ptk file and its imports, pick the kernel,
 * read @jit, bind const parameters, trace the body (or load the source),
 * and describe the result (ABI, bindings, specialization key). */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parser/parse.h"
#include "lang/sha256.h"
#include "trace/trace_int.h"

#ifndef PTK_STDLIB_DIR
#define PTK_STDLIB_DIR "/usr/local/share/ptk/stdlib"
#endif
#ifndef PTK_SOURCE_STDLIB
#define PTK_SOURCE_STDLIB "stdlib"
#endif

/* ---- paths ----------------------------------------------------------------- */

char *tr_join_path(const char *dir, const char *rel) {
  if (rel[0] == '/' || !dir || !dir[0] || !strcmp(dir, ".")) return ptk_xstrdup(rel);
  size_t n = strlen(dir);
  return ptk_xasprintf("%s%s%s", dir, dir[n - 1] == '/' ? "" : "/", rel);
}

static char *dir_of(const char *path) {
  const char *slash = strrchr(path, '/');
  if (!slash) return ptk_xstrdup(".");
  if (slash == path) return ptk_xstrdup("/");
  return ptk_xstrndup(path, (size_t)(slash - path));
}

static bool is_file(const char *p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static bool is_dir(const char *p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static char *real_or_copy(const char *p) {
  char buf[PATH_MAX];
  if (realpath(p, buf)) return ptk_xstrdup(buf);
  return ptk_xstrdup(p);
}

bool tr_utf8_ok(const char *s, size_t n, size_t *bad) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  while (i < n) {
    unsigned char b = p[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    size_t k;
    uint32_t cp;
    if ((b & 0xE0) == 0xC0) k = 1, cp = b & 0x1F;
    else if ((b & 0xF0) == 0xE0) k = 2, cp = b & 0x0F;
    else if ((b & 0xF8) == 0xF0) k = 3, cp = b & 0x07;
    else goto fail;
    for (size_t j = 1; j <= k; j++) {
      if (i + j >= n || (p[i + j] & 0xC0) != 0x80) goto fail;
      cp = cp << 6 | (p[i + j] & 0x3F);
    }
    if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      goto fail;
    i += k + 1;
  }
  return true;
fail:
  if (bad) *bad = i;
  return false;
}

ptk_source *tr_keep_source(tctx *c, ptk_source *s) {
  if (s) ptk_vec_push(&c->res->sources, s);
  return s;
}

/* ---- loading units ------------------------------------------------------------ */

typedef struct istack {
  tunit *u;
  const ptk_ast_item *imp; /* the import being followed from u */
  struct istack *up;
} istack;

static bool load_imports(tctx *c, tunit *u, istack *st);

static tunit *new_unit(tctx *c, const ptk_source *src, const char *real) {
  tunit *u = ptk_arena_alloc(c->arena, sizeof *u);
  u->src = src;
  u->real = ptk_arena_strdup(c->arena, real);
  char *d = dir_of(src->path);
  u->dir = ptk_arena_strdup(c->arena, d);
  free(d);
  ptk_sha256_hex(src->text, src->len, u->sha);
  ptk_vec_push(&c->units, u);
  return u;
}

static bool check_decorators(tctx *c, const ptk_ast_item *it) {
  bool ok = true;
  for (size_t i = 0; i < it->ndecorators; i++) {
    const ptk_ast_decorator *dc = &it->decorators[i];
    if (strcmp(dc->name, "jit")) {
      tr_error(c, dc->name_range, "unknown decorator '@%s' (the only decorator is @jit, on kernels)", dc->name);
      ok = false;
    } else if (it->kind != PTK_ITEM_KERNEL) {
      tr_error(c, dc->range, "@jit applies to kernels, not to %s", it->kind == PTK_ITEM_FN ? "fn helpers" : "consts");
      ok = false;
    } else if (i > 0) {
      for (size_t j = 0; j < i; j++)
        if (!strcmp(it->decorators[j].name, "jit")) {
          tr_error(c, dc->range, "@jit is given twice");
          tr_note(c, it->decorators[j].range, "the first @jit is here");
          ok = false;
          break;
        }
    }
  }
  return ok;
}

/* Parses the file and builds its table of globals; imports are followed by load_imports. */
static tunit *parse_unit(tctx *c, const ptk_source *src, const char *real) {
  tunit *u = new_unit(c, src, real);
  size_t e0 = ptk_diags_errors(c->d);
  u->ast = ptk_parse(src, c->d, c->arena);
  if (ptk_diags_errors(c->d) > e0) return NULL;
  size_t n = u->ast->nitems;
  tr_unit_globals_init(c, u, n);
  bool ok = true;
  for (size_t i = 0; i < n; i++) {
    const ptk_ast_item *it = u->ast->items[i];
    ok &= check_decorators(c, it);
    gent g = {0};
    g.item = it;
    switch (it->kind) {
    case PTK_ITEM_FN:
      g.kind = G_FN;
      g.name = it->u.fn.name;
      g.range = it->u.fn.name_range;
      break;
    case PTK_ITEM_CONST:
      g.kind = G_CONST;
      g.name = it->u.const_.name;
      g.range = it->u.const_.name_range;
      break;
    case PTK_ITEM_KERNEL:
      g.kind = G_KERNEL;
      g.name = it->u.kernel.name;
      g.range = it->u.kernel.name_range;
      break;
    case PTK_ITEM_PROGRAM:
      g.kind = G_PROGRAM;
      g.name = it->u.program.name;
      g.range = it->u.program.name_range;
      break;
    case PTK_ITEM_IMPORT:
      if (!it->u.import.alias) continue;
      g.kind = G_ALIAS;
      g.name = it->u.import.alias;
      g.range = it->u.import.alias_range;
      break;
    }
    g.hash = tr_hash(g.name);
    gent *prev = tr_unit_global(u, g.name, g.hash);
    if (prev) {
      tr_error(c, g.range, "'%s' is defined twice in this file", g.name);
      tr_note(c, prev->range, "the first definition is here");
      ok = false;
      continue;
    }
    tr_unit_global_add(u, &g);
  }
  return ok ? u : NULL;
}

static tunit *find_unit(tctx *c, const char *real) {
  for (size_t i = 0; i < c->units.len; i++)
    if (!strcmp(c->units.data[i]->real, real)) return c->units.data[i];
  return NULL;
}

static const char *short_name(const tunit *u) {
  const char *p = strrchr(u->src->path, '/');
  return p ? p + 1 : u->src->path;
}

static void report_cycle(tctx *c, tunit *target, const ptk_ast_item *imp, istack *st) {
  ptk_buf b = {0};
  /* The chain from `target` to the importing unit, then back to target. */
  istack *chain[256];
  size_t n = 0;
  for (istack *s = st; s && n < 256; s = s->up) {
    chain[n++] = s;
    if (s->u == target) break;
  }
  for (size_t i = n; i > 0; i--) ptk_buf_printf(&b, "%s → ", short_name(chain[i - 1]->u));
  ptk_buf_puts(&b, short_name(target));
  tr_error(c, imp->u.import.path_range, "import cycle: %s", ptk_buf_cstr(&b));
  for (size_t i = n; i > 1; i--) {
    istack *s = chain[i - 1];
    if (s->imp)
      tr_note(c, s->imp->u.import.path_range, "%s imports %s here", short_name(s->u),
              short_name(chain[i - 2]->u));
  }
  ptk_buf_free(&b);
}

/* Resolves an import path: the importing file's folder, -I folders, the stdlib. */
static char *resolve_import(tctx *c, tunit *u, const ptk_ast_item *imp) {
  const char *p = imp->u.import.path;
  if (p[0] == '/') return is_file(p) ? ptk_xstrdup(p) : NULL;
  char *cand = tr_join_path(u->dir, p);
  if (is_file(cand)) return cand;
  free(cand);
  for (size_t i = 0; c->opts && i < c->opts->ninclude; i++) {
    cand = tr_join_path(c->opts->include_dirs[i], p);
    if (is_file(cand)) return cand;
    free(cand);
  }
  if (c->stdlib) {
    cand = tr_join_path(c->stdlib, p);
    if (is_file(cand)) return cand;
    free(cand);
  }
  return NULL;
}

static bool load_imports(tctx *c, tunit *u, istack *st) {
  u->state = 1;
  bool ok = true;
  size_t nimp = 0;
  for (size_t i = 0; i < u->ast->nitems; i++) nimp += u->ast->items[i]->kind == PTK_ITEM_IMPORT;
  u->stars = ptk_arena_alloc(c->arena, (nimp ? nimp : 1) * sizeof *u->stars);
  for (size_t i = 0; i < u->ast->nitems && !c->abort; i++) {
    const ptk_ast_item *imp = u->ast->items[i];
    if (imp->kind != PTK_ITEM_IMPORT) continue;
    if (strlen(imp->u.import.path) != imp->u.import.path_len || !imp->u.import.path_len) {
      tr_error(c, imp->u.import.path_range, "invalid import path");
      ok = false;
      continue;
    }
    char *path = resolve_import(c, u, imp);
    if (!path) {
      ptk_buf b = {0};
      ptk_buf_printf(&b, "%s", u->dir);
      for (size_t k = 0; c->opts && k < c->opts->ninclude; k++)
        ptk_buf_printf(&b, ", %s", c->opts->include_dirs[k]);
      if (c->stdlib) ptk_buf_printf(&b, ", %s (stdlib)", c->stdlib);
      tr_error(c, imp->u.import.path_range, "cannot find '%s' to import", imp->u.import.path);
      tr_note(c, imp->u.import.path_range, "searched: %s", ptk_buf_cstr(&b));
      ptk_buf_free(&b);
      ok = false;
      continue;
    }
    char *real = real_or_copy(path);
    tunit *iu = find_unit(c, real);
    if (iu && iu->state == 1) {
      istack top = {u, imp, st};
      report_cycle(c, iu, imp, &top);
      free(real);
      free(path);
      ok = false;
      continue;
    }
    if (!iu) {
      ptk_source *src = ptk_source_load(path);
      if (!src) {
        tr_error(c, imp->u.import.path_range, "cannot read '%s' (resolved to '%s'): %s", imp->u.import.path,
                 path, ptk_file_strerror(errno));
        free(real);
        free(path);
        ok = false;
        continue;
      }
      tr_keep_source(c, src);
      size_t bad;
      if (!tr_utf8_ok(src->text, src->len, &bad)) {
        ptk_loc l = ptk_source_loc(src, bad);
        tr_error(c, ptk_range_at(l, 1), "'%s' is not valid UTF-8 text", path);
        tr_note(c, imp->u.import.path_range, "imported here");
        free(real);
        free(path);
        ok = false;
        continue;
      }
      iu = parse_unit(c, src, real);
      if (!iu) {
        tr_note(c, imp->u.import.path_range, "imported here");
        free(real);
        free(path);
        ok = false;
        continue;
      }
      istack top = {u, imp, st};
      if (!load_imports(c, iu, &top)) ok = false;
    }
    free(real);
    free(path);
    if (imp->u.import.alias) {
      gent *g = tr_unit_global(u, imp->u.import.alias, tr_hash(imp->u.import.alias));
      if (g && g->kind == G_ALIAS) g->mod = iu;
    } else {
      u->stars[u->nstars++] = (timport){iu, imp};
    }
  }
  u->state = 2;
  return ok;
}

/* ---- @jit ------------------------------------------------------------------------- */

static bool jit_text(tctx *c, const ptk_ast_arg *a, const char **out) {
  const ptk_ast_expr *e = a->value;
  if (e->kind == PTK_EXPR_NAME && !tr_is_user_name(c, e->u.name.name)) {
    *out = e->u.name.name;
    return true;
  }
  ptk_block *blk = c->blk;
  c->blk = NULL;
  tval v = tr_eval(c, e);
  c->blk = blk;
  if (v.k == TV_ERR) return false;
  if (v.k != TV_STR) {
    tr_error(c, e->range, "@jit %s must be a string, but is %s %s", a->name,
             strchr("aeiou", tv_kind_name(v)[0]) ? "an" : "a", tv_kind_name(v));
    return false;
  }
  *out = ptk_arena_strndup(c->arena, v.str.s, v.str.n);
  return true;
}

static bool jit_choice(tctx *c, const ptk_ast_arg *a, const char *const *ok, size_t n, const char **out) {
  const char *s;
  if (!jit_text(c, a, &s)) return false;
  for (size_t i = 0; i < n; i++)
    if (!strcmp(s, ok[i])) {
      *out = ok[i];
      return true;
    }
  ptk_buf b = {0};
  for (size_t i = 0; i < n; i++) ptk_buf_printf(&b, "%s%s", i ? (i + 1 == n ? " or " : ", ") : "", ok[i]);
  tr_error(c, a->value->range, "@jit %s must be %s, not '%s'", a->name, ptk_buf_cstr(&b), s);
  ptk_buf_free(&b);
  return false;
}

static bool read_jit(tctx *c, const ptk_ast_item *k, tjit *j) {
  memset(j, 0, sizeof *j);
  j->insert_sync = -1;
  bool ok = true;
  for (size_t i = 0; i < k->ndecorators; i++) {
    const ptk_ast_decorator *dc = &k->decorators[i];
    if (strcmp(dc->name, "jit")) continue;
    for (size_t a = 0; a < dc->nargs; a++) {
      const ptk_ast_arg *arg = &dc->args[a];
      const char *n = arg->name;
      static const char *const targets[] = {"a3", "a5"};
      static const char *const kinds[] = {"vector", "cube", "mixed"};
      static const char *const modes[] = {"auto", "explicit"};
      static const char *const backends[] = {"tile", "vpto"};
      const ptk_ast_arg **slot = !strcmp(n, "name")          ? &j->name_arg
                                 : !strcmp(n, "target")      ? &j->target_arg
                                 : !strcmp(n, "kind")        ? &j->kind_arg
                                 : !strcmp(n, "mode")        ? &j->mode_arg
                                 : !strcmp(n, "insert_sync") ? &j->sync_arg
                                 : !strcmp(n, "source")      ? &j->source
                                 : !strcmp(n, "backend")     ? &j->backend_arg
                                                             : NULL;
      if (!slot) {
        tr_error(c, arg->name_range, "unknown @jit key '%s' (the keys are name, target, kind, mode, insert_sync, source and backend)",
                 n);
        ok = false;
        continue;
      }
      if (*slot) {
        tr_error(c, arg->name_range, "@jit key '%s' is given twice", n);
        tr_note(c, (*slot)->name_range, "the first one is here");
        ok = false;
        continue;
      }
      *slot = arg;
      if (slot == &j->name_arg) {
        if (!jit_text(c, arg, &j->name)) ok = false;
        else if (!ptk_is_bare_id(j->name, strlen(j->name))) {
          tr_error(c, arg->value->range, "@jit name '%s' is not a valid symbol name", j->name);
          ok = false;
        }
      } else if (slot == &j->target_arg) {
        ok &= jit_choice(c, arg, targets, 2, &j->target);
      } else if (slot == &j->kind_arg) {
        ok &= jit_choice(c, arg, kinds, 3, &j->kind);
      } else if (slot == &j->mode_arg) {
        ok &= jit_choice(c, arg, modes, 2, &j->mode);
      } else if (slot == &j->backend_arg) {
        ok &= jit_choice(c, arg, backends, 2, &j->backend);
      } else if (slot == &j->sync_arg) {
        ptk_block *blk = c->blk;
        c->blk = NULL;
        tval v = tr_eval(c, arg->value);
        c->blk = blk;
        if (v.k == TV_BOOL) {
          j->insert_sync = v.b;
        } else {
          if (v.k != TV_ERR)
            tr_error(c, arg->value->range, "@jit insert_sync must be true or false, but is %s %s",
                     strchr("aeiou", tv_kind_name(v)[0]) ? "an" : "a", tv_kind_name(v));
          ok = false;
        }
      }
    }
  }
  return ok;
}

/* ---- const parameters ----------------------------------------------------------------- */

static const char *const_type_name(const ptk_ast_type *t) {
  static const char *const ok[] = {"int", "float", "bool", "str", "dtype"};
  for (size_t i = 0; i < PTK_ARRAY_LEN(ok); i++)
    if (!strcmp(t->name, ok[i]) && !t->nargs) return ok[i];
  return NULL;
}

static bool parse_binding(const char *type, const char *s, tval *out) {
  char *end;
  if (!strcmp(type, "int")) {
    char buf[128];
    size_t k = 0;
    for (const char *p = s; *p && k + 1 < sizeof buf; p++)
      if (*p != '_') buf[k++] = *p;
    buf[k] = 0;
    if (!k || k + 1 >= sizeof buf) return false;
    errno = 0;
    long long v = strtoll(buf, &end, 0);
    if (*end || errno) return false;
    *out = tv_int(v);
    return true;
  }
  if (!strcmp(type, "float")) {
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || *end || errno == ERANGE) return false;
    *out = tv_float(v);
    return true;
  }
  if (!strcmp(type, "bool")) {
    if (!strcmp(s, "true") || !strcmp(s, "1")) *out = tv_bool(true);
    else if (!strcmp(s, "false") || !strcmp(s, "0")) *out = tv_bool(false);
    else return false;
    return true;
  }
  if (!strcmp(type, "str")) {
    *out = (tval){.k = TV_STR, .str = {s, strlen(s)}};
    return true;
  }
  ptk_dtype dt;
  if (!strcmp(type, "dtype") && tr_dtype_by_name(s, &dt)) {
    *out = tv_dtype(dt);
    return true;
  }
  return false;
}

static void float_text(double v, char *buf, size_t n) {
  for (int p = 1; p <= 17; p++) {
    snprintf(buf, n, "%.*g", p, v);
    if (strtod(buf, NULL) == v) break;
  }
  if (!strpbrk(buf, ".eEn")) strncat(buf, ".0", n - strlen(buf) - 1);
}

static const char *value_text(tctx *c, tval v) {
  char buf[64];
  switch (v.k) {
  case TV_INT: return ptk_arena_printf(c->arena, "%" PRId64, v.i);
  case TV_FLOAT: float_text(v.f, buf, sizeof buf); return ptk_arena_strdup(c->arena, buf);
  case TV_BOOL: return v.b ? "true" : "false";
  case TV_STR: return ptk_arena_strndup(c->arena, v.str.s, v.str.n);
  case TV_DTYPE: return ptk_dtype_name(v.dt);
  default: return "?";
  }
}

/* ---- the traced kernel ---------------------------------------------------------------- */

static const char *dir_name(ptk_ast_dir d) { return ptk_ast_dir_str(d); }

/* The IR type of a launch parameter (ptr<T[, gm]>, scalar dtypes), or NULL after an error. */
const ptk_type *tr_abi_type(tctx *c, ptk_module *m, const ptk_ast_param *p, ptk_dtype *dt, bool *is_ptr) {
  const ptk_ast_type *t = p->type;
  *is_ptr = false;
  if (!strcmp(t->name, "ptr")) {
    if (t->nargs < 1 || t->nargs > 2) {
      tr_error(c, t->range, "a pointer type is written ptr<T> or ptr<T, gm>");
      return NULL;
    }
    if (t->args[0]->nargs || !tr_dtype_by_name(t->args[0]->name, dt) || !strcmp(t->args[0]->name, "bool")) {
      tr_error(c, t->args[0]->range, "'%s' is not an element type (expected f32, f16, bf16, i8, i16, i32, i64, …)",
               t->args[0]->name);
      return NULL;
    }
    if (t->nargs == 2 && strcmp(t->args[1]->name, "gm")) {
      tr_error(c, t->args[1]->range, "kernel pointer parameters point to global memory ('gm'), not '%s'",
               t->args[1]->name);
      return NULL;
    }
    if (*dt == PTK_DT_INDEX) {
      tr_error(c, t->args[0]->range, "'index' is not a memory element type");
      return NULL;
    }
    *is_ptr = true;
    return ptk_type_ptr(m, tr_scalar(*dt), PTK_SPACE_GM);
  }
  if (!t->nargs && tr_dtype_by_name(t->name, dt)) {
    if (!ptk_dtype_is_float(*dt) && !ptk_dtype_is_int(*dt)) return NULL;
    return tr_scalar(*dt);
  }
  if (const_type_name(t)) {
    tr_error(c, t->range, "'%s' is a compile-time type; a launch parameter needs a runtime type (i32, i64, index, f32, …) — or declare it 'const %s: %s'",
             t->name, p->name, t->name);
    return NULL;
  }
  if (!strcmp(t->name, "tile") || !strcmp(t->name, "tensor_view") || !strcmp(t->name, "partition")) {
    tr_error(c, t->range, "a kernel cannot take a %s; pass a pointer (ptr<T>) and build views inside the kernel",
             t->name);
    return NULL;
  }
  tr_error(c, t->range, "unknown parameter type '%s'", t->name);
  return NULL;
}

static bool walk_kind(ptk_op *op, void *ctx) {
  bool *cube = ctx;
  if (ptk_op_table[op->kind].flags & PTK_OPF_MATMUL) *cube = true;
  for (uint32_t i = 0; i < op->nresults; i++) {
    const ptk_type *t = op->results[i].type;
    if (t->kind == PTK_TY_TILE_BUF &&
        (t->tile.loc == PTK_SPACE_LEFT || t->tile.loc == PTK_SPACE_RIGHT || t->tile.loc == PTK_SPACE_ACC))
      *cube = true;
  }
  return !*cube;
}

const char *tr_infer_kind(ptk_func *f) {
  bool cube = false;
  if (f->body) ptk_walk_func(f, walk_kind, &cube);
  return cube ? "cube" : "vector";
}

const ptk_type *tr_launch_param(tctx *c, const ptk_ast_param *p, uint32_t pos, ptk_trace_param *out,
                                bool *ok) {
  if (p->default_value) {
    tr_error(c, p->default_value->range, "launch parameter '%s' cannot have a default value (only const parameters can)",
             p->name);
    *ok = false;
  }
  ptk_dtype dt = PTK_DT_F32;
  bool is_ptr;
  const ptk_type *t = tr_abi_type(c, c->m, p, &dt, &is_ptr);
  if (!t) {
    *ok = false;
    return NULL;
  }
  if (!is_ptr && p->dir != PTK_DIR_NONE) {
    tr_error(c, p->dir_range, "'%s' applies to pointer parameters; '%s' is a scalar", dir_name(p->dir), p->name);
    *ok = false;
  }
  *out = (ptk_trace_param){p->name, pos, is_ptr, dt, p->dir, p->range};
  return t;
}

void tr_set_entry_attrs(tctx *c, ptk_func *f, const char *kind) {
  ptk_func_set_attr(f, "pto.entry", ptk_attr_unit(c->m));
  if (!strcmp(kind, "vector") || !strcmp(kind, "cube"))
    ptk_func_set_attr(f, "pto.kernel_kind", ptk_attr_pto_enum(c->m, "kernel_kind", kind));
}

/* Binds const params and traces the body into c->m. */
static bool trace_body(tctx *c, tunit *u, const ptk_ast_item *k, const tjit *jit,
                       const ptk_const_binding *consts, size_t nconsts) {
  ptk_trace_info *info = &c->res->info;
  size_t np = k->u.kernel.nparams;
  const ptk_ast_param *ps = k->u.kernel.params;
  /* Launch parameters: the ABI. */
  const ptk_type **at = ptk_arena_alloc(c->tmp, (np ? np : 1) * sizeof *at);
  ptk_trace_param *ip = ptk_arena_alloc(c->arena, (np ? np : 1) * sizeof *ip);
  ptk_trace_const *ic = ptk_arena_alloc(c->arena, (np ? np : 1) * sizeof *ic);
  uint32_t na = 0;
  bool ok = true;
  for (size_t i = 0; i < np; i++) {
    const ptk_ast_param *p = &ps[i];
    if (p->is_const) {
      if (p->dir != PTK_DIR_NONE) {
        tr_error(c, p->dir_range, "a const parameter has no direction ('%s' applies to pointers)", dir_name(p->dir));
        ok = false;
      }
      continue;
    }
    const ptk_type *t = tr_launch_param(c, p, na, &ip[na], &ok);
    if (!t) continue;
    at[na++] = t;
  }
  info->params = ip;
  info->nparams = na;
  /* --const bindings: every name must be a const parameter. */
  bool *used = ptk_arena_alloc(c->tmp, (nconsts ? nconsts : 1) * sizeof *used);
  for (size_t b = 0; b < nconsts; b++) {
    size_t i = 0;
    while (i < np && !(ps[i].is_const && !strcmp(ps[i].name, consts[b].name))) i++;
    for (size_t b2 = 0; b2 < b; b2++)
      if (!strcmp(consts[b2].name, consts[b].name)) {
        tr_error(c, ptk_range_none(), "--const %s is given twice", consts[b].name);
        ok = false;
      }
    if (i == np) {
      ptk_buf l = {0};
      for (size_t j = 0; j < np; j++)
        if (ps[j].is_const) ptk_buf_printf(&l, "%s%s", l.len ? ", " : "", ps[j].name);
      tr_error(c, ptk_range_none(), "--const %s=%s: kernel '%s' has no const parameter '%s'", consts[b].name,
               consts[b].value, k->u.kernel.name, consts[b].name);
      if (l.len)
        tr_note(c, k->u.kernel.name_range, "the const parameters of '%s' are: %s", k->u.kernel.name,
                ptk_buf_cstr(&l));
      else
        tr_note(c, k->u.kernel.name_range, "'%s' has no const parameters", k->u.kernel.name);
      ptk_buf_free(&l);
      ok = false;
    }
  }
  if (!ok) return false;

  ptk_func *f = ptk_func_new(c->m, jit->name ? jit->name : k->u.kernel.name, at, na, NULL, 0, false,
                             tr_loc(k->u.kernel.name_range));
  c->f = f;
  c->entry = c->blk = ptk_func_entry(f);
  c->unit = u;
  c->frame_base = 0;
  c->scope = 0;
  size_t nic = 0;
  uint32_t ai = 0;
  for (size_t i = 0; i < np && !c->abort; i++) {
    const ptk_ast_param *p = &ps[i];
    if (!p->is_const) {
      ptk_value *arg = ptk_func_arg(f, ai++);
      arg->name = p->name;
      arg->loc = tr_loc(p->name_range);
      tr_declare(c, p->name, p->name_range, B_PARAM, tv_ir(arg));
      continue;
    }
    const char *tn = const_type_name(p->type);
    if (!tn) {
      tr_error(c, p->type->range, "const parameter '%s' must have a compile-time type: int, float, bool, str or dtype",
               p->name);
      ok = false;
      continue;
    }
    tval v = tv_err();
    const ptk_const_binding *bnd = NULL;
    for (size_t b = 0; b < nconsts; b++)
      if (!strcmp(consts[b].name, p->name)) bnd = &consts[b];
    if (bnd) {
      if (!parse_binding(tn, bnd->value, &v)) {
        tr_error(c, ptk_range_none(), "--const %s=%s: '%s' is not %s %s", bnd->name, bnd->value, bnd->value,
                 strchr("aeiou", tn[0]) ? "an" : "a", tn);
        tr_note(c, p->range, "'%s' is declared here as %s", p->name, tn);
        ok = false;
        continue;
      }
      if (v.k == TV_STR) v.str.s = ptk_arena_strdup(c->arena, v.str.s);
    } else if (p->default_value) {
      ptk_block *blk = c->blk;
      c->blk = NULL;
      v = tr_eval(c, p->default_value);
      c->blk = blk;
      char what[160];
      snprintf(what, sizeof what, "the default value of '%s'", p->name);
      v = tr_check_type(c, p->type, v, p->default_value->range, what);
      if (v.k == TV_ERR) {
        ok = false;
        continue;
      }
    } else {
      tr_error(c, p->name_range, "const parameter '%s' has no default value; bind it with --const %s=VALUE", p->name,
               p->name);
      ok = false;
      continue;
    }
    ic[nic++] = (ptk_trace_const){p->name, tn, value_text(c, v), bnd == NULL};
    tr_declare(c, p->name, p->name_range, B_CONST, v);
  }
  info->consts = ic;
  info->nconsts = nic;
  if (!ok || c->abort) return false;
  c->in_fn = false;
  tr_exec_block(c, k->u.kernel.body);
  if (tr_failed(c)) return false;
  ptk_build(c->m, c->blk, PTK_OP_FUNC_RETURN, NULL, 0, NULL, 0, k->u.kernel.body->range.end);
  return true;
}

/* ---- the entry point ---------------------------------------------------------------------- */

static void free_ctx(tctx *c) {
  free(c->stdlib);
  free(c->consts);
  ptk_vec_free(&c->casts);
  ptk_vec_free(&c->units);
  ptk_vec_free(&c->binds);
  ptk_vec_free(&c->dead_loops);
  free(c->bheads);
  c->bheads = NULL;
  ptk_vec_free(&c->calls);
  ptk_arena_free(c->tmp);
}

void ptk_trace_result_free(ptk_trace_result *r) {
  if (!r) return;
  ptk_module_free(r->m);
  for (size_t i = 0; i < r->sources.len; i++) ptk_source_free(r->sources.data[i]);
  ptk_vec_free(&r->sources);
  ptk_vec_free(&r->chains);
  ptk_vec_free(&r->call_ops);
  ptk_arena_free(r->arena);
  free(r);
}

ptk_module *ptk_trace_module(const ptk_trace_result *r) { return r ? r->m : NULL; }
ptk_func *ptk_trace_entry(const ptk_trace_result *r) { return r ? r->entry : NULL; }
const ptk_trace_info *ptk_trace_info_of(const ptk_trace_result *r) { return r ? &r->info : NULL; }

/* The stdlib that belongs to the running program, found next to it: an
 * installed PREFIX/bin/ptk uses PREFIX/share/ptk/stdlib, a build-tree
 * REPO/build/ptk uses REPO/stdlib. This beats the compiled-in paths, so a
 * build installed with another PREFIX, or a development build on a machine
 * that also has an older installation, still gets its own stdlib. Only for
 * the ptk command itself: a user's program linking libptk has no stdlib
 * beside it. */
static char *exe_relative_stdlib(void) {
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return NULL;
  exe[n] = 0;
  char *slash = strrchr(exe, '/');
  if (!slash || strcmp(slash + 1, "ptk")) return NULL;
  *slash = 0;
  static const char *const rel[] = {"/../share/ptk/stdlib", "/../stdlib"};
  for (size_t i = 0; i < PTK_ARRAY_LEN(rel); i++) {
    char *p = ptk_xasprintf("%s%s", exe, rel[i]);
    char real[PATH_MAX];
    if (is_dir(p) && realpath(p, real)) {
      free(p);
      return ptk_xstrdup(real);
    }
    free(p);
  }
  return NULL;
}

static char *find_stdlib(const ptk_trace_opts *o) {
  if (o && o->stdlib_dir) return ptk_xstrdup(o->stdlib_dir);
  const char *env = getenv("PTK_STDLIB");
  if (env && *env) return ptk_xstrdup(env);
  char *own = exe_relative_stdlib();
  if (own) return own;
  if (is_dir(PTK_STDLIB_DIR)) return ptk_xstrdup(PTK_STDLIB_DIR);
  if (is_dir(PTK_SOURCE_STDLIB)) return ptk_xstrdup(PTK_SOURCE_STDLIB);
  return NULL;
}

char *ptk_trace_stdlib_dir(const ptk_trace_opts *o) { return find_stdlib(o); }

static const ptk_ast_item *pick_kernel(tctx *c, tunit *u, const char *name, const char *path) {
  const ptk_ast_item *found = NULL;
  size_t n = 0;
  for (size_t i = 0; i < u->ast->nitems; i++) {
    const ptk_ast_item *it = u->ast->items[i];
    if (it->kind != PTK_ITEM_KERNEL) continue;
    n++;
    if (!name) {
      found = found ? found : it;
      continue;
    }
    bool match = !strcmp(it->u.kernel.name, name);
    for (size_t d = 0; !match && d < it->ndecorators; d++)
      for (size_t a = 0; a < it->decorators[d].nargs; a++) {
        const ptk_ast_arg *arg = &it->decorators[d].args[a];
        if (!strcmp(arg->name, "name") && arg->value->kind == PTK_EXPR_STRING &&
            !strcmp(arg->value->u.string_lit.data, name))
          match = true;
      }
    if (match && !found) found = it;
  }
  if (name && !found) {
    ptk_error_src(c->d, u->src, path, "no kernel named '%s'", name);
    for (size_t i = 0; i < u->ast->nitems; i++)
      if (u->ast->items[i]->kind == PTK_ITEM_KERNEL)
        tr_note(c, u->ast->items[i]->u.kernel.name_range, "kernel '%s' is declared here",
                u->ast->items[i]->u.kernel.name);
    return NULL;
  }
  if (!n) {
    ptk_error_src(c->d, u->src, path, "no kernel in this file (declare one with 'kernel NAME(…) { … }')");
    return NULL;
  }
  if (!name && n > 1) {
    ptk_error_src(c->d, u->src, path, "this file declares %zu kernels; choose one with --entry NAME", n);
    for (size_t i = 0; i < u->ast->nitems; i++)
      if (u->ast->items[i]->kind == PTK_ITEM_KERNEL)
        tr_note(c, u->ast->items[i]->u.kernel.name_range, "kernel '%s' is declared here",
                u->ast->items[i]->u.kernel.name);
    return NULL;
  }
  return found;
}

static void finish_info(tctx *c, const ptk_ast_item *k, const tjit *jit) {
  ptk_trace_info *in = &c->res->info;
  in->kernel = k->u.kernel.name;
  in->decl = k->u.kernel.name_range;
  in->symbol = c->res->entry ? c->res->entry->name : (jit->name ? jit->name : k->u.kernel.name);
  in->target = c->a5 ? "a5" : "a3";
  in->mode = jit->mode ? jit->mode : "auto";
  in->insert_sync_set = jit->insert_sync >= 0;
  in->insert_sync = jit->insert_sync >= 0 ? jit->insert_sync : !strcmp(in->mode, "auto");
  /* The hash of every .ptk file read. */
  ptk_sha256 s;
  uint8_t dig[32];
  ptk_sha256_init(&s);
  const char **deps = ptk_arena_alloc(c->arena, (c->units.len + 1) * sizeof *deps);
  size_t nd = 0;
  for (size_t i = 0; i < c->units.len; i++) {
    ptk_sha256_update(&s, c->units.data[i]->sha, 64);
    deps[nd++] = c->units.data[i]->real;
  }
  if (in->source_resolved) deps[nd++] = in->source_resolved;
  in->deps = deps;
  in->ndeps = nd;
  ptk_sha256_final(&s, dig);
  char *hex = ptk_arena_alloc(c->arena, 65);
  for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", dig[i]);
  in->ptk_sha256 = hex;
  ptk_buf b = {0};
  ptk_buf_printf(&b, "ptk-kernel-v1;kernel=%s;symbol=%s;target=%s;kind=%s;mode=%s;sync=%d;consts=", in->kernel,
                 in->symbol, in->target, in->kind, in->mode, in->insert_sync);
  for (size_t i = 0; i < in->nconsts; i++)
    ptk_buf_printf(&b, "%s%s:%s=%s", i ? "," : "", in->consts[i].name, in->consts[i].type, in->consts[i].value);
  ptk_buf_printf(&b, ";ptk=%s", in->ptk_sha256);
  if (in->source_backed) ptk_buf_printf(&b, ";source=%s", in->source_sha256);
  in->key = ptk_arena_strdup(c->arena, ptk_buf_cstr(&b));
  ptk_buf_free(&b);
}

ptk_trace_result *ptk_trace_kernel(const char *path, const ptk_source *src, const char *kernel,
                                   const ptk_const_binding *consts, size_t nconsts,
                                   const ptk_trace_opts *o, ptk_diags *d) {
  tctx cx;
  memset(&cx, 0, sizeof cx);
  tctx *c = &cx;
  c->call_nargs = -1;
  c->d = d;
  c->err0 = ptk_diags_errors(d);
  c->opts = o;
  c->tmp = ptk_arena_new();
  c->res = ptk_xcalloc(1, sizeof *c->res);
  c->res->arena = c->arena = ptk_arena_new();
  c->chain = -1;
  c->stdlib = find_stdlib(o);
  ptk_trace_result *res = c->res;
  bool ok = false;

  if (!src) {
    if (!path) {
      ptk_error_file(d, "ptk", "no .ptk file given");
      goto out;
    }
    ptk_source *s = ptk_source_load(path);
    if (!s) {
      ptk_error_file(d, path, "cannot read file: %s", ptk_file_strerror(errno));
      goto out;
    }
    src = tr_keep_source(c, s);
  }
  size_t bad;
  if (!tr_utf8_ok(src->text, src->len, &bad)) {
    /* The lexer reports the exact place. */
    ptk_arena *a = ptk_arena_new();
    size_t e0 = ptk_diags_errors(d);
    ptk_parse(src, d, a);
    ptk_arena_free(a);
    if (ptk_diags_errors(d) == e0) ptk_error_file(d, src->path, "the file is not valid UTF-8");
    goto out;
  }
  char *real = is_file(src->path) ? real_or_copy(src->path) : ptk_xstrdup(src->path);
  tunit *u = parse_unit(c, src, real);
  free(real);
  if (!u) goto out;
  c->kunit = u;
  if (!load_imports(c, u, NULL)) goto out;
  const ptk_ast_item *k = pick_kernel(c, u, kernel, src->path);
  if (!k) goto out;
  c->kernel = k;
  c->unit = u;
  tjit jit;
  if (!read_jit(c, k, &jit)) goto out;
  c->a5 = jit.target && !strcmp(jit.target, "a5");
  c->m = res->m = ptk_module_new();
  ptk_trace_info *in = &res->info;
  if (jit.source || !k->u.kernel.body) {
    if (!jit.source) {
      tr_error(c, k->u.kernel.name_range, "kernel '%s' has no body; give it one, or implement it in PTO with @jit(source = \"file.pto\")",
               k->u.kernel.name);
      goto out;
    }
    if (!tr_source_kernel(c, u, k, &jit, nconsts)) goto out;
  } else {
    if (jit.backend && !strcmp(jit.backend, "vpto")) {
      tr_error(c, jit.backend_arg->value->range,
               "@jit backend = \"vpto\" needs the kernel's micro-instructions in PTO: give source = \"file.pto\" "
               "(a .ptk body traces to tile-level PTO)");
      goto out;
    }
    if (!trace_body(c, u, k, &jit, consts, nconsts)) goto out;
    res->entry = c->f;
    in->kind = jit.kind ? jit.kind : tr_infer_kind(c->f);
    ptk_module_set_attr(c->m, "pto.target_arch", ptk_attr_string(c->m, c->a5 ? "a5" : "a3", 2));
    tr_set_entry_attrs(c, c->f, in->kind);
  }
  finish_info(c, k, &jit);
  ok = !tr_failed(c);
out:
  free_ctx(c);
  if (!ok) {
    ptk_trace_result_free(res);
    return NULL;
  }
  return res;
}

size_t ptk_trace_list_kernels(const ptk_source *src, ptk_arena *a, ptk_diags *d, const char **names,
                              size_t max) {
  ptk_ast_file *f = ptk_parse(src, d, a);
  size_t n = 0;
  for (size_t i = 0; f && i < f->nitems; i++) {
    if (f->items[i]->kind != PTK_ITEM_KERNEL) continue;
    if (names && n < max) names[n] = f->items[i]->u.kernel.name;
    n++;
  }
  return n;
}
