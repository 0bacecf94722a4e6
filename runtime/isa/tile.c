/* Tile descriptors, layouts, errors, dtype and scalar conversions, row
 * loaders shared by every op. */
#include <float.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "runtime/isa/ew.h"
#include "runtime/isa/internal.h"

/* ---- errors ------------------------------------------------------------------ */

static __thread char err_msg[256];

const char *ptk_isa_error(void) { return err_msg; }
void ptk_isa_clear_error(void) { err_msg[0] = 0; }

int ptk_isa__fail(int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err_msg, sizeof err_msg, fmt, ap);
  va_end(ap);
  return code;
}

/* ---- dtypes ------------------------------------------------------------------ */

static const struct {
  const char *name;
  uint8_t size;
} dtinfo[PTK_ISA_NDTYPES] = {
    [PTK_ISA_F32] = {"f32", 4}, [PTK_ISA_F16] = {"f16", 2}, [PTK_ISA_BF16] = {"bf16", 2},
    [PTK_ISA_F64] = {"f64", 8}, [PTK_ISA_I8] = {"i8", 1},   [PTK_ISA_I16] = {"i16", 2},
    [PTK_ISA_I32] = {"i32", 4}, [PTK_ISA_I64] = {"i64", 8}, [PTK_ISA_U8] = {"u8", 1},
    [PTK_ISA_U16] = {"u16", 2}, [PTK_ISA_U32] = {"u32", 4}, [PTK_ISA_U64] = {"u64", 8},
    [PTK_ISA_I1] = {"i1", 1},
};

static const char *const rawname[PTK_ISA_RAW_END - PTK_ISA_F8E4M3] = {
    "f8E4M3FN", "f8E5M2", "f8E8M0", "hif8", "f4E2M1x2", "f4E1M2x2"};

bool ptk_isa_dtype_is_raw(ptk_isa_dtype t) { return t >= PTK_ISA_F8E4M3 && t < PTK_ISA_RAW_END; }
/* dtypes a descriptor may have: the computable ones and the byte formats */
static bool dtype_ok(ptk_isa_dtype t) { return (unsigned)t < PTK_ISA_NDTYPES || ptk_isa_dtype_is_raw(t); }
size_t ptk_isa_dtype_size(ptk_isa_dtype t) {
  return (unsigned)t < PTK_ISA_NDTYPES ? dtinfo[t].size : ptk_isa_dtype_is_raw(t) ? 1 : 0;
}
const char *ptk_isa_dtype_name(ptk_isa_dtype t) {
  return (unsigned)t < PTK_ISA_NDTYPES ? dtinfo[t].name
         : ptk_isa_dtype_is_raw(t)     ? rawname[t - PTK_ISA_F8E4M3]
                                       : "?";
}
bool ptk_isa_dtype_is_float(ptk_isa_dtype t) {
  return t == PTK_ISA_F32 || t == PTK_ISA_F16 || t == PTK_ISA_BF16 || t == PTK_ISA_F64;
}
bool ptk_isa_dtype_is_unsigned(ptk_isa_dtype t) {
  return t == PTK_ISA_U8 || t == PTK_ISA_U16 || t == PTK_ISA_U32 || t == PTK_ISA_U64 ||
         t == PTK_ISA_I1;
}

/* ---- descriptors --------------------------------------------------------------- */

int ptk_isa_box_dims(const ptk_tile *t, int32_t *br, int32_t *bc) {
  *br = *bc = 1;
  if (t->slayout == PTK_ISA_NONE_BOX) return PTK_ISA_OK;
  if (t->slayout != PTK_ISA_BOX_ROW_MAJOR && t->slayout != PTK_ISA_BOX_COL_MAJOR)
    return ptk_isa__fail(PTK_ISA_ELAYOUT, "bad slayout %d", (int)t->slayout);
  int32_t sz = (int32_t)ptk_isa_dtype_size(t->dtype);
  if (t->fractal == 1024) {
    *br = *bc = 16;
  } else if (t->fractal == 512) {
    if (t->slayout == PTK_ISA_BOX_ROW_MAJOR)
      *br = 16, *bc = 32 / sz;
    else
      *br = 32 / sz, *bc = 16;
  } else if (t->fractal == 32 && sz == 1) {
    /* MX scale tiles (README "Byte formats"): 32-byte boxes of 16 x 2 (a row
     * box: the A scale's packed order) or 2 x 16 (a column box: B's); fewer
     * than 16 rows / columns (a gemv's single row) are one box of them */
    bool rowbox = t->slayout == PTK_ISA_BOX_ROW_MAJOR;
    int32_t n = rowbox ? t->srows : t->scols, m = n >= 16 ? 16 : n;
    if (m < 1 || (m & (m - 1)))
      return ptk_isa__fail(PTK_ISA_ELAYOUT, "an MX scale tile of %d %s is not supported (a power of two below 16, or a multiple of 16)",
                           (int)n, rowbox ? "rows" : "columns");
    if (rowbox)
      *br = m, *bc = 2;
    else
      *br = 2, *bc = m;
  } else {
    return ptk_isa__fail(PTK_ISA_ELAYOUT, "fractal size %d is not supported (512 or 1024)",
                         (int)t->fractal);
  }
  return PTK_ISA_OK;
}

static int ilog2(int32_t v) {
  int l = 0;
  while ((1 << l) < v) l++;
  return l;
}

