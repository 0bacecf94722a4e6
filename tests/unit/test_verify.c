/* The IR verifier (backend/verify.c) on IR built with the ir.h builders:
 * every check, with exact messages. (.pto-text tests: test_verify_pto.c and
 * tests/lit/verify/.) */
#include <stdlib.h>
#include <string.h>

#include "backend/verify.h"
#include "tests/unit/ut.h"

/* ---- building ---- */

typedef struct {
  ptk_module *m;
  ptk_func *f;
  ptk_block *b;
} T;

static const ptk_type *S(ptk_dtype dt) { return ptk_type_scalar(dt); }
#define IDX S(PTK_DT_INDEX)
#define F32 S(PTK_DT_F32)
#define F16 S(PTK_DT_F16)
#define I32 S(PTK_DT_I32)
#define I64 S(PTK_DT_I64)
#define I1 S(PTK_DT_I1)
#define TY(t) ((const ptk_type *[]){t})

static const ptk_loc L0 = {0};

static T begin(const ptk_type *const *args, uint32_t nargs, const ptk_type *const *res,
               uint32_t nres) {
  T t;
  t.m = ptk_module_new();
  t.f = ptk_func_new(t.m, "k", args, nargs, res, nres, false, L0);
  t.b = ptk_func_entry(t.f);
  return t;
}

static const ptk_type *tile_t(T *t, ptk_space loc, ptk_dtype dt, int64_t r, int64_t c) {
  ptk_tile_desc d = ptk_tile_desc_make(loc, S(dt), r, c);
  if (loc == PTK_SPACE_ACC) {
    d.blayout = PTK_BLAYOUT_COL_MAJOR;
    d.slayout = PTK_SLAYOUT_ROW_MAJOR;
    d.fractal = 1024;
  }
  return ptk_type_tile_buf(t->m, &d);
}

static ptk_value *alloc_t(T *t, const ptk_type *ty) {
  return ptk_op_result(ptk_build(t->m, t->b, PTK_OP_ALLOC_TILE, NULL, 0, &ty, 1, L0), 0);
}

static ptk_value *tile(T *t, ptk_space loc, ptk_dtype dt, int64_t r, int64_t c) {
  return alloc_t(t, tile_t(t, loc, dt, r, c));
}

static ptk_value *cst(T *t, int64_t v, const ptk_type *ty) {
  return ptk_build_const_int(t->m, t->b, v, ty, L0);
}

static ptk_value *named(ptk_value *v, const char *name) {
  v->name = name;
  return v;
}

static ptk_op *dps(T *t, ptk_op_kind k, ptk_value *a, ptk_value *b, ptk_value *out) {
  ptk_value *ins[2] = {a, b};
  return ptk_build_dps(t->m, t->b, k, ins, b ? 2 : 1, &out, 1, L0);
}

static ptk_op *ret(T *t) { return ptk_build(t->m, t->b, PTK_OP_FUNC_RETURN, NULL, 0, NULL, 0, L0); }

static ptk_value *op1(T *t, ptk_op_kind k, ptk_value *a, ptk_value *b, const ptk_type *rt) {
  ptk_value *ops[2] = {a, b};
  return ptk_op_result(ptk_build(t->m, t->b, k, ops, b ? 2 : 1, &rt, 1, L0), 0);
}

/* Verifies and renders the diagnostics as "error: …" / "note: …" lines. */
static char *verify(T *t) {
  ptk_diags *d = ptk_diags_new();
  bool ok = ptk_verify_module(t->m, d);
  ptk_buf b = {0};
  for (size_t i = 0; i < d->items.len; i++) {
    const ptk_diag *g = &d->items.data[i];
    ptk_buf_printf(&b, "%s: %s\n", g->sev == PTK_SEV_NOTE ? "note" : "error", g->message);
  }
  CHECK(ok == (d->errors == 0));
  ptk_diags_free(d);
  ptk_module_free(t->m);
  t->m = NULL;
  char *s = ptk_buf_take(&b);
  return s;
}

#define EXPECT(t, text)                                                                            \
  do {                                                                                             \
    char *got_ = verify(t);                                                                        \
    CHECK_STR(got_, text);                                                                         \
    free(got_);                                                                                    \
  } while (0)

/* ---- a clean kernel ---- */

static void build_vadd(T *t) {
  ptk_value *c0 = cst(t, 0, IDX), *c1 = cst(t, 1, IDX), *c32 = cst(t, 32, IDX);
  int64_t dyn[2] = {PTK_DYN, PTK_DYN}, st[2] = {32, 32};
  const ptk_type *tv = ptk_type_tensor_view(t->m, 2, dyn, F32);
  const ptk_type *pv = ptk_type_part_view(t->m, 2, st, F32);
  ptk_value *views[3], *parts[3];
  for (int i = 0; i < 3; i++) {
    ptk_value *ops[5] = {ptk_func_arg(t->f, (uint32_t)i), c32, c32, c32, c1};
    ptk_op *mv = ptk_build(t->m, t->b, PTK_OP_MAKE_TENSOR_VIEW, ops, 5, &tv, 1, L0);
    uint32_t segs[3] = {1, 2, 2};
    ptk_op_set_segments(t->m, mv, segs, 3);
    views[i] = ptk_op_result(mv, 0);
    ptk_value *pops[5] = {views[i], c0, c0, c32, c32};
    ptk_op *pvo = ptk_build(t->m, t->b, PTK_OP_PARTITION_VIEW, pops, 5, &pv, 1, L0);
    ptk_op_set_segments(t->m, pvo, segs, 3);
    parts[i] = ptk_op_result(pvo, 0);
  }
  ptk_value *a = tile(t, PTK_SPACE_VEC, PTK_DT_F32, 32, 32);
  ptk_value *b = tile(t, PTK_SPACE_VEC, PTK_DT_F32, 32, 32);
  ptk_value *c = tile(t, PTK_SPACE_VEC, PTK_DT_F32, 32, 32);
  dps(t, PTK_OP_TLOAD, parts[0], NULL, a);
  dps(t, PTK_OP_TLOAD, parts[1], NULL, b);
  dps(t, PTK_OP_TADD, a, b, c);
  dps(t, PTK_OP_TSTORE, c, NULL, parts[2]);
}

