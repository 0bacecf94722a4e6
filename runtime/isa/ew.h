/* The f32 per-element expressions of the basic binary ops, shared by the
 * tile library's loops (elem.c kern_f) and the JIT's fused groups
 * (backend/c/emit.c): one definition, so both give the same bits. Every
 * user builds with -ffp-contract=off, so an expression is exactly one IEEE
 * operation (max/min: the first operand unless the other is larger/smaller,
 * NaN handling included). */
#ifndef PTK_RUNTIME_ISA_EW_H
#define PTK_RUNTIME_ISA_EW_H

#include "runtime/isa/isa.h"

static inline float ptk_ew_add_f(float a, float b) { return a + b; }
static inline float ptk_ew_sub_f(float a, float b) { return a - b; }
static inline float ptk_ew_mul_f(float a, float b) { return a * b; }
static inline float ptk_ew_div_f(float a, float b) { return a / b; }
static inline float ptk_ew_max_f(float a, float b) { return a < b ? b : a; }
static inline float ptk_ew_min_f(float a, float b) { return b < a ? b : a; }

/* The ops above by ptk_isa_binop; false for any other op (it has no fused
 * form). */
static inline int ptk_ew_fusable(int op) {
  return op == PTK_ISA_ADD || op == PTK_ISA_SUB || op == PTK_ISA_MUL || op == PTK_ISA_DIV ||
         op == PTK_ISA_MAX || op == PTK_ISA_MIN;
}
/* The name of op's function above (for generated C); NULL when not fusable. */
static inline const char *ptk_ew_fn_name(int op) {
  switch (op) {
  case PTK_ISA_ADD: return "ptk_ew_add_f";
  case PTK_ISA_SUB: return "ptk_ew_sub_f";
  case PTK_ISA_MUL: return "ptk_ew_mul_f";
  case PTK_ISA_DIV: return "ptk_ew_div_f";
  case PTK_ISA_MAX: return "ptk_ew_max_f";
  case PTK_ISA_MIN: return "ptk_ew_min_f";
  default: return NULL;
  }
}

#endif