int ptk_isa_tile_check(const ptk_tile *t) {
  if (!t) return ptk_isa__fail(PTK_ISA_EARG, "missing tile");
  if (!dtype_ok(t->dtype)) return ptk_isa__fail(PTK_ISA_EDTYPE, "bad dtype %d", (int)t->dtype);
  if (t->blayout != PTK_ISA_ROW_MAJOR && t->blayout != PTK_ISA_COL_MAJOR)
    return ptk_isa__fail(PTK_ISA_ELAYOUT, "bad blayout %d", (int)t->blayout);
  if (t->rows < 0 || t->cols < 0 || t->srows < 0 || t->scols < 0 || t->r0 < 0 || t->c0 < 0)
    return ptk_isa__fail(PTK_ISA_ESHAPE, "negative tile dimension");
  if (t->vrows < 0 || t->vcols < 0 || t->vrows > t->rows || t->vcols > t->cols)
    return ptk_isa__fail(PTK_ISA_ESHAPE, "valid region %dx%d outside tile %dx%d", (int)t->vrows,
                         (int)t->vcols, (int)t->rows, (int)t->cols);
  if ((int64_t)t->r0 + t->rows > t->srows || (int64_t)t->c0 + t->cols > t->scols)
    return ptk_isa__fail(PTK_ISA_ESHAPE, "window %dx%d at (%d,%d) outside storage %dx%d",
                         (int)t->rows, (int)t->cols, (int)t->r0, (int)t->c0, (int)t->srows,
                         (int)t->scols);
  if (!t->data && (int64_t)t->srows * t->scols > 0)
    return ptk_isa__fail(PTK_ISA_EARG, "tile has no storage");
  int32_t br, bc;
  int rc = ptk_isa_box_dims(t, &br, &bc);
  if (rc) return rc;
  if (t->slayout != PTK_ISA_NONE_BOX) {
    bool nz = t->blayout == PTK_ISA_COL_MAJOR && t->slayout == PTK_ISA_BOX_ROW_MAJOR;
    if (t->scols % bc != 0 || (!nz && t->srows % br != 0))
      return ptk_isa__fail(PTK_ISA_ELAYOUT, "%dx%d %s tile is not a whole number of %dx%d boxes",
                           (int)t->srows, (int)t->scols, ptk_isa_dtype_name(t->dtype), (int)br,
                           (int)bc);
  }
  return PTK_ISA_OK;
}

int ptk_isa_tile_init(ptk_tile *t, void *data, ptk_isa_dtype dtype, ptk_isa_loc loc, int32_t rows,
                      int32_t cols, int32_t vrows, int32_t vcols, ptk_isa_blayout bl,
                      ptk_isa_slayout sl, int32_t fractal, ptk_isa_pad pad) {
  t->data = data;
  t->rows = t->srows = rows;
  t->cols = t->scols = cols;
  t->vrows = vrows;
  t->vcols = vcols;
  t->r0 = t->c0 = 0;
  t->dtype = dtype;
  t->loc = loc;
  t->blayout = bl;
  t->slayout = sl;
  t->fractal = fractal;
  t->pad = pad;
  return ptk_isa_tile_check(t);
}

size_t ptk_isa_tile_bytes(const ptk_tile *t) {
  return (size_t)t->rows * (size_t)t->cols * ptk_isa_dtype_size(t->dtype);
}

void ptk_isa__lay(const ptk_tile *t, ptk_isa_lay *L) {
  int32_t br = 1, bc = 1;
  if (t->slayout != PTK_ISA_NONE_BOX) ptk_isa_box_dims(t, &br, &bc);
  L->data = t->data;
  L->sr = t->srows;
  L->sc = t->scols;
  L->r0 = t->r0;
  L->c0 = t->c0;
  L->esz = ptk_isa_dtype_size(t->dtype);
  L->lir = ilog2(br);
  L->lic = ilog2(bc);
  bool row = t->blayout == PTK_ISA_ROW_MAJOR;
  switch (t->slayout) {
  case PTK_ISA_NONE_BOX: L->kind = row ? LK_ROW : LK_COL; break;
  case PTK_ISA_BOX_ROW_MAJOR: L->kind = row ? LK_ZZ : LK_NZ; break;
  default: L->kind = row ? LK_ZN : LK_NN; break;
  }
}

/* The ops that move bytes format elements as raw bits (README "Byte formats"),
 * and tcvt, which converts them (cvt.c). */
static bool moves_raw(const char *op) {
  static const char *const ok[] = {"tload", "tstore", "tmov", "textract", "tinsert", "ttrans",
                                   "tfillpad", "mgather", "mscatter", "tprint", "tmatmul.mx", "tcvt", NULL};
  for (int i = 0; ok[i]; i++)
    if (!strcmp(op, ok[i])) return true;
  return false;
}

int ptk_isa__prep(const ptk_tile *t, const char *op, const char *what, ptk_isa_lay *L) {
  int rc = ptk_isa_tile_check(t);
  if (rc) {
    char inner[256];
    snprintf(inner, sizeof inner, "%s", err_msg);
    return ptk_isa__fail(rc, "%s: %s: %s", op, what, inner);
  }
  if (ptk_isa_dtype_is_raw(t->dtype) && !moves_raw(op))
    return ptk_isa__fail(PTK_ISA_EDTYPE, "%s: %s is a %s tile: the host only moves such elements", op,
                         what, ptk_isa_dtype_name(t->dtype));
  ptk_isa__lay(t, L);
  return PTK_ISA_OK;
}

int ptk_isa__need(const ptk_tile *t, int32_t rows, int32_t cols, const char *op, const char *what) {
  if (rows > t->rows || cols > t->cols)
    return ptk_isa__fail(PTK_ISA_ESHAPE, "%s: %s is %dx%d, smaller than the %dx%d region", op, what,
                         (int)t->rows, (int)t->cols, (int)rows, (int)cols);
  return PTK_ISA_OK;
}

