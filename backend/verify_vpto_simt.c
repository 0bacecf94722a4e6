/* ptoas's rules for the SIMT scalar micro-instructions (VPTO.cpp:
 * verifyLdgStgAccess, verifyShuffleSemanticControl, verifyReduxSemanticType,
 * verifyAtomicCommon, the scalar convert verifier). */
#include <string.h>

#include "backend/verify_int.h"

/* One of the bare words w0…w3 equals s. */
static bool has_word(const ptk_op *op, const char *s) {
  for (int k = 0; k < 4; k++) {
    char wn[3] = {'w', (char)('0' + k), 0};
    const ptk_attr *a = ptk_op_attr(op, wn);
    if (a && a->kind == PTK_ATTR_STRING && a->str.len == strlen(s) && memcmp(a->str.s, s, a->str.len) == 0)
      return true;
  }
  return false;
}

static const ptk_value *first_ptr(const ptk_op *op) {
  for (uint32_t i = 0; i < op->noperands; i++)
    if (op->operands[i] && op->operands[i]->type && op->operands[i]->type->kind == PTK_TY_PTR) return op->operands[i];
  return NULL;
}

static bool scalar_of(const ptk_type *t, ptk_dtype *dt) {
  if (!t || t->kind != PTK_TY_SCALAR) return false;
  *dt = t->dt;
  return true;
}

static bool is_int(ptk_dtype d) { return ptk_dtype_is_int(d) && d != PTK_DT_INDEX && d != PTK_DT_I1; }

void vop_check_vpto_simt(vctx *c, ptk_op *op) {
  ptk_dtype d, s;
  switch (op->kind) {
  case PTK_OP_LDG:
  case PTK_OP_STG: {
    /* the global load/store path reaches GM only; UB has vlds/vsts */
    const ptk_value *p = first_ptr(op);
    if (p && p->type->space != PTK_SPACE_GM)
      VERR(c, op, "'%s' accesses global memory: its pointer must point into gm, but has type %s", vop_name(op),
           vty(c, p->type));
    break;
  }
  case PTK_OP_SHUFFLE_IDX:
  case PTK_OP_SHUFFLE_UP:
  case PTK_OP_SHUFFLE_DOWN:
  case PTK_OP_SHUFFLE_BFLY: {
    const ptk_attr *w = ptk_op_attr(op, "width");
    int64_t v;
    if (w && ptk_attr_get_int(w, &v) && v != 16 && v != 32)
      VERR(c, op, "'%s' shuffles within groups of width 16 or 32 lanes, not %lld", vop_name(op), (long long)v);
    break;
  }
  case PTK_OP_REDUX_MAX:
  case PTK_OP_REDUX_MIN:
    /* an integer max/min differs between signed and unsigned: say which */
    if (op->noperands == 1 && scalar_of(op->operands[0]->type, &d) && is_int(d) && !has_word(op, "signed") &&
        !has_word(op, "unsigned"))
      VERR(c, op, "'%s' of %s integers needs a signed or unsigned word", vop_name(op), ptk_dtype_name(d));
    break;
  case PTK_OP_ATOMIC_ADD:
  case PTK_OP_ATOMIC_SUB:
  case PTK_OP_ATOMIC_MIN:
  case PTK_OP_ATOMIC_MAX:
  case PTK_OP_ATOMIC_AND:
  case PTK_OP_ATOMIC_OR:
  case PTK_OP_ATOMIC_XOR:
  case PTK_OP_ATOMIC_EXCH:
  case PTK_OP_ATOMIC_CAS: {
    const ptk_value *p = first_ptr(op);
    if (p && p->type->space == PTK_SPACE_VEC && p->type->elem && scalar_of(p->type->elem, &d) &&
        ptk_dtype_bits(d) == 64 && is_int(d))
      VERR(c, op, "'%s' on ub has no 64-bit form: i64 atomics work on gm only, not %s", vop_name(op),
           vty(c, p->type));
    break;
  }
  case PTK_OP_CONVERT:
    /* a float to i32/i64 conversion saturates out-of-range values only
     * when asked; ptoas requires asking */
    if (op->noperands == 1 && op->nresults == 1 && scalar_of(op->operands[0]->type, &s) &&
        scalar_of(op->results[0].type, &d) && (s == PTK_DT_F32 || s == PTK_DT_F16 || s == PTK_DT_BF16) &&
        is_int(d) && (ptk_dtype_bits(d) == 32 || (s == PTK_DT_F32 && ptk_dtype_bits(d) == 64)) && !has_word(op, "sat"))
      VERR(c, op, "'%s' from %s to %s needs the sat word: a float-to-integer conversion saturates", vop_name(op),
           ptk_dtype_name(s), ptk_dtype_name(d));
    break;
  default: break;
  }
}
