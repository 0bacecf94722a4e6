/* kernel_config.json writer and reader (see config.h). */
#include "backend/config.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "lang/version.h"

/* ---- core type ---------------------------------------------------------- */

typedef struct core_scan {
  bool cube, vector, sections;
  PTK_VEC(const ptk_func *) seen;
  const ptk_module *top;
} core_scan;

static void scan_func(core_scan *s, const ptk_func *f);

static void scan_value(core_scan *s, const ptk_value *v) {
  if (!v || !v->type || v->type->kind != PTK_TY_TILE_BUF) return;
  if (v->type->tile.loc == PTK_SPACE_VEC)
    s->vector = true;
  else
    s->cube = true;
}

static bool scan_op(ptk_op *op, void *p) {
  core_scan *s = p;
  if (ptk_op_table[op->kind].flags & PTK_OPF_MATMUL) s->cube = true;
  if (op->kind == PTK_OP_SECTION_CUBE || op->kind == PTK_OP_SECTION_VECTOR) s->sections = true;
  for (uint32_t i = 0; i < op->noperands; i++) scan_value(s, op->operands[i]);
  for (uint32_t i = 0; i < op->nresults; i++) scan_value(s, &op->results[i]);
  if (op->kind == PTK_OP_FUNC_CALL) {
    const ptk_attr *a = ptk_op_attr(op, "callee");
    if (a && a->kind == PTK_ATTR_SYMBOL) {
      char *name = ptk_xstrndup(a->str.s, a->str.len);
      const ptk_func *g = ptk_module_find_func_nested(s->top, name);
      free(name);
      if (g) scan_func(s, g);
    }
  }
  return true;
}

static void scan_func(core_scan *s, const ptk_func *f) {
  for (size_t i = 0; i < s->seen.len; i++)
    if (s->seen.data[i] == f) return;
  ptk_vec_push(&s->seen, f);
  ptk_walk_func((ptk_func *)f, scan_op, s);
}

const char *ptk_core_type_of(const ptk_func *f) {
  const ptk_attr *k = ptk_func_attr(f, "pto.kernel_kind");
  if (k && k->kind == PTK_ATTR_ENUM) {
    if (!strcmp(k->en.value, "cube")) return "cube";
    if (!strcmp(k->en.value, "vector")) return "vector";
  }
  core_scan s;
  memset(&s, 0, sizeof s);
  s.top = ptk_module_top(f->module);
  scan_func(&s, f);
  ptk_vec_free(&s.seen);
  if (s.sections || (s.cube && s.vector)) return "mixed";
  return s.cube ? "cube" : "vector";
}

/* ---- from a function ------------------------------------------------------ */

static ptk_arena *arena_of(ptk_kernel_config *c) {
  if (!c->arena) c->arena = ptk_arena_new();
  return c->arena;
}

void ptk_kernel_config_from_func(ptk_kernel_config *c, const ptk_func *f, const ptk_arg_dirs *dirs) {
  ptk_arena *a = arena_of(c);
  c->symbol = ptk_arena_strdup(a, f->name);
  c->core_type = ptk_core_type_of(f);
  c->nparams = f->nargs;
  c->params = ptk_arena_alloc(a, (f->nargs + 1) * sizeof *c->params);
  for (uint32_t i = 0; i < f->nargs; i++) {
    ptk_config_param *p = &c->params[i];
    const ptk_value *v = ptk_func_arg(f, i);
    p->name = v && v->name ? ptk_arena_printf(a, "%%%s", v->name) : ptk_arena_printf(a, "%%arg%u", i);
    p->position = i;
    const ptk_type *t = f->arg_types[i];
    p->is_ptr = t->kind == PTK_TY_PTR;
    ptk_dtype dt = PTK_DT_I64;
    ptk_type_elem_dtype(t, &dt);
    p->dtype = dt;
    p->direction = p->is_ptr ? (dirs && i < dirs->n ? dirs->dir[i] : PTK_ARGDIR_INOUT)
                             : PTK_ARGDIR_NONE;
  }
}

/* ---- writing -------------------------------------------------------------- */

static json_t *jstr(const char *s) { return s ? json_string(s) : json_null(); }

