/* The support header of generated kernel C (backend/c/emit.c) and the ABI
 * between a JIT-compiled kernel (.so) and the host (runtime/jit/jit.c).
 *
 * One text, two uses: the emitter copies it verbatim to the top of every
 * generated translation unit (it is embedded at build time, see the
 * Makefile rule for ptk_jit_rt.inc), so the generated C needs no include
 * directory and no ptk headers; the host includes it with PTKJ_HOST defined
 * after runtime/isa/isa.h, so the descriptor types are the real ones.
 *
 * The .so has no undefined symbols besides libc/libm: every runtime/isa
 * function and every host service (errors with locations, bounds-checked
 * global memory, on-chip placement, printing) is reached through the
 * function table ptkj_env the host passes to the entry
 *
 *     int ptkj_entry(const ptkj_env *e, ptkj_ctx *cx, void *const *args);
 *
 * args[i] points at the cell of parameter i (ptkj_ptr or ptkj_sc). Returns
 * 0, -1 (error recorded through e) or -2 (aborted: a lower block failed).
 * Ops are named by a dense index (the emitter's op list), which the host
 * maps back to the IR op for locations. Scalars follow the interpreter's
 * cell convention (runtime/interp/interp_int.h): integers sign-extended from
 * their width (i1: 0/1), floats as double already rounded to their type.
 * Everything here mirrors runtime/interp/exec.c bit for bit. */
#ifndef PTK_JIT_RT_H
#define PTK_JIT_RT_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* runtime/isa constants, mirrored so that generated code and the emitter
 * name them symbolically (backend/c/isa_map.def maps IR onto them);
 * runtime/jit/jit.c asserts each equals its PTK_ISA_* value. */
enum {
  PTKJ_ISA_F32, PTKJ_ISA_F16, PTKJ_ISA_BF16, PTKJ_ISA_F64, PTKJ_ISA_I8, PTKJ_ISA_I16,
  PTKJ_ISA_I32, PTKJ_ISA_I64, PTKJ_ISA_U8, PTKJ_ISA_U16, PTKJ_ISA_U32, PTKJ_ISA_U64, PTKJ_ISA_I1
};
enum {
  PTKJ_ISA_ABS, PTKJ_ISA_NEG, PTKJ_ISA_EXP, PTKJ_ISA_LOG, PTKJ_ISA_SQRT, PTKJ_ISA_RSQRT,
  PTKJ_ISA_RECIP, PTKJ_ISA_RELU, PTKJ_ISA_NOT
};
enum {
  PTKJ_ISA_ADD, PTKJ_ISA_SUB, PTKJ_ISA_MUL, PTKJ_ISA_DIV, PTKJ_ISA_MAX, PTKJ_ISA_MIN,
  PTKJ_ISA_REM, PTKJ_ISA_FMOD, PTKJ_ISA_AND, PTKJ_ISA_OR, PTKJ_ISA_XOR, PTKJ_ISA_SHL,
  PTKJ_ISA_SHR, PTKJ_ISA_PRELU, PTKJ_ISA_ADDRELU, PTKJ_ISA_SUBRELU, PTKJ_ISA_POW, PTKJ_ISA_EXPDIF
};
enum {
  PTKJ_ISA_RSUM, PTKJ_ISA_RMAX, PTKJ_ISA_RMIN, PTKJ_ISA_RPROD, PTKJ_ISA_RARGMAX, PTKJ_ISA_RARGMIN
};
/* tcvt rmode and tcmp mode operands are the attribute's enum index, which
 * is this numbering */
enum {
  PTKJ_ISA_RM_NONE, PTKJ_ISA_RM_RINT, PTKJ_ISA_RM_ROUND, PTKJ_ISA_RM_FLOOR, PTKJ_ISA_RM_CEIL,
  PTKJ_ISA_RM_TRUNC, PTKJ_ISA_RM_ODD, PTKJ_ISA_RM_CAST_RINT
};
enum { PTKJ_ISA_EQ, PTKJ_ISA_NE, PTKJ_ISA_LT, PTKJ_ISA_LE, PTKJ_ISA_GT, PTKJ_ISA_GE };
enum { PTKJ_ISA_GM_ND, PTKJ_ISA_GM_DN };

