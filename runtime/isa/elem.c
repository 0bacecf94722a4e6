/* Elementwise ops: unary, binary, tile-scalar, ternary, partial, expand,
 * compare/select, fills and generators.
 *
 * One engine per compute class (float for f32/f16/bf16, double for f64,
 * int64 for integers) walks the destination's valid region row by row in
 * chunks. Operands whose dtype is the class's native type (f32, f64,
 * i64/u64) and whose rows are contiguous are read in place; others are
 * converted into stack buffers. The kernels are plain loops over arrays,
 * vectorized by the compiler; the op switch happens once per chunk. */
#include <limits.h>

#include "runtime/isa/ew.h"
#include "runtime/isa/fmath.h"
#include "runtime/isa/internal.h"

enum { M_SAME, M_ROWB, M_COLB, M_SCALAR };

typedef struct {
  const ptk_tile *t;
  ptk_isa_lay L;
  int mode;
  bool direct;
  ptk_isa_scalar s;
} opnd;

/* Kernel op codes: binary ops use ptk_isa_binop, unary ops add K_UN, the
 * ternary ones are below. */
enum { K_UN = 100, K_COPY = 100 + PTK_ISA_NUNOPS, K_ADDC = 200, K_SUBC, K_MULADD };

/* ---- float kernels ---------------------------------------------------------------------- */

static inline float relu_f(float x) { return x < 0 ? 0.0f : x; }

/* exp/log loops as their own small functions (gcc 12 gives up on such
 * loops inside kern_f's switch). d may equal a (same index only). */
PTK_ISA_CLONES __attribute__((noinline)) static void vexp_f(float *restrict d, const float *restrict a, size_t n) {
  VLOOP(i, n, d[i] = ptk_ew_exp_f(a[i]));
}
PTK_ISA_CLONES __attribute__((noinline)) static void vlog_f(float *restrict d, const float *restrict a, size_t n) {
  VLOOP(i, n, d[i] = ptk_ew_log_f(a[i]));
}

PTK_ISA_CLONES static void kern_f(int op, int prec, float *restrict d, const float *restrict a,
                   const float *restrict b, const float *restrict c, size_t n) {
  switch (op) {
  case PTK_ISA_ADD: VLOOP(i, n, d[i] = ptk_ew_add_f(a[i], b[i])); break;
  case PTK_ISA_SUB: VLOOP(i, n, d[i] = ptk_ew_sub_f(a[i], b[i])); break;
  case PTK_ISA_MUL: VLOOP(i, n, d[i] = ptk_ew_mul_f(a[i], b[i])); break;
  case PTK_ISA_DIV: VLOOP(i, n, d[i] = ptk_ew_div_f(a[i], b[i])); break;
  case PTK_ISA_MAX: VLOOP(i, n, d[i] = ptk_ew_max_f(a[i], b[i])); break;
  case PTK_ISA_MIN: VLOOP(i, n, d[i] = ptk_ew_min_f(a[i], b[i])); break;
  case PTK_ISA_REM:
    for (size_t i = 0; i < n; i++) {
      float r = fmodf(a[i], b[i]);
      if (r != 0 && ((a[i] >= 0) != (b[i] >= 0))) r += b[i];
      d[i] = r;
    }
    break;
  case PTK_ISA_FMOD:
    for (size_t i = 0; i < n; i++) d[i] = fmodf(a[i], b[i]);
    break;
  case PTK_ISA_PRELU: VLOOP(i, n, d[i] = a[i] > 0 ? a[i] : a[i] * b[i]); break;
  case PTK_ISA_ADDRELU:
    for (size_t i = 0; i < n; i++) d[i] = relu_f(ptk_isa__rnd(a[i] + b[i], prec));
    break;
  case PTK_ISA_SUBRELU:
    for (size_t i = 0; i < n; i++) d[i] = relu_f(ptk_isa__rnd(a[i] - b[i], prec));
    break;
  case PTK_ISA_POW:
    for (size_t i = 0; i < n; i++) d[i] = (float)pow((double)a[i], (double)b[i]);
    break;
  case PTK_ISA_EXPDIF:
    if (prec == 0)
      VLOOP(i, n, d[i] = ptk_expf(a[i] - b[i]));
    else
      for (size_t i = 0; i < n; i++) d[i] = ptk_expf(ptk_isa__rnd(a[i] - b[i], prec));
    break;
  case K_UN + PTK_ISA_ABS: VLOOP(i, n, d[i] = ptk_ew_abs_f(a[i])); break;
  case K_UN + PTK_ISA_NEG: VLOOP(i, n, d[i] = ptk_ew_neg_f(a[i])); break;
  /* exp/log: ptk's own (runtime/isa/fmath.h; for f16 inputs the same f16
   * results as the simulator's expf/logf, checked exhaustively). sqrt and
   * rsqrt are correctly rounded IEEE operations in double (sqrtf(x) has the
   * same bits as (float)sqrt((double)x)); the file is built with
   * -fno-math-errno so these loops vectorize. */
  case K_UN + PTK_ISA_EXP: vexp_f(d, a, n); break;
  case K_UN + PTK_ISA_LOG: vlog_f(d, a, n); break;
  case K_UN + PTK_ISA_SQRT: VLOOP(i, n, d[i] = ptk_ew_sqrt_f(a[i])); break;
  case K_UN + PTK_ISA_RSQRT: VLOOP(i, n, d[i] = ptk_ew_rsqrt_f(a[i])); break;
  case K_UN + PTK_ISA_RECIP: VLOOP(i, n, d[i] = ptk_ew_recip_f(a[i])); break;
  case K_UN + PTK_ISA_RELU: VLOOP(i, n, d[i] = ptk_ew_relu_f(a[i])); break;
  case K_COPY: VLOOP(i, n, d[i] = a[i]); break;
  case K_ADDC:
    if (prec == 0) {
      VLOOP(i, n, d[i] = a[i] + b[i] + c[i]);
    } else {
      for (size_t i = 0; i < n; i++) d[i] = ptk_isa__rnd(a[i] + b[i], prec) + c[i];
    }
    break;
  case K_SUBC:
    if (prec == 0) {
      VLOOP(i, n, d[i] = a[i] - b[i] + c[i]);
    } else {
      for (size_t i = 0; i < n; i++) d[i] = ptk_isa__rnd(a[i] - b[i], prec) + c[i];
    }
    break;
  case K_MULADD:
    if (prec == 0) {
      VLOOP(i, n, d[i] = a[i] * b[i] + c[i]);
    } else {
      for (size_t i = 0; i < n; i++) d[i] = ptk_isa__rnd(a[i] * b[i], prec) + c[i];
    }
    break;
  }
}

