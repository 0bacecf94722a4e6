/* check-shapes: the shape rules the verifier cannot check because they
 * need values: valid shapes given by constant operands (alloc_tile
 * valid_row/valid_col, set_validshape) and partition sizes.
 *
 * A tile's valid shape is known from its type when static; for an alloc
 * result with `?` dims, from constant operands, updated in program order by
 * set_validshape with constants (a non-constant one makes it unknown). In
 * a branch or a loop that changes it, it becomes unknown after the region
 * (and inside a loop from the start of the body). Unknown dims are not
 * checked. Rules (reference/pto-ir.md §6):
 *   - elementwise ops: every data operand has the destination's valid shape;
 *   - tload / tstore: the partition's shape (leading dims flattened) equals
 *     the tile's valid shape;
 *   - matmul: A.v_col == B.v_row (K), A.v_row == C.v_row (M), B.v_col ==
 *     C.v_col (N);
 *   - trowexpand*: one operand has the destination's valid shape, the other
 *     is a per-row vector (v_row rows: R x 1, or R x 32/sizeof(T) row-major);
 *     tcolexpand*: the second operand is one row of the destination's width;
 *   - row reductions: the destination has v_col == 1 and the source's v_row;
 *     column reductions: v_row == 1 and the source's v_col. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "backend/passes/pass_util.h"

#define UNK INT64_MIN

typedef struct vs {
  int64_t r, c;
  const ptk_op *where; /* the op that set it (notes), NULL: the type */
} vs;

typedef struct shctx {
  ptk_diags *d;
  bool ok;
  vs *map; /* by value uid of alloc results */
  bool *has;
  uint32_t nvals;
} shctx;

static int64_t cint_or_unk(const ptk_value *v) {
  int64_t x;
  return v && pu_const_int(v, &x) ? x : UNK;
}

/* The current valid shape of a tile value. */
static vs valid_of(shctx *c, const ptk_value *v) {
  const ptk_tile_desc *t = pu_tile(v);
  vs out = {UNK, UNK, NULL};
  if (!t) return out;
  out.r = t->v_row == PTK_DYN ? UNK : t->v_row;
  out.c = t->v_col == PTK_DYN ? UNK : t->v_col;
  if (v->uid < c->nvals && c->has[v->uid]) {
    vs m = c->map[v->uid];
    if (out.r == UNK) out.r = m.r;
    if (out.c == UNK) out.c = m.c;
    out.where = m.where;
  }
  return out;
}

static void set_valid(shctx *c, const ptk_value *v, int64_t r, int64_t col, const ptk_op *where) {
  if (!v || v->uid >= c->nvals) return;
  const ptk_tile_desc *t = pu_tile(v);
  if (t && where && where->kind != PTK_OP_SCF_FOR) {
    static const char *const names[2] = {"rows", "columns"};
    int64_t want[2] = {r, col}, lim[2] = {t->rows, t->cols};
    for (int k = 0; k < 2; k++)
      if (want[k] != UNK && (want[k] < 0 || want[k] > lim[k])) {
        ptk_error(c->d, ptk_op_range(where),
                  "'%s': valid %s %" PRId64 " is out of range 0..%" PRId64 " (the tile's %s)",
                  ptk_op_table[where->kind].name, names[k], want[k], lim[k], names[k]);
        c->ok = false;
      }
  }
  c->map[v->uid] = (vs){r, col, where};
  c->has[v->uid] = true;
}

static const char *dimstr(int64_t v, char *buf) {
  if (v == UNK)
    strcpy(buf, "?");
  else
    snprintf(buf, 24, "%" PRId64, v);
  return buf;
}

static void where_note(shctx *c, const vs *s, const char *what) {
  if (s->where)
    ptk_note(c->d, ptk_op_range(s->where), "the valid shape of %s is set here", what);
}

static const char *opname(const ptk_op *op) { return ptk_op_table[op->kind].name; }

static bool dims_differ(int64_t a, int64_t b) { return a != UNK && b != UNK && a != b; }

