/* Attributes: constructors, equality, printing; float encodings; enums. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/ir/ir_internal.h"

/* ---- float encodings ----------------------------------------------------- */

/* Round a double to an IEEE-like binary format with `eb` exponent bits and
 * `mb` mantissa bits (nearest-even, overflow to inf). */
static uint64_t encode_ieee(double v, int eb, int mb) {
  uint64_t sign = signbit(v) ? 1 : 0;
  uint64_t emax = (1u << eb) - 1;
  int bias = (1 << (eb - 1)) - 1;
  uint64_t out;
  if (isnan(v)) {
    out = (emax << mb) | (1ull << (mb - 1));
  } else if (isinf(v)) {
    out = emax << mb;
  } else if (v == 0) {
    out = 0;
  } else {
    double a = fabs(v);
    int e;
    double f = frexp(a, &e); /* a = f * 2^e, f in [0.5, 1) */
    int exp = e - 1 + bias;  /* biased exponent of 1.xxx form */
    double scaled;
    if (exp <= 0) { /* subnormal */
      scaled = ldexp(a, bias - 1 + mb);
      exp = 0;
    } else {
      scaled = ldexp(f * 2 - 1, mb); /* fraction bits */
    }
    double r = nearbyint(scaled); /* default rounding: nearest-even */
    uint64_t mant = (uint64_t)r;
    if (exp == 0) {
      if (mant >> mb) { /* rounded up into the normal range */
        exp = 1;
        mant &= (1ull << mb) - 1;
      }
    } else if (mant >> mb) {
      mant = 0;
      exp++;
    }
    if ((uint64_t)exp >= emax)
      out = emax << mb;
    else
      out = ((uint64_t)exp << mb) | mant;
  }
  return (sign << (eb + mb)) | out;
}

static double decode_ieee(uint64_t bits, int eb, int mb) {
  uint64_t emax = (1u << eb) - 1;
  int bias = (1 << (eb - 1)) - 1;
  int sign = (int)((bits >> (eb + mb)) & 1);
  uint64_t exp = (bits >> mb) & emax;
  uint64_t mant = bits & ((1ull << mb) - 1);
  double v;
  if (exp == emax)
    v = mant ? NAN : INFINITY;
  else if (exp == 0)
    v = ldexp((double)mant, 1 - bias - mb);
  else
    v = ldexp((double)(mant | (1ull << mb)), (int)exp - bias - mb);
  return sign ? -v : v;
}

uint64_t ptk_float_to_bits(double v, ptk_dtype dt) {
  switch (dt) {
  case PTK_DT_F64: {
    uint64_t b;
    memcpy(&b, &v, 8);
    return b;
  }
  case PTK_DT_F16: return encode_ieee(v, 5, 10);
  case PTK_DT_BF16: return encode_ieee(v, 8, 7);
  case PTK_DT_F8E5M2: return encode_ieee(v, 5, 2);
  default: {
    float f = (float)v;
    uint32_t b;
    memcpy(&b, &f, 4);
    return b;
  }
  }
}

double ptk_float_from_bits(uint64_t bits, ptk_dtype dt) {
  switch (dt) {
  case PTK_DT_F64: {
    double v;
    memcpy(&v, &bits, 8);
    return v;
  }
  case PTK_DT_F16: return decode_ieee(bits & 0xffff, 5, 10);
  case PTK_DT_BF16: return decode_ieee(bits & 0xffff, 8, 7);
  case PTK_DT_F8E5M2: return decode_ieee(bits & 0xff, 5, 2);
  default: {
    uint32_t b = (uint32_t)bits;
    float f;
    memcpy(&f, &b, 4);
    return f;
  }
  }
}

static ptk_dtype float_dt(const ptk_type *t) {
  return t && t->kind == PTK_TY_SCALAR && ptk_dtype_is_float(t->dt) ? t->dt : PTK_DT_F64;
}

static unsigned float_hex_bits(ptk_dtype dt) {
  switch (dt) {
  case PTK_DT_F64: return 64;
  case PTK_DT_F16:
  case PTK_DT_BF16: return 16;
  case PTK_DT_F8E5M2: return 8;
  default: return 32;
  }
}