static void func(T *t, const char *name, const ptk_type *const *args, uint32_t nargs) {
  t->f = ptk_func_new(t->m, name, args, nargs, NULL, 0, false, L0);
  t->b = ptk_func_entry(t->f);
}

static T begin_ptrs(int n) {
  T t;
  t.m = ptk_module_new();
  const ptk_type *p = ptk_type_ptr(t.m, F32, PTK_SPACE_GM);
  const ptk_type *args[4] = {p, p, p, p};
  t.f = ptk_func_new(t.m, "k", args, (uint32_t)n, NULL, 0, false, L0);
  t.b = ptk_func_entry(t.f);
  return t;
}

TEST(clean_vadd) {
  T t = begin_ptrs(3);
  build_vadd(&t);
  ret(&t);
  EXPECT(&t, "");
}

TEST(verify_func_only) {
  T t = begin_ptrs(3);
  build_vadd(&t);
  ret(&t);
  ptk_diags *d = ptk_diags_new();
  CHECK(ptk_verify_func(t.f, d));
  CHECK_INT(d->errors, 0);
  ptk_diags_free(d);
  ptk_module_free(t.m);
}

/* ---- SSA scoping ---- */

TEST(use_before_definition) {
  T t = begin(NULL, 0, NULL, 0);
  ptk_value *a = tile(&t, PTK_SPACE_VEC, PTK_DT_F32, 16, 16);
  ptk_op *add = dps(&t, PTK_OP_TADD, a, a, a);
  ptk_value *late = named(tile(&t, PTK_SPACE_VEC, PTK_DT_F32, 16, 16), "5");
  ptk_op_set_operand(add, 1, late);
  ret(&t);
  EXPECT(&t, "error: use of value '%5' before its definition\n"
             "note: value '%5' is defined here\n");
}

TEST(use_outside_defining_region_reported_once) {
  T t = begin(TY(I1), 1, NULL, 0);
  ptk_op *ifop =
      ptk_build(t.m, t.b, PTK_OP_SCF_IF, (ptk_value *[]){ptk_func_arg(t.f, 0)}, 1, NULL, 0, L0);
  ptk_block *outer = t.b;
  t.b = ptk_region_add_block(t.m, &ifop->regions[0]);
  ptk_value *x = named(tile(&t, PTK_SPACE_VEC, PTK_DT_F32, 16, 16), "x");
  t.b = outer;
  dps(&t, PTK_OP_TABS, x, NULL, x);
  dps(&t, PTK_OP_TNEG, x, NULL, x);
  ret(&t);
  EXPECT(&t, "error: use of value '%x' outside the region that defines it\n"
             "note: value '%x' is defined here, inside 'scf.if'\n");
}

TEST(values_of_enclosing_blocks_are_visible) {
  T t = begin(TY(I1), 1, NULL, 0);
  ptk_value *x = tile(&t, PTK_SPACE_VEC, PTK_DT_F32, 16, 16);
  ptk_op *ifop =
      ptk_build(t.m, t.b, PTK_OP_SCF_IF, (ptk_value *[]){ptk_func_arg(t.f, 0)}, 1, NULL, 0, L0);
  ptk_block *outer = t.b;
  t.b = ptk_region_add_block(t.m, &ifop->regions[0]);
  dps(&t, PTK_OP_TABS, x, NULL, x);
  t.b = outer;
  ret(&t);
  EXPECT(&t, "");
}

TEST(value_from_another_function) {
  T t = begin(NULL, 0, NULL, 0);
  ptk_value *x = named(tile(&t, PTK_SPACE_VEC, PTK_DT_F32, 16, 16), "x");
  ret(&t);
  ptk_func *g = ptk_func_new(t.m, "g", NULL, 0, NULL, 0, false, L0);
  t.b = ptk_func_entry(g);
  dps(&t, PTK_OP_TABS, x, NULL, x);
  ret(&t);
  EXPECT(&t, "error: use of value '%x', which belongs to function '@k'\n"
             "note: value '%x' is defined here\n");
}

TEST(unnamed_values_are_described) {
  T t = begin(NULL, 0, NULL, 0);
  ptk_value *c = cst(&t, 1, IDX);
  ptk_op *add = ptk_build(t.m, t.b, PTK_OP_ARITH_ADDI, (ptk_value *[]){c, c}, 2, TY(IDX), 1, L0);
  ptk_value *late = cst(&t, 2, IDX);
  ptk_op_set_operand(add, 0, late);
  ret(&t);
  EXPECT(&t, "error: use of the result of 'arith.constant' before its definition\n"
             "note: the result of 'arith.constant' is defined here\n");
}

/* ---- terminators and structure ---- */

static ptk_op *for_loop(T *t, ptk_value *const *inits, uint32_t n, const ptk_type *const *rt,
                        uint32_t nr, bool body_args) {
  ptk_value *c0 = cst(t, 0, IDX), *c4 = cst(t, 4, IDX), *c1 = cst(t, 1, IDX);
  ptk_value *ops[8] = {c0, c4, c1};
  for (uint32_t i = 0; i < n; i++) ops[3 + i] = inits[i];
  ptk_op *f = ptk_build(t->m, t->b, PTK_OP_SCF_FOR, ops, 3 + n, rt, nr, L0);
  ptk_block *body = ptk_region_add_block(t->m, &f->regions[0]);
  if (body_args) {
    ptk_block_add_arg(t->m, body, IDX, "i", L0);
    for (uint32_t i = 0; i < n; i++) ptk_block_add_arg(t->m, body, inits[i]->type, NULL, L0);
  }
  return f;
}

