/* .npy reading and writing; see npy.h. The header is a Python dict literal,
 * parsed here by a small recursive reader that accepts exactly the forms
 * NumPy writes (strings, True/False, tuples of integers). */
#include "runtime/npy.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lang/util.h"

static const char magic[6] = {'\x93', 'N', 'U', 'M', 'P', 'Y'};

PTK_PRINTF(3, 4)
static void fail(char **err, const char *name, const char *fmt, ...) {
  if (!err) return;
  ptk_buf b = {0};
  ptk_buf_printf(&b, "%s: ", name);
  va_list ap;
  va_start(ap, fmt);
  ptk_buf_vprintf(&b, fmt, ap);
  va_end(ap);
  *err = ptk_buf_take(&b);
}

/* ---- header dict ------------------------------------------------------- */

typedef struct {
  const char *p, *end;
  const char *error; /* static text */
} rd;

static void ws(rd *r) {
  while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r')) r->p++;
}

static bool lit(rd *r, char c) {
  ws(r);
  if (r->p < r->end && *r->p == c) {
    r->p++;
    return true;
  }
  return false;
}

/* A quoted string; returns its body (not NUL-terminated) or NULL. */
static const char *str(rd *r, size_t *n) {
  ws(r);
  if (r->p >= r->end || (*r->p != '\'' && *r->p != '"')) return NULL;
  char q = *r->p++;
  const char *s = r->p;
  while (r->p < r->end && *r->p != q) {
    if (*r->p == '\\') return NULL;
    r->p++;
  }
  if (r->p >= r->end) return NULL;
  *n = (size_t)(r->p - s);
  r->p++;
  return s;
}

static bool word(rd *r, const char *w) {
  ws(r);
  size_t n = strlen(w);
  if ((size_t)(r->end - r->p) >= n && !memcmp(r->p, w, n) &&
      ((size_t)(r->end - r->p) == n || !isalnum((unsigned char)r->p[n]))) {
    r->p += n;
    return true;
  }
  return false;
}

/* (d0, d1, ...) with an optional trailing comma; returns rank or -1. */
static int shape_tuple(rd *r, int64_t *shape) {
  if (!lit(r, '(')) {
    r->error = "'shape' is not a tuple";
    return -1;
  }
  int rank = 0;
  if (lit(r, ')')) return 0;
  for (;;) {
    ws(r);
    if (r->p >= r->end || !isdigit((unsigned char)*r->p)) {
      r->error = "'shape' holds something other than non-negative integers";
      return -1;
    }
    uint64_t v = 0;
    while (r->p < r->end && isdigit((unsigned char)*r->p)) {
      v = v * 10 + (uint64_t)(*r->p++ - '0');
      if (v > ((uint64_t)1 << 40)) {
        r->error = "a 'shape' dimension is too large";
        return -1;
      }
    }
    if (r->p < r->end && (*r->p == 'L' || *r->p == 'l')) r->p++; /* Python 2 longs */
    if (rank == PTK_TENSOR_MAX_RANK) {
      r->error = "'shape' has more than 8 dimensions";
      return -1;
    }
    shape[rank++] = (int64_t)v;
    if (lit(r, ')')) return rank;
    if (!lit(r, ',')) {
      r->error = "'shape' tuple is malformed";
      return -1;
    }
    if (lit(r, ')')) return rank;
  }
}

typedef struct {
  char descr[32];
  bool fortran;
  int rank;
  int64_t shape[PTK_TENSOR_MAX_RANK];
} header;

static bool parse_dict(rd *r, header *h) {
  bool have_descr = false, have_fortran = false, have_shape = false;
  if (!lit(r, '{')) {
    r->error = "the header is not a dict";
    return false;
  }
  for (;;) {
    if (lit(r, '}')) break;
    size_t kn;
    const char *k = str(r, &kn);
    if (!k) {
      r->error = "expected a quoted key";
      return false;
    }
    if (!lit(r, ':')) {
      r->error = "expected ':' after a key";
      return false;
    }
    bool *seen;
    if (kn == 5 && !memcmp(k, "descr", 5)) {
      seen = &have_descr;
      ws(r);
      if (r->p < r->end && (*r->p == '[' || *r->p == '(')) {
        r->error = "structured dtypes are not supported";
        return false;
      }
      size_t n;
      const char *s = str(r, &n);
      if (!s) {
        r->error = "'descr' is not a string";
        return false;
      }
      if (n >= sizeof h->descr) n = sizeof h->descr - 1;
      memcpy(h->descr, s, n);
      h->descr[n] = 0;
    } else if (kn == 13 && !memcmp(k, "fortran_order", 13)) {
      seen = &have_fortran;
      if (word(r, "True"))
        h->fortran = true;
      else if (word(r, "False"))
        h->fortran = false;
      else {
        r->error = "'fortran_order' is not True or False";
        return false;
      }
    } else if (kn == 5 && !memcmp(k, "shape", 5)) {
      seen = &have_shape;
      h->rank = shape_tuple(r, h->shape);
      if (h->rank < 0) return false;
    } else {
      r->error = "unexpected key (only 'descr', 'fortran_order' and 'shape' are allowed)";
      return false;
    }
    if (*seen) {
      r->error = "duplicate key";
      return false;
    }
    *seen = true;
    if (lit(r, '}')) break;
    if (!lit(r, ',')) {
      r->error = "expected ',' or '}' after a value";
      return false;
    }
  }
  ws(r);
  while (r->p < r->end && *r->p == 0) r->p++; /* some writers pad with NULs */
  ws(r);
  if (r->p != r->end) {
    r->error = "unexpected text after the dict";
    return false;
  }
  if (!have_descr || !have_fortran || !have_shape) {
    r->error = !have_descr     ? "missing key 'descr'"
               : !have_fortran ? "missing key 'fortran_order'"
                               : "missing key 'shape'";
    return false;
  }
  return true;
}

