/* The tracer's plumbing: diagnostics, name lookup, IR building helpers. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/limits.h"
#include "trace/trace_int.h"

/* ---- diagnostics ---------------------------------------------------------- */

void tr_error(tctx *c, ptk_range r, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  ptk_diag_emitv(c->d, PTK_SEV_ERROR, NULL, r, fmt, ap);
  va_end(ap);
  if (ptk_diags_errors(c->d) - c->err0 >= TRACE_MAX_ERRORS) c->abort = true;
}

void tr_note(tctx *c, ptk_range r, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  ptk_diag_emitv(c->d, PTK_SEV_NOTE, NULL, r, fmt, ap);
  va_end(ap);
}

bool tr_failed(const tctx *c) { return ptk_diags_errors(c->d) > c->err0; }

/* A type in the author's terms: PTO's "!pto." prefixes dropped (ptr<f16>,
 * not !pto.ptr<f16>). */
const char *tr_type_str(tctx *c, const ptk_type *t) {
  char *s = ptk_type_str(t);
  char *r = ptk_arena_strdup(c->tmp, s ? s : "?");
  free(s);
  char *w = r;
  for (const char *p = r; *p;) {
    if (!strncmp(p, "!pto.", 5)) {
      p += 5;
      continue;
    }
    *w++ = *p++;
  }
  *w = 0;
  return r;
}

static const char *ir_kind_name(const ptk_type *t) {
  switch (t->kind) {
  case PTK_TY_SCALAR: return NULL;
  case PTK_TY_PTR: return "pointer";
  case PTK_TY_TENSOR_VIEW: return "tensor view";
  case PTK_TY_PART_VIEW: return "partition";
  case PTK_TY_TILE_BUF: return "tile";
  default: return "value";
  }
}

const char *tv_kind_name(tval v) {
  static __thread char buf[48];
  switch (v.k) {
  case TV_ERR: return "error";
  case TV_NONE: return "nothing (a call that returns no value)";
  case TV_INT: return "int";
  case TV_FLOAT: return "float";
  case TV_BOOL: return "bool";
  case TV_STR: return "str";
  case TV_DTYPE: return "dtype";
  case TV_LIST: return "list";
  case TV_FN: return "function";
  case TV_BUILTIN: return "builtin function";
  case TV_MODULE: return "module";
  case TV_IR: {
    const char *k = ir_kind_name(v.v->type);
    if (k) return k;
    snprintf(buf, sizeof buf, "runtime %s", ptk_dtype_name(v.v->type->dt));
    return buf;
  }
  }
  return "value";
}

/* ---- names ---------------------------------------------------------------- */

uint32_t tr_hash(const char *s) {
  uint32_t h = 2166136261u;
  for (; *s; s++) h = (h ^ (uint8_t)*s) * 16777619u;
  return h;
}

binding *tr_lookup_local(tctx *c, const char *name, uint32_t h) {
  if (!c->bheads) return NULL;
  for (int32_t i = c->bheads[h & c->bmask]; i >= 0 && (size_t)i >= c->frame_base; i = c->binds.data[i].prev) {
    binding *b = &c->binds.data[i];
    if (b->hash == h && strcmp(b->name, name) == 0) return b;
  }
  return NULL;
}

static void binds_rehash(tctx *c, uint32_t nb) {
  free(c->bheads);
  c->bheads = ptk_xmalloc(nb * sizeof *c->bheads);
  for (uint32_t i = 0; i < nb; i++) c->bheads[i] = -1;
  c->bmask = nb - 1;
  for (size_t i = 0; i < c->binds.len; i++) { /* oldest first: the newest end up at the heads */
    binding *b = &c->binds.data[i];
    b->prev = c->bheads[b->hash & c->bmask];
    c->bheads[b->hash & c->bmask] = (int32_t)i;
  }
}

void tr_binds_truncate(tctx *c, size_t mark) {
  while (c->binds.len > mark) {
    binding *b = &c->binds.data[--c->binds.len];
    c->bheads[b->hash & c->bmask] = b->prev; /* b was its bucket's newest */
  }
}

