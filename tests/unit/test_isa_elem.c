/* Elementwise ops against per-element C references: every dtype, every
 * layout, partial valid regions, NaN/inf/-0, integer wrap-around, plus the
 * expand, partial, compare/select, fill and generator ops. */
#include <float.h>
#include <limits.h>

#include "runtime/isa/fmath.h"
#include "tests/unit/test_isa_util.h"

static const ptk_isa_dtype DTS[] = {PTK_ISA_F32, PTK_ISA_F16, PTK_ISA_BF16, PTK_ISA_F64,
                                    PTK_ISA_I8,  PTK_ISA_I16, PTK_ISA_I32,  PTK_ISA_I64,
                                    PTK_ISA_U8,  PTK_ISA_U16, PTK_ISA_U32,  PTK_ISA_U64};
static const int SIZES[][2] = {{32, 32}, {7, 13}, {1, 1}, {1, 32}, {32, 1}, {3, 0}};

static bool is_uns(ptk_isa_dtype d) {
  return d == PTK_ISA_U8 || d == PTK_ISA_U16 || d == PTK_ISA_U32 || d == PTK_ISA_U64;
}
static int bits_of(ptk_isa_dtype d) { return (int)t_esz(d) * 8; }

/* Wrap an integer to the dtype (two's complement), extended back. */
static long long wrapi(ptk_isa_dtype d, unsigned long long v) {
  switch (d) {
  case PTK_ISA_I8: return (int8_t)v;
  case PTK_ISA_U8: return (uint8_t)v;
  case PTK_ISA_I16: return (int16_t)v;
  case PTK_ISA_U16: return (uint16_t)v;
  case PTK_ISA_I32: return (int32_t)v;
  case PTK_ISA_U32: return (uint32_t)v;
  default: return (long long)v;
  }
}

/* Round a double to the dtype's precision. `viaf` rounds through f32 first
 * (how the library rounds transcendental results for f16/bf16). */
static double rnd(ptk_isa_dtype d, double x, bool viaf) {
  switch (d) {
  case PTK_ISA_F32: return (float)x;
  case PTK_ISA_F16: {
    if (viaf) return t_f16_to_f32(t_f32_to_f16((float)x));
    return t_f16_to_f32(t_f64_to_f16(x));
  }
  case PTK_ISA_BF16: return t_bf16_to_f32(t_f32_to_bf16((float)x));
  default: return x;
  }
}

static double ref_bin_f(ptk_isa_binop op, ptk_isa_dtype d, double a, double b) {
  double r;
  switch (op) {
  case PTK_ISA_ADD: return rnd(d, a + b, false);
  case PTK_ISA_SUB: return rnd(d, a - b, false);
  case PTK_ISA_MUL: return rnd(d, a * b, false);
  case PTK_ISA_DIV: return rnd(d, a / b, false);
  case PTK_ISA_MAX: return a < b ? b : a;
  case PTK_ISA_MIN: return b < a ? b : a;
  case PTK_ISA_REM:
    r = fmod(a, b);
    if (r != 0 && ((a >= 0) != (b >= 0))) r = rnd(d, r + b, false);
    return r;
  case PTK_ISA_FMOD: return fmod(a, b);
  case PTK_ISA_PRELU: return a > 0 ? a : rnd(d, a * b, false);
  case PTK_ISA_ADDRELU: r = rnd(d, a + b, false); return r < 0 ? 0 : r;
  case PTK_ISA_SUBRELU: r = rnd(d, a - b, false); return r < 0 ? 0 : r;
  case PTK_ISA_POW: return d == PTK_ISA_F64 ? pow(a, b) : rnd(d, (float)pow(a, b), true);
  case PTK_ISA_EXPDIF:
    r = rnd(d, a - b, false);
    return d == PTK_ISA_F64 ? exp(r) : rnd(d, ptk_expf((float)r), true); /* ptk's own exp */
  default: return NAN;
  }
}

static long long ref_bin_i(ptk_isa_binop op, ptk_isa_dtype d, long long a, long long b) {
  bool u = is_uns(d);
  unsigned long long ua = (unsigned long long)a, ub = (unsigned long long)b;
  long long r;
  switch (op) {
  case PTK_ISA_ADD: return wrapi(d, ua + ub);
  case PTK_ISA_SUB: return wrapi(d, ua - ub);
  case PTK_ISA_MUL: return wrapi(d, ua * ub);
  case PTK_ISA_DIV:
    if (u) return wrapi(d, ua / ub);
    if (a == LLONG_MIN && b == -1) return LLONG_MIN;
    return wrapi(d, (unsigned long long)(a / b));
  case PTK_ISA_REM:
  case PTK_ISA_FMOD:
    if (u) return wrapi(d, ua % ub);
    if (b == -1) return 0;
    r = a % b;
    if (op == PTK_ISA_REM && r != 0 && ((a < 0) != (b < 0))) r += b;
    return wrapi(d, (unsigned long long)r);
  case PTK_ISA_MAX: return u ? (ua < ub ? b : a) : (a < b ? b : a);
  case PTK_ISA_MIN: return u ? (ub < ua ? b : a) : (b < a ? b : a);
  case PTK_ISA_AND: return a & b;
  case PTK_ISA_OR: return a | b;
  case PTK_ISA_XOR: return a ^ b;
  case PTK_ISA_SHL: return (b < 0 || b > 63) ? 0 : wrapi(d, ua << b);
  case PTK_ISA_SHR:
    if (u) return (b < 0 || b > 63) ? 0 : (long long)(ua >> b);
    return a >> ((b < 0 || b > 63) ? 63 : b);
  case PTK_ISA_PRELU: return (u ? a != 0 : a > 0) ? a : wrapi(d, ua * ub);
  case PTK_ISA_ADDRELU: r = wrapi(d, ua + ub); return (!u && r < 0) ? 0 : r;
  case PTK_ISA_SUBRELU: r = wrapi(d, ua - ub); return (!u && r < 0) ? 0 : r;
  default: return 0;
  }
}

static bool op_ok(ptk_isa_binop op, ptk_isa_dtype d) {
  bool f = t_is_float(d);
  switch (op) {
  case PTK_ISA_AND:
  case PTK_ISA_OR:
  case PTK_ISA_XOR:
  case PTK_ISA_SHL:
  case PTK_ISA_SHR: return !f;
  case PTK_ISA_EXPDIF: return f;
  case PTK_ISA_POW: return f; /* tested separately for ints */
  default: return true;
  }
}

static const double FSPECIAL[] = {NAN, INFINITY, -INFINITY, 0.0, -0.0, 1e-30, 65504, -3.0, 2.5};

static void fill_val(const ptk_tile *t, int r, int c, uint64_t *s, ptk_isa_binop op, bool divisor) {
  ptk_isa_dtype d = t->dtype;
  if (t_is_float(d)) {
    double v;
    if (t_rand(s) % 6 == 0)
      v = FSPECIAL[t_rand(s) % PTK_ARRAY_LEN(FSPECIAL)];
    else
      v = t_uni(s, -8, 8);
    if (op == PTK_ISA_POW && !divisor) v = fabs(v);
    t_setd(t, r, c, v);
    return;
  }
  long long v;
  switch (t_rand(s) % 8) {
  case 0: v = 0; break;
  case 1: v = -1; break;
  case 2: v = (long long)(1ull << (bits_of(d) - 1)); break; /* INT_MIN pattern */
  case 3: v = (long long)((1ull << (bits_of(d) - 1)) - 1); break;
  default: v = (long long)t_rand(s); break;
  }
  if (op == PTK_ISA_SHL || op == PTK_ISA_SHR) {
    if (divisor) v = (long long)(t_rand(s) % 80) - 8; /* some out of range */
  }
  v = wrapi(d, (unsigned long long)v);
  if (divisor && v == 0 && (op == PTK_ISA_DIV || op == PTK_ISA_REM || op == PTK_ISA_FMOD)) v = 3;
  t_seti(t, r, c, v);
}