/* Maps a descr to a dtype; NULL on success, else a static message. */
static const char *map_descr(const char *d, int flags, ptk_tdtype *dt) {
  char order = 0;
  if (*d == '<' || *d == '>' || *d == '|' || *d == '=') order = *d++;
  static const struct {
    const char *code;
    ptk_tdtype dt;
  } codes[] = {{"f2", PTK_TD_F16}, {"f4", PTK_TD_F32}, {"f8", PTK_TD_F64}, {"i1", PTK_TD_I8},
               {"i2", PTK_TD_I16}, {"i4", PTK_TD_I32}, {"i8", PTK_TD_I64}, {"u1", PTK_TD_U8},
               {"u2", PTK_TD_U16}, {"u4", PTK_TD_U32}, {"u8", PTK_TD_U64}, {"b1", PTK_TD_BOOL},
               {"?", PTK_TD_BOOL}};
  for (size_t i = 0; i < PTK_ARRAY_LEN(codes); i++) {
    if (strcmp(d, codes[i].code)) continue;
    *dt = codes[i].dt;
    if (ptk_tdtype_size(*dt) > 1) {
      if (order == '>') return "big-endian data is not supported";
      if (order != '<' && order != '=') return "multi-byte dtype without '<' byte order";
    }
    if (*dt == PTK_TD_U16 && (flags & PTK_NPY_U16_AS_BF16)) *dt = PTK_TD_BF16;
    return NULL;
  }
  return "unsupported dtype (supported: <f2 <f4 <f8 |i1 <i2 <i4 <i8 |u1 <u2 <u4 <u8 |b1)";
}