void tr_unit_globals_init(tctx *c, tunit *u, size_t cap) {
  uint32_t nb = 16;
  while (nb < 2 * cap) nb *= 2;
  u->globals = ptk_arena_alloc(c->arena, (cap ? cap : 1) * sizeof *u->globals);
  u->gtab = ptk_arena_alloc(c->arena, nb * sizeof *u->gtab);
  for (uint32_t i = 0; i < nb; i++) u->gtab[i] = -1;
  u->gmask = nb - 1;
  u->nglobals = 0;
}

void tr_unit_global_add(tunit *u, const gent *g) {
  uint32_t i = g->hash & u->gmask;
  while (u->gtab[i] >= 0) i = (i + 1) & u->gmask;
  u->gtab[i] = (int32_t)u->nglobals;
  u->globals[u->nglobals++] = *g;
}

gent *tr_unit_global(tunit *u, const char *name, uint32_t h) {
  if (!u->gtab) return NULL;
  for (uint32_t i = h & u->gmask; u->gtab[i] >= 0; i = (i + 1) & u->gmask) {
    gent *g = &u->globals[u->gtab[i]];
    if (g->hash == h && strcmp(g->name, name) == 0) return g;
  }
  return NULL;
}

tval tr_global_value(tctx *c, tunit *u, gent *g, ptk_range at) {
  switch (g->kind) {
  case G_FN: return (tval){.k = TV_FN, .fn = {u, g->item}};
  case G_ALIAS: return (tval){.k = TV_MODULE, .mod = g->mod};
  case G_KERNEL:
    tr_error(c, at, "'%s' is a kernel; kernels cannot be used as values or called (move the shared code into an 'fn')",
             g->name);
    tr_note(c, g->range, "'%s' is declared here", g->name);
    return tv_err();
  case G_PROGRAM:
    tr_error(c, at, "'%s' is a program; programs are run by 'ptk run', not used in kernels", g->name);
    tr_note(c, g->range, "'%s' is declared here", g->name);
    return tv_err();
  case G_CONST: break;
  }
  if (g->state == 2) return g->cached;
  if (g->state == 1) {
    tr_error(c, at, "const '%s' depends on itself", g->name);
    tr_note(c, g->range, "'%s' is declared here", g->name);
    return tv_err();
  }
  g->state = 1;
  /* Evaluate in the const's own file, with no locals and no IR. */
  size_t base = c->frame_base;
  tunit *unit = c->unit;
  ptk_block *blk = c->blk;
  bool in_fn = c->in_fn;
  c->frame_base = c->binds.len;
  c->unit = u;
  c->blk = NULL;
  const ptk_ast_item *it = g->item;
  tval v = tr_eval(c, it->u.const_.value);
  if (v.k != TV_ERR && it->u.const_.type)
    v = tr_check_type(c, it->u.const_.type, v, it->u.const_.value->range, "const");
  if (v.k == TV_IR) { /* cannot happen without a block, but be safe */
    tr_error(c, it->u.const_.value->range, "module-level const '%s' must be a compile-time value", g->name);
    v = tv_err();
  }
  c->frame_base = base;
  c->unit = unit;
  c->blk = blk;
  c->in_fn = in_fn;
  g->cached = v;
  g->state = 2;
  return v;
}

/* A name provided by an `import "x.ptk";` (without `as`). */
static bool lookup_stars(tctx *c, tunit *u, const char *name, uint32_t h, ptk_range at, tval *out) {
  gent *found = NULL;
  tunit *fu = NULL;
  for (size_t i = 0; i < u->nstars; i++) {
    tunit *iu = u->stars[i].u;
    gent *g = tr_unit_global(iu, name, h);
    if (!g || g->kind == G_KERNEL || g->kind == G_ALIAS || g->kind == G_PROGRAM) continue;
    if (found && found != g) {
      tr_error(c, at, "'%s' is ambiguous: two imported files define it", name);
      tr_note(c, found->range, "one definition is here");
      tr_note(c, g->range, "another definition is here");
      *out = tv_err();
      return true;
    }
    found = g;
    fu = iu;
  }
  if (!found) return false;
  *out = tr_global_value(c, fu, found, at);
  return true;
}