/* scf.yield of the values at the end of the loop body. */
static void for_yield(T *t, ptk_op *f, ptk_value *const *vals, uint32_t n) {
  ptk_build(t->m, f->regions[0].first, PTK_OP_SCF_YIELD, vals, n, NULL, 0, L0);
}

TEST(scf_for_yield_count) {
  T t = begin(NULL, 0, NULL, 0);
  ptk_value *a = cst(&t, 0, IDX), *b = cst(&t, 1, IDX);
  const ptk_type *rt[2] = {IDX, IDX};
  ptk_op *f = for_loop(&t, (ptk_value *[]){a, b}, 2, rt, 2, true);
  ptk_block *outer = t.b;
  t.b = f->regions[0].first;
  ptk_build(t.m, t.b, PTK_OP_SCF_YIELD, (ptk_value *[]){t.b->args[1]}, 1, NULL, 0, L0);
  t.b = outer;
  ret(&t);
  EXPECT(&t, "error: 'scf.yield' yields 1 value but 'scf.for' has 2 iter_args\n"
             "note: 'scf.for' is here\n");
}

TEST(scf_for_yield_type_and_missing_yield) {
  T t = begin(NULL, 0, NULL, 0);
  ptk_value *a = cst(&t, 0, IDX);
  ptk_op *f = for_loop(&t, &a, 1, TY(IDX), 1, true);
  ptk_block *outer = t.b;
  t.b = f->regions[0].first;
  ptk_value *x = cst(&t, 3, I32);
  ptk_build(t.m, t.b, PTK_OP_SCF_YIELD, &x, 1, NULL, 0, L0);
  t.b = outer;
  for_loop(&t, &a, 1, TY(IDX), 1, true); /* no yield at all */
  ret(&t);
  EXPECT(&t, "error: 'scf.yield' value #0 has type i32, but 'scf.for' iter_arg #0 has type index\n"
             "note: 'scf.for' is here\n"
             "error: 'scf.for' body must end with 'scf.yield' (the loop has 1 iter_arg)\n");
}

TEST(scf_for_structure) {
  T t = begin(NULL, 0, NULL, 0);
  ptk_value *a = cst(&t, 0, IDX);
  for_yield(&t, for_loop(&t, &a, 1, TY(I32), 1, true), &a,
            1); /* result type differs from the init */
  for_yield(&t, for_loop(&t, &a, 1, TY(IDX), 1, false), &a, 1); /* body without block arguments */
  ptk_value *c0 = cst(&t, 0, I32), *c4 = cst(&t, 4, IDX);
  ptk_op *f = ptk_build(t.m, t.b, PTK_OP_SCF_FOR, (ptk_value *[]){c0, c4, c4}, 3, NULL, 0, L0);
  ptk_block_add_arg(t.m, ptk_region_add_block(t.m, &f->regions[0]), I32, NULL, L0);
  ret(&t);
  EXPECT(
      &t,
      "error: 'scf.for' result #0 has type i32, but iter_args[0] has type index\n"
      "error: 'scf.for' body has 0 block arguments, but needs 2 (the induction variable and 1 "
      "iter_args)\n"
      "error: 'scf.for' operand #1 (upper bound) has type index, but the lower bound has type i32\n"
      "error: 'scf.for' operand #2 (step) has type index, but the lower bound has type i32\n");
}

TEST(scf_for_integer_bounds_are_fine) {
  T t = begin(NULL, 0, NULL, 0);
  ptk_value *c0 = cst(&t, 0, I32), *c4 = cst(&t, 4, I32);
  ptk_op *f = ptk_build(t.m, t.b, PTK_OP_SCF_FOR, (ptk_value *[]){c0, c4, c4}, 3, NULL, 0, L0);
  ptk_block_add_arg(t.m, ptk_region_add_block(t.m, &f->regions[0]), I32, NULL, L0);
  ret(&t);
  EXPECT(&t, "");
}

static ptk_op *if_op(T *t, ptk_value *cond, const ptk_type *const *rt, uint32_t nr,
                     bool with_else) {
  ptk_op *op = ptk_build(t->m, t->b, PTK_OP_SCF_IF, &cond, 1, rt, nr, L0);
  ptk_region_add_block(t->m, &op->regions[0]);
  if (with_else) ptk_region_add_block(t->m, &op->regions[1]);
  return op;
}

TEST(scf_if_results) {
  T t = begin(TY(I1), 1, NULL, 0);
  ptk_value *c = ptk_func_arg(t.f, 0);
  if_op(&t, c, TY(IDX), 1, false);             /* no else */
  ptk_op *i2 = if_op(&t, c, TY(IDX), 1, true); /* no yields */
  ptk_op *i3 = if_op(&t, c, TY(IDX), 1, true); /* wrong yields */
  ptk_block *outer = t.b;
  t.b = i3->regions[0].first;
  ptk_build(t.m, t.b, PTK_OP_SCF_YIELD, NULL, 0, NULL, 0, L0);
  t.b = i3->regions[1].first;
  ptk_value *f = ptk_build_const_float(t.m, t.b, 1.0, F32, L0);
  ptk_build(t.m, t.b, PTK_OP_SCF_YIELD, &f, 1, NULL, 0, L0);
  t.b = outer;
  (void)i2;
  ptk_value *i32v = cst(&t, 1, I32);
  if_op(&t, i32v, NULL, 0, false); /* condition not i1 */
  ret(&t);
  EXPECT(&t, "error: 'scf.if' has a result but no else region\n"
             "error: 'scf.if' then region must end with 'scf.yield' (the op has 1 result)\n"
             "error: 'scf.if' then region must end with 'scf.yield' (the op has 1 result)\n"
             "error: 'scf.if' else region must end with 'scf.yield' (the op has 1 result)\n"
             "error: 'scf.yield' yields 0 values but 'scf.if' has 1 result\n"
             "note: 'scf.if' is here\n"
             "error: 'scf.yield' value #0 has type f32, but 'scf.if' result #0 has type index\n"
             "note: 'scf.if' is here\n"
             "error: 'scf.if' operand #0 (condition) must be i1, but has type i32\n"
             "note: the result of 'arith.constant' is defined here\n");
}