int64_t ptk_isa_offset(const ptk_tile *t, int32_t r, int32_t c) {
  ptk_isa_lay L;
  ptk_isa__lay(t, &L);
  return ptk_isa__off(&L, r, c);
}

void ptk_isa__span(const ptk_isa_lay *L, const ptk_tile *t, const uint8_t **lo,
                   const uint8_t **hi) {
  /* none_box: from the first to the last element of the window (a superset
   * for subviews); boxed: the whole storage (conservative) */
  int64_t first = 0, last = (int64_t)L->sr * L->sc;
  if ((L->kind == LK_ROW || L->kind == LK_COL) && t->rows > 0 && t->cols > 0) {
    first = ptk_isa__off(L, 0, 0);
    last = ptk_isa__off(L, t->rows - 1, t->cols - 1) + 1;
  }
  *lo = L->data + first * (int64_t)L->esz;
  *hi = L->data + last * (int64_t)L->esz;
}

int ptk_isa_subview(const ptk_tile *p, int32_t r, int32_t c, int32_t rows, int32_t cols,
                    int32_t vrows, int32_t vcols, ptk_tile *out) {
  int rc = ptk_isa_tile_check(p);
  if (rc) return rc;
  if (r < 0 || c < 0 || rows < 0 || cols < 0 || (int64_t)r + rows > p->rows ||
      (int64_t)c + cols > p->cols)
    return ptk_isa__fail(PTK_ISA_ESHAPE, "subview %dx%d at (%d,%d) outside the %dx%d tile",
                         (int)rows, (int)cols, (int)r, (int)c, (int)p->rows, (int)p->cols);
  ptk_tile t = *p;
  t.r0 = p->r0 + r;
  t.c0 = p->c0 + c;
  t.rows = rows;
  t.cols = cols;
  t.vrows = vrows;
  t.vcols = vcols;
  rc = ptk_isa_tile_check(&t);
  if (rc) return rc;
  *out = t;
  return PTK_ISA_OK;
}

int ptk_isa_multi_tile_get(ptk_tile *out, const ptk_tile *src, int64_t slot, int64_t count) {
  int rc = ptk_isa_tile_check(src);
  if (rc) return rc;
  if (slot < 0 || slot >= count)
    return ptk_isa__fail(PTK_ISA_EARG, "multi_tile_get: slot %lld is out of range: the buffer has %lld slot%s",
                         (long long)slot, (long long)count, count == 1 ? "" : "s");
  ptk_tile t = *src;
  t.data = src->data + (size_t)slot * ptk_isa_tile_bytes(src);
  *out = t;
  return PTK_ISA_OK;
}

int ptk_isa_treshape(const ptk_tile *src, ptk_tile *out) {
  int rc = ptk_isa_tile_check(src);
  if (rc) return rc;
  if (src->r0 || src->c0 || src->rows != src->srows || src->cols != src->scols)
    return ptk_isa__fail(PTK_ISA_ELAYOUT, "treshape of a subview is not supported");
  if (!dtype_ok(out->dtype)) return ptk_isa__fail(PTK_ISA_EDTYPE, "treshape: bad dtype");
  size_t a = ptk_isa_tile_bytes(src), b = ptk_isa_tile_bytes(out);
  if (a != b)
    return ptk_isa__fail(PTK_ISA_ESHAPE, "treshape: %zu bytes (%dx%d %s) -> %zu bytes (%dx%d %s)",
                         a, (int)src->rows, (int)src->cols, ptk_isa_dtype_name(src->dtype), b,
                         (int)out->rows, (int)out->cols, ptk_isa_dtype_name(out->dtype));
  if ((src->slayout == PTK_ISA_NONE_BOX) != (out->slayout == PTK_ISA_NONE_BOX))
    return ptk_isa__fail(PTK_ISA_ELAYOUT, "treshape between boxed and none_box layouts");
  out->data = src->data;
  out->srows = out->rows;
  out->scols = out->cols;
  out->r0 = out->c0 = 0;
  out->loc = src->loc;
  return ptk_isa_tile_check(out);
}

int ptk_isa_bitcast(const ptk_tile *src, ptk_isa_dtype dtype, ptk_tile *out) {
  int rc = ptk_isa_tile_check(src);
  if (rc) return rc;
  if (!dtype_ok(dtype) || ptk_isa_dtype_size(dtype) != ptk_isa_dtype_size(src->dtype))
    return ptk_isa__fail(PTK_ISA_EDTYPE, "bitcast %s -> %s: element sizes differ",
                         ptk_isa_dtype_name(src->dtype), ptk_isa_dtype_name(dtype));
  ptk_tile t = *src;
  t.dtype = dtype;
  rc = ptk_isa_tile_check(&t);
  if (rc) return rc;
  *out = t;
  return PTK_ISA_OK;
}

/* ---- row loaders --------------------------------------------------------------------- */

/* Each loader walks the row in runs of constant stride (ptk_isa__run): whole
 * rows for none_box row-major, box rows for Nz/Zz, strided box columns for
 * Zn/Nn and col-major. Unit-stride runs of the class's native type are
 * memcpy; conversions are plain loops the compiler vectorizes. */