static void kern_d(int op, double *restrict d, const double *restrict a, const double *restrict b,
                   const double *restrict c, size_t n) {
  switch (op) {
  case PTK_ISA_ADD: VLOOP(i, n, d[i] = a[i] + b[i]); break;
  case PTK_ISA_SUB: VLOOP(i, n, d[i] = a[i] - b[i]); break;
  case PTK_ISA_MUL: VLOOP(i, n, d[i] = a[i] * b[i]); break;
  case PTK_ISA_DIV: VLOOP(i, n, d[i] = a[i] / b[i]); break;
  case PTK_ISA_MAX: VLOOP(i, n, d[i] = a[i] < b[i] ? b[i] : a[i]); break;
  case PTK_ISA_MIN: VLOOP(i, n, d[i] = b[i] < a[i] ? b[i] : a[i]); break;
  case PTK_ISA_REM:
    for (size_t i = 0; i < n; i++) {
      double r = fmod(a[i], b[i]);
      if (r != 0 && ((a[i] >= 0) != (b[i] >= 0))) r += b[i];
      d[i] = r;
    }
    break;
  case PTK_ISA_FMOD:
    for (size_t i = 0; i < n; i++) d[i] = fmod(a[i], b[i]);
    break;
  case PTK_ISA_PRELU: VLOOP(i, n, d[i] = a[i] > 0 ? a[i] : a[i] * b[i]); break;
  case PTK_ISA_ADDRELU:
    for (size_t i = 0; i < n; i++) d[i] = a[i] + b[i] < 0 ? 0.0 : a[i] + b[i];
    break;
  case PTK_ISA_SUBRELU:
    for (size_t i = 0; i < n; i++) d[i] = a[i] - b[i] < 0 ? 0.0 : a[i] - b[i];
    break;
  case PTK_ISA_POW:
    for (size_t i = 0; i < n; i++) d[i] = pow(a[i], b[i]);
    break;
  case PTK_ISA_EXPDIF:
    for (size_t i = 0; i < n; i++) d[i] = exp(a[i] - b[i]);
    break;
  case K_UN + PTK_ISA_ABS: VLOOP(i, n, d[i] = fabs(a[i])); break;
  case K_UN + PTK_ISA_NEG: VLOOP(i, n, d[i] = -a[i]); break;
  case K_UN + PTK_ISA_EXP:
    for (size_t i = 0; i < n; i++) d[i] = exp(a[i]);
    break;
  case K_UN + PTK_ISA_LOG:
    for (size_t i = 0; i < n; i++) d[i] = log(a[i]);
    break;
  case K_UN + PTK_ISA_SQRT:
    for (size_t i = 0; i < n; i++) d[i] = sqrt(a[i]);
    break;
  case K_UN + PTK_ISA_RSQRT:
    for (size_t i = 0; i < n; i++) d[i] = 1.0 / sqrt(a[i]);
    break;
  case K_UN + PTK_ISA_RECIP: VLOOP(i, n, d[i] = 1.0 / a[i]); break;
  case K_UN + PTK_ISA_RELU: VLOOP(i, n, d[i] = a[i] < 0 ? 0.0 : a[i]); break;
  case K_COPY: VLOOP(i, n, d[i] = a[i]); break;
  case K_ADDC: VLOOP(i, n, d[i] = a[i] + b[i] + c[i]); break;
  case K_SUBC: VLOOP(i, n, d[i] = a[i] - b[i] + c[i]); break;
  case K_MULADD: VLOOP(i, n, d[i] = a[i] * b[i] + c[i]); break;
  }
}

/* ---- integer kernels (int64 lanes, wrap-around by truncation at the store) ------------ */

typedef uint64_t u64;

/* Returns true if a division by zero happened (those lanes become 0). */
static bool kern_i(int op, ptk_isa_dtype dt, int64_t *restrict d, const int64_t *restrict a,
                   const int64_t *restrict b, const int64_t *restrict c, size_t n) {
  bool uns = ptk_isa_dtype_is_unsigned(dt), dz = false;
  uint8_t tmp[8];
  switch (op) {
  case PTK_ISA_ADD: VLOOP(i, n, d[i] = (int64_t)((u64)a[i] + (u64)b[i])); break;
  case PTK_ISA_SUB: VLOOP(i, n, d[i] = (int64_t)((u64)a[i] - (u64)b[i])); break;
  case PTK_ISA_MUL: VLOOP(i, n, d[i] = (int64_t)((u64)a[i] * (u64)b[i])); break;
  case PTK_ISA_DIV:
  case PTK_ISA_REM:
  case PTK_ISA_FMOD:
    for (size_t i = 0; i < n; i++) {
      int64_t x = a[i], y = b[i], q, r;
      if (y == 0) {
        dz = true;
        d[i] = 0;
        continue;
      }
      if (uns) {
        q = (int64_t)((u64)x / (u64)y);
        r = (int64_t)((u64)x % (u64)y);
      } else if (x == INT64_MIN && y == -1) {
        q = INT64_MIN;
        r = 0;
      } else {
        q = x / y;
        r = x % y;
        if (op == PTK_ISA_REM && r != 0 && ((x >= 0) != (y >= 0))) r += y;
      }
      d[i] = op == PTK_ISA_DIV ? q : r;
    }
    break;
  case PTK_ISA_MAX:
    if (uns)
      VLOOP(i, n, d[i] = (u64)a[i] < (u64)b[i] ? b[i] : a[i]);
    else
      VLOOP(i, n, d[i] = a[i] < b[i] ? b[i] : a[i]);
    break;
  case PTK_ISA_MIN:
    if (uns)
      VLOOP(i, n, d[i] = (u64)b[i] < (u64)a[i] ? b[i] : a[i]);
    else
      VLOOP(i, n, d[i] = b[i] < a[i] ? b[i] : a[i]);
    break;
  case PTK_ISA_AND: VLOOP(i, n, d[i] = a[i] & b[i]); break;
  case PTK_ISA_OR: VLOOP(i, n, d[i] = a[i] | b[i]); break;
  case PTK_ISA_XOR: VLOOP(i, n, d[i] = a[i] ^ b[i]); break;
  case PTK_ISA_SHL:
    for (size_t i = 0; i < n; i++)
      d[i] = (b[i] < 0 || b[i] > 63) ? 0 : (int64_t)((u64)a[i] << b[i]);
    break;
  case PTK_ISA_SHR:
    for (size_t i = 0; i < n; i++) {
      int64_t s = b[i];
      if (uns)
        d[i] = (s < 0 || s > 63) ? 0 : (int64_t)((u64)a[i] >> s);
      else
        d[i] = a[i] >> ((s < 0 || s > 63) ? 63 : s);
    }
    break;
  case PTK_ISA_PRELU:
    for (size_t i = 0; i < n; i++) {
      bool pos = uns ? a[i] != 0 : a[i] > 0;
      d[i] = pos ? a[i] : (int64_t)((u64)a[i] * (u64)b[i]);
    }
    break;
  case PTK_ISA_ADDRELU:
  case PTK_ISA_SUBRELU:
    for (size_t i = 0; i < n; i++) {
      u64 s = op == PTK_ISA_ADDRELU ? (u64)a[i] + (u64)b[i] : (u64)a[i] - (u64)b[i];
      ptk_isa__st_i(dt, tmp, (int64_t)s); /* wrap to the dtype before comparing */
      int64_t v = ptk_isa__ld_i(dt, tmp);
      d[i] = (!uns && v < 0) ? 0 : v;
    }
    break;
  case PTK_ISA_POW:
    for (size_t i = 0; i < n; i++) {
      double x = uns ? (double)(u64)a[i] : (double)a[i];
      double y = uns ? (double)(u64)b[i] : (double)b[i];
      d[i] = ptk_isa__f2i(pow(x, y), dt, PTK_ISA_RM_TRUNC, false);
    }
    break;
  case K_UN + PTK_ISA_ABS:
    if (uns)
      VLOOP(i, n, d[i] = a[i]);
    else
      VLOOP(i, n, d[i] = a[i] < 0 ? (int64_t)(0 - (u64)a[i]) : a[i]);
    break;
  case K_UN + PTK_ISA_NEG: VLOOP(i, n, d[i] = (int64_t)(0 - (u64)a[i])); break;
  case K_UN + PTK_ISA_RELU:
    if (uns)
      VLOOP(i, n, d[i] = a[i]);
    else
      VLOOP(i, n, d[i] = a[i] < 0 ? 0 : a[i]);
    break;
  case K_UN + PTK_ISA_NOT: VLOOP(i, n, d[i] = ~a[i]); break;
  case K_COPY: VLOOP(i, n, d[i] = a[i]); break;
  case K_ADDC: VLOOP(i, n, d[i] = (int64_t)((u64)a[i] + (u64)b[i] + (u64)c[i])); break;
  case K_SUBC: VLOOP(i, n, d[i] = (int64_t)((u64)a[i] - (u64)b[i] + (u64)c[i])); break;
  case K_MULADD: VLOOP(i, n, d[i] = (int64_t)((u64)a[i] * (u64)b[i] + (u64)c[i])); break;
  }
  return dz;
}

