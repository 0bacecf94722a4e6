/* ptoas's rules for the FIXPIPE stores out of L0C (pto.mte_l0c_gm,
 * mte_l0c_l1, mte_l0c_ub: VPTO.cpp verifyStructuredAccStoreLike,
 * MteL0cUbOp::verify and the clause parser). The reader checks the clause
 * grammar; these are the rules between clauses, types and constants. */
#include <string.h>

#include "backend/verify_int.h"

/* The operand of clause `name(…)` written `key = %` (key NULL: the
 * operand without a key); NULL when the clause or the operand is absent.
 * *present tells whether the clause is there. */
static ptk_value *clause_operand(const ptk_op *op, const char *name, const char *key, bool *present) {
  if (present) *present = false;
  if (!op->form) return NULL;
  size_t nl = strlen(name), kl = key ? strlen(key) : 0;
  uint32_t k = 0; /* operands before the current position */
  for (const char *f = op->form; *f; f++) {
    if (*f == '%' || *f == '?') {
      k++;
      continue;
    }
    bool prev_word = f > op->form && (f[-1] == '_' || (f[-1] >= 'a' && f[-1] <= 'z') ||
                                      (f[-1] >= 'A' && f[-1] <= 'Z') || (f[-1] >= '0' && f[-1] <= '9'));
    if (prev_word || strncmp(f, name, nl) != 0 || f[nl] != '(') continue;
    if (present) *present = true;
    /* items of the clause: `%`, `*`, `key=%`, `key=*`, comma-separated */
    for (const char *q = f + nl + 1; *q && *q != ')';) {
      const char *e = q + strcspn(q, ",)");
      const char *eq = memchr(q, '=', (size_t)(e - q));
      bool opnd = memchr(q, '%', (size_t)(e - q)) != NULL;
      bool match = key ? (eq && (size_t)(eq - q) == kl && memcmp(q, key, kl) == 0) : !eq;
      if (opnd && match) return k < op->noperands ? op->operands[k] : NULL;
      if (opnd) k++;
      q = *e == ',' ? e + 1 : e;
    }
    return NULL;
  }
  return NULL;
}

static bool const_int(const ptk_value *v, int64_t *out) {
  if (!v || !v->def || v->def->kind != PTK_OP_ARITH_CONSTANT) return false;
  const ptk_attr *a = ptk_op_attr(v->def, "value");
  if (!a || a->kind != PTK_ATTR_INT) return false;
  *out = a->i;
  return true;
}

static bool str_is(const ptk_attr *a, const char *s) {
  return a && a->kind == PTK_ATTR_STRING && a->str.len == strlen(s) && memcmp(a->str.s, s, a->str.len) == 0;
}

/* The element type a pointer operand points to. */
static bool ptr_elem(const ptk_value *v, ptk_dtype *dt) {
  if (!v || !v->type || v->type->kind != PTK_TY_PTR || !v->type->elem || v->type->elem->kind != PTK_TY_SCALAR)
    return false;
  *dt = v->type->elem->dt;
  return true;
}

static bool scalar_dt(const ptk_value *v, ptk_dtype *dt) {
  if (!v || !v->type || v->type->kind != PTK_TY_SCALAR) return false;
  *dt = v->type->dt;
  return true;
}

static bool is_f16_bf16_f32(ptk_dtype d) { return d == PTK_DT_F16 || d == PTK_DT_BF16 || d == PTK_DT_F32; }

/* Bare words sat / nosat and the clause sat(preserve_nan): one at most. */
static void check_sat(vctx *c, ptk_op *op) {
  unsigned n = 0;
  for (int k = 0; k < 4; k++) {
    char wn[3] = {'w', (char)('0' + k), 0};
    const ptk_attr *a = ptk_op_attr(op, wn);
    n += str_is(a, "sat") || str_is(a, "nosat");
  }
  for (uint32_t i = 0; ptk_op_clause(op, "sat", i, NULL, NULL); i++) n++;
  if (n > 1) VERR(c, op, "'%s' takes one sat, nosat or sat(preserve_nan) clause, not %u", vop_name(op), n);
}

