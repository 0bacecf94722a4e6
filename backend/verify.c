/* The IR verifier: driver, SSA scoping, structure and terminators, calls,
 * type validity, and the generic table-driven operand checks (SIG column,
 * PTK_OPF_SAME_DTYPE, PTK_OPF_SCALAR_DTYPE). Op-specific checks are in
 * verify_ops.c. See verify.h for the list of checks.
 *
 * Cost: one walk over the IR. Scoping uses a per-value-uid state byte and a
 * stack of the uids made visible; both are allocated once per run. */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "backend/verify_int.h"

/* ======================================================================
 * Messages
 * ====================================================================== */

const char *vop_name(const ptk_op *op) {
  return (op->kind >= 0 && op->kind < PTK_OP__COUNT) ? ptk_op_table[op->kind].name : "<invalid>";
}

const char *vstr(vctx *c, char *owned) {
  ptk_vec_push(&c->strs, owned);
  return owned;
}

const char *vty(vctx *c, const ptk_type *t) {
  if (!t) return "<no type>";
  return vstr(c, ptk_type_str(t));
}

const char *vplural(uint64_t n, const char *one, const char *many) { return n == 1 ? one : many; }

static ptk_func *block_func(const ptk_block *b) {
  if (!b || !b->region) return NULL;
  if (b->region->func) return b->region->func;
  return b->region->op ? ptk_op_func(b->region->op) : NULL;
}

static ptk_func *value_func(const ptk_value *v) {
  return v->def ? ptk_op_func(v->def) : block_func(v->block);
}

const char *vvalue(vctx *c, const ptk_value *v) {
  if (v->name && v->name[0]) {
    if (v->def && v->def->nresults > 1 && !strchr(v->name, '#'))
      return vstr(c, ptk_xasprintf("value '%%%s#%" PRIu32 "'", v->name, v->index));
    return vstr(c, ptk_xasprintf("value '%%%s'", v->name));
  }
  if (v->def) {
    if (v->def->nresults == 1)
      return vstr(c, ptk_xasprintf("the result of '%s'", vop_name(v->def)));
    return vstr(c, ptk_xasprintf("result #%" PRIu32 " of '%s'", v->index, vop_name(v->def)));
  }
  const ptk_block *b = v->block;
  if (b && b->region && b->region->func)
    return vstr(c,
                ptk_xasprintf("argument #%" PRIu32 " of '@%s'", v->index, b->region->func->name));
  if (b && b->region && b->region->op) {
    const ptk_op *p = b->region->op;
    if (p->kind == PTK_OP_SCF_FOR && v->index == 0)
      return vstr(c, ptk_xasprintf("the induction variable of '%s'", vop_name(p)));
    return vstr(c, ptk_xasprintf("block argument #%" PRIu32 " of '%s'", v->index, vop_name(p)));
  }
  return vstr(c, ptk_xasprintf("block argument #%" PRIu32, v->index));
}

ptk_range vvalue_range(const ptk_value *v) {
  const ptk_source *s = v->loc.src;
  if (s && v->name && v->loc.off < s->len && s->text[v->loc.off] == '%')
    return ptk_range_at(v->loc, (uint32_t)(1 + strlen(v->name)));
  if (s && !v->def && v->loc.off < s->len && s->text[v->loc.off] == '@' && v->block &&
      v->block->region && v->block->region->func) /* an argument located at its function */
    return vfunc_range(v->block->region->func);
  if (v->def && (!s || v->loc.off == v->def->loc.off)) return ptk_op_range(v->def);
  return ptk_range_at(v->loc, 1);
}

void vnote_def(vctx *c, const ptk_value *v) {
  ptk_note(c->d, vvalue_range(v), "%s is defined here", vvalue(c, v));
}

/* "operand #1 (ins[1])": the position and, when the op has a structure,
 * the role of the operand. */
static const char *const seg_names[][4] = {
    [PTK_FAM_ALLOC_TILE] = {"addr", "valid_row", "valid_col", NULL},
    [PTK_FAM_MAKE_TENSOR_VIEW] = {"ptr", "shape", "strides", NULL},
    [PTK_FAM_PARTITION_VIEW] = {"source", "offsets", "sizes", NULL},
    [PTK_FAM_SUBVIEW] = {"source", "offsets", "valid_row", "valid_col"},
    [PTK_FAM_INIT_PIPE] = {"gm_slot_buffer", "gm_slot_tensor", "c2v_consumer_buf", "v2c_consumer_buf"},
};

const char *voperand(vctx *c, const ptk_op *op, uint32_t i) {
  const ptk_op_info *info = ptk_op_info_of(op->kind);
  char role[64] = "";
  if (op->nsegs == 2 && info->family == PTK_FAM_DPS) {
    uint32_t nin = op->segs[0];
    if (i < nin)
      snprintf(role, sizeof role, "ins[%" PRIu32 "]", i);
    else
      snprintf(role, sizeof role, "outs[%" PRIu32 "]", i - nin);
  } else if (op->nsegs > 0 && op->nsegs <= 4 && (unsigned)info->family < PTK_ARRAY_LEN(seg_names) &&
             seg_names[info->family][0]) {
    uint32_t start = 0;
    for (uint32_t s = 0; s < op->nsegs; s++) {
      if (i < start + op->segs[s]) {
        const char *nm = seg_names[info->family][s];
        bool single = info->family == PTK_FAM_ALLOC_TILE || info->family == PTK_FAM_INIT_PIPE || s == 0 ||
                      (info->family == PTK_FAM_SUBVIEW && s >= 2);
        if (nm && single)
          snprintf(role, sizeof role, "%s", nm);
        else if (nm)
          snprintf(role, sizeof role, "%s[%" PRIu32 "]", nm, i - start);
        break;
      }
      start += op->segs[s];
    }
  } else {
    switch (op->kind) {
    case PTK_OP_SCF_FOR: {
      static const char *const r[] = {"lower bound", "upper bound", "step"};
      if (i < 3)
        snprintf(role, sizeof role, "%s", r[i]);
      else
        snprintf(role, sizeof role, "iter_args[%" PRIu32 "]", i - 3);
      break;
    }
    case PTK_OP_SCF_IF:
    case PTK_OP_SCF_CONDITION:
    case PTK_OP_ARITH_SELECT:
      if (i == 0) snprintf(role, sizeof role, "condition");
      break;
    case PTK_OP_LOAD_SCALAR:
    case PTK_OP_STORE_SCALAR: {
      static const char *const r[] = {"pointer", "index", "value"};
      if (i < 3) snprintf(role, sizeof role, "%s", r[i]);
      break;
    }
    default: break;
    }
  }
  if (role[0]) return vstr(c, ptk_xasprintf("operand #%" PRIu32 " (%s)", i, role));
  return vstr(c, ptk_xasprintf("operand #%" PRIu32, i));
}