char *ptk_kernel_config_json(const ptk_kernel_config *c) {
  json_t *root = json_object();
  json_object_set_new(root, "format", json_string(PTK_KERNEL_CONFIG_FORMAT));
  json_object_set_new(root, "format_version", json_integer(PTK_KERNEL_CONFIG_VERSION));
  json_t *tool = json_object();
  json_object_set_new(tool, "name", json_string("ptk"));
  json_object_set_new(tool, "version", json_string(c->tool_version ? c->tool_version : PTK_VERSION));
  json_object_set_new(root, "tool", tool);

  json_t *k = json_object();
  json_object_set_new(k, "name", jstr(c->kernel));
  json_object_set_new(k, "symbol", jstr(c->symbol));
  json_object_set_new(k, "core_type", jstr(c->core_type));
  json_object_set_new(k, "target", jstr(c->target));
  json_object_set_new(k, "mode", jstr(c->mode));
  json_object_set_new(k, "insert_sync", json_boolean(c->insert_sync));
  json_object_set_new(root, "kernel", k);

  json_t *in = json_object();
  json_object_set_new(in, "path", jstr(c->input_path));
  json_object_set_new(in, "kind", jstr(c->input_kind));
  json_object_set_new(in, "sha256", jstr(c->input_sha256));
  json_object_set_new(root, "input", in);

  json_t *ps = json_array();
  for (size_t i = 0; i < c->nparams; i++) {
    const ptk_config_param *p = &c->params[i];
    json_t *o = json_object();
    json_object_set_new(o, "position", json_integer(p->position));
    json_object_set_new(o, "name", jstr(p->name));
    json_object_set_new(o, "kind", json_string(p->is_ptr ? "ptr" : "scalar"));
    json_object_set_new(o, "dtype", json_string(ptk_dtype_name(p->dtype)));
    if (p->is_ptr) json_object_set_new(o, "direction", json_string(ptk_arg_dir_name(p->direction)));
    json_array_append_new(ps, o);
  }
  json_object_set_new(root, "params", ps);

  json_t *cs = json_array();
  for (size_t i = 0; i < c->nconsts; i++) {
    const ptk_config_const *x = &c->consts[i];
    json_t *o = json_object();
    json_object_set_new(o, "name", jstr(x->name));
    json_object_set_new(o, "type", jstr(x->type));
    json_object_set_new(o, "value", jstr(x->value));
    json_object_set_new(o, "default", json_boolean(x->is_default));
    json_array_append_new(cs, o);
  }
  json_object_set_new(root, "consts", cs);

  if (c->source_backed) {
    json_t *s = json_object();
    json_object_set_new(s, "path", jstr(c->source_path));
    json_object_set_new(s, "resolved", jstr(c->source_resolved));
    json_object_set_new(s, "sha256", jstr(c->source_sha256));
    json_object_set_new(s, "inline", json_boolean(c->source_inline));
    json_object_set_new(root, "source", s);
  } else {
    json_object_set_new(root, "source", json_null());
  }

  json_t *pl = json_array();
  for (size_t i = 0; i < c->npasses; i++) json_array_append_new(pl, json_string(c->passes[i]));
  json_object_set_new(root, "pipeline", pl);
  if (c->nskipped) {
    json_t *sk = json_object();
    for (size_t i = 0; i < c->nskipped; i++)
      json_object_set_new(sk, c->skipped[i], json_string(c->skip_reason ? c->skip_reason : ""));
    json_object_set_new(root, "pipeline_skipped", sk);
  }

  json_t *files = json_object();
  json_object_set_new(files, "kernel", json_string(c->kernel_file ? c->kernel_file : "kernel.pto"));
  if (c->kernel_sha256) json_object_set_new(files, "kernel_sha256", json_string(c->kernel_sha256));
  json_object_set_new(root, "files", files);

  return ptk_json_text(root);
}

char *ptk_json_text(json_t *root) {
  char *txt = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  json_decref(root);
  ptk_buf b = {0};
  ptk_buf_puts(&b, txt ? txt : "{}");
  ptk_buf_putc(&b, '\n');
  free(txt);
  return ptk_buf_take(&b);
}

bool ptk_kernel_config_write(const char *path, const ptk_kernel_config *c, ptk_diags *d) {
  char *txt = ptk_kernel_config_json(c);
  int rc = ptk_write_file_atomic(path, txt, strlen(txt));
  int e = errno;
  free(txt);
  if (rc != 0) {
    ptk_error_file(d, path, "cannot write: %s", strerror(e));
    return false;
  }
  return true;
}

/* ---- reading -------------------------------------------------------------- */

