/* Host tensors; see tensor.h. */
#include "runtime/tensor.h"
#include "runtime/ptk.h" /* PTK_API: ptk_tensor_free and ptk_tensor_numel are exported */

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "lang/util.h"

static const struct {
  const char *name;
  size_t size;
} dt_info[] = {
#define X(ID, N, B) {N, B},
    PTK_TDTYPES(X)
#undef X
};

const char *ptk_tdtype_name(ptk_tdtype dt) {
  return (unsigned)dt < PTK_TD__COUNT ? dt_info[dt].name : "?";
}

size_t ptk_tdtype_size(ptk_tdtype dt) {
  return (unsigned)dt < PTK_TD__COUNT ? dt_info[dt].size : 0;
}

bool ptk_tdtype_is_float(ptk_tdtype dt) {
  return dt == PTK_TD_F16 || dt == PTK_TD_BF16 || dt == PTK_TD_F32 || dt == PTK_TD_F64;
}

bool ptk_tdtype_is_signed(ptk_tdtype dt) {
  return ptk_tdtype_is_float(dt) || dt == PTK_TD_I8 || dt == PTK_TD_I16 || dt == PTK_TD_I32 ||
         dt == PTK_TD_I64;
}

bool ptk_tdtype_parse(const char *s, size_t len, ptk_tdtype *out) {
  static const struct {
    const char *alias;
    ptk_tdtype dt;
  } aliases[] = {{"i1", PTK_TD_BOOL},  {"si8", PTK_TD_I8},   {"si16", PTK_TD_I16},
                 {"si32", PTK_TD_I32}, {"si64", PTK_TD_I64}, {"ui8", PTK_TD_U8},
                 {"ui16", PTK_TD_U16}, {"ui32", PTK_TD_U32}, {"ui64", PTK_TD_U64}};
  for (int i = 0; i < PTK_TD__COUNT; i++)
    if (strlen(dt_info[i].name) == len && !memcmp(s, dt_info[i].name, len)) {
      *out = (ptk_tdtype)i;
      return true;
    }
  for (size_t i = 0; i < PTK_ARRAY_LEN(aliases); i++)
    if (strlen(aliases[i].alias) == len && !memcmp(s, aliases[i].alias, len)) {
      *out = aliases[i].dt;
      return true;
    }
  return false;
}

PTK_PRINTF(2, 3)
static void set_err(char **err, const char *fmt, ...) {
  if (!err) return;
  ptk_buf b = {0};
  va_list ap;
  va_start(ap, fmt);
  ptk_buf_vprintf(&b, fmt, ap);
  va_end(ap);
  *err = ptk_buf_take(&b);
}

int64_t ptk_tensor_numel(const ptk_tensor *t) {
  if (!t) return 0; /* like every other accessor of the C API */
  int64_t n = 1;
  for (int i = 0; i < t->rank; i++) n *= t->shape[i];
  return n;
}

size_t ptk_tensor_nbytes(const ptk_tensor *t) {
  return (size_t)ptk_tensor_numel(t) * ptk_tdtype_size(t->dtype);
}

bool ptk_tensor_is_contiguous(const ptk_tensor *t) {
  int64_t s = 1;
  for (int i = t->rank - 1; i >= 0; i--) {
    if (t->shape[i] != 1 && t->strides[i] != s) return false;
    s *= t->shape[i];
  }
  return true;
}

/* Validates rank/shape and returns the byte size, or -1. */
static int64_t check_shape(ptk_tdtype dt, int rank, const int64_t *shape, char **err) {
  if ((unsigned)dt >= PTK_TD__COUNT) {
    set_err(err, "invalid tensor dtype %d", (int)dt);
    return -1;
  }
  if (rank < 0 || rank > PTK_TENSOR_MAX_RANK) {
    set_err(err, "tensor rank %d is out of range (at most %d dimensions)", rank,
            PTK_TENSOR_MAX_RANK);
    return -1;
  }
  int64_t n = (int64_t)ptk_tdtype_size(dt);
  for (int i = 0; i < rank; i++) {
    if (shape[i] < 0) {
      set_err(err, "tensor dimension %d is negative (%lld)", i, (long long)shape[i]);
      return -1;
    }
    if (shape[i] && n > ((int64_t)1 << 47) / shape[i]) {
      set_err(err, "tensor is too large (more than 2^47 bytes)");
      return -1;
    }
    n *= shape[i];
  }
  return n;
}