/* ---- per-op rules ---- */

/* A valid shape counted in elements: a packed fp4 byte (f4E2M1x2,
 * f4E1M2x2) holds two along the tile's major dimension (ptoas's
 * getLogicalTileDim, which tcvt's verifier compares). */
static vs logical(const ptk_value *v, vs s) {
  const ptk_tile_desc *t = pu_tile(v);
  ptk_dtype dt;
  if (!t || !t->elem || !ptk_type_elem_dtype(t->elem, &dt) ||
      (dt != PTK_DT_F4E2M1X2 && dt != PTK_DT_F4E1M2X2))
    return s;
  int64_t *k = t->blayout == PTK_BLAYOUT_COL_MAJOR ? &s.r : &s.c;
  if (*k != UNK) *k *= 2;
  return s;
}

static void check_elementwise(shctx *c, ptk_op *op, int n) {
  uint32_t ni, no;
  ptk_value **ins = pu_ins(op, &ni), **outs = pu_outs(op, &no);
  if (no < 1 || !pu_tile(outs[0])) return;
  vs d = valid_of(c, outs[0]), ld = logical(outs[0], d);
  for (uint32_t i = 0; i < ni && (int)i < n; i++) {
    if (!pu_tile(ins[i])) continue;
    vs s = valid_of(c, ins[i]), ls = logical(ins[i], s);
    if (!dims_differ(ls.r, ld.r) && !dims_differ(ls.c, ld.c)) continue;
    char a[24], b[24], x[24], y[24];
    ptk_error(c->d, ptk_op_range(op),
              "'%s': ins[%u] has valid shape %sx%s, but the destination has %sx%s (the operands "
              "of an elementwise op must have equal valid shapes)",
              opname(op), i, dimstr(s.r, a), dimstr(s.c, b), dimstr(d.r, x), dimstr(d.c, y));
    where_note(c, &s, "the operand");
    where_note(c, &d, "the destination");
    c->ok = false;
    return;
  }
}

/* Partition shape as rows x cols (leading dims flattened); sizes operands
 * fill dynamic dims when constant. */
static bool part_shape(const ptk_value *pv, int64_t *rows, int64_t *cols) {
  const ptk_type *t = pv->type;
  if (!t || t->kind != PTK_TY_PART_VIEW || t->rank == 0) return false;
  const ptk_op *def = pv->def && pv->def->kind == PTK_OP_PARTITION_VIEW ? pv->def : NULL;
  uint32_t nsz = 0;
  ptk_value **sz = def ? ptk_op_segment(def, 2, &nsz) : NULL;
  int64_t dims[16];
  if (t->rank > 16) return false;
  for (uint32_t i = 0; i < t->rank; i++) {
    dims[i] = t->dims[i] == PTK_DYN ? UNK : t->dims[i];
    if (dims[i] == UNK && sz && i < nsz) dims[i] = cint_or_unk(sz[i]);
  }
  int64_t r = 1;
  for (uint32_t i = 0; i + 1 < t->rank; i++) {
    if (dims[i] == UNK) {
      r = UNK;
      break;
    }
    r *= dims[i];
  }
  *rows = r;
  *cols = dims[t->rank - 1];
  return true;
}

/* tload/tstore move the tile's valid region (ptoas defines nothing else):
 * a tload may read from any partition (the runtime clips to both), and
 * ptoas's TStoreOp::verify requires only equal element counts when both
 * sides are static (1x1024 <-> 32x32 reinterpretations are legal). */
