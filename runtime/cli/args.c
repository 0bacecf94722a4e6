/* Command-line kernel arguments, shared by `ptk run` and `ptk replay`:
 * counts, scalar literals, tensor specs / .npy paths, binding ARGs to the
 * entry function's parameters and writing the pointer arguments back out. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backend/build_dir.h"
#include "runtime/cli/cli.h"
#include "runtime/npy.h"
#include "runtime/replay.h"
#include "runtime/tensor.h"

bool ptk_cli_parse_u32(const char *s, uint32_t *out) {
  if (!s || !*s || s[0] == '-') return false;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (*end || errno || v == 0 || v > 1u << 24) return false;
  *out = (uint32_t)v;
  return true;
}

bool ptk_cli_looks_scalar(const char *s) {
  if (!strcmp(s, "true") || !strcmp(s, "false")) return true;
  char *end;
  errno = 0;
  (void)strtod(s, &end);
  return end != s && !*end;
}

static bool parse_int_lit(const char *s, bool *neg, unsigned long long *mag) {
  const char *p = s;
  *neg = false;
  if (*p == '+' || *p == '-') *neg = *p++ == '-';
  int base = 10;
  if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
    base = 16;
    p += 2;
  }
  if (!*p) return false;
  for (const char *q = p; *q; q++)
    if (!(base == 16 ? ((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'f') || (*q >= 'A' && *q <= 'F'))
                     : (*q >= '0' && *q <= '9')))
      return false;
  errno = 0;
  *mag = strtoull(p, NULL, base);
  if (errno == ERANGE) *mag = ULLONG_MAX;
  return true;
}

char *ptk_cli_parse_scalar(const char *s, ptk_dtype dt, ptk_launch_arg *out) {
  out->kind = PTK_ARG_SCALAR;
  out->dt = dt;
  const char *tn = ptk_dtype_name(dt);
  if (dt == PTK_DT_I1) {
    if (!strcmp(s, "true") || !strcmp(s, "1")) out->i = 1;
    else if (!strcmp(s, "false") || !strcmp(s, "0")) out->i = 0;
    else return ptk_xasprintf("expected true, false, 1 or 0 for type i1, got '%s'", s);
    return NULL;
  }
  if (ptk_dtype_is_float(dt)) {
    if (!strcmp(s, "true") || !strcmp(s, "false"))
      return ptk_xasprintf("expected a scalar of type %s, got '%s'", tn, s);
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end) return ptk_xasprintf("expected a scalar of type %s, got '%s'", tn, s);
    if (errno == ERANGE && isinf(v)) /* 1e999: overflows even a double ("inf" is spelled out) */
      return ptk_xasprintf("%s is out of range for %s", s, tn);
    if (dt != PTK_DT_F64 && dt != PTK_DT_F32 && dt != PTK_DT_F16 && dt != PTK_DT_BF16)
      return ptk_xasprintf("scalar parameters of type %s are not supported", tn);
    if (isfinite(v) && !isfinite(ptk_float_round(v, dt)))
      return ptk_xasprintf("%s is out of range for %s", s, tn);
    out->f = v;
    return NULL;
  }
  unsigned w = ptk_dtype_bits(dt);
  ptk_dtype_class cls = ptk_dtype_class_of(dt);
  long double lo, hi; /* exact for w <= 64 */
  if (cls == PTK_DTC_UINT) lo = 0, hi = ldexpl(1.0L, (int)w) - 1;
  else if (cls == PTK_DTC_SINT || cls == PTK_DTC_INDEX) lo = -ldexpl(1.0L, (int)w - 1), hi = ldexpl(1.0L, (int)w - 1) - 1;
  else lo = -ldexpl(1.0L, (int)w - 1), hi = ldexpl(1.0L, (int)w) - 1;
  long double v;
  bool neg;
  unsigned long long mag;
  if (parse_int_lit(s, &neg, &mag)) {
    v = neg ? -(long double)mag : (long double)mag;
  } else {
    char *end;
    double d = strtod(s, &end);
    if (end == s || *end || !strcmp(s, "true") || !strcmp(s, "false"))
      return ptk_xasprintf("expected a scalar of type %s, got '%s'", tn, s);
    if (!isfinite(d) || d != trunc(d)) return ptk_xasprintf("%s is not an integer (type %s)", s, tn);
    v = d;
  }
  if (v < lo || v > hi) return ptk_xasprintf("%s is out of range for %s", s, tn);
  out->i = v >= 0x1p63L ? (int64_t)(uint64_t)v : (int64_t)v;
  return NULL;
}

static bool is_spec(const char *s) { return !strncmp(s, "zeros:", 6) || !strncmp(s, "rand:", 5); }

/* The tensor for a pointer parameter of type t; NULL and *msg on error. */
/* `rand:DTYPE:SHAPE` without a seed takes the parameter's 0-based position
 * as its seed, so two rand arguments of one launch differ. */