TEST(terminator_not_last_and_misplaced) {
  T t = begin(NULL, 0, NULL, 0);
  ptk_build(t.m, t.b, PTK_OP_SCF_YIELD, NULL, 0, NULL, 0, L0);
  ret(&t);
  ptk_op *f = for_loop(&t, NULL, 0, NULL, 0, true);
  ptk_block *outer = t.b;
  t.b = f->regions[0].first;
  ptk_build(t.m, t.b, PTK_OP_SCF_YIELD, NULL, 0, NULL, 0, L0);
  cst(&t, 1, IDX);
  t.b = outer;
  EXPECT(&t,
         "error: 'scf.yield' must be inside 'scf.for', 'scf.if' or the do-region of 'scf.while'\n"
         "error: 'scf.yield' must be the last operation in its block\n"
         "note: 'arith.constant' follows it\n");
}

TEST(return_inside_loop_and_missing_return) {
  T t = begin(NULL, 0, NULL, 0);
  ptk_op *f = for_loop(&t, NULL, 0, NULL, 0, true);
  ptk_block *outer = t.b;
  t.b = f->regions[0].first;
  ret(&t);
  t.b = outer;
  EXPECT(&t, "error: 'func.return' must be directly inside a function body, not inside 'scf.for'\n"
             "error: function '@k' must end with 'func.return'\n"
             "note: the body ends with 'scf.for'\n");
}

TEST(return_values) {
  T t = begin(NULL, 0, TY(I32), 1);
  ret(&t);
  ptk_func *g = ptk_func_new(t.m, "g", NULL, 0, TY(I32), 1, false, L0);
  t.b = ptk_func_entry(g);
  ptk_value *x = cst(&t, 1, IDX);
  ptk_build(t.m, t.b, PTK_OP_FUNC_RETURN, &x, 1, NULL, 0, L0);
  EXPECT(&t, "error: 'func.return' returns 0 values but '@k' has 1 result\n"
             "note: '@k' is defined here\n"
             "error: 'func.return' value #0 has type index, but '@g' result #0 has type i32\n"
             "note: '@g' is defined here\n");
}

TEST(scf_while) {
  T t = begin(NULL, 0, NULL, 0);
  ptk_value *x = cst(&t, 0, IDX);
  const ptk_type *rt[1] = {IDX};
  ptk_op *w = ptk_build(t.m, t.b, PTK_OP_SCF_WHILE, &x, 1, rt, 1, L0);
  ptk_block *outer = t.b;
  ptk_block *before = ptk_region_add_block(t.m, &w->regions[0]);
  ptk_value *ba = ptk_block_add_arg(t.m, before, IDX, NULL, L0);
  ptk_block *after = ptk_region_add_block(t.m, &w->regions[1]);
  ptk_block_add_arg(t.m, after, I32, NULL, L0);
  t.b = before;
  ptk_value *go = ptk_build_const_bool(t.m, t.b, true, L0);
  ptk_build(t.m, t.b, PTK_OP_SCF_CONDITION, (ptk_value *[]){go, ba, ba}, 3, NULL, 0, L0);
  t.b = after;
  ptk_value *y = cst(&t, 1, I32);
  ptk_build(t.m, t.b, PTK_OP_SCF_YIELD, &y, 1, NULL, 0, L0);
  t.b = outer;
  ret(&t);
  EXPECT(&t, "error: 'scf.while' do-region argument #0 has type i32, but result #0 has type index\n"
             "error: 'scf.condition' forwards 2 values but 'scf.while' has 1 result\n"
             "note: 'scf.while' is here\n"
             "error: 'scf.yield' value #0 has type i32, but 'scf.while' operand #0 has type index\n"
             "note: 'scf.while' is here\n");
}

TEST(scf_while_clean) {
  T t = begin(NULL, 0, NULL, 0);
  ptk_value *x = cst(&t, 0, IDX);
  ptk_op *w = ptk_build(t.m, t.b, PTK_OP_SCF_WHILE, &x, 1, TY(IDX), 1, L0);
  ptk_block *outer = t.b;
  ptk_block *before = ptk_region_add_block(t.m, &w->regions[0]);
  ptk_value *ba = ptk_block_add_arg(t.m, before, IDX, NULL, L0);
  ptk_block *after = ptk_region_add_block(t.m, &w->regions[1]);
  ptk_value *aa = ptk_block_add_arg(t.m, after, IDX, NULL, L0);
  t.b = before;
  ptk_value *go = ptk_build_const_bool(t.m, t.b, true, L0);
  ptk_build(t.m, t.b, PTK_OP_SCF_CONDITION, (ptk_value *[]){go, ba}, 2, NULL, 0, L0);
  t.b = after;
  ptk_build(t.m, t.b, PTK_OP_SCF_YIELD, &aa, 1, NULL, 0, L0);
  t.b = outer;
  ret(&t);
  EXPECT(&t, "");
}

/* ---- calls ---- */

