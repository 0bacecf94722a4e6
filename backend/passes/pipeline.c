/* The pass manager (see pipeline.h). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "backend/passes/pipeline.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/build_dir.h"
#include "backend/passes/pass_util.h"
#include "backend/verify.h"
#include "parser/pto_print.h"

const char *ptk_mode_name(ptk_mode m) { return m == PTK_MODE_EXPLICIT ? "explicit" : "auto"; }

typedef struct pctx {
  ptk_module *m;
  ptk_func *entry;
  const ptk_pipeline_opts *o;
  ptk_diags *d;
  ptk_pipeline_result *res;
  ptk_buf stats; /* --stats lines of the passes */
  bool do_sync;  /* insert-sync inserts (else it only checks: strict_sync) */
} pctx;

/* ======================================================================
 * The passes, as the pipeline runs them
 * ====================================================================== */

static bool run_canonicalize(pctx *c) {
  ptk_canonicalize(c->m, &c->res->canon);
  const ptk_canon_stats *s = &c->res->canon;
  ptk_buf_printf(&c->stats,
                 "canonicalize: %u folded, %u erased, %u regions inlined, %u zero-trip loops "
                 "removed, %u duplicate constants merged (%u rounds)\n",
                 s->folded, s->erased, s->inlined, s->loops_removed, s->consts_merged,
                 s->iterations);
  return true;
}

static bool run_cse(pctx *c) {
  c->res->cse_removed = ptk_cse(c->m);
  ptk_buf_printf(&c->stats, "cse: %u ops removed\n", c->res->cse_removed);
  return true;
}

static bool run_check_shapes(pctx *c) {
  bool ok = ptk_check_shapes(c->m, c->d);
  ptk_buf_printf(&c->stats, "check-shapes: %s\n", ok ? "ok" : "errors");
  return ok;
}

static const char *arg_label(const ptk_func *f, uint32_t i, char *tmp, size_t n) {
  const ptk_value *a = ptk_func_arg(f, i);
  if (a && a->name)
    snprintf(tmp, n, "%%%s", a->name);
  else
    snprintf(tmp, n, "%%arg%u", i);
  return tmp;
}

static bool run_arg_dirs(pctx *c) {
  ptk_arg_dirs_free(&c->res->dirs);
  if (!c->entry) {
    ptk_buf_puts(&c->stats, "derive-arg-directions: no entry function\n");
    return true;
  }
  ptk_derive_arg_directions(c->entry, &c->res->dirs);
  ptk_buf_printf(&c->stats, "derive-arg-directions: @%s(", c->entry->name);
  bool first = true;
  for (uint32_t i = 0; i < c->res->dirs.n; i++) {
    if (c->res->dirs.dir[i] == PTK_ARGDIR_NONE) continue;
    char tmp[80];
    ptk_buf_printf(&c->stats, "%s%s %s", first ? "" : ", ", arg_label(c->entry, i, tmp, sizeof tmp),
                   ptk_arg_dir_name(c->res->dirs.dir[i]));
    first = false;
  }
  ptk_buf_puts(&c->stats, ")\n");
  if (c->o->declared)
    return ptk_check_arg_directions(&c->res->dirs, c->o->declared, c->o->decl_ranges,
                                    c->o->decl_names, c->o->ndeclared, c->d);
  return true;
}

static void mem_lines(const ptk_mem_stats *s, ptk_target t, ptk_buf *out, const char *indent) {
  for (int sp = PTK_SPACE_VEC; sp < PTK_SPACE__COUNT; sp++) {
    if (!s->ntiles[sp]) continue;
    uint32_t cap = ptk_target_capacity(t, (ptk_space)sp);
    ptk_buf_printf(out,
                   "%s%-4s %-8s peak %" PRIu64 " B, used %" PRIu64 " B of %u B (%.1f%%), %u "
                   "tiles, %" PRIu64 " B without reuse\n",
                   indent, ptk_mem_name((ptk_space)sp), ptk_space_name((ptk_space)sp), s->peak[sp],
                   s->used[sp], cap, cap ? 100.0 * (double)s->used[sp] / cap : 0.0, s->ntiles[sp],
                   s->total[sp]);
  }
}