#define HUGE_BYTES ((size_t)2 << 20)

static void c_strides(ptk_tensor *t) {
  int64_t s = 1;
  for (int i = t->rank - 1; i >= 0; i--) {
    t->strides[i] = s;
    s *= t->shape[i];
  }
}

ptk_tensor *ptk_tensor_zeros(ptk_tdtype dt, int rank, const int64_t *shape, char **err) {
  int64_t bytes = check_shape(dt, rank, shape, err);
  if (bytes < 0) return NULL;
  /* Large buffers are 2 MiB aligned and asked to be backed by huge pages:
   * a kernel streaming over them then takes far fewer TLB misses (the
   * first launch over a fresh 16 MiB tensor was 1.5x slower without). */
  size_t align = (size_t)bytes >= HUGE_BYTES ? HUGE_BYTES : 64;
  size_t alloc = ((size_t)bytes + align - 1) & ~(align - 1);
  void *data = aligned_alloc(align, alloc ? alloc : 64);
  if (!data) {
    set_err(err, "out of memory allocating a tensor of %lld bytes", (long long)bytes);
    return NULL;
  }
#ifdef MADV_HUGEPAGE
  if (align == HUGE_BYTES) madvise(data, alloc, MADV_HUGEPAGE);
#endif
  memset(data, 0, alloc ? alloc : 64);
  ptk_tensor *t = ptk_xcalloc(1, sizeof *t);
  t->dtype = dt;
  t->rank = rank;
  for (int i = 0; i < rank; i++) t->shape[i] = shape[i];
  c_strides(t);
  t->data = data;
  t->owned = true;
  return t;
}

ptk_tensor *ptk_tensor_filled(ptk_tdtype dt, int rank, const int64_t *shape, double v, char **err) {
  ptk_tensor *t = ptk_tensor_zeros(dt, rank, shape, err);
  if (!t) return NULL;
  int64_t n = ptk_tensor_numel(t);
  if (n == 0 || v == 0) return t;
  size_t es = ptk_tdtype_size(dt);
  ptk_tensor_set_f64(t, 0, v);
  for (int64_t i = 1; i < n; i++) memcpy((char *)t->data + (size_t)i * es, t->data, es);
  return t;
}

ptk_tensor *ptk_tensor_borrow(ptk_tdtype dt, int rank, const int64_t *shape, const int64_t *strides,
                              void *data, char **err) {
  if (check_shape(dt, rank, shape, err) < 0) return NULL;
  ptk_tensor *t = ptk_xcalloc(1, sizeof *t);
  t->dtype = dt;
  t->rank = rank;
  for (int i = 0; i < rank; i++) t->shape[i] = shape[i];
  if (strides)
    for (int i = 0; i < rank; i++) t->strides[i] = strides[i];
  else
    c_strides(t);
  t->data = data;
  t->owned = false;
  return t;
}

ptk_tensor *ptk_tensor_clone(const ptk_tensor *t) {
  ptk_tensor *c = ptk_tensor_zeros(t->dtype, t->rank, t->shape, NULL);
  if (!c) return NULL;
  int64_t n = ptk_tensor_numel(t);
  size_t es = ptk_tdtype_size(t->dtype);
  if (ptk_tensor_is_contiguous(t))
    memcpy(c->data, t->data, (size_t)n * es);
  else
    for (int64_t i = 0; i < n; i++)
      memcpy((char *)c->data + (size_t)i * es, ptk_tensor_at(t, i), es);
  return c;
}

void ptk_tensor_free(ptk_tensor *t) {
  if (!t) return;
  if (t->owned) free(t->data);
  free(t);
}

void *ptk_tensor_at(const ptk_tensor *t, int64_t i) {
  int64_t off = 0;
  for (int d = t->rank - 1; d >= 0; d--) {
    int64_t n = t->shape[d];
    if (n == 0) break;
    off += (i % n) * t->strides[d];
    i /= n;
  }
  return (char *)t->data + off * (int64_t)ptk_tdtype_size(t->dtype);
}

/* ---- 16-bit float conversions ---------------------------------------- */