/* Wrap an integer to the type's width: sign-extend for signless/signed
 * ints and index, zero-extend for unsigned ones. */
static int64_t wrap_int(int64_t v, const ptk_type *t) {
  if (!t || t->kind != PTK_TY_SCALAR || ptk_dtype_is_float(t->dt)) return v;
  unsigned bits = ptk_dtype_bits(t->dt);
  if (bits >= 64) return v;
  uint64_t mask = (1ull << bits) - 1;
  uint64_t u = (uint64_t)v & mask;
  if (ptk_dtype_class_of(t->dt) == PTK_DTC_UINT || bits == 1) return (int64_t)u;
  if (u >> (bits - 1)) u |= ~mask;
  return (int64_t)u;
}

/* ---- constructors --------------------------------------------------------- */

static ptk_attr *new_attr(ptk_module *m, ptk_attr_kind k) {
  ptk_attr *a = ptk_ir_alloc(m, sizeof *a);
  a->kind = k;
  return a;
}

const ptk_attr *ptk_attr_unit(ptk_module *m) {
  if (!m->ctx->unit) m->ctx->unit = new_attr(m, PTK_ATTR_UNIT);
  return m->ctx->unit;
}

const ptk_attr *ptk_attr_bool(ptk_module *m, bool b) {
  const ptk_attr **slot = b ? &m->ctx->btrue : &m->ctx->bfalse;
  if (!*slot) {
    ptk_attr *a = new_attr(m, PTK_ATTR_BOOL);
    a->b = b;
    a->type = ptk_type_scalar(PTK_DT_I1);
    *slot = a;
  }
  return *slot;
}

const ptk_attr *ptk_attr_int(ptk_module *m, int64_t v, const ptk_type *type) {
  if (!type) type = ptk_type_scalar(PTK_DT_I64);
  if (ptk_type_is_scalar(type, PTK_DT_I1)) return ptk_attr_bool(m, v & 1);
  ptk_attr *a = new_attr(m, PTK_ATTR_INT);
  a->type = type;
  a->i = wrap_int(v, type);
  return a;
}

const ptk_attr *ptk_attr_float(ptk_module *m, double v, const ptk_type *type) {
  if (!type) type = ptk_type_scalar(PTK_DT_F64);
  ptk_dtype dt = float_dt(type);
  ptk_attr *a = new_attr(m, PTK_ATTR_FLOAT);
  a->type = type;
  a->f.bits = ptk_float_to_bits(v, dt);
  a->f.v = ptk_float_from_bits(a->f.bits, dt);
  if (isnan(v) && !isnan(a->f.v)) a->f.v = v;
  return a;
}

const ptk_attr *ptk_attr_float_bits(ptk_module *m, uint64_t bits, const ptk_type *type) {
  if (!type) type = ptk_type_scalar(PTK_DT_F64);
  ptk_dtype dt = float_dt(type);
  unsigned nb = float_hex_bits(dt);
  if (nb < 64) bits &= (1ull << nb) - 1;
  ptk_attr *a = new_attr(m, PTK_ATTR_FLOAT);
  a->type = type;
  a->f.bits = bits;
  a->f.v = ptk_float_from_bits(bits, dt);
  return a;
}

const ptk_attr *ptk_attr_string(ptk_module *m, const char *s, size_t len) {
  ptk_attr *a = new_attr(m, PTK_ATTR_STRING);
  a->str.s = ptk_arena_strndup(m->ctx->arena, s, len);
  a->str.len = len;
  return a;
}

const ptk_attr *ptk_attr_type(ptk_module *m, const ptk_type *t) {
  ptk_attr *a = new_attr(m, PTK_ATTR_TYPE);
  a->type = t;
  return a;
}

const ptk_attr *ptk_attr_array(ptk_module *m, const ptk_attr *const *items, uint32_t n) {
  ptk_attr *a = new_attr(m, PTK_ATTR_ARRAY);
  const ptk_attr **v = ptk_ir_alloc(m, (n ? n : 1) * sizeof *v);
  for (uint32_t i = 0; i < n; i++) v[i] = items[i];
  a->arr.items = v;
  a->arr.n = n;
  return a;
}