static bool run_plan_memory(pctx *c) {
  bool ok = ptk_plan_memory(c->m, c->o->target, &c->res->mem, c->d);
  c->res->mem_planned = true;
  ptk_buf_printf(&c->stats, "plan-memory: %u tiles placed (target %s)\n", c->res->mem.planned,
                 ptk_target_name(c->o->target));
  mem_lines(&c->res->mem, c->o->target, &c->stats, "  ");
  return ok;
}

/* pto.tassign moves a tile to another address in the middle of its life;
 * insert-sync's pipe model tracks tiles, not addresses, so ptoas refuses
 * the two together (--enable-insert-sync with level3's tassign). */
static bool tassign_refused(ptk_op *op, void *p) {
  pctx *c = p;
  if (op->kind == PTK_OP_TASSIGN)
    ptk_error(c->d, ptk_op_range(op),
              "'pto.tassign' cannot be synchronized by insert-sync, which follows tiles, not the "
              "addresses tassign rebinds: compile without --insert-sync (ptoas: without "
              "--enable-insert-sync)");
  return true;
}

static bool run_insert_sync(pctx *c) {
  if (c->do_sync) {
    size_t e0 = ptk_diags_errors(c->d);
    ptk_walk_module(c->m, tassign_refused, c);
    if (ptk_diags_errors(c->d) > e0) return false;
  }
  pu_funcs fs = {0};
  pu_collect_funcs(c->m, &fs);
  bool *had = ptk_xcalloc(fs.len + 1, sizeof *had);
  for (size_t i = 0; i < fs.len; i++) had[i] = !c->do_sync || ptk_func_has_sync(fs.data[i]);
  if (c->do_sync) {
    ptk_insert_sync(c->m, &c->res->sync);
    c->res->sync_inserted = true;
    ptk_buf_printf(&c->stats, "insert-sync: %u set_flag/wait_flag pairs, %u barriers",
                   c->res->sync.pairs, c->res->sync.barriers);
    if (c->res->sync.skipped)
      ptk_buf_printf(&c->stats, ", %u functions already synchronized (left alone)",
                     c->res->sync.skipped);
  } else {
    ptk_buf_puts(&c->stats, "insert-sync: checked only (--strict-sync, no insertion)");
  }
  ptk_buf_putc(&c->stats, '\n');
  /* The checker proves what the inserter did (an internal assertion: its
   * findings are errors), and checks the functions it left alone because
   * their author synchronized them: warnings, errors with strict_sync. */
  bool ok = true;
  for (size_t i = 0; i < fs.len; i++) {
    size_t e0 = ptk_diags_errors(c->d), n0 = c->d->items.len;
    bool warn = had[i] && !c->o->strict_sync;
    if (ptk_check_sync_func(fs.data[i], warn, c->d)) continue;
    if (!warn) ok = false;
    if (ptk_diags_errors(c->d) == e0 && c->d->items.len == n0) continue;
    if (had[i] && !c->do_sync)
      ptk_note(c->d,
               fs.data[i]->loc.src
                   ? ptk_range_at(fs.data[i]->loc, (uint32_t)strlen(fs.data[i]->name) + 1)
                   : ptk_range_none(),
               "'@%s' is checked as written (--strict-sync; insert-sync does not run on it)",
               fs.data[i]->name);
    else if (had[i])
      ptk_note(c->d,
               fs.data[i]->loc.src
                   ? ptk_range_at(fs.data[i]->loc, (uint32_t)strlen(fs.data[i]->name) + 1)
                   : ptk_range_none(),
               "'@%s' already had sync ops, so insert-sync left it alone; its synchronization is "
               "checked as written",
               fs.data[i]->name);
    else
      ptk_note(c->d, ptk_range_none(),
               "internal error: insert-sync produced the problems above in '@%s'",
               fs.data[i]->name);
  }
  free(had);
  ptk_vec_free(&fs);
  return ok;
}

enum {
  PF_AUTO_ONLY = 1u << 0,
  PF_SYNC = 1u << 1,
  PF_OPT = 1u << 2,  /* optimizing: skippable */
  PF_TILE = 1u << 3, /* tile level only: skipped for VPTO micro-instruction kernels */
};

