/* The f32 per-element expressions of the basic elementwise ops, shared by the
 * tile library's loops (elem.c kern_f) and the JIT's fused groups
 * (backend/c/emit.c): one definition, so both give the same bits. Every
 * user builds with -ffp-contract=off, so an expression is exactly one IEEE
 * operation (max/min: the first operand unless the other is larger/smaller,
 * NaN handling included). */
#ifndef PTK_RUNTIME_ISA_EW_H
#define PTK_RUNTIME_ISA_EW_H

#include <math.h>

#include "runtime/isa/fmath.h"
#include "runtime/isa/isa.h"

static inline float ptk_ew_add_f(float a, float b) { return a + b; }
static inline float ptk_ew_sub_f(float a, float b) { return a - b; }
static inline float ptk_ew_mul_f(float a, float b) { return a * b; }
static inline float ptk_ew_div_f(float a, float b) { return a / b; }
static inline float ptk_ew_max_f(float a, float b) { return a < b ? b : a; }
static inline float ptk_ew_min_f(float a, float b) { return b < a ? b : a; }

/* Unary ops (ptk_isa_unop). exp/log are ptk's own (fmath.h); sqrt and
 * rsqrt are correctly rounded (rsqrt in double, then rounded once). */
static inline float ptk_ew_abs_f(float a) { return fabsf(a); }
static inline float ptk_ew_neg_f(float a) { return -a; }
static inline float ptk_ew_exp_f(float a) { return ptk_expf(a); }
static inline float ptk_ew_log_f(float a) { return ptk_logf(a); }
static inline float ptk_ew_sqrt_f(float a) { return sqrtf(a); }
static inline float ptk_ew_rsqrt_f(float a) { return (float)(1.0 / sqrt((double)a)); }
static inline float ptk_ew_recip_f(float a) { return 1.0f / a; }
static inline float ptk_ew_relu_f(float a) { return a < 0 ? 0.0f : a; }

/* A tile-scalar op's scalar as an f32 operand: the double rounded once, an
 * integer converted with one rounding (what the tile library does). */
static inline float ptk_ew_scalar_f(ptk_isa_scalar s) { return s.is_float ? (float)s.f : (float)s.i; }

/* The binary ops above by ptk_isa_binop; false for any other op (it has no fused
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

/* The unary ops above by ptk_isa_unop, as fused loops may use them; NULL
 * for any other op. Not neg: inlined next to another op, gcc folds it
 * away (-a + b into b - a, -(a * b) into a * -b), which is exact except
 * for the sign of a NaN result. */
static inline const char *ptk_ew_unary_fn_name(int op) {
  switch (op) {
  case PTK_ISA_ABS: return "ptk_ew_abs_f";
  case PTK_ISA_EXP: return "ptk_ew_exp_f";
  case PTK_ISA_LOG: return "ptk_ew_log_f";
  case PTK_ISA_SQRT: return "ptk_ew_sqrt_f";
  case PTK_ISA_RSQRT: return "ptk_ew_rsqrt_f";
  case PTK_ISA_RECIP: return "ptk_ew_recip_f";
  case PTK_ISA_RELU: return "ptk_ew_relu_f";
  default: return NULL;
  }
}

/* Fused groups (backend/fuse.h), run-time conditions both engines test:
 * tile t holds vr x vc elements from its
 * first one, row pitch t->scols, like a freshly allocated tile. */
static inline int ptk_fz_tile(const ptk_tile *t, int32_t vr, int32_t vc) {
  return t->vrows == vr && t->vcols == vc && !t->r0 && !t->c0;
}
/* [p, p + n) and [q, q + m) bytes: 0 disjoint, 1 overlapping. */
static inline int ptk_fz_overlap(const void *p, int64_t n, const void *q, int64_t m) {
  uintptr_t a = (uintptr_t)p, b = (uintptr_t)q;
  return n > 0 && m > 0 && a < b + (uintptr_t)m && b < a + (uintptr_t)n;
}
/* A broadcast operand x of an expand op read in place (row: column 0 of
 * rows 0..vr-1; else row 0 of columns 0..vc-1), as the tile library would
 * read it: not a sub-view, valid far enough, and (first: it is src0) not of
 * the destination's valid shape, which would make the library broadcast
 * the other operand. */
static inline int ptk_fz_bcast(const ptk_tile *x, int32_t vr, int32_t vc, int row, int first) {
  if (x->r0 || x->c0 || (first && x->vrows == vr && x->vcols == vc)) return 0;
  return row ? x->vrows >= vr && x->vcols >= 1 : x->vcols >= vc && x->vrows >= 1;
}
/* Element strides of a no-box tile: next row, next column. */
static inline int64_t ptk_fz_rs(const ptk_tile *x) { return x->blayout == PTK_ISA_ROW_MAJOR ? x->scols : 1; }
static inline int64_t ptk_fz_cs(const ptk_tile *x) { return x->blayout == PTK_ISA_ROW_MAJOR ? 1 : x->srows; }
/* Bytes of an r x c f32 region with row pitch ld elements. */
static inline int64_t ptk_fz_span(int64_t r, int64_t c, int64_t ld) {
  return r > 0 && c > 0 ? ((r - 1) * ld + c) * 4 : 0;
}

#endif