bool vtile_dtype(const ptk_value *v, ptk_dtype *dt) {
  const ptk_tile_desc *t = vtile(v);
  if (!t || !t->elem || t->elem->kind != PTK_TY_SCALAR) return false;
  *dt = t->elem->dt;
  return true;
}

/* ======================================================================
 * Type validity (checked where values are defined)
 * ====================================================================== */

/* Appends the problems of type t to `why` ("; "-separated). */
static void type_problems(const ptk_type *t, ptk_buf *why) {
#define P(...)                                                                                     \
  do {                                                                                             \
    if (why->len) ptk_buf_puts(why, "; ");                                                         \
    ptk_buf_printf(why, __VA_ARGS__);                                                              \
  } while (0)
  switch (t->kind) {
  case PTK_TY_TILE_BUF: {
    const ptk_tile_desc *d = &t->tile;
    if (!d->elem || d->elem->kind != PTK_TY_SCALAR) P("the element type must be a scalar");
    if (d->loc == PTK_SPACE_GM) P("a tile cannot live in 'gm'");
    if (d->rows <= 0) P("rows (%" PRId64 ") must be positive", d->rows);
    if (d->cols <= 0) P("cols (%" PRId64 ") must be positive", d->cols);
    if (d->v_row != PTK_DYN && d->v_row < 0)
      P("v_row (%" PRId64 ") must not be negative", d->v_row);
    if (d->v_row != PTK_DYN && d->rows > 0 && d->v_row > d->rows)
      P("v_row (%" PRId64 ") exceeds rows (%" PRId64 ")", d->v_row, d->rows);
    if (d->v_col != PTK_DYN && d->v_col < 0)
      P("v_col (%" PRId64 ") must not be negative", d->v_col);
    if (d->v_col != PTK_DYN && d->cols > 0 && d->v_col > d->cols)
      P("v_col (%" PRId64 ") exceeds cols (%" PRId64 ")", d->v_col, d->cols);
    if (d->fractal != 32 && d->fractal != 512 && d->fractal != 1024)
      P("fractal (%" PRId64 ") must be 32, 512 or 1024", d->fractal);
    if (d->pad < 0 || d->pad > 3)
      P("pad (%" PRId64 ") must be 0 (null), 1 (zero), 2 (max) or 3 (min)", d->pad);
    if (d->compact < 0 || d->compact > 2)
      P("compact (%" PRId64 ") must be 0 (null), 1 (normal) or 2 (row_plus_one)", d->compact);
    break;
  }
  case PTK_TY_TENSOR_VIEW:
  case PTK_TY_PART_VIEW:
    if (!t->elem || t->elem->kind != PTK_TY_SCALAR) P("the element type must be a scalar");
    if (t->rank == 0) P("the rank must be at least 1");
    for (uint32_t i = 0; i < t->rank; i++)
      if (t->dims[i] != PTK_DYN && t->dims[i] <= 0)
        P("dimension %" PRIu32 " (%" PRId64 ") must be positive or '?'", i, t->dims[i]);
    break;
  case PTK_TY_PTR:
    if (!t->elem) P("the pointer has no element type");
    break;
  default: break;
  }
#undef P
}

/* Reports an invalid type: "<prefix><index> type '<T>' is invalid: …"
 * (index < 0: none), e.g. "'pto.alloc_tile' result type". The message is
 * only built when something is wrong. */
static void check_type(vctx *c, ptk_range at, const char *prefix, const char *name,
                       const char *suffix, int64_t index, const ptk_type *t) {
  if (t && (t->kind == PTK_TY_SCALAR || t->kind == PTK_TY_OPAQUE || t->kind == PTK_TY_FUNCTION))
    return;
  char pos[32] = "";
  if (index >= 0) snprintf(pos, sizeof pos, " #%" PRId64, index);
  if (!t) {
    ptk_error(c->d, at, "%s%s%s%s type is missing", prefix, name, suffix, pos);
    return;
  }
  ptk_buf why = {0};
  type_problems(t, &why);
  if (why.len)
    ptk_error(c->d, at, "%s%s%s%s type '%s' is invalid: %s", prefix, name, suffix, pos, vty(c, t),
              ptk_buf_cstr(&why));
  ptk_buf_free(&why);
}

/* ======================================================================
 * Operand signatures (the SIG column)
 * ====================================================================== */

typedef struct {
  char letter; /* t p v r x n f s b a */
  char quant;  /* 0 exactly one, '?' optional, '*' any number */
} sig_item;

#define SIG_MAX_ITEMS 12
#define SIG_MAX_GROUPS 4
typedef struct {
  uint8_t n;
  sig_item it[SIG_MAX_ITEMS];
} sig_group;