/* pre_relu's mode and its payload; clip's destination and payload types. */
static void check_pre_relu(vctx *c, ptk_op *op, ptk_dtype dst) {
  bool present;
  ptk_value *pay = clause_operand(op, "pre_relu", NULL, &present);
  ptk_value *clip = clause_operand(op, "pre_relu", "clip", NULL);
  if (!present) return;
  const ptk_attr *mode = ptk_op_attr(op, "pre_relu.mode");
  ptk_dtype pd;
  if (str_is(mode, "scalar_relu") && !pay) {
    VERR(c, op, "'%s' pre_relu(mode = scalar_relu) needs its scalar payload operand", vop_name(op));
    return;
  }
  if (str_is(mode, "vector_relu") && pay && ptr_elem(pay, &pd) && !is_f16_bf16_f32(pd)) {
    VERR(c, op, "'%s' pre_relu(mode = vector_relu) scales by a pointer to f16, bf16 or f32, not %s", vop_name(op),
         vty(c, pay->type));
    return;
  }
  if (!clip) return;
  bool sint = dst == PTK_DT_I8 || dst == PTK_DT_I16 || dst == PTK_DT_SI8 || dst == PTK_DT_SI16;
  if (dst != PTK_DT_F16 && dst != PTK_DT_UI8 && !sint) {
    VERR(c, op, "'%s' clips only an f16, ui8 or signed 4/8/16-bit integer destination, not %s", vop_name(op),
         ptk_dtype_name(dst));
    return;
  }
  ptk_dtype cd;
  if (!scalar_dt(clip, &cd)) return;
  const char *want = NULL;
  if (dst == PTK_DT_F16 && cd != PTK_DT_F16) want = "f16";
  if (dst == PTK_DT_UI8 && cd != PTK_DT_UI16 && cd != PTK_DT_I16) want = "ui16 or i16";
  if (sint && cd != PTK_DT_I8 && cd != PTK_DT_I16 && cd != PTK_DT_SI8 && cd != PTK_DT_SI16)
    want = "a signed or signless 4/8/16-bit integer";
  if (want)
    VERR(c, op, "'%s' clip value for a %s destination is %s, not %s", vop_name(op), ptk_dtype_name(dst), want,
         ptk_dtype_name(cd));
}

/* nz2dn(stride): with a unit flag the stride must be the constant 1. */
static void check_unit_flag(vctx *c, ptk_op *op) {
  if (!ptk_op_attr(op, "unit_flag") && !ptk_op_clause(op, "unit_flag", 0, NULL, NULL)) return;
  ptk_value *s = clause_operand(op, "nz2dn", NULL, NULL);
  int64_t v;
  if (s && (!const_int(s, &v) || v != 1))
    VERR(c, op, "'%s' with unit_flag(…) takes nz2dn(…) with the constant stride 1: the unit flag cannot "
         "track a strided layout", vop_name(op));
}

/* mte_l0c_ub dst_mode(split_m | split_n): both vector cores receive half;
 * no transform clause, m even (split_m) or n a multiple of 32 (split_n). */
static void check_dual_dst(vctx *c, ptk_op *op) {
  const ptk_attr *dm = ptk_op_attr(op, "dst_mode");
  bool sm = str_is(dm, "split_m"), sn = str_is(dm, "split_n");
  if (!sm && !sn) return;
  static const char *const no[] = {"pre_quant", "pre_relu", "nz2dn", "nz2nz", "loop3"};
  for (size_t i = 0; i < sizeof no / sizeof *no; i++)
    if (ptk_op_clause(op, no[i], 0, NULL, NULL)) {
      VERR(c, op, "'%s' dst_mode(%s) writes both vector cores and takes no %s(…) clause", vop_name(op),
           sm ? "split_m" : "split_n", no[i]);
      return;
    }
  int64_t v;
  if (sm && op->noperands > 2 && const_int(op->operands[2], &v) && v % 2 != 0)
    VERR(c, op, "'%s' dst_mode(split_m) halves m, which must be even, not %lld", vop_name(op), (long long)v);
  if (sn && op->noperands > 3 && const_int(op->operands[3], &v) && v % 32 != 0)
    VERR(c, op, "'%s' dst_mode(split_n) halves n, which must be a multiple of 32, not %lld", vop_name(op),
         (long long)v);
}

/* pre_quant modes (PTOAttrs.td AccStoreQuantPreMode): the accumulator
 * they read (f32, i32, or none: req4 is accepted by neither of ptoas's
 * source lists) and the destination family they write. A `_vec` mode
 * scales by a pointer to per-channel factors, the others by a scalar. */
typedef enum { Q_F32, Q_I32, Q_NONE } qsrc;
typedef enum { D_F32, D_F16, D_BF16, D_I32, D_I16, D_I8, D_I4, D_FP8 } qdst;
static const struct {
  const char *stem; /* the mode without _vec / _scalar */
  qsrc src;
  qdst dst;
} quant_modes[] = {
    {"f32_f16", Q_F32, D_F16},           {"qf322hif8_pre", Q_F32, D_FP8},   {"qf322hif8_pre_hybrid", Q_F32, D_FP8},
    {"deqs32_int", Q_I32, D_I32},        {"req8", Q_I32, D_I8},             {"deqf16", Q_I32, D_F16},
    {"qf322fp8_pre", Q_F32, D_FP8},      {"qf322f32_pre", Q_F32, D_F32},    {"f32_bf16", Q_F32, D_BF16},
    {"qf162b8_pre", Q_F32, D_I8},        {"qf162s4_pre", Q_F32, D_I4},      {"req4", Q_NONE, D_I4},
    {"qf322b8_pre", Q_F32, D_I8},        {"qf322s4_pre", Q_F32, D_I4},      {"deqs16", Q_I32, D_I16},
    {"qf162s16_pre", Q_I32, D_I16},      {"qf322f16_pre", Q_F32, D_F16},    {"qf322bf16_pre", Q_F32, D_BF16},
    {"qs322bf16_pre", Q_I32, D_BF16},
};