bool tr_lookup(tctx *c, const char *name, ptk_range at, tval *out) {
  uint32_t h = tr_hash(name);
  binding *b = tr_lookup_local(c, name, h);
  if (b) {
    *out = b->v;
    return true;
  }
  if (c->unit) {
    gent *g = tr_unit_global(c->unit, name, h);
    if (g) {
      *out = tr_global_value(c, c->unit, g, at);
      return true;
    }
    if (lookup_stars(c, c->unit, name, h, at, out)) return true;
  }
  int bi = tr_builtin_lookup(name);
  if (bi >= 0) {
    *out = (tval){.k = TV_BUILTIN, .bi = bi};
    return true;
  }
  ptk_dtype dt;
  if (tr_dtype_by_name(name, &dt)) {
    *out = tv_dtype(dt);
    return true;
  }
  return false;
}

bool tr_is_user_name(tctx *c, const char *name) {
  uint32_t h = tr_hash(name);
  if (tr_lookup_local(c, name, h)) return true;
  if (!c->unit) return false;
  if (tr_unit_global(c->unit, name, h)) return true;
  for (size_t i = 0; i < c->unit->nstars; i++) {
    gent *g = tr_unit_global(c->unit->stars[i].u, name, h);
    if (g && g->kind != G_KERNEL && g->kind != G_ALIAS && g->kind != G_PROGRAM) return true;
  }
  return false;
}

binding *tr_declare(tctx *c, const char *name, ptk_range at, bkind k, tval v) {
  uint32_t h = tr_hash(name);
  binding *prev = tr_lookup_local(c, name, h);
  if (prev && prev->scope == c->scope) {
    tr_error(c, at, "'%s' is already declared in this block", name);
    tr_note(c, prev->decl, "the previous declaration of '%s' is here", name);
  }
  if (!c->bheads || c->binds.len + 1 > (size_t)c->bmask + 1) binds_rehash(c, c->bheads ? 2 * (c->bmask + 1) : 64);
  binding b = {.name = name, .hash = h, .kind = k, .scope = c->scope, .v = v, .decl = at,
               .prev = c->bheads[h & c->bmask]};
  c->bheads[h & c->bmask] = (int32_t)c->binds.len;
  ptk_vec_push(&c->binds, b);
  return &c->binds.data[c->binds.len - 1];
}

void tr_loop_ended(tctx *c, const char *var, ptk_range var_range, ptk_range stmt, bool is_static) {
  struct dead_loop dl = {var, var_range, stmt, is_static, c->frame_base};
  for (size_t i = 0; i < c->dead_loops.len; i++) /* once per loop (a loop in an unrolled body ends often) */
    if (c->dead_loops.data[i].var.begin.src == var_range.begin.src &&
        c->dead_loops.data[i].var.begin.off == var_range.begin.off) {
      c->dead_loops.data[i] = dl;
      return;
    }
  ptk_vec_push(&c->dead_loops, dl);
}

/* `name` used after the loop whose variable it was. */
static bool explain_dead_loop(tctx *c, const char *name, ptk_range at) {
  for (size_t i = c->dead_loops.len; i-- > 0;) {
    const struct dead_loop *dl = &c->dead_loops.data[i];
    if (strcmp(dl->name, name) || dl->frame_base != c->frame_base || dl->stmt.begin.src != at.begin.src ||
        !dl->stmt.end.src || dl->stmt.end.off > at.begin.off)
      continue;
    tr_note(c, dl->var, "'%s' is the loop variable of the '%s' at %u:%u; it is not visible after the loop",
            name, dl->is_static ? "static for" : "for", dl->stmt.begin.line, dl->stmt.begin.col);
    return true;
  }
  return false;
}

/* Edit distance with a swap of two neighbouring letters counting 1 ("coutn"). */
static size_t name_distance(const char *a, size_t na, const char *b, size_t nb) {
  size_t d = ptk_edit_distance(a, na, b, nb);
  if (d != 2 || na != nb) return d;
  size_t i = 0;
  while (i < na && a[i] == b[i]) i++;
  if (i + 1 < na && a[i] == b[i + 1] && a[i + 1] == b[i] && !strcmp(a + i + 2, b + i + 2)) return 1;
  return d;
}

/* "did you mean …?" by edit distance over visible names of the same kind:
 * a called name gets only functions that take that many arguments, a name
 * used as a value no tile-op builtin. */
/* A `fn NAME(` at the start of a line of a stdlib file: the file's name
 * (malloc'd), else NULL. Only read for an error, so a plain text scan. */