typedef struct {
  bool described; /* SIG not "" */
  bool dps;       /* groups are the ins / outs segments */
  bool segmented; /* one group per operand segment */
  uint8_t ngroups;
  sig_group g[SIG_MAX_GROUPS];
  sig_group res;
  bool has_res; /* '>' present: results described */
} sig_comp;

static sig_comp sigs[PTK_OP__COUNT];
static pthread_once_t sigs_once = PTHREAD_ONCE_INIT;

static void compile_sig(ptk_op_kind k, sig_comp *sc) {
  const ptk_op_desc *d = ptk_op_desc_of(k);
  const ptk_op_info *info = ptk_op_info_of(k);
  memset(sc, 0, sizeof *sc);
  if (!d->ngroups) return;
  sc->described = true;
  sig_group all = {0};
  sc->ngroups = d->ngroups < SIG_MAX_GROUPS ? d->ngroups : SIG_MAX_GROUPS;
  sc->has_res = d->has_results;
  for (uint32_t i = 0; i < d->nsig; i++) {
    const ptk_sig_item *it = &d->sig[i];
    sig_group *cur = it->result ? &sc->res : &sc->g[it->group < SIG_MAX_GROUPS ? it->group : SIG_MAX_GROUPS - 1];
    if (cur->n < SIG_MAX_ITEMS) cur->it[cur->n++] = (sig_item){it->kind, it->quant};
    if (!it->result && all.n < SIG_MAX_ITEMS) all.it[all.n++] = (sig_item){it->kind, it->quant};
  }
  uint32_t nsegs = ptk_op_kind_nsegments(k);
  if (info->family == PTK_FAM_DPS && sc->ngroups == 2) {
    sc->dps = true;
  } else if (sc->ngroups == 1 && nsegs > 1 && nsegs <= SIG_MAX_GROUPS && all.n == nsegs) {
    /* One item per segment: alloc_tile "n?x?x?", make_tensor_view "rx*x*"… */
    sc->segmented = true;
    sc->ngroups = (uint8_t)nsegs;
    for (uint32_t i = 0; i < nsegs; i++) {
      sc->g[i].n = 1;
      sc->g[i].it[0] = all.it[i];
    }
  } else {
    sc->ngroups = 1;
    sc->g[0] = all;
  }
}

static void init_sigs(void) {
  for (int k = 0; k < PTK_OP__COUNT; k++) compile_sig((ptk_op_kind)k, &sigs[k]);
}

static bool is_memref(const ptk_type *t) {
  return t->kind == PTK_TY_OPAQUE && t->text && !strncmp(t->text, "memref<", 7);
}

static bool is_opaque_prefix(const ptk_type *t, const char *prefix) {
  return t->kind == PTK_TY_OPAQUE && t->text && !strncmp(t->text, prefix, strlen(prefix));
}

static bool kind_ok(char letter, const ptk_type *t) {
  if (!t) return false;
  switch (letter) {
  case 't': return t->kind == PTK_TY_TILE_BUF;
  /* ptoas's PTODpsType: a global operand may also be a memref (memref<16x16xf32,
   * #pto.address_space<gm>>), as its lowered IR and many of its tests write. */
  case 'p': return t->kind == PTK_TY_PART_VIEW || is_memref(t);
  case 'v': return t->kind == PTK_TY_TENSOR_VIEW;
  case 'r': return t->kind == PTK_TY_PTR;
  case 'x': return t->kind == PTK_TY_SCALAR && t->dt == PTK_DT_INDEX;
  case 'n': return (t->kind == PTK_TY_SCALAR && ptk_dtype_is_int(t->dt)) || is_opaque_prefix(t, "vector<");
  /* SIMT code also does float arithmetic on packed vector<2xf32> values */
  case 'f': return (t->kind == PTK_TY_SCALAR && ptk_dtype_is_float(t->dt)) || is_opaque_prefix(t, "vector<");
  case 's': return t->kind == PTK_TY_SCALAR;
  case 'b': return t->kind == PTK_TY_SCALAR && t->dt == PTK_DT_I1;
  /* A malformed register or mask type passes here: the VPTO rules
   * (verify_vpto.c) say what is wrong with it. */
  case 'V': return ptk_type_vreg(t, NULL, NULL) || is_opaque_prefix(t, "!pto.vreg<");
  case 'M': return ptk_type_mask_bits(t) != 0 || is_opaque_prefix(t, "!pto.mask<");
  case 'G': return ptk_type_is_align(t);
  default: return true;
  }
}

static const char *kind_desc(char letter) {
  switch (letter) {
  case 't': return "a tile (!pto.tile_buf)";
  case 'p': return "a partition view (!pto.partition_tensor_view)";
  case 'v': return "a tensor view (!pto.tensor_view)";
  case 'r': return "a pointer (!pto.ptr)";
  case 'x': return "index";
  case 'n': return "an integer or index";
  case 'f': return "a float scalar";
  case 's': return "an integer or float scalar";
  case 'b': return "i1";
  case 'V': return "a vector register (!pto.vreg<NxT>)";
  case 'M': return "a mask (!pto.mask<b8|b16|b32>)";
  case 'G': return "an align carrier (!pto.align)";
  default: return "a value";
  }
}

/* Matches the values vals[0..n) (or the results res[0..n)) against the items
 * of one group, kind-aware and greedy: optional and repeated items take a
 * value when it fits and enough values remain for the items after them (or
 * when they must, because too many remain). Records the letter of each value
 * in letters[]; reports counts and kinds. `what` names the group for count
 * messages ("ins", "outs", "shape", "" for all operands, "results"). */
