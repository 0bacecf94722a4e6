/* Private helpers shared by the runtime/isa implementation files. */
#ifndef PTK_RUNTIME_ISA_INTERNAL_H
#define PTK_RUNTIME_ISA_INTERNAL_H

#include <limits.h>
#include <math.h>
#include <string.h>

#include "lang/util.h"
#include "runtime/isa/fp.h"
#include "runtime/isa/isa.h"

/* VLOOP(i, n, body) runs body for i in [0, n) as a main loop whose trip
 * count is a multiple of 16 plus a tail loop, so gcc -O2 (whose "very cheap"
 * vectorizer cost model refuses loops that would need an epilogue) still
 * vectorizes the main loop. gcc 12 also gives up on such loops when they sit
 * inside a larger loop nest, so the hot conversions are small separate
 * functions over restrict arrays. Check with -fopt-info-vec-optimized. */
#define VLOOP(i, n, ...)                                                                           \
  do {                                                                                             \
    size_t i##_n = (size_t)(n), i##_m = i##_n & ~(size_t)15, i;                                    \
    for (i = 0; i < i##_m; i++) {                                                                  \
      __VA_ARGS__;                                                                                 \
    }                                                                                              \
    for (; i < i##_n; i++) {                                                                       \
      __VA_ARGS__;                                                                                 \
    }                                                                                              \
  } while (0)

/* Hot kernels are built twice, for AVX2 and for baseline x86-64, and picked
 * at load time by the CPU (gcc function multiversioning). Both clones do the
 * same IEEE operations element by element in the same order (no FMA
 * contraction: runtime/isa is built with -ffp-contract=off; reductions use
 * the fixed lane order of README "Reductions"), so they give the same bits;
 * only the vector width differs. Other targets: plain functions. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(PTK_NO_CLONES)
#define PTK_ISA_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define PTK_ISA_CLONES
#endif

/* Lanes of the defined row-reduction order (README "Reductions"). */
#define PTK_ISA_RLANES 32

/* Elements per chunk in the row engines (stack buffers). */
#define PTK_ISA_CHUNK 512

/* Record an error message for ptk_isa_error() and return `code`. */
int ptk_isa__fail(int code, const char *fmt, ...) PTK_PRINTF(2, 3);
/* The element types tconcat and tconcatidx take (concat.c). */
bool ptk_isa__concat_dtype_ok(ptk_isa_dtype t);

/* Compute classes: f32/f16/bf16 compute in float, f64 in double, integers
 * (and i1) in int64_t (sign- or zero-extended by dtype). */
enum { CLS_F, CLS_D, CLS_I };
static inline int ptk_isa__cls(ptk_isa_dtype t) {
  switch (t) {
  case PTK_ISA_F32:
  case PTK_ISA_F16:
  case PTK_ISA_BF16: return CLS_F;
  case PTK_ISA_F64: return CLS_D;
  default: return CLS_I;
  }
}
/* Precision of a float-class dtype: 0 f32, 1 f16, 2 bf16. */
static inline int ptk_isa__prec(ptk_isa_dtype t) {
  return t == PTK_ISA_F16 ? 1 : t == PTK_ISA_BF16 ? 2 : 0;
}
/* Round a float to the precision of a float-class dtype. */
static inline float ptk_isa__rnd(float x, int prec) {
  if (prec == 1) return ptk_f16_to_f32(ptk_f32_to_f16(x));
  if (prec == 2) return ptk_bf16_to_f32(ptk_f32_to_bf16(x));
  return x;
}

/* Precomputed physical layout of a (checked) tile. */
enum { LK_ROW, LK_COL, LK_NZ, LK_ZN, LK_ZZ, LK_NN };
typedef struct {
  uint8_t *data;
  int kind;
  int64_t sr, sc;
  int32_t r0, c0;
  int lir, lic; /* log2 of box rows / cols */
  size_t esz;
} ptk_isa_lay;