#ifndef PTKJ_ENUMS_ONLY /* backend/c/emit.c wants just the names above */

#define PTKJ_ABI_VERSION 2u

#ifdef PTKJ_HOST
#define PTKJ_ENUM(T) T
#else
typedef struct ptk_tile {
  uint8_t *data;
  int32_t rows, cols;
  int32_t vrows, vcols;
  int32_t srows, scols;
  int32_t r0, c0;
  uint32_t dtype, loc, blayout, slayout;
  int32_t fractal;
  uint32_t pad;
} ptk_tile;
typedef struct ptk_isa_scalar {
  bool is_float;
  double f;
  int64_t i;
} ptk_isa_scalar;
#define PTKJ_ENUM(T) unsigned
#endif

typedef union ptkj_sc {
  int64_t i;
  double f;
} ptkj_sc;

typedef struct ptkj_ptr {
  int32_t buf; /* parameter index, -1: not a kernel buffer */
  int32_t pad;
  int64_t boff;
} ptkj_ptr;

typedef struct ptkj_view {
  int32_t buf;
  uint8_t rank;
  uint8_t layout;
  uint8_t pad[2];
  int64_t boff;
  int64_t shape[5];
  int64_t stride[5];
} ptkj_view;

typedef struct ptkj_ctx ptkj_ctx;

/* How every ptkj_ctx begins (the host's runtime/launch.h ptk_rt_worker):
 * loops poll the launch's lowest failed block directly, no host call. */
typedef struct ptkj_ctx_head {
  const volatile long long *fail_block;
  long long block;
} ptkj_ctx_head;
/* A lower block failed: stop this one. */
#define PTKJ_ABORTED(cx)                                                                           \
  (*((const ptkj_ctx_head *)(const void *)(cx))->fail_block < ((const ptkj_ctx_head *)(const void *)(cx))->block)

/* Error codes of ptkj_env.err (the host renders the interpreter's text). */
enum {
  PTKJ_E_DIVZERO = 1, /* "integer division by zero" */
  PTKJ_E_STEP,        /* a: step */
  PTKJ_E_VIEWNEG,     /* a: dimension, b: size */
  PTKJ_E_PARTNEG,     /* a: dimension, b: size */
  PTKJ_E_DIM,         /* a: dimension, b: rank */
  PTKJ_E_TRAP,
  PTKJ_E_I32,         /* a: value, b: 0 row 1 column index */
};