/* ---- op/dtype legality -------------------------------------------------------------------- */

static const char *const binop_names[PTK_ISA_NBINOPS] = {
    "add", "sub", "mul", "div", "max",   "min",     "rem",     "fmod", "and",
    "or",  "xor", "shl", "shr", "prelu", "addrelu", "subrelu", "pow",  "expdif"};
static const char *const unop_names[PTK_ISA_NUNOPS] = {"abs",   "neg",   "exp",  "log", "sqrt",
                                                       "rsqrt", "recip", "relu", "not"};

static bool kop_ok(int kop, ptk_isa_dtype dt) {
  int cls = ptk_isa__cls(dt);
  if (kop >= K_ADDC) return true;
  if (kop == K_COPY) return true;
  if (kop >= K_UN) {
    int u = kop - K_UN;
    if (u == PTK_ISA_NOT) return cls == CLS_I;
    if (u == PTK_ISA_ABS || u == PTK_ISA_NEG || u == PTK_ISA_RELU) return true;
    return cls != CLS_I;
  }
  switch (kop) {
  case PTK_ISA_AND:
  case PTK_ISA_OR:
  case PTK_ISA_XOR:
  case PTK_ISA_SHL:
  case PTK_ISA_SHR: return cls == CLS_I;
  case PTK_ISA_EXPDIF: return cls != CLS_I;
  default: return true;
  }
}

static const char *kop_name(int kop) {
  if (kop < PTK_ISA_NBINOPS) return binop_names[kop];
  if (kop >= K_UN && kop < K_COPY) return unop_names[kop - K_UN];
  return "op";
}

/* ---- the engine ---------------------------------------------------------------------------- */

/* Identical element mapping: same storage, geometry, dtype and layout. */
static bool same_map(const ptk_tile *a, const ptk_tile *b) {
  return a->data == b->data && a->dtype == b->dtype && a->srows == b->srows &&
         a->scols == b->scols && a->r0 == b->r0 && a->c0 == b->c0 && a->blayout == b->blayout &&
         a->slayout == b->slayout && (a->slayout == PTK_ISA_NONE_BOX || a->fractal == b->fractal);
}

static bool overlaps(const ptk_isa_lay *La, const ptk_tile *a, const ptk_isa_lay *Lb,
                     const ptk_tile *b) {
  const uint8_t *alo, *ahi, *blo, *bhi;
  ptk_isa__span(La, a, &alo, &ahi);
  ptk_isa__span(Lb, b, &blo, &bhi);
  return alo < bhi && blo < ahi;
}

static ptk_isa_dtype native(int cls) {
  return cls == CLS_F ? PTK_ISA_F32 : cls == CLS_D ? PTK_ISA_F64 : PTK_ISA_I64;
}

/* Prepare operands: check, decide direct access. */
static int prep_ops(const char *name, const ptk_tile *d, ptk_isa_lay *DL, opnd *o, int no) {
  int rc = ptk_isa__prep(d, name, "dst", DL);
  if (rc) return rc;
  int cls = ptk_isa__cls(d->dtype);
  static const char *const which[] = {"src0", "src1", "src2"};
  for (int k = 0; k < no; k++) {
    o[k].direct = false;
    if (o[k].mode == M_SCALAR) continue;
    const ptk_tile *t = o[k].t;
    /* a broadcast operand that covers the whole region is a plain operand */
    if ((o[k].mode == M_ROWB && t->vcols >= d->vcols) ||
        (o[k].mode == M_COLB && t->vrows >= d->vrows))
      o[k].mode = M_SAME;
    rc = ptk_isa__prep(t, name, which[k], &o[k].L);
    if (rc) return rc;
    if (t->dtype != d->dtype)
      return ptk_isa__fail(PTK_ISA_EDTYPE, "%s: %s is %s but dst is %s", name, which[k],
                           ptk_isa_dtype_name(t->dtype), ptk_isa_dtype_name(d->dtype));
    switch (o[k].mode) {
    case M_SAME: rc = ptk_isa__need(t, d->vrows, d->vcols, name, which[k]); break;
    case M_ROWB:
      if (t->vcols < 1)
        return ptk_isa__fail(PTK_ISA_ESHAPE, "%s: %s has no valid column to broadcast", name,
                             which[k]);
      rc = ptk_isa__need(t, d->vrows, 1, name, which[k]);
      break;
    case M_COLB:
      if (t->vrows < 1)
        return ptk_isa__fail(PTK_ISA_ESHAPE, "%s: %s has no valid row to broadcast", name,
                             which[k]);
      rc = ptk_isa__need(t, 1, d->vcols, name, which[k]);
      break;
    }
    if (rc) return rc;
    if (o[k].mode != M_ROWB && t->dtype == native(cls) && o[k].L.kind == LK_ROW)
      o[k].direct = !overlaps(&o[k].L, t, DL, d) || same_map(t, d);
  }
  return PTK_ISA_OK;
}

#define ENGINE(NAME, T, LOAD, STORE, KCALL, SCALAR_INIT)                                           \
  static bool NAME(int kop, const ptk_tile *d, const ptk_isa_lay *DL, opnd *o, int no) {           \
    T buf[4][PTK_ISA_CHUNK];                                                                       \
    const T *in[3] = {buf[0], buf[1], buf[2]};                                                     \
    bool dz = false;                                                                               \
    int cls = ptk_isa__cls(d->dtype);                                                              \
    bool ddirect = d->dtype == native(cls) && DL->kind == LK_ROW;                                  \
    (void)cls;                                                                                     \
    for (int k = 0; k < no; k++)                                                                   \
      if (o[k].mode == M_SCALAR) {                                                                 \
        T v = SCALAR_INIT;                                                                         \
        for (int i = 0; i < PTK_ISA_CHUNK; i++) buf[k][i] = v;                                     \
      }                                                                                            \
    for (int32_t r = 0; r < d->vrows; r++) {                                                       \
      for (int32_t c0 = 0; c0 < d->vcols; c0 += PTK_ISA_CHUNK) {                                   \
        int32_t n = d->vcols - c0 < PTK_ISA_CHUNK ? d->vcols - c0 : PTK_ISA_CHUNK;                 \
        for (int k = 0; k < no; k++) {                                                             \
          opnd *p = &o[k];                                                                         \
          if (p->mode == M_SCALAR) {                                                               \
            in[k] = buf[k];                                                                        \
            continue;                                                                              \
          }                                                                                        \
          int32_t rr = p->mode == M_COLB ? r % p->t->vrows : r;                                    \
          if (p->direct) {                                                                         \
            in[k] = (const T *)(const void *)ptk_isa__row(&p->L, rr) + c0;                         \
          } else {                                                                                 \
            LOAD(p->t, &p->L, rr, c0, n, p->mode == M_ROWB ? p->t->vcols : 0, buf[k]);             \
            in[k] = buf[k];                                                                        \
          }                                                                                        \
        }                                                                                          \
        T *out = ddirect ? (T *)(void *)ptk_isa__row(DL, r) + c0 : buf[3];                         \
        KCALL;                                                                                     \
        if (!ddirect) STORE(d, DL, r, c0, n, out);                                                 \
      }                                                                                            \
    }                                                                                              \
    return dz;                                                                                     \
  }

