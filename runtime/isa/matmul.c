/* tmatmul, tmatmul.acc, tmatmul.bias (and the tgemv forms, which are the
 * same). Each C[i,j] is one dot product started at 0 and accumulated in
 * ascending k with fmaf (i32: wrap-around multiply-add), then Cin or the bias
 * row is added: the pto-isa CPU simulator's TMatmulNzZn order exactly.
 *
 * B is unpacked once into a row-major K x N float matrix so the inner loop
 * runs over j: acc[j] = fmaf(a[i,k], B[k,j], acc[j]) keeps every element's k
 * order and vectorizes. fmaf is exact either way; where the CPU has FMA the
 * loop is compiled for it (chosen at run time). */
#include "runtime/isa/internal.h"

/* acc[j] = fmaf(a[k], B[k][j], acc[j]) for k = 0..K-1 in order, j < N. */
static void fma_rows_sw(float *restrict acc, const float *restrict a, const float *restrict B,
                        size_t K, size_t N) {
  for (size_t k = 0; k < K; k++) {
    const float *restrict b = B + k * N;
    float x = a[k];
    for (size_t j = 0; j < N; j++) acc[j] = fmaf(x, b[j], acc[j]);
  }
}

typedef void (*fma_fn)(float *restrict, const float *restrict, const float *restrict, size_t,
                       size_t);

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
__attribute__((target("fma"))) static void fma_rows_hw(float *restrict acc,
                                                      const float *restrict a,
                                                      const float *restrict B, size_t K,
                                                      size_t N) {
  for (size_t k = 0; k < K; k++) {
    const float *restrict b = B + k * N;
    float x = a[k];
    VLOOP(j, N, acc[j] = fmaf(x, b[j], acc[j]));
  }
}
static fma_fn pick_fma(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("fma") ? fma_rows_hw : fma_rows_sw;
}
#else
static fma_fn pick_fma(void) { return fma_rows_sw; }
#endif

static fma_fn fma_rows(void) {
  static fma_fn f;
  fma_fn g = __atomic_load_n(&f, __ATOMIC_RELAXED);
  if (!g) {
    g = pick_fma();
    __atomic_store_n(&f, g, __ATOMIC_RELAXED);
  }
  return g;
}

