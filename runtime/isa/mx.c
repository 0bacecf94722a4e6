/* MX (block-scaled) matmul: tmatmul.mx / .acc / .bias and the tgemv.mx
 * forms (runtime/isa/README.md, "tmatmul.mx"), and the exact decoders of
 * the byte formats they read. */
#include <stdlib.h>

#include "runtime/isa/internal.h"

/* Decision (OCP MX formats): e4m3fn has no infinity, only S.1111.111 is
 * NaN (the PTOAS MX goldens' decode_e4m3fn calls every exponent-15 code NaN;
 * their inputs never use one); e5m2 is IEEE-like (exponent 31: inf / NaN). */
float ptk_isa_mx_dec(ptk_isa_dtype t, uint8_t b) {
  float s = b & 0x80 ? -1.0f : 1.0f;
  switch (t) {
  case PTK_ISA_F8E4M3: {
    int e = (b >> 3) & 15, m = b & 7;
    if (e == 15 && m == 7) return NAN;
    return s * (e ? ldexpf(1.0f + (float)m / 8.0f, e - 7) : ldexpf((float)m, -9));
  }
  case PTK_ISA_F8E5M2: {
    int e = (b >> 2) & 31, m = b & 3;
    if (e == 31) return m ? NAN : s * INFINITY;
    return s * (e ? ldexpf(1.0f + (float)m / 4.0f, e - 15) : ldexpf((float)m, -16));
  }
  case PTK_ISA_E8M0: /* 2^(b - 127); 0xFF is NaN */
    return b == 0xFF ? NAN : ldexpf(1.0f, (int)b - 127);
  default: return NAN;
  }
}

static bool mx_elem(ptk_isa_dtype t) { return t == PTK_ISA_F8E4M3 || t == PTK_ISA_F8E5M2; }

/* Scaled operand values, x[i * cols + j] = dec(t[i, j]) * 2^(scale[g] - 127)
 * for the 32-element group g of j (A: scale[i, j / 32]) or of i (B:
 * scale[i / 32, j]); each product is exact or overflows / underflows like
 * an f32 multiply. */
static void scaled(const ptk_tile *t, const ptk_isa_lay *L, const ptk_tile *s, const ptk_isa_lay *SL,
                   int32_t rows, int32_t cols, bool a, float *x) {
  (void)s;
  for (int32_t i = 0; i < rows; i++)
    for (int32_t j = 0; j < cols; j++) {
      float v = ptk_isa_mx_dec(t->dtype, *ptk_isa__ptr(L, i, j));
      uint8_t e = a ? *ptk_isa__ptr(SL, i, j / 32) : *ptk_isa__ptr(SL, i / 32, j);
      x[(size_t)i * cols + j] = v * ptk_isa_mx_dec(PTK_ISA_E8M0, e);
    }
}

/* Decision: the PTOAS MX goldens (test/samples/MatmulMxLowPrecision,
 * Gemvmx: np.matmul of a * 2^(sa - 127) and b * 2^(sb - 127)); the sum runs
 * as ptk's tmatmul does (matmul.c): an fmaf chain in ascending k from 0,
 * then Cin or the bias row added. fp4 operands are refused: no golden fixes
 * how their pairs line up with K. */
int ptk_isa_tmatmul_mx(const ptk_tile *c, const ptk_tile *cin, const ptk_tile *a,
                       const ptk_tile *as, const ptk_tile *b, const ptk_tile *bs,
                       const ptk_tile *bias) {
  static const char *nm = "tmatmul.mx";
  ptk_isa_lay CL, IL, AL, ASL, BL, BSL, XL;
  int rc;
  if ((rc = ptk_isa__prep(c, nm, "C", &CL)) || (rc = ptk_isa__prep(a, nm, "A", &AL)) ||
      (rc = ptk_isa__prep(as, nm, "A scale", &ASL)) || (rc = ptk_isa__prep(b, nm, "B", &BL)) ||
      (rc = ptk_isa__prep(bs, nm, "B scale", &BSL)) ||
      (cin && (rc = ptk_isa__prep(cin, nm, "Cin", &IL))) ||
      (bias && (rc = ptk_isa__prep(bias, nm, "bias", &XL))))
    return rc;
  if (!mx_elem(a->dtype) || !mx_elem(b->dtype))
    return ptk_isa__fail(PTK_ISA_EDTYPE, "%s: A and B must be f8E4M3FN or f8E5M2 on the host, not %s and %s",
                         nm, ptk_isa_dtype_name(a->dtype), ptk_isa_dtype_name(b->dtype));
  if (as->dtype != PTK_ISA_E8M0 || bs->dtype != PTK_ISA_E8M0)
    return ptk_isa__fail(PTK_ISA_EDTYPE, "%s: the scales must be f8E8M0, not %s and %s", nm,
                         ptk_isa_dtype_name(as->dtype), ptk_isa_dtype_name(bs->dtype));
  if (c->dtype != PTK_ISA_F32 || (cin && cin->dtype != PTK_ISA_F32) || (bias && bias->dtype != PTK_ISA_F32))
    return ptk_isa__fail(PTK_ISA_EDTYPE, "%s: C, Cin and bias must be f32", nm);
  int32_t M = a->vrows, K = a->vcols, N = b->vcols, G = (K + 31) / 32;
  if ((rc = ptk_isa__need(b, K, N, nm, "B")) || (rc = ptk_isa__need(c, M, N, nm, "C")) ||
      (rc = ptk_isa__need(as, M, G, nm, "A scale")) || (rc = ptk_isa__need(bs, G, N, nm, "B scale")) ||
      (cin && (rc = ptk_isa__need(cin, M, N, nm, "Cin"))) ||
      (bias && (rc = ptk_isa__need(bias, 1, N, nm, "bias"))))
    return rc;
  if (M == 0 || N == 0) return PTK_ISA_OK;
  float *x = malloc(((size_t)M * K + (size_t)K * N + 2 * (size_t)N + 1) * sizeof *x);
  if (!x) return ptk_isa__fail(PTK_ISA_EARG, "%s: out of memory", nm);
  float *y = x + (size_t)M * K, *acc = y + (size_t)K * N, *ex = acc + N;
  scaled(a, &AL, as, &ASL, M, K, true, x);
  scaled(b, &BL, bs, &BSL, K, N, false, y);
  if (bias) ptk_isa__load_f(bias, &XL, 0, 0, N, 0, ex);
  for (int32_t i = 0; i < M; i++) {
    for (int32_t j = 0; j < N; j++) acc[j] = 0.0f;
    for (int32_t k = 0; k < K; k++) {
      float u = x[(size_t)i * K + k];
      const float *yr = y + (size_t)k * N;
      for (int32_t j = 0; j < N; j++) acc[j] = fmaf(u, yr[j], acc[j]);
    }
    if (cin) {
      ptk_isa__load_f(cin, &IL, i, 0, N, 0, ex);
      for (int32_t j = 0; j < N; j++) acc[j] = ex[j] + acc[j];
    } else if (bias) {
      for (int32_t j = 0; j < N; j++) acc[j] = acc[j] + ex[j];
    }
    ptk_isa__store_f(c, &CL, i, 0, N, acc);
  }
  free(x);
  return PTK_ISA_OK;
}