ENGINE(run_f, float, ptk_isa__load_f, ptk_isa__store_f,
       kern_f(kop, ptk_isa__prec(d->dtype), out, in[0], in[1], in[2], (size_t)n),
       ptk_isa__scalar_f(d->dtype, o[k].s))
ENGINE(run_d, double, ptk_isa__load_d, ptk_isa__store_d,
       kern_d(kop, out, in[0], in[1], in[2], (size_t)n), ptk_isa__scalar_d(o[k].s))
ENGINE(run_i, int64_t, ptk_isa__load_i, ptk_isa__store_i,
       dz |= kern_i(kop, d->dtype, out, in[0], in[1], in[2], (size_t)n),
       ptk_isa__scalar_i(d->dtype, o[k].s))

static int ew(const char *name, int kop, const ptk_tile *d, opnd *o, int no) {
  ptk_isa_lay DL;
  int rc = prep_ops(name, d, &DL, o, no);
  if (rc) return rc;
  if (!kop_ok(kop, d->dtype))
    return ptk_isa__fail(PTK_ISA_EDTYPE, "%s: %s is not defined for %s", name, kop_name(kop),
                         ptk_isa_dtype_name(d->dtype));
  bool dz = false;
  switch (ptk_isa__cls(d->dtype)) {
  case CLS_F: run_f(kop, d, &DL, o, no); break;
  case CLS_D: run_d(kop, d, &DL, o, no); break;
  default: dz = run_i(kop, d, &DL, o, no); break;
  }
  if (dz) return ptk_isa__fail(PTK_ISA_EDIVZERO, "%s: integer division by zero", name);
  return PTK_ISA_OK;
}

static opnd tile_op(const ptk_tile *t, int mode) {
  opnd o;
  memset(&o, 0, sizeof o);
  o.t = t;
  o.mode = mode;
  return o;
}
static opnd scalar_op(ptk_isa_scalar s) {
  opnd o;
  memset(&o, 0, sizeof o);
  o.mode = M_SCALAR;
  o.s = s;
  return o;
}

/* ---- public elementwise entry points -----------------------------------------------------------
 */

int ptk_isa_unary(ptk_isa_unop op, const ptk_tile *dst, const ptk_tile *src) {
  if ((unsigned)op >= PTK_ISA_NUNOPS)
    return ptk_isa__fail(PTK_ISA_EARG, "bad unary op %d", (int)op);
  opnd o[1] = {tile_op(src, M_SAME)};
  return ew(unop_names[op], K_UN + (int)op, dst, o, 1);
}

int ptk_isa_binary(ptk_isa_binop op, const ptk_tile *dst, const ptk_tile *a, const ptk_tile *b) {
  if ((unsigned)op >= PTK_ISA_NBINOPS)
    return ptk_isa__fail(PTK_ISA_EARG, "bad binary op %d", (int)op);
  opnd o[2] = {tile_op(a, M_SAME), tile_op(b, M_SAME)};
  return ew(binop_names[op], (int)op, dst, o, 2);
}

int ptk_isa_binary_ts(ptk_isa_binop op, const ptk_tile *dst, const ptk_tile *a, ptk_isa_scalar s) {
  if ((unsigned)op >= PTK_ISA_NBINOPS)
    return ptk_isa__fail(PTK_ISA_EARG, "bad binary op %d", (int)op);
  opnd o[2] = {tile_op(a, M_SAME), scalar_op(s)};
  return ew(binop_names[op], (int)op, dst, o, 2);
}

int ptk_isa_binary_st(ptk_isa_binop op, const ptk_tile *dst, ptk_isa_scalar s, const ptk_tile *a) {
  if ((unsigned)op >= PTK_ISA_NBINOPS)
    return ptk_isa__fail(PTK_ISA_EARG, "bad binary op %d", (int)op);
  opnd o[2] = {scalar_op(s), tile_op(a, M_SAME)};
  return ew(binop_names[op], (int)op, dst, o, 2);
}

int ptk_isa_taddc(const ptk_tile *dst, const ptk_tile *a, const ptk_tile *b, const ptk_tile *c) {
  opnd o[3] = {tile_op(a, M_SAME), tile_op(b, M_SAME), tile_op(c, M_SAME)};
  return ew("taddc", K_ADDC, dst, o, 3);
}
int ptk_isa_tsubc(const ptk_tile *dst, const ptk_tile *a, const ptk_tile *b, const ptk_tile *c) {
  opnd o[3] = {tile_op(a, M_SAME), tile_op(b, M_SAME), tile_op(c, M_SAME)};
  return ew("tsubc", K_SUBC, dst, o, 3);
}
int ptk_isa_taddsc(const ptk_tile *dst, const ptk_tile *a, ptk_isa_scalar s, const ptk_tile *b) {
  opnd o[3] = {tile_op(a, M_SAME), scalar_op(s), tile_op(b, M_SAME)};
  return ew("taddsc", K_ADDC, dst, o, 3);
}
int ptk_isa_tsubsc(const ptk_tile *dst, const ptk_tile *a, ptk_isa_scalar s, const ptk_tile *b) {
  opnd o[3] = {tile_op(a, M_SAME), scalar_op(s), tile_op(b, M_SAME)};
  return ew("tsubsc", K_SUBC, dst, o, 3);
}
int ptk_isa_taxpy(const ptk_tile *dst, const ptk_tile *src, ptk_isa_scalar s) {
  opnd o[3] = {tile_op(src, M_SAME), scalar_op(s), tile_op(dst, M_SAME)};
  return ew("taxpy", K_MULADD, dst, o, 3);
}

/* ---- expand ---------------------------------------------------------------------------------- */

int ptk_isa_trowexpand(const ptk_tile *dst, const ptk_tile *src) {
  opnd o[1] = {tile_op(src, M_ROWB)};
  o[0].mode = M_ROWB;
  /* dst[r,c] = src[r,0]: a row broadcast of the first column only */
  ptk_tile s = *src;
  if (s.vcols > 1) s.vcols = 1;
  o[0].t = &s;
  return ew("trowexpand", K_COPY, dst, o, 1);
}

int ptk_isa_tcolexpand(const ptk_tile *dst, const ptk_tile *src) {
  ptk_tile s = *src;
  if (s.vrows > 1) s.vrows = 1;
  opnd o[1] = {tile_op(&s, M_COLB)};
  return ew("tcolexpand", K_COPY, dst, o, 1);
}

/* Row broadcast with the per-row scalar read in place: d[i] = a[i] op v
 * (sfirst: v op a[i]); the same per-element expressions as kern_f. */
#define XK(EXPR)                                                                                   \
  do {                                                                                             \
    if (sfirst) {                                                                                  \
      VLOOP(i, n, { float x_ = v, y_ = a[i]; d[i] = EXPR; });                                      \
    } else {                                                                                       \
      VLOOP(i, n, { float x_ = a[i], y_ = v; d[i] = EXPR; });                                      \
    }                                                                                              \
  } while (0)
PTK_ISA_CLONES static void kern_rowb_f(int op, int prec, float *restrict d, const float *restrict a,
                                       float v, bool sfirst, size_t n) {
  switch (op) {
  case PTK_ISA_ADD: XK(x_ + y_); break;
  case PTK_ISA_SUB: XK(x_ - y_); break;
  case PTK_ISA_MUL: XK(x_ * y_); break;
  case PTK_ISA_DIV: XK(x_ / y_); break;
  case PTK_ISA_MAX: XK(x_ < y_ ? y_ : x_); break;
  case PTK_ISA_MIN: XK(y_ < x_ ? y_ : x_); break;
  default: /* PTK_ISA_EXPDIF */
    if (prec == 0)
      XK(ptk_expf(x_ - y_));
    else
      for (size_t i = 0; i < n; i++) {
        float x_ = sfirst ? v : a[i], y_ = sfirst ? a[i] : v;
        d[i] = ptk_expf(ptk_isa__rnd(x_ - y_, prec));
      }
    break;
  }
}
#undef XK