void ptk_isa__lay(const ptk_tile *t, ptk_isa_lay *L);

static inline int64_t ptk_isa__off(const ptk_isa_lay *L, int32_t r, int32_t c) {
  int64_t R = (int64_t)L->r0 + r, C = (int64_t)L->c0 + c;
  int lir = L->lir, lic = L->lic;
  int64_t ir = R & ((1 << lir) - 1), ic = C & ((1 << lic) - 1);
  switch (L->kind) {
  case LK_ROW: return R * L->sc + C;
  case LK_COL: return C * L->sr + R;
  case LK_NZ: return ((C >> lic) * L->sr << lic) + ((R >> lir) << (lir + lic)) + (ir << lic) + ic;
  case LK_ZN: return ((R >> lir) * L->sc << lir) + ((C >> lic) << (lir + lic)) + (ic << lir) + ir;
  case LK_ZZ: return ((R >> lir) * L->sc << lir) + ((C >> lic) << (lir + lic)) + (ir << lic) + ic;
  default: return ((C >> lic) * L->sr << lic) + ((R >> lir) << (lir + lic)) + (ic << lir) + ir;
  }
}
static inline uint8_t *ptk_isa__ptr(const ptk_isa_lay *L, int32_t r, int32_t c) {
  return L->data + ptk_isa__off(L, r, c) * (int64_t)L->esz;
}
/* ptk_isa__off is a row part plus a column part. These fill out[i] with
 * ptk_isa__off(L, i, 0) for rows i in [0, n) (rows), or with
 * ptk_isa__off(L, 0, i) - ptk_isa__off(L, 0, 0) for columns (!rows): the
 * same values, with the layout switch outside the loop. */
static inline int64_t ptk_isa__colpart(const ptk_isa_lay *L, int64_t C) {
  int lir = L->lir, lic = L->lic;
  int64_t ic = C & ((1 << lic) - 1);
  switch (L->kind) {
  case LK_ROW: return C;
  case LK_COL: return C * L->sr;
  case LK_NZ: return ((C >> lic) * L->sr << lic) + ic;
  case LK_NN: return ((C >> lic) * L->sr << lic) + (ic << lir);
  case LK_ZN: return ((C >> lic) << (lir + lic)) + (ic << lir);
  default: return ((C >> lic) << (lir + lic)) + ic; /* LK_ZZ */
  }
}
static inline void ptk_isa__offs(const ptk_isa_lay *L, bool rows, int32_t n, int64_t *out) {
  int64_t add = rows ? ptk_isa__colpart(L, L->c0) : -ptk_isa__colpart(L, L->c0);
  int64_t x0 = rows ? L->r0 : L->c0, sr = L->sr, sc = L->sc;
  int lir = L->lir, lic = L->lic;
  int64_t mr = ((int64_t)1 << lir) - 1, mc = ((int64_t)1 << lic) - 1;
#define OFFS(EXPR)                                                                                 \
  for (int32_t i = 0; i < n; i++) {                                                                \
    int64_t X = x0 + i;                                                                            \
    out[i] = (EXPR) + add;                                                                         \
  }                                                                                                \
  break
  if (rows) {
    switch (L->kind) {
    case LK_ROW: OFFS(X * sc);
    case LK_COL: OFFS(X);
    case LK_NZ: OFFS(((X >> lir) << (lir + lic)) + ((X & mr) << lic));
    case LK_NN: OFFS(((X >> lir) << (lir + lic)) + (X & mr));
    case LK_ZN: OFFS(((X >> lir) * sc << lir) + (X & mr));
    default: OFFS(((X >> lir) * sc << lir) + ((X & mr) << lic)); /* LK_ZZ */
    }
  } else {
    switch (L->kind) {
    case LK_ROW: OFFS(X);
    case LK_COL: OFFS(X * sr);
    case LK_NZ: OFFS(((X >> lic) * sr << lic) + (X & mc));
    case LK_NN: OFFS(((X >> lic) * sr << lic) + ((X & mc) << lir));
    case LK_ZN: OFFS(((X >> lic) << (lir + lic)) + ((X & mc) << lir));
    default: OFFS(((X >> lic) << (lir + lic)) + (X & mc)); /* LK_ZZ */
    }
  }
#undef OFFS
}