TEST(calls) {
  T t = begin(NULL, 0, NULL, 0);
  ptk_value *x = cst(&t, 1, IDX);
  ptk_op *c1 = ptk_build(t.m, t.b, PTK_OP_FUNC_CALL, &x, 1, NULL, 0, L0);
  ptk_op_set_attr(c1, "callee", ptk_attr_symbol(t.m, "nope"));
  ptk_op *c2 = ptk_build(t.m, t.b, PTK_OP_FUNC_CALL, (ptk_value *[]){x, x}, 2, NULL, 0, L0);
  ptk_op_set_attr(c2, "callee", ptk_attr_symbol(t.m, "helper"));
  ptk_op *c3 = ptk_build(t.m, t.b, PTK_OP_FUNC_CALL, &x, 1, TY(I32), 1, L0);
  ptk_op_set_attr(c3, "callee", ptk_attr_symbol(t.m, "helper"));
  ptk_op *c4 = ptk_build(t.m, t.b, PTK_OP_FUNC_CALL, &x, 1, NULL, 0, L0);
  ptk_op_set_attr(c4, "callee", ptk_attr_string(t.m, "helper", 6));
  ptk_build(t.m, t.b, PTK_OP_FUNC_CALL, &x, 1, NULL, 0, L0);
  ret(&t);
  ptk_module *sub = ptk_module_add_module(t.m, "inner", L0);
  ptk_func_new(sub, "helper", TY(I32), 1, TY(I32), 1, true, L0);
  EXPECT(&t,
         "error: 'func.call' refers to an undefined function '@nope'\n"
         "error: 'func.call' passes 2 arguments, but '@helper' takes 1\n"
         "note: '@helper' is declared here\n"
         "error: 'func.call' has 0 results, but '@helper' has 1 result\n"
         "note: '@helper' is declared here\n"
         "error: 'func.call' argument #0 has type index, but '@helper' parameter #0 has type i32\n"
         "note: '@helper' is declared here\n"
         "error: 'func.call' attribute 'callee' must be a symbol reference, but is \"helper\"\n"
         "error: 'func.call' requires attribute 'callee'\n");
}

TEST(call_clean_nested_and_duplicate_symbol) {
  T t = begin(NULL, 0, NULL, 0);
  ptk_value *x = cst(&t, 1, I32);
  ptk_op *c = ptk_build(t.m, t.b, PTK_OP_FUNC_CALL, &x, 1, TY(I32), 1, L0);
  ptk_op_set_attr(c, "callee", ptk_attr_symbol(t.m, "helper"));
  ret(&t);
  ptk_func_new(t.m, "helper", TY(I32), 1, TY(I32), 1, true, L0);
  ptk_func_new(t.m, "helper", TY(I32), 1, TY(I32), 1, true, L0);
  EXPECT(&t, "error: redefinition of symbol '@helper'\n"
             "note: '@helper' is first defined here\n");
}

/* ---- operand kinds and dtypes (SIG, SAME_DTYPE, SCALAR_DTYPE) ---- */

TEST(same_dtype) {
  T t = begin(NULL, 0, NULL, 0);
  ptk_value *a = tile(&t, PTK_SPACE_VEC, PTK_DT_F32, 16, 16);
  ptk_value *b = tile(&t, PTK_SPACE_VEC, PTK_DT_F16, 16, 16);
  dps(&t, PTK_OP_TADD, a, b, a);
  ret(&t);
  EXPECT(&t, "error: 'pto.tadd' operand #1 (ins[1]) must have dtype f32 like operand #0 (ins[0]), "
             "but has f16\n");
}

TEST(operand_kinds_and_counts) {
  T t = begin(NULL, 0, NULL, 0);
  ptk_value *a = tile(&t, PTK_SPACE_VEC, PTK_DT_F32, 16, 16);
  ptk_value *s = named(cst(&t, 1, IDX), "c1");
  dps(&t, PTK_OP_TADD, a, s, a);
  dps(&t, PTK_OP_TADD, a, NULL, a);
  ptk_value *two[2] = {a, a};
  ptk_build_dps(t.m, t.b, PTK_OP_TABS, &a, 1, two, 2, L0);
  ptk_build_dps(t.m, t.b, PTK_OP_TADD, &a, 1, two, 2, L0);
  ret(&t);
  EXPECT(
      &t,
      "error: 'pto.tadd' operand #1 (ins[1]) must be a tile (!pto.tile_buf), but has type index\n"
      "note: value '%c1' is defined here\n"
      "error: 'pto.tadd' expects 3 operands, but has 2\n"
      "error: 'pto.tabs' expects 2 operands, but has 3\n"
      "error: 'pto.tadd' expects 2 ins operands, but has 1\n");
}

TEST(scalar_dtype) {
  T t = begin(NULL, 0, NULL, 0);
  ptk_value *a = tile(&t, PTK_SPACE_VEC, PTK_DT_F16, 16, 16);
  ptk_value *s = named(ptk_build_const_float(t.m, t.b, 2.0, F32, L0), "two");
  dps(&t, PTK_OP_TMULS, a, s, a);
  ptk_value *h = ptk_build_const_float(t.m, t.b, 2.0, F16, L0);
  dps(&t, PTK_OP_TMULS, a, h, a);
  dps(&t, PTK_OP_TDIVS, h, a, a); /* reverse form */
  dps(&t, PTK_OP_TEXPANDS, s, NULL, a);
  ret(&t);
  EXPECT(&t, "error: 'pto.tmuls' scalar operand #1 (ins[1]) must have the tile dtype f16, but has "
             "type f32\n"
             "note: value '%two' is defined here\n"
             "error: 'pto.texpands' scalar operand #0 (ins[0]) must have the tile dtype f16, but "
             "has type f32\n"
             "note: value '%two' is defined here\n");
}

/* ---- tile types ---- */

TEST(tile_type_fields) {
  T t = begin(NULL, 0, NULL, 0);
  ptk_tile_desc d = ptk_tile_desc_make(PTK_SPACE_VEC, F32, 32, 32);
  d.v_row = 40;
  d.fractal = 100;
  d.pad = 7;
  alloc_t(&t, ptk_type_tile_buf(t.m, &d));
  d = ptk_tile_desc_make(PTK_SPACE_VEC, F32, 0, 32);
  d.v_row = 0;
  alloc_t(&t, ptk_type_tile_buf(t.m, &d));
  ret(&t);
  EXPECT(&t, "error: 'pto.alloc_tile' result type '!pto.tile_buf<vec, 32x32xf32, valid=40x32, "
             "fractal=100, pad=7>' "
             "is invalid: v_row (40) exceeds rows (32); fractal (100) must be 32, 512 or 1024; "
             "pad (7) must be 0 (null), 1 (zero), 2 (max) or 3 (min)\n"
             "error: 'pto.alloc_tile' result type '!pto.tile_buf<vec, 0x32xf32>' is invalid: rows "
             "(0) must be positive\n");
}