/* trowexpand_op / tcolexpand_op on f32 / f16 / bf16 after prep_ops: the
 * broadcast operand is read in place (row mode: one scalar per row, no
 * chunk filled; column mode: the broadcast row directly when it is f32
 * row-major, else converted once per column chunk, not once per row). The
 * other operand and dst go as in run_f. */
static void expand_run_f(int kop, const ptk_tile *d, const ptk_isa_lay *DL, opnd *o) {
  int bi = o[0].mode == M_SAME ? 1 : 0, fi = 1 - bi, prec = ptk_isa__prec(d->dtype);
  opnd *B = &o[bi], *F = &o[fi];
  float fbuf[PTK_ISA_CHUNK], bbuf[PTK_ISA_CHUNK], obuf[PTK_ISA_CHUNK];
  bool ddirect = d->dtype == PTK_ISA_F32 && DL->kind == LK_ROW;
  bool bdirect = B->mode == M_COLB && B->t->dtype == PTK_ISA_F32 && B->L.kind == LK_ROW;
  for (int32_t c0 = 0; c0 < d->vcols; c0 += PTK_ISA_CHUNK) {
    int32_t n = d->vcols - c0 < PTK_ISA_CHUNK ? d->vcols - c0 : PTK_ISA_CHUNK;
    const float *brow = bbuf;
    if (B->mode == M_COLB) {
      if (bdirect)
        brow = (const float *)(const void *)ptk_isa__row(&B->L, 0) + c0;
      else
        ptk_isa__load_f(B->t, &B->L, 0, c0, n, 0, bbuf);
    }
    for (int32_t r = 0; r < d->vrows; r++) {
      const float *x = fbuf;
      if (F->direct)
        x = (const float *)(const void *)ptk_isa__row(&F->L, r) + c0;
      else
        ptk_isa__load_f(F->t, &F->L, r, c0, n, 0, fbuf);
      float *out = ddirect ? (float *)(void *)ptk_isa__row(DL, r) + c0 : obuf;
      if (B->mode == M_ROWB)
        kern_rowb_f(kop, prec, out, x, ptk_isa__ld_f(B->t->dtype, ptk_isa__ptr(&B->L, r, 0)),
                    bi == 0, (size_t)n);
      else if (bi == 0)
        kern_f(kop, prec, out, brow, x, x, (size_t)n);
      else
        kern_f(kop, prec, out, x, brow, brow, (size_t)n);
      if (!ddirect) ptk_isa__store_f(d, DL, r, c0, n, out);
    }
  }
}

static int expand_op(const char *name, ptk_isa_binop op, int mode, const ptk_tile *dst,
                     const ptk_tile *a, const ptk_tile *b) {
  if (op != PTK_ISA_ADD && op != PTK_ISA_SUB && op != PTK_ISA_MUL && op != PTK_ISA_DIV &&
      op != PTK_ISA_MAX && op != PTK_ISA_MIN && op != PTK_ISA_EXPDIF)
    return ptk_isa__fail(PTK_ISA_EARG, "%s: bad op %d", name, (int)op);
  opnd o[2] = {tile_op(a, mode), tile_op(b, mode)};
  if (ptk_isa__cls(dst->dtype) != CLS_F) return ew(name, (int)op, dst, o, 2);
  ptk_isa_lay DL;
  int rc = prep_ops(name, dst, &DL, o, 2);
  if (rc) return rc;
  if (o[0].mode == M_SAME && o[1].mode == M_SAME) {
    run_f((int)op, dst, &DL, o, 2);
    return PTK_ISA_OK;
  }
  /* the fast path reads in another order than the generic engine: only
   * when dst overlaps neither operand (or the full one exactly in place) */
  opnd *bo = o[0].mode == M_SAME ? &o[1] : &o[0], *fo = o[0].mode == M_SAME ? &o[0] : &o[1];
  if ((o[0].mode != M_SAME && o[1].mode != M_SAME) || overlaps(&bo->L, bo->t, &DL, dst) ||
      (overlaps(&fo->L, fo->t, &DL, dst) && !same_map(fo->t, dst)))
    return ew(name, (int)op, dst, o, 2);
  expand_run_f((int)op, dst, &DL, o);
  return PTK_ISA_OK;
}

int ptk_isa_trowexpand_op(ptk_isa_binop op, const ptk_tile *dst, const ptk_tile *a,
                          const ptk_tile *b) {
  /* The broadcast operand contributes only its column 0, whatever its width:
   * the A5 template loads the row's 32-byte block and vdup's lane 0 (PTOAS
   * _expand_binary._emit_row_expand_body), and the ST goldens use
   * src1[:, 0:1] with every block lane random. src1 is the broadcast operand
   * (also when both have dst's valid shape, as PTOAS would lower it) unless
   * only src1 has dst's valid shape, then it is src0 (pto-isa: exactly one
   * operand has the dst shape; order kept). Pinning vcols to 1 makes the
   * engine's c % vcols read column 0. */
  if (!dst || !a || !b) return ptk_isa__fail(PTK_ISA_EARG, "trowexpand op: missing tile");
  bool b_full = b->vrows == dst->vrows && b->vcols == dst->vcols;
  bool a_full = a->vrows == dst->vrows && a->vcols == dst->vcols;
  ptk_tile ca = *a, cb = *b;
  ptk_tile *bc = b_full && !a_full ? &ca : &cb;
  if (bc->vcols > 1) bc->vcols = 1;
  return expand_op("trowexpand op", op, M_ROWB, dst, &ca, &cb);
}

int ptk_isa_tcolexpand_op(ptk_isa_binop op, const ptk_tile *dst, const ptk_tile *a,
                          const ptk_tile *b) {
  /* Row 0 of the broadcast operand is used for every row, whatever its valid
   * rows (PTOAS A5 _emit_column_expand_body loads src1[0, col:]; pto-isa:
   * src1[0,j]); which operand is broadcast follows trowexpand_op. */
  if (!dst || !a || !b) return ptk_isa__fail(PTK_ISA_EARG, "tcolexpand op: missing tile");
  bool b_full = b->vrows == dst->vrows && b->vcols == dst->vcols;
  bool a_full = a->vrows == dst->vrows && a->vcols == dst->vcols;
  ptk_tile ca = *a, cb = *b;
  ptk_tile *bc = b_full && !a_full ? &ca : &cb;
  if (bc->vrows > 1) bc->vrows = 1;
  return expand_op("tcolexpand op", op, M_COLB, dst, &ca, &cb);
}

/* ---- partial ops ------------------------------------------------------------------------------
 */