typedef struct {
  vctx *c;
  const ptk_op *op;
  ptk_value *const *vals; /* operands, or NULL */
  const ptk_value *res;   /* results, or NULL */
  uint32_t base;          /* index of vals[0] among the operands / results */
} match_in;

static const ptk_type *m_type(const match_in *m, uint32_t i) {
  return m->vals ? (m->vals[i] ? m->vals[i]->type : NULL) : m->res[i].type;
}

static bool report_kind(const match_in *m, uint32_t i, char letter) {
  const ptk_type *t = m_type(m, i);
  if (kind_ok(letter, t)) return true;
  vctx *c = m->c;
  const char *pos = m->vals ? voperand(c, m->op, m->base + i)
                            : vstr(c, ptk_xasprintf("result #%" PRIu32, m->base + i));
  VERR(c, m->op, "'%s' %s must be %s, but has type %s", vop_name(m->op), pos, kind_desc(letter),
       vty(c, t));
  if (m->vals && m->vals[i]) vnote_def(c, m->vals[i]);
  return false;
}

static void count_error(const match_in *m, const char *what, uint32_t lo, uint32_t hi, uint32_t n) {
  vctx *c = m->c;
  const char *noun = m->vals ? vplural(hi == UINT32_MAX ? 2 : hi, "operand", "operands")
                             : vplural(hi == UINT32_MAX ? 2 : hi, "result", "results");
  char sp[32] = "";
  if (what && *what) snprintf(sp, sizeof sp, "%s ", what);
  if (hi == UINT32_MAX)
    VERR(c, m->op, "'%s' expects at least %" PRIu32 " %s%s, but has %" PRIu32, vop_name(m->op), lo,
         sp, noun, n);
  else if (lo == hi)
    VERR(c, m->op, "'%s' expects %" PRIu32 " %s%s, but has %" PRIu32, vop_name(m->op), lo, sp, noun,
         n);
  else
    VERR(c, m->op, "'%s' expects %" PRIu32 " to %" PRIu32 " %s%s, but has %" PRIu32,
         vop_name(m->op), lo, hi, sp, noun, n);
}

/* 0: fine, 1: a kind is wrong, 2: the count is wrong. */
static int match_group(const match_in *m, const sig_group *g, uint32_t n, const char *what,
                       char *letters) {
  uint32_t min_after[SIG_MAX_ITEMS + 1], max_after[SIG_MAX_ITEMS + 1];
  min_after[g->n] = 0;
  max_after[g->n] = 0;
  for (int k = g->n - 1; k >= 0; k--) {
    min_after[k] = min_after[k + 1] + (g->it[k].quant == 0);
    max_after[k] =
        g->it[k].quant == '*' || max_after[k + 1] == UINT32_MAX ? UINT32_MAX : max_after[k + 1] + 1;
  }
  if (n < min_after[0] || (max_after[0] != UINT32_MAX && n > max_after[0])) {
    count_error(m, what, min_after[0], max_after[0], n);
    return 2;
  }
  bool ok = true;
  uint32_t pos = 0;
  for (uint32_t k = 0; k < g->n; k++) {
    const sig_item *it = &g->it[k];
    uint32_t after_min = min_after[k + 1], after_max = max_after[k + 1];
    if (it->quant == 0) {
      if (letters) letters[pos] = it->letter;
      ok &= report_kind(m, pos, it->letter);
      pos++;
      continue;
    }
    for (;;) {
      uint32_t rem = n - pos;
      bool can = rem > after_min;
      bool must = after_max != UINT32_MAX && rem > after_max;
      if (!can || !(must || kind_ok(it->letter, m_type(m, pos)))) break;
      if (letters) letters[pos] = it->letter;
      ok &= report_kind(m, pos, it->letter);
      pos++;
      if (it->quant == '?') break;
    }
  }
  return ok ? 0 : 1;
}

/* Operand and result counts and kinds: SIG_OK, SIG_KIND (a kind is wrong:
 * the op-specific checks do not run) or SIG_COUNT (counts or segments are
 * wrong: the region checks do not run either). */
enum { SIG_OK, SIG_KIND, SIG_COUNT };
static int check_signature(vctx *c, ptk_op *op) {
  const ptk_op_info *info = ptk_op_info_of(op->kind);
  pthread_once(&sigs_once, init_sigs);
  const sig_comp *sc = &sigs[op->kind];
  bool ok = true;

  for (uint32_t i = 0; i < op->noperands; i++)
    if (!op->operands[i] || !op->operands[i]->type) {
      VERR(c, op, "'%s' %s is %s", vop_name(op), voperand(c, op, i),
           op->operands[i] ? "a value without a type" : "missing");
      ok = false;
    }
  for (uint32_t i = 0; i < op->nresults; i++)
    if (!op->results[i].type) {
      VERR(c, op, "'%s' result #%" PRIu32 " has no type", vop_name(op), i);
      ok = false;
    }
  if (!ok) return SIG_COUNT;

  /* Totals from the op table. */
  match_in mo = {c, op, op->operands, NULL, 0};
  uint32_t lo = (uint32_t)info->min_operands;
  uint32_t hi = info->max_operands < 0 ? UINT32_MAX : (uint32_t)info->max_operands;
  if (op->noperands < lo || op->noperands > hi) {
    count_error(&mo, "", lo, hi, op->noperands);
    ok = false;
  }
  match_in mr = {c, op, NULL, op->results, 0};
  lo = (uint32_t)info->min_results;
  hi = info->max_results < 0 ? UINT32_MAX : (uint32_t)info->max_results;
  if (op->nresults < lo || op->nresults > hi) {
    count_error(&mr, "", lo, hi, op->nresults);
    ok = false;
  }
  if (!ok) return SIG_COUNT;

  if (c->cap_letters < op->noperands + 1) {
    c->cap_letters = (op->noperands + 1) * 2;
    c->letters = ptk_xrealloc(c->letters, c->cap_letters);
  }
  memset(c->letters, 'a', op->noperands);
  if (!sc->described) return SIG_OK;
  int res = SIG_OK;

  if (sc->dps || sc->segmented) {
    if (op->nsegs != sc->ngroups) {
      VERR(c, op, "'%s' has %" PRIu32 " operand segments, expected %u", vop_name(op), op->nsegs,
           sc->ngroups);
      return SIG_COUNT;
    }
    uint32_t start = 0, sum = 0;
    for (uint32_t s = 0; s < op->nsegs; s++) sum += op->segs[s];
    if (sum != op->noperands) {
      VERR(c, op, "'%s' operand segments cover %" PRIu32 " operands, but it has %" PRIu32,
           vop_name(op), sum, op->noperands);
      return SIG_COUNT;
    }
    const ptk_op_info *inf = info;
    for (uint32_t s = 0; s < op->nsegs; s++) {
      const char *what = "";
      if (sc->dps)
        what = s == 0 ? "ins" : "outs";
      else if ((unsigned)inf->family < PTK_ARRAY_LEN(seg_names) && seg_names[inf->family][s])
        what = seg_names[inf->family][s];
      match_in m = {c, op, op->operands + start, NULL, start};
      int r = match_group(&m, &sc->g[s], op->segs[s], what, c->letters + start);
      start += op->segs[s];
      if (r > res) res = r;
      if (r == SIG_COUNT) break; /* a wrong split shows in several segments: report it once */
    }
  } else {
    res = match_group(&mo, &sc->g[0], op->noperands, "", c->letters);
  }
  if (sc->has_res) {
    int r = match_group(&mr, &sc->res, op->nresults, "", NULL);
    if (r > res) res = r;
  }
  return res;
}