TEST(alloc_tile_valid_operands) {
  T t = begin(NULL, 0, NULL, 0);
  ptk_value *c16 = cst(&t, 16, IDX), *a32 = cst(&t, 0, I32);
  ptk_tile_desc d = ptk_tile_desc_make(PTK_SPACE_VEC, F32, 16, 16);
  d.v_row = PTK_DYN;
  const ptk_type *dyn = ptk_type_tile_buf(t.m, &d);
  alloc_t(&t, dyn); /* v_row=? without operand */
  ptk_op *o =
      ptk_build(t.m, t.b, PTK_OP_ALLOC_TILE, (ptk_value *[]){a32, c16, c16}, 3, &dyn, 1, L0);
  ptk_op_set_segments(t.m, o, (uint32_t[]){1, 1, 1}, 3);
  ret(&t);
  EXPECT(&t,
         "error: 'pto.alloc_tile' needs a valid_row operand: the type has v_row=?\n"
         "error: 'pto.alloc_tile' addr operand must be i64 or index, but has type i32\n"
         "note: the result of 'arith.constant' is defined here\n"
         "error: 'pto.alloc_tile' has a valid_col operand, but the type has a static v_col (16)\n");
}

/* ---- matmul ---- */

TEST(matmul_checks) {
  T t = begin(NULL, 0, NULL, 0);
  ptk_value *A = tile(&t, PTK_SPACE_LEFT, PTK_DT_F16, 16, 32);
  ptk_value *B = tile(&t, PTK_SPACE_RIGHT, PTK_DT_F16, 64, 16);
  ptk_value *C = tile(&t, PTK_SPACE_ACC, PTK_DT_F32, 16, 16);
  dps(&t, PTK_OP_TMATMUL, A, B, C);
  ptk_value *Bm = tile(&t, PTK_SPACE_MAT, PTK_DT_F32, 32, 16);
  dps(&t, PTK_OP_TMATMUL, A, Bm, C);
  ret(&t);
  EXPECT(
      &t,
      "error: 'pto.tmatmul': A.cols (32) must equal B.rows (64)\n"
      "error: 'pto.tmatmul' B operand #1 (ins[1]) must be a 'right' tile, but is a 'mat' tile\n"
      "error: 'pto.tmatmul' dtypes (C f32, A f16, B f32) are not a supported combination; "
      "(C, A, B) must be (i32, i8, i8), (f32, f16, f16), (f32, bf16, bf16) or (f32, f32, f32)\n");
}

TEST(matmul_acc_and_bias) {
  T t = begin(NULL, 0, NULL, 0);
  ptk_value *A = tile(&t, PTK_SPACE_LEFT, PTK_DT_F32, 16, 32);
  ptk_value *B = tile(&t, PTK_SPACE_RIGHT, PTK_DT_F32, 32, 16);
  ptk_value *C = tile(&t, PTK_SPACE_ACC, PTK_DT_F32, 16, 16);
  ptk_value *Cin = tile(&t, PTK_SPACE_ACC, PTK_DT_F32, 16, 32);
  ptk_value *bias = tile(&t, PTK_SPACE_BIAS, PTK_DT_F16, 1, 16);
  ptk_value *good = tile(&t, PTK_SPACE_BIAS, PTK_DT_F32, 1, 16);
  ptk_build_dps(t.m, t.b, PTK_OP_TMATMUL_ACC, (ptk_value *[]){C, A, B}, 3, &C, 1, L0);
  ptk_build_dps(t.m, t.b, PTK_OP_TMATMUL_ACC, (ptk_value *[]){Cin, A, B}, 3, &C, 1, L0);
  ptk_build_dps(t.m, t.b, PTK_OP_TMATMUL_BIAS, (ptk_value *[]){A, B, good}, 3, &C, 1, L0);
  ptk_build_dps(t.m, t.b, PTK_OP_TMATMUL_BIAS, (ptk_value *[]){A, B, bias}, 3, &C, 1, L0);
  ptk_build_dps(t.m, t.b, PTK_OP_TMATMUL_BIAS, (ptk_value *[]){A, B, C}, 3, &C, 1, L0);
  ret(&t);
  EXPECT(&t, "error: 'pto.tmatmul.acc' Cin operand #0 (ins[0]) must have the dtype and shape of C "
             "(f32 16x16), but is f32 16x32\n"
             "error: 'pto.tmatmul.bias' bias operand #2 (ins[2]) must have the dtype of C (f32), "
             "but has f16\n"
             "error: 'pto.tmatmul.bias' bias operand #2 (ins[2]) must be a 'bias' tile, but is an "
             "'acc' tile\n"
             "error: 'pto.tmatmul.bias' bias operand #2 (ins[2]) must be one row of C.cols (1x16), "
             "but is 16x16\n");
}

/* ---- views ---- */