typedef struct ptkj_env {
  uint32_t abi;
  uint32_t sizeof_tile;
  /* services */
  int (*err)(ptkj_ctx *cx, uint32_t op, int code, int64_t a, int64_t b);
  int (*isa_fail)(ptkj_ctx *cx, uint32_t op, int rc);
  int (*enter)(ptkj_ctx *cx, uint32_t op);
  void (*leave)(ptkj_ctx *cx);
  int64_t (*block)(ptkj_ctx *cx, int which); /* 0 idx 1 num 2 subidx 3 subnum */
  double (*round)(int dt, double v);         /* f16/bf16 rounding */
  ptkj_sc (*cast)(int kind, int sdt, int ddt, ptkj_sc x); /* float casts and bitcasts */
  int64_t (*ptrtoint)(ptkj_ctx *cx, const ptkj_ptr *p);
  void (*inttoptr)(ptkj_ctx *cx, int64_t x, ptkj_ptr *out);
  int (*ldsc)(ptkj_ctx *cx, uint32_t op, ptkj_sc *dst, const ptkj_ptr *p, int64_t idx);
  int (*stsc)(ptkj_ctx *cx, uint32_t op, const ptkj_sc *v, const ptkj_ptr *p, int64_t idx);
  int (*alloc)(ptkj_ctx *cx, uint32_t op, ptk_tile *dst, int64_t addr, int64_t vr, int64_t vc);
  int (*tassign)(ptkj_ctx *cx, uint32_t op, ptk_tile *dst, const ptk_tile *src, int64_t addr);
  int (*subview)(ptkj_ctx *cx, uint32_t op, ptk_tile *dst, const ptk_tile *src, int64_t r,
                 int64_t c, int64_t vr, int64_t vc);
  int (*reshape)(ptkj_ctx *cx, uint32_t op, ptk_tile *dst, const ptk_tile *src);
  int (*setvalid)(ptkj_ctx *cx, uint32_t op, ptk_tile *t, int64_t vr, int64_t vc);
  int (*tload)(ptkj_ctx *cx, uint32_t op, const ptk_tile *t, const ptkj_view *v);
  int (*tstore)(ptkj_ctx *cx, uint32_t op, const ptkj_view *v, const ptk_tile *t);
  int (*tgetval)(ptkj_ctx *cx, uint32_t op, ptkj_sc *dst, const ptk_tile *t, int64_t off);
  int (*tprint)(ptkj_ctx *cx, uint32_t op, const ptk_tile *t);
  int (*print)(ptkj_ctx *cx, uint32_t op, const ptkj_sc *vals, uint32_t n);
  /* runtime/isa */
  int (*bitcast)(const ptk_tile *src, PTKJ_ENUM(ptk_isa_dtype) dt, ptk_tile *out);
  int (*tmov)(const ptk_tile *d, const ptk_tile *s, bool relu);
  int (*textract)(const ptk_tile *d, const ptk_tile *s, int32_t r, int32_t c);
  int (*tinsert)(const ptk_tile *d, const ptk_tile *s, int32_t r, int32_t c);
  int (*ttrans)(const ptk_tile *d, const ptk_tile *s);
  int (*tfillpad)(const ptk_tile *d, const ptk_tile *s);
  int (*texpands)(const ptk_tile *d, ptk_isa_scalar s);
  int (*unary)(PTKJ_ENUM(ptk_isa_unop) op, const ptk_tile *d, const ptk_tile *s);
  int (*binary)(PTKJ_ENUM(ptk_isa_binop) op, const ptk_tile *d, const ptk_tile *a,
                const ptk_tile *b);
  int (*binary_ts)(PTKJ_ENUM(ptk_isa_binop) op, const ptk_tile *d, const ptk_tile *a,
                   ptk_isa_scalar s);
  int (*binary_st)(PTKJ_ENUM(ptk_isa_binop) op, const ptk_tile *d, ptk_isa_scalar s,
                   const ptk_tile *a);
  int (*taddc)(const ptk_tile *d, const ptk_tile *a, const ptk_tile *b, const ptk_tile *c);
  int (*tsubc)(const ptk_tile *d, const ptk_tile *a, const ptk_tile *b, const ptk_tile *c);
  int (*taddsc)(const ptk_tile *d, const ptk_tile *a, ptk_isa_scalar s, const ptk_tile *b);
  int (*tsubsc)(const ptk_tile *d, const ptk_tile *a, ptk_isa_scalar s, const ptk_tile *b);
  int (*taxpy)(const ptk_tile *d, const ptk_tile *s, ptk_isa_scalar x);
  int (*tpart)(PTKJ_ENUM(ptk_isa_binop) op, const ptk_tile *d, const ptk_tile *a,
               const ptk_tile *b);
  int (*trowexpand)(const ptk_tile *d, const ptk_tile *s);
  int (*tcolexpand)(const ptk_tile *d, const ptk_tile *s);
  int (*trowexpand_op)(PTKJ_ENUM(ptk_isa_binop) op, const ptk_tile *d, const ptk_tile *a,
                       const ptk_tile *b);
  int (*tcolexpand_op)(PTKJ_ENUM(ptk_isa_binop) op, const ptk_tile *d, const ptk_tile *a,
                       const ptk_tile *b);
  int (*trowreduce)(PTKJ_ENUM(ptk_isa_redop) op, const ptk_tile *d, const ptk_tile *s);
  int (*tcolreduce)(PTKJ_ENUM(ptk_isa_redop) op, const ptk_tile *d, const ptk_tile *s);
  int (*tmatmul)(const ptk_tile *c, const ptk_tile *a, const ptk_tile *b);
  int (*tmatmul_acc)(const ptk_tile *c, const ptk_tile *cin, const ptk_tile *a, const ptk_tile *b);
  int (*tmatmul_bias)(const ptk_tile *c, const ptk_tile *a, const ptk_tile *b,
                      const ptk_tile *bias);
  int (*tcvt)(const ptk_tile *d, const ptk_tile *s, PTKJ_ENUM(ptk_isa_rmode) rm, bool sat);
  int (*tcmp)(const ptk_tile *m, const ptk_tile *a, const ptk_tile *b, PTKJ_ENUM(ptk_isa_cmp) c);
  int (*tcmps)(const ptk_tile *m, const ptk_tile *a, ptk_isa_scalar s, PTKJ_ENUM(ptk_isa_cmp) c);
  int (*tsel)(const ptk_tile *d, const ptk_tile *m, const ptk_tile *a, const ptk_tile *b);
  int (*tsels)(const ptk_tile *d, const ptk_tile *m, const ptk_tile *a, ptk_isa_scalar s);
  int (*tci)(const ptk_tile *d, int64_t start, bool desc);
  int (*ttri)(const ptk_tile *d, int64_t diag, bool upper);
  int (*tsetval)(const ptk_tile *t, int64_t off, ptk_isa_scalar v);
} ptkj_env;