#define RUNS(L, r, c, n, BODY)                                                                     \
  for (int32_t i_ = 0; i_ < (n);) {                                                                \
    int64_t step;                                                                                  \
    int32_t len;                                                                                   \
    int64_t off_ = ptk_isa__run(L, r, (c) + i_, &step, &len);                                      \
    int32_t k = len < (n)-i_ ? len : (n)-i_;                                                       \
    uint8_t *p = (L)->data + off_ * (int64_t)(L)->esz;                                             \
    int32_t at = i_;                                                                               \
    BODY;                                                                                          \
    i_ += k;                                                                                       \
  }

static void f32_to_bf16_n(uint16_t *restrict h, const float *restrict s, size_t k) {
  VLOOP(j, k, h[j] = ptk_f32_to_bf16(s[j]));
}

/* f32 -> f16 runs: vcvtps2ph (F16C) rounding to nearest even gives
 * ptk_f32_to_f16's bits for every input, NaNs included (quieted, the
 * payload's top 10 bits kept); test_isa_cvt compares the two over sampled
 * and boundary bit patterns. Picked once by the CPU. */
static void f32_to_f16_sw(uint16_t *restrict h, const float *restrict s, size_t k) {
  for (size_t j = 0; j < k; j++) h[j] = ptk_f32_to_f16(s[j]);
}
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__) && !defined(__clang__)
#include <immintrin.h>
__attribute__((target("avx2,f16c"))) static void f32_to_f16_hw(uint16_t *restrict h,
                                                                 const float *restrict s,
                                                                 size_t k) {
  size_t j = 0;
  for (; j + 8 <= k; j += 8)
    _mm_storeu_si128((__m128i *)(void *)(h + j),
                     _mm256_cvtps_ph(_mm256_loadu_ps(s + j), _MM_FROUND_TO_NEAREST_INT));
  f32_to_f16_sw(h + j, s + j, k - j);
}
#define PTK_F16C_HW 1
#endif
typedef void (*f32_to_f16_fn)(uint16_t *restrict, const float *restrict, size_t);
static f32_to_f16_fn f32_to_f16_n_fn(void) {
  static f32_to_f16_fn f;
  f32_to_f16_fn g = __atomic_load_n(&f, __ATOMIC_ACQUIRE);
  if (!g) {
    g = f32_to_f16_sw;
#ifdef PTK_F16C_HW
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("f16c")) g = f32_to_f16_hw;
#endif
    __atomic_store_n(&f, g, __ATOMIC_RELEASE); /* every thread picks the same */
  }
  return g;
}
static void bf16_to_f32_n(float *restrict o, const uint16_t *restrict h, size_t k) {
  VLOOP(j, k, o[j] = ptk_bits_f32((uint32_t)h[j] << 16));
}

void ptk_isa__load_f(const ptk_tile *t, const ptk_isa_lay *L, int32_t r, int32_t c, int32_t n,
                     int32_t cmod, float *restrict out) {
  ptk_isa_dtype dt = t->dtype;
  if (cmod > 0) {
    if (cmod == 1) {
      float v = ptk_isa__ld_f(dt, ptk_isa__ptr(L, r, 0));
      VLOOP(i, n, out[i] = v);
      return;
    }
    for (int32_t i = 0, j = c % cmod; i < n; i++, j = j + 1 == cmod ? 0 : j + 1)
      out[i] = ptk_isa__ld_f(dt, ptk_isa__ptr(L, r, j));
    return;
  }
  RUNS(L, r, c, n, {
    float *restrict o = out + at;
    if (dt == PTK_ISA_F32) {
      if (step == 1)
        memcpy(o, p, (size_t)k * 4);
      else
        for (int32_t j = 0; j < k; j++) memcpy(&o[j], p + j * step * 4, 4);
    } else {
      const uint16_t *restrict h = (const uint16_t *)p;
      if (dt == PTK_ISA_BF16) {
        if (step == 1) {
          bf16_to_f32_n(o, h, (size_t)k);
        } else {
          for (int32_t j = 0; j < k; j++) o[j] = ptk_bf16_to_f32(h[j * step]);
        }
      } else {
        for (int32_t j = 0; j < k; j++) o[j] = ptk_f16_to_f32(h[j * step]);
      }
    }
  })
}

void ptk_isa__store_f(const ptk_tile *t, const ptk_isa_lay *L, int32_t r, int32_t c, int32_t n,
                      const float *restrict in) {
  ptk_isa_dtype dt = t->dtype;
  RUNS(L, r, c, n, {
    const float *restrict s = in + at;
    if (dt == PTK_ISA_F32) {
      if (step == 1)
        memcpy(p, s, (size_t)k * 4);
      else
        for (int32_t j = 0; j < k; j++) memcpy(p + j * step * 4, &s[j], 4);
    } else {
      uint16_t *restrict h = (uint16_t *)p;
      if (dt == PTK_ISA_BF16 && step == 1) {
        f32_to_bf16_n(h, s, (size_t)k);
      } else if (dt == PTK_ISA_BF16) {
        for (int32_t j = 0; j < k; j++) h[j * step] = ptk_f32_to_bf16(s[j]);
      } else if (step == 1) {
        f32_to_f16_n_fn()(h, s, (size_t)k);
      } else
        for (int32_t j = 0; j < k; j++) h[j * step] = ptk_f32_to_f16(s[j]);
    }
  })
}

void ptk_isa__load_d(const ptk_tile *t, const ptk_isa_lay *L, int32_t r, int32_t c, int32_t n,
                     int32_t cmod, double *restrict out) {
  (void)t;
  if (cmod > 0) {
    for (int32_t i = 0, j = c % cmod; i < n; i++, j = j + 1 == cmod ? 0 : j + 1)
      memcpy(&out[i], ptk_isa__ptr(L, r, j), 8);
    return;
  }
  RUNS(L, r, c, n, {
    if (step == 1)
      memcpy(out + at, p, (size_t)k * 8);
    else
      for (int32_t j = 0; j < k; j++) memcpy(&out[at + j], p + j * step * 8, 8);
  })
}

