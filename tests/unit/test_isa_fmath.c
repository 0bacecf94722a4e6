/* ptk's own f32 exp and log (runtime/isa/fmath.h) as the tile library runs
 * them (texp / tlog on f32 and f16 tiles): error against a double-precision
 * reference over a dense sweep of f32 bit patterns, exact values at the
 * special points, the f16 path bit-identical to expf/logf rounded to f16 for
 * every f16 input, and the library equal to the header's inline function. */
#include "runtime/isa/fmath.h"
#include "tests/unit/test_isa_util.h"

enum { TN = 4096 };

/* Runs texp (log = false) or tlog over n <= TN f32 values in place. */
static void run_f32(float *v, int n, bool log_) {
  static float buf[TN];
  ptk_tile t;
  CHECK_INT(ptk_isa_tile_init(&t, buf, PTK_ISA_F32, PTK_ISA_VEC, 1, TN, 1, TN, PTK_ISA_ROW_MAJOR,
                              PTK_ISA_NONE_BOX, 512, PTK_ISA_PAD_NULL),
            0);
  t.vcols = n;
  memcpy(buf, v, (size_t)n * 4);
  CHECK_INT(log_ ? ptk_isa_tlog(&t, &t) : ptk_isa_texp(&t, &t), 0);
  memcpy(v, buf, (size_t)n * 4);
}

/* |got - ref| in units of the last place of ref as an f32 (subnormal ulp
 * 2^-149); an f32-overflowing ref must give inf exactly. */
static double ulps(float got, double ref) {
  if (isnan(ref)) return isnan(got) ? 0 : 1e9;
  if (fabs(ref) >= 0x1.ffffffp127) return got == (float)ref ? 0 : 1e9;
  int e;
  frexp(fabs(ref), &e);
  double ulp = ldexp(1.0, e - 24);
  if (ulp < 0x1p-149) ulp = 0x1p-149;
  return fabs((double)got - ref) / ulp;
}

static double sweep(bool log_, uint32_t lo, uint32_t hi, uint32_t step, int *mismatch) {
  float in[TN], out[TN];
  double worst = 0;
  int n = 0;
  for (uint64_t u = lo;; u += step) {
    bool last = u > hi;
    if (!last) in[n++] = ptk_bits_f32((uint32_t)u);
    if (n == TN || (last && n)) {
      memcpy(out, in, sizeof in);
      run_f32(out, n, log_);
      for (int i = 0; i < n; i++) {
        float inl = log_ ? ptk_logf(in[i]) : ptk_expf(in[i]);
        if (ptk_f32_bits(inl) != ptk_f32_bits(out[i])) ++*mismatch;
        double e = ulps(out[i], log_ ? log((double)in[i]) : exp((double)in[i]));
        if (e > worst) worst = e;
      }
      n = 0;
    }
    if (last) break;
  }
  return worst;
}

TEST(expf_logf_error_bound) {
  int mm = 0;
  /* exp: every 241st pattern of [-104, 89] (both signs), log: every 211th of (0, +inf) */
  double e1 = sweep(false, 0x00000000u, 0x42b20000u, 241, &mm);  /* [+0, 89] */
  double e2 = sweep(false, 0x80000000u, 0xc2d00000u, 241, &mm);  /* [-0, -104] */
  double l1 = sweep(true, 0x00000001u, 0x7f7fffffu, 211, &mm);
  CHECK_INT(mm, 0);
  CHECK(e1 < 1.0);
  CHECK(e2 < 1.0);
  CHECK(l1 < 1.0);
  if (e1 >= 1.0 || e2 >= 1.0 || l1 >= 1.0) printf("  exp %.3f %.3f ulp, log %.3f ulp\n", e1, e2, l1);
}