typedef int (*ptkj_entry_fn)(const ptkj_env *e, ptkj_ctx *cx, void *const *args);

#ifndef PTKJ_HOST
/* ---- scalar semantics (runtime/interp/exec.c) ---------------------------------------------- */

/* integer op codes of ptkj_ari */
enum {
  PTKJ_ADDI, PTKJ_SUBI, PTKJ_MULI, PTKJ_DIVSI, PTKJ_REMSI, PTKJ_CEILDIVSI, PTKJ_FLOORDIVSI,
  PTKJ_DIVUI, PTKJ_REMUI, PTKJ_CEILDIVUI, PTKJ_ANDI, PTKJ_ORI, PTKJ_XORI, PTKJ_SHLI,
  PTKJ_SHRUI, PTKJ_SHRSI, PTKJ_MAXSI, PTKJ_MINSI, PTKJ_MAXUI, PTKJ_MINUI
};
/* float op codes of ptkj_arf */
enum {
  PTKJ_ADDF, PTKJ_SUBF, PTKJ_MULF, PTKJ_DIVF, PTKJ_REMF, PTKJ_MAXIMUMF, PTKJ_MINIMUMF,
  PTKJ_MAXNUMF, PTKJ_MINNUMF, PTKJ_NEGF
};

static inline int64_t ptkj_norm(int64_t v, unsigned w) {
  if (w >= 64) return v;
  if (w == 1) return v & 1;
  uint64_t m = (uint64_t)1 << (w - 1);
  uint64_t x = (uint64_t)v & (((uint64_t)1 << w) - 1);
  return (int64_t)((x ^ m) - m);
}
static inline int64_t ptkj_sx(int64_t v, unsigned wd) { return wd == 1 ? -(v & 1) : v; }
static inline uint64_t ptkj_zx(int64_t v, unsigned wd) {
  return wd >= 64 ? (uint64_t)v : (uint64_t)v & (((uint64_t)1 << wd) - 1);
}