const ptk_attr *ptk_attr_dense_int(ptk_module *m, const ptk_type *elem, const int64_t *v,
                                   uint32_t n) {
  ptk_attr *a = new_attr(m, PTK_ATTR_DENSE_ARRAY);
  a->type = elem;
  int64_t *d = ptk_ir_alloc(m, (n ? n : 1) * sizeof *d);
  for (uint32_t i = 0; i < n; i++) d[i] = wrap_int(v[i], elem);
  a->dense.i = d;
  a->dense.n = n;
  return a;
}

const ptk_attr *ptk_attr_dense_float(ptk_module *m, const ptk_type *elem, const double *v,
                                     uint32_t n) {
  ptk_attr *a = new_attr(m, PTK_ATTR_DENSE_ARRAY);
  a->type = elem;
  ptk_dtype dt = float_dt(elem);
  double *d = ptk_ir_alloc(m, (n ? n : 1) * sizeof *d);
  for (uint32_t i = 0; i < n; i++) d[i] = ptk_float_from_bits(ptk_float_to_bits(v[i], dt), dt);
  a->dense.f = d;
  a->dense.n = n;
  return a;
}

static int cmp_named(const void *x, const void *y) {
  const ptk_named_attr *a = x, *b = y;
  return strcmp(a->name, b->name);
}

const ptk_attr *ptk_attr_dict(ptk_module *m, const ptk_named_attr *items, uint32_t n) {
  ptk_attr *a = new_attr(m, PTK_ATTR_DICT);
  ptk_named_attr *v = ptk_ir_alloc(m, (n ? n : 1) * sizeof *v);
  uint32_t k = 0;
  /* Stable: later duplicates replace earlier ones. */
  for (uint32_t i = 0; i < n; i++) {
    uint32_t j;
    for (j = 0; j < k; j++)
      if (strcmp(v[j].name, items[i].name) == 0) break;
    if (j < k) {
      v[j].value = items[i].value;
    } else {
      v[k].name = ptk_ir_strdup(m, items[i].name);
      v[k].value = items[i].value;
      k++;
    }
  }
  qsort(v, k, sizeof *v, cmp_named);
  a->dict.items = v;
  a->dict.n = k;
  return a;
}

const ptk_attr *ptk_attr_symbol(ptk_module *m, const char *name) {
  ptk_attr *a = new_attr(m, PTK_ATTR_SYMBOL);
  a->str.s = ptk_ir_strdup(m, name);
  a->str.len = strlen(name);
  return a;
}

const ptk_attr *ptk_attr_enum(ptk_module *m, const char *dialect, const char *mnemonic,
                              const char *value, ptk_enum_spelling sp) {
  ptk_attr *a = new_attr(m, PTK_ATTR_ENUM);
  a->en.dialect = ptk_ir_strdup(m, dialect ? dialect : "pto");
  a->en.mnemonic = ptk_ir_strdup(m, mnemonic);
  a->en.value = ptk_ir_strdup(m, value);
  a->en.spelling = sp;
  return a;
}

const ptk_attr *ptk_attr_pto_enum(ptk_module *m, const char *mnemonic, const char *value) {
  const ptk_enum_info *e = ptk_enum_lookup(mnemonic);
  return ptk_attr_enum(m, "pto", mnemonic, value, e ? e->spelling : PTK_ENUM_DOT);
}

const ptk_attr *ptk_attr_opaque(ptk_module *m, const char *text, size_t len, const ptk_type *type) {
  ptk_attr *a = new_attr(m, PTK_ATTR_OPAQUE);
  a->str.s = ptk_arena_strndup(m->ctx->arena, text, len);
  a->str.len = len;
  a->type = type;
  return a;
}

/* ---- queries -------------------------------------------------------------- */

bool ptk_attr_get_int(const ptk_attr *a, int64_t *out) {
  if (!a) return false;
  if (a->kind == PTK_ATTR_INT) {
    *out = a->i;
    return true;
  }
  if (a->kind == PTK_ATTR_BOOL) {
    *out = a->b;
    return true;
  }
  return false;
}

