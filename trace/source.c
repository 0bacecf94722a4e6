/* Source-backed kernels (DESIGN §2.7): a body-less `.ptk` declaration whose
 * implementation is a `.pto` file (or inline `"""…"""` PTO text). Loads the
 * source, selects the entry function, checks its ABI against the
 * declaration (every mismatch, both locations) and hands the module on as
 * if it had been traced. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parser/pto_read.h"
#include "lang/sha256.h"
#include "trace/trace_int.h"

/* ---- entry selection ---------------------------------------------------------- */

typedef PTK_VEC(ptk_func *) funcvec;

static void collect_funcs(ptk_module *m, funcvec *all) {
  for (uint32_t i = 0; i < m->nitems; i++) {
    if (m->items[i].kind == PTK_ITEM_FUNC)
      ptk_vec_push(all, m->items[i].func);
    else
      collect_funcs(m->items[i].module, all);
  }
}

static ptk_range func_range(const ptk_func *f) {
  return ptk_range_at(f->loc, (uint32_t)strlen(f->name) + 1);
}

static bool id_char(char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
         ch == '$' || ch == '.' || ch == '-';
}

/* The `%name` of argument i in the signature text (the reader locates
 * block arguments of function bodies at the symbol; find the name). */
/* The name of argument i of a PTO function without PTO's '%' (x, or arg2). */
static const char *src_arg_name(tctx *c, const ptk_func *f, uint32_t i) {
  char *n = ptk_func_arg_name(f, i);
  const char *r = ptk_arena_strdup(c->tmp, n[0] == '%' ? n + 1 : n);
  free(n);
  return r;
}

static ptk_range arg_range(const ptk_func *f, uint32_t i) {
  ptk_value *a = ptk_func_arg(f, i);
  if (!a) return func_range(f);
  size_t n = a->name ? strlen(a->name) : 0;
  if (a->loc.src && a->loc.off != f->loc.off) return ptk_range_at(a->loc, (uint32_t)n + 1);
  const ptk_source *s = f->loc.src;
  if (!s || !n) return func_range(f);
  int depth = 0;
  for (size_t k = f->loc.off; k < s->len; k++) {
    char ch = s->text[k];
    if (ch == '(' || ch == '<' || ch == '[') depth++;
    else if (ch == ')' || ch == '>' || ch == ']') {
      if (--depth <= 0) break;
    } else if (ch == '%' && depth == 1 && k + 1 + n <= s->len && !memcmp(s->text + k + 1, a->name, n) &&
               (k + 1 + n == s->len || !id_char(s->text[k + 1 + n])))
      return ptk_range_at(ptk_source_loc(s, k), (uint32_t)n + 1);
  }
  return func_range(f);
}

/* `ptr<f32>` ≡ `!pto.ptr<f32>` ≡ `!pto.ptr<f32, gm>`; scalars exactly. */
static bool abi_equal(const ptk_type *want, const ptk_type *got) {
  if (want->kind == PTK_TY_PTR)
    return got->kind == PTK_TY_PTR && got->space == PTK_SPACE_GM && ptk_type_equal(want->elem, got->elem);
  return ptk_type_equal(want, got);
}

static const char *target_of_attr(const ptk_attr *a) {
  if (!a || a->kind != PTK_ATTR_STRING) return NULL;
  return (a->str.len >= 2 && !strncmp(a->str.s, "a5", 2)) ? "a5" : "a3";
}

/* The .pto text with everything outside the raw string blanked (newlines
 * kept), so .pto diagnostics point at the .ptk file's lines and columns. */
static ptk_source *inline_source(tctx *c, tunit *u, const ptk_ast_expr *e, const char *text,
                                  size_t tlen) {
  const ptk_source *ps = u->src;
  size_t begin = e->range.begin.off + 3, len = tlen;
  if (e->kind != PTK_EXPR_STRING || !e->u.string_lit.raw || e->u.string_lit.data != text ||
      begin + len > ps->len || memcmp(ps->text + begin, text, len) != 0) {
    char *name = ptk_xasprintf("<inline pto source of %s>", c->kernel->u.kernel.name);
    ptk_source *s = ptk_source_from_string(name, text, tlen);
    free(name);
    return s;
  }
  char *buf = ptk_xmalloc(begin + len + 1);
  for (size_t i = 0; i < begin; i++) buf[i] = ps->text[i] == '\n' ? '\n' : ' ';
  memcpy(buf + begin, ps->text + begin, len);
  buf[begin + len] = 0;
  ptk_source *s = ptk_source_from_string(ps->path, buf, begin + len);
  free(buf);
  return s;
}