int ptk_isa_tpart(ptk_isa_binop op, const ptk_tile *dst, const ptk_tile *a, const ptk_tile *b) {
  if (op != PTK_ISA_ADD && op != PTK_ISA_MAX && op != PTK_ISA_MIN && op != PTK_ISA_MUL)
    return ptk_isa__fail(PTK_ISA_EARG, "tpart: bad op %d", (int)op);
  ptk_isa_lay DL, AL, BL;
  int rc;
  if ((rc = ptk_isa__prep(dst, "tpart", "dst", &DL)) ||
      (rc = ptk_isa__prep(a, "tpart", "src0", &AL)) ||
      (rc = ptk_isa__prep(b, "tpart", "src1", &BL)))
    return rc;
  if (a->dtype != dst->dtype || b->dtype != dst->dtype)
    return ptk_isa__fail(PTK_ISA_EDTYPE, "tpart: operand dtypes differ");
  int cls = ptk_isa__cls(dst->dtype);
  /* A cell neither source covers: the NPU kernels (pto-isa TCopyPadOp, the
   * PTOAS A5 templates) first fill dst with the identity of max / min (the
   * dtype's finite extremum: the Min / Max pad value); add and mul give 0. */
  uint8_t none[8];
  ptk_isa__pad_bits(dst->dtype, op == PTK_ISA_MAX ? PTK_ISA_PAD_MIN : op == PTK_ISA_MIN ? PTK_ISA_PAD_MAX : PTK_ISA_PAD_ZERO,
                    none);
  for (int32_t r = 0; r < dst->vrows; r++) {
    for (int32_t c = 0; c < dst->vcols; c++) {
      bool ia = r < a->vrows && c < a->vcols, ib = r < b->vrows && c < b->vcols;
      uint8_t *dp = ptk_isa__ptr(&DL, r, c);
      const uint8_t *ap = ia ? ptk_isa__ptr(&AL, r, c) : NULL;
      const uint8_t *bp = ib ? ptk_isa__ptr(&BL, r, c) : NULL;
      if (ia != ib || !ia) {
        if (ia || ib)
          memmove(dp, ia ? ap : bp, DL.esz);
        else
          memcpy(dp, none, DL.esz);
        continue;
      }
      if (cls == CLS_I) {
        int64_t x = ptk_isa__ld_i(a->dtype, ap), y = ptk_isa__ld_i(a->dtype, bp), z;
        kern_i((int)op, dst->dtype, &z, &x, &y, &y, 1);
        ptk_isa__st_i(dst->dtype, dp, z);
      } else if (cls == CLS_D) {
        double x, y, z;
        memcpy(&x, ap, 8);
        memcpy(&y, bp, 8);
        kern_d((int)op, &z, &x, &y, &y, 1);
        memcpy(dp, &z, 8);
      } else {
        float x = ptk_isa__ld_f(a->dtype, ap), y = ptk_isa__ld_f(a->dtype, bp), z;
        kern_f((int)op, ptk_isa__prec(dst->dtype), &z, &x, &y, &y, 1);
        ptk_isa__st_f(dst->dtype, dp, z);
      }
    }
  }
  return PTK_ISA_OK;
}

/* ---- fills and generators
 * ------------------------------------------------------------------------ */

int ptk_isa_texpands(const ptk_tile *dst, ptk_isa_scalar s) {
  opnd o[1] = {scalar_op(s)};
  return ew("texpands", K_COPY, dst, o, 1);
}

int ptk_isa_tci(const ptk_tile *dst, int64_t start, bool descending) {
  ptk_isa_lay L;
  int rc = ptk_isa__prep(dst, "tci", "dst", &L);
  if (rc) return rc;
  if (ptk_isa__cls(dst->dtype) != CLS_I)
    return ptk_isa__fail(PTK_ISA_EDTYPE, "tci: dst must be an integer tile, not %s",
                         ptk_isa_dtype_name(dst->dtype));
  for (int32_t r = 0; r < dst->vrows; r++)
    for (int32_t c = 0; c < dst->vcols; c++) {
      u64 v = descending ? (u64)start - (u64)c : (u64)start + (u64)c;
      ptk_isa__st_i(dst->dtype, ptk_isa__ptr(&L, r, c), (int64_t)v);
    }
  return PTK_ISA_OK;
}

int ptk_isa_ttri(const ptk_tile *dst, int64_t diag, bool upper) {
  ptk_isa_lay L;
  int rc = ptk_isa__prep(dst, "ttri", "dst", &L);
  if (rc) return rc;
  uint8_t one[8], zero[8] = {0};
  int8_t i1 = 1;
  ptk_isa_convert_elem(dst->dtype, one, PTK_ISA_I8, &i1, PTK_ISA_RM_RINT, false);
  for (int32_t r = 0; r < dst->vrows; r++)
    for (int32_t c = 0; c < dst->vcols; c++) {
      bool on = upper ? c >= r + diag : c <= r + diag;
      memcpy(ptk_isa__ptr(&L, r, c), on ? one : zero, L.esz);
    }
  return PTK_ISA_OK;
}

/* ---- compare / select
 * ------------------------------------------------------------------------------ */

static bool cmp_exact(ptk_isa_cmp m, int cls, bool uns, double x, double y, int64_t i, int64_t j) {
  if (cls == CLS_I) {
    if (uns) {
      u64 a = (u64)i, b = (u64)j;
      switch (m) {
      case PTK_ISA_EQ: return a == b;
      case PTK_ISA_NE: return a != b;
      case PTK_ISA_LT: return a < b;
      case PTK_ISA_LE: return a <= b;
      case PTK_ISA_GT: return a > b;
      default: return a >= b;
      }
    }
    switch (m) {
    case PTK_ISA_EQ: return i == j;
    case PTK_ISA_NE: return i != j;
    case PTK_ISA_LT: return i < j;
    case PTK_ISA_LE: return i <= j;
    case PTK_ISA_GT: return i > j;
    default: return i >= j;
    }
  }
  switch (m) {
  case PTK_ISA_EQ: return x == y;
  case PTK_ISA_NE: return x != y;
  case PTK_ISA_LT: return x < y;
  case PTK_ISA_LE: return x <= y;
  case PTK_ISA_GT: return x > y;
  default: return x >= y;
  }
}

static int mask_check(const char *name, const ptk_tile *mask, ptk_isa_lay *ML, int *bits) {
  int rc = ptk_isa__prep(mask, name, "mask", ML);
  if (rc) return rc;
  size_t sz = ptk_isa_dtype_size(mask->dtype);
  if (ptk_isa__cls(mask->dtype) != CLS_I || sz > 4)
    return ptk_isa__fail(PTK_ISA_EDTYPE, "%s: mask must be an 8, 16 or 32-bit integer tile, not %s",
                         name, ptk_isa_dtype_name(mask->dtype));
  *bits = (int)sz * 8;
  return PTK_ISA_OK;
}

/* One comparison's operands, decoded once per call. */
typedef struct cmp_ctx {
  const ptk_tile *a, *b;
  ptk_isa_lay AL, BL;
  int cls;
  bool uns, scalar;
  ptk_isa_cmp mode;
  double sd;
  int64_t si;
} cmp_ctx;

static bool cmp_at(const cmp_ctx *k, int32_t r, int32_t c) {
  const uint8_t *ap = ptk_isa__ptr(&k->AL, r, c);
  if (k->cls == CLS_I) {
    int64_t x = ptk_isa__ld_i(k->a->dtype, ap);
    int64_t y = k->scalar ? k->si : ptk_isa__ld_i(k->b->dtype, ptk_isa__ptr(&k->BL, r, c));
    return cmp_exact(k->mode, k->cls, k->uns, 0, 0, x, y);
  }
  double x = ptk_isa__ld_d(k->a->dtype, ap);
  double y = k->scalar ? k->sd : ptk_isa__ld_d(k->b->dtype, ptk_isa__ptr(&k->BL, r, c));
  if (k->scalar && (k->mode == PTK_ISA_EQ || k->mode == PTK_ISA_NE)) {
    bool eq = fabs(x - y) < 1e-9; /* pto-isa TCMPS */
    return k->mode == PTK_ISA_EQ ? eq : !eq;
  }
  return cmp_exact(k->mode, k->cls, k->uns, x, y, 0, 0);
}