/* Along row r from column c, elements sit at a constant stride for a while:
 * returns the element offset of (r, c), the stride (*step) and how many
 * elements (*len) keep that stride (to the end of the box, or unbounded). */
static inline int64_t ptk_isa__run(const ptk_isa_lay *L, int32_t r, int32_t c, int64_t *step,
                                   int32_t *len) {
  int64_t C = (int64_t)L->c0 + c;
  switch (L->kind) {
  case LK_ROW:
    *step = 1;
    *len = INT32_MAX;
    break;
  case LK_COL:
    *step = L->sr;
    *len = INT32_MAX;
    break;
  case LK_NZ:
  case LK_ZZ:
    *step = 1;
    *len = (int32_t)((1 << L->lic) - (C & ((1 << L->lic) - 1)));
    break;
  default:
    *step = (int64_t)1 << L->lir;
    *len = (int32_t)((1 << L->lic) - (C & ((1 << L->lic) - 1)));
    break;
  }
  return ptk_isa__off(L, r, c);
}

/* Row-contiguous tiles (none_box row-major): row r starts here. */
static inline uint8_t *ptk_isa__row(const ptk_isa_lay *L, int32_t r) {
  return L->data + (((int64_t)L->r0 + r) * L->sc + L->c0) * (int64_t)L->esz;
}

/* Check a tile and compute its layout; `what` names it in messages. */
int ptk_isa__prep(const ptk_tile *t, const char *op, const char *what, ptk_isa_lay *L);
/* The rows x cols region starting at (0,0) must be inside t's shape. */
int ptk_isa__need(const ptk_tile *t, int32_t rows, int32_t cols, const char *op, const char *what);

/* Byte range [lo, hi) of storage a tile window can touch. */
void ptk_isa__span(const ptk_isa_lay *L, const ptk_tile *t, const uint8_t **lo, const uint8_t **hi);

/* Single element access in a compute class. */
static inline float ptk_isa__ld_f(ptk_isa_dtype t, const uint8_t *p) {
  uint16_t h;
  float f;
  switch (t) {
  case PTK_ISA_F16: memcpy(&h, p, 2); return ptk_f16_to_f32(h);
  case PTK_ISA_BF16: memcpy(&h, p, 2); return ptk_bf16_to_f32(h);
  default: memcpy(&f, p, 4); return f;
  }
}
static inline void ptk_isa__st_f(ptk_isa_dtype t, uint8_t *p, float f) {
  uint16_t h;
  switch (t) {
  case PTK_ISA_F16:
    h = ptk_f32_to_f16(f);
    memcpy(p, &h, 2);
    return;
  case PTK_ISA_BF16:
    h = ptk_f32_to_bf16(f);
    memcpy(p, &h, 2);
    return;
  default: memcpy(p, &f, 4); return;
  }
}
static inline int64_t ptk_isa__ld_i(ptk_isa_dtype t, const uint8_t *p) {
  switch (t) {
  case PTK_ISA_I8: return *(const int8_t *)p;
  case PTK_ISA_U8:
  case PTK_ISA_I1: return *p;
  case PTK_ISA_I16: {
    int16_t v;
    memcpy(&v, p, 2);
    return v;
  }
  case PTK_ISA_U16: {
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
  }
  case PTK_ISA_I32: {
    int32_t v;
    memcpy(&v, p, 4);
    return v;
  }
  case PTK_ISA_U32: {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
  }
  default: {
    int64_t v;
    memcpy(&v, p, 8);
    return v;
  }
  }
}
static inline void ptk_isa__st_i(ptk_isa_dtype t, uint8_t *p, int64_t v) {
  switch (t) {
  case PTK_ISA_I8:
  case PTK_ISA_U8:
  case PTK_ISA_I1: *p = (uint8_t)v; return;
  case PTK_ISA_I16:
  case PTK_ISA_U16: {
    uint16_t x = (uint16_t)v;
    memcpy(p, &x, 2);
    return;
  }
  case PTK_ISA_I32:
  case PTK_ISA_U32: {
    uint32_t x = (uint32_t)v;
    memcpy(p, &x, 4);
    return;
  }
  default: memcpy(p, &v, 8); return;
  }
}
/* Any dtype as a double (integers: exact up to 2^53; unsigned as unsigned). */
static inline double ptk_isa__ld_d(ptk_isa_dtype t, const uint8_t *p) {
  switch (ptk_isa__cls(t)) {
  case CLS_F: return ptk_isa__ld_f(t, p);
  case CLS_D: {
    double d;
    memcpy(&d, p, 8);
    return d;
  }
  default:
    if (t == PTK_ISA_U64) return (double)(uint64_t)ptk_isa__ld_i(t, p);
    return (double)ptk_isa__ld_i(t, p);
  }
}