static char *stdlib_file_of(tctx *c, const char *name) {
  char *dir = c->stdlib ? ptk_xstrdup(c->stdlib) : ptk_trace_stdlib_dir(c->opts);
  if (!dir) return NULL;
  static const char *const files[] = {"act.ptk", "attn.ptk", "cast.ptk", "gemm.ptk", "nn.ptk", "norm.ptk", "reduce.ptk"};
  char *found = NULL;
  size_t nl = strlen(name);
  for (size_t i = 0; i < PTK_ARRAY_LEN(files) && !found; i++) {
    char *path = ptk_xasprintf("%s/%s", dir, files[i]);
    size_t len;
    char *text = ptk_read_file(path, &len);
    free(path);
    for (const char *l = text; l && *l && !found;) {
      if (!strncmp(l, "fn ", 3) && !strncmp(l + 3, name, nl) && l[3 + nl] == '(') found = ptk_xstrdup(files[i]);
      const char *e = strchr(l, '\n');
      l = e ? e + 1 : NULL;
    }
    free(text);
  }
  free(dir);
  return found;
}

void tr_suggest(tctx *c, const char *name, ptk_range at) {
  if (explain_dead_loop(c, name, at)) return;
  char *lib = stdlib_file_of(c, name);
  if (lib) {
    size_t bl = strlen(lib) - 4; /* without ".ptk" */
    tr_note(c, at, "'%s' is in the standard library: import \"%s\" as %.*s; then %.*s.%s(…)", name, lib, (int)bl,
            lib, (int)bl, lib, name);
    free(lib);
    return;
  }
  const char *best = NULL;
  size_t bd = 99;
  size_t len = strlen(name);
  size_t limit = len <= 5 ? 1 : 2; /* "tanh" is not "tabs" */
  int nargs = c->call_nargs;
#define TRY(s, fits)                                                                               \
  do {                                                                                             \
    const char *s_ = (s);                                                                          \
    size_t d_ = name_distance(name, len, s_, strlen(s_));                                           \
    if (d_ < bd && d_ <= limit && (fits)) {                                                        \
      bd = d_;                                                                                     \
      best = s_;                                                                                   \
    }                                                                                              \
  } while (0)
  for (size_t i = c->binds.len; i > c->frame_base; i--) {
    const binding *b = &c->binds.data[i - 1];
    bool callable = b->v.k == TV_FN || b->v.k == TV_BUILTIN || b->v.k == TV_DTYPE || b->v.k == TV_ERR;
    TRY(b->name, nargs < 0 || callable);
  }
  if (c->unit) {
    for (size_t i = 0; i < c->unit->nglobals; i++) TRY(c->unit->globals[i].name, true);
    for (size_t s = 0; s < c->unit->nstars; s++)
      for (size_t i = 0; i < c->unit->stars[s].u->nglobals; i++) TRY(c->unit->stars[s].u->globals[i].name, true);
  }
  for (size_t i = 0; i < tr_builtin_count(); i++) TRY(tr_builtin_name((int)i), tr_builtin_fits((int)i, nargs));
#undef TRY
  if (best) tr_note(c, at, "did you mean '%s'?", best);
}

/* ---- IR helpers ----------------------------------------------------------- */

const ptk_type *tr_scalar(ptk_dtype dt) { return ptk_type_scalar(dt); }

ptk_loc tr_loc(ptk_range r) { return r.begin; }

bool tr_nest_ok(tctx *c, ptk_range at, const char *what) {
  /* The function body is level 1; the region about to open is one deeper
   * than the innermost open scf region. */
  if (c->scf_depth + 2 > PTK_MAX_NEST) {
    tr_error(c, at, "%s nests regions too deeply: more than %d levels (the limit every stage of ptk shares; for a long runtime 'else if' chain, each arm nests one level)",
             what, PTK_MAX_NEST);
    c->abort = true;
    return false;
  }
  return true;
}

bool tr_emit_ok(tctx *c, ptk_range at) {
  if (!c->blk) {
    tr_error(c, at, "this needs a runtime value, but module-level consts and parameter defaults are evaluated at compile time");
    return false;
  }
  if (++c->nops > TRACE_MAX_OPS) {
    if (c->nops == TRACE_MAX_OPS + 1)
      tr_error(c, at, "the traced kernel is too large (more than %d operations); a 'static for' probably unrolls too much",
               TRACE_MAX_OPS);
    c->abort = true;
    return false;
  }
  return true;
}