double ptk_f16_bits_to_f64(uint16_t h) {
  int sign = h >> 15, e = (h >> 10) & 31, m = h & 1023;
  double v;
  if (e == 31)
    v = m ? NAN : INFINITY;
  else if (e == 0)
    v = ldexp(m, -24);
  else
    v = ldexp(m | 1024, e - 25);
  return sign ? -v : v;
}

double ptk_bf16_bits_to_f64(uint16_t b) {
  uint32_t u = (uint32_t)b << 16;
  float f;
  memcpy(&f, &u, 4);
  return f;
}

/* Rounds |v| (finite, > 0) to nearest even with `mant` stored mantissa bits,
 * minimum normal exponent emin and returns the rounded value (may be inf if
 * it exceeds `max`). */
static double round_to(double a, int mant, int emin, double max) {
  int e;
  frexp(a, &e); /* a = f * 2^e, f in [0.5, 1): leading bit has weight 2^(e-1) */
  int lead = e - 1;
  if (lead < emin) lead = emin;
  double q = ldexp(1.0, lead - mant); /* quantum */
  double r = nearbyint(a / q) * q;
  return r > max ? INFINITY : r;
}

uint16_t ptk_f64_to_f16_bits(double v) {
  uint16_t sign = signbit(v) ? 0x8000 : 0;
  if (isnan(v)) return sign | 0x7E00;
  double a = fabs(v);
  if (a == 0) return sign;
  a = isinf(a) ? a : round_to(a, 10, -14, 65504.0);
  if (isinf(a)) return sign | 0x7C00;
  if (a < ldexp(1.0, -14)) return sign | (uint16_t)ldexp(a, 24); /* subnormal (or 0) */
  int e;
  double f = frexp(a, &e); /* a = f * 2^e */
  uint16_t m = (uint16_t)(ldexp(f, 11) - 1024);
  return sign | (uint16_t)((e - 1 + 15) << 10) | m;
}

uint16_t ptk_f64_to_bf16_bits(double v) {
  uint16_t sign = signbit(v) ? 0x8000 : 0;
  if (isnan(v)) return sign | 0x7FC0;
  double a = fabs(v);
  if (a == 0) return sign;
  if (!isinf(a)) a = round_to(a, 7, -126, 0x1.FEp127);
  float f = (float)a; /* exact: a is representable (or inf) */
  uint32_t u;
  memcpy(&u, &f, 4);
  return sign | (uint16_t)(u >> 16);
}

/* ---- element access --------------------------------------------------- */

/* Truncates toward zero and saturates to [lo, hi]; NaN gives 0. */
static int64_t sat_i64(double v, int64_t lo, int64_t hi) {
  if (isnan(v)) return 0;
  v = trunc(v);
  if (v <= (double)lo) return lo;
  if (v >= (double)hi) return hi;
  return (int64_t)v;
}

static uint64_t sat_u64(double v, uint64_t hi) {
  if (isnan(v) || v <= 0) return 0;
  v = trunc(v);
  if (v >= (double)hi) return hi;
  return (uint64_t)v;
}

double ptk_tensor_get_f64(const ptk_tensor *t, int64_t i) {
  const void *p = ptk_tensor_at(t, i);
  switch (t->dtype) {
#define LD(T)                                                                                      \
  {                                                                                                \
    T x;                                                                                           \
    memcpy(&x, p, sizeof x);                                                                       \
    return (double)x;                                                                              \
  }
  case PTK_TD_F16: {
    uint16_t h;
    memcpy(&h, p, 2);
    return ptk_f16_bits_to_f64(h);
  }
  case PTK_TD_BF16: {
    uint16_t h;
    memcpy(&h, p, 2);
    return ptk_bf16_bits_to_f64(h);
  }
  case PTK_TD_F32: LD(float)
  case PTK_TD_F64: LD(double)
  case PTK_TD_I8: LD(int8_t)
  case PTK_TD_I16: LD(int16_t)
  case PTK_TD_I32: LD(int32_t)
  case PTK_TD_I64: LD(int64_t)
  case PTK_TD_U8: LD(uint8_t)
  case PTK_TD_U16: LD(uint16_t)
  case PTK_TD_U32: LD(uint32_t)
  case PTK_TD_U64: LD(uint64_t)
  case PTK_TD_BOOL: return *(const uint8_t *)p != 0;
  case PTK_TD__COUNT: break;
#undef LD
  }
  return 0;
}