TEST(expf_logf_special_points) {
  float nan = NAN, inf = INFINITY;
  struct {
    float x, e, l; /* x, exp(x), log(x) */
  } sp[] = {
      {0.0f, 1.0f, -inf},
      {-0.0f, 1.0f, -inf},
      {1.0f, 0x1.5bf0a8p+1f, 0.0f},
      {inf, inf, inf},
      {-inf, 0.0f, ptk_bits_f32(0xffc00000u)},
      {-1.0f, 0x1.78b564p-2f, ptk_bits_f32(0xffc00000u)},
      {0x1.62e42ep+6f, 0x1.ffff08p+127f, 0x1.1f12b8p+2f}, /* 88.7228317: largest finite exp */
      {0x1.62e430p+6f, inf, 0x1.1f12b8p+2f},              /* 88.7228394: first overflow */
      {-0x1.5d589ep+6f, 0x1.00004cp-126f, nan},           /* -87.3365: last normal result */
      {-0x1.9fe368p+6f, 0x1p-149f, nan},                  /* -103.972: smallest subnormal */
      {-0x1.9fe37p+6f, 0.0f, nan},                        /* underflows to +0 */
      {0x1p-149f, 1.0f, -0x1.9d1dap+6f},                  /* subnormal inputs */
      {0x1.fffffcp-127f, 1.0f, -0x1.5d58ap+6f},
      {0x1p-126f, 1.0f, -0x1.5d58ap+6f},
      {0x1.fffffep127f, inf, 0x1.62e43p+6f},
  };
  int n = (int)(sizeof sp / sizeof sp[0]);
  float v[32];
  for (int i = 0; i < n; i++) v[i] = sp[i].x;
  run_f32(v, n, false);
  for (int i = 0; i < n; i++) {
    if (ptk_f32_bits(v[i]) != ptk_f32_bits(sp[i].e)) printf("  exp(%a) = %a\n", sp[i].x, v[i]);
    CHECK_UINT(ptk_f32_bits(v[i]), ptk_f32_bits(sp[i].e));
  }
  for (int i = 0; i < n; i++) v[i] = sp[i].x;
  run_f32(v, n, true);
  for (int i = 0; i < n; i++) {
    if (isnan(sp[i].l) && ptk_f32_bits(sp[i].l) != 0xffc00000u) {
      CHECK(isnan(v[i])); /* negative inputs: the default NaN, like libm */
      CHECK_UINT(ptk_f32_bits(v[i]), 0xffc00000u);
      continue;
    }
    if (ptk_f32_bits(v[i]) != ptk_f32_bits(sp[i].l)) printf("  log(%a) = %a\n", sp[i].x, v[i]);
    CHECK_UINT(ptk_f32_bits(v[i]), ptk_f32_bits(sp[i].l));
  }
  /* NaN in, NaN out (quiet, sign kept) */
  v[0] = nan;
  v[1] = -nan;
  run_f32(v, 2, false);
  CHECK(isnan(v[0]) && isnan(v[1]));
  v[0] = nan;
  run_f32(v, 1, true);
  CHECK(isnan(v[0]));
}

/* f16 texp / tlog: every f16 input gives expf / logf rounded to f16 (the
 * simulator's half TEXP), i.e. the documented f16 rounding is unchanged. */
TEST(f16_exp_log_exhaustive) {
  static uint16_t buf[65536], out[65536];
  ptk_tile a, d;
  CHECK_INT(ptk_isa_tile_init(&a, buf, PTK_ISA_F16, PTK_ISA_VEC, 64, 1024, 64, 1024, PTK_ISA_ROW_MAJOR,
                              PTK_ISA_NONE_BOX, 512, PTK_ISA_PAD_NULL),
            0);
  CHECK_INT(ptk_isa_tile_init(&d, out, PTK_ISA_F16, PTK_ISA_VEC, 64, 1024, 64, 1024, PTK_ISA_ROW_MAJOR,
                              PTK_ISA_NONE_BOX, 512, PTK_ISA_PAD_NULL),
            0);
  for (int k = 0; k < 2; k++) {
    for (uint32_t h = 0; h < 65536; h++) buf[h] = (uint16_t)h;
    CHECK_INT(k ? ptk_isa_tlog(&d, &a) : ptk_isa_texp(&d, &a), 0);
    int bad = 0;
    for (uint32_t h = 0; h < 65536; h++) {
      float x = ptk_f16_to_f32((uint16_t)h);
      if (isnan(x)) continue;
      uint16_t want = ptk_f32_to_f16(k ? logf(x) : expf(x));
      if (out[h] != want && !(isnan(ptk_f16_to_f32(want)) && isnan(ptk_f16_to_f32(out[h])))) {
        if (bad++ < 3) printf("  f16 %s(%a) = %04x, want %04x\n", k ? "log" : "exp", x, out[h], want);
      }
    }
    CHECK_INT(bad, 0);
  }
}