#define PTKJ_BIG ((int64_t)1 << 62)
static inline int64_t ptkj_smul(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r) || r > PTKJ_BIG || r < -PTKJ_BIG)
    return (a < 0) != (b < 0) ? -PTKJ_BIG : PTKJ_BIG;
  return r;
}
static inline int64_t ptkj_sadd(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r) || r > PTKJ_BIG || r < -PTKJ_BIG)
    return r < 0 || (a < 0 && b < 0) ? -PTKJ_BIG : PTKJ_BIG;
  return r;
}

/* 0, or 1 for a division by zero. */
static inline __attribute__((always_inline)) int ptkj_ari(int code, int64_t x, int64_t y,
                                                          unsigned wd, int64_t *out) {
  int64_t r = 0;
  int64_t sxv = ptkj_sx(x, wd), syv = ptkj_sx(y, wd);
  uint64_t ux = ptkj_zx(x, wd), uy = ptkj_zx(y, wd);
  switch (code) {
  case PTKJ_ADDI: r = (int64_t)(ux + uy); break;
  case PTKJ_SUBI: r = (int64_t)(ux - uy); break;
  case PTKJ_MULI: r = (int64_t)(ux * uy); break;
  case PTKJ_DIVSI:
  case PTKJ_REMSI:
  case PTKJ_CEILDIVSI:
  case PTKJ_FLOORDIVSI: {
    if (syv == 0) return 1;
    int64_t q, m;
    if (syv == -1) {
      q = (int64_t)(0 - (uint64_t)sxv);
      m = 0;
    } else {
      q = sxv / syv;
      m = sxv % syv;
    }
    if (code == PTKJ_REMSI)
      r = m;
    else if (code == PTKJ_CEILDIVSI)
      r = q + (m != 0 && ((sxv < 0) == (syv < 0)));
    else if (code == PTKJ_FLOORDIVSI)
      r = q - (m != 0 && ((sxv < 0) != (syv < 0)));
    else
      r = q;
    break;
  }
  case PTKJ_DIVUI:
  case PTKJ_REMUI:
  case PTKJ_CEILDIVUI:
    if (uy == 0) return 1;
    if (code == PTKJ_DIVUI)
      r = (int64_t)(ux / uy);
    else if (code == PTKJ_REMUI)
      r = (int64_t)(ux % uy);
    else
      r = (int64_t)(ux / uy + (ux % uy != 0));
    break;
  case PTKJ_ANDI: r = x & y; break;
  case PTKJ_ORI: r = x | y; break;
  case PTKJ_XORI: r = x ^ y; break;
  case PTKJ_SHLI: r = uy >= wd ? 0 : (int64_t)(ux << uy); break;
  case PTKJ_SHRUI: r = uy >= wd ? 0 : (int64_t)(ux >> uy); break;
  case PTKJ_SHRSI: r = uy >= wd ? (sxv < 0 ? -1 : 0) : sxv >> uy; break;
  case PTKJ_MAXSI: r = sxv > syv ? sxv : syv; break;
  case PTKJ_MINSI: r = sxv < syv ? sxv : syv; break;
  case PTKJ_MAXUI: r = (int64_t)(ux > uy ? ux : uy); break;
  default: r = (int64_t)(ux < uy ? ux : uy); break;
  }
  *out = ptkj_norm(r, wd);
  return 0;
}

static inline double ptkj_fmaximum(double x, double y) {
  if (isnan(x) || isnan(y)) return NAN;
  if (x == y) return signbit(x) ? y : x;
  return x > y ? x : y;
}
static inline double ptkj_fminimum(double x, double y) {
  if (isnan(x) || isnan(y)) return NAN;
  if (x == y) return signbit(x) ? x : y;
  return x < y ? x : y;
}