/* tcmp: row r of the mask holds row r's bits, words of `bits` bits (PTOAS
 * A5 tcmp stores each row at row * dst.cols bytes; its goldens pack
 * golden[row, col // 8] |= bit << (col % 8)). */
static void cmp_rows(const cmp_ctx *k, const ptk_tile *mask, const ptk_isa_lay *ML, int bits) {
  int32_t rows = k->a->vrows < mask->vrows ? k->a->vrows : mask->vrows;
  int32_t words = (k->a->vcols + bits - 1) / bits;
  if (words > mask->vcols) words = mask->vcols;
  for (int32_t r = 0; r < rows; r++)
    for (int32_t w = 0; w < words; w++) {
      uint32_t v = 0;
      for (int bit = 0; bit < bits; bit++) {
        int32_t c = w * bits + bit;
        if (c >= k->a->vcols) break;
        if (cmp_at(k, r, c)) v |= 1u << bit;
      }
      ptk_isa__st_i(mask->dtype, ptk_isa__ptr(ML, r, w), (int64_t)v);
    }
}

/* tcmps: the mask is a byte stream from the tile's first byte (storage
 * order of its rows x cols elements, little-endian within an element), bit
 * k of the stream being bit k%8 of byte k/8. Where each source element's bit
 * goes follows the PTOAS A5 template (vcmps + psts), per source width:
 * 4-byte sources are flattened (bit r*vcols + c, rows packed back to back);
 * 1/2/8-byte sources give each row a whole number of 256-byte vector repeats,
 * 256/size bits each (16 bytes per 128 f16, 32 bytes per 256 i8), row r
 * starting at byte r * ceil(vcols / lanes) * lanes / 8. Everything else in
 * the tile is 0. */
static int cmp_stream(const char *name, const cmp_ctx *k, const ptk_tile *mask,
                      const ptk_isa_lay *ML) {
  size_t asz = ptk_isa_dtype_size(k->a->dtype), msz = ML->esz;
  int64_t vr = k->a->vrows, vc = k->a->vcols;
  int64_t lanes = 256 / (int64_t)asz;
  int64_t row_bits = asz == 4 ? vc : (vc + lanes - 1) / lanes * lanes;
  int64_t need = (vr * row_bits + 7) / 8;
  size_t have = (size_t)mask->rows * (size_t)mask->cols * msz;
  if (vr > 0 && vc > 0 && (size_t)need > have)
    return ptk_isa__fail(PTK_ISA_ESHAPE, "%s: %lldx%lld compares need %lld mask bytes, the %dx%d %s mask has %zu",
                         name, (long long)vr, (long long)vc, (long long)need, (int)mask->rows,
                         (int)mask->cols, ptk_isa_dtype_name(mask->dtype), have);
  uint8_t *buf = ptk_isa__scratch(0, have + 1);
  memset(buf, 0, have);
  for (int64_t r = 0; r < vr; r++)
    for (int64_t c = 0; c < vc; c++)
      if (cmp_at(k, (int32_t)r, (int32_t)c)) {
        int64_t bit = r * row_bits + c;
        buf[bit / 8] |= (uint8_t)(1u << (bit % 8));
      }
  for (int32_t r = 0; r < mask->rows; r++)
    for (int32_t c = 0; c < mask->cols; c++)
      memcpy(ptk_isa__ptr(ML, r, c), buf + ((size_t)r * (size_t)mask->cols + (size_t)c) * msz, msz);
  return PTK_ISA_OK;
}

static int cmp_common(const char *name, const ptk_tile *mask, const ptk_tile *a, const ptk_tile *b,
                      ptk_isa_scalar s, ptk_isa_cmp mode, bool scalar) {
  if ((unsigned)mode > PTK_ISA_GE) return ptk_isa__fail(PTK_ISA_EARG, "%s: bad cmp mode", name);
  ptk_isa_lay ML;
  cmp_ctx k;
  memset(&k, 0, sizeof k);
  int bits, rc;
  if ((rc = mask_check(name, mask, &ML, &bits)) || (rc = ptk_isa__prep(a, name, "src0", &k.AL)))
    return rc;
  if (!scalar) {
    if ((rc = ptk_isa__prep(b, name, "src1", &k.BL))) return rc;
    if (b->dtype != a->dtype)
      return ptk_isa__fail(PTK_ISA_EDTYPE, "%s: src0 is %s but src1 is %s", name,
                           ptk_isa_dtype_name(a->dtype), ptk_isa_dtype_name(b->dtype));
    if ((rc = ptk_isa__need(b, a->vrows, a->vcols, name, "src1"))) return rc;
  }
  k.a = a;
  k.b = b;
  k.cls = ptk_isa__cls(a->dtype);
  k.uns = ptk_isa_dtype_is_unsigned(a->dtype);
  k.scalar = scalar;
  k.mode = mode;
  if (scalar) {
    if (k.cls == CLS_I)
      k.si = ptk_isa__scalar_i(a->dtype, s);
    else if (k.cls == CLS_D)
      k.sd = ptk_isa__scalar_d(s);
    else
      k.sd = ptk_isa__scalar_f(a->dtype, s);
    return cmp_stream(name, &k, mask, &ML);
  }
  /* zero the whole mask tile */
  uint8_t zero[8] = {0};
  ptk_isa__fill_outside(mask, &ML, 0, 0, zero);
  cmp_rows(&k, mask, &ML, bits);
  return PTK_ISA_OK;
}

int ptk_isa_tcmp(const ptk_tile *mask, const ptk_tile *a, const ptk_tile *b, ptk_isa_cmp mode) {
  return cmp_common("tcmp", mask, a, b, ptk_isa_si(0), mode, false);
}

int ptk_isa_tcmps(const ptk_tile *mask, const ptk_tile *a, ptk_isa_scalar s, ptk_isa_cmp mode) {
  return cmp_common("tcmps", mask, a, NULL, s, mode, true);
}

int ptk_isa_tgather_cmp(const ptk_tile *dst, const ptk_tile *cdst, const ptk_tile *src, ptk_isa_scalar k,
                        ptk_isa_cmp mode, int64_t offset) {
  ptk_isa_lay DL, CL, SL;
  int rc;
  if ((rc = ptk_isa__prep(dst, "tgather", "dst", &DL)) || (rc = ptk_isa__prep(cdst, "tgather", "cdst", &CL)) ||
      (rc = ptk_isa__prep(src, "tgather", "src", &SL)))
    return rc;
  if ((unsigned)mode > PTK_ISA_GE) return ptk_isa__fail(PTK_ISA_EARG, "tgather: bad cmp mode");
  if (ptk_isa__cls(dst->dtype) != CLS_I || ptk_isa_dtype_size(dst->dtype) != 4 ||
      ptk_isa__cls(cdst->dtype) != CLS_I || ptk_isa_dtype_size(cdst->dtype) != 4)
    return ptk_isa__fail(PTK_ISA_EDTYPE, "tgather: the compare form writes 32-bit integers, not %s and %s",
                         ptk_isa_dtype_name(dst->dtype), ptk_isa_dtype_name(cdst->dtype));
  if ((rc = ptk_isa__need(dst, src->vrows, 0, "tgather", "dst")) ||
      (rc = ptk_isa__need(cdst, src->vrows, 1, "tgather", "cdst")))
    return rc;
  int cls = ptk_isa__cls(src->dtype);
  bool uns = ptk_isa_dtype_is_unsigned(src->dtype);
  int64_t ki = cls == CLS_I ? ptk_isa__scalar_i(src->dtype, k) : 0;
  double kd = cls == CLS_I ? 0 : cls == CLS_D ? ptk_isa__scalar_d(k) : ptk_isa__scalar_f(src->dtype, k);
  for (int32_t r = 0; r < src->vrows; r++) {
    int64_t n = 0;
    for (int32_t c = 0; c < src->vcols; c++) {
      const uint8_t *p = ptk_isa__ptr(&SL, r, c);
      bool hit = cls == CLS_I ? cmp_exact(mode, cls, uns, 0, 0, ptk_isa__ld_i(src->dtype, p), ki)
                              : cmp_exact(mode, cls, uns, ptk_isa__ld_d(src->dtype, p), kd, 0, 0);
      if (!hit) continue;
      if (n < dst->vcols) ptk_isa__st_i(dst->dtype, ptk_isa__ptr(&DL, r, (int32_t)n), (int64_t)(int32_t)(c + offset));
      n++;
    }
    ptk_isa__st_i(cdst->dtype, ptk_isa__ptr(&CL, r, 0), n);
  }
  return PTK_ISA_OK;
}