ptk_op *tr_build(tctx *c, ptk_op_kind k, ptk_value *const *ops, uint32_t n,
                 const ptk_type *const *res, uint32_t nres, ptk_range at) {
  if (!tr_emit_ok(c, at)) return NULL;
  ptk_op *op = ptk_build(c->m, c->blk, k, ops, n, res, nres, tr_loc(at));
  if (op && c->calls.len) tr_note_call_op(c, op->loc);
  return op;
}

ptk_op *tr_build_dps(tctx *c, ptk_op_kind k, ptk_value *const *ins, uint32_t nins,
                     ptk_value *const *outs, uint32_t nouts, ptk_range at) {
  if (!tr_emit_ok(c, at)) return NULL;
  ptk_op *op = ptk_build_dps(c->m, c->blk, k, ins, nins, outs, nouts, tr_loc(at));
  if (op && c->calls.len) tr_note_call_op(c, op->loc);
  return op;
}

/* ---- fn call sites of ops, for pass diagnostics ---------------------------------------- */

void tr_note_call_op(tctx *c, ptk_loc loc) {
  ptk_trace_result *r = c->res;
  if (!r || !loc.src || !c->calls.len) return;
  if (c->chain < 0) {
    tcall_chain ch = {ptk_arena_alloc(r->arena, c->calls.len * sizeof(tcall_site)), c->calls.len};
    for (size_t i = 0; i < c->calls.len; i++) {
      const callrec *cr = &c->calls.data[c->calls.len - 1 - i];
      ch.sites[i] = (tcall_site){ptk_arena_strdup(r->arena, cr->fn->u.fn.name), cr->at};
    }
    ptk_vec_push(&r->chains, ch);
    c->chain = (int64_t)r->chains.len - 1;
  }
  if (r->call_ops.len) {
    const tcall_op *last = &r->call_ops.data[r->call_ops.len - 1];
    if (last->chain == (uint32_t)c->chain && last->loc.src == loc.src && last->loc.off == loc.off)
      return;
  }
  ptk_vec_push(&r->call_ops, ((tcall_op){loc, (uint32_t)c->chain}));
}

size_t tr_group_end(const ptk_diags *d, size_t i) {
  size_t j = i + 1;
  while (j < d->items.len && d->items.data[j].sev == PTK_SEV_NOTE) j++;
  return j;
}

void tr_note_after(ptk_diags *d, size_t head, ptk_range r, const char *fmt, ...) {
  size_t end = tr_group_end(d, head), len0 = d->items.len;
  va_list ap;
  va_start(ap, fmt);
  ptk_diag_emitv(d, PTK_SEV_NOTE, NULL, r, fmt, ap);
  va_end(ap);
  if (d->items.len == len0 + 1 && end < len0) {
    ptk_diag g = d->items.data[len0];
    memmove(&d->items.data[end + 1], &d->items.data[end], (len0 - end) * sizeof g);
    d->items.data[end] = g;
  }
}

static bool same_range(ptk_range a, ptk_range b) {
  return a.begin.src == b.begin.src && a.begin.off == b.begin.off && a.end.off == b.end.off;
}

static bool same_chain(const tcall_chain *a, const tcall_chain *b) {
  if (a->n != b->n) return false;
  for (size_t i = 0; i < a->n; i++)
    if (!same_range(a->sites[i].at, b->sites[i].at)) return false;
  return true;
}

/* The notes of one chain: a note per level, runs of one call site folded. */
static void chain_notes(ptk_diags *d, size_t head, const tcall_chain *ch) {
  for (size_t i = 0; i < ch->n;) {
    size_t j = i + 1;
    while (j < ch->n && same_range(ch->sites[j].at, ch->sites[i].at)) j++;
    if (j - i > 1)
      tr_note_after(d, head, ch->sites[i].at, "in %zu nested calls of '%s' from here", j - i,
                    ch->sites[i].fn);
    else
      tr_note_after(d, head, ch->sites[i].at, "in the call of '%s' here", ch->sites[i].fn);
    i = j;
  }
}