static void check_transfer(shctx *c, ptk_op *op) {
  uint32_t ni, no;
  ptk_value **ins = pu_ins(op, &ni), **outs = pu_outs(op, &no);
  if (ni < 1 || no < 1 || op->kind != PTK_OP_TSTORE) return;
  const ptk_value *pv = outs[0], *tv = ins[0];
  if (!pu_tile(tv)) return;
  int64_t pr, pc;
  if (!part_shape(pv, &pr, &pc)) return;
  vs s = valid_of(c, tv);
  if (pr == UNK || pc == UNK || s.r == UNK || s.c == UNK || pr <= 0 || pc <= 0 || s.r < 0 || s.c < 0)
    return;
  if (pr > INT32_MAX || pc > INT32_MAX || s.r > INT32_MAX || s.c > INT32_MAX || pr * pc == s.r * s.c)
    return;
  char x[24], y[24];
  ptk_error(c->d, ptk_op_range(op),
            "'%s': the partition has %" PRId64 " elements, but the tile's valid shape %sx%s has %" PRId64
            " (they must be equal)",
            opname(op), pr * pc, dimstr(s.r, x), dimstr(s.c, y), s.r * s.c);
  where_note(c, &s, "the tile");
  c->ok = false;
}

/* acc: the accumulating form (C_in first). */
static void check_matmul(shctx *c, ptk_op *op, bool acc) {
  uint32_t ni, no;
  ptk_value **ins = pu_ins(op, &ni), **outs = pu_outs(op, &no);
  if (no < 1) return;
  int ia = acc ? 1 : 0, ib = acc ? 2 : 1;
  if ((uint32_t)ib >= ni || !pu_tile(ins[ia]) || !pu_tile(ins[ib]) || !pu_tile(outs[0])) return;
  vs A = valid_of(c, ins[ia]), B = valid_of(c, ins[ib]), C = valid_of(c, outs[0]);
  char a[24], b[24];
  if (dims_differ(A.c, B.r)) {
    ptk_error(c->d, ptk_op_range(op), "'%s': K differs: A's valid columns are %s, B's valid rows %s",
              opname(op), dimstr(A.c, a), dimstr(B.r, b));
    where_note(c, &A, "A");
    where_note(c, &B, "B");
    c->ok = false;
  }
  if (dims_differ(A.r, C.r)) {
    ptk_error(c->d, ptk_op_range(op), "'%s': M differs: A's valid rows are %s, C's valid rows %s",
              opname(op), dimstr(A.r, a), dimstr(C.r, b));
    c->ok = false;
  }
  if (dims_differ(B.c, C.c)) {
    ptk_error(c->d, ptk_op_range(op),
              "'%s': N differs: B's valid columns are %s, C's valid columns %s", opname(op),
              dimstr(B.c, a), dimstr(C.c, b));
    c->ok = false;
  }
}

static bool same_shape(vs a, vs b) { return !dims_differ(a.r, b.r) && !dims_differ(a.c, b.c); }

/* A per-row vector for a destination with d.r rows. */
static bool row_vector(const ptk_value *v, vs s, vs d) {
  const ptk_tile_desc *t = pu_tile(v);
  if (dims_differ(s.r, d.r)) return false;
  if (s.c == 1 || s.c == UNK) return true;
  ptk_dtype dt;
  if (t->blayout == PTK_BLAYOUT_ROW_MAJOR && t->elem && ptk_type_elem_dtype(t->elem, &dt) &&
      ptk_dtype_bytes(dt) && s.c == 32 / (int64_t)ptk_dtype_bytes(dt))
    return true;
  return false;
}

/* A destination of valid shape exactly 0x0 is ptoas's no-op marker (PyPTO's
 * dual-AIV replay of an inactive lane, issue 708): row/column reductions
 * other than the arg ones, trowexpand and the row-expand ops write nothing
 * and take any sources (verifyRowReductionValidRegion,
 * verifyColReductionValidRegion, TRowExpandOp and the row-expand verifiers
 * accept it before their shape rules); the engines run them as no-ops. */
static bool noop_marker(vs d) { return d.r == 0 && d.c == 0; }