static void copy_elem(uint8_t *d, const uint8_t *s, size_t esz) { memmove(d, s, esz); }

int ptk_isa_tsel(const ptk_tile *dst, const ptk_tile *mask, const ptk_tile *a, const ptk_tile *b) {
  ptk_isa_lay DL, ML, AL, BL;
  int bits, rc;
  if ((rc = ptk_isa__prep(dst, "tsel", "dst", &DL)) ||
      (rc = mask_check("tsel", mask, &ML, &bits)) || (rc = ptk_isa__prep(a, "tsel", "src0", &AL)) ||
      (rc = ptk_isa__prep(b, "tsel", "src1", &BL)))
    return rc;
  if (a->dtype != dst->dtype || b->dtype != dst->dtype)
    return ptk_isa__fail(PTK_ISA_EDTYPE, "tsel: operand dtypes differ");
  if ((rc = ptk_isa__need(a, dst->vrows, dst->vcols, "tsel", "src0")) ||
      (rc = ptk_isa__need(b, dst->vrows, dst->vcols, "tsel", "src1")))
    return rc;
  int64_t total = (int64_t)dst->vrows * dst->vcols;
  if (total == 0) return PTK_ISA_OK;
  if (mask->vcols < 1) return ptk_isa__fail(PTK_ISA_ESHAPE, "tsel: mask has no valid columns");
  int64_t last_word = (total - 1) / bits;
  if (last_word / mask->vcols >= mask->rows)
    return ptk_isa__fail(PTK_ISA_ESHAPE,
                         "tsel: %dx%d selections need %lld mask rows of %d elements, mask has %d",
                         (int)dst->vrows, (int)dst->vcols, (long long)(last_word / mask->vcols + 1),
                         (int)mask->vcols, (int)mask->rows);
  int64_t k = 0;
  for (int32_t r = 0; r < dst->vrows; r++)
    for (int32_t c = 0; c < dst->vcols; c++, k++) {
      int64_t w = k / bits;
      int32_t mr = (int32_t)(w / mask->vcols), mc = (int32_t)(w % mask->vcols);
      uint64_t word = (uint64_t)ptk_isa__ld_i(mask->dtype, ptk_isa__ptr(&ML, mr, mc));
      bool bit = (word >> (k % bits)) & 1;
      copy_elem(ptk_isa__ptr(&DL, r, c), bit ? ptk_isa__ptr(&AL, r, c) : ptk_isa__ptr(&BL, r, c),
                DL.esz);
    }
  return PTK_ISA_OK;
}

int ptk_isa_tsels(const ptk_tile *dst, const ptk_tile *mask, const ptk_tile *a, ptk_isa_scalar s) {
  ptk_isa_lay DL, ML, AL;
  int bits, rc;
  if ((rc = ptk_isa__prep(dst, "tsels", "dst", &DL)) ||
      (rc = mask_check("tsels", mask, &ML, &bits)) || (rc = ptk_isa__prep(a, "tsels", "src", &AL)))
    return rc;
  if (a->dtype != dst->dtype) return ptk_isa__fail(PTK_ISA_EDTYPE, "tsels: operand dtypes differ");
  if ((rc = ptk_isa__need(a, dst->vrows, dst->vcols, "tsels", "src")) ||
      (rc = ptk_isa__need(mask, dst->vrows, (dst->vcols + bits - 1) / bits, "tsels", "mask")))
    return rc;
  uint8_t sv[8];
  switch (ptk_isa__cls(dst->dtype)) {
  case CLS_F: ptk_isa__st_f(dst->dtype, sv, ptk_isa__scalar_f(dst->dtype, s)); break;
  case CLS_D: {
    double d = ptk_isa__scalar_d(s);
    memcpy(sv, &d, 8);
    break;
  }
  default: ptk_isa__st_i(dst->dtype, sv, ptk_isa__scalar_i(dst->dtype, s)); break;
  }
  for (int32_t r = 0; r < dst->vrows; r++)
    for (int32_t c = 0; c < dst->vcols; c++) {
      uint64_t word = (uint64_t)ptk_isa__ld_i(mask->dtype, ptk_isa__ptr(&ML, r, c / bits));
      bool bit = (word >> (c % bits)) & 1;
      copy_elem(ptk_isa__ptr(&DL, r, c), bit ? ptk_isa__ptr(&AL, r, c) : sv, DL.esz);
    }
  return PTK_ISA_OK;
}

/* ---- fused groups ------------------------------------------------------------------------------ */

#define FZ_BIN(F)                                                                                  \
  do {                                                                                             \
    if (form == PTK_ISA_FZ_TT)                                                                     \
      VLOOP(i, n, d[i] = F(a[i], b[i]));                                                           \
    else if (form == PTK_ISA_FZ_ST)                                                                \
      VLOOP(i, n, d[i] = F(s, a[i]));                                                              \
    else                                                                                           \
      VLOOP(i, n, d[i] = F(a[i], s));                                                              \
  } while (0)
/* static: a non-static target_clones function exports its resolver */
PTK_ISA_CLONES static void fz_chunk(ptk_isa_fz_form form, int op, float *restrict d, const float *restrict a,
                                    const float *restrict b, float s, size_t n) {
  if (form == PTK_ISA_FZ_UN) {
    switch (op) {
    case PTK_ISA_ABS: VLOOP(i, n, d[i] = ptk_ew_abs_f(a[i])); break;
    case PTK_ISA_EXP: vexp_f(d, a, n); break;
    case PTK_ISA_LOG: vlog_f(d, a, n); break;
    case PTK_ISA_SQRT: VLOOP(i, n, d[i] = ptk_ew_sqrt_f(a[i])); break;
    case PTK_ISA_RSQRT: VLOOP(i, n, d[i] = ptk_ew_rsqrt_f(a[i])); break;
    case PTK_ISA_RECIP: VLOOP(i, n, d[i] = ptk_ew_recip_f(a[i])); break;
    default: VLOOP(i, n, d[i] = ptk_ew_relu_f(a[i])); break;
    }
    return;
  }
  switch (op) {
  case PTK_ISA_ADD: FZ_BIN(ptk_ew_add_f); break;
  case PTK_ISA_SUB: FZ_BIN(ptk_ew_sub_f); break;
  case PTK_ISA_MUL: FZ_BIN(ptk_ew_mul_f); break;
  case PTK_ISA_DIV: FZ_BIN(ptk_ew_div_f); break;
  case PTK_ISA_MAX: FZ_BIN(ptk_ew_max_f); break;
  default: FZ_BIN(ptk_ew_min_f); break;
  }
}
#undef FZ_BIN

void ptk_isa_fz_chunk(ptk_isa_fz_form form, int op, float *restrict d, const float *restrict a,
                      const float *restrict b, float s, size_t n) {
  fz_chunk(form, op, d, a, b, s, n);
}