void ptk_trace_call_notes(const ptk_trace_result *r, ptk_diags *d, size_t from) {
  if (!r || !r->call_ops.len) return;
  for (size_t i = from; i < d->items.len;) {
    const ptk_diag g = d->items.data[i];
    if (g.sev == PTK_SEV_NOTE || !g.path || !g.line) {
      i = tr_group_end(d, i);
      continue;
    }
    /* The distinct chains that traced an op at this place (at most 8 kept). */
    const tcall_chain *found[8];
    size_t nf = 0, more = 0;
    for (size_t k = 0; k < r->call_ops.len; k++) {
      const tcall_op *o = &r->call_ops.data[k];
      if (o->loc.line != g.line || o->loc.col != g.col || strcmp(o->loc.src->path, g.path)) continue;
      const tcall_chain *ch = &r->chains.data[o->chain];
      bool dup = false;
      for (size_t f = 0; f < nf && !dup; f++) dup = same_chain(found[f], ch);
      if (dup) continue;
      if (nf < 8)
        found[nf++] = ch;
      else
        more++;
    }
    if (nf == 1) {
      chain_notes(d, i, found[0]);
    } else if (nf > 1) {
      /* Different chains through the same fn body line: the innermost call
       * sites that differ. */
      const tcall_site *sites[8];
      size_t ns = 0;
      for (size_t f = 0; f < nf; f++) {
        bool dup = false;
        for (size_t s = 0; s < ns && !dup; s++) dup = same_range(sites[s]->at, found[f]->sites[0].at);
        if (!dup) sites[ns++] = &found[f]->sites[0];
      }
      if (ns == 1) { /* one call site, reached along several outer chains */
        tr_note_after(d, i, sites[0]->at, "in the call of '%s' here", sites[0]->fn);
      } else {
        for (size_t s = 0; s < ns; s++) {
          if (!s)
            tr_note_after(d, i, sites[s]->at, "in one of the %zu%s calls of '%s' that trace this line: this one",
                          ns + more, more ? " or more" : "", sites[s]->fn);
          else
            tr_note_after(d, i, sites[s]->at, "or this one");
        }
      }
    }
    i = tr_group_end(d, i);
  }
}

static uint32_t const_hash(const ptk_type *t, uint64_t bits) {
  uint64_t x = bits ^ ((uint64_t)(uintptr_t)t * 0x9E3779B97F4A7C15ull);
  x ^= x >> 29;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 32;
  return (uint32_t)x;
}

static ptk_value *const_find(tctx *c, const ptk_type *t, uint64_t bits) {
  if (!c->cap_consts) return NULL;
  uint32_t mask = c->cap_consts - 1;
  for (uint32_t i = const_hash(t, bits) & mask;; i = (i + 1) & mask) {
    struct cconst *e = &c->consts[i];
    if (!e->v) return NULL;
    if (e->t == t && e->bits == bits) return e->v;
  }
}

static void const_add(tctx *c, const ptk_type *t, uint64_t bits, ptk_value *v) {
  if ((c->nconsts + 1) * 2 > c->cap_consts) {
    uint32_t cap = c->cap_consts ? c->cap_consts * 2 : 64;
    struct cconst *n = ptk_xcalloc(cap, sizeof *n);
    for (uint32_t i = 0; i < c->cap_consts; i++) {
      struct cconst *e = &c->consts[i];
      if (!e->v) continue;
      uint32_t j = const_hash(e->t, e->bits) & (cap - 1);
      while (n[j].v) j = (j + 1) & (cap - 1);
      n[j] = *e;
    }
    free(c->consts);
    c->consts = n;
    c->cap_consts = cap;
  }
  uint32_t mask = c->cap_consts - 1;
  uint32_t i = const_hash(t, bits) & mask;
  while (c->consts[i].v) i = (i + 1) & mask;
  c->consts[i] = (struct cconst){t, bits, v};
  c->nconsts++;
}

/* Constants are hoisted to the top of the function (the entry block
 * dominates every use) and shared. */
static ptk_value *const_place(tctx *c, ptk_op *op) {
  if (c->const_tail)
    ptk_op_insert_after(c->const_tail, op);
  else if (c->entry->first)
    ptk_op_insert_before(c->entry->first, op);
  else
    ptk_block_append(c->entry, op);
  c->const_tail = op;
  return ptk_op_result(op, 0);
}

/* The arith.constant of type t with attribute a (bits: its value's bit
 * pattern): the one already placed when there is one, else a new one. */
