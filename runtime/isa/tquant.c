/* tquant: f32 tiles to 8-bit integers with per-row parameters
 * (runtime/isa/README.md, "tquant"). */
#include "runtime/isa/internal.h"

/* rint in the current (nearest-even) mode, then saturate; NaN -> 0. */
static int64_t sat_rint(float x, int64_t lo, int64_t hi) {
  if (x != x) return 0;
  float r = rintf(x);
  return r < (float)lo ? lo : r > (float)hi ? hi : (int64_t)r;
}

/* Decision: the PTOAS Quant goldens (test/samples/Quant/quant_golden.py,
 * quant_asym_golden.py): np.round(src * scale [+ offset]) in f32, clipped to
 * the dst type (their SYM kernel has an i8 dst, ASYM a u8 one). */
int ptk_isa_tquant(const ptk_tile *dst, const ptk_tile *src, const ptk_tile *fp,
                   const ptk_tile *offset, int64_t quant_type) {
  ptk_isa_lay DL, SL, FL, OL;
  int rc = ptk_isa__prep(dst, "tquant", "dst", &DL);
  if (rc || (rc = ptk_isa__prep(src, "tquant", "src", &SL)) ||
      (rc = ptk_isa__prep(fp, "tquant", "fp", &FL)))
    return rc;
  if (quant_type != 0 && quant_type != 1)
    return ptk_isa__fail(PTK_ISA_EARG,
                         "tquant: quant_type %lld is not INT8_SYM or INT8_ASYM (MX quantization is tquant.mx)",
                         (long long)quant_type);
  if ((quant_type == 1) != (offset != NULL))
    return ptk_isa__fail(PTK_ISA_EARG, "tquant: INT8_%s %s an offset tile", quant_type ? "ASYM" : "SYM",
                         quant_type ? "needs" : "takes no");
  if (offset && (rc = ptk_isa__prep(offset, "tquant", "offset", &OL))) return rc;
  if (dst->dtype != PTK_ISA_I8 && dst->dtype != PTK_ISA_U8)
    return ptk_isa__fail(PTK_ISA_EDTYPE, "tquant: dst must be i8 or u8, not %s",
                         ptk_isa_dtype_name(dst->dtype));
  if (src->dtype != PTK_ISA_F32 || fp->dtype != PTK_ISA_F32 || (offset && offset->dtype != PTK_ISA_F32))
    return ptk_isa__fail(PTK_ISA_EDTYPE, "tquant: src, fp and offset must be f32");
  int32_t rows = dst->vrows, cols = dst->vcols;
  if ((rc = ptk_isa__need(src, rows, cols, "tquant", "src")) ||
      (rc = ptk_isa__need(fp, rows, 1, "tquant", "fp")) ||
      (offset && (rc = ptk_isa__need(offset, rows, 1, "tquant", "offset"))))
    return rc;
  int64_t lo = dst->dtype == PTK_ISA_I8 ? -128 : 0, hi = dst->dtype == PTK_ISA_I8 ? 127 : 255;
  for (int32_t r = 0; r < rows; r++) {
    float sc = ptk_isa__ld_f(PTK_ISA_F32, ptk_isa__ptr(&FL, r, 0));
    float of = offset ? ptk_isa__ld_f(PTK_ISA_F32, ptk_isa__ptr(&OL, r, 0)) : 0.0f;
    for (int32_t c = 0; c < cols; c++) {
      float x = ptk_isa__ld_f(PTK_ISA_F32, ptk_isa__ptr(&SL, r, c));
      float y = x * sc; /* rounded to f32, then */
      if (offset) y = y + of; /* rounded again: no fused multiply-add */
      ptk_isa__st_i(dst->dtype, ptk_isa__ptr(&DL, r, c), sat_rint(y, lo, hi));
    }
  }
  return PTK_ISA_OK;
}

/* ---- tquant.mx (OCP MXFP8) ---- */

static uint32_t f32_bits(float x) {
  uint32_t u;
  memcpy(&u, &x, 4);
  return u;
}
static float bits_f32(uint32_t u) {
  float x;
  memcpy(&x, &u, 4);
  return x;
}

/* Decision: the golden's conversion bit for bit (it has no e4m3 subnormals
 * and drops the sign of what it flushes). */
uint8_t ptk_isa_mx_e4m3(float x) {
  uint32_t u = f32_bits(x);
  uint32_t sign = u >> 31, e = (u >> 23) & 0xFF, m = u & 0x7FFFFF;
  if (e == 0xFF) return m ? 0x7F : (uint8_t)(sign << 7 | 0x7E);
  if (e == 0) return 0; /* zero and f32 subnormals */
  int fe = (int)e - 120;
  if (fe > 15) return (uint8_t)(sign << 7 | 0x7E);
  if (fe < 0) return 0;
  uint32_t hi = m >> 20, rb = (m >> 19) & 1, sticky = (m & 0x7FFFF) != 0;
  uint32_t mr = hi + (rb & (sticky | (hi & 1)));
  fe += (int)(mr >> 3);
  mr &= 7;
  if (fe > 15) return (uint8_t)(sign << 7 | 0x7E);
  return (uint8_t)(sign << 7 | (uint32_t)fe << 3 | mr);
}

/* The golden's fp32_to_fp8_element: the e8m0 exponent of a group's absmax
 * (emax 8, e4m3) and the reciprocal scale 2^(254 - e8m0 - 127). */