static ptk_tensor *spec_tensor(const char *s, uint32_t pos, char **err) {
  const char *c1 = strchr(s, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
  if (strncmp(s, "rand:", 5) || !c2 || strchr(c2 + 1, ':')) return ptk_tensor_from_spec(s, err);
  char *seeded = ptk_xasprintf("%s:%u", s, pos);
  ptk_tensor *t = ptk_tensor_from_spec(seeded, NULL);
  free(seeded);
  return t ? t : ptk_tensor_from_spec(s, err); /* the error names the spec as written */
}

static ptk_tensor *tensor_arg(const char *s, uint32_t pos, const ptk_type *t, const char *ts,
                              unsigned flags, char **msg) {
  ptk_dtype pd = PTK_DT_F32;
  bool known = ptk_type_elem_dtype(t, &pd);
  ptk_tensor *ten = NULL;
  char *err = NULL;
  if (is_spec(s))
    ten = spec_tensor(s, pos, &err);
  else if (ptk_cli_looks_scalar(s))
    *msg = ptk_xasprintf("expected a tensor (path.npy, zeros:DTYPE:SHAPE or rand:DTYPE:SHAPE) "
                         "for parameter type %s, got '%s'", ts, s);
  else
    ten = ptk_npy_read(s, known && pd == PTK_DT_BF16 ? PTK_NPY_U16_AS_BF16 : 0, &err);
  if (!ten && !*msg) *msg = ptk_xstrdup(err ? err : "cannot create the tensor");
  free(err);
  if (ten && known && ptk_tdtype_size(ten->dtype) != ptk_dtype_bytes(pd)) {
    if (flags & PTK_CLI_BIND_ELEM_DTYPE)
      *msg = ptk_xasprintf("'%s' holds %s (%zu-byte elements) but the parameter's elements are "
                           "%s", s, ptk_tdtype_name(ten->dtype), ptk_tdtype_size(ten->dtype),
                           ptk_dtype_name(pd));
    else
      *msg = ptk_xasprintf("'%s' holds %s (%zu-byte elements) but the parameter is %s (%u-byte "
                           "elements)", s, ptk_tdtype_name(ten->dtype), ptk_tdtype_size(ten->dtype),
                           ts, ptk_dtype_bytes(pd));
  }
  if (*msg) {
    ptk_tensor_free(ten);
    ten = NULL;
  }
  return ten;
}

bool ptk_cli_bind(const ptk_func *f, const char *const *args, size_t nargs, const char *cmd,
                  unsigned flags, ptk_launch_arg *la, ptk_diags *d) {
  if (nargs != f->nargs) {
    ptk_error_loc(d, f->loc, "'@%s' takes %u argument%s, got %zu", f->name, f->nargs,
                  f->nargs == 1 ? "" : "s", nargs);
    for (uint32_t i = 0; i < f->nargs; i++) {
      char *n = ptk_func_arg_name(f, i), *ts = ptk_type_str(f->arg_types[i]);
      ptk_note(d, ptk_range_at(ptk_func_arg_loc(f, i), 1), "parameter %u: '%s' of type %s", i + 1,
               n, ts);
      free(n);
      free(ts);
    }
    return false;
  }
  bool ok = true;
  for (uint32_t i = 0; i < f->nargs; i++) {
    const ptk_type *t = f->arg_types[i];
    const char *s = args[i];
    char *ts = ptk_type_str(t), *msg = NULL;
    memset(&la[i], 0, sizeof la[i]);
    if (t->kind == PTK_TY_PTR) {
      la[i].kind = PTK_ARG_TENSOR;
      la[i].tensor = tensor_arg(s, i, t, ts, flags, &msg);
    } else if (t->kind == PTK_TY_SCALAR) {
      if (is_spec(s) || (!ptk_cli_looks_scalar(s) && (ptk_cli_has_ext(s, ".npy") || strchr(s, '/'))))
        msg = ptk_xasprintf("expected a scalar of type %s, got '%s'", ts, s);
      else
        msg = ptk_cli_parse_scalar(s, t->dt, &la[i]);
    } else {
      msg = ptk_xasprintf("parameters of type %s are not supported by ptk %s", ts, cmd);
    }
    if (msg) {
      char *n = ptk_func_arg_name(f, i);
      ptk_error_loc(d, ptk_func_arg_loc(f, i), "argument %u ('%s'): %s", i + 1, n, msg);
      free(n);
      ok = false;
    }
    free(msg);
    free(ts);
  }
  return ok;
}

bool ptk_cli_write_outputs(const char *dir, const ptk_func *f, const ptk_launch_arg *la,
                           ptk_diags *d) {
  if (ptk_mkdir_p(dir)) {
    ptk_error_file(d, dir, "cannot create the output folder: %s", strerror(errno));
    return false;
  }
  bool ok = true;
  for (uint32_t i = 0; i < f->nargs; i++) {
    if (la[i].kind != PTK_ARG_TENSOR || !la[i].tensor) continue;
    char *stem = ptk_saved_arg_stem(f, i), *path = ptk_xasprintf("%s/%s.npy", dir, stem);
    char *err = NULL;
    if (ptk_npy_write(path, la[i].tensor, &err)) {
      ptk_error_file(d, path, "%s", err ? err : "cannot write");
      free(err);
      ok = false;
    }
    free(path);
    free(stem);
  }
  return ok;
}

void ptk_cli_args_free(ptk_launch_arg *la, size_t n) {
  if (la)
    for (size_t i = 0; i < n; i++)
      if (la[i].kind == PTK_ARG_TENSOR) ptk_tensor_free(la[i].tensor);
  free(la);
}