static void check_expand(shctx *c, ptk_op *op, ptk_check_class k) {
  uint32_t ni, no;
  ptk_value **ins = pu_ins(op, &ni), **outs = pu_outs(op, &no);
  if (no < 1 || ni < 1 || !pu_tile(outs[0])) return;
  vs d = valid_of(c, outs[0]);
  if (noop_marker(d) && (k == PTK_CHECK_ROWEXP || k == PTK_CHECK_ROWEXP_OP)) return;
  char a[24], b[24], x[24], y[24];
  if (k == PTK_CHECK_ROWEXP || k == PTK_CHECK_COLEXP) {
    if (!pu_tile(ins[0])) return;
    vs s = valid_of(c, ins[0]);
    bool row = k == PTK_CHECK_ROWEXP;
    bool bad = row ? dims_differ(s.r, d.r) : dims_differ(s.c, d.c);
    if (bad) {
      ptk_error(c->d, ptk_op_range(op),
                "'%s': the source's valid shape %sx%s does not match the destination %sx%s (it "
                "must have the destination's %s)",
                opname(op), dimstr(s.r, a), dimstr(s.c, b), dimstr(d.r, x), dimstr(d.c, y),
                row ? "rows" : "columns");
      c->ok = false;
    }
    return;
  }
  if (ni < 2 || !pu_tile(ins[0]) || !pu_tile(ins[1])) return;
  vs s0 = valid_of(c, ins[0]), s1 = valid_of(c, ins[1]);
  char e[24], f[24];
  if (k == PTK_CHECK_ROWEXP_OP) {
    bool ok = (same_shape(s0, d) && row_vector(ins[1], s1, d)) ||
              (same_shape(s1, d) && row_vector(ins[0], s0, d));
    if (!ok) {
      ptk_error(c->d, ptk_op_range(op),
                "'%s': one operand must have the destination's valid shape %sx%s and the other "
                "be a per-row vector (%s rows: Rx1, or R x 32/sizeof(T) row-major), but they "
                "are %sx%s and %sx%s",
                opname(op), dimstr(d.r, x), dimstr(d.c, y), x, dimstr(s0.r, a), dimstr(s0.c, b),
                dimstr(s1.r, e), dimstr(s1.c, f));
      c->ok = false;
    }
    return;
  }
  if (k == PTK_CHECK_COLEXP_OP) {
    bool ok = same_shape(s0, d) && !dims_differ(s1.c, d.c) && !dims_differ(s1.r, 1);
    if (!ok) {
      ptk_error(c->d, ptk_op_range(op),
                "'%s': the first operand must have the destination's valid shape %sx%s and the "
                "second be one row of its width (1x%s), but they are %sx%s and %sx%s",
                opname(op), dimstr(d.r, x), dimstr(d.c, y), y, dimstr(s0.r, a), dimstr(s0.c, b),
                dimstr(s1.r, e), dimstr(s1.c, f));
      c->ok = false;
    }
  }
}

static void check_reduction(shctx *c, ptk_op *op, bool row) {
  uint32_t ni, no;
  ptk_value **ins = pu_ins(op, &ni), **outs = pu_outs(op, &no);
  if (ni < 1 || no < 1 || !pu_tile(ins[0]) || !pu_tile(outs[0])) return;
  vs s = valid_of(c, ins[0]), d = valid_of(c, outs[0]);
  const char *sub = ptk_op_table[op->kind].sub;
  bool arg = sub && (!strcmp(sub, "PTK_ISA_RARGMAX") || !strcmp(sub, "PTK_ISA_RARGMIN"));
  if (noop_marker(d) && !arg) return;
  char a[24], b[24], x[24], y[24];
  bool bad = row ? (dims_differ(d.c, 1) || dims_differ(d.r, s.r))
                 : (dims_differ(d.r, 1) || dims_differ(d.c, s.c));
  if (!bad) return;
  ptk_error(c->d, ptk_op_range(op),
            "'%s': the destination's valid shape must be %s (the source is %sx%s), but it is "
            "%sx%s",
            opname(op), row ? "Rx1 with the source's rows" : "1xC with the source's columns",
            dimstr(s.r, a), dimstr(s.c, b), dimstr(d.r, x), dimstr(d.c, y));
  where_note(c, &d, "the destination");
  c->ok = false;
}

/* ---- the walk ---- */