static const char *const cmpi_names[] = {
#define X(n) #n,
    PTK_CMPI_PREDICATES(X)
#undef X
};
static const char *const cmpf_names[] = {
#define X(n) #n,
    PTK_CMPF_PREDICATES(X)
#undef X
};
const char *ptk_cmpi_name(int64_t p) {
  return p >= 0 && p < (int64_t)PTK_ARRAY_LEN(cmpi_names) ? cmpi_names[p] : NULL;
}
const char *ptk_cmpf_name(int64_t p) {
  return p >= 0 && p < (int64_t)PTK_ARRAY_LEN(cmpf_names) ? cmpf_names[p] : NULL;
}

/* ---- enums ----------------------------------------------------------------- */

typedef struct {
  const char *mnemonic;
  ptk_enum_spelling sp;
  int closed;
  const char *values;
} enum_row;

static const enum_row enum_rows[] = {
#define PTK_ENUM(MN, SP, CLOSED, VALUES) {#MN, SP, CLOSED, VALUES},
#include "lang/ir/enums.def"
#undef PTK_ENUM
};

#define NENUMS PTK_ARRAY_LEN(enum_rows)
static ptk_enum_info enum_infos[NENUMS];
static const char **enum_values[NENUMS];

#include <pthread.h>
static pthread_once_t enums_once = PTHREAD_ONCE_INIT;

static void init_enums(void) {
  for (size_t i = 0; i < NENUMS; i++) {
    const char *s = enum_rows[i].values;
    size_t n = 1;
    for (const char *p = s; *p; p++) n += *p == ',';
    const char **v = ptk_xcalloc(n + 1, sizeof *v);
    size_t k = 0;
    while (*s) {
      size_t l = strcspn(s, ",");
      v[k++] = ptk_xstrndup(s, l);
      s += l;
      if (*s == ',') s++;
    }
    enum_values[i] = v;
    enum_infos[i] = (ptk_enum_info){enum_rows[i].mnemonic, enum_rows[i].sp, v};
  }
}

const ptk_enum_info *ptk_enum_lookup(const char *mnemonic) {
  pthread_once(&enums_once, init_enums);
  for (size_t i = 0; i < NENUMS; i++)
    if (strcmp(enum_rows[i].mnemonic, mnemonic) == 0) return &enum_infos[i];
  return NULL;
}

/* Whether `value` is acceptable for the known enum `mnemonic` (unknown enums: yes). */
bool ptk_enum_value_ok(const char *mnemonic, const char *value) {
  const ptk_enum_info *e = ptk_enum_lookup(mnemonic);
  if (!e) return true;
  size_t i = (size_t)(e - enum_infos);
  if (!enum_rows[i].closed) return true;
  for (const char *const *v = e->values; *v; v++)
    if (strcmp(*v, value) == 0) return true;
  return false;
}

int ptk_attr_enum_index(const ptk_attr *a, const char *mnemonic) {
  if (!a || a->kind != PTK_ATTR_ENUM || strcmp(a->en.mnemonic, mnemonic) != 0) return -1;
  const ptk_enum_info *e = ptk_enum_lookup(mnemonic);
  if (!e) return -1;
  for (int i = 0; e->values[i]; i++)
    if (strcmp(e->values[i], a->en.value) == 0) return i;
  return -1;
}

/* ---- equality --------------------------------------------------------------- */