static int check_bin(ptk_isa_dtype d, ptk_isa_binop op, int mode, int ld, int la, int lb, int vr,
                     int vc, uint64_t *s) {
  ptk_tile dst = t_mkl(d, 32, 32, vr, vc, ld, 512);
  ptk_tile a = t_mkl(d, 32, 32, vr, vc, la, 512);
  ptk_tile b = t_mkl(d, 32, 32, vr, vc, lb, 512);
  bool divop = op == PTK_ISA_DIV || op == PTK_ISA_REM || op == PTK_ISA_FMOD;
  for (int r = 0; r < vr; r++)
    for (int c = 0; c < vc; c++) {
      fill_val(&a, r, c, s, op, false);
      fill_val(&b, r, c, s, op, true);
      /* scalar / tile: the tile is the divisor */
      if (mode == 2 && divop && !t_is_float(d) && t_geti(&a, r, c) == 0) t_seti(&a, r, c, 5);
    }
  /* scalar operand: b[0,0] */
  ptk_isa_scalar sc = ptk_isa_si(0);
  if (vr && vc) {
    if (t_is_float(d))
      sc = ptk_isa_sf(t_getd(&b, 0, 0));
    else
      sc = ptk_isa_si(t_geti(&b, 0, 0));
  } else if (!t_is_float(d)) {
    sc = ptk_isa_si(3);
  }
  int rc;
  if (mode == 0)
    rc = ptk_isa_binary(op, &dst, &a, &b);
  else if (mode == 1)
    rc = ptk_isa_binary_ts(op, &dst, &a, sc);
  else
    rc = ptk_isa_binary_st(op, &dst, sc, &a);
  int bad = 0;
  if (rc) {
    printf("  %s: %s\n", ptk_isa_dtype_name(d), ptk_isa_error());
    bad++;
  }
  for (int r = 0; r < vr && !rc; r++)
    for (int c = 0; c < vc; c++) {
      bool ok;
      if (t_is_float(d)) {
        double x = t_getd(&a, r, c), y = mode == 0 ? t_getd(&b, r, c) : t_getd(&b, 0, 0);
        double want = mode == 2 ? ref_bin_f(op, d, y, x) : ref_bin_f(op, d, x, y);
        ok = t_same(t_getd(&dst, r, c), want);
        if (!ok && bad < 3)
          printf("  %s op %d mode %d (%d,%d): %g,%g -> %.9g want %.9g\n", ptk_isa_dtype_name(d),
                 (int)op, mode, r, c, x, y, t_getd(&dst, r, c), want);
      } else {
        long long x = t_geti(&a, r, c), y = mode == 0 ? t_geti(&b, r, c) : t_geti(&b, 0, 0);
        if (mode != 0 && !(vr && vc)) y = 3;
        long long want = mode == 2 ? ref_bin_i(op, d, y, x) : ref_bin_i(op, d, x, y);
        ok = t_geti(&dst, r, c) == wrapi(d, (unsigned long long)want);
        if (!ok && bad < 3)
          printf("  %s op %d mode %d (%d,%d): %lld,%lld -> %lld want %lld\n", ptk_isa_dtype_name(d),
                 (int)op, mode, r, c, x, y, t_geti(&dst, r, c), want);
      }
      bad += !ok;
    }
  bad += t_touched_outside(&dst, vr, vc);
  t_free(&dst);
  t_free(&a);
  t_free(&b);
  return bad;
}

TEST(binary_all_dtypes_ops_modes) {
  uint64_t s = 2024;
  int bad = 0;
  for (size_t di = 0; di < PTK_ARRAY_LEN(DTS); di++)
    for (int op = 0; op < PTK_ISA_NBINOPS; op++) {
      if (!op_ok((ptk_isa_binop)op, DTS[di])) continue;
      for (int mode = 0; mode < 3; mode++)
        for (size_t sz = 0; sz < PTK_ARRAY_LEN(SIZES); sz++) {
          int ld = (int)((di + op + sz) % T_NLAYOUTS);
          int n = check_bin(DTS[di], (ptk_isa_binop)op, mode, ld, (ld + 1) % T_NLAYOUTS,
                            (ld + 3) % T_NLAYOUTS, SIZES[sz][0], SIZES[sz][1], &s);
          if (n && bad < 20)
            printf("  -> %s op %d mode %d size %dx%d layouts %d\n", ptk_isa_dtype_name(DTS[di]), op,
                   mode, SIZES[sz][0], SIZES[sz][1], ld);
          bad += n;
        }
    }
  CHECK_INT(bad, 0);
}

TEST(binary_f32_every_layout_triple) {
  uint64_t s = 7;
  int bad = 0;
  for (int ld = 0; ld < T_NLAYOUTS; ld++)
    for (int la = 0; la < T_NLAYOUTS; la++)
      for (int lb = 0; lb < T_NLAYOUTS; lb++) {
        bad += check_bin(PTK_ISA_F32, PTK_ISA_ADD, 0, ld, la, lb, 7, 13, &s);
        bad += check_bin(PTK_ISA_F32, PTK_ISA_MAX, 0, ld, la, lb, 32, 32, &s);
      }
  CHECK_INT(bad, 0);
}