/* PTK_OPF_SAME_DTYPE and PTK_OPF_SCALAR_DTYPE. */
static void check_dtype_flags(vctx *c, ptk_op *op) {
  uint32_t flags = ptk_op_info_of(op->kind)->flags;
  if (!(flags & (PTK_OPF_SAME_DTYPE | PTK_OPF_SCALAR_DTYPE))) return;
  int ref = -1;
  for (uint32_t i = 0; i < op->noperands; i++)
    if (vtile(op->operands[i])) {
      ref = (int)i;
      break;
    }
  if (ref < 0) return;
  const ptk_type *rel = vtile(op->operands[ref])->elem;
  if (flags & PTK_OPF_SAME_DTYPE) {
    for (uint32_t i = (uint32_t)ref + 1; i < op->noperands; i++) {
      const ptk_tile_desc *t = vtile(op->operands[i]);
      if (!t || ptk_type_equal(t->elem, rel)) continue;
      VERR(c, op, "'%s' %s must have dtype %s like %s, but has %s", vop_name(op),
           voperand(c, op, i), vty(c, rel), voperand(c, op, (uint32_t)ref), vty(c, t->elem));
    }
  }
  if (flags & PTK_OPF_SCALAR_DTYPE) {
    for (uint32_t i = 0; i < op->noperands; i++) {
      const ptk_type *t = op->operands[i]->type;
      char l = c->letters[i];
      if (t->kind != PTK_TY_SCALAR || !(l == 's' || l == 'f' || l == 'a')) continue;
      if (ptk_type_equal(t, rel)) continue;
      VERR(c, op, "'%s' scalar %s must have the tile dtype %s, but has type %s", vop_name(op),
           voperand(c, op, i), vty(c, rel), vty(c, t));
      vnote_def(c, op->operands[i]);
    }
  }
}

/* ======================================================================
 * SSA scoping
 * ====================================================================== */

static void define(vctx *c, const ptk_value *v) {
  if (v->uid >= c->nvalues || c->state[v->uid] == 1 || c->sp >= c->nvalues) return;
  c->state[v->uid] = 1;
  c->stack[c->sp++] = v->uid;
}

enum { ST_UNDEF = 0, ST_VISIBLE = 1, ST_LEFT = 2, ST_REPORTED = 3 };

static void check_use(vctx *c, ptk_op *op, uint32_t i) {
  const ptk_value *v = op->operands[i];
  if (!v) return; /* reported by check_signature */
  if (v->uid >= c->nvalues) {
    VERR(c, op, "'%s' %s is not a value of this module", vop_name(op), voperand(c, op, i));
    return;
  }
  uint8_t st = c->state[v->uid];
  if (st == ST_VISIBLE || st == ST_REPORTED) return;
  ptk_func *fdef = value_func(v);
  if (v->def && !v->def->block) {
    VERR(c, op, "use of %s, whose defining operation was removed from the IR", vvalue(c, v));
  } else if (fdef != c->func) {
    VERR(c, op, "use of %s, which belongs to %s%s%s", vvalue(c, v), fdef ? "function '@" : "",
         fdef ? fdef->name : "no function", fdef ? "'" : "");
    vnote_def(c, v);
  } else if (st == ST_UNDEF) {
    VERR(c, op, "use of %s before its definition", vvalue(c, v));
    vnote_def(c, v);
  } else {
    const ptk_block *b = v->def ? v->def->block : v->block;
    const ptk_op *holder = b && b->region ? b->region->op : NULL;
    VERR(c, op, "use of %s outside the region that defines it", vvalue(c, v));
    if (holder)
      ptk_note(c->d, vvalue_range(v), "%s is defined here, inside '%s'", vvalue(c, v),
               vop_name(holder));
    else
      vnote_def(c, v);
  }
  /* One report per value: later uses of it stay quiet. A definition
   * further down still makes it visible (define() overrides). */
  c->state[v->uid] = ST_REPORTED;
}

/* ======================================================================
 * Walking
 * ====================================================================== */