static int mm(const char *name, const ptk_tile *c, const ptk_tile *cin, const ptk_tile *a,
              const ptk_tile *b, const ptk_tile *bias) {
  ptk_isa_lay CL, IL, AL, BL, XL;
  int rc;
  if ((rc = ptk_isa__prep(c, name, "C", &CL)) || (rc = ptk_isa__prep(a, name, "A", &AL)) ||
      (rc = ptk_isa__prep(b, name, "B", &BL)))
    return rc;
  if (cin && (rc = ptk_isa__prep(cin, name, "Cin", &IL))) return rc;
  if (bias && (rc = ptk_isa__prep(bias, name, "bias", &XL))) return rc;
  bool f = (a->dtype == PTK_ISA_F32 || a->dtype == PTK_ISA_F16 || a->dtype == PTK_ISA_BF16) &&
           b->dtype == a->dtype && c->dtype == PTK_ISA_F32;
  bool i8 = a->dtype == PTK_ISA_I8 && b->dtype == PTK_ISA_I8 && c->dtype == PTK_ISA_I32;
  if (!f && !i8)
    return ptk_isa__fail(PTK_ISA_EDTYPE,
                         "%s: (A, B, C) = (%s, %s, %s) is not one of (f16,f16,f32) (bf16,bf16,f32) "
                         "(f32,f32,f32) (i8,i8,i32)",
                         name, ptk_isa_dtype_name(a->dtype), ptk_isa_dtype_name(b->dtype),
                         ptk_isa_dtype_name(c->dtype));
  if (cin && cin->dtype != c->dtype)
    return ptk_isa__fail(PTK_ISA_EDTYPE, "%s: Cin is %s but C is %s", name,
                         ptk_isa_dtype_name(cin->dtype), ptk_isa_dtype_name(c->dtype));
  if (bias && bias->dtype != c->dtype)
    return ptk_isa__fail(PTK_ISA_EDTYPE, "%s: bias is %s but C is %s", name,
                         ptk_isa_dtype_name(bias->dtype), ptk_isa_dtype_name(c->dtype));
  int32_t M = a->vrows, K = a->vcols, N = b->vcols;
  if ((rc = ptk_isa__need(b, K, N, name, "B")) || (rc = ptk_isa__need(c, M, N, name, "C")) ||
      (cin && (rc = ptk_isa__need(cin, M, N, name, "Cin"))) ||
      (bias && (rc = ptk_isa__need(bias, 1, N, name, "bias"))))
    return rc;
  if (M == 0 || N == 0) return PTK_ISA_OK;
  size_t kn = (size_t)K * (size_t)N;
  if (f) {
    float *B = ptk_isa__scratch(0, kn * sizeof(float) + 1);
    float *arow = ptk_isa__scratch(1, (size_t)K * sizeof(float) + 1);
    float *acc = ptk_isa__scratch(2, (size_t)N * sizeof(float));
    float *extra = ptk_isa__scratch(3, (size_t)N * sizeof(float));
    for (int32_t k = 0; k < K; k++) ptk_isa__load_f(b, &BL, k, 0, N, 0, B + (size_t)k * N);
    if (bias) ptk_isa__load_f(bias, &XL, 0, 0, N, 0, extra);
    fma_fn fr = fma_rows();
    for (int32_t i = 0; i < M; i++) {
      if (K > 0) ptk_isa__load_f(a, &AL, i, 0, K, 0, arow);
      memset(acc, 0, (size_t)N * sizeof(float));
      fr(acc, arow, B, (size_t)K, (size_t)N);
      if (cin) {
        ptk_isa__load_f(cin, &IL, i, 0, N, 0, extra);
        for (int32_t j = 0; j < N; j++) acc[j] = extra[j] + acc[j];
      } else if (bias) {
        for (int32_t j = 0; j < N; j++) acc[j] = acc[j] + extra[j];
      }
      ptk_isa__store_f(c, &CL, i, 0, N, acc);
    }
    return PTK_ISA_OK;
  }
  int64_t *B = ptk_isa__scratch(0, kn * sizeof(int64_t) + 1);
  int64_t *arow = ptk_isa__scratch(1, (size_t)K * sizeof(int64_t) + 1);
  int64_t *acc = ptk_isa__scratch(2, (size_t)N * sizeof(int64_t));
  int64_t *extra = ptk_isa__scratch(3, (size_t)N * sizeof(int64_t));
  for (int32_t k = 0; k < K; k++) ptk_isa__load_i(b, &BL, k, 0, N, 0, B + (size_t)k * N);
  if (bias) ptk_isa__load_i(bias, &XL, 0, 0, N, 0, extra);
  for (int32_t i = 0; i < M; i++) {
    if (K > 0) ptk_isa__load_i(a, &AL, i, 0, K, 0, arow);
    memset(acc, 0, (size_t)N * sizeof(int64_t));
    for (int32_t k = 0; k < K; k++) {
      const int64_t *restrict brow = B + (size_t)k * N;
      int64_t x = arow[k];
      VLOOP(j, N, acc[j] = (int64_t)(uint32_t)((uint32_t)acc[j] + (uint32_t)(x * brow[j])));
    }
    if (cin) ptk_isa__load_i(cin, &IL, i, 0, N, 0, extra);
    if (cin || bias)
      for (int32_t j = 0; j < N; j++) acc[j] = (int64_t)((uint64_t)acc[j] + (uint64_t)extra[j]);
    ptk_isa__store_i(c, &CL, i, 0, N, acc);
  }
  return PTK_ISA_OK;
}

int ptk_isa_tmatmul(const ptk_tile *c, const ptk_tile *a, const ptk_tile *b) {
  return mm("tmatmul", c, NULL, a, b, NULL);
}
int ptk_isa_tmatmul_acc(const ptk_tile *c, const ptk_tile *cin, const ptk_tile *a,
                        const ptk_tile *b) {
  if (!cin) return ptk_isa__fail(PTK_ISA_EARG, "tmatmul.acc: missing Cin");
  return mm("tmatmul.acc", c, cin, a, b, NULL);
}
int ptk_isa_tmatmul_bias(const ptk_tile *c, const ptk_tile *a, const ptk_tile *b,
                         const ptk_tile *bias) {
  if (!bias) return ptk_isa__fail(PTK_ISA_EARG, "tmatmul.bias: missing bias");
  return mm("tmatmul.bias", c, NULL, a, b, bias);
}