TEST(binary_in_place_and_aliasing) {
  /* dst == a (control_flow's in-place tadds) and dst == a == b */
  ptk_tile t = t_mk(PTK_ISA_F32, 8, 1024, 8, 1000, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  for (int r = 0; r < 8; r++)
    for (int c = 0; c < 1024; c++) t_setd(&t, r, c, r + c * 0.5);
  CHECK_INT(ptk_isa_tadds(&t, &t, ptk_isa_sf(1.25)), 0);
  CHECK(t_getd(&t, 3, 999) == 3 + 999 * 0.5 + 1.25);
  CHECK_INT(ptk_isa_tadd(&t, &t, &t), 0);
  CHECK(t_getd(&t, 7, 10) == 2 * (7 + 5 + 1.25));
  CHECK(t_getd(&t, 0, 1000) == 500.0); /* outside the valid region: untouched */
  /* partially overlapping views of one buffer (shifted by one row) */
  ptk_tile up = t, down = t;
  up.vrows = down.vrows = 7;
  CHECK_INT(ptk_isa_subview(&t, 1, 0, 7, 1024, 7, 1000, &down), 0);
  CHECK_INT(ptk_isa_subview(&t, 0, 0, 7, 1024, 7, 1000, &up), 0);
  CHECK_INT(ptk_isa_tsub(&up, &down, &up), 0); /* row r := row r+1 - row r */
  CHECK(t_getd(&t, 0, 4) == 2.0);
  t_free(&t);
}

static double ref_un(ptk_isa_unop op, ptk_isa_dtype d, double x) {
  switch (op) {
  case PTK_ISA_ABS: return fabs(x);
  case PTK_ISA_NEG: return -x;
  case PTK_ISA_EXP:
    if (d == PTK_ISA_F64) return exp(x);
    return rnd(d, ptk_expf((float)x), true); /* ptk's own exp (runtime/isa/fmath.h) */
  case PTK_ISA_LOG: return d == PTK_ISA_F64 ? log(x) : rnd(d, ptk_logf((float)x), true);
  case PTK_ISA_SQRT: return d == PTK_ISA_F64 ? sqrt(x) : rnd(d, sqrt(x), false);
  case PTK_ISA_RSQRT: return d == PTK_ISA_F64 ? 1 / sqrt(x) : rnd(d, (float)(1 / sqrt(x)), true);
  case PTK_ISA_RECIP: return rnd(d, 1 / x, false);
  case PTK_ISA_RELU: return x < 0 ? 0 : x;
  default: return NAN;
  }
}

TEST(unary_all_dtypes) {
  uint64_t s = 11;
  int bad = 0;
  for (size_t di = 0; di < PTK_ARRAY_LEN(DTS); di++)
    for (int op = 0; op < PTK_ISA_NUNOPS; op++)
      for (size_t sz = 0; sz < PTK_ARRAY_LEN(SIZES); sz++) {
        ptk_isa_dtype d = DTS[di];
        bool f = t_is_float(d);
        bool legal = op == PTK_ISA_NOT                                                ? !f
                     : (op == PTK_ISA_ABS || op == PTK_ISA_NEG || op == PTK_ISA_RELU) ? true
                                                                                      : f;
        int vr = SIZES[sz][0], vc = SIZES[sz][1];
        int l = (int)((di + op + sz) % T_NLAYOUTS);
        ptk_tile a = t_mkl(d, 32, 32, vr, vc, l, 512);
        ptk_tile dst = t_mkl(d, 32, 32, vr, vc, (l + 2) % T_NLAYOUTS, 512);
        for (int r = 0; r < vr; r++)
          for (int c = 0; c < vc; c++) fill_val(&a, r, c, &s, PTK_ISA_ADD, false);
        int rc = ptk_isa_unary((ptk_isa_unop)op, &dst, &a);
        if (!legal) {
          bad += rc != PTK_ISA_EDTYPE;
          t_free(&a);
          t_free(&dst);
          continue;
        }
        bad += rc != 0;
        for (int r = 0; r < vr && !rc; r++)
          for (int c = 0; c < vc; c++) {
            bool ok;
            if (f) {
              double x = t_getd(&a, r, c), want = ref_un((ptk_isa_unop)op, d, x);
              ok = t_same(t_getd(&dst, r, c), want);
              if (!ok && bad < 5)
                printf("  %s unop %d: %g -> %.9g want %.9g\n", ptk_isa_dtype_name(d), op, x,
                       t_getd(&dst, r, c), want);
            } else {
              long long x = t_geti(&a, r, c), want;
              unsigned long long ux = (unsigned long long)x;
              switch (op) {
              case PTK_ISA_ABS: want = is_uns(d) ? x : (x < 0 ? wrapi(d, 0 - ux) : x); break;
              case PTK_ISA_NEG: want = wrapi(d, 0 - ux); break;
              case PTK_ISA_RELU: want = (!is_uns(d) && x < 0) ? 0 : x; break;
              default: want = wrapi(d, ~ux); break;
              }
              ok = t_geti(&dst, r, c) == want;
            }
            bad += !ok;
          }
        bad += t_touched_outside(&dst, vr, vc);
        t_free(&a);
        t_free(&dst);
      }
  CHECK_INT(bad, 0);
}

TEST(int_division_by_zero_and_pow) {
  ptk_tile a = t_mk(PTK_ISA_I32, 2, 8, 2, 8, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile b = t_mk(PTK_ISA_I32, 2, 8, 2, 8, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile d = t_mk(PTK_ISA_I32, 2, 8, 2, 8, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  for (int c = 0; c < 8; c++) {
    t_seti(&a, 0, c, 7 * c - 20);
    t_seti(&b, 0, c, c % 3);
    t_seti(&a, 1, c, INT32_MIN);
    t_seti(&b, 1, c, -1);
  }
  CHECK_INT(ptk_isa_tdiv(&d, &a, &b), PTK_ISA_EDIVZERO);
  CHECK(strstr(ptk_isa_error(), "division by zero") != NULL);
  CHECK_INT(t_geti(&d, 0, 0), 0);
  CHECK_INT(t_geti(&d, 0, 1), -13);
  CHECK_INT(t_geti(&d, 1, 0), INT32_MIN); /* wraps, no trap */
  CHECK_INT(ptk_isa_trem(&d, &a, &b), PTK_ISA_EDIVZERO);
  CHECK_INT(t_geti(&d, 0, 2), 0); /* -6 rem 2 */
  CHECK_INT(t_geti(&d, 0, 4), 0); /* 8 rem 1 */
  CHECK_INT(ptk_isa_tdivs(&d, &a, ptk_isa_si(0)), PTK_ISA_EDIVZERO);
  /* floored remainder of ints: -7 rem 3 = 2, 7 rem -3 = -2 */
  t_seti(&a, 0, 0, -7);
  t_seti(&b, 0, 0, 3);
  t_seti(&a, 0, 1, 7);
  t_seti(&b, 0, 1, -3);
  ptk_tile a1, b1, d1;
  ptk_isa_subview(&a, 0, 0, 1, 8, 1, 2, &a1);
  ptk_isa_subview(&b, 0, 0, 1, 8, 1, 2, &b1);
  ptk_isa_subview(&d, 0, 0, 1, 8, 1, 2, &d1);
  CHECK_INT(ptk_isa_trem(&d1, &a1, &b1), 0);
  CHECK_INT(t_geti(&d, 0, 0), 2);
  CHECK_INT(t_geti(&d, 0, 1), -2);
  CHECK_INT(ptk_isa_tfmod(&d1, &a1, &b1), 0);
  CHECK_INT(t_geti(&d, 0, 0), -1);
  CHECK_INT(t_geti(&d, 0, 1), 1);
  /* integer pow through double */
  CHECK_INT(ptk_isa_tpows(&d1, &b1, ptk_isa_si(3)), 0);
  CHECK_INT(t_geti(&d, 0, 0), 27);
  CHECK_INT(t_geti(&d, 0, 1), -27);
  t_free(&a);
  t_free(&b);
  t_free(&d);
}

TEST(float_rem_is_floored) {
  /* the corpus Rem case: a - floor(a/b)*b */
  ptk_tile a = t_mk(PTK_ISA_F32, 1, 8, 1, 8, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile b = t_mk(PTK_ISA_F32, 1, 8, 1, 8, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile d = t_mk(PTK_ISA_F32, 1, 8, 1, 8, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  float av[] = {5.5f, -5.5f, 5.5f, -5.5f, 3.0f, -3.0f, 0.0f, 1.0f};
  float bv[] = {2.0f, 2.0f, -2.0f, -2.0f, 1.5f, 1.5f, -2.0f, INFINITY};
  /* -3 rem 1.5: fmod gives -0 and no sign fix-up applies (simulator) */
  float want[] = {1.5f, 0.5f, -0.5f, -1.5f, 0.0f, -0.0f, 0.0f, 1.0f};
  for (int c = 0; c < 8; c++) {
    t_setd(&a, 0, c, av[c]);
    t_setd(&b, 0, c, bv[c]);
  }
  CHECK_INT(ptk_isa_trem(&d, &a, &b), 0);
  for (int c = 0; c < 8; c++) CHECK_DBL(t_getd(&d, 0, c), want[c], 0);
  CHECK_INT(ptk_isa_trems(&d, &a, ptk_isa_sf(3.14)), 0);
  CHECK_DBL(t_getd(&d, 0, 1), (float)(fmod(-5.5, (double)3.14f) + 3.14f), 0);
  t_free(&a);
  t_free(&b);
  t_free(&d);
}

TEST(tdivs_operand_order) {
  ptk_tile a = t_mk(PTK_ISA_F32, 1, 8, 1, 2, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile d = t_mk(PTK_ISA_F32, 1, 8, 1, 2, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  t_setd(&a, 0, 0, 4.0);
  t_setd(&a, 0, 1, 0.0);
  CHECK_INT(ptk_isa_tdivs(&d, &a, ptk_isa_sf(2.0)), 0);
  CHECK(t_getd(&d, 0, 0) == 2.0 && t_getd(&d, 0, 1) == 0.0);
  CHECK_INT(ptk_isa_tdivs_rev(&d, ptk_isa_sf(2.0), &a), 0);
  CHECK(t_getd(&d, 0, 0) == 0.5 && isinf(t_getd(&d, 0, 1)));
  CHECK_INT(ptk_isa_tdivs(&d, &a, ptk_isa_sf(0.0)), 0); /* float: IEEE inf / NaN */
  CHECK(isinf(t_getd(&d, 0, 0)) && isnan(t_getd(&d, 0, 1)));
  /* an f32 scalar is rounded to f16 for an f16 tile */
  ptk_tile h = t_mk(PTK_ISA_F16, 1, 16, 1, 1, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  t_setd(&h, 0, 0, 1.0);
  CHECK_INT(ptk_isa_tadds(&h, &h, ptk_isa_sf(0x1.004p0)), 0); /* 1 + (1+2^-10) */
  CHECK(t_getd(&h, 0, 0) == 2.0);
  t_free(&a);
  t_free(&d);
  t_free(&h);
}

TEST(max_min_nan_order) {
  ptk_tile a = t_mk(PTK_ISA_F32, 1, 8, 1, 2, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile b = t_mk(PTK_ISA_F32, 1, 8, 1, 2, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile d = t_mk(PTK_ISA_F32, 1, 8, 1, 2, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  t_setd(&a, 0, 0, NAN);
  t_setd(&b, 0, 0, 1.0);
  t_setd(&a, 0, 1, 1.0);
  t_setd(&b, 0, 1, NAN);
  CHECK_INT(ptk_isa_tmax(&d, &a, &b), 0);
  CHECK(isnan(t_getd(&d, 0, 0)) && t_getd(&d, 0, 1) == 1.0); /* std::max: src0 unless src0 < src1 */
  CHECK_INT(ptk_isa_tmin(&d, &a, &b), 0);
  CHECK(isnan(t_getd(&d, 0, 0)) && t_getd(&d, 0, 1) == 1.0);
  CHECK_INT(ptk_isa_tmaxs(&d, &a, ptk_isa_sf(NAN)), 0);
  CHECK(isnan(t_getd(&d, 0, 0)) && t_getd(&d, 0, 1) == 1.0);
  t_free(&a);
  t_free(&b);
  t_free(&d);
}

TEST(bitwise_on_float_refused) {
  ptk_tile a = t_mk(PTK_ISA_F32, 1, 8, 1, 8, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  CHECK_INT(ptk_isa_tand(&a, &a, &a), PTK_ISA_EDTYPE);
  CHECK(strstr(ptk_isa_error(), "and is not defined for f32") != NULL);
  CHECK_INT(ptk_isa_tnot(&a, &a), PTK_ISA_EDTYPE);
  ptk_tile i = t_mk(PTK_ISA_I32, 1, 8, 1, 8, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  CHECK_INT(ptk_isa_texp(&i, &i), PTK_ISA_EDTYPE);
  CHECK_INT(ptk_isa_tadd(&i, &a, &a), PTK_ISA_EDTYPE);
  CHECK(strstr(ptk_isa_error(), "src0 is f32 but dst is i32") != NULL);
  CHECK_INT(ptk_isa_binary((ptk_isa_binop)99, &a, &a, &a), PTK_ISA_EARG);
  t_free(&a);
  t_free(&i);
}

/* Ternary ops: every step rounds to the dtype. */
TEST(ternary_ops) {
  static const ptk_isa_dtype dts[] = {PTK_ISA_F32, PTK_ISA_F16, PTK_ISA_BF16,
                                      PTK_ISA_I16, PTK_ISA_U8,  PTK_ISA_F64};
  uint64_t s = 5;
  int bad = 0;
  for (size_t di = 0; di < PTK_ARRAY_LEN(dts); di++)
    for (int l = 0; l < T_NLAYOUTS; l++) {
      ptk_isa_dtype d = dts[di];
      ptk_tile a = t_mkl(d, 32, 32, 7, 13, l, 512), b = t_mkl(d, 32, 32, 7, 13, (l + 1) % 6, 512),
               c = t_mkl(d, 32, 32, 7, 13, (l + 2) % 6, 512),
               dst = t_mkl(d, 32, 32, 7, 13, (l + 3) % 6, 512);
      for (int r = 0; r < 7; r++)
        for (int k = 0; k < 13; k++) {
          fill_val(&a, r, k, &s, PTK_ISA_ADD, false);
          fill_val(&b, r, k, &s, PTK_ISA_ADD, false);
          fill_val(&c, r, k, &s, PTK_ISA_ADD, false);
          fill_val(&dst, r, k, &s, PTK_ISA_ADD, false);
        }
      ptk_tile dst0 = t_mkl(d, 32, 32, 7, 13, (l + 3) % 6, 512);
      memcpy(dst0.data, dst.data, 32 * 32 * t_esz(d));
      double sf = t_is_float(d) ? 1.5 : 0;
      ptk_isa_scalar sv = t_is_float(d) ? ptk_isa_sf(sf) : ptk_isa_si(5);
      for (int which = 0; which < 5; which++) {
        int rc;
        switch (which) {
        case 0: rc = ptk_isa_taddc(&dst, &a, &b, &c); break;
        case 1: rc = ptk_isa_tsubc(&dst, &a, &b, &c); break;
        case 2: rc = ptk_isa_taddsc(&dst, &a, sv, &b); break;
        case 3: rc = ptk_isa_tsubsc(&dst, &a, sv, &b); break;
        default:
          memcpy(dst.data, dst0.data, 32 * 32 * t_esz(d));
          rc = ptk_isa_taxpy(&dst, &a, sv);
          break;
        }
        bad += rc != 0;
        for (int r = 0; r < 7; r++)
          for (int k = 0; k < 13; k++) {
            if (t_is_float(d)) {
              double x = t_getd(&a, r, k), y = t_getd(&b, r, k), z = t_getd(&c, r, k), w;
              switch (which) {
              case 0: w = rnd(d, rnd(d, x + y, false) + z, false); break;
              case 1: w = rnd(d, rnd(d, x - y, false) + z, false); break;
              case 2: w = rnd(d, rnd(d, x + sf, false) + y, false); break;
              case 3: w = rnd(d, rnd(d, x - sf, false) + y, false); break;
              default: w = rnd(d, rnd(d, x * sf, false) + t_getd(&dst0, r, k), false); break;
              }
              if (!t_same(t_getd(&dst, r, k), w)) bad++;
            } else {
              unsigned long long x = (unsigned long long)t_geti(&a, r, k),
                                 y = (unsigned long long)t_geti(&b, r, k),
                                 z = (unsigned long long)t_geti(&c, r, k), w;
              switch (which) {
              case 0: w = x + y + z; break;
              case 1: w = x - y + z; break;
              case 2: w = x + 5 + y; break;
              case 3: w = x - 5 + y; break;
              default: w = x * 5 + (unsigned long long)t_geti(&dst0, r, k); break;
              }
              if (t_geti(&dst, r, k) != wrapi(d, w)) bad++;
            }
          }
      }
      t_free(&a);
      t_free(&b);
      t_free(&c);
      t_free(&dst);
      t_free(&dst0);
    }
  CHECK_INT(bad, 0);
}

/* ---- expand ops ------------------------------------------------------------------------ */

static double ref_exp_f(ptk_isa_binop op, ptk_isa_dtype d, double a, double b) {
  return ref_bin_f(op, d, a, b);
}

TEST(rowexpand_both_modes_both_sides) {
  static const ptk_isa_binop ops[] = {PTK_ISA_ADD, PTK_ISA_SUB, PTK_ISA_MUL,   PTK_ISA_DIV,
                                      PTK_ISA_MAX, PTK_ISA_MIN, PTK_ISA_EXPDIF};
  static const ptk_isa_dtype dts[] = {PTK_ISA_F32, PTK_ISA_F16};
  uint64_t s = 77;
  int bad = 0;
  for (size_t di = 0; di < 2; di++)
    for (size_t oi = 0; oi < PTK_ARRAY_LEN(ops); oi++)
      for (int mode = 0; mode < 2; mode++)
        for (int side = 0; side < 2; side++) {
          ptk_isa_dtype d = dts[di];
          int blk = 32 / (int)t_esz(d);
          ptk_tile full = t_mk(d, 16, 64, 16, 50, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
          ptk_tile vec = mode == 0
                             ? t_mk(d, 16, 1, 16, 1, PTK_ISA_COL_MAJOR, PTK_ISA_NONE_BOX, 512)
                             : t_mk(d, 16, blk, 16, blk, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
          ptk_tile dst = t_mk(d, 16, 64, 16, 50, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
          for (int r = 0; r < 16; r++) {
            double v = t_uni(&s, -4, 4);
            for (int c = 0; c < vec.cols; c++) t_setd(&vec, r, c, v);
            for (int c = 0; c < 50; c++) t_setd(&full, r, c, t_uni(&s, -4, 4));
          }
          int rc = side == 0 ? ptk_isa_trowexpand_op(ops[oi], &dst, &full, &vec)
                             : ptk_isa_trowexpand_op(ops[oi], &dst, &vec, &full);
          bad += rc != 0;
          for (int r = 0; r < 16; r++)
            for (int c = 0; c < 50; c++) {
              double x = t_getd(&full, r, c), y = t_getd(&vec, r, 0);
              double want = side == 0 ? ref_exp_f(ops[oi], d, x, y) : ref_exp_f(ops[oi], d, y, x);
              if (!t_same(t_getd(&dst, r, c), want)) bad++;
            }
          bad += t_touched_outside(&dst, 16, 50);
          t_free(&full);
          t_free(&vec);
          t_free(&dst);
        }
  CHECK_INT(bad, 0);
}

/* The broadcast operand contributes column 0 of its row only, even when it
 * is a whole 32-byte block with distinct lanes (PTOAS A5 trowexpand* and
 * goldens: src0 op src1[:, 0:1]). */
TEST(rowexpand_block_broadcasts_lane0) {
  /* f16 16x128 + 16x16 block: lane c of the block must not be used */
  ptk_tile full = t_mk(PTK_ISA_F16, 16, 128, 16, 128, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile blk = t_mk(PTK_ISA_F16, 16, 16, 16, 16, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile dst = t_mk(PTK_ISA_F16, 16, 128, 16, 128, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  for (int r = 0; r < 16; r++) {
    for (int c = 0; c < 16; c++) t_setd(&blk, r, c, r + 100 * c);
    for (int c = 0; c < 128; c++) t_setd(&full, r, c, c % 8);
  }
  CHECK_INT(ptk_isa_trowexpandadd(&dst, &full, &blk), 0);
  CHECK(t_getd(&dst, 0, 0) == 0.0);
  CHECK(t_getd(&dst, 0, 1) == 1.0);    /* not 1 + blk[0,1] = 101 */
  CHECK(t_getd(&dst, 3, 17) == 4.0);   /* 1 + blk[3,0] */
  CHECK(t_getd(&dst, 15, 127) == 22.0); /* 7 + 15 */
  /* src0 as the block (only src1 has dst's shape): blk[r,0] - full */
  CHECK_INT(ptk_isa_trowexpandsub(&dst, &blk, &full), 0);
  CHECK(t_getd(&dst, 5, 0) == 5.0);
  CHECK(t_getd(&dst, 5, 9) == 4.0);
  CHECK(t_getd(&dst, 15, 127) == 8.0);
  t_free(&full);
  t_free(&blk);
  t_free(&dst);

  /* f32 16x8: both operands have dst's shape; src1 is still the broadcast one */
  ptk_tile a = t_mk(PTK_ISA_F32, 16, 8, 16, 8, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile b = t_mk(PTK_ISA_F32, 16, 8, 16, 8, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile d = t_mk(PTK_ISA_F32, 16, 8, 16, 8, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  for (int r = 0; r < 16; r++)
    for (int c = 0; c < 8; c++) {
      t_setd(&a, r, c, 10 * r + c);
      t_setd(&b, r, c, 2 + c);
    }
  CHECK_INT(ptk_isa_trowexpandmul(&d, &a, &b), 0);
  CHECK(t_getd(&d, 1, 7) == 34.0); /* 17 * b[1,0] = 17 * 2, not 17 * 9 */
  CHECK_INT(ptk_isa_trowexpanddiv(&d, &b, &a), 0);
  CHECK(t_getd(&d, 2, 4) == (double)(6.0f / 20.0f)); /* b[2,4] / a[2,0] */
  t_free(&a);
  t_free(&b);
  t_free(&d);

  /* integers, col-major Rx1 and row-major block give the same result */
  ptk_tile x = t_mk(PTK_ISA_I16, 4, 64, 4, 64, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile col = t_mk(PTK_ISA_I16, 4, 1, 4, 1, PTK_ISA_COL_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile row = t_mk(PTK_ISA_I16, 4, 16, 4, 16, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile o1 = t_mk(PTK_ISA_I16, 4, 64, 4, 64, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile o2 = t_mk(PTK_ISA_I16, 4, 64, 4, 64, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  for (int r = 0; r < 4; r++) {
    t_seti(&col, r, 0, 3 * r + 1);
    for (int c = 0; c < 16; c++) t_seti(&row, r, c, c ? -999 : 3 * r + 1);
    for (int c = 0; c < 64; c++) t_seti(&x, r, c, c - r);
  }
  CHECK_INT(ptk_isa_trowexpandmax(&o1, &x, &col), 0);
  CHECK_INT(ptk_isa_trowexpandmax(&o2, &x, &row), 0);
  CHECK(memcmp(o1.data, o2.data, 4 * 64 * 2) == 0);
  CHECK_INT(t_geti(&o2, 3, 1), 10);  /* max(1 - 3, 10) */
  CHECK_INT(t_geti(&o2, 3, 50), 47); /* max(50 - 3, 10) */
  t_free(&x);
  t_free(&col);
  t_free(&row);
  t_free(&o1);
  t_free(&o2);
}

TEST(rowexpand_and_colexpand_plain) {
  uint64_t s = 3;
  for (int l = 0; l < T_NLAYOUTS; l++) {
    ptk_tile src = t_mkl(PTK_ISA_I16, 32, 32, 32, 32, l, 512);
    for (int r = 0; r < 32; r++)
      for (int c = 0; c < 32; c++) t_seti(&src, r, c, (long long)(t_rand(&s) % 1000));
    ptk_tile dst = t_mkl(PTK_ISA_I16, 32, 32, 9, 31, (l + 1) % 6, 512);
    CHECK_INT(ptk_isa_trowexpand(&dst, &src), 0);
    int bad = 0;
    for (int r = 0; r < 9; r++)
      for (int c = 0; c < 31; c++) bad += t_geti(&dst, r, c) != t_geti(&src, r, 0);
    CHECK_INT(ptk_isa_tcolexpand(&dst, &src), 0);
    for (int r = 0; r < 9; r++)
      for (int c = 0; c < 31; c++) bad += t_geti(&dst, r, c) != t_geti(&src, 0, c);
    bad += t_touched_outside(&dst, 9, 31);
    CHECK_INT(bad, 0);
    t_free(&src);
    t_free(&dst);
  }
}

TEST(colexpand_ops_both_sides) {
  /* rmsnorm's tcolexpandmul: 16x512 * 1x512 gamma row */
  uint64_t s = 9;
  int bad = 0;
  for (int side = 0; side < 2; side++)
    for (int op = PTK_ISA_ADD; op <= PTK_ISA_MIN; op++) {
      ptk_tile full = t_mk(PTK_ISA_F32, 16, 512, 16, 500, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
      ptk_tile row = t_mk(PTK_ISA_F32, 1, 512, 1, 500, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
      ptk_tile dst = t_mk(PTK_ISA_F32, 16, 512, 16, 500, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
      for (int c = 0; c < 500; c++) {
        t_setd(&row, 0, c, t_uni(&s, 0.5, 2));
        for (int r = 0; r < 16; r++) t_setd(&full, r, c, t_uni(&s, -3, 3));
      }
      int rc = side ? ptk_isa_tcolexpand_op((ptk_isa_binop)op, &dst, &row, &full)
                    : ptk_isa_tcolexpand_op((ptk_isa_binop)op, &dst, &full, &row);
      bad += rc != 0;
      for (int r = 0; r < 16; r++)
        for (int c = 0; c < 500; c++) {
          double x = t_getd(&full, r, c), y = t_getd(&row, 0, c);
          double want = side ? ref_bin_f((ptk_isa_binop)op, PTK_ISA_F32, y, x)
                             : ref_bin_f((ptk_isa_binop)op, PTK_ISA_F32, x, y);
          bad += !t_same(t_getd(&dst, r, c), want);
        }
      t_free(&full);
      t_free(&row);
      t_free(&dst);
    }
  CHECK_INT(bad, 0);
  /* a 2-row broadcast operand: row 0 serves every row (no r % vrows cycling) */
  ptk_tile f8 = t_mk(PTK_ISA_F32, 4, 8, 4, 8, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile two = t_mk(PTK_ISA_F32, 2, 8, 2, 8, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile o8 = t_mk(PTK_ISA_F32, 4, 8, 4, 8, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  for (int c = 0; c < 8; c++) {
    t_setd(&two, 0, c, c);
    t_setd(&two, 1, c, 100 + c);
    for (int r = 0; r < 4; r++) t_setd(&f8, r, c, 10 * r);
  }
  CHECK_INT(ptk_isa_tcolexpandadd(&o8, &f8, &two), 0);
  CHECK(t_getd(&o8, 1, 3) == 13.0); /* 10 + two[0,3], not + two[1,3] */
  CHECK(t_getd(&o8, 3, 7) == 37.0);
  CHECK_INT(ptk_isa_tcolexpandsub(&o8, &two, &f8), 0);
  CHECK(t_getd(&o8, 3, 7) == -23.0); /* two[0,7] - 30 */
  t_free(&f8);
  t_free(&two);
  t_free(&o8);
  ptk_tile a = t_mk(PTK_ISA_F32, 4, 8, 4, 8, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile e = t_mk(PTK_ISA_F32, 4, 8, 0, 8, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  CHECK_INT(ptk_isa_tcolexpandadd(&a, &a, &e), PTK_ISA_ESHAPE);
  CHECK_INT(ptk_isa_trowexpand_op(PTK_ISA_AND, &a, &a, &a), PTK_ISA_EARG);
  t_free(&a);
  t_free(&e);
}

TEST(tpart_ops) {
  ptk_tile a = t_mk(PTK_ISA_F32, 8, 8, 3, 6, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile b = t_mk(PTK_ISA_F32, 8, 8, 5, 2, PTK_ISA_COL_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile d = t_mk(PTK_ISA_F32, 8, 8, 6, 7, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  for (int r = 0; r < 8; r++)
    for (int c = 0; c < 8; c++) {
      t_setd(&a, r, c, r * 10 + c);
      t_setd(&b, r, c, -(r * 10 + c) - 0.5);
    }
  static const ptk_isa_binop ops[] = {PTK_ISA_ADD, PTK_ISA_MAX, PTK_ISA_MIN, PTK_ISA_MUL};
  int bad = 0;
  for (int k = 0; k < 4; k++) {
    CHECK_INT(ptk_isa_tpart(ops[k], &d, &a, &b), 0);
    for (int r = 0; r < 6; r++)
      for (int c = 0; c < 7; c++) {
        bool ia = r < 3 && c < 6, ib = r < 5 && c < 2;
        double x = t_getd(&a, r, c), y = t_getd(&b, r, c);
        double none = ops[k] == PTK_ISA_MAX ? -FLT_MAX : ops[k] == PTK_ISA_MIN ? FLT_MAX : 0.0;
        double want = ia && ib ? ref_bin_f(ops[k], PTK_ISA_F32, x, y) : ia ? x : ib ? y : none;
        bad += !t_same(t_getd(&d, r, c), want);
      }
  }
  bad += t_touched_outside(&d, 6, 7);
  CHECK_INT(bad, 0);
  CHECK_INT(ptk_isa_tpart(PTK_ISA_SUB, &d, &a, &b), PTK_ISA_EARG);
  t_free(&a);
  t_free(&b);
  t_free(&d);
}

/* ---- fills / generators -------------------------------------------------------------------- */

TEST(texpands_dtypes_layouts) {
  int bad = 0;
  for (size_t di = 0; di < PTK_ARRAY_LEN(DTS); di++)
    for (int l = 0; l < T_NLAYOUTS; l++) {
      ptk_isa_dtype d = DTS[di];
      ptk_tile t = t_mkl(d, 32, 32, 5, 11, l, 512);
      ptk_isa_scalar sv = t_is_float(d) ? ptk_isa_sf(-2.75) : ptk_isa_si(300);
      CHECK_INT(ptk_isa_texpands(&t, sv), 0);
      for (int r = 0; r < 5; r++)
        for (int c = 0; c < 11; c++) {
          if (t_is_float(d))
            bad += t_getd(&t, r, c) != -2.75;
          else
            bad += t_geti(&t, r, c) != wrapi(d, 300);
        }
      bad += t_touched_outside(&t, 5, 11);
      t_free(&t);
    }
  CHECK_INT(bad, 0);
  /* float scalar into an integer tile truncates; int scalar into f16 rounds */
  ptk_tile i = t_mk(PTK_ISA_I8, 1, 32, 1, 2, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  CHECK_INT(ptk_isa_texpands(&i, ptk_isa_sf(-3.9)), 0);
  CHECK_INT(t_geti(&i, 0, 1), -3);
  ptk_tile h = t_mk(PTK_ISA_F16, 1, 16, 1, 2, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  CHECK_INT(ptk_isa_texpands(&h, ptk_isa_si(2049)), 0);
  CHECK(t_getd(&h, 0, 0) == 2048.0);
  t_free(&i);
  t_free(&h);
}

TEST(tci_ttri) {
  ptk_tile t = t_mk(PTK_ISA_I32, 1, 16, 1, 10, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  CHECK_INT(ptk_isa_tci(&t, 5, false), 0);
  for (int c = 0; c < 10; c++) CHECK_INT(t_geti(&t, 0, c), 5 + c);
  CHECK_INT(ptk_isa_tci(&t, 5, true), 0);
  CHECK_INT(t_geti(&t, 0, 9), -4);
  CHECK(t_bits(&t, 0, 10) == 0xA5A5A5A5u);
  ptk_tile f = t_mk(PTK_ISA_F32, 1, 16, 1, 10, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  CHECK_INT(ptk_isa_tci(&f, 0, false), PTK_ISA_EDTYPE);
  ptk_tile m = t_mk(PTK_ISA_F16, 16, 16, 5, 7, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  for (int upper = 0; upper < 2; upper++)
    for (int diag = -2; diag <= 2; diag++) {
      CHECK_INT(ptk_isa_ttri(&m, diag, upper), 0);
      int bad = 0;
      for (int r = 0; r < 5; r++)
        for (int c = 0; c < 7; c++) {
          bool on = upper ? c >= r + diag : c <= r + diag;
          bad += t_getd(&m, r, c) != (on ? 1.0 : 0.0);
        }
      CHECK_INT(bad, 0);
    }
  t_free(&t);
  t_free(&f);
  t_free(&m);
}

/* ---- compare / select ------------------------------------------------------------------------ */

static bool ref_cmp(ptk_isa_cmp m, double x, double y) {
  switch (m) {
  case PTK_ISA_EQ: return x == y;
  case PTK_ISA_NE: return x != y;
  case PTK_ISA_LT: return x < y;
  case PTK_ISA_LE: return x <= y;
  case PTK_ISA_GT: return x > y;
  default: return x >= y;
  }
}

TEST(tcmp_packed_masks) {
  static const ptk_isa_dtype mts[] = {PTK_ISA_U8, PTK_ISA_U16, PTK_ISA_U32};
  static const ptk_isa_dtype sts[] = {PTK_ISA_F32, PTK_ISA_F16, PTK_ISA_I32};
  uint64_t s = 21;
  int bad = 0;
  for (size_t mi = 0; mi < 3; mi++)
    for (size_t si = 0; si < 3; si++)
      for (int mode = 0; mode < 6; mode++)
        for (int l = 0; l < T_NLAYOUTS; l++) {
          ptk_isa_dtype sd = sts[si];
          int bits = (int)t_esz(mts[mi]) * 8;
          ptk_tile a = t_mkl(sd, 32, 32, 9, 29, l, 512);
          ptk_tile b = t_mkl(sd, 32, 32, 9, 29, (l + 1) % 6, 512);
          ptk_tile m = t_mk(mts[mi], 16, 32, 16, 4, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
          for (int r = 0; r < 9; r++)
            for (int c = 0; c < 29; c++) {
              if (sd == PTK_ISA_I32) {
                t_seti(&a, r, c, (long long)(t_rand(&s) % 5) - 2);
                t_seti(&b, r, c, (long long)(t_rand(&s) % 5) - 2);
              } else {
                double x = (double)(t_rand(&s) % 5) - 2, y = (double)(t_rand(&s) % 5) - 2;
                if (t_rand(&s) % 7 == 0) x = NAN;
                t_setd(&a, r, c, x);
                t_setd(&b, r, c, y);
              }
            }
          CHECK_INT(ptk_isa_tcmp(&m, &a, &b, (ptk_isa_cmp)mode), 0);
          int words = (29 + bits - 1) / bits;
          for (int r = 0; r < 16; r++)
            for (int w = 0; w < 32; w++) {
              unsigned long long want = 0;
              if (r < 9 && w < words && w < 4)
                for (int k = 0; k < bits; k++) {
                  int c = w * bits + k;
                  if (c >= 29) break;
                  double x = sd == PTK_ISA_I32 ? (double)t_geti(&a, r, c) : t_getd(&a, r, c);
                  double y = sd == PTK_ISA_I32 ? (double)t_geti(&b, r, c) : t_getd(&b, r, c);
                  if (ref_cmp((ptk_isa_cmp)mode, x, y)) want |= 1ull << k;
                }
              bad += (unsigned long long)t_bits(&m, r, w) != want;
            }
          t_free(&a);
          t_free(&b);
          t_free(&m);
        }
  CHECK_INT(bad, 0);
}

TEST(tcmps_scalar_and_epsilon) {
  ptk_tile a = t_mk(PTK_ISA_F32, 2, 16, 2, 16, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile m = t_mk(PTK_ISA_U8, 2, 32, 2, 2, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  for (int r = 0; r < 2; r++)
    for (int c = 0; c < 16; c++) t_setd(&a, r, c, c - 8);
  t_setd(&a, 1, 0, NAN);
  t_setd(&a, 1, 1, 1e-12); /* within 1e-9 of 0: EQ per the simulator */
  /* f32 source: one stream, row 1's bits follow row 0's (bytes 2, 3) */
  CHECK_INT(ptk_isa_tcmps(&m, &a, ptk_isa_sf(0.0), PTK_ISA_EQ), 0);
  CHECK_UINT(t_bits(&m, 0, 0), 0x00);
  CHECK_UINT(t_bits(&m, 0, 1), 0x01); /* (0, 8) */
  CHECK_UINT(t_bits(&m, 0, 2), 0x02); /* (1, 1) */
  CHECK_UINT(t_bits(&m, 0, 3), 0x01); /* (1, 8) */
  CHECK_UINT(t_bits(&m, 1, 0), 0x00); /* mask row 1 is not source row 1 */
  CHECK_UINT(t_bits(&m, 0, 5), 0x00); /* zeroed beyond the stream */
  CHECK_INT(ptk_isa_tcmps(&m, &a, ptk_isa_sf(0.0), PTK_ISA_NE), 0);
  CHECK_UINT(t_bits(&m, 0, 2), 0xfd); /* NaN: NE true */
  CHECK_INT(ptk_isa_tcmps(&m, &a, ptk_isa_sf(-6.0), PTK_ISA_LT), 0);
  CHECK_UINT(t_bits(&m, 0, 0), 0x03);
  CHECK_UINT(t_bits(&m, 0, 1), 0x00);
  CHECK_INT(ptk_isa_tcmps(&m, &a, ptk_isa_sf(0.0), PTK_ISA_GE), 0);
  CHECK_UINT(t_bits(&m, 0, 1), 0xff);
  CHECK_UINT(t_bits(&m, 0, 2), 0x02); /* NaN false, 1e-12 >= 0 true */
  CHECK_INT(ptk_isa_tcmps(&m, &a, ptk_isa_sf(0.0), (ptk_isa_cmp)9), PTK_ISA_EARG);
  ptk_tile fm = t_mk(PTK_ISA_F32, 2, 8, 2, 2, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  CHECK_INT(ptk_isa_tcmps(&fm, &a, ptk_isa_sf(0.0), PTK_ISA_EQ), PTK_ISA_EDTYPE);
  t_free(&a);
  t_free(&m);
  t_free(&fm);
}

/* tcmps mask placement per source width (PTOAS A5 tcmps goldens): bit k of
 * the mask tile's byte stream is bit k%8 of byte k/8. */
static void fill_pm(const ptk_tile *t, const int (*on)[2], int non) {
  for (int r = 0; r < t->vrows; r++)
    for (int c = 0; c < t->vcols; c++) {
      bool neg = false;
      for (int i = 0; i < non; i++) neg = neg || (on[i][0] == r && on[i][1] == c);
      if (t_is_float(t->dtype))
        t_setd(t, r, c, neg ? -1.0 : 1.0);
      else
        t_seti(t, r, c, neg ? -1 : 1);
    }
}
static int bytes_except(const ptk_tile *m, const int (*at)[3], int nat) {
  int bad = 0;
  for (int r = 0; r < m->rows; r++)
    for (int c = 0; c < m->cols; c++) {
      uint64_t want = 0;
      for (int i = 0; i < nat; i++)
        if (at[i][0] == r && at[i][1] == c) want = (uint64_t)at[i][2];
      if (t_bits(m, r, c) != want) {
        printf("  mask[%d,%d] = 0x%llx, want 0x%llx\n", r, c, (unsigned long long)t_bits(m, r, c),
               (unsigned long long)want);
        bad++;
      }
    }
  return bad;
}

TEST(tcmps_mask_stream_per_source_width) {
  /* f32 3x10: flattened, bit r*10 + c; k % 3 == 0 true -> 0x49 0x92 0x24 0x09 */
  ptk_tile a = t_mk(PTK_ISA_F32, 3, 16, 3, 10, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  for (int r = 0; r < 3; r++)
    for (int c = 0; c < 10; c++) t_setd(&a, r, c, (r * 10 + c) % 3 == 0 ? -1.0 : 1.0);
  ptk_tile m = t_mk(PTK_ISA_U8, 2, 32, 2, 32, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  memset(m.data, 0xa5, 64); /* stale bytes must be cleared */
  CHECK_INT(ptk_isa_tcmps(&m, &a, ptk_isa_sf(0.0), PTK_ISA_LT), 0);
  static const int f32_at[][3] = {{0, 0, 0x49}, {0, 1, 0x92}, {0, 2, 0x24}, {0, 3, 0x09}};
  CHECK_INT(bytes_except(&m, f32_at, 4), 0);
  t_free(&a);
  t_free(&m);

  /* f16 2x130: each row takes ceil(130/128) * 16 = 32 bytes */
  ptk_tile h = t_mk(PTK_ISA_F16, 2, 144, 2, 130, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  static const int h_on[][2] = {{0, 0}, {0, 129}, {1, 1}, {1, 128}};
  fill_pm(&h, h_on, 4);
  ptk_tile hm = t_mk(PTK_ISA_U8, 2, 64, 2, 64, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  CHECK_INT(ptk_isa_tcmps(&hm, &h, ptk_isa_sf(0.0), PTK_ISA_LT), 0);
  static const int h_at[][3] = {{0, 0, 0x01}, {0, 16, 0x02}, {0, 32, 0x02}, {0, 48, 0x01}};
  CHECK_INT(bytes_except(&hm, h_at, 4), 0);
  /* the same stream in a u16 mask: little-endian bytes of each element */
  ptk_tile hw = t_mk(PTK_ISA_U16, 2, 32, 2, 32, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  CHECK_INT(ptk_isa_tcmps(&hw, &h, ptk_isa_sf(0.0), PTK_ISA_LT), 0);
  static const int hw_at[][3] = {{0, 0, 0x0001}, {0, 8, 0x0002}, {0, 16, 0x0002}, {0, 24, 0x0001}};
  CHECK_INT(bytes_except(&hw, hw_at, 4), 0);
  t_free(&h);
  t_free(&hm);
  t_free(&hw);

  /* i8 2x40: each row takes ceil(40/256) * 32 = 32 bytes */
  ptk_tile b = t_mk(PTK_ISA_I8, 2, 64, 2, 40, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  static const int b_on[][2] = {{0, 39}, {1, 0}};
  fill_pm(&b, b_on, 2);
  ptk_tile bm = t_mk(PTK_ISA_U8, 1, 64, 1, 64, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  CHECK_INT(ptk_isa_tcmps(&bm, &b, ptk_isa_si(0), PTK_ISA_LT), 0);
  static const int b_at[][3] = {{0, 4, 0x80}, {0, 32, 0x01}};
  CHECK_INT(bytes_except(&bm, b_at, 2), 0);
  t_free(&b);
  t_free(&bm);

  /* i32 1x40 into a u32 mask: stream bits 0 and 33 */
  ptk_tile w = t_mk(PTK_ISA_I32, 1, 40, 1, 40, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  static const int w_on[][2] = {{0, 0}, {0, 33}};
  fill_pm(&w, w_on, 2);
  ptk_tile wm = t_mk(PTK_ISA_U32, 1, 8, 1, 8, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  CHECK_INT(ptk_isa_tcmps(&wm, &w, ptk_isa_si(0), PTK_ISA_LT), 0);
  static const int w_at[][3] = {{0, 0, 0x1}, {0, 1, 0x2}};
  CHECK_INT(bytes_except(&wm, w_at, 2), 0);
  /* a mask too small for the stream is refused: 4x64 f32 needs 32 bytes */
  ptk_tile big = t_mk(PTK_ISA_F32, 4, 64, 4, 64, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile small = t_mk(PTK_ISA_U8, 1, 16, 1, 16, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  CHECK_INT(ptk_isa_tcmps(&small, &big, ptk_isa_sf(0.0), PTK_ISA_LT), PTK_ISA_ESHAPE);
  CHECK(strstr(ptk_isa_error(), "need 32 mask bytes") != NULL);
  t_free(&w);
  t_free(&wm);
  t_free(&big);
  t_free(&small);
}

TEST(tsel_bitstream_and_tsels) {
  for (int l = 0; l < T_NLAYOUTS; l++) {
    ptk_tile a = t_mkl(PTK_ISA_F32, 32, 32, 5, 12, l, 512);
    ptk_tile b = t_mkl(PTK_ISA_F32, 32, 32, 5, 12, (l + 1) % 6, 512);
    ptk_tile d = t_mkl(PTK_ISA_F32, 32, 32, 5, 12, (l + 2) % 6, 512);
    ptk_tile m = t_mk(PTK_ISA_U8, 8, 32, 8, 3, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
    for (int r = 0; r < 8; r++)
      for (int c = 0; c < 32; c++) t_seti(&m, r, c, (r * 37 + c * 11 + 5) & 0xff);
    for (int r = 0; r < 5; r++)
      for (int c = 0; c < 12; c++) {
        t_setd(&a, r, c, r * 12 + c);
        t_setd(&b, r, c, -(r * 12 + c));
      }
    CHECK_INT(ptk_isa_tsel(&d, &m, &a, &b), 0);
    int bad = 0;
    for (int r = 0; r < 5; r++)
      for (int c = 0; c < 12; c++) {
        int k = r * 12 + c, byte = k / 8; /* one stream; mask row every 3 bytes */
        int bit = (int)(t_geti(&m, byte / 3, byte % 3) >> (k % 8)) & 1;
        bad += t_getd(&d, r, c) != (bit ? k : -k);
      }
    bad += t_touched_outside(&d, 5, 12);
    CHECK_INT(bad, 0);
    /* tsels: per row, bit c%8 of mask[r][c/8] */
    CHECK_INT(ptk_isa_tsels(&d, &m, &a, ptk_isa_sf(0.5)), 0);
    bad = 0;
    for (int r = 0; r < 5; r++)
      for (int c = 0; c < 12; c++) {
        int bit = (int)(t_geti(&m, r, c / 8) >> (c % 8)) & 1;
        bad += t_getd(&d, r, c) != (bit ? r * 12 + c : 0.5);
      }
    CHECK_INT(bad, 0);
    t_free(&a);
    t_free(&b);
    t_free(&d);
    t_free(&m);
  }
  /* a mask too small for the stream is refused */
  ptk_tile a = t_mk(PTK_ISA_F32, 8, 32, 8, 32, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile m = t_mk(PTK_ISA_U8, 2, 32, 2, 2, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  CHECK_INT(ptk_isa_tsel(&a, &m, &a, &a), PTK_ISA_ESHAPE);
  t_free(&a);
  t_free(&m);
}

TEST(tcmp_then_tsel_roundtrip) {
  /* select(a < b, a, b) == min(a, b) when the mask row holds a whole row */
  uint64_t s = 8;
  ptk_tile a = t_mk(PTK_ISA_F16, 4, 64, 4, 64, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile b = t_mk(PTK_ISA_F16, 4, 64, 4, 64, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile d = t_mk(PTK_ISA_F16, 4, 64, 4, 64, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile e = t_mk(PTK_ISA_F16, 4, 64, 4, 64, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile m = t_mk(PTK_ISA_U8, 4, 32, 4, 8, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  for (int r = 0; r < 4; r++)
    for (int c = 0; c < 64; c++) {
      t_setd(&a, r, c, t_uni(&s, -1, 1));
      t_setd(&b, r, c, t_uni(&s, -1, 1));
    }
  CHECK_INT(ptk_isa_tcmp(&m, &b, &a, PTK_ISA_LT), 0);
  CHECK_INT(ptk_isa_tsel(&d, &m, &b, &a), 0);
  CHECK_INT(ptk_isa_tmin(&e, &a, &b), 0);
  CHECK(memcmp(d.data, e.data, 4 * 64 * 2) == 0);
  t_free(&a);
  t_free(&b);
  t_free(&d);
  t_free(&e);
  t_free(&m);
}