TEST(views) {
  T t = {ptk_module_new(), NULL, NULL};
  const ptk_type *p16 = ptk_type_ptr(t.m, F16, PTK_SPACE_GM);
  func(&t, "k", &p16, 1);
  ptk_value *p = named(ptk_func_arg(t.f, 0), "arg0");
  ptk_value *c1 = cst(&t, 1, IDX), *c32 = named(cst(&t, 32, IDX), "c32");
  int64_t dyn[2] = {PTK_DYN, PTK_DYN};
  const ptk_type *tv = ptk_type_tensor_view(t.m, 2, dyn, F32);
  ptk_op *mv =
      ptk_build(t.m, t.b, PTK_OP_MAKE_TENSOR_VIEW, (ptk_value *[]){p, c32, c1}, 3, &tv, 1, L0);
  ptk_op_set_segments(t.m, mv, (uint32_t[]){1, 1, 1}, 3);
  int64_t st3[3] = {1, 16, 32};
  const ptk_type *pv3 = ptk_type_part_view(t.m, 3, st3, F32);
  ptk_value *v = ptk_op_result(mv, 0);
  ptk_op *pv = ptk_build(t.m, t.b, PTK_OP_PARTITION_VIEW, (ptk_value *[]){v, c1, c1, c1, c1}, 5,
                         &pv3, 1, L0);
  ptk_op_set_segments(t.m, pv, (uint32_t[]){1, 2, 2}, 3);
  int64_t st2[2] = {16, 32};
  const ptk_type *pv2 = ptk_type_part_view(t.m, 2, st2, F32);
  ptk_op *pvb = ptk_build(t.m, t.b, PTK_OP_PARTITION_VIEW, (ptk_value *[]){v, c1, c1, c32, c32}, 5,
                          &pv2, 1, L0);
  ptk_op_set_segments(t.m, pvb, (uint32_t[]){1, 2, 2}, 3);
  ret(&t);
  EXPECT(&t, "error: 'pto.make_tensor_view' has 1 shape operand, but the result type "
             "!pto.tensor_view<?x?xf32> has rank 2\n"
             "error: 'pto.make_tensor_view' has 1 strides operand, but the result type "
             "!pto.tensor_view<?x?xf32> has rank 2\n"
             "error: 'pto.make_tensor_view' pointer element type f16 differs from the view element "
             "type f32\n"
             "note: value '%arg0' is defined here\n"
             "error: 'pto.partition_view' result rank 3 differs from the rank 2 of the source "
             "tensor view !pto.tensor_view<?x?xf32>\n"
             "error: 'pto.partition_view' sizes[0] is 32, but the result type "
             "!pto.partition_tensor_view<16x32xf32> has 16 in dimension 0\n"
             "note: value '%c32' is defined here\n");
}

/* ---- data movement, conversion, reductions, compare ---- */

TEST(tload_tstore) {
  T t = {ptk_module_new(), NULL, NULL};
  int64_t st[2] = {16, 16};
  const ptk_type *pvt = ptk_type_part_view(t.m, 2, st, F16);
  func(&t, "k", &pvt, 1);
  ptk_value *pv = ptk_func_arg(t.f, 0);
  ptk_value *l = tile(&t, PTK_SPACE_LEFT, PTK_DT_F16, 16, 16);
  ptk_value *v = tile(&t, PTK_SPACE_VEC, PTK_DT_F32, 16, 16);
  ptk_value *acc = tile(&t, PTK_SPACE_ACC, PTK_DT_F32, 16, 16);
  dps(&t, PTK_OP_TLOAD, pv, NULL, l);
  dps(&t, PTK_OP_TLOAD, pv, NULL, v);
  dps(&t, PTK_OP_TSTORE, l, NULL, pv);
  dps(&t, PTK_OP_TSTORE, v, NULL, pv);
  dps(&t, PTK_OP_TSTORE, acc, NULL, pv); /* acc stores convert */
  dps(&t, PTK_OP_TLOAD, v, NULL, v);
  ret(&t);
  EXPECT(&t, "error: 'pto.tload' destination operand #1 (outs[0]) must be a 'vec' or 'mat' tile, "
             "but is a 'left' tile\n"
             "error: 'pto.tload' element sizes differ: the source has f16 (2 bytes), the "
             "destination tile f32 (4 bytes)\n"
             "error: 'pto.tstore' source operand #0 (ins[0]) must be a 'vec', 'mat' or 'acc' tile, "
             "but is a 'left' tile\n"
             "error: 'pto.tstore' element sizes differ: the source tile has f32 (4 bytes), the "
             "destination f16 (2 bytes)\n"
             "error: 'pto.tload' operand #0 (ins[0]) must be a partition view "
             "(!pto.partition_tensor_view), but has type !pto.tile_buf<vec, 16x16xf32>\n"
             "note: the result of 'pto.alloc_tile' is defined here\n");
}

TEST(tcvt_treshape_rowreduce_tcmp) {
  T t = begin(NULL, 0, NULL, 0);
  ptk_value *f32 = tile(&t, PTK_SPACE_VEC, PTK_DT_F32, 16, 16);
  ptk_value *bf = tile(&t, PTK_SPACE_VEC, PTK_DT_BF16, 16, 16);
  ptk_value *i8 = tile(&t, PTK_SPACE_VEC, PTK_DT_I8, 16, 32); /* 32-byte rows */
  ptk_value *f32w = tile(&t, PTK_SPACE_VEC, PTK_DT_F32, 16, 32);
  dps(&t, PTK_OP_TCVT, f32, NULL, bf);
  dps(&t, PTK_OP_TCVT, f32w, NULL, i8);
  const ptk_type *r8 = tile_t(&t, PTK_SPACE_VEC, PTK_DT_F32, 8, 16);
  const ptk_type *m16 = tile_t(&t, PTK_SPACE_MAT, PTK_DT_F32, 16, 16);
  op1(&t, PTK_OP_TRESHAPE, f32, NULL, r8);
  op1(&t, PTK_OP_TRESHAPE, f32, NULL, m16);
  ptk_tile_desc cd = ptk_tile_desc_make(PTK_SPACE_VEC, F32, 16, 1);
  cd.blayout = PTK_BLAYOUT_COL_MAJOR;
  ptk_value *col = alloc_t(&t, ptk_type_tile_buf(t.m, &cd));
  ptk_build_dps(t.m, t.b, PTK_OP_TROWSUM, (ptk_value *[]){f32, f32}, 2, &col, 1, L0);
  ptk_build_dps(t.m, t.b, PTK_OP_TROWMAX, (ptk_value *[]){f32, f32}, 2, &f32, 1, L0);
  dps(&t, PTK_OP_TCMP, f32, f32, i8);
  dps(&t, PTK_OP_TCMP, f32, f32, bf);
  ret(&t);
  EXPECT(&t, "error: 'pto.tcvt' cannot convert f32 to i8\n"
             "error: 'pto.treshape' must keep the byte size: the source !pto.tile_buf<vec, "
             "16x16xf32> has 1024 bytes, "
             "the result !pto.tile_buf<vec, 8x16xf32> has 512\n"
             "error: 'pto.treshape' cannot change the tile location ('vec' to 'mat')\n"
             "error: 'pto.trowmax' destination operand #2 (outs[0]) must be an Rx1 col_major tile "
             "or have v_col=1, "
             "but has type !pto.tile_buf<vec, 16x16xf32>\n"
             "error: 'pto.tcmp' mask operand #2 (outs[0]) must have dtype i8, ui8 or ui32, but has "
             "bf16\n");
}