/* kind: 0 f64, 1 f32, 2 f16/bf16 (dt passed to e->round) */
static inline __attribute__((always_inline)) double ptkj_arf(const ptkj_env *e, int code,
                                                             int kind, int dt, double x,
                                                             double y) {
  if (kind == 0) {
    switch (code) {
    case PTKJ_ADDF: return x + y;
    case PTKJ_SUBF: return x - y;
    case PTKJ_MULF: return x * y;
    case PTKJ_DIVF: return x / y;
    case PTKJ_REMF: return fmod(x, y);
    case PTKJ_MAXIMUMF: return ptkj_fmaximum(x, y);
    case PTKJ_MINIMUMF: return ptkj_fminimum(x, y);
    case PTKJ_MAXNUMF: return fmax(x, y);
    case PTKJ_MINNUMF: return fmin(x, y);
    default: return -x;
    }
  }
  float fx = (float)x, fy = (float)y, r;
  switch (code) {
  case PTKJ_ADDF: r = fx + fy; break;
  case PTKJ_SUBF: r = fx - fy; break;
  case PTKJ_MULF: r = fx * fy; break;
  case PTKJ_DIVF: r = fx / fy; break;
  case PTKJ_REMF: r = fmodf(fx, fy); break;
  case PTKJ_MAXIMUMF: r = (float)ptkj_fmaximum(fx, fy); break;
  case PTKJ_MINIMUMF: r = (float)ptkj_fminimum(fx, fy); break;
  case PTKJ_MAXNUMF: r = fmaxf(fx, fy); break;
  case PTKJ_MINNUMF: r = fminf(fx, fy); break;
  default: r = -fx; break;
  }
  return kind == 1 ? (double)r : e->round(dt, (double)r);
}

/* predicates: arith.cmpi order eq ne slt sle sgt sge ult ule ugt uge */
static inline bool ptkj_cmpi(int pred, int64_t x, int64_t y, unsigned wd) {
  int64_t a = ptkj_sx(x, wd), b = ptkj_sx(y, wd);
  uint64_t ua = ptkj_zx(x, wd), ub = ptkj_zx(y, wd);
  switch (pred) {
  case 0: return ua == ub;
  case 1: return ua != ub;
  case 2: return a < b;
  case 3: return a <= b;
  case 4: return a > b;
  case 5: return a >= b;
  case 6: return ua < ub;
  case 7: return ua <= ub;
  case 8: return ua > ub;
  default: return ua >= ub;
  }
}

/* arith.cmpf order false oeq ogt oge olt ole one ord ueq ugt uge ult ule une uno true */
static inline bool ptkj_cmpf(int pred, double x, double y) {
  bool uno = isnan(x) || isnan(y);
  switch (pred) {
  case 0: return false;
  case 1: return !uno && x == y;
  case 2: return !uno && x > y;
  case 3: return !uno && x >= y;
  case 4: return !uno && x < y;
  case 5: return !uno && x <= y;
  case 6: return !uno && x != y;
  case 7: return !uno;
  case 8: return uno || x == y;
  case 9: return uno || x > y;
  case 10: return uno || x >= y;
  case 11: return uno || x < y;
  case 12: return uno || x <= y;
  case 13: return uno || x != y;
  case 14: return uno;
  default: return true;
  }
}

static inline ptk_isa_scalar ptkj_isc(int fl, ptkj_sc v) {
  ptk_isa_scalar s;
  s.is_float = fl != 0;
  s.f = fl ? v.f : 0;
  s.i = fl ? 0 : v.i;
  return s;
}

static inline double ptkj_f64(uint64_t bits) {
  double d;
  memcpy(&d, &bits, 8);
  return d;
}

#define PTKJ_ISA(op, call)                                                                         \
  do {                                                                                             \
    int rc_ = (call);                                                                              \
    if (rc_) return e->isa_fail(cx, (op), rc_);                                                    \
  } while (0)
#define PTKJ_CHK(call)                                                                             \
  do {                                                                                             \
    int rc_ = (call);                                                                              \
    if (rc_) return rc_;                                                                           \
  } while (0)
#endif /* !PTKJ_HOST */

#endif /* !PTKJ_ENUMS_ONLY */

#endif