static uint32_t le16(const unsigned char *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t le32(const unsigned char *p) {
  return le16(p) | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

ptk_tensor *ptk_npy_parse(const void *data, size_t len, const char *name, int flags, char **err) {
  const unsigned char *d = data;
  if (len < 6 || memcmp(d, magic, 6)) {
    if (len < 6 && len > 0 && !memcmp(d, magic, len))
      fail(err, name, "truncated .npy file (%zu bytes)", len);
    else
      fail(err, name, "not a .npy file (bad magic: expected \\x93NUMPY)");
    return NULL;
  }
  if (len < 8) {
    fail(err, name, "truncated .npy file (no format version)");
    return NULL;
  }
  int major = d[6], minor = d[7];
  if (major < 1 || major > 3) {
    fail(err, name, "unsupported .npy format version %d.%d (1.0, 2.0 and 3.0 are supported)", major,
         minor);
    return NULL;
  }
  size_t start = major == 1 ? 10 : 12;
  if (len < start) {
    fail(err, name, "truncated .npy header (no header length)");
    return NULL;
  }
  size_t hlen = major == 1 ? le16(d + 8) : le32(d + 8);
  if (hlen > len - start) {
    fail(err, name, "truncated .npy header (header length %zu, only %zu bytes follow)", hlen,
         len - start);
    return NULL;
  }
  header h;
  memset(&h, 0, sizeof h);
  rd r = {(const char *)d + start, (const char *)d + start + hlen, NULL};
  if (!parse_dict(&r, &h)) {
    ptk_buf shown = {0};
    size_t n = hlen > 160 ? 160 : hlen;
    for (size_t i = 0; i < n; i++) {
      unsigned char c = d[start + i];
      ptk_buf_putc(&shown, c >= 32 && c < 127 ? (char)c : c == '\n' ? ' ' : '?');
    }
    while (shown.len && shown.data[shown.len - 1] == ' ') shown.data[--shown.len] = 0;
    fail(err, name, "bad .npy header: %s (header: %s%s)", r.error, ptk_buf_cstr(&shown),
         hlen > 160 ? "..." : "");
    ptk_buf_free(&shown);
    return NULL;
  }
  ptk_tdtype dt;
  const char *why = map_descr(h.descr, flags, &dt);
  if (why) {
    fail(err, name, "dtype '%s': %s", h.descr, why);
    return NULL;
  }
  if (h.fortran) {
    fail(err, name, "Fortran-order (column-major) arrays are not supported; save a C-order array");
    return NULL;
  }
  char *terr = NULL;
  ptk_tensor *t = ptk_tensor_zeros(dt, h.rank, h.shape, &terr);
  if (!t) {
    fail(err, name, "%s", terr);
    free(terr);
    return NULL;
  }
  size_t want = ptk_tensor_nbytes(t), have = len - start - hlen;
  if (want != have) {
    ptk_buf shape = {0};
    for (int i = 0; i < h.rank; i++)
      ptk_buf_printf(&shape, "%s%lld", i ? "x" : "", (long long)h.shape[i]);
    fail(err, name,
         "data size does not match the header: shape (%s) of %s needs %zu bytes, the "
         "file has %zu%s",
         ptk_buf_cstr(&shape), h.descr, want, have, have < want ? " (truncated)" : "");
    ptk_buf_free(&shape);
    ptk_tensor_free(t);
    return NULL;
  }
  memcpy(t->data, d + start + hlen, want);
  return t;
}

ptk_tensor *ptk_npy_read(const char *path, int flags, char **err) {
  size_t len;
  char *data = ptk_read_file_max(path, PTK_NPY_MAX_BYTES, &len);
  if (!data) {
    if (errno == EFBIG)
      fail(err, path, "cannot read: the file is larger than 64 GiB");
    else
      fail(err, path, "cannot read: %s", ptk_file_strerror(errno));
    return NULL;
  }
  ptk_tensor *t = ptk_npy_parse(data, len, path, flags, err);
  free(data);
  return t;
}

/* ---- writing ----------------------------------------------------------- */

static const char *descr_of(ptk_tdtype dt) {
  switch (dt) {
  case PTK_TD_F16: return "<f2";
  case PTK_TD_BF16: return "<u2";
  case PTK_TD_F32: return "<f4";
  case PTK_TD_F64: return "<f8";
  case PTK_TD_I8: return "|i1";
  case PTK_TD_I16: return "<i2";
  case PTK_TD_I32: return "<i4";
  case PTK_TD_I64: return "<i8";
  case PTK_TD_U8: return "|u1";
  case PTK_TD_U16: return "<u2";
  case PTK_TD_U32: return "<u4";
  case PTK_TD_U64: return "<u8";
  case PTK_TD_BOOL: return "|b1";
  case PTK_TD__COUNT: break;
  }
  return "|V1";
}

void *ptk_npy_encode(const ptk_tensor *t, size_t *len) {
  ptk_buf h = {0};
  ptk_buf_printf(&h, "{'descr': '%s', 'fortran_order': False, 'shape': (", descr_of(t->dtype));
  for (int i = 0; i < t->rank; i++)
    ptk_buf_printf(&h, "%s%lld", i ? ", " : "", (long long)t->shape[i]);
  ptk_buf_puts(&h, t->rank == 1 ? ",), }" : "), }");
  size_t pre = 10;
  size_t total = (pre + h.len + 1 + 63) & ~(size_t)63;
  int major = 1;
  if (total - pre > 65535) {
    major = 2;
    pre = 12;
    total = (pre + h.len + 1 + 63) & ~(size_t)63;
  }
  while (pre + h.len + 1 < total) ptk_buf_putc(&h, ' ');
  ptk_buf_putc(&h, '\n');
  size_t nbytes = ptk_tensor_nbytes(t), es = ptk_tdtype_size(t->dtype);
  unsigned char *out = ptk_xmalloc(total + nbytes);
  memcpy(out, magic, 6);
  out[6] = (unsigned char)major;
  out[7] = 0;
  uint32_t hl = (uint32_t)h.len;
  out[8] = hl & 255;
  out[9] = (hl >> 8) & 255;
  if (major == 2) {
    out[10] = (hl >> 16) & 255;
    out[11] = (hl >> 24) & 255;
  }
  memcpy(out + pre, h.data, h.len);
  unsigned char *body = out + total;
  int64_t n = ptk_tensor_numel(t);
  if (ptk_tensor_is_contiguous(t))
    memcpy(body, t->data, nbytes);
  else
    for (int64_t i = 0; i < n; i++) memcpy(body + (size_t)i * es, ptk_tensor_at(t, i), es);
  ptk_buf_free(&h);
  *len = total + nbytes;
  return out;
}

int ptk_npy_write(const char *path, const ptk_tensor *t, char **err) {
  size_t len;
  void *img = ptk_npy_encode(t, &len);
  int rc = ptk_write_file_atomic(path, img, len);
  if (rc != 0) fail(err, path, "cannot write: %s", strerror(errno));
  free(img);
  return rc ? -1 : 0;
}
