/* ptoas's rules for the SIMT scalar micro-instructions (VPTO.cpp:
 * verifyLdgStgAccess, verifyShuffleSemanticControl, verifyReduxSemanticType,
 * verifyAtomicCommon, the scalar convert verifier; PTO.cpp keep/resume). */
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

/* vector<2xf16> / vector<2xbf16>: the packed atomic operand types. */
static bool is_packed_half(const ptk_type *t) {
  return t && t->kind == PTK_TY_OPAQUE && t->text &&
         (strcmp(t->text, "vector<2xf16>") == 0 || strcmp(t->text, "vector<2xbf16>") == 0);
}

typedef struct {
  const ptk_value *v;
  bool used;
} use_scan;

static bool find_use(ptk_op *op, void *ctx) {
  use_scan *u = ctx;
  for (uint32_t i = 0; i < op->noperands; i++)
    if (op->operands[i] == u->v) {
      u->used = true;
      return false;
    }
  return true;
}

/* ptoas (VPTO.cpp verifyAtomicCommon, beta.1): packed half atomics run
 * inside a pto.simt_entry function and do not return the old value. */
static void check_packed_atomic(vctx *c, ptk_op *op) {
  if (op->noperands < 2 || !op->operands[1] || !is_packed_half(op->operands[1]->type)) return;
  ptk_func *f = ptk_op_func(op);
  if (!f) return;
  if (!ptk_func_attr(f, "pto.simt_entry")) {
    VERR(c, op, "'%s' on %s runs only inside a pto.simt_entry function", vop_name(op), vty(c, op->operands[1]->type));
    return;
  }
  if (op->nresults < 1) return;
  use_scan u = {ptk_op_result(op, 0), false};
  ptk_walk_func(f, find_use, &u);
  if (u.used)
    VERR(c, op, "'%s' on %s does not return the old value: leave its result unused", vop_name(op),
         vty(c, op->operands[1]->type));
}

/* ptoas (PTO.cpp verifySimtKeepResumeSlotRange): 123 slots of 32 bits; a
 * 64-bit integer takes an even slot and the one after it. */
static void check_keep_slot(vctx *c, ptk_op *op) {
  const ptk_type *t = op->kind == PTK_OP_KEEP ? (op->noperands ? op->operands[0]->type : NULL)
                                              : (op->nresults ? op->results[0].type : NULL);
  ptk_dtype d;
  int64_t slot;
  const ptk_attr *a = ptk_op_attr(op, "slot");
  if (!scalar_of(t, &d) || !a || !ptk_attr_get_int(a, &slot)) return;
  unsigned regs;
  if (is_int(d) && ptk_dtype_bits(d) <= 32) regs = 1;
  else if (is_int(d) && ptk_dtype_bits(d) == 64) regs = 2;
  else if (d == PTK_DT_F16 || d == PTK_DT_BF16 || d == PTK_DT_F32) regs = 1;
  else return;
  if (slot < 0 || slot > 122)
    VERR(c, op, "'%s' slot %lld is out of range: there are slots 0 to 122", vop_name(op), (long long)slot);
  else if (regs == 2 && slot % 2 != 0)
    VERR(c, op, "'%s' of a 64-bit value takes an even slot (and the next one), not %lld", vop_name(op),
         (long long)slot);
  else if (regs == 2 && slot + 1 > 122)
    VERR(c, op, "'%s' of a 64-bit value takes slots %lld and %lld, but the last slot is 122", vop_name(op),
         (long long)slot, (long long)slot + 1);
}

void vop_check_vpto_simt(vctx *c, ptk_op *op) {
  ptk_dtype d, s;
  switch (op->kind) {
  case PTK_OP_LDG:
  case PTK_OP_STG: {
    /* the global load/store path reaches GM only; UB has vlds/vsts */
    const ptk_value *p = first_ptr(op);
    if (p && p->type->space != PTK_SPACE_GM) {
      VERR(c, op, "'%s' accesses global memory: its pointer must point into gm, but has type %s", vop_name(op),
           vty(c, p->type));
      break;
    }
    /* packed vectors: two lanes of a 8/16/32-bit type (VPTO.cpp
     * verifyLdgStgAccess, PTOTypeUtils isPTOPackedLdgStgVectorType) */
    const ptk_type *t = op->kind == PTK_OP_LDG ? (op->nresults ? op->results[0].type : NULL)
                                               : (op->noperands ? op->operands[0]->type : NULL);
    if (t && t->kind == PTK_TY_OPAQUE && t->text && strncmp(t->text, "vector<", 7) == 0) {
      static const char *const ok[] = {"vector<2xf16>", "vector<2xbf16>", "vector<2xf32>", "vector<2xf8E4M3FN>",
                                       "vector<2xf8E5M2>", "vector<2xi8>", "vector<2xi16>", "vector<2xi32>",
                                       "vector<2xsi8>", "vector<2xsi16>", "vector<2xsi32>", "vector<2xui8>",
                                       "vector<2xui16>", "vector<2xui32>"};
      bool good = false;
      for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) good |= strcmp(t->text, ok[i]) == 0;
      if (!good)
        VERR(c, op, "'%s' moves packed vectors of two f16, bf16, f32, fp8, i8, i16 or i32 lanes, not %s",
             vop_name(op), vty(c, t));
    }
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
    else
      check_packed_atomic(c, op);
    break;
  }
  case PTK_OP_KEEP:
  case PTK_OP_RESUME: {
    check_keep_slot(c, op);
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