void ptk_isa__store_d(const ptk_tile *t, const ptk_isa_lay *L, int32_t r, int32_t c, int32_t n,
                      const double *restrict in) {
  (void)t;
  RUNS(L, r, c, n, {
    if (step == 1)
      memcpy(p, in + at, (size_t)k * 8);
    else
      for (int32_t j = 0; j < k; j++) memcpy(p + j * step * 8, &in[at + j], 8);
  })
}

/* Widening / narrowing copies between a row of T and int64 lanes (separate
 * functions: gcc -O2 vectorizes them here, not when inlined into the switch). */
#define CONV_I(T, NAME)                                                                            \
  __attribute__((unused)) static void widen_##NAME(int64_t *restrict o, const T *restrict s,       \
                                                   size_t k) {                                     \
    VLOOP(j, k, o[j] = s[j]);                                                                      \
  }                                                                                                \
  __attribute__((unused)) static void narrow_##NAME(T *restrict d, const int64_t *restrict s,      \
                                                    size_t k) {                                    \
    VLOOP(j, k, d[j] = (T)s[j]);                                                                   \
  }
CONV_I(int8_t, i8)
CONV_I(uint8_t, u8)
CONV_I(int16_t, i16)
CONV_I(uint16_t, u16)
CONV_I(int32_t, i32)
CONV_I(uint32_t, u32)

#define LOAD_I(T, NAME)                                                                            \
  do {                                                                                             \
    const T *restrict s = (const T *)p;                                                            \
    if (step == 1) {                                                                               \
      widen_##NAME(o, s, (size_t)k);                                                               \
    } else {                                                                                       \
      for (int32_t j = 0; j < k; j++) o[j] = s[j * step];                                          \
    }                                                                                              \
  } while (0)

void ptk_isa__load_i(const ptk_tile *t, const ptk_isa_lay *L, int32_t r, int32_t c, int32_t n,
                     int32_t cmod, int64_t *restrict out) {
  ptk_isa_dtype dt = t->dtype;
  if (cmod > 0) {
    for (int32_t i = 0, j = c % cmod; i < n; i++, j = j + 1 == cmod ? 0 : j + 1)
      out[i] = ptk_isa__ld_i(dt, ptk_isa__ptr(L, r, j));
    return;
  }
  RUNS(L, r, c, n, {
    int64_t *restrict o = out + at;
    switch (dt) {
    case PTK_ISA_I8: LOAD_I(int8_t, i8); break;
    case PTK_ISA_U8:
    case PTK_ISA_I1: LOAD_I(uint8_t, u8); break;
    case PTK_ISA_I16: LOAD_I(int16_t, i16); break;
    case PTK_ISA_U16: LOAD_I(uint16_t, u16); break;
    case PTK_ISA_I32: LOAD_I(int32_t, i32); break;
    case PTK_ISA_U32: LOAD_I(uint32_t, u32); break;
    default:
      if (step == 1)
        memcpy(o, p, (size_t)k * 8);
      else
        for (int32_t j = 0; j < k; j++) memcpy(&o[j], p + j * step * 8, 8);
      break;
    }
  })
}

#define STORE_I(T, NAME)                                                                           \
  do {                                                                                             \
    T *restrict d = (T *)p;                                                                        \
    if (step == 1) {                                                                               \
      narrow_##NAME(d, s, (size_t)k);                                                              \
    } else {                                                                                       \
      for (int32_t j = 0; j < k; j++) d[j * step] = (T)s[j];                                       \
    }                                                                                              \
  } while (0)

void ptk_isa__store_i(const ptk_tile *t, const ptk_isa_lay *L, int32_t r, int32_t c, int32_t n,
                      const int64_t *restrict in) {
  ptk_isa_dtype dt = t->dtype;
  RUNS(L, r, c, n, {
    const int64_t *restrict s = in + at;
    switch (dt) {
    case PTK_ISA_I8:
    case PTK_ISA_U8:
    case PTK_ISA_I1: STORE_I(uint8_t, u8); break;
    case PTK_ISA_I16:
    case PTK_ISA_U16: STORE_I(uint16_t, u16); break;
    case PTK_ISA_I32:
    case PTK_ISA_U32: STORE_I(uint32_t, u32); break;
    default:
      if (step == 1)
        memcpy(p, s, (size_t)k * 8);
      else
        for (int32_t j = 0; j < k; j++) memcpy(p + j * step * 8, &s[j], 8);
      break;
    }
  })
}

/* ---- scalar conversions ------------------------------------------------------------ */

static int64_t dtype_imin(ptk_isa_dtype t) {
  switch (t) {
  case PTK_ISA_I8: return INT8_MIN;
  case PTK_ISA_I16: return INT16_MIN;
  case PTK_ISA_I32: return INT32_MIN;
  case PTK_ISA_I64: return INT64_MIN;
  default: return 0;
  }
}
static uint64_t dtype_imax(ptk_isa_dtype t) {
  switch (t) {
  case PTK_ISA_I8: return INT8_MAX;
  case PTK_ISA_I16: return INT16_MAX;
  case PTK_ISA_I32: return INT32_MAX;
  case PTK_ISA_I64: return INT64_MAX;
  case PTK_ISA_U8: return UINT8_MAX;
  case PTK_ISA_U16: return UINT16_MAX;
  case PTK_ISA_U32: return UINT32_MAX;
  case PTK_ISA_I1: return 1;
  default: return UINT64_MAX;
  }
}