static char *absolute(const char *p) {
  char buf[PATH_MAX];
  if (realpath(p, buf)) return ptk_xstrdup(buf);
  if (p[0] == '/') return ptk_xstrdup(p);
  if (!getcwd(buf, sizeof buf)) return ptk_xstrdup(p);
  return ptk_xasprintf("%s/%s", buf, p);
}

/* The first VPTO op of a function (walk callback: stops there). */
static bool first_vpto_op(ptk_op *op, void *ctx) {
  if (!ptk_op_is_vpto(op)) return true;
  *(const ptk_op **)ctx = op;
  return false;
}

bool tr_source_kernel(tctx *c, tunit *u, const ptk_ast_item *k, const tjit *jit, size_t nconsts) {
  ptk_trace_info *in = &c->res->info;
  const char *kname = k->u.kernel.name;
  const ptk_ast_arg *sa = jit->source;
  ptk_range srange = sa->value->range;
  bool ok = true;
  in->source_backed = true;

  /* What a source-backed declaration cannot have. */
  if (k->u.kernel.body) {
    tr_error(c, ptk_range_at(k->u.kernel.body->range.begin, 1),
             "source-backed kernel '%s' cannot have a body: its code is the PTO source; end the declaration with ';'",
             kname);
    tr_note(c, sa->range, "the source is given here");
    ok = false;
  }
  size_t np = k->u.kernel.nparams;
  const ptk_ast_param *ps = k->u.kernel.params;
  for (size_t i = 0; i < np; i++)
    if (ps[i].is_const) {
      tr_error(c, ps[i].range, "source-backed kernel '%s' cannot have const parameter '%s': the PTO source is fixed text that is not specialized",
               kname, ps[i].name);
      tr_note(c, sa->range, "the source is given here");
      ok = false;
    }
  if (nconsts) {
    tr_error(c, ptk_range_none(), "--const bindings do not apply to source-backed kernel '%s': its PTO source is fixed text that is not specialized",
             kname);
    tr_note(c, sa->range, "the source is given here");
    ok = false;
  }
  /* The ABI the declaration states. */
  const ptk_type **want = ptk_arena_alloc(c->tmp, (np ? np : 1) * sizeof *want);
  const ptk_ast_param **wp = ptk_arena_alloc(c->tmp, (np ? np : 1) * sizeof *wp);
  ptk_trace_param *ip = ptk_arena_alloc(c->arena, (np ? np : 1) * sizeof *ip);
  uint32_t na = 0;
  for (size_t i = 0; i < np; i++) {
    const ptk_ast_param *p = &ps[i];
    if (p->is_const) continue;
    const ptk_type *t = tr_launch_param(c, p, na, &ip[na], &ok);
    if (!t) continue;
    wp[na] = p;
    want[na++] = t;
  }
  in->params = ip;
  in->nparams = na;
  if (!ok) return false;

  /* The source text: a path or inline PTO. */
  const ptk_ast_expr *se = sa->value;
  const char *text = NULL;
  size_t tlen = 0;
  bool is_inline;
  if (se->kind == PTK_EXPR_STRING) {
    text = se->u.string_lit.data;
    tlen = se->u.string_lit.len;
    is_inline = se->u.string_lit.raw || memchr(text, '\n', tlen);
  } else {
    ptk_block *blk = c->blk;
    c->blk = NULL;
    tval v = tr_eval(c, se);
    c->blk = blk;
    if (v.k == TV_ERR) return false;
    if (v.k != TV_STR) {
      tr_error(c, srange, "@jit source must be a path or PTO text (a string), but is %s %s",
               strchr("aeiou", tv_kind_name(v)[0]) ? "an" : "a", tv_kind_name(v));
      return false;
    }
    text = v.str.s;
    tlen = v.str.n;
    is_inline = memchr(text, '\n', tlen) != NULL;
  }
  if (!tlen) {
    tr_error(c, srange, "@jit source is empty; give a .pto path or PTO text");
    return false;
  }
  ptk_source *src;
  in->source_inline = is_inline;
  if (is_inline) {
    /* A const holding a raw string maps back to where the const is written. */
    const ptk_ast_expr *le = se;
    if (se->kind == PTK_EXPR_NAME) {
      gent *g = tr_unit_global(u, se->u.name.name, tr_hash(se->u.name.name));
      if (g && g->kind == G_CONST && g->item->u.const_.value->kind == PTK_EXPR_STRING)
        le = g->item->u.const_.value;
    }
    src = tr_keep_source(c, inline_source(c, u, le, text, tlen));
    char hex[65];
    ptk_sha256_hex(text, tlen, hex);
    in->source_sha256 = ptk_arena_strdup(c->arena, hex);
  } else {
    if (strlen(text) != tlen) {
      tr_error(c, srange, "@jit source path contains a NUL byte");
      return false;
    }
    char *joined = tr_join_path(u->dir, text);
    char *res = absolute(joined);
    free(joined);
    in->source_path = ptk_arena_strdup(c->arena, text);
    in->source_resolved = ptk_arena_strdup(c->arena, res);
    free(res);
    struct stat st;
    if (stat(in->source_resolved, &st) != 0) {
      tr_error(c, srange, "cannot read PTO source '%s' (resolved to '%s'): %s", text, in->source_resolved,
               errno == ENOENT ? "no such file" : strerror(errno));
      if (text[0] != '/') tr_note(c, srange, "relative source paths are resolved against the folder of '%s'", u->src->path);
      return false;
    }
    if (!S_ISREG(st.st_mode)) {
      tr_error(c, srange, "cannot read PTO source '%s' (resolved to '%s'): %s", text, in->source_resolved,
               S_ISDIR(st.st_mode) ? "it is a directory" : "it is not a regular file");
      return false;
    }
    /* Diagnostics name the file as the user wrote it (relative to the .ptk folder). */
    char *shown = tr_join_path(u->dir, text);
    src = ptk_source_load(in->source_resolved);
    if (src) {
      free(src->path);
      src->path = shown;
    } else {
      free(shown);
    }
    if (!src) {
      tr_error(c, srange, "cannot read PTO source '%s' (resolved to '%s'): %s", text, in->source_resolved,
               ptk_file_strerror(errno));
      return false;
    }
    tr_keep_source(c, src);
    size_t bad;
    if (!tr_utf8_ok(src->text, src->len, &bad)) {
      ptk_loc l = ptk_source_loc(src, bad);
      tr_error(c, srange, "PTO source '%s' (resolved to '%s') is not valid UTF-8: byte 0x%02x at line %u, column %u",
               text, in->source_resolved, (unsigned char)src->text[bad], l.line, l.col);
      return false;
    }
    char hex[65];
    ptk_sha256_hex(src->text, src->len, hex);
    in->source_sha256 = ptk_arena_strdup(c->arena, hex);
  }

  /* Parse (errors at the .pto location). */
  size_t e0 = ptk_diags_errors(c->d);
  ptk_module *m = ptk_pto_read(src, c->d);
  if (!m) {
    if (ptk_diags_errors(c->d) == e0) tr_error(c, srange, "cannot read the PTO source");
    tr_note(c, srange, "while loading the PTO source of kernel '%s'", kname);
    return false;
  }
  /* The declared pointer types move to the loaded module (scalars are shared). */
  for (uint32_t i = 0; i < na; i++)
    if (want[i]->kind == PTK_TY_PTR) want[i] = ptk_type_ptr(m, want[i]->elem, PTK_SPACE_GM);
  ptk_module_free(c->m);
  c->m = c->res->m = m;

  /* Entry: the single function with a body named `name` (nested modules too). */
  const char *sym = jit->name ? jit->name : kname;
  ptk_range symr = jit->name_arg ? jit->name_arg->value->range : k->u.kernel.name_range;
  const char *label = in->source_path ? in->source_path : "the inline PTO source";
  funcvec all = {0};
  collect_funcs(m, &all);
  funcvec hits = {0};
  for (size_t i = 0; i < all.len; i++)
    if (all.data[i]->body && !strcmp(all.data[i]->name, sym)) ptk_vec_push(&hits, all.data[i]);
  if (hits.len != 1) {
    if (!hits.len) {
      tr_error(c, symr, "%s has no function '@%s' with a body (the entry of kernel '%s')", label, sym, kname);
      size_t ndef = 0;
      for (size_t i = 0; i < all.len; i++) {
        ptk_func *f = all.data[i];
        if (!f->body && !strcmp(f->name, sym))
          tr_note(c, func_range(f), "'@%s' is only declared here, without a body", f->name);
        else if (f->body)
          tr_note(c, func_range(f), "function '@%s' is defined here", f->name), ndef++;
      }
      if (!ndef) tr_note(c, srange, "the source defines no functions");
      else if (!jit->name_arg) tr_note(c, k->u.kernel.name_range, "name the entry with @jit(name = \"…\")");
    } else {
      tr_error(c, symr, "%s defines '@%s' %zu times; the entry of kernel '%s' must be unique", label, sym, hits.len,
               kname);
      for (size_t i = 0; i < hits.len; i++) tr_note(c, func_range(hits.data[i]), "'@%s' is defined here", sym);
    }
    ptk_vec_free(&all);
    ptk_vec_free(&hits);
    return false;
  }
  ptk_func *f = hits.data[0];
  ptk_vec_free(&hits);

  /* ABI: no results, the parameter count, each parameter type. */
  ptk_range kr = k->u.kernel.name_range;
  if (f->nresults) {
    ptk_buf b = {0};
    for (uint32_t i = 0; i < f->nresults; i++) {
      ptk_buf_printf(&b, "%s%s", i ? ", " : "", tr_type_str(c, f->result_types[i]));
    }
    tr_error(c, kr, "the entry '@%s' of kernel '%s' returns (%s), but a kernel returns nothing", sym, kname,
             ptk_buf_cstr(&b));
    tr_note(c, func_range(f), "'@%s' is defined here", sym);
    ptk_buf_free(&b);
    ok = false;
  }
  /* One argument without a parameter, the others matching in order: name it
   * instead of reporting the parameters after it as type errors. */
  uint32_t gap = UINT32_MAX;
  if (f->nargs == na + 1) {
    /* By names when the declaration spells the PTO argument names, else by
     * types when only one place fits. */
    uint32_t by_name = UINT32_MAX, by_type = UINT32_MAX, ntype = 0;
    for (uint32_t k = 0; k <= na; k++) {
      bool types = true, names = true;
      for (uint32_t i = 0; i < na; i++) {
        uint32_t j = i < k ? i : i + 1;
        types = types && abi_equal(want[i], f->arg_types[j]);
        names = names && !strcmp(wp[i]->name, src_arg_name(c, f, j));
      }
      if (names && by_name == UINT32_MAX) by_name = k;
      if (types) {
        by_type = k;
        ntype++;
      }
    }
    gap = by_name != UINT32_MAX ? by_name : ntype == 1 ? by_type : UINT32_MAX;
  }
  if (gap != UINT32_MAX) {
    const char *an = src_arg_name(c, f, gap);
    tr_error(c, gap < na ? wp[gap]->range : kr,
             "kernel '%s' declares %u launch parameter%s, but its entry '@%s' takes %u arguments: '%s' (argument %u) is missing %s",
             kname, na, na == 1 ? "" : "s", sym, f->nargs, an, gap + 1,
             gap < na ? "before this parameter" : "at the end of the declaration");
    tr_note(c, arg_range(f, gap), "argument %u (%s) of '@%s' is declared here", gap + 1, an, sym);
    ok = false;
  } else if (f->nargs != na) {
    tr_error(c, kr, "kernel '%s' declares %u launch parameter%s, but its entry '@%s' takes %u argument%s", kname, na,
             na == 1 ? "" : "s", sym, f->nargs, f->nargs == 1 ? "" : "s");
    tr_note(c, func_range(f), "'@%s' is defined here", sym);
    ok = false;
  }
  uint32_t n = gap != UINT32_MAX ? 0 : f->nargs < na ? f->nargs : na;
  for (uint32_t i = 0; i < n; i++) {
    const ptk_type *got = f->arg_types[i];
    if (abi_equal(want[i], got)) continue;
    const char *ws = tr_type_str(c, want[i]), *gs = tr_type_str(c, got), *an = src_arg_name(c, f, i);
    tr_error(c, wp[i]->range, "parameter %u '%s' has type %s, but argument %u (%s) of '@%s' has type %s", i + 1,
             wp[i]->name, ws, i + 1, an, sym, gs);
    tr_note(c, arg_range(f, i), "argument %u (%s) of '@%s' is declared here", i + 1, an, sym);
    ok = false;
  }
  for (uint32_t i = na; gap == UINT32_MAX && i < f->nargs; i++)
    tr_note(c, arg_range(f, i), "argument %u (%s) of '@%s' has no parameter in the declaration", i + 1,
            src_arg_name(c, f, i), sym);

  /* Target and kind: the declaration against the source's own attributes. */
  const char *mt = NULL;
  ptk_module *owner = f->module;
  for (ptk_module *mm = owner; mm && !mt; mm = mm->parent) mt = target_of_attr(ptk_module_attr(mm, "pto.target_arch"));
  if (jit->target && mt && strcmp(jit->target, mt)) {
    tr_error(c, jit->target_arg->value->range, "@jit target = %s, but the PTO source is for %s (pto.target_arch)",
             jit->target, mt);
    tr_note(c, ptk_range_at(m->loc, 1), "the module's pto.target_arch is set here");
    ok = false;
  }
  c->a5 = jit->target ? !strcmp(jit->target, "a5") : (mt && !strcmp(mt, "a5"));
  const ptk_attr *ka = ptk_func_attr(f, "pto.kernel_kind");
  const char *fk = ka && ka->kind == PTK_ATTR_ENUM ? ka->en.value : NULL;
  if (jit->kind && fk && strcmp(jit->kind, "mixed") && strcmp(jit->kind, fk)) {
    tr_error(c, jit->kind_arg->value->range, "@jit kind = %s, but '@%s' is marked #pto.kernel_kind<%s>", jit->kind, sym,
             fk);
    tr_note(c, func_range(f), "'@%s' is defined here", sym);
    ok = false;
  }
  /* backend: the level the source is written at (VPTO: micro-instructions). */
  const ptk_op *vop = NULL;
  ptk_walk_func(f, first_vpto_op, &vop);
  if (ok && jit->backend && !strcmp(jit->backend, "vpto") && !vop) {
    tr_error(c, jit->backend_arg->value->range, "@jit backend = \"vpto\", but '@%s' has no VPTO micro-instructions",
             sym);
    tr_note(c, func_range(f), "'@%s' is defined here", sym);
    ok = false;
  } else if (ok && jit->backend && !strcmp(jit->backend, "tile") && vop) {
    tr_error(c, jit->backend_arg->value->range,
             "@jit backend = \"tile\", but '@%s' is written in VPTO micro-instructions (say backend = \"vpto\")", sym);
    tr_note(c, ptk_range_at(vop->loc, (uint32_t)strlen(ptk_op_table[vop->kind].name)), "'%s' is a VPTO instruction",
            ptk_op_table[vop->kind].name);
    ok = false;
  }
  if (!ok) {
    ptk_vec_free(&all);
    return false;
  }
  in->kind = jit->kind ? jit->kind : fk ? fk : tr_infer_kind(f);
  /* The entry is this function: drop entry marks elsewhere. */
  for (size_t i = 0; i < all.len; i++)
    if (all.data[i] != f) ptk_func_set_attr(all.data[i], "pto.entry", NULL);
  ptk_vec_free(&all);
  tr_set_entry_attrs(c, f, in->kind);
  if (!mt) ptk_module_set_attr(m, "pto.target_arch", ptk_attr_string(m, c->a5 ? "a5" : "a3", 2));
  c->res->entry = f;
  return true;
}