/* ---- arith ---- */

TEST(arith_types) {
  T t = begin(NULL, 0, NULL, 0);
  ptk_value *a = named(cst(&t, 1, IDX), "a"), *b = named(cst(&t, 2, I32), "b");
  op1(&t, PTK_OP_ARITH_ADDI, a, b, IDX);
  op1(&t, PTK_OP_ARITH_ADDI, a, a, I32);
  op1(&t, PTK_OP_ARITH_ADDF, a, a, IDX);
  ptk_op *cmp = ptk_build(t.m, t.b, PTK_OP_ARITH_CMPI, (ptk_value *[]){a, a}, 2, TY(I1), 1, L0);
  ptk_op_set_attr(cmp, "predicate", ptk_attr_int(t.m, 12, NULL));
  ptk_op *cmp2 = ptk_build(t.m, t.b, PTK_OP_ARITH_CMPI, (ptk_value *[]){a, a}, 2, TY(I1), 1, L0);
  (void)cmp2;
  op1(&t, PTK_OP_ARITH_INDEX_CAST, a, NULL, IDX);
  op1(&t, PTK_OP_ARITH_INDEX_CAST, b, NULL, IDX); /* fine */
  op1(&t, PTK_OP_ARITH_EXTSI, b, NULL, S(PTK_DT_I16));
  ptk_build(t.m, t.b, PTK_OP_ARITH_SELECT, (ptk_value *[]){a, a, a}, 3, TY(IDX), 1, L0);
  ptk_op *k = ptk_build(t.m, t.b, PTK_OP_ARITH_CONSTANT, NULL, 0, TY(IDX), 1, L0);
  ptk_op_set_attr(k, "value", ptk_attr_int(t.m, 3, I32));
  ret(&t);
  EXPECT(&t, "error: 'arith.addi' operand #1 has type i32, but operand #0 has type index\n"
             "error: 'arith.addi' result has type i32, but its operands have type index\n"
             "error: 'arith.addf' operand #0 must be a float scalar, but has type index\n"
             "note: value '%a' is defined here\n"
             "error: 'arith.addf' operand #1 must be a float scalar, but has type index\n"
             "note: value '%a' is defined here\n"
             "error: 'arith.addf' result #0 must be a float scalar, but has type index\n"
             "error: 'arith.cmpi' predicate 12 is out of range (0 to 9)\n"
             "error: 'arith.cmpi' requires attribute 'predicate'\n"
             "error: 'arith.index_cast' must convert between index and an integer type, but "
             "converts index to index\n"
             "error: 'arith.extsi' must convert an integer type to a wider integer type, but "
             "converts i32 to i16\n"
             "error: 'arith.select' operand #0 (condition) must be i1, but has type index\n"
             "note: value '%a' is defined here\n"
             "error: 'arith.constant' value 3 : i32 does not match the result type index\n");
}

/* ---- attributes ---- */

TEST(attributes) {
  T t = begin(NULL, 0, NULL, 0);
  ptk_value *a = tile(&t, PTK_SPACE_VEC, PTK_DT_F32, 16, 16);
  ptk_value *m = tile(&t, PTK_SPACE_VEC, PTK_DT_UI8, 16, 32);
  ptk_op *c1 = dps(&t, PTK_OP_TCMP, a, a, m);
  ptk_op_set_attr(c1, "cmpMode", ptk_attr_enum(t.m, "pto", "cmp", "less", PTK_ENUM_ANGLE));
  ptk_op *c2 = dps(&t, PTK_OP_TCMP, a, a, m);
  ptk_op_set_attr(c2, "cmpMode", ptk_attr_pto_enum(t.m, "round_mode", "ROUND"));
  ptk_op *c3 = dps(&t, PTK_OP_TCMP, a, a, m);
  ptk_op_set_attr(c3, "cmpMode", ptk_attr_pto_enum(t.m, "cmp", "lt"));
  ptk_build(t.m, t.b, PTK_OP_BARRIER, NULL, 0, NULL, 0, L0);
  ret(&t);
  EXPECT(&t, "error: 'pto.tcmp' attribute 'cmpMode' has invalid value 'less' for enum 'cmp' "
             "(expected eq, ne, lt, le, gt or ge)\n"
             "error: 'pto.tcmp' attribute 'cmpMode' must be a 'cmp' enum (#pto<cmp …>), but is "
             "#pto<round_mode ROUND>\n"
             "error: 'pto.barrier' requires attribute 'pipe'\n");
}

TEST(region_counts) {
  T t = begin(NULL, 0, NULL, 0);
  ptk_value *c0 = cst(&t, 0, IDX);
  ptk_build(t.m, t.b, PTK_OP_SCF_FOR, (ptk_value *[]){c0, c0, c0}, 3, NULL, 0, L0);
  ptk_op *sec = ptk_build(t.m, t.b, PTK_OP_SECTION_CUBE, NULL, 0, NULL, 0, L0);
  ptk_region_add_block(t.m, &sec->regions[0]);
  ptk_region_add_block(t.m, &sec->regions[0]);
  ret(&t);
  EXPECT(&t, "error: 'scf.for' region #0 is empty: it needs one block\n"
             "error: 'pto.section.cube' region #0 has 2 blocks; only single-block regions are "
             "supported\n");
}