static bool dst_in(ptk_dtype d, qdst f) {
  switch (f) {
  case D_F32: return d == PTK_DT_F32;
  case D_F16: return d == PTK_DT_F16;
  case D_BF16: return d == PTK_DT_BF16;
  case D_I32: return d == PTK_DT_I32 || d == PTK_DT_SI32 || d == PTK_DT_UI32;
  case D_I16: return d == PTK_DT_I16 || d == PTK_DT_SI16;
  case D_I8: return d == PTK_DT_I8 || d == PTK_DT_SI8 || d == PTK_DT_UI8;
  case D_I4: return false; /* no 4-bit integer element in ptk */
  case D_FP8: return d == PTK_DT_F8E4M3FN || d == PTK_DT_F8E5M2 || d == PTK_DT_HIF8 || d == PTK_DT_HIF8X2;
  }
  return false;
}

static void check_pre_quant(vctx *c, ptk_op *op, ptk_dtype src, ptk_dtype dst) {
  bool present;
  ptk_value *pay = clause_operand(op, "pre_quant", NULL, &present);
  const ptk_attr *mode = ptk_op_attr(op, "pre_quant.mode");
  if (!present || !pay || !mode || mode->kind != PTK_ATTR_STRING || str_is(mode, "no_convert")) return;
  const char *m = mode->str.s;
  size_t ml = mode->str.len;
  bool vec = ml > 4 && memcmp(m + ml - 4, "_vec", 4) == 0, sca = ml > 7 && memcmp(m + ml - 7, "_scalar", 7) == 0;
  size_t sl = vec ? ml - 4 : sca ? ml - 7 : ml;
  int q = -1;
  for (size_t i = 0; i < sizeof quant_modes / sizeof *quant_modes; i++)
    if (strlen(quant_modes[i].stem) == sl && memcmp(quant_modes[i].stem, m, sl) == 0) q = (int)i;
  if (q < 0) return; /* the reader's enum check reports unknown modes */
  ptk_dtype pd;
  if (vec && !(ptr_elem(pay, &pd) && is_f16_bf16_f32(pd))) {
    VERR(c, op, "'%s' pre_quant(mode = %.*s) scales by a pointer to f16, bf16 or f32, not %s", vop_name(op),
         (int)ml, m, vty(c, pay->type));
    return;
  }
  if (!vec && !(scalar_dt(pay, &pd) && is_f16_bf16_f32(pd))) {
    VERR(c, op, "'%s' pre_quant(mode = %.*s) scales by an f16, bf16 or f32 scalar, not %s", vop_name(op), (int)ml,
         m, vty(c, pay->type));
    return;
  }
  if (src != PTK_DT_F32 && src != PTK_DT_I32) {
    VERR(c, op, "'%s' pre_quant(…) reads an f32 or i32 accumulator, not %s", vop_name(op), ptk_dtype_name(src));
    return;
  }
  qsrc want = src == PTK_DT_F32 ? Q_F32 : Q_I32;
  if (quant_modes[q].src != want || !dst_in(dst, quant_modes[q].dst))
    VERR(c, op, "'%s' pre_quant(mode = %.*s) does not convert a %s accumulator to %s", vop_name(op), (int)ml, m,
         ptk_dtype_name(src), ptk_dtype_name(dst));
}

void vop_check_vpto_fixpipe(vctx *c, ptk_op *op) {
  if (op->kind != PTK_OP_MTE_L0C_GM && op->kind != PTK_OP_MTE_L0C_L1 && op->kind != PTK_OP_MTE_L0C_UB) return;
  size_t e0 = ptk_diags_errors(c->d);
  check_sat(c, op);
  ptk_dtype src, dst;
  if (ptk_diags_errors(c->d) == e0 && op->noperands > 1 && ptr_elem(op->operands[0], &src) &&
      ptr_elem(op->operands[1], &dst))
    check_pre_quant(c, op, src, dst);
  if (ptk_diags_errors(c->d) == e0 && op->noperands > 1 && ptr_elem(op->operands[1], &dst))
    check_pre_relu(c, op, dst);
  if (ptk_diags_errors(c->d) == e0) check_unit_flag(c, op);
  if (ptk_diags_errors(c->d) == e0 && op->kind == PTK_OP_MTE_L0C_UB) check_dual_dst(c, op);
}