int64_t ptk_tensor_get_i64(const ptk_tensor *t, int64_t i) {
  const void *p = ptk_tensor_at(t, i);
  switch (t->dtype) {
#define LD(T)                                                                                      \
  {                                                                                                \
    T x;                                                                                           \
    memcpy(&x, p, sizeof x);                                                                       \
    return (int64_t)x;                                                                             \
  }
  case PTK_TD_I8: LD(int8_t)
  case PTK_TD_I16: LD(int16_t)
  case PTK_TD_I32: LD(int32_t)
  case PTK_TD_I64: LD(int64_t)
  case PTK_TD_U8: LD(uint8_t)
  case PTK_TD_U16: LD(uint16_t)
  case PTK_TD_U32: LD(uint32_t)
  case PTK_TD_U64: LD(uint64_t)
  case PTK_TD_BOOL: return *(const uint8_t *)p != 0;
#undef LD
  default: return sat_i64(ptk_tensor_get_f64(t, i), INT64_MIN, INT64_MAX);
  }
}

void ptk_tensor_set_f64(ptk_tensor *t, int64_t i, double v) {
  void *p = ptk_tensor_at(t, i);
  switch (t->dtype) {
#define ST(T, x)                                                                                   \
  {                                                                                                \
    T y = (T)(x);                                                                                  \
    memcpy(p, &y, sizeof y);                                                                       \
    return;                                                                                        \
  }
  case PTK_TD_F16: ST(uint16_t, ptk_f64_to_f16_bits(v))
  case PTK_TD_BF16: ST(uint16_t, ptk_f64_to_bf16_bits(v))
  case PTK_TD_F32: ST(float, v)
  case PTK_TD_F64: ST(double, v)
  case PTK_TD_I8: ST(int8_t, sat_i64(v, INT8_MIN, INT8_MAX))
  case PTK_TD_I16: ST(int16_t, sat_i64(v, INT16_MIN, INT16_MAX))
  case PTK_TD_I32: ST(int32_t, sat_i64(v, INT32_MIN, INT32_MAX))
  case PTK_TD_I64: ST(int64_t, sat_i64(v, INT64_MIN, INT64_MAX))
  case PTK_TD_U8: ST(uint8_t, sat_u64(v, UINT8_MAX))
  case PTK_TD_U16: ST(uint16_t, sat_u64(v, UINT16_MAX))
  case PTK_TD_U32: ST(uint32_t, sat_u64(v, UINT32_MAX))
  case PTK_TD_U64: ST(uint64_t, sat_u64(v, UINT64_MAX))
  case PTK_TD_BOOL: ST(uint8_t, v != 0)
  case PTK_TD__COUNT: return;
#undef ST
  }
}

void ptk_tensor_set_i64(ptk_tensor *t, int64_t i, int64_t v) {
  void *p = ptk_tensor_at(t, i);
  switch (t->dtype) {
#define ST(T, x)                                                                                   \
  {                                                                                                \
    T y = (T)(x);                                                                                  \
    memcpy(p, &y, sizeof y);                                                                       \
    return;                                                                                        \
  }
  case PTK_TD_F32: ST(float, v)
  case PTK_TD_F64: ST(double, v)
  case PTK_TD_I8: ST(uint8_t, (uint64_t)v)
  case PTK_TD_I16: ST(uint16_t, (uint64_t)v)
  case PTK_TD_I32: ST(uint32_t, (uint64_t)v)
  case PTK_TD_I64: ST(int64_t, v)
  case PTK_TD_U8: ST(uint8_t, (uint64_t)v)
  case PTK_TD_U16: ST(uint16_t, (uint64_t)v)
  case PTK_TD_U32: ST(uint32_t, (uint64_t)v)
  case PTK_TD_U64: ST(uint64_t, (uint64_t)v)
  case PTK_TD_BOOL: ST(uint8_t, v != 0)
  default: ptk_tensor_set_f64(t, i, (double)v); return;
#undef ST
  }
}

/* ---- specs ------------------------------------------------------------ */