/* A VPTO op (the generic micro-instruction form, or a vecscope): stops the walk. */
static bool is_vpto_op(ptk_op *op, void *ctx) {
  (void)ctx;
  return !ptk_op_is_vpto(op);
}
/* Register-level kernels place their own buffers and synchronize by hand. */
static bool module_is_vpto(ptk_module *m) { return !ptk_walk_module(m, is_vpto_op, NULL); }

typedef struct pass_row {
  const char *name;
  const char *summary;
  unsigned flags;
  bool (*run)(pctx *);
} pass_row;

/* THE pipeline (DESIGN §4). */
static const pass_row PIPELINE[] = {
    {"canonicalize", "fold constants, simplify trivial loops and ifs, drop dead ops", PF_OPT,
     run_canonicalize},
    {"cse", "merge identical pure ops in dominating position", PF_OPT, run_cse},
    {"check-shapes",
     "valid shapes of elementwise operands, tload/tstore partitions, matmul K, expand and "
     "row-reduction forms",
     0, run_check_shapes},
    {"derive-arg-directions",
     "IN/OUT/INOUT of each pointer argument; declared directions must agree", 0, run_arg_dirs},
    {"plan-memory",
     "tile addresses from liveness (reuse, 32-byte alignment, capacity check, no-overlap proof)",
     PF_AUTO_ONLY | PF_TILE, run_plan_memory},
    {"insert-sync",
     "set_flag/wait_flag between producer and consumer pipes, barrier before return (checked)",
     PF_SYNC | PF_TILE, run_insert_sync},
};

_Static_assert(PTK_ARRAY_LEN(PIPELINE) <= PTK_PIPELINE_MAX_PASSES, "too many passes");

void ptk_pipeline_print(ptk_buf *out) {
  ptk_buf_puts(out, "pass pipeline, in order:\n");
  ptk_buf_printf(out, "    %-22s %s\n", "verify",
                 "check the input IR (and after every pass with --verify-each)");
  for (size_t i = 0; i < PTK_ARRAY_LEN(PIPELINE); i++) {
    const pass_row *p = &PIPELINE[i];
    const char *when = p->flags & PF_AUTO_ONLY ? " [auto mode only; not for VPTO kernels]"
                       : p->flags & PF_SYNC   ? " [auto mode, or insert_sync; not for VPTO kernels]"
                       : p->flags & PF_OPT    ? " [skipped by --no-optimize]"
                                              : "";
    ptk_buf_printf(out, "%2zu  %-22s %s%s\n", i + 1, p->name, p->summary, when);
  }
  ptk_buf_printf(out, "    %-22s %s\n", "emit", "kernel.pto and kernel_config.json (ptk compile)");
}

/* ======================================================================
 * Dumps
 * ====================================================================== */

void ptk_pipeline_result_free(ptk_pipeline_result *r) {
  if (!r) return;
  ptk_arg_dirs_free(&r->dirs);
}

bool ptk_pipeline_regex_ok(const char *re, ptk_buf *err) {
  if (!re || !*re) return true;
  int ec;
  PCRE2_SIZE off;
  pcre2_code *code = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, 0, &ec, &off, NULL);
  if (code) {
    pcre2_code_free(code);
    return true;
  }
  if (err) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(ec, msg, sizeof msg);
    ptk_buf_printf(err, "%s at offset %zu", (const char *)msg, (size_t)off);
  }
  return false;
}

typedef struct dumper {
  const char *dir;
  pcre2_code *re;
  pcre2_match_data *md;
  bool failed;
} dumper;

static bool is_dump_name(const char *n) {
  size_t len = strlen(n);
  return len > 7 && n[0] >= '0' && n[0] <= '9' && n[1] >= '0' && n[1] <= '9' && n[2] == '_' &&
         strcmp(n + len - 4, ".pto") == 0;
}