static ptk_op *verify_block(vctx *c, ptk_block *b);

static bool is_terminator(const ptk_op *op) {
  return op->kind >= 0 && op->kind < PTK_OP__COUNT &&
         (ptk_op_table[op->kind].flags & PTK_OPF_TERMINATOR);
}

/* Whether a terminator is in a place where it may appear. */
static bool terminator_parent_ok(const ptk_op *op) {
  const ptk_region *r = op->block ? op->block->region : NULL;
  const ptk_op *p = r ? r->op : NULL;
  uint32_t ri = p ? (uint32_t)(r - p->regions) : 0;
  switch (op->kind) {
  case PTK_OP_SCF_YIELD:
    return p && (p->kind == PTK_OP_SCF_FOR || p->kind == PTK_OP_SCF_IF ||
                 (p->kind == PTK_OP_SCF_WHILE && ri == 1));
  case PTK_OP_SCF_CONDITION: return p && p->kind == PTK_OP_SCF_WHILE && ri == 0;
  case PTK_OP_PTO_YIELD: return p && p->kind == PTK_OP_FUSION_REGION;
  case PTK_OP_FUNC_RETURN:
  case PTK_OP_CF_BR:
  case PTK_OP_CF_COND_BR: return r && r->func; /* other regions have one block */
  default: return true;
  }
}

static void check_terminator_parent(vctx *c, ptk_op *op) {
  if (terminator_parent_ok(op)) return;
  const ptk_region *r = op->block ? op->block->region : NULL;
  const ptk_op *p = r ? r->op : NULL;
  switch (op->kind) {
  case PTK_OP_SCF_YIELD:
    if (p && p->kind == PTK_OP_SCF_WHILE)
      VERR(c, op, "'scf.yield' cannot end the before-region of 'scf.while' (use 'scf.condition')");
    else
      VERR(c, op,
           "'scf.yield' must be inside 'scf.for', 'scf.if' or the do-region of 'scf.while'%s%s%s",
           p ? ", not '" : "", p ? vop_name(p) : "", p ? "'" : "");
    break;
  case PTK_OP_SCF_CONDITION:
    VERR(c, op, "'scf.condition' must end the before-region of 'scf.while'");
    break;
  case PTK_OP_PTO_YIELD:
    VERR(c, op, "'pto.yield' must end a 'pto.fusion_region'%s%s%s", p ? ", not '" : "", p ? vop_name(p) : "",
         p ? "'" : "");
    break;
  case PTK_OP_FUNC_RETURN:
  case PTK_OP_CF_BR:
  case PTK_OP_CF_COND_BR:
    VERR(c, op, "'%s' must be directly inside a function body%s%s%s", vop_name(op),
         p ? ", not inside '" : "", p ? vop_name(p) : "", p ? "'" : "");
    break;
  default: break;
  }
}

/* Region and block counts of an op. False when its regions cannot be
 * checked further. */
static bool check_region_shape(vctx *c, ptk_op *op) {
  const ptk_op_info *info = ptk_op_info_of(op->kind);
  if (op->nregions != info->nregions) {
    VERR(c, op, "'%s' must have %u %s, but has %" PRIu32, vop_name(op), info->nregions,
         vplural(info->nregions, "region", "regions"), op->nregions);
    return false;
  }
  bool ok = true;
  for (uint32_t i = 0; i < op->nregions; i++) {
    const ptk_region *r = &op->regions[i];
    uint32_t nb = 0;
    for (const ptk_block *b = r->first; b; b = b->next) nb++;
    /* The else region of scf.if may be empty (absent). */
    bool may_be_empty = op->kind == PTK_OP_SCF_IF && i == 1;
    if (nb == 1 || (nb == 0 && may_be_empty)) continue;
    if (nb == 0)
      VERR(c, op, "'%s' region #%" PRIu32 " is empty: it needs one block", vop_name(op), i);
    else
      VERR(c, op,
           "'%s' region #%" PRIu32 " has %" PRIu32
           " blocks; only single-block regions are supported",
           vop_name(op), i, nb);
    ok = false;
  }
  return ok;
}

static void verify_op(vctx *c, ptk_op *op) {
  if (op->kind < 0 || op->kind >= PTK_OP__COUNT) {
    ptk_error(c->d, ptk_range_at(op->loc, 1), "operation with an invalid kind (%d)", (int)op->kind);
    return;
  }
  for (uint32_t i = 0; i < op->noperands; i++) check_use(c, op, i);
  int sig = check_signature(c, op);
  vop_check_attrs(c, op);
  if (sig == SIG_OK) {
    check_dtype_flags(c, op);
    vop_check(c, op);
    if (ptk_op_info_of(op->kind)->family == PTK_FAM_VOP) vop_check_vpto(c, op);
    if (op->kind == PTK_OP_CASTPTR) vop_check_castptr(c, op);
  }
  if (is_terminator(op)) check_terminator_parent(c, op);
  /* Result types (tile_buf fields, view dims) are checked where defined. */
  for (uint32_t i = 0; i < op->nresults; i++) {
    const ptk_type *t = op->results[i].type;
    if (!t || t->kind == PTK_TY_SCALAR) continue;
    check_type(c, ptk_op_range(op), "'", vop_name(op), "' result", op->nresults == 1 ? -1 : (int64_t)i,
               t);
  }
  if (op->nregions || ptk_op_info_of(op->kind)->nregions) {
    bool shape_ok = check_region_shape(c, op);
    if (shape_ok && sig != SIG_COUNT) vop_regions_pre(c, op);
    ptk_op *term[4] = {NULL, NULL, NULL, NULL};
    for (uint32_t i = 0; i < op->nregions; i++)
      for (ptk_block *b = op->regions[i].first; b; b = b->next) {
        ptk_op *t = verify_block(c, b);
        if (i < 4 && b == op->regions[i].first) term[i] = t;
      }
    if (shape_ok && sig != SIG_COUNT) vop_regions_post(c, op, term);
  }
  for (uint32_t i = 0; i < op->nresults; i++) define(c, &op->results[i]);
}

