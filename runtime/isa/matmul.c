/* tmatmul, tmatmul.acc, tmatmul.bias (and the tgemv forms, which are the
 * same). Each C[i,j] is one dot product started at 0 and accumulated in
 * ascending k with fmaf (i32: wrap-around multiply-add), then Cin or the bias
 * row is added: the pto-isa CPU simulator's TMatmulNzZn order exactly.
 *
 * A and B are unpacked once into row-major f32 matrices; the product runs in
 * 4 x 8 register blocks (acc = fmaf(a[i,k], B[k,j], acc) with k ascending for
 * every element, so the bits are those of the plain triple loop). fmaf is
 * exact either way; where the CPU has FMA the kernel is compiled for it
 * (chosen once at run time). */
#include "runtime/isa/internal.h"

/* C[i][j] = fmaf chain over k = 0..K-1 (from 0) for rows [i0, i1), columns
 * [j0, N); A is M x K, B is K x N, C is M x N, all row-major. */
#define GEMM_ROWS_BODY                                                                             \
  for (size_t i = i0; i < i1; i++) {                                                               \
    float *c = C + i * N;                                                                          \
    for (size_t j = j0; j < N; j++) c[j] = 0;                                                      \
    for (size_t k = 0; k < K; k++) {                                                               \
      const float *b = B + k * N;                                                                  \
      float x = A[i * K + k];                                                                      \
      for (size_t j = j0; j < N; j++) c[j] = fmaf(x, b[j], c[j]);                                  \
    }                                                                                              \
  }

static void gemm_rows_sw(float *restrict C, const float *restrict A, const float *restrict B,
                         size_t i0, size_t i1, size_t j0, size_t K, size_t N) {
  GEMM_ROWS_BODY
}
static void gemm_sw(float *restrict C, const float *restrict A, const float *restrict B, size_t M,
                    size_t K, size_t N) {
  gemm_rows_sw(C, A, B, 0, M, 0, K, N);
}

typedef void (*gemm_fn)(float *restrict, const float *restrict, const float *restrict, size_t,
                        size_t, size_t);

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
__attribute__((target("fma"))) static void gemm_rows_hw(float *restrict C, const float *restrict A,
                                                        const float *restrict B, size_t i0,
                                                        size_t i1, size_t j0, size_t K, size_t N) {
  GEMM_ROWS_BODY
}
/* 4 x 8 blocks with the accumulators in registers (one ymm per row); every
 * element still accumulates in k order from 0, so the bits do not depend on
 * the blocking. The ragged right and bottom edges go row by row. */
__attribute__((target("fma"))) static void gemm_hw(float *restrict C, const float *restrict A,
                                                   const float *restrict B, size_t M, size_t K,
                                                   size_t N) {
  size_t M4 = M & ~(size_t)3, N8 = N & ~(size_t)7;
  for (size_t i = 0; i < M4; i += 4)
    for (size_t j = 0; j < N8; j += 8) {
      float c0[8] = {0}, c1[8] = {0}, c2[8] = {0}, c3[8] = {0};
      const float *a = A + i * K;
      for (size_t k = 0; k < K; k++) {
        const float *b = B + k * N + j;
        float a0 = a[k], a1 = a[K + k], a2 = a[2 * K + k], a3 = a[3 * K + k];
        for (int jj = 0; jj < 8; jj++) {
          c0[jj] = fmaf(a0, b[jj], c0[jj]);
          c1[jj] = fmaf(a1, b[jj], c1[jj]);
          c2[jj] = fmaf(a2, b[jj], c2[jj]);
          c3[jj] = fmaf(a3, b[jj], c3[jj]);
        }
      }
      float *c = C + i * N + j;
      for (int jj = 0; jj < 8; jj++) {
        c[jj] = c0[jj];
        c[N + jj] = c1[jj];
        c[2 * N + jj] = c2[jj];
        c[3 * N + jj] = c3[jj];
      }
    }
  if (N8 < N) gemm_rows_hw(C, A, B, 0, M4, N8, K, N);
  gemm_rows_hw(C, A, B, M4, M, 0, K, N);
}
static gemm_fn pick_gemm(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("fma") ? gemm_hw : gemm_sw;
}
#else
static gemm_fn pick_gemm(void) { return gemm_sw; }
#endif

static gemm_fn gemm(void) {
  static gemm_fn f;
  gemm_fn g = __atomic_load_n(&f, __ATOMIC_RELAXED);
  if (!g) {
    g = pick_gemm();
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
    float *A = ptk_isa__scratch(1, (size_t)M * (size_t)K * sizeof(float) + 1);
    float *C = ptk_isa__scratch(2, (size_t)M * (size_t)N * sizeof(float));
    float *extra = ptk_isa__scratch(3, (size_t)N * sizeof(float));
    for (int32_t k = 0; k < K; k++) ptk_isa__load_f(b, &BL, k, 0, N, 0, B + (size_t)k * N);
    for (int32_t i = 0; i < M; i++) ptk_isa__load_f(a, &AL, i, 0, K, 0, A + (size_t)i * K);
    gemm()(C, A, B, (size_t)M, (size_t)K, (size_t)N);
    if (bias) ptk_isa__load_f(bias, &XL, 0, 0, N, 0, extra);
    for (int32_t i = 0; i < M; i++) {
      float *acc = C + (size_t)i * N;
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