int ptk_shape_parse(const char *s, int64_t *shape, char **err) {
  if (!*s || !strcmp(s, "scalar")) return 0;
  int rank = 0;
  const char *p = s;
  for (;;) {
    if (*p < '0' || *p > '9') {
      set_err(err, "bad shape '%s': expected dimensions like 32x32", s);
      return -1;
    }
    errno = 0;
    char *e;
    unsigned long long d = strtoull(p, &e, 10);
    if (errno || d > ((uint64_t)1 << 40)) {
      set_err(err, "bad shape '%s': dimension too large", s);
      return -1;
    }
    if (rank == PTK_TENSOR_MAX_RANK) {
      set_err(err, "bad shape '%s': more than %d dimensions", s, PTK_TENSOR_MAX_RANK);
      return -1;
    }
    shape[rank++] = (int64_t)d;
    p = e;
    if (!*p) return rank;
    if (*p != 'x' || !p[1]) {
      set_err(err, "bad shape '%s': expected dimensions like 32x32", s);
      return -1;
    }
    p++;
  }
}

static uint64_t splitmix64(uint64_t *state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static void fill_rand(ptk_tensor *t, uint64_t seed) {
  int64_t n = ptk_tensor_numel(t);
  int p = 0;
  switch (t->dtype) {
  case PTK_TD_F16: p = 11; break;
  case PTK_TD_BF16: p = 8; break;
  case PTK_TD_F32: p = 24; break;
  case PTK_TD_F64: p = 53; break;
  default: break;
  }
  uint64_t st = seed;
  for (int64_t i = 0; i < n; i++) {
    uint64_t z = splitmix64(&st);
    if (p) {
      int64_t k = (int64_t)(z >> (64 - p)) - ((int64_t)1 << (p - 1));
      ptk_tensor_set_f64(t, i, ldexp((double)k, -(p - 1)));
    } else if (t->dtype == PTK_TD_BOOL)
      ptk_tensor_set_i64(t, i, (int64_t)(z >> 63));
    else if (ptk_tdtype_is_signed(t->dtype))
      ptk_tensor_set_i64(t, i, (int64_t)(z >> 60) - 8);
    else
      ptk_tensor_set_i64(t, i, (int64_t)(z >> 60));
  }
}

ptk_tensor *ptk_tensor_from_spec(const char *spec, char **err) {
  const char *c1 = strchr(spec, ':');
  bool is_rand = c1 && (size_t)(c1 - spec) == 4 && !strncmp(spec, "rand", 4);
  bool is_zeros = c1 && (size_t)(c1 - spec) == 5 && !strncmp(spec, "zeros", 5);
  if (!is_rand && !is_zeros) {
    set_err(err, "'%s' is not a tensor spec (zeros:DTYPE:SHAPE or rand:DTYPE:SHAPE[:SEED])", spec);
    return NULL;
  }
  const char *dts = c1 + 1, *c2 = strchr(dts, ':');
  ptk_tdtype dt;
  if (!c2 || !ptk_tdtype_parse(dts, (size_t)(c2 - dts), &dt)) {
    set_err(err, "'%s': unknown dtype '%.*s' (f16 bf16 f32 f64 i8 i16 i32 i64 u8 u16 u32 u64 bool)",
            spec, (int)(c2 ? c2 - dts : (ptrdiff_t)strlen(dts)), dts);
    return NULL;
  }
  const char *shs = c2 + 1, *c3 = strchr(shs, ':');
  uint64_t seed = 0;
  if (c3) {
    char *e;
    errno = 0;
    seed = strtoull(c3 + 1, &e, 0);
    if (!is_rand || !c3[1] || *e || errno || c3[1] == '-') {
      set_err(err,
              is_rand ? "'%s': bad seed (expected a non-negative integer)"
                      : "'%s': zeros takes no seed",
              spec);
      return NULL;
    }
  }
  char *shape_text = ptk_xstrndup(shs, c3 ? (size_t)(c3 - shs) : strlen(shs));
  int64_t shape[PTK_TENSOR_MAX_RANK];
  char *serr = NULL;
  int rank = ptk_shape_parse(shape_text, shape, &serr);
  free(shape_text);
  if (rank < 0) {
    set_err(err, "'%s': %s", spec, serr);
    free(serr);
    return NULL;
  }
  ptk_tensor *t = ptk_tensor_zeros(dt, rank, shape, &serr);
  if (!t) {
    set_err(err, "'%s': %s", spec, serr);
    free(serr);
    return NULL;
  }
  if (is_rand) fill_rand(t, seed);
  return t;
}