bool ptk_attr_equal(const ptk_attr *a, const ptk_attr *b) {
  if (a == b) return true;
  if (!a || !b || a->kind != b->kind) return false;
  switch (a->kind) {
  case PTK_ATTR_UNIT: return true;
  case PTK_ATTR_BOOL: return a->b == b->b;
  case PTK_ATTR_INT: return a->i == b->i && ptk_type_equal(a->type, b->type);
  case PTK_ATTR_FLOAT: return a->f.bits == b->f.bits && ptk_type_equal(a->type, b->type);
  case PTK_ATTR_STRING:
  case PTK_ATTR_SYMBOL:
    return a->str.len == b->str.len && memcmp(a->str.s, b->str.s, a->str.len) == 0;
  case PTK_ATTR_OPAQUE:
    return a->str.len == b->str.len && memcmp(a->str.s, b->str.s, a->str.len) == 0 &&
           ptk_type_equal(a->type, b->type);
  case PTK_ATTR_TYPE: return ptk_type_equal(a->type, b->type);
  case PTK_ATTR_ARRAY:
    if (a->arr.n != b->arr.n) return false;
    for (uint32_t i = 0; i < a->arr.n; i++)
      if (!ptk_attr_equal(a->arr.items[i], b->arr.items[i])) return false;
    return true;
  case PTK_ATTR_DENSE_ARRAY:
    if (a->dense.n != b->dense.n || !ptk_type_equal(a->type, b->type)) return false;
    for (uint32_t i = 0; i < a->dense.n; i++) {
      if (a->dense.i && a->dense.i[i] != b->dense.i[i]) return false;
      if (a->dense.f && memcmp(&a->dense.f[i], &b->dense.f[i], sizeof(double)) != 0) return false;
    }
    return true;
  case PTK_ATTR_DICT:
    if (a->dict.n != b->dict.n) return false;
    for (uint32_t i = 0; i < a->dict.n; i++)
      if (strcmp(a->dict.items[i].name, b->dict.items[i].name) != 0 ||
          !ptk_attr_equal(a->dict.items[i].value, b->dict.items[i].value))
        return false;
    return true;
  case PTK_ATTR_ENUM:
    return a->en.spelling == b->en.spelling && strcmp(a->en.dialect, b->en.dialect) == 0 &&
           strcmp(a->en.mnemonic, b->en.mnemonic) == 0 && strcmp(a->en.value, b->en.value) == 0;
  }
  return false;
}

/* ---- printing ----------------------------------------------------------------- */

/* Shortest decimal that reads back to the same bits in the type's format
 * (MLIR style: "%.6e" first); non-finite values as hex bit patterns. */
void ptk_float_print(double v, uint64_t bits, const ptk_type *t, ptk_buf *out) {
  ptk_dtype dt = float_dt(t);
  if (!isfinite(v)) {
    unsigned nb = float_hex_bits(dt);
    ptk_buf_printf(out, "0x%0*" PRIX64, (int)(nb / 4), bits);
    return;
  }
  char tmp[64];
  for (int prec = 6; prec <= 17; prec++) {
    snprintf(tmp, sizeof tmp, "%.*e", prec, v);
    double back = strtod(tmp, NULL);
    if (ptk_float_to_bits(back, dt) == bits) break;
  }
  ptk_buf_puts(out, tmp);
}

bool ptk_is_bare_id(const char *s, size_t n) {
  if (n == 0) return false;
  unsigned char c = (unsigned char)s[0];
  if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')) return false;
  for (size_t i = 1; i < n; i++) {
    c = (unsigned char)s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          c == '_' || c == '$' || c == '.'))
      return false;
  }
  return true;
}

void ptk_print_string_lit(const char *s, size_t n, ptk_buf *out) {
  ptk_buf_putc(out, '"');
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\')
      ptk_buf_printf(out, "\\%c", c);
    else if (c == '\n')
      ptk_buf_puts(out, "\\n");
    else if (c == '\t')
      ptk_buf_puts(out, "\\t");
    else if (c < 0x20 || c == 0x7f)
      ptk_buf_printf(out, "\\%02X", c);
    else
      ptk_buf_putc(out, (char)c);
  }
  ptk_buf_putc(out, '"');
}

static bool is_i64(const ptk_type *t) { return ptk_type_is_scalar(t, PTK_DT_I64); }
static bool is_f64(const ptk_type *t) { return ptk_type_is_scalar(t, PTK_DT_F64); }

static void print_int(const ptk_attr *a, ptk_buf *out) {
  if (a->type && a->type->kind == PTK_TY_SCALAR && ptk_dtype_class_of(a->type->dt) == PTK_DTC_UINT)
    ptk_buf_printf(out, "%" PRIu64, (uint64_t)a->i);
  else
    ptk_buf_printf(out, "%" PRId64, a->i);
}