static void mx_scale(float amax, uint8_t *e8, float *scaling) {
  uint32_t u = f32_bits(amax), e = (u >> 23) & 0xFF, m = u & 0x7FFFFF;
  if (e == 0xFF && m) {
    *e8 = 0xFF;
    *scaling = bits_f32(0x7FC00000u);
  } else if (e <= 8) {
    *e8 = 0;
    *scaling = bits_f32(0x7F000000u);
  } else {
    *e8 = (uint8_t)(e - 8);
    int se = 254 - (int)*e8;
    *scaling = se > 0 ? bits_f32((uint32_t)se << 23) : bits_f32(0x00400000u); /* 2^-127 */
  }
}

/* Group g's entry of an aux tile: flat index g of its valid region. */
static uint8_t *aux_at(const ptk_isa_lay *L, const ptk_tile *t, int64_t g) {
  return ptk_isa__ptr(L, (int32_t)(g / t->vcols), (int32_t)(g % t->vcols));
}

/* Decision: the PTOAS TquantMx golden (test/samples/TquantMx/
 * tquant_mx_golden.py) defines every output; groups run along src's rows
 * (vcols % 32 == 0, PTOAS TQuantMxOp::verify). Only its f32 MXFP8 form runs:
 * no golden fixes f16/bf16 scaling nor MXFP4. */
int ptk_isa_tquant_mx(const ptk_tile *dst, const ptk_tile *src, const ptk_tile *exp,
                      const ptk_tile *max, const ptk_tile *scaling, const ptk_tile *exp_zz,
                      int64_t quant_type, int64_t alg) {
  static const char *op = "tquant.mx";
  ptk_isa_lay DL, SL, EL, ML, CL;
  if (quant_type != 2) /* before the tiles: an MXFP4 dst is a byte format */
    return ptk_isa__fail(PTK_ISA_EARG, "%s: only MXFP8 quantization runs on the host", op);
  int rc = ptk_isa__prep(dst, op, "dst", &DL);
  if (rc || (rc = ptk_isa__prep(src, op, "src", &SL)) || (rc = ptk_isa__prep(exp, op, "exp", &EL)) ||
      (rc = ptk_isa__prep(max, op, "max", &ML)) || (rc = ptk_isa__prep(scaling, op, "scaling", &CL)))
    return rc;
  if (alg != 0) return ptk_isa__fail(PTK_ISA_EARG, "%s: only the OCP scale algorithm runs on the host", op);
  if (exp_zz)
    return ptk_isa__fail(PTK_ISA_EARG, "%s: the storeMode form (exp_zz) does not run on the host", op);
  if (src->dtype != PTK_ISA_F32 || max->dtype != PTK_ISA_F32 || scaling->dtype != PTK_ISA_F32)
    return ptk_isa__fail(PTK_ISA_EDTYPE, "%s: src, max and scaling must be f32 on the host (%s, %s, %s)",
                         op, ptk_isa_dtype_name(src->dtype), ptk_isa_dtype_name(max->dtype),
                         ptk_isa_dtype_name(scaling->dtype));
  if ((dst->dtype != PTK_ISA_I8 && dst->dtype != PTK_ISA_U8) ||
      (exp->dtype != PTK_ISA_I8 && exp->dtype != PTK_ISA_U8))
    return ptk_isa__fail(PTK_ISA_EDTYPE, "%s: dst and exp must be i8 or u8 (%s, %s)", op,
                         ptk_isa_dtype_name(dst->dtype), ptk_isa_dtype_name(exp->dtype));
  int32_t rows = src->vrows, cols = src->vcols;
  if (cols % 32)
    return ptk_isa__fail(PTK_ISA_ESHAPE, "%s: src valid columns (%d) are not a multiple of 32", op, (int)cols);
  int64_t groups = (int64_t)rows * cols / 32;
  if ((rc = ptk_isa__need(dst, rows, cols, op, "dst"))) return rc;
  const ptk_tile *aux[3] = {exp, max, scaling};
  static const char *const an[3] = {"exp", "max", "scaling"};
  for (int i = 0; i < 3; i++)
    if ((int64_t)aux[i]->vrows * aux[i]->vcols < groups)
      return ptk_isa__fail(PTK_ISA_ESHAPE, "%s: %s holds %lld valid elements, not one per group (%lld)", op,
                           an[i], (long long)aux[i]->vrows * aux[i]->vcols, (long long)groups);
  for (int64_t g = 0; g < groups; g++) {
    int32_t r = (int32_t)(g * 32 / cols), c0 = (int32_t)(g * 32 % cols);
    float x[32], amax = 0.0f;
    for (int i = 0; i < 32; i++) {
      x[i] = ptk_isa__ld_f(PTK_ISA_F32, ptk_isa__ptr(&SL, r, c0 + i));
      float a = fabsf(x[i]);
      if (a != a || amax != amax) amax = amax != amax ? amax : a; /* NaN wins, as np.max */
      else if (a > amax) amax = a;
    }
    uint8_t e8;
    float s;
    mx_scale(amax, &e8, &s);
    for (int i = 0; i < 32; i++) {
      double p = (double)x[i] * (double)s; /* exact: s is a power of two */
      p = p > 448.0 ? 448.0 : p < -448.0 ? -448.0 : p;
      *ptk_isa__ptr(&DL, r, c0 + i) = ptk_isa_mx_e4m3((float)p);
    }
    *aux_at(&EL, exp, g) = e8;
    ptk_isa__st_f(PTK_ISA_F32, aux_at(&ML, max, g), amax);
    ptk_isa__st_f(PTK_ISA_F32, aux_at(&CL, scaling, g), s);
  }
  return PTK_ISA_OK;
}