static bool dumper_open(dumper *du, const char *dir, const char *re, ptk_diags *d) {
  memset(du, 0, sizeof *du);
  du->dir = dir;
  if (re && *re) {
    int ec;
    PCRE2_SIZE off;
    du->re = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, 0, &ec, &off, NULL);
    if (!du->re) {
      PCRE2_UCHAR msg[256];
      pcre2_get_error_message(ec, msg, sizeof msg);
      ptk_error(d, ptk_range_none(), "invalid --dump-passes pattern '%s': %s at offset %zu", re,
                (const char *)msg, (size_t)off);
      return false;
    }
    du->md = pcre2_match_data_create_from_pattern(du->re, NULL);
  }
  if (ptk_mkdir_p(dir) != 0) {
    ptk_error(d, ptk_range_none(), "cannot create the dump folder '%s': %s", dir, strerror(errno));
    return false;
  }
  DIR *dd = opendir(dir);
  if (dd) {
    struct dirent *e;
    PTK_VEC(char *) stale = {0};
    while ((e = readdir(dd)) != NULL)
      if (is_dump_name(e->d_name)) ptk_vec_push(&stale, ptk_xasprintf("%s/%s", dir, e->d_name));
    closedir(dd);
    for (size_t i = 0; i < stale.len; i++) {
      unlink(stale.data[i]);
      free(stale.data[i]);
    }
    ptk_vec_free(&stale);
  }
  return true;
}

static void dumper_close(dumper *du) {
  if (du->md) pcre2_match_data_free(du->md);
  if (du->re) pcre2_code_free(du->re);
}

static bool dumper_wants(dumper *du, const char *pass) {
  if (!du->re) return true;
  return pcre2_match(du->re, (PCRE2_SPTR)pass, strlen(pass), 0, 0, du->md, NULL) >= 0;
}

static void dump(dumper *du, ptk_module *m, const char *file, ptk_diags *d) {
  if (du->failed) return;
  ptk_buf text = {0};
  ptk_pto_print(m, &text);
  char *path = ptk_xasprintf("%s/%s", du->dir, file);
  if (ptk_write_file_atomic(path, ptk_buf_cstr(&text), text.len) != 0) {
    ptk_error(d, ptk_range_none(), "cannot write '%s': %s", path, strerror(errno));
    du->failed = true;
  }
  free(path);
  ptk_buf_free(&text);
}

/* ======================================================================
 * Running
 * ====================================================================== */

static bool has_unit_attr(const ptk_func *f, const char *name) {
  return ptk_func_attr(f, name) != NULL;
}

static ptk_func *find_marked(ptk_module *m) {
  for (uint32_t i = 0; i < m->nitems; i++) {
    if (m->items[i].kind == PTK_ITEM_FUNC) {
      if (m->items[i].func->body && (has_unit_attr(m->items[i].func, "pto.entry") ||
                                     has_unit_attr(m->items[i].func, "pto.kernel")))
        return m->items[i].func;
    } else {
      ptk_func *f = find_marked(m->items[i].module);
      if (f) return f;
    }
  }
  return NULL;
}

ptk_func *ptk_pipeline_find_entry(ptk_module *m, const char *name) {
  if (name) {
    ptk_func *f = ptk_module_find_func_nested(m, name);
    return f && f->body ? f : NULL;
  }
  pu_funcs fs = {0};
  pu_collect_funcs(m, &fs);
  ptk_func *f = fs.len == 1 ? fs.data[0] : find_marked(m);
  ptk_vec_free(&fs);
  return f;
}

static bool verify_after(pctx *c, const char *pass) {
  ptk_diags *tmp = ptk_diags_new();
  bool ok = ptk_verify_module(c->m, tmp);
  if (!ok) {
    ptk_error(c->d, ptk_range_none(),
              "internal error: the IR is invalid after pass '%s' (the verifier's findings follow)",
              pass);
    for (size_t i = 0; i < tmp->items.len; i++) {
      ptk_diag *x = &tmp->items.data[i];
      /* Re-emit as notes so the one error above is what counts. */
      ptk_diags *dst = c->d;
      ptk_diag copy = *x;
      copy.sev = PTK_SEV_NOTE;
      copy.path = x->path ? ptk_xstrdup(x->path) : NULL;
      copy.message = x->message ? ptk_xstrdup(x->message) : NULL;
      copy.text = x->text ? ptk_xstrdup(x->text) : NULL;
      ptk_vec_push(&dst->items, copy);
    }
  }
  ptk_diags_free(tmp);
  return ok;
}