static ptk_value *const_get(tctx *c, const ptk_type *t, const ptk_attr *a, uint64_t bits,
                            ptk_range at) {
  ptk_value *hit = const_find(c, t, bits);
  if (hit) return hit;
  ptk_op *op = ptk_op_new(c->m, PTK_OP_ARITH_CONSTANT, NULL, 0, &t, 1, 0, tr_loc(at));
  ptk_op_set_attr(op, "value", a);
  ptk_value *r = const_place(c, op);
  const_add(c, t, bits, r);
  return r;
}

ptk_value *tr_const_int(tctx *c, int64_t v, const ptk_type *t, ptk_range at) {
  if (ptk_type_is_scalar(t, PTK_DT_I1)) return tr_const_bool(c, v != 0, at);
  if (!tr_emit_ok(c, at)) return NULL;
  /* Canonical (wrapped) value: the attribute wraps to the type's width. */
  const ptk_attr *a = ptk_attr_int(c->m, v, t);
  return const_get(c, t, a, (uint64_t)a->i, at);
}

ptk_value *tr_const_float(tctx *c, double v, const ptk_type *t, ptk_range at) {
  if (!tr_emit_ok(c, at)) return NULL;
  const ptk_attr *a = ptk_attr_float(c->m, v, t);
  return const_get(c, t, a, a->f.bits, at);
}

ptk_value *tr_const_bool(tctx *c, bool b, ptk_range at) {
  if (!tr_emit_ok(c, at)) return NULL;
  return const_get(c, tr_scalar(PTK_DT_I1), ptk_attr_bool(c->m, b), b, at);
}

/* Whether block `a` encloses (or is) block `b`: values defined earlier in
 * `a` then dominate the insertion point in `b`. */
static bool block_encloses(const ptk_block *a, const ptk_block *b) {
  while (b) {
    if (b == a) return true;
    const ptk_op *op = b->region ? b->region->op : NULL;
    if (!op) return false;
    b = op->block;
  }
  return false;
}

ptk_value *tr_index_cast(tctx *c, ptk_value *v, const ptk_type *to, ptk_range at) {
  if (!tr_emit_ok(c, at)) return NULL;
  for (size_t i = c->casts.len; i > 0; i--) {
    struct ccast *e = &c->casts.data[i - 1];
    if (e->from == v && e->to == to && block_encloses(e->blk, c->blk)) return e->res;
  }
  ptk_value *res;
  ptk_block *blk;
  if (!v->def && v->block == c->entry) { /* a kernel argument: cast once, at the top */
    ptk_op *op = ptk_op_new(c->m, PTK_OP_ARITH_INDEX_CAST, &v, 1, &to, 1, 0, tr_loc(at));
    res = const_place(c, op);
    blk = c->entry;
  } else {
    ptk_op *op = ptk_build(c->m, c->blk, PTK_OP_ARITH_INDEX_CAST, &v, 1, &to, 1, tr_loc(at));
    res = ptk_op_result(op, 0);
    blk = c->blk;
  }
  struct ccast e = {v, to, res, blk};
  ptk_vec_push(&c->casts, e);
  return res;
}

ptk_value *tr_intrinsic(tctx *c, ptk_op_kind k, ptk_range at) {
  if (!tr_emit_ok(c, at)) return NULL;
  for (size_t i = 0; i < c->casts.len; i++) {
    struct ccast *e = &c->casts.data[i];
    if (!e->from && e->to == (const ptk_type *)(uintptr_t)(k + 1)) return e->res;
  }
  const ptk_type *i64 = tr_scalar(PTK_DT_I64);
  ptk_op *op = ptk_op_new(c->m, k, NULL, 0, &i64, 1, 0, tr_loc(at));
  ptk_value *v = const_place(c, op);
  const ptk_type *ix = tr_scalar(PTK_DT_INDEX);
  ptk_value *r = const_place(c, ptk_op_new(c->m, PTK_OP_ARITH_INDEX_CAST, &v, 1, &ix, 1, 0, tr_loc(at)));
  struct ccast e = {NULL, (const ptk_type *)(uintptr_t)(k + 1), r, c->entry};
  ptk_vec_push(&c->casts, e);
  return r;
}

bool tr_const_of(const ptk_value *v, int64_t *out) {
  if (!v || !v->def || v->def->kind != PTK_OP_ARITH_CONSTANT) return false;
  const ptk_attr *a = ptk_op_attr(v->def, "value");
  if (!a || a->kind != PTK_ATTR_INT) return false;
  *out = a->i;
  return true;
}