/* Truncate to the dtype's width and extend back per signedness. */
static int64_t wrap_i(ptk_isa_dtype t, int64_t v) {
  uint8_t buf[8];
  ptk_isa__st_i(t, buf, v);
  return ptk_isa__ld_i(t, buf);
}

static double round_mode(double v, ptk_isa_rmode rm) {
  switch (rm) {
  case PTK_ISA_RM_RINT:
  case PTK_ISA_RM_CAST_RINT: return nearbyint(v);
  case PTK_ISA_RM_ROUND: return round(v);
  case PTK_ISA_RM_FLOOR: return floor(v);
  case PTK_ISA_RM_CEIL: return ceil(v);
  case PTK_ISA_RM_ODD: {
    double f = floor(v), frac = v - f;
    if (frac > 0.5) return f + 1;
    if (frac < 0.5) return f;
    return fmod(f, 2.0) != 0 ? f : f + 1;
  }
  default: return trunc(v); /* NONE, TRUNC: C conversion truncates */
  }
}

int64_t ptk_isa__f2i(double v, ptk_isa_dtype dt, ptk_isa_rmode rm, bool sat) {
  if (dt == PTK_ISA_I1) return v != 0; /* C++ conversion to bool */
  if (sat) {
    if (isnan(v)) return 0;
    double lo = (double)dtype_imin(dt), hi = (double)dtype_imax(dt);
    v = round_mode(v, rm);
    if (v <= lo) return dtype_imin(dt);
    if (v >= hi) return (int64_t)dtype_imax(dt);
    return wrap_i(dt, v >= 0x1p63 ? (int64_t)(uint64_t)v : (int64_t)v);
  }
  v = round_mode(v, rm);
  /* x86: cvttsd2si to a 32-bit register for types narrower than 32 bits and
   * for i32; 64-bit for u32, i64 (u64 handled like i64 then reinterpreted
   * when in [2^63, 2^64)). Out of range gives the "integer indefinite"
   * INT_MIN pattern, then truncation to the width. */
  switch (dt) {
  case PTK_ISA_U32:
  case PTK_ISA_I64:
    if (!(v >= -0x1p63 && v < 0x1p63)) return wrap_i(dt, INT64_MIN);
    return wrap_i(dt, (int64_t)v);
  case PTK_ISA_U64:
    if (v >= 0x1p63 && v < 0x1p64) return (int64_t)(uint64_t)v;
    if (!(v >= -0x1p63 && v < 0x1p63)) return INT64_MIN;
    return (int64_t)v;
  default:
    if (!(v >= -0x1p31 && v < 0x1p31)) return wrap_i(dt, INT32_MIN);
    return wrap_i(dt, (int64_t)v);
  }
}

/* uint64 magnitude -> f32/f16/bf16/f64 bits with one rounding (nearest even). */
void ptk_isa__i2f(int64_t v, bool uns, ptk_isa_dtype dt, uint8_t *p) {
  bool neg = !uns && v < 0;
  uint64_t m = neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  /* Reduce m to a double exactly, or (above 2^53) rounded to odd at 53 bits,
   * so the final rounding to the <= 24-bit target happens exactly once. */
  if (dt == PTK_ISA_F64) {
    double d = uns ? (double)(uint64_t)v : (double)v;
    memcpy(p, &d, 8);
    return;
  }
  double d;
  if (m < (1ull << 53)) {
    d = (double)m; /* exact */
  } else {
    /* keep 53 bits with sticky: round-to-odd to 53 bits is safe for any
     * later rounding to <= 51 bits. */
    int sh = 0;
    while ((m >> sh) >= (1ull << 53)) sh++;
    uint64_t q = m >> sh, rem = m & ((1ull << sh) - 1);
    if (rem) q |= 1; /* round to odd */
    d = ldexp((double)q, sh);
  }
  if (neg) d = -d;
  switch (dt) {
  case PTK_ISA_F32: {
    float f = (float)d;
    memcpy(p, &f, 4);
    return;
  }
  case PTK_ISA_F16: {
    uint16_t h = ptk_f64_to_f16(d);
    memcpy(p, &h, 2);
    return;
  }
  default: {
    uint16_t h = ptk_f64_to_bf16(d);
    memcpy(p, &h, 2);
    return;
  }
  }
}

static void store_double(ptk_isa_dtype dt, uint8_t *p, double d) {
  switch (dt) {
  case PTK_ISA_F32: {
    float f = (float)d;
    memcpy(p, &f, 4);
    return;
  }
  case PTK_ISA_F16: {
    uint16_t h = ptk_f64_to_f16(d);
    memcpy(p, &h, 2);
    return;
  }
  case PTK_ISA_BF16: {
    uint16_t h = ptk_f64_to_bf16(d);
    memcpy(p, &h, 2);
    return;
  }
  default: memcpy(p, &d, 8); return;
  }
}

static double float_max(ptk_isa_dtype t) {
  switch (t) {
  case PTK_ISA_F16: return 65504.0;
  case PTK_ISA_BF16: return 0x1.fep127;
  case PTK_ISA_F32: return 0x1.fffffep127;
  default: return 0x1.fffffffffffffp1023;
  }
}