static void walk_region(shctx *c, ptk_region *r);

static bool kill_set(ptk_op *op, void *p) {
  shctx *c = p;
  if (op->kind == PTK_OP_SET_VALIDSHAPE && op->noperands >= 1 && op->operands[0]->uid < c->nvals)
    c->map[op->operands[0]->uid] = (vs){UNK, UNK, op};
  return true;
}

static void walk_op(shctx *c, ptk_op *op) {
  switch (op->kind) {
  case PTK_OP_ALLOC_TILE: {
    uint32_t nr, nc;
    ptk_value **vr = ptk_op_segment(op, 1, &nr), **vc = ptk_op_segment(op, 2, &nc);
    if (op->nresults == 1 && (nr || nc))
      set_valid(c, &op->results[0], nr ? cint_or_unk(vr[0]) : UNK, nc ? cint_or_unk(vc[0]) : UNK,
                op);
    return;
  }
  case PTK_OP_SET_VALIDSHAPE:
    if (op->noperands == 3) set_valid(c, op->operands[0], cint_or_unk(op->operands[1]),
                                      cint_or_unk(op->operands[2]), op);
    return;
  case PTK_OP_SCF_IF:
  case PTK_OP_SCF_FOR:
  case PTK_OP_SCF_WHILE:
    /* Valid shapes changed inside are unknown there (loops) and after. */
    if (op->kind != PTK_OP_SCF_IF)
      for (uint32_t i = 0; i < op->nregions; i++) ptk_walk_region(&op->regions[i], kill_set, c);
    for (uint32_t i = 0; i < op->nregions; i++) walk_region(c, &op->regions[i]);
    for (uint32_t i = 0; i < op->nregions; i++) ptk_walk_region(&op->regions[i], kill_set, c);
    return;
  default: break;
  }
  if (op->nregions) {
    for (uint32_t i = 0; i < op->nregions; i++) walk_region(c, &op->regions[i]);
    return;
  }
  if (op->kind == PTK_OP_TLOAD || op->kind == PTK_OP_TSTORE) {
    check_transfer(c, op);
    return;
  }
  /* every other rule follows from the op's call shape (lang/ir/calls.def) */
  const ptk_op_info *info = &ptk_op_table[op->kind];
  if (info->lower != PTK_LOWER_CALL) return;
  const ptk_call_info *ci = &ptk_call_table[info->shape];
  switch (ci->check) {
  case PTK_CHECK_ELEM: check_elementwise(c, op, ci->ncheck); break;
  case PTK_CHECK_MATMUL: check_matmul(c, op, info->shape == PTK_CALL_MATMUL_ACC); break;
  case PTK_CHECK_ROWRED: check_reduction(c, op, true); break;
  case PTK_CHECK_COLRED: check_reduction(c, op, false); break;
  case PTK_CHECK_ROWEXP:
  case PTK_CHECK_COLEXP:
  case PTK_CHECK_ROWEXP_OP:
  case PTK_CHECK_COLEXP_OP: check_expand(c, op, ci->check); break;
  case PTK_CHECK_NONE: break;
  }
}

static void walk_region(shctx *c, ptk_region *r) {
  for (ptk_block *b = r->first; b; b = b->next)
    for (ptk_op *op = b->first; op; op = op->next) walk_op(c, op);
}

bool ptk_check_shapes(ptk_module *m, ptk_diags *d) {
  shctx c;
  memset(&c, 0, sizeof c);
  c.d = d;
  c.ok = true;
  c.nvals = ptk_module_value_count(m);
  c.map = ptk_xcalloc(c.nvals + 1, sizeof *c.map);
  c.has = ptk_xcalloc(c.nvals + 1, sizeof *c.has);
  pu_funcs fs = {0};
  pu_collect_funcs(m, &fs);
  for (size_t i = 0; i < fs.len; i++) {
    walk_region(&c, fs.data[i]->body);
  }
  ptk_vec_free(&fs);
  free(c.map);
  free(c.has);
  return c.ok;
}