/* Row-chunk loads into a compute-class buffer: elements (r, c .. c+n-1) of
 * the tile, or with cmod > 0 columns (c+i) % cmod (row broadcast). */
void ptk_isa__load_f(const ptk_tile *t, const ptk_isa_lay *L, int32_t r, int32_t c, int32_t n,
                     int32_t cmod, float *out);
void ptk_isa__load_d(const ptk_tile *t, const ptk_isa_lay *L, int32_t r, int32_t c, int32_t n,
                     int32_t cmod, double *out);
void ptk_isa__load_i(const ptk_tile *t, const ptk_isa_lay *L, int32_t r, int32_t c, int32_t n,
                     int32_t cmod, int64_t *out);
void ptk_isa__store_f(const ptk_tile *t, const ptk_isa_lay *L, int32_t r, int32_t c, int32_t n,
                      const float *in);
void ptk_isa__store_d(const ptk_tile *t, const ptk_isa_lay *L, int32_t r, int32_t c, int32_t n,
                      const double *in);
void ptk_isa__store_i(const ptk_tile *t, const ptk_isa_lay *L, int32_t r, int32_t c, int32_t n,
                      const int64_t *in);

/* A scalar converted to a tile dtype's compute class. */
float ptk_isa__scalar_f(ptk_isa_dtype t, ptk_isa_scalar s);
double ptk_isa__scalar_d(ptk_isa_scalar s);
int64_t ptk_isa__scalar_i(ptk_isa_dtype t, ptk_isa_scalar s);

/* Float -> integer with the simulator's rounding modes; sat clamps to the
 * dtype's range (NaN -> 0); without sat out-of-range follows x86 cvttsd2si. */
int64_t ptk_isa__f2i(double v, ptk_isa_dtype dt, ptk_isa_rmode rm, bool sat);
/* Integer (value v, unsigned if uns) -> float dtype bits, nearest even. */
void ptk_isa__i2f(int64_t v, bool uns, ptk_isa_dtype dt, uint8_t *p);

/* Pad value bits of a dtype, written to p. */
void ptk_isa__pad_bits(ptk_isa_dtype t, ptk_isa_pad pad, uint8_t *p);
/* Fill every element of t's rows x cols window outside [0,rows) x [0,cols)
 * with the element at `elem` (esz bytes). */
void ptk_isa__fill_outside(const ptk_tile *t, const ptk_isa_lay *L, int32_t rows, int32_t cols,
                           const uint8_t *elem);

/* Per-thread scratch memory, reused across calls (never freed per op). */
void *ptk_isa__scratch(int slot, size_t bytes);

#endif