void ptk_isa_convert_elem(ptk_isa_dtype dt, void *dstp, ptk_isa_dtype st, const void *srcp,
                          ptk_isa_rmode rm, bool sat) {
  uint8_t *d = dstp;
  const uint8_t *s = srcp;
  bool sf = ptk_isa_dtype_is_float(st), df = ptk_isa_dtype_is_float(dt);
  if (sf) {
    double v = ptk_isa__ld_d(st, s);
    if (df) {
      if (sat && !isnan(v)) {
        double m = float_max(dt) < float_max(st) ? float_max(dt) : float_max(st);
        if (v > m) v = m;
        if (v < -m) v = -m;
      }
      store_double(dt, d, v);
    } else {
      ptk_isa__st_i(dt, d, ptk_isa__f2i(v, dt, rm, sat));
    }
    return;
  }
  int64_t v = ptk_isa__ld_i(st, s);
  bool uns = ptk_isa_dtype_is_unsigned(st);
  if (df) {
    ptk_isa__i2f(v, uns, dt, d);
    if (sat && dt == PTK_ISA_F16) { /* clamp to +-65504 instead of inf */
      uint16_t h;
      memcpy(&h, d, 2);
      if ((h & 0x7fffu) == 0x7c00u) {
        h = (uint16_t)((h & 0x8000u) | 0x7bffu);
        memcpy(d, &h, 2);
      }
    }
    return;
  }
  if (dt == PTK_ISA_I1) {
    ptk_isa__st_i(dt, d, v != 0);
    return;
  }
  if (sat) {
    int64_t lo = dtype_imin(dt);
    uint64_t hi = dtype_imax(dt);
    if (uns) {
      if ((uint64_t)v > hi) v = (int64_t)hi;
    } else if (v < lo) {
      v = lo;
    } else if (v >= 0 && (uint64_t)v > hi) {
      v = (int64_t)hi;
    }
  }
  ptk_isa__st_i(dt, d, v);
}

float ptk_isa__scalar_f(ptk_isa_dtype t, ptk_isa_scalar s) {
  if (t == PTK_ISA_F32) return ptk_ew_scalar_f(s); /* one definition with the JIT's fused loops */
  uint8_t b[8];
  if (s.is_float)
    store_double(t, b, s.f);
  else
    ptk_isa__i2f(s.i, false, t, b);
  return ptk_isa__ld_f(t, b);
}

double ptk_isa__scalar_d(ptk_isa_scalar s) { return s.is_float ? s.f : (double)s.i; }

int64_t ptk_isa__scalar_i(ptk_isa_dtype t, ptk_isa_scalar s) {
  if (s.is_float) return ptk_isa__f2i(s.f, t, PTK_ISA_RM_TRUNC, false);
  return wrap_i(t, s.i);
}

/* ---- pad values ------------------------------------------------------------------------ */

/* Max/Min pads are the dtype's largest/lowest FINITE values, not +-inf: the
 * PTOAS A5 fill-pad templates materialize FLT_MAX (0x7f7fffff), f16 65504
 * (0x7bff) and bf16 0x7f7f (tilelang-dsl PadValue.eval), and the tfillpad and
 * tload ST goldens expect np.finfo(dtype).max. The pto-isa CPU simulator's
 * +-inf is not what the hardware path produces. f64 follows the same rule
 * (DBL_MAX). Integers: type max / type min (0 for unsigned). */
void ptk_isa__pad_bits(ptk_isa_dtype t, ptk_isa_pad pad, uint8_t *p) {
  memset(p, 0, 8);
  if (pad != PTK_ISA_PAD_MAX && pad != PTK_ISA_PAD_MIN) return;
  bool mx = pad == PTK_ISA_PAD_MAX;
  switch (t) {
  case PTK_ISA_F32: {
    float f = mx ? FLT_MAX : -FLT_MAX;
    memcpy(p, &f, 4);
    return;
  }
  case PTK_ISA_F64: {
    double f = mx ? DBL_MAX : -DBL_MAX;
    memcpy(p, &f, 8);
    return;
  }
  case PTK_ISA_F16: {
    uint16_t h = mx ? 0x7bff : 0xfbff; /* +-65504 */
    memcpy(p, &h, 2);
    return;
  }
  case PTK_ISA_BF16: {
    uint16_t h = mx ? 0x7f7f : 0xff7f; /* +-3.3895314e38 */
    memcpy(p, &h, 2);
    return;
  }
  default: ptk_isa__st_i(t, p, mx ? (int64_t)dtype_imax(t) : dtype_imin(t)); return;
  }
}

static void fill_elems(uint8_t *p, size_t n, const uint8_t *elem, size_t esz) {
  bool zero = true;
  for (size_t i = 0; i < esz; i++) zero = zero && elem[i] == 0;
  if (zero) {
    memset(p, 0, n * esz);
    return;
  }
  switch (esz) {
  case 1: memset(p, elem[0], n); return;
  case 2: {
    uint16_t v;
    memcpy(&v, elem, 2);
    uint16_t *restrict q = (uint16_t *)p;
    VLOOP(i, n, q[i] = v);
    return;
  }
  case 4: {
    uint32_t v;
    memcpy(&v, elem, 4);
    uint32_t *restrict q = (uint32_t *)p;
    VLOOP(i, n, q[i] = v);
    return;
  }
  default: {
    uint64_t v;
    memcpy(&v, elem, 8);
    uint64_t *restrict q = (uint64_t *)p;
    VLOOP(i, n, q[i] = v);
    return;
  }
  }
}