bool ptk_arg_dir_parse(const char *s, ptk_arg_dir *out) {
  static const ptk_arg_dir all[] = {PTK_ARGDIR_UNUSED, PTK_ARGDIR_IN, PTK_ARGDIR_OUT,
                                    PTK_ARGDIR_INOUT};
  for (size_t i = 0; i < PTK_ARRAY_LEN(all); i++)
    if (s && !strcmp(s, ptk_arg_dir_name(all[i]))) {
      *out = all[i];
      return true;
    }
  return false;
}

static bool dtype_parse(const char *s, ptk_dtype *out) {
  for (int i = 0; i < PTK_DT__COUNT; i++)
    if (!strcmp(ptk_dtype_name((ptk_dtype)i), s)) {
      *out = (ptk_dtype)i;
      return true;
    }
  return false;
}

typedef struct rd {
  const char *path;
  ptk_diags *d;
  ptk_arena *a;
  bool ok;
} rd;

static void bad(rd *r, const char *what) {
  if (r->ok) ptk_error_file(r->d, r->path, "invalid kernel_config.json: %s", what);
  r->ok = false;
}

/* Optional string (null allowed). */
static const char *get_str(rd *r, json_t *o, const char *key, bool required) {
  json_t *v = o ? json_object_get(o, key) : NULL;
  if (!v || json_is_null(v)) {
    if (required) {
      char msg[128];
      snprintf(msg, sizeof msg, "missing string field \"%s\"", key);
      bad(r, msg);
    }
    return NULL;
  }
  if (!json_is_string(v)) {
    char msg[128];
    snprintf(msg, sizeof msg, "field \"%s\" must be a string", key);
    bad(r, msg);
    return NULL;
  }
  return ptk_arena_strdup(r->a, json_string_value(v));
}

static bool get_bool(rd *r, json_t *o, const char *key) {
  json_t *v = o ? json_object_get(o, key) : NULL;
  if (!v) return false;
  if (!json_is_boolean(v)) {
    char msg[128];
    snprintf(msg, sizeof msg, "field \"%s\" must be true or false", key);
    bad(r, msg);
    return false;
  }
  return json_is_true(v);
}