/* Verifies a block; returns its first terminator (NULL if none). */
/* Verifies b's ops with its values left visible (verify_block pops them). */
static ptk_op *verify_block_open(vctx *c, ptk_block *b) {
  for (uint32_t i = 0; i < b->nargs; i++)
    if (b->args[i]) define(c, b->args[i]);
  ptk_op *term = NULL;
  for (ptk_op *op = b->first; op; op = op->next) {
    verify_op(c, op);
    if (is_terminator(op) && !term) {
      term = op;
      if (op->next && terminator_parent_ok(op)) { /* a misplaced one is reported already */
        VERR(c, op, "'%s' must be the last operation in its block", vop_name(op));
        ptk_note(c->d, ptk_op_range(op->next), "'%s' follows it", vop_name(op->next));
      }
    }
  }
  return term;
}

static void leave_scope(vctx *c, uint32_t mark) {
  while (c->sp > mark) {
    uint32_t u = c->stack[--c->sp];
    c->state[u] = ST_LEFT;
  }
}

static ptk_op *verify_block(vctx *c, ptk_block *b) {
  uint32_t mark = c->sp;
  ptk_op *term = verify_block_open(c, b);
  leave_scope(c, mark);
  return term;
}

/* A function body with several blocks (cf.br / cf.cond_br): block i's
 * values stay visible while the blocks it dominates are checked. */
static void verify_domtree(vctx *c, ptk_block **bl, const uint32_t *idom, uint32_t n, uint32_t i, ptk_op **terms) {
  uint32_t mark = c->sp;
  terms[i] = verify_block_open(c, bl[i]);
  for (uint32_t j = 1; j < n; j++)
    if (idom[j] == i && j != i) verify_domtree(c, bl, idom, n, j, terms);
  leave_scope(c, mark);
}

ptk_range vfunc_range(const ptk_func *f) {
  return ptk_range_at(f->loc, (uint32_t)(1 + strlen(f->name)));
}

static void check_attr_enums(vctx *c, ptk_range at, const ptk_named_attr *a, uint32_t n,
                             const char *owner);

/* func.return's values against the signature. */
static void check_return(vctx *c, ptk_func *f, ptk_range fr, ptk_op *term) {
  if (term->noperands != f->nresults) {
    VERR(c, term, "'func.return' returns %" PRIu32 " %s but '@%s' has %" PRIu32 " %s",
         term->noperands, vplural(term->noperands, "value", "values"), f->name, f->nresults,
         vplural(f->nresults, "result", "results"));
    ptk_note(c->d, fr, "'@%s' is defined here", f->name);
    return;
  }
  for (uint32_t i = 0; i < f->nresults; i++) {
    const ptk_value *v = term->operands[i];
    if (!v || !v->type || ptk_type_equal(v->type, f->result_types[i])) continue;
    VERR(c, term,
         "'func.return' value #%" PRIu32 " has type %s, but '@%s' result #%" PRIu32 " has type %s",
         i, vty(c, v->type), f->name, i, vty(c, f->result_types[i]));
    ptk_note(c->d, fr, "'@%s' is defined here", f->name);
  }
}

static void verify_function(vctx *c, ptk_func *f) {
  c->func = f;
  ptk_range fr = vfunc_range(f);
  for (uint32_t i = 0; i < f->nargs; i++) {
    const ptk_type *t = f->arg_types[i];
    if (t && t->kind == PTK_TY_SCALAR) continue;
    check_type(c, fr, "function '@", f->name, "' argument", i, t);
  }
  for (uint32_t i = 0; i < f->nresults; i++) {
    const ptk_type *t = f->result_types[i];
    if (t && t->kind == PTK_TY_SCALAR) continue;
    check_type(c, fr, "function '@", f->name, "' result", i, t);
  }
  check_attr_enums(c, fr, f->attrs, f->nattrs, vstr(c, ptk_xasprintf("function '@%s'", f->name)));
  vfunc_check_ptoas(c, f);
  if (!f->body) return;
  ptk_block *entry = f->body->first;
  if (!entry) {
    ptk_error(c->d, fr, "function '@%s' has a body without blocks", f->name);
    return;
  }
  /* several blocks: a CFG of cf.br / cf.cond_br, checked along its dominator tree */
  ptk_block *bl[64];
  uint32_t idom[64];
  ptk_op *terms[64] = {0};
  uint32_t nb = 1;
  bl[0] = entry;
  idom[0] = 0;
  if (entry->next && !(nb = ptk_region_idoms(f->body, (const ptk_block **)bl, idom, 64))) {
    ptk_error(c->d, fr, "function '@%s' has more than 64 blocks", f->name);
    return;
  }
  if (entry->nargs != f->nargs) {
    ptk_error(c->d, fr,
              "function '@%s' entry block has %" PRIu32 " %s, but the signature has %" PRIu32,
              f->name, entry->nargs, vplural(entry->nargs, "argument", "arguments"), f->nargs);
  } else {
    for (uint32_t i = 0; i < f->nargs; i++)
      if (entry->args[i] && !ptk_type_equal(entry->args[i]->type, f->arg_types[i]))
        ptk_error(c->d, fr,
                  "function '@%s' argument #%" PRIu32
                  " has type %s in the body but %s in the signature",
                  f->name, i, vty(c, entry->args[i]->type), vty(c, f->arg_types[i]));
  }
  verify_domtree(c, bl, idom, nb, 0, terms);
  for (uint32_t i = 0; i < nb; i++) {
    ptk_op *term = terms[i];
    if (!term && i == 0) {
      ptk_error(c->d, fr, "function '@%s' must end with 'func.return'", f->name);
      if (entry->last)
        ptk_note(c->d, ptk_op_range(entry->last), "the body ends with '%s'", vop_name(entry->last));
      continue;
    }
    if (!term) {
      ptk_error(c->d, ptk_range_at(bl[i]->loc, 1),
                "block #%" PRIu32 " of '@%s' must end with 'func.return', 'cf.br' or 'cf.cond_br'", i, f->name);
      continue;
    }
    if (term->kind == PTK_OP_FUNC_RETURN) check_return(c, f, fr, term); /* others: reported where they are */
  }
}