int ptk_pipeline_run(ptk_module *m, ptk_func *entry, const ptk_pipeline_opts *o, ptk_diags *d,
                     ptk_buf *report) {
  ptk_pipeline_opts defaults;
  if (!o) {
    memset(&defaults, 0, sizeof defaults);
    defaults.insert_sync = -1;
    o = &defaults;
  }
  ptk_pipeline_result local;
  memset(&local, 0, sizeof local);
  pctx c;
  memset(&c, 0, sizeof c);
  c.m = m;
  c.entry = entry ? entry : ptk_pipeline_find_entry(m, NULL);
  c.o = o;
  c.d = d;
  c.res = o->result ? o->result : &local;
  c.res->npasses = 0;
  c.res->nskipped = 0;
  c.res->skip_reason = NULL;
  const char *env = getenv("PTK_VERIFY_EACH");
  bool verify_each = o->verify_each || (env && strcmp(env, "1") == 0);
  const char *nenv = getenv("PTK_NO_OPTIMIZE");
  bool no_opt = o->no_optimize || (nenv && strcmp(nenv, "1") == 0);
  bool do_sync = o->insert_sync > 0 || (o->insert_sync < 0 && o->mode == PTK_MODE_AUTO);
  c.do_sync = do_sync;
  int rc = 0;
  double t_all = pu_now_ms();

  dumper du;
  bool dumping = false;
  if (o->dump_dir) {
    if (!dumper_open(&du, o->dump_dir, o->dump_regex, d)) {
      dumper_close(&du);
      return 1;
    }
    dumping = true;
  }

  double t0 = pu_now_ms();
  bool ok = ptk_verify_module(m, d);
  c.res->ms[0] = pu_now_ms() - t0;
  if (dumping) dump(&du, m, "00_input.pto", d);
  if (!ok) rc = 1;

  unsigned idx = 0;
  bool vpto = module_is_vpto(m);
  for (size_t i = 0; rc == 0 && i < PTK_ARRAY_LEN(PIPELINE); i++) {
    const pass_row *p = &PIPELINE[i];
    if ((p->flags & PF_TILE) && vpto) {
      c.res->skip_reason = "a VPTO micro-instruction kernel: explicit addresses and hand-written synchronization";
      c.res->skipped[c.res->nskipped++] = p->name;
      ptk_buf_printf(&c.stats, "%s: skipped (%s)\n", p->name, c.res->skip_reason);
      continue;
    }
    if ((p->flags & PF_AUTO_ONLY) && o->mode != PTK_MODE_AUTO) continue;
    if ((p->flags & PF_SYNC) && !do_sync && !o->strict_sync) continue;
    if ((p->flags & PF_OPT) && no_opt) continue;
    idx++;
    size_t e0 = ptk_diags_errors(d);
    t0 = pu_now_ms();
    bool pok = p->run(&c);
    double dt = pu_now_ms() - t0;
    c.res->ms[idx] = dt;
    c.res->passes[c.res->npasses++] = p->name;
    if (!pok || ptk_diags_errors(d) > e0) rc = 1;
    if (rc == 0 && verify_each && !verify_after(&c, p->name)) rc = 1;
    if (dumping && dumper_wants(&du, p->name)) {
      char file[96];
      snprintf(file, sizeof file, "%02u_after_%s.pto", idx, p->name);
      dump(&du, m, file, d);
    }
  }
  if (dumping) {
    if (du.failed) rc = 1;
    dumper_close(&du);
  }
  c.res->ms_total = pu_now_ms() - t_all;

  if (report && o->time_passes) {
    ptk_buf_puts(report, "pass timings (ms):\n");
    ptk_buf_printf(report, "  %9.3f  verify (input)\n", c.res->ms[0]);
    for (uint32_t i = 0; i < c.res->npasses; i++)
      ptk_buf_printf(report, "  %9.3f  %s\n", c.res->ms[i + 1], c.res->passes[i]);
    ptk_buf_printf(report, "  %9.3f  total\n", c.res->ms_total);
    if (c.res->mem_planned && !o->stats) {
      ptk_buf_printf(report, "peak memory (target %s):\n", ptk_target_name(o->target));
      mem_lines(&c.res->mem, o->target, report, "  ");
    }
  }
  if (report && o->stats) {
    ptk_buf_printf(report, "pass statistics (mode %s, target %s):\n", ptk_mode_name(o->mode),
                   ptk_target_name(o->target));
    ptk_buf_puts(report, ptk_buf_cstr(&c.stats));
  }
  ptk_buf_free(&c.stats);
  if (c.res == &local) ptk_pipeline_result_free(&local);
  return rc;
}