ptk_kernel_config *ptk_kernel_config_read(const char *path, ptk_diags *d) {
  json_error_t je;
  size_t jlen;
  char *jtext = ptk_read_file(path, &jlen); /* regular files only, bounded */
  if (!jtext) {
    ptk_error_file(d, path, "cannot read: %s", ptk_file_strerror(errno));
    return NULL;
  }
  json_t *root = json_loadb(jtext, jlen, 0, &je);
  free(jtext);
  if (!root) {
    if (je.line <= 0)
      ptk_error_file(d, path, "cannot read: %s", je.text);
    else
      ptk_error_file(d, path, "invalid JSON at line %d, column %d: %s", je.line, je.column,
                     je.text);
    return NULL;
  }
  ptk_kernel_config *c = ptk_xcalloc(1, sizeof *c);
  c->arena = ptk_arena_new();
  rd r = {path, d, c->arena, true};
  if (!json_is_object(root)) bad(&r, "the top level must be an object");
  const char *fmt = get_str(&r, root, "format", true);
  if (r.ok && strcmp(fmt, PTK_KERNEL_CONFIG_FORMAT) != 0) bad(&r, "\"format\" is not \"" PTK_KERNEL_CONFIG_FORMAT "\"");
  json_t *ver = json_object_get(root, "format_version");
  if (r.ok && (!json_is_integer(ver) || json_integer_value(ver) != PTK_KERNEL_CONFIG_VERSION))
    bad(&r, "unsupported \"format_version\" (this ptk reads version 1)");
  json_t *tool = json_object_get(root, "tool");
  c->tool_version = get_str(&r, tool, "version", false);
  json_t *k = json_object_get(root, "kernel");
  if (r.ok && !json_is_object(k)) bad(&r, "missing object \"kernel\"");
  c->kernel = get_str(&r, k, "name", false);
  c->symbol = get_str(&r, k, "symbol", true);
  c->core_type = get_str(&r, k, "core_type", false);
  c->target = get_str(&r, k, "target", true);
  c->mode = get_str(&r, k, "mode", true);
  c->insert_sync = get_bool(&r, k, "insert_sync");
  json_t *in = json_object_get(root, "input");
  c->input_path = get_str(&r, in, "path", false);
  c->input_kind = get_str(&r, in, "kind", false);
  c->input_sha256 = get_str(&r, in, "sha256", false);

  json_t *ps = json_object_get(root, "params");
  if (r.ok && !json_is_array(ps)) bad(&r, "missing array \"params\"");
  if (r.ok) {
    c->nparams = json_array_size(ps);
    c->params = ptk_arena_alloc(c->arena, (c->nparams + 1) * sizeof *c->params);
    for (size_t i = 0; r.ok && i < c->nparams; i++) {
      json_t *o = json_array_get(ps, i);
      ptk_config_param *p = &c->params[i];
      if (!json_is_object(o)) {
        bad(&r, "every entry of \"params\" must be an object");
        break;
      }
      json_t *pos = json_object_get(o, "position");
      if (!json_is_integer(pos) || json_integer_value(pos) != (json_int_t)i) {
        char msg[96];
        snprintf(msg, sizeof msg, "params[%zu].position must be %zu", i, i);
        bad(&r, msg);
        break;
      }
      p->position = (unsigned)i;
      p->name = get_str(&r, o, "name", true);
      const char *kind = get_str(&r, o, "kind", true);
      const char *dt = get_str(&r, o, "dtype", true);
      if (!r.ok) break;
      if (!strcmp(kind, "ptr"))
        p->is_ptr = true;
      else if (strcmp(kind, "scalar") != 0) {
        char msg[96];
        snprintf(msg, sizeof msg, "params[%zu].kind must be \"ptr\" or \"scalar\"", i);
        bad(&r, msg);
        break;
      }
      if (!dtype_parse(dt, &p->dtype)) {
        char msg[128];
        snprintf(msg, sizeof msg, "params[%zu].dtype \"%.40s\" is not a dtype", i, dt);
        bad(&r, msg);
        break;
      }
      p->direction = PTK_ARGDIR_NONE;
      if (p->is_ptr) {
        const char *dir = get_str(&r, o, "direction", true);
        if (r.ok && !ptk_arg_dir_parse(dir, &p->direction)) {
          char msg[128];
          snprintf(msg, sizeof msg, "params[%zu].direction must be unused, in, out or inout", i);
          bad(&r, msg);
        }
      }
    }
  }
  json_t *cs = json_object_get(root, "consts");
  if (r.ok && cs && json_is_array(cs)) {
    c->nconsts = json_array_size(cs);
    c->consts = ptk_arena_alloc(c->arena, (c->nconsts + 1) * sizeof *c->consts);
    for (size_t i = 0; r.ok && i < c->nconsts; i++) {
      json_t *o = json_array_get(cs, i);
      c->consts[i].name = get_str(&r, o, "name", true);
      c->consts[i].type = get_str(&r, o, "type", false);
      c->consts[i].value = get_str(&r, o, "value", true);
      c->consts[i].is_default = get_bool(&r, o, "default");
    }
  }
  json_t *src = json_object_get(root, "source");
  if (r.ok && src && json_is_object(src)) {
    c->source_backed = true;
    c->source_path = get_str(&r, src, "path", false);
    c->source_resolved = get_str(&r, src, "resolved", false);
    c->source_sha256 = get_str(&r, src, "sha256", false);
    c->source_inline = get_bool(&r, src, "inline");
  }
  json_t *pl = json_object_get(root, "pipeline");
  if (r.ok && pl && json_is_array(pl)) {
    c->npasses = json_array_size(pl);
    const char **names = ptk_arena_alloc(c->arena, (c->npasses + 1) * sizeof *names);
    for (size_t i = 0; i < c->npasses; i++) {
      json_t *v = json_array_get(pl, i);
      names[i] = ptk_arena_strdup(c->arena, json_is_string(v) ? json_string_value(v) : "?");
    }
    c->passes = names;
  }
  json_t *files = json_object_get(root, "files");
  c->kernel_file = get_str(&r, files, "kernel", false);
  c->kernel_sha256 = get_str(&r, files, "kernel_sha256", false);
  if (r.ok && c->kernel_file &&
      (c->kernel_file[0] == '/' || strstr(c->kernel_file, "..") != NULL))
    bad(&r, "files.kernel must be a relative path inside the build folder");
  json_decref(root);
  if (!r.ok) {
    ptk_kernel_config_free(c);
    return NULL;
  }
  return c;
}

void ptk_kernel_config_free(ptk_kernel_config *c) {
  if (!c) return;
  ptk_arena_free(c->arena);
  free(c);
}

void ptk_kernel_config_clear(ptk_kernel_config *c) {
  if (!c) return;
  ptk_arena_free(c->arena);
  memset(c, 0, sizeof *c);
}