void ptk_attr_print(const ptk_attr *a, ptk_buf *out) {
  if (!a) {
    ptk_buf_puts(out, "<<null attr>>");
    return;
  }
  switch (a->kind) {
  case PTK_ATTR_UNIT: ptk_buf_puts(out, "unit"); return;
  case PTK_ATTR_BOOL: ptk_buf_puts(out, a->b ? "true" : "false"); return;
  case PTK_ATTR_INT:
    print_int(a, out);
    if (!is_i64(a->type)) {
      ptk_buf_puts(out, " : ");
      ptk_type_print(a->type, out);
    }
    return;
  case PTK_ATTR_FLOAT:
    ptk_float_print(a->f.v, a->f.bits, a->type, out);
    if (!is_f64(a->type)) {
      ptk_buf_puts(out, " : ");
      ptk_type_print(a->type, out);
    }
    return;
  case PTK_ATTR_STRING: ptk_print_string_lit(a->str.s, a->str.len, out); return;
  case PTK_ATTR_TYPE: ptk_type_print(a->type, out); return;
  case PTK_ATTR_ARRAY:
    ptk_buf_putc(out, '[');
    for (uint32_t i = 0; i < a->arr.n; i++) {
      if (i) ptk_buf_puts(out, ", ");
      ptk_attr_print(a->arr.items[i], out);
    }
    ptk_buf_putc(out, ']');
    return;
  case PTK_ATTR_DENSE_ARRAY:
    ptk_buf_puts(out, "array<");
    ptk_type_print(a->type, out);
    for (uint32_t i = 0; i < a->dense.n; i++) {
      ptk_buf_puts(out, i ? ", " : ": ");
      if (a->dense.f) {
        ptk_dtype dt = float_dt(a->type);
        ptk_float_print(a->dense.f[i], ptk_float_to_bits(a->dense.f[i], dt), a->type, out);
      } else if (ptk_type_is_scalar(a->type, PTK_DT_I1)) {
        ptk_buf_puts(out, a->dense.i[i] ? "true" : "false");
      } else {
        ptk_attr tmp = {.kind = PTK_ATTR_INT, .type = a->type, .i = a->dense.i[i]};
        print_int(&tmp, out);
      }
    }
    ptk_buf_putc(out, '>');
    return;
  case PTK_ATTR_DICT:
    ptk_buf_putc(out, '{');
    for (uint32_t i = 0; i < a->dict.n; i++) {
      if (i) ptk_buf_puts(out, ", ");
      const char *k = a->dict.items[i].name;
      if (ptk_is_bare_id(k, strlen(k)))
        ptk_buf_puts(out, k);
      else
        ptk_print_string_lit(k, strlen(k), out);
      if (a->dict.items[i].value->kind != PTK_ATTR_UNIT) {
        ptk_buf_puts(out, " = ");
        ptk_attr_print(a->dict.items[i].value, out);
      }
    }
    ptk_buf_putc(out, '}');
    return;
  case PTK_ATTR_SYMBOL:
    ptk_buf_putc(out, '@');
    if (ptk_is_bare_id(a->str.s, a->str.len) || strstr(a->str.s, "::@"))
      ptk_buf_puts(out, a->str.s);
    else
      ptk_print_string_lit(a->str.s, a->str.len, out);
    return;
  case PTK_ATTR_ENUM:
    if (a->en.spelling == PTK_ENUM_ANGLE)
      ptk_buf_printf(out, "#%s<%s %s>", a->en.dialect, a->en.mnemonic, a->en.value);
    else
      ptk_buf_printf(out, "#%s.%s<%s>", a->en.dialect, a->en.mnemonic, a->en.value);
    return;
  case PTK_ATTR_OPAQUE:
    ptk_buf_putn(out, a->str.s, a->str.len);
    if (a->type) {
      ptk_buf_puts(out, " : ");
      ptk_type_print(a->type, out);
    }
    return;
  }
}