void ptk_isa__fill_outside(const ptk_tile *t, const ptk_isa_lay *L, int32_t rows, int32_t cols,
                           const uint8_t *elem) {
  size_t esz = L->esz;
  if (rows <= 0 || cols <= 0) rows = cols = 0;
  for (int32_t r = 0; r < t->rows; r++) {
    int32_t from = r < rows ? cols : 0;
    if (from >= t->cols) continue;
    if (L->kind == LK_ROW) {
      fill_elems(ptk_isa__row(L, r) + (size_t)from * esz, (size_t)(t->cols - from), elem, esz);
    } else {
      for (int32_t c = from; c < t->cols; c++) memcpy(ptk_isa__ptr(L, r, c), elem, esz);
    }
  }
}

/* ---- scratch ------------------------------------------------------------------------------ */

#define NSCRATCH 4
typedef struct {
  void *p[NSCRATCH];
  size_t n[NSCRATCH];
} scratch_t;
static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;
static void scratch_free(void *v) {
  scratch_t *s = v;
  for (int i = 0; i < NSCRATCH; i++) free(s->p[i]);
  free(s);
}
static void scratch_init(void) { pthread_key_create(&scratch_key, scratch_free); }

void *ptk_isa__scratch(int slot, size_t bytes) {
  pthread_once(&scratch_once, scratch_init);
  scratch_t *s = pthread_getspecific(scratch_key);
  if (!s) {
    s = ptk_xcalloc(1, sizeof *s);
    pthread_setspecific(scratch_key, s);
  }
  if (s->n[slot] < bytes) {
    size_t n = s->n[slot] ? s->n[slot] : 4096;
    while (n < bytes) n *= 2;
    free(s->p[slot]);
    s->p[slot] = ptk_xmalloc(n);
    s->n[slot] = n;
  }
  return s->p[slot];
}

/* ---- element access ------------------------------------------------------------------------ */

ptk_isa_scalar ptk_isa_get(const ptk_tile *t, int32_t r, int32_t c) {
  ptk_isa_lay L;
  ptk_isa__lay(t, &L);
  const uint8_t *p = ptk_isa__ptr(&L, r, c);
  if (ptk_isa_dtype_is_float(t->dtype)) return ptk_isa_sf(ptk_isa__ld_d(t->dtype, p));
  return ptk_isa_si(ptk_isa__ld_i(t->dtype, p));
}

static int linear(const ptk_tile *t, int64_t off, const char *op, ptk_isa_lay *L, int32_t *r,
                  int32_t *c) {
  int rc = ptk_isa__prep(t, op, "tile", L);
  if (rc) return rc;
  if (off < 0 || t->cols == 0 || off >= (int64_t)t->rows * t->cols)
    return ptk_isa__fail(PTK_ISA_ESHAPE, "%s: offset %lld outside the %dx%d tile", op,
                         (long long)off, (int)t->rows, (int)t->cols);
  *r = (int32_t)(off / t->cols);
  *c = (int32_t)(off % t->cols);
  return PTK_ISA_OK;
}

int ptk_isa_tgetval(const ptk_tile *t, int64_t off, ptk_isa_scalar *out) {
  ptk_isa_lay L;
  int32_t r = 0, c = 0;
  int rc = linear(t, off, "tgetval", &L, &r, &c);
  if (rc) return rc;
  *out = ptk_isa_get(t, r, c);
  return PTK_ISA_OK;
}

int ptk_isa_tsetval(const ptk_tile *t, int64_t off, ptk_isa_scalar v) {
  ptk_isa_lay L;
  int32_t r = 0, c = 0;
  int rc = linear(t, off, "tsetval", &L, &r, &c);
  if (rc) return rc;
  uint8_t *p = ptk_isa__ptr(&L, r, c);
  switch (ptk_isa__cls(t->dtype)) {
  case CLS_F: ptk_isa__st_f(t->dtype, p, ptk_isa__scalar_f(t->dtype, v)); break;
  case CLS_D: {
    double d = ptk_isa__scalar_d(v);
    memcpy(p, &d, 8);
    break;
  }
  default: ptk_isa__st_i(t->dtype, p, ptk_isa__scalar_i(t->dtype, v)); break;
  }
  return PTK_ISA_OK;
}

int ptk_isa_format(ptk_buf *out, const ptk_tile *t) {
  ptk_isa_lay L;
  int rc = ptk_isa__prep(t, "tprint", "tile", &L);
  if (rc) return rc;
  ptk_buf_printf(out, "tile %dx%d %s valid %dx%d\n", (int)t->rows, (int)t->cols,
                 ptk_isa_dtype_name(t->dtype), (int)t->vrows, (int)t->vcols);
  bool fl = ptk_isa_dtype_is_float(t->dtype), uns = ptk_isa_dtype_is_unsigned(t->dtype);
  bool raw = ptk_isa_dtype_is_raw(t->dtype);
  for (int32_t r = 0; r < t->vrows; r++) {
    for (int32_t c = 0; c < t->vcols; c++) {
      const uint8_t *p = ptk_isa__ptr(&L, r, c);
      if (c) ptk_buf_putc(out, ' ');
      if (raw) /* byte formats print their bits */
        ptk_buf_printf(out, "0x%02x", *p);
      else if (fl)
        ptk_buf_printf(out, "%g", ptk_isa__ld_d(t->dtype, p));
      else if (uns)
        ptk_buf_printf(out, "%llu", (unsigned long long)ptk_isa__ld_i(t->dtype, p));
      else
        ptk_buf_printf(out, "%lld", (long long)ptk_isa__ld_i(t->dtype, p));
    }
    ptk_buf_putc(out, '\n');
  }
  return PTK_ISA_OK;
}