/* Enum attribute values on functions and modules (ops: vop_check_attrs). */
static void check_attr_enums(vctx *c, ptk_range at, const ptk_named_attr *a, uint32_t n,
                             const char *owner) {
  for (uint32_t i = 0; i < n; i++) {
    const ptk_attr *v = a[i].value;
    if (!v || v->kind != PTK_ATTR_ENUM || !v->en.dialect || strcmp(v->en.dialect, "pto") != 0)
      continue;
    if (!ptk_enum_value_ok(v->en.mnemonic, v->en.value))
      ptk_error(c->d, at, "%s attribute '%s' has invalid value '%s' for enum '%s'", owner,
                a[i].name, v->en.value, v->en.mnemonic);
  }
}

static int cmp_func_name(const void *a, const void *b) {
  const ptk_func *fa = *(ptk_func *const *)a, *fb = *(ptk_func *const *)b;
  int r = strcmp(fa->name, fb->name);
  if (r) return r;
  return (fa->loc.off > fb->loc.off) - (fa->loc.off < fb->loc.off);
}

static void verify_module_rec(vctx *c, ptk_module *m) {
  check_attr_enums(c, ptk_range_at(m->loc, 6), m->attrs, m->nattrs, "module");
  vmodule_check_ptoas(c, m);
  /* Duplicate symbols in one module. */
  uint32_t nf = 0;
  for (uint32_t i = 0; i < m->nitems; i++) nf += m->items[i].kind == PTK_ITEM_FUNC;
  if (nf > 1) {
    ptk_func **fs = ptk_xmalloc(nf * sizeof *fs);
    nf = 0;
    for (uint32_t i = 0; i < m->nitems; i++)
      if (m->items[i].kind == PTK_ITEM_FUNC) fs[nf++] = m->items[i].func;
    qsort(fs, nf, sizeof *fs, cmp_func_name);
    for (uint32_t i = 1; i < nf; i++)
      if (strcmp(fs[i]->name, fs[i - 1]->name) == 0) {
        ptk_error(c->d, vfunc_range(fs[i]), "redefinition of symbol '@%s'", fs[i]->name);
        ptk_note(c->d, vfunc_range(fs[i - 1]), "'@%s' is first defined here", fs[i]->name);
      }
    free(fs);
  }
  for (uint32_t i = 0; i < m->nitems; i++) {
    if (m->items[i].kind == PTK_ITEM_FUNC)
      verify_function(c, m->items[i].func);
    else
      verify_module_rec(c, m->items[i].module);
  }
}

static void ctx_init(vctx *c, ptk_module *m, ptk_diags *d) {
  memset(c, 0, sizeof *c);
  c->d = d;
  c->top = ptk_module_top(m);
  c->errors0 = ptk_diags_errors(d);
  c->nvalues = ptk_module_value_count(c->top);
  /* One scratch allocation: the state bytes after the uid stack. */
  size_t n = c->nvalues ? c->nvalues : 1;
  c->stack = ptk_xcalloc(n, sizeof(uint32_t) + 1);
  c->state = (uint8_t *)(c->stack + n);
  c->cap_letters = 64;
  c->letters = ptk_xmalloc(c->cap_letters);
}

static bool ctx_done(vctx *c) {
  for (size_t i = 0; i < c->strs.len; i++) free(c->strs.data[i]);
  ptk_vec_free(&c->strs);
  free(c->stack);
  free(c->letters);
  return ptk_diags_errors(c->d) == c->errors0;
}

/* Does the file place a tile itself (alloc_tile / alloc_multi_tile addr)? */
static bool places_no_tile(ptk_op *op, void *unused) {
  (void)unused;
  if (op->kind != PTK_OP_ALLOC_TILE && op->kind != PTK_OP_ALLOC_MULTI_TILE) return true;
  uint32_t n = 0;
  ptk_op_segment(op, 0, &n);
  return n == 0;
}

bool ptk_verify_module_mode(ptk_module *m, const ptk_mode *mode, ptk_diags *d) {
  vctx c;
  ctx_init(&c, m, d);
  c.level_forced = mode != NULL;
  c.level = mode ? (*mode == PTK_MODE_EXPLICIT ? 3 : 2) : ptk_walk_module(c.top, places_no_tile, NULL) ? 2 : 3;
  verify_module_rec(&c, m);
  /* Like ptoas's pipe passes, the rules across pipe inits judge IR whose
   * ops are valid (a broken init would only cascade). */
  if (ptk_diags_errors(d) == c.errors0) vmodule_check_ptoas_pipes(&c, m);
  return ctx_done(&c);
}

bool ptk_verify_module(ptk_module *m, ptk_diags *d) { return ptk_verify_module_mode(m, NULL, d); }

bool ptk_verify_func(ptk_func *f, ptk_diags *d) {
  vctx c;
  ctx_init(&c, f->module, d);
  c.level = ptk_walk_module(c.top, places_no_tile, NULL) ? 2 : 3;
  verify_function(&c, f);
  return ctx_done(&c);
}
